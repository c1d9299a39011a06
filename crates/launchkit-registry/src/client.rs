//! The sparse-index client: `config.json`, index files with conditional requests, and the
//! questions a release asks of them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use semver::Version;
use serde::Deserialize;

use crate::backoff::Backoff;
use crate::config::{Registry, Token};
use crate::entry::{IndexEntry, parse_index};
use crate::error::RegistryError;
use crate::path::index_path;
use crate::transport::Transport;

/// The registry's `config.json`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct IndexConfig {
    /// Download URL template.
    pub dl: String,
    /// Web API base URL; a registry without one does not accept uploads.
    pub api: Option<String>,
    /// Every request must carry the token.
    #[serde(rename = "auth-required", default)]
    pub auth_required: bool,
}

/// Requests made so far and how many were answered `304 Not Modified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FetchStats {
    /// Index file requests.
    pub requests: usize,
    /// Of those, answered from the cache after a `304`.
    pub not_modified: usize,
}

/// A client for one registry's sparse index. Safe to share between threads.
///
/// ```
/// use std::time::Duration;
///
/// use launchkit_registry::SparseIndex;
///
/// # // A sparse index is files over HTTP: serve two of them on a local port.
/// # use std::io::{Read, Write};
/// # let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// # let base = format!("http://{}/", listener.local_addr().unwrap());
/// # std::thread::spawn(move || {
/// #     for stream in listener.incoming() {
/// #         let mut stream = stream.unwrap();
/// #         let mut request = Vec::new();
/// #         let mut buffer = [0; 1024];
/// #         while !request.ends_with(b"\r\n\r\n") {
/// #             let read = stream.read(&mut buffer).unwrap();
/// #             if read == 0 { break; }
/// #             request.extend_from_slice(&buffer[..read]);
/// #         }
/// #         let request = String::from_utf8_lossy(&request);
/// #         let (status, body) = match request.split(' ').nth(1).unwrap_or("") {
/// #             "/config.json" => ("200 OK", r#"{"dl":"https://dl.example.com"}"#.to_owned()),
/// #             "/de/mo/demo" => ("200 OK", [
/// #                 r#"{"name":"demo","vers":"0.1.0","deps":[],"cksum":"aa","features":{},"yanked":false}"#,
/// #                 r#"{"name":"demo","vers":"0.2.0","deps":[],"cksum":"bb","features":{},"yanked":true}"#,
/// #             ].join("\n")),
/// #             _ => ("404 Not Found", String::new()),
/// #         };
/// #         let head = format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
/// #         let _ = stream.write_all(format!("{head}{body}").as_bytes());
/// #     }
/// # });
/// // `base` is the index's URL, such as `https://index.crates.io/`.
/// let index = SparseIndex::from_url("local", &base, None);
/// let (v010, v020) = ("0.1.0".parse().unwrap(), "0.2.0".parse().unwrap());
///
/// assert!(index.is_published("demo", &v010).unwrap());
/// assert_eq!(index.is_yanked("demo", &v020).unwrap(), Some(true));
/// assert_eq!(index.checksum("demo", &v010).unwrap().as_deref(), Some("aa"));
/// assert_eq!(index.newest("demo").unwrap().unwrap().version, v010);
/// assert!(index.versions("unknown").unwrap().is_empty());
/// let entry = index.wait_until_published("demo", &v020, Duration::from_secs(10)).unwrap();
/// assert!(entry.yanked);
/// assert_eq!(index.config().unwrap().dl, "https://dl.example.com");
/// ```
pub struct SparseIndex {
    name: String,
    base: String,
    token: Option<Token>,
    transport: Transport,
    config: Mutex<Option<IndexConfig>>,
    cache: Mutex<HashMap<String, Cached>>,
    requests: AtomicUsize,
    not_modified: AtomicUsize,
}

/// An index file as last received, with the validators to ask whether it changed.
struct Cached {
    etag: Option<String>,
    last_modified: Option<String>,
    entries: Arc<Vec<IndexEntry>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SparseIndex {
    /// A client for a resolved registry, with its token when it has one and its
    /// request timeout.
    pub fn new(registry: &Registry) -> SparseIndex {
        let token = registry.token.clone();
        SparseIndex::build(&registry.name, &registry.index_base(), token, registry.timeout)
    }

    /// A client for the index at `base` (`https://index.crates.io/`), called `name` in
    /// errors, whose requests give up after cargo's default of 30 seconds.
    pub fn from_url(name: &str, base: &str, token: Option<Token>) -> SparseIndex {
        SparseIndex::build(name, base, token, crate::config::DEFAULT_TIMEOUT)
    }

    fn build(name: &str, base: &str, token: Option<Token>, timeout: Duration) -> SparseIndex {
        let base = base.strip_prefix("sparse+").unwrap_or(base);
        SparseIndex {
            name: name.to_owned(),
            base: if base.ends_with('/') { base.to_owned() } else { format!("{base}/") },
            token,
            transport: Transport::new(timeout),
            config: Mutex::new(None),
            cache: Mutex::default(),
            requests: AtomicUsize::new(0),
            not_modified: AtomicUsize::new(0),
        }
    }

    /// The registry's `config.json`, fetched once. A `401` is retried with the token, as
    /// cargo does for `auth-required` registries.
    pub fn config(&self) -> Result<IndexConfig, RegistryError> {
        if let Some(config) = lock(&self.config).clone() {
            return Ok(config);
        }
        let url = format!("{}config.json", self.base);
        let mut answer = self.transport.get(&url, None, &[])?;
        if answer.status == 401 {
            self.require_token()?;
            answer = self.transport.get(&url, self.token.as_ref(), &[])?;
        }
        if answer.status != 200 {
            return Err(RegistryError::Http { url, status: answer.status });
        }
        let config: IndexConfig = serde_json::from_str(&answer.body)
            .map_err(|err| RegistryError::Parse { url: url.clone(), message: err.to_string() })?;
        if config.auth_required {
            self.require_token()?;
        }
        *lock(&self.config) = Some(config.clone());
        Ok(config)
    }

    /// Every version of `name` in the index, oldest first; empty when the crate is unknown.
    pub fn versions(&self, name: &str) -> Result<Arc<Vec<IndexEntry>>, RegistryError> {
        let auth = self.config()?.auth_required;
        let path = index_path(name);
        let url = format!("{}{path}", self.base);
        let mut validators = Vec::new();
        if let Some(cached) = lock(&self.cache).get(&path) {
            validators.extend(cached.etag.clone().map(|etag| ("If-None-Match", etag)));
            validators.extend(cached.last_modified.clone().map(|date| ("If-Modified-Since", date)));
        }
        self.requests.fetch_add(1, Ordering::Relaxed);
        let answer =
            self.transport.get_retrying(&url, self.token.as_ref().filter(|_| auth), &validators)?;
        let mut cache = lock(&self.cache);
        match answer.status {
            200 => {
                let entries = Arc::new(parse_index(&answer.body));
                let cached = Cached {
                    etag: answer.etag,
                    last_modified: answer.last_modified,
                    entries: Arc::clone(&entries),
                };
                cache.insert(path, cached);
                Ok(entries)
            }
            304 if cache.contains_key(&path) => {
                self.not_modified.fetch_add(1, Ordering::Relaxed);
                Ok(Arc::clone(&cache[&path].entries))
            }
            // What cargo takes for "no such crate".
            404 | 410 | 451 => {
                cache.remove(&path);
                Ok(Arc::new(Vec::new()))
            }
            401 | 403 if self.token.is_none() => Err(self.auth_error()),
            status => Err(RegistryError::Http { url, status }),
        }
    }

    /// The index line of `name@version`, if the index has it.
    pub fn find(&self, name: &str, version: &Version) -> Result<Option<IndexEntry>, RegistryError> {
        Ok(self.versions(name)?.iter().find(|entry| entry.version == *version).cloned())
    }

    /// True when the index lists `name@version` (yanked or not).
    pub fn is_published(&self, name: &str, version: &Version) -> Result<bool, RegistryError> {
        Ok(self.find(name, version)?.is_some())
    }

    /// `Some(yanked)` for a published version, `None` when it is not published.
    pub fn is_yanked(&self, name: &str, version: &Version) -> Result<Option<bool>, RegistryError> {
        Ok(self.find(name, version)?.map(|entry| entry.yanked))
    }

    /// The SHA-256 of the published `.crate`, `None` when it is not published.
    pub fn checksum(&self, name: &str, version: &Version) -> Result<Option<String>, RegistryError> {
        Ok(self.find(name, version)?.map(|entry| entry.cksum))
    }

    /// The highest version that is not yanked.
    pub fn newest(&self, name: &str) -> Result<Option<IndexEntry>, RegistryError> {
        Ok(self
            .versions(name)?
            .iter()
            .filter(|entry| !entry.yanked)
            .max_by(|a, b| a.version.cmp(&b.version))
            .cloned())
    }

    /// Polls until the index serves `name@version`, waiting 0.1 s, 0.2 s, ... up to 2 s
    /// between polls. Errors worth retrying (5xx, 429, no answer) keep it polling; after
    /// `timeout` it gives up.
    pub fn wait_until_published(
        &self,
        name: &str,
        version: &Version,
        timeout: Duration,
    ) -> Result<IndexEntry, RegistryError> {
        let started = Instant::now();
        let mut last_error = None;
        for delay in Backoff::new(Duration::from_millis(100), Duration::from_secs(2)) {
            match self.find(name, version) {
                Ok(Some(entry)) => return Ok(entry),
                Ok(None) => last_error = None,
                Err(err) if err.is_transient() => last_error = Some(err.to_string()),
                Err(err) => return Err(err),
            }
            let left = timeout.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            std::thread::sleep(delay.min(left));
        }
        Err(RegistryError::Timeout {
            what: format!("{name}@{version}"),
            waited: started.elapsed(),
            last_error,
        })
    }

    /// Index requests so far and how many were answered `304 Not Modified`.
    pub fn stats(&self) -> FetchStats {
        FetchStats {
            requests: self.requests.load(Ordering::Relaxed),
            not_modified: self.not_modified.load(Ordering::Relaxed),
        }
    }

    fn require_token(&self) -> Result<(), RegistryError> {
        if self.token.is_none() { Err(self.auth_error()) } else { Ok(()) }
    }

    fn auth_error(&self) -> RegistryError {
        let key = crate::config::env_key(&self.name);
        RegistryError::AuthRequired {
            registry: self.name.clone(),
            hint: format!(
                "set CARGO_REGISTRIES_{key}_TOKEN or run `cargo login --registry {}`",
                self.name
            ),
        }
    }
}
