//! A corridor between two regimes: transfers from A's home to B's home (governed by A) and back
//! (governed by B), what each side requires, which single mechanisms would meet both sides at
//! once, and where no arrangement can (a gap).
//!
//! Both flows are read over one space: the facts of the transfer (data, counts, date, …) are
//! shared, and each flow has its own destination, inside the other regime's home. A point is
//! then "the same kind of transfer, made both ways", which is what a company with entities on
//! both sides, or two regulators negotiating a corridor, asks about.

use super::compare::Compared;
use super::diff::{DiffError, Options, Outcome, Reading, RuleRef, Side, SideInfo};
use super::mdd::{FALSE, NodeId};
use super::side::Prepared;
use crate::compile::accords::Accord;
use crate::eval::Verdict;
use serde::Serialize;
use std::collections::BTreeMap;

/// The name the flow back's destination goes by in the common space and in joint regions.
pub const BACK_DESTINATION: &str = "return_destination";

/// What one side requires of its flow, over some share of the corridor.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// The outcome.
    pub outcome: Outcome,
    /// Its share of the corridor's transfers.
    pub share: f64,
    /// The rules that decide it.
    pub rules: Vec<RuleRef>,
}

/// One combination of what the two flows require.
#[derive(Debug, Clone, Serialize)]
pub struct Joint {
    /// What A requires of the flow to B (after accords).
    pub forward: Outcome,
    /// What B requires of the flow back (after accords).
    pub back: Outcome,
    /// Its share of the corridor's transfers.
    pub share: f64,
    /// Mechanisms each of which alone meets both sides' requirements (empty when nothing is
    /// required, or when none does).
    pub both: Vec<String>,
    /// Why no arrangement covers both flows, if none does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gap: Option<String>,
    /// A transfer from A's home to B's home with these outcomes (for `accord eval A`).
    pub witness_forward: serde_json::Value,
    /// The same transfer made back (for `accord eval B`).
    pub witness_back: serde_json::Value,
}

/// The figures of a corridor.
#[derive(Debug, Clone, Serialize)]
pub struct CorridorTotals {
    /// Share where neither flow needs a mechanism.
    pub nothing_needed: f64,
    /// Share where one mechanism meets both sides.
    pub one_mechanism: f64,
    /// Share where each flow needs its own arrangement.
    pub separate: f64,
    /// Share where a flow is prohibited or undecided.
    pub blocked: f64,
}

/// A corridor report (format `accord.corridor/1`).
#[derive(Debug, Clone, Serialize)]
pub struct Corridor {
    /// Always `accord.corridor/1`.
    pub format: &'static str,
    /// The first regime (its home is where the forward flow starts).
    pub a: SideInfo,
    /// The second regime.
    pub b: SideInfo,
    /// Accords applied.
    pub accords: Vec<Accord>,
    /// What A requires of transfers to B's home, largest share first.
    pub forward: Vec<Requirement>,
    /// What B requires of transfers to A's home.
    pub back: Vec<Requirement>,
    /// Every combination, largest share first.
    pub joint: Vec<Joint>,
    /// The figures.
    pub totals: CorridorTotals,
    /// The weights every share is measured with.
    pub weights: Vec<crate::table::Weight>,
}

/// Mechanisms each of which alone meets every group, and why none might.
fn meeting_both(forward: &Outcome, back: &Outcome, labels: (&str, &str)) -> (Vec<String>, Option<String>) {
    for (o, label) in [(forward, labels.0), (back, labels.1)] {
        match o.verdict {
            Verdict::Prohibit => return (Vec::new(), Some(format!("{label} prohibits the transfer"))),
            Verdict::Undecided => return (Vec::new(), Some(format!("{label} leaves the transfer undecided (a gap)"))),
            _ => {}
        }
    }
    let groups: Vec<&Vec<String>> = forward.require.iter().chain(&back.require).collect();
    if groups.is_empty() {
        return (Vec::new(), None);
    }
    let both = super::diff::in_every(&groups);
    let gap = both.is_empty().then(|| "no one mechanism meets both sides: each flow needs its own".to_owned());
    (both, gap)
}

/// The corridor between two regimes.
pub fn corridor(a: Side, b: Side, options: &Options) -> Result<Corridor, DiffError> {
    let (info_a, info_b) = (SideInfo::of(&a), SideInfo::of(&b));
    let (labels_a, labels_b) = (a.label(), b.label());
    let (home_a, home_b) = (a.table.home.clone(), b.table.home.clone());
    let destination_b = b.table.scope.destination.clone();
    let forward = Prepared::new(a, Reading::OriginAligned, options.obligations, Some(&home_b))?;
    let back = Prepared::new(b, Reading::OriginAligned, options.obligations, Some(&home_a))?
        .rename_destination(BACK_DESTINATION);
    let mut c = Compared::new(forward, back, options)?;
    // Only transfers both sides govern: each destination inside the other's home.
    c.within_both_scopes();
    let total = c.total()?;

    let requirements = |c: &mut Compared, first: bool| -> Vec<Requirement> {
        let by_outcome = c.by_outcome_within(first);
        let mut out: Vec<Requirement> = by_outcome
            .into_iter()
            .filter(|(_, region)| *region != FALSE)
            .map(|(outcome, region)| {
                let rules = c.deciders(first, &outcome, region);
                Requirement { share: c.share(region, total), outcome, rules }
            })
            .collect();
        out.sort_by(|x, y| y.share.total_cmp(&x.share).then_with(|| x.outcome.cmp(&y.outcome)));
        out
    };
    let forward_req = requirements(&mut c, true);
    let back_req = requirements(&mut c, false);

    let mut joint_regions: BTreeMap<(Outcome, Outcome), NodeId> = BTreeMap::new();
    for pair in c.pairs(&options.accords, false) {
        let acc = joint_regions.entry((pair.accepted_a, pair.accepted_b)).or_insert(FALSE);
        *acc = c.or(*acc, pair.region);
    }
    let mut totals = CorridorTotals { nothing_needed: 0.0, one_mechanism: 0.0, separate: 0.0, blocked: 0.0 };
    let mut joint = Vec::new();
    for ((forward, back), region) in joint_regions {
        let share = c.share(region, total);
        let (both, gap) = meeting_both(&forward, &back, (&labels_a, &labels_b));
        let blocked = [&forward, &back].iter().any(|o| matches!(o.verdict, Verdict::Prohibit | Verdict::Undecided));
        match (&gap, both.is_empty()) {
            _ if blocked => totals.blocked += share,
            (Some(_), _) => totals.separate += share,
            (None, true) => totals.nothing_needed += share,
            (None, false) => totals.one_mechanism += share,
        }
        let witness = c.witness(region);
        let (witness_forward, witness_back) = split_witness(witness, &destination_b);
        joint.push(Joint { forward, back, share, both, gap, witness_forward, witness_back });
    }
    c.finished()?;
    joint.sort_by(|x, y| y.share.total_cmp(&x.share).then_with(|| (&x.forward, &x.back).cmp(&(&y.forward, &y.back))));
    Ok(Corridor {
        format: "accord.corridor/1",
        a: info_a,
        b: info_b,
        accords: options.accords.clone(),
        forward: forward_req,
        back: back_req,
        joint,
        totals,
        weights: c.take_weights(),
    })
}

/// One joint point as two scenarios: the flow there (its own destination) and the flow back
/// (the back destination as `destination`).
fn split_witness(witness: serde_json::Value, destination: &str) -> (serde_json::Value, serde_json::Value) {
    let serde_json::Value::Object(mut forward) = witness else { return (witness.clone(), witness) };
    let mut back = forward.clone();
    forward.remove(BACK_DESTINATION);
    back.remove(destination);
    if let Some(d) = back.remove(BACK_DESTINATION) {
        back.insert(destination.to_owned(), d);
    }
    (serde_json::Value::Object(forward), serde_json::Value::Object(back))
}
