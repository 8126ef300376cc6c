//! The compiled table format, `accord.table/1`, against its published JSON Schema
//! (`schema/accord.table.schema.json`): every table Accord compiles (the tutorial, every standard
//! regime, and small regimes written here to reach every cell kind and outcome) validates; the
//! JSON reads back into the same table byte for byte; compiling is deterministic and the hash is
//! what the schema says it is; `Table::from_json` refuses unknown fields and other formats; and the
//! schema refuses broken documents, so that a schema that accepted anything would fail here.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::check::{self, ir::RegimeId};
use accord::compile;
use accord::date::Date;
use accord::eval::Scenario;
use accord::source::{Loaded, MemoryLoader};
use accord::stdlib;
use accord::table::{Cell, FORMAT, Outcome, Table};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn schema() -> Value {
    let text = std::fs::read_to_string(root().join("schema/accord.table.schema.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::options().should_validate_formats(true).build(&schema()).unwrap()
}

/// Every cell kind and outcome shape: bool, enum, set with `has`, `lacks` and both, counts with
/// and without an upper bound, dates with either end open, several `require` groups, prohibit,
/// obligations, a source, a default.
const EVERY_CELL: &str = r#"regime every_cell "Every cell kind" {
  home SG
  source "https://example.org/every-cell"

  rule negative_list "Data on the negative list stays" cite "EC s1"
    when on_ftz_negative_list
    then prohibit

  rule bulk "Bulk transfers need an assessment and a contract" cite "EC s2(a)", "EC s2(b)"
    effective 2024-03-22..2026-06-01
    when individuals_ytd in 100_000..1_000_000 or sensitive_individuals_ytd >= 10_000
    then require cn_security_assessment and require cn_standard_contract or cn_certification

  rule health "Health data, but not core data, to North America" cite "EC s3"
    when destination in {US, CA} and data has health and not (data has core)
    then require explicit_consent

  rule old "Before 2020 everything else was free" cite "EC s4"
    when date < 2020-01-01 and not (exporter has ciio)
    then permit

  oblige pipia "Impact assessment for personal data" cite "EC s5"
    when data has personal
  oblige record_of_transfers "Records for collected-abroad data" cite "EC s6"
    when data_collected_abroad == false and individuals_ytd < 10

  default permit
}
"#;

/// No `default` and no `source` (both left out of the JSON), an unconditional-looking rule, a
/// `!=` (a large `in` cell) and a regime with no obligations.
const NO_DEFAULT: &str = include_str!("cases/no_default.accord");

/// A user-declared enum and fact, and a set member that is effective only for a while.
const USER_FACTS: &str = r#"enum Tier {
  gold "Gold"
  silver "Silver"
  bronze "Bronze"
}

facts {
  tier: Tier
}

set WINDOW: Jurisdiction = { CH, JP effective 2019-01-23..2030-01-01 }

regime user_facts "User facts" {
  home {DE, FR}
  rule gold "Gold tier is prohibited" cite "UF 1" when tier == gold then prohibit
  rule window "Adequate destinations" cite "UF 2" when destination in WINDOW then permit
  oblige pipia "Assess" cite "UF 3" when tier in {silver, bronze}
  default require eu_scc
}
"#;

/// Compiles every regime declared in `root` (other files are found through `files`).
fn compile_file(root_name: &str, text: &str, files: &[(&str, &str)]) -> Vec<Table> {
    let mut loader = MemoryLoader::default();
    for (name, text) in files {
        loader.files.insert((*name).to_owned(), (*text).to_owned());
    }
    let loaded = Loaded { key: root_name.to_owned(), name: root_name.to_owned(), bytes: text.as_bytes().to_vec() };
    let checked = check::check(vec![loaded], &mut loader).unwrap();
    assert!(
        !checked.has_errors(),
        "{root_name} does not check:\n{}",
        accord::diagnostics::render_human(&checked.diagnostics, &checked.sources)
    );
    let tables: Vec<Table> = checked
        .program
        .regimes
        .iter()
        .enumerate()
        .filter(|(_, r)| checked.sources.get(r.span.file).is_some_and(|f| f.name == root_name))
        .map(|(i, _)| {
            let id = RegimeId(u32::try_from(i).unwrap());
            compile::compile(&checked.program, id, &checked.sources)
                .unwrap_or_else(|d| panic!("{root_name} does not compile: {d:?}"))
        })
        .collect();
    assert!(!tables.is_empty(), "{root_name} declares no regime");
    tables
}

fn tutorial() -> Vec<Table> {
    let read = |name: &str| std::fs::read_to_string(root().join(name)).unwrap();
    let tutorial = read("examples/tutorial.accord");
    let sensitive = read("examples/sensitive.accord");
    compile_file("examples/tutorial.accord", &tutorial, &[("examples/sensitive.accord", &sensitive)])
}

/// Every standard regime (there may be none yet).
fn standard() -> Vec<Table> {
    stdlib::REGIMES
        .iter()
        .flat_map(|m| compile_file(&stdlib::regime_display_name(m.name), m.text, &[]))
        .collect::<Vec<_>>()
}

fn extra() -> Vec<Table> {
    [("every_cell.accord", EVERY_CELL), ("no_default.accord", NO_DEFAULT), ("user_facts.accord", USER_FACTS)]
        .iter()
        .flat_map(|(name, text)| compile_file(name, text, &[]))
        .collect()
}

fn all_tables() -> Vec<Table> {
    let mut tables = tutorial();
    let standard = standard();
    assert_eq!(standard.len(), stdlib::REGIMES.len(), "each standard regime file declares one regime");
    tables.extend(standard);
    tables.extend(extra());
    tables
}

fn schema_errors(validator: &jsonschema::Validator, document: &Value) -> Vec<String> {
    validator.iter_errors(document).map(|e| format!("at `{}`: {e}", e.instance_path)).collect()
}

#[test]
fn the_schema_is_a_valid_draft_2020_12_schema() {
    let schema = schema();
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("schema/accord.table.schema.json is not a valid 2020-12 schema: {e}");
    }
}

#[test]
fn every_property_of_the_schema_has_a_title_and_a_description() {
    fn walk(node: &Value, path: &str, missing: &mut Vec<String>) {
        match node {
            Value::Object(map) => {
                if let Some(Value::Object(properties)) = map.get("properties") {
                    for (name, property) in properties {
                        if property.get("title").is_none() || property.get("description").is_none() {
                            missing.push(format!("{path}/properties/{name}"));
                        }
                    }
                }
                for (key, child) in map {
                    walk(child, &format!("{path}/{key}"), missing);
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(child, &format!("{path}/{i}"), missing);
                }
            }
            _ => {}
        }
    }
    let mut missing = Vec::new();
    walk(&schema(), "", &mut missing);
    assert!(missing.is_empty(), "properties without a title or description: {missing:#?}");
}

#[test]
fn every_compiled_table_validates_against_the_schema() {
    let validator = validator();
    for table in all_tables() {
        let document: Value = serde_json::from_str(&table.to_json()).unwrap();
        let errors = schema_errors(&validator, &document);
        assert!(errors.is_empty(), "the table of `{}` does not validate:\n{}", table.regime, errors.join("\n"));
    }
}

/// The small regimes really do reach every shape the schema describes, so the validation above
/// covers them all.
#[test]
fn the_extra_regimes_cover_every_cell_kind_and_outcome() {
    let tables = extra();
    let mut seen = std::collections::BTreeSet::new();
    for table in &tables {
        seen.insert(if table.default.is_some() { "default" } else { "no default" });
        seen.insert(if table.source.is_some() { "source" } else { "no source" });
        if !table.obligations.is_empty() {
            seen.insert("obligations");
        }
        let cells = table
            .rows
            .iter()
            .flat_map(|r| r.cells.values())
            .chain(table.obligations.iter().flat_map(|o| o.cells.values()));
        for cell in cells {
            seen.insert(match cell {
                Cell::Bool { is: true } => "bool true",
                Cell::Bool { is: false } => "bool false",
                Cell::Enum { .. } => "enum",
                Cell::Set { has, lacks } if lacks.is_empty() => {
                    assert!(!has.is_empty(), "an empty set cell in `{}`", table.regime);
                    "set has"
                }
                Cell::Set { has, .. } if has.is_empty() => "set lacks",
                Cell::Set { .. } => "set has and lacks",
                Cell::Counts { counts } if counts.iter().any(|r| r.until.is_none()) => "counts unbounded",
                Cell::Counts { .. } => "counts bounded",
                Cell::Dates { dates } if dates.iter().any(|r| r.from.is_none()) => "dates open start",
                Cell::Dates { dates } if dates.iter().any(|r| r.until.is_none()) => "dates open end",
                Cell::Dates { .. } => "dates closed",
            });
        }
        for outcome in table.rows.iter().map(|r| &r.outcome).chain(table.default.as_ref()) {
            seen.insert(match outcome {
                Outcome::Permit => "permit",
                Outcome::Prohibit => "prohibit",
                Outcome::Require { require, .. } if require.len() > 1 => "require several groups",
                Outcome::Require { require, .. } if require.iter().any(|g| g.len() > 1) => "require alternatives",
                Outcome::Require { .. } => "require one",
            });
        }
    }
    let expected = [
        "default",
        "no default",
        "source",
        "no source",
        "obligations",
        "bool true",
        "bool false",
        "enum",
        "set has",
        "set lacks",
        "set has and lacks",
        "counts unbounded",
        "counts bounded",
        "dates open start",
        "dates open end",
        "dates closed",
        "permit",
        "prohibit",
        "require several groups",
        "require alternatives",
        "require one",
    ];
    let missing: Vec<&str> = expected.iter().copied().filter(|e| !seen.contains(e)).collect();
    assert!(missing.is_empty(), "the extra regimes no longer produce: {missing:?} (seen: {seen:?})");
}

#[test]
fn the_json_reads_back_into_the_same_table() {
    for table in all_tables() {
        let json = table.to_json();
        let read = Table::from_json(&json).unwrap_or_else(|e| panic!("`{}` does not read back: {e}", table.regime));
        let again = read.to_json();
        if again != json {
            let line = json.lines().zip(again.lines()).position(|(a, b)| a != b).unwrap_or(0);
            panic!(
                "`{}` does not re-serialise identically; first difference at line {}:\n  written: {}\n  re-read: {}",
                table.regime,
                line + 1,
                json.lines().nth(line).unwrap_or("<end>"),
                again.lines().nth(line).unwrap_or("<end>"),
            );
        }
        assert_eq!(read.rows, table.rows, "`{}`: rows differ after reading back", table.regime);
        assert_eq!(read.obligations, table.obligations, "`{}`: obligations differ after reading back", table.regime);
    }
}

#[test]
fn a_count_cell_reads_back_as_a_count_cell() {
    let cell: Cell = serde_json::from_value(json!({"counts": [{"from": 10, "until": null}]})).unwrap();
    assert!(matches!(cell, Cell::Counts { .. }), "{{\"counts\": …}} was read as {cell:?}");
    let cell: Cell = serde_json::from_value(json!({"dates": [{"from": null, "until": "2024-01-01"}]})).unwrap();
    assert!(matches!(cell, Cell::Dates { .. }), "{{\"dates\": …}} was read as {cell:?}");
}

/// What reading back is for: a table read from its JSON decides exactly as the compiled one.
#[test]
fn a_table_read_back_decides_like_the_original() {
    let today = Date::parse("2026-01-01").unwrap();
    let scenarios = [
        concat!(
            r#"{"origin": "SG", "destination": "DE", "data": ["personal"], "individuals_ytd": 150000, "#,
            r#""date": "2025-06-01"}"#
        ),
        r#"{"origin": "SG", "destination": "DE", "sensitive_individuals_ytd": 20000, "date": "2025-06-01"}"#,
        r#"{"origin": "SG", "destination": "US", "data": ["health"], "date": "2019-06-01"}"#,
        r#"{"origin": "SG", "destination": "DE", "date": "2019-06-01", "exporter": ["ciio"]}"#,
        r#"{"origin": "SG", "destination": "DE", "on_ftz_negative_list": true}"#,
    ];
    let original = compile_file("every_cell.accord", EVERY_CELL, &[]).remove(0);
    let read = Table::from_json(&original.to_json()).unwrap();
    for text in scenarios {
        let decide = |table: &Table| {
            let scenario = Scenario::from_json(table, text, today).unwrap();
            let decision = table.evaluate(&scenario);
            (decision.verdict, decision.rule, decision.require, decision.obligations)
        };
        assert_eq!(decide(&read), decide(&original), "the read-back table decides {text} differently");
    }
}

#[test]
fn compiling_is_deterministic() {
    let first: Vec<String> = all_tables().iter().map(Table::to_json).collect();
    let second: Vec<String> = all_tables().iter().map(Table::to_json).collect();
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert!(a == b, "two compilations of the same regime differ");
    }
}

#[test]
fn the_hash_is_the_sha256_of_the_document_without_its_hash() {
    for table in all_tables() {
        // As the schema says: `hash` empty, and in every `location` the file empty and the
        // line and column 0.
        let mut unhashed: Value = serde_json::from_str(&table.to_json()).unwrap();
        unhashed["hash"] = json!("");
        for list in ["rows", "obligations"] {
            for row in unhashed[list].as_array_mut().unwrap() {
                row["location"] = json!({ "file": "", "line": 0, "column": 0 });
            }
        }
        let unhashed = Table::from_json(&unhashed.to_string()).unwrap();
        let digest = Sha256::digest(unhashed.to_json().as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(table.hash, format!("sha256:{hex}"), "`{}`", table.regime);
    }
    // …and it depends on the content: a different title is a different hash.
    let a = compile_file("a.accord", EVERY_CELL, &[]);
    let b = compile_file("a.accord", &EVERY_CELL.replace("Every cell kind", "Every cell kind, renamed"), &[]);
    assert_ne!(a[0].hash, b[0].hash);
}

/// The hash is of what a table says and decides, not of how its file is laid out: every
/// standard regime and the tutorial, indented further, after a comment and blank lines (so every
/// location moves), and under another file name, hashes as it did; its tables differ only in
/// their locations. A changed citation is a changed hash.
#[test]
fn the_hash_does_not_change_with_layout() {
    let relaid = |text: &str| {
        let indented: Vec<String> =
            text.lines().map(|l| if l.is_empty() { String::new() } else { format!("  {l}") }).collect();
        format!("// Laid out otherwise.\n\n\n{}\n", indented.join("\n"))
    };
    let mut files: Vec<(String, String)> =
        stdlib::REGIMES.iter().map(|m| (stdlib::regime_display_name(m.name), m.text.to_owned())).collect();
    files.push((
        "examples/tutorial.accord".to_owned(),
        std::fs::read_to_string(root().join("examples/tutorial.accord")).unwrap(),
    ));
    let sensitive = std::fs::read_to_string(root().join("examples/sensitive.accord")).unwrap();
    for (name, text) in &files {
        let imports =
            [("examples/sensitive.accord", sensitive.as_str()), ("elsewhere/sensitive.accord", sensitive.as_str())];
        let before = compile_file(name, text, &imports);
        let after = compile_file("elsewhere/renamed.accord", &relaid(text), &imports);
        assert_eq!(before.len(), after.len(), "{name}");
        for (b, a) in before.iter().zip(&after) {
            assert_eq!(b.hash, a.hash, "{name}: `{}` hashes otherwise once laid out otherwise", b.regime);
            assert_ne!(
                b.rows.first().map(|r| &r.location),
                a.rows.first().map(|r| &r.location),
                "{name}: nothing moved"
            );
            let strip = |t: &Table| {
                let mut v: Value = serde_json::from_str(&t.to_json()).unwrap();
                for list in ["rows", "obligations"] {
                    v[list].as_array_mut().unwrap().iter_mut().for_each(|r| r["location"] = Value::Null);
                }
                v
            };
            assert_eq!(strip(b), strip(a), "{name}: the tables differ in more than their locations");
        }
    }
    let tables = compile_file("a.accord", EVERY_CELL, &[]);
    let first_cite = tables[0].rows[0].cite[0].clone();
    let recited = compile_file("a.accord", &EVERY_CELL.replacen(&first_cite, &format!("{first_cite}(1)"), 1), &[]);
    assert_ne!(tables[0].hash, recited[0].hash);
}

/// One way of breaking a valid document.
type Breaker = Box<dyn Fn(&mut Value)>;

/// A valid document to break: the every-cell table, as JSON.
/// The first row of `sample` that a requirement met by facts makes a `permit`.
fn met_row(d: &Value) -> usize {
    d["rows"].as_array().unwrap().iter().position(|r| r.get("met").is_some()).expect("a row met by facts")
}

fn sample() -> Value {
    serde_json::from_str(&compile_file("every_cell.accord", EVERY_CELL, &[])[0].to_json()).unwrap()
}

#[test]
fn reading_refuses_unknown_fields_and_other_formats() {
    let good = sample();
    assert!(Table::from_json(&good.to_string()).is_ok());
    let cases: Vec<(&str, Breaker)> = vec![
        ("a top-level key", Box::new(|d| d["comment"] = json!("hello"))),
        ("a key in scope", Box::new(|d| d["scope"]["extra"] = json!(1))),
        ("a key in a column", Box::new(|d| d["columns"][0]["extra"] = json!(1))),
        ("a key in a row", Box::new(|d| d["rows"][0]["extra"] = json!(1))),
        ("a key in a location", Box::new(|d| d["rows"][0]["location"]["extra"] = json!(1))),
        ("a key in an obligation row", Box::new(|d| d["obligations"][0]["extra"] = json!(1))),
        ("a key in an outcome", Box::new(|d| d["rows"][0]["outcome"]["extra"] = json!(1))),
        ("a key in the default", Box::new(|d| d["default"]["extra"] = json!(1))),
        ("a key in the relations", Box::new(|d| d["relations"]["extra"] = json!(1))),
        ("a key in an implication", Box::new(|d| d["relations"]["implies"][0]["extra"] = json!(1))),
        ("a key in a strength pair", Box::new(|d| d["relations"]["stronger"][0]["extra"] = json!(1))),
        (
            "a key in a met requirement",
            Box::new(|d| {
                let row = met_row(d);
                d["rows"][row]["met"]["extra"] = json!(1);
            }),
        ),
        ("a key in a count range", Box::new(|d| d["rows"][1]["cells"]["individuals_ytd"]["counts"][0]["x"] = json!(1))),
        ("a key in a date range", Box::new(|d| d["rows"][1]["cells"]["date"]["dates"][0]["x"] = json!(1))),
        ("a key in a bool cell", Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"]["x"] = json!(1))),
        ("an empty cell", Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"] = json!({}))),
        (
            "a cell of no known kind",
            Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"] = json!({"between": [1, 2]})),
        ),
        ("a column type", Box::new(|d| d["columns"][0]["type"] = json!("string"))),
        ("a verdict", Box::new(|d| d["rows"][0]["outcome"]["verdict"] = json!("out_of_scope"))),
        ("format accord.table/2", Box::new(|d| d["format"] = json!("accord.table/2"))),
        ("format accord.table/0", Box::new(|d| d["format"] = json!("accord.table/0"))),
        ("an empty format", Box::new(|d| d["format"] = json!(""))),
        ("no format", Box::new(|d| _ = d.as_object_mut().unwrap().remove("format"))),
        ("no hash", Box::new(|d| _ = d.as_object_mut().unwrap().remove("hash"))),
    ];
    let mut accepted = Vec::new();
    for (what, break_it) in cases {
        let mut document = good.clone();
        break_it(&mut document);
        assert_ne!(document, good, "the case `{what}` changed nothing");
        if Table::from_json(&document.to_string()).is_ok() {
            accepted.push(what);
        }
    }
    assert!(accepted.is_empty(), "Table::from_json accepts: {accepted:?}");
    let mut other = good;
    other["format"] = json!("accord.table/2");
    let error = Table::from_json(&other.to_string()).unwrap_err();
    assert!(error.contains("accord.table/2") && error.contains(FORMAT), "unhelpful error: {error}");
}

#[test]
fn the_schema_refuses_broken_documents() {
    let validator = validator();
    let good = sample();
    assert!(schema_errors(&validator, &good).is_empty(), "the sample itself must validate");
    // Row 0 tests a bool, row 1 dates and counts, row 3 (`health`) an enum and a set.
    let cases: Vec<(&str, Breaker)> = vec![
        ("another format", Box::new(|d| d["format"] = json!("accord.table/2"))),
        ("no format", Box::new(|d| _ = d.as_object_mut().unwrap().remove("format"))),
        ("no hash", Box::new(|d| _ = d.as_object_mut().unwrap().remove("hash"))),
        ("no rows", Box::new(|d| _ = d.as_object_mut().unwrap().remove("rows"))),
        ("no vocabulary", Box::new(|d| _ = d.as_object_mut().unwrap().remove("vocabulary"))),
        ("a hash in upper case", Box::new(|d| d["hash"] = json!(d["hash"].as_str().unwrap().to_uppercase()))),
        ("a md5 hash", Box::new(|d| d["hash"] = json!("md5:d41d8cd98f00b204e9800998ecf8427e"))),
        ("an empty hash", Box::new(|d| d["hash"] = json!(""))),
        ("an unknown top-level key", Box::new(|d| d["comment"] = json!("hello"))),
        ("an implication of nothing", Box::new(|d| d["relations"]["implies"][0]["implies"] = json!([]))),
        ("a strength pair without orders", Box::new(|d| d["relations"]["stronger"][0]["orders"] = json!([]))),
        ("a family without members", Box::new(|d| d["relations"]["families"][0]["members"] = json!([]))),
        ("a weight above 1", Box::new(|d| d["weights"][0]["shares"] = json!({"kind": "bool", "true_share": 1.5}))),
        ("weights of no kind", Box::new(|d| d["weights"][0]["shares"] = json!({"kind": "normal", "mean": 3}))),
        ("weights without a citation", Box::new(|d| d["weights"][0]["cite"] = json!([]))),
        ("an empty band list", Box::new(|d| d["weights"][0]["shares"] = json!({"kind": "counts", "bands": []}))),
        (
            "a met requirement without `by`",
            Box::new(|d| {
                let row = met_row(d);
                _ = d["rows"][row]["met"].as_object_mut().unwrap().remove("by");
            }),
        ),
        ("home as a string", Box::new(|d| d["home"] = json!("SG"))),
        ("a column type `string`", Box::new(|d| d["columns"][0]["type"] = json!("string"))),
        ("a column without a type", Box::new(|d| _ = d["columns"][0].as_object_mut().unwrap().remove("type"))),
        ("a domain on a date column", Box::new(|d| d["vocabulary"][0]["domain"] = json!(["x"]))),
        ("an empty domain", Box::new(|d| d["vocabulary"][1]["domain"] = json!([]))),
        (
            "a bool cell holding a string",
            Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"] = json!({"is": "yes"})),
        ),
        ("an empty cell", Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"] = json!({}))),
        (
            "a cell of two kinds",
            Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"] = json!({"is": true, "in": ["a"]})),
        ),
        ("a cell with an extra key", Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"]["not"] = json!(true))),
        ("an empty enum cell", Box::new(|d| d["rows"][3]["cells"]["destination"] = json!({"in": []}))),
        (
            "an enum cell naming a member twice",
            Box::new(|d| d["rows"][3]["cells"]["destination"] = json!({"in": ["US", "US"]})),
        ),
        ("an empty `has`", Box::new(|d| d["rows"][3]["cells"]["data"]["has"] = json!([]))),
        ("`lacks` holding a number", Box::new(|d| d["rows"][3]["cells"]["data"]["lacks"] = json!([1]))),
        ("a negative count", Box::new(|d| d["rows"][1]["cells"]["individuals_ytd"]["counts"][0]["from"] = json!(-1))),
        (
            "a fractional count",
            Box::new(|d| d["rows"][1]["cells"]["individuals_ytd"]["counts"][0]["from"] = json!(1.5)),
        ),
        (
            "a count range without `until`",
            Box::new(|d| {
                _ = d["rows"][1]["cells"]["individuals_ytd"]["counts"][0].as_object_mut().unwrap().remove("until")
            }),
        ),
        (
            "a count given as a string",
            Box::new(|d| d["rows"][1]["cells"]["individuals_ytd"]["counts"][0]["until"] = json!("1000000")),
        ),
        ("no count ranges", Box::new(|d| d["rows"][1]["cells"]["individuals_ytd"]["counts"] = json!([]))),
        (
            "a date without zero padding",
            Box::new(|d| d["rows"][1]["cells"]["date"]["dates"][0]["from"] = json!("2024-3-22")),
        ),
        (
            "a date with a time",
            Box::new(|d| d["rows"][1]["cells"]["date"]["dates"][0]["from"] = json!("2024-03-22T00:00:00Z")),
        ),
        ("month 13", Box::new(|d| d["rows"][1]["cells"]["date"]["dates"][0]["until"] = json!("2026-13-01"))),
        ("a date as a number", Box::new(|d| d["rows"][1]["cells"]["date"]["dates"][0]["until"] = json!(20260601))),
        ("verdict out_of_scope", Box::new(|d| d["rows"][0]["outcome"] = json!({"verdict": "out_of_scope"}))),
        ("require without groups", Box::new(|d| d["rows"][1]["outcome"]["require"] = json!([]))),
        ("an empty require group", Box::new(|d| d["rows"][1]["outcome"]["require"] = json!([[]]))),
        ("require as a flat list", Box::new(|d| d["rows"][1]["outcome"]["require"] = json!(["eu_scc"]))),
        ("require without its groups", Box::new(|d| d["rows"][1]["outcome"] = json!({"verdict": "require"}))),
        (
            "permit with groups",
            Box::new(|d| d["rows"][0]["outcome"] = json!({"verdict": "permit", "require": [["eu_scc"]]})),
        ),
        ("an outcome without a verdict", Box::new(|d| d["default"] = json!({}))),
        ("a row without citations", Box::new(|d| d["rows"][0]["cite"] = json!([]))),
        ("a row without a rule", Box::new(|d| _ = d["rows"][0].as_object_mut().unwrap().remove("rule"))),
        ("a row without cells", Box::new(|d| _ = d["rows"][0].as_object_mut().unwrap().remove("cells"))),
        ("line 0", Box::new(|d| d["rows"][0]["location"]["line"] = json!(0))),
        (
            "a location without a file",
            Box::new(|d| _ = d["rows"][0]["location"].as_object_mut().unwrap().remove("file")),
        ),
        (
            "an obligation row with an outcome",
            Box::new(|d| d["obligations"][0]["outcome"] = json!({"verdict": "permit"})),
        ),
        (
            "an obligation row without its obligation",
            Box::new(|d| _ = d["obligations"][0].as_object_mut().unwrap().remove("obligation")),
        ),
        ("scope with an extra key", Box::new(|d| d["scope"]["home"] = json!(["SG"]))),
    ];
    let mut accepted = Vec::new();
    for (what, break_it) in cases {
        let mut document = good.clone();
        break_it(&mut document);
        assert_ne!(document, good, "the case `{what}` changed nothing");
        if schema_errors(&validator, &document).is_empty() {
            accepted.push(what);
        }
    }
    assert!(accepted.is_empty(), "the schema accepts broken documents: {accepted:?}");
}

/// What the type cannot say and the evaluator relies on: a table that breaks it is refused
/// when read, with the breach named, instead of deciding every transfer `out_of_scope` or
/// reading a bad date as an open bound.
#[test]
fn reading_refuses_tables_that_break_the_invariants() {
    let good = sample();
    let cases: Vec<(&str, &str, Breaker)> = vec![
        (
            "the scope's fact `origin`",
            "no origin column",
            Box::new(|d| {
                let vocabulary = d["vocabulary"].as_array_mut().unwrap();
                vocabulary.retain(|c| c["fact"] != "origin");
            }),
        ),
        ("home member `ZZ`", "a home outside the domain", Box::new(|d| d["home"] = json!(["ZZ"]))),
        (
            "`2024-13-45` is not a date",
            "a date that is no day",
            Box::new(|d| d["rows"][1]["cells"]["date"]["dates"][0]["from"] = json!("2024-13-45")),
        ),
        (
            "`nowhere` is not in the domain",
            "a member outside the domain",
            Box::new(|d| d["rows"][3]["cells"]["data"]["has"] = json!(["nowhere"])),
        ),
        (
            "not in the vocabulary",
            "a cell for an unknown fact",
            Box::new(|d| d["rows"][0]["cells"]["planet"] = json!({"is": true})),
        ),
        (
            "not a cell of a",
            "a cell of the wrong kind",
            Box::new(|d| d["rows"][0]["cells"]["on_ftz_negative_list"] = json!({"counts": [{"from": 0, "until": 1}]})),
        ),
    ];
    for (needle, what, break_it) in cases {
        let mut document = good.clone();
        break_it(&mut document);
        assert_ne!(document, good, "the case `{what}` changed nothing");
        match Table::from_json(&document.to_string()) {
            Ok(_) => panic!("Table::from_json accepts {what}"),
            Err(e) => assert!(e.contains(needle), "{what}: {e}"),
        }
    }
    for table in all_tables() {
        table.validate().unwrap_or_else(|e| panic!("`{}` as compiled: {e}", table.regime));
    }
}
