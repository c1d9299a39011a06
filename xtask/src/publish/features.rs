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

/// Names of the verification workspace's members that need a build of their own. Run
/// after the combined build, so the resolution is already there (`--offline`).
pub fn changed_by_others(cargo: &str, manifest: &Path) -> anyhow::Result<Vec<String>> {
    let metadata = MetadataCommand::new()
        .cargo_path(cargo)
        .manifest_path(manifest)
        .other_options(vec!["--offline".to_owned()])
        .exec()
        .context("cannot read the verification workspace's dependency graph")?;
    Ok(members_to_rebuild(&metadata))
}

/// The members, in workspace order, whose dependency graph an outside crate adds to.
fn members_to_rebuild(metadata: &Metadata) -> Vec<String> {
    let Some(resolve) = &metadata.resolve else { return Vec::new() };
    let packages: HashMap<&PackageId, &Package> =
        metadata.packages.iter().map(|package| (&package.id, package)).collect();
    // Build edges only: dev-dependencies are not part of `cargo build`.
    let edges: HashMap<&PackageId, Vec<&PackageId>> = resolve
        .nodes
        .iter()
        .map(|node| {
            let deps = node
                .deps
                .iter()
                .filter(|dep| dep.dep_kinds.iter().any(|k| k.kind != DependencyKind::Development))
                .map(|dep| &dep.pkg)
                .collect();
            (&node.id, deps)
        })
        .collect();
    metadata
        .workspace_members
        .iter()
        .filter(|member| {
            let graph = reachable(member, &edges);
            edges.iter().filter(|(from, _)| !graph.contains(*from)).any(|(from, deps)| {
                deps.iter().filter(|dep| graph.contains(*dep)).any(|dep| {
                    // `cargo build -p member` builds the member with its default features.
                    let root = dep == member;
                    adds_features(packages[from], packages[dep], root, &graph, &edges, &packages)
                })
            })
        })
        .map(|member| packages[member].name.to_string())
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
    edges: &HashMap<&PackageId, Vec<&PackageId>>,
    packages: &HashMap<&PackageId, &Package>,
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
            .filter(|id| edges.get(*id).is_some_and(|deps| deps.contains(&&dep.id)))
            .any(|id| wants_default(packages[id]));
    has_defaults && wants_default(from) && !inside_wants_default
}
