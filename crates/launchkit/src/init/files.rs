//! The files `init` creates: the `xtask` crate on launchkit (and where it takes launchkit
//! from), and a changelog.

use std::path::{Component, Path, PathBuf};

use anyhow::bail;

/// Where the xtask takes launchkit from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The version requirement.
    pub version: String,
    /// A local checkout's crate folder, relative to `xtask/` (or absolute).
    pub path: Option<String>,
    /// An alternate registry's name from cargo's config.
    pub registry: Option<String>,
}

impl Source {
    /// The `launchkit = ...` line of `[dependencies]`.
    pub fn dependency(&self) -> String {
        let quoted = |text: &str| toml_edit::Value::from(text).to_string();
        let version = quoted(&self.version);
        match (&self.path, &self.registry) {
            (Some(path), _) => {
                format!("launchkit = {{ path = {}, version = {version} }}", quoted(path))
            }
            (None, Some(registry)) => {
                format!("launchkit = {{ version = {version}, registry = {} }}", quoted(registry))
            }
            (None, None) => format!("launchkit = {version}"),
        }
    }
}

/// `--registry NAME` is one cargo knows in the workspace, so the xtask will build. Its
/// index may be a git one: cargo resolves from those too.
pub fn known_registry(root: &Path, name: &str) -> anyhow::Result<()> {
    use launchkit_registry::{CargoConfig, RegistryError};
    match CargoConfig::discover(root).and_then(|config| config.registry(Some(name))) {
        Err(RegistryError::Config(why)) if why.starts_with("unknown registry") => {
            bail!("--registry {name}: {why}")
        }
        _ => Ok(()),
    }
}

/// `--path DIR` as `xtask/Cargo.toml` must write it: relative to `xtask/` when it can be.
/// DIR is read from where the command was typed.
pub fn checkout(root: &Path, dir: &Path) -> anyhow::Result<String> {
    let full = std::path::absolute(dir).and_then(|full| full.canonicalize());
    let full = full.ok().filter(|full| full.join("Cargo.toml").is_file());
    let Some(full) = full else {
        bail!(
            "--path {} is not a crate folder: pass the folder of launchkit's Cargo.toml in a checkout",
            dir.display()
        );
    };
    let from = root.canonicalize()?.join("xtask");
    let shared = from.components().zip(full.components()).take_while(|(a, b)| a == b).count();
    if shared == 0 {
        return Ok(full.to_string_lossy().into_owned());
    }
    let up = from.components().skip(shared).map(|_| Component::ParentDir);
    let relative: PathBuf = up.chain(full.components().skip(shared)).collect();
    Ok(relative.to_string_lossy().replace('\\', "/"))
}

/// `xtask/Cargo.toml`: a crate that is never published.
pub fn manifest(source: &Source) -> String {
    format!(
        "[package]\n\
         name = \"xtask\"\n\
         version = \"0.1.0\"\n\
         edition = \"2024\"\n\
         publish = false\n\
         \n\
         [dependencies]\n\
         {}\n",
        source.dependency()
    )
}

/// `xtask/src/main.rs`: the command line is launchkit's.
pub const MAIN: &str = "\
//! This workspace's release tasks: `cargo xtask --help` lists them.

fn main() -> std::process::ExitCode {
    launchkit::main()
}
";

/// A Keep a Changelog file with an empty `[Unreleased]` entry, linked to the changes since
/// the start when the repository's web address is known (a release turns the link into a
/// compare link).
pub fn changelog(repo: Option<&str>) -> String {
    let link =
        repo.map(|repo| format!("\n[Unreleased]: {repo}/commits/HEAD\n")).unwrap_or_default();
    format!("{CHANGELOG}{link}")
}

const CHANGELOG: &str = "\
# Changelog

All notable changes to this project are documented in this file.

The format is based on [Keep a Changelog](https://keepachangelog.com/en/1.1.0/),
and this project adheres to [Semantic Versioning](https://semver.org/spec/v2.0.0.html).

## [Unreleased]
";

#[cfg(test)]
mod tests {
    use super::*;

    fn source(path: Option<&str>, registry: Option<&str>) -> Source {
        Source {
            version: "0.2.0".into(),
            path: path.map(Into::into),
            registry: registry.map(Into::into),
        }
    }

    #[test]
    fn the_dependency_names_its_source() {
        assert_eq!(source(None, None).dependency(), "launchkit = \"0.2.0\"");
        assert_eq!(
            source(Some("../../lk/crates/launchkit"), None).dependency(),
            "launchkit = { path = \"../../lk/crates/launchkit\", version = \"0.2.0\" }"
        );
        assert_eq!(
            source(None, Some("local")).dependency(),
            "launchkit = { version = \"0.2.0\", registry = \"local\" }"
        );
    }

    #[test]
    fn the_manifest_is_valid_and_unpublished() {
        let doc: toml_edit::DocumentMut =
            manifest(&source(Some("C:\\lk \"x\""), None)).parse().unwrap();
        assert_eq!(doc["package"]["publish"].as_bool(), Some(false));
        assert_eq!(doc["dependencies"]["launchkit"]["path"].as_str(), Some("C:\\lk \"x\""));
    }

    #[test]
    fn the_changelog_lints_clean_when_linked_and_promotes() {
        use launchkit_changelog::{Changelog, Date, lint};
        let unlinked = Changelog::parse(changelog(None));
        assert!(unlinked.unreleased().is_some());
        // Only a warning: the `[Unreleased]` link, which needs the repository's address.
        let findings = lint(&unlinked, "CHANGELOG.md");
        let errors = findings.iter().filter(|f| f.severity == launchkit_report::Severity::Error);
        assert_eq!(errors.count(), 0, "{findings:?}");

        let linked = changelog(Some("https://github.com/acme/demo"));
        let findings = lint(&Changelog::parse(linked.as_str()), "CHANGELOG.md");
        assert!(findings.is_empty(), "{findings:?}");
        let entry = linked.replace("## [Unreleased]\n", "## [Unreleased]\n\n### Added\n\n- It.\n");
        let version = launchkit_changelog::Version::new(0, 1, 0);
        let date: Date = "2026-01-05".parse().unwrap();
        let promoted = Changelog::parse(entry).promote(&version, date).unwrap();
        assert!(promoted.contains("## [0.1.0] - 2026-01-05\n"), "{promoted}");
        let findings = lint(&Changelog::parse(promoted.as_str()), "CHANGELOG.md");
        assert!(findings.is_empty(), "{promoted}\n{findings:?}");
    }
}
