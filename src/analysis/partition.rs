//! One side as a partition of the common space: the region each rule decides (first match, so a
//! rule's part is its condition minus everything earlier), the default's or the gap's part, and
//! the part out of scope; split, when obligations are compared, by the obligations that apply.
//! Verify, diff, corridor, matrix and inventory all read sides this way.

use super::diff::Cells;
use super::mdd::{FALSE, Mdd, NodeId};
use super::outcome::Outcome;
use super::side::Prepared;
use super::space::Space;
use crate::table::{Cell, Met, Outcome as TableOutcome};
use std::collections::{BTreeMap, BTreeSet};

/// What decided a part of a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decider {
    OutOfScope,
    /// The rule of this verdict row (its first row).
    Rule(usize),
    Default,
}

/// A region one side decides one way, for one reason.
#[derive(Debug, Clone)]
pub(super) struct Part {
    pub(super) decider: Decider,
    pub(super) obligations: Vec<usize>,
    pub(super) outcome: Outcome,
    pub(super) region: NodeId,
}

/// A side's verdict rules as the cells of their rows and their outcome, in order: two sides
/// with equal lists decide alike wherever these rules decide, whatever the rules are called.
/// With `met`, a rule whose requirement facts can meet has a group for each way they meet it
/// (obligations `upon` an alternative depend on it); without, its rows of one outcome are one
/// group, whatever order the alternatives, and so those rows, were written in.
pub(super) fn rule_groups<'p>(p: &'p Prepared, met: bool) -> Vec<RuleGroup<'p>> {
    let table = p.side.table;
    let mut groups: Vec<RuleGroup> = Vec::new();
    let mut last = None;
    for (i, cells) in &p.rows {
        let row = table.rows.get(*i);
        let key = row.map(|r| (r.rule.as_str(), &r.outcome, if met { r.met.as_ref() } else { None }));
        match groups.last_mut() {
            Some(group) if key == last => group.rows.push(cells.as_ref()),
            _ => groups.push(RuleGroup {
                rule: row.map_or("", |r| r.rule.as_str()),
                rows: vec![cells.as_ref()],
                outcome: Outcome::of(row.map(|r| &r.outcome)),
                met: if met { row.and_then(|r| r.met.as_ref()) } else { None },
            }),
        }
        last = key;
    }
    groups
}

/// A run of rows of one rule deciding alike: their cells, the outcome, and what met it.
pub(super) struct RuleGroup<'p> {
    /// The rule's id: groups of one rule sit together (equality does not look at it).
    rule: &'p str,
    rows: Vec<&'p Cells>,
    outcome: Outcome,
    met: Option<&'p Met>,
}

impl PartialEq for RuleGroup<'_> {
    /// The same rows in any order (together they are one region), outcome and way met.
    fn eq(&self, other: &Self) -> bool {
        self.outcome == other.outcome
            && self.met == other.met
            && self.rows.len() == other.rows.len()
            && self.rows.iter().all(|r| other.rows.contains(r))
            && other.rows.iter().all(|r| self.rows.contains(r))
    }
}

/// Where two sides can decide differently, and what a partition may leave out there.
pub(super) struct Window<'p> {
    region: NodeId,
    /// `None` when the window is everywhere.
    focus: Option<Focus<'p>>,
}

/// Where two sides can decide differently, read from their rows alone.
pub(super) enum Plan<'p> {
    /// Anywhere.
    Everywhere,
    /// Nowhere: the rules that differ are the same rules in an order that changes nothing.
    Nowhere,
    /// Only where the changed rows apply and the common rows before them do not.
    Focus(Focus<'p>),
}

/// The rows that make a window up, the common rows before them, and how many rows of each
/// side come before them.
pub(super) struct Focus<'p> {
    pub(super) changed: Vec<&'p Cells>,
    /// The common rows before the changed ones that meet one of them, in order.
    pub(super) earlier: Vec<&'p Cells>,
    pub(super) before_a: usize,
    pub(super) before_b: usize,
}

impl Focus<'_> {
    /// Whether a row can decide anywhere in the window: its box meets a changed row's. A row
    /// that meets none decides nothing there and narrows nothing, so it need not be built.
    fn may_meet(&self, cells: &Cells) -> bool {
        self.changed.iter().any(|c| cells_meet(c, cells))
    }
}

/// Where two sides can decide differently at all. When they share their scope, default and
/// (if compared) obligations, and their rules differ only in a middle stretch (an edited rule,
/// a new version of a few provisions), a point decided by the common rules before it, or by
/// none of the changed rules, is decided alike: only the changed rules' regions, minus what the
/// common rules before them decide, need comparing. Otherwise, everywhere.
pub(super) fn plan<'p>(a: &'p Prepared, b: &'p Prepared, obligations: bool) -> Plan<'p> {
    let default = |p: &Prepared| Outcome::of(p.side.table.default.as_ref());
    /// Each obligation row as (obligation, `upon`, cells).
    fn named<'p>(p: &'p Prepared) -> Vec<(&'p str, &'p [String], &'p Cells)> {
        let table = p.side.table;
        p.obligations
            .iter()
            .filter_map(|(i, c)| {
                table.obligations.get(*i).map(|o| (o.obligation.as_str(), o.upon.as_slice(), c.as_ref()))
            })
            .collect()
    }
    if a.scope != b.scope || default(a) != default(b) || (obligations && named(a) != named(b)) {
        return Plan::Everywhere;
    }
    let (ga, gb) = (rule_groups(a, obligations), rule_groups(b, obligations));
    let prefix = ga.iter().zip(&gb).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (ga.get(prefix..).unwrap_or_default(), gb.get(prefix..).unwrap_or_default());
    let suffix = rest_a.iter().rev().zip(rest_b.iter().rev()).take_while(|(x, y)| x == y).count();
    let changed_a = rest_a.get(..rest_a.len() - suffix).unwrap_or_default();
    let changed_b = rest_b.get(..rest_b.len() - suffix).unwrap_or_default();
    if reordered_alike(changed_a, changed_b) {
        return Plan::Nowhere;
    }
    let changed: Vec<&Cells> = changed_a.iter().chain(changed_b).flat_map(|g| g.rows.iter().copied()).collect();
    let before = |groups: &[RuleGroup]| groups.iter().take(prefix).map(|g| g.rows.len()).sum();
    let earlier: Vec<&Cells> = ga
        .get(..prefix)
        .unwrap_or_default()
        .iter()
        .flat_map(|g| g.rows.iter().copied())
        .filter(|cells| changed.iter().any(|c| cells_meet(c, cells)))
        .collect();
    Plan::Focus(Focus { changed, earlier, before_a: before(&ga), before_b: before(&gb) })
}

/// The window of a plan, inside `within` (the compared transfers: those `--given`, consistent
/// ones; the earlier rules are subtracted inside them alone).
pub(super) fn window<'p>(space: &Space, mdd: &mut Mdd, plan: Plan<'p>, within: NodeId) -> Window<'p> {
    let focus = match plan {
        Plan::Everywhere => return Window { region: within, focus: None },
        Plan::Nowhere => {
            let none = Focus { changed: Vec::new(), earlier: Vec::new(), before_a: 0, before_b: 0 };
            return Window { region: FALSE, focus: Some(none) };
        }
        Plan::Focus(focus) => focus,
    };
    let mut window = FALSE;
    for cells in &focus.changed {
        let r = space.row(mdd, cells);
        window = mdd.or(window, r);
    }
    window = mdd.and(window, within);
    // Minus the common rules before: one rule at a time, inside the window, so the diagram
    // never holds the union of every earlier rule; rows that miss every changed row are
    // already left out.
    for cells in &focus.earlier {
        if window == FALSE {
            break;
        }
        let r = space.row(mdd, cells);
        if mdd.and(window, r) != FALSE {
            window = mdd.minus(window, r);
        }
    }
    Window { region: window, focus: Some(focus) }
}

/// Whether `b` is `a` with its rules in another order that changes no decision: each rule of
/// one decides as a rule of the other, and every two rules that swapped places commute. Two
/// rules commute when no transfer meets both, or when they decide alike wherever both apply:
/// the same outcomes in the same order, which is what a requirement fixes (first the ways facts
/// meet it, then the requirement itself). Sorting `b` into `a`'s order by swapping neighbours
/// that are out of order only ever swaps such a pair, and swapping two that commute changes no
/// point's decision. Found from the cells alone, so reordering a thousand rules is proved
/// harmless without a diagram.
fn reordered_alike<'p>(a: &[RuleGroup<'p>], b: &[RuleGroup<'p>]) -> bool {
    /// The groups of each rule.
    fn rules<'g, 'p>(groups: &'g [RuleGroup<'p>]) -> Vec<&'g [RuleGroup<'p>]> {
        groups.chunk_by(|x, y| x.rule == y.rule).collect()
    }
    /// How many groups and rows over which facts: equal rules have equal signatures.
    fn signature<'p>(rule: &[RuleGroup<'p>]) -> (usize, usize, BTreeSet<&'p str>) {
        let rows = rule.iter().flat_map(|g| g.rows.iter().copied());
        let facts = rows.clone().flat_map(|cells| cells.keys().map(String::as_str)).collect();
        (rule.len(), rows.count(), facts)
    }
    let (ra, rb) = (rules(a), rules(b));
    if ra.len() != rb.len() || ra.is_empty() {
        return false;
    }
    // Where each rule of `a` sits in `b` (equal rules in either order commute), looked up
    // among the rules of `b` with the same signature.
    let mut unmatched: BTreeMap<(usize, usize, BTreeSet<&str>), Vec<usize>> = BTreeMap::new();
    for (j, rule) in rb.iter().enumerate().rev() {
        unmatched.entry(signature(rule)).or_default().push(j);
    }
    let mut at: Vec<usize> = Vec::with_capacity(ra.len());
    for rule in &ra {
        let Some(candidates) = unmatched.get_mut(&signature(rule)) else { return false };
        // The earliest equal one (candidates are kept latest first).
        let Some(k) = candidates.iter().rposition(|&j| rb.get(j) == Some(rule)) else { return false };
        at.push(candidates.remove(k));
    }
    // Each rule of `a` with all its rows, gathered once: the pairs below are many.
    let rules_a: Vec<(&[RuleGroup<'p>], Vec<&Cells>)> =
        ra.iter().map(|rule| (*rule, rule.iter().flat_map(|g| g.rows.iter().copied()).collect())).collect();
    let commute = |(x, rx): &(&[RuleGroup<'p>], Vec<&Cells>), (y, ry): &(&[RuleGroup<'p>], Vec<&Cells>)| {
        let alike = x.len() == y.len() && x.iter().zip(*y).all(|(g, h)| g.outcome == h.outcome && g.met == h.met);
        alike || rx.iter().all(|r| ry.iter().all(|s| !cells_meet(r, s)))
    };
    rules_a
        .iter()
        .zip(&at)
        .enumerate()
        .all(|(i, (x, &jx))| rules_a.iter().zip(&at).skip(i + 1).all(|(y, &jy)| jy > jx || commute(x, y)))
}

/// Whether two rows' boxes share a point, read from their cells (a fact only one tests
/// constrains nothing in the other).
pub(super) fn cells_meet(a: &Cells, b: &Cells) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().all(|(fact, x)| large.get(fact).is_none_or(|y| cell_meets(x, y)))
}

fn cell_meets(x: &Cell, y: &Cell) -> bool {
    match (x, y) {
        (Cell::Bool { is: p }, Cell::Bool { is: q }) => p == q,
        (Cell::Enum { members: m }, Cell::Enum { members: n }) => {
            if m.len().saturating_mul(n.len()) <= 256 {
                m.iter().any(|v| n.contains(v))
            } else {
                let n: BTreeSet<&str> = n.iter().map(|v| &**v).collect();
                m.iter().any(|v| n.contains(&**v))
            }
        }
        (Cell::Set { has: h1, lacks: l1 }, Cell::Set { has: h2, lacks: l2 }) => {
            !h1.iter().any(|h| l2.contains(h)) && !h2.iter().any(|h| l1.contains(h))
        }
        (Cell::Counts { .. } | Cell::Dates { .. }, Cell::Counts { .. } | Cell::Dates { .. }) => {
            // Two half-open ranges meet when the later start is before the earlier end (`None`
            // is unbounded: below every start, above every end).
            let ys = y.ranges();
            x.ranges().iter().any(|&(l1, h1)| {
                ys.iter().any(|&(l2, h2)| {
                    let end = match (h1, h2) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    end.is_none_or(|end| l1.max(l2).is_none_or(|start| start < end))
                })
            })
        }
        _ => true,
    }
}

/// A side as disjoint parts covering the window, each decided one way for one reason.
pub(super) fn partition(
    space: &Space,
    mdd: &mut Mdd,
    p: &Prepared,
    obligations: bool,
    window: &Window,
    first: bool,
) -> Vec<Part> {
    let table = p.side.table;
    // Inside a focused window, the common rules before it decide nothing (the window is what
    // they leave), and rows that meet no changed row decide nothing either.
    let (skip, focus) = match &window.focus {
        Some(f) => (if first { f.before_a } else { f.before_b }, Some(f)),
        None => (0, None),
    };
    let window = window.region;
    let scope = space.row(mdd, &p.scope);
    let scope = mdd.and(scope, window);
    let mut parts = Vec::new();
    let outside = mdd.minus(window, scope);
    if outside != FALSE {
        parts.push(Part {
            decider: Decider::OutOfScope,
            obligations: Vec::new(),
            outcome: Outcome::out_of_scope(),
            region: outside,
        });
    }
    let mut remaining = scope;
    let mut k = skip;
    let row = |mdd: &mut Mdd, cells: &Cells| match focus {
        Some(f) if !f.may_meet(cells) => FALSE,
        _ => space.row(mdd, cells),
    };
    while let Some((first, cells)) = p.rows.get(k) {
        // Adjacent rows of one rule and one outcome (a rule whose requirement facts can meet
        // has rows of two outcomes) make one part.
        // What met the requirement is part of the key: obligations `upon` it depend on it.
        let key = table.rows.get(*first).map(|r| (r.rule.as_str(), &r.outcome, &r.met));
        let mut region = row(mdd, cells);
        k += 1;
        while let Some((i, cells)) = p.rows.get(k) {
            if table.rows.get(*i).map(|r| (r.rule.as_str(), &r.outcome, &r.met)) != key {
                break;
            }
            let r = row(mdd, cells);
            region = mdd.or(region, r);
            k += 1;
        }
        if region == FALSE {
            continue;
        }
        let decided = mdd.and(region, remaining);
        if decided != FALSE {
            let outcome = Outcome::of(table.rows.get(*first).map(|r| &r.outcome));
            parts.push(Part { decider: Decider::Rule(*first), obligations: Vec::new(), outcome, region: decided });
            // `remaining` minus the rule's own region, not minus `decided`: the same set, but
            // the complement of one rule's boxes is small, while that of `decided` grows with
            // everything decided so far.
            remaining = mdd.minus(remaining, region);
        }
    }
    if remaining != FALSE {
        let outcome = Outcome::of(table.default.as_ref());
        parts.push(Part { decider: Decider::Default, obligations: Vec::new(), outcome, region: remaining });
    }
    if !obligations {
        return parts;
    }
    // Each obligation splits every in-scope part into where it applies and where it does not.
    let name = |i: usize| table.obligations.get(i).map(|o| o.obligation.as_str());
    let rows = p.obligations.iter().map(|(i, cells)| (*i, cells.as_ref()));
    for (i, region) in joined(space, mdd, rows, |x, y| name(*x) == name(*y)) {
        let applies = mdd.and(region, scope);
        let mut next = Vec::with_capacity(parts.len());
        for part in parts {
            if part.decider == Decider::OutOfScope {
                next.push(part);
                continue;
            }
            let with = mdd.and(part.region, applies);
            let without = mdd.minus(part.region, applies);
            if with != FALSE {
                let mut obligations = part.obligations.clone();
                obligations.push(i);
                next.push(Part { obligations, region: with, ..part.clone() });
            }
            if without != FALSE {
                next.push(Part { region: without, ..part });
            }
        }
        parts = next;
    }
    for part in &mut parts {
        // What met the rule's requirement, where facts did: obligations `upon` it come. And
        // the requirement as written (the canonical form may drop an alternative an
        // obligation comes upon), as the evaluator reads it.
        let row = match part.decider {
            Decider::Rule(r) => table.rows.get(r),
            _ => None,
        };
        let met: &[String] = row.and_then(|row| row.met.as_ref()).map_or(&[], |m| m.by.as_slice());
        let written = match part.decider {
            Decider::Rule(_) => row.map(|row| &row.outcome),
            Decider::Default => table.default.as_ref(),
            Decider::OutOfScope => None,
        };
        let require: &[Vec<String>] = match written {
            Some(TableOutcome::Require { require, .. }) => require.as_slice(),
            _ => &[],
        };
        let mut definite: BTreeSet<String> = BTreeSet::new();
        let mut chosen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in part.obligations.iter().filter_map(|&i| table.obligations.get(i)) {
            if row.upon.is_empty() || row.upon.iter().any(|m| met.contains(m)) {
                definite.insert(row.obligation.clone());
                continue;
            }
            for m in row.upon.iter().filter(|m| require.iter().any(|g| g.contains(m))) {
                chosen.entry(m.clone()).or_default().insert(row.obligation.clone());
            }
        }
        part.outcome.if_chosen = chosen
            .into_iter()
            .map(|(m, names)| (m, names.into_iter().filter(|o| !definite.contains(o)).collect::<Vec<_>>()))
            .filter(|(_, names)| !names.is_empty())
            .collect();
        part.outcome.obligations = Some(definite.into_iter().collect());
    }
    parts
}

/// The region of each run of adjacent rows that `same` puts together (a rule's rows, an
/// obligation's), with the key of its first row, in order.
pub(super) fn joined<'c, K>(
    space: &Space,
    mdd: &mut Mdd,
    rows: impl Iterator<Item = (K, &'c Cells)>,
    same: impl Fn(&K, &K) -> bool,
) -> Vec<(K, NodeId)> {
    let mut out: Vec<(K, NodeId)> = Vec::new();
    for (key, cells) in rows {
        let region = space.row(mdd, cells);
        match out.last_mut() {
            Some((last, acc)) if same(last, &key) => *acc = mdd.or(*acc, region),
            _ => out.push((key, region)),
        }
    }
    out
}
