//! `cargo xtask preflight` on fixture workspaces: a clean one passes every step, and each
//! broken one fails exactly the step that should catch it, naming the file and line.

use serde_json::Value;

use crate::schema;
use crate::support::{Fixture, Run};

const STEPS: [&str; 13] = [
    "fmt",
    "changelog",
    "version",
    "links",
    "secrets",
    "audit",
    "clippy",
    "test",
    "docs",
    "build",
    "package",
    "breaking",
    "outdated",
];

fn statuses(run: &Run) -> Vec<(String, String)> {
    let report = run.json();
    report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|step| {
            (step["name"].as_str().unwrap().to_owned(), step["status"].as_str().unwrap().to_owned())
        })
        .collect()
}

/// Runs every step on `fixture`; asserts that only `failing` failed, and returns its
/// findings as `path:line` plus message.
fn only_step_fails(fixture: &Fixture, failing: &str) -> Vec<(String, String)> {
    let run = fixture.xtask(&["preflight", "--format", "json", "--no-cache"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let problems = schema::violations(&report_schema(), &run.json());
    assert!(problems.is_empty(), "{problems:#?}");
    let expected: Vec<(String, String)> = STEPS
        .iter()
        .map(|step| {
            (step.to_string(), if *step == failing { "failed" } else { "passed" }.to_owned())
        })
        .collect();
    assert_eq!(statuses(&run), expected, "{}", run.stdout);
    let report = run.json();
    let step =
        report["steps"].as_array().unwrap().iter().find(|step| step["name"] == failing).unwrap();
    step["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let location =
                format!("{}:{}", finding["path"].as_str().unwrap_or("?"), finding["line"]);
            (location, finding["message"].as_str().unwrap().to_owned())
        })
        .collect()
}

#[test]
fn a_clean_workspace_passes_every_step_then_hits_the_cache() {
    let fixture = Fixture::new("clean");
    let before = fixture.snapshot();

    let run = fixture.xtask(&["preflight", "--format", "json", "--no-cache"]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let report = run.json();
    let problems = schema::violations(&report_schema(), &report);
    assert!(problems.is_empty(), "{problems:#?}");
    // `breaking` passes with a note: there is no release tag to compare against yet.
    let all_passed: Vec<(String, String)> =
        STEPS.iter().map(|step| (step.to_string(), "passed".to_owned())).collect();
    assert_eq!(statuses(&run), all_passed);
    assert!(report["steps"].as_array().unwrap().iter().all(|step| step["cached"] == false));

    let again = fixture.xtask(&["preflight", "--format", "json"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(statuses(&again), all_passed);
    assert!(
        again.json()["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|step| step["status"] == "passed")
            .all(|step| step["cached"] == (step["name"] != "links")),
        "{}",
        again.stdout
    );

    // A changed input runs the steps again.
    fixture.edit("core/src/lib.rs", "left + right", "right + left");
    let changed = fixture.xtask(&["preflight", "--format", "json", "--only", "fmt"]);
    assert_eq!(changed.json()["steps"][0]["cached"], false, "{}", changed.stdout);
    fixture.edit("core/src/lib.rs", "right + left", "left + right");

    assert_eq!(fixture.snapshot(), before, "preflight must not change the repository");
}

#[test]
fn a_cached_warning_or_note_is_reported_again_as_it_was() {
    let fixture = Fixture::new("clean");
    fixture.edit(
        "CHANGELOG.md",
        "[Unreleased]: https://example.com/",
        "[Other]: https://example.com/",
    );
    let run = |flags: &[&str]| {
        let args = [&["preflight", "--only", "changelog,breaking", "--format", "json"], flags];
        let report = fixture.xtask(&args.concat()).json();
        let steps = report["steps"].as_array().unwrap().clone();
        let [changelog, breaking] = <[Value; 2]>::try_from(steps).unwrap();
        (changelog, breaking)
    };
    let (changelog, breaking) = run(&[]);
    assert_eq!((&changelog["status"], &changelog["cached"]), (&"warning".into(), &false.into()));
    assert_eq!(changelog["findings"].as_array().unwrap().len(), 1, "{changelog}");
    // `breaking` passes with a note: there is no release tag to compare against yet.
    assert_eq!((&breaking["status"], &breaking["cached"]), (&"passed".into(), &false.into()));
    assert!(breaking["reason"].is_string(), "{breaking}");

    let (cached_changelog, cached_breaking) = run(&[]);
    assert_eq!(cached_changelog["cached"], true, "{cached_changelog}");
    assert_eq!(cached_breaking["cached"], true, "{cached_breaking}");
    for (cached, ran) in [(&cached_changelog, &changelog), (&cached_breaking, &breaking)] {
        for field in ["status", "reason", "findings"] {
            assert_eq!(cached[field], ran[field], "{field}: {cached}");
        }
    }
    // Strict mode fails a warning, kept or not.
    let (strict, _) = run(&["--strict"]);
    assert_eq!((&strict["status"], &strict["cached"]), (&"failed".into(), &true.into()));
    let human = fixture.xtask(&["preflight", "--only", "changelog"]);
    assert!(human.stdout.contains("changelog    warning (cached)"), "{}", human.stdout);
}

#[test]
fn a_pass_is_not_reused_when_a_variable_it_reads_changed() {
    let fixture = Fixture::new("clean");
    let only = |step: &str, env: &[(&str, &str)]| {
        let run = fixture.xtask_env(&["preflight", "--only", step, "--format", "json"], env);
        let step = run.json()["steps"][0].clone();
        (step["status"].as_str().unwrap().to_owned(), step["cached"] == true)
    };
    assert_eq!(only("changelog", &[]), ("passed".to_owned(), false));
    assert_eq!(only("changelog", &[]), ("passed".to_owned(), true));
    let missing = [("LAUNCHKIT_CHANGELOG", "MISSING.md")];
    assert_eq!(only("changelog", &missing), ("failed".to_owned(), false));
    assert_eq!(only("version", &[]), ("passed".to_owned(), false));
    assert_eq!(
        only("version", &[("LAUNCHKIT_TAG_PREFIX", "release-")]),
        ("passed".to_owned(), false)
    );

    // The cargo that runs a step is one of its inputs too.
    let cargo = cargo_without(&fixture, &["fmt"]);
    assert_eq!(only("fmt", &[]), ("passed".to_owned(), false));
    assert_eq!(only("fmt", &[]), ("passed".to_owned(), true));
    assert_eq!(only("fmt", &[("CARGO", &cargo)]), ("skipped".to_owned(), false));

    // Tests may read any variable, the session's own and secrets aside.
    assert_eq!(only("test", &[]), ("passed".to_owned(), false));
    assert_eq!(only("test", &[("SHLVL", "7"), ("API_TOKEN", "t")]), ("passed".to_owned(), true));
    assert_eq!(only("test", &[("DATABASE_URL", "x")]), ("passed".to_owned(), false));
}

#[test]
fn variables_compiling_reads_are_in_the_key_of_the_steps_that_build() {
    let fixture = Fixture::new("clean");
    let script = "fn main() {\n    println!(\"cargo::rerun-if-env-changed=FIXTURE_MODE\");\n    \
                  if std::env::var(\"FIXTURE_MODE\").as_deref() == Ok(\"broken\") {\n        \
                  panic!(\"FIXTURE_MODE=broken\");\n    }\n}\n";
    fixture.write("core/build.rs", script);
    fixture.commit("a build script that reads a variable");
    let build = |env: &[(&str, &str)]| {
        let run = fixture.xtask_env(&["preflight", "--only", "build", "--format", "json"], env);
        let step = run.json()["steps"][0].clone();
        (step["status"].as_str().unwrap().to_owned(), step["cached"] == true)
    };
    assert_eq!(build(&[]), ("passed".to_owned(), false));
    assert_eq!(build(&[]), ("passed".to_owned(), true));
    assert_eq!(build(&[("FIXTURE_MODE", "broken")]), ("failed".to_owned(), false));

    // A variable the code itself reads at compile time (`option_env!`).
    fixture.edit(
        "core/src/lib.rs",
        "#[cfg(test)]",
        "const _: () = assert!(option_env!(\"FIXTURE_LOUD\").is_none());\n\n#[cfg(test)]",
    );
    assert_eq!(build(&[]), ("passed".to_owned(), false));
    assert_eq!(build(&[]), ("passed".to_owned(), true));
    assert_eq!(build(&[("FIXTURE_LOUD", "1")]), ("failed".to_owned(), false));
}

#[test]
fn cargo_runs_locked_and_a_stale_or_missing_lock_file_is_never_written() {
    let fixture = Fixture::new("clean");
    // Cargo.lock still records the members at 0.3.1.
    fixture.edit("Cargo.toml", "version = \"0.3.1\"", "version = \"0.3.2\"");
    fixture.commit("bump without updating the lock file");
    fixture.git(&["tag", "v0.3.1"]);
    let lock = fixture.read("Cargo.lock");
    let steps = "clippy,test,docs,build,package,breaking";
    let run = fixture.xtask(&["preflight", "--only", steps, "--format", "json", "--no-cache"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    for step in run.json()["steps"].as_array().unwrap() {
        assert_eq!(step["status"], "failed", "{step}");
        let reason = step["reason"].as_str().unwrap_or_default();
        assert!(reason.starts_with("Cargo.lock is missing or out of date"), "{step}");
        assert!(step["command"].as_str().unwrap().contains(" --locked"), "{step}");
    }
    assert_eq!(fixture.read("Cargo.lock"), lock, "preflight must not rewrite Cargo.lock");

    std::fs::remove_file(fixture.root.join("Cargo.lock")).unwrap();
    let run = fixture.xtask(&["preflight", "--only", "fmt,build"]);
    run.assert_refused(
        "the workspace has no Cargo.lock, which `build` needs: run `cargo generate-lockfile`",
    );
    let untouched = fixture.xtask(&["preflight", "--only", "fmt,changelog"]);
    assert_eq!(untouched.code, 0, "{}", untouched.stderr);
    assert!(!fixture.root.join("Cargo.lock").exists(), "preflight must not create Cargo.lock");
}

#[test]
fn unformatted_code_fails_fmt() {
    let fixture = Fixture::new("clean");
    fixture.edit("core/src/lib.rs", "#[cfg(test)]", "pub fn  ugly( ) {}\n\n#[cfg(test)]");
    let findings = only_step_fails(&fixture, "fmt");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert!(findings[0].0.starts_with("core/src/lib.rs:"), "{findings:?}");
}

#[test]
fn a_clippy_warning_fails_clippy() {
    let fixture = Fixture::new("clean");
    fixture.edit(
        "core/src/lib.rs",
        "#[cfg(test)]",
        "/// Doubles a number.\npub fn double(x: u64) -> u64 {\n    return x * 2;\n}\n\n#[cfg(test)]",
    );
    let findings = only_step_fails(&fixture, "clippy");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].0, "core/src/lib.rs:19");
    assert!(findings[0].1.contains("unneeded `return`"), "{findings:?}");
}

#[test]
fn a_failing_unit_test_fails_test() {
    let fixture = Fixture::new("clean");
    fixture.edit("core/src/lib.rs", "assert_eq!(add(2, 2), 4);", "assert_eq!(add(2, 2), 5);");
    let findings = only_step_fails(&fixture, "test");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].0, "core/src/lib.rs:23");
    assert!(findings[0].1.starts_with("test `tests::adds` failed"), "{findings:?}");
}

#[test]
fn a_failing_doc_test_fails_test() {
    let fixture = Fixture::new("clean");
    fixture.edit("core/src/lib.rs", "add(2, 3), 5);", "add(2, 3), 6);");
    let findings = only_step_fails(&fixture, "test");
    assert_eq!(findings, [("core/src/lib.rs:5".to_owned(), "doc test `add` failed".to_owned())]);
}

#[test]
fn a_broken_intra_doc_link_fails_docs() {
    let fixture = Fixture::new("clean");
    fixture.edit("core/src/lib.rs", "[`add`]ition", "[`addd`]ition");
    let findings = only_step_fails(&fixture, "docs");
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].0, "core/src/lib.rs:12");
    assert!(findings[0].1.contains("unresolved link to `addd`"), "{findings:?}");
}

#[test]
fn a_crate_without_license_or_description_fails_package() {
    let fixture = Fixture::new("clean");
    fixture.edit("app/Cargo.toml", "description = \"A consumer of launchkit-fixture-core\"\n", "");
    fixture.edit("app/Cargo.toml", "license.workspace = true\n", "");
    fixture.commit("drop metadata");
    let findings = only_step_fails(&fixture, "package");
    let locations: Vec<&str> = findings.iter().map(|(location, _)| location.as_str()).collect();
    assert_eq!(locations, ["app/Cargo.toml:1", "app/Cargo.toml:1"], "{findings:?}");
    assert!(findings[0].1.contains("no `description`") && findings[1].1.contains("no `license`"));
}

#[test]
fn github_mode_writes_annotations_and_the_step_summary() {
    let fixture = Fixture::new("clean");
    fixture.edit("core/src/lib.rs", "#[cfg(test)]", "pub fn  ugly( ) {}\n\n#[cfg(test)]");
    let summary = fixture.root.join("step-summary.md");
    let summary_env = summary.to_str().unwrap();
    let run = fixture.xtask_env(
        &["preflight", "--only", "fmt,docs"],
        &[("GITHUB_ACTIONS", "true"), ("GITHUB_STEP_SUMMARY", summary_env)],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.starts_with("::error file=core/src/lib.rs,line="), "{}", run.stdout);
    assert!(
        run.stdout.contains(
            ",title=fmt%3A rustfmt::not formatted as rustfmt would%0Afix: run `cargo fmt --all`\n"
        ),
        "{}",
        run.stdout
    );
    assert!(run.stderr.contains("::group::fmt details"), "{}", run.stderr);
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.contains("### preflight failed"), "{written}");
    assert!(
        written.contains("| fmt | failed |") && written.contains("| docs | passed |"),
        "{written}"
    );
}

#[test]
fn fail_fast_stops_and_strict_fails_only_steps_that_could_not_run() {
    let fixture = Fixture::new("clean");
    fixture.edit("core/src/lib.rs", "#[cfg(test)]", "pub fn  ugly( ) {}\n\n#[cfg(test)]");
    let run = fixture.xtask(&["preflight", "--format", "json", "--fail-fast", "--no-cache"]);
    assert_eq!(run.code, 1);
    let report = run.json();
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps.len(), STEPS.len());
    assert_eq!(steps[0]["status"], "failed");
    for step in &steps[1..] {
        assert_eq!(step["status"], "skipped");
        assert_eq!(step["reason"], "not run: --fail-fast stopped at fmt");
    }

    let fixture = Fixture::new("clean");
    for manifest in ["core/Cargo.toml", "app/Cargo.toml"] {
        fixture.edit(manifest, "[package]\n", "[package]\npublish = false\n");
    }
    // Nothing to publish: the step does not apply, which is a pass with a note.
    let args = ["preflight", "--only", "package", "--format", "json", "--strict"];
    let strict = fixture.xtask(&args);
    let step = &strict.json()["steps"][0];
    assert_eq!((strict.code, &step["status"]), (0, &Value::from("passed")), "{}", strict.stdout);
    assert_eq!(step["reason"], "does not apply: every member has `publish = false`");

    // A missing tool is a skip leniently and a failure in strict mode.
    let cargo = cargo_without(&fixture, &["fmt"]);
    let args = ["preflight", "--only", "fmt", "--format", "json"];
    let lenient = fixture.xtask_env(&args, &[("CARGO", &cargo)]);
    assert_eq!(
        (lenient.code, lenient.json()["steps"][0]["status"].clone()),
        (0, Value::from("skipped"))
    );
    let ci = fixture.xtask_env(&args, &[("CARGO", &cargo), ("CI", "true")]);
    assert_eq!(ci.code, 1, "CI=true implies --strict");
    let reason = ci.json()["steps"][0]["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.starts_with("skipped counts as failed in strict mode: rustfmt is not installed"),
        "{reason}"
    );
}

#[test]
fn strict_ci_passes_breaking_on_a_repository_without_release_tags() {
    let fixture = Fixture::new("clean");
    // Decided before the tool is looked up: without cargo-semver-checks it passes too.
    let cargo = cargo_without(&fixture, &["semver-checks"]);
    let args = ["preflight", "--only", "breaking,version", "--format", "json"];
    let first = fixture.xtask_env(&args, &[("CI", "true"), ("CARGO", &cargo)]);
    assert_eq!(first.code, 0, "{}\n{}", first.stdout, first.stderr);
    let breaking = &first.json()["steps"][1];
    assert_eq!(breaking["status"], "passed");
    assert_eq!(
        breaking["reason"],
        "does not apply: no release tag vX.Y.Z at or below 0.3.1 to compare against yet"
    );

    // Once there is a release to compare with, the missing tool fails strict mode.
    fixture.git(&["tag", "v0.3.0"]);
    let tagged = fixture.xtask_env(&args, &[("CI", "true"), ("CARGO", &cargo)]);
    assert_eq!(tagged.code, 1, "{}", tagged.stdout);
    let reason = tagged.json()["steps"][1]["reason"].as_str().unwrap().to_owned();
    assert!(reason.contains("cargo-semver-checks is not installed"), "{reason}");
}

#[test]
fn bad_input_is_one_line_exit_2_and_changes_nothing() {
    let fixture = Fixture::new("clean");
    let before = fixture.snapshot();
    let one_line_error = |run: Run, expected: &str| {
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(
            run.stderr.starts_with("error: ") && run.stderr.contains(expected),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    };

    one_line_error(
        fixture.xtask(&["preflight", "--only", "fmt,nope"]),
        "unknown step `nope`: use one of fmt, changelog, version, links, secrets, audit, clippy",
    );
    one_line_error(fixture.xtask(&["preflight", "--skip", "lint"]), "unknown step `lint`");
    one_line_error(
        fixture.xtask(&["preflight", "--only", "fmt", "--skip", "fmt"]),
        "--only fmt and --skip fmt contradict each other: pass one of them",
    );
    let all = STEPS.join(",");
    one_line_error(
        fixture.xtask(&["preflight", "--skip", &all]),
        "--skip leaves no step to run: skip fewer steps",
    );
    one_line_error(
        fixture.xtask(&["preflight", "--only", "links", "--online", "--offline"]),
        "--online and --offline contradict each other",
    );
    one_line_error(
        fixture.xtask(&["preflight", "--skip", "secrets", "--history"]),
        "--history changes only secrets, which this run leaves out: drop the flag or run secrets",
    );
    one_line_error(
        fixture.xtask(&["preflight", "--only", "fmt", "--release", "1.0.0"]),
        "--release changes only version and breaking",
    );

    // A huge argument is echoed cut, with a count of what was left out.
    let huge = "x".repeat(100_000);
    let run = fixture.xtask(&["preflight", "--only", &huge]);
    assert!(run.stderr.len() < 500, "{} bytes", run.stderr.len());
    one_line_error(run, "unknown step `xxxxx");
    let run = fixture.xtask(&["preflight", "--only", &huge]);
    assert!(
        run.stderr.contains("x... (99900 more characters)`: use one of fmt,"),
        "{}",
        run.stderr
    );
    let run = fixture.xtask(&["preflight", "--format", &huge]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.len() < 500 && run.stderr.contains("more characters)"), "{}", run.stderr);

    let member_folder = fixture.root.join("core/src");
    let manifest = member_folder.join("Cargo.toml");
    one_line_error(
        fixture.xtask(&["preflight", "--manifest-path", manifest.to_str().unwrap()]),
        "is not a Cargo.toml file",
    );
    // A folder inside the workspace is the workspace; one outside any is an error.
    let inside = crate::support::xtask(&member_folder, &["preflight", "--only", "fmt"], &[]);
    assert_eq!(inside.code, 0, "{}", inside.stderr);
    let outside = launchkit_testkit::TempDir::new(std::env::temp_dir(), "no-workspace");
    one_line_error(
        crate::support::xtask(outside.path(), &["preflight"], &[]),
        "run from a cargo workspace",
    );

    fixture.edit("core/Cargo.toml", "[features]", "[features");
    let broken = fixture.snapshot();
    one_line_error(
        fixture.xtask(&["preflight"]),
        "core/Cargo.toml:9:10: unclosed table, expected `]`",
    );
    assert_eq!(fixture.snapshot(), broken);
    fixture.edit("core/Cargo.toml", "[features", "[features]");
    assert_eq!(fixture.snapshot(), before);
}

#[test]
fn manifest_path_checks_another_workspace() {
    let fixture = Fixture::new("clean");
    let manifest = fixture.root.join("Cargo.toml");
    let elsewhere = fixture.root.parent().unwrap();
    let args = ["preflight", "--manifest-path", manifest.to_str().unwrap(), "--only", "fmt,docs"];
    let run = crate::support::xtask(elsewhere, &args, &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("preflight passed: 2 passed"), "{}", run.stdout);
}

/// A cargo that lacks the given subcommands, as on a toolchain without those components.
fn cargo_without(fixture: &Fixture, subcommands: &[&str]) -> String {
    let script = fixture.root.join("cargo-without.sh");
    let cases = subcommands.join("|");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ncase \"$1\" in\n  {cases})\n    echo \"error: no such command: \\`$1\\`\" >&2\n    exit 101;;\nesac\nexec cargo \"$@\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    script.to_str().unwrap().to_owned()
}

#[test]
fn a_missing_tool_skips_its_step_with_the_install_command() {
    let fixture = Fixture::new("clean");
    let cargo = cargo_without(&fixture, &["fmt", "clippy", "nextest"]);
    let run = fixture.xtask_env(
        &["preflight", "--only", "fmt,clippy,test", "--format", "json"],
        &[("CARGO", &cargo)],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    let steps = report["steps"].as_array().unwrap();
    assert_eq!(steps[0]["status"], "skipped");
    assert_eq!(steps[0]["reason"], "rustfmt is not installed: run `rustup component add rustfmt`");
    assert_eq!(steps[1]["status"], "skipped");
    assert_eq!(steps[1]["reason"], "clippy is not installed: run `rustup component add clippy`");
    // Without nextest, cargo test runs unit, integration and doc tests in one go.
    assert_eq!(steps[2]["status"], "passed");
    assert_eq!(
        steps[2]["command"],
        "cargo test --locked --workspace --all-features --no-fail-fast"
    );
    assert!(steps[2]["output"].is_null(), "output is kept for failures only");
}

#[test]
fn a_configured_test_command_replaces_cargos_test_runner() {
    let fixture = Fixture::new("clean");
    let manifest = fixture.root.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).unwrap();
    let configured = |command: &str| {
        let table =
            format!("\n[workspace.metadata.launchkit.preflight]\ntest-command = \"{command}\"\n");
        std::fs::write(&manifest, format!("{text}{table}")).unwrap();
        fixture.xtask(&["preflight", "--only", "test", "--format", "json", "--no-cache"]).json()
    };

    let passing = configured("cargo test -p launchkit-fixture-core");
    assert_eq!(passing["steps"][0]["status"], "passed", "{passing}");
    assert_eq!(passing["steps"][0]["command"], "cargo test -p launchkit-fixture-core");

    fixture.edit("core/src/lib.rs", "assert_eq!(add(2, 2), 4);", "assert_eq!(add(2, 2), 5);");
    let failing = configured("cargo test -p launchkit-fixture-core");
    assert_eq!(failing["steps"][0]["status"], "failed", "{failing}");
    assert_eq!(failing["steps"][0]["findings"][0]["path"], "core/src/lib.rs");
}

fn report_schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/report.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
