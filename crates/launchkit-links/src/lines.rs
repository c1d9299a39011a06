//! Byte offsets in a document to the 1-based line and column people and editors use.

use crate::extract::{Kind, Link};

/// The start of every line of one document.
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    /// Indexes the lines of `text`.
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(at, _)| at + 1)).collect();
        LineIndex { text, starts }
    }

    /// A link starting at byte `offset`, located by line and by column in characters.
    pub fn link(&self, offset: usize, dest: String, kind: Kind) -> Link {
        let line = self.starts.partition_point(|&start| start <= offset);
        let start = self.starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        Link { line: to_u32(line), column: to_u32(column), dest, kind }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}
