//! The `install` step: what a user does first. A fresh project in a temporary directory
//! outside the workspace, so no workspace config or path dependency helps, adds every
//! library crate at exactly the released version and builds; binaries are installed with
//! `cargo install` into a temporary root.

use std::path::{Path, PathBuf};

use launchkit_registry::Registry;
use launchkit_report::Finding;
use xshell::{Cmd, cmd};

use super::{CrateVersion, Ctx};
use crate::preflight::{Outcome, ToolRun};
use crate::publish::retry::summary;

/// The temporary project, removed when dropped, and the packages cargo resolved in it.
pub struct Project {
    /// Its directory.
    pub dir: PathBuf,
    /// Every package of its dependency graph, as `cargo metadata` reports them.
    pub packages: Vec<cargo_metadata::Package>,
}

impl Drop for Project {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// What a user does after `cargo add`: build, and `cargo install` the binaries.
pub fn check(ctx: &Ctx) -> anyhow::Result<Outcome> {
    let published: Vec<&CrateVersion> = ctx.published().collect();
    if published.is_empty() {
        return Ok(Outcome::skipped("no crate of the release is in the index"));
    }
    let mut project = Project::create()?;
    let cargo = &ctx.cargo;
    let mut runs = Vec::new();
    let mut findings = Vec::new();
    let specs: Vec<String> = published
        .iter()
        .filter(|krate| krate.lib != Some(false))
        .map(|krate| format!("{}@={}", krate.name, krate.version))
        .collect();
    if !specs.is_empty() {
        let selection = &specs;
        let add = cmd!(ctx.sh, "{cargo} add {selection...}").args(registry_args(ctx.registry));
        let add = run(ctx, &project.dir, add)?;
        if !add.success {
            findings.push(
                Finding::error(format!("a fresh project cannot depend on {}: {}", specs.join(", "), summary(&add.stderr)))
                    .rule("verify::install")
                    .fix(format!("cargo's output says why: a yanked version needs `{} yank X.Y.Z --undo`, a missing one a publish", crate::output::program())),
            );
            return Ok(Outcome::from_run(add, findings));
        }
        runs.push(add);
        let metadata = run(ctx, &project.dir, cmd!(ctx.sh, "{cargo} metadata --format-version 1"))?;
        if metadata.success {
            let parsed: cargo_metadata::Metadata = serde_json::from_str(&metadata.stdout)?;
            project.packages = parsed.packages;
        }
        runs.push(metadata);
        let build = run(ctx, &project.dir, cmd!(ctx.sh, "{cargo} build"))?;
        if !build.success {
            findings.push(
                Finding::error(format!("a fresh project depending on {} does not build: {}", specs.join(", "), summary(&build.stderr)))
                    .rule("verify::install")
                    .fix("the published sources do not build outside the workspace: fix them and release a patch"),
            );
        }
        runs.push(build);
    }
    for krate in published {
        let bins = binaries(krate, &project.packages);
        if !bins.is_empty() {
            let (run, finding) = install(ctx, &project.dir, krate, &bins)?;
            findings.extend(finding);
            runs.push(run);
        }
    }
    let outcome = Outcome::from_run(ToolRun::chain(runs), findings);
    *ctx.project.borrow_mut() = Some(project);
    Ok(outcome)
}

impl Project {
    /// A library project of its own (`[workspace]`), with no dependency yet.
    fn create() -> anyhow::Result<Project> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |time| time.subsec_nanos());
        let dir =
            std::env::temp_dir().join(format!("launchkit-verify-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(dir.join("src"))?;
        let project = Project { dir, packages: Vec::new() };
        std::fs::write(
            project.dir.join("Cargo.toml"),
            "[package]\nname = \"launchkit-verify-project\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n",
        )?;
        std::fs::write(
            project.dir.join("src/lib.rs"),
            "//! Depends on the release being verified.\n",
        )?;
        Ok(project)
    }
}

/// The binaries a crate ships: the workspace's knowledge, else the published package's.
fn binaries(krate: &CrateVersion, packages: &[cargo_metadata::Package]) -> Vec<String> {
    if let Some(bins) = &krate.bins {
        return bins.clone();
    }
    packages
        .iter()
        .filter(|package| package.name.as_str() == krate.name && package.version == krate.version)
        .flat_map(|package| &package.targets)
        .filter(|target| target.is_bin())
        .map(|target| target.name.clone())
        .collect()
}

/// `cargo install NAME --version =X.Y.Z --root DIR`, and every binary where it belongs.
fn install(
    ctx: &Ctx,
    dir: &Path,
    krate: &CrateVersion,
    bins: &[String],
) -> anyhow::Result<(ToolRun, Option<Finding>)> {
    let root = dir.join("install-root");
    let (cargo, name, version) = (&ctx.cargo, &krate.name, format!("={}", krate.version));
    let install = cmd!(ctx.sh, "{cargo} install {name} --version {version} --root {root}")
        .args(registry_args(ctx.registry));
    let installed = run(ctx, dir, install)?;
    let finding = if !installed.success {
        Some(Finding::error(format!(
            "`cargo install {name} --version {version}` failed: {}",
            summary(&installed.stderr)
        )))
    } else {
        bins.iter()
            .find(|bin| {
                !root.join("bin").join(format!("{bin}{}", std::env::consts::EXE_SUFFIX)).is_file()
            })
            .map(|bin| {
                Finding::error(format!("`cargo install {name}` installed no `{bin}` binary"))
            })
    };
    Ok((installed, finding.map(|finding| finding.rule("verify::install"))))
}

/// `--registry NAME` for an alternate registry; crates.io needs nothing.
fn registry_args(registry: &Registry) -> Vec<String> {
    if registry.is_crates_io() {
        Vec::new()
    } else {
        vec!["--registry".to_owned(), registry.name.clone()]
    }
}

/// Runs cargo in the project. The project is outside the workspace, so the registry
/// (which may be defined only in the workspace's `.cargo/config.toml`) comes through
/// the environment, as do its token and a target directory of its own.
fn run(ctx: &Ctx, dir: &Path, cmd: Cmd<'_>) -> anyhow::Result<ToolRun> {
    let _dir = ctx.sh.push_dir(dir);
    let mut cmd = cmd.env("CARGO_TARGET_DIR", dir.join("target"));
    if !ctx.registry.is_crates_io() {
        let key = ctx.registry.name.to_uppercase().replace(['-', '.'], "_");
        cmd = cmd.env(format!("CARGO_REGISTRIES_{key}_INDEX"), &ctx.registry.index);
        if let Some(token) = &ctx.registry.token {
            cmd = cmd.env(format!("CARGO_REGISTRIES_{key}_TOKEN"), token.expose());
        }
    }
    ToolRun::capture(cmd, &ctx.cargo)
}
