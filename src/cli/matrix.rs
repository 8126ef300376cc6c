//! `accord matrix`: pairwise agreement between regimes.

use super::diff::{ReportFormat, failure, load_weights, print_report};
use super::{ErrorFormat, Failure, regime};
use crate::analysis::diff::{Options, Reading, Side};
use crate::analysis::matrix;
use crate::render::matrix as render;
use crate::stdlib;
use miette::miette;
use std::process::ExitCode;

/// Compare every pair of regimes: the share of transfers each pair decides alike.
///
/// Each cell is the agreement share `accord diff A B` reports, computed exactly, under the
/// same weights (`--weights` to choose others). With no
/// regimes named, every standard regime is compared. Text and Markdown print the grid; HTML
/// adds a heat map; JSON gives the matrix for tools.
#[derive(Debug, clap::Args)]
pub(crate) struct MatrixArgs {
    /// Regimes to compare (files, standard ids, `FILE#ID`, optionally `@YYYY-MM-DD`); default:
    /// every standard regime
    regimes: Vec<String>,

    /// Output format
    #[arg(long, value_enum, default_value_t = ReportFormat::Text)]
    format: ReportFormat,

    /// Compare obligations too
    #[arg(long)]
    obligations: bool,

    /// Read all regimes with one shared `origin` instead of each from its own home
    #[arg(long)]
    same_origin: bool,

    /// Weigh facts by this JSON file instead of the regimes' weights: a list of weights as a
    /// compiled table's `weights` holds them (or any document with a `weights` list)
    #[arg(long, value_name = "FILE")]
    weights: Option<std::path::PathBuf>,

    /// Apply every standard accord in which one of the regimes recognises something
    #[arg(long)]
    accords: bool,

    /// Exit 4 (after printing the report) if some pair decides some transfer differently
    /// (agreement below 100% under the weights)
    #[arg(long, value_enum, value_name = "WHAT")]
    fail_on: Option<MatrixFailOn>,

    /// How to print problems in the rules
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(super) error_format: ErrorFormat,
}

/// What makes `matrix --fail-on` exit 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum MatrixFailOn {
    /// Some pair does not agree everywhere
    Any,
}

pub(crate) fn run(args: &MatrixArgs, colour: bool) -> Result<ExitCode, Failure> {
    let names: Vec<String> = if args.regimes.is_empty() {
        stdlib::REGIMES.iter().map(|m| m.name.to_owned()).collect()
    } else {
        args.regimes.clone()
    };
    // Each name is read first, so that a name that is wrong is said to be, even alone.
    let mut loaded = Vec::with_capacity(names.len());
    for name in &names {
        loaded.push(regime::load_pinned(name, args.error_format, colour)?);
    }
    if names.len() < 2 {
        return Err(Failure::Input(miette!(
            help = "name two regimes or more, or none for every standard regime",
            "a matrix compares pairs: one regime is not enough"
        )));
    }
    let sides: Vec<Side> = loaded.iter().map(|(t, d)| Side::at(t, *d)).collect();
    let tables: Vec<&crate::table::Table> = loaded.iter().map(|(t, _)| t).collect();
    let options = Options {
        reading: if args.same_origin { Reading::SameOrigin } else { Reading::OriginAligned },
        obligations: args.obligations,
        weights: load_weights(args.weights.as_deref(), &tables)?,
        accords: super::diff::chosen_accords(&[], args.accords, &tables, args.error_format, colour)?,
        ..Options::default()
    };
    let m = matrix::matrix(&sides, &options).map_err(failure)?;
    print_report(args.format, &m, [render::matrix_text, render::matrix_markdown, render::matrix_html])?;
    let differing = m.pairs().iter().filter(|(_, _, share)| *share < 1.0).count();
    let found = match args.fail_on {
        Some(MatrixFailOn::Any) if differing > 0 => {
            Some(format!("regimes disagree in {}", super::plural(differing, "pair")))
        }
        _ => None,
    };
    Ok(super::fail_on(found))
}
