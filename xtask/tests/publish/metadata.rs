//! launchkit uploads with its own requests: the registry must record exactly what it
//! records when cargo uploads the same crates.

use launchkit_testkit::{CargoSandbox, Faults, Fixture, RegistryServer};
use serde_json::Value;

use crate::support::{REGISTRY, Run, TOKEN, base};

/// Every kind of dependency and metadata cargo sends.
fn workspace() -> Fixture {
    let dep = |name: &str, extra: &str| {
        format!(
            "{name} = {{ path = \"../{name}\", version = \"0.1.0\", registry = \"{REGISTRY}\"{extra} }}"
        )
    };
    let base_tail = "rust-version = \"1.70\"\nauthors = [\"A <a@example.com>\"]\nreadme = \"README.md\"\nkeywords = [\"demo\", \"fixture\"]\ncategories = [\"development-tools\"]\nhomepage = \"https://example.com\"\ndocumentation = \"https://docs.example.com/base\"\nrepository = \"https://example.com/base\"\nlinks = \"base\"\n\n[badges.maintenance]\nstatus = \"passively-maintained\"\n\n[features]\ndefault = [\"std\"]\nstd = []\nextra = []\n";
    let top_tail = format!(
        "[dependencies]\n{}\nm = {{ package = \"mid\", path = \"../mid\", version = \"0.1\", registry = \"{REGISTRY}\", optional = true }}\n\n[target.'cfg(all(unix,target_pointer_width=\"64\"))'.dependencies]\n{}\n\n[build-dependencies]\n{}\n\n[dev-dependencies]\n{}\nhelper = {{ path = \"../helper\" }}\n\n[features]\nfull = [\"dep:m\", \"base/std\", \"m?/x\"]\n",
        dep("base", ", default-features = false, features = [\"extra\"]"),
        dep("plat", "").replace("\"0.1.0\"", "\"~0.1.0\""),
        dep("bld", ""),
        dep("plat", ""),
    );
    let fixture = Fixture::builder(base())
        .member("base", base_tail)
        .member("mid", "[features]\nx = []\n")
        .member("plat", "")
        .member("bld", "")
        .member("helper", "publish = false\n")
        .member("top", &top_tail)
        .write();
    fixture.write("base/README.md", "# base\n\nThe base of the fixture.\n");
    fixture.write("base/build.rs", "fn main() {}\n");
    fixture.commit("readme and build script");
    fixture
}

/// The index entry of each published crate, without its checksum (the packages differ in
/// the registry URL their manifests record), and the metadata each upload sent, by name.
fn recorded(registry: &RegistryServer) -> (Vec<Value>, Vec<Value>) {
    let entries = ["base", "mid", "plat", "bld", "top"]
        .iter()
        .map(|name| {
            let file = registry.index_file(name).unwrap_or_else(|| panic!("{name} published"));
            let mut entry: Value = serde_json::from_str(file.trim()).unwrap();
            entry.as_object_mut().unwrap().remove("cksum");
            entry
        })
        .collect();
    let mut sent = registry.proxy().expect("a proxy").upload_metadata();
    sent.sort_by_key(|metadata| metadata["name"].to_string());
    (entries, sent)
}

#[test]
fn the_registry_records_what_it_records_from_cargo() {
    let fixture = workspace();
    let by_cargo = RegistryServer::start_with_faults(base(), Faults::none());
    let sandbox = CargoSandbox::new(base()).registry(REGISTRY, &by_cargo.index_url(), Some(TOKEN));
    let mut cargo = sandbox.cargo(fixture.root());
    cargo.args(["publish", "--workspace", "--no-verify", "--registry", REGISTRY]);
    let run = Run::checked(cargo.output().unwrap(), &[TOKEN]);
    assert_eq!(run.code, Some(0), "{run}");

    let by_launchkit = RegistryServer::start_with_faults(base(), Faults::none());
    let sandbox =
        CargoSandbox::new(base()).registry(REGISTRY, &by_launchkit.index_url(), Some(TOKEN));
    let mut xtask = sandbox.command(env!("CARGO_BIN_EXE_xtask"), fixture.root());
    xtask.args(["publish", "--registry", REGISTRY, "--execute"]);
    let run = Run::checked(xtask.output().unwrap(), &[TOKEN]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("published 5 of 5 crates"), "{run}");

    let ((expected, cargo_sent), (actual, launchkit_sent)) =
        (recorded(&by_cargo), recorded(&by_launchkit));
    assert_eq!(actual, expected);
    let top = &actual[4];
    assert_eq!(top["deps"].as_array().unwrap().len(), 5, "{top}");
    // Everything the API takes, the readme, keywords and badges included.
    assert_eq!(launchkit_sent, cargo_sent);
    assert_eq!(launchkit_sent[0]["readme"], "# base\n\nThe base of the fixture.\n");
}
