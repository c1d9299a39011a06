//! What a failed `cargo publish` means, read from cargo's error output, and how long to
//! wait before trying again.
//!
//! cargo reports a registry's answer in two shapes: `the remote server responded with an
//! error (status 429 Too Many Requests): <detail>` when the body is the registry's JSON
//! error, and `failed to get a 200 OK response, got 429` followed by the headers and body
//! otherwise. crates.io's 429 detail says "try again after `<HTTP date>`"; other registries
//! send `Retry-After`, which cargo shows in the second shape.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use launchkit_changelog::Date;
use launchkit_registry::Backoff;

/// Why an upload failed, as far as retrying goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// HTTP 429: wait this long (when the registry said), then try again.
    RateLimited(Option<Duration>),
    /// 5xx, a dropped connection, a timeout: try again after a backoff.
    Transient(String),
    /// The registry already has this version.
    AlreadyExists,
    /// Anything else: stop.
    Fatal(String),
}

/// Attempts for 5xx answers and broken connections: 1 s, 2 s, 4 s, 8 s, 16 s apart.
const TRANSIENT_ATTEMPTS: u32 = 6;
/// Attempts for 429 answers; crates.io's new-crate limit alone can take several.
const RATE_LIMITED_ATTEMPTS: u32 = 30;

/// How many times, and how long apart, a registry call is tried again: HTTP 429 waited
/// out as the registry asks (else 2 s, 4 s, ... up to 10 minutes, 30 attempts), 5xx and
/// broken connections after 1 s, 2 s, ... (6 attempts). Shared by uploads and yanks.
pub struct Retry {
    transient_waits: Backoff,
    rate_waits: Backoff,
    transient: u32,
    rate_limited: u32,
}

impl Default for Retry {
    fn default() -> Retry {
        Retry {
            transient_waits: Backoff::new(Duration::from_secs(1), Duration::from_secs(60)),
            rate_waits: Backoff::new(Duration::from_secs(2), Duration::from_secs(600)),
            transient: 0,
            rate_limited: 0,
        }
    }
}

impl Retry {
    /// After a failed attempt: how long to wait and a progress message saying why, or
    /// why to stop. `AlreadyExists` is the caller's to handle; here it stops like `Fatal`.
    pub fn after(&mut self, failure: Failure) -> Result<(Duration, String), String> {
        match failure {
            Failure::RateLimited(asked) => {
                self.rate_limited += 1;
                if self.rate_limited >= RATE_LIMITED_ATTEMPTS {
                    return Err(format!("still rate limited after {} attempts", self.rate_limited));
                }
                let (wait, why) = match asked {
                    Some(wait) => (wait, "as the registry asked"),
                    None => (self.rate_waits.next().unwrap_or_default(), "backing off"),
                };
                Ok((
                    wait,
                    format!("rate limited (HTTP 429): retrying in {}s, {why}", wait.as_secs()),
                ))
            }
            Failure::Transient(reason) => {
                self.transient += 1;
                if self.transient >= TRANSIENT_ATTEMPTS {
                    return Err(format!("{reason}, {} times", self.transient));
                }
                let wait = self.transient_waits.next().unwrap_or_default();
                Ok((wait, format!("{reason}: retrying in {}s", wait.as_secs())))
            }
            Failure::AlreadyExists => Err("the registry already has this version".to_owned()),
            Failure::Fatal(reason) => Err(reason),
        }
    }
}

/// curl's error codes for a connection that failed or broke before a full answer
/// (couldn't connect, timeout, SSL connect, empty reply, send and receive failures,
/// HTTP/2 stream errors), and cargo's own words for them.
const NETWORK_MARKERS: &[&str] = &[
    "[7] ",
    "[18] ",
    "[28] ",
    "[35] ",
    "[52] ",
    "[55] ",
    "[56] ",
    "[92] ",
    "connection reset",
    "connection refused",
    "spurious network error",
];

/// Reads cargo's stderr of a failed `cargo publish`.
pub fn classify(stderr: &str, now: SystemTime) -> Failure {
    let lower = stderr.to_lowercase();
    let status = http_status(stderr);
    if lower.contains("already exists") || status == Some(409) {
        return Failure::AlreadyExists;
    }
    match status {
        Some(429) => return Failure::RateLimited(retry_after(stderr, now)),
        Some(status) if status >= 500 => return Failure::Transient(format!("HTTP {status}")),
        Some(_) => return Failure::Fatal(summary(stderr)),
        None => {}
    }
    if NETWORK_MARKERS.iter().any(|marker| lower.contains(marker)) {
        return Failure::Transient(format!("network error: {}", summary(stderr)));
    }
    Failure::Fatal(summary(stderr))
}

/// What a 401 or 403 from the registry is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The token: missing scope, expired, revoked, wrong registry.
    Token,
    /// The crate's name belongs to other owners (crates.io: "this crate exists but you
    /// don't seem to be an owner").
    NotAnOwner,
}

/// Why the registry refused the upload, when it answered 401 or 403.
pub fn refusal(stderr: &str) -> Option<Refusal> {
    if !matches!(http_status(stderr), Some(401 | 403)) {
        return None;
    }
    let lower = stderr.to_lowercase();
    Some(if lower.contains("not an owner") || lower.contains("be an owner") {
        Refusal::NotAnOwner
    } else {
        Refusal::Token
    })
}

/// The status in `(status 429 Too Many Requests)` or `got 429`.
fn http_status(stderr: &str) -> Option<u16> {
    ["(status ", "200 OK response, got "].iter().find_map(|prefix| {
        let start = stderr.find(prefix)? + prefix.len();
        stderr.get(start..start + 3)?.parse().ok()
    })
}

/// The wait a 429 asked for: a `Retry-After` header (seconds or a date), or crates.io's
/// "try again after `<date>`".
fn retry_after(stderr: &str, now: SystemTime) -> Option<Duration> {
    let header = stderr.lines().find_map(|line| {
        let (key, value) = line.trim().split_once(':')?;
        key.eq_ignore_ascii_case("retry-after").then(|| value.trim().to_owned())
    });
    let value = header.or_else(|| {
        let start = stderr.find("try again after ")? + "try again after ".len();
        let rest = &stderr[start..];
        Some(rest[..rest.find(" GMT")? + 4].to_owned())
    })?;
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(&value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO).max(Duration::from_secs(1)))
}

/// An IMF-fixdate such as `Fri, 12 Jul 2024 10:30:00 GMT`, the form HTTP and crates.io use.
pub fn parse_http_date(text: &str) -> Option<SystemTime> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else { return None };
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|name| name == month)? + 1;
    let date: Date = format!("{year}-{month:02}-{day:0>2}").parse().ok()?;
    let clock: Vec<u64> = time.split(':').map(|part| part.parse().ok()).collect::<Option<_>>()?;
    let [hours, minutes, seconds] = clock.as_slice() else { return None };
    let seconds = date.days() * 86_400 + hours * 3600 + minutes * 60 + seconds;
    Some(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// cargo's error in one line: the `error:` line and its causes, without hints and notes.
pub fn summary(stderr: &str) -> String {
    let Some(start) = stderr.find("error:") else {
        return stderr.trim().lines().last().unwrap_or("failed").to_owned();
    };
    let parts: Vec<&str> = stderr[start..]
        .lines()
        .map(str::trim)
        .take_while(|line| {
            !line.starts_with("headers:")
                && !line.starts_with("note:")
                && !line.starts_with("help:")
        })
        .filter(|line| !line.is_empty() && *line != "Caused by:")
        .map(|line| line.strip_prefix("error: ").unwrap_or(line))
        .collect();
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    #[test]
    fn http_dates_parse_to_the_second() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(at(0)));
        assert_eq!(parse_http_date("Fri, 12 Jul 2024 10:30:00 GMT"), Some(at(1_720_780_200)));
        assert_eq!(parse_http_date("Tue, 29 Feb 2028 23:59:59 GMT"), Some(at(1_835_481_599)));
        assert_eq!(parse_http_date("12 Jul 2024"), None);
    }

    #[test]
    fn a_429_with_retry_after_in_the_headers_waits_that_long() {
        let stderr = "error: failed to publish a v0.1.0 to registry at http://127.0.0.1:1\n\nCaused by:\n  failed to get a 200 OK response, got 429\n  headers:\n  \tHTTP/1.1 429 Too Many Requests\n  \tRetry-After: 2\n  \n  body:\n  slow down\n";
        assert_eq!(classify(stderr, at(0)), Failure::RateLimited(Some(Duration::from_secs(2))));
    }

    #[test]
    fn crates_io_s_429_detail_gives_the_time_to_wait_until() {
        let stderr = "error: failed to publish a v0.1.0 to registry at https://crates.io\n\nCaused by:\n  the remote server responded with an error (status 429 Too Many Requests): You have published too many new crates in a short period of time. Please try again after Fri, 12 Jul 2024 10:30:00 GMT or email help@crates.io to have your limit increased.\n";
        assert_eq!(
            classify(stderr, at(1_720_780_200 - 90)),
            Failure::RateLimited(Some(Duration::from_secs(90)))
        );
        let no_hint = "error: x\n\nCaused by:\n  the remote server responded with an error (status 429 Too Many Requests): slow down\n";
        assert_eq!(classify(no_hint, at(0)), Failure::RateLimited(None));
    }

    #[test]
    fn server_errors_and_broken_connections_are_transient() {
        let server = "error: failed to publish\n\nCaused by:\n  failed to get a 200 OK response, got 500\n  headers:\n";
        assert_eq!(classify(server, at(0)), Failure::Transient("HTTP 500".into()));
        let dropped = "error: failed to publish a v0.1.0 to registry at http://127.0.0.1:1\n\nCaused by:\n  [52] Server returned nothing (no headers, no data) (Empty reply from server)\n";
        assert!(
            matches!(classify(dropped, at(0)), Failure::Transient(reason) if reason.contains("[52] Server returned nothing"))
        );
    }

    #[test]
    fn retries_wait_as_asked_or_back_off_then_give_up() {
        let mut retry = Retry::default();
        let asked = retry.after(Failure::RateLimited(Some(Duration::from_secs(7)))).unwrap();
        assert_eq!(
            asked,
            (
                Duration::from_secs(7),
                "rate limited (HTTP 429): retrying in 7s, as the registry asked".into()
            )
        );
        let waits: Vec<u64> = (0..5)
            .map(|_| retry.after(Failure::Transient("HTTP 502".into())).unwrap().0.as_secs())
            .collect();
        assert_eq!(waits, [1, 2, 4, 8, 16]);
        assert_eq!(
            retry.after(Failure::Transient("HTTP 502".into())).unwrap_err(),
            "HTTP 502, 6 times"
        );
        assert_eq!(retry.after(Failure::Fatal("403".into())).unwrap_err(), "403");
    }

    #[test]
    fn duplicates_and_other_errors_are_told_apart() {
        let exists = "    Updating `lk` index\nerror: crate a@0.1.0 already exists on `lk` index\n";
        assert_eq!(classify(exists, at(0)), Failure::AlreadyExists);
        let conflict = "error: x\n\nCaused by:\n  the remote server responded with an error (status 409 Conflict): crate version already exists: a 0.1.0\n";
        assert_eq!(classify(conflict, at(0)), Failure::AlreadyExists);
        let forbidden = "error: failed to publish a v0.1.0 to registry at https://crates.io\n\nCaused by:\n  the remote server responded with an error (status 403 Forbidden): this token lacks the publish-new scope\n";
        assert_eq!(refusal(forbidden), Some(Refusal::Token));
        let owners = "error: failed to publish serde v0.1.0 to registry at https://crates.io\n\nCaused by:\n  the remote server responded with an error (status 403 Forbidden): this crate exists but you don't seem to be an owner. If you believe this is a mistake, perhaps you need to accept an invitation to be an owner before publishing.\n";
        assert_eq!(refusal(owners), Some(Refusal::NotAnOwner));
        assert_eq!(refusal(conflict), None);
        assert_eq!(
            classify(forbidden, at(0)),
            Failure::Fatal("failed to publish a v0.1.0 to registry at https://crates.io: the remote server responded with an error (status 403 Forbidden): this token lacks the publish-new scope".into())
        );
    }
}
