//! GitHub's release API, as much of its contract as a release uses, served on 127.0.0.1:
//! look a release up by tag (drafts are not found that way, as on GitHub), list them,
//! create one (`201`, or `422 already_exists` when the tag has one) and update one. Every
//! request is logged with its headers, and the next answers can be made to fail.

use std::collections::VecDeque;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use launchkit_testkit::http::{self, Request, Response, header};
use serde_json::{Value, json};

/// The repository the fixture's `repository` names.
pub const REPO: &str = "acme/demo";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Logged {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub accept: Option<String>,
    pub api_version: Option<String>,
    pub content_type: Option<String>,
    pub body: Value,
    pub status: u16,
}

#[derive(Default)]
struct State {
    releases: Vec<Value>,
    log: Vec<Logged>,
    failures: VecDeque<u16>,
}

/// A running loopback GitHub; stops when dropped.
pub struct Forge {
    url: String,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    state.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Forge {
    /// Serves the API, accepting only `Bearer {token}`.
    pub fn start(token: &str) -> Forge {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop, token) = (Arc::clone(&state), Arc::clone(&stop), token.to_owned());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(&stream, &state, &token);
                    }
                }
            })
        };
        Forge { url, state, stop, thread: Some(thread) }
    }

    /// `GITHUB_API_URL` for the xtask.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Answers the next `count` requests with `status`.
    pub fn fail_next(&self, count: usize, status: u16) {
        lock(&self.state).failures.extend(std::iter::repeat_n(status, count));
    }

    /// Every release, drafts included.
    pub fn releases(&self) -> Vec<Value> {
        lock(&self.state).releases.clone()
    }

    /// Adds a release as someone else would have made it.
    pub fn add_release(&self, tag: &str, body: &str, draft: bool) {
        let mut state = lock(&self.state);
        let id = state.releases.len() as u64 + 1;
        let release =
            release(id, &json!({ "tag_name": tag, "name": tag, "body": body, "draft": draft }));
        state.releases.push(release);
    }

    /// Changes the text of the release of `tag`, as someone editing it on GitHub.
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

impl Drop for Forge {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn release(id: u64, fields: &Value) -> Value {
    let tag = fields["tag_name"].as_str().unwrap_or_default();
    json!({
        "id": id,
        "tag_name": tag,
        "name": fields["name"],
        "body": fields["body"],
        "draft": fields["draft"].as_bool().unwrap_or(false),
        "prerelease": fields["prerelease"].as_bool().unwrap_or(false),
        "html_url": format!("https://github.com/{REPO}/releases/tag/{tag}"),
    })
}

fn serve(stream: &TcpStream, state: &Mutex<State>, token: &str) {
    let Ok(Some(request)) = http::read_request(stream) else { return };
    let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
    let (status, answer) = {
        let mut state = lock(state);
        match state.failures.pop_front() {
            Some(status) => (status, json!({ "message": "Server Error" })),
            None if header(&request.headers, "authorization")
                != Some(&format!("Bearer {token}")) =>
            {
                (401, json!({ "message": "Bad credentials" }))
            }
            None => route(&mut state, &request, &body),
        }
    };
    let logged = Logged {
        method: request.method.clone(),
        path: request.target.clone(),
        authorization: header(&request.headers, "authorization").map(str::to_owned),
        accept: header(&request.headers, "accept").map(str::to_owned),
        api_version: header(&request.headers, "x-github-api-version").map(str::to_owned),
        content_type: header(&request.headers, "content-type").map(str::to_owned),
        body,
        status,
    };
    lock(state).log.push(logged);
    let headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    let response = Response { status, headers, body: answer.to_string().into_bytes() };
    let _ = http::write_response(stream, &response);
}

fn route(state: &mut State, request: &Request, body: &Value) -> (u16, Value) {
    let not_found = (404, json!({ "message": "Not Found" }));
    let prefix = format!("/repos/{REPO}/releases");
    let Some(rest) = request.target.strip_prefix(&prefix) else { return not_found };
    let path = rest.split('?').next().unwrap_or_default();
    match (request.method.as_str(), path) {
        ("GET", "") => {
            let page = rest.contains("page=1") || !rest.contains("page=");
            (200, Value::from(if page { state.releases.clone() } else { Vec::new() }))
        }
        ("GET", tag) if tag.starts_with("/tags/") => {
            let tag = &tag["/tags/".len()..];
            let found = state.releases.iter().find(|r| r["tag_name"] == tag && r["draft"] == false);
            found.map_or(not_found, |release| (200, release.clone()))
        }
        ("POST", "") => {
            let Some(tag) = body["tag_name"].as_str() else {
                return (
                    422,
                    json!({ "message": "Validation Failed", "errors": [{ "field": "tag_name", "code": "missing_field" }] }),
                );
            };
            if state.releases.iter().any(|release| release["tag_name"] == tag) {
                let error =
                    json!({ "resource": "Release", "code": "already_exists", "field": "tag_name" });
                return (422, json!({ "message": "Validation Failed", "errors": [error] }));
            }
            let created = release(state.releases.len() as u64 + 1, body);
            state.releases.push(created.clone());
            (201, created)
        }
        ("PATCH", id) => {
            let id: u64 = id.trim_start_matches('/').parse().unwrap_or(0);
            let Some(release) = state.releases.iter_mut().find(|r| r["id"] == id) else {
                return not_found;
            };
            for key in ["tag_name", "name", "body", "draft", "prerelease"] {
                if !body[key].is_null() {
                    release[key] = body[key].clone();
                }
            }
            (200, release.clone())
        }
        _ => not_found,
    }
}
