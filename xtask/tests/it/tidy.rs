//! The repository checks itself: every Rust file says what it is for, internal version
//! pins agree with the workspace version, and the changelog has the expected headings.

use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_owned()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap();
        if path.is_dir() && name != "target" && name != "fixtures" && name != "data" {
            rust_files(&path, out);
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_rust_file_starts_with_a_doc_line() {
    let root = repo_root();
    let mut files = Vec::new();
    rust_files(&root.join("crates"), &mut files);
    rust_files(&root.join("xtask"), &mut files);
    let missing: Vec<String> = files
        .iter()
        .filter(|file| !std::fs::read_to_string(file).unwrap().starts_with("//!"))
        .map(|file| file.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(missing.is_empty(), "add a `//!` line saying what each file is for: {missing:#?}");
}

#[test]
fn internal_version_pins_match_the_workspace_version() {
    let manifest = std::fs::read_to_string(repo_root().join("Cargo.toml")).unwrap();
    let document: toml_edit::DocumentMut = manifest.parse().unwrap();
    let version = document["workspace"]["package"]["version"].as_str().unwrap();
    let dependencies = document["workspace"]["dependencies"].as_table().unwrap();
    let mut internal = 0;
    for (name, spec) in dependencies.iter().filter(|(name, _)| name.starts_with("launchkit-")) {
        assert_eq!(spec["path"].as_str(), Some(format!("crates/{name}").as_str()), "{name}'s path");
        // A crate used only by tests (launchkit-testkit) has no version on purpose: cargo
        // strips such dev-dependencies when publishing.
        if spec.get("version").is_none() {
            continue;
        }
        internal += 1;
        assert_eq!(spec["version"].as_str(), Some(version), "{name} must pin version {version}");
    }
    assert!(internal >= 2, "the internal crates are listed in [workspace.dependencies]");
}

#[test]
fn the_changelog_opens_with_unreleased_and_lists_every_tagged_version() {
    let root = repo_root();
    let changelog = std::fs::read_to_string(root.join("CHANGELOG.md")).unwrap();
    let headings: Vec<&str> = changelog.lines().filter(|line| line.starts_with("## ")).collect();
    assert_eq!(
        headings.first(),
        Some(&"## [Unreleased]"),
        "CHANGELOG.md must open with [Unreleased]"
    );
    let sh = xshell::Shell::new().unwrap();
    sh.change_dir(&root);
    let tags =
        xshell::cmd!(sh, "git tag --list v*").quiet().ignore_stderr().read().unwrap_or_default();
    for tag in tags.lines() {
        let version = tag.trim_start_matches('v');
        assert!(
            headings.iter().any(|heading| heading.starts_with(&format!("## [{version}]"))),
            "CHANGELOG.md has no heading for the released {tag}"
        );
    }
}
