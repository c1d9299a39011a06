//! The outdated check: the sparse-index client against a server on 127.0.0.1, and the
//! whole comparison against crates.io's real index (read-only), which must agree with
//! `cargo update --dry-run --verbose` on a fixture lockfile of old versions.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use launchkit_scan::Lockfile;
use launchkit_scan::outdated::{self, Dependency, IndexClient, Release};
use launchkit_testkit::HttpServer;
use launchkit_testkit::http::Response;
use semver::Version;

/// Serves `files` (index path -> body) on 127.0.0.1; other paths are 404, and
/// `/er/ro/error` is a 500.
fn serve(files: BTreeMap<&'static str, String>) -> HttpServer {
    HttpServer::start(move |request| {
        let path = request.target.trim_start_matches('/');
        let (status, body) = match files.get(path) {
            Some(body) => (200, body.clone().into_bytes()),
            None if path == "config.json" => (200, br#"{"dl":"http://127.0.0.1/dl"}"#.to_vec()),
            None if path == "er/ro/error" => (500, Vec::new()),
            None => (404, Vec::new()),
        };
        Response { status, headers: Vec::new(), body }
    })
}

fn line(name: &str, version: &str, yanked: bool) -> String {
    format!(
        "{{\"name\":\"{name}\",\"vers\":\"{version}\",\"deps\":[],\"cksum\":\"00\",\"features\":{{}},\"yanked\":{yanked}}}\n"
    )
}

#[test]
fn the_index_client_reads_versions_yanked_flags_and_errors() {
    let foo = line("foo", "0.1.0", false)
        + &line("foo", "0.2.0", true)
        + &line("foo", "0.2.1-rc.1", false);
    let server = serve(BTreeMap::from([("3/f/foo", foo)]));
    let client = IndexClient::new(&server.url());
    let releases = client.releases("foo").unwrap().unwrap();
    let shown: Vec<(String, bool)> =
        releases.iter().map(|r| (r.version.to_string(), r.yanked)).collect();
    assert_eq!(
        shown,
        [("0.1.0".into(), false), ("0.2.0".into(), true), ("0.2.1-rc.1".into(), false)]
    );
    assert_eq!(client.releases("missing").unwrap(), None);
    let error = client.releases("error").unwrap_err();
    assert!(error.ends_with("/er/ro/error answered HTTP 500"), "{error}");

    let names: Vec<String> = ["foo", "missing", "error"].map(String::from).into();
    let all = client.releases_of_all(&names, 3);
    assert_eq!(all.len(), 3);
    assert!(
        all["foo"].as_ref().unwrap().is_some()
            && all["missing"] == Ok(None)
            && all["error"].is_err()
    );
}

fn fixture() -> PathBuf {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/outdated");
    let to =
        Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("outdated-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&to);
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "app/Cargo.toml",
        "app/src/lib.rs",
        "tool/Cargo.toml",
        "tool/src/lib.rs",
    ] {
        std::fs::create_dir_all(to.join(file).parent().unwrap()).unwrap();
        std::fs::copy(from.join(file), to.join(file)).unwrap();
    }
    to
}

fn dependency(member: &str, name: &str, req: &str) -> Dependency {
    Dependency {
        member: member.to_owned(),
        member_version: Version::new(0, 1, 0),
        name: name.to_owned(),
        req: req.parse().unwrap(),
        declared_at: (format!("{}/Cargo.toml", member.trim_start_matches("outdated-")), None),
    }
}

/// `(name, locked) -> (newest compatible, newest)` from `cargo update --dry-run --verbose`.
fn cargo_answers(dir: &Path) -> BTreeMap<(String, Version), (Version, Version)> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = std::process::Command::new(cargo)
        .args(["update", "--dry-run", "--verbose"])
        .current_dir(dir)
        .env_remove("CARGO_TARGET_DIR")
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    let version =
        |text: &str| Version::parse(text.trim_start_matches('v').trim_end_matches(')')).unwrap();
    let mut answers = BTreeMap::new();
    let mut removed: Vec<(String, Version)> = Vec::new();
    let mut added: Vec<(String, Version, Version)> = Vec::new();
    for line in stderr.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        let available = line.split("(available: ").nth(1).map(version);
        match words.as_slice() {
            ["Updating", name, old, "->", new, ..] => {
                let new = version(new);
                answers.insert(
                    (name.to_string(), version(old)),
                    (new.clone(), available.unwrap_or(new)),
                );
            }
            ["Unchanged", name, old, ..] => {
                let old = version(old);
                answers.insert(
                    (name.to_string(), old.clone()),
                    (old.clone(), available.unwrap_or(old)),
                );
            }
            ["Removing", name, old] => removed.push((name.to_string(), version(old))),
            ["Adding", name, new, ..] => {
                let new = version(new);
                added.push((name.to_string(), new.clone(), available.unwrap_or(new)));
            }
            _ => {}
        }
    }
    // Several versions of one package are listed as removed and added: pair each removed
    // version with the added one of the same compatibility range.
    let range = |v: &Version| if v.major > 0 { (v.major, 0) } else { (0, v.minor + 1) };
    for (name, old) in removed {
        let (_, new, newest) = added
            .iter()
            .find(|(added, new, _)| *added == name && range(new) == range(&old))
            .unwrap();
        answers.insert((name, old), (new.clone(), newest.clone()));
    }
    answers
}

#[test]
fn statuses_from_crates_io_agree_with_cargo_update() {
    let dir = fixture();
    let lock = Lockfile::parse(&std::fs::read_to_string(dir.join("Cargo.lock")).unwrap()).unwrap();
    let dependencies = [
        dependency("outdated-app", "itoa", "0.4"),
        dependency("outdated-app", "memchr", "2"),
        dependency("outdated-app", "semver", "1.0"),
        dependency("outdated-app", "cfg-if", "0.1"),
        dependency("outdated-tool", "itoa", "1"),
        dependency("outdated-tool", "anyhow", "=1.0.80"),
        dependency("outdated-tool", "semver", "1.0"),
    ];
    let names: Vec<String> =
        lock.packages.iter().filter(|p| p.is_crates_io()).map(|p| p.name.clone()).collect();
    let releases: BTreeMap<String, Vec<Release>> = IndexClient::crates_io()
        .releases_of_all(&names, 8)
        .into_iter()
        .map(|(name, releases)| (name, releases.unwrap().unwrap()))
        .collect();
    let statuses = outdated::statuses(&dependencies, &lock, &releases);
    let cargo = cargo_answers(&dir);
    let mut compared = 0;
    for status in &statuses {
        let locked = status.locked.clone().unwrap();
        let key = (status.dependency.name.clone(), locked.clone());
        let ours = (status.compatible.clone().unwrap(), status.newest.clone().unwrap());
        // cargo lists only what is behind; a dependency it does not list is up to date.
        let theirs = cargo.get(&key).cloned().unwrap_or((locked.clone(), locked));
        assert_eq!(ours, theirs, "{} {}", key.0, key.1);
        compared += 1;
    }
    assert_eq!(compared, 7);
    assert!(statuses.iter().all(|status| status.update_available() || status.requirement_behind()));

    let yanked: Vec<String> = outdated::yanked(&lock, &releases)
        .iter()
        .map(|p| format!("{} {}", p.name, p.version))
        .collect();
    assert_eq!(yanked, ["memchr 2.3.1"]);
}
