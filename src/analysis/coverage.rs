//! Which parts of a table a regime's examples reach: each rule's rows, each obligation, and the
//! default; and, for each part no example reaches, a transfer that reaches it, found exactly on
//! the table's decision diagram (so an author can add it as an example, once the law confirms
//! the outcome). A part no transfer can reach (a dead rule's row, an obligation that never
//! applies, a default the rules leave nothing to) is not counted: `accord check` reports it.

use super::mdd::{FALSE, NODE_BUDGET};
use super::space::Space;
use crate::InternalError;
use crate::date::Date;
use crate::eval::{Decision, Scenario, Verdict, expect_of};
use crate::table::{Location, Table};
use serde::Serialize;

/// How far a regime's examples reach into its table.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// The regime.
    pub regime: String,
    /// The parts some example reaches.
    pub covered: usize,
    /// The parts some transfer reaches: what `covered` is out of.
    pub reachable: usize,
    /// Whether each part's reach was decided: `false` when the table's diagram outgrew its
    /// budget, and then every part counts as reachable and none has a witness.
    pub exact: bool,
    /// Every part, in table order: rows, then obligations, then the default.
    pub parts: Vec<Part>,
}

/// One part of a table.
#[derive(Debug, Clone, Serialize)]
pub struct Part {
    /// `row`, `obligation` or `default`.
    pub kind: &'static str,
    /// The rule or obligation, or `default`.
    pub id: String,
    /// For a row, its index in the table's rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Where it is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    /// Whether some transfer reaches it.
    pub reachable: bool,
    /// The examples that reach it, by name.
    pub examples: Vec<String>,
    /// For a reachable part no example reaches: a transfer that does, as a scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<serde_json::Value>,
    /// What the regime decides for the witness, as an example's `expect` says it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<String>,
}

impl Coverage {
    /// The share covered, in per cent (100 when nothing is reachable).
    pub fn percent(&self) -> f64 {
        if self.reachable == 0 { 100.0 } else { 100.0 * self.covered as f64 / self.reachable as f64 }
    }
}

/// The coverage of `table` by examples that decided as `decided` gives (each example's name and
/// its decision). `today` dates a witness of a regime that tests no date.
pub fn coverage(table: &Table, decided: &[(String, &Decision)], today: Date) -> Result<Coverage, InternalError> {
    let part = |kind: &'static str, id: &str, row: Option<usize>, location: Option<&Location>| Part {
        kind,
        id: id.to_owned(),
        row,
        location: location.cloned(),
        reachable: true,
        examples: Vec::new(),
        witness: None,
        expect: None,
    };
    let mut parts: Vec<Part> =
        table.rows.iter().enumerate().map(|(i, r)| part("row", &r.rule, Some(i), Some(&r.location))).collect();
    for o in &table.obligations {
        if !parts.iter().any(|p| p.kind == "obligation" && p.id == o.obligation) {
            parts.push(part("obligation", &o.obligation, None, Some(&o.location)));
        }
    }
    if table.default.is_some() {
        parts.push(part("default", "default", None, None));
    }
    for p in &mut parts {
        p.examples = decided.iter().filter(|(_, d)| reaches(p, d)).map(|(name, _)| name.clone()).collect();
    }
    let exact = reach(table, &mut parts)?;
    // A witness lies where the part applies; the evaluator says what it decides there, and
    // whether that reaches the part (an obligation `upon` a mechanism comes only where the
    // mechanism is relied on, which the region does not say): one that does not is no proposal.
    for p in &mut parts {
        let Some(witness) = &p.witness else { continue };
        let scenario = Scenario::from_value(table, witness, today)
            .map_err(|e| InternalError(format!("coverage: a witness the table cannot read: {e:?}")))?;
        let decision = table.evaluate(&scenario);
        if reaches(p, &decision) {
            p.expect = Some(expect_of(&decision));
        } else {
            p.witness = None;
        }
    }
    let reachable = parts.iter().filter(|p| p.reachable).count();
    let covered = parts.iter().filter(|p| p.reachable && !p.examples.is_empty()).count();
    Ok(Coverage { regime: table.regime.clone(), covered, reachable, exact, parts })
}

/// Whether a decision reaches a part: its row decided, its obligation came (in any case, or
/// with a mechanism to choose), or the default decided.
fn reaches(part: &Part, d: &Decision) -> bool {
    match (part.kind, part.row) {
        ("row", Some(i)) => d.row == Some(i),
        ("obligation", _) => d.obligations.contains(&part.id) || d.if_chosen.values().any(|l| l.contains(&part.id)),
        _ => d.row.is_none() && d.verdict != Verdict::OutOfScope,
    }
}

/// Marks the parts no transfer reaches, and gives each reachable part no example reaches a
/// witness; `Ok(false)` if the diagram outgrew its budget (and then nothing is marked).
fn reach(table: &Table, parts: &mut [Part]) -> Result<bool, InternalError> {
    let space = Space::of(table);
    let mut mdd = space.mdd().with_budget(NODE_BUDGET);
    let scope = space.decided_by(&mut mdd, table);
    // Each part's region, in the parts' order. A row decides where its cells hold in scope and
    // no earlier row's do.
    let mut regions = Vec::with_capacity(parts.len());
    let mut decided = FALSE;
    for row in &table.rows {
        let cells = space.row(&mut mdd, &row.cells);
        let here = mdd.and(cells, scope);
        regions.push(mdd.minus(here, decided));
        decided = mdd.or(decided, here);
    }
    // An obligation applies where any of its rows holds in scope.
    for part in parts.iter().filter(|p| p.kind == "obligation") {
        let mut region = FALSE;
        for o in table.obligations.iter().filter(|o| o.obligation == part.id) {
            let cells = space.row(&mut mdd, &o.cells);
            region = mdd.or(region, cells);
        }
        regions.push(mdd.and(region, scope));
    }
    if table.default.is_some() {
        regions.push(mdd.minus(scope, decided));
    }
    if regions.len() != parts.len() {
        return Err(InternalError(format!("coverage: {} regions for {} parts", regions.len(), parts.len())));
    }
    let mut answers = Vec::with_capacity(parts.len());
    for (part, &region) in parts.iter().zip(&regions) {
        answers.push((region != FALSE, if part.examples.is_empty() { mdd.witness(region) } else { None }));
    }
    if mdd.exhausted() {
        return Ok(false);
    }
    for (part, (reachable, point)) in parts.iter_mut().zip(answers) {
        part.reachable = reachable;
        part.witness = point.map(|p| space.scenario(&p));
    }
    Ok(true)
}
