//! Reads one markdown document: every link with its line and column, and every anchor a
//! link's fragment may point at.
//!
//! Links come from pulldown-cmark's events, so nothing inside code blocks or inline code
//! counts; raw HTML adds `<a href>`, `<img src>` and `id`/`name` anchors.

use std::ops::Range;

use pulldown_cmark::{BrokenLink, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::anchors::Anchors;
use crate::lines::LineIndex;
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
    let mut undefined = Vec::new();
    let callback = |broken: BrokenLink<'_>| {
        // `[label]` alone with no definition is plain text on GitHub, not a mistake.
        if matches!(broken.link_type, LinkType::Reference | LinkType::Collapsed) {
            undefined.push((broken.span, broken.reference.into_string()));
        }
        None
    };
    let mut reader = Reader::new(source);
    for (event, range) in
        Parser::new_with_broken_link_callback(source, options(), Some(callback)).into_offset_iter()
    {
        reader.event(event, range);
    }
    reader.end_of_text();
    let Reader { lines, mut doc, .. } = reader;
    doc.links.extend(
        undefined
            .into_iter()
            .map(|(span, label)| lines.link(span.start, label, Kind::UndefinedReference)),
    );
    doc.links.sort_by_key(|link| (link.line, link.column));
    doc
}

/// The state of one pass over a document's events.
struct Reader<'a> {
    source: &'a str,
    lines: LineIndex<'a>,
    doc: Document,
    slugger: Slugger,
    /// The heading being read: its `{#id}` and its text so far.
    heading: Option<(Option<String>, String)>,
    /// Consecutive text outside links and code, scanned for bare URLs once it ends.
    prose: Option<(Range<usize>, String)>,
    /// Inside a link or an image, a URL in the text is not a link of its own.
    link_depth: usize,
    /// Inside an image, text is alt text, which is not part of a heading's text.
    image_depth: usize,
    in_code_block: bool,
}

impl<'a> Reader<'a> {
    fn new(source: &'a str) -> Reader<'a> {
        Reader {
            source,
            lines: LineIndex::new(source),
            doc: Document::default(),
            slugger: Slugger::new(),
            heading: None,
            prose: None,
            link_depth: 0,
            image_depth: 0,
            in_code_block: false,
        }
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Event::Text(text) = &event {
            self.heading_text(text);
            if self.link_depth == 0 && !self.in_code_block {
                let (span, buffer) =
                    self.prose.get_or_insert_with(|| (range.clone(), String::new()));
                span.end = range.end;
                buffer.push_str(text);
            }
            return;
        }
        self.end_of_text();
        match event {
            Event::Start(Tag::Link { link_type, dest_url, .. }) => {
                self.link_depth += 1;
                let (kind, dest) = match link_type {
                    LinkType::Email => (Kind::Autolink, format!("mailto:{dest_url}")),
                    LinkType::Autolink => (Kind::Autolink, dest_url.into_string()),
                    LinkType::Inline => (Kind::Inline, dest_url.into_string()),
                    _ => (Kind::Reference, dest_url.into_string()),
                };
                self.doc.links.push(self.lines.link(range.start, dest, kind));
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.link_depth += 1;
                self.image_depth += 1;
                self.doc.links.push(self.lines.link(
                    range.start,
                    dest_url.into_string(),
                    Kind::Image,
                ));
            }
            Event::End(TagEnd::Link) => self.link_depth -= 1,
            Event::End(TagEnd::Image) => {
                self.link_depth -= 1;
                self.image_depth -= 1;
            }
            Event::Start(Tag::CodeBlock(_)) => self.in_code_block = true,
            Event::End(TagEnd::CodeBlock) => self.in_code_block = false,
            Event::Start(Tag::Heading { id, .. }) => {
                self.heading = Some((id.map(|id| id.into_string()), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => match self.heading.take() {
                Some((Some(id), _)) => self.doc.anchors.add(&id),
                Some((None, text)) => self.doc.anchors.add(&self.slugger.next(&text)),
                None => {}
            },
            Event::Code(code) => self.heading_text(&code),
            Event::SoftBreak => self.heading_text("\n"),
            Event::Start(Tag::HtmlBlock) | Event::InlineHtml(_) => self.raw_html(range),
            _ => {}
        }
    }

    fn heading_text(&mut self, text: &str) {
        if let Some((_, heading)) = self.heading.as_mut().filter(|_| self.image_depth == 0) {
            heading.push_str(text);
        }
    }

    /// Finds the bare URLs in the text read since the last other event.
    fn end_of_text(&mut self) {
        let Some((span, text)) = self.prose.take() else { return };
        let written = &self.source[span.clone()];
        let mut searched = 0;
        for (offset, url) in bare::urls(&text) {
            // Escapes and entities make the text differ from its source: find the URL there.
            let as_written = url
                .strip_prefix("http://")
                .filter(|_| !text[offset..].starts_with("http"))
                .unwrap_or(&url);
            let at = written[searched..]
                .find(as_written)
                .map_or(offset.min(written.len()), |at| searched + at);
            searched = at + as_written.len().min(written.len() - at);
            self.doc.links.push(self.lines.link(span.start + at, url, Kind::Bare));
        }
    }

    /// Links and anchors in a piece of raw HTML: a whole HTML block or one inline tag.
    fn raw_html(&mut self, range: Range<usize>) {
        for attribute in html::attributes(&self.source[range.clone()]) {
            let offset = range.start + attribute.offset;
            let kind = match (attribute.tag.as_str(), attribute.name.as_str()) {
                (_, "id" | "name") => {
                    self.doc.anchors.add(&attribute.value);
                    continue;
                }
                ("a", "href") => Kind::HtmlHref,
                ("img", "src") => Kind::HtmlSrc,
                _ => continue,
            };
            self.doc.links.push(self.lines.link(offset, attribute.value, kind));
        }
    }
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
    fn finds_bare_urls_in_prose_only() {
        let text = "Go to https://a.org/x, or _www.b.org_.\n\n[https://c.org](https://c.org) `https://d.org`\n\n```\nhttps://e.org\n```\n\nEscaped \\* then https://f.org\n";
        assert_eq!(
            links(text),
            [
                link(1, 7, "https://a.org/x", Kind::Bare),
                link(1, 28, "http://www.b.org", Kind::Bare),
                link(3, 1, "https://c.org", Kind::Inline),
                link(9, 17, "https://f.org", Kind::Bare),
            ]
        );
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
}
