//! A RustSec advisory database on disk: `crates/<package>/RUSTSEC-*.md` for crates, and
//! `rust/<component>/*.md` for the toolchain, which no Cargo.lock lists.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::advisory::Advisory;
use crate::date::Day;

/// Every advisory of a database directory.
#[derive(Debug, Default)]
pub struct Database {
    /// Advisories about crates, the ones a Cargo.lock can match.
    pub crates: Vec<Advisory>,
    /// Advisories about the toolchain (`rust/`), loaded to check the whole database.
    pub toolchain: Vec<Advisory>,
    /// Files that could not be read or parsed, with the reason; they are left out.
    pub errors: Vec<(PathBuf, String)>,
    by_package: HashMap<String, Vec<usize>>,
}

impl Database {
    /// Loads the database in `dir`. Only a missing or unreadable `crates/` folder is an
    /// error; a broken advisory is recorded in [`Database::errors`] and skipped.
    pub fn load(dir: &Path) -> Result<Database, String> {
        let crates_dir = dir.join("crates");
        if !crates_dir.is_dir() {
            return Err(format!(
                "{} is not a RustSec advisory database: it has no crates/ folder",
                dir.display()
            ));
        }
        let crate_files = advisory_files(&crates_dir)
            .map_err(|err| format!("cannot read {}: {err}", crates_dir.display()))?;
        let toolchain_files = advisory_files(&dir.join("rust")).unwrap_or_default();
        Ok(Database::from_files(&crate_files, &toolchain_files))
    }

    /// Loads only the advisories about `packages`, the folders `crates/<name>/` of the
    /// database in `dir`: all an audit of a Cargo.lock reads, and for most lockfiles a
    /// small part of the database, since parsing every advisory is most of an audit's
    /// time. Toolchain advisories are left out, and [`Database::errors`] covers the files
    /// read only.
    pub fn load_for<'a>(
        dir: &Path,
        packages: impl IntoIterator<Item = &'a str>,
    ) -> Result<Database, String> {
        let crates_dir = dir.join("crates");
        if !crates_dir.is_dir() {
            return Err(format!(
                "{} is not a RustSec advisory database: it has no crates/ folder",
                dir.display()
            ));
        }
        let mut names: Vec<&str> = packages.into_iter().collect();
        names.sort_unstable();
        names.dedup();
        let mut files = Vec::new();
        for name in names {
            // A package without advisories has no folder; a name that is not a plain
            // folder name cannot have one either.
            if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
                continue;
            }
            let Ok(entries) = std::fs::read_dir(crates_dir.join(name)) else { continue };
            let mut found: Vec<PathBuf> = entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
                .collect();
            found.sort();
            files.extend(found);
        }
        Ok(Database::from_files(&files, &[]))
    }

    fn from_files(crate_files: &[PathBuf], toolchain_files: &[PathBuf]) -> Database {
        let mut db = Database::default();
        db.crates = parse_all(crate_files, &mut db.errors);
        db.toolchain = parse_all(toolchain_files, &mut db.errors);
        for (index, advisory) in db.crates.iter().enumerate() {
            db.by_package.entry(advisory.package.clone()).or_default().push(index);
        }
        db
    }

    /// The advisories about `package`.
    pub fn for_package(&self, package: &str) -> impl Iterator<Item = &Advisory> {
        let indexes = self.by_package.get(package).map_or(&[][..], Vec::as_slice);
        indexes.iter().map(|&index| &self.crates[index])
    }

    /// How many advisories were loaded.
    pub fn len(&self) -> usize {
        self.crates.len() + self.toolchain.len()
    }

    /// True when nothing was loaded.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The date of the newest advisory: the database cannot be older than its content.
    pub fn newest(&self) -> Option<Day> {
        self.crates.iter().chain(&self.toolchain).map(|advisory| advisory.date).max()
    }
}

/// `<dir>/<name>/*.md`, sorted so that loading is deterministic.
fn advisory_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let package_dir = entry?.path();
        let Ok(entries) = std::fs::read_dir(&package_dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().is_some_and(|ext| ext == "md") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Parses every file, on all cores: parsing a thousand TOML documents is most of the
/// time an audit takes.
fn parse_all(files: &[PathBuf], errors: &mut Vec<(PathBuf, String)>) -> Vec<Advisory> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(8);
    let chunk = files.len().div_ceil(threads).max(1);
    let results: Vec<Vec<Result<Advisory, (PathBuf, String)>>> = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|chunk| scope.spawn(move || chunk.iter().map(|path| parse_file(path)).collect()))
            .collect();
        workers.into_iter().map(|worker| worker.join().unwrap_or_default()).collect()
    });
    let mut advisories = Vec::with_capacity(files.len());
    for result in results.into_iter().flatten() {
        match result {
            Ok(advisory) => advisories.push(advisory),
            Err(error) => errors.push(error),
        }
    }
    advisories
}

fn parse_file(path: &Path) -> Result<Advisory, (PathBuf, String)> {
    let text = std::fs::read_to_string(path).map_err(|err| (path.to_owned(), err.to_string()))?;
    Advisory::parse(&text).map_err(|err| (path.to_owned(), err))
}

/// `$CARGO_HOME/advisory-db`, where cargo-audit keeps the database too.
pub fn default_path() -> PathBuf {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::home_dir().map(|home| home.join(".cargo")))
        .unwrap_or_else(|| PathBuf::from(".cargo"));
    cargo_home.join("advisory-db")
}
