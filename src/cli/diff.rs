//! `accord diff`: every region where two regimes decide differently.

use super::{ErrorFormat, Failure, regime};
use crate::analysis::diff::{self, Listing, Options, Reading, Side};
use crate::compile::accords::{self, Accord};
use crate::render::report;
use clap::ValueEnum;
use miette::miette;
use std::process::ExitCode;

/// Compare two regimes exactly, or one regime at two dates.
///
/// Lists every region of the fact space where A and B decide differently, grouped by the pair
/// of outcomes, each with the facts it constrains, the deciding rules and their citations, and
/// a witness scenario that `accord eval` accepts as is. Nothing is sampled: a region listed
/// holds for every transfer in it, and a transfer in no region is decided alike.
///
/// By default each regime is read from its own home (origin aligned), so the diff answers
/// "the same transfer, leaving A and leaving B"; witnesses then give no `origin`, which
/// `accord eval` reads as the regime's home. Pin a side to a transfer date with `@`:
/// `accord diff cn@2023-12-01 cn@2024-06-01` shows what the 2024 Provisions changed.
///
/// Each region is classed: A stricter, B stricter, or incomparable (out of scope < permit <
/// require < prohibit; between two requires, the one accepting fewer mechanisms is stricter).
/// Shares are of transfers weighed by how common each value of each fact is: the standard
/// library's `weigh` declarations (each with its source or `[interp]`), a regime's own, or
/// `--weights FILE`. A share depends only on what the regimes decide, never on how they are
/// written; the report lists the weights it used.
#[derive(Debug, clap::Args)]
pub(crate) struct DiffArgs {
    /// The first regime: a rule file, a standard id (`cn`), `FILE#ID`, optionally `@YYYY-MM-DD`
    a: String,

    /// The second regime, named the same way
    b: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,

    /// Compare obligations too (an outcome is then its verdict and its obligations)
    #[arg(long)]
    obligations: bool,

    /// Read both regimes with one shared `origin` instead of each from its own home
    #[arg(long)]
    same_origin: bool,

    /// Apply a recognition accord: a standard accord id, or `FILE#ID` (repeatable)
    #[arg(long = "accord", value_name = "ID")]
    accord: Vec<String>,

    /// Apply every standard accord in which A or B recognises something
    #[arg(long, conflicts_with = "accord")]
    accords: bool,

    /// Compare only these transfers: a partial scenario as JSON, e.g. '{"destination": "US"}'
    #[arg(long, value_name = "JSON")]
    given: Option<String>,

    /// Report regions over these facts only (comma-separated); the others are projected away
    #[arg(long, value_name = "FACTS", value_delimiter = ',')]
    facts: Option<Vec<String>>,

    /// List one region per pair of deciding rules (a rule of each side, where both decide)
    /// instead of boxes over the facts: a shorter report for regimes that differ in thousands
    /// of boxes
    #[arg(long, conflicts_with = "facts")]
    by_rules: bool,

    /// Weigh facts by this JSON file instead of the regimes' weights: a list of weights as a
    /// compiled table's `weights` holds them (or any document with a `weights` list)
    #[arg(long, value_name = "FILE")]
    weights: Option<std::path::PathBuf>,

    /// Weigh by a real set of transfers instead: a JSON Lines or CSV file (`-` for standard
    /// input), one transfer per line or record as `accord eval --input` reads it. The report
    /// gives, for each pair of differing outcomes, how many of those transfers it holds and
    /// their line numbers; a line that is not a transfer is listed (and the exit is 1), never
    /// left out silently
    #[arg(long, value_name = "FILE", conflicts_with_all = ["by_rules", "facts", "given", "weights"])]
    inventory: Option<std::path::PathBuf>,

    /// How to read `--inventory` [default: from the file's extension; JSON Lines otherwise].
    /// A CSV header names facts of A's vocabulary
    #[arg(long, value_enum, requires = "inventory")]
    inventory_format: Option<super::eval::InputFormat>,

    /// Exit 4 (after printing the report) if B asks more than A of some transfer (`stricter`:
    /// a region where B is stricter, or incomparable), or if they differ anywhere (`any`)
    #[arg(long, value_enum, value_name = "WHAT")]
    fail_on: Option<FailOn>,

    /// How to print problems in the rules
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(super) error_format: ErrorFormat,
}

/// What makes `diff --fail-on` exit 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// B is stricter than A, or not comparable with it, somewhere
    Stricter,
    /// A and B decide some transfer differently
    Any,
}

/// How a report is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// For people, in a terminal
    Text,
    /// The report document, for tools
    Json,
    /// Markdown, for documents and reviews
    Markdown,
    /// One self-contained HTML page, to circulate
    Html,
}

pub(crate) fn run(args: &DiffArgs, colour: bool) -> Result<ExitCode, Failure> {
    let (a, date_a) = regime::load_pinned(&args.a, args.error_format, colour)?;
    let (b, date_b) = regime::load_pinned(&args.b, args.error_format, colour)?;
    let tables = [&a, &b];
    let given = match &args.given {
        Some(text) => {
            // A bad value on the command line is a usage error (exit 2), as a bad `--today` is.
            let json: serde_json::Value =
                serde_json::from_str(text).map_err(|e| Failure::Usage(miette!("`--given` is not JSON: {e}")))?;
            diff::given_cells(&tables, &json).map_err(|e| Failure::Usage(miette!("`--given`: {e}")))?
        }
        None => diff::Cells::new(),
    };
    let accords = chosen_accords(&args.accord, args.accords, &tables, args.error_format, colour)?;
    let options = Options {
        reading: if args.same_origin { Reading::SameOrigin } else { Reading::OriginAligned },
        obligations: args.obligations,
        accords,
        given,
        facts: args.facts.clone(),
        listing: if args.by_rules { Listing::RulePairs } else { Listing::Regions },
        weights: load_weights(args.weights.as_deref(), &tables)?,
    };
    if let Some(path) = &args.inventory {
        return inventory(path, Side::at(&a, date_a), Side::at(&b, date_b), &options, args);
    }
    let result = diff::diff(Side::at(&a, date_a), Side::at(&b, date_b), &options).map_err(failure)?;
    print_report(args.format, &result, [report::diff_text, report::diff_markdown, report::diff_html])?;
    let (la, lb) = (&result.a.label, &result.b.label);
    let found = match args.fail_on {
        None => None,
        Some(FailOn::Any) => (!result.groups.is_empty())
            .then(|| format!("{la} and {lb} differ in {}", super::plural(result.totals.regions, "region"))),
        Some(FailOn::Stricter) => {
            let asks_more = result
                .groups
                .iter()
                .filter(|g| matches!(g.class, diff::Class::BStricter | diff::Class::Incomparable))
                .count();
            (asks_more > 0).then(|| {
                format!(
                    "{lb} is stricter than {la}, or not comparable with it, in {}",
                    super::plural(asks_more, "outcome pair")
                )
            })
        }
    };
    Ok(super::fail_on(found))
}

/// Prints a report in `format`: JSON is its serde form, the others come from its renderers
/// for text, Markdown and HTML, in that order.
pub(crate) fn print_report<T: serde::Serialize>(
    format: ReportFormat,
    report: &T,
    [text, markdown, html]: [fn(&T) -> String; 3],
) -> Result<ExitCode, Failure> {
    let out = match format {
        ReportFormat::Text => text(report),
        ReportFormat::Json => serde_json::to_string_pretty(report)
            .map_err(|e| Failure::Internal(crate::InternalError(format!("cannot write the report as JSON: {e}"))))?,
        ReportFormat::Markdown => markdown(report),
        ReportFormat::Html => html(report),
    };
    super::emit(&format!("{}\n", out.trim_end()))?;
    Ok(ExitCode::SUCCESS)
}

/// The accords to apply: those named, or with `all`, every standard accord in which one of the
/// tables' regimes accepts something.
pub(crate) fn chosen_accords(
    named: &[String],
    all: bool,
    tables: &[&crate::table::Table],
    format: ErrorFormat,
    colour: bool,
) -> Result<Vec<Accord>, Failure> {
    let standard = accords::standard()?;
    if all {
        let regimes: Vec<&str> = tables.iter().map(|t| t.regime.as_str()).collect();
        return Ok(standard
            .into_iter()
            .filter(|a| a.accepts.iter().any(|acc| regimes.contains(&acc.regime.as_str())))
            .collect());
    }
    let mut out = Vec::new();
    for name in named {
        let found = match name.rsplit_once('#') {
            Some((file, id)) => regime::load_accords(file, format, colour)?.into_iter().find(|a| a.id == id),
            None => standard.iter().find(|a| a.id == *name).cloned(),
        };
        match found {
            Some(accord) => out.push(accord),
            None => {
                let ids: Vec<&str> = standard.iter().map(|a| a.id.as_str()).collect();
                let help = match crate::diagnostics::closest(name, ids.iter().copied()) {
                    Some(id) => format!("did you mean `{id}`?"),
                    None => format!("the standard accords are: {}", ids.join(", ")),
                };
                return Err(Failure::Input(miette!(help = help, "no accord `{name}`")));
            }
        }
    }
    Ok(out)
}

/// How many lines of an inventory are read before they are decided (in parallel).
const STRETCH: usize = 1 << 14;

/// `diff --inventory`: the transfers of a file, decided on both sides.
fn inventory(
    path: &std::path::Path,
    a: Side,
    b: Side,
    options: &Options,
    args: &DiffArgs,
) -> Result<ExitCode, Failure> {
    let shown = super::eval::shown(path);
    let mut reader = std::io::BufReader::with_capacity(1 << 16, super::eval::open(path)?);
    let today = regime::today();
    let csv_table = a.table;
    let mut builder = crate::analysis::inventory::Builder::new(a, b, options, today).map_err(failure)?;
    let mut stretch: Vec<crate::analysis::inventory::Line> = Vec::with_capacity(STRETCH);
    let mut add = |line: crate::analysis::inventory::Line,
                   builder: &mut crate::analysis::inventory::Builder|
     -> Result<(), Failure> {
        stretch.push(line);
        if stretch.len() == STRETCH {
            builder.add(&stretch)?;
            stretch.clear();
        }
        Ok(())
    };
    match super::eval::input_format(args.inventory_format, path) {
        super::eval::InputFormat::Jsonl => {
            let mut line = 0usize;
            while let Some((text, too_long)) = super::eval::read_line(&mut reader)
                .map_err(|e| Failure::Input(miette!("cannot read `{shown}` after line {line}: {e}")))?
            {
                line += 1;
                let mut text = text;
                if line == 1 {
                    super::eval::drop_bom(&mut text, 0);
                }
                if too_long {
                    add((line, Err(format!("line is longer than {} MiB", super::eval::MAX_LINE >> 20))), &mut builder)?;
                } else if !text.trim_ascii().is_empty() {
                    add((line, Ok(text)), &mut builder)?;
                }
            }
        }
        super::eval::InputFormat::Csv => {
            // Each record as the JSON object it stands for, so that both sides read it alike.
            let error = super::eval::ReadError::default();
            for (line, record) in super::eval::csv_records(csv_table, reader, error.clone())? {
                let text = record.and_then(|object| serde_json::to_vec(&object).map_err(|e| e.to_string()));
                add((line, text), &mut builder)?;
            }
            if let Some(e) = error.borrow_mut().take() {
                return Err(Failure::Input(miette!("cannot read `{shown}`: {e}")));
            }
        }
    }
    builder.add(&stretch)?;
    let result = builder.finish(&shown)?;
    print_report(args.format, &result, [report::inventory_text, report::inventory_markdown, report::inventory_html])?;
    if !result.refused.is_empty() {
        let first: Vec<String> =
            result.refused.iter().take(5).map(|r| format!("line {}: {}", r.line, r.problem)).collect();
        return Err(Failure::Input(miette!(
            help = "every line must be a transfer both regimes read (as `accord eval` reads a scenario)",
            "{} of {} lines of `{shown}` are not transfers, so the shares leave them out: {}",
            result.refused.len(),
            result.lines,
            first.join("; ")
        )));
    }
    let found = match args.fail_on {
        None => None,
        Some(FailOn::Any) => {
            let n: usize = result.groups.iter().map(|g| g.transfers).sum();
            (n > 0).then(|| format!("{n} of the inventory's transfers are decided differently"))
        }
        Some(FailOn::Stricter) => {
            let n: usize = result
                .groups
                .iter()
                .filter(|g| matches!(g.class, diff::Class::BStricter | diff::Class::Incomparable))
                .map(|g| g.transfers)
                .sum();
            (n > 0).then(|| {
                format!("{} asks more than {} of {n} of the inventory's transfers", result.b.label, result.a.label)
            })
        }
    };
    Ok(super::fail_on(found))
}

/// The weights of `--weights FILE`, checked against the tables' facts; none without the flag.
pub(crate) fn load_weights(
    path: Option<&std::path::Path>,
    tables: &[&crate::table::Table],
) -> Result<Vec<crate::table::Weight>, Failure> {
    let Some(path) = path else { return Ok(Vec::new()) };
    let shown = path.display();
    let loaded = super::files::read(path).map_err(|e| Failure::Input(miette!("cannot read `{shown}`: {e}")))?;
    if loaded.bytes.len() > crate::syntax::MAX_FILE_BYTES {
        return Err(Failure::Input(miette!(
            "`{shown}` is larger than the {} MiB a weights file may be",
            crate::syntax::MAX_FILE_BYTES >> 20
        )));
    }
    let text = String::from_utf8(loaded.bytes).map_err(|_| Failure::Input(miette!("`{shown}` is not UTF-8 text")))?;
    crate::analysis::weights::read(&text, tables).map_err(|e| {
        Failure::Input(miette!(help = "see docs/weights.md for the form of a weights file", "`{shown}`: {e}"))
    })
}

/// A comparison that could not be made: the user's question, or (rarely) a bug.
pub(crate) fn failure(error: diff::DiffError) -> Failure {
    match error {
        diff::DiffError::Internal(what) => Failure::Internal(crate::InternalError(what)),
        other => Failure::Input(miette!("{other}")),
    }
}
