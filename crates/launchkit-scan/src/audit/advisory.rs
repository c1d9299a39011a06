//! One advisory of the RustSec database: a markdown file whose front matter, in a
//! ```` ```toml ```` fence, holds `[advisory]`, `[versions]` and optionally `[affected]`.

use semver::Version;

use super::range::Range;
use crate::date::Day;
use crate::toml_reader::{self, Table, Value};

/// What kind of advisory it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A security vulnerability.
    Vulnerability,
    /// `informational = "..."`: unmaintained, unsound, notice, or a kind added later.
    Informational(String),
}

/// One advisory.
#[derive(Debug, Clone)]
pub struct Advisory {
    /// `RUSTSEC-2021-0003`.
    pub id: String,
    /// The crate it is about.
    pub package: String,
    /// The heading of its description.
    pub title: String,
    /// When it was reported.
    pub date: Day,
    /// The date as written.
    pub date_text: String,
    /// Vulnerability or informational.
    pub kind: Kind,
    /// `memory-corruption`, `denial-of-service`, ...
    pub categories: Vec<String>,
    /// CVSS vector, when given.
    pub cvss: Option<String>,
    /// When it was withdrawn; a withdrawn advisory applies to nothing.
    pub withdrawn: Option<String>,
    /// Where to read more.
    pub url: Option<String>,
    /// CVE and GHSA ids.
    pub aliases: Vec<String>,
    /// Versions with the fix.
    pub patched: Vec<Range>,
    /// Versions the problem never affected.
    pub unaffected: Vec<Range>,
    /// Functions it is about, when the advisory names them (`[affected.functions]`).
    pub functions: Vec<String>,
}

impl Advisory {
    /// Parses an advisory file; the error says which part is wrong.
    pub fn parse(text: &str) -> Result<Advisory, String> {
        let (front, body) = front_matter(text).ok_or("no ```toml front matter at the top")?;
        let tables = toml_reader::parse(front)?;
        let advisory = toml_reader::table(&tables, &["advisory"]).ok_or("no [advisory] table")?;
        let string = |key: &str| advisory.str(key).map(str::to_owned);
        let required = |key: &str| string(key).ok_or(format!("[advisory] has no `{key}`"));
        let id = required("id")?;
        let date_text = required("date")?;
        let date = Day::parse(&date_text)
            .ok_or(format!("[advisory] date `{date_text}` is not YYYY-MM-DD"))?;
        let versions = toml_reader::table(&tables, &["versions"]).ok_or("no [versions] table")?;
        let functions = functions(&tables);
        Ok(Advisory {
            package: required("package")?,
            title: title(body).unwrap_or_else(|| id.clone()),
            kind: match string("informational") {
                Some(kind) => Kind::Informational(kind.trim().to_owned()),
                None => Kind::Vulnerability,
            },
            categories: advisory.strings("categories"),
            cvss: string("cvss"),
            withdrawn: string("withdrawn"),
            url: string("url"),
            aliases: advisory.strings("aliases"),
            patched: ranges(versions, "patched")?,
            unaffected: ranges(versions, "unaffected")?,
            functions,
            id,
            date,
            date_text,
        })
    }

    /// True when `version` has the problem: not patched and not unaffected.
    pub fn affects(&self, version: &Version) -> bool {
        let in_any = |ranges: &[Range]| ranges.iter().any(|range| range.contains(version));
        !in_any(&self.patched) && !in_any(&self.unaffected)
    }

    /// `>= 0.6.14, < 1.0.0 or >= 1.6.1`, or `None` when no version has the fix.
    pub fn fixed_in(&self) -> Option<String> {
        let ranges: Vec<String> = self.patched.iter().map(Range::to_string).collect();
        (!ranges.is_empty()).then(|| ranges.join(" or "))
    }
}

/// The TOML between the opening ```` ```toml ```` line and the closing fence, and the
/// markdown after it.
fn front_matter(text: &str) -> Option<(&str, &str)> {
    let rest = text.trim_start_matches('\u{feff}').trim_start();
    let rest = rest.strip_prefix("```toml")?;
    let rest = rest.strip_prefix("\r\n").or_else(|| rest.strip_prefix('\n'))?;
    let end = rest.find("\n```")?;
    Some((&rest[..end], &rest[end + 4..]))
}

/// The functions named by `[affected]`'s `functions = { ... }`, by an
/// `[affected.functions]` table, or by dotted `functions."name"` keys.
fn functions(tables: &[Table]) -> Vec<String> {
    let first = |entries: &[(Vec<String>, Value)]| -> Vec<String> {
        entries.iter().map(|(key, _)| key[0].clone()).collect()
    };
    let mut names = Vec::new();
    if let Some(affected) = toml_reader::table(tables, &["affected"]) {
        if let Some(Value::Table(entries)) = affected.get("functions") {
            names.extend(first(entries));
        }
        let dotted =
            affected.entries.iter().filter(|(key, _)| key.len() > 1 && key[0] == "functions");
        names.extend(dotted.map(|(key, _)| key[1].clone()));
    }
    if let Some(functions) = toml_reader::table(tables, &["affected", "functions"]) {
        names.extend(first(&functions.entries));
    }
    names
}

/// The first `# ` heading of the description.
fn title(body: &str) -> Option<String> {
    body.lines().find_map(|line| line.strip_prefix("# ")).map(|title| title.trim().to_owned())
}

fn ranges(versions: &Table, key: &str) -> Result<Vec<Range>, String> {
    versions
        .strings(key)
        .iter()
        .map(|text| Range::parse(text).map_err(|err| format!("[versions] {key} `{text}`: {err}")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALLVEC: &str = r#"```toml
[advisory]
id = "RUSTSEC-2021-0003"
package = "smallvec"
date = "2021-01-08"
categories = ["memory-corruption"]

[versions]
patched = [">= 0.6.14, < 1.0.0", ">= 1.6.1"]
unaffected = ["< 0.6.3"]

[affected]
functions = { "smallvec::SmallVec::insert_many" = [">= 1.0.0, < 1.6.1"] }
```

# Buffer overflow in SmallVec::insert_many

Text.
"#;

    #[test]
    fn an_advisory_and_the_versions_it_affects() {
        let advisory = Advisory::parse(SMALLVEC).unwrap();
        assert_eq!(advisory.title, "Buffer overflow in SmallVec::insert_many");
        assert_eq!(advisory.kind, Kind::Vulnerability);
        assert_eq!(advisory.functions, ["smallvec::SmallVec::insert_many"]);
        let version = |text| Version::parse(text).unwrap();
        assert!(advisory.affects(&version("1.6.0")));
        assert!(advisory.affects(&version("0.6.13")));
        assert!(!advisory.affects(&version("1.6.1")));
        assert!(!advisory.affects(&version("0.6.2")));
        assert_eq!(advisory.fixed_in().unwrap(), ">= 0.6.14, < 1.0.0 or >= 1.6.1");
    }

    #[test]
    fn broken_advisories_say_what_is_wrong() {
        assert_eq!(
            Advisory::parse("# no front matter").unwrap_err(),
            "no ```toml front matter at the top"
        );
        let no_versions =
            "```toml\n[advisory]\nid = \"X\"\npackage = \"p\"\ndate = \"2020-01-01\"\n```\n";
        assert_eq!(Advisory::parse(no_versions).unwrap_err(), "no [versions] table");
    }
}
