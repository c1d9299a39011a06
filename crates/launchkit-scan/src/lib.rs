//! Security and dependency health checks for a release: secrets in the repository,
//! RustSec advisories against Cargo.lock, and outdated or yanked dependencies.
//!
//! - [`secrets`]: credentials in files or history, found with one compiled rule set.
//! - [`audit`]: Cargo.lock matched against a RustSec advisory database directory.
//! - [`outdated`]: direct dependencies against a registry's sparse index.
//!
//! Nothing here prints or runs git: the caller lists the files, runs `git log`, fetches
//! the database, and renders the [`launchkit_report::Finding`]s these functions return.
//!
//! # Example
//!
//! A token committed in a `.env` file, and a Cargo.lock holding a vulnerable crate
//! (checked against an advisory database written to a temp dir, in RustSec's layout):
//!
//! ```
//! use launchkit_scan::Lockfile;
//! use launchkit_scan::audit::{Database, audit};
//! use launchkit_scan::secrets::Scanner;
//!
//! // Built at run time so that this file holds nothing shaped like a token.
//! let token = format!("{}_{}", concat!("gh", "p"), "q8ZbV3kT0wLr5XyN2mPa7cUe9HsJ4dGf6BtQ");
//! let found = Scanner::new().scan(".env", &format!("PORT=8080\nGITHUB_TOKEN={token}\n"));
//! assert_eq!(found.len(), 1);
//! assert_eq!((found[0].rule.id, found[0].line, found[0].column), ("github-token", 2, 14));
//! assert_eq!(found[0].redacted(), "ghp_**** (40 characters)");
//! let finding = found[0].finding(launchkit_scan::secrets::ignore::DEFAULT_PATH);
//! assert_eq!(finding.location().as_deref(), Some(".env:2:14"));
//! assert!(!finding.message.contains(&token));
//!
//! let db = std::env::temp_dir().join(format!("advisory-db-doc-{}", std::process::id()));
//! std::fs::create_dir_all(db.join("crates/smallvec")).unwrap();
//! std::fs::write(db.join("crates/smallvec/RUSTSEC-2021-0003.md"), concat!(
//!     "```toml\n[advisory]\nid = \"RUSTSEC-2021-0003\"\npackage = \"smallvec\"\ndate = \"2021-01-08\"\n",
//!     "[versions]\npatched = [\">= 1.6.1\"]\n```\n\n# Buffer overflow in SmallVec::insert_many\n",
//! )).unwrap();
//! let lock = Lockfile::parse(concat!(
//!     "version = 4\n\n",
//!     "[[package]]\nname = \"smallvec\"\nversion = \"1.6.0\"\n",
//!     "source = \"registry+https://github.com/rust-lang/crates.io-index\"\n",
//! )).unwrap();
//! let database = Database::load(&db).unwrap();
//! let result = audit(&lock, "Cargo.lock", &database, &[]);
//! assert_eq!(result.packages, 1);
//! assert_eq!(result.findings[0].location().as_deref(), Some("Cargo.lock:3"));
//! assert!(result.findings[0].message.starts_with("smallvec 1.6.0 is vulnerable: Buffer overflow"));
//! std::fs::remove_dir_all(&db).unwrap();
//! ```

/// The README's example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

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
