//! The `secrets` step: credentials in the files git tracks or would track, in history
//! with `--history`, and `.env` files.

use std::collections::HashSet;
use std::path::Path;

use anyhow::{Context, anyhow};
use launchkit_report::{Finding, Severity};
use launchkit_scan::secrets::{Scanner, Secret, files, history, ignore::IgnoreList};
use xshell::{Shell, cmd};

use super::config;
use crate::preflight::{Ctx, Outcome};

/// Untracked files that .gitignore does not cover are scanned too: they are one
/// `git add .` away, and scanning exactly the files the preflight cache fingerprints makes
/// a cached pass sound. Their secrets are warnings, since nothing is committed yet.
pub fn secrets(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let config = config(ctx)?;
    let sh = ctx.sh;
    let Some(tracked) = git_files(sh, &[]) else {
        return Ok(Outcome::skipped(
            "not a git repository: the scan covers the files git tracks; run `git init`",
        ));
    };
    // Build output is not source, even where .gitignore forgets it.
    let target = ctx.ws.relative(&ctx.ws.target_dir) + "/";
    let mut untracked = git_files(sh, &["--others", "--exclude-standard"]).unwrap_or_default();
    untracked.retain(|path| !path.starts_with(&target));
    let ignore_file = &config.secrets_ignore_file;
    let ignore = ignore_list(&ctx.ws.root, ignore_file)?;

    let scanner = Scanner::new();
    let committed = files::scan_files(&scanner, &ctx.ws.root, &tracked);
    let pending = files::scan_files(&scanner, &ctx.ws.root, &untracked);
    let kib = (committed.bytes + pending.bytes) / 1024;
    let mut summary = format!("{} files, {kib} KiB", committed.files + pending.files);
    let past = if ctx.flags.history {
        let (past, commits) = from_history(sh, &scanner, &committed.secrets)?;
        summary.push_str(&format!(" and {commits} commits of history"));
        past
    } else {
        Vec::new()
    };

    let errors = committed.secrets.iter().chain(&past).map(|secret| (secret, Severity::Error));
    let warnings = pending.secrets.iter().map(|secret| (secret, Severity::Warning));
    let (listed, shown): (Vec<_>, Vec<_>) =
        errors.chain(warnings).partition(|(secret, _)| ignore.contains(secret));
    if !listed.is_empty() {
        summary.push_str(&format!(", {} ignored by {ignore_file}", listed.len()));
    }
    let mut findings: Vec<Finding> = shown
        .into_iter()
        .map(|(secret, severity)| finding(secret, severity, ignore_file))
        .collect();
    findings.extend(files::env_findings(&tracked, &untracked));
    let mut outcome = Outcome::from_findings(findings);
    outcome.reason = Some(summary);
    // History is not part of the cache's fingerprint.
    Ok(if ctx.flags.history { outcome.volatile() } else { outcome })
}

/// `git ls-files -z` with `args`, or `None` outside a git repository. Names that are not
/// UTF-8 are read lossily and then fail to open, which counts them as skipped.
fn git_files(sh: &Shell, args: &[&str]) -> Option<Vec<String>> {
    let out = cmd!(sh, "git ls-files -z {args...}").quiet().ignore_stderr().output().ok()?;
    let listing = String::from_utf8_lossy(&out.stdout);
    Some(listing.split('\0').filter(|path| !path.is_empty()).map(str::to_owned).collect())
}

/// The secrets that history added and the files no longer hold, and how many commits
/// were read. A secret still in the files is reported there once, not again.
fn from_history(
    sh: &Shell,
    scanner: &Scanner,
    current: &[Secret],
) -> anyhow::Result<(Vec<Secret>, usize)> {
    let args = history::LOG_ARGS;
    let out = cmd!(sh, "git {args...}").quiet().output().context("git log")?;
    // History may hold files in other encodings; their lines are still worth scanning.
    let log = String::from_utf8_lossy(&out.stdout);
    let current: HashSet<String> = current.iter().map(Secret::fingerprint).collect();
    let mut past = history::scan_log(scanner, &log);
    past.retain(|secret| !current.contains(&secret.fingerprint()));
    let commits = log.lines().filter(|line| line.starts_with("commit ")).count();
    Ok((past, commits))
}

fn finding(secret: &Secret, severity: Severity, ignore_file: &str) -> Finding {
    let mut finding = secret.finding(ignore_file);
    if severity == Severity::Warning {
        finding.severity = severity;
        finding.message.push_str(" in a file git does not track yet");
    }
    finding
}

fn ignore_list(root: &Path, file: &str) -> anyhow::Result<IgnoreList> {
    match std::fs::read_to_string(root.join(file)) {
        Ok(text) => IgnoreList::parse(&text).map_err(|err| anyhow!("{file}: {err}")),
        Err(_) => Ok(IgnoreList::default()),
    }
}
