//! `accord test --coverage` for people: per regime, the share of its parts its examples reach,
//! each part no example reaches, and for each an `example` block ready to paste (its outcome is
//! the regime's, to be confirmed against the law before it is kept).

use crate::analysis::coverage::{Coverage, Part};
use std::fmt::Write as _;

/// The coverage of each regime, then the examples proposed for what no example reaches.
pub fn text(coverages: &[Coverage]) -> String {
    let mut out = String::new();
    for c in coverages {
        let _ = writeln!(
            out,
            "{}: {} covered ({} of {} reachable parts: rules' rows, obligations, the default)",
            c.regime,
            percent(c.percent()),
            c.covered,
            c.reachable
        );
        if !c.exact {
            let _ = writeln!(out, "  its diagram is too large to tell which parts a transfer can reach: no proposals");
        }
        for part in c.parts.iter().filter(|p| p.examples.is_empty()) {
            let reach = match (part.reachable, &part.witness) {
                (false, _) => "no transfer reaches it (see `accord check`)",
                (true, None) if c.exact => {
                    "no example reaches it, and no transfer where it applies was found to bring it (an \
                     obligation `upon` a mechanism comes only where that mechanism is relied on)"
                }
                (true, _) => "no example reaches it",
            };
            let _ = writeln!(out, "  {}: {reach}", describe(part));
        }
        let proposals: Vec<String> = c.parts.iter().filter_map(proposal).collect();
        if !proposals.is_empty() {
            let _ = writeln!(
                out,
                "  examples that would reach them (the outcome is the regime's: check it against the cited law first):\n"
            );
            for p in proposals {
                let _ = writeln!(out, "{p}");
            }
        }
    }
    out
}

/// A share in per cent, one decimal, rounded down: 99.96% is not shown as 100%.
pub fn percent(share: f64) -> String {
    format!("{:.1}%", (share * 10.0).floor() / 10.0)
}

/// A part in words: `rule `r` (row 3, rules.accord:12:3)`, `obligation `o``, `the default`.
fn describe(part: &Part) -> String {
    let place = part.location.as_ref().map(|l| format!("{}:{}:{}", l.file, l.line, l.column));
    match (part.kind, part.row, place) {
        ("row", Some(row), Some(place)) => format!("rule `{}` (row {row}, {place})", part.id),
        ("obligation", _, Some(place)) => format!("obligation `{}` ({place})", part.id),
        ("default", _, _) => "the default".to_owned(),
        (kind, _, _) => format!("{kind} `{}`", part.id),
    }
}

/// An `example` block that reaches `part`, if it has a witness.
pub fn proposal(part: &Part) -> Option<String> {
    let (witness, expect) = (part.witness.as_ref()?, part.expect.as_ref()?);
    let given: Vec<String> =
        witness.as_object()?.iter().map(|(fact, value)| format!("{fact}: {}", literal(value))).collect();
    let name = match (part.kind, part.row) {
        ("row", Some(row)) => format!("Reaches rule {} (row {row})", part.id),
        ("default", _) => "Reaches the default".to_owned(),
        (_, _) => format!("Brings obligation {}", part.id),
    };
    Some(format!("  example \"{name}\" {{\n    given {{ {} }}\n    expect {expect}\n  }}\n", given.join(", ")))
}

/// A scenario value as a rule file writes it: a member, a date, a count or a bool bare, a set
/// in braces.
fn literal(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => format!("{{{}}}", items.iter().map(literal).collect::<Vec<_>>().join(", ")),
        other => other.to_string(),
    }
}
