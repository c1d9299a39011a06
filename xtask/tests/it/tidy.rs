//! The repository checks itself: every Rust file says what it is for, internal version
//! pins agree with the workspace version, the changelog has the expected headings, and
//! every publishable crate has complete metadata and a doc example that runs.

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
        // Test support is never published, so it carries no version to agree with.
        if name == "launchkit-testkit" {
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

/// Issue 13: every crate of `crates/` that is published shows on crates.io and docs.rs with
/// complete metadata and at least one example that runs as a doc test. The crates are
/// found by listing `crates/*/Cargo.toml`, so a new crate is checked from its first commit;
/// cargo metadata resolves the fields inherited from `[workspace.package]`.
#[test]
fn every_publishable_crate_has_complete_metadata_and_a_doc_example() {
    let root = repo_root();
    let metadata = cargo_metadata::MetadataCommand::new()
        .manifest_path(root.join("Cargo.toml"))
        .no_deps()
        .exec()
        .unwrap();
    let mut manifests: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|entry| entry.unwrap().path().join("Cargo.toml"))
        .filter(|manifest| manifest.is_file())
        .collect();
    manifests.sort();
    let (mut problems, mut checked) = (Vec::new(), 0);
    for manifest in &manifests {
        let shown = manifest.strip_prefix(&root).unwrap().display().to_string();
        let canonical = manifest.canonicalize().unwrap();
        let Some(package) = metadata.packages.iter().find(|package| {
            package.manifest_path.canonicalize().is_ok_and(|path| path == canonical)
        }) else {
            problems.push(format!("{shown}: not a workspace member: add it to `members`"));
            continue;
        };
        if package.publish.as_ref().is_some_and(Vec::is_empty) {
            continue;
        }
        checked += 1;
        problems.extend(publishing_problems(package).into_iter().map(|p| format!("{shown}: {p}")));
    }
    assert!(checked >= 2, "found {checked} publishable crates in crates/");
    assert!(problems.is_empty(), "complete each publishable crate: {problems:#?}");
}

/// What `package` lacks to be published as issue 13 asks, each with its fix.
fn publishing_problems(package: &cargo_metadata::Package) -> Vec<String> {
    let dir = package.manifest_path.parent().unwrap();
    let mut problems = Vec::new();
    let mut require = |present: bool, problem: &str| {
        if !present {
            problems.push(problem.to_owned());
        }
    };
    require(
        package.description.as_deref().is_some_and(|text| !text.trim().is_empty()),
        "add `description = \"...\"` under [package]",
    );
    require(package.license.is_some(), "add `license.workspace = true` (an SPDX expression)");
    require(package.repository.is_some(), "add `repository.workspace = true`");
    require(package.rust_version.is_some(), "add `rust-version.workspace = true`");
    require(
        package.readme.as_ref().is_some_and(|readme| dir.join(readme).is_file()),
        "add a README.md beside Cargo.toml and `readme = \"README.md\"`",
    );
    require(
        (1..=5).contains(&package.keywords.len()),
        "give `keywords` 1 to 5 words (crates.io takes at most 5)",
    );
    require(!package.categories.is_empty(), "add `categories` from crates.io's category slugs");
    if let Some(lib) = package.targets.iter().find(|target| target.is_lib()) {
        let text = std::fs::read_to_string(&lib.src_path).unwrap();
        require(
            runnable_doc_examples(&text) > 0,
            &format!(
                "add an example that runs as a doc test (a ``` block, not no_run or ignore) to the docs in {}",
                lib.src_path.strip_prefix(dir).unwrap_or(&lib.src_path)
            ),
        );
    }
    problems
}

/// Code blocks in the `//!` and `///` docs of `source` that rustdoc runs: Rust blocks that
/// are not `no_run`, `ignore` or `compile_fail`. READMEs included with `#[doc]` do not count.
fn runnable_doc_examples(source: &str) -> usize {
    let (mut open, mut runnable) = (false, 0);
    for line in source.lines().map(str::trim_start) {
        let Some(doc) = line.strip_prefix("//!").or_else(|| line.strip_prefix("///")) else {
            continue;
        };
        let Some(info) = doc.trim_start().strip_prefix("```") else { continue };
        if open {
            open = false;
            continue;
        }
        open = true;
        let runs = info
            .split([',', ' '])
            .filter(|word| !word.is_empty())
            .all(|word| word == "rust" || word == "should_panic" || word.starts_with("edition"));
        runnable += usize::from(runs);
    }
    runnable
}

#[test]
fn only_doc_blocks_that_run_count_as_examples() {
    let source = "//! ```text\n//! out\n//! ```\n/// ```no_run\n/// f();\n/// ```\n// ```\n";
    assert_eq!(runnable_doc_examples(source), 0);
    let source = "//! ```\n//! f();\n//! ```\n    /// ```rust\n    /// g();\n    /// ```\n";
    assert_eq!(runnable_doc_examples(source), 2);
}
