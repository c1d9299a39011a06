//! What a publish prints: a progress line per crate on stderr, and on stdout the plan (dry
//! run), the final table, or one JSON document; on a stop, what is published, what is not,
//! and the command that resumes.

use std::fmt::Write;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::engine::Stop;
use super::plan::{CratePlan, Plan, State};
use crate::flags::Format;

/// Version of the JSON document's shape.
const SCHEMA: u32 = 1;

/// How much of cargo's output to show when it failed: the end, where the error is.
const OUTPUT_TAIL_LINES: usize = 30;

/// Progress on stderr and the result on stdout, in the chosen format.
pub struct Progress {
    format: Format,
    started: Instant,
}

#[derive(Serialize)]
struct Document<'a> {
    schema: u32,
    command: &'static str,
    registry: &'a str,
    index: &'a str,
    execute: bool,
    status: &'static str,
    batches: &'a [Vec<String>],
    crates: &'a [CratePlan],
    published: Vec<String>,
    not_published: Vec<String>,
    warnings: &'a [String],
    pacing: Option<&'a str>,
    error: Option<&'a str>,
    resume: Option<&'a str>,
}

fn seconds(duration: Duration) -> String {
    format!("{:.2}s", duration.as_secs_f64())
}

fn names(plan: &Plan, published: bool) -> Vec<String> {
    plan.crates
        .iter()
        .filter(|c| c.state.is_published() == published)
        .map(|c| format!("{} {}", c.name, c.version))
        .collect()
}

impl Progress {
    /// `format`, else human (GitHub Actions gets annotations on top).
    pub fn new(format: Option<Format>) -> Progress {
        let default = if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
            Format::Github
        } else {
            Format::Human
        };
        Progress { format: format.unwrap_or(default), started: Instant::now() }
    }

    fn quiet(&self) -> bool {
        self.format == Format::Json
    }

    /// A warning, before anything happens.
    pub fn warning(&self, text: &str) {
        if !self.quiet() {
            eprintln!("warning: {text}");
        }
    }

    /// Something to know, before anything happens.
    pub fn note(&self, text: &str) {
        if !self.quiet() {
            eprintln!("note: {text}");
        }
    }

    /// A finished step that is not about one crate.
    pub fn step(&self, message: &str, duration: Duration) {
        if !self.quiet() {
            eprintln!("{message:<44} {:>8}", seconds(duration));
        }
    }

    /// `[3/6] name 0.1.0  message  0.42s`.
    pub fn crate_line(&self, krate: &CratePlan, position: usize, total: usize, message: &str) {
        if self.quiet() {
            return;
        }
        let head = format!("[{position}/{total}] {} {}", krate.name, krate.version);
        let attempts = if krate.attempts > 1 {
            format!("  ({} attempts)", krate.attempts)
        } else {
            String::new()
        };
        eprintln!("{head:<32} {message:<20} {:>8}{attempts}", seconds(krate.duration));
    }

    /// The dry run's result: batches, what each crate would do, the exact commands.
    pub fn finish_plan(&self, plan: &Plan) {
        if self.quiet() {
            println!("{}", self.json(plan, false, None, None));
            return;
        }
        let mut out =
            format!("plan: {} crates to `{}` ({})\n", plan.crates.len(), plan.registry, plan.index);
        for (number, batch) in plan.batches.iter().enumerate() {
            let _ = writeln!(out, "batch {}: {}", number + 1, batch.join(", "));
        }
        let uploads: Vec<&str> = plan.to_upload().map(|c| c.name.as_str()).collect();
        if !uploads.is_empty() {
            let selection: String = uploads.iter().map(|name| format!(" -p {name}")).collect();
            let _ = writeln!(out, "first:  cargo package --registry {}{selection}", plan.registry);
        }
        let width = plan
            .crates
            .iter()
            .map(|c| c.name.len() + 1 + c.version.to_string().len())
            .max()
            .unwrap_or(0);
        for krate in &plan.crates {
            let head = format!("{} {}", krate.name, krate.version);
            match krate.state {
                State::ToUpload => {
                    let _ = writeln!(
                        out,
                        "upload: {head:<width$} cargo publish -p {} --no-verify --registry {}",
                        krate.name, plan.registry
                    );
                }
                _ => {
                    let _ = writeln!(
                        out,
                        "skip:   {head:<width$} already on `{}` (its checksum is compared with --execute)",
                        plan.registry
                    );
                }
            }
        }
        if let Some(pacing) = &plan.pacing {
            let _ = writeln!(out, "pacing: {pacing}");
        }
        out.push_str("dry run: nothing was uploaded; add --execute to publish\n");
        print!("{out}");
    }

    /// The run's result: the table (or JSON), and on a stop the summary that resumes.
    pub fn finish(&self, plan: &Plan, stop: Option<&Stop>, resume: &str) {
        if self.quiet() {
            println!("{}", self.json(plan, true, stop, Some(resume)));
            return;
        }
        if let Some(output) = stop.and_then(|stop| stop.output.as_deref()) {
            let lines: Vec<&str> = output.trim_end().lines().collect();
            eprintln!("cargo said:");
            for line in &lines[lines.len().saturating_sub(OUTPUT_TAIL_LINES)..] {
                eprintln!("    {line}");
            }
        }
        let name = plan.crates.iter().map(|c| c.name.len()).max().unwrap_or(0).max("crate".len());
        let mut out = format!(
            "{:<name$} {:<10} {:>5}  {:<18} {:>8} {:>8}\n",
            "crate", "version", "batch", "state", "attempts", "time"
        );
        for krate in &plan.crates {
            let _ = writeln!(
                out,
                "{:<name$} {:<10} {:>5}  {:<18} {:>8} {:>8}",
                krate.name,
                krate.version.to_string(),
                krate.batch,
                krate.state.label(),
                krate.attempts,
                seconds(krate.duration)
            );
        }
        let published = names(plan, true);
        match stop {
            None => {
                let uploaded = plan.crates.iter().filter(|c| c.state == State::Uploaded).count();
                let _ = writeln!(
                    out,
                    "published {} of {} crates to `{}` ({uploaded} uploaded now) in {}",
                    published.len(),
                    plan.crates.len(),
                    plan.registry,
                    seconds(self.started.elapsed())
                );
            }
            Some(stop) => {
                if self.format == Format::Github {
                    let _ = writeln!(out, "::error title=publish stopped::{}", stop.reason);
                }
                let none = || "none".to_owned();
                let not_published = names(plan, false);
                let _ = writeln!(out, "stopped: {}", stop.reason);
                let _ = writeln!(
                    out,
                    "published: {}",
                    if published.is_empty() { none() } else { published.join(", ") }
                );
                let _ = writeln!(
                    out,
                    "not published: {}",
                    if not_published.is_empty() { none() } else { not_published.join(", ") }
                );
                let _ = writeln!(out, "resume with: {resume}");
            }
        }
        print!("{out}");
        if self.format == Format::Github {
            step_summary(plan, stop);
        }
    }

    fn json(
        &self,
        plan: &Plan,
        execute: bool,
        stop: Option<&Stop>,
        resume: Option<&str>,
    ) -> String {
        let status = match (execute, stop) {
            (false, _) => "planned",
            (true, None) => "published",
            (true, Some(_)) => "stopped",
        };
        let document = Document {
            schema: SCHEMA,
            command: "publish",
            registry: &plan.registry,
            index: &plan.index,
            execute,
            status,
            batches: &plan.batches,
            crates: &plan.crates,
            published: names(plan, true),
            not_published: names(plan, false),
            warnings: &plan.warnings,
            pacing: plan.pacing.as_deref(),
            error: stop.map(|stop| stop.reason.as_str()),
            resume: stop.and(resume),
        };
        serde_json::to_string_pretty(&document).expect("the publish report serializes")
    }
}

/// Appends the table to `$GITHUB_STEP_SUMMARY` as markdown; a summary that cannot be
/// written is not worth failing a publish over.
fn step_summary(plan: &Plan, stop: Option<&Stop>) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY") else { return };
    let mut text = format!(
        "### Publish to `{}`\n\n| crate | version | state | attempts |\n|---|---|---|---|\n",
        plan.registry
    );
    for krate in &plan.crates {
        let _ = writeln!(
            text,
            "| {} | {} | {} | {} |",
            krate.name,
            krate.version,
            krate.state.label(),
            krate.attempts
        );
    }
    if let Some(stop) = stop {
        let _ = writeln!(text, "\n**Stopped:** {}", stop.reason);
    }
    let file = std::fs::OpenOptions::new().create(true).append(true).open(path);
    let _ = file.and_then(|mut file| std::io::Write::write_all(&mut file, text.as_bytes()));
}
