//! A corridor report for people.

use super::report::{percent, rule_text};
use crate::analysis::corridor::{Corridor, Joint, Requirement};
use std::fmt::Write as _;

/// The one-paragraph summary.
pub fn summary_text(c: &Corridor) -> String {
    let t = &c.totals;
    format!(
        "Both ways: nothing needed on {}, one mechanism meets both sides on {}, separate arrangements needed on {}, \
         blocked (prohibited or undecided) on {}.",
        percent(t.nothing_needed),
        percent(t.one_mechanism),
        percent(t.separate),
        percent(t.blocked)
    )
}

/// What to do about one combination, in words.
pub fn joint_verdict(j: &Joint) -> String {
    match (&j.gap, j.both.is_empty()) {
        (Some(gap), _) => format!("gap: {gap}"),
        (None, true) => "nothing needed".to_owned(),
        (None, false) => format!("one mechanism meets both: {}", j.both.join(" or ")),
    }
}

fn requirements_text(out: &mut String, heading: &str, reqs: &[Requirement]) {
    let _ = writeln!(out, "\n{heading}");
    for r in reqs {
        let rules: Vec<String> = r.rules.iter().map(rule_text).collect();
        let _ = writeln!(out, "  {:>7}  {}", percent(r.share), r.outcome.text());
        let _ = writeln!(out, "           by {}", rules.join(", "));
    }
}

/// A corridor for a terminal.
pub fn corridor_text(c: &Corridor) -> String {
    let (a, b) = (&c.a.label, &c.b.label);
    let mut out = String::new();
    let _ = writeln!(out, "accord corridor {a} {b}");
    let _ = writeln!(out, "  there: {} to {}, governed by {a}", c.a.home.join(", "), c.b.home.join(", "));
    let _ = writeln!(out, "  back:  {} to {}, governed by {b}", c.b.home.join(", "), c.a.home.join(", "));
    for accord in &c.accords {
        let _ = writeln!(out, "  accord applied: {} ({})", accord.id, accord.effective_text());
    }
    let _ = writeln!(out, "\n{}", summary_text(c));
    requirements_text(&mut out, &format!("{a} requires, for transfers to {b}'s home:"), &c.forward);
    requirements_text(&mut out, &format!("{b} requires, for transfers to {a}'s home:"), &c.back);
    let _ = writeln!(out, "\nBoth ways:");
    for j in &c.joint {
        let _ = writeln!(out, "  {:>7}  {a}: {}  /  {b}: {}", percent(j.share), j.forward.text(), j.back.text());
        let _ = writeln!(out, "           {}", joint_verdict(j));
        let _ = writeln!(out, "           witness there: {}  back: {}", j.witness_forward, j.witness_back);
    }
    out
}

/// A corridor as Markdown.
pub fn corridor_markdown(c: &Corridor) -> String {
    let (a, b) = (&c.a.label, &c.b.label);
    let esc = super::escape;
    let mut out = String::new();
    let _ = writeln!(out, "# Corridor {a} ⇄ {b}\n\n{}\n", summary_text(c));
    for (heading, reqs) in
        [(format!("What {a} requires there"), &c.forward), (format!("What {b} requires back"), &c.back)]
    {
        let _ = writeln!(out, "## {heading}\n\n| share | outcome | rules |\n|---:|---|---|");
        for r in reqs {
            let rules: Vec<String> = r.rules.iter().map(rule_text).collect();
            let _ = writeln!(out, "| {} | {} | {} |", percent(r.share), esc(&r.outcome.text()), esc(&rules.join(", ")));
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Both ways\n\n| share | {a} | {b} | what meets both | witness there | witness back |");
    let _ = writeln!(out, "|---:|---|---|---|---|---|");
    for j in &c.joint {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | `{}` | `{}` |",
            percent(j.share),
            esc(&j.forward.text()),
            esc(&j.back.text()),
            esc(&joint_verdict(j)),
            j.witness_forward,
            j.witness_back
        );
    }
    out
}

/// A corridor as one self-contained HTML page.
pub fn corridor_html(c: &Corridor) -> String {
    let (a, b) = (super::html_escape(&c.a.label), super::html_escape(&c.b.label));
    let mut out = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Corridor {a} ⇄ {b}</title>\
         <style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}}\
         table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}}\
         code{{font-size:.8rem;word-break:break-all}}tr{{break-inside:avoid}}@media print{{body{{margin:0}}}}</style></head><body>\n\
         <h1>Corridor {a} ⇄ {b}</h1>\n<p id=\"summary\">{}</p>\n",
        super::html_escape(&summary_text(c))
    );
    for (heading, reqs) in
        [(format!("What {a} requires there"), &c.forward), (format!("What {b} requires back"), &c.back)]
    {
        let _ = writeln!(out, "<h2>{heading}</h2>\n<table><tr><th>share</th><th>outcome</th><th>rules</th></tr>");
        for r in reqs {
            let rules: Vec<String> = r.rules.iter().map(|r| super::html_escape(&rule_text(r))).collect();
            let _ = writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                percent(r.share),
                super::html_escape(&r.outcome.text()),
                rules.join("<br>")
            );
        }
        out.push_str("</table>\n");
    }
    let _ = writeln!(
        out,
        "<h2>Both ways</h2>\n<table><tr><th>share</th><th>{a}</th><th>{b}</th><th>what meets both</th><th>witnesses</th></tr>"
    );
    for j in &c.joint {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code><br><code>{}</code></td></tr>",
            percent(j.share),
            super::html_escape(&j.forward.text()),
            super::html_escape(&j.back.text()),
            super::html_escape(&joint_verdict(j)),
            super::html_escape(&j.witness_forward.to_string()),
            super::html_escape(&j.witness_back.to_string())
        );
    }
    out.push_str("</table>\n</body></html>\n");
    out
}
