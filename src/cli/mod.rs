//! The `accord` command line: argument parsing, reading files, printing, exit codes. This is
//! the only module that does IO.
//!
//! Exit codes: 0 success (warnings allowed), 1 the input is wrong (diagnostics printed),
//! 2 the command line is wrong, 3 Accord itself failed (a bug: please report it), 4 a
//! comparison found what `--fail-on` asked to fail on.

mod check;
mod compile;
mod corridor;
mod diff;
mod eval;
mod files;
mod fmt;
mod lsp;
mod matrix;
mod project;
mod regime;
mod test;

use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::process::ExitCode;

const ABOUT: &str = "Accord: the law of cross-border data transfers as code.

Rule files (`.accord`) describe a jurisdiction's regime: where it applies (`home`), its rules
in priority order with their legal citations, the obligations it adds, and inline examples.
Accord checks them (every problem at its exact place, with a fix), compiles them into decision
tables, decides transfer scenarios with them, runs their examples as tests, and compares
regimes exactly: every region of the fact space where two of them decide differently.

The standard vocabulary (jurisdictions, data categories, transfer mechanisms, obligations
and the facts of a transfer) is built in: rule files use it without any `use`.";

const AFTER: &str = "Exit codes: 0 ok (warnings allowed), 1 problems in the input, 2 bad command line,
3 internal error (a bug in Accord: please report it), 4 diff, corridor or matrix found what
`--fail-on` names (the report is printed all the same).

Examples:
  accord check                                 check the project's rule files (Accord.toml)
  accord check rules/cn.accord                 check one file and the files it uses
  accord compile examples/tutorial.accord --format markdown
  accord eval examples/tutorial.accord --scenario transfer.json --explain --format text
  accord eval cn --input transfers.jsonl > decisions.jsonl
  accord test examples                         run every example block as a test
  accord fmt --check                           list the project's files not yet formatted
  accord diff cn@2023-12-01 cn@2024-06-01      what China's 2024 Provisions changed
  accord diff eu jp --accords --format html > eu-jp.html
  accord corridor cn hk                        both flows between two homes
  accord matrix --format html > matrix.html    agreement between all standard regimes";

#[derive(Debug, Parser)]
#[command(name = "accord", version, about = ABOUT, after_help = AFTER, max_term_width = 100)]
struct Args {
    /// When to colour output: `auto` colours a terminal unless NO_COLOR is set
    #[arg(long, value_enum, default_value_t = Color::Auto, global = true)]
    color: Color,

    /// Let `use "path"` read files outside the directories of the files given (links
    /// resolved); without it such an import is an error
    #[arg(long, global = true)]
    allow_import_outside: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check rule files, then compile and verify every regime in them
    Check(check::CheckArgs),
    /// Compile a regime into a decision table (JSON, Markdown or text), an SQL query or a JDM graph
    Compile(compile::CompileArgs),
    /// Decide one transfer scenario, or a stream of them, with a regime
    Eval(eval::EvalArgs),
    /// Run the `example` blocks of rule files as tests
    Test(test::TestArgs),
    /// Compare two regimes exactly: every region where they decide differently
    Diff(diff::DiffArgs),
    /// Transfers from A's home to B's home and back: what each side requires, what meets both
    Corridor(corridor::CorridorArgs),
    /// Pairwise agreement between regimes, as a table and a heat map
    Matrix(matrix::MatrixArgs),
    /// Lay rule files out in the one canonical layout, comments kept (`--check` for CI)
    Fmt(fmt::FmtArgs),
    /// Run a language server on standard input and output, for editors
    Lsp(lsp::LspArgs),
}

/// How problems are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ErrorFormat {
    /// For people: each problem with the source excerpt, labels and a help line (on stderr).
    Human,
    /// For tools: one JSON document on stdout with every problem and a summary.
    Json,
}

/// Runs the command line and returns the process's exit code.
pub fn run() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(error) => {
            // Help and version are successes; everything else is a usage error (exit 2).
            if !error.use_stderr() {
                let _ = error.print();
                return ExitCode::SUCCESS;
            }
            if asks_for_json(std::env::args_os()) {
                // clap's first line is the problem; the rest (a tip, the usage) helps.
                let rendered = error.render().to_string();
                let rendered = rendered.strip_prefix("error: ").unwrap_or(&rendered);
                let (message, rest) = rendered.split_once('\n').unwrap_or((rendered, ""));
                let rest = rest.trim();
                let help = (!rest.is_empty()).then_some(rest);
                let _ = emit_problems(command_problem(USAGE, message, help), false);
            } else {
                let _ = error.print();
            }
            return ExitCode::from(2);
        }
    };
    let errors = args.command.error_format();
    let _ = files::IMPORT_OUTSIDE.set(args.allow_import_outside);
    let colour = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    std::panic::set_hook(Box::new(|info| {
        say(&format!("internal error: {info}\n{PLEASE_REPORT}\n"));
    }));
    let outcome = std::panic::catch_unwind(|| match &args.command {
        Command::Check(a) => check::run(a, colour),
        Command::Compile(a) => compile::run(a, colour),
        Command::Eval(a) => eval::run(a, colour),
        Command::Test(a) => test::run(a, colour),
        Command::Diff(a) => diff::run(a, colour),
        Command::Corridor(a) => corridor::run(a, colour),
        Command::Matrix(a) => matrix::run(a, colour),
        Command::Fmt(a) => fmt::run(a, colour),
        Command::Lsp(a) => lsp::run(a),
    });
    // With `--error-format json`, a failure is also a document on stdout, for tools; people
    // read the same words on stderr either way.
    let json = errors == ErrorFormat::Json;
    let line = args.command.streams();
    match outcome {
        Ok(Ok(code)) => code,
        Ok(Err(Failure::Input(report))) => {
            say(&format!("{report:?}\n"));
            if json {
                let _ = emit_problems(reported(INPUT, &report), line);
            }
            ExitCode::from(1)
        }
        Ok(Err(Failure::Reported)) => ExitCode::from(1),
        Ok(Err(Failure::Usage(report))) => {
            say(&format!("{report:?}\n"));
            if json {
                let _ = emit_problems(reported(USAGE, &report), line);
            }
            ExitCode::from(2)
        }
        Ok(Err(Failure::Internal(error))) => {
            say(&format!("internal error: {error}\n{PLEASE_REPORT}\n"));
            if json {
                let problem = command_problem(INTERNAL, &format!("internal error: {error}"), Some(PLEASE_REPORT));
                let _ = emit_problems(problem, line);
            }
            ExitCode::from(3)
        }
        Err(_) => {
            if json {
                let problem = command_problem(INTERNAL, "internal error: Accord panicked", Some(PLEASE_REPORT));
                let _ = emit_problems(problem, line);
            }
            ExitCode::from(3)
        }
    }
}

impl Command {
    /// How the command prints problems (`--error-format`); the language server answers in its
    /// own protocol.
    fn error_format(&self) -> ErrorFormat {
        match self {
            Command::Check(a) => a.error_format,
            Command::Compile(a) => a.error_format,
            Command::Eval(a) => a.error_format,
            Command::Test(a) => a.error_format(),
            Command::Diff(a) => a.error_format,
            Command::Corridor(a) => a.error_format,
            Command::Matrix(a) => a.error_format,
            Command::Fmt(a) => a.error_format,
            Command::Lsp(_) => ErrorFormat::Human,
        }
    }

    /// Whether the command writes a stream of JSON lines (`eval --input`), after which a
    /// problem's document is one more line.
    fn streams(&self) -> bool {
        matches!(self, Command::Eval(a) if a.input.is_some())
    }
}

/// Whether a command line that could not be parsed asked for `--error-format json`.
fn asks_for_json(args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let args: Vec<std::ffi::OsString> = args.collect();
    args.iter().enumerate().any(|(i, arg)| {
        arg == "--error-format=json" || (arg == "--error-format" && args.get(i + 1).is_some_and(|next| next == "json"))
    })
}

/// The format id of the document `--error-format json` prints.
pub(crate) const DIAGNOSTICS: &str = "accord.diagnostics/1";

/// Codes of the problems a command meets outside rule files (`docs/diagnostics.md`): input
/// it cannot use (a file it cannot read, a regime that does not exist, a scenario with a
/// typo), a command line it cannot use, and a bug in Accord.
pub(crate) const INPUT: &str = "C0001";
/// A scenario that cannot be read.
pub(crate) const SCENARIO: &str = "C0002";
/// A command line that cannot be used.
pub(crate) const USAGE: &str = "C0003";
/// A bug in Accord (exit 3).
pub(crate) const INTERNAL: &str = "X0001";

/// The `accord.diagnostics/1` document: every problem, and how many of each severity. `files`
/// is the number of rule files read, where the command read some.
#[derive(serde::Serialize)]
pub(crate) struct Problems {
    format: &'static str,
    diagnostics: Vec<crate::diagnostics::JsonDiagnostic>,
    summary: Summary,
}

/// The counts of a [`Problems`] document.
#[derive(serde::Serialize)]
pub(crate) struct Summary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) files: Option<usize>,
    pub(crate) errors: usize,
    pub(crate) warnings: usize,
    pub(crate) notes: usize,
}

impl Problems {
    /// The document of the diagnostics given.
    pub(crate) fn new(diagnostics: Vec<crate::diagnostics::JsonDiagnostic>, files: Option<usize>) -> Self {
        use crate::diagnostics::Severity;
        let count = |severity: Severity| diagnostics.iter().filter(|d| d.severity == severity).count();
        let summary = Summary {
            files,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Info),
        };
        Problems { format: DIAGNOSTICS, diagnostics, summary }
    }
}

/// A problem a command met outside any rule file, as a diagnostic with no span.
pub(crate) fn command_diagnostic(
    code: &'static str,
    message: &str,
    help: Option<&str>,
) -> crate::diagnostics::JsonDiagnostic {
    crate::diagnostics::JsonDiagnostic {
        severity: crate::diagnostics::Severity::Error,
        code,
        message: message.trim_end().to_owned(),
        span: None,
        labels: Vec::new(),
        help: help.map(str::to_owned),
        fix: None,
        notes: Vec::new(),
    }
}

/// The document of one problem a command met outside any rule file.
fn command_problem(code: &'static str, message: &str, help: Option<&str>) -> Problems {
    Problems::new(vec![command_diagnostic(code, message, help)], None)
}

/// The document of a failure reported as a `miette` report: its message and help.
fn reported(code: &'static str, report: &miette::Report) -> Problems {
    let help = report.help().map(|h| h.to_string());
    command_problem(code, &report.to_string(), help.as_deref())
}

/// Prints a [`Problems`] document on stdout: indented, or on one `line` after a stream of
/// JSON lines.
pub(crate) fn emit_problems(problems: Problems, line: bool) -> Result<(), Failure> {
    let json = if line { serde_json::to_string(&problems) } else { serde_json::to_string_pretty(&problems) };
    let json = json.map_err(|e| crate::InternalError(e.to_string()))?;
    emit(&format!("{json}\n"))
}

/// Why a command did not finish normally.
pub(crate) enum Failure {
    /// The user's input cannot be used (a missing file, …): exit 1.
    Input(miette::Report),
    /// The input's problems have been printed already: exit 1.
    Reported,
    /// A command-line value that cannot be used, found after parsing (`--given`): exit 2.
    Usage(miette::Report),
    /// A bug: exit 3.
    Internal(crate::InternalError),
}

/// The exit code of a comparison that found what `--fail-on` names.
pub(crate) const FOUND: u8 = 4;

/// Exit 4 with a line on stderr saying why, when `found`; else success.
pub(crate) fn fail_on(found: Option<String>) -> ExitCode {
    match found {
        Some(why) => {
            say(&format!("accord: {why} (--fail-on): exit {FOUND}\n"));
            ExitCode::from(FOUND)
        }
        None => ExitCode::SUCCESS,
    }
}

/// What an internal error asks of the user.
const PLEASE_REPORT: &str = "this is a bug in Accord, not in your input; please report it with the command you ran";

/// Writes to standard error, the whole text at once, with control characters shown (see
/// [`crate::render::visible`]). With standard error closed or full there is no one left to
/// tell, so a failure is ignored: the exit code still says how the command ended (never an
/// abort, as `eprintln!` would).
pub(crate) fn say(text: &str) {
    say_raw(&crate::render::visible(text));
}

/// [`say`] for text whose control characters are meant: progress lines (`\r`) and diagnostics
/// rendered in colour, whose user strings are made visible before rendering.
pub(crate) fn say_raw(text: &str) {
    use std::io::Write;
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
}

/// Writes to standard output, with control characters shown (see [`crate::render::visible`]).
/// A reader that has gone away (`accord … | head`) ends the output quietly, as for any filter;
/// any other failure to write is reported.
pub(crate) fn emit(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let text = crate::render::visible(text);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::Input(miette::miette!("cannot write the output: {e}"))),
    }
}

pub(crate) use crate::render::plural;

/// Reads a `YYYY-MM-DD` command-line value.
pub(crate) fn parse_date(text: &str) -> Result<crate::date::Date, String> {
    crate::date::Date::parse(text).ok_or_else(|| format!("`{text}` is not a date written YYYY-MM-DD"))
}

impl From<crate::InternalError> for Failure {
    fn from(error: crate::InternalError) -> Self {
        Failure::Internal(error)
    }
}
