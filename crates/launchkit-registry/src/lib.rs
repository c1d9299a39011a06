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
//!
//! # Example
//!
//! What a release asks of an index, answered from the files a sparse registry serves:
//! where a crate's index file is, which versions it lists (yanked or not, with their
//! checksums), and where a version's `.crate` is downloaded from (`config.json`'s `dl`).
//!
//! ```
//! use launchkit_registry::{IndexConfig, checksum, download_url, index_path, parse_index};
//!
//! assert_eq!(index_path("Serde"), "se/rd/serde");
//!
//! let crate_file = b"the bytes of demo-0.2.0.crate";
//! let cksum = checksum(crate_file);
//! let index_file = format!(
//!     "{}\n{}\n",
//!     r#"{"name":"demo","vers":"0.1.0","deps":[],"cksum":"aa","features":{},"yanked":true}"#,
//!     format!(r#"{{"name":"demo","vers":"0.2.0","deps":[],"cksum":"{cksum}","features":{{}},"yanked":false,"rust_version":"1.90"}}"#),
//! );
//! let entries = parse_index(&index_file);
//! assert_eq!(entries.len(), 2);
//! assert!(entries[0].yanked);
//! let newest = entries.iter().filter(|entry| !entry.yanked).max_by_key(|entry| &entry.version).unwrap();
//! assert_eq!(newest.version.to_string(), "0.2.0");
//! assert_eq!(newest.rust_version.as_deref(), Some("1.90"));
//!
//! let config: IndexConfig = serde_json::from_str(
//!     r#"{"dl": "https://dl.example.com/{crate}/{version}.crate", "api": "https://example.com"}"#,
//! ).unwrap();
//! assert!(!config.auth_required);
//! let url = download_url(&config.dl, &newest.name, &newest.version, &newest.cksum);
//! assert_eq!(url, "https://dl.example.com/demo/0.2.0.crate");
//! // A downloaded `.crate` is checked against the index's checksum:
//! assert_eq!(checksum(crate_file), newest.cksum);
//! ```
//!
//! [`SparseIndex`] asks a registry the same questions over HTTP, and [`CargoConfig`] finds
//! the registry cargo would use (see their examples).

/// The README's example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

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
mod upload;

pub use backoff::Backoff;
pub use client::{FetchStats, IndexConfig, SparseIndex};
pub use config::{CRATES_IO, CRATES_IO_INDEX, CargoConfig, DEFAULT_TIMEOUT, Registry, Token};
pub use docs::{DOCS_RS, DocsHost, DocsStatus};
pub use download::{download, download_url};
pub use entry::{IndexEntry, parse_index};
pub use error::RegistryError;
pub use path::{index_path, percent_encode};
pub use transport::{agent, bounded, drain, lookups};
pub use upload::{UploadError, upload};

/// The checksum a registry records for a `.crate` file (the index's `cksum`): SHA-256 as
/// lowercase hex.
pub fn checksum(crate_file: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, crate_file);
    digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect()
}
