//! Plain-text rendering for terminals: a line per step, its findings, a summary table.

use std::fmt::Write;
use std::time::Duration;

use crate::{Finding, Report, Severity, Status, StepReport};

/// How much of a failing tool's output to show: the end, where the error is.
const OUTPUT_TAIL_LINES: usize = 60;

/// One line for a finished step: `failed   clippy            3.21s`.
pub fn step_line(step: &StepReport) -> String {
    let mut line =
        format!("{:<16} {:<12} {:>8}", step.status_label(), step.name, seconds(step.duration));
    if let Some(reason) = &step.reason {
        let _ = write!(line, "  {reason}");
    }
    line
}

/// The findings of a step and, when it failed, the end of the tool's output.
/// Empty for a step with nothing to show.
pub fn step_details(step: &StepReport) -> String {
    let mut out = String::new();
    for finding in &step.findings {
        out.push_str(&finding_line(finding));
        out.push('\n');
    }
    let output = step.output.as_deref().filter(|output| !output.trim().is_empty());
    let Some(output) = output.filter(|_| step.status == Status::Failed) else {
        return out;
    };
    let lines: Vec<&str> = output.trim_end().lines().collect();
    let start = lines.len().saturating_sub(OUTPUT_TAIL_LINES);
    if let Some(command) = &step.command {
        let _ = writeln!(out, "  output of `{command}`:");
    }
    if start > 0 {
        let _ = writeln!(out, "    ... {start} earlier lines");
    }
    for line in &lines[start..] {
        let _ = writeln!(out, "    {line}");
    }
    out
}

/// `  src/lib.rs:3:5: error[clippy::needless_return]: message`, then the fix, if any, on
/// a line of its own.
///
/// ```
/// use launchkit_report::{Finding, human};
///
/// let finding = Finding::warning("unused import").at("src/lib.rs", 3).column(5).rule("unused_imports");
/// assert_eq!(human::finding_line(&finding), "  src/lib.rs:3:5: warning[unused_imports]: unused import");
/// let with_fix = finding.fix("remove it");
/// assert!(human::finding_line(&with_fix).ends_with("unused import\n    fix: remove it"));
/// ```
pub fn finding_line(finding: &Finding) -> String {
    let mut line = String::from("  ");
    if let Some(location) = finding.location() {
        let _ = write!(line, "{location}: ");
    }
    line.push_str(finding.severity.as_str());
    if let Some(rule) = &finding.rule {
        let _ = write!(line, "[{rule}]");
    }
    let _ = write!(line, ": {}", finding.message);
    if let Some(fix) = &finding.fix {
        let _ = write!(line, "\n    fix: {fix}");
    }
    line
}

/// The closing table: every step with status, time and finding count, then a verdict,
/// then each failed step's command again so it is the last thing on screen.
pub fn summary(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{:<12} {:<16} {:>8} {:>9}", "step", "status", "time", "findings");
    for step in &report.steps {
        let _ = writeln!(
            out,
            "{:<12} {:<16} {:>8} {:>9}",
            step.name,
            step.status_label(),
            seconds(step.duration),
            step.findings.len()
        );
    }
    let verdict = if report.passed() { "passed" } else { "FAILED" };
    let _ = writeln!(
        out,
        "{} {verdict}: {} passed, {} failed, {} warnings, {} skipped in {}",
        report.command,
        report.count(Status::Passed),
        report.count(Status::Failed),
        report.count(Status::Warning),
        report.count(Status::Skipped),
        seconds(report.duration()),
    );
    for step in report.steps.iter().filter(|step| step.status == Status::Failed) {
        // The command to run again, else why it failed, else what it found first.
        let first_error = || {
            let error = step.findings.iter().find(|finding| finding.severity == Severity::Error);
            error.map(|finding| finding.message.clone())
        };
        let why = step
            .command
            .as_deref()
            .map(|command| format!("`{command}`"))
            .or_else(|| step.reason.clone())
            .or_else(first_error)
            .unwrap_or_default();
        let _ = writeln!(out, "  {} failed: {why}", step.name);
    }
    out
}

fn seconds(duration: Duration) -> String {
    format!("{:.2}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Finding;

    #[test]
    fn summary_lists_steps_and_repeats_failures() {
        let mut report = Report::new("preflight");
        let mut fmt = StepReport::new("fmt", Status::Passed);
        fmt.cached = true;
        report.steps.push(fmt);
        let mut test = StepReport::new("test", Status::Failed);
        test.command = Some("cargo test --workspace".into());
        test.findings.push(Finding::error("test `it_works` failed").at("src/lib.rs", 9));
        report.steps.push(test);

        let mut token = StepReport::new("token", Status::Failed);
        token.findings.push(Finding::warning("first, but a warning"));
        token.findings.push(Finding::error("no token for `lk`"));
        report.steps.push(token);

        let text = summary(&report);
        assert!(text.contains("fmt          passed (cached)"), "{text}");
        assert!(text.contains("preflight FAILED: 1 passed, 2 failed"), "{text}");
        assert!(
            text.ends_with(
                "  test failed: `cargo test --workspace`\n  token failed: no token for `lk`\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn details_show_findings_and_the_end_of_the_output() {
        let mut step = StepReport::new("test", Status::Failed);
        step.command = Some("cargo test".into());
        step.output = Some((1..=100).map(|i| format!("line {i}\n")).collect());
        step.findings.push(Finding::error("boom").at("src/lib.rs", 2).fix("fix it"));
        let text = step_details(&step);
        assert!(text.starts_with("  src/lib.rs:2: error: boom\n    fix: fix it\n"), "{text}");
        assert!(text.contains("... 40 earlier lines"), "{text}");
        assert!(text.contains("    line 100\n") && !text.contains("line 40\n"), "{text}");
    }
}
