//! The release APIs of GitHub, GitLab and Gitea served on 127.0.0.1, each following its
//! documented contract as far as a release uses it: paths, authentication headers,
//! statuses and error bodies.
//!
//! - GitHub (REST API 2022-11-28): `Authorization: Bearer`; the tag look-up hides drafts;
//!   a second create is `422` with `already_exists`; assets are uploaded raw to the
//!   release's `upload_url` (here under `/uploads`, as GitHub Enterprise's `/api/uploads`)
//!   and a name taken is `422`; releases are immutable once published, so an upload to a
//!   published release is `422`.
//! - GitLab (API v4): `PRIVATE-TOKEN` or `JOB-TOKEN`; the project id is its URL-encoded
//!   path; files go to the generic package registry (`PUT .../packages/generic/...`, `201`)
//!   and a release's assets are links; a second create is `409`.
//! - Gitea (API v1): `Authorization: token`; the tag look-up shows drafts; a second create
//!   is `409`; assets are `multipart/form-data` with an `attachment` part.
//!
//! Releases are kept in one form for all three (`tag_name`, `name`, `body`, `draft`,
//! `prerelease`, `assets` with each file's bytes), so tests assert the same way on each.
//! Every request is logged, and the next answers can be made to fail or be rate limited.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{Value, json};

mod gitea;
mod github;
mod gitlab;

use crate::http::{Request, Response, header};
use crate::server::HttpServer;

/// The project every fake forge serves.
pub const PROJECT: &str = "acme/demo";

/// Which API a [`Forge`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    /// GitHub's REST API at the root of the server.
    Github,
    /// GitLab's API v4 at `/api/v4`.
    Gitlab,
    /// Gitea's API v1 at `/api/v1`.
    Gitea,
}

/// One request as the forge saw it, with its answer's status.
#[derive(Debug, Clone)]
pub struct Logged {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Every header.
    pub headers: Vec<(String, String)>,
    /// The body as JSON, `Null` when it is not.
    pub body: Value,
    /// The raw body.
    pub bytes: Vec<u8>,
    /// The answer's status.
    pub status: u16,
}

impl Logged {
    /// The value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

#[derive(Default)]
pub(super) struct State {
    /// Releases in the common form, with `assets: [{id, name, bytes}]` (bytes as a list).
    releases: Vec<Value>,
    /// GitLab's generic package files, by their API path.
    packages: BTreeMap<String, Vec<u8>>,
    log: Vec<Logged>,
    /// The next answers' statuses, with a `Retry-After` for 429s.
    failures: VecDeque<(u16, Option<u64>)>,
    /// Statuses for the next requests whose path contains a pattern: `(pattern, status,
    /// how many more)`.
    targeted: Vec<(String, u16, usize)>,
    /// Requests carried out but answered `502`, as a proxy that gave up on the answer:
    /// `(pattern, how many more)`.
    lost: Vec<(String, usize)>,
    next_id: u64,
}

/// A running fake forge; stops when dropped.
pub struct Forge {
    flavor: Flavor,
    state: Arc<Mutex<State>>,
    server: HttpServer,
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Forge {
    /// Serves `flavor`'s API, accepting only `token` in its header.
    pub fn start(flavor: Flavor, token: &str) -> Forge {
        let state = Arc::new(Mutex::new(State { next_id: 1, ..State::default() }));
        let (shared, token) = (Arc::clone(&state), token.to_owned());
        let base = Arc::new(Mutex::new(String::new()));
        let base_seen = Arc::clone(&base);
        let server = HttpServer::start(move |request| {
            let url = base_seen.lock().unwrap_or_else(PoisonError::into_inner).clone();
            serve(flavor, &url, &shared, &token, request)
        });
        *base.lock().unwrap_or_else(PoisonError::into_inner) = server.url();
        Forge { flavor, state, server }
    }

    /// The API's base URL: the server for GitHub, `/api/v4` for GitLab, `/api/v1` for Gitea.
    pub fn api_url(&self) -> String {
        match self.flavor {
            Flavor::Github => self.server.url(),
            Flavor::Gitlab => format!("{}/api/v4", self.server.url()),
            Flavor::Gitea => format!("{}/api/v1", self.server.url()),
        }
    }

    /// Answers the next `count` requests with `status`.
    pub fn fail_next(&self, count: usize, status: u16) {
        lock(&self.state).failures.extend(std::iter::repeat_n((status, None), count));
    }

    /// Answers the next `count` requests whose `METHOD path?query` contains `pattern`
    /// with `status`.
    pub fn fail_matching(&self, pattern: &str, count: usize, status: u16) {
        lock(&self.state).targeted.push((pattern.to_owned(), status, count));
    }

    /// Carries out the next `count` requests whose `METHOD path?query` contains `pattern` but
    /// answers them `502 Bad Gateway`: the change is made and the client is not told.
    pub fn lose_answers(&self, pattern: &str, count: usize) {
        lock(&self.state).lost.push((pattern.to_owned(), count));
    }

    /// Answers the next request `429` with `Retry-After: seconds`.
    pub fn rate_limit_next(&self, seconds: u64) {
        lock(&self.state).failures.push_back((429, Some(seconds)));
    }

    /// Every release in the common form; each asset as `{name, size, sha256}`.
    pub fn releases(&self) -> Vec<Value> {
        let state = lock(&self.state);
        let releases = state.releases.iter().map(|release| {
            let mut release = release.clone();
            let assets: Vec<Value> = assets_of(&state, &release)
                .into_iter()
                .map(|(name, bytes)| {
                    json!({ "name": name, "size": bytes.len(), "sha256": sha256_hex(&bytes) })
                })
                .collect();
            release["assets"] = Value::from(assets);
            release.as_object_mut().map(|fields| fields.remove("links"));
            release
        });
        releases.collect()
    }

    /// The bytes of asset `name` of the release of `tag`.
    pub fn asset(&self, tag: &str, name: &str) -> Option<Vec<u8>> {
        let state = lock(&self.state);
        let release = state.releases.iter().find(|release| release["tag_name"] == tag)?;
        assets_of(&state, release).into_iter().find(|(asset, _)| asset == name).map(|(_, b)| b)
    }

    /// Adds a release as someone else would have made it.
    pub fn add_release(&self, tag: &str, body: &str, draft: bool) {
        let mut state = lock(&self.state);
        let id = take_id(&mut state);
        let release = json!({ "id": id, "tag_name": tag, "name": tag, "body": body,
            "draft": draft, "prerelease": false, "assets": [], "links": [] });
        state.releases.push(release);
    }

    /// Changes the text of the release of `tag`, as someone editing it on the forge.
    pub fn edit(&self, tag: &str, body: &str) {
        let mut state = lock(&self.state);
        let release = state.releases.iter_mut().find(|release| release["tag_name"] == tag);
        release.expect("a release of the tag")["body"] = Value::from(body);
    }

    /// Every request so far.
    pub fn log(&self) -> Vec<Logged> {
        lock(&self.state).log.clone()
    }

    /// `METHOD path` of every request that changed something and was answered 2xx.
    pub fn writes(&self) -> Vec<String> {
        let log = self.log();
        let writes = log.iter().filter(|logged| logged.method != "GET" && logged.status < 300);
        writes.map(|logged| format!("{} {}", logged.method, logged.path)).collect()
    }
}

pub(super) fn take_id(state: &mut State) -> u64 {
    let id = state.next_id;
    state.next_id += 1;
    id
}

/// `(name, bytes)` of each asset of `release`: its uploads, or (GitLab) its links'
/// package files.
fn assets_of(state: &State, release: &Value) -> Vec<(String, Vec<u8>)> {
    let uploaded = release["assets"].as_array().into_iter().flatten().map(|asset| {
        (asset["name"].as_str().unwrap_or_default().to_owned(), bytes_of(&asset["bytes"]))
    });
    let linked = release["links"].as_array().into_iter().flatten().map(|link| {
        let url = link["url"].as_str().unwrap_or_default();
        let file = state.packages.iter().find(|(path, _)| url.ends_with(path.as_str()));
        let bytes = file.map(|(_, bytes)| bytes.clone()).unwrap_or_default();
        (link["name"].as_str().unwrap_or_default().to_owned(), bytes)
    });
    uploaded.chain(linked).collect()
}

pub(super) fn bytes_of(value: &Value) -> Vec<u8> {
    value.as_array().into_iter().flatten().filter_map(|b| b.as_u64()).map(|b| b as u8).collect()
}

/// SHA-256 in lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, bytes);
    digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `%XX` sequences decoded.
pub(super) fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn serve(
    flavor: Flavor,
    url: &str,
    state: &Mutex<State>,
    token: &str,
    request: &Request,
) -> Response {
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let mut state = lock(state);
    let line = format!("{} {}", request.method, request.target);
    let targeted = state
        .targeted
        .iter_mut()
        .find(|(pattern, _, left)| *left > 0 && line.contains(pattern.as_str()));
    let targeted = targeted.map(|(_, status, left)| {
        *left -= 1;
        (*status, None)
    });
    let (status, answer, retry_after) = match targeted.or_else(|| state.failures.pop_front()) {
        Some((429, after)) => (429, json!({ "message": "API rate limit exceeded" }), after),
        Some((status, _)) if status >= 500 => (status, json!({ "message": "Server Error" }), None),
        Some((status, _)) => (status, json!({ "message": "Forbidden" }), None),
        None if !authorized(flavor, token, request) => (401, unauthorized(flavor), None),
        None => {
            let (status, answer) = match flavor {
                Flavor::Github => github::serve(&mut state, url, request, &body),
                Flavor::Gitlab => gitlab::serve(&mut state, url, request, &body),
                Flavor::Gitea => gitea::serve(&mut state, url, request, &body),
            };
            let lost = state
                .lost
                .iter_mut()
                .find(|(pattern, left)| *left > 0 && line.contains(pattern.as_str()));
            match lost {
                Some((_, left)) => {
                    *left -= 1;
                    (502, json!({ "message": "Bad Gateway" }), None)
                }
                None => (status, answer, None),
            }
        }
    };
    state.log.push(Logged {
        method: request.method.clone(),
        path: request.target.clone(),
        headers: request.headers.clone(),
        body,
        bytes: request.body.clone(),
        status,
    });
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if let Some(seconds) = retry_after {
        headers.push(("Retry-After".to_owned(), seconds.to_string()));
    }
    let body = if answer.is_null() { Vec::new() } else { answer.to_string().into_bytes() };
    Response { status, headers, body }
}

fn authorized(flavor: Flavor, token: &str, request: &Request) -> bool {
    let has = |name: &str, value: &str| header(&request.headers, name) == Some(value);
    match flavor {
        Flavor::Github => has("authorization", &format!("Bearer {token}")),
        Flavor::Gitlab => has("private-token", token) || has("job-token", token),
        Flavor::Gitea => has("authorization", &format!("token {token}")),
    }
}

fn unauthorized(flavor: Flavor) -> Value {
    match flavor {
        Flavor::Github => json!({ "message": "Bad credentials", "status": "401" }),
        Flavor::Gitlab => json!({ "message": "401 Unauthorized" }),
        Flavor::Gitea => json!({ "message": "token is required", "url": "" }),
    }
}

pub(super) fn find<'a>(state: &'a mut State, tag: &str) -> Option<&'a mut Value> {
    state.releases.iter_mut().find(|release| release["tag_name"] == tag)
}

pub(super) fn create(state: &mut State, body: &Value, text: &str, draft: bool) -> Value {
    let id = take_id(state);
    let release = json!({
        "id": id, "tag_name": body["tag_name"], "name": body["name"], "body": body[text],
        "draft": draft, "prerelease": body["prerelease"].as_bool().unwrap_or(false),
        "assets": [], "links": [],
    });
    state.releases.push(release.clone());
    release
}

pub(super) fn update(release: &mut Value, body: &Value, text: &str) {
    for (from, to) in [
        ("tag_name", "tag_name"),
        ("name", "name"),
        (text, "body"),
        ("draft", "draft"),
        ("prerelease", "prerelease"),
    ] {
        if !body[from].is_null() {
            release[to] = body[from].clone();
        }
    }
}
