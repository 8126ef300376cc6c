//! Verification at scale: the eval bench's generated regimes, whose rules draw their tests from
//! the whole vocabulary, so that hundreds of unrelated rules overlap any one. Their decision
//! diagrams outgrow the first attempt's budget, and `accord check` must still verify them
//! exactly, through clauses, with the clause engine's own findings; rules on thousands of
//! bands of one count go the other way (see `ten_thousand_rules_check_clean` in `cli.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

#[path = "../benches/common/mod.rs"]
mod common;
#[path = "../benches/common/regimes.rs"]
mod regimes;

use accord::analysis::{Engine, Finding, verify, verify_by};
use accord::compile::compile_text;

/// Findings without the gap's witness, which each engine finds its own way.
fn unwitnessed(findings: Vec<Finding>) -> Vec<Finding> {
    findings
        .into_iter()
        .map(|f| match f {
            Finding::Gap { .. } => Finding::Gap { witness: serde_json::Value::Null },
            f => f,
        })
        .collect()
}

#[test]
fn random_regimes_verify_exactly() {
    let regimes = [
        (100, regimes::generate_regime(100)),
        (1_000, regimes::generate_regime(1_000)),
        (300, regimes::generate_regime_from(300, 0x0BAD_5EED_0000_0001)),
    ];
    for (rules, text) in regimes {
        let table = compile_text("random.accord", &text).unwrap().remove(0);
        let staged = verify(&table).unwrap();
        assert!(!staged.contains(&Finding::TooIntricate), "{rules} rules: not verified");
        let clauses = verify_by(&table, Engine::Clauses).unwrap().expect("clauses finish");
        assert_eq!(unwitnessed(staged.clone()), unwitnessed(clauses), "{rules} rules: the engines disagree");
        // Each dead rule's cover names only earlier rules.
        let order = |id: &str| table.rows.iter().position(|r| r.rule == id).unwrap();
        for finding in &staged {
            if let Finding::DeadRule { rule, covered_by, .. } = finding {
                assert!(covered_by.iter().all(|c| order(c) < order(rule)), "{rule} covered by {covered_by:?}");
            }
        }
        assert!(staged.iter().any(|f| matches!(f, Finding::DeadRule { .. })), "{rules} rules: no dead rule to check");
    }
}

/// The benches' hand-written 20-rule regime, which diagrams verify at once: clauses agree.
#[test]
fn the_engines_agree_on_a_hand_written_regime() {
    let table = compile_text("regime_20.accord", regimes::REGIME_20).unwrap().remove(0);
    let diagrams = verify_by(&table, Engine::Diagrams).unwrap().expect("diagrams finish");
    let clauses = verify_by(&table, Engine::Clauses).unwrap().expect("clauses finish");
    assert_eq!(unwitnessed(diagrams), unwitnessed(clauses));
}
