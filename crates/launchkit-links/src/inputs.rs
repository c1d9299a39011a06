//! Which markdown files to check: the paths asked for, or every tracked markdown file and
//! the include globs; when walking a folder, never what `.gitignore` ignores, never `target/` or `.git/`, never the same file twice (a file
//! reached again through a symbolic link is read once, under the first path found).
//!
//! Walking uses the `ignore` crate (ripgrep's walker): it reads every `.gitignore` on the
//! way down and above, `.git/info/exclude` and the global excludes file with git's exact
//! precedence and negation rules, and when it follows symbolic links it recognises a
//! loop instead of descending forever.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::{Error, Options};

/// What is checked, besides every tracked markdown file, when no path is given.
pub const DEFAULT_INCLUDE: &[&str] = &["README.md", "CHANGELOG.md", "docs/**/*.md"];

/// The markdown files to check, sorted: every file of `paths` and the markdown files in
/// every folder of `paths`; when `paths` is empty, the tracked markdown files and the
/// files matching `include` (outside git, every markdown file). Files matching `exclude`
/// are left out unless named directly.
pub fn list(root: &Path, options: &Options) -> Result<Vec<PathBuf>, Error> {
    let Options { paths, include, exclude, tracked, .. } = options;
    let exclude = glob_set(exclude)?;
    let mut found = Found::default();
    if paths.is_empty() {
        let mut include = include.clone();
        match tracked {
            Some(tracked) => {
                for relative in tracked {
                    let path = root.join(relative);
                    if is_markdown(relative) && !exclude.is_match(relative) && path.is_file() {
                        found.add(path);
                    }
                }
            }
            None => include.extend(["**/*.md".to_owned(), "**/*.markdown".to_owned()]),
        }
        let globs = glob_set(&include)?;
        for base in walk_bases(&include) {
            let wanted = |relative: &Path| globs.is_match(relative) && !exclude.is_match(relative);
            let path = root.join(&base);
            if path.is_file() && wanted(&base) {
                found.add(path);
            } else if path.is_dir() {
                walk(root, &path, wanted, &mut found);
            }
        }
    }
    for path in paths {
        let path = root.join(path);
        let path = path.canonicalize().map_err(|err| {
            Error::new(format!(
                "cannot read {}: {err}: pass an existing file or folder",
                path.display()
            ))
        })?;
        if !path.starts_with(root) {
            return Err(Error::new(format!(
                "{} is outside {}: check files inside the repository",
                path.display(),
                root.display()
            )));
        }
        if path.is_dir() {
            walk(
                root,
                &path,
                |relative| is_markdown(relative) && !exclude.is_match(relative),
                &mut found,
            );
        } else {
            found.add(path);
        }
    }
    Ok(found.files.into_iter().collect())
}

/// Files found so far, each real file once.
#[derive(Default)]
struct Found {
    files: BTreeSet<PathBuf>,
    real: HashSet<PathBuf>,
}

impl Found {
    fn add(&mut self, path: PathBuf) {
        let real = path.canonicalize().unwrap_or_else(|_| path.clone());
        if self.real.insert(real) {
            self.files.insert(path);
        }
    }
}

fn glob_set(globs: &[String]) -> Result<GlobSet, Error> {
    let mut set = GlobSetBuilder::new();
    for glob in globs {
        let glob = GlobBuilder::new(glob)
            .literal_separator(true)
            .build()
            .map_err(|err| Error::new(format!("invalid glob `{glob}`: {err}")))?;
        set.add(glob);
    }
    set.build().map_err(|err| Error::new(err.to_string()))
}

/// The folders (or files) to walk for `globs`: each glob's leading literal components,
/// without those inside another.
fn walk_bases(globs: &[String]) -> Vec<PathBuf> {
    let mut bases: Vec<PathBuf> = globs
        .iter()
        .map(|glob| {
            glob.split('/').take_while(|part| !part.contains(['*', '?', '[', '{'])).collect()
        })
        .collect();
    bases.sort();
    bases.dedup();
    let mut kept: Vec<PathBuf> = Vec::new();
    for base in bases {
        if !kept.iter().any(|outer| base.starts_with(outer) && *outer != base) {
            kept.push(base);
        }
    }
    kept
}

/// Adds the files under `dir` for which `wanted(path relative to root)` holds.
fn walk(root: &Path, dir: &Path, wanted: impl Fn(&Path) -> bool, found: &mut Found) {
    let walker = ignore::WalkBuilder::new(dir)
        .hidden(false)
        .require_git(false)
        .follow_links(true)
        .sort_by_file_name(|a, b| a.cmp(b))
        .filter_entry(|entry| {
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            !(is_dir && matches!(entry.file_name().to_str(), Some("target" | ".git")))
        })
        .build();
    // Unreadable entries and symbolic link loops come as errors: there is nothing in
    // them to check.
    for entry in walker.flatten() {
        if entry.file_type().is_some_and(|kind| kind.is_file()) {
            let relative = entry.path().strip_prefix(root).unwrap_or(entry.path());
            if wanted(relative) {
                found.add(entry.into_path());
            }
        }
    }
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .is_some_and(|ext| ext.eq_ignore_ascii_case("md") || ext.eq_ignore_ascii_case("markdown"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_each_glob_from_its_literal_prefix() {
        let globs = ["README.md", "docs/**/*.md", "docs/api/*.md", "*.md", "crates/a/README.md"]
            .map(String::from);
        let bases = walk_bases(&globs);
        assert_eq!(bases, [PathBuf::new()], "the root holds every other base");
        let globs = ["README.md", "docs/**/*.md", "docs/api/*.md"].map(String::from);
        assert_eq!(walk_bases(&globs), [PathBuf::from("README.md"), PathBuf::from("docs")]);
    }
}
