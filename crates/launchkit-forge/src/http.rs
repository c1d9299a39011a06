//! One forge request, retried like publishing's: a `429` waited out as its `Retry-After`
//! asks (else on the backoff), a 5xx or a broken connection after a doubling backoff
//! (launchkit-registry's `Backoff`). A create retried after a 5xx that did create is
//! answered "already exists", which the callers handle by finding what exists.

use std::fmt;
use std::time::Duration;

use launchkit_registry::Backoff;
use serde_json::Value;

use crate::{Error, Kind};

/// Longest any one request may take (uploads included).
const TIMEOUT: Duration = Duration::from_secs(120);

/// How many times, and how long apart, a request is tried.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The first wait after a 5xx or a broken connection; each next one doubles.
    pub first: Duration,
    /// The longest wait of the backoff.
    pub max: Duration,
    /// The longest `Retry-After` obeyed: a longer one is cut to this.
    pub longest_asked: Duration,
}

impl Default for Retry {
    /// Six tries, 1 s, 2 s, 4 s, 8 s, 16 s apart; a `Retry-After` of up to 10 minutes.
    fn default() -> Retry {
        Retry {
            attempts: 6,
            first: Duration::from_secs(1),
            max: Duration::from_secs(60),
            longest_asked: Duration::from_secs(600),
        }
    }
}

/// A forge token and the header it goes in. Its `Debug` never shows the secret.
#[derive(Clone)]
pub struct Token {
    header: &'static str,
    value: String,
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({}: ***)", self.header)
    }
}

impl Token {
    /// The variables a token for `kind` is read from, in order.
    pub fn names(kind: Kind) -> &'static [&'static str] {
        match kind {
            Kind::Github => &["GITHUB_TOKEN", "GH_TOKEN"],
            Kind::Gitlab => &["GITLAB_TOKEN", "CI_JOB_TOKEN"],
            Kind::Gitea => &["GITEA_TOKEN", "FORGEJO_TOKEN"],
        }
    }

    /// The first non-empty variable of [`Token::names`], read through `var`: GitHub's as
    /// `Authorization: Bearer`, GitLab's personal or project token as `PRIVATE-TOKEN` and
    /// a CI job's as `JOB-TOKEN`, Gitea's as `Authorization: token`.
    pub fn from_env(kind: Kind, var: impl Fn(&str) -> Option<String>) -> Option<Token> {
        let (name, value) = Token::names(kind)
            .iter()
            .find_map(|name| var(name).filter(|value| !value.is_empty()).map(|v| (*name, v)))?;
        let (header, value) = match name {
            "GITHUB_TOKEN" | "GH_TOKEN" => ("Authorization", format!("Bearer {value}")),
            "GITLAB_TOKEN" => ("PRIVATE-TOKEN", value),
            "CI_JOB_TOKEN" => ("JOB-TOKEN", value),
            _ => ("Authorization", format!("token {value}")),
        };
        Some(Token { header, value })
    }
}

/// What a request sends.
pub(crate) enum Body<'a> {
    Empty,
    Json(Value),
    Bytes { content_type: &'a str, bytes: &'a [u8] },
}

/// An answer: its status and body.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub body: String,
    retry_after: Option<Duration>,
}

impl Answer {
    /// The body as JSON (`Null` when it is not).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The forge's error message: `message` (GitHub, Gitea, GitLab) or `error` (GitLab),
    /// else the start of the body.
    pub fn message(&self) -> String {
        let json = self.json();
        let text = |value: &Value| match value {
            Value::String(text) => Some(text.clone()),
            Value::Null => None,
            other => Some(other.to_string()),
        };
        text(&json["message"])
            .or_else(|| text(&json["error"]))
            .unwrap_or_else(|| self.body.chars().take(200).collect())
    }
}

pub(crate) struct Http {
    token: Token,
    /// Headers every request of this forge carries.
    headers: &'static [(&'static str, &'static str)],
    retry: Retry,
}

impl Http {
    pub fn new(kind: Kind, token: Token, retry: Retry) -> Http {
        let headers: &[(&str, &str)] = match kind {
            Kind::Github => {
                &[("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")]
            }
            Kind::Gitlab | Kind::Gitea => &[("Accept", "application/json")],
        };
        Http { token, headers, retry }
    }

    /// `method url` with `body`, retried as [`Retry`] says.
    pub fn send(&self, method: &str, url: &str, body: &Body) -> Result<Answer, Error> {
        self.retrying(method, url, body, true)
    }

    /// Like [`Http::send`], but a 5xx or a broken connection is handed back at once: an
    /// upload may have arrived all the same, and sending it again could attach it twice,
    /// so the caller looks first.
    pub fn send_rate_limited(&self, method: &str, url: &str, body: &Body) -> Result<Answer, Error> {
        self.retrying(method, url, body, false)
    }

    /// The waits between tries after a 5xx or a broken connection.
    pub fn backoff(&self) -> impl Iterator<Item = Duration> {
        let retry = self.retry;
        Backoff::new(retry.first, retry.max).take(retry.attempts.saturating_sub(1) as usize)
    }

    fn retrying(
        &self,
        method: &str,
        url: &str,
        body: &Body,
        server_errors: bool,
    ) -> Result<Answer, Error> {
        let mut waits = Backoff::new(self.retry.first, self.retry.max);
        let mut attempt = 1;
        loop {
            let result = self.once(method, url, body);
            let wait = match &result {
                Ok(answer) if answer.status == 429 => match answer.retry_after {
                    Some(asked) => asked.min(self.retry.longest_asked),
                    None => waits.next().unwrap_or_default(),
                },
                Ok(answer) if answer.status >= 500 && server_errors => {
                    waits.next().unwrap_or_default()
                }
                Err(_) if server_errors => waits.next().unwrap_or_default(),
                _ => return result,
            };
            if attempt >= self.retry.attempts {
                return result;
            }
            attempt += 1;
            std::thread::sleep(wait);
        }
    }

    fn once(&self, method: &str, url: &str, body: &Body) -> Result<Answer, Error> {
        let agent = launchkit_registry::agent();
        let response = match method {
            "GET" | "DELETE" => {
                let start = if method == "GET" { agent.get(url) } else { agent.delete(url) };
                let request = self.headers(launchkit_registry::bounded(start, TIMEOUT));
                request.call()
            }
            _ => {
                let start = match method {
                    "POST" => agent.post(url),
                    "PUT" => agent.put(url),
                    _ => agent.patch(url),
                };
                let request = self.headers(launchkit_registry::bounded(start, TIMEOUT));
                match body {
                    Body::Empty => request.send_empty(),
                    Body::Json(json) => request
                        .header("Content-Type", "application/json")
                        .send(json.to_string().as_bytes()),
                    Body::Bytes { content_type, bytes } => {
                        request.header("Content-Type", *content_type).send(*bytes)
                    }
                }
            }
        };
        let mut response =
            response.map_err(|err| Error(format!("{method} {url} failed: {err}")))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Ok(Answer { status, body, retry_after })
    }

    fn headers<B>(&self, request: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        let request = self.headers.iter().fold(request, |r, (k, v)| r.header(*k, *v));
        request.header(self.token.header, &self.token.value)
    }
}
