//! Trusted publishing end to end: no registry token, a GitHub Actions identity served by
//! the test (the token service's contract: `Authorization: bearer REQUEST_TOKEN`, an
//! `audience`, a new JWT per request), the registry's exchange and revocation served by
//! the proxy in front of the real registry server (crates.io's contract), which accepts an
//! upload only with a live minted token.

use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use launchkit_testkit::http::{Request, header};
use launchkit_testkit::server::json;
use launchkit_testkit::{CargoSandbox, Fault, Faults, HttpServer, RegistryServer, Route, Run};

use crate::support::{DIAMOND, REGISTRY, Setup, TOKEN, assert_refused, base, workspace};

const REQUEST_TOKEN: &str = "actions-request-token-9c1e";
/// The audience a registry other than crates.io expects: its API's host.
const JWT_PREFIX: &str = "jwt.127.0.0.1.";

/// GitHub Actions' OIDC token service.
fn issuer() -> HttpServer {
    let minted = AtomicUsize::new(0);
    HttpServer::start(move |request: &Request| {
        if header(&request.headers, "authorization") != Some(&format!("bearer {REQUEST_TOKEN}")) {
            return json(
                401,
                r#"{"message":"Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable"}"#,
            );
        }
        let Some(audience) = request.target.split("&audience=").nth(1) else {
            return json(400, r#"{"message":"no audience"}"#);
        };
        let n = minted.fetch_add(1, Ordering::Relaxed);
        json(200, &format!(r#"{{"count":1,"value":"jwt.{audience}.{n}"}}"#))
    })
}

/// A registry with trusted publishing and a sandbox with no token for it.
fn setup(faults: Faults) -> Setup {
    let registry = RegistryServer::start_with_faults(base(), faults.trusted_publishing(JWT_PREFIX));
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), None);
    Setup { registry, sandbox, fixture: workspace(DIAMOND) }
}

/// `publish --registry lk <args>` on GitHub Actions with `env`, not started yet.
fn command(setup: &Setup, issuer: &HttpServer, args: &[&str]) -> std::process::Command {
    let mut command = setup.xtask_command(args);
    command
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{}/token?api-version=2.0", issuer.url()))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);
    command
}

/// The secrets no output may show.
const SECRETS: &[&str] = &[REQUEST_TOKEN, "tp-minted", "jwt."];

/// `publish --registry lk <args>` on GitHub Actions with `env`; no secret in any output.
fn run(setup: &Setup, issuer: &HttpServer, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = command(setup, issuer, args);
    command.envs(env.iter().copied());
    Run::checked(command.output().expect("xtask runs"), SECRETS)
}

#[test]
fn a_github_identity_publishes_every_crate_with_the_minted_token_and_revokes_it() {
    let setup = setup(Faults::none());
    let issuer = issuer();
    run(&setup, &issuer, &["--execute"], &[]).success();
    setup.assert_published_once(DIAMOND);
    let proxy = setup.registry.proxy().unwrap();
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1"]);
    assert_eq!(proxy.upload_tokens(), ["tp-minted-1"; 4]);
    assert_eq!(proxy.revoked_tokens(), ["tp-minted-1"]);
    assert_eq!(issuer.requests().len(), 1);
    assert_eq!(issuer.requests()[0].target, "/token?api-version=2.0&audience=127.0.0.1");
}

#[test]
fn an_expiring_token_is_replaced_with_one_from_a_fresh_jwt_and_all_are_revoked() {
    let setup = setup(Faults::none());
    let issuer = issuer();
    // Every token counts as due for renewal, as after 25 minutes of waiting out limits.
    run(&setup, &issuer, &["--execute"], &[("LAUNCHKIT_TRUSTED_PUBLISHING_REFRESH", "0")])
        .success();
    setup.assert_published_once(DIAMOND);
    let proxy = setup.registry.proxy().unwrap();
    let minted = proxy.minted_tokens();
    // One at the start, then a fresh one before each of the four uploads.
    assert_eq!(minted.len(), 5, "{minted:?}");
    assert_eq!(proxy.upload_tokens(), minted[1..]);
    assert_eq!(proxy.revoked_tokens(), minted);
    assert_eq!(issuer.requests().len(), 5, "a fresh JWT for each exchange");
}

#[test]
fn a_stop_mid_publish_still_revokes() {
    let rejected = Fault::Status { status: 400, retry_after: None };
    let setup = setup(Faults::none().on(Route::Publish, 2, rejected));
    let issuer = issuer();
    let stopped = run(&setup, &issuer, &["--execute"], &[]).code(1);
    assert!(
        stopped.stdout.contains("resume with: cargo xtask publish --registry lk --execute"),
        "{stopped}"
    );
    let proxy = setup.registry.proxy().unwrap();
    assert_eq!(proxy.uploads().len(), 1, "{stopped}");
    assert_eq!(proxy.revoked_tokens(), proxy.minted_tokens());
    assert_eq!(proxy.minted_tokens().len(), 1);
}

#[test]
fn a_refused_exchange_is_one_line_with_the_fix() {
    let setup = setup(Faults::none());
    let issuer = issuer();
    let refused = run(
        &setup,
        &issuer,
        &["--execute"],
        &[("LAUNCHKIT_TRUSTED_PUBLISHING_AUDIENCE", "registry.example")],
    );
    assert_refused(
        &refused,
        "trusted publishing refused: the registry answered HTTP 400 (No matching Trusted Publishing config found): no trusted-publishing configuration matches this repository, workflow and environment",
    );
    assert!(setup.registry.proxy().unwrap().minted_tokens().is_empty());
    assert_eq!(setup.upload_attempts(), 0);
}

#[test]
fn no_exchange_with_a_token_or_when_never_and_always_needs_an_identity() {
    // A token from cargo's sources: the identity is not used.
    let with_token = Setup::new(DIAMOND, Faults::none());
    let issuer = issuer();
    let mut command = with_token.xtask_command(&["--execute"]);
    command
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{}/token?api-version=2.0", issuer.url()))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN);
    Run::checked(command.output().unwrap(), &[TOKEN, REQUEST_TOKEN]).success();
    with_token.assert_published_once(DIAMOND);
    assert!(issuer.requests().is_empty(), "no identity token was asked for");

    let setup = setup(Faults::none());
    let never = run(&setup, &issuer, &["--execute"], &[("LAUNCHKIT_TRUSTED_PUBLISHING", "never")]);
    assert_refused(&never, "no token for registry `lk`");
    assert!(issuer.requests().is_empty(), "`never` asks for no identity token");

    let mut command = setup.xtask_command(&["--execute"]);
    command
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("LAUNCHKIT_ID_TOKEN")
        .env_remove("CRATES_IO_ID_TOKEN")
        .env("LAUNCHKIT_TRUSTED_PUBLISHING", "always");
    let always = Run::checked(command.output().unwrap(), &[]);
    assert_refused(
        &always,
        "trusted-publishing is `always` but no CI identity is available for `lk`: run in GitHub Actions with `permissions: id-token: write`",
    );
    assert_eq!(setup.upload_attempts(), 0);
}

#[test]
fn a_jwt_from_a_variable_is_exchanged_once_and_its_token_kept() {
    let setup = setup(Faults::none());
    let mut command = setup.xtask_command(&["--execute"]);
    command
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_URL")
        .env_remove("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
        .env("LAUNCHKIT_ID_TOKEN", "jwt.127.0.0.1.gitlab")
        .env("LAUNCHKIT_TRUSTED_PUBLISHING_REFRESH", "0");
    Run::checked(command.output().unwrap(), &["tp-minted", "jwt."]).success();
    setup.assert_published_once(DIAMOND);
    let proxy = setup.registry.proxy().unwrap();
    // The registry would refuse the same JWT twice, so no renewal is tried.
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1"]);
    assert_eq!(proxy.upload_tokens(), ["tp-minted-1"; 4]);
    assert_eq!(proxy.revoked_tokens(), ["tp-minted-1"]);
}

#[test]
fn doctor_counts_an_identity_as_the_token_and_refuses_always_without_one() {
    let setup = setup(Faults::none());
    let registry = [("LAUNCHKIT_REGISTRY", REGISTRY)];
    let token_step = |run: &Run| {
        let report = run.json();
        let steps = report["steps"].as_array().unwrap();
        steps.iter().find(|step| step["name"] == "token").unwrap().clone()
    };
    let no_identity = setup.task(&["doctor", "--format", "json"], &registry);
    assert_eq!(token_step(&no_identity)["status"], "failed", "{no_identity}");
    let mut with_identity = registry.to_vec();
    with_identity.push(("LAUNCHKIT_ID_TOKEN", "jwt.127.0.0.1.gitlab"));
    let passed = setup.task(&["doctor", "--format", "json"], &with_identity);
    assert_eq!(token_step(&passed)["status"], "passed", "{passed}");
    let mut always = registry.to_vec();
    always.push(("LAUNCHKIT_TRUSTED_PUBLISHING", "always"));
    let refused = setup.task(&["doctor", "--format", "json"], &always);
    let step = token_step(&refused);
    assert_eq!(step["status"], "failed", "{refused}");
    assert!(
        step.to_string().contains("trusted-publishing is `always` but no CI identity"),
        "{step}"
    );
    assert!(setup.registry.proxy().unwrap().minted_tokens().is_empty(), "doctor mints nothing");
}

#[test]
fn the_plan_warns_of_no_token_only_when_no_identity_will_give_one() {
    let setup = setup(Faults::none());
    let issuer = issuer();
    let warning = "warning: no token for `lk` yet";
    let with_identity = run(&setup, &issuer, &[], &[]).success();
    assert!(!with_identity.stderr.contains(warning), "{with_identity}");
    assert!(issuer.requests().is_empty(), "a plan asks for no identity token");
    let mut command = setup.xtask_command(&[]);
    command.env_remove("ACTIONS_ID_TOKEN_REQUEST_URL").env_remove("LAUNCHKIT_ID_TOKEN");
    let without = Run::checked(command.output().unwrap(), &[]).success();
    assert!(without.stderr.contains(warning), "{without}");
    assert!(setup.registry.proxy().unwrap().minted_tokens().is_empty());
}

/// The first upload is held this long by the registry, longer than the handler may take.
#[cfg(unix)]
const HELD: Duration = Duration::from_secs(12);

/// A registry that holds the first upload for [`HELD`].
#[cfg(unix)]
fn held_upload() -> Setup {
    setup(Faults::none().on(Route::Publish, 1, Fault::Slow(HELD)))
}

/// Starts `publish --execute`, sends `signal` while cargo waits for its first upload's
/// answer (to the xtask's process, or with `group` to its whole process group, as a
/// terminal's Ctrl-C does), and returns the run and how long it took to end after that.
#[cfg(unix)]
fn interrupt(setup: &Setup, issuer: &HttpServer, signal: &str, group: bool) -> (Run, Duration) {
    use std::os::unix::process::CommandExt;

    let mut command = command(setup, issuer, &["--execute"]);
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    if group {
        command.process_group(0);
    }
    let mut child = command.spawn().unwrap();
    let proxy = setup.registry.proxy().unwrap();
    let deadline = Instant::now() + Duration::from_secs(180);
    while proxy.held() == 0 {
        assert!(Instant::now() < deadline, "no upload");
        assert!(child.try_wait().unwrap().is_none(), "the publish ended before its upload");
        std::thread::sleep(Duration::from_millis(5));
    }
    let target = if group { format!("-{}", child.id()) } else { child.id().to_string() };
    let mut kill = std::process::Command::new("kill");
    assert!(kill.args([&format!("-{signal}"), "--", &target]).status().unwrap().success());
    let signalled = Instant::now();
    let output = child.wait_with_output().unwrap();
    (Run::checked(output, SECRETS), signalled.elapsed())
}

/// The line an interrupted publish ends with.
#[cfg(unix)]
fn assert_revoked_line(run: &Run) {
    assert_eq!(
        run.stderr.lines().last(),
        Some(
            "interrupted: revoked the 1 trusted-publishing token this run minted; resume with: cargo xtask publish --registry lk --execute"
        ),
        "{run}"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_revokes_the_minted_token_and_the_same_command_finishes() {
    let setup = held_upload();
    let issuer = issuer();
    let proxy = setup.registry.proxy().unwrap();
    // Only the xtask gets it, as from `kill PID`: its cargo goes on with the upload.
    let (interrupted, took) = interrupt(&setup, &issuer, "TERM", false);
    let interrupted = interrupted.code(143);
    assert!(took < HELD - Duration::from_secs(4), "ended {took:?} after the signal");
    assert_revoked_line(&interrupted);
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1"]);
    assert_eq!(proxy.revoked_tokens(), ["tp-minted-1"]);
    // The upload cargo was making arrives with a revoked token: the registry refuses it.
    let deadline = Instant::now() + HELD + Duration::from_secs(30);
    while proxy.held() > 0 || proxy.upload_tokens().is_empty() {
        assert!(Instant::now() < deadline, "the held upload never reached the registry");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(proxy.upload_tokens(), ["tp-minted-1"]);
    assert!(proxy.uploads().is_empty(), "no upload with a revoked token");

    run(&setup, &issuer, &["--execute"], &[]).success();
    setup.assert_published_once(DIAMOND);
    assert_eq!(proxy.revoked_tokens(), proxy.minted_tokens());
    assert_eq!(proxy.minted_tokens().len(), 2);
}

#[cfg(unix)]
#[test]
fn ctrl_c_revokes_the_minted_token_and_the_same_command_finishes() {
    let setup = held_upload();
    let issuer = issuer();
    let proxy = setup.registry.proxy().unwrap();
    let (interrupted, took) = interrupt(&setup, &issuer, "INT", true);
    let interrupted = interrupted.code(130);
    assert!(took < HELD - Duration::from_secs(4), "ended {took:?} after the signal");
    assert_revoked_line(&interrupted);
    assert_eq!(proxy.minted_tokens(), ["tp-minted-1"]);
    assert_eq!(proxy.revoked_tokens(), ["tp-minted-1"]);

    run(&setup, &issuer, &["--execute"], &[]).success();
    setup.assert_published_once(DIAMOND);
    assert_eq!(proxy.revoked_tokens(), proxy.minted_tokens());
    assert_eq!(proxy.minted_tokens().len(), 2);
}
