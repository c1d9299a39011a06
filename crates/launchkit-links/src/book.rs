//! mdBook: which files belong to a book, and which pages its `.html` links name.
//!
//! A book is a folder with a `book.toml` whose source folder (`[book] src`, default
//! `src`) holds a `SUMMARY.md`. mdBook renders `x.md` as `x.html` and a folder's
//! `README.md` as its `index.html`, so inside a book a link to `x.html` means `x.md`.
//! Pages listed under `[output.html.redirect]` exist too: mdBook writes a redirect there.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// One mdBook book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Book {
    /// The source folder: every page lives under it and relative links resolve inside it.
    pub src: PathBuf,
    /// Pages that redirect elsewhere, as paths relative to `src` (`old/page.html`).
    redirects: HashSet<String>,
}

impl Book {
    /// The book rooted at `dir`, when `dir` holds a `book.toml` and the source folder a
    /// `SUMMARY.md`. A `book.toml` that does not parse is treated as mdBook would treat
    /// the defaults; mdBook itself would refuse it, which its own build reports.
    pub fn at(dir: &Path) -> Option<Book> {
        let manifest = std::fs::read_to_string(dir.join("book.toml")).ok()?;
        let config = manifest.parse::<toml_edit::DocumentMut>().ok();
        let src_name = config
            .as_ref()
            .and_then(|doc| doc.get("book")?.get("src")?.as_str().map(str::to_owned))
            .unwrap_or_else(|| "src".to_owned());
        let src = dir.join(src_name);
        if !src.join("SUMMARY.md").is_file() {
            return None;
        }
        let redirects = config
            .as_ref()
            .and_then(|doc| {
                doc.get("output")?.get("html")?.get("redirect")?.as_table_like().map(|table| {
                    table.iter().map(|(page, _)| page.trim_start_matches('/').to_owned()).collect()
                })
            })
            .unwrap_or_default();
        Some(Book { src, redirects })
    }

    /// The markdown source of the rendered page `page` (a path under [`Book::src`] ending
    /// in `.html`), or `None` when the book has no such page.
    pub fn source_of(&self, page: &Path) -> Option<PathBuf> {
        let stem = page.file_stem()?;
        let mut candidates = vec![page.with_extension("md")];
        if stem == "index" {
            candidates.push(page.with_file_name("README.md"));
        }
        candidates.into_iter().find(|candidate| candidate.is_file())
    }

    /// True when the book redirects `page` (under [`Book::src`]) to another page.
    pub fn redirects(&self, page: &Path) -> bool {
        let Ok(relative) = page.strip_prefix(&self.src) else {
            return false;
        };
        self.redirects.contains(relative.to_string_lossy().replace('\\', "/").as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_book(name: &str, manifest: &str) -> PathBuf {
        let dir = std::env::temp_dir()
            .join(format!("launchkit-links-book-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("pages/sub")).unwrap();
        std::fs::write(dir.join("book.toml"), manifest).unwrap();
        std::fs::write(dir.join("pages/SUMMARY.md"), "# Summary\n").unwrap();
        std::fs::write(dir.join("pages/intro.md"), "# Intro\n").unwrap();
        std::fs::write(dir.join("pages/sub/README.md"), "# Sub\n").unwrap();
        dir
    }

    #[test]
    fn maps_html_pages_to_their_sources_and_knows_redirects() {
        let dir = temp_book(
            "map",
            "[book]\nsrc = \"pages\"\n[output.html.redirect]\n\"/old.html\" = \"intro.html\"\n",
        );
        let book = Book::at(&dir).expect("a book");
        assert_eq!(book.src, dir.join("pages"));
        assert_eq!(book.source_of(&dir.join("pages/intro.html")), Some(dir.join("pages/intro.md")));
        assert_eq!(
            book.source_of(&dir.join("pages/sub/index.html")),
            Some(dir.join("pages/sub/README.md"))
        );
        assert_eq!(book.source_of(&dir.join("pages/gone.html")), None);
        assert!(book.redirects(&dir.join("pages/old.html")));
        assert!(!book.redirects(&dir.join("pages/intro.html")));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn needs_a_summary_in_the_source_folder() {
        let dir = temp_book("nosummary", "[book]\ntitle = \"x\"\n");
        assert_eq!(Book::at(&dir), None, "the default src folder has no SUMMARY.md");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
