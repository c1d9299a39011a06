//! Shared setup: a registry (behind the proxy), a cargo sandbox, fixture workspaces, and
//! running the xtask binary on them.

use std::path::Path;
use std::process::Command;

pub use launchkit_testkit::Run;
use launchkit_testkit::{CargoSandbox, Faults, Fixture, RegistryServer};

/// The registry's name in every test.
pub const REGISTRY: &str = "lk";
/// The token every test gives cargo; it must never show up in any output.
pub const TOKEN: &str = "lk-secret-token-4f2a";

/// Where tests put their directories.
pub fn base() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

/// chain + diamond: core <- util <- {left, right} <- top <- app, plus an unpublished tool.
pub const SIX: &[(&str, &[&str])] = &[
    ("core", &[]),
    ("util", &["core"]),
    ("left", &["util"]),
    ("right", &["util"]),
    ("top", &["left", "right"]),
    ("app", &["top"]),
];

/// A diamond: base <- {left, right} <- top.
pub const DIAMOND: &[(&str, &[&str])] =
    &[("base", &[]), ("left", &["base"]), ("right", &["base"]), ("top", &["left", "right"])];

/// A registry behind the proxy, a sandbox pointing at it, and a fixture to publish.
pub struct Setup {
    pub registry: RegistryServer,
    pub sandbox: CargoSandbox,
    pub fixture: Fixture,
}

/// `crates` as path dependencies from the test registry, plus `tool` (publish = false).
pub fn workspace(crates: &[(&str, &[&str])]) -> Fixture {
    let mut builder = Fixture::builder(base());
    for (name, deps) in crates {
        builder = builder.member_with_deps(name, deps, Some(REGISTRY));
    }
    let (last, _) = crates[crates.len() - 1];
    let tool = format!(
        "publish = false\n\n[dependencies]\n{}\n",
        launchkit_testkit::fixture::path_dep(last, "0.1.0", Some(REGISTRY))
    );
    builder.member("tool", &tool).write()
}

impl Setup {
    /// A registry with `faults`, a sandbox with the token, and `crates` to publish.
    pub fn new(crates: &[(&str, &[&str])], faults: Faults) -> Setup {
        let registry = RegistryServer::start_with_faults(base(), faults);
        let sandbox =
            CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
        Setup { registry, sandbox, fixture: workspace(crates) }
    }

    /// `xtask --manifest-path <fixture> publish --registry lk <args>`.
    pub fn xtask_command(&self, args: &[&str]) -> Command {
        self.task_command(&[&["publish", "--registry", REGISTRY], args].concat())
    }

    /// `xtask --manifest-path <fixture> <args>`, any task.
    pub fn task_command(&self, args: &[&str]) -> Command {
        let mut command = self.sandbox.command(env!("CARGO_BIN_EXE_xtask"), self.fixture.root());
        command.env_remove("CI").env_remove("GITHUB_ACTIONS");
        command.arg("--manifest-path").arg(self.fixture.manifest()).args(args);
        command
    }

    /// Runs `cargo xtask publish --registry lk <args>` to completion.
    pub fn xtask(&self, args: &[&str]) -> Run {
        Run::checked(self.xtask_command(args).output().expect("xtask runs"), &[TOKEN])
    }

    /// Runs `cargo xtask <args>` to completion, with extra environment variables.
    pub fn task(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = self.task_command(args);
        command.envs(env.iter().copied());
        Run::checked(command.output().expect("xtask runs"), &[TOKEN])
    }

    /// Upload attempts the proxy saw.
    pub fn upload_attempts(&self) -> usize {
        self.registry.proxy().expect("a proxy").upload_attempts()
    }

    /// Every crate is on the registry exactly once, and was accepted exactly once.
    pub fn assert_published_once(&self, crates: &[(&str, &[&str])]) {
        let mut accepted = self.registry.proxy().expect("a proxy").uploads();
        accepted.sort();
        let mut expected: Vec<String> =
            crates.iter().map(|(name, _)| format!("{name}@0.1.0")).collect();
        expected.sort();
        assert_eq!(accepted, expected, "each crate uploaded exactly once");
        for (name, _) in crates {
            assert_eq!(self.registry.versions(name), ["0.1.0"], "{name} in the index");
        }
        assert!(self.registry.versions("tool").is_empty(), "publish = false is never uploaded");
    }

    /// Asserts the proxy accepted every crate after everything it depends on.
    pub fn assert_dependency_order(&self, crates: &[(&str, &[&str])]) {
        let accepted = self.registry.proxy().expect("a proxy").uploads();
        let position = |name: &str| {
            accepted.iter().position(|upload| *upload == format!("{name}@0.1.0")).unwrap()
        };
        for (name, deps) in crates {
            for dep in *deps {
                assert!(position(dep) < position(name), "{dep} before {name} in {accepted:?}");
            }
        }
    }
}

/// `(name, state, attempts)` of each crate in a JSON report, in upload order.
pub fn states(report: &serde_json::Value) -> Vec<(String, String, u64)> {
    let crates = report["crates"].as_array().expect("crates");
    crates
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_owned(),
                c["state"].as_str().unwrap().to_owned(),
                c["attempts"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// Asserts a refusal: exit code 2, nothing on stdout, one line on stderr that contains
/// `expected`.
pub fn assert_refused(run: &Run, expected: &str) {
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stdout.is_empty(), "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(run.stderr.starts_with("error: ") && run.stderr.contains(expected), "{run}");
}

/// Asserts that `report` follows docs/report.schema.json, as every step report must.
pub fn assert_report_schema(report: &serde_json::Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/report.schema.json");
    let schema = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let problems = crate::schema::violations(&schema, report);
    assert!(problems.is_empty(), "{problems:#?}");
}

/// A git identity for the commits, tags and notes the tasks write.
pub const GIT_ID: &[(&str, &str)] = &[
    ("GIT_AUTHOR_NAME", "Releaser"),
    ("GIT_AUTHOR_EMAIL", "releaser@example.com"),
    ("GIT_COMMITTER_NAME", "Releaser"),
    ("GIT_COMMITTER_EMAIL", "releaser@example.com"),
];

/// Runs git in `dir` with [`GIT_ID`] and returns its stdout; panics when it fails.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .current_dir(dir)
        .args(args)
        .envs(GIT_ID.iter().copied())
        .output()
        .unwrap();
    assert!(output.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}
