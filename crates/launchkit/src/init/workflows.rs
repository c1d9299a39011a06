//! GitHub Actions workflows for a repository whose remote is on GitHub: preflight on pull
//! requests, a release on demand.

/// The workflows, by path.
pub const GITHUB: [(&str, &str); 2] =
    [(".github/workflows/preflight.yml", PREFLIGHT), (".github/workflows/release.yml", RELEASE)];

/// The web address of the GitHub repository at the remote `url` (https, ssh or
/// scp-like); `None` for another host.
pub fn github_repo(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, path) = rest.split_once(['/', ':'])?;
    let host = host.rsplit('@').next()?;
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    let valid = path.split('/').count() == 2 && !path.starts_with('/');
    (host.eq_ignore_ascii_case("github.com") && valid).then(|| format!("https://github.com/{path}"))
}

const PREFLIGHT: &str = r#"# Every pre-release check on each pull request; findings become annotations.
name: preflight

on:
  pull_request:

permissions:
  contents: read

jobs:
  preflight:
    name: cargo xtask preflight
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: dtolnay/rust-toolchain@stable
        with:
          components: rustfmt, clippy
      # The `breaking` step compares with the last release tag.
      - uses: taiki-e/install-action@cargo-semver-checks
      - uses: Swatinem/rust-cache@v2
      - run: cargo xtask preflight
"#;

const RELEASE: &str = r#"# A release on demand: Actions > release > Run workflow. Re-running a stopped run resumes it.
name: release

on:
  workflow_dispatch:
    inputs:
      level:
        description: "major, minor, patch, alpha, beta, rc, release, or X.Y.Z"
        required: true
        default: patch
        type: string

permissions:
  contents: write

concurrency:
  group: release
  cancel-in-progress: false

jobs:
  release:
    name: cargo xtask release
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: dtolnay/rust-toolchain@stable
        with:
          components: rustfmt, clippy
      - uses: taiki-e/install-action@cargo-semver-checks
      - uses: Swatinem/rust-cache@v2
      - name: cargo xtask release
        env:
          LEVEL: ${{ inputs.level }}
          CARGO_REGISTRY_TOKEN: ${{ secrets.CARGO_REGISTRY_TOKEN }}
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          cargo xtask release "$LEVEL" --execute
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_remotes_are_told_from_others() {
        for url in [
            "https://github.com/acme/demo.git",
            "git@github.com:acme/demo.git",
            "ssh://git@GitHub.com/acme/demo",
            "https://github.com/acme/demo/",
        ] {
            assert_eq!(github_repo(url).as_deref(), Some("https://github.com/acme/demo"), "{url}");
        }
        for url in [
            "https://gitlab.com/acme/demo",
            "/srv/git/demo.git",
            "git@github.company.com:a/b",
            "https://github.com/acme",
        ] {
            assert_eq!(github_repo(url), None, "{url}");
        }
    }

    #[test]
    fn the_release_takes_its_input_through_the_environment() {
        // An expression inside `run:` would be spliced into the script unquoted.
        let run = RELEASE.split("run: |").nth(1).unwrap();
        assert!(!run.contains("${{"), "{run}");
        assert!(PREFLIGHT.contains("\n  pull_request:\n"));
        assert!(RELEASE.contains("\n  workflow_dispatch:\n"));
    }
}
