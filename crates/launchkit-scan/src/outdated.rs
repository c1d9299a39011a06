//! Direct dependencies behind their registry: the locked version, the newest version the
//! requirement allows, and the newest version published; plus locked versions that were
//! yanked.

pub mod index;

use std::collections::BTreeMap;

use launchkit_report::{Finding, Severity};
use semver::{Version, VersionReq};

pub use index::{IndexClient, Release};

use crate::lockfile::{LockedPackage, Lockfile};

/// A registry dependency declared by a workspace member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The member that declares it.
    pub member: String,
    /// The member's version, to find it in Cargo.lock.
    pub member_version: Version,
    /// The package name in the registry (not a rename).
    pub name: String,
    /// The version requirement.
    pub req: VersionReq,
    /// Where it is declared, relative to the workspace root, and the line when known.
    pub declared_at: (String, Option<u32>),
}

/// Where a dependency stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// The dependency.
    pub dependency: Dependency,
    /// The version Cargo.lock holds, if it holds one.
    pub locked: Option<Version>,
    /// The newest release the requirement allows (what `cargo update` would pick).
    pub compatible: Option<Version>,
    /// The newest release.
    pub newest: Option<Version>,
}

impl Status {
    /// `cargo update` would move it forward.
    pub fn update_available(&self) -> bool {
        matches!((&self.locked, &self.compatible), (Some(locked), Some(compatible)) if compatible > locked)
    }

    /// A newer release exists that the requirement does not allow.
    pub fn requirement_behind(&self) -> bool {
        matches!((&self.compatible, &self.newest), (Some(compatible), Some(newest)) if newest > compatible)
            || (self.compatible.is_none() && self.newest.is_some())
    }
}

/// The status of each dependency, given the releases of each package (by name).
pub fn statuses(
    dependencies: &[Dependency],
    lock: &Lockfile,
    releases: &BTreeMap<String, Vec<Release>>,
) -> Vec<Status> {
    dependencies
        .iter()
        .map(|dependency| {
            let locked = locked_version(dependency, lock);
            let available = releases.get(&dependency.name).map_or(&[][..], Vec::as_slice);
            // Pre-releases count only for a dependency already on one, as with cargo.
            let on_pre = locked.as_ref().is_some_and(|locked| !locked.pre.is_empty());
            let candidates = || {
                available.iter().filter(|release| !release.yanked).map(|release| &release.version)
            };
            let newest =
                candidates().filter(|version| on_pre || version.pre.is_empty()).max().cloned();
            let compatible =
                candidates().filter(|version| dependency.req.matches(version)).max().cloned();
            Status { dependency: dependency.clone(), locked, compatible, newest }
        })
        .collect()
}

/// The version Cargo.lock resolved the dependency to: through the member's own entry,
/// which names the exact package, or else the newest locked one that fits.
fn locked_version(dependency: &Dependency, lock: &Lockfile) -> Option<Version> {
    let member = lock.find(&dependency.member, &dependency.member_version);
    let through_member = member.and_then(|member| {
        lock.dependencies(member, &dependency.name)
            .filter(|package| package.source.is_some() && dependency.req.matches(&package.version))
            .map(|package| package.version.clone())
            .next()
    });
    through_member.or_else(|| {
        lock.packages
            .iter()
            .filter(|package| package.name == dependency.name && package.source.is_some())
            .filter(|package| dependency.req.matches(&package.version))
            .map(|package| package.version.clone())
            .max()
    })
}

/// Locked crates.io packages whose version is yanked.
pub fn yanked<'a>(
    lock: &'a Lockfile,
    releases: &BTreeMap<String, Vec<Release>>,
) -> Vec<&'a LockedPackage> {
    lock.packages
        .iter()
        .filter(|package| package.is_crates_io())
        .filter(|package| {
            releases.get(&package.name).is_some_and(|releases| {
                releases.iter().any(|release| release.version == package.version && release.yanked)
            })
        })
        .collect()
}

/// One finding per outdated dependency (members sharing a requirement share it) and per
/// yanked package, at `severity`.
pub fn findings(
    statuses: &[Status],
    yanked: &[&LockedPackage],
    lock_path: &str,
    severity: Severity,
) -> Vec<Finding> {
    let mut grouped: BTreeMap<(String, String, Option<Version>), Vec<&Status>> = BTreeMap::new();
    for status in
        statuses.iter().filter(|status| status.update_available() || status.requirement_behind())
    {
        let key = (
            status.dependency.name.clone(),
            status.dependency.req.to_string(),
            status.locked.clone(),
        );
        grouped.entry(key).or_default().push(status);
    }
    let mut findings: Vec<Finding> =
        grouped.into_values().map(|group| outdated(&group, severity)).collect();
    findings.extend(yanked.iter().map(|package| {
        Finding::new(
            severity,
            format!("{} {} is yanked: its authors withdrew it", package.name, package.version),
        )
        .at(lock_path, package.line)
        .rule("yanked")
        .fix(format!(
            "run `cargo update -p {}@{}` to move to a release that is not yanked",
            package.name, package.version
        ))
    }));
    findings
}

fn outdated(group: &[&Status], severity: Severity) -> Finding {
    let status = group[0];
    let dependency = &status.dependency;
    let shown =
        |version: &Option<Version>| version.as_ref().map_or("none".to_owned(), Version::to_string);
    let members: Vec<&str> = group.iter().map(|status| status.dependency.member.as_str()).collect();
    let message = format!(
        "{} {}: locked {}, newest compatible {}, newest {} (used by {})",
        dependency.name,
        dependency.req,
        shown(&status.locked),
        shown(&status.compatible),
        shown(&status.newest),
        members.join(", ")
    );
    let mut fixes = Vec::new();
    if status.update_available() {
        fixes.push(format!("run `cargo update -p {}`", dependency.name));
    }
    if let (true, Some(newest)) = (status.requirement_behind(), &status.newest) {
        fixes.push(format!(
            "raise the requirement to \"{newest}\" after reading its changelog for breaking changes"
        ));
    }
    let (path, line) = &dependency.declared_at;
    let finding = Finding::new(severity, message).rule("outdated").fix(fixes.join("; "));
    match line {
        Some(line) => finding.at(path, *line),
        None => finding.in_file(path),
    }
}

/// The line of a manifest that declares dependency `name`: `name = ...`, `name.workspace
/// = true` or a `[dependencies.name]` header.
pub fn declaration_line(manifest: &str, name: &str) -> Option<u32> {
    manifest
        .lines()
        .position(|line| {
            let line = line.trim_start();
            let key = line.split(['=', '.', ' ']).next().unwrap_or_default().trim_matches('"');
            let header = line.starts_with('[')
                && line.trim_end().trim_end_matches(']').ends_with(&format!(".{name}"));
            (key == name && !line.starts_with('[')) || header
        })
        .map(|index| index as u32 + 1)
}
