//! The metadata an upload sends beside the `.crate`, read from the package's normalized
//! `Cargo.toml` (the one `cargo package` wrote into it) the way cargo builds it for the
//! registry Web API: every dependency the package keeps, with its requirement as semver
//! prints it, its platform as cargo prints it, and its registry only when it is not the
//! one published to; the features as written; the readme's text.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

use anyhow::{Context, bail};
use cargo_metadata::cargo_platform::Platform;
use cargo_metadata::semver::VersionReq;
use serde_json::{Value, json};
use toml_edit::{DocumentMut, Item};

/// How cargo names crates.io in a dependency published to another registry.
const CRATES_IO_SOURCE: &str = "https://github.com/rust-lang/crates.io-index";

/// Dependency tables and the kind the API gives each.
const KINDS: [(&str, &str); 3] =
    [("dependencies", "normal"), ("dev-dependencies", "dev"), ("build-dependencies", "build")];

/// The JSON metadata for the unpacked package at `dir`, uploaded to the registry whose
/// index URL is `index` (`crates_io` when that is crates.io).
pub fn new_crate(dir: &Path, index: &str, crates_io: bool) -> anyhow::Result<String> {
    let path = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let manifest: DocumentMut =
        text.parse().with_context(|| format!("cannot parse {}", path.display()))?;
    let package = manifest
        .get("package")
        .and_then(Item::as_table_like)
        .with_context(|| format!("{} has no [package]", path.display()))?;
    let string = |key: &str| package.get(key).and_then(Item::as_str).map(str::to_owned);
    let strings = |key: &str| package.get(key).map(item_strings).unwrap_or_default();
    let readme_file = string("readme");
    let readme = match &readme_file {
        Some(file) => Some(
            std::fs::read_to_string(dir.join(file))
                .with_context(|| format!("cannot read the readme {file} of {}", dir.display()))?,
        ),
        None => None,
    };
    let mut deps = Vec::new();
    let registry = Source { index, crates_io };
    for (kind_key, kind) in KINDS {
        push_deps(&mut deps, manifest.get(kind_key), kind, None, &registry)?;
    }
    if let Some(targets) = manifest.get("target").and_then(Item::as_table_like) {
        for (platform, tables) in targets.iter() {
            let platform = Platform::from_str(platform)
                .with_context(|| format!("target `{platform}` in {}", path.display()))?
                .to_string();
            for (kind_key, kind) in KINDS {
                push_deps(&mut deps, tables.get(kind_key), kind, Some(&platform), &registry)?;
            }
        }
    }
    let features: BTreeMap<String, Vec<String>> = manifest
        .get("features")
        .and_then(Item::as_table_like)
        .map(|table| {
            table.iter().map(|(name, values)| (name.to_owned(), item_strings(values))).collect()
        })
        .unwrap_or_default();
    let badges: BTreeMap<String, BTreeMap<String, String>> = manifest
        .get("badges")
        .and_then(Item::as_table_like)
        .map(|table| {
            table
                .iter()
                .map(|(badge, attributes)| {
                    let attributes = attributes.as_table_like().map(|attributes| {
                        attributes
                            .iter()
                            .filter_map(|(k, v)| Some((k.to_owned(), v.as_str()?.to_owned())))
                            .collect()
                    });
                    (badge.to_owned(), attributes.unwrap_or_default())
                })
                .collect()
        })
        .unwrap_or_default();
    let metadata = json!({
        "name": string("name").context("the package has no name")?,
        "vers": string("version").context("the package has no version")?,
        "deps": deps,
        "features": features,
        "authors": strings("authors"),
        "description": string("description"),
        "documentation": string("documentation"),
        "homepage": string("homepage"),
        "readme": readme,
        "readme_file": readme_file,
        "keywords": strings("keywords"),
        "categories": strings("categories"),
        "license": string("license"),
        "license_file": string("license-file"),
        "repository": string("repository"),
        "badges": badges,
        "links": string("links"),
        "rust_version": string("rust-version"),
    });
    Ok(metadata.to_string())
}

/// The registry uploaded to.
struct Source<'a> {
    index: &'a str,
    crates_io: bool,
}

impl Source<'_> {
    /// The API's `registry` of a dependency from `index` (crates.io when `None`): none
    /// when it is the registry uploaded to.
    fn of(&self, index: Option<&str>) -> Option<String> {
        match index {
            None if self.crates_io => None,
            None => Some(CRATES_IO_SOURCE.to_owned()),
            Some(index) if same_url(index, self.index) => None,
            Some(index) => Some(index.to_owned()),
        }
    }
}

fn same_url(a: &str, b: &str) -> bool {
    a.trim_end_matches('/').eq_ignore_ascii_case(b.trim_end_matches('/'))
}

/// Appends the dependencies of one table (`[dependencies]`, `[target.X.dev-dependencies]`).
fn push_deps(
    deps: &mut Vec<Value>,
    table: Option<&Item>,
    kind: &str,
    target: Option<&str>,
    registry: &Source<'_>,
) -> anyhow::Result<()> {
    let Some(table) = table.and_then(Item::as_table_like) else { return Ok(()) };
    for (key, dep) in table.iter() {
        // A bare requirement is a table with only `version`.
        let detailed = dep.as_table_like();
        let field = |name: &str| detailed.and_then(|table| table.get(name));
        let requirement = match dep.as_str() {
            Some(version) => version,
            None => field("version").and_then(Item::as_str).with_context(|| {
                format!("dependency `{key}` has no version: cargo cannot publish it either")
            })?,
        };
        let version_req = VersionReq::parse(requirement)
            .with_context(|| format!("dependency `{key}`: `{requirement}`"))?;
        let flag =
            |name: &str, default: bool| field(name).and_then(Item::as_bool).unwrap_or(default);
        if field("artifact").is_some() {
            bail!(
                "dependency `{key}` is an artifact dependency, which stable cargo cannot publish"
            );
        }
        let package = field("package").and_then(Item::as_str);
        let mut dep = json!({
            "optional": flag("optional", false),
            "default_features": flag("default-features", flag("default_features", true)),
            "name": package.unwrap_or(key),
            "features": field("features").map(item_strings).unwrap_or_default(),
            "version_req": version_req.to_string(),
            "target": target,
            "kind": kind,
        });
        if let Some(source) = registry.of(field("registry-index").and_then(Item::as_str)) {
            dep["registry"] = Value::String(source);
        }
        if package.is_some() {
            dep["explicit_name_in_toml"] = Value::String(key.to_owned());
        }
        deps.push(dep);
    }
    Ok(())
}

/// The strings of an array item (a feature's values, a dependency's features, keywords).
fn item_strings(item: &Item) -> Vec<String> {
    item.as_array()
        .map(|array| array.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A manifest as `cargo package` normalizes it.
    const MANIFEST: &str = r#"
[package]
edition = "2021"
rust-version = "1.70"
name = "demo"
version = "0.2.0"
authors = ["A <a@example.com>"]
build = false
links = "demo"
description = "A demo"
readme = "README.md"
keywords = ["demo"]
categories = ["development-tools"]
license = "MIT"
repository = "https://example.com/demo"

[badges.maintenance]
status = "passively-maintained"

[features]
default = ["std"]
std = ["base/std", "dep:extra"]

[lib]
name = "demo"
path = "src/lib.rs"

[dependencies.base]
version = "0.1"
registry-index = "sparse+http://127.0.0.1:9/index/"

[dependencies.extra]
version = "=1.0.3"
optional = true
default-features = false
features = ["a", "b"]
registry-index = "sparse+https://other.example/index/"

[dependencies.json]
version = "1.0.100"
package = "serde_json"

[dev-dependencies.base]
version = "0.1.0"
registry-index = "sparse+http://127.0.0.1:9/index/"

[target."cfg(all(unix,target_os=\"linux\"))".build-dependencies.cc]
version = "1"
"#;

    fn metadata(index: &str, crates_io: bool) -> Value {
        let dir = std::env::temp_dir()
            .join(format!("launchkit-metadata-{}-{crates_io}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("Cargo.toml"), MANIFEST).unwrap();
        std::fs::write(dir.join("README.md"), "# demo\n").unwrap();
        let json = new_crate(&dir, index, crates_io).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        serde_json::from_str(&json).unwrap()
    }

    #[test]
    fn the_metadata_is_what_cargo_sends() {
        let metadata = metadata("sparse+http://127.0.0.1:9/index", false);
        assert_eq!(metadata["name"], "demo");
        assert_eq!(metadata["vers"], "0.2.0");
        assert_eq!(metadata["readme"], "# demo\n");
        assert_eq!(metadata["readme_file"], "README.md");
        assert_eq!(metadata["rust_version"], "1.70");
        assert_eq!(metadata["links"], "demo");
        assert_eq!(metadata["license_file"], Value::Null);
        assert_eq!(metadata["badges"], json!({"maintenance": {"status": "passively-maintained"}}));
        assert_eq!(
            metadata["features"],
            json!({"default": ["std"], "std": ["base/std", "dep:extra"]})
        );
        assert_eq!(
            metadata["deps"],
            json!([
                {"name": "base", "version_req": "^0.1", "kind": "normal", "target": null,
                 "optional": false, "default_features": true, "features": []},
                {"name": "extra", "version_req": "=1.0.3", "kind": "normal", "target": null,
                 "optional": true, "default_features": false, "features": ["a", "b"],
                 "registry": "sparse+https://other.example/index/"},
                {"name": "serde_json", "explicit_name_in_toml": "json", "version_req": "^1.0.100",
                 "kind": "normal", "target": null, "optional": false, "default_features": true,
                 "features": [], "registry": CRATES_IO_SOURCE},
                {"name": "base", "version_req": "^0.1.0", "kind": "dev", "target": null,
                 "optional": false, "default_features": true, "features": []},
                {"name": "cc", "version_req": "^1", "kind": "build",
                 "target": "cfg(all(unix, target_os = \"linux\"))",
                 "optional": false, "default_features": true, "features": [],
                 "registry": CRATES_IO_SOURCE},
            ])
        );
    }

    #[test]
    fn crates_io_dependencies_name_no_registry_on_crates_io() {
        let metadata = metadata("sparse+https://index.crates.io/", true);
        let registries: Vec<&Value> = metadata["deps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|dep| dep.get("registry").unwrap_or(&Value::Null))
            .collect();
        assert_eq!(
            registries,
            [
                &json!("sparse+http://127.0.0.1:9/index/"),
                &json!("sparse+https://other.example/index/"),
                &Value::Null,
                &json!("sparse+http://127.0.0.1:9/index/"),
                &Value::Null
            ]
        );
    }
}
