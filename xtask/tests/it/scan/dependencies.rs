//! `audit` and `outdated` end to end: launchkit-scan's small advisory database, a git repository
//! standing in for its remote, and crates.io's index (read-only).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::Value;
use xshell::{Shell, cmd};

use super::{advisory_db, findings, scan_data, step, triples};
use crate::support::Fixture;

#[test]
fn audit_fails_on_vulnerable_versions_and_notes_ignored_advisories() {
    let fixture = Fixture::new("clean");
    std::fs::copy(scan_data("vulnerable.lock"), fixture.root.join("Cargo.lock")).unwrap();
    fixture.commit("old dependencies");
    let db = advisory_db();
    let args = ["preflight", "--only", "audit", "--format", "json", "--advisory-db", &db];

    let run = fixture.xtask(&args);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let audit = step(&run);
    let expected = [
        ("Cargo.lock:20", "warning", "RUSTSEC-2026-0097"),
        ("Cargo.lock:25", "error", "RUSTSEC-2021-0003"),
        ("Cargo.lock:30", "error", "RUSTSEC-2020-0071"),
        ("", "warning", "advisory-db-age"),
    ];
    let expected = triples(&expected);
    assert_eq!(findings(&audit), expected, "{}", run.stdout);
    assert!(
        audit["reason"].as_str().unwrap().contains("newest advisory 2026-08-20, no git metadata")
    );

    fixture.edit(
        "Cargo.toml",
        "[workspace.package]",
        "[workspace.metadata.launchkit]\naudit.ignore = [\n  { id = \"RUSTSEC-2021-0003\", reason = \"insert_many is never called\" },\n  { id = \"CVE-2020-26235\", reason = \"no env access from threads\" },\n]\n\n[workspace.package]",
    );
    let run = fixture.xtask(&args);
    assert_eq!(run.code, 0, "warnings do not fail outside strict mode: {}", run.stdout);
    let audit = step(&run);
    assert_eq!(audit["status"], "warning");
    let notes =
        audit["findings"].as_array().unwrap().iter().filter(|f| f["severity"] == "note").count();
    assert_eq!(notes, 2);

    fixture.edit("Cargo.toml", ", reason = \"no env access from threads\"", "");
    let run = fixture.xtask(&args);
    let reason = step(&run)["reason"].as_str().unwrap().to_owned();
    assert!(reason.ends_with("audit.ignore entry CVE-2020-26235 has no `reason`: say why the advisory cannot affect this workspace"), "{reason}");
}

#[test]
fn a_wrong_advisory_db_path_stops_before_any_step() {
    let fixture = Fixture::new("clean");
    let run = fixture.xtask(&["preflight", "--only", "audit", "--advisory-db", "no/such/db"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("not a RustSec advisory database (it has no crates/ folder)"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

/// A git repository holding a copy of the test database, standing in for GitHub's.
fn database_remote(dir: &Path) -> PathBuf {
    let remote = dir.join("advisory-db-remote");
    launchkit_testkit::fixture::copy_dir(&scan_data("advisory-db"), &remote);
    commit_all(&remote, "advisories");
    remote
}

fn commit_all(dir: &Path, message: &str) {
    let sh = Shell::new().unwrap();
    sh.change_dir(dir);
    if !dir.join(".git").exists() {
        cmd!(sh, "git init -q -b main").run().unwrap();
    }
    cmd!(sh, "git add -A").quiet().run().unwrap();
    cmd!(sh, "git -c user.name=test -c user.email=test@example.com commit -q -m {message}")
        .quiet()
        .run()
        .unwrap();
}

#[test]
fn audit_clones_the_database_into_cargo_home_and_fetches_it_after_a_day() {
    let fixture = Fixture::new("clean");
    std::fs::copy(scan_data("clean.lock"), fixture.root.join("Cargo.lock")).unwrap();
    let remote = database_remote(&fixture.root.with_extension("remote"));
    let url = remote.display().to_string().replace('\\', "/");
    fixture.edit(
        "Cargo.toml",
        "[workspace.package]",
        &format!("[workspace.metadata.launchkit]\naudit.db-url = \"{url}\"\n\n[workspace.package]"),
    );
    fixture.commit("patched dependencies");
    let cargo_home = fixture.root.with_extension("cargo-home");
    let home = cargo_home.display().to_string();
    let env = [("CARGO_HOME", home.as_str())];
    let args = ["preflight", "--only", "audit", "--format", "json"];

    let offline =
        fixture.xtask_env(&["preflight", "--only", "audit", "--format", "json", "--offline"], &env);
    assert_eq!(step(&offline)["status"], "skipped", "{}", offline.stdout);

    let cloned = fixture.xtask_env(&args, &env);
    assert_eq!(step(&cloned)["status"], "passed", "{}\n{}", cloned.stdout, cloned.stderr);
    assert!(cloned.stderr.contains("cloning the advisory database"));
    assert!(step(&cloned)["reason"].as_str().unwrap().contains("(0 days old, last commit "));

    // A new advisory upstream: seen only once the copy is a day old.
    let advisory = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"smallvec\"\ndate = \"2099-01-01\"\n\n[versions]\npatched = []\n```\n\n# Test advisory\n";
    std::fs::write(remote.join("crates/smallvec/RUSTSEC-2099-0001.md"), advisory).unwrap();
    commit_all(&remote, "new advisory");
    let fresh = fixture.xtask_env(&args, &env);
    assert_eq!(step(&fresh)["status"], "passed", "{}", fresh.stdout);

    let head = cargo_home.join("advisory-db/.git/HEAD");
    let two_days_ago = SystemTime::now() - Duration::from_secs(2 * 24 * 60 * 60);
    std::fs::File::options().write(true).open(head).unwrap().set_modified(two_days_ago).unwrap();
    let fetched = fixture.xtask_env(&args, &env);
    assert!(fetched.stderr.contains("updating the advisory database"), "{}", fetched.stderr);
    let expected = triples(&[("Cargo.lock:20", "error", "RUSTSEC-2099-0001")]);
    assert_eq!(findings(&step(&fetched)), expected, "{}", fetched.stdout);
}

#[test]
fn outdated_notes_old_and_yanked_dependencies_on_crates_io() {
    let fixture = Fixture::new("clean");
    for file in ["Cargo.toml", "Cargo.lock", "app/Cargo.toml", "tool/Cargo.toml"] {
        std::fs::create_dir_all(fixture.root.join(file).parent().unwrap()).unwrap();
        std::fs::copy(scan_data("outdated").join(file), fixture.root.join(file)).unwrap();
    }
    for dir in ["app/src", "tool/src"] {
        std::fs::create_dir_all(fixture.root.join(dir)).unwrap();
        std::fs::write(fixture.root.join(dir).join("lib.rs"), "//! Empty.\n").unwrap();
    }
    let _ = std::fs::remove_dir_all(fixture.root.join("core"));
    fixture.commit("old dependencies");
    let args = ["preflight", "--only", "outdated", "--format", "json"];

    // Notes by default, so strict mode (CI) passes too.
    let run = fixture.xtask_env(&args, &[("CI", "true")]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let outdated = step(&run);
    assert_eq!(outdated["status"], "passed");
    let found = findings(&outdated);
    for expected in [
        ("app/Cargo.toml:8", "outdated"),
        ("Cargo.lock:29", "yanked"),
        ("tool/Cargo.toml:9", "outdated"),
    ] {
        assert!(
            found
                .iter()
                .any(|(location, severity, rule)| (location.as_str(), rule.as_str()) == expected
                    && severity == "note"),
            "{expected:?} in {found:?}"
        );
    }
    let itoa = outdated["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["line"] == 8 && f["path"] == "app/Cargo.toml")
        .unwrap();
    assert!(
        itoa["message"]
            .as_str()
            .unwrap()
            .starts_with("itoa ^0.4: locked 0.4.1, newest compatible 0.4.8, newest 1."),
        "{itoa}"
    );
    assert!(outdated["reason"].as_str().unwrap().starts_with("5 direct dependencies: "));

    // Skipped on request, which strict mode accepts.
    let offline = fixture.xtask_env(
        &["preflight", "--only", "outdated", "--format", "json", "--offline"],
        &[("CI", "true")],
    );
    assert_eq!((offline.code, step(&offline)["status"].clone()), (0, Value::from("skipped")));

    fixture.edit(
        "Cargo.toml",
        "[workspace]",
        "[workspace.metadata.launchkit]\noutdated.warn = true\n\n[workspace]",
    );
    let warned = fixture.xtask(&args);
    assert_eq!((warned.code, step(&warned)["status"].clone()), (0, Value::from("warning")));
    let strict = fixture.xtask_env(&args, &[("CI", "true")]);
    assert_eq!((strict.code, step(&strict)["status"].clone()), (1, Value::from("failed")));

    fixture.edit("Cargo.toml", "outdated.warn = true", "outdated.deny = true");
    let denied = fixture.xtask(&args);
    assert_eq!((denied.code, step(&denied)["status"].clone()), (1, Value::from("failed")));
}
