//! The root manifest's edit: `xtask` becomes a workspace member, format preserved.

use anyhow::{Context, bail};
use globset::GlobBuilder;
use toml_edit::{Array, DocumentMut, Item, Table, Value};

/// The root manifest `text` with `xtask` a member of its workspace, and a note per choice
/// made. The text is returned unchanged when a `members` entry already covers `xtask`.
///
/// A root package without `[workspace]` gets one; an `exclude` entry naming `xtask` is
/// removed, as cargo would otherwise leave the crate out. Each of `new_folders` (folders
/// init creates that are no crate, such as `.cargo`) that a `members` glob covers is
/// added to `exclude`: cargo would fail to load it as a member.
pub fn add_xtask(text: &str, new_folders: &[&str]) -> anyhow::Result<(String, Vec<String>)> {
    let mut doc: DocumentMut = text.parse().context("Cargo.toml is not valid TOML")?;
    let mut notes = Vec::new();
    let Some(workspace) = doc.get_mut("workspace") else {
        let mut workspace = Table::new();
        workspace.insert("members", toml_edit::value(Array::from_iter(["xtask"])));
        workspace.decor_mut().set_prefix("\n");
        doc.insert("workspace", Item::Table(workspace));
        notes.push(
            "Cargo.toml: a [workspace] with the xtask member, beside the root package".into(),
        );
        return Ok((doc.to_string(), notes));
    };
    let Some(workspace) = workspace.as_table_like_mut() else {
        bail!("Cargo.toml: `workspace` is not a table: make it a [workspace] section");
    };
    if let Some(exclude) = workspace.get_mut("exclude") {
        let Some(exclude) = exclude.as_array_mut() else {
            bail!("Cargo.toml: `workspace.exclude` is not an array: make it a list of paths");
        };
        let before = exclude.len();
        exclude.retain(|path| path.as_str().is_none_or(|path| normal(path) != "xtask"));
        if exclude.len() < before {
            notes.push("Cargo.toml: xtask taken out of `exclude`".into());
        }
    }
    let Some(members) = workspace.get_mut("members") else {
        workspace.insert("members", toml_edit::value(Array::from_iter(["xtask"])));
        if let Some(table) = doc["workspace"].as_table_mut() {
            table.set_implicit(false);
        }
        return Ok((doc.to_string(), notes));
    };
    let Some(members) = members.as_array_mut() else {
        bail!("Cargo.toml: `workspace.members` is not an array: make it a list of paths");
    };
    let covering = |folder: &str| {
        let globs = members.iter().filter_map(Value::as_str);
        globs.into_iter().find(|glob| covers(glob, folder)).map(str::to_owned)
    };
    let covered: Vec<(&str, String)> =
        new_folders.iter().filter_map(|folder| Some((*folder, covering(folder)?))).collect();
    match covering("xtask") {
        Some(glob) => notes.push(format!("Cargo.toml: `{glob}` in `members` covers xtask")),
        None => push_like(members, "xtask"),
    }
    if !covered.is_empty() {
        let exclude = workspace
            .entry("exclude")
            .or_insert_with(|| toml_edit::value(Array::new()))
            .as_array_mut()
            .expect("checked above");
        for (folder, glob) in covered {
            push_like(exclude, folder);
            notes.push(format!("Cargo.toml: {folder} added to `exclude`, as `{glob}` covers it"));
        }
    }
    Ok((doc.to_string(), notes))
}

/// `member` (a path in the workspace) matches `glob` as cargo matches `members` entries:
/// `*` stays within one folder.
fn covers(glob: &str, member: &str) -> bool {
    let glob = normal(glob);
    GlobBuilder::new(glob)
        .literal_separator(true)
        .build()
        .is_ok_and(|glob| glob.compile_matcher().is_match(member))
}

/// A path as written in the manifest, without `./` in front or `/` behind.
fn normal(path: &str) -> &str {
    path.trim_start_matches("./").trim_end_matches('/')
}

/// Appends `item` in the array's own layout: on a line of its own, indented like the
/// last one, when that one is. A comment before the last item stays where it is.
fn push_like(array: &mut Array, item: &str) {
    let indent = array.iter().last().and_then(|value| {
        let prefix = value.decor().prefix()?.as_str()?;
        prefix.rfind('\n').map(|at| prefix[at..].to_owned())
    });
    let trailing_comma = array.trailing_comma();
    array.push(item);
    if let (Some(indent), Some(new)) = (indent, array.iter_mut().last()) {
        new.decor_mut().set_prefix(indent);
    }
    array.set_trailing_comma(trailing_comma);
}

#[cfg(test)]
mod tests {
    use super::add_xtask;

    fn added(text: &str) -> String {
        add_xtask(text, &[]).unwrap().0
    }

    #[test]
    fn the_member_joins_the_list_in_its_layout() {
        let text = "[workspace]\nresolver = \"3\" # keep\nmembers = [\"core\", \"app\"]\n";
        assert_eq!(
            added(text),
            "[workspace]\nresolver = \"3\" # keep\nmembers = [\"core\", \"app\", \"xtask\"]\n"
        );
        let text = "[workspace]\nmembers = [\n    \"core\", # the core\n    \"app\",\n]\n";
        assert_eq!(
            added(text),
            "[workspace]\nmembers = [\n    \"core\", # the core\n    \"app\",\n    \"xtask\",\n]\n"
        );
    }

    #[test]
    fn a_covering_glob_changes_nothing() {
        for glob in ["*", "./*", "x*", "xtask/"] {
            let text = format!("[workspace]\nmembers = [\"crates/*\", \"{glob}\"]\n");
            let (after, notes) = add_xtask(&text, &[]).unwrap();
            assert_eq!(after, text);
            assert_eq!(notes, [format!("Cargo.toml: `{glob}` in `members` covers xtask")]);
        }
        let text = "[workspace]\nmembers = [\"crates/*\"]\n";
        assert_ne!(added(text), text, "crates/* does not cover xtask");
    }

    #[test]
    fn a_root_package_gets_a_workspace() {
        let text = "[package]\nname = \"solo\"\nversion = \"0.1.0\"\n\n[dependencies]\n";
        assert_eq!(added(text), format!("{text}\n[workspace]\nmembers = [\"xtask\"]\n"));
        let text = "[package]\nname = \"solo\"\n\n[workspace]\n\n[dependencies]\nx = \"1\"\n";
        assert_eq!(
            added(text),
            "[package]\nname = \"solo\"\n\n[workspace]\nmembers = [\"xtask\"]\n\n[dependencies]\nx = \"1\"\n"
        );
    }

    #[test]
    fn an_implicit_workspace_table_gets_its_header() {
        let text = "[package]\nname = \"solo\"\n\n[workspace.package]\nversion = \"1.0.0\"\n";
        let after = added(text);
        let doc: toml_edit::DocumentMut = after.parse().unwrap();
        assert_eq!(doc["workspace"]["members"].as_array().unwrap().len(), 1, "{after}");
        assert_eq!(doc["workspace"]["package"]["version"].as_str(), Some("1.0.0"));
    }

    #[test]
    fn exclude_lets_go_of_xtask_only() {
        let text = "[workspace]\nmembers = [\"*\"]\nexclude = [\"vendor\", \"./xtask\"]\n";
        let (after, notes) = add_xtask(text, &[]).unwrap();
        assert_eq!(after, "[workspace]\nmembers = [\"*\"]\nexclude = [\"vendor\"]\n");
        assert_eq!(notes.len(), 2, "{notes:?}");
    }

    #[test]
    fn new_folders_a_glob_covers_are_excluded() {
        let text = "[workspace]\nmembers = [\"*\"]\n";
        let (after, notes) = add_xtask(text, &[".cargo"]).unwrap();
        assert_eq!(after, "[workspace]\nmembers = [\"*\"]\nexclude = [\".cargo\"]\n");
        assert_eq!(notes[1], "Cargo.toml: .cargo added to `exclude`, as `*` covers it");
        let text = "[workspace]\nmembers = [\"crates/*\"]\nexclude = [\"old\"]\n";
        let (after, _) = add_xtask(text, &[".cargo"]).unwrap();
        assert!(after.ends_with("exclude = [\"old\"]\n"), "{after}");
    }

    #[test]
    fn a_second_run_changes_nothing() {
        for text in [
            "[workspace]\nmembers = [\"core\"]\nexclude = [\"xtask\"]\n",
            "[package]\nname = \"solo\"\n",
            "[workspace]\n",
        ] {
            let once = added(text);
            assert_eq!(added(&once), once);
        }
    }

    #[test]
    fn bad_manifests_are_refused() {
        assert!(add_xtask("[workspace\n", &[]).is_err());
        assert!(add_xtask("workspace = 1\n", &[]).is_err());
        assert!(add_xtask("[workspace]\nmembers = \"x\"\n", &[]).is_err());
    }
}
