//! Reading rule files: bytes to text, text to a spanned tree. A hand-written reader builds
//! the tree; pest, reading `grammar/accord.pest`, words the errors and is the reference the
//! reader is checked against. pest is used here and nowhere else; the rest of Accord sees only
//! [`ast`] and [`SyntaxError`].

pub mod ast;
mod descent;
mod error;
pub mod format;
mod parser;
mod scan;

pub use error::SyntaxError;
pub use parser::by_grammar;
pub use scan::MAX_NESTING;

use crate::InternalError;
use crate::source::{FileId, SourceMap, Span};
use ast::Module;

/// The tree of one file and the problems found reading it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// What could be read (empty when the grammar was not followed).
    pub module: Module,
    /// Problems, in source order.
    pub errors: Vec<SyntaxError>,
}

/// Parses one file's text.
pub fn parse(file: FileId, text: &str) -> Result<Parsed, InternalError> {
    if let Some(parsed) = too_deep(file, text) {
        return Ok(parsed);
    }
    match descent::Descent::new(file, text).file() {
        Some((module, errors)) => Ok(finish(file, text, module, errors)),
        None => Ok(Parsed { module: Module::default(), errors: vec![parser::failure(file, text)?] }),
    }
}

// ── token values, read alike by both readers ──

/// A string's value: its text between the quotes, with `\n`, `\t` and `\<any>` read.
fn unescape(inner: &str) -> String {
    if !inner.contains('\\') {
        return inner.to_owned();
    }
    let mut value = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            value.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => value.push('\n'),
            Some('t') => value.push('\t'),
            Some(other) => value.push(other),
            None => {}
        }
    }
    value
}

/// A number token (`100_000`); one too large for a count is an error, and reads as 0.
fn number(text: &str, span: Span, errors: &mut Vec<SyntaxError>) -> ast::Literal {
    let digits: String = text.chars().filter(|c| *c != '_').collect();
    match digits.parse::<i64>() {
        Ok(n) => ast::Literal::Number(n.unsigned_abs(), span),
        Err(_) => {
            errors.push(SyntaxError::NumberTooLarge { span });
            ast::Literal::Number(0, span)
        }
    }
}

/// A date token (`2024-03-22`); one that is no day of the calendar is an error.
fn date(text: &str, span: Span, errors: &mut Vec<SyntaxError>) -> ast::Literal {
    match crate::date::Date::parse(text) {
        Some(date) => ast::Literal::Date(date, span),
        None => {
            errors.push(SyntaxError::InvalidDate { span, text: text.to_owned() });
            ast::Literal::Date(crate::date::Date::from_days(0), span)
        }
    }
}

/// A doc comment's line as the tree keeps it: after `///` and one space, without trailing
/// white space.
fn doc_line(comment: &str) -> String {
    let text = comment.strip_prefix("///").unwrap_or("");
    text.strip_prefix(' ').unwrap_or(text).trim_end().to_owned()
}

/// A file whose brackets nest too deep is not read at all: no reader recurses that far.
fn too_deep(file: FileId, text: &str) -> Option<Parsed> {
    let token = scan::too_deep(text)?;
    let span = Span::new(file, token.start, token.end);
    Some(Parsed { module: Module::default(), errors: vec![SyntaxError::TooDeep { span, limit: MAX_NESTING }] })
}

/// A read file, with an error if it declares nothing.
fn finish(file: FileId, text: &str, module: Module, mut errors: Vec<SyntaxError>) -> Parsed {
    if module.items.is_empty() {
        let span = Span::new(file, 0, text.find('\n').unwrap_or(text.len()));
        errors.push(SyntaxError::Empty { span });
    }
    Parsed { module, errors }
}

/// The largest rule file Accord reads. Real regimes are well under a megabyte; the limit keeps
/// time and memory bounded whatever a file holds.
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;

/// Words the grammar reserves (lowercase; `IN` or `AS` are ordinary names).
pub const KEYWORDS: &[&str] = &[
    "regime",
    "home",
    "source",
    "let",
    "rule",
    "oblige",
    "cite",
    "effective",
    "when",
    "then",
    "default",
    "example",
    "given",
    "expect",
    "use",
    "enum",
    "set",
    "facts",
    "accord",
    "accepts",
    "as",
    "with",
    "and",
    "or",
    "else",
    "upon",
    "not",
    "in",
    "has",
    "any",
    "all",
    "permit",
    "prohibit",
    "require",
    "true",
    "false",
    "out_of_scope",
    "implies",
    "establish",
    "established",
    "family",
    "strength",
    "weigh",
];

/// A number as rule files write large ones: `1_000_000` (up to four digits stay as they are).
pub fn write_number(n: i64) -> String {
    let digits = n.to_string();
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest.to_owned()),
        None => ("", digits),
    };
    format!("{sign}{}", group_thousands(&digits, 5))
}

/// Digits with `_` between thousands, when there are at least `from` of them.
fn group_thousands(digits: &str, from: usize) -> String {
    if digits.len() < from {
        return digits.to_owned();
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(c);
    }
    out
}

/// Adds a file's bytes to `sources` and parses it. Bytes that are not UTF-8, or too many of
/// them, give a diagnostic instead of a tree.
pub fn parse_bytes(sources: &mut SourceMap, name: String, bytes: Vec<u8>) -> Result<(FileId, Parsed), InternalError> {
    if bytes.len() > MAX_FILE_BYTES {
        let file = sources.add(name, String::new());
        let error = SyntaxError::TooLarge { span: Span::new(file, 0, 0), limit: MAX_FILE_BYTES };
        return Ok((file, Parsed { module: Default::default(), errors: vec![error] }));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let nul = text.find('\0');
            let file = sources.add(name, text);
            if let Some(offset) = nul {
                let span = Span::new(file, offset, offset + 1);
                return Ok((
                    file,
                    Parsed { module: Default::default(), errors: vec![SyntaxError::NulBytes { span, offset }] },
                ));
            }
            let text = sources.get(file).map(|f| f.text.as_str()).unwrap_or("");
            Ok((file, parse(file, text)?))
        }
        Err(error) => {
            let offset = error.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(error.as_bytes()).into_owned();
            let file = sources.add(name, text);
            // Up to the first bad byte the lossy text is byte-for-byte the input.
            let span = Span::new(file, offset, offset + char::REPLACEMENT_CHARACTER.len_utf8());
            Ok((file, Parsed { module: Default::default(), errors: vec![SyntaxError::InvalidUtf8 { span, offset }] }))
        }
    }
}
