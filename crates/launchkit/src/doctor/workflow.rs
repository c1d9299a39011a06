//! Doctor's `workflow` check: the GitHub Actions workflow that releases can publish with
//! trusted publishing. It needs `permissions: id-token: write` (at the top or on the job)
//! and must not be started by `workflow_run`, which registries refuse to trust.
//!
//! Workflows are read line by line, by indentation, rather than with a YAML library: the
//! check needs three keys (`on`, `permissions`, `jobs.ID.permissions`) in the block and
//! flow forms GitHub's own examples use, and the project has no YAML parser to reuse
//! (serde_yaml is unmaintained; a maintained one adds a parser and its compile time to
//! every build of the xtask). A workflow in a form this reader does not follow (anchors,
//! multi-line flow collections) is reported as unreadable, never passed.

use std::path::Path;

use launchkit_report::Finding;

/// A release workflow's problems, found in `text` (the file at `path`). `needs_identity`
/// is false when the environment never uses trusted publishing. `None` when no job
/// of the workflow releases or publishes.
pub fn check(path: &str, text: &str, needs_identity: bool) -> Option<Vec<Finding>> {
    let lines = lines(text);
    let top = entries(&lines, 0, lines.len());
    let releasing = releasing_jobs(&lines, &top);
    if releasing.is_empty() {
        return None;
    }
    let mut findings = Vec::new();
    let unreadable = |line: u32, what: &str| {
        Finding::warning(format!(
            "cannot read {what} of {path}: the form is not one this check follows"
        ))
        .at(path, line)
        .rule("doctor::workflow")
        .fix("write it as a block mapping (`key: value` lines) or a one-line flow collection")
    };
    if let Some(on) = top.iter().find(|entry| entry.key == "on") {
        match triggers(&lines, on) {
            Some(events) => {
                if let Some((_, line)) = events.iter().find(|(event, _)| event == "workflow_run") {
                    findings.push(
                        Finding::error(format!("{path} is started by `workflow_run`: registries refuse trusted publishing from it, and it runs with the base repository's secrets"))
                            .at(path, *line)
                            .rule("doctor::workflow")
                            .fix(format!("start the release with `workflow_dispatch` (or a tag push), as the workflow `{} init` writes", crate::output::program())),
                    );
                }
            }
            None => findings.push(unreadable(on.line, "`on`")),
        }
    }
    if needs_identity {
        for (job, identity) in identities(&lines, &top, &releasing) {
            findings.extend(match identity {
                Identity::Granted => None,
                Identity::Missing { line, what } => Some(missing_identity(path, line, job, what)),
                Identity::Unreadable { line } => Some(unreadable(line, "`permissions`")),
            });
        }
    }
    Some(findings)
}

/// True when the repository at `root` releases with trusted publishing: a GitHub
/// workflow's releasing job has `id-token: write`, or `.gitlab-ci.yml` asks for
/// `id_tokens`.
pub fn trusted_release(root: &Path) -> bool {
    let gitlab = std::fs::read_to_string(root.join(".gitlab-ci.yml"));
    if gitlab.is_ok_and(|text| gitlab_identity(&text)) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(root.join(".github/workflows")) else { return false };
    entries
        .filter_map(|entry| std::fs::read_to_string(entry.ok()?.path()).ok())
        .any(|text| releases_with_identity(&text))
}

/// True when a `.gitlab-ci.yml` asks for an identity token (`id_tokens:`).
fn gitlab_identity(text: &str) -> bool {
    lines(text).iter().any(|line| line.text == "id_tokens:")
}

/// True when `text` is a workflow with a job that releases or publishes with
/// `id-token: write`.
fn releases_with_identity(text: &str) -> bool {
    let lines = lines(text);
    let top = entries(&lines, 0, lines.len());
    let releasing = releasing_jobs(&lines, &top);
    identities(&lines, &top, &releasing).iter().any(|(_, id)| matches!(id, Identity::Granted))
}

/// Whether a job gets an identity for trusted publishing.
enum Identity {
    Granted,
    Missing { line: u32, what: &'static str },
    Unreadable { line: u32 },
}

/// The jobs (entries under `jobs`) that run a release or a publish.
fn releasing_jobs(lines: &[Line], top: &[Entry]) -> Vec<Entry> {
    let Some(jobs) = top.iter().find(|entry| entry.key == "jobs") else { return Vec::new() };
    entries(lines, jobs.children.0, jobs.children.1)
        .into_iter()
        .filter(|job| releases(&lines[job.children.0..job.children.1]))
        .collect()
}

/// Each releasing job's identity: its own `permissions`, else the workflow's.
fn identities<'a>(lines: &[Line], top: &[Entry], jobs: &'a [Entry]) -> Vec<(&'a str, Identity)> {
    let top_permissions = top.iter().find(|entry| entry.key == "permissions");
    let identity = |job: &Entry| {
        let own = entries(lines, job.children.0, job.children.1)
            .into_iter()
            .find(|entry| entry.key == "permissions");
        let Some(permissions) = own.as_ref().or(top_permissions) else {
            return Identity::Missing { line: job.line, what: "has no `permissions`" };
        };
        match id_token(lines, permissions) {
            Some(true) => Identity::Granted,
            Some(false) => Identity::Missing {
                line: permissions.line,
                what: "has no `id-token: write` permission",
            },
            None => Identity::Unreadable { line: permissions.line },
        }
    };
    jobs.iter().map(|job| (job.key.as_str(), identity(job))).collect()
}

fn missing_identity(path: &str, line: u32, job: &str, what: &str) -> Finding {
    Finding::error(format!(
        "job `{job}` of {path} {what}, so it gets no identity for trusted publishing"
    ))
    .at(path, line)
    .rule("doctor::workflow")
    .fix("add `id-token: write` under the workflow's (or the job's) `permissions:`, beside `contents: write`")
}

/// The job runs a release or a publish.
fn releases(lines: &[Line]) -> bool {
    lines.iter().any(|line| {
        ["xtask release", "xtask publish", "cargo publish"]
            .iter()
            .any(|cmd| line.text.contains(cmd))
    })
}

/// A line without its comment, with its indentation and 1-based number.
struct Line<'a> {
    number: u32,
    indent: usize,
    text: &'a str,
}

/// A `key: value` of a block mapping: the inline value, and the lines below it.
struct Entry {
    key: String,
    value: String,
    line: u32,
    /// The range of lines indented below the key.
    children: (usize, usize),
}

/// The lines that carry content: comments, blank lines and document markers left out.
fn lines(text: &str) -> Vec<Line<'_>> {
    text.lines()
        .enumerate()
        .filter_map(|(index, raw)| {
            let content = strip_comment(raw).trim_end();
            let text = content.trim_start();
            (!text.is_empty() && text != "---").then(|| Line {
                number: u32::try_from(index + 1).unwrap_or(u32::MAX),
                indent: content.len() - text.len(),
                text,
            })
        })
        .collect()
}

/// `raw` up to a `#` that starts a comment (at the start or after a space, outside quotes).
fn strip_comment(raw: &str) -> &str {
    let mut quote = None;
    let mut previous = ' ';
    for (at, c) in raw.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(open), _) if c == open => quote = None,
            (None, '#') if previous.is_whitespace() => return &raw[..at],
            _ => {}
        }
        previous = c;
    }
    raw
}

/// The mapping entries among `lines[start..end]` at the smallest indentation there.
fn entries(lines: &[Line], start: usize, end: usize) -> Vec<Entry> {
    let Some(indent) = lines[start..end].iter().map(|line| line.indent).min() else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for at in start..end {
        let line = &lines[at];
        if line.indent != indent {
            continue;
        }
        let Some((key, value)) = key_value(line.text) else { continue };
        let below = lines[at + 1..end].iter().take_while(|next| next.indent > indent).count();
        found.push(Entry { key, value, line: line.number, children: (at + 1, at + 1 + below) });
    }
    found
}

/// `key: value` with the key unquoted; `None` for a line that is no mapping entry.
fn key_value(text: &str) -> Option<(String, String)> {
    if text.starts_with("- ") || text == "-" {
        return None;
    }
    let at = text.find(": ").or_else(|| text.ends_with(':').then(|| text.len() - 1))?;
    let key = unquote(&text[..at]);
    Some((key.to_owned(), text[at + 1..].trim().to_owned()))
}

fn unquote(text: &str) -> &str {
    let text = text.trim();
    for quote in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(quote).and_then(|rest| rest.strip_suffix(quote)) {
            return inner;
        }
    }
    text
}

/// The items of a one-line flow collection (`[a, b]` or `{a: b}`); `None` for another
/// value.
fn flow(value: &str) -> Option<Vec<&str>> {
    let inner = value
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .or_else(|| value.strip_prefix('{').and_then(|rest| rest.strip_suffix('}')))?;
    Some(inner.split(',').map(str::trim).filter(|item| !item.is_empty()).collect())
}

/// The events of `on` with their lines: a scalar, a flow list or map, a block list or a
/// block mapping. `None` when the form is not one of those.
fn triggers(lines: &[Line], on: &Entry) -> Option<Vec<(String, u32)>> {
    let event = |item: &str| unquote(item.split(':').next().unwrap_or(item)).to_owned();
    if !on.value.is_empty() {
        if let Some(items) = flow(&on.value) {
            return Some(items.into_iter().map(|item| (event(item), on.line)).collect());
        }
        let plain = on.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        return plain.then(|| vec![(event(&on.value), on.line)]);
    }
    let children = &lines[on.children.0..on.children.1];
    let indent = children.iter().map(|line| line.indent).min()?;
    let listed = children.iter().filter(|line| line.indent == indent);
    let events: Vec<(String, u32)> = listed
        .map(|line| (event(line.text.strip_prefix("- ").unwrap_or(line.text)), line.number))
        .collect();
    Some(events)
}

/// Whether `permissions` grants `id-token: write`: `write-all`, a flow map or a block
/// mapping. `None` when the form is not one of those.
fn id_token(lines: &[Line], permissions: &Entry) -> Option<bool> {
    let grants = |key: &str, value: &str| unquote(key) == "id-token" && unquote(value) == "write";
    match permissions.value.as_str() {
        "write-all" => Some(true),
        "read-all" | "{}" => Some(false),
        "" => Some(
            entries(lines, permissions.children.0, permissions.children.1)
                .iter()
                .any(|entry| grants(&entry.key, &entry.value)),
        ),
        value => flow(value).map(|items| {
            items.iter().any(|item| item.split_once(':').is_some_and(|(k, v)| grants(k, v.trim())))
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::check;

    fn messages(text: &str) -> Vec<String> {
        let findings = check(".github/workflows/release.yml", text, true).expect("a release");
        findings.iter().map(|f| format!("{}: {}", f.line.unwrap_or(0), f.message)).collect()
    }

    const JOB: &str = "jobs:\n  release:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          cargo xtask release \"$LEVEL\" --execute\n";

    #[test]
    fn the_release_workflow_init_writes_passes() {
        let (path, text) = crate::init::workflows::GITHUB[1];
        assert_eq!(path, ".github/workflows/release.yml");
        assert_eq!(messages(text), Vec::<String>::new());
    }

    #[test]
    fn the_templates_release_with_an_identity_and_preflight_does_not() {
        use crate::init::workflows::{GITHUB, GITLAB};
        assert!(super::releases_with_identity(GITHUB[1].1));
        assert!(!super::releases_with_identity(GITHUB[0].1));
        assert!(super::gitlab_identity(GITLAB.1));
        assert!(!super::gitlab_identity("release:\n  script:\n    - cargo xtask release patch\n"));
        let without = format!("on: workflow_dispatch\npermissions:\n  contents: write\n{JOB}");
        assert!(!super::releases_with_identity(&without));
    }

    #[test]
    fn workflow_run_and_a_missing_identity_are_found_in_every_form() {
        let block = format!(
            "on:\n  workflow_run:\n    workflows: [ci]\npermissions:\n  contents: write\n{JOB}"
        );
        assert_eq!(
            messages(&block),
            [
                "2: .github/workflows/release.yml is started by `workflow_run`: registries refuse trusted publishing from it, and it runs with the base repository's secrets",
                "4: job `release` of .github/workflows/release.yml has no `id-token: write` permission, so it gets no identity for trusted publishing",
            ]
        );
        let flows = format!(
            "\"on\": [push, 'workflow_run']  # both\npermissions: {{ contents: write, id-token: write }}\n{JOB}"
        );
        assert_eq!(messages(&flows).len(), 1, "{:?}", messages(&flows));
        let listed =
            format!("on:\n  - workflow_dispatch\n  - workflow_run\npermissions: write-all\n{JOB}");
        assert_eq!(messages(&listed).len(), 1);
        assert!(messages(&listed)[0].starts_with("3: "));
        // No permissions at all: the job gets none of id-token.
        assert_eq!(messages(&format!("on: workflow_dispatch\n{JOB}")).len(), 1);
        // The job's own permissions replace the workflow's.
        let own = format!(
            "on: workflow_dispatch\npermissions:\n  contents: read\n{JOB}    permissions:\n      id-token: write # for trusted publishing\n"
        );
        assert_eq!(messages(&own), Vec::<String>::new());
    }

    #[test]
    fn other_workflows_and_forms_it_cannot_read_are_not_passed_silently() {
        let ci = "on: [pull_request]\njobs:\n  test:\n    steps:\n      - run: cargo test\n";
        assert!(check("ci.yml", ci, true).is_none());
        let anchored = format!("on: workflow_dispatch\npermissions: *shared\n{JOB}");
        assert!(messages(&anchored)[0].contains("cannot read `permissions`"));
        let never = format!("on: workflow_dispatch\n{JOB}");
        assert!(check("r.yml", &never, false).unwrap().is_empty());
    }
}
