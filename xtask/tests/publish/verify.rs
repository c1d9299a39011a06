//! `cargo xtask verify` against the real registry: a published release passes; a wrong
//! checksum, a yanked version, a missing version each fail with a finding that says so;
//! bad input is one line and exit code 2.

use std::time::Duration;

use launchkit_testkit::server::json;
use launchkit_testkit::{Faults, HttpServer, Silent};

use crate::support::{REGISTRY, Run, Setup, TOKEN, assert_refused, assert_report_schema};

/// base <- top, both libraries, top with a binary too; base's README has a rust example.
const PAIR: &[(&str, &[&str])] = &[("base", &[]), ("top", &["base"])];

/// docs.rs's status API, answering `built` for the crates in `built` and `failed` for
/// the rest of base and top; anything else is unknown to it.
fn docs_host(built: &'static [&'static str]) -> HttpServer {
    HttpServer::start(move |request| {
        let name = request.target.split('/').nth(2).unwrap_or_default();
        match (name, built.contains(&name)) {
            (_, true) => json(200, r#"{"doc_status":true,"version":"0.1.0"}"#),
            ("base", false) => json(200, r#"{"doc_status":false,"version":"0.1.0"}"#),
            _ => json(404, "{}"),
        }
    })
}

/// Pairs of strings: `(step, status)` or `(rule, message)`.
type Pairs = Vec<(String, String)>;

/// `(name, status)` of each step, and every finding's rule and message.
fn steps(run: &Run) -> (Pairs, Pairs) {
    let report = run.json();
    assert_report_schema(&report);
    let steps = report["steps"].as_array().expect("steps");
    let statuses = steps
        .iter()
        .map(|step| {
            (step["name"].as_str().unwrap().into(), step["status"].as_str().unwrap().into())
        })
        .collect();
    let findings = steps
        .iter()
        .flat_map(|step| step["findings"].as_array().unwrap())
        .map(|f| {
            (f["rule"].as_str().unwrap_or_default().into(), f["message"].as_str().unwrap().into())
        })
        .collect();
    (statuses, findings)
}

fn status_of<'a>(statuses: &'a [(String, String)], step: &str) -> &'a str {
    &statuses.iter().find(|(name, _)| name == step).expect("the step ran").1
}

fn published_pair() -> Setup {
    let setup = Setup::new(PAIR, Faults::none());
    setup
        .fixture
        .write("base/README.md", "# base\n\n```rust\nassert_eq!(base::value(), 1);\n```\n");
    // top also ships a binary, which users get with `cargo install`.
    setup.fixture.write("top/src/main.rs", "fn main() {\n    println!(\"{}\", top::value());\n}\n");
    setup.fixture.commit("readme and binary");
    setup.xtask(&["--execute"]).success();
    setup
}

#[test]
fn a_published_release_passes_then_a_wrong_checksum_and_a_yank_are_named() {
    let setup = published_pair();
    let docs = docs_host(&["base", "top"]);
    let verify = |docs: &HttpServer| {
        let args = ["verify", "--registry", REGISTRY, "--format", "json"];
        setup.task(&args, &[("LAUNCHKIT_DOCS_URL", &docs.url())])
    };
    let run = verify(&docs);
    assert_eq!(run.code, Some(0), "{run}");
    let (statuses, findings) = steps(&run);
    for step in ["registry", "install", "readme", "docs"] {
        assert_eq!(status_of(&statuses, step), "passed", "{step}: {run}");
    }
    let only_note = [(String::new(), "`top` 0.1.0 has no README: nothing to run".to_owned())];
    assert_eq!(findings, only_note);
    let install = run.json()["steps"][1]["command"].as_str().unwrap().to_owned();
    assert!(install.contains("cargo add base@=0.1.0 top@=0.1.0 --registry lk"), "{install}");
    assert!(install.contains("cargo install top --version =0.1.0 --root "), "{install}");

    // Someone else's content under our version, and a yank.
    let package = setup.fixture.root().join("target/package/base-0.1.0.crate");
    let mut bytes = std::fs::read(&package).unwrap();
    bytes.push(0);
    std::fs::write(&package, bytes).unwrap();
    let yank = setup
        .sandbox
        .cargo(setup.fixture.root())
        .args(["yank", "top@0.1.0", "--registry", REGISTRY])
        .output()
        .unwrap();
    assert!(yank.status.success(), "{}", String::from_utf8_lossy(&yank.stderr));

    let run = verify(&docs_host(&[]));
    assert_eq!(run.code, Some(1), "{run}");
    let (statuses, findings) = steps(&run);
    assert_eq!(status_of(&statuses, "registry"), "failed");
    assert_eq!(
        status_of(&statuses, "install"),
        "failed",
        "a fresh project cannot use a yanked version"
    );
    assert_eq!(status_of(&statuses, "docs"), "failed");
    let rules: Vec<&str> = findings.iter().map(|(rule, _)| rule.as_str()).collect();
    for rule in ["verify::checksum", "verify::yanked", "verify::install", "verify::docs"] {
        assert!(rules.contains(&rule), "{rule} in {findings:?}");
    }
    let message = |rule: &str| &findings.iter().find(|(r, _)| r == rule).unwrap().1;
    assert!(
        message("verify::checksum").starts_with("`base` 0.1.0 on `lk` is not the local package"),
        "{findings:?}"
    );
    assert_eq!(
        message("verify::yanked"),
        "`top` 0.1.0 is yanked on `lk`: new projects cannot resolve it"
    );
    assert!(
        findings
            .iter()
            .any(|(_, m)| m
                .starts_with("the docs of `base` 0.1.0 failed to build on http://127.0.0.1:")),
        "{findings:?}"
    );
    assert!(
        findings.iter().any(|(_, m)| m.starts_with("the docs of `top` 0.1.0 are not built on")),
        "{findings:?}"
    );
}

#[test]
fn a_missing_version_is_a_finding_and_a_release_never_made_is_refused() {
    let setup = Setup::new(PAIR, Faults::none().index_lag(Duration::from_secs(2)));
    assert_eq!(setup.registry.upload_raw("base", "0.1.0"), 200);
    let silent = Silent::start();
    let env = [("LAUNCHKIT_DOCS_URL", silent.url()), ("CARGO_HTTP_TIMEOUT", "1".to_owned())];
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let run =
        setup.task(&["verify", "--registry", REGISTRY, "--wait", "5s", "--format", "json"], &env);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stderr.contains("waiting up to 5s for `lk` to serve base 0.1.0"), "{run}");
    let (statuses, findings) = steps(&run);
    assert_eq!(status_of(&statuses, "registry"), "failed");
    assert!(
        findings.iter().any(|(rule, m)| rule == "verify::missing"
            && m == "`top` 0.1.0 is not in the index of `lk` after waiting 5s"),
        "{findings:?}"
    );
    assert!(
        !findings.iter().any(|(_, m)| m.starts_with("`base` 0.1.0 is not in the index")),
        "--wait waited for base: {findings:?}"
    );
    assert_eq!(
        status_of(&statuses, "docs"),
        "warning",
        "a silent docs host is unknown, never a pass"
    );
    assert!(
        run.json()["steps"][3]["reason"]
            .as_str()
            .unwrap()
            .starts_with("unknown: http://127.0.0.1:"),
        "{run}"
    );

    let never = setup.task(&["verify", "0.9.0", "--registry", REGISTRY], &[]);
    assert_refused(
        &never,
        "0.9.0 was never released to `lk` (`base` is at 0.1.0 there): name a released version, or pass --wait to wait for one",
    );
    let unknown = setup
        .task(&["verify", "--crate", "nope", "--version", "1.0.0", "--registry", REGISTRY], &[]);
    assert_refused(&unknown, "crate `nope` is not on `lk`: check the name and --registry");
    let bad = setup.task(&["verify", "--wait", "soon", "--registry", REGISTRY], &[]);
    assert_refused(&bad, "`soon` is not a duration: write it as 90s, 10m or 1h");
    let dead = setup.task(
        &["verify", "--registry", "dead"],
        &[
            ("CARGO_REGISTRIES_DEAD_INDEX", &format!("sparse+{}/", silent.url())),
            ("CARGO_HTTP_TIMEOUT", "1"),
        ],
    );
    assert_refused(&dead, "cannot read the index of `dead`: cannot reach http://127.0.0.1:");
}

#[test]
fn a_crate_verifies_outside_any_workspace_against_the_index_checksum() {
    let setup = published_pair();
    let docs = docs_host(&["base", "top"]);
    // A folder that is no workspace and is inside none: the system's temporary folder.
    let outside = launchkit_testkit::TempDir::new(std::env::temp_dir(), "launchkit-anywhere");
    let verify = || {
        let mut command = setup.sandbox.command(env!("CARGO_BIN_EXE_xtask"), outside.path());
        command.env_remove("CI").env_remove("GITHUB_ACTIONS").env("LAUNCHKIT_DOCS_URL", docs.url());
        command.args(["verify", "--crate", "base", "--version", "0.1.0", "--registry", REGISTRY]);
        Run::checked(command.args(["--format", "json"]).output().expect("xtask runs"), &[TOKEN])
    };
    let run = verify();
    assert_eq!(run.code, Some(0), "{run}");
    let (statuses, findings) = steps(&run);
    for step in ["registry", "install", "readme", "docs"] {
        assert_eq!(status_of(&statuses, step), "passed", "{step}: {run}");
    }
    assert_eq!(findings, [], "not our crate here: no local package to compare with");

    // The registry's stored file changes under the index: what users download is not
    // what the index promises.
    // The server stores each file under its SHA-256, which the index records.
    let line = setup.registry.index_file("base").expect("base is in the index");
    let entry: serde_json::Value = serde_json::from_str(line.lines().next().unwrap()).unwrap();
    let cksum = entry["cksum"].as_str().unwrap();
    let stored = setup.registry.data_dir().join("sha256").join(&cksum[..2]).join(&cksum[2..]);
    let mut bytes = std::fs::read(&stored).expect("the stored .crate");
    bytes.push(0);
    std::fs::write(&stored, bytes).unwrap();

    let run = verify();
    assert_eq!(run.code, Some(1), "{run}");
    let (statuses, findings) = steps(&run);
    assert_eq!(status_of(&statuses, "registry"), "failed", "{run}");
    let checksum: Vec<&String> =
        findings.iter().filter(|(rule, _)| rule == "verify::checksum").map(|(_, m)| m).collect();
    assert_eq!(checksum.len(), 1, "{findings:?}");
    assert!(
        checksum[0].starts_with(
            "`base` 0.1.0 served by `lk` does not match its index: the `.crate` has checksum "
        ),
        "{findings:?}"
    );
    assert!(outside.path().read_dir().unwrap().next().is_none(), "verify wrote nothing there");
}

#[test]
fn any_crate_of_crates_io_verifies_read_only() {
    let setup = Setup::new(&[("local", &[])], Faults::none());
    let run =
        setup.task(&["verify", "--crate", "itoa", "--version", "1.0.11", "--format", "json"], &[]);
    let (statuses, findings) = steps(&run);
    assert_eq!(status_of(&statuses, "registry"), "passed", "{run}");
    assert_eq!(status_of(&statuses, "install"), "passed", "{run}");
    assert_eq!(status_of(&statuses, "readme"), "passed", "itoa's README example runs: {run}");
    // docs.rs answers where the network reaches it; where it does not, the status is
    // unknown, a warning: never a pass without an answer.
    match status_of(&statuses, "docs") {
        "passed" => assert!(findings.iter().all(|(rule, _)| rule != "verify::docs")),
        "warning" => assert!(
            findings.iter().any(|(_, m)| m
                == "the docs status of `itoa` 1.0.11 is unknown: https://docs.rs did not answer"),
            "{findings:?}"
        ),
        other => panic!("docs {other}: {run}"),
    }
    assert_eq!(run.code, Some(0), "{run}");
}
