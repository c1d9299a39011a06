//! Package checks that cargo itself does not make: metadata crates.io requires, and files
//! that should never ship in a `.crate`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use launchkit_report::Finding;
use launchkit_workspace::{Member, Workspace};

/// Above this size a binary file in a package is almost certainly a mistake.
const LARGE_BINARY: u64 = 1024 * 1024;
/// crates.io refuses uploads above 10 MiB.
const CRATES_IO_LIMIT: u64 = 10 * 1024 * 1024;

/// `description` and a license are required by crates.io; cargo only warns. A missing
/// `repository` is a warning: crates.io and docs.rs link to it, and users look for it.
pub fn missing_metadata(ws: &Workspace, member: &Member) -> Vec<Finding> {
    let manifest = ws.relative(&member.manifest_path);
    let line = package_table_line(&member.manifest_path);
    let mut findings = Vec::new();
    let mut missing = |finding: Finding, fix: &str| {
        findings.push(finding.at(&manifest, line).fix(fix.to_owned()));
    };
    let refused = |field: &str| {
        Finding::error(format!(
            "`{}` has no `{field}`: crates.io refuses to publish it",
            member.name
        ))
    };
    if member.description.as_deref().is_none_or(|text| text.trim().is_empty()) {
        missing(refused("description"), "add `description = \"...\"` under [package]");
    }
    if member.license.is_none() && member.license_file.is_none() {
        missing(
            refused("license"),
            "add `license = \"MIT OR Apache-2.0\"` (an SPDX expression) or `license-file` under [package]",
        );
    }
    if member.repository.is_none() {
        let finding = Finding::warning(format!(
            "`{}` has no `repository`: crates.io and docs.rs show no link to its source",
            member.name
        ));
        missing(finding, "add `repository = \"https://...\"` under [package]");
    }
    findings
}

/// Files in `cargo package --list` output that should not ship: environment files, keys,
/// build output, large binaries. A large file the crate's own source includes
/// (`include_bytes!`, `include_str!`) is meant to ship and is not flagged.
pub fn unwanted_files(ws: &Workspace, member: &Member, list: &str) -> Vec<Finding> {
    let included = included_files(member.dir(), list);
    list.lines()
        .filter(|entry| !entry.is_empty())
        .filter_map(|entry| {
            let path = member.dir().join(entry);
            let problem = unwanted(entry, &path, included.contains(&normalize(&path)))?;
            Some(
                Finding::error(format!("`{}` would ship {entry}: {problem}", member.name))
                    .in_file(ws.relative(&path))
                    .rule("package-contents")
                    .fix(format!("add \"{entry}\" to `exclude` under [package] in Cargo.toml, or delete the file")),
            )
        })
        .collect()
}

fn unwanted(entry: &str, path: &Path, included: bool) -> Option<String> {
    let name = entry.rsplit('/').next().unwrap_or(entry);
    if entry.starts_with("target/") {
        return Some("build output".to_owned());
    }
    if name == ".env" || name.starts_with(".env.") {
        return Some("an environment file, which usually holds secrets".to_owned());
    }
    let key_like = [".pem", ".key", ".p12", ".pfx"].iter().any(|ext| name.ends_with(ext));
    if key_like || ["id_rsa", "id_ed25519", "credentials.toml", ".npmrc", ".pypirc"].contains(&name)
    {
        return Some("a key or credentials file".to_owned());
    }
    let size = std::fs::metadata(path).ok()?.len();
    if size > CRATES_IO_LIMIT {
        return Some(format!("{} MiB, over crates.io's 10 MiB limit", size / (1024 * 1024)));
    }
    if size > LARGE_BINARY && !included && is_binary(path) {
        return Some(format!("a large binary file ({:.1} MiB)", size as f64 / (1024.0 * 1024.0)));
    }
    None
}

/// The files the packaged `.rs` files include with a literal path, relative to the
/// including file or to `CARGO_MANIFEST_DIR`.
fn included_files(dir: &Path, list: &str) -> BTreeSet<PathBuf> {
    let pattern = regex::Regex::new(
        r#"include_(?:bytes|str)!\s*\(\s*(?:"([^"]+)"|concat!\s*\(\s*env!\s*\(\s*"CARGO_MANIFEST_DIR"\s*\)\s*,\s*"([^"]+)"\s*\))"#,
    )
    .expect("a valid pattern");
    let mut included = BTreeSet::new();
    for entry in list.lines().filter(|entry| entry.ends_with(".rs")) {
        let source = dir.join(entry);
        let Ok(text) = std::fs::read_to_string(&source) else { continue };
        for found in pattern.captures_iter(&text) {
            if let Some(relative) = found.get(1) {
                let base = source.parent().unwrap_or(dir);
                included.insert(normalize(&base.join(relative.as_str())));
            } else if let Some(from_root) = found.get(2) {
                included.insert(normalize(&dir.join(from_root.as_str().trim_start_matches('/'))));
            }
        }
    }
    included
}

/// `path` with `.` and `..` resolved by name, so two spellings of one file compare equal.
fn normalize(path: &Path) -> PathBuf {
    let mut parts = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts
}

fn is_binary(path: &Path) -> bool {
    use std::io::Read;
    let mut head = [0u8; 8192];
    let read = std::fs::File::open(path).and_then(|mut file| file.read(&mut head)).unwrap_or(0);
    head[..read].contains(&0)
}

/// The line of `[package]` in a manifest, where metadata findings point.
fn package_table_line(manifest: &Path) -> u32 {
    let text = std::fs::read_to_string(manifest).unwrap_or_default();
    let index = text.lines().position(|line| line.trim() == "[package]").unwrap_or(0);
    index as u32 + 1
}
