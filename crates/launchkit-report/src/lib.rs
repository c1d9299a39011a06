//! Findings and step reports shared by every launchkit check, and their renderers.
//!
//! A check returns [`Finding`]s; a task groups them into [`StepReport`]s inside a
//! [`Report`]. The renderers turn a report into text for a terminal ([`human`]), one JSON
//! document ([`json`]), or GitHub Actions annotations and a step summary ([`github`]).
//! Nothing here prints: the caller decides where the text goes.
//!
//! # Example
//!
//! A step that found an unformatted file, rendered for a terminal and as JSON:
//!
//! ```
//! use launchkit_report::{Finding, Report, Status, StepReport, human, json};
//!
//! let mut fmt = StepReport::new("fmt", Status::Failed);
//! fmt.findings.push(
//!     Finding::error("unformatted code").at("src/lib.rs", 3).rule("rustfmt").fix("run `cargo fmt`"),
//! );
//! let mut report = Report::new("preflight");
//! report.steps.push(StepReport::new("clippy", Status::Passed));
//! report.steps.push(fmt);
//! assert!(!report.passed());
//!
//! let details = human::step_details(&report.steps[1]);
//! assert_eq!(details, "  src/lib.rs:3: error[rustfmt]: unformatted code\n    fix: run `cargo fmt`\n");
//! let summary = human::summary(&report);
//! assert!(summary.lines().any(|line| line.starts_with("fmt") && line.contains("failed")));
//!
//! let document = json::render(&report);
//! assert!(document.contains(r#""command": "preflight""#));
//! assert_eq!(json::parse(&document).unwrap(), report);
//! ```

/// The README's example, run as a doc test so that it stays true.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

pub mod github;
pub mod human;
pub mod json;

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks the release.
    Error,
    /// Worth a look; blocks only in strict mode.
    Warning,
    /// Information.
    Note,
}

impl Severity {
    /// The lowercase name used in every rendering.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// One problem found by a check, located as precisely as the check knows.
///
/// ```
/// use launchkit_report::{Finding, Severity};
///
/// let finding = Finding::error("`demo` has no `description`")
///     .at("Cargo.toml", 1)
///     .rule("package")
///     .fix("add `description = \"...\"` under [package]");
/// assert_eq!(finding.severity, Severity::Error);
/// assert_eq!(finding.location().as_deref(), Some("Cargo.toml:1"));
/// assert_eq!(Finding::warning("no tests").location(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// File the finding is about, relative to the workspace root, with `/` separators.
    pub path: Option<String>,
    /// 1-based line.
    pub line: Option<u32>,
    /// 1-based column.
    pub column: Option<u32>,
    /// How serious it is.
    pub severity: Severity,
    /// Which rule or lint produced it, such as `clippy::needless_return`.
    pub rule: Option<String>,
    /// What is wrong, in one line.
    pub message: String,
    /// What to do about it, when known.
    pub fix: Option<String>,
}

impl Finding {
    /// A finding of the given severity with no location yet.
    pub fn new(severity: Severity, message: impl Into<String>) -> Finding {
        Finding {
            path: None,
            line: None,
            column: None,
            severity,
            rule: None,
            message: message.into(),
            fix: None,
        }
    }

    /// An error finding.
    pub fn error(message: impl Into<String>) -> Finding {
        Finding::new(Severity::Error, message)
    }

    /// A warning finding.
    pub fn warning(message: impl Into<String>) -> Finding {
        Finding::new(Severity::Warning, message)
    }

    /// Locates the finding at a file and line.
    pub fn at(mut self, path: impl Into<String>, line: u32) -> Finding {
        self.path = Some(path.into());
        self.line = Some(line);
        self
    }

    /// Locates the finding in a file without a line.
    pub fn in_file(mut self, path: impl Into<String>) -> Finding {
        self.path = Some(path.into());
        self
    }

    /// Sets the column.
    pub fn column(mut self, column: u32) -> Finding {
        self.column = Some(column);
        self
    }

    /// Names the rule that produced it.
    pub fn rule(mut self, rule: impl Into<String>) -> Finding {
        self.rule = Some(rule.into());
        self
    }

    /// Says how to fix it.
    pub fn fix(mut self, fix: impl Into<String>) -> Finding {
        self.fix = Some(fix.into());
        self
    }

    /// `path:line:column`, as much of it as is known, or `None` without a path.
    pub fn location(&self) -> Option<String> {
        let path = self.path.as_deref()?;
        Some(match (self.line, self.column) {
            (Some(line), Some(column)) => format!("{path}:{line}:{column}"),
            (Some(line), None) => format!("{path}:{line}"),
            _ => path.to_owned(),
        })
    }
}

/// The outcome of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The step ran (or its cached pass still holds) and found nothing blocking.
    Passed,
    /// The step ran and found something worth a look that does not block.
    Warning,
    /// The step found a problem that blocks the release.
    Failed,
    /// The step did not run; `reason` says why.
    Skipped,
}

impl Status {
    /// The lowercase name used in every rendering.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Passed => "passed",
            Status::Warning => "warning",
            Status::Failed => "failed",
            Status::Skipped => "skipped",
        }
    }
}

/// One step of a task: its status, time, findings and, on failure, the tool's output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepReport {
    /// Step name, such as `clippy`.
    pub name: String,
    /// The outcome.
    pub status: Status,
    /// True when the step did not run because an earlier pass with the same inputs holds.
    pub cached: bool,
    /// Wall time of the step.
    #[serde(rename = "duration_ms", with = "millis")]
    pub duration: Duration,
    /// Why the step was skipped, failed without findings, or warned.
    pub reason: Option<String>,
    /// The command line the step ran, when it ran one.
    pub command: Option<String>,
    /// The tool's output, kept when the step failed.
    pub output: Option<String>,
    /// What the step found.
    pub findings: Vec<Finding>,
}

impl StepReport {
    /// A report for `name` with the given status and nothing else.
    pub fn new(name: impl Into<String>, status: Status) -> StepReport {
        StepReport {
            name: name.into(),
            status,
            cached: false,
            duration: Duration::ZERO,
            reason: None,
            command: None,
            output: None,
            findings: Vec::new(),
        }
    }

    /// `passed`, `passed (cached)`, `warning (cached)`, `skipped`, ...
    pub fn status_label(&self) -> &'static str {
        match (self.status, self.cached) {
            (Status::Passed, true) => "passed (cached)",
            (Status::Warning, true) => "warning (cached)",
            (status, _) => status.as_str(),
        }
    }
}

/// The result of one task run: its steps in the order they ran.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Version of this document's shape; bumped on any incompatible change.
    pub schema: u32,
    /// The task that produced it, such as `preflight`.
    pub command: String,
    /// The steps, in the order they ran.
    pub steps: Vec<StepReport>,
}

/// The current [`Report::schema`].
pub const SCHEMA_VERSION: u32 = 1;

impl Report {
    /// An empty report for `command`.
    pub fn new(command: impl Into<String>) -> Report {
        Report { schema: SCHEMA_VERSION, command: command.into(), steps: Vec::new() }
    }

    /// True when no step failed: warnings and skips do not fail a report.
    ///
    /// ```
    /// use launchkit_report::{Report, Status, StepReport};
    ///
    /// let mut report = Report::new("preflight");
    /// report.steps.push(StepReport::new("audit", Status::Warning));
    /// report.steps.push(StepReport::new("semver", Status::Skipped));
    /// assert!(report.passed());
    /// report.steps.push(StepReport::new("test", Status::Failed));
    /// assert!(!report.passed());
    /// assert_eq!(report.count(Status::Failed), 1);
    /// ```
    pub fn passed(&self) -> bool {
        self.steps.iter().all(|step| step.status != Status::Failed)
    }

    /// How many steps ended with `status`.
    pub fn count(&self, status: Status) -> usize {
        self.steps.iter().filter(|step| step.status == status).count()
    }

    /// Total wall time of all steps.
    pub fn duration(&self) -> Duration {
        self.steps.iter().map(|step| step.duration).sum()
    }
}

mod millis {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(duration.as_millis().try_into().unwrap_or(u64::MAX))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        u64::deserialize(deserializer).map(Duration::from_millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_uses_what_is_known() {
        assert_eq!(Finding::error("x").location(), None);
        assert_eq!(Finding::error("x").in_file("a.rs").location().unwrap(), "a.rs");
        assert_eq!(Finding::error("x").at("a.rs", 3).location().unwrap(), "a.rs:3");
        assert_eq!(Finding::error("x").at("a.rs", 3).column(7).location().unwrap(), "a.rs:3:7");
    }

    #[test]
    fn a_report_passes_unless_a_step_failed() {
        let mut report = Report::new("preflight");
        report.steps.push(StepReport::new("fmt", Status::Passed));
        report.steps.push(StepReport::new("audit", Status::Warning));
        report.steps.push(StepReport::new("breaking", Status::Skipped));
        assert!(report.passed());
        report.steps.push(StepReport::new("test", Status::Failed));
        assert!(!report.passed());
        assert_eq!(report.count(Status::Passed), 1);
    }
}
