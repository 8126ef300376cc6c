//! A compiled table as a DMN model (XML in the DMN 1.3 namespace, the newest that dmn-moddle and
//! dmn-js read; its FEEL needs nothing of DMN 1.4 or 1.5) that decides a transfer as `accord
//! eval` decides it: the same verdict, requirement groups, rule, citations, obligations (with
//! those that come only with a chosen mechanism), `satisfied` and `met_by`. It is generated from
//! the table alone; `docs/dmn.md` gives the layout.
//!
//! One input data element per fact the model reads, and five decisions: `decision`, the
//! regime's rows as a decision table with hit policy FIRST (the scope as its leading rules, the
//! default as its last); `duties`, the obligation rows as a decision table with hit policy
//! COLLECT, which reads `decision`; and three literal expressions: `obligations` and
//! `if_chosen`, which read `duties`, and `regime`. Omitted facts read as `accord eval` reads them
//! (in the input expressions): sets empty, counts 0, booleans false, `origin` the regime's home.

use crate::render::sql::SAFEGUARDS;
use crate::table::{Cell, Column, ColumnType, Met, Outcome, Table};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The namespace the model is written in: DMN 1.3's.
pub const NAMESPACE: &str = "https://www.omg.org/spec/DMN/20191111/MODEL/";

/// The decisions of the model, in order; no fact may be named like one of them.
pub const DECISIONS: [&str; 5] = ["decision", "duties", "obligations", "if_chosen", "regime"];

/// The outputs of the `decision` table, in order.
pub const OUTPUTS: [&str; 7] = ["verdict", "require", "ordered", "rule", "cite", "satisfied", "met_by"];

/// FEEL's reserved words and the names it gives meaning to: a fact so named cannot be a
/// variable of the model.
const RESERVED: [&str; 21] = [
    "and",
    "between",
    "else",
    "every",
    "external",
    "false",
    "for",
    "function",
    "if",
    "in",
    "instance",
    "item",
    "not",
    "null",
    "of",
    "or",
    "return",
    "satisfies",
    "some",
    "then",
    "true",
];

/// The model deciding a transfer with `table`. An error names a fact whose name the model
/// cannot use (a decision's, a FEEL word, or not a plain name), or a cell on a fact that is not
/// a column of the table.
pub fn table_dmn(table: &Table) -> Result<String, String> {
    let dmn = Dmn::new(table);
    for c in &dmn.read {
        let plain = c.fact.chars().next().is_some_and(|ch| ch.is_ascii_alphabetic() || ch == '_')
            && c.fact.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_');
        if !plain {
            return Err(format!("fact `{}` is not a plain name (letters, digits and `_`)", c.fact));
        }
        if DECISIONS.contains(&c.fact.as_str()) {
            return Err(format!("fact `{}` has the name of a decision of the model", c.fact));
        }
        if RESERVED.contains(&c.fact.as_str()) {
            return Err(format!("fact `{}` has the name of a FEEL word", c.fact));
        }
    }
    dmn.model()
}

struct Dmn<'t> {
    table: &'t Table,
    /// The facts the model reads, in vocabulary order.
    read: Vec<&'t Column>,
    /// For a set fact and a member, the members whose presence means it is present (itself,
    /// and every member that implies it).
    implied_by: BTreeMap<(&'t str, &'t str), Vec<&'t str>>,
    /// The `safeguards` column, when the vocabulary has one.
    safeguards: Option<&'t Column>,
}

/// A rule of a decision table: its id, its description, its input entries by fact (`-` for a
/// fact not named) and its output entries in order.
struct Rule {
    id: String,
    description: String,
    entries: BTreeMap<String, String>,
    outputs: Vec<String>,
}

impl<'t> Dmn<'t> {
    fn new(table: &'t Table) -> Dmn<'t> {
        Dmn {
            table,
            read: super::sql::read_columns(table),
            implied_by: super::sql::implied_by(table),
            safeguards: super::sql::safeguards(table),
        }
    }

    fn column(&self, fact: &str) -> Option<&'t Column> {
        self.read.iter().copied().find(|c| c.fact == fact)
    }

    /// The regime's home as a member of the origin's domain: an omitted origin's value.
    fn home_member(&self, c: &'t Column) -> Option<&'t str> {
        super::sql::home_member(self.table, c)
    }

    /// The type a fact's values have: a FEEL built-in, or the fact's own item definition.
    fn type_ref(c: &Column) -> String {
        match c.ty {
            ColumnType::Bool => "boolean".to_owned(),
            ColumnType::Count => "number".to_owned(),
            ColumnType::Date => "date".to_owned(),
            ColumnType::Enum | ColumnType::Set => format!("accord_{}", c.fact),
        }
    }

    /// A fact's value, its default in place of null (as `accord eval` reads an omitted fact).
    fn value(&self, c: &'t Column) -> String {
        let f = &c.fact;
        match c.ty {
            ColumnType::Set => format!("if {f} = null then [] else {f}"),
            ColumnType::Count => format!("if {f} = null then 0 else {f}"),
            ColumnType::Bool => format!("if {f} = null then false else {f}"),
            ColumnType::Enum if *f == self.table.scope.origin => match self.home_member(c) {
                Some(home) => format!("if {f} = null then {} else {f}", feel_string(home)),
                None => f.clone(),
            },
            ColumnType::Enum | ColumnType::Date => f.clone(),
        }
    }

    /// The list `list` (a FEEL expression) holds `member` of set fact `fact`, or a member that
    /// implies it.
    fn has(&self, fact: &str, member: &str, list: &str) -> String {
        let mut members = vec![member];
        if let Some(by) = self.implied_by.get(&(fact, member)) {
            members.extend(by.iter().copied());
        }
        if members.len() == 1 {
            return format!("list contains({list}, {})", feel_string(member));
        }
        format!("(some member in {list} satisfies list contains({}, member))", feel_list(&members))
    }

    /// A cell as FEEL unary tests on its fact's value.
    fn cell(&self, c: &Column, cell: &Cell) -> String {
        match cell {
            Cell::Bool { is } => is.to_string(),
            // No member is null: a test nothing passes.
            Cell::Enum { members } if members.is_empty() => "null".to_owned(),
            Cell::Enum { members } => members.iter().map(|m| feel_string(m)).collect::<Vec<_>>().join(", "),
            Cell::Set { has, lacks } => {
                let mut tests: Vec<String> = has.iter().map(|m| self.has(&c.fact, m, "?")).collect();
                tests.extend(lacks.iter().map(|m| format!("not({})", self.has(&c.fact, m, "?"))));
                if tests.is_empty() { "-".to_owned() } else { tests.join(" and ") }
            }
            Cell::Counts { counts } if counts.is_empty() => "null".to_owned(),
            Cell::Counts { counts } => counts
                .iter()
                .map(|r| match r.until {
                    Some(until) => format!("[{}..{until})", r.from),
                    None => format!(">= {}", r.from),
                })
                .collect::<Vec<_>>()
                .join(", "),
            Cell::Dates { dates } if dates.is_empty() => "null".to_owned(),
            Cell::Dates { dates } => {
                let day = |d: &str| format!("date({})", feel_string(d));
                let tests: Vec<String> = dates
                    .iter()
                    .map(|r| match (&r.from, &r.until) {
                        (Some(from), Some(until)) => format!("[{}..{})", day(from), day(until)),
                        (Some(from), None) => format!(">= {}", day(from)),
                        (None, Some(until)) => format!("< {}", day(until)),
                        (None, None) => "-".to_owned(),
                    })
                    .collect();
                if tests.iter().any(|t| t == "-") { "-".to_owned() } else { tests.join(", ") }
            }
        }
    }

    /// A row's cells as input entries by fact; a cell on a fact that is not read is an error.
    fn entries(&self, cells: &BTreeMap<String, Cell>) -> Result<BTreeMap<String, String>, String> {
        cells
            .iter()
            .map(|(fact, cell)| {
                let c = self
                    .column(fact)
                    .ok_or_else(|| format!("a row tests `{fact}`, which is not a column of the table"))?;
                Ok((fact.clone(), self.cell(c, cell)))
            })
            .collect()
    }

    /// Every group of `require` is met by the safeguards given (null when none are given).
    fn met_by_safeguards(&self, require: &[Vec<String>]) -> String {
        require
            .iter()
            .map(|g| {
                format!("({})", g.iter().map(|m| self.has(SAFEGUARDS, m, SAFEGUARDS)).collect::<Vec<_>>().join(" or "))
            })
            .collect::<Vec<_>>()
            .join(" and ")
    }

    /// The first mechanism of `group` the safeguards hold (null if none).
    fn chosen(&self, group: &[String]) -> String {
        let mut out = String::new();
        for m in group {
            let _ = write!(out, "if {} then {} else ", self.has(SAFEGUARDS, m, SAFEGUARDS), feel_string(m));
        }
        out.push_str("null");
        out
    }

    /// The output entries (in the order of [`OUTPUTS`]) of a row or the default.
    fn outputs(
        &self,
        outcome: Option<&Outcome>,
        met: Option<&Met>,
        rule: Option<&str>,
        cite: &[String],
    ) -> Vec<String> {
        // Without `safeguards` in the vocabulary nothing is asked about them.
        let given = |then: &str| match self.safeguards {
            Some(_) => format!("if {SAFEGUARDS} = null then null else {then}"),
            None => "null".to_owned(),
        };
        let rule = rule.map_or_else(|| "null".to_owned(), feel_string);
        let cite = feel_list(&cite.iter().map(String::as_str).collect::<Vec<_>>());
        let fixed = |verdict: &str, satisfied: String, met_by: String| {
            vec![feel_string(verdict), "[]".to_owned(), "[]".to_owned(), rule.clone(), cite.clone(), satisfied, met_by]
        };
        if let Some(met) = met {
            let ordered =
                if met.ordered.is_empty() { String::new() } else { format!(", ordered: {}", indices(&met.ordered)) };
            let by = feel_list(&met.by.iter().map(String::as_str).collect::<Vec<_>>());
            let met_by =
                format!("{{mechanisms: {by}, require: {}{ordered}, through: \"facts\"}}", groups(&met.require));
            return fixed("permit", given("true"), met_by);
        }
        match outcome {
            None => fixed("undecided", given("false"), "null".to_owned()),
            Some(Outcome::Permit) => fixed("permit", given("true"), "null".to_owned()),
            Some(Outcome::Prohibit) => fixed("prohibit", given("false"), "null".to_owned()),
            Some(Outcome::Require { require, ordered }) => {
                if self.safeguards.is_none() {
                    return vec![
                        feel_string("require"),
                        groups(require),
                        indices(ordered),
                        rule.clone(),
                        cite.clone(),
                        "null".to_owned(),
                        "null".to_owned(),
                    ];
                }
                let all = self.met_by_safeguards(require);
                let met = format!("{SAFEGUARDS} != null and {all}");
                let chosen: Vec<String> = require.iter().map(|g| self.chosen(g)).collect();
                let tail = if ordered.is_empty() { String::new() } else { format!(", ordered: {}", indices(ordered)) };
                let met_by = format!(
                    "{{mechanisms: [{}], require: {}{tail}, through: \"safeguards\"}}",
                    chosen.join(", "),
                    groups(require)
                );
                vec![
                    format!("if {met} then \"permit\" else \"require\""),
                    format!("if {met} then [] else {}", groups(require)),
                    format!("if {met} then [] else {}", indices(ordered)),
                    rule.clone(),
                    cite.clone(),
                    given(&all),
                    format!("if {met} then {met_by} else null"),
                ]
            }
        }
    }

    /// The rules of the `decision` table: out of scope, the table's rows, the default.
    fn decision_rules(&self) -> Result<Vec<Rule>, String> {
        let t = self.table;
        let home = t.home.iter().map(|h| feel_string(h)).collect::<Vec<_>>().join(", ");
        let out_of_scope = vec![
            feel_string("out_of_scope"),
            "[]".to_owned(),
            "[]".to_owned(),
            "null".to_owned(),
            "[]".to_owned(),
            match self.safeguards {
                Some(_) => format!("if {SAFEGUARDS} = null then null else true"),
                None => "null".to_owned(),
            },
            "null".to_owned(),
        ];
        let homes = t.home.join(", ");
        let mut rules = vec![
            Rule {
                id: "out_of_scope_origin".to_owned(),
                description: format!("Out of scope: not sent from {homes}"),
                entries: BTreeMap::from([(t.scope.origin.clone(), format!("not({home})"))]),
                outputs: out_of_scope.clone(),
            },
            Rule {
                id: "out_of_scope_destination".to_owned(),
                description: format!("Out of scope: sent to {homes}"),
                entries: BTreeMap::from([(t.scope.destination.clone(), home)]),
                outputs: out_of_scope,
            },
        ];
        for (i, r) in t.rows.iter().enumerate() {
            let outputs = self.outputs(Some(&r.outcome), r.met.as_ref(), Some(&r.rule), &r.cite);
            rules.push(Rule {
                id: format!("row_{i}"),
                description: format!("{}: {}", r.rule, r.title),
                entries: self.entries(&r.cells)?,
                outputs,
            });
        }
        let outputs = self.outputs(t.default.as_ref(), None, None, &[]);
        rules.push(Rule {
            id: "default".to_owned(),
            description: "The default".to_owned(),
            entries: BTreeMap::new(),
            outputs,
        });
        Ok(rules)
    }

    /// The rules of the `duties` table: for each obligation row, one rule where the obligation
    /// comes in any case (no `upon`, or a mechanism it is upon met the requirement), and one per
    /// mechanism it is upon where it comes only if that alternative is chosen.
    fn duty_rules(&self) -> Result<Vec<Rule>, String> {
        let mut rules = Vec::new();
        for (i, o) in self.table.obligations.iter().enumerate() {
            let mut entries = self.entries(&o.cells)?;
            entries.insert(VERDICT.to_owned(), "not(\"out_of_scope\")".to_owned());
            let upon: Vec<String> = o.upon.iter().map(|m| format!("list contains(?, {})", feel_string(m))).collect();
            let any = upon.join(" or ");
            let obligation = feel_string(&o.obligation);
            let description = format!("{}: {}", o.obligation, o.title);
            let mut always = entries.clone();
            if !upon.is_empty() {
                always.insert(MET.to_owned(), any.clone());
            }
            rules.push(Rule {
                id: format!("obligation_{i}"),
                description: description.clone(),
                entries: always,
                outputs: vec![obligation.clone(), "null".to_owned()],
            });
            for (j, m) in o.upon.iter().enumerate() {
                let mut chosen = entries.clone();
                chosen.insert(MET.to_owned(), format!("not({any})"));
                chosen.insert(ALTERNATIVES.to_owned(), format!("list contains(?, {})", feel_string(m)));
                rules.push(Rule {
                    id: format!("obligation_{i}_upon_{j}"),
                    description: format!("{description} (if {m} is chosen)"),
                    entries: chosen,
                    outputs: vec![obligation.clone(), feel_string(m)],
                });
            }
        }
        Ok(rules)
    }

    fn model(&self) -> Result<String, String> {
        let t = self.table;
        let mut x = String::new();
        x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<definitions xmlns=\"{NAMESPACE}\" id=\"{}\" name=\"{}\" namespace=\"https://accord.invalid/regime/{}\">",
            attr(&format!("accord_{}", t.regime)),
            attr(&t.title),
            attr(&t.regime)
        );
        let _ = writeln!(
            x,
            "  <description>{}</description>",
            text(&format!("Generated by accord {} from the table {}.", env!("CARGO_PKG_VERSION"), t.hash))
        );
        for c in self.read.iter().filter(|c| matches!(c.ty, ColumnType::Enum | ColumnType::Set)) {
            let collection = if c.ty == ColumnType::Set { " isCollection=\"true\"" } else { "" };
            let members = c.domain.iter().map(|m| feel_string(m)).collect::<Vec<_>>().join(", ");
            let _ = writeln!(x, "  <itemDefinition id=\"type_{f}\" name=\"accord_{f}\"{collection}>", f = c.fact);
            let _ = writeln!(x, "    <typeRef>string</typeRef>");
            let _ = writeln!(x, "    <allowedValues><text>{}</text></allowedValues>", text(&members));
            let _ = writeln!(x, "  </itemDefinition>");
        }
        for c in &self.read {
            let _ = writeln!(
                x,
                "  <inputData id=\"input_{f}\" name=\"{f}\"><variable id=\"input_{f}_variable\" name=\"{f}\" typeRef=\"{}\"/></inputData>",
                Self::type_ref(c),
                f = c.fact
            );
        }
        // `decision`: the rows.
        let tested: Vec<&Column> = self
            .read
            .iter()
            .copied()
            .filter(|c| {
                c.fact == t.scope.origin || c.fact == t.scope.destination || t.columns.iter().any(|k| k.fact == c.fact)
            })
            .collect();
        let inputs: Vec<(String, String, String, String)> =
            tested.iter().map(|c| (c.fact.clone(), c.fact.clone(), Self::type_ref(c), self.value(c))).collect();
        let outputs: Vec<(&str, &str)> = OUTPUTS
            .iter()
            .map(|o| {
                (
                    *o,
                    match *o {
                        "verdict" | "rule" => "string",
                        "satisfied" => "boolean",
                        _ => "Any",
                    },
                )
            })
            .collect();
        let needs: Vec<&str> = self.read.iter().map(|c| c.fact.as_str()).collect();
        let decision_rules = self.decision_rules()?;
        decision_table(&mut x, "decision", "FIRST", &needs, &[], &inputs, &outputs, &decision_rules);
        // `duties`: the obligation rows.
        let obligation_facts: Vec<&Column> =
            self.read.iter().copied().filter(|c| t.obligations.iter().any(|o| o.cells.contains_key(&c.fact))).collect();
        let mut inputs =
            vec![(VERDICT.to_owned(), "verdict".to_owned(), "string".to_owned(), "decision.verdict".to_owned())];
        inputs.extend(
            obligation_facts.iter().map(|c| (c.fact.clone(), c.fact.clone(), Self::type_ref(c), self.value(c))),
        );
        inputs.push((
            MET.to_owned(),
            "met by".to_owned(),
            "Any".to_owned(),
            "if decision.met_by = null then [] else decision.met_by.mechanisms".to_owned(),
        ));
        inputs.push((
            ALTERNATIVES.to_owned(),
            "alternatives".to_owned(),
            "Any".to_owned(),
            "flatten(decision.require)".to_owned(),
        ));
        let needs: Vec<&str> = obligation_facts.iter().map(|c| c.fact.as_str()).collect();
        let duty_rules = self.duty_rules()?;
        let outputs = [("obligation", "string"), ("chosen", "string")];
        decision_table(&mut x, "duties", "COLLECT", &needs, &["decision"], &inputs, &outputs, &duty_rules);
        // The literal expressions.
        let mut upon: Vec<&str> = Vec::new();
        for m in t.obligations.iter().flat_map(|o| &o.upon) {
            if !upon.contains(&m.as_str()) {
                upon.push(m);
            }
        }
        let if_chosen = upon
            .iter()
            .map(|m| {
                format!(
                    "{key}: distinct values(duties[chosen = {key} and not(list contains(obligations, obligation))].obligation)",
                    key = feel_string(m)
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        literal(&mut x, "obligations", &["duties"], "distinct values(duties[chosen = null].obligation)");
        literal(&mut x, "if_chosen", &["duties", "obligations"], &format!("{{{if_chosen}}}"));
        literal(&mut x, "regime", &[], &feel_string(&t.regime));
        x.push_str("</definitions>\n");
        Ok(x)
    }
}

/// The keys of the `duties` table's inputs that are not facts (no fact's name has a space).
const VERDICT: &str = " verdict";
const MET: &str = " met";
const ALTERNATIVES: &str = " alternatives";

/// The part of an XML id that names an input: `fact_` and a fact's name, or the name of one of
/// the `duties` table's own inputs (so that no fact's name makes an id twice).
fn id_part(key: &str) -> String {
    match key.strip_prefix(' ') {
        Some(own) => own.to_owned(),
        None => format!("fact_{key}"),
    }
}

/// Writes a decision whose logic is a decision table. `inputs` are (key, label, type, input
/// expression), the rules' entries keyed alike; `needs` the input data it reads, `after` the
/// decisions it reads.
#[allow(clippy::too_many_arguments)]
fn decision_table(
    x: &mut String,
    name: &str,
    hit_policy: &str,
    needs: &[&str],
    after: &[&str],
    inputs: &[(String, String, String, String)],
    outputs: &[(&str, &str)],
    rules: &[Rule],
) {
    decision_head(x, name, needs, after);
    let _ = writeln!(x, "    <decisionTable id=\"{name}_table\" hitPolicy=\"{hit_policy}\">");
    for (key, label, ty, expression) in inputs {
        let k = id_part(key);
        let _ = writeln!(
            x,
            "      <input id=\"{name}_input_{k}\" label=\"{}\"><inputExpression id=\"{name}_input_{k}_expression\" typeRef=\"{}\"><text>{}</text></inputExpression></input>",
            attr(label),
            attr(ty),
            text(expression)
        );
    }
    for (output, ty) in outputs {
        let _ = writeln!(x, "      <output id=\"{name}_output_{output}\" name=\"{output}\" typeRef=\"{ty}\"/>");
    }
    for rule in rules {
        let id = format!("{name}_{}", rule.id);
        let _ = writeln!(x, "      <rule id=\"{id}\">");
        let _ = writeln!(x, "        <description>{}</description>", text(&rule.description));
        for (key, ..) in inputs {
            let entry = rule.entries.get(key).map_or("-", String::as_str);
            let _ = writeln!(
                x,
                "        <inputEntry id=\"{id}_{}\"><text>{}</text></inputEntry>",
                id_part(key),
                text(entry)
            );
        }
        for ((output, _), entry) in outputs.iter().zip(&rule.outputs) {
            let _ = writeln!(x, "        <outputEntry id=\"{id}_{output}\"><text>{}</text></outputEntry>", text(entry));
        }
        let _ = writeln!(x, "      </rule>");
    }
    let _ = writeln!(x, "    </decisionTable>");
    let _ = writeln!(x, "  </decision>");
}

/// Writes a decision whose logic is one FEEL expression.
fn literal(x: &mut String, name: &str, after: &[&str], expression: &str) {
    decision_head(x, name, &[], after);
    let _ = writeln!(
        x,
        "    <literalExpression id=\"{name}_expression\"><text>{}</text></literalExpression>",
        text(expression)
    );
    let _ = writeln!(x, "  </decision>");
}

/// A decision's opening: its variable and what it requires.
fn decision_head(x: &mut String, name: &str, needs: &[&str], after: &[&str]) {
    let _ = writeln!(x, "  <decision id=\"{name}\" name=\"{name}\">");
    let _ = writeln!(x, "    <variable id=\"{name}_variable\" name=\"{name}\"/>");
    for d in after {
        let _ = writeln!(
            x,
            "    <informationRequirement id=\"{name}_requires_{d}\"><requiredDecision href=\"#{d}\"/></informationRequirement>"
        );
    }
    for f in needs {
        let _ = writeln!(
            x,
            "    <informationRequirement id=\"{name}_reads_{f}\"><requiredInput href=\"#input_{f}\"/></informationRequirement>"
        );
    }
}

/// A FEEL string literal.
fn feel_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A FEEL list of strings.
fn feel_list(items: &[&str]) -> String {
    format!("[{}]", items.iter().map(|s| feel_string(s)).collect::<Vec<_>>().join(", "))
}

/// Groups of mechanisms as a FEEL list of lists.
fn groups(groups: &[Vec<String>]) -> String {
    let lists: Vec<String> =
        groups.iter().map(|g| feel_list(&g.iter().map(String::as_str).collect::<Vec<_>>())).collect();
    format!("[{}]", lists.join(", "))
}

/// Indices as a FEEL list of numbers.
fn indices(indices: &[usize]) -> String {
    format!("[{}]", indices.iter().map(usize::to_string).collect::<Vec<_>>().join(", "))
}

/// XML character data.
fn text(s: &str) -> String {
    super::xml_text(s)
}

/// An XML attribute value (between double quotes).
fn attr(s: &str) -> String {
    super::xml_attribute(s)
}
