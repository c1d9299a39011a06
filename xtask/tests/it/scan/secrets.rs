//! `secrets` end to end. Credentials are synthetic and built at run time, so no
//! committed file holds one.

use serde_json::Value;
use xshell::{Shell, cmd};

use super::{findings, github_token, random, repo_root, step, triples};
use crate::support::{Fixture, xtask};

#[test]
fn secrets_reports_tokens_and_env_files_redacted_and_honours_the_ignore_file() {
    let fixture = Fixture::new("clean");
    let token = github_token();
    let npm = concat!("np", "m_").to_owned() + &random(36);
    fixture.write("deploy/settings.toml", format!("[publish]\ntoken = \"{token}\"\n"));
    let allowed =
        format!("Revoked: `{}` <!-- launchkit:allow: kept as an example -->\n", github_token());
    fixture.write("docs/allowed.md", allowed);
    fixture.write(".env", "API_URL=https://api.example.invalid\n");
    fixture.commit("add settings");
    fixture.write(".env.local", "DEBUG=1\n");
    fixture.write("notes.txt", format!("npm token for later: {npm}\n"));

    let run = fixture.xtask(&["preflight", "--only", "secrets", "--format", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let secrets = step(&run);
    assert_eq!(secrets["status"], "failed");
    let mut found = findings(&secrets);
    found.sort();
    let expected = [
        (".env", "error", "env-file"),
        (".env.local", "warning", "env-file"),
        ("deploy/settings.toml:2", "error", "github-token"),
        ("notes.txt:1", "warning", "npm-token"),
    ];
    let expected = triples(&expected);
    assert_eq!(found, expected, "{}", run.stdout);
    for secret in [&token, &npm] {
        assert!(!run.stdout.contains(&secret[4..]) && !run.stderr.contains(&secret[4..]), "leaked");
    }
    let settings = secrets["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "github-token")
        .unwrap();
    assert_eq!(settings["message"], "GitHub token ghp_**** (40 characters)");

    // The fingerprint shown in the fix silences that finding.
    let fix = settings["fix"].as_str().unwrap();
    let fingerprint = fix
        .split('`')
        .find(|part| part.len() == 16 && part.bytes().all(|b| b.is_ascii_hexdigit()))
        .unwrap();
    fixture.write(
        ".launchkit/secrets-ignore",
        format!("# test fixture\n{fingerprint}  settings example\n"),
    );
    let run = fixture.xtask(&["preflight", "--only", "secrets", "--format", "json"]);
    let secrets = step(&run);
    assert!(findings(&secrets).iter().all(|(location, ..)| location != "deploy/settings.toml:2"));
    assert!(
        secrets["reason"].as_str().unwrap().ends_with(", 1 ignored by .launchkit/secrets-ignore")
    );
}

#[test]
fn history_finds_a_secret_that_the_files_no_longer_hold() {
    let fixture = Fixture::new("clean");
    fixture.write(
        "ci/release.sh",
        format!("#!/bin/sh\nexport GITHUB_TOKEN={}\ncargo publish\n", github_token()),
    );
    // A Latin-1 file: history is not all UTF-8.
    std::fs::write(fixture.root.join("legacy.txt"), b"caf\xe9 cr\xe8me\n").unwrap();
    fixture.commit("add release script");
    fixture.write("ci/release.sh", "#!/bin/sh\ncargo publish\n");
    fixture.commit("read the token from the environment");

    let now = fixture.xtask(&["preflight", "--only", "secrets", "--format", "json", "--no-cache"]);
    assert_eq!(
        (now.code, step(&now)["status"].clone()),
        (0, Value::from("passed")),
        "{}",
        now.stdout
    );

    let run = fixture.xtask(&["preflight", "--only", "secrets", "--format", "json", "--history"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let secrets = step(&run);
    assert_eq!(findings(&secrets), triples(&[("ci/release.sh:2", "error", "github-token")]));
    let sh = Shell::new().unwrap();
    sh.change_dir(&fixture.root);
    let added = cmd!(sh, "git rev-parse HEAD~1").read().unwrap();
    let message = secrets["findings"][0]["message"].as_str().unwrap();
    assert!(message.ends_with(&format!("added in commit {}", &added[..12])), "{message}");
    assert!(secrets["reason"].as_str().unwrap().contains("commits of history"));
}

#[test]
fn the_secrets_step_passes_on_this_repository() {
    let run = xtask(
        &repo_root(),
        &["preflight", "--only", "secrets", "--format", "json", "--no-cache"],
        &[],
    );
    let secrets = step(&run);
    assert_eq!(secrets["status"], "passed", "{}", run.stdout);
    assert_eq!(run.code, 0);
}

#[test]
fn a_run_from_a_members_folder_scans_the_whole_workspace() {
    let fixture = Fixture::new("clean");
    fixture.write("deploy/settings.toml", format!("[publish]\ntoken = \"{}\"\n", github_token()));
    fixture.commit("add settings");
    let args = ["preflight", "--only", "secrets", "--format", "json", "--no-cache"];
    let run = xtask(&fixture.root.join("app"), &args, &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    let expected = triples(&[("deploy/settings.toml:2", "error", "github-token")]);
    assert_eq!(findings(&step(&run)), expected, "{}", run.stdout);
}
