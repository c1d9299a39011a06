//! The glue between a release and launchkit-forge: the project from the environment's
//! `forge`, `forge-url` and `forge-project` (else the remote's URL, else `repository` in
//! the manifests), the token from the environment, the notes, and the assets: each
//! crate's `.crate` (packaged again when this run did not) and a `SHA256SUMS` of them.
//!
//! The API of GitHub defaults to `GITHUB_API_URL` when set (GitHub Actions, GitHub
//! Enterprise), GitLab's to `CI_API_V4_URL` (GitLab CI).

use anyhow::bail;
use launchkit_forge::{Asset, Kind, Notes, Project, Settings, Token};

use super::Release;
use crate::config::{Environment, Forge};

/// Where the release goes, or `None` for `forge = "none"`.
pub fn project(
    env: &Environment,
    remote_url: Option<&str>,
    repository: Option<&str>,
) -> Result<Option<Project>, String> {
    let kind = match env.forge {
        Some(Forge::None) => return Ok(None),
        Some(Forge::Github) => Some(Kind::Github),
        Some(Forge::Gitlab) => Some(Kind::Gitlab),
        Some(Forge::Gitea) => Some(Kind::Gitea),
        None => None,
    };
    let ci: Vec<(Kind, String)> =
        [(Kind::Github, "GITHUB_API_URL"), (Kind::Gitlab, "CI_API_V4_URL")]
            .into_iter()
            .filter_map(|(kind, name)| std::env::var(name).ok().map(|url| (kind, url)))
            .collect();
    let ci: Vec<(Kind, &str)> = ci.iter().map(|(kind, url)| (*kind, url.as_str())).collect();
    let settings = Settings {
        kind,
        url: env.forge_url.as_deref(),
        project: env.forge_project.as_deref(),
        ci_api: &ci,
    };
    Project::detect(remote_url, repository, &settings).map(Some)
}

/// The token for `kind`'s API, from the environment.
pub fn token(kind: Kind) -> Option<Token> {
    Token::from_env(kind, |name| std::env::var(name).ok())
}

/// `GITHUB_TOKEN (or GH_TOKEN)`: the variables a token of `kind` is read from.
pub fn token_names(kind: Kind) -> String {
    let names = Token::names(kind);
    format!("{} (or {})", names[0], names[1..].join(", "))
}

/// What the release says: the tag as its title, the changelog's section as its text.
pub fn notes(release: &Release) -> Notes<'_> {
    Notes {
        tag: &release.tag,
        name: &release.tag,
        body: &release.target.notes,
        prerelease: !release.target.version.pre.is_empty(),
    }
}

/// The file names of the assets: each crate's `.crate`, then `SHA256SUMS`.
pub fn asset_names(release: &Release) -> Vec<String> {
    let version = &release.target.version;
    let crates = release.crates.iter().map(|name| format!("{name}-{version}.crate"));
    crates.chain(["SHA256SUMS".to_owned()]).collect()
}

/// The assets, read from the target directory; crates this run did not package (the
/// environment does not publish, or the publish ran in an earlier run) are packaged
/// first, without a build: a release resumed from another clone still attaches them.
pub fn assets(sh: &xshell::Shell, release: &Release) -> anyhow::Result<Vec<Asset>> {
    let version = &release.target.version;
    let file = |name: &str| crate::publish::package::crate_file(&release.target_dir, name, version);
    let missing: Vec<String> =
        release.crates.iter().filter(|name| !file(name).is_file()).cloned().collect();
    if !missing.is_empty() {
        let cargo = crate::preflight::cargo_program();
        let registry = &release.env.registry;
        let packaged =
            crate::publish::package::package(sh, &cargo, registry, &missing, &["--no-verify"])?;
        if let Err(failure) = packaged {
            bail!(
                "cannot package the crates to attach: {} failed:\n{}",
                failure.command,
                failure.output
            );
        }
    }
    let mut assets = Vec::new();
    for name in &release.crates {
        let path = file(name);
        let bytes = std::fs::read(&path)
            .map_err(|err| anyhow::anyhow!("cannot read {}: {err}", path.display()))?;
        assets.push(Asset { name: format!("{name}-{version}.crate"), bytes });
    }
    assets.push(Asset::sha256sums(&assets));
    Ok(assets)
}
