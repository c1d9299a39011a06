//! Releases that go through: the dry run, the executed release and everything it leaves,
//! the development environment, a pre-release whose forge release already existed.

use launchkit_testkit::Faults;
use serde_json::Value;

use crate::forge::REPO;
use crate::support::{CRATES, GITHUB_TOKEN, Setup};

/// The notes of 0.2.0 in the fixture's changelog.
pub const NOTES: &str = "### Added\n\n- `demo_app::three`.";

#[test]
fn a_dry_run_prints_the_plan_and_changes_nothing() {
    let setup = Setup::new(Faults::none());
    let before = setup.snapshot();
    let run = setup.release(&["minor"]).success();
    assert_eq!(setup.snapshot(), before, "the repository, the remote or the registry changed");
    assert!(setup.forge.writes().is_empty(), "the forge was written to: {:?}", setup.forge.log());
    assert_eq!(setup.registry.proxy().unwrap().upload_attempts(), 0);

    let plan = &run.stdout;
    for expected in [
        "release 0.1.0 -> 0.2.0 to staging, dated 2025-06-02\n",
        "-version = \"0.1.0\"\n+version = \"0.2.0\"\n",
        "+demo-core = { path = \"core\", version = \"0.2.0\", registry = \"lk\" }\n",
        "+## [0.2.0] - 2025-06-02\n",
        "$ cargo update --workspace\n",
        "2. commit   to do  git commit -m \"chore: release version 0.2.0\"\n",
        "3. tag      to do  git tag -a v0.2.0, with the release notes as its message:\n    | ### Added\n",
        "4. push     to do  git push --atomic origin HEAD:refs/heads/main refs/tags/v0.2.0\n",
        "5. publish  to do  0.2.0 to `lk` in this order (one batch after the other): demo-core; demo-util; demo-app\n",
        "6. forge    to do  GitHub release v0.2.0 on acme/demo with the release notes, then 4 assets attached: demo-core-0.2.0.crate, demo-util-0.2.0.crate, demo-app-0.2.0.crate, SHA256SUMS\n",
        "7. docs     to do  sh -c 'test ! -e ../docs-hook.fail",
        "8. record   to do  a `release` record in refs/notes/launchkit on the release commit, pushed to origin\n",
    ] {
        assert!(plan.contains(expected), "the plan lacks {expected:?}:\n{run}");
    }
    assert!(
        run.stderr.contains("ok      preflight  13 steps passed (0 from the cache)\n"),
        "{run}"
    );
    assert!(
        run.stderr.ends_with("dry run: nothing was changed; add --execute to release\n"),
        "{run}"
    );
}

#[test]
fn an_executed_release_ships_everything_once_and_records_it() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let run = setup.release(&["minor", "--execute"]).success();
    assert!(run.stdout.contains("\nreleased 0.2.0 to staging: tag v0.2.0 in "), "{run}");
    assert_released(&setup, &start);

    // Once more: everything is found done, nothing is done twice.
    let again = setup.release(&["minor", "--execute"]).success();
    assert!(again.stdout.contains("resume the release of 0.2.0 to staging"), "{again}");
    assert!(again.stdout.contains("0.2.0 was already released to staging"), "{again}");
    assert_released(&setup, &start);

    // The same version to another environment (production, pointed at the test registry):
    // it resumes the release commit instead of bumping, and only records a deployment.
    let args = ["release", "minor", "--env", "production", "--date", "2025-06-02", "--execute"];
    let promoted = setup.xtask(&args, &[("LAUNCHKIT_REGISTRY", "lk")]).success();
    assert!(promoted.stdout.contains("released 0.2.0 to production"), "{promoted}");
    let note = setup.git(&["notes", "--ref=launchkit", "show", "HEAD"]);
    let records: Vec<Value> =
        note.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
    let environments: Vec<&str> =
        records.iter().map(|r| r["environment"].as_str().unwrap()).collect();
    assert_eq!(environments, ["staging", "production"]);
    let statuses: Vec<&str> = records[1]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["done", "found", "found", "found", "found", "found", "found", "off"]);
    assert_eq!(setup.uploads().len(), 3);
    assert_eq!(setup.forge.writes().len(), 6, "a draft, 4 assets, published");
}

/// Everything a finished release of 0.2.0 leaves, each exactly once.
pub fn assert_released(setup: &Setup, start: &str) {
    let repo = setup.repo();
    let read = |path: &str| std::fs::read_to_string(repo.join(path)).unwrap();
    assert!(read("Cargo.toml").contains("version = \"0.2.0\"\n"));
    assert!(read("Cargo.toml").contains("demo-util = { path = \"util\", version = \"0.2.0\""));
    assert!(
        read("CHANGELOG.md").contains("## [Unreleased]\n\n## [0.2.0] - 2025-06-02\n\n### Added")
    );
    assert!(read("Cargo.lock").contains("name = \"demo-app\"\nversion = \"0.2.0\""));
    assert_eq!(setup.git(&["status", "--porcelain"]), "", "the tree is clean");

    // One release commit on top of the start, tagged with the notes.
    let head = setup.git(&["rev-parse", "HEAD"]);
    assert_eq!(
        setup.git(&["log", "--format=%s", &format!("{start}..HEAD")]),
        "chore: release version 0.2.0"
    );
    assert_eq!(setup.git(&["rev-parse", "HEAD~1"]), start);
    assert_eq!(setup.git(&["cat-file", "-t", "v0.2.0"]), "tag");
    assert_eq!(setup.git(&["rev-parse", "v0.2.0^{commit}"]), head);
    assert_eq!(setup.git(&["tag", "-l", "--format=%(contents)", "v0.2.0"]), NOTES);
    assert_eq!(setup.git(&["show", "-s", "--format=%B", "HEAD"]), "chore: release version 0.2.0");

    // The remote has the branch, the tag and the log.
    let tag = setup.git(&["rev-parse", "v0.2.0"]);
    assert_eq!(setup.remote_git(&["rev-parse", "main"]), head);
    assert_eq!(setup.remote_git(&["rev-parse", "v0.2.0"]), tag);
    let notes = setup.git(&["rev-parse", "refs/notes/launchkit"]);
    assert_eq!(setup.remote_git(&["rev-parse", "refs/notes/launchkit"]), notes);

    // Every crate on the registry, uploaded once, in dependency order.
    let expected: Vec<String> = CRATES.iter().map(|name| format!("{name}@0.2.0")).collect();
    assert_eq!(setup.uploads(), expected);
    for name in CRATES {
        assert_eq!(setup.registry.versions(name), ["0.2.0"], "{name}");
    }

    // One GitHub release with the notes, made with the token.
    let releases = setup.forge.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!(releases[0]["tag_name"], "v0.2.0");
    assert_eq!(releases[0]["body"], NOTES);
    assert_eq!(
        (releases[0]["draft"].clone(), releases[0]["prerelease"].clone()),
        (Value::Bool(false), Value::Bool(false))
    );
    // Created as a draft, given the crates and SHA256SUMS, then published (forge.rs).
    let writes = setup.forge.writes();
    assert_eq!(writes.first(), Some(&format!("POST /repos/{REPO}/releases")), "{writes:?}");
    assert_eq!(writes.last(), Some(&format!("PATCH /repos/{REPO}/releases/1")), "{writes:?}");
    assert_eq!(releases[0]["assets"].as_array().unwrap().len(), 4);
    for logged in setup.forge.log() {
        assert_eq!(logged.header("authorization"), Some(format!("Bearer {GITHUB_TOKEN}").as_str()));
        assert_eq!(logged.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(logged.header("x-github-api-version"), Some("2022-11-28"));
    }
    let post = setup.forge.log().into_iter().find(|logged| logged.method == "POST").unwrap();
    assert_eq!(post.header("content-type"), Some("application/json"));
    assert_eq!(
        post.body,
        serde_json::json!({ "tag_name": "v0.2.0", "name": "v0.2.0", "body": NOTES, "draft": true, "prerelease": false })
    );

    // The docs hook ran once.
    let log = std::fs::read_to_string(setup.dir.path().join("docs-hook.log")).unwrap();
    assert_eq!(log, "v0.2.0 staging no registry token\n");

    // One deployment record on the release commit.
    let note = setup.git(&["notes", "--ref=launchkit", "show", "HEAD"]);
    assert_eq!(note.lines().count(), 1, "{note}");
    let record: Value = serde_json::from_str(&note).unwrap();
    assert_eq!(record["action"], "release");
    assert_eq!(record["version"], "0.2.0");
    assert_eq!(record["environment"], "staging");
    assert_eq!(record["registry"], "lk");
    assert_eq!(record["tag"], "v0.2.0");
    assert_eq!(record["commit"], head.as_str());
    assert_eq!(record["by"], "Rel Ease");
    assert_eq!(record["ci"], false);
    let crates = record["crates"].as_array().unwrap();
    for (entry, name) in crates.iter().zip(CRATES) {
        let index: Value = serde_json::from_str(&setup.registry.index_file(name).unwrap()).unwrap();
        assert_eq!((entry["name"].as_str(), &entry["checksum"]), (Some(name), &index["cksum"]));
    }
    let steps: Vec<(&str, &str)> = record["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| (step["name"].as_str().unwrap(), step["status"].as_str().unwrap()))
        .collect();
    let names: Vec<&str> = steps.iter().map(|(name, _)| *name).collect();
    assert_eq!(names, ["checks", "write", "commit", "tag", "push", "publish", "forge", "docs"]);
    // `found` when a killed run did the step but died before noting it.
    assert!(steps.iter().all(|(_, status)| ["done", "found"].contains(status)), "{steps:?}");
    assert!(record["started"].as_str().unwrap() <= record["finished"].as_str().unwrap());
    assert!(!setup.repo().join(".git/launchkit/release.json").exists(), "the journal is gone");
}

#[test]
fn a_first_development_release_commits_and_tags_locally_and_touches_nothing_else() {
    let setup = Setup::new(Faults::none());
    let remote = setup.remote_git(&["for-each-ref"]);
    let manifest = setup.git(&["show", "HEAD:Cargo.toml"]);
    // The manifests' 0.1.0 was never released: it is released as it is.
    let args = ["release", "0.1.0", "--env", "development", "--date", "2025-06-03", "--execute"];
    let run = setup.xtask(&args, &[]).success();
    let header =
        "release 0.1.0 (the manifests' version, never released) to development, dated 2025-06-03\n";
    assert!(run.stdout.starts_with(header), "{run}");
    assert_eq!(setup.git(&["show", "HEAD:Cargo.toml"]), manifest);
    assert!(setup.git(&["show", "HEAD:CHANGELOG.md"]).contains("## [0.1.0] - 2025-06-03"));
    for off in ["push     off", "publish  off", "forge    off", "docs     off"] {
        assert!(run.stderr.contains(off), "{off}:\n{run}");
    }
    assert_eq!(setup.git(&["log", "-1", "--format=%s"]), "chore: release version 0.1.0");
    assert_eq!(setup.git(&["rev-parse", "v0.1.0^{commit}"]), setup.git(&["rev-parse", "HEAD"]));
    assert_eq!(setup.remote_git(&["for-each-ref"]), remote, "nothing was pushed");
    assert!(setup.uploads().is_empty() && setup.forge.log().is_empty());
    let record: Value =
        serde_json::from_str(&setup.git(&["notes", "--ref=launchkit", "show", "v0.1.0^{}"]))
            .unwrap();
    assert_eq!(
        (record["environment"].as_str(), &record["registry"]),
        (Some("development"), &Value::Null)
    );
    assert_eq!(
        record["crates"][0],
        serde_json::json!({ "name": "demo-app", "version": "0.1.0", "checksum": null })
    );
}

#[test]
fn a_pre_release_takes_over_a_draft_forge_release_of_its_tag() {
    let setup = Setup::new(Faults::none());
    // Someone drafted the release by hand: GitHub hides drafts from the tag look-up, so
    // the draft is found in the list, given its assets and published.
    setup.forge.add_release("v0.1.1-rc.1", "draft notes", true);
    setup.release(&["rc", "--execute"]).success();
    let releases = setup.forge.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    let release = &releases[0];
    assert_eq!(
        (release["draft"].as_bool(), release["prerelease"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(release["body"], NOTES);
    let log: Vec<String> = setup
        .forge
        .log()
        .iter()
        .map(|logged| format!("{} {} {}", logged.method, logged.path, logged.status))
        .collect();
    let base = format!("/repos/{REPO}/releases");
    let uploads = format!("POST /uploads{base}/1/assets?name=");
    assert_eq!(
        log[log.len() - 7..],
        [
            format!("GET {base}/tags/v0.1.1-rc.1 404"),
            format!("GET {base}?per_page=100&page=1 200"),
            format!("{uploads}demo-core-0.1.1-rc.1.crate 201"),
            format!("{uploads}demo-util-0.1.1-rc.1.crate 201"),
            format!("{uploads}demo-app-0.1.1-rc.1.crate 201"),
            format!("{uploads}SHA256SUMS 201"),
            format!("PATCH {base}/1 200"),
        ]
    );
    assert_eq!(setup.registry.versions("demo-core"), ["0.1.1-rc.1"]);

    // Someone edited the release on GitHub: running the release again puts the notes back.
    setup.forge.edit("v0.1.1-rc.1", "edited by hand");
    let again = setup.release(&["rc", "--execute"]).success();
    assert!(
        again.stderr.contains(
            "[6/8] forge    done   updated https://github.com/acme/demo/releases/tag/v0.1.1-rc.1"
        ),
        "{again}"
    );
    assert_eq!(setup.forge.releases()[0]["body"], NOTES);
    assert_eq!(setup.forge.writes().last().unwrap(), &format!("PATCH {base}/1"));
    assert_eq!(setup.uploads().len(), 3, "nothing published twice");
}

#[test]
fn the_plan_says_how_long_publishing_takes_under_the_rate_limits() {
    let setup = Setup::new(Faults::none());
    let args = ["release", "minor", "--env", "staging", "--date", crate::support::MONDAY];
    let limits = [("LAUNCHKIT_RATE_LIMIT_NEW_CRATES", "2/10m")];
    let run = setup.xtask(&args, &limits).success();
    assert!(
        run.stdout.contains("5. publish  to do  0.2.0 to `lk` in this order (one batch after the other): demo-core; demo-util; demo-app; pacing: 3 new crates and 0 new versions under `lk`'s limits (new crates: 2 then 1 per 10m; new versions: no limit): the last upload starts about 10m after the first\n"),
        "{run}"
    );
    let bad = setup.xtask(&args, &[("LAUNCHKIT_RATE_LIMIT_NEW_CRATES", "5 per hour")]).code(2);
    assert!(
        bad.stderr.contains("error: rate-limit-new-crates of environment `staging`: `5 per hour` is not a rate limit: write BURST/INTERVAL, such as `5/10m` (5 at once, then 1 every 10 minutes), or `none`\n"),
        "{bad}"
    );
}
