//! `accord check`.

use super::files::{self, FsLoader};
use super::{ErrorFormat, Failure};
use crate::check::Checked;
use crate::diagnostics;
use codespan_reporting::term::termcolor::Buffer;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check rule files: syntax, names, types, citations, and that examples are well formed
/// (`accord test` runs them); then compile every regime
/// and verify it, exactly: transfers no rule decides (in a regime without `default`), rules
/// that can never decide, obligations that never apply, rules with the same condition.
///
/// Every problem in every file is reported, each at its exact place with a help line. Warnings
/// do not fail the check.
#[derive(Debug, clap::Args)]
pub(crate) struct CheckArgs {
    /// Files or directories to check; directories are searched for `.accord` files
    /// [default: the `rules` listed in the nearest `Accord.toml`, in this directory or above;
    /// else this directory]
    paths: Vec<PathBuf>,

    /// How to print problems
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,

    /// Show every warning: by default a file shows at most 10 of one code, then says how many
    /// more there are (JSON output always has them all)
    #[arg(long)]
    all_warnings: bool,
}

/// How many warnings of one code a file shows, unless `--all-warnings`.
const WARNINGS_SHOWN: usize = 10;

#[derive(Serialize)]
struct Report {
    diagnostics: Vec<diagnostics::JsonDiagnostic>,
    summary: Summary,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
}

pub(crate) fn run(args: &CheckArgs, colour: bool) -> Result<ExitCode, Failure> {
    let read = files::paths_or_project(&args.paths).and_then(|paths| Ok((files::discover(&paths)?, paths)));
    let (found, paths) = match read {
        Ok(read) => read,
        Err(report) => {
            // Tools reading stdout get a document even when no file could be read.
            if args.error_format == ErrorFormat::Json {
                let summary = Summary { files: 0, errors: 1, warnings: 0 };
                let report_json =
                    serde_json::json!({ "diagnostics": [], "summary": summary, "error": report.to_string() });
                super::emit(&format!("{report_json:#}\n"))?;
            }
            return Err(Failure::Input(report));
        }
    };
    let mut roots = Vec::new();
    for path in &found {
        let loaded =
            files::read(path).map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?;
        roots.push(loaded);
    }
    let checked = crate::check_and_verify(roots, &mut FsLoader::around(&paths))?;
    print_capped(&checked, found.len(), args.error_format, colour, !args.all_warnings)?;
    Ok(if checked.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Prints the diagnostics of a run in the chosen format, with a summary.
pub(crate) fn print(checked: &Checked, files: usize, format: ErrorFormat, colour: bool) -> Result<(), Failure> {
    print_capped(checked, files, format, colour, true)
}

/// [`print`], showing people at most [`WARNINGS_SHOWN`] warnings of one code in one file when
/// `cap` (then a line says how many more there are).
fn print_capped(checked: &Checked, files: usize, format: ErrorFormat, colour: bool, cap: bool) -> Result<(), Failure> {
    let summary = Summary { files, errors: checked.error_count(), warnings: checked.warning_count() };
    match format {
        ErrorFormat::Human => {
            let (shown, hidden) = if cap {
                diagnostics::capped(&checked.diagnostics, WARNINGS_SHOWN)
            } else {
                (checked.diagnostics.clone(), Vec::new())
            };
            // Rendered whole, then written at once: one write, not one per piece of a line.
            let mut buffer = if colour { Buffer::ansi() } else { Buffer::no_color() };
            diagnostics::render_styled(&shown, &checked.sources, &mut buffer)
                .map_err(|e| crate::InternalError(format!("rendering a diagnostic: {e}")))?;
            let mut rendered = String::from_utf8_lossy(buffer.as_slice()).into_owned();
            for (file, code, more) in hidden {
                let name = checked.sources.get(file).map_or("", |f| f.name.as_str());
                let name = crate::render::visible(name);
                let warnings = if more == 1 { "warning" } else { "warnings" };
                rendered.push_str(&format!(
                    "… and {more} more {} {warnings} in {name} like these (`--all-warnings` shows them)\n\n",
                    code.as_str()
                ));
            }
            super::say_raw(&format!("{rendered}{}\n", summary_line(&summary)));
        }
        ErrorFormat::Json => {
            let report = Report {
                diagnostics: checked.diagnostics.iter().map(|d| diagnostics::to_json(d, &checked.sources)).collect(),
                summary,
            };
            let json = serde_json::to_string_pretty(&report).map_err(|e| crate::InternalError(e.to_string()))?;
            super::emit(&format!("{json}\n"))?;
        }
    }
    Ok(())
}

fn summary_line(summary: &Summary) -> String {
    let files = super::plural(summary.files, "file");
    match (summary.errors, summary.warnings) {
        (0, 0) => format!("checked {files}: no problems"),
        (errors, warnings) => {
            format!("checked {files}: {}, {}", super::plural(errors, "error"), super::plural(warnings, "warning"))
        }
    }
}
