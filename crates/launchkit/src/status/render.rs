//! The status table: one row per crate, one column per environment, columns as wide as
//! their longest cell, then the last deployment.

use std::fmt::Write;

use super::{Cell, Status};
use crate::deployments::Record;

/// The table and the last deployment, for a terminal.
pub fn table(status: &Status) -> String {
    let mut header: Vec<String> =
        ["crate", "version", "tag", "local", "remote"].map(str::to_owned).into();
    header.extend(status.environments.iter().map(|env| format!("{} ({})", env.name, env.registry)));
    let mut rows = vec![header];
    for row in &status.crates {
        let mut cells = vec![
            row.name.clone(),
            row.version.clone(),
            row.tag.clone(),
            yes_no(Some(row.tag_local)),
            yes_no(row.tag_remote),
        ];
        cells.extend(row.registries.iter().map(registry_cell));
        rows.push(cells);
    }
    let columns = rows[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|at| rows.iter().map(|cells| cells[at].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for cells in &rows {
        let line: Vec<String> =
            cells.iter().zip(&widths).map(|(cell, width)| format!("{cell:<width$}")).collect();
        let _ = writeln!(out, "{}", line.join("  ").trim_end());
    }
    if let Some(error) = &status.remote_error {
        let _ = writeln!(out, "remote `{}` could not be read: {error}", status.remote);
    }
    let _ = match &status.last_deployment {
        Some(record) => writeln!(out, "last deployment: {}", deployment(record)),
        None => writeln!(out, "last deployment: none recorded in this clone"),
    };
    out
}

fn yes_no(value: Option<bool>) -> String {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "?",
    }
    .to_owned()
}

fn registry_cell(cell: &Cell) -> String {
    match (&cell.newest, cell.unknown) {
        (_, true) => "?".to_owned(),
        (None, false) => "-".to_owned(),
        (Some(version), false) if cell.yanked => format!("{version} yanked"),
        (Some(version), false) => version.clone(),
    }
}

/// `yank 0.1.0 (top) to production (lk) at 2024-05-03T10:00:00Z by Ann: the reason`.
fn deployment(record: &Record) -> String {
    let crates: Vec<&str> = record.crates.iter().map(|krate| krate.name.as_str()).collect();
    let registry = record.registry.as_deref().map(|name| format!(" ({name})")).unwrap_or_default();
    let mut line = format!(
        "{} {} ({}) to {}{registry} at {} by {}",
        record.action,
        record.version,
        crates.join(", "),
        record.environment,
        record.finished,
        record.by
    );
    if let Some(reason) = &record.reason {
        let _ = write!(line, ": {reason}");
    }
    line
}
