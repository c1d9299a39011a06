//! A small, read-only client of a registry's sparse index (crates.io's is
//! `https://index.crates.io/`): the published versions of a crate and which are yanked.
//!
//! Deliberately minimal and self-contained so that it can give way to the workspace's
//! registry client: one function per question, plain types in and out.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use semver::Version;
use serde::Deserialize;

use super::resolver::CachingResolver;

/// crates.io's sparse index.
pub const CRATES_IO_INDEX: &str = "https://index.crates.io/";

/// Index files of the largest crates are a few MiB; ureq's default limit is 10 MB.
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Requests in flight at most, and connections kept open for them.
pub const MAX_WORKERS: usize = 32;

/// Attempts before the last one.
const RETRIES: usize = 2;

/// Why a request failed: worth another try, or not.
enum Attempt {
    Transient(String),
    Final(String),
}

impl Attempt {
    fn message(self) -> String {
        match self {
            Attempt::Transient(message) | Attempt::Final(message) => message,
        }
    }
}

/// One published version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// The version.
    pub version: Version,
    /// Yanked: cargo will not pick it for a new lockfile.
    pub yanked: bool,
}

/// Reads a sparse index over HTTP(S).
#[derive(Debug, Clone)]
pub struct IndexClient {
    agent: ureq::Agent,
    base: String,
}

/// One line of an index file; other fields are not needed.
#[derive(Deserialize)]
struct Line {
    vers: String,
    #[serde(default)]
    yanked: bool,
}

impl IndexClient {
    /// A client of the index at `base` (ending in `/`).
    pub fn new(base: &str) -> IndexClient {
        let config = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(30)))
            .timeout_connect(Some(Duration::from_secs(10)))
            // A lost DNS answer stalls glibc for 5 s; give up sooner and try again.
            .timeout_resolve(Some(Duration::from_secs(2)))
            // Keep one connection per worker: ureq keeps 3 per host by default, and every
            // other request would pay a new lookup, connection and TLS handshake.
            .max_idle_connections(MAX_WORKERS)
            .max_idle_connections_per_host(MAX_WORKERS)
            .http_status_as_error(false)
            // The platform's roots, as cargo uses: a proxy or a company CA works here too.
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .user_agent(concat!(
                "launchkit/",
                env!("CARGO_PKG_VERSION"),
                " (https://github.com/launchkit-rs/launchkit)"
            ))
            .build();
        let agent = ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            CachingResolver::default(),
        );
        let base = if base.ends_with('/') { base.to_owned() } else { format!("{base}/") };
        IndexClient { agent, base }
    }

    /// A client of crates.io's index.
    pub fn crates_io() -> IndexClient {
        IndexClient::new(CRATES_IO_INDEX)
    }

    /// Every published version of `name`, oldest first, or `Ok(None)` when the index has no
    /// such crate. Network errors and server errors are tried again twice: one lost DNS
    /// answer among a hundred parallel requests should not fail a check.
    pub fn releases(&self, name: &str) -> Result<Option<Vec<Release>>, String> {
        let url = format!("{}{}", self.base, index_path(name));
        let mut pause = Duration::from_millis(250);
        for _ in 0..RETRIES {
            match self.fetch(&url) {
                Err(Attempt::Transient(_)) => {
                    std::thread::sleep(pause);
                    pause *= 4;
                }
                result => {
                    return result.map_err(Attempt::message);
                }
            }
        }
        self.fetch(&url).map_err(Attempt::message)
    }

    fn fetch(&self, url: &str) -> Result<Option<Vec<Release>>, Attempt> {
        let mut response = self
            .agent
            .get(url)
            .call()
            .map_err(|err| Attempt::Transient(format!("{url}: {err}")))?;
        match response.status().as_u16() {
            200 => {}
            // crates.io's CDN answers 403 for some names it never had.
            404 | 410 | 451 | 403 => return Ok(None),
            status @ (429 | 500..) => {
                return Err(Attempt::Transient(format!("{url}: HTTP {status}")));
            }
            status => return Err(Attempt::Final(format!("{url}: HTTP {status}"))),
        }
        let text = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .map_err(|err| Attempt::Transient(format!("{url}: {err}")))?;
        parse(&text).map(Some).map_err(|err| Attempt::Final(format!("{url}: {err}")))
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

/// The path of a crate's file in the index: `1/a`, `2/ab`, `3/a/abc`, `se/rd/serde`,
/// lowercase.
pub fn index_path(name: &str) -> String {
    let name = name.to_ascii_lowercase();
    match name.len() {
        0..=2 => format!("{}/{name}", name.len()),
        3 => format!("3/{}/{name}", &name[..1]),
        _ => format!("{}/{}/{name}", &name[..2], &name[2..4]),
    }
}

/// Parses an index file: one JSON object per line.
pub fn parse(text: &str) -> Result<Vec<Release>, String> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let line: Line =
                serde_json::from_str(line).map_err(|err| format!("bad index line: {err}"))?;
            let version = Version::parse(&line.vers)
                .map_err(|err| format!("bad version `{}`: {err}", line.vers))?;
            Ok(Release { version, yanked: line.yanked })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_paths_follow_the_name_length() {
        assert_eq!(index_path("a"), "1/a");
        assert_eq!(index_path("ab"), "2/ab");
        assert_eq!(index_path("abc"), "3/a/abc");
        assert_eq!(index_path("Serde"), "se/rd/serde");
    }

    #[test]
    fn index_lines_give_versions_and_yanked() {
        let text = "{\"name\":\"x\",\"vers\":\"0.1.0\",\"deps\":[],\"cksum\":\"00\",\"features\":{},\"yanked\":false}\n\
                    {\"name\":\"x\",\"vers\":\"0.1.1\",\"deps\":[],\"cksum\":\"00\",\"features\":{},\"yanked\":true}\n";
        let releases = parse(text).unwrap();
        assert_eq!(releases.len(), 2);
        assert!(releases[1].yanked && !releases[0].yanked);
    }
}
