//! `cargo xtask links` and the preflight step `links` on a fixture workspace: what is
//! read by default, exit codes, JSON output, the configuration, and offline by default.

use std::net::TcpListener;

use crate::support::{Fixture, Run};

/// The clean fixture (which has a changelog) with a README, a docs page and a crate
/// README, one link broken.
fn documented() -> Fixture {
    let fixture = Fixture::new("clean");
    let write = |path: &str, text: &str| {
        let path = fixture.root.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "README.md",
        "# Fixture\n\nSee [the guide](docs/guide.md#usage) and [core](core/README.md).\n",
    );
    write("docs/guide.md", "# Guide\n\n## Usage\n\nBack to the [readme](../README.md#fixture).\n");
    write("core/README.md", "# core\n\nThe [guide](../CONTRIBUTING.md) is missing.\n");
    fixture.commit("docs");
    fixture
}

fn findings(run: &Run) -> Vec<String> {
    let report = run.json();
    report["steps"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{}:{}:{} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["column"],
                f["rule"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_broken_link_fails_with_its_location_in_every_format() {
    let fixture = documented();
    let before = fixture.snapshot();
    let run = fixture.xtask(&["links", "--offline", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(findings(&run), ["core/README.md:3:5 links::missing-file"]);
    assert_eq!(
        run.json()["steps"][0]["reason"],
        "1 broken link; 2 http(s) links not checked offline"
    );

    let github = fixture.xtask(&["links", "--offline", "--format", "github"]);
    assert_eq!(github.code, 1);
    assert!(
        github.stdout.contains("::error file=core/README.md,line=3,col=5"),
        "{}",
        github.stdout
    );
    let human = fixture.xtask(&["links", "--offline"]);
    assert!(human.stderr.contains("checked 6 links in 4 files"), "{}", human.stderr);
    assert!(
        human.stderr.contains("core/README.md:3:5: error[links::missing-file]"),
        "{}",
        human.stderr
    );
    assert_eq!(fixture.snapshot(), before, "read-only");
}

#[test]
fn paths_replace_the_defaults_and_bad_ones_are_one_line_errors() {
    let fixture = documented();
    fixture.write("notes/todo.md", "[broken](nowhere.md)\n");
    let run = fixture.xtask(&["links", "notes", "--format", "json"]);
    assert_eq!(run.code, 1);
    assert_eq!(findings(&run), ["notes/todo.md:1:1 links::missing-file"]);
    let fine = fixture.xtask(&["links", "README.md", "docs", "--format", "json"]);
    assert_eq!((fine.code, findings(&fine)), (0, vec![]), "{}", fine.stderr);

    let missing = fixture.xtask(&["links", "nope.md"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.trim().ends_with("pass an existing file or folder"),
        "{}",
        missing.stderr
    );
    assert_eq!(missing.stderr.trim().lines().count(), 1);

    fixture
        .xtask(&["links", "--offline", "--no-cache"])
        .assert_refused("--no-cache asks every URL again and --offline asks none");
    let outside = fixture.xtask(&["links", "README.md", "../elsewhere"]);
    assert_eq!((outside.code, outside.stderr.lines().count()), (2, 1), "{}", outside.stderr);
    assert!(outside.stderr.contains("elsewhere is outside the workspace"), "{}", outside.stderr);
}

#[test]
fn the_configuration_excludes_files_and_a_typo_is_an_error() {
    let fixture = documented();
    let config = "\n[workspace.metadata.launchkit.links]\nexclude = [\"core/*.md\"]\n";
    let manifest = std::fs::read_to_string(fixture.root.join("Cargo.toml")).unwrap();
    std::fs::write(fixture.root.join("Cargo.toml"), manifest.clone() + config).unwrap();
    let run = fixture.xtask(&["links", "--offline", "--format", "json"]);
    assert_eq!((run.code, findings(&run)), (0, vec![]), "{}", run.stderr);

    std::fs::write(
        fixture.root.join("Cargo.toml"),
        manifest + "\n[workspace.metadata.launchkit.links]\noffline = true\n",
    )
    .unwrap();
    let typo = fixture.xtask(&["links"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr
            .starts_with("error: unknown key `offline` in [workspace.metadata.launchkit.links]"),
        "{}",
        typo.stderr
    );
}

#[test]
fn every_tracked_markdown_file_is_read_unless_excluded() {
    let fixture = documented();
    fixture.write("guide/src/intro.md", "# Intro\n\n[Setup](setup.md)\n");
    fixture.write("book/chapter.markdown", "# Chapter\n\n[Intro](../guide/src/intro.md#intro)\n");
    fixture.write("core/doc/design.md", "# Design\n\n[Old](old-design.md)\n");
    fixture.write("archive/2019.md", "[gone](gone.md)\n");
    fixture.write(".gitignore", "/scratch.md\n");
    fixture.commit("more docs");
    // Untracked files outside README.md, CHANGELOG.md and docs/ (notes/) and ignored
    // ones (scratch.md) are not read; a new page under docs/ is, before it is added.
    fixture.write("notes/todo.md", "[broken](nowhere.md)\n");
    fixture.write("scratch.md", "[broken](nowhere.md)\n");
    fixture.write("docs/new.md", "# New\n\n[Guide](guide.md#usage)\n");
    let config = "\n[workspace.metadata.launchkit.links]\nexclude = [\"archive/**\"]\n";
    let manifest = fixture.read("Cargo.toml");
    fixture.write("Cargo.toml", manifest + config);

    let run = fixture.xtask(&["links", "--offline", "--verbose"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let read: Vec<&str> =
        run.stderr.lines().filter_map(|line| line.strip_prefix("read ")).collect();
    assert_eq!(
        read,
        [
            "CHANGELOG.md",
            "README.md",
            "book/chapter.markdown",
            "core/README.md",
            "core/doc/design.md",
            "docs/guide.md",
            "docs/new.md",
            "guide/src/intro.md",
        ]
    );
    assert!(run.stderr.contains("checked 10 links in 8 files"), "{}", run.stderr);
    let json = fixture.xtask(&["links", "--offline", "--format", "json"]);
    assert_eq!(
        findings(&json),
        [
            "core/README.md:3:5 links::missing-file",
            "core/doc/design.md:3:1 links::missing-file",
            "guide/src/intro.md:3:1 links::missing-file",
        ]
    );
    let quiet = fixture.xtask(&["links", "--offline"]);
    assert!(!quiet.stderr.contains("read "), "{}", quiet.stderr);
}

/// A URL on 127.0.0.1 where nothing listens.
fn refused_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    format!("http://{}/", listener.local_addr().unwrap())
}

/// No retries, and the fixture changelog's example.com links left out.
const LINKS_CONFIG: &str = "\n[workspace.metadata.launchkit.links]\nretries = 0\nexclude-links = ['^https://example\\.com/']\n";

#[test]
fn preflight_checks_http_links_only_when_online() {
    let fixture = documented();
    fixture.edit(
        "core/README.md",
        "[guide](../CONTRIBUTING.md)",
        &format!("[server]({})", refused_url()),
    );
    let manifest = std::fs::read_to_string(fixture.root.join("Cargo.toml")).unwrap();
    std::fs::write(fixture.root.join("Cargo.toml"), manifest + LINKS_CONFIG).unwrap();
    fixture.commit("a link to a server");

    let offline = fixture.xtask(&["preflight", "--only", "links", "--format", "json"]);
    assert_eq!(offline.code, 0, "{}", offline.stderr);
    let step = &offline.json()["steps"][0];
    assert_eq!(
        (step["status"].as_str(), step["reason"].as_str()),
        (Some("passed"), Some("1 http(s) links not checked offline"))
    );

    let online = fixture.xtask(&[
        "preflight",
        "--only",
        "links",
        "--online",
        "--no-cache",
        "--format",
        "json",
    ]);
    assert_eq!(online.code, 0, "a URL that cannot be verified warns: {}", online.stderr);
    let step = &online.json()["steps"][0];
    assert_eq!(step["status"], "warning");
    assert_eq!(findings(&online), ["core/README.md:3:5 links::http"]);
    let strict =
        fixture.xtask(&["preflight", "--only", "links", "--online", "--no-cache", "--strict"]);
    assert_eq!(strict.code, 1, "strict mode fails on the warning");
}

#[test]
fn an_online_pass_is_checked_again_next_time() {
    let server =
        launchkit_testkit::HttpServer::start(|_| launchkit_testkit::server::json(200, "{}"));
    let fixture = documented();
    fixture.edit(
        "core/README.md",
        "[guide](../CONTRIBUTING.md)",
        &format!("[server]({}/)", server.url()),
    );
    let manifest = std::fs::read_to_string(fixture.root.join("Cargo.toml")).unwrap();
    std::fs::write(fixture.root.join("Cargo.toml"), manifest + LINKS_CONFIG).unwrap();
    fixture.commit("a link to a live server");

    for run in ["first", "second"] {
        let online =
            fixture.xtask(&["preflight", "--only", "links", "--online", "--format", "json"]);
        let step = &online.json()["steps"][0];
        assert_eq!(step["status"], "passed", "{run} run: {}", online.stdout);
        assert_eq!(step["cached"], false, "{run} run: link rot does not change the files");
    }
}

#[test]
fn an_offline_pass_is_not_reused_online() {
    let server =
        launchkit_testkit::HttpServer::start(|_| launchkit_testkit::server::json(404, "{}"));
    let fixture = documented();
    fixture.edit(
        "core/README.md",
        "[guide](../CONTRIBUTING.md)",
        &format!("[gone]({}/gone)", server.url()),
    );
    let manifest = std::fs::read_to_string(fixture.root.join("Cargo.toml")).unwrap();
    std::fs::write(fixture.root.join("Cargo.toml"), manifest + LINKS_CONFIG).unwrap();
    fixture.commit("a link that answers 404");

    let offline = fixture.xtask(&["preflight", "--only", "links", "--format", "json"]);
    assert_eq!(offline.json()["steps"][0]["status"], "passed", "{}", offline.stdout);

    let online = fixture.xtask(&["preflight", "--only", "links", "--online", "--format", "json"]);
    let step = &online.json()["steps"][0];
    assert_eq!((&step["status"], &step["cached"]), (&"failed".into(), &false.into()));
    assert_eq!(findings(&online), ["core/README.md:3:5 links::http"]);
    assert_eq!(online.code, 1);
}

#[test]
fn a_huge_number_of_findings_is_capped_with_a_count_of_the_rest() {
    let fixture = documented();
    let many: String = (0..3000).map(|n| format!("[{n}](missing-{n}.md)\n")).collect();
    fixture.write("docs/many.md", many);
    fixture.commit("3000 broken links");
    let run = fixture.xtask(&["links", "--offline", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let found = &run.json()["steps"][0]["findings"];
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1001);
    let last = &found[1000];
    assert_eq!((&last["severity"], &last["rule"]), (&"note".into(), &"report::capped".into()));
    assert_eq!(last["message"], "2001 more findings left out of this report");
    let human = fixture.xtask(&["links", "--offline"]);
    assert!(human.stderr.len() < 200_000, "{} bytes", human.stderr.len());
    assert!(human.stderr.contains("2001 more findings left out"), "{}", human.stderr);
}
