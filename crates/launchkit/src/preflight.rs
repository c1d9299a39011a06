//! `cargo xtask preflight`: the whole pre-release checklist, read-only.
//!
//! Runs each step of [`steps::ALL`] in order (fmt, changelog, version, links, secrets,
//! audit, clippy, test, docs, build, package, breaking, outdated), reports every one as
//! passed, warning, failed or skipped with its time and findings, and exits with 0 only when none failed. `--release X.Y.Z`
//! names the version the release steps check. `--only` and `--skip` choose steps,
//! `--fail-fast` stops at the first failure, `--strict` (or `CI=true`) counts warnings and
//! steps that could not run (a missing tool, an unreachable resource) as failures; a step
//! that does not apply passes with a note. A step whose inputs have not changed since it
//! last passed or warned is reported again without running (`passed (cached)`, `warning
//! (cached)`, with its findings); `--no-cache` runs everything.

mod breaking;
mod cache;
mod changes;
pub mod diagnostics;
mod package;
pub mod scan;
pub mod steps;

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use launchkit_report::{Report, Status, StepReport};
use launchkit_workspace::Workspace;
use xshell::{Cmd, Shell, cmd};

use crate::flags;
use crate::output::{self, Output};

pub use steps::ALL as STEPS;

/// The steps the workspace's xtask added ([`crate::Launchkit::step`]), run after
/// [`STEPS`]. Set once, before the task runs.
static ADDED: std::sync::OnceLock<Vec<Step>> = std::sync::OnceLock::new();

/// Records the steps the workspace's xtask added.
pub fn add_steps(steps: Vec<Step>) {
    ADDED.set(steps).unwrap_or_else(|_| panic!("the added steps are set once, in `main`"));
}

/// The whole checklist: launchkit's steps, then the workspace's own.
fn all_steps() -> impl Iterator<Item = &'static Step> {
    STEPS.iter().chain(ADDED.get().into_iter().flatten())
}

/// True for a step the workspace's xtask added: launchkit cannot know what it reads, so
/// its pass is never cached.
fn is_added(step: &Step) -> bool {
    !STEPS.iter().any(|own| own.name == step.name)
}

/// Steps that read only Cargo.lock and the root manifest. Run alone, they get the
/// workspace's root from where Cargo.lock is, as cargo-audit does, instead of from
/// `cargo metadata`, which costs more than the audit itself.
const LOCKFILE_STEPS: &[&str] = &["audit"];

/// Steps whose pass is never cached (they read an advisory database or a registry). Run
/// alone, they need no cache, so the fingerprint of every tracked file is not computed.
const NEVER_CACHED: &[&str] = &["audit", "outdated"];

/// One check of the checklist.
pub struct Step {
    /// Name used by `--only`, `--skip`, and in every report.
    pub name: &'static str,
    /// Runs the check. An `Err` means the check could not run and fails the step.
    pub run: fn(&Ctx) -> anyhow::Result<Outcome>,
}

/// What a step found.
#[derive(Debug, Default)]
pub struct Outcome {
    status: Option<Status>,
    /// Why it was skipped, or what failed when findings do not say.
    pub reason: Option<String>,
    /// The command line it ran, repeated in the summary when it failed.
    pub command: Option<String>,
    /// The tool's output, shown when the step failed.
    pub output: Option<String>,
    /// What it found.
    pub findings: Vec<launchkit_report::Finding>,
    /// It read inputs the cache cannot fingerprint (a registry, an advisory database, git
    /// history), so its pass is never reused.
    volatile: bool,
    /// Skipped because the user chose so (`--offline`, a setting), which strict mode
    /// accepts: it fails only a missing tool or an unreachable resource.
    by_choice: bool,
}

impl Outcome {
    /// Skipped because it could not run (a missing tool, an unreachable resource), saying
    /// why and how to make it run. Strict mode counts it as failed.
    pub fn skipped(reason: impl Into<String>) -> Outcome {
        Outcome { status: Some(Status::Skipped), reason: Some(reason.into()), ..Outcome::default() }
    }

    /// Skipped because the user chose so (`--offline`, a setting), saying how to make it
    /// run. Strict mode accepts it: nothing that should have run failed to.
    pub fn skipped_by_choice(reason: impl Into<String>) -> Outcome {
        Outcome { by_choice: true, ..Outcome::skipped(reason) }
    }

    /// Passed with a note: the step does not apply (nothing to publish, no release to
    /// compare with yet), so there is nothing to check. Decided before any tool is looked
    /// up, so it never depends on what is installed.
    pub fn not_applicable(note: impl Into<String>) -> Outcome {
        Outcome { status: Some(Status::Passed), reason: Some(note.into()), ..Outcome::default() }
    }

    /// What a check found: failed with an error, warning with a warning, else passed.
    pub fn from_findings(findings: Vec<launchkit_report::Finding>) -> Outcome {
        Outcome { findings, ..Outcome::default() }
    }

    /// Marks the outcome as depending on inputs outside the workspace's files, so a pass
    /// is checked again on every run.
    pub fn volatile(mut self) -> Outcome {
        self.volatile = true;
        self
    }

    /// The outcome of a tool run: failed when the tool failed, even without findings.
    pub fn from_run(run: ToolRun, findings: Vec<launchkit_report::Finding>) -> Outcome {
        // cargo runs with `--locked`, so a Cargo.lock the manifests outgrew stops it.
        let stale_lock = !run.success && run.stderr.contains("--locked was passed to prevent this");
        Outcome {
            status: (!run.success).then_some(Status::Failed),
            reason: stale_lock.then(|| STALE_LOCK.to_owned()),
            command: Some(run.command),
            output: Some(run.output),
            findings,
            volatile: false,
            by_choice: false,
        }
    }

    fn status(&self) -> Status {
        self.status.unwrap_or_else(|| status_of(&self.findings))
    }

    /// What the cache keeps of a pass or a warning; a failure or a skip is not kept. A kept
    /// status is its findings' (a pass with a note has none), so it is not stored.
    fn kept(&self) -> Option<cache::Kept> {
        matches!(self.status(), Status::Passed | Status::Warning)
            .then(|| cache::Kept { reason: self.reason.clone(), findings: self.findings.clone() })
    }

    /// The outcome a kept result stands for.
    fn from_kept(kept: cache::Kept) -> Outcome {
        Outcome { reason: kept.reason, findings: kept.findings, ..Outcome::default() }
    }
}

/// Why a cargo step failed when `--locked` refused to update Cargo.lock.
const STALE_LOCK: &str = "Cargo.lock is missing or out of date with the manifests: run \
    `cargo update --workspace` and commit Cargo.lock (preflight runs cargo with --locked, \
    so it never rewrites it)";

/// Failed with an error among `findings`, warning with a warning, else passed.
pub fn status_of(findings: &[launchkit_report::Finding]) -> Status {
    use launchkit_report::Severity;
    match findings.iter().map(|finding| finding.severity).min() {
        Some(Severity::Error) => Status::Failed,
        Some(Severity::Warning) => Status::Warning,
        _ => Status::Passed,
    }
}

/// What every step gets: the shell (rooted at the workspace) and the workspace model.
pub struct Ctx<'a> {
    /// Shell whose current directory is the workspace root.
    pub sh: &'a Shell,
    /// The workspace being checked.
    pub ws: &'a Workspace,
    /// The command line, for steps with options of their own.
    pub(crate) flags: &'a flags::Preflight,
    /// The version `--release` names, if any.
    pub release: Option<flags::SemVer>,
    /// The registry the release publishes to; `None` for the one of the environment
    /// `LAUNCHKIT_ENV` (or the configuration) selects.
    pub registry: Option<String>,
    cargo: String,
    /// Keeps `sh` in the workspace root while the checks run: git lists paths relative
    /// to where it runs, and the task may start in a member's folder.
    _root: xshell::PushDir<'a>,
}

/// A finished tool run: whether it succeeded, its command line, and its output.
pub struct ToolRun {
    /// Exit status was zero.
    pub success: bool,
    /// The command line, for the report.
    pub command: String,
    /// What a person would read: stdout then stderr.
    pub output: String,
    /// stdout alone, for machine-readable output.
    pub stdout: String,
    /// stderr alone.
    pub stderr: String,
}

impl ToolRun {
    /// True when cargo could not find the subcommand, or rustup says its component is
    /// not installed. Checking this after the real run spares a `--version` spawn.
    pub fn tool_missing(&self) -> bool {
        !self.success
            && (self.stderr.contains("error: no such command")
                || self.stderr.contains("is not installed for the toolchain"))
    }

    /// Runs `cmd` to completion, without any token, capturing its output whatever its
    /// exit status. The command line is reported with `cargo` in place of the path in
    /// `cargo`.
    pub fn capture(cmd: Cmd<'_>, cargo: &str) -> anyhow::Result<ToolRun> {
        let command = cmd.to_string().replace(cargo, "cargo");
        let out = crate::tokens::strip(cmd)
            .quiet()
            .ignore_status()
            .output()
            .with_context(|| format!("cannot run `{command}`"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let output = format!("{stdout}{stderr}");
        Ok(ToolRun { success: out.status.success(), command, output, stdout, stderr })
    }

    /// A run that succeeded, for a step that ran `command` itself.
    pub fn succeeded(command: String) -> ToolRun {
        let (output, stdout, stderr) = (String::new(), String::new(), String::new());
        ToolRun { success: true, command, output, stdout, stderr }
    }

    /// A run that failed with `output`, for a step that ran `command` itself.
    pub fn failed(command: String, output: String) -> ToolRun {
        ToolRun { success: false, command, stdout: String::new(), stderr: output.clone(), output }
    }

    /// Several runs reported as one: succeeded when all did.
    pub fn chain(runs: Vec<ToolRun>) -> ToolRun {
        let mut chained = ToolRun {
            success: true,
            command: String::new(),
            output: String::new(),
            stdout: String::new(),
            stderr: String::new(),
        };
        for run in runs {
            chained.success &= run.success;
            if !chained.command.is_empty() {
                chained.command.push_str(" && ");
            }
            chained.command.push_str(&run.command);
            chained.output.push_str(&run.output);
            chained.stdout.push_str(&run.stdout);
            chained.stderr.push_str(&run.stderr);
        }
        chained
    }
}

/// `cargo`, or the one running us when `CARGO` is set, so the same toolchain runs.
pub fn cargo_program() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

impl<'a> Ctx<'a> {
    /// The context of checks on `ws`, run in `sh` moved to the workspace root.
    pub fn new(
        sh: &'a Shell,
        ws: &'a Workspace,
        flags: &'a flags::Preflight,
        release: Option<flags::SemVer>,
    ) -> Ctx<'a> {
        let _root = sh.push_dir(&ws.root);
        Ctx { sh, ws, flags, release, registry: None, cargo: cargo_program(), _root }
    }

    /// `cargo` (the one running us when `CARGO` is set) with `args`.
    pub fn cargo(&self, args: &[&str]) -> Cmd<'_> {
        let cargo = &self.cargo;
        cmd!(self.sh, "{cargo} {args...}")
    }

    /// `cargo SUBCOMMAND --locked ARGS`, so cargo never rewrites Cargo.lock. Preflight
    /// refuses its steps that build (clippy, test, docs, build, package) without a
    /// Cargo.lock; the tasks that share these steps (doctor) leave `--locked` out then, as
    /// `cargo publish` would.
    pub fn cargo_locked(&self, subcommand: &[&str], args: &[&str]) -> Cmd<'_> {
        let locked = self.ws.root.join("Cargo.lock").is_file().then_some("--locked");
        self.cargo(subcommand).args(locked).args(args)
    }

    /// Runs a command to completion, capturing its output whatever its exit status.
    pub fn capture(&self, cmd: Cmd<'_>) -> anyhow::Result<ToolRun> {
        ToolRun::capture(cmd, &self.cargo)
    }
}

impl flags::Preflight {
    /// Runs the checklist on the shell's workspace.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let selected = self.selected_steps()?;
        let ws = if selected.iter().all(|step| LOCKFILE_STEPS.contains(&step.name)) {
            lockfile_workspace(&sh.current_dir())?
        } else {
            Workspace::load(&sh.current_dir().join("Cargo.toml"))?
        };
        if let Some(step) = selected.iter().find(|step| needs_missing_lockfile(&ws, step)) {
            bail!("{}", no_lockfile(step.name));
        }
        let release = self.release.as_deref().map(flags::semver).transpose()?;
        let ctx = Ctx::new(sh, &ws, &self, release);
        let out = Output::new(self.format);
        let strict = self.strict || output::is_ci();
        let report = run_steps(&ctx, &selected, &out, strict, !self.no_cache, self.fail_fast);
        out.finish(&report)?;
        Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
    }

    /// The steps to run, in checklist order. An unknown name, a step both chosen and
    /// left out, and a flag that changes only steps this run leaves out are errors: each
    /// would report checks that were not made.
    fn selected_steps(&self) -> anyhow::Result<Vec<&'static Step>> {
        for name in self.only.iter().chain(&self.skip) {
            if !all_steps().any(|step| step.name == name) {
                let known: Vec<&str> = all_steps().map(|step| step.name).collect();
                bail!("unknown step `{name}`: use one of {}", known.join(", "));
            }
        }
        if let Some(name) = self.only.iter().find(|name| self.skip.contains(name)) {
            bail!("--only {name} and --skip {name} contradict each other: pass one of them");
        }
        if self.online && self.offline {
            bail!("--online and --offline contradict each other: pass one of them");
        }
        let selected: Vec<&'static Step> = all_steps()
            .filter(|step| self.only.is_empty() || self.only.iter().any(|name| name == step.name))
            .filter(|step| !self.skip.iter().any(|name| name == step.name))
            .collect();
        if selected.is_empty() {
            bail!(
                "--skip leaves no step to run: skip fewer steps, or name the ones to run with --only"
            );
        }
        let unset = flags::Preflight::default();
        // `--offline` is a promise (no network), which holds whatever runs.
        let options = cache::INPUTS.iter().filter(|input| {
            input.name.starts_with("--") && !input.steps.is_empty() && input.name != "--offline"
        });
        for input in options {
            let given = cache::flag(self, input.name) != cache::flag(&unset, input.name);
            if given && !selected.iter().any(|step| input.steps.contains(&step.name)) {
                bail!(
                    "{} changes only {}, which this run leaves out: drop the flag or run {}",
                    input.name,
                    input.steps.join(" and "),
                    input.steps.join(", ")
                );
            }
        }
        Ok(selected)
    }
}

/// The workspace as the lockfile steps see it: the nearest folder up from `dir` that holds
/// Cargo.lock (cargo writes it at the workspace root), with no members read. Without a
/// Cargo.lock, the workspace cargo metadata describes, so the steps say what is missing.
fn lockfile_workspace(dir: &std::path::Path) -> anyhow::Result<Workspace> {
    let manifest = dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Ok(Workspace::load(&manifest)?);
    }
    match dir.ancestors().find(|folder| folder.join("Cargo.lock").is_file()) {
        Some(root) => Ok(Workspace {
            root: root.to_path_buf(),
            target_dir: root.join("target"),
            members: Vec::new(),
            config: serde_json::Value::Null,
        }),
        None => Ok(Workspace::load(&manifest)?),
    }
}

/// The whole checklist for the release of `release`, as `cargo xtask release` requires
/// it: steps that passed with these inputs are taken from the cache, the rest run, each
/// reported on stderr as it finishes.
pub fn gate(sh: &Shell, ws: &Workspace, registry: &str, release: &flags::SemVer) -> Report {
    let flags = flags::Preflight { release: Some(release.to_string()), ..Default::default() };
    let mut ctx = Ctx::new(sh, ws, &flags, Some(release.clone()));
    ctx.registry = Some(registry.to_owned());
    let steps: Vec<&Step> = all_steps().collect();
    run_steps(&ctx, &steps, &Output::new(None), output::is_ci(), true, false)
}

/// Runs `steps` in order with the cache and reports each through `out`.
fn run_steps(
    ctx: &Ctx,
    steps: &[&Step],
    out: &Output,
    strict: bool,
    trust_cache: bool,
    fail_fast: bool,
) -> Report {
    let mut cache = if steps.iter().all(|step| NEVER_CACHED.contains(&step.name)) {
        cache::Cache::disabled()
    } else {
        cache::Cache::open(ctx, trust_cache)
    };
    let mut report = Report::new("preflight");
    for (index, step) in steps.iter().enumerate() {
        let step_report = run_step(ctx, step, &mut cache, strict);
        out.step_done(&step_report);
        let failed = step_report.status == Status::Failed;
        report.steps.push(step_report);
        if failed && fail_fast {
            for rest in &steps[index + 1..] {
                let mut skipped = StepReport::new(rest.name, Status::Skipped);
                skipped.reason = Some(format!("not run: --fail-fast stopped at {}", step.name));
                out.step_done(&skipped);
                report.steps.push(skipped);
            }
            break;
        }
    }
    cache.save();
    report
}

fn run_step(ctx: &Ctx, step: &Step, cache: &mut cache::Cache, strict: bool) -> StepReport {
    if needs_missing_lockfile(ctx.ws, step) {
        let mut report = StepReport::new(step.name, Status::Failed);
        report.reason = Some(no_lockfile(step.name));
        return report;
    }
    // A step's part that reads a registry runs every time, even on a cached result.
    let live = steps::LIVE.iter().find(|(name, _)| *name == step.name).map(|(_, live)| live);
    if let Some(kept) = cache.fresh(ctx, step.name) {
        let mut report = run_check(step.name, strict, || {
            let mut outcome = Outcome::from_kept(kept);
            outcome.findings.extend(live.map(|live| live(ctx)).unwrap_or_default());
            Ok(outcome)
        });
        report.cached = true;
        return report;
    }
    let mut kept = None;
    let report = run_check(step.name, strict, || {
        let mut outcome = (step.run)(ctx)?;
        // A result that read a moving source (git history, the advisory database, a
        // registry) is not kept: the same files can give another answer tomorrow.
        if !outcome.volatile && !is_added(step) {
            kept = outcome.kept();
        }
        if let (Some(live), Status::Passed | Status::Warning) = (live, outcome.status()) {
            outcome.findings.extend(live(ctx));
        }
        Ok(outcome)
    });
    // The live part's findings are not the step's: its own result is what is kept.
    cache.record(ctx, step.name, kept);
    report
}

/// True when `step` runs cargo with `--locked` and the workspace has no Cargo.lock: cargo
/// would write one, and preflight writes nothing outside the target directory.
fn needs_missing_lockfile(ws: &Workspace, step: &Step) -> bool {
    steps::LOCKED.contains(&step.name) && !ws.root.join("Cargo.lock").is_file()
}

fn no_lockfile(step: &str) -> String {
    format!(
        "the workspace has no Cargo.lock, which `{step}` needs: run `cargo generate-lockfile` \
         (preflight runs cargo with --locked and never writes it)"
    )
}

/// Runs `checks` in order on `ctx` for task `command`, reporting each through `format`'s
/// output as it finishes and then the whole report. Exit code 1 when a check failed.
pub fn run_checks<C, F: Fn(&C) -> anyhow::Result<Outcome>>(
    command: &str,
    checks: &[(&str, F)],
    ctx: &C,
    strict: bool,
    format: Option<flags::Format>,
) -> anyhow::Result<ExitCode> {
    let out = Output::new(format);
    let mut report = Report::new(command);
    for (name, check) in checks {
        let step = run_check(name, strict, || check(ctx));
        out.step_done(&step);
        report.steps.push(step);
    }
    out.finish(&report)?;
    Ok(if report.passed() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

/// Runs one check and reports it: its time, its outcome or the error that stopped it,
/// and in strict mode a warning, or a skip the user did not choose, counted as a failure. Every task that reports
/// checks as steps (preflight, verify, doctor) runs them through here.
pub fn run_check(
    name: &str,
    strict: bool,
    check: impl FnOnce() -> anyhow::Result<Outcome>,
) -> StepReport {
    let started = Instant::now();
    let mut report = StepReport::new(name, Status::Passed);
    let mut by_choice = false;
    match check() {
        Ok(outcome) => {
            by_choice = outcome.by_choice;
            report.status = outcome.status();
            report.reason = outcome.reason;
            report.command = outcome.command;
            report.output = outcome.output;
            report.findings = outcome.findings;
        }
        Err(err) => {
            report.status = Status::Failed;
            report.reason = Some(format!("{err:#}"));
        }
    }
    report.duration = started.elapsed();
    if report.status != Status::Failed {
        // The tool's output is only worth keeping when something failed.
        report.output = None;
    }
    let strict_fails = match report.status {
        Status::Warning => true,
        Status::Skipped => !by_choice,
        _ => false,
    };
    output::cap(&mut report);
    if strict && strict_fails {
        let was = report.status.as_str();
        let why = report.reason.take().map(|reason| format!(": {reason}")).unwrap_or_default();
        report.reason = Some(format!("{was} counts as failed in strict mode{why}"));
        report.status = Status::Failed;
    }
    report
}
