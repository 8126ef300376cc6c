//! Evaluation benchmarks: deciding scenarios with a compiled table, compiling a large regime,
//! and the per-line work of `accord eval --input`.
//!
//! - `decide_20_rules_5_facts`: a hand-written 20-rule regime over `destination`, `data`,
//!   `individuals_ytd`, `date` and `exporter` (plus two obligations); one `Table::decide` (verdict
//!   and deciding row, no allocation) per iteration, rotating through 1,000 prepared scenarios
//!   (target ≤ 50 ns per decision).
//! - `decide_1000_rules_10_facts`: a generated 1,000-rule regime over ten facts (enum `in`, set
//!   `has`/`has any`/`has all`, count and date ranges, bools, `not`, `or`, `effective`), same
//!   method (target ≤ 200 ns per decision).
//! - `evaluate_20_rules_5_facts`, `evaluate_1000_rules_10_facts`: the same rotations through
//!   `Table::evaluate`, the full decision (obligations, requirements, citations, owned strings),
//!   so that the matching core and the building of the full `Decision` can be told apart.
//! - `compile_1000_rules`: `compile::compile` alone on the checked 1,000-rule program (target
//!   ≤ 10 ms).
//! - `stream_10k_lines`: what `accord eval REGIME --input FILE.jsonl` does per line (read the
//!   scenario with `Scenario::quick_reader`, `evaluate`, serialise the decision), on one
//!   thread, over 10,000 prepared lines against the 1,000-rule table.
//!
//! Run with `cargo bench --bench eval`. The end-to-end stream is timed outside criterion, on
//! the CLI binary: setting `ACCORD_BENCH_DUMP=<dir>` makes this bench write into `<dir>` the
//! two regimes (`regime_20.accord`, `regime_1000.accord`) and JSON Lines scenario files for them
//! (`scenarios_1000_<N>.jsonl`, `scenarios_20_<N>.jsonl`, for each `N` in
//! `ACCORD_BENCH_LINES`, a comma-separated list, default `100000,1000000`). With `--list` no
//! benchmark runs, so only the files are written:
//!
//! ```text
//! ACCORD_BENCH_DUMP=/tmp/accord-bench cargo bench --bench eval -- --list
//! cargo build --release
//! R=/tmp/accord-bench
//! hyperfine -N -w 1 -r 3 --output=null -L n 100000,1000000 \
//!     "./target/release/accord eval $R/regime_1000.accord --input $R/scenarios_1000_{n}.jsonl --today 2025-06-01"
//! /usr/bin/time -v ./target/release/accord eval $R/regime_1000.accord \
//!     --input $R/scenarios_1000_1000000.jsonl --today 2025-06-01 > /dev/null
//! ```
//!
//! Memory must stay flat: the maximum resident set size for 100,000 and 1,000,000 lines should
//! be about the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a bench may write files and print

mod common;

use accord::check::check_sources;
use accord::check::ir::RegimeId;
use accord::compile::compile;
use accord::date::Date;
use accord::eval::Scenario;
use accord::source::MemoryLoader;
use accord::table::Table;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

/// How many prepared scenarios the decide benchmarks rotate through.
const SCENARIOS: usize = 1_000;
/// How many lines the stream benchmark decides per iteration.
const STREAM_LINES: usize = 10_000;
/// How many rules the generated regime has.
const RULES: usize = 1_000;

use common::Rng;

// ── the 20-rule regime ──────────────────────────────────────────────────────────────────────

/// A PIPL-like regime of 20 rules testing five facts: `destination`, `data`,
/// `individuals_ytd`, `date` and `exporter`.
const REGIME_20: &str = r#"/// A hand-written 20-rule regime for benchmarking evaluation.
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

const DESTINATIONS: &[&str] = &[
    "US", "GB", "JP", "KR", "SG", "DE", "FR", "IN", "BR", "AU", "VN", "HK", "MO", "RU", "NL", "IT", "ES", "CA", "MX",
    "TH", "MY", "ID", "PH", "IE", "SE", "NZ", "CH", "AE",
];
const DATA: &[&str] = &[
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
const EXPORTER: &[&str] = &[
    "ciio",
    "public_authority",
    "data_broker",
    "registered_in_ftz",
    "registered_in_gba",
    "automotive_data_handler",
    "acting_as_processor",
];
const RECIPIENT: &[&str] = &[
    "dpf_certified",
    "apec_cbpr_certified",
    "bcr_bound",
    "covered_person",
    "same_group",
    "processor",
    "transit_only",
    "storage_only_agent",
];
const PURPOSE: &[&str] = &[
    "contract_with_individual",
    "hr_management",
    "emergency",
    "international_trade",
    "academic_cooperation",
    "logistics",
    "international_payment",
    "cross_border_transport",
];
const CONSENT: &[&str] = &["informed", "explicit", "separate", "guardian", "sg_deemed", "jp_informed_of_destination"];
const SAFEGUARDS: &[&str] =
    &["eu_scc", "bcr", "cn_standard_contract", "cn_certification", "cn_security_assessment", "apec_cbpr"];

/// A set of one to `most` distinct members, in the order drawn.
fn subset<'a>(rng: &mut Rng, from: &[&'a str], most: usize) -> Vec<&'a str> {
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..1 + rng.below(most) {
        let m = rng.pick(from);
        if !chosen.contains(&m) {
            chosen.push(m);
        }
    }
    chosen
}

/// A count spread over the thresholds rules use (0 to a few million, roughly log-uniform).
fn volume(rng: &mut Rng) -> u64 {
    if rng.chance(10) {
        return 0;
    }
    let decade = 10u64.pow(rng.below(7) as u32);
    decade * (1 + rng.below(9) as u64)
}

/// A transfer date between 2021-01-01 and 2026-12-31.
fn transfer_date(rng: &mut Rng) -> String {
    let start = Date::parse("2021-01-01").unwrap().days();
    Date::from_days(start + rng.below(6 * 365) as i64).to_string()
}

fn strings(items: Vec<&str>) -> Value {
    Value::Array(items.into_iter().map(|s| Value::String(s.to_owned())).collect())
}

/// A scenario over the 20-rule regime's facts (origin CN, except 5% out of scope).
fn scenario_20(rng: &mut Rng) -> Value {
    let mut o = Map::new();
    o.insert("origin".into(), (if rng.chance(95) { "CN" } else { "US" }).into());
    o.insert("destination".into(), rng.pick(DESTINATIONS).into());
    let mut data = if rng.chance(85) { vec!["personal"] } else { Vec::new() };
    if rng.chance(60) {
        for d in subset(rng, DATA, 3) {
            if !data.contains(&d) && (d != "core" || rng.chance(20)) {
                data.push(d);
            }
        }
    }
    o.insert("data".into(), strings(data));
    o.insert("individuals_ytd".into(), volume(rng).into());
    o.insert("date".into(), transfer_date(rng).into());
    if rng.chance(40) {
        o.insert("exporter".into(), strings(subset(rng, EXPORTER, 2)));
    }
    Value::Object(o)
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

fn list(items: &[&str]) -> String {
    format!("{{{}}}", items.join(", "))
}

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
fn generate_regime(rules: usize) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
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

/// A scenario over the ten facts (origin CN, except 5% out of scope).
fn scenario_1000(rng: &mut Rng) -> Value {
    let mut o = Map::new();
    o.insert("origin".into(), (if rng.chance(95) { "CN" } else { "US" }).into());
    o.insert("destination".into(), rng.pick(DESTINATIONS).into());
    let mut data = if rng.chance(85) { vec!["personal"] } else { Vec::new() };
    if rng.chance(70) {
        for d in subset(rng, DATA, 3) {
            if !data.contains(&d) {
                data.push(d);
            }
        }
    }
    o.insert("data".into(), strings(data));
    if rng.chance(40) {
        o.insert("exporter".into(), strings(subset(rng, EXPORTER, 2)));
    }
    if rng.chance(50) {
        o.insert("recipient".into(), strings(subset(rng, RECIPIENT, 2)));
    }
    if rng.chance(50) {
        o.insert("purpose".into(), strings(subset(rng, PURPOSE, 2)));
    }
    if rng.chance(40) {
        o.insert("consent".into(), strings(subset(rng, CONSENT, 2)));
    }
    o.insert("individuals_ytd".into(), volume(rng).into());
    if rng.chance(50) {
        o.insert("sensitive_individuals_ytd".into(), volume(rng).into());
    }
    o.insert("date".into(), transfer_date(rng).into());
    if rng.chance(20) {
        o.insert("data_collected_abroad".into(), true.into());
    }
    if rng.chance(30) {
        o.insert("safeguards".into(), strings(subset(rng, SAFEGUARDS, 2)));
    }
    Value::Object(o)
}

// ── set-up ──────────────────────────────────────────────────────────────────────────────────

fn today() -> Date {
    Date::parse("2025-06-01").unwrap()
}

fn checked(name: &str, text: &str) -> accord::check::Checked {
    let checked = check_sources(vec![(name.to_owned(), text.to_owned())], &mut MemoryLoader::default()).unwrap();
    assert!(!checked.has_errors(), "{name} has errors: {:#?}", checked.diagnostics);
    assert_eq!(checked.program.regimes.len(), 1);
    checked
}

fn table(name: &str, text: &str) -> Table {
    let checked = checked(name, text);
    compile(&checked.program, RegimeId(0), &checked.sources).unwrap()
}

fn scenarios(table: &Table, values: &[Value]) -> Vec<Scenario> {
    values.iter().map(|v| Scenario::from_value(table, v, today()).unwrap()).collect()
}

/// Prints where the prepared scenarios are decided, so that a change in the generators that
/// makes the benchmark easier (or harder) shows.
fn describe(name: &str, table: &Table, scenarios: &[Scenario]) {
    let mut depths: Vec<usize> = Vec::new();
    let (mut defaulted, mut out) = (0usize, 0usize);
    for s in scenarios {
        let d = table.evaluate(s);
        match d.row {
            Some(r) => depths.push(r),
            None if d.verdict == accord::eval::Verdict::OutOfScope => out += 1,
            None => defaulted += 1,
        }
    }
    depths.sort_unstable();
    let median = depths.get(depths.len() / 2).copied().unwrap_or(0);
    eprintln!(
        "{name}: {} rows, {} columns; of {} scenarios {} decided by a row (median row {median}), {defaulted} by the default, {out} out of scope",
        table.rows.len(),
        table.columns.len(),
        scenarios.len(),
        depths.len(),
    );
}

/// With `ACCORD_BENCH_DUMP=<dir>`, writes the regimes and JSON Lines scenario files.
fn dump(regime_20: &str, regime_1000: &str) {
    let Ok(dir) = std::env::var("ACCORD_BENCH_DUMP") else { return };
    let dir = std::path::PathBuf::from(dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("regime_20.accord"), regime_20).unwrap();
    std::fs::write(dir.join("regime_1000.accord"), regime_1000).unwrap();
    let sizes = std::env::var("ACCORD_BENCH_LINES").unwrap_or_else(|_| "100000,1000000".to_owned());
    for size in sizes.split(',').map(|s| s.trim().parse::<usize>().unwrap()) {
        type Generator = fn(&mut Rng) -> Value;
        let generators: [(&str, Generator); 2] = [("1000", scenario_1000), ("20", scenario_20)];
        for (name, generate) in generators {
            let path = dir.join(format!("scenarios_{name}_{size}.jsonl"));
            let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
            let mut rng = Rng(0xD1B5_4A32_D192_ED03);
            for _ in 0..size {
                serde_json::to_writer(&mut out, &generate(&mut rng)).unwrap();
                out.write_all(b"\n").unwrap();
            }
            out.flush().unwrap();
            eprintln!("wrote {}", path.display());
        }
    }
}

// ── benchmarks ──────────────────────────────────────────────────────────────────────────────

/// Times one call of `run` per iteration, rotating through the prepared scenarios: used with
/// [`Table::decide`] (verdict and deciding row, the evaluator's hot path) and with
/// [`Table::evaluate`] (the full decision: obligations, requirements, citations, owned strings),
/// so that the matching core and the building of the full decision can be told apart.
/// `stream_10k_lines` below times the whole per-line work, JSON included.
fn bench_rotating<T>(c: &mut Criterion, id: &str, scenarios: &[Scenario], run: impl Fn(&Scenario) -> T) {
    let mut i = 0usize;
    c.bench_function(id, |b| {
        b.iter(|| {
            let scenario = &scenarios[i];
            i += 1;
            if i == scenarios.len() {
                i = 0;
            }
            run(black_box(scenario))
        });
    });
}

fn decide_20(c: &mut Criterion) {
    let table = table("regime_20.accord", REGIME_20);
    assert_eq!(table.rows.iter().map(|r| &r.rule).collect::<std::collections::BTreeSet<_>>().len(), 20);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let values: Vec<Value> = (0..SCENARIOS).map(|_| scenario_20(&mut rng)).collect();
    let scenarios = scenarios(&table, &values);
    describe("decide_20_rules_5_facts", &table, &scenarios);
    bench_rotating(c, "decide_20_rules_5_facts", &scenarios, |s| table.decide(s));
    bench_rotating(c, "evaluate_20_rules_5_facts", &scenarios, |s| table.evaluate(s));
}

fn decide_1000(c: &mut Criterion) {
    let text = generate_regime(RULES);
    dump(REGIME_20, &text);
    let table = table("regime_1000.accord", &text);
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let values: Vec<Value> = (0..SCENARIOS).map(|_| scenario_1000(&mut rng)).collect();
    let scenarios = scenarios(&table, &values);
    describe("decide_1000_rules_10_facts", &table, &scenarios);
    bench_rotating(c, "decide_1000_rules_10_facts", &scenarios, |s| table.decide(s));
    bench_rotating(c, "evaluate_1000_rules_10_facts", &scenarios, |s| table.evaluate(s));
}

fn compile_1000(c: &mut Criterion) {
    let checked = checked("regime_1000.accord", &generate_regime(RULES));
    assert_eq!(checked.program.regimes[0].rules.len(), RULES);
    c.bench_function("compile_1000_rules", |b| {
        b.iter(|| compile(black_box(&checked.program), RegimeId(0), &checked.sources).unwrap());
    });
}

fn stream_10k(c: &mut Criterion) {
    let table = table("regime_1000.accord", &generate_regime(RULES));
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let lines: Vec<String> =
        (0..STREAM_LINES).map(|_| serde_json::to_string(&scenario_1000(&mut rng)).unwrap()).collect();
    let today = today();
    let quick = Scenario::quick_reader(&table);
    let mut out: Vec<u8> = Vec::with_capacity(STREAM_LINES * 256);
    let mut group = c.benchmark_group("stream_10k_lines");
    group.throughput(Throughput::Elements(STREAM_LINES as u64));
    group.bench_function("1000_rules", |b| {
        b.iter(|| {
            out.clear();
            for line in &lines {
                let scenario = quick(black_box(line.as_bytes()), today).unwrap();
                let decision = table.evaluate(&scenario);
                serde_json::to_writer(&mut out, &decision).unwrap();
                out.push(b'\n');
            }
            black_box(out.len())
        });
    });
    group.finish();
}

criterion_group! {
    name = decide;
    config = Criterion::default().sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = decide_20, decide_1000
}
criterion_group! {
    name = heavy;
    config = Criterion::default().sample_size(20).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(6));
    targets = compile_1000, stream_10k
}
criterion_main!(decide, heavy);
