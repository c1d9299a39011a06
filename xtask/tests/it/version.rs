//! `cargo xtask version` on the `versions` fixture: inherited and own versions, internal
//! dependencies in every table (renamed, per target, build, dev, `[workspace.dependencies]`),
//! comments, a `publish = false` crate with its own version, Cargo.lock through cargo.

use crate::support::Fixture;

#[test]
fn a_dry_run_prints_every_edit_and_changes_nothing() {
    let fixture = Fixture::new("versions");
    let before = fixture.snapshot();
    let run = fixture.xtask(&["version", "minor"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = r#"--- a/Cargo.toml
+++ b/Cargo.toml
@@ -3,13 +3,13 @@
 members = ["core", "util", "app", "tool"]
 
 [workspace.package]
-version = "0.3.1" # the shared version
+version = "0.4.0" # the shared version
 edition = "2021"
 license = "MIT OR Apache-2.0"
 repository = "https://github.com/acme/demo"
 
 [workspace.dependencies]
 # Internal crates: path for development, version for publishing.
-demo-core = { path = "core", version = "0.3.1" } # keep this comment
-renamed-util = { package = "demo-util", path = "util", version = "=0.3.1" }
+demo-core = { path = "core", version = "0.4.0" } # keep this comment
+renamed-util = { package = "demo-util", path = "util", version = "=0.4.0" }
 demo-tool = { path = "tool", version = "1.4.0" }
--- a/app/Cargo.toml
+++ b/app/Cargo.toml
@@ -5,12 +5,12 @@
 publish = false
 
 [target.'cfg(unix)'.dependencies]
-demo-util = { path = "../util", version = "0.3.1" }
+demo-util = { path = "../util", version = "0.4.0" }
 
 [dev-dependencies.demo-core]
 path = "../core"
 # The version cargo would publish against.
-version = "^0.3.1"
+version = "^0.4.0"
 
 [dependencies]
 demo-tool.workspace = true
--- a/util/Cargo.toml
+++ b/util/Cargo.toml
@@ -1,7 +1,7 @@
 [package]
 name = "demo-util"
 description = "Helpers of the demo workspace"
-version = "0.3.1"   # its own, kept equal by hand
+version = "0.4.0"   # its own, kept equal by hand
 edition.workspace = true
 license.workspace = true
 repository.workspace = true
@@ -10,4 +10,4 @@
 demo-core = { workspace = true }
 
 [build-dependencies]
-core-for-build = { package = "demo-core", path = "../core", version = "0.3" }
+core-for-build = { package = "demo-core", path = "../core", version = "0.4.0" }
$ cargo update --workspace
"#;
    assert_eq!(run.stdout, expected);
    assert_eq!(
        run.stderr,
        "version 0.3.1 -> 0.4.0 for demo-app, demo-core, demo-util\n\
         demo-tool keeps 1.4.0: it has `publish = false` and its own version\n\
         dry run: pass --execute to write these changes\n"
    );
    assert_eq!(fixture.snapshot(), before);
}

#[test]
fn execute_writes_the_manifests_and_cargo_lock() {
    let fixture = Fixture::new("versions");
    let tool = fixture.read("tool/Cargo.toml");
    let run = fixture.xtask(&["version", "rc", "--execute"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("version 0.3.2-rc.1 written to 3 manifests"), "{}", run.stderr);

    let root = fixture.read("Cargo.toml");
    assert!(root.contains("version = \"0.3.2-rc.1\" # the shared version\n"), "{root}");
    assert!(root.contains(
        "demo-core = { path = \"core\", version = \"0.3.2-rc.1\" } # keep this comment\n"
    ));
    assert!(root.contains(
        "version = \"=0.3.2-rc.1\" }\ndemo-tool = { path = \"tool\", version = \"1.4.0\" }\n"
    ));
    let util = fixture.read("util/Cargo.toml");
    assert!(util.contains("version = \"0.3.2-rc.1\"   # its own, kept equal by hand\n"), "{util}");
    let app = fixture.read("app/Cargo.toml");
    assert!(
        app.contains("# The version cargo would publish against.\nversion = \"^0.3.2-rc.1\"\n"),
        "{app}"
    );
    assert_eq!(fixture.read("tool/Cargo.toml"), tool, "publish = false with its own version");

    // Cargo.lock comes from cargo itself, which read the new manifests.
    let lock = fixture.read("Cargo.lock");
    for (name, version) in [
        ("demo-app", "0.3.2-rc.1"),
        ("demo-core", "0.3.2-rc.1"),
        ("demo-util", "0.3.2-rc.1"),
        ("demo-tool", "1.4.0"),
    ] {
        assert!(
            lock.contains(&format!("name = \"{name}\"\nversion = \"{version}\"\n")),
            "{name} {version}\n{lock}"
        );
    }

    let release = fixture.xtask(&["version", "release", "--execute"]);
    assert_eq!(release.code, 0, "{}", release.stderr);
    assert!(fixture.read("Cargo.lock").contains("name = \"demo-util\"\nversion = \"0.3.2\"\n"));
    let sh_status = std::process::Command::new("git")
        .args(["status", "--porcelain"])
        .current_dir(&fixture.root)
        .output()
        .unwrap();
    let changed = String::from_utf8(sh_status.stdout).unwrap();
    assert_eq!(changed, " M Cargo.lock\n M Cargo.toml\n M app/Cargo.toml\n M util/Cargo.toml\n");
}

#[test]
fn bad_input_is_one_line_exit_2_and_changes_nothing() {
    let fixture = Fixture::new("versions");
    let before = fixture.snapshot();
    let refusals = [
        (
            "banana",
            "`banana` is neither a level (major, minor, patch, alpha, beta, rc, release) nor a SemVer version X.Y.Z",
        ),
        (
            "0.3.0",
            "Cargo.toml:6: 0.3.0 is not above the current version 0.3.1: pick a higher version",
        ),
        (
            "0.3.1",
            "Cargo.toml:6: 0.3.1 is not above the current version 0.3.1: pick a higher version",
        ),
        ("release", "Cargo.toml:6: 0.3.1 is not a pre-release: use patch, minor or major"),
    ];
    for (bump, expected) in refusals {
        fixture.xtask(&["version", bump, "--execute"]).assert_refused(expected);
    }
    assert_eq!(fixture.snapshot(), before);

    fixture.edit("util/Cargo.toml", "[build-dependencies]", "[build-dependencies");
    let broken = fixture.snapshot();
    fixture
        .xtask(&["version", "patch", "--execute"])
        .assert_refused("util/Cargo.toml:12:20: unclosed table");
    assert_eq!(fixture.snapshot(), broken);
    fixture.edit("util/Cargo.toml", "[build-dependencies", "[build-dependencies]");
    fixture.edit("util/Cargo.toml", "version = \"0.3.1\"", "version = \"0.3\"");
    let broken = fixture.snapshot();
    fixture.xtask(&["version", "patch", "--execute"]).assert_refused("util/Cargo.toml:4:");
    assert_eq!(fixture.snapshot(), broken);
}
