//! The JDM export run on an engine we did not write: for every standard regime (and a pinned
//! reading), the graph `accord compile --format jdm` writes decides random transfers on GoRules'
//! ZEN engine (the `zen-engine` Python package, through `tests/engines/jdm.py`), and every
//! field of every decision must equal what `accord eval --input` decides for that transfer,
//! with 0 mismatches.
//!
//! Without `zen-engine` the test fails, unless `ACCORD_SKIP_JDM=1`, when it says it skipped.
//! `ACCORD_JDM_TRANSFERS` sets how many transfers are decided in all (100,000 unless set),
//! shared evenly between the regimes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::render::sql::read_columns;
use accord::table::{Column, Table};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[path = "common/python.rs"]
mod python;
#[path = "common/transfers.rs"]
mod transfers;

use python::have;
use transfers::{Candidates, Rng};

fn accord(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_accord")).args(args).output().unwrap();
    assert!(out.status.success(), "accord {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The date ZEN's `d()` gives today (UTC), which stands in for an omitted `date` in the graph.
fn zen_today() -> String {
    let script = "import datetime; print(datetime.datetime.now(datetime.timezone.utc).date().isoformat())";
    let out = Command::new("python3").args(["-c", script]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn zen_decides_as_accord_eval() {
    if !have("zen", "ACCORD_SKIP_JDM", "python3 -m pip install zen-engine") {
        return;
    }
    let mut regimes: Vec<String> = accord::stdlib::REGIMES.iter().map(|m| m.name.to_owned()).collect();
    // A pinned reading compiles differently: its rows lose their `date` cells.
    regimes.push("cn@2024-06-01".to_owned());
    let total: usize = std::env::var("ACCORD_JDM_TRANSFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let each = total.div_ceil(regimes.len()).max(1);
    let dir = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/jdm.py");
    let today = zen_today();
    let (mut decided, mut mismatches) = (0usize, Vec::new());
    for (i, regime) in regimes.iter().enumerate() {
        let regime = regime.as_str();
        let table = Table::from_json(&accord(&["compile", regime, "--format", "json"])).unwrap();
        let graph = dir.path().join(format!("{i}.jdm.json"));
        std::fs::write(&graph, accord(&["compile", regime, "--format", "jdm"])).unwrap();
        let columns: Vec<(&Column, Candidates)> = transfers::columns(&table, read_columns(&table));
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        let transfers: Vec<Value> =
            (0..each).map(|_| Value::Object(transfers::transfer(&mut rng, &table, &columns, &[]))).collect();
        let input = dir.path().join(format!("{i}.jsonl"));
        let lines: Vec<String> = transfers.iter().map(Value::to_string).collect();
        std::fs::write(&input, lines.join("\n") + "\n").unwrap();
        let want = accord(&["eval", regime, "--input", input.to_str().unwrap(), "--today", today.as_str()]);
        let run = Command::new("python3").arg(&script).arg(&graph).arg(&input).output().unwrap();
        assert!(run.status.success(), "zen on {regime}:\n{}", String::from_utf8_lossy(&run.stderr));
        let got = String::from_utf8(run.stdout).unwrap();
        let want: Vec<Value> = want.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let got: Vec<Value> = got.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!((want.len(), got.len()), (each, each), "{regime}: a decision lost or added");
        for ((transfer, want), got) in transfers.iter().zip(&want).zip(&got) {
            decided += 1;
            if want != got {
                mismatches.push(format!("{regime}: {transfer}:\n  accord eval {want}\n  zen         {got}"));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches in {decided} transfers, e.g.:\n{}",
        mismatches.len(),
        mismatches.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!("zen: {decided} transfers decided alike over {} regimes", regimes.len());
}

/// A pinned graph reads no date; a graph holds the regime's rules in table order.
#[test]
fn compile_jdm_writes_a_graph() {
    let graph: Value = serde_json::from_str(&accord(&["compile", "cn", "--format", "jdm"])).unwrap();
    let pinned = accord(&["compile", "cn@2024-06-01", "--format", "jdm"]);
    let table = Table::from_json(&accord(&["compile", "cn", "--format", "json"])).unwrap();
    let nodes = graph["nodes"].as_array().unwrap();
    let kinds: Vec<&str> = nodes.iter().map(|n| n["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        ["inputNode", "expressionNode", "decisionTableNode", "decisionTableNode", "expressionNode", "outputNode"]
    );
    // Two out-of-scope rows, the table's rows, the default.
    assert_eq!(nodes[2]["content"]["rules"].as_array().unwrap().len(), table.rows.len() + 3);
    assert_eq!(nodes[3]["content"]["rules"].as_array().unwrap().len(), table.obligations.len());
    assert!(graph.to_string().contains("d(date)"));
    assert!(!pinned.contains("d(date)"), "a pinned graph reads no date");
}
