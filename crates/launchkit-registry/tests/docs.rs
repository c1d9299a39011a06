//! The docs host client against docs.rs's status API, served on 127.0.0.1, and against
//! hosts that fail or never answer.

use std::time::{Duration, Instant};

use launchkit_registry::{DocsHost, DocsStatus, RegistryError};
use launchkit_testkit::server::json;
use launchkit_testkit::{HttpServer, Silent};
use semver::Version;

/// docs.rs's answers: built for `good`, failed for `broken`, unknown otherwise.
fn docs_rs() -> HttpServer {
    HttpServer::start(|request| match request.target.as_str() {
        "/crate/good/1.0.0/status.json" => json(200, r#"{"version":"1.0.0","doc_status":true}"#),
        "/crate/broken/1.0.0/status.json" => json(200, r#"{"version":"1.0.0","doc_status":false}"#),
        "/crate/garbled/1.0.0/status.json" => json(200, "<html>"),
        "/crate/down/1.0.0/status.json" => json(503, "{}"),
        _ => json(404, r#"{"errors":[{"detail":"not found"}]}"#),
    })
}

#[test]
fn the_status_api_tells_built_failed_and_missing_apart() {
    let server = docs_rs();
    let host = DocsHost::new(&format!("{}/", server.url()), Duration::from_secs(5));
    let v1 = Version::new(1, 0, 0);
    assert_eq!(host.status("good", &v1).unwrap(), DocsStatus::Built);
    assert_eq!(host.status("broken", &v1).unwrap(), DocsStatus::Failed);
    assert_eq!(host.status("queued", &v1).unwrap(), DocsStatus::Missing);
    assert!(matches!(host.status("garbled", &v1), Err(RegistryError::Parse { .. })));
    assert!(matches!(host.status("down", &v1), Err(RegistryError::Http { status: 503, .. })));
    assert_eq!(host.page("good", &v1), format!("{}/crate/good/1.0.0", server.url()));
    let paths: Vec<String> = server.requests().into_iter().map(|request| request.target).collect();
    assert_eq!(paths[0], "/crate/good/1.0.0/status.json");
}

#[test]
fn a_host_that_never_answers_is_an_error_after_the_timeout() {
    let silent = Silent::start();
    let host = DocsHost::new(&silent.url(), Duration::from_millis(300));
    let started = Instant::now();
    let err = host.status("good", &Version::new(1, 0, 0)).unwrap_err();
    assert!(matches!(err, RegistryError::Transport { .. }), "{err}");
    assert!(err.to_string().starts_with("cannot reach http://127.0.0.1:"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(10), "the timeout bounds the wait");
}
