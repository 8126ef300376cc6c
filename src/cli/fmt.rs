//! `accord fmt`.

use super::files;
use super::{ErrorFormat, Failure};
use crate::source::SourceMap;
use crate::syntax::format::{Formatted, format_bytes};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Lay rule files out in Accord's one canonical layout, in place.
///
/// The layout depends only on what a file says, its comments and where it leaves empty lines
/// (one is kept where there were several). Every comment is kept, and the formatted file
/// compiles to the same table (the same `hash`). A file that does not parse is left as it is
/// and its errors are printed; the exit code is then 1.
#[derive(Debug, clap::Args)]
pub(crate) struct FmtArgs {
    /// Files or directories to format; directories are searched for `.accord` files; `-` reads
    /// standard input and writes the result to standard output (for editors)
    /// [default: the `rules` listed in the nearest `Accord.toml`, in this directory or above;
    /// else this directory]
    paths: Vec<PathBuf>,

    /// Change nothing: list the files whose layout differs and exit 1 if there are any (for CI)
    #[arg(long)]
    check: bool,

    /// How to print problems and, with `json`, the files that were (or would be) changed
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(super) error_format: ErrorFormat,
}

/// The `accord.fmt/1` document (`schema/accord.fmt.schema.json`).
#[derive(Serialize)]
struct Report {
    /// Always `accord.fmt/1`.
    format: &'static str,
    /// Files whose layout changed (or, with `--check`, would change).
    changed: Vec<String>,
    /// Files already in the canonical layout.
    unchanged: usize,
    diagnostics: Vec<crate::diagnostics::JsonDiagnostic>,
}

pub(crate) fn run(args: &FmtArgs, colour: bool) -> Result<ExitCode, Failure> {
    if args.paths.iter().any(|p| p.as_os_str() == "-") {
        if args.paths.len() > 1 {
            return Err(Failure::Usage(miette::miette!(
                help = "format standard input alone, or files alone",
                "`-` (standard input) cannot be given with other paths"
            )));
        }
        return stdin(args, colour);
    }
    let (paths, _) = files::paths_or_project(&args.paths).map_err(Failure::Input)?;
    let found = files::discover(&paths).map_err(Failure::Input)?;
    let mut sources = SourceMap::default();
    let (mut changed, mut unchanged, mut unread, mut problems) = (Vec::new(), 0, 0, Vec::new());
    for path in &found {
        let loaded =
            files::read(path).map_err(|e| Failure::Input(miette::miette!("cannot read `{}`: {e}", path.display())))?;
        let original = loaded.bytes.clone();
        match format_bytes(&mut sources, loaded.name, loaded.bytes)? {
            Formatted::Unreadable(diagnostics) => {
                unread += 1;
                problems.extend(diagnostics);
            }
            Formatted::Text(text) if text.as_bytes() == original => unchanged += 1,
            Formatted::Text(text) => {
                if !args.check {
                    write(path, &text)?;
                }
                changed.push(path.display().to_string());
            }
        }
    }
    match args.error_format {
        ErrorFormat::Json => emit_report(changed.clone(), unchanged, &problems, &sources)?,
        ErrorFormat::Human => {
            super::say_raw(&super::check::styled(&problems, &sources, colour)?);
            let verb = if args.check { "would reformat" } else { "reformatted" };
            let mut lines = String::new();
            for name in &changed {
                lines.push_str(&format!("{verb} {}\n", crate::render::visible(name)));
            }
            let kept = crate::render::plural(unchanged, "file");
            let unread = if unread == 0 {
                String::new()
            } else {
                format!(", {} left as it is (errors above)", crate::render::plural(unread, "file"))
            };
            lines.push_str(&format!(
                "{} {verb}, {kept} already formatted{unread}\n",
                crate::render::plural(changed.len(), "file")
            ));
            super::say(&lines);
        }
    }
    let failed = unread > 0 || (args.check && !changed.is_empty());
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `accord fmt -`: standard input to standard output. With `--check`, nothing is written to
/// standard output, and the exit code says whether the layout differs.
fn stdin(args: &FmtArgs, colour: bool) -> Result<ExitCode, Failure> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(crate::syntax::MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Failure::Input(miette::miette!("cannot read standard input: {e}")))?;
    let original = bytes.clone();
    let mut sources = SourceMap::default();
    match format_bytes(&mut sources, "<stdin>".to_owned(), bytes)? {
        Formatted::Unreadable(diagnostics) => {
            match args.error_format {
                ErrorFormat::Human => super::say_raw(&super::check::styled(&diagnostics, &sources, colour)?),
                ErrorFormat::Json => emit_report(Vec::new(), 0, &diagnostics, &sources)?,
            }
            Ok(ExitCode::from(1))
        }
        Formatted::Text(text) if args.check => {
            let differs = text.as_bytes() != original;
            if differs {
                super::say("would reformat <stdin>\n");
            }
            Ok(if differs { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        Formatted::Text(text) => {
            use std::io::Write;
            // Written as is: a formatted file's control characters are the file's own.
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure::Input(miette::miette!("cannot write to standard output: {e}")))?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Prints the JSON document of `--error-format json`.
fn emit_report(
    changed: Vec<String>,
    unchanged: usize,
    problems: &[crate::diagnostics::Diagnostic],
    sources: &SourceMap,
) -> Result<(), Failure> {
    let diagnostics = problems.iter().map(|d| crate::diagnostics::to_json(d, sources)).collect();
    let json = serde_json::to_string_pretty(&Report { format: "accord.fmt/1", changed, unchanged, diagnostics })
        .map_err(|e| crate::InternalError(e.to_string()))?;
    super::emit(&format!("{json}\n"))
}

/// Replaces a file's contents whole: written beside it, then renamed over it, so that an
/// interrupted write never leaves half a file.
/// A link is followed: the file it names is replaced, and the link stays.
fn write(given: &Path, text: &str) -> Result<(), Failure> {
    let cannot = |e: std::io::Error| Failure::Input(miette::miette!("cannot write `{}`: {e}", given.display()));
    let path = std::fs::canonicalize(given).map_err(cannot)?;
    let Some(name) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
        return Err(Failure::Input(miette::miette!("`{}` is not a file", given.display())));
    };
    let temporary = path.with_file_name(format!(".{name}.accord-fmt"));
    let written = std::fs::write(&temporary, text)
        .and_then(|()| match std::fs::metadata(&path) {
            Ok(metadata) => std::fs::set_permissions(&temporary, metadata.permissions()),
            Err(_) => Ok(()),
        })
        .and_then(|()| std::fs::rename(&temporary, &path));
    written.map_err(|e| {
        // Nothing is left behind: the file is as it was.
        let _ = std::fs::remove_file(&temporary);
        cannot(e)
    })
}
