//! Where a registry serves a version's `.crate`: the `dl` template of its `config.json`,
//! expanded as cargo expands it.

use std::time::Duration;

use semver::Version;

/// The download URL of `name` `version`, whose index checksum is `cksum`. The markers
/// `{crate}`, `{version}`, `{prefix}`, `{lowerprefix}` and `{sha256-checksum}` are
/// replaced; a template without any gets `/{crate}/{version}/download` appended.
///
/// ```
/// use launchkit_registry::download_url;
///
/// let version = "1.0.0".parse().unwrap();
/// assert_eq!(
///     download_url("https://static.crates.io/crates", "Serde", &version, "aa"),
///     "https://static.crates.io/crates/Serde/1.0.0/download",
/// );
/// assert_eq!(
///     download_url("https://dl.example.com/{lowerprefix}/{crate}-{version}-{sha256-checksum}", "Serde", &version, "aa"),
///     "https://dl.example.com/se/rd/Serde-1.0.0-aa",
/// );
/// ```
pub fn download_url(dl: &str, name: &str, version: &Version, cksum: &str) -> String {
    const MARKERS: [&str; 5] =
        ["{crate}", "{version}", "{prefix}", "{lowerprefix}", "{sha256-checksum}"];
    if !MARKERS.iter().any(|marker| dl.contains(marker)) {
        return format!("{}/{name}/{version}/download", dl.trim_end_matches('/'));
    }
    let prefix = crate::path::prefix(name);
    dl.replace("{crate}", name)
        .replace("{version}", &version.to_string())
        .replace("{lowerprefix}", &prefix.to_lowercase())
        .replace("{prefix}", &prefix)
        .replace("{sha256-checksum}", cksum)
}

/// The largest `.crate` read: crates.io accepts 10 MB, other registries may allow more.
const MAX_CRATE_SIZE: u64 = 256 * 1024 * 1024;

/// Downloads the `.crate` at `url` through the process's agent, with the registry's
/// `token` when its index requires one (downloads then require it too). `Err` says why
/// there is none: an HTTP status or a connection error.
pub fn download(url: &str, token: Option<&str>, timeout: Duration) -> Result<Vec<u8>, String> {
    let mut request = crate::bounded(crate::agent().get(url), timeout);
    if let Some(token) = token {
        request = request.header("Authorization", token);
    }
    match request.call() {
        Ok(mut response) if response.status() == 200 => response
            .body_mut()
            .with_config()
            .limit(MAX_CRATE_SIZE)
            .read_to_vec()
            .map_err(|err| err.to_string()),
        Ok(response) => Err(format!("HTTP {}", response.status().as_u16())),
        Err(err) => Err(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::download_url;

    #[test]
    fn templates_expand_as_cargo_expands_them() {
        let v = "1.0.11".parse().unwrap();
        assert_eq!(
            download_url("https://static.crates.io/crates", "itoa", &v, "ab"),
            "https://static.crates.io/crates/itoa/1.0.11/download"
        );
        assert_eq!(
            download_url(
                "https://r.example/{prefix}/{lowerprefix}/{crate}-{version}.crate?c={sha256-checksum}",
                "Serde_X",
                &v,
                "ab"
            ),
            "https://r.example/Se/rd/se/rd/Serde_X-1.0.11.crate?c=ab"
        );
        assert_eq!(
            download_url("https://r.example/{prefix}/{crate}", "syn", &v, ""),
            "https://r.example/3/s/syn"
        );
    }
}
