//! Two sides over one common space: their partitions, the compared universe (the restriction,
//! consistent points only), the accords' date segments, the measure, and the pairs of outcomes
//! the sides decide together. Diff, corridor, matrix and inventory read their figures from here.

use super::diff::{Cells, DiffError, Options};
use super::mdd::{FALSE, HashMap, Mdd, NodeId, TRUE};
use super::outcome::{Order, Outcome};
use super::partition::{Decider, Part, partition, plan, window};
use super::regions::Lister;
use super::side::{DATE, Prepared, dates_cell, scope_for};
use super::space::{Space, implications};
use super::weights::Weights;
use crate::compile::accords::Accord;
use crate::table::{Cell, Column, Location, Table, Weight};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A rule that decides (part of) a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// The rule id; `default` for the default, `out_of_scope` outside the regime's scope, and
    /// `gap` where nothing decides.
    pub rule: String,
    /// Its title.
    pub title: String,
    /// Its citations.
    pub cite: Vec<String>,
    /// Where it is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

/// The sides' partitions over a common space: the work every report starts from.
pub(super) struct Compared<'t> {
    pub(super) a: Prepared<'t>,
    pub(super) b: Prepared<'t>,
    pub(super) space: Space,
    pub(super) mdd: Mdd,
    pub(super) weights: Vec<Vec<f64>>,
    /// The measure below each node measured so far, under `weights`.
    pub(super) measured: HashMap<NodeId, f64>,
    /// The compared space (the restriction, or everything), consistent points only.
    pub(super) universe: NodeId,
    /// The points closed under the vocabulary's implications.
    pub(super) consistent: NodeId,
    pub(super) parts_a: Vec<Part>,
    pub(super) parts_b: Vec<Part>,
    /// Date segments with the accords active on each side.
    pub(super) segments: Vec<(NodeId, Vec<usize>, Vec<usize>)>,
    /// The strength order and families of both sides.
    pub(super) order: Order,
    /// The weights each fact of the space is measured with.
    pub(super) weights_used: Vec<Weight>,
    /// A broken invariant met on the way (a region that should hold a transfer and holds
    /// none): the comparison ends as an internal error, never with a placeholder in a report.
    fault: Option<&'static str>,
}

/// The common space of two sides, and how its points weigh.
pub(super) struct Ground {
    pub(super) space: Space,
    /// Each variable's value weights, as running sums ([`Space::cumulative_weights`]).
    pub(super) weights: Vec<Vec<f64>>,
    /// The weights each fact of the space is measured with.
    pub(super) weights_used: Vec<Weight>,
    /// Each accord's scope as each side reads it.
    scopes: Vec<[Option<Vec<Cells>>; 2]>,
}

impl Ground {
    /// The space every cell of both sides, the restriction and the accords is a box in, with
    /// one variable order whichever side is first.
    pub(super) fn new(a: &Prepared, b: &Prepared, options: &Options) -> Result<Ground, DiffError> {
        // Each fact's column once (a column's domain can be hundreds of names).
        let mut columns: Vec<Column> = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for p in [a, b] {
            for (fact, _) in p.all_cells() {
                if seen.insert(fact.as_str()) {
                    columns.extend(p.column(fact));
                }
            }
        }
        // An enum fact a table lists but no compared cell tests (a test found always true, a
        // row that cannot apply from the home) is still asked for by the evaluator: a variable
        // of one class gives every witness a value for it, and changes no share.
        for p in [a, b] {
            for column in p.asked_enums() {
                if seen.insert(column) {
                    columns.extend(p.column(column));
                }
            }
        }
        let mut cells: Vec<(&str, &Cell)> = a.all_cells().chain(b.all_cells()).map(|(f, c)| (f.as_str(), c)).collect();
        for (fact, cell) in &options.given {
            let column = a.side.table.fact(fact).or_else(|| b.side.table.fact(fact));
            let Some(column) = column else {
                let known = a.side.table.vocabulary.iter().chain(&b.side.table.vocabulary).map(|c| c.fact.as_str());
                let suggestion = crate::diagnostics::closest(fact, known).map(str::to_owned);
                return Err(DiffError::UnknownFact { fact: fact.clone(), suggestion });
            };
            columns.push(column.clone());
            cells.push((fact.as_str(), cell));
        }
        // Accord dates split the date fact too, when some side reads every date.
        let accords: Vec<&Accord> = options.accords.iter().collect();
        let dated = !accords.is_empty() && (a.side.date.is_none() || b.side.date.is_none());
        let accord_dates: Vec<Cell> = if dated {
            let date = a.side.table.fact(DATE).or_else(|| b.side.table.fact(DATE));
            columns.extend(date.cloned());
            accords.iter().filter(|accord| !accord.ranges.is_empty()).map(|accord| dates_cell(&accord.ranges)).collect()
        } else {
            Vec::new()
        };
        cells.extend(accord_dates.iter().map(|c| (DATE, c)));
        // Accord scopes, as each side reads them (from its home, a scope's `origin` is that home).
        let scopes: Vec<[Option<Vec<Cells>>; 2]> = accords
            .iter()
            .map(|accord| [scope_for(accord, a, options.reading), scope_for(accord, b, options.reading)])
            .collect();
        for boxes in scopes.iter().flatten().flatten().flatten() {
            for (fact, cell) in boxes {
                if seen.insert(fact.as_str()) {
                    let column = a.column(fact).or_else(|| b.column(fact));
                    columns.extend(column);
                }
                cells.push((fact.as_str(), cell));
            }
        }
        if let Some(facts) = &options.facts {
            for fact in facts {
                let t = [a.side.table, b.side.table];
                if !t.iter().any(|t| t.fact(fact).is_some()) {
                    let known = t.iter().flat_map(|t| t.vocabulary.iter()).map(|c| c.fact.as_str());
                    let suggestion = crate::diagnostics::closest(fact, known).map(str::to_owned);
                    return Err(DiffError::UnknownFact { fact: fact.clone(), suggestion });
                }
            }
        }
        let tables = [a.side.table, b.side.table];
        let declared = Weights::of(&tables, &options.weights)
            .map_err(|c| DiffError::WeightsDiffer { fact: c.fact, regimes: c.regimes })?;
        let weights_used = declared.used(&columns);
        // One variable order whichever side is first: the diagram of a region, and so the boxes
        // it is listed as, depends on the order, and `diff B A` must list `diff A B`'s regions.
        // The vocabulary's order (then the name, for a fact only one side knows): fixed by the
        // vocabulary, so how the rules are written cannot move a region's boxes either.
        let position = |fact: &str| {
            let at = |t: &Table| t.vocabulary.iter().position(|c| c.fact == fact);
            at(a.side.table).into_iter().chain(at(b.side.table)).min().unwrap_or(usize::MAX)
        };
        columns.sort_by(|x, y| position(&x.fact).cmp(&position(&y.fact)).then_with(|| x.fact.cmp(&y.fact)));
        let space = Space::new(columns, &cells, &implications(&tables));
        let weights = space.cumulative_weights(&declared);
        Ok(Ground { space, weights, weights_used, scopes })
    }
}

impl<'t> Compared<'t> {
    pub(super) fn new(a: Prepared<'t>, b: Prepared<'t>, options: &Options) -> Result<Compared<'t>, DiffError> {
        let Ground { space, weights, weights_used, scopes } = Ground::new(&a, &b, options)?;
        let accords: Vec<&Accord> = options.accords.iter().collect();
        let mut mdd = space.mdd();
        // Only consistent points are ever decided, so only they are compared.
        let given = space.row(&mut mdd, &options.given);
        let consistent = space.consistent(&mut mdd);
        let universe = mdd.and(given, consistent);
        let window = window(&space, &mut mdd, plan(&a, &b, options.obligations), universe);
        let parts_a = partition(&space, &mut mdd, &a, options.obligations, &window, true);
        let parts_b = partition(&space, &mut mdd, &b, options.obligations, &window, false);
        if mdd.exhausted() {
            return Err(DiffError::TooIntricate);
        }

        // Segments of the space on which the same accords apply to each side: each accord
        // splits every segment by where it applies to A (its dates, or A's pinned date, and its
        // scope) and where to B.
        let mut segments: Vec<(NodeId, Vec<usize>, Vec<usize>)> = vec![(TRUE, Vec::new(), Vec::new())];
        for (i, accord) in accords.iter().enumerate() {
            let mut region = |p: &Prepared, scope: &Option<Vec<Cells>>| -> NodeId {
                if !accord.accepts.iter().any(|x| x.regime == p.side.table.regime) {
                    return FALSE;
                }
                let dates = match p.side.date {
                    Some(d) if accord.applies_on(d.days()) => TRUE,
                    Some(_) => FALSE,
                    None if accord.ranges.is_empty() => TRUE,
                    None => {
                        let cells: Cells = [(DATE.to_owned(), dates_cell(&accord.ranges))].into_iter().collect();
                        space.row(&mut mdd, &cells)
                    }
                };
                match scope {
                    None => dates,
                    Some(boxes) => {
                        let mut within = FALSE;
                        for cells in boxes {
                            let r = space.row(&mut mdd, cells);
                            within = mdd.or(within, r);
                        }
                        mdd.and(dates, within)
                    }
                }
            };
            #[expect(clippy::indexing_slicing, reason = "one pair of scopes was made for each accord")]
            let [scope_a, scope_b] = scopes[i].clone();
            let (ra, rb) = (region(&a, &scope_a), region(&b, &scope_b));
            let (not_a, not_b) = (mdd.not(ra), mdd.not(rb));
            let mut next = Vec::with_capacity(segments.len() * 2);
            for (segment, on_a, on_b) in segments {
                for (in_a, side_a) in [(true, ra), (false, not_a)] {
                    let part = mdd.and(segment, side_a);
                    if part == FALSE {
                        continue;
                    }
                    for (in_b, side_b) in [(true, rb), (false, not_b)] {
                        let piece = mdd.and(part, side_b);
                        if piece == FALSE {
                            continue;
                        }
                        let with = |list: &Vec<usize>, on: bool| {
                            let mut list = list.clone();
                            if on {
                                list.push(i);
                            }
                            list
                        };
                        next.push((piece, with(&on_a, in_a), with(&on_b, in_b)));
                    }
                }
            }
            segments = next;
        }
        let order = Order::of(&[a.side.table, b.side.table]);
        Ok(Compared {
            a,
            b,
            space,
            mdd,
            weights,
            measured: HashMap::default(),
            universe,
            consistent,
            parts_a,
            parts_b,
            segments,
            order,
            weights_used,
            fault: None,
        })
    }

    /// The measure of the compared space, or an error if it weighs nothing.
    pub(super) fn total(&mut self) -> Result<f64, DiffError> {
        let total = self.measure(self.universe);
        if total > 0.0 { Ok(total) } else { Err(DiffError::Weightless) }
    }

    pub(super) fn measure(&mut self, node: NodeId) -> f64 {
        self.mdd.measure(node, &self.weights, &mut self.measured)
    }

    pub(super) fn share(&mut self, node: NodeId, total: f64) -> f64 {
        if total > 0.0 { self.measure(node) / total } else { 0.0 }
    }

    /// Where a side (A when `first`) decides each outcome: its parts joined by outcome.
    pub(super) fn by_outcome(&mut self, first: bool) -> BTreeMap<Outcome, NodeId> {
        let parts = if first { &self.parts_a } else { &self.parts_b };
        let mut out: BTreeMap<Outcome, NodeId> = BTreeMap::new();
        for p in parts {
            // An outcome is copied for its first part only.
            let acc = match out.get_mut(&p.outcome) {
                Some(acc) => acc,
                None => out.entry(p.outcome.clone()).or_insert(FALSE),
            };
            *acc = self.mdd.or(*acc, p.region);
        }
        out
    }

    /// The parts of a side that decide with `outcome` somewhere in `region`.
    pub(super) fn parts_in(&mut self, first: bool, outcome: &Outcome, region: NodeId) -> Vec<(Decider, NodeId)> {
        let parts = if first { &self.parts_a } else { &self.parts_b };
        let candidates: Vec<(Decider, NodeId)> =
            parts.iter().filter(|p| p.outcome == *outcome).map(|p| (p.decider, p.region)).collect();
        candidates.into_iter().filter(|(_, part)| self.mdd.and(*part, region) != FALSE).collect()
    }

    /// The rules of a side that decide with `outcome` somewhere in `region`.
    pub(super) fn deciders(&mut self, first: bool, outcome: &Outcome, region: NodeId) -> Vec<RuleRef> {
        let candidates = self.parts_in(first, outcome, region);
        self.lister().deciders_among(first, &candidates, region)
    }

    /// What listing a group's regions reads, lent from this comparison.
    pub(super) fn lister(&mut self) -> Lister<'_> {
        Lister {
            space: &self.space,
            mdd: &mut self.mdd,
            consistent: self.consistent,
            weights: &self.weights,
            measured: &mut self.measured,
            tables: [self.a.side.table, self.b.side.table],
            fault: &mut self.fault,
        }
    }
}

pub(super) fn rule_ref(table: &Table, decider: Decider) -> RuleRef {
    match decider {
        Decider::Rule(i) => {
            #[expect(clippy::indexing_slicing, reason = "a part's row index comes from enumerating the table's rows")]
            let row = &table.rows[i];
            RuleRef {
                rule: row.rule.clone(),
                title: row.title.clone(),
                cite: row.cite.clone(),
                location: Some(row.location.clone()),
            }
        }
        Decider::Default if table.default.is_some() => RuleRef {
            rule: "default".into(),
            title: "No rule matches: the default".into(),
            cite: Vec::new(),
            location: None,
        },
        Decider::Default => RuleRef {
            rule: "gap".into(),
            title: "No rule matches and there is no default".into(),
            cite: Vec::new(),
            location: None,
        },
        Decider::OutOfScope => RuleRef {
            rule: "out_of_scope".into(),
            title: format!("Outside the regime's scope (home {})", table.home.join(", ")),
            cite: Vec::new(),
            location: None,
        },
    }
}

/// Where A decides `a` and B decides `b`, inside one date segment of the accords, with the
/// outcomes once the accords active there are read.
pub(super) struct Pair {
    pub(super) a: Outcome,
    pub(super) b: Outcome,
    pub(super) accepted_a: Outcome,
    pub(super) accepted_b: Outcome,
    /// The accords (indices into the options' list) active for A there, and for B.
    pub(super) active_a: Vec<usize>,
    pub(super) active_b: Vec<usize>,
    pub(super) region: NodeId,
}

impl Compared<'_> {
    /// Every pair of outcomes the sides decide together in the compared space, cut by the
    /// accords' segments; with `differing`, only pairs whose outcomes differ before accords.
    pub(super) fn pairs(&mut self, accords: &[Accord], differing: bool) -> Vec<Pair> {
        let (outs_a, outs_b) = (self.by_outcome(true), self.by_outcome(false));
        let (ra, rb) = (self.a.side.table.regime.clone(), self.b.side.table.regime.clone());
        let pick = |active: &[usize]| -> Vec<&Accord> { active.iter().filter_map(|&i| accords.get(i)).collect() };
        let mut pairs = Vec::new();
        for (oa, &region_a) in &outs_a {
            for (ob, &region_b) in &outs_b {
                if differing && oa == ob {
                    continue;
                }
                let both = self.mdd.and(region_a, region_b);
                let both = self.mdd.and(both, self.universe);
                if both == FALSE {
                    continue;
                }
                for (segment, active_a, active_b) in &self.segments {
                    let region = self.mdd.and(both, *segment);
                    if region == FALSE {
                        continue;
                    }
                    pairs.push(Pair {
                        a: oa.clone(),
                        b: ob.clone(),
                        accepted_a: oa.with_accords(&ra, &pick(active_a)),
                        accepted_b: ob.with_accords(&rb, &pick(active_b)),
                        active_a: active_a.clone(),
                        active_b: active_b.clone(),
                        region,
                    });
                }
            }
        }
        pairs
    }

    /// Narrows the compared space to where both sides govern (a corridor's joint flows).
    pub(super) fn within_both_scopes(&mut self) {
        let outside =
            |parts: &[Part]| parts.iter().find(|p| p.outcome == Outcome::out_of_scope()).map_or(FALSE, |p| p.region);
        let (out_a, out_b) = (outside(&self.parts_a), outside(&self.parts_b));
        let out = self.mdd.or(out_a, out_b);
        self.universe = self.mdd.minus(self.universe, out);
    }

    /// A transfer inside `region` (see [`Lister::witness`]); a broken invariant ends the
    /// comparison as an internal error ([`Compared::finished`]).
    pub(super) fn witness(&mut self, region: NodeId) -> serde_json::Value {
        self.lister().witness(region)
    }

    /// Where a side decides each outcome inside the compared space.
    pub(super) fn by_outcome_within(&mut self, first: bool) -> BTreeMap<Outcome, NodeId> {
        let mut by_outcome = self.by_outcome(first);
        for region in by_outcome.values_mut() {
            *region = self.mdd.and(*region, self.universe);
        }
        by_outcome.retain(|_, region| *region != FALSE);
        by_outcome
    }

    /// The union of two regions.
    pub(super) fn or(&mut self, x: NodeId, y: NodeId) -> NodeId {
        self.mdd.or(x, y)
    }

    /// Whether the figures can be trusted: not if the diagram outgrew its budget (the question
    /// is too intricate), nor if an invariant broke (a bug, to report).
    pub(super) fn finished(&self) -> Result<(), DiffError> {
        if self.mdd.exhausted() {
            return Err(DiffError::TooIntricate);
        }
        match self.fault {
            Some(what) => Err(DiffError::Internal(what.to_owned())),
            None => Ok(()),
        }
    }

    /// The weights every share was measured with, taken out for the report.
    pub(super) fn take_weights(&mut self) -> Vec<Weight> {
        std::mem::take(&mut self.weights_used)
    }
}
