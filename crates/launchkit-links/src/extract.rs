//! Reads one markdown document: every link with its line and column, and every anchor a
//! link's fragment may point at.
//!
//! Links come from pulldown-cmark's events, so nothing inside code blocks or inline code
//! counts; raw HTML adds `<a href>`, `<img src>` and `id`/`name` anchors.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{BrokenLink, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::slug::Slugger;
use crate::{bare, html};

/// How a link was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `[text](dest)`.
    Inline,
    /// `[text][label]`, `[label][]` or `[label]` with a `[label]: dest` definition.
    Reference,
    /// `[text][label]` or `[label][]` whose label has no definition; `dest` is the label.
    UndefinedReference,
    /// `<https://...>` or `<user@example.com>`.
    Autolink,
    /// `![alt](src)`, in any of the forms above.
    Image,
    /// `<a href="...">` in raw HTML.
    HtmlHref,
    /// `<img src="...">` in raw HTML.
    HtmlSrc,
    /// A bare `https://...` or `www....` in text, which GitHub links.
    Bare,
}

/// One link found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// 1-based line of the link's start.
    pub line: u32,
    /// 1-based column, in characters, of the link's start.
    pub column: u32,
    /// The destination as written (after markdown unescaping).
    pub dest: String,
    /// How it was written.
    pub kind: Kind,
}

/// The anchors of a document: heading slugs, `{#id}` attributes and HTML `id`/`name`
/// values, lowercased because fragments are compared case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchors {
    /// In document order, for suggestions.
    pub ordered: Vec<String>,
    set: HashSet<String>,
}

impl Anchors {
    /// Adds an anchor.
    pub fn add(&mut self, anchor: &str) {
        let anchor = anchor.to_lowercase();
        if self.set.insert(anchor.clone()) {
            self.ordered.push(anchor);
        }
    }

    /// True when `fragment` names one of the anchors, ignoring case.
    pub fn contains(&self, fragment: &str) -> bool {
        self.set.contains(&fragment.to_lowercase())
    }
}

/// What one markdown document contains.
#[derive(Debug, Clone, Default)]
pub struct Document {
    /// Its links in order.
    pub links: Vec<Link>,
    /// Its anchors.
    pub anchors: Anchors,
}

/// Parser options matching GitHub's flavour plus mdBook's `{#id}` heading attributes.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_GFM
}

/// Reads a markdown document.
pub fn markdown(source: &str) -> Document {
    let lines = LineIndex::new(source);
    let mut doc = Document::default();
    let mut undefined = Vec::new();
    let mut heading: Option<Heading> = None;
    let mut slugger = Slugger::new();
    // Consecutive text outside links, scanned for bare URLs once it ends.
    let mut prose: Option<(Range<usize>, String)> = None;
    // Inside a link or image no bare URL is a link of its own; inside an image the
    // text is alt text, which is not part of a heading's text.
    let mut link_depth = 0;
    let mut image_depth = 0;
    let mut in_code_block = false;
    let callback = |broken: BrokenLink<'_>| {
        if matches!(broken.link_type, LinkType::Reference | LinkType::Collapsed) {
            undefined.push((broken.span, broken.reference.into_string()));
        }
        None
    };
    let parser = Parser::new_with_broken_link_callback(source, options(), Some(callback));
    for (event, range) in parser.into_offset_iter() {
        if let Event::Text(text) = &event {
            if let Some(heading) = heading.as_mut().filter(|_| image_depth == 0) {
                heading.text.push_str(text);
            }
            if link_depth == 0 && !in_code_block {
                let (span, buffer) = prose.get_or_insert_with(|| (range.clone(), String::new()));
                span.end = range.end;
                buffer.push_str(text);
            }
            continue;
        }
        if let Some((span, buffer)) = prose.take() {
            bare_urls(source, span, &buffer, &lines, &mut doc);
        }
        match event {
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                link_depth += 1;
                let kind = match link_type {
                    LinkType::Autolink | LinkType::Email => Kind::Autolink,
                    LinkType::Inline => Kind::Inline,
                    _ => Kind::Reference,
                };
                let dest = if link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.into_string()
                };
                doc.links.push(lines.link(range.start, dest, kind));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                link_depth += 1;
                image_depth += 1;
                doc.links.push(lines.link(range.start, dest_url.into_string(), Kind::Image));
            }
            Event::End(TagEnd::Link) => link_depth -= 1,
            Event::Start(Tag::CodeBlock(_)) => in_code_block = true,
            Event::End(TagEnd::CodeBlock) => in_code_block = false,
            Event::End(TagEnd::Image) => {
                link_depth -= 1;
                image_depth -= 1;
            }
            Event::Start(Tag::Heading { id, .. }) => {
                heading = Some(Heading { id: id.map(|id| id.into_string()), text: String::new() });
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(done) = heading.take() {
                    match done.id {
                        Some(id) => doc.anchors.add(&id),
                        None => doc.anchors.add(&slugger.next(&done.text)),
                    }
                }
            }
            Event::Code(code) => {
                if let Some(heading) = heading.as_mut().filter(|_| image_depth == 0) {
                    heading.text.push_str(&code);
                }
            }
            Event::SoftBreak => {
                if let Some(heading) = &mut heading {
                    heading.text.push('\n');
                }
            }
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => {
                raw_html(source, range, &lines, &mut doc)
            }
            _ => {}
        }
    }
    if let Some((span, buffer)) = prose.take() {
        bare_urls(source, span, &buffer, &lines, &mut doc);
    }
    doc.links.extend(
        undefined
            .into_iter()
            .map(|(span, label)| lines.link(span.start, label, Kind::UndefinedReference)),
    );
    doc.links.sort_by_key(|link| (link.line, link.column));
    doc
}

/// Bare URLs in a run of text whose source is `span`.
fn bare_urls(source: &str, span: Range<usize>, text: &str, lines: &LineIndex, doc: &mut Document) {
    let written = &source[span.clone()];
    let mut searched = 0;
    for (offset, url) in bare::urls(text) {
        // Escapes and entities make the text differ from its source: find the URL there.
        let as_written = url
            .strip_prefix("http://")
            .filter(|_| !text[offset..].starts_with("http"))
            .unwrap_or(&url);
        let at = written[searched..]
            .find(as_written)
            .map_or(offset.min(written.len()), |at| searched + at);
        searched = at + as_written.len().min(written.len() - at);
        doc.links.push(lines.link(span.start + at, url, Kind::Bare));
    }
}

/// Anchors in an HTML page: its `id` and `name` attributes.
pub fn html_anchors(text: &str) -> Anchors {
    let mut anchors = Anchors::default();
    for attribute in html::attributes(text) {
        if attribute.name == "id" || attribute.name == "name" {
            anchors.add(&attribute.value);
        }
    }
    anchors
}

/// The heading being read: its `{#id}` and its text so far.
struct Heading {
    id: Option<String>,
    text: String,
}

/// Links and anchors in a piece of raw HTML: a whole HTML block or one inline tag.
fn raw_html(text: &str, range: Range<usize>, lines: &LineIndex, doc: &mut Document) {
    for attribute in html::attributes(&text[range.clone()]) {
        let offset = range.start + attribute.offset;
        match (attribute.tag.as_str(), attribute.name.as_str()) {
            (_, "id" | "name") => doc.anchors.add(&attribute.value),
            ("a", "href") => doc.links.push(lines.link(offset, attribute.value, Kind::HtmlHref)),
            ("img", "src") => doc.links.push(lines.link(offset, attribute.value, Kind::HtmlSrc)),
            _ => {}
        }
    }
}

/// Byte offsets to 1-based lines and character columns.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> LineIndex<'a> {
        let starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { text, starts }
    }

    fn link(&self, offset: usize, dest: String, kind: Kind) -> Link {
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Link { line: to_u32(line), column: to_u32(column), dest, kind }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str) -> Vec<(u32, u32, String, Kind)> {
        markdown(text).links.into_iter().map(|l| (l.line, l.column, l.dest, l.kind)).collect()
    }

    fn link(line: u32, column: u32, dest: &str, kind: Kind) -> (u32, u32, String, Kind) {
        (line, column, dest.to_owned(), kind)
    }

    #[test]
    fn finds_every_kind_of_link_with_its_position() {
        let text = "# Title\n\nSee [a](a.md) and [b][ref], [ref][], [ref].\n\n<https://x.org> <me@x.org>\n\n  ![img](i.png) [bad][nope]\n\n<a href=\"h.md\"><img src=\"s.png\"></a>\n\n[ref]: r.md\n";
        assert_eq!(
            links(text),
            [
                link(3, 5, "a.md", Kind::Inline),
                link(3, 19, "r.md", Kind::Reference),
                link(3, 29, "r.md", Kind::Reference),
                link(3, 38, "r.md", Kind::Reference),
                link(5, 1, "https://x.org", Kind::Autolink),
                link(5, 17, "mailto:me@x.org", Kind::Autolink),
                link(7, 3, "i.png", Kind::Image),
                link(7, 17, "nope", Kind::UndefinedReference),
                link(9, 1, "h.md", Kind::HtmlHref),
                link(9, 16, "s.png", Kind::HtmlSrc),
            ]
        );
    }

    #[test]
    fn ignores_code_comments_and_undefined_shortcuts() {
        let text = "`[a](x.md)`\n\n```\n[b](y.md) <a href=\"z\">\n```\n\n    [c](w.md)\n\n<!-- [d](v.md) <a href=\"u\"> -->\n\nAn array [0] and a [box].\n";
        assert_eq!(links(text), []);
    }

    #[test]
    fn columns_count_characters() {
        assert_eq!(links("é ü [x](y)"), [link(1, 5, "y", Kind::Inline)]);
    }

    #[test]
    fn collects_heading_slugs_attribute_ids_and_html_anchors() {
        let text = "# Hello `World`\n## Hello World\n### Custom {#my-id}\n## ![logo](l.png) Img <em>tag</em>\n<a name=\"Legacy\"></a>\n<div id=\"box\">\n";
        let doc = markdown(text);
        assert_eq!(
            doc.anchors.ordered,
            ["hello-world", "hello-world-1", "my-id", "-img-tag", "legacy", "box"]
        );
        assert!(doc.anchors.contains("Hello-World"));
    }

    #[test]
    fn reads_html_page_anchors() {
        assert_eq!(html_anchors("<h2 id=\"Intro\">x</h2><a name=n>").ordered, ["intro", "n"]);
    }
}
