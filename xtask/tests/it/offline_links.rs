//! `links PATH --offline` needs neither the members' READMEs nor the http cache, so it
//! runs no `cargo metadata`: a wrapper of cargo logs every call.

use launchkit_testkit::TempDir;

use crate::scan::lockfile_only::{logging_wrapper, which};
use crate::support::xtask;

#[test]
fn offline_links_of_a_path_run_no_cargo() {
    let base = TempDir::new(env!("CARGO_TARGET_TMPDIR"), "offline-links");
    let ws = base.path().join("ws");
    std::fs::create_dir_all(ws.join("book/src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(ws.join("book/src/a.md"), "# A\n\n[b](b.md#b-part) and [gone](gone.md)\n")
        .unwrap();
    std::fs::write(ws.join("book/src/b.md"), "# B\n\n## B part\n").unwrap();
    let log = base.path().join("calls.log");
    let cargo = base.path().join("cargo");
    logging_wrapper(&cargo, &which("cargo"), &log);

    let cargo = cargo.display().to_string();
    let run =
        xtask(&ws, &["links", "book/src", "--offline", "--format", "json"], &[("CARGO", &cargo)]);
    assert_eq!(run.code, 1, "the broken link fails: {}{}", run.stdout, run.stderr);
    let findings = run.json()["steps"][0]["findings"].clone();
    assert_eq!(findings.as_array().unwrap().len(), 1, "{findings}");
    assert_eq!(std::fs::read_to_string(&log).unwrap_or_default(), "", "no cargo call");

    // Without paths the members' READMEs are inputs, so the workspace is read.
    xtask(&ws, &["links", "--offline", "--format", "json"], &[("CARGO", &cargo)]);
    assert!(std::fs::read_to_string(&log).unwrap().starts_with("cargo metadata"));
}
