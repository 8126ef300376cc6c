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

use accord::analysis::{Engine, Finding, overlaps, verify, verify_by};
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
            Finding::Overlap(_) | Finding::OverlapsUnchecked => panic!("verify reports no overlaps"),
        })
        .collect()
}

/// The pairs (later rule, earlier rule) where, at some point in scope, the earlier rule
/// decides, and the later one, which decides somewhere itself, matches with another outcome
/// (that of its own first row there).
fn overlap_pairs(table: &Table) -> BTreeSet<(String, String)> {
    let home: BTreeSet<&str> = table.home.iter().map(String::as_str).collect();
    let in_scope = |p: &serde_json::Value| {
        home.contains(p["origin"].as_str().unwrap()) && !home.contains(p["destination"].as_str().unwrap())
    };
    let points: Vec<serde_json::Value> = points().into_iter().filter(|p| in_scope(p)).collect();
    let first_row = |p: &serde_json::Value| table.rows.iter().position(|r| row_holds(&r.cells, p));
    let deciding: BTreeSet<&str> = points.iter().filter_map(&first_row).map(|i| table.rows[i].rule.as_str()).collect();
    let mut pairs = BTreeSet::new();
    for p in &points {
        let Some(d) = first_row(p) else { continue };
        let by = &table.rows[d];
        let later: BTreeSet<&str> =
            table.rows[d..].iter().map(|r| r.rule.as_str()).filter(|r| *r != by.rule && deciding.contains(r)).collect();
        for rule in later {
            let own = table.rows.iter().find(|r| r.rule == rule && row_holds(&r.cells, p));
            if let Some(own) = own.filter(|own| own.outcome != by.outcome || own.met != by.met) {
                pairs.insert((own.rule.clone(), by.rule.clone()));
            }
        }
    }
    pairs
}

/// A witness scenario as a point of the enumeration: the facts it leaves out at their defaults.
fn full_point(witness: &serde_json::Value) -> serde_json::Value {
    let mut point = serde_json::json!({ "kinds": [], "n": 0, "flag": false });
    for (fact, value) in witness.as_object().unwrap() {
        point[fact.as_str()] = value.clone();
    }
    point
}

/// What `overlaps` finds, as pairs; each witness is checked on the way: the evaluator decides
/// it by the earlier rule, the later rule matches it, and their outcomes there are the ones
/// reported, and differ.
fn overlaps_found(table: &Table) -> BTreeSet<(String, String)> {
    let today = Date::parse("2026-01-01").unwrap();
    let found = overlaps(table).unwrap().expect("a small regime's overlaps are found");
    let mut pairs = BTreeSet::new();
    for o in found {
        let decision = table.evaluate(&Scenario::from_value(table, &o.witness, today).unwrap());
        assert_eq!(decision.rule.as_deref(), Some(o.earlier.as_str()), "witness {} of {o:?}", o.witness);
        let point = full_point(&o.witness);
        let by = table.rows.iter().find(|r| row_holds(&r.cells, &point)).unwrap();
        let own = table.rows.iter().find(|r| r.rule == o.rule && row_holds(&r.cells, &point));
        let own = own.unwrap_or_else(|| panic!("{} does not match the witness of {o:?}", o.rule));
        assert_eq!((by.written_outcome(), own.written_outcome()), (o.decided.clone(), o.instead.clone()), "{o:?}");
        assert_ne!(o.decided, o.instead, "{o:?}");
        assert!(pairs.insert((o.rule, o.earlier)), "a pair reported twice");
    }
    pairs
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn overlaps_agree_with_enumeration(text in regime()) {
        let tables = compile_text("random.accord", &text).unwrap();
        let table = &tables[0];
        prop_assert_eq!(overlaps_found(table), overlap_pairs(table), "regime:\n{}", text);
    }

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

#[test]
fn the_oracle_sees_overlaps() {
    let text = format!(
        "{VOCABULARY}
regime r \"Overlaps\" {{
  home A
  rule small \"Small\" cite \"1\" when n < 2 then permit
  rule flagged \"Flagged\" cite \"2\" when flag then prohibit
  rule k1 \"K1\" cite \"3\" when kinds has K1 then prohibit
  rule all \"All\" cite \"4\" when n >= 0 then require eu_scc
  rule dead \"Dead\" cite \"5\" when n >= 1 then permit
}}"
    );
    let table = &compile_text("overlaps.accord", &text).unwrap()[0];
    // `flagged` and `k1` agree where they meet, so neither notes the other; `all` is met by
    // each earlier rule with another outcome; `dead` never decides, so it has none.
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    let expected = BTreeSet::from([
        pair("flagged", "small"),
        pair("k1", "small"),
        pair("all", "small"),
        pair("all", "flagged"),
        pair("all", "k1"),
    ]);
    assert_eq!(overlap_pairs(table), expected);
    assert_eq!(overlaps_found(table), expected);
    // Where `flag` establishes `eu_scc`, both rules permit, one outright and one because the
    // clauses are in place: another outcome (the decision says what met it), though the
    // verdict is the same.
    let met = format!(
        "{VOCABULARY}
establish eu_scc \"Flagged transfers use the clauses\" cite \"6\" when flag
regime m \"Met\" {{
  home A
  rule flagged \"Flagged\" cite \"1\" when kinds has K1 and flag then permit
  rule scc \"SCC\" cite \"2\" when n >= 0 then require eu_scc
}}"
    );
    let table = &compile_text("met.accord", &met).unwrap()[0];
    assert!(table.rows.iter().any(|r| r.met.is_some()), "no row is met by facts");
    let expected = BTreeSet::from([pair("scc", "flagged")]);
    assert_eq!(overlap_pairs(table), expected);
    assert_eq!(overlaps_found(table), expected);
}

/// A regime whose overlaps take more than the search's budget gets one note saying they were
/// not checked, and none of its pairs: a note that lists some of them would read as all.
#[test]
fn overlaps_past_the_budget_are_said_to_be_unchecked() {
    // Rule `r{i}` decides `n == i - 1` alone, and every later rule matches it: about
    // 300 × 300 / 4 pairs with different outcomes, past the 20,000 steps.
    let mut text = format!("{VOCABULARY}\nregime big \"Big\" {{\n  home A\n");
    for i in 1..=300 {
        let then = if i % 2 == 0 { "permit" } else { "prohibit" };
        text.push_str(&format!("  rule r{i} \"R\" cite \"{i}\" when n < {i} then {then}\n"));
    }
    text.push_str("  default permit\n}\n");
    let table = &compile_text("big.accord", &text).unwrap()[0];
    assert_eq!(overlaps(table).unwrap(), None);
    let roots =
        vec![accord::source::Loaded { key: "big.accord".into(), name: "big.accord".into(), bytes: text.into_bytes() }];
    let checked = accord::check_and_verify(roots, &mut accord::source::MemoryLoader::default()).unwrap();
    let notes: Vec<&str> =
        checked.diagnostics.iter().filter(|d| d.code.as_str() == "I0307").map(|d| d.message.as_str()).collect();
    assert_eq!(notes, ["overlaps between the rules of regime `big` were not checked: it is too intricate"]);
}
