//! preflight's `package` step on a workspace with a registry dependency: packaging and
//! the verification build use the versions Cargo.lock holds (`--locked`, the lock copied
//! into the verification workspace), so a yank or a new release on the registry cannot
//! change the verdict, and a pass is taken from the cache like any other.

use launchkit_testkit::fixture::path_dep;
use launchkit_testkit::{CargoSandbox, Fixture, RegistryServer};

use crate::doctor::publish_dup;
use crate::support::{REGISTRY, Run, TOKEN, base};

#[test]
fn a_package_pass_with_locked_registry_dependencies_is_cached() {
    let registry = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    publish_dup(&registry, &sandbox);
    let tail = "repository = \"https://example.com/user\"\npublish = [\"lk\"]\n\n\
                [dependencies]\ndup = { version = \"0.1\", registry = \"lk\" }\n";
    let fixture = Fixture::builder(base()).member("user", tail).write();
    commit_with_lock(&sandbox, &fixture, "lock file");

    let package = || {
        let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
        command.env_remove("CI").env_remove("GITHUB_ACTIONS");
        command.args(["preflight", "--only", "package", "--format", "json"]);
        let run = Run::checked(command.output().unwrap(), &[TOKEN]);
        let step = run.json()["steps"][0].clone();
        // No release workflow with an identity: the registry is not asked about `user`.
        assert_eq!(step["findings"], serde_json::json!([]), "{run}");
        (step["status"].as_str().unwrap().to_owned(), step["cached"] == true, run)
    };
    let (status, cached, run) = package();
    assert_eq!((status.as_str(), cached), ("passed", false), "{run}");
    let (status, cached, run) = package();
    assert_eq!((status.as_str(), cached), ("passed", true), "{run}");
}

#[test]
fn package_names_new_and_trusted_only_crates_on_every_run_even_from_the_cache() {
    // A repository that releases with trusted publishing (the workflow init writes):
    // `fresh` is new on the registry, `locked` takes only trusted publishing.
    let faults = launchkit_testkit::Faults::none().trustpub_only(&["locked"]);
    let registry = RegistryServer::start_with_faults(base(), faults);
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let tail = "repository = \"https://example.com/r\"\npublish = [\"lk\"]\n";
    let fixture = Fixture::builder(base())
        .member("fresh", tail)
        .member_full("locked", "0.2.0", tail, "//! Locked.\n")
        .write();
    fixture.write(
        ".github/workflows/release.yml",
        include_str!("../../../.github/workflows/release.yml"),
    );
    commit_with_lock(&sandbox, &fixture, "release workflow");
    assert_eq!(registry.upload_raw("locked", "0.1.0"), 200);

    let package = |args: &[&str]| {
        let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
        command.env_remove("CI").env_remove("GITHUB_ACTIONS");
        command.args(["preflight", "--only", "package", "--format", "json"]).args(args);
        let run = Run::checked(command.output().unwrap(), &[TOKEN]);
        let step = run.json()["steps"][0].clone();
        let findings: Vec<String> = step["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                format!("{}: {}", f["severity"].as_str().unwrap(), f["message"].as_str().unwrap())
            })
            .collect();
        (step["status"].as_str().unwrap().to_owned(), step["cached"] == true, findings)
    };
    let expected = [
        "note: `fresh` is not on `lk` yet: its first version needs a token, as trusted publishing cannot create a crate",
        "warning: `locked` takes only trusted publishing on `lk`, and only a token is available here",
    ];
    let (status, cached, findings) = package(&[]);
    assert_eq!((status.as_str(), cached), ("warning", false));
    assert_eq!(findings, expected);
    // The packaging pass comes from the cache; the registry is read again.
    let (status, cached, findings) = package(&[]);
    assert_eq!((status.as_str(), cached), ("warning", true));
    assert_eq!(findings, expected);
    assert_eq!(registry.upload_raw("fresh", "0.1.0"), 200);
    let (_, cached, findings) = package(&[]);
    assert!(cached);
    assert_eq!(findings, expected[1..]);
    // --offline leaves the registry out.
    let (status, _, findings) = package(&["--offline"]);
    assert_eq!((status.as_str(), findings.len()), ("passed", 0));
}

#[test]
fn a_packaged_crate_whose_sources_changed_is_verified_again() {
    // Packaged sources carry one fixed time, so unpacked copies look unchanged to cargo:
    // a change must still rebuild, or a dependent would pass against the old build.
    let tail = "repository = \"https://example.com/r\"\n";
    let user_tail = format!("{tail}\n[dependencies]\n{}\n", path_dep("base", "0.1.0", None));
    let user =
        "//! Fixture crate.\n\n/// Twice base's.\npub fn twice() -> u32 { 2 * base::value() }\n";
    let fixture = Fixture::builder(base())
        .member("base", tail)
        .member_full("user", "0.1.0", &user_tail, user)
        .write();
    let sandbox = CargoSandbox::new(base());
    commit_with_lock(&sandbox, &fixture, "lock file");
    let package = || {
        let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
        command.env_remove("CI").env_remove("GITHUB_ACTIONS");
        command.args(["preflight", "--only", "package", "--no-cache", "--format", "json"]);
        let run = Run::checked(command.output().unwrap(), &[]);
        (run.json()["steps"][0]["status"].as_str().unwrap().to_owned(), run)
    };
    let (status, run) = package();
    assert_eq!(status, "passed", "{run}");

    // `user` calls `base::value()`; `base` no longer has it.
    fixture.write(
        "base/src/lib.rs",
        "//! Fixture crate.\n\n/// Renamed.\npub fn renamed() -> u32 { 1 }\n",
    );
    fixture.commit("rename value");
    let (status, run) = package();
    assert_eq!(status, "failed", "{run}");
    assert!(run.stdout.contains("value"), "{run}");
}

/// Writes Cargo.lock with the sandbox's cargo and commits the fixture with `message`.
fn commit_with_lock(sandbox: &CargoSandbox, fixture: &Fixture, message: &str) {
    let lock = sandbox.cargo(fixture.root()).arg("generate-lockfile").output().unwrap();
    assert!(lock.status.success(), "{}", String::from_utf8_lossy(&lock.stderr));
    fixture.commit(message);
}
