//! A compiled table as a GoRules JSON Decision Model (JDM): a graph that the ZEN engine runs to
//! decide a transfer as `accord eval` decides a scenario, with the same verdict, requirement
//! groups, rule, citations, obligations (with those that come only with a chosen mechanism),
//! `satisfied` and `met_by`. The graph is generated from the table alone; `docs/jdm.md` gives
//! its layout.
//!
//! The graph is a chain of four nodes after its input: an expression node `facts` putting
//! every omitted fact's default in its place; a decision table `verdict rows` (hit policy
//! `first`: the scope's two out-of-scope rows, the table's rows in order, then the default as a
//! catch-all row), which writes what its row decides under `_row`; a decision table `obligation
//! rows` (hit policy `collect`), which writes every matching obligation row under `_duties`;
//! and an expression node `decision`, which reads both and writes the decision's fields.
//!
//! Cells are ZEN unary tests on their column (`$`). ZEN joins the tests of one cell with `and`,
//! `or` and `,` from left to right, without precedence, and reads a leading `(` as the start of
//! an interval, so a cell is only ever one flat list of tests joined by `and`, or one list of
//! intervals joined by `,`.

use crate::render::sql::{home_member, implied_by, read_columns, safeguards};
use crate::table::{Cell, Column, ColumnType, Met, Outcome, Table};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// Words a ZEN expression reads as its own, which no fact may be named.
const KEYWORDS: [&str; 8] = ["and", "or", "not", "in", "true", "false", "null", "as"];

/// A unary test no value passes.
const NEVER: &str = "$ != $";

/// The outputs of the verdict table, in order: the deciding row's index (`null` out of scope,
/// -1 for the default), its verdict before safeguards, rule, citations, requirement groups,
/// cascades, for each group the first alternative the safeguards hold (`null` if none), and
/// what facts met.
const ROW_OUTPUTS: [&str; 8] = ["index", "verdict", "rule", "cite", "require", "ordered", "chosen", "met_by"];

/// The outputs of the obligation table: the row's index, its obligation and its `upon`.
const DUTY_OUTPUTS: [&str; 3] = ["index", "obligation", "upon"];

/// The graph deciding transfers with `table`, as pretty JSON. An error names a fact whose name
/// a ZEN expression cannot read, or a cell on a fact that is not a column of the table.
pub fn table_jdm(table: &Table) -> Result<String, String> {
    let graph = Jdm::new(table)?.graph()?;
    serde_json::to_string_pretty(&graph).map_err(|e| e.to_string())
}

struct Jdm<'t> {
    table: &'t Table,
    /// The facts the graph reads, in vocabulary order.
    read: Vec<&'t Column>,
    /// For a set fact and a member, the members that imply it.
    implied_by: BTreeMap<(&'t str, &'t str), Vec<&'t str>>,
    /// The `safeguards` fact, when the vocabulary has one.
    safeguards: Option<&'t Column>,
}

/// One row of a decision table: the unary test of each column it constrains, by fact, and the
/// expression of each output, in the table's output order.
struct Rule {
    tests: BTreeMap<String, String>,
    outputs: Vec<String>,
}

impl<'t> Jdm<'t> {
    fn new(table: &'t Table) -> Result<Jdm<'t>, String> {
        let read = read_columns(table);
        if let Some(c) = read.iter().find(|c| !is_name(&c.fact)) {
            return Err(format!(
                "fact `{}` is not a name a ZEN expression reads (a letter, then letters, digits and `_`, \
                 not a keyword)",
                c.fact
            ));
        }
        Ok(Jdm { table, read, implied_by: implied_by(table), safeguards: safeguards(table) })
    }

    fn column(&self, fact: &str) -> Option<&'t Column> {
        self.read.iter().copied().find(|c| c.fact == fact)
    }

    /// `subject` (a list) holds `member`, or a member that implies it.
    fn has(&self, fact: &str, member: &str, subject: &str) -> String {
        let mut members = vec![member];
        if let Some(by) = self.implied_by.get(&(fact, member)) {
            members.extend(by.iter().copied());
        }
        format!("some({subject}, # in {})", list(members))
    }

    /// A cell as a unary test of its column; empty when it admits every value.
    fn cell(&self, fact: &str, cell: &Cell) -> Result<String, String> {
        let Some(c) = self.column(fact) else {
            return Err(format!("a row tests `{fact}`, which is not a column of the table"));
        };
        Ok(match cell {
            Cell::Bool { is } => format!("$ == {is}"),
            Cell::Enum { members } if members.is_empty() => NEVER.to_owned(),
            Cell::Enum { members } => format!("$ in {}", list(members.iter().map(|m| &**m))),
            Cell::Set { has, lacks } => {
                let mut tests: Vec<String> = has.iter().map(|m| self.has(&c.fact, m, "$")).collect();
                tests.extend(lacks.iter().map(|m| format!("not {}", self.has(&c.fact, m, "$"))));
                tests.join(" and ")
            }
            Cell::Counts { counts } => {
                intervals(counts.iter().map(|r| (Some(r.from.to_string()), r.until.map(|u| u.to_string()))).collect())
            }
            Cell::Dates { dates } => {
                let day = |d: &Option<String>| d.as_deref().map(|d| format!("d({})", text(d)));
                intervals(dates.iter().map(|r| (day(&r.from), day(&r.until))).collect())
            }
        })
    }

    /// The tests of a row's cells, by fact.
    fn tests(&self, cells: &BTreeMap<String, Cell>) -> Result<BTreeMap<String, String>, String> {
        cells
            .iter()
            .map(|(fact, cell)| -> Result<(String, String), String> { Ok((fact.clone(), self.cell(fact, cell)?)) })
            .collect()
    }

    /// The regime's home as a member of the origin's domain: an omitted origin's value.
    fn home_member(&self) -> Option<&'t str> {
        home_member(self.table, self.column(&self.table.scope.origin)?)
    }

    /// The `facts` node's expressions: every fact read, its default in place of an omitted one.
    fn facts(&self) -> Vec<(String, String)> {
        let home = self.home_member();
        let mut out: Vec<(String, String)> = self
            .read
            .iter()
            .map(|c| {
                let f = &c.fact;
                let value = match c.ty {
                    ColumnType::Bool => format!("{f} ?? false"),
                    ColumnType::Count => format!("{f} ?? 0"),
                    ColumnType::Date => format!("{f} ?? d().format('%Y-%m-%d')"),
                    ColumnType::Set => format!("{f} ?? []"),
                    ColumnType::Enum => match home {
                        Some(home) if *f == self.table.scope.origin => format!("{f} ?? {}", text(home)),
                        _ => f.clone(),
                    },
                };
                (f.clone(), value)
            })
            .collect();
        if let Some(s) = self.safeguards {
            out.push(("_safeguards_given".to_owned(), format!("{} != null", s.fact)));
        }
        out
    }

    /// The verdict table's outputs for an outcome: a row's (with its index) or the default's.
    fn decides(
        &self,
        index: i64,
        outcome: Option<&Outcome>,
        met: Option<&Met>,
        rule: Option<&str>,
        cite: &[String],
    ) -> Vec<String> {
        let (mut require, mut ordered, mut chosen, mut met_by) =
            ("[]".to_owned(), "null".to_owned(), "[]".to_owned(), "null".to_owned());
        let verdict = match (met, outcome) {
            (Some(met), _) => {
                let cascade = match met.ordered.as_slice() {
                    [] => String::new(),
                    cascades => format!("ordered: {}, ", indices(cascades)),
                };
                met_by = format!(
                    "{{mechanisms: {}, require: {}, {cascade}through: 'facts'}}",
                    list(met.by.iter().map(String::as_str)),
                    groups(&met.require)
                );
                "permit"
            }
            (None, None) => "undecided",
            (None, Some(Outcome::Permit)) => "permit",
            (None, Some(Outcome::Prohibit)) => "prohibit",
            (None, Some(Outcome::Require { require: alternatives, ordered: cascades })) => {
                require = groups(alternatives);
                if !cascades.is_empty() {
                    ordered = indices(cascades);
                }
                if let Some(s) = self.safeguards {
                    let first = |g: &Vec<String>| {
                        let mut expr = "null".to_owned();
                        for m in g.iter().rev() {
                            expr = format!("{} ? {} : {expr}", self.has(&s.fact, m, &s.fact), text(m));
                        }
                        format!("({expr})")
                    };
                    chosen = format!("[{}]", alternatives.iter().map(first).collect::<Vec<_>>().join(", "));
                }
                "require"
            }
        };
        vec![
            index.to_string(),
            text(verdict),
            rule.map_or_else(|| "null".to_owned(), text),
            list(cite.iter().map(String::as_str)),
            require,
            ordered,
            chosen,
            met_by,
        ]
    }

    /// The verdict table's rules: out of scope, the table's rows, the default.
    fn verdict_rules(&self) -> Result<Vec<Rule>, String> {
        let t = self.table;
        let home = list(t.home.iter().map(String::as_str));
        let out_of_scope = || -> Vec<String> {
            let outputs = ["null", "'out_of_scope'", "null", "[]", "[]", "null", "[]", "null"];
            outputs.into_iter().map(str::to_owned).collect()
        };
        let mut rules = vec![
            Rule {
                tests: BTreeMap::from([(t.scope.origin.clone(), format!("not ($ in {home})"))]),
                outputs: out_of_scope(),
            },
            Rule {
                tests: BTreeMap::from([(t.scope.destination.clone(), format!("$ in {home}"))]),
                outputs: out_of_scope(),
            },
        ];
        for (i, row) in t.rows.iter().enumerate() {
            let index = i64::try_from(i).map_err(|e| e.to_string())?;
            rules.push(Rule {
                tests: self.tests(&row.cells)?,
                outputs: self.decides(index, Some(&row.outcome), row.met.as_ref(), Some(row.rule.as_str()), &row.cite),
            });
        }
        rules.push(Rule { tests: BTreeMap::new(), outputs: self.decides(-1, t.default.as_ref(), None, None, &[]) });
        Ok(rules)
    }

    /// The obligation table's rules, one per obligation row.
    fn duty_rules(&self) -> Result<Vec<Rule>, String> {
        self.table
            .obligations
            .iter()
            .enumerate()
            .map(|(i, o)| -> Result<Rule, String> {
                Ok(Rule {
                    tests: self.tests(&o.cells)?,
                    outputs: vec![i.to_string(), text(&o.obligation), list(o.upon.iter().map(String::as_str))],
                })
            })
            .collect()
    }

    /// A decision table node over the facts read, writing its outputs under `path`.
    fn table_node(&self, id: &str, name: &str, hit: &str, outputs: &[&str], rules: &[Rule], path: &str) -> Value {
        let input_id = |fact: &str| format!("{id}-in-{fact}");
        let output_id = |key: &str| format!("{id}-out-{key}");
        let inputs: Vec<Value> = self
            .read
            .iter()
            .map(|c| {
                let field = if c.ty == ColumnType::Date { format!("d({})", c.fact) } else { c.fact.clone() };
                json!({"id": input_id(&c.fact), "name": c.fact, "field": field})
            })
            .collect();
        let columns: Vec<Value> = outputs.iter().map(|k| json!({"id": output_id(k), "name": k, "field": k})).collect();
        let rows: Vec<Value> = rules
            .iter()
            .enumerate()
            .map(|(j, rule)| {
                let mut row = Map::new();
                row.insert("_id".into(), format!("{id}-{j}").into());
                for c in &self.read {
                    // A column the rule does not test admits every value: an empty cell.
                    let test = rule.tests.get(&c.fact).map_or_else(String::new, String::clone);
                    row.insert(input_id(&c.fact), test.into());
                }
                for (key, value) in outputs.iter().zip(&rule.outputs) {
                    row.insert(output_id(key), value.clone().into());
                }
                Value::Object(row)
            })
            .collect();
        json!({
            "id": id,
            "name": name,
            "type": "decisionTableNode",
            "content": {
                "hitPolicy": hit,
                "inputs": inputs,
                "outputs": columns,
                "rules": rows,
                "passThrough": true,
                "outputPath": path,
                "executionMode": "single",
            },
        })
    }

    /// The `decision` node's expressions: the decision's fields, from `_row` and `_duties`.
    fn decision(&self) -> Vec<(String, String)> {
        let satisfied = if self.safeguards.is_some() {
            "_safeguards_given ? (_row.verdict == 'require' ? all(_row.chosen, # != null) : \
             _row.verdict in ['permit', 'out_of_scope']) : null"
        } else {
            "null"
        };
        // The obligation rows that count: none out of scope.
        let duties = "(_row.verdict == 'out_of_scope' ? [] : _duties)";
        // The mechanisms that met the requirement.
        let met = "M = $.met_by != null ? $.met_by.mechanisms : []; ";
        [
            ("satisfied", satisfied.to_owned()),
            ("regime", text(&self.table.regime)),
            ("verdict", "_row.verdict == 'require' and $.satisfied == true ? 'permit' : _row.verdict".to_owned()),
            ("require", "$.verdict == 'require' ? _row.require : []".to_owned()),
            ("ordered", "$.verdict == 'require' ? _row.ordered : null".to_owned()),
            ("rule", "_row.rule".to_owned()),
            ("cite", "_row.cite".to_owned()),
            (
                "met_by",
                "_row.met_by != null ? _row.met_by : (_row.verdict == 'require' and $.verdict == 'permit' ? \
                 merge([{mechanisms: _row.chosen, require: _row.require, through: 'safeguards'}, \
                 _row.ordered != null ? {ordered: _row.ordered} : {}]) : null)"
                    .to_owned(),
            ),
            (
                "obligations",
                format!(
                    "{met}Q = filter({duties}, len(#.upon) == 0 or some(#.upon, # in M)); \
                     map(filter(Q as q, none(Q, #.obligation == q.obligation and #.index < q.index)), #.obligation)"
                ),
            ),
            (
                "if_chosen",
                format!(
                    "{met}R = flatten($.require); \
                     X = flatMap(filter({duties}, len(#.upon) > 0 and none(#.upon, # in M)) as p, \
                     map(filter(p.upon, # in R), {{m: #, o: p.obligation, i: p.index}})); \
                     Y = filter(X, not (#.o in $.obligations)); \
                     len(Y) == 0 ? null : merge(map(filter(Y as y, none(Y, #.m == y.m and #.i < y.i)) as k, \
                     {{[k.m]: map(filter(Y as y, y.m == k.m and \
                     none(Y, #.m == k.m and #.o == y.o and #.i < y.i)), #.o)}}))"
                ),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    fn graph(&self) -> Result<Value, String> {
        let (rows, duties) = (self.verdict_rules()?, self.duty_rules()?);
        let nodes = [
            ("input", json!({"id": "input", "name": "transfer", "type": "inputNode", "content": {}})),
            ("facts", expression_node("facts", "facts", &self.facts())),
            ("verdict", self.table_node("verdict", "verdict rows", "first", &ROW_OUTPUTS, &rows, "_row")),
            (
                "obligations",
                self.table_node("obligations", "obligation rows", "collect", &DUTY_OUTPUTS, &duties, "_duties"),
            ),
            ("decision", expression_node("decision", "decision", &self.decision())),
            ("output", json!({"id": "output", "name": "decision", "type": "outputNode", "content": {}})),
        ];
        let edges: Vec<Value> = nodes
            .iter()
            .zip(nodes.iter().skip(1))
            .map(|((from, _), (to, _))| json!({"id": format!("{from}-{to}"), "sourceId": from, "targetId": to}))
            .collect();
        let nodes: Vec<Value> = nodes.into_iter().map(|(_, node)| node).collect();
        Ok(json!({"contentType": "application/vnd.gorules.decision", "nodes": nodes, "edges": edges}))
    }
}

/// An expression node writing `expressions` (key, ZEN expression) in order, in place of its
/// input: a later expression reads an earlier one's value as `$.key`.
fn expression_node(id: &str, name: &str, expressions: &[(String, String)]) -> Value {
    let expressions: Vec<Value> = expressions
        .iter()
        .enumerate()
        .map(|(i, (key, value))| json!({"id": format!("{id}-{i}"), "key": key, "value": value}))
        .collect();
    json!({
        "id": id,
        "name": name,
        "type": "expressionNode",
        "content": {"expressions": expressions, "passThrough": false, "executionMode": "single"},
    })
}

/// Whether a ZEN expression reads `fact` as a name: a letter, then letters, digits and `_`,
/// and not a keyword (the graph's own keys start with `_`, so no fact takes one).
fn is_name(fact: &str) -> bool {
    let mut chars = fact.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&fact)
}

/// A ZEN string literal. ZEN strings have no escapes, so a text holding both quotes is written
/// as pieces joined by `+`.
fn text(s: &str) -> String {
    if !s.contains('\'') {
        return format!("'{s}'");
    }
    if !s.contains('"') {
        return format!("\"{s}\"");
    }
    format!("({})", s.split('\'').map(|piece| format!("'{piece}'")).collect::<Vec<_>>().join(" + \"'\" + "))
}

/// A ZEN list of strings.
fn list<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    format!("[{}]", names.into_iter().map(text).collect::<Vec<_>>().join(", "))
}

/// A ZEN list of lists of strings.
fn groups(groups: &[Vec<String>]) -> String {
    format!("[{}]", groups.iter().map(|g| list(g.iter().map(String::as_str))).collect::<Vec<_>>().join(", "))
}

/// A ZEN list of numbers.
fn indices(indices: &[usize]) -> String {
    format!("[{}]", indices.iter().map(usize::to_string).collect::<Vec<_>>().join(", "))
}

/// Half-open ranges (`None`: unbounded) as unary intervals joined by `,` (or); empty when one
/// range is unbounded at both ends, [`NEVER`] when there are none.
fn intervals(ranges: Vec<(Option<String>, Option<String>)>) -> String {
    let mut parts = Vec::new();
    for range in ranges {
        parts.push(match range {
            (Some(from), Some(until)) => format!("[{from}..{until})"),
            (Some(from), None) => format!(">= {from}"),
            (None, Some(until)) => format!("< {until}"),
            (None, None) => return String::new(),
        });
    }
    if parts.is_empty() { NEVER.to_owned() } else { parts.join(", ") }
}
