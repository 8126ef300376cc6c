//! Byte offsets and the protocol's positions: a line and a column counted in UTF-16 code units,
//! as the protocol's default encoding says.

use lsp_types::{Position, Range};

/// The position of byte `offset` in `text` (an offset inside a character counts as its start).
pub fn position(text: &str, offset: usize) -> Position {
    let offset = offset.min(text.len());
    let before = text.get(..offset).or_else(|| (0..offset).rev().find_map(|o| text.get(..o))).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let line = before.matches('\n').count();
    let column: usize = before.get(line_start..).unwrap_or("").chars().map(char::len_utf16).sum();
    Position { line: saturate(line), character: saturate(column) }
}

/// The range of bytes `start..end` of `text`.
pub fn range(text: &str, start: usize, end: usize) -> Range {
    Range { start: position(text, start), end: position(text, end) }
}

/// The byte offset of `position` in `text`: past the end of a line means its end, past the
/// last line the end of the text.
pub fn offset(text: &str, position: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text.get(line_start..).and_then(|rest| rest.find('\n')) {
            Some(n) => line_start += n + 1,
            None => return text.len(),
        }
    }
    let line = text.get(line_start..).unwrap_or("");
    let line = line.split('\n').next().unwrap_or("");
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= position.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_start + line.len()
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let text = "ab\n\u{1F600}x\n";
        assert_eq!(position(text, 0), Position { line: 0, character: 0 });
        assert_eq!(position(text, 3), Position { line: 1, character: 0 });
        // The emoji is four bytes and two UTF-16 units.
        assert_eq!(position(text, 7), Position { line: 1, character: 2 });
        assert_eq!(offset(text, Position { line: 1, character: 2 }), 7);
        assert_eq!(offset(text, Position { line: 1, character: 99 }), 8);
        assert_eq!(offset(text, Position { line: 9, character: 0 }), text.len());
        for at in 0..=text.len() {
            if text.is_char_boundary(at) {
                assert_eq!(offset(text, position(text, at)), at);
            }
        }
    }
}
