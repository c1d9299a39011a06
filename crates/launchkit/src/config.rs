//! Layered configuration for the tasks that act: built-in environments, then
//! `[workspace.metadata.launchkit]` in the root Cargo.toml, then its
//! `[workspace.metadata.launchkit.env.<name>]` table, then `LAUNCHKIT_*` variables, then
//! flags (applied by each task). docs/configuration.md documents every key.
//!
//! Tokens are never configuration: they come from the environment or cargo's credential
//! store when a task needs them.

mod branch;

use std::process::ExitCode;

use anyhow::{Context, bail};
use launchkit_workspace::Workspace;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use xshell::Shell;

use crate::flags::{self, Format};

impl flags::Config {
    /// Prints the settings the chosen environment resolves to.
    pub fn run(self, sh: &Shell) -> anyhow::Result<ExitCode> {
        let ws = Workspace::load(&sh.current_dir().join("Cargo.toml"))?;
        let env = environment(&ws.config, self.env.as_deref(), |name| std::env::var(name).ok())?;
        let value = serde_json::to_value(&env)?;
        if self.format == Some(Format::Json) {
            println!("{}", serde_json::to_string_pretty(&value)?);
        } else {
            println!("# environment: {}", env.name);
            for (key, value) in
                value.as_object().into_iter().flatten().filter(|(key, _)| *key != "name")
            {
                println!("{key} = {value}");
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// The settings of one environment, every layer applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Environment {
    /// The environment's name: development, staging, production, or one of the config's.
    #[serde(skip_deserializing)]
    pub name: String,
    /// Registry to publish to and read from: `crates-io` or a name from cargo's
    /// `[registries]` (also `CARGO_REGISTRIES_<NAME>_INDEX`).
    pub registry: String,
    /// Git remote to push the release commit and tag to.
    pub remote: String,
    /// Branches a release may be cut from: names, or patterns where `*` matches any run
    /// of characters (see [`Environment::allows_branch`]).
    pub branches: Vec<String>,
    /// Whether a release pushes its commit and tag.
    pub push: bool,
    /// Whether a release publishes crates.
    pub publish: bool,
    /// Where release notes go: `github`, `gitlab`, `gitea` or `none`; unset (`None`) means
    /// the forge the remote's URL names.
    pub forge: Option<Forge>,
    /// The forge API's base URL, for a self-hosted instance (GitHub Enterprise, GitLab,
    /// Gitea/Forgejo); unset means the one the remote's host implies.
    pub forge_url: Option<String>,
    /// The project on the forge (`OWNER/REPO`, GitLab `GROUP/SUBGROUP/PROJECT`); unset
    /// means the remote's URL, else the manifests' `repository`.
    pub forge_project: Option<String>,
    /// Prefix of release tags (`v` gives `v1.2.3`).
    pub tag_prefix: String,
    /// Allow releasing on a Friday without `--allow-friday`.
    pub allow_friday: bool,
    /// Command run after a release to build or deploy documentation (`sh -c`).
    pub docs_hook: Option<String>,
    /// The changelog, relative to the workspace root.
    pub changelog: String,
    /// Where `verify` asks whether the docs built: a host with docs.rs's status API.
    /// Unset means docs.rs for crates.io and no docs check for other registries.
    pub docs_url: Option<String>,
    /// Whether publishing exchanges a CI identity (OIDC) for a short-lived registry token
    /// when cargo has no token for the registry (see [`TrustedPublishing`]).
    pub trusted_publishing: TrustedPublishing,
    /// The audience of the identity token; unset means `crates.io` for crates.io, else
    /// the host of the registry's API.
    pub trusted_publishing_audience: Option<String>,
    /// Webhooks told when a release finishes or stops (see [`Notify`]).
    pub notify: Vec<Notify>,
    /// The registry's limit on new crates, `BURST/INTERVAL` or `none`; unset means
    /// crates.io's (`5/10m`) on crates.io and none elsewhere (`publish/pace.rs`).
    pub rate_limit_new_crates: Option<String>,
    /// The registry's limit on new versions of existing crates, likewise; crates.io's
    /// is `30/1m`.
    pub rate_limit_new_versions: Option<String>,
}

/// One webhook of `notify`: the variable holding its URL (a secret, so never in the
/// configuration itself) and the shape of what it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Notify {
    /// The environment variable whose value is the webhook's URL.
    pub url_env: String,
    /// What the webhook expects.
    pub format: NotifyFormat,
}

/// The body a webhook is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotifyFormat {
    /// `{"text": ...}`, which Slack's incoming webhooks (and Mattermost's, Discord's
    /// `/slack` endpoint) take.
    Slack,
    /// The release's facts as JSON fields.
    Json,
}

/// When publishing uses trusted publishing (docs/publishing.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrustedPublishing {
    /// When no token comes from cargo's sources and a CI identity is available.
    Auto,
    /// Never: publishing needs a token.
    Never,
    /// Always, ignoring tokens from cargo's sources; no identity is an error.
    Always,
}

/// Where a release's notes are published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Forge {
    /// A GitHub release through the REST API.
    Github,
    /// A GitLab release through the Releases API.
    Gitlab,
    /// A Gitea or Forgejo release through the API v1.
    Gitea,
    /// No forge release.
    None,
}

/// A key's type, for parsing `LAUNCHKIT_*` variables.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Flag,
    List,
    /// `notify`: `FORMAT:VARIABLE`, comma-separated.
    Hooks,
}

/// Every environment key, with its type. Variables are `LAUNCHKIT_` + the key in upper
/// snake case (`allow-friday` is `LAUNCHKIT_ALLOW_FRIDAY`).
const KEYS: &[(&str, Kind)] = &[
    ("registry", Kind::Text),
    ("remote", Kind::Text),
    ("branches", Kind::List),
    ("push", Kind::Flag),
    ("publish", Kind::Flag),
    ("forge", Kind::Text),
    ("forge-url", Kind::Text),
    ("forge-project", Kind::Text),
    ("tag-prefix", Kind::Text),
    ("allow-friday", Kind::Flag),
    ("docs-hook", Kind::Text),
    ("changelog", Kind::Text),
    ("docs-url", Kind::Text),
    ("trusted-publishing", Kind::Text),
    ("trusted-publishing-audience", Kind::Text),
    ("notify", Kind::Hooks),
    ("rate-limit-new-crates", Kind::Text),
    ("rate-limit-new-versions", Kind::Text),
];

/// Tables and keys of `[workspace.metadata.launchkit]` that belong to other tasks
/// (`versioning` to the release checks, see docs/versions.md).
const SECTIONS: &[&str] =
    &["env", "default-env", "preflight", "links", "audit", "secrets", "outdated", "versioning"];

/// The built-in environments: where each one publishes and whether it pushes.
fn builtin(name: &str) -> Option<Value> {
    let (registry, push, publish, forge) = match name {
        "development" => ("crates-io", false, false, Value::from("none")),
        "staging" => ("staging", true, true, Value::from("none")),
        "production" => ("crates-io", true, true, Value::Null),
        _ => return None,
    };
    Some(serde_json::json!({
        "registry": registry, "remote": "origin", "branches": ["main", "master", "hotfix/*"],
        "push": push, "publish": publish, "forge": forge, "forge-url": null,
        "forge-project": null, "tag-prefix": "v",
        "allow-friday": false, "docs-hook": null, "changelog": "CHANGELOG.md",
        "docs-url": null, "trusted-publishing": "auto", "trusted-publishing-audience": null,
        "notify": [], "rate-limit-new-crates": null, "rate-limit-new-versions": null,
    }))
}

/// The environment `name` (else `LAUNCHKIT_ENV`, else `default-env`, else production)
/// from `config`, the `[workspace.metadata.launchkit]` table, with variables read
/// through `var`.
pub fn environment(
    config: &Value,
    name: Option<&str>,
    var: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Environment> {
    // One copy of the body, not one per caller's closure.
    merge_environment(config, name, &var)
}

fn merge_environment(
    config: &Value,
    name: Option<&str>,
    var: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<Environment> {
    const WHERE: &str = "Cargo.toml [workspace.metadata.launchkit]";
    let empty = Map::new();
    let table = match config {
        Value::Null => &empty,
        Value::Object(table) => table,
        _ => bail!("{WHERE} must be a table"),
    };
    check_keys(table, WHERE, true)?;
    let envs = match table.get("env") {
        None => &empty,
        Some(Value::Object(envs)) => envs,
        Some(_) => bail!("{WHERE}.env must be a table of environments"),
    };
    let name = match (name, var("LAUNCHKIT_ENV")) {
        (Some(""), _) => bail!("--env is empty: {}", name_one(envs)),
        (Some(name), _) => name.to_owned(),
        (None, Some(name)) if name.is_empty() => {
            bail!("LAUNCHKIT_ENV is empty: unset it, or {}", name_one(envs))
        }
        (None, Some(name)) => name,
        (None, None) => default_name(config).to_owned(),
    };

    let own = envs.get(&name);
    let Some(mut merged) = builtin(&name).or_else(|| own.and(builtin("production"))) else {
        let mut known: Vec<&str> = vec!["development", "staging", "production"];
        known.extend(envs.keys().map(String::as_str).filter(|env| builtin(env).is_none()));
        bail!(
            "unknown environment `{name}`: use one of {} or add [workspace.metadata.launchkit.env.{name}]",
            known.join(", ")
        );
    };
    let own = match own {
        None => None,
        Some(Value::Object(own)) => Some(own),
        Some(_) => bail!("{WHERE}.env.{name} must be a table"),
    };
    if let Some(own) = own {
        check_keys(own, &format!("{WHERE}.env.{name}"), false)?;
    }
    for layer in [Some(table), own].into_iter().flatten() {
        for (key, value) in
            layer.iter().filter(|(key, _)| KEYS.iter().any(|(known, _)| known == key))
        {
            merged[key] = value.clone();
        }
    }
    for (key, kind) in KEYS {
        let variable = format!("LAUNCHKIT_{}", key.to_uppercase().replace('-', "_"));
        if let Some(text) = var(&variable) {
            merged[*key] = parse_variable(&variable, &text, *kind)?;
        }
    }
    let mut environment: Environment = serde_json::from_value(merged)
        .with_context(|| format!("{WHERE} (environment `{name}`) has a value of the wrong type"))?;
    if environment.branches.is_empty() {
        bail!(
            "`branches` of environment `{name}` is empty, so no branch may release: name at least one, such as [\"main\"]"
        );
    }
    check_tag_prefix(&environment.tag_prefix)?;
    check_notify(&environment.notify, &name)?;
    for (key, value) in [
        ("rate-limit-new-crates", &environment.rate_limit_new_crates),
        ("rate-limit-new-versions", &environment.rate_limit_new_versions),
    ] {
        if let Some(Err(why)) = value.as_deref().map(crate::publish::pace::Limit::parse) {
            bail!("{key} of environment `{name}`: {why}");
        }
    }
    environment.name = name;
    Ok(environment)
}

/// `name one of development, staging, production`, and the configuration's own.
fn name_one(envs: &Map<String, Value>) -> String {
    let mut known: Vec<&str> = vec!["development", "staging", "production"];
    known.extend(envs.keys().map(String::as_str).filter(|env| builtin(env).is_none()));
    format!("name one of {}", known.join(", "))
}

/// A `tag-prefix` git accepts at the start of a tag name, so a bad one stops every task
/// that reads it, long before a release reaches its tag step.
fn check_tag_prefix(prefix: &str) -> anyhow::Result<()> {
    let refused = prefix
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(*c))
        .map(|c| format!("{c:?}"))
        .or_else(|| {
            ["..", "@{", "//", "/."]
                .into_iter()
                .find(|s| prefix.contains(s))
                .map(|s| format!("`{s}`"))
        })
        .or_else(|| {
            prefix.starts_with(['-', '.', '/']).then(|| format!("{:?} at the start", &prefix[..1]))
        });
    if let Some(what) = refused {
        bail!(
            "tag-prefix {prefix:?} cannot start a git tag ({what}): use letters, digits, `-`, `_`, `.` or `/`, such as \"v\""
        );
    }
    Ok(())
}

/// Each `notify` entry names a variable: a URL written there instead would be a secret
/// in the repository, so the error does not repeat it.
fn check_notify(notify: &[Notify], name: &str) -> anyhow::Result<()> {
    for (number, hook) in notify.iter().enumerate() {
        let variable = &hook.url_env;
        let valid = variable.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && variable.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            bail!(
                "`notify` entry {} of environment `{name}`: `url-env` must name an environment variable (such as SLACK_WEBHOOK) that holds the URL, never the URL itself",
                number + 1
            );
        }
    }
    Ok(())
}

/// The `LAUNCHKIT_*` variables that configure this run (`LAUNCHKIT_ENV`, one per key,
/// the publish's waiting ceiling), as `NAME=value`, shell-quoted: the start of a command
/// that repeats the run in a shell without them.
pub fn variables(var: impl Fn(&str) -> Option<String>) -> Vec<String> {
    let keys =
        KEYS.iter().map(|(key, _)| format!("LAUNCHKIT_{}", key.to_uppercase().replace('-', "_")));
    let names = ["LAUNCHKIT_ENV".to_owned()]
        .into_iter()
        .chain(keys)
        .chain([crate::publish::budget::MAX_WAIT_VAR.to_owned()]);
    names
        .filter_map(|name| var(&name).map(|value| format!("{name}={}", shell_quote(&value))))
        .collect()
}

/// `text` as one shell word.
fn shell_quote(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || "_,./:=@%+-".contains(c));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', "'\\''")) }
}

/// The environment a task acts on when neither `--env` nor `LAUNCHKIT_ENV` names one:
/// `default-env` from `config`, else production.
pub fn default_name(config: &Value) -> &str {
    config.get("default-env").and_then(Value::as_str).unwrap_or("production")
}

/// Every environment: the built-in ones, then the ones `[workspace.metadata.launchkit.env]`
/// adds, by name.
pub fn environment_names(config: &Value) -> Vec<String> {
    let mut names: Vec<String> = ["development", "staging", "production"].map(str::to_owned).into();
    let custom =
        config.get("env").and_then(Value::as_object).into_iter().flat_map(|envs| envs.keys());
    names.extend(custom.filter(|name| builtin(name).is_none()).cloned());
    names
}

fn check_keys(table: &Map<String, Value>, place: &str, top: bool) -> anyhow::Result<()> {
    for key in table.keys() {
        let known =
            KEYS.iter().any(|(known, _)| known == key) || (top && SECTIONS.contains(&key.as_str()));
        if !known {
            let mut keys: Vec<&str> = KEYS.iter().map(|(key, _)| *key).collect();
            if top {
                keys.extend(SECTIONS);
            }
            bail!("{place} has an unknown key `{key}`: use one of {}", keys.join(", "));
        }
    }
    Ok(())
}

fn parse_variable(variable: &str, text: &str, kind: Kind) -> anyhow::Result<Value> {
    Ok(match kind {
        Kind::Text => Value::from(text),
        Kind::List => {
            let items: Vec<&str> =
                text.split(',').map(str::trim).filter(|item| !item.is_empty()).collect();
            if items.is_empty() {
                bail!("{variable} is empty: unset it, or name at least one (comma-separated)");
            }
            items.into_iter().collect()
        }
        Kind::Hooks => text
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(|item| match item.split_once(':') {
                Some((format, url_env)) if !url_env.trim().is_empty() => Ok(serde_json::json!({
                    "format": format.trim(), "url-env": url_env.trim(),
                })),
                _ => bail!(
                    "{variable}: `{item}` is not FORMAT:VARIABLE: write such as slack:SLACK_WEBHOOK,json:DEPLOY_HOOK"
                ),
            })
            .collect::<anyhow::Result<Value>>()?,
        Kind::Flag => match text {
            "true" | "1" | "yes" => Value::Bool(true),
            "false" | "0" | "no" => Value::Bool(false),
            _ => bail!("{variable}={text} is not a boolean: use true or false"),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_vars(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn builtin_environments_need_no_configuration() {
        let production = environment(&Value::Null, None, no_vars).unwrap();
        assert_eq!(
            (production.name.as_str(), production.registry.as_str()),
            ("production", "crates-io")
        );
        assert!(production.push && production.publish);
        assert_eq!(production.forge, None);
        // Hotfix branches (`cargo xtask yank --hotfix` makes them) release like main.
        assert_eq!(production.branches, ["main", "master", "hotfix/*"]);
        assert!(production.allows_branch("hotfix/1.2.4") && production.allows_branch("master"));
        assert!(!production.allows_branch("feature/hotfix") && !production.allows_branch("dev"));
        assert_eq!(production.main_branch(), "main");
        assert_eq!(production.trusted_publishing, TrustedPublishing::Auto);
        assert_eq!(production.trusted_publishing_audience, None);
        let development = environment(&Value::Null, Some("development"), no_vars).unwrap();
        assert!(!development.push && !development.publish);
        assert_eq!(
            environment(&Value::Null, Some("staging"), no_vars).unwrap().registry,
            "staging"
        );
    }

    #[test]
    fn layers_apply_in_order_defaults_then_env_table_then_variables() {
        let config = serde_json::json!({
            "branches": ["trunk"], "tag-prefix": "release-",
            "env": { "staging": { "registry": "internal", "remote": "mirror" } },
        });
        let vars = |name: &str| (name == "LAUNCHKIT_REMOTE").then(|| "upstream".to_owned());
        let staging = environment(&config, Some("staging"), vars).unwrap();
        assert_eq!(staging.branches, ["trunk"]);
        assert!(staging.allows_branch("trunk") && !staging.allows_branch("hotfix/1.0.1"));
        assert_eq!(staging.tag_prefix, "release-");
        assert_eq!(staging.registry, "internal");
        assert_eq!(staging.remote, "upstream");
        let config = serde_json::json!({
            "trusted-publishing": "never",
            "env": { "staging": { "trusted-publishing": "always",
                                  "trusted-publishing-audience": "registry.example" } },
        });
        let staging = environment(&config, Some("staging"), no_vars).unwrap();
        assert_eq!(staging.trusted_publishing, TrustedPublishing::Always);
        assert_eq!(staging.trusted_publishing_audience.as_deref(), Some("registry.example"));
        let production = environment(&config, None, |name| {
            (name == "LAUNCHKIT_TRUSTED_PUBLISHING").then(|| "auto".to_owned())
        });
        assert_eq!(production.unwrap().trusted_publishing, TrustedPublishing::Auto);
        assert_eq!(
            environment(&config, None, no_vars).unwrap().trusted_publishing,
            TrustedPublishing::Never
        );
        let from_var = environment(&config, None, |name| {
            (name == "LAUNCHKIT_ENV").then(|| "staging".to_owned())
        });
        assert_eq!(from_var.unwrap().name, "staging");
    }

    #[test]
    fn custom_environments_start_from_production() {
        let config =
            serde_json::json!({ "env": { "nightly": { "registry": "nightly", "forge": "none" } } });
        let nightly = environment(&config, Some("nightly"), no_vars).unwrap();
        assert_eq!(
            (nightly.registry.as_str(), nightly.forge, nightly.push),
            ("nightly", Some(Forge::None), true)
        );
    }

    #[test]
    fn mistakes_are_named() {
        let error = |config: Value, name: Option<&str>| {
            environment(&config, name, no_vars).unwrap_err().to_string()
        };
        assert_eq!(
            error(Value::Null, Some("prod")),
            "unknown environment `prod`: use one of development, staging, production or add [workspace.metadata.launchkit.env.prod]"
        );
        assert!(error(serde_json::json!({ "pubish": true }), None).starts_with(
            "Cargo.toml [workspace.metadata.launchkit] has an unknown key `pubish`: use one of registry,"
        ));
        assert!(
            error(serde_json::json!({ "env": { "staging": { "audit": {} } } }), Some("staging"))
                .contains(".env.staging has an unknown key `audit`")
        );
        let wrong_type =
            environment(&serde_json::json!({ "push": "yes" }), None, no_vars).unwrap_err();
        assert!(
            format!("{wrong_type:#}").contains("invalid type: string \"yes\", expected a boolean"),
            "{wrong_type:#}"
        );
        let bad_var = environment(&Value::Null, None, |name| {
            (name == "LAUNCHKIT_PUSH").then(|| "maybe".to_owned())
        });
        assert_eq!(
            bad_var.unwrap_err().to_string(),
            "LAUNCHKIT_PUSH=maybe is not a boolean: use true or false"
        );
        let set = |variable: &'static str, value: &'static str| {
            move |name: &str| (name == variable).then(|| value.to_owned())
        };
        let var_error = |variable, value| {
            environment(&Value::Null, None, set(variable, value)).unwrap_err().to_string()
        };
        assert_eq!(
            var_error("LAUNCHKIT_BRANCHES", " , "),
            "LAUNCHKIT_BRANCHES is empty: unset it, or name at least one (comma-separated)"
        );
        assert_eq!(
            var_error("LAUNCHKIT_ENV", ""),
            "LAUNCHKIT_ENV is empty: unset it, or name one of development, staging, production"
        );
        assert_eq!(
            error(Value::Null, Some("")),
            "--env is empty: name one of development, staging, production"
        );
        assert!(
            error(serde_json::json!({ "branches": [] }), None)
                .starts_with("`branches` of environment `production` is empty")
        );
        for (prefix, what) in
            [("v ", "' '"), ("rel~", "'~'"), ("a..b", "`..`"), ("-v", "\"-\" at the start")]
        {
            let config = serde_json::json!({ "tag-prefix": prefix });
            assert_eq!(
                error(config, None),
                format!(
                    "tag-prefix {prefix:?} cannot start a git tag ({what}): use letters, digits, `-`, `_`, `.` or `/`, such as \"v\""
                )
            );
        }
        let sometimes =
            environment(&serde_json::json!({ "trusted-publishing": "sometimes" }), None, no_vars)
                .unwrap_err();
        assert!(
            format!("{sometimes:#}")
                .contains("unknown variant `sometimes`, expected one of `auto`, `never`, `always`"),
            "{sometimes:#}"
        );
        let limit = serde_json::json!({ "rate-limit-new-versions": "30 a minute" });
        assert_eq!(
            error(limit, None),
            "rate-limit-new-versions of environment `production`: `30 a minute` is not a rate limit: write BURST/INTERVAL, such as `5/10m` (5 at once, then 1 every 10 minutes), or `none`"
        );
        for fine in ["v", "", "release-", "crates/v", "V_"] {
            let config = serde_json::json!({ "tag-prefix": fine });
            assert!(environment(&config, None, no_vars).is_ok(), "{fine:?}");
        }
    }

    #[test]
    fn notify_names_variables_in_tables_or_one_variable() {
        let config = serde_json::json!({ "env": { "staging": { "notify": [
            { "url-env": "SLACK_WEBHOOK", "format": "slack" },
            { "url-env": "DEPLOY_HOOK", "format": "json" },
        ] } } });
        let staging = environment(&config, Some("staging"), no_vars).unwrap();
        let hook = |url_env: &str, format| Notify { url_env: url_env.into(), format };
        assert_eq!(
            staging.notify,
            [hook("SLACK_WEBHOOK", NotifyFormat::Slack), hook("DEPLOY_HOOK", NotifyFormat::Json)]
        );
        assert!(environment(&config, None, no_vars).unwrap().notify.is_empty());
        let var = |name: &str| (name == "LAUNCHKIT_NOTIFY").then(|| "json:A, slack:B".to_owned());
        let production = environment(&Value::Null, None, var).unwrap();
        assert_eq!(
            production.notify,
            [hook("A", NotifyFormat::Json), hook("B", NotifyFormat::Slack)]
        );

        let bad = |name: &str| (name == "LAUNCHKIT_NOTIFY").then(|| "SLACK_WEBHOOK".to_owned());
        assert_eq!(
            environment(&Value::Null, None, bad).unwrap_err().to_string(),
            "LAUNCHKIT_NOTIFY: `SLACK_WEBHOOK` is not FORMAT:VARIABLE: write such as slack:SLACK_WEBHOOK,json:DEPLOY_HOOK"
        );
        // A URL where the variable's name belongs is refused without being repeated.
        let url = serde_json::json!({ "notify": [
            { "url-env": "https://hooks.slack.com/services/T0/B0/secret", "format": "slack" },
        ] });
        let error = environment(&url, None, no_vars).unwrap_err().to_string();
        assert!(
            error.starts_with("`notify` entry 1 of environment `production`: `url-env` must name")
        );
        assert!(!error.contains("secret"), "{error}");
        let teams = serde_json::json!({ "notify": [{ "url-env": "T", "format": "teams" }] });
        let error = format!("{:#}", environment(&teams, None, no_vars).unwrap_err());
        assert!(error.contains("unknown variant `teams`, expected `slack` or `json`"), "{error}");
    }

    #[test]
    fn the_variables_of_a_run_repeat_as_a_command_prefix() {
        let var = |name: &str| match name {
            "LAUNCHKIT_ENV" => Some("staging".to_owned()),
            "LAUNCHKIT_NOTIFY" => Some("json:DEPLOY_HOOK".to_owned()),
            "LAUNCHKIT_DOCS_HOOK" => Some("echo it's done".to_owned()),
            "LAUNCHKIT_PUBLISH_MAX_WAIT" => Some("1h".to_owned()),
            "DEPLOY_HOOK" | "CARGO_REGISTRY_TOKEN" => Some("secret".to_owned()),
            _ => None,
        };
        assert_eq!(
            variables(var),
            [
                "LAUNCHKIT_ENV=staging",
                "LAUNCHKIT_DOCS_HOOK='echo it'\\''s done'",
                "LAUNCHKIT_NOTIFY=json:DEPLOY_HOOK",
                "LAUNCHKIT_PUBLISH_MAX_WAIT=1h",
            ]
        );
    }
}
