//! The preflight steps `changelog`, `version` and `breaking` on the `versions` fixture,
//! with real tags in a real repository.

use std::path::PathBuf;

use serde_json::Value;

use crate::support::{Fixture, Run};

/// The one step's status, reason, and findings as `path:line rule`.
fn step(run: &Run) -> (String, String, Vec<String>) {
    let report = run.json();
    let step = &report["steps"][0];
    let text = |value: &Value| value.as_str().unwrap_or_default().to_owned();
    let findings = step["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let location = match (finding["path"].as_str(), finding["line"].as_u64()) {
                (Some(path), Some(line)) => format!("{path}:{line} "),
                (Some(path), None) => format!("{path} "),
                _ => String::new(),
            };
            format!("{location}{}", text(&finding["rule"]))
        })
        .collect();
    (text(&step["status"]), text(&step["reason"]), findings)
}

fn preflight(
    fixture: &Fixture,
    only: &str,
    release: Option<&str>,
) -> (String, String, Vec<String>) {
    let mut args = vec!["preflight", "--format", "json", "--only", only];
    args.extend(release.map(|release| ["--release", release]).into_iter().flatten());
    step(&fixture.xtask(&args))
}

#[test]
fn the_changelog_step_lints_every_changelog() {
    let fixture = Fixture::new("versions");
    assert_eq!(preflight(&fixture, "changelog", None), ("passed".into(), String::new(), vec![]));
    fixture.write(
        "core/CHANGELOG.md",
        "# Changelog\n\n## Unreleased\n\n## 0.3.1 - 01.05.2024\n\n- Start.\n",
    );
    let (status, _, findings) = preflight(&fixture, "changelog", None);
    assert_eq!(
        (status.as_str(), findings),
        ("failed", vec!["core/CHANGELOG.md:5 changelog::date".to_owned()])
    );
    std::fs::remove_file(fixture.root.join("CHANGELOG.md")).unwrap();
    let (_, _, findings) = preflight(&fixture, "changelog", None);
    assert_eq!(findings[0], "CHANGELOG.md changelog::file");
}

#[test]
fn the_version_step_checks_agreement_changelog_tag_and_readme() {
    let fixture = Fixture::new("versions");
    // Nothing released yet, and 0.3.2 would be fine: README's "0.3" and "0.3.1" accept it.
    assert_eq!(preflight(&fixture, "version", None).2, Vec::<String>::new());
    assert_eq!(preflight(&fixture, "version", Some("0.3.2")).0, "passed");

    fixture.git(&["tag", "v0.3.1"]);
    // Right after a release nothing is wrong; the next version is not chosen yet.
    assert_eq!(
        preflight(&fixture, "version", None),
        ("passed".into(), String::new(), vec!["version::tag".into()])
    );
    assert_eq!(preflight(&fixture, "version", Some("0.3.1")).2, ["version::tag"]);
    let (status, _, findings) = preflight(&fixture, "version", Some("0.4.0"));
    assert_eq!(status, "failed");
    assert_eq!(findings, ["README.md:5 version::readme", "README.md:6 version::readme"]);

    fixture.edit("util/Cargo.toml", "version = \"0.3.1\"", "version = \"0.3.0\"");
    fixture.edit("CHANGELOG.md", "### Added\n\n- `demo_core::sub`.\n", "");
    let (_, _, findings) = preflight(&fixture, "version", Some("0.3.2"));
    assert_eq!(findings, ["util/Cargo.toml:4 version::agree", "CHANGELOG.md:5 version::changelog"]);
    let (_, _, findings) = preflight(&fixture, "version", Some("0.3.0"));
    assert_eq!(
        findings[..2],
        [
            "core/Cargo.toml:4 version::release".to_owned(),
            "util/Cargo.toml:4 version::agree".to_owned()
        ]
    );
}

#[test]
fn the_version_step_accepts_independent_versions() {
    let fixture = Fixture::new("versions");
    fixture.edit("util/Cargo.toml", "version = \"0.3.1\"", "version = \"0.7.0\"");
    // In lockstep the release is 0.7.0: demo-core lags, and the README names 0.3.
    let lockstep = [
        "core/Cargo.toml:4 version::agree",
        "README.md:5 version::readme",
        "README.md:6 version::readme",
    ];
    assert_eq!(preflight(&fixture, "version", None).2, lockstep);
    let config = "\n[workspace.metadata.launchkit]\nversioning = \"independent\"\n";
    let root = fixture.read("Cargo.toml") + config;
    fixture.write("Cargo.toml", root);
    fixture.git(&["tag", "demo-util-v0.7.0"]);
    // demo-util 0.7.0 is tagged under its own name; demo-core 0.3.1 is not.
    assert_eq!(
        preflight(&fixture, "version", None),
        ("passed".into(), String::new(), vec!["version::tag".into()])
    );
}

#[test]
fn breaking_is_skipped_without_cargo_semver_checks_and_checks_with_it() {
    let fixture = Fixture::new("versions");
    fixture.git(&["tag", "v0.3.1"]);
    fixture.edit("core/src/lib.rs", "/// Subtracts", "/// Subtracts, saturating");
    let installed = std::process::Command::new(env!("CARGO"))
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !installed {
        let reason = "cargo-semver-checks is not installed: run `cargo install --locked cargo-semver-checks`";
        assert_eq!(
            preflight(&fixture, "breaking", Some("0.3.2")),
            ("skipped".into(), reason.into(), vec![])
        );
        return;
    }
    // The real tool: removing a public function is breaking, 0.3.2 is not a breaking
    // bump from 0.3.1, and the changelog only says `Added`. cargo-semver-checks cannot
    // read a crate that depends on another under two names (util's build-dependency), a
    // case the version tests need; without it the baseline is the same release.
    let renamed = "[build-dependencies]\ncore-for-build = { package = \"demo-core\", path = \"../core\", version = \"0.3\" }\n";
    let (status, reason, _) = preflight(&fixture, "breaking", Some("0.3.2"));
    assert_eq!(status, "failed", "the tool could not run, so the step cannot pass");
    assert!(reason.starts_with("cargo-semver-checks could not compare the API: error"), "{reason}");
    fixture.edit("util/Cargo.toml", renamed, "");
    fixture.commit("one name per dependency");
    fixture.git(&["tag", "--force", "v0.3.1"]);
    fixture.edit("core/src/lib.rs", "pub fn sub", "fn sub");
    fixture.commit("break the API");
    let (status, _, findings) = preflight(&fixture, "breaking", Some("0.3.2"));
    assert_eq!(
        (status.as_str(), findings),
        ("failed", vec!["breaking::bump".into(), "CHANGELOG.md:5 breaking::changelog".into()])
    );
    fixture.edit("CHANGELOG.md", "### Added", "### Removed\n\n- `sub`.\n\n### Added");
    assert_eq!(preflight(&fixture, "breaking", Some("0.4.0")).0, "passed");
}

/// A stand-in for cargo-semver-checks, first on PATH: it logs its arguments and prints
/// the summary line the real tool prints. It checks how the step calls the tool and reads
/// its verdict; the real tool's own findings are covered by the test above when it is
/// installed.
struct StandIn {
    dir: PathBuf,
}

impl StandIn {
    fn new() -> StandIn {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("semver-stand-in-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = "#!/bin/sh\necho \"$@\" >> \"$STAND_IN_LOG\"\ncase \"$*\" in *--version*) echo 'cargo-semver-checks stand-in'; exit 0;; esac\nprintf '%b' \"$STAND_IN_OUTPUT\" >&2\nexit \"$STAND_IN_EXIT\"\n";
        let path = dir.join("cargo-semver-checks");
        std::fs::write(&path, script).unwrap();
        std::process::Command::new("chmod").arg("+x").arg(&path).status().unwrap();
        StandIn { dir }
    }

    fn run(&self, fixture: &Fixture, release: &str, output: &str, exit: &str) -> (Run, String) {
        let log = fixture.root.join("target/stand-in.log");
        let _ = std::fs::remove_file(&log);
        std::fs::create_dir_all(log.parent().unwrap()).unwrap();
        let path = format!("{}:{}", self.dir.display(), std::env::var("PATH").unwrap());
        let env = [
            ("PATH", path.as_str()),
            ("STAND_IN_LOG", log.to_str().unwrap()),
            ("STAND_IN_OUTPUT", output),
            ("STAND_IN_EXIT", exit),
        ];
        let run = fixture.xtask_env(
            &[
                "preflight",
                "--format",
                "json",
                "--no-cache",
                "--only",
                "breaking",
                "--release",
                release,
            ],
            &env,
        );
        (run, std::fs::read_to_string(&log).unwrap_or_default())
    }
}

#[test]
fn breaking_reads_the_verdict_of_cargo_semver_checks() {
    let stand_in = StandIn::new();
    let fixture = Fixture::new("versions");
    fixture.git(&["tag", "v0.2.0"]);
    fixture.git(&["tag", "v0.3.1"]);
    fixture.git(&["tag", "v0.9.0"]);
    let breaking =
        r"     Summary semver requires new major version: 1 major and 0 minor checks failed\n";

    let (run, log) = stand_in.run(&fixture, "0.3.2", breaking, "1");
    // The newest tag at or below the release is the baseline, compared offline.
    assert!(log.contains("semver-checks check-release --workspace --baseline-rev v0.3.1 --release-type patch --color=never"), "{log}");
    let (status, _, findings) = step(&run);
    assert_eq!(
        (status.as_str(), findings),
        ("failed", vec!["breaking::bump".into(), "CHANGELOG.md:5 breaking::changelog".into()])
    );
    assert!(run.stdout.contains("release a minor version (minor in 0.x)"), "{}", run.stdout);

    fixture.edit("CHANGELOG.md", "### Added", "### Changed\n\n- `add` saturates.\n\n### Added");
    assert_eq!(step(&stand_in.run(&fixture, "0.4.0", breaking, "1").0).0, "passed");
    let compatible = r"     Summary no semver update required\n";
    assert_eq!(step(&stand_in.run(&fixture, "0.3.2", compatible, "0").0).0, "passed");
    // No summary means the tool could not compare: the step fails with its output.
    let (run, _) = stand_in.run(&fixture, "0.3.2", r"error: could not compile `demo-core`\n", "1");
    let report = run.json();
    assert_eq!(report["steps"][0]["status"], "failed");
    assert!(report["steps"][0]["output"].as_str().unwrap().contains("could not compile"));
}

#[test]
fn the_release_steps_follow_the_configured_tag_prefix_and_changelog() {
    let fixture = Fixture::new("versions");
    let config = "\n[workspace.metadata.launchkit]\ntag-prefix = \"release-\"\nchangelog = \"docs/CHANGES.md\"\n";
    fixture.write("Cargo.toml", fixture.read("Cargo.toml") + config);
    fixture.write("docs/CHANGES.md", fixture.read("CHANGELOG.md"));
    std::fs::remove_file(fixture.root.join("CHANGELOG.md")).unwrap();

    // A `v` tag is not this workspace's: only `release-0.3.1` marks 0.3.1 as released.
    fixture.git(&["tag", "v0.3.1"]);
    assert_eq!(
        preflight(&fixture, "version", Some("0.3.1")),
        ("passed".into(), String::new(), vec![])
    );
    fixture.git(&["tag", "release-0.3.1"]);
    assert_eq!(preflight(&fixture, "version", Some("0.3.1")).2, ["version::tag"]);

    fixture.edit("docs/CHANGES.md", "## [0.3.1] - 2024-05-01", "## [0.3.1] - 2024-5-1");
    assert_eq!(preflight(&fixture, "changelog", None).2, ["docs/CHANGES.md:11 changelog::date"]);
    let check = fixture.xtask(&["changelog", "check"]);
    assert_eq!((check.code, check.stderr.as_str()), (1, "docs/CHANGES.md: 1 errors, 0 warnings\n"));

    fixture.write("Cargo.toml", fixture.read("Cargo.toml") + "versioning = \"sometimes\"\n");
    let (status, reason, _) = preflight(&fixture, "version", None);
    assert_eq!(status, "failed");
    assert!(
        reason.contains("versioning = sometimes: use \"lockstep\" or \"independent\""),
        "{reason}"
    );
}
