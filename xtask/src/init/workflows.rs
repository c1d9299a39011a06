//! GitHub Actions workflows for a repository whose remote is on GitHub: preflight on pull
//! requests, a release on demand.

/// The workflows, by path.
pub const GITHUB: [(&str, &str); 2] =
    [(".github/workflows/preflight.yml", PREFLIGHT), (".github/workflows/release.yml", RELEASE)];

/// The remote `url` is on GitHub (https, ssh or scp-like).
pub fn is_github(url: &str) -> bool {
    let host = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = host.split(['/', ':']).next().unwrap_or_default();
    host.rsplit('@').next().is_some_and(|host| host.eq_ignore_ascii_case("github.com"))
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
        ] {
            assert!(is_github(url), "{url}");
        }
        for url in
            ["https://gitlab.com/acme/demo", "/srv/git/demo.git", "git@github.company.com:a/b"]
        {
            assert!(!is_github(url), "{url}");
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
