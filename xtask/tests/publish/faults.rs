//! Registry trouble the publish must ride out: rate limits, server errors, dropped
//! connections, an index that lags.

use std::time::Duration;

use launchkit_testkit::{Fault, Faults, Route};

use crate::support::{DIAMOND, Setup, states};

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
