//! The last step: the deployment record, a `release` entry in the deployment log (git
//! notes on the release commit, see `deployments.rs`), pushed with the remote's log.

use launchkit_registry::SparseIndex;

use super::Ctx;
use super::steps::{Reach, State, Step};
use crate::deployments::{self, CrateRecord, NOTES_REF, Record, StepRecord};
use crate::{clock, output};

/// Appends the release's record and pushes the log.
pub const RECORD: Step =
    Step { name: "record", reach: Reach::Local, describe, state: recorded, act: record };

fn describe(ctx: &Ctx) -> String {
    let env = &ctx.release.env;
    let pushed = if env.push { format!(", pushed to {}", env.remote) } else { String::new() };
    format!("a `release` record in {NOTES_REF} on the release commit{pushed}")
}

/// This release's record on HEAD, if it has one.
pub fn existing(ctx: &Ctx) -> anyhow::Result<Option<Record>> {
    let head = ctx.git.head()?;
    let version = ctx.release.target.version.to_string();
    let records = deployments::read(ctx.sh, &head)?;
    Ok(records.into_iter().find(|record| record.is_release(&version, &ctx.release.env.name)))
}

fn recorded(ctx: &Ctx) -> anyhow::Result<Option<State>> {
    if existing(ctx)?.is_none() {
        return Ok(None);
    }
    let env = &ctx.release.env;
    if env.push {
        let refs = ctx
            .git
            .remote_refs(&env.remote, &[NOTES_REF.to_owned()])
            .map_err(|err| anyhow::anyhow!("cannot read remote `{}`: {err}", env.remote))?;
        let local = ctx.git.rev(NOTES_REF);
        if refs.get(NOTES_REF) != local.as_deref() {
            return Ok(None);
        }
    }
    Ok(Some(State::Done("the release commit carries its record".into())))
}

fn record(ctx: &mut Ctx) -> anyhow::Result<String> {
    let env = &ctx.release.env;
    if env.push {
        deployments::fetch(ctx.sh, &env.remote)?;
    }
    let written = if existing(ctx)?.is_none() {
        deployments::append(ctx.sh, &build(ctx)?)?;
        "recorded"
    } else {
        "already recorded"
    };
    if env.push {
        deployments::push(ctx.sh, &env.remote)?;
        return Ok(format!("{written}, log pushed to {}", env.remote));
    }
    Ok(written.to_owned())
}

/// The record of this release: the crates as the registry lists them, and each step with
/// the time of the run that did it.
fn build(ctx: &Ctx) -> anyhow::Result<Record> {
    let release = ctx.release;
    let version = release.target.version.to_string();
    let index = release.registry.as_ref().map(SparseIndex::new);
    let mut crates = Vec::new();
    for name in &release.crates {
        let checksum = match &index {
            Some(index) => index.checksum(name, &release.target.version)?,
            None => None,
        };
        crates.push(CrateRecord { name: name.clone(), version: version.clone(), checksum });
    }
    let journal = ctx.journal.as_ref();
    let steps = ctx
        .outcomes
        .iter()
        .map(|outcome| {
            let done_before = journal.and_then(|journal| journal.steps.get(&outcome.name));
            match done_before {
                Some(&duration_ms) => {
                    StepRecord { status: "done".into(), duration_ms, ..outcome.clone() }
                }
                None => outcome.clone(),
            }
        })
        .collect();
    Ok(Record {
        schema: deployments::SCHEMA,
        action: "release".into(),
        version,
        environment: release.env.name.clone(),
        registry: release.registry.as_ref().map(|registry| registry.name.clone()),
        crates,
        tag: release.tag.clone(),
        commit: ctx.git.head()?,
        started: journal.map_or_else(clock::now, |journal| journal.started.clone()),
        finished: clock::now(),
        steps,
        by: ctx.git.config("user.name").unwrap_or_else(|| "unknown".into()),
        ci: output::is_ci(),
        reason: None,
        extra: Default::default(),
    })
}
