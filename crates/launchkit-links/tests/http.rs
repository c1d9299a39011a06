//! External links against HTTP servers this test starts on 127.0.0.1: answers, redirects,
//! rate limits, refused HEAD, silence, limits on concurrency, headers and the cache.

mod support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use launchkit_links::http::{self, HostHeader, HttpOptions, Verdict};
use launchkit_links::{Options, check};
use support::{Reply, Server};

/// Options with short timeouts and pauses, so failures show quickly.
fn fast() -> HttpOptions {
    HttpOptions {
        connect_timeout: Duration::from_millis(500),
        timeout: Duration::from_millis(400),
        retries: 1,
        backoff: Duration::from_millis(10),
        max_retry_after: Duration::from_secs(5),
        ..HttpOptions::default()
    }
}

fn verdicts(urls: &[String], options: &HttpOptions) -> HashMap<String, Verdict> {
    http::check(urls.to_vec(), options)
}

fn verdict(url: &str, options: &HttpOptions) -> Verdict {
    http::check(vec![url.to_owned()], options).remove(url).unwrap()
}

#[test]
fn a_success_passes_and_a_404_is_broken() {
    let server = Server::start(|request| match request.path.as_str() {
        "/ok" => Reply::status(200),
        _ => Reply::status(404),
    });
    let (ok, missing) = (server.url("/ok"), server.url("/missing"));
    let result = verdicts(&[ok.clone(), missing.clone()], &fast());
    assert_eq!(result[&ok], Verdict::Ok);
    assert_eq!(result[&missing], Verdict::Broken("404 Not Found".to_owned()));
}

#[test]
fn a_redirect_chain_is_followed_to_its_end() {
    let server = Server::start(|request| match request.path.as_str() {
        "/one" => Reply::redirect(301, "/two"),
        "/two" => Reply::redirect(302, "three"),
        "/three" => Reply::redirect(307, "/done?x=1"),
        "/done?x=1" => Reply::status(200),
        _ => Reply::status(404),
    });
    let url = server.url("/one");
    assert_eq!(verdict(&url, &fast()), Verdict::Ok);
    assert_eq!(server.hits(), ["HEAD /one", "HEAD /two", "HEAD /three", "HEAD /done?x=1"]);
}

#[test]
fn a_redirect_loop_is_an_error() {
    let server = Server::start(|request| match request.path.as_str() {
        "/a" => Reply::redirect(302, "/b"),
        _ => Reply::redirect(302, "/a"),
    });
    let url = server.url("/a");
    let expected = format!("redirect loop: {url} -> {} -> {url}", server.url("/b"));
    assert_eq!(verdict(&url, &fast()), Verdict::Broken(expected));
    assert_eq!(server.hits().len(), 2, "each page asked once");
}

#[test]
fn redirects_stop_at_the_limit() {
    let server = Server::start(|request| {
        let n: u32 = request.path.trim_start_matches("/hop/").parse().unwrap();
        Reply::redirect(302, &format!("/hop/{}", n + 1))
    });
    let url = server.url("/hop/0");
    let options = HttpOptions { max_redirects: 3, ..fast() };
    assert_eq!(verdict(&url, &options), Verdict::Broken("more than 3 redirects".to_owned()));
    assert_eq!(server.hits().len(), 4, "the first request and three redirects");
}

#[test]
fn a_429_waits_as_long_as_retry_after_says_then_succeeds() {
    let server = Server::start(|request| match request.nth {
        0 => Reply::status(429).header("retry-after", "1"),
        _ => Reply::status(200),
    });
    let url = server.url("/limited");
    assert_eq!(verdict(&url, &fast()), Verdict::Ok);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let waited = requests[1].at - requests[0].at;
    assert!(waited >= Duration::from_secs(1), "asked again after {waited:?}, before Retry-After");
}

#[test]
fn a_retry_after_beyond_the_limit_is_not_waited_for() {
    let server = Server::start(|_| Reply::status(429).header("retry-after", "3600"));
    let url = server.url("/slow-down");
    let result = verdict(&url, &fast());
    let expected = "rate limited (429): Retry-After asks for 3600s, more than the 5s allowed";
    assert_eq!(result, Verdict::Unverified(expected.to_owned()));
    assert_eq!(server.hits().len(), 1);
}

#[test]
fn a_refused_head_falls_back_to_get_and_the_host_is_remembered() {
    let server = Server::start(|request| match request.method.as_str() {
        "HEAD" => Reply::status(405),
        _ => Reply::status(200),
    });
    let (first, second) = (server.url("/first"), server.url("/second"));
    let options = HttpOptions { concurrency: 1, ..fast() };
    let result = verdicts(&[first.clone(), second.clone()], &options);
    assert_eq!((&result[&first], &result[&second]), (&Verdict::Ok, &Verdict::Ok));
    assert_eq!(server.hits(), ["HEAD /first", "GET /first", "GET /second"]);
}

#[test]
fn a_server_that_never_answers_times_out_after_the_retries() {
    let server = Server::start(|_| Reply::hang());
    let url = server.url("/silent");
    let result = verdict(&url, &fast());
    assert_eq!(result, Verdict::Unverified("timed out (2 attempts)".to_owned()));
    assert_eq!(server.hits().len(), 2, "one try and one retry");
}

#[test]
fn a_5xx_is_retried() {
    let server =
        Server::start(
            |request| if request.nth == 0 { Reply::status(503) } else { Reply::status(200) },
        );
    let url = server.url("/flaky");
    assert_eq!(verdict(&url, &fast()), Verdict::Ok);
    assert_eq!(server.hits().len(), 2);
}

fn many(server: &Server, count: usize) -> Vec<String> {
    (0..count).map(|n| server.url(&format!("/page/{n}"))).collect()
}

#[test]
fn no_host_gets_more_than_the_per_host_limit() {
    let server = Server::start(|_| Reply::status(200).delay(Duration::from_millis(100)));
    let options = HttpOptions { concurrency: 16, per_host: 3, ..fast() };
    let result = verdicts(&many(&server, 12), &options);
    assert!(result.values().all(|verdict| *verdict == Verdict::Ok));
    assert_eq!(server.max_in_flight(), 3, "the server saw exactly the per-host limit at once");
}

#[test]
fn no_more_than_the_global_limit_run_at_once() {
    let server = Server::start(|_| Reply::status(200).delay(Duration::from_millis(100)));
    let options = HttpOptions { concurrency: 2, per_host: 8, ..fast() };
    verdicts(&many(&server, 8), &options);
    assert_eq!(server.max_in_flight(), 2);
}

#[test]
fn per_host_headers_are_sent() {
    // Like crates.io: a 404 unless the client asks for HTML.
    let server = Server::start(|request| match request.headers.get("accept").map(String::as_str) {
        Some("text/html") => Reply::status(200),
        _ => Reply::status(404),
    });
    let url = server.url("/crates/serde");
    assert_eq!(verdict(&url, &fast()), Verdict::Broken("404 Not Found".to_owned()));
    let options = HttpOptions {
        headers: vec![HostHeader::new("127.0.0.1", "accept", "text/html")],
        ..fast()
    };
    assert_eq!(verdict(&url, &options), Verdict::Ok);
    let with_token = HttpOptions { github_token: Some("secret".to_owned()), ..options };
    verdicts(&[url], &with_token);
    assert!(
        server.requests().iter().all(|request| !request.headers.contains_key("authorization")),
        "the token is for GitHub only"
    );
}

fn cache_file(name: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("links-cache-{name}"));
    let _ = std::fs::remove_file(&path);
    path
}

#[test]
fn the_cache_remembers_successes_only() {
    let server = Server::start(|request| match request.path.as_str() {
        "/ok" => Reply::status(200),
        "/limited" => Reply::status(429),
        _ => Reply::status(404),
    });
    let urls = [server.url("/ok"), server.url("/missing"), server.url("/limited")];
    let options = HttpOptions { cache: Some(cache_file("only-successes")), retries: 0, ..fast() };
    let first = verdicts(&urls, &options);
    assert_eq!(first[&urls[0]], Verdict::Ok);
    let saved = std::fs::read_to_string(options.cache.as_ref().unwrap()).unwrap();
    assert!(
        saved.contains(&urls[0]) && !saved.contains("/missing") && !saved.contains("/limited"),
        "{saved}"
    );

    let second = verdicts(&urls, &options);
    assert_eq!(second[&urls[0]], Verdict::Cached);
    assert!(matches!(second[&urls[1]], Verdict::Broken(_)));
    assert!(matches!(second[&urls[2]], Verdict::Unverified(_)));
    let mut hits = server.hits();
    hits.sort();
    // A 404 to HEAD is asked again with GET before it counts as broken; a 429 is not.
    let expected = [
        "GET /missing",
        "GET /missing",
        "HEAD /limited",
        "HEAD /limited",
        "HEAD /missing",
        "HEAD /missing",
        "HEAD /ok",
    ];
    assert_eq!(hits, expected, "the success was not asked again");
}

/// A repository with one markdown file holding `text`.
fn repo(name: &str, text: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("links-http").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("README.md"), text).unwrap();
    dir
}

#[test]
fn links_are_deduplicated_and_every_broken_one_is_reported_where_it_is() {
    let server = Server::start(|request| match request.path.as_str() {
        "/ok" => Reply::status(200),
        _ => Reply::status(410),
    });
    let (ok, gone) = (server.url("/ok"), server.url("/gone"));
    let text =
        format!("# Links\n\n[a]({ok}#top) [b]({ok})\n[c]({gone}) and <{gone}#x>\n\n{gone}\n");
    let root = repo("dedupe", &text);
    let mut options = Options::new(&root);
    options.http = fast();
    let summary = check(&options).unwrap();
    let mut hits = server.hits();
    hits.sort();
    assert_eq!(hits, ["GET /gone", "HEAD /gone", "HEAD /ok"], "each distinct URL asked once");
    let located: Vec<String> = summary
        .findings
        .iter()
        .map(|f| format!("{} {}", f.location().unwrap(), f.message))
        .collect();
    let message = format!("`{gone}`: 410 Gone");
    let column = format!("[c]({gone}) and ").len() + 1;
    let expected = [
        format!("README.md:4:1 {message}"),
        format!("README.md:4:{column} {message}"),
        format!("README.md:6:1 {message}"),
    ];
    assert_eq!(located, expected);
    assert_eq!((summary.external, summary.urls), (5, 2));
}

#[test]
fn offline_and_excluded_links_are_not_requested() {
    let server = Server::start(|_| Reply::status(404));
    let text = format!("[a]({}) [b]({})\n", server.url("/one"), server.url("/skip-me"));
    let root = repo("offline", &text);
    let mut options = Options::new(&root);
    options.http = fast();
    options.offline = true;
    let summary = check(&options).unwrap();
    assert_eq!((summary.findings.len(), summary.skipped), (0, 2));
    options.offline = false;
    options.exclude_links = vec![regex::Regex::new("skip-me").unwrap()];
    let summary = check(&options).unwrap();
    assert_eq!(
        server.hits(),
        ["HEAD /one", "GET /one"],
        "HEAD, then GET to be sure, never the excluded link"
    );
    assert_eq!((summary.findings.len(), summary.skipped), (1, 1));
}
