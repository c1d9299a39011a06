//! The registry Web API's upload, `PUT {api}/api/v1/crates/new`, as cargo sends it: the
//! metadata as JSON, then the `.crate`, each after its length as a 32-bit little-endian
//! number; the token in `Authorization` as it is, and `Accept: application/json`.
//!
//! A refusal reads in cargo's words (`the remote server responded with an error (status
//! 403 Forbidden): ...` for the registry's JSON errors, `failed to get a 200 OK response,
//! got 500` with the headers and body otherwise), so it reads the same whether launchkit
//! or cargo made the upload.

use std::fmt;
use std::time::Duration;

use serde::Deserialize;

use crate::config::Token;
use crate::error::api_errors;
use crate::transport::{agent, bounded, drain};

/// Answers are a few lines of JSON; more is cut.
const ANSWER_LIMIT: u64 = 1024 * 1024;

/// The slowest link an upload is given time for, beyond the request's timeout: cargo's
/// `http.timeout` is a stall limit, not a deadline, so a large crate on a slow link must
/// not run into it.
const SLOWEST_LINK: u64 = 16 * 1024;

/// Why an upload did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadError {
    /// The registry answered with an error status.
    Refused {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` header, as sent.
        retry_after: Option<String>,
        /// The `detail` of each of the registry's JSON errors; empty when the body is not
        /// the API's error list.
        errors: Vec<String>,
        /// The body as sent, when it is not the API's error list.
        body: String,
    },
    /// No answer: connection refused or dropped, timeout, TLS failure.
    Transport(String),
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadError::Refused { status, errors, .. } if !errors.is_empty() => write!(
                f,
                "the remote server responded with an error (status {status} {}): {}",
                reason(*status),
                errors.join(", ")
            ),
            UploadError::Refused { status, retry_after, body, .. } => {
                write!(f, "failed to get a 200 OK response, got {status}\nheaders:\n")?;
                if let Some(wait) = retry_after {
                    writeln!(f, "\tRetry-After: {wait}")?;
                }
                write!(f, "body:\n{body}")
            }
            UploadError::Transport(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for UploadError {}

/// Uploads `tarball` with its `metadata` (the Web API's JSON object) to the registry whose
/// `config.json` gives `api`, within `timeout` plus a second per 16 KiB sent. Returns the
/// warnings the registry sent back (unknown categories or badges, and others), one line
/// each.
pub fn upload(
    api: &str,
    token: &Token,
    metadata: &str,
    tarball: &[u8],
    timeout: Duration,
) -> Result<Vec<String>, UploadError> {
    let url = format!("{}/api/v1/crates/new", api.trim_end_matches('/'));
    let mut body = Vec::with_capacity(8 + metadata.len() + tarball.len());
    for part in [metadata.as_bytes(), tarball] {
        let length = u32::try_from(part.len()).map_err(|_| {
            UploadError::Transport(format!("{} bytes is too large to upload", part.len()))
        })?;
        body.extend(length.to_le_bytes());
        body.extend(part);
    }
    let sending = Duration::from_secs(body.len() as u64 / SLOWEST_LINK);
    let request = bounded(agent().put(&url), timeout + sending)
        .header("Accept", "application/json")
        .header("Authorization", token.expose());
    let transport = |err: ureq::Error| UploadError::Transport(format!("{url}: {err}"));
    let mut response = request.send(&body[..]).map_err(transport)?;
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let answer = response.body_mut().with_config().limit(ANSWER_LIMIT).read_to_string();
    drain(response.body_mut());
    let answer = answer.map_err(transport)?;
    if status != 200 {
        let errors = api_errors(&answer);
        let body = if errors.is_empty() { answer } else { String::new() };
        return Err(UploadError::Refused { status, retry_after, errors, body });
    }
    Ok(warnings(&answer))
}

/// The warnings of a successful answer, `{"warnings": {"invalid_categories": [..],
/// "invalid_badges": [..], "other": [..]}}`, in cargo's words.
fn warnings(body: &str) -> Vec<String> {
    #[derive(Deserialize, Default)]
    struct Answer {
        #[serde(default)]
        warnings: Warnings,
    }
    #[derive(Deserialize, Default)]
    struct Warnings {
        #[serde(default)]
        invalid_categories: Vec<String>,
        #[serde(default)]
        invalid_badges: Vec<String>,
        #[serde(default)]
        other: Vec<String>,
    }
    let Warnings { invalid_categories, invalid_badges, other } =
        serde_json::from_str::<Answer>(body).unwrap_or_default().warnings;
    let mut lines = Vec::new();
    if !invalid_categories.is_empty() {
        lines.push(format!(
            "the registry ignored these categories, which are not valid slugs: {}",
            invalid_categories.join(", ")
        ));
    }
    if !invalid_badges.is_empty() {
        lines.push(format!(
            "the registry ignored these badges, unknown or missing an attribute: {}",
            invalid_badges.join(", ")
        ));
    }
    lines.extend(other);
    lines
}

/// The reason phrase cargo prints beside a status.
fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_read_in_cargo_s_words() {
        let api = UploadError::Refused {
            status: 403,
            retry_after: None,
            errors: api_errors(
                r#"{"errors":[{"detail":"this token lacks the publish-new scope"}]}"#,
            ),
            body: String::new(),
        };
        assert_eq!(
            api.to_string(),
            "the remote server responded with an error (status 403 Forbidden): this token lacks the publish-new scope"
        );
        let plain = UploadError::Refused {
            status: 429,
            retry_after: Some("2".into()),
            errors: api_errors("slow down"),
            body: "slow down".into(),
        };
        assert_eq!(
            plain.to_string(),
            "failed to get a 200 OK response, got 429\nheaders:\n\tRetry-After: 2\nbody:\nslow down"
        );
    }

    #[test]
    fn warnings_are_one_line_each() {
        let answer = r#"{"warnings":{"invalid_categories":["nope"],"invalid_badges":[],"other":["be nice"]}}"#;
        assert_eq!(
            warnings(answer),
            ["the registry ignored these categories, which are not valid slugs: nope", "be nice"]
        );
        assert!(warnings("{}").is_empty());
        assert!(warnings("").is_empty());
    }
}
