//! A small lexer that runs before either reader. It bounds bracket nesting (so no input can
//! drive a recursive-descent parser into a deep recursion) and finds the tokens around a parse
//! error, which is what lets an error say "after `when`" and "found `then`".

/// A token's byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub start: usize,
    pub end: usize,
}

/// How deep brackets may nest. Real rule files nest a handful of levels.
pub const MAX_NESTING: usize = 64;

/// Tokens of `text`, skipping white space and comments (doc comments are tokens).
pub(crate) fn tokens(text: &str) -> impl Iterator<Item = Token> + '_ {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        loop {
            let &b = bytes.get(i)?;
            if b.is_ascii_whitespace() {
                i += 1;
            } else if bytes.get(i..i + 2) == Some(b"//") && !is_doc(bytes, i) {
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
            } else {
                break;
            }
        }
        let start = i;
        let &b = bytes.get(i)?;
        if b == b'/' && is_doc(bytes, i) {
            while bytes.get(i).is_some_and(|&c| c != b'\n') {
                i += 1;
            }
        } else if b.is_ascii_alphanumeric() || b == b'_' {
            let dash_ok = b.is_ascii_digit();
            while bytes.get(i).is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_' || (dash_ok && c == b'-')) {
                i += 1;
            }
        } else if b == b'"' {
            i = string_end(bytes, i + 1);
        } else if matches!(
            bytes.get(i..i + 2),
            Some(b"..") | Some(b"==") | Some(b"!=") | Some(b"<=") | Some(b">=") | Some(b"&&") | Some(b"||")
        ) {
            i += 2;
        } else {
            // One character, whole: never split a multi-byte UTF-8 sequence.
            i += text.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
        }
        Some(Token { start, end: i })
    })
}

/// Where a string whose text starts at `i` ends: after its closing quote, or at the end of
/// the line (an unterminated string), never past the text. `\` escapes the next byte.
fn string_end(bytes: &[u8], mut i: usize) -> usize {
    while let Some(&c) = bytes.get(i) {
        if c == b'\n' {
            break;
        }
        i += if c == b'\\' { 2 } else { 1 };
        if c == b'"' {
            break;
        }
    }
    i.min(bytes.len())
}

fn is_doc(bytes: &[u8], i: usize) -> bool {
    bytes.get(i..i + 3) == Some(b"///") && bytes.get(i + 3) != Some(&b'/')
}

/// The first opening bracket that lies more than [`MAX_NESTING`] levels deep, if any.
///
/// This runs on every file, so it reads bytes rather than [`tokens`], with the same view of
/// them: outside strings and comments only a bracket matters (no other token holds one, nor a
/// `"` or `/`), strings end as [`tokens`] ends them, and doc comments, like comments, run to
/// the end of the line.
pub(crate) fn too_deep(text: &str) -> Option<Token> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'(' | b'{' | b'[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(Token { start: i, end: i + 1 });
                }
            }
            b')' | b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                i = string_end(bytes, i + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i += bytes.get(i..).and_then(|rest| rest.iter().position(|&c| c == b'\n')).unwrap_or(bytes.len() - i);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The last token ending at or before `offset`, and the token at `offset` (if any).
pub(crate) fn around(text: &str, offset: usize) -> (Option<Token>, Option<Token>) {
    let mut before = None;
    for token in tokens(text) {
        if token.end > offset {
            return (before, Some(token));
        }
        before = Some(token);
    }
    (before, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokens(text).map(|t| &text[t.start..t.end]).collect()
    }

    #[test]
    fn splits_words_numbers_strings_and_operators() {
        assert_eq!(
            words("when x >= 100_000 // note\n and d in 2024-03-22.. \"a \\\" b\" ///doc"),
            ["when", "x", ">=", "100_000", "and", "d", "in", "2024-03-22", "..", "\"a \\\" b\"", "///doc"]
        );
    }

    #[test]
    fn finds_deep_nesting_without_recursion() {
        let deep = "(".repeat(20_000);
        let token = too_deep(&deep).unwrap();
        assert_eq!(token.start, MAX_NESTING);
        assert!(too_deep("((x))").is_none());
        assert!(too_deep("\"((((((\" // (((((").is_none());
    }

    /// What `too_deep` did before it read bytes: count bracket tokens.
    fn too_deep_by_tokens(text: &str) -> Option<Token> {
        let mut depth = 0usize;
        for token in tokens(text) {
            match &text[token.start..token.end] {
                "(" | "{" | "[" => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(token);
                    }
                }
                ")" | "}" | "]" => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        None
    }

    #[test]
    fn reading_bytes_finds_what_counting_tokens_finds() {
        let deep = "(".repeat(MAX_NESTING + 1);
        let pieces = ["(", ")", "{", "}", "[", "]", "\"", "\\", "\n", "/", "//", "///", "////", " ", "x", "é", ".."];
        // Every short arrangement of the pieces, then behind 64 open brackets.
        let mut texts = vec![String::new()];
        for _ in 0..4 {
            texts = texts.iter().flat_map(|t| pieces.iter().map(move |p| format!("{t}{p}"))).collect();
        }
        for text in &texts {
            let behind = format!("{}{text}(", &deep[..MAX_NESTING - 1]);
            for candidate in [text.as_str(), behind.as_str()] {
                assert_eq!(too_deep(candidate), too_deep_by_tokens(candidate), "{candidate:?}");
            }
        }
    }

    #[test]
    fn knows_the_tokens_around_an_offset() {
        let text = "rule r \"t\" when then";
        let (before, at) = around(text, 16);
        assert_eq!(&text[before.unwrap().start..before.unwrap().end], "when");
        assert_eq!(&text[at.unwrap().start..at.unwrap().end], "then");
        let (before, at) = around(text, text.len());
        assert_eq!(&text[before.unwrap().start..before.unwrap().end], "then");
        assert!(at.is_none());
    }
}
