//! One model for every problem Accord reports, and the two ways it is shown: for people
//! (codespan-reporting, source excerpt with labels) and for tools (JSON).
//!
//! Each stage keeps its problems as data (`syntax::SyntaxError`, `check::CheckError`) and turns
//! them into a [`Diagnostic`] in one function; wording lives there, not at the call sites.

use crate::source::{SourceMap, Span};
use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Files, SimpleFile};
use serde::Serialize;

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A fact about the input that is often intended (an exception before its general rule);
    /// the run succeeds, and the author can say it is intended.
    Info,
    /// Worth knowing; the run still succeeds.
    Warning,
    /// The input is wrong; the run fails with exit code 1.
    Error,
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $summary:literal;)*) => {
        /// Every diagnostic code Accord can report. Codes are stable: tools may match on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $summary] $variant,)*
        }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, e.g. `E0101`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// One line saying what the code means.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $summary,)* }
            }
        }
    };
}

codes! {
    Syntax = "E0001", "the text does not follow the grammar";
    InvalidUtf8 = "E0002", "the file is not valid UTF-8 text";
    TooDeep = "E0003", "a condition is nested too deeply";
    TooLarge = "E0004", "the file is larger than Accord reads";
    EmptyFile = "E0005", "the file holds no declarations";
    InvalidDate = "E0006", "a date that does not exist";
    NumberTooLarge = "E0007", "a number too large to be a count";
    MisplacedDoc = "E0008", "a doc comment that documents nothing";
    UnknownName = "E0101", "a name that is not declared";
    UnknownModule = "E0102", "a `use` that names no module";
    ModuleCycle = "E0103", "modules that use each other in a cycle";
    DuplicateDefinition = "E0104", "two declarations with the same name";
    DuplicateRule = "E0105", "two rules or obligations with the same name in one regime";
    DuplicateExample = "E0106", "two examples with the same name in one regime";
    MissingCite = "E0107", "a rule, obligation, accord or relation without a citation";
    BadRange = "E0108", "an empty or inverted range";
    OperatorType = "E0109", "an operator applied to a fact of the wrong type";
    OutsideDomain = "E0110", "a value that is not in the fact's domain";
    NotSingleFact = "E0111", "a condition that is not a test on a single fact";
    ExampleUnknownFact = "E0112", "an example scenario names an unknown fact";
    ExampleType = "E0113", "an example scenario gives a fact a value of the wrong type";
    DuplicateEntry = "E0114", "the same member, key or clause given twice";
    MissingHome = "E0115", "a regime without `home`";
    NotACondition = "E0116", "a fact or value used where a condition is needed";
    LetCycle = "E0117", "a `let` defined in terms of itself";
    WrongKind = "E0118", "a name of the wrong kind for its place";
    AmbiguousName = "E0119", "a name that two used modules both declare";
    StrengthCycle = "E0120", "a strength order between mechanisms that contradicts itself";
    BadWeights = "E0121", "weights that are not a distribution over a fact's values";
    YieldsToLater = "E0122", "a rule that yields to itself or to a later rule";
    TooManyRows = "E0301", "a condition too large to compile into a table";
    UnusedLet = "W0201", "a `let` that no rule uses";
    UnusedUse = "W0202", "a `use` whose names are never used";
    InertAccord = "W0203", "an accord that accepts substitutes for a mechanism its regime never requires";
    EmptyAccordScope = "W0204", "an accord whose `when` no transfer meets";
    InertUpon = "W0205", "an obligation `upon` mechanisms its regime never requires";
    Gap = "W0301", "transfers in scope that no rule decides, in a regime without `default`";
    DeadRule = "W0302", "a rule that can never decide";
    NeverApplies = "W0303", "an obligation that never applies";
    SameCondition = "W0304", "a rule with exactly an earlier rule's condition";
    TooIntricate = "W0305", "a regime too intricate to verify exactly";
    UnreachableDefault = "W0306", "a `default` that no transfer in scope reaches";
    Overlap = "I0307", "an earlier rule that decides some of a later rule's transfers otherwise";
    NeedlessYields = "W0308", "a `yields to` naming a rule that decides none of the rule's transfers otherwise";
}

/// A labelled span. The first label of a diagnostic is its primary one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What about it (may be empty).
    pub message: String,
}

/// One problem, with everything needed to show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// One line, lowercase, no final period, user input in backticks.
    pub message: String,
    /// Primary label first, then secondary ones.
    pub labels: Vec<Label>,
    /// How to fix it.
    pub help: Option<String>,
    /// The edit that fixes it, where one is certain (`accord check --fix` applies it).
    pub fix: Option<Fix>,
    /// Further facts.
    pub notes: Vec<String>,
}

/// An edit to a source file: the text at `span` becomes `replacement` (an empty replacement
/// deletes it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What to replace.
    pub span: Span,
    /// What to put there.
    pub replacement: String,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, message, span, label)
    }

    /// A note (severity [`Severity::Info`]) at `span`.
    pub fn info(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Self::new(Severity::Info, code, message, span, label)
    }

    /// A warning at `span`.
    pub fn warning(code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Self::new(Severity::Warning, code, message, span, label)
    }

    fn new(severity: Severity, code: Code, message: impl Into<String>, span: Span, label: impl Into<String>) -> Self {
        Diagnostic {
            severity,
            code,
            message: message.into(),
            labels: vec![Label { span, message: label.into() }],
            help: None,
            fix: None,
            notes: Vec::new(),
        }
    }

    /// Adds the edit that fixes it.
    pub fn with_fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix { span, replacement: replacement.into() });
        self
    }

    /// Adds a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The primary span.
    pub fn span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

/// Takes away the fix of a diagnostic that deletes an item with a doc comment (`///`) above it:
/// the doc would pass to whatever comes next, or stand before nothing, so the edit is not
/// certain. The reader keeps no doc for a `default`, so the text above the span is what tells.
pub fn drop_uncertain_deletions(diagnostics: &mut [Diagnostic], sources: &SourceMap) {
    for d in diagnostics.iter_mut() {
        let Some(fix) = d.fix.as_ref().filter(|f| f.replacement.is_empty()) else { continue };
        let Some(file) = sources.get(fix.span.file) else { continue };
        let before = file.text.get(..fix.span.start as usize).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let above = before.get(..line_start.saturating_sub(1)).unwrap_or_default();
        let previous = above.rsplit('\n').next().unwrap_or_default();
        if previous.trim_start().starts_with("///") {
            d.fix = None;
        }
    }
}

/// A file's text with `fixes` (edits to it) applied, and how many were: in order of place,
/// each once, skipping one that overlaps an edit already made (run again, it may then apply).
/// A deletion that would leave its line blank takes the line with it.
pub fn apply_fixes(text: &str, fixes: &[&Fix]) -> (String, usize) {
    let mut fixes: Vec<&Fix> = fixes.to_vec();
    fixes.sort_by_key(|f| (f.span.start, f.span.end));
    fixes.dedup_by(|a, b| a == b);
    let bytes = text.as_bytes();
    let blank = |range: &[u8]| range.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'));
    let (mut out, mut at, mut applied) = (String::with_capacity(text.len()), 0usize, 0usize);
    for fix in fixes {
        let (mut start, mut end) = (fix.span.start as usize, fix.span.end as usize);
        if start < at || end > text.len() || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        if fix.replacement.is_empty() {
            let line_start = bytes.get(..start).and_then(|b| b.iter().rposition(|&c| c == b'\n')).map_or(0, |i| i + 1);
            let line_end =
                bytes.get(end..).and_then(|b| b.iter().position(|&c| c == b'\n')).map_or(text.len(), |i| end + i + 1);
            let before = bytes.get(line_start..start).unwrap_or_default();
            let after = bytes.get(end..line_end).unwrap_or_default();
            let after = after.strip_suffix(b"\n").unwrap_or(after);
            if line_start >= at && blank(before) && blank(after) {
                (start, end) = (line_start, line_end);
            }
        }
        out.push_str(&text[at..start]);
        out.push_str(&fix.replacement);
        at = end;
        applied += 1;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// Diagnostics of one code in one file that [`capped`] left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hidden {
    /// The file.
    pub file: crate::source::FileId,
    /// The code.
    pub code: Code,
    /// Their severity.
    pub severity: Severity,
    /// How many.
    pub count: usize,
}

/// The diagnostics to show people when a file repeats one warning many times: every error,
/// and at most `per_code` warnings (or notes) of one code in one file (the first ones); with,
/// for each (file, code) cut short, how many were left out and how severe they are.
pub fn capped(diagnostics: &[Diagnostic], per_code: usize) -> (Vec<Diagnostic>, Vec<Hidden>) {
    let mut seen: std::collections::BTreeMap<(crate::source::FileId, Code), (Severity, usize)> =
        std::collections::BTreeMap::new();
    let mut shown = Vec::new();
    for d in diagnostics {
        if d.severity == Severity::Error {
            shown.push(d.clone());
            continue;
        }
        let file = d.span().map(|s| s.file).unwrap_or_default();
        let (_, count) = seen.entry((file, d.code)).or_insert((d.severity, 0));
        *count += 1;
        if *count <= per_code {
            shown.push(d.clone());
        }
    }
    let hidden = seen
        .into_iter()
        .filter(|(_, (_, count))| *count > per_code)
        .map(|((file, code), (severity, count))| Hidden { file, code, severity, count: count - per_code })
        .collect();
    (shown, hidden)
}

/// Orders diagnostics by file and position, errors before warnings at the same place.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by_key(|d| {
        let span = d.span().unwrap_or_default();
        (span.file, span.start, std::cmp::Reverse(d.severity), d.code)
    });
}

/// The files as codespan shows them: control characters (a binary file's NUL, ESC, BEL…) are
/// replaced by `?`, one byte for one byte so that every span still fits, and never reach the
/// terminal.
///
/// Each file's line starts are computed once, here: a run with thousands of diagnostics asks
/// for lines thousands of times.
struct CsFiles(Vec<SimpleFile<String, String>>);

impl CsFiles {
    fn new(sources: &SourceMap) -> CsFiles {
        CsFiles(
            sources
                .iter()
                .map(|(_, f)| {
                    // Each control character (a carriage return too, unless it ends a line) as
                    // `?`, of the same length, so that spans still point where they did.
                    let hidden = |c: char, next: Option<char>| {
                        c.is_control() && !matches!(c, '\n' | '\t') && !(c == '\r' && next == Some('\n'))
                    };
                    let mut chars = f.text.chars().peekable();
                    let mut clean = String::with_capacity(f.text.len());
                    while let Some(c) = chars.next() {
                        if hidden(c, chars.peek().copied()) {
                            clean.extend(std::iter::repeat_n('?', c.len_utf8()));
                        } else {
                            clean.push(c);
                        }
                    }
                    SimpleFile::new(f.name.clone(), clean)
                })
                .collect(),
        )
    }

    fn file(&self, id: u32) -> Result<&SimpleFile<String, String>, codespan_reporting::files::Error> {
        self.0.get(id as usize).ok_or(codespan_reporting::files::Error::FileMissing)
    }
}

impl<'a> Files<'a> for CsFiles {
    type FileId = u32;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: u32) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.file(id)?.name().as_str())
    }

    fn source(&'a self, id: u32) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.file(id)?.source().as_str())
    }

    fn line_index(&'a self, id: u32, byte_index: usize) -> Result<usize, codespan_reporting::files::Error> {
        self.file(id)?.line_index((), byte_index)
    }

    fn line_range(
        &'a self,
        id: u32,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, codespan_reporting::files::Error> {
        self.file(id)?.line_range((), line_index)
    }
}

/// A message with its control characters shown (see [`crate::render::visible`]).
fn visible(text: &str) -> String {
    crate::render::visible(text).into_owned()
}

fn to_codespan(d: &Diagnostic) -> cs::Diagnostic<u32> {
    let severity = match d.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Info => cs::Severity::Note,
    };
    let labels = d
        .labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let style = if i == 0 { cs::LabelStyle::Primary } else { cs::LabelStyle::Secondary };
            cs::Label::new(style, l.span.file.0, l.span.range()).with_message(visible(&l.message))
        })
        .collect();
    let mut notes: Vec<String> = d.help.iter().map(|h| format!("help: {}", visible(h))).collect();
    notes.extend(d.notes.iter().map(|n| format!("note: {}", visible(n))));
    cs::Diagnostic::new(severity)
        .with_code(d.code.as_str())
        .with_message(visible(&d.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// The longest source line a diagnostic shows whole; of a longer one it shows a window around
/// its labels, with `…` for what is left out (a 13 MB line must not be printed per warning).
const SHOWN_WHOLE: usize = 200;
/// How much of a long line a window shows before and after its labels.
const CONTEXT: usize = 40;
/// The most of one label a window shows.
const WIDEST_LABEL: usize = 120;

/// Small files holding only the windows of long lines, one per file a diagnostic points into,
/// each padded with line breaks so that line numbers stay those of the real file; with, for
/// each window, where it starts in the small file and the real column it starts at, so that
/// columns stay real too.
struct Excerpts(Vec<Excerpt>);

/// Part of a long line shown for some of a diagnostic's labels: its start and end, and the
/// labels inside it, each with its span.
type Window<'a> = (usize, usize, Vec<(usize, &'a std::ops::Range<usize>)>);

/// One file of [`Excerpts`]: the small file, and where each window starts in it with the real
/// column it starts at.
type Excerpt = (SimpleFile<String, String>, Vec<(usize, usize)>);

impl<'a> Files<'a> for Excerpts {
    type FileId = u32;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: u32) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.file(id)?.name().as_str())
    }

    fn source(&'a self, id: u32) -> Result<&'a str, codespan_reporting::files::Error> {
        Ok(self.file(id)?.source().as_str())
    }

    fn line_index(&'a self, id: u32, byte_index: usize) -> Result<usize, codespan_reporting::files::Error> {
        self.file(id)?.line_index((), byte_index)
    }

    fn line_range(
        &'a self,
        id: u32,
        line_index: usize,
    ) -> Result<std::ops::Range<usize>, codespan_reporting::files::Error> {
        self.file(id)?.line_range((), line_index)
    }

    fn column_number(
        &'a self,
        id: u32,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let (file, windows) = self.0.get(id as usize).ok_or(codespan_reporting::files::Error::FileMissing)?;
        match windows.iter().rev().find(|(start, _)| *start <= byte_index) {
            Some(&(start, column)) => {
                let between = file.source().get(start..byte_index).map_or(0, |t| t.chars().count());
                Ok(column + between)
            }
            None => {
                let line = self.line_range(id, line_index)?;
                Ok(file.source().get(line.start..byte_index).map_or(0, |t| t.chars().count()) + 1)
            }
        }
    }
}

impl Excerpts {
    fn file(&self, id: u32) -> Result<&SimpleFile<String, String>, codespan_reporting::files::Error> {
        self.0.get(id as usize).map(|(f, _)| f).ok_or(codespan_reporting::files::Error::FileMissing)
    }
}

/// When a label of `d` lies on a line longer than [`SHOWN_WHOLE`]: the windows of its lines,
/// and `d` with its labels moved into them (each cut to its first line, and to
/// [`WIDEST_LABEL`]). `None` when every line can be shown whole.
fn excerpted(d: &Diagnostic, files: &CsFiles) -> Option<(Excerpts, Diagnostic)> {
    let line_of = |span: Span| -> Option<(usize, std::ops::Range<usize>)> {
        let file = files.0.get(span.file.0 as usize)?;
        let index = file.line_index((), span.start as usize).ok()?;
        Some((index, file.line_range((), index).ok()?))
    };
    let long = d.labels.iter().any(|l| line_of(l.span).is_some_and(|(_, r)| r.len() > SHOWN_WHOLE));
    if !long {
        return None;
    }
    // Each label's file, line and span on that line (cut to the line and to the widest shown).
    let mut placed: Vec<(u32, usize, std::ops::Range<usize>, std::ops::Range<usize>)> = Vec::new();
    for l in &d.labels {
        let (index, line) = line_of(l.span)?;
        let start = (l.span.start as usize).clamp(line.start, line.end);
        let end = (l.span.end as usize).clamp(start, line.end).min(start + WIDEST_LABEL);
        placed.push((l.span.file.0, index, line, start..end));
    }
    let mut excerpts: Vec<Excerpt> = Vec::new();
    let mut moved: Vec<(usize, Span)> = Vec::with_capacity(placed.len());
    let mut by_file: Vec<u32> = placed.iter().map(|p| p.0).collect();
    by_file.sort_unstable();
    by_file.dedup();
    for (new_id, &file_id) in by_file.iter().enumerate() {
        let file = files.0.get(file_id as usize)?;
        let source = file.source();
        let mut lines: Vec<usize> = placed.iter().filter(|p| p.0 == file_id).map(|p| p.1).collect();
        lines.sort_unstable();
        lines.dedup();
        let mut text = String::new();
        let mut starts: Vec<(usize, usize)> = Vec::new();
        let mut at_line = 0usize;
        for &index in &lines {
            text.extend(std::iter::repeat_n('\n', index - at_line));
            at_line = index;
            let mut on_line: Vec<(usize, &std::ops::Range<usize>)> = placed
                .iter()
                .enumerate()
                .filter(|(_, p)| p.0 == file_id && p.1 == index)
                .map(|(k, p)| (k, &p.3))
                .collect();
            on_line.sort_by_key(|(_, span)| span.start);
            let line = placed.iter().find(|p| p.0 == file_id && p.1 == index)?.2.clone();
            let floor = |mut i: usize| {
                while !source.is_char_boundary(i) {
                    i -= 1;
                }
                i
            };
            let ceil = |mut i: usize| {
                while !source.is_char_boundary(i) {
                    i += 1;
                }
                i
            };
            let shown_end = line.end - usize::from(source.get(..line.end)?.ends_with('\n'));
            // Labels near each other share a window; windows far apart are joined by `…`.
            // (from, to, the labels inside, as (label, span)).
            let mut windows: Vec<Window> = Vec::new();
            for &(k, span) in &on_line {
                match windows.last_mut() {
                    Some((_, hi, ks)) if span.start <= *hi + 2 * CONTEXT => {
                        *hi = (*hi).max(span.end);
                        ks.push((k, span));
                    }
                    _ => windows.push((span.start, span.end, vec![(k, span)])),
                }
            }
            let mut last_to = line.start;
            for (w, (lo, hi, ks)) in windows.iter().enumerate() {
                let from = floor(lo.saturating_sub(CONTEXT).max(last_to));
                let to = ceil((hi + CONTEXT).min(shown_end)).max(from);
                if from > last_to || (w == 0 && from > line.start) {
                    text.push('…');
                }
                let base = text.len();
                starts.push((base, source.get(line.start..from)?.chars().count() + 1));
                text.push_str(source.get(from..to)?);
                for &(k, span) in ks {
                    let (s, e) = (span.start.clamp(from, to), span.end.clamp(from, to));
                    let new = Span::new(crate::source::FileId(new_id as u32), base + s - from, base + e - from);
                    moved.push((k, new));
                }
                last_to = to;
            }
            if last_to < shown_end {
                text.push('…');
            }
        }
        excerpts.push((SimpleFile::new(file.name().clone(), text), starts));
    }
    moved.sort_by_key(|(k, _)| *k);
    let mut shown = d.clone();
    for (label, (_, span)) in shown.labels.iter_mut().zip(moved) {
        label.span = span;
    }
    Some((Excerpts(excerpts), shown))
}

/// Renders diagnostics for people, as plain text (no colour).
pub fn render_human(diagnostics: &[Diagnostic], sources: &SourceMap) -> String {
    let config = codespan_reporting::term::Config::default();
    let files = CsFiles::new(sources);
    let mut out = String::new();
    for d in diagnostics {
        let rendered = match excerpted(d, &files) {
            Some((excerpts, shown)) => {
                codespan_reporting::term::emit_into_string(&config, &excerpts, &to_codespan(&shown))
            }
            None => codespan_reporting::term::emit_into_string(&config, &files, &to_codespan(d)),
        };
        match rendered {
            Ok(text) => out.push_str(&text),
            // A span that does not fit its file is our bug; still say what the problem is.
            Err(_) => out.push_str(&format!("{}[{}]: {}\n", severity_word(d.severity), d.code.as_str(), d.message)),
        }
    }
    out
}

/// Renders diagnostics for people into a terminal writer, with colour if it supports it.
pub fn render_styled(
    diagnostics: &[Diagnostic],
    sources: &SourceMap,
    writer: &mut dyn codespan_reporting::term::WriteStyle,
) -> Result<(), codespan_reporting::files::Error> {
    let config = codespan_reporting::term::Config::default();
    let files = CsFiles::new(sources);
    for d in diagnostics {
        let cs = match excerpted(d, &files) {
            Some((excerpts, shown)) => {
                codespan_reporting::term::emit_to_write_style(writer, &config, &excerpts, &to_codespan(&shown))
            }
            None => codespan_reporting::term::emit_to_write_style(writer, &config, &files, &to_codespan(d)),
        };
        cs?;
    }
    Ok(())
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A position for tools: byte offsets and one-based line and column.
#[derive(Debug, Clone, Serialize)]
pub struct JsonSpan {
    /// File name as shown to people.
    pub file: String,
    /// Byte offset of the start.
    pub start: u32,
    /// Byte offset one past the end.
    pub end: u32,
    /// One-based line of the start.
    pub line: usize,
    /// One-based column (in characters) of the start.
    pub column: usize,
}

/// A labelled position for tools.
#[derive(Debug, Clone, Serialize)]
pub struct JsonLabel {
    /// Where.
    #[serde(flatten)]
    pub span: JsonSpan,
    /// What about it.
    pub message: String,
}

/// A diagnostic for tools; the shape is part of Accord's interface.
#[derive(Debug, Clone, Serialize)]
pub struct JsonDiagnostic {
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// Stable code, e.g. `E0101`.
    pub code: &'static str,
    /// One-line message.
    pub message: String,
    /// Primary position.
    pub span: Option<JsonSpan>,
    /// All labels, primary first.
    pub labels: Vec<JsonLabel>,
    /// How to fix it.
    pub help: Option<String>,
    /// The edit that fixes it, where one is certain: replace the text at `span` by
    /// `replacement`. Absent when no edit is certain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<JsonFix>,
    /// Further facts.
    pub notes: Vec<String>,
}

/// An edit, for tools.
#[derive(Debug, Clone, Serialize)]
pub struct JsonFix {
    /// Where: a file, byte offsets and the start's line and column.
    pub span: JsonSpan,
    /// The text to put there (empty to delete).
    pub replacement: String,
}

fn json_span(span: Span, sources: &SourceMap) -> JsonSpan {
    let (line, column) = sources.line_column(span.file, span.start);
    JsonSpan {
        file: sources.get(span.file).map(|f| f.name.clone()).unwrap_or_default(),
        start: span.start,
        end: span.end,
        line,
        column,
    }
}

/// The tool-facing form of a diagnostic.
pub fn to_json(d: &Diagnostic, sources: &SourceMap) -> JsonDiagnostic {
    JsonDiagnostic {
        severity: d.severity,
        code: d.code.as_str(),
        message: d.message.clone(),
        span: d.span().map(|s| json_span(s, sources)),
        labels: d
            .labels
            .iter()
            .map(|l| JsonLabel { span: json_span(l.span, sources), message: l.message.clone() })
            .collect(),
        help: d.help.clone(),
        fix: d.fix.as_ref().map(|f| JsonFix { span: json_span(f.span, sources), replacement: f.replacement.clone() }),
        notes: d.notes.clone(),
    }
}

/// The closest of `candidates` to `name`, if one is close enough to be a likely typo.
///
/// Names of one or two characters (country codes, mostly) are one edit away from dozens of
/// others, so for them only a difference of case counts.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Edit distance is quadratic: a name far longer than any real one is not a typo.
    if name.len() > 128 {
        return None;
    }
    let lower = name.to_lowercase();
    let short = name.chars().count() <= 2;
    let candidates: Vec<&'a str> = candidates.into_iter().collect();
    // A name that extends a candidate by a letter or two (`USA`, `destinations`) means it.
    let extended = candidates
        .iter()
        .filter(|c| c.chars().count() >= 2 && **c != name)
        .filter(|c| {
            let c_lower = c.to_lowercase();
            lower.starts_with(&c_lower) && lower.chars().count().saturating_sub(c_lower.chars().count()) <= 2
        })
        .max_by_key(|c| c.len());
    if let Some(c) = extended {
        return Some(c);
    }
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let distance = strsim::damerau_levenshtein(&lower, &c.to_lowercase());
            (distance, c)
        })
        .filter(|(distance, c)| {
            *distance == 0 || (!short && *distance <= (name.chars().count().max(c.chars().count()) / 3).max(1))
        })
        .filter(|(_, c)| c.len() <= 256)
        .fold(None, |best: Option<(usize, &'a str, bool)>, (distance, c)| match best {
            // Two names as close as each other: neither is meant more than the other.
            Some((d, b, _)) if d == distance && b != c => Some((d, b, true)),
            Some((d, _, _)) if d <= distance => best,
            _ => Some((distance, c, false)),
        })
        .and_then(|(_, c, tied)| (!tied).then_some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fix(start: u32, end: u32, replacement: &str) -> Fix {
        Fix { span: Span { file: crate::source::FileId::default(), start, end }, replacement: replacement.to_owned() }
    }

    /// Edits apply in order of place whatever order they come in, each once; one that overlaps
    /// an edit made, or lies past the end or inside a character, is left; a deletion that would
    /// leave its line blank takes the line, and one inside a line takes only itself.
    #[test]
    fn fixes_apply_in_place_each_once() {
        let text = "rule a\n  default permit\nwhen x and y\né\n";
        let (a, x) = (fix(5, 6, "b"), fix(29, 30, "z"));
        let (out, n) = apply_fixes(text, &[&x, &a, &a]);
        assert_eq!((out.as_str(), n), ("rule b\n  default permit\nwhen z and y\né\n", 2));
        let default = fix(9, 23, "");
        let (out, n) = apply_fixes(text, &[&default]);
        assert_eq!((out.as_str(), n), ("rule a\nwhen x and y\né\n", 1));
        let and = fix(30, 34, "");
        let (out, _) = apply_fixes(text, &[&and]);
        assert_eq!(out, "rule a\n  default permit\nwhen x y\né\n");
        let (overlapping, past, inside) = (fix(5, 8, "c"), fix(40, 41, "?"), fix(38, 39, "e"));
        let (out, n) = apply_fixes(text, &[&a, &overlapping, &past, &inside]);
        assert_eq!((out.as_str(), n), ("rule b\n  default permit\nwhen x and y\né\n", 1));
    }

    /// Two names equally close: no guess, so no fix either.
    #[test]
    fn closest_gives_no_name_between_two() {
        assert_eq!(closest("dat", ["data", "date"]), None);
        assert_eq!(closest("dta", ["data", "date"]), Some("data"));
        assert_eq!(closest("dat", ["data", "data"]), Some("data"));
    }

    #[test]
    fn closest_finds_typos_and_rejects_strangers() {
        let names = ["destination", "date", "data", "individuals_ytd"];
        assert_eq!(closest("destinaton", names), Some("destination"));
        assert_eq!(closest("individuals_yt", names), Some("individuals_ytd"));
        assert_eq!(closest("Data", names), Some("data"));
        assert_eq!(closest("xyzzy", names), None);
        assert_eq!(closest("UK", ["CK", "GB", "UA"]), None);
        assert_eq!(closest("de", ["DE", "DK"]), Some("DE"));
        assert_eq!(closest("USA", ["SA", "UA", "US"]), Some("US"));
        assert_eq!(closest("destinations", names), Some("destination"));
    }

    #[test]
    fn codes_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "{code:?}");
        }
    }
}
