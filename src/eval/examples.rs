//! Running a regime's `example` blocks against its compiled table.

use super::{Decision, Scenario, Verdict};
use crate::check::ir::{self, Program, ScenarioValue, Type};
use crate::date::Date;
use crate::source::Span;
use crate::table::Table;
use std::collections::{BTreeMap, BTreeSet};

/// The result of one example.
#[derive(Debug, Clone)]
pub struct ExampleResult {
    /// The example's name.
    pub name: String,
    /// Where it is written.
    pub span: Span,
    /// What it expects, in rule-file words.
    pub expected: String,
    /// What the table decided (`None` if the scenario could not be read).
    pub actual: Option<Decision>,
    /// Why the scenario could not be read, if it could not.
    pub problem: Option<String>,
    /// Whether the decision is the expected one.
    pub passed: bool,
}

/// Runs every example of `regime` (compiled as `table`). `today` stands in for an omitted date.
pub fn run_examples(program: &Program, regime: &ir::Regime, table: &Table, today: Date) -> Vec<ExampleResult> {
    regime.examples.iter().map(|example| run(program, regime, table, example, today)).collect()
}

fn run(program: &Program, regime: &ir::Regime, table: &Table, example: &ir::Example, today: Date) -> ExampleResult {
    // The checker resolved every member an example names in these enums, so they exist.
    #[expect(clippy::expect_used, reason = "an example's mechanisms were resolved in `Mechanism`")]
    let mechanism = |m: &ir::MemberId| {
        program.member_name(regime.vocabulary.mechanism.expect("the `Mechanism` enum"), *m).to_owned()
    };
    #[expect(clippy::expect_used, reason = "an example's obligations were resolved in `Obligation`")]
    let obligation = |m: &ir::MemberId| {
        program.member_name(regime.vocabulary.obligation.expect("the `Obligation` enum"), *m).to_owned()
    };
    let expected_groups: Option<Groups> = match &example.expect {
        Some(ir::Outcome::Require(groups)) => {
            Some(groups.iter().map(|g| group_key(g.alternatives.iter().map(mechanism).collect(), g.ordered)).collect())
        }
        _ => None,
    };
    let expected_verdict = match &example.expect {
        None => Verdict::OutOfScope,
        Some(ir::Outcome::Permit) => Verdict::Permit,
        Some(ir::Outcome::Prohibit) => Verdict::Prohibit,
        Some(ir::Outcome::Require(_)) => Verdict::Require,
    };
    let expected_obligations: Option<BTreeSet<String>> =
        example.obligations.as_ref().map(|list| list.iter().map(obligation).collect());
    let expected_upon: UponObligations =
        example.upon.iter().map(|(m, list)| (mechanism(m), list.iter().map(obligation).collect())).collect();
    let expected = describe(expected_verdict, expected_groups.as_ref(), expected_obligations.as_ref(), &expected_upon);

    let scenario = Scenario::from_value(table, &scenario_json(program, regime, table, example), today);
    let (actual, problem) = match scenario {
        Ok(scenario) => (Some(table.evaluate(&scenario)), None),
        Err(errors) => (None, Some(errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))),
    };
    let passed = actual.as_ref().is_some_and(|d| {
        let groups = groups_of(&d.require, &d.ordered);
        let obligations: BTreeSet<String> = d.obligations.iter().cloned().collect();
        let chosen = chosen_of(&d.if_chosen);
        // Each mechanism named with `upon` brings exactly what is listed; with `with`, one not
        // named brings nothing.
        let upon_ok = expected_upon.iter().all(|(m, e)| chosen.get(m).map_or(e.is_empty(), |c| c == e))
            && (expected_obligations.is_none() || chosen.keys().all(|m| expected_upon.contains_key(m)));
        d.verdict == expected_verdict
            && expected_groups.as_ref().is_none_or(|e| *e == groups)
            && expected_obligations.as_ref().is_none_or(|e| *e == obligations)
            && upon_ok
    });
    ExampleResult { name: example.name.clone(), span: example.span, expected, actual, problem, passed }
}

/// `require` groups as an example compares them: a cascade by its order, any other group by
/// its members alone (`true` marks a cascade).
pub type Groups = BTreeSet<(bool, Vec<String>)>;

/// One group as [`Groups`] holds it.
fn group_key(mut alternatives: Vec<String>, ordered: bool) -> (bool, Vec<String>) {
    if !ordered {
        alternatives.sort();
        alternatives.dedup();
    }
    (ordered, alternatives)
}

/// A decision's or table's `require` groups, with the indices of its cascades, as [`Groups`].
pub fn groups_of(require: &[Vec<String>], ordered: &[usize]) -> Groups {
    require.iter().enumerate().map(|(i, g)| group_key(g.clone(), ordered.contains(&i))).collect()
}

/// Obligations that come with relying on a mechanism, by the mechanism, as an example
/// compares them.
pub type UponObligations = BTreeMap<String, BTreeSet<String>>;

/// A decision's [`Decision::if_chosen`](super::Decision::if_chosen) as [`UponObligations`].
pub fn chosen_of(if_chosen: &BTreeMap<String, Vec<String>>) -> UponObligations {
    if_chosen.iter().map(|(m, list)| (m.clone(), list.iter().cloned().collect())).collect()
}

/// A decision in rule-file words: `require a or b with {pipia} upon a {filing}`,
/// `require a, else b`.
pub fn describe(
    verdict: Verdict,
    groups: Option<&Groups>,
    obligations: Option<&BTreeSet<String>>,
    upon: &UponObligations,
) -> String {
    let mut text = match (verdict, groups) {
        (Verdict::Require, Some(groups)) => groups
            .iter()
            .map(|(ordered, g)| format!("require {}", g.join(if *ordered { ", else " } else { " or " })))
            .collect::<Vec<_>>()
            .join(" and "),
        (other, _) => other.as_str().to_owned(),
    };
    if let Some(obligations) = obligations {
        text.push_str(&format!(" with {{{}}}", obligations.iter().cloned().collect::<Vec<_>>().join(", ")));
    }
    for (m, list) in upon {
        text.push_str(&format!(" upon {m} {{{}}}", list.iter().cloned().collect::<Vec<_>>().join(", ")));
    }
    text
}

/// A decision as an example's `expect` says it, every obligation listed.
pub fn expect_of(d: &super::Decision) -> String {
    let groups = groups_of(&d.require, &d.ordered);
    let obligations: BTreeSet<String> = d.obligations.iter().cloned().collect();
    describe(d.verdict, Some(&groups), Some(&obligations), &chosen_of(&d.if_chosen))
}

/// The example's `given` as a scenario object; an omitted `origin` is the regime's home.
fn scenario_json(program: &Program, regime: &ir::Regime, table: &Table, example: &ir::Example) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    for (fact, value) in &example.given {
        let Some(def) = program.fact(*fact) else { continue };
        let name = |m: &ir::MemberId| match def.ty {
            Type::Enum(e) | Type::Set(e) => program.member_name(e, *m).to_owned(),
            _ => String::new(),
        };
        let json = match value {
            ScenarioValue::Bool(b) => serde_json::Value::Bool(*b),
            ScenarioValue::Count(n) => serde_json::Value::from(*n),
            ScenarioValue::Date(d) => serde_json::Value::String(d.to_string()),
            ScenarioValue::Member(m) => serde_json::Value::String(name(m)),
            ScenarioValue::Set(ms) => {
                serde_json::Value::Array(ms.iter().map(|m| serde_json::Value::String(name(m))).collect())
            }
        };
        object.insert(def.name.clone(), json);
    }
    let origin = regime.vocabulary.origin.and_then(|f| program.fact(f)).map(|f| f.name.clone());
    if let (Some(origin), Some(home)) = (origin, table.home.first()) {
        object.entry(origin).or_insert_with(|| serde_json::Value::String(home.clone()));
    }
    serde_json::Value::Object(object)
}
