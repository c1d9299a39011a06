//! `cargo xtask config`: the layers resolve in order, and mistakes are one-line errors.

use crate::support::Fixture;

const CONFIG: &str = r#"
[workspace.metadata.launchkit]
branches = ["trunk"]

[workspace.metadata.launchkit.env.staging]
registry = "internal" # a comment that must not matter
"#;

#[test]
fn layers_resolve_from_the_manifest_and_the_environment() {
    let fixture = Fixture::new("clean");
    let manifest = fixture.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text + CONFIG).unwrap();

    let staging = fixture.xtask(&["config", "--env", "staging", "--format", "json"]);
    assert_eq!(staging.code, 0, "{}", staging.stderr);
    let staging = staging.json();
    assert_eq!(
        (staging["name"].as_str(), staging["registry"].as_str()),
        (Some("staging"), Some("internal"))
    );
    assert_eq!(staging["branches"], serde_json::json!(["trunk"]));

    let overridden = fixture.xtask_env(
        &["config", "--format", "json"],
        &[("LAUNCHKIT_ENV", "development"), ("LAUNCHKIT_BRANCHES", "main, next")],
    );
    let overridden = overridden.json();
    assert_eq!(overridden["name"], "development");
    assert_eq!(overridden["branches"], serde_json::json!(["main", "next"]));
    assert_eq!(
        (overridden["push"].as_bool(), overridden["publish"].as_bool()),
        (Some(false), Some(false))
    );
}

#[test]
fn an_unknown_environment_or_key_is_a_one_line_error() {
    let fixture = Fixture::new("clean");
    let unknown = fixture.xtask(&["config", "--env", "prod"]);
    assert_eq!(unknown.code, 2);
    assert_eq!(
        unknown.stderr,
        "error: unknown environment `prod`: use one of development, staging, production or add [workspace.metadata.launchkit.env.prod]\n"
    );

    let manifest = fixture.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&manifest, text + "\n[workspace.metadata.launchkit]\npubish = false\n").unwrap();
    let typo = fixture.xtask(&["config"]);
    assert_eq!(typo.code, 2);
    assert_eq!(typo.stderr.lines().count(), 1, "{}", typo.stderr);
    assert!(typo.stderr.starts_with(
        "error: Cargo.toml [workspace.metadata.launchkit] has an unknown key `pubish`"
    ));
}

#[test]
fn empty_names_and_a_tag_prefix_git_refuses_are_one_line_errors() {
    let fixture = Fixture::new("clean");
    let before = fixture.snapshot();
    fixture.xtask(&["config", "--env", ""]).assert_refused("--env is empty: name one of");
    fixture
        .xtask_env(&["config"], &[("LAUNCHKIT_BRANCHES", "")])
        .assert_refused("LAUNCHKIT_BRANCHES is empty: unset it, or name at least one");
    let prefix = [("LAUNCHKIT_TAG_PREFIX", "v ")];
    fixture.xtask_env(&["config"], &prefix).assert_refused(
        "tag-prefix \"v \" cannot start a git tag (' '): use letters, digits, `-`, `_`, `.` or `/`",
    );
    // The release checks read it too: the version step fails at once, not the tag step.
    let run = fixture.xtask_env(&["preflight", "--only", "version", "--format", "json"], &prefix);
    let step = &run.json()["steps"][0];
    assert_eq!((run.code, &step["status"]), (1, &"failed".into()));
    assert!(step["reason"].as_str().unwrap().starts_with("tag-prefix \"v \" cannot"), "{step}");
    assert_eq!(fixture.snapshot(), before);
}
