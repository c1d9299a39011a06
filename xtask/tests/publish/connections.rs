//! Planning reads the index over a few kept-open connections, not one per crate: the
//! index is served by a test server that counts the connections it accepted.

use launchkit_testkit::server::json;
use launchkit_testkit::{CargoSandbox, Fixture, HttpServer, Run};

use crate::support::{REGISTRY, base};

/// Index files read at once while planning (`PARALLEL_READS` in publish/plan.rs).
const PARALLEL_READS: usize = 8;

#[test]
fn planning_many_crates_reuses_a_few_connections() {
    const CRATES: usize = 40;
    let index = HttpServer::start(|request| match request.target.as_str() {
        "/config.json" => json(200, r#"{"dl":"http://127.0.0.1:1/dl","api":"http://127.0.0.1:1"}"#),
        // No crate is published yet: every index file is a 404 with a body.
        _ => json(404, r#"{"errors":[{"detail":"not found"}]}"#),
    });
    let mut builder = Fixture::builder(base());
    for n in 0..CRATES {
        builder = builder.member_with_deps(&format!("crate{n}"), &[], Some(REGISTRY));
    }
    let fixture = builder.write();
    let sandbox = CargoSandbox::new(base()).registry(
        REGISTRY,
        &format!("sparse+{}/", index.url()),
        Some("unused-token"),
    );
    let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
    command.arg("--manifest-path").arg(fixture.manifest()).args([
        "publish",
        "--registry",
        REGISTRY,
    ]);
    let _run = Run::checked(command.output().expect("xtask runs"), &["unused-token"]);
    _run.success();
    let reads = index.requests().iter().filter(|r| r.target != "/config.json").count();
    assert_eq!(reads, CRATES, "one index read per crate");
    let connections = index.connections();
    assert!(
        connections <= PARALLEL_READS,
        "{connections} connections for {CRATES} crates: each reader should keep its connection"
    );
}
