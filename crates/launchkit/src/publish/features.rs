//! Which packaged crates the combined verification build may have helped with features:
//! a crate whose own dependency graph gets a feature from a crate outside it that no
//! crate inside asks for. On the registry each crate builds alone, so those are built
//! again with only their own features.
//!
//! Most such crates are lent a feature only at their root (the next crate enables one of
//! theirs). Those are built as renamed copies (`launchkit-lone-NAME`, the same library
//! name), which no other crate depends on, so every copy gets exactly its own features,
//! even as a member of the combined build itself. The rest are built again themselves,
//! in batches of crates that lend each other nothing.
//!
//! The answer is conservative: a request counts when it could add a feature (a
//! `features` list, a feature of the requester naming the dependency, default features),
//! whether or not the feature changes anything.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::Context;
use cargo_metadata::{DependencyKind, Metadata, MetadataCommand, Package, PackageId, TargetKind};
use xshell::{Shell, cmd};

/// The package name of a crate's copy, before the crate's name.
pub const COPY_PREFIX: &str = "launchkit-lone-";

/// The builds that give each crate only its own features, after the combined one.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Rebuilds {
    /// Crates to build as renamed copies: all in the combined build, one build per batch
    /// when that failed and the failing copy is to be named.
    pub copies: Vec<Vec<String>>,
    /// Crates to build again themselves, one build per batch.
    pub batches: Vec<Vec<String>>,
}

/// What the verification workspace needs beside its combined build. The graph is the
/// host's, as the build's: dependencies of other platforms are left out (and not
/// downloaded). The host is rustc's, as cargo finds it (`cargo -vV` would also run
/// `lsb_release` and its helpers to name the OS). With `self_contained` (the crates
/// depend only on each other, on every platform) the graph is the same on every
/// platform, so it is read without naming one, and cargo starts no rustc for it.
pub fn rebuilds(
    sh: &Shell,
    cargo: &str,
    manifest: &Path,
    self_contained: bool,
) -> anyhow::Result<Rebuilds> {
    let mut options = Vec::new();
    if !self_contained {
        let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
        let version = cmd!(sh, "{rustc} -vV").quiet().read()?;
        let host = version
            .lines()
            .find_map(|line| line.strip_prefix("host: "))
            .context("`rustc -vV` names no host")?;
        options = vec!["--filter-platform".to_owned(), host.to_owned()];
    }
    let metadata = MetadataCommand::new()
        .cargo_path(cargo)
        .manifest_path(manifest)
        .other_options(options)
        .exec()
        .context("cannot read the verification workspace's dependency graph")?;
    Ok(plan(&metadata))
}

/// The resolved graph, build edges only: dev-dependencies are not part of `cargo build`.
struct Graph<'a> {
    packages: HashMap<&'a PackageId, &'a Package>,
    edges: HashMap<&'a PackageId, Vec<&'a PackageId>>,
}

/// What a build of one crate reaches: the crate (`root`) and its dependencies (`set`).
/// A copy's `set` leaves the root out: nothing depends on a copy, so nothing lends to it.
struct View<'a> {
    root: &'a PackageId,
    set: BTreeSet<&'a PackageId>,
}

impl<'a> View<'a> {
    /// The packages whose requests the build makes: the root (or its copy) and the rest.
    fn requesters(&self) -> impl Iterator<Item = &&'a PackageId> + '_ {
        self.set.iter().chain(std::iter::once(&self.root))
    }
}

impl<'a> Graph<'a> {
    fn view(&self, root: &'a PackageId, copy: bool) -> View<'a> {
        let mut set = BTreeSet::from([root]);
        let mut todo = vec![root];
        while let Some(id) = todo.pop() {
            for dep in self.edges.get(id).into_iter().flatten() {
                if set.insert(dep) {
                    todo.push(dep);
                }
            }
        }
        if copy {
            set.remove(root);
        }
        View { root, set }
    }

    fn depends(&self, from: &PackageId, dep: &PackageId) -> bool {
        self.edges.get(from).is_some_and(|deps| deps.contains(&dep))
    }

    /// The features `from` asks of `dep`: its `features`, the `dep/feature` entries of
    /// its own feature table, and `default` while it keeps `dep`'s default features.
    fn asks(&self, from: &PackageId, dep: &PackageId) -> BTreeSet<String> {
        let (from, dep) = (self.packages[from], self.packages[dep]);
        let has_defaults = dep.features.get("default").is_some_and(|list| !list.is_empty());
        let mut asked = BTreeSet::new();
        let decls = from
            .dependencies
            .iter()
            .filter(|decl| decl.name == *dep.name && decl.kind != DependencyKind::Development);
        for decl in decls {
            asked.extend(decl.features.iter().cloned());
            if decl.uses_default_features && has_defaults {
                asked.insert("default".to_owned());
            }
            let key = decl.rename.as_deref().unwrap_or(&decl.name);
            for feature in from.features.values().flatten() {
                let named = feature
                    .strip_prefix(key)
                    .and_then(|rest| rest.strip_prefix('/').or_else(|| rest.strip_prefix("?/")));
                asked.extend(named.map(str::to_owned));
            }
        }
        asked
    }

    /// True when a requester outside `view` asks a package inside it for a feature no
    /// requester inside asks for.
    fn lends<'b>(&self, outside: impl Iterator<Item = &'b &'a PackageId>, view: &View<'a>) -> bool
    where
        'a: 'b,
    {
        outside.filter(|from| !view.set.contains(*from)).any(|from| {
            let deps = self.edges.get(*from).into_iter().flatten();
            deps.filter(|dep| view.set.contains(*dep)).any(|dep| {
                let mut inside: BTreeSet<String> = view
                    .requesters()
                    .filter(|id| self.depends(id, dep))
                    .flat_map(|id| self.asks(id, dep))
                    .collect();
                // `cargo build -p root` builds the root with its default features.
                if *dep == view.root {
                    inside.insert("default".to_owned());
                }
                !self.asks(from, dep).is_subset(&inside)
            })
        })
    }

    /// Greedy batches of views that lend each other nothing.
    fn batches<'v>(&self, views: &'v [View<'a>]) -> Vec<Vec<&'v View<'a>>> {
        let mut batches: Vec<Vec<&View>> = Vec::new();
        for view in views {
            let fits = |batch: &Vec<&View<'a>>| {
                batch.iter().all(|other| {
                    !self.lends(other.requesters(), view) && !self.lends(view.requesters(), other)
                })
            };
            match batches.iter_mut().find(|batch| fits(batch)) {
                Some(batch) => batch.push(view),
                None => batches.push(vec![view]),
            }
        }
        batches
    }

    fn names(&self, batches: Vec<Vec<&View>>) -> Vec<Vec<String>> {
        let name = |view: &&View| self.packages[view.root].name.to_string();
        batches.iter().map(|batch| batch.iter().map(name).collect()).collect()
    }
}

/// The crates the combined build may have lent features to, and how to build each alone.
fn plan(metadata: &Metadata) -> Rebuilds {
    let Some(resolve) = &metadata.resolve else { return Rebuilds::default() };
    let graph = Graph {
        packages: metadata.packages.iter().map(|package| (&package.id, package)).collect(),
        edges: resolve
            .nodes
            .iter()
            .map(|node| {
                let deps = node.deps.iter().filter(|dep| {
                    dep.dep_kinds.iter().any(|k| k.kind != DependencyKind::Development)
                });
                (&node.id, deps.map(|dep| &dep.pkg).collect())
            })
            .collect(),
    };
    let members = &metadata.workspace_members;
    let built: BTreeSet<&PackageId> =
        members.iter().flat_map(|member| graph.view(member, false).set).collect();
    let (mut copies, mut originals) = (Vec::new(), Vec::new());
    for member in members {
        if !graph.lends(built.iter(), &graph.view(member, false)) {
            continue;
        }
        let copy = graph.view(member, true);
        if copyable(graph.packages[member]) && !graph.lends(built.iter(), &copy) {
            copies.push(copy);
        } else {
            originals.push(graph.view(member, false));
        }
    }
    Rebuilds {
        copies: graph.names(graph.batches(&copies)),
        batches: graph.names(graph.batches(&originals)),
    }
}

/// A copy can stand in for a crate that is a plain library: no binaries (their names
/// would collide), no `links` (cargo allows one package per native library).
fn copyable(package: &Package) -> bool {
    package.links.is_none() && package.targets.iter().all(|target| target.kind == [TargetKind::Lib])
}

#[cfg(test)]
mod tests {
    use launchkit_testkit::fixture::path_dep;
    use launchkit_testkit::{Fixture, TempDir};

    use super::Rebuilds;

    fn rebuilds(members: &[(&str, &str)]) -> Rebuilds {
        let tmp = TempDir::new(std::env::temp_dir(), "launchkit-features");
        let mut builder = Fixture::builder(tmp.path());
        for (name, tail) in members {
            builder = builder.member(name, tail);
        }
        let fixture = builder.write();
        let cargo = crate::preflight::cargo_program();
        let sh = xshell::Shell::new().unwrap();
        let mut found = super::rebuilds(&sh, &cargo, &fixture.manifest(), false).unwrap();
        for batches in [&mut found.copies, &mut found.batches] {
            batches.iter_mut().for_each(|batch| batch.sort());
            batches.sort();
        }
        found
    }

    fn dep(name: &str, features: &str) -> String {
        let dep = path_dep(name, "0.1.0", None);
        format!("[dependencies]\n{}\n", dep.replace(" }", &format!(", features = [{features}] }}")))
    }

    fn names(batches: &[&[&str]]) -> Vec<Vec<String>> {
        batches.iter().map(|batch| batch.iter().map(|name| name.to_string()).collect()).collect()
    }

    #[test]
    fn a_crate_lent_a_feature_below_its_root_is_rebuilt_and_one_lent_at_its_root_copied() {
        let found = rebuilds(&[
            ("feat", "[features]\nextra = []\n"),
            ("user", &dep("feat", "")),
            ("enabler", &dep("feat", "\"extra\"")),
            ("alone", ""),
        ]);
        assert_eq!(found, Rebuilds { copies: names(&[&["feat"]]), batches: names(&[&["user"]]) });
    }

    #[test]
    fn a_chain_of_feature_requests_is_copied_into_one_build() {
        let found = rebuilds(&[
            ("c1", "[features]\nextra = []\n"),
            ("c2", &format!("{}\n[features]\nextra = []\n", dep("c1", "\"extra\""))),
            ("c3", &dep("c2", "\"extra\"")),
        ]);
        assert_eq!(found, Rebuilds { copies: names(&[&["c1", "c2"]]), batches: Vec::new() });
    }

    #[test]
    fn default_features_asked_for_outside_count_only_when_nobody_inside_asks() {
        let no_default =
            path_dep("def", "0.1.0", None).replace(" }", ", default-features = false }");
        let found = rebuilds(&[
            ("def", "[features]\ndefault = [\"x\"]\nx = []\n"),
            ("bare", &format!("[dependencies]\n{no_default}\n")),
            ("full", &format!("[dependencies]\n{}\n", path_dep("def", "0.1.0", None))),
        ]);
        assert_eq!(found, Rebuilds { copies: Vec::new(), batches: names(&[&["bare"]]) });
    }

    #[test]
    fn the_same_features_asked_inside_and_outside_lend_nothing() {
        let found = rebuilds(&[
            ("feat", "[features]\nextra = []\n"),
            ("one", &dep("feat", "\"extra\"")),
            ("two", &dep("feat", "\"extra\"")),
        ]);
        assert_eq!(found, Rebuilds { copies: names(&[&["feat"]]), batches: Vec::new() });
    }
}
