//! The deployment log: what was released (or yanked) where, by whom and when, as JSON
//! records in git notes under [`NOTES_REF`], attached to the commit they concern.
//!
//! Why git notes: every clone and every CI job can read and append them without a commit
//! on a branch (a log file in the tree would need one per release, racing the release
//! commit and dirtying the tree), they travel with `git push`/`git fetch` of one ref, and
//! `git notes show vX.Y.Z` finds a release's records from its tag. The note of a commit
//! holds one record per line (JSON Lines). Concurrent writers merge with git's
//! `cat_sort_uniq` strategy, which keeps every line, so the order of lines in a note is
//! not meaningful: sort by `finished`.
//!
//! `cargo xtask release` appends a `release` record; `status` reads them and `yank`
//! appends its own actions.

use std::time::Duration;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xshell::{Shell, cmd};

use crate::tokens::strip;

/// The notes ref holding the log.
pub const NOTES_REF: &str = "refs/notes/launchkit";
/// Where a remote's log is fetched to before it is merged into [`NOTES_REF`].
const FETCHED_REF: &str = "refs/notes/launchkit-fetched";
/// Version of a record's shape.
pub const SCHEMA: u32 = 1;

/// One deployment: a release (or, written by other tasks, a yank) of one version to one
/// environment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// [`SCHEMA`] when written.
    pub schema: u32,
    /// `release`, or another task's action such as `yank`.
    pub action: String,
    /// The version released.
    pub version: String,
    /// The environment: development, staging, production or a configured one.
    pub environment: String,
    /// The registry the crates went to; `None` when the environment does not publish.
    pub registry: Option<String>,
    /// Every crate of the release, in publish order.
    pub crates: Vec<CrateRecord>,
    /// The release tag.
    pub tag: String,
    /// The release commit (the note is attached to it).
    pub commit: String,
    /// When the release started (its first run, if it was resumed), RFC 3339 UTC.
    pub started: String,
    /// When it finished, RFC 3339 UTC.
    pub finished: String,
    /// Each step, in order, with the time the run that did it spent on it.
    pub steps: Vec<StepRecord>,
    /// Who ran it: `git config user.name`.
    pub by: String,
    /// Run by CI (`CI=true`).
    pub ci: bool,
    /// Why it was done, when the person said (`yank --reason`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Fields written by newer versions of launchkit, kept as they are.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One crate of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrateRecord {
    /// Package name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// The SHA-256 of the `.crate` as the registry's index lists it; `None` when not published.
    pub checksum: Option<String>,
}

/// One step of a deployment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRecord {
    /// The step's name.
    pub name: String,
    /// `done` (by this release), `found` (already done when the release got there) or
    /// `off` (not part of this environment).
    pub status: String,
    /// Time spent by the run that did it, in milliseconds.
    pub duration_ms: u64,
}

/// `duration` in whole milliseconds, as records and reports write durations.
pub fn millis(duration: Duration) -> u64 {
    duration.as_millis().try_into().unwrap_or(u64::MAX)
}

impl Record {
    /// True when this record is the release of `version` to `environment`.
    pub fn is_release(&self, version: &str, environment: &str) -> bool {
        self.action == "release" && self.version == version && self.environment == environment
    }
}

/// The records attached to `commit`, in the order they are written.
pub fn read(sh: &Shell, commit: &str) -> anyhow::Result<Vec<Record>> {
    let note = cmd!(sh, "git notes --ref={NOTES_REF} show {commit}").quiet().ignore_status();
    let output = note.output().context("cannot run git notes")?;
    if !output.status.success() {
        // No note on this commit (git says so on stderr), or no log at all.
        return Ok(Vec::new());
    }
    parse(&String::from_utf8_lossy(&output.stdout), commit)
}

/// Every record of the log, with the commit it is attached to.
pub fn read_all(sh: &Shell) -> anyhow::Result<Vec<(String, Record)>> {
    let listing = cmd!(sh, "git notes --ref={NOTES_REF} list")
        .quiet()
        .ignore_stderr()
        .read()
        .unwrap_or_default();
    let mut records = Vec::new();
    for commit in listing.lines().filter_map(|line| line.split_whitespace().nth(1)) {
        records.extend(read(sh, commit)?.into_iter().map(|record| (commit.to_owned(), record)));
    }
    Ok(records)
}

fn parse(text: &str, commit: &str) -> anyhow::Result<Vec<Record>> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            serde_json::from_str(line).with_context(|| {
                format!("the deployment log ({NOTES_REF}) of {commit} has a line that is not a record: {line}")
            })
        })
        .collect()
}

/// Appends `record` to the note of `record.commit`, keeping the records already there.
pub fn append(sh: &Shell, record: &Record) -> anyhow::Result<()> {
    let commit = &record.commit;
    let mut lines: Vec<String> =
        read(sh, commit)?.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
    lines.push(serde_json::to_string(record)?);
    let text = lines.join("\n") + "\n";
    // `output` rather than `run`: git says "Overwriting existing notes" on stderr.
    // Every git command that changes a ref runs the project's hooks: no tokens for them.
    let output = strip(cmd!(sh, "git notes --ref={NOTES_REF} add -f -F - {commit}"))
        .quiet()
        .ignore_status()
        .stdin(text)
        .output()
        .context("cannot run git notes")?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("cannot write the deployment record: {}", stderr.trim());
    }
    Ok(())
}

/// Fetches `remote`'s log and merges it into the local one, keeping every record of both.
/// A remote without a log is fine.
pub fn fetch(sh: &Shell, remote: &str) -> anyhow::Result<()> {
    let found = cmd!(sh, "git ls-remote {remote} {NOTES_REF}").quiet().read()?;
    if found.trim().is_empty() {
        return Ok(());
    }
    strip(cmd!(sh, "git fetch -q {remote} +{NOTES_REF}:{FETCHED_REF}")).quiet().run()?;
    let local = cmd!(sh, "git rev-parse -q --verify {NOTES_REF}").quiet().ignore_status().read()?;
    let merged = if local.trim().is_empty() {
        strip(cmd!(sh, "git update-ref {NOTES_REF} {FETCHED_REF}")).quiet().run()
    } else {
        strip(cmd!(sh, "git notes --ref={NOTES_REF} merge -q -s cat_sort_uniq {FETCHED_REF}"))
            .quiet()
            .run()
    };
    let cleaned = strip(cmd!(sh, "git update-ref -d {FETCHED_REF}")).quiet().run();
    merged.context("cannot merge the remote's deployment log")?;
    Ok(cleaned?)
}

/// Pushes the local log to `remote`; when someone pushed records meanwhile, merges theirs
/// and tries once more.
pub fn push(sh: &Shell, remote: &str) -> anyhow::Result<()> {
    for attempt in 0..2 {
        let pushed =
            strip(cmd!(sh, "git push -q {remote} {NOTES_REF}:{NOTES_REF}")).quiet().ignore_status();
        let output = pushed.output()?;
        if output.status.success() {
            return Ok(());
        }
        let stderr = String::from_utf8_lossy(&output.stderr).trim().to_owned();
        if attempt == 1 || !stderr.contains("rejected") {
            bail!("cannot push the deployment log ({NOTES_REF}) to {remote}: {stderr}");
        }
        fetch(sh, remote)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    /// A repository with one commit in a fresh temp dir, and its bare remote.
    fn repository(name: &str) -> (PathBuf, Shell) {
        let dir = std::env::temp_dir()
            .join(format!("launchkit-deployments-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let sh = Shell::new().unwrap();
        sh.create_dir(dir.join("work")).unwrap();
        sh.change_dir(dir.join("work"));
        cmd!(sh, "git init -q -b main").run().unwrap();
        cmd!(sh, "git config user.name Tester").run().unwrap();
        cmd!(sh, "git config user.email tester@example.com").run().unwrap();
        cmd!(sh, "git config commit.gpgsign false").run().unwrap();
        cmd!(sh, "git commit -q --allow-empty -m one").run().unwrap();
        cmd!(sh, "git init -q --bare -b main ../remote.git").run().unwrap();
        cmd!(sh, "git remote add origin ../remote.git").run().unwrap();
        (dir, sh)
    }

    fn record(commit: &str, version: &str, finished: &str) -> Record {
        Record {
            schema: SCHEMA,
            action: "release".into(),
            version: version.into(),
            environment: "staging".into(),
            registry: Some("lk".into()),
            crates: vec![CrateRecord {
                name: "demo".into(),
                version: version.into(),
                checksum: Some("ab".into()),
            }],
            tag: format!("v{version}"),
            commit: commit.into(),
            started: "2024-05-02T10:00:00Z".into(),
            finished: finished.into(),
            steps: vec![StepRecord { name: "write".into(), status: "done".into(), duration_ms: 3 }],
            by: "Tester".into(),
            ci: false,
            reason: None,
            extra: Map::new(),
        }
    }

    #[test]
    fn records_append_per_commit_and_keep_unknown_fields() {
        let (dir, sh) = repository("append");
        let head = cmd!(sh, "git rev-parse HEAD").read().unwrap();
        assert!(read(&sh, &head).unwrap().is_empty());
        let first = record(&head, "0.2.0", "2024-05-02T10:01:00Z");
        append(&sh, &first).unwrap();
        let mut newer = record(&head, "0.2.0", "2024-05-03T10:01:00Z");
        newer.environment = "production".into();
        newer.extra.insert("mirror".into(), Value::from("eu"));
        append(&sh, &newer).unwrap();
        assert_eq!(read(&sh, &head).unwrap(), [first.clone(), newer.clone()]);
        assert!(read(&sh, &head).unwrap()[1].is_release("0.2.0", "production"));
        let all = read_all(&sh).unwrap();
        assert_eq!(all.len(), 2);
        assert!(all.iter().all(|(commit, _)| *commit == head));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn logs_of_two_clones_merge_without_losing_a_record() {
        let (dir, sh) = repository("merge");
        let head = cmd!(sh, "git rev-parse HEAD").read().unwrap();
        cmd!(sh, "git push -q origin main").run().unwrap();
        cmd!(sh, "git clone -q ../remote.git ../other").run().unwrap();
        let other = Shell::new().unwrap();
        other.change_dir(dir.join("other"));
        cmd!(other, "git config user.name Other").run().unwrap();
        cmd!(other, "git config user.email other@example.com").run().unwrap();

        append(&sh, &record(&head, "0.2.0", "2024-05-02T10:01:00Z")).unwrap();
        push(&sh, "origin").unwrap();
        // The other clone has not fetched: its push is rejected, merged, pushed again.
        append(&other, &record(&head, "0.2.1", "2024-05-04T10:01:00Z")).unwrap();
        push(&other, "origin").unwrap();
        fetch(&sh, "origin").unwrap();
        let mut versions: Vec<String> =
            read(&sh, &head).unwrap().into_iter().map(|record| record.version).collect();
        versions.sort();
        assert_eq!(versions, ["0.2.0", "0.2.1"]);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_line_that_is_not_a_record_is_an_error_naming_the_commit() {
        let err = parse("{\"schema\":1}\n", "abc").unwrap_err();
        assert!(format!("{err:#}").contains("log (refs/notes/launchkit) of abc has a line"));
    }
}
