//! The GitHub release of a tag, through the REST API.
//!
//! The API is `GITHUB_API_URL` (default `https://api.github.com`, as on GitHub Actions and
//! for GitHub Enterprise), the token `GITHUB_TOKEN` or `GH_TOKEN`, sent only in the
//! `Authorization` header. The repository comes from the remote's URL, else from
//! `repository` in the manifests. Creating is idempotent: the release is looked up by tag
//! first (and updated when its text differs); a `422 already_exists` answer to the create
//! (a draft, which the tag lookup does not show) is found in the release list and updated.

use std::time::Duration;

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Value, json};

/// Longest any one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where a release goes: the API and the repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The API's base URL, without a trailing `/`.
    pub api: String,
    /// The repository's owner.
    pub owner: String,
    /// The repository's name.
    pub repo: String,
}

/// What a release should say.
pub struct Notes<'a> {
    /// The tag it is for.
    pub tag: &'a str,
    /// Its title.
    pub name: &'a str,
    /// Its text (markdown).
    pub body: &'a str,
    /// Marked as a pre-release.
    pub prerelease: bool,
}

/// A release as the API returns it.
#[derive(Debug, Clone, Deserialize)]
pub struct Existing {
    id: u64,
    tag_name: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    prerelease: bool,
    /// Its page.
    #[serde(default)]
    pub html_url: String,
}

impl Existing {
    /// True when it already says what `notes` say and is published.
    pub fn matches(&self, notes: &Notes) -> bool {
        !self.draft
            && self.name.as_deref() == Some(notes.name)
            && self.body.as_deref().map(str::trim_end) == Some(notes.body.trim_end())
            && self.prerelease == notes.prerelease
    }
}

/// The forge token from the environment.
pub fn token() -> Option<String> {
    ["GITHUB_TOKEN", "GH_TOKEN"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()))
}

/// The target for the remote at `remote_url`, else the manifests' `repository`.
pub fn target(remote_url: Option<&str>, repository: Option<&str>) -> Result<Target, String> {
    let api = std::env::var("GITHUB_API_URL")
        .ok()
        .filter(|url| !url.is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_owned());
    let api = api.trim_end_matches('/').to_owned();
    let found = remote_url.and_then(owner_repo).or_else(|| repository.and_then(owner_repo));
    let Some((owner, repo)) = found else {
        return Err(
            "cannot tell the GitHub repository: the remote's URL is not a GitHub URL and no crate sets `repository = \"https://github.com/OWNER/REPO\"`".into(),
        );
    };
    Ok(Target { api, owner, repo })
}

/// `OWNER/REPO` of `https://host/OWNER/REPO(.git)`, `ssh://git@host/OWNER/REPO` or
/// `git@host:OWNER/REPO.git`; `None` for local paths and other shapes.
fn owner_repo(url: &str) -> Option<(String, String)> {
    let path = match url.split_once("://") {
        Some((scheme, rest)) if scheme != "file" => rest.split_once('/')?.1,
        Some(_) => return None,
        None => {
            let (host, path) = url.split_once(':')?;
            if host.contains('/') || !host.contains('@') {
                return None;
            }
            path
        }
    };
    let mut parts = path.trim_matches('/').split('/');
    let (owner, repo) = (parts.next()?, parts.next()?);
    let repo = repo.strip_suffix(".git").unwrap_or(repo);
    let valid = |part: &str| !part.is_empty() && !part.starts_with('.');
    (parts.next().is_none() && valid(owner) && valid(repo))
        .then(|| (owner.to_owned(), repo.to_owned()))
}

/// A client for one target with one token.
pub struct Client<'a> {
    target: &'a Target,
    token: String,
    agent: ureq::Agent,
}

/// How a release ended up as asked.
pub enum Outcome {
    /// It was created.
    Created(String),
    /// It existed and was updated.
    Updated(String),
    /// It already said the same.
    Unchanged(String),
}

impl<'a> Client<'a> {
    /// A client for `target`, authenticated with `token`.
    pub fn new(target: &'a Target, token: String) -> Client<'a> {
        Client { target, token, agent: launchkit_registry::agent().clone() }
    }

    /// The published release of `tag`, if there is one (drafts are not found by tag).
    pub fn find(&self, tag: &str) -> anyhow::Result<Option<Existing>> {
        let (status, body) = self.call("GET", &format!("releases/tags/{tag}"), None)?;
        match status {
            200 => Ok(Some(parse(&body)?)),
            404 => Ok(None),
            _ => bail!("{}", self.error("look up the release", status, &body)),
        }
    }

    /// Creates the release of `notes.tag`, or updates the one that exists.
    pub fn publish(&self, notes: &Notes) -> anyhow::Result<Outcome> {
        if let Some(existing) = self.find(notes.tag)? {
            if existing.matches(notes) {
                return Ok(Outcome::Unchanged(existing.html_url));
            }
            return self.update(&existing, notes);
        }
        let fields = fields(notes);
        let (status, body) = self.call("POST", "releases", Some(fields))?;
        match status {
            201 => Ok(Outcome::Created(parse(&body)?.html_url)),
            422 if body.contains("already_exists") => {
                let Some(existing) = self.find_listed(notes.tag)? else {
                    bail!("GitHub says a release of {} exists but does not list it", notes.tag);
                };
                self.update(&existing, notes)
            }
            _ => bail!("{}", self.error("create the release", status, &body)),
        }
    }

    fn update(&self, existing: &Existing, notes: &Notes) -> anyhow::Result<Outcome> {
        let path = format!("releases/{}", existing.id);
        let (status, body) = self.call("PATCH", &path, Some(fields(notes)))?;
        if status != 200 {
            bail!("{}", self.error("update the release", status, &body));
        }
        Ok(Outcome::Updated(parse(&body)?.html_url))
    }

    /// The release of `tag` in the repository's release list, drafts included.
    fn find_listed(&self, tag: &str) -> anyhow::Result<Option<Existing>> {
        for page in 1..=10 {
            let (status, body) =
                self.call("GET", &format!("releases?per_page=100&page={page}"), None)?;
            if status != 200 {
                bail!("{}", self.error("list the releases", status, &body));
            }
            let releases: Vec<Existing> =
                serde_json::from_str(&body).context("GitHub's release list is not JSON")?;
            if let Some(found) = releases.iter().find(|release| release.tag_name == tag) {
                return Ok(Some(found.clone()));
            }
            if releases.len() < 100 {
                break;
            }
        }
        Ok(None)
    }

    /// One request to `repos/OWNER/REPO/{path}`: its status and body.
    fn call(&self, method: &str, path: &str, json: Option<Value>) -> anyhow::Result<(u16, String)> {
        let Target { api, owner, repo } = self.target;
        let url = format!("{api}/repos/{owner}/{repo}/{path}");
        let auth = format!("Bearer {}", self.token);
        let headers = [
            ("Accept", "application/vnd.github+json"),
            ("X-GitHub-Api-Version", "2022-11-28"),
            ("Authorization", auth.as_str()),
        ];
        let response = match (method, json) {
            ("GET", _) => {
                let start = launchkit_registry::bounded(self.agent.get(&url), TIMEOUT);
                let request = headers.iter().fold(start, |r, (k, v)| r.header(*k, *v));
                request.call()
            }
            (method, json) => {
                let start =
                    if method == "POST" { self.agent.post(&url) } else { self.agent.patch(&url) };
                let start = launchkit_registry::bounded(start, TIMEOUT);
                let request = headers.iter().fold(start, |r, (k, v)| r.header(*k, *v));
                let body = json.unwrap_or(Value::Null).to_string();
                request.header("Content-Type", "application/json").send(body)
            }
        };
        let mut response = response.with_context(|| format!("{method} {url} failed"))?;
        let status = response.status().as_u16();
        let body = response.body_mut().read_to_string().unwrap_or_default();
        Ok((status, body))
    }

    fn error(&self, what: &str, status: u16, body: &str) -> String {
        let message = serde_json::from_str::<Value>(body)
            .ok()
            .and_then(|value| value["message"].as_str().map(str::to_owned))
            .unwrap_or_else(|| body.chars().take(200).collect());
        let Target { owner, repo, .. } = self.target;
        let hint = match status {
            401 => ": the token was refused; set a valid GITHUB_TOKEN",
            403 | 404 => ": the token needs `contents: write` on the repository",
            _ => "",
        };
        format!("cannot {what} on {owner}/{repo}: HTTP {status} {message}{hint}")
    }
}

fn fields(notes: &Notes) -> Value {
    json!({
        "tag_name": notes.tag,
        "name": notes.name,
        "body": notes.body,
        "draft": false,
        "prerelease": notes.prerelease,
    })
}

fn parse(body: &str) -> anyhow::Result<Existing> {
    serde_json::from_str(body).context("GitHub's answer is not a release")
}

#[cfg(test)]
mod tests {
    use super::owner_repo;

    #[test]
    fn repositories_are_read_from_remote_urls() {
        let pair = |url: &str| owner_repo(url).map(|(owner, repo)| format!("{owner}/{repo}"));
        for url in [
            "https://github.com/acme/demo",
            "https://github.com/acme/demo.git",
            "https://github.com/acme/demo/",
            "git@github.com:acme/demo.git",
            "ssh://git@github.com/acme/demo.git",
            "https://user@ghe.example.com/acme/demo",
        ] {
            assert_eq!(pair(url).as_deref(), Some("acme/demo"), "{url}");
        }
        for url in [
            "/tmp/remote.git",
            "../remote.git",
            "file:///srv/git/acme/demo.git",
            "C:/repos/demo",
            "https://github.com/acme",
            "https://gitlab.com/group/sub/demo",
        ] {
            assert_eq!(pair(url), None, "{url}");
        }
    }
}
