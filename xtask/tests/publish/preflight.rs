//! preflight's `package` step on a workspace with a registry dependency: cargo resolves
//! it against the registry's index, which moves, so a pass is never taken from the cache.

use launchkit_testkit::{CargoSandbox, Fixture, RegistryServer};

use crate::doctor::publish_dup;
use crate::support::{REGISTRY, Run, TOKEN, base};

#[test]
fn a_package_pass_that_read_the_registry_is_not_cached() {
    let registry = RegistryServer::start(base());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &registry.index_url(), Some(TOKEN));
    publish_dup(&registry, &sandbox);
    let tail = "repository = \"https://example.com/user\"\npublish = [\"lk\"]\n\n\
                [dependencies]\ndup = { version = \"0.1\", registry = \"lk\" }\n";
    let fixture = Fixture::builder(base()).member("user", tail).write();
    let lock = sandbox.cargo(fixture.root()).arg("generate-lockfile").output().unwrap();
    assert!(lock.status.success(), "{}", String::from_utf8_lossy(&lock.stderr));
    fixture.commit("lock file");

    let package = || {
        let mut command = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
        command.env_remove("CI").env_remove("GITHUB_ACTIONS");
        command.args(["preflight", "--only", "package", "--format", "json"]);
        let run = Run::checked(command.output().unwrap(), &[TOKEN]);
        let step = run.json()["steps"][0].clone();
        (step["status"].as_str().unwrap().to_owned(), step["cached"] == true, run)
    };
    let (status, cached, run) = package();
    assert_eq!((status.as_str(), cached), ("passed", false), "{run}");
    let (status, cached, run) = package();
    assert_eq!((status.as_str(), cached), ("passed", false), "{run}");
}
