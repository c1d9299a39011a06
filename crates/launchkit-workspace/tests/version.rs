//! Version plans on a fixture workspace written to a temp dir and read by real cargo:
//! inherited and own versions, internal dependencies in every table they can live in
//! (renamed, per target, build and dev, `[workspace.dependencies]`), comments that must
//! survive, `publish = false` members, and the bad inputs.

use std::path::{Path, PathBuf};

use launchkit_workspace::Workspace;
use launchkit_workspace::version::{Bump, VersionPlan};

const ROOT: &str = r#"[workspace]
resolver = "3"
members = ["core", "util", "app", "tool"]

[workspace.package]
version = "0.3.1" # the shared version
edition = "2024"

[workspace.dependencies]
# Internal crates: path for development, version for publishing.
core = { path = "core", version = "0.3.1" } # keep this comment
util-renamed = { package = "util", path = "util", version = "=0.3.1" }
tool = { path = "tool", version = "1.4.0" }
"#;

const CORE: &str = r#"[package]
name = "core"
version.workspace = true
edition.workspace = true
"#;

const UTIL: &str = r#"[package]
name = "util"
version = "0.3.1"   # its own, kept equal by hand
edition = "2024"

[dependencies]
core = { workspace = true }

[build-dependencies]
core-build = { package = "core", path = "../core", version = "0.3" }
"#;

const APP: &str = r#"[package]
name = "app"
version.workspace = true
edition.workspace = true
publish = false

[target.'cfg(unix)'.dependencies]
util = { path = "../util", version = "0.3.1" }

[dev-dependencies.core]
path = "../core"
# The version cargo would publish against.
version = "^0.3.1"

[dependencies]
tool.workspace = true
"#;

const TOOL: &str = r#"[package]
name = "tool"
version = "1.4.0"
edition = "2024"
publish = false
"#;

fn fixture(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("version-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for (dir, manifest) in
        [(".", ROOT), ("core", CORE), ("util", UTIL), ("app", APP), ("tool", TOOL)]
    {
        std::fs::create_dir_all(root.join(dir).join("src")).unwrap();
        std::fs::write(root.join(dir).join("Cargo.toml"), manifest).unwrap();
        if dir != "." {
            std::fs::write(root.join(dir).join("src/lib.rs"), "").unwrap();
        }
    }
    root
}

fn plan(root: &Path, bump: &str) -> Result<VersionPlan, String> {
    let ws = Workspace::load(&root.join("Cargo.toml")).map_err(|err| err.to_string())?;
    VersionPlan::new(&ws, &bump.parse::<Bump>().map_err(|err| err.to_string())?)
        .map_err(|err| err.to_string())
}

fn after<'a>(plan: &'a VersionPlan, root: &Path, file: &str) -> Option<&'a str> {
    let path = root.join(file);
    plan.files.iter().find(|change| change.path == path).map(|change| change.after.as_str())
}

#[test]
fn a_minor_bump_edits_every_version_and_internal_requirement() {
    let root = fixture("minor");
    let plan = plan(&root, "minor").unwrap();
    assert_eq!((plan.from.to_string(), plan.to.to_string()), ("0.3.1".into(), "0.4.0".into()));
    assert_eq!(plan.bumped, ["app", "core", "util"]);
    assert_eq!(plan.kept, [("tool".to_owned(), "1.4.0".parse().unwrap())]);

    let edit = |text: &str, edits: &[(&str, &str)]| {
        edits.iter().fold(text.to_owned(), |text, (from, to)| {
            assert!(text.contains(from), "{from}");
            text.replacen(from, to, 1)
        })
    };
    let root_after = edit(
        ROOT,
        &[
            (r#"version = "0.3.1" # the shared"#, r#"version = "0.4.0" # the shared"#),
            (r#"version = "0.3.1" } # keep"#, r#"version = "0.4.0" } # keep"#),
            (r#"version = "=0.3.1" }"#, r#"version = "=0.4.0" }"#),
        ],
    );
    assert_eq!(after(&plan, &root, "Cargo.toml"), Some(root_after.as_str()));
    let util_after = edit(
        UTIL,
        &[
            (r#"version = "0.3.1"   # its own"#, r#"version = "0.4.0"   # its own"#),
            (r#"version = "0.3" }"#, r#"version = "0.4.0" }"#),
        ],
    );
    assert_eq!(after(&plan, &root, "util/Cargo.toml"), Some(util_after.as_str()));
    let app_after = edit(
        APP,
        &[
            (r#"version = "0.3.1" }"#, r#"version = "0.4.0" }"#),
            (r#"version = "^0.3.1""#, r#"version = "^0.4.0""#),
        ],
    );
    assert_eq!(after(&plan, &root, "app/Cargo.toml"), Some(app_after.as_str()));
    // core inherits its version; tool is `publish = false` with its own, and nothing
    // requires a version of it that changes.
    assert_eq!(plan.files.len(), 3);
    // Planning writes nothing.
    assert_eq!(std::fs::read_to_string(root.join("Cargo.toml")).unwrap(), ROOT);
}

#[test]
fn pre_releases_and_explicit_versions_apply_the_same_way() {
    let root = fixture("rc");
    let rc = plan(&root, "rc").unwrap();
    assert_eq!(rc.to.to_string(), "0.3.2-rc.1");
    assert!(after(&rc, &root, "Cargo.toml").unwrap().contains(
        r#"util-renamed = { package = "util", path = "util", version = "=0.3.2-rc.1" }"#
    ));
    let explicit = plan(&root, "1.0.0").unwrap();
    assert!(
        after(&explicit, &root, "util/Cargo.toml")
            .unwrap()
            .contains(r#"version = "1.0.0"   # its own"#)
    );
}

#[test]
fn bad_input_is_one_line_with_the_place() {
    let root = fixture("bad");
    assert_eq!(
        plan(&root, "0.3.0").unwrap_err(),
        "Cargo.toml:6: 0.3.0 is not above the current version 0.3.1: pick a higher version"
    );
    assert!(plan(&root, "0.3.x").unwrap_err().starts_with("`0.3.x` is neither a level"));

    // A manifest that stops parsing after cargo read it, and one whose version is not SemVer.
    let ws = Workspace::load(&root.join("Cargo.toml")).unwrap();
    std::fs::write(root.join("util/Cargo.toml"), UTIL.replace("[dependencies]", "[dependencies"))
        .unwrap();
    let err = VersionPlan::new(&ws, &Bump::Minor).unwrap_err().to_string();
    assert!(err.starts_with("util/Cargo.toml:6:14: "), "{err}");
    assert!(err.ends_with(": fix the manifest"), "{err}");
    std::fs::write(root.join("util/Cargo.toml"), UTIL.replace(r#""0.3.1"   #"#, r#""0.3"   #"#))
        .unwrap();
    let err = VersionPlan::new(&ws, &Bump::Minor).unwrap_err().to_string();
    assert!(err.starts_with("util/Cargo.toml:3:11: version `0.3` is not SemVer"), "{err}");

    // cargo itself refuses a broken root manifest, with the place.
    std::fs::write(
        root.join("Cargo.toml"),
        ROOT.replace("[workspace.package]", "[workspace.package"),
    )
    .unwrap();
    let err = plan(&root, "minor").unwrap_err();
    assert!(err.contains("Cargo.toml:5:"), "{err}");
}
