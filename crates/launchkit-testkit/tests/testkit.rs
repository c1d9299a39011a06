//! The test support itself: the registry starts and stops, the proxy does what it is told.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use launchkit_testkit::http;
use launchkit_testkit::{Fault, Faults, RegistryServer, Route};

fn base() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

fn addr(url: &str) -> SocketAddr {
    url.trim_start_matches("http://").parse().unwrap()
}

#[test]
fn registry_serves_uploads_refuses_duplicates_and_stops_on_drop() {
    let registry = RegistryServer::start(base());
    let health = http::get(addr(&registry.url()), "/healthz").unwrap();
    assert_eq!(health.status, 200);
    assert_eq!(registry.upload_raw("tk-one", "0.1.0"), 200);
    assert_eq!(registry.upload_raw("tk-one", "0.1.0"), 409, "a duplicate version is refused");
    assert_eq!(registry.versions("tk-one"), ["0.1.0"]);
    let url = registry.url();
    drop(registry);
    assert!(http::get(addr(&url), "/healthz").is_err(), "the server is gone after drop");
}

#[test]
fn proxy_answers_faults_on_the_nth_request_of_a_route() {
    let faults = Faults::none()
        .on(Route::Any, 2, Fault::Status { status: 429, retry_after: Some(2) })
        .on(Route::Any, 3, Fault::Drop)
        .on(Route::Publish, 1, Fault::Status { status: 500, retry_after: None });
    let registry = RegistryServer::start_with_faults(base(), faults);
    let proxy = addr(&registry.url());
    assert_eq!(http::get(proxy, "/config.json").unwrap().status, 200);
    let limited = http::get(proxy, "/config.json").unwrap();
    assert_eq!(limited.status, 429);
    assert_eq!(http::header(&limited.headers, "retry-after"), Some("2"));
    assert!(http::get(proxy, "/config.json").is_err(), "the third request is dropped");
    assert_eq!(registry.upload_raw("tk-two", "0.1.0"), 500);
    assert_eq!(registry.upload_raw("tk-two", "0.1.0"), 200);
    let proxy = registry.proxy().unwrap();
    assert_eq!(proxy.upload_attempts(), 2);
    assert_eq!(proxy.uploads(), ["tk-two@0.1.0"]);
}

#[test]
fn a_lagging_index_serves_a_new_version_only_after_the_lag() {
    let registry = RegistryServer::start_with_faults(
        base(),
        Faults::none().index_lag(Duration::from_millis(600)),
    );
    let proxy = addr(&registry.url());
    assert_eq!(registry.upload_raw("tk-lag", "0.1.0"), 200);
    assert_eq!(http::get(proxy, "/tk/-l/tk-lag").unwrap().status, 404, "not yet served");
    assert!(registry.index_file("tk-lag").is_some(), "the server itself has it");
    std::thread::sleep(Duration::from_millis(700));
    let served = http::get(proxy, "/tk/-l/tk-lag").unwrap();
    assert_eq!(served.status, 200);
    assert!(String::from_utf8_lossy(&served.body).contains(r#""vers":"0.1.0""#));
}

#[test]
fn a_slow_answer_arrives_after_the_delay() {
    let delay = Duration::from_millis(300);
    let registry = RegistryServer::start_with_faults(
        base(),
        Faults::none().on(Route::Any, 1, Fault::Slow(delay)),
    );
    let started = std::time::Instant::now();
    assert_eq!(http::get(addr(&registry.url()), "/config.json").unwrap().status, 200);
    assert!(started.elapsed() >= delay, "the proxy held the answer back");
    let exchange = &registry.proxy().unwrap().exchanges()[0];
    assert_eq!(
        (exchange.status, exchange.injected),
        (Some(200), false),
        "a slow answer is still the real one"
    );
}
