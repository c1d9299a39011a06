//! The dev-profile entries that make `cargo xtask links` fast in an adopting workspace:
//! the markdown parser and the link checker optimized even in the dev profile the xtask
//! builds in (unoptimized, the offline check takes over twice as long). Each entry
//! concerns that one crate only; nothing else of the workspace's builds changes.

use anyhow::Context;
use toml_edit::{DocumentMut, Item, Table, value};

/// The crates, and the level each gets (what launchkit's own manifest sets).
const OPTIMIZED: [(&str, i64); 2] = [("pulldown-cmark", 1), ("launchkit-links", 1)];

const COMMENT: &str = "\n# launchkit's markdown parser and link checker, optimized in the dev profile the xtask\n\
                       # builds in, so `cargo xtask links` and preflight's links step stay fast.\n";

/// `manifest` with the entries added. A workspace that sets its own dev `opt-level`, or
/// an entry for one of these crates, keeps its choice (an override would lower a higher
/// level).
pub fn optimize_links(manifest: &str) -> anyhow::Result<String> {
    let mut doc: DocumentMut = manifest.parse().context("Cargo.toml is not valid TOML")?;
    let dev = doc.get("profile").and_then(|profile| profile.get("dev"));
    if dev.is_some_and(|dev| dev.get("opt-level").is_some()) {
        return Ok(manifest.to_owned());
    }
    let mut commented = false;
    for (name, level) in OPTIMIZED {
        let packages =
            implicit(implicit(implicit(doc.as_table_mut(), "profile"), "dev"), "package");
        if packages.contains_key(name) {
            continue;
        }
        let mut table = Table::new();
        table.insert("opt-level", value(level));
        if !commented {
            table.decor_mut().set_prefix(COMMENT);
            commented = true;
        }
        packages.insert(name, Item::Table(table));
    }
    Ok(doc.to_string())
}

/// The table `key` of `parent`, created without a header of its own when missing.
fn implicit<'a>(parent: &'a mut Table, key: &str) -> &'a mut Table {
    let item = parent.entry(key).or_insert_with(|| {
        let mut table = Table::new();
        table.set_implicit(true);
        Item::Table(table)
    });
    item.as_table_mut().expect("profile tables are tables")
}

#[cfg(test)]
mod tests {
    use super::optimize_links;

    #[test]
    fn the_markdown_crates_are_optimized_once() {
        let manifest = "[workspace]\nmembers = [\"a\"]\n";
        let once = optimize_links(manifest).unwrap();
        assert_eq!(
            once,
            format!(
                "{manifest}{}[profile.dev.package.pulldown-cmark]\nopt-level = 1\n\n\
                 [profile.dev.package.launchkit-links]\nopt-level = 1\n",
                super::COMMENT
            )
        );
        assert_eq!(optimize_links(&once).unwrap(), once);
    }

    #[test]
    fn a_workspace_choice_is_kept() {
        let own_level = "[workspace]\n\n[profile.dev]\nopt-level = 2\n";
        assert_eq!(optimize_links(own_level).unwrap(), own_level);
        let own_entry = "[workspace]\n\n[profile.dev.package.pulldown-cmark]\nopt-level = 3\n";
        let after = optimize_links(own_entry).unwrap();
        assert!(after.starts_with(own_entry), "{after}");
        assert_eq!(after.matches("pulldown-cmark").count(), 1, "{after}");
        assert!(after.ends_with("[profile.dev.package.launchkit-links]\nopt-level = 1\n"));
    }
}
