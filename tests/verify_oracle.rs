//! `accord check`'s verification (gaps, rules that can never decide, obligations that never
//! apply, rules with the same condition, a `default` never reached) agrees with brute-force
//! enumeration.
//!
//! Random regimes are written over a small vocabulary declared in the test (three places, two
//! kinds, a count, a bool, the date), small enough that every point of the fact space can be
//! visited: counts and dates are enumerated at every bound a regime can use and on either side
//! of it, which covers every region a condition can tell apart. At each point every row's cells
//! are read directly (no decision diagram, no evaluator index), and the findings derived from
//! that enumeration must equal `analysis::verify`'s. A gap's witness must also be a transfer in
//! scope that the evaluator leaves to no rule.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use accord::analysis::{Engine, Finding, verify, verify_by};
use accord::compile::compile_text;
use accord::date::Date;
use accord::eval::Scenario;
use accord::table::{Cell, Table};
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::collections::BTreeSet;

const VOCABULARY: &str = "
enum Place { A B C }
enum Kind { K1 K2 }
facts {
  origin: Place
  destination: Place
  kinds: set<Kind>
  n: count
  flag: bool
  date: date
}
";

const PLACES: [&str; 3] = ["A", "B", "C"];
const DATES: [&str; 2] = ["2024-01-01", "2024-06-01"];

fn atom() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&PLACES[..]).prop_map(|p| format!("destination == {p}")),
        prop::sample::select(&PLACES[..]).prop_map(|p| format!("origin != {p}")),
        prop::sample::subsequence(&PLACES[..], 1..3).prop_map(|ps| format!("destination in {{{}}}", ps.join(", "))),
        Just("kinds has K1".to_owned()),
        Just("kinds has any {K1, K2}".to_owned()),
        Just("kinds has all {K1, K2}".to_owned()),
        (0u32..5).prop_map(|k| format!("n < {k}")),
        (0u32..5).prop_map(|k| format!("n >= {k}")),
        (0u32..4, 1u32..3).prop_map(|(a, w)| format!("n in {a}..{}", a + w)),
        Just("flag".to_owned()),
        prop::sample::select(&DATES[..]).prop_map(|d| format!("date >= {d}")),
        prop::sample::select(&DATES[..]).prop_map(|d| format!("date < {d}")),
    ]
}

fn condition() -> impl Strategy<Value = String> {
    atom().prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} and {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a} or {b})")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}

fn outcome() -> impl Strategy<Value = &'static str> {
    prop::sample::select(&["permit", "prohibit", "require eu_scc", "require bcr or eu_scc"][..])
}

fn effective() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => Just(String::new()),
        1 => prop::sample::select(&DATES[..]).prop_map(|d| format!(" effective {d}..")),
        1 => prop::sample::select(&DATES[..]).prop_map(|d| format!(" effective ..{d}")),
    ]
}

/// A regime's source text.
fn regime() -> impl Strategy<Value = String> {
    let rules = prop::collection::vec((condition(), outcome(), effective()), 1..6);
    let obligations = prop::collection::vec(condition(), 0..3);
    let home = prop::sample::select(&["A", "{A, B}"][..]);
    (home, rules, obligations, any::<bool>()).prop_map(|(home, rules, obligations, default)| {
        let mut text = format!("{VOCABULARY}\nregime r \"Random\" {{\n  home {home}\n");
        for (i, (when, then, effective)) in rules.iter().enumerate() {
            text.push_str(&format!("  rule r{i} \"Rule {i}\" cite \"Art. {i}\"{effective} when {when} then {then}\n"));
        }
        let names = ["pipia", "separate_consent", "record_of_transfers"];
        for (name, when) in names.iter().zip(&obligations) {
            text.push_str(&format!("  oblige {name} \"Obligation\" cite \"Art. 99\" when {when}\n"));
        }
        if default {
            text.push_str("  default permit\n");
        }
        text.push_str("}\n");
        text
    })
}

/// Every point of the space, as scenario JSON.
fn points() -> Vec<serde_json::Value> {
    let kinds: [&[&str]; 4] = [&[], &["K1"], &["K2"], &["K1", "K2"]];
    // Every bound a condition can use lies in 0..=5; 6 stands for everything above.
    let counts = 0..=6;
    let dates = ["2023-12-31", "2024-01-01", "2024-05-31", "2024-06-01", "2025-01-01"];
    let mut out = Vec::new();
    for origin in PLACES {
        for destination in PLACES {
            for k in kinds {
                for n in counts.clone() {
                    for flag in [false, true] {
                        for date in dates {
                            out.push(serde_json::json!({
                                "origin": origin, "destination": destination, "kinds": k,
                                "n": n, "flag": flag, "date": date,
                            }));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Whether a cell admits the point's value of its fact (read directly from the cell).
fn admits(cell: &Cell, value: &serde_json::Value) -> bool {
    match cell {
        Cell::Bool { is } => value.as_bool() == Some(*is),
        Cell::Enum { members } => members.iter().any(|m| value.as_str() == Some(m)),
        Cell::Set { has, lacks } => {
            let held: Vec<&str> = value.as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
            has.iter().all(|h| held.contains(&&**h)) && !lacks.iter().any(|l| held.contains(&&**l))
        }
        Cell::Counts { counts } => {
            let n = value.as_i64().unwrap();
            counts.iter().any(|r| n >= r.from && r.until.is_none_or(|u| n < u))
        }
        Cell::Dates { dates } => {
            let d = value.as_str().unwrap();
            dates.iter().any(|r| r.from.as_deref().is_none_or(|f| d >= f) && r.until.as_deref().is_none_or(|u| d < u))
        }
    }
}

fn row_holds(cells: &BTreeMap<String, Cell>, point: &serde_json::Value) -> bool {
    cells.iter().all(|(fact, cell)| admits(cell, &point[fact.as_str()]))
}

/// What enumeration finds, and what it needs to judge a cover.
struct Oracle {
    findings: BTreeSet<String>,
    rules: Vec<String>,
    /// For each rule, at each point: whether its condition holds.
    holds: Vec<Vec<bool>>,
    /// At each point: whether it is in scope.
    scope: Vec<bool>,
}

impl Oracle {
    /// Whether `cover` names rules that together hold at every point in scope, and none of
    /// them could be left out.
    fn is_minimal_scope_cover(&self, cover: &[String]) -> bool {
        let Some(cover): Option<Vec<usize>> = cover.iter().map(|c| self.rules.iter().position(|r| r == c)).collect()
        else {
            return false;
        };
        let covers =
            |among: &[usize]| (0..self.scope.len()).all(|p| !self.scope[p] || among.iter().any(|&e| self.holds[e][p]));
        covers(&cover)
            && (0..cover.len()).all(|k| {
                let without: Vec<usize> = cover.iter().enumerate().filter(|(n, _)| *n != k).map(|(_, &e)| e).collect();
                !covers(&without)
            })
    }

    /// Whether `cover` names earlier rules that hold at every point in scope where `rule`
    /// holds, and none of them could be left out.
    fn is_minimal_cover(&self, rule: &str, cover: &[String]) -> bool {
        let i = self.rules.iter().position(|r| r == rule).unwrap();
        let Some(cover): Option<Vec<usize>> =
            cover.iter().map(|c| self.rules[..i].iter().position(|r| r == c)).collect()
        else {
            return false;
        };
        let covers = |among: &[usize]| {
            (0..self.scope.len())
                .all(|p| !(self.scope[p] && self.holds[i][p]) || among.iter().any(|&e| self.holds[e][p]))
        };
        covers(&cover)
            && (0..cover.len()).all(|k| {
                let without: Vec<usize> = cover.iter().enumerate().filter(|(n, _)| *n != k).map(|(_, &e)| e).collect();
                !covers(&without)
            })
    }
}

fn brute_force(table: &Table) -> Oracle {
    let mut rules: Vec<String> = Vec::new();
    for row in &table.rows {
        if rules.last() != Some(&row.rule) {
            rules.push(row.rule.clone());
        }
    }
    let mut obligations: Vec<String> = Vec::new();
    for row in &table.obligations {
        if obligations.last() != Some(&row.obligation) {
            obligations.push(row.obligation.clone());
        }
    }
    let home: BTreeSet<&str> = table.home.iter().map(String::as_str).collect();
    let (mut gap, mut default_reached) = (false, false);
    // For each rule, at each point: does its condition hold, and is the point in scope.
    let mut holds: Vec<Vec<bool>> = vec![Vec::new(); rules.len()];
    let mut scope: Vec<bool> = Vec::new();
    let mut applied: BTreeSet<&str> = BTreeSet::new();
    for point in points() {
        let in_scope =
            home.contains(point["origin"].as_str().unwrap()) && !home.contains(point["destination"].as_str().unwrap());
        scope.push(in_scope);
        for (i, rule) in rules.iter().enumerate() {
            let h = table.rows.iter().any(|r| r.rule == *rule && row_holds(&r.cells, &point));
            holds[i].push(h);
        }
        if in_scope {
            if !holds.iter().any(|h| *h.last().unwrap()) {
                gap |= table.default.is_none();
                default_reached |= table.default.is_some();
            }
            for o in &obligations {
                if table.obligations.iter().any(|r| r.obligation == *o && row_holds(&r.cells, &point)) {
                    applied.insert(o);
                }
            }
        }
    }
    let mut findings = BTreeSet::new();
    if gap {
        findings.insert("gap".to_owned());
    }
    if table.default.is_some() && !default_reached {
        findings.insert("unreachable default".to_owned());
    }
    for (i, rule) in rules.iter().enumerate() {
        // Decides somewhere: a point in scope where it holds and no earlier rule does.
        let decides = (0..scope.len()).any(|p| scope[p] && holds[i][p] && (0..i).all(|e| !holds[e][p]));
        if let Some(earlier) = (0..i).find(|&e| holds[e] == holds[i]) {
            findings.insert(format!("same {rule} {}", rules[earlier]));
        } else if !decides {
            findings.insert(format!("dead {rule}"));
        }
    }
    for o in &obligations {
        if !applied.contains(o.as_str()) {
            findings.insert(format!("never {o}"));
        }
    }
    Oracle { findings, rules, holds, scope }
}

/// The findings of one engine, as enumeration words them; each cover must be minimal.
fn reported(table: &Table, engine: Engine, oracle: &Oracle) -> BTreeSet<String> {
    let today = Date::parse("2026-01-01").unwrap();
    verify_by(table, engine)
        .unwrap()
        .unwrap()
        .into_iter()
        .map(|finding| match finding {
            Finding::Gap { witness } => {
                // The witness must be a transfer in scope that no rule decides.
                let scenario = Scenario::from_value(table, &witness, today).unwrap();
                let d = table.evaluate(&scenario);
                assert_eq!(d.rule, None, "witness {witness} is decided");
                assert_ne!(d.verdict.as_str(), "out_of_scope", "witness {witness} is out of scope");
                "gap".to_owned()
            }
            Finding::DeadRule { rule, covered_by, more } => {
                assert!(!more, "a small regime's cover of {rule} has more than five rules");
                assert!(oracle.is_minimal_cover(&rule, &covered_by), "{covered_by:?} is no minimal cover of {rule}");
                format!("dead {rule}")
            }
            Finding::UnreachableDefault { covered_by, more } => {
                assert!(!more, "a small regime's cover of its scope has more than five rules");
                assert!(oracle.is_minimal_scope_cover(&covered_by), "{covered_by:?} is no minimal cover of the scope");
                "unreachable default".to_owned()
            }
            Finding::NeverApplies { obligation } => format!("never {obligation}"),
            Finding::SameCondition { rule, earlier } => format!("same {rule} {earlier}"),
            Finding::TooIntricate => panic!("a small regime ran out of budget"),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn verification_agrees_with_enumeration(text in regime()) {
        let tables = match compile_text("random.accord", &text) {
            Ok(tables) => tables,
            Err(problems) => panic!("generated regime does not compile:\n{problems}\n{text}"),
        };
        let table = &tables[0];
        let oracle = brute_force(table);
        // Both engines, each against enumeration: so they also agree with each other.
        prop_assert_eq!(&reported(table, Engine::Diagrams, &oracle), &oracle.findings, "diagrams, regime:\n{}", text);
        prop_assert_eq!(&reported(table, Engine::Clauses, &oracle), &oracle.findings, "clauses, regime:\n{}", text);
    }
}

#[test]
fn the_oracle_sees_each_kind_of_finding() {
    let text = format!(
        "{VOCABULARY}
regime r \"Findings\" {{
  home A
  rule low \"Low\" cite \"1\" when n < 3 then permit
  rule high \"High\" cite \"2\" when n >= 3 then prohibit
  rule dead \"Dead\" cite \"3\" when flag then permit
  rule twin \"Twin\" cite \"4\" when n >= 3 then permit
  rule sub \"Sub\" cite \"5\" when n >= 5 and flag then permit
  oblige pipia \"Never\" cite \"6\" when destination == A
}}"
    );
    let table = &compile_text("findings.accord", &text).unwrap()[0];
    let oracle = brute_force(table);
    let expected: BTreeSet<String> =
        ["dead dead", "same twin high", "dead sub", "never pipia"].into_iter().map(str::to_owned).collect();
    assert_eq!(oracle.findings, expected);
    let words = |names: &[&str]| names.iter().map(|n| (*n).to_owned()).collect::<Vec<String>>();
    // `dead` needs both rules before it; `sub` needs `high` alone, so naming `low` too is
    // no minimal cover, and neither is a later rule or a rule that misses part of it.
    assert!(oracle.is_minimal_cover("dead", &words(&["low", "high"])));
    assert!(!oracle.is_minimal_cover("dead", &words(&["high"])));
    assert!(oracle.is_minimal_cover("sub", &words(&["high"])));
    assert!(!oracle.is_minimal_cover("sub", &words(&["low", "high"])));
    assert!(!oracle.is_minimal_cover("low", &words(&["high"])));
    for engine in [Engine::Diagrams, Engine::Clauses] {
        assert_eq!(reported(table, engine, &oracle), expected);
        let covers: Vec<(String, Vec<String>)> = verify(table)
            .unwrap()
            .into_iter()
            .filter_map(|f| match f {
                Finding::DeadRule { rule, covered_by, .. } => Some((rule, covered_by)),
                _ => None,
            })
            .collect();
        assert_eq!(covers, [("dead".to_owned(), words(&["low", "high"])), ("sub".to_owned(), words(&["high"]))]);
    }
    // Every transfer in scope is decided by `low` or `high`, so the default is never reached;
    // `flag` is no part of a minimal cover.
    let decided = format!(
        "{VOCABULARY}\nregime d \"Decided\" {{ home A\n rule flagged \"F\" cite \"1\" when flag then permit\n \
         rule low \"Low\" cite \"2\" when n < 3 then permit\n rule high \"High\" cite \"3\" when n >= 3 then prohibit\n \
         default prohibit }}"
    );
    let table = &compile_text("decided.accord", &decided).unwrap()[0];
    let oracle = brute_force(table);
    assert_eq!(oracle.findings, BTreeSet::from(["unreachable default".to_owned()]));
    assert!(oracle.is_minimal_scope_cover(&words(&["low", "high"])));
    assert!(!oracle.is_minimal_scope_cover(&words(&["flagged", "low", "high"])));
    assert!(!oracle.is_minimal_scope_cover(&words(&["high"])));
    for engine in [Engine::Diagrams, Engine::Clauses] {
        assert_eq!(reported(table, engine, &oracle), oracle.findings, "{engine:?}");
    }
    let gappy =
        format!("{VOCABULARY}\nregime g \"Gap\" {{ home A rule only \"Only\" cite \"1\" when flag then permit }}");
    let table = &compile_text("gap.accord", &gappy).unwrap()[0];
    let oracle = brute_force(table);
    assert!(oracle.findings.contains("gap"));
    for engine in [Engine::Diagrams, Engine::Clauses] {
        assert!(reported(table, engine, &oracle).contains("gap"));
    }
}
