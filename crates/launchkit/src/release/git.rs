//! Git as the release reads and changes it: each question is one git command, asked of
//! the real repository and its remote every time.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use xshell::{Shell, cmd};

/// The repository of the shell's current directory.
pub struct Git<'a> {
    sh: &'a Shell,
}

/// Refs read from a remote with `git ls-remote`, by full name; an annotated tag also
/// appears peeled, as `refs/tags/NAME^{}`.
#[derive(Debug, Default)]
pub struct RemoteRefs(BTreeMap<String, String>);

impl RemoteRefs {
    /// The object `name` points at on the remote.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The commit tag `tag` points at on the remote.
    pub fn tag_commit(&self, tag: &str) -> Option<&str> {
        self.get(&format!("refs/tags/{tag}^{{}}")).or_else(|| self.get(&format!("refs/tags/{tag}")))
    }
}

impl<'a> Git<'a> {
    /// Git in `sh`'s current directory.
    pub fn new(sh: &'a Shell) -> Git<'a> {
        Git { sh }
    }

    /// The shell git runs in.
    pub fn sh(&self) -> &'a Shell {
        self.sh
    }

    /// Whether the directory is inside a git work tree with at least one commit.
    pub fn has_commits(&self) -> bool {
        self.rev("HEAD").is_some()
    }

    /// The commit HEAD is at.
    pub fn head(&self) -> anyhow::Result<String> {
        self.rev("HEAD").context("the repository has no commit yet: commit the workspace first")
    }

    /// The branch HEAD is on; `None` when detached.
    pub fn branch(&self) -> Option<String> {
        let sh = self.sh;
        let name = cmd!(sh, "git symbolic-ref -q --short HEAD").quiet().ignore_status().read();
        name.ok().filter(|name| !name.is_empty())
    }

    /// The commit `rev` names, if it exists.
    pub fn rev(&self, rev: &str) -> Option<String> {
        let sh = self.sh;
        let spec = format!("{rev}^{{commit}}");
        let sha = cmd!(sh, "git rev-parse -q --verify {spec}")
            .quiet()
            .ignore_status()
            .ignore_stderr()
            .read();
        sha.ok().filter(|sha| !sha.is_empty())
    }

    /// The first line of `rev`'s message.
    pub fn subject(&self, rev: &str) -> anyhow::Result<String> {
        let sh = self.sh;
        Ok(cmd!(sh, "git log -1 --format=%s {rev}").quiet().read()?)
    }

    /// Uncommitted changes and untracked files, as `git status --porcelain` lines. Reads
    /// without refreshing the index, so a dry run leaves `.git` as it was.
    pub fn changes(&self) -> anyhow::Result<Vec<String>> {
        let sh = self.sh;
        let status = cmd!(sh, "git --no-optional-locks status --porcelain").quiet().read()?;
        Ok(status.lines().map(str::to_owned).collect())
    }

    /// The tag object (or commit, for a lightweight tag) `tag` names locally.
    pub fn tag_object(&self, tag: &str) -> Option<String> {
        let sh = self.sh;
        let sha =
            cmd!(sh, "git rev-parse -q --verify refs/tags/{tag}").quiet().ignore_status().read();
        sha.ok().filter(|sha| !sha.is_empty())
    }

    /// The commit local tag `tag` points at.
    pub fn tag_commit(&self, tag: &str) -> Option<String> {
        self.tag_object(tag).and_then(|_| self.rev(&format!("refs/tags/{tag}")))
    }

    /// The tags named `prefix`* that HEAD contains (HEAD's own included).
    pub fn tags_in_head(&self, prefix: &str) -> Vec<String> {
        let sh = self.sh;
        let pattern = format!("{prefix}*");
        let listing = cmd!(sh, "git tag --merged HEAD --list {pattern}").quiet().ignore_stderr();
        listing.read().map(|text| text.lines().map(str::to_owned).collect()).unwrap_or_default()
    }

    /// True when `ancestor` is `descendant` or one of its ancestors; false when either is
    /// unknown here.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> bool {
        let sh = self.sh;
        cmd!(sh, "git merge-base --is-ancestor {ancestor} {descendant}")
            .quiet()
            .ignore_stderr()
            .run()
            .is_ok()
    }

    /// `refs` on `remote`, each with its peeled form; the error is git's own words.
    pub fn remote_refs(&self, remote: &str, refs: &[String]) -> Result<RemoteRefs, String> {
        let sh = self.sh;
        let patterns: Vec<String> =
            refs.iter().flat_map(|name| [name.clone(), format!("{name}^{{}}")]).collect();
        let output = cmd!(sh, "git ls-remote {remote} {patterns...}")
            .quiet()
            .ignore_status()
            .output()
            .map_err(|err| format!("cannot run git ls-remote: {err}"))?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let first = stderr.lines().find(|line| !line.trim().is_empty()).unwrap_or("");
            return Err(first.trim().trim_start_matches("fatal: ").to_owned());
        }
        let listing = String::from_utf8_lossy(&output.stdout);
        let refs = listing
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(sha, name)| (name.to_owned(), sha.to_owned()))
            .collect();
        Ok(RemoteRefs(refs))
    }

    /// The URL of `remote`.
    pub fn remote_url(&self, remote: &str) -> Option<String> {
        let sh = self.sh;
        cmd!(sh, "git remote get-url {remote}").quiet().ignore_stderr().read().ok()
    }

    /// Where git keeps what all work trees share (`.git` of the main one).
    pub fn common_dir(&self) -> anyhow::Result<PathBuf> {
        let sh = self.sh;
        let dir = cmd!(sh, "git rev-parse --git-common-dir").quiet().read()?;
        Ok(sh.current_dir().join(dir))
    }

    /// A value of git's configuration.
    pub fn config(&self, key: &str) -> Option<String> {
        let sh = self.sh;
        cmd!(sh, "git config {key}").quiet().ignore_status().read().ok().filter(|v| !v.is_empty())
    }

    /// The paths among `paths` that git tracks.
    pub fn tracked(&self, paths: &[String]) -> anyhow::Result<Vec<String>> {
        let sh = self.sh;
        let listing = cmd!(sh, "git ls-files -- {paths...}").quiet().read()?;
        Ok(listing.lines().map(str::to_owned).collect())
    }
}
