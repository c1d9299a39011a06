//! Security and dependency health checks for a release: secrets in the repository,
//! RustSec advisories against Cargo.lock, and outdated or yanked dependencies.
//!
//! - [`secrets`]: credentials in files or history, found with one compiled rule set.
//! - [`audit`]: Cargo.lock matched against a RustSec advisory database directory.
//! - [`outdated`]: direct dependencies against a registry's sparse index.
//!
//! Nothing here prints or runs git: the caller lists the files, runs `git log`, fetches
//! the database, and renders the [`launchkit_report::Finding`]s these functions return.

pub mod audit;
pub mod config;
pub mod date;
mod lines;
pub mod lockfile;
pub mod outdated;
pub mod secrets;
mod toml_reader;

pub use config::ScanConfig;
pub use lockfile::{LockedPackage, Lockfile};
