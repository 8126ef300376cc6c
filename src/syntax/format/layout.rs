//! A small pretty-printing engine in the manner of Wadler's "prettier printer": the formatter
//! describes a file as a [`Doc`] of text, possible line breaks and groups, and [`render`] lays
//! it out in [`WIDTH`] columns. A group goes on one line when it fits, and breaks every one of
//! its own line breaks otherwise; a fill breaks only where the next item would not fit.
//! Comments are part of the document, so that they stay where they were.

/// The column the layout keeps within where it can (a long string cannot be broken).
pub const WIDTH: usize = 100;

/// A comment as the formatter keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Its text from `//` to the end of its line, without trailing white space.
    pub text: String,
    /// Code comes before it on its line: it stays at the end of the line it followed.
    pub trailing: bool,
    /// An empty line comes before it.
    pub blank_before: bool,
}

/// A document to lay out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Doc {
    /// Text without line breaks.
    Text(String),
    /// A space on one line, a line break when its group breaks.
    Line,
    /// A line break, always.
    Hard,
    /// An empty line (two line breaks), at most one in a row and never first in a block.
    Blank,
    /// Line breaks inside are indented by this many more columns.
    Nest(usize, Box<Doc>),
    /// Line breaks inside are indented to the column where it starts.
    Align(Box<Doc>),
    /// On one line if it fits, with every break taken otherwise.
    Group(Box<Doc>),
    /// Items separated by a space, or a line break before each item that would not fit.
    Fill(Vec<Doc>),
    /// One after another.
    Concat(Vec<Doc>),
    /// Comments read before this point; `true` when an empty line follows them.
    Comments(Vec<Comment>, bool),
}

/// Text.
pub fn text(s: impl Into<String>) -> Doc {
    Doc::Text(s.into())
}

/// One after another.
pub fn cat(parts: Vec<Doc>) -> Doc {
    Doc::Concat(parts)
}

/// Indented by `by` columns where it breaks.
pub fn nest(by: usize, doc: Doc) -> Doc {
    Doc::Nest(by, Box::new(doc))
}

/// On one line if it fits.
pub fn group(doc: Doc) -> Doc {
    Doc::Group(Box::new(doc))
}

/// Indented to the column where it starts, where it breaks.
pub fn align(doc: Doc) -> Doc {
    Doc::Align(Box::new(doc))
}

/// The document's width on one line, or `None` if it cannot go on one line.
fn flat_width(doc: &Doc) -> Option<usize> {
    match doc {
        Doc::Text(s) => Some(s.chars().count()),
        Doc::Line => Some(1),
        Doc::Hard | Doc::Blank => None,
        Doc::Nest(_, d) | Doc::Align(d) | Doc::Group(d) => flat_width(d),
        Doc::Fill(items) => {
            let mut width = items.len().saturating_sub(1);
            for item in items {
                width += flat_width(item)?;
            }
            Some(width)
        }
        Doc::Concat(parts) => parts.iter().try_fold(0, |sum, d| Some(sum + flat_width(d)?)),
        Doc::Comments(list, _) => list.is_empty().then_some(0),
    }
}

/// Lays the document out; the text ends with exactly one line break.
pub fn render(doc: &Doc) -> String {
    let mut out = Out::default();
    out.doc(doc, 0, false);
    let mut text = out.text;
    let trimmed = text.trim_end().len();
    text.truncate(trimmed);
    text.push('\n');
    text
}

#[derive(Default)]
struct Out {
    text: String,
    /// The column of the last line written.
    col: usize,
    /// Line breaks owed before the next text (0, 1 or 2), and that text's indentation.
    pending: usize,
    pending_indent: usize,
    /// The last text written opened a block: no empty line follows it.
    block_start: bool,
    /// The last line written ends in a comment: nothing more may go on it.
    in_comment: bool,
}

impl Out {
    /// The column the next text starts at.
    fn column(&self) -> usize {
        if self.pending > 0 { self.pending_indent } else { self.col }
    }

    fn owe(&mut self, lines: usize, indent: usize) {
        self.pending = self.pending.max(lines);
        self.pending_indent = indent;
    }

    fn write(&mut self, s: &str) {
        if self.pending > 0 && !self.text.is_empty() {
            let lines = if self.block_start { 1 } else { self.pending };
            for _ in 0..lines {
                self.text.push('\n');
            }
            self.text.extend(std::iter::repeat_n(' ', self.pending_indent));
            self.col = self.pending_indent;
        }
        self.pending = 0;
        self.text.push_str(s);
        self.col += s.chars().count();
        self.block_start = s.ends_with('{');
        self.in_comment = false;
    }

    fn doc(&mut self, doc: &Doc, indent: usize, flat: bool) {
        match doc {
            Doc::Text(s) => self.write(s),
            Doc::Line if flat => {
                if self.pending == 0 {
                    self.write(" ");
                }
            }
            Doc::Line | Doc::Hard => self.owe(1, indent),
            Doc::Blank => self.owe(2, indent),
            Doc::Nest(by, d) => self.doc(d, indent + by, flat),
            Doc::Align(d) => {
                let column = self.column();
                self.doc(d, column, flat);
            }
            Doc::Group(d) => {
                let fits = flat || flat_width(d).is_some_and(|w| self.column() + w <= WIDTH);
                self.doc(d, indent, fits);
            }
            Doc::Fill(items) => self.fill(items, indent, flat),
            Doc::Concat(parts) => {
                for part in parts {
                    self.doc(part, indent, flat);
                }
            }
            Doc::Comments(list, blank_after) => {
                for comment in list {
                    self.comment(comment, indent);
                }
                if *blank_after && !list.is_empty() {
                    self.owe(2, indent);
                }
            }
        }
    }

    fn fill(&mut self, items: &[Doc], indent: usize, flat: bool) {
        for (i, item) in items.iter().enumerate() {
            let width = flat_width(item);
            if i > 0 {
                match width {
                    Some(w) if flat || self.column() + 1 + w <= WIDTH => self.doc(&Doc::Line, indent, true),
                    _ => self.owe(1, indent),
                }
            }
            let fits = flat || width.is_some_and(|w| self.column() + w <= WIDTH);
            self.doc(item, indent, fits);
        }
    }

    fn comment(&mut self, comment: &Comment, indent: usize) {
        if comment.trailing && !self.text.is_empty() && !self.in_comment {
            // At the end of the line it followed, whatever breaks are owed after that line.
            let code = self.text.trim_end_matches(' ').len();
            self.text.truncate(code);
            self.text.push(' ');
            self.text.push_str(&comment.text);
            self.in_comment = true;
            self.block_start = false;
            if self.pending == 0 {
                self.owe(1, indent);
            }
            return;
        }
        let lines = if comment.blank_before { 2 } else { 1 };
        self.owe(lines, indent);
        self.write(&comment.text);
        self.in_comment = true;
        self.owe(1, indent);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(n: usize) -> Vec<Doc> {
        (0..n).map(|i| text(format!("word{i:02}"))).collect()
    }

    #[test]
    fn a_group_that_fits_stays_on_one_line() {
        let doc = group(cat(vec![text("a"), nest(2, cat(vec![Doc::Line, text("b")]))]));
        assert_eq!(render(&doc), "a b\n");
    }

    #[test]
    fn a_group_too_wide_breaks_every_line() {
        let mut parts = Vec::new();
        for w in words(20) {
            parts.push(Doc::Line);
            parts.push(w);
        }
        let text = render(&nest(2, group(cat(parts))));
        assert_eq!(text.lines().count(), 20, "{text}");
        assert!(text.lines().all(|l| l == l.trim_end()));
    }

    #[test]
    fn a_fill_breaks_only_where_the_next_item_would_not_fit() {
        let text = render(&Doc::Fill(words(30)));
        let lines: Vec<&str> = text.lines().collect();
        // Each word is 6 columns and a space: 14 fit in 100 columns (14 * 7 - 1 = 97).
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines.iter().all(|l| l.chars().count() <= WIDTH));
        assert_eq!(lines.first().map(|l| l.split(' ').count()), Some(14));
    }

    #[test]
    fn comments_keep_their_place_and_break_their_group() {
        let trailing = Comment { text: "// after a".into(), trailing: true, blank_before: false };
        let own = Comment { text: "// before b".into(), trailing: false, blank_before: true };
        let doc = group(cat(vec![
            text("a"),
            nest(2, cat(vec![Doc::Line, Doc::Comments(vec![trailing, own], false), text("b")])),
        ]));
        assert_eq!(render(&doc), "a // after a\n\n  // before b\n  b\n");
    }

    #[test]
    fn no_empty_line_opens_a_block() {
        let doc = cat(vec![text("x {"), nest(2, cat(vec![Doc::Blank, text("y")])), Doc::Hard, text("}")]);
        assert_eq!(render(&doc), "x {\n  y\n}\n");
    }
}
