//! The DMN export run on an engine Accord did not write: for every standard regime, the model
//! `accord compile --format dmn` writes decides random transfers in `tests/engines/dmn/harness.js`
//! (dmn-moddle reads the model, feelin evaluates every FEEL expression and unary test; the
//! harness does only the hit policies), and every field must equal what `accord eval --input`
//! decides, with 0 mismatches. The models also import in dmn-js, in headless Chromium, without
//! a warning (`tests/engines/dmn/import.js`).
//!
//! Node and npm come from Debian (`apt-get install -y nodejs npm`), Chromium likewise
//! (`chromium`); the npm packages are pinned in `tests/engines/dmn/package-lock.json` and
//! installed with `npm ci` when `node_modules` is missing. Without node or Chromium the tests
//! fail, unless `ACCORD_SKIP_DMN=1`, when they say they skipped. `ACCORD_DMN_TRANSFERS` sets how many
//! transfers are decided in all (100,000 unless set), spread over the regimes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::render::sql::read_columns;
use accord::table::{Column, Table};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

#[path = "common/transfers.rs"]
mod transfers;

use transfers::{Candidates, Rng};

fn engines() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/engines/dmn")
}

fn accord(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_accord")).args(args).output().unwrap();
    assert!(out.status.success(), "accord {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The standard regimes' ids.
fn regimes() -> Vec<&'static str> {
    accord::stdlib::REGIMES.iter().map(|m| m.name).collect()
}

/// Fails the test for a missing tool, unless `ACCORD_SKIP_DMN=1`, when it says it skipped.
fn skip_or_fail(tool: &str, install: &str) {
    assert!(
        std::env::var("ACCORD_SKIP_DMN").as_deref() == Ok("1"),
        "no {tool}: install it with `{install}`, or set ACCORD_SKIP_DMN=1 to skip the DMN tests"
    );
    eprintln!("skipped: no {tool} (ACCORD_SKIP_DMN=1)");
}

/// Whether node is there and the harness's packages are installed (running `npm ci` if not).
fn node_ready() -> bool {
    let node = Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    if !node {
        skip_or_fail("node", "apt-get install -y nodejs npm");
        return false;
    }
    if !engines().join("node_modules").is_dir() {
        let ci = Command::new("npm")
            .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund"])
            .current_dir(engines())
            .output();
        match ci {
            Ok(out) if out.status.success() => {}
            Ok(out) => panic!("npm ci failed in tests/engines/dmn:\n{}", String::from_utf8_lossy(&out.stderr)),
            Err(_) => {
                skip_or_fail("npm", "apt-get install -y npm");
                return false;
            }
        }
    }
    true
}

#[test]
fn dmn_decides_as_accord_eval() {
    if !node_ready() {
        return;
    }
    let total: usize = std::env::var("ACCORD_DMN_TRANSFERS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000);
    let regimes = regimes();
    let each = total.div_ceil(regimes.len()).max(1);
    let dir = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for (i, regime) in regimes.iter().enumerate() {
        let table: Table = serde_json::from_str(&accord(&["compile", regime, "--format", "json"])).unwrap();
        let model = dir.path().join(format!("{regime}.dmn"));
        std::fs::write(&model, accord(&["compile", regime, "--format", "dmn"])).unwrap();
        let columns: Vec<(&Column, Candidates)> = transfers::columns(&table, read_columns(&table));
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        // The model has no "today" of its own: every transfer gives its `date`.
        let transfers: Vec<String> = (0..each)
            .map(|_| Value::Object(transfers::transfer(&mut rng, &table, &columns, &["date"])).to_string())
            .collect();
        let input = dir.path().join(format!("{regime}.jsonl"));
        std::fs::write(&input, transfers.join("\n") + "\n").unwrap();
        jobs.push((regime.to_string(), model, input, transfers));
    }
    // Two harnesses at a time, one per core.
    let mut mismatches = Vec::new();
    let mut decided = 0usize;
    for pair in jobs.chunks(2) {
        let running: Vec<_> = pair
            .iter()
            .map(|(_, model, input, _)| {
                Command::new("node")
                    .arg(engines().join("harness.js"))
                    .arg(model)
                    .arg(input)
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for ((regime, _, input, transfers), child) in pair.iter().zip(running) {
            let out = child.wait_with_output().unwrap();
            assert!(out.status.success(), "the harness failed on {regime}:\n{}", String::from_utf8_lossy(&out.stderr));
            let eval = accord(&["eval", regime, "--input", input.to_str().unwrap(), "--today", "2026-11-22"]);
            let got: Vec<Value> =
                String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            let want: Vec<Value> = eval.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
            assert_eq!(got.len(), transfers.len(), "{regime}: the harness lost or added a decision");
            assert_eq!(want.len(), transfers.len(), "{regime}: accord eval lost or added a decision");
            let mut here = 0usize;
            for ((transfer, got), want) in transfers.iter().zip(&got).zip(&want) {
                if got != want {
                    here += 1;
                    mismatches.push(format!("{regime}: {transfer}:\n  dmn  {got}\n  eval {want}"));
                }
            }
            decided += transfers.len();
            eprintln!("{regime}: {} transfers, {here} mismatches", transfers.len());
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} mismatches, e.g.:\n{}",
        mismatches.len(),
        mismatches.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
    eprintln!("dmn: {decided} transfers decided alike");
}

/// Every standard regime's model imports in dmn-js without a warning, and its decision table
/// shows (the screenshot is not empty).
#[test]
fn dmn_imports_in_dmn_js_without_warnings() {
    if !node_ready() {
        return;
    }
    let browser = std::env::var_os("CHROMIUM").map_or_else(|| PathBuf::from("/usr/bin/chromium"), PathBuf::from);
    if !browser.is_file() {
        skip_or_fail("Chromium at $CHROMIUM or /usr/bin/chromium", "apt-get install -y chromium");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for regime in regimes() {
        let model = dir.path().join(format!("{regime}.dmn"));
        std::fs::write(&model, accord(&["compile", regime, "--format", "dmn"])).unwrap();
        let shot = dir.path().join(format!("{regime}.png"));
        let out = Command::new("node")
            .arg(engines().join("import.js"))
            .arg(&model)
            .arg(&shot)
            .env("CHROMIUM", &browser)
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{regime}: dmn-js: {report}\n{}", String::from_utf8_lossy(&out.stderr));
        let report: Value = serde_json::from_str(report.trim()).unwrap();
        assert_eq!(report["warnings"], json!([]), "{regime}: dmn-js warned");
        assert!(report["rows"].as_u64().unwrap() > 0, "{regime}: the decision table shows no rule");
        assert!(std::fs::metadata(&shot).unwrap().len() > 0, "{regime}: empty screenshot");
    }
}

/// The model is well-formed, names what it reads, and escapes what it quotes.
#[test]
fn dmn_model_has_its_layout() {
    let xml = accord(&["compile", "au", "--format", "dmn"]);
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<definitions xmlns=\""));
    assert!(xml.contains(accord::render::dmn::NAMESPACE));
    for decision in accord::render::dmn::DECISIONS {
        assert!(xml.contains(&format!("<decision id=\"{decision}\" name=\"{decision}\">")), "no decision {decision}");
    }
    assert!(xml.contains("hitPolicy=\"FIRST\"") && xml.contains("hitPolicy=\"COLLECT\""));
    assert!(xml.contains("<inputData id=\"input_data\" name=\"data\">"));
    assert!(xml.contains("<text>if origin = null then \"AU\" else origin</text>"));
    assert!(xml.contains("<text>not(\"AU\")</text>"));
    let (_, after) = xml.split_once("</definitions>").unwrap();
    assert_eq!(after, "\n");
    assert!(accord(&["compile", "cn", "--format", "dmn"]).contains("name=\"date\""));
    let pinned = accord(&["compile", "cn@2024-06-01", "--format", "dmn"]);
    assert!(!pinned.contains("name=\"date\""), "a pinned model reads no date");
}
