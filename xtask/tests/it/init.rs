//! `cargo xtask init` on workspaces of every shape: the member added with cargo's own
//! reading of the result as proof, the alias merged, a dirty tree refused, the dry run
//! changing nothing, and a second run changing nothing either.

use std::process::Command;

use crate::support::Fixture;

const VERSION: &str = env!("CARGO_PKG_VERSION");
const CORE: (&str, &str) = ("core/Cargo.toml", "[package]\nname = \"core\"\nedition = \"2021\"\n");
const CORE_LIB: (&str, &str) = ("core/src/lib.rs", "//! Core.\n");
const SOLO_LIB: (&str, &str) = ("src/lib.rs", "//! Solo.\n");

/// What init adds to the root manifest's profile, so `cargo xtask links` stays fast.
const PROFILE: &str = "\n# launchkit's markdown parser and link checker, optimized in the dev profile the xtask\n\
    # builds in, so `cargo xtask links` and preflight's links step stay fast.\n\
    [profile.dev.package.pulldown-cmark]\nopt-level = 1\n\n\
    [profile.dev.package.launchkit-links]\nopt-level = 1\n";

/// A virtual workspace with one member.
fn virtual_workspace(members: &str) -> Fixture {
    let manifest = format!("[workspace]\nresolver = \"3\"\nmembers = {members} # ours\n");
    Fixture::of_files("init", &[("Cargo.toml", &manifest), CORE, CORE_LIB])
}

/// The workspace members cargo itself reads from the fixture, by name.
fn members(fixture: &Fixture) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--offline", "--format-version", "1"])
        .current_dir(&fixture.root)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut names: Vec<String> = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| package["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

/// Runs `init --execute` and checks it succeeded.
fn execute(fixture: &Fixture, flags: &[&str]) -> String {
    let run = fixture.xtask(&[&["init", "--execute"], flags].concat());
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stderr
}

#[test]
fn a_dry_run_prints_every_file_and_changes_nothing() {
    let fixture = virtual_workspace("[\"core\"]");
    let before = fixture.snapshot();
    let run = fixture.xtask(&["init"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected_root = "--- a/Cargo.toml\n+++ b/Cargo.toml\n@@ -1,3 +1,11 @@\n \
        [workspace]\n resolver = \"3\"\n-members = [\"core\"] # ours\n+members = [\"core\", \"xtask\"] # ours\n\
        +\n+# launchkit's markdown parser and link checker, optimized in the dev profile the xtask\n";
    assert!(run.stdout.starts_with(expected_root), "{}", run.stdout);
    for added in [
        "+++ b/xtask/Cargo.toml\n@@ -0,0 +1,8 @@\n+[package]\n+name = \"xtask\"".into(),
        "+publish = false\n".into(),
        format!("+launchkit = \"{VERSION}\"\n"),
        "+++ b/xtask/src/main.rs\n".into(),
        "+    launchkit::main()\n".into(),
        "+++ b/.cargo/config.toml\n@@ -0,0 +1,2 @@\n+[alias]\n+xtask = \"run --package xtask --\"\n"
            .into(),
        "+++ b/CHANGELOG.md\n".into(),
        "+## [Unreleased]\n".into(),
    ] {
        assert!(run.stdout.contains(&added), "{added}\n{}", run.stdout);
    }
    assert!(
        run.stderr.ends_with("dry run: pass --execute to write these changes\n"),
        "{}",
        run.stderr
    );
    assert_eq!(fixture.snapshot(), before);
}

#[test]
fn execute_sets_up_the_workspace_and_a_second_run_changes_nothing() {
    let fixture = virtual_workspace("[\"core\"]");
    assert_eq!(members(&fixture), ["core"]);
    execute(&fixture, &[]);
    assert_eq!(members(&fixture), ["core", "xtask"]);
    assert!(fixture.read("Cargo.toml").contains("members = [\"core\", \"xtask\"] # ours\n"));
    assert_eq!(fixture.read(".cargo/config.toml"), "[alias]\nxtask = \"run --package xtask --\"\n");
    assert!(fixture.read("CHANGELOG.md").contains("\n## [Unreleased]\n"));
    // Before the commit and after it: nothing left to do, and nothing done.
    for commit in [false, true] {
        if commit {
            fixture.commit("init");
        }
        let before = fixture.snapshot();
        let run = fixture.xtask(&["init", "--execute"]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert_eq!(run.stdout, "");
        assert!(
            run.stderr
                .ends_with("nothing to change: this workspace is already set up for launchkit\n")
        );
        assert_eq!(fixture.snapshot(), before);
    }
}

#[test]
fn a_glob_that_covers_xtask_is_left_alone() {
    // cargo's `*` covers hidden folders too: a workspace that uses it excludes them.
    let fixture = virtual_workspace("[\"*\"]");
    fixture.edit("Cargo.toml", "# ours\n", "# ours\nexclude = [\".git\"]\n");
    fixture.commit("exclude");
    let before = fixture.read("Cargo.toml");
    let stderr = execute(&fixture, &[]);
    assert!(stderr.contains("`*` in `members` covers xtask"), "{stderr}");
    // The new .cargo folder is no crate: `*` would make cargo load it as one.
    assert!(stderr.contains(".cargo added to `exclude`, as `*` covers it"), "{stderr}");
    assert_eq!(
        fixture.read("Cargo.toml"),
        before.replace("exclude = [\".git\"]", "exclude = [\".git\", \".cargo\"]") + PROFILE
    );
    assert_eq!(members(&fixture), ["core", "xtask"]);
}

#[test]
fn a_glob_keeps_covering_only_crates_once_the_workflows_are_written() {
    let fixture = virtual_workspace("[\"*\"]");
    fixture.edit("Cargo.toml", "# ours\n", "# ours\nexclude = [\".git\"]\n");
    fixture.git(&["remote", "add", "origin", "https://github.com/acme/demo"]);
    fixture.commit("exclude");
    execute(&fixture, &[]);
    assert!(fixture.read("Cargo.toml").contains("exclude = [\".git\", \".cargo\", \".github\"]\n"));
    assert_eq!(members(&fixture), ["core", "xtask"]);
}

#[test]
fn this_repository_runs_the_workflows_init_writes() {
    // .ci/run lints .github/workflows with actionlint, so the templates are linted too.
    let fixture = virtual_workspace("[\"core\"]");
    fixture.git(&["remote", "add", "origin", "https://github.com/acme/demo"]);
    execute(&fixture, &[]);
    let repository = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for file in [".github/workflows/preflight.yml", ".github/workflows/release.yml"] {
        let own = std::fs::read_to_string(repository.join(file)).unwrap();
        assert_eq!(
            own,
            fixture.read(file),
            "copy the text of crates/launchkit/src/init/workflows.rs to {file}"
        );
    }
}

#[test]
fn an_excluded_xtask_is_taken_out_of_exclude() {
    let fixture = virtual_workspace("[\"*\"]");
    fixture.edit("Cargo.toml", "# ours\n", "# ours\nexclude = [\".git\", \"vendor\", \"xtask\"]\n");
    fixture.commit("exclude");
    let stderr = execute(&fixture, &[]);
    assert!(stderr.contains("xtask taken out of `exclude`"), "{stderr}");
    assert!(fixture.read("Cargo.toml").contains("exclude = [\".git\", \"vendor\", \".cargo\"]\n"));
    assert_eq!(members(&fixture), ["core", "xtask"]);
}

#[test]
fn a_root_package_without_workspace_gets_one() {
    let manifest = "[package]\nname = \"solo\"\nedition = \"2021\"\n";
    let fixture = Fixture::of_files("init", &[("Cargo.toml", manifest), SOLO_LIB]);
    execute(&fixture, &[]);
    assert_eq!(
        fixture.read("Cargo.toml"),
        format!("{manifest}\n[workspace]\nmembers = [\"xtask\"]\n{PROFILE}")
    );
    assert_eq!(members(&fixture), ["solo", "xtask"]);
}

#[test]
fn a_root_package_with_workspace_gets_the_member() {
    let manifest =
        "[package]\nname = \"solo\"\nedition = \"2021\"\n\n[workspace]\n\n[dependencies]\n";
    let fixture = Fixture::of_files("init", &[("Cargo.toml", manifest), SOLO_LIB]);
    execute(&fixture, &[]);
    assert!(
        fixture.read("Cargo.toml").contains("[workspace]\nmembers = [\"xtask\"]\n\n[dependencies]")
    );
    assert_eq!(members(&fixture), ["solo", "xtask"]);
}

#[test]
fn an_existing_xtask_gets_the_lines_to_add_printed() {
    let fixture = virtual_workspace("[\"core\", \"xtask\"]");
    // Depending on launchkit's engines is not depending on launchkit.
    let manifest = "[package]\nname = \"xtask\"\nedition = \"2021\"\n\n[dependencies]\nlaunchkit-changelog = \"0.1\"\n";
    fixture.write("xtask/Cargo.toml", manifest);
    fixture.write("xtask/src/main.rs", "fn main() {}\n");
    let config = "[alias]\nxtask = \"run -p xtask --\"\n\n[registries.mirror]\nindex = \"sparse+https://mirror.invalid/index/\"\n";
    fixture.write(".cargo/config.toml", config);
    fixture.commit("own xtask");
    let before = fixture.snapshot();
    let run = fixture.xtask(&["init", "--execute", "--registry", "mirror"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let dependency = format!("launchkit = {{ version = \"{VERSION}\", registry = \"mirror\" }}\n");
    assert!(
        run.stdout.starts_with("# xtask/Cargo.toml, under [dependencies]:\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&dependency), "{}", run.stdout);
    assert!(run.stdout.contains("launchkit::main()"), "{}", run.stdout);
    // Only the changelog was missing.
    assert!(!run.stdout.contains("Cargo.toml\n+++"), "{}", run.stdout);
    assert!(run.stderr.contains("xtask/ already exists"), "{}", run.stderr);
    assert_eq!(fixture.snapshot().replacen("?? CHANGELOG.md", "", 1), before);
    fixture.commit("changelog");
    let run = fixture.xtask(&["init", "--execute"]);
    assert!(
        run.stderr.ends_with("nothing to write: add the lines above to xtask/ by hand\n"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("launchkit::main()"), "{}", run.stdout);
}

#[test]
fn the_alias_is_merged_and_a_different_one_kept() {
    let fixture = virtual_workspace("[\"core\"]");
    let config = "[build]\njobs = 2 # two\n";
    fixture.write(".cargo/config.toml", config);
    fixture.commit("config");
    execute(&fixture, &[]);
    assert_eq!(
        fixture.read(".cargo/config.toml"),
        format!("{config}\n[alias]\nxtask = \"run --package xtask --\"\n")
    );

    let fixture = virtual_workspace("[\"core\"]");
    let config = "[alias]\nxtask = \"run --manifest-path tools/Cargo.toml --\"\n";
    fixture.write(".cargo/config.toml", config);
    fixture.commit("config");
    let stderr = execute(&fixture, &[]);
    assert!(
        stderr.contains("the alias `xtask = \"run --manifest-path tools/Cargo.toml --\"` is kept"),
        "{stderr}"
    );
    assert_eq!(fixture.read(".cargo/config.toml"), config);
}

#[test]
fn the_source_of_launchkit_is_written_as_given() {
    let fixture = virtual_workspace("[\"core\"]");
    execute(&fixture, &["--version", "v2.3.4", "--path", "core"]);
    let manifest = fixture.read("xtask/Cargo.toml");
    assert!(
        manifest.contains("launchkit = { path = \"../core\", version = \"2.3.4\" }\n"),
        "{manifest}"
    );
}

#[test]
fn bad_input_and_a_dirty_tree_are_refused() {
    let fixture = virtual_workspace("[\"core\"]");
    let before = fixture.snapshot();
    fixture.xtask(&["init", "--version", "1.x"]).assert_refused("`1.x` is not a SemVer version");
    fixture
        .xtask(&["init", "--path", "nowhere"])
        .assert_refused("--path nowhere is not a crate folder");
    fixture.xtask(&["init", "--registry", "nowhere"]).assert_refused(
        "--registry nowhere: unknown registry `nowhere`: add `[registries.nowhere]",
    );
    assert_eq!(fixture.snapshot(), before);
    fixture.write("notes.txt", "draft\n");
    let before = fixture.snapshot();
    let run = fixture.xtask(&["init", "--execute"]);
    run.assert_refused("uncommitted changes in notes.txt: commit or stash them before init");
    assert_eq!(fixture.snapshot(), before);
}

#[test]
fn an_existing_changelog_is_kept_and_linted() {
    let fixture = virtual_workspace("[\"core\"]");
    let changelog = "# Changelog\n\n## [0.1.0] - 2024-05-01\n\n### Added\n\n- It.\n";
    fixture.write("CHANGELOG.md", changelog);
    fixture.commit("changelog");
    let run = fixture.xtask(&["init", "--execute"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("CHANGELOG.md"), "{}", run.stdout);
    assert!(run.stderr.contains("CHANGELOG.md: kept as it is, 2 findings\n"), "{}", run.stderr);
    assert!(run.stderr.contains("CHANGELOG.md:3: error[changelog::unreleased]"), "{}", run.stderr);
    assert_eq!(fixture.read("CHANGELOG.md"), changelog);
}

#[test]
fn a_github_remote_gets_the_workflows() {
    let fixture = virtual_workspace("[\"core\"]");
    fixture.git(&["remote", "add", "origin", "git@github.com:acme/demo.git"]);
    let release = "name: release\non: push\n";
    fixture.write(".github/workflows/release.yml", release);
    fixture.commit("own release workflow");
    let stderr = execute(&fixture, &[]);
    assert!(fixture.read(".github/workflows/preflight.yml").contains("\n  pull_request:\n"));
    assert!(
        fixture.read(".github/workflows/preflight.yml").contains("run: cargo xtask preflight\n")
    );
    assert!(stderr.contains(".github/workflows/release.yml: kept as it is"), "{stderr}");
    assert_eq!(fixture.read(".github/workflows/release.yml"), release);
    let changelog = fixture.read("CHANGELOG.md");
    assert!(
        changelog.ends_with("\n[Unreleased]: https://github.com/acme/demo/commits/HEAD\n"),
        "{changelog}"
    );
    let run = fixture.xtask(&["changelog", "check"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);

    let fixture = virtual_workspace("[\"core\"]");
    fixture.git(&["remote", "add", "origin", "https://gitlab.com/acme/demo.git"]);
    execute(&fixture, &[]);
    assert!(!fixture.root.join(".github").exists());
    let gitlab = fixture.read(".gitlab-ci.yml");
    assert!(gitlab.contains("\n    CRATES_IO_ID_TOKEN:\n      aud: crates.io\n"), "{gitlab}");
    assert!(gitlab.contains("cargo xtask release \"$LEVEL\" --execute\n"), "{gitlab}");

    let fixture = virtual_workspace("[\"core\"]");
    fixture.git(&["remote", "add", "origin", "/srv/git/demo.git"]);
    execute(&fixture, &[]);
    assert!(
        !fixture.root.join(".github").exists() && !fixture.root.join(".gitlab-ci.yml").exists()
    );
}

#[test]
fn cargo_release_and_release_plz_settings_become_launchkit_keys() {
    let fixture = virtual_workspace("[\"core\"]");
    let release = "tag-prefix = \"\"\nallow-branch = [\"main\", \"release/*\"]\npush-remote = \"upstream\"\nsign-tag = true\n";
    fixture.write("release.toml", release);
    fixture.write("release-plz.toml", "[workspace]\npublish = false\nsemver_check = false\n");
    fixture.commit("other tools");
    let stderr = execute(&fixture, &[]);
    assert!(
        stderr.contains(
            "not translated: release.toml sign-tag: no launchkit setting means the same\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("not translated: release-plz.toml [workspace] semver_check: "),
        "{stderr}"
    );
    assert!(
        fixture
            .read("Cargo.toml")
            .contains("publish = false # from release-plz.toml [workspace] publish\n")
    );
    // launchkit itself reads the translated keys.
    let run = fixture.xtask(&["config", "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let config = run.json();
    assert_eq!(config["tag-prefix"], "v", "{config}");
    assert_eq!(config["branches"], serde_json::json!(["main", "release/*"]), "{config}");
    assert_eq!(config["remote"], "upstream", "{config}");
    assert_eq!(config["publish"], false, "{config}");
    fixture.commit("init");
    let run = fixture.xtask(&["init", "--execute"]);
    assert_eq!(run.stdout, "", "{}", run.stderr);
}

#[test]
fn a_folder_outside_git_or_cargo_is_refused() {
    let fixture = virtual_workspace("[\"core\"]");
    std::fs::remove_dir_all(fixture.root.join(".git")).unwrap();
    fixture.xtask(&["init"]).assert_refused("not a git repository: run `git init` and commit");
    assert!(!fixture.root.join("xtask").exists());
    std::fs::remove_file(fixture.root.join("Cargo.toml")).unwrap();
    fixture.xtask(&["init"]).assert_refused("run init in a Cargo workspace or package");
}

#[test]
fn cargo_release_settings_in_the_manifest_are_translated_too() {
    let fixture = virtual_workspace("[\"core\"]");
    fixture.edit(
        "Cargo.toml",
        "# ours\n",
        "# ours\n\n[workspace.metadata.release]\nregistry = \"corp\"\n",
    );
    fixture.commit("cargo-release");
    let stderr = execute(&fixture, &[]);
    assert!(
        stderr.contains("[workspace.metadata.release] registry is launchkit's `registry`"),
        "{stderr}"
    );
    let manifest = fixture.read("Cargo.toml");
    assert!(
        manifest.ends_with(&format!("\n[workspace.metadata.launchkit]\nregistry = \"corp\" # from [workspace.metadata.release] registry\n{PROFILE}")),
        "{manifest}"
    );
}

#[test]
fn an_older_extensionless_config_gets_the_alias() {
    let fixture = virtual_workspace("[\"core\"]");
    fixture.write(".cargo/config", "[net]\noffline = true\n");
    fixture.commit("config");
    execute(&fixture, &[]);
    assert_eq!(
        fixture.read(".cargo/config"),
        "[net]\noffline = true\n\n[alias]\nxtask = \"run --package xtask --\"\n"
    );
    assert!(!fixture.root.join(".cargo/config.toml").exists());
}
