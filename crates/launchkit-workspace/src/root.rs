//! Finding the workspace a folder belongs to without starting cargo.

use std::path::{Path, PathBuf};

use toml_edit::{DocumentMut, Item};

/// The root folder of the workspace `dir` is in, found the way cargo finds it: the nearest
/// Cargo.toml at or above `dir`; its own `[workspace]`, else the folder its
/// `package.workspace` names, else the nearest folder above with a `[workspace]` that does
/// not `exclude` it, else the package on its own. `None` when no Cargo.toml is above `dir`.
///
/// It reads manifests instead of running `cargo locate-project`, so that tasks which need
/// no cargo at all (the audit reads only Cargo.lock) start none. A manifest that does not
/// parse ends the search there: the task that loads it reports the error.
///
/// ```
/// use launchkit_workspace::root_of;
///
/// let root = std::env::temp_dir().join(format!("root-of-doc-{}", std::process::id()));
/// std::fs::create_dir_all(root.join("core/src")).unwrap();
/// std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = [\"core\"]\n").unwrap();
/// std::fs::write(root.join("core/Cargo.toml"), "[package]\nname = \"core\"\n").unwrap();
///
/// assert_eq!(root_of(&root.join("core/src")), Some(root.clone()));
/// assert_eq!(root_of(&root), Some(root.clone()));
/// std::fs::remove_dir_all(&root).unwrap();
/// ```
pub fn root_of(dir: &Path) -> Option<PathBuf> {
    let nearest = dir.ancestors().find(|folder| folder.join("Cargo.toml").is_file())?;
    let Some(manifest) = read(nearest) else { return Some(nearest.to_owned()) };
    if manifest.contains_key("workspace") {
        return Some(nearest.to_owned());
    }
    if let Some(path) = manifest.get("package").and_then(|package| package.get("workspace")) {
        return Some(path.as_str().map_or(nearest.to_owned(), |path| nearest.join(path)));
    }
    for folder in nearest.ancestors().skip(1) {
        if !folder.join("Cargo.toml").is_file() {
            continue;
        }
        let Some(manifest) = read(folder) else { return Some(folder.to_owned()) };
        let Some(workspace) = manifest.get("workspace") else { continue };
        return Some(
            if excludes(workspace, folder, nearest) { nearest } else { folder }.to_owned(),
        );
    }
    Some(nearest.to_owned())
}

fn read(folder: &Path) -> Option<DocumentMut> {
    std::fs::read_to_string(folder.join("Cargo.toml")).ok()?.parse().ok()
}

/// `workspace.exclude` of the workspace at `root` names `member` or a folder above it.
fn excludes(workspace: &Item, root: &Path, member: &Path) -> bool {
    let Some(exclude) = workspace.get("exclude").and_then(Item::as_array) else { return false };
    exclude.iter().filter_map(|path| path.as_str()).any(|path| member.starts_with(root.join(path)))
}

#[cfg(test)]
mod tests {
    use super::root_of;

    fn tree(files: &[(&str, &str)]) -> std::path::PathBuf {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let root = std::env::temp_dir().join(format!("launchkit-root-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for (path, text) in files {
            let file = root.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, text).unwrap();
        }
        root
    }

    #[test]
    fn a_member_folder_belongs_to_the_workspace_above() {
        let root = tree(&[
            ("Cargo.toml", "[workspace]\nmembers = [\"core\"]\nexclude = [\"vendor\"]\n"),
            ("core/Cargo.toml", "[package]\nname = \"core\"\n"),
            ("core/src/lib.rs", ""),
            ("vendor/other/Cargo.toml", "[package]\nname = \"other\"\n"),
            ("pinned/Cargo.toml", "[package]\nname = \"pinned\"\nworkspace = \"../elsewhere\"\n"),
            ("elsewhere/Cargo.toml", "[workspace]\n"),
            ("docs/guide.md", ""),
        ]);
        assert_eq!(root_of(&root.join("core/src")), Some(root.clone()));
        assert_eq!(root_of(&root.join("docs")), Some(root.clone()));
        assert_eq!(root_of(&root), Some(root.clone()));
        assert_eq!(root_of(&root.join("vendor/other")), Some(root.join("vendor/other")));
        assert_eq!(root_of(&root.join("pinned")), Some(root.join("pinned/../elsewhere")));
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_lone_package_is_its_own_root_and_no_manifest_is_none() {
        let root = tree(&[("lone/Cargo.toml", "[package]\nname = \"lone\"\n"), ("empty/x", "")]);
        assert_eq!(root_of(&root.join("lone")), Some(root.join("lone")));
        // Nothing above the temp folder is a manifest on a sane machine; the folder itself is
        // none either way.
        assert_ne!(root_of(&root.join("empty")), Some(root.join("empty")));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
