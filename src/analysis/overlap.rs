//! Rules that overlap with different outcomes: transfers an earlier rule decides that a later
//! rule also matches, and would decide otherwise. First-hit makes this the normal way to write
//! an exception before its general rule, so `accord check` only notes it, and the later rule
//! can say it is meant (`yields to a, b`). Found exactly, each pair with a witness.

use super::mdd::{FALSE, NodeId};
use super::space::Space;
use super::verify::DIAGRAM_BUDGET;
use crate::InternalError;
use crate::table::{Row, Table};

/// An earlier rule that decides some of a later rule's transfers otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    /// The later rule.
    pub rule: String,
    /// The earlier rule, which decides first.
    pub earlier: String,
    /// A transfer in scope that `earlier` decides and `rule` matches, as a scenario.
    pub witness: serde_json::Value,
    /// What `earlier` decides for it, in rule-file words.
    pub decided: String,
    /// What `rule` would decide for it.
    pub instead: String,
}

/// One rule as the search sees it.
struct Rule<'t> {
    id: &'t str,
    /// Each row, with the part of it no earlier row of the rule takes.
    rows: Vec<(&'t Row, NodeId)>,
    /// The transfers in scope it decides.
    decides: NodeId,
}

/// The most points [`overlaps`] visits. The standard regimes need at most 224 (each pair is
/// one, and each piece where two rules agree); a regime that needs more than this many is one
/// whose notes no one would read.
pub const OVERLAP_STEPS: usize = 20_000;

/// Every pair of rules where the earlier decides some transfers in scope that the later one
/// matches, with a different outcome (verdict, requirements, or what facts met), in the
/// order of the later rule and then of the earlier. A rule that never decides (a dead rule,
/// reported as such) has none. `None` when the decision diagrams outgrow [`DIAGRAM_BUDGET`]
/// nodes (verification's first budget: the standard regimes need under 4,000; rules drawn at
/// random over many facts need millions, and seconds to build them), or the search visits
/// more than [`OVERLAP_STEPS`] points.
///
/// For each rule, the transfers it matches that earlier rules decide are walked one point at
/// a time: the point's deciding rule and row, and the rule's own row there, are read off. A
/// different outcome records the pair and drops all the earlier rule decides; the same outcome
/// drops only the part where those two rows hold. So each step removes a region, and the
/// number of steps grows with the pairs, not with the regime.
pub fn overlaps(table: &Table) -> Result<Option<Vec<Overlap>>, InternalError> {
    let space = Space::of(table);
    let mut mdd = space.mdd().with_budget(DIAGRAM_BUDGET);
    let scope = space.decided_by(&mut mdd, table);
    let mut rules: Vec<Rule> = Vec::new();
    let mut covered = FALSE;
    let mut found = Vec::new();
    let mut start = 0;
    let mut steps = 0;
    while let Some(first) = table.rows.get(start) {
        let end =
            table.rows.iter().skip(start).position(|r| r.rule != first.rule).map_or(table.rows.len(), |n| start + n);
        let mut region = FALSE;
        let mut rows = Vec::with_capacity(end - start);
        for row in table.rows.get(start..end).unwrap_or_default() {
            let cells = space.row(&mut mdd, &row.cells);
            let own = mdd.minus(cells, region);
            region = mdd.or(region, cells);
            rows.push((row, own));
        }
        start = end;
        let region = mdd.and(region, scope);
        let decides = mdd.minus(region, covered);
        let mut pairs: Vec<(usize, Overlap)> = Vec::new();
        let mut left = if decides == FALSE { FALSE } else { mdd.and(region, covered) };
        while let Some(point) = mdd.witness(left) {
            steps += 1;
            if steps > OVERLAP_STEPS {
                return Ok(None);
            }
            let Some((i, earlier)) = rules.iter().enumerate().find(|(_, e)| mdd.holds(e.decides, &point)) else {
                return Err(fault("a transfer an earlier rule decides lies in none of their regions"));
            };
            let (Some(&(by, by_own)), Some(&(own, own_part))) = (
                earlier.rows.iter().find(|(_, part)| mdd.holds(*part, &point)),
                rows.iter().find(|(_, part)| mdd.holds(*part, &point)),
            ) else {
                return Err(fault("a transfer a rule matches lies in none of its rows"));
            };
            if by.outcome != own.outcome || by.met != own.met {
                pairs.push((
                    i,
                    Overlap {
                        rule: first.rule.clone(),
                        earlier: earlier.id.to_owned(),
                        witness: space.scenario(&point),
                        decided: by.written_outcome(),
                        instead: own.written_outcome(),
                    },
                ));
                left = mdd.minus(left, earlier.decides);
            } else {
                let both = mdd.and(by_own, own_part);
                let alike = mdd.and(both, earlier.decides);
                left = mdd.minus(left, alike);
            }
            if mdd.exhausted() {
                return Ok(None);
            }
        }
        pairs.sort_by_key(|(i, _)| *i);
        found.extend(pairs.into_iter().map(|(_, o)| o));
        covered = mdd.or(covered, region);
        rules.push(Rule { id: &first.rule, rows, decides });
        if mdd.exhausted() {
            return Ok(None);
        }
    }
    Ok(Some(found))
}

fn fault(what: &str) -> InternalError {
    InternalError(format!("overlaps: {what}"))
}
