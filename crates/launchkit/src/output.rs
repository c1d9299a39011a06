//! Where a task's report goes: progress on stderr, the result on stdout, and on GitHub
//! Actions annotations plus a step summary.

use std::fs::OpenOptions;
use std::io::Write;

use anyhow::Context;
use launchkit_report::{Finding, Report, Severity, StepReport, github, human, json};

use crate::flags::Format;

/// The most findings one step reports; the rest are counted in a note.
const MOST_FINDINGS: usize = 1000;
/// The most bytes of a failed tool's output a step keeps (its end, where errors are).
const MOST_OUTPUT: usize = 64 * 1024;

/// Caps what a step reports, so an input with millions of problems (a 64 MiB markdown
/// file) cannot print gigabytes: the first findings are kept and the rest counted in a
/// note, and a tool's output is kept from its end, saying how much was left out. Call it
/// once the step's status is decided.
pub fn cap(step: &mut StepReport) {
    if step.findings.len() > MOST_FINDINGS {
        let left_out = step.findings.len() - MOST_FINDINGS;
        step.findings.truncate(MOST_FINDINGS);
        let message = format!("{left_out} more findings left out of this report");
        let fix = "fix the findings shown, then run it again to see the rest";
        step.findings.push(Finding::new(Severity::Note, message).rule("report::capped").fix(fix));
    }
    if let Some(output) = step.output.as_mut().filter(|output| output.len() > MOST_OUTPUT) {
        let mut start = output.len() - MOST_OUTPUT;
        while !output.is_char_boundary(start) {
            start += 1;
        }
        *output = format!("... ({start} bytes of output left out)\n{}", &output[start..]);
    }
}

/// The longest word (an argument a message echoes) shown whole.
const LONGEST_WORD: usize = 200;

/// `text` with every word longer than [`LONGEST_WORD`] characters cut to its start, saying
/// how many characters were left out: an error echoes the argument it refuses, whatever
/// its size.
pub fn clip_words(text: &str) -> String {
    // Quotes end a word, so the message around a quoted argument stays whole.
    let word = format!(r#"[^\s`'"]{{{},}}"#, LONGEST_WORD + 1);
    let long = regex::Regex::new(&word).expect("a valid regex");
    long.replace_all(text, |word: &regex::Captures| {
        let word = &word[0];
        let kept: String = word.chars().take(LONGEST_WORD / 2).collect();
        let left_out = word.chars().count() - LONGEST_WORD / 2;
        format!("{kept}... ({left_out} more characters)")
    })
    .into_owned()
}

/// How the user runs launchkit, set once by [`crate::Launchkit::main`]: `cargo xtask` or
/// `cargo launchkit`.
static PROGRAM: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Records how the user runs launchkit.
pub fn set_program(program: &'static str) {
    PROGRAM.get_or_init(|| program);
}

/// `cargo xtask` or `cargo launchkit`: the start of every command a message tells the user
/// to run.
pub fn program() -> &'static str {
    PROGRAM.get().copied().unwrap_or("cargo xtask")
}

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
                    let mut file =
                        OpenOptions::new().create(true).append(true).open(&path).with_context(
                            || format!("cannot open GITHUB_STEP_SUMMARY {}", path.display()),
                        )?;
                    file.write_all(github::step_summary(report).as_bytes())
                        .context("cannot write GITHUB_STEP_SUMMARY")?;
                }
            }
        }
        Ok(())
    }
}
