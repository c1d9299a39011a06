//! `cargo xtask doctor` on a workspace with every problem it knows, one of each, and on a
//! healthy one.

use std::process::Output;

use launchkit_testkit::{CargoSandbox, Faults, Fixture, RegistryServer};

use crate::support::{REGISTRY, Run, Setup, TOKEN, assert_report_schema, base};

/// The registry from production's settings, and no token.
const NO_TOKEN: &[(&str, &str)] =
    &[("LAUNCHKIT_REGISTRY", REGISTRY), ("CARGO_REGISTRIES_LK_TOKEN", "")];

fn check(output: Output) {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
}

/// `dup` 0.1.0 and 0.2.0 on the registry, published by cargo.
pub fn publish_dup(registry: &RegistryServer, sandbox: &CargoSandbox) {
    let dup = Fixture::builder(base()).member("dup", "").write();
    let publish = || {
        let mut cargo = sandbox.cargo(dup.root());
        check(
            cargo
                .args(["publish", "--no-verify", "--registry", REGISTRY, "-p", "dup"])
                .output()
                .unwrap(),
        );
    };
    publish();
    let manifest = std::fs::read_to_string(dup.root().join("dup/Cargo.toml")).unwrap();
    dup.write("dup/Cargo.toml", &manifest.replace("0.1.0", "0.2.0"));
    dup.commit("0.2.0");
    publish();
    assert_eq!(registry.versions("dup"), ["0.1.0", "0.2.0"]);
}

/// `(step, status)` of each step and the message of each finding.
fn report(run: &Run) -> (Vec<(String, String)>, Vec<String>) {
    let json = run.json();
    assert_report_schema(&json);
    let steps = json["steps"].as_array().unwrap();
    let statuses = steps
        .iter()
        .map(|s| (s["name"].as_str().unwrap().to_owned(), s["status"].as_str().unwrap().to_owned()))
        .collect();
    let messages = steps
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap())
        .map(|f| f["message"].as_str().unwrap().to_owned())
        .collect();
    (statuses, messages)
}

#[test]
fn doctor_names_each_problem_with_its_fix() {
    let registry = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    publish_dup(&registry, &sandbox);
    let lib = "//! Fixture crate.\n\n/// A value.\npub fn value() -> u32 { 1 }\n";
    let fixture = Fixture::builder(base())
        .member_full(
            "solid",
            "0.1.0",
            "[dependencies]\ndup = { version = \"0.1\", registry = \"lk\" }\n",
            lib,
        )
        .member_full(
            "leaky",
            "0.1.0",
            "[dependencies]\ndup = { version = \"0.2\", registry = \"lk\" }\n",
            lib,
        )
        .member_full(
            "broken-docs",
            "0.1.0",
            "",
            "//! Docs.\n\n/// Like [`nothing_here`].\npub fn f() {}\n",
        )
        .member("taken", "")
        .member("solo", "")
        .member_full(
            "packless",
            "0.1.0",
            "exclude = [\"data.txt\"]\n",
            "//! Data.\n\n/// It.\npub const DATA: &str = include_str!(\"../data.txt\");\n",
        )
        .write();
    fixture.write("leaky/Cargo.toml", "[package]\nname = \"leaky\"\nversion = \"0.1.0\"\nedition = \"2021\"\nlicense = \"MIT\"\n\n[dependencies]\ndup = { version = \"0.2\", registry = \"lk\" }\n");
    fixture.write("leaky/.env", "API_KEY=hunter2\n");
    fixture.write("packless/data.txt", "data\n");
    // A release workflow started by another workflow's run, with no identity.
    fixture.write(
        ".github/workflows/release.yml",
        "on:\n  workflow_run:\n    workflows: [ci]\npermissions:\n  contents: write\njobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo xtask release patch --execute\n",
    );
    fixture.commit("problems");
    // solid 0.1.0 was released from here; `taken` belongs to someone else.
    crate::support::git(fixture.root(), &["tag", "-a", "v0.1.0", "-m", "v0.1.0"]);
    // solo was released on its own (independent versioning tags `name-vX.Y.Z`).
    crate::support::git(fixture.root(), &["tag", "solo-v0.0.9"]);
    fixture.write("notes.txt", "not committed\n");
    assert_eq!(registry.upload_raw("solid", "0.1.0"), 200);
    assert_eq!(registry.upload_raw("taken", "0.3.0"), 200);
    assert_eq!(registry.upload_raw("solo", "0.0.9"), 200);
    let setup = Setup { registry, sandbox, fixture };

    let human = setup.task(&["doctor"], NO_TOKEN);
    assert!(human.stdout.contains("\n  token failed: no token for registry `lk`\n"), "{human}");
    let run = setup.task(&["doctor", "--format", "json"], NO_TOKEN);
    assert_eq!(run.code, Some(1), "{run}");
    let (statuses, messages) = report(&run);
    let names: Vec<&str> = statuses.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "token",
            "workflow",
            "changes",
            "published",
            "trusted",
            "package",
            "docs",
            "duplicates",
            "build"
        ]
    );
    let has = |expected: &str| messages.iter().any(|message| message.starts_with(expected));
    for expected in [
        "no token for registry `lk`",
        ".github/workflows/release.yml is started by `workflow_run`",
        "job `release` of .github/workflows/release.yml has no `id-token: write` permission",
        "untracked: notes.txt",
        "`solid` 0.1.0 is already on `lk`",
        "name taken: `taken` on `lk` is another crate (versions 0.3.0, none with a release tag here)",
        "`leaky` has no `description`",
        "`leaky` would ship .env",
        "`solid` has no `repository`",
        "unresolved link to `nothing_here`",
        "`dup` is built in 2 versions: 0.1.0 (for solid), 0.2.0 (for leaky)",
        "`packless` does not build from its packaged sources",
    ] {
        assert!(has(expected), "{expected:?} in {messages:#?}");
    }
    assert!(!messages.iter().any(|message| message.contains("`solo` on")), "{messages:#?}");
    let failed: Vec<&str> = statuses
        .iter()
        .filter(|(_, status)| status == "failed")
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(
        failed,
        ["token", "workflow", "changes", "published", "package", "docs", "build"],
        "{run}"
    );
    assert_eq!(statuses[7].1, "warning", "duplicates slow builds down; they do not stop a publish");
    let fixes = run.json()["steps"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["findings"].as_array().unwrap().clone())
        .all(|f| f["fix"].is_string());
    assert!(fixes, "every finding says how to fix it: {run}");
}

#[test]
fn a_large_file_the_source_includes_is_not_flagged() {
    let registry = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let lib = "//! Assets.\n\n/// The logo.\npub static LOGO: &[u8] = include_bytes!(\"../data/logo.bin\");\n";
    let fixture = Fixture::builder(base())
        .member_full("assets", "0.1.0", "repository = \"https://example.com/a\"\n", lib)
        .write();
    // Two binary files over 1 MiB: one the source includes, one it does not.
    let binary = vec![0u8; 3 << 19];
    std::fs::create_dir_all(fixture.root().join("assets/data")).unwrap();
    std::fs::write(fixture.root().join("assets/data/logo.bin"), &binary).unwrap();
    std::fs::write(fixture.root().join("assets/data/stray.bin"), &binary).unwrap();
    fixture.commit("assets");
    let setup = Setup { registry, sandbox, fixture };
    let run = setup.task(&["doctor", "--format", "json"], &[("LAUNCHKIT_REGISTRY", REGISTRY)]);
    let (_, messages) = report(&run);
    assert_eq!(
        messages,
        [
            "`assets` is not on `lk` yet: its first version needs a token, as trusted publishing cannot create a crate",
            "`assets` would ship data/stray.bin: a large binary file (1.5 MiB)"
        ],
        "{run}"
    );
}

#[test]
fn one_version_built_twice_is_not_a_duplicate() {
    // `dup` is built for the library with feature `x` and for the build script without:
    // `cargo tree -d` lists it twice, at one version.
    let registry = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let dep = launchkit_testkit::fixture::path_dep("dup", "0.1.0", None);
    let with_x = dep.replace(" }", ", features = [\"x\"] }");
    let fixture = Fixture::builder(base())
        .member("dup", "[features]\nx = []\n")
        .member("app", &format!("[dependencies]\n{with_x}\n\n[build-dependencies]\n{dep}\n"))
        .write();
    fixture.write("app/build.rs", "fn main() {}\n");
    fixture.commit("build script");
    let setup = Setup { registry, sandbox, fixture };
    let run = setup.task(&["doctor", "--format", "json"], &[("LAUNCHKIT_REGISTRY", REGISTRY)]);
    let (statuses, messages) = report(&run);
    assert!(statuses.contains(&("duplicates".to_owned(), "passed".to_owned())), "{statuses:?}");
    assert!(!messages.iter().any(|message| message.contains("built in")), "{messages:#?}");
}

#[test]
fn a_healthy_workspace_has_nothing_to_report() {
    let registry = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let fixture = Fixture::builder(base())
        .member("fine", "repository = \"https://example.com/fine\"\n")
        .write();
    let setup = Setup { registry, sandbox, fixture };
    let run = setup.task(&["doctor", "--format", "json"], &[("LAUNCHKIT_REGISTRY", REGISTRY)]);
    assert_eq!(run.code, Some(0), "{run}");
    let (statuses, messages) = report(&run);
    assert!(statuses.iter().all(|(_, status)| status == "passed"), "{statuses:?}");
    // Worth knowing, not a problem: the first version goes up with the token.
    assert_eq!(
        messages,
        [
            "`fine` is not on `lk` yet: its first version needs a token, as trusted publishing cannot create a crate"
        ]
    );

    // The same from a member's source folder, without --manifest-path (cargo wrote the
    // Cargo.lock the fixture lacked: commit it, as a user would).
    setup.fixture.commit("lock file");
    let inside = setup.fixture.root().join("fine/src");
    let mut command = setup.sandbox.command(env!("CARGO_BIN_EXE_xtask"), &inside);
    command.env_remove("CI").env_remove("GITHUB_ACTIONS").env("LAUNCHKIT_REGISTRY", REGISTRY);
    let run =
        Run::checked(command.args(["doctor", "--format", "json"]).output().unwrap(), &[TOKEN]);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(report(&run).0, statuses, "{run}");
}

#[test]
fn doctor_never_rewrites_a_stale_cargo_lock() {
    let registry = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    let fixture = Fixture::builder(base())
        .member("fine", "repository = \"https://example.com/fine\"\n")
        .member("extra", "repository = \"https://example.com/extra\"\n")
        .write();
    check(sandbox.cargo(fixture.root()).arg("generate-lockfile").output().unwrap());
    fixture.commit("lock file");
    // `fine` now needs `extra`, which Cargo.lock does not say yet.
    let manifest = std::fs::read_to_string(fixture.root().join("fine/Cargo.toml")).unwrap();
    let dep = launchkit_testkit::fixture::path_dep("extra", "0.1.0", None);
    fixture.write("fine/Cargo.toml", &format!("{manifest}\n[dependencies]\n{dep}\n"));
    fixture.commit("fine needs extra");
    let lock = std::fs::read_to_string(fixture.root().join("Cargo.lock")).unwrap();

    let setup = Setup { registry, sandbox, fixture };
    let run = setup.task(&["doctor", "--format", "json"], &[("LAUNCHKIT_REGISTRY", REGISTRY)]);
    let (statuses, _) = report(&run);
    assert!(statuses.contains(&("duplicates".to_owned(), "failed".to_owned())), "{run}");
    assert!(run.stdout.contains("cargo update --workspace"), "{run}");
    let after = std::fs::read_to_string(setup.fixture.root().join("Cargo.lock")).unwrap();
    assert_eq!(after, lock, "doctor rewrote Cargo.lock");
}

#[test]
fn doctor_says_what_trusted_publishing_cannot_do() {
    // `locked` is on the registry and its owners allow only trusted publishing (the
    // crate API says `trustpub_only`); `fresh` is not on the registry yet.
    let registry =
        RegistryServer::start_with_faults(base(), Faults::none().trustpub_only(&["locked"]));
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    assert_eq!(registry.upload_raw("locked", "0.1.0"), 200);
    let repository = "repository = \"https://example.com/r\"\n";
    let fixture = Fixture::builder(base())
        .member("fresh", repository)
        .member_full("locked", "0.2.0", repository, "//! Locked.\n")
        .write();
    let setup = Setup { registry, sandbox, fixture };
    let trusted_step = |env: &[(&str, &str)]| {
        let run = setup.task(&["doctor", "--format", "json"], env);
        let json = run.json();
        let step = json["steps"].as_array().unwrap().iter().find(|s| s["name"] == "trusted");
        let step = step.unwrap().clone();
        let findings: Vec<(String, String, String)> = step["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let text = |key: &str| f[key].as_str().unwrap_or_default().to_owned();
                (text("severity"), text("path"), text("message"))
            })
            .collect();
        (step["status"].as_str().unwrap().to_owned(), findings)
    };

    // Only the token: `locked` would be refused, `fresh` goes up with it.
    let (status, findings) = trusted_step(&[("LAUNCHKIT_REGISTRY", REGISTRY)]);
    assert_eq!(status, "failed");
    assert_eq!(
        findings,
        [
            ("note".into(), "fresh/Cargo.toml".into(), "`fresh` is not on `lk` yet: its first version needs a token, as trusted publishing cannot create a crate".into()),
            ("error".into(), "locked/Cargo.toml".into(), "`locked` takes only trusted publishing on `lk`, and only a token is available here".into()),
        ]
    );
    // A CI identity and no token: `fresh` cannot be created by trusted publishing.
    let identity = [
        ("LAUNCHKIT_REGISTRY", REGISTRY),
        ("CARGO_REGISTRIES_LK_TOKEN", ""),
        ("LAUNCHKIT_ID_TOKEN", "a.b.c"),
    ];
    let (status, findings) = trusted_step(&identity);
    assert_eq!(status, "failed");
    assert_eq!(
        findings,
        [(
            "error".into(),
            "fresh/Cargo.toml".into(),
            "`fresh` is not on `lk` yet, and trusted publishing cannot create a crate".into()
        )]
    );
    // Trusted publishing off: a token publish, and the registry says `locked` refuses it.
    let never = [("LAUNCHKIT_REGISTRY", REGISTRY), ("LAUNCHKIT_TRUSTED_PUBLISHING", "never")];
    let (_, findings) = trusted_step(&never);
    let messages: Vec<&str> = findings.iter().map(|(_, _, message)| message.as_str()).collect();
    assert_eq!(
        messages,
        ["`locked` takes only trusted publishing on `lk`, and only a token is available here"]
    );
}
