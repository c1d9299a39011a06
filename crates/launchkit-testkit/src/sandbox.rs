//! An isolated cargo: its own `CARGO_HOME`, registries given only through the environment.

use std::path::Path;
use std::process::Command;

use crate::tmp::TempDir;

/// Variables a test must not inherit: they would point cargo at the developer's registries,
/// tokens or target directory.
const INHERITED: &[&str] = &[
    "CARGO_REGISTRY_TOKEN",
    "CARGO_REGISTRY_DEFAULT",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
];

/// A `CARGO_HOME` of its own plus the variables that configure registries.
pub struct CargoSandbox {
    home: TempDir,
    envs: Vec<(String, String)>,
}

impl CargoSandbox {
    /// An empty cargo home under `base`.
    pub fn new(base: &Path) -> CargoSandbox {
        let home = TempDir::new(base, "cargo-home");
        let envs = vec![("CARGO_HOME".to_owned(), home.path().display().to_string())];
        CargoSandbox { home, envs }
    }

    /// Adds registry `name` at `index_url` (`sparse+http://...`), with a token when given.
    pub fn registry(mut self, name: &str, index_url: &str, token: Option<&str>) -> CargoSandbox {
        let key = env_key(name);
        self.envs.push((format!("CARGO_REGISTRIES_{key}_INDEX"), index_url.to_owned()));
        if let Some(token) = token {
            self.envs.push((format!("CARGO_REGISTRIES_{key}_TOKEN"), token.to_owned()));
        }
        self
    }

    /// Sets one more variable for every command.
    pub fn env(mut self, key: &str, value: &str) -> CargoSandbox {
        self.envs.push((key.to_owned(), value.to_owned()));
        self
    }

    /// The cargo home.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The variables every command gets.
    pub fn envs(&self) -> &[(String, String)] {
        &self.envs
    }

    /// `program` in `dir` with this sandbox's environment and nothing inherited that
    /// configures registries.
    pub fn command(&self, program: impl AsRef<std::ffi::OsStr>, dir: &Path) -> Command {
        let mut command = Command::new(program);
        command.current_dir(dir);
        for (key, _) in std::env::vars() {
            if key.starts_with("CARGO_REGISTRIES_") || INHERITED.contains(&key.as_str()) {
                command.env_remove(key);
            }
        }
        command.envs(self.envs.iter().map(|(key, value)| (key, value)));
        command
    }

    /// The cargo running the tests (`CARGO`), else `cargo`, in `dir`.
    pub fn cargo(&self, dir: &Path) -> Command {
        self.command(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()), dir)
    }
}

/// cargo's environment spelling of a registry name: `my-reg` -> `MY_REG`.
pub fn env_key(name: &str) -> String {
    name.to_uppercase().replace(['-', '.'], "_")
}
