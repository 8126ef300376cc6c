//! `accord eval`: one scenario, or a stream of them.

use super::{ErrorFormat, Failure, regime};
use crate::date::Date;
use crate::eval::{Scenario, ScenarioError};
use crate::render;
use crate::table::{ColumnType, Table};
use clap::ValueEnum;
use std::borrow::Cow;
use std::io::{BufRead, BufReader, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use stream::{Chunk, Line};

mod stream;

/// The longest input line read; a longer one is an error record, and is not held in memory.
pub(super) const MAX_LINE: usize = 1024 * 1024;

/// Decide transfer scenarios with a regime.
///
/// With `--scenario`, one JSON scenario is decided (`-` reads it from standard input). With
/// `--input`, a stream is decided: JSON Lines (one scenario per line) or CSV (a header of fact
/// names; sets as `a;b`). Each input line gives exactly one output line, in input order: the
/// decision, or `{"line": N, "error": "…"}`. A summary goes to stderr, and any failed line
/// makes the exit code 1.
///
/// A scenario is a JSON object of facts: `{"origin": "CN", "destination": "DE", "data":
/// ["personal"], "individuals_ytd": 150000, "date": "2025-06-01"}`. Omitted facts take their
/// defaults (empty sets, 0, false, today, and the regime's home for `origin`); `destination`
/// is required.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["scenario", "input"])))]
pub(crate) struct EvalArgs {
    /// A rule file, a standard regime id (`cn`, `eu`, …), or `FILE#ID`; `@YYYY-MM-DD` reads it on
    /// that transfer date whatever the scenarios say (as `accord diff` does)
    regime: String,

    /// One scenario: a JSON file, or `-` for standard input
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,

    /// Many scenarios: a `.jsonl` or `.csv` file, or `-` for JSON Lines on standard input
    #[arg(long, value_name = "FILE")]
    pub(super) input: Option<PathBuf>,

    /// How to read `--input` [default: from the file's extension; JSON Lines otherwise]
    #[arg(long, value_enum)]
    input_format: Option<InputFormat>,

    /// How to print decisions
    #[arg(long, value_enum, default_value_t = DecisionFormat::Json)]
    format: DecisionFormat,

    /// Also say, for every rule before the deciding one, which fact ruled it out
    #[arg(long, conflicts_with = "input")]
    explain: bool,

    /// The date that stands in for "today" when a scenario gives no `date`
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = super::parse_date)]
    today: Option<Date>,

    /// How to print problems in the rules
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(super) error_format: ErrorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DecisionFormat {
    /// The decision JSON, for tools
    Json,
    /// A few lines for people
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum InputFormat {
    /// One JSON object per line
    Jsonl,
    /// A header row of fact names, then one scenario per row
    Csv,
}

pub(crate) fn run(args: &EvalArgs, colour: bool) -> Result<ExitCode, Failure> {
    let table = match regime::load_pinned(&args.regime, args.error_format, colour)? {
        (table, Some(date)) => table.on(date),
        (table, None) => table,
    };
    let today = args.today.unwrap_or_else(regime::today);
    match (&args.scenario, &args.input) {
        (Some(path), _) => single(&table, path, args, today),
        (None, Some(path)) => batch(&table, path, input_format(args.input_format, path), args.format, today),
        (None, None) => Err(Failure::Input(miette::miette!("give `--scenario FILE` or `--input FILE`"))),
    }
}

pub(super) fn open(path: &Path) -> Result<Box<dyn Read>, Failure> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?;
    Ok(Box::new(file))
}

/// How an input is named in messages.
pub(super) fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" { "<stdin>".to_owned() } else { path.display().to_string() }
}

fn single(table: &Table, path: &Path, args: &EvalArgs, today: Date) -> Result<ExitCode, Failure> {
    let mut text = String::new();
    open(path)?
        .take(MAX_LINE as u64 * 16)
        .read_to_string(&mut text)
        .map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let scenario = match Scenario::from_json(table, text, today) {
        Ok(scenario) => scenario,
        Err(errors) => {
            let mut text: String = errors.iter().map(|error| format!("error: {}: {error}\n", shown(path))).collect();
            text.push_str(&format!("{}\n", super::plural(errors.len(), "problem")));
            super::say(&text);
            if args.error_format == ErrorFormat::Json {
                let all = errors
                    .iter()
                    .map(|error| {
                        let help = error.suggestion().map(|s| format!("did you mean `{s}`?"));
                        super::command_diagnostic(
                            super::SCENARIO,
                            &format!("{}: {error}", shown(path)),
                            help.as_deref(),
                        )
                    })
                    .collect();
                super::emit_problems(super::Problems::new(all, None), false)?;
            }
            return Err(Failure::Reported);
        }
    };
    let output = match (args.explain, args.format) {
        (false, DecisionFormat::Json) => json(&Document { format: DECISION, body: &table.evaluate(&scenario) })?,
        (false, DecisionFormat::Text) => render::decision_text(&table.evaluate(&scenario)),
        (true, DecisionFormat::Json) => json(&Document { format: EXPLANATION, body: &table.explain(&scenario) })?,
        (true, DecisionFormat::Text) => render::explained_text(&table.explain(&scenario)),
    };
    super::emit(&format!("{}\n", output.trim_end()))?;
    Ok(ExitCode::SUCCESS)
}

/// The format given, else the one a file's extension names (`.csv`), else JSON Lines.
pub(crate) fn input_format(given: Option<InputFormat>, path: &Path) -> InputFormat {
    given.unwrap_or_else(|| {
        if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
            InputFormat::Csv
        } else {
            InputFormat::Jsonl
        }
    })
}

/// The format id of the decision `--scenario` prints (`schema/accord.decision.schema.json`).
/// The lines of `--input` are batch records (`accord.batch/1`), which carry no id: a stream
/// of a million decisions names its format once, in the schema, not on every line.
const DECISION: &str = "accord.decision/1";

/// The format id of the decision with its explanation (`--explain`).
const EXPLANATION: &str = "accord.explanation/1";

/// A document: its format id, then its fields.
#[derive(serde::Serialize)]
struct Document<'a, T> {
    format: &'static str,
    #[serde(flatten)]
    body: &'a T,
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::Internal(crate::InternalError(e.to_string())))
}

/// One CSV record: its first line's number and either its scenario object or why it cannot be
/// read.
pub(super) type Record = (usize, Result<serde_json::Value, String>);

/// Where a read error is left for the batch to report: it ends the input.
pub(super) type ReadError = std::rc::Rc<std::cell::RefCell<Option<String>>>;

fn batch(
    table: &Table,
    path: &Path,
    input: InputFormat,
    format: DecisionFormat,
    today: Date,
) -> Result<ExitCode, Failure> {
    if path.is_dir() {
        return Err(Failure::Input(miette::miette!("`{}` is a directory, not a file of scenarios", path.display())));
    }
    let mut reader = BufReader::with_capacity(1 << 20, open(path)?);
    let read_error = ReadError::default();
    let fill: Box<dyn FnMut(&mut Chunk) -> bool> = match input {
        InputFormat::Jsonl => {
            let (mut line, error) = (0, read_error.clone());
            Box::new(move |chunk: &mut Chunk| json_lines(&mut reader, &mut line, chunk, &error))
        }
        InputFormat::Csv => {
            let mut records = csv_records(table, reader, read_error.clone())?;
            Box::new(move |chunk: &mut Chunk| csv_lines(&mut records, chunk))
        }
    };
    let unit = if input == InputFormat::Csv { "record" } else { "line" };
    let progress = std::io::stderr().is_terminal();
    let quick = Scenario::quick_reader(table);
    let decide = |number: usize, line: &Line, text: &[u8], out: &mut Vec<u8>| {
        let scenario = match line {
            Line::Json(range) => json_scenario(table, &quick, text.get(range.clone()).unwrap_or_default(), today),
            Line::Object(object) => Scenario::from_value(table, object, today).map_err(|e| joined(&e).into()),
            Line::Unreadable(message) => Err(message.as_str().into()),
        };
        write_outcome(table, number, scenario, format, out)
    };
    let announce = |read: usize| {
        if progress {
            super::say_raw(&format!("\r{} decided…", super::plural(read, unit)));
        }
    };
    let written = stream::run(fill, decide, std::io::stdout(), announce);
    if let Some(e) = written.error {
        return written_error(e);
    }
    if progress {
        super::say_raw("\r");
    }
    let (read, failed) = (written.lines, written.failed);
    if let Some(error) = read_error.borrow_mut().take() {
        super::say(&format!("read {} before the input failed\n", super::plural(read, unit)));
        return Err(Failure::Input(miette::miette!("cannot read `{}`: {error}", shown(path))));
    }
    super::say(&format!("read {}: {} decided, {failed} failed\n", super::plural(read, unit), read - failed));
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Whoever reads the output stopped (`| head`): that ends the run quietly, as for any filter.
fn written_error(error: std::io::Error) -> Result<ExitCode, Failure> {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return Ok(ExitCode::SUCCESS);
    }
    Err(Failure::Input(miette::miette!("cannot write the output: {error}")))
}

/// All of a scenario's problems, as one message.
fn joined(errors: &[ScenarioError]) -> String {
    errors.iter().map(ScenarioError::to_string).collect::<Vec<_>>().join("; ")
}

/// The scenario on one JSON line (its newline included); a line that is not UTF-8, blank or
/// not a scenario is an error. Most lines are scenarios without problems, which `quick` reads;
/// the others are read again to word their problems.
fn json_scenario(
    table: &Table,
    quick: impl Fn(&[u8], Date) -> Option<Scenario>,
    bytes: &[u8],
    today: Date,
) -> Result<Scenario, Cow<'static, str>> {
    let end = bytes.iter().rposition(|b| !matches!(b, b'\n' | b'\r')).map_or(0, |i| i + 1);
    if let Some(scenario) = quick(bytes.get(..end).unwrap_or_default(), today) {
        return Ok(scenario);
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Err("line is not valid UTF-8".into());
    };
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return Err("empty line: expected a JSON object".into());
    }
    Scenario::from_json(table, text, today).map_err(|errors| joined(&errors).into())
}

/// The byte-order mark some editors put at the start of a UTF-8 file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Drops a byte-order mark at `start` of `text` (the start of a file), as CSV input does.
pub(super) fn drop_bom(text: &mut Vec<u8>, start: usize) {
    if text.get(start..start + BOM.len()) == Some(BOM) {
        text.drain(start..start + BOM.len());
    }
}

/// Writes the output line for one input line: its decision, or its error record. Says whether
/// it is a decision.
fn write_outcome(
    table: &Table,
    line: usize,
    scenario: Result<Scenario, Cow<'_, str>>,
    format: DecisionFormat,
    out: &mut Vec<u8>,
) -> bool {
    let decided = match scenario {
        Ok(scenario) => {
            let decision = table.evaluate(&scenario);
            match format {
                DecisionFormat::Json => {
                    #[expect(clippy::expect_used, reason = "a decision's maps are keyed by strings: it serializes")]
                    serde_json::to_writer(&mut *out, &decision).expect("a decision serializes");
                }
                DecisionFormat::Text => {
                    let text = format!("line {line}: {}", render::decision_line(&decision));
                    out.extend_from_slice(render::visible(&text).as_bytes());
                }
            }
            true
        }
        Err(message) => {
            // Written by hand so that `line` comes first.
            out.extend_from_slice(format!("{{\"line\":{line},\"error\":").as_bytes());
            out.extend_from_slice(serde_json::Value::String(message.into_owned()).to_string().as_bytes());
            out.push(b'}');
            false
        }
    };
    out.push(b'\n');
    decided
}

/// Reads JSON lines into a chunk while it has room: each line's text, or why it cannot be held.
/// Says whether the input may have more; a read error ends it, left in `error`.
fn json_lines<R: BufRead>(reader: &mut R, line: &mut usize, chunk: &mut Chunk, error: &ReadError) -> bool {
    while chunk.has_room() {
        let start = chunk.text.len();
        let too_long = match read_line_into(reader, &mut chunk.text) {
            Ok(Some(too_long)) => too_long,
            Ok(None) => return false,
            Err(e) => {
                *error.borrow_mut() = Some(e.to_string());
                return false;
            }
        };
        if *line == 0 {
            drop_bom(&mut chunk.text, start);
        }
        *line += 1;
        let held = if too_long {
            Line::Unreadable(format!("line is longer than {} MiB", MAX_LINE / (1024 * 1024)))
        } else {
            Line::Json(start..chunk.text.len())
        };
        chunk.lines.push((*line, held));
    }
    true
}

/// Moves CSV records into a chunk while it has room. Says whether the input may have more.
fn csv_lines(records: &mut impl Iterator<Item = Record>, chunk: &mut Chunk) -> bool {
    while chunk.has_room() {
        let Some((line, record)) = records.next() else { return false };
        chunk.lines.push((line, record.map_or_else(Line::Unreadable, Line::Object)));
    }
    true
}

/// Reads one line (its newline included), holding at most [`MAX_LINE`] bytes of it: a longer
/// line is consumed and reported as too long.
pub(super) fn read_line<R: BufRead>(reader: &mut R) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    Ok(read_line_into(reader, &mut line)?.map(|too_long| (line, too_long)))
}

/// Appends one line (its newline included) to `text`, holding at most [`MAX_LINE`] bytes of it:
/// a longer line is consumed, left out, and reported as too long (`Some(true)`). `None` at the
/// end of the input.
fn read_line_into<R: BufRead>(reader: &mut R, text: &mut Vec<u8>) -> std::io::Result<Option<bool>> {
    let start = text.len();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(any.then_some(too_long));
        }
        any = true;
        let (part, done) = match memchr::memchr(b'\n', buffer) {
            Some(i) => (buffer.get(..=i).unwrap_or(buffer), true),
            None => (buffer, false),
        };
        let taken = part.len();
        if text.len() - start + taken > MAX_LINE {
            too_long = true;
            text.truncate(start);
        } else if !too_long {
            text.extend_from_slice(part);
        }
        reader.consume(taken);
        if done {
            return Ok(Some(too_long));
        }
    }
}

/// CSV records as scenario objects. The header must name facts; a cell is converted by its
/// fact's type (sets split on `;`), and an empty cell leaves the fact at its default.
///
/// Records are found line by line (a quoted field may run over several lines), so that a blank
/// line is an input line like any other and gets its error record, at its own line number.
pub(super) fn csv_records<R: BufRead + 'static>(
    table: &Table,
    mut reader: R,
    error: std::rc::Rc<std::cell::RefCell<Option<String>>>,
) -> Result<impl Iterator<Item = Record> + use<R>, Failure> {
    let mut line = 0usize;
    let header = match logical_record(&mut reader, &mut line) {
        Ok(Some((_, Ok(text)))) => text,
        Ok(Some((_, Err(e)))) => return Err(Failure::Input(miette::miette!("cannot read the CSV header: {e}"))),
        Ok(None) => {
            return Err(Failure::Input(miette::miette!("the CSV input is empty: it needs a header of fact names")));
        }
        Err(e) => return Err(Failure::Input(miette::miette!("cannot read the CSV header: {e}"))),
    };
    let headers =
        parse_csv_line(&header).map_err(|e| Failure::Input(miette::miette!("cannot read the CSV header: {e}")))?;
    let mut types: Vec<(String, ColumnType)> = Vec::new();
    for name in headers.iter().map(str::trim) {
        if types.iter().any(|(n, _)| n == name) {
            return Err(Failure::Input(miette::miette!(
                help = "give each fact one column",
                "the CSV header names `{name}` twice"
            )));
        }
        match table.fact(name) {
            Some(column) => types.push((name.to_owned(), column.ty)),
            None => {
                let facts = table.vocabulary.iter().map(|c| c.fact.as_str());
                let help = match crate::diagnostics::closest(name, facts) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "the header names facts, e.g. `origin,destination,data`".to_owned(),
                };
                return Err(Failure::Input(miette::miette!(help = help, "the CSV header names unknown fact `{name}`")));
            }
        }
    }
    let width = types.len();
    Ok(std::iter::from_fn(move || match logical_record(&mut reader, &mut line) {
        Ok(None) => None,
        Err(e) => {
            *error.borrow_mut() = Some(e.to_string());
            None
        }
        Ok(Some((start, Err(message)))) => Some((start, Err(message))),
        Ok(Some((start, Ok(text)))) if text.trim().is_empty() => {
            Some((start, Err("empty line: expected a row of values".to_owned())))
        }
        Ok(Some((start, Ok(text)))) => Some(csv_record(&types, width, start, parse_csv_line(&text))),
    }))
}

/// The next CSV record's text and its first line: lines are joined while a quoted field is
/// open (an odd number of quotes so far).
fn logical_record<R: BufRead>(
    reader: &mut R,
    line: &mut usize,
) -> std::io::Result<Option<(usize, Result<String, String>)>> {
    let start = *line + 1;
    let mut text = String::new();
    let mut problem: Option<String> = None;
    loop {
        let Some((bytes, too_long)) = read_line(reader)? else {
            if text.is_empty() && problem.is_none() {
                return Ok(None);
            }
            let message =
                problem.unwrap_or_else(|| "a quoted field is not closed before the end of the input".to_owned());
            return Ok(Some((start, Err(message))));
        };
        *line += 1;
        if too_long {
            problem.get_or_insert(format!("record is longer than {} MiB", MAX_LINE / (1024 * 1024)));
        } else if text.len() + bytes.len() > MAX_LINE {
            problem.get_or_insert(format!("record is longer than {} MiB", MAX_LINE / (1024 * 1024)));
            text.clear();
        } else {
            match std::str::from_utf8(&bytes) {
                Ok(part) if problem.is_none() => text.push_str(part),
                Ok(_) => {}
                Err(_) => {
                    problem.get_or_insert("line is not valid UTF-8".to_owned());
                }
            }
        }
        if text.matches('"').count() % 2 == 0 || problem.is_some() {
            return Ok(Some((start, problem.map_or(Ok(text), Err))));
        }
    }
}

fn parse_csv_line(text: &str) -> Result<csv::StringRecord, String> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    match reader.records().next() {
        Some(Ok(record)) => Ok(record),
        Some(Err(e)) => Err(format!("not valid CSV: {e}")),
        None => Ok(csv::StringRecord::new()),
    }
}

/// One CSV record as a scenario object.
fn csv_record(
    types: &[(String, ColumnType)],
    width: usize,
    line: usize,
    record: Result<csv::StringRecord, String>,
) -> Record {
    {
        let record = match record {
            Ok(record) => record,
            Err(e) => return (line, Err(e)),
        };
        if record.len() != width {
            return (line, Err(format!("the row has {} fields, the header {width}", record.len())));
        }
        let mut object = serde_json::Map::new();
        for ((name, ty), cell) in types.iter().zip(record.iter()) {
            let cell = cell.trim();
            if cell.is_empty() {
                continue;
            }
            let value = match ty {
                ColumnType::Set => serde_json::Value::Array(
                    cell.split([';', '|']).map(str::trim).filter(|s| !s.is_empty()).map(|s| s.into()).collect(),
                ),
                ColumnType::Count => cell.parse::<u64>().map_or_else(|_| cell.into(), serde_json::Value::from),
                ColumnType::Bool => match cell {
                    "true" => true.into(),
                    "false" => false.into(),
                    other => other.into(),
                },
                ColumnType::Date | ColumnType::Enum => cell.into(),
            };
            object.insert(name.clone(), value);
        }
        (line, Ok(serde_json::Value::Object(object)))
    }
}
