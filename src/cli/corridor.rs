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

    /// Exit 4 (after printing the report) if some transfer has no one arrangement for both
    /// flows (`gap`: separate arrangements, or blocked), or if a flow is blocked (`blocked`)
    #[arg(long, value_enum, value_name = "WHAT")]
    fail_on: Option<CorridorFailOn>,

    /// How to print problems in the rules
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(super) error_format: ErrorFormat,
}

/// What makes `corridor --fail-on` exit 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum CorridorFailOn {
    /// Some transfer needs a separate arrangement each way, or is blocked
    Gap,
    /// Some transfer is prohibited or undecided one way
    Blocked,
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
    print_report(args.format, &result, [render::corridor_text, render::corridor_markdown, render::corridor_html])?;
    let blocked = |j: &&corridor::Joint| {
        [&j.forward, &j.back]
            .iter()
            .any(|o| matches!(o.verdict, crate::eval::Verdict::Prohibit | crate::eval::Verdict::Undecided))
    };
    let found = match args.fail_on {
        None => None,
        Some(CorridorFailOn::Gap) => {
            let gaps = result.joint.iter().filter(|j| j.gap.is_some()).count();
            (gaps > 0).then(|| {
                format!("{gaps} of the corridor's outcome combinations have no one arrangement for both flows")
            })
        }
        Some(CorridorFailOn::Blocked) => {
            let n = result.joint.iter().filter(blocked).count();
            (n > 0).then(|| format!("{n} of the corridor's outcome combinations are blocked one way"))
        }
    };
    Ok(super::fail_on(found))
}
