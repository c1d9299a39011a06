//! The plan: which crates go up, in which order, and what the registry already has.

use std::time::Duration;

use anyhow::Context;
use cargo_metadata::semver::Version;
use launchkit_registry::{IndexEntry, Registry, SparseIndex};
use launchkit_workspace::{PublishOrder, Workspace};
use serde::Serialize;

use super::pace::Limits;

/// Where one crate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    /// Not on the registry yet.
    ToUpload,
    /// The registry had this version before this run.
    AlreadyPublished,
    /// Uploaded by this run and served by the index.
    Uploaded,
    /// The run stopped at this crate.
    Failed,
}

impl State {
    /// The words used in progress lines and tables.
    pub fn label(self) -> &'static str {
        match self {
            State::ToUpload => "not published",
            State::AlreadyPublished => "already published",
            State::Uploaded => "uploaded",
            State::Failed => "failed",
        }
    }

    /// True when the registry has the version, whoever put it there.
    pub fn is_published(self) -> bool {
        matches!(self, State::AlreadyPublished | State::Uploaded)
    }
}

/// One crate of the plan and, once the run is over, how it went.
#[derive(Debug, Clone, Serialize)]
pub struct CratePlan {
    /// Package name.
    pub name: String,
    /// The version to publish.
    pub version: Version,
    /// 1-based batch: crates of one batch do not depend on each other.
    pub batch: usize,
    /// Where it stands.
    pub state: State,
    /// Workspace crates it needs on the registry first, at these versions.
    #[serde(skip)]
    pub requires: Vec<(String, Version)>,
    /// The registry has no version at all of this crate (crates.io limits new crates harder).
    pub new_crate: bool,
    /// The registry's checksum, when it has this version.
    pub registry_checksum: Option<String>,
    /// The checksum of the local `.crate`, once packaged.
    pub local_checksum: Option<String>,
    /// The registry has this version but yanked.
    pub yanked: bool,
    /// Upload attempts made by this run.
    pub attempts: u32,
    /// cargo reported the upload done (the registry took it), confirmed by the index or not.
    #[serde(skip)]
    pub accepted: bool,
    /// Time spent on it by this run, waits included.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// What happened, when there is more to say than the state.
    pub note: Option<String>,
}

fn millis<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(crate::deployments::millis(*duration))
}

/// Everything to publish to one registry, in upload order.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The registry name.
    pub registry: String,
    /// Its index URL.
    pub index: String,
    /// Crate names per batch.
    pub batches: Vec<Vec<String>>,
    /// Every crate, batch after batch.
    pub crates: Vec<CratePlan>,
    /// Things to know before uploading.
    pub warnings: Vec<String>,
    /// The uploads under the registry's rate limits, and when the last one can start.
    pub pacing: Option<String>,
}

/// How many index files are read at once while planning.
const PARALLEL_READS: usize = 8;

impl Plan {
    /// Reads the registry's state of every crate in `order`.
    pub fn read(
        ws: &Workspace,
        order: &PublishOrder,
        registry: &Registry,
        index: &SparseIndex,
        limits: &Limits,
    ) -> anyhow::Result<Plan> {
        let names: Vec<&str> = order.crates().collect();
        let known = read_versions(index, &names)
            .with_context(|| format!("cannot read the index of `{}`", registry.name))?;
        let mut crates = Vec::new();
        for (batch, members) in order.batches.iter().enumerate() {
            for name in members {
                let member = ws.member(name).expect("ordered crates are members");
                let versions = &known[crates.len()];
                let published = versions.iter().find(|entry| entry.version == member.version);
                let requires = order
                    .requirements(name)
                    .iter()
                    .map(|need| {
                        (
                            need.name.clone(),
                            ws.member(&need.name).expect("a member").version.clone(),
                        )
                    })
                    .collect();
                crates.push(CratePlan {
                    name: name.clone(),
                    version: member.version.clone(),
                    batch: batch + 1,
                    state: if published.is_some() {
                        State::AlreadyPublished
                    } else {
                        State::ToUpload
                    },
                    requires,
                    new_crate: versions.is_empty(),
                    registry_checksum: published.map(|entry| entry.cksum.clone()),
                    local_checksum: None,
                    yanked: published.is_some_and(|entry| entry.yanked),
                    attempts: 0,
                    accepted: false,
                    duration: Duration::ZERO,
                    note: None,
                });
            }
        }
        let mut plan = Plan {
            registry: registry.name.clone(),
            index: registry.index.clone(),
            batches: order.batches.clone(),
            crates,
            warnings: Vec::new(),
            pacing: None,
        };
        plan.warnings.extend(registry.notes.iter().cloned());
        let uploads: Vec<bool> = plan.to_upload().map(|krate| krate.new_crate).collect();
        plan.pacing = limits.summary(&registry.name, &uploads);
        Ok(plan)
    }

    /// The crates this run still has to upload.
    pub fn to_upload(&self) -> impl Iterator<Item = &CratePlan> {
        self.crates.iter().filter(|krate| krate.state == State::ToUpload)
    }
}

/// The versions of each crate, read `PARALLEL_READS` at a time: a plan for hundreds of
/// crates should not pay hundreds of round trips in a row.
pub fn read_versions(
    index: &SparseIndex,
    names: &[&str],
) -> Result<Vec<Vec<IndexEntry>>, launchkit_registry::RegistryError> {
    let chunk = names.len().div_ceil(PARALLEL_READS).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = names
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|name| index.versions(name).map(|v| v.to_vec()))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|worker| worker.join().expect("index reader")).collect()
    })
}
