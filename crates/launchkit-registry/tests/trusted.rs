//! Trusted publishing against an OIDC issuer (GitHub Actions' token service) and a
//! registry's trusted-publishing endpoints, both served on 127.0.0.1 with their documented
//! request shapes: the issuer wants `Authorization: bearer REQUEST_TOKEN` and an
//! `audience`, and mints a new JWT per request; the registry takes each JWT once.

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use launchkit_registry::trusted::{self, Identity};
use launchkit_registry::{RegistryError, Token};
use launchkit_testkit::HttpServer;
use launchkit_testkit::http::{Request, header};
use launchkit_testkit::server::json;

const TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TOKEN: &str = "actions-request-token";

/// GitHub Actions' token service: `GET ...?api-version=2.0&audience=AUD`.
fn issuer() -> HttpServer {
    let minted = AtomicUsize::new(0);
    HttpServer::start(move |request: &Request| {
        if header(&request.headers, "authorization") != Some(&format!("bearer {REQUEST_TOKEN}")) {
            return json(401, r#"{"message":"bad request token"}"#);
        }
        let Some(audience) = request.target.split("audience=").nth(1) else {
            return json(400, r#"{"message":"no audience"}"#);
        };
        let n = minted.fetch_add(1, Ordering::Relaxed);
        json(200, &format!(r#"{{"count":1,"value":"jwt.{audience}.{n}"}}"#))
    })
}

/// The registry's `api/v1/trusted_publishing/tokens`: each JWT for `crates.io` once.
fn registry() -> (HttpServer, Arc<Mutex<HashSet<String>>>) {
    let live = Arc::new(Mutex::new(HashSet::new()));
    let tokens = Arc::clone(&live);
    let used = Mutex::new(HashSet::new());
    let server = HttpServer::start(move |request: &Request| {
        match (request.method.as_str(), request.target.as_str()) {
            ("POST", "/api/v1/trusted_publishing/tokens") => {
                let body: serde_json::Value =
                    serde_json::from_slice(&request.body).unwrap_or_default();
                let jwt = body["jwt"].as_str().unwrap_or_default().to_owned();
                if !jwt.starts_with("jwt.crates.io.") {
                    return json(
                        400,
                        r#"{"errors":[{"detail":"No matching Trusted Publishing config found"}]}"#,
                    );
                }
                if !used.lock().unwrap().insert(jwt.clone()) {
                    return json(403, r#"{"errors":[{"detail":"JWT has already been used"}]}"#);
                }
                let token = format!("cio_tp_{}", jwt.rsplit('.').next().unwrap());
                tokens.lock().unwrap().insert(token.clone());
                json(200, &format!(r#"{{"token":"{token}"}}"#))
            }
            ("DELETE", "/api/v1/trusted_publishing/tokens") => {
                let token = header(&request.headers, "authorization").unwrap_or_default();
                if tokens.lock().unwrap().remove(token) {
                    json(204, "")
                } else {
                    json(401, r#"{"errors":[{"detail":"authentication failed"}]}"#)
                }
            }
            _ => json(404, r#"{"errors":[{"detail":"Not Found"}]}"#),
        }
    });
    (server, live)
}

fn github(issuer: &HttpServer) -> Identity {
    let url = format!("{}/token?api-version=2.0", issuer.url());
    Identity::from_env(|name| match name {
        "ACTIONS_ID_TOKEN_REQUEST_URL" => Some(url.clone()),
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN" => Some(REQUEST_TOKEN.to_owned()),
        _ => None,
    })
    .unwrap()
}

#[test]
fn a_github_identity_is_exchanged_for_a_token_and_revoked() {
    let issuer = issuer();
    let (registry, live) = registry();
    let identity = github(&issuer);
    let audience = trusted::audience("crates-io", &registry.url());
    let first = identity.jwt(&audience, TIMEOUT).unwrap();
    let second = identity.jwt(&audience, TIMEOUT).unwrap();
    assert_ne!(first, second, "each request mints a fresh JWT");
    assert_eq!(issuer.requests()[0].target, "/token?api-version=2.0&audience=crates.io");

    let token = trusted::exchange(&registry.url(), &first, TIMEOUT).unwrap();
    assert_eq!(token.expose(), "cio_tp_0");
    let posted = &registry.requests()[0];
    assert_eq!(header(&posted.headers, "content-type"), Some("application/json"));
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&posted.body).unwrap(),
        serde_json::json!({ "jwt": first.expose() })
    );
    // A JWT is single use: the registry refuses it the second time.
    let reused = trusted::exchange(&registry.url(), &first, TIMEOUT).unwrap_err().to_string();
    assert_eq!(
        reused,
        "trusted publishing refused: the registry answered HTTP 403 (JWT has already been used): the identity token expired or was used already: run again so that a fresh one is requested"
    );
    let again = trusted::exchange(&registry.url(), &second, TIMEOUT).unwrap();

    trusted::revoke(&registry.url(), &token, TIMEOUT).unwrap();
    assert_eq!(live.lock().unwrap().iter().collect::<Vec<_>>(), [again.expose()]);
    trusted::revoke(&registry.url(), &again, TIMEOUT).unwrap();
    assert!(live.lock().unwrap().is_empty());
    let gone = trusted::revoke(&registry.url(), &again, TIMEOUT).unwrap_err().to_string();
    assert!(gone.ends_with("answered HTTP 401"), "{gone}");
}

#[test]
fn a_refused_exchange_is_one_line_with_the_fix_and_no_secret() {
    let (registry, _) = registry();
    // A JWT for the wrong audience, as another registry's host would give.
    let jwt = Token::new("jwt.registry.example.0");
    let error = trusted::exchange(&registry.url(), &jwt, TIMEOUT).unwrap_err().to_string();
    assert_eq!(
        error,
        "trusted publishing refused: the registry answered HTTP 400 (No matching Trusted Publishing config found): no trusted-publishing configuration matches this repository, workflow and environment: add one in the crate's settings on the registry (Trusted Publishing), or publish with a token"
    );
    assert!(!error.contains(jwt.expose()) && !error.contains('\n'));
}

#[test]
fn the_issuer_refusing_says_to_grant_id_token_write() {
    let issuer = issuer();
    let url = format!("{}/token?api-version=2.0", issuer.url());
    let identity = Identity::from_env(|name| match name {
        "ACTIONS_ID_TOKEN_REQUEST_URL" => Some(url.clone()),
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN" => Some("wrong".to_owned()),
        _ => None,
    })
    .unwrap();
    let error = identity.jwt("crates.io", TIMEOUT).unwrap_err().to_string();
    assert_eq!(
        error,
        "GitHub Actions' OIDC token service answered HTTP 401: give the job `permissions: id-token: write`"
    );
}

#[test]
fn trustpub_only_is_read_from_the_crate_api() {
    // crates.io's answer, trimmed to what matters, for a crate whose owners turned token
    // publishing off, one that allows it, and a registry that predates the field.
    let server = HttpServer::start(|request: &Request| match request.target.as_str() {
        "/api/v1/crates/locked" => json(
            200,
            r#"{"crate":{"id":"locked","name":"locked","trustpub_only":true},"versions":[]}"#,
        ),
        "/api/v1/crates/open" => json(200, r#"{"crate":{"name":"open","trustpub_only":false}}"#),
        "/api/v1/crates/older" => json(200, r#"{"crate":{"name":"older"}}"#),
        "/api/v1/crates/down" => json(503, "{}"),
        "/api/v1/crates/garbled" => json(200, "<html>"),
        _ => json(404, r#"{"errors":[{"detail":"crate `x` does not exist"}]}"#),
    });
    let api = format!("{}/", server.url());
    let ask = |name: &str| trusted::trustpub_only(&api, name, TIMEOUT);
    assert!(ask("locked").unwrap());
    for name in ["open", "older", "unknown"] {
        assert!(!ask(name).unwrap(), "{name}");
    }
    assert!(matches!(ask("down"), Err(RegistryError::Http { status: 503, .. })));
    assert!(matches!(ask("garbled"), Err(RegistryError::Parse { .. })));
}
