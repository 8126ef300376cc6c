//! Problems found while reading a file, as data; [`SyntaxError::to_diagnostic`] words them.

use crate::diagnostics::{Code, Diagnostic};
use crate::source::Span;

/// A problem that stops a file from being read into a tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxError {
    /// The grammar expected one of `expected` here.
    Unexpected {
        /// Where the parser stopped.
        span: Span,
        /// What would have been accepted, in words (`a condition`, `` `then` ``).
        expected: Vec<String>,
        /// The token before the error.
        after: Option<String>,
        /// The token found instead; `None` at end of file.
        found: Option<String>,
    },
    /// A string that does not close on its line.
    UnterminatedString {
        /// The opening quote to the end of the line.
        span: Span,
    },
    /// A `///` doc comment where no declaration follows.
    MisplacedDoc {
        /// The doc comment.
        span: Span,
    },
    /// The bytes are not UTF-8.
    InvalidUtf8 {
        /// The first invalid byte.
        span: Span,
        /// Its offset.
        offset: usize,
    },
    /// NUL bytes: UTF-16 text or a binary file.
    NulBytes {
        /// The first NUL.
        span: Span,
        /// Its offset.
        offset: usize,
    },
    /// Brackets nested beyond the limit.
    TooDeep {
        /// The first bracket past the limit.
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// A condition whose `not`s and brackets together nest beyond the limit.
    TooManyNots {
        /// The run of `not`s.
        span: Span,
        /// The limit.
        limit: usize,
    },
    /// The file exceeds the size limit.
    TooLarge {
        /// The start of the file.
        span: Span,
        /// The limit in bytes.
        limit: usize,
    },
    /// No declarations at all.
    Empty {
        /// The whole (blank) file.
        span: Span,
    },
    /// `YYYY-MM-DD` that names no day.
    InvalidDate {
        /// The date.
        span: Span,
        /// As written.
        text: String,
    },
    /// A number past the largest count.
    NumberTooLarge {
        /// The number.
        span: Span,
    },
}

impl SyntaxError {
    /// Words the problem for people and tools.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            SyntaxError::Unexpected { span, expected, after, found } => {
                let wanted = list_in_words(expected);
                let message = match after {
                    Some(after) => format!("expected {wanted} after `{after}`"),
                    None => format!("expected {wanted}"),
                };
                let label = match found {
                    Some(found) => format!("found `{found}`"),
                    None => "found the end of the file".to_owned(),
                };
                let diagnostic = Diagnostic::error(Code::Syntax, message, *span, label);
                match hint(expected, after.as_deref(), found.as_deref()) {
                    Some(help) => diagnostic.with_help(help),
                    None => diagnostic,
                }
            }
            SyntaxError::UnterminatedString { span } => {
                Diagnostic::error(Code::Syntax, "unterminated string", *span, "this string has no closing `\"`")
                    .with_help("close the string on the same line; write `\\\"` for a quote inside it")
            }
            SyntaxError::MisplacedDoc { span } => Diagnostic::error(
                Code::MisplacedDoc,
                "doc comment documents nothing",
                *span,
                "no declaration follows this `///`",
            )
            .with_help("put `///` directly before a declaration, member or fact, or write `//` for a plain comment"),
            SyntaxError::InvalidUtf8 { span, offset } => Diagnostic::error(
                Code::InvalidUtf8,
                format!("file is not valid UTF-8 (first bad byte at offset {offset})"),
                *span,
                "not UTF-8",
            )
            .with_help("rule files are UTF-8 text; re-save the file as UTF-8, or check that this is a rule file"),
            SyntaxError::NulBytes { span, offset } => Diagnostic::error(
                Code::InvalidUtf8,
                format!("file holds NUL bytes (the first at offset {offset}): it is not UTF-8 text"),
                *span,
                "NUL byte",
            )
            .with_help(
                "NUL bytes between letters mean UTF-16: save the file as UTF-8, or check that this is a rule file",
            ),
            SyntaxError::TooDeep { span, limit } => Diagnostic::error(
                Code::TooDeep,
                format!("brackets nest more than {limit} levels deep"),
                *span,
                "too deep",
            )
            .with_help("split the condition into named parts with `let`"),
            SyntaxError::TooManyNots { span, limit } => Diagnostic::error(
                Code::TooDeep,
                format!("condition nests more than {limit} levels deep"),
                *span,
                "too many `not`s",
            )
            .with_help("`not not x` means `x`: remove pairs of `not`"),
            SyntaxError::TooLarge { span, limit } => Diagnostic::error(
                Code::TooLarge,
                format!("file is larger than {} MiB, the most Accord reads", limit / (1024 * 1024)),
                *span,
                "file too large",
            )
            .with_help("split the rules into several files joined with `use`, or check that this is a rule file"),
            SyntaxError::Empty { span } => {
                Diagnostic::error(Code::EmptyFile, "file holds no declarations", *span, "empty")
                    .with_help("a rule file declares at least one `regime`, `enum`, `set`, `facts`, `let` or `accord`")
            }
            SyntaxError::InvalidDate { span, text } => {
                Diagnostic::error(Code::InvalidDate, format!("`{text}` is not a date"), *span, "no such day")
                    .with_help("dates are written `YYYY-MM-DD` and must exist in the calendar")
            }
            SyntaxError::NumberTooLarge { span } => {
                Diagnostic::error(Code::NumberTooLarge, "number is too large", *span, "larger than any count")
                    .with_help(format!("counts go up to {}", i64::MAX))
            }
        }
    }
}

fn list_in_words(items: &[String]) -> String {
    match items {
        [] => "something else".to_owned(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The help for a `require` group that joins alternatives both ways.
const MIXED_GROUP: &str = "a `require` group is either alternatives joined by `or` (any one) or a cascade joined by \
                           `, else` (in order), not both: write `require a or b`, `require a, else b`, or two \
                           groups joined by `and`";

fn hint(expected: &[String], after: Option<&str>, found: Option<&str>) -> Option<String> {
    let expects = |what: &str| expected.iter().any(|e| e.starts_with(what));
    let found_text = found?;
    let keyword = crate::syntax::KEYWORDS.contains(&found_text);
    Some(match found_text {
        _ if keyword && matches!(after, Some("require" | "or")) => {
            format!("`{after}` needs a mechanism, e.g. `require eu_scc`", after = after.unwrap_or_default())
        }
        _ if keyword
            && (expects("a name") || expects("a fact (") || expects("an enum member") || expects("a set member")) =>
        {
            format!("`{found_text}` is a keyword and cannot be used as a name here")
        }
        // After a `require` group's alternatives, not a condition's, an accord's or `upon`'s.
        "," if expects("`or`") && !["`then`", "`as`", "`when`"].iter().any(|w| expects(w)) => MIXED_GROUP.to_owned(),
        "or" if expected.iter().any(|e| e == "`,`") => MIXED_GROUP.to_owned(),
        "=" if expects("a comparison") => "compare with `==`".to_owned(),
        "&&" | "&" => "write `and`".to_owned(),
        "||" | "|" => "write `or`".to_owned(),
        "!" => "write `not`".to_owned(),
        ";" => "Accord needs no `;`: remove it".to_owned(),
        "to" if expects("`..`") => "ranges are written `from..until`, e.g. `2024-01-01..2025-01-01`".to_owned(),
        "/" => "dates are written `YYYY-MM-DD`, e.g. `2024-03-22`".to_owned(),
        _ if found_text.starts_with('\'') => "strings are written in double quotes: `\"…\"`".to_owned(),
        _ if after == Some("cite") => "citations are quoted strings: `cite \"PIPL Art. 38\"`".to_owned(),
        _ => return None,
    })
}
