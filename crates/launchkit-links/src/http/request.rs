//! One check of one URL: HEAD (GET when HEAD is refused), redirects followed one by one
//! so that a loop is recognised, and the answer sorted into done, rate limited or worth
//! another try.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ureq::Agent;
use ureq::http::{Response, StatusCode};

use super::{HttpOptions, Verdict};

/// The result of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Settled: no point asking again.
    Done(Verdict),
    /// 429: wait as long as `Retry-After` says (when it says) before asking again.
    RateLimited(Option<Duration>),
    /// A failure that may pass (timeout, connection failure, 5xx): worth a retry.
    Transient(String),
}

/// Sends the requests, sharing connections and what it learned about hosts.
pub struct Client<'a> {
    agent: Agent,
    options: &'a HttpOptions,
    /// Hosts that answered HEAD with 405 or 501: asked with GET from then on.
    head_refused: Mutex<HashSet<String>>,
}

impl<'a> Client<'a> {
    /// A client configured by `options`.
    pub fn new(options: &'a HttpOptions) -> Client<'a> {
        let config = Agent::config_builder()
            .http_status_as_error(false)
            // Redirects are followed here, one at a time, to recognise loops.
            .max_redirects(0)
            .timeout_connect(Some(options.connect_timeout))
            .timeout_global(Some(options.timeout))
            .user_agent(options.user_agent.as_str())
            .max_idle_connections(options.concurrency)
            .max_idle_connections_per_host(options.per_host)
            // The platform's roots, as cargo uses: links check behind a company CA too.
            .tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::PlatformVerifier)
                    .build(),
            )
            .build();
        Client {
            agent: Agent::new_with_config(config),
            options,
            head_refused: Mutex::new(HashSet::new()),
        }
    }

    /// Asks for `url` once, following its redirects.
    pub fn attempt(&self, url: &str) -> Attempt {
        let mut chain = vec![url.to_owned()];
        let mut get = self.head_refused.lock().expect("not poisoned").contains(&host_of(url));
        loop {
            let current = chain.last().expect("the chain starts with the URL");
            let response = match self.send(current, get) {
                Ok(response) => response,
                Err(err) => return classify_error(&err),
            };
            let status = response.status();
            if !get && status.as_u16() >= 400 && status != StatusCode::TOO_MANY_REQUESTS {
                // Many servers mishandle HEAD: ask again with GET before calling it broken.
                if matches!(status.as_u16(), 405 | 501) {
                    self.head_refused.lock().expect("not poisoned").insert(host_of(current));
                }
                get = true;
                continue;
            }
            match status.as_u16() {
                200..=299 => return Attempt::Done(Verdict::Ok),
                300..=399 => {
                    let Some(location) =
                        response.headers().get("location").and_then(|value| value.to_str().ok())
                    else {
                        return Attempt::Done(Verdict::Broken(format!(
                            "{} without a Location header",
                            describe(status)
                        )));
                    };
                    let next = resolve(current, location);
                    if chain.contains(&next) {
                        chain.push(next);
                        return Attempt::Done(Verdict::Broken(format!(
                            "redirect loop: {}",
                            chain.join(" -> ")
                        )));
                    }
                    if chain.len() > self.options.max_redirects as usize {
                        return Attempt::Done(Verdict::Broken(format!(
                            "more than {} redirects",
                            self.options.max_redirects
                        )));
                    }
                    if !next.starts_with("http://") && !next.starts_with("https://") {
                        return Attempt::Done(Verdict::Unverified(format!(
                            "redirects to `{next}`, which is not http(s)"
                        )));
                    }
                    chain.push(next);
                }
                429 => return Attempt::RateLimited(retry_after(&response)),
                408 | 500..=599 => return Attempt::Transient(describe(status)),
                _ => return Attempt::Done(Verdict::Broken(describe(status))),
            }
        }
    }

    fn send(&self, url: &str, get: bool) -> Result<Response<ureq::Body>, ureq::Error> {
        let mut request = if get { self.agent.get(url) } else { self.agent.head(url) };
        for (name, value) in headers_for(url, self.options) {
            request = request.header(name, value);
        }
        request.call()
    }
}

/// The extra headers a request to `url` carries. Computed for every hop of a redirect,
/// so a header meant for one host never follows a redirect to another.
fn headers_for(url: &str, options: &HttpOptions) -> Vec<(String, String)> {
    let host = host_of(url);
    let mut headers: Vec<(String, String)> = options
        .headers
        .iter()
        .filter(|header| is_within(&host, &header.host))
        .map(|header| (header.name.clone(), header.value.clone()))
        .collect();
    if let Some(token) = &options.github_token {
        // The token goes to GitHub only, and never in clear text.
        if url.starts_with("https://") && is_within(&host, "github.com") {
            headers.push(("authorization".to_owned(), format!("Bearer {token}")));
        }
    }
    headers
}

/// The lowercase host of an http(s) URL, without user info or port.
pub fn host_of(url: &str) -> String {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let host = if host_port.starts_with('[') {
        host_port.split_inclusive(']').next().unwrap_or(host_port)
    } else {
        host_port.split(':').next().unwrap_or(host_port)
    };
    host.to_ascii_lowercase()
}

/// True when `host` is `domain` or one of its subdomains.
fn is_within(host: &str, domain: &str) -> bool {
    host == domain || host.strip_suffix(domain).is_some_and(|sub| sub.ends_with('.'))
}

/// `location` from a redirect of `base`, made absolute.
fn resolve(base: &str, location: &str) -> String {
    if location.contains("://") {
        return location.to_owned();
    }
    let (scheme, rest) = base.split_once("://").unwrap_or(("https", base));
    if let Some(authority_path) = location.strip_prefix("//") {
        return format!("{scheme}://{authority_path}");
    }
    let without_fragment = rest.split('#').next().unwrap_or(rest);
    let without_query = without_fragment.split('?').next().unwrap_or(without_fragment);
    let authority_end = without_query.find('/').unwrap_or(without_query.len());
    let authority = &without_query[..authority_end];
    if location.starts_with('/') {
        format!("{scheme}://{authority}{location}")
    } else if location.starts_with('?') {
        format!("{scheme}://{without_query}{location}")
    } else {
        let dir_end = without_query
            .rfind('/')
            .filter(|&at| at >= authority_end)
            .map_or(without_query.len(), |at| at);
        format!("{scheme}://{}/{location}", &without_query[..dir_end])
    }
}

/// `404 Not Found`.
fn describe(status: StatusCode) -> String {
    match status.canonical_reason() {
        Some(reason) => format!("{} {reason}", status.as_u16()),
        None => status.as_u16().to_string(),
    }
}

fn classify_error(err: &ureq::Error) -> Attempt {
    match err {
        ureq::Error::HostNotFound => Attempt::Done(Verdict::Broken("unknown host".to_owned())),
        ureq::Error::BadUri(uri) => Attempt::Done(Verdict::Broken(format!("invalid URL: {uri}"))),
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => {
            Attempt::Done(Verdict::Broken(format!("TLS failed: {err}")))
        }
        ureq::Error::Timeout(_) => Attempt::Transient("timed out".to_owned()),
        other => Attempt::Transient(other.to_string()),
    }
}

/// The wait a `Retry-After` header asks for: seconds, or an HTTP date.
fn retry_after(response: &Response<ureq::Body>) -> Option<Duration> {
    let value = response.headers().get("retry-after")?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// Seconds since the epoch of an IMF-fixdate such as `Sun, 06 Nov 1994 08:49:37 GMT`.
fn parse_http_date(text: &str) -> Option<u64> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let [_, day, month, year, time, "GMT"] = parts.as_slice() else {
        return None;
    };
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let month = MONTHS.iter().position(|name| name == month)? as i64 + 1;
    let (day, year): (i64, i64) = (day.parse().ok()?, year.parse().ok()?);
    let mut clock = time.split(':').map(|part| part.parse::<i64>().ok());
    let (hour, minute, second) = (clock.next()??, clock.next()??, clock.next()??);
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    let days = era * 146_097 + day_of_era - 719_468;
    u64::try_from(days * 86_400 + hour * 3600 + minute * 60 + second).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_host() {
        assert_eq!(host_of("https://User@Crates.IO:443/crates/x?y#z"), "crates.io");
        assert_eq!(host_of("http://127.0.0.1:8080"), "127.0.0.1");
        assert_eq!(host_of("http://[::1]:80/x"), "[::1]");
        assert!(is_within("api.github.com", "github.com"));
        assert!(!is_within("notgithub.com", "github.com"));
    }

    #[test]
    fn sends_host_headers_and_the_github_token_only_where_they_belong() {
        let options =
            HttpOptions { github_token: Some("t0k3n".to_owned()), ..HttpOptions::default() };
        let accept = || ("accept".to_owned(), "text/html".to_owned());
        let bearer = || ("authorization".to_owned(), "Bearer t0k3n".to_owned());
        assert_eq!(headers_for("https://crates.io/crates/serde", &options), [accept()]);
        assert_eq!(headers_for("https://static.crates.io/x", &options), [accept()]);
        assert_eq!(headers_for("https://github.com/o/r", &options), [bearer()]);
        assert_eq!(headers_for("https://api.github.com/repos/o/r", &options), [bearer()]);
        assert_eq!(headers_for("http://github.com/o/r", &options), [], "never in clear text");
        assert_eq!(headers_for("https://github.com.evil.org/", &options), []);
        assert_eq!(headers_for("https://docs.rs/serde", &options), []);
    }

    #[test]
    fn resolves_redirect_locations() {
        let base = "https://a.org/docs/page.html?q=1#f";
        assert_eq!(resolve(base, "https://b.org/x"), "https://b.org/x");
        assert_eq!(resolve(base, "//c.org/y"), "https://c.org/y");
        assert_eq!(resolve(base, "/root"), "https://a.org/root");
        assert_eq!(resolve(base, "other.html"), "https://a.org/docs/other.html");
        assert_eq!(resolve(base, "?p=2"), "https://a.org/docs/page.html?p=2");
        assert_eq!(resolve("http://h:1", "x"), "http://h:1/x");
    }

    #[test]
    fn reads_http_dates() {
        assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), None);
    }
}
