//! Which files are scanned, scanning a tree of them, and environment files that should
//! never be committed.

use std::path::Path;

use launchkit_report::Finding;

use super::{Scanner, Secret};

/// Lock files are generated and full of checksums; nobody types a secret into one.
const LOCK_FILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lockb",
    "Gemfile.lock",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "composer.lock",
    "go.sum",
    "flake.lock",
    "mix.lock",
    "pubspec.lock",
    "Podfile.lock",
];

/// Endings of `.env.*` files that are templates, meant to be committed.
const ENV_TEMPLATES: &[&str] = &["example", "sample", "template", "dist", "defaults", "schema"];

/// The outcome of scanning a set of files.
#[derive(Debug, Default)]
pub struct TreeScan {
    /// The secrets found, by file then line.
    pub secrets: Vec<Secret>,
    /// Files scanned.
    pub files: usize,
    /// Bytes scanned.
    pub bytes: u64,
    /// Files left out: lock files, binary files, and paths that are not readable files
    /// (submodules, files deleted but not yet staged).
    pub skipped: usize,
}

/// True for lock files, which are not scanned.
pub fn is_lock_file(path: &str) -> bool {
    let name = file_name(path);
    LOCK_FILES.contains(&name) || name.ends_with(".lock")
}

/// True when `content` is binary: it has a NUL byte in its first 8 KiB, as git decides.
pub fn is_binary(content: &[u8]) -> bool {
    content[..content.len().min(8192)].contains(&0)
}

/// True for `.env` and `.env.<environment>` files, which hold real values; templates such
/// as `.env.example` are meant to be committed.
pub fn is_env_file(path: &str) -> bool {
    let name = file_name(path);
    match name.strip_prefix(".env") {
        Some("") => true,
        Some(rest) => rest.strip_prefix('.').is_some_and(|suffix| !ENV_TEMPLATES.contains(&suffix)),
        None => false,
    }
}

/// Scans `paths` (relative to `root`, as `git ls-files` lists them), skipping lock files,
/// binary files and paths that cannot be read as files.
pub fn scan_files(scanner: &Scanner, root: &Path, paths: &[String]) -> TreeScan {
    let mut scan = TreeScan::default();
    for path in paths {
        // Lock files are left out by name, before reading them: they are often the
        // largest files of a repository.
        let content = match (!is_lock_file(path)).then(|| std::fs::read(root.join(path))) {
            Some(Ok(content)) if !is_binary(&content) => content,
            _ => {
                scan.skipped += 1;
                continue;
            }
        };
        let text = String::from_utf8_lossy(&content);
        scan.files += 1;
        scan.bytes += content.len() as u64;
        scan.secrets.extend(scanner.scan(path, &text));
    }
    scan
}

/// Environment files: committed ones are errors (their values are in the history), and
/// untracked ones that .gitignore does not cover are warnings (one `git add .` away).
pub fn env_findings(tracked: &[String], untracked_not_ignored: &[String]) -> Vec<Finding> {
    let committed = tracked.iter().filter(|path| is_env_file(path)).map(|path| {
        Finding::error(format!("environment file {path} is committed"))
            .in_file(path)
            .rule("env-file")
            .fix(format!(
                "revoke the values it holds, run `git rm --cached {path}`, add `{}` to .gitignore, and commit a \
                 `.env.example` with placeholders instead",
                file_name(path)
            ))
    });
    let exposed = untracked_not_ignored.iter().filter(|path| is_env_file(path)).map(|path| {
        Finding::warning(format!("environment file {path} is not covered by .gitignore"))
            .in_file(path)
            .rule("env-file")
            .fix(format!(
                "add `{}` to .gitignore so that `git add .` cannot commit it",
                file_name(path)
            ))
    });
    committed.chain(exposed).collect()
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_files_and_templates() {
        for path in [".env", "app/.env", ".env.local", ".env.production"] {
            assert!(is_env_file(path), "{path}");
        }
        for path in [".env.example", "config/.env.sample", ".envrc", "env", "src/env.rs"] {
            assert!(!is_env_file(path), "{path}");
        }
    }

    #[test]
    fn lock_files_are_recognised() {
        assert!(is_lock_file("Cargo.lock"));
        assert!(is_lock_file("web/package-lock.json"));
        assert!(!is_lock_file("src/lock.rs"));
    }
}
