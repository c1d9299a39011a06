//! One connection through the proxy: count the request, inject a fault or forward it,
//! and rewrite what the registry answered (index lag, `Last-Modified`, `auth-required`).

use std::collections::HashMap;
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{Exchange, Fault, Faults, Route};
use crate::http::{self, Request, Response, header, remove_header};

/// What every connection thread shares.
pub(super) struct Shared {
    faults: Faults,
    upstream: SocketAddr,
    counts: Mutex<HashMap<&'static str, usize>>,
    pub(super) log: Mutex<Vec<Exchange>>,
    /// Successful uploads: (lowercase name, version, when).
    pub(super) uploads: Mutex<Vec<(String, String, Instant)>>,
    /// The JSON metadata of each successful upload, as the client sent it.
    pub(super) metadata: Mutex<Vec<serde_json::Value>>,
    /// Index path -> (body, the `Last-Modified` value given to it).
    dates: Mutex<HashMap<String, (Vec<u8>, String)>>,
    /// Until when the proxy does not listen (an outage); the acceptor reads it.
    pub(super) closed_until: Arc<Mutex<Option<Instant>>>,
    outage_started: Mutex<bool>,
    /// Trusted publishing's state, when the proxy plays a registry with it.
    pub(super) trusted: Mutex<Trusted>,
    /// Requests a `Slow` fault is holding now.
    pub(super) held: AtomicUsize,
}

/// What a registry with trusted publishing keeps.
#[derive(Default)]
pub(super) struct Trusted {
    used_jwts: Vec<String>,
    pub(super) minted: Vec<String>,
    pub(super) revoked: Vec<String>,
    pub(super) uploads: Vec<String>,
}

const TRUSTED_PATH: &str = "/api/v1/trusted_publishing/tokens";

fn errors(status: u16, detail: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "detail": detail }] }).to_string();
    Response {
        status,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.into_bytes(),
    }
}

pub(super) fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn route_of(request: &Request) -> Route {
    let path = request.target.split('?').next().unwrap_or_default();
    if request.method == "PUT" && path == "/api/v1/crates/new" {
        Route::Publish
    } else if request.method == "GET" && !path.starts_with("/api/") && path != "/config.json" {
        Route::Index
    } else if path.ends_with("/yank") || path.ends_with("/unyank") {
        Route::Yank
    } else {
        Route::Any
    }
}

impl Shared {
    pub(super) fn new(faults: Faults, upstream: SocketAddr) -> Shared {
        Shared {
            faults,
            upstream,
            counts: Mutex::default(),
            log: Mutex::default(),
            uploads: Mutex::default(),
            metadata: Mutex::default(),
            dates: Mutex::default(),
            closed_until: Arc::default(),
            outage_started: Mutex::new(false),
            trusted: Mutex::default(),
            held: AtomicUsize::new(0),
        }
    }

    pub(super) fn serve(&self, stream: TcpStream) {
        let _ = stream.set_read_timeout(Some(http::IO_TIMEOUT));
        let _ = stream.set_write_timeout(Some(http::IO_TIMEOUT));
        let Ok(Some(request)) = http::read_request(&stream) else {
            return;
        };
        let route = route_of(&request);
        let mut exchange = Exchange {
            method: request.method.clone(),
            path: request.target.clone(),
            status: None,
            injected: false,
            conditional: ["if-none-match", "if-modified-since"]
                .iter()
                .any(|h| header(&request.headers, h).is_some()),
            agent: header(&request.headers, "user-agent").unwrap_or_default().to_owned(),
        };
        let trusted = self.faults.trusted.is_some() && request.target == TRUSTED_PATH;
        let locked = request.method == "GET"
            && request
                .target
                .strip_prefix("/api/v1/crates/")
                .is_some_and(|name| self.faults.trustpub_only.iter().any(|locked| locked == name));
        let fault = if trusted || locked {
            None
        } else if self.starts_outage(&request, route) {
            Some(Fault::Drop)
        } else {
            self.fault_for(route)
        };
        let response = match fault {
            Some(Fault::Drop) => {
                exchange.injected = true;
                None
            }
            Some(Fault::Status { status, retry_after }) => {
                exchange.injected = true;
                let mut headers = vec![("Content-Type".to_owned(), "text/plain".to_owned())];
                if let Some(seconds) = retry_after {
                    headers.push(("Retry-After".to_owned(), seconds.to_string()));
                }
                Some(Response {
                    status,
                    headers,
                    body: format!("injected fault: {status}").into_bytes(),
                })
            }
            Some(Fault::Slow(delay)) => {
                self.held.fetch_add(1, Ordering::SeqCst);
                std::thread::sleep(delay);
                self.held.fetch_sub(1, Ordering::SeqCst);
                Some(self.forward(request, route))
            }
            None if trusted => Some(self.trusted_tokens(&request)),
            None if locked => {
                let name = request.target.trim_start_matches("/api/v1/crates/");
                let body = format!(r#"{{"crate":{{"name":"{name}","trustpub_only":true}}}}"#);
                Some(Response {
                    status: 200,
                    headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
                    body: body.into_bytes(),
                })
            }
            None => Some(self.forward(request, route)),
        };
        exchange.status = response.as_ref().map(|response| response.status);
        // Logged before answering, so a client that got its answer finds it in the log.
        lock(&self.log).push(exchange);
        match response {
            Some(response) => drop(http::write_response(&stream, &response)),
            None => drop(stream.shutdown(Shutdown::Both)),
        }
    }

    /// True for the request that starts the outage, if one is configured and due.
    fn starts_outage(&self, request: &Request, route: Route) -> bool {
        let Some(outage) = &self.faults.outage else { return false };
        let agent = header(&request.headers, "user-agent").unwrap_or_default();
        let mut started = lock(&self.outage_started);
        if *started
            || route != Route::Index
            || !agent.contains(outage.reader.as_str())
            || lock(&self.uploads).len() < outage.uploads
        {
            return false;
        }
        *started = true;
        *lock(&self.closed_until) = Some(Instant::now() + outage.duration);
        true
    }

    /// Counts the request and returns the fault of the first rule it triggers.
    fn fault_for(&self, route: Route) -> Option<Fault> {
        let mut counts = lock(&self.counts);
        let any = {
            let count = counts.entry("any").or_default();
            *count += 1;
            *count
        };
        let key = match route {
            Route::Publish => "publish",
            Route::Index => "index",
            Route::Yank => "yank",
            Route::Any => "other",
        };
        let own = {
            let count = counts.entry(key).or_default();
            *count += 1;
            *count
        };
        let hit = |(rule_route, nth, _): &&(Route, usize, Fault)| match rule_route {
            Route::Any => *nth == any,
            other => *other == route && *nth == own,
        };
        self.faults.rules.iter().find(hit).map(|(_, _, fault)| fault.clone())
    }

    /// The exchange (`POST`) and the revocation (`DELETE`) of trusted publishing.
    fn trusted_tokens(&self, request: &Request) -> Response {
        let prefix = self.faults.trusted.as_deref().unwrap_or_default();
        let mut trusted = lock(&self.trusted);
        match request.method.as_str() {
            "POST" => {
                let body: serde_json::Value =
                    serde_json::from_slice(&request.body).unwrap_or_default();
                let Some(jwt) = body["jwt"].as_str().filter(|jwt| jwt.starts_with(prefix)) else {
                    return errors(400, "No matching Trusted Publishing config found");
                };
                if trusted.used_jwts.iter().any(|used| used == jwt) {
                    return errors(403, "JWT has already been used");
                }
                trusted.used_jwts.push(jwt.to_owned());
                let token = format!("tp-minted-{}", trusted.minted.len() + 1);
                trusted.minted.push(token.clone());
                let body = serde_json::json!({ "token": token }).to_string().into_bytes();
                Response {
                    status: 200,
                    headers: vec![("Content-Type".into(), "application/json".into())],
                    body,
                }
            }
            "DELETE" => {
                let token = header(&request.headers, "authorization").unwrap_or_default();
                if !trusted.minted.iter().any(|minted| minted == token)
                    || trusted.revoked.iter().any(|revoked| revoked == token)
                {
                    return errors(401, "authentication failed");
                }
                trusted.revoked.push(token.to_owned());
                Response { status: 204, headers: Vec::new(), body: Vec::new() }
            }
            _ => errors(405, "method not allowed"),
        }
    }

    fn forward(&self, mut request: Request, route: Route) -> Response {
        if self.faults.trusted.is_some() && route == Route::Publish {
            let token = header(&request.headers, "authorization").unwrap_or_default().to_owned();
            let mut trusted = lock(&self.trusted);
            trusted.uploads.push(token.clone());
            let live = trusted.minted.contains(&token) && !trusted.revoked.contains(&token);
            if !live {
                return errors(
                    403,
                    "this crate requires trusted publishing: the token is not a live trusted-publishing token",
                );
            }
        }
        if let Some(token) = &self.faults.token
            && header(&request.headers, "authorization") != Some(token.as_str())
        {
            let body = br#"{"errors":[{"detail":"this registry requires a token"}]}"#.to_vec();
            return Response {
                status: 401,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body,
            };
        }
        let if_modified_since = header(&request.headers, "if-modified-since").map(str::to_owned);
        let agent = header(&request.headers, "user-agent").unwrap_or_default();
        let lagging =
            self.faults.lag_readers.as_ref().is_none_or(|readers| agent.contains(readers.as_str()));
        let rewrites_index =
            (lagging && self.faults.index_lag.is_some()) || self.faults.last_modified;
        if route == Route::Index && rewrites_index {
            // The proxy changes index bodies, so the upstream's validators do not apply.
            remove_header(&mut request.headers, "if-none-match");
            remove_header(&mut request.headers, "if-modified-since");
        }
        let exchange = http::connect(self.upstream).and_then(|stream| {
            http::write_request(&stream, &request)?;
            http::read_response(&stream)
        });
        let mut response = match exchange {
            Ok(response) => response,
            Err(err) => {
                return Response {
                    status: 502,
                    headers: Vec::new(),
                    body: err.to_string().into_bytes(),
                };
            }
        };
        match route {
            Route::Publish if response.status == 200 => self.record_upload(&request.body),
            Route::Index if response.status == 200 => {
                self.rewrite_index(&request.target, &mut response, if_modified_since, lagging)
            }
            _ if self.faults.token.is_some() && request.target == "/config.json" => {
                advertise_auth(&mut response)
            }
            _ => {}
        }
        response
    }

    fn record_upload(&self, body: &[u8]) {
        let Some(metadata) = publish_metadata(body) else {
            return;
        };
        let field = |key: &str| {
            metadata.get(key).and_then(|value| value.as_str()).unwrap_or_default().to_owned()
        };
        lock(&self.uploads).push((field("name").to_lowercase(), field("vers"), Instant::now()));
        lock(&self.metadata).push(metadata);
    }

    fn rewrite_index(
        &self,
        path: &str,
        response: &mut Response,
        if_modified_since: Option<String>,
        lagging: bool,
    ) {
        if let Some(lag) = self.faults.index_lag.filter(|_| lagging) {
            let uploads = lock(&self.uploads);
            let fresh = |name: &str, version: &str| {
                uploads.iter().any(|(n, v, at)| {
                    n == &name.to_lowercase() && v == version && at.elapsed() < lag
                })
            };
            let text = String::from_utf8_lossy(&response.body).into_owned();
            let kept: Vec<&str> = text
                .lines()
                .filter(|line| {
                    let entry: serde_json::Value = serde_json::from_str(line).unwrap_or_default();
                    !fresh(
                        entry["name"].as_str().unwrap_or_default(),
                        entry["vers"].as_str().unwrap_or_default(),
                    )
                })
                .collect();
            remove_header(&mut response.headers, "etag");
            if kept.is_empty() {
                response.status = 404;
                response.body = br#"{"errors":[{"detail":"not found"}]}"#.to_vec();
                return;
            }
            response.body = (kept.join("\n") + "\n").into_bytes();
        }
        if self.faults.last_modified {
            remove_header(&mut response.headers, "etag");
            let mut dates = lock(&self.dates);
            let serial = dates.len();
            let entry = dates.entry(path.to_owned()).or_insert_with(|| (Vec::new(), String::new()));
            if entry.0 != response.body {
                // A new body gets a new date; any valid HTTP date string works for the test.
                *entry = (
                    response.body.clone(),
                    format!("Mon, 01 Jun 2026 00:{:02}:{:02} GMT", serial / 60 % 60, serial % 60),
                );
            }
            if if_modified_since.as_deref() == Some(entry.1.as_str()) {
                response.status = 304;
                response.body.clear();
            }
            response.headers.push(("Last-Modified".to_owned(), entry.1.clone()));
        }
    }
}

fn advertise_auth(response: &mut Response) {
    if let Ok(mut config) = serde_json::from_slice::<serde_json::Value>(&response.body) {
        config["auth-required"] = serde_json::Value::Bool(true);
        response.body = config.to_string().into_bytes();
    }
}

/// The JSON metadata at the front of a publish request: a little-endian u32 length, then
/// the JSON, then the `.crate`.
fn publish_metadata(body: &[u8]) -> Option<serde_json::Value> {
    let length = u32::from_le_bytes(body.get(..4)?.try_into().ok()?) as usize;
    serde_json::from_slice(body.get(4..4 + length)?).ok()
}
