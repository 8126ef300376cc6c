//! What ships with Accord is correct: the standard library and examples check without a
//! single diagnostic, the README's tour is valid Accord, and the list of diagnostic codes in
//! `docs/diagnostics.md` is the list the code reports.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::check::{self, Checked};
use accord::diagnostics::{self, Code};
use accord::source::{Loaded, MemoryLoader};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.accord` file under `dir`, recursively, as `dir/…` names.
fn accord_files(dir: &str, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(root().join(dir)).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for path in entries {
        let name = format!("{dir}/{}", path.file_name().unwrap().to_string_lossy());
        if path.is_dir() {
            accord_files(&name, out);
        } else if path.extension().is_some_and(|e| e == "accord") {
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// Checks every file under `dir` as `accord check dir` does (compiling and verifying regimes).
fn check_dir(dir: &str) -> Checked {
    let mut files = Vec::new();
    accord_files(dir, &mut files);
    assert!(!files.is_empty(), "no .accord files in {dir}");
    let mut loader = MemoryLoader::default();
    let mut roots = Vec::new();
    for (name, text) in files {
        loader.files.insert(name.clone(), text.clone());
        roots.push(Loaded { key: name.clone(), name, bytes: text.into_bytes() });
    }
    accord::check_and_verify(roots, &mut loader).unwrap()
}

fn assert_clean(checked: &Checked) {
    assert!(checked.diagnostics.is_empty(), "{}", diagnostics::render_human(&checked.diagnostics, &checked.sources));
}

#[test]
fn every_standard_regime_is_embedded_and_checked() {
    let mut files = Vec::new();
    accord_files("stdlib/regimes", &mut files);
    let on_disk: Vec<String> = files
        .iter()
        .map(|(n, _)| n.trim_start_matches("stdlib/regimes/").trim_end_matches(".accord").to_owned())
        .collect();
    let embedded: Vec<&str> = accord::stdlib::REGIMES.iter().map(|m| m.name).collect();
    assert_eq!(on_disk, embedded);
    let checked = check_dir("stdlib");
    let regimes: Vec<&str> = checked.program.regimes.iter().map(|r| r.id.as_str()).collect();
    for id in embedded {
        assert!(regimes.contains(&id), "regime `{id}` is not declared by its file");
    }
}

#[test]
fn stdlib_checks_without_diagnostics() {
    let checked = check_dir("stdlib");
    assert_clean(&checked);
    let jurisdiction = checked.program.enums.iter().find(|e| e.name == "Jurisdiction").unwrap();
    assert_eq!(jurisdiction.members.len(), 249, "every ISO 3166-1 alpha-2 code");
}

#[test]
fn every_vocabulary_member_and_fact_is_documented() {
    let checked = check_dir("stdlib");
    for e in &checked.program.enums {
        assert!(!e.doc.is_empty(), "enum {} has no doc comment", e.name);
        for m in &e.members {
            assert!(m.description.is_some(), "{}::{} has no description", e.name, m.name);
        }
    }
    for f in &checked.program.facts {
        assert!(!f.doc.is_empty(), "fact {} has no doc comment", f.name);
    }
}

#[test]
fn examples_check_without_diagnostics() {
    let checked = check_dir("examples");
    assert_clean(&checked);
    assert!(!checked.program.regimes.is_empty());
}

#[test]
fn readme_tour_is_valid_accord() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let blocks: Vec<&str> = readme.split("```accord").skip(1).map(|b| b.split("```").next().unwrap()).collect();
    assert!(!blocks.is_empty(), "the README has an accord block");
    for block in blocks {
        let checked =
            check::check_sources(vec![("README.md".into(), block.to_owned())], &mut MemoryLoader::default()).unwrap();
        assert_clean(&checked);
    }
}

#[test]
fn diagnostics_doc_lists_every_code() {
    let doc = std::fs::read_to_string(root().join("docs/diagnostics.md")).unwrap();
    let rows: Vec<&str> = doc.lines().filter(|l| ["| E", "| W", "| I"].iter().any(|p| l.starts_with(p))).collect();
    let expected: Vec<String> = Code::ALL.iter().map(|c| format!("| {} | {} |", c.as_str(), c.summary())).collect();
    assert_eq!(rows, expected, "docs/diagnostics.md must list Code::ALL in order, with their summaries");
}

#[test]
fn every_standard_rule_and_obligation_cites_a_provision() {
    let checked = check_dir("stdlib");
    for regime in &checked.program.regimes {
        let cited =
            regime.rules.iter().map(|r| (&r.id, &r.cites)).chain(regime.obligations.iter().map(|o| (&o.id, &o.cites)));
        for (id, cites) in cited {
            assert!(!cites.is_empty(), "{}: `{id}` has no citation", regime.id);
            // An article, section or regulation is numbered: "Art. 38", "s26", "202.301", "APP 8.1".
            for cite in cites {
                assert!(
                    cite.text.chars().any(|c| c.is_ascii_digit()),
                    "{}: `{id}` cites no provision: {:?}",
                    regime.id,
                    cite.text
                );
            }
        }
    }
}

#[test]
fn every_standard_example_passes() {
    let checked = check_dir("stdlib");
    let today = accord::date::Date::parse("2026-11-22").unwrap();
    let mut count = 0;
    for (i, regime) in checked.program.regimes.iter().enumerate() {
        let id = check::ir::RegimeId(u32::try_from(i).unwrap());
        let table = accord::compile::compile(&checked.program, id, &checked.sources).unwrap();
        for result in accord::eval::run_examples(&checked.program, regime, &table, today) {
            assert!(
                result.passed,
                "{}: example \"{}\" expects {} but got {:?} {:?}",
                regime.id, result.name, result.expected, result.actual, result.problem
            );
            count += 1;
        }
        assert!(
            regime.examples.len() >= 8 || !regime.id.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
            "{}: fewer than 8 examples",
            regime.id
        );
    }
    assert!(count > 0);
}
