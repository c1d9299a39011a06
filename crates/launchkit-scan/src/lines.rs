//! Line numbers for byte offsets: the line starts are found once, then each offset is a
//! binary search, so locating every entry of a large file stays linear.

/// Where each line of a text starts.
#[derive(Debug, Clone)]
pub struct Lines {
    starts: Vec<usize>,
    len: usize,
}

impl Lines {
    /// Indexes `text`.
    pub fn new(text: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(at, _)| at + 1));
        Lines { starts, len: text.len() }
    }

    /// The 1-based line that holds byte `offset`.
    pub fn line(&self, offset: usize) -> u32 {
        self.starts.partition_point(|&start| start <= offset) as u32
    }

    /// The byte range of 1-based `line`, without its newline.
    pub fn range(&self, line: u32) -> std::ops::Range<usize> {
        let index = (line as usize).saturating_sub(1).min(self.starts.len() - 1);
        let end = self.starts.get(index + 1).map_or(self.len, |&next| next - 1);
        self.starts[index]..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines() {
        let text = "ab\ncd\n\nef";
        let lines = Lines::new(text);
        assert_eq!([0, 2, 3, 6, 7, 8].map(|offset| lines.line(offset)), [1, 1, 2, 3, 4, 4]);
        assert_eq!(&text[lines.range(2)], "cd");
        assert_eq!(&text[lines.range(4)], "ef");
    }
}
