//! `accord test --coverage`: which parts of a table (rules' rows, obligations, the default) the
//! examples reach, and the examples it proposes for the rest. The proposals are checked with
//! the evaluator, which found none of them: pasted into the regime, every one passes `accord
//! test` and reaches the part it was proposed for, so the regime is then covered whole.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![allow(clippy::disallowed_methods, clippy::disallowed_macros)] // tests read files and print

use accord::analysis::coverage::{Coverage, coverage};
use accord::check::{self, ir::RegimeId};
use accord::date::Date;
use accord::source::{Loaded, MemoryLoader};
use accord::{compile, eval, render, stdlib};

/// Checks a file, compiles its one regime, runs its examples, and measures their coverage;
/// with whether every example passed.
fn covered(name: &str, text: &str) -> (Coverage, bool) {
    let loaded = Loaded { key: name.to_owned(), name: name.to_owned(), bytes: text.as_bytes().to_vec() };
    let checked = check::check(vec![loaded], &mut MemoryLoader::default()).unwrap();
    assert!(
        !checked.has_errors(),
        "{name}:\n{}",
        accord::diagnostics::render_human(&checked.diagnostics, &checked.sources)
    );
    let regimes: Vec<usize> = (0..checked.program.regimes.len())
        .filter(|&i| checked.sources.get(checked.program.regimes[i].span.file).is_some_and(|f| f.name == name))
        .collect();
    assert_eq!(regimes.len(), 1, "{name}: one regime");
    let regime = &checked.program.regimes[regimes[0]];
    let table = compile::compile(&checked.program, RegimeId(regimes[0] as u32), &checked.sources).unwrap();
    let today = Date::parse("2026-01-01").unwrap();
    let results = eval::run_examples(&checked.program, regime, &table, today);
    let decided: Vec<(String, &eval::Decision)> =
        results.iter().filter_map(|r| r.actual.as_ref().map(|d| (r.name.clone(), d))).collect();
    (coverage(&table, &decided, today).unwrap(), results.iter().all(|r| r.passed))
}

/// A regime's text without its `example` blocks (and their doc comments), as `accord fmt`
/// lays them out: from a line `  example …` to the next line `  }`.
fn without_examples(text: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        if line.starts_with("  example ") {
            while kept.last().is_some_and(|l| l.starts_with("  ///")) {
                kept.pop();
            }
            inside = true;
        } else if inside && line == "  }" {
            inside = false;
        } else if !inside {
            kept.push(line);
        }
    }
    kept.join("\n") + "\n"
}

/// The standard regimes with their examples taken out, so that every part wants one: the
/// proposals for all of them pass and each reaches its part.
#[test]
fn every_proposal_passes_and_reaches_its_part() {
    let mut proposed = 0;
    for module in stdlib::REGIMES {
        let name = stdlib::regime_display_name(module.name);
        let text = without_examples(module.text);
        assert!(!text.contains("\n  example "), "{name}: an example is left");
        let (before, passed) = covered(&name, &text);
        assert!(passed && before.exact, "{name}");
        let proposals: Vec<String> = before.parts.iter().filter_map(render::coverage::proposal).collect();
        let wanting = before.parts.iter().filter(|p| p.reachable && p.examples.is_empty()).count();
        // An obligation `upon` a mechanism gets none where no transfer found relies on it (as
        // the report says): eu's transfer impact assessment, uk's risk assessment and data
        // protection test, which other proposals reach. Every other part gets one.
        let unwitnessed: Vec<&str> =
            before.parts.iter().filter(|p| p.reachable && p.witness.is_none()).map(|p| p.id.as_str()).collect();
        for id in &unwitnessed {
            let part = before.parts.iter().find(|p| p.id == *id).unwrap();
            let declared = text.split("\n  oblige ").find(|d| d.starts_with(&format!("{id} "))).unwrap_or("");
            let declared = declared.split("\n\n").next().unwrap_or("");
            assert!(
                part.kind == "obligation" && declared.contains("\n    upon "),
                "{name}: part `{id}` has no witness, and it is not an obligation `upon` a mechanism"
            );
        }
        let unwitnessed = unwitnessed.len();
        assert_eq!(proposals.len() + unwitnessed, wanting, "{name}: a proposal for each part no example reaches");
        proposed += proposals.len();
        let end = text.rfind('}').unwrap();
        let with = format!("{}\n{}{}", &text[..end], proposals.join("\n"), &text[end..]);
        let (after, passed) = covered(&name, &with);
        assert!(passed, "{name}: a proposed example fails");
        assert_eq!((after.covered, after.reachable), (after.reachable, before.reachable), "{name}: not covered whole");
        // Each part is reached by the very example proposed for it.
        for (b, a) in before.parts.iter().zip(&after.parts) {
            if let Some(proposal) = render::coverage::proposal(b) {
                let own = proposal.split('"').nth(1).unwrap();
                assert!(a.examples.iter().any(|e| e == own), "{name}: `{own}` does not reach {}", a.id);
            }
        }
    }
    assert!(proposed > 50, "only {proposed} proposals over the standard regimes");
}

/// A part no transfer reaches is not counted, and gets no proposal; a regime with no example
/// is covered not at all.
#[test]
fn unreachable_parts_are_not_counted() {
    let text = "regime r \"R\" {\n  home SG\n  rule inward \"In\" cite \"1\" when destination == SG then permit\n  \
                rule health \"Health\" cite \"2\" when data has health then require explicit_consent\n  \
                rule shadowed \"Shadowed\" cite \"3\" when data has health then permit\n  \
                oblige record_of_transfers \"Record\" cite \"4\" when data has personal\n  default permit\n}\n";
    let (c, _) = covered("r.accord", text);
    let reach: Vec<(&str, bool, bool)> =
        c.parts.iter().map(|p| (p.id.as_str(), p.reachable, p.witness.is_some())).collect();
    assert_eq!(
        reach,
        // `health` is two rows: one where its consent is in place (then a `permit`), one not.
        [
            ("inward", false, false),
            ("health", true, true),
            ("health", true, true),
            ("shadowed", false, false),
            ("record_of_transfers", true, true),
            ("default", true, true)
        ]
    );
    assert_eq!((c.covered, c.reachable, c.percent()), (0, 4, 0.0));
}
