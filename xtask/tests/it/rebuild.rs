//! Switching between the xtask and cargo compiles nothing twice.

use std::process::Command;

use crate::support::Fixture;

/// `cargo run` sets these for the xtask; a nested cargo that inherited them would
/// fingerprint a build script that watches one of them differently from a cargo started in
/// the terminal, and rebuild it (and all above it) on every switch.
const CARGO_RUN_ENV: [(&str, &str); 3] = [
    ("CARGO_MANIFEST_DIR", "/somewhere/xtask"),
    ("CARGO_PKG_NAME", "xtask"),
    ("CARGO_CRATE_NAME", "xtask"),
];

#[test]
fn cargo_after_the_xtask_compiles_nothing() {
    let fixture = Fixture::new("clean");
    fixture.write(
        "core/build.rs",
        "fn main() {\n    println!(\"cargo::rerun-if-env-changed=CARGO_MANIFEST_DIR\");\n}\n",
    );
    fixture.commit("a build script that watches a variable cargo run sets");

    let run = fixture.xtask_env(&["preflight", "--only", "clippy", "--no-cache"], &CARGO_RUN_ENV);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);

    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.current_dir(&fixture.root);
    cargo.args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--all-features",
        "--",
        "-D",
        "warnings",
    ]);
    // A cargo started in the terminal: without what cargo sets for the test run, with the
    // configuration the terminal has (CARGO_HOME, CARGO_INCREMENTAL, ...), less what the
    // xtask run above was started without: the same terminal ran both.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if set_by_cargo(&name) {
            cargo.env_remove(&*name);
        }
    }
    for name in crate::support::NOT_PASSED_ON {
        cargo.env_remove(name);
    }
    let output = cargo.output().unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(output.status.success(), "{stderr}");
    assert!(!stderr.contains("Compiling") && !stderr.contains("Checking"), "{stderr}");
}

/// The variables cargo sets for the processes it runs (build scripts, `cargo run`, tests),
/// as opposed to the ones it reads.
fn set_by_cargo(name: &str) -> bool {
    const EXACT: [&str; 8] = [
        "CARGO",
        "CARGO_MANIFEST_DIR",
        "CARGO_MANIFEST_PATH",
        "CARGO_CRATE_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_TARGET_TMPDIR",
        "CARGO_RUSTC_CURRENT_DIR",
        "CARGO_MAKEFLAGS",
    ];
    EXACT.contains(&name)
        || ["CARGO_PKG_", "CARGO_BIN_", "__CARGO"].iter().any(|p| name.starts_with(p))
}
