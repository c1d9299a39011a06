//! Is a version the registry has the one we would upload? The checksums say so when they
//! agree; when they do not, the registry's `.crate` is downloaded and both are unpacked and
//! compared file by file, leaving out `.cargo_vcs_info.json`: it records the commit the
//! package was made from, so a fix commit after a stopped publish changes it alone, and
//! must not keep the run from finishing.

use std::path::Path;

use xshell::cmd;

use super::engine::{Engine, Stop};
use super::plan::CratePlan;
use super::verify::collect_files;

/// The file cargo writes into every package made from a git checkout.
const VCS_INFO: &str = ".cargo_vcs_info.json";

/// True when the registry's `.crate` of `krate` holds the same files as the local one.
pub fn same_contents(engine: &Engine, krate: &CratePlan) -> Result<bool, Stop> {
    let stop = |err: anyhow::Error| Stop::new(format!("{err:#}"));
    let root = engine.ws.target_dir.join("package").join("launchkit-compare");
    let (ours, theirs) = (root.join("local"), root.join("registry"));
    for dir in [&ours, &theirs] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|err| stop(err.into()))?;
        }
        std::fs::create_dir_all(dir).map_err(|err| stop(err.into()))?;
    }
    let downloaded = theirs.join("registry.crate");
    let bytes = download(engine, krate).map_err(stop)?;
    std::fs::write(&downloaded, bytes).map_err(|err| stop(err.into()))?;
    let local = super::package::crate_file(&engine.ws.target_dir, &krate.name, &krate.version);
    for (file, dir) in [(&local, &ours), (&downloaded, &theirs)] {
        cmd!(engine.sh, "tar -xzf {file} -C {dir}")
            .quiet()
            .run()
            .map_err(|err| stop(err.into()))?;
    }
    let package = format!("{}-{}", krate.name, krate.version);
    Ok(files(&ours.join(&package)).map_err(stop)? == files(&theirs.join(&package)).map_err(stop)?)
}

/// Every file under `dir` but the VCS record, with its contents, in a stable order.
fn files(dir: &Path) -> anyhow::Result<Vec<(String, Vec<u8>)>> {
    let mut paths = Vec::new();
    if dir.is_dir() {
        collect_files(dir, &mut paths)?;
    }
    paths.sort();
    let mut files = Vec::new();
    for path in paths {
        let relative = path.strip_prefix(dir)?.to_string_lossy().replace('\\', "/");
        if relative != VCS_INFO {
            files.push((relative, std::fs::read(&path)?));
        }
    }
    Ok(files)
}

/// The registry's `.crate`, checked against the index's checksum.
fn download(engine: &Engine, krate: &CratePlan) -> anyhow::Result<Vec<u8>> {
    let config = engine.index.config()?;
    let cksum = krate.registry_checksum.as_deref().unwrap_or_default();
    let url = launchkit_registry::download_url(&config.dl, &krate.name, &krate.version, cksum);
    let token = engine.registry.token.as_ref().filter(|_| config.auth_required);
    let bytes = launchkit_registry::download(
        &url,
        token.map(|token| token.expose()),
        engine.registry.timeout,
    )
    .map_err(|err| anyhow::anyhow!("cannot download {url}: {err}"))?;
    anyhow::ensure!(
        krate
            .registry_checksum
            .as_deref()
            .is_none_or(|cksum| cksum == launchkit_registry::checksum(&bytes)),
        "{url} does not match the index's checksum"
    );
    Ok(bytes)
}
