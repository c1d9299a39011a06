//! `cargo xtask status`: what is deployed where, read-only.
//!
//! For each publishable crate: its version in the workspace, whether the release tag
//! (the environment's prefix and that version) exists here and on the remote, and for
//! each environment that publishes (or the one `--env` names) the newest version its
//! registry lists and whether that version is yanked. The registries are read at the same
//! time, each crate's file 8 at a time. Below the table, the last record of the deployment
//! log (git notes, see `deployments.rs`) as this clone has it. `--format json` prints
//! the same as one document.
//!
//! An environment whose registry cargo does not know is left out with a note. A registry
//! that does not answer shows `?` and makes the exit code 1; with `--env` it is an error
//! (exit code 2), like an unknown environment.

mod render;

use std::collections::BTreeSet;
use std::process::ExitCode;

use anyhow::{Context, bail};
use launchkit_registry::{CargoConfig, IndexEntry, Registry, SparseIndex};
use launchkit_workspace::Workspace;
use serde::Serialize;
use xshell::Shell;

use crate::config::{self, Environment};
use crate::deployments::{self, Record};
use crate::flags::{self, Format};
use crate::publish::read_versions;
use crate::release::git::Git;

/// The whole picture, as the JSON document has it.
#[derive(Debug, Serialize)]
pub struct Status {
    /// Version of the document's shape.
    pub schema: u32,
    /// `status`.
    pub command: &'static str,
    /// The remote the tags were looked for on.
    pub remote: String,
    /// Why the remote could not be read, if it could not.
    pub remote_error: Option<String>,
    /// The environments shown, in column order.
    pub environments: Vec<Column>,
    /// One row per publishable crate.
    pub crates: Vec<Row>,
    /// The newest record of the deployment log (of `--env`'s environment, when given).
    pub last_deployment: Option<Record>,
}

/// One environment: its registry, or why it cannot be shown.
#[derive(Debug, Serialize)]
pub struct Column {
    /// The environment's name.
    pub name: String,
    /// Its registry's name.
    pub registry: String,
    /// The registry's index URL, when cargo knows the registry.
    pub index: Option<String>,
    /// Why the registry could not be read.
    pub error: Option<String>,
}

/// One crate.
#[derive(Debug, Serialize)]
pub struct Row {
    /// Package name.
    pub name: String,
    /// Its version in the workspace.
    pub version: String,
    /// Its release tag.
    pub tag: String,
    /// The tag exists in this clone.
    pub tag_local: bool,
    /// The tag exists on the remote; `None` when the remote could not be read.
    pub tag_remote: Option<bool>,
    /// What each environment's registry lists, in column order.
    pub registries: Vec<Cell>,
}

/// What one registry lists of one crate.
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    /// The newest version listed, yanked or not; `None` when none is.
    pub newest: Option<String>,
    /// That version is yanked.
    pub yanked: bool,
    /// The registry could not be read.
    pub unknown: bool,
}

impl flags::Status {
    /// Reads everything and prints the table or the document.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let root = sh.current_dir();
        let ws = Workspace::load(&root.join("Cargo.toml"))?;
        let envs = self.environments(&ws)?;
        let cargo_config = CargoConfig::discover(&root)?;
        let mut columns = Vec::new();
        let mut registries = Vec::new();
        for env in &envs {
            match cargo_config.registry(Some(&env.registry)) {
                Ok(registry) => {
                    columns.push(Column {
                        name: env.name.clone(),
                        registry: registry.name.clone(),
                        index: Some(registry.index.clone()),
                        error: None,
                    });
                    registries.push(registry);
                }
                Err(err) if self.env.is_some() => return Err(err.into()),
                Err(err) => eprintln!("note: environment `{}` is not shown: {err}", env.name),
            }
        }
        let crates: Vec<(&str, String)> = ws
            .publishable()
            .map(|member| (member.name.as_str(), member.version.to_string()))
            .collect();
        let names: Vec<&str> = crates.iter().map(|(name, _)| *name).collect();
        let read = read_all(&registries, &names);
        for (column, result) in columns.iter_mut().zip(&read) {
            if let Err(err) = result {
                if self.env.is_some() {
                    bail!("cannot read the index of `{}`: {err}", column.registry);
                }
                eprintln!("warning: cannot read the index of `{}`: {err}", column.registry);
                column.error = Some(err.clone());
            }
        }
        let env = &envs[0];
        let git = Git::new(sh);
        let tags: Vec<String> =
            crates.iter().map(|(_, version)| format!("{}{version}", env.tag_prefix)).collect();
        // The crates of one release share its tag: ask git about each tag once.
        let distinct: BTreeSet<&str> = tags.iter().map(String::as_str).collect();
        let local_tags: BTreeSet<&str> =
            distinct.iter().copied().filter(|tag| git.tag_object(tag).is_some()).collect();
        let refs: Vec<String> = distinct.iter().map(|tag| format!("refs/tags/{tag}")).collect();
        let remote_tags = git.remote_refs(&env.remote, &refs);
        let rows = crates
            .iter()
            .zip(&tags)
            .enumerate()
            .map(|(at, ((name, version), tag))| Row {
                name: (*name).to_owned(),
                version: version.clone(),
                tag_local: local_tags.contains(tag.as_str()),
                tag_remote: remote_tags.as_ref().ok().map(|refs| refs.tag_commit(tag).is_some()),
                tag: tag.clone(),
                registries: read
                    .iter()
                    .map(|result| cell(result.as_ref().ok().map(|all| all[at].as_slice())))
                    .collect(),
            })
            .collect();
        let status = Status {
            schema: 1,
            command: "status",
            remote: env.remote.clone(),
            remote_error: remote_tags.err(),
            environments: columns,
            crates: rows,
            last_deployment: self.last_deployment(sh)?,
        };
        match self.format {
            Some(Format::Json) => println!("{}", serde_json::to_string_pretty(&status)?),
            _ => print!("{}", render::table(&status)),
        }
        let unreadable = status.environments.iter().any(|column| column.error.is_some());
        Ok(if unreadable { ExitCode::FAILURE } else { ExitCode::SUCCESS })
    }

    /// `--env`'s environment, else every environment that publishes, the default first
    /// (its remote and tag prefix are the ones the tags are looked up with).
    fn environments(&self, ws: &Workspace) -> anyhow::Result<Vec<Environment>> {
        let var = |name: &str| std::env::var(name).ok();
        let chosen = config::environment(&ws.config, self.env.as_deref(), var)?;
        if self.env.is_some() {
            return Ok(vec![chosen]);
        }
        let mut envs = vec![];
        for name in config::environment_names(&ws.config) {
            let env = config::environment(&ws.config, Some(&name), var)?;
            if env.publish && env.name != chosen.name {
                envs.push(env);
            }
        }
        envs.insert(0, chosen);
        Ok(envs)
    }

    fn last_deployment(&self, sh: &Shell) -> anyhow::Result<Option<Record>> {
        let records = deployments::read_all(sh).context("cannot read the deployment log")?;
        Ok(records
            .into_iter()
            .map(|(_, record)| record)
            .filter(|record| self.env.as_ref().is_none_or(|env| record.environment == *env))
            .max_by(|a, b| a.finished.cmp(&b.finished)))
    }
}

/// Every registry's versions of every crate, one thread per registry.
fn read_all(registries: &[Registry], names: &[&str]) -> Vec<Result<Vec<Vec<IndexEntry>>, String>> {
    std::thread::scope(|scope| {
        let readers: Vec<_> = registries
            .iter()
            .map(|registry| {
                scope.spawn(move || {
                    read_versions(&SparseIndex::new(registry), names).map_err(|err| err.to_string())
                })
            })
            .collect();
        readers.into_iter().map(|reader| reader.join().expect("index reader")).collect()
    })
}

fn cell(versions: Option<&[IndexEntry]>) -> Cell {
    let Some(versions) = versions else {
        return Cell { newest: None, yanked: false, unknown: true };
    };
    let newest = versions.iter().max_by(|a, b| a.version.cmp(&b.version));
    Cell {
        newest: newest.map(|entry| entry.version.to_string()),
        yanked: newest.is_some_and(|entry| entry.yanked),
        unknown: false,
    }
}
