//! Cargo.lock against the RustSec advisory database: vulnerabilities are errors,
//! informational advisories (unmaintained, unsound, notice) are warnings, withdrawn ones
//! are ignored, and advisories the configuration ignores are notes that give the reason.

pub mod advisory;
pub mod cvss;
pub mod db;
pub mod range;

use launchkit_report::{Finding, Severity};

pub use advisory::{Advisory, Kind};
pub use db::Database;

use crate::lockfile::{LockedPackage, Lockfile};

/// A database older than this many days is a warning: it misses recent advisories.
pub const STALE_AFTER_DAYS: i64 = 90;

/// An advisory the configuration ignores, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IgnoredAdvisory {
    /// `RUSTSEC-2020-0071`.
    pub id: String,
    /// Why it does not apply, shown in every report.
    pub reason: String,
}

/// What an audit found.
#[derive(Debug, Default)]
pub struct Audit {
    /// One finding per affected package and advisory, in Cargo.lock order.
    pub findings: Vec<Finding>,
    /// crates.io packages checked.
    pub packages: usize,
}

impl Audit {
    /// How many findings have `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings.iter().filter(|finding| finding.severity == severity).count()
    }
}

/// Checks every crates.io package of `lock` (found at `lock_path`, for locations) against
/// `db`. Path and git packages are not checked: advisories are about crates.io releases.
pub fn audit(
    lock: &Lockfile,
    lock_path: &str,
    db: &Database,
    ignored: &[IgnoredAdvisory],
) -> Audit {
    let mut audit = Audit::default();
    for package in lock.packages.iter().filter(|package| package.is_crates_io()) {
        audit.packages += 1;
        for advisory in db.for_package(&package.name) {
            if advisory.withdrawn.is_some() || !advisory.affects(&package.version) {
                continue;
            }
            let ignore = ignored
                .iter()
                .find(|ignore| ignore.id == advisory.id || advisory.aliases.contains(&ignore.id));
            audit.findings.push(finding(package, advisory, ignore).at(lock_path, package.line));
        }
    }
    audit
}

fn finding(
    package: &LockedPackage,
    advisory: &Advisory,
    ignore: Option<&IgnoredAdvisory>,
) -> Finding {
    let subject = format!("{} {}", package.name, package.version);
    if let Some(ignore) = ignore {
        return Finding::new(
            Severity::Note,
            format!("{subject}: {} ignored: {}", advisory.id, ignore.reason),
        )
        .rule(advisory.id.clone());
    }
    let (severity, what) = match &advisory.kind {
        Kind::Vulnerability => (Severity::Error, "vulnerable".to_owned()),
        Kind::Informational(kind) => (Severity::Warning, kind.clone()),
    };
    let mut about = vec![advisory.id.clone()];
    about.extend(advisory.aliases.iter().filter(|alias| alias.starts_with("CVE-")).cloned());
    about.extend(
        advisory.cvss.as_deref().and_then(cvss::Score::parse).map(|score| score.to_string()),
    );
    about.extend(advisory.categories.iter().cloned());
    let mut message = format!("{subject} is {what}: {} ({})", advisory.title, about.join(", "));
    if let Some(functions) = functions(&advisory.functions) {
        message.push_str(&format!(", affects {functions}"));
    }
    let (name, version) = (&package.name, &package.version);
    let mut fix = match advisory.fixed_in() {
        Some(fixed) => format!(
            "upgrade {name} to {fixed} (`cargo update -p {name}@{version}`, or raise the requirement that holds it back); "
        ),
        None => format!("no release of {name} has a fix: replace it; "),
    };
    fix.push_str(&format!(
        "if it cannot affect this workspace, add `{{ id = \"{}\", reason = \"...\" }}` to audit.ignore in \
         [workspace.metadata.launchkit]",
        advisory.id
    ));
    if let Some(url) = &advisory.url {
        fix.push_str(&format!("; details: {url}"));
    }
    Finding::new(severity, message).rule(advisory.id.clone()).fix(fix)
}

/// `a::f` or `a::f, a::g and 3 more`.
fn functions(names: &[String]) -> Option<String> {
    match names {
        [] => None,
        [one] => Some(format!("`{one}`")),
        [first, second] => Some(format!("`{first}` and `{second}`")),
        [first, second, rest @ ..] => {
            Some(format!("`{first}`, `{second}` and {} more", rest.len()))
        }
    }
}

/// A warning when the database is older than [`STALE_AFTER_DAYS`]; `age` says how the
/// age was measured, for the message.
pub fn staleness(age_days: i64, age: &str) -> Option<Finding> {
    (age_days > STALE_AFTER_DAYS).then(|| {
        Finding::warning(format!(
            "the advisory database is {age_days} days old ({age}): advisories published since are missed"
        ))
        .rule("advisory-db-age")
        .fix("update it: run without --offline, or refresh the directory given to --advisory-db")
    })
}
