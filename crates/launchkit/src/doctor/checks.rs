//! Doctor's checks, one function each; preflight's own checks are reused where they exist.

use std::collections::BTreeMap;

use anyhow::Context;
use launchkit_report::Finding;

use super::Doctor;
use crate::config::TrustedPublishing;
use crate::preflight::{Outcome, ToolRun, steps};
use crate::publish::{first, package, require_token, trusted, verify};
use crate::release::git::Git;

/// cargo needs a token for the registry, from the environment or its credential store,
/// unless the environment's trusted publishing will mint one from the CI's identity.
pub fn token(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let registry = &doctor.target.registry;
    let settings = trusted::Settings::of(&doctor.target.env);
    let finding =
        match trusted::identity(registry, &settings) {
            Ok(Some(_)) => None,
            Err(err) => Some(Finding::error(format!("{err:#}")).rule("doctor::token").fix(
                "give the release job an OIDC identity, or set `trusted-publishing = \"auto\"`",
            )),
            Ok(None) => require_token(registry).err().map(|_| {
                Finding::error(format!("no token for registry `{}`", registry.name))
                    .rule("doctor::token")
                    .fix(registry.token_source.clone())
            }),
        };
    Ok(Outcome::from_findings(finding.into_iter().collect()))
}

/// The workflows in `.github/workflows` that release can publish with trusted publishing
/// (see `workflow.rs`); a pass with a note when none releases.
pub fn workflow(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let folder = doctor.ctx.ws.root.join(".github/workflows");
    let mut files: Vec<std::path::PathBuf> = match std::fs::read_dir(&folder) {
        Ok(entries) => entries.filter_map(|entry| Some(entry.ok()?.path())).collect(),
        Err(_) => Vec::new(),
    };
    files.retain(|path| path.extension().is_some_and(|ext| ext == "yml" || ext == "yaml"));
    files.sort();
    let needs_identity = doctor.target.env.trusted_publishing != TrustedPublishing::Never;
    let mut findings = None;
    for file in &files {
        let path = doctor.ctx.ws.relative(file);
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {path}"))?;
        if let Some(found) = super::workflow::check(&path, &text, needs_identity) {
            findings.get_or_insert_with(Vec::new).extend(found);
        }
    }
    Ok(match findings {
        Some(findings) => Outcome::from_findings(findings),
        None => Outcome::not_applicable(format!(
            "no workflow in .github/workflows releases (`{} init` writes one)",
            crate::output::program()
        )),
    })
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

/// A version the registry has cannot be published again, and a name the registry gives
/// to another crate cannot be published at all. A name is ours when one of its versions
/// on the registry has its release tag here (`v1.2.3`, or `name-v1.2.3` when versions are
/// independent); a repository without tags cannot tell, and its crates are taken as its
/// own.
pub fn published(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let (target, registry) = (doctor.target, &doctor.target.registry.name);
    let tags = Git::new(doctor.ctx.sh).tags_in_head("");
    let mut findings = Vec::new();
    for member in target.release_crates()? {
        let versions = doctor.index.versions(&member.name)?;
        let manifest = doctor.ctx.ws.relative(&member.manifest_path);
        // Lockstep tags are `v1.2.3`; independent versioning tags `name-v1.2.3`.
        let tagged =
            |tag: String| tags.contains(&format!("{}-{tag}", member.name)) || tags.contains(&tag);
        let ours =
            tags.is_empty() || versions.iter().any(|entry| tagged(target.tag(&entry.version)));
        if !versions.is_empty() && !ours {
            let mut listed: Vec<String> =
                versions.iter().rev().take(5).map(|entry| entry.version.to_string()).collect();
            if versions.len() > listed.len() {
                listed.push(format!("{} more", versions.len() - listed.len()));
            }
            findings.push(
                Finding::error(format!(
                    "name taken: `{}` on `{registry}` is another crate (versions {}, none with a release tag here)",
                    member.name,
                    listed.join(", ")
                ))
                .in_file(&manifest)
                .rule("doctor::published")
                .fix("rename the package (`name` under [package]); if the crate is yours, fetch its release tags (`git fetch --tags`)"),
            );
        } else if versions.iter().any(|entry| entry.version == member.version) {
            findings.push(
                Finding::error(format!(
                    "`{}` {} is already on `{registry}`",
                    member.name, member.version
                ))
                .in_file(&manifest)
                .rule("doctor::published")
                .fix(format!(
                    "bump the version (`{} version patch`): a published version never changes",
                    crate::output::program()
                )),
            );
        }
    }
    Ok(Outcome::from_findings(findings))
}

/// What trusted publishing cannot do for the release's crates (`publish/first.rs`).
pub fn trusted(doctor: &Doctor) -> anyhow::Result<Outcome> {
    let (target, ws) = (doctor.target, doctor.ctx.ws);
    let settings = trusted::Settings::of(&target.env);
    let members = target.release_crates()?;
    let names: Vec<String> = members.iter().map(|member| member.name.clone()).collect();
    let problems = first::problems(&target.registry, &settings, &doctor.index, &names)?;
    let findings = problems
        .iter()
        .map(|problem| {
            let member = members.iter().find(|member| member.name == problem.name());
            let finding = problem.finding(&target.registry.name, &settings);
            match member {
                Some(member) => finding.in_file(ws.relative(&member.manifest_path)),
                None => finding,
            }
        })
        .collect();
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
    // `--locked` when there is a Cargo.lock: doctor reads it, never rewrites it.
    let run = doctor.ctx.capture(doctor.ctx.cargo_locked(&["tree"], &args))?;
    if !run.success {
        return Ok(Outcome::from_run(run, Vec::new()));
    }
    let findings = duplicate_versions(&run.stdout)
        .into_iter()
        .map(|(name, versions)| {
            let listed: Vec<String> = versions
                .iter()
                .map(|(version, users)| match users.is_empty() {
                    true => version.clone(),
                    false => format!("{version} (for {})", users.join(", ")),
                })
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
    // `--locked` when there is a Cargo.lock: doctor reads it, never rewrites it.
    let locked = ctx.ws.root.join("Cargo.lock").is_file().then_some("--locked");
    let flags: Vec<&str> = ["--no-verify", "--allow-dirty"].into_iter().chain(locked).collect();
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
        // A crate built alone for its own features is built as a renamed copy.
        .map(|name| name.trim_start_matches(crate::publish::features::COPY_PREFIX))
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
/// depth 0 lines are the duplicated packages, depth 1 lines who depends on each. cargo
/// lists one version twice when it is built twice (with other features, or for the
/// host), and a repeated subtree without its dependents: each version is kept once, with
/// every dependent seen, and only names with distinct versions are duplicates.
fn duplicate_versions(tree: &str) -> BTreeMap<String, Vec<(String, Vec<String>)>> {
    let mut found: BTreeMap<String, Vec<(String, Vec<String>)>> = BTreeMap::new();
    let mut current: Option<(String, usize)> = None;
    for line in tree.lines() {
        let mut words = line.get(1..).unwrap_or_default().split_whitespace();
        let (Some(name), Some(version)) = (words.next(), words.next()) else { continue };
        let version = version.trim_start_matches('v').to_owned();
        match line.as_bytes().first() {
            Some(b'0') => {
                let versions = found.entry(name.to_owned()).or_default();
                let at = match versions.iter().position(|(known, _)| *known == version) {
                    Some(at) => at,
                    None => {
                        versions.push((version, Vec::new()));
                        versions.len() - 1
                    }
                };
                current = Some((name.to_owned(), at));
            }
            Some(b'1') => {
                let users = current
                    .as_ref()
                    .and_then(|(c, at)| found.get_mut(c).and_then(|v| v.get_mut(*at)));
                if let Some((_, users)) = users
                    && !users.iter().any(|user| user == name)
                {
                    users.push(name.to_owned());
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

    #[test]
    fn one_version_built_twice_is_not_a_duplicate_and_repeats_merge_their_dependents() {
        let twice = "0serde v1.0.228\n1app v0.1.0 (/w/app)\n\n0serde v1.0.228\n1derive v0.1.0 (/w/derive)\n";
        assert!(super::duplicate_versions(twice).is_empty());
        let tree = "0dup v0.1.0\n1a v0.1.0 (/w/a)\n\n0dup v0.2.0\n1b v0.1.0 (/w/b)\n\n0dup v0.1.0\n1c v0.1.0 (/w/c) (*)\n1a v0.1.0 (/w/a)\n\n0dup v0.2.0 (*)\n";
        assert_eq!(
            super::duplicate_versions(tree)["dup"],
            [
                ("0.1.0".to_owned(), vec!["a".to_owned(), "c".to_owned()]),
                ("0.2.0".to_owned(), vec!["b".to_owned()])
            ]
        );
    }
}
