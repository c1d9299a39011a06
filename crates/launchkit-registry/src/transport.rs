//! HTTP for the index: one agent, the token on request, retries like cargo's `net.retry`.

use std::time::Duration;

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

/// A ureq agent that hands every status back instead of failing on 4xx and 5xx.
pub struct Transport {
    agent: ureq::Agent,
}

/// A ureq agent as launchkit's HTTP clients want it: every status handed back as a value
/// (4xx and 5xx are answers to read, not errors), each request bounded by `timeout`, and
/// certificates checked by the platform verifier, which trusts what the system (and cargo)
/// trust, such as a company proxy's; ureq's bundled roots would refuse it.
pub fn agent(timeout: Duration, user_agent: &str) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .user_agent(user_agent)
        .tls_config(
            ureq::tls::TlsConfig::builder()
                .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                .build(),
        )
        .build()
        .into()
}

impl Transport {
    /// An agent whose requests each give up after `timeout`.
    pub fn new(timeout: Duration) -> Transport {
        let user_agent = concat!("launchkit-registry/", env!("CARGO_PKG_VERSION"));
        Transport { agent: agent(timeout, user_agent) }
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
        let mut request = self.agent.get(url);
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
            response.body_mut().read_to_string().map_err(transport)?
        } else {
            String::new()
        };
        Ok(Answer { status, etag, last_modified, body })
    }
}
