//! A model of a cargo workspace for release tooling, read from `cargo metadata`.
//!
//! [`Workspace::load`] asks cargo (never parses manifests by hand) so that inheritance,
//! globs in `members` and `publish` settings mean exactly what cargo says they mean.
//! [`root_of`] finds the workspace a folder belongs to without starting cargo;
//! [`Workspace::publish_order`] orders the crates to publish, and [`version`] computes and
//! applies version bumps.
//!
//! # Example
//!
//! A workspace of two crates, `app` depending on `core`, and a `publish = false` test
//! helper:
//!
//! ```
//! use launchkit_workspace::version::VersionPlan;
//! use launchkit_workspace::{Workspace, root_of};
//!
//! let root = std::env::temp_dir().join(format!("workspace-doc-{}", std::process::id()));
//! let files = [
//!     ("Cargo.toml", "[workspace]\nmembers = [\"crates/*\"]\nresolver = \"3\"\n"),
//!     ("crates/core/Cargo.toml", "[package]\nname = \"core\"\nversion = \"0.3.0\"\nedition = \"2024\"\n"),
//!     ("crates/app/Cargo.toml", concat!(
//!         "[package]\nname = \"app\"\nversion = \"0.3.0\"\nedition = \"2024\"\n",
//!         "[dependencies]\ncore = { path = \"../core\", version = \"0.3.0\" }\n",
//!     )),
//!     ("crates/helper/Cargo.toml", "[package]\nname = \"helper\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n"),
//! ];
//! for (path, text) in files {
//!     let path = root.join(path);
//!     std::fs::create_dir_all(path.parent().unwrap().join("src")).unwrap();
//!     std::fs::write(&path, text).unwrap();
//!     std::fs::write(path.parent().unwrap().join("src/lib.rs"), "").unwrap();
//! }
//!
//! assert_eq!(root_of(&root.join("crates/app/src")), Some(root.clone()));
//! let workspace = Workspace::load(&root.join("Cargo.toml")).unwrap();
//! let names: Vec<&str> = workspace.members.iter().map(|member| member.name.as_str()).collect();
//! assert_eq!(names, ["app", "core", "helper"]);
//! let publishable: Vec<&str> = workspace.publishable().map(|member| member.name.as_str()).collect();
//! assert_eq!(publishable, ["app", "core"]);
//! assert_eq!(workspace.member("core").unwrap().version.to_string(), "0.3.0");
//!
//! let order = workspace.publish_order("crates-io").unwrap();
//! assert_eq!(order.batches, [vec!["core".to_owned()], vec!["app".to_owned()]]);
//!
//! // A minor bump: both publishable crates and app's requirement on core move to 0.4.0.
//! let plan = VersionPlan::new(&workspace, &"minor".parse().unwrap()).unwrap();
//! assert_eq!(plan.to.to_string(), "0.4.0");
//! assert_eq!(plan.bumped, ["app", "core"]);
//! assert_eq!(plan.kept[0].0, "helper");
//! let app = plan.files.iter().find(|file| file.path.ends_with("crates/app/Cargo.toml")).unwrap();
//! assert!(app.after.contains(r#"core = { path = "../core", version = "0.4.0" }"#));
//! std::fs::remove_dir_all(&root).unwrap();
//! ```

/// The README's example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod order;
mod root;
pub mod version;

use std::fmt;
use std::path::{Path, PathBuf};

pub use order::{Dependency, OrderError, PublishOrder};
pub use root::root_of;

/// A cargo workspace: its root and its members.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Directory of the root manifest.
    pub root: PathBuf,
    /// Where cargo puts build output (`CARGO_TARGET_DIR` and config respected).
    pub target_dir: PathBuf,
    /// Workspace members, sorted by name.
    pub members: Vec<Member>,
    /// The `[workspace.metadata.launchkit]` table of the root manifest, `Null` when absent.
    pub config: serde_json::Value,
}

/// One workspace member.
#[derive(Debug, Clone)]
pub struct Member {
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: cargo_metadata::semver::Version,
    /// Path of its Cargo.toml.
    pub manifest_path: PathBuf,
    /// `None` when it may go to any registry, `Some(vec![])` for `publish = false`,
    /// otherwise the registries named in `publish = [..]`.
    pub publish: Option<Vec<String>>,
    /// Names of the features it declares.
    pub features: Vec<String>,
    /// `description` from its manifest.
    pub description: Option<String>,
    /// `license` from its manifest.
    pub license: Option<String>,
    /// `license-file` from its manifest.
    pub license_file: Option<PathBuf>,
    /// `repository` from its manifest: where its source lives.
    pub repository: Option<String>,
    /// It has a library target (and so may have doc tests).
    pub has_lib: bool,
    /// Names of its binary targets.
    pub bins: Vec<String>,
    /// Its dependencies as the manifest declares them.
    pub dependencies: Vec<Dependency>,
}

impl Member {
    /// True unless the manifest says `publish = false`.
    pub fn is_publishable(&self) -> bool {
        self.publish.as_ref().is_none_or(|registries| !registries.is_empty())
    }

    /// The member's directory.
    pub fn dir(&self) -> &Path {
        self.manifest_path.parent().unwrap_or(Path::new("."))
    }
}

impl Workspace {
    /// Reads the workspace whose manifest (or a member's manifest) is `manifest_path`.
    /// Errors are one line that says what to do (see the crate docs for a workspace read).
    ///
    /// ```
    /// use launchkit_workspace::Workspace;
    ///
    /// let missing = std::env::temp_dir().join("no-such-workspace/Cargo.toml");
    /// let err = Workspace::load(&missing).unwrap_err().to_string();
    /// assert!(err.ends_with("not found: run from a cargo workspace or pass --manifest-path"), "{err}");
    /// ```
    pub fn load(manifest_path: &Path) -> Result<Workspace, LoadError> {
        if !manifest_path.is_file() {
            return Err(LoadError(format!(
                "{} not found: run from a cargo workspace or pass --manifest-path",
                manifest_path.display()
            )));
        }
        let metadata = cargo_metadata::MetadataCommand::new()
            .manifest_path(manifest_path)
            .no_deps()
            .exec()
            .map_err(|err| LoadError::from_metadata(manifest_path, err))?;
        let mut members: Vec<Member> = metadata
            .workspace_packages()
            .into_iter()
            .map(|package| Member {
                name: package.name.to_string(),
                version: package.version.clone(),
                manifest_path: package.manifest_path.clone().into(),
                publish: package.publish.clone(),
                features: package.features.keys().cloned().collect(),
                description: package.description.clone(),
                license: package.license.clone(),
                license_file: package.license_file.clone().map(Into::into),
                repository: package.repository.clone(),
                has_lib: package
                    .targets
                    .iter()
                    .any(|target| target.is_lib() || target.is_proc_macro()),
                bins: package
                    .targets
                    .iter()
                    .filter(|target| target.is_bin())
                    .map(|target| target.name.clone())
                    .collect(),
                dependencies: package.dependencies.iter().map(Dependency::from_metadata).collect(),
            })
            .collect();
        members.sort_by(|a, b| a.name.cmp(&b.name));
        let config = metadata.workspace_metadata.get("launchkit").cloned().unwrap_or_default();
        Ok(Workspace {
            config,
            root: metadata.workspace_root.into(),
            target_dir: metadata.target_directory.into(),
            members,
        })
    }

    /// Members that may be published.
    pub fn publishable(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|member| member.is_publishable())
    }

    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|member| member.name == name)
    }

    /// `path` relative to the workspace root, with `/` separators, for findings.
    pub fn relative(&self, path: &Path) -> String {
        let relative = path.strip_prefix(&self.root).unwrap_or(path);
        relative.to_string_lossy().replace('\\', "/")
    }
}

/// Why a workspace could not be read, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError(String);

impl LoadError {
    fn from_metadata(manifest_path: &Path, err: cargo_metadata::Error) -> LoadError {
        let detail = match err {
            cargo_metadata::Error::CargoMetadata { stderr } => one_line(&stderr),
            other => other.to_string(),
        };
        LoadError(format!("cannot read workspace {}: {detail}", manifest_path.display()))
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LoadError {}

/// Folds cargo's first error into one line: `file:line:col: message: cause: cause`.
/// Later errors only restate it ("failed to load manifest for workspace member").
fn one_line(stderr: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut errors = 0;
    for line in stderr.lines().map(str::trim) {
        if line.starts_with("error:") {
            errors += 1;
            if errors > 1 {
                break;
            }
        }
        if let Some(location) = line.strip_prefix("--> ") {
            if let Some(last) = parts.last_mut() {
                *last = format!("{location}: {last}");
            }
            continue;
        }
        if line.is_empty()
            || line == "Caused by:"
            || line.starts_with("warning:")
            || is_snippet(line)
        {
            continue;
        }
        parts.push(line.strip_prefix("error: ").unwrap_or(line).to_owned());
    }
    parts.join(": ")
}

/// Lines of a source excerpt: `3 | [package`, `|`, `^`.
fn is_snippet(line: &str) -> bool {
    let rest = line.trim_start_matches(|c: char| c.is_ascii_digit()).trim_start();
    rest.starts_with('|') || rest.starts_with('^')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_errors_fold_into_one_line_with_their_location() {
        let stderr = "error: unclosed table, expected `]`\n --> core/Cargo.toml:9:10\n  |\n9 | [features\n  |          ^\nerror: failed to load manifest for workspace member `/w/core`\nreferenced by workspace at `/w/Cargo.toml`\n";
        assert_eq!(one_line(stderr), "core/Cargo.toml:9:10: unclosed table, expected `]`");
    }

    #[test]
    fn older_cargo_errors_keep_their_causes() {
        let stderr = "error: failed to parse manifest at `/w/Cargo.toml`\n\nCaused by:\n  TOML parse error at line 2, column 6\n    |\n  2 | name = \n    |      ^\n  string values must be quoted, expected literal string\n";
        assert_eq!(
            one_line(stderr),
            "failed to parse manifest at `/w/Cargo.toml`: TOML parse error at line 2, column 6: string values must be quoted, expected literal string"
        );
    }
}
