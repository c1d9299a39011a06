//! Running the steps (under the lock `release.rs` took first): start or carry on the
//! journal, run each step that is not done, and on a failure either restore the
//! repository (nothing left it yet) or say what is done and how to resume.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use xshell::cmd;

use super::git::Git;
use super::journal::{self, Journal};
use super::notify::{self, Event};
use super::steps::{Reach, STEPS, State};
use super::{Ctx, checks};
use crate::deployments::{self, StepRecord};
use crate::{clock, tokens};

/// Runs the release, returning its exit code: 0 released, 1 stopped.
pub fn run(ctx: &mut Ctx) -> anyhow::Result<ExitCode> {
    start_journal(ctx)?;
    let started = Instant::now();
    let (mut external, mut acted_any) = (false, false);
    for (number, step) in STEPS.iter().enumerate() {
        let begun = Instant::now();
        let result = (step.state)(ctx).and_then(|state| match state {
            Some(state) => Ok((state, false)),
            None => (step.act)(ctx).map(|did| (State::Done(did), true)),
        });
        let duration_ms = deployments::millis(begun.elapsed());
        let (state, acted) = match result {
            Ok(done) => done,
            Err(err) => {
                if let Reach::Outside { partly } = step.reach {
                    external |= partly(ctx);
                }
                return stop(ctx, step.name, &err, external);
            }
        };
        let (status, text) = match &state {
            State::Done(text) if acted => ("done", text),
            State::Done(text) => ("found", text),
            State::Off(text) => ("off", text),
        };
        external |= matches!(step.reach, Reach::Outside { .. }) && status != "off";
        if acted {
            acted_any = true;
            ctx.journal_mut().steps.insert(step.name.to_owned(), duration_ms);
            ctx.save_journal()?;
        }
        ctx.outcomes.push(StepRecord {
            name: step.name.into(),
            status: status.into(),
            duration_ms,
        });
        let seconds = begun.elapsed().as_secs_f64();
        eprintln!(
            "[{}/{}] {:<8} {status:<6} {text} ({seconds:.2}s)",
            number + 1,
            STEPS.len(),
            step.name
        );
    }
    journal::remove(&ctx.journal_path)?;
    let release = ctx.release;
    let (version, env) = (&release.target.version, &release.env.name);
    if acted_any {
        let seconds = started.elapsed().as_secs_f64();
        println!("released {version} to {env}: tag {} in {seconds:.1}s", release.tag);
        notify::send(release, &Event::Released);
    } else {
        println!("{version} was already released to {env}: nothing to do");
    }
    Ok(ExitCode::SUCCESS)
}

/// Starts this run's journal, carrying on the journal of an interrupted run of the same
/// release.
fn start_journal(ctx: &mut Ctx) -> anyhow::Result<()> {
    let target = &ctx.release.target;
    let (version, environment) = (target.version.to_string(), ctx.release.env.name.clone());
    let same = ctx.journal.take().filter(|journal| {
        journal.version == version
            && journal.environment == environment
            && journal.start == target.start
    });
    let journal = match same {
        Some(mut journal) => {
            journal.pid = std::process::id();
            journal.runs += 1;
            if !target.resuming() {
                // It stopped before its commit and was restored: this run starts over.
                (journal.files, journal.docs_hook) = (Vec::new(), false);
                (journal.commit, journal.tag) = (None, None);
                journal.steps.clear();
            } else {
                // Killed between its commit (or tag) and noting it: HEAD is the release
                // commit on top of where this journal's release started.
                let (git, tag) = (ctx.git, &ctx.release.tag);
                if journal.commit.is_none() && git.rev("HEAD~1").as_ref() == Some(&journal.start) {
                    journal.commit = git.head().ok();
                }
                let tagged = git.tag_commit(tag).is_some_and(|at| journal.commit == Some(at));
                if journal.tag.is_none() && tagged {
                    journal.tag = git.tag_object(tag);
                }
            }
            journal
        }
        None => Journal {
            pid: std::process::id(),
            version,
            environment,
            start: target.start.clone(),
            started: clock::now(),
            runs: 1,
            files: Vec::new(),
            commit: None,
            tag: None,
            steps: Default::default(),
            docs_hook: false,
        },
    };
    ctx.journal = Some(journal);
    // The checks of the run that started the release (with its preflight) are the ones
    // worth recording.
    let checks = ctx.outcomes.first().map(|checks| checks.duration_ms).unwrap_or_default();
    ctx.journal_mut().steps.entry("checks".into()).or_insert(checks);
    ctx.save_journal()
}

/// Reports a failed step (and notifies the webhooks) after [`stop_here`].
fn stop(ctx: &Ctx, step: &str, err: &anyhow::Error, external: bool) -> anyhow::Result<ExitCode> {
    let code = stop_here(ctx, step, err, external);
    let event = Event::Stopped { step, error: format!("{err:#}"), restored: !external };
    notify::send(ctx.release, &event);
    code
}

/// Restores the repository when nothing left it, otherwise says what is done and how to
/// resume.
fn stop_here(
    ctx: &Ctx,
    step: &str,
    err: &anyhow::Error,
    external: bool,
) -> anyhow::Result<ExitCode> {
    let release = ctx.release;
    let head =
        format!("release {} to {} stopped at {step}", release.target.version, release.env.name);
    eprintln!("error: {head}: {err:#}");
    if !external {
        let moved = if step == "push" { remote_moved(ctx) } else { None };
        let start = checks::short(&release.target.start);
        let next = match &moved {
            Some(pull) => format!("{pull}, then run again"),
            None => "fix the problem and run again".into(),
        };
        match restore(ctx) {
            Ok(kept) if kept.is_empty() => eprintln!(
                "restored: the repository is back at {start} as it was (release commit and tag removed, files restored); {next}: {}",
                release.command
            ),
            Ok(kept) => eprintln!(
                "restored what the release made, but kept what changed meanwhile:\n  {}\nsort these out, then {next}: {}",
                kept.join("\n  "),
                release.command
            ),
            Err(restore_err) => eprintln!(
                "error: restoring the repository failed: {restore_err:#}: the journal {} lists what the release made (commit, tag, files with their old text); undo them by hand (`git reset --keep`, which refuses to lose a change, rather than `--hard`)",
                ctx.journal_path.display()
            ),
        }
        return Ok(ExitCode::FAILURE);
    }
    let done: Vec<String> = ctx
        .outcomes
        .iter()
        .filter(|outcome| outcome.status != "off")
        .map(|outcome| outcome.name.clone())
        .collect();
    let position = STEPS.iter().position(|candidate| candidate.name == step).unwrap_or(0);
    let left: Vec<&str> = STEPS[position..].iter().map(|step| step.name).collect();
    eprintln!("done: {}", done.join(", "));
    eprintln!("not done: {}", left.join(", "));
    eprintln!("the same command resumes the release: {}", release.command);
    Ok(ExitCode::FAILURE)
}

/// After a failed push, the advice when the remote moved on (another clone pushed, or
/// released first): its branch has commits the release's start lacks.
fn remote_moved(ctx: &Ctx) -> Option<String> {
    let (release, git) = (ctx.release, ctx.git);
    let (remote, branch) = (&release.env.remote, &release.branch);
    let branch_ref = format!("refs/heads/{branch}");
    let refs = git.remote_refs(remote, std::slice::from_ref(&branch_ref)).ok()?;
    let theirs = refs.get(&branch_ref)?;
    let moved = !git.is_ancestor(theirs, &release.target.start);
    moved.then(|| {
        format!(
            "{remote}/{branch} moved on while this release ran (another clone pushed or released): run `git pull --rebase {remote} {branch}`"
        )
    })
}

/// Undoes exactly what the release made, as its journal recorded it: the tag while it
/// still names the tag object made, the release commit while the branch still points at
/// it (`git update-ref` with the expected old value), each written file while it still
/// holds what the release wrote. What changed meanwhile is kept and returned, one line
/// each; nothing is ever reset wholesale.
fn restore(ctx: &Ctx) -> anyhow::Result<Vec<String>> {
    let (sh, release) = (ctx.sh, ctx.release);
    let Some(journal) = &ctx.journal else { return Ok(Vec::new()) };
    let start = &release.target.start;
    let mut kept = Vec::new();
    if let Some(object) = &journal.tag {
        let name = format!("refs/tags/{}", release.tag);
        let delete = cmd!(sh, "git update-ref -d {name} {object}");
        if tokens::strip(delete).quiet().ignore_stderr().run().is_err() {
            kept.push(format!("tag {}: it no longer names the release's tag object", release.tag));
        }
    }
    let mut files_ours = true;
    if let Some(commit) = &journal.commit {
        let name = format!("refs/heads/{}", release.branch);
        let why = "launchkit: undo the release commit";
        let moved = cmd!(sh, "git update-ref -m {why} {name} {start} {commit}");
        let moved = tokens::strip(moved).quiet().ignore_stderr();
        if moved.run().is_err() {
            files_ours = false;
            kept.push(format!(
                "the release commit {}: {} moved past it; undo it with `git revert {0}` or `git rebase`",
                checks::short(commit),
                release.branch
            ));
        }
    }
    if files_ours {
        for file in &journal.files {
            let now = std::fs::read_to_string(&file.path).ok();
            if now.as_deref() == Some(file.before.as_str()) {
                continue;
            }
            let ours = file.after.is_none() || now.as_deref() == file.after.as_deref();
            if !ours {
                let shown = super::steps::relative(ctx, &file.path);
                kept.push(format!(
                    "{shown}: changed during the release, so it still holds the release's edit and yours (see `git diff -- {shown}`)"
                ));
                continue;
            }
            std::fs::write(&file.path, &file.before)
                .with_context(|| format!("cannot restore {}", file.path.display()))?;
        }
        // The index: the written files' entries back to the start (a commit that failed
        // after `git add` left them staged); the working tree is not touched.
        let paths: Vec<String> =
            journal.files.iter().map(|file| super::steps::relative(ctx, &file.path)).collect();
        let tracked = ctx.git.tracked(&paths)?;
        if !tracked.is_empty() {
            cmd!(sh, "git reset -q -- {tracked...}").run()?;
        }
    }
    journal::remove(&ctx.journal_path)?;
    Ok(kept)
}

/// A release killed between writing its files and committing them left its edits in the
/// working tree; puts the files back so the run can start over. True when it did.
pub fn restore_interrupted(git: &Git, journal: Option<&Journal>) -> anyhow::Result<bool> {
    let Some(journal) = journal.filter(|journal| !journal.files.is_empty()) else {
        return Ok(false);
    };
    // The lock this run holds says the interrupted run is gone.
    if git.head()? != journal.start {
        return Ok(false);
    }
    let mut restored = 0;
    for file in &journal.files {
        let now = std::fs::read_to_string(&file.path).unwrap_or_default();
        if now == file.before {
            continue;
        }
        if file.after.as_ref().is_some_and(|after| *after != now) {
            bail!(
                "{} changed after the interrupted release of {} wrote it: restore it by hand (git checkout -- {0}) and run again",
                file.path.display(),
                journal.version
            );
        }
        std::fs::write(&file.path, &file.before)
            .with_context(|| format!("cannot restore {}", file.path.display()))?;
        restored += 1;
    }
    if restored > 0 {
        // A kill after `git add` left the edits staged too.
        let paths: Vec<String> =
            journal.files.iter().map(|file| file.path.display().to_string()).collect();
        let tracked = git.tracked(&paths)?;
        let sh = git.sh();
        cmd!(sh, "git reset -q -- {tracked...}").run()?;
        eprintln!(
            "restored {restored} files the interrupted release of {} (process {}) had written",
            journal.version, journal.pid
        );
    }
    Ok(restored > 0)
}
