//! Every kind of link, fine and broken, checked offline in a copy of tests/data/fixture
//! that also holds what must never be read: a git-ignored folder, `target/`, and a
//! symbolic link loop.

use std::path::{Path, PathBuf};

use launchkit_links::{Options, Summary, check};
use launchkit_testkit::fixture::copy_dir;

/// A fresh copy of the fixture named `name`, with the files git cannot hold.
fn fixture(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("links-fixtures").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/fixture"), &dir);
    for ignored in ["docs/ignored/notes.md", "target/notes.md"] {
        let path = dir.join(ignored);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, "# Never read\n\n[broken](nowhere.md)\n").unwrap();
    }
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", dir.join("docs/loop")).unwrap();
    dir
}

fn run(root: &Path, paths: &[&str]) -> Summary {
    let mut options = Options::new(root);
    options.paths = paths.iter().map(PathBuf::from).collect();
    options.offline = true;
    check(&options).unwrap()
}

fn lines(summary: &Summary) -> Vec<String> {
    summary
        .findings
        .iter()
        .map(|finding| {
            let fix = finding.fix.as_deref().map(|fix| format!(" | {fix}")).unwrap_or_default();
            let rule = finding.rule.as_deref().unwrap_or("-");
            format!(
                "{} {} {rule}: {}{fix}",
                finding.location().unwrap(),
                finding.severity.as_str(),
                finding.message
            )
        })
        .collect()
}

#[test]
fn outside_git_every_markdown_file_is_read() {
    let root = fixture("defaults");
    let summary = run(&root, &[]);
    // Not docs/ignored/ (.gitignore), not target/, not docs/loop/... (a symbolic link back up).
    assert_eq!(
        summary.files,
        [
            "CHANGELOG.md",
            "README.md",
            "book/src/SUMMARY.md",
            "book/src/broken.md",
            "book/src/chapter.md",
            "book/src/sub/README.md",
            "docs/broken.md",
            "docs/guide.md",
            "docs/sub/README.md",
            "docs/with space.md"
        ]
    );
}

#[test]
fn in_git_the_tracked_markdown_files_are_read_and_the_include_globs() {
    let root = fixture("tracked");
    let mut options = Options::new(&root);
    options.offline = true;
    // As `git ls-files` lists them: a deleted file, a file that is not markdown, a file
    // added before .gitignore ignored it (git still tracks it), an excluded one.
    let tracked = [
        "book/src/chapter.md",
        "deleted.md",
        "docs/ignored/notes.md",
        "docs/guide.md",
        "archive/old.md",
        "Cargo.toml",
    ];
    options.tracked = Some(tracked.iter().map(PathBuf::from).collect());
    options.exclude = vec!["archive/**".to_owned()];
    std::fs::create_dir_all(root.join("archive")).unwrap();
    std::fs::write(root.join("archive/old.md"), "[gone](gone.md)\n").unwrap();
    let summary = check(&options).unwrap();
    // README.md, CHANGELOG.md and the rest of docs/ are untracked here: the default
    // include globs still read them; book/src/broken.md is neither tracked nor included.
    assert_eq!(
        summary.files,
        [
            "CHANGELOG.md",
            "README.md",
            "book/src/chapter.md",
            "docs/broken.md",
            "docs/guide.md",
            "docs/ignored/notes.md",
            "docs/sub/README.md",
            "docs/with space.md"
        ]
    );
}

#[test]
fn a_folder_is_walked_without_target_ignored_files_or_symlink_loops() {
    let root = fixture("walk");
    let summary = run(&root, &["."]);
    assert_eq!(
        summary.files,
        [
            "CHANGELOG.md",
            "README.md",
            "book/src/SUMMARY.md",
            "book/src/broken.md",
            "book/src/chapter.md",
            "book/src/sub/README.md",
            "docs/broken.md",
            "docs/guide.md",
            "docs/sub/README.md",
            "docs/with space.md",
        ]
    );
}

#[test]
fn every_fine_link_passes() {
    let root = fixture("fine");
    let readme = run(&root, &["README.md"]);
    assert_eq!(readme.links, 38, "every link of README.md is found, none in code or comments");
    assert_eq!(readme.skipped, 1, "the ftp:// link");
    assert_eq!(lines(&readme), Vec::<String>::new());
    let others = run(
        &root,
        &["CHANGELOG.md", "docs/guide.md", "docs/sub", "book/src/chapter.md", "book/src/sub"],
    );
    assert_eq!(others.links, 7);
    assert_eq!(lines(&others), Vec::<String>::new());
}

#[test]
fn every_broken_link_is_reported_with_its_fix() {
    let root = fixture("broken");
    let summary = run(&root, &["docs/broken.md", "book/src/broken.md"]);
    let outside_fix = "link to the published page with a full https:// URL, or exclude the link";
    let expected = [
        "book/src/broken.md:3:1 error links::missing-file: `nothing.html`: the book has no page `book/src/nothing.md`".to_owned(),
        "book/src/broken.md:3:31 error links::missing-anchor: `chapter.html#nowhere`: no anchor `#nowhere` in `book/src/chapter.md` | use one of the anchors of `book/src/chapter.md`, such as `#chapter`".to_owned(),
        format!("book/src/broken.md:4:1 warning links::outside: `../../README.md` leaves the book `book/src`, so it cannot be checked | {outside_fix}"),
        "docs/broken.md:5:3 error links::missing-file: `nope.md`: `docs/nope.md` does not exist".to_owned(),
        "docs/broken.md:6:3 error links::missing-file: `gude.md`: `docs/gude.md` does not exist | did you mean `docs/guide.md`?".to_owned(),
        "docs/broken.md:7:3 error links::missing-anchor: `guide.md#instalation`: no anchor `#instalation` in `docs/guide.md` | did you mean `#installation`?".to_owned(),
        "docs/broken.md:8:3 error links::missing-anchor: `#brokn`: no anchor `#brokn` in `docs/broken.md` | did you mean `#broken`?".to_owned(),
        "docs/broken.md:10:3 error links::missing-anchor: `page.html#nothere`: no anchor `#nothere` in `docs/page.html` | use one of the anchors of `docs/page.html`, such as `#intro`".to_owned(),
        "docs/broken.md:11:3 error links::missing-file: `/nope/x.md`: `nope/x.md` does not exist".to_owned(),
        format!("docs/broken.md:12:3 warning links::outside: `../../outside.md` leaves the repository, so it cannot be checked | {outside_fix}"),
        "docs/broken.md:13:3 error links::undefined-reference: `[nowhere]` is used as a reference but never defined | add a definition `[nowhere]: <target>` or correct the label".to_owned(),
        "docs/broken.md:13:28 error links::undefined-reference: `[undefined collapsed]` is used as a reference but never defined | add a definition `[undefined collapsed]: <target>` or correct the label".to_owned(),
        "docs/broken.md:14:3 error links::empty: empty link target | write the target, or remove the link".to_owned(),
        "docs/broken.md:15:3 error links::mailto: `mailto:nobody` is not a valid email address | write it as `mailto:name@example.com`".to_owned(),
        "docs/broken.md:15:33 error links::mailto: `mailto:a@-x.org` is not a valid email address | write it as `mailto:name@example.com`".to_owned(),
        "docs/broken.md:16:3 error links::missing-file: `missing.png`: `docs/missing.png` does not exist".to_owned(),
        "docs/broken.md:17:3 error links::missing-file: `gone.md`: `docs/gone.md` does not exist".to_owned(),
        "docs/broken.md:17:39 error links::missing-file: `gone.png`: `docs/gone.png` does not exist".to_owned(),
        "docs/broken.md:18:3 error links::missing-file: `missing-ref.md`: `docs/missing-ref.md` does not exist".to_owned(),
        "docs/broken.md:19:3 error links::missing-file: `../book/src/chapter.html`: `book/src/chapter.html` does not exist | did you mean `book/src/chapter.md`?".to_owned(),
    ];
    assert_eq!(lines(&summary), expected);
}

#[test]
fn excluded_links_and_files_are_left_out() {
    let root = fixture("exclude");
    let mut options = Options::new(&root);
    options.offline = true;
    options.exclude = vec!["docs/sub/*.md".to_owned()];
    options.exclude_links = vec![regex::Regex::new(r"nope|^mailto:").unwrap()];
    let summary = check(&options).unwrap();
    assert!(!summary.files.contains(&"docs/sub/README.md".to_owned()));
    let broken: Vec<String> = lines(&summary)
        .into_iter()
        .filter(|line| line.contains("nope") || line.contains("mailto"))
        .collect();
    assert_eq!(broken, Vec::<String>::new());
    // Excluded: nope.md, /nope/x.md, 2 mailto links in broken.md, 3 in README.md; offline:
    // the changelog's https link; and the ftp:// link.
    assert_eq!(summary.skipped, 9);
}

#[test]
fn include_globs_add_files() {
    let root = fixture("include");
    let mut options = Options::new(&root);
    options.offline = true;
    options.include.push("book/**/*.md".to_owned());
    let summary = check(&options).unwrap();
    assert!(summary.files.contains(&"book/src/SUMMARY.md".to_owned()), "{:?}", summary.files);
    assert_eq!(summary.files.len(), 10);
}

#[test]
fn bad_input_says_what_to_do() {
    let root = fixture("bad");
    let mut options = Options::new(&root);
    options.paths = vec!["nothing-here".into()];
    let err = check(&options).unwrap_err().to_string();
    assert!(
        err.contains("nothing-here") && err.ends_with("pass an existing file or folder"),
        "{err}"
    );
    options.paths = vec!["..".into()];
    let err = check(&options).unwrap_err().to_string();
    assert!(err.ends_with("check files inside the repository"), "{err}");
    options.paths.clear();
    options.include = vec!["docs/[".to_owned()];
    let err = check(&options).unwrap_err().to_string();
    assert!(err.starts_with("invalid glob `docs/[`"), "{err}");
}
