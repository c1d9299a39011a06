//! Registry resolution on real config files in temporary directories.

use std::collections::BTreeMap;
use std::path::Path;

use launchkit_testkit::TempDir;

use super::*;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(key, value)| ((*key).to_owned(), (*value).to_owned())).collect()
}

struct Dirs {
    _tmp: TempDir,
    home: PathBuf,
    project: PathBuf,
    nested: PathBuf,
}

fn dirs() -> Dirs {
    let tmp = TempDir::new(std::env::temp_dir(), "launchkit-config");
    let home = tmp.path().join("cargo-home");
    let project = tmp.path().join("project");
    let nested = project.join("crates/app");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::create_dir_all(&nested).unwrap();
    Dirs { _tmp: tmp, home, project, nested }
}

fn resolve(
    dirs: &Dirs,
    vars: &[(&str, &str)],
    name: Option<&str>,
) -> Result<Registry, RegistryError> {
    CargoConfig::read(&dirs.nested, Some(&dirs.home), env(vars))?.registry(name)
}

#[test]
fn crates_io_is_the_default_and_says_where_a_token_would_come_from() {
    let dirs = dirs();
    let registry = resolve(&dirs, &[], None).unwrap();
    assert_eq!((registry.name.as_str(), registry.index.as_str()), (CRATES_IO, CRATES_IO_INDEX));
    assert!(registry.token.is_none());
    assert_eq!(registry.token_source, "set CARGO_REGISTRY_TOKEN or run `cargo login`");
}

#[test]
fn the_nearest_file_wins_and_the_environment_wins_over_files() {
    let dirs = dirs();
    write(
        &dirs.home.join("config.toml"),
        "[registries.staging]\nindex = \"sparse+https://home.example/\"\n",
    );
    write(
        &dirs.project.join(".cargo/config.toml"),
        "registries.staging.index = \"sparse+https://project.example/\"\n",
    );
    write(
        &dirs.nested.join(".cargo/config"),
        "[registries]\nstaging = { index = \"sparse+https://nested.example/\" }\n",
    );
    assert_eq!(
        resolve(&dirs, &[], Some("staging")).unwrap().index,
        "sparse+https://nested.example/"
    );
    std::fs::remove_file(dirs.nested.join(".cargo/config")).unwrap();
    assert_eq!(
        resolve(&dirs, &[], Some("staging")).unwrap().index,
        "sparse+https://project.example/"
    );
    let from_env = resolve(
        &dirs,
        &[("CARGO_REGISTRIES_STAGING_INDEX", "sparse+http://127.0.0.1:1/")],
        Some("staging"),
    );
    assert_eq!(from_env.unwrap().index_base(), "http://127.0.0.1:1/");
}

#[test]
fn registry_default_and_dashed_names_resolve_like_cargo() {
    let dirs = dirs();
    write(&dirs.project.join(".cargo/config.toml"), "[registry]\ndefault = \"my-reg\"\n");
    let vars = [
        ("CARGO_REGISTRIES_MY_REG_INDEX", "sparse+http://127.0.0.1:2"),
        ("CARGO_REGISTRIES_MY_REG_TOKEN", "s3cret"),
    ];
    let registry = resolve(&dirs, &vars, None).unwrap();
    assert_eq!(registry.name, "my-reg");
    assert_eq!(registry.index_base(), "http://127.0.0.1:2/");
    assert_eq!(registry.token.as_ref().map(Token::expose), Some("s3cret"));
    assert_eq!(registry.token_source, "environment variable CARGO_REGISTRIES_MY_REG_TOKEN");
    assert!(!format!("{registry:?}").contains("s3cret"), "Debug hides the token");
}

#[test]
fn tokens_come_from_the_environment_before_credentials() {
    let dirs = dirs();
    write(&dirs.home.join("credentials.toml"), "[registry]\ntoken = \"from-file\"\n");
    let registry = resolve(&dirs, &[], None).unwrap();
    assert_eq!(registry.token.as_ref().map(Token::expose), Some("from-file"));
    assert_eq!(registry.token_source, "cargo's credentials.toml");
    let registry = resolve(&dirs, &[("CARGO_REGISTRY_TOKEN", "from-env")], None).unwrap();
    assert_eq!(registry.token.as_ref().map(Token::expose), Some("from-env"));
}

#[test]
fn unknown_names_and_git_indexes_are_clear_errors() {
    let dirs = dirs();
    let err = resolve(&dirs, &[], Some("nope")).unwrap_err().to_string();
    assert_eq!(
        err,
        "unknown registry `nope`: add `[registries.nope] index = \"sparse+https://...\"` to .cargo/config.toml or set CARGO_REGISTRIES_NOPE_INDEX"
    );
    let err = resolve(
        &dirs,
        &[("CARGO_REGISTRIES_OLD_INDEX", "https://example.com/index.git")],
        Some("old"),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("registry `old` has a git index"), "{err}");
}

#[test]
fn source_replacement_and_credential_providers_are_noted() {
    let dirs = dirs();
    let config = "[source.crates-io]\nreplace-with = \"mirror\"\n\n[source.mirror]\nregistry = \"sparse+https://mirror.example/\"\n\n[registry]\nglobal-credential-providers = [\"cargo:libsecret\"]\n";
    write(&dirs.project.join(".cargo/config.toml"), config);
    let registry = resolve(&dirs, &[], None).unwrap();
    assert_eq!(registry.index, CRATES_IO_INDEX, "publishing still targets crates.io");
    assert!(
        registry.notes[0].starts_with("crates.io is replaced by source `mirror` in "),
        "{:?}",
        registry.notes
    );
    assert_eq!(registry.credential_provider.as_deref(), Some("cargo:libsecret"));
    let provider = |value: &str| {
        let env = [("CARGO_REGISTRY_GLOBAL_CREDENTIAL_PROVIDERS", value)];
        resolve(&dirs, &env, None).unwrap().credential_provider
    };
    assert_eq!(provider("cargo:token"), None, "cargo's token store reads `token` itself");
    assert_eq!(
        provider("cargo:token-from-stdout pass show crates").as_deref(),
        Some("cargo:token-from-stdout pass show crates")
    );
}

#[test]
fn the_request_timeout_is_cargo_s_http_timeout() {
    let dirs = dirs();
    assert_eq!(resolve(&dirs, &[], None).unwrap().timeout, DEFAULT_TIMEOUT);
    write(&dirs.project.join(".cargo/config.toml"), "[http]\ntimeout = 7\n");
    assert_eq!(resolve(&dirs, &[], None).unwrap().timeout, Duration::from_secs(7));
    let from_env = resolve(&dirs, &[("CARGO_HTTP_TIMEOUT", "2")], None).unwrap();
    assert_eq!(from_env.timeout, Duration::from_secs(2));
    let err = resolve(&dirs, &[("CARGO_HTTP_TIMEOUT", "soon")], None).unwrap_err();
    assert!(err.to_string().starts_with("http.timeout `soon` is not a number of seconds"), "{err}");
}

#[test]
fn a_token_is_redacted_from_output_and_an_empty_one_hides_nothing() {
    let output = "error: 403 for token s3cret (s3cret)";
    assert_eq!(Token::new("s3cret").redact(output), "error: 403 for token *** (***)");
    assert_eq!(Token::new("").redact(output), output);
}
