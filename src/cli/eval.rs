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
/// defaults (empty sets, 0, false, today); `origin` and `destination` are required.
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
                eprintln!("error: {}: {error}", path.display());
            }
            eprintln!("{}", plural(errors.len(), "problem"));
            return Err(Failure::Reported);
        }
    };
    let output = match (args.explain, args.format) {
        (false, DecisionFormat::Json) => json(&table.evaluate(&scenario))?,
        (false, DecisionFormat::Text) => render::decision_text(&table.evaluate(&scenario)),
        (true, DecisionFormat::Json) => json(&table.explain(&scenario))?,
        (true, DecisionFormat::Text) => render::explained_text(&table.explain(&scenario)),
    };
    println!("{}", output.trim_end());
    Ok(ExitCode::SUCCESS)
}

fn json<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    serde_json::to_string(value).map_err(|e| Failure::Internal(crate::InternalError(e.to_string())))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
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
    let reader = BufReader::with_capacity(1 << 20, open(path)?);
    let mut records: Box<dyn Iterator<Item = Record>> = match input {
        InputFormat::Jsonl => Box::new(JsonLines { reader, line: 0 }),
        InputFormat::Csv => Box::new(csv_records(table, reader)?),
    };
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
            writeln!(out, "{text}").map_err(|e| Failure::Input(miette::miette!("cannot write the output: {e}")))?;
        }
        if progress {
            eprint!("\r{read} lines decided…");
        }
    }
    out.flush().map_err(|e| Failure::Input(miette::miette!("cannot write the output: {e}")))?;
    if progress {
        eprint!("\r");
    }
    eprintln!("read {read} lines: {} decided, {failed} failed", read - failed);
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
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
                DecisionFormat::Text => (format!("line {line}: {}", render::decision_text(&decision).trim_end()), true),
            }
        }
        Err(errors) => failure(errors.iter().map(ScenarioError::to_string).collect::<Vec<_>>().join("; ")),
    }
}

/// JSON Lines, one record per line; a line too long, not UTF-8 or not JSON is an error record.
struct JsonLines<R> {
    reader: R,
    line: usize,
}

impl<R: BufRead> Iterator for JsonLines<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let (bytes, too_long) = match read_line(&mut self.reader) {
            Ok(Some(line)) => line,
            Ok(None) => return None,
            Err(e) => {
                self.line += 1;
                return Some((self.line, Err(format!("cannot read the line: {e}"))));
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
        Some((line, serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))))
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
fn csv_records<R: Read + 'static>(table: &Table, reader: R) -> Result<impl Iterator<Item = Record> + use<R>, Failure> {
    let mut csv = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers =
        csv.headers().map_err(|e| Failure::Input(miette::miette!("cannot read the CSV header: {e}")))?.clone();
    let mut types = Vec::new();
    for name in &headers {
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
    Ok(csv.into_records().map(move |record| {
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                let line = e.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
                return (line, Err(format!("not valid CSV: {e}")));
            }
        };
        let line = record.position().map_or(0, |p| usize::try_from(p.line()).unwrap_or(0));
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
    }))
}
