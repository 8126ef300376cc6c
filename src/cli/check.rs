//! `accord check`.

use super::files;
use super::{ErrorFormat, Failure};
use crate::check::Checked;
use crate::diagnostics;
use codespan_reporting::term::termcolor::Buffer;
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
    pub(super) error_format: ErrorFormat,

    /// Show every warning: by default a file shows at most 10 of one code, then says how many
    /// more there are (JSON output always has them all)
    #[arg(long)]
    all_warnings: bool,

    /// Apply every fix that is certain (a misspelt name with exactly one closest match, a
    /// `default` no transfer reaches), rewriting the files given, then check them again and
    /// report what is left. `--error-format json` lists the same fixes as edits (`fix`)
    #[arg(long)]
    fix: bool,
}

/// How many warnings of one code a file shows, unless `--all-warnings`.
const WARNINGS_SHOWN: usize = 10;

/// The counts `accord check` ends with.
struct Summary {
    files: usize,
    errors: usize,
    warnings: usize,
    notes: usize,
}

pub(crate) fn run(args: &CheckArgs, colour: bool) -> Result<ExitCode, Failure> {
    let read = files::paths_or_project(&args.paths).and_then(|(paths, loader)| Ok((files::discover(&paths)?, loader)));
    let (found, loader) = match read {
        Ok(read) => read,
        // Tools reading stdout get a document even when no file could be read (see `cli::run`).
        Err(report) => return Err(Failure::Input(report)),
    };
    let check = || -> Result<Checked, Failure> {
        let mut roots = Vec::new();
        for path in &found {
            roots.push(
                files::read(path)
                    .map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?,
            );
        }
        Ok(crate::check_and_verify(roots, &mut loader.clone())?)
    };
    let mut checked = check()?;
    // A fix can let a later stage run (verification only runs once no file has an error), and
    // that stage can find more to fix: a few rounds, each checking what the last one wrote.
    let (mut fixes, mut changed) = (0, std::collections::BTreeSet::new());
    for _ in 0..if args.fix { FIX_ROUNDS } else { 0 } {
        let (applied, files) = apply_fixes(&checked, &found)?;
        if applied == 0 {
            break;
        }
        fixes += applied;
        changed.extend(files);
        checked = check()?;
    }
    if fixes > 0 {
        super::say(&format!(
            "fixed {} in {}\n",
            crate::render::plural(fixes, "problem"),
            crate::render::plural(changed.len(), "file")
        ));
    }
    print_capped(&checked, found.len(), args.error_format, colour, !args.all_warnings)?;
    Ok(if checked.has_errors() { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// The most rounds of fixes `--fix` makes (see [`run`]).
const FIX_ROUNDS: usize = 4;

/// Writes every fix of `checked` that edits one of the files `found` (never a `use`d or standard
/// file): how many fixes, and the files changed.
fn apply_fixes<'p>(checked: &Checked, found: &'p [PathBuf]) -> Result<(usize, Vec<&'p PathBuf>), Failure> {
    let (mut fixes, mut files): (usize, Vec<&PathBuf>) = (0, Vec::new());
    for path in found {
        // A file given twice is one file, fixed once.
        if files.contains(&path) {
            continue;
        }
        let name = path.display().to_string();
        let Some((id, source)) = checked.sources.iter().find(|(_, f)| f.name == name) else { continue };
        let edits: Vec<&diagnostics::Fix> =
            checked.diagnostics.iter().filter_map(|d| d.fix.as_ref()).filter(|f| f.span.file == id).collect();
        if edits.is_empty() {
            continue;
        }
        let (text, applied) = diagnostics::apply_fixes(&source.text, &edits);
        std::fs::write(path, text)
            .map_err(|e| Failure::Input(miette::miette!("cannot write the fixes to `{name}`: {e}")))?;
        fixes += applied;
        files.push(path);
    }
    Ok((fixes, files))
}

/// Prints the diagnostics of a run in the chosen format, with a summary.
pub(crate) fn print(checked: &Checked, files: usize, format: ErrorFormat, colour: bool) -> Result<(), Failure> {
    print_capped(checked, files, format, colour, true)
}

/// [`print`], showing people at most [`WARNINGS_SHOWN`] warnings of one code in one file when
/// `cap` (then a line says how many more there are).
fn print_capped(checked: &Checked, files: usize, format: ErrorFormat, colour: bool, cap: bool) -> Result<(), Failure> {
    let summary = Summary {
        files,
        errors: checked.error_count(),
        warnings: checked.warning_count(),
        notes: checked.note_count(),
    };
    match format {
        ErrorFormat::Human => {
            let (shown, hidden) = if cap {
                diagnostics::capped(&checked.diagnostics, WARNINGS_SHOWN)
            } else {
                (checked.diagnostics.clone(), Vec::new())
            };
            let mut rendered = styled(&shown, &checked.sources, colour)?;
            for diagnostics::Hidden { file, code, severity, count: more } in hidden {
                let name = checked.sources.get(file).map_or("", |f| f.name.as_str());
                let name = crate::render::visible(name);
                let what = match (severity, more) {
                    (diagnostics::Severity::Info, 1) => "note",
                    (diagnostics::Severity::Info, _) => "notes",
                    (_, 1) => "warning",
                    _ => "warnings",
                };
                rendered.push_str(&format!(
                    "… and {more} more {} {what} in {name} like these (`--all-warnings` shows them)\n\n",
                    code.as_str()
                ));
            }
            super::say_raw(&format!("{rendered}{}\n", summary_line(&summary)));
        }
        ErrorFormat::Json => {
            let all = checked.diagnostics.iter().map(|d| diagnostics::to_json(d, &checked.sources)).collect();
            super::emit_problems(super::Problems::new(all, Some(summary.files)), false)?;
        }
    }
    Ok(())
}

/// Diagnostics rendered for people, in colour if `colour`: whole, so that they are written at
/// once (one write, not one per piece of a line).
pub(crate) fn styled(
    diagnostics: &[diagnostics::Diagnostic],
    sources: &crate::source::SourceMap,
    colour: bool,
) -> Result<String, Failure> {
    let mut buffer = if colour { Buffer::ansi() } else { Buffer::no_color() };
    diagnostics::render_styled(diagnostics, sources, &mut buffer)
        .map_err(|e| crate::InternalError(format!("rendering a diagnostic: {e}")))?;
    Ok(String::from_utf8_lossy(buffer.as_slice()).into_owned())
}

fn summary_line(summary: &Summary) -> String {
    let files = super::plural(summary.files, "file");
    let problems = match (summary.errors, summary.warnings) {
        (0, 0) => "no problems".to_owned(),
        (errors, warnings) => format!("{}, {}", super::plural(errors, "error"), super::plural(warnings, "warning")),
    };
    match summary.notes {
        0 => format!("checked {files}: {problems}"),
        notes => format!("checked {files}: {problems}, {}", super::plural(notes, "note")),
    }
}
