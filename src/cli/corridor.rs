//! `accord corridor`: transfers from A's home to B's home and back.

use super::diff::{ReportFormat, chosen_accords, failure, load_weights, print_report};
use super::{ErrorFormat, Failure, regime};
use crate::analysis::corridor;
use crate::analysis::diff::{Options, Side};
use crate::render::corridor as render;
use miette::miette;
use std::process::ExitCode;

/// Compare the two directions of a corridor: transfers from A's home to B's home (decided by A)
/// and back (decided by B).
///
/// For every kind of transfer (the same data, volumes and date both ways), reports what each
/// side requires, which single mechanisms would meet both sides at once, and where no one
/// arrangement can: a flow that is prohibited or undecided, or requirements with no mechanism
/// in common. Witnesses come in pairs, one scenario for each direction.
#[derive(Debug, clap::Args)]
pub(crate) struct CorridorArgs {
    /// The first regime: a rule file, a standard id (`cn`), `FILE#ID`, optionally `@YYYY-MM-DD`
    a: String,

    /// The second regime, named the same way
    b: String,

    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,

    /// Compare obligations too
    #[arg(long)]
    obligations: bool,

    /// Apply a recognition accord: a standard accord id, or `FILE#ID` (repeatable)
    #[arg(long = "accord", value_name = "ID")]
    accord: Vec<String>,

    /// Apply every standard accord in which A or B recognises something
    #[arg(long, conflicts_with = "accord")]
    accords: bool,

    /// Weigh facts by this JSON file instead of the regimes' weights: a list of weights as a
    /// compiled table's `weights` holds them (or any document with a `weights` list)
    #[arg(long, value_name = "FILE")]
    weights: Option<std::path::PathBuf>,

    /// How to print problems in the rules
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    error_format: ErrorFormat,
}

pub(crate) fn run(args: &CorridorArgs, colour: bool) -> Result<ExitCode, Failure> {
    let (a, date_a) = regime::load_pinned(&args.a, args.error_format, colour)?;
    let (b, date_b) = regime::load_pinned(&args.b, args.error_format, colour)?;
    if a.home.iter().all(|h| b.home.contains(h)) && b.home.iter().all(|h| a.home.contains(h)) {
        return Err(Failure::Input(miette!(
            help = "a corridor runs between two homes; to compare two versions of one regime, use `accord diff`",
            "`{}` and `{}` have the same home",
            args.a,
            args.b
        )));
    }
    let accords = chosen_accords(&args.accord, args.accords, &[&a, &b], args.error_format, colour)?;
    let weights = load_weights(args.weights.as_deref(), &[&a, &b])?;
    let options = Options { obligations: args.obligations, accords, weights, ..Options::default() };
    let result = corridor::corridor(Side::at(&a, date_a), Side::at(&b, date_b), &options).map_err(failure)?;
    print_report(args.format, &result, [render::corridor_text, render::corridor_markdown, render::corridor_html])
}
