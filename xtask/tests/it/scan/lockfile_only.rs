//! `preflight --only audit` reads Cargo.lock and the advisories of its packages, and
//! nothing else: no `cargo metadata`, no `git ls-files` for the cache, no advisory of a
//! package the lockfile does not have. Wrappers of cargo and git log every call.

use std::path::Path;

use launchkit_testkit::TempDir;
use launchkit_testkit::rustsec::{self, Advisory};

use super::{findings, step};
use crate::support::xtask;

/// A script that appends its name and arguments to `log`, then runs `real`.
pub fn logging_wrapper(path: &Path, real: &str, log: &Path) {
    let name = path.file_name().unwrap().to_str().unwrap();
    let script =
        format!("#!/bin/sh\necho \"{name} $*\" >> '{}'\nexec '{real}' \"$@\"\n", log.display());
    std::fs::write(path, script).unwrap();
    let status = std::process::Command::new("chmod").arg("+x").arg(path).status().unwrap();
    assert!(status.success());
}

pub fn which(program: &str) -> String {
    let out = std::process::Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn audit_alone_reads_only_the_lockfile_and_its_advisories() {
    let base = TempDir::new(env!("CARGO_TARGET_TMPDIR"), "audit-lockfile-only");
    let db = base.path().join("db");
    rustsec::write_database(
        &db,
        &[
            Advisory::vulnerability("RUSTSEC-2099-0001", "vulnerable", &[">= 0.2.0"]),
            Advisory::vulnerability("RUSTSEC-2099-0002", "not-locked", &[">= 9.0.0"]),
        ],
    );
    // A broken advisory of a package the lockfile does not have is never read.
    std::fs::write(db.join("crates/not-locked/RUSTSEC-2099-0003.md"), "not an advisory").unwrap();

    let ws = base.path().join("ws");
    std::fs::create_dir_all(ws.join("src")).unwrap();
    std::fs::write(
        ws.join("Cargo.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(ws.join("src/lib.rs"), "").unwrap();
    let locked = [("vulnerable", "0.1.0"), ("fine", "1.0.0")]
        .map(|(name, version)| (name.to_owned(), version.to_owned()));
    std::fs::write(ws.join("Cargo.lock"), rustsec::lockfile(&locked)).unwrap();

    let bin = base.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = base.path().join("calls.log");
    logging_wrapper(&bin.join("git"), &which("git"), &log);
    logging_wrapper(&bin.join("cargo"), &which("cargo"), &log);
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let cargo = bin.join("cargo").display().to_string();
    let db_arg = db.display().to_string();
    let args = ["preflight", "--only", "audit", "--format", "json", "--advisory-db", &db_arg];
    let run = xtask(&ws, &args, &[("PATH", &path), ("CARGO", &cargo)]);

    let audit = step(&run);
    assert_eq!(audit["status"], "failed", "{}", run.stdout);
    let rules: Vec<String> = findings(&audit).into_iter().map(|(_, _, rule)| rule).collect();
    assert_eq!(rules, ["RUSTSEC-2099-0001"], "{}", run.stdout);
    let calls = std::fs::read_to_string(&log).unwrap_or_default();
    assert_eq!(calls.trim(), "git log -1 --format=%ct", "only the database's age is asked of git");
}
