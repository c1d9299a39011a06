//! The published versions of a crate and which are yanked, read from a registry's sparse
//! index (crates.io's is `https://index.crates.io/`) through launchkit-registry's
//! [`SparseIndex`], the one index client of the project: its shared agent reuses
//! connections and looks each host up once, and it retries what is worth retrying.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use launchkit_registry::{RegistryError, SparseIndex};
use semver::Version;

/// crates.io's sparse index.
pub const CRATES_IO_INDEX: &str = "https://index.crates.io/";

/// Requests in flight at most.
pub const MAX_WORKERS: usize = 32;

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version.
    pub version: Version,
    /// Yanked: cargo will not pick it for a new lockfile.
    pub yanked: bool,
}

/// Reads a sparse index over HTTP(S).
#[derive(Clone)]
pub struct IndexClient {
    index: Arc<SparseIndex>,
}

impl IndexClient {
    /// A client of the index at `base`.
    pub fn new(base: &str) -> IndexClient {
        IndexClient { index: Arc::new(SparseIndex::from_url("crates-io", base, None)) }
    }

    /// A client of crates.io's index.
    pub fn crates_io() -> IndexClient {
        IndexClient::new(CRATES_IO_INDEX)
    }

    /// Every published version of `name`, oldest first, or `Ok(None)` when the index has no
    /// such crate. Network errors and server errors are tried again twice: one lost DNS
    /// answer among a hundred parallel requests should not fail a check.
    pub fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, String> {
        match self.index.versions(name) {
            Ok(entries) if entries.is_empty() => Ok(None),
            Ok(entries) => Ok(Some(
                entries
                    .iter()
                    .map(|entry| Release { version: entry.version.clone(), yanked: entry.yanked })
                    .collect(),
            )),
            // crates.io's CDN answers 403 for some names it never had.
            Err(RegistryError::AuthRequired { .. }) => Ok(None),
            Err(err) => Err(err.to_string()),
        }
    }

    /// [`IndexClient::releases`] for each name, `workers` requests at a time.
    pub fn releases_of_all(
        &self,
        names: &[String],
        workers: usize,
    ) -> BTreeMap<String, Result<Option<Vec<Release>>, String>> {
        let queue = Mutex::new(names.iter());
        let results = Mutex::new(BTreeMap::new());
        std::thread::scope(|scope| {
            for _ in 0..workers.clamp(1, MAX_WORKERS).min(names.len().max(1)) {
                scope.spawn(|| {
                    loop {
                        // The lock is held only to take the next name, not during the request.
                        let next = queue.lock().map(|mut queue| queue.next()).ok().flatten();
                        let Some(name) = next else { break };
                        let releases = self.releases(name);
                        if let Ok(mut results) = results.lock() {
                            results.insert(name.clone(), releases);
                        }
                    }
                });
            }
        });
        results.into_inner().unwrap_or_default()
    }
}
