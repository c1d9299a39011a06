//! GitHub's heading anchors: the slug of a heading's text and the suffixes that keep
//! repeated headings apart.
//!
//! This follows github-slugger, the reference port of what github.com does: lowercase,
//! remove every character outside letters, marks, decimal and letter numbers, connector
//! punctuation (`_`), `-` and space (so emoji and other punctuation go), then turn each
//! space into `-`. Nothing is trimmed and runs of spaces are not collapsed.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

/// Characters github-slugger removes: everything but letters, marks, `Nd`/`Nl` numbers,
/// connector punctuation, space and `-`; alphabetic symbols (such as `Ⓐ`) are kept.
static REMOVED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[^\p{L}\p{M}\p{Nd}\p{Nl}\p{Pc}\p{Alphabetic} \-]").expect("valid regex")
});

/// The slug of one heading's text, without the duplicate suffix.
pub fn slug(text: &str) -> String {
    let lower = text.to_lowercase();
    if lower.is_ascii() {
        // The common case needs no Unicode tables.
        return lower
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ' '))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
    }
    REMOVED.replace_all(&lower, "").replace(' ', "-")
}

/// Hands out the anchors of one document's headings in order, numbering repeats the way
/// GitHub does: a repeat gets `-1`, `-2`, ... skipping any slug already taken, so
/// `foxtrot-1, foxtrot, foxtrot` become `foxtrot-1, foxtrot, foxtrot-2`.
#[derive(Debug, Default)]
pub struct Slugger {
    /// Each slug handed out, with how many repeats of it have been numbered so far.
    seen: HashMap<String, u32>,
}

impl Slugger {
    /// A slugger that has seen no heading yet.
    pub fn new() -> Slugger {
        Slugger::default()
    }

    /// The unique anchor of the next heading whose text is `text`.
    pub fn next(&mut self, text: &str) -> String {
        let base = slug(text);
        let mut candidate = base.clone();
        while self.seen.contains_key(&candidate) {
            let count = self.seen.get_mut(&base).expect("the base slug was seen first");
            *count += 1;
            candidate = format!("{base}-{count}");
        }
        self.seen.insert(candidate.clone(), 0);
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slugs(headings: &[&str]) -> Vec<String> {
        let mut slugger = Slugger::new();
        headings.iter().map(|text| slugger.next(text)).collect()
    }

    #[test]
    fn lowercases_and_turns_spaces_into_dashes() {
        assert_eq!(slug("Hello World"), "hello-world");
        assert_eq!(slug("Getting Started"), "getting-started");
    }

    #[test]
    fn removes_punctuation_but_keeps_dash_and_underscore() {
        assert_eq!(slug("What's new?"), "whats-new");
        assert_eq!(slug("foo_bar-baz"), "foo_bar-baz");
        assert_eq!(slug("`Result<T, E>` & Option"), "resultt-e--option");
        assert_eq!(slug("1.2.3 (2024-01-01)"), "123-2024-01-01");
        assert_eq!(slug("a/b\\c.d:e"), "abcde");
    }

    #[test]
    fn each_space_becomes_a_dash_without_collapsing_or_trimming() {
        assert_eq!(slug("a  b"), "a--b");
        assert_eq!(slug("a   -   b"), "a-------b");
        assert_eq!(slug(" leading and trailing "), "-leading-and-trailing-");
    }

    #[test]
    fn keeps_unicode_letters_and_lowercases_them() {
        assert_eq!(slug("Привет non-latin 你好"), "привет-non-latin-你好");
        assert_eq!(slug("Café Über"), "café-über");
        assert_eq!(slug("ΣΊΣΥΦΟΣ"), "σίσυφος");
        // A combining accent is a mark: kept.
        assert_eq!(slug("Cafe\u{301}"), "cafe\u{301}");
        // Superscripts and fractions are "other numbers": removed. Roman numerals stay.
        assert_eq!(slug("x² ½ Ⅻ"), "x--ⅻ");
    }

    #[test]
    fn removes_emoji_and_symbols() {
        assert_eq!(slug("😄 emoji"), "-emoji");
        assert_eq!(slug("Rocket 🚀 launch"), "rocket--launch");
        assert_eq!(slug("I ♥ Rust ©"), "i--rust-");
        assert_eq!(slug("non\u{a0}breaking"), "nonbreaking");
    }

    #[test]
    fn numbers_repeats_from_one() {
        assert_eq!(slugs(&["foo", "foo", "bar", "foo"]), ["foo", "foo-1", "bar", "foo-2"]);
    }

    #[test]
    fn a_repeat_skips_slugs_already_taken() {
        assert_eq!(
            slugs(&["foxtrot-1", "foxtrot", "foxtrot"]),
            ["foxtrot-1", "foxtrot", "foxtrot-2"]
        );
        assert_eq!(
            slugs(&["echo", "echo", "echo 1", "echo-1"]),
            ["echo", "echo-1", "echo-1-1", "echo-1-2"]
        );
    }

    #[test]
    fn empty_headings_are_numbered_too() {
        assert_eq!(slugs(&["", "?", "!"]), ["", "-1", "-2"]);
    }
}
