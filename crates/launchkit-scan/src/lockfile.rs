//! Cargo.lock: the exact version of every package the workspace builds, and where each
//! comes from.

use semver::Version;

use crate::toml_reader::{self, Table};

/// crates.io's index, as Cargo.lock names it with the git protocol and the sparse one.
const CRATES_IO_SOURCES: &[&str] =
    &["registry+https://github.com/rust-lang/crates.io-index", "sparse+https://index.crates.io/"];

/// A parsed Cargo.lock.
#[derive(Debug, Clone, Default)]
pub struct Lockfile {
    /// Every `[[package]]`, in file order.
    pub packages: Vec<LockedPackage>,
}

/// One `[[package]]` of Cargo.lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedPackage {
    /// Package name.
    pub name: String,
    /// Locked version.
    pub version: Version,
    /// `registry+...`, `sparse+...` or `git+...`; `None` for workspace and path packages.
    pub source: Option<String>,
    /// Its dependencies as Cargo.lock writes them: `name`, or `name version` (and
    /// ` (source)`) when the name alone is ambiguous.
    pub dependencies: Vec<String>,
    /// 1-based line of its `[[package]]` header.
    pub line: u32,
}

impl LockedPackage {
    /// True when it comes from crates.io, the registry RustSec and the sparse index cover.
    pub fn is_crates_io(&self) -> bool {
        self.source.as_deref().is_some_and(|source| CRATES_IO_SOURCES.contains(&source))
    }
}

impl Lockfile {
    /// Parses the text of a Cargo.lock; the error says what is wrong and where.
    pub fn parse(text: &str) -> Result<Lockfile, String> {
        let tables = toml_reader::parse(text)?;
        let not_tables = tables[0].get("package").is_some()
            || tables.iter().any(|table| !table.array && table.path == ["package"]);
        if not_tables {
            return Err("`package` is not an array of tables ([[package]])".to_owned());
        }
        let packages = tables
            .iter()
            .filter(|table| table.array && table.path == ["package"])
            .map(package)
            .collect::<Result<_, _>>()?;
        Ok(Lockfile { packages })
    }

    /// The package called `name` at `version`.
    pub fn find(&self, name: &str, version: &Version) -> Option<&LockedPackage> {
        self.packages.iter().find(|package| package.name == name && package.version == *version)
    }

    /// The packages that `parent`'s dependencies called `name` resolve to: one, or
    /// several when it depends on two versions under different names.
    pub fn dependencies<'a>(
        &'a self,
        parent: &'a LockedPackage,
        name: &'a str,
    ) -> impl Iterator<Item = &'a LockedPackage> {
        parent
            .dependencies
            .iter()
            .filter(move |entry| entry.split(' ').next() == Some(name))
            .filter_map(|entry| self.resolve(entry))
    }

    /// The package a dependency entry (`name`, `name version`, `name version (source)`)
    /// names.
    pub fn resolve(&self, entry: &str) -> Option<&LockedPackage> {
        let mut parts = entry.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next().and_then(|version| Version::parse(version).ok());
        let source =
            parts.next().map(|source| source.trim_start_matches('(').trim_end_matches(')'));
        self.packages.iter().find(|package| {
            package.name == name
                && version.as_ref().is_none_or(|version| package.version == *version)
                && source.is_none_or(|source| package.source.as_deref() == Some(source))
        })
    }
}

fn package(table: &Table) -> Result<LockedPackage, String> {
    let line = table.line;
    let string = |key: &str| table.str(key).map(str::to_owned);
    let name = string("name").ok_or_else(|| format!("line {line}: [[package]] has no `name`"))?;
    let version = string("version")
        .ok_or_else(|| format!("line {line}: package `{name}` has no `version`"))?;
    let version = Version::parse(&version)
        .map_err(|err| format!("line {line}: package `{name}` version `{version}`: {err}"))?;
    let dependencies = table.strings("dependencies");
    Ok(LockedPackage { name, version, source: string("source"), dependencies, line })
}

/// toml_edit errors span several lines with a source excerpt; one line is enough here.
pub(crate) fn one_line(error: &str) -> String {
    let lines: Vec<&str> = error
        .lines()
        .map(str::trim)
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with('|')
                && !line.chars().next().is_some_and(|c| c.is_ascii_digit())
        })
        .collect();
    lines.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = ["itoa 0.4.8", "itoa 1.0.1 (registry+https://github.com/rust-lang/crates.io-index)", "local"]

[[package]]
name = "itoa"
version = "0.4.8"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "itoa"
version = "1.0.1"
source = "registry+https://github.com/rust-lang/crates.io-index"

[[package]]
name = "local"
version = "0.2.0"
"#;

    #[test]
    fn dependencies_resolve_to_their_locked_package() {
        let lock = Lockfile::parse(LOCK).unwrap();
        let app = &lock.packages[0];
        assert_eq!(app.line, 3);
        let itoa =
            lock.packages.iter().filter(|p| p.name == "itoa").map(|p| p.line).collect::<Vec<_>>();
        assert_eq!(itoa, [8, 13]);
        let versions: Vec<String> =
            lock.dependencies(app, "itoa").map(|p| p.version.to_string()).collect();
        assert_eq!(versions, ["0.4.8", "1.0.1"]);
        let local = lock.dependencies(app, "local").next().unwrap();
        assert!(!local.is_crates_io());
        assert!(lock.packages[1].is_crates_io());
    }

    #[test]
    fn a_broken_lockfile_is_one_line() {
        let err = Lockfile::parse("[[package]]\nname = \"x\"\n").unwrap_err();
        assert_eq!(err, "line 1: package `x` has no `version`");
        assert!(!Lockfile::parse("[[package]\n").unwrap_err().contains('\n'));
        let err = Lockfile::parse("[package]\nname = \"x\"\n").unwrap_err();
        assert_eq!(err, "`package` is not an array of tables ([[package]])");
    }
}
