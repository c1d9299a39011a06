//! `cargo xtask verify [X.Y.Z]`: prove a release arrived, read-only.
//!
//! Checks the crates the workspace sends to the environment's registry at X.Y.Z (default:
//! each crate's version in the workspace), or with `--crate NAME --version X.Y.Z` any
//! crate published to any registry, from any folder (outside a workspace, with the
//! built-in environments and cargo's registries), and reports each check as a step:
//!
//! - `registry`: each crate is in the index at that version, not yanked, the `.crate` the
//!   registry serves has the index's checksum (SHA-256), and so does the `.crate` in
//!   target/package when that file is there;
//! - `install`: a fresh project in a temporary directory outside the workspace depends on
//!   every library crate (`cargo add NAME@=X.Y.Z`) and builds; binaries are installed with
//!   `cargo install --version =X.Y.Z` into a temporary root;
//! - `readme`: the rust code blocks of each library's published README compile and run as
//!   doc tests of that project;
//! - `docs`: docs.rs (or the environment's `docs-url`) built the docs; a host that does
//!   not answer gives `unknown`, a warning. Other registries without `docs-url` skip it.
//!
//! `--wait 10m` polls the index until every crate is served before checking. Exit code 0
//! when no step failed (with `--strict`, no step warned either), 1 otherwise, 2 for bad
//! input: an unknown crate, a version never released, a registry that does not answer.

mod docs;
mod install;
mod readme;
mod registry;

use std::cell::RefCell;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use launchkit_registry::{CargoConfig, IndexEntry, Registry, RegistryError, SparseIndex};
use xshell::Shell;

use crate::config::Environment;
use crate::flags::{self, SemVer};
use crate::preflight::{self, Outcome};
use crate::publish::package;
use crate::target::Target;

/// One crate at the version checked, and what the index says about it.
pub struct CrateVersion {
    /// Package name.
    pub name: String,
    /// The version checked.
    pub version: SemVer,
    /// Its index line, `None` when the index does not list the version.
    pub entry: Option<IndexEntry>,
    /// The `.crate` cargo wrote in target/package, when it is there.
    pub package: Option<PathBuf>,
    /// Whether it has a library: known for workspace crates, learnt from the published
    /// package otherwise.
    pub lib: Option<bool>,
    /// Its binaries, known for workspace crates.
    pub bins: Option<Vec<String>>,
    /// The crate's directory relative to the workspace root, for workspace crates: where
    /// findings about its README point.
    pub member_dir: Option<String>,
}

/// What every verify step gets.
pub struct Ctx<'a> {
    sh: &'a Shell,
    cargo: String,
    registry: &'a Registry,
    /// The registry's index, for its download URL.
    index: &'a SparseIndex,
    env: &'a Environment,
    crates: Vec<CrateVersion>,
    /// How long `--wait` allowed, for messages about crates that did not show up.
    wait: Option<Duration>,
    /// The project the install step built, for the readme step.
    project: RefCell<Option<install::Project>>,
}

impl Ctx<'_> {
    /// The crates the index lists at their version, yanked or not.
    fn published(&self) -> impl Iterator<Item = &CrateVersion> {
        self.crates.iter().filter(|krate| krate.entry.is_some())
    }
}

/// A check: what it found, or the error that kept it from running.
type Check = fn(&Ctx) -> anyhow::Result<Outcome>;

/// The checks, in order: a later one builds on what an earlier one found.
static STEPS: &[(&str, Check)] = &[
    ("registry", registry::check),
    ("install", install::check),
    ("readme", readme::check),
    ("docs", docs::check),
];

impl flags::Verify {
    /// Verifies the release and reports every step.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let wait = self.wait.as_deref().map(flags::duration).transpose()?;
        // `--crate` needs no workspace: outside one, the built-in environment and cargo's
        // registries apply, as for any cargo command run there.
        let anywhere = self.krate.is_some() && !sh.current_dir().join("Cargo.toml").is_file();
        let target = if anywhere {
            None
        } else {
            Some(Target::load(sh, self.env.as_deref(), self.registry.as_deref())?)
        };
        let outside;
        let (env, registry) = match &target {
            Some(target) => (&target.env, &target.registry),
            None => {
                outside = self.outside_workspace(sh)?;
                (&outside.0, &outside.1)
            }
        };
        let wanted = self.wanted(target.as_ref())?;
        let index = SparseIndex::new(registry);
        let crates = read_index(registry, &index, wanted, wait, self.krate.is_some())?;
        let ctx = Ctx {
            sh,
            cargo: preflight::cargo_program(),
            registry,
            index: &index,
            env,
            crates,
            wait,
            project: RefCell::new(None),
        };
        preflight::run_checks("verify", STEPS, &ctx, self.strict, self.format)
    }

    /// The environment (`--env`, built in) and registry (`--registry`, else the
    /// environment's) when no workspace configures them.
    fn outside_workspace(&self, sh: &Shell) -> anyhow::Result<(Environment, Registry)> {
        let env =
            crate::config::environment(&serde_json::Value::Null, self.env.as_deref(), |name| {
                std::env::var(name).ok()
            })?;
        let name = self.registry.as_deref().unwrap_or(&env.registry);
        let registry = CargoConfig::discover(&sh.current_dir())?.registry(Some(name))?;
        Ok((env, registry))
    }

    /// The crates to check, with what the workspace (if any) knows of them.
    fn wanted(&self, target: Option<&Target>) -> anyhow::Result<Vec<CrateVersion>> {
        let release = |name: &str, version: SemVer| CrateVersion {
            package: target
                .map(|target| package::crate_file(&target.ws.target_dir, name, &version))
                .filter(|path| path.is_file()),
            name: name.to_owned(),
            version,
            entry: None,
            lib: None,
            bins: None,
            member_dir: None,
        };
        if let (Some(name), Some(version)) = (&self.krate, &self.crate_version) {
            return Ok(vec![release(name, flags::semver(version)?)]);
        }
        let version = self.release.as_deref().map(flags::semver).transpose()?;
        let target = target.context("verify needs a workspace, or --crate NAME --version X.Y.Z")?;
        Ok(target
            .release_crates()?
            .into_iter()
            .map(|member| CrateVersion {
                lib: Some(member.has_lib),
                bins: Some(member.bins.clone()),
                member_dir: Some(target.ws.relative(member.dir())),
                ..release(&member.name, version.clone().unwrap_or_else(|| member.version.clone()))
            })
            .collect())
    }
}

/// Reads each crate's index line, waiting up to `wait` for the missing ones. A registry
/// that does not answer, a crate it does not know (`--crate`), or a release none of whose
/// crates it lists (without `--wait`) is bad input.
fn read_index(
    registry: &Registry,
    index: &SparseIndex,
    mut crates: Vec<CrateVersion>,
    wait: Option<Duration>,
    single: bool,
) -> anyhow::Result<Vec<CrateVersion>> {
    let registry = &registry.name;
    let context = || format!("cannot read the index of `{registry}`");
    let started = Instant::now();
    for krate in &mut crates {
        let versions = index.versions(&krate.name).with_context(context)?;
        if single && versions.is_empty() {
            bail!("crate `{}` is not on `{registry}`: check the name and --registry", krate.name);
        }
        krate.entry = versions.iter().find(|entry| entry.version == krate.version).cloned();
        if let (None, Some(wait)) = (&krate.entry, wait) {
            eprintln!(
                "waiting up to {}s for `{registry}` to serve {} {}",
                wait.as_secs(),
                krate.name,
                krate.version
            );
            let left = wait.saturating_sub(started.elapsed());
            krate.entry = match index.wait_until_published(&krate.name, &krate.version, left) {
                Ok(entry) => Some(entry),
                Err(RegistryError::Timeout { .. }) => None,
                Err(err) => return Err(err).with_context(context),
            };
        }
    }
    if wait.is_none() && crates.iter().all(|krate| krate.entry.is_none()) {
        let first = &crates[0];
        let newest = index.newest(&first.name).with_context(context)?;
        let hint = match newest {
            Some(entry) => format!("`{}` is at {} there", first.name, entry.version),
            None => format!("`{}` has no version there", first.name),
        };
        let what = if single {
            format!("{} {}", first.name, first.version)
        } else {
            first.version.to_string()
        };
        bail!(
            "{what} was never released to `{registry}` ({hint}): name a released version, or pass --wait to wait for one"
        );
    }
    Ok(crates)
}
