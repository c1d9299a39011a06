//! `cargo xtask yank` against the real registry: the index shows the yank, a fresh project
//! cannot resolve the version (cargo's own error), `--undo` brings it back, a second yank
//! changes nothing, `--hotfix` starts the patch branch; bad input changes nothing.

use std::process::Command;

use launchkit_testkit::{Fault, Faults, Route, Silent, TempDir};

use crate::support::{GIT_ID, Setup, assert_refused, base, git};

/// base <- top.
const PAIR: &[(&str, &[&str])] = &[("base", &[]), ("top", &["base"])];

/// The registry every run uses: production's, overridden.
const ENV: &[(&str, &str)] = &[("LAUNCHKIT_REGISTRY", "lk")];

/// [`ENV`] with a git identity for the records and commits.
fn env() -> Vec<(&'static str, &'static str)> {
    [ENV, GIT_ID].concat()
}

/// The yanked flag of each version of `name`, from the server itself.
fn yanked(setup: &Setup, name: &str) -> Vec<bool> {
    let file = setup.registry.index_file(name).unwrap_or_default();
    file.lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["yanked"] == true)
        .collect()
}

/// A fresh project that depends on `top = "=0.1.0"` from the registry: cargo's own
/// resolution, as a user would hit it.
fn resolve_top(setup: &Setup) -> std::process::Output {
    let project = TempDir::new(base(), "consumer");
    let manifest = "[package]\nname = \"consumer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[dependencies]\ntop = { version = \"=0.1.0\", registry = \"lk\" }\n\n[workspace]\n";
    std::fs::write(project.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(project.path().join("src")).unwrap();
    std::fs::write(project.path().join("src/lib.rs"), "").unwrap();
    setup.sandbox.cargo(project.path()).arg("generate-lockfile").output().unwrap()
}

/// The deployment log's records on `rev`.
fn records(setup: &Setup, rev: &str) -> Vec<serde_json::Value> {
    let dir = setup.fixture.root();
    let output = Command::new("git")
        .current_dir(dir)
        .args(["notes", "--ref=refs/notes/launchkit", "show", rev])
        .output()
        .unwrap();
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn yank_requests(setup: &Setup) -> usize {
    let exchanges = setup.registry.proxy().unwrap().exchanges();
    exchanges.iter().filter(|exchange| exchange.path.ends_with("yank")).count()
}

/// A published pair, tagged `v0.1.0`, behind a proxy with `faults`.
fn published(faults: Faults) -> Setup {
    let setup = Setup::new(PAIR, faults);
    setup.fixture.write(
        "CHANGELOG.md",
        "# Changelog\n\n## [Unreleased]\n\n## [0.1.0] - 2024-05-01\n\n### Added\n\n- The pair.\n",
    );
    setup.fixture.commit("changelog");
    setup.xtask(&["--execute"]).success();
    // What the publish wrote (Cargo.lock) is committed, as a release commits it.
    git(setup.fixture.root(), &["add", "-A"]);
    git(setup.fixture.root(), &["commit", "-q", "--allow-empty", "-m", "after publish"]);
    git(setup.fixture.root(), &["tag", "v0.1.0"]);
    setup
}

#[test]
fn a_yank_hides_the_release_undo_restores_it_and_a_second_yank_changes_nothing() {
    // The first yank request is told to wait (429), the third refused (403).
    let faults = Faults::none()
        .on(Route::Yank, 1, Fault::Status { status: 429, retry_after: Some(1) })
        .on(Route::Yank, 3, Fault::Status { status: 403, retry_after: None });
    let setup = published(faults);
    let plan = setup.task(&["yank", "0.1.0"], &env()).success();
    let lines: Vec<&str> = plan.stdout.lines().collect();
    assert_eq!(lines[0], "yank 0.1.0 on `lk`, dependents first:", "{plan}");
    assert!(
        lines[1].contains("top")
            && lines[1].ends_with("cargo yank --version 0.1.0 --registry lk top"),
        "{plan}"
    );
    assert!(lines[2].contains("base"), "dependents first: {plan}");
    assert_eq!(
        (yanked(&setup, "base"), yank_requests(&setup)),
        (vec![false], 0),
        "a dry run yanks nothing"
    );

    let args = ["yank", "0.1.0", "--execute", "--reason", "breaks on Windows"];
    let stopped = setup.task(&args, &env());
    assert_eq!(stopped.code, Some(1), "{stopped}");
    assert!(
        stopped.stderr.contains("rate limited (HTTP 429): retrying in 1s, as the registry asked"),
        "{stopped}"
    );
    assert!(stopped.stderr.contains("stopped: base 0.1.0: "), "{stopped}");
    assert!(stopped.stderr.contains("403"), "{stopped}");
    assert_eq!((yanked(&setup, "base"), yanked(&setup, "top")), (vec![false], vec![true]));
    let run = setup.task(&args, &env()).success();
    assert!(run.stdout.contains("skip    already yanked"), "top is done: {run}");
    assert_eq!((yanked(&setup, "base"), yanked(&setup, "top")), (vec![true], vec![true]));
    let refused = resolve_top(&setup);
    let cargo_said = String::from_utf8_lossy(&refused.stderr);
    assert!(
        !refused.status.success()
            && cargo_said
                .contains("failed to select a version for the requirement `top = \"=0.1.0\"`"),
        "{cargo_said}"
    );
    assert!(cargo_said.contains("yanked"), "{cargo_said}");
    // One record per run that yanked something, each naming what it yanked.
    let log = records(&setup, "v0.1.0");
    let yanked_by = |record: &serde_json::Value| {
        let crates = record["crates"].as_array().unwrap();
        crates.iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect::<Vec<_>>()
    };
    assert_eq!(log.iter().map(yanked_by).collect::<Vec<_>>(), [["top"], ["base"]], "{log:?}");
    assert!(log.iter().all(|record| record["action"] == "yank"
        && record["reason"] == "breaks on Windows"
        && record["environment"] == "production"));

    let requests = yank_requests(&setup);
    let again = setup.task(&["yank", "0.1.0", "--execute"], &env()).success();
    assert!(
        again.stdout.lines().filter(|line| line.ends_with("skip    already yanked")).count() == 2,
        "{again}"
    );
    assert_eq!(yank_requests(&setup), requests, "a second yank sends nothing");
    assert_eq!(records(&setup, "v0.1.0").len(), 2, "and records nothing");

    setup.task(&["yank", "0.1.0", "--undo", "--execute", "-p", "top,base"], &env()).success();
    assert_eq!((yanked(&setup, "base"), yanked(&setup, "top")), (vec![false], vec![false]));
    assert!(resolve_top(&setup).status.success(), "a fresh project resolves it again");
    assert_eq!(records(&setup, "v0.1.0")[2]["action"], "unyank");
}

#[test]
fn a_hotfix_branches_from_the_tag_bumped_with_a_fixed_section() {
    let setup = published(Faults::none());
    let root = setup.fixture.root();
    let run =
        setup.task(&["yank", "0.1.0", "-p", "top", "--hotfix", "--execute"], &env()).success();
    assert_eq!(
        (yanked(&setup, "top"), yanked(&setup, "base")),
        (vec![true], vec![false]),
        "-p yanks only top"
    );
    assert_eq!(git(root, &["symbolic-ref", "--short", "HEAD"]).trim(), "hotfix/0.1.1");
    assert_eq!(git(root, &["log", "-1", "--format=%s"]).trim(), "chore: start hotfix 0.1.1");
    assert_eq!(git(root, &["status", "--porcelain"]), "", "everything is committed");
    let manifest = std::fs::read_to_string(root.join("top/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("version = \"0.1.1\"")
            && manifest.contains("base = { path = \"../base\", version = \"0.1.1\""),
        "{manifest}"
    );
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    assert!(changelog.contains("## [Unreleased]\n\n### Fixed\n\n## [0.1.0]"), "{changelog}");
    assert!(run.stdout.contains("next steps on hotfix/0.1.1:\n"), "{run}");
    assert!(
        run.stdout.contains(
            "  2. cargo xtask release patch --execute\n  3. git switch main && git merge hotfix/0.1.1"
        ),
        "{run}"
    );

    // Run again: the branch is there, top is yanked: nothing changes.
    let head = git(root, &["rev-parse", "HEAD"]);
    let again =
        setup.task(&["yank", "0.1.0", "-p", "top", "--hotfix", "--execute"], &env()).success();
    assert!(again.stdout.contains("hotfix: branch hotfix/0.1.1 exists already"), "{again}");
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);

    // Another environment, whose `branches` take no hotfix branch: the release step names
    // both, and allows the branch for that one run.
    let staging = [env(), vec![("LAUNCHKIT_BRANCHES", "trunk")]].concat();
    let args = ["yank", "0.1.0", "-p", "top", "--hotfix", "--env", "staging", "--execute"];
    let other = setup.task(&args, &staging).success();
    assert!(
        other.stdout.contains(
            "  2. LAUNCHKIT_BRANCHES=hotfix/0.1.1 cargo xtask release patch --env staging --execute\n  3. git switch trunk && git merge hotfix/0.1.1"
        ),
        "{other}"
    );
}

#[test]
fn bad_input_is_one_line_and_changes_nothing() {
    let setup = published(Faults::none());
    let root = setup.fixture.root();
    git(root, &["tag", "-d", "v0.1.0"]);
    let before = (
        git(root, &["rev-parse", "HEAD"]),
        git(root, &["status", "--porcelain"]),
        setup.registry.index_file("top"),
    );
    let silent = Silent::start();
    let dead_index = format!("sparse+{}/", silent.url());
    let refused = |args: &[&str], extra: &[(&str, &str)], expected: &str| {
        let mut all_env = env();
        all_env.extend(extra);
        assert_refused(&setup.task(&[&["yank"], args].concat(), &all_env), expected);
    };
    refused(&["0.9.0"], &[], "0.9.0 was never released to `lk`");
    refused(
        &["0.1.0", "-p", "nope"],
        &[],
        "unknown crate `nope`: -p takes a crate released to `lk`: top, base",
    );
    refused(&["0.1.0", "--hotfix"], &[], "tag `v0.1.0` does not exist");
    let no_token = [("CARGO_REGISTRIES_LK_TOKEN", "")];
    refused(&["0.1.0", "--execute"], &no_token, "no token for registry `lk`");
    refused(&["1.x"], &[], "`1.x` is not a SemVer version X.Y.Z");
    refused(&["0.1.0", "--env", "moon"], &[], "unknown environment `moon`");
    // A release (this test, as the system sees it) holds the lock.
    let path = root.join(".git/launchkit/release.lock");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let holder = r#"{"pid":4242,"host":"ci-7","started":"2025-06-02T09:00:00Z","command":"cargo xtask release minor --execute"}"#;
    std::fs::write(&path, holder).unwrap();
    let lock = std::fs::File::open(&path).unwrap();
    lock.lock().unwrap();
    refused(&["0.1.0", "--execute"], &[], "another release is running (process 4242 on ci-7");
    drop(lock);
    std::fs::remove_file(&path).unwrap();
    let dead = [
        ("LAUNCHKIT_REGISTRY", "dead"),
        ("CARGO_REGISTRIES_DEAD_INDEX", dead_index.as_str()),
        ("CARGO_HTTP_TIMEOUT", "1"),
    ];
    refused(&["0.1.0"], &dead, "cannot read the index of `dead`: cannot reach http://127.0.0.1:");
    let after = (
        git(root, &["rev-parse", "HEAD"]),
        git(root, &["status", "--porcelain"]),
        setup.registry.index_file("top"),
    );
    assert_eq!(before, after);
    assert_eq!(yank_requests(&setup), 0);
}

#[test]
fn a_hotfix_that_cannot_be_prepared_leaves_the_repository_as_it_was() {
    let setup = published(Faults::none());
    let root = setup.fixture.root();
    // The tag marks a commit whose version is already 0.1.1: the bump to 0.1.1 fails.
    let manifest = std::fs::read_to_string(root.join("top/Cargo.toml")).unwrap();
    setup.fixture.write(
        "top/Cargo.toml",
        &manifest.replacen("version = \"0.1.0\"", "version = \"0.1.1\"", 1),
    );
    git(root, &["commit", "-q", "-am", "mistagged"]);
    git(root, &["tag", "-f", "v0.1.0"]);
    let head = git(root, &["rev-parse", "HEAD"]);

    let run = setup.task(&["yank", "0.1.0", "-p", "base", "--hotfix", "--execute"], &env());
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.contains(
            "the hotfix stopped; branch hotfix/0.1.1 is removed and you are back on main"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("0.1.1 is not above the current version 0.1.1"), "{run}");
    assert_eq!(git(root, &["rev-parse", "HEAD"]), head);
    assert_eq!(git(root, &["symbolic-ref", "--short", "HEAD"]).trim(), "main");
    assert_eq!(git(root, &["status", "--porcelain"]), "");
    assert_eq!(git(root, &["branch", "--list", "hotfix/*"]), "");
    assert_eq!(yanked(&setup, "base"), [true], "the yank itself is done, and recorded");
    assert_eq!(records(&setup, "v0.1.0").len(), 1);
}
