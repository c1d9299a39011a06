//! The `breaking` step: API changes since the last release, by cargo-semver-checks.
//!
//! The baseline is the newest tag `vX.Y.Z` at or below the version being released,
//! compared offline with `--baseline-rev`. A breaking change (cargo-semver-checks'
//! "requires new major version") needs a breaking bump from that tag (major, or minor in
//! 0.y, see [`is_breaking`]) and a changelog entry that says so: a `Changed` or `Removed`
//! section, or the word BREAKING. Without cargo-semver-checks the step is skipped with the
//! command that installs it.

use cargo_metadata::semver::Version;
use launchkit_changelog::Changelog;
use launchkit_report::Finding;
use launchkit_workspace::version::is_breaking;
use xshell::cmd;

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
    if !ctx.has_cargo_tool("semver-checks") {
        let reason = "cargo-semver-checks is not installed: run `cargo install --locked cargo-semver-checks`";
        return Ok(Outcome::skipped(reason));
    }
    let Some(current) = ctx.ws.publishable().map(|member| &member.version).max() else {
        return Ok(Outcome::skipped("no crate to publish: every member has `publish = false`"));
    };
    let target = ctx.release.clone().unwrap_or_else(|| current.clone());
    let Some((tag, baseline)) = last_release(ctx, &target)? else {
        return Ok(Outcome::skipped(format!(
            "no release tag vX.Y.Z at or below {target} to compare against"
        )));
    };
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
    let mut outcome = match verdict(&run.output) {
        Verdict::Unknown => return Ok(Outcome::from_run(run, Vec::new())),
        Verdict::Compatible => Outcome::from_findings(Vec::new()),
        Verdict::Breaking => {
            Outcome::from_findings(breaking_findings(ctx, &tag, &baseline, &target))
        }
    };
    outcome.command = Some(run.command);
    outcome.output = Some(run.output);
    Ok(outcome)
}

/// The newest `vX.Y.Z` tag at or below `target`.
fn last_release(ctx: &Ctx, target: &Version) -> anyhow::Result<Option<(String, Version)>> {
    let sh = ctx.sh;
    let _dir = sh.push_dir(&ctx.ws.root);
    let tags = cmd!(sh, "git tag --list v*").quiet().read()?;
    Ok(tags
        .lines()
        .filter_map(|tag| Some((tag.to_owned(), Version::parse(tag.strip_prefix('v')?).ok()?)))
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

/// What a breaking change still needs: a breaking bump and a changelog entry about it.
fn breaking_findings(ctx: &Ctx, tag: &str, baseline: &Version, target: &Version) -> Vec<Finding> {
    let mut findings = Vec::new();
    if !is_breaking(baseline, target) {
        let level = if baseline.major == 0 { "minor (this is 0.x)" } else { "major" };
        let message = format!(
            "the public API breaks compatibility with {tag}, but {baseline} -> {target} is not a breaking bump"
        );
        let fix = format!(
            "release a {level} version: `cargo xtask version {}`",
            level.split(' ').next().unwrap_or(level)
        );
        findings.push(Finding::error(message).rule("breaking::bump").fix(fix));
    }
    let path = ctx.ws.root.join("CHANGELOG.md");
    match load(&path, "CHANGELOG.md") {
        Err(finding) => findings.push(finding),
        Ok(changelog) => {
            if let Some(missing) = undocumented(&changelog, target) {
                findings.push(missing);
            }
        }
    }
    findings
}

/// A finding when the entry for `target` (or `[Unreleased]`) does not mention a breaking
/// change: no `Changed` or `Removed` section and no BREAKING note.
fn undocumented(changelog: &Changelog, target: &Version) -> Option<Finding> {
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
    (!documented).then(|| {
        Finding::error(message).at("CHANGELOG.md", line).rule("breaking::changelog").fix(fix)
    })
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

    #[test]
    fn a_breaking_change_needs_changed_removed_or_breaking() {
        let version: Version = "0.4.0".parse().unwrap();
        let with = |body: &str| Changelog::parse(format!("# C\n\n## [Unreleased]\n\n{body}\n"));
        assert!(undocumented(&with("### Changed\n\n- `run` takes a path."), &version).is_none());
        assert!(undocumented(&with("### Removed\n\n- `legacy`."), &version).is_none());
        assert!(
            undocumented(&with("### Added\n\n- BREAKING: `run` is async."), &version).is_none()
        );
        let missing = undocumented(&with("### Added\n\n- `walk`."), &version).unwrap();
        assert_eq!(missing.location().as_deref(), Some("CHANGELOG.md:3"));
    }
}
