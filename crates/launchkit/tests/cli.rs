//! `cargo launchkit`, the binary `cargo install launchkit` gives: the argument cargo passes
//! first is dropped, and every command a message names is one this user can run.

use std::path::Path;
use std::process::Command;

use launchkit_testkit::{Fixture, Run};

fn cargo_launchkit(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_cargo-launchkit"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .output()
        .expect("cargo-launchkit runs");
    Run::checked(output, &[])
}

#[test]
fn cargo_launchkit_takes_the_arguments_cargo_passes() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let help = cargo_launchkit(dir, &["launchkit", "--help"]).success();
    assert!(help.stdout.contains("Usage: cargo launchkit [OPTIONS] <COMMAND>"), "{help}");
    // Run directly, without cargo in front, it takes the task first too.
    let direct = cargo_launchkit(dir, &["--version"]).success();
    assert!(
        direct.stdout.starts_with("xtask ") || direct.stdout.contains(env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn messages_name_the_commands_of_cargo_launchkit() {
    let fixture =
        Fixture::builder(Path::new(env!("CARGO_TARGET_TMPDIR"))).member("solo", "").write();
    let manifest = std::fs::read_to_string(fixture.manifest()).unwrap();
    let independent = "\n[workspace.metadata.launchkit]\nversioning = \"independent\"\n";
    fixture.write("Cargo.toml", &(manifest + independent));
    fixture.commit("version independently");
    let release = cargo_launchkit(fixture.root(), &["launchkit", "release", "patch"]).code(2);
    assert!(
        release.stderr.contains("publish each crate with `cargo launchkit publish`"),
        "{release}"
    );
    assert!(!release.stderr.contains("cargo xtask"), "{release}");
}
