//! A cargo sparse-index client for release tooling.
//!
//! [`CargoConfig`] resolves a registry name the way cargo does (crates.io by default,
//! `[registries.NAME]` in cargo config files, `CARGO_REGISTRIES_NAME_INDEX`, tokens from
//! the environment or `credentials.toml`). [`SparseIndex`] reads that registry's index
//! with conditional requests and answers the questions a release asks: is `name@version`
//! published, yanked, with which checksum, what is the newest version, and
//! [`SparseIndex::wait_until_published`]. [`DocsHost`] asks docs.rs (or a host with its
//! API) whether a version's documentation built. [`trusted`] exchanges a CI identity for a
//! short-lived publish token (trusted publishing). Nothing here prints or publishes.

mod backoff;
mod client;
mod config;
mod docs;
mod download;
mod entry;
mod error;
mod path;
mod resolver;
mod transport;
pub mod trusted;

pub use backoff::Backoff;
pub use client::{FetchStats, IndexConfig, SparseIndex};
pub use config::{CRATES_IO, CRATES_IO_INDEX, CargoConfig, DEFAULT_TIMEOUT, Registry, Token};
pub use docs::{DOCS_RS, DocsHost, DocsStatus};
pub use download::{download, download_url};
pub use entry::{IndexEntry, parse_index};
pub use error::RegistryError;
pub use path::index_path;
pub use transport::{agent, bounded, drain, lookups};

/// The checksum a registry records for a `.crate` file (the index's `cksum`): SHA-256 as
/// lowercase hex.
pub fn checksum(crate_file: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, crate_file);
    digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect()
}
