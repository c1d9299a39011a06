//! The release steps that read files and tags: `changelog` and `version`.
//!
//! `changelog` lints the workspace's changelog (`changelog` in the configuration,
//! CHANGELOG.md by default) and each member's own CHANGELOG.md. `version` checks the
//! version about to be released (`--release X.Y.Z`, else the manifests' version): the
//! publishable crates agree on it (unless the configuration says
//! `versioning = "independent"`), the changelog has its entry or a non-empty `[Unreleased]`,
//! its tag (`tag-prefix` + version) does not exist yet, and README snippets that name a
//! crate's version (`name = "X.Y"`) match it.

use std::path::{Path, PathBuf};

use anyhow::bail;
use cargo_metadata::semver::{Version, VersionReq};
use launchkit_changelog::lint;
use launchkit_report::{Finding, Severity};
use launchkit_workspace::Member;
use regex::Regex;
use xshell::cmd;

use super::{Ctx, Outcome};
use crate::changelog::load;

/// What the release steps read from `[workspace.metadata.launchkit]`.
pub struct Settings {
    /// Release tags are this prefix and the version.
    pub tag_prefix: String,
    /// The workspace's changelog.
    pub changelog: PathBuf,
    /// `versioning = "independent"`: each crate has its own version and tags.
    pub independent: bool,
}

/// The settings of the environment `LAUNCHKIT_ENV` (or the configured default) selects.
pub fn settings(ctx: &Ctx) -> anyhow::Result<Settings> {
    let env = crate::config::environment(&ctx.ws.config, None, |name| std::env::var(name).ok())?;
    let independent = match ctx.ws.config.get("versioning").map(|value| value.as_str()) {
        None | Some(Some("lockstep")) => false,
        Some(Some("independent")) => true,
        Some(other) => bail!(
            "Cargo.toml [workspace.metadata.launchkit] versioning = {}: use \"lockstep\" or \"independent\"",
            other.unwrap_or("(not a string)")
        ),
    };
    let changelog = ctx.ws.root.join(env.changelog);
    Ok(Settings { tag_prefix: env.tag_prefix, changelog, independent })
}

/// Lints the workspace's changelogs.
pub fn changelog(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let mut paths = vec![settings(ctx)?.changelog];
    for member in &ctx.ws.members {
        let path = member.dir().join("CHANGELOG.md");
        if path.is_file() && !paths.contains(&path) {
            paths.push(path);
        }
    }
    let mut findings = Vec::new();
    for path in paths {
        let shown = ctx.ws.relative(&path);
        match load(&path, &shown) {
            Ok(changelog) => findings.extend(lint(&changelog, &shown)),
            Err(finding) => findings.push(finding),
        }
    }
    Ok(Outcome::from_findings(findings))
}

/// One version to release: its tag, the crates it covers and the changelog describing it.
struct Release<'a> {
    version: Version,
    tag: String,
    crates: Vec<&'a Member>,
    changelog: PathBuf,
}

/// Checks the version about to be released.
pub fn version(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let publishable: Vec<&Member> = ctx.ws.publishable().collect();
    let Some(newest) = publishable.iter().map(|member| &member.version).max() else {
        return Ok(Outcome::not_applicable("does not apply: every member has `publish = false`"));
    };
    let settings = settings(ctx)?;
    let mut findings = Vec::new();
    let releases = if settings.independent {
        independent_releases(ctx, &settings, &publishable, &mut findings)
    } else {
        vec![lockstep_release(ctx, &settings, &publishable, newest, &mut findings)]
    };
    for release in &releases {
        findings.extend(check_release(ctx, release)?);
    }
    Ok(Outcome::from_findings(findings))
}

/// One release for every crate: `--release`, else the manifests' version, on which all
/// publishable crates must agree.
fn lockstep_release<'a>(
    ctx: &Ctx,
    settings: &Settings,
    publishable: &[&'a Member],
    newest: &Version,
    findings: &mut Vec<Finding>,
) -> Release<'a> {
    let version = ctx.release.clone().unwrap_or_else(|| newest.clone());
    for member in publishable {
        let (name, at) = (&member.name, &member.version);
        let problem = if at != newest {
            let fix = "give every publishable crate the same version, or set `versioning = \"independent\"` under [workspace.metadata.launchkit]";
            Some((
                "version::agree",
                format!("`{name}` is at {at}, the other crates reach {newest}"),
                fix,
            ))
        } else if *at > version {
            let fix = "pass a --release at or above the manifests' version";
            Some((
                "version::release",
                format!("`{name}` is at {at}, above --release {version}"),
                fix,
            ))
        } else {
            None
        };
        if let Some((rule, message, fix)) = problem {
            findings.push(at_version_line(ctx, member, error(rule, message).fix(fix)));
        }
    }
    let (tag, changelog) =
        (format!("{}{version}", settings.tag_prefix), settings.changelog.clone());
    Release { tag, version, crates: publishable.to_vec(), changelog }
}

/// One release per crate at its own version, tagged `name-vX.Y.Z` (with the configured
/// prefix), described by its own CHANGELOG.md when it has one.
fn independent_releases<'a>(
    ctx: &Ctx,
    settings: &Settings,
    publishable: &[&'a Member],
    findings: &mut Vec<Finding>,
) -> Vec<Release<'a>> {
    if ctx.release.is_some() {
        let message =
            "--release names one version, but this workspace versions its crates independently";
        let fix = "run without --release: each crate is checked at its own version";
        findings.push(error("version::release", message.into()).fix(fix));
    }
    publishable
        .iter()
        .map(|member| {
            let own = member.dir().join("CHANGELOG.md");
            Release {
                version: member.version.clone(),
                tag: format!("{}-{}{}", member.name, settings.tag_prefix, member.version),
                crates: vec![member],
                changelog: if own.is_file() { own } else { settings.changelog.clone() },
            }
        })
        .collect()
}

fn check_release(ctx: &Ctx, release: &Release) -> anyhow::Result<Vec<Finding>> {
    let (version, tag) = (&release.version, &release.tag);
    let sh = ctx.sh;
    let tagged = !cmd!(sh, "git tag --list {tag}").quiet().read()?.trim().is_empty();
    if tagged && ctx.release.is_none() {
        // Right after a release the manifests still name it: nothing new to check yet.
        let message = format!("{tag} is already tagged: the next release is not chosen yet");
        let fix = format!(
            "check the next release with `{} preflight --release X.Y.Z`",
            crate::output::program()
        );
        return Ok(vec![Finding::new(Severity::Note, message).rule("version::tag").fix(fix)]);
    }
    let mut findings = Vec::new();
    if tagged {
        let message = format!("tag {tag} already exists: {version} is released");
        findings.push(error("version::tag", message).fix("release a higher version"));
    }
    findings.extend(changelog_entry(ctx, &release.changelog, version));
    findings.extend(readme_snippets(ctx, &release.crates, version));
    Ok(findings)
}

fn error(rule: &str, message: String) -> Finding {
    Finding::error(message).rule(rule)
}

/// Locates a finding at the line of `version` in the member's manifest.
fn at_version_line(ctx: &Ctx, member: &Member, finding: Finding) -> Finding {
    let text = std::fs::read_to_string(&member.manifest_path).unwrap_or_default();
    let index = text.lines().position(|line| line.trim_start().starts_with("version")).unwrap_or(0);
    finding.at(ctx.ws.relative(&member.manifest_path), index as u32 + 1)
}

/// An entry for `version` or a non-empty `[Unreleased]` that will become it.
fn changelog_entry(ctx: &Ctx, path: &Path, version: &Version) -> Option<Finding> {
    let shown = ctx.ws.relative(path);
    let changelog = match load(path, &shown) {
        Ok(changelog) => changelog,
        Err(finding) => return Some(finding),
    };
    if changelog.release(version).is_some() {
        return None;
    }
    let fix = format!("describe the changes of {version} under `## [Unreleased]`");
    match changelog.unreleased() {
        Some(unreleased) if changelog.has_changes(unreleased) => None,
        Some(unreleased) => {
            let message = format!("no entry for {version}, and [Unreleased] is empty");
            Some(error("version::changelog", message).at(shown, unreleased.heading.line).fix(fix))
        }
        None => {
            let message = format!("no entry for {version}, and no [Unreleased] to promote");
            Some(error("version::changelog", message).at(shown, 1).fix(fix))
        }
    }
}

/// README lines such as `name = "0.3"` or `name = { version = "0.3", .. }` whose
/// requirement does not accept `version` (compared without its pre-release, so a README
/// saying `"0.4"` suits `0.4.0-rc.1`).
fn readme_snippets(ctx: &Ctx, crates: &[&Member], version: &Version) -> Vec<Finding> {
    let release = Version::new(version.major, version.minor, version.patch);
    let mut readmes = vec![ctx.ws.root.join("README.md")];
    readmes.extend(crates.iter().map(|member| member.dir().join("README.md")));
    readmes.dedup();
    let patterns: Vec<(&Member, Regex)> = crates
        .iter()
        .map(|member| {
            let name = regex::escape(&member.name);
            let pattern = format!(r#"^\s*{name}\s*=\s*(?:\{{[^}}]*?\bversion\s*=\s*)?"([^"]+)""#);
            (*member, Regex::new(&pattern).expect("a valid pattern"))
        })
        .collect();
    let mut findings = Vec::new();
    for readme in readmes.iter().filter(|path| path.is_file()) {
        let text = std::fs::read_to_string(readme).unwrap_or_default();
        for (index, line) in text.lines().enumerate() {
            for (member, pattern) in &patterns {
                let Some(written) = pattern.captures(line).map(|found| found[1].to_owned()) else {
                    continue;
                };
                if VersionReq::parse(&written).is_ok_and(|req| !req.matches(&release)) {
                    let precision = written.split('.').count();
                    let parts =
                        [release.major, release.minor, release.patch].map(|part| part.to_string());
                    let suggested = parts[..precision.min(3)].join(".");
                    let message = format!(
                        "shows `{} = \"{written}\"`, which does not accept {version}",
                        member.name
                    );
                    let fix = format!("write `{} = \"{suggested}\"`", member.name);
                    let finding = error("version::readme", message)
                        .at(ctx.ws.relative(readme), index as u32 + 1);
                    findings.push(finding.fix(fix));
                }
            }
        }
    }
    findings
}
