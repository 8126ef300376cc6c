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

    /// For `--format sql`: the SQL dialect (docs/sql.md gives each one's column layout)
    #[arg(long, value_enum)]
    dialect: Option<SqlDialect>,

    /// For `--format sql`: the table or view of transfers the query reads (one name: letters,
    /// digits and `_`)
    #[arg(long, value_name = "NAME", default_value = "transfers")]
    from: String,

    /// For `--format sql`: write the column check instead of the query: run it first on the
    /// table of transfers; it returns one row per column whose values are not of the layout's
    /// type, none when the table fits, and a missing column fails it by name (not in `ansi`)
    #[arg(long)]
    check_columns: bool,

    /// For `--format sql --dialect duckdb`: the query reads this JSON Lines file of transfers
    /// (as `accord eval --input` reads it: facts left out are NULL) instead of a table, so that
    /// `duckdb` runs it as it is
    #[arg(long, value_name = "FILE", conflicts_with_all = ["from", "check_columns"])]
    read_json: Option<String>,

    /// How to print problems in the rules
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(super) error_format: ErrorFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableFormat {
    /// The versioned table document, for tools
    Json,
    /// A Markdown decision table, for people
    Markdown,
    /// Plain text, row by row
    Text,
    /// One SQL query deciding every row of a table of transfers (see `--dialect`)
    Sql,
    /// A GoRules JSON Decision Model graph deciding one transfer on the ZEN engine (docs/jdm.md)
    Jdm,
    /// A DMN model: the rows as a FIRST decision table, the obligations as a COLLECT one
    Dmn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum SqlDialect {
    /// DuckDB: sets as VARCHAR[] lists
    Duckdb,
    /// SQLite: sets as `;`-separated text, dates as YYYY-MM-DD text
    Sqlite,
    /// Spark SQL: sets as ARRAY<STRING>
    Spark,
    /// Standard SQL: sets as `;`-separated text
    Ansi,
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
    if args.format != TableFormat::Sql
        && (args.dialect.is_some() || args.from != "transfers" || args.check_columns || args.read_json.is_some())
    {
        return Err(Failure::Usage(miette::miette!(
            help = "add `--format sql`",
            "`--dialect`, `--from`, `--check-columns` and `--read-json` choose how the SQL query is written, and only `--format sql` writes one"
        )));
    }
    if args.read_json.is_some() && args.dialect != Some(SqlDialect::Duckdb) {
        return Err(Failure::Usage(miette::miette!(
            help = "add `--dialect duckdb`; in other engines, load the file into a table and name it with `--from`",
            "`--read-json` reads the file with DuckDB's `read_json`, which only the duckdb dialect has"
        )));
    }
    if args.from.is_empty() || !args.from.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Failure::Usage(miette::miette!(
            help = "name the table of transfers with letters, digits and `_`, e.g. `--from transfers_2026`; for a table in another schema, make a view of it",
            "`{}` is not a table name `--from` takes",
            args.from
        )));
    }
    let text = match args.format {
        TableFormat::Json => table.to_json(),
        TableFormat::Markdown => render::table_markdown(&table),
        TableFormat::Text => render::table_text(&table),
        TableFormat::Sql => {
            let dialect = match args.dialect.unwrap_or(SqlDialect::Ansi) {
                SqlDialect::Duckdb => render::sql::Dialect::Duckdb,
                SqlDialect::Sqlite => render::sql::Dialect::Sqlite,
                SqlDialect::Spark => render::sql::Dialect::Spark,
                SqlDialect::Ansi => render::sql::Dialect::Ansi,
            };
            if let Some(path) = &args.read_json {
                render::sql::table_sql_on_json_lines(&table, path).map_err(|e| {
                    Failure::Input(miette::miette!(help = "rename the fact", "cannot write the query: {e}"))
                })?
            } else if args.check_columns {
                render::sql::columns_check(&table, dialect, &args.from).map_err(|e| {
                    Failure::Input(miette::miette!(
                        help = "choose `--dialect duckdb`, `sqlite` or `spark`",
                        "cannot write the column check: {e}"
                    ))
                })?
            } else {
                render::sql::table_sql(&table, dialect, &args.from).map_err(|e| {
                    Failure::Input(miette::miette!(help = "rename the fact", "cannot write the query: {e}"))
                })?
            }
        }
        TableFormat::Jdm => render::jdm::table_jdm(&table)
            .map_err(|e| Failure::Input(miette::miette!(help = "rename the fact", "cannot write the graph: {e}")))?,
        TableFormat::Dmn => render::dmn::table_dmn(&table).map_err(|e| {
            Failure::Input(miette::miette!(help = "rename the fact", "cannot write the DMN model: {e}"))
        })?,
    };
    super::emit(&format!("{}\n", text.trim_end()))?;
    Ok(ExitCode::SUCCESS)
}
