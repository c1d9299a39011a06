//! GitHub Actions rendering: workflow-command annotations and a markdown step summary.
//!
//! Annotations (`::error file=..,line=..::message`) go to standard output, where the runner
//! turns them into marks on the pull request diff. The summary is markdown meant to be
//! appended to the file named by `$GITHUB_STEP_SUMMARY`.

use std::fmt::Write;

use crate::{Finding, Report, Severity, Status};

/// One annotation per finding, plus one per failed step that has no finding of its own.
pub fn annotations(report: &Report) -> String {
    let mut out = String::new();
    for step in &report.steps {
        for finding in &step.findings {
            out.push_str(&annotation(&step.name, finding));
            out.push('\n');
        }
        if step.status == Status::Failed && step.findings.is_empty() {
            let why = step.reason.as_deref().or(step.command.as_deref()).unwrap_or("see the log");
            let _ = writeln!(
                out,
                "::error title={}::{}",
                escape_property(&format!("{} {}", report.command, step.name)),
                escape_data(&format!("step `{}` failed: {why}", step.name)),
            );
        }
    }
    out
}

/// `::error file=src/lib.rs,line=3,col=5,title=clippy::message`.
///
/// ```
/// use launchkit_report::{Finding, github};
///
/// let finding = Finding::warning("unused import").at("src/lib.rs", 3).column(5);
/// let line = github::annotation("clippy", &finding);
/// assert!(line.starts_with("::warning file=src/lib.rs,line=3,col=5,"));
/// assert!(line.ends_with("::unused import"));
/// ```
pub fn annotation(step: &str, finding: &Finding) -> String {
    let level = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "notice",
    };
    let mut properties = Vec::new();
    if let Some(path) = &finding.path {
        properties.push(format!("file={}", escape_property(path)));
        if let Some(line) = finding.line {
            properties.push(format!("line={line}"));
        }
        if let Some(column) = finding.column {
            properties.push(format!("col={column}"));
        }
    }
    let title = match &finding.rule {
        Some(rule) => format!("{step}: {rule}"),
        None => step.to_owned(),
    };
    properties.push(format!("title={}", escape_property(&title)));
    let mut message = finding.message.clone();
    if let Some(fix) = &finding.fix {
        let _ = write!(message, "\nfix: {fix}");
    }
    format!("::{level} {}::{}", properties.join(","), escape_data(&message))
}

/// A markdown table of the steps, for `$GITHUB_STEP_SUMMARY`.
pub fn step_summary(report: &Report) -> String {
    let mut out = String::new();
    let verdict = if report.passed() { "passed" } else { "failed" };
    let _ = writeln!(out, "### {} {verdict}\n", report.command);
    out.push_str("| step | status | time | findings |\n|---|---|---:|---:|\n");
    for step in &report.steps {
        let mut status = step.status_label().to_owned();
        if let Some(reason) = &step.reason {
            let _ = write!(status, ": {}", reason.replace('|', "\\|"));
        }
        let _ = writeln!(
            out,
            "| {} | {status} | {:.2}s | {} |",
            step.name,
            step.duration.as_secs_f64(),
            step.findings.len()
        );
    }
    out
}

/// Escapes a message as the runner expects: `%`, CR and LF.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value: the message escapes plus `:` and `,`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StepReport;

    #[test]
    fn annotations_carry_location_and_escape_text() {
        let finding = Finding::error("50% done,\nnot: good")
            .at("src/a,b.rs", 3)
            .column(5)
            .rule("clippy::x")
            .fix("do y");
        assert_eq!(
            annotation("clippy", &finding),
            "::error file=src/a%2Cb.rs,line=3,col=5,title=clippy%3A clippy%3A%3Ax::50%25 done,%0Anot: good%0Afix: do y"
        );
    }

    #[test]
    fn a_failed_step_without_findings_still_annotates() {
        let mut report = Report::new("preflight");
        let mut step = StepReport::new("build", Status::Failed);
        step.command = Some("cargo build --release".into());
        report.steps.push(step);
        assert_eq!(
            annotations(&report),
            "::error title=preflight build::step `build` failed: cargo build --release\n"
        );
        let summary = step_summary(&report);
        assert!(summary.contains("| build | failed | 0.00s | 0 |"), "{summary}");
    }
}
