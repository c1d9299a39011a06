//! Documentation trees checked offline with mdBook resolution: a small book written for
//! these tests (`tests/data/book`, every case the real books show: `.html` links to `.md`
//! pages, anchors, images, links to sibling books), and in the opt-in suite
//! (`cargo xtask test --corpora DIR`) the real trees `DIR/book` and `DIR/rust-by-example`.
//! Every finding accepted here was checked by hand against the tree.

use std::path::{Path, PathBuf};

use launchkit_links::{Options, Summary, check};

/// The real documentation tree `name` of the opt-in corpora.
fn corpus(name: &str) -> PathBuf {
    let dir = launchkit_testkit::corpora::corpus(name);
    assert!(dir.join("src/SUMMARY.md").is_file(), "{} is not an mdBook", dir.display());
    dir
}

/// The small book of `tests/data`.
fn small_book() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/book")
}

fn check_offline(root: &Path) -> Summary {
    let mut options = Options::new(root);
    options.paths = vec!["src".into()];
    options.offline = true;
    check(&options).unwrap()
}

/// `path:line:column destination` of each finding with `rule`.
fn found(summary: &Summary, rule: &str) -> Vec<String> {
    summary
        .findings
        .iter()
        .filter(|finding| finding.rule.as_deref() == Some(rule))
        .map(|finding| {
            let dest = finding.message.split('`').nth(1).unwrap_or_default();
            format!("{} {dest}", finding.location().unwrap())
        })
        .collect()
}

/// Images the book shows from src/img/, a folder the corpus does not include: they are
/// truly missing from this tree.
const BOOK_MISSING_IMAGES: &[&str] = &[
    "src/ch00-00-introduction.md:189:3 img/ferris/does_not_compile.svg",
    "src/ch00-00-introduction.md:190:3 img/ferris/panics.svg",
    "src/ch00-00-introduction.md:191:3 img/ferris/not_desired_behavior.svg",
    "src/ch04-01-what-is-ownership.md:275:1 img/trpl04-01.svg",
    "src/ch04-01-what-is-ownership.md:295:1 img/trpl04-02.svg",
    "src/ch04-01-what-is-ownership.md:307:1 img/trpl04-03.svg",
    "src/ch04-01-what-is-ownership.md:345:1 img/trpl04-04.svg",
    "src/ch04-01-what-is-ownership.md:377:1 img/trpl04-05.svg",
    "src/ch04-02-references-and-borrowing.md:29:1 img/trpl04-06.svg",
    "src/ch04-03-slices.md:133:1 img/trpl04-07.svg",
    "src/ch14-02-publishing-to-crates-io.md:50:1 img/trpl14-01.png",
    "src/ch14-02-publishing-to-crates-io.md:143:1 img/trpl14-02.png",
    "src/ch14-02-publishing-to-crates-io.md:192:1 img/trpl14-03.png",
    "src/ch14-02-publishing-to-crates-io.md:239:1 img/trpl14-04.png",
    "src/ch15-01-box.md:186:1 img/trpl15-01.svg",
    "src/ch15-01-box.md:243:1 img/trpl15-02.svg",
    "src/ch15-04-rc.md:42:1 img/trpl15-03.svg",
    "src/ch15-06-reference-cycles.md:76:1 img/trpl15-04.svg",
    "src/ch17-00-async-await.md:111:1 img/trpl17-01.svg",
    "src/ch17-00-async-await.md:123:1 img/trpl17-02.svg",
    "src/ch17-00-async-await.md:138:1 img/trpl17-03.svg",
    "src/ch17-05-traits-for-async.md:276:1 img/trpl17-04.svg",
    "src/ch17-05-traits-for-async.md:293:1 img/trpl17-05.svg",
    "src/ch17-05-traits-for-async.md:314:1 img/trpl17-06.svg",
    "src/ch17-05-traits-for-async.md:330:1 img/trpl17-07.svg",
    "src/ch17-05-traits-for-async.md:381:1 img/trpl17-08.svg",
    "src/ch17-05-traits-for-async.md:395:1 img/trpl17-09.svg",
    "src/ch21-00-final-project-a-web-server.md:19:1 img/trpl21-01.png",
];

/// Links to the sibling books mdBook publishes beside this one (std, reference, nomicon,
/// unstable-book): they leave the book, so they are reported as such, not as missing.
const BOOK_OUTSIDE: &[&str] = &[
    "src/appendix-01-keywords.md:55:25 ../reference/items/unions.html",
    "src/appendix-03-derivable-traits.md:18:13 ../std/index.html",
    "src/ch02-00-guessing-game-tutorial.md:95:30 ../std/prelude/index.html",
    "src/ch02-00-guessing-game-tutorial.md:158:1 ../std/string/struct.String.html",
    "src/ch02-00-guessing-game-tutorial.md:184:1 ../std/io/struct.Stdin.html",
    "src/ch02-00-guessing-game-tutorial.md:187:51 ../std/io/struct.Stdin.html#method.read_line",
    "src/ch02-00-guessing-game-tutorial.md:232:54 ../std/result/enum.Result.html",
    "src/ch02-00-guessing-game-tutorial.md:246:38 ../std/result/enum.Result.html#method.expect",
    "src/ch02-00-guessing-game-tutorial.md:704:5 ../std/primitive.str.html#method.parse",
    "src/ch03-01-variables-and-mutability.md:109:30 ../reference/const_eval.html",
    "src/ch05-02-example-structs.md:114:11 ../std/macro.println.html",
    "src/ch05-02-example-structs.md:196:73 ../std/macro.dbg.html",
    "src/ch05-02-example-structs.md:238:59 ../reference/attributes.html",
    "src/ch06-01-defining-an-enum.md:109:63 ../std/net/enum.IpAddr.html",
    "src/ch06-01-defining-an-enum.md:234:24 ../std/option/enum.Option.html",
    "src/ch06-01-defining-an-enum.md:315:19 ../std/option/enum.Option.html",
    "src/ch07-04-bringing-paths-into-scope-with-the-use-keyword.md:310:52 ../std/prelude/index.html#other-preludes",
    "src/ch08-00-common-collections.md:20:5 ../std/collections/index.html",
    "src/ch08-01-vectors.md:155:74 ../nomicon/vec/vec.html",
    "src/ch08-01-vectors.md:233:11 ../std/vec/struct.Vec.html",
    "src/ch09-02-recoverable-errors-with-result.md:534:57 ../std/process/trait.Termination.html",
    "src/ch10-03-lifetime-syntax.md:636:5 ../reference/trait-bounds.html",
    "src/ch11-01-writing-tests.md:111:1 ../unstable-book/library-features/test.html",
    "src/ch13-01-closures.md:58:51 ../std/option/enum.Option.html#method.unwrap_or_else",
    "src/ch15-06-reference-cycles.md:317:27 ../nomicon/index.html",
    "src/ch16-03-shared-state.md:182:19 ../std/sync/atomic/index.html",
    "src/ch16-03-shared-state.md:223:39 ../std/sync/atomic/index.html",
    "src/ch16-04-extensible-concurrency-sync-and-send.md:74:72 ../nomicon/index.html",
    "src/ch20-01-unsafe-rust.md:337:50 ../reference/items/external-blocks.html#abi",
    "src/ch20-01-unsafe-rust.md:498:28 ../reference/items/unions.html",
    "src/ch20-05-macros.md:113:64 ../reference/macros-by-example.html",
    "src/ch21-02-multithreaded.md:472:3 ../std/thread/struct.Builder.html",
    "src/ch21-02-multithreaded.md:473:3 ../std/thread/struct.Builder.html#method.spawn",
];

#[test]
fn a_small_book_checks_offline_with_mdbook_pages() {
    let summary = check_offline(&small_book());
    assert_eq!(summary.files.len(), 6);
    assert_eq!((summary.links, summary.external), (25, 3));
    let missing =
        ["src/ch03-structs.md:5:1 img/struct.svg", "src/introduction.md:4:1 img/ferris-panics.svg"];
    assert_eq!(found(&summary, "links::missing-file"), missing);
    let outside = [
        "src/appendix-keywords.md:5:14 ../reference/items/unions.html",
        "src/ch01-getting-started.md:6:1 ../std/prelude/index.html",
        "src/ch02-data-types.md:5:19 ../reference/types/boolean.html",
        "src/ch02-data-types.md:11:28 ../std/vec/struct.Vec.html",
    ];
    assert_eq!(found(&summary, "links::outside"), outside);
    assert_eq!(summary.findings.len(), missing.len() + outside.len(), "no other finding");
}

#[test]
fn a_broken_copy_of_the_small_book_is_caught() {
    let copy = copy_book(&small_book(), "links-small-book");
    break_link(
        &copy.join("src/ch03-structs.md"),
        "ch02-data-types.html#the-tuple-type",
        "ch02-data-types.html#the-tupel-type",
    );
    std::fs::remove_file(copy.join("src/appendix-keywords.md")).unwrap();

    let summary = check_offline(&copy);
    assert_eq!(
        found(&summary, "links::missing-anchor"),
        ["src/ch03-structs.md:3:18 ch02-data-types.html#the-tupel-type"]
    );
    assert_eq!(anchor_fixes(&summary), ["did you mean `#the-tuple-type`?"]);
    let pages: Vec<String> = found(&summary, "links::missing-file")
        .into_iter()
        .filter(|line| line.contains("appendix"))
        .collect();
    assert_eq!(
        pages,
        [
            "src/SUMMARY.md:8:3 appendix-keywords.md",
            "src/ch03-structs.md:7:65 appendix-keywords.html#keywords-currently-in-use",
        ]
    );
}

/// A copy of the book at `source` (book.toml and src/, one level deep) to break.
fn copy_book(source: &Path, name: &str) -> PathBuf {
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(copy.join("src")).unwrap();
    std::fs::copy(source.join("book.toml"), copy.join("book.toml")).unwrap();
    for entry in std::fs::read_dir(source.join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, copy.join("src").join(path.file_name().unwrap())).unwrap();
        }
    }
    copy
}

fn break_link(chapter: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(chapter).unwrap();
    let broken = text.replace(from, to);
    assert_ne!(text, broken);
    std::fs::write(chapter, broken).unwrap();
}

/// The fixes of the missing-anchor findings.
fn anchor_fixes(summary: &Summary) -> Vec<String> {
    summary
        .findings
        .iter()
        .filter(|f| f.rule.as_deref() == Some("links::missing-anchor"))
        .map(|f| f.fix.clone().unwrap())
        .collect()
}

#[test]
#[ignore = "real-world corpus: run `cargo xtask test --corpora DIR`"]
fn the_book_checks_offline_with_mdbook_pages() {
    let summary = check_offline(&corpus("book"));
    assert_eq!(summary.files.len(), 112);
    assert_eq!(summary.links, 459);
    assert_eq!(summary.external, 105);
    assert_eq!(found(&summary, "links::missing-file"), BOOK_MISSING_IMAGES);
    assert_eq!(found(&summary, "links::outside"), BOOK_OUTSIDE);
    assert_eq!(
        summary.findings.len(),
        BOOK_MISSING_IMAGES.len() + BOOK_OUTSIDE.len(),
        "no other finding"
    );
    assert!(
        summary.findings.iter().all(|finding| {
            finding.path.as_deref().is_some_and(|path| path.starts_with("src/"))
        })
    );
}

#[test]
#[ignore = "real-world corpus: run `cargo xtask test --corpora DIR`"]
fn rust_by_example_checks_offline_without_findings() {
    let summary = check_offline(&corpus("rust-by-example"));
    assert_eq!(summary.files.len(), 198);
    assert_eq!(summary.links, 626);
    assert_eq!(summary.external, 222);
    assert_eq!(summary.findings, []);
}

#[test]
#[ignore = "real-world corpus: run `cargo xtask test --corpora DIR`"]
fn a_broken_copy_of_the_book_is_caught() {
    // The clean result above means something only if breakage in the same tree shows.
    let copy = copy_book(&corpus("book"), "links-corpus-book");
    break_link(
        &copy.join("src/ch05-01-defining-structs.md"),
        "ch03-02-data-types.html#the-tuple-type",
        "ch03-02-data-types.html#the-tupel-type",
    );
    std::fs::remove_file(copy.join("src/ch04-03-slices.md")).unwrap();

    let summary = check_offline(&copy);
    let anchors = found(&summary, "links::missing-anchor");
    assert_eq!(
        anchors,
        [
            "src/ch05-01-defining-structs.md:3:45 ch03-02-data-types.html#the-tupel-type",
            "src/ch05-01-defining-structs.md:202:17 ch03-02-data-types.html#the-tupel-type"
        ]
    );
    assert_eq!(anchor_fixes(&summary), ["did you mean `#the-tuple-type`?"; 2]);
    let pages: Vec<String> = found(&summary, "links::missing-file")
        .into_iter()
        .filter(|line| line.contains("ch04-03"))
        .collect();
    assert_eq!(
        pages,
        [
            "src/SUMMARY.md:24:5 ch04-03-slices.md",
            "src/ch10-03-lifetime-syntax.md:125:39 ch04-03-slices.html#string-slices-as-parameters",
            "src/ch20-01-unsafe-rust.md:262:13 ch04-03-slices.html#the-slice-type",
            "src/ch20-03-advanced-types.md:243:1 ch04-03-slices.html#string-slices",
        ]
    );
}
