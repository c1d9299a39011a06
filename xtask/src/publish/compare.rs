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
/// The largest `.crate` read back; crates.io takes 10 MiB.
const MAX_CRATE: u64 = 64 * 1024 * 1024;

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

/// The registry's `.crate`, from its `dl` template (cargo's markers, else `/{crate}/{version}/download`).
fn download(engine: &Engine, krate: &CratePlan) -> anyhow::Result<Vec<u8>> {
    let config = engine.index.config()?;
    let (name, version) = (krate.name.as_str(), krate.version.to_string());
    let lower = name.to_lowercase();
    let prefix = match lower.len() {
        1 => "1".to_owned(),
        2 => "2".to_owned(),
        3 => format!("3/{}", &lower[..1]),
        _ => format!("{}/{}", &lower[..2], &lower[2..4]),
    };
    let markers = ["{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"];
    let url = if markers.iter().any(|marker| config.dl.contains(marker)) {
        config
            .dl
            .replace("{crate}", name)
            .replace("{version}", &version)
            .replace("{prefix}", &prefix)
            .replace("{lowerprefix}", &prefix)
            .replace("{sha256-checksum}", krate.registry_checksum.as_deref().unwrap_or_default())
    } else {
        format!("{}/{name}/{version}/download", config.dl.trim_end_matches('/'))
    };
    let agent = launchkit_registry::agent(engine.registry.timeout, "launchkit");
    let mut request = agent.get(&url);
    if let Some(token) = engine.registry.token.as_ref().filter(|_| config.auth_required) {
        request = request.header("Authorization", token.expose());
    }
    let mut response =
        request.call().map_err(|err| anyhow::anyhow!("cannot download {url}: {err}"))?;
    let status = response.status().as_u16();
    anyhow::ensure!(status == 200, "cannot download {url}: HTTP {status}");
    let bytes = response
        .body_mut()
        .with_config()
        .limit(MAX_CRATE)
        .read_to_vec()
        .map_err(|err| anyhow::anyhow!("cannot download {url}: {err}"))?;
    let checksum = launchkit_registry::checksum(&bytes);
    anyhow::ensure!(
        krate.registry_checksum.as_deref().is_none_or(|cksum| cksum == checksum),
        "{url} does not match the index's checksum"
    );
    Ok(bytes)
}
