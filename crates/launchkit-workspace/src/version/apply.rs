//! The manifest edits that set a workspace's version, made with toml_edit so formatting
//! and comments survive.
//!
//! Lockstep versioning: one version for every publishable crate. The plan sets
//! `[workspace.package] version`, the own `version` of each publishable member (members
//! with `version.workspace = true` follow the workspace), and the requirement of every
//! internal dependency that has both `path` and `version`: in `[dependencies]`,
//! `[dev-dependencies]`, `[build-dependencies]`, their `[target.'cfg(..)'.*]` forms and
//! `[workspace.dependencies]`, renamed ones (`package = "..."`) included. Members with
//! `publish = false` and their own version keep it. Cargo.lock is left to cargo.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cargo_metadata::semver::{Op, Version, VersionReq};
use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::{Bump, VersionError};
use crate::Workspace;

/// The dependency tables of a manifest, also found under `[target.'cfg(..)']`.
const DEPENDENCY_TABLES: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// One file's edit: its text before and after.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// The file.
    pub path: PathBuf,
    /// Its current text.
    pub before: String,
    /// Its text with the new version.
    pub after: String,
}

/// Everything a version bump changes, computed without touching any file.
#[derive(Debug, Clone)]
pub struct VersionPlan {
    /// The version released so far: the highest of `[workspace.package] version` and the
    /// own versions of publishable members.
    pub from: Version,
    /// The new version.
    pub to: Version,
    /// Members whose version becomes `to`.
    pub bumped: Vec<String>,
    /// `publish = false` members that keep their own version.
    pub kept: Vec<(String, Version)>,
    /// The manifests that change, in workspace order (root first).
    pub files: Vec<FileChange>,
}

/// A manifest read for editing, with what it says about its package's version.
struct Manifest {
    path: PathBuf,
    text: String,
    doc: DocumentMut,
    /// `version.workspace = true`.
    inherits: bool,
    /// Its own `version = "..."`.
    own: Option<Located>,
    /// `[workspace.package] version`, in the root manifest.
    shared: Option<Located>,
}

/// A version and where it is written (`path:line`), for errors about it.
#[derive(Clone)]
struct Located {
    version: Version,
    at: String,
}

impl VersionPlan {
    /// The edits that move `ws` by `bump`. Reads every manifest; changes nothing.
    pub fn new(ws: &Workspace, bump: &Bump) -> Result<VersionPlan, VersionError> {
        let root_path = ws.root.join("Cargo.toml");
        let mut manifests = vec![read(ws, &root_path)?];
        for member in &ws.members {
            if member.manifest_path != root_path {
                manifests.push(read(ws, &member.manifest_path)?);
            }
        }
        let shared = manifests[0].shared.clone();
        let manifest_of = |path: &Path| manifests.iter().position(|manifest| manifest.path == path);

        let (mut bumped, mut kept, mut from) = (Vec::new(), Vec::new(), shared.clone());
        let higher = |from: Option<Located>, own: &Located| match from {
            Some(from) if from.version >= own.version => Some(from),
            _ => Some(own.clone()),
        };
        for member in &ws.members {
            let Some(manifest) = manifest_of(&member.manifest_path).map(|at| &manifests[at]) else {
                continue;
            };
            match (&manifest.own, member.is_publishable()) {
                (Some(own), false) => kept.push((member.name.clone(), own.version.clone())),
                (Some(own), true) => {
                    from = higher(from, own);
                    bumped.push(member.name.clone());
                }
                (None, _) if manifest.inherits => bumped.push(member.name.clone()),
                (None, _) => {}
            }
        }
        let Some(from) = from else {
            return Err(VersionError(
                "no version to bump: set `version` under [workspace.package] or in a publishable member's [package]".into(),
            ));
        };
        let to =
            bump.apply(&from.version).map_err(|err| VersionError(format!("{}: {err}", from.at)))?;
        let from = from.version;

        let internal: BTreeSet<&str> = bumped.iter().map(String::as_str).collect();
        let mut files = Vec::new();
        for (index, mut manifest) in manifests.into_iter().enumerate() {
            if index == 0 && shared.is_some() {
                set_string(&mut manifest.doc["workspace"]["package"]["version"], &to.to_string());
            }
            if manifest.own.is_some()
                && ws.members.iter().any(|member| {
                    member.manifest_path == manifest.path && internal.contains(member.name.as_str())
                })
            {
                set_string(&mut manifest.doc["package"]["version"], &to.to_string());
            }
            update_requirements(&mut manifest.doc, &internal, &to);
            let after = manifest.doc.to_string();
            if after != manifest.text {
                files.push(FileChange { path: manifest.path, before: manifest.text, after });
            }
        }
        Ok(VersionPlan { from, to, bumped, kept, files })
    }
}

/// Reads and parses a manifest; errors name the file, line and column.
fn read(ws: &Workspace, path: &Path) -> Result<Manifest, VersionError> {
    let shown = ws.relative(path);
    let text = std::fs::read_to_string(path)
        .map_err(|err| VersionError(format!("{shown}: cannot read it: {err}")))?;
    let parsed = toml_edit::Document::parse(text.as_str()).map_err(|err| {
        let (line, column) = position(&text, err.span().map_or(0, |span| span.start));
        VersionError(format!("{shown}:{line}:{column}: {}: fix the manifest", err.message().trim()))
    })?;
    let version = parsed.get("package").and_then(|package| package.get("version"));
    let inherits = version
        .and_then(Item::as_table_like)
        .and_then(|table| table.get("workspace"))
        .and_then(Item::as_bool)
        .unwrap_or(false);
    let own = string_version(&shown, &text, version)?;
    let shared =
        parsed.get("workspace").and_then(|ws| ws.get("package")).and_then(|p| p.get("version"));
    let shared = string_version(&shown, &text, shared)?;
    Ok(Manifest { path: path.to_owned(), doc: parsed.into_mut(), text, inherits, own, shared })
}

/// The version in `item` when it is a string; an error at its line when that is not SemVer.
fn string_version(
    shown: &str,
    source: &str,
    item: Option<&Item>,
) -> Result<Option<Located>, VersionError> {
    let Some((item, text)) = item.and_then(|item| Some((item, item.as_str()?))) else {
        return Ok(None);
    };
    let (line, column) = position(source, item.span().map_or(0, |span| span.start));
    let version = Version::parse(text).map_err(|err| {
        VersionError(format!(
            "{shown}:{line}:{column}: version `{text}` is not SemVer ({err}): write it as X.Y.Z"
        ))
    })?;
    Ok(Some(Located { version, at: format!("{shown}:{line}") }))
}

/// 1-based line and column of byte `offset`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
}

/// Replaces a string value, keeping the spaces and comments around it.
fn set_string(item: &mut Item, text: &str) {
    if let Some(value) = item.as_value_mut() {
        let decor = value.decor().clone();
        *value = Value::from(text);
        *value.decor_mut() = decor;
    }
}

/// Every dependency table of `doc`: top level, per target, and `[workspace.dependencies]`.
fn update_requirements(doc: &mut DocumentMut, internal: &BTreeSet<&str>, to: &Version) {
    for name in DEPENDENCY_TABLES {
        if let Some(table) = doc.get_mut(name).and_then(Item::as_table_like_mut) {
            update_table(table, internal, to);
        }
    }
    if let Some(targets) = doc.get_mut("target").and_then(Item::as_table_like_mut) {
        for (_, target) in targets.iter_mut() {
            for name in DEPENDENCY_TABLES {
                if let Some(table) = target.get_mut(name).and_then(Item::as_table_like_mut) {
                    update_table(table, internal, to);
                }
            }
        }
    }
    let workspace = doc.get_mut("workspace").and_then(|ws| ws.get_mut("dependencies"));
    if let Some(table) = workspace.and_then(Item::as_table_like_mut) {
        update_table(table, internal, to);
    }
}

/// Rewrites the `version` of each entry that names an internal crate (by key or by
/// `package`) and has a `path`.
fn update_table(table: &mut dyn TableLike, internal: &BTreeSet<&str>, to: &Version) {
    for (key, item) in table.iter_mut() {
        let Some(dep) = item.as_table_like_mut() else { continue };
        let package = dep.get("package").and_then(Item::as_str).unwrap_or(key.get()).to_owned();
        if !internal.contains(package.as_str()) || !dep.contains_key("path") {
            continue;
        }
        let Some(version) = dep.get_mut("version") else { continue };
        if let Some(new) = version.as_str().and_then(|old| requirement(old, to)) {
            set_string(version, &new);
        }
    }
}

/// The requirement `old` rewritten for `to`, keeping its operator: `"0.1.0"` gives
/// `"0.2.0"`, `"=0.1.0"` gives `"=0.2.0"`. `None` when it needs no change or is not a
/// requirement cargo would accept.
fn requirement(old: &str, to: &Version) -> Option<String> {
    let req = VersionReq::parse(old).ok()?;
    let new = match req.comparators.as_slice() {
        [single] if single.op != Op::Wildcard => {
            let operator =
                old.trim_start().split(|c: char| c.is_ascii_digit()).next().unwrap_or("");
            format!("{}{to}", operator.trim())
        }
        _ if req.matches(to) => return None,
        _ => to.to_string(),
    };
    (new != old).then_some(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requirements_keep_their_operator() {
        let to = Version::parse("0.2.0").unwrap();
        assert_eq!(requirement("0.1.0", &to).as_deref(), Some("0.2.0"));
        assert_eq!(requirement("0.1", &to).as_deref(), Some("0.2.0"));
        assert_eq!(requirement("=0.1.0", &to).as_deref(), Some("=0.2.0"));
        assert_eq!(requirement("^0.1.0", &to).as_deref(), Some("^0.2.0"));
        assert_eq!(requirement("~0.1.0", &to).as_deref(), Some("~0.2.0"));
        assert_eq!(requirement(">= 0.1.0", &to).as_deref(), Some(">=0.2.0"));
        assert_eq!(requirement("0.2.0", &to), None);
        assert_eq!(requirement(">=0.1, <0.3", &to), None);
        assert_eq!(requirement(">=0.1, <0.2", &to).as_deref(), Some("0.2.0"));
        assert_eq!(requirement("0.*", &to), None);
    }

    #[test]
    fn positions_count_lines_and_characters() {
        assert_eq!(position("a\nbé = 1\n", 6), (2, 4));
        assert_eq!(position("", 0), (1, 1));
    }
}
