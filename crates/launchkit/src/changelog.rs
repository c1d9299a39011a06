//! `cargo xtask changelog`: the changelog on its own.
//!
//! `check` lints the changelog (`--file`, else `changelog` in the configuration, else
//! CHANGELOG.md) against Keep a Changelog 1.1.0 and prints each finding at its line; it
//! exits 1 when one of them is an error. `notes X.Y.Z` prints the body of that version's
//! entry, for a tag message or a forge release.
//! `promote X.Y.Z` turns `[Unreleased]` into `[X.Y.Z] - YYYY-MM-DD` (today in UTC unless
//! `--date`) under a fresh `[Unreleased]`, with the compare links updated in the file's
//! own pattern; it prints the diff, and writes the file only with `--execute`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use launchkit_changelog::{Changelog, Date, lint};
use launchkit_report::{Finding, Severity, human};
use launchkit_workspace::Workspace;
use xshell::Shell;

use crate::diff;
use crate::flags::{self, ChangelogCommand, SemVer};

impl flags::Changelog {
    /// Runs the chosen subcommand on the shell's workspace.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let (file, source) = match self.file {
            Some(file) => (file, "--file"),
            None => (configured_changelog(sh)?, "the configured changelog"),
        };
        let shown = file.to_string_lossy().replace('\\', "/");
        let path = flags::inside(&sh.current_dir(), &file, source)?;
        let changelog = load(&path, &shown).map_err(|finding| anyhow!(one_line(&finding)))?;
        match self.command {
            ChangelogCommand::Check => Ok(check(&changelog, &shown)),
            ChangelogCommand::Notes { version } => {
                // A calendar version (`24.03`) names its release as the heading writes it.
                let version = launchkit_changelog::version_of(&version)
                    .map_or_else(|| flags::semver(&version), Ok)?;
                notes(&changelog, &shown, &version)
            }
            ChangelogCommand::Promote { version, date, execute } => {
                let version = flags::semver(&version)?;
                let date = match date {
                    Some(date) => date.parse::<Date>().map_err(|err| anyhow!("--date: {err}"))?,
                    None => Date::today(),
                };
                promote(&changelog, &path, &shown, &version, date, execute)
            }
        }
    }
}

/// The changelog the configuration names (`changelog`, CHANGELOG.md by default).
fn configured_changelog(sh: &Shell) -> anyhow::Result<PathBuf> {
    let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
    let env = crate::config::environment(&ws.config, None, |name| std::env::var(name).ok())?;
    Ok(PathBuf::from(env.changelog))
}

/// Reads and parses a changelog. A missing or unreadable file, or one that is not UTF-8,
/// is a finding at its place.
pub fn load(path: &Path, shown: &str) -> Result<Changelog, Finding> {
    let bytes = std::fs::read(path).map_err(|err| {
        let fix = "create it following https://keepachangelog.com/en/1.1.0/, or pass --file";
        Finding::error(format!("cannot read it: {err}"))
            .in_file(shown)
            .rule("changelog::file")
            .fix(fix)
    })?;
    let text = String::from_utf8(bytes).map_err(|err| {
        let valid = &err.as_bytes()[..err.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&byte| byte == b'\n').count() as u32 + 1;
        Finding::error("not UTF-8 text")
            .at(shown, line)
            .rule("changelog::file")
            .fix("save the file as UTF-8")
    })?;
    Ok(Changelog::parse(text))
}

/// `path:line: message: fix`, one line for errors that stop a task.
pub fn one_line(finding: &Finding) -> String {
    let location = finding.location().map(|location| format!("{location}: ")).unwrap_or_default();
    let fix = finding.fix.as_deref().map(|fix| format!(": {fix}")).unwrap_or_default();
    format!("{location}{}{fix}", finding.message)
}

fn check(changelog: &Changelog, shown: &str) -> ExitCode {
    let findings = lint(changelog, shown);
    for finding in &findings {
        println!("{}", human::finding_line(finding));
    }
    let errors = findings.iter().filter(|finding| finding.severity == Severity::Error).count();
    let warnings = findings.len() - errors;
    eprintln!("{shown}: {errors} errors, {warnings} warnings");
    if errors > 0 { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

fn notes(changelog: &Changelog, shown: &str, version: &SemVer) -> anyhow::Result<ExitCode> {
    let Some(notes) = changelog.notes(version) else {
        let listed: Vec<&str> =
            changelog.releases().map(|entry| entry.label.as_str()).take(5).collect();
        let hint = if listed.is_empty() {
            "it lists no release yet".to_owned()
        } else {
            format!("the newest are {}", listed.join(", "))
        };
        return Err(anyhow!("{shown}: no entry for {version}: {hint}"));
    };
    println!("{notes}");
    Ok(ExitCode::SUCCESS)
}

fn promote(
    changelog: &Changelog,
    path: &Path,
    shown: &str,
    version: &SemVer,
    date: Date,
    execute: bool,
) -> anyhow::Result<ExitCode> {
    let promoted = changelog
        .promote(version, date)
        .map_err(|err| anyhow!("{shown}:{}: {}", err.line, err.message))?;
    if execute {
        std::fs::write(path, &promoted).with_context(|| format!("cannot write {shown}"))?;
        eprintln!("{shown}: [Unreleased] is now [{version}] - {date}");
    } else {
        print!("{}", diff::unified(shown, changelog.text(), &promoted));
        eprintln!("dry run: pass --execute to write {shown}");
    }
    Ok(ExitCode::SUCCESS)
}
