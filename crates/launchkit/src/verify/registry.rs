//! The `registry` step: each crate is in the index at the version, not yanked, the
//! `.crate` the registry serves has the checksum the index records, and it is exactly the
//! `.crate` we packaged.

use anyhow::Context;
use launchkit_registry::download_url;
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
            .fix(format!("publish it (`{} publish --registry {registry} --execute` at the release tag), or pass --wait if the index is slow", crate::output::program()));
        return Ok(vec![finding]);
    };
    let mut findings = Vec::new();
    if entry.yanked {
        findings.push(
            Finding::error(format!(
                "`{name}` {version} is yanked on `{registry}`: new projects cannot resolve it"
            ))
            .rule("verify::yanked")
            .fix(format!(
                "`{} yank {version} -p {name} --undo --execute` brings it back; or release a fix",
                crate::output::program()
            )),
        );
    }
    // What users get: the `.crate` the registry serves must be the one the index
    // records, or cargo refuses it.
    let (url, served) = download(ctx, krate, &entry.cksum)?;
    match served {
        Ok(served) if served != entry.cksum => findings.push(
            Finding::error(format!(
                "`{name}` {version} served by `{registry}` does not match its index: the `.crate` has checksum {served}, the index records {}",
                entry.cksum
            ))
            .rule("verify::checksum")
            .fix(format!("cargo refuses this download: the registry's storage and index disagree on {url}; republish under a new version, or repair the registry")),
        ),
        Ok(_) => {}
        Err(why) => findings.push(
            Finding::error(format!("`{name}` {version}: cannot download {url}: {why}"))
                .rule("verify::download")
                .fix("cargo cannot download it either: check the registry's `dl` URL in its config.json, and that the file was stored"),
        ),
    }
    match &krate.package {
        // A crate that is not ours has no package to compare with.
        None if krate.member_dir.is_none() => {}
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

/// Downloads `krate` as cargo would, and returns the URL and the SHA-256 of the file, or
/// why there is none (an HTTP status, a connection error).
fn download(
    ctx: &Ctx,
    krate: &CrateVersion,
    cksum: &str,
) -> anyhow::Result<(String, Result<String, String>)> {
    let config = ctx
        .index
        .config()
        .with_context(|| format!("cannot read the index of `{}`", ctx.registry.name))?;
    let url = download_url(&config.dl, &krate.name, &krate.version, cksum);
    // Registries that require a token for the index require it for downloads too.
    let token = ctx.registry.token.as_ref().filter(|_| config.auth_required);
    let served =
        launchkit_registry::download(&url, token.map(|token| token.expose()), ctx.registry.timeout)
            .map(|bytes| launchkit_registry::checksum(&bytes));
    Ok((url, served))
}
