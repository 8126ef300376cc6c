//! The vocabulary's relations agree with brute force on small random vocabularies.
//!
//! Each case declares an enum `Kind` of four members with random `implies` clauses (cycles
//! included), random `establish` declarations for three mechanisms (by `flag` or by a kind),
//! which rules may also test with `established`,
//! a random strength order among them (a chain, so never a cycle), and two random regimes
//! over `destination`, `kinds` and `flag`. A model of the same declarations, kept here, decides
//! every point by the language's meaning: close the kinds under the implications, take the
//! first matching rule, and permit a `require` whose every group has an established
//! alternative. Then:
//!
//! - the evaluator closes a scenario exactly as the fixed point of the implications does, and
//!   the table's `implies` is that closure;
//! - the evaluator decides every point as the model does;
//! - `verify` finds a rule dead exactly when no consistent point reaches it, and a gap exactly
//!   when some consistent point is decided by nothing;
//! - the diff's regions hold exactly the consistent points where the models differ, each in
//!   one region of the group of its two outcomes; no witness is inconsistent; the agreement is
//!   the share of consistent points (each weighing one) where they agree; every group's class
//!   is the model's, by what meets each outcome and then by the declared order; and the
//!   families a group names are those (a random one, if declared) holding every mechanism of
//!   both outcomes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use accord::analysis::diff::{Class, Options, Side, diff};
use accord::analysis::{Engine, Finding, verify, verify_by};
use accord::compile::compile_text;
use accord::date::Date;
use accord::eval::{Scenario, Verdict};
use accord::table::{Cell, Table};
use common::canonical;
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const KINDS: [&str; 4] = ["K0", "K1", "K2", "K3"];
const PLACES: [&str; 3] = ["A", "B", "C"];
const MECHANISMS: [&str; 3] = ["eu_scc", "bcr", "sg_contract"];
/// The standard vocabulary's families of those mechanisms (`stdlib/relations.accord`).
const STANDARD_FAMILIES: [(&str, &[&str]); 2] =
    [("binding_corporate_rules", &["bcr"]), ("contractual_clauses", &["eu_scc", "sg_contract"])];

/// A condition of a rule or an establishment: one test.
#[derive(Debug, Clone, PartialEq)]
enum Atom {
    Has(usize),
    Lacks(usize),
    Flag(bool),
    To(usize),
    Always,
    /// `established m` (rules only).
    Established(usize),
}

impl Atom {
    fn text(&self) -> String {
        match self {
            Atom::Has(k) => format!("kinds has {}", KINDS[*k]),
            Atom::Lacks(k) => format!("not (kinds has {})", KINDS[*k]),
            Atom::Flag(true) => "flag".to_owned(),
            Atom::Flag(false) => "not flag".to_owned(),
            Atom::To(p) => format!("destination == {}", PLACES[*p]),
            Atom::Always => "true".to_owned(),
            Atom::Established(m) => format!("established {}", MECHANISMS[*m]),
        }
    }

    /// Whether the atom holds at `p`; `established` reads the case's establishments.
    fn holds(&self, case: &Case, p: &Point) -> bool {
        match self {
            Atom::Has(k) => p.kinds.contains(k),
            Atom::Lacks(k) => !p.kinds.contains(k),
            Atom::Flag(b) => p.flag == *b,
            Atom::To(place) => p.destination == *place,
            Atom::Always => true,
            Atom::Established(m) => case.established[*m].iter().any(|a| a.holds(case, p)),
        }
    }
}

/// What a rule decides: `None` permits, `Some(vec![])` prohibits, else `require` groups.
type Then = Option<Vec<Vec<usize>>>;

#[derive(Debug, Clone)]
struct Rule {
    when: Vec<Atom>,
    then: Then,
}

#[derive(Debug, Clone)]
struct Regime {
    rules: Vec<Rule>,
    default: bool,
}

#[derive(Debug, Clone)]
struct Case {
    /// For each kind, the kinds it implies directly.
    implies: Vec<Vec<usize>>,
    /// For each mechanism, the atoms that establish it (any of them).
    established: Vec<Vec<Atom>>,
    /// Mechanisms from heaviest to lightest, when an order is declared.
    order: Option<Vec<usize>>,
    /// The mechanisms of a family `kin`, when one is declared.
    family: Option<Vec<usize>>,
    a: Regime,
    b: Regime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Point {
    destination: usize,
    kinds: BTreeSet<usize>,
    flag: bool,
}

/// A decision as the model makes it: the verdict and, for `require`, canonical groups.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Decided {
    verdict: &'static str,
    require: Vec<Vec<String>>,
}

impl Case {
    /// The reference closure: apply the direct implications until nothing changes.
    fn close(&self, kinds: &BTreeSet<usize>) -> BTreeSet<usize> {
        let mut closed = kinds.clone();
        loop {
            let more: Vec<usize> =
                closed.iter().flat_map(|&k| self.implies[k].iter().copied()).filter(|k| !closed.contains(k)).collect();
            if more.is_empty() {
                return closed;
            }
            closed.extend(more);
        }
    }

    fn consistent(&self, kinds: &BTreeSet<usize>) -> bool {
        self.close(kinds) == *kinds
    }

    /// Every consistent point, each once.
    fn points(&self) -> Vec<Point> {
        let mut points = Vec::new();
        for destination in 0..PLACES.len() {
            for mask in 0..16u32 {
                let kinds: BTreeSet<usize> = (0..4).filter(|k| mask & (1 << k) != 0).collect();
                if !self.consistent(&kinds) {
                    continue;
                }
                for flag in [false, true] {
                    points.push(Point { destination, kinds: kinds.clone(), flag });
                }
            }
        }
        points
    }

    /// The first rule of `regime` that matches `p` (consistent), by index.
    fn rule_at(&self, regime: &Regime, p: &Point) -> Option<usize> {
        regime.rules.iter().position(|r| r.when.iter().all(|a| a.holds(self, p)))
    }

    fn decide(&self, regime: &Regime, p: &Point) -> Decided {
        if p.destination == 0 {
            return Decided { verdict: "out_of_scope", require: Vec::new() };
        }
        let Some(r) = self.rule_at(regime, p) else {
            return if regime.default {
                Decided { verdict: "permit", require: Vec::new() }
            } else {
                Decided { verdict: "undecided", require: Vec::new() }
            };
        };
        match &regime.rules[r].then {
            None => Decided { verdict: "permit", require: Vec::new() },
            Some(groups) if groups.is_empty() => Decided { verdict: "prohibit", require: Vec::new() },
            Some(groups) => {
                let established = |m: usize| self.established[m].iter().any(|a| a.holds(self, p));
                if groups.iter().all(|g| g.iter().any(|&m| established(m))) {
                    Decided { verdict: "permit", require: Vec::new() }
                } else {
                    let names: Vec<Vec<String>> =
                        groups.iter().map(|g| g.iter().map(|&m| MECHANISMS[m].to_owned()).collect()).collect();
                    Decided { verdict: "require", require: canonical(&names) }
                }
            }
        }
    }

    /// Whether requiring `x` weighs at least as much as requiring `y` under the declared chain.
    fn at_least(&self, x: &str, y: &str) -> bool {
        let rank = |m: &str| self.order.as_ref()?.iter().position(|&i| MECHANISMS[i] == m);
        x == y || matches!((rank(x), rank(y)), (Some(a), Some(b)) if a < b)
    }

    /// The reference class of two differing outcomes: verdict ranks, then what meets each
    /// `require`, then the order.
    fn class(&self, a: &Decided, b: &Decided) -> Class {
        let rank = |v: &str| ["out_of_scope", "permit", "require", "prohibit"].iter().position(|r| *r == v);
        let meets = |x: &[Vec<String>], y: &[Vec<String>]| {
            y.iter().all(|gy| x.iter().any(|gx| gx.iter().all(|m| gy.contains(m))))
        };
        let outweighs = |x: &[Vec<String>], y: &[Vec<String>]| {
            y.iter().all(|gy| x.iter().any(|gx| gx.iter().all(|m| gy.iter().any(|n| self.at_least(m, n)))))
        };
        let (Some(ra), Some(rb)) = (rank(a.verdict), rank(b.verdict)) else { return Class::Incomparable };
        if ra != rb {
            return if ra > rb { Class::AStricter } else { Class::BStricter };
        }
        if a.verdict != "require" {
            return Class::Incomparable;
        }
        match (meets(&a.require, &b.require), meets(&b.require, &a.require)) {
            (true, false) => Class::AStricter,
            (false, true) => Class::BStricter,
            (true, true) => Class::Incomparable,
            (false, false) => match (outweighs(&a.require, &b.require), outweighs(&b.require, &a.require)) {
                (true, false) => Class::AStricter,
                (false, true) => Class::BStricter,
                _ => Class::Incomparable,
            },
        }
    }

    /// The families every mechanism of both `require`s belongs to: the standard vocabulary's
    /// and the case's, by id.
    fn families(&self, a: &Decided, b: &Decided) -> Vec<String> {
        if a.verdict != "require" || b.verdict != "require" {
            return Vec::new();
        }
        let all: Vec<&String> = a.require.iter().chain(&b.require).flatten().collect();
        let mut families: Vec<(&str, Vec<&str>)> = STANDARD_FAMILIES.iter().map(|(f, m)| (*f, m.to_vec())).collect();
        if let Some(members) = &self.family {
            families.push(("kin", members.iter().map(|&i| MECHANISMS[i]).collect()));
        }
        families.sort();
        families
            .into_iter()
            .filter(|(_, members)| all.iter().all(|m| members.contains(&m.as_str())))
            .map(|(f, _)| f.to_owned())
            .collect()
    }

    fn text(&self) -> String {
        let mut out = String::from("enum Place { A B C }\nenum Kind {\n");
        for (k, implied) in self.implies.iter().enumerate() {
            let names: Vec<&str> = implied.iter().map(|&i| KINDS[i]).collect();
            let clause = if names.is_empty() { String::new() } else { format!(" implies {{{}}}", names.join(", ")) };
            out.push_str(&format!("  {} \"Kind {k}\"{clause}\n", KINDS[k]));
        }
        out.push_str("}\nfacts {\n  origin: Place\n  destination: Place\n  kinds: set<Kind>\n  flag: bool\n}\n");
        for (m, atoms) in self.established.iter().enumerate() {
            for atom in atoms {
                out.push_str(&format!(
                    "establish {} \"Established\" cite \"E{m}\" when {}\n",
                    MECHANISMS[m],
                    atom.text()
                ));
            }
        }
        if let Some(members) = &self.family {
            let names: Vec<&str> = members.iter().map(|&m| MECHANISMS[m]).collect();
            out.push_str(&format!("family kin \"Kin\" {{ {} }}\n", names.join(", ")));
        }
        if let Some(order) = &self.order {
            let chain: Vec<&str> = order.iter().map(|&m| MECHANISMS[m]).collect();
            out.push_str(&format!("strength order \"Order\" {{\n  cite \"[interp]\"\n  {}\n}}\n", chain.join(" > ")));
        }
        for (id, regime) in [("a", &self.a), ("b", &self.b)] {
            out.push_str(&format!("regime {id} \"Regime {id}\" {{\n  home A\n"));
            for (i, rule) in regime.rules.iter().enumerate() {
                let when: Vec<String> = rule.when.iter().map(Atom::text).collect();
                let then = match &rule.then {
                    None => "permit".to_owned(),
                    Some(groups) if groups.is_empty() => "prohibit".to_owned(),
                    Some(groups) => groups
                        .iter()
                        .map(|g| {
                            format!("require {}", g.iter().map(|&m| MECHANISMS[m]).collect::<Vec<_>>().join(" or "))
                        })
                        .collect::<Vec<_>>()
                        .join(" and "),
                };
                out.push_str(&format!("  rule r{i} \"R{i}\" cite \"S{i}\" when {} then {then}\n", when.join(" and ")));
            }
            if regime.default {
                out.push_str("  default permit\n");
            }
            out.push_str("}\n");
        }
        out
    }
}

fn atom() -> impl Strategy<Value = Atom> {
    prop_oneof![
        (0..4usize).prop_map(Atom::Has),
        (0..4usize).prop_map(Atom::Lacks),
        any::<bool>().prop_map(Atom::Flag),
        (1..3usize).prop_map(Atom::To),
        Just(Atom::Always),
        (0..3usize).prop_map(Atom::Established),
    ]
}

fn then() -> impl Strategy<Value = Then> {
    let group = prop::sample::subsequence(vec![0usize, 1, 2], 1..=2);
    prop_oneof![Just(None), Just(Some(Vec::new())), prop::collection::vec(group, 1..=2).prop_map(Some),]
}

fn regime() -> impl Strategy<Value = Regime> {
    let rule = (prop::collection::vec(atom(), 1..=2), then()).prop_map(|(when, then)| Rule { when, then });
    (prop::collection::vec(rule, 1..=5), prop::bool::weighted(0.8))
        .prop_map(|(rules, default)| Regime { rules, default })
}

fn case() -> impl Strategy<Value = Case> {
    let implies = prop::collection::vec(prop::sample::subsequence(vec![0usize, 1, 2, 3], 0..=2), 4);
    let established = prop::collection::vec(
        prop::collection::vec(prop_oneof![(0..4usize).prop_map(Atom::Has), any::<bool>().prop_map(Atom::Flag)], 0..=1),
        3,
    );
    let order = prop::option::of(Just(vec![0usize, 1, 2]).prop_shuffle());
    let family = prop::option::of(prop::sample::subsequence(vec![0usize, 1, 2], 1..=3));
    (implies, established, order, family, regime(), regime()).prop_map(
        |(implies, mut established, order, family, a, b)| {
            // `established m` needs a declaration that establishes `m`.
            for rule in a.rules.iter().chain(&b.rules) {
                for atom in &rule.when {
                    if let Atom::Established(m) = atom {
                        if established[*m].is_empty() {
                            established[*m].push(Atom::Flag(true));
                        }
                    }
                }
            }
            Case { implies, established, order, family, a, b }
        },
    )
}

fn scenario(p: &Point) -> Value {
    let kinds: Vec<&str> = p.kinds.iter().map(|&k| KINDS[k]).collect();
    json!({"destination": PLACES[p.destination], "kinds": kinds, "flag": p.flag})
}

fn evaluated(table: &Table, p: &Point) -> Decided {
    let today = Date::parse("2026-01-01").unwrap();
    let d = table.evaluate(&Scenario::from_value(table, &scenario(p), today).unwrap());
    Decided {
        verdict: match d.verdict {
            Verdict::Permit => "permit",
            Verdict::Require => "require",
            Verdict::Prohibit => "prohibit",
            Verdict::OutOfScope => "out_of_scope",
            Verdict::Undecided => "undecided",
        },
        require: canonical(&d.require),
    }
}

/// Whether a region's cells (read here, not by the engine) admit a point.
fn inside(when: &BTreeMap<String, Cell>, p: &Point) -> bool {
    when.iter().all(|(fact, cell)| match (fact.as_str(), cell) {
        ("destination", Cell::Enum { members }) => members.iter().any(|m| &**m == PLACES[p.destination]),
        ("kinds", Cell::Set { has, lacks }) => {
            let holds = |m: &str| p.kinds.iter().any(|&k| KINDS[k] == m);
            has.iter().all(|m| holds(m)) && !lacks.iter().any(|m| holds(m))
        }
        ("flag", Cell::Bool { is }) => p.flag == *is,
        other => panic!("a cell this test does not read: {other:?}"),
    })
}

fn point_of(witness: &Value) -> Point {
    let place = witness["destination"].as_str().unwrap();
    let kinds = witness.get("kinds").and_then(Value::as_array).cloned().unwrap_or_default();
    Point {
        destination: PLACES.iter().position(|p| *p == place).unwrap(),
        kinds: kinds.iter().map(|k| KINDS.iter().position(|n| *n == k.as_str().unwrap()).unwrap()).collect(),
        flag: witness.get("flag").and_then(Value::as_bool).unwrap_or(false),
    }
}

fn holds(case: &Case) -> Result<(), TestCaseError> {
    let text = case.text();
    let tables = compile_text("relations.accord", &text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
    let (ta, tb) = (&tables[0], &tables[1]);

    // Closure: the evaluator adds exactly what the fixed point adds, and the table states the
    // transitive closure.
    let today = Date::parse("2026-01-01").unwrap();
    for mask in 0..16u32 {
        let given: BTreeSet<usize> = (0..4).filter(|k| mask & (1 << k) != 0).collect();
        let p = Point { destination: 1, kinds: given.clone(), flag: false };
        let explained = ta.explain(&Scenario::from_value(ta, &scenario(&p), today).unwrap());
        let mut closed = given.clone();
        closed.extend(explained.implied.iter().map(|i| KINDS.iter().position(|k| *k == i.member).unwrap()));
        prop_assert_eq!(&closed, &case.close(&given), "closure of {:?}\n{}", given, text);
    }
    for (k, _) in KINDS.iter().enumerate() {
        let stated: BTreeSet<usize> = ta
            .relations
            .implies
            .iter()
            .filter(|i| &*i.member == KINDS[k])
            .flat_map(|i| i.implies.iter().map(|m| KINDS.iter().position(|n| **n == **m).unwrap()))
            .collect();
        let mut reference = case.close(&BTreeSet::from([k]));
        reference.remove(&k);
        // A member on a cycle implies itself; the table leaves that out.
        prop_assert_eq!(&stated, &reference, "`{}` implies\n{}", KINDS[k], text);
    }

    // Decisions.
    let points = case.points();
    for p in &points {
        prop_assert_eq!(evaluated(ta, p), case.decide(&case.a, p), "a on {:?}\n{}", p, text);
        prop_assert_eq!(evaluated(tb, p), case.decide(&case.b, p), "b on {:?}\n{}", p, text);
    }

    // Verification over consistent points only, by each engine.
    for engine in [Engine::Diagrams, Engine::Clauses] {
        let findings = verify_by(ta, engine).unwrap().unwrap();
        let in_scope: Vec<&Point> = points.iter().filter(|p| p.destination != 0).collect();
        for (i, _) in case.a.rules.iter().enumerate() {
            let reached = in_scope.iter().any(|p| case.rule_at(&case.a, p) == Some(i));
            let id = format!("r{i}");
            // A rule whose condition holds nowhere compiles to no row (`accord check` reports it
            // from the regime; the table's verification cannot see it).
            let reported = !ta.rows.iter().any(|r| r.rule == id)
                || findings.iter().any(|f| match f {
                    Finding::DeadRule { rule, .. } | Finding::SameCondition { rule, .. } => *rule == id,
                    _ => false,
                });
            prop_assert_eq!(reported, !reached, "{:?}: rule r{} dead: {:?}\n{}", engine, i, findings, text);
        }
        let gap = !case.a.default && in_scope.iter().any(|p| case.rule_at(&case.a, p).is_none());
        let gap_reported = findings.iter().find_map(|f| match f {
            Finding::Gap { witness } => Some(witness.clone()),
            _ => None,
        });
        prop_assert_eq!(gap_reported.is_some(), gap, "gap: {:?}\n{}", findings, text);
        if let Some(witness) = gap_reported {
            let p = point_of(&witness);
            prop_assert!(case.consistent(&p.kinds), "an inconsistent gap witness {}\n{}", witness, text);
            prop_assert_eq!(case.rule_at(&case.a, &p), None, "the witness {} is decided\n{}", witness, text);
        }
    }

    // The diff.
    let report = diff(Side::new(ta), Side::new(tb), &Options::default()).unwrap();
    let mut differing = 0usize;
    for p in &points {
        let (da, db) = (case.decide(&case.a, p), case.decide(&case.b, p));
        let holding: Vec<_> = report
            .groups
            .iter()
            .flat_map(|g| g.regions.iter().map(move |r| (g, r)))
            .filter(|(_, r)| inside(r.when.as_ref().unwrap(), p))
            .collect();
        if da == db {
            prop_assert!(holding.is_empty(), "{:?}: decided alike, yet in a region\n{}", p, text);
            continue;
        }
        differing += 1;
        prop_assert_eq!(holding.len(), 1, "{:?}: {:?} vs {:?} in {} regions\n{}", p, da, db, holding.len(), text);
        let group = holding[0].0;
        let outcome = |o: &accord::analysis::diff::Outcome| Decided {
            verdict: o.verdict.as_str(),
            require: canonical(&o.require),
        };
        prop_assert_eq!((outcome(&group.a), outcome(&group.b)), (da.clone(), db.clone()), "{:?}\n{}", p, text);
        prop_assert_eq!(group.class, case.class(&da, &db), "class of {:?} vs {:?}\n{}", da, db, text);
        prop_assert_eq!(&group.families, &case.families(&da, &db), "families of {:?} vs {:?}\n{}", da, db, text);
    }
    let agreement = 1.0 - differing as f64 / points.len() as f64;
    prop_assert!(
        (report.totals.agreement - agreement).abs() < 1e-9,
        "agreement {} reported, {} counted\n{}",
        report.totals.agreement,
        agreement,
        text
    );
    for group in &report.groups {
        for region in &group.regions {
            let p = point_of(&region.witness);
            prop_assert!(case.consistent(&p.kinds), "an inconsistent witness {}\n{}", region.witness, text);
        }
    }
    Ok(())
}

fn config() -> ProptestConfig {
    #[allow(clippy::disallowed_methods)] // a test may read its own configuration
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn relations_agree_with_brute_force(case in case()) {
        holds(&case)?;
    }
}

/// One hand-written case, so that a failure of the property has a fixed neighbour: K1 implies
/// K0, the rule for K1 without K0 can never decide, and the order ranks `eu_scc` above `bcr`.
#[test]
fn a_rule_only_inconsistent_points_reach_is_dead() {
    let case = Case {
        implies: vec![vec![], vec![0], vec![], vec![]],
        established: vec![vec![], vec![Atom::Flag(true)], vec![]],
        order: Some(vec![0, 1, 2]),
        family: Some(vec![0, 1]),
        a: Regime {
            rules: vec![
                Rule { when: vec![Atom::Has(1), Atom::Lacks(0)], then: Some(Vec::new()) },
                Rule { when: vec![Atom::Always], then: Some(vec![vec![0]]) },
            ],
            default: true,
        },
        b: Regime { rules: vec![Rule { when: vec![Atom::Always], then: Some(vec![vec![1]]) }], default: true },
    };
    holds(&case).unwrap();
    let tables = compile_text("relations.accord", &case.text()).unwrap();
    assert!(verify(&tables[0]).unwrap().iter().any(|f| matches!(f, Finding::DeadRule { rule, .. } if rule == "r0")));
    let report = diff(Side::new(&tables[0]), Side::new(&tables[1]), &Options::default()).unwrap();
    let ranked = report.groups.iter().find(|g| g.a.text() == "require eu_scc" && g.b.text() == "require bcr").unwrap();
    assert_eq!((ranked.class, ranked.class_by.as_slice()), (Class::AStricter, &["order".to_owned()][..]));
}
