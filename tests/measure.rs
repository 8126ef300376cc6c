//! Shares depend on what regimes decide, never on how they are written.
//!
//! Random regimes A and B are written over the standard vocabulary (so the standard weights
//! apply): rules test data categories, the recipient, the destination, volumes of individuals
//! and the transfer date, with random outcomes and a random default. A′ is A rewritten in a way
//! that changes no decision but changes what the diff's space is cut by:
//!
//! - a rule inserted right after another, whose condition is that rule's and one more test (so
//!   it never decides), bringing new thresholds and members into the space;
//! - a rule split in two: the same condition with one more test, then the rule itself;
//! - a rule before the default, deciding as the default does.
//!
//! Then A and A′ decide every transfer alike (their diff is empty), and A′ gives the same
//! agreement, stricter and incomparable shares against B as A does, to within rounding (the
//! sums run in another order). A second property: an accord that accepts substitutes for a
//! mechanism no rule requires changes no figure. And the standard `id` with an inert rule
//! against `sg`, the case the issue that asked for this measure reported.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use accord::analysis::diff::{Diff, Options, Side, diff};
use accord::compile::accords::{Acceptance, Accord};
use accord::compile::compile_text;
use accord::table::Table;
use proptest::prelude::*;

/// Tests a rule may make, each on one fact.
const ATOMS: &[&str] = &[
    "data has health",
    "data has biometric",
    "not (data has financial_account)",
    "data has employee",
    "data has important",
    "recipient has processor",
    "recipient has same_group",
    "destination in {US, CN}",
    "destination == JP",
    "individuals_ytd >= 10_000",
    "individuals_ytd >= 1_000_000",
    "sensitive_individuals_ytd >= 1_000",
    "date >= 2024-03-22",
    "date < 2022-01-01",
];

/// Tests only a rewrite adds: new members and thresholds the regimes never use.
const FRESH: &[&str] = &[
    "data has genetic",
    "data has core",
    "individuals_ytd >= 7_777",
    "individuals_ytd < 123",
    "sensitive_individuals_ytd >= 5",
    "date >= 2023-07-10",
    "recipient has bcr_bound",
    "destination == FR",
    "exporter has ciio",
];

const OUTCOMES: &[&str] = &[
    "permit",
    "prohibit",
    "require eu_scc",
    "require eu_scc or bcr",
    "require sg_contract",
    "require eu_scc and require bcr",
];

#[derive(Debug, Clone)]
struct Rule {
    when: String,
    then: &'static str,
}

#[derive(Debug, Clone)]
struct Regime {
    home: &'static str,
    rules: Vec<Rule>,
    default: &'static str,
}

impl Regime {
    fn text(&self, id: &str) -> String {
        let mut text = format!("regime {id} \"Regime {id}\" {{\n  home {}\n", self.home);
        for (i, r) in self.rules.iter().enumerate() {
            text.push_str(&format!("  rule r{i} \"Rule {i}\" cite \"Art. {i}\" when {} then {}\n", r.when, r.then));
        }
        text.push_str(&format!("  default {}\n}}\n", self.default));
        text
    }
}

fn condition() -> impl Strategy<Value = String> {
    let atom = || prop::sample::select(ATOMS);
    prop_oneof![
        atom().prop_map(str::to_owned),
        (atom(), atom()).prop_map(|(x, y)| format!("{x} and {y}")),
        (atom(), atom()).prop_map(|(x, y)| format!("{x} or {y}")),
    ]
}

fn regime(home: &'static str) -> impl Strategy<Value = Regime> {
    let rule = (condition(), prop::sample::select(OUTCOMES)).prop_map(|(when, then)| Rule { when, then });
    (prop::collection::vec(rule, 1..=5), prop::sample::select(OUTCOMES)).prop_map(move |(rules, default)| Regime {
        home,
        rules,
        default,
    })
}

/// A rewrite of a regime that changes no decision.
#[derive(Debug, Clone)]
enum Rewrite {
    /// After rule `at`, a rule with its condition and `extra`, deciding `then`.
    Covered { at: usize, extra: &'static str, then: &'static str },
    /// Rule `at` split: its condition and `extra` first, then itself.
    Split { at: usize, extra: &'static str },
    /// Before the default, a rule deciding as the default does.
    AsDefault { when: &'static str },
}

impl Rewrite {
    fn apply(&self, r: &Regime) -> Regime {
        let mut out = r.clone();
        match self {
            Rewrite::Covered { at, extra, then } => {
                let at = at % r.rules.len();
                let when = format!("({}) and {extra}", r.rules[at].when);
                out.rules.insert(at + 1, Rule { when, then });
            }
            Rewrite::Split { at, extra } => {
                let at = at % r.rules.len();
                let first = Rule { when: format!("({}) and {extra}", r.rules[at].when), then: r.rules[at].then };
                out.rules.insert(at, first);
            }
            Rewrite::AsDefault { when } => out.rules.push(Rule { when: (*when).to_owned(), then: r.default }),
        }
        out
    }
}

fn rewrite() -> impl Strategy<Value = Vec<Rewrite>> {
    let fresh = || prop::sample::select(FRESH);
    let one = prop_oneof![
        (any::<usize>(), fresh(), prop::sample::select(OUTCOMES)).prop_map(|(at, extra, then)| Rewrite::Covered {
            at,
            extra,
            then
        }),
        (any::<usize>(), fresh()).prop_map(|(at, extra)| Rewrite::Split { at, extra }),
        fresh().prop_map(|when| Rewrite::AsDefault { when }),
    ];
    prop::collection::vec(one, 1..=3)
}

fn compile(text: &str) -> Vec<Table> {
    compile_text("measure.accord", text).unwrap_or_else(|e| panic!("{e:?}\n{text}"))
}

/// The figures a regulator reads from a diff.
fn figures(d: &Diff) -> [f64; 4] {
    [d.totals.agreement, d.totals.a_stricter, d.totals.b_stricter, d.totals.incomparable]
}

fn assert_same(x: [f64; 4], y: [f64; 4], what: &str) -> Result<(), TestCaseError> {
    for (a, b) in x.iter().zip(&y) {
        prop_assert!((a - b).abs() <= 1e-12, "{what}: {x:?} against {y:?}");
    }
    Ok(())
}

fn config() -> ProptestConfig {
    #[allow(clippy::disallowed_methods)] // a test may read its own configuration
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64);
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_rewrite_that_decides_alike_gives_the_same_shares(
        a in regime("SG"),
        b in regime("MY"),
        rewrites in rewrite(),
    ) {
        let mut a2 = a.clone();
        for r in &rewrites {
            a2 = r.apply(&a2);
        }
        let text = format!("{}{}{}", a.text("a"), a2.text("a2"), b.text("b"));
        let tables = compile(&text);
        let (ta, ta2, tb) = (&tables[0], &tables[1], &tables[2]);
        let same = diff(Side::new(ta), Side::new(ta2), &Options::default()).unwrap();
        prop_assert!(same.groups.is_empty(), "the rewrite changed a decision:\n{text}");
        let before = diff(Side::new(ta), Side::new(tb), &Options::default()).unwrap();
        let after = diff(Side::new(ta2), Side::new(tb), &Options::default()).unwrap();
        assert_same(figures(&before), figures(&after), &format!("A against B, then A′ against B\n{text}"))?;
        let reversed = diff(Side::new(tb), Side::new(ta2), &Options::default()).unwrap();
        let [agree, a_stricter, b_stricter, incomparable] = figures(&before);
        assert_same([agree, b_stricter, a_stricter, incomparable], figures(&reversed), &format!("B against A′\n{text}"))?;
    }

    #[test]
    fn an_accord_that_acts_nowhere_changes_no_figure(a in regime("SG"), b in regime("MY")) {
        let text = format!("{}{}", a.text("a"), b.text("b"));
        let tables = compile(&text);
        // No rule of either side requires `jp_designated_country`: accepting anything for it
        // resolves nothing, on any date.
        let inert = Accord {
            id: "inert".into(),
            title: "Accepts substitutes for a mechanism nobody requires".into(),
            cite: vec!["none".into()],
            ranges: vec![(
                Some(accord::date::Date::parse("2023-01-01").unwrap().days()),
                Some(accord::date::Date::parse("2025-06-01").unwrap().days()),
            )],
            scope: None,
            accepts: ["a", "b"]
                .iter()
                .map(|r| Acceptance {
                    regime: (*r).into(),
                    mechanisms: vec!["eu_scc".into(), "bcr".into()],
                    as_mechanism: "jp_designated_country".into(),
                })
                .collect(),
        };
        let plain = diff(Side::new(&tables[0]), Side::new(&tables[1]), &Options::default()).unwrap();
        let with = Options { accords: vec![inert], ..Options::default() };
        let accorded = diff(Side::new(&tables[0]), Side::new(&tables[1]), &with).unwrap();
        assert_same(figures(&plain), figures(&accorded), &text)?;
        prop_assert_eq!(accorded.totals.resolved, 0.0);
        prop_assert_eq!(plain.groups.len(), accorded.groups.len());
    }
}

/// The case reported: `id` and a copy of `id` with one rule that decides nothing new agree
/// with `sg` alike.
#[test]
fn a_standard_regime_with_an_inert_rule_agrees_with_sg_as_before() {
    let id = accord::stdlib::regime("id").unwrap().text;
    let close = id.rfind('}').unwrap();
    // A rule that can never decide: genetic data is personal data, which the cascade before it
    // decides from its start (2024-10-17).
    let copy = format!(
        "{}  rule inert \"Decides nothing\" cite \"none\" when data has genetic and individuals_ytd >= 4_321 and \
         date >= 2024-11-01 then prohibit\n{}",
        &id[..close],
        &id[close..]
    )
    .replacen("regime id ", "regime id_copy ", 1);
    let tables = compile(&copy);
    let copy = &tables[0];
    let sg = compile(accord::stdlib::regime("sg").unwrap().text).remove(0);
    let original = compile(id).remove(0);
    let same = diff(Side::new(&original), Side::new(copy), &Options::default()).unwrap();
    assert!(same.groups.is_empty(), "the copy decides differently");
    let before = diff(Side::new(&sg), Side::new(&original), &Options::default()).unwrap();
    let after = diff(Side::new(&sg), Side::new(copy), &Options::default()).unwrap();
    for (x, y) in figures(&before).iter().zip(figures(&after)) {
        assert!((x - y).abs() <= 1e-12, "{:?} against {:?}", figures(&before), figures(&after));
    }
}
