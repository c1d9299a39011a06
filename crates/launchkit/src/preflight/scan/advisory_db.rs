//! Finding, fetching and aging the RustSec advisory database.
//!
//! `--advisory-db PATH` is used as it is. Otherwise the database lives where cargo-audit
//! keeps it, `$CARGO_HOME/advisory-db`: cloned when missing, and fetched when its last
//! update is more than a day old, unless `--offline`. Its age is the date of its last
//! commit; a copy without git metadata is as old as its newest advisory, since file times
//! say when it was copied, not what it holds.

use std::path::Path;
use std::time::{Duration, SystemTime};

use anyhow::{anyhow, bail};
use launchkit_report::Finding;
use launchkit_scan::ScanConfig;
use launchkit_scan::audit::Database;
use launchkit_scan::date::Day;
use xshell::{Shell, cmd};

use crate::preflight::Ctx;

/// How long a fetched database is trusted before it is fetched again.
const REFRESH_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// A loaded database and what is known about its age.
pub struct Opened {
    /// Where it is, as the user would write it.
    pub shown: String,
    /// Its advisories.
    pub database: Database,
    /// Days since its last commit, or since its newest advisory.
    pub age_days: i64,
    /// How the age was measured: `last commit 2026-11-20`.
    pub age_source: String,
    /// A failed update, when the copy on disk was used instead.
    pub findings: Vec<Finding>,
}

/// The database to audit `packages` with, or why there is none: it is missing and
/// `--offline` forbids cloning it, or the clone failed (no network). Either way the audit
/// cannot run, which the step reports as skipped rather than failed.
///
/// A git clone is loaded for `packages` only (their folders), since parsing every
/// advisory is most of an audit's time; a copy without git metadata is loaded whole,
/// because its age is the date of its newest advisory.
pub fn open(
    ctx: &Ctx,
    config: &ScanConfig,
    packages: &[&str],
) -> anyhow::Result<Result<Opened, String>> {
    let sh = ctx.sh;
    let mut findings = Vec::new();
    let path = match &ctx.flags.advisory_db {
        // Absolute, because git runs in the shell's directory, which --manifest-path moves.
        Some(path) => std::path::absolute(path)?,
        None => {
            let path = launchkit_scan::audit::db::default_path();
            if !path.join("crates").is_dir() {
                if ctx.flags.offline {
                    return Ok(Err(format!(
                        "no advisory database at {} and --offline: run once without --offline, or pass --advisory-db PATH",
                        path.display()
                    )));
                }
                if let Err(err) = clone(sh, &config.advisory_db_url, &path) {
                    return Ok(Err(format!("{err:#}")));
                }
            } else if !ctx.flags.offline
                && needs_refresh(&path)
                && let Err(err) = update(sh, &path)
            {
                findings.push(
                    Finding::warning(format!(
                        "cannot update the advisory database at {}: {err:#}",
                        path.display()
                    ))
                    .rule("advisory-db")
                    .fix("check the network; the audit used the copy on disk"),
                );
            }
            path
        }
    };
    let database = if path.join(".git").exists() {
        Database::load_for(&path, packages.iter().copied())
    } else {
        Database::load(&path)
    };
    let database = database.map_err(|err| anyhow!(err))?;
    let (age_days, age_source) = age(sh, &path, &database);
    let shown = ctx.flags.advisory_db.as_deref().unwrap_or(&path).display().to_string();
    Ok(Ok(Opened { shown, database, age_days, age_source, findings }))
}

fn clone(sh: &Shell, url: &str, path: &Path) -> anyhow::Result<()> {
    eprintln!("cloning the advisory database from {url} into {}", path.display());
    let cloned =
        cmd!(sh, "git clone --quiet --depth 1 {url} {path}").quiet().ignore_status().output();
    match cloned {
        Ok(out) if out.status.success() => Ok(()),
        Ok(out) => bail!(
            "cannot clone the advisory database from {url}: {}: check the network, or pass --advisory-db PATH or --offline",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(err) => bail!("cannot run git to clone the advisory database: {err}"),
    }
}

fn update(sh: &Shell, path: &Path) -> anyhow::Result<()> {
    eprintln!("updating the advisory database in {}", path.display());
    let _dir = sh.push_dir(path);
    cmd!(sh, "git fetch --quiet origin HEAD").quiet().ignore_stdout().run()?;
    cmd!(sh, "git reset --quiet --keep FETCH_HEAD").quiet().ignore_stdout().run()?;
    Ok(())
}

/// A git clone whose last fetch (or clone, when it was never fetched) is over a day old.
fn needs_refresh(path: &Path) -> bool {
    let git = path.join(".git");
    let modified =
        |file: &str| std::fs::metadata(git.join(file)).and_then(|meta| meta.modified()).ok();
    let Some(updated) = modified("FETCH_HEAD").or_else(|| modified("HEAD")) else { return false };
    SystemTime::now().duration_since(updated).is_ok_and(|age| age > REFRESH_AFTER)
}

fn age(sh: &Shell, path: &Path, database: &Database) -> (i64, String) {
    let today = Day::today();
    if path.join(".git").exists() {
        let _dir = sh.push_dir(path);
        let seconds = cmd!(sh, "git log -1 --format=%ct").quiet().ignore_stderr().read();
        if let Some(seconds) = seconds.ok().and_then(|text| text.trim().parse::<u64>().ok()) {
            let day = Day::of(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds));
            return (today.since(day), format!("last commit {day}"));
        }
    }
    match database.newest() {
        Some(day) => (today.since(day), format!("newest advisory {day}, no git metadata")),
        None => (0, "empty database".to_owned()),
    }
}
