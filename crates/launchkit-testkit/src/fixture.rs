//! Fixture workspaces: members written from manifest snippets, committed to a real git
//! repository so cargo packages them as it would a user's clean checkout.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::tmp::TempDir;

/// A workspace on disk, removed when dropped.
pub struct Fixture {
    dir: TempDir,
}

/// Members to write; [`FixtureBuilder::write`] makes the [`Fixture`].
pub struct FixtureBuilder {
    base: PathBuf,
    members: Vec<MemberSpec>,
}

struct MemberSpec {
    name: String,
    version: String,
    manifest_tail: String,
    lib: String,
}

impl Fixture {
    /// Starts a fixture that will live in a new directory under `base`.
    pub fn builder(base: &Path) -> FixtureBuilder {
        FixtureBuilder { base: base.to_owned(), members: Vec::new() }
    }

    /// The workspace root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The root `Cargo.toml`.
    pub fn manifest(&self) -> PathBuf {
        self.root().join("Cargo.toml")
    }

    /// Writes `contents` to `relative` (creating folders) without committing.
    pub fn write(&self, relative: &str, contents: &str) {
        write(&self.root().join(relative), contents);
    }

    /// Commits everything with `message`.
    pub fn commit(&self, message: &str) {
        git(self.root(), &["add", "-A"]);
        git(self.root(), &["commit", "-q", "-m", message]);
    }
}

impl FixtureBuilder {
    /// A member `name` at version 0.1.0 whose manifest ends with `manifest_tail` (tables
    /// such as `[dependencies]`), with a one-function library.
    pub fn member(self, name: &str, manifest_tail: &str) -> FixtureBuilder {
        let lib = format!(
            "//! Fixture crate.\n\n/// A value.\npub fn value() -> u32 {{ {} }}\n",
            name.len()
        );
        self.member_full(name, "0.1.0", manifest_tail, &lib)
    }

    /// A member at 0.1.0 depending on `deps` (members of this fixture) by path and
    /// version, from `registry` when given. Its `value()` adds up its dependencies', so a
    /// build proves they resolved.
    pub fn member_with_deps(
        self,
        name: &str,
        deps: &[&str],
        registry: Option<&str>,
    ) -> FixtureBuilder {
        let mut tail = String::from("[dependencies]\n");
        for dep in deps {
            tail.push_str(&path_dep(dep, "0.1.0", registry));
            tail.push('\n');
        }
        let sum: String =
            deps.iter().map(|dep| format!(" + {}::value()", dep.replace('-', "_"))).collect();
        let lib = format!(
            "//! Fixture crate.\n\n/// One plus the dependencies' values.\npub fn value() -> u32 {{ 1{sum} }}\n"
        );
        self.member_full(name, "0.1.0", &tail, &lib)
    }

    /// A member with every part given.
    pub fn member_full(
        mut self,
        name: &str,
        version: &str,
        manifest_tail: &str,
        lib: &str,
    ) -> FixtureBuilder {
        self.members.push(MemberSpec {
            name: name.to_owned(),
            version: version.to_owned(),
            manifest_tail: manifest_tail.to_owned(),
            lib: lib.to_owned(),
        });
        self
    }

    /// Writes the workspace and commits it to a new git repository.
    pub fn write(self) -> Fixture {
        let dir = TempDir::new(&self.base, "fixture");
        let root = dir.path();
        let members: Vec<String> =
            self.members.iter().map(|member| format!("\"{}\"", member.name)).collect();
        write(
            &root.join("Cargo.toml"),
            &format!("[workspace]\nresolver = \"2\"\nmembers = [{}]\n", members.join(", ")),
        );
        write(&root.join(".gitignore"), "/target\n");
        for member in &self.members {
            let manifest = format!(
                "[package]\nname = \"{}\"\nversion = \"{}\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"launchkit test fixture\"\n\n{}",
                member.name, member.version, member.manifest_tail
            );
            write(&root.join(&member.name).join("Cargo.toml"), &manifest);
            write(&root.join(&member.name).join("src/lib.rs"), &member.lib);
        }
        git(root, &["init", "-q", "-b", "main"]);
        let fixture = Fixture { dir };
        fixture.commit("fixture");
        fixture
    }
}

/// `name = { path = "../name", version = "version" }`, with `registry` when given.
pub fn path_dep(name: &str, version: &str, registry: Option<&str>) -> String {
    let registry =
        registry.map(|registry| format!(", registry = \"{registry}\"")).unwrap_or_default();
    format!("{name} = {{ path = \"../{name}\", version = \"{version}\"{registry} }}")
}

/// Copies the folder `from` into `to` (created), recursively: a checked-in fixture tree
/// made into a scratch copy a test may change.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to)
        .unwrap_or_else(|err| panic!("cannot create {}: {err}", to.display()));
    let entries = std::fs::read_dir(from)
        .unwrap_or_else(|err| panic!("cannot read {}: {err}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|err| panic!("cannot read {}: {err}", from.display()));
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type().is_ok_and(|kind| kind.is_dir()) {
            copy_dir(&source, &target);
        } else {
            std::fs::copy(&source, &target)
                .unwrap_or_else(|err| panic!("cannot copy {}: {err}", source.display()));
        }
    }
}

fn write(path: &Path, contents: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|err| panic!("cannot create {}: {err}", parent.display()));
    }
    std::fs::write(path, contents)
        .unwrap_or_else(|err| panic!("cannot write {}: {err}", path.display()));
}

/// Runs git with a fixed identity and no signing, whatever the machine's config says.
fn git(dir: &Path, args: &[&str]) {
    let output = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=launchkit tests",
            "-c",
            "user.email=tests@launchkit.invalid",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .output()
        .unwrap_or_else(|err| panic!("cannot run git: {err}"));
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}
