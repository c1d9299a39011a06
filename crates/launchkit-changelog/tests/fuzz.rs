//! Property test: whatever the text, parsing, linting, notes and promotion never panic,
//! and a promotion that succeeds yields a changelog with the new release, whose notes are
//! the old `[Unreleased]` body when the links it edits lie outside that body.
//!
//! The texts come from a small deterministic generator (a seeded xorshift), so a failure
//! names its case and reproduces exactly: markdown and changelog fragments glued at
//! random, and real changelogs with lines dropped, repeated, swapped and cut mid-line.

use launchkit_changelog::{Changelog, Date, Version, lint};

/// Fragments that exercise every branch of the parser: headings and their parts,
/// link definitions, containers that hide headings, line endings, multi-byte text.
const PIECES: &[&str] = &[
    "# ",
    "## ",
    "### ",
    "#### ",
    "[",
    "]",
    "(",
    ")",
    "[]",
    "Unreleased",
    "unreleased",
    "v",
    "V",
    "1.2.3",
    "0.0.0",
    "1.0.0-rc.1",
    "2.0.0+build",
    "99999999999999999999.0.0",
    "1.2",
    "01.2.3",
    "-",
    " - ",
    " — ",
    "–",
    ":",
    " ",
    "  ",
    "\t",
    "2024-01-01",
    "2024-02-30",
    "9999-99-99",
    "[YANKED]",
    "[yanked]",
    "Added",
    "Fixed",
    "Other",
    "\n",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "```",
    "~~~",
    "> ",
    "- ",
    "* ",
    "1. ",
    "    ",
    "<!--",
    "-->",
    "<!-- next-url -->",
    "<div>",
    "[Unreleased]: ",
    "[1.2.3]: ",
    "https://github.com/o/r/compare/v1.0.0...HEAD",
    "https://x/compare/",
    "...",
    "..",
    "/releases/tag/",
    "/commits/main",
    "HEAD",
    "ä",
    "€",
    "𝄞",
    "\u{200b}",
    "\u{feff}",
    "===",
    "---",
    "\\",
    "`",
    "<",
    "&amp;",
    "[^1]: ",
    "|a|b|\n|-|-|\n",
    "\0",
    "#",
    "##",
    "]:",
    "[x][y]",
    "(<>)",
];

const VERSIONS: &[&str] =
    &["0.0.1", "1.2.3", "1.2.4", "2.0.0", "1.0.0-rc.1", "0.1.0", "1.2.3-alpha.1"];

/// xorshift64*: tiny, deterministic, good enough to pick fragments.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

fn fragments(rng: &mut Rng) -> String {
    let count = rng.below(160);
    let mut text = String::new();
    for _ in 0..count {
        if rng.below(20) == 0 {
            // Any scalar value, not only the fragments.
            text.push(char::from_u32(rng.below(0x11_0000) as u32).unwrap_or('\u{fffd}'));
        } else {
            text.push_str(rng.pick(PIECES));
        }
    }
    text
}

fn mutated(rng: &mut Rng, source: &str) -> String {
    let mut lines: Vec<String> = source.split_inclusive('\n').map(str::to_owned).collect();
    for _ in 0..rng.below(12) {
        if lines.is_empty() {
            break;
        }
        let at = rng.below(lines.len());
        match rng.below(5) {
            0 => drop(lines.remove(at)),
            1 => lines.insert(at, lines[at].clone()),
            2 => {
                let other = rng.below(lines.len());
                lines.swap(at, other);
            }
            3 => {
                let line = &mut lines[at];
                let cut = rng.below(line.len() + 1);
                let cut = (0..=cut).rev().find(|&cut| line.is_char_boundary(cut)).unwrap_or(0);
                line.truncate(cut);
            }
            _ => lines.insert(at, rng.pick(PIECES).to_owned()),
        }
    }
    lines.concat()
}

fn exercise(case: usize, text: &str, rng: &mut Rng) {
    let changelog = Changelog::parse(text);
    let _ = lint(&changelog, "CHANGELOG.md");
    for entry in &changelog.entries {
        assert!(
            entry.heading.line >= 1 && entry.body.end <= changelog.line_count() + 1,
            "case {case}"
        );
        let _ = changelog.body_text(entry);
        if let Some(version) = &entry.version {
            let _ = changelog.notes(version);
        }
    }
    let version: Version = rng.pick(VERSIONS).parse().unwrap();
    let date: Date = "2024-07-01".parse().unwrap();
    let Ok(promoted) = changelog.promote(&version, date) else { return };
    let after = Changelog::parse(promoted.as_str());
    let notes = after.notes(&version);
    assert!(notes.is_some(), "case {case}: {text:?}\n{promoted:?}");
    // The notes are the old body unless the body held link definitions, which promotion
    // may edit (a file whose definitions are not at its end).
    let unreleased = changelog.unreleased().unwrap();
    if !changelog.links.iter().any(|def| unreleased.body.contains(&def.line)) {
        assert_eq!(
            notes,
            Some(changelog.body_text(unreleased)),
            "case {case}: {text:?}\n{promoted:?}"
        );
    }
}

#[test]
fn arbitrary_fragments_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..4000 {
        let text = fragments(&mut rng);
        exercise(case, &text, &mut rng);
    }
}

#[test]
fn mutated_changelogs_never_panic() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let sources: Vec<String> =
        ["standard", "variations", "broken", "inline-links", "no-final-newline"]
            .iter()
            .map(|name| std::fs::read_to_string(dir.join(format!("{name}.md"))).unwrap())
            .collect();
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for case in 0..3000 {
        let source = &sources[case % sources.len()];
        let text = mutated(&mut rng, source);
        exercise(case, &text, &mut rng);
    }
}
