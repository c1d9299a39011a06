//! Registry trouble the publish must ride out: rate limits, server errors, dropped
//! connections, an index that lags.

use std::time::Duration;

use launchkit_testkit::{Fault, Faults, Route};

use crate::support::{DIAMOND, Setup, TOKEN, states};

#[test]
fn a_429_with_retry_after_is_waited_out() {
    let faults =
        Faults::none().on(Route::Publish, 3, Fault::Status { status: 429, retry_after: Some(2) });
    let setup = Setup::new(DIAMOND, faults);
    let run = setup.xtask(&["--execute"]).success();
    assert!(
        run.stderr.contains("rate limited (HTTP 429): retrying in 2s, as the registry asked"),
        "{run}"
    );
    setup.assert_published_once(DIAMOND);
    setup.assert_dependency_order(DIAMOND);
}

#[test]
fn server_errors_are_retried_with_backoff() {
    let error = Fault::Status { status: 500, retry_after: None };
    let setup = Setup::new(
        DIAMOND,
        Faults::none().on(Route::Publish, 1, error.clone()).on(Route::Publish, 2, error),
    );
    let report = setup.xtask(&["--execute", "--format", "json"]).success().json();
    assert_eq!(states(&report)[0], ("base".to_owned(), "uploaded".to_owned(), 3));
    setup.assert_published_once(DIAMOND);
}

#[test]
fn a_dropped_connection_is_retried() {
    let setup = Setup::new(DIAMOND, Faults::none().on(Route::Publish, 2, Fault::Drop));
    let report = setup.xtask(&["--execute", "--format", "json"]).success().json();
    let attempts: u64 = states(&report).iter().map(|(_, _, attempts)| attempts).sum();
    assert_eq!(attempts, 5, "one retry: {report:#}");
    setup.assert_published_once(DIAMOND);
}

#[test]
fn an_index_that_lags_three_seconds_is_waited_for() {
    let setup = Setup::new(DIAMOND, Faults::none().index_lag(Duration::from_secs(3)));
    setup.xtask(&["--execute"]).success();
    setup.assert_published_once(DIAMOND);
    setup.assert_dependency_order(DIAMOND);
}

#[test]
fn an_index_behind_for_launchkit_alone_is_waited_for_before_the_next_crate() {
    // cargo sees each upload at once and returns; launchkit's own reads lag, as behind a
    // CDN edge that is late, and it must not move on before its view serves the crate.
    let setup = Setup::new(
        DIAMOND,
        Faults::none().index_lag_for("launchkit-registry", Duration::from_secs(1)),
    );
    let run = setup.xtask(&["--execute"]).success();
    assert!(run.stderr.contains("uploaded; waiting for the index to serve it"), "{run}");
    setup.assert_published_once(DIAMOND);
    setup.assert_dependency_order(DIAMOND);
}

#[test]
fn a_registry_that_refuses_connections_right_after_an_upload_is_waited_for() {
    // cargo's upload and its own index check go through; then launchkit's first index
    // read is dropped and the registry refuses connections for 3 seconds.
    let outage =
        Faults::none().outage_after_upload(1, "launchkit-registry", Duration::from_secs(3));
    let setup = Setup::new(DIAMOND, outage);
    let run = setup.xtask(&["--execute"]).success();
    assert!(run.stderr.contains("uploaded; waiting for the index to serve it"), "{run}");
    setup.assert_published_once(DIAMOND);
    setup.assert_dependency_order(DIAMOND);
}

#[test]
fn waiting_past_the_ceiling_stops_with_what_landed_and_the_resume_command() {
    let outage =
        Faults::none().outage_after_upload(1, "launchkit-registry", Duration::from_secs(5));
    let setup = Setup::new(DIAMOND, outage);
    let mut command = setup.xtask_command(&["--execute"]);
    command.env("LAUNCHKIT_PUBLISH_MAX_WAIT", "2s");
    let run = crate::support::Run::checked(command.output().unwrap(), &[crate::support::TOKEN]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.contains("past the ceiling of 2s of waiting in all"), "{run}");
    assert!(run.stdout.contains("published: base 0.1.0\n"), "{run}");
    assert!(run.stdout.contains("not published: left 0.1.0, right 0.1.0, top 0.1.0"), "{run}");
    assert!(
        run.stdout.contains("resume with: cargo xtask publish --registry lk --execute"),
        "{run}"
    );

    // The outage began less than 5 seconds ago; then the same command finishes the job.
    std::thread::sleep(Duration::from_secs(5));
    let run = setup.xtask(&["--execute"]).success();
    assert!(run.stdout.contains("published 4 of 4 crates"), "{run}");
    setup.assert_published_once(DIAMOND);
}

#[test]
fn a_403_names_the_token_to_check() {
    let forbidden = Fault::Status { status: 403, retry_after: None };
    let setup = Setup::new(DIAMOND, Faults::none().on(Route::Publish, 1, forbidden));
    let run = setup.xtask(&["--execute"]);
    assert_eq!(run.code, Some(1), "{run}");
    assert!(
        run.stdout.contains("the registry refused the token from environment variable CARGO_REGISTRIES_LK_TOKEN: check that it is valid, not expired, and allowed to publish `base`"),
        "{run}"
    );
    assert_eq!(setup.upload_attempts(), 1, "a refused token is not retried");
}

#[test]
fn a_registry_that_dies_after_an_upload_is_given_up_on_within_the_ceiling() {
    // From launchkit's first index read after the first upload, the registry refuses every
    // connection for a minute: the run gives up after its waits (1 s, 2 s, then 4 s would
    // pass the 3 s ceiling).
    let outage = Faults::none().outage_after_upload(1, "launchkit", Duration::from_secs(60));
    let setup = Setup::new(DIAMOND, outage);
    gives_up_within_the_ceiling(&setup, &[]);
}

#[test]
fn with_a_credential_provider_cargo_uploads_with_its_retries_off() {
    // A credential provider is cargo's to ask, so cargo makes the upload. From cargo's
    // first index read after it, the registry refuses every connection: cargo runs with
    // its own retries off, so the run gives up after launchkit's waits, not after cargo's
    // retries inside each of launchkit's attempts.
    let outage = Faults::none().outage_after_upload(1, "cargo/", Duration::from_secs(60));
    let setup = Setup::new(DIAMOND, outage);
    let provider = format!("cargo:token-from-stdout echo {TOKEN}");
    let env = [("CARGO_REGISTRIES_LK_CREDENTIAL_PROVIDER", provider.as_str())];
    gives_up_within_the_ceiling(&setup, &env);
    let exchanges = setup.registry.proxy().expect("a proxy").exchanges();
    let uploads: Vec<&str> =
        exchanges.iter().filter(|e| e.method == "PUT").map(|e| e.agent.as_str()).collect();
    assert!(
        !uploads.is_empty() && uploads.iter().all(|agent| agent.starts_with("cargo/")),
        "{uploads:?}"
    );
}

fn gives_up_within_the_ceiling(setup: &Setup, env: &[(&str, &str)]) {
    let started = std::time::Instant::now();
    let mut command = setup.xtask_command(&["--execute", "--max-wait", "3s"]);
    command.env("CARGO_NET_RETRY", "3").envs(env.iter().copied());
    let run = crate::support::Run::checked(command.output().unwrap(), &[crate::support::TOKEN]);
    let elapsed = started.elapsed();
    assert_eq!(run.code, Some(1), "{run}");
    assert!(run.stdout.contains("past the ceiling of 3s of waiting in all"), "{run}");
    assert!(
        run.stdout.contains("resume with: cargo xtask publish --registry lk --execute"),
        "{run}"
    );
    assert!(elapsed < Duration::from_secs(20), "gave up after {elapsed:?}: {run}");
}
