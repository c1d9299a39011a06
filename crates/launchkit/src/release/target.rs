//! Which version this run releases, and the edits and notes that go with it.
//!
//! A release in progress is recognised from the repository itself: when HEAD is the
//! release commit of the workspace's current version (`chore: release version X.Y.Z`), the
//! run resumes that version instead of bumping again. Otherwise the manifests' version,
//! when it was never tagged, is released as it is if it is what the run asks for: named
//! exactly (a first release), or the level applied to the last release HEAD contains (a
//! hotfix branch, which `yank --hotfix` starts at X.Y.(Z+1), releases with `patch`). Else
//! the version is the bump of the manifests' one. The edits are computed (manifests by
//! `VersionPlan`, the changelog by promoting `[Unreleased]`) without writing anything.

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
    /// The version before the release: the manifests', or the last release's when the
    /// manifests already carry the new one.
    pub from: Version,
    /// The version released.
    pub version: Version,
    /// Why this version.
    pub why: Why,
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

/// How the version was chosen, for the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// HEAD is already its release commit: the run resumes it.
    Resuming,
    /// The level (or exact version) applied to the manifests' version.
    Bumped,
    /// The manifests' version, never tagged, asked for by name (a first release).
    Manifests,
    /// The manifests' version, never tagged, is `level` applied to the last release `tag`.
    AfterTag {
        /// The level asked for.
        level: String,
        /// The last release's tag.
        tag: String,
    },
}

impl Target {
    /// HEAD is already the release commit.
    pub fn resuming(&self) -> bool {
        self.why == Why::Resuming
    }
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
                "HEAD is the release commit of {current}, but {shown} has no entry for it: restore the entry, or undo the commit with `git reset --keep HEAD~1`"
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
            why: Why::Resuming,
            start,
            edits: Vec::new(),
            lockfile,
        });
    }
    let mut failures = Vec::new();
    // The manifests' own version, never tagged, is released as it is when the run asks for
    // it: a project's first release is usually the 0.1.0 that `cargo new` wrote, and a
    // hotfix branch already carries the patch of the release it fixes.
    let untagged = git.tag_commit(&format!("{}{current}", env.tag_prefix)).is_none();
    let last = untagged.then(|| last_release(&env.tag_prefix, git.tags_in_head(&env.tag_prefix)));
    let as_is =
        |from: Version, why: Why| Chosen { from, version: current.clone(), edits: Vec::new(), why };
    let plan = match (bump, last.flatten()) {
        (Bump::Exact(version), _) if *version == current && untagged => {
            Ok(as_is(current.clone(), Why::Manifests))
        }
        (_, Some((tag, last))) if counts_from_last(bump, &last, &current) => {
            Ok(as_is(last, Why::AfterTag { level: bump.to_string(), tag }))
        }
        _ => VersionPlan::new(ws, bump).map(|plan| Chosen {
            from: current.clone(),
            version: plan.to,
            edits: plan.files,
            why: Why::Bumped,
        }),
    };
    let plan = plan.map_err(|err| failures.push(err.to_string())).ok();
    let release_date = date.unwrap_or_else(|| crate::clock::local_date(git.sh()));
    let promoted = plan.as_ref().and_then(|plan| {
        promote(&changelog, &shown, &plan.version, release_date)
            .map_err(|err| failures.push(err))
            .ok()
    });
    let (Some(Chosen { from, version, mut edits, why }), Some(promoted)) = (plan, promoted) else {
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
        from,
        version,
        why,
        start: head,
        edits,
        lockfile,
        notes,
        date: release_date,
        dated: date.is_some(),
    })
}

/// The version chosen and the manifest edits it needs.
struct Chosen {
    from: Version,
    version: Version,
    edits: Vec<FileChange>,
    why: Why,
}

/// The newest release among `tags` (named prefix + version; others are not releases),
/// with its tag.
fn last_release(prefix: &str, tags: Vec<String>) -> Option<(String, Version)> {
    let parse = |tag: &str| tag.strip_prefix(prefix).and_then(|text| Version::parse(text).ok());
    let releases = tags.into_iter().filter_map(|tag| parse(&tag).map(|version| (tag, version)));
    releases.max_by(|(_, a), (_, b)| a.cmp(b))
}

/// Whether the level `bump` counts from the `last` release rather than the manifests'
/// `current` version: when the manifests already carry its result. An exact version
/// always means itself.
fn counts_from_last(bump: &Bump, last: &Version, current: &Version) -> bool {
    !matches!(bump, Bump::Exact(_)) && bump.apply(last).is_ok_and(|next| next == *current)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap()
    }

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| (*name).to_owned()).collect()
    }

    #[test]
    fn the_last_release_is_the_highest_version_among_the_prefixed_tags() {
        let found = last_release("v", tags(&["v0.9.0", "v0.10.0", "v0.10.0-rc.1", "nightly"]));
        assert_eq!(found, Some(("v0.10.0".to_owned(), v("0.10.0"))));
        let prefixed = tags(&["release-1.2.3", "v9.0.0", "release-latest"]);
        assert_eq!(
            last_release("release-", prefixed),
            Some(("release-1.2.3".to_owned(), v("1.2.3")))
        );
        assert_eq!(last_release("v", tags(&["vendor", "v1"])), None);
        assert_eq!(last_release("v", Vec::new()), None);
    }

    #[test]
    fn a_level_counts_from_the_last_release_when_the_manifests_carry_its_result() {
        // A hotfix branch: v1.2.3 released, the manifests already at 1.2.4.
        assert!(counts_from_last(&Bump::Patch, &v("1.2.3"), &v("1.2.4")));
        // Other levels of the same release do not give 1.2.4: bump the manifests.
        assert!(!counts_from_last(&Bump::Minor, &v("1.2.3"), &v("1.2.4")));
        assert!(!counts_from_last(&Bump::Patch, &v("1.2.3"), &v("1.2.5")));
        // Work bumped ahead on main: `minor` after 0.3.1 is the 0.4.0 already there.
        assert!(counts_from_last(&Bump::Minor, &v("0.3.1"), &v("0.4.0")));
        // Pre-releases count the same way.
        assert!(counts_from_last(&Bump::Rc, &v("2.0.0-rc.1"), &v("2.0.0-rc.2")));
        assert!(counts_from_last(&Bump::Release, &v("2.0.0-rc.2"), &v("2.0.0")));
        // An exact version is never reinterpreted, and a level that cannot apply is no match.
        assert!(!counts_from_last(&Bump::Exact(v("1.2.4")), &v("1.2.3"), &v("1.2.4")));
        assert!(!counts_from_last(&Bump::Release, &v("1.2.3"), &v("1.2.4")));
    }
}
