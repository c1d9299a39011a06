//! The security and dependency-health steps: `secrets`, `audit` and `outdated`.
//!
//! - `secrets` scans every file git tracks (binary and lock files skipped) and, with
//!   `--history`, every line git history added. Committed `.env` files are errors, `.env`
//!   files .gitignore does not cover are warnings. A line with `launchkit:allow` is
//!   skipped; fingerprints listed in `.launchkit/secrets-ignore` (or `secrets.ignore-file`)
//!   are not reported.
//! - `audit` matches Cargo.lock against the RustSec advisory database: vulnerabilities
//!   fail, informational advisories warn, `audit.ignore` entries are notes with a reason.
//! - `outdated` compares each direct dependency with crates.io's sparse index and notes
//!   yanked versions in Cargo.lock (warnings with `outdated.warn = true`, errors with
//!   `outdated.deny = true`).
//!
//! A pass that read git history, the advisory database or the registry is never cached:
//! the preflight cache fingerprints the workspace's files, not those.

pub mod advisory_db;
mod dependencies;
mod secrets;

pub use secrets::secrets;

use std::collections::{BTreeMap, HashSet};

use anyhow::{Context, anyhow};
use launchkit_report::{Finding, Severity};
use launchkit_scan::outdated::{self, IndexClient};
use launchkit_scan::{Lockfile, ScanConfig, audit as advisories};

use super::{Ctx, Outcome};

/// Index requests in flight at once: enough to hide latency, few enough to be polite.
const INDEX_WORKERS: usize = 16;

/// Cargo.lock against the RustSec advisory database.
pub fn audit(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let config = config(ctx)?;
    let Some(lock) = lockfile(ctx)? else {
        return Ok(Outcome::skipped(
            "no Cargo.lock: run `cargo generate-lockfile` so that the audit sees the versions builds use",
        ));
    };
    if !lock.packages.iter().any(|package| package.is_crates_io()) {
        // Nothing RustSec covers, so no database is needed: workspaces without registry
        // dependencies never touch the network.
        let mut outcome = Outcome::from_findings(Vec::new());
        outcome.reason = Some("no crates.io packages in Cargo.lock".to_owned());
        return Ok(outcome);
    }
    let names: Vec<&str> = lock
        .packages
        .iter()
        .filter(|package| package.is_crates_io())
        .map(|package| package.name.as_str())
        .collect();
    let db = match advisory_db::open(ctx, &config, &names)? {
        Ok(db) => db,
        Err(reason) => return Ok(Outcome::skipped(reason)),
    };
    let audit = advisories::audit(&lock, "Cargo.lock", &db.database, &config.audit_ignore);
    let mut findings = audit.findings;
    findings.extend(db.findings);
    findings.extend(advisories::staleness(db.age_days, &db.age_source));
    findings.extend(db.database.errors.iter().map(|(path, error)| {
        Finding::warning(format!("advisory {} was skipped: {error}", path.display()))
            .rule("advisory-db")
            .fix("update the database; report the file to rustsec/advisory-db if it stays broken")
    }));
    let mut outcome = Outcome::from_findings(findings);
    outcome.reason = Some(format!(
        "{} crates.io packages against the {} advisories about them in {} ({} days old, {})",
        audit.packages,
        db.database.len(),
        db.shown,
        db.age_days,
        db.age_source
    ));
    Ok(outcome.volatile())
}

/// Direct dependencies behind crates.io, and yanked versions in Cargo.lock.
pub fn outdated(ctx: &Ctx) -> anyhow::Result<Outcome> {
    if ctx.flags.offline {
        return Ok(Outcome::skipped_by_choice("--offline: the registry index is not read"));
    }
    let config = config(ctx)?;
    let Some(lock) = lockfile(ctx)? else {
        return Ok(Outcome::skipped(
            "no Cargo.lock: run `cargo generate-lockfile` to compare locked versions",
        ));
    };
    let dependencies = dependencies::direct(ctx)?;
    let mut names: Vec<String> =
        dependencies.crates_io.iter().map(|dep| dep.name.clone()).collect();
    names.extend(lock.packages.iter().filter(|p| p.is_crates_io()).map(|p| p.name.clone()));
    names.sort_unstable();
    names.dedup();
    if names.is_empty() {
        let mut outcome = Outcome::from_findings(Vec::new());
        outcome.reason = Some("no crates.io dependencies".to_owned());
        return Ok(outcome);
    }

    let answers = IndexClient::crates_io().releases_of_all(&names, INDEX_WORKERS);
    let mut releases = BTreeMap::new();
    let mut failures = Vec::new();
    for (name, answer) in answers {
        match answer {
            Ok(Some(found)) => drop(releases.insert(name, found)),
            Ok(None) => failures.push(format!("{name} is not in crates.io's index")),
            Err(error) => failures.push(error),
        }
    }
    if releases.is_empty() && !failures.is_empty() {
        return Ok(Outcome::skipped(format!(
            "cannot read crates.io's index ({}): check the network, or pass --offline",
            failures[0]
        )));
    }
    // Being behind is news, not a fault: a note unless the configuration asks for more.
    let severity = match (config.outdated_deny, config.outdated_warn) {
        (true, _) => Severity::Error,
        (false, true) => Severity::Warning,
        (false, false) => Severity::Note,
    };
    let statuses = outdated::statuses(&dependencies.crates_io, &lock, &releases);
    let yanked = outdated::yanked(&lock, &releases);
    let mut findings = outdated::findings(&statuses, &yanked, "Cargo.lock", severity);
    findings.extend(failures.iter().map(|failure| Finding::warning(failure.clone()).rule("index")));
    let unique = |behind: bool| {
        let names =
            statuses.iter().filter(|s| !behind || s.update_available() || s.requirement_behind());
        names.map(|status| &status.dependency.name).collect::<HashSet<_>>().len()
    };
    let mut outcome = Outcome::from_findings(findings);
    outcome.reason = Some(format!(
        "{} direct dependencies: {} behind, {} yanked in Cargo.lock{}",
        unique(false),
        unique(true),
        yanked.len(),
        dependencies.elsewhere_note()
    ));
    Ok(outcome.volatile())
}

fn config(ctx: &Ctx) -> anyhow::Result<ScanConfig> {
    let manifest = ctx.ws.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .with_context(|| format!("cannot read {}", manifest.display()))?;
    ScanConfig::from_manifest(&text).map_err(|err| anyhow!("{}: {err}", manifest.display()))
}

fn lockfile(ctx: &Ctx) -> anyhow::Result<Option<Lockfile>> {
    let path = ctx.ws.root.join("Cargo.lock");
    let Ok(text) = std::fs::read_to_string(&path) else { return Ok(None) };
    Lockfile::parse(&text).map(Some).map_err(|err| anyhow!("{}: {err}", path.display()))
}
