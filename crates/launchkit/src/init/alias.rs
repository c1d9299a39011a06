//! The `cargo xtask` alias, merged into `.cargo/config.toml`.

use anyhow::{Context, bail};
use toml_edit::{DocumentMut, Item, Table};

/// The alias `cargo xtask` needs.
pub const ALIAS: &str = "run --package xtask --";

/// The config `text` (empty for a new file) with the `xtask` alias, and a note when an
/// alias of that name runs something else: it is kept, as the user wrote it on purpose.
pub fn merge(text: &str, shown: &str) -> anyhow::Result<(String, Option<String>)> {
    let mut doc: DocumentMut =
        text.parse().with_context(|| format!("{shown} is not valid TOML"))?;
    if !doc.contains_key("alias") {
        let mut table = Table::new();
        if !text.trim().is_empty() {
            table.decor_mut().set_prefix("\n");
        }
        doc.insert("alias", Item::Table(table));
    }
    let Some(aliases) = doc["alias"].as_table_like_mut() else {
        bail!("{shown}: `alias` is not a table: make it an [alias] section");
    };
    let Some(existing) = aliases.get("xtask") else {
        aliases.insert("xtask", toml_edit::value(ALIAS));
        return Ok((doc.to_string(), None));
    };
    // cargo takes an alias as one string split at spaces, or as a list of words.
    let words: Option<Vec<&str>> = match existing.as_str() {
        Some(line) => Some(line.split_whitespace().collect()),
        None => existing.as_array().map(|words| words.iter().filter_map(|w| w.as_str()).collect()),
    };
    let same = words
        .as_deref()
        .is_some_and(|words| matches!(words, ["run", "--package" | "-p", "xtask", "--"]));
    if same {
        return Ok((text.to_owned(), None));
    }
    let existing = existing.to_string();
    let note = format!(
        "{shown}: the alias `xtask = {}` is kept; launchkit's tasks need `xtask = \"{ALIAS}\"`",
        existing.trim()
    );
    Ok((text.to_owned(), Some(note)))
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn a_new_file_holds_the_alias() {
        let (text, note) = merge("", "f").unwrap();
        assert_eq!(text, "[alias]\nxtask = \"run --package xtask --\"\n");
        assert_eq!(note, None);
    }

    #[test]
    fn the_alias_joins_existing_settings() {
        let text = "[build]\njobs = 2 # two\n\n[alias]\nb = \"build\"\n";
        let (after, _) = merge(text, "f").unwrap();
        assert_eq!(after, format!("{text}xtask = \"run --package xtask --\"\n"));
        let text = "[build]\njobs = 2\n";
        let (after, _) = merge(text, "f").unwrap();
        assert_eq!(after, format!("{text}\n[alias]\nxtask = \"run --package xtask --\"\n"));
    }

    #[test]
    fn an_equal_alias_is_left_as_written() {
        for alias in ["\"run -p xtask --\"", "[\"run\", \"--package\", \"xtask\", \"--\"]"] {
            let text = format!("[alias]\nxtask = {alias}\n");
            assert_eq!(merge(&text, "f").unwrap(), (text.clone(), None));
        }
    }

    #[test]
    fn a_different_alias_is_reported_not_overwritten() {
        let text = "[alias]\nxtask = \"run --manifest-path tools/Cargo.toml --\"\n";
        let (after, note) = merge(text, "f").unwrap();
        assert_eq!(after, text);
        assert!(
            note.unwrap().contains("`xtask = \"run --manifest-path tools/Cargo.toml --\"` is kept")
        );
    }
}
