//! The resumable run: package everything, compare what the registry has, then upload
//! batch after batch. `cargo xtask release` runs the same engine.
//!
//! Every decision reads the registry first, so running again after any stop finishes the
//! job: published crates (with the same checksum) are skipped, the rest go up in order.

use std::time::{Duration, Instant};

use launchkit_registry::{Registry, SparseIndex};
use launchkit_workspace::Workspace;
use xshell::Shell;

use super::budget::Budget;
use super::pace::{self, Pacer};
use super::package::{self, CargoFailure};
use super::plan::{CratePlan, Plan, State};
use super::report::Progress;
use super::trusted::Minted;
use super::{compare, upload, verify};

/// Packages are verified by one combined build (see `verify.rs`), not by cargo.
const NO_VERIFY: &[&str] = &["--no-verify"];

/// How long a yank waits for the index to confirm it.
pub const INDEX_TIMEOUT: Duration = Duration::from_secs(600);

/// Why a run stopped.
#[derive(Debug, Clone)]
pub struct Stop {
    /// What went wrong and what to do, in one line.
    pub reason: String,
    /// The end of cargo's output, when cargo failed.
    pub output: Option<String>,
}

impl Stop {
    /// A stop with a reason only.
    pub fn new(reason: impl Into<String>) -> Stop {
        Stop { reason: reason.into(), output: None }
    }

    fn from_cargo(reason: String, failure: CargoFailure) -> Stop {
        Stop {
            reason: format!("{reason}: `{}` failed", failure.command),
            output: Some(failure.output),
        }
    }
}

/// What a run works with.
pub struct Engine<'a> {
    /// Shell rooted at the workspace.
    pub sh: &'a Shell,
    /// The workspace.
    pub ws: &'a Workspace,
    /// The target registry.
    pub registry: &'a Registry,
    /// Its index.
    pub index: &'a SparseIndex,
    /// Where progress goes.
    pub progress: &'a Progress,
    /// `cargo`, or the one running us (`CARGO`).
    pub cargo: String,
    /// What the run may still wait, in all.
    pub budget: &'a Budget,
    /// The registry's rate limits, which uploads keep to (outside the budget).
    pub pacer: Pacer,
    /// The trusted-publishing tokens, when the run mints its own.
    pub minted: Option<&'a Minted>,
}

impl Engine<'_> {
    /// Publishes what `plan` says is missing, updating each crate's state as it goes.
    pub fn execute(&self, plan: &mut Plan) -> Result<(), Stop> {
        self.compare_published(plan)?;
        self.package_uploads(plan)?;
        let total = plan.crates.len();
        for position in 0..total {
            let krate = &mut plan.crates[position];
            if krate.state != State::ToUpload {
                continue;
            }
            let started = Instant::now();
            let result = self.wait_for_requirements(krate, position + 1, total).and_then(|()| {
                self.pace(krate, position + 1, total);
                upload::upload(self, krate, position + 1, total)
            });
            krate.duration = started.elapsed();
            match result {
                Ok(()) => {
                    krate.state = State::Uploaded;
                    self.progress.crate_line(krate, position + 1, total, krate.state.label());
                }
                Err(mut stop) => {
                    // The registry took it; only its confirmation is missing.
                    krate.state = if krate.accepted { State::Uploaded } else { State::Failed };
                    krate.note = Some(stop.reason.clone());
                    self.progress.crate_line(krate, position + 1, total, krate.state.label());
                    stop.reason = format!("{} {}: {}", krate.name, krate.version, stop.reason);
                    return Err(stop);
                }
            }
        }
        Ok(())
    }

    /// A version already on the registry must be what we would upload: the same `.crate`.
    /// A different checksum is a real conflict, found before anything is uploaded.
    fn compare_published(&self, plan: &mut Plan) -> Result<(), Stop> {
        let names: Vec<String> = plan
            .crates
            .iter()
            .filter(|c| c.state == State::AlreadyPublished)
            .map(|c| c.name.clone())
            .collect();
        if names.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let packaged =
            package::package(self.sh, &self.cargo, &self.registry.name, &names, NO_VERIFY)
                .map_err(|err| Stop::new(format!("{err:#}")))?;
        packaged.map_err(|failure| {
            Stop::from_cargo(
                "cannot package the published crates to compare checksums".into(),
                failure,
            )
        })?;
        let mut conflicts = Vec::new();
        for krate in plan.crates.iter_mut().filter(|c| c.state == State::AlreadyPublished) {
            let local = self.local_checksum(krate)?;
            // A package made at another commit differs in `.cargo_vcs_info.json` alone.
            if krate.registry_checksum.as_deref() != Some(local.as_str())
                && !compare::same_contents(self, krate)?
            {
                krate.state = State::Failed;
                krate.note = Some(format!("`{}` has different content", self.registry.name));
                conflicts.push(format!("{}@{}", krate.name, krate.version));
            } else {
                let mut notes = Vec::new();
                if krate.registry_checksum.as_deref() != Some(local.as_str()) {
                    notes.push("published from another commit; its contents match");
                }
                if krate.yanked {
                    notes.push("yanked on the registry; `cargo yank --undo` brings it back");
                }
                krate.note = (!notes.is_empty()).then(|| notes.join("; "));
            }
            krate.local_checksum = Some(local);
        }
        self.progress
            .step(&format!("compared {} published crates", names.len()), started.elapsed());
        if conflicts.is_empty() {
            return Ok(());
        }
        Err(Stop::new(format!(
            "{} already on `{}` with different content: bump the version, or check out the commit it was published from; nothing was uploaded",
            conflicts.join(", "),
            self.registry.name
        )))
    }

    /// Packages and verifies every crate to upload, before the first upload.
    fn package_uploads(&self, plan: &mut Plan) -> Result<(), Stop> {
        let names: Vec<String> = plan.to_upload().map(|c| c.name.clone()).collect();
        if names.is_empty() {
            return Ok(());
        }
        let started = Instant::now();
        let failed = "packaging failed; nothing was uploaded".to_owned();
        let packaged =
            package::package(self.sh, &self.cargo, &self.registry.name, &names, NO_VERIFY)
                .map_err(|err| Stop::new(format!("{err:#}")))?;
        packaged.map_err(|failure| Stop::from_cargo(failed, failure))?;
        self.progress.step(&format!("packaged {} crates", names.len()), started.elapsed());
        let started = Instant::now();
        let crates: Vec<(String, String)> =
            plan.to_upload().map(|c| (c.name.clone(), c.version.to_string())).collect();
        let verified = verify::verify(self.sh, &self.cargo, self.ws, &self.registry.name, &crates)
            .map_err(|err| Stop::new(format!("{err:#}")))?;
        let failed =
            "a packaged crate does not build from its packaged sources; nothing was uploaded"
                .to_owned();
        verified.map_err(|failure| Stop::from_cargo(failed, failure))?;
        for krate in plan.crates.iter_mut().filter(|c| c.state == State::ToUpload) {
            krate.local_checksum = Some(self.local_checksum(krate)?);
        }
        self.progress
            .step(&format!("verified {} crates in one build", names.len()), started.elapsed());
        Ok(())
    }

    fn local_checksum(&self, krate: &CratePlan) -> Result<String, Stop> {
        package::checksum(&self.ws.target_dir, &krate.name, &krate.version.to_string())
            .map_err(|err| Stop::new(format!("{err:#}")))
    }

    /// Waits until the index serves every workspace crate `krate` needs.
    fn wait_for_requirements(
        &self,
        krate: &CratePlan,
        position: usize,
        total: usize,
    ) -> Result<(), Stop> {
        for (name, version) in &krate.requires {
            if self.index.is_published(name, version).unwrap_or(false) {
                continue;
            }
            self.progress.crate_line(
                krate,
                position,
                total,
                &format!("waiting for the index to serve {name} {version}"),
            );
            self.budget.wait_until_served(self.index, name, version)?;
        }
        Ok(())
    }

    /// Waits for `krate`'s turn in the registry's schedule. This is the registry's pace,
    /// not trouble, so it takes nothing from the waiting budget.
    fn pace(&self, krate: &CratePlan, position: usize, total: usize) {
        let Some((wait, limit)) = self.pacer.next(krate.new_crate) else { return };
        let kind = if krate.new_crate { "new crates" } else { "new versions" };
        let message = format!(
            "pacing: `{}` takes {kind} {} then 1 per {}; uploading in {}",
            self.registry.name,
            limit.burst,
            pace::span(limit.every),
            pace::span(wait)
        );
        self.progress.crate_line(krate, position, total, &message);
        std::thread::sleep(wait);
    }

    /// After a stop, asks the registry once more about every crate not known to be on
    /// it: what landed is reported as published, whatever this run's answers said.
    pub fn reread(&self, plan: &mut Plan) {
        for krate in plan.crates.iter_mut().filter(|c| !c.state.is_published()) {
            let Ok(Some(entry)) = self.index.find(&krate.name, &krate.version) else { continue };
            if krate.local_checksum.as_deref().is_none_or(|local| *local == entry.cksum) {
                krate.state = State::Uploaded;
                krate.note = Some(format!("on `{}` after the stop", self.registry.name));
            }
        }
    }
}
