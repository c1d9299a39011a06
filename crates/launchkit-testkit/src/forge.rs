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
struct State {
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

fn take_id(state: &mut State) -> u64 {
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

fn bytes_of(value: &Value) -> Vec<u8> {
    value.as_array().into_iter().flatten().filter_map(|b| b.as_u64()).map(|b| b as u8).collect()
}

/// SHA-256 in lowercase hex.
fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// `%XX` sequences decoded.
fn decode(text: &str) -> String {
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
                Flavor::Github => github(&mut state, url, request, &body),
                Flavor::Gitlab => gitlab(&mut state, url, request, &body),
                Flavor::Gitea => gitea(&mut state, url, request, &body),
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

fn find<'a>(state: &'a mut State, tag: &str) -> Option<&'a mut Value> {
    state.releases.iter_mut().find(|release| release["tag_name"] == tag)
}

fn create(state: &mut State, body: &Value, text: &str, draft: bool) -> Value {
    let id = take_id(state);
    let release = json!({
        "id": id, "tag_name": body["tag_name"], "name": body["name"], "body": body[text],
        "draft": draft, "prerelease": body["prerelease"].as_bool().unwrap_or(false),
        "assets": [], "links": [],
    });
    state.releases.push(release.clone());
    release
}

fn update(release: &mut Value, body: &Value, text: &str) {
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

/// A release in GitHub's and Gitea's shape.
fn drafted_view(url: &str, web: &str, release: &Value, upload: Option<&str>) -> Value {
    let tag = release["tag_name"].as_str().unwrap_or_default();
    let id = &release["id"];
    let page = match release["draft"].as_bool() {
        Some(true) => format!("{web}/{PROJECT}/releases/tag/untagged-{id}"),
        _ => format!("{web}/{PROJECT}/releases/tag/{tag}"),
    };
    let assets: Vec<Value> = release["assets"].as_array().into_iter().flatten().map(|asset| {
        json!({ "id": asset["id"], "name": asset["name"], "size": bytes_of(&asset["bytes"]).len(),
            "state": "uploaded", "browser_download_url": format!("{web}/{PROJECT}/releases/download/{tag}/{}", asset["name"].as_str().unwrap_or_default()) })
    }).collect();
    let mut view = json!({
        "id": id, "tag_name": tag, "name": release["name"], "body": release["body"],
        "draft": release["draft"], "prerelease": release["prerelease"], "html_url": page,
        "url": format!("{url}/repos/{PROJECT}/releases/{id}"), "assets": assets,
    });
    if let Some(upload) = upload {
        view["upload_url"] =
            Value::from(format!("{upload}/repos/{PROJECT}/releases/{id}/assets{{?name,label}}"));
    }
    view
}

fn not_found_github() -> (u16, Value) {
    (
        404,
        json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404" }),
    )
}

fn github(state: &mut State, url: &str, request: &Request, body: &Value) -> (u16, Value) {
    let target = request.target.as_str();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let view = |release: &Value| {
        drafted_view(url, "https://github.com", release, Some(&format!("{url}/uploads")))
    };
    let method = request.method.as_str();
    if let Some(id) = path
        .strip_prefix(&format!("/uploads/repos/{PROJECT}/releases/"))
        .and_then(|rest| rest.strip_suffix("/assets"))
    {
        if method != "POST" {
            return not_found_github();
        }
        let name = query.split('&').find_map(|pair| pair.strip_prefix("name=")).map(decode);
        let (Some(name), Some(_)) = (name, header(&request.headers, "content-type")) else {
            return (
                422,
                json!({ "message": "Validation Failed", "errors": [{ "resource": "ReleaseAsset", "code": "missing_field", "field": "name" }] }),
            );
        };
        let id: u64 = id.parse().unwrap_or(0);
        let asset_id = take_id(state);
        let Some(release) = state.releases.iter_mut().find(|release| release["id"] == id) else {
            return not_found_github();
        };
        if release["draft"] == false {
            return (422, json!({ "message": "Cannot upload assets to an immutable release." }));
        }
        let assets = release["assets"].as_array_mut().expect("assets");
        if assets.iter().any(|asset| asset["name"] == name.as_str()) {
            return (
                422,
                json!({ "message": "Validation Failed", "errors": [{ "resource": "ReleaseAsset", "code": "already_exists", "field": "name" }] }),
            );
        }
        assets.push(json!({ "id": asset_id, "name": name, "bytes": request.body }));
        return (
            201,
            json!({ "id": asset_id, "name": name, "size": request.body.len(), "state": "uploaded" }),
        );
    }
    let Some(rest) = path.strip_prefix(&format!("/repos/{PROJECT}/releases")) else {
        return not_found_github();
    };
    match (method, rest) {
        ("GET", "") => {
            let first = query.contains("page=1") || !query.contains("page=");
            let list: Vec<Value> =
                if first { state.releases.iter().map(view).collect() } else { Vec::new() };
            (200, Value::from(list))
        }
        ("GET", tag) if tag.starts_with("/tags/") => {
            let tag = decode(&tag["/tags/".len()..]);
            let found = state
                .releases
                .iter()
                .find(|r| r["tag_name"] == tag.as_str() && r["draft"] == false);
            found.map_or_else(not_found_github, |release| (200, view(release)))
        }
        ("POST", "") => {
            let Some(tag) = body["tag_name"].as_str() else {
                return (
                    422,
                    json!({ "message": "Validation Failed", "errors": [{ "resource": "Release", "field": "tag_name", "code": "missing_field" }] }),
                );
            };
            if find(state, tag).is_some() {
                let error =
                    json!({ "resource": "Release", "code": "already_exists", "field": "tag_name" });
                return (422, json!({ "message": "Validation Failed", "errors": [error] }));
            }
            let draft = body["draft"].as_bool().unwrap_or(false);
            (201, view(&create(state, body, "body", draft)))
        }
        ("DELETE", id) if id.starts_with("/assets/") => {
            let id: u64 = id["/assets/".len()..].parse().unwrap_or(0);
            for release in &mut state.releases {
                let assets = release["assets"].as_array_mut().expect("assets");
                if let Some(at) = assets.iter().position(|asset| asset["id"] == id) {
                    assets.remove(at);
                    return (204, Value::Null);
                }
            }
            not_found_github()
        }
        ("GET", id) if id.len() > 1 && id[1..].bytes().all(|b| b.is_ascii_digit()) => {
            let id: u64 = id[1..].parse().unwrap_or(0);
            let found = state.releases.iter().find(|r| r["id"] == id);
            found.map_or_else(not_found_github, |release| (200, view(release)))
        }
        ("PATCH", id) => {
            let id: u64 = id.trim_start_matches('/').parse().unwrap_or(0);
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found_github();
            };
            update(release, body, "body");
            (200, view(release))
        }
        _ => not_found_github(),
    }
}

fn gitea(state: &mut State, url: &str, request: &Request, body: &Value) -> (u16, Value) {
    let not_found = (
        404,
        json!({ "errors": [], "message": "The target couldn't be found.", "url": format!("{url}/api/swagger") }),
    );
    let target = request.target.as_str();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let view = |release: &Value| drafted_view(&format!("{url}/api/v1"), url, release, None);
    let Some(rest) = path.strip_prefix(&format!("/api/v1/repos/{PROJECT}/releases")) else {
        return not_found;
    };
    let parts: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    match (request.method.as_str(), parts.as_slice()) {
        ("GET", ["tags", tag]) => {
            let tag = decode(tag);
            state
                .releases
                .iter()
                .find(|r| r["tag_name"] == tag.as_str())
                .map_or(not_found, |r| (200, view(r)))
        }
        ("GET", [id]) if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) => {
            let id: u64 = id.parse().unwrap_or(0);
            state.releases.iter().find(|r| r["id"] == id).map_or(not_found, |r| (200, view(r)))
        }
        ("GET", [""]) => (200, Value::from(state.releases.iter().map(view).collect::<Vec<_>>())),
        ("POST", [""]) => {
            let Some(tag) = body["tag_name"].as_str() else {
                return (
                    422,
                    json!({ "message": "[TagName]: Required", "url": format!("{url}/api/swagger") }),
                );
            };
            if find(state, tag).is_some() {
                return (
                    409,
                    json!({ "message": "Release is has no Tag", "url": format!("{url}/api/swagger") }),
                );
            }
            let draft = body["draft"].as_bool().unwrap_or(false);
            (201, view(&create(state, body, "body", draft)))
        }
        ("POST", [id, "assets"]) => {
            let name = query.split('&').find_map(|pair| pair.strip_prefix("name=")).map(decode);
            let Some(bytes) = multipart_attachment(request) else {
                return (
                    400,
                    json!({ "message": "GetFile: http: no such file", "url": format!("{url}/api/swagger") }),
                );
            };
            let id: u64 = id.parse().unwrap_or(0);
            let asset_id = take_id(state);
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found;
            };
            let name = name.unwrap_or_default();
            release["assets"]
                .as_array_mut()
                .expect("assets")
                .push(json!({ "id": asset_id, "name": name, "bytes": bytes }));
            (201, json!({ "id": asset_id, "name": name, "size": bytes.len() }))
        }
        ("DELETE", [id, "assets", asset]) => {
            let (id, asset): (u64, u64) = (id.parse().unwrap_or(0), asset.parse().unwrap_or(0));
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found;
            };
            let assets = release["assets"].as_array_mut().expect("assets");
            let Some(at) = assets.iter().position(|a| a["id"] == asset) else { return not_found };
            assets.remove(at);
            (204, Value::Null)
        }
        ("PATCH", [id]) => {
            let id: u64 = id.parse().unwrap_or(0);
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found;
            };
            update(release, body, "body");
            (200, view(release))
        }
        _ => not_found,
    }
}

/// The content of the `attachment` part of a `multipart/form-data` body.
fn multipart_attachment(request: &Request) -> Option<Vec<u8>> {
    let kind = header(&request.headers, "content-type")?;
    let boundary = kind.strip_prefix("multipart/form-data; boundary=")?;
    let body = &request.body;
    let delimiter = format!("--{boundary}");
    let text = String::from_utf8_lossy(body);
    let start = text.find(&delimiter)?;
    let head_end = find_bytes(body, b"\r\n\r\n", start)? + 4;
    let head = String::from_utf8_lossy(&body[start..head_end]);
    if !head.contains("name=\"attachment\"") {
        return None;
    }
    let end = find_bytes(body, format!("\r\n{delimiter}").as_bytes(), head_end)?;
    Some(body[head_end..end].to_vec())
}

fn find_bytes(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|window| window == needle)
        .map(|at| at + from)
}

fn gitlab(state: &mut State, url: &str, request: &Request, body: &Value) -> (u16, Value) {
    let not_found = (404, json!({ "message": "404 Not Found" }));
    let project = PROJECT.replace('/', "%2F");
    let target = request.target.as_str();
    let Some(rest) = target.strip_prefix(&format!("/api/v4/projects/{project}/")) else {
        return not_found;
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let view = |release: &Value| {
        let tag = release["tag_name"].as_str().unwrap_or_default();
        let links: Vec<Value> = release["links"].as_array().cloned().unwrap_or_default();
        json!({
            "tag_name": tag, "name": release["name"], "description": release["body"],
            "upcoming_release": false,
            "_links": { "self": format!("{url}/{PROJECT}/-/releases/{tag}") },
            "assets": { "count": links.len(), "sources": [], "links": links },
        })
    };
    match (request.method.as_str(), parts.as_slice()) {
        ("PUT", ["packages", "generic", package, version, file]) => {
            let path = format!("/projects/{project}/packages/generic/{package}/{version}/{file}");
            state.packages.insert(path, request.body.clone());
            (201, json!({ "message": "201 Created" }))
        }
        ("GET", ["releases", tag]) => {
            let tag = decode(tag);
            let found = state.releases.iter().find(|r| r["tag_name"] == tag.as_str()).cloned();
            found.map_or(not_found, |release| (200, view(&release)))
        }
        ("POST", ["releases"]) => {
            let Some(tag) = body["tag_name"].as_str() else {
                return (400, json!({ "error": "tag_name is missing" }));
            };
            if find(state, tag).is_some() {
                return (409, json!({ "message": "Release already exists" }));
            }
            let mut release = create(state, body, "description", false);
            let mut links = Vec::new();
            for link in body["assets"]["links"].as_array().into_iter().flatten() {
                if link["name"].is_null() || link["url"].is_null() {
                    return (
                        400,
                        json!({ "error": "assets[links][name], assets[links][url] are missing" }),
                    );
                }
                links.push(gitlab_link(state, url, tag, link));
            }
            release["links"] = Value::from(links);
            *find(state, tag).expect("just created") = release.clone();
            (201, view(&release))
        }
        ("POST", ["releases", tag, "assets", "links"]) => {
            let tag = decode(tag);
            if find(state, &tag).is_none() {
                return not_found;
            }
            let link = gitlab_link(state, url, &tag, body);
            let release = find(state, &tag).expect("found");
            let links = release["links"].as_array_mut().expect("links");
            if links.iter().any(|existing| existing["name"] == body["name"]) {
                return (400, json!({ "message": { "name": ["has already been taken"] } }));
            }
            links.push(link.clone());
            (201, link)
        }
        ("PUT", ["releases", tag]) => {
            let tag = decode(tag);
            let Some(release) = find(state, &tag) else { return not_found };
            update(release, body, "description");
            let release = release.clone();
            (200, view(&release))
        }
        _ => not_found,
    }
}

fn gitlab_link(state: &mut State, url: &str, tag: &str, link: &Value) -> Value {
    let id = take_id(state);
    let path = link["direct_asset_path"].as_str().unwrap_or_default();
    json!({
        "id": id, "name": link["name"], "url": link["url"],
        "link_type": link["link_type"].as_str().unwrap_or("other"),
        "direct_asset_url": format!("{url}/{PROJECT}/-/releases/{tag}/downloads{path}"),
    })
}
