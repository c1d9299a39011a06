//! The client against the real registry server: versions cargo published and yanked,
//! conditional requests, tokens, and waiting for a lagging index.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use launchkit_registry::{RegistryError, SparseIndex, Token};
use launchkit_testkit::{CargoSandbox, Fault, Faults, Fixture, RegistryServer, Route};
use semver::Version;
use sha2::{Digest, Sha256};

const REGISTRY: &str = "lk";

fn base() -> &'static Path {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
}

fn v(text: &str) -> Version {
    Version::parse(text).unwrap()
}

fn run(mut command: Command) {
    let output = command.output().expect("command runs");
    assert!(
        output.status.success(),
        "{command:?} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A one-crate workspace, `demo`, and a cargo configured for the registry.
struct Demo {
    sandbox: CargoSandbox,
    fixture: Fixture,
}

impl Demo {
    fn new(registry: &RegistryServer) -> Demo {
        let sandbox =
            CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some("token"));
        Demo { sandbox, fixture: Fixture::builder(base()).member("demo", "").write() }
    }

    fn cargo(&self, args: &[&str]) {
        let mut cargo = self.sandbox.cargo(self.fixture.root());
        cargo.args(args).args(["--registry", REGISTRY]);
        run(cargo);
    }

    /// Packages the current version and returns the SHA-256 of the `.crate` cargo built.
    fn package(&self, version: &str) -> String {
        self.cargo(&["package", "--no-verify", "-p", "demo"]);
        let path = self.fixture.root().join(format!("target/package/demo-{version}.crate"));
        format!("{:x}", Sha256::digest(std::fs::read(path).unwrap()))
    }

    fn publish(&self) {
        self.cargo(&["publish", "--no-verify", "-p", "demo"]);
    }

    fn bump(&self, from: &str, to: &str) {
        let manifest = self.fixture.root().join("demo/Cargo.toml");
        self.fixture.write(
            "demo/Cargo.toml",
            &std::fs::read_to_string(manifest).unwrap().replace(from, to),
        );
        self.fixture.commit(to);
    }
}

/// Publishes `demo` 0.1.0 and 0.2.0 with cargo, yanks 0.2.0; returns 0.1.0's checksum.
fn publish_demo(registry: &RegistryServer) -> String {
    let demo = Demo::new(registry);
    let checksum = demo.package("0.1.0");
    demo.publish();
    demo.bump("0.1.0", "0.2.0");
    demo.publish();
    demo.cargo(&["yank", "demo@0.2.0"]);
    checksum
}

#[test]
fn published_yanked_checksum_and_newest_match_what_cargo_did() {
    let registry = RegistryServer::start(base());
    let checksum = publish_demo(&registry);
    let index = SparseIndex::from_url(REGISTRY, &registry.index_url(), None);
    assert!(index.config().unwrap().api.is_some());
    let versions: Vec<String> =
        index.versions("demo").unwrap().iter().map(|e| e.version.to_string()).collect();
    assert_eq!(versions, ["0.1.0", "0.2.0"]);
    assert!(index.is_published("DEMO", &v("0.1.0")).unwrap(), "names are case-insensitive");
    assert_eq!(index.is_yanked("demo", &v("0.2.0")).unwrap(), Some(true));
    assert_eq!(index.checksum("demo", &v("0.1.0")).unwrap(), Some(checksum));
    assert_eq!(
        index.newest("demo").unwrap().unwrap().version,
        v("0.1.0"),
        "the yanked 0.2.0 is not the newest"
    );
    assert!(index.versions("nothing-here").unwrap().is_empty());
}

#[test]
fn unchanged_index_files_are_revalidated_with_etag() {
    let registry = RegistryServer::start_with_faults(base(), Faults::none());
    publish_demo(&registry);
    let index = SparseIndex::from_url(REGISTRY, &registry.index_url(), None);
    let first = index.versions("demo").unwrap();
    let second = index.versions("demo").unwrap();
    assert_eq!(first, second);
    assert_eq!(index.stats().not_modified, 1);
    let last = registry.proxy().unwrap().exchanges().pop().unwrap();
    assert_eq!(
        (last.path.as_str(), last.status, last.conditional),
        ("/de/mo/demo", Some(304), true)
    );
}

#[test]
fn unchanged_index_files_are_revalidated_with_last_modified() {
    let registry = RegistryServer::start_with_faults(base(), Faults::none().last_modified_only());
    publish_demo(&registry);
    let index = SparseIndex::from_url(REGISTRY, &registry.index_url(), None);
    index.versions("demo").unwrap();
    assert_eq!(index.versions("demo").unwrap().len(), 2);
    assert_eq!(index.stats().not_modified, 1);
}

#[test]
fn an_auth_required_registry_gets_the_token_and_refuses_without_one() {
    let registry =
        RegistryServer::start_with_faults(base(), Faults::none().require_token("s3cret"));
    let without = SparseIndex::from_url(REGISTRY, &registry.index_url(), None);
    let err = without.versions("demo").unwrap_err();
    assert!(matches!(err, RegistryError::AuthRequired { .. }));
    assert_eq!(
        err.to_string(),
        "registry `lk` requires a token: set CARGO_REGISTRIES_LK_TOKEN or run `cargo login --registry lk`"
    );
    let with = SparseIndex::from_url(REGISTRY, &registry.index_url(), Some(Token::new("s3cret")));
    assert!(with.config().unwrap().auth_required);
    assert!(with.versions("demo").unwrap().is_empty());
    let wrong = SparseIndex::from_url(REGISTRY, &registry.index_url(), Some(Token::new("wrong")));
    assert_eq!(
        wrong.config().unwrap_err(),
        RegistryError::Http { url: format!("{}/config.json", registry.url()), status: 401 }
    );
}

#[test]
fn waiting_outlasts_a_lagging_index_and_times_out_on_a_missing_version() {
    let lag = Duration::from_millis(1500);
    let registry = RegistryServer::start_with_faults(base(), Faults::none().index_lag(lag));
    let started = Instant::now();
    // A raw upload, because cargo itself would wait until the index serves it.
    assert_eq!(registry.upload_raw("demo", "0.1.0"), 200);
    let index = SparseIndex::from_url(REGISTRY, &registry.index_url(), None);
    let entry = index.wait_until_published("demo", &v("0.1.0"), Duration::from_secs(20)).unwrap();
    assert_eq!(entry.version, v("0.1.0"));
    assert!(started.elapsed() >= lag, "returned before the index served the version");
    let err =
        index.wait_until_published("demo", &v("9.9.9"), Duration::from_millis(300)).unwrap_err();
    assert!(
        err.to_string().starts_with("demo@9.9.9 was not served by the index after 0s"),
        "{err}"
    );
}

#[test]
fn a_failing_index_read_is_retried_like_cargo_does() {
    let faults = Faults::none()
        .on(Route::Index, 1, Fault::Status { status: 503, retry_after: None })
        .on(Route::Index, 2, Fault::Drop)
        .on(Route::Index, 4, Fault::Status { status: 500, retry_after: None })
        .on(Route::Index, 5, Fault::Status { status: 500, retry_after: None })
        .on(Route::Index, 6, Fault::Status { status: 500, retry_after: None });
    let registry = RegistryServer::start_with_faults(base(), faults);
    let index = SparseIndex::from_url(REGISTRY, &registry.index_url(), None);
    assert!(index.versions("demo").unwrap().is_empty(), "the third try answers");
    let err = index.versions("demo").unwrap_err();
    assert_eq!(
        err,
        RegistryError::Http { url: format!("{}/de/mo/demo", registry.url()), status: 500 }
    );
}
