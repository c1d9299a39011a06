//! The steps of a release, in order. Each one can say what it will do, read whether it
//! is already done (or not part of this environment), and do it.
//!
//! This file holds the steps that stay in the repository (write, commit, tag);
//! `outward.rs` those that reach the remote, the registry, the forge and the docs site,
//! and `record.rs` the deployment record.

use anyhow::Context;
use xshell::cmd;

use super::journal::Written;
use super::{Ctx, checks, outward, record};
use crate::tokens;

/// Where a step stands before it runs.
pub enum State {
    /// Nothing to do: the real state already has it.
    Done(String),
    /// Not part of this environment.
    Off(String),
}

/// How far a step reaches.
#[derive(Clone, Copy)]
pub enum Reach {
    /// It changes the repository only.
    Local,
    /// It changes things outside; after a failure, `partly` reads whether it got far
    /// enough to leave something there.
    Outside {
        /// Whether a failed attempt left something outside.
        partly: fn(&Ctx) -> bool,
    },
}

/// One step of the release.
pub struct Step {
    /// Its name, in the plan, the progress and the deployment record.
    pub name: &'static str,
    /// Whether it changes things outside the repository, which no restore takes back.
    pub reach: Reach,
    /// What it will do, for the plan.
    pub describe: fn(&Ctx) -> String,
    /// Reads the real state: `None` when there is work to do.
    pub state: fn(&Ctx) -> anyhow::Result<Option<State>>,
    /// Does the work; says what it did.
    pub act: fn(&mut Ctx) -> anyhow::Result<String>,
}

/// Every step, in the order a release runs them.
pub static STEPS: &[Step] = &[
    Step {
        name: "write",
        reach: Reach::Local,
        describe: describe_write,
        state: written,
        act: write,
    },
    Step {
        name: "commit",
        reach: Reach::Local,
        describe: describe_commit,
        state: committed,
        act: commit,
    },
    Step { name: "tag", reach: Reach::Local, describe: describe_tag, state: tagged, act: tag },
    outward::PUSH,
    outward::PUBLISH,
    outward::FORGE,
    outward::DOCS,
    record::RECORD,
];

fn describe_write(ctx: &Ctx) -> String {
    let target = &ctx.release.target;
    if target.edits.is_empty() {
        return format!("version {} and its changelog entry", target.version);
    }
    let mut files: Vec<String> =
        target.edits.iter().map(|edit| relative(ctx, &edit.path)).collect();
    if target.lockfile.is_some() {
        files.push("Cargo.lock (cargo update --workspace)".into());
    }
    format!("version {} and its changelog entry: {}", target.version, files.join(", "))
}

fn written(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    let target = &ctx.release.target;
    Ok(target.edits.is_empty().then(|| {
        State::Done(format!("the manifests and the changelog already say {}", target.version))
    }))
}

/// Writes the manifests and the changelog, then lets cargo update Cargo.lock. The journal
/// learns every file's old text first, so even a kill halfway can be undone.
fn write(ctx: &mut Ctx) -> anyhow::Result<String> {
    let target = &ctx.release.target;
    let mut files: Vec<Written> = target
        .edits
        .iter()
        .map(|edit| Written {
            path: edit.path.clone(),
            before: edit.before.clone(),
            after: Some(edit.after.clone()),
        })
        .collect();
    if let Some(lockfile) = &target.lockfile {
        let before = std::fs::read_to_string(lockfile)
            .with_context(|| format!("cannot read {}", lockfile.display()))?;
        files.push(Written { path: lockfile.clone(), before, after: None });
    }
    let count = files.len();
    ctx.journal_mut().files = files;
    ctx.save_journal()?;
    for edit in &target.edits {
        std::fs::write(&edit.path, &edit.after)
            .with_context(|| format!("cannot write {}", edit.path.display()))?;
    }
    if let Some(lockfile) = &target.lockfile {
        let sh = ctx.sh;
        let cargo = crate::preflight::cargo_program();
        tokens::strip(cmd!(sh, "{cargo} update --workspace --quiet")).run()?;
        let after = std::fs::read_to_string(lockfile)?;
        if let Some(file) = ctx.journal_mut().files.last_mut() {
            file.after = Some(after);
        }
        ctx.save_journal()?;
    }
    Ok(format!("{count} files"))
}

fn describe_commit(ctx: &Ctx) -> String {
    format!("git commit -m \"{}\"", ctx.release.message)
}

fn committed(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    let head = ctx.git.head()?;
    let subject = ctx.git.subject("HEAD")?;
    Ok((subject == ctx.release.message)
        .then(|| State::Done(format!("{} is the release commit", checks::short(&head)))))
}

/// Commits the files the write step changed (those git tracks: an ignored Cargo.lock
/// stays out).
fn commit(ctx: &mut Ctx) -> anyhow::Result<String> {
    let target = &ctx.release.target;
    let mut paths: Vec<String> =
        target.edits.iter().map(|edit| relative(ctx, &edit.path)).collect();
    paths.extend(target.lockfile.iter().map(|path| relative(ctx, path)));
    let tracked = ctx.git.tracked(&paths)?;
    let (sh, message) = (ctx.sh, &ctx.release.message);
    // Git hooks are the project's code: no token for them either.
    tokens::strip(cmd!(sh, "git add -- {tracked...}")).run()?;
    tokens::strip(cmd!(sh, "git commit -q -m {message}")).run()?;
    let head = ctx.git.head()?;
    ctx.journal_mut().commit = Some(head.clone());
    ctx.save_journal()?;
    Ok(checks::short(&head).to_owned())
}

fn describe_tag(ctx: &Ctx) -> String {
    let notes: Vec<String> =
        ctx.release.target.notes.lines().map(|line| format!("    | {line}")).collect();
    format!(
        "git tag -a {}, with the release notes as its message:\n{}",
        ctx.release.tag,
        notes.join("\n")
    )
}

fn tagged(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    let tag = &ctx.release.tag;
    let at_head = ctx
        .git
        .tag_commit(tag)
        .is_some_and(|commit| ctx.git.head().is_ok_and(|head| head == commit));
    Ok(at_head.then(|| State::Done(format!("{tag} marks the release commit"))))
}

/// An annotated tag whose message is the notes, verbatim: git would otherwise drop the
/// `### Added` lines as comments.
fn tag(ctx: &mut Ctx) -> anyhow::Result<String> {
    let (sh, tag) = (ctx.sh, &ctx.release.tag);
    let make = cmd!(sh, "git tag -a --cleanup=verbatim -F - {tag}");
    tokens::strip(make).stdin(&ctx.release.target.notes).run()?;
    let tag = tag.clone();
    ctx.journal_mut().tag = ctx.git.tag_object(&tag);
    ctx.save_journal()?;
    Ok(tag)
}

/// `path` relative to the workspace root, as git and people read it.
pub fn relative(ctx: &Ctx, path: &std::path::Path) -> String {
    let relative = path.strip_prefix(ctx.root).unwrap_or(path);
    relative.to_string_lossy().replace('\\', "/")
}
