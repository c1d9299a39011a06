//! Runs that must stop before uploading anything, with one clear line.

use launchkit_testkit::fixture::path_dep;
use launchkit_testkit::{CargoSandbox, Faults, Fixture, RegistryServer};

use crate::support::{DIAMOND, REGISTRY, Setup, TOKEN, base};

#[test]
fn a_version_already_there_with_other_content_stops_before_any_upload() {
    let setup = Setup::new(DIAMOND, Faults::none());
    // Someone else published base 0.1.0 from different sources.
    let other = Fixture::builder(base())
        .member_full(
            "base",
            "0.1.0",
            "",
            "//! Other.\n\n/// Other.\npub fn value() -> u32 { 42 }\n",
        )
        .write();
    let output = setup
        .sandbox
        .cargo(other.root())
        .args(["publish", "-p", "base", "--no-verify", "--registry", REGISTRY])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));

    let run = setup.xtask(&["--execute"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stdout.contains("stopped: base@0.1.0 already on `lk` with different content"),
        "{run}"
    );
    assert!(
        run.stdout.contains("not published: base 0.1.0, left 0.1.0, right 0.1.0, top 0.1.0"),
        "{run}"
    );
    assert_eq!(setup.upload_attempts(), 1, "only the other publish reached the registry");
}

#[test]
fn a_missing_token_is_a_clear_error() {
    let setup = Setup::new(DIAMOND, Faults::none());
    let mut command = setup.xtask_command(&["--execute"]);
    command.env_remove("CARGO_REGISTRIES_LK_TOKEN");
    let run = crate::support::Run::checked(command.output().unwrap(), &[crate::support::TOKEN]);
    assert_eq!(run.code, Some(2), "{run}");
    assert_eq!(
        run.stderr,
        "error: no token for registry `lk`: set CARGO_REGISTRIES_LK_TOKEN or run `cargo login --registry lk`\n"
    );
    assert_eq!(setup.upload_attempts(), 0);
}

#[test]
fn an_unknown_registry_is_a_clear_error() {
    let setup = Setup::new(DIAMOND, Faults::none());
    let mut command = setup.sandbox.command(env!("CARGO_BIN_EXE_xtask"), setup.fixture.root());
    command.arg("--manifest-path").arg(setup.fixture.manifest()).args([
        "publish",
        "--registry",
        "nope",
        "--execute",
    ]);
    let run = crate::support::Run::checked(command.output().unwrap(), &[crate::support::TOKEN]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(
        run.stderr.starts_with("error: unknown registry `nope`: add `[registries.nope] index = "),
        "{run}"
    );
    assert_eq!(setup.upload_attempts(), 0);
}

#[test]
fn a_dependency_cycle_is_a_clear_error() {
    let registry = RegistryServer::start_with_faults(base(), Faults::none());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let cycle = |dep: &str| format!("[dependencies]\n{}\n", path_dep(dep, "0.1.0", Some(REGISTRY)));
    let fixture =
        Fixture::builder(base()).member("a", &cycle("b")).member("b", &cycle("a")).write();
    let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
    command.arg("--manifest-path").arg(fixture.manifest()).args([
        "publish",
        "--registry",
        REGISTRY,
        "--execute",
    ]);
    let run = crate::support::Run::checked(command.output().unwrap(), &[crate::support::TOKEN]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.starts_with("error: dependency cycle: a -> b -> a: "), "{run}");
    assert_eq!(registry.proxy().unwrap().upload_attempts(), 0);
}

#[test]
fn a_crate_that_builds_only_with_another_crate_s_features_stops_before_any_upload() {
    // `user` calls `feat::extra()` without enabling `extra`; only `enabler` does. One
    // build of all three unifies the features and passes; on the registry `user` fails.
    let registry = RegistryServer::start_with_faults(base(), Faults::none());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let feat_lib = "//! Fixture crate.\n\n/// A value.\npub fn value() -> u32 { 1 }\n\n/// Only with `extra`.\n#[cfg(feature = \"extra\")]\npub fn extra() -> u32 { 2 }\n";
    let user_lib =
        "//! Fixture crate.\n\n/// Needs `feat/extra`.\npub fn value() -> u32 { feat::extra() }\n";
    let dep = path_dep("feat", "0.1.0", Some(REGISTRY));
    let with_extra = dep.replace(" }", ", features = [\"extra\"] }");
    let fixture = Fixture::builder(base())
        .member_full("feat", "0.1.0", "[features]\nextra = []\n", feat_lib)
        .member_full("user", "0.1.0", &format!("[dependencies]\n{dep}\n"), user_lib)
        .member("enabler", &format!("[dependencies]\n{with_extra}\n"))
        .write();
    let run = publish_execute(&sandbox, &fixture);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stdout.contains("stopped: a packaged crate does not build from its packaged sources; nothing was uploaded: `cargo build -p user --manifest-path"),
        "{run}"
    );
    assert!(run.stderr.contains("cannot find function `extra` in crate `feat`"), "{run}");
    assert_eq!(registry.proxy().unwrap().upload_attempts(), 0, "{run}");
}

#[test]
fn a_path_dependency_without_a_version_is_refused_before_anything_runs() {
    let setup = Setup::new(&[("base", &[])], Faults::none());
    let manifest = std::fs::read_to_string(setup.fixture.root().join("base/Cargo.toml")).unwrap();
    let with_helper = format!("{manifest}helper = {{ path = \"../helper\" }}\n");
    setup.fixture.write("base/Cargo.toml", &with_helper);
    setup.fixture.write(
        "helper/Cargo.toml",
        "[package]\nname = \"helper\"\nversion = \"0.2.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"d\"\npublish = [\"lk\"]\n",
    );
    setup.fixture.write("helper/src/lib.rs", "//! Helper.\n");
    let root = std::fs::read_to_string(setup.fixture.manifest()).unwrap();
    setup.fixture.write("Cargo.toml", &root.replace("\"base\"", "\"base\", \"helper\""));
    setup.fixture.commit("Add helper by path");
    for args in [&[][..], &["--execute"][..]] {
        let run = setup.xtask(args);
        crate::support::assert_refused(
            &run,
            "`base` needs `helper` by path without a version (add `version = \"0.2.0\"` next to its `path`): cargo publishes no path dependency without a version",
        );
    }
    assert_eq!(setup.upload_attempts(), 0);
}

#[test]
fn a_crate_that_builds_only_with_its_own_feature_enabled_by_another_stops_before_any_upload() {
    // `feat` needs its own `extra` feature, which only `enabler` turns on.
    let registry = RegistryServer::start_with_faults(base(), Faults::none());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let feat_lib = "//! Fixture crate.\n\n/// A value.\npub fn value() -> u32 { helper() }\n\n#[cfg(feature = \"extra\")]\nfn helper() -> u32 { 2 }\n";
    let with_extra =
        path_dep("feat", "0.1.0", Some(REGISTRY)).replace(" }", ", features = [\"extra\"] }");
    let fixture = Fixture::builder(base())
        .member_full("feat", "0.1.0", "[features]\nextra = []\n", feat_lib)
        .member("enabler", &format!("[dependencies]\n{with_extra}\n"))
        .write();
    let run = publish_execute(&sandbox, &fixture);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stdout.contains("nothing was uploaded: `cargo build -p launchkit-lone-feat "),
        "{run}"
    );
    assert!(run.stderr.contains("cannot find function `helper`"), "{run}");
    assert_eq!(registry.proxy().unwrap().upload_attempts(), 0, "{run}");
}

/// `publish --registry lk --execute` on `fixture`, with `sandbox`'s cargo home.
fn publish_execute(sandbox: &CargoSandbox, fixture: &Fixture) -> crate::support::Run {
    let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
    command.arg("--manifest-path").arg(fixture.manifest()).args([
        "publish",
        "--registry",
        REGISTRY,
        "--execute",
    ]);
    crate::support::Run::checked(command.output().unwrap(), &[TOKEN])
}
