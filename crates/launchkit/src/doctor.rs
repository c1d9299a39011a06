//! `cargo xtask doctor`: why would a publish fail? Read-only.
//!
//! Runs each check as a step, like preflight, and reports one finding per problem with
//! its fix:
//!
//! - `token`: cargo has a token (or a credential provider) for the environment's registry;
//! - `workflow`: the GitHub Actions workflow that releases can use trusted publishing:
//!   `permissions: id-token: write`, not started by `workflow_run` (`doctor/workflow.rs`);
//! - `changes`: no uncommitted change, which cargo refuses to publish;
//! - `published`: no crate's version is on the registry already;
//! - `trusted`: crates not on the registry yet (trusted publishing cannot create one: an
//!   error when the publish would use it, else a note), and crates that take only
//!   trusted publishing when only a token is available (`publish/first.rs`);
//! - `package`: crates.io's required metadata (description, license; repository
//!   recommended) and no file in a package that looks wrong (preflight's package checks);
//! - `docs`: the docs build with warnings denied (preflight's docs step);
//! - `duplicates`: no dependency built in several versions (`cargo tree -d`);
//! - `build`: every crate builds from its packaged sources alone, outside the workspace
//!   (publishing's combined verification build).
//!
//! Exit code 0 when no step failed, 1 otherwise, 2 when doctor itself cannot start.

mod checks;
pub(crate) mod workflow;

use std::process::ExitCode;

use launchkit_registry::SparseIndex;
use xshell::Shell;

use crate::flags;
use crate::preflight::{self, Outcome};
use crate::target::Target;

/// What every check gets: the preflight context of the workspace, and the registry a
/// publish would go to.
pub struct Doctor<'a> {
    /// Shell, workspace and cargo, as preflight's steps take them.
    pub ctx: preflight::Ctx<'a>,
    /// The environment and its registry.
    pub target: &'a Target,
    /// The registry's index.
    pub index: SparseIndex,
}

/// A check: what it found, or the error that kept it from running.
type Check = fn(&Doctor) -> anyhow::Result<Outcome>;

/// The checks, cheap ones first.
static CHECKS: &[(&str, Check)] = &[
    ("token", checks::token),
    ("workflow", checks::workflow),
    ("changes", checks::changes),
    ("published", checks::published),
    ("trusted", checks::trusted),
    ("package", checks::package),
    ("docs", checks::docs),
    ("duplicates", checks::duplicates),
    ("build", checks::build),
];

impl flags::Doctor {
    /// Runs every check and reports each.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let target = Target::load(sh, self.env.as_deref(), None)?;
        let defaults = flags::Preflight::default();
        let doctor = Doctor {
            ctx: preflight::Ctx::new(sh, &target.ws, &defaults, None),
            index: SparseIndex::new(&target.registry),
            target: &target,
        };
        preflight::run_checks("doctor", CHECKS, &doctor, false, self.format)
    }
}
