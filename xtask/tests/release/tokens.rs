//! Secrets flow to one process: during a whole release, the registry and forge tokens
//! reach the upload and the forge, and no build script, proc macro, test or git hook.

use std::sync::atomic::{AtomicUsize, Ordering};

use launchkit_testkit::http::header;
use launchkit_testkit::server::json;
use launchkit_testkit::{Faults, HttpServer};

use crate::flows::assert_released;
use launchkit_testkit::Run;

use crate::support::{CRATES, GITHUB_TOKEN, MONDAY, Setup, TOKEN, run};

const REQUEST_TOKEN: &str = "actions-request-token-51b0";

/// GitHub Actions' OIDC token service: a new JWT for each request.
fn issuer() -> HttpServer {
    let minted = AtomicUsize::new(0);
    HttpServer::start(move |request| {
        if header(&request.headers, "authorization") != Some(&format!("bearer {REQUEST_TOKEN}")) {
            return json(401, "{}");
        }
        let audience = request.target.split("&audience=").nth(1).unwrap_or_default();
        let n = minted.fetch_add(1, Ordering::Relaxed);
        json(200, &format!(r#"{{"value":"jwt.{audience}.{n}"}}"#))
    })
}

/// No registry token, and GitHub Actions' identity from `issuer`.
fn trusted_env(issuer: &HttpServer) -> [(&'static str, String); 3] {
    [
        ("CARGO_REGISTRIES_LK_TOKEN", String::new()),
        ("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{}/token?api-version=2.0", issuer.url())),
        ("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN.to_owned()),
    ]
}

/// Every secret of a release with trusted publishing.
const SECRETS: &[&str] = &[TOKEN, GITHUB_TOKEN, REQUEST_TOKEN, "tp-minted", "jwt."];

#[test]
fn no_build_script_or_git_hook_sees_a_token_during_a_whole_release() {
    let setup = Setup::new(Faults::none());
    let log = setup.dir.path().join("child-env.log");
    // A build script that records its whole environment, each time it runs: in
    // preflight's builds, tests and lints, and in the verification build of the packages.
    let build = format!(
        r#"use std::io::Write;

fn main() {{
    let vars: Vec<String> = std::env::vars().map(|(name, value)| format!("{{name}}={{value}}")).collect();
    let mut log = std::fs::OpenOptions::new().create(true).append(true).open({log:?}).unwrap();
    let name = std::env::var("CARGO_PKG_NAME").unwrap();
    writeln!(log, "build script of {{name}}: {{}}", vars.join(" ")).unwrap();
}}
"#
    );
    std::fs::write(setup.repo().join("core/build.rs"), build).unwrap();
    run("rustfmt", &["--edition", "2021", "core/build.rs"], &setup.repo());
    setup.git(&["add", "core/build.rs"]);
    setup.git(&["commit", "-q", "-m", "Record what build scripts see"]);
    let start = setup.git(&["rev-parse", "HEAD"]);
    let record = format!("echo \"$0: $(env | tr '\\n' ' ')\" >> '{}'", log.display());
    setup.hook(false, "pre-commit", &record);
    setup.hook(false, "pre-push", &record);

    let others = [
        ("CARGO_REGISTRY_TOKEN", "crates-io-token-3f1d"),
        ("GH_TOKEN", "gh-token-81c2"),
        ("GITLAB_TOKEN", "gitlab-token-0a9e"),
        ("GITEA_TOKEN", "gitea-token-5b7c"),
        ("CI_JOB_TOKEN", "ci-job-token-66d4"),
    ];
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    setup.xtask(&args, &others).success();
    // The upload and the forge got their tokens: everything was released.
    assert_released(&setup, &start);

    let seen = std::fs::read_to_string(&log).unwrap();
    let builds = seen.lines().filter(|line| line.starts_with("build script of demo-core")).count();
    assert!(builds >= 2, "preflight and the verification build ran it:\n{seen}");
    assert!(seen.contains("hooks/pre-commit: "), "{seen}");
    assert!(seen.contains("hooks/pre-push: "), "{seen}");
    let secrets = [TOKEN, GITHUB_TOKEN].into_iter().chain(others.iter().map(|(_, value)| *value));
    for secret in secrets {
        assert!(!seen.contains(secret), "a child process saw {secret}:\n{seen}");
    }
    for (name, _) in others.iter().chain(&[("CARGO_REGISTRIES_LK_TOKEN", ""), ("GITHUB_TOKEN", "")])
    {
        assert!(!seen.contains(&format!(" {name}=")), "a child process saw {name}:\n{seen}");
    }
}

#[test]
fn a_release_with_no_token_publishes_through_trusted_publishing_and_revokes() {
    let issuer = issuer();
    let setup = Setup::new(Faults::none().trusted_publishing("jwt.127.0.0.1."));
    let start = setup.git(&["rev-parse", "HEAD"]);
    let env = trusted_env(&issuer);
    let env = env.each_ref().map(|(name, value)| (*name, value.as_str()));
    let dry_run = ["release", "minor", "--env", "staging", "--date", MONDAY];
    // Trusted publishing cannot create a crate: refused before anything changes.
    let refused = setup.xtask(&dry_run, &env).code(2);
    assert!(
        refused.stderr.contains("`demo-core` is not on `lk` yet, and trusted publishing cannot create a crate: publish its first version with a token (set CARGO_REGISTRIES_LK_TOKEN for that run)"),
        "{refused}"
    );
    // Their first versions went up with a token.
    for name in CRATES {
        assert_eq!(setup.registry.seed(name, "0.1.0"), 200);
    }
    let plan = setup.xtask(&dry_run, &env).success();
    assert!(plan.stderr.contains("trusted    every crate is on `lk` already\n"), "{plan}");
    let check = "token      trusted publishing to `lk` from GitHub Actions' OIDC token service";
    assert!(plan.stderr.contains(check), "{plan}");
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    let mut command = setup.command(&args);
    command.envs(env);
    Run::checked(command.output().unwrap(), SECRETS).success();
    assert_eq!(setup.git(&["rev-parse", "HEAD~1"]), start);
    assert_eq!(
        setup.remote_git(&["rev-parse", "v0.2.0^{commit}"]),
        setup.git(&["rev-parse", "HEAD"])
    );
    let expected: Vec<String> = CRATES.iter().map(|name| format!("{name}@0.2.0")).collect();
    assert_eq!(setup.uploads(), expected);
    for name in CRATES {
        assert_eq!(setup.registry.versions(name), ["0.1.0", "0.2.0"], "{name}");
    }
    let proxy = setup.registry.proxy().unwrap();
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1"]);
    assert_eq!(proxy.upload_tokens(), ["tp-minted-1"; 3]);
    assert_eq!(proxy.revoked_tokens(), ["tp-minted-1"]);
}

#[cfg(unix)]
#[test]
fn a_release_cancelled_while_publishing_revokes_its_token_and_resumes() {
    use std::os::unix::process::CommandExt;
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    use launchkit_testkit::{Fault, Route};

    let issuer = issuer();
    // The first upload is held longer than the handler may take.
    let held = Fault::Slow(Duration::from_secs(12));
    let faults = Faults::none().trusted_publishing("jwt.127.0.0.1.").on(Route::Publish, 1, held);
    let setup = Setup::new(faults);
    for name in CRATES {
        assert_eq!(setup.registry.seed(name, "0.1.0"), 200);
    }
    let start = setup.git(&["rev-parse", "HEAD"]);
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    let mut command = setup.command(&args);
    // A cancelled CI job: SIGTERM to the whole process group, cargo included.
    command.envs(trusted_env(&issuer)).process_group(0);
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let proxy = setup.registry.proxy().unwrap();
    let deadline = Instant::now() + Duration::from_secs(240);
    while proxy.held() == 0 {
        assert!(Instant::now() < deadline, "no upload");
        assert!(child.try_wait().unwrap().is_none(), "the release ended before its upload");
        std::thread::sleep(Duration::from_millis(10));
    }
    run("kill", &["-TERM", "--", &format!("-{}", child.id())], &setup.repo());
    let cancelled = Run::checked(child.wait_with_output().unwrap(), SECRETS).code(143);
    assert_eq!(
        cancelled.stderr.lines().last(),
        Some(
            format!(
                "interrupted: revoked the 1 trusted-publishing token this run minted; resume with: cargo xtask release minor --env staging --date {MONDAY} --execute"
            )
            .as_str()
        ),
        "{cancelled}"
    );
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1"]);
    assert_eq!(proxy.revoked_tokens(), ["tp-minted-1"]);
    // As after a kill: the journal stays for the next run, and the lock went with the process.
    assert!(setup.repo().join(".git/launchkit/release.json").exists(), "{cancelled}");

    let mut command = setup.command(&args);
    command.envs(trusted_env(&issuer));
    let resumed = Run::checked(command.output().unwrap(), SECRETS).success();
    assert_eq!(setup.git(&["rev-parse", "HEAD~1"]), start, "one release commit");
    assert_eq!(
        setup.remote_git(&["rev-parse", "v0.2.0^{commit}"]),
        setup.git(&["rev-parse", "HEAD"])
    );
    for name in CRATES {
        assert_eq!(setup.registry.versions(name), ["0.1.0", "0.2.0"], "{name}");
    }
    assert!(!setup.repo().join(".git/launchkit/release.json").exists(), "{resumed}");
    let expected: Vec<String> = CRATES.iter().map(|name| format!("{name}@0.2.0")).collect();
    assert_eq!(setup.uploads(), expected);
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1", "tp-minted-2"]);
    assert_eq!(proxy.revoked_tokens(), proxy.minted_tokens());
}

#[cfg(unix)]
#[test]
fn a_signal_after_the_tokens_were_revoked_ends_the_release_as_before() {
    use std::os::unix::process::{CommandExt, ExitStatusExt};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let issuer = issuer();
    let setup = Setup::new(Faults::none().trusted_publishing("jwt.127.0.0.1."));
    for name in CRATES {
        assert_eq!(setup.registry.seed(name, "0.1.0"), 200);
    }
    // The docs step comes after the publish, whose token is revoked by then.
    let marker = setup.dir.path().join("docs-started");
    let hook = format!("touch '{}'; sleep 60", marker.display());
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    let mut command = setup.command(&args);
    command.envs(trusted_env(&issuer)).env("LAUNCHKIT_DOCS_HOOK", &hook).process_group(0);
    let mut child = command.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(240);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the docs hook never ran");
        assert!(child.try_wait().unwrap().is_none(), "the release ended before its docs hook");
        std::thread::sleep(Duration::from_millis(10));
    }
    run("kill", &["-TERM", "--", &format!("-{}", child.id())], &setup.repo());
    let output = child.wait_with_output().unwrap();
    let killed = Run::checked(output.clone(), SECRETS);
    assert_eq!(
        output.status.signal(),
        Some(15),
        "ended by SIGTERM, as without a handler:\n{killed}"
    );
    assert!(!killed.stderr.contains("interrupted:"), "{killed}");
    let proxy = setup.registry.proxy().unwrap();
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1"]);
    assert_eq!(proxy.revoked_tokens(), ["tp-minted-1"]);
}
