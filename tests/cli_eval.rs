//! Snapshot tests of what the `accord` binary prints for `compile`, `eval` and `test`: every
//! output format, `--explain`, every kind of scenario error, every way of naming a regime
//! wrongly, and batch evaluation (`--input`) of JSON Lines, CSV and standard input, including
//! hostile lines (malformed, over-long, not UTF-8, truncated) and a 50,000-line stream, where the
//! promise is one output record per input record, in order, with the right line numbers and
//! counts.
//!
//! Each snapshot holds the command, its input where that helps reading, the exit code, stdout
//! and stderr. Table hashes are written `sha256:<hash>` and long domains are elided, so that
//! growing the standard vocabulary does not churn these snapshots. Every run passes
//! `--today 2026-01-01` where a default date could matter.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests write files and run the binary

use assert_cmd::Command;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};
use tempfile::TempDir;

const TODAY: &str = "2026-01-01";
const TIMEOUT: Duration = Duration::from_secs(120);

/// One rule per cell kind: a bool, counts and dates with two `require` groups, an enum and a set
/// with `has` and `lacks`; an obligation; a default; an example.
const DEMO: &str = r#"regime demo "Demo: one rule per cell kind" {
  home SG
  source "https://example.org/demo"

  rule negative_list "Data on the negative list stays" cite "Demo s1"
    when on_ftz_negative_list
    then prohibit

  rule bulk "Bulk transfers need an assessment and a contract" cite "Demo s2(a)", "Demo s2(b)"
    effective 2024-03-22..2026-06-01
    when individuals_ytd in 100_000..1_000_000 or sensitive_individuals_ytd >= 10_000
    then require cn_security_assessment and require cn_standard_contract or cn_certification

  rule health "Health data, but not core data, to North America" cite "Demo s3"
    when destination in {US, CA} and data has health and not (data has core)
    then require explicit_consent

  oblige pipia "Impact assessment for personal data" cite "Demo s4"
    when data has personal

  default permit

  example "150k individuals to Germany" {
    given { destination: DE, data: {personal}, individuals_ytd: 150_000, date: 2025-06-01 }
    expect require cn_security_assessment and require cn_standard_contract or cn_certification with {pipia}
  }
}
"#;

const TWO: &str = r#"regime alpha "Alpha" {
  home SG
  default permit
}

regime beta "Beta" {
  home JP
  default prohibit
}
"#;

/// No `default`: a gap wherever `health` does not decide.
const GAP: &str = r#"regime gappy "No default" {
  home SG
  rule health "Health data needs consent" cite "Gap s1"
    when data has health
    then require explicit_consent
}
"#;

/// A fact with a user-declared enum type.
const TIERED: &str = r#"enum Tier {
  gold "Gold"
  silver "Silver"
}

facts {
  tier: Tier
}

regime tiered "Tiered" {
  home SG
  rule gold "Gold tier is prohibited" cite "Tier s1" when tier == gold then prohibit
  default permit
}
"#;

/// One passing example and four failing ones, each failing differently.
const FAILING: &str = r#"regime fail_demo "Failing examples" {
  home SG
  rule health "Health data needs consent" cite "Demo s1"
    when data has health then require explicit_consent
  oblige pipia "Assess first" cite "Demo s2" when data has personal
  default permit

  example "passes" {
    given { destination: US, data: {health} }
    expect require explicit_consent
  }
  example "wrong verdict" {
    given { destination: US, data: {personal} }
    expect prohibit
  }
  example "wrong obligations" {
    given { destination: US, data: {personal, health} }
    expect require explicit_consent with {}
  }
  example "wrong mechanism" {
    given { destination: US, data: {health} }
    expect require eu_scc
  }
  example "out of scope, expected permit" {
    given { origin: JP, destination: US }
    expect permit
  }
}
"#;

/// A directory holding the rule files above.
fn workspace() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("demo.accord", DEMO),
        ("two.accord", TWO),
        ("gap.accord", GAP),
        ("tiered.accord", TIERED),
        ("failing.accord", FAILING),
    ] {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One run of the binary.
struct Run {
    args: Vec<String>,
    input: Option<String>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn accord(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut cmd = Command::cargo_bin("accord").unwrap();
    cmd.current_dir(dir)
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_BACKTRACE")
        .timeout(TIMEOUT);
    if let Some(stdin) = stdin {
        cmd.write_stdin(stdin.to_vec());
    }
    let output = cmd.output().unwrap();
    Run {
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        input: None,
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// `accord` in `dir` with a scenario file `scenario.json` holding `scenario`.
fn eval_scenario(dir: &Path, scenario: &str, extra: &[&str]) -> Run {
    std::fs::write(dir.join("scenario.json"), scenario).unwrap();
    let mut args = vec!["eval", "demo.accord", "--scenario", "scenario.json", "--today", TODAY];
    args.extend_from_slice(extra);
    let mut run = accord(dir, &args, None);
    run.input = Some(format!("scenario.json: {scenario}"));
    run
}

/// `sha256:` and 64 hex digits become `sha256:<hash>`.
fn redact_hashes(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find("sha256:") {
        let (before, after) = rest.split_at(at);
        out.push_str(before);
        let hex = &after["sha256:".len()..];
        if hex.len() >= 64 && hex[..64].bytes().all(|b| b.is_ascii_hexdigit()) {
            out.push_str("sha256:<hash>");
            rest = &hex[64..];
        } else {
            out.push_str("sha256:");
            rest = hex;
        }
    }
    out.push_str(rest);
    out
}

/// The list of standard regimes in "name a rule file, or a standard regime (…)" becomes
/// `<standard regimes>`, so that adding one does not change these snapshots.
fn redact_standard_regimes(text: &str) -> String {
    const LIST: &str = "a standard regime (";
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(LIST) {
        let (before, after) = rest.split_at(at + LIST.len());
        out.push_str(before);
        match after.find(')') {
            Some(end) => {
                out.push_str("<standard regimes>");
                rest = &after[end..];
            }
            None => rest = after,
        }
    }
    out.push_str(rest);
    out
}

impl Run {
    fn transcript(&self) -> String {
        let mut out = format!("$ accord {}\n", self.args.join(" "));
        if let Some(input) = &self.input {
            let _ = writeln!(out, "--- input ---\n{}", input.trim_end());
        }
        let code = self.code.map_or("killed".to_owned(), |c| c.to_string());
        let _ = writeln!(out, "--- exit code: {code} ---");
        let _ = write!(out, "--- stdout ---\n{}", self.stdout);
        let _ = write!(out, "--- stderr ---\n{}", self.stderr);
        redact_standard_regimes(&redact_hashes(&out))
    }
}

fn snapshot(name: &str, runs: &[&Run]) {
    let text = runs.iter().map(|r| r.transcript()).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!(name, text);
}

/// Pretty table JSON with the members of every `domain` and the entries of `vocabulary` elided
/// (`"domain": [ … ]`), everything else as printed.
fn elide_domains(json: &str) -> String {
    let mut out = String::new();
    // The opening line and its indentation.
    let mut skipping: Option<(&str, usize)> = None;
    for line in json.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some((open, open_indent)) = skipping {
            if indent == open_indent && trimmed.starts_with(']') {
                let comma = if trimmed.ends_with(',') { "," } else { "" };
                // The number of entries is left out: the vocabulary grows.
                let _ = writeln!(out, "{open} … ]{comma}");
                skipping = None;
            }
            continue;
        }
        if trimmed == "\"domain\": [" || trimmed == "\"vocabulary\": [" {
            skipping = Some((line, indent));
            continue;
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

// ---------------------------------------------------------------------------------------------
// compile

#[test]
fn compile_json() {
    let dir = workspace();
    let mut run = accord(dir.path(), &["compile", "demo.accord"], None);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let table: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(table["format"], "accord.table/1");
    // The document is long (domains of 249 jurisdictions); the snapshot elides domains.
    run.stdout = elide_domains(&run.stdout);
    snapshot("compile_json", &[&run]);
}

#[test]
fn compile_json_is_byte_for_byte_deterministic() {
    let dir = workspace();
    let first = accord(dir.path(), &["compile", "demo.accord"], None);
    let second = accord(dir.path(), &["compile", "demo.accord", "--format", "json"], None);
    assert_eq!(first.code, Some(0));
    assert!(first.stdout == second.stdout, "two compilations print different JSON");
    assert!(first.stdout.ends_with("}\n"));
}

#[test]
fn compile_markdown() {
    let dir = workspace();
    let run = accord(dir.path(), &["compile", "demo.accord", "--format", "markdown"], None);
    snapshot("compile_markdown", &[&run]);
}

/// User text (titles, citations) cannot add Markdown markup to a compiled table's page.
#[test]
fn compile_markdown_escapes_user_text() {
    let dir = workspace();
    let text = "use transfer\n\nregime odd \"*Bold* <b>x</b> | [link](y) # h\" {\n  home SG\n  \
                rule r \"Rule\" cite \"Act s1 | `code` *x*\" when data has personal then permit\n  default prohibit\n}\n";
    std::fs::write(dir.path().join("odd.accord"), text).unwrap();
    let run = accord(dir.path(), &["compile", "odd.accord", "--format", "markdown"], None);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains(r"\*Bold\* \<b\>x\</b\> \| \[link\](y) \# h"), "{}", run.stdout);
    assert!(run.stdout.contains(r"Act s1 \| \`code\` \*x\*"), "{}", run.stdout);
}

#[test]
fn compile_text() {
    let dir = workspace();
    let run = accord(dir.path(), &["compile", "demo.accord", "--format", "text"], None);
    snapshot("compile_text", &[&run]);
}

#[test]
fn compile_text_without_default_or_obligations() {
    let dir = workspace();
    let text = accord(dir.path(), &["compile", "gap.accord", "--format", "text"], None);
    let markdown = accord(dir.path(), &["compile", "gap.accord", "--format", "markdown"], None);
    snapshot("compile_without_default_or_obligations", &[&text, &markdown]);
}

// ---------------------------------------------------------------------------------------------
// eval: one scenario

/// Health data to the US with consent in place: `health` decides after two rules are ruled out.
const HEALTH_TO_US: &str =
    r#"{"origin": "SG", "destination": "US", "data": ["personal", "health"], "safeguards": ["explicit_consent"]}"#;

#[test]
fn eval_json() {
    let dir = workspace();
    let run = eval_scenario(dir.path(), HEALTH_TO_US, &[]);
    assert_eq!(run.code, Some(0));
    snapshot("eval_json", &[&run]);
}

#[test]
fn eval_text() {
    let dir = workspace();
    let run = eval_scenario(dir.path(), HEALTH_TO_US, &["--format", "text"]);
    snapshot("eval_text", &[&run]);
}

#[test]
fn eval_explain_text() {
    let dir = workspace();
    let decided = eval_scenario(dir.path(), HEALTH_TO_US, &["--format", "text", "--explain"]);
    // After `bulk` has lapsed, with personal data only: the default decides, every rule ruled out.
    let default = eval_scenario(
        dir.path(),
        concat!(
            r#"{"origin": "SG", "destination": "US", "data": ["personal"], "individuals_ytd": 200000, "#,
            r#""date": "2027-01-01"}"#
        ),
        &["--format", "text", "--explain"],
    );
    snapshot("eval_explain_text", &[&decided, &default]);
}

#[test]
fn eval_explain_json() {
    let dir = workspace();
    let run = eval_scenario(dir.path(), HEALTH_TO_US, &["--explain"]);
    let explained: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(explained["decision"]["rule"], "health");
    snapshot("eval_explain_json", &[&run]);
}

#[test]
fn eval_several_require_groups_and_a_prohibition() {
    let dir = workspace();
    let bulk = eval_scenario(
        dir.path(),
        concat!(
            r#"{"origin": "SG", "destination": "DE", "data": ["personal"], "individuals_ytd": 150000, "#,
            r#""date": "2025-06-01", "safeguards": ["cn_certification"]}"#
        ),
        &["--format", "text"],
    );
    let prohibited = eval_scenario(
        dir.path(),
        r#"{"origin": "SG", "destination": "DE", "on_ftz_negative_list": true, "safeguards": ["eu_scc"]}"#,
        &["--format", "text"],
    );
    snapshot("eval_require_groups_and_prohibit", &[&bulk, &prohibited]);
}

#[test]
fn eval_out_of_scope() {
    let dir = workspace();
    let domestic = eval_scenario(dir.path(), r#"{"origin": "SG", "destination": "SG"}"#, &["--format", "text"]);
    let foreign = eval_scenario(dir.path(), r#"{"origin": "US", "destination": "DE"}"#, &["--format", "text"]);
    let json = eval_scenario(dir.path(), r#"{"origin": "US", "destination": "DE"}"#, &["--explain"]);
    snapshot("eval_out_of_scope", &[&domestic, &foreign, &json]);
}

/// `--today` stands in for an omitted `date`: `bulk` is in force until 2026-06-01.
#[test]
fn eval_today_stands_in_for_an_omitted_date() {
    let dir = workspace();
    let scenario = r#"{"origin": "SG", "destination": "DE", "individuals_ytd": 150000}"#;
    std::fs::write(dir.path().join("scenario.json"), scenario).unwrap();
    let mut runs = Vec::new();
    for today in ["2026-01-01", "2026-06-01"] {
        let mut run = accord(
            dir.path(),
            &["eval", "demo.accord", "--scenario", "scenario.json", "--today", today, "--format", "text"],
            None,
        );
        run.input = Some(format!("scenario.json: {scenario}"));
        runs.push(run);
    }
    assert!(runs[0].stdout.contains("bulk") && !runs[1].stdout.contains("bulk"));
    snapshot("eval_today", &runs.iter().collect::<Vec<_>>());
}

#[test]
fn eval_scenario_from_standard_input() {
    let dir = workspace();
    let mut run = accord(
        dir.path(),
        &["eval", "demo.accord", "--scenario", "-", "--today", TODAY],
        Some(HEALTH_TO_US.as_bytes()),
    );
    run.input = Some(format!("stdin: {HEALTH_TO_US}"));
    let from_file = eval_scenario(dir.path(), HEALTH_TO_US, &[]);
    assert_eq!(run.stdout, from_file.stdout);
    let mut bad = accord(dir.path(), &["eval", "demo.accord", "--scenario", "-", "--today", TODAY], Some(b"[]"));
    bad.input = Some("stdin: []".to_owned());
    snapshot("eval_scenario_stdin", &[&run, &bad]);
}

// ---------------------------------------------------------------------------------------------
// eval: scenario errors

const SCENARIO_ERRORS: &[(&str, &str)] = &[
    ("not_an_object", r#"["SG", "US"]"#),
    ("not_an_object_string", r#""SG to US""#),
    ("invalid_json", r#"{"origin": "SG", "destination": "US",}"#),
    ("empty_file", ""),
    ("unknown_key_with_suggestion", r#"{"origin": "SG", "destination": "US", "dta": ["personal"]}"#),
    // `dat` is as close to `data` as to `date`: no guess.
    ("unknown_key_between_two", r#"{"origin": "SG", "destination": "US", "dat": ["personal"]}"#),
    ("unknown_key_without_suggestion", r#"{"origin": "SG", "destination": "US", "colour": "blue"}"#),
    ("wrong_type_bool", r#"{"origin": "SG", "destination": "US", "on_ftz_negative_list": "yes"}"#),
    ("wrong_type_count", r#"{"origin": "SG", "destination": "US", "individuals_ytd": "150000"}"#),
    ("wrong_type_count_fraction", r#"{"origin": "SG", "destination": "US", "individuals_ytd": 1.5}"#),
    ("wrong_type_date", r#"{"origin": "SG", "destination": "US", "date": 20250601}"#),
    ("wrong_type_enum", r#"{"origin": "SG", "destination": ["US"]}"#),
    ("wrong_type_enum_null", r#"{"origin": null, "destination": "US"}"#),
    ("wrong_type_set", r#"{"origin": "SG", "destination": "US", "data": "personal"}"#),
    ("wrong_type_set_member", r#"{"origin": "SG", "destination": "US", "data": ["personal", 3]}"#),
    ("outside_enum_domain_with_suggestion", r#"{"origin": "SG", "destination": "us"}"#),
    ("outside_enum_domain_alpha3", r#"{"origin": "SG", "destination": "USA"}"#),
    ("outside_enum_domain_without_suggestion", r#"{"origin": "SG", "destination": "Atlantis"}"#),
    ("set_member_outside_domain", r#"{"origin": "SG", "destination": "US", "data": ["personal", "helth"]}"#),
    ("missing_destination", r#"{"origin": "SG", "data": ["personal"]}"#),
    ("empty_object_needs_only_destination", "{}"),
    ("negative_count", r#"{"origin": "SG", "destination": "US", "individuals_ytd": -5}"#),
    ("invalid_date", r#"{"origin": "SG", "destination": "US", "date": "2025-02-30"}"#),
    ("invalid_date_format", r#"{"origin": "SG", "destination": "US", "date": "01/06/2025"}"#),
    ("several_problems", r#"{"destination": "USA", "dat": [], "individuals_ytd": -1, "date": "soon"}"#),
];

#[test]
fn eval_scenario_errors() {
    let dir = workspace();
    for (name, scenario) in SCENARIO_ERRORS {
        let run = eval_scenario(dir.path(), scenario, &[]);
        assert_eq!(run.code, Some(1), "{name}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{name}: a scenario error printed a decision: {}", run.stdout);
        assert!(run.stderr.starts_with("error: scenario.json: "), "{name}: {}", run.stderr);
        snapshot(&format!("scenario_error_{name}"), &[&run]);
    }
}

// ---------------------------------------------------------------------------------------------
// naming the regime

#[test]
fn regime_errors() {
    let dir = workspace();
    std::fs::write(dir.path().join("scenario.json"), HEALTH_TO_US).unwrap();
    let eval =
        |regime: &str| accord(dir.path(), &["eval", regime, "--scenario", "scenario.json", "--today", TODAY], None);
    let missing = eval("nosuch.accord");
    let no_such_id = eval("demo.accord#nosuch");
    let several = eval("two.accord");
    let chosen = eval("two.accord#alpha");
    let compile_missing = accord(dir.path(), &["compile", "nosuch.accord"], None);
    for run in [&missing, &no_such_id, &several, &compile_missing] {
        assert_eq!(run.code, Some(1), "{}", run.transcript());
        assert!(run.stdout.is_empty());
    }
    assert_eq!(chosen.code, Some(0));
    snapshot("regime_errors", &[&missing, &no_such_id, &several, &chosen, &compile_missing]);
}

#[test]
fn regime_with_errors_in_its_rules() {
    let dir = workspace();
    std::fs::write(dir.path().join("broken.accord"), DEMO.replace("then prohibit", "then forbid")).unwrap();
    std::fs::write(dir.path().join("scenario.json"), HEALTH_TO_US).unwrap();
    let run = accord(dir.path(), &["eval", "broken.accord", "--scenario", "scenario.json", "--today", TODAY], None);
    assert_eq!(run.code, Some(1));
    snapshot("regime_with_errors", &[&run]);
}

// ---------------------------------------------------------------------------------------------
// test

#[test]
fn test_passing() {
    let run = accord(manifest_dir(), &["test", "examples", "--today", TODAY], None);
    assert_eq!(run.code, Some(0), "{}", run.transcript());
    assert!(run.stdout.ends_with(" passed, 0 failed\n"));
    let dir = workspace();
    let demo = accord(dir.path(), &["test", "demo.accord", "--today", TODAY], None);
    assert_eq!(demo.code, Some(0));
    snapshot("test_passing", &[&run, &demo]);
}

#[test]
fn test_failing() {
    let dir = workspace();
    let run = accord(dir.path(), &["test", "failing.accord", "--today", TODAY], None);
    assert_eq!(run.code, Some(1));
    assert!(run.stdout.ends_with("1 passed, 4 failed\n"), "{}", run.stdout);
    snapshot("test_failing", &[&run]);
}

// ---------------------------------------------------------------------------------------------
// eval: batches

/// How an input is shown in a snapshot: each line numbered, long lines cut, bytes that are not
/// UTF-8 escaped, and a missing final newline said.
fn describe_input(bytes: &[u8]) -> String {
    let mut out = String::new();
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let final_newline = bytes.ends_with(b"\n");
    if final_newline {
        lines.pop();
    }
    for (i, line) in lines.iter().enumerate() {
        let mut text = String::new();
        for chunk in line.utf8_chunks() {
            for c in chunk.valid().chars() {
                if c.is_control() {
                    text.extend(c.escape_default());
                } else {
                    text.push(c);
                }
            }
            for byte in chunk.invalid() {
                let _ = write!(text, "\\x{byte:02x}");
            }
        }
        let shown = if text.chars().count() > 100 {
            format!("{}… ({} bytes)", text.chars().take(60).collect::<String>(), line.len())
        } else {
            text
        };
        let _ = writeln!(out, "{:>2}| {shown}", i + 1);
    }
    if !final_newline {
        out.push_str("  (no newline at the end)\n");
    }
    out
}

/// The output records, parsed; one per stdout line.
fn records(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

/// Checks the records against what each input line should give: `Ok(rule or verdict)` for a
/// decision, `Err(fragment of the message)` for an error record at that line.
fn check_records(records: &[Value], expected: &[(usize, Result<&str, &str>)]) {
    assert_eq!(records.len(), expected.len(), "one output record per input record: {records:#?}");
    for (record, (line, want)) in records.iter().zip(expected) {
        match want {
            Ok(decided) => {
                assert!(record.get("error").is_none(), "line {line} should be decided: {record}");
                let rule = record["rule"].as_str().unwrap_or("");
                let verdict = record["verdict"].as_str().unwrap_or("");
                assert!(rule == *decided || verdict == *decided, "line {line}: expected {decided}, got {record}");
            }
            Err(fragment) => {
                assert_eq!(record["line"], *line, "error record out of place: {record}");
                let message = record["error"].as_str().unwrap_or("");
                assert!(message.contains(fragment), "line {line}: expected an error about {fragment:?}: {record}");
            }
        }
    }
}

fn jsonl_batch() -> Vec<u8> {
    let mut input = Vec::new();
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destination\": \"US\", \"data\": [\"personal\", \"health\"]}\n");
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destination\": \"US\",\n");
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destination\": \"US\", \"dta\": [\"personal\"]}\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(
        b"{\"origin\": \"SG\", \"destination\": \"DE\", \"individuals_ytd\": 150000, \"date\": \"2025-06-01\"}\n",
    );
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destination\": \"US\", \"note\": \"");
    input.extend(std::iter::repeat_n(b'a', 1024 * 1024 + 10));
    input.extend_from_slice(b"\"}\n");
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destination\": \"\xff\xfe\"}\n");
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destination\": \"SG\"}\r\n");
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destination\": \"CA\", \"on_ftz_negative_list\": true}\n");
    input.extend_from_slice(b"{\"origin\": \"SG\", \"destin");
    input
}

const JSONL_EXPECTED: &[(usize, Result<&str, &str>)] = &[
    (1, Ok("health")),
    (2, Err("not valid JSON")),
    (3, Err("unknown fact `dta`; did you mean `data`?")),
    (4, Err("empty line")),
    (5, Ok("bulk")),
    (6, Err("longer than 1 MiB")),
    (7, Err("not valid UTF-8")),
    (8, Ok("out_of_scope")),
    (9, Ok("negative_list")),
    (10, Err("not valid JSON")),
];

#[test]
fn batch_jsonl() {
    let dir = workspace();
    let input = jsonl_batch();
    std::fs::write(dir.path().join("transfers.jsonl"), &input).unwrap();
    let mut run = accord(dir.path(), &["eval", "demo.accord", "--input", "transfers.jsonl", "--today", TODAY], None);
    run.input = Some(format!("transfers.jsonl:\n{}", describe_input(&input)));
    snapshot("batch_jsonl", &[&run]);
    check_records(&records(&run.stdout), JSONL_EXPECTED);
    assert_eq!(run.stderr, "read 10 lines: 4 decided, 6 failed\n");
    assert_eq!(run.code, Some(1));
}

#[test]
fn batch_jsonl_from_standard_input() {
    let dir = workspace();
    let input = jsonl_batch();
    std::fs::write(dir.path().join("transfers.jsonl"), &input).unwrap();
    let from_file = accord(dir.path(), &["eval", "demo.accord", "--input", "transfers.jsonl", "--today", TODAY], None);
    let from_stdin = accord(dir.path(), &["eval", "demo.accord", "--input", "-", "--today", TODAY], Some(&input));
    assert_eq!(from_stdin.code, Some(1));
    assert_eq!(from_stdin.stdout, from_file.stdout);
    assert_eq!(from_stdin.stderr, from_file.stderr);
    check_records(&records(&from_stdin.stdout), JSONL_EXPECTED);

    // A valid last line without a newline is decided, and a clean stream exits 0.
    let clean: &[u8] = concat!(
        r#"{"origin": "SG", "destination": "US"}"#,
        "\n",
        r#"{"origin": "SG", "destination": "CA", "data": ["health"]}"#
    )
    .as_bytes();
    let mut run = accord(dir.path(), &["eval", "demo.accord", "--input", "-", "--today", TODAY], Some(clean));
    run.input = Some(format!("stdin:\n{}", describe_input(clean)));
    check_records(&records(&run.stdout), &[(1, Ok("permit")), (2, Ok("health"))]);
    assert_eq!(run.stderr, "read 2 lines: 2 decided, 0 failed\n");
    assert_eq!(run.code, Some(0));
    snapshot("batch_stdin", &[&run]);
}

const CSV_BATCH: &str = "origin,destination,data,individuals_ytd,on_ftz_negative_list,date
SG,US,personal;health,,false,2025-01-01
SG,DE,personal,150000,,
SG,US
SG,US,personal,lots,false,2025-01-01
SG,XX,personal,,,
\"SG\",\"CA\",\" health ; core \",,true,2025-01-01
SG,SG,,,,";

#[test]
fn batch_csv() {
    let dir = workspace();
    std::fs::write(dir.path().join("transfers.csv"), CSV_BATCH).unwrap();
    let mut run = accord(dir.path(), &["eval", "demo.accord", "--input", "transfers.csv", "--today", TODAY], None);
    run.input = Some(format!("transfers.csv:\n{}", describe_input(CSV_BATCH.as_bytes())));
    snapshot("batch_csv", &[&run]);
    check_records(
        &records(&run.stdout),
        &[
            (2, Ok("health")),
            // Empty cells take the defaults: no negative list, and today's date, when `bulk` is in force.
            (3, Ok("bulk")),
            (4, Err("the row has 2 fields, the header 6")),
            (5, Err("`individuals_ytd` takes a whole number")),
            (6, Err("`XX` is not a valid value of `destination`")),
            (7, Ok("negative_list")),
            (8, Ok("out_of_scope")),
        ],
    );
    assert_eq!(run.stderr, "read 7 records: 4 decided, 3 failed\n");
    assert_eq!(run.code, Some(1));

    // The same through standard input, named with `--input-format`.
    let stdin = accord(
        dir.path(),
        &["eval", "demo.accord", "--input", "-", "--input-format", "csv", "--today", TODAY],
        Some(CSV_BATCH.as_bytes()),
    );
    assert_eq!((stdin.code, &stdin.stdout, &stdin.stderr), (run.code, &run.stdout, &run.stderr));
}

#[test]
fn batch_csv_header_errors() {
    let dir = workspace();
    let mut typo = accord(
        dir.path(),
        &["eval", "demo.accord", "--input", "-", "--input-format", "csv", "--today", TODAY],
        Some(b"origin,destinaton\nSG,US\n"),
    );
    typo.input = Some("stdin: origin,destinaton\\nSG,US\\n".to_owned());
    assert_eq!(typo.code, Some(1));
    snapshot("batch_csv_header_errors", &[&typo]);
}

/// The regime of the large stream: rule `rK` decides `individuals_ytd` in `[1000 K, 1000 (K+1))`.
fn buckets_regime() -> String {
    let mut text = String::from("regime buckets \"Buckets\" {\n  home SG\n");
    for k in 0..50 {
        let _ = writeln!(
            text,
            "  rule r{k} \"Bucket {k}\" cite \"B {k}\" when individuals_ytd in {}..{} then permit",
            k * 1000,
            (k + 1) * 1000
        );
    }
    text.push_str("  default prohibit\n}\n");
    text
}

#[test]
fn batch_of_fifty_thousand_lines_keeps_count_and_order() {
    const LINES: usize = 50_000;
    let dir = workspace();
    std::fs::write(dir.path().join("buckets.accord"), buckets_regime()).unwrap();
    // Line i gives individuals_ytd = i - 1, so rule r((i - 1) / 1000) decides it; every 7th line
    // names a destination `mI` that does not exist, so its error record names its own line.
    let mut input = String::with_capacity(LINES * 64);
    for i in 1..=LINES {
        if i % 7 == 0 {
            let _ = writeln!(input, "{{\"origin\": \"SG\", \"destination\": \"m{i}\"}}");
        } else {
            let _ = writeln!(input, "{{\"origin\": \"SG\", \"destination\": \"US\", \"individuals_ytd\": {}}}", i - 1);
        }
    }
    std::fs::write(dir.path().join("big.jsonl"), &input).unwrap();
    let started = Instant::now();
    let run = accord(dir.path(), &["eval", "buckets.accord", "--input", "big.jsonl", "--today", TODAY], None);
    let elapsed = started.elapsed();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), LINES, "one output line per input line");
    for (index, line) in lines.iter().enumerate() {
        let i = index + 1;
        let record: Value = serde_json::from_str(line).unwrap();
        if i % 7 == 0 {
            assert_eq!(record["line"], i, "output line {i} is {record}");
            assert!(record["error"].as_str().unwrap().contains(&format!("`m{i}`")), "output line {i} is {record}");
        } else {
            assert_eq!(record["rule"], format!("r{}", (i - 1) / 1000), "output line {i} is {record}");
        }
    }
    let failed = LINES / 7;
    assert_eq!(run.stderr, format!("read {LINES} lines: {} decided, {failed} failed\n", LINES - failed));
    assert_eq!(run.code, Some(1));
    assert!(elapsed < Duration::from_secs(60), "50,000 lines took {elapsed:?}");
}

// ---------------------------------------------------------------------------------------------
// Behaviours the binary does not have yet: each of these fails while the bug it names is there.

/// Waits for `child` at most `limit`; kills it and returns `None` if it is still running.
fn wait_at_most(child: &mut std::process::Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    None
}

/// `--input DIR` (or any input whose reads keep failing) must fail once, not write an error
/// record per failed read for ever.
#[test]
fn an_unreadable_input_stops_the_batch() {
    let dir = workspace();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("accord"))
        .current_dir(dir.path())
        .args(["eval", "demo.accord", "--input", ".", "--today", TODAY])
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let status = wait_at_most(&mut child, Duration::from_secs(20));
    assert!(status.is_some(), "`accord eval demo.accord --input .` was still writing error records after 20 s");
    assert_eq!(status.unwrap().code(), Some(1));
}

/// In a gap (no rule matches, no `default`) nothing decided the transfer: the output must not
/// say that a default did.
#[test]
fn a_scenario_in_a_gap_is_not_said_to_be_decided_by_a_default() {
    let dir = workspace();
    std::fs::write(dir.path().join("scenario.json"), r#"{"origin": "SG", "destination": "US"}"#).unwrap();
    let run = accord(
        dir.path(),
        &["eval", "gap.accord", "--scenario", "scenario.json", "--format", "text", "--today", TODAY],
        None,
    );
    assert_eq!(run.code, Some(0), "{}", run.transcript());
    assert!(run.stdout.starts_with("gappy: undecided\n"), "{}", run.transcript());
    assert!(run.stdout.contains("no rule matches and the regime has no `default`"), "{}", run.transcript());
    assert!(!run.stdout.contains("decided by the default"), "gap.accord has no default, yet: {}", run.transcript());
}

/// Origin outside `home`: the transfer does not *start* in the regime's home; saying it "does
/// not leave" it is wrong.
#[test]
fn out_of_scope_by_origin_is_explained_as_such() {
    let dir = workspace();
    let run = eval_scenario(dir.path(), r#"{"origin": "US", "destination": "DE"}"#, &["--format", "text"]);
    assert!(run.stdout.contains("out_of_scope"));
    assert!(
        !run.stdout.contains("does not leave the regime's home"),
        "US → DE under a SG regime: {}",
        run.transcript()
    );
}

/// An enum fact a scenario omits (other than `date`, sets, counts and bools, the design (§4) gives
/// no default) must not silently take its first member and fire a rule about that member.
#[test]
fn an_omitted_enum_fact_does_not_silently_take_its_first_member() {
    let dir = workspace();
    std::fs::write(dir.path().join("scenario.json"), r#"{"origin": "SG", "destination": "US"}"#).unwrap();
    let run = accord(dir.path(), &["eval", "tiered.accord", "--scenario", "scenario.json", "--today", TODAY], None);
    assert!(
        !run.stdout.contains("\"rule\":\"gold\""),
        "no `tier` was given, yet the rule `tier == gold` decided: {}",
        run.transcript()
    );
    // It is asked for instead.
    assert_eq!(run.code, Some(1), "{}", run.transcript());
    assert_eq!(run.stderr, "error: scenario.json: `tier` is required\n1 problem\n", "{}", run.transcript());
}

/// the design (§7): nothing is dropped. A blank CSV line is an error record in JSON Lines; in CSV it
/// vanishes.
#[test]
fn a_blank_csv_line_is_not_dropped() {
    let dir = workspace();
    let input = b"origin,destination\nSG,US\n\nSG,CA\n";
    let run = accord(
        dir.path(),
        &["eval", "demo.accord", "--input", "-", "--input-format", "csv", "--today", TODAY],
        Some(input),
    );
    assert_eq!(run.stdout.lines().count(), 3, "three data lines, one of them blank: {}", run.transcript());
}

/// `eval --help` promises "Each input line gives exactly one output line"; `--format text`
/// writes several lines per decision (and JSON error records among them).
#[test]
fn batch_text_gives_one_output_line_per_input_line() {
    let dir = workspace();
    let input = b"{\"origin\": \"SG\", \"destination\": \"US\", \"data\": [\"personal\", \"health\"]}\nnot json\n";
    let run =
        accord(dir.path(), &["eval", "demo.accord", "--input", "-", "--format", "text", "--today", TODAY], Some(input));
    assert_eq!(run.stdout.lines().count(), 2, "two input lines: {}", run.transcript());
}

/// "read 1 lines" is not English.
#[test]
fn the_batch_summary_counts_in_english() {
    let dir = workspace();
    let run = accord(
        dir.path(),
        &["eval", "demo.accord", "--input", "-", "--today", TODAY],
        Some(b"{\"origin\": \"SG\", \"destination\": \"US\"}\n"),
    );
    assert_eq!(run.stderr, "read 1 line: 1 decided, 0 failed\n");
}

/// A CSV header naming a fact twice is ambiguous (today the last column silently wins).
#[test]
fn a_csv_header_naming_a_fact_twice_is_an_error() {
    let dir = workspace();
    let run = accord(
        dir.path(),
        &["eval", "demo.accord", "--input", "-", "--input-format", "csv", "--today", TODAY],
        Some(b"origin,destination,origin\nSG,US,CN\n"),
    );
    assert_eq!(run.code, Some(1), "{}", run.transcript());
    assert!(run.stderr.contains("origin"), "{}", run.transcript());
}

/// `accord test` on an example that expected a verdict but got `out_of_scope` must not claim the
/// default decided it.
#[test]
fn a_failing_out_of_scope_example_does_not_blame_the_default() {
    let dir = workspace();
    let run = accord(dir.path(), &["test", "failing.accord", "--today", TODAY], None);
    let report: Vec<&str> =
        run.stdout.lines().skip_while(|l| !l.contains("out of scope, expected permit")).take(4).collect();
    assert!(report.len() == 4, "{}", run.stdout);
    assert!(!report[3].contains("decided by the default"), "{}", report.join("\n"));
}

#[test]
fn an_omitted_origin_is_the_regimes_home() {
    let dir = workspace();
    let without = eval_scenario(dir.path(), r#"{"destination": "US", "data": ["personal"]}"#, &[]);
    let with = eval_scenario(dir.path(), r#"{"origin": "SG", "destination": "US", "data": ["personal"]}"#, &[]);
    let elsewhere = eval_scenario(dir.path(), r#"{"origin": "MY", "destination": "US", "data": ["personal"]}"#, &[]);
    assert_eq!(without.code, Some(0), "{}", without.stderr);
    assert_eq!(without.stdout, with.stdout);
    assert_ne!(without.stdout, elsewhere.stdout, "the test needs an origin outside home to decide otherwise");
}
