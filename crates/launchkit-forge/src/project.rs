//! Which forge a project lives on, its API and its path there, from a git remote's URL
//! and the settings that override it (`forge`, `forge-url`, `forge-project`).

use std::fmt;

/// A forge's API family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// GitHub and GitHub Enterprise Server (REST API v3).
    Github,
    /// GitLab, gitlab.com or self-managed (REST API v4).
    Gitlab,
    /// Gitea and Forgejo (API v1).
    Gitea,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Github => "GitHub",
            Kind::Gitlab => "GitLab",
            Kind::Gitea => "Gitea",
        })
    }
}

/// What the configuration and environment say, each overriding what the URL says.
#[derive(Debug, Clone, Copy, Default)]
pub struct Settings<'a> {
    /// `forge`: the forge's kind; unset means read it from the remote's host.
    pub kind: Option<Kind>,
    /// `forge-url`: the API's base URL (`https://ghe.example.com/api/v3`,
    /// `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`).
    pub url: Option<&'a str>,
    /// `forge-project`: `OWNER/REPO` (GitLab: `GROUP/SUBGROUP/PROJECT`).
    pub project: Option<&'a str>,
    /// The APIs the CI names, each used when `url` is unset and its kind is the
    /// project's: `GITHUB_API_URL` on GitHub Actions, `CI_API_V4_URL` on GitLab CI.
    pub ci_api: &'a [(Kind, &'a str)],
}

/// Where releases go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    /// The forge's kind.
    pub kind: Kind,
    /// The API's base URL, without a trailing `/`.
    pub api: String,
    /// `OWNER/REPO`, or GitLab's full path with its groups.
    pub path: String,
}

impl Project {
    /// The project of the remote at `remote` (else of `repository`, the manifests' URL)
    /// with `settings` applied; the error says which setting to add.
    pub fn detect(
        remote: Option<&str>,
        repository: Option<&str>,
        settings: &Settings,
    ) -> Result<Project, String> {
        let parsed = [remote, repository].into_iter().flatten().find_map(host_path);
        let host = parsed.as_ref().map(|(host, _)| host.as_str());
        let kind = match (settings.kind, host) {
            (Some(kind), _) => kind,
            (None, Some(host)) => kind_of(host).ok_or_else(|| {
                format!(
                    "cannot tell which forge {host} runs: set `forge = \"github\"`, \"gitlab\" or \"gitea\" (or \"none\")"
                )
            })?,
            (None, None) => {
                return Err("cannot tell the forge: the remote's URL is not a forge's and no crate sets `repository`; set `forge` and `forge-project`, or `forge = \"none\"`".into());
            }
        };
        let path = match settings.project {
            Some(project) => project.trim_matches('/').to_owned(),
            None => parsed.as_ref().map(|(_, path)| path.clone()).ok_or_else(|| {
                format!("cannot tell the {kind} project: set `forge-project = \"OWNER/REPO\"`")
            })?,
        };
        let parts: Vec<&str> = path.split('/').collect();
        let valid = parts.iter().all(|part| !part.is_empty() && !part.starts_with('.'));
        let shape_ok = if kind == Kind::Gitlab { parts.len() >= 2 } else { parts.len() == 2 };
        if !valid || !shape_ok {
            return Err(format!(
                "`{path}` is not a {kind} project: use `OWNER/REPO`{}",
                if kind == Kind::Gitlab { " or `GROUP/SUBGROUP/PROJECT`" } else { "" }
            ));
        }
        let ci = settings.ci_api.iter().find(|(ci_kind, url)| *ci_kind == kind && !url.is_empty());
        let api = match (settings.url, ci, host) {
            (Some(url), _, _) => url.to_owned(),
            (None, Some((_, url)), _) => (*url).to_owned(),
            (None, None, Some(host)) => default_api(kind, host),
            (None, None, None) => {
                match kind {
                    Kind::Github => "https://api.github.com".to_owned(),
                    Kind::Gitlab => "https://gitlab.com/api/v4".to_owned(),
                    Kind::Gitea => {
                        return Err("cannot tell the Gitea instance: set `forge-url = \"https://HOST/api/v1\"`".into());
                    }
                }
            }
        };
        if !api.starts_with("https://") && !api.starts_with("http://") {
            return Err(format!(
                "forge-url `{api}` is not an http(s) URL: use such as https://{}",
                example(kind)
            ));
        }
        Ok(Project { kind, api: api.trim_end_matches('/').to_owned(), path })
    }
}

fn example(kind: Kind) -> &'static str {
    match kind {
        Kind::Github => "ghe.example.com/api/v3",
        Kind::Gitlab => "gitlab.example.com/api/v4",
        Kind::Gitea => "gitea.example.com/api/v1",
    }
}

/// The forge a well-known or tellingly named host runs.
fn kind_of(host: &str) -> Option<Kind> {
    let host = host.to_ascii_lowercase();
    match host.as_str() {
        "github.com" | "www.github.com" => Some(Kind::Github),
        "gitlab.com" => Some(Kind::Gitlab),
        "codeberg.org" => Some(Kind::Gitea),
        _ if host.split(['.', '-']).any(|part| part == "github") => Some(Kind::Github),
        _ if host.split(['.', '-']).any(|part| part == "gitlab") => Some(Kind::Gitlab),
        _ if host.split(['.', '-']).any(|part| part == "gitea" || part == "forgejo") => {
            Some(Kind::Gitea)
        }
        _ => None,
    }
}

/// The API of `kind` on `host`: github.com's own host, else the documented base path.
fn default_api(kind: Kind, host: &str) -> String {
    match kind {
        Kind::Github if host.eq_ignore_ascii_case("github.com") => "https://api.github.com".into(),
        Kind::Github => format!("https://{host}/api/v3"),
        Kind::Gitlab => format!("https://{host}/api/v4"),
        Kind::Gitea => format!("https://{host}/api/v1"),
    }
}

/// The host (with its port, without user) and the project path of
/// `https://[user@]host[:port]/PATH(.git)`, `ssh://git@host[:port]/PATH` or
/// `git@host:PATH.git`; `None` for local paths and `file://`.
pub(crate) fn host_path(url: &str) -> Option<(String, String)> {
    let (authority, path) = match url.split_once("://") {
        Some(("file", _)) => return None,
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/')?;
            let authority = authority.rsplit('@').next()?;
            // An ssh port is not the web's: keep only the host.
            let authority = match scheme {
                "ssh" | "git" | "git+ssh" | "ssh+git" => authority.split(':').next()?,
                _ => authority,
            };
            (authority.to_owned(), path)
        }
        None => {
            let (host, path) = url.split_once(':')?;
            if host.contains('/') || !host.contains('@') {
                return None;
            }
            (host.rsplit('@').next()?.to_owned(), path)
        }
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    (!authority.is_empty() && path.contains('/')).then(|| (authority, path.to_owned()))
}
