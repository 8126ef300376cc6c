//! Every realistic scenario in `examples/scenarios/` decided by every standard regime it is in
//! scope of (and always by the regime its file name starts with), snapshotted: a change in a
//! regime's encoding shows up here, in review, as a changed decision.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files

use accord::date::Date;
use accord::eval::{Scenario, Verdict};
use accord::table::Table;
use std::sync::OnceLock;

fn tables() -> &'static Vec<Table> {
    static TABLES: OnceLock<Vec<Table>> = OnceLock::new();
    TABLES.get_or_init(|| {
        accord::stdlib::REGIMES
            .iter()
            .map(|m| {
                let name = accord::stdlib::regime_display_name(m.name);
                match accord::compile::compile_text(&name, m.text) {
                    Ok(mut tables) => tables.remove(0),
                    Err(problems) => panic!("standard regime `{}` does not compile:\n{problems}", m.name),
                }
            })
            .collect()
    })
}

#[test]
fn scenarios_decided_by_every_regime_in_scope() {
    // Fixed, so that scenarios without a date decide the same way every day.
    let today = Date::parse("2026-11-22").unwrap();
    insta::glob!(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/scenarios"), "*.json", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut report = format!("{}\n", text.trim_end());
        let mut decided_by_own = false;
        for table in tables() {
            let own = stem.starts_with(&format!("{}_", table.regime));
            let scenario = match Scenario::from_value(table, &json, today) {
                Ok(scenario) => scenario,
                Err(errors) => panic!("{stem} is not a valid scenario for `{}`: {errors:?}", table.regime),
            };
            let decision = table.evaluate(&scenario);
            if own {
                decided_by_own = true;
                assert_ne!(decision.verdict, Verdict::OutOfScope, "{stem}: its own regime says out of scope");
            }
            if own || decision.verdict != Verdict::OutOfScope {
                report.push_str(&format!("\n{}", accord::render::decision_text(&decision)));
            }
        }
        assert!(decided_by_own, "{stem}: name scenario files `<regime id>_<what>.json`");
        insta::assert_snapshot!(report);
    });
}
