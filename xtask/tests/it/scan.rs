//! The `secrets`, `audit` and `outdated` steps end to end: real git repositories, the
//! small RustSec database of launchkit-scan's test data (read-only), a git repository standing in for the database's
//! remote, and crates.io's sparse index (read-only). Helpers shared by both files.

mod dependencies;
pub mod lockfile_only;
mod secrets;

use std::hash::{BuildHasher, RandomState};
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::Run;

/// `len` random letters and digits.
pub fn random(len: usize) -> String {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let state = RandomState::new();
    (0..len).map(|i| char::from(ALNUM[(state.hash_one(i) % 62) as usize])).collect()
}

/// A synthetic GitHub token, different on every call.
pub fn github_token() -> String {
    concat!("gh", "p_").to_owned() + &random(36)
}

/// The launchkit repository.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

/// launchkit-scan's small RustSec database, absolute.
pub fn advisory_db() -> String {
    scan_data("advisory-db").display().to_string()
}

/// A file or folder of launchkit-scan's test data.
pub fn scan_data(name: &str) -> PathBuf {
    repo_root().join("crates/launchkit-scan/tests/data").join(name)
}

/// The only step of a `--only <step>` run.
pub fn step(run: &Run) -> Value {
    run.json()["steps"][0].clone()
}

/// `(location, severity, rule)` of each finding of `step`.
pub fn findings(step: &Value) -> Vec<(String, String, String)> {
    let text = |value: &Value| value.as_str().unwrap_or("").to_owned();
    step["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let location = match finding["line"].as_u64() {
                Some(line) => format!("{}:{line}", text(&finding["path"])),
                None => text(&finding["path"]),
            };
            (location, text(&finding["severity"]), text(&finding["rule"]))
        })
        .collect()
}

/// `(location, severity, rule)` triples as [`findings`] returns them.
pub fn triples(expected: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    expected.iter().map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string())).collect()
}
