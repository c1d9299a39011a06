//! Reads the markdown structure with pulldown-cmark (so headings in code blocks or HTML
//! are not mistaken for entries), then each heading's own text by hand, because the
//! version, date and `[YANKED]` marker live in the raw line.

use std::collections::BTreeSet;
use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::{Changelog, Entry, Heading, HeadingLink, LinkDef, Section, is_comment, version_of};

/// A top-level heading found by pulldown-cmark.
struct Found {
    level: HeadingLevel,
    line: u32,
    last_line: u32,
}

pub(crate) fn parse(text: String) -> Changelog {
    // Lines end at `\n`, `\r\n` or a lone `\r`, as CommonMark says.
    let bytes = text.as_bytes();
    let ends = bytes.iter().enumerate().filter(|&(at, &byte)| {
        byte == b'\n' || (byte == b'\r' && bytes.get(at + 1) != Some(&b'\n'))
    });
    let mut line_starts: Vec<usize> = (!text.is_empty()).then_some(0).into_iter().collect();
    line_starts.extend(ends.map(|(at, _)| at + 1).filter(|&at| at < text.len()));
    let mut changelog = Changelog {
        text,
        line_starts,
        title: None,
        preamble: 1..1,
        entries: Vec::new(),
        links: Vec::new(),
    };

    let (headings, links) = structure(&changelog);
    changelog.links = links;
    let footer = footer_start(&changelog);
    // Releases are level 2 under a level-1 title, as Keep a Changelog writes them, or
    // level 1 (`# 24.03 (2024-03-30)`) in files where more level-1 headings than level-2
    // ones name a release; sections are one level below releases.
    let release_like = |level: HeadingLevel| {
        let found = headings.iter().filter(|found| found.level == level);
        found.filter(|found| is_release(&heading(&changelog, found).text)).count()
    };
    let (level, section_level) = if release_like(HeadingLevel::H1) > release_like(HeadingLevel::H2)
    {
        // Such files skip levels freely (`# 14.1.0` over `### Fixed`): sections are the
        // highest level used below the releases.
        let below = headings.iter().map(|found| found.level).filter(|&l| l > HeadingLevel::H1);
        (HeadingLevel::H1, below.min().unwrap_or(HeadingLevel::H2))
    } else {
        (HeadingLevel::H2, HeadingLevel::H3)
    };
    let title = headings.iter().position(|found| {
        found.level == HeadingLevel::H1
            && (level == HeadingLevel::H2 || !is_release(&heading(&changelog, found).text))
    });
    changelog.title = title.map(|index| heading(&changelog, &headings[index]));

    let mut entries = Vec::new();
    for (index, found) in headings.iter().enumerate() {
        if found.level != level || Some(index) == title {
            continue;
        }
        let next = headings[index + 1..].iter().find(|next| next.level <= level);
        let end = next.map_or(footer.max(found.last_line + 1), |next| next.line);
        let body = found.last_line + 1..end;
        let sections = headings[index + 1..]
            .iter()
            .take_while(|next| next.level > level)
            .enumerate()
            .filter(|(_, next)| next.level == section_level)
            .map(|(offset, section)| {
                let rest = &headings[index + 1 + offset + 1..];
                let close = rest.iter().find(|next| next.level <= section_level);
                let section_end = close.map_or(end, |close| close.line.min(end));
                make_section(&changelog, section, section_end)
            })
            .collect();
        entries.push(entry(&changelog, found, body, sections));
    }
    let first_entry = entries.first().map_or(footer, |entry: &Entry| entry.heading.line);
    changelog.preamble = 1..first_entry.max(1);
    changelog.entries = entries;
    changelog
}

/// Top-level headings and every link reference definition, in file order.
fn structure(changelog: &Changelog) -> (Vec<Found>, Vec<LinkDef>) {
    let mut events = Parser::new_ext(&changelog.text, Options::empty()).into_offset_iter();
    let mut headings = Vec::new();
    // Headings inside block quotes or list items are content, not structure.
    let mut depth = 0usize;
    for (event, range) in events.by_ref() {
        match event {
            Event::Start(
                Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_),
            ) => depth += 1,
            Event::End(
                TagEnd::BlockQuote(_) | TagEnd::List(_) | TagEnd::Item | TagEnd::FootnoteDefinition,
            ) => {
                depth = depth.saturating_sub(1);
            }
            Event::Start(Tag::Heading { level, .. }) if depth == 0 => {
                let last = range.end.saturating_sub(1).max(range.start);
                headings.push(Found {
                    level,
                    line: changelog.line_of(range.start),
                    last_line: changelog.line_of(last),
                });
            }
            _ => {}
        }
    }
    let mut links: Vec<LinkDef> = events
        .reference_definitions()
        .iter()
        .map(|(label, def)| LinkDef {
            label: label.to_owned(),
            url: def.dest.to_string(),
            line: changelog.line_of(def.span.start),
        })
        .collect();
    links.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.label.cmp(&b.label)));
    (headings, links)
}

/// The first line of the closing block of link definitions (and blank or comment lines),
/// which belongs to no entry; one past the last line when there is none.
fn footer_start(changelog: &Changelog) -> u32 {
    let def_lines: BTreeSet<u32> = changelog.links.iter().map(|def| def.line).collect();
    let mut start = changelog.line_count() + 1;
    while start > 1 {
        let line = changelog.line(start - 1);
        // A definition whose label is already taken is still a definition to markdown,
        // though pulldown-cmark reports only the first: recognise it by its shape.
        let def_shaped = line.trim_start().starts_with('[') && line.contains("]:");
        if def_lines.contains(&(start - 1))
            || def_shaped
            || line.trim().is_empty()
            || is_comment(line)
        {
            start -= 1;
        } else {
            break;
        }
    }
    start
}

fn heading(changelog: &Changelog, found: &Found) -> Heading {
    let text = heading_text(changelog.line(found.line)).to_owned();
    Heading { line: found.line, last_line: found.last_line, text }
}

/// The text of an ATX heading line without its `#` marks; a setext heading's line as is.
fn heading_text(line: &str) -> &str {
    let trimmed = line.trim();
    let Some(rest) = trimmed.strip_prefix('#') else {
        return trimmed;
    };
    let rest = rest.trim_start_matches('#').trim();
    // An optional closing sequence of `#`s counts only after a space.
    let without_close = rest.trim_end_matches('#');
    if without_close.len() < rest.len()
        && (without_close.is_empty() || without_close.ends_with([' ', '\t']))
    {
        without_close.trim_end()
    } else {
        rest
    }
}

fn make_section(changelog: &Changelog, found: &Found, end: u32) -> Section {
    let body = found.last_line + 1..end.max(found.last_line + 1);
    let is_empty = body.clone().all(|number| changelog.line(number).trim().is_empty());
    Section { heading: heading(changelog, found), body, is_empty }
}

fn entry(changelog: &Changelog, found: &Found, body: Range<u32>, sections: Vec<Section>) -> Entry {
    let heading = heading(changelog, found);
    let (label, link, rest) = split_label(&heading.text);
    let separator_len = rest.len()
        - rest.trim_start_matches(|c: char| c.is_whitespace() || "-–—:".contains(c)).len();
    let (separator, rest) = rest.split_at(separator_len);
    let (rest, yanked) = strip_yanked(rest);
    let date = rest.trim();
    let date =
        date.strip_prefix('(').and_then(|inner| inner.strip_suffix(')')).unwrap_or(date).trim();
    Entry {
        version: version_of(&label),
        label,
        date: (!date.is_empty()).then(|| date.to_owned()),
        separator: separator.to_owned(),
        yanked,
        link,
        sections,
        body,
        heading,
    }
}

/// True when a heading's text names a release or `Unreleased`.
fn is_release(text: &str) -> bool {
    let (label, _, _) = split_label(text);
    label.eq_ignore_ascii_case("unreleased") || version_of(&label).is_some()
}

/// `[1.2.0](url) - ...` into the label, its link, and the rest of the heading.
fn split_label(text: &str) -> (String, HeadingLink, &str) {
    let plain = || {
        let end = text.find(char::is_whitespace).unwrap_or(text.len());
        (text[..end].to_owned(), HeadingLink::None, &text[end..])
    };
    let Some(inner) = text.strip_prefix('[') else {
        return plain();
    };
    let Some(close) = inner.find(']') else {
        return plain();
    };
    let label = inner[..close].trim().to_owned();
    let after = &inner[close + 1..];
    if let Some(link) = after.strip_prefix('(')
        && let Some(end) = link.find(')')
    {
        return (label, HeadingLink::Inline(link[..end].trim().to_owned()), &link[end + 1..]);
    }
    if let Some(reference) = after.strip_prefix('[')
        && let Some(end) = reference.find(']')
    {
        let target = reference[..end].trim();
        let target = if target.is_empty() { label.clone() } else { target.to_owned() };
        return (label, HeadingLink::Reference(target), &reference[end + 1..]);
    }
    (label.clone(), HeadingLink::Reference(label), after)
}

fn strip_yanked(rest: &str) -> (String, bool) {
    const MARKER: &str = "[yanked]";
    match rest.to_ascii_lowercase().find(MARKER) {
        // ASCII lowercasing keeps byte offsets, so the index is valid in `rest`.
        Some(at) => (format!("{}{}", &rest[..at], &rest[at + MARKER.len()..]), true),
        None => (rest.to_owned(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_lose_their_marks() {
        assert_eq!(heading_text("## [1.0.0] - 2024-01-01"), "[1.0.0] - 2024-01-01");
        assert_eq!(heading_text("### Added ###"), "Added");
        assert_eq!(heading_text("## C#"), "C#");
        assert_eq!(heading_text("Setext title"), "Setext title");
    }

    #[test]
    fn labels_come_with_their_links() {
        assert_eq!(
            split_label("[1.0.0] - x"),
            ("1.0.0".into(), HeadingLink::Reference("1.0.0".into()), " - x")
        );
        assert_eq!(
            split_label("[1.0.0](u) - x"),
            ("1.0.0".into(), HeadingLink::Inline("u".into()), " - x")
        );
        assert_eq!(
            split_label("[1.0.0][r] - x"),
            ("1.0.0".into(), HeadingLink::Reference("r".into()), " - x")
        );
        assert_eq!(split_label("v1.0.0 — x"), ("v1.0.0".into(), HeadingLink::None, " — x"));
        assert_eq!(split_label("[open"), ("[open".into(), HeadingLink::None, ""));
    }

    #[test]
    fn yanked_markers_are_found_in_any_case() {
        assert_eq!(strip_yanked(" 2024-01-01 [YANKED]"), (" 2024-01-01 ".into(), true));
        assert_eq!(strip_yanked(" 2024-01-01 [Yanked]"), (" 2024-01-01 ".into(), true));
        assert_eq!(strip_yanked(" 2024-01-01"), (" 2024-01-01".into(), false));
    }
}
