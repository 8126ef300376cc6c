//! A corridor report for people.

use super::report::{html, markdown, percent, rule_text, weights_html, weights_lines, weights_markdown};
use crate::analysis::corridor::{Corridor, Joint, Requirement};
use std::fmt::Write as _;

/// The one-paragraph summary.
pub fn summary_text(c: &Corridor) -> String {
    let t = &c.totals;
    format!(
        "Of the transfers both ways (weighed by the weights listed): nothing needed on {}, one mechanism meets both \
         sides on {}, separate arrangements needed on {}, blocked (prohibited or undecided) on {}.",
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
    weights_lines(&mut out, &c.weights);
    out
}

/// A corridor as Markdown.
pub fn corridor_markdown(c: &Corridor) -> String {
    let (a, b) = (&c.a.label, &c.b.label);
    let esc = markdown::text;
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
            "| {} | {} | {} | {} | {} | {} |",
            percent(j.share),
            esc(&j.forward.text()),
            esc(&j.back.text()),
            esc(&joint_verdict(j)),
            markdown::code(&j.witness_forward.to_string()),
            markdown::code(&j.witness_back.to_string())
        );
    }
    weights_markdown(&mut out, &c.weights);
    out
}

/// A corridor as one self-contained HTML page.
pub fn corridor_html(c: &Corridor) -> String {
    let (a, b) = (html::escape(&c.a.label), html::escape(&c.b.label));
    let t = &c.totals;
    let mut body = format!("<h1>Corridor {a} ⇄ {b}</h1>\n<section class=\"summary\"><dl class=\"figures\">\n");
    for (id, label, share) in [
        ("nothing-needed", "nothing needed", t.nothing_needed),
        ("one-mechanism", "one mechanism meets both", t.one_mechanism),
        ("separate", "separate arrangements", t.separate),
        ("blocked", "blocked", t.blocked),
    ] {
        let _ = writeln!(body, "{}", html::figure(id, label, &percent(share), Some(share)));
    }
    let _ = writeln!(body, "</dl><p id=\"summary\">{}</p></section>", html::escape(&summary_text(c)));
    let _ = writeln!(
        body,
        "<p>There: {} to {}, decided by {}. Back: {} to {}, decided by {}.</p>",
        html::escape(&c.a.home.join(", ")),
        html::escape(&c.b.home.join(", ")),
        html::link(c.a.source.as_deref(), &c.a.title),
        html::escape(&c.b.home.join(", ")),
        html::escape(&c.a.home.join(", ")),
        html::link(c.b.source.as_deref(), &c.b.title),
    );
    for (heading, reqs) in
        [(format!("What {a} requires there"), &c.forward), (format!("What {b} requires back"), &c.back)]
    {
        let _ = writeln!(
            body,
            "<h2>{heading}</h2>\n<table><thead><tr><th>share</th><th>outcome</th><th>rules</th></tr></thead><tbody>"
        );
        for r in reqs {
            let rules: Vec<String> = r.rules.iter().map(|r| html::escape(&rule_text(r))).collect();
            let _ = writeln!(
                body,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                percent(r.share),
                html::escape(&r.outcome.text()),
                rules.join("<br>")
            );
        }
        body.push_str("</tbody></table>\n");
    }
    let _ = writeln!(
        body,
        "<h2>Both ways</h2>\n<table><thead><tr><th>share</th><th>{a}</th><th>{b}</th><th>what meets both</th><th>witnesses</th></tr></thead><tbody>"
    );
    for j in &c.joint {
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code><br><code>{}</code></td></tr>",
            percent(j.share),
            html::escape(&j.forward.text()),
            html::escape(&j.back.text()),
            html::escape(&joint_verdict(j)),
            html::json(&j.witness_forward),
            html::json(&j.witness_back)
        );
    }
    body.push_str("</tbody></table>\n");
    weights_html(&mut body, &c.weights);
    html::page(&format!("Corridor {} ⇄ {}", c.a.label, c.b.label), &body)
}
