//! Diff, corridor and matrix reports for people: plain text for a terminal, Markdown for
//! documents, and one self-contained HTML page to circulate.

use crate::analysis::diff::{Cells, Class, Diff, Listing, Reading, Region, RuleRef};
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
    when_parts(when, columns).into_iter().map(|(fact, text)| format!("{fact}: {text}")).collect()
}

/// The facts a region constrains, each with its cell in words.
fn when_parts(when: &Cells, columns: &[Column]) -> Vec<(String, String)> {
    when.iter()
        .map(|(fact, cell)| {
            let text = match columns.iter().find(|c| c.fact == *fact) {
                Some(column) => super::cell(cell, column),
                None => format!("{cell:?}"),
            };
            (fact.clone(), text)
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

/// How regimes were read, in words: `each regime read from its own home; obligations compared`.
pub fn reading_words(reading: Reading, obligations: bool) -> String {
    let text = match reading {
        Reading::OriginAligned => "each regime read from its own home",
        Reading::SameOrigin => "both regimes read with one shared origin",
    };
    if obligations { format!("{text}; obligations compared") } else { text.to_owned() }
}

/// How the sides were read, in words.
pub fn reading_text(diff: &Diff) -> String {
    let mut text = reading_words(diff.reading, diff.obligations);
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
    if t.groups == 0 {
        return format!("{a} and {b} decide every transfer alike: 100% agreement, no regions.");
    }
    let mut text = format!(
        "{} agreement. {} in {} where they differ: {a} stricter on {}, {b} stricter on {}, incomparable on {}.",
        percent(t.agreement),
        super::plural(t.regions, "region")
            + if diff.listing == Listing::RulePairs { " (one per pair of deciding rules)" } else { "" },
        super::plural(t.groups, "outcome pair"),
        percent(t.a_stricter),
        percent(t.b_stricter),
        percent(t.incomparable),
    );
    if diff.groups.iter().any(|g| g.partial) {
        let _ = write!(text, " Not every region is listed (see the pairs that say so); every share is exact.");
    }
    if !diff.accords.is_empty() {
        let _ = write!(text, " Accords resolved {} of the transfers compared.", percent(t.resolved));
    }
    if t.bridged > 0.0 {
        let _ = write!(text, " One mechanism meets both sides on {} (bridged).", percent(t.bridged));
    }
    text
}

/// What a rule pair's region is, in the "where" column.
const RULE_PAIR_WHERE: &str = "where both rules decide";

fn region_text(out: &mut String, n: usize, region: &Region, diff: &Diff) {
    let when = match &region.when {
        Some(when) if when.is_empty() => "every transfer".to_owned(),
        Some(when) => when_text(when, &diff.columns).join("; "),
        None => RULE_PAIR_WHERE.to_owned(),
    };
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
        let tail = format!("{}, {}", group.class.text(&diff.a.label, &diff.b.label), percent(group.share));
        let _ = writeln!(out, "\n{}", pair_heading((&diff.a.label, &group.a), (&diff.b.label, &group.b), &tail));
        for note in group_notes(group) {
            let _ = writeln!(out, "  ({note})");
        }
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
    weights_lines(&mut out, &diff.weights);
    out
}

/// A rule reference that names no rule: the default, a gap, or the part out of scope.
fn is_pseudo(r: &RuleRef) -> bool {
    r.location.is_none() && matches!(r.rule.as_str(), "default" | "gap" | "out_of_scope")
}

/// How shares are measured (a reader needs to know what a percentage is a percentage of).
fn measure_text() -> &'static str {
    super::MEASURE
}

/// The weights of a report, one line per fact, for a terminal.
pub(crate) fn weights_lines(out: &mut String, weights: &[crate::table::Weight]) {
    if weights.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nWeights (shares are of transfers weighed so; `--weights FILE` for others):");
    for w in weights {
        let _ = writeln!(out, "  {}: {} ({})", w.fact, w.title, w.cite.join("; "));
    }
}

/// The weights of a report as a Markdown section.
pub(crate) fn weights_markdown(out: &mut String, weights: &[crate::table::Weight]) {
    if weights.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n## Weights\n\n{}\n", markdown::text(measure_text()));
    let rows: Vec<Vec<String>> = weights
        .iter()
        .map(|w| {
            vec![
                markdown::code(&w.fact),
                markdown::text(&w.title),
                markdown::text(&super::weights_text(w)),
                markdown::text(&w.cite.join("; ")),
            ]
        })
        .collect();
    out.push_str(&markdown::table(&["fact", "weights", "shares", "source"], &rows));
}

/// The weights of a report as an HTML section.
pub(crate) fn weights_html(out: &mut String, weights: &[crate::table::Weight]) {
    if weights.is_empty() {
        return;
    }
    let e = html::escape;
    let _ = writeln!(out, "<section id=\"weights\">\n<h2>Weights</h2>\n<p class=\"note\">{}</p>", e(measure_text()));
    let _ = writeln!(
        out,
        "<table class=\"weights\">\n<thead><tr><th>fact</th><th>weights</th><th>shares</th><th>source</th></tr></thead>\n<tbody>"
    );
    for w in weights {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            e(&w.fact),
            e(&w.title),
            e(&super::weights_text(w)),
            e(&w.cite.join("; "))
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>\n</section>");
}

/// What a region promises, in one paragraph; `code` writes a command in the format's markup.
fn exactness_text(diff: &Diff, code: fn(&str) -> String) -> String {
    let mut text = format!(
        "Nothing is sampled: every transfer in a region is decided as listed, and a transfer in no region is decided \
         alike by both. Each witness is one transfer of its region, which {} decides as shown.",
        code("accord eval")
    );
    if diff.reading == Reading::OriginAligned {
        text.push_str(" Witnesses give no origin: each regime reads it as its own home.");
    }
    text
}

/// What a group's class rests on, and the kinship of its requirements, in words.
fn group_notes(group: &crate::analysis::diff::Group) -> Vec<String> {
    let mut notes = Vec::new();
    if group.order_only {
        notes.push("same alternatives, different order".to_owned());
    }
    if !group.class_by.is_empty() {
        notes.push(format!("classed by the strength order {}", super::code_list(&group.class_by, ", ")));
    }
    if !group.families.is_empty() {
        let families = super::code_list(&group.families, ", ");
        notes.push(format!("both need a mechanism of the family {families}, of different instruments"));
    }
    if !group.bridged_by.is_empty() {
        notes.push(format!(
            "bridged on {}: {} alone meets both",
            percent(group.bridged),
            super::code_list(&group.bridged_by, " or ")
        ));
    }
    if group.partial {
        let listed = match group.regions.len() {
            0 => "none of its regions are listed (larger pairs took the report's boxes)".to_owned(),
            n => format!("only its first {} are listed", super::plural(n, "region")),
        };
        notes.push(format!(
            "{listed}: a report lists at most {} boxes; its share is exact; narrow the question with `--given`, \
             or list one region per pair of deciding rules with `--by-rules`",
            crate::syntax::write_number(i64::try_from(crate::analysis::diff::MAX_BOXES).unwrap_or(i64::MAX))
        ));
    }
    notes
}

/// The stylesheet class of a comparison class.
fn class_key(class: Class) -> &'static str {
    match class {
        Class::AStricter => "a-stricter",
        Class::BStricter => "b-stricter",
        Class::Incomparable => "incomparable",
    }
}

/// Agreement and the three classes of difference, as bar segments.
fn class_segments(diff: &Diff) -> Vec<html::Segment> {
    let t = &diff.totals;
    vec![
        html::Segment { label: "agree".to_owned(), share: t.agreement, class: "agree" },
        html::Segment { label: format!("{} stricter", diff.a.label), share: t.a_stricter, class: "a-stricter" },
        html::Segment { label: format!("{} stricter", diff.b.label), share: t.b_stricter, class: "b-stricter" },
        html::Segment { label: "incomparable".to_owned(), share: t.incomparable, class: "incomparable" },
    ]
}

/// The rules that decide somewhere in a diff, per side, each once, in order of first mention.
fn rules_cited(diff: &Diff, first: bool) -> Vec<&RuleRef> {
    let mut out: Vec<&RuleRef> = Vec::new();
    for region in diff.groups.iter().flat_map(|g| &g.regions) {
        let rules = if first { &region.a_rules } else { &region.b_rules };
        for r in rules.iter().filter(|r| !is_pseudo(r)) {
            if !out.iter().any(|seen| seen.rule == r.rule) {
                out.push(r);
            }
        }
    }
    out
}

/// Markdown building blocks for reports.
pub mod markdown {
    /// Text as Markdown shows it literally, safe inside a table cell: every character that
    /// could start markup, HTML or an entity is escaped, and line breaks become spaces (a
    /// break would end the table row).
    pub fn text(text: &str) -> String {
        let chars: Vec<char> = text.chars().collect();
        let in_word = |i: Option<usize>| i.and_then(|i| chars.get(i)).is_some_and(|c| c.is_alphanumeric());
        let mut out = String::with_capacity(text.len());
        for (i, &c) in chars.iter().enumerate() {
            match c {
                '\r' => {}
                '\n' => out.push(' '),
                '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|' | '#' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                }
                // An underscore inside a word never starts emphasis, so identifiers stay as
                // written (`no_personal`, `10_000`).
                '_' if !(in_word(i.checked_sub(1)) && in_word(i.checked_add(1))) => out.push_str("\\_"),
                _ => out.push(c),
            }
        }
        out
    }

    /// Inline code for a table cell: `|` escaped (inside a table, GitHub-flavoured Markdown
    /// reads `\|` in code as `|`), and a fence longer than any run of backticks inside.
    pub fn code(text: &str) -> String {
        let text = text.replace(['\r', '\n'], " ").replace('|', "\\|");
        let mut longest = 0;
        let mut run = 0;
        for c in text.chars() {
            run = if c == '`' { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        let fence = "`".repeat(longest + 1);
        let pad = if text.starts_with('`') || text.ends_with('`') { " " } else { "" };
        format!("{fence}{pad}{text}{pad}{fence}")
    }

    /// A URL as an autolink (`<https://…>`) when it can be one, or else as plain text.
    pub fn url(url: &str) -> String {
        let plain = |c: char| c.is_whitespace() || c.is_control() || c == '<' || c == '>';
        if super::html::href(url).is_some() && !url.contains(plain) { format!("<{url}>") } else { text(url) }
    }

    /// A table with a header row; every cell is Markdown already.
    pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
        let mut out = format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len()));
        for row in rows {
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
        out
    }
}

/// HTML building blocks for reports: escaping, links, one page shell with its stylesheet,
/// headline figures, and a stacked share bar drawn as inline SVG. A page made with them is
/// one file that loads nothing and runs no script.
pub mod html {
    use std::fmt::Write as _;

    /// A JSON value (a witness) escaped for HTML, with a line break between its elements, so
    /// that a narrow column wraps it between members, not inside them (the breaks read as
    /// spaces; the text stays JSON that `accord eval` reads).
    pub fn json(value: &serde_json::Value) -> String {
        use serde::Serialize as _;
        let mut bytes = Vec::new();
        let mut writer =
            serde_json::Serializer::with_formatter(&mut bytes, serde_json::ser::PrettyFormatter::with_indent(b""));
        match value.serialize(&mut writer) {
            Ok(()) => escape(&String::from_utf8_lossy(&bytes)),
            Err(_) => escape(&value.to_string()),
        }
    }

    /// Text escaped for HTML content and quoted attribute values.
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                _ => out.push(c),
            }
        }
        out
    }

    /// `url` escaped for an `href` when it is a web address; `None` for anything else, since
    /// a source is user input and a `javascript:` link in a circulated page would run.
    pub fn href(url: &str) -> Option<String> {
        let lower = url.trim().to_ascii_lowercase();
        (lower.starts_with("https://") || lower.starts_with("http://")).then(|| escape(url.trim()))
    }

    /// `text` linked to `url` when there is a web address to link to, else plain text.
    pub fn link(url: Option<&str>, text: &str) -> String {
        match url.and_then(href) {
            Some(href) => format!("<a href=\"{href}\">{}</a>", escape(text)),
            None => escape(text),
        }
    }

    /// The stylesheet every report page shares. Colours of the share classes are `k-…`
    /// classes so bars, legends and tables agree; in print, backgrounds go, rows stay whole,
    /// and links read as text.
    pub const STYLE: &str = r#"
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --head: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 75rem; margin: 0 auto; padding: 2rem 1.5rem 3rem; }
h1 { font-size: 1.7rem; line-height: 1.25; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2.25rem 0 .5rem; padding-bottom: .25rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 1.75rem 0 .25rem; }
.kicker { margin: 0; color: var(--muted); font-size: .75rem; letter-spacing: .08em; text-transform: uppercase; }
.subtitle { margin: 0 0 1rem; color: var(--muted); }
.lead { font-size: 1.1rem; }
.muted, .loc, .note { color: var(--muted); }
.loc { font-size: .8rem; white-space: nowrap; }
.note { font-size: .9rem; }
dl.figures { display: flex; flex-wrap: wrap; gap: .75rem; margin: 1rem 0; }
dl.figures div { min-width: 8.5rem; padding: .5rem .9rem; border: 1px solid var(--line); border-radius: 6px; }
dl.figures dt { color: var(--muted); font-size: .8rem; }
dl.figures dd { margin: 0; font-size: 1.4rem; font-weight: 600; font-variant-numeric: tabular-nums; }
figure.bar { margin: 1rem 0; }
svg.bar { display: block; width: 100%; height: 28px; border: 1px solid var(--line); }
ul.legend { display: flex; flex-wrap: wrap; gap: .4rem 1.25rem; margin: .5rem 0 0; padding: 0; list-style: none; font-size: .9rem; }
svg.swatch { margin-right: .35rem; vertical-align: -1px; }
.k-agree { fill: #bfc5cc; }
.k-a-stricter { fill: #0072b2; }
.k-b-stricter { fill: #e69f00; }
.k-incomparable { fill: #cc79a7; }
.k-resolved { fill: #009e73; }
.class { display: inline-block; margin-left: .35rem; padding: 0 .5rem; border: 1px solid currentColor; border-radius: 999px; font-size: .8rem; font-weight: 600; vertical-align: .1em; }
.class.a-stricter { color: #005a8c; }
.class.b-stricter { color: #8a5f00; }
.class.incomparable { color: #a3457f; }
table { width: 100%; margin: .5rem 0 1rem; border-collapse: collapse; font-size: .9rem; }
th, td { padding: .35rem .5rem; border: 1px solid var(--line); text-align: left; vertical-align: top; }
thead th { background: var(--head); }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font: .85em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
code.witness, .hash { overflow-wrap: anywhere; }
table.regions { table-layout: fixed; }
table.regions th:nth-child(1) { width: 2.5em; }
table.regions th:nth-child(2) { width: 27%; }
table.regions th:nth-child(3) { width: 4.5em; }
table.regions th:nth-child(6) { width: 20%; }
table.regions td { overflow-wrap: anywhere; }
table.regions .loc { white-space: normal; }
ul.plain { margin: 0; padding: 0; list-style: none; }
ul.plain li + li { margin-top: .3rem; }
.fact { font-weight: 600; }
a { color: #0550ae; }
footer { margin-top: 3rem; padding-top: .5rem; border-top: 1px solid var(--line); color: var(--muted); font-size: .8rem; }
@media print {
  @page { margin: 15mm; }
  body { font-size: 10pt; }
  table { font-size: 8pt; }
  .loc { font-size: 7pt; }
  main { max-width: none; padding: 0; }
  a { color: inherit; text-decoration: none; }
  thead th { background: none; }
  thead { display: table-header-group; }
  tr, dl.figures div, figure.bar { break-inside: avoid; page-break-inside: avoid; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"#;

    /// A whole page: `body` (HTML) in the shared shell. The content security policy forbids
    /// every fetch and every script, so the page stays self-contained wherever it is opened.
    pub fn page(title: &str, body: &str) -> String {
        format!(
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n{body}</main>\n</body>\n</html>\n",
            escape(title)
        )
    }

    /// A headline figure: a label and a value, the value in an element with a stable `id`
    /// (and its exact share in `data-share`, when it is one) for readers and tools.
    pub fn figure(id: &str, label: &str, value: &str, share: Option<f64>) -> String {
        let data = share.map(|s| format!(" data-share=\"{s}\"")).unwrap_or_default();
        format!("<div><dt>{}</dt><dd id=\"{id}\"{data}>{}</dd></div>", escape(label), escape(value))
    }

    /// One part of a stacked bar.
    #[derive(Debug, Clone)]
    pub struct Segment {
        /// What it stands for, in words.
        pub label: String,
        /// Its share of the whole, from 0 to 1.
        pub share: f64,
        /// The colour class, without its `k-` prefix: `agree`, `a-stricter`, `b-stricter`,
        /// `incomparable`, `resolved`.
        pub class: &'static str,
    }

    /// A small square in a class's colour, drawn in SVG so that it prints (browsers drop
    /// CSS backgrounds when printing, but not SVG fills).
    pub fn swatch(class: &str) -> String {
        format!(
            "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><rect class=\"k-{class}\" \
             width=\"12\" height=\"12\"/></svg>"
        )
    }

    /// A horizontal bar of shares, left to right in the order given, as inline SVG, with a
    /// legend giving each share as a percentage. `caption` names the whole for screen readers.
    pub fn stacked_bar(caption: &str, segments: &[Segment]) -> String {
        let parts: Vec<String> = segments.iter().map(|s| format!("{} {}", s.label, super::percent(s.share))).collect();
        let mut out = format!(
            "<figure class=\"bar\">\n<svg class=\"bar\" viewBox=\"0 0 1000 28\" preserveAspectRatio=\"none\" \
             role=\"img\" aria-label=\"{}\">",
            escape(&format!("{caption}: {}", parts.join(", ")))
        );
        let mut x = 0.0;
        for s in segments {
            let width = s.share.clamp(0.0, 1.0) * 1000.0;
            if width > 0.0 {
                let _ = write!(
                    out,
                    "<rect class=\"k-{}\" x=\"{x:.2}\" y=\"0\" width=\"{width:.2}\" height=\"28\"><title>{}: {}</title></rect>",
                    s.class,
                    escape(&s.label),
                    super::percent(s.share)
                );
            }
            x += width;
        }
        out.push_str("</svg>\n<figcaption><ul class=\"legend\">");
        for s in segments {
            let _ = write!(
                out,
                "<li>{}{} <span class=\"num\">{}</span></li>",
                swatch(s.class),
                escape(&s.label),
                super::percent(s.share)
            );
        }
        out.push_str("</ul></figcaption>\n</figure>\n");
        out
    }
}

/// The deciding rules of one side for a Markdown cell: ids in code, citations after.
fn rules_markdown(rules: &[RuleRef]) -> String {
    let parts: Vec<String> = rules
        .iter()
        .map(|r| {
            if is_pseudo(r) {
                markdown::text(&r.title)
            } else if r.cite.is_empty() {
                markdown::code(&r.rule)
            } else {
                format!("{} ({})", markdown::code(&r.rule), markdown::text(&r.cite.join("; ")))
            }
        })
        .collect();
    parts.join("; ")
}

/// A region's constraints for a Markdown cell.
fn when_markdown(when: &Cells, columns: &[Column]) -> String {
    let parts = when_parts(when, columns);
    if parts.is_empty() {
        return "every transfer".to_owned();
    }
    parts
        .iter()
        .map(|(fact, text)| format!("{}: {}", markdown::code(fact), markdown::text(text)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// A diff as Markdown: the summary, how the regimes were compared, accords, a table of
/// regions per pair of outcomes, and the rules cited with where they are written.
pub fn diff_markdown(diff: &Diff) -> String {
    let (a, b) = (&diff.a, &diff.b);
    let mut out = String::new();
    let _ = writeln!(out, "# Diff: {} vs {}\n", markdown::text(&a.label), markdown::text(&b.label));
    let _ = writeln!(out, "{}\n", markdown::text(&summary_text(diff)));
    let mut shares: Vec<Vec<String>> =
        class_segments(diff).into_iter().map(|s| vec![markdown::text(&s.label), percent(s.share)]).collect();
    if !diff.accords.is_empty() {
        shares.push(vec!["resolved by accords".to_owned(), percent(diff.totals.resolved)]);
    }
    shares.push(vec!["bridged (one mechanism meets both)".to_owned(), percent(diff.totals.bridged)]);
    out.push_str(&markdown::table(&["", "share of the transfers compared"], &shares));

    let _ = writeln!(out, "\n## How the regimes were compared\n");
    for side in [a, b] {
        let _ = write!(
            out,
            "- **{}**: {} (home {})",
            markdown::text(&side.label),
            markdown::text(&side.title),
            markdown::text(&side.home.join(", "))
        );
        if let Some(date) = &side.date {
            let _ = write!(out, ", read on transfers dated {date}");
        }
        if let Some(source) = &side.source {
            let _ = write!(out, "; source {}", markdown::url(source));
        }
        let _ = writeln!(out, "; table `{}`", side.hash);
    }
    let _ = writeln!(out, "- Reading: {}.", markdown::text(&reading_text(diff)));
    let _ = writeln!(out, "- {}", measure_text());
    let _ = writeln!(out, "- {}", exactness_text(diff, markdown::code));

    if !diff.accords.is_empty() {
        let _ = writeln!(out, "\n## Accords applied\n");
        let rows: Vec<Vec<String>> = diff
            .accords
            .iter()
            .map(|u| {
                vec![
                    markdown::code(&u.accord.id),
                    markdown::text(&u.accord.title),
                    markdown::text(&u.accord.cite.join("; ")),
                    markdown::text(&u.effective),
                    percent(u.resolved_share),
                ]
            })
            .collect();
        out.push_str(&markdown::table(&["accord", "title", "cite", "in effect", "resolved"], &rows));
        if !diff.resolved.is_empty() {
            let _ = writeln!(out, "\nDifferences the accords resolved:\n");
            let rows: Vec<Vec<String>> = diff
                .resolved
                .iter()
                .map(|r| {
                    vec![
                        markdown::text(&r.a.text()),
                        markdown::text(&r.b.text()),
                        r.accords.iter().map(|id| markdown::code(id)).collect::<Vec<_>>().join(", "),
                        percent(r.share),
                    ]
                })
                .collect();
            let header = [markdown::text(&a.label), markdown::text(&b.label)];
            out.push_str(&markdown::table(&[&header[0], &header[1], "resolved by", "share"], &rows));
        }
    }

    let _ = writeln!(out, "\n## Where they differ\n");
    if diff.groups.is_empty() {
        let _ = writeln!(out, "Nowhere: every transfer is decided alike.");
    }
    let header = ["#", "where", "share", &markdown::text(&a.label), &markdown::text(&b.label), "witness"];
    let mut n = 0;
    for group in &diff.groups {
        let _ = writeln!(
            out,
            "### {}: {} / {}: {}\n\n{}; {} of the transfers compared; {}.\n",
            markdown::text(&a.label),
            markdown::text(&group.a.text()),
            markdown::text(&b.label),
            markdown::text(&group.b.text()),
            markdown::text(&group.class.text(&a.label, &b.label)),
            percent(group.share),
            super::plural(group.regions.len(), "region")
        );
        for note in group_notes(group) {
            let _ = writeln!(out, "_{}._\n", markdown::text(&note));
        }
        let rows: Vec<Vec<String>> = group
            .regions
            .iter()
            .map(|region| {
                n += 1;
                vec![
                    n.to_string(),
                    region
                        .when
                        .as_ref()
                        .map_or_else(|| markdown::text(RULE_PAIR_WHERE), |when| when_markdown(when, &diff.columns)),
                    percent(region.share),
                    rules_markdown(&region.a_rules),
                    rules_markdown(&region.b_rules),
                    markdown::code(&region.witness.to_string()),
                ]
            })
            .collect();
        out.push_str(&markdown::table(&header, &rows));
        out.push('\n');
    }

    let cited = [(a, rules_cited(diff, true)), (b, rules_cited(diff, false))];
    if cited.iter().any(|(_, rules)| !rules.is_empty()) {
        let _ = writeln!(out, "## Rules cited\n");
        for (side, rules) in cited.iter().filter(|(_, rules)| !rules.is_empty()) {
            let _ = writeln!(out, "### {}\n", markdown::text(&side.label));
            let rows: Vec<Vec<String>> = rules
                .iter()
                .map(|r| {
                    vec![
                        markdown::code(&r.rule),
                        markdown::text(&r.title),
                        markdown::text(&r.cite.join("; ")),
                        r.location
                            .as_ref()
                            .map(|l| markdown::text(&format!("{}:{}", l.file, l.line)))
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            out.push_str(&markdown::table(&["rule", "title", "cite", "written at"], &rows));
            out.push('\n');
        }
    }
    weights_markdown(&mut out, &diff.weights);
    out
}

/// The deciding rules of one side for an HTML cell: id, title, citations linked to the
/// regime's source, and where the rule is written.
fn rules_html(rules: &[RuleRef], source: Option<&str>) -> String {
    let mut out = String::from("<ul class=\"plain\">");
    for r in rules {
        if is_pseudo(r) {
            let _ = write!(out, "<li class=\"muted\">{}</li>", html::escape(&r.title));
            continue;
        }
        let _ = write!(out, "<li><code>{}</code> {}", html::escape(&r.rule), html::escape(&r.title));
        if !r.cite.is_empty() {
            let cites: Vec<String> = r.cite.iter().map(|c| html::link(source, c)).collect();
            let _ = write!(out, "<br><span class=\"cite\">{}</span>", cites.join("; "));
        }
        if let Some(l) = &r.location {
            let _ = write!(out, " <span class=\"loc\">{}:{}</span>", html::escape(&l.file), l.line);
        }
        out.push_str("</li>");
    }
    out.push_str("</ul>");
    out
}

/// A region's constraints for an HTML cell, one fact per line.
fn when_html(when: &Cells, columns: &[Column]) -> String {
    let parts = when_parts(when, columns);
    if parts.is_empty() {
        return "every transfer".to_owned();
    }
    let items: Vec<String> = parts
        .iter()
        .map(|(fact, text)| {
            format!("<li><span class=\"fact\">{}</span> {}</li>", html::escape(fact), html::escape(text))
        })
        .collect();
    format!("<ul class=\"plain\">{}</ul>", items.concat())
}

/// A diff as one self-contained HTML page: the summary with headline figures and a share bar,
/// how the regimes were compared, accords, then one section per pair of outcomes with a table
/// of its regions.
pub fn diff_html(diff: &Diff) -> String {
    let (a, b) = (&diff.a, &diff.b);
    let t = &diff.totals;
    let e = html::escape;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<header>\n<p class=\"kicker\">accord diff</p>\n<h1>{} vs {}</h1>\n<p class=\"subtitle\">{} <span class=\"muted\">vs</span> {}</p>\n</header>",
        e(&a.label),
        e(&b.label),
        e(&a.title),
        e(&b.title)
    );

    let _ = writeln!(out, "<section id=\"summary\">\n<h2>Summary</h2>");
    let _ = writeln!(out, "<p class=\"lead\" id=\"summary-text\">{}</p>", e(&summary_text(diff)));
    let mut figures = vec![
        html::figure("agreement", "agreement", &percent(t.agreement), Some(t.agreement)),
        html::figure("regions", "regions", &t.regions.to_string(), None),
        html::figure("groups", "outcome pairs", &t.groups.to_string(), None),
        html::figure("a-stricter", &format!("{} stricter", a.label), &percent(t.a_stricter), Some(t.a_stricter)),
        html::figure("b-stricter", &format!("{} stricter", b.label), &percent(t.b_stricter), Some(t.b_stricter)),
        html::figure("incomparable", "incomparable", &percent(t.incomparable), Some(t.incomparable)),
    ];
    if !diff.accords.is_empty() {
        figures.push(html::figure("resolved", "resolved by accords", &percent(t.resolved), Some(t.resolved)));
    }
    figures.push(html::figure("bridged", "bridged (one mechanism meets both)", &percent(t.bridged), Some(t.bridged)));
    let _ = writeln!(out, "<dl class=\"figures\">{}</dl>", figures.concat());
    out.push_str(&html::stacked_bar("Share of the transfers compared", &class_segments(diff)));
    let _ = writeln!(out, "</section>");

    let _ = writeln!(out, "<section id=\"compared\">\n<h2>How the regimes were compared</h2>");
    let _ = writeln!(
        out,
        "<table class=\"sides\">\n<thead><tr><th>side</th><th>regime</th><th>home</th><th>read on</th><th>source</th><th>table</th></tr></thead>\n<tbody>"
    );
    for side in [a, b] {
        let source = side.source.as_deref().map(|s| html::link(Some(s), s)).unwrap_or_default();
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{source}</td><td><code class=\"hash\">{}</code></td></tr>",
            e(&side.label),
            e(&side.title),
            e(&side.home.join(", ")),
            e(side.date.as_deref().unwrap_or("every date")),
            e(&side.hash)
        );
    }
    let _ = writeln!(out, "</tbody>\n</table>");
    let _ = writeln!(out, "<p>Reading: {}.</p>", e(&reading_text(diff)));
    let _ = writeln!(
        out,
        "<p class=\"note\">{} {}</p>\n</section>",
        measure_text(),
        exactness_text(diff, |c| format!("<code>{}</code>", html::escape(c)))
    );

    if !diff.accords.is_empty() {
        let _ = writeln!(
            out,
            "<section id=\"accords\">\n<h2>Accords applied</h2>\n<table>\n<thead><tr><th>accord</th><th>title</th><th>cite</th><th>in effect</th><th class=\"num\">resolved</th></tr></thead>\n<tbody>"
        );
        for u in &diff.accords {
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                e(&u.accord.id),
                e(&u.accord.title),
                e(&u.accord.cite.join("; ")),
                e(&u.effective),
                percent(u.resolved_share)
            );
        }
        let _ = writeln!(out, "</tbody>\n</table>");
        if !diff.resolved.is_empty() {
            let _ = writeln!(
                out,
                "<h3>Differences the accords resolved</h3>\n<table>\n<thead><tr><th>{}</th><th>{}</th><th>resolved by</th><th class=\"num\">share</th></tr></thead>\n<tbody>",
                e(&a.label),
                e(&b.label)
            );
            for r in &diff.resolved {
                let by: Vec<String> = r.accords.iter().map(|id| format!("<code>{}</code>", e(id))).collect();
                let _ = writeln!(
                    out,
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>",
                    e(&r.a.text()),
                    e(&r.b.text()),
                    by.join(", "),
                    percent(r.share)
                );
            }
            let _ = writeln!(out, "</tbody>\n</table>");
        }
        let _ = writeln!(out, "</section>");
    }

    let _ = writeln!(out, "<section id=\"differences\">\n<h2>Where they differ</h2>");
    if diff.groups.is_empty() {
        let _ = writeln!(out, "<p>Nowhere: every transfer is decided alike.</p>");
    }
    let mut n = 0;
    for (g, group) in diff.groups.iter().enumerate() {
        let key = class_key(group.class);
        let _ = writeln!(
            out,
            "<section class=\"group {key}\" id=\"group-{}\">\n<h3>{}: {} <span class=\"muted\">vs</span> {}: {}</h3>",
            g + 1,
            e(&a.label),
            e(&group.a.text()),
            e(&b.label),
            e(&group.b.text())
        );
        let _ = writeln!(
            out,
            "<p><span class=\"class {key}\">{}{}</span> {} of the transfers compared, {}.</p>",
            html::swatch(key),
            e(&group.class.text(&a.label, &b.label)),
            percent(group.share),
            super::plural(group.regions.len(), "region")
        );
        for note in group_notes(group) {
            let _ = writeln!(out, "<p class=\"muted\">{}</p>", e(&note));
        }
        let _ = writeln!(
            out,
            "<table class=\"regions\">\n<thead><tr><th class=\"num\">#</th><th>where</th><th class=\"num\">share</th><th>{}</th><th>{}</th><th>witness</th></tr></thead>\n<tbody>",
            e(&a.label),
            e(&b.label)
        );
        for region in &group.regions {
            n += 1;
            let _ = writeln!(
                out,
                "<tr id=\"region-{n}\"><td class=\"num\">{n}</td><td>{}</td><td class=\"num\" data-share=\"{}\">{}</td><td>{}</td><td>{}</td><td><code class=\"witness\">{}</code></td></tr>",
                region.when.as_ref().map_or_else(
                    || format!("<span class=\"muted\">{}</span>", html::escape(RULE_PAIR_WHERE)),
                    |when| when_html(when, &diff.columns)
                ),
                region.share,
                percent(region.share),
                rules_html(&region.a_rules, a.source.as_deref()),
                rules_html(&region.b_rules, b.source.as_deref()),
                html::json(&region.witness)
            );
        }
        let _ = writeln!(out, "</tbody>\n</table>\n</section>");
    }
    let _ = writeln!(out, "</section>");
    weights_html(&mut out, &diff.weights);
    let _ = writeln!(out, "<footer>Made by <code>accord diff</code> (report format {}).</footer>", e(diff.format));
    html::page(&format!("Diff: {} vs {}", a.label, b.label), &out)
}

/// The figures of an inventory diff in one paragraph.
fn inventory_summary(inv: &crate::analysis::inventory::Inventory) -> String {
    let (a, b) = (&inv.a.label, &inv.b.label);
    let mut text = format!(
        "Of the {} transfers in {} decided by both, {} are decided alike; {a} is stricter on {}, {b} on {}, \
         incomparable on {}; one mechanism meets both sides on {} (bridged).",
        inv.transfers,
        inv.source,
        percent(inv.agreement),
        percent(inv.a_stricter),
        percent(inv.b_stricter),
        percent(inv.incomparable),
        percent(inv.bridged)
    );
    if !inv.refused.is_empty() {
        let _ =
            write!(text, " {} of {} lines are not transfers and are left out (listed).", inv.refused.len(), inv.lines);
    }
    text
}

/// `a: permit  vs  b: require x  (tail)`: a pair of outcomes as a heading.
fn pair_heading(
    a: (&str, &crate::analysis::diff::Outcome),
    b: (&str, &crate::analysis::diff::Outcome),
    tail: &str,
) -> String {
    format!("{}: {}  vs  {}: {}  ({tail})", a.0, a.1.text(), b.0, b.1.text())
}

/// An inventory group's class in words, with "same alternatives, different order" where so.
fn inventory_class(g: &crate::analysis::inventory::InventoryGroup, a: &str, b: &str) -> String {
    let class = g.class.text(a, b);
    if g.order_only { format!("{class} (same alternatives, different order)") } else { class }
}

/// An inventory diff for a terminal.
pub fn inventory_text(inv: &crate::analysis::inventory::Inventory) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "accord diff {} {} --inventory {}\n", inv.a.label, inv.b.label, inv.source);
    let _ = writeln!(out, "{}", inventory_summary(inv));
    for g in &inv.groups {
        let shown: Vec<String> = g.lines.iter().take(10).map(ToString::to_string).collect();
        let more = if g.lines.len() > 10 { format!(" and {} more", g.lines.len() - 10) } else { String::new() };
        let tail = format!(
            "{}, {} transfers, {}",
            inventory_class(g, &inv.a.label, &inv.b.label),
            g.transfers,
            percent(g.share)
        );
        let _ = writeln!(out, "\n{}", pair_heading((&inv.a.label, &g.a), (&inv.b.label, &g.b), &tail));
        let _ = writeln!(out, "  lines {}{more}", shown.join(", "));
    }
    if !inv.refused.is_empty() {
        let _ = writeln!(out, "\nNot transfers (left out of every share):");
        for r in &inv.refused {
            let _ = writeln!(out, "  line {}: {}", r.line, r.problem);
        }
    }
    out
}

/// An inventory diff as Markdown.
pub fn inventory_markdown(inv: &crate::analysis::inventory::Inventory) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Diff over an inventory: {} vs {}\n",
        markdown::text(&inv.a.label),
        markdown::text(&inv.b.label)
    );
    let _ = writeln!(out, "{}\n", markdown::text(&inventory_summary(inv)));
    let rows: Vec<Vec<String>> = inv
        .groups
        .iter()
        .map(|g| {
            vec![
                markdown::text(&g.a.text()),
                markdown::text(&g.b.text()),
                markdown::text(&inventory_class(g, &inv.a.label, &inv.b.label)),
                g.transfers.to_string(),
                percent(g.share),
            ]
        })
        .collect();
    out.push_str(&markdown::table(&[&inv.a.label, &inv.b.label, "class", "transfers", "share"], &rows));
    if !inv.refused.is_empty() {
        let _ = writeln!(out, "\n## Lines that are not transfers\n");
        for r in &inv.refused {
            let _ = writeln!(out, "- line {}: {}", r.line, markdown::text(&r.problem));
        }
    }
    out
}

/// An inventory diff as one HTML page.
pub fn inventory_html(inv: &crate::analysis::inventory::Inventory) -> String {
    let e = html::escape;
    let mut out = format!(
        "<h1>Diff over an inventory: {} vs {}</h1>\n<p id=\"summary\">{}</p>\n",
        e(&inv.a.label),
        e(&inv.b.label),
        e(&inventory_summary(inv))
    );
    let _ = writeln!(
        out,
        "<table><thead><tr><th>{}</th><th>{}</th><th>class</th><th class=\"num\">transfers</th><th class=\"num\">share</th></tr></thead><tbody>",
        e(&inv.a.label),
        e(&inv.b.label)
    );
    for g in &inv.groups {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            e(&g.a.text()),
            e(&g.b.text()),
            e(&inventory_class(g, &inv.a.label, &inv.b.label)),
            g.transfers,
            percent(g.share)
        );
    }
    out.push_str("</tbody></table>\n");
    if !inv.refused.is_empty() {
        out.push_str("<h2>Lines that are not transfers</h2>\n<ul>\n");
        for r in &inv.refused {
            let _ = writeln!(out, "<li>line {}: {}</li>", r.line, e(&r.problem));
        }
        out.push_str("</ul>\n");
    }
    html::page(&format!("Inventory diff: {} vs {}", inv.a.label, inv.b.label), &out)
}
