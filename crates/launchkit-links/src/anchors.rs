//! The anchors a link's fragment may name, compared as browsers on GitHub do: ignoring
//! case.

use crate::hash::FastSet;
use crate::html;

/// The anchors of a document: heading slugs, `{#id}` attributes and HTML `id`/`name`
/// values, lowercased because fragments are compared case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Anchors {
    /// In document order, for suggestions.
    pub ordered: Vec<String>,
    set: FastSet<String>,
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

    /// The anchors of an HTML page: its `id` and `name` attributes.
    pub fn from_html(text: &str) -> Anchors {
        let mut anchors = Anchors::default();
        for attribute in html::attributes(text) {
            if attribute.name == "id" || attribute.name == "name" {
                anchors.add(&attribute.value);
            }
        }
        anchors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_html_page_anchors() {
        let anchors = Anchors::from_html("<h2 id=\"Intro\">x</h2><a name=n>");
        assert_eq!(anchors.ordered, ["intro", "n"]);
        assert!(anchors.contains("INTRO") && !anchors.contains("x"));
    }
}
