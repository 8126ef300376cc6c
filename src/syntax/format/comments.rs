//! The comments of a file, read from its text beside the tree: `//` to the end of the line,
//! outside strings. `///` docs are among them, so the formatter prints them as written.

use super::layout::{Comment, Doc};

/// A file's comments in order, and how many are printed.
pub struct Comments {
    list: Vec<(usize, usize, Comment)>,
    next: usize,
}

impl Comments {
    /// Every comment in `source`, with where it starts and ends.
    /// `None` only if an offset falls inside a character, which would be a bug.
    pub fn new(source: &str) -> Option<Comments> {
        let bytes = source.as_bytes();
        let mut list = Vec::new();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' => i = string_end(bytes, i),
                b'/' if bytes.get(i + 1) == Some(&b'/') => {
                    let rest = source.get(i..)?;
                    let end = rest.find('\n').map_or(source.len(), |n| i + n);
                    let text = source.get(i..end)?.trim_end().to_owned();
                    let before = source.get(..i)?;
                    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
                    let trailing = !source.get(line_start..i)?.trim().is_empty();
                    let blank_before = newlines_before(bytes, i) >= 2;
                    list.push((i, end, Comment { text, trailing, blank_before }));
                    i = end;
                }
                _ => i += 1,
            }
        }
        Some(Comments { list, next: 0 })
    }

    /// The comments that start before `pos` and are not yet printed; with `blank`, an empty
    /// line after them is kept.
    pub fn before(&mut self, source: &str, pos: usize, blank: bool) -> Doc {
        let from = self.next;
        while self.list.get(self.next).is_some_and(|(start, _, _)| *start < pos) {
            self.next += 1;
        }
        let taken: Vec<&(usize, usize, Comment)> = self.list.iter().skip(from).take(self.next - from).collect();
        let Some((_, last_end, _)) = taken.last() else { return Doc::Concat(Vec::new()) };
        let blank_after = blank && blank_after(source, *last_end);
        Doc::Comments(taken.iter().map(|(_, _, c)| c.clone()).collect(), blank_after)
    }
}

/// An empty line follows `pos` before the next text.
pub fn blank_after(source: &str, pos: usize) -> bool {
    source.as_bytes().iter().skip(pos).take_while(|b| b.is_ascii_whitespace()).filter(|&&b| b == b'\n').count() >= 2
}

fn newlines_before(bytes: &[u8], pos: usize) -> usize {
    bytes.iter().take(pos).rev().take_while(|b| b.is_ascii_whitespace()).filter(|&&b| b == b'\n').count()
}

/// The offset after the string starting at `open`: its closing quote, or the end of its line.
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut i = open + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_found_outside_strings_only() {
        let source = "a \"not // this\" // one\n\n  /// two\nb \"\\\" // nor this\"\n";
        let comments = Comments::new(source).expect("a comment at a character boundary");
        let found: Vec<(&str, bool, bool)> =
            comments.list.iter().map(|(_, _, c)| (c.text.as_str(), c.trailing, c.blank_before)).collect();
        assert_eq!(found, vec![("// one", true, false), ("/// two", false, true)]);
    }
}
