//! Publish order: which members go to a registry, and in which batches.
//!
//! cargo's rule for what must be on the registry before a crate: its normal and build
//! dependencies, and its dev-dependencies that carry a version (cargo strips the others
//! from the published manifest). Dependencies are matched by package name, so renamed and
//! target-specific ones count like any other. A cycle through unversioned dev-dependencies
//! is therefore no cycle at all; any other cycle cannot be published and is an error.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use cargo_metadata::semver::VersionReq;

use crate::{Member, Workspace};

/// The name cargo gives crates.io in `publish = [..]` lists and `--registry`.
pub const CRATES_IO: &str = "crates-io";

/// What kind of dependency a manifest declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DepKind {
    /// `[dependencies]`.
    Normal,
    /// `[build-dependencies]`.
    Build,
    /// `[dev-dependencies]`.
    Dev,
}

/// One dependency as a member's manifest declares it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// The package depended on (its real name, also when renamed).
    pub name: String,
    /// The name used in the manifest when it differs (`alias = { package = "name" }`).
    pub rename: Option<String>,
    /// Normal, build or dev.
    pub kind: DepKind,
    /// The version requirement; `*` when the manifest gives none.
    pub req: VersionReq,
    /// The path of a path dependency.
    pub path: Option<PathBuf>,
    /// The `cfg(..)` or triple of a target-specific dependency.
    pub target: Option<String>,
    /// The index URL of its registry; `None` for crates.io.
    pub registry: Option<String>,
}

impl Dependency {
    pub(crate) fn from_metadata(dep: &cargo_metadata::Dependency) -> Dependency {
        Dependency {
            name: dep.name.clone(),
            rename: dep.rename.clone(),
            kind: match dep.kind {
                cargo_metadata::DependencyKind::Build => DepKind::Build,
                cargo_metadata::DependencyKind::Development => DepKind::Dev,
                _ => DepKind::Normal,
            },
            req: dep.req.clone(),
            path: dep.path.clone().map(Into::into),
            target: dep.target.as_ref().map(ToString::to_string),
            registry: dep.registry.clone(),
        }
    }

    /// True when the manifest gives a version. cargo reports a missing one as `*`, so an
    /// explicit `version = "*"` reads as missing too.
    pub fn is_versioned(&self) -> bool {
        self.req != VersionReq::STAR
    }

    /// True when the registry must serve this dependency before the dependent can be
    /// published: every normal and build dependency, and versioned dev-dependencies.
    pub fn needed_on_registry(&self) -> bool {
        self.kind != DepKind::Dev || self.is_versioned()
    }
}

/// A dependency the registry must serve before a crate goes up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The member depended on.
    pub name: String,
    /// The version it must have.
    pub req: VersionReq,
}

/// The members to publish to one registry, in batches: every crate's dependencies are in
/// earlier batches, and crates of one batch do not depend on each other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublishOrder {
    /// The batches, each sorted by name.
    pub batches: Vec<Vec<String>>,
    /// For each crate to publish, the workspace crates it needs on the registry first.
    pub requires: BTreeMap<String, Vec<Requirement>>,
}

impl PublishOrder {
    /// Every crate, batch after batch.
    pub fn crates(&self) -> impl Iterator<Item = &str> {
        self.batches.iter().flatten().map(String::as_str)
    }

    /// What `name` needs on the registry first (empty for a crate not in the order).
    pub fn requirements(&self, name: &str) -> &[Requirement] {
        self.requires.get(name).map_or(&[], Vec::as_slice)
    }
}

/// Why there is no publish order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderError {
    /// Crates that need each other on the registry first: `[a, b, a]` for a -> b -> a.
    Cycle(Vec<String>),
    /// A crate to publish needs a member that does not go to this registry.
    NotPublished {
        /// The crate to publish.
        dependent: String,
        /// The member it needs.
        dependency: String,
        /// The target registry.
        registry: String,
    },
    /// A crate for crates.io needs a crate from another registry, which crates.io refuses.
    OtherRegistry {
        /// The crate to publish.
        dependent: String,
        /// The dependency from another registry.
        dependency: String,
        /// That registry's index URL.
        index: String,
    },
}

impl fmt::Display for OrderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OrderError::Cycle(path) => write!(
                f,
                "dependency cycle: {}: break it, or drop the `version` of a dev-dependency in it so cargo strips it",
                path.join(" -> ")
            ),
            OrderError::NotPublished { dependent, dependency, registry } => write!(
                f,
                "`{dependent}` needs `{dependency}` on `{registry}`, but `{dependency}` is not published there: \
                 allow it in `publish` of its Cargo.toml, or make the dependency a dev-dependency without a version"
            ),
            OrderError::OtherRegistry { dependent, dependency, index } => write!(
                f,
                "`{dependent}` needs `{dependency}` from another registry ({index}), and crates.io takes no such dependency: \
                 publish `{dependency}` to crates.io and depend on that, or make it a dev-dependency without a version"
            ),
        }
    }
}

impl std::error::Error for OrderError {}

impl Member {
    /// True when `publish` in the manifest allows `registry` (`crates-io` for crates.io).
    pub fn publishes_to(&self, registry: &str) -> bool {
        self.publish
            .as_ref()
            .is_none_or(|registries| registries.iter().any(|name| name == registry))
    }
}

impl Workspace {
    /// The members that go to `registry`, in dependency order.
    pub fn publish_order(&self, registry: &str) -> Result<PublishOrder, OrderError> {
        let publishing: BTreeSet<&str> = self
            .members
            .iter()
            .filter(|m| m.publishes_to(registry))
            .map(|m| m.name.as_str())
            .collect();
        let mut requires: BTreeMap<String, Vec<Requirement>> = BTreeMap::new();
        for name in &publishing {
            let member = self.member(name).expect("a member");
            if registry == CRATES_IO
                && let Some((dep, index)) = member
                    .dependencies
                    .iter()
                    .filter(|dep| dep.needed_on_registry())
                    .find_map(|dep| dep.registry.as_ref().map(|index| (dep, index)))
            {
                return Err(OrderError::OtherRegistry {
                    dependent: member.name.clone(),
                    dependency: dep.name.clone(),
                    index: index.clone(),
                });
            }
            let mut needs: Vec<Requirement> = Vec::new();
            for dep in member
                .dependencies
                .iter()
                .filter(|dep| dep.path.is_some() && dep.needed_on_registry())
            {
                if self.member(&dep.name).is_none()
                    || needs.iter().any(|need| need.name == dep.name)
                {
                    continue;
                }
                if !publishing.contains(dep.name.as_str()) {
                    return Err(OrderError::NotPublished {
                        dependent: member.name.clone(),
                        dependency: dep.name.clone(),
                        registry: registry.to_owned(),
                    });
                }
                needs.push(Requirement { name: dep.name.clone(), req: dep.req.clone() });
            }
            requires.insert(member.name.clone(), needs);
        }
        let batches = batches(&requires)?;
        Ok(PublishOrder { batches, requires })
    }
}

/// Kahn's algorithm by levels: each batch holds every crate whose needs are all in
/// earlier batches.
fn batches(requires: &BTreeMap<String, Vec<Requirement>>) -> Result<Vec<Vec<String>>, OrderError> {
    let mut waiting: BTreeMap<&str, usize> =
        requires.iter().map(|(name, needs)| (name.as_str(), needs.len())).collect();
    let mut dependents: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (name, needs) in requires {
        for need in needs {
            dependents.entry(need.name.as_str()).or_default().push(name);
        }
    }
    let mut batches = Vec::new();
    let mut ready: Vec<&str> =
        waiting.iter().filter(|(_, count)| **count == 0).map(|(name, _)| *name).collect();
    while !ready.is_empty() {
        let mut next = Vec::new();
        for name in &ready {
            waiting.remove(name);
            for dependent in dependents.get(name).into_iter().flatten() {
                let count = waiting.get_mut(dependent).expect("a waiting dependent");
                *count -= 1;
                if *count == 0 {
                    next.push(*dependent);
                }
            }
        }
        batches.push(ready.iter().map(|name| (*name).to_owned()).collect());
        next.sort_unstable();
        ready = next;
    }
    if waiting.is_empty() {
        Ok(batches)
    } else {
        Err(OrderError::Cycle(find_cycle(requires, &waiting)))
    }
}

/// Every crate left after Kahn's algorithm needs another crate left, so walking needs from
/// any of them must come back to a crate already seen.
fn find_cycle(
    requires: &BTreeMap<String, Vec<Requirement>>,
    left: &BTreeMap<&str, usize>,
) -> Vec<String> {
    let mut path: Vec<&str> = Vec::new();
    let mut current = *left.keys().next().expect("a crate left");
    while !path.contains(&current) {
        path.push(current);
        current = requires[current]
            .iter()
            .map(|need| need.name.as_str())
            .filter(|name| left.contains_key(name))
            .min()
            .expect("a crate left needs another crate left");
    }
    let start = path.iter().position(|name| *name == current).unwrap_or(0);
    let mut cycle: Vec<String> = path[start..].iter().map(|name| (*name).to_owned()).collect();
    cycle.push(current.to_owned());
    cycle
}
