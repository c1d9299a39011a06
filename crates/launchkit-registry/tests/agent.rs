//! One HTTP agent per process: every index and docs client reuses the same connections
//! and looks each host up once. The server counts the connections it accepted.
//!
//! This file holds one test on purpose: the agent and its lookup count belong to the
//! process, so another test running beside it would change the figures.

use std::time::Duration;

use launchkit_registry::{DocsHost, DocsStatus, SparseIndex};
use launchkit_testkit::HttpServer;
use launchkit_testkit::server::json;
use semver::Version;

const LINE: &str =
    r#"{"name":"c","vers":"1.0.0","deps":[],"cksum":"00","features":{},"yanked":false}"#;

#[test]
fn index_and_docs_clients_share_one_connection_and_one_lookup() {
    let server = HttpServer::start(|request| match request.target.as_str() {
        "/config.json" => json(200, r#"{"dl":"http://localhost/dl"}"#),
        "/crate/c0/1.0.0/status.json" => json(200, r#"{"doc_status":true}"#),
        // Every other crate has a file; odd ones are unknown (404 with a body to skip).
        target if target.ends_with(['1', '3', '5', '7', '9']) => json(404, "not found"),
        _ => json(200, LINE),
    });
    // A host name, not an address, so that the resolver is asked.
    let base = server.url().replace("127.0.0.1", "localhost");
    let names: Vec<String> = (0..20).map(|n| format!("c{n}")).collect();
    // Two clients, as verify and doctor make them, and the docs host.
    let first = SparseIndex::from_url("local", &base, None);
    let second = SparseIndex::from_url("local", &base, None);
    for name in &names {
        let known = first.versions(name).unwrap();
        assert_eq!(known.is_empty(), name.ends_with(['1', '3', '5', '7', '9']), "{name}");
        second.versions(name).unwrap();
    }
    let docs = DocsHost::new(&base, Duration::from_secs(5));
    assert_eq!(docs.status("c0", &Version::new(1, 0, 0)).unwrap(), DocsStatus::Built);
    assert_eq!(server.requests().len(), 2 + 40 + 1);
    assert_eq!(server.connections(), 1, "every request went over the first connection");
    assert_eq!(launchkit_registry::lookups(), 1, "`localhost` was looked up once");
}
