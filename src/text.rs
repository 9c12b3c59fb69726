//! Small text helpers shared by the rules and the editor: line splitting that keeps
//! byte offsets (LF, CRLF and lone CR all end a line) and char-boundary clamping.

/// A line of the original text: `start..end` excludes the line ending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
}

impl Line {
    pub fn text<'a>(&self, doc: &'a str) -> &'a str {
        &doc[self.start..self.end]
    }
}

/// Iterates the lines of `text` with their byte ranges.
pub fn lines(text: &str) -> Lines<'_> {
    Lines {
        bytes: text.as_bytes(),
        pos: 0,
    }
}

pub struct Lines<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Iterator for Lines<'_> {
    type Item = Line;

    fn next(&mut self) -> Option<Line> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let start = self.pos;
        match memchr::memchr2(b'\n', b'\r', &self.bytes[start..]) {
            Some(i) => {
                let end = start + i;
                let crlf = self.bytes[end] == b'\r' && self.bytes.get(end + 1) == Some(&b'\n');
                self.pos = end + if crlf { 2 } else { 1 };
                Some(Line { start, end })
            }
            None => {
                self.pos = self.bytes.len();
                Some(Line {
                    start,
                    end: self.bytes.len(),
                })
            }
        }
    }
}

/// Largest char boundary `<= i` (clamped to the text length).
pub fn floor_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Smallest char boundary `>= i` (clamped to the text length).
pub fn ceil_boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// `start..end` shrunk so it neither starts nor ends with whitespace.
pub fn trim_range(text: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &text[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead == s.len() {
        return (start, start);
    }
    (start + lead, end - trail)
}

/// `line.split_whitespace().count()`, a byte at a time where the text is ASCII (the
/// rules count the words of nearly every line, twice per document).
pub fn count_words(line: &str) -> usize {
    let bytes = line.as_bytes();
    let mut words = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let space = if b < 0x80 {
            i += 1;
            // char::is_whitespace on ASCII: \t \n \x0B \x0C \r and space.
            matches!(b, b'\t'..=b'\r' | b' ')
        } else {
            let Some(c) = line[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            c.is_whitespace()
        };
        if !space && !in_word {
            words += 1;
        }
        in_word = !space;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_line_ending() {
        let t = "a\nb\r\nc\rd";
        let got: Vec<&str> = lines(t).map(|l| l.text(t)).collect();
        assert_eq!(got, ["a", "b", "c", "d"]);
    }

    #[test]
    fn keeps_empty_lines_and_no_phantom_last_line() {
        let t = "a\n\nb\n";
        let got: Vec<&str> = lines(t).map(|l| l.text(t)).collect();
        assert_eq!(got, ["a", "", "b"]);
    }

    #[test]
    fn boundaries_never_split_a_char() {
        let t = "a“b";
        assert_eq!(floor_boundary(t, 2), 1);
        assert_eq!(ceil_boundary(t, 2), 4);
        assert_eq!(ceil_boundary(t, 99), t.len());
    }

    #[test]
    fn count_words_agrees_with_split_whitespace() {
        for t in [
            "",
            "   ",
            "one",
            " two  words ",
            "a\u{b}b\u{c}c\td\re\nf",
            "x\u{a0}y\u{3000}z\u{2009}w",
            "“quoted” café 日本語 — dash",
        ] {
            assert_eq!(count_words(t), t.split_whitespace().count(), "{t:?}");
        }
    }

    #[test]
    fn trim_range_drops_edge_whitespace() {
        let t = "  ab c \n";
        assert_eq!(trim_range(t, 0, t.len()), (2, 6));
        assert_eq!(trim_range(t, 0, 2), (0, 0));
    }
}
