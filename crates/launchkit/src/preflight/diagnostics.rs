//! Turns tool output into findings: cargo's JSON diagnostics, test failures, rustfmt diffs.

use std::collections::HashSet;

use cargo_metadata::Message;
use cargo_metadata::diagnostic::{Diagnostic, DiagnosticLevel};
use launchkit_report::{Finding, Severity};

/// Findings from cargo's `--message-format=json` stream: one per error or warning that
/// points into a file, deduplicated (clippy reports a lib's lint once per target).
/// Also returns the human rendering of every diagnostic, for the step's output.
pub fn compiler(stdout: &str) -> (Vec<Finding>, String) {
    let mut findings = Vec::new();
    let mut rendered = String::new();
    let mut seen = HashSet::new();
    for message in Message::parse_stream(stdout.as_bytes()).flatten() {
        let Message::CompilerMessage(message) = message else {
            continue;
        };
        let diagnostic = message.message;
        if let Some(text) = &diagnostic.rendered {
            rendered.push_str(text);
        }
        let Some(finding) = compiler_finding(&diagnostic) else {
            continue;
        };
        if seen.insert((finding.location(), finding.message.clone())) {
            findings.push(finding);
        }
    }
    (findings, rendered)
}

fn compiler_finding(diagnostic: &Diagnostic) -> Option<Finding> {
    let severity = match diagnostic.level {
        DiagnosticLevel::Error | DiagnosticLevel::Ice => Severity::Error,
        DiagnosticLevel::Warning => Severity::Warning,
        _ => return None,
    };
    let span = diagnostic.spans.iter().find(|span| span.is_primary)?;
    let mut finding = Finding::new(severity, &diagnostic.message)
        .at(&span.file_name, span.line_start as u32)
        .column(span.column_start as u32);
    if let Some(code) = &diagnostic.code {
        finding = finding.rule(&code.code);
    }
    let help = diagnostic.children.iter().find(|child| child.level == DiagnosticLevel::Help);
    if let Some(help) = help {
        let replacement = help.spans.iter().find_map(|span| span.suggested_replacement.as_deref());
        finding = finding.fix(match replacement {
            Some(code) if !code.is_empty() => format!("{}: `{}`", help.message, code.trim()),
            _ => help.message.clone(),
        });
    }
    Some(finding)
}

/// Findings from libtest or nextest output: each panic with its location, and each
/// failed doc test at the line of its code block.
pub fn tests(output: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut seen = HashSet::new();
    let lines: Vec<&str> = output.lines().collect();
    for (index, line) in lines.iter().enumerate() {
        let line = line.trim();
        let finding = if let Some((test, path, line_no, column)) = panic_location(line) {
            // Doc tests panic in their own `main`; their header below names them better.
            if test == "main" {
                continue;
            }
            let detail = lines.get(index + 1).map(|next| next.trim()).unwrap_or_default();
            Finding::error(format!("test `{test}` failed: {detail}"))
                .at(path, line_no)
                .column(column)
        } else if let Some((path, item, line_no)) = doc_test_header(line) {
            Finding::error(format!("doc test `{item}` failed")).at(path, line_no)
        } else {
            continue;
        };
        if seen.insert((finding.location(), finding.message.clone())) {
            findings.push(finding);
        }
    }
    findings
}

/// `thread 'tests::adds' panicked at core/src/lib.rs:23:9:`, or since Rust 1.92 with the
/// thread id: `thread 'tests::adds' (6341) panicked at ...`.
fn panic_location(line: &str) -> Option<(&str, &str, u32, u32)> {
    let rest = line.strip_prefix("thread '")?;
    let (test, rest) = rest.split_once("' ")?;
    let rest = match rest.strip_prefix('(') {
        Some(id) => id.split_once(") ")?.1,
        None => rest,
    };
    let rest = rest.strip_prefix("panicked at ")?;
    let location = rest.trim_end_matches(':');
    let mut parts = location.rsplitn(3, ':');
    let column = parts.next()?.parse().ok()?;
    let line_no = parts.next()?.parse().ok()?;
    let path = parts.next()?;
    Some((test, path, line_no, column))
}

/// `---- core/src/lib.rs - add (line 5) stdout ----`: the path, item and line of a
/// failed doc test.
pub fn doc_test_header(line: &str) -> Option<(&str, &str, u32)> {
    let inner = line.strip_prefix("---- ")?.strip_suffix(" stdout ----")?;
    let (path, rest) = inner.split_once(" - ")?;
    let (item, line_part) = rest.rsplit_once(" (line ")?;
    let line_no = line_part.strip_suffix(')')?.parse().ok()?;
    Some((path, item, line_no))
}

/// Findings from `cargo fmt --check` (`Diff in /abs/path/src/lib.rs:28:`), with paths
/// made relative by `relative`.
pub fn rustfmt(output: &str, relative: impl Fn(&str) -> String) -> Vec<Finding> {
    output
        .lines()
        .filter_map(|line| {
            let location = line.strip_prefix("Diff in ")?.strip_suffix(':')?;
            let (path, line_no) = location.rsplit_once(':')?;
            let line_no = line_no.parse().ok()?;
            Some(
                Finding::error("not formatted as rustfmt would")
                    .at(relative(path), line_no)
                    .rule("rustfmt")
                    .fix("run `cargo fmt --all`"),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_and_doc_tests_become_findings() {
        let output = "\
---- tests::adds stdout ----

thread 'tests::adds' (6341) panicked at core/src/lib.rs:23:9:
assertion `left == right` failed
---- core/src/lib.rs - add (line 5) stdout ----
thread 'main' panicked at core/src/lib.rs:7:1:
thread 'tests::old' panicked at app/src/lib.rs:2:3:
boom
";
        let findings = tests(output);
        assert_eq!(findings.len(), 3, "{findings:?}");
        assert_eq!(findings[0].location().unwrap(), "core/src/lib.rs:23:9");
        assert_eq!(
            findings[0].message,
            "test `tests::adds` failed: assertion `left == right` failed"
        );
        assert_eq!(findings[1].location().unwrap(), "core/src/lib.rs:5");
        assert_eq!(findings[1].message, "doc test `add` failed");
        assert_eq!(findings[2].message, "test `tests::old` failed: boom");
    }

    #[test]
    fn rustfmt_diffs_become_findings() {
        let findings = rustfmt("Diff in /w/core/src/lib.rs:28:\n-x\n+y\n", |path| {
            path.trim_start_matches("/w/").to_owned()
        });
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].location().unwrap(), "core/src/lib.rs:28");
    }
}
