//! The standard vocabulary's relations hold in every standard regime: a special category alone
//! is decided as it is with `personal` beside it, the facts that establish a mechanism carry a
//! transfer where the law lets them (and nothing else does), and the strength order classes
//! what China's 2024 Provisions changed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use accord::analysis::diff::{Class, Options, Side, diff};
use accord::compile::compile_text;
use accord::date::Date;
use accord::eval::{Decision, MetThrough, Scenario, Verdict};
use accord::table::Table;
use serde_json::{Value, json};

fn today() -> Date {
    Date::parse("2026-01-01").unwrap()
}

fn standard(id: &str) -> Table {
    let module = accord::stdlib::regime(id).unwrap();
    compile_text(&format!("{id}.accord"), module.text).unwrap().remove(0)
}

fn every_standard() -> Vec<Table> {
    accord::stdlib::REGIMES.iter().map(|m| standard(m.name)).collect()
}

fn decide(table: &Table, scenario: &Value) -> Decision {
    table.evaluate(&Scenario::from_value(table, scenario, today()).unwrap())
}

/// The data categories a table says imply `personal`.
fn implying_personal(table: &Table) -> Vec<String> {
    let implications = table.relations.implies.iter();
    let implying = implications.filter(|i| i.fact == "data" && i.implies.iter().any(|m| &**m == "personal"));
    implying.map(|i| i.member.to_string()).collect()
}

#[test]
fn every_special_category_alone_is_decided_as_with_personal_data() {
    let mut compared = 0;
    for table in every_standard() {
        let categories = implying_personal(&table);
        // The relation is the vocabulary's, not the table's to drop.
        for special in ["health", "biometric", "genetic", "religion", "criminal", "precise_location", "minor_under_14"]
        {
            assert!(
                categories.iter().any(|c| c == special),
                "`{}`: `{special}` does not imply `personal`",
                table.regime
            );
        }
        let origin = &table.home[0];
        let abroad: Vec<&str> =
            ["US", "CN", "DE", "SG", "JP", "IN"].into_iter().filter(|d| !table.home.iter().any(|h| h == d)).collect();
        for category in &categories {
            for destination in &abroad {
                for date in ["2020-06-01", "2025-06-01"] {
                    let alone = json!({"origin": origin, "destination": destination, "date": date, "data": [category]});
                    let both = json!({"origin": origin, "destination": destination, "date": date, "data": [category, "personal"]});
                    let (a, b) = (decide(&table, &alone), decide(&table, &both));
                    assert_eq!(a, b, "`{}` decides {alone} unlike {both}", table.regime);
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 15 * 19 * 4, "only {compared} scenarios compared");
}

#[test]
fn a_scenario_that_contradicts_a_relation_is_closed_and_decided() {
    let eu = standard("eu");
    let health = json!({"destination": "US", "data": ["health"], "date": "2025-06-01"});
    let scenario = Scenario::from_value(&eu, &health, today()).unwrap();
    let explained = eu.explain(&scenario);
    assert_eq!(explained.decision.verdict, Verdict::Require, "{:?}", explained.decision);
    let added: Vec<(&str, &str, &str)> =
        explained.implied.iter().map(|i| (i.fact.as_str(), i.member.as_str(), i.because.as_str())).collect();
    assert_eq!(added, [("data", "personal", "health")]);
}

/// Scenarios whose facts the law accepts as the mechanism, with the mechanism; each is tried
/// with and without those facts.
const MET_BY_FACTS: &[(&str, &str, &str)] = &[
    ("kr", r#"{"consent": ["separate"]}"#, "kr_separate_consent"),
    ("jp", r#"{"consent": ["jp_informed_of_destination"]}"#, "jp_informed_consent"),
    ("jp", r#"{"recipient": ["apec_cbpr_certified"]}"#, "apec_cbpr"),
    ("sg", r#"{"recipient": ["apec_cbpr_certified"]}"#, "apec_cbpr"),
    ("sg", r#"{"consent": ["sg_written_summary"]}"#, "sg_consent_after_summary"),
    ("id", r#"{"consent": ["informed"]}"#, "id_consent"),
    ("th", r#"{"consent": ["informed"]}"#, "th_informed_consent"),
    ("my", r#"{"consent": ["informed"]}"#, "my_consent"),
    ("au", r#"{"consent": ["au_expressly_informed"]}"#, "au_informed_consent"),
    ("nz", r#"{"consent": ["nz_expressly_informed"]}"#, "nz_informed_authorisation"),
    ("eu", r#"{"consent": ["explicit"], "purpose": ["occasional"]}"#, "explicit_consent"),
];

#[test]
fn consent_or_a_certification_carries_the_transfer_where_the_law_lets_it() {
    for &(regime, facts, mechanism) in MET_BY_FACTS {
        let table = standard(regime);
        let mut without = json!({"destination": "US", "data": ["personal"], "date": "2025-06-01"});
        if regime == "eu" {
            // The derogation is for occasional transfers: the purpose stays, the consent goes.
            without["purpose"] = json!(["occasional"]);
        }
        let mut with = without.clone();
        for (key, value) in serde_json::from_str::<Value>(facts).unwrap().as_object().unwrap() {
            with[key] = value.clone();
        }
        let (before, after) = (decide(&table, &without), decide(&table, &with));
        assert_eq!(before.verdict, Verdict::Require, "{regime} on {without}: {before:?}");
        assert!(before.require.iter().flatten().any(|m| m == mechanism), "{regime}: {before:?}");
        assert!(before.met_by.is_none(), "{regime}: {before:?}");
        assert_eq!(after.verdict, Verdict::Permit, "{regime} on {with}: {after:?}");
        let met = after.met_by.as_ref().unwrap_or_else(|| panic!("{regime} on {with}: no `met_by` in {after:?}"));
        assert_eq!(met.mechanisms, [mechanism], "{regime}: {after:?}");
        assert_eq!(met.through, MetThrough::Facts);
        assert_eq!(met.require, before.require, "{regime}: the requirement met is the one the rule makes");
        assert_eq!(after.rule, before.rule, "{regime}: the same rule decides, met");
        assert_eq!(after.cite, before.cite);
    }
}

#[test]
fn safeguards_in_place_meet_the_requirement_too() {
    let sg = standard("sg");
    let scenario =
        json!({"destination": "US", "data": ["personal"], "date": "2025-06-01", "safeguards": ["sg_contract"]});
    let decision = decide(&sg, &scenario);
    assert_eq!(decision.verdict, Verdict::Permit, "{decision:?}");
    assert_eq!(decision.satisfied, Some(true));
    let met = decision.met_by.unwrap();
    assert_eq!((met.mechanisms.as_slice(), met.through), (&["sg_contract".to_owned()][..], MetThrough::Safeguards));
    let unmet = json!({"destination": "US", "data": ["personal"], "date": "2025-06-01", "safeguards": ["eu_scc"]});
    let decision = decide(&sg, &unmet);
    assert_eq!((decision.verdict, decision.satisfied), (Verdict::Require, Some(false)), "{decision:?}");
}

#[test]
fn the_2024_provisions_change_nothing_the_strength_order_cannot_class() {
    let cn = standard("cn");
    let (before, after) = (Date::parse("2023-12-01").unwrap(), Date::parse("2024-06-01").unwrap());
    let report = diff(Side::at(&cn, Some(before)), Side::at(&cn, Some(after)), &Options::default()).unwrap();
    assert!(!report.groups.is_empty());
    let incomparable: Vec<String> = report
        .groups
        .iter()
        .filter(|g| g.class == Class::Incomparable)
        .map(|g| format!("{} vs {}", g.a.text(), g.b.text()))
        .collect();
    assert!(incomparable.is_empty(), "incomparable: {incomparable:?}");
    assert_eq!(report.totals.incomparable, 0.0);
    // The assessment against the contract or certification is ranked by the declared order,
    // and the report says which declaration did it.
    let ranked = report
        .groups
        .iter()
        .find(|g| {
            g.a.text() == "require cn_security_assessment"
                && g.b.text() == "require cn_certification or cn_standard_contract"
        })
        .unwrap();
    assert_eq!(ranked.class, Class::AStricter);
    assert_eq!(ranked.class_by, ["cn_assessment_over_contract"]);
}

#[test]
fn a_plain_consent_meets_the_laws_that_ask_for_no_more_and_only_those() {
    let plain = json!({"destination": "US", "data": ["personal"], "date": "2025-06-01", "consent": ["consented"]});
    for regime in ["my", "id"] {
        assert_eq!(decide(&standard(regime), &plain).verdict, Verdict::Permit, "{regime}");
    }
    // Thailand asks for consent after being told of the destination's standards; Korea from
    // 2023 for separate consent after the Art. 28-8(2) notice; Singapore for consent after a
    // written summary of the protection there.
    for regime in ["th", "kr", "sg"] {
        assert_eq!(decide(&standard(regime), &plain).verdict, Verdict::Require, "{regime}");
    }
}

#[test]
fn explain_names_the_facts_that_would_meet_a_requirement() {
    let sg = standard("sg");
    let plain = json!({"destination": "US", "data": ["personal"], "date": "2025-06-01"});
    let explained = sg.explain(&Scenario::from_value(&sg, &plain, today()).unwrap());
    let named: Vec<(&str, &[String])> =
        explained.could_be_met_by.iter().map(|e| (e.mechanism.as_str(), e.facts.as_slice())).collect();
    assert!(named.contains(&("apec_cbpr", &["recipient".to_owned()][..])), "{named:?}");
    assert!(named.contains(&("sg_consent_after_summary", &["consent".to_owned()][..])), "{named:?}");
    let text = accord::render::explained_text(&explained);
    assert!(text.contains("facts would meet it with `apec_cbpr`"), "{text}");
}

#[test]
fn a_given_category_is_closed_as_a_scenario_is() {
    let (eu, sg) = (standard("eu"), standard("sg"));
    let tables = [&eu, &sg];
    let report = |given: Value| {
        let options =
            Options { given: accord::analysis::diff::given_cells(&tables, &given).unwrap(), ..Options::default() };
        diff(Side::new(&eu), Side::new(&sg), &options).unwrap()
    };
    let alone = report(json!({"data": ["health"], "destination": "US"}));
    let both = report(json!({"data": ["health", "personal"], "destination": "US"}));
    // `{health}` names the consistent transfers `{personal, health}`: the same comparison,
    // not an empty one.
    assert_eq!(alone.given, both.given);
    assert!(!alone.groups.is_empty() && alone.totals.agreement < 1.0, "{:?}", alone.totals);
    assert_eq!(alone.totals.agreement, both.totals.agreement);
    assert_eq!(alone.totals.regions, both.totals.regions);
}
