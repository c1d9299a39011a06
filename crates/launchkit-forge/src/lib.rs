//! Forge releases for release tooling: GitHub (and GitHub Enterprise), GitLab, and
//! Gitea/Forgejo.
//!
//! [`Project::detect`] reads the forge and the project from a git remote's URL (https,
//! `ssh://` and `git@host:path`), or from settings for self-hosted instances.
//! [`Client::publish`] makes the release of a tag say what [`Notes`] say and carry the
//! [`Asset`]s: created once, found and updated when a release runs again. Where the forge
//! has drafts (GitHub, Gitea) the release is created as a draft, gets its assets, then is
//! published, so GitHub's immutable releases work; GitLab has no drafts, so the files go
//! to the project's generic package registry first and the release is created with links
//! to them. [`Client::find`] answers whether a release is already as asked.
//!
//! Every request goes through `launchkit_registry::agent()`; a `429` is waited out as its
//! `Retry-After` asks and a 5xx or broken connection is retried after a doubling backoff
//! ([`Retry`]). Tokens are sent in one header and never appear in an error. Nothing here
//! prints.
//!
//! ```
//! use launchkit_forge::{Asset, Kind, Project, Settings};
//!
//! let remote = "git@gitlab.com:group/sub/app.git";
//! let project = Project::detect(Some(remote), None, &Settings::default()).unwrap();
//! assert_eq!(project.kind, Kind::Gitlab);
//! assert_eq!(project.path, "group/sub/app");
//! assert_eq!(project.api, "https://gitlab.com/api/v4");
//!
//! // A self-hosted Gitea the host name does not reveal: the settings say it.
//! let settings = Settings { kind: Some(Kind::Gitea), ..Settings::default() };
//! let project = Project::detect(Some("https://git.example.org/me/tool"), None, &settings);
//! assert_eq!(project.unwrap().api, "https://git.example.org/api/v1");
//!
//! let crate_file = Asset { name: "app-0.1.0.crate".into(), bytes: b"crate".to_vec() };
//! let sums = Asset::sha256sums(&[crate_file]);
//! assert_eq!(sums.name, "SHA256SUMS");
//! assert!(String::from_utf8(sums.bytes).unwrap().ends_with("  app-0.1.0.crate\n"));
//! ```

mod gitea;
mod github;
mod gitlab;
mod http;
mod project;

use std::fmt;

pub use http::{Retry, Token};
pub use project::{Kind, Project, Settings};

/// What a release should say.
#[derive(Debug, Clone, Copy)]
pub struct Notes<'a> {
    /// The tag it is for.
    pub tag: &'a str,
    /// Its title.
    pub name: &'a str,
    /// Its text (markdown).
    pub body: &'a str,
    /// Marked as a pre-release (GitLab has no such mark).
    pub prerelease: bool,
}

/// A file attached to a release.
#[derive(Clone, PartialEq, Eq)]
pub struct Asset {
    /// Its file name.
    pub name: String,
    /// Its content.
    pub bytes: Vec<u8>,
}

impl fmt::Debug for Asset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Asset({}, {} bytes)", self.name, self.bytes.len())
    }
}

impl Asset {
    /// `SHA256SUMS` of `assets`, in `sha256sum`'s format (`HEX  NAME` lines), so
    /// `sha256sum -c SHA256SUMS` checks downloaded files.
    pub fn sha256sums(assets: &[Asset]) -> Asset {
        let lines: String = assets
            .iter()
            .map(|asset| {
                format!("{}  {}\n", launchkit_registry::checksum(&asset.bytes), asset.name)
            })
            .collect();
        Asset { name: "SHA256SUMS".into(), bytes: lines.into_bytes() }
    }
}

/// A release as the forge has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// Its page.
    pub url: String,
    /// Still a draft (never on GitLab).
    pub draft: bool,
    /// Its title.
    pub name: String,
    /// Its text.
    pub body: String,
    /// Marked as a pre-release.
    pub prerelease: bool,
    /// The names of its assets.
    pub assets: Vec<String>,
}

impl Existing {
    /// True when it is published, says what `notes` say and has an asset of each name of
    /// `assets`.
    pub fn matches(&self, kind: Kind, notes: &Notes, assets: &[&str]) -> bool {
        !self.draft
            && self.name == notes.name
            && self.body.trim_end() == notes.body.trim_end()
            && (kind == Kind::Gitlab || self.prerelease == notes.prerelease)
            && assets.iter().all(|name| self.assets.iter().any(|asset| asset == name))
    }

    /// The assets of `assets` it does not have.
    pub fn missing<'a>(&self, assets: &'a [Asset]) -> Vec<&'a Asset> {
        assets.iter().filter(|asset| !self.assets.contains(&asset.name)).collect()
    }
}

/// The names of `assets`.
fn names(assets: &[Asset]) -> Vec<&str> {
    assets.iter().map(|asset| asset.name.as_str()).collect()
}

/// How a release ended up as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It was created (its page).
    Created(String),
    /// It existed and was updated.
    Updated(String),
    /// It already said the same and had every asset.
    Unchanged(String),
}

/// A forge call that failed: what was asked, the status and the forge's message, and the
/// fix when there is one. Never holds a token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// A client for one project with one token.
pub struct Client<'a> {
    project: &'a Project,
    http: http::Http,
}

impl<'a> Client<'a> {
    /// A client for `project`, authenticated with `token`, retrying as `retry` says.
    pub fn new(project: &'a Project, token: Token, retry: Retry) -> Client<'a> {
        Client { project, http: http::Http::new(project.kind, token, retry) }
    }

    /// The release of `tag`, drafts included, if there is one.
    pub fn find(&self, tag: &str) -> Result<Option<Existing>, Error> {
        match self.project.kind {
            Kind::Github => github::find(self, tag).map(|found| found.map(|r| r.existing())),
            Kind::Gitlab => gitlab::find(self, tag),
            Kind::Gitea => gitea::find(self, tag).map(|found| found.map(|r| r.existing())),
        }
    }

    /// Makes the release of `notes.tag` say `notes` and carry `assets`: creates it (as a
    /// draft, then attaches the assets, then publishes it, where the forge has drafts),
    /// or updates the one that exists.
    pub fn publish(&self, notes: &Notes, assets: &[Asset]) -> Result<Outcome, Error> {
        match self.project.kind {
            Kind::Github | Kind::Gitea => github::publish(self, notes, assets),
            Kind::Gitlab => gitlab::publish(self, notes, assets),
        }
    }

    /// `{api}/{path}`.
    fn url(&self, path: &str) -> String {
        format!("{}/{path}", self.project.api)
    }

    /// The error of a call that got `answer`.
    fn error(&self, what: &str, answer: &http::Answer) -> Error {
        let project = &self.project.path;
        let message = answer.message();
        let hint = match answer.status {
            401 => format!(
                ": the token was refused; set a valid {}",
                Token::names(self.project.kind)[0]
            ),
            403 | 404 => ": the token needs write access to the project's releases".to_owned(),
            _ => String::new(),
        };
        Error(format!("cannot {what} on {project}: HTTP {} {message}{hint}", answer.status))
    }
}

/// `text` as one URL path segment (GitLab's project paths and tags with a `/` need it).
fn segment(text: &str) -> String {
    launchkit_registry::percent_encode(text)
}

#[cfg(test)]
mod tests;
