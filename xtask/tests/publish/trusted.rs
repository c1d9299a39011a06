//! Trusted publishing end to end: no registry token, a GitHub Actions identity served by
//! the test (the token service's contract: `Authorization: bearer REQUEST_TOKEN`, an
//! `audience`, a new JWT per request), the registry's exchange and revocation served by
//! the proxy in front of the real registry server (crates.io's contract), which accepts an
//! upload only with a live minted token.

use std::sync::atomic::{AtomicUsize, Ordering};

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

/// `publish --registry lk <args>` on GitHub Actions with `env`; no secret in any output.
fn run(setup: &Setup, issuer: &HttpServer, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut command = setup.xtask_command(args);
    command
        .env("ACTIONS_ID_TOKEN_REQUEST_URL", format!("{}/token?api-version=2.0", issuer.url()))
        .env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", REQUEST_TOKEN)
        .envs(env.iter().copied());
    Run::checked(command.output().expect("xtask runs"), &[REQUEST_TOKEN, "tp-minted", "jwt."])
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
