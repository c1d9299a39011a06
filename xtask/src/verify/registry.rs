//! The `registry` step: each crate is in the index at the version, not yanked, and the
//! registry serves exactly the `.crate` we packaged.

use launchkit_report::{Finding, Severity};

use super::{CrateVersion, Ctx};
use crate::preflight::Outcome;
use crate::publish::package::sha256;

/// One finding per crate that is missing, yanked, or not our package.
pub fn check(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let mut findings = Vec::new();
    for krate in &ctx.crates {
        findings.extend(crate_findings(ctx, krate)?);
    }
    Ok(Outcome::from_findings(findings))
}

fn crate_findings(ctx: &Ctx, krate: &CrateVersion) -> anyhow::Result<Vec<Finding>> {
    let registry = &ctx.registry.name;
    let (name, version) = (&krate.name, &krate.version);
    let Some(entry) = &krate.entry else {
        let waited = match ctx.wait {
            Some(wait) => format!(" after waiting {}s", wait.as_secs()),
            None => String::new(),
        };
        let finding = Finding::error(format!("`{name}` {version} is not in the index of `{registry}`{waited}"))
            .rule("verify::missing")
            .fix(format!("publish it (`cargo xtask publish --registry {registry} --execute` at the release tag), or pass --wait if the index is slow"));
        return Ok(vec![finding]);
    };
    let mut findings = Vec::new();
    if entry.yanked {
        findings.push(
            Finding::error(format!("`{name}` {version} is yanked on `{registry}`: new projects cannot resolve it"))
                .rule("verify::yanked")
                .fix(format!("`cargo xtask yank {version} -p {name} --undo --execute` brings it back; or release a fix")),
        );
    }
    match &krate.package {
        Some(path) => {
            let local = sha256(path)?;
            if local != entry.cksum {
                findings.push(
                    Finding::error(format!(
                        "`{name}` {version} on `{registry}` is not the local package: its checksum {} differs from {local}",
                        entry.cksum
                    ))
                    .in_file(format!("target/package/{name}-{version}.crate"))
                    .rule("verify::checksum")
                    .fix("someone published other content under this version, or target/package was rebuilt from other sources: run `cargo package` at the release tag and compare again"),
                );
            }
        }
        None => findings.push(
            Finding::new(
                Severity::Note,
                format!("`{name}` {version}: no target/package/{name}-{version}.crate to compare checksums with"),
            )
            .fix("run `cargo package` at the release tag to compare"),
        ),
    }
    Ok(findings)
}
