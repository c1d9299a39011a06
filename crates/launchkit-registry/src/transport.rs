//! HTTP for every registry, docs and forge call: one agent per process, the token on
//! request, retries like cargo's `net.retry`.
//!
//! The agent is shared so that every client in the process reuses the same connections
//! and looks each host up once: planning a 72-crate release made one DNS lookup and one
//! TLS handshake per crate when each client had its own agent, and a resolver that drops
//! replies under a burst turned each lookup into a 5 s stall.

use std::sync::OnceLock;
use std::time::Duration;

use crate::resolver::CachingResolver;

use crate::backoff::Backoff;
use crate::config::Token;
use crate::error::RegistryError;

/// Extra tries for a read that got a 5xx, a 429 or no answer.
const TRANSIENT_RETRIES: usize = 2;

/// What an index read needs from an answer.
pub struct Answer {
    pub status: u16,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// The body of a `200`; empty otherwise.
    pub body: String,
}

/// Index files of the largest crates are a few MiB; ureq's default limit is 10 MB.
const BODY_LIMIT: u64 = 64 * 1024 * 1024;

/// Idle connections kept per host: one per parallel reader (outdated runs up to 32).
const IDLE_PER_HOST: usize = 32;

/// Requests through the shared agent, each bounded by its own timeout.
pub struct Transport {
    timeout: Duration,
}

/// The process's HTTP agent, as launchkit's clients want it: every status handed back as a
/// value (4xx and 5xx are answers to read, not errors), idle connections kept for reuse,
/// each host resolved once, and certificates checked by the platform verifier, which
/// trusts what the system (and cargo) trust, such as a company proxy's; ureq's bundled
/// roots would refuse it. Bound each request with [`bounded`]: the agent has no timeout
/// of its own.
pub fn agent() -> &'static ureq::Agent {
    static AGENT: OnceLock<ureq::Agent> = OnceLock::new();
    AGENT.get_or_init(|| {
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_idle_connections(IDLE_PER_HOST * 4)
            .max_idle_connections_per_host(IDLE_PER_HOST)
            .user_agent(concat!("launchkit/", env!("CARGO_PKG_VERSION")))
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        ureq::Agent::with_parts(
            config,
            ureq::unversioned::transport::DefaultConnector::new(),
            CachingResolver::default(),
        )
    })
}

/// `request`, given up after `timeout` (connection, sending and answer included).
pub fn bounded<B>(request: ureq::RequestBuilder<B>, timeout: Duration) -> ureq::RequestBuilder<B> {
    request.config().timeout_global(Some(timeout)).build()
}

/// Host names the shared agent resolved so far: one per host and process.
pub fn lookups() -> usize {
    crate::resolver::lookups()
}

/// Reads what is left of `body` so that its connection goes back to the pool: ureq closes
/// a connection whose answer was not read to the end.
pub fn drain(body: &mut ureq::Body) {
    let _ = std::io::copy(&mut body.with_config().limit(BODY_LIMIT).reader(), &mut std::io::sink());
}

impl Transport {
    /// Requests that each give up after `timeout`.
    pub fn new(timeout: Duration) -> Transport {
        Transport { timeout }
    }

    /// [`Transport::get`], with a 5xx, a 429 or no answer tried twice more, 0.25 s and
    /// 0.5 s later, before it counts.
    pub fn get_retrying(
        &self,
        url: &str,
        token: Option<&Token>,
        headers: &[(&str, String)],
    ) -> Result<Answer, RegistryError> {
        let mut waits = Backoff::new(Duration::from_millis(250), Duration::from_secs(1))
            .take(TRANSIENT_RETRIES);
        loop {
            let result = self.get(url, token, headers).and_then(|answer| match answer.status {
                429 | 500..=599 => {
                    Err(RegistryError::Http { url: url.to_owned(), status: answer.status })
                }
                _ => Ok(answer),
            });
            match (result, waits.next()) {
                (Err(err), Some(wait)) if err.is_transient() => std::thread::sleep(wait),
                (result, _) => return result,
            }
        }
    }

    /// `GET url` with `headers`, and `Authorization` when a token is given.
    pub fn get(
        &self,
        url: &str,
        token: Option<&Token>,
        headers: &[(&str, String)],
    ) -> Result<Answer, RegistryError> {
        let user_agent = concat!("launchkit-registry/", env!("CARGO_PKG_VERSION"));
        let mut request = bounded(agent().get(url), self.timeout).header("User-Agent", user_agent);
        for (name, value) in headers {
            request = request.header(*name, value.as_str());
        }
        if let Some(token) = token {
            request = request.header("Authorization", token.expose());
        }
        let transport = |err: ureq::Error| RegistryError::Transport {
            url: url.to_owned(),
            message: err.to_string(),
        };
        let mut response = request.call().map_err(transport)?;
        let header = |name: &str| {
            response.headers().get(name).and_then(|value| value.to_str().ok()).map(str::to_owned)
        };
        let (etag, last_modified) = (header("etag"), header("last-modified"));
        let status = response.status().as_u16();
        let body = if status == 200 {
            response
                .body_mut()
                .with_config()
                .limit(BODY_LIMIT)
                .read_to_string()
                .map_err(transport)?
        } else {
            drain(response.body_mut());
            String::new()
        };
        Ok(Answer { status, etag, last_modified, body })
    }
}
