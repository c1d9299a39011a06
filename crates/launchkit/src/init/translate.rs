//! Settings of cargo-release and release-plz, translated to launchkit's keys where they
//! mean the same; every other key is listed as not translated, with why.
//!
//! cargo-release reads `release.toml` and `[workspace.metadata.release]` (or
//! `[package.metadata.release]`); release-plz reads `[workspace]` of `release-plz.toml`.

use toml_edit::{DocumentMut, Item, Table, Value};

/// What one source of settings becomes.
#[derive(Debug, Default)]
pub struct Translation {
    /// launchkit keys with their values and the key they came from.
    pub keys: Vec<(&'static str, Value, String)>,
    /// `key: why`, for every key with no launchkit equivalent.
    pub left: Vec<String>,
}

/// Why a key with no launchkit equivalent is left out, when nothing more specific is known.
const NO_SAME: &str = "no launchkit setting means the same";

impl Translation {
    /// Records the key `from` as translated, or as left out with why.
    fn add(&mut self, from: String, translated: Result<(&'static str, Value), String>) {
        match translated {
            Ok((name, value)) => self.keys.push((name, value, from)),
            Err(why) => self.left.push(format!("{from}: {why}")),
        }
    }
}

/// cargo-release's settings in `table` (from the file or manifest table `source`).
pub fn cargo_release(table: &Table, source: &str) -> Translation {
    let mut out = Translation::default();
    let prefix = table.get("tag-prefix").and_then(Item::as_str);
    for (key, item) in table.iter() {
        let from = format!("{source} {key}");
        let same = |name: &'static str, fits: fn(&Value) -> bool| {
            let value = item.as_value().filter(|value| fits(value)).cloned();
            value.map(|value| (name, value)).ok_or_else(|| NO_SAME.to_owned())
        };
        let translated = match key {
            "registry" => same("registry", Value::is_str),
            "publish" => same("publish", |v| v.as_bool().is_some()),
            "push" => same("push", |v| v.as_bool().is_some()),
            "push-remote" => same("remote", Value::is_str),
            "allow-branch" => branches(item).map(|list| ("branches", list)),
            // The tag's name is `tag-name` with `{{prefix}}` replaced; launchkit's is its
            // `tag-prefix` followed by the version.
            "tag-prefix" if table.contains_key("tag-name") => continue,
            "tag-prefix" | "tag-name" => {
                let name = table
                    .get("tag-name")
                    .and_then(Item::as_str)
                    .unwrap_or("{{prefix}}v{{version}}");
                let prefix = tag_prefix(&name.replace("{{prefix}}", prefix.unwrap_or_default()));
                prefix.map(|prefix| ("tag-prefix", Value::from(prefix))).ok_or_else(|| {
                    "a tag name per crate: launchkit tags the workspace's release once, as `tag-prefix` + version".to_owned()
                })
            }
            "pre-release-hook" => Err("launchkit runs no hook before the release commit: add a preflight step in xtask/src/main.rs".to_owned()),
            _ => Err(NO_SAME.to_owned()),
        };
        out.add(from, translated);
    }
    out
}

/// release-plz's settings: its `[workspace]` table; the other tables are listed.
pub fn release_plz(doc: &Table, path: &str) -> Translation {
    let mut out = Translation::default();
    for (name, _) in doc.iter().filter(|(name, _)| *name != "workspace") {
        let why = match name {
            "package" => "launchkit's settings are the workspace's, for every crate",
            "changelog" => "launchkit's changelog is written by hand, in Keep a Changelog form",
            _ => NO_SAME,
        };
        out.left.push(format!("{path} [{name}]: {why}"));
    }
    let Some(table) = doc.get("workspace").and_then(Item::as_table) else { return out };
    for (key, item) in table.iter() {
        let from = format!("{path} [workspace] {key}");
        let value = item.as_value();
        let translated = match (key, value) {
            ("publish", Some(v)) if v.as_bool().is_some() => Ok(("publish", v.clone())),
            ("git_release_enable", Some(v)) if v.as_bool() == Some(false) => {
                Ok(("forge", Value::from("none")))
            }
            ("git_release_enable", Some(v)) if v.as_bool() == Some(true) => {
                Err("launchkit's production releases on the remote's forge already".to_owned())
            }
            ("git_tag_name", Some(v)) => (v.as_str().and_then(tag_prefix))
                .map(|p| ("tag-prefix", Value::from(p)))
                .ok_or_else(|| NO_SAME.to_owned()),
            ("repo_url", _) => Err("launchkit reads the repository from the git remote".to_owned()),
            _ => Err(NO_SAME.to_owned()),
        };
        out.add(from, translated);
    }
    out
}

/// The prefix of a tag template that is a fixed text followed by the version only.
fn tag_prefix(template: &str) -> Option<String> {
    let squeezed = template.replace("{{ ", "{{").replace(" }}", "}}");
    let prefix = squeezed.strip_suffix("{{version}}")?;
    (!prefix.contains("{{")).then(|| prefix.to_owned())
}

/// cargo-release's `allow-branch` globs as launchkit's `branches`; a negation (`!x`) has
/// no equivalent.
fn branches(item: &Item) -> Result<Value, String> {
    let list = item.as_array().ok_or("not a list")?;
    let names: Vec<&str> = list.iter().filter_map(Value::as_str).collect();
    if names.iter().any(|name| name.starts_with('!')) {
        return Err("an exclusion (`!`): launchkit's `branches` lists the branches allowed".into());
    }
    Ok(Value::Array(names.into_iter().collect()))
}

/// `manifest` with the translated keys set in `[workspace.metadata.launchkit]`, each with a
/// comment naming its origin; a key already set there is kept, and reported when it
/// differs. Returns the notes.
pub fn apply(
    manifest: &mut DocumentMut,
    translations: &[Translation],
) -> anyhow::Result<Vec<String>> {
    let mut notes = Vec::new();
    let keys: Vec<_> = translations.iter().flat_map(|t| &t.keys).collect();
    if !keys.is_empty() {
        let table = launchkit_table(manifest)?;
        for (name, value, from) in keys {
            let shown = value.to_string().trim().to_owned();
            match table.get(name).and_then(Item::as_value) {
                Some(set) if set.to_string().trim() == shown => {}
                Some(set) => notes.push(format!(
                    "Cargo.toml: launchkit's `{name} = {}` is kept over {from} = {shown}",
                    set.to_string().trim(),
                )),
                None => {
                    let mut value = value.clone();
                    value.decor_mut().set_prefix(" ");
                    value.decor_mut().set_suffix(format!(" # from {from}"));
                    table.insert(name, Item::Value(value));
                    notes.push(format!("Cargo.toml: {from} is launchkit's `{name}`"));
                }
            }
        }
    }
    for left in translations.iter().flat_map(|t| &t.left) {
        notes.push(format!("not translated: {left}"));
    }
    Ok(notes)
}

/// `[workspace.metadata.launchkit]`, created when missing.
fn launchkit_table(manifest: &mut DocumentMut) -> anyhow::Result<&mut Table> {
    let mut table = manifest.as_table_mut();
    for name in ["workspace", "metadata", "launchkit"] {
        let item = table.entry(name).or_insert_with(|| {
            let mut new = Table::new();
            new.set_implicit(name != "launchkit");
            Item::Table(new)
        });
        let Some(next) = item.as_table_mut() else {
            anyhow::bail!(
                "Cargo.toml: `{name}` is not a table: write it as a [section] so init can add [workspace.metadata.launchkit]"
            );
        };
        table = next;
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(text: &str) -> Table {
        text.parse::<DocumentMut>().unwrap().as_table().clone()
    }

    fn keys(translation: &Translation) -> Vec<String> {
        let shown = |(name, value, _): &(&str, Value, String)| {
            format!("{name} = {}", value.to_string().trim())
        };
        translation.keys.iter().map(shown).collect()
    }

    #[test]
    fn cargo_release_keys_that_mean_the_same_are_translated() {
        let release = table(
            "tag-prefix = \"\"\nallow-branch = [\"main\", \"release/*\"]\nregistry = \"corp\"\n\
             publish = false\npush-remote = \"upstream\"\nsign-tag = true\npre-release-hook = [\"x\"]\n",
        );
        let translation = cargo_release(&release, "release.toml");
        assert_eq!(
            keys(&translation),
            [
                "tag-prefix = \"v\"",
                "branches = [\"main\", \"release/*\"]",
                "registry = \"corp\"",
                "publish = false",
                "remote = \"upstream\""
            ]
        );
        assert_eq!(translation.left.len(), 2, "{:?}", translation.left);
        assert!(translation.left[0].starts_with("release.toml sign-tag: no launchkit setting"));
        assert!(
            translation.left[1]
                .starts_with("release.toml pre-release-hook: launchkit runs no hook")
        );
    }

    #[test]
    fn tag_names_translate_when_they_are_a_prefix_and_the_version() {
        let tags = |text: &str| {
            let translation = cargo_release(&table(text), "r");
            (keys(&translation), translation.left.len())
        };
        assert_eq!(
            tags("tag-prefix = \"rel-\"\ntag-name = \"{{prefix}}{{version}}\"\n"),
            (vec!["tag-prefix = \"rel-\"".to_owned()], 0)
        );
        assert_eq!(tags("tag-name = \"{{crate_name}}-v{{version}}\"\n"), (vec![], 1));
        assert_eq!(tags("allow-branch = [\"*\", \"!HEAD\"]\n"), (vec![], 1));
    }

    #[test]
    fn release_plz_keys_that_mean_the_same_are_translated() {
        let plz = table(
            "[workspace]\npublish = false\ngit_tag_name = \"v{{ version }}\"\ngit_release_enable = false\n\
             semver_check = false\nrepo_url = \"https://example.com/r\"\n",
        );
        let translation = release_plz(&plz, "release-plz.toml");
        assert_eq!(
            keys(&translation),
            ["publish = false", "tag-prefix = \"v\"", "forge = \"none\""]
        );
        assert_eq!(translation.left.len(), 2, "{:?}", translation.left);
        let plz = table(
            "[[package]]\nname = \"a\"\npublish = false\n\n[changelog]\nsort_commits = \"oldest\"\n",
        );
        let translation = release_plz(&plz, "release-plz.toml");
        assert!(translation.keys.is_empty());
        assert_eq!(
            translation.left,
            [
                "release-plz.toml [package]: launchkit's settings are the workspace's, for every crate",
                "release-plz.toml [changelog]: launchkit's changelog is written by hand, in Keep a Changelog form"
            ]
        );
    }

    #[test]
    fn applied_keys_say_where_they_came_from_and_never_replace_ours() {
        let translation =
            cargo_release(&table("publish = false\nregistry = \"corp\"\n"), "release.toml");
        let mut doc: DocumentMut =
            "[workspace]\nmembers = []\n\n[workspace.metadata.launchkit]\nregistry = \"mine\"\n"
                .parse()
                .unwrap();
        let notes = apply(&mut doc, &[translation]).unwrap();
        let text = doc.to_string();
        assert!(
            text.ends_with("registry = \"mine\"\npublish = false # from release.toml publish\n"),
            "{text}"
        );
        assert_eq!(
            notes[1],
            "Cargo.toml: launchkit's `registry = \"mine\"` is kept over release.toml registry = \"corp\""
        );
        let translation = cargo_release(&table("publish = false\n"), "release.toml");
        apply(&mut doc, &[translation]).unwrap();
        assert_eq!(doc.to_string(), text);
    }

    #[test]
    fn a_manifest_without_the_table_gets_it() {
        let translation = cargo_release(&table("push = false\n"), "release.toml");
        let mut doc: DocumentMut = "[package]\nname = \"solo\"\n".parse().unwrap();
        apply(&mut doc, &[translation]).unwrap();
        assert_eq!(
            doc.to_string(),
            "[package]\nname = \"solo\"\n\n[workspace.metadata.launchkit]\npush = false # from release.toml push\n"
        );
    }
}
