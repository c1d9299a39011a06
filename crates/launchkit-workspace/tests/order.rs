//! Publish order on real fixture workspaces read through `cargo metadata`.

use std::path::Path;

use launchkit_testkit::Fixture;
use launchkit_testkit::fixture::{FixtureBuilder, path_dep};
use launchkit_workspace::order::CRATES_IO;
use launchkit_workspace::{OrderError, PublishOrder, Workspace};

fn fixture() -> FixtureBuilder {
    Fixture::builder(Path::new(env!("CARGO_TARGET_TMPDIR")))
}

fn order(fixture: &Fixture, registry: &str) -> Result<PublishOrder, OrderError> {
    Workspace::load(&fixture.manifest()).expect("fixture loads").publish_order(registry)
}

fn batches(fixture: &Fixture) -> Vec<Vec<String>> {
    order(fixture, CRATES_IO).expect("an order").batches
}

fn deps(table: &str, names: &[&str]) -> String {
    let lines: Vec<String> = names.iter().map(|name| path_dep(name, "0.1.0", None)).collect();
    format!("[{table}]\n{}\n", lines.join("\n"))
}

#[test]
fn a_chain_goes_one_crate_per_batch() {
    let ws = fixture()
        .member("c", &deps("dependencies", &["b"]))
        .member("b", &deps("dependencies", &["a"]))
        .member("a", "")
        .write();
    assert_eq!(batches(&ws), [["a"], ["b"], ["c"]]);
}

#[test]
fn a_diamond_publishes_its_sides_together() {
    let ws = fixture()
        .member("base", "")
        .member("left", &deps("dependencies", &["base"]))
        .member("right", &deps("build-dependencies", &["base"]))
        .member("top", &deps("dependencies", &["left", "right"]))
        .write();
    let order = order(&ws, CRATES_IO).unwrap();
    assert_eq!(order.batches, vec![vec!["base"], vec!["left", "right"], vec!["top"]]);
    let needs: Vec<&str> =
        order.requirements("top").iter().map(|need| need.name.as_str()).collect();
    assert_eq!(needs, ["left", "right"]);
    assert_eq!(order.requirements("left")[0].req.to_string(), "^0.1.0");
}

#[test]
fn a_cycle_through_unversioned_dev_dependencies_is_ignored() {
    let ws = fixture()
        .member("core", "[dev-dependencies]\nhelpers = { path = \"../helpers\" }\n")
        .member("helpers", &deps("dependencies", &["core"]))
        .write();
    assert_eq!(batches(&ws), [["core"], ["helpers"]]);
}

#[test]
fn a_versioned_dev_dependency_is_an_edge_and_can_make_a_real_cycle() {
    let ws = fixture()
        .member("core", &deps("dev-dependencies", &["helpers"]))
        .member("helpers", &deps("dependencies", &["core"]))
        .write();
    let err = order(&ws, CRATES_IO).unwrap_err();
    assert_eq!(err, OrderError::Cycle(vec!["core".into(), "helpers".into(), "core".into()]));
    assert!(err.to_string().starts_with("dependency cycle: core -> helpers -> core: "), "{err}");
}

#[test]
fn a_cycle_of_normal_dependencies_is_named() {
    let ws = fixture()
        .member("a", "")
        .member("x", &deps("dependencies", &["y"]))
        .member("y", &deps("dependencies", &["z"]))
        .member("z", &deps("dependencies", &["x", "a"]))
        .write();
    assert_eq!(
        order(&ws, CRATES_IO).unwrap_err().to_string().split(':').nth(1),
        Some(" x -> y -> z -> x")
    );
}

#[test]
fn renamed_and_target_specific_dependencies_count_by_package_name() {
    let renamed = "[dependencies]\nbase-alias = { package = \"base\", path = \"../base\", version = \"0.1.0\" }\n";
    let target =
        "[target.'cfg(windows)'.dependencies]\nmid = { path = \"../mid\", version = \"0.1.0\" }\n";
    let ws = fixture().member("base", "").member("mid", renamed).member("top", target).write();
    assert_eq!(batches(&ws), [["base"], ["mid"], ["top"]]);
    let loaded = Workspace::load(&ws.manifest()).unwrap();
    let dep = &loaded.member("mid").unwrap().dependencies[0];
    assert_eq!((dep.name.as_str(), dep.rename.as_deref()), ("base", Some("base-alias")));
}

#[test]
fn publish_settings_choose_the_crates_per_registry() {
    let ws = fixture()
        .member("lib", "")
        .member("tool", &format!("publish = false\n\n{}", deps("dependencies", &["lib"])))
        .member(
            "internal",
            &format!("publish = [\"staging\"]\n\n{}", deps("dependencies", &["lib"])),
        )
        .write();
    assert_eq!(batches(&ws), [["lib"]]);
    assert_eq!(order(&ws, "staging").unwrap().batches, [vec!["lib"], vec!["internal"]]);
}

#[test]
fn needing_a_crate_that_is_not_published_there_is_an_error() {
    let ws = fixture()
        .member("private", "publish = false\n")
        .member("public", &deps("dependencies", &["private"]))
        .write();
    let err = order(&ws, CRATES_IO).unwrap_err();
    assert!(err.to_string().starts_with(
        "`public` needs `private` on `crates-io`, but `private` is not published there"
    ));
}

#[test]
fn crates_io_takes_no_dependency_from_another_registry() {
    // cargo refuses these in `cargo publish`; launchkit uploads itself, so the plan must.
    let other = "[dependencies]\ncorp = { version = \"1\", registry-index = \"sparse+https://corp.example/index/\" }\n";
    let dev_only = "[dev-dependencies]\ncorp = { version = \"1\", registry-index = \"sparse+https://corp.example/index/\" }\n";
    let ws = fixture().member("app", other).write();
    let err = order(&ws, CRATES_IO).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`app` needs `corp` from another registry (sparse+https://corp.example/index/), and crates.io takes no such dependency: publish `corp` to crates.io and depend on that, or make it a dev-dependency without a version"
    );
    assert_eq!(order(&ws, "corp").unwrap().batches, [["app"]], "another registry may");
    let ws = fixture().member("app", dev_only).write();
    assert!(order(&ws, CRATES_IO).is_err(), "a versioned dev-dependency stays in the package");
}

/// 300 crates, each depending on up to three earlier ones: the order is complete and
/// every crate comes after everything it needs.
#[test]
fn a_300_crate_workspace_orders_every_crate_after_its_dependencies() {
    let mut builder = fixture();
    let mut expected_needs = Vec::new();
    for i in 0..300usize {
        let mut needs: Vec<usize> =
            [i / 2, i / 3, i.saturating_sub(7)].into_iter().filter(|dep| *dep < i).collect();
        needs.sort_unstable();
        needs.dedup();
        let names: Vec<String> = needs.iter().map(|dep| format!("crate-{dep:03}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        builder = builder.member(&format!("crate-{i:03}"), &deps("dependencies", &refs));
        expected_needs.push(needs);
    }
    let order = order(&builder.write(), CRATES_IO).unwrap();
    let batch_of = |name: &str| {
        order.batches.iter().position(|batch| batch.iter().any(|c| c == name)).unwrap()
    };
    assert_eq!(order.crates().count(), 300);
    for (i, needs) in expected_needs.iter().enumerate() {
        for dep in needs {
            assert!(batch_of(&format!("crate-{dep:03}")) < batch_of(&format!("crate-{i:03}")));
        }
    }
    assert_eq!(order.batches[0], ["crate-000"]);
}
