//! Release notifications: each webhook of the environment's `notify` is sent a message
//! when a release finishes and when it stops (with the step, the error and the command
//! that resumes it).
//!
//! A webhook's URL is a secret (whoever has it can post to the channel), so it comes from
//! the variable the configuration names and is shown only as its scheme and host. A
//! missing variable or a webhook that fails is a warning: a notification never fails, or
//! undoes, a release.

use std::time::Duration;

use serde_json::{Value, json};

use super::Release;
use crate::config::{Notify, NotifyFormat};

/// How long one webhook may take, connection and answer included.
const TIMEOUT: Duration = Duration::from_secs(10);

/// What happened to the release.
pub enum Event<'a> {
    /// Every step is done.
    Released,
    /// A step failed.
    Stopped {
        /// The step.
        step: &'a str,
        /// Its error, in one line.
        error: String,
        /// Whether the repository was put back (nothing had left it).
        restored: bool,
    },
}

/// The plan's line about notifications, and a warning for each webhook whose variable is
/// not set.
pub fn plan(hooks: &[Notify], var: impl Fn(&str) -> Option<String>) -> (String, Vec<String>) {
    if hooks.is_empty() {
        return ("notify: none configured".into(), Vec::new());
    }
    let mut warnings = Vec::new();
    let mut shown = Vec::new();
    for hook in hooks {
        let format = format_name(hook.format);
        match url(hook, &var) {
            Some(url) => shown.push(format!("{format} to {} ({})", hook.url_env, redact(&url))),
            None => {
                shown.push(format!("{format} to {} (not set: skipped)", hook.url_env));
                warnings.push(format!(
                    "notify: {} is not set, so the {format} webhook will not be told about this release: set it to the webhook's URL",
                    hook.url_env
                ));
            }
        }
    }
    (format!("notify: on finish and on stop, {}", shown.join(", ")), warnings)
}

/// Sends `event` to every webhook; failures are printed as warnings, never returned.
pub fn send(release: &Release, event: &Event) {
    for hook in &release.env.notify {
        let Some(url) = url(hook, |name| std::env::var(name).ok()) else {
            eprintln!("warning: notify: {} is not set: nothing sent to it", hook.url_env);
            continue;
        };
        let body = payload(hook.format, release, event).to_string();
        let shown = redact(&url);
        match post(&url, &body) {
            Ok(()) => eprintln!("notify: told {} ({shown})", hook.url_env),
            Err(why) => eprintln!(
                "warning: notify: {} ({shown}) {}; the release is not affected",
                hook.url_env,
                why.replace(url.as_str(), &shown)
            ),
        }
    }
}

fn url(hook: &Notify, var: impl Fn(&str) -> Option<String>) -> Option<String> {
    var(&hook.url_env).map(|url| url.trim().to_owned()).filter(|url| !url.is_empty())
}

fn format_name(format: NotifyFormat) -> &'static str {
    match format {
        NotifyFormat::Slack => "slack",
        NotifyFormat::Json => "json",
    }
}

/// POSTs `body` as JSON; the failure in words.
fn post(url: &str, body: &str) -> Result<(), String> {
    let agent = launchkit_registry::agent();
    let request = launchkit_registry::bounded(agent.post(url), TIMEOUT);
    let mut response = request
        .header("Content-Type", "application/json")
        .send(body)
        .map_err(|err| format!("could not be reached: {err}"))?;
    launchkit_registry::drain(response.body_mut());
    match response.status().as_u16() {
        200..=299 => Ok(()),
        status => Err(format!("answered HTTP {status}")),
    }
}

/// `https://hooks.slack.com/…`: the scheme and host, never the path or query that make
/// the URL a credential.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return "…".into() };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // user:password@host keeps only the host.
    let host = host.rsplit('@').next().unwrap_or_default();
    format!("{scheme}://{host}/…")
}

/// The body for `format`.
fn payload(format: NotifyFormat, release: &Release, event: &Event) -> Value {
    let (version, env) = (release.target.version.to_string(), &release.env.name);
    let crates = &release.crates;
    match format {
        NotifyFormat::Json => {
            let mut body = json!({
                "event": match event { Event::Released => "released", Event::Stopped { .. } => "stopped" },
                "version": version,
                "environment": env,
                "tag": release.tag,
                "crates": crates,
                "registry": release.registry.as_ref().map(|registry| &registry.name),
            });
            if let Event::Stopped { step, error, restored } = event {
                body["step"] = json!(step);
                body["error"] = json!(error);
                body["restored"] = json!(restored);
                body["resume"] = json!(release.command);
            }
            body
        }
        NotifyFormat::Slack => {
            let text = match event {
                Event::Released => format!(
                    "Released {version} to {env} (tag {}): {}",
                    release.tag,
                    crates.join(", ")
                ),
                Event::Stopped { step, error, restored } => format!(
                    "Release {version} to {env} stopped at {step}: {error}\n{}Crates: {}\nResume with: `{}`",
                    if *restored { "The repository was restored; nothing left it.\n" } else { "" },
                    crates.join(", "),
                    release.command
                ),
            };
            json!({ "text": text })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_shown_without_their_secret_parts() {
        assert_eq!(
            redact("https://hooks.slack.com/services/T00/B00/XXXX"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(redact("http://user:pw@127.0.0.1:8080/hook?key=1"), "http://127.0.0.1:8080/…");
        assert_eq!(redact("not a url"), "…");
    }

    #[test]
    fn the_plan_warns_about_unset_variables() {
        let hooks = [
            Notify { url_env: "A_HOOK".into(), format: NotifyFormat::Slack },
            Notify { url_env: "B_HOOK".into(), format: NotifyFormat::Json },
        ];
        let var = |name: &str| (name == "A_HOOK").then(|| "https://chat.example/x/secret".into());
        let (line, warnings) = plan(&hooks, var);
        assert_eq!(
            line,
            "notify: on finish and on stop, slack to A_HOOK (https://chat.example/…), json to B_HOOK (not set: skipped)"
        );
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("notify: B_HOOK is not set"), "{warnings:?}");
        assert_eq!(plan(&[], var).0, "notify: none configured");
    }
}
