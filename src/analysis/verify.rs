//! Exact verification of one table: gaps, rules that can never fire, obligations that never
//! apply, and rules with the same condition. Decided on decision diagrams over the table's
//! space, so nothing is sampled: a finding holds for every transfer, and no finding means none
//! exists.

use super::mdd::{FALSE, NODE_BUDGET, WORK_BUDGET};
use super::partition::joined;
use super::space::Space;
use crate::check::ir;
use crate::diagnostics::{Code, Diagnostic};
use crate::table::Table;
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
        /// Earlier rules that together cover its condition, at most [`NAMED`] of them (empty
        /// when the condition can never hold in scope by itself).
        covered_by: Vec<String>,
        /// Whether more earlier rules than those named also overlap it.
        more: bool,
    },
    /// An obligation whose condition never holds for a transfer in scope.
    NeverApplies {
        /// The obligation.
        obligation: String,
    },
    /// The regime's decision diagram outgrew [`NODE_BUDGET`] or [`super::mdd::WORK_BUDGET`]:
    /// nothing was verified.
    TooIntricate,
    /// A rule whose condition is exactly an earlier rule's.
    SameCondition {
        /// The later rule.
        rule: String,
        /// The earlier one.
        earlier: String,
    },
}

/// How many covering rules a dead-rule finding names; a rule shadowed by hundreds would
/// otherwise make a report that grows with the square of the regime.
pub const NAMED: usize = 5;

/// Verifies a regime's table. A rule or obligation whose condition can never hold compiles to
/// no rows at all, so only the regime knows of it: it is reported here too.
pub fn verify_regime(table: &Table, regime: &ir::Regime) -> Vec<Finding> {
    let mut findings = verify(table);
    if findings == [Finding::TooIntricate] {
        return findings;
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
    findings
}

/// The findings on `regime` as warnings on its source.
pub fn diagnostics(findings: &[Finding], regime: &ir::Regime) -> Vec<Diagnostic> {
    let spans: HashMap<&str, crate::source::Span> = regime.rules.iter().map(|r| (r.id.as_str(), r.name_span)).collect();
    let obligations: HashMap<&str, crate::source::Span> =
        regime.obligations.iter().map(|o| (o.id.as_str(), o.name_span)).collect();
    findings.iter().map(|f| f.to_diagnostic(regime, &spans, &obligations)).collect()
}

/// Verifies one table.
pub fn verify(table: &Table) -> Vec<Finding> {
    verify_within(table, NODE_BUDGET)
}

/// Verifies one table with at most `budget` diagram nodes.
fn verify_within(table: &Table, budget: usize) -> Vec<Finding> {
    let space = Space::of(table);
    let mut mdd = space.mdd().with_budget(budget);
    // Only consistent points are ever decided: a rule that applies only to inconsistent ones
    // can never decide.
    let in_scope = space.scope(&mut mdd, table);
    let consistent = space.consistent(&mut mdd);
    let scope = mdd.and(in_scope, consistent);
    let mut findings = Vec::new();

    let rules = joined(&space, &mut mdd, table.rows.iter().map(|r| (r.rule.clone(), &r.cells)), String::eq);
    let mut covered = FALSE;
    let mut first_with: HashMap<u32, String> = HashMap::new();
    for (i, (rule, region)) in rules.iter().enumerate() {
        let same = first_with.get(region).cloned();
        let in_scope = mdd.and(*region, scope);
        let reachable = mdd.minus(in_scope, covered);
        if let Some(earlier) = same {
            // Said more precisely than "dead", which it also is.
            findings.push(Finding::SameCondition { rule: rule.clone(), earlier });
        } else if reachable == FALSE {
            let mut covered_by: Vec<String> = rules
                .iter()
                .take(i)
                .filter(|(_, earlier)| mdd.and(*earlier, in_scope) != FALSE)
                .take(NAMED + 1)
                .map(|(name, _)| name.clone())
                .collect();
            let more = covered_by.len() > NAMED;
            covered_by.truncate(NAMED);
            findings.push(Finding::DeadRule { rule: rule.clone(), covered_by, more });
        }
        first_with.entry(*region).or_insert_with(|| rule.clone());
        covered = mdd.or(covered, in_scope);
    }
    if table.default.is_none() {
        let gap = mdd.minus(scope, covered);
        if let Some(point) = mdd.witness(gap) {
            findings.push(Finding::Gap { witness: space.scenario(&point) });
        }
    }
    let rows = table.obligations.iter().map(|o| (o.obligation.clone(), &o.cells));
    let obligations = joined(&space, &mut mdd, rows, String::eq);
    for (obligation, region) in obligations {
        if mdd.and(region, scope) == FALSE {
            findings.push(Finding::NeverApplies { obligation });
        }
    }
    if mdd.exhausted() {
        // What was found with a spent budget is meaningless: say so, and only that.
        return vec![Finding::TooIntricate];
    }
    findings
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
                let mut names: Vec<String> = covered_by.iter().map(|r| format!("`{r}`")).collect();
                if *more {
                    names.push("others".to_owned());
                }
                let mut d = Diagnostic::warning(
                    Code::DeadRule,
                    format!(
                        "rule `{rule}` can never decide: earlier rules {} cover its whole condition",
                        names.join(", ")
                    ),
                    rule_span(rule),
                    "never reached",
                );
                for earlier in covered_by {
                    d = d.with_label(rule_span(earlier), "decides first");
                }
                d.with_help("rules are tried in order: move it before the rules that cover it, or remove it")
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
                    "its decision diagram outgrew {} nodes or {} operations",
                    crate::syntax::write_number(NODE_BUDGET as i64),
                    crate::syntax::write_number(WORK_BUDGET as i64)
                ),
            )
            .with_help("gaps and dead rules are not reported for it; many rules over unrelated facts make the union of their conditions grow fast: splitting the regime, or fewer `or`s and `not`s, helps"),
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

    /// A spent budget gives one finding saying so, never findings made with a broken diagram.
    #[test]
    fn a_spent_budget_says_so_and_only_that() {
        let text = "regime r \"R\" { home CN\n\
            rule a \"A\" cite \"1\" when data has health and individuals_ytd >= 10 then prohibit\n\
            rule b \"B\" cite \"2\" when data has biometric or exporter has ciio then permit\n}";
        let tables = crate::compile::compile_text("r.accord", text).unwrap();
        assert!(!verify_within(&tables[0], NODE_BUDGET).contains(&Finding::TooIntricate));
        assert_eq!(verify_within(&tables[0], 4), vec![Finding::TooIntricate]);
    }
}
