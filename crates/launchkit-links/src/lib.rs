//! A markdown link checker that gets GitHub and mdBook right.
//!
//! [`check`] lists the markdown files to read ([`Options::paths`], or the tracked
//! markdown files and the [`Options::include`] globs), extracts every link with its line and column, and checks
//! each one: files and folders, fragments against GitHub's heading anchors, mdBook's
//! `.html` pages, reference definitions, `mailto:` syntax and, unless
//! [`Options::offline`], every distinct http(s) URL. Problems come back as
//! [`Finding`]s; nothing is printed.
//!
//! # Example
//!
//! A README that links to a guide's heading, to a heading the guide does not have, and
//! to a file that does not exist, checked offline:
//!
//! ```
//! use launchkit_links::{Options, check};
//!
//! let root = std::env::temp_dir().join(format!("links-doc-{}", std::process::id()));
//! std::fs::create_dir_all(root.join("docs")).unwrap();
//! std::fs::write(root.join("docs/guide.md"), "# Guide\n\n## Getting started\n").unwrap();
//! std::fs::write(
//!     root.join("README.md"),
//!     "[start](docs/guide.md#getting-started), [setup](docs/guide.md#setup), \
//!      [faq](docs/faq.md) and [the site](https://example.com)\n",
//! ).unwrap();
//!
//! let mut options = Options::new(&root);
//! options.offline = true;
//! let summary = check(&options).unwrap();
//! assert_eq!(summary.files, ["README.md", "docs/guide.md"]);
//! assert_eq!((summary.links, summary.external, summary.skipped), (4, 1, 1));
//! let problems: Vec<String> = summary.findings.iter().map(|f| f.location().unwrap()).collect();
//! assert_eq!(problems, ["README.md:1:41", "README.md:1:71"]);
//! assert!(summary.findings[0].message.contains("#setup"), "{}", summary.findings[0].message);
//! std::fs::remove_dir_all(&root).unwrap();
//! ```

/// The README's example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

mod anchors;
mod bare;
mod book;
mod config;
mod extract;
mod hash;
mod html;
pub mod http;
mod inputs;
mod lines;
mod local;
mod mailto;
pub mod slug;
mod suggest;

use std::fmt;
use std::path::{Path, PathBuf};

use launchkit_report::Finding;
use regex::Regex;

pub use config::Config;
pub use extract::{Kind, Link};
pub use http::{HostHeader, HttpOptions, Verdict};
pub use inputs::DEFAULT_INCLUDE;

/// What to check and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The repository: root-relative links start here and no link may leave it.
    pub root: PathBuf,
    /// Files and folders to check (relative to `root` or absolute); empty means the files
    /// matching `include`.
    pub paths: Vec<PathBuf>,
    /// The files git tracks, relative to `root` (as `git ls-files` lists them). When no
    /// path is given, every markdown file among them is checked, plus the files matching
    /// `include` (so a new page is checked before it is added); `None` (not a git
    /// repository) checks every markdown file under `root` that `.gitignore` does not
    /// ignore.
    pub tracked: Option<Vec<PathBuf>>,
    /// Globs relative to `root` (`*` stays within a folder, `**` crosses folders) of
    /// files checked besides the tracked ones when no path is given. Starts as
    /// [`DEFAULT_INCLUDE`].
    pub include: Vec<String>,
    /// Globs of files never checked unless named in `paths`.
    pub exclude: Vec<String>,
    /// Links whose destination matches one of these are not checked.
    pub exclude_links: Vec<Regex>,
    /// Check local targets only.
    pub offline: bool,
    /// How http(s) links are checked.
    pub http: HttpOptions,
}

impl Options {
    /// The defaults for the repository at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Options {
        Options {
            root: root.into(),
            paths: Vec::new(),
            tracked: None,
            include: DEFAULT_INCLUDE.iter().map(|glob| (*glob).to_owned()).collect(),
            exclude: Vec::new(),
            exclude_links: Vec::new(),
            offline: false,
            http: HttpOptions::default(),
        }
    }

    /// Also checks the file at `path` (relative to the root, `/`-separated) when no path
    /// is given, such as a crate's README.
    pub fn include_file(&mut self, path: &str) {
        self.include.push(globset::escape(path));
    }
}

/// What a check found, with counts for the record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Markdown files read, relative to the root.
    pub files: Vec<String>,
    /// Links found in them.
    pub links: usize,
    /// Of those, links to http(s) URLs, checked or not.
    pub external: usize,
    /// Distinct http(s) URLs requested or answered from the cache.
    pub urls: usize,
    /// Of those, answered from the cache.
    pub cached: usize,
    /// Links not checked: excluded, other schemes, or http(s) while offline.
    pub skipped: usize,
    /// The problems, sorted by file, line and column.
    pub findings: Vec<Finding>,
}

/// Why a check could not run, in one line that says what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(String);

impl Error {
    fn new(message: impl Into<String>) -> Error {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// Reads the markdown files `options` names and checks every link in them.
pub fn check(options: &Options) -> Result<Summary, Error> {
    let root = options.root.canonicalize().map_err(|err| {
        Error::new(format!(
            "cannot read {}: {err}: pass an existing folder",
            options.root.display()
        ))
    })?;
    let files = inputs::list(&root, options)?;
    let mut documents = read_all(files)?;

    let files = documents.iter().map(|(file, _)| relative(&root, file)).collect();
    let mut summary = Summary { files, ..Summary::default() };
    let mut local = local::Local::new(&root);
    for (file, document) in &mut documents {
        local.known(file.clone(), std::mem::take(&mut document.anchors));
    }
    let mut requests = Vec::new();
    for (file, document) in &documents {
        let path = relative(&root, file);
        summary.links += document.links.len();
        for link in &document.links {
            let finding = match classify(link, &options.exclude_links) {
                Target::Skipped => {
                    summary.skipped += 1;
                    None
                }
                Target::Url(url) => {
                    summary.external += 1;
                    if options.offline {
                        summary.skipped += 1;
                    } else {
                        let (path, line, column) = (path.clone(), link.line, link.column);
                        requests.push(Request { path, line, column, url });
                    }
                    None
                }
                Target::Undefined => Some(undefined_reference(&link.dest)),
                Target::Empty => Some(
                    Finding::error("empty link target")
                        .rule("links::empty")
                        .fix("write the target, or remove the link"),
                ),
                Target::Mailto => mailto::check(&link.dest),
                Target::Local => local.check(file, &link.dest),
            };
            summary.findings.extend(
                finding.map(|finding| finding.at(path.clone(), link.line).column(link.column)),
            );
        }
    }
    check_external(requests, options, &mut summary);
    summary.findings.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    Ok(summary)
}

/// Reads and parses every file, spread over the available cores.
fn read_all(files: Vec<PathBuf>) -> Result<Vec<(PathBuf, extract::Document)>, Error> {
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let chunk = files.len().div_ceil(threads).max(1);
    let read = |file: &PathBuf| {
        let text = std::fs::read_to_string(file).map_err(|err| {
            Error::new(format!(
                "cannot read {}: {err}: markdown files must be UTF-8",
                file.display()
            ))
        })?;
        Ok((file.clone(), extract::markdown(&text)))
    };
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || part.iter().map(read).collect::<Result<Vec<_>, Error>>())
            })
            .collect();
        let mut documents = Vec::with_capacity(files.len());
        for worker in workers {
            documents.extend(worker.join().expect("parsing does not panic")?);
        }
        Ok(documents)
    })
}

/// A link to an http(s) URL, where it was found.
struct Request {
    path: String,
    line: u32,
    column: u32,
    /// The URL without its fragment.
    url: String,
}

/// Requests each distinct URL once and reports every link to a failing one.
fn check_external(requests: Vec<Request>, options: &Options, summary: &mut Summary) {
    if requests.is_empty() {
        return;
    }
    let verdicts =
        http::check(requests.iter().map(|request| request.url.clone()).collect(), &options.http);
    summary.urls = verdicts.len();
    summary.cached = verdicts.values().filter(|verdict| **verdict == Verdict::Cached).count();
    for Request { path, line, column, url } in requests {
        let finding = match &verdicts[&url] {
            Verdict::Ok | Verdict::Cached => continue,
            Verdict::Broken(reason) => {
                Finding::error(format!("`{url}`: {reason}")).fix("fix or remove the link")
            }
            Verdict::Unverified(reason) => Finding::warning(format!("`{url}`: {reason}"))
                .fix("check it by hand; exclude it if it cannot be checked automatically"),
        };
        summary.findings.push(finding.rule("links::http").at(path, line).column(column));
    }
}

/// What kind of target a link has.
enum Target {
    /// Excluded, or a scheme not checked (`ftp:`, `tel:`, ...).
    Skipped,
    Undefined,
    Empty,
    /// An http(s) URL without its fragment.
    Url(String),
    Mailto,
    Local,
}

fn classify(link: &Link, excluded: &[Regex]) -> Target {
    let dest = link.dest.trim();
    if excluded.iter().any(|pattern| pattern.is_match(&link.dest)) {
        return Target::Skipped;
    }
    if link.kind == Kind::UndefinedReference {
        return Target::Undefined;
    }
    if dest.is_empty() {
        return Target::Empty;
    }
    let without_fragment = dest.split('#').next().unwrap_or(dest);
    if let Some(rest) = without_fragment.strip_prefix("//") {
        return Target::Url(format!("https://{rest}"));
    }
    // Schemes are case-insensitive; compared in place, so no link allocates for it.
    match scheme(dest) {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {
            Target::Url(without_fragment.to_owned())
        }
        Some(s) if s.eq_ignore_ascii_case("mailto") => Target::Mailto,
        Some(_) => Target::Skipped,
        None => Target::Local,
    }
}

/// The scheme of a URL as written (`https` in `https://...`); one letter is a Windows
/// drive, not a scheme.
fn scheme(dest: &str) -> Option<&str> {
    let (scheme, _) = dest.split_once(':')?;
    let valid = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

fn undefined_reference(label: &str) -> Finding {
    Finding::error(format!("`[{label}]` is used as a reference but never defined"))
        .rule("links::undefined-reference")
        .fix(format!("add a definition `[{label}]: <target>` or correct the label"))
}

/// `path` relative to `root`, with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root).unwrap_or(path).to_string_lossy().replace('\\', "/")
}
