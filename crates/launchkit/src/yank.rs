//! `cargo xtask yank <X.Y.Z>`: take a release back from its registry.
//!
//! Yanks every crate the workspace sends to the environment's registry at X.Y.Z (or the
//! ones `-p` names), dependents first, so no crate of the release stays resolvable
//! while it points at one that is not. Crates already yanked are skipped, so running it
//! twice changes nothing; `--undo` unyanks. Each call is `cargo yank` (the token stays
//! with cargo), retried as publishing retries uploads (429 waited out, 5xx backed off),
//! then confirmed in the index.
//!
//! Without `--execute` it prints the plan and changes nothing. With it, it yanks, appends
//! a `yank` (or `unyank`) record with `--reason` to the deployment log on the release
//! commit (pushed when the environment pushes), and with `--hotfix` creates branch
//! `hotfix/X.Y.(Z+1)` from the release tag, bumped, with `### Fixed` under
//! `[Unreleased]`, and prints the next steps. Bad input (an unknown crate, a version
//! never released, a missing tag, a registry that does not answer) stops before
//! anything changes, with exit code 2.

mod hotfix;
mod record;

use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use anyhow::{Context, anyhow, bail};
use launchkit_registry::{Backoff, SparseIndex};
use xshell::{Shell, cmd};

use crate::clock;
use crate::flags::{self, SemVer};
use crate::publish::retry::{self, Retry};
use crate::publish::{INDEX_TIMEOUT, require_token, xtask_command};
use crate::release::git::Git;
use crate::release::lock;
use crate::target::Target;

/// One crate of the plan.
#[derive(Debug, Clone)]
pub struct Step {
    /// Package name.
    pub name: String,
    /// Its checksum in the index, `None` when the registry does not have the version.
    pub checksum: Option<String>,
    /// What to do: act, or why not.
    pub todo: Todo,
}

/// What a plan does to one crate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Todo {
    /// Yank it (or unyank it with `--undo`).
    Act,
    /// Already in the wanted state.
    AlreadyDone,
    /// The registry does not have this version of it.
    Absent,
}

impl flags::Yank {
    /// Plans the yank and, with `--execute`, does it.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let version = flags::semver(&self.release)?;
        let target = Target::load(sh, self.env.as_deref(), None)?;
        let names = self.selected(&target)?;
        let index = SparseIndex::new(&target.registry);
        let plan = self.plan(&target, &index, &names, &version)?;
        let git = Git::new(sh);
        // A yank writes the deployment log and the registry a release writes: one at a time.
        let _lock = match self.execute {
            true => {
                let command =
                    format!("{} {} {} --execute", xtask_command(sh), self.verb(), version);
                Some(lock::take(&lock::path(&git.common_dir()?), &command)?)
            }
            false => None,
        };
        let hotfix = self
            .hotfix
            .then(|| hotfix::Hotfix::check(&git, &target, &version, self.execute))
            .transpose()?;
        if self.execute {
            require_token(&target.registry)?;
        }
        self.print_plan(&target, &version, &plan, hotfix.as_ref());
        if !self.execute {
            eprintln!("dry run: nothing was changed; add --execute to {}", self.verb());
            return Ok(ExitCode::SUCCESS);
        }
        let (started, timer) = (clock::now(), Instant::now());
        let done = self.execute(sh, &target, &index, &version, &plan);
        let (Ok(count) | Err((count, _))) = &done;
        let crates: Vec<&Step> =
            plan.iter().filter(|step| step.todo == Todo::Act).take(*count).collect();
        if !crates.is_empty() {
            let reason = self.reason.as_deref();
            let duration = timer.elapsed();
            let done = record::Done {
                action: self.verb(),
                version: &version,
                crates,
                reason,
                started,
                duration,
            };
            record::write(&git, &target, &done)?;
        }
        if let Err((_, err)) = done {
            // Like a stopped publish: what is done stays done, and the same command
            // finishes the job, skipping it.
            eprintln!("stopped: {err:#}");
            eprintln!("run the same command again to finish: what is done is skipped");
            return Ok(ExitCode::FAILURE);
        }
        if let Some(hotfix) = hotfix {
            hotfix.create(sh, &git, &target)?;
        }
        Ok(ExitCode::SUCCESS)
    }

    fn verb(&self) -> &'static str {
        if self.undo { "unyank" } else { "yank" }
    }

    /// The crates to yank, dependents first; `-p` names must be crates of the release.
    fn selected(&self, target: &Target) -> anyhow::Result<Vec<String>> {
        let mut crates: Vec<String> =
            target.release_crates()?.iter().map(|member| member.name.clone()).collect();
        crates.reverse();
        for name in &self.packages {
            if !crates.contains(name) {
                bail!(
                    "unknown crate `{name}`: -p takes a crate released to `{}`: {}",
                    target.registry.name,
                    crates.join(", ")
                );
            }
        }
        if !self.packages.is_empty() {
            crates.retain(|name| self.packages.contains(name));
        }
        Ok(crates)
    }

    /// Reads each crate's state in the index.
    fn plan(
        &self,
        target: &Target,
        index: &SparseIndex,
        names: &[String],
        version: &SemVer,
    ) -> anyhow::Result<Vec<Step>> {
        let registry = &target.registry.name;
        let mut plan = Vec::new();
        for name in names {
            let entry = index
                .find(name, version)
                .with_context(|| format!("cannot read the index of `{registry}`"))?;
            if entry.is_none() && !self.packages.is_empty() {
                bail!("`{name}` {version} is not on `{registry}`: nothing to {}", self.verb());
            }
            let todo = match &entry {
                None => Todo::Absent,
                Some(entry) if entry.yanked != self.undo => Todo::AlreadyDone,
                Some(_) => Todo::Act,
            };
            plan.push(Step { name: name.clone(), checksum: entry.map(|entry| entry.cksum), todo });
        }
        if plan.iter().all(|step| step.todo == Todo::Absent) {
            bail!(
                "{version} was never released to `{registry}`: check the version (`{} status` lists what is there)",
                crate::output::program()
            );
        }
        Ok(plan)
    }

    fn print_plan(
        &self,
        target: &Target,
        version: &SemVer,
        plan: &[Step],
        hotfix: Option<&hotfix::Hotfix>,
    ) {
        let registry = &target.registry.name;
        println!("{} {version} on `{registry}`, dependents first:", self.verb());
        let width = plan.iter().map(|step| step.name.len()).max().unwrap_or(0);
        for step in plan {
            let what = match step.todo {
                Todo::Act => {
                    let command = cargo_yank(&step.name, version, registry, self.undo).join(" ");
                    format!("{}    cargo {command}", self.verb())
                }
                Todo::AlreadyDone if self.undo => "skip    not yanked".to_owned(),
                Todo::AlreadyDone => "skip    already yanked".to_owned(),
                Todo::Absent => format!("skip    not on `{registry}`"),
            };
            println!("  {:<width$}  {what}", step.name);
        }
        if plan.iter().any(|step| step.todo == Todo::Act) {
            let reason = self
                .reason
                .as_deref()
                .map(|reason| format!(", reason: {reason}"))
                .unwrap_or_default();
            println!("record: a `{}` record in the deployment log{reason}", self.verb());
        }
        if let Some(hotfix) = hotfix {
            hotfix.print_plan();
        }
    }

    /// Yanks the plan's crates in order; how many it did, and the error that stopped it.
    fn execute(
        &self,
        sh: &Shell,
        target: &Target,
        index: &SparseIndex,
        version: &SemVer,
        plan: &[Step],
    ) -> Result<usize, (usize, anyhow::Error)> {
        let mut done = 0;
        for step in plan.iter().filter(|step| step.todo == Todo::Act) {
            let started = Instant::now();
            self.yank_one(sh, target, index, version, &step.name).map_err(|err| (done, err))?;
            done += 1;
            let seconds = started.elapsed().as_secs_f64();
            eprintln!("{}ed {} {version} ({seconds:.2}s)", self.verb(), step.name);
        }
        if done == 0 {
            eprintln!("nothing to {}: every crate already is as asked", self.verb());
        }
        Ok(done)
    }

    /// `cargo yank`, retried as publishing retries, then confirmed in the index.
    fn yank_one(
        &self,
        sh: &Shell,
        target: &Target,
        index: &SparseIndex,
        version: &SemVer,
        name: &str,
    ) -> anyhow::Result<()> {
        let cargo = crate::preflight::cargo_program();
        let args = cargo_yank(name, version, &target.registry.name, self.undo);
        let mut retry = Retry::default();
        loop {
            let arguments = &args;
            let out = cmd!(sh, "{cargo} {arguments...}").quiet().ignore_status().output()?;
            if out.status.success() {
                break;
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr = match &target.registry.token {
                Some(token) => token.redact(&stderr),
                None => stderr.into_owned(),
            };
            let failure = retry::classify(&stderr, SystemTime::now());
            let landed =
                || index.find(name, version).ok().flatten().is_some_and(|e| e.yanked != self.undo);
            if matches!(failure, retry::Failure::Transient(_)) && landed() {
                break;
            }
            let (wait, message) = retry.after(failure).map_err(|reason| {
                anyhow!("{name} {version}: {reason}: `cargo {}` failed", args.join(" "))
            })?;
            eprintln!("{name} {version}: {message}");
            std::thread::sleep(wait);
        }
        self.confirm(index, name, version)
    }

    /// Polls the index until it shows the new state: the next resolver must see it.
    fn confirm(&self, index: &SparseIndex, name: &str, version: &SemVer) -> anyhow::Result<()> {
        let started = Instant::now();
        for wait in Backoff::new(Duration::from_millis(100), Duration::from_secs(2)) {
            let entry = index.find(name, version)?;
            if entry.is_some_and(|entry| entry.yanked != self.undo) {
                return Ok(());
            }
            if started.elapsed() > INDEX_TIMEOUT {
                break;
            }
            std::thread::sleep(wait);
        }
        bail!(
            "{name} {version}: the registry accepted the {} but its index does not show it after {}s: run the same command again later",
            self.verb(),
            started.elapsed().as_secs()
        )
    }
}

/// `cargo yank --version X.Y.Z [--undo] --registry R NAME`, as arguments.
fn cargo_yank(name: &str, version: &SemVer, registry: &str, undo: bool) -> Vec<String> {
    let mut args = vec!["yank".to_owned(), "--version".to_owned(), version.to_string()];
    if undo {
        args.push("--undo".to_owned());
    }
    args.extend(["--registry".to_owned(), registry.to_owned(), name.to_owned()]);
    args
}
