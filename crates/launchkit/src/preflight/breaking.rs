//! The `breaking` step: API changes since the last release, by cargo-semver-checks.
//!
//! The baseline is the newest tag `vX.Y.Z` at or below the version being released,
//! compared offline with `--baseline-rev`. A breaking change (cargo-semver-checks'
//! "requires new major version") needs a breaking bump from that tag (major, or minor in
//! 0.y, see [`is_breaking`]) and a changelog entry that says so: a `Changed` or `Removed`
//! section, or the word BREAKING. Without cargo-semver-checks the step is skipped with the
//! command that installs it.

use std::path::Path;

use cargo_metadata::semver::Version;
use launchkit_changelog::Changelog;
use launchkit_report::Finding;
use launchkit_workspace::version::is_breaking;
use xshell::cmd;

use super::changes::settings;
use super::{Ctx, Outcome};
use crate::changelog::load;

/// What cargo-semver-checks concluded, from its `Summary` line.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    Breaking,
    Compatible,
    /// No summary: it could not build or compare the crates.
    Unknown,
}

/// Checks the public API against the last release.
pub fn breaking(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let settings = settings(ctx)?;
    if settings.independent {
        return Ok(Outcome::skipped_by_choice(
            "versions are independent: compare each crate with `cargo semver-checks -p <crate>`",
        ));
    }
    let Some(current) = ctx.ws.publishable().map(|member| &member.version).max() else {
        return Ok(Outcome::not_applicable("does not apply: every member has `publish = false`"));
    };
    let target = ctx.release.clone().unwrap_or_else(|| current.clone());
    let prefix = &settings.tag_prefix;
    let Some((tag, baseline)) = last_release(ctx, prefix, &target)? else {
        return Ok(Outcome::not_applicable(format!(
            "does not apply: no release tag {prefix}X.Y.Z at or below {target} to compare against yet"
        )));
    };
    // cargo-semver-checks has no --locked, and reads the workspace through a
    // `cargo metadata` that rewrites a stale Cargo.lock: prove it current first, with the
    // cheapest command that resolves the workspace.
    let lock = ctx.capture(ctx.cargo(&["tree", "--locked", "--workspace", "--depth", "0"]))?;
    if !lock.success {
        return Ok(Outcome::from_run(lock, Vec::new()));
    }
    let args = [
        "semver-checks",
        "check-release",
        "--workspace",
        "--baseline-rev",
        &tag,
        "--release-type",
        "patch",
    ];
    let run = ctx.capture(ctx.cargo(&args).arg("--color=never"))?;
    if run.tool_missing() {
        return Ok(Outcome::skipped(
            "cargo-semver-checks is not installed: run `cargo install --locked cargo-semver-checks`",
        ));
    }
    let mut outcome = match verdict(&run.output) {
        Verdict::Unknown => {
            // No verdict: the tool itself failed (a manifest it cannot handle, a build
            // error in the baseline). Say so, rather than fail without a word.
            let error = run.output.lines().find(|line| line.starts_with("error"));
            let reason =
                error.map(|line| format!("cargo-semver-checks could not compare the API: {line}"));
            let mut outcome = Outcome::from_run(run, Vec::new());
            outcome.reason = reason;
            return Ok(outcome);
        }
        Verdict::Compatible => Outcome::from_findings(Vec::new()),
        Verdict::Breaking => Outcome::from_findings(breaking_findings(
            ctx,
            &settings.changelog,
            (&tag, &baseline),
            &target,
        )),
    };
    outcome.command = Some(run.command);
    outcome.output = Some(run.output);
    Ok(outcome)
}

/// The newest `{prefix}X.Y.Z` tag at or below `target`.
fn last_release(
    ctx: &Ctx,
    prefix: &str,
    target: &Version,
) -> anyhow::Result<Option<(String, Version)>> {
    let sh = ctx.sh;
    let pattern = format!("{prefix}*");
    let tags = cmd!(sh, "git tag --list {pattern}").quiet().read()?;
    Ok(tags
        .lines()
        .filter_map(|tag| Some((tag.to_owned(), Version::parse(tag.strip_prefix(prefix)?).ok()?)))
        .filter(|(_, version)| version <= target)
        .max_by(|a, b| a.1.cmp(&b.1)))
}

/// One `Summary` line per crate: breaking when any of them asks for a major version.
fn verdict(output: &str) -> Verdict {
    let summaries: Vec<&str> =
        output.lines().map(str::trim).filter(|line| line.starts_with("Summary")).collect();
    if summaries.iter().any(|line| line.contains("requires new major version")) {
        Verdict::Breaking
    } else if summaries.is_empty() {
        Verdict::Unknown
    } else {
        Verdict::Compatible
    }
}

/// What a breaking change still needs: a breaking bump from the baseline tag and a
/// changelog entry about it.
fn breaking_findings(
    ctx: &Ctx,
    changelog: &Path,
    (tag, baseline): (&str, &Version),
    target: &Version,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !is_breaking(baseline, target) {
        let level = if baseline.major == 0 { "minor" } else { "major" };
        let message = format!(
            "the public API breaks compatibility with {tag}, but {baseline} -> {target} is not a breaking bump"
        );
        let zero = if baseline.major == 0 { " (minor in 0.x)" } else { "" };
        let program = crate::output::program();
        let fix = format!("release a {level} version{zero}: `{program} version {level}`");
        findings.push(Finding::error(message).rule("breaking::bump").fix(fix));
    }
    let shown = ctx.ws.relative(changelog);
    match load(changelog, &shown) {
        Err(finding) => findings.push(finding),
        Ok(parsed) => findings.extend(undocumented(&parsed, &shown, target)),
    }
    findings
}

/// A finding when the entry for `target` (or `[Unreleased]`) does not mention a breaking
/// change: no `Changed` or `Removed` section and no BREAKING note.
fn undocumented(changelog: &Changelog, shown: &str, target: &Version) -> Option<Finding> {
    let entry = changelog.release(target).or_else(|| changelog.unreleased());
    let documented = entry.is_some_and(|entry| {
        let notes = changelog.body_text(entry);
        entry.section("Changed").is_some()
            || entry.section("Removed").is_some()
            || notes.to_uppercase().contains("BREAKING")
    });
    let line = entry.map_or(1, |entry| entry.heading.line);
    let message = format!("the changelog for {target} does not mention the breaking changes");
    let fix = "describe them under `### Changed` or `### Removed`, or mark them BREAKING";
    (!documented)
        .then(|| Finding::error(message).at(shown, line).rule("breaking::changelog").fix(fix))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_decides() {
        let breaking = "     Checked [   0.002s] 196 checks: 195 pass, 1 fail\n     Summary semver requires new major version: 1 major and 0 minor checks failed\n    Finished [   0.4s] demo\n";
        assert_eq!(verdict(breaking), Verdict::Breaking);
        assert_eq!(verdict("     Summary no semver update required\n"), Verdict::Compatible);
        assert_eq!(
            verdict(
                "     Summary semver requires new minor version: 0 major and 1 minor checks failed\n"
            ),
            Verdict::Compatible
        );
        assert_eq!(verdict("error: could not compile `demo`\n"), Verdict::Unknown);
    }

    fn undocumented_in(changelog: &Changelog, version: &Version) -> Option<Finding> {
        undocumented(changelog, "CHANGELOG.md", version)
    }

    #[test]
    fn a_breaking_change_needs_changed_removed_or_breaking() {
        let version: Version = "0.4.0".parse().unwrap();
        let with = |body: &str| Changelog::parse(format!("# C\n\n## [Unreleased]\n\n{body}\n"));
        assert!(undocumented_in(&with("### Changed\n\n- `run` takes a path."), &version).is_none());
        assert!(undocumented_in(&with("### Removed\n\n- `legacy`."), &version).is_none());
        assert!(
            undocumented_in(&with("### Added\n\n- BREAKING: `run` is async."), &version).is_none()
        );
        let missing = undocumented_in(&with("### Added\n\n- `walk`."), &version).unwrap();
        assert_eq!(missing.location().as_deref(), Some("CHANGELOG.md:3"));
    }
}
