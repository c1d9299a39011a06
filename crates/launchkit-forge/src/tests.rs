//! Unit tests: remote URLs to projects, tokens, `SHA256SUMS`, and each forge's release
//! flow against its API served on 127.0.0.1 (launchkit-testkit's `forge`).

use std::time::{Duration, Instant};

use launchkit_testkit::forge::{Flavor, Forge, PROJECT};

use crate::project::host_path;
use crate::{Asset, Client, Kind, Notes, Outcome, Project, Retry, Settings, Token};

const SECRET: &str = "forge-unit-token-5d1f";

#[test]
fn hosts_and_paths_are_read_from_remote_urls() {
    let parsed = |url: &str| host_path(url).map(|(host, path)| format!("{host} {path}"));
    for (url, expected) in [
        ("https://github.com/acme/demo", "github.com acme/demo"),
        ("https://github.com/acme/demo.git/", "github.com acme/demo"),
        ("git@github.com:acme/demo.git", "github.com acme/demo"),
        ("ssh://git@github.com/acme/demo.git", "github.com acme/demo"),
        (
            "ssh://git@gitlab.example.com:2222/group/sub/demo.git",
            "gitlab.example.com group/sub/demo",
        ),
        ("https://user@ghe.example.com/acme/demo", "ghe.example.com acme/demo"),
        ("https://gitea.example.com:3000/acme/demo", "gitea.example.com:3000 acme/demo"),
    ] {
        assert_eq!(parsed(url).as_deref(), Some(expected), "{url}");
    }
    for url in [
        "/srv/remote.git",
        "../remote.git",
        "file:///srv/git/acme/demo.git",
        "C:/repos/demo",
        "https://github.com/acme",
    ] {
        assert_eq!(parsed(url), None, "{url}");
    }
}

#[test]
fn forges_are_detected_from_hosts_and_settings() {
    let detect = |remote: &str, settings: Settings| {
        Project::detect(Some(remote), None, &settings)
            .map(|p| format!("{:?} {} {}", p.kind, p.api, p.path))
    };
    let none = Settings::default();
    let cases = [
        ("git@github.com:acme/demo.git", "Github https://api.github.com acme/demo"),
        (
            "https://gitlab.com/group/sub/demo.git",
            "Gitlab https://gitlab.com/api/v4 group/sub/demo",
        ),
        ("https://codeberg.org/acme/demo", "Gitea https://codeberg.org/api/v1 acme/demo"),
        (
            "https://gitlab.example.com/acme/demo",
            "Gitlab https://gitlab.example.com/api/v4 acme/demo",
        ),
        (
            "https://forgejo.example.org/acme/demo",
            "Gitea https://forgejo.example.org/api/v1 acme/demo",
        ),
    ];
    for (remote, expected) in cases {
        assert_eq!(detect(remote, none).as_deref(), Ok(expected), "{remote}");
    }
    // A self-hosted instance with an unknown name: `forge` says which, `forge-url` where.
    let unknown = detect("https://code.example.com/acme/demo", none).unwrap_err();
    assert!(
        unknown.contains("cannot tell which forge code.example.com runs: set `forge"),
        "{unknown}"
    );
    let ghe = Settings { kind: Some(Kind::Github), ..none };
    assert_eq!(
        detect("https://code.example.com/acme/demo", ghe).as_deref(),
        Ok("Github https://code.example.com/api/v3 acme/demo")
    );
    let url = Settings {
        kind: Some(Kind::Gitea),
        url: Some("https://code.example.com/gitea/api/v1/"),
        ..none
    };
    assert_eq!(
        detect("git@code.example.com:acme/demo.git", url).as_deref(),
        Ok("Gitea https://code.example.com/gitea/api/v1 acme/demo")
    );
    // The project setting wins over the URL; the CI's API over the derived one.
    let project = Settings {
        project: Some("other/name"),
        ci_api: &[
            (Kind::Gitlab, "https://gl.example/api/v4"),
            (Kind::Github, "https://ci.example/api"),
        ],
        ..none
    };
    assert_eq!(
        detect("https://github.com/acme/demo", project).as_deref(),
        Ok("Github https://ci.example/api other/name")
    );
    // A local remote: the manifests' `repository`, else the settings.
    let from_manifest =
        Project::detect(Some("../remote.git"), Some("https://github.com/acme/demo"), &none);
    assert_eq!(from_manifest.map(|p| p.path).as_deref(), Ok("acme/demo"));
    let refused = Project::detect(Some("../remote.git"), None, &none).unwrap_err();
    assert!(refused.contains("set `forge` and `forge-project`"), "{refused}");
    let gitea = Settings { kind: Some(Kind::Gitea), project: Some("acme/demo"), ..none };
    let refused = Project::detect(None, None, &gitea).unwrap_err();
    assert!(refused.contains("set `forge-url"), "{refused}");
    let nested = Settings { kind: Some(Kind::Github), project: Some("a/b/c"), ..none };
    let refused = Project::detect(None, None, &nested).unwrap_err();
    assert!(refused.contains("`a/b/c` is not a GitHub project"), "{refused}");
}

#[test]
fn tokens_go_in_each_forges_header_and_never_show() {
    let var =
        |name: &str| (name == "CI_JOB_TOKEN" || name == "GH_TOKEN").then(|| SECRET.to_owned());
    let job = Token::from_env(Kind::Gitlab, var).unwrap();
    assert_eq!(format!("{job:?}"), "Token(JOB-TOKEN: ***)");
    assert_eq!(
        format!("{:?}", Token::from_env(Kind::Github, var).unwrap()),
        "Token(Authorization: ***)"
    );
    assert!(Token::from_env(Kind::Gitea, var).is_none());
    let empty = |_: &str| Some(String::new());
    assert!(Token::from_env(Kind::Github, empty).is_none());
}

#[test]
fn sha256sums_are_in_sha256sums_format() {
    let assets = [Asset { name: "a-0.1.0.crate".into(), bytes: b"abc".to_vec() }];
    let sums = Asset::sha256sums(&assets);
    assert_eq!(sums.name, "SHA256SUMS");
    assert_eq!(
        String::from_utf8(sums.bytes).unwrap(),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a-0.1.0.crate\n"
    );
}

fn quick() -> Retry {
    Retry {
        attempts: 3,
        first: Duration::from_millis(10),
        max: Duration::from_millis(10),
        longest_asked: Duration::from_secs(5),
    }
}

fn project(forge: &Forge, kind: Kind) -> Project {
    Project { kind, api: forge.api_url(), path: PROJECT.into() }
}

fn token(kind: Kind) -> Token {
    let name = Token::names(kind)[0];
    Token::from_env(kind, |var| (var == name).then(|| SECRET.to_owned())).unwrap()
}

fn assets() -> Vec<Asset> {
    let crates = vec![
        Asset { name: "demo-0.2.0.crate".into(), bytes: vec![1, 2, 3, 0, 255] },
        Asset { name: "demo-core-0.2.0.crate".into(), bytes: b"core".to_vec() },
    ];
    let sums = Asset::sha256sums(&crates);
    crates.into_iter().chain([sums]).collect()
}

const NOTES: Notes =
    Notes { tag: "v0.2.0", name: "v0.2.0", body: "### Added\n\n- Things\n", prerelease: false };

/// Creates, runs again, edits and runs again on one forge.
fn release_flow(flavor: Flavor, kind: Kind) {
    let forge = Forge::start(flavor, SECRET);
    let project = project(&forge, kind);
    let client = Client::new(&project, token(kind), quick());
    let assets = assets();
    assert_eq!(client.find("v0.2.0"), Ok(None));
    let Ok(Outcome::Created(url)) = client.publish(&NOTES, &assets) else {
        panic!("{:?}", forge.log())
    };
    assert!(url.ends_with("/v0.2.0"), "{url}");
    let releases = forge.releases();
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert_eq!((&releases[0]["body"], &releases[0]["draft"]), (&NOTES.body.into(), &false.into()));
    for asset in &assets {
        assert_eq!(
            forge.asset("v0.2.0", &asset.name).as_ref(),
            Some(&asset.bytes),
            "{}",
            asset.name
        );
    }
    let found = client.find("v0.2.0").unwrap().expect("found");
    assert!(found.matches(kind, &NOTES, &crate::names(&assets)), "{found:?}");

    // Again: nothing to do, nothing written.
    let writes = forge.writes().len();
    assert_eq!(client.publish(&NOTES, &assets), Ok(Outcome::Unchanged(found.url.clone())));
    assert_eq!(forge.writes().len(), writes);

    // Edited on the forge: the notes are put back, the assets not uploaded again.
    forge.edit("v0.2.0", "by hand");
    assert!(matches!(client.publish(&NOTES, &assets), Ok(Outcome::Updated(_))));
    assert_eq!(forge.releases()[0]["body"], NOTES.body);
    assert_eq!(forge.writes().len(), writes + 1, "{:?}", forge.writes());
    assert_eq!(forge.releases().len(), 1);
}

#[test]
fn github_releases_are_drafted_filled_then_published() {
    release_flow(Flavor::Github, Kind::Github);
}

#[test]
fn gitlab_releases_are_created_with_links_to_uploaded_packages() {
    release_flow(Flavor::Gitlab, Kind::Gitlab);
}

#[test]
fn gitea_releases_are_drafted_filled_then_published() {
    release_flow(Flavor::Gitea, Kind::Gitea);
}

#[test]
fn drafts_get_their_assets_before_they_are_published() {
    for (flavor, kind, upload) in [
        (Flavor::Github, Kind::Github, "POST /uploads/"),
        (Flavor::Gitea, Kind::Gitea, "POST /api/v1/repos/acme/demo/releases/1/assets"),
    ] {
        let forge = Forge::start(flavor, SECRET);
        let project = project(&forge, kind);
        Client::new(&project, token(kind), quick()).publish(&NOTES, &assets()).unwrap();
        let log = forge.log();
        let create =
            log.iter().position(|l| l.method == "POST" && l.path.ends_with("/releases")).unwrap();
        assert_eq!(log[create].body["draft"], true);
        let uploads: Vec<usize> = (0..log.len())
            .filter(|&i| format!("{} {}", log[i].method, log[i].path).starts_with(upload))
            .collect();
        let publish = log.iter().position(|l| l.method == "PATCH").unwrap();
        assert_eq!(log[publish].body["draft"], false);
        assert_eq!(uploads.len(), 3, "{flavor:?}: {:?}", forge.writes());
        assert!(create < uploads[0] && uploads[2] < publish, "{flavor:?}: {:?}", forge.writes());
    }
    // GitLab has no drafts: the files are in the package registry before the release.
    let forge = Forge::start(Flavor::Gitlab, SECRET);
    let project = project(&forge, Kind::Gitlab);
    Client::new(&project, token(Kind::Gitlab), quick()).publish(&NOTES, &assets()).unwrap();
    let writes = forge.writes();
    let base = "/api/v4/projects/acme%2Fdemo";
    assert_eq!(
        writes,
        [
            format!("PUT {base}/packages/generic/demo/v0.2.0/demo-0.2.0.crate"),
            format!("PUT {base}/packages/generic/demo/v0.2.0/demo-core-0.2.0.crate"),
            format!("PUT {base}/packages/generic/demo/v0.2.0/SHA256SUMS"),
            format!("POST {base}/releases"),
        ]
    );
}

#[test]
fn rate_limits_are_waited_out_and_server_errors_retried() {
    for (flavor, kind) in [
        (Flavor::Github, Kind::Github),
        (Flavor::Gitlab, Kind::Gitlab),
        (Flavor::Gitea, Kind::Gitea),
    ] {
        let forge = Forge::start(flavor, SECRET);
        let project = project(&forge, kind);
        let client = Client::new(&project, token(kind), quick());
        forge.rate_limit_next(1);
        forge.fail_next(1, 502);
        let started = Instant::now();
        assert!(matches!(client.publish(&NOTES, &assets()), Ok(Outcome::Created(_))), "{flavor:?}");
        assert!(started.elapsed() >= Duration::from_secs(1), "Retry-After was not obeyed");
        let statuses: Vec<u16> = forge.log().iter().take(3).map(|logged| logged.status).collect();
        assert_eq!(statuses[..2], [429, 502], "{flavor:?}");
        assert_eq!(forge.releases().len(), 1);

        // Past the attempts: the error says so, and names no token.
        forge.fail_next(3, 503);
        let error = client.find("v0.2.0").unwrap_err().to_string();
        assert!(error.contains("HTTP 503"), "{error}");
    }
}

#[test]
fn a_refused_token_is_named_but_never_shown() {
    for (flavor, kind, name) in [
        (Flavor::Github, Kind::Github, "GITHUB_TOKEN"),
        (Flavor::Gitlab, Kind::Gitlab, "GITLAB_TOKEN"),
        (Flavor::Gitea, Kind::Gitea, "GITEA_TOKEN"),
    ] {
        let forge = Forge::start(flavor, "another-token");
        let project = project(&forge, kind);
        let error = Client::new(&project, token(kind), quick())
            .publish(&NOTES, &assets())
            .unwrap_err()
            .to_string();
        assert!(error.starts_with("cannot look up the release on acme/demo: HTTP 401"), "{error}");
        assert!(error.ends_with(&format!("set a valid {name}")), "{error}");
        assert!(!error.contains(SECRET), "{error}");
        assert!(forge.writes().is_empty());
    }
}

#[test]
fn a_change_whose_answer_was_lost_is_found_not_made_twice() {
    let cases = [
        (Flavor::Github, Kind::Github, "POST /repos/acme/demo/releases", "assets?name=demo-0.2.0"),
        (
            Flavor::Gitea,
            Kind::Gitea,
            "POST /api/v1/repos/acme/demo/releases",
            "assets?name=demo-0.2.0",
        ),
        (
            Flavor::Gitlab,
            Kind::Gitlab,
            "POST /api/v4/projects/acme%2Fdemo/releases",
            "PUT /api/v4/projects/acme%2Fdemo/packages/generic/demo/v0.2.0/demo-0.2.0",
        ),
    ];
    for (flavor, kind, create, upload) in cases {
        let forge = Forge::start(flavor, SECRET);
        let project = project(&forge, kind);
        let client = Client::new(&project, token(kind), quick());
        // The forge makes the release and attaches the file, but the answers are lost.
        forge.lose_answers(create, 1);
        forge.lose_answers(upload, 1);
        let outcome = client.publish(&NOTES, &assets());
        assert!(
            matches!(outcome, Ok(Outcome::Created(_)) | Ok(Outcome::Updated(_))),
            "{flavor:?}: {outcome:?}"
        );
        let releases = forge.releases();
        assert_eq!(releases.len(), 1, "{flavor:?}: {releases:?}");
        let names: Vec<&str> = releases[0]["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            ["demo-0.2.0.crate", "demo-core-0.2.0.crate", "SHA256SUMS"],
            "{flavor:?}"
        );
        assert_eq!(releases[0]["draft"], false);
        let lost = forge.log().iter().filter(|logged| logged.status == 502).count();
        assert_eq!(lost, 2, "{flavor:?}");
    }
}
