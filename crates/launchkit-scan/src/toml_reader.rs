//! A reader for the TOML that Cargo.lock and RustSec advisories are written in: tables,
//! arrays of tables, keys (bare, quoted, dotted), strings of every kind, arrays and inline
//! tables. Numbers, booleans and dates are checked for their characters and kept as text.
//!
//! The audit reads hundreds of these files per run, in the unoptimized build `cargo xtask`
//! makes. A full TOML library builds a document that keeps every space and comment for
//! editing, which made the audit as slow as cargo-audit unless it was compiled with
//! optimizations, seconds of every cold build of the xtask. This reader builds only the
//! values, so it is fast enough without. It does not reject everything a TOML parser
//! would (a key defined twice is kept twice, the first one wins); Cargo.lock and the
//! RustSec database are written by tools and checked by the TOML parsers of theirs.

use crate::lines::Lines;

/// A value; numbers, booleans and dates as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    String(String),
    Array(Vec<Value>),
    Table(Vec<(Vec<String>, Value)>),
    Other(String),
}

impl Value {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(text) => Some(text),
            _ => None,
        }
    }
}

/// A `[table]` or `[[array]]` header with the keys under it, or the keys before the
/// first header (an empty `path`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Table {
    /// The header's key, one string per dotted part.
    pub path: Vec<String>,
    /// True for an `[[array]]` header.
    pub array: bool,
    /// 1-based line of the header.
    pub line: u32,
    /// Each key (one string per dotted part) with its value, in file order.
    pub entries: Vec<(Vec<String>, Value)>,
}

impl Table {
    /// The value of the plain key `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        get(&self.entries, key)
    }

    /// The string `key`, if it is one.
    pub(crate) fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// The strings of the array `key`; anything else in it is left out.
    pub(crate) fn strings(&self, key: &str) -> Vec<String> {
        match self.get(key) {
            Some(Value::Array(values)) => {
                values.iter().filter_map(Value::as_str).map(str::to_owned).collect()
            }
            _ => Vec::new(),
        }
    }
}

/// The value of the plain key `key` among `entries`.
pub(crate) fn get<'v>(entries: &'v [(Vec<String>, Value)], key: &str) -> Option<&'v Value> {
    entries.iter().find(|(path, _)| path.len() == 1 && path[0] == key).map(|(_, value)| value)
}

/// The first `[table]` (not `[[array]]`) whose header is `path`.
pub(crate) fn table<'t>(tables: &'t [Table], path: &[&str]) -> Option<&'t Table> {
    tables.iter().find(|table| !table.array && table.path == path)
}

/// Reads a document into its tables, the keys before the first header first. The error
/// is one line: `line N: what is wrong`.
pub(crate) fn parse(text: &str) -> Result<Vec<Table>, String> {
    let mut reader = Reader { text, bytes: text.as_bytes(), at: 0, lines: Lines::new(text) };
    let mut tables = vec![Table { path: Vec::new(), array: false, line: 1, entries: Vec::new() }];
    loop {
        reader.skip_blanks();
        match reader.peek() {
            None => break,
            Some(b'\n' | b'\r' | b'#') => {}
            Some(b'[') => {
                let line = reader.line();
                reader.at += 1;
                let array = reader.eat(b'[');
                let path = reader.key()?;
                reader.expect(b']', "`]` after the table name")?;
                if array && !reader.eat(b']') {
                    return Err(reader.error("expected `]]` after the table name"));
                }
                tables.push(Table { path, array, line, entries: Vec::new() });
            }
            Some(_) => {
                let entry = reader.entry()?;
                tables.last_mut().expect("the first table is always there").entries.push(entry);
            }
        }
        reader.end_of_line()?;
    }
    Ok(tables)
}

struct Reader<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    lines: Lines,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn line(&self) -> u32 {
        self.lines.line(self.at)
    }

    fn error(&self, what: &str) -> String {
        format!("line {}: {what}", self.line())
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    /// Skips blanks, then takes `byte` or fails saying what was `expected`.
    fn expect(&mut self, byte: u8, expected: &str) -> Result<(), String> {
        self.skip_blanks();
        if self.eat(byte) { Ok(()) } else { Err(self.error(&format!("expected {expected}"))) }
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.at += 1;
        }
    }

    /// Skips blanks, line ends and comments: the space between the items of an array.
    fn skip_space(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.at += 1,
                Some(b'#') => self.skip_comment(),
                _ => return,
            }
        }
    }

    fn skip_comment(&mut self) {
        let rest = &self.bytes[self.at..];
        self.at += rest.iter().position(|&byte| byte == b'\n').unwrap_or(rest.len());
    }

    /// After a header or an entry: blanks, maybe a comment, then the line's end.
    fn end_of_line(&mut self) -> Result<(), String> {
        self.skip_blanks();
        if self.peek() == Some(b'#') {
            self.skip_comment();
        }
        self.eat(b'\r');
        match self.peek() {
            None => Ok(()),
            Some(b'\n') => {
                self.at += 1;
                Ok(())
            }
            Some(_) => Err(self.error("expected the end of the line")),
        }
    }

    /// `key = value`.
    fn entry(&mut self) -> Result<(Vec<String>, Value), String> {
        let key = self.key()?;
        self.expect(b'=', "`=` after the key")?;
        self.skip_blanks();
        Ok((key, self.value()?))
    }

    /// A dotted key, with the blanks around it.
    fn key(&mut self) -> Result<Vec<String>, String> {
        let mut parts = Vec::new();
        loop {
            self.skip_blanks();
            let part = match self.peek() {
                Some(b'"') => self.basic_string()?,
                Some(b'\'') => self.literal_string()?,
                _ => {
                    let rest = &self.bytes[self.at..];
                    let len = rest
                        .iter()
                        .position(|&byte| {
                            !(byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-')
                        })
                        .unwrap_or(rest.len());
                    if len == 0 {
                        return Err(self.error("expected a key"));
                    }
                    self.at += len;
                    self.text[self.at - len..self.at].to_owned()
                }
            };
            parts.push(part);
            self.skip_blanks();
            if !self.eat(b'.') {
                return Ok(parts);
            }
        }
    }

    fn value(&mut self) -> Result<Value, String> {
        let rest = &self.bytes[self.at..];
        match self.peek() {
            _ if rest.starts_with(b"\"\"\"") => self.multi_line_string(b'"').map(Value::String),
            _ if rest.starts_with(b"'''") => self.multi_line_string(b'\'').map(Value::String),
            Some(b'"') => self.basic_string().map(Value::String),
            Some(b'\'') => self.literal_string().map(Value::String),
            Some(b'[') => self.array(),
            Some(b'{') => self.inline_table(),
            _ => self.other(),
        }
    }

    fn array(&mut self) -> Result<Value, String> {
        self.list(b']', "`,` or `]` in the array", Self::value).map(Value::Array)
    }

    /// `{ key = value, ... }`, with TOML 1.1's line breaks and trailing comma allowed.
    fn inline_table(&mut self) -> Result<Value, String> {
        self.list(b'}', "`,` or `}` in the inline table", Self::entry).map(Value::Table)
    }

    /// The comma-separated items after an opening bracket, up to `close`; a trailing comma
    /// and line breaks are allowed. `expected` names what may follow an item.
    fn list<T>(
        &mut self,
        close: u8,
        expected: &str,
        mut item: impl FnMut(&mut Self) -> Result<T, String>,
    ) -> Result<Vec<T>, String> {
        self.at += 1;
        let mut items = Vec::new();
        loop {
            self.skip_space();
            if self.eat(close) {
                return Ok(items);
            }
            items.push(item(self)?);
            self.skip_space();
            if !self.eat(b',') {
                self.expect(close, expected)?;
                return Ok(items);
            }
        }
    }

    /// A number, boolean or date: the characters those are made of, up to what ends a
    /// value. The one space allowed is the one between a date and its time.
    fn other(&mut self) -> Result<Value, String> {
        let word = |bytes: &[u8]| {
            let valid = |byte: &u8| byte.is_ascii_alphanumeric() || b"+-_.:".contains(byte);
            bytes.iter().position(|byte| !valid(byte)).unwrap_or(bytes.len())
        };
        let start = self.at;
        self.at += word(&self.bytes[start..]);
        let is_date = |text: &[u8]| {
            text.len() == 10
                && text.iter().enumerate().all(|(at, byte)| match at {
                    4 | 7 => *byte == b'-',
                    _ => byte.is_ascii_digit(),
                })
        };
        let rest = &self.bytes[self.at..];
        if is_date(&self.bytes[start..self.at])
            && rest.first() == Some(&b' ')
            && rest.get(1).is_some_and(u8::is_ascii_digit)
        {
            self.at += 1 + word(&rest[1..]);
        }
        if self.at == start {
            return Err(self.error("expected a value"));
        }
        Ok(Value::Other(self.text[start..self.at].to_owned()))
    }

    /// `'...'`: no escapes, on one line.
    fn literal_string(&mut self) -> Result<String, String> {
        self.at += 1;
        let rest = &self.bytes[self.at..];
        match rest.iter().position(|&byte| byte == b'\'' || byte == b'\n') {
            Some(len) if rest[len] == b'\'' => {
                self.at += len + 1;
                Ok(self.text[self.at - len - 1..self.at - 1].to_owned())
            }
            _ => Err(self.error("unterminated string")),
        }
    }

    /// `"..."`, with escapes, on one line.
    fn basic_string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.bytes[self.at..];
            let Some(len) = rest.iter().position(|&byte| matches!(byte, b'"' | b'\\' | b'\n'))
            else {
                return Err(self.error("unterminated string"));
            };
            out.push_str(&self.text[self.at..self.at + len]);
            self.at += len;
            match rest[len] {
                b'"' => {
                    self.at += 1;
                    return Ok(out);
                }
                b'\\' => self.escape(&mut out)?,
                _ => return Err(self.error("unterminated string")),
            }
        }
    }

    /// `"""..."""` or `'''...'''`: a line break right after the opening quotes is left
    /// out; in the basic form, escapes apply and a `\` at the end of a line removes the
    /// line break and the blanks after it.
    fn multi_line_string(&mut self, quote: u8) -> Result<String, String> {
        self.at += 3;
        if self.bytes[self.at..].starts_with(b"\r\n") {
            self.at += 2;
        } else {
            self.eat(b'\n');
        }
        let mut out = String::new();
        loop {
            let rest = &self.bytes[self.at..];
            let stop = |byte: &u8| *byte == quote || (quote == b'"' && *byte == b'\\');
            let Some(len) = rest.iter().position(stop) else {
                return Err(self.error("unterminated string"));
            };
            out.push_str(&self.text[self.at..self.at + len]);
            self.at += len;
            if rest[len] == b'\\' {
                let after = &self.bytes[self.at + 1..];
                let blanks = after.iter().position(|&byte| byte != b' ' && byte != b'\t');
                if blanks.is_some_and(|blanks| matches!(after[blanks], b'\n' | b'\r')) {
                    self.at += 1;
                    self.skip_space_in_string();
                } else {
                    self.escape(&mut out)?;
                }
                continue;
            }
            // Up to two quotes may end the content, right before the closing three.
            let quotes = rest[len..].iter().take_while(|&&byte| byte == quote).count();
            if quotes >= 3 {
                let kept = (quotes - 3).min(2);
                out.push_str(&self.text[self.at..self.at + kept]);
                self.at += kept + 3;
                return Ok(out);
            }
            out.push_str(&self.text[self.at..self.at + quotes]);
            self.at += quotes;
        }
    }

    fn skip_space_in_string(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The escape at `\`, appended to `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let code = self.bytes.get(self.at + 1).copied();
        self.at += 2;
        let simple = match code {
            Some(b'b') => '\u{8}',
            Some(b't') => '\t',
            Some(b'n') => '\n',
            Some(b'f') => '\u{c}',
            Some(b'r') => '\r',
            Some(b'e') => '\u{1b}',
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(kind @ (b'x' | b'u' | b'U')) => {
                let digits = match kind {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = self.text.get(self.at..self.at + digits);
                let scalar = hex
                    .filter(|hex| hex.bytes().all(|byte| byte.is_ascii_hexdigit()))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .and_then(char::from_u32)
                    .ok_or_else(|| self.error("invalid unicode escape"))?;
                self.at += digits;
                scalar
            }
            _ => return Err(self.error("invalid escape in a string")),
        };
        out.push(simple);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> Value {
        Value::String(text.to_owned())
    }

    fn key(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|part| (*part).to_owned()).collect()
    }

    #[test]
    fn tables_keys_and_values() {
        let text = "version = 4 # comment\r\n\n[[package]]\nname = \"a\\tb\\u00e9\"\n\
                    deps = [\n  'x', # one\n  \"y\",\n]\n[a . \"b.c\"]\nd.e = { f = true, g = [1, 2] }\n\
                    when = 1979-05-27 07:32:00Z\n";
        let tables = parse(text).unwrap();
        assert_eq!(tables.len(), 3);
        assert_eq!(tables[0].get("version"), Some(&Value::Other("4".to_owned())));
        assert_eq!(
            (tables[1].path.clone(), tables[1].array, tables[1].line),
            (key(&["package"]), true, 3)
        );
        assert_eq!(tables[1].str("name"), Some("a\tbé"));
        assert_eq!(tables[1].strings("deps"), ["x", "y"]);
        let nested = &tables[2];
        assert_eq!((nested.path.clone(), nested.line), (key(&["a", "b.c"]), 9));
        let inline = Value::Table(vec![
            (key(&["f"]), Value::Other("true".to_owned())),
            (
                key(&["g"]),
                Value::Array(vec![Value::Other("1".to_owned()), Value::Other("2".to_owned())]),
            ),
        ]);
        assert_eq!(nested.entries[0], (key(&["d", "e"]), inline));
        assert_eq!(nested.get("when"), Some(&Value::Other("1979-05-27 07:32:00Z".to_owned())));
        assert_eq!(table(&tables, &["a", "b.c"]), Some(nested));
    }

    #[test]
    fn multi_line_strings() {
        let text = "a = \"\"\"\none \\\n    two\"\"\"\"\nb = '''\n\\n''\\'''\n";
        let tables = parse(text).unwrap();
        assert_eq!(tables[0].get("a"), Some(&s("one two\"")));
        assert_eq!(tables[0].get("b"), Some(&s("\\n''\\")));
    }

    #[test]
    fn errors_are_one_line_with_its_number() {
        let error = |text| parse(text).unwrap_err();
        assert_eq!(error("[[package]\n"), "line 1: expected `]]` after the table name");
        assert_eq!(error("a = 1\nb = \"open\n"), "line 2: unterminated string");
        assert_eq!(error("a = [1 2]"), "line 1: expected `,` or `]` in the array");
        assert_eq!(error("a = 1 b"), "line 1: expected the end of the line");
        assert_eq!(error("a 1"), "line 1: expected `=` after the key");
        assert_eq!(error("= 1"), "line 1: expected a key");
        assert_eq!(error("a = \"\\q\""), "line 1: invalid escape in a string");
        assert_eq!(error("a = ?"), "line 1: expected a value");
    }
}
