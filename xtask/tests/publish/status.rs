//! `cargo xtask status` on a published, tagged, yanked release, with production and staging
//! on two real registries and the tags on a real bare remote.

use std::process::Command;

use launchkit_testkit::{CargoSandbox, Faults, RegistryServer, Silent, TempDir};

use crate::support::{GIT_ID, REGISTRY, Setup, TOKEN, assert_refused, base, git, workspace};

const PAIR: &[(&str, &[&str])] = &[("base", &[]), ("top", &["base"])];

#[test]
fn status_shows_versions_tags_registries_and_the_last_deployment() {
    let registry = RegistryServer::start_with_faults(base(), Faults::none());
    let staging = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base())
        .registry(REGISTRY, &registry.index_url(), Some(TOKEN))
        .registry("lk2", &staging.index_url(), None);
    let setup = Setup { registry, sandbox, fixture: workspace(PAIR) };
    let root = setup.fixture.root();
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    setup.fixture.write(
        "Cargo.toml",
        &format!("{manifest}\n[workspace.metadata.launchkit.env.production]\nregistry = \"lk\"\n\n[workspace.metadata.launchkit.env.staging]\nregistry = \"lk2\"\n"),
    );
    setup.fixture.commit("environments");
    setup.xtask(&["--execute"]).success();
    assert_eq!(staging.upload_raw("base", "0.1.0"), 200);
    assert_eq!(staging.upload_raw("top", "0.0.9"), 200);
    let remote = TempDir::new(base(), "remote");
    git(remote.path(), &["init", "-q", "--bare"]);
    git(root, &["remote", "add", "origin", remote.path().to_str().unwrap()]);
    git(root, &["tag", "v0.1.0"]);
    git(root, &["config", "user.name", "Releaser"]);

    let before_push = setup.task(&["status"], GIT_ID).success();
    assert!(
        before_push.stdout.contains("last deployment: none recorded in this clone"),
        "{before_push}"
    );
    git(root, &["push", "-q", "origin", "v0.1.0"]);
    setup
        .task(&["yank", "0.1.0", "-p", "top", "--reason", "top panics", "--execute"], GIT_ID)
        .success();

    let notes = Command::new("git")
        .current_dir(root)
        .args(["ls-remote", "origin", "refs/notes/launchkit"])
        .output()
        .unwrap();
    assert!(!notes.stdout.is_empty(), "the yank's record went to the remote with the log");

    let run = setup.task(&["status"], GIT_ID).success();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(
        lines[0], "crate  version  tag     local  remote  production (lk)  staging (lk2)",
        "{run}"
    );
    assert_eq!(lines[1], "base   0.1.0    v0.1.0  yes    yes     0.1.0            0.1.0", "{run}");
    assert_eq!(lines[2], "top    0.1.0    v0.1.0  yes    yes     0.1.0 yanked     0.0.9", "{run}");
    assert!(
        lines[3].starts_with("last deployment: yank 0.1.0 (top) to production (lk) at "),
        "{run}"
    );
    assert!(lines[3].ends_with(" by Releaser: top panics"), "{run}");
    assert!(
        before_push.stdout.contains("v0.1.0  yes    no "),
        "the tag was not on the remote yet: {before_push}"
    );

    let json =
        setup.task(&["status", "--env", "staging", "--format", "json"], GIT_ID).success().json();
    assert_eq!(json["environments"].as_array().unwrap().len(), 1);
    assert_eq!(json["environments"][0]["registry"], "lk2");
    assert_eq!(json["crates"][1]["name"], "top");
    assert_eq!(
        json["crates"][1]["registries"][0],
        serde_json::json!({"newest": "0.0.9", "yanked": false, "unknown": false})
    );
    assert_eq!(json["last_deployment"], serde_json::Value::Null, "no deployment to staging yet");

    // A registry that does not answer: `?` and exit code 1; with --env, an error.
    let silent = Silent::start();
    let dead = [
        ("CARGO_REGISTRIES_LK2_INDEX", format!("sparse+{}/", silent.url())),
        ("CARGO_HTTP_TIMEOUT", "1".into()),
    ];
    let dead: Vec<(&str, &str)> = dead.iter().map(|(key, value)| (*key, value.as_str())).collect();
    let partial = setup.task(&["status"], &dead);
    assert_eq!(partial.code, Some(1), "{partial}");
    assert!(partial.stdout.contains("0.1.0 yanked     ?"), "{partial}");
    assert!(
        partial.stderr.contains("warning: cannot read the index of `lk2`: cannot reach"),
        "{partial}"
    );
    assert_refused(
        &setup.task(&["status", "--env", "staging"], &dead),
        "cannot read the index of `lk2`: cannot reach http://127.0.0.1:",
    );
    assert_refused(&setup.task(&["status", "--env", "moon"], &[]), "unknown environment `moon`");
}
