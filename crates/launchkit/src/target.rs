//! Where the after-release tasks (verify, yank, status, doctor) work: the workspace, the
//! environment chosen by `--env`, and that environment's registry.

use launchkit_registry::{CargoConfig, Registry};
use launchkit_workspace::{Member, Workspace};
use xshell::Shell;

use crate::config::{self, Environment};
use crate::publish;

/// A workspace with its environment and registry resolved.
pub struct Target {
    /// The workspace of the shell's directory.
    pub ws: Workspace,
    /// The environment, every configuration layer applied.
    pub env: Environment,
    /// The environment's registry, or the one `--registry` names.
    pub registry: Registry,
}

impl Target {
    /// Loads the shell's workspace and resolves environment `env` and its registry
    /// (`registry` instead, when given).
    pub fn load(sh: &Shell, env: Option<&str>, registry: Option<&str>) -> anyhow::Result<Target> {
        let root = sh.current_dir();
        let ws = Workspace::load(&root.join("Cargo.toml"))?;
        let env = config::environment(&ws.config, env, |name| std::env::var(name).ok())?;
        let name = registry.unwrap_or(&env.registry);
        let registry = CargoConfig::discover(&root)?.registry(Some(name))?;
        Ok(Target { ws, env, registry })
    }

    /// The members a release sends to the registry, in publish order (dependencies first).
    pub fn release_crates(&self) -> anyhow::Result<Vec<&Member>> {
        let order = publish::publish_order(&self.ws, &self.registry.name)?;
        let member = |name| self.ws.member(name).expect("ordered crates are members");
        Ok(order.crates().map(member).collect())
    }

    /// The release tag of `version`: the environment's prefix and the version.
    pub fn tag(&self, version: &impl std::fmt::Display) -> String {
        format!("{}{version}", self.env.tag_prefix)
    }
}
