//! `cargo xtask test` on fixture workspaces: the opt-in suite's flags.

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
    let env = [("FERRO_CARGO_REGISTRY_SERVER", server())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let default = fixture.xtask_env(&["test", "--test", "corpus"], &env);
    assert_eq!(default.code, 0, "{}{}", default.stdout, default.stderr);
    assert!(
        default.stdout.contains("test reads_the_corpora ... ignored, opt-in"),
        "{}",
        default.stdout
    );

    // A relative folder: the tests run in their package's folder, so the task passes it on
    // as an absolute path.
    let opt_in =
        fixture.xtask_env(&["test", "--corpora", "data/corpora", "--test", "corpus"], &env);
    assert_eq!(opt_in.code, 0, "{}{}", opt_in.stdout, opt_in.stderr);
    assert!(opt_in.stdout.contains("test reads_the_corpora ... ok"), "{}", opt_in.stdout);
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
