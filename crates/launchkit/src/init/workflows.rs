//! CI for the repository's forge: GitHub Actions workflows for a remote on GitHub, a
//! `.gitlab-ci.yml` for one on GitLab. Preflight on pull (merge) requests; a release on
//! demand, one at a time, publishing with trusted publishing. This repository's own
//! `.github/workflows/preflight.yml` and `release.yml` are these texts (a test checks).

/// The workflows, by path.
pub const GITHUB: [(&str, &str); 2] =
    [(".github/workflows/preflight.yml", PREFLIGHT), (".github/workflows/release.yml", RELEASE)];

/// The CI files for a remote's forge.
pub struct Ci {
    /// The repository's web address.
    pub url: String,
    /// `GitHub` or `GitLab`.
    pub forge: &'static str,
    /// The files, by path.
    pub files: &'static [(&'static str, &'static str)],
}

impl Ci {
    /// The CI of the forge the remote `url` is on; `None` for another host.
    pub fn for_remote(url: &str) -> Option<Ci> {
        if let Some(url) = github_repo(url) {
            return Some(Ci { url, forge: "GitHub", files: &GITHUB });
        }
        let url = gitlab_repo(url)?;
        Some(Ci { url, forge: "GitLab", files: std::slice::from_ref(&GITLAB) })
    }
}

/// The web address of the GitHub repository at the remote `url` (https, ssh or
/// scp-like); `None` for another host.
pub fn github_repo(url: &str) -> Option<String> {
    let (host, path) = host_and_path(url)?;
    let valid = path.split('/').count() == 2;
    (host.eq_ignore_ascii_case("github.com") && valid).then(|| format!("https://github.com/{path}"))
}

/// The web address of the gitlab.com project at the remote `url` (groups may nest);
/// `None` for another host.
pub fn gitlab_repo(url: &str) -> Option<String> {
    let (host, path) = host_and_path(url)?;
    let valid = path.split('/').count() >= 2 && path.split('/').all(|part| !part.is_empty());
    (host.eq_ignore_ascii_case("gitlab.com") && valid).then(|| format!("https://gitlab.com/{path}"))
}

/// The host and the repository path (without `.git`) of a remote URL.
fn host_and_path(url: &str) -> Option<(&str, &str)> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, path) = rest.split_once(['/', ':'])?;
    let host = host.rsplit('@').next()?;
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    (!path.starts_with('/')).then_some((host, path))
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

const RELEASE: &str = r#"# A release on demand: Actions > release > Run workflow, with the level to release.
# One release at a time; re-running a stopped run resumes it. Crates are published with
# trusted publishing (no secret): add this repository and `release.yml` as the trusted
# publisher in each crate's settings on crates.io. A crate's first version needs a token:
# set the CARGO_REGISTRY_TOKEN secret for that run, or publish it once by hand.
name: release

on:
  workflow_dispatch:
    inputs:
      level:
        description: "The bump: patch, minor, major, a pre-release (alpha, beta, rc), or release"
        required: true
        default: patch
        type: choice
        options:
          - patch
          - minor
          - major
          - alpha
          - beta
          - rc
          - release

permissions:
  contents: write
  id-token: write

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
          # Empty unless the secret is set; then it is used instead of trusted publishing.
          CARGO_REGISTRY_TOKEN: ${{ secrets.CARGO_REGISTRY_TOKEN }}
          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
        run: |
          git config user.name "github-actions[bot]"
          git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
          cargo xtask release "$LEVEL" --execute
"#;

/// `.gitlab-ci.yml` for a repository whose remote is on GitLab.
pub const GITLAB: (&str, &str) = (".gitlab-ci.yml", GITLAB_CI);

const GITLAB_CI: &str = r#"# launchkit: preflight on merge requests, a release on demand from the default branch
# (Build > Pipelines > Run pipeline, pick LEVEL, then start the manual `release` job).
# Crates are published with trusted publishing: the job's `id_tokens` gives it an
# identity for crates.io (add this project as the trusted publisher in each crate's
# settings). A crate's first version needs a token: set a masked CARGO_REGISTRY_TOKEN
# variable for that run. Pushing the release commit and tag needs a project access token
# with write_repository in the masked RELEASE_PUSH_TOKEN variable.
variables:
  LEVEL:
    value: patch
    options: [patch, minor, major, alpha, beta, rc, release]
    description: "The bump the release job applies"

stages:
  - check
  - release

default:
  image: rust:latest

preflight:
  stage: check
  rules:
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  variables:
    GIT_DEPTH: "0"
    # Every build here starts cold; incremental caches would only cost time.
    CARGO_INCREMENTAL: "0"
  before_script:
    - rustup component add rustfmt clippy
  script:
    - cargo xtask preflight

release:
  stage: release
  rules:
    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
      when: manual
  # One release at a time.
  resource_group: release
  id_tokens:
    CRATES_IO_ID_TOKEN:
      aud: crates.io
  variables:
    GIT_DEPTH: "0"
    CARGO_INCREMENTAL: "0"
    # GitHub releases do not apply here.
    LAUNCHKIT_FORGE: none
  before_script:
    - rustup component add rustfmt clippy
    - git checkout -B "$CI_COMMIT_BRANCH" "$CI_COMMIT_SHA"
    - git branch --set-upstream-to "origin/$CI_COMMIT_BRANCH"
    - git config user.name "$GITLAB_USER_NAME"
    - git config user.email "$GITLAB_USER_EMAIL"
    - git remote set-url --push origin "https://oauth2:${RELEASE_PUSH_TOKEN}@${CI_SERVER_HOST}/${CI_PROJECT_PATH}.git"
  script:
    - cargo xtask release "$LEVEL" --execute
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
        assert_eq!(
            gitlab_repo("git@gitlab.com:acme/tools/demo.git").as_deref(),
            Some("https://gitlab.com/acme/tools/demo")
        );
        assert_eq!(gitlab_repo("https://github.com/acme/demo"), None);
        assert_eq!(gitlab_repo("https://gitlab.com/acme"), None);
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
        assert!(run.contains("cargo xtask release \"$LEVEL\" --execute\n"), "{run}");
        let gitlab = GITLAB_CI.split("\nrelease:\n").nth(1).unwrap();
        assert!(gitlab.contains("\n    - cargo xtask release \"$LEVEL\" --execute\n"));
    }

    #[test]
    fn the_release_is_on_demand_one_at_a_time_with_an_identity() {
        for expected in [
            "\n  workflow_dispatch:\n    inputs:\n      level:\n",
            "\n        type: choice\n",
            "\npermissions:\n  contents: write\n  id-token: write\n",
            "\nconcurrency:\n  group: release\n  cancel-in-progress: false\n",
        ] {
            assert!(RELEASE.contains(expected), "{expected}");
        }
        assert!(!RELEASE.contains("workflow_run"));
        // The choices are levels the release accepts.
        let options = RELEASE.split("options:\n").nth(1).unwrap();
        let levels = options.lines().map_while(|line| line.trim().strip_prefix("- "));
        for level in levels {
            assert!(level.parse::<launchkit_workspace::version::Bump>().is_ok(), "{level}");
        }
        for expected in [
            "\n  id_tokens:\n    CRATES_IO_ID_TOKEN:\n      aud: crates.io\n",
            "\n  resource_group: release\n",
            "\n      when: manual\n",
            "\n    - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"\n",
        ] {
            assert!(GITLAB_CI.contains(expected), "{expected}");
        }
    }
}
