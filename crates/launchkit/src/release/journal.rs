//! The release journal: `.git/launchkit/release.json` (the lock is `lock.rs`).
//!
//! It journals what the release did: where it started, the files it wrote (before
//! and after), the commit and the tag it made, each step's time, whether the docs hook
//! ran. A restore undoes exactly these and nothing else. A release that stops after
//! something left the repository keeps the file, and the next run picks its journal up;
//! one killed outright leaves it too, with a process id that is no longer running. The file
//! goes away when the release is recorded, or when a failure restored the repository.
//! Living in `.git`, it is never committed, and neither `git reset` nor `git clean` touch it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// One file the release wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Written {
    /// Its path.
    pub path: PathBuf,
    /// Its text before the release.
    pub before: String,
    /// Its text as the release wrote it; `None` until known (Cargo.lock, written by cargo).
    pub after: Option<String>,
}

/// An in-progress release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journal {
    /// The process running it.
    pub pid: u32,
    /// The version being released.
    pub version: String,
    /// The environment it goes to.
    pub environment: String,
    /// The commit HEAD was at before the release commit.
    pub start: String,
    /// When the first run started, RFC 3339 UTC.
    pub started: String,
    /// How many runs worked on it.
    pub runs: u32,
    /// The files the release wrote.
    pub files: Vec<Written>,
    /// The release commit this release made, once made: a restore moves the branch back
    /// only while it still points there.
    #[serde(default)]
    pub commit: Option<String>,
    /// The tag object this release made, once made: a restore deletes the tag only while
    /// it still names this object.
    #[serde(default)]
    pub tag: Option<String>,
    /// Milliseconds spent on each step the release did itself.
    pub steps: BTreeMap<String, u64>,
    /// The docs hook ran to success.
    pub docs_hook: bool,
}

/// The lock file of the repository whose git common directory is `git_dir`.
pub fn path(git_dir: &Path) -> PathBuf {
    git_dir.join("launchkit").join("release.json")
}

impl Journal {
    /// The journal at `path`, if there is one.
    pub fn read(path: &Path) -> anyhow::Result<Option<Journal>> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err).with_context(|| format!("cannot read {}", path.display())),
        };
        let journal = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a release journal: delete it if no release is running",
                path.display()
            )
        })?;
        Ok(Some(journal))
    }

    /// Writes the journal back, through a temporary file so a kill never leaves half of it.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        let temporary = path.with_extension("json.tmp");
        std::fs::write(&temporary, self.text())
            .and_then(|()| std::fs::rename(&temporary, path))
            .with_context(|| format!("cannot write {}", path.display()))
    }

    fn text(&self) -> String {
        serde_json::to_string_pretty(self).expect("a journal serializes") + "\n"
    }
}

/// Removes the file; a file already gone is fine.
pub fn remove(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(err).with_context(|| format!("cannot remove {}", path.display()))
        }
        _ => Ok(()),
    }
}
