//! Credentials committed to a repository: tokens, keys and secret assignments.
//!
//! A [`Scanner`] compiles every [rule](rules::RULES) once into a [`RegexSet`] that finds,
//! in one pass over a file, which rules can match; only those rules then run to locate
//! their matches. Matches are filtered (placeholders never match; assignments must look
//! random), lines carrying a `launchkit:allow` comment are skipped, and what is left is a
//! [`Secret`] whose value is never shown whole: [`Secret::redacted`] keeps 4 characters.

pub mod files;
mod filter;
pub mod history;
pub mod ignore;
pub mod rules;
mod shape;

use std::fmt;

use launchkit_report::Finding;
use regex::{Regex, RegexSet};

use crate::lines::Lines;

pub use rules::{Kind, RULES, Rule};

/// The comment that allows a line: `# launchkit:allow`, `// launchkit:allow`, ...
pub const ALLOW_MARKER: &str = "launchkit:allow";

/// Every rule, compiled.
pub struct Scanner {
    set: RegexSet,
    regexes: Vec<Regex>,
}

/// A credential found in a text.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret {
    /// The rule that found it.
    pub rule: &'static Rule,
    /// File it is in, relative to the repository root.
    pub path: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
    /// The commit that added it, for secrets found in history.
    pub commit: Option<String>,
    value: String,
}

impl Default for Scanner {
    fn default() -> Scanner {
        Scanner::new()
    }
}

impl Scanner {
    /// Compiles every rule. The patterns are constants covered by tests, so this cannot
    /// fail at run time.
    pub fn new() -> Scanner {
        let patterns = RULES.iter().map(|rule| rule.pattern);
        let set = RegexSet::new(patterns).expect("the secret rules are valid regular expressions");
        let regexes =
            RULES.iter().map(|rule| Regex::new(rule.pattern).expect("valid rule")).collect();
        Scanner { set, regexes }
    }

    /// The secrets in `text`, the content of `path`, in the order they appear.
    pub fn scan(&self, path: &str, text: &str) -> Vec<Secret> {
        let mut found: Vec<Secret> = Vec::new();
        let mut lines = LineIndex::default();
        for index in self.set.matches(text).iter() {
            let rule = &RULES[index];
            for captures in self.regexes[index].captures_iter(text) {
                let Some(secret) = captures.name("s") else {
                    continue;
                };
                let value = match rule.kind {
                    Kind::PrivateKey => filter::key_body(secret.as_str()),
                    _ => secret.as_str().to_owned(),
                };
                if !ends_at_boundary(text, secret.end()) || !passes(rule, &captures, path, &value) {
                    continue;
                }
                // The whole match locates it: a private key's body starts a line below its
                // BEGIN line, which is where a `launchkit:allow` comment can go.
                let whole = captures.get(0).map_or(secret.start(), |whole| whole.start());
                let (line, column, line_text) = lines.locate(text, whole);
                if line_text.contains(ALLOW_MARKER) {
                    continue;
                }
                // The most specific rule comes first in RULES and names the secret.
                if found.iter().any(|other| other.line == line && other.value == value) {
                    continue;
                }
                found.push(Secret {
                    rule,
                    path: path.to_owned(),
                    line,
                    column,
                    commit: None,
                    value,
                });
            }
        }
        found.sort_by_key(|secret| (secret.line, secret.column));
        found
    }
}

/// A token is whole only when no letter or digit follows it: `cio` + 33 characters is
/// not a crates.io token.
fn ends_at_boundary(text: &str, end: usize) -> bool {
    text[end..].chars().next().is_none_or(|next| !next.is_ascii_alphanumeric())
}

fn passes(rule: &Rule, captures: &regex::Captures, path: &str, value: &str) -> bool {
    match rule.kind {
        Kind::Token => !filter::is_placeholder(value),
        Kind::PrivateKey => !filter::is_filler(value),
        Kind::Assignment if filter::is_test_vector_file(path) => false,
        Kind::Assignment => {
            let name = captures.name("name").map_or("", |name| name.as_str());
            filter::is_random_secret(name, value)
        }
    }
}

impl Secret {
    /// The first 4 characters and the length: `ghp_**** (40 characters)`.
    pub fn redacted(&self) -> String {
        let shown: String = self.value.chars().take(4).collect();
        format!("{shown}**** ({} characters)", self.value.chars().count())
    }

    /// A stable name for this secret in this file, for the ignore file: the first 16 hex
    /// digits of SHA-256 over rule, path and secret. Moving the line keeps it; changing the
    /// secret or the file changes it. 64 bits of a hash reveal nothing usable about a random
    /// credential.
    pub fn fingerprint(&self) -> String {
        let mut hasher = ring::digest::Context::new(&ring::digest::SHA256);
        for part in [self.rule.id, &self.path, &self.value] {
            hasher.update(part.as_bytes());
            hasher.update(&[0]);
        }
        hasher.finish().as_ref()[..8].iter().map(|byte| format!("{byte:02x}")).collect()
    }

    /// The secret as an error finding, located at its line, with the fix.
    pub fn finding(&self, ignore_file: &str) -> Finding {
        let place = match &self.commit {
            Some(commit) => format!(" added in commit {commit}"),
            None => String::new(),
        };
        let fix = match &self.commit {
            Some(_) => "revoke it now: it is in the history, which stays readable after the file changes; then rewrite \
                        the history (git filter-repo) before publishing it"
                .to_owned(),
            None => "revoke it, delete it from the file and read it from the environment instead".to_owned(),
        };
        Finding::error(format!("{} {}{place}", self.rule.description, self.redacted()))
            .at(&self.path, self.line)
            .column(self.column)
            .rule(self.rule.id)
            .fix(format!(
                "{fix}; if it is not a secret, add a `{ALLOW_MARKER}` comment to the line or the line `{}` to {ignore_file}",
                self.fingerprint()
            ))
    }
}

/// Never prints the secret, so a stray `{:?}` cannot leak it.
impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("rule", &self.rule.id)
            .field("path", &self.path)
            .field("line", &self.line)
            .field("column", &self.column)
            .field("commit", &self.commit)
            .field("value", &self.redacted())
            .finish()
    }
}

/// Line starts, found on the first match only: most files have none.
#[derive(Default)]
struct LineIndex {
    lines: Option<Lines>,
}

impl LineIndex {
    /// 1-based line and column of `offset`, and that line's text.
    fn locate<'t>(&mut self, text: &'t str, offset: usize) -> (u32, u32, &'t str) {
        let lines = self.lines.get_or_insert_with(|| Lines::new(text));
        let line = lines.line(offset);
        let range = lines.range(line);
        let column = text[range.start..offset].chars().count() + 1;
        (line, column as u32, &text[range])
    }
}
