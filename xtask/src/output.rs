//! Where a task's report goes: progress on stderr, the result on stdout, and on GitHub
//! Actions annotations plus a step summary.

use std::fs::OpenOptions;
use std::io::Write;

use anyhow::Context;
use launchkit_report::{Report, StepReport, github, human, json};

use crate::flags::Format;

/// True when running under CI (`CI=true`, as GitHub Actions and most CI systems set).
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|value| value == "true" || value == "1")
}

fn on_github_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|value| value == "true")
}

/// Prints a task's progress and result in the chosen format.
pub struct Output {
    format: Format,
}

impl Output {
    /// `format`, or the environment's default: github on GitHub Actions, else human.
    pub fn new(format: Option<Format>) -> Output {
        let default = if on_github_actions() { Format::Github } else { Format::Human };
        Output { format: format.unwrap_or(default) }
    }

    /// Reports one finished step on stderr (nothing in JSON mode: stdout carries the document).
    pub fn step_done(&self, step: &StepReport) {
        if self.format == Format::Json {
            return;
        }
        eprintln!("{}", human::step_line(step));
        let details = human::step_details(step);
        if details.is_empty() {
            return;
        }
        if self.format == Format::Github {
            eprintln!("::group::{} details", step.name);
            eprint!("{details}");
            eprintln!("::endgroup::");
        } else {
            eprint!("{details}");
        }
    }

    /// Prints the result: the summary table, the JSON document, or annotations, and on
    /// GitHub Actions appends the step summary to `$GITHUB_STEP_SUMMARY`.
    pub fn finish(&self, report: &Report) -> anyhow::Result<()> {
        match self.format {
            Format::Human => print!("{}", human::summary(report)),
            Format::Json => println!("{}", json::render(report)),
            Format::Github => {
                print!("{}", github::annotations(report));
                print!("{}", human::summary(report));
                if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") {
                    let mut file = OpenOptions::new()
                        .create(true)
                        .append(true)
                        .open(&path)
                        .with_context(|| format!("cannot open GITHUB_STEP_SUMMARY {}", path.display()))?;
                    file.write_all(github::step_summary(report).as_bytes())
                        .context("cannot write GITHUB_STEP_SUMMARY")?;
                }
            }
        }
        Ok(())
    }
}
