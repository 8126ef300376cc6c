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
#[path = "common/regimes.rs"]
mod regimes;

use accord::check::check_sources;
use accord::check::ir::RegimeId;
use accord::compile::compile;
use accord::date::Date;
use accord::eval::Scenario;
use accord::source::MemoryLoader;
use accord::table::Table;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, Value};
use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

/// How many prepared scenarios the decide benchmarks rotate through.
const SCENARIOS: usize = 1_000;
/// How many lines the stream benchmark decides per iteration.
const STREAM_LINES: usize = 10_000;
/// How many transfers the inventory benchmark compares per iteration.
const INVENTORY_LINES: usize = 1_000_000;
/// How many rules the generated regime has.
const RULES: usize = 1_000;

use common::Rng;
use regimes::{CONSENT, DATA, DESTINATIONS, EXPORTER, PURPOSE, RECIPIENT, REGIME_20, generate_regime, subset};

const SAFEGUARDS: &[&str] =
    &["eu_scc", "bcr", "cn_standard_contract", "cn_certification", "cn_security_assessment", "apec_cbpr"];

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

/// `accord diff cn eu --inventory` over 1,000,000 generated transfers (the lines already in
/// memory; reading them is the CLI's), on every core: the issue's goal is at most 2 s on 2.
fn inventory_1m(c: &mut Criterion) {
    use accord::analysis::diff::{Options, Side};
    use accord::analysis::inventory::{Builder, Line};
    let standard = |id: &str| {
        let text = accord::stdlib::regime(id).unwrap().text;
        accord::compile::compile_text(&format!("{id}.accord"), text).unwrap().remove(0)
    };
    let (cn, eu) = (standard("cn"), standard("eu"));
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let lines: Vec<Line> =
        (0..INVENTORY_LINES).map(|i| (i + 1, Ok(serde_json::to_vec(&scenario_1000(&mut rng)).unwrap()))).collect();
    let options = Options::default();
    let mut group = c.benchmark_group("inventory");
    group.throughput(Throughput::Elements(INVENTORY_LINES as u64));
    group.bench_function("cn_eu_1m", |b| {
        b.iter(|| {
            let mut builder = Builder::new(Side::new(&cn), Side::new(&eu), &options, today()).unwrap();
            for stretch in lines.chunks(1 << 14) {
                builder.add(stretch).unwrap();
            }
            black_box(builder.finish("bench").unwrap().transfers)
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
criterion_group! {
    name = inventory;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(15));
    targets = inventory_1m
}
criterion_main!(decide, heavy, inventory);
