//! Which packaged crates the combined verification build may have helped with features:
//! a crate whose own dependency graph gets features from a crate outside it. On the
//! registry each crate builds alone, so those are built again alone.
//!
//! The answer is conservative: any request from outside that could add a feature (a
//! `features` list, a feature of the requester naming the dependency, or default features
//! nobody inside asks for) counts, whether or not it changes the outcome.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use anyhow::Context;
use cargo_metadata::{DependencyKind, Metadata, MetadataCommand, Package, PackageId};
use xshell::{Shell, cmd};

/// The verification workspace's members that need a build of their own, in batches that
/// can share one build: no crate of a batch lends features to another's graph. The graph
/// is the host's, as the build's: dependencies of other platforms are left out (and not
/// downloaded).
pub fn changed_by_others(
    sh: &Shell,
    cargo: &str,
    manifest: &Path,
) -> anyhow::Result<Vec<Vec<String>>> {
    let version = cmd!(sh, "{cargo} -vV").quiet().read()?;
    let host = version
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .context("`cargo -vV` names no host")?;
    let metadata = MetadataCommand::new()
        .cargo_path(cargo)
        .manifest_path(manifest)
        .other_options(vec!["--filter-platform".to_owned(), host.to_owned()])
        .exec()
        .context("cannot read the verification workspace's dependency graph")?;
    Ok(batches_to_rebuild(&metadata))
}

/// The resolved graph, build edges only: dev-dependencies are not part of `cargo build`.
struct Graph<'a> {
    packages: HashMap<&'a PackageId, &'a Package>,
    edges: HashMap<&'a PackageId, Vec<&'a PackageId>>,
}

impl<'a> Graph<'a> {
    /// True when a package of `from` asks a package of `graph` (the graph of `root`) for
    /// a feature that building `root` alone would not enable.
    fn lends(
        &self,
        from: &BTreeSet<&'a PackageId>,
        graph: &BTreeSet<&'a PackageId>,
        root: &PackageId,
    ) -> bool {
        from.iter().filter(|id| !graph.contains(*id)).any(|id| {
            let deps = self.edges.get(id).into_iter().flatten();
            deps.filter(|dep| graph.contains(*dep)).any(|dep| {
                // `cargo build -p root` builds the root with its default features.
                let own = *dep == root;
                adds_features(self.packages[id], self.packages[dep], own, graph, self)
            })
        })
    }
}

/// Greedy batches of the members the combined build may have lent features to.
fn batches_to_rebuild(metadata: &Metadata) -> Vec<Vec<String>> {
    let Some(resolve) = &metadata.resolve else { return Vec::new() };
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
    let members: Vec<(&PackageId, BTreeSet<&PackageId>)> = metadata
        .workspace_members
        .iter()
        .map(|member| (member, reachable(member, &graph.edges)))
        .collect();
    let built: BTreeSet<&PackageId> = members.iter().flat_map(|(_, set)| set.clone()).collect();
    let mut batches: Vec<Vec<&(&PackageId, BTreeSet<&PackageId>)>> = Vec::new();
    for member in members.iter().filter(|(id, set)| graph.lends(&built, set, id)) {
        let fits = |batch: &Vec<&(&PackageId, BTreeSet<&PackageId>)>| {
            batch.iter().all(|(other, other_set)| {
                !graph.lends(other_set, &member.1, member.0)
                    && !graph.lends(&member.1, other_set, other)
            })
        };
        match batches.iter_mut().find(|batch| fits(batch)) {
            Some(batch) => batch.push(member),
            None => batches.push(vec![member]),
        }
    }
    batches
        .into_iter()
        .map(|batch| batch.iter().map(|(id, _)| graph.packages[id].name.to_string()).collect())
        .collect()
}

fn reachable<'a>(
    start: &'a PackageId,
    edges: &HashMap<&'a PackageId, Vec<&'a PackageId>>,
) -> BTreeSet<&'a PackageId> {
    let mut seen = BTreeSet::from([start]);
    let mut todo = vec![start];
    while let Some(id) = todo.pop() {
        for dep in edges.get(id).into_iter().flatten() {
            if seen.insert(dep) {
                todo.push(dep);
            }
        }
    }
    seen
}

/// True when `from` asks `dep` for features beyond its defaults.
fn asks_features(from: &Package, dep: &Package) -> bool {
    from.dependencies
        .iter()
        .filter(|decl| decl.name == *dep.name && decl.kind != DependencyKind::Development)
        .any(|decl| {
            let key = decl.rename.as_deref().unwrap_or(&decl.name);
            !decl.features.is_empty()
                || from.features.values().flatten().any(|feature| {
                    feature.starts_with(&format!("{key}/"))
                        || feature.starts_with(&format!("{key}?/"))
                })
        })
}

/// True when `from` (outside the graph) may give `dep` (inside it) a feature that no
/// crate inside asks for: any explicit feature, or default features nobody inside wants.
fn adds_features(
    from: &Package,
    dep: &Package,
    root: bool,
    graph: &BTreeSet<&PackageId>,
    resolved: &Graph,
) -> bool {
    if asks_features(from, dep) {
        return true;
    }
    let wants_default = |package: &Package| {
        package.dependencies.iter().any(|decl| decl.name == *dep.name && decl.uses_default_features)
    };
    let has_defaults = dep.features.get("default").is_some_and(|list| !list.is_empty());
    let inside_wants_default = root
        || graph
            .iter()
            .filter(|id| resolved.edges.get(*id).is_some_and(|deps| deps.contains(&&dep.id)))
            .any(|id| wants_default(resolved.packages[id]));
    has_defaults && wants_default(from) && !inside_wants_default
}

#[cfg(test)]
mod tests {
    use launchkit_testkit::fixture::path_dep;
    use launchkit_testkit::{Fixture, TempDir};

    fn batches(members: &[(&str, &str)]) -> Vec<Vec<String>> {
        let tmp = TempDir::new(std::env::temp_dir(), "launchkit-features");
        let mut builder = Fixture::builder(tmp.path());
        for (name, tail) in members {
            builder = builder.member(name, tail);
        }
        let fixture = builder.write();
        let cargo = crate::preflight::cargo_program();
        let sh = xshell::Shell::new().unwrap();
        let mut found = super::changed_by_others(&sh, &cargo, &fixture.manifest()).unwrap();
        found.iter_mut().for_each(|batch| batch.sort());
        found.sort();
        found
    }

    fn dep(name: &str, features: &str) -> String {
        let dep = path_dep(name, "0.1.0", None);
        format!("[dependencies]\n{}\n", dep.replace(" }", &format!(", features = [{features}] }}")))
    }

    #[test]
    fn crates_lent_features_are_rebuilt_and_share_a_build_when_they_lend_nothing() {
        let found = batches(&[
            ("feat", "[features]\nextra = []\n"),
            ("user", &dep("feat", "")),
            ("enabler", &dep("feat", "\"extra\"")),
            ("alone", ""),
        ]);
        assert_eq!(found, [["feat", "user"]]);
    }

    #[test]
    fn a_chain_of_feature_requests_rebuilds_each_lender_on_its_own() {
        let found = batches(&[
            ("c1", "[features]\nextra = []\n"),
            ("c2", &format!("{}\n[features]\nextra = []\n", dep("c1", "\"extra\""))),
            ("c3", &dep("c2", "\"extra\"")),
        ]);
        assert_eq!(found, [["c1"], ["c2"]]);
    }

    #[test]
    fn default_features_asked_for_outside_count_only_when_nobody_inside_asks() {
        let no_default =
            path_dep("def", "0.1.0", None).replace(" }", ", default-features = false }");
        let found = batches(&[
            ("def", "[features]\ndefault = [\"x\"]\nx = []\n"),
            ("bare", &format!("[dependencies]\n{no_default}\n")),
            ("full", &format!("[dependencies]\n{}\n", path_dep("def", "0.1.0", None))),
        ]);
        assert_eq!(found, [["bare"]]);
    }
}
