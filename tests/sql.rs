//! The SQL export run on real engines: for every standard regime, the query `accord compile
//! --format sql` writes decides the same random transfers on SQLite, DuckDB (its own dialect,
//! and the standard one) and Spark SQL, and every output column must equal what `accord eval`
//! decides for that transfer, with 0 mismatches. Transfers the evaluator refuses (a misspelt
//! member, a missing destination) must be the rows the query gives a `problem`.
//!
//! The engines come from PyPI (`duckdb`, `pyspark`, with a Java runtime for Spark); `.ci/run`
//! installs them. Without them the tests fail, unless `ACCORD_SKIP_SQL_ENGINES=1` (SQLite and
//! DuckDB) or `ACCORD_SKIP_SPARK=1`, when they say they skipped. `ACCORD_SQL_TRANSFERS` sets
//! how many transfers each regime decides (100,000 unless set).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::date::Date;
use accord::eval::Scenario;
use accord::render::sql::{Dialect, columns_check, read_columns, table_sql, table_sql_on_json_lines};
use accord::table::{Column, ColumnType, Table};
use serde_json::{Map, Value, json};
use std::path::Path;
use std::process::Command;

#[path = "common/python.rs"]
mod python;
#[path = "common/transfers.rs"]
mod transfers;

use python::have;
use transfers::{Candidates, Rng};

fn tables() -> Vec<Table> {
    accord::stdlib::REGIMES
        .iter()
        .map(|m| {
            let name = accord::stdlib::regime_display_name(m.name);
            accord::compile::compile_text(&name, m.text).unwrap().remove(0)
        })
        .collect()
}

/// A random transfer for `table` (with an `id`); about one in a hundred has a misspelt value.
fn transfer(rng: &mut Rng, table: &Table, columns: &[(&Column, Candidates)], id: usize) -> Value {
    let mut object = transfers::transfer(rng, table, columns, &[]);
    object.insert("id".into(), json!(id));
    if rng.chance(1) {
        // A typo the evaluator refuses, where the query must give a `problem`.
        let (c, _) = rng.pick(columns);
        match c.ty {
            ColumnType::Enum => {
                object.insert(c.fact.clone(), json!("XX_NOT_A_MEMBER"));
            }
            ColumnType::Set => {
                object.insert(c.fact.clone(), json!([c.domain[0].to_string(), "not_a_member"]));
            }
            _ => {
                object.remove(&table.scope.destination);
            }
        }
    }
    Value::Object(object)
}

/// What the evaluator decides, in the query's columns (`None`: it refuses the transfer).
fn expected(table: &Table, transfer: &Value, today: Date) -> Option<Map<String, Value>> {
    let mut given = transfer.clone();
    given.as_object_mut().unwrap().remove("id");
    let scenario = Scenario::from_value(table, &given, today).ok()?;
    let decision = table.evaluate(&scenario);
    let mut d = serde_json::to_value(&decision).unwrap().as_object().unwrap().clone();
    let in_scope = decision.verdict != accord::eval::Verdict::OutOfScope;
    d.insert("table_row".into(), json!(decision.row.map(|r| r as i64).or(in_scope.then_some(-1))));
    d.entry("ordered").or_insert(json!([]));
    d.entry("if_chosen").or_insert(json!({}));
    d.entry("satisfied").or_insert(Value::Null);
    d.entry("met_by").or_insert(Value::Null);
    Some(d)
}

const JSON_COLUMNS: [&str; 6] = ["require", "ordered", "obligations", "if_chosen", "cite", "met_by"];

/// A standard regime with its random transfers and what the evaluator decides for each.
struct Case {
    table: Table,
    transfers: Vec<Value>,
    expected: Vec<Option<Map<String, Value>>>,
}

/// The cases, made once and shared by every engine's test.
fn cases() -> &'static [Case] {
    static CASES: std::sync::OnceLock<Vec<Case>> = std::sync::OnceLock::new();
    CASES.get_or_init(|| {
        let n: usize = std::env::var("ACCORD_SQL_TRANSFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
        let today = Date::parse("2026-11-22").unwrap();
        tables()
            .into_iter()
            .enumerate()
            .map(|(i, table)| {
                let columns: Vec<(&Column, Candidates)> = transfers::columns(&table, read_columns(&table));
                let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
                let transfers: Vec<Value> = (0..n).map(|id| transfer(&mut rng, &table, &columns, id)).collect();
                let expected = transfers.iter().map(|t| expected(&table, t, today)).collect();
                Case { table: table.clone(), transfers, expected }
            })
            .collect()
    })
}

/// The harness's layout of `table`'s columns: `id`, then each column the query reads with its
/// type.
fn layout(table: &Table) -> Vec<(String, &'static str)> {
    let mut layout: Vec<(String, &str)> = vec![("id".into(), "id")];
    for c in read_columns(table) {
        let ty = match c.ty {
            ColumnType::Bool => "bool",
            ColumnType::Count => "count",
            ColumnType::Date => "date",
            ColumnType::Enum => "enum",
            ColumnType::Set => "set",
        };
        layout.push((c.fact.clone(), ty));
    }
    layout
}

/// Runs every standard regime's query on `engine` and compares it with the evaluator.
fn check_engine(engine: &str, dialect: Dialect) {
    check_queries(engine, "table", |table, _| table_sql(table, dialect, "transfers").unwrap());
}

/// Runs the query `query` writes for each standard regime (given the file of its transfers)
/// on `engine`, in the harness's `mode`, and compares it with the evaluator.
fn check_queries(engine: &str, mode: &str, query: impl Fn(&Table, &Path) -> String) {
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/sql.py");
    let mut mismatches = Vec::new();
    let mut decided = 0usize;
    let mut refused = 0usize;
    let mut jobs = Vec::new();
    for case in cases() {
        let (table, transfers) = (&case.table, &case.transfers);
        let input = dir.path().join(format!("{}.jsonl", table.regime));
        let lines: Vec<String> = transfers.iter().map(Value::to_string).collect();
        std::fs::write(&input, lines.join("\n") + "\n").unwrap();
        let sql = dir.path().join(format!("{}.sql", table.regime));
        std::fs::write(&sql, query(table, &input)).unwrap();
        let out = dir.path().join(format!("{}.out.jsonl", table.regime));
        jobs.push(json!({"query": sql, "columns": layout(table), "transfers": input, "out": out, "mode": mode}));
    }
    let jobs_path = dir.path().join("jobs.json");
    std::fs::write(&jobs_path, serde_json::to_string(&jobs).unwrap()).unwrap();
    let run = Command::new("python3").arg(&script).arg(engine).arg(&jobs_path).output().unwrap();
    assert!(run.status.success(), "{engine} failed:\n{}", String::from_utf8_lossy(&run.stderr));
    for case in cases() {
        let (table, transfers) = (&case.table, &case.transfers);
        let out = dir.path().join(format!("{}.out.jsonl", table.regime));
        let rows: Vec<Value> =
            std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(rows.len(), transfers.len(), "{engine} on {}: a row lost or added", table.regime);
        for ((transfer, row), expected) in transfers.iter().zip(&rows).zip(&case.expected) {
            assert_eq!(row["id"], transfer["id"]);
            match expected {
                None => {
                    refused += 1;
                    if row["problem"].is_null() {
                        mismatches.push(format!(
                            "{}: {transfer}: the evaluator refuses it, the query gives {row}",
                            table.regime
                        ));
                    }
                }
                Some(want) => {
                    decided += 1;
                    for (key, want) in want {
                        if key == "row" {
                            continue;
                        }
                        let got = match &row[key.as_str()] {
                            Value::String(s) if JSON_COLUMNS.contains(&key.as_str()) => {
                                serde_json::from_str(s).unwrap()
                            }
                            other => other.clone(),
                        };
                        if got != *want {
                            mismatches.push(format!(
                                "{}: {transfer}: `{key}` is {got} in {engine}, {want} in accord eval",
                                table.regime
                            ));
                        }
                    }
                    if !row["problem"].is_null() {
                        mismatches.push(format!(
                            "{}: {transfer}: a problem where the evaluator decides: {}",
                            table.regime, row["problem"]
                        ));
                    }
                }
            }
        }
    }
    assert!(refused > 0 && decided > refused, "too few transfers of each kind: {decided} decided, {refused} refused");
    assert!(
        mismatches.is_empty(),
        "{} mismatches on {engine}, e.g.:\n{}",
        mismatches.len(),
        mismatches.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!("{engine}: {decided} transfers decided alike, {refused} refused alike");
}

/// `--read-json`: the DuckDB query that reads the JSON Lines file itself decides as the one
/// that reads a table.
#[test]
fn duckdb_reading_the_json_lines_file_decides_as_accord_eval() {
    if have("duckdb", "ACCORD_SKIP_SQL_ENGINES", "python3 -m pip install duckdb") {
        check_queries("duckdb", "file", |table, input| {
            table_sql_on_json_lines(table, input.to_str().unwrap()).unwrap()
        });
    }
}

/// Runs `check` (a column check) on `engine` over a few transfers of `table` loaded in
/// `layout`, and returns its rows, or the engine's error.
fn run_check(engine: &str, check: &str, layout: &[(String, &str)], transfers: &[Value]) -> Result<Vec<Value>, String> {
    let dir = tempfile::tempdir().unwrap();
    let (sql, input, out) = (dir.path().join("check.sql"), dir.path().join("t.jsonl"), dir.path().join("out.jsonl"));
    std::fs::write(&sql, check).unwrap();
    let lines: Vec<String> = transfers.iter().map(Value::to_string).collect();
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let jobs = json!([{"query": sql, "columns": layout, "transfers": input, "out": out, "mode": "check"}]);
    let jobs_path = dir.path().join("jobs.json");
    std::fs::write(&jobs_path, jobs.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/sql.py");
    let run = Command::new("python3").arg(&script).arg(engine).arg(&jobs_path).output().unwrap();
    if !run.status.success() {
        return Err(String::from_utf8_lossy(&run.stderr).into_owned());
    }
    Ok(std::fs::read_to_string(&out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect())
}

/// `--check-columns` on `engine`: a table in the layout gives no row; a count column loaded as
/// text is named, with the number of rows holding text; a missing column fails it, and the
/// query, by name.
fn check_columns_on(engine: &str, dialect: Dialect) {
    let case = cases().iter().find(|c| c.table.regime == "cn").unwrap();
    let check = columns_check(&case.table, dialect, "transfers").unwrap();
    let transfers: Vec<Value> = case
        .transfers
        .iter()
        .zip(&case.expected)
        .filter(|(_, e)| e.is_some())
        .map(|(t, _)| t.clone())
        .take(50)
        .collect();
    let fit = layout(&case.table);
    assert_eq!(run_check(engine, &check, &fit, &transfers).unwrap(), Vec::<Value>::new(), "{engine}: the layout fits");
    let as_text: Vec<(String, &str)> =
        fit.iter().map(|(n, t)| (n.clone(), if n == "individuals_ytd" { "enum" } else { t })).collect();
    let texts: Vec<Value> = transfers
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t["individuals_ytd"] = json!("12");
            t
        })
        .collect();
    let rows = run_check(engine, &check, &as_text, &texts).unwrap();
    let found = match dialect {
        Dialect::Duckdb => "VARCHAR",
        Dialect::Spark => "string",
        _ => "text",
    };
    assert_eq!(
        rows,
        vec![json!({"column_name": "individuals_ytd", "expected": "BIGINT", "found": found, "rows": texts.len()})],
        "{engine}"
    );
    let missing: Vec<(String, &str)> = fit.iter().filter(|(n, _)| n != "ftz_zone").cloned().collect();
    let error = run_check(engine, &check, &missing, &transfers).unwrap_err();
    assert!(error.contains("ftz_zone"), "{engine} names the missing column: {error}");
    // The query itself fails on it too, never reading the name as a value (as SQLite would).
    let query = table_sql(&case.table, dialect, "transfers").unwrap();
    let error = run_check(engine, &query, &missing, &transfers).unwrap_err();
    assert!(error.contains("ftz_zone"), "{engine}'s query names the missing column: {error}");
}

#[test]
fn the_column_check_names_the_column_on_every_engine() {
    if have("sqlite3", "ACCORD_SKIP_SQL_ENGINES", "a Python with sqlite3") {
        check_columns_on("sqlite", Dialect::Sqlite);
    }
    if have("duckdb", "ACCORD_SKIP_SQL_ENGINES", "python3 -m pip install duckdb") {
        check_columns_on("duckdb", Dialect::Duckdb);
    }
    if have("pyspark", "ACCORD_SKIP_SPARK", "python3 -m pip install pyspark (and a Java runtime)") {
        check_columns_on("spark", Dialect::Spark);
    }
}

/// SQLite's values carry their own types: a boolean other than 0 or 1 and a date not written
/// YYYY-MM-DD are named too.
#[test]
fn the_sqlite_column_check_reads_each_value() {
    if !have("sqlite3", "ACCORD_SKIP_SQL_ENGINES", "a Python with sqlite3") {
        return;
    }
    let case = cases().iter().find(|c| c.table.regime == "cn").unwrap();
    let check = columns_check(&case.table, Dialect::Sqlite, "transfers").unwrap();
    let transfers = vec![
        json!({"id": 0, "destination": "US", "date": "2025-01-01", "on_ftz_negative_list": true}),
        json!({"id": 1, "destination": "US", "date": "1 Jan 2025"}),
        json!({"id": 2, "destination": "US", "date": "2025-01-02"}),
    ];
    let mut as_count: Vec<(String, &str)> = layout(&case.table);
    for (name, ty) in &mut as_count {
        if name == "on_ftz_negative_list" {
            *ty = "count";
        }
    }
    let mut transfers = transfers;
    transfers[2]["on_ftz_negative_list"] = json!(2);
    let rows = run_check("sqlite", &check, &as_count, &transfers).unwrap();
    assert_eq!(
        rows,
        vec![
            json!({"column_name": "date", "expected": "TEXT (YYYY-MM-DD)", "found": "text not YYYY-MM-DD", "rows": 1}),
            json!({"column_name": "on_ftz_negative_list", "expected": "INTEGER (0 or 1)", "found": "integer other than 0 or 1", "rows": 1}),
        ]
    );
}

#[test]
fn sqlite_decides_as_accord_eval() {
    if have("sqlite3", "ACCORD_SKIP_SQL_ENGINES", "a Python with sqlite3") {
        check_engine("sqlite", Dialect::Sqlite);
    }
}

#[test]
fn duckdb_decides_as_accord_eval() {
    if have("duckdb", "ACCORD_SKIP_SQL_ENGINES", "python3 -m pip install duckdb") {
        check_engine("duckdb", Dialect::Duckdb);
    }
}

#[test]
fn standard_sql_on_duckdb_decides_as_accord_eval() {
    if have("duckdb", "ACCORD_SKIP_SQL_ENGINES", "python3 -m pip install duckdb") {
        check_engine("duckdb-ansi", Dialect::Ansi);
    }
}

#[test]
fn spark_decides_as_accord_eval() {
    if have("pyspark", "ACCORD_SKIP_SPARK", "python3 -m pip install pyspark (and a Java runtime)") {
        check_engine("spark", Dialect::Spark);
    }
}

fn accord(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_accord")).args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `--dialect` picks how sets are tested (the standard dialect unless given), `--from` the
/// table read, a pin drops the date; each is refused where it cannot apply.
#[test]
fn compile_sql_flags_have_their_effect() {
    let markers =
        [("duckdb", "list_has_any("), ("sqlite", "instr("), ("spark", "arrays_overlap("), ("ansi", "POSITION(")];
    for (dialect, marker) in markers {
        let (code, sql, err) = accord(&["compile", "au", "--format", "sql", "--dialect", dialect]);
        assert_eq!(code, Some(0), "{err}");
        assert!(sql.contains(marker), "{dialect}: no `{marker}`");
        for (other, theirs) in markers {
            assert!(other == dialect || !sql.contains(theirs), "{dialect} writes {other}'s `{theirs}`");
        }
    }
    let (_, default, _) = accord(&["compile", "au", "--format", "sql"]);
    assert_eq!(default, accord(&["compile", "au", "--format", "sql", "--dialect", "ansi"]).1);
    assert!(default.contains("FROM \"transfers\" AS t"));
    let (_, named, _) = accord(&["compile", "au", "--format", "sql", "--from", "egress_2026"]);
    assert!(named.contains("FROM \"egress_2026\" AS t") && !named.contains("\"transfers\""));
    let (_, dated, _) = accord(&["compile", "cn", "--format", "sql"]);
    let (_, pinned, _) = accord(&["compile", "cn@2024-06-01", "--format", "sql"]);
    assert!(dated.contains("--   date DATE") && dated.contains("COALESCE(\"date\", CURRENT_DATE)"));
    assert!(!pinned.contains("\"date\""), "a pinned query reads no date");
    // The column check and the query reading a file are the library's, written by the flags.
    let au = tables().into_iter().find(|t| t.regime == "au").unwrap();
    for (dialect, d) in [("duckdb", Dialect::Duckdb), ("sqlite", Dialect::Sqlite), ("spark", Dialect::Spark)] {
        let (code, check, err) = accord(&["compile", "au", "--format", "sql", "--dialect", dialect, "--check-columns"]);
        assert_eq!(code, Some(0), "{err}");
        assert_eq!(check, columns_check(&au, d, "transfers").unwrap());
        let (_, from, _) =
            accord(&["compile", "au", "--format", "sql", "--dialect", dialect, "--check-columns", "--from", "e"]);
        assert_eq!(from, columns_check(&au, d, "e").unwrap());
    }
    let (_, on_file, _) =
        accord(&["compile", "au", "--format", "sql", "--dialect", "duckdb", "--read-json", "t.jsonl"]);
    assert_eq!(on_file, table_sql_on_json_lines(&au, "t.jsonl").unwrap());
    assert!(on_file.contains("FROM read_json_objects('t.jsonl', format = 'newline_delimited')"), "{on_file}");
    // Standard SQL cannot ask a type: refused with the reason (exit 1, the input cannot be expressed).
    let (code, out, err) = accord(&["compile", "au", "--format", "sql", "--check-columns"]);
    assert_eq!((code, out.as_str()), (Some(1), ""), "{err}");
    assert!(err.contains("standard SQL cannot ask a value's type"), "{err}");
    for refused in [
        &["compile", "au", "--dialect", "duckdb"][..],
        &["compile", "au", "--format", "json", "--from", "x"],
        &["compile", "au", "--format", "sql", "--from", "a; DROP TABLE t"],
        &["compile", "au", "--format", "sql", "--dialect", "oracle"],
        &["compile", "au", "--format", "json", "--check-columns"],
        &["compile", "au", "--format", "sql", "--read-json", "t.jsonl"],
        &["compile", "au", "--format", "sql", "--dialect", "sqlite", "--read-json", "t.jsonl"],
        &["compile", "au", "--format", "sql", "--dialect", "duckdb", "--read-json", "t.jsonl", "--from", "x"],
    ] {
        let (code, out, err) = accord(refused);
        assert_eq!(code, Some(2), "{refused:?}: {err}");
        assert!(out.is_empty(), "{refused:?} printed {out}");
    }
}

/// The query the command line writes, run on SQLite against a table of another name, decides
/// as `accord eval --input` does.
#[test]
fn the_commands_query_runs_on_sqlite() {
    if !have("sqlite3", "ACCORD_SKIP_SQL_ENGINES", "a Python with sqlite3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let transfers = [
        r#"{"id": 1, "destination": "US", "data": ["health"]}"#,
        r#"{"id": 2, "destination": "US", "data": ["personal"], "safeguards": ["au_reasonable_steps"]}"#,
        r#"{"id": 3, "destination": "US", "data": []}"#,
        r#"{"id": 4, "origin": "NZ", "destination": "US", "data": ["personal"]}"#,
        r#"{"id": 5, "destination": "US", "data": ["personal"], "consent": ["au_expressly_informed"]}"#,
    ];
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, transfers.join("\n") + "\n").unwrap();
    let (code, sql, err) = accord(&["compile", "au", "--format", "sql", "--dialect", "sqlite", "--from", "egress"]);
    assert_eq!(code, Some(0), "{err}");
    let query = dir.path().join("au.sql");
    std::fs::write(&query, sql).unwrap();
    let table = tables().into_iter().find(|t| t.regime == "au").unwrap();
    let layout: Vec<(String, &str)> = std::iter::once(("id".to_owned(), "id"))
        .chain(
            read_columns(&table)
                .into_iter()
                .map(|c| (c.fact.clone(), if c.ty == ColumnType::Set { "set" } else { "enum" })),
        )
        .collect();
    let out = dir.path().join("out.jsonl");
    let jobs = dir.path().join("jobs.json");
    let job = json!([{"query": query, "columns": layout, "transfers": input, "out": out, "table": "egress"}]);
    std::fs::write(&jobs, job.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/sql.py");
    let run = Command::new("python3").arg(&script).arg("sqlite").arg(&jobs).output().unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let bare: Vec<String> = transfers
        .iter()
        .map(|t| {
            let mut v: Value = serde_json::from_str(t).unwrap();
            v.as_object_mut().unwrap().remove("id");
            v.to_string()
        })
        .collect();
    let eval_input = dir.path().join("eval.jsonl");
    std::fs::write(&eval_input, bare.join("\n") + "\n").unwrap();
    let (code, decisions, err) =
        accord(&["eval", "au", "--input", eval_input.to_str().unwrap(), "--today", "2026-11-22"]);
    assert_eq!(code, Some(0), "{err}");
    let rows = std::fs::read_to_string(&out).unwrap();
    let verdicts: Vec<Value> =
        rows.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["verdict"].clone()).collect();
    let want: Vec<Value> =
        decisions.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()["verdict"].clone()).collect();
    assert_eq!(verdicts, want);
    assert_eq!(want, [json!("require"), json!("permit"), json!("permit"), json!("out_of_scope"), json!("permit")]);
}
