//! `cargo xtask release <major|minor|patch|alpha|beta|rc|release|X.Y.Z>`: ship a release.
//!
//! 1. Takes the release lock (one release at a time), then checks every precondition
//!    before anything changes and reports all failures at once: a clean tree, an
//!    allowed branch, not behind the remote, the tag free, the version above the current
//!    one and the registry's, a non-empty `[Unreleased]`, tokens for the registry and
//!    the forge, what trusted publishing cannot do (a new crate, a crate that takes only
//!    trusted publishing when only a token is available), not a Friday, and preflight passed for this exact tree (cached passes
//!    count, else it runs).
//! 2. Prints the plan: the version and changelog edits as diffs, then each step with what
//!    it will do and whether it is already done. Without `--execute` nothing else happens.
//! 3. With `--execute`, runs the steps: write, commit, tag, push, publish, forge, docs,
//!    record. Each reads the real state first and skips what is done, so the same command
//!    resumes a release that stopped, wherever it stopped. Until something leaves the
//!    repository (push, upload, forge release, docs hook), a failure undoes exactly what
//!    the release made (the ids and contents its journal recorded), keeping any change
//!    made meanwhile; after that, the error says what is done and that running the same
//!    command again resumes.
//!
//! The environment (`--env`, see docs/configuration.md) decides where it pushes and
//! publishes; docs/releasing.md walks through a project's releases.

mod checks;
mod execute;
mod forge;
pub mod git;
mod journal;
pub(crate) mod lock;
mod notify;
mod outward;
mod record;
mod show;
mod steps;
mod target;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{anyhow, bail};
use launchkit_changelog::Date;
use launchkit_registry::Registry;
use launchkit_report::Status;
use launchkit_workspace::Workspace;
use launchkit_workspace::version::Bump;
use xshell::Shell;

use self::checks::Checks;
use self::git::Git;
use self::journal::Journal;
use self::target::Target;
use crate::config::{self, Environment, Forge};
use crate::deployments::{self, StepRecord};
use crate::flags;

/// Everything a release is about, read before anything changes.
pub struct Release {
    /// Where it goes.
    pub env: Environment,
    /// The version and its edits.
    pub target: Target,
    /// The release tag.
    pub tag: String,
    /// The release commit's message.
    pub message: String,
    /// The branch it is cut from.
    pub branch: String,
    /// The registry, when the environment publishes.
    pub registry: Option<Registry>,
    /// The crates to publish, batch after batch.
    pub batches: Vec<Vec<String>>,
    /// Every crate of the release, in publish order when it publishes.
    pub crates: Vec<String>,
    /// The forge project, when the environment makes forge releases.
    pub forge: Option<launchkit_forge::Project>,
    /// The workspace's target directory, where `cargo package` writes the `.crate`s.
    pub target_dir: PathBuf,
    /// The command that resumes this release.
    pub command: String,
}

/// What the steps work with.
pub struct Ctx<'a> {
    /// Shell rooted at the workspace.
    pub sh: &'a Shell,
    /// The repository.
    pub git: &'a Git<'a>,
    /// The workspace root.
    pub root: &'a Path,
    /// The release.
    pub release: &'a Release,
    /// The journal file.
    pub journal_path: PathBuf,
    /// The journal: this run's when executing, an interrupted run's in a dry run.
    pub journal: Option<Journal>,
    /// The steps this run went through (the checks first), with their status.
    pub outcomes: Vec<StepRecord>,
}

impl Ctx<'_> {
    /// This run's journal.
    pub fn journal_mut(&mut self) -> &mut Journal {
        self.journal.as_mut().expect("the journal exists while the release executes")
    }

    /// Writes the journal back to its file.
    pub fn save_journal(&self) -> anyhow::Result<()> {
        match &self.journal {
            Some(journal) => journal.save(&self.journal_path),
            None => Ok(()),
        }
    }
}

impl flags::Release {
    /// Checks, prints the plan and, with `--execute`, releases.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let bump: Bump = self.bump.parse()?;
        let date = self.date.as_deref().map(str::parse::<Date>).transpose();
        let date = date.map_err(|err| anyhow!("--date: {err}"))?;
        let git = Git::new(sh);
        if !git.has_commits() {
            bail!("not a git repository with a commit: release from a clone of the project");
        }
        // One release at a time: the lock comes before any check and is held to the end.
        let common_dir = git.common_dir()?;
        let lock_path = lock::path(&common_dir);
        let _lock = match self.execute {
            true => Some(lock::take(&lock_path, &self.command(sh))?),
            false => None,
        };
        checks::lock(&lock_path, self.execute)?;
        let journal_path = journal::path(&common_dir);
        let journal = Journal::read(&journal_path)?;
        let manifest = sh.current_dir().join("Cargo.toml");
        let mut ws = Workspace::load(&manifest)?;
        let mut env =
            config::environment(&ws.config, self.env.as_deref(), |name| std::env::var(name).ok())?;
        env.allow_friday |= self.allow_friday;
        if ws.config.get("versioning").and_then(|value| value.as_str()) == Some("independent") {
            bail!(
                "this workspace versions its crates independently, and release ships one version for all: publish each crate with `{} publish`",
                crate::output::program()
            );
        }
        if self.execute && execute::restore_interrupted(&git, journal.as_ref())? {
            ws = Workspace::load(&manifest)?;
        }
        let started = std::time::Instant::now();
        let release = self.check(&git, &ws, env, &bump, date, journal.as_ref())?;
        let checks = StepRecord {
            name: "checks".into(),
            status: "done".into(),
            duration_ms: deployments::millis(started.elapsed()),
        };
        let outcomes = vec![checks];
        let mut ctx = Ctx {
            sh,
            git: &git,
            root: &ws.root,
            release: &release,
            journal_path,
            journal,
            outcomes,
        };
        show::plan(&ctx, &ws);
        if !self.execute {
            eprintln!("dry run: nothing was changed; add --execute to release");
            return Ok(ExitCode::SUCCESS);
        }
        execute::run(&mut ctx)
    }

    /// Runs every precondition; any failure stops the run before anything changed.
    fn check(
        &self,
        git: &Git,
        ws: &Workspace,
        env: Environment,
        bump: &Bump,
        date: Option<Date>,
        journal: Option<&Journal>,
    ) -> anyhow::Result<Release> {
        let mut checks = Checks::default();
        let target = target::read(ws, git, &env, bump, date)
            .map_err(|failures| failures.into_iter().for_each(|f| checks.add("version", Err(f))))
            .ok();
        if let Some(journal) = journal {
            eprintln!(
                "note    the release of {} (process {}) stopped unfinished; --execute picks it up",
                journal.version, journal.pid
            );
        }
        checks.add("tree", checks::tree(git, journal));
        let branch = checks.value("branch", checks::branch(git, &env));
        if let Some(branch) = branch.as_deref().filter(|_| env.push) {
            checks.add("remote", checks::upstream(git, &env, branch));
        }
        let tag = target.as_ref().map(|target| format!("{}{}", env.tag_prefix, target.version));
        if let (Some(target), Some(tag)) = (&target, &tag) {
            checks.add("tag", checks::tag(git, &env, target, tag));
        }
        let (registry, batches) = match env.publish {
            true => checks.value("registry", checks::registry(ws, &env, target.as_ref())).unzip(),
            false => (None, None),
        };
        if let (Some(registry), Some(batches)) = (&registry, &batches) {
            checks.add("token", checks::registry_token(registry, &env));
            let crates: Vec<String> = batches.iter().flatten().cloned().collect();
            checks.add("trusted", checks::trusted_publishing(registry, &env, &crates));
        }
        let forge = (env.push && env.forge != Some(Forge::None))
            .then(|| checks.value("forge", forge_target(git, ws, &env)))
            .flatten();
        if let Some(target) = &target {
            checks.add("friday", checks::friday(&env, target));
        }
        let (Some(target), Some(tag), Some(branch), true) =
            (target, tag, branch, checks.failures.is_empty())
        else {
            bail!("{}", refusal(&env, &checks.failures));
        };
        if target.resuming() {
            eprintln!("skip    preflight  resuming: it passed before the release commit was made");
        } else {
            checks.add("preflight", preflight(git.sh(), ws, &env.registry, &target.version));
            if !checks.failures.is_empty() {
                bail!("{}", refusal(&env, &checks.failures));
            }
        }
        Ok(Release {
            message: target::message(&target.version),
            command: self.command(git.sh()),
            env,
            target,
            tag,
            branch,
            crates: match &batches {
                Some(batches) => batches.iter().flatten().cloned().collect(),
                None => ws.publishable().map(|member| member.name.clone()).collect(),
            },
            registry,
            batches: batches.unwrap_or_default(),
            forge: forge.flatten(),
            target_dir: ws.target_dir.clone(),
        })
    }

    /// `[LAUNCHKIT_*=..] cargo xtask [--manifest-path ..] release LEVEL [flags] --execute`,
    /// as this run: what a user types to resume it, in this shell or another.
    fn command(&self, sh: &Shell) -> String {
        let mut command: String = config::variables(|name| std::env::var(name).ok())
            .into_iter()
            .map(|variable| variable + " ")
            .collect();
        command.push_str(&crate::publish::xtask_command(sh));
        command.push_str(&format!(" release {}", self.bump));
        if let Some(env) = &self.env {
            command.push_str(&format!(" --env {env}"));
        }
        if let Some(date) = &self.date {
            command.push_str(&format!(" --date {date}"));
        }
        if self.allow_friday {
            command.push_str(" --allow-friday");
        }
        command + " --execute"
    }
}

/// The error of a refused release: every failed check, and that nothing changed.
fn refusal(env: &Environment, failures: &[String]) -> String {
    let head = format!("cannot release to {} (nothing was changed)", env.name);
    match failures {
        [one] => format!("{head}: {one}"),
        many => {
            let lines: Vec<String> = many.iter().map(|failure| format!("  {failure}")).collect();
            format!("{head}, {} checks failed:\n{}", many.len(), lines.join("\n"))
        }
    }
}

/// The forge project (none with `forge = "none"`) and a token for it.
fn forge_target(
    git: &Git,
    ws: &Workspace,
    env: &Environment,
) -> Result<(Option<launchkit_forge::Project>, String), String> {
    let url = git.remote_url(&env.remote);
    let repository = ws.publishable().find_map(|member| member.repository.clone());
    let Some(project) = forge::project(env, url.as_deref(), repository.as_deref())? else {
        return Ok((None, "forge = none: no forge release".into()));
    };
    let (kind, path) = (project.kind, &project.path);
    if forge::token(kind).is_none() {
        return Err(format!(
            "no {kind} token: set {} to a token that may write releases of {path}",
            forge::token_names(kind)
        ));
    }
    let what = format!("{kind} releases of {path} at {}", project.api);
    Ok((Some(project), what))
}

/// The preflight checklist for this tree and version, cached passes included.
fn preflight(
    sh: &Shell,
    ws: &Workspace,
    registry: &str,
    version: &flags::SemVer,
) -> Result<String, String> {
    let report = crate::preflight::gate(sh, ws, registry, version);
    let named = |status: Status| -> Vec<&str> {
        let steps = report.steps.iter().filter(|step| step.status == status);
        steps.map(|step| step.name.as_str()).collect()
    };
    let failed = named(Status::Failed);
    if failed.is_empty() {
        let cached = report.steps.iter().filter(|step| step.cached).count();
        let passed = report.count(Status::Passed);
        let mut summary = format!("{passed} steps passed ({cached} from the cache)");
        for (status, words) in [(Status::Warning, "with warnings"), (Status::Skipped, "skipped")] {
            let names = named(status);
            if !names.is_empty() {
                summary.push_str(&format!(", {} {words}", names.join(", ")));
            }
        }
        return Ok(summary);
    }
    Err(format!(
        "{} failed: fix them and commit; `{} preflight --release {version}` shows the findings",
        failed.join(", "),
        crate::output::program()
    ))
}
