//! The regimes the evaluation and diff benches share: a hand-written 20-rule regime over five
//! facts, and a generator of large regimes over ten facts. Included by `#[path]` from the
//! benches that use it, so that a bench that does not has no dead code.

use crate::common::Rng;
use std::fmt::Write as _;

// ── the 20-rule regime ──────────────────────────────────────────────────────────────────────

/// A PIPL-like regime of 20 rules testing five facts: `destination`, `data`,
/// `individuals_ytd`, `date` and `exporter`.
pub const REGIME_20: &str = r#"/// A hand-written 20-rule regime for benchmarking evaluation.
regime bench20 "Twenty-rule benchmark regime" {
  home CN
  source "https://example.org/bench20"

  let sensitive = data has any {health, biometric, genetic, financial_account, precise_location, minor_under_14, religion, specific_identity}

  rule core_data "Core data may not be exported" cite "DSL Art. 21"
    when data has core
    then prohibit
  rule concern_genomic "Genetic data to countries of concern" cite "Export control"
    when destination in US_COUNTRIES_OF_CONCERN and data has genetic
    then prohibit
  rule ciio "A CIIO exporting personal information" cite "PIPL Art. 40"
    when exporter has ciio and data has personal
    then require cn_security_assessment
  rule important_notified "Important data, once notified" cite "Provisions Art. 2"
    effective 2024-03-22..
    when data has important
    then require cn_security_assessment
  rule important_self "Important data, self-identified" cite "DSL Art. 31"
    effective ..2024-03-22
    when data has important and not (exporter has registered_in_ftz)
    then require cn_security_assessment
  rule no_personal "No personal information" cite "PIPL Art. 4"
    when not (data has personal)
    then permit
  rule employee_hr "Employee data for HR management" cite "Provisions Art. 5(2)"
    effective 2024-03-22..
    when data has employee and not sensitive and individuals_ytd < 1_000_000
    then permit
  rule ftz "Free-trade-zone exporters off the negative list" cite "Provisions Art. 6"
    effective 2024-03-22..
    when exporter has registered_in_ftz and not (data has important)
    then permit
  rule volume_1m "Personal information of 1,000,000 or more" cite "Provisions Art. 7(2)"
    effective 2024-03-22..
    when individuals_ytd >= 1_000_000
    then require cn_security_assessment
  rule sensitive_10k "Sensitive personal information of 10,000 or more" cite "Provisions Art. 7(2)"
    effective 2024-03-22..
    when sensitive and individuals_ytd >= 10_000
    then require cn_security_assessment
  rule volume_100k "Personal information of 100,000 to 1,000,000" cite "Provisions Art. 8"
    effective 2024-03-22..
    when individuals_ytd in 100_000..1_000_000
    then require cn_standard_contract or cn_certification
  rule sensitive_small "Sensitive personal information below 10,000" cite "Provisions Art. 8"
    effective 2024-03-22..
    when sensitive and individuals_ytd in 1..10_000
    then require cn_standard_contract or cn_certification
  rule below_threshold "Below every threshold" cite "Provisions Art. 5(4)"
    effective 2024-03-22..
    when individuals_ytd < 100_000 and not sensitive
    then permit
  rule old_1m "Before 2024: 1,000,000 handled" cite "Measures Art. 4(2)"
    effective 2022-09-01..2024-03-22
    when individuals_ytd >= 1_000_000
    then require cn_security_assessment
  rule old_sensitive "Before 2024: 10,000 sensitive since last year" cite "Measures Art. 4(3)"
    effective 2022-09-01..2024-03-22
    when sensitive and individuals_ytd >= 10_000
    then require cn_security_assessment
  rule old_100k "Before 2024: 100,000 since last year" cite "Measures Art. 4(3)"
    effective 2022-09-01..2024-03-22
    when individuals_ytd >= 100_000
    then require cn_security_assessment
  rule contract_era "Standard contract from 2023-06-01" cite "Standard Contract Measures Art. 4"
    effective 2023-06-01..2024-03-22
    when individuals_ytd < 100_000
    then require cn_standard_contract or cn_certification
  rule gba "Greater Bay Area transfers" cite "GBA Guidelines"
    effective 2023-12-13..
    when destination in {HK, MO}
    then require gba_standard_contract or cn_standard_contract
  rule asean_logistics "Trade partners in ASEAN" cite "Bench rule"
    when destination in ASEAN and individuals_ytd < 10_000
    then permit
  rule early "Before the measures" cite "PIPL Art. 38"
    effective ..2022-09-01
    when data has personal
    then require cn_standard_contract or cn_certification or cn_security_assessment

  oblige pipia "Impact assessment" cite "PIPL Art. 55(4)"
    when data has personal
  oblige separate_consent "Separate consent" cite "PIPL Art. 39"
    when data has personal and destination in EU

  default require cn_standard_contract or cn_certification
}
"#;

pub const DESTINATIONS: &[&str] = &[
    "US", "GB", "JP", "KR", "SG", "DE", "FR", "IN", "BR", "AU", "VN", "HK", "MO", "RU", "NL", "IT", "ES", "CA", "MX",
    "TH", "MY", "ID", "PH", "IE", "SE", "NZ", "CH", "AE",
];
pub const DATA: &[&str] = &[
    "personal",
    "health",
    "biometric",
    "genetic",
    "financial_account",
    "precise_location",
    "minor_under_14",
    "religion",
    "specific_identity",
    "important",
    "core",
    "employee",
    "ethnicity",
    "political",
    "criminal",
    "publicly_available",
];
pub const EXPORTER: &[&str] = &[
    "ciio",
    "public_authority",
    "data_broker",
    "registered_in_ftz",
    "registered_in_gba",
    "automotive_data_handler",
    "acting_as_processor",
];
pub const RECIPIENT: &[&str] = &[
    "dpf_certified",
    "apec_cbpr_certified",
    "bcr_bound",
    "covered_person",
    "same_group",
    "processor",
    "transit_only",
    "storage_only_agent",
];
pub const PURPOSE: &[&str] = &[
    "contract_with_individual",
    "hr_management",
    "emergency",
    "international_trade",
    "academic_cooperation",
    "logistics",
    "international_payment",
    "cross_border_transport",
];
pub const CONSENT: &[&str] =
    &["informed", "explicit", "separate", "guardian", "sg_deemed", "jp_informed_of_destination"];

/// A set of one to `most` distinct members, in the order drawn.
pub fn subset<'a>(rng: &mut Rng, from: &[&'a str], most: usize) -> Vec<&'a str> {
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..1 + rng.below(most) {
        let m = rng.pick(from);
        if !chosen.contains(&m) {
            chosen.push(m);
        }
    }
    chosen
}

/// Members as an Accord set literal: `{a, b}`.
pub fn list(items: &[&str]) -> String {
    format!("{{{}}}", items.join(", "))
}

// ── the generated 1,000-rule regime ─────────────────────────────────────────────────────────

const DEST_SETS: &[&str] = &["EU", "EEA", "APEC", "ASEAN", "APEC_CBPR", "US_COUNTRIES_OF_CONCERN"];
const COUNTS: &[&str] = &["individuals_ytd", "sensitive_individuals_ytd"];
const AMOUNTS: &[&str] = &["1", "1_000", "10_000", "100_000", "1_000_000", "10_000_000"];
const DATES: &[&str] = &["2021-11-01", "2022-09-01", "2023-06-01", "2024-03-22", "2025-01-01", "2026-01-01"];
const MECHANISMS: &[&str] = &[
    "cn_security_assessment",
    "cn_standard_contract",
    "cn_certification",
    "eu_scc",
    "bcr",
    "explicit_consent",
    "apec_cbpr",
    "sg_contract",
];

/// A selective test, such as a rule is written around: a destination, or a trait, purpose,
/// consent or data category that few transfers have.
fn trigger(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("destination in {}", list(&subset(rng, DESTINATIONS, 4))),
        1 => format!("destination == {}", rng.pick(DESTINATIONS)),
        2 => format!("data has {}", rng.pick(&DATA[1..])),
        3 => format!("data has all {}", list(&subset(rng, DATA, 2))),
        4 => format!("exporter has {}", rng.pick(EXPORTER)),
        5 => format!("recipient has {}", rng.pick(RECIPIENT)),
        6 => format!("purpose has {}", rng.pick(PURPOSE)),
        _ => format!("consent has {}", rng.pick(CONSENT)),
    }
}

/// One test on one of the ten facts.
fn atom(rng: &mut Rng) -> String {
    match rng.below(20) {
        0 => format!("destination in {}", rng.pick(DEST_SETS)),
        1 => format!("destination in {}", list(&subset(rng, DESTINATIONS, 4))),
        2 => format!("destination == {}", rng.pick(DESTINATIONS)),
        3 | 4 => format!("data has any {}", list(&subset(rng, DATA, 3))),
        5 | 6 => format!("data has {}", rng.pick(DATA)),
        7 => format!("data has all {}", list(&subset(rng, DATA, 2))),
        8 => {
            let lo = rng.below(AMOUNTS.len() - 1);
            let hi = lo + 1 + rng.below(AMOUNTS.len() - 1 - lo);
            format!("{} in {}..{}", rng.pick(COUNTS), AMOUNTS[lo], AMOUNTS[hi])
        }
        9 => format!("{} >= {}", rng.pick(COUNTS), rng.pick(AMOUNTS)),
        10 => format!("{} < {}", rng.pick(COUNTS), rng.pick(AMOUNTS)),
        11 => format!("not (exporter has {})", rng.pick(EXPORTER)),
        12 => format!("exporter has {}", rng.pick(EXPORTER)),
        13 => {
            let lo = rng.below(DATES.len() - 1);
            let hi = lo + 1 + rng.below(DATES.len() - 1 - lo);
            format!("date in {}..{}", DATES[lo], DATES[hi])
        }
        14 => format!("date >= {}", rng.pick(DATES)),
        15 => format!("recipient has {}", rng.pick(RECIPIENT)),
        16 => format!("purpose has any {}", list(&subset(rng, PURPOSE, 3))),
        17 => format!("consent has all {}", list(&subset(rng, CONSENT, 2))),
        18 => format!("consent has {}", rng.pick(CONSENT)),
        _ => (if rng.chance(50) { "data_collected_abroad" } else { "not data_collected_abroad" }).to_owned(),
    }
}

/// A trigger and two or three more factors joined by `and`; a factor is a test or, one time
/// in five, a parenthesised (sometimes negated) `or` of two tests.
fn conjunction(rng: &mut Rng) -> String {
    let factors: Vec<String> = std::iter::once(trigger(rng))
        .chain((0..2 + rng.below(2)).map(|_| {
            if rng.chance(20) {
                let prefix = if rng.chance(30) { "not " } else { "" };
                format!("{prefix}({} or {})", atom(rng), atom(rng))
            } else {
                atom(rng)
            }
        }))
        .collect();
    factors.join(" and ")
}

/// A conjunction, or one time in ten an `or` of two, so that a rule matches a fraction of a
/// percent of scenarios: the deciding row is then hundreds of rows in, and some scenarios
/// reach the default.
fn condition(rng: &mut Rng) -> String {
    let first = conjunction(rng);
    if rng.chance(10) { format!("{first} or {}", conjunction(rng)) } else { first }
}

fn outcome(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=2 => "permit".to_owned(),
        3 => "prohibit".to_owned(),
        4..=6 => "require cn_standard_contract or cn_certification".to_owned(),
        _ => {
            let first = rng.below(MECHANISMS.len());
            let second = (first + 1 + rng.below(MECHANISMS.len() - 1)) % MECHANISMS.len();
            format!("require {} or {}", MECHANISMS[first], MECHANISMS[second])
        }
    }
}

/// A regime of `rules` rules over ten facts, with a few obligations and a default.
pub fn generate_regime(rules: usize) -> String {
    generate_regime_from(rules, 0x9E37_79B9_7F4A_7C15)
}

/// [`generate_regime`] drawn from another seed: an unrelated regime of the same shape.
pub fn generate_regime_from(rules: usize, seed: u64) -> String {
    let mut rng = Rng(seed);
    let mut text = String::with_capacity(rules * 200);
    text.push_str("/// A generated regime for benchmarking evaluation.\n");
    text.push_str("regime bench1000 \"Generated 1,000-rule benchmark regime\" {\n");
    text.push_str("  home CN\n  source \"https://example.org/bench1000\"\n\n");
    for i in 0..rules {
        let _ = write!(text, "  rule r{i:04} \"Generated rule {i}\" cite \"Bench Art. {i}\"");
        match rng.below(5) {
            0 => {
                let _ = write!(text, " effective {}..", rng.pick(DATES));
            }
            1 => {
                let lo = rng.below(DATES.len() - 1);
                let hi = lo + 1 + rng.below(DATES.len() - 1 - lo);
                let _ = write!(text, " effective {}..{}", DATES[lo], DATES[hi]);
            }
            _ => {}
        }
        let _ = write!(text, "\n    when {}\n    then {}\n", condition(&mut rng), outcome(&mut rng));
    }
    text.push_str("\n  oblige pipia \"Impact assessment\" cite \"PIPL Art. 55(4)\" when data has personal\n");
    text.push_str("  oblige separate_consent \"Separate consent\" cite \"PIPL Art. 39\" when data has any {health, biometric} and not (consent has separate)\n");
    text.push_str("  oblige inform_individuals \"Inform\" cite \"PIPL Art. 39\" when data has personal and individuals_ytd >= 1_000\n");
    text.push_str("\n  default require cn_standard_contract or cn_certification\n}\n");
    text
}
