//! The opt-in suite's real-world data: documentation trees, changelogs and the RustSec
//! database, which launchkit does not ship. `cargo xtask test --corpora DIR --advisory-db
//! DIR` sets the variables below and runs the tests that are `#[ignore]`d by default, whose
//! reason names the flag; the default suite uses only the repository's own test data.

use std::path::PathBuf;

/// The folder holding `book/`, `rust-by-example/` and `changelogs/`.
pub const CORPORA_VAR: &str = "LAUNCHKIT_CORPORA";
/// A whole RustSec advisory database (`crates/`, `rust/`).
pub const ADVISORY_DB_VAR: &str = "LAUNCHKIT_ADVISORY_DB";

/// `$LAUNCHKIT_CORPORA/<name>`, which must exist: an opt-in test never passes without
/// its data.
pub fn corpus(name: &str) -> PathBuf {
    existing(CORPORA_VAR, "--corpora", name)
}

/// `$LAUNCHKIT_ADVISORY_DB`, which must hold a `crates/` folder.
pub fn advisory_db() -> PathBuf {
    let db = existing(ADVISORY_DB_VAR, "--advisory-db", "");
    assert!(db.join("crates").is_dir(), "{ADVISORY_DB_VAR}={}: no crates/ folder", db.display());
    db
}

fn existing(var: &str, flag: &str, name: &str) -> PathBuf {
    let Some(dir) = std::env::var_os(var) else {
        panic!("{var} is not set: run `cargo xtask test {flag} DIR`, which sets it")
    };
    let path = PathBuf::from(dir).join(name);
    assert!(path.exists(), "{var}: {} does not exist", path.display());
    path
}
