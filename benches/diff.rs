//! Diff benchmarks: exact comparison of two compiled tables (`analysis::diff`).
//!
//! - `diff_20`: the hand-written 20-rule regime of the eval bench against a variant with other
//!   thresholds, another outcome and another default; every region listed (target ≤ 1 ms).
//! - `diff_1000_equivalent`: a generated 1,000-provision, 10-fact regime shaped like the
//!   standard ones (`common/provisions.rs`) against a copy with its provisions shuffled (by
//!   swapping neighbours that commute: the same outcome, or disjoint destinations) and every
//!   `require` written with its alternatives in reverse order, compiled separately; proving
//!   that there are no regions (target ≤ 100 ms). Hundreds of provisions move, all through the
//!   regime, so the rules that differ are not one stretch: what is measured is the proof that
//!   the reordering changes no decision.
//! - `diff_1000_one_edit`: the same regime against a copy with one provision's outcome
//!   changed; every region listed (target ≤ 100 ms).
//! - `check_random_1000`: `accord check` (parse, check, compile, verify exactly) of the eval
//!   bench's 1,000-rule regime, whose rules draw their tests from the whole vocabulary, so
//!   hundreds of unrelated rules overlap any one (target ≤ 1 s).
//! - `diff_random_1000_reordered`: that regime against a copy shuffled as above; proving no
//!   regions (target ≤ 100 ms).
//! - `diff_1000_stress`: one edit in that regime (one rule's outcome changed), that regime
//!   against an unrelated one drawn from another seed, and the 1,000 provisions against
//!   unrelated provisions (`ACCORD_BENCH_STRESS=1`), timed once each. The diagrams outgrow
//!   their budget on all three. The one edit and the unrelated provisions are then found piece
//!   by piece (`analysis::pieces`), exactly, with their boxes listed up to the cap (the one
//!   edit's target of 100 ms is not met: see the README); the unrelated random pair is still
//!   out of reach, and must end with a clear refusal.
//! - `matrix_stdlib`: `diff::agreement` for each of the 120 pairs of the 16 standard regimes
//!   (target ≤ 1 s for all).
//!
//! Tables are compiled before timing starts. Run with `cargo bench --bench diff`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // a bench may print

mod common;
#[path = "common/provisions.rs"]
mod provisions;
#[path = "common/regimes.rs"]
mod regimes;

use accord::analysis::diff::{self, DiffError, Options, Reading, Side};
use accord::compile::compile_text;
use accord::table::Table;
use criterion::{Criterion, criterion_group, criterion_main};
use provisions::{generate_provisions, generate_provisions_from};
use regimes::{REGIME_20, generate_regime, generate_regime_from};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn table(name: &str, text: &str) -> Table {
    let mut tables = compile_text(name, text).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert_eq!(tables.len(), 1);
    tables.pop().unwrap()
}

/// Every `require` of `text` with its alternatives in reverse order: the same regime.
fn reorder_alternatives(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        match line.split_once("require ") {
            Some((head, alternatives)) if !alternatives.contains(" and ") => {
                let mut alternatives: Vec<&str> = alternatives.split(" or ").collect();
                alternatives.reverse();
                out.push_str(&format!("{head}require {}", alternatives.join(" or ")));
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    out
}

fn diff_20(c: &mut Criterion) {
    let a = table("regime_20.accord", REGIME_20);
    let edited = REGIME_20
        .replace("individuals_ytd >= 1_000_000", "individuals_ytd >= 500_000")
        .replace(
            "when destination in {HK, MO}\n    then require gba_standard_contract or cn_standard_contract",
            "when destination in {HK, MO}\n    then permit",
        )
        .replace("default require cn_standard_contract or cn_certification", "default permit");
    assert_ne!(edited, REGIME_20);
    let b = table("regime_20_edited.accord", &edited);
    let options = Options::default();
    let report = diff::diff(Side::new(&a), Side::new(&b), &options).unwrap();
    assert!(report.totals.regions > 0);
    eprintln!(
        "diff_20: {} regions in {} groups, agreement {:.4}",
        report.totals.regions, report.totals.groups, report.totals.agreement
    );
    c.bench_function("diff_20", |bench| {
        bench.iter(|| diff::diff(Side::new(black_box(&a)), Side::new(black_box(&b)), &options).unwrap());
    });
}

/// `text` with the outcome of the rule declared as `rule` changed (prohibit ↔ permit).
fn edit_outcome(text: &str, rule: &str) -> String {
    let at = text.find(&format!("rule {rule} ")).unwrap();
    let then = at + text[at..].find("\n    then ").unwrap() + "\n    then ".len();
    let end = then + text[then..].find('\n').unwrap();
    let outcome = if &text[then..end] == "prohibit" { "permit" } else { "prohibit" };
    format!("{}{outcome}{}", &text[..then], &text[end..])
}

/// The destinations a rule's condition confines it to, when it is one conjunction with a
/// `destination == X` or `destination in {X, Y}` factor (a bloc's members are not known here).
fn destinations(when: &str) -> Option<Vec<&str>> {
    // A top-level `or` (outside brackets) makes the condition more than one conjunction.
    let mut depth = 0i32;
    for (i, ch) in when.char_indices() {
        match ch {
            '(' | '{' => depth += 1,
            ')' | '}' => depth -= 1,
            ' ' if depth == 0 && when[i..].starts_with(" or ") => return None,
            _ => {}
        }
    }
    when.split(" and ").find_map(|factor| {
        if let Some(one) = factor.strip_prefix("destination == ") {
            return Some(vec![one.trim()]);
        }
        let set = factor.strip_prefix("destination in {")?.strip_suffix('}')?;
        Some(set.split(", ").collect())
    })
}

/// `text` with its rules shuffled by `swaps` random swaps of neighbours that commute (the same
/// outcome, or destinations that no transfer has both of), so no decision changes; and how
/// many rules moved.
fn shuffle_commuting(text: &str, swaps: usize, seed: u64) -> (String, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> =
        lines.iter().enumerate().filter(|(_, l)| l.starts_with("  rule ")).map(|(i, _)| i).collect();
    let (first, end) = (starts[0], starts[starts.len() - 1] + 3);
    let mut rules: Vec<(usize, &[&str])> = starts.iter().enumerate().map(|(k, &i)| (k, &lines[i..i + 3])).collect();
    assert!(rules.iter().all(|(_, r)| r[1].starts_with("    when ") && r[2].starts_with("    then ")));
    let commute = |x: &[&str], y: &[&str]| {
        x[2] == y[2]
            || match (destinations(x[1]), destinations(y[1])) {
                (Some(dx), Some(dy)) => !dx.iter().any(|d| dy.contains(d)),
                _ => false,
            }
    };
    let mut rng = common::Rng(seed);
    for _ in 0..swaps {
        let k = rng.below(rules.len() - 1);
        if commute(rules[k].1, rules[k + 1].1) {
            rules.swap(k, k + 1);
        }
    }
    let moved = rules.iter().enumerate().filter(|(at, (k, _))| at != k).count();
    let mut out: Vec<&str> = lines[..first].to_vec();
    out.extend(rules.iter().flat_map(|(_, r)| r.iter().copied()));
    out.extend(&lines[end..]);
    (out.join("\n") + "\n", moved)
}

fn diff_1000(c: &mut Criterion) {
    let text = generate_provisions(1_000);
    let a = table("provisions_1000.accord", &text);
    let (shuffled, moved) = shuffle_commuting(&text, 200_000, 0xA5A5_5A5A_1234_5678);
    let reordered = reorder_alternatives(&shuffled);
    assert!(moved > 200, "only {moved} provisions moved");
    let b = table("provisions_1000_reordered.accord", &reordered);
    bench_alike(c, "diff_1000_equivalent", &a, &b, &format!("{moved} of 1,000 provisions moved"));
    let options = Options::default();

    // One rule, half-way down, decides otherwise: the first from the middle on that decides
    // somewhere (a rule that earlier ones cover changes nothing when edited).
    let (rule, b, report) = (500..1_000)
        .map(|i| {
            let rule = format!("p{i:04}");
            let b = table("provisions_1000_edited.accord", &edit_outcome(&text, &rule));
            let report = diff::diff(Side::new(&a), Side::new(&b), &options).unwrap();
            (rule, b, report)
        })
        .find(|(_, _, report)| report.totals.regions > 0)
        .unwrap();
    eprintln!(
        "diff_1000_one_edit: {rule} edited; {} regions in {} groups, agreement {:.6}",
        report.totals.regions, report.totals.groups, report.totals.agreement
    );
    c.bench_function("diff_1000_one_edit", |bench| {
        bench.iter(|| diff::diff(Side::new(black_box(&a)), Side::new(black_box(&b)), &options).unwrap());
    });
}

fn random_1000(c: &mut Criterion) {
    let text = generate_regime(1_000);
    let roots = vec![accord::source::Loaded {
        key: "regime_1000.accord".into(),
        name: "regime_1000.accord".into(),
        bytes: text.clone().into_bytes(),
    }];
    let checked = accord::check_and_verify(roots.clone(), &mut accord::source::MemoryLoader::default()).unwrap();
    let codes = |code: &str| checked.diagnostics.iter().filter(|d| d.code.as_str() == code).count();
    assert_eq!(codes("W0305"), 0, "verification gave up");
    eprintln!(
        "check_random_1000: {} warnings, {} dead rules, verified exactly",
        checked.warning_count(),
        codes("W0302")
    );
    c.bench_function("check_random_1000", |bench| {
        bench.iter(|| {
            accord::check_and_verify(black_box(roots.clone()), &mut accord::source::MemoryLoader::default()).unwrap()
        });
    });

    let a = table("regime_1000.accord", &text);
    let (shuffled, moved) = shuffle_commuting(&text, 200_000, 0x0DDB_A11C_AFE5_0001);
    assert!(moved > 200, "only {moved} rules moved");
    let b = table("regime_1000_reordered.accord", &shuffled);
    bench_alike(c, "diff_random_1000_reordered", &a, &b, &format!("{moved} of 1,000 rules moved"));
}

/// Benches the diff of two tables that must decide alike (no regions), after saying `what`
/// sets them apart.
fn bench_alike(c: &mut Criterion, id: &str, a: &Table, b: &Table, what: &str) {
    let options = Options::default();
    let report = diff::diff(Side::new(a), Side::new(b), &options).unwrap();
    assert_eq!(report.totals.regions, 0, "{id}: the reordering changed decisions");
    eprintln!("{id}: {what}, no regions");
    c.bench_function(id, |bench| {
        bench.iter(|| diff::diff(Side::new(black_box(a)), Side::new(black_box(b)), &options).unwrap());
    });
}

/// The stress cases. In the regime of rules drawn from the whole vocabulary (the eval bench's):
/// one edit, where hundreds of unrelated rules overlap the edited one, and an unrelated regime
/// of the same shape. And two unrelated regimes of provisions. The one edit and the provisions
/// must be answered (every group, its share, boxes up to the cap); the unrelated random pair
/// may still be refused, but clearly, not run on. Runs once, untimed by criterion (an
/// iteration takes seconds), when `ACCORD_BENCH_STRESS=1`.
fn diff_1000_stress(_: &mut Criterion) {
    if std::env::var_os("ACCORD_BENCH_STRESS").is_none() {
        eprintln!("diff_1000_stress: skipped (set ACCORD_BENCH_STRESS=1 to run it)");
        return;
    }
    let text = generate_regime(1_000);
    let a = table("regime_1000.accord", &text);
    let edited = table("regime_1000_edited.accord", &edit_outcome(&text, "r0500"));
    let unrelated = table("regime_1000_other.accord", &generate_regime_from(1_000, 0x1234_5678_9ABC_DEF1));
    let provisions = table("provisions_1000.accord", &generate_provisions(1_000));
    let other_provisions =
        table("provisions_1000_other.accord", &generate_provisions_from(1_000, 0x1234_5678_9ABC_DEF1));
    let cases = [
        ("one edit", &a, &edited),
        ("unrelated", &a, &unrelated),
        ("unrelated provisions", &provisions, &other_provisions),
    ];
    for (name, a, b) in cases {
        let started = Instant::now();
        match diff::diff(Side::new(a), Side::new(b), &Options::default()) {
            Err(DiffError::TooIntricate) if name == "unrelated" => {
                eprintln!("diff_1000_stress, {name}: refused in {:?}", started.elapsed());
            }
            Err(e) => panic!("diff_1000_stress, {name}: {e}"),
            Ok(report) => {
                let partial = report.groups.iter().filter(|g| g.partial).count();
                eprintln!(
                    "diff_1000_stress, {name}: {} groups, agreement {}, {} regions listed ({partial} groups listed in \
                     part) in {:?}",
                    report.totals.groups,
                    report.totals.agreement,
                    report.totals.regions,
                    started.elapsed()
                );
                assert!(report.totals.groups > 0, "{name}: the two must differ somewhere");
            }
        }
    }
}

fn matrix_stdlib(c: &mut Criterion) {
    let tables: Vec<Table> =
        accord::stdlib::REGIMES.iter().map(|m| table(&format!("{}.accord", m.name), m.text)).collect();
    assert_eq!(tables.len(), 16);
    let aligned = Options::default();
    let same = Options { reading: Reading::SameOrigin, ..Options::default() };
    // Each pair in the origin-aligned reading, unless a side tells home members apart.
    let mut pairs: Vec<(&Table, &Table, &Options)> = Vec::new();
    for (i, a) in tables.iter().enumerate() {
        for b in &tables[i + 1..] {
            let options = match diff::agreement(Side::new(a), Side::new(b), &aligned) {
                Err(DiffError::OriginWithinHome { .. }) => &same,
                Err(e) => panic!("{} / {}: {e}", a.regime, b.regime),
                Ok(_) => &aligned,
            };
            pairs.push((a, b, options));
        }
    }
    assert_eq!(pairs.len(), 120);
    let same_origin = pairs.iter().filter(|p| p.2.reading == Reading::SameOrigin).count();
    eprintln!("matrix_stdlib: 120 pairs, {same_origin} read with a shared origin");
    c.bench_function("matrix_stdlib", |bench| {
        bench.iter(|| {
            pairs
                .iter()
                .map(|(a, b, options)| {
                    let shares = diff::agreement(Side::new(a), Side::new(b), options).unwrap();
                    shares.agreement + shares.bridged
                })
                .sum::<f64>()
        });
    });
}

criterion_group! {
    name = small;
    config = Criterion::default().sample_size(50).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    targets = diff_20
}
criterion_group! {
    name = heavy;
    config = Criterion::default().sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(6));
    targets = matrix_stdlib, diff_1000, random_1000, diff_1000_stress
}
criterion_main!(small, heavy);
