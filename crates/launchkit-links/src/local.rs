//! Local targets: files and folders relative to the linking file or to the root,
//! mdBook pages, fragments against the target's anchors, and `mailto:` addresses.

use std::borrow::Cow;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use launchkit_report::Finding;

use crate::anchors::Anchors;
use crate::book::Book;
use crate::extract;
use crate::hash::FastMap;
use crate::suggest;

/// Resolves local links, remembering what it learned about the file system.
pub struct Local<'a> {
    root: &'a Path,
    /// The book each folder belongs to, if any.
    books: FastMap<OsString, Option<Rc<Book>>>,
    /// The last file asked about and its book: links come file by file, and walking up
    /// the folders again for each link of a file was a tenth of an offline check.
    last_book: Option<(PathBuf, Option<Rc<Book>>)>,
    /// Anchors of each file read so far; `None` for files whose anchors are unknown
    /// (neither markdown nor HTML).
    anchors: FastMap<OsString, Option<Rc<Anchors>>>,
    /// Keyed by the paths as built (all joined the same way, so equal paths are equal
    /// strings): hashing `Path`s component by component was a tenth of an unoptimized
    /// offline check.
    entries: FastMap<OsString, Entry>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Entry {
    File,
    Dir,
    Missing,
}

impl<'a> Local<'a> {
    /// A resolver for links in files under `root`.
    pub fn new(root: &'a Path) -> Local<'a> {
        Local {
            root,
            books: FastMap::default(),
            last_book: None,
            anchors: FastMap::default(),
            entries: FastMap::default(),
        }
    }

    /// Records the anchors of a file already read, so it is not read again.
    pub fn known(&mut self, path: PathBuf, anchors: Anchors) {
        self.entries.insert(path.clone().into_os_string(), Entry::File);
        self.anchors.insert(path.into_os_string(), Some(Rc::new(anchors)));
    }

    /// Checks `dest`, a link in `file` that is neither a URL nor a `mailto:`; `None` when
    /// it resolves.
    pub fn check(&mut self, file: &Path, dest: &str) -> Option<Finding> {
        let (before_fragment, fragment) = match dest.split_once('#') {
            Some((path, fragment)) => (path, Some(fragment)),
            None => (dest, None),
        };
        let (path, query) = before_fragment.split_once('?').unwrap_or((before_fragment, ""));
        if path.is_empty() {
            return self.check_fragment(file, fragment, dest);
        }
        let path = percent_decode(path);
        let root_relative = path.starts_with('/');
        let book = if root_relative { None } else { self.book_of(file) };
        let boundary = book.as_ref().map_or(self.root, |book| book.src.as_path());
        let base = if root_relative { self.root } else { file.parent().unwrap_or(self.root) };
        let Some(mut target) = join_within(boundary, base, &path) else {
            let what = if book.is_some() {
                format!("the book `{}`", self.display(boundary))
            } else {
                "the repository".to_owned()
            };
            return Some(
                Finding::warning(format!("`{dest}` leaves {what}, so it cannot be checked"))
                    .rule("links::outside")
                    .fix(
                        "link to the published page with a full https:// URL, or exclude the link",
                    ),
            );
        };
        if let Some(book) = book.filter(|_| target.extension().is_some_and(|ext| ext == "html")) {
            match book.source_of(&target) {
                Some(source) => target = source,
                // A page kept as HTML in the source folder.
                None if self.entry(&target) == Entry::File => {}
                None if book.redirects(&target) => return None,
                None => {
                    let source = self.display(&target.with_extension("md"));
                    let fix = self.nearest_file(&target.with_extension("md"));
                    return Some(missing(
                        format!("`{dest}`: the book has no page `{source}`"),
                        fix,
                    ));
                }
            }
        }
        match self.entry(&target) {
            Entry::Missing => {
                let fix = self.nearest_file(&target);
                Some(missing(format!("`{dest}`: `{}` does not exist", self.display(&target)), fix))
            }
            // GitHub shows line anchors only in the source view of a file.
            Entry::File if query.split('&').any(|pair| pair == "plain=1") => None,
            Entry::File => self.check_fragment(&target, fragment, dest),
            Entry::Dir => None,
        }
    }

    /// Checks `#fragment` against the anchors of `target`.
    fn check_fragment(
        &mut self,
        target: &Path,
        fragment: Option<&str>,
        dest: &str,
    ) -> Option<Finding> {
        let fragment = percent_decode(fragment?);
        // An empty fragment and `#top` mean the top of the page (HTML standard).
        if fragment.is_empty() || fragment.eq_ignore_ascii_case("top") {
            return None;
        }
        let anchors = self.anchors_of(target)?;
        // GitHub prefixes rendered ids with `user-content-`; links may carry it or not.
        let bare = fragment.strip_prefix("user-content-").unwrap_or(&fragment);
        if anchors.contains(&fragment) || anchors.contains(bare) {
            return None;
        }
        let fix = match suggest::nearest(bare, anchors.ordered.iter().map(String::as_str)) {
            Some(anchor) => format!("did you mean `#{anchor}`?"),
            None if anchors.ordered.is_empty() => {
                format!("`{}` has no headings or anchors", self.display(target))
            }
            None => format!(
                "use one of the anchors of `{}`, such as `#{}`",
                self.display(target),
                anchors.ordered[0]
            ),
        };
        Some(
            Finding::error(format!(
                "`{dest}`: no anchor `#{fragment}` in `{}`",
                self.display(target)
            ))
            .rule("links::missing-anchor")
            .fix(fix),
        )
    }

    /// The anchors of `path`, read once; `None` when it is neither markdown nor HTML.
    fn anchors_of(&mut self, path: &Path) -> Option<Rc<Anchors>> {
        if let Some(known) = self.anchors.get(path.as_os_str()) {
            return known.clone();
        }
        let ext = path.extension().and_then(|ext| ext.to_str()).map(str::to_ascii_lowercase);
        let read = |parse: fn(&str) -> Anchors| {
            std::fs::read_to_string(path).ok().map(|text| Rc::new(parse(&text)))
        };
        let anchors = match ext.as_deref() {
            Some("md" | "markdown") => read(|text| extract::markdown(text).anchors),
            Some("html" | "htm") => read(Anchors::from_html),
            _ => None,
        };
        self.anchors.insert(path.as_os_str().to_owned(), anchors.clone());
        anchors
    }

    /// The book `file` belongs to: the nearest folder at or above it, up to the root,
    /// that is a book whose source folder holds `file`.
    fn book_of(&mut self, file: &Path) -> Option<Rc<Book>> {
        if let Some((last, book)) = &self.last_book
            && last == file
        {
            return book.clone();
        }
        let book = self.find_book(file);
        self.last_book = Some((file.to_owned(), book.clone()));
        book
    }

    fn find_book(&mut self, file: &Path) -> Option<Rc<Book>> {
        let mut dir = file.parent()?;
        loop {
            let book = match self.books.get(dir.as_os_str()) {
                Some(book) => book.clone(),
                None => {
                    let book = Book::at(dir).map(Rc::new);
                    self.books.insert(dir.as_os_str().to_owned(), book.clone());
                    book
                }
            };
            if let Some(book) = book.filter(|book| file.starts_with(&book.src)) {
                return Some(book);
            }
            if dir == self.root {
                return None;
            }
            dir = dir.parent()?;
        }
    }

    fn entry(&mut self, path: &Path) -> Entry {
        // Looked up before inserting: most links go to a path seen before, and copying
        // the path for `entry()` on every link was a tenth of an offline check.
        if let Some(entry) = self.entries.get(path.as_os_str()) {
            return *entry;
        }
        let entry = match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => Entry::Dir,
            Ok(_) => Entry::File,
            Err(_) => Entry::Missing,
        };
        self.entries.insert(path.as_os_str().to_owned(), entry);
        entry
    }

    /// "did you mean" for a missing file: the closest name in its folder.
    fn nearest_file(&self, missing: &Path) -> Option<String> {
        let wanted = missing.file_name()?.to_str()?;
        let names: Vec<String> = std::fs::read_dir(missing.parent()?)
            .ok()?
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .collect();
        let name = suggest::nearest(wanted, names.iter().map(String::as_str))?;
        Some(format!("did you mean `{}`?", self.display(&missing.with_file_name(name))))
    }

    /// `path` relative to the root, with `/` separators.
    fn display(&self, path: &Path) -> String {
        crate::relative(self.root, path)
    }
}

fn missing(message: String, fix: Option<String>) -> Finding {
    let finding = Finding::error(message).rule("links::missing-file");
    match fix {
        Some(fix) => finding.fix(fix),
        None => finding,
    }
}

/// `base` joined with the `/`-separated `relative`, with `.` and `..` resolved; `None`
/// when the result would leave `boundary` (which `base` is under).
fn join_within(boundary: &Path, base: &Path, relative: &str) -> Option<PathBuf> {
    let mut parts: Vec<&str> = Vec::new();
    let inside = base.strip_prefix(boundary).ok()?;
    let inside: Vec<&str> = inside.iter().filter_map(|part| part.to_str()).collect();
    for part in inside.into_iter().chain(relative.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    // One buffer for the whole path, not one per part.
    let mut path = PathBuf::with_capacity(boundary.as_os_str().len() + relative.len() + 64);
    path.push(boundary);
    parts.iter().for_each(|part| path.push(part));
    Some(path)
}

/// Decodes `%XX` escapes; invalid escapes stay as written. Borrows `text` when it has
/// none, as most links do.
pub fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains('%') {
        return Cow::Borrowed(text);
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = || {
            std::str::from_utf8(bytes.get(i + 1..i + 3)?)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        };
        match (bytes[i], hex()) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_without_leaving_the_boundary() {
        let root = Path::new("/r");
        assert_eq!(
            join_within(root, Path::new("/r/docs"), "../a/./b.md"),
            Some(PathBuf::from("/r/a/b.md"))
        );
        assert_eq!(
            join_within(root, Path::new("/r/docs"), "x//y/"),
            Some(PathBuf::from("/r/docs/x/y"))
        );
        assert_eq!(join_within(root, Path::new("/r/docs"), "../../out.md"), None);
        assert_eq!(join_within(root, Path::new("/r"), "a/../../b"), None);
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("my%20file.md"), "my file.md");
        assert_eq!(percent_decode("caf%C3%A9"), "café");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
