//! The JSON rendering: one document per run, shaped as `docs/report.schema.json` says.

use crate::Report;

/// The report as one pretty-printed JSON document.
///
/// ```
/// use launchkit_report::{Finding, Report, Status, StepReport, json};
///
/// let mut step = StepReport::new("links", Status::Failed);
/// step.findings.push(Finding::error("`guide.md` does not exist").at("README.md", 7));
/// let mut report = Report::new("preflight");
/// report.steps.push(step);
///
/// let document = json::render(&report);
/// assert!(document.contains(r#""status": "failed""#));
/// assert!(document.contains(r#""line": 7"#));
/// assert_eq!(json::parse(&document).unwrap(), report);
/// ```
pub fn render(report: &Report) -> String {
    // Serializing plain data into a String cannot fail.
    serde_json::to_string_pretty(report).expect("a report serializes")
}

/// Reads a document written by [`render`].
pub fn parse(text: &str) -> Result<Report, serde_json::Error> {
    serde_json::from_str(text)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{Finding, Status, StepReport};

    #[test]
    fn round_trips() {
        let mut report = Report::new("preflight");
        let mut step = StepReport::new("clippy", Status::Failed);
        step.duration = Duration::from_millis(1234);
        step.findings.push(Finding::error("needless return").at("src/lib.rs", 3).column(5));
        report.steps.push(step);
        let text = render(&report);
        assert!(text.contains("\"duration_ms\": 1234"), "{text}");
        assert!(text.contains("\"status\": \"failed\""), "{text}");
        assert_eq!(parse(&text).unwrap(), report);
    }
}
