//! Every JSON document the `accord` command line prints, against its published JSON Schema under
//! `schema/`: real outputs of the binary (decisions, explanations, batch lines, diffs, inventory
//! diffs, corridors, matrices, test results, diagnostics, formatting reports) validate; documents
//! broken on purpose (a required key taken out, an unknown key added at the top or inside, another
//! format id, a value of the wrong type) are refused, so that a schema that accepted anything would
//! fail here; the definitions each schema copies (from the table schema, or from another document's)
//! are the same text wherever they appear; and no schema is left without a test.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The schema of format `id` (`accord.decision`), as JSON.
fn schema(id: &str) -> Value {
    let path = root().join("schema").join(format!("{id}.schema.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn validator(id: &str) -> jsonschema::Validator {
    jsonschema::draft202012::options().should_validate_formats(true).build(&schema(id)).unwrap()
}

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator.iter_errors(document).map(|e| format!("at `{}`: {e}", e.instance_path)).collect()
}

/// Asserts that `document` (printed by `what`) validates, listing the first errors if not.
fn assert_valid(validator: &jsonschema::Validator, document: &Value, what: &str) {
    let errors = schema_errors(validator, document);
    assert!(
        errors.is_empty(),
        "{what} does not validate:\n{}",
        errors.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}

/// An empty directory of this test's own under the system's temporary directory.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("accord-documents-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `text` to `name` in `dir` and returns its path as a string, for a command line.
fn file(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Runs `accord` with `args` from the crate's root, asserts its exit code is one of `codes`,
/// and returns its standard output.
fn accord(args: &[&str], codes: &[i32]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_accord")).args(args).current_dir(root()).output().unwrap();
    let code = output.status.code();
    assert!(
        code.is_some_and(|c| codes.contains(&c)),
        "`accord {}` exited with {code:?}:\n{}",
        args.join(" "),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The one JSON document `accord args` prints, exiting with one of `codes`.
fn document(args: &[&str], codes: &[i32]) -> Value {
    let out = accord(args, codes);
    serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("`accord {}` printed no JSON document: {e}\n{out}", args.join(" ")))
}

/// Runs each command line, asserts that its document validates against format `id`'s schema, and
/// returns the documents in order.
fn validated(id: &str, commands: &[(&[&str], &[i32])]) -> Vec<Value> {
    let validator = validator(id);
    let mut documents = Vec::new();
    for (args, codes) in commands {
        let document = document(args, codes);
        assert_valid(&validator, &document, &format!("`accord {}`", args.join(" ")));
        documents.push(document);
    }
    documents
}

/// One way of breaking a valid document: at the object or array at a JSON pointer, take out a key
/// (which must be there) or set one (an index, for an array) to a value.
enum Change {
    Remove { at: String, key: String },
    Set { at: String, key: String, value: Value },
}

fn remove(at: &str, key: &str) -> Change {
    Change::Remove { at: at.to_owned(), key: key.to_owned() }
}

fn set(at: &str, key: &str, value: Value) -> Change {
    Change::Set { at: at.to_owned(), key: key.to_owned(), value }
}

fn apply(document: &mut Value, change: &Change) {
    let (at, key) = match change {
        Change::Remove { at, key } | Change::Set { at, key, .. } => (at.as_str(), key.as_str()),
    };
    let target = document.pointer_mut(at).unwrap_or_else(|| panic!("the document has nothing at `{at}`"));
    match (target, change) {
        (Value::Object(map), Change::Remove { .. }) => assert!(map.remove(key).is_some(), "no `{key}` at `{at}`"),
        (Value::Object(map), Change::Set { value, .. }) => _ = map.insert(key.to_owned(), value.clone()),
        (Value::Array(items), Change::Remove { .. }) => _ = items.remove(key.parse::<usize>().unwrap()),
        (Value::Array(items), Change::Set { value, .. }) => items[key.parse::<usize>().unwrap()] = value.clone(),
        (other, _) => panic!("`{at}` is neither an object nor an array: {other}"),
    }
}

/// The changes every document must refuse: each key always written taken out, an unknown key at
/// the top and in each object at `nested`, and, for a document with a format id, another id.
fn common_changes(required: &[&str], nested: &[&str], format: Option<&str>) -> Vec<Change> {
    let mut changes: Vec<Change> = required.iter().map(|key| remove("", key)).collect();
    changes.push(set("", "unexpected", json!(1)));
    changes.extend(nested.iter().map(|at| set(at, "unexpected", json!(1))));
    if let Some(id) = format {
        let (name, _) = id.split_once('/').unwrap();
        changes.push(set("", "format", json!(format!("{name}/2"))));
        changes.push(set("", "format", json!(format!("{name}/0"))));
        changes.push(set("", "format", json!(1)));
    }
    changes
}

fn describe(change: &Change) -> String {
    match change {
        Change::Remove { at, key } => format!("`{key}` taken out of `{at}`"),
        Change::Set { at, key, value } => format!("`{at}/{key}` set to {value}"),
    }
}

/// Asserts that the schema of `id` refuses `good` broken in each of the ways given (and that
/// `good` itself validates).
fn assert_refused(id: &str, good: &Value, changes: &[Change]) {
    let validator = validator(id);
    assert_valid(&validator, good, &format!("the {id} sample"));
    let mut accepted = Vec::new();
    for change in changes {
        let mut broken = good.clone();
        apply(&mut broken, change);
        assert_ne!(&broken, good, "{} changed nothing", describe(change));
        if validator.is_valid(&broken) {
            accepted.push(describe(change));
        }
    }
    assert!(accepted.is_empty(), "the {id} schema accepts broken documents: {accepted:#?}");
}

/// The index of the first item of the array at `at` that has `key`.
fn first_with(document: &Value, at: &str, key: &str) -> usize {
    let items = document.pointer(at).and_then(Value::as_array).unwrap_or_else(|| panic!("no array at `{at}`"));
    items.iter().position(|item| item.get(key).is_some()).unwrap_or_else(|| panic!("no item of `{at}` has `{key}`"))
}

/// A regime without `default`: a transfer no rule decides is `undecided`.
const NO_DEFAULT: &str = include_str!("cases/no_default.accord");

/// Two small regimes of different homes and accords between them: one that resolves their
/// difference, and one limited by `when` and dates.
const PAIR: &str = r#"regime ra "Regime A" {
  home SG
  rule personal "Personal data needs a contract" cite "A 1"
    when data has personal
    then require eu_scc
  default permit
}

regime rb "Regime B" {
  home MY
  rule personal "Personal data needs a contract or rules" cite "B 1"
    when data has personal
    then require eu_scc or bcr
  default permit
}

accord ab "A takes BCRs as contracts" {
  cite "AB 1"
  ra accepts bcr as eu_scc
}

accord scoped "A takes BCRs as contracts for health data" {
  cite "AB 2"
  effective 2020-01-01..2030-01-01
  when data has health
  ra accepts bcr as eu_scc
}
"#;

/// Examples that pass, one that fails, one whose scenario cannot be read (no `destination`) and
/// one out of scope; its rules give a note (I0307).
const EXAMPLES: &str = r#"regime tx "Test regime" {
  home SG
  rule health "Health data needs consent" cite "T 1"
    when data has health
    then require explicit_consent
  rule us "No US" cite "T 2"
    when destination == US
    then prohibit
  oblige pipia "Assess" cite "T 3"
    when data has personal
  default permit

  example "health to JP" {
    given { origin: SG, destination: JP, data: {personal, health} }
    expect require explicit_consent with {pipia}
  }
  example "wrong on purpose" {
    given { origin: SG, destination: US, data: {personal} }
    expect permit
  }
  example "no destination" {
    given { origin: SG, data: {personal} }
    expect permit
  }
  example "outside" {
    given { origin: JP, destination: US }
    expect out_of_scope
  }
}
"#;

/// Scenarios reaching every shape of decision: `require` with obligations `if_chosen`, a cascade
/// (`ordered`), a requirement met by facts and by safeguards, safeguards that do not suffice, a
/// prohibition, out of scope (with safeguards), and, for `NO_DEFAULT`, `undecided`.
fn scenarios(dir: &Path) -> Vec<(&'static str, String)> {
    let scenario = |name: &str, text: &str| file(dir, name, text);
    vec![
        (
            "cn",
            scenario(
                "cn_require.json",
                r#"{"origin":"CN","destination":"DE","data":["health"],"individuals_ytd":200000,"date":"2025-06-01"}"#,
            ),
        ),
        (
            "cn",
            scenario(
                "cn_out_of_scope.json",
                r#"{"origin":"SG","destination":"US","data":["personal"],"safeguards":["bcr"]}"#,
            ),
        ),
        (
            "cn",
            scenario("cn_prohibit.json", r#"{"origin":"CN","destination":"US","data":["core"],"safeguards":["bcr"]}"#),
        ),
        (
            "id",
            scenario(
                "id_cascade.json",
                r#"{"origin":"ID","destination":"SG","data":["personal"],"date":"2025-06-01"}"#,
            ),
        ),
        (
            "id",
            scenario(
                "id_facts.json",
                r#"{"origin":"ID","destination":"SG","data":["personal"],"consent":["consented"],"date":"2025-06-01"}"#,
            ),
        ),
        (
            "id",
            scenario(
                "id_unmet.json",
                r#"{"origin":"ID","destination":"SG","data":["personal"],"safeguards":["eu_scc"],"date":"2025-06-01"}"#,
            ),
        ),
        ("au", "examples/scenarios/au_customer_records_to_ph_call_centre.json".to_owned()),
        ("eu", "examples/scenarios/eu_hr_data_to_india.json".to_owned()),
        ("us_bulk", "examples/scenarios/us_bulk_broker_location_to_cn.json".to_owned()),
        ("", scenario("undecided.json", r#"{"origin":"JP","destination":"US","data":["personal"]}"#)),
    ]
}

/// The documents `accord eval REGIME --scenario FILE` prints for every scenario of [`scenarios`],
/// with `extra` flags (`--explain`).
fn decisions(test: &str, extra: &[&str]) -> Vec<(String, Value)> {
    let dir = scratch(test);
    let no_default = file(&dir, "no_default.accord", NO_DEFAULT);
    scenarios(&dir)
        .into_iter()
        .map(|(regime, path)| {
            let regime = if regime.is_empty() { no_default.as_str() } else { regime };
            let mut args = vec!["eval", regime, "--scenario", path.as_str()];
            args.extend_from_slice(extra);
            (format!("`accord {}`", args.join(" ")), document(&args, &[0]))
        })
        .collect()
}

/// The first document of `documents` whose value at `pointer` is `value`.
fn find<'d>(documents: &'d [(String, Value)], pointer: &str, value: &Value) -> &'d Value {
    documents
        .iter()
        .map(|(_, d)| d)
        .find(|d| d.pointer(pointer) == Some(value))
        .unwrap_or_else(|| panic!("no document has {value} at `{pointer}`"))
}

#[test]
fn every_schema_is_a_valid_draft_2020_12_schema_with_a_title_and_its_format() {
    for id in DOCUMENTS {
        let schema = schema(id);
        assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema", "{id}");
        if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
            panic!("{id} is not a valid draft 2020-12 schema: {e}");
        }
        let title = schema["title"].as_str().unwrap();
        assert!(title.starts_with("Accord ") && title.ends_with(&format!("({id}/1)")), "{id}: title `{title}`");
        assert!(
            schema["description"].as_str().is_some_and(|d| d.contains("`accord ")),
            "{id}: which command prints it?"
        );
        if *id != "accord.batch" {
            assert_eq!(schema["properties"]["format"]["const"], json!(format!("{id}/1")), "{id}");
        }
    }
}

#[test]
fn decisions_validate_and_broken_ones_are_refused() {
    let documents = decisions("decision", &[]);
    let validator = validator("accord.decision");
    for (what, document) in &documents {
        assert_eq!(document["format"], "accord.decision/1", "{what}");
        assert_valid(&validator, document, what);
    }
    for verdict in ["permit", "require", "prohibit", "out_of_scope", "undecided"] {
        find(&documents, "/verdict", &json!(verdict));
    }
    let require = find(&documents, "/rule", &json!("volume_contract"));
    assert!(require.get("if_chosen").is_some(), "the sample has no `if_chosen`: {require}");
    let mut changes = common_changes(
        &["format", "regime", "verdict", "require", "obligations", "rule", "cite"],
        &[],
        Some("accord.decision/1"),
    );
    changes.extend([
        set("", "verdict", json!(3)),
        set("", "verdict", json!("allow")),
        set("", "verdict", json!("permit")),
        set("", "require", json!("cn_standard_contract")),
        set("", "require", json!([[]])),
        set("", "require", json!([])),
        set("", "obligations", json!(1)),
        set("", "obligations", json!(["pipia", "pipia"])),
        set("", "rule", json!(7)),
        set("", "rule", Value::Null),
        set("", "cite", json!([1])),
        set("", "cite", json!([])),
        set("", "satisfied", json!("yes")),
        set("", "ordered", json!([-1])),
        set("", "ordered", json!([])),
        set("", "if_chosen", json!({"cn_standard_contract": []})),
        set("", "if_chosen", json!({})),
        set("/if_chosen", "cn_standard_contract", json!("file_standard_contract")),
        set("", "met_by", json!({"mechanisms": ["bcr"], "require": [["bcr"]], "through": "safeguards"})),
    ]);
    assert_refused("accord.decision", require, &changes);
    let met = find(&documents, "/met_by/through", &json!("facts"));
    assert_refused(
        "accord.decision",
        met,
        &[
            set("/met_by", "unexpected", json!(1)),
            set("/met_by", "through", json!("magic")),
            set("/met_by", "mechanisms", json!("id_consent")),
            remove("/met_by", "through"),
            remove("/met_by", "mechanisms"),
            set("", "verdict", json!("require")),
        ],
    );
    let out_of_scope = find(&documents, "/verdict", &json!("out_of_scope"));
    assert_refused(
        "accord.decision",
        out_of_scope,
        &[set("", "obligations", json!(["pipia"])), set("", "rule", json!("x"))],
    );
}

#[test]
fn explanations_validate_and_broken_ones_are_refused() {
    let documents = decisions("explanation", &["--explain"]);
    let validator = validator("accord.explanation");
    for (what, document) in &documents {
        assert_eq!(document["format"], "accord.explanation/1", "{what}");
        assert_valid(&validator, document, what);
    }
    for key in ["ruled_out", "implied", "established_by", "could_be_met_by"] {
        assert!(
            documents.iter().any(|(_, d)| d[key].as_array().is_some_and(|a| !a.is_empty())),
            "no sample has `{key}`"
        );
    }
    let implied =
        documents.iter().map(|(_, d)| d).find(|d| d["implied"].as_array().is_some_and(|a| !a.is_empty())).unwrap();
    let mut changes = common_changes(
        &["format", "decision", "ruled_out", "implied", "established_by", "could_be_met_by"],
        &["/decision", "/ruled_out/0", "/implied/0"],
        Some("accord.explanation/1"),
    );
    changes.extend([
        set("/decision", "format", json!("accord.decision/1")),
        set("/decision", "verdict", json!(1)),
        remove("/decision", "verdict"),
        set("", "ruled_out", json!("none")),
        set("/ruled_out/0", "facts", json!("date")),
        remove("/ruled_out/0", "cite"),
        remove("/implied/0", "because"),
        set("/implied/0", "member", json!(1)),
    ]);
    assert_refused("accord.explanation", implied, &changes);
    let established = documents
        .iter()
        .map(|(_, d)| d)
        .find(|d| d["established_by"].as_array().is_some_and(|a| !a.is_empty()))
        .unwrap();
    assert_refused(
        "accord.explanation",
        established,
        &[
            set("/established_by/0", "unexpected", json!(1)),
            remove("/established_by/0", "facts"),
            set("/established_by/0", "cite", json!([])),
        ],
    );
}

/// Scenarios on JSON lines, with lines that are not scenarios (blank, not JSON, a misspelt fact,
/// a list, not UTF-8).
const JSON_LINES: &[u8] = b"{\"origin\":\"CN\",\"destination\":\"DE\",\"data\":[\"personal\"],\"individuals_ytd\":200000,\"date\":\"2025-06-01\"}
{\"origin\":\"DE\",\"destination\":\"FR\"}

not json
{\"destinaton\":\"US\"}
{\"origin\":\"CN\",\"destination\":\"HK\",\"data\":[\"personal\"],\"safeguards\":[\"cn_standard_contract\"],\"individuals_ytd\":200000,\"date\":\"2025-06-01\"}
[1,2]
\xff\xfe
";

/// Scenarios as CSV, with records that are not scenarios.
const CSV: &str = "origin,destination,data,individuals_ytd,date
CN,DE,personal;health,200000,2025-06-01
DE,FR,,,
CN,XX,,,

CN,US,personal,abc,2025-01-01
CN,US
\"CN,US,personal,1,2025-01-01
";

/// The lines `accord eval cn --input PATH` prints, each parsed.
fn batch_lines(path: &str, lines: usize) -> Vec<Value> {
    let out = accord(&["eval", "cn", "--input", path, "--error-format", "json"], &[1]);
    let parsed: Vec<Value> = out
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{path}: `{line}`: {e}")))
        .collect();
    assert_eq!(parsed.len(), lines, "{path}: one output line per input line:\n{out}");
    parsed
}

#[test]
fn batch_lines_validate_and_broken_ones_are_refused() {
    let dir = scratch("batch");
    let jsonl = dir.join("scenarios.jsonl");
    std::fs::write(&jsonl, JSON_LINES).unwrap();
    let csv = file(&dir, "scenarios.csv", CSV);
    let batch = validator("accord.batch");
    let mut lines = batch_lines(jsonl.to_str().unwrap(), 8);
    lines.extend(batch_lines(&csv, 7));
    for line in &lines {
        assert!(line.get("format").is_none(), "a batch line carries no format id: {line}");
        assert_valid(&batch, line, &format!("the batch line {line}"));
    }
    let decision = lines.iter().find(|l| l.get("if_chosen").is_some()).unwrap();
    let mut changes = common_changes(&["regime", "verdict", "require", "obligations", "rule", "cite"], &[], None);
    changes.extend([
        set("", "format", json!("accord.decision/1")),
        set("", "verdict", json!(1)),
        set("", "line", json!(1)),
    ]);
    assert_refused("accord.batch", decision, &changes);
    let error = lines.iter().find(|l| l.get("error").is_some()).unwrap();
    let mut changes = common_changes(&["line", "error"], &[], None);
    changes.extend([
        set("", "line", json!(0)),
        set("", "line", json!("3")),
        set("", "error", json!(3)),
        set("", "error", json!("")),
    ]);
    assert_refused("accord.batch", error, &changes);
    // A stream that fails as a whole ends with a diagnostics document on one line, which is no
    // batch record.
    let missing = dir.join("missing.jsonl");
    let out = accord(&["eval", "cn", "--input", missing.to_str().unwrap(), "--error-format", "json"], &[1]);
    let last = out.lines().next_back().unwrap();
    let problems: Value = serde_json::from_str(last).unwrap();
    assert_valid(&validator("accord.diagnostics"), &problems, "the line a failed stream ends with");
    assert!(!batch.is_valid(&problems), "the batch schema accepts a diagnostics document");
}

#[test]
fn diffs_validate_and_broken_ones_are_refused() {
    let dir = scratch("diff");
    let pair = file(&dir, "pair.accord", PAIR);
    let (ra, rb) = (format!("{pair}#ra"), format!("{pair}#rb"));
    let (ab, scoped) = (format!("{pair}#ab"), format!("{pair}#scoped"));
    let weights = file(
        &dir,
        "weights.json",
        r#"{"weights": [{"fact": "in_transit_through_origin", "title": "Rarely in transit", "cite": ["[interp] a test"], "shares": {"kind": "bool", "true_share": 0.3}}]}"#,
    );
    let documents = validated(
        "accord.diff",
        &[
            (&["diff", "sg", "my", "--format", "json"], &[0]),
            (&["diff", "jp", "kr", "--accords", "--obligations", "--format", "json"], &[0]),
            (&["diff", "cn", "eu", "--by-rules", "--format", "json"], &[0]),
            (&["diff", "cn@2023-12-01", "cn@2024-06-01", "--by-rules", "--format", "json"], &[0]),
            (&["diff", "eu", "uk", "--same-origin", "--by-rules", "--format", "json"], &[0]),
            (
                &[
                    "diff",
                    "sg",
                    "my",
                    "--facts",
                    "destination,data",
                    "--given",
                    r#"{"destination": "US"}"#,
                    "--weights",
                    &weights,
                    "--format",
                    "json",
                ],
                &[0],
            ),
            (&["diff", &ra, &rb, "--accord", &ab, "--accord", &scoped, "--format", "json"], &[0]),
        ],
    );
    let [_, obligations, rule_pairs, dated, _, projected, accords] = documents.as_slice() else {
        panic!("seven diffs")
    };
    assert_eq!(rule_pairs["listing"], "rule_pairs");
    assert!(
        dated["a"]["date"].is_string()
            && projected["facts"].is_array()
            && !accords["resolved"].as_array().unwrap().is_empty()
    );
    let mut changes = common_changes(
        &[
            "format",
            "a",
            "b",
            "reading",
            "obligations",
            "given",
            "listing",
            "columns",
            "weights",
            "accords",
            "totals",
            "groups",
            "resolved",
        ],
        &[
            "/a",
            "/totals",
            "/groups/0",
            "/groups/0/a",
            "/groups/0/regions/0",
            "/groups/0/regions/0/a_rules/0",
            "/weights/0",
            "/columns/0",
        ],
        Some("accord.diff/1"),
    );
    changes.extend([
        set("/totals", "agreement", json!("0.5")),
        set("/totals", "agreement", json!(1.5)),
        set("/totals", "regions", json!(-1)),
        set("/groups/0", "class", json!("stricter")),
        set("/groups/0/a", "verdict", json!(1)),
        set("/groups/0/a", "verdict", json!("allow")),
        set("/groups/0/b", "require", json!([["eu_scc"]])),
        set("/groups/0/a", "obligations", json!(["pipia"])),
        set("/groups/0/regions/0", "share", json!(-0.1)),
        remove("/groups/0/regions/0", "when"),
        remove("/groups/0/regions/0", "witness"),
        set("/groups/0/regions/0", "witness", json!([])),
        set("/groups/0/regions/0/a_rules/0", "cite", json!([])),
        remove("/groups/0/regions/0/a_rules/0", "location"),
        set("", "listing", json!("boxes")),
        set("", "reading", json!("aligned")),
        set("", "obligations", json!("no")),
        set("/a", "hash", json!("sha256:abc")),
        set("/a", "date", json!("2024-6-1")),
        set("", "facts", json!([])),
        set("/weights/0", "shares", json!({"kind": "bool", "true_share": 2})),
    ]);
    // The smallest of the diffs listing boxes: every change validates the whole document again.
    assert_refused("accord.diff", projected, &changes);
    assert_refused(
        "accord.diff",
        rule_pairs,
        &[set("/groups/0/regions/0", "when", json!({})), set("", "listing", json!("regions"))],
    );
    assert!(obligations["groups"][0]["a"].get("obligations").is_some(), "obligations compared, yet none listed");
    assert_refused(
        "accord.diff",
        obligations,
        &[set("", "obligations", json!(false)), set("/accords/0", "resolved_share", json!("0"))],
    );
    assert_refused(
        "accord.diff",
        accords,
        &[
            set("/accords/0", "unexpected", json!(1)),
            set("/accords/0", "effective", json!(5)),
            remove("/accords/0", "effective"),
            set("/accords/0", "accepts", json!([])),
            set("/accords/1", "scope", json!([])),
            set("/resolved/0", "accords", json!([])),
            set("/resolved/0", "unexpected", json!(1)),
            set("/accords/0/accepts/0", "as", json!(["eu_scc"])),
        ],
    );
}

/// Transfers on JSON lines, two of them no transfers (not JSON, an unknown destination) and a
/// blank line, which is skipped.
const TRANSFERS: &str = r#"{"origin":"SG","destination":"MY","data":["personal"]}
{"origin":"SG","destination":"US","data":["personal"],"safeguards":["bcr"]}
{"origin":"JP","destination":"KR","data":["personal","health"],"date":"2024-01-01"}
{"origin":"KR","destination":"JP","data":["personal"]}

nope
{"destination":"ZZ"}
{"origin":"SG","destination":"JP","data":["health"],"date":"2024-01-01"}
"#;

#[test]
fn inventories_validate_and_broken_ones_are_refused() {
    let dir = scratch("inventory");
    let transfers = file(&dir, "transfers.jsonl", TRANSFERS);
    let csv = file(
        &dir,
        "transfers.csv",
        "origin,destination,data,date\nSG,MY,personal,2025-01-01\nSG,US,personal;health,2025-01-01\nSG,ZZ,,\n",
    );
    let refused = file(&dir, "refused.jsonl", "nope\n{\"destination\":\"ZZ\"}\n");
    let pair = file(&dir, "pair.accord", PAIR);
    let (ra, rb, ab) = (format!("{pair}#ra"), format!("{pair}#rb"), format!("{pair}#ab"));
    let documents = validated(
        "accord.inventory",
        &[
            (&["diff", "sg", "my", "--inventory", &transfers, "--format", "json"], &[1]),
            (&["diff", "jp", "kr", "--accords", "--obligations", "--inventory", &transfers, "--format", "json"], &[1]),
            (&["diff", "sg", "my", "--inventory", &csv, "--format", "json"], &[1]),
            (&["diff", "sg", "my", "--inventory", &refused, "--format", "json"], &[1]),
            (&["diff", &ra, &rb, "--accord", &ab, "--inventory", &transfers, "--format", "json"], &[1]),
        ],
    );
    let good = &documents[0];
    assert_eq!(good["lines"], 7, "the blank line is skipped");
    assert_eq!(good["refused"].as_array().unwrap().len(), 2);
    let mut changes = common_changes(
        &[
            "format",
            "a",
            "b",
            "reading",
            "obligations",
            "accords",
            "source",
            "lines",
            "transfers",
            "agreement",
            "a_stricter",
            "b_stricter",
            "incomparable",
            "bridged",
            "groups",
            "refused",
        ],
        &["/a", "/groups/0", "/groups/0/a", "/refused/0"],
        Some("accord.inventory/1"),
    );
    changes.extend([
        set("", "lines", json!("7")),
        set("", "transfers", json!(-1)),
        set("", "source", json!(3)),
        set("", "agreement", json!(1.01)),
        set("/groups/0", "lines", json!([0])),
        set("/groups/0", "lines", json!([])),
        set("/groups/0", "transfers", json!(0)),
        set("/groups/0", "bridged", json!(0.5)),
        set("/groups/0", "class", json!(2)),
        set("/refused/0", "line", json!("6")),
        remove("/refused/0", "problem"),
    ]);
    assert_refused("accord.inventory", good, &changes);
}

#[test]
fn corridors_validate_and_broken_ones_are_refused() {
    let dir = scratch("corridor");
    let pair = file(&dir, "pair.accord", PAIR);
    let (ra, rb) = (format!("{pair}#ra"), format!("{pair}#rb"));
    let (ab, scoped) = (format!("{pair}#ab"), format!("{pair}#scoped"));
    let documents = validated(
        "accord.corridor",
        &[
            (&["corridor", "cn", "hk", "--format", "json"], &[0]),
            (&["corridor", "sg", "my", "--obligations", "--format", "json"], &[0]),
            (&["corridor", "jp", "kr", "--accords", "--format", "json"], &[0]),
            (&["corridor", &ra, &rb, "--accord", &scoped, "--accord", &ab, "--format", "json"], &[0]),
        ],
    );
    let gap = documents.iter().any(|d| d["joint"].as_array().unwrap().iter().any(|j| j.get("gap").is_some()));
    assert!(gap, "no combination with a gap");
    let mut changes = common_changes(
        &["format", "a", "b", "accords", "forward", "back", "joint", "totals", "weights"],
        &["/b", "/totals", "/forward/0", "/forward/0/outcome", "/forward/0/rules/0", "/joint/0", "/joint/0/back"],
        Some("accord.corridor/1"),
    );
    changes.extend([
        set("/totals", "blocked", json!("0")),
        set("/totals", "separate", json!(-1)),
        remove("/totals", "blocked"),
        set("/joint/0", "both", json!("x")),
        set("/joint/0", "witness_forward", json!([])),
        set("/joint/0", "gap", json!(1)),
        remove("/joint/0", "witness_back"),
        set("/forward/0", "rules", json!([])),
        set("/forward/0/outcome", "verdict", json!(0)),
        set("/back/0", "share", json!(2)),
    ]);
    assert_refused("accord.corridor", &documents[0], &changes);
    assert_refused(
        "accord.corridor",
        &documents[3],
        &[
            set("/accords/0", "unexpected", json!(1)),
            set("/accords/0", "effective", json!("always")),
            set("/accords/0", "scope", json!({"data": {"has": ["health"]}})),
            set("/accords/0/accepts/0", "mechanisms", json!([])),
        ],
    );
}

#[test]
fn matrices_validate_and_broken_ones_are_refused() {
    let dir = scratch("matrix");
    let pair = file(&dir, "pair.accord", PAIR);
    let no_default = file(&dir, "no_default.accord", NO_DEFAULT);
    let (ra, rb) = (format!("{pair}#ra"), format!("{pair}#rb"));
    let documents = validated(
        "accord.matrix",
        &[
            (&["matrix", "sg", "my", "id", "--format", "json"], &[0]),
            (&["matrix", &ra, &rb, &no_default, "--obligations", "--format", "json"], &[0]),
            (&["matrix", "jp", "eu", "kr", "--accords", "--format", "json"], &[0]),
        ],
    );
    for document in &documents {
        let n = document["regimes"].as_array().unwrap().len();
        for key in ["agreement", "bridged"] {
            let rows = document[key].as_array().unwrap();
            assert!(
                rows.len() == n && rows.iter().all(|r| r.as_array().unwrap().len() == n),
                "`{key}` is not {n} by {n}"
            );
        }
    }
    let mut changes = common_changes(
        &["format", "reading", "obligations", "regimes", "agreement", "bridged", "accords", "weights"],
        &["/regimes/0", "/weights/0"],
        Some("accord.matrix/1"),
    );
    changes.extend([
        set("/agreement/0", "0", json!(2.0)),
        set("/agreement/0", "1", json!("0.5")),
        set("", "agreement", json!("x")),
        set("", "bridged", json!([1.0])),
        set("", "regimes", json!([])),
        set("", "obligations", json!("no")),
        set("", "accords", json!([1])),
        remove("/regimes/0", "hash"),
    ]);
    assert_refused("accord.matrix", &documents[0], &changes);
}

/// Every standard regime, compared with every other (the slowest document here, some seconds
/// in a debug build).
#[test]
fn the_matrix_of_every_standard_regime_validates() {
    let documents = validated("accord.matrix", &[(&["matrix", "--format", "json"], &[0])]);
    assert!(documents[0]["regimes"].as_array().unwrap().len() >= 16);
}

#[test]
fn test_results_validate_and_broken_ones_are_refused() {
    let dir = scratch("test");
    let examples = file(&dir, "examples.accord", EXAMPLES);
    let no_default = file(&dir, "no_default.accord", NO_DEFAULT);
    let documents = validated(
        "accord.test",
        &[
            (&["test", &examples, "--format", "json"], &[1]),
            (&["test", &examples, "--format", "json", "--coverage"], &[1]),
            (&["test", &no_default, "--format", "json", "--coverage"], &[0]),
            (&["test", "examples", "--format", "json", "--coverage"], &[0]),
        ],
    );
    let [plain, covered, ..] = documents.as_slice() else { panic!("four documents") };
    assert_eq!((plain["passed"].clone(), plain["failed"].clone()), (json!(2), json!(2)));
    let problem = first_with(plain, "/examples", "problem");
    assert!(plain.get("coverage").is_none() && covered["coverage"].is_array());
    let mut changes = common_changes(
        &["format", "examples", "passed", "failed"],
        &["/examples/0", "/examples/0/location"],
        Some("accord.test/1"),
    );
    changes.extend([
        set("", "passed", json!("2")),
        set("", "failed", json!(-1)),
        set("/examples/0", "passed", json!("yes")),
        set("/examples/0", "problem", json!("both a decision and a problem")),
        remove("/examples/0", "actual"),
        remove("/examples/0", "decision"),
        remove("/examples/0", "location"),
        set("/examples/0/decision", "format", json!("accord.decision/1")),
        set("/examples/0/decision", "verdict", json!(2)),
    ]);
    assert_refused("accord.test", plain, &changes);
    let at = format!("/examples/{problem}");
    assert_refused(
        "accord.test",
        plain,
        &[set(&at, "passed", json!(true)), set(&at, "actual", json!("permit")), remove(&at, "problem")],
    );
    let row = first_with(covered, "/coverage/0/parts", "witness");
    let part = format!("/coverage/0/parts/{row}");
    assert_refused(
        "accord.test",
        covered,
        &[
            set("/coverage/0", "unexpected", json!(1)),
            set(&part, "unexpected", json!(1)),
            set("/coverage/0", "exact", json!("yes")),
            remove("/coverage/0", "reachable"),
            set(&part, "kind", json!("rule")),
            remove(&part, "row"),
            remove(&part, "expect"),
            set(&part, "reachable", json!(false)),
            set(&part, "row", json!(-1)),
            set("", "coverage", json!({})),
        ],
    );
}

/// `accord check --error-format json PATHS…`.
fn check_args(paths: &[String]) -> Vec<&str> {
    let mut args = vec!["check", "--error-format", "json"];
    args.extend(paths.iter().map(String::as_str));
    args
}

#[test]
fn diagnostics_validate_and_broken_ones_are_refused() {
    let dir = scratch("diagnostics");
    let examples = file(&dir, "examples.accord", EXAMPLES);
    let no_default = file(&dir, "no_default.accord", NO_DEFAULT);
    let typo = file(&dir, "typo.json", r#"{"destinaton":"US","data":["personel"]}"#);
    let missing = dir.join("missing.accord");
    let missing = missing.to_str().unwrap();
    let cases = |folder: &str| -> Vec<String> {
        let mut paths: Vec<String> = std::fs::read_dir(root().join("tests/ui").join(folder))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "accord"))
            .map(|path| path.to_str().unwrap().to_owned())
            .collect();
        paths.sort();
        paths
    };
    let (check_files, parse_files) = (cases("check"), cases("parse"));
    let (check, parse) = (check_args(&check_files), check_args(&parse_files));
    let documents = validated(
        "accord.diagnostics",
        &[
            (&check, &[1]),
            (&parse, &[1]),
            (&["check", &examples, &no_default, "--error-format", "json"], &[0]),
            (&["check", missing, "--error-format", "json"], &[1]),
            (&["eval", "nosuch", "--scenario", &typo, "--error-format", "json"], &[1]),
            (&["eval", "cn", "--bogus", "--error-format", "json"], &[2]),
            (&["eval", "cn", "--scenario", &typo, "--error-format", "json"], &[1]),
            (
                &[
                    "diff",
                    "cn",
                    "eu",
                    "--given",
                    r#"{"destinaton": "US"}"#,
                    "--format",
                    "json",
                    "--error-format",
                    "json",
                ],
                &[2],
            ),
            (&["corridor", "jp", &no_default, "--format", "json", "--error-format", "json"], &[1]),
            (&["test", missing, "--format", "json"], &[1]),
            (&["test", "tests/ui/check/outside_domain.accord", "--format", "json"], &[1]),
        ],
    );
    let all: Vec<&Value> = documents.iter().flat_map(|d| d["diagnostics"].as_array().unwrap()).collect();
    for severity in ["error", "warning", "info"] {
        assert!(all.iter().any(|d| d["severity"] == severity), "no diagnostic of severity {severity}");
    }
    for code in ["C0001", "C0002", "C0003"] {
        assert!(all.iter().any(|d| d["code"] == code), "no diagnostic {code}");
    }
    assert!(
        all.iter().any(|d| d.get("fix").is_some()) && all.iter().any(|d| !d["notes"].as_array().unwrap().is_empty())
    );
    assert!(
        documents[0]["summary"]["files"].is_u64() && documents[10]["summary"]["files"].is_u64(),
        "rule files were read"
    );
    assert!(documents[4]["summary"].get("files").is_none(), "no rule file was read, yet `files` is given");
    let good = &documents[0];
    let fixed = first_with(good, "/diagnostics", "fix");
    let at = format!("/diagnostics/{fixed}");
    let fix = format!("{at}/fix");
    let other_severity = if good["diagnostics"][fixed]["severity"] == "error" { "warning" } else { "error" };
    let mut changes = common_changes(
        &["format", "diagnostics", "summary"],
        &["/summary", &at, &fix, "/diagnostics/0/span", "/diagnostics/0/labels/0"],
        Some("accord.diagnostics/1"),
    );
    changes.extend([
        remove(&at, "severity"),
        remove(&at, "code"),
        remove(&at, "message"),
        remove(&at, "span"),
        remove(&at, "labels"),
        remove(&at, "help"),
        remove(&at, "notes"),
        remove(&fix, "replacement"),
        set(&at, "severity", json!("fatal")),
        set(&at, "severity", json!(2)),
        set(&at, "severity", json!(other_severity)),
        set(&at, "code", json!("E101")),
        set(&at, "code", json!("Z0001")),
        set(&at, "code", json!("C0001")),
        set(&at, "span", json!("here")),
        set(&at, "span", Value::Null),
        set(&at, "labels", json!([])),
        set(&at, "help", json!(3)),
        set(&at, "notes", json!("a note")),
        set("/diagnostics/0/span", "line", json!(0)),
        set("/diagnostics/0/span", "start", json!(-1)),
        set("/summary", "errors", json!("1")),
        remove("/summary", "errors"),
    ]);
    assert_refused("accord.diagnostics", good, &changes);
    let command = &documents[6];
    assert_refused(
        "accord.diagnostics",
        command,
        &[
            set("/diagnostics/0", "span", good["diagnostics"][0]["span"].clone()),
            set("/diagnostics/0", "severity", json!("warning")),
            set("/diagnostics/0", "code", json!("C02")),
            set("/summary", "files", json!(-1)),
        ],
    );
}

#[test]
fn formatting_reports_validate_and_broken_ones_are_refused() {
    let dir = scratch("fmt");
    let clean = file(&dir, "clean.accord", NO_DEFAULT);
    accord(&["fmt", &clean], &[0]);
    file(&dir, "messy.accord", &EXAMPLES.replace("\n  rule", "\n      rule"));
    file(
        &dir,
        "broken.accord",
        "regime broken \"Broken\" {\n  home SG\n  rule r \"R\" cite \"B\"\n    when data has health\n  default permit\n}\n",
    );
    let folder = dir.to_str().unwrap();
    let documents = validated(
        "accord.fmt",
        &[
            (&["fmt", folder, "--check", "--error-format", "json"], &[1]),
            (&["fmt", &clean, "--check", "--error-format", "json"], &[0]),
        ],
    );
    let good = &documents[0];
    assert_eq!(good["changed"].as_array().unwrap().len(), 1, "{good}");
    assert!(!good["diagnostics"].as_array().unwrap().is_empty(), "{good}");
    let mut changes = common_changes(
        &["format", "changed", "unchanged", "diagnostics"],
        &["/diagnostics/0", "/diagnostics/0/span"],
        Some("accord.fmt/1"),
    );
    changes.extend([
        set("", "unchanged", json!("1")),
        set("", "unchanged", json!(-1)),
        set("", "changed", json!("messy.accord")),
        set("", "changed", json!([1])),
        set("/diagnostics/0", "severity", json!("bad")),
        set("", "summary", json!({"errors": 1, "warnings": 0, "notes": 0})),
    ]);
    assert_refused("accord.fmt", good, &changes);
}

/// Every document's schema under `schema/`, by format id without `/1`; the table's is tested by
/// `tests/schema.rs`, the others here.
const DOCUMENTS: &[&str] = &[
    "accord.decision",
    "accord.explanation",
    "accord.batch",
    "accord.diff",
    "accord.inventory",
    "accord.corridor",
    "accord.matrix",
    "accord.test",
    "accord.diagnostics",
    "accord.fmt",
];

/// The definitions a report of regions (a diff, a corridor) copies from the table schema: a
/// region's cells, the rules' places and citations, the weights.
const REGION_DEFS: &[&str] = &[
    "name",
    "date",
    "location",
    "cite",
    "share",
    "cells",
    "cell",
    "boolCell",
    "enumCell",
    "setCell",
    "countsCell",
    "countRange",
    "datesCell",
    "dateRange",
    "weight",
    "shares",
];

/// The definitions each schema copies from the table schema, by the name they have there (or, for
/// `established`, the place in the table schema's `relations`); a diff also copies `column`.
const FROM_THE_TABLE: &[(&str, &[&[&str]])] = &[
    ("accord.decision", &[&["name"]]),
    ("accord.explanation", &[&["name", "cite", "established"]]),
    ("accord.batch", &[&["name"]]),
    ("accord.diff", &[REGION_DEFS, &["column"]]),
    ("accord.inventory", &[&["name", "date", "share"]]),
    ("accord.corridor", &[REGION_DEFS]),
    ("accord.matrix", &[&["name", "date", "share", "weight", "shares"]]),
    ("accord.test", &[&["name", "location"]]),
];

#[test]
fn definitions_copied_from_the_table_schema_are_the_same_text() {
    let table = schema("accord.table");
    for (id, names) in FROM_THE_TABLE {
        let schema = schema(id);
        for name in names.iter().copied().flatten() {
            let original = match *name {
                "established" => &table["$defs"]["relations"]["properties"]["established"]["items"],
                _ => &table["$defs"][name],
            };
            assert!(original.is_object(), "the table schema has no `{name}`");
            assert_eq!(&schema["$defs"][name], original, "{id}: `$defs/{name}` differs from the table schema's");
        }
    }
}

/// A definition's name means one thing under `schema/`: wherever two schemas define it, the text
/// is the same (a decision, a side of a comparison, a diagnostic, …), so that a change made to
/// one copy is made to all.
#[test]
fn a_definition_is_the_same_in_every_schema_that_has_it() {
    let mut seen: std::collections::BTreeMap<String, (&str, Value)> = std::collections::BTreeMap::new();
    for id in DOCUMENTS.iter().chain(&["accord.table"]) {
        let schema = schema(id);
        for (name, definition) in schema["$defs"].as_object().unwrap() {
            match seen.get(name) {
                Some((first, text)) => assert_eq!(definition, text, "`$defs/{name}` differs between {first} and {id}"),
                None => _ = seen.insert(name.clone(), (*id, definition.clone())),
            }
        }
    }
    // Every `$ref` resolves within its own schema: each file stands alone.
    for id in DOCUMENTS {
        let schema = schema(id);
        let mut refs = Vec::new();
        collect_refs(&schema, &mut refs);
        for target in refs {
            let pointer =
                target.strip_prefix('#').unwrap_or_else(|| panic!("{id}: `{target}` points outside the file"));
            assert!(schema.pointer(pointer).is_some(), "{id}: `{target}` resolves to nothing");
        }
    }
}

fn collect_refs(value: &Value, refs: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, item) in map {
                match (key.as_str(), item) {
                    ("$ref", Value::String(target)) => refs.push(target.clone()),
                    _ => collect_refs(item, refs),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, refs)),
        _ => {}
    }
}

#[test]
fn every_schema_is_tested_and_documented() {
    let readme = std::fs::read_to_string(root().join("schema/README.md")).unwrap();
    let mut found: Vec<String> = std::fs::read_dir(root().join("schema"))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_str().unwrap().to_owned())
        .filter(|name| name != "README.md")
        .collect();
    found.sort();
    let mut tested: Vec<String> =
        DOCUMENTS.iter().chain(&["accord.table"]).map(|id| format!("{id}.schema.json")).collect();
    tested.sort();
    assert_eq!(found, tested, "every file under schema/ is a schema some test validates real documents against");
    for id in DOCUMENTS.iter().chain(&["accord.table"]) {
        assert!(readme.contains(&format!("`{id}/1`")), "schema/README.md does not describe `{id}/1`");
    }
}
