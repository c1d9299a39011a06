//! Just enough HTML to find links and anchors in raw HTML: start tags and their
//! attributes, with comments, end tags and declarations skipped.

/// One attribute of a start tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Tag name, lowercase.
    pub tag: String,
    /// Attribute name, lowercase.
    pub name: String,
    /// The value with the common character references decoded.
    pub value: String,
    /// Byte offset of the tag's `<` in the scanned text.
    pub offset: usize,
}

/// Every attribute of every start tag in `html`, in order. Text inside comments is not
/// markup, so it yields nothing.
pub fn attributes(html: &str) -> Vec<Attribute> {
    let mut found = Vec::new();
    let bytes = html.as_bytes();
    let mut pos = 0;
    while let Some(found_at) = html[pos..].find('<') {
        let start = pos + found_at;
        let rest = &html[start..];
        if let Some(comment) = rest.strip_prefix("<!--") {
            pos = comment.find("-->").map_or(html.len(), |end| start + 4 + end + 3);
            continue;
        }
        let name_len =
            rest[1..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'-').count();
        if name_len == 0 || !bytes[start + 1].is_ascii_alphabetic() {
            // An end tag, a declaration, or a lone `<`: nothing to read.
            pos = start + 1;
            continue;
        }
        let tag = rest[1..=name_len].to_ascii_lowercase();
        pos = start + 1 + name_len;
        pos = read_attributes(html, pos, |name, value| {
            found.push(Attribute { tag: tag.clone(), name, value, offset: start });
        });
    }
    found
}

/// Reads `name="value"` pairs from `pos` up to the closing `>`; returns the position
/// after it.
fn read_attributes(html: &str, mut pos: usize, mut emit: impl FnMut(String, String)) -> usize {
    let bytes = html.as_bytes();
    loop {
        while pos < bytes.len() && (bytes[pos].is_ascii_whitespace() || bytes[pos] == b'/') {
            pos += 1;
        }
        if pos >= bytes.len() {
            return pos;
        }
        if bytes[pos] == b'>' {
            return pos + 1;
        }
        let name_start = pos;
        while pos < bytes.len()
            && !matches!(bytes[pos], b'=' | b'>' | b'/')
            && !bytes[pos].is_ascii_whitespace()
        {
            pos += 1;
        }
        let name = html[name_start..pos].to_ascii_lowercase();
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        if pos >= bytes.len() || bytes[pos] != b'=' {
            emit(name, String::new());
            continue;
        }
        pos += 1;
        while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        let (value, end) = match bytes.get(pos) {
            Some(&quote @ (b'"' | b'\'')) => {
                let close =
                    html[pos + 1..].find(quote as char).map_or(html.len(), |at| pos + 1 + at);
                (&html[pos + 1..close], (close + 1).min(html.len()))
            }
            _ => {
                let len = html[pos..]
                    .find(|c: char| c.is_ascii_whitespace() || c == '>')
                    .unwrap_or(html.len() - pos);
                (&html[pos..pos + len], pos + len)
            }
        };
        emit(name, decode_references(value));
        pos = end;
    }
}

/// Decodes the character references that show up in URLs and ids.
fn decode_references(value: &str) -> String {
    if !value.contains('&') {
        return value.to_owned();
    }
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(html: &str) -> Vec<(String, String, String)> {
        attributes(html).into_iter().map(|a| (a.tag, a.name, a.value)).collect()
    }

    fn triple(tag: &str, name: &str, value: &str) -> (String, String, String) {
        (tag.to_owned(), name.to_owned(), value.to_owned())
    }

    #[test]
    fn reads_quoted_unquoted_and_bare_attributes() {
        assert_eq!(
            pairs(r#"<a href="x.md" title='t' id=top hidden>text</a>"#),
            [
                triple("a", "href", "x.md"),
                triple("a", "title", "t"),
                triple("a", "id", "top"),
                triple("a", "hidden", "")
            ]
        );
        assert_eq!(pairs("<IMG SRC = \"a.png\"/>"), [triple("img", "src", "a.png")]);
    }

    #[test]
    fn skips_comments_end_tags_and_declarations() {
        assert_eq!(
            pairs("<!-- <a href=\"no\"> --><!DOCTYPE html></p><a name=yes>"),
            [triple("a", "name", "yes")]
        );
        assert_eq!(pairs("<!-- unterminated <a href=x>"), []);
        assert_eq!(pairs("1 < 2 and <3"), []);
    }

    #[test]
    fn spans_lines_and_decodes_references() {
        assert_eq!(pairs("<a\n  href=\"a?b=1&amp;c=2\"\n>"), [triple("a", "href", "a?b=1&c=2")]);
    }

    #[test]
    fn records_the_offset_of_the_tag() {
        let found = attributes("text <img src=a.png>");
        assert_eq!(found[0].offset, 5);
    }
}
