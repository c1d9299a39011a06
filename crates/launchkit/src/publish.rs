//! `cargo xtask publish`: upload the workspace's crates to a registry in dependency order.
//!
//! Without `--execute` it prints the plan: the batches, what each crate would do, and the
//! exact commands. With `--execute` it
//!
//! 1. packages and verifies every crate to upload (`cargo package`), and packages the ones
//!    the registry already has to compare checksums: a different checksum stops the run
//!    before anything is uploaded;
//! 2. uploads in order with `cargo publish -p NAME --no-verify --registry R`, each crate
//!    only once the index serves the workspace crates it needs;
//! 3. waits out HTTP 429 (`Retry-After`, else a backoff), retries 5xx and broken
//!    connections with a backoff, and stops on anything else; every wait comes out of one
//!    budget (`--max-wait`, 15 minutes by default);
//! 4. on a stop, reads the registry again and prints what is published, what is not, and
//!    the command that resumes.
//!
//! Running the same command again finishes the job with no duplicate uploads. The token
//! comes from the environment or cargo's credentials, else from trusted publishing
//! (`trusted.rs`), and only cargo reads it.

pub mod budget;
mod compare;
mod engine;
pub mod features;
pub mod first;
mod metadata;
pub mod pace;
pub mod package;
mod plan;
mod report;
pub mod retry;
pub mod trusted;
mod upload;
pub mod verify;

use std::process::ExitCode;
use std::time::Duration;

use anyhow::bail;
use cargo_metadata::semver::VersionReq;
use launchkit_registry::{CargoConfig, Registry, SparseIndex};
use launchkit_workspace::order::DepKind;
use launchkit_workspace::{PublishOrder, Workspace};
use xshell::Shell;

use crate::config::Environment;
use crate::flags::{self, Format};
use budget::Budget;
pub use engine::{Engine, INDEX_TIMEOUT};
pub use plan::{Plan, read_versions};
pub use report::Progress;

impl flags::Publish {
    /// Plans, and with `--execute` runs, the publish of the shell's workspace.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let resume = resume_command(sh, self.registry.as_deref());
        let limit = budget::max_wait(self.max_wait)?;
        let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
        let env = crate::config::environment(&ws.config, None, |name| std::env::var(name).ok())?;
        let stop = run(
            sh,
            &ws,
            self.registry.as_deref(),
            self.execute,
            self.format,
            &resume,
            limit,
            &env,
        )?;
        Ok(if stop.is_some() { ExitCode::FAILURE } else { ExitCode::SUCCESS })
    }
}

/// The whole task, also run by `cargo xtask release`; `resume` is the command that
/// continues after a stop; `env` gives trusted publishing's settings and the rate limits.
/// The reason of a stop, when the run stopped (its report is printed already).
pub fn publish(
    sh: &Shell,
    registry: Option<&str>,
    execute: bool,
    format: Option<Format>,
    resume: &str,
    env: &Environment,
) -> anyhow::Result<Option<String>> {
    let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
    run(sh, &ws, registry, execute, format, resume, budget::max_wait(None)?, env)
}

/// `ws` is the shell's workspace, loaded once: `cargo metadata` is a process of its own.
#[expect(clippy::too_many_arguments, reason = "the task's flags, passed on as they are")]
fn run(
    sh: &Shell,
    ws: &Workspace,
    registry: Option<&str>,
    execute: bool,
    format: Option<Format>,
    resume: &str,
    max_wait: Duration,
    env: &Environment,
) -> anyhow::Result<Option<String>> {
    let trusted = &trusted::Settings::of(env);
    let root = sh.current_dir();
    let mut registry = CargoConfig::discover(&root)?.registry(registry)?;
    let order = publish_order(ws, &registry.name)?;
    // Dropped when the run ends, however it ends, which revokes what was minted.
    let mut minted = None;
    if execute {
        minted = trusted::mint(&registry, trusted, resume)?;
        if let Some(minted) = &minted {
            registry.token_source = minted.source();
        } else {
            require_token(&registry)?;
        }
    }
    let index = SparseIndex::new(&registry);
    let progress = Progress::new(format);
    let limits = pace::Limits::of(env, &registry);
    let mut plan = Plan::read(ws, &order, &registry, &index, &limits)?;
    if !execute
        && require_token(&registry).is_err()
        && trusted::identity(&registry, trusted)?.is_none()
    {
        plan.warnings.push(format!(
            "no token for `{}` yet: {} before --execute",
            registry.name, registry.token_source
        ));
    }
    for warning in &plan.warnings {
        progress.warning(warning);
    }
    if let (true, Some(pacing)) = (execute, &plan.pacing) {
        progress.note(&format!("pacing: {pacing}"));
    }
    if !execute {
        progress.finish_plan(&plan);
        return Ok(None);
    }
    let cargo = crate::preflight::cargo_program();
    let budget = Budget::new(max_wait);
    let engine = Engine {
        sh,
        ws,
        registry: &registry,
        index: &index,
        progress: &progress,
        cargo,
        budget: &budget,
        pacer: pace::Pacer::new(limits),
        minted: minted.as_ref(),
    };
    let stop = engine.execute(&mut plan).err();
    if stop.is_some() {
        engine.reread(&mut plan);
    }
    progress.finish(&plan, stop.as_ref(), resume);
    Ok(stop.map(|stop| stop.reason))
}

/// The crates that go to `registry`, in publish order; an error when none does, or when
/// one has a path dependency without a version, which cargo refuses to publish.
pub fn publish_order(ws: &Workspace, registry: &str) -> anyhow::Result<PublishOrder> {
    let unversioned: Vec<String> = ws
        .members
        .iter()
        .filter(|member| member.publishes_to(registry))
        .flat_map(|member| {
            member
                .dependencies
                .iter()
                .filter(|dep| dep.path.is_some() && dep.kind != DepKind::Dev)
                .filter(|dep| dep.req == VersionReq::STAR)
                .map(move |dep| {
                    let version = ws.member(&dep.name).map(|m| m.version.to_string());
                    format!(
                        "`{}` needs `{}` by path without a version (add `version = \"{}\"` next to its `path`)",
                        member.name,
                        dep.name,
                        version.as_deref().unwrap_or("X.Y.Z")
                    )
                })
        })
        .collect();
    if !unversioned.is_empty() {
        bail!("{}: cargo publishes no path dependency without a version", unversioned.join("; "));
    }
    let order = ws.publish_order(registry)?;
    if order.batches.is_empty() {
        bail!(
            "no crate goes to `{registry}`: every member has `publish = false` or a `publish` list without it"
        );
    }
    Ok(order)
}

/// Refuses to start uploading without a token cargo can use.
pub fn require_token(registry: &Registry) -> anyhow::Result<()> {
    if registry.token.is_some() || registry.credential_provider.is_some() {
        return Ok(());
    }
    bail!("no token for registry `{}`: {}", registry.name, registry.token_source)
}

/// `cargo xtask` (or `cargo launchkit`), with `--manifest-path` when the current directory
/// is outside the shell's workspace: the start of a command that repeats this run.
pub fn xtask_command(sh: &Shell) -> String {
    let mut command = String::from(crate::output::program());
    let inside = std::env::current_dir().is_ok_and(|dir| dir.starts_with(sh.current_dir()));
    if !inside {
        let manifest = sh.current_dir().join("Cargo.toml");
        command.push_str(&format!(" --manifest-path {}", manifest.display()));
    }
    command
}

/// `cargo xtask [--manifest-path ..] publish [--registry R] --execute`, as this run was started.
fn resume_command(sh: &Shell, registry: Option<&str>) -> String {
    let mut command = xtask_command(sh) + " publish";
    if let Some(registry) = registry {
        command.push_str(&format!(" --registry {registry}"));
    }
    command + " --execute"
}
