//! Property tests of the front end: whatever bytes a rule file holds, parsing and checking never
//! panic, never report an internal error, and every diagnostic points inside its file, on
//! character boundaries. Inputs range from raw bytes, through soups of the language's tokens,
//! to generated regimes that are valid (and must check clean) or almost valid.
//!
//! `PROPTEST_CASES` sets the number of cases per property (by default 128 batches of up to four
//! inputs for the raw-input properties, 192 generated files for the regime properties).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use accord::check::{self, Checked};
use accord::diagnostics::{self, Diagnostic};
use accord::source::{Loaded, Loader, MemoryLoader, SourceMap, join_relative};
use accord::syntax::{self, KEYWORDS, MAX_FILE_BYTES};
use proptest::prelude::*;
use proptest::sample::{Index, select, subsequence};
use proptest::strategy::Union;
use proptest::test_runner::TestCaseError;
use std::collections::BTreeMap;

// ── harness ─────────────────────────────────────────────────────────────────────────────────

/// `cases` unless `PROPTEST_CASES` says otherwise.
fn config(cases: u32) -> ProptestConfig {
    let cases = option_env_cases().unwrap_or(cases);
    ProptestConfig {
        cases,
        // Failures are reported with the shrunk input; bugs found become plain tests below.
        failure_persistence: None,
        // A failing case shrinks for at most 10 s: each step runs the checker.
        max_shrink_time: 10_000,
        ..ProptestConfig::default()
    }
}

#[allow(clippy::disallowed_methods)] // a test may read its own configuration
fn option_env_cases() -> Option<u32> {
    std::env::var("PROPTEST_CASES").ok()?.parse().ok()
}

/// The name the generated file is checked under; `use "input.accord"` is a use of itself.
const ROOT: &str = "input.accord";

/// Files that `use "…"` can reach, including broken ones, a cycle and one that is not UTF-8.
struct TestLoader {
    files: BTreeMap<String, Vec<u8>>,
}

impl TestLoader {
    fn new() -> Self {
        let files: [(&str, &[u8]); 10] = [
            (
                "other.accord",
                b"/// Shared definitions.\nlet shared_sensitive = data has any {health, biometric}\n\
                  set PARTNERS: Jurisdiction = { DE, FR, JP }\nenum Colour { red \"Red\" green \"Green\" }\n",
            ),
            ("other2.accord", b"let shared_sensitive = data has genetic\nset PARTNERS: Jurisdiction = { US }\n"),
            ("broken.accord", b"regime { when then"),
            ("cycle_a.accord", b"use \"cycle_b.accord\"\nlet from_a = data has health\n"),
            ("cycle_b.accord", b"use \"cycle_a.accord\"\nlet from_b = data has health\n"),
            ("binary.accord", b"\x7fELF\x02\x01\x01\x00\xff\xfe\x00"),
            ("empty.accord", b""),
            ("sub/inner.accord", b"use \"../other.accord\"\nlet inner = shared_sensitive or data has genetic\n"),
            ("deep.accord", b"let deep = ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((x"),
            (ROOT, b"// never read: the root has this key already\n"),
        ];
        TestLoader { files: files.into_iter().map(|(k, v)| (k.to_owned(), v.to_vec())).collect() }
    }
}

impl Loader for TestLoader {
    fn load(&mut self, importer: &str, path: &str) -> Result<Loaded, String> {
        let key = join_relative(importer, path);
        match self.files.get(&key) {
            Some(bytes) => Ok(Loaded { key: key.clone(), name: key, bytes: bytes.clone() }),
            None => Err("no such file".to_owned()),
        }
    }
}

/// Every label of every diagnostic lies in a known file, inside its text, on char boundaries.
fn spans_fit(sources: &SourceMap, diagnostics: &[Diagnostic]) -> Result<(), TestCaseError> {
    for d in diagnostics {
        prop_assert!(!d.labels.is_empty(), "diagnostic without a label: {d:?}");
        prop_assert!(!d.message.is_empty(), "diagnostic without a message: {d:?}");
        for label in &d.labels {
            let span = label.span;
            let Some(file) = sources.get(span.file) else {
                return Err(TestCaseError::fail(format!("label in an unknown file {:?}: {d:?}", span.file)));
            };
            let (start, end, len) = (span.start as usize, span.end as usize, file.text.len());
            prop_assert!(start <= end, "span {start}..{end} is inverted in `{}`: {d:?}", file.name);
            prop_assert!(end <= len, "span {start}..{end} is past the end ({len}) of `{}`: {d:?}", file.name);
            prop_assert!(
                file.text.is_char_boundary(start) && file.text.is_char_boundary(end),
                "span {start}..{end} splits a character in `{}`: {d:?}",
                file.name
            );
        }
    }
    Ok(())
}

/// The name root `i` is checked under; `use "input.accord"` in the first root is a use of
/// itself.
fn root_name(i: usize) -> String {
    if i == 0 { ROOT.to_owned() } else { format!("input{i}.accord") }
}

/// `parse_bytes` and (for UTF-8) `parse` on one input: no internal error, spans that fit, and
/// the same reading as the grammar's own (`by_grammar`).
/// Whether the file has syntax errors.
fn parse_holds(name: &str, bytes: &[u8]) -> Result<bool, TestCaseError> {
    let mut sources = SourceMap::default();
    let parsed = syntax::parse_bytes(&mut sources, name.to_owned(), bytes.to_vec());
    let (_, parsed) = parsed.map_err(|e| TestCaseError::fail(format!("parse_bytes: internal error: {e}")))?;
    let diagnostics: Vec<Diagnostic> = parsed.errors.iter().map(|e| e.to_diagnostic()).collect();
    spans_fit(&sources, &diagnostics)?;
    if let Ok(text) = std::str::from_utf8(bytes) {
        let mut text_sources = SourceMap::default();
        let file = text_sources.add(name.to_owned(), text.to_owned());
        let direct =
            syntax::parse(file, text).map_err(|e| TestCaseError::fail(format!("parse: internal error: {e}")))?;
        let reference = syntax::by_grammar(file, text);
        prop_assert_eq!(Ok(&direct), reference.as_ref(), "the hand-written reader and the grammar disagree");
        let direct: Vec<Diagnostic> = direct.errors.iter().map(|e| e.to_diagnostic()).collect();
        spans_fit(&text_sources, &direct)?;
    }
    Ok(!parsed.errors.is_empty())
}

/// The properties for a batch of inputs: each through `parse_bytes` (and `parse`), then all of
/// them as the root files of one run of the checker (the standard library is parsed once per
/// run, which is most of a run's cost in a debug build). Both renderings of the diagnostics
/// run too: they must not panic either.
fn front_end_holds(inputs: &[Vec<u8>]) -> Result<Checked, TestCaseError> {
    let mut broken = Vec::new();
    for (i, bytes) in inputs.iter().enumerate() {
        if parse_holds(&root_name(i), bytes)? {
            broken.push(root_name(i));
        }
    }
    let roots = inputs
        .iter()
        .enumerate()
        .map(|(i, bytes)| Loaded { key: root_name(i), name: root_name(i), bytes: bytes.clone() })
        .collect();
    let checked = check::check(roots, &mut TestLoader::new())
        .map_err(|e| TestCaseError::fail(format!("check: internal error: {e}")))?;
    spans_fit(&checked.sources, &checked.diagnostics)?;
    prop_assert_eq!(
        checked.error_count() + checked.warning_count(),
        checked.diagnostics.len(),
        "every diagnostic is an error or a warning"
    );
    // A file the parser rejects makes the check fail, with an error in that file.
    for name in broken {
        let in_file = checked.diagnostics.iter().any(|d| {
            d.severity == diagnostics::Severity::Error
                && d.span().and_then(|s| checked.sources.get(s.file)).is_some_and(|f| f.name == name)
        });
        prop_assert!(in_file, "the syntax errors of `{name}` vanished in the check:\n{}", render(&checked));
    }
    let _ = diagnostics::render_human(&checked.diagnostics, &checked.sources);
    for d in &checked.diagnostics {
        let json = diagnostics::to_json(d, &checked.sources);
        serde_json::to_string(&json).map_err(|e| TestCaseError::fail(format!("JSON: {e}")))?;
    }
    Ok(checked)
}

fn one(text: &str) -> Result<Checked, TestCaseError> {
    front_end_holds(&[text.as_bytes().to_vec()])
}

fn render(checked: &Checked) -> String {
    diagnostics::render_human(&checked.diagnostics, &checked.sources)
}

// ── vocabulary ──────────────────────────────────────────────────────────────────────────────

const DATA: &[&str] = &[
    "personal",
    "health",
    "biometric",
    "genetic",
    "financial_account",
    "precise_location",
    "minor_under_14",
    "religion",
    "important",
    "core",
    "employee",
    "publicly_available",
];
const EXPORTER: &[&str] = &["ciio", "public_authority", "data_broker", "us_person", "registered_in_ftz"];
const RECIPIENT: &[&str] = &["dpf_certified", "same_group", "processor", "covered_person", "transit_only"];
const PURPOSE: &[&str] = &["hr_management", "emergency", "legal_claims", "occasional", "public_interest"];
const CONSENT: &[&str] = &["explicit", "separate", "guardian"];
const MECHANISMS_A: &[&str] = &["cn_security_assessment", "cn_standard_contract", "cn_certification", "eu_scc", "bcr"];
const MECHANISMS_B: &[&str] = &["explicit_consent", "sg_contract", "apec_cbpr", "eu_adequacy", "jp_informed_consent"];
const OBLIGATIONS: &[&str] =
    &["pipia", "separate_consent", "inform_individuals", "local_storage", "record_of_transfers"];
const JURISDICTIONS: &[&str] = &["DE", "FR", "CN", "US", "SG", "JP", "GB", "IN", "HK", "TL", "BR"];
const JURISDICTION_SETS: &[&str] = &["EU", "EEA", "APEC", "ASEAN", "APEC_CBPR", "US_COUNTRIES_OF_CONCERN"];
const COUNTS: &[&str] = &["individuals_ytd", "sensitive_individuals_ytd", "handled_individuals", "us_persons_health"];
const BOOLS: &[&str] = &["data_collected_abroad", "on_ftz_negative_list"];
/// Set facts and the members each may hold.
const SET_FACTS: &[(&str, &[&str])] = &[
    ("data", DATA),
    ("exporter", EXPORTER),
    ("recipient", RECIPIENT),
    ("purpose", PURPOSE),
    ("consent", CONSENT),
    ("safeguards", MECHANISMS_A),
];

fn pick(items: &'static [&'static str]) -> BoxedStrategy<String> {
    select(items).prop_map(str::to_owned).boxed()
}

fn some_of(items: &'static [&'static str]) -> BoxedStrategy<String> {
    subsequence(items, 1..=3.min(items.len())).prop_map(|v| v.join(", ")).boxed()
}

/// A count as written: plain or with `_` separators.
fn count_literal(n: u64) -> String {
    let digits = n.to_string();
    if n % 3 == 0 && digits.len() > 3 {
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push('_');
            }
            out.push(c);
        }
        out
    } else {
        digits
    }
}

fn count_value() -> BoxedStrategy<u64> {
    prop_oneof![0..20u64, 0..2_000_000u64, Just(100_000), Just(1_000_000)].boxed()
}

/// A date that exists: `(year, month, day)`.
fn real_date() -> BoxedStrategy<(u32, u32, u32)> {
    (2000..2031u32, 1..=12u32, 1..=28u32).boxed()
}

fn show_date((y, m, d): (u32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

// ── token soup ──────────────────────────────────────────────────────────────────────────────

const PUNCTUATION: &[&str] =
    &["{", "}", "(", ")", ":", "=", ",", "..", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "///", "<", ">"];
const NAMES: &[&str] = &[
    "destination",
    "origin",
    "data",
    "date",
    "exporter",
    "recipient",
    "safeguards",
    "individuals_ytd",
    "sensitive_individuals_ytd",
    "data_collected_abroad",
    "DE",
    "CN",
    "SG",
    "EU",
    "EEA",
    "ASEAN",
    "personal",
    "health",
    "ciio",
    "explicit_consent",
    "cn_standard_contract",
    "pipia",
    "Jurisdiction",
    "DataCategory",
    "Mechanism",
    "count",
    "bool",
    "transfer",
    "jurisdiction",
    "nosuch",
    "destinaton",
    "shared_sensitive",
    "PARTNERS",
    "Colour",
    "red",
    "l0",
    "l1",
    "x",
    "_",
    "IN",
    "AS",
    "Regime",
];
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "007",
    "100_000",
    "1_000_000",
    "1__0",
    "9223372036854775807",
    "9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "99999999999999999999999999",
    "12abc",
];
const DATES: &[&str] = &[
    "2024-03-22",
    "2000-02-29",
    "1999-12-31",
    "0000-01-01",
    "9999-12-31",
    "2023-02-29",
    "1900-02-29",
    "2024-13-01",
    "2024-00-10",
    "2024-04-31",
    "2024-12-32",
    "2024-1-1",
    "2024-03-22x",
    "2024-03-22..2025-01-01",
];
const STRINGS: &[&str] = &[
    "\"\"",
    "\" \"",
    "\"A title\"",
    "\"PIPL Art. 38\"",
    "\"other.accord\"",
    "\"input.accord\"",
    "\"cycle_a.accord\"",
    "\"sub/inner.accord\"",
    "\"broken.accord\"",
    "\"binary.accord\"",
    "\"empty.accord\"",
    "\"deep.accord\"",
    "\"missing.accord\"",
    "\"../outside.accord\"",
    "\"/etc/passwd\"",
    "\"esc \\\" quote\"",
    "\"back\\\\slash\"",
    "\"\\\"",
    "\"unterminated",
    "\"Türkiye — 日本 𝄞\"",
    "\"tab\there\"",
];
const COMMENTS: &[&str] = &["// a comment\n", "/// a doc comment\n", "//// four slashes\n", "//", "///", "/// é𝄞\n"];
const ODD: &[&str] = &[
    "\n", "\r\n", "\t", "&&", "||", "!", "&", "|", "[", "]", "#", "@", "\\", "\"", "'", ";", "é", "€", "𝄞", "\u{0}",
    "\u{feff}", "\u{200b}", "\u{301}",
];

fn token() -> BoxedStrategy<String> {
    prop_oneof![
        4 => select(KEYWORDS).prop_map(str::to_owned),
        3 => pick(PUNCTUATION),
        4 => pick(NAMES),
        1 => "[A-Za-z_][A-Za-z0-9_]{0,10}",
        1 => pick(NUMBERS),
        1 => (0..10_000_000u64).prop_map(count_literal),
        1 => pick(DATES),
        1 => "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        1 => pick(STRINGS),
        1 => "\"[ -~&&[^\"\\\\]]{0,12}\"",
        1 => pick(COMMENTS),
        1 => pick(ODD),
    ]
    .boxed()
}

fn soup() -> impl Strategy<Value = String> {
    prop::collection::vec(token(), 0..80).prop_map(|tokens| tokens.join(" "))
}

// ── generated regimes ───────────────────────────────────────────────────────────────────────

/// A test on one fact that the checker accepts. `lets` names the `let`s in scope; `shared`
/// says whether `other.accord` is used.
fn valid_leaf(lets: usize, shared: bool) -> BoxedStrategy<String> {
    let set_fact = select(SET_FACTS).prop_flat_map(|(fact, members)| {
        prop_oneof![
            pick(members).prop_map(move |m| format!("{fact} has {m}")),
            some_of(members).prop_map(move |m| format!("{fact} has any {{{m}}}")),
            some_of(members).prop_map(move |m| format!("{fact} has all {{{m}}}")),
        ]
    });
    let enum_fact = select(&["origin", "destination"][..]).prop_flat_map(|fact| {
        prop_oneof![
            pick(JURISDICTIONS).prop_map(move |j| format!("{fact} == {j}")),
            pick(JURISDICTIONS).prop_map(move |j| format!("{fact} != {j}")),
            pick(JURISDICTIONS).prop_map(move |j| format!("{j} == {fact}")),
            some_of(JURISDICTIONS).prop_map(move |j| format!("{fact} in {{{j}}}")),
            pick(JURISDICTION_SETS).prop_map(move |s| format!("{fact} in {s}")),
        ]
    });
    let count_fact = (pick(COUNTS), count_value(), 1..1_000_000u64, select(&["==", "!=", "<", "<=", ">", ">="][..]))
        .prop_flat_map(|(fact, n, width, op)| {
            let (f1, f2, f3, f4, f5) = (fact.clone(), fact.clone(), fact.clone(), fact.clone(), fact);
            prop_oneof![
                Just(format!("{f1} {op} {}", count_literal(n))),
                Just(format!("{} {op} {f2}", count_literal(n))),
                Just(format!("{f3} in {}..{}", count_literal(n), count_literal(n + width))),
                Just(format!("{f4} in {}..", count_literal(n))),
                Just(format!("{f5} in ..{}", count_literal(n + width))),
            ]
        });
    let count_list = (pick(COUNTS), prop::collection::vec(count_value(), 1..4)).prop_map(|(fact, ns)| {
        format!("{fact} in {{{}}}", ns.into_iter().map(count_literal).collect::<Vec<_>>().join(", "))
    });
    let date_fact =
        (real_date(), 1..30u32, select(&["==", "!=", "<", "<=", ">", ">="][..])).prop_flat_map(|(d, years, op)| {
            let later = (d.0 + years, d.1, d.2);
            prop_oneof![
                Just(format!("date {op} {}", show_date(d))),
                Just(format!("date in {}..{}", show_date(d), show_date(later))),
                Just(format!("date in {}..", show_date(d))),
                Just(format!("date in ..{}", show_date(later))),
            ]
        });
    let bool_fact = (pick(BOOLS), select(&["", " == true", " == false", " != true", " != false"][..]))
        .prop_map(|(fact, test)| format!("{fact}{test}"));
    let mut leaves: Vec<(u32, BoxedStrategy<String>)> = vec![
        (6, set_fact.boxed()),
        (3, enum_fact.boxed()),
        (3, count_fact.boxed()),
        (1, count_list.boxed()),
        (2, date_fact.boxed()),
        (2, bool_fact.boxed()),
        (1, select(&["true", "false"][..]).prop_map(str::to_owned).boxed()),
    ];
    if lets > 0 {
        leaves.push((2, (0..lets).prop_map(|i| format!("l{i}")).boxed()));
    }
    if shared {
        leaves.push((1, Just("shared_sensitive".to_owned()).boxed()));
        leaves.push((1, Just("destination in PARTNERS".to_owned()).boxed()));
    }
    Union::new_weighted(leaves).boxed()
}

/// A test the checker must reject (or at least report): wrong types, unknown names, values
/// outside the domain, arithmetic, two facts, empty ranges, invalid dates and huge numbers.
fn invalid_leaf() -> BoxedStrategy<String> {
    prop_oneof![
        Just("destinaton == DE".to_owned()),
        Just("destination == XX".to_owned()),
        Just("destination == EU".to_owned()),
        Just("destination has DE".to_owned()),
        Just("destination < DE".to_owned()),
        Just("destination in 1..5".to_owned()),
        Just("destination in DataCategory".to_owned()),
        Just("data has DE".to_owned()),
        Just("data has EU".to_owned()),
        Just("data has any EU".to_owned()),
        Just("data in {health}".to_owned()),
        Just("data == {health}".to_owned()),
        Just("data >= 5".to_owned()),
        Just("data".to_owned()),
        Just("individuals_ytd".to_owned()),
        Just("individuals_ytd == DE".to_owned()),
        Just("individuals_ytd in {DE}".to_owned()),
        Just("individuals_ytd in 10..5".to_owned()),
        Just("individuals_ytd in 5..5".to_owned()),
        Just("individuals_ytd in ..0".to_owned()),
        Just("individuals_ytd in 2024-01-01..".to_owned()),
        Just("individuals_ytd + sensitive_individuals_ytd > 10".to_owned()),
        Just("individuals_ytd * 2 > 10".to_owned()),
        Just("individuals_ytd > sensitive_individuals_ytd".to_owned()),
        Just("individuals_ytd >= 99999999999999999999".to_owned()),
        Just("individuals_ytd <= 9223372036854775807".to_owned()),
        Just("individuals_ytd > 9223372036854775807".to_owned()),
        Just("individuals_ytd in 9223372036854775806..9223372036854775807".to_owned()),
        Just("1 < 2".to_owned()),
        Just("{DE} == {FR}".to_owned()),
        Just("DE".to_owned()),
        Just("2024-03-22".to_owned()),
        Just("42".to_owned()),
        Just("date >= 2023-02-29".to_owned()),
        Just("date in 2025-01-01..2024-01-01".to_owned()),
        Just("date in {2024-01-01, 5}".to_owned()),
        Just("date == 5".to_owned()),
        Just("data_collected_abroad == 1".to_owned()),
        Just("data_collected_abroad < true".to_owned()),
        Just("data_collected_abroad in {true}".to_owned()),
        Just("data_collected_abroad in 1..2".to_owned()),
        Just("EU".to_owned()),
        Just("Jurisdiction".to_owned()),
        Just("nosuch".to_owned()),
        Just("l9".to_owned()),
        Just("shared_sensitive".to_owned()),
        Just("PARTNERS has DE".to_owned()),
        Just("destination in PARTNERS".to_owned()),
        Just("from_a".to_owned()),
        Just("Colour == red".to_owned()),
    ]
    .boxed()
}

/// A condition of `and`, `or`, `not` and parentheses over `leaf`.
fn condition(leaf: BoxedStrategy<String>) -> BoxedStrategy<String> {
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|c| format!("not {c}")),
            inner.clone().prop_map(|c| format!("({c})")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join(" and ")),
            prop::collection::vec(inner, 2..4).prop_map(|v| v.join(" or ")),
        ]
    })
    .boxed()
}

fn outcome() -> BoxedStrategy<String> {
    prop_oneof![
        Just("permit".to_owned()),
        Just("prohibit".to_owned()),
        (subsequence(MECHANISMS_A, 1..=3), prop::option::of(subsequence(MECHANISMS_B, 1..=2))).prop_map(|(a, b)| {
            let mut out = format!("require {}", a.join(" or "));
            if let Some(b) = b {
                out.push_str(&format!(" and require {}", b.join(" or ")));
            }
            out
        }),
    ]
    .boxed()
}

fn cites() -> BoxedStrategy<String> {
    prop_oneof![
        Just("cite \"Art. 1\"".to_owned()),
        Just("cite \"PIPL Art. 38\", \"Provisions Art. 8(2)\"".to_owned()),
        Just("cite \"GDPR Art. 46(2)(c) — Türkiye\"".to_owned()),
    ]
    .boxed()
}

fn effective() -> BoxedStrategy<String> {
    (real_date(), 1..10u32)
        .prop_flat_map(|(d, years)| {
            let later = (d.0 + years, d.1, d.2);
            prop_oneof![
                Just(String::new()),
                Just(format!(" effective {}..", show_date(d))),
                Just(format!(" effective {}..{}", show_date(d), show_date(later))),
                Just(format!(" effective ..{}", show_date(later))),
            ]
        })
        .boxed()
}

fn scenario() -> BoxedStrategy<String> {
    (
        pick(JURISDICTIONS),
        prop::option::of(pick(JURISDICTIONS)),
        prop::option::of(some_of(DATA)),
        prop::option::of(count_value()),
        prop::option::of(real_date()),
        prop::option::of(any::<bool>()),
        prop::option::of(some_of(MECHANISMS_A)),
    )
        .prop_map(|(destination, origin, data, individuals, date, abroad, safeguards)| {
            let mut fields = vec![format!("destination: {destination}")];
            fields.extend(origin.map(|o| format!("origin: {o}")));
            fields.extend(data.map(|d| format!("data: {{{d}}}")));
            fields.extend(individuals.map(|n| format!("individuals_ytd: {}", count_literal(n))));
            fields.extend(date.map(|d| format!("date: {}", show_date(d))));
            fields.extend(abroad.map(|b| format!("data_collected_abroad: {b}")));
            fields.extend(safeguards.map(|s| format!("safeguards: {{{s}}}")));
            format!("{{ {} }}", fields.join(", "))
        })
        .boxed()
}

fn example() -> BoxedStrategy<String> {
    (scenario(), prop_oneof![outcome(), Just("out_of_scope".to_owned())], prop::option::of(some_of(OBLIGATIONS)))
        .prop_map(|(given, expect, with)| {
            let with = with.map(|w| format!(" with {{{w}}}")).unwrap_or_default();
            format!("given {given}\n    expect {expect}{with}")
        })
        .boxed()
}

/// A regime the checker must accept without errors (warnings, such as an unused `let`, are
/// allowed), with optional top-level declarations around it.
fn valid_file() -> BoxedStrategy<String> {
    (0..4usize, any::<bool>())
        .prop_flat_map(|(lets, shared)| {
            let let_decls: Vec<BoxedStrategy<String>> = (0..lets)
                .map(|i| condition(valid_leaf(i, shared)).prop_map(move |c| format!("  let l{i} = {c}\n")).boxed())
                .collect();
            let rule = (cites(), effective(), condition(valid_leaf(lets, shared)), outcome(), any::<bool>());
            let rules = prop::collection::vec(rule, 1..6);
            let obliges = (
                subsequence(OBLIGATIONS, 0..=3),
                prop::collection::vec((cites(), effective(), condition(valid_leaf(lets, shared))), 3),
            );
            let home = prop_oneof![
                pick(JURISDICTIONS),
                pick(JURISDICTION_SETS),
                some_of(JURISDICTIONS).prop_map(|j| format!("{{{j}}}")),
            ];
            let header = (
                select(&["demo", "cn", "eu", "in", "sg_pdpa", "x_2"][..]),
                home,
                any::<bool>(),
                prop::option::of(outcome()),
                prop::collection::vec(example(), 0..3),
                select(
                    &["", "use transfer\n", "use jurisdiction\n", "// a comment\n", "/// A documented regime.\n"][..],
                ),
            );
            (Just(shared), let_decls, rules, obliges, header)
        })
        .prop_map(|(shared, lets, rules, (obligations, oblige_parts), header)| {
            let (id, home, source, default, examples, preamble) = header;
            let mut out = String::new();
            if shared {
                out.push_str("use \"other.accord\"\n");
            }
            out.push_str(preamble);
            out.push_str(&format!("regime {id} \"A generated regime\" {{\n  home {home}\n"));
            if source {
                out.push_str("  source \"https://example.org/law?id=1&v=2\"\n");
            }
            for l in lets {
                out.push_str(&l);
            }
            for (i, (cite, effective, when, then, doc)) in rules.into_iter().enumerate() {
                if doc {
                    out.push_str(&format!("  /// Rule number {i}.\n"));
                }
                // Clauses may come in either order.
                let clauses = if i % 2 == 0 { format!("{cite}{effective}") } else { format!("{effective} {cite}") };
                // `r2` and `r4` yield to every rule before them (a needless one is a warning).
                let yields = match i {
                    2 | 4 => format!(" yields to {}", (0..i).map(|e| format!("r{e}")).collect::<Vec<_>>().join(", ")),
                    _ => String::new(),
                };
                out.push_str(&format!(
                    "  rule r{i} \"Rule {i}\" {clauses}{yields}\n    when {when}\n    then {then}\n"
                ));
            }
            for (obligation, (cite, effective, when)) in obligations.into_iter().zip(oblige_parts) {
                out.push_str(&format!("  oblige {obligation} \"Duty\" {cite}{effective}\n    when {when}\n"));
            }
            if let Some(default) = default {
                out.push_str(&format!("  default {default}\n"));
            }
            for (i, e) in examples.into_iter().enumerate() {
                out.push_str(&format!("  example \"case {i}\" {{\n    {e}\n  }}\n"));
            }
            out.push_str("}\n");
            out
        })
        .boxed()
}

/// Declarations around a regime that exercise the rest of the checker: enums, sets (with
/// nested sets and `effective` members), facts, top-level lets, accords and `use`s of every
/// kind, some of them wrong.
fn top_level_item() -> BoxedStrategy<String> {
    prop_oneof![
        pick(&[
            "use \"other.accord\"\n",
            "use \"sub/inner.accord\"\n",
            "use \"other.accord\"\nuse \"other2.accord\"\n",
            "use \"cycle_a.accord\"\n",
            "use \"broken.accord\"\n",
            "use \"binary.accord\"\n",
            "use \"empty.accord\"\n",
            "use \"deep.accord\"\n",
            "use \"missing.accord\"\n",
            "use \"input.accord\"\n",
            "use transfer\n",
            "use jurisdictions\n",
            "enum Colour { red \"Red\" green \"Green\" red }\n",
            "enum Level { low \"Low\", high \"High\", }\n",
            "enum Empty { }\n",
            "set MINE: Jurisdiction = { DE, FR, EU, TL effective 2025-10-26.., GB effective ..2020-12-31 }\n",
            "set LOOP: Jurisdiction = { LOOP }\n",
            "set A1: Jurisdiction = { B1 }\nset B1: Jurisdiction = { A1 }\n",
            "set WRONG: DataCategory = { DE }\n",
            "set NOTYPE: Nothing = { x }\n",
            "set BAD_RANGE: Jurisdiction = { DE effective 2025-01-01..2024-01-01 }\n",
            "facts { risk: count, colour: Colour, tags: set<DataCategory>, when_: date, flag: bool }\n",
            "facts { data: count }\n",
            "facts { odd: set<count>, other: nosuch }\n",
            "let top = data has health\n",
            "let top = data has genetic\n",
            "let cyc1 = cyc2\nlet cyc2 = cyc1\n",
            "let self_ref = self_ref or data has health\n",
            "accord mutual \"Mutual\" { cite \"Treaty Art. 1\" demo accepts eu_scc or bcr as sg_contract }\n",
            "regime nohome \"No home\" { default permit }\n",
            "regime demo \"Same id as the main regime\" { home SG default prohibit }\n",
            "accord bare \"No cite\" { nosuch accepts nothing as eu_scc }\n",
            "accord timed \"Timed\" { cite \"T\" effective 2024-01-01..2026-01-01 effective 2020-01-01.. }\n",
        ]),
        (0..200usize).prop_map(|n| {
            // A long chain of lets: deeper than the checker follows when n is large.
            let mut out = String::from("let chain0 = data has health\n");
            for i in 1..n {
                out.push_str(&format!("let chain{i} = chain{} or data has genetic\n", i - 1));
            }
            out
        }),
    ]
    .boxed()
}

/// Regime items in a wrong place, twice, or missing what they need.
fn regime_mistake() -> BoxedStrategy<String> {
    pick(&[
        "  home DE\n",
        "  home XX\n",
        "  home 5\n",
        "  home Colour\n",
        "  default permit\n",
        "  source \"twice\"\n",
        "  rule r0 \"Duplicate id\" cite \"Art. 9\" when data has health then permit\n",
        "  rule nocite \"No cite\" when data has health then permit\n",
        "  rule emptycite \"Empty cite\" cite \" \" when data has health then permit\n",
        "  rule twice \"Two effective\" cite \"x\" effective 2024-01-01.. effective ..2025-01-01 when true then permit\n",
        "  rule req \"Duplicate mechanism\" cite \"x\" when true then require eu_scc or eu_scc\n",
        "  rule req2 \"Unknown mechanism\" cite \"x\" when true then require nosuch or pipia\n",
        "  oblige pipia \"Twice\" cite \"a\" when true\n  oblige pipia \"Twice\" cite \"b\" when false\n",
        "  oblige eu_scc \"Not an obligation\" cite \"a\" when true\n",
        "  let l0 = l0\n",
        "  let unused = data has health\n",
        "  example \"case 0\" { given { destination: DE } expect permit }\n  example \"case 0\" { given { } expect prohibit }\n",
        "  example \"bad\" { given { destination: 5, data: health, nosuch: 1, individuals_ytd: DE, date: 2024-02-30 } expect permit with {eu_scc, 5} }\n",
        "  example \"dup\" { given { destination: DE, destination: FR, data: {health, DE} } expect out_of_scope }\n",
    ])
}

/// A valid file damaged at the token level: tokens deleted, repeated, swapped or replaced.
fn damaged(text: String) -> BoxedStrategy<String> {
    let edits = prop::collection::vec((any::<Index>(), 0..4u8, token()), 1..4);
    (Just(text), edits)
        .prop_map(|(text, edits)| {
            let mut tokens: Vec<String> = text.split(' ').map(str::to_owned).collect();
            for (at, kind, replacement) in edits {
                if tokens.is_empty() {
                    tokens.push(replacement);
                    continue;
                }
                let i = at.index(tokens.len());
                match kind {
                    0 => {
                        tokens.remove(i);
                    }
                    1 => {
                        let copy = tokens[i].clone();
                        tokens.insert(i, copy);
                    }
                    2 if i + 1 < tokens.len() => tokens.swap(i, i + 1),
                    _ => tokens[i] = replacement,
                }
            }
            tokens.join(" ")
        })
        .boxed()
}

/// Mostly-valid files: a valid file with wrong conditions, misplaced items or extra
/// declarations; or a valid file damaged at the token level.
fn mostly_valid_file() -> BoxedStrategy<String> {
    let with_bad_conditions = (0..3usize).prop_flat_map(|lets| {
        let leaf = prop_oneof![3 => valid_leaf(lets, true), 1 => invalid_leaf()].boxed();
        let lets_decls = prop::collection::vec(condition(leaf.clone()), lets);
        let rules = prop::collection::vec((condition(leaf), outcome()), 1..5);
        let extras = prop::collection::vec(top_level_item(), 0..3);
        let mistakes = prop::collection::vec(regime_mistake(), 0..3);
        (lets_decls, rules, extras, mistakes).prop_map(|(lets, rules, extras, mistakes)| {
            let mut out = extras.concat();
            out.push_str("regime demo \"Mostly valid\" {\n  home SG\n");
            for (i, l) in lets.iter().enumerate() {
                out.push_str(&format!("  let l{i} = {l}\n"));
            }
            for (i, (when, then)) in rules.iter().enumerate() {
                out.push_str(&format!(
                    "  rule r{i} \"Rule {i}\" cite \"Art. {i}\"\n    when {when}\n    then {then}\n"
                ));
            }
            out.push_str(&mistakes.concat());
            out.push_str("}\n");
            out
        })
    });
    let with_extras = (valid_file(), prop::collection::vec(top_level_item(), 1..4))
        .prop_map(|(file, extras)| format!("{}{file}", extras.concat()));
    prop_oneof![
        2 => with_bad_conditions,
        1 => with_extras,
        2 => valid_file().prop_flat_map(damaged),
    ]
    .boxed()
}

/// Text with multi-byte characters next to anything the grammar might stop at, to catch spans
/// that split a character.
fn unicode_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => token(),
        1 => any::<char>().prop_map(String::from),
        1 => "\\PC{0,6}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

// ── properties ──────────────────────────────────────────────────────────────────────────────

/// Up to four inputs of a kind, checked together.
fn batch(input: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(input, 1..=4)
}

fn text_bytes(text: impl Strategy<Value = String>) -> impl Strategy<Value = Vec<u8>> {
    text.prop_map(String::into_bytes)
}

/// Soup with one byte that is never valid on its own put anywhere, and a few random bytes
/// after: the UTF-8 error can land next to anything.
fn soup_with_a_bad_byte() -> impl Strategy<Value = Vec<u8>> {
    (soup(), any::<Index>(), 0x80..=0xffu8, prop::collection::vec(any::<u8>(), 0..8)).prop_map(
        |(text, at, bad, tail)| {
            let mut bytes = text.into_bytes();
            let at = at.index(bytes.len() + 1).min(bytes.len());
            bytes.insert(at, bad);
            bytes.extend(tail);
            bytes
        },
    )
}

fn in_a_rule(text: String) -> String {
    format!("regime demo \"Soup\" {{\n  home SG\n  rule r \"R\" cite \"C\"\n    when {text}\n    then permit\n}}\n")
}

proptest! {
    #![proptest_config(config(128))]

    /// Raw bytes, invalid UTF-8 included.
    #[test]
    fn arbitrary_bytes(inputs in batch(prop::collection::vec(any::<u8>(), 0..600))) {
        front_end_holds(&inputs)?;
    }

    /// Valid text with a bad byte somewhere: always reported as not UTF-8.
    #[test]
    fn text_with_a_bad_byte(inputs in batch(soup_with_a_bad_byte())) {
        let checked = front_end_holds(&inputs)?;
        let invalid = inputs.iter().filter(|b| std::str::from_utf8(b).is_err()).count();
        let reported = checked.diagnostics.iter().filter(|d| d.code.as_str() == "E0002").count();
        prop_assert_eq!(reported, invalid, "{}", render(&checked));
    }

    /// Arbitrary Unicode text, with the language's tokens mixed in.
    #[test]
    fn arbitrary_text(inputs in batch(text_bytes(unicode_text()))) {
        front_end_holds(&inputs)?;
    }

    /// Sequences of the language's tokens joined with spaces.
    #[test]
    fn token_soup(inputs in batch(text_bytes(soup()))) {
        front_end_holds(&inputs)?;
    }

    /// Token soup inside a regime and a rule, so the soup reaches the condition grammar.
    #[test]
    fn token_soup_in_a_rule(inputs in batch(text_bytes(soup().prop_map(in_a_rule)))) {
        front_end_holds(&inputs)?;
    }
}

proptest! {
    #![proptest_config(config(192))]

    /// Generated valid regimes check clean: no errors, one regime.
    #[test]
    fn valid_regimes_check_clean(text in valid_file()) {
        let checked = one(&text)?;
        prop_assert!(!checked.has_errors(), "a valid file has errors:\n{text}\n{}", render(&checked));
        prop_assert_eq!(checked.program.regimes.len(), 1);
    }

    /// Mostly valid regimes: wrong conditions, misplaced items, broken `use`s, damaged tokens.
    #[test]
    fn mostly_valid_regimes(text in mostly_valid_file()) {
        one(&text)?;
    }
}

/// Words for `closest`, the "did you mean" search: letters whose lowercase form has a
/// different length (`İ` lowercases to `i` and a combining dot) next to plain ones.
fn word() -> impl Strategy<Value = String> {
    let letters: &[char] = &['a', 'i', '\u{130}', '\u{307}', 'ẞ'];
    prop::collection::vec(select(letters), 0..5).prop_map(|v| v.into_iter().collect())
}

proptest! {
    #![proptest_config(config(512))]

    /// The suggestion search behind every "did you mean" never panics, and suggests a candidate.
    #[test]
    fn suggestions_never_panic(name in word(), candidates in prop::collection::vec(word(), 0..6)) {
        let found = diagnostics::closest(&name, candidates.iter().map(String::as_str));
        if let Some(found) = found {
            prop_assert!(candidates.iter().any(|c| c == found));
        }
    }
}

// ── fixed cases ─────────────────────────────────────────────────────────────────────────────

#[test]
fn too_large_input_is_reported_not_parsed() {
    let mut sources = SourceMap::default();
    let bytes = vec![b' '; MAX_FILE_BYTES + 1];
    let (file, parsed) = syntax::parse_bytes(&mut sources, "huge.accord".into(), bytes).unwrap();
    assert_eq!(parsed.errors.len(), 1);
    let d = parsed.errors[0].to_diagnostic();
    assert_eq!(d.code.as_str(), "E0004");
    assert!(d.span().unwrap().end as usize <= sources.get(file).unwrap().text.len());
}

#[test]
fn invalid_utf8_span_covers_the_replacement_character() {
    for bytes in [&b"\xff"[..], b"regime \xc3", b"\xe2\x82", b"ok\xf0\x9f\x98", b"\xed\xa0\x80"] {
        let mut sources = SourceMap::default();
        let (file, parsed) = syntax::parse_bytes(&mut sources, "bad.accord".into(), bytes.to_vec()).unwrap();
        let d = parsed.errors[0].to_diagnostic();
        assert_eq!(d.code.as_str(), "E0002", "{bytes:?}");
        let text = &sources.get(file).unwrap().text;
        let span = d.span().unwrap();
        assert_eq!(&text[span.range()], "\u{fffd}", "{bytes:?}");
    }
}

#[test]
fn every_keyword_alone_and_in_a_rule() {
    for keyword in KEYWORDS {
        for text in [
            keyword.to_string(),
            format!("{keyword} {keyword}"),
            format!("regime {keyword} \"K\" {{ home SG rule {keyword} \"R\" cite \"C\" when {keyword} then permit }}"),
            format!("regime r \"K\" {{ home SG rule r \"R\" cite \"C\" when data has {keyword} then permit }}"),
        ] {
            let checked = one(&text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
            // Ids may be keywords (India's regime is `in`), so the third form checks clean
            // exactly when the keyword is also a condition (`true`, `false`); a keyword is never
            // a member, nor a file of its own.
            let clean = text.starts_with("regime") && text.contains("when") && matches!(*keyword, "true" | "false");
            let clean = clean && !text.contains("data has");
            assert_eq!(!checked.has_errors(), clean, "{text:?}:\n{}", render(&checked));
        }
    }
}

/// Removing duplicate diagnostics must not merge two problems at different places (or in
/// different files) into one.
#[test]
fn the_same_mistake_in_two_places_is_reported_twice() {
    let rule = |id: &str| format!("  rule {id} \"R\" cite \"C\" when destinaton == DE then permit\n");
    let text = format!("regime demo \"Demo\" {{\n  home SG\n{}{}  default permit\n}}\n", rule("a"), rule("b"));
    let checked = check::check_sources(vec![("a.accord".into(), text)], &mut MemoryLoader::default()).unwrap();
    assert_eq!(checked.error_count(), 2, "{}", render(&checked));

    let files = vec![("one.accord".to_owned(), String::new()), ("two.accord".to_owned(), String::new())];
    let checked = check::check_sources(files, &mut MemoryLoader::default()).unwrap();
    assert_eq!(checked.error_count(), 2, "one empty-file error per file:\n{}", render(&checked));
}

#[test]
fn suggestion_for_a_name_whose_lowercase_is_longer() {
    // `İ` lowercases to two characters, so the candidate looks like an extension of it: it is
    // that name, up to case, and is suggested (without slicing inside a character).
    assert_eq!(diagnostics::closest("\u{130}", ["i\u{307}"]), Some("i\u{307}"));
    assert_eq!(diagnostics::closest("\u{130}x", ["i\u{307}"]), Some("i\u{307}"));
}

/// The suggestion search is a string distance per candidate: a 1 MiB unknown name must not
/// cost seconds per candidate (a name far longer than every candidate matches none of them).
/// Run on a thread so that a slow search fails the test after 2 s instead of holding it up.
#[test]
fn suggestion_for_a_huge_name_is_quick() {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let name = "x".repeat(1 << 20);
        let candidates: Vec<String> = (0..40).map(|i| format!("individuals_ytd_{i}")).collect();
        let found = diagnostics::closest(&name, candidates.iter().map(String::as_str)).map(str::to_owned);
        let _ = send.send(found);
    });
    match receive.recv_timeout(std::time::Duration::from_secs(2)) {
        Ok(found) => assert_eq!(found, None),
        Err(_) => panic!("`closest` with a 1 MiB name and 40 candidates took more than 2 s"),
    }
}

// ── formatting ──────────────────────────────────────────────────────────────────────────────

/// `accord fmt`'s text for `text`, if it parses.
fn formatted(text: &str) -> Result<Option<String>, TestCaseError> {
    let result = syntax::format::format(accord::source::FileId::default(), text)
        .map_err(|e| TestCaseError::fail(format!("format: internal error: {e}")))?;
    Ok(result.ok())
}

/// A file's tree, without where each node is written.
fn tree(text: &str) -> String {
    let module = syntax::parse(accord::source::FileId::default(), text).unwrap().module;
    let mut out = format!("{module:?}");
    while let Some(at) = out.find("Span { file: ") {
        let end = out[at..].find(" }").map_or(out.len(), |n| at + n + 2);
        out.replace_range(at..end, "_");
    }
    out
}

/// The diagnostics of a check by content (code and words), whatever their order and place.
fn findings(checked: &Checked) -> Vec<String> {
    let mut out: Vec<String> =
        checked.diagnostics.iter().map(|d| format!("{} {}", d.code.as_str(), d.message)).collect();
    out.sort();
    out
}

/// The properties every formatted file has: it reads into the same tree, formatting it again
/// changes nothing, and it checks to the same findings and compiles to the same tables.
fn formatting_holds(text: &str) -> Result<Option<String>, TestCaseError> {
    let Some(once) = formatted(text)? else {
        prop_assert!(!syntax::parse(accord::source::FileId::default(), text).unwrap().errors.is_empty());
        return Ok(None);
    };
    prop_assert!(tree(&once) == tree(text), "the tree changed:\n{}\n--- formatted ---\n{}", text, once);
    let twice = formatted(&once)?;
    prop_assert_eq!(twice.as_deref(), Some(once.as_str()), "not idempotent; the first result:\n{}", once);
    let (before, after) = (one(text)?, one(&once)?);
    prop_assert_eq!(findings(&before), findings(&after), "{}", once);
    if !before.has_errors() {
        for (i, _) in before.program.regimes.iter().enumerate() {
            let id = check::ir::RegimeId(u32::try_from(i).unwrap());
            let a = accord::compile::compile(&before.program, id, &before.sources);
            let b = accord::compile::compile(&after.program, id, &after.sources);
            prop_assert_eq!(a.map(|t| t.hash), b.map(|t| t.hash), "{}", once);
        }
    }
    Ok(Some(once))
}

/// `text` with a comment `// cN` put in at some of the places between tokens (outside strings
/// and comments): after the token on its line, or on a line of its own.
fn with_comments(text: &str, places: &[(Index, bool)]) -> (String, usize) {
    let mut gaps = Vec::new();
    let (mut in_string, mut in_comment, mut previous) = (false, false, ' ');
    for (i, c) in text.char_indices() {
        // A gap is judged before the character changes the state: the line break that ends a
        // comment is inside it (a comment there would join the one before it).
        if (c == ' ' || c == '\n') && !in_string && !in_comment {
            gaps.push(i);
        }
        match c {
            '"' if !in_comment && previous != '\\' => in_string = !in_string,
            '/' if !in_string && previous == '/' => in_comment = true,
            '\n' => in_comment = false,
            _ => {}
        }
        previous = c;
    }
    let mut chosen: Vec<(usize, bool)> =
        places.iter().map(|(at, own_line)| (gaps[at.index(gaps.len())], *own_line)).collect();
    chosen.sort();
    chosen.dedup_by_key(|(at, _)| *at);
    let mut out = String::new();
    let mut last = 0;
    for (n, (at, own_line)) in chosen.iter().enumerate() {
        out.push_str(&text[last..*at]);
        out.push_str(if *own_line { "\n// c" } else { " // c" });
        out.push_str(&format!("{n}\n"));
        last = *at;
    }
    out.push_str(&text[last..]);
    (out, chosen.len())
}

proptest! {
    #![proptest_config(config(96))]

    /// Valid regimes: same tree, idempotent, same findings, the same table hashes.
    #[test]
    fn formatting_keeps_what_a_valid_file_decides(text in valid_file()) {
        prop_assert!(formatting_holds(&text)?.is_some(), "a valid file did not format:\n{text}");
    }

    /// Mostly valid files: formatted when they parse (keeping every property), refused when not.
    #[test]
    fn formatting_mostly_valid_files(text in mostly_valid_file()) {
        formatting_holds(&text)?;
    }

    /// Comments anywhere between tokens are all kept, once each and in order.
    #[test]
    fn formatting_keeps_every_comment(
        text in valid_file(),
        places in prop::collection::vec((any::<Index>(), any::<bool>()), 1..8),
    ) {
        let (commented, count) = with_comments(&text, &places);
        let once = formatting_holds(&commented)?.unwrap();
        let found: Vec<String> = once.match_indices("// c").map(|(i, _)| {
            once[i + 4..].chars().take_while(char::is_ascii_digit).collect()
        }).collect();
        let expected: Vec<String> = (0..count).map(|n| n.to_string()).collect();
        prop_assert_eq!(found, expected, "{}\n--- formatted ---\n{}", commented, once);
    }
}
