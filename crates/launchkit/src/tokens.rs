//! Secrets flow to one process: registry and forge tokens in launchkit's environment go
//! only to the commands that need them (the upload, the yank; the forge call is made in
//! process), and every other child process runs without them. Build scripts, proc macros,
//! tests, git hooks and the tools preflight runs execute code launchkit did not write.

use xshell::Cmd;

/// Forge and CI tokens (and CI identity tokens for trusted publishing), by exact name.
const FORGE_TOKENS: &[&str] = &[
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "GH_ENTERPRISE_TOKEN",
    "GITHUB_ENTERPRISE_TOKEN",
    "GITLAB_TOKEN",
    "GL_TOKEN",
    "GITEA_TOKEN",
    "FORGEJO_TOKEN",
    "CI_JOB_TOKEN",
    "CI_JOB_JWT",
    "CI_JOB_JWT_V2",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    "ACTIONS_RUNTIME_TOKEN",
    "LAUNCHKIT_ID_TOKEN",
    "CRATES_IO_ID_TOKEN",
];

/// A registry token cargo reads from the environment.
pub fn is_registry_token(name: &str) -> bool {
    name == "CARGO_REGISTRY_TOKEN"
        || (name.starts_with("CARGO_REGISTRIES_") && name.ends_with("_TOKEN"))
}

/// A registry, forge or CI token.
pub fn is_token(name: &str) -> bool {
    is_registry_token(name) || FORGE_TOKENS.contains(&name)
}

/// `cmd` without any token this process has in its environment.
pub fn strip(cmd: Cmd<'_>) -> Cmd<'_> {
    strip_if(cmd, is_token)
}

/// `cmd` without the registry tokens only (a docs hook may need the forge's).
pub fn strip_registry(cmd: Cmd<'_>) -> Cmd<'_> {
    strip_if(cmd, is_registry_token)
}

fn strip_if(cmd: Cmd<'_>, secret: fn(&str) -> bool) -> Cmd<'_> {
    let names = std::env::vars_os().filter_map(|(name, _)| name.into_string().ok());
    names.filter(|name| secret(name)).fold(cmd, |cmd, name| cmd.env_remove(name))
}

#[cfg(test)]
mod tests {
    use super::{is_registry_token, is_token};

    #[test]
    fn tokens_are_recognised_by_name() {
        for name in ["CARGO_REGISTRY_TOKEN", "CARGO_REGISTRIES_MY_CORP_TOKEN", "GH_TOKEN"] {
            assert!(is_token(name), "{name}");
        }
        for name in ["GITHUB_TOKEN", "GITLAB_TOKEN", "GITEA_TOKEN", "CI_JOB_TOKEN"] {
            assert!(is_token(name) && !is_registry_token(name), "{name}");
        }
        for name in ["CARGO_REGISTRIES_LK_INDEX", "CARGO_HOME", "GITHUB_ACTIONS", "TOKEN"] {
            assert!(!is_token(name), "{name}");
        }
    }
}
