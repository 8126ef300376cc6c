//! Diff, corridor and matrix reports for people: plain text for a terminal, Markdown for
//! documents, and one self-contained HTML page to circulate.

use crate::analysis::diff::{Cells, Diff, Region, RuleRef};
use crate::table::Column;
use std::fmt::Write as _;

/// A share as a percentage a person reads: `62.5%`, `< 0.1%` for a sliver, never `0%` for
/// something that is there (nor `100%` for something that is not everything).
pub fn percent(share: f64) -> String {
    let p = share * 100.0;
    if share > 0.0 && p < 0.1 {
        "< 0.1%".to_owned()
    } else if share < 1.0 && p > 99.9 {
        "> 99.9%".to_owned()
    } else {
        let text = format!("{p:.1}");
        format!("{}%", text.strip_suffix(".0").unwrap_or(&text))
    }
}

/// A region's constraints in the language's notation: `data: has health; destination: not CN`.
pub fn when_text(when: &Cells, columns: &[Column]) -> Vec<String> {
    when.iter()
        .map(|(fact, cell)| {
            let text = match columns.iter().find(|c| c.fact == *fact) {
                Some(column) => super::cell(cell, column),
                None => format!("{cell:?}"),
            };
            format!("{fact}: {text}")
        })
        .collect()
}

/// A rule as cited in a report: `middle_band (Provisions Art. 8)`.
pub fn rule_text(r: &RuleRef) -> String {
    if r.cite.is_empty() { r.rule.clone() } else { format!("{} ({})", r.rule, r.cite.join("; ")) }
}

fn rules_text(rules: &[RuleRef]) -> String {
    rules.iter().map(rule_text).collect::<Vec<_>>().join(", ")
}

/// How the sides were read, in words.
pub fn reading_text(diff: &Diff) -> String {
    let mut text = match diff.reading {
        crate::analysis::diff::Reading::OriginAligned => "each regime read from its own home".to_owned(),
        crate::analysis::diff::Reading::SameOrigin => "both regimes read with one shared origin".to_owned(),
    };
    if diff.obligations {
        text.push_str("; obligations compared");
    }
    if !diff.given.is_empty() {
        let _ = write!(text, "; only transfers with {}", when_text(&diff.given, &diff.columns).join(", "));
    }
    if let Some(facts) = &diff.facts {
        let _ = write!(text, "; regions shown over {} only", facts.join(", "));
    }
    text
}

/// The one-paragraph summary every format starts with.
pub fn summary_text(diff: &Diff) -> String {
    let t = &diff.totals;
    let (a, b) = (&diff.a.label, &diff.b.label);
    if t.regions == 0 {
        return format!("{a} and {b} decide every transfer alike: 100% agreement, no regions.");
    }
    let mut text = format!(
        "{} agreement. {} in {} where they differ: {a} stricter on {}, {b} stricter on {}, incomparable on {}.",
        percent(t.agreement),
        super::plural(t.regions, "region"),
        super::plural(t.groups, "outcome pair"),
        percent(t.a_stricter),
        percent(t.b_stricter),
        percent(t.incomparable),
    );
    if !diff.accords.is_empty() {
        let _ = write!(text, " Accords resolved {} of the space.", percent(t.resolved));
    }
    text
}

fn region_text(out: &mut String, n: usize, region: &Region, diff: &Diff) {
    let when = when_text(&region.when, &diff.columns);
    let when = if when.is_empty() { "every transfer".to_owned() } else { when.join("; ") };
    let _ = writeln!(out, "  {n}. {when}  ({})", percent(region.share));
    let _ = writeln!(out, "     {}: {}", diff.a.label, rules_text(&region.a_rules));
    let _ = writeln!(out, "     {}: {}", diff.b.label, rules_text(&region.b_rules));
    let _ = writeln!(out, "     witness: {}", region.witness);
}

/// A diff for a terminal.
pub fn diff_text(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "accord diff {} {}  ({})", diff.a.label, diff.b.label, reading_text(diff));
    for side in [&diff.a, &diff.b] {
        let _ = writeln!(out, "  {}: {} (home {})", side.label, side.title, side.home.join(", "));
    }
    let _ = writeln!(out, "\n{}", summary_text(diff));
    for accord in &diff.accords {
        let _ = writeln!(
            out,
            "  accord {} ({}): resolved {}",
            accord.accord.id,
            accord.effective,
            percent(accord.resolved_share)
        );
    }
    let mut n = 0;
    for group in &diff.groups {
        let _ = writeln!(
            out,
            "\n{}: {}  vs  {}: {}  ({}, {})",
            diff.a.label,
            group.a.text(),
            diff.b.label,
            group.b.text(),
            group.class.text(&diff.a.label, &diff.b.label),
            percent(group.share)
        );
        for region in &group.regions {
            n += 1;
            region_text(&mut out, n, region, diff);
        }
    }
    if !diff.resolved.is_empty() {
        let _ = writeln!(out, "\nResolved by accords:");
        for r in &diff.resolved {
            let _ = writeln!(
                out,
                "  {}: {}  vs  {}: {}  by {}  ({})",
                diff.a.label,
                r.a.text(),
                diff.b.label,
                r.b.text(),
                r.accords.join(", "),
                percent(r.share)
            );
        }
    }
    out
}

/// A diff as Markdown.
pub fn diff_markdown(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {} vs {}\n", diff.a.label, diff.b.label);
    let _ = writeln!(out, "{}\n\nCompared with {}.\n", summary_text(diff), reading_text(diff));
    let mut n = 0;
    for group in &diff.groups {
        let _ = writeln!(
            out,
            "## {}: {} / {}: {}\n\n{}, {} of the space.\n",
            diff.a.label,
            group.a.text(),
            diff.b.label,
            group.b.text(),
            group.class.text(&diff.a.label, &diff.b.label),
            percent(group.share)
        );
        let _ = writeln!(out, "| # | where | share | {} | {} |", diff.a.label, diff.b.label);
        let _ = writeln!(out, "|---|---|---|---|---|");
        for region in &group.regions {
            n += 1;
            let when = when_text(&region.when, &diff.columns).join("; ");
            let _ = writeln!(
                out,
                "| {n} | {} | {} | {} | {} |",
                super::escape(&when),
                percent(region.share),
                super::escape(&rules_text(&region.a_rules)),
                super::escape(&rules_text(&region.b_rules))
            );
        }
        out.push('\n');
    }
    out
}

/// A diff as one self-contained HTML page.
pub fn diff_html(diff: &Diff) -> String {
    let mut out = String::new();
    let _ = write!(out, "<!doctype html><meta charset=\"utf-8\"><title>{} vs {}</title>", diff.a.label, diff.b.label);
    let _ = write!(out, "<pre>{}</pre>", html_escape(&diff_text(diff)));
    out
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
