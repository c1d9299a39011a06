//! Bad input and unsafe situations: each is refused before anything changes, with exit
//! code 2 and a line that says what to do; the repository, the remote and the registry are
//! byte for byte as they were.

use launchkit_testkit::Faults;

use crate::support::{MONDAY, Setup, run};

/// Runs `release <args>` with `env` and asserts a refusal naming `expected`.
fn refused(setup: &Setup, args: &[&str], env: &[(&str, &str)], expected: &[&str]) {
    let (before, uploads) = (setup.snapshot(), setup.uploads());
    let run = setup.xtask(&[&["release"], args].concat(), env).code(2);
    for expected in expected {
        assert!(run.stderr.contains(expected), "{args:?} should say {expected:?}:\n{run}");
    }
    assert!(run.stderr.contains("error: "), "{run}");
    assert!(run.stdout.is_empty(), "a refused release prints no plan:\n{run}");
    assert_eq!(setup.snapshot(), before, "{args:?} changed something:\n{run}");
    assert!(setup.forge.writes().is_empty());
    assert_eq!(setup.uploads(), uploads);
}

/// `minor --env staging --date MONDAY` plus `extra`.
fn minor(extra: &[&'static str]) -> Vec<&'static str> {
    [&["minor", "--env", "staging", "--date", MONDAY], extra].concat()
}

/// Commits `text` to `path`, as a maintainer would before trying to release.
fn commit(setup: &Setup, path: &str, text: &str) {
    std::fs::write(setup.repo().join(path), text).unwrap();
    setup.git(&["commit", "-q", "-am", "Prepare"]);
}

#[test]
fn unsafe_releases_are_refused_before_anything_changes() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let reset = || setup.git(&["reset", "-q", "--hard", &start]);

    // The working tree, the branch and the remote.
    std::fs::write(setup.repo().join("core/src/lib.rs"), "//! Edited.\n").unwrap();
    refused(
        &setup,
        &minor(&[]),
        &[],
        &["tree: uncommitted changes in core/src/lib.rs: commit or stash them"],
    );
    reset();
    setup.git(&["switch", "-q", "-c", "feature"]);
    refused(
        &setup,
        &minor(&[]),
        &[],
        &["branch: on `feature`, but staging releases are cut from main"],
    );
    setup.git(&["switch", "-q", "--detach", "main"]);
    refused(&setup, &minor(&[]), &[], &["branch: HEAD is detached"]);
    setup.git(&["switch", "-q", "main"]);
    setup.git(&["branch", "-q", "-D", "feature"]);
    let other = setup.dir.path().join("other");
    run("git", &["clone", "-q", "remote.git", "other"], setup.dir.path());
    run(
        "git",
        &[
            "-c",
            "user.name=O",
            "-c",
            "user.email=o@example.com",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "Elsewhere",
        ],
        &other,
    );
    run("git", &["push", "-q", "origin", "main"], &other);
    refused(
        &setup,
        &minor(&[]),
        &[],
        &["remote: origin/main has commits this branch lacks: run `git pull --rebase origin main`"],
    );
    setup.remote_git(&["update-ref", "refs/heads/main", &start]);
    refused(
        &setup,
        &minor(&[]),
        &[("LAUNCHKIT_REMOTE", "nowhere")],
        &["remote: cannot read remote `nowhere`"],
    );

    // The tag, here and on the remote.
    setup.git(&["tag", "-a", "v0.2.0", "-m", "too early"]);
    refused(
        &setup,
        &minor(&[]),
        &[],
        &["tag: tag v0.2.0 already exists at", "which is not this release's commit"],
    );
    setup.git(&["tag", "-d", "v0.2.0"]);
    setup.remote_git(&["update-ref", "refs/tags/v0.2.0", &start]);
    refused(&setup, &minor(&[]), &[], &["tag: tag v0.2.0 already exists on origin"]);
    setup.remote_git(&["update-ref", "-d", "refs/tags/v0.2.0"]);

    // The version and the changelog.
    let staging: [&str; 4] = ["--env", "staging", "--date", MONDAY];
    setup.git(&["tag", "v0.1.0"]);
    let released = ["0.1.0 is not above the current version 0.1.0"];
    refused(&setup, &[&["0.1.0"], &staging[..]].concat(), &[], &released);
    setup.git(&["tag", "-d", "v0.1.0"]);
    refused(
        &setup,
        &[&["0.0.9"], &staging[..]].concat(),
        &[],
        &["0.0.9 is not above the current version 0.1.0"],
    );
    refused(
        &setup,
        &[&["release"], &staging[..]].concat(),
        &[],
        &["0.1.0 is not a pre-release: use patch, minor or major"],
    );
    refused(&setup, &[&["1.x"], &staging[..]].concat(), &[], &["`1.x` is neither a level"]);
    refused(
        &setup,
        &["minor", "--env", "staging", "--date", "2025-13-01"],
        &[],
        &["--date: `2025-13-01` is not a day of the calendar"],
    );
    let changelog = std::fs::read_to_string(setup.repo().join("CHANGELOG.md")).unwrap();
    commit(&setup, "CHANGELOG.md", &changelog.replace("### Added\n\n- `demo_app::three`.\n\n", ""));
    refused(
        &setup,
        &minor(&[]),
        &[],
        &["version: CHANGELOG.md:5: [Unreleased] is empty: describe the changes of 0.2.0"],
    );
    reset();

    // Tokens, the day, another release, the environment and its configuration.
    refused(
        &setup,
        &minor(&[]),
        &[("CARGO_REGISTRIES_LK_TOKEN", "")],
        &["token: no token for registry `lk`: set CARGO_REGISTRIES_LK_TOKEN"],
    );
    // `always` ignores the token and needs a CI identity, which this run has not.
    refused(
        &setup,
        &minor(&[]),
        &[("LAUNCHKIT_TRUSTED_PUBLISHING", "always")],
        &["token: trusted-publishing is `always` but no CI identity is available for `lk`"],
    );
    refused(
        &setup,
        &minor(&[]),
        &[("GITHUB_TOKEN", "")],
        &["forge: no GitHub token: set GITHUB_TOKEN"],
    );
    // Another forge's token does not count, and a project the forge cannot have is refused.
    refused(
        &setup,
        &minor(&[]),
        &[("LAUNCHKIT_FORGE", "gitlab"), ("LAUNCHKIT_FORGE_URL", "http://127.0.0.1:9/api/v4")],
        &[
            "forge: no GitLab token: set GITLAB_TOKEN (or CI_JOB_TOKEN) to a token that may write releases of acme/demo",
        ],
    );
    refused(
        &setup,
        &minor(&[]),
        &[("LAUNCHKIT_FORGE_PROJECT", "acme/demo/extra")],
        &["forge: `acme/demo/extra` is not a GitHub project: use `OWNER/REPO`"],
    );
    refused(
        &setup,
        &minor(&[]),
        &[
            ("LAUNCHKIT_FORGE", "gitea"),
            ("GITEA_TOKEN", "t"),
            ("LAUNCHKIT_FORGE_URL", "ftp://gitea.example.com"),
        ],
        &["forge: forge-url `ftp://gitea.example.com` is not an http(s) URL"],
    );
    refused(
        &setup,
        &["minor", "--env", "staging", "--date", "2025-06-06"],
        &[],
        &["friday: 2025-06-06 is a Friday (release date)", "pass --allow-friday"],
    );
    // Another release holds the lock (this test, as the system sees it): a dry run refuses.
    let path = setup.repo().join(".git/launchkit/release.lock");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let holder = r#"{"pid":4242,"host":"ci-7","started":"2025-06-02T09:00:00Z","command":"cargo xtask release minor --execute"}"#;
    std::fs::write(&path, holder).unwrap();
    let lock = std::fs::File::open(&path).unwrap();
    lock.lock().unwrap();
    refused(
        &setup,
        &minor(&[]),
        &[],
        &[
            "another release is running (process 4242 on ci-7, started 2025-06-02T09:00:00Z: cargo xtask release minor --execute): wait for it to end",
        ],
    );
    drop(lock);
    std::fs::remove_file(&path).unwrap();
    refused(
        &setup,
        &["minor", "--env", "prod"],
        &[],
        &["unknown environment `prod`: use one of development, staging, production"],
    );
    refused(
        &setup,
        &minor(&[]),
        &[("LAUNCHKIT_PUSH", "maybe")],
        &["LAUNCHKIT_PUSH=maybe is not a boolean"],
    );
    refused(
        &setup,
        &minor(&[]),
        &[("LAUNCHKIT_REGISTRY", "nowhere")],
        &["registry: unknown registry `nowhere`"],
    );
    let manifest = std::fs::read_to_string(setup.repo().join("Cargo.toml")).unwrap();
    commit(
        &setup,
        "Cargo.toml",
        &manifest.replace(
            "[workspace.metadata.launchkit]\n",
            "[workspace.metadata.launchkit]\npubish = true\n",
        ),
    );
    refused(
        &setup,
        &minor(&[]),
        &[],
        &["[workspace.metadata.launchkit] has an unknown key `pubish`"],
    );
    reset();

    // Several problems at once are reported together.
    std::fs::write(setup.repo().join("core/src/lib.rs"), "//! Edited.\n").unwrap();
    setup.git(&["switch", "-q", "-c", "feature"]);
    refused(
        &setup,
        &["minor", "--env", "staging", "--date", "2025-06-06"],
        &[("CARGO_REGISTRIES_LK_TOKEN", "")],
        &[
            "4 checks failed:\n  tree: ",
            "\n  branch: on `feature`",
            "\n  token: no token",
            "\n  friday: 2025-06-06 is a Friday",
        ],
    );
    setup.git(&["checkout", "-q", "--", "."]);
    setup.git(&["switch", "-q", "main"]);

    // Preflight, run for this exact tree: unformatted code fails it.
    commit(&setup, "core/src/lib.rs", "//! The core.\n\n/// One.\npub fn one() -> u32 {   1 }\n");
    refused(
        &setup,
        &minor(&[]),
        &[],
        &[
            "preflight: fmt failed: fix them and commit; `cargo xtask preflight --release 0.2.0` shows the findings",
        ],
    );
    reset();

    // A registry that already has a higher version.
    assert_eq!(setup.registry.upload_raw("demo-core", "0.5.0"), 200);
    refused(
        &setup,
        &minor(&[]),
        &[],
        &["registry: demo-core 0.5.0 is already on `lk`: release a version above it"],
    );
}

#[test]
fn release_patch_on_a_branch_matching_no_pattern_is_refused() {
    let setup = Setup::new(Faults::none());
    let patch = ["patch", "--env", "staging", "--date", MONDAY];
    // A near miss of the default `hotfix/*`.
    setup.git(&["switch", "-q", "-c", "hotfix-0.1.1"]);
    refused(
        &setup,
        &patch,
        &[],
        &[
            "(nothing was changed): branch: on `hotfix-0.1.1`, but staging releases are cut from main, master, hotfix/*: switch branch, or add it (or a pattern such as `release/*`) to `branches`",
        ],
    );
    // A configuration without hotfix branches refuses them.
    setup.git(&["switch", "-q", "-c", "hotfix/0.1.1"]);
    refused(
        &setup,
        &patch,
        &[("LAUNCHKIT_BRANCHES", "main, release/*")],
        &["branch: on `hotfix/0.1.1`, but staging releases are cut from main, release/*"],
    );
}

#[test]
fn a_crate_that_takes_only_trusted_publishing_refuses_the_token_before_anything_changes() {
    // demo-util 0.1.0 is on the registry, and its owners allow only trusted publishing;
    // the other two crates are new, so their first version goes up with the token.
    let setup = Setup::new(Faults::none().trustpub_only(&["demo-util"]));
    assert_eq!(setup.registry.seed("demo-util", "0.1.0"), 200);
    refused(
        &setup,
        &minor(&[]),
        &[],
        &[
            "trusted: `demo-util` takes only trusted publishing on `lk`, and only a token is available here: release from CI with `permissions: id-token: write`",
        ],
    );

    // Without that restriction the plan names the new crates and goes ahead.
    let setup = Setup::new(Faults::none());
    assert_eq!(setup.registry.seed("demo-util", "0.1.0"), 200);
    let plan = setup.xtask(&[&["release"], &minor(&[])[..]].concat(), &[]).success();
    assert!(
        plan.stderr.contains("trusted    new on `lk`: demo-core, demo-app; their first version goes up with the token (trusted publishing cannot create a crate)"),
        "{plan}"
    );
}
