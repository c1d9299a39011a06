//! Which version this run releases, and the edits and notes that go with it.
//!
//! A release in progress is recognised from the repository itself: when HEAD is the
//! release commit of the workspace's current version (`chore: release version X.Y.Z`), the
//! run resumes that version instead of bumping again. Otherwise the version is the bump
//! of the current one, and the edits are computed (manifests by `VersionPlan`, the
//! changelog by promoting `[Unreleased]`) without writing anything.

use std::path::PathBuf;

use cargo_metadata::semver::Version;
use launchkit_changelog::{Changelog, Date};
use launchkit_workspace::Workspace;
use launchkit_workspace::version::{Bump, FileChange, VersionPlan};

use super::git::Git;
use crate::config::Environment;

/// The version a run releases.
#[derive(Debug, Clone)]
pub struct Target {
    /// The version before the release.
    pub from: Version,
    /// The version released.
    pub version: Version,
    /// HEAD is already its release commit.
    pub resuming: bool,
    /// The commit the release starts from (the release commit's parent when resuming).
    pub start: String,
    /// The files to write: manifests and changelog, before and after. Empty when resuming.
    pub edits: Vec<FileChange>,
    /// Cargo.lock, when the workspace has one (cargo updates it after the manifests).
    pub lockfile: Option<PathBuf>,
    /// The release notes: the changelog entry's body.
    pub notes: String,
    /// The release date.
    pub date: Date,
    /// True when the date came from `--date` or the changelog rather than the clock.
    pub dated: bool,
}

/// The commit message of the release commit of `version`.
pub fn message(version: &Version) -> String {
    format!("chore: release version {version}")
}

/// The version released so far: the highest of the publishable crates.
pub fn current(ws: &Workspace) -> Result<Version, String> {
    ws.publishable()
        .map(|member| member.version.clone())
        .max()
        .ok_or_else(|| "no crate to release: every member has `publish = false`".to_owned())
}

/// Works out the target; each failure is one line saying what to do.
pub fn read(
    ws: &Workspace,
    git: &Git,
    env: &Environment,
    bump: &Bump,
    date: Option<Date>,
) -> Result<Target, Vec<String>> {
    let current = current(ws).map_err(|err| vec![err])?;
    let head = git.head().map_err(|err| vec![err.to_string()])?;
    let explicit_other = matches!(bump, Bump::Exact(version) if *version != current);
    let on_release_commit = git.subject("HEAD").is_ok_and(|subject| subject == message(&current));
    let changelog_path = ws.root.join(&env.changelog);
    let shown = ws.relative(&changelog_path);
    let changelog = crate::changelog::load(&changelog_path, &shown)
        .map_err(|finding| vec![crate::changelog::one_line(&finding)])?;
    let lockfile = Some(ws.root.join("Cargo.lock")).filter(|path| path.is_file());
    if on_release_commit && !explicit_other {
        let Some(entry) = changelog.release(&current) else {
            return Err(vec![format!(
                "HEAD is the release commit of {current}, but {shown} has no entry for it: restore the entry, or reset the commit with `git reset --hard HEAD~1`"
            )]);
        };
        let entry_date = entry.date.as_deref().and_then(|text| text.parse::<Date>().ok());
        let start = git.rev("HEAD~1").unwrap_or(head);
        return Ok(Target {
            from: current.clone(),
            notes: changelog.body_text(entry),
            dated: date.is_some() || entry_date.is_some(),
            date: date.or(entry_date).unwrap_or_else(|| crate::clock::local_date(git.sh())),
            version: current,
            resuming: true,
            start,
            edits: Vec::new(),
            lockfile,
        });
    }
    let mut failures = Vec::new();
    // The manifests' own version, never tagged, is released as it is: a project's first
    // release is usually the 0.1.0 that `cargo new` wrote.
    let untagged = git.tag_commit(&format!("{}{current}", env.tag_prefix)).is_none();
    let plan = match bump {
        Bump::Exact(version) if *version == current && untagged => {
            Ok((current.clone(), Vec::new()))
        }
        _ => VersionPlan::new(ws, bump).map(|plan| (plan.to, plan.files)),
    };
    let plan = plan.map_err(|err| failures.push(err.to_string())).ok();
    let release_date = date.unwrap_or_else(|| crate::clock::local_date(git.sh()));
    let promoted = plan.as_ref().and_then(|(version, _)| {
        promote(&changelog, &shown, version, release_date).map_err(|err| failures.push(err)).ok()
    });
    let (Some((version, mut edits)), Some(promoted)) = (plan, promoted) else {
        if failures.is_empty() {
            failures.push(format!("{shown}: cannot promote [Unreleased]"));
        }
        return Err(failures);
    };
    let notes = Changelog::parse(promoted.clone()).notes(&version).unwrap_or_default();
    // Cargo.lock follows the manifests: without a manifest edit it has nothing to change.
    let lockfile = lockfile.filter(|_| !edits.is_empty());
    edits.push(FileChange {
        path: changelog_path,
        before: changelog.text().to_owned(),
        after: promoted,
    });
    Ok(Target {
        from: current,
        version,
        resuming: false,
        start: head,
        edits,
        lockfile,
        notes,
        date: release_date,
        dated: date.is_some(),
    })
}

/// The changelog with `[Unreleased]` promoted to `version`, or why it cannot be.
fn promote(
    changelog: &Changelog,
    shown: &str,
    version: &Version,
    date: Date,
) -> Result<String, String> {
    let fix = format!("describe the changes of {version} under `## [Unreleased]` and commit");
    match changelog.unreleased() {
        None => return Err(format!("{shown}: there is no `## [Unreleased]` section: {fix}")),
        Some(entry) if !changelog.has_changes(entry) => {
            return Err(format!("{shown}:{}: [Unreleased] is empty: {fix}", entry.heading.line));
        }
        Some(_) => {}
    }
    changelog.promote(version, date).map_err(|err| format!("{shown}:{}: {}", err.line, err.message))
}
