//! `accord compile`.

use super::{ErrorFormat, Failure, regime};
use crate::render;
use clap::ValueEnum;
use std::process::ExitCode;

/// Compile a regime into a decision table.
///
/// The table (format `accord.table/1`, described by schema/accord.table.schema.json) has one
/// column per fact the regime tests and one row per box of a rule's condition, in priority
/// order; the first matching row decides. JSON is byte-for-byte deterministic.
#[derive(Debug, clap::Args)]
pub(crate) struct CompileArgs {
    /// A rule file, a standard regime id (`cn`, `eu`, …), or `FILE#ID` for one regime of a file;
    /// `@YYYY-MM-DD` compiles it as read on that transfer date (rows of other dates left out,
    /// the `date` cells gone), as `eval`, `diff` and the other commands read it
    regime: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = TableFormat::Json)]
    format: TableFormat,

    /// How to print problems in the rules
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    /// The versioned table document, for tools
    Json,
    /// A Markdown decision table, for people
    Markdown,
    /// Plain text, row by row
    Text,
}

pub(crate) fn run(args: &CompileArgs, colour: bool) -> Result<ExitCode, Failure> {
    let table = match regime::load_pinned(&args.regime, args.error_format, colour)? {
        // A table of its own: its hash is that of what it now says.
        (table, Some(date)) => {
            let mut pinned = table.on(date);
            pinned.hash = String::new();
            pinned.hash = crate::compile::content_hash(&pinned);
            pinned
        }
        (table, None) => table,
    };
    let text = match args.format {
        TableFormat::Json => table.to_json(),
        TableFormat::Markdown => render::table_markdown(&table),
        TableFormat::Text => render::table_text(&table),
    };
    super::emit(&format!("{}\n", text.trim_end()))?;
    Ok(ExitCode::SUCCESS)
}
