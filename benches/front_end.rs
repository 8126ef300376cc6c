//! Front-end benchmarks: parsing and checking, end to end through
//! [`accord::check::check_sources`].
//!
//! - `stdlib`: the four embedded vocabulary modules checked as roots (target ≤ 20 ms).
//! - `regime_10k`: a generated regime of 10,000 rules with varied, realistic conditions
//!   (target ≤ 200 ms).
//! - `read_10k` and `read_10k_by_grammar`: reading that regime's text into a tree alone, by
//!   the hand-written reader and by pest's pairs (the reference it is checked against).
//! - `check_1k`, `check_10k`, `check_100k`: what `accord check` does (parse, check, compile,
//!   verify, word the findings) for a regime whose every rule after the first repeats its
//!   condition, one rule a line: a warning per rule, the case that once grew with the square
//!   of the rules (target: near-linear growth; 200,000 rules in ≤ 10 s).
//!
//! Run with `cargo bench --bench front_end`. Setting `ACCORD_BENCH_DUMP=<path>` also writes the
//! generated regime to `<path>`, so that the `accord` binary can be timed on the same text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use accord::check::check_sources;
use accord::source::MemoryLoader;
use accord::stdlib::VOCABULARY;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;

/// How many rules the generated regime has.
const RULES: usize = 10_000;

use common::Rng;

const JURISDICTIONS: &[&str] = &["CN", "US", "GB", "JP", "KR", "SG", "DE", "FR", "IN", "BR", "AU", "VN", "HK", "RU"];
const JURISDICTION_SETS: &[&str] = &["EU", "EEA", "APEC", "ASEAN", "APEC_CBPR", "US_COUNTRIES_OF_CONCERN"];
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
];
const EXPORTER: &[&str] = &["ciio", "public_authority", "data_broker", "registered_in_ftz", "automotive_data_handler"];
const RECIPIENT: &[&str] = &["dpf_certified", "apec_cbpr_certified", "bcr_bound", "covered_person", "same_group"];
const PURPOSE: &[&str] =
    &["contract_with_individual", "hr_management", "emergency", "international_trade", "logistics"];
const CONSENT: &[&str] = &["informed", "explicit", "separate", "guardian"];
const SAFEGUARDS: &[&str] = &["eu_scc", "bcr", "cn_standard_contract", "cn_certification", "apec_cbpr"];
const COUNTS: &[&str] =
    &["individuals_ytd", "sensitive_individuals_ytd", "individuals_prev_jan1", "handled_individuals"];
const AMOUNTS: &[&str] = &["1_000", "10_000", "100_000", "1_000_000", "10_000_000"];
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
    "kr_separate_consent",
    "jp_informed_consent",
];
const CITES: &[&str] = &[
    "PIPL Art. 38",
    "PIPL Art. 40",
    "Provisions Art. 4(1)",
    "Provisions Art. 5(2)",
    "GDPR Art. 46(2)(c)",
    "DSL Art. 31",
];

/// A set literal of one to three distinct members.
fn members(rng: &mut Rng, from: &[&str]) -> String {
    let mut chosen: Vec<&str> = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let m = rng.pick(from);
        if !chosen.contains(&m) {
            chosen.push(m);
        }
    }
    format!("{{{}}}", chosen.join(", "))
}

/// One test: a comparison, membership, set or bool test on a fact.
fn atom(rng: &mut Rng) -> String {
    match rng.below(14) {
        0 => format!("destination in {}", rng.pick(JURISDICTION_SETS)),
        1 => format!("destination in {}", members(rng, JURISDICTIONS)),
        2 => format!("destination == {}", rng.pick(JURISDICTIONS)),
        3 => format!("origin in {}", rng.pick(JURISDICTION_SETS)),
        4 => format!("data has any {}", members(rng, DATA)),
        5 => format!("data has {}", rng.pick(DATA)),
        6 => {
            let lo = rng.below(AMOUNTS.len() - 1);
            let hi = lo + 1 + rng.below(AMOUNTS.len() - 1 - lo);
            format!("{} in {}..{}", rng.pick(COUNTS), AMOUNTS[lo], AMOUNTS[hi])
        }
        7 => format!("{} >= {}", rng.pick(COUNTS), rng.pick(AMOUNTS)),
        8 => format!("not (exporter has {})", rng.pick(EXPORTER)),
        9 => format!("date >= {}", rng.pick(DATES)),
        10 => format!("recipient has {}", rng.pick(RECIPIENT)),
        11 => format!("purpose has any {}", members(rng, PURPOSE)),
        12 => format!("consent has all {}", members(rng, CONSENT)),
        _ => match rng.below(3) {
            0 => "data_collected_abroad".to_owned(),
            1 => "on_ftz_negative_list == false".to_owned(),
            _ => format!("safeguards has {}", rng.pick(SAFEGUARDS)),
        },
    }
}

/// A condition of one to four tests joined by `and`/`or`, sometimes parenthesised or negated.
fn condition(rng: &mut Rng) -> String {
    let mut text = atom(rng);
    for _ in 0..rng.below(4) {
        let op = if rng.chance(65) { "and" } else { "or" };
        let next = if rng.chance(25) {
            let prefix = if rng.chance(30) { "not " } else { "" };
            format!("{prefix}({} or {})", atom(rng), atom(rng))
        } else {
            atom(rng)
        };
        text = format!("{text} {op} {next}");
    }
    text
}

fn outcome(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=2 => "permit".to_owned(),
        3 => "prohibit".to_owned(),
        4..=7 => "require cn_standard_contract or cn_certification".to_owned(),
        _ => {
            // Three distinct mechanisms: a mechanism may be named only once in an outcome.
            let first = rng.below(MECHANISMS.len());
            let second = (first + 1 + rng.below(MECHANISMS.len() - 1)) % MECHANISMS.len();
            let mut text = format!("require {} or {}", MECHANISMS[first], MECHANISMS[second]);
            let third =
                (0..MECHANISMS.len()).map(|_| rng.below(MECHANISMS.len())).find(|m| ![first, second].contains(m));
            if let Some(third) = third.filter(|_| rng.chance(50)) {
                let _ = write!(text, " and require {}", MECHANISMS[third]);
            }
            text
        }
    }
}

/// A regime of `rules` rules, with a `home`, a `source`, and a `default`.
fn generate_regime(rules: usize) -> String {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut text = String::with_capacity(rules * 220);
    text.push_str("/// A generated regime for benchmarking the front end.\n");
    text.push_str("regime bench \"Generated benchmark regime\" {\n");
    text.push_str("  home CN\n");
    text.push_str("  source \"https://example.org/generated\"\n\n");
    for i in 0..rules {
        if rng.chance(20) {
            let _ = writeln!(text, "  /// Generated rule number {i}.");
        }
        let _ = write!(text, "  rule r{i:05} \"Generated rule {i}\" cite \"{}\"", rng.pick(CITES));
        if rng.chance(30) {
            let _ = write!(text, ", \"{}\"", rng.pick(CITES));
        }
        match rng.below(4) {
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
    text.push_str("\n  default permit\n}\n");
    text
}

fn stdlib(c: &mut Criterion) {
    let files: Vec<(String, String)> =
        VOCABULARY.iter().map(|m| (format!("{}.accord", m.name), m.text.to_owned())).collect();
    let checked = check_sources(files.clone(), &mut MemoryLoader::default()).unwrap();
    assert!(!checked.has_errors(), "the standard library has errors: {:#?}", checked.diagnostics);
    c.bench_function("stdlib", |b| {
        b.iter_batched(
            || files.clone(),
            |files| check_sources(black_box(files), &mut MemoryLoader::default()).unwrap(),
            BatchSize::SmallInput,
        );
    });
}

fn regime_10k(c: &mut Criterion) {
    let text = generate_regime(RULES);
    #[allow(clippy::disallowed_methods)] // a bench may touch the environment and the file system
    if let Ok(path) = std::env::var("ACCORD_BENCH_DUMP") {
        std::fs::write(&path, &text).unwrap();
    }
    let files = vec![("regime_10k.accord".to_owned(), text)];
    let checked = check_sources(files.clone(), &mut MemoryLoader::default()).unwrap();
    assert!(!checked.has_errors(), "the generated regime has errors: {:#?}", checked.diagnostics);
    assert_eq!(checked.program.regimes.len(), 1);
    assert_eq!(checked.program.regimes[0].rules.len(), RULES);

    c.bench_function("regime_10k", |b| {
        b.iter_batched(
            || files.clone(),
            |files| check_sources(black_box(files), &mut MemoryLoader::default()).unwrap(),
            BatchSize::LargeInput,
        );
    });
    let text = &files[0].1;
    let file = accord::source::FileId(0);
    assert_eq!(accord::syntax::parse(file, text), accord::syntax::by_grammar(file, text));
    c.bench_function("read_10k", |b| b.iter(|| accord::syntax::parse(file, black_box(text)).unwrap()));
    c.bench_function("read_10k_by_grammar", |b| b.iter(|| accord::syntax::by_grammar(file, black_box(text)).unwrap()));
}

/// `rules` rules, one a line, each with the first one's condition.
fn repeated_rules(rules: usize) -> String {
    let mut text = String::from("regime demo \"Demo\" {\n  home SG\n");
    for i in 0..rules {
        let _ = writeln!(text, "  rule r{i} \"Rule {i}\" cite \"s{i}\" when data has health then prohibit");
    }
    text.push_str("  default permit\n}\n");
    text
}

fn check_scale(c: &mut Criterion) {
    for (name, rules) in [("check_1k", 1_000), ("check_10k", 10_000), ("check_100k", 100_000)] {
        let roots = vec![accord::source::Loaded {
            key: "repeated.accord".into(),
            name: "repeated.accord".into(),
            bytes: repeated_rules(rules).into_bytes(),
        }];
        let checked = accord::check_and_verify(roots.clone(), &mut MemoryLoader::default()).unwrap();
        assert_eq!(checked.warning_count(), rules - 1, "one warning a repeated rule");
        c.bench_function(name, |b| {
            b.iter_batched(
                || roots.clone(),
                |roots| {
                    let checked = accord::check_and_verify(black_box(roots), &mut MemoryLoader::default()).unwrap();
                    let shown = accord::diagnostics::capped(&checked.diagnostics, 10).0;
                    accord::diagnostics::render_human(&shown, &checked.sources)
                },
                BatchSize::LargeInput,
            );
        });
    }
}

fn config(measurement_secs: u64) -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(measurement_secs))
}

criterion_group! {
    name = small;
    config = config(5);
    targets = stdlib
}
// A few hundred milliseconds an iteration: criterion samples flat, and 12 s leaves room for two
// or three iterations a sample.
criterion_group! {
    name = large;
    config = config(12);
    targets = regime_10k
}
// A second an iteration at 100,000 rules: ten samples.
criterion_group! {
    name = scale;
    config = config(10).sample_size(10);
    targets = check_scale
}
criterion_main!(small, large, scale);
