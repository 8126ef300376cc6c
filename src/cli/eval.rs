//! `accord eval`: one scenario, or a stream of them.

use super::{ErrorFormat, Failure, regime};
use crate::date::Date;
use crate::eval::{Scenario, ScenarioError};
use crate::render;
use crate::table::{ColumnType, Table};
use clap::ValueEnum;
use rayon::prelude::*;
use std::io::{BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Lines evaluated together; also the most held in memory at once.
const CHUNK: usize = 16_384;
/// The longest input line read; a longer one is an error record, and is not held in memory.
const MAX_LINE: usize = 1024 * 1024;

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
    /// A rule file, a standard regime id (`cn`, `eu`, …), or `FILE#ID`
    regime: String,

    /// One scenario: a JSON file, or `-` for standard input
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,

    /// Many scenarios: a `.jsonl` or `.csv` file, or `-` for JSON Lines on standard input
    #[arg(long, value_name = "FILE")]
    input: Option<PathBuf>,

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
    error_format: ErrorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DecisionFormat {
    /// The decision JSON, for tools
    Json,
    /// A few lines for people
    Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum InputFormat {
    /// One JSON object per line
    Jsonl,
    /// A header row of fact names, then one scenario per row
    Csv,
}

pub(crate) fn run(args: &EvalArgs, colour: bool) -> Result<ExitCode, Failure> {
    let table = regime::load(&args.regime, args.error_format, colour)?;
    let today = args.today.unwrap_or_else(regime::today);
    match (&args.scenario, &args.input) {
        (Some(path), _) => single(&table, path, args, today),
        (None, Some(path)) => {
            let format = args.input_format.unwrap_or_else(|| {
                if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv")) {
                    InputFormat::Csv
                } else {
                    InputFormat::Jsonl
                }
            });
            batch(&table, path, format, args.format, today)
        }
        (None, None) => Err(Failure::Input(miette::miette!("give `--scenario FILE` or `--input FILE`"))),
    }
}

fn open(path: &Path) -> Result<Box<dyn Read>, Failure> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin()));
    }
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?;
    Ok(Box::new(file))
}

/// How an input is named in messages.
fn shown(path: &Path) -> String {
    if path.as_os_str() == "-" { "<stdin>".to_owned() } else { path.display().to_string() }
}

fn single(table: &Table, path: &Path, args: &EvalArgs, today: Date) -> Result<ExitCode, Failure> {
    let mut text = String::new();
    open(path)?
        .take(MAX_LINE as u64 * 16)
        .read_to_string(&mut text)
        .map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?;
    let scenario = match Scenario::from_json(table, &text, today) {
        Ok(scenario) => scenario,
        Err(errors) => {
            for error in &errors {
                eprintln!("error: {}: {error}", shown(path));
            }
            eprintln!("{}", super::plural(errors.len(), "problem"));
            return Err(Failure::Reported);
        }
    };
    let output = match (args.explain, args.format) {
        (false, DecisionFormat::Json) => json(&table.evaluate(&scenario))?,
        (false, DecisionFormat::Text) => render::decision_text(&table.evaluate(&scenario)),
        (true, DecisionFormat::Json) => json(&table.explain(&scenario))?,
        (true, DecisionFormat::Text) => render::explained_text(&table.explain(&scenario)),
    };
    super::emit(&format!("{}\n", output.trim_end()))?;
    Ok(ExitCode::SUCCESS)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::Internal(crate::InternalError(e.to_string())))
}

/// One input record: its line number and either its text or why it cannot be read.
type Record = (usize, Result<serde_json::Value, String>);

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
    let reader = BufReader::with_capacity(1 << 20, open(path)?);
    let read_error: std::rc::Rc<std::cell::RefCell<Option<String>>> = Default::default();
    let mut records: Box<dyn Iterator<Item = Record>> = match input {
        InputFormat::Jsonl => Box::new(JsonLines { reader, line: 0, error: read_error.clone() }),
        InputFormat::Csv => Box::new(csv_records(table, reader, read_error.clone())?),
    };
    let unit = if input == InputFormat::Csv { "record" } else { "line" };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
    let progress = std::io::stderr().is_terminal();
    let (mut read, mut failed) = (0usize, 0usize);
    loop {
        let chunk: Vec<Record> = records.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        let lines: Vec<(String, bool)> =
            chunk.par_iter().map(|(line, record)| decide(table, *line, record, format, today)).collect();
        for (text, ok) in lines {
            read += 1;
            failed += usize::from(!ok);
            if let Err(e) = writeln!(out, "{text}") {
                return written_error(e);
            }
        }
        if progress {
            eprint!("\r{} decided…", super::plural(read, unit));
        }
    }
    if let Err(e) = out.flush() {
        return written_error(e);
    }
    if progress {
        eprint!("\r");
    }
    if let Some(error) = read_error.borrow_mut().take() {
        eprintln!("read {} before the input failed", super::plural(read, unit));
        return Err(Failure::Input(miette::miette!("cannot read `{}`: {error}", shown(path))));
    }
    eprintln!("read {}: {} decided, {failed} failed", super::plural(read, unit), read - failed);
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Whoever reads the output stopped (`| head`): that ends the run quietly, as for any filter.
fn written_error(error: std::io::Error) -> Result<ExitCode, Failure> {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        return Ok(ExitCode::SUCCESS);
    }
    Err(Failure::Input(miette::miette!("cannot write the output: {error}")))
}

/// The output line for one record, and whether it is a decision.
fn decide(
    table: &Table,
    line: usize,
    record: &Result<serde_json::Value, String>,
    format: DecisionFormat,
    today: Date,
) -> (String, bool) {
    // Written by hand so that `line` comes first.
    let failure = |message: String| {
        let message = serde_json::Value::String(message);
        (format!("{{\"line\":{line},\"error\":{message}}}"), false)
    };
    let value = match record {
        Ok(value) => value,
        Err(message) => return failure(message.clone()),
    };
    match Scenario::from_value(table, value, today) {
        Ok(scenario) => {
            let decision = table.evaluate(&scenario);
            match format {
                DecisionFormat::Json => (serde_json::to_string(&decision).unwrap_or_default(), true),
                DecisionFormat::Text => (format!("line {line}: {}", render::decision_line(&decision)), true),
            }
        }
        Err(errors) => failure(errors.iter().map(ScenarioError::to_string).collect::<Vec<_>>().join("; ")),
    }
}

/// JSON Lines, one record per line; a line too long, not UTF-8 or not JSON is an error record.
struct JsonLines<R> {
    reader: R,
    line: usize,
    /// A read error ends the stream; the batch reports it and fails.
    error: std::rc::Rc<std::cell::RefCell<Option<String>>>,
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let (bytes, too_long) = match read_line(&mut self.reader) {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(e) => {
                *self.error.borrow_mut() = Some(e.to_string());
                return None;
            }
        };
        self.line += 1;
        let line = self.line;
        if too_long {
            return Some((line, Err(format!("line is longer than {} MiB", MAX_LINE / (1024 * 1024)))));
        }
        let Ok(text) = std::str::from_utf8(&bytes) else {
            return Some((line, Err("line is not valid UTF-8".to_owned())));
        };
        let text = text.trim_end_matches(['\n', '\r']);
        if text.trim().is_empty() {
            return Some((line, Err("empty line: expected a JSON object".to_owned())));
        }
        Some((line, serde_json::from_str(text).map_err(|e| crate::eval::invalid_json(&e).to_string())))
    }
}

/// Reads one line (its newline included), holding at most [`MAX_LINE`] bytes of it: a longer
/// line is consumed and reported as too long.
fn read_line<R: BufRead>(reader: &mut R) -> std::io::Result<Option<(Vec<u8>, bool)>> {
    let mut line = Vec::new();
    let mut too_long = false;
    let mut any = false;
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(any.then_some((line, too_long)));
        }
        any = true;
        let (chunk, done) = match buffer.iter().position(|&b| b == b'\n') {
            Some(i) => (buffer.get(..=i).unwrap_or(buffer), true),
            None => (buffer, false),
        };
        let taken = chunk.len();
        if line.len() + taken > MAX_LINE {
            too_long = true;
            line.clear();
        } else if !too_long {
            line.extend_from_slice(chunk);
        }
        reader.consume(taken);
        if done {
            return Ok(Some((line, too_long)));
        }
    }
}

/// CSV records as scenario objects. The header must name facts; a cell is converted by its
/// fact's type (sets split on `;`), and an empty cell leaves the fact at its default.
///
/// Records are found line by line (a quoted field may run over several lines), so that a blank
/// line is an input line like any other and gets its error record, at its own line number.
fn csv_records<R: BufRead + 'static>(
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
