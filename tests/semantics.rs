//! The standard test of the compiler and the evaluator: a compiled table must decide every
//! scenario exactly as the meaning of the language (the design, §3) says.
//!
//! Two independent readings of that meaning serve as oracles:
//!
//! - a **reference interpreter** over the checked program (`ir::Regime` and `ir::Program`):
//!   it reads conditions recursively (a `let` is its condition), treats a rule's `effective`
//!   range as a test on the date, decides scope from `home`, takes the first matching rule,
//!   else the default (a gap, with no rule and no default, is `undecided`, as the evaluator
//!   says), and collects every matching obligation once, in declaration order. It uses
//!   nothing from `accord::compile` or `accord::eval`;
//! - the **generator's own reading** of the text it wrote (named sets with timed members,
//!   comparisons with the fact on either side, `!=`, lists, ranges, `has any`/`has all`), which
//!   also checks how the checker lowers surface syntax into the typed program.
//!
//! The property generates Accord source text (a small vocabulary: a few jurisdictions, data
//! categories, exporter traits, two counts, the date, two bools, and an enum and fact declared
//! in the text itself), runs the whole pipeline (parse → check → compile → evaluate, also after
//! a JSON round trip of the table) on many scenarios chosen around every boundary the regime
//! mentions, and requires verdict, deciding rule, `require` groups and obligations to agree. It
//! also checks that the typed program keeps the promises of `ir.rs` the compiler relies on
//! (sorted member lists, sorted disjoint intervals). Hand-written cases pin the main rules of
//! the semantics against both the reference and the compiled table.
//!
//! `PROPTEST_CASES` sets the number of generated regimes (default 400, each with 20 to 40
//! scenarios).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)]

use accord::check::ir::{self, FactId, RegimeId, Type};
use accord::check::{self, Checked};
use accord::compile::Failed;
use accord::date::Date;
use accord::diagnostics::{self, Code};
use accord::eval::Scenario;
use accord::source::MemoryLoader;
use accord::table::Table;
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use proptest::strategy::Union;
use proptest::test_runner::TestCaseError;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

// ── what a decision is, for comparing ───────────────────────────────────────────────────────

/// The parts of a decision the semantics fixes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decided {
    verdict: &'static str,
    rule: Option<String>,
    require: Vec<Vec<String>>,
    /// The indices of the groups of `require` that are cascades.
    ordered: Vec<usize>,
    obligations: Vec<String>,
    /// Obligations `upon` an alternative of `require`, by the alternative.
    if_chosen: BTreeMap<String, Vec<String>>,
}

fn out_of_scope() -> Decided {
    Decided {
        verdict: "out_of_scope",
        rule: None,
        require: Vec::new(),
        ordered: Vec::new(),
        obligations: Vec::new(),
        if_chosen: BTreeMap::new(),
    }
}

/// The obligations of a decision with `require` (empty when nothing is required), from the
/// obligations that apply, each with the mechanisms it comes `upon` (none: in any case), in
/// declaration order: as the design says, an obligation `upon` mechanisms comes only as a
/// choice among the alternatives still to meet, and is not listed under a choice when it
/// comes in any case.
fn duties(applying: &[(String, Vec<String>)], require: &[Vec<String>]) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
    let mut obligations: Vec<String> = Vec::new();
    for (name, _) in applying.iter().filter(|(_, upon)| upon.is_empty()) {
        if !obligations.contains(name) {
            obligations.push(name.clone());
        }
    }
    let mut if_chosen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, upon) in applying.iter().filter(|(n, _)| !obligations.contains(n)) {
        for m in upon.iter().filter(|m| require.iter().flatten().any(|x| x == *m)) {
            let list = if_chosen.entry(m.clone()).or_default();
            if !list.contains(name) {
                list.push(name.clone());
            }
        }
    }
    (obligations, if_chosen)
}

// ── the reference interpreter ───────────────────────────────────────────────────────────────

/// A fact's value, as the reference reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Fact {
    Bool(bool),
    /// A count, or a date as its day number.
    Number(i64),
    Member(ir::MemberId),
    Set(BTreeSet<ir::MemberId>),
    /// An enum fact the scenario leaves out.
    Omitted,
}

/// The values of a regime's facts, by [`FactId`].
struct Facts(Vec<(FactId, Fact)>);

impl Facts {
    fn get(&self, fact: FactId) -> &Fact {
        &self.0.iter().find(|(f, _)| *f == fact).unwrap_or_else(|| panic!("no value for fact {fact:?}")).1
    }

    /// Reads a scenario as the design (§4) says: omitted sets are empty, counts 0, bools false,
    /// `date` today; enum facts (`origin`, `destination`, …) have no default.
    fn read(program: &ir::Program, regime: &ir::Regime, scenario: &Value, today: Date) -> Facts {
        let object = scenario.as_object().expect("a scenario is an object");
        for key in object.keys() {
            assert!(
                regime.facts.iter().any(|&f| program.facts[f.index()].name == *key),
                "the scenario gives `{key}`, which is not a fact"
            );
        }
        let member = |e: ir::EnumId, name: &str| -> ir::MemberId {
            let position = program.enums[e.index()].members.iter().position(|m| m.name == name);
            ir::MemberId(u32::try_from(position.unwrap_or_else(|| panic!("`{name}` is not a member"))).unwrap())
        };
        let mut values = Vec::new();
        for &fact in &regime.facts {
            let def = &program.facts[fact.index()];
            let given = object.get(&def.name);
            let value = match (def.ty, given) {
                (Type::Bool, None) => Fact::Bool(false),
                (Type::Bool, Some(v)) => Fact::Bool(v.as_bool().unwrap()),
                (Type::Count, None) => Fact::Number(0),
                (Type::Count, Some(v)) => Fact::Number(i64::try_from(v.as_u64().unwrap()).unwrap()),
                (Type::Date, None) => Fact::Number(today.days()),
                (Type::Date, Some(v)) => Fact::Number(Date::parse(v.as_str().unwrap()).unwrap().days()),
                (Type::Enum(e), Some(v)) => Fact::Member(member(e, v.as_str().unwrap())),
                // An enum fact has no default: reading it is an error (see `test_holds`).
                (Type::Enum(_), None) => Fact::Omitted,
                (Type::Set(_), None) => Fact::Set(BTreeSet::new()),
                (Type::Set(e), Some(v)) => {
                    let mut set: BTreeSet<ir::MemberId> =
                        v.as_array().unwrap().iter().map(|m| member(e, m.as_str().unwrap())).collect();
                    // Closed under the vocabulary's implications, one step at a time to a
                    // fixed point.
                    loop {
                        let implied: Vec<ir::MemberId> = set
                            .iter()
                            .flat_map(|m| program.enums[e.index()].members[m.index()].implies.iter().copied())
                            .filter(|n| !set.contains(n))
                            .collect();
                        if implied.is_empty() {
                            break;
                        }
                        set.extend(implied);
                    }
                    Fact::Set(set)
                }
            };
            values.push((fact, value));
        }
        Facts(values)
    }
}

/// Whether a typed condition holds.
fn holds(program: &ir::Program, cond: &ir::Cond, facts: &Facts) -> bool {
    match cond {
        ir::Cond::Const(b) => *b,
        ir::Cond::And(parts) => parts.iter().all(|p| holds(program, p, facts)),
        ir::Cond::Or(parts) => parts.iter().any(|p| holds(program, p, facts)),
        ir::Cond::Not(inner) => !holds(program, inner, facts),
        ir::Cond::Let(id) => holds(program, &program.lets[id.index()].cond, facts),
        ir::Cond::Established(m) => {
            program.establishments.iter().filter(|e| e.mechanism == *m).any(|e| holds(program, &e.when, facts))
        }
        ir::Cond::Test(test) => test_holds(&test.pred, facts.get(test.fact)),
    }
}

fn within(interval: ir::Interval, n: i64) -> bool {
    interval.lo <= n && interval.hi.is_none_or(|hi| n < hi)
}

fn test_holds(pred: &ir::Pred, value: &Fact) -> bool {
    match (pred, value) {
        (ir::Pred::Bool(b), Fact::Bool(v)) => b == v,
        (ir::Pred::OneOf(members), Fact::Member(m)) => members.contains(m),
        (ir::Pred::InRanges(ranges), Fact::Number(n)) => ranges.iter().any(|&r| within(r, *n)),
        (ir::Pred::HasAny(members), Fact::Set(present)) => members.iter().any(|m| present.contains(m)),
        (ir::Pred::HasAll(members), Fact::Set(present)) => members.iter().all(|m| present.contains(m)),
        (pred, value) => panic!("{pred:?} tests a fact whose value is {value:?}"),
    }
}

/// Whether a rule dated `effective` applies on the scenario's date.
fn in_effect(regime: &ir::Regime, effective: Option<ir::Interval>, facts: &Facts) -> bool {
    match effective {
        None => true,
        Some(range) => {
            let date = regime.vocabulary.date.expect("`effective` needs the date fact");
            match facts.get(date) {
                Fact::Number(day) => within(range, *day),
                other => panic!("the date is {other:?}"),
            }
        }
    }
}

/// The verdict where no rule matches and there is no default: a gap, which `accord check`
/// reports and evaluation calls undecided.
const GAP: &str = "undecided";

/// What the regime decides, read directly from the checked program.
fn reference(program: &ir::Program, regime: &ir::Regime, facts: &Facts) -> Decided {
    let member = |fact: Option<FactId>| match facts.get(fact.expect("scope facts")) {
        Fact::Member(m) => *m,
        other => panic!("a jurisdiction is {other:?}"),
    };
    let (origin, destination) = (member(regime.vocabulary.origin), member(regime.vocabulary.destination));
    if !regime.home.contains(&origin) || regime.home.contains(&destination) {
        return out_of_scope();
    }
    let name = |e: Option<ir::EnumId>, m: ir::MemberId| program.member_name(e.unwrap(), m).to_owned();
    let outcome = |o: &ir::Outcome| match o {
        ir::Outcome::Permit => ("permit", Vec::new(), Vec::new()),
        ir::Outcome::Prohibit => ("prohibit", Vec::new(), Vec::new()),
        ir::Outcome::Require(groups) => (
            "require",
            groups
                .iter()
                .map(|g| g.alternatives.iter().map(|&m| name(regime.vocabulary.mechanism, m)).collect())
                .collect(),
            groups.iter().enumerate().filter(|(_, g)| g.ordered).map(|(i, _)| i).collect(),
        ),
    };
    let first = regime.rules.iter().find(|r| in_effect(regime, r.effective, facts) && holds(program, &r.when, facts));
    let ((verdict, require, ordered), rule) = match (first, &regime.default) {
        (Some(rule), _) => (outcome(&rule.then), Some(rule.id.clone())),
        (None, Some(default)) => (outcome(default), None),
        // A gap: `accord check` reports it; evaluation says so.
        (None, None) => ((GAP, Vec::new(), Vec::new()), None),
    };
    let applying: Vec<(String, Vec<String>)> = regime
        .obligations
        .iter()
        .filter(|o| in_effect(regime, o.effective, facts) && holds(program, &o.when, facts))
        .map(|o| {
            let upon = o.upon.iter().map(|&m| name(regime.vocabulary.mechanism, m)).collect();
            (name(regime.vocabulary.obligation, o.obligation), upon)
        })
        .collect();
    let (obligations, if_chosen) = duties(&applying, &require);
    Decided { verdict, rule, require, ordered, obligations, if_chosen }
}

// ── the pipeline ────────────────────────────────────────────────────────────────────────────

/// The id every generated and hand-written regime has.
const REGIME: &str = "generated";

fn check_text(text: &str) -> Checked {
    let checked = check::check_sources(vec![("generated.accord".into(), text.into())], &mut MemoryLoader::default())
        .expect("no internal error");
    assert!(
        !checked.has_errors(),
        "the regime must check clean:\n{text}\n{}",
        diagnostics::render_human(&checked.diagnostics, &checked.sources)
    );
    checked
}

fn regime_of(checked: &Checked) -> (RegimeId, &ir::Regime) {
    let (i, regime) = checked.program.regimes.iter().enumerate().find(|(_, r)| r.id == REGIME).expect("the regime");
    (RegimeId(u32::try_from(i).unwrap()), regime)
}

/// Compiles the regime; `None` when it is too large to compile (E0301).
fn compile(checked: &Checked, text: &str) -> Option<Table> {
    let (id, _) = regime_of(checked);
    match accord::compile::compile(&checked.program, id, &checked.sources) {
        Ok(table) => Some(table),
        Err(Failed::Input(errors)) if errors.iter().all(|d| d.code == Code::TooManyRows) => None,
        Err(Failed::Input(errors)) => {
            panic!("compile failed:\n{text}\n{}", diagnostics::render_human(&errors, &checked.sources))
        }
        Err(Failed::Internal(bug)) => panic!("compile failed: {bug}\n{text}"),
    }
}

fn evaluate(table: &Table, scenario: &Value, today: Date) -> Decided {
    let read = Scenario::from_value(table, scenario, today)
        .unwrap_or_else(|e| panic!("the scenario {scenario} does not read: {e:?}"));
    let d = table.evaluate(&read);
    Decided {
        verdict: d.verdict.as_str(),
        rule: d.rule,
        require: d.require,
        ordered: d.ordered,
        obligations: d.obligations,
        if_chosen: d.if_chosen,
    }
}

// ── hand-written cases ──────────────────────────────────────────────────────────────────────

/// Decides one scenario with the compiled table and with the reference, which must agree.
fn decide(text: &str, scenario: Value) -> Decided {
    let checked = check_text(text);
    let (_, regime) = regime_of(&checked);
    let table = compile(&checked, text).expect("small enough to compile");
    let today = Date::parse("2025-06-01").unwrap();
    let compiled = evaluate(&table, &scenario, today);
    let facts = Facts::read(&checked.program, regime, &scenario, today);
    let expected = reference(&checked.program, regime, &facts);
    assert_eq!(compiled, expected, "compiled table and reference disagree on {scenario}\n{text}");
    compiled
}

fn decided(verdict: &'static str, rule: Option<&str>, require: &[&[&str]], obligations: &[&str]) -> Decided {
    Decided {
        verdict,
        rule: rule.map(str::to_owned),
        require: require.iter().map(|g| g.iter().map(|m| (*m).to_owned()).collect()).collect(),
        ordered: Vec::new(),
        obligations: obligations.iter().map(|o| (*o).to_owned()).collect(),
        if_chosen: BTreeMap::new(),
    }
}

#[test]
fn a_cascade_keeps_its_order_and_an_obligation_upon_an_alternative_comes_only_with_it() {
    let text = r#"
        regime generated "Cascade" {
          home CN
          rule exempt "Exempt" cite "s0" when purpose has occasional then permit
          rule health "Health data" cite "s1" when data has health then require bcr, else eu_scc, else explicit_consent
          rule personal "Personal data" cite "s2" when data has personal then require eu_scc or apec_cbpr
          default permit
          oblige transfer_impact_assessment "Assess" cite "s3" upon eu_scc when data has personal
          oblige pipia "Assess the impact" cite "s4" upon bcr or apec_cbpr when data has personal
          oblige record_of_transfers "Record" cite "s5" when data has personal
          oblige separate_consent "Consent" cite "s6" upon cn_standard_contract when data has personal
        }
    "#;
    let chosen = |pairs: &[(&str, &[&str])]| -> BTreeMap<String, Vec<String>> {
        pairs.iter().map(|(m, os)| ((*m).to_owned(), os.iter().map(|o| (*o).to_owned()).collect())).collect()
    };
    // Written order kept, the group marked a cascade; each alternative brings its own duty.
    let health = decide(text, json!({"origin": "CN", "destination": "US", "data": ["personal", "health"]}));
    let mut expected =
        decided("require", Some("health"), &[&["bcr", "eu_scc", "explicit_consent"]], &["record_of_transfers"]);
    expected.ordered = vec![0];
    expected.if_chosen = chosen(&[("bcr", &["pipia"]), ("eu_scc", &["transfer_impact_assessment"])]);
    assert_eq!(health, expected);
    // `separate_consent` is upon a mechanism no alternative names: it never comes.
    let personal = decide(text, json!({"origin": "CN", "destination": "US", "data": ["personal"]}));
    let mut expected = decided("require", Some("personal"), &[&["eu_scc", "apec_cbpr"]], &["record_of_transfers"]);
    expected.if_chosen = chosen(&[("apec_cbpr", &["pipia"]), ("eu_scc", &["transfer_impact_assessment"])]);
    assert_eq!(personal, expected);
    // A transfer that needs no mechanism brings none of the duties that come with one.
    let scenario = json!({"origin": "CN", "destination": "US", "data": ["personal"], "purpose": ["occasional"]});
    assert_eq!(decide(text, scenario), decided("permit", Some("exempt"), &[], &["record_of_transfers"]));
}

#[test]
fn the_first_matching_rule_decides() {
    let text = r#"
        regime generated "First match" {
          home CN
          rule health "Health data" cite "s1" when data has health then prohibit
          rule personal "Personal data" cite "s2" when data has personal then require eu_scc or bcr and require apec_cbpr
          default permit
        }
    "#;
    let both = json!({"origin": "CN", "destination": "DE", "data": ["personal", "health"]});
    assert_eq!(decide(text, both), decided("prohibit", Some("health"), &[], &[]));
    let personal = json!({"origin": "CN", "destination": "DE", "data": ["personal"]});
    assert_eq!(
        decide(text, personal),
        decided("require", Some("personal"), &[&["eu_scc", "bcr"], &["apec_cbpr"]], &[])
    );
    let neither = json!({"origin": "CN", "destination": "DE"});
    assert_eq!(decide(text, neither), decided("permit", None, &[], &[]));
}

#[test]
fn not_binds_tighter_than_and_and_or_and_negates_a_parenthesised_or() {
    let text = r#"
        regime generated "Not over or" {
          home CN
          rule neither "Neither" cite "s1" when not (data has health or exporter has ciio) then prohibit
          rule loose "Not binds to the first test only" cite "s2"
            when not data has health or exporter has ciio and not data_collected_abroad
            then require eu_scc
          default permit
        }
    "#;
    let with = |data: &[&str], exporter: &[&str], abroad: bool| json!({"origin": "CN", "destination": "US", "data": data, "exporter": exporter, "data_collected_abroad": abroad});
    assert_eq!(decide(text, with(&[], &[], false)), decided("prohibit", Some("neither"), &[], &[]));
    // health: `neither` fails; `loose` reads (not health) or (ciio and not abroad).
    assert_eq!(decide(text, with(&["health"], &[], false)), decided("permit", None, &[], &[]));
    assert_eq!(
        decide(text, with(&["health"], &["ciio"], false)),
        decided("require", Some("loose"), &[&["eu_scc"]], &[])
    );
    assert_eq!(decide(text, with(&["health"], &["ciio"], true)), decided("permit", None, &[], &[]));
    // ciio without health: `neither` fails, `not data has health` holds.
    assert_eq!(decide(text, with(&[], &["ciio"], true)), decided("require", Some("loose"), &[&["eu_scc"]], &[]));
}

#[test]
fn has_any_needs_one_member_and_has_all_needs_every_member() {
    let text = r#"
        regime generated "Any and all" {
          home CN
          rule all_of "All" cite "s1" when data has all {health, genetic} then prohibit
          rule any_of "Any" cite "s2" when data has any {health, genetic} then require bcr
          rule empty_any "Any of nothing never holds" cite "s3" when data has any {} then prohibit
          rule empty_all "All of nothing always holds" cite "s4" when data has all {} then permit
        }
    "#;
    let data = |d: &[&str]| json!({"origin": "CN", "destination": "JP", "data": d});
    assert_eq!(decide(text, data(&["health", "genetic"])), decided("prohibit", Some("all_of"), &[], &[]));
    assert_eq!(decide(text, data(&["genetic"])), decided("require", Some("any_of"), &[&["bcr"]], &[]));
    assert_eq!(decide(text, data(&["health", "personal"])), decided("require", Some("any_of"), &[&["bcr"]], &[]));
    assert_eq!(decide(text, data(&["personal"])), decided("permit", Some("empty_all"), &[], &[]));
}

#[test]
fn a_timed_set_member_belongs_from_its_first_day_until_the_day_before_its_end() {
    let text = r#"
        set TIMED: Jurisdiction = { CH, JP effective 2019-01-23.., US effective ..2020-07-16 }
        regime generated "Timed members" {
          home DE
          rule listed "Listed destination" cite "s1" when destination in TIMED then permit
          default require eu_scc
        }
    "#;
    let to = |destination: &str, date: &str| json!({"origin": "DE", "destination": destination, "date": date});
    let permitted = decided("permit", Some("listed"), &[], &[]);
    let required = decided("require", None, &[&["eu_scc"]], &[]);
    assert_eq!(decide(text, to("CH", "2000-01-01")), permitted);
    assert_eq!(decide(text, to("JP", "2019-01-22")), required);
    assert_eq!(decide(text, to("JP", "2019-01-23")), permitted);
    assert_eq!(decide(text, to("US", "2020-07-15")), permitted);
    assert_eq!(decide(text, to("US", "2020-07-16")), required);
    // An omitted date is today (2025-06-01 in these cases).
    assert_eq!(decide(text, json!({"origin": "DE", "destination": "JP"})), permitted);
    assert_eq!(decide(text, json!({"origin": "DE", "destination": "US"})), required);
}

#[test]
fn a_rule_applies_only_while_it_is_effective() {
    let text = r#"
        regime generated "Effective rules" {
          home CN
          rule middle "Middle band" cite "s1" effective 2024-03-22..2026-01-01
            when individuals_ytd in 100_000..1_000_000 then require cn_standard_contract
          rule before "Before" cite "s2" when individuals_ytd >= 100_000 then require cn_security_assessment
          oblige pipia "Assess" cite "s3" effective ..2024-03-22 when individuals_ytd > 0
          default permit
        }
    "#;
    let at = |n: u64, date: &str| json!({"origin": "CN", "destination": "SG", "individuals_ytd": n, "date": date});
    let assessment = |o: &[&str]| decided("require", Some("before"), &[&["cn_security_assessment"]], o);
    assert_eq!(decide(text, at(100_000, "2024-03-21")), assessment(&["pipia"]));
    assert_eq!(
        decide(text, at(100_000, "2024-03-22")),
        decided("require", Some("middle"), &[&["cn_standard_contract"]], &[])
    );
    assert_eq!(decide(text, at(999_999, "2025-12-31")).rule.as_deref(), Some("middle"));
    assert_eq!(decide(text, at(999_999, "2026-01-01")), assessment(&[]));
    assert_eq!(decide(text, at(1_000_000, "2025-01-01")), assessment(&[]));
    assert_eq!(decide(text, at(99_999, "2024-03-21")), decided("permit", None, &[], &["pipia"]));
    assert_eq!(decide(text, at(0, "2024-03-21")), decided("permit", None, &[], &[]));
}

#[test]
fn out_of_scope_both_ways_with_no_obligations() {
    let text = r#"
        regime generated "Scope" {
          home {DE, FR}
          rule all "Everything" cite "s1" when true then prohibit
          oblige record_of_transfers "Record" cite "s2" when true
        }
    "#;
    let go = |origin: &str, destination: &str| json!({"origin": origin, "destination": destination});
    assert_eq!(decide(text, go("DE", "US")), decided("prohibit", Some("all"), &[], &["record_of_transfers"]));
    assert_eq!(decide(text, go("FR", "JP")), decided("prohibit", Some("all"), &[], &["record_of_transfers"]));
    // Leaving from outside home.
    assert_eq!(decide(text, go("US", "DE")), out_of_scope());
    assert_eq!(decide(text, go("CN", "JP")), out_of_scope());
    // Staying inside home.
    assert_eq!(decide(text, go("DE", "FR")), out_of_scope());
    assert_eq!(decide(text, go("DE", "DE")), out_of_scope());
}

#[test]
fn obligations_apply_whatever_the_verdict_each_once_in_declaration_order() {
    let text = r#"
        regime generated "Obligations" {
          home CN
          let sensitive = data has any {health, biometric}
          rule banned "Banned" cite "s1" when data has important then prohibit
          rule contract "Contract" cite "s2" when sensitive then require cn_standard_contract
          oblige separate_consent "Consent" cite "s3" when sensitive or data has personal
          oblige pipia "Assess" cite "s4" when data has personal or data has health
        }
    "#;
    let data = |d: &[&str]| json!({"origin": "CN", "destination": "US", "data": d});
    let both = ["separate_consent", "pipia"];
    assert_eq!(decide(text, data(&["important", "health"])), decided("prohibit", Some("banned"), &[], &both));
    // Biometric data is personal data (the vocabulary says so), so `pipia` applies too.
    assert_eq!(
        decide(text, data(&["biometric"])),
        decided("require", Some("contract"), &[&["cn_standard_contract"]], &both)
    );
    // No rule and no default: a gap, which evaluation reports as undecided.
    assert_eq!(decide(text, data(&["personal"])), decided(GAP, None, &[], &both));
    assert_eq!(decide(text, data(&[])), decided(GAP, None, &[], &[]));
}

#[test]
fn comparisons_with_the_fact_on_either_side_and_not_equal() {
    let text = r#"
        enum GTier { t1 t2 t3 }
        facts { tier: GTier }
        regime generated "Comparisons" {
          home JP
          rule a "a" cite "s" when 100 < individuals_ytd and tier != t1 then prohibit
          rule b "b" cite "s" when individuals_ytd <= 100 and DE == destination then permit
          rule c "c" cite "s" when date != 2024-03-22 and sensitive_individuals_ytd in {0, 7} then require bcr
          default require eu_scc
        }
    "#;
    let s = |n: u64, tier: &str, dest: &str, date: &str, sens: u64| {
        json!({"origin": "JP", "destination": dest, "individuals_ytd": n, "tier": tier, "date": date,
               "sensitive_individuals_ytd": sens})
    };
    assert_eq!(decide(text, s(101, "t2", "US", "2024-03-22", 1)).rule.as_deref(), Some("a"));
    assert_eq!(decide(text, s(101, "t1", "US", "2024-03-22", 1)).rule, None);
    assert_eq!(decide(text, s(100, "t2", "DE", "2024-03-22", 1)).rule.as_deref(), Some("b"));
    assert_eq!(decide(text, s(100, "t2", "FR", "2024-03-23", 7)).rule.as_deref(), Some("c"));
    assert_eq!(decide(text, s(100, "t2", "FR", "2024-03-22", 7)).rule, None);
    assert_eq!(decide(text, s(100, "t2", "FR", "2024-03-21", 6)).rule, None);
}

#[test]
fn a_table_reads_back_from_json_as_it_was_written() {
    let text = r#"
        enum GTier { t1 t2 t3 }
        facts { tier: GTier }
        regime generated "Every kind of cell" {
          home {CN, DE}
          rule r "r" cite "s" effective 2020-01-01..
            when individuals_ytd in 10..100 and date < 2024-03-22 and tier in {t1, t3}
             and data has health and not (data has genetic) and not data_collected_abroad and destination != US
            then require eu_scc or bcr and require apec_cbpr
          oblige pipia "o" cite "s" when sensitive_individuals_ytd >= 5
          default prohibit
        }
    "#;
    let checked = check_text(text);
    let table = compile(&checked, text).unwrap();
    let reread = Table::from_json(&table.to_json()).expect("the table reads back");
    assert_eq!(reread.rows, table.rows);
    assert_eq!(reread.obligations, table.obligations);
    assert_eq!(reread.default, table.default);
    assert_eq!(reread.to_json(), table.to_json());
}

// ── the generator ───────────────────────────────────────────────────────────────────────────

const JURISDICTIONS: &[&str] = &["CN", "DE", "FR", "JP", "US", "SG"];
const DATA: &[&str] = &["personal", "health", "biometric", "important", "genetic"];
/// The members of `DATA` that the standard vocabulary declares imply `personal`.
const IMPLY_PERSONAL: &[&str] = &["health", "biometric", "genetic"];

fn index_of(member: &str) -> usize {
    DATA.iter().position(|m| *m == member).unwrap()
}
const EXPORTER: &[&str] = &["ciio", "public_authority"];
const TIERS: &[&str] = &["t1", "t2", "t3"];
const MECHANISMS: &[&str] = &["eu_scc", "bcr", "apec_cbpr", "cn_standard_contract", "explicit_consent"];
const OBLIGATIONS: &[&str] = &["pipia", "separate_consent", "record_of_transfers", "transfer_impact_assessment"];

/// Enum facts and their (restricted) domains.
const ENUM_FACTS: &[(&str, &[&str])] = &[("origin", JURISDICTIONS), ("destination", JURISDICTIONS), ("tier", TIERS)];
/// Set facts and their (restricted) domains.
const SET_FACTS: &[(&str, &[&str])] = &[("data", DATA), ("exporter", EXPORTER)];
/// Ordered facts; the last is the date.
const ORD_FACTS: &[&str] = &["individuals_ytd", "sensitive_individuals_ytd", "date"];
const DATE_FACT: usize = 2;
const BOOL_FACTS: &[&str] = &["data_collected_abroad", "on_ftz_negative_list"];

/// The named sets every generated file declares: name, element enum, domain.
const SETS: &[(&str, &str, &[&str])] = &[
    ("G_NEAR", "Jurisdiction", JURISDICTIONS),
    ("G_WIDE", "Jurisdiction", JURISDICTIONS),
    ("G_SENS", "DataCategory", DATA),
    ("G_TIERS", "GTier", TIERS),
];
/// `G_WIDE` may include `G_NEAR`.
const WIDE: usize = 1;
const NEAR: usize = 0;

/// Dates that regimes are likely to share, so that boundaries meet and overlap.
const DATE_POOL: &[&str] = &["2019-01-23", "2020-01-01", "2021-12-17", "2023-07-10", "2024-03-22", "2026-01-01"];
const COUNT_POOL: &[i64] = &[0, 1, 2, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

fn day(text: &str) -> i64 {
    Date::parse(text).unwrap().days()
}

fn show_date(days: i64) -> String {
    Date::from_days(days).to_string()
}

/// A count as written: plain, or grouped with `_` (for even numbers of four digits or more).
fn show_count(n: i64) -> String {
    let digits = n.to_string();
    if n % 2 == 1 || digits.len() < 4 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(c);
    }
    out
}

fn show_value(fact: usize, n: i64) -> String {
    if fact == DATE_FACT { show_date(n) } else { show_count(n) }
}

/// `[lo, hi)` with open ends, over counts or day numbers.
type Range = (Option<i64>, Option<i64>);

fn in_range((lo, hi): Range, n: i64) -> bool {
    lo.is_none_or(|lo| n >= lo) && hi.is_none_or(|hi| n < hi)
}

fn show_range((lo, hi): Range, show: impl Fn(i64) -> String) -> String {
    format!("{}..{}", lo.map(&show).unwrap_or_default(), hi.map(&show).unwrap_or_default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Op {
    const ALL: [Op; 6] = [Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge];

    fn text(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
        }
    }

    /// The operator with its sides swapped: `a < b` is `b > a`.
    fn flip(self) -> Op {
        match self {
            Op::Lt => Op::Gt,
            Op::Le => Op::Ge,
            Op::Gt => Op::Lt,
            Op::Ge => Op::Le,
            other => other,
        }
    }

    fn apply(self, a: i64, b: i64) -> bool {
        match self {
            Op::Eq => a == b,
            Op::Ne => a != b,
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
        }
    }
}

/// A generated condition, as written. Indices name facts in the tables above, members in the
/// fact's domain, sets in [`SETS`], and the regime's `let`s.
#[derive(Debug, Clone)]
enum Cond {
    Const(bool),
    /// `flag`
    Bool(usize),
    /// `flag == true`, `flag != false`, …
    BoolCmp {
        fact: usize,
        eq: bool,
        value: bool,
    },
    /// `destination == DE`, or `DE != destination` when `flipped`.
    EnumCmp {
        fact: usize,
        eq: bool,
        member: usize,
        flipped: bool,
    },
    /// `tier in {t1, t3}`
    EnumIn {
        fact: usize,
        members: Vec<usize>,
    },
    /// `destination in G_NEAR`
    EnumInSet {
        fact: usize,
        set: usize,
    },
    /// `individuals_ytd < 100`, or `100 > individuals_ytd` when `flipped`.
    Cmp {
        fact: usize,
        op: Op,
        value: i64,
        flipped: bool,
    },
    /// `date in 2020-01-01..`
    InRange {
        fact: usize,
        range: Range,
    },
    /// `individuals_ytd in {1, 10}`
    InList {
        fact: usize,
        values: Vec<i64>,
    },
    /// `data has health`
    Has {
        fact: usize,
        member: usize,
    },
    /// `data has any {…}` or `data has all {…}`
    HasList {
        fact: usize,
        all: bool,
        members: Vec<usize>,
    },
    /// `data has any G_SENS` or `data has all G_SENS`
    HasSet {
        fact: usize,
        all: bool,
        set: usize,
    },
    /// A regime-level `let`.
    Let(usize),
    /// The top-level `let`.
    Top,
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
    /// Redundant parentheses.
    Paren(Box<Cond>),
}

/// A member of a named set: a member of its enum, or (in `G_WIDE`) the set `G_NEAR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetItem {
    Member(usize),
    Set(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Permit,
    Prohibit,
    /// Groups of mechanisms, each with whether it is written as a cascade (`a, else b`).
    Require(Vec<(Vec<usize>, bool)>),
}

#[derive(Debug, Clone)]
struct Rule {
    effective: Option<Range>,
    /// Whether `effective` is written before `cite`.
    effective_first: bool,
    when: Cond,
    then: Outcome,
}

#[derive(Debug, Clone)]
struct Obligation {
    name: usize,
    effective: Option<Range>,
    /// Mechanisms it comes `upon` (none: in any case).
    upon: Vec<usize>,
    when: Cond,
}

/// A generated file: the shared declarations and one regime.
#[derive(Clone)]
struct File {
    sets: Vec<Vec<(SetItem, Option<Range>)>>,
    top: Option<Cond>,
    lets: Vec<Cond>,
    lets_reversed: bool,
    /// Jurisdictions, and whether written as a list.
    home: Vec<usize>,
    home_list: bool,
    rules: Vec<Rule>,
    obligations: Vec<Obligation>,
    default: Option<Outcome>,
}

/// Failing cases print as the text they are.
impl fmt::Debug for File {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\n{}", self.render())
    }
}

/// Writes a condition; `level` 0 is inside `or`, 1 inside `and`, 2 after `not`.
fn render_cond(cond: &Cond, level: u8, out: &mut String) {
    let members = |domain: &[&str], ms: &[usize]| ms.iter().map(|&m| domain[m]).collect::<Vec<_>>().join(", ");
    match cond {
        Cond::Const(b) => out.push_str(if *b { "true" } else { "false" }),
        Cond::Bool(f) => out.push_str(BOOL_FACTS[*f]),
        Cond::BoolCmp { fact, eq, value } => {
            out.push_str(&format!("{} {} {value}", BOOL_FACTS[*fact], if *eq { "==" } else { "!=" }));
        }
        Cond::EnumCmp { fact, eq, member, flipped } => {
            let (name, domain) = ENUM_FACTS[*fact];
            let op = if *eq { "==" } else { "!=" };
            let m = domain[*member];
            out.push_str(&if *flipped { format!("{m} {op} {name}") } else { format!("{name} {op} {m}") });
        }
        Cond::EnumIn { fact, members: ms } => {
            let (name, domain) = ENUM_FACTS[*fact];
            out.push_str(&format!("{name} in {{{}}}", members(domain, ms)));
        }
        Cond::EnumInSet { fact, set } => out.push_str(&format!("{} in {}", ENUM_FACTS[*fact].0, SETS[*set].0)),
        Cond::Cmp { fact, op, value, flipped } => {
            let (name, v) = (ORD_FACTS[*fact], show_value(*fact, *value));
            out.push_str(&if *flipped {
                format!("{v} {} {name}", op.flip().text())
            } else {
                format!("{name} {} {v}", op.text())
            });
        }
        Cond::InRange { fact, range } => {
            let fact = *fact;
            out.push_str(&format!("{} in {}", ORD_FACTS[fact], show_range(*range, |n| show_value(fact, n))));
        }
        Cond::InList { fact, values } => {
            let values: Vec<String> = values.iter().map(|&v| show_value(*fact, v)).collect();
            out.push_str(&format!("{} in {{{}}}", ORD_FACTS[*fact], values.join(", ")));
        }
        Cond::Has { fact, member } => {
            let (name, domain) = SET_FACTS[*fact];
            out.push_str(&format!("{name} has {}", domain[*member]));
        }
        Cond::HasList { fact, all, members: ms } => {
            let (name, domain) = SET_FACTS[*fact];
            let quantifier = if *all { "all" } else { "any" };
            out.push_str(&format!("{name} has {quantifier} {{{}}}", members(domain, ms)));
        }
        Cond::HasSet { fact, all, set } => {
            let quantifier = if *all { "all" } else { "any" };
            out.push_str(&format!("{} has {quantifier} {}", SET_FACTS[*fact].0, SETS[*set].0));
        }
        Cond::Let(i) => out.push_str(&format!("l{i}")),
        Cond::Top => out.push_str("g_top"),
        Cond::Paren(inner) => {
            out.push('(');
            render_cond(inner, 0, out);
            out.push(')');
        }
        Cond::Not(inner) => {
            out.push_str("not ");
            render_cond(inner, 2, out);
        }
        Cond::And(parts) | Cond::Or(parts) => {
            let (own, joiner) = if matches!(cond, Cond::And(_)) { (1, " and ") } else { (0, " or ") };
            if level > own {
                out.push('(');
            }
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    out.push_str(joiner);
                }
                render_cond(part, own + 1, out);
            }
            if level > own {
                out.push(')');
            }
        }
    }
}

fn cond_text(cond: &Cond) -> String {
    let mut out = String::new();
    render_cond(cond, 0, &mut out);
    out
}

fn render_outcome(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Permit => "permit".into(),
        Outcome::Prohibit => "prohibit".into(),
        Outcome::Require(groups) => groups
            .iter()
            .map(|(g, ordered)| {
                let names: Vec<&str> = g.iter().map(|&m| MECHANISMS[m]).collect();
                format!("require {}", names.join(if *ordered { ", else " } else { " or " }))
            })
            .collect::<Vec<_>>()
            .join(" and "),
    }
}

impl File {
    fn render(&self) -> String {
        let mut out = String::from("enum GTier { t1 \"Tier one\" t2 t3 }\nfacts { tier: GTier }\n");
        for (i, items) in self.sets.iter().enumerate() {
            let (name, element, domain) = SETS[i];
            let items: Vec<String> = items
                .iter()
                .map(|(item, range)| {
                    let item = match item {
                        SetItem::Member(m) => domain[*m].to_owned(),
                        SetItem::Set(s) => SETS[*s].0.to_owned(),
                    };
                    match range {
                        Some(r) => format!("{item} effective {}", show_range(*r, show_date)),
                        None => item,
                    }
                })
                .collect();
            out.push_str(&format!("set {name}: {element} = {{ {} }}\n", items.join(", ")));
        }
        // Only the `let`s in use are written, so that a shrunk failing case reads short.
        let (used_lets, top_used) = self.used();
        if let Some(top) = self.top.as_ref().filter(|_| top_used) {
            out.push_str(&format!("let g_top = {}\n", cond_text(top)));
        }
        out.push_str(&format!("regime {REGIME} \"A generated regime\" {{\n"));
        let home: Vec<&str> = self.home.iter().map(|&j| JURISDICTIONS[j]).collect();
        if self.home_list {
            out.push_str(&format!("  home {{{}}}\n", home.join(", ")));
        } else {
            out.push_str(&format!("  home {}\n", home[0]));
        }
        let mut lets: Vec<(usize, &Cond)> = self.lets.iter().enumerate().filter(|(i, _)| used_lets[*i]).collect();
        if self.lets_reversed {
            lets.reverse();
        }
        for (i, cond) in lets {
            out.push_str(&format!("  let l{i} = {}\n", cond_text(cond)));
        }
        let effective = |e: &Option<Range>| e.map(|r| format!(" effective {}", show_range(r, show_date)));
        for (i, rule) in self.rules.iter().enumerate() {
            let cite = format!(" cite \"Art. {i}\"");
            let effective = effective(&rule.effective).unwrap_or_default();
            let clauses =
                if rule.effective_first { format!("{effective}{cite}") } else { format!("{cite}{effective}") };
            out.push_str(&format!(
                "  rule r{i} \"Rule {i}\"{clauses}\n    when {}\n    then {}\n",
                cond_text(&rule.when),
                render_outcome(&rule.then)
            ));
        }
        for o in &self.obligations {
            let upon = if o.upon.is_empty() {
                String::new()
            } else {
                format!(" upon {}", o.upon.iter().map(|&m| MECHANISMS[m]).collect::<Vec<_>>().join(" or "))
            };
            out.push_str(&format!(
                "  oblige {} \"Obligation\" cite \"Art. O\"{}{upon}\n    when {}\n",
                OBLIGATIONS[o.name],
                effective(&o.effective).unwrap_or_default(),
                cond_text(&o.when)
            ));
        }
        if let Some(default) = &self.default {
            out.push_str(&format!("  default {}\n", render_outcome(default)));
        }
        out.push_str("}\n");
        out
    }

    /// Which regime `let`s, and whether the top-level `let`, the rules and obligations use
    /// (directly or through other `let`s).
    fn used(&self) -> (Vec<bool>, bool) {
        fn walk(cond: &Cond, lets: &mut Vec<bool>, top: &mut bool, file: &File) {
            match cond {
                Cond::Let(i) if !lets[*i] => {
                    lets[*i] = true;
                    walk(&file.lets[*i], lets, top, file);
                }
                Cond::Top if !*top => {
                    *top = true;
                    walk(file.top.as_ref().unwrap(), lets, top, file);
                }
                Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|p| walk(p, lets, top, file)),
                Cond::Not(inner) | Cond::Paren(inner) => walk(inner, lets, top, file),
                _ => {}
            }
        }
        let (mut lets, mut top) = (vec![false; self.lets.len()], false);
        for cond in self.rules.iter().map(|r| &r.when).chain(self.obligations.iter().map(|o| &o.when)) {
            walk(cond, &mut lets, &mut top, self);
        }
        (lets, top)
    }

    /// Every date and count the file mentions, to choose scenarios around.
    fn points(&self) -> (BTreeSet<i64>, BTreeSet<i64>) {
        fn walk(cond: &Cond, dates: &mut BTreeSet<i64>, counts: &mut BTreeSet<i64>) {
            let mut add = |fact: usize, n: i64| {
                if fact == DATE_FACT {
                    dates.insert(n)
                } else {
                    counts.insert(n)
                };
            };
            match cond {
                Cond::Cmp { fact, value, .. } => add(*fact, *value),
                Cond::InRange { fact, range: (lo, hi) } => {
                    for n in lo.iter().chain(hi) {
                        add(*fact, *n);
                    }
                }
                Cond::InList { fact, values } => {
                    for n in values {
                        add(*fact, *n);
                    }
                }
                Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|p| walk(p, dates, counts)),
                Cond::Not(inner) | Cond::Paren(inner) => walk(inner, dates, counts),
                _ => {}
            }
        }
        let (mut dates, mut counts) = (BTreeSet::new(), BTreeSet::new());
        let conditions = self.top.iter().chain(&self.lets).chain(self.rules.iter().map(|r| &r.when));
        for cond in conditions.chain(self.obligations.iter().map(|o| &o.when)) {
            walk(cond, &mut dates, &mut counts);
        }
        let ranges = self.sets.iter().flatten().filter_map(|(_, r)| *r);
        let ranges = ranges.chain(self.rules.iter().filter_map(|r| r.effective));
        for (lo, hi) in ranges.chain(self.obligations.iter().filter_map(|o| o.effective)) {
            dates.extend(lo.iter().chain(&hi));
        }
        (dates, counts)
    }

    // ── the generator's reading of what it wrote ──

    /// The members of set `set` on day `date`.
    fn set_at(&self, set: usize, date: i64) -> BTreeSet<usize> {
        let mut members = BTreeSet::new();
        for (item, range) in &self.sets[set] {
            if range.is_none_or(|r| in_range(r, date)) {
                match item {
                    SetItem::Member(m) => {
                        members.insert(*m);
                    }
                    SetItem::Set(inner) => members.extend(self.set_at(*inner, date)),
                }
            }
        }
        members
    }

    fn holds(&self, cond: &Cond, s: &Scn) -> bool {
        match cond {
            Cond::Const(b) => *b,
            Cond::Bool(f) => s.flag(*f),
            Cond::BoolCmp { fact, eq, value } => (s.flag(*fact) == *value) == *eq,
            Cond::EnumCmp { fact, eq, member, .. } => (s.member(*fact) == *member) == *eq,
            Cond::EnumIn { fact, members } => members.contains(&s.member(*fact)),
            Cond::EnumInSet { fact, set } => self.set_at(*set, s.day()).contains(&s.member(*fact)),
            Cond::Cmp { fact, op, value, .. } => op.apply(s.number(*fact), *value),
            Cond::InRange { fact, range } => in_range(*range, s.number(*fact)),
            Cond::InList { fact, values } => values.contains(&s.number(*fact)),
            Cond::Has { fact, member } => s.holds(*fact, *member),
            Cond::HasList { fact, all: true, members } => members.iter().all(|&m| s.holds(*fact, m)),
            Cond::HasList { fact, all: false, members } => members.iter().any(|&m| s.holds(*fact, m)),
            Cond::HasSet { fact, all, set } => {
                let members = self.set_at(*set, s.day());
                if *all {
                    members.iter().all(|&m| s.holds(*fact, m))
                } else {
                    members.iter().any(|&m| s.holds(*fact, m))
                }
            }
            Cond::Let(i) => self.holds(&self.lets[*i], s),
            Cond::Top => self.holds(self.top.as_ref().unwrap(), s),
            Cond::And(parts) => parts.iter().all(|p| self.holds(p, s)),
            Cond::Or(parts) => parts.iter().any(|p| self.holds(p, s)),
            Cond::Not(inner) => !self.holds(inner, s),
            Cond::Paren(inner) => self.holds(inner, s),
        }
    }

    fn decide(&self, s: &Scn) -> Decided {
        if !self.home.contains(&s.origin) || self.home.contains(&s.destination) {
            return out_of_scope();
        }
        let applies = |effective: &Option<Range>, when: &Cond| {
            effective.is_none_or(|r| in_range(r, s.day())) && self.holds(when, s)
        };
        let outcome = |o: &Outcome| match o {
            Outcome::Permit => ("permit", Vec::new(), Vec::new()),
            Outcome::Prohibit => ("prohibit", Vec::new(), Vec::new()),
            Outcome::Require(groups) => (
                "require",
                groups.iter().map(|(g, _)| g.iter().map(|&m| MECHANISMS[m].to_owned()).collect()).collect(),
                // A cascade of one alternative is written without `else`: a plain group.
                groups.iter().enumerate().filter(|(_, (g, o))| *o && g.len() > 1).map(|(i, _)| i).collect(),
            ),
        };
        let first = self.rules.iter().position(|r| applies(&r.effective, &r.when));
        let (verdict, require, ordered) = match (first, &self.default) {
            (Some(i), _) => outcome(&self.rules[i].then),
            (None, Some(default)) => outcome(default),
            (None, None) => (GAP, Vec::new(), Vec::new()),
        };
        let applying: Vec<(String, Vec<String>)> = self
            .obligations
            .iter()
            .filter(|o| applies(&o.effective, &o.when))
            .map(|o| (OBLIGATIONS[o.name].to_owned(), o.upon.iter().map(|&m| MECHANISMS[m].to_owned()).collect()))
            .collect();
        let (obligations, if_chosen) = duties(&applying, &require);
        Decided { verdict, rule: first.map(|i| format!("r{i}")), require, ordered, obligations, if_chosen }
    }
}

/// A generated scenario, by indices into the domains above.
#[derive(Clone)]
struct Scn {
    origin: usize,
    destination: usize,
    tier: usize,
    data: Vec<bool>,
    exporter: Vec<bool>,
    counts: [i64; 2],
    /// `None`: omitted, so today.
    date: Option<i64>,
    today: i64,
    /// `None`: omitted, so false.
    flags: [Option<bool>; 2],
    /// Whether empty sets and zero counts are left out rather than written.
    omit_defaults: bool,
}

impl fmt::Debug for Scn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (today {})", self.json(), show_date(self.today))
    }
}

impl Scn {
    fn day(&self) -> i64 {
        self.date.unwrap_or(self.today)
    }

    fn flag(&self, f: usize) -> bool {
        self.flags[f].unwrap_or(false)
    }

    fn member(&self, fact: usize) -> usize {
        [self.origin, self.destination, self.tier][fact]
    }

    fn number(&self, fact: usize) -> i64 {
        if fact == DATE_FACT { self.day() } else { self.counts[fact] }
    }

    fn holds(&self, fact: usize, member: usize) -> bool {
        // The vocabulary makes every special category personal data: the data set is read
        // closed under that.
        let implied =
            fact == 0 && DATA[member] == "personal" && IMPLY_PERSONAL.iter().any(|c| self.holds(0, index_of(c)));
        implied || [&self.data, &self.exporter][fact][member]
    }

    fn json(&self) -> Value {
        let mut object = serde_json::Map::new();
        object.insert("origin".into(), json!(JURISDICTIONS[self.origin]));
        object.insert("destination".into(), json!(JURISDICTIONS[self.destination]));
        object.insert("tier".into(), json!(TIERS[self.tier]));
        for (i, &(name, domain)) in SET_FACTS.iter().enumerate() {
            let present = [&self.data, &self.exporter][i];
            let members: Vec<&str> = domain.iter().zip(present).filter(|(_, p)| **p).map(|(m, _)| *m).collect();
            if !(members.is_empty() && self.omit_defaults) {
                object.insert(name.into(), json!(members));
            }
        }
        for (i, &n) in self.counts.iter().enumerate() {
            if !(n == 0 && self.omit_defaults) {
                object.insert(ORD_FACTS[i].into(), json!(n));
            }
        }
        if let Some(date) = self.date {
            object.insert("date".into(), json!(show_date(date)));
        }
        for (i, flag) in self.flags.iter().enumerate() {
            if let Some(b) = flag {
                object.insert(BOOL_FACTS[i].into(), json!(b));
            }
        }
        Value::Object(object)
    }
}

/// Every `let` and rule condition of `regime` (the `let`s it names, followed).
fn conditions<'p>(program: &'p ir::Program, regime: &'p ir::Regime) -> Vec<&'p ir::Cond> {
    let mut out: Vec<&ir::Cond> = regime.rules.iter().map(|r| &r.when).collect();
    out.extend(regime.obligations.iter().map(|o| &o.when));
    let mut i = 0;
    while let Some(&cond) = out.get(i) {
        match cond {
            ir::Cond::And(parts) | ir::Cond::Or(parts) => out.extend(parts),
            ir::Cond::Not(inner) => out.push(inner),
            ir::Cond::Let(id) => out.push(&program.lets[id.index()].cond),
            ir::Cond::Established(m) => {
                out.extend(program.establishments.iter().filter(|e| e.mechanism == *m).map(|e| &e.when));
            }
            ir::Cond::Const(_) | ir::Cond::Test(_) => {}
        }
        i += 1;
    }
    out
}

/// The typed program keeps the promises `ir.rs` makes: member lists sorted without repeats,
/// intervals sorted and disjoint.
fn invariants_hold(program: &ir::Program, regime: &ir::Regime, text: &str) -> Result<(), TestCaseError> {
    for cond in conditions(program, regime) {
        let ir::Cond::Test(test) = cond else { continue };
        match &test.pred {
            ir::Pred::OneOf(members) | ir::Pred::HasAny(members) | ir::Pred::HasAll(members) => {
                prop_assert!(members.windows(2).all(|w| w[0] < w[1]), "unsorted or repeated {:?}\n{}", test.pred, text);
            }
            ir::Pred::InRanges(ranges) => {
                // An empty interval can appear (a nested set's member whose range and the
                // inclusion's do not meet); it admits nothing, so it is harmless.
                let ranges: Vec<&ir::Interval> = ranges.iter().filter(|r| !r.is_empty()).collect();
                prop_assert!(
                    ranges.windows(2).all(|w| w[0].hi.is_some_and(|hi| hi < w[1].lo)),
                    "intervals not sorted and apart in {:?}\n{}",
                    test.pred,
                    text
                );
            }
            ir::Pred::Bool(_) => {}
        }
    }
    Ok(())
}

// ── strategies ──

fn date_value() -> BoxedStrategy<i64> {
    let pool: Vec<i64> = DATE_POOL.iter().map(|d| day(d)).collect();
    prop_oneof![3 => select(pool), 1 => day("2018-01-01")..day("2028-01-01")].boxed()
}

fn count_value() -> BoxedStrategy<i64> {
    prop_oneof![3 => select(COUNT_POOL), 1 => 0..=200i64].boxed()
}

fn value(fact: usize) -> BoxedStrategy<i64> {
    if fact == DATE_FACT { date_value() } else { count_value() }
}

/// A non-empty range: `lo..hi`, `lo..`, `..hi`, or rarely `..`.
fn range(fact: usize) -> BoxedStrategy<Range> {
    (value(fact), value(fact), prop_oneof![6 => Just(0), 3 => Just(1), 3 => Just(2), 1 => Just(3)])
        .prop_map(move |(a, b, shape)| {
            let (lo, hi) = (a.min(b), if a == b { a + 1 } else { a.max(b) });
            match shape {
                0 => (Some(lo), Some(hi)),
                1 => (Some(lo), None),
                // An empty `..0` on counts is an error: keep the upper end above the floor.
                2 => (None, Some(if fact == DATE_FACT { hi } else { hi.max(1) })),
                _ => (None, None),
            }
        })
        .boxed()
}

fn date_range() -> BoxedStrategy<Range> {
    range(DATE_FACT)
}

fn indices(len: usize, max: usize) -> BoxedStrategy<Vec<usize>> {
    // With repeats now and then, and sometimes empty.
    prop_oneof![
        8 => subsequence((0..len).collect::<Vec<_>>(), 1..=max.min(len)).prop_shuffle(),
        1 => prop::collection::vec(0..len, 2..=3),
        1 => Just(Vec::new()),
    ]
    .boxed()
}

/// A test on one fact, or a reference to one of `lets` earlier `let`s or the top-level one.
fn leaf(lets: usize, top: bool) -> BoxedStrategy<Cond> {
    let enum_fact = 0..ENUM_FACTS.len();
    let mut leaves: Vec<(u32, BoxedStrategy<Cond>)> = vec![
        (1, any::<bool>().prop_map(Cond::Const).boxed()),
        (2, (0..BOOL_FACTS.len()).prop_map(Cond::Bool).boxed()),
        (
            1,
            (0..BOOL_FACTS.len(), any::<bool>(), any::<bool>())
                .prop_map(|(fact, eq, value)| Cond::BoolCmp { fact, eq, value })
                .boxed(),
        ),
        (
            3,
            enum_fact
                .clone()
                .prop_flat_map(|fact| (Just(fact), any::<bool>(), 0..ENUM_FACTS[fact].1.len(), any::<bool>()))
                .prop_map(|(fact, eq, member, flipped)| Cond::EnumCmp { fact, eq, member, flipped })
                .boxed(),
        ),
        (
            2,
            enum_fact
                .clone()
                .prop_flat_map(|fact| (Just(fact), indices(ENUM_FACTS[fact].1.len(), 3)))
                .prop_map(|(fact, members)| Cond::EnumIn { fact, members })
                .boxed(),
        ),
        (
            3,
            enum_fact
                .prop_flat_map(|fact| {
                    let sets = if fact == 2 { vec![3] } else { vec![NEAR, WIDE] };
                    (Just(fact), select(sets))
                })
                .prop_map(|(fact, set)| Cond::EnumInSet { fact, set })
                .boxed(),
        ),
        (
            4,
            (0..ORD_FACTS.len())
                .prop_flat_map(|fact| (Just(fact), select(Op::ALL.to_vec()), value(fact), any::<bool>()))
                .prop_map(|(fact, op, value, flipped)| Cond::Cmp { fact, op, value, flipped })
                .boxed(),
        ),
        (
            3,
            (0..ORD_FACTS.len())
                .prop_flat_map(|fact| (Just(fact), range(fact)))
                .prop_map(|(fact, range)| Cond::InRange { fact, range })
                .boxed(),
        ),
        (
            1,
            (0..ORD_FACTS.len())
                .prop_flat_map(|fact| (Just(fact), prop::collection::vec(value(fact), 0..=3)))
                .prop_map(|(fact, values)| Cond::InList { fact, values })
                .boxed(),
        ),
        (
            3,
            (0..SET_FACTS.len())
                .prop_flat_map(|fact| (Just(fact), 0..SET_FACTS[fact].1.len()))
                .prop_map(|(fact, member)| Cond::Has { fact, member })
                .boxed(),
        ),
        (
            3,
            (0..SET_FACTS.len())
                .prop_flat_map(|fact| (Just(fact), any::<bool>(), indices(SET_FACTS[fact].1.len(), 3)))
                .prop_map(|(fact, all, members)| Cond::HasList { fact, all, members })
                .boxed(),
        ),
        (2, any::<bool>().prop_map(|all| Cond::HasSet { fact: 0, all, set: 2 }).boxed()),
    ];
    if lets > 0 {
        leaves.push((3, (0..lets).prop_map(Cond::Let).boxed()));
    }
    if top {
        leaves.push((2, Just(Cond::Top).boxed()));
    }
    Union::new_weighted(leaves).boxed()
}

/// A condition of moderate size over [`leaf`]s.
fn cond(lets: usize, top: bool) -> BoxedStrategy<Cond> {
    leaf(lets, top)
        .prop_recursive(4, 16, 3, |inner| {
            prop_oneof![
                3 => prop::collection::vec(inner.clone(), 2..=3).prop_map(Cond::And),
                3 => prop::collection::vec(inner.clone(), 2..=3).prop_map(Cond::Or),
                2 => inner.clone().prop_map(|c| Cond::Not(Box::new(c))),
                1 => inner.prop_map(|c| Cond::Paren(Box::new(c))),
            ]
        })
        .boxed()
}

fn outcome() -> BoxedStrategy<Outcome> {
    let group = subsequence((0..MECHANISMS.len()).collect::<Vec<_>>(), 1..=3).prop_shuffle();
    prop_oneof![
        Just(Outcome::Permit),
        Just(Outcome::Prohibit),
        prop::collection::vec((group, prop::bool::weighted(0.3)), 1..=2).prop_map(Outcome::Require),
    ]
    .boxed()
}

fn set_items(set: usize) -> BoxedStrategy<Vec<(SetItem, Option<Range>)>> {
    let len = SETS[set].2.len();
    let timed = || prop::option::weighted(0.4, date_range());
    let members = subsequence((0..len).collect::<Vec<_>>(), 0..=4.min(len))
        .prop_flat_map(move |ms| ms.into_iter().map(|m| (Just(SetItem::Member(m)), timed())).collect::<Vec<_>>());
    if set == WIDE {
        (members, prop::option::weighted(0.6, (Just(SetItem::Set(NEAR)), timed())))
            .prop_map(|(mut items, near)| {
                items.extend(near);
                items
            })
            .prop_shuffle()
            .boxed()
    } else {
        members.prop_shuffle().boxed()
    }
}

fn rule(lets: usize, top: bool) -> BoxedStrategy<Rule> {
    (prop::option::weighted(0.3, date_range()), any::<bool>(), cond(lets, top), outcome())
        .prop_map(|(effective, effective_first, when, then)| Rule { effective, effective_first, when, then })
        .boxed()
}

fn obligations(lets: usize, top: bool) -> BoxedStrategy<Vec<Obligation>> {
    subsequence((0..OBLIGATIONS.len()).collect::<Vec<_>>(), 0..=3)
        .prop_flat_map(move |names| {
            names
                .into_iter()
                .map(|name| {
                    let upon =
                        prop::option::weighted(0.3, subsequence((0..MECHANISMS.len()).collect::<Vec<_>>(), 1..=2))
                            .prop_map(Option::unwrap_or_default);
                    (Just(name), prop::option::weighted(0.3, date_range()), upon, cond(lets, top))
                        .prop_map(|(name, effective, upon, when)| Obligation { name, effective, upon, when })
                })
                .collect::<Vec<_>>()
        })
        .boxed()
}

fn file() -> BoxedStrategy<File> {
    let sets = (0..SETS.len()).map(set_items).collect::<Vec<_>>();
    let top = prop::option::weighted(0.3, cond(0, false));
    (sets, top, 0..=3usize)
        .prop_flat_map(|(sets, top, n)| {
            let has_top = top.is_some();
            let lets: Vec<_> = (0..n).map(|i| cond(i, has_top)).collect();
            let home = prop_oneof![
                (0..JURISDICTIONS.len()).prop_map(|j| (vec![j], false)),
                subsequence((0..JURISDICTIONS.len()).collect::<Vec<_>>(), 1..=3).prop_map(|h| (h, true)),
            ];
            (
                Just(sets),
                Just(top),
                lets,
                any::<bool>(),
                home,
                prop::collection::vec(rule(n, has_top), 1..=8),
                obligations(n, has_top),
                prop::option::of(outcome()),
            )
        })
        .prop_map(|(sets, top, lets, lets_reversed, (home, home_list), rules, obligations, default)| File {
            sets,
            top,
            lets,
            lets_reversed,
            home,
            home_list,
            rules,
            obligations,
            default,
        })
        .boxed()
}

/// Where a jurisdiction is chosen from.
#[derive(Debug, Clone, Copy)]
enum Place {
    Home,
    /// Outside home (home holds at most three of the six jurisdictions).
    Abroad,
    Anywhere,
}

/// The choices that make a scenario, resolved against a file's boundaries by [`Seed::resolve`]
/// (so that regimes and scenarios shrink independently).
#[derive(Debug, Clone)]
struct Seed {
    /// Origin: from home (if `true`) or from every jurisdiction.
    origin: (bool, Index),
    destination: (Place, Index),
    tier: usize,
    data: Vec<bool>,
    exporter: Vec<bool>,
    /// Each count: near a boundary (if `true`) or this many.
    counts: [(bool, Index, i64); 2],
    /// The date: near a boundary (if `true`) or this day; `None` to leave it out.
    date: Option<(bool, Index, i64)>,
    today: Index,
    flags: [Option<bool>; 2],
    omit_defaults: bool,
}

impl Seed {
    /// The scenario, with dates and counts on both sides of every boundary `file` mentions,
    /// and origin and destination in and out of home.
    fn resolve(&self, file: &File) -> Scn {
        let (dates, counts) = file.points();
        let mut date_points: Vec<i64> = DATE_POOL.iter().map(|d| day(d)).collect();
        date_points.extend(dates.iter().flat_map(|&d| [d - 1, d, d + 1]));
        let mut count_points: Vec<i64> = vec![0];
        count_points.extend(counts.iter().flat_map(|&c| [c - 1, c, c + 1]).filter(|&c| c >= 0));
        let abroad: Vec<usize> = (0..JURISDICTIONS.len()).filter(|j| !file.home.contains(j)).collect();
        let jurisdiction = |place: Place, i: Index| match place {
            Place::Home => *i.get(&file.home),
            Place::Abroad => *i.get(&abroad),
            Place::Anywhere => i.index(JURISDICTIONS.len()),
        };
        let count = |(near, i, n): (bool, Index, i64)| if near { *i.get(&count_points) } else { n };
        Scn {
            origin: jurisdiction(if self.origin.0 { Place::Home } else { Place::Anywhere }, self.origin.1),
            destination: jurisdiction(self.destination.0, self.destination.1),
            tier: self.tier,
            data: self.data.clone(),
            exporter: self.exporter.clone(),
            counts: [count(self.counts[0]), count(self.counts[1])],
            date: self.date.map(|(near, i, d)| if near { *i.get(&date_points) } else { d }),
            today: *self.today.get(&date_points),
            flags: self.flags,
            omit_defaults: self.omit_defaults,
        }
    }
}

fn seed() -> BoxedStrategy<Seed> {
    let count = (prop::bool::weighted(0.8), any::<Index>(), 0..2_000_000i64);
    let date = (prop::bool::weighted(0.8), any::<Index>(), day("2018-01-01")..day("2028-01-01"));
    (
        (prop::bool::weighted(0.85), any::<Index>()),
        (prop_oneof![1 => Just(Place::Home), 6 => Just(Place::Abroad), 1 => Just(Place::Anywhere)], any::<Index>()),
        0..TIERS.len(),
        prop::collection::vec(any::<bool>(), DATA.len()),
        prop::collection::vec(prop::bool::weighted(0.3), EXPORTER.len()),
        [count.clone(), count],
        prop::option::weighted(0.9, date),
        any::<Index>(),
        [prop::option::of(any::<bool>()), prop::option::of(any::<bool>())],
        any::<bool>(),
    )
        .prop_map(|(origin, destination, tier, data, exporter, counts, date, today, flags, omit_defaults)| Seed {
            origin,
            destination,
            tier,
            data,
            exporter,
            counts,
            date,
            today,
            flags,
            omit_defaults,
        })
        .boxed()
}

/// Checks, compiles and evaluates `file` on every scenario (also with the table written as JSON
/// and read back), comparing with the reference; then checks the typed program's invariants.
fn agrees(file: &File, seeds: &[Seed]) -> Result<(), TestCaseError> {
    let text = file.render();
    let checked = check_text(&text);
    let (_, regime) = regime_of(&checked);
    let table = compile(&checked, &text);
    prop_assume!(table.is_some(), "too large to compile");
    let table = table.unwrap();
    let reread = Table::from_json(&table.to_json()).expect("the table reads back");
    for seed in seeds {
        let s = seed.resolve(file);
        let scenario = s.json();
        let today = Date::from_days(s.today);
        let facts = Facts::read(&checked.program, regime, &scenario, today);
        let expected = reference(&checked.program, regime, &facts);
        let compiled = evaluate(&table, &scenario, today);
        prop_assert_eq!(&compiled, &expected, "table (left) vs reference (right) on {:?}\n{}", s, text);
        prop_assert_eq!(&file.decide(&s), &expected, "generator (left) vs reference (right) on {:?}\n{}", s, text);
        let compiled = evaluate(&reread, &scenario, today);
        prop_assert_eq!(&compiled, &expected, "re-read table (left) vs reference (right) on {:?}\n{}", s, text);
    }
    invariants_hold(&checked.program, regime, &text)
}

fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        max_global_rejects: cases.max(1024),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(400))]

    /// For every generated regime and scenario, the compiled table (and the table after a JSON
    /// round trip) decides exactly as the reference interpreter, and the reference reads the
    /// checked program exactly as the generator meant the text it wrote.
    #[test]
    fn compiled_tables_decide_as_the_reference(file in file(), seeds in prop::collection::vec(seed(), 20..=40)) {
        agrees(&file, &seeds)?;
    }
}
