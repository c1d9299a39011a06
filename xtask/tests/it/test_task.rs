//! `cargo xtask test` on fixture workspaces: every binary runs and the failures end in
//! one summary; the opt-in suite's flags.

use crate::support::Fixture;

/// The real registry server, so the task finds it instead of installing it.
fn server() -> String {
    let server = launchkit_testkit::registry::find_binary();
    server.expect("set FERRO_CARGO_REGISTRY_SERVER").display().to_string()
}

#[test]
fn corpora_runs_the_ignored_tests_with_the_folder_in_the_environment() {
    let fixture = Fixture::new("clean");
    fixture.write("data/corpora/book/src/SUMMARY.md", "# Summary\n");
    fixture.write(
        "core/tests/corpus.rs",
        "#[test]\n#[ignore = \"opt-in\"]\nfn reads_the_corpora() {\n    \
         let dir = std::env::var(\"LAUNCHKIT_CORPORA\").expect(\"LAUNCHKIT_CORPORA\");\n    \
         assert!(std::path::Path::new(&dir).join(\"book/src/SUMMARY.md\").is_file(), \"{dir}\");\n}\n",
    );
    fixture.commit("an opt-in test");
    let server = server();
    let env = [("FERRO_CARGO_REGISTRY_SERVER", server.as_str())];

    let default = fixture.xtask_env(&["test", "--test", "corpus"], &env);
    assert_eq!(default.code, 0, "{}{}", default.stdout, default.stderr);
    let first = "first build: about ";
    assert!(default.stderr.starts_with(first), "{}", default.stderr);
    let ignored = "test reads_the_corpora ... ignored, opt-in";
    assert!(default.stderr.contains(ignored), "{}", default.stderr);
    let time = seconds(&default.stdout);
    assert_eq!(default.stdout, format!("test summary: every test binary passed ({time})\n"));

    // A relative folder: the tests run in their package's folder, so the task passes it on
    // as an absolute path.
    let opt_in =
        fixture.xtask_env(&["test", "--corpora", "data/corpora", "--test", "corpus"], &env);
    assert_eq!(opt_in.code, 0, "{}{}", opt_in.stdout, opt_in.stderr);
    assert!(!opt_in.stderr.contains(first), "said once: {}", opt_in.stderr);
    assert!(opt_in.stderr.contains("test reads_the_corpora ... ok"), "{}", opt_in.stderr);
}

#[test]
fn a_wrong_corpora_or_advisory_db_folder_is_refused_before_any_build() {
    let fixture = Fixture::new("clean");
    let before = fixture.snapshot();
    fixture
        .xtask(&["test", "--corpora", "no/such"])
        .assert_refused("--corpora no/such: no book/ in it: pass the folder that holds it");
    fixture
        .xtask(&["test", "--advisory-db", "core"])
        .assert_refused("--advisory-db core: no crates/ in it: pass the folder that holds it");
    assert_eq!(fixture.snapshot(), before);
    assert!(!fixture.root.join("target").exists(), "nothing was built");
}

/// The `N s` of a summary line.
fn seconds(summary: &str) -> String {
    let start = summary.rfind('(').unwrap() + 1;
    let end = start + summary[start..].find(" s").unwrap();
    format!("{} s", &summary[start..end])
}

#[test]
fn every_test_binary_runs_and_the_failures_end_in_one_summary() {
    let fixture = Fixture::new("clean");
    fixture.write("core/tests/first.rs", "#[test]\nfn one() {\n    assert_eq!(1, 2);\n}\n");
    fixture.write(
        "app/tests/second.rs",
        "#[test]\nfn two() {\n    panic!(\"two\");\n}\n\n#[test]\nfn fine() {}\n",
    );
    fixture.commit("two failing test binaries");
    let server = server();
    let run = fixture.xtask_env(&["test"], &[("FERRO_CARGO_REGISTRY_SERVER", &server)]);

    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // cargo test alone would have stopped at the first failing binary.
    assert!(
        run.stderr.contains("test one ... FAILED") && run.stderr.contains("test two ... FAILED")
    );
    // libtest's line, or nextest's when it is installed.
    let fine = run.stderr.contains("test fine ... ok")
        || run.stderr.lines().any(|line| line.contains("PASS") && line.ends_with("second fine"));
    assert!(fine, "{}", run.stderr);
    let time = seconds(run.stdout.lines().next().unwrap());
    let (first, rest) = run.stdout.split_once('\n').unwrap();
    assert_eq!(
        first,
        format!(
            "test summary: 2 failed in 2 test binaries ({time}; every binary ran, --no-fail-fast)"
        )
    );
    // Binaries in the order they failed, which nextest does not fix.
    for block in [
        "  cargo xtask test -p launchkit-fixture-app --test second\n      two\n",
        "  cargo xtask test -p launchkit-fixture-core --test first\n      one\n",
    ] {
        assert!(rest.contains(block), "{}", run.stdout);
    }
    assert_eq!(rest.lines().count(), 4, "{}", run.stdout);
}
