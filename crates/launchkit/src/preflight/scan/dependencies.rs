//! The direct dependencies of each workspace member, as cargo reads the manifests
//! (workspace inheritance and renames resolved), with the line that declares each.

use anyhow::Context;
use launchkit_scan::outdated::{self, Dependency};

use crate::preflight::Ctx;

/// Direct registry dependencies, split by where they come from.
pub struct Direct {
    /// From crates.io, the registry the check reads.
    pub crates_io: Vec<Dependency>,
    /// From other registries, not checked.
    pub elsewhere: usize,
}

impl Direct {
    /// `; 2 from other registries not checked`, or nothing.
    pub fn elsewhere_note(&self) -> String {
        match self.elsewhere {
            0 => String::new(),
            n => format!("; {n} from other registries not checked"),
        }
    }
}

/// Every member's registry dependencies (normal, dev and build). Path and git
/// dependencies have no registry versions to compare.
pub fn direct(ctx: &Ctx) -> anyhow::Result<Direct> {
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(ctx.ws.root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .context("cargo metadata")?;
    let root_manifest = std::fs::read_to_string(ctx.ws.root.join("Cargo.toml")).unwrap_or_default();
    let mut direct = Direct { crates_io: Vec::new(), elsewhere: 0 };
    for package in metadata.workspace_packages() {
        let manifest_path = package.manifest_path.as_std_path();
        let manifest = std::fs::read_to_string(manifest_path).unwrap_or_default();
        for dependency in &package.dependencies {
            let Some(source) = &dependency.source else { continue };
            if !source.is_crates_io() {
                direct.elsewhere += usize::from(
                    source.repr.starts_with("registry+") || source.repr.starts_with("sparse+"),
                );
                continue;
            }
            // The key in the manifest is the rename when there is one.
            let key = dependency.rename.as_deref().unwrap_or(&dependency.name);
            let line = outdated::declaration_line(&manifest, key);
            let inherited = line.is_some_and(|line| {
                manifest
                    .lines()
                    .nth(line as usize - 1)
                    .is_some_and(|text| text.contains("workspace"))
            });
            let declared_at = if inherited {
                ("Cargo.toml".to_owned(), outdated::declaration_line(&root_manifest, key))
            } else {
                (ctx.ws.relative(manifest_path), line)
            };
            direct.crates_io.push(Dependency {
                member: package.name.to_string(),
                member_version: package.version.clone(),
                name: dependency.name.clone(),
                req: dependency.req.clone(),
                declared_at,
            });
        }
    }
    Ok(direct)
}
