//! Exact verification of one table: gaps, rules that can never fire, obligations that never
//! apply, and rules with the same condition. Nothing is sampled: a finding holds for every
//! transfer, and no finding means none exists.
//!
//! Two engines answer the same questions. Decision diagrams of the union of the rules so far
//! are fast for regimes shaped like the standard ones, and for rules on many bands of a count;
//! for many rules over unrelated facts that union grows exponentially. Clauses ask one small
//! satisfiability question per rule instead ("does a point of this rule lie outside every
//! earlier rule?"), fast where diagrams blow up, slow on thousands of bands. So each engine
//! runs in turn with a small budget, then each with a large one (see [`verify`]); only when
//! both large budgets run out is a regime reported as too intricate. Each engine finds
//! minimal covers of dead rules its own way.

use super::diff::Cells;
use super::mdd::{FALSE, HashMap as NodeMap, Mdd, NODE_BUDGET, NodeId};
pub use super::overlap::{OVERLAP_STEPS, Overlap, overlaps};
use super::partition::joined;
use super::sat::{Boxes, Model};
use super::space::{Space, scope_cells};
use crate::InternalError;
use crate::check::ir;
use crate::diagnostics::{Code, Diagnostic};
use crate::table::Table;
use batsat::Lit;
use std::collections::HashMap;

/// Something `accord check` warns about in a regime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// With no `default`, some transfers in scope match no rule.
    Gap {
        /// One such transfer, as a scenario.
        witness: serde_json::Value,
    },
    /// A rule that no transfer in scope can reach.
    DeadRule {
        /// The rule.
        rule: String,
        /// Earlier rules that together cover its condition, and no fewer of them would (empty
        /// when the condition can never hold in scope by itself); at most [`NAMED`] of them.
        covered_by: Vec<String>,
        /// Whether the cover has more rules than those named.
        more: bool,
    },
    /// An obligation whose condition never holds for a transfer in scope.
    NeverApplies {
        /// The obligation.
        obligation: String,
    },
    /// The diagrams outgrew [`NODE_BUDGET`] nodes and the clauses took more than
    /// [`PROPAGATION_BUDGET`] propagations: nothing was verified.
    TooIntricate,
    /// A `default` that no transfer in scope reaches: the rules decide every one.
    UnreachableDefault {
        /// Rules that together decide every transfer in scope, none of which the others could
        /// do without (empty when nothing is in scope); at most [`NAMED`] of them.
        covered_by: Vec<String>,
        /// Whether the cover has more rules than those named.
        more: bool,
    },
    /// A rule whose condition is exactly an earlier rule's.
    SameCondition {
        /// The later rule.
        rule: String,
        /// The earlier one.
        earlier: String,
    },
    /// An earlier rule that decides some of a later rule's transfers otherwise (found by
    /// [`verify_regime`] only).
    Overlap(Overlap),
    /// The search for overlaps ran out of its budget (see [`overlaps`]): none is reported
    /// (found by [`verify_regime`] only).
    OverlapsUnchecked,
}

/// How many covering rules a dead-rule finding names; a rule shadowed by hundreds would
/// otherwise make a report that grows with the square of the regime.
pub const NAMED: usize = 5;

/// The most diagram nodes the first attempt builds before clauses are asked. The standard
/// regimes need under 4,000, the front-end bench's 10,000 generated rules 291,000; reaching
/// the budget takes about 0.15 s. A regime that needs more is usually one of many rules over
/// unrelated facts, where clauses answer in a tenth of a second what diagrams would take
/// seconds to refuse.
pub const DIAGRAM_BUDGET: usize = 500_000;

/// The most propagations the first attempt with clauses makes (about 0.4 s) before diagrams
/// get their full [`NODE_BUDGET`].
pub const CLAUSE_BUDGET: u64 = 10_000_000;

/// The most propagations the last attempt with clauses makes (about 20 s).
pub const PROPAGATION_BUDGET: u64 = 500_000_000;

/// How verification answers its questions (see the module's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    /// Decision diagrams of the union of the rules so far, within [`NODE_BUDGET`] nodes.
    Diagrams,
    /// One satisfiability question per rule, within [`PROPAGATION_BUDGET`] propagations.
    Clauses,
}

/// Verifies a regime's table, and finds where rules overlap with different outcomes
/// ([`overlaps`]). A rule or obligation whose condition can never hold compiles to no rows at
/// all, so only the regime knows of it: it is reported here too.
pub fn verify_regime(table: &Table, regime: &ir::Regime) -> Result<Vec<Finding>, InternalError> {
    let (mut findings, attempt) = attempted(table)?;
    if findings == [Finding::TooIntricate] {
        return Ok(findings);
    }
    // The search for overlaps builds diagrams within the first attempt's budget: where that
    // attempt ran out, so would the search, after as long.
    match if attempt == 0 { overlaps(table)? } else { None } {
        Some(found) => findings.extend(found.into_iter().map(Finding::Overlap)),
        None => findings.push(Finding::OverlapsUnchecked),
    }
    // Sets, not a search per rule: a regime of 200,000 rules would make that quadratic.
    let with_rows: std::collections::HashSet<&str> = table.rows.iter().map(|r| r.rule.as_str()).collect();
    for rule in regime.rules.iter().filter(|r| !with_rows.contains(r.id.as_str())) {
        findings.push(Finding::DeadRule { rule: rule.id.clone(), covered_by: Vec::new(), more: false });
    }
    let applying: std::collections::HashSet<&str> = table.obligations.iter().map(|o| o.obligation.as_str()).collect();
    for obligation in regime.obligations.iter().filter(|o| !applying.contains(o.id.as_str())) {
        findings.push(Finding::NeverApplies { obligation: obligation.id.clone() });
    }
    Ok(findings)
}

/// The findings on `regime` as diagnostics on its source. Overlaps are one note per later
/// rule, leaving out the earlier rules it yields to; a rule it yields to that decides none of
/// its transfers otherwise is a warning.
pub fn diagnostics(findings: &[Finding], regime: &ir::Regime) -> Vec<Diagnostic> {
    let spans: HashMap<&str, crate::source::Span> = regime.rules.iter().map(|r| (r.id.as_str(), r.name_span)).collect();
    let obligations: HashMap<&str, crate::source::Span> =
        regime.obligations.iter().map(|o| (o.id.as_str(), o.name_span)).collect();
    let mut out: Vec<Diagnostic> = findings
        .iter()
        .filter(|f| !matches!(f, Finding::Overlap(_)))
        .map(|f| f.to_diagnostic(regime, &spans, &obligations))
        .collect();
    if findings.contains(&Finding::OverlapsUnchecked) {
        return out;
    }
    let never_decides = |id: &str| {
        findings
            .iter()
            .any(|f| matches!(f, Finding::DeadRule { rule, .. } | Finding::SameCondition { rule, .. } if rule == id))
    };
    let rule_span = |id: &str| spans.get(id).copied().unwrap_or(regime.name_span);
    for rule in regime.rules.iter().filter(|r| !never_decides(&r.id)) {
        let pairs: Vec<&Overlap> = findings
            .iter()
            .filter_map(|f| match f {
                Finding::Overlap(o) if o.rule == rule.id => Some(o),
                _ => None,
            })
            .collect();
        let noted: Vec<&Overlap> =
            pairs.iter().copied().filter(|o| !rule.yields.iter().any(|y| y.rule == o.earlier)).collect();
        if let Some(d) = overlap_note(rule, &noted, &rule_span) {
            out.push(d);
        }
        let needless: Vec<&ir::YieldsTo> =
            rule.yields.iter().filter(|y| !pairs.iter().any(|o| o.earlier == y.rule)).collect();
        if let Some(d) = needless_yields(rule, &needless) {
            out.push(d);
        }
    }
    out
}

/// The note on `rule` for the earlier rules in `noted` (none: no note).
fn overlap_note(
    rule: &ir::Rule,
    noted: &[&Overlap],
    rule_span: &dyn Fn(&str) -> crate::source::Span,
) -> Option<Diagnostic> {
    let first = noted.first()?;
    let names: Vec<String> = noted.iter().map(|o| o.earlier.clone()).collect();
    let message = match noted {
        [_] => format!("earlier rule `{}` decides some of rule `{}`'s transfers otherwise", first.earlier, rule.id),
        _ => format!("earlier rules {} decide some of rule `{}`'s transfers otherwise", listed(&names, false), rule.id),
    };
    let d = Diagnostic::info(Code::Overlap, message, rule.name_span, "matches them too");
    let d = noted.iter().fold(d, |d, o| {
        d.with_label(rule_span(&o.earlier), "decides first").with_note(format!(
            "`{}` gives {} where `{}` would give {}, for example: {}",
            o.earlier, o.decided, rule.id, o.instead, o.witness
        ))
    });
    let mut all: Vec<&str> = rule.yields.iter().map(|y| y.rule.as_str()).collect();
    all.extend(names.iter().map(String::as_str));
    Some(d.with_help(format!(
        "rules are tried in order, so this is how an exception is written before its rule; if it is meant, say so on `{}` with `yields to {}`",
        rule.id,
        all.join(", ")
    )))
}

/// The warning on `rule` for the rules in `needless`, which it yields to but which decide none
/// of its transfers otherwise (none: no warning). Its fix rewrites the clause without them.
fn needless_yields(rule: &ir::Rule, needless: &[&ir::YieldsTo]) -> Option<Diagnostic> {
    let first = needless.first()?;
    let names: Vec<String> = needless.iter().map(|y| y.rule.clone()).collect();
    let message = match needless {
        [_] => format!("rule `{}` yields to `{}`, which decides none of its transfers otherwise", rule.id, first.rule),
        _ => format!(
            "rule `{}` yields to {}, which decide none of its transfers otherwise",
            rule.id,
            listed(&names, false)
        ),
    };
    let d = needless
        .iter()
        .skip(1)
        .fold(Diagnostic::warning(Code::NeedlessYields, message, first.span, "nothing to yield"), |d, y| {
            d.with_label(y.span, "nothing to yield")
        });
    let kept: Vec<&str> = rule.yields.iter().filter(|y| !names.contains(&y.rule)).map(|y| y.rule.as_str()).collect();
    let d = match rule.yields_span {
        Some(span) if kept.is_empty() => d.with_fix(span, ""),
        Some(span) => d.with_fix(span, format!("yields to {}", kept.join(", "))),
        None => d,
    };
    Some(d.with_help("it never decides a transfer this rule matches with another outcome: remove it from the list"))
}

/// Verifies one table: diagrams within [`DIAGRAM_BUDGET`] nodes, then clauses within
/// [`CLAUSE_BUDGET`] propagations, then diagrams within [`NODE_BUDGET`], then clauses within
/// [`PROPAGATION_BUDGET`]; the first to finish answers.
pub fn verify(table: &Table) -> Result<Vec<Finding>, InternalError> {
    Ok(attempted(table)?.0)
}

/// [`verify`]'s findings, and which of its attempts gave them (0 to 3; 4 when none did).
fn attempted(table: &Table) -> Result<(Vec<Finding>, usize), InternalError> {
    let attempts: [&dyn Fn() -> Result<Vec<Finding>, Stop>; 4] = [
        &|| by_diagrams(table, DIAGRAM_BUDGET),
        &|| by_clauses(table, CLAUSE_BUDGET),
        &|| by_diagrams(table, NODE_BUDGET),
        &|| by_clauses(table, PROPAGATION_BUDGET),
    ];
    for (n, attempt) in attempts.iter().enumerate() {
        if let Some(findings) = finished(attempt())? {
            return Ok((findings, n));
        }
    }
    Ok((vec![Finding::TooIntricate], attempts.len()))
}

/// Verifies one table with one engine and its largest budget; `None` when it runs out. Both
/// engines give the same findings wherever both finish (a gap's witness and a dead rule's
/// cover may differ: each is minimal).
pub fn verify_by(table: &Table, engine: Engine) -> Result<Option<Vec<Finding>>, InternalError> {
    finished(match engine {
        Engine::Diagrams => by_diagrams(table, NODE_BUDGET),
        Engine::Clauses => by_clauses(table, PROPAGATION_BUDGET),
    })
}

fn finished(attempt: Result<Vec<Finding>, Stop>) -> Result<Option<Vec<Finding>>, InternalError> {
    match attempt {
        Ok(findings) => Ok(Some(findings)),
        Err(Stop::Budget) => Ok(None),
        Err(Stop::Fault(what)) => Err(InternalError(format!("verification: {what}"))),
    }
}

/// Why an engine stopped without its findings.
enum Stop {
    /// Its budget ran out.
    Budget,
    /// A broken invariant.
    Fault(&'static str),
}

/// Rows as runs of adjacent rows with one id (a rule's, an obligation's): the id and the
/// rows' cells.
fn runs<'t>(rows: impl Iterator<Item = (&'t str, &'t Cells)>) -> Vec<(&'t str, Vec<&'t Cells>)> {
    let mut runs: Vec<(&str, Vec<&Cells>)> = Vec::new();
    for (id, cells) in rows {
        match runs.last_mut() {
            Some((last, all)) if *last == id => all.push(cells),
            _ => runs.push((id, vec![cells])),
        }
    }
    runs
}

/// The rules of a table, as [`runs`] of its rows.
fn rules(table: &Table) -> Vec<(&str, Vec<&Cells>)> {
    runs(table.rows.iter().map(|r| (r.rule.as_str(), &r.cells)))
}

/// Each rule's region (the union of its rows).
fn regions(space: &Space, mdd: &mut Mdd, rules: &[(&str, Vec<&Cells>)]) -> Vec<NodeId> {
    rules
        .iter()
        .map(|(_, rows)| {
            let mut region = FALSE;
            for cells in rows {
                let r = space.row(mdd, cells);
                region = mdd.or(region, r);
            }
            region
        })
        .collect()
}

/// For each rule, the first earlier rule with the same region: a region is one node, so equal
/// conditions are equal ids. One rule's region is small in any variable order.
fn same_conditions(rules: &[(&str, Vec<&Cells>)], regions: &[NodeId]) -> Vec<Option<String>> {
    let mut first_with: NodeMap<NodeId, &str> = NodeMap::default();
    let mut same = Vec::with_capacity(rules.len());
    for ((rule, _), region) in rules.iter().zip(regions) {
        same.push(first_with.get(region).map(|earlier| (*earlier).to_owned()));
        first_with.entry(*region).or_insert(rule);
    }
    same
}

/// Verifies one table with at most `budget` diagram nodes; `Stop::Budget` when they run out.
fn by_diagrams(table: &Table, budget: usize) -> Result<Vec<Finding>, Stop> {
    let space = Space::of(table);
    let mut mdd = space.mdd().with_budget(budget);
    let scope = space.decided_by(&mut mdd, table);
    let rules = rules(table);
    let regions_of = regions(&space, &mut mdd, &rules);
    let same = same_conditions(&rules, &regions_of);
    let mut findings = Vec::new();
    let mut covered = FALSE;
    // Each rule's region in scope, for covers.
    let mut regions: Vec<NodeId> = Vec::with_capacity(rules.len());
    for ((rule, _), (&region, same)) in rules.iter().zip(regions_of.iter().zip(same)) {
        let in_scope = mdd.and(region, scope);
        let reachable = mdd.minus(in_scope, covered);
        if let Some(earlier) = same {
            // Said more precisely than "dead", which it also is.
            findings.push(Finding::SameCondition { rule: (*rule).to_owned(), earlier });
        } else if reachable == FALSE && !mdd.exhausted() {
            let cover = diagram_cover(&mut mdd, in_scope, &regions)?;
            findings.push(dead(rule, cover.iter().filter_map(|&j| rules.get(j).map(|r| r.0))));
        }
        regions.push(in_scope);
        covered = mdd.or(covered, in_scope);
    }
    let gap = mdd.minus(scope, covered);
    match (&table.default, mdd.witness(gap)) {
        (None, Some(point)) => findings.push(Finding::Gap { witness: space.scenario(&point) }),
        (Some(_), None) if !mdd.exhausted() => {
            let cover = diagram_cover(&mut mdd, scope, &regions)?;
            findings.push(unreachable_default(cover.iter().filter_map(|&j| rules.get(j).map(|r| r.0))));
        }
        _ => {}
    }
    let rows = table.obligations.iter().map(|o| (o.obligation.clone(), &o.cells));
    let obligations = joined(&space, &mut mdd, rows, String::eq);
    for (obligation, region) in obligations {
        if mdd.and(region, scope) == FALSE {
            findings.push(Finding::NeverApplies { obligation });
        }
    }
    // What was found with a spent budget is meaningless.
    if mdd.exhausted() { Err(Stop::Budget) } else { Ok(findings) }
}

/// A cover's rules as a finding names them: at most [`NAMED`], and whether there are more.
fn named<'r>(cover: impl Iterator<Item = &'r str>) -> (Vec<String>, bool) {
    let mut covered_by: Vec<String> = cover.map(str::to_owned).collect();
    let more = covered_by.len() > NAMED;
    covered_by.truncate(NAMED);
    (covered_by, more)
}

/// The finding for an unreachable default and the rules that cover the scope, in order.
fn unreachable_default<'r>(cover: impl Iterator<Item = &'r str>) -> Finding {
    let (covered_by, more) = named(cover);
    Finding::UnreachableDefault { covered_by, more }
}

/// The finding for a dead rule and the earlier rules that cover it, in order.
fn dead<'r>(rule: &str, cover: impl Iterator<Item = &'r str>) -> Finding {
    let (covered_by, more) = named(cover);
    Finding::DeadRule { rule: rule.to_owned(), covered_by, more }
}

/// A cover of `region` by the earlier rules' `regions`, none of which it can do without (the
/// indices, in order). Grown from the points it leaves: each lies in some earlier rule (the
/// region is dead), and the first such joins; then each is dropped that the others do
/// without. Every step subtracts a few rules from one rule's region, so it stays small.
fn diagram_cover(mdd: &mut Mdd, region: NodeId, regions: &[NodeId]) -> Result<Vec<usize>, Stop> {
    let mut cover: Vec<usize> = Vec::new();
    let mut left = region;
    while let Some(point) = mdd.witness(left) {
        let Some((j, &r)) = regions.iter().enumerate().find(|&(_, &r)| mdd.holds(r, &point)) else {
            return Err(Stop::Fault("a region to cover (a dead rule's, or a default's) has a point no rule decides"));
        };
        if cover.contains(&j) {
            return Err(Stop::Fault("a point left by a cover lies in the cover"));
        }
        cover.push(j);
        left = mdd.minus(left, r);
        if mdd.exhausted() {
            return Err(Stop::Budget);
        }
    }
    let mut k = 0;
    while k < cover.len() {
        let mut rest = region;
        for (n, r) in cover.iter().filter_map(|&j| regions.get(j)).enumerate() {
            if n != k {
                rest = mdd.minus(rest, *r);
            }
        }
        if rest == FALSE {
            cover.remove(k);
        } else {
            k += 1;
        }
    }
    cover.sort_unstable();
    Ok(cover)
}

/// Verifies one table with clauses; `Stop::Budget` when a solver needs more than
/// `propagations` propagations.
fn by_clauses(table: &Table, propagations: u64) -> Result<Vec<Finding>, Stop> {
    let space = Space::of(table);
    let scope = space.allowed(&scope_cells(table).into_iter().collect());
    let rules = rules(table);
    let same = same_conditions(&rules, &regions(&space, &mut space.mdd(), &rules));
    // Each solver writes a box with literals of its own.
    let within = |boxes: &mut Boxes| -> Option<()> {
        for l in boxes.inside(&scope)? {
            boxes.add(&[l]);
        }
        Some(())
    };
    // The points in scope that no rule so far decides: each rule's boxes are excluded once
    // it has been asked about.
    let mut left = Boxes::new(&space, propagations);
    let mut covers = Covers { boxes: Boxes::new(&space, propagations), rules: Vec::new() };
    let mut points = Boxes::new(&space, propagations);
    if within(&mut left).is_none() || within(&mut covers.boxes).is_none() || within(&mut points).is_none() {
        // Nothing is in scope: every rule is dead by itself, and nothing applies. The
        // diagrams of an empty scope are empty.
        return by_diagrams(table, DIAGRAM_BUDGET);
    }
    let mut findings = Vec::new();
    for ((rule, rows), same) in rules.iter().zip(same) {
        let allowed: Vec<Allowed> = rows.iter().map(|cells| space.allowed(cells)).collect();
        let boxes: Vec<Vec<Lit>> = allowed.iter().filter_map(|a| left.inside(a)).collect();
        let mut reachable = false;
        for b in &boxes {
            if left.solve(b).ok_or(Stop::Budget)? {
                reachable = true;
                break;
            }
        }
        if let Some(earlier) = same {
            findings.push(Finding::SameCondition { rule: (*rule).to_owned(), earlier });
        } else if !reachable {
            let cover = covers.cover(&allowed)?;
            findings.push(dead(rule, cover.iter().filter_map(|&j| rules.get(j).map(|r| r.0))));
        }
        for b in &boxes {
            let outside: Vec<Lit> = b.iter().map(|&l| !l).collect();
            left.add(&outside);
        }
        covers.add(&allowed);
    }
    let gap = left.solve(&[]).ok_or(Stop::Budget)?;
    match &table.default {
        None if gap => findings.push(Finding::Gap { witness: space.scenario(&left.point()) }),
        Some(_) if !gap => {
            let cover = covers.cover(std::slice::from_ref(&scope))?;
            findings.push(unreachable_default(cover.iter().filter_map(|&j| rules.get(j).map(|r| r.0))));
        }
        _ => {}
    }
    // Each obligation on its own: in scope, consistent, any of its rows.
    for (obligation, rows) in runs(table.obligations.iter().map(|o| (o.obligation.as_str(), &o.cells))) {
        let mut applies = false;
        for cells in rows {
            if let Some(b) = points.inside(&space.allowed(cells)) {
                if points.solve(&b).ok_or(Stop::Budget)? {
                    applies = true;
                    break;
                }
            }
        }
        if !applies {
            findings.push(Finding::NeverApplies { obligation: obligation.to_owned() });
        }
    }
    Ok(findings)
}

/// A box as [`Space::allowed`] gives it.
type Allowed = Vec<Option<Vec<(u32, bool)>>>;

/// The rules so far as clauses in scope, each rule's switched on by its own literal: a cover
/// of a dead rule is grown and made minimal as [`diagram_cover`] does, each question assuming
/// only the switches of the cover so far.
struct Covers {
    boxes: Boxes,
    /// Each earlier rule: its rows as literals, and its switch.
    rules: Vec<(Vec<Vec<Lit>>, Lit)>,
}

impl Covers {
    /// Adds a rule after the ones so far: where its switch is on, no point lies in its rows.
    fn add(&mut self, rows: &[Allowed]) {
        let rows: Vec<Vec<Lit>> = rows.iter().filter_map(|a| self.boxes.inside(a)).collect();
        let switch = self.boxes.switch();
        for b in &rows {
            let mut clause: Vec<Lit> = b.iter().map(|&l| !l).collect();
            clause.push(!switch);
            self.boxes.add(&clause);
        }
        self.rules.push((rows, switch));
    }

    /// A point of one of `rows` outside every rule of `cover`, if any.
    fn outside(&mut self, rows: &[Vec<Lit>], cover: &[usize]) -> Result<Option<Model>, Stop> {
        let switches: Vec<Lit> = cover.iter().filter_map(|&j| self.rules.get(j).map(|r| r.1)).collect();
        for b in rows {
            let assumptions: Vec<Lit> = b.iter().chain(&switches).copied().collect();
            if self.boxes.solve(&assumptions).ok_or(Stop::Budget)? {
                return Ok(Some(self.boxes.model()));
            }
        }
        Ok(None)
    }

    /// A minimal cover of a dead rule's `rows` by the rules so far (their indices, in order).
    fn cover(&mut self, rows: &[Allowed]) -> Result<Vec<usize>, Stop> {
        let rows: Vec<Vec<Lit>> = rows.iter().filter_map(|a| self.boxes.inside(a)).collect();
        let rows = rows.as_slice();
        let mut cover: Vec<usize> = Vec::new();
        while let Some(model) = self.outside(rows, &cover)? {
            let holds = |b: &Vec<Lit>| b.iter().all(|&l| model.holds(l));
            let Some(j) = self.rules.iter().position(|(rows, _)| rows.iter().any(holds)) else {
                return Err(Stop::Fault("a dead rule has a point that no earlier rule decides"));
            };
            if cover.contains(&j) {
                return Err(Stop::Fault("a point left by a cover lies in the cover"));
            }
            cover.push(j);
        }
        let mut k = 0;
        while k < cover.len() {
            let mut without = cover.clone();
            without.remove(k);
            if self.outside(rows, &without)?.is_some() {
                k += 1;
            } else {
                cover = without;
            }
        }
        cover.sort_unstable();
        Ok(cover)
    }
}

/// A cover's rules in words: `` `a`, `b`, others ``.
fn listed(covered_by: &[String], more: bool) -> String {
    let mut names: Vec<String> = covered_by.iter().map(|r| format!("`{r}`")).collect();
    if more {
        names.push("others".to_owned());
    }
    names.join(", ")
}

impl Finding {
    /// Words the finding as a warning on `regime`'s source; `rules` and `obligations` give
    /// where each rule's and obligation's id is written.
    fn to_diagnostic(
        &self,
        regime: &ir::Regime,
        rules: &HashMap<&str, crate::source::Span>,
        obligations: &HashMap<&str, crate::source::Span>,
    ) -> Diagnostic {
        let rule_span = |id: &str| rules.get(id).copied().unwrap_or(regime.name_span);
        match self {
            Finding::Gap { witness } => Diagnostic::warning(
                Code::Gap,
                format!("regime `{}` decides nothing for some transfers in scope", regime.id),
                regime.name_span,
                "no rule matches some transfers, and there is no `default`",
            )
            .with_note(format!("for example: {witness}"))
            .with_help("add `default …`, or a rule for these transfers"),
            Finding::DeadRule { rule, covered_by, .. } if covered_by.is_empty() => Diagnostic::warning(
                Code::DeadRule,
                format!("rule `{rule}` can never decide: its condition never holds for a transfer in scope"),
                rule_span(rule),
                "never matches",
            )
            .with_help("the condition contradicts itself, or asks what no transfer in scope has: a transfer in scope starts in the regime's `home` and leaves it"),
            Finding::DeadRule { rule, covered_by, more } => {
                let d = Diagnostic::warning(
                    Code::DeadRule,
                    match (covered_by.as_slice(), more) {
                        ([one], false) => {
                            format!("rule `{rule}` can never decide: earlier rule `{one}` covers its whole condition")
                        }
                        _ => format!(
                            "rule `{rule}` can never decide: earlier rules {} cover its whole condition",
                            listed(covered_by, *more)
                        ),
                    },
                    rule_span(rule),
                    "never reached",
                );
                covered_by
                    .iter()
                    .fold(d, |d, earlier| d.with_label(rule_span(earlier), "decides first"))
                    .with_help("rules are tried in order: move it before the rules that cover it, or remove it")
            }
            Finding::NeverApplies { obligation } => {
                let span = obligations.get(obligation.as_str()).copied().unwrap_or(regime.name_span);
                Diagnostic::warning(
                    Code::NeverApplies,
                    format!("obligation `{obligation}` never applies to a transfer in scope"),
                    span,
                    "never matches",
                )
                .with_help("the condition contradicts itself, or asks what no transfer in scope has: a transfer in scope starts in the regime's `home` and leaves it")
            }
            Finding::TooIntricate => Diagnostic::warning(
                Code::TooIntricate,
                format!("regime `{}` is too intricate to verify exactly, so it was not verified", regime.id),
                regime.name_span,
                format!(
                    "its decision diagram outgrew {} nodes, and its clauses took over {} propagations",
                    crate::syntax::write_number(NODE_BUDGET as i64),
                    crate::syntax::write_number(i64::try_from(PROPAGATION_BUDGET).unwrap_or(i64::MAX))
                ),
            )
            .with_help("gaps and dead rules are not reported for it; splitting the regime helps"),
            Finding::UnreachableDefault { covered_by, .. } if covered_by.is_empty() => Diagnostic::warning(
                Code::UnreachableDefault,
                format!("the `default` of regime `{}` is never reached: no transfer is in its scope", regime.id),
                regime.default_span.unwrap_or(regime.name_span),
                "never reached",
            )
            .with_help("a transfer in scope starts in the regime's `home` and leaves it"),
            Finding::UnreachableDefault { covered_by, more } => {
                let d = Diagnostic::warning(
                    Code::UnreachableDefault,
                    match (covered_by.as_slice(), more) {
                        ([one], false) => format!(
                            "the `default` of regime `{}` is never reached: rule `{one}` decides every transfer in scope",
                            regime.id
                        ),
                        _ => format!(
                            "the `default` of regime `{}` is never reached: rules {} decide every transfer in scope",
                            regime.id,
                            listed(covered_by, *more)
                        ),
                    },
                    regime.default_span.unwrap_or(regime.name_span),
                    "never reached",
                );
                let d = match regime.default_span {
                    Some(span) => d.with_fix(span, ""),
                    None => d,
                };
                covered_by.iter().fold(d, |d, rule| d.with_label(rule_span(rule), "decides first")).with_help("remove the `default` (the regime is then checked for gaps instead), or narrow the rules that decide everything")
            }
            Finding::Overlap(o) => Diagnostic::info(
                Code::Overlap,
                format!("earlier rule `{}` decides some of rule `{}`'s transfers otherwise", o.earlier, o.rule),
                rule_span(&o.rule),
                "matches them too",
            ),
            Finding::OverlapsUnchecked => Diagnostic::info(
                Code::Overlap,
                format!("overlaps between the rules of regime `{}` were not checked: it is too intricate", regime.id),
                regime.name_span,
                "not checked for overlaps",
            )
            .with_note(format!(
                "finding them took more than {} steps or {} decision-diagram nodes; gaps and dead rules were verified",
                crate::syntax::write_number(OVERLAP_STEPS as i64),
                crate::syntax::write_number(DIAGRAM_BUDGET as i64)
            )),
            Finding::SameCondition { rule, earlier } => Diagnostic::warning(
                Code::SameCondition,
                format!("rule `{rule}` has the same condition as rule `{earlier}`, so it can never decide"),
                rule_span(rule),
                "same condition",
            )
            .with_label(rule_span(earlier), "decides first")
            .with_help("merge the two rules, or change one condition"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// A spent diagram budget gives way to clauses, which find the same.
    #[test]
    fn a_spent_diagram_budget_gives_way_to_clauses() {
        let text = "regime r \"R\" { home CN\n\
            rule a \"A\" cite \"1\" when data has health and individuals_ytd >= 10 then prohibit\n\
            rule b \"B\" cite \"2\" when data has biometric or exporter has ciio then permit\n\
            rule c \"C\" cite \"3\" when data has health and individuals_ytd >= 100 then permit\n}";
        let tables = crate::compile::compile_text("r.accord", text).unwrap();
        assert!(matches!(by_diagrams(&tables[0], 4), Err(Stop::Budget)));
        assert!(matches!(by_clauses(&tables[0], 0), Err(Stop::Budget)));
        // Alike but for the gap's witness, which each engine finds its own way: `c` is covered
        // by `a` alone, and some transfers reach no rule.
        for engine in [Engine::Diagrams, Engine::Clauses] {
            let findings = verify_by(&tables[0], engine).unwrap().unwrap();
            let dead = Finding::DeadRule { rule: "c".into(), covered_by: vec!["a".into()], more: false };
            assert_eq!(findings.len(), 2, "{engine:?}: {findings:?}");
            assert_eq!(findings.first(), Some(&dead), "{engine:?}");
            assert!(matches!(findings.get(1), Some(Finding::Gap { .. })), "{engine:?}: {findings:?}");
        }
    }
}
