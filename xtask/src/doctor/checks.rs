//! Doctor's checks, one function each; preflight's own checks are reused where they exist.

use std::collections::BTreeMap;

use launchkit_report::Finding;

use super::Doctor;
use crate::preflight::{Outcome, ToolRun, steps};
use crate::publish::{package, require_token, verify};
use crate::release::git::Git;

/// cargo needs a token for the registry, from the environment or its credential store.
pub fn token(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let registry = &doctor.target.registry;
    let findings = require_token(registry).err().map(|_| {
        Finding::error(format!("no token for registry `{}`", registry.name))
            .rule("doctor::token")
            .fix(registry.token_source.clone())
    });
    Ok(Outcome::from_findings(findings.into_iter().collect()))
}

/// cargo refuses to publish uncommitted changes: one finding per changed file.
pub fn changes(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let changes = Git::new(doctor.ctx.sh).changes()?;
    let findings = changes
        .iter()
        .map(|line| {
            let (state, path) = line.split_at(line.len().min(3));
            let what = if state.trim() == "??" { "untracked" } else { "uncommitted change" };
            Finding::error(format!("{what}: {path}")).in_file(path).rule("doctor::changes").fix(
                "commit it, stash it, or add it to .gitignore: cargo publishes only a clean tree",
            )
        })
        .collect();
    Ok(Outcome::from_findings(findings))
}

/// A version the registry has cannot be published again.
pub fn published(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let registry = &doctor.target.registry.name;
    let mut findings = Vec::new();
    for member in doctor.target.release_crates()? {
        if doctor.index.is_published(&member.name, &member.version)? {
            findings.push(
                Finding::error(format!("`{}` {} is already on `{registry}`", member.name, member.version))
                    .in_file(doctor.ctx.ws.relative(&member.manifest_path))
                    .rule("doctor::published")
                    .fix("bump the version (`cargo xtask version patch`): a published version never changes"),
            );
        }
    }
    Ok(Outcome::from_findings(findings))
}

/// Preflight's package contents check: metadata and files that should not ship.
pub fn package(doctor: &Doctor) -> anyhow::Result<Outcome> {
    Ok(steps::package_contents(&doctor.ctx)?.map_or_else(|failed| failed, Outcome::from_findings))
}

/// Preflight's docs step: rustdoc with warnings denied.
pub fn docs(doctor: &Doctor) -> anyhow::Result<Outcome> {
    steps::docs(&doctor.ctx)
}

/// `cargo tree -d`: each dependency built in more than one version, with who wants which.
pub fn duplicates(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let args = [
        "tree",
        "--workspace",
        "-d",
        "--depth",
        "1",
        "--prefix",
        "depth",
        "-e",
        "normal,build",
        "--format",
        "{p}",
    ];
    let run = doctor.ctx.capture(doctor.ctx.cargo(&args))?;
    if !run.success {
        return Ok(Outcome::from_run(run, Vec::new()));
    }
    let findings = duplicate_versions(&run.stdout)
        .into_iter()
        .map(|(name, versions)| {
            let listed: Vec<String> = versions
                .iter()
                .map(|(version, users)| format!("{version} (for {})", users.join(", ")))
                .collect();
            Finding::warning(format!("`{name}` is built in {} versions: {}", versions.len(), listed.join(", ")))
                .rule("doctor::duplicates")
                .fix(format!("make the requirements on `{name}` agree (`cargo update -p {name}` when they overlap): every copy is compiled and linked"))
        })
        .collect();
    Ok(Outcome::from_run(run, findings))
}

/// Every crate builds from its packaged sources alone: packaged with `cargo package`,
/// unpacked outside the workspace and built together, as publishing verifies them.
pub fn build(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let (ctx, registry) = (&doctor.ctx, &doctor.target.registry.name);
    let crates = doctor.target.release_crates()?;
    let names: Vec<String> = crates.iter().map(|member| member.name.clone()).collect();
    let cargo = crate::preflight::cargo_program();
    let flags = ["--no-verify", "--allow-dirty"];
    if let Err(failure) = package::package(ctx.sh, &cargo, registry, &names, &flags)? {
        return Ok(failed_run(failure, Vec::new()));
    }
    let packaged: Vec<(String, String)> =
        crates.iter().map(|member| (member.name.clone(), member.version.to_string())).collect();
    let Err(failure) = verify::verify(ctx.sh, &cargo, ctx.ws, registry, &packaged)? else {
        return Ok(Outcome::from_findings(Vec::new()));
    };
    let findings = failure
        .output
        .lines()
        .filter_map(|line| line.trim().strip_prefix("error: could not compile `")?.split('`').next())
        .filter(|name| names.iter().any(|known| known == name))
        .map(|name| {
            Finding::error(format!("`{name}` does not build from its packaged sources"))
                .rule("doctor::build")
                .fix(format!("a file it needs is left out of the package, or it needs the workspace: see `cargo package --list -p {name}`, `include` and `exclude`"))
        })
        .collect();
    Ok(failed_run(failure, findings))
}

fn failed_run(failure: package::CargoFailure, findings: Vec<Finding>) -> Outcome {
    let run = ToolRun {
        success: false,
        command: failure.command,
        output: failure.output.clone(),
        stdout: String::new(),
        stderr: failure.output,
    };
    Outcome::from_run(run, findings)
}

/// `name -> [(version, [dependents])]` from `cargo tree -d --depth 1 --prefix depth`:
/// depth 0 lines are the duplicated packages, depth 1 lines who depends on each.
fn duplicate_versions(tree: &str) -> BTreeMap<String, Vec<(String, Vec<String>)>> {
    let mut found: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in tree.lines() {
        let mut words = line.get(1..).unwrap_or_default().split_whitespace();
        let (Some(name), Some(version)) = (words.next(), words.next()) else { continue };
        let version = version.trim_start_matches('v').to_owned();
        match line.as_bytes().first() {
            Some(b'0') => {
                found.entry(name.to_owned()).or_default().push((version, Vec::new()));
                current = Some(name.to_owned());
            }
            Some(b'1') => {
                if let Some(users) =
                    current.as_ref().and_then(|c| found.get_mut(c)).and_then(|v| v.last_mut())
                {
                    users.1.push(name.to_owned());
                }
            }
            _ => {}
        }
    }
    found.retain(|_, versions| versions.len() > 1);
    found
}

#[cfg(test)]
mod tests {
    #[test]
    fn duplicates_are_grouped_by_name_with_their_dependents() {
        let tree = "0dup v0.1.0\n1solid v0.1.0 (/w/solid)\n\n0dup v0.2.0 (registry `lk`)\n1leaky v0.1.0 (/w/leaky)\n1other v0.1.0 (/w/other)\n";
        let found = super::duplicate_versions(tree);
        assert_eq!(
            found["dup"],
            [
                ("0.1.0".to_owned(), vec!["solid".to_owned()]),
                ("0.2.0".to_owned(), vec!["leaky".to_owned(), "other".to_owned()])
            ]
        );
        assert!(super::duplicate_versions("0alone v1.0.0\n1user v0.1.0\n").is_empty());
    }
}
