//! The yank's entry in the deployment log (see `deployments.rs`): a `yank` or `unyank`
//! record on the release commit, with the reason, pushed with the log when the
//! environment pushes.

use std::time::Duration;

use serde_json::Map;

use super::Step;
use crate::deployments::{self, CrateRecord, Record, StepRecord};
use crate::flags::SemVer;
use crate::release::git::Git;
use crate::target::Target;
use crate::{clock, output};

/// What was done, for the record.
pub struct Done<'a> {
    /// `yank` or `unyank`.
    pub action: &'a str,
    /// The release.
    pub version: &'a SemVer,
    /// The crates yanked (or unyanked) by this run.
    pub crates: Vec<&'a Step>,
    /// `--reason`.
    pub reason: Option<&'a str>,
    /// When the run started, as the log writes times.
    pub started: String,
    /// How long the registry calls took.
    pub duration: Duration,
}

/// Appends the record to the note of the release commit (the tag's commit, else HEAD).
pub fn write(git: &Git, target: &Target, done: &Done) -> anyhow::Result<()> {
    let sh = git.sh();
    let tag = target.tag(done.version);
    let commit = match git.tag_commit(&tag) {
        Some(commit) => commit,
        None => {
            eprintln!("warning: no tag `{tag}` here: the record goes on HEAD");
            git.head()?
        }
    };
    let remote = &target.env.remote;
    let push = target.env.push && git.remote_url(remote).is_some();
    if push {
        deployments::fetch(sh, remote)?;
    }
    let version = done.version.to_string();
    let crates = done
        .crates
        .iter()
        .map(|step| CrateRecord {
            name: step.name.clone(),
            version: version.clone(),
            checksum: step.checksum.clone(),
        })
        .collect();
    let record = Record {
        schema: deployments::SCHEMA,
        action: done.action.to_owned(),
        version,
        environment: target.env.name.clone(),
        registry: Some(target.registry.name.clone()),
        crates,
        tag,
        commit,
        started: done.started.clone(),
        finished: clock::now(),
        steps: vec![StepRecord {
            name: done.action.to_owned(),
            status: "done".to_owned(),
            duration_ms: deployments::millis(done.duration),
        }],
        by: git.config("user.name").unwrap_or_else(|| "unknown".to_owned()),
        ci: output::is_ci(),
        reason: done.reason.map(str::to_owned),
        extra: Map::new(),
    };
    deployments::append(sh, &record)?;
    if push {
        deployments::push(sh, remote)?;
        eprintln!("recorded the {} in the deployment log, pushed to {remote}", done.action);
    } else {
        eprintln!("recorded the {} in the deployment log", done.action);
    }
    Ok(())
}
