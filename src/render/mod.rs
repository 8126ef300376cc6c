//! Tables and decisions in words, for people: Markdown and plain text. (JSON is the serde form
//! of the types themselves.)

use crate::eval::{Decision, Explained, Verdict};
use crate::table::{Cell, Column, Outcome, Table};
use std::fmt::Write as _;

/// A cell as a person reads it, in the language's own notation: `DE, FR`, `not AT, BE`,
/// `has health; lacks core`, `100_000..1_000_000`, `2024-03-22..`, `yes`.
pub fn cell(cell: &Cell, column: &Column) -> String {
    match cell {
        Cell::Bool { is } => if *is { "yes" } else { "no" }.to_owned(),
        Cell::Enum { members } => {
            // Name the shorter side: the members admitted, or those excluded.
            let excluded: Vec<&String> = column.domain.iter().filter(|m| !members.contains(m)).collect();
            if excluded.len() < members.len() {
                format!("not {}", excluded.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "))
            } else {
                members.join(", ")
            }
        }
        Cell::Set { has, lacks } => {
            let mut parts = Vec::new();
            if !has.is_empty() {
                parts.push(format!("has {}", has.join(", ")));
            }
            if !lacks.is_empty() {
                parts.push(format!("lacks {}", lacks.join(", ")));
            }
            parts.join("; ")
        }
        Cell::Counts { counts } => counts
            .iter()
            .map(|r| {
                let lo = if r.from == 0 { String::new() } else { grouped(r.from) };
                let hi = r.until.map(grouped).unwrap_or_default();
                format!("{lo}..{hi}")
            })
            .collect::<Vec<_>>()
            .join(" or "),
        Cell::Dates { dates } => dates
            .iter()
            .map(|r| format!("{}..{}", r.from.clone().unwrap_or_default(), r.until.clone().unwrap_or_default()))
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

/// An outcome as written in rule files: `permit`, `require a or b and require c`.
pub fn outcome(outcome: Option<&Outcome>) -> String {
    match outcome {
        None => "(none: a gap)".to_owned(),
        Some(Outcome::Permit) => "permit".to_owned(),
        Some(Outcome::Prohibit) => "prohibit".to_owned(),
        Some(Outcome::Require { require }) => require_groups(require),
    }
}

fn require_groups(groups: &[Vec<String>]) -> String {
    groups.iter().map(|g| format!("require {}", g.join(" or "))).collect::<Vec<_>>().join(" and ")
}

fn grouped(n: i64) -> String {
    let digits = n.to_string();
    if digits.len() <= 4 {
        return digits;
    }
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('_');
        }
        out.push(c);
    }
    out
}

fn escape(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The table in Markdown: one column per fact, one row per table row, with outcome and
/// citations; then obligations and the default.
pub fn table_markdown(table: &Table) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} (`{}`)\n", escape(&table.title), table.regime);
    let _ = writeln!(out, "- Home: {}", table.home.join(", "));
    if let Some(source) = &table.source {
        let _ = writeln!(out, "- Source: <{source}>");
    }
    let _ = writeln!(out, "- Format: `{}`, hash `{}`", table.format, table.hash);
    let _ = writeln!(
        out,
        "- Scope: `{}` in home and `{}` not in home; otherwise `out_of_scope`\n",
        table.scope.origin, table.scope.destination
    );
    let _ = writeln!(out, "## Verdict rows (the first matching row decides)\n");
    let facts: Vec<&str> = table.columns.iter().map(|c| c.fact.as_str()).collect();
    let _ = writeln!(out, "| # | rule | {} | outcome | cite |", facts.join(" | "));
    let _ = writeln!(out, "|---|---|{}---|---|", "---|".repeat(facts.len()));
    for (i, row) in table.rows.iter().enumerate() {
        let cells: Vec<String> = table
            .columns
            .iter()
            .map(|c| row.cells.get(&c.fact).map(|x| escape(&cell(x, c))).unwrap_or_else(|| "–".into()))
            .collect();
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            i + 1,
            row.rule,
            cells.join(" | "),
            outcome(Some(&row.outcome)),
            escape(&row.cite.join("; "))
        );
    }
    let _ = writeln!(out, "\nDefault: {}\n", outcome(table.default.as_ref()));
    let _ = writeln!(out, "## Obligation rows (every matching row applies)\n");
    if table.obligations.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(out, "| obligation | {} | cite |", facts.join(" | "));
        let _ = writeln!(out, "|---|{}---|", "---|".repeat(facts.len()));
        for row in &table.obligations {
            let cells: Vec<String> = table
                .columns
                .iter()
                .map(|c| row.cells.get(&c.fact).map(|x| escape(&cell(x, c))).unwrap_or_else(|| "–".into()))
                .collect();
            let _ =
                writeln!(out, "| `{}` | {} | {} |", row.obligation, cells.join(" | "), escape(&row.cite.join("; ")));
        }
    }
    out
}

/// The table as plain text: each row with the cells it constrains.
pub fn table_text(table: &Table) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", table.regime, table.title);
    let _ = writeln!(out, "home: {}", table.home.join(", "));
    let _ = writeln!(out, "hash: {}", table.hash);
    let _ = writeln!(out, "\nverdict rows (the first matching row decides):");
    let column = |fact: &str| table.columns.iter().find(|c| c.fact == fact);
    for (i, row) in table.rows.iter().enumerate() {
        let _ = writeln!(out, "  {:>3}. {} \"{}\" [{}]", i + 1, row.rule, row.title, row.cite.join("; "));
        for (fact, c) in &row.cells {
            if let Some(col) = column(fact) {
                let _ = writeln!(out, "         {fact}: {}", cell(c, col));
            }
        }
        let _ = writeln!(out, "         → {}", outcome(Some(&row.outcome)));
    }
    let _ = writeln!(out, "  default → {}", outcome(table.default.as_ref()));
    let _ = writeln!(out, "\nobligation rows (every matching row applies):");
    for row in &table.obligations {
        let _ = writeln!(out, "  {} \"{}\" [{}]", row.obligation, row.title, row.cite.join("; "));
        for (fact, c) in &row.cells {
            if let Some(col) = column(fact) {
                let _ = writeln!(out, "         {fact}: {}", cell(c, col));
            }
        }
    }
    out
}

/// A decision in one or a few lines.
pub fn decision_text(decision: &Decision) -> String {
    let mut out = String::new();
    let verdict = match decision.verdict {
        Verdict::Require => require_groups(&decision.require),
        other => other.as_str().to_owned(),
    };
    let _ = writeln!(out, "{}: {verdict}", decision.regime);
    match &decision.rule {
        Some(rule) => {
            let _ = writeln!(out, "  decided by rule `{rule}` [{}]", decision.cite.join("; "));
        }
        None if decision.verdict != Verdict::OutOfScope => {
            let _ = writeln!(out, "  decided by the default (no rule matched)");
        }
        None => {
            let _ = writeln!(out, "  the transfer does not leave the regime's home");
        }
    }
    if !decision.obligations.is_empty() {
        let _ = writeln!(out, "  obligations: {}", decision.obligations.join(", "));
    }
    if let Some(satisfied) = decision.satisfied {
        let _ = writeln!(
            out,
            "  safeguards in place {}",
            if satisfied { "meet every requirement" } else { "do not meet every requirement" }
        );
    }
    out
}

/// A decision with the rules before it and what ruled each out.
pub fn explained_text(explained: &Explained) -> String {
    let mut out = decision_text(&explained.decision);
    if explained.ruled_out.is_empty() {
        return out;
    }
    let _ = writeln!(out, "  earlier rules that did not apply:");
    for r in &explained.ruled_out {
        let facts: Vec<String> = r.facts.iter().map(|f| format!("`{f}`")).collect();
        let _ = writeln!(out, "    {} [{}]: ruled out by {}", r.rule, r.cite.join("; "), facts.join(", "));
    }
    out
}
