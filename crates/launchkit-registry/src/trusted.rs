//! Trusted publishing: a CI identity (an OIDC JWT) exchanged for a registry token that
//! lasts 30 minutes, and revoked when the release is done.
//!
//! The identity comes from GitHub Actions' token service (`ACTIONS_ID_TOKEN_REQUEST_URL`
//! with `&audience=AUD`, `Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN`,
//! answering `{"value": JWT}`), else from `LAUNCHKIT_ID_TOKEN` or `CRATES_IO_ID_TOKEN`
//! (GitLab CI's `id_tokens`, or any CI that can mint one). The exchange and the
//! revocation are crates.io's API: `POST {api}/api/v1/trusted_publishing/tokens` with
//! `{"jwt": JWT}` answers `{"token": TOKEN}`; `DELETE` on the same path with the token as
//! `Authorization` revokes it. A JWT is single use, so each exchange asks for a new one.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::config::{CRATES_IO, Token};
use crate::error::RegistryError;
use crate::transport::{agent, bounded, drain};

/// The path of the exchange and the revocation, below the registry's `api`.
const TOKENS_PATH: &str = "api/v1/trusted_publishing/tokens";

/// Answers are small JSON objects.
const ANSWER_LIMIT: u64 = 1024 * 1024;

/// Where this process can get an identity token from.
#[derive(Clone, PartialEq, Eq)]
pub enum Identity {
    /// GitHub Actions' token service (a job with `permissions: id-token: write`).
    GithubActions {
        /// `ACTIONS_ID_TOKEN_REQUEST_URL`.
        url: String,
        /// `ACTIONS_ID_TOKEN_REQUEST_TOKEN`, which authorizes the request.
        token: Token,
    },
    /// A JWT minted by the CI, and the variable it came from.
    Jwt {
        /// `LAUNCHKIT_ID_TOKEN` or `CRATES_IO_ID_TOKEN`.
        variable: &'static str,
        /// The JWT.
        jwt: Token,
    },
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source())
    }
}

impl Identity {
    /// The identity the environment (read through `var`) offers, if any: GitHub Actions
    /// first, then `LAUNCHKIT_ID_TOKEN`, then `CRATES_IO_ID_TOKEN`. Empty values count as
    /// unset.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Option<Identity> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        if let (Some(url), Some(token)) =
            (var("ACTIONS_ID_TOKEN_REQUEST_URL"), var("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
        {
            return Some(Identity::GithubActions { url, token: Token::new(token) });
        }
        ["LAUNCHKIT_ID_TOKEN", "CRATES_IO_ID_TOKEN"].into_iter().find_map(|variable| {
            var(variable).map(|jwt| Identity::Jwt { variable, jwt: Token::new(jwt.trim()) })
        })
    }

    /// Where the identity comes from, for messages.
    pub fn source(&self) -> String {
        match self {
            Identity::GithubActions { .. } => "GitHub Actions' OIDC token service".to_owned(),
            Identity::Jwt { variable, .. } => format!("`{variable}`"),
        }
    }

    /// A JWT for `audience`: a fresh one from GitHub Actions on each call; the same one
    /// from a variable, which can be exchanged only once.
    pub fn jwt(&self, audience: &str, timeout: Duration) -> Result<Token, RegistryError> {
        let (url, token) = match self {
            Identity::Jwt { jwt, .. } => return Ok(jwt.clone()),
            Identity::GithubActions { url, token } => (url, token),
        };
        let separator = if url.contains('?') { '&' } else { '?' };
        let url = format!("{url}{separator}audience={}", crate::percent_encode(audience));
        let request = bounded(agent().get(&url), timeout)
            .header("Authorization", format!("bearer {}", token.expose()));
        #[derive(Deserialize)]
        struct Answer {
            value: String,
        }
        // The request URL carries no secret, but keep it out of messages all the same:
        // the audience is all that varies.
        let (status, body) = send(request.call(), "GitHub Actions' OIDC token service")?;
        if status != 200 {
            return Err(RegistryError::Config(format!(
                "GitHub Actions' OIDC token service answered HTTP {status}: give the job `permissions: id-token: write`"
            )));
        }
        let answer: Answer = serde_json::from_str(&body).map_err(|err| RegistryError::Parse {
            url: "GitHub Actions' OIDC token service".to_owned(),
            message: err.to_string(),
        })?;
        Ok(Token::new(answer.value))
    }
}

/// The audience a registry expects in the JWT: `crates.io` for crates.io, else the host
/// of its API.
pub fn audience(registry: &str, api: &str) -> String {
    if registry == CRATES_IO {
        return "crates.io".to_owned();
    }
    let rest = api.split_once("://").map_or(api, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    match host.rsplit_once(':') {
        Some((name, port)) if !name.ends_with(']') && port.bytes().all(|b| b.is_ascii_digit()) => {
            name.to_owned()
        }
        _ => host.to_owned(),
    }
}

/// Exchanges `jwt` for a registry token at `api` (the `api` of the registry's
/// `config.json`). A refusal is one line that says what to fix.
pub fn exchange(api: &str, jwt: &Token, timeout: Duration) -> Result<Token, RegistryError> {
    let url = tokens_url(api);
    let body = serde_json::json!({ "jwt": jwt.expose() }).to_string();
    let request = bounded(agent().post(&url), timeout)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json");
    let (status, answer) = send(request.send(body.as_str()), &url)?;
    match status {
        200 => {
            #[derive(Deserialize)]
            struct Minted {
                token: String,
            }
            let minted: Minted = serde_json::from_str(&answer).map_err(|err| {
                RegistryError::Parse { url: url.clone(), message: err.to_string() }
            })?;
            Ok(Token::new(minted.token))
        }
        400 | 401 | 403 | 404 => Err(RegistryError::Config(refusal(status, &answer, jwt))),
        _ => Err(RegistryError::Http { url, status }),
    }
}

/// Whether the registry accepts only trusted publishing for `name`: crates.io's
/// `GET {api}/api/v1/crates/NAME` answers `{"crate": {"trustpub_only": true, ..}}` for a
/// crate whose owners turned token publishing off. A registry without the field, or that
/// does not know the crate or the endpoint (404), takes tokens.
pub fn trustpub_only(api: &str, name: &str, timeout: Duration) -> Result<bool, RegistryError> {
    let url =
        format!("{}/api/v1/crates/{}", api.trim_end_matches('/'), crate::percent_encode(name));
    let request = bounded(agent().get(&url), timeout).header("Accept", "application/json");
    match send(request.call(), &url)? {
        (200, body) => {
            #[derive(Deserialize)]
            struct Answer {
                #[serde(rename = "crate")]
                krate: Crate,
            }
            #[derive(Deserialize)]
            struct Crate {
                #[serde(default)]
                trustpub_only: bool,
            }
            let answer: Answer = serde_json::from_str(&body)
                .map_err(|err| RegistryError::Parse { url, message: err.to_string() })?;
            Ok(answer.krate.trustpub_only)
        }
        (404, _) => Ok(false),
        (status, _) => Err(RegistryError::Http { url, status }),
    }
}

/// Revokes a token minted by [`exchange`].
pub fn revoke(api: &str, token: &Token, timeout: Duration) -> Result<(), RegistryError> {
    let url = tokens_url(api);
    let request = bounded(agent().delete(&url), timeout).header("Authorization", token.expose());
    match send(request.call(), &url)? {
        (200..=299, _) => Ok(()),
        (status, _) => Err(RegistryError::Http { url, status }),
    }
}

fn tokens_url(api: &str) -> String {
    format!("{}/{TOKENS_PATH}", api.trim_end_matches('/'))
}

/// The status and body of an answer (a body is read up to a limit).
fn send(
    result: Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    url: &str,
) -> Result<(u16, String), RegistryError> {
    let transport = |err: ureq::Error| RegistryError::Transport {
        url: url.to_owned(),
        message: err.to_string(),
    };
    let mut response = result.map_err(transport)?;
    let status = response.status().as_u16();
    let body = response.body_mut().with_config().limit(ANSWER_LIMIT).read_to_string();
    drain(response.body_mut());
    Ok((status, body.unwrap_or_default()))
}

/// The one line a refused exchange becomes: the registry's reason (crates.io's
/// `{"errors":[{"detail":"..."}]}`) and the fix.
fn refusal(status: u16, body: &str, jwt: &Token) -> String {
    let details = crate::error::api_errors(body);
    let detail = jwt.redact(&details.join("; ").replace(['\n', '\r'], " "));
    let lower = detail.to_lowercase();
    let fix = if lower.contains("no matching") || lower.contains("not found") {
        "no trusted-publishing configuration matches this repository, workflow and environment: add one in the crate's settings on the registry (Trusted Publishing), or publish with a token"
    } else if lower.contains("expired") || lower.contains("already been used") {
        "the identity token expired or was used already: run again so that a fresh one is requested"
    } else if lower.contains("audience") {
        "the identity token has the wrong audience: set `trusted-publishing-audience` to the one the registry expects"
    } else if lower.contains("trigger") || lower.contains("workflow_run") || lower.contains("event")
    {
        "this trigger is not allowed to publish: release from a workflow started by push, tag or workflow_dispatch"
    } else {
        "check the crate's trusted-publishing configuration on the registry (repository, workflow, environment), or publish with a token"
    };
    let reason = if detail.is_empty() { String::new() } else { format!(" ({detail})") };
    format!("trusted publishing refused: the registry answered HTTP {status}{reason}: {fix}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audience_is_crates_io_or_the_api_host() {
        assert_eq!(audience("crates-io", "https://crates.io"), "crates.io");
        assert_eq!(
            audience("corp", "https://registry.corp.example:8443/api/"),
            "registry.corp.example"
        );
        assert_eq!(audience("corp", "http://user@127.0.0.1:9000"), "127.0.0.1");
    }

    #[test]
    fn each_refusal_names_its_fix_without_the_jwt() {
        let jwt = Token::new("eyJ.secret.jwt");
        let body = |detail: &str| format!(r#"{{"errors":[{{"detail":"{detail}"}}]}}"#);
        let cases = [
            (
                "No matching Trusted Publishing config found",
                "no trusted-publishing configuration matches",
            ),
            ("Invalid JWT: token has expired", "expired or was used already"),
            ("Invalid audience: expected crates.io", "set `trusted-publishing-audience`"),
            ("Publishing from workflow_run events is not allowed", "this trigger is not allowed"),
            (
                "something else about eyJ.secret.jwt",
                "check the crate's trusted-publishing configuration",
            ),
        ];
        for (detail, fix) in cases {
            let line = refusal(403, &body(detail), &jwt);
            assert!(line.contains(fix), "{line}");
            assert!(!line.contains(jwt.expose()) && !line.contains('\n'), "{line}");
        }
        assert_eq!(
            refusal(400, "<html>bad</html>", &jwt),
            "trusted publishing refused: the registry answered HTTP 400: check the crate's trusted-publishing configuration on the registry (repository, workflow, environment), or publish with a token"
        );
    }

    #[test]
    fn identity_prefers_github_actions_and_skips_empty_values() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(key, _)| *key == name).map(|(_, v)| v.to_string())
        };
        assert_eq!(Identity::from_env(vars(&[])), None);
        assert_eq!(Identity::from_env(vars(&[("LAUNCHKIT_ID_TOKEN", " ")])), None);
        let jwt = Identity::from_env(vars(&[("CRATES_IO_ID_TOKEN", "a.b.c")])).unwrap();
        assert_eq!(jwt.source(), "`CRATES_IO_ID_TOKEN`");
        let github = Identity::from_env(vars(&[
            ("CRATES_IO_ID_TOKEN", "a.b.c"),
            ("ACTIONS_ID_TOKEN_REQUEST_URL", "http://x/token?api-version=2.0"),
            ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "secret"),
        ]))
        .unwrap();
        assert!(matches!(github, Identity::GithubActions { .. }));
        assert!(!format!("{github:?}").contains("secret"));
    }
}
