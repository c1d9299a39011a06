//! The forge step end to end on GitHub, GitLab and Gitea (launchkit-testkit's `forge`, each
//! API by its documented contract on 127.0.0.1), with a real repository, its bare remote
//! and the real registry: the release is created with the notes, the `.crate` files the
//! registry has and their `SHA256SUMS` are attached before it is published, a rate limit
//! is waited out, and running the release again updates it instead of failing.

pub use launchkit_testkit::forge::{Flavor, Forge, PROJECT as REPO};
use launchkit_testkit::{Faults, Run};
use serde_json::Value;

use crate::flows::NOTES;
use crate::support::{CRATES, Setup};

/// `METHOD path` of each write, with the JSON body's `draft` when it has one.
fn writes(setup: &Setup) -> Vec<String> {
    let log = setup.forge.log();
    let writes = log.iter().filter(|logged| logged.method != "GET" && logged.status < 300);
    writes
        .map(|logged| match &logged.body["draft"] {
            Value::Bool(draft) => format!("{} {} draft={draft}", logged.method, logged.path),
            _ => format!("{} {}", logged.method, logged.path),
        })
        .collect()
}

/// The index's checksum of `name@0.2.0`.
fn registry_checksum(setup: &Setup, name: &str) -> String {
    let index = setup.registry.index_file(name).expect("published");
    let entry = index.lines().map(|line| serde_json::from_str::<Value>(line).unwrap());
    let entry = entry.into_iter().find(|entry| entry["vers"] == "0.2.0").expect("0.2.0");
    entry["cksum"].as_str().unwrap().to_owned()
}

fn release_on(flavor: Flavor) {
    let setup = Setup::on(Faults::none(), flavor);
    // The first forge request is rate limited: waited out, not a failure.
    setup.forge.rate_limit_next(1);
    let run = setup.release(&["minor", "--execute"]).success();

    // One release, published, with the notes.
    let releases = setup.forge.releases();
    assert_eq!(releases.len(), 1, "{releases:?}\n{run}");
    let release = &releases[0];
    assert_eq!(
        (release["tag_name"].as_str(), release["draft"].as_bool()),
        (Some("v0.2.0"), Some(false))
    );
    assert_eq!(release["body"], NOTES);

    // Its assets: every crate as the registry has it, and their checksums.
    let names: Vec<&str> =
        release["assets"].as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    let mut expected: Vec<String> =
        CRATES.iter().map(|name| format!("{name}-0.2.0.crate")).collect();
    expected.push("SHA256SUMS".into());
    assert_eq!(names, expected, "{flavor:?}");
    let mut sums = String::new();
    for name in CRATES {
        let file = format!("{name}-0.2.0.crate");
        let checksum = registry_checksum(&setup, name);
        assert_eq!(
            release["assets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["name"] == file.as_str())
                .unwrap()["sha256"],
            checksum.as_str()
        );
        sums.push_str(&format!("{checksum}  {file}\n"));
    }
    let attached = setup.forge.asset("v0.2.0", "SHA256SUMS").unwrap();
    assert_eq!(String::from_utf8(attached).unwrap(), sums);

    // The 429 was answered by waiting, then the same request went through.
    let log = setup.forge.log();
    assert_eq!(log[0].status, 429, "{flavor:?}");
    assert_eq!(
        (log[1].method.as_str(), log[1].path.as_str()),
        (log[0].method.as_str(), log[0].path.as_str())
    );
    assert!(run.stderr.contains("forge    done   created "), "{run}");
    check_tokens(&setup, &run);

    // Edited on the forge: the same command puts the notes back, creates nothing and
    // uploads nothing again.
    let before = writes(&setup).len();
    setup.forge.edit("v0.2.0", "edited by hand");
    let again = setup.release(&["minor", "--execute"]).success();
    assert!(again.stderr.contains("forge    done   updated "), "{again}");
    assert_eq!(setup.forge.releases()[0]["body"], NOTES);
    assert_eq!(setup.forge.releases().len(), 1);
    let new_writes = &writes(&setup)[before..];
    assert_eq!(new_writes.len(), 1, "{new_writes:?}");
    assert!(
        new_writes[0].starts_with("PATCH ") || new_writes[0].starts_with("PUT "),
        "{new_writes:?}"
    );
    assert_eq!(setup.uploads().len(), 3, "nothing published twice");

    // And once more: nothing to do.
    let third = setup.release(&["minor", "--execute"]).success();
    assert!(third.stderr.contains("[6/8] forge    found  "), "{third}");
    assert_eq!(writes(&setup).len(), before + 1);
}

/// Each request carried the forge's token in the forge's header, and no output showed it.
fn check_tokens(setup: &Setup, run: &Run) {
    let header = match setup.flavor {
        Flavor::Gitlab => "private-token",
        _ => "authorization",
    };
    for logged in setup.forge.log() {
        let value = logged.header(header).unwrap_or_default();
        assert!(
            value.ends_with(crate::support::GITHUB_TOKEN),
            "{} {}: {value:?}",
            logged.method,
            logged.path
        );
    }
    assert!(
        !run.stderr.contains(crate::support::GITHUB_TOKEN)
            && !run.stdout.contains(crate::support::GITHUB_TOKEN)
    );
}

#[test]
fn github_release_is_drafted_given_its_assets_then_published() {
    release_on(Flavor::Github);
    let setup = Setup::new(Faults::none());
    setup.release(&["minor", "--execute"]).success();
    let base = format!("/repos/{REPO}/releases");
    let uploads = format!("/uploads{base}/1/assets?name=");
    let expected: Vec<String> = [format!("POST {base} draft=true")]
        .into_iter()
        .chain(CRATES.iter().map(|name| format!("POST {uploads}{name}-0.2.0.crate")))
        .chain([format!("POST {uploads}SHA256SUMS"), format!("PATCH {base}/1 draft=false")])
        .collect();
    assert_eq!(writes(&setup), expected);
}

#[test]
fn gitlab_release_links_packages_uploaded_before_it() {
    release_on(Flavor::Gitlab);
    let setup = Setup::on(Faults::none(), Flavor::Gitlab);
    setup.release(&["minor", "--execute"]).success();
    let base = "/api/v4/projects/acme%2Fdemo";
    let packages = format!("PUT {base}/packages/generic/demo/v0.2.0/");
    let expected: Vec<String> = CRATES
        .iter()
        .map(|name| format!("{packages}{name}-0.2.0.crate"))
        .chain([format!("{packages}SHA256SUMS"), format!("POST {base}/releases")])
        .collect();
    assert_eq!(writes(&setup), expected);
    let post = setup.forge.log().into_iter().find(|logged| logged.method == "POST").unwrap();
    let links = post.body["assets"]["links"].as_array().unwrap().clone();
    assert_eq!(links.len(), 4);
    assert_eq!(links[3]["link_type"], "package");
    assert_eq!(post.body["description"], NOTES);
}

#[test]
fn gitea_release_is_drafted_given_its_assets_then_published() {
    release_on(Flavor::Gitea);
    let setup = Setup::on(Faults::none(), Flavor::Gitea);
    setup.release(&["minor", "--execute"]).success();
    let base = format!("/api/v1/repos/{REPO}/releases");
    let expected: Vec<String> = [format!("POST {base} draft=true")]
        .into_iter()
        .chain(CRATES.iter().map(|name| format!("POST {base}/1/assets?name={name}-0.2.0.crate")))
        .chain([
            format!("POST {base}/1/assets?name=SHA256SUMS"),
            format!("PATCH {base}/1 draft=false"),
        ])
        .collect();
    assert_eq!(writes(&setup), expected);
    let upload =
        setup.forge.log().into_iter().find(|logged| logged.path.contains("/assets?")).unwrap();
    assert!(upload.header("content-type").unwrap().starts_with("multipart/form-data; boundary="));
}

#[test]
fn a_release_stopped_while_attaching_finishes_its_draft_when_run_again() {
    let setup = Setup::new(Faults::none());
    // The second upload is refused: the draft keeps the first crate, and the step stops.
    setup.forge.fail_matching("/assets?name=demo-util", 1, 403);
    let run = setup.release(&["minor", "--execute"]).code(1);
    assert!(
        run.stderr.contains(
            "stopped at forge: cannot attach demo-util-0.2.0.crate on acme/demo: HTTP 403"
        ),
        "{run}"
    );
    let draft = &setup.forge.releases()[0];
    assert_eq!(
        (draft["draft"].as_bool(), draft["assets"].as_array().unwrap().len()),
        (Some(true), 1)
    );

    // The same command finds the draft (GitHub's tag look-up hides it: in the list),
    // attaches what it lacks and publishes it.
    // A resumed release from another checkout has no `.crate` files: they are packaged
    // again, and are the registry's.
    let package = setup.repo().join("target/package");
    for name in CRATES {
        std::fs::remove_file(package.join(format!("{name}-0.2.0.crate"))).unwrap();
    }
    let before = writes(&setup).len();
    let again = setup.release(&["minor", "--execute"]).success();
    assert!(again.stderr.contains("forge    done   updated "), "{again}");
    let base = format!("/repos/{REPO}/releases");
    let uploads = format!("POST /uploads{base}/1/assets?name=");
    assert_eq!(
        writes(&setup)[before..],
        [
            format!("{uploads}demo-util-0.2.0.crate"),
            format!("{uploads}demo-app-0.2.0.crate"),
            format!("{uploads}SHA256SUMS"),
            format!("PATCH {base}/1 draft=false"),
        ]
    );
    let release = &setup.forge.releases()[0];
    assert_eq!(
        (release["draft"].as_bool(), release["assets"].as_array().unwrap().len()),
        (Some(false), 4)
    );
    for name in CRATES {
        let file = format!("{name}-0.2.0.crate");
        let asset =
            release["assets"].as_array().unwrap().iter().find(|a| a["name"] == file.as_str());
        assert_eq!(asset.unwrap()["sha256"], registry_checksum(&setup, name).as_str(), "{file}");
    }
    assert_eq!(setup.uploads().len(), 3, "nothing published twice");
}
