//! Packaging before any upload: `cargo package` builds every `.crate` (and, for the
//! crates to upload, builds them from their packaged sources) so a broken crate stops the
//! run before the registry has any of it.
//!
//! cargo packages the selected crates together and resolves their unpublished siblings
//! from the selection itself, so the crates to upload are packaged in one call.

use std::path::{Path, PathBuf};
use std::process::Output;

use xshell::{Shell, cmd};

/// The output of a cargo command that failed.
pub struct CargoFailure {
    /// The command line, for the report.
    pub command: String,
    /// stderr then stdout.
    pub output: String,
}

impl CargoFailure {
    /// The failure of `command` (as the report shows it), with what it printed.
    pub fn new(command: String, out: &Output) -> CargoFailure {
        let (stderr, stdout) =
            (String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
        CargoFailure { command, output: format!("{stderr}{stdout}") }
    }
}

/// `cargo package --registry R {flags} -p a -p b ..`.
pub fn package(
    sh: &Shell,
    cargo: &str,
    registry: &str,
    names: &[String],
    flags: &[&str],
) -> anyhow::Result<Result<(), CargoFailure>> {
    let selection: Vec<&str> = names.iter().flat_map(|name| ["-p", name.as_str()]).collect();
    let cmd = cmd!(sh, "{cargo} package --registry {registry} {flags...} {selection...}");
    let command = cmd.to_string().replace(cargo, "cargo");
    let out = crate::tokens::strip(cmd).quiet().ignore_status().output()?;
    if out.status.success() {
        return Ok(Ok(()));
    }
    Ok(Err(CargoFailure::new(command, &out)))
}

/// Where `cargo package` writes the `.crate` of `name@version`.
pub fn crate_file(target_dir: &Path, name: &str, version: &impl std::fmt::Display) -> PathBuf {
    target_dir.join("package").join(format!("{name}-{version}.crate"))
}

/// SHA-256 of the `.crate` cargo wrote for `name@version`, as registries record it.
pub fn checksum(target_dir: &Path, name: &str, version: &str) -> anyhow::Result<String> {
    sha256(&crate_file(target_dir, name, &version))
}

/// SHA-256 of a file, in lowercase hex as index files write checksums.
pub fn sha256(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?;
    Ok(launchkit_registry::checksum(&bytes))
}
