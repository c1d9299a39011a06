//! External links: each distinct http(s) URL checked once, concurrently, politely.
//!
//! [`check`] answers from the cache what it can, then hands the rest to the scheduler
//! (`schedule`) which runs `request`s with a global and a per-host concurrency limit,
//! retries and `Retry-After` pauses, and stores the new successes back in the cache.

mod cache;
mod request;
mod schedule;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::Duration;

pub use request::host_of;

/// How external links are checked.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Requests in flight at once, over all hosts.
    pub concurrency: usize,
    /// Requests in flight at once to one host.
    pub per_host: usize,
    /// Time allowed to open a connection.
    pub connect_timeout: Duration,
    /// Time allowed for one request, from connecting to the response headers.
    pub timeout: Duration,
    /// Further attempts after a timeout, a connection failure, a 5xx or a 429.
    pub retries: u32,
    /// Pause before the first retry; doubled before each further one.
    pub backoff: Duration,
    /// The longest `Retry-After` waited for; a longer one leaves the link unverified.
    pub max_retry_after: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: u32,
    /// Extra request headers by host (the host or any subdomain of it).
    pub headers: Vec<HostHeader>,
    /// Sent as a bearer token to github.com and its subdomains, over https only.
    pub github_token: Option<String>,
    /// File remembering recent successes; `None` checks everything every time.
    pub cache: Option<PathBuf>,
    /// How long a remembered success holds.
    pub cache_ttl: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpOptions {
    fn default() -> HttpOptions {
        HttpOptions {
            concurrency: 64,
            per_host: 8,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(20),
            retries: 2,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            max_redirects: 10,
            // crates.io answers 404 to clients that do not ask for HTML.
            headers: vec![HostHeader::new("crates.io", "accept", "text/html")],
            github_token: None,
            cache: None,
            cache_ttl: Duration::from_secs(24 * 60 * 60),
            user_agent: format!("launchkit-links/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// A request header sent to one host and its subdomains.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostHeader {
    /// Host name, such as `crates.io`.
    pub host: String,
    /// Header name.
    pub name: String,
    /// Header value.
    pub value: String,
}

impl HostHeader {
    /// A header for `host`.
    pub fn new(
        host: impl Into<String>,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> HostHeader {
        HostHeader { host: host.into(), name: name.into(), value: value.into() }
    }
}

/// What became of one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// It answered with a success, after any redirects.
    Ok,
    /// A success within the cache's time to live; not requested again.
    Cached,
    /// It is broken: a 4xx answer, an unknown host, a redirect loop.
    Broken(String),
    /// It could not be verified: timeouts, 5xx answers, rate limits.
    Unverified(String),
}

/// Checks each distinct URL of `urls` (fragments already removed) and says what became
/// of it.
pub fn check(urls: Vec<String>, options: &HttpOptions) -> HashMap<String, Verdict> {
    let mut cache =
        options.cache.as_ref().map(|path| cache::Cache::load(path.clone(), options.cache_ttl));
    let mut verdicts = HashMap::new();
    let mut unknown = Vec::new();
    let mut seen = HashSet::new();
    for url in urls {
        if !seen.insert(url.clone()) {
            continue;
        }
        if cache.as_ref().is_some_and(|cache| cache.is_fresh(&url)) {
            verdicts.insert(url, Verdict::Cached);
        } else {
            unknown.push(url);
        }
    }
    let checked = schedule::run(unknown, options);
    if let Some(cache) = &mut cache {
        let mut remembered = false;
        for (url, verdict) in &checked {
            // Only successes are remembered: a failure or a rate limit is asked again.
            if *verdict == Verdict::Ok {
                cache.insert(url);
                remembered = true;
            }
        }
        if remembered {
            // Losing the cache only costs time on the next run.
            let _ = cache.save();
        }
    }
    verdicts.extend(checked);
    verdicts
}
