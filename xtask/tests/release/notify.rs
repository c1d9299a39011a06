//! Notifications: webhooks served on 127.0.0.1 by the test hear of a finished release,
//! and of a stopped one with its step, its error and the command that resumes it. A
//! webhook that fails or whose variable is unset never fails the release, and no URL is
//! printed in full.

use launchkit_testkit::http::Response;
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use launchkit_testkit::{Fault, Faults, HttpServer, Route, Silent};
use serde_json::{Value, json};

use crate::flows::assert_released;
use crate::support::{GITHUB_TOKEN, MONDAY, Run, Setup, TOKEN};

/// A receiver that answers 500 under `/broken/` and 200 elsewhere.
fn receiver() -> HttpServer {
    HttpServer::start(|request| Response {
        status: if request.target.starts_with("/broken/") { 500 } else { 200 },
        headers: Vec::new(),
        body: b"ok".to_vec(),
    })
}

/// The bodies the receiver got at `path`, in order.
fn bodies(receiver: &HttpServer, path: &str) -> Vec<Value> {
    let requests = receiver.requests();
    let at = requests.iter().filter(|request| request.target == path);
    at.map(|request| {
        assert_eq!(request.method, "POST");
        let text = String::from_utf8(request.body.clone()).unwrap();
        assert!(!text.contains(TOKEN) && !text.contains(GITHUB_TOKEN), "a token was sent: {text}");
        serde_json::from_str(&text).unwrap()
    })
    .collect()
}

fn assert_no_url(run: &Run, secrets: &[&str]) {
    for secret in secrets {
        assert!(!run.stdout.contains(secret) && !run.stderr.contains(secret), "{secret}:\n{run}");
    }
}

#[test]
fn webhooks_hear_of_a_finished_release_and_a_failing_one_does_not_fail_it() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let receiver = receiver();
    let base = receiver.url();
    let (slack, json_hook, broken) = (
        format!("{base}/services/T1/B2/slack-secret"),
        format!("{base}/hooks/json-secret"),
        format!("{base}/broken/broken-secret"),
    );
    let env = [
        (
            "LAUNCHKIT_NOTIFY",
            "slack:SLACK_HOOK, json:DEPLOY_HOOK, json:BROKEN_HOOK, json:UNSET_HOOK",
        ),
        ("SLACK_HOOK", slack.as_str()),
        ("DEPLOY_HOOK", json_hook.as_str()),
        ("BROKEN_HOOK", broken.as_str()),
    ];
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY];
    let secrets = ["slack-secret", "json-secret", "broken-secret"];

    let dry = setup.xtask(&args, &env).success();
    let shown = format!(
        "notify: on finish and on stop, slack to SLACK_HOOK ({base}/…), json to DEPLOY_HOOK ({base}/…), json to BROKEN_HOOK ({base}/…), json to UNSET_HOOK (not set: skipped)\n"
    );
    assert!(dry.stdout.contains(&shown), "{dry}");
    assert!(dry.stderr.contains("warning: notify: UNSET_HOOK is not set, so the json webhook will not be told about this release: set it to the webhook's URL\n"), "{dry}");
    assert!(receiver.requests().is_empty(), "a dry run notified");
    assert_no_url(&dry, &secrets);

    let run = setup.xtask(&[&args[..], &["--execute"]].concat(), &env).success();
    assert_released(&setup, &start);
    assert_eq!(
        bodies(&receiver, "/services/T1/B2/slack-secret"),
        [
            json!({ "text": "Released 0.2.0 to staging (tag v0.2.0): demo-core, demo-util, demo-app" })
        ]
    );
    let released = json!({
        "event": "released", "version": "0.2.0", "environment": "staging", "tag": "v0.2.0",
        "crates": ["demo-core", "demo-util", "demo-app"], "registry": "lk",
    });
    assert_eq!(bodies(&receiver, "/hooks/json-secret"), std::slice::from_ref(&released));
    assert_eq!(bodies(&receiver, "/broken/broken-secret"), [released]);
    assert_eq!(receiver.requests().len(), 3);
    assert!(
        run.stderr.contains(&format!("warning: notify: BROKEN_HOOK ({base}/…) answered HTTP 500; the release is not affected\n")),
        "{run}"
    );
    assert!(
        run.stderr.contains("warning: notify: UNSET_HOOK is not set: nothing sent to it\n"),
        "{run}"
    );
    assert_no_url(&run, &secrets);

    // Nothing left to do: nobody is told again.
    setup.xtask(&[&args[..], &["--execute"]].concat(), &env).success();
    assert_eq!(receiver.requests().len(), 3);
}

#[test]
fn a_stopped_release_sends_the_step_the_error_and_the_command_that_resumes() {
    let refused = Fault::Status { status: 403, retry_after: None };
    let setup = Setup::new(Faults::none().on(Route::Publish, 2, refused));
    let start = setup.git(&["rev-parse", "HEAD"]);
    let receiver = receiver();
    let hook = format!("{}/hooks/deploy-secret", receiver.url());
    let slack = format!("{}/services/slack-secret", receiver.url());
    let env = [
        ("LAUNCHKIT_NOTIFY", "json:DEPLOY_HOOK,slack:SLACK_HOOK"),
        ("DEPLOY_HOOK", hook.as_str()),
        ("SLACK_HOOK", slack.as_str()),
    ];
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    let resume = "LAUNCHKIT_NOTIFY=json:DEPLOY_HOOK,slack:SLACK_HOOK cargo xtask release minor --env staging --date 2025-06-02 --execute";

    // Before anything left the repository: the commit is refused, and it is put back.
    setup.hook(false, "pre-commit", "echo 'commits are frozen' >&2; exit 1");
    let run = setup.xtask(&args, &env).code(1);
    setup.unhook(false, "pre-commit");
    let stopped = bodies(&receiver, "/hooks/deploy-secret");
    assert_eq!(stopped.len(), 1, "{run}");
    assert_eq!(
        (&stopped[0]["event"], &stopped[0]["step"], &stopped[0]["restored"]),
        (&json!("stopped"), &json!("commit"), &json!(true))
    );
    assert_eq!(stopped[0]["resume"], resume);

    // After the push: the registry refuses the second upload.
    let run = setup.xtask(&args, &env).code(1);
    assert!(
        run.stderr.contains(&format!("the same command resumes the release: {resume}\n")),
        "{run}"
    );
    let stopped = bodies(&receiver, "/hooks/deploy-secret");
    assert_eq!(stopped.len(), 2, "{run}");
    let body = &stopped[1];
    assert_eq!(
        (&body["event"], &body["version"], &body["environment"], &body["step"], &body["restored"]),
        (&json!("stopped"), &json!("0.2.0"), &json!("staging"), &json!("publish"), &json!(false))
    );
    assert_eq!(body["crates"], json!(["demo-core", "demo-util", "demo-app"]));
    assert_eq!(body["resume"], resume);
    let error = body["error"].as_str().unwrap();
    // The publish engine's own reason: the crate, and the registry's refusal.
    assert!(error.starts_with("demo-util 0.2.0: ") && error.contains("403"), "{error}");
    assert_no_url(&run, &["deploy-secret", "slack-secret"]);
    let texts = bodies(&receiver, "/services/slack-secret");
    let text = texts[1]["text"].as_str().unwrap();
    assert!(
        text.starts_with(&format!("Release 0.2.0 to staging stopped at publish: {error}\n")),
        "{text}"
    );
    assert!(
        text.ends_with(&format!(
            "\nCrates: demo-core, demo-util, demo-app\nResume with: `{resume}`"
        )),
        "{text}"
    );
    assert!(
        texts[0]["text"]
            .as_str()
            .unwrap()
            .contains("\nThe repository was restored; nothing left it.\n")
    );

    // The command the notification gave (the same flags and variables) finishes it.
    let run = setup.xtask(&args, &env).success();
    assert_released(&setup, &start);
    let last = bodies(&receiver, "/hooks/deploy-secret").pop().unwrap();
    assert_eq!((&last["event"], &last["version"]), (&json!("released"), &json!("0.2.0")), "{run}");
}

#[test]
fn a_webhook_that_never_answers_is_given_up_on_and_the_release_finishes() {
    let setup = Setup::new(Faults::none());
    let start = setup.git(&["rev-parse", "HEAD"]);
    let silent = Silent::start();
    let url = format!("{}/hooks/silent-secret", silent.url());
    let env = [("LAUNCHKIT_NOTIFY", "json:SILENT_HOOK"), ("SILENT_HOOK", url.as_str())];
    let args = ["release", "minor", "--env", "staging", "--date", MONDAY, "--execute"];
    // Bounded: a webhook that held the release would fail the test, not hang it.
    let mut command = setup.command(&args);
    command.envs(env).stdout(Stdio::piped()).stderr(Stdio::piped());
    let child = command.spawn().unwrap();
    let pid = child.id().to_string();
    let (done, finished) = mpsc::channel();
    std::thread::spawn(move || done.send(child.wait_with_output()));
    let Ok(output) = finished.recv_timeout(Duration::from_secs(180)) else {
        let _ = std::process::Command::new("kill").arg(&pid).status();
        panic!("the release did not end within 3 minutes: the webhook held it");
    };
    let run = Run::checked(output.unwrap(), &[TOKEN, GITHUB_TOKEN]).success();
    assert_released(&setup, &start);
    let warning =
        format!("warning: notify: SILENT_HOOK ({}/…) could not be reached: ", silent.url());
    assert!(run.stderr.contains(&warning), "{run}");
    assert_no_url(&run, &["silent-secret"]);
}
