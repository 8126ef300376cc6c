//! The agreement matrix for people: a table of shares, and a heat map.

use super::report::{html, markdown, percent};
use crate::analysis::matrix::Matrix;
use std::fmt::Write as _;

/// How the regimes were compared, in words.
fn reading(m: &Matrix) -> String {
    super::report::reading_words(m.reading, m.obligations)
}

/// A share as a whole percentage for a cell of the grid: `87`, `<1`, `>99`, `100`.
fn cell(share: f64) -> String {
    let p = share * 100.0;
    if share >= 1.0 {
        "100".to_owned()
    } else if p > 99.0 {
        ">99".to_owned()
    } else if share > 0.0 && p < 1.0 {
        "<1".to_owned()
    } else {
        format!("{}", p.round())
    }
}

/// `, after accords a, b`, or nothing.
fn accords_words(m: &Matrix) -> String {
    if m.accords.is_empty() { String::new() } else { format!(", after accords {}", m.accords.join(", ")) }
}

/// A share of a pair in a grid.
fn at(grid: &[Vec<f64>], i: usize, j: usize) -> f64 {
    grid.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0.0)
}

/// One grid of whole percentages, the diagonal written `diagonal`.
fn grid_text(out: &mut String, m: &Matrix, grid: &[Vec<f64>], diagonal: &str) {
    let width = m.regimes.iter().map(|r| r.label.len()).max().unwrap_or(0).max(4);
    let _ = write!(out, "{:width$}", "");
    for r in &m.regimes {
        let _ = write!(out, " {:>w$}", r.label, w = r.label.len().max(4));
    }
    out.push('\n');
    for (i, r) in m.regimes.iter().enumerate() {
        let _ = write!(out, "{:width$}", r.label);
        for (j, other) in m.regimes.iter().enumerate() {
            let text = if i == j { diagonal.to_owned() } else { cell(at(grid, i, j)) };
            let _ = write!(out, " {:>w$}", text, w = other.label.len().max(4));
        }
        out.push('\n');
    }
}

/// The matrix for a terminal: the grid of whole percentages, then the pairs that differ most.
pub fn matrix_text(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "accord matrix: agreement between every pair, in % of transfers weighed by the weights listed ({})\n",
        reading(m)
    );
    grid_text(&mut out, m, &m.agreement, "-");
    let _ = writeln!(
        out,
        "\nbridged: where they differ (or agree only by an accord), yet one mechanism meets both sides, in %{}\n",
        accords_words(m)
    );
    grid_text(&mut out, m, &m.bridged, "-");
    let pairs = m.pairs();
    if !pairs.is_empty() {
        let _ = writeln!(out, "\nMost different first:");
        for (i, j, share) in pairs.iter().take(10) {
            let (a, b) = (m.label(*i), m.label(*j));
            let bridged = percent(at(&m.bridged, *i, *j));
            let _ =
                writeln!(out, "  {a} / {b}: {} agreement, {bridged} bridged  (accord diff {a} {b})", percent(*share));
        }
        if pairs.len() > 10 {
            let _ = writeln!(out, "  … and {} more pairs (every pair is in the grid above)", pairs.len() - 10);
        }
    }
    super::report::weights_lines(&mut out, &m.weights);
    out
}

/// One grid as a Markdown table.
fn grid_markdown(out: &mut String, m: &Matrix, grid: &[Vec<f64>]) {
    let _ = write!(out, "| |");
    for r in &m.regimes {
        let _ = write!(out, " {} |", markdown::text(&r.label));
    }
    let _ = write!(out, "\n|---|");
    for _ in &m.regimes {
        out.push_str("---:|");
    }
    out.push('\n');
    for (i, r) in m.regimes.iter().enumerate() {
        let _ = write!(out, "| **{}** |", markdown::text(&r.label));
        for j in 0..m.regimes.len() {
            let text = if i == j { "—".to_owned() } else { percent(at(grid, i, j)) };
            let _ = write!(out, " {text} |");
        }
        out.push('\n');
    }
    out.push('\n');
}

/// The matrix as a Markdown table.
pub fn matrix_markdown(m: &Matrix) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# Agreement between regimes\n");
    let _ = writeln!(
        out,
        "Share of transfers, weighed by the weights listed, that each pair decides alike ({}).\n",
        reading(m)
    );
    grid_markdown(&mut out, m, &m.agreement);
    let _ = writeln!(
        out,
        "Bridged: share of transfers where the pair decides differently (or alike only by an accord), yet one \
         mechanism meets both sides{}.\n",
        markdown::text(&accords_words(m))
    );
    grid_markdown(&mut out, m, &m.bridged);
    for r in &m.regimes {
        let _ = writeln!(out, "- **{}**: {}", markdown::text(&r.label), markdown::text(&r.title));
    }
    super::report::weights_markdown(&mut out, &m.weights);
    out
}

/// The heat map's colour for a share: from a warm red (no agreement) to a pale green (full).
pub fn heat_colour(share: f64) -> String {
    let s = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * s).round();
    format!("rgb({},{},{})", mix(215.0, 232.0), mix(48.0, 245.0), mix(39.0, 233.0))
}

/// The heat map as an inline SVG element: one square per pair, labelled with its percentage.
pub fn heat_map_svg(m: &Matrix) -> String {
    let n = m.regimes.len();
    let (cell_size, label) = (44usize, 72usize);
    let size = label + n * cell_size;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"Agreement heat map\" \
         width=\"{size}\" height=\"{size}\" viewBox=\"0 0 {size} {size}\" font-family=\"sans-serif\" font-size=\"12\">"
    );
    for (i, r) in m.regimes.iter().enumerate() {
        let at = label + i * cell_size + cell_size / 2;
        let name = html::escape(&r.label);
        let _ = write!(svg, "<text x=\"{at}\" y=\"{}\" text-anchor=\"middle\">{name}</text>", label - 8);
        let _ = write!(svg, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{name}</text>", label - 8, at + 4);
    }
    for i in 0..n {
        for j in 0..n {
            let share = m.agreement.get(i).and_then(|row| row.get(j)).copied().unwrap_or(0.0);
            let (x, y) = (label + j * cell_size, label + i * cell_size);
            let title = format!("{} / {}: {}", m.label(i), m.label(j), percent(share));
            let _ = write!(
                svg,
                "<g><title>{}</title><rect x=\"{x}\" y=\"{y}\" width=\"{cell_size}\" height=\"{cell_size}\" \
                 fill=\"{}\" stroke=\"#fff\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text></g>",
                html::escape(&title),
                if i == j { "#e8e8e8".to_owned() } else { heat_colour(share) },
                x + cell_size / 2,
                y + cell_size / 2 + 4,
                if i == j { "—".to_owned() } else { cell(share) },
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The matrix as one self-contained HTML page: the summary, the heat map, then the pairs in
/// order and the regimes with their sources.
pub fn matrix_html(m: &Matrix) -> String {
    let mut body = String::new();
    let _ = writeln!(body, "<h1>Agreement between regimes</h1>");
    let lowest = m.pairs().first().map(|&(i, j, share)| (format!("{} / {}", m.label(i), m.label(j)), share));
    let _ = writeln!(body, "<section class=\"summary\"><dl class=\"figures\">");
    let _ = writeln!(body, "{}", html::figure("regimes", "regimes", &m.regimes.len().to_string(), None));
    let _ = writeln!(body, "{}", html::figure("pairs", "pairs", &m.pairs().len().to_string(), None));
    if let Some((pair, share)) = &lowest {
        let _ = writeln!(
            body,
            "{}",
            html::figure("lowest", &format!("lowest agreement ({pair})"), &percent(*share), Some(*share))
        );
    }
    let _ = writeln!(
        body,
        "</dl><p id=\"summary\">Share of transfers, weighed by the weights listed, that each pair decides alike ({}). Every cell is exact: \
         the agreement share <code>accord diff</code> reports for that pair.</p></section>",
        html::escape(&reading(m))
    );
    let _ = writeln!(body, "<figure class=\"heat\">{}</figure>", heat_map_svg(m));
    let _ = writeln!(
        body,
        "<h2>Pairs, most different first</h2>\n<p>Bridged: where the pair decides differently (or alike only by an \
         accord), yet one mechanism meets both sides{}.</p>\n<table><thead><tr><th>pair</th><th>agreement</th><th>bridged</th></tr></thead><tbody>",
        html::escape(&accords_words(m))
    );
    for (i, j, share) in m.pairs() {
        let _ = writeln!(
            body,
            "<tr><td>{} / {}</td><td>{}</td><td>{}</td></tr>",
            html::escape(m.label(i)),
            html::escape(m.label(j)),
            percent(share),
            percent(at(&m.bridged, i, j))
        );
    }
    let _ = writeln!(body, "</tbody></table>\n<h2>Regimes</h2>\n<ul>");
    for r in &m.regimes {
        let _ =
            writeln!(body, "<li><b>{}</b>: {}</li>", html::escape(&r.label), html::link(r.source.as_deref(), &r.title));
    }
    body.push_str("</ul>\n");
    super::report::weights_html(&mut body, &m.weights);
    html::page("Agreement between regimes", &body)
}
