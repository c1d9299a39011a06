//! The link checker's settings in the root Cargo.toml:
//!
//! ```toml
//! [workspace.metadata.launchkit.links]
//! include = ["guide/**/*.md"]                 # checked besides the defaults
//! exclude = ["docs/archive/**"]               # never checked unless named
//! exclude-links = ['^https://example\.com/']  # regexes of destinations to skip
//! online = true                               # preflight checks http(s) links too
//! timeout = 20                                # seconds per request
//! concurrency = 64                            # requests at once
//! per-host = 8                                # requests at once to one host
//! retries = 2
//! cache-ttl = 86400                           # seconds a success is remembered; 0: never
//! headers = { "example.com" = { authorization = "Basic ..." } }
//! ```
//!
//! Every key is optional. An unknown key is an error rather than a silent no-op, so a
//! typo cannot switch a check off.

use std::time::Duration;

use regex::Regex;
use toml_edit::{Document, Item, TableLike};

use crate::{Error, HostHeader, Options};

const KEYS: &[&str] = &[
    "include",
    "exclude",
    "exclude-links",
    "online",
    "timeout",
    "concurrency",
    "per-host",
    "retries",
    "cache-ttl",
    "headers",
];

/// Settings read from `[workspace.metadata.launchkit.links]`.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Preflight checks http(s) links too, not only local ones.
    pub online: bool,
    settings: Vec<Setting>,
}

#[derive(Debug, Clone)]
enum Setting {
    Include(Vec<String>),
    Exclude(Vec<String>),
    ExcludeLinks(Vec<Regex>),
    Timeout(Duration),
    Concurrency(usize),
    PerHost(usize),
    Retries(u32),
    CacheTtl(Duration),
    Headers(Vec<HostHeader>),
}

impl Config {
    /// Reads the settings from the text of the root Cargo.toml; an error names the key.
    pub fn from_manifest(text: &str) -> Result<Config, Error> {
        let document = Document::parse(text)
            .map_err(|err| Error::new(format!("Cargo.toml: {}", first_line(&err.to_string()))))?;
        let table = ["workspace", "metadata", "launchkit", "links"]
            .iter()
            .try_fold(document.as_item(), |item, key| item.get(key));
        let Some(table) = table else { return Ok(Config::default()) };
        let table = table.as_table_like().ok_or_else(|| invalid("", "a table"))?;
        let mut config = Config::default();
        for (key, item) in table.iter() {
            let setting = match key {
                "include" => Setting::Include(strings(key, item)?),
                "exclude" => Setting::Exclude(strings(key, item)?),
                "exclude-links" => Setting::ExcludeLinks(regexes(key, item)?),
                "online" => {
                    config.online = item.as_bool().ok_or_else(|| invalid(key, "true or false"))?;
                    continue;
                }
                "timeout" => Setting::Timeout(Duration::from_secs(number(key, item, 1)?)),
                "concurrency" => Setting::Concurrency(number(key, item, 1)? as usize),
                "per-host" => Setting::PerHost(number(key, item, 1)? as usize),
                "retries" => Setting::Retries(
                    u32::try_from(number(key, item, 0)?)
                        .map_err(|_| invalid(key, "a small number"))?,
                ),
                "cache-ttl" => Setting::CacheTtl(Duration::from_secs(number(key, item, 0)?)),
                "headers" => Setting::Headers(headers(item)?),
                unknown => {
                    return Err(Error::new(format!(
                        "unknown key `{unknown}` in [workspace.metadata.launchkit.links]: use one of {}",
                        KEYS.join(", ")
                    )));
                }
            };
            config.settings.push(setting);
        }
        Ok(config)
    }

    /// Applies the settings to `options`: globs and excludes are added, numbers replace.
    pub fn apply(&self, options: &mut Options) {
        for setting in &self.settings {
            match setting {
                Setting::Include(globs) => options.include.extend(globs.iter().cloned()),
                Setting::Exclude(globs) => options.exclude.extend(globs.iter().cloned()),
                Setting::ExcludeLinks(patterns) => {
                    options.exclude_links.extend(patterns.iter().cloned())
                }
                Setting::Timeout(timeout) => options.http.timeout = *timeout,
                Setting::Concurrency(n) => options.http.concurrency = *n,
                Setting::PerHost(n) => options.http.per_host = *n,
                Setting::Retries(n) => options.http.retries = *n,
                Setting::CacheTtl(ttl) if ttl.is_zero() => options.http.cache = None,
                Setting::CacheTtl(ttl) => options.http.cache_ttl = *ttl,
                Setting::Headers(headers) => options.http.headers.extend(headers.iter().cloned()),
            }
        }
    }
}

fn invalid(key: &str, what: &str) -> Error {
    let key = if key.is_empty() { String::new() } else { format!(".{key}") };
    Error::new(format!("[workspace.metadata.launchkit.links]{key} must be {what}"))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}

fn strings(key: &str, item: &Item) -> Result<Vec<String>, Error> {
    let array = item.as_array().ok_or_else(|| invalid(key, "an array of strings"))?;
    array
        .iter()
        .map(|value| {
            value.as_str().map(str::to_owned).ok_or_else(|| invalid(key, "an array of strings"))
        })
        .collect()
}

fn regexes(key: &str, item: &Item) -> Result<Vec<Regex>, Error> {
    strings(key, item)?
        .iter()
        .map(|pattern| {
            Regex::new(pattern).map_err(|err| {
                Error::new(format!(
                    "{key}: invalid regex `{pattern}`: {}",
                    first_line(&err.to_string())
                ))
            })
        })
        .collect()
}

fn number(key: &str, item: &Item, least: u64) -> Result<u64, Error> {
    let value = item.as_integer().and_then(|n| u64::try_from(n).ok()).filter(|n| *n >= least);
    value.ok_or_else(|| invalid(key, &format!("a whole number of at least {least}")))
}

fn headers(item: &Item) -> Result<Vec<HostHeader>, Error> {
    let what = "a table of hosts, each a table of header names and values";
    let hosts = item.as_table_like().ok_or_else(|| invalid("headers", what))?;
    let mut headers = Vec::new();
    for (host, names) in hosts.iter() {
        let names: &dyn TableLike =
            names.as_table_like().ok_or_else(|| invalid("headers", what))?;
        for (name, value) in names.iter() {
            let value = value.as_str().ok_or_else(|| invalid("headers", what))?;
            headers.push(HostHeader::new(host, name, value));
        }
    }
    Ok(headers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let manifest = r#"
[workspace.metadata.launchkit.links]
include = ["guide/**/*.md"]
exclude = ["docs/old/**"]
exclude-links = ['^https://example\.com/']
online = true
timeout = 5
concurrency = 4
per-host = 2
retries = 0
cache-ttl = 60
headers = { "example.org" = { accept = "text/html" } }
"#;
        let config = Config::from_manifest(manifest).unwrap();
        assert!(config.online);
        let mut options = Options::new(".");
        config.apply(&mut options);
        assert_eq!(options.include.last().unwrap(), "guide/**/*.md");
        assert_eq!(options.exclude, ["docs/old/**"]);
        assert!(options.exclude_links[0].is_match("https://example.com/x"));
        let http = &options.http;
        assert_eq!(
            (http.timeout, http.concurrency, http.per_host, http.retries),
            (Duration::from_secs(5), 4, 2, 0)
        );
        assert_eq!(http.cache_ttl, Duration::from_secs(60));
        assert_eq!(
            http.headers.last().unwrap(),
            &HostHeader::new("example.org", "accept", "text/html")
        );
    }

    #[test]
    fn no_section_means_defaults() {
        let config = Config::from_manifest("[workspace]\nmembers = []\n").unwrap();
        assert!(!config.online && config.settings.is_empty());
    }

    #[test]
    fn mistakes_name_the_key() {
        let error = |body: &str| {
            Config::from_manifest(&format!("[workspace.metadata.launchkit.links]\n{body}\n"))
                .unwrap_err()
                .to_string()
        };
        assert!(
            error("onlin = true").starts_with("unknown key `onlin`"),
            "{}",
            error("onlin = true")
        );
        assert_eq!(
            error("online = 1"),
            "[workspace.metadata.launchkit.links].online must be true or false"
        );
        assert_eq!(
            error("per-host = 0"),
            "[workspace.metadata.launchkit.links].per-host must be a whole number of at least 1"
        );
        assert!(error("exclude-links = ['(']").starts_with("exclude-links: invalid regex `(`"));
        assert!(
            Config::from_manifest("[workspace")
                .unwrap_err()
                .to_string()
                .starts_with("Cargo.toml: ")
        );
    }
}
