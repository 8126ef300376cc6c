//! Tables and decisions in words, for people: Markdown and plain text. (JSON is the serde form
//! of the types themselves.)

use crate::eval::{Decision, Explained, Verdict};
use crate::syntax::write_number;
use crate::table::{Cell, Column, Outcome, Table, require_groups};
use std::collections::HashSet;
use std::fmt::Write as _;

pub mod corridor;
pub mod coverage;
pub mod dmn;
pub mod jdm;
pub mod matrix;
pub mod report;
pub mod sql;

/// How a share is measured, in one sentence, for every report that gives shares.
pub const MEASURE: &str = "Each share is a share of transfers, weighed by how common each value of each fact is (the \
     weights listed): facts independent of each other, set members present independently, and only transfers \
     consistent with the vocabulary's implications counted. A share depends on what the regimes decide, never on \
     how their rules are written.";

/// A fact's weights in words: `personal 80%, health 5%, others 1% each`, `true 2%`,
/// `0..1 10%, 1..1_000 30%`.
pub fn weights_text(weight: &crate::table::Weight) -> String {
    use crate::table::Shares;
    let pct = |v: f64| {
        let p = v * 100.0;
        if (p - p.round()).abs() < 1e-9 { format!("{}%", p.round()) } else { format!("{p:.3}%").replace(".000", "") }
    };
    let members = |members: &std::collections::BTreeMap<String, f64>, others: Option<f64>, each: &str| {
        let mut listed: Vec<(&String, &f64)> = members.iter().collect();
        listed.sort_by(|x, y| y.1.total_cmp(x.1).then_with(|| x.0.cmp(y.0)));
        let mut parts: Vec<String> = listed.into_iter().map(|(m, v)| format!("{m} {}", pct(*v))).collect();
        if let Some(o) = others {
            parts.push(format!("others {}{each}", pct(o)));
        }
        parts.join(", ")
    };
    match &weight.shares {
        Shares::Members { members: m, others } if m.is_empty() && others.is_some() => "every member alike".to_owned(),
        Shares::Members { members: m, others } => members(m, *others, " together"),
        Shares::Presence { members: m, others } => members(m, *others, " each"),
        Shares::Bool { true_share } => format!("true {}", pct(*true_share)),
        Shares::Counts { bands } => bands
            .iter()
            .map(|b| format!("{}..{} {}", write_number(b.from), write_number(b.until), pct(b.share)))
            .collect::<Vec<_>>()
            .join(", "),
        Shares::Dates { bands } => {
            bands.iter().map(|b| format!("{}..{} {}", b.from, b.until, pct(b.share))).collect::<Vec<_>>().join(", ")
        }
    }
}

/// Text safe for a terminal: every control character but a line break or a tab (an escape, a
/// bell, a carriage return, …) written as `\u{1b}`, the way Rust writes it, so that a title in
/// a rule file cannot move the cursor, recolour the terminal or hide what precedes it.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c.is_control() && !matches!(c, '\n' | '\t');
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `1 file`, `2 files`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 { format!("1 {word}") } else { format!("{n} {word}s") }
}

/// A cell as a person reads it, in the language's own notation: `DE, FR`, `not AT, BE`,
/// `has health; lacks core`, `100_000..1_000_000`, `2024-03-22..`, `yes`.
pub fn cell(cell: &Cell, column: &Column) -> String {
    match cell {
        Cell::Bool { is } => if *is { "yes" } else { "no" }.to_owned(),
        Cell::Enum { members } => {
            // Name the shorter side: the members admitted, or those excluded. Both lists can
            // hold hundreds of names, so the admitted ones are looked up, not searched.
            let admitted: HashSet<&str> = members.iter().map(|m| &**m).collect();
            let excluded: Vec<&str> = column.domain.iter().map(|m| &**m).filter(|m| !admitted.contains(m)).collect();
            if excluded.len() < members.len() { format!("not {}", excluded.join(", ")) } else { members.join(", ") }
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
                let lo = if r.from == 0 { String::new() } else { write_number(r.from) };
                let hi = r.until.map(write_number).unwrap_or_default();
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
        Some(outcome) => outcome.written(),
    }
}

/// Text as XML character data: `&`, `<` and `>` escaped, and the characters XML 1.0 cannot
/// hold (control characters other than tab and newline) written as `\u{…}`.
pub fn xml_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '\t' | '\n' => escaped.push(c),
            c if c.is_control() => escaped.push_str(&format!("\\u{{{:x}}}", u32::from(c))),
            c => escaped.push(c),
        }
    }
    escaped
}

/// Text as an XML attribute value between double quotes.
pub fn xml_attribute(text: &str) -> String {
    xml_text(text).replace('"', "&quot;")
}

/// Text for Markdown, every character that would start markup escaped.
fn escape(text: &str) -> String {
    report::markdown::text(text)
}

/// The table in Markdown: one column per fact, one row per table row, with outcome and
/// citations; then obligations and the default.
pub fn table_markdown(table: &Table) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} (`{}`)\n", escape(&table.title), table.regime);
    let _ = writeln!(out, "- Home: {}", table.home.join(", "));
    if let Some(source) = &table.source {
        let _ = writeln!(out, "- Source: {}", report::markdown::url(source));
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
            row.written_outcome(),
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
            let _ = writeln!(
                out,
                "| `{}`{} | {} | {} |",
                row.obligation,
                upon_words(&row.upon),
                cells.join(" | "),
                escape(&row.cite.join("; "))
            );
        }
    }
    out
}

/// The table as plain text: each row with the cells it constrains.
pub fn table_text(table: &Table) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", table.regime, table.title);
    let _ = writeln!(out, "home: {}", table.home.join(", "));
    if let Some(source) = &table.source {
        let _ = writeln!(out, "source: {source}");
    }
    let _ = writeln!(out, "hash: {}", table.hash);
    let _ = writeln!(out, "\nverdict rows (the first matching row decides):");
    // Cells in column order, as in the Markdown table.
    let cells = |cells: &std::collections::BTreeMap<String, Cell>, out: &mut String| {
        for col in &table.columns {
            if let Some(c) = cells.get(&col.fact) {
                let _ = writeln!(out, "         {}: {}", col.fact, cell(c, col));
            }
        }
    };
    for (i, row) in table.rows.iter().enumerate() {
        let _ = writeln!(out, "  {:>3}. {} \"{}\" [{}]", i + 1, row.rule, row.title, row.cite.join("; "));
        cells(&row.cells, &mut out);
        let _ = writeln!(out, "         → {}", row.written_outcome());
    }
    let _ = writeln!(out, "  default → {}", outcome(table.default.as_ref()));
    let _ = writeln!(out, "\nobligation rows (every matching row applies):");
    if table.obligations.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for row in &table.obligations {
        let _ =
            writeln!(out, "  {}{} \"{}\" [{}]", row.obligation, upon_words(&row.upon), row.title, row.cite.join("; "));
        cells(&row.cells, &mut out);
    }
    out
}

/// " upon `a` or `b`" for an obligation that comes with relying on them; empty otherwise.
fn upon_words(upon: &[String]) -> String {
    if upon.is_empty() { String::new() } else { format!(" upon {}", code_list(upon, " or ")) }
}

fn verdict_words(decision: &Decision) -> String {
    match decision.verdict {
        Verdict::Require => require_groups(&decision.require, &decision.ordered),
        other => other.as_str().to_owned(),
    }
}

fn decided_by(decision: &Decision) -> String {
    match (&decision.rule, decision.verdict) {
        (Some(rule), _) => format!("decided by rule `{rule}` [{}]", decision.cite.join("; ")),
        (None, Verdict::OutOfScope) => {
            "out of the regime's scope: it governs transfers whose origin is in its home and destination is not"
                .to_owned()
        }
        (None, Verdict::Undecided) => {
            "no rule matches and the regime has no `default` (a gap, which `accord check` reports)".to_owned()
        }
        (None, _) => "decided by the default (no rule matched)".to_owned(),
    }
}

/// "the requirement `require a or b` is met by `a` (established by the facts)".
fn met_words(decision: &Decision) -> Option<String> {
    let met = decision.met_by.as_ref()?;
    let through = match met.through {
        crate::eval::MetThrough::Facts => "established by the scenario's facts",
        crate::eval::MetThrough::Safeguards => "listed in `safeguards`",
    };
    let by = code_list(&met.mechanisms, " and ");
    Some(format!("the requirement `{}` is met by {by} ({through})", require_groups(&met.require, &met.ordered)))
}

/// Names in backticks, joined by `separator`.
fn code_list(names: &[String], separator: &str) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(separator)
}

/// "if `cn_standard_contract` is relied on, also: file_standard_contract": one line for each
/// list of obligations, naming every mechanism that brings it.
fn if_chosen_words(decision: &Decision) -> Vec<String> {
    let mut by_list: Vec<(&Vec<String>, Vec<String>)> = Vec::new();
    for (m, obligations) in &decision.if_chosen {
        match by_list.iter_mut().find(|(list, _)| *list == obligations) {
            Some((_, mechanisms)) => mechanisms.push(m.clone()),
            None => by_list.push((obligations, vec![m.clone()])),
        }
    }
    by_list
        .into_iter()
        .map(|(obligations, mechanisms)| {
            format!("if {} is relied on, also: {}", code_list(&mechanisms, " or "), obligations.join(", "))
        })
        .collect()
}

fn safeguards_words(decision: &Decision) -> Option<String> {
    let satisfied = decision.satisfied?;
    Some(match (decision.verdict, satisfied) {
        (Verdict::Prohibit, _) => "prohibited whatever safeguards are in place".to_owned(),
        (Verdict::Undecided, _) => "undecided, so no safeguard can be said to suffice".to_owned(),
        (_, true) => "the safeguards in place meet every requirement".to_owned(),
        (_, false) => "the safeguards in place do not meet every requirement".to_owned(),
    })
}

/// A decision in a few lines.
pub fn decision_text(decision: &Decision) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}: {}", decision.regime, verdict_words(decision));
    let _ = writeln!(out, "  {}", decided_by(decision));
    if let Some(words) = met_words(decision) {
        let _ = writeln!(out, "  {words}");
    }
    if !decision.obligations.is_empty() {
        let _ = writeln!(out, "  obligations: {}", decision.obligations.join(", "));
    }
    for words in if_chosen_words(decision) {
        let _ = writeln!(out, "  {words}");
    }
    if let Some(words) = safeguards_words(decision) {
        let _ = writeln!(out, "  {words}");
    }
    out
}

/// A decision on one line (for streams, where each input line gives one output line).
pub fn decision_line(decision: &Decision) -> String {
    let mut parts = vec![format!("{}: {}", decision.regime, verdict_words(decision)), decided_by(decision)];
    if !decision.obligations.is_empty() {
        parts.push(format!("obligations: {}", decision.obligations.join(", ")));
    }
    parts.extend(if_chosen_words(decision));
    parts.extend(met_words(decision));
    parts.extend(safeguards_words(decision));
    parts.join("; ")
}

/// A decision with the rules before it and what ruled each out.
pub fn explained_text(explained: &Explained) -> String {
    let mut out = decision_text(&explained.decision);
    if !explained.implied.is_empty() {
        let _ = writeln!(out, "  implied by the vocabulary before deciding:");
        for i in &explained.implied {
            let _ = writeln!(out, "    `{}` has `{}`, because `{}` implies it", i.fact, i.member, i.because);
        }
    }
    for e in &explained.established_by {
        let (facts, cite) = (code_list(&e.facts, ", "), e.cite.join("; "));
        let _ = writeln!(out, "  `{}` established by {facts} [{cite}]", e.mechanism);
    }
    for e in &explained.could_be_met_by {
        let (facts, cite) = (code_list(&e.facts, ", "), e.cite.join("; "));
        let _ = writeln!(out, "  facts would meet it with `{}`: {} (from {facts}) [{cite}]", e.mechanism, e.title);
    }
    if explained.ruled_out.is_empty() {
        return out;
    }
    let _ = writeln!(out, "  earlier rules that did not apply:");
    for r in &explained.ruled_out {
        let _ = writeln!(out, "    {} [{}]: ruled out by {}", r.rule, r.cite.join("; "), code_list(&r.facts, ", "));
    }
    out
}
