//! The normal paths: plan, publish in order, install from the registry, resume after a kill.

use std::process::Stdio;
use std::time::{Duration, Instant};

use launchkit_testkit::Faults;

use crate::support::{REGISTRY, SIX, Setup, states};

#[test]
fn a_chain_and_diamond_publish_in_order_and_a_fresh_project_builds_on_them() {
    let setup = Setup::new(SIX, Faults::none());

    let plan = setup.xtask(&[]).success();
    assert!(plan.stdout.contains("batch 3: left, right\n"), "{plan}");
    assert!(plan.stdout.contains("upload: app 0.1.0"), "{plan}");
    assert!(plan.stdout.contains("dry run: nothing was uploaded"), "{plan}");
    assert_eq!(setup.upload_attempts(), 0, "a dry run uploads nothing");

    let run = setup.xtask(&["--execute", "--format", "json"]).success();
    let report = run.json();
    assert_eq!(report["status"], "published");
    assert_eq!(
        report["batches"],
        serde_json::json!([["core"], ["util"], ["left", "right"], ["top"], ["app"]])
    );
    assert!(
        states(&report).iter().all(|(_, state, attempts)| state == "uploaded" && *attempts == 1),
        "{run}"
    );
    setup.assert_published_once(SIX);
    setup.assert_dependency_order(SIX);

    // A new project depends on the top crate through the registry alone.
    let consumer = launchkit_testkit::TempDir::new(crate::support::base(), "consumer");
    let cargo = |args: &[&str]| {
        let output = setup.sandbox.cargo(consumer.path()).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "cargo {args:?}:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    // Written by hand rather than with `cargo init`, which would join the enclosing workspace.
    let manifest =
        "[package]\nname = \"consumer\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n";
    std::fs::write(consumer.path().join("Cargo.toml"), manifest).unwrap();
    std::fs::create_dir(consumer.path().join("src")).unwrap();
    std::fs::write(consumer.path().join("src/lib.rs"), "pub fn total() -> u32 { app::value() }\n")
        .unwrap();
    cargo(&["add", "app", "--registry", REGISTRY]);
    cargo(&["build"]);
}

#[cfg(unix)]
#[test]
fn a_publish_killed_after_the_second_upload_resumes_without_duplicates() {
    use std::os::unix::process::CommandExt;

    let setup = Setup::new(SIX, Faults::none());
    let proxy = setup.registry.proxy().unwrap();
    // Its own process group, so the kill takes the cargo it is running too, as a
    // cancelled CI job or Ctrl-C would.
    let mut command = setup.xtask_command(&["--execute"]);
    command.process_group(0).stdout(Stdio::null()).stderr(Stdio::null());
    let mut child = command.spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while proxy.uploads().len() < 2 {
        assert!(Instant::now() < deadline, "no second upload");
        assert!(child.try_wait().unwrap().is_none(), "the publish ended before its second upload");
        std::thread::sleep(Duration::from_millis(5));
    }
    let group = format!("-{}", child.id());
    assert!(
        std::process::Command::new("kill")
            .args(["-KILL", "--", &group])
            .status()
            .unwrap()
            .success()
    );
    child.wait().unwrap();
    let before = proxy.uploads().len();
    assert!(before < SIX.len(), "the kill interrupted the publish ({before} uploads)");

    let run = setup.xtask(&["--execute"]).success();
    assert!(run.stdout.contains("already published"), "{run}");
    setup.assert_published_once(SIX);
    setup.assert_dependency_order(SIX);
}

#[test]
fn a_fix_commit_after_a_partial_publish_does_not_block_resuming() {
    let setup = Setup::new(crate::support::DIAMOND, Faults::none());
    // base went up from this commit, then the publish stopped and a fix was committed.
    let output = setup
        .sandbox
        .cargo(setup.fixture.root())
        .args(["publish", "-p", "base", "--no-verify", "--registry", REGISTRY])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    setup.fixture.write("top/README.md", "The fix.\n");
    setup.fixture.commit("Fix top's readme");

    let run = setup.xtask(&["--execute", "--format", "json"]).success();
    let report = run.json();
    assert_eq!(states(&report)[0], ("base".to_owned(), "already-published".to_owned(), 0));
    assert_eq!(report["crates"][0]["note"], "published from another commit; its contents match");
    setup.assert_published_once(crate::support::DIAMOND);
}

#[test]
fn a_dependency_locked_at_a_version_since_yanked_verifies_as_cargo_package_does() {
    let setup = Setup::new(&[("user", &[])], Faults::none());
    // `old` 1.0.0 is on the registry, locked in the workspace's Cargo.lock, then yanked:
    // a fresh resolution finds nothing for `old = "1.0.0"`, the lock still has it.
    let old = launchkit_testkit::Fixture::builder(crate::support::base()).member("old", "").write();
    let cargo = |dir: &std::path::Path, args: &[&str]| {
        let output = setup.sandbox.cargo(dir).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "cargo {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    let old_manifest = std::fs::read_to_string(old.root().join("old/Cargo.toml")).unwrap();
    old.write("old/Cargo.toml", &old_manifest.replace("0.1.0", "1.0.0"));
    old.commit("1.0.0");
    cargo(old.root(), &["publish", "-p", "old", "--no-verify", "--registry", REGISTRY]);
    let manifest = std::fs::read_to_string(setup.fixture.root().join("user/Cargo.toml")).unwrap();
    setup.fixture.write(
        "user/Cargo.toml",
        &format!("{manifest}old = {{ version = \"1.0.0\", registry = \"{REGISTRY}\" }}\n"),
    );
    cargo(setup.fixture.root(), &["generate-lockfile"]);
    setup.fixture.commit("Depend on old");
    cargo(old.root(), &["yank", "old@1.0.0", "--registry", REGISTRY]);

    let run = setup.xtask(&["--execute", "--format", "json"]).success();
    assert_eq!(states(&run.json())[0], ("user".to_owned(), "uploaded".to_owned(), 1));
    assert_eq!(setup.registry.versions("user"), ["0.1.0"]);
}

#[test]
fn a_dev_dependency_never_downloaded_does_not_stop_the_verification() {
    // The combined build downloads no dev-dependency; reading the dependency graph for
    // per-crate features must fetch what it lacks rather than fail offline.
    let setup = Setup::new(&[("user", &[])], Faults::none());
    let helper =
        launchkit_testkit::Fixture::builder(crate::support::base()).member("helper", "").write();
    let output = setup
        .sandbox
        .cargo(helper.root())
        .args(["publish", "-p", "helper", "--no-verify", "--registry", REGISTRY])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let manifest = std::fs::read_to_string(setup.fixture.root().join("user/Cargo.toml")).unwrap();
    setup.fixture.write(
        "user/Cargo.toml",
        &format!("{manifest}\n[dev-dependencies]\nhelper = {{ version = \"0.1.0\", registry = \"{REGISTRY}\" }}\n"),
    );
    setup.fixture.commit("Test with helper");

    let run = setup.xtask(&["--execute", "--format", "json"]).success();
    assert_eq!(states(&run.json())[0], ("user".to_owned(), "uploaded".to_owned(), 1));
}

#[test]
fn a_yanked_crate_published_from_another_commit_keeps_both_notes() {
    let setup = Setup::new(&[("solo", &[])], Faults::none());
    let cargo = |args: &[&str]| {
        let output = setup.sandbox.cargo(setup.fixture.root()).args(args).output().unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    };
    cargo(&["publish", "-p", "solo", "--no-verify", "--registry", REGISTRY]);
    cargo(&["yank", "solo@0.1.0", "--registry", REGISTRY]);
    setup.fixture.write("NOTES.md", "A fix outside the package.\n");
    setup.fixture.commit("Fix");

    let report = setup.xtask(&["--execute", "--format", "json"]).success().json();
    assert_eq!(states(&report)[0], ("solo".to_owned(), "already-published".to_owned(), 0));
    assert_eq!(
        report["crates"][0]["note"],
        "published from another commit; its contents match; yanked on the registry; `cargo yank --undo` brings it back"
    );
}

#[cfg(unix)]
#[test]
fn crates_lent_features_are_verified_in_one_build_by_one_process_per_step() {
    // c1 <- c2 <- c3, each enabling `extra` of the one before: c1 and c2 must also build
    // with only their own features. Their renamed copies join the one verification build,
    // and every step is one process: the workspace is read once, one `tar` unpacks all.
    // The crates depend only on each other, so their graph is read for no platform.
    use launchkit_testkit::fixture::path_dep;
    use launchkit_testkit::{CargoSandbox, Fixture, RegistryServer, TempDir};
    use std::os::unix::fs::PermissionsExt;

    let registry = RegistryServer::start(crate::support::base());
    let bin = TempDir::new(crate::support::base(), "logged-tools");
    let log = bin.path().join("log");
    // `cargo` and `tar` that log their arguments, then run the real ones.
    let logged = |name: &str, real: &str, logged: &str| {
        let script =
            format!("#!/bin/sh\necho {logged} >> '{}'\nexec '{real}' \"$@\"\n", log.display());
        let path = bin.path().join(name);
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path.display().to_string()
    };
    let path = std::env::var("PATH").unwrap();
    let tar = std::env::split_paths(&path).map(|dir| dir.join("tar")).find(|tar| tar.is_file());
    logged("tar", &tar.expect("tar on PATH").display().to_string(), "tar");
    let real = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let cargo = logged("cargo", &real, "\"$*\"");
    let sandbox = CargoSandbox::new(crate::support::base())
        .registry(REGISTRY, &registry.index_url(), Some(crate::support::TOKEN))
        .env("CARGO", &cargo)
        .env("PATH", &format!("{}:{path}", bin.path().display()));
    let mut builder = Fixture::builder(crate::support::base());
    for (name, previous) in [("c1", None), ("c2", Some("c1")), ("c3", Some("c2"))] {
        let dep = previous.map(|previous| {
            let dep = path_dep(previous, "0.1.0", Some(REGISTRY));
            format!("[dependencies]\n{}\n", dep.replace(" }", ", features = [\"extra\"] }"))
        });
        let tail = format!("{}\n[features]\nextra = []\n", dep.unwrap_or_default());
        builder = builder.member(name, &tail);
    }
    let fixture = builder.write();
    let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
    command.args(["publish", "--registry", REGISTRY, "--execute", "--format", "json"]);
    let run = crate::support::Run::checked(command.output().unwrap(), &[crate::support::TOKEN]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(registry.versions("c3"), ["0.1.0"]);
    let calls = std::fs::read_to_string(&log).unwrap();
    let calls: Vec<&str> = calls.lines().map(|call| call.split(' ').next().unwrap()).collect();
    // The uploads are launchkit's own requests, not processes.
    assert_eq!(calls, ["metadata", "package", "tar", "metadata", "build"], "{run}");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(!log.contains("--filter-platform"), "{log}");
    let manifest = fixture.root().join("target/package/launchkit-verify/Cargo.toml");
    let manifest = std::fs::read_to_string(manifest).unwrap();
    assert!(manifest.contains("\"lone-c1-0.1.0\", \"lone-c2-0.1.0\"]"), "{manifest}");
}
