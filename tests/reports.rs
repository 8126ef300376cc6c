//! `accord diff` reports in every format, on a small pair of regimes written for these tests
//! (`tests/reports/pair.accord`), and the HTML report opened in a headless browser.
//!
//! The pair, worked by hand (origin aligned: `left` governs transfers leaving SG, `right`
//! those leaving MY). Shares are under the standard library's weights, read here from the
//! compiled table: each fact independent, each set member present independently, and only
//! points consistent with the vocabulary's implications counting. The compared space has the
//! destination (n members, each weighing 1/n), the members of `data`, `consent`, the
//! recipient's APEC CBPR certification (present with weight r), `individuals_ytd` in three
//! bands (below 10,000: c1; up to 50,000: c2; above: c3) and the date in two (before
//! 2025-01-01: d1; after: d2). The vocabulary makes K categories (`health` among them) imply
//! `personal`, so a data set is consistent when it holds none of them, or holds `personal`.
//! With `personal` present with weight P, `health` with H and A the weight of holding none of
//! the K, the consistent points weigh A + (1 - A) P: personal data weighs p = P / (A + (1 - A)
//! P), personal health data q_h = p H, personal data without health q_o = p (1 - H). Facts
//! establish two mechanisms: explicit consent (left's `health`), where both of left's outcomes
//! are looser than right's, so the class does not change; and the certification (right's
//! `bulk`), which turns right's `require apec_cbpr` into `permit` where it is held. The sides
//! differ:
//! - to SG (left out of scope) and to MY (right out of scope): everywhere, 1/n each;
//! - to IR (only right prohibits): wherever the data is personal, p/n;
//! - elsewhere but KP (n - 4 members): personal health data (q_h: right accepts fewer
//!   mechanisms, or left's are met by explicit consent, so right is stricter), and personal
//!   data without health (q_o) in three of its six count-by-date cells: 10,000-50,000 from 2025
//!   (left stricter), 50,000 up before 2025 (right stricter, where the recipient is not
//!   certified) and from 2025 (left stricter where it is certified; elsewhere different
//!   mechanisms of no common family or order: incomparable).
//!
//! `totals_match_the_hand_count` checks the totals this gives.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)] // a failed assertion is how a test reports
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests run programs, read the environment and print

use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const LEFT: &str = "tests/reports/pair.accord#left";
const RIGHT: &str = "tests/reports/pair.accord#right";

/// How long the browser may take before the test kills it and fails.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(60);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs `accord` from the crate's root (so rule locations in reports are relative paths),
/// with `stdin`, and returns its standard output; the command must succeed.
fn accord(args: &[&str], stdin: &str) -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_accord"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Written from another thread: a long input and its output would otherwise fill both pipes.
    let mut input = child.stdin.take().unwrap();
    let text = stdin.to_owned();
    let writer = std::thread::spawn(move || input.write_all(text.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "accord {} failed: {}\n{}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn diff(format: &str) -> String {
    accord(&["diff", LEFT, RIGHT, "--format", format], "")
}

fn diff_json() -> Value {
    serde_json::from_str(&diff("json")).unwrap()
}

/// `accord`'s pretty JSON with every array of scalars joined onto one line: the long member
/// lists of enum cells then take one line each, which keeps the snapshot reviewable. Only
/// whitespace changes, and keys keep their order.
fn join_scalar_arrays(pretty: &str) -> String {
    let lines: Vec<&str> = pretty.lines().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if line.ends_with('[') {
            let items: Vec<&str> =
                lines[i + 1..].iter().map(|l| l.trim()).take_while(|l| !l.starts_with(']')).collect();
            let close = lines.get(i + 1 + items.len()).map(|l| l.trim());
            let scalars = items.iter().all(|item| !item.ends_with(['[', '{']));
            if let (true, Some(close)) = (scalars, close) {
                out.push_str(&format!("{line}{}{close}\n", items.join(" ")));
                i += items.len() + 2;
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
        i += 1;
    }
    out
}

#[test]
fn diff_text() {
    insta::assert_snapshot!(diff("text"));
}

#[test]
fn diff_json_document() {
    let raw = diff("json");
    let value: Value = serde_json::from_str(&raw).unwrap();
    let laid_out = join_scalar_arrays(&raw);
    // The layout only moves whitespace: it reads back as the same document.
    assert_eq!(serde_json::from_str::<Value>(&laid_out).unwrap(), value);
    insta::assert_snapshot!(laid_out);
}

#[test]
fn diff_markdown() {
    insta::assert_snapshot!(diff("markdown"));
}

#[test]
fn diff_html() {
    insta::assert_snapshot!(diff("html"));
}

/// The shares against the count in this file's header, an oracle independent of the engine.
#[test]
fn totals_match_the_hand_count() {
    let d = diff_json();
    let n = d["columns"].as_array().unwrap().iter().find(|c| c["fact"] == "destination").unwrap()["domain"]
        .as_array()
        .unwrap()
        .len() as f64;
    let others = (n - 4.0) / n;
    let w = Weighed::of_left();
    let (p, q_h, q_o) = w.data();
    let r = w.presence("recipient", "apec_cbpr_certified");
    let [_, c2, c3] = w.counts();
    let [d1, d2] = w.dates();
    let a_stricter = 1.0 / n + others * q_o * (c2 * d2 + c3 * d2 * r);
    let b_stricter = 1.0 / n + p / n + others * (q_h + q_o * c3 * d1 * (1.0 - r));
    let incomparable = others * q_o * c3 * d2 * (1.0 - r);
    let expected = [
        ("agreement", 1.0 - (a_stricter + b_stricter + incomparable)),
        // MY everywhere; elsewhere, personal data without health: 10,000-50,000 from 2025, and
        // 50,000 up from 2025 to a certified recipient.
        ("a_stricter", a_stricter),
        // SG everywhere; IR for personal data; elsewhere health, and 50,000 up before 2025 to
        // a recipient without certification.
        ("b_stricter", b_stricter),
        ("incomparable", incomparable),
    ];
    // Bridged: personal health data elsewhere, where left's explicit consent is not in place
    // (left still requires, and `asean_mcc` alone meets both).
    let (with, without, _) = consent_subsets(&w.implications, &w);
    let bridged = others * q_h * without / (with + without);
    for (name, share) in expected.into_iter().chain([("bridged", bridged)]) {
        let got = d["totals"][name].as_f64().unwrap();
        assert!((got - share).abs() < 1e-12, "{name}: the diff says {got}, the hand count {share}");
    }
    // Groups by hand: two for health and three for bulk elsewhere; three each where only one
    // side governs (to MY, to SG) or only right prohibits (to IR). The number of boxes is the
    // engine's cut, checked one by one by the witness test below.
    assert_eq!(d["totals"]["groups"], 14);
    assert_eq!(d["totals"]["regions"], 22);
}

/// The weights the diff reports it used, and the figures of the header read from them.
struct Weighed {
    weights: Vec<Value>,
    implications: Vec<Value>,
}

impl Weighed {
    fn of_left() -> Weighed {
        Weighed { weights: diff_json()["weights"].as_array().unwrap().clone(), implications: left_implications() }
    }

    fn of(&self, fact: &str) -> &Value {
        let found = self.weights.iter().find(|w| w["fact"] == fact);
        &found.unwrap_or_else(|| panic!("the report lists no weights for `{fact}`"))["shares"]
    }

    /// How often a set member is present.
    fn presence(&self, fact: &str, member: &str) -> f64 {
        let shares = self.of(fact);
        assert_eq!(shares["kind"], "presence");
        shares["members"].get(member).or(shares.get("others")).and_then(Value::as_f64).unwrap()
    }

    /// (p, q_h, q_o) of the header.
    fn data(&self) -> (f64, f64, f64) {
        let implying: Vec<String> = self
            .implications
            .iter()
            .filter(|i| i["fact"] == "data" && i["implies"].as_array().unwrap().contains(&"personal".into()))
            .map(|i| i["member"].as_str().unwrap().to_owned())
            .collect();
        assert!(implying.len() > 10 && implying.iter().any(|m| m == "health"), "{implying:?}");
        let none: f64 = implying.iter().map(|m| 1.0 - self.presence("data", m)).product();
        let personal = self.presence("data", "personal");
        let p = personal / (none + (1.0 - none) * personal);
        let health = self.presence("data", "health");
        (p, p * health, p * (1.0 - health))
    }

    /// The weight of `lo <= v < hi` under bands `[(from, until, share)]`, each even inside.
    fn band_mass(bands: &[(i64, i64, f64)], lo: i64, hi: i64) -> f64 {
        bands
            .iter()
            .map(|&(f, u, share)| {
                let (start, end) = (lo.max(f), hi.min(u));
                if end > start { share * (end - start) as f64 / (u - f) as f64 } else { 0.0 }
            })
            .sum()
    }

    /// c1, c2, c3 of the header.
    fn counts(&self) -> [f64; 3] {
        let shares = self.of("individuals_ytd");
        let bands: Vec<(i64, i64, f64)> = shares["bands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (b["from"].as_i64().unwrap(), b["until"].as_i64().unwrap(), b["share"].as_f64().unwrap()))
            .collect();
        let m = |lo, hi| Self::band_mass(&bands, lo, hi);
        [m(0, 10_000), m(10_000, 50_000), m(50_000, i64::MAX)]
    }

    /// d1, d2 of the header.
    fn dates(&self) -> [f64; 2] {
        let day = |v: &Value| accord::date::Date::parse(v.as_str().unwrap()).unwrap().days();
        let bands: Vec<(i64, i64, f64)> = self.of("date")["bands"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| (day(&b["from"]), day(&b["until"]), b["share"].as_f64().unwrap()))
            .collect();
        let split = accord::date::Date::parse("2025-01-01").unwrap().days();
        [Self::band_mass(&bands, i64::MIN, split), Self::band_mass(&bands, split, i64::MAX)]
    }
}

/// `require` groups as the diff compares them: each sorted, and sorted.
fn canonical(require: &Value) -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = require
        .as_array()
        .map(|gs| {
            gs.iter()
                .map(|g| {
                    let mut g: Vec<String> =
                        g.as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect();
                    g.sort();
                    g
                })
                .collect()
        })
        .unwrap_or_default();
    groups.sort();
    groups
}

/// Every witness of a diff report, decided by `accord eval` on each side, gets the outcome its
/// group names, by one of the rules its region names; returns how many were checked.
fn check_witnesses(d: &Value) -> usize {
    let mut checked = 0;
    for group in d["groups"].as_array().unwrap() {
        for region in group["regions"].as_array().unwrap() {
            let witness = region["witness"].to_string();
            for (side, outcome, rules) in
                [(LEFT, &group["a"], &region["a_rules"]), (RIGHT, &group["b"], &region["b_rules"])]
            {
                let decision: Value =
                    serde_json::from_str(&accord(&["eval", side, "--scenario", "-"], &witness)).unwrap();
                let context = format!("{side} on {witness}: {decision}");
                assert_eq!(decision["verdict"], outcome["verdict"], "{context}");
                assert_eq!(canonical(&decision["require"]), canonical(&outcome["require"]), "{context}");
                let rule = match (&decision["rule"], decision["verdict"].as_str()) {
                    (Value::String(rule), _) => rule.clone(),
                    (_, Some("out_of_scope")) => "out_of_scope".to_owned(),
                    _ => "default".to_owned(),
                };
                let named: Vec<&str> = rules.as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
                assert!(named.contains(&rule.as_str()), "{context}: decided by `{rule}`, the report names {named:?}");
                checked += 1;
            }
        }
    }
    checked
}

#[test]
fn witnesses_decide_as_the_report_says() {
    assert_eq!(check_witnesses(&diff_json()), 2 * 22);
}

fn by_rules_json() -> Value {
    serde_json::from_str(&accord(&["diff", LEFT, RIGHT, "--by-rules", "--format", "json"], "")).unwrap()
}

#[test]
fn by_rules_text() {
    insta::assert_snapshot!(accord(&["diff", LEFT, RIGHT, "--by-rules"], ""));
}

/// Listed by rule pairs, the diff has the same groups with the same shares; each region names
/// one rule of each side, no pair twice, and a group's regions add up to the group (they are
/// disjoint: a transfer is decided by one rule on each side). Each witness is decided by the
/// two rules named.
#[test]
fn rule_pairs_split_each_group_exactly() {
    let (boxes, pairs) = (diff_json(), by_rules_json());
    assert_eq!(pairs["listing"], "rule_pairs");
    assert_eq!(boxes["listing"], "regions");
    assert_eq!(pairs["totals"]["agreement"], boxes["totals"]["agreement"]);
    let (gb, gp) = (boxes["groups"].as_array().unwrap(), pairs["groups"].as_array().unwrap());
    assert_eq!(gb.len(), gp.len());
    let mut regions = 0;
    for (b, p) in gb.iter().zip(gp) {
        assert_eq!((&b["a"], &b["b"], &b["class"], &b["share"]), (&p["a"], &p["b"], &p["class"], &p["share"]));
        let mut seen = std::collections::BTreeSet::new();
        let mut sum = 0.0;
        for region in p["regions"].as_array().unwrap() {
            assert!(region.get("when").is_none(), "a rule pair's region has no box: {region}");
            let rule = |side: &str| {
                let rules = region[side].as_array().unwrap();
                assert_eq!(rules.len(), 1, "{side} names one rule: {region}");
                rules[0]["rule"].as_str().unwrap().to_owned()
            };
            assert!(seen.insert((rule("a_rules"), rule("b_rules"))), "a pair listed twice: {region}");
            sum += region["share"].as_f64().unwrap();
            regions += 1;
        }
        let share = p["share"].as_f64().unwrap();
        assert!((sum - share).abs() < 1e-12, "regions add up to {sum}, the group is {share}");
    }
    assert_eq!(pairs["totals"]["regions"].as_u64().unwrap(), regions);
    assert_eq!(check_witnesses(&pairs), 2 * regions as usize);
}

/// Whether a scenario lies in a region: every cell of `when` admits the scenario's value.
fn inside(when: &Value, scenario: &Value) -> bool {
    when.as_object().unwrap().iter().all(|(fact, cell)| {
        let value = &scenario[fact];
        let strings = |v: &Value| -> Vec<String> {
            v.as_array().map(|a| a.iter().map(|m| m.as_str().unwrap().to_owned()).collect()).unwrap_or_default()
        };
        if let Some(members) = cell.get("in") {
            strings(members).contains(&value.as_str().unwrap().to_owned())
        } else if cell.get("has").is_some() || cell.get("lacks").is_some() {
            let set = strings(value);
            strings(&cell["has"]).iter().all(|m| set.contains(m))
                && !strings(&cell["lacks"]).iter().any(|m| set.contains(m))
        } else if let Some(ranges) = cell.get("counts") {
            let n = value.as_u64().unwrap_or(0);
            ranges
                .as_array()
                .unwrap()
                .iter()
                .any(|r| r["from"].as_u64().unwrap() <= n && r["until"].as_u64().is_none_or(|until| n < until))
        } else if let Some(ranges) = cell.get("dates") {
            // ISO dates compare as strings.
            let day = value.as_str().unwrap();
            ranges.as_array().unwrap().iter().any(|r| {
                r["from"].as_str().is_none_or(|from| from <= day) && r["until"].as_str().is_none_or(|until| day < until)
            })
        } else {
            panic!("a cell this test does not read: {cell}")
        }
    })
}

/// The implications the left table states (`relations.implies`), as `accord compile` writes them.
fn left_implications() -> Vec<Value> {
    let table: Value = serde_json::from_str(&accord(&["compile", LEFT, "--format", "json"], "")).unwrap();
    table["relations"]["implies"].as_array().unwrap().clone()
}

/// The weight of the consistent subsets of the consent kinds that implications link to
/// `explicit` (those with `explicit`, those without), enumerated from the table's implications
/// and weighed by the report's weights; and `explicit` with what it implies.
fn consent_subsets(implications: &[Value], w: &Weighed) -> (f64, f64, Vec<String>) {
    let pairs: Vec<(String, String)> = implications
        .iter()
        .filter(|i| i["fact"] == "consent")
        .flat_map(|i| {
            let member = i["member"].as_str().unwrap().to_owned();
            i["implies"].as_array().unwrap().iter().map(move |n| (member.clone(), n.as_str().unwrap().to_owned()))
        })
        .collect();
    // The members linked to `explicit`, to a fixed point.
    let mut linked = vec!["explicit".to_owned()];
    loop {
        let more: Vec<String> = pairs
            .iter()
            .flat_map(|(m, n)| [m, n])
            .filter(|x| !linked.contains(x))
            .filter(|x| pairs.iter().any(|(m, n)| (m == *x && linked.contains(n)) || (n == *x && linked.contains(m))))
            .cloned()
            .collect();
        if more.is_empty() {
            break;
        }
        linked.extend(more);
        linked.sort();
        linked.dedup();
    }
    assert!(linked.len() > 2, "{linked:?}");
    let (mut with, mut without) = (0.0, 0.0);
    for mask in 0u32..(1 << linked.len()) {
        let holds = |m: &str| linked.iter().position(|l| l == m).is_some_and(|i| mask & (1 << i) != 0);
        if pairs.iter().all(|(m, n)| !holds(m) || holds(n)) {
            let weight: f64 = linked
                .iter()
                .map(|l| {
                    let p = w.presence("consent", l);
                    if holds(l) { p } else { 1.0 - p }
                })
                .product();
            if holds("explicit") { with += weight } else { without += weight }
        }
    }
    let closed: Vec<String> = linked
        .iter()
        .filter(|l| *l == "explicit" || pairs.iter().any(|(m, n)| m == "explicit" && n == *l))
        .cloned()
        .collect();
    (with, without, closed)
}

/// An oracle independent of the diff engine: one consistent scenario in every cell of the
/// compared space (each destination; no personal data, personal data without health, personal
/// health data; explicit consent or not; a recipient with and without
/// APEC CBPR certification; one count in each band and one date on each side of 2025-01-01),
/// decided by `accord eval` on both sides. Where the decisions differ, exactly one region
/// holds the scenario, in the group of those two outcomes; where they agree, none does. Each
/// cell weighs the consistent points it stands for (see the header), so the weighted count
/// gives the agreement too.
#[test]
fn regions_cover_exactly_where_the_evaluator_differs() {
    let d = diff_json();
    let w = Weighed::of_left();
    let (p, q_h, q_o) = w.data();
    let data = [(vec![], 1.0 - p), (vec!["personal"], q_o), (vec!["personal", "health"], q_h)];
    // Only `explicit` matters to the pair, but the consent kinds linked to it by implications
    // weigh as their consistent subsets, counted here by brute force from the table's
    // implications: those with `explicit`, and those without.
    let (with, without, explicit) = consent_subsets(&w.implications, &w);
    let total = with + without;
    let explicit: Vec<&str> = explicit.iter().map(String::as_str).collect();
    let consent = [(vec![], without / total), (explicit, with / total)];
    let r = w.presence("recipient", "apec_cbpr_certified");
    let recipients = [(vec![], 1.0 - r), (vec!["apec_cbpr_certified"], r)];
    let counts = [0, 10_000, 50_000].into_iter().zip(w.counts());
    let dates = ["2024-06-01", "2025-06-01"].into_iter().zip(w.dates());
    let destinations = d["columns"].as_array().unwrap().iter().find(|c| c["fact"] == "destination").unwrap()["domain"]
        .as_array()
        .unwrap()
        .clone();
    let mut scenarios = Vec::new();
    let mut weights = Vec::new();
    for destination in &destinations {
        for (data, w_data) in &data {
            for (consent, w_consent) in &consent {
                for (recipient, w_recipient) in &recipients {
                    for (count, w_count) in counts.clone() {
                        for (date, w_date) in dates.clone() {
                            scenarios.push(serde_json::json!({
                                "destination": destination, "data": data, "consent": consent,
                                "recipient": recipient, "individuals_ytd": count, "date": date
                            }));
                            weights.push(w_data * w_consent * w_recipient * w_count * w_date);
                        }
                    }
                }
            }
        }
    }
    let input: String = scenarios.iter().map(|s| format!("{s}\n")).collect();
    let decide = |side: &str| -> Vec<Value> {
        accord(&["eval", side, "--input", "-"], &input).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let (left, right) = (decide(LEFT), decide(RIGHT));
    assert_eq!((left.len(), right.len()), (scenarios.len(), scenarios.len()));
    let outcome = |decision: &Value| (decision["verdict"].clone(), canonical(&decision["require"]));
    let mut differing = 0.0;
    for (((scenario, l), r), w) in scenarios.iter().zip(&left).zip(&right).zip(&weights) {
        let holding: Vec<&Value> = d["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["regions"].as_array().unwrap().iter().map(move |region| (g, region)))
            .filter(|(_, region)| inside(&region["when"], scenario))
            .map(|(g, _)| g)
            .collect();
        if outcome(l) == outcome(r) {
            assert!(holding.is_empty(), "{scenario}: decided alike ({l}), yet in a region");
        } else {
            differing += w;
            assert_eq!(holding.len(), 1, "{scenario}: {l} vs {r}, in {} regions", holding.len());
            let group = holding[0];
            let expected = (group["a"]["verdict"].clone(), canonical(&group["a"]["require"]));
            assert_eq!(outcome(l), expected, "{scenario}: left");
            let expected = (group["b"]["verdict"].clone(), canonical(&group["b"]["require"]));
            assert_eq!(outcome(r), expected, "{scenario}: right");
        }
    }
    let agreement = 1.0 - differing / weights.iter().sum::<f64>();
    let reported = d["totals"]["agreement"].as_f64().unwrap();
    assert!(
        (agreement - reported).abs() < 1e-12,
        "cells weighing {differing} differ: agreement {agreement}, reported {reported}"
    );
}

/// The same regime on both sides: nothing differs, and every format says so.
#[test]
fn identical_sides_agree_everywhere() {
    let text = accord(&["diff", LEFT, LEFT], "");
    assert!(text.contains("100% agreement, no regions"), "{text}");
    let markdown = accord(&["diff", LEFT, LEFT, "--format", "markdown"], "");
    assert!(markdown.contains("Nowhere: every transfer is decided alike."), "{markdown}");
    let html = accord(&["diff", LEFT, LEFT, "--format", "html"], "");
    assert!(html.contains("<dd id=\"agreement\" data-share=\"1\">100%</dd>"), "{html}");
    assert!(!html.contains("<tr id=\"region-"), "{html}");
}

/// User text reaches the page only escaped, and the page can fetch nothing.
#[test]
fn html_escapes_user_text_and_is_self_contained() {
    let html = diff("html");
    assert!(html.contains("Left &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons"), "title not escaped");
    assert!(html.contains("consent (s3 &lt;b&gt;&amp;&lt;/b&gt; Sch. 1)"), "rule title not escaped");
    assert!(html.contains("<a href=\"https://example.org/left?part=1&amp;lang=en\">Left Act s3 | Sch. 1</a>"));
    assert!(html.contains("<title>Diff: left vs right</title>") && html.contains("<meta charset=\"utf-8\">"));
    for fetching in ["<script", "<link", "<img", "<iframe", "<object", "url(", "@import", "src="] {
        assert!(!html.contains(fetching), "the page contains `{fetching}`");
    }
    let markdown = diff("markdown");
    assert!(markdown.contains("Left \\<script\\>alert(\"x\")\\</script\\> \\& Sons"), "title not escaped");
    assert!(markdown.contains("(Left Act s3 \\| Sch. 1; Left Regs r7)"), "`|` in a citation not escaped");
    assert!(markdown.contains("consent (s3 \\<b\\>\\&\\</b\\> Sch. 1)"), "rule title not escaped");
}

/// The browser to test with: `$CHROMIUM`, or Debian's `/usr/bin/chromium`.
fn chromium() -> Option<PathBuf> {
    std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/chromium")))
        .filter(|p| p.is_file())
}

/// What a headless browser made of a page.
struct Opened {
    /// The DOM after loading, serialised.
    dom: String,
    /// Lines of the browser's log that show the page went wrong.
    problems: Vec<String>,
}

/// Lines of a Chromium log (`--enable-logging=stderr --v=1`) showing that the page logged to
/// its console (this Chromium logs every console message, errors, uncaught exceptions and
/// content-security-policy violations alike, as `CONSOLE`; the page runs no script, so any is
/// a problem), failed to load something, or loaded a file other than itself. The browser's
/// own background traffic and D-Bus complaints are not the page's and are ignored.
fn page_problems(log: &str, url: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            line.contains("CONSOLE")
                || line.contains("Uncaught")
                || line.contains("Failed to load resource")
                || line.split_once("FileURLLoader::Start: ").is_some_and(|(_, loaded)| loaded.trim() != url)
        })
        .map(str::to_owned)
        .collect()
}

/// Opens `page` in headless Chromium and dumps its DOM.
fn open_in_browser(browser: &Path, page: &Path) -> Opened {
    let url = format!("file://{}", page.display());
    let (dom, log) = run_browser(browser, &url, &["--dump-dom".to_owned()]);
    Opened { dom, problems: page_problems(&log, &url) }
}

/// Runs headless Chromium on `url` with `args`, returning its output and its log. The browser
/// runs in its own process group, with a fresh profile, and is killed (with every process it
/// started) if it takes longer than `BROWSER_TIMEOUT`.
fn run_browser(browser: &Path, url: &str, args: &[String]) -> (String, String) {
    use std::os::unix::process::CommandExt as _;
    let profile = tempfile::tempdir().unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=1",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(args)
        .arg(url)
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Both pipes are drained while the browser runs: its log alone can fill a pipe.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            pipe.read_to_end(&mut bytes).unwrap();
            String::from_utf8_lossy(&bytes).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().unwrap()));
    let stderr = drain(Box::new(child.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > BROWSER_TIMEOUT {
            // The group's id is the browser's pid: this kills the browser and its helpers only.
            let _ = Command::new("kill").args(["-KILL", "--", &format!("-{}", child.id())]).status();
            let _ = child.wait();
            panic!("{} did not finish within {BROWSER_TIMEOUT:?}; killed it", browser.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (out, log) = (stdout.join().unwrap(), stderr.join().unwrap());
    assert!(status.success(), "{} exited with {status}; its log:\n{log}", browser.display());
    (out, log)
}

/// Fails the test for a missing tool, unless `ACCORD_SKIP_BROWSER=1` (a machine without
/// Chromium): then it says it skipped.
fn skip_or_fail(tool: &str, install: &str) {
    assert!(
        std::env::var("ACCORD_SKIP_BROWSER").as_deref() == Ok("1"),
        "no {tool}: install it with `{install}`, or set ACCORD_SKIP_BROWSER=1 to skip the browser tests"
    );
    eprintln!("skipped: no {tool} (ACCORD_SKIP_BROWSER=1)");
}

/// The browser, or `None` when it is missing and may be (then the test says it skipped).
fn browser_or_skip() -> Option<PathBuf> {
    let browser = chromium();
    if browser.is_none() {
        skip_or_fail("Chromium at $CHROMIUM or /usr/bin/chromium", "apt-get install -y chromium");
    }
    browser
}

/// The text of the element with `id` in a serialised DOM.
fn text_of(dom: &str, id: &str) -> Option<String> {
    let (_, after) = dom.split_once(&format!(" id=\"{id}\""))?;
    let (_, content) = after.split_once('>')?;
    Some(content.split_once('<')?.0.to_owned())
}

#[test]
fn html_report_opens_cleanly_in_a_headless_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("diff.html");
    std::fs::write(&page, diff("html")).unwrap();
    let opened = open_in_browser(&browser, &page);
    assert!(opened.problems.is_empty(), "the page has problems in the browser:\n{}", opened.problems.join("\n"));

    // The headline figures as the text report prints them: "62.1% agreement. 17 regions in …".
    let text = diff("text");
    let summary = text.lines().find(|l| l.contains("% agreement.")).unwrap();
    let (agreement, rest) = summary.split_once(" agreement. ").unwrap();
    let regions = rest.split_once(" regions").unwrap().0;
    assert_eq!(text_of(&opened.dom, "agreement").as_deref(), Some(agreement), "agreement figure");
    assert_eq!(text_of(&opened.dom, "regions").as_deref(), Some(regions), "region count");
    assert_eq!(opened.dom.matches("<tr id=\"region-").count(), regions.parse::<usize>().unwrap(), "region rows");
    // The title arrived as text: the browser made no script element of it.
    assert!(!opened.dom.contains("<script"), "the page has a script element");
    assert!(opened.dom.contains("Left &lt;script&gt;"), "the title is not in the page as text");
}

/// `pdftotext`, which reads the printed page back: `$PDFTOTEXT`, or Debian's (poppler-utils).
fn pdftotext() -> Option<PathBuf> {
    std::env::var_os("PDFTOTEXT")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/usr/bin/pdftotext")))
        .filter(|p| p.is_file())
}

/// The text of a PDF as laid out, or of its first `pages` pages.
fn pdf_text(tool: &Path, pdf: &Path, pages: Option<usize>) -> String {
    let last = pages.map(|n| vec!["-l".to_owned(), n.to_string()]).unwrap_or_default();
    let out = Command::new(tool).arg("-layout").args(last).arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Printed (by the browser, to PDF), the report opens with its summary and loses nothing:
/// every group's heading and every region's row number is in the printed text.
#[test]
fn html_report_prints_with_the_summary_first() {
    let Some(browser) = browser_or_skip() else { return };
    let Some(tool) = pdftotext() else {
        skip_or_fail("pdftotext at $PDFTOTEXT or /usr/bin/pdftotext", "apt-get install -y poppler-utils");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (page, pdf) = (dir.path().join("diff.html"), dir.path().join("diff.pdf"));
    let html = diff("html");
    std::fs::write(&page, &html).unwrap();
    let print = [format!("--print-to-pdf={}", pdf.display()), "--no-pdf-header-footer".to_owned()];
    run_browser(&browser, &format!("file://{}", page.display()), &print);
    let first = pdf_text(&tool, &pdf, Some(1));
    let report = diff_json();
    let agreement = diff("text").lines().find_map(|l| l.split_once(" agreement. ")).map(|(a, _)| a.to_owned());
    let agreement = agreement.unwrap();
    assert!(first.contains("Summary") && first.contains(&agreement), "page 1 lacks the summary:\n{first}");
    let all = pdf_text(&tool, &pdf, None);
    let words = |text: &str| text.split_whitespace().map(str::to_owned).collect::<Vec<String>>().join(" ");
    let flat = words(&all);
    let headings: Vec<String> = html
        .lines()
        .filter_map(|l| l.strip_prefix("<h3>")?.strip_suffix("</h3>"))
        .map(|h| words(&h.replace("<span class=\"muted\">", "").replace("</span>", "")))
        .collect();
    assert_eq!(headings.len(), report["groups"].as_array().unwrap().len(), "one heading per group");
    for heading in &headings {
        assert!(flat.contains(heading.as_str()), "no group heading `{heading}` in the printed text");
    }
    let rows = report["totals"]["regions"].as_u64().unwrap();
    let numbers: std::collections::BTreeSet<u64> =
        all.lines().filter_map(|l| l.split_whitespace().next()?.parse().ok()).collect();
    for n in 1..=rows {
        assert!(numbers.contains(&n), "region row {n} is missing from the printed text");
    }
}

/// The check above would see a broken page: a console error, an uncaught exception, and a
/// resource the page cannot load are each reported.
#[test]
fn browser_check_sees_a_broken_page() {
    let Some(browser) = browser_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("broken.html");
    std::fs::write(
        &page,
        "<!doctype html><meta charset=\"utf-8\"><title>broken</title><img src=\"missing.png\">\n\
         <script>console.error(\"deliberate error\");\nnoSuchFunction();</script>",
    )
    .unwrap();
    let problems = open_in_browser(&browser, &page).problems.join("\n");
    for expected in ["deliberate error", "Uncaught ReferenceError", "missing.png"] {
        assert!(problems.contains(expected), "`{expected}` not reported; the problems found:\n{problems}");
    }
}

// ── corridor and matrix ───────────────────────────────────────────────────────────────────────

fn corridor(format: &str) -> String {
    accord(&["corridor", LEFT, RIGHT, "--format", format], "")
}

fn matrix(format: &str) -> String {
    accord(&["matrix", LEFT, RIGHT, "sg", "--format", format], "")
}

#[test]
fn corridor_text() {
    insta::assert_snapshot!(corridor("text"));
}

#[test]
fn corridor_markdown() {
    insta::assert_snapshot!(corridor("markdown"));
}

/// Each joint row's witnesses, fed to each side, give the outcomes the row reports, and the
/// rows' shares add up to the whole corridor.
#[test]
fn corridor_witnesses_decide_as_the_report_says() {
    let report: Value = serde_json::from_str(&corridor("json")).unwrap();
    let joint = report["joint"].as_array().unwrap();
    assert!(joint.len() >= 3, "the fixture should give several combinations: {joint:?}");
    let mut total = 0.0;
    for row in joint {
        total += row["share"].as_f64().unwrap();
        for (side, witness, outcome) in [(LEFT, "witness_forward", "forward"), (RIGHT, "witness_back", "back")] {
            let decision: Value =
                serde_json::from_str(&accord(&["eval", side, "--scenario", "-"], &row[witness].to_string())).unwrap();
            assert_eq!(decision["verdict"], row[outcome]["verdict"], "{side} on {}", row[witness]);
            assert_eq!(
                canonical(&decision["require"]),
                canonical(&row[outcome]["require"]),
                "{side} on {}",
                row[witness]
            );
        }
    }
    assert!((total - 1.0).abs() < 1e-9, "joint shares add up to {total}");
    let t = &report["totals"];
    let sum: f64 =
        ["nothing_needed", "one_mechanism", "separate", "blocked"].iter().map(|k| t[k].as_f64().unwrap()).sum();
    assert!((sum - 1.0).abs() < 1e-9, "totals add up to {sum}");
}

/// Every cell of the matrix is the agreement `accord diff` reports for that pair; the matrix
/// is symmetric with ones on the diagonal.
#[test]
fn matrix_cells_are_the_diffs_agreement() {
    let m: Value = serde_json::from_str(&matrix("json")).unwrap();
    let names = [LEFT, RIGHT, "sg"];
    let grid = m["agreement"].as_array().unwrap();
    for (i, a) in names.iter().enumerate() {
        for (j, b) in names.iter().enumerate() {
            let cell = grid[i][j].as_f64().unwrap();
            assert_eq!(cell, grid[j][i].as_f64().unwrap(), "symmetric at {i},{j}");
            if i == j {
                assert_eq!(cell, 1.0);
            } else if i < j {
                let d: Value = serde_json::from_str(&accord(&["diff", a, b, "--format", "json"], "")).unwrap();
                assert_eq!(cell, d["totals"]["agreement"].as_f64().unwrap(), "{a} / {b}");
            }
        }
    }
}

#[test]
fn matrix_text() {
    insta::assert_snapshot!(matrix("text"));
}

#[test]
fn matrix_and_corridor_pages_open_cleanly_in_a_headless_browser() {
    let Some(browser) = browser_or_skip() else { return };
    let dir = tempfile::tempdir().unwrap();
    for (name, html, id, expected) in [
        ("matrix.html", matrix("html"), "pairs", "3".to_owned()),
        ("corridor.html", corridor("html"), "separate", {
            // The figure as the text summary prints it: "… separate arrangements needed on 4.2%, …".
            let text = corridor("text");
            text.split("separate arrangements needed on ").nth(1).unwrap().split(',').next().unwrap().to_owned()
        }),
    ] {
        let page = dir.path().join(name);
        std::fs::write(&page, html).unwrap();
        let opened = open_in_browser(&browser, &page);
        assert!(opened.problems.is_empty(), "{name} has problems in the browser:\n{}", opened.problems.join("\n"));
        assert_eq!(text_of(&opened.dom, id).as_deref(), Some(expected.trim_end_matches('.')), "{name}: #{id}");
    }
}

/// A diff between two dates of one regime: witnesses carry no date, and `accord eval` with the
/// same pins decides them as the report says (the README's main job).
#[test]
fn pinned_witnesses_decide_as_the_report_says() {
    let (a, b) = ("cn@2023-12-01", "cn@2024-06-01");
    let report: Value = serde_json::from_str(&accord(&["diff", a, b, "--format", "json"], "")).unwrap();
    assert!(report["totals"]["regions"].as_u64().unwrap() > 0, "the 2024 Provisions changed something");
    for group in report["groups"].as_array().unwrap() {
        // The first region of each outcome pair, to keep the test short.
        let region = &group["regions"][0];
        assert!(region["witness"].get("date").is_none(), "a pinned diff's witness names a date");
        for (side, outcome) in [(a, &group["a"]), (b, &group["b"])] {
            // A date in the scenario must not matter once the regime is pinned.
            let mut scenario = region["witness"].clone();
            scenario["date"] = Value::from("2000-01-01");
            let decision: Value =
                serde_json::from_str(&accord(&["eval", side, "--scenario", "-"], &scenario.to_string())).unwrap();
            assert_eq!(decision["verdict"], outcome["verdict"], "{side} on {scenario}");
            assert_eq!(canonical(&decision["require"]), canonical(&outcome["require"]), "{side} on {scenario}");
        }
    }
}

/// A group whose boxes did not all fit is said to be listed in part, in the summary and under
/// the group, in text, Markdown and HTML alike; a complete one says nothing of the kind.
#[test]
fn a_group_listed_in_part_says_so() {
    use accord::analysis::diff::{Method, Options, Side, diff_by};
    let table = |text: &str| accord::compile::compile_text("t.accord", text).unwrap().pop().unwrap();
    let a = table(
        "regime a \"A\" { home CN\n rule r1 \"R\" cite \"X\" when data has health then permit\n \
         rule r2 \"R\" cite \"X\" when destination == US then permit\n default prohibit }",
    );
    let b = table("regime a \"A\" { home CN\n default prohibit }");
    let mut report = diff_by(Side::new(&a), Side::new(&b), &Options::default(), Method::Pieces).unwrap();
    let renders = |report: &accord::analysis::diff::Diff| {
        use accord::render::report::{diff_html, diff_markdown, diff_text};
        [diff_text(report), diff_markdown(report), diff_html(report)]
    };
    for out in renders(&report) {
        assert!(!out.contains("Not every region is listed") && !out.contains("only its first"), "{out}");
    }
    report.groups[0].partial = true;
    let listed = report.groups[0].regions.len();
    for out in renders(&report) {
        assert!(out.contains("Not every region is listed"), "{out}");
        assert!(out.contains(&format!("only its first {listed} regions are listed")), "{out}");
    }
    // A group past the cap with none of its regions listed says so in words, not "first 0".
    report.groups[0].regions.clear();
    for out in renders(&report) {
        assert!(out.contains("none of its regions are listed") && !out.contains("first 0"), "{out}");
    }
}
