//! Checks shared by the golden and corpus tests.

use launchkit_changelog::{Changelog, Version, lint};

/// Promotion keeps every original line, in order, except the two it rewrites (the
/// `[Unreleased]` heading and its link definition); the new version's notes are the old
/// `[Unreleased]` body; and the result lints no worse than the original.
pub fn assert_round_trip(before: &Changelog, promoted: &str, version: &Version) {
    let after = Changelog::parse(promoted);
    let new = after.release(version).expect("the promoted version has an entry");
    let unreleased = before.unreleased().unwrap();
    assert_eq!(after.notes(version).unwrap(), before.body_text(unreleased));
    assert!(after.body_text(after.unreleased().unwrap()).is_empty());

    let rewritten = [Some(unreleased.heading.line), before.link("Unreleased").map(|def| def.line)];
    let mut kept = (1..=before.line_count())
        .filter(|line| !rewritten.contains(&Some(*line)))
        .map(|line| before.line(line));
    let mut next = kept.next();
    for line in (1..=after.line_count()).map(|line| after.line(line)) {
        if next == Some(line) {
            next = kept.next();
        }
    }
    assert_eq!(next, None, "an original line was lost or reordered");
    assert_eq!(
        after.line_count(),
        before.line_count()
            + (new.heading.last_line - new.heading.line + 1)
            + u32::from(before.line(unreleased.heading.last_line + 1).is_empty())
            + u32::from(before.link("Unreleased").is_some()),
        "promotion adds the heading (two lines for setext), its blank line if the file uses one, and its link"
    );
    assert!(lint(&after, "x").len() <= lint(before, "x").len(), "promotion added findings");
}
