//! A compiled table as one SQL query that decides every row of a table of transfers as
//! `accord eval` decides each scenario: the same verdict, requirement groups, rule, citations,
//! obligations (with those that come only with a chosen mechanism), `satisfied` and `met_by`.
//! The query is generated from the table alone, for four dialects; `docs/sql.md` gives the
//! column layout.
//!
//! The query has three nested levels, each adding columns to the transfer's own: `problem`
//! (why the row cannot be read, or NULL), `table_row` (the deciding row of the table, -1 for
//! the default, NULL when out of scope or unreadable) and `satisfied`; the outer level adds
//! the decision. JSON-shaped outputs (`require`, `cite`, `obligations`, …) are JSON text in
//! every dialect, so that they read back as `accord eval` writes them.

use crate::table::{Cell, Column, ColumnType, Met, Outcome, Table};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The SQL dialect a query is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB: sets as `VARCHAR[]` lists, dates as `DATE`.
    Duckdb,
    /// SQLite: sets as `;`-separated text, dates as `YYYY-MM-DD` text, booleans as 0 and 1.
    Sqlite,
    /// Spark SQL: sets as `ARRAY<STRING>`, dates as `DATE`.
    Spark,
    /// Standard SQL: sets as `;`-separated text, dates as `DATE`.
    Ansi,
}

/// The columns the query adds, in order; no fact may be named like one of them.
pub const OUTPUTS: [&str; 12] = [
    "problem",
    "table_row",
    "satisfied",
    "regime",
    "verdict",
    "require",
    "ordered",
    "obligations",
    "if_chosen",
    "rule",
    "cite",
    "met_by",
];

/// The query deciding every row of `source` (a table or view of transfers) with `table`. An
/// error names a fact whose name an output column takes.
pub fn table_sql(table: &Table, dialect: Dialect, source: &str) -> Result<String, String> {
    let sql = Sql::new(table, dialect)?;
    let from = sql.ident(source);
    sql.query(&format!("`{source}`"), &from)
}

/// The DuckDB query deciding every line of the JSON Lines file at `path`. Each line is read
/// whole, kept as the column `transfer` (so that a decision keeps whatever else its line says,
/// an id say), and each fact the query reads is taken from it with the layout's type: a fact a
/// line leaves out is NULL (its default), and a value that is not of its type fails the query.
pub fn table_sql_on_json_lines(table: &Table, path: &str) -> Result<String, String> {
    let sql = Sql::new(table, Dialect::Duckdb)?;
    if sql.read.iter().any(|c| c.fact == LINE) {
        return Err(format!("fact `{LINE}` has the name of the column holding each line"));
    }
    let mut columns = vec![format!("json AS {LINE}")];
    for c in &sql.read {
        let key = sql.text(&c.fact);
        let value = match c.ty {
            ColumnType::Bool => format!("CAST(json ->> {key} AS BOOLEAN)"),
            ColumnType::Count => format!("CAST(json ->> {key} AS BIGINT)"),
            ColumnType::Date => format!("CAST(json ->> {key} AS DATE)"),
            ColumnType::Enum => format!("CAST(json ->> {key} AS VARCHAR)"),
            ColumnType::Set => format!("from_json(json -> {key}, '[\"VARCHAR\"]')"),
        };
        columns.push(format!("{value} AS {}", sql.ident(&c.fact)));
    }
    let from = format!(
        "(SELECT {} FROM read_json_objects({}, format = 'newline_delimited'))",
        columns.join(", "),
        sql.text(path)
    );
    sql.query(&format!("the JSON Lines file `{path}`"), &from)
}

/// The column of a query on a JSON Lines file that holds each line as it was read.
pub const LINE: &str = "transfer";

/// The column check for the query of `table` on `source`: one query, to run before it, that
/// returns a row for every column the query reads whose values are not of the type the layout
/// gives (`column_name`, `expected`, `found`, `rows`: how many rows hold such a value), and no
/// row when the table fits. A column missing from `source` fails the check in the engine,
/// which names it. Standard SQL has no way to ask a value's type, so it has no check.
pub fn columns_check(table: &Table, dialect: Dialect, source: &str) -> Result<String, String> {
    let sql = Sql::new(table, dialect)?;
    let accepted = |c: &Column| -> Result<&'static [&'static str], String> {
        Ok(match (c.ty, dialect) {
            (_, Dialect::Ansi) => {
                return Err(
                    "standard SQL cannot ask a value's type (check the columns in the engine's catalog)".to_owned()
                );
            }
            (ColumnType::Bool, Dialect::Duckdb) => &["BOOLEAN", "NULL"],
            (ColumnType::Count, Dialect::Duckdb) => {
                &["BIGINT", "INTEGER", "SMALLINT", "TINYINT", "UBIGINT", "UINTEGER", "USMALLINT", "UTINYINT", "NULL"]
            }
            (ColumnType::Date, Dialect::Duckdb) => &["DATE", "NULL"],
            (ColumnType::Enum, Dialect::Duckdb) => &["VARCHAR", "NULL"],
            (ColumnType::Set, Dialect::Duckdb) => &["VARCHAR[]", "NULL"],
            (ColumnType::Bool, Dialect::Spark) => &["boolean", "void"],
            (ColumnType::Count, Dialect::Spark) => &["bigint", "int", "smallint", "tinyint", "void"],
            (ColumnType::Date, Dialect::Spark) => &["date", "void"],
            (ColumnType::Enum, Dialect::Spark) => &["string", "void"],
            (ColumnType::Set, Dialect::Spark) => &["array<string>", "void"],
            // SQLite types each value, not the column.
            (ColumnType::Bool | ColumnType::Count, Dialect::Sqlite) => &["integer", "null"],
            (ColumnType::Date | ColumnType::Enum | ColumnType::Set, Dialect::Sqlite) => &["text", "null"],
        })
    };
    let mut checks = Vec::new();
    for c in &sql.read {
        // Qualified, so that SQLite does not read a missing column's quoted name as a string.
        let column = format!("t.{}", sql.ident(&c.fact));
        let found = format!("typeof({column})");
        let mut wrong = format!("{found} NOT IN ({})", sql.list(accepted(c)?));
        let mut shown = found.clone();
        // SQLite's integers and text can still be out of the layout: a boolean other than 0
        // or 1, a date not written YYYY-MM-DD.
        match (c.ty, dialect) {
            (ColumnType::Bool, Dialect::Sqlite) => {
                wrong = format!("{wrong} OR ({found} = 'integer' AND {column} NOT IN (0, 1))");
                shown = format!("CASE WHEN {found} = 'integer' THEN 'integer other than 0 or 1' ELSE {found} END");
            }
            (ColumnType::Date, Dialect::Sqlite) => {
                let pattern = "[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]";
                wrong = format!("{wrong} OR ({found} = 'text' AND {column} NOT GLOB '{pattern}')");
                shown = format!("CASE WHEN {found} = 'text' THEN 'text not YYYY-MM-DD' ELSE {found} END");
            }
            _ => {}
        }
        checks.push(format!(
            "SELECT {} AS column_name, {} AS expected, {shown} AS found, COUNT(*) AS {} FROM {} AS t WHERE {wrong} GROUP BY {shown}",
            sql.text(&c.fact),
            sql.text(sql.sql_type(c)),
            sql.ident("rows"),
            sql.ident(source),
        ));
    }
    let t = sql.table;
    let mut out = String::new();
    let _ = writeln!(out, "-- {}: the column check for its query on `{source}` (docs/sql.md).", t.regime);
    let _ = writeln!(out, "-- Generated by accord {} from the table {}.", env!("CARGO_PKG_VERSION"), t.hash);
    let _ =
        writeln!(out, "-- One row per column whose values are not of the layout's type; none when `{source}` fits. A");
    let _ = writeln!(out, "-- missing column fails here, and the engine names it.");
    // Never empty: every query reads `destination`.
    out.push_str(&checks.join("\nUNION ALL\n"));
    out.push('\n');
    Ok(out)
}

/// `satisfied`, read as false where no safeguards are given.
const SAT: &str = "COALESCE(satisfied, FALSE)";

struct Sql<'t> {
    table: &'t Table,
    d: Dialect,
    /// The columns the query reads, in vocabulary order.
    read: Vec<&'t Column>,
    /// For a set fact and a member, the members whose presence means it is present (itself,
    /// and every member that implies it).
    implied_by: BTreeMap<(&'t str, &'t str), Vec<&'t str>>,
    /// The `safeguards` column, when the vocabulary has one.
    safeguards: Option<&'t Column>,
}

/// An outcome of the table: a row's (by index) or the default's (`-1`).
struct Decides<'t> {
    index: i64,
    outcome: Option<&'t Outcome>,
    met: Option<&'t Met>,
    rule: Option<&'t str>,
    cite: &'t [String],
}

impl<'t> Sql<'t> {
    /// The writer of `table`'s queries; an error names a fact whose name an output column takes.
    fn new(table: &'t Table, d: Dialect) -> Result<Sql<'t>, String> {
        let safeguards = safeguards(table);
        let read = read_columns(table);
        let implied_by = implied_by(table);
        if let Some(clash) = read.iter().find(|c| OUTPUTS.contains(&c.fact.as_str())) {
            return Err(format!("fact `{}` has the name of an output column of the query", clash.fact));
        }
        Ok(Sql { table, d, read, implied_by, safeguards })
    }

    fn column(&self, fact: &str) -> Option<&'t Column> {
        self.read.iter().copied().find(|c| c.fact == fact)
    }

    fn ident(&self, name: &str) -> String {
        match self.d {
            Dialect::Spark => format!("`{name}`"),
            _ => format!("\"{name}\""),
        }
    }

    fn text(&self, s: &str) -> String {
        match self.d {
            // Spark reads backslash escapes in literals, and joins adjacent literals.
            Dialect::Spark => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            _ => format!("'{}'", s.replace('\'', "''")),
        }
    }

    fn json(&self, value: &serde_json::Value) -> String {
        self.text(&value.to_string())
    }

    fn null_text(&self) -> &'static str {
        match self.d {
            Dialect::Spark => "CAST(NULL AS STRING)",
            _ => "CAST(NULL AS VARCHAR)",
        }
    }

    fn list(&self, names: &[&str]) -> String {
        names.iter().map(|n| self.text(n)).collect::<Vec<_>>().join(", ")
    }

    fn substr2(&self, x: &str) -> String {
        match self.d {
            Dialect::Ansi => format!("SUBSTRING({x} FROM 2)"),
            _ => format!("substr({x}, 2)"),
        }
    }

    /// A fact's value, its default in place of NULL (sets as the dialect holds them).
    fn value(&self, c: &Column) -> String {
        let q = self.ident(&c.fact);
        match c.ty {
            ColumnType::Bool => format!("COALESCE({q}, FALSE)"),
            ColumnType::Count => format!("COALESCE({q}, 0)"),
            ColumnType::Date => format!("COALESCE({q}, CURRENT_DATE)"),
            ColumnType::Enum if c.fact == self.table.scope.origin => match self.home_member(c) {
                Some(home) => format!("COALESCE({q}, {})", self.text(home)),
                None => q,
            },
            ColumnType::Enum => q,
            ColumnType::Set => match self.d {
                Dialect::Duckdb => format!("COALESCE({q}, CAST([] AS VARCHAR[]))"),
                Dialect::Spark => format!("COALESCE({q}, CAST(array() AS ARRAY<STRING>))"),
                Dialect::Sqlite | Dialect::Ansi => format!("(';' || COALESCE({q}, '') || ';')"),
            },
        }
    }

    /// The regime's home as a member of the origin's domain: an omitted origin's value.
    fn home_member(&self, c: &'t Column) -> Option<&'t str> {
        home_member(self.table, c)
    }

    /// Set fact `c` holds `member`, or a member that implies it.
    fn has(&self, c: &Column, member: &str) -> String {
        let mut members = vec![member];
        if let Some(by) = self.implied_by.get(&(c.fact.as_str(), member)) {
            members.extend(by.iter().copied());
        }
        let set = self.value(c);
        match self.d {
            Dialect::Duckdb => format!("list_has_any({set}, [{}])", self.list(&members)),
            Dialect::Spark => format!("arrays_overlap({set}, array({}))", self.list(&members)),
            Dialect::Sqlite | Dialect::Ansi => {
                let tests: Vec<String> = members
                    .iter()
                    .map(|m| {
                        let needle = self.text(&format!(";{m};"));
                        match self.d {
                            Dialect::Sqlite => format!("instr({set}, {needle}) > 0"),
                            _ => format!("POSITION({needle} IN {set}) > 0"),
                        }
                    })
                    .collect();
                format!("({})", tests.join(" OR "))
            }
        }
    }

    fn date(&self, day: &str) -> String {
        match self.d {
            Dialect::Sqlite => self.text(day),
            _ => format!("DATE {}", self.text(day)),
        }
    }

    /// Where every cell holds; a cell on a fact that is not a column of the table is an error.
    fn cells(&self, cells: &BTreeMap<String, Cell>) -> Result<String, String> {
        let mut parts = Vec::new();
        for (fact, cell) in cells {
            let Some(c) = self.column(fact) else {
                return Err(format!("a row tests `{fact}`, which is not a column of the table"));
            };
            let v = self.value(c);
            parts.push(match cell {
                Cell::Bool { is: true } => v,
                Cell::Bool { is: false } => format!("NOT {v}"),
                Cell::Enum { members } if members.is_empty() => "FALSE".to_owned(),
                Cell::Enum { members } => {
                    format!("{v} IN ({})", self.list(&members.iter().map(|m| &**m).collect::<Vec<_>>()))
                }
                Cell::Set { has, lacks } => {
                    let mut tests: Vec<String> = has.iter().map(|m| self.has(c, m)).collect();
                    tests.extend(lacks.iter().map(|m| format!("NOT {}", self.has(c, m))));
                    and(tests)
                }
                Cell::Counts { counts } => or(counts
                    .iter()
                    .map(|r| match r.until {
                        Some(until) => format!("({v} >= {} AND {v} < {until})", r.from),
                        None => format!("{v} >= {}", r.from),
                    })
                    .collect()),
                Cell::Dates { dates } => or(dates
                    .iter()
                    .map(|r| {
                        let mut bounds = Vec::new();
                        if let Some(from) = &r.from {
                            bounds.push(format!("{v} >= {}", self.date(from)));
                        }
                        if let Some(until) = &r.until {
                            bounds.push(format!("{v} < {}", self.date(until)));
                        }
                        and(bounds)
                    })
                    .collect()),
            });
        }
        Ok(and(parts))
    }

    /// Why a transfer cannot be read, checked in vocabulary order: NULL when it can.
    fn problem(&self) -> String {
        let mut whens = Vec::new();
        for c in &self.read {
            let q = self.ident(&c.fact);
            let domain: Vec<&str> = c.domain.iter().map(|m| &**m).collect();
            let required =
                c.ty == ColumnType::Enum && (c.fact != self.table.scope.origin || self.home_member(c).is_none());
            if required {
                whens.push((format!("{q} IS NULL"), format!("`{}` is required", c.fact)));
            }
            match c.ty {
                ColumnType::Enum => {
                    whens.push((
                        format!("{q} NOT IN ({})", self.list(&domain)),
                        format!("`{}` is not one of its members", c.fact),
                    ));
                }
                ColumnType::Count => whens.push((format!("{q} < 0"), format!("`{}` is below 0", c.fact))),
                ColumnType::Set => {
                    let outside = match self.d {
                        Dialect::Duckdb => format!("NOT list_has_all([{}], {q})", self.list(&domain)),
                        Dialect::Spark => format!("size(array_except({q}, array({}))) > 0", self.list(&domain)),
                        // Every name between its own two separators, so that each occurrence of
                        // a member is counted: a name is not a member when the names outnumber
                        // the members' occurrences. (Flat, for parsers with a shallow stack.)
                        Dialect::Sqlite | Dialect::Ansi => {
                            // LENGTH rather than the standard's CHAR_LENGTH, which DuckDB lacks.
                            let len = "LENGTH";
                            let spread = format!("(';' || REPLACE({q}, ';', ';;') || ';')");
                            let names = format!("({len}({q}) - {len}(REPLACE({q}, ';', '')) + 1)");
                            let found: Vec<String> = domain
                                .iter()
                                .map(|m| {
                                    let needle = format!(";{m};");
                                    format!(
                                        "({len}({spread}) - {len}(REPLACE({spread}, {}, ''))) / {}",
                                        self.text(&needle),
                                        needle.len()
                                    )
                                })
                                .collect();
                            let found = if found.is_empty() { "0".to_owned() } else { found.join(" + ") };
                            format!("{q} <> '' AND {names} <> {found}")
                        }
                    };
                    whens.push((
                        format!("{q} IS NOT NULL AND {outside}"),
                        format!("`{}` holds a name that is not one of its members", c.fact),
                    ));
                }
                ColumnType::Bool | ColumnType::Date => {}
            }
        }
        if whens.is_empty() {
            return self.null_text().to_owned();
        }
        let mut out = String::from("CASE");
        for (when, message) in whens {
            let _ = write!(out, "\n      WHEN {when} THEN {}", self.text(&message));
        }
        out.push_str("\n    END");
        out
    }

    fn in_scope(&self) -> String {
        let home: Vec<&str> = self.table.home.iter().map(|h| &**h).collect();
        let (Some(origin), Some(destination)) =
            (self.column(&self.table.scope.origin), self.column(&self.table.scope.destination))
        else {
            return "FALSE".to_owned();
        };
        format!(
            "{} IN ({list}) AND {} NOT IN ({list})",
            self.value(origin),
            self.value(destination),
            list = self.list(&home)
        )
    }

    fn decides(&self) -> Vec<Decides<'t>> {
        let mut all: Vec<Decides<'t>> = self
            .table
            .rows
            .iter()
            .zip(0i64..)
            .map(|(r, index)| Decides {
                index,
                outcome: Some(&r.outcome),
                met: r.met.as_ref(),
                rule: Some(&r.rule),
                cite: &r.cite,
            })
            .collect();
        all.push(Decides { index: -1, outcome: self.table.default.as_ref(), met: None, rule: None, cite: &[] });
        all
    }

    /// `CASE table_row WHEN i THEN … ELSE <default> END` over every outcome, rows with the
    /// same expression sharing one branch.
    fn by_row(&self, each: impl Fn(&Decides<'t>) -> String) -> String {
        let mut branches: Vec<(String, Vec<i64>)> = Vec::new();
        let mut default = String::new();
        for decides in self.decides() {
            let expr = each(&decides);
            if decides.index < 0 {
                default = expr;
                continue;
            }
            match branches.iter_mut().find(|(e, _)| *e == expr) {
                Some((_, rows)) => rows.push(decides.index),
                None => branches.push((expr, vec![decides.index])),
            }
        }
        if branches.is_empty() {
            return default;
        }
        let mut out = String::from("CASE");
        for (expr, rows) in branches {
            let rows: Vec<String> = rows.iter().map(i64::to_string).collect();
            let _ = write!(out, " WHEN table_row IN ({}) THEN {expr}", rows.join(", "));
        }
        let _ = write!(out, " ELSE {default} END");
        out
    }

    /// The first mechanism of `group` the safeguards hold (NULL if none).
    fn chosen(&self, group: &[String]) -> String {
        let Some(s) = self.safeguards else { return "NULL".to_owned() };
        let mut out = String::from("CASE");
        for m in group {
            let _ = write!(out, " WHEN {} THEN {}", self.has(s, m), self.text(m));
        }
        out.push_str(" END");
        out
    }

    /// Whether mechanism `m` met the deciding row's requirement (by facts, or by safeguards).
    fn met(&self, m: &str) -> String {
        let expr = self.by_row(|d| match (d.met, d.outcome) {
            (Some(met), _) => bool_sql(met.by.iter().any(|b| b == m)),
            (None, Some(Outcome::Require { require, .. })) => {
                let tests: Vec<String> = require
                    .iter()
                    .filter(|g| g.iter().any(|a| a == m))
                    .map(|g| format!("{} = {}", self.chosen(g), self.text(m)))
                    .collect();
                if tests.is_empty() { "FALSE".to_owned() } else { format!("({SAT} AND {})", or(tests)) }
            }
            _ => "FALSE".to_owned(),
        });
        format!("(table_row IS NOT NULL AND COALESCE({expr}, FALSE))")
    }

    /// The query; `source` names what it reads in its header, `from` is that in SQL.
    fn query(&self, source: &str, from: &str) -> Result<String, String> {
        let t = self.table;
        let mut sql = String::new();
        let _ = writeln!(sql, "-- {}: {}", t.regime, t.title);
        let _ = writeln!(sql, "-- Generated by accord {} from the table {}.", env!("CARGO_PKG_VERSION"), t.hash);
        let _ = writeln!(sql, "-- Decides every row of {source}; the columns it reads (NULL: the fact's default):");
        for c in &self.read {
            let _ = writeln!(sql, "--   {} {}", c.fact, self.sql_type(c));
        }
        let _ = writeln!(sql, "-- It adds: {}.", OUTPUTS.join(", "));
        // Level 0: why the row cannot be read.
        let mut level0 = format!("SELECT t.*, {} AS problem FROM {from} AS t", self.problem());
        if self.d == Dialect::Sqlite {
            // SQLite reads a quoted name that is no column as a string: naming each column with
            // its table makes a missing one an error, as in every other engine.
            let named: Vec<String> =
                self.read.iter().map(|c| format!("(t.{} IS NULL OR 1)", self.ident(&c.fact))).collect();
            let _ = write!(level0, " WHERE {}", named.join(" AND "));
        }
        // Level 1: the deciding row.
        let mut row = format!("CASE WHEN problem IS NOT NULL OR NOT ({}) THEN NULL", self.in_scope());
        for (i, r) in t.rows.iter().enumerate() {
            let _ = write!(row, "\n      WHEN {} THEN {i}", self.cells(&r.cells)?);
        }
        row.push_str("\n      ELSE -1 END");
        let level1 = format!("SELECT l0.*, {row} AS table_row FROM l0");
        // Level 2: whether the safeguards given meet the requirement.
        let satisfied = match self.safeguards {
            Some(s) => {
                let each = self.by_row(|d| match (d.met, d.outcome) {
                    (Some(_), _) | (None, Some(Outcome::Permit)) => "TRUE".to_owned(),
                    (None, Some(Outcome::Require { require, .. })) => {
                        and(require.iter().map(|g| or(g.iter().map(|m| self.has(s, m)).collect())).collect())
                    }
                    (None, Some(Outcome::Prohibit) | None) => "FALSE".to_owned(),
                });
                format!(
                    "CASE WHEN problem IS NOT NULL OR {q} IS NULL THEN NULL WHEN table_row IS NULL THEN TRUE ELSE {each} END",
                    q = self.ident(&s.fact)
                )
            }
            None => "CAST(NULL AS BOOLEAN)".to_owned(),
        };
        let level2 = format!("SELECT l1.*, {satisfied} AS satisfied FROM l1");
        // Level 3: the decision.
        let verdict = self.by_row(|d| match (d.met, d.outcome) {
            (Some(_), _) | (None, Some(Outcome::Permit)) => self.text("permit"),
            (None, Some(Outcome::Prohibit)) => self.text("prohibit"),
            (None, Some(Outcome::Require { .. })) => format!("CASE WHEN {SAT} THEN 'permit' ELSE 'require' END"),
            (None, None) => self.text("undecided"),
        });
        let require = self.by_row(|d| match (d.met, d.outcome) {
            (None, Some(Outcome::Require { require, .. })) => {
                format!("CASE WHEN {SAT} THEN '[]' ELSE {} END", self.json(&groups_json(require)))
            }
            _ => "'[]'".to_owned(),
        });
        let ordered = self.by_row(|d| match (d.met, d.outcome) {
            (None, Some(Outcome::Require { ordered, .. })) => {
                format!("CASE WHEN {SAT} THEN '[]' ELSE {} END", self.json(&indices_json(ordered)))
            }
            _ => "'[]'".to_owned(),
        });
        let rule = self.by_row(|d| d.rule.map_or_else(|| self.null_text().to_owned(), |r| self.text(r)));
        let cite = self.by_row(|d| self.json(&strings_json(d.cite)));
        let met_by = self.by_row(|d| match (d.met, d.outcome) {
            (Some(met), _) => {
                let mut object = serde_json::Map::new();
                object.insert("mechanisms".into(), strings_json(&met.by));
                object.insert("require".into(), groups_json(&met.require));
                if !met.ordered.is_empty() {
                    object.insert("ordered".into(), indices_json(&met.ordered));
                }
                object.insert("through".into(), "facts".into());
                self.json(&serde_json::Value::Object(object))
            }
            (None, Some(Outcome::Require { require, ordered })) if self.safeguards.is_some() => {
                let chosen: Vec<String> = require.iter().map(|g| self.chosen(g)).collect();
                let mut tail = format!(",\"require\":{}", groups_json(require));
                if !ordered.is_empty() {
                    let _ = write!(tail, ",\"ordered\":{}", indices_json(ordered));
                }
                tail.push_str(",\"through\":\"safeguards\"}");
                format!(
                    "CASE WHEN {SAT} THEN '{{\"mechanisms\":[\"' || {} || '\"]' || {} END",
                    chosen.join(" || '\",\"' || "),
                    self.text(&tail)
                )
            }
            _ => self.null_text().to_owned(),
        });
        let obligations = self.obligations()?;
        let if_chosen = self.if_chosen()?;
        let mut level3 = String::from("SELECT l2.*");
        let outputs = [
            ("regime", self.text(&t.regime)),
            ("verdict", format!("CASE WHEN table_row IS NULL THEN 'out_of_scope' ELSE {verdict} END")),
            ("require", format!("CASE WHEN table_row IS NULL THEN '[]' ELSE {require} END")),
            ("ordered", format!("CASE WHEN table_row IS NULL THEN '[]' ELSE {ordered} END")),
            ("obligations", obligations),
            ("if_chosen", if_chosen),
            ("rule", format!("CASE WHEN table_row IS NULL THEN NULL ELSE {rule} END")),
            ("cite", format!("CASE WHEN table_row IS NULL THEN '[]' ELSE {cite} END")),
            ("met_by", format!("CASE WHEN table_row IS NULL THEN NULL ELSE {met_by} END")),
        ];
        for (name, expr) in outputs {
            let _ =
                write!(level3, ",\n  CASE WHEN problem IS NOT NULL THEN NULL ELSE {expr} END AS {}", self.ident(name));
        }
        // Each level computed once: an engine that inlined a level into the next would copy its
        // expressions into every place that names its columns.
        let materialized = match self.d {
            Dialect::Sqlite | Dialect::Duckdb => " MATERIALIZED",
            Dialect::Spark | Dialect::Ansi => "",
        };
        let _ = write!(
            sql,
            "WITH l0 AS{materialized} ({level0}),\nl1 AS{materialized} ({level1}),\nl2 AS{materialized} ({level2})\n{level3}\nFROM l2\n"
        );
        Ok(sql)
    }

    /// The obligations, as a JSON list in the table's order, each once.
    fn obligations(&self) -> Result<String, String> {
        let t = self.table;
        let upon: BTreeSet<&str> = t.obligations.iter().flat_map(|o| o.upon.iter().map(String::as_str)).collect();
        let met: BTreeMap<&str, String> = upon.iter().map(|m| (*m, self.met(m))).collect();
        let qualifies = |o: &'t crate::table::ObligationRow| -> Result<(&'t str, String), String> {
            let here = format!("table_row IS NOT NULL AND {}", self.cells(&o.cells)?);
            let cond = if o.upon.is_empty() {
                format!("({here})")
            } else {
                let any: Vec<String> = o.upon.iter().filter_map(|m| met.get(m.as_str()).cloned()).collect();
                format!("({here} AND {})", or(any))
            };
            Ok((o.obligation.as_str(), cond))
        };
        let pieces = blocks(t.obligations.iter().map(qualifies).collect::<Result<_, _>>()?);
        if pieces.is_empty() {
            return Ok("'[]'".to_owned());
        }
        Ok(format!("'[' || {} || ']'", self.substr2(&pieces.join(" || "))))
    }

    /// The obligations that come only with a chosen mechanism, by mechanism, as a JSON object.
    fn if_chosen(&self) -> Result<String, String> {
        let t = self.table;
        let decides = self.decides();
        let alternatives = |m: &str| -> Vec<i64> {
            decides
                .iter()
                .filter(|d| d.met.is_none() && matches!(d.outcome, Some(Outcome::Require { require, .. }) if require.iter().flatten().any(|a| a == m)))
                .map(|d| d.index)
                .collect()
        };
        let mechanisms: BTreeSet<&str> = t.obligations.iter().flat_map(|o| o.upon.iter().map(String::as_str)).collect();
        let here = |o: &crate::table::ObligationRow| -> Result<String, String> {
            Ok(format!("(table_row IS NOT NULL AND {})", self.cells(&o.cells)?))
        };
        let mut entries = Vec::new();
        for m in mechanisms {
            let rows = alternatives(m);
            if rows.is_empty() {
                continue;
            }
            let listed: Vec<(&str, String)> = t
                .obligations
                .iter()
                .filter(|o| o.upon.iter().any(|u| u == m))
                .map(|o| {
                    // Not listed again when it comes in any case (a row without `upon`).
                    let always: Vec<String> = t
                        .obligations
                        .iter()
                        .filter(|p| p.obligation == o.obligation && p.upon.is_empty())
                        .map(&here)
                        .collect::<Result<_, _>>()?;
                    Ok((o.obligation.as_str(), format!("({} AND NOT {})", here(o)?, or(always))))
                })
                .collect::<Result<_, String>>()?;
            let list = blocks(listed).join(" || ");
            let rows: Vec<String> = rows.iter().map(i64::to_string).collect();
            let key = self.text(&format!(",\"{m}\":["));
            entries.push(format!(
                "CASE WHEN table_row IN ({}) THEN COALESCE({key} || {} || ']', '') ELSE '' END",
                rows.join(", "),
                self.substr2(&format!("NULLIF({list}, '')"))
            ));
        }
        if entries.is_empty() {
            return Ok("'{}'".to_owned());
        }
        Ok(format!(
            "CASE WHEN table_row IS NOT NULL AND NOT {SAT} THEN '{{' || {} || '}}' ELSE '{{}}' END",
            self.substr2(&entries.join(" || "))
        ))
    }

    fn sql_type(&self, c: &Column) -> &'static str {
        match (c.ty, self.d) {
            (ColumnType::Bool, Dialect::Sqlite) => "INTEGER (0 or 1)",
            (ColumnType::Bool, _) => "BOOLEAN",
            (ColumnType::Count, _) => "BIGINT",
            (ColumnType::Date, Dialect::Sqlite) => "TEXT (YYYY-MM-DD)",
            (ColumnType::Date, _) => "DATE",
            (ColumnType::Enum, Dialect::Spark) => "STRING (a member)",
            (ColumnType::Enum, _) => "VARCHAR (a member)",
            (ColumnType::Set, Dialect::Duckdb) => "VARCHAR[] (members)",
            (ColumnType::Set, Dialect::Spark) => "ARRAY<STRING> (members)",
            (ColumnType::Set, _) => "VARCHAR (members separated by ;)",
        }
    }
}

/// The fact whose presence asks whether the requirements are met (as `accord eval` reads it).
pub(crate) const SAFEGUARDS: &str = "safeguards";

/// For a set fact and a member, the members whose presence means it is present: every member
/// that implies it (the vocabulary's `implies`).
pub(crate) fn implied_by(table: &Table) -> BTreeMap<(&str, &str), Vec<&str>> {
    let mut implied_by: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for implication in &table.relations.implies {
        for m in &implication.implies {
            implied_by.entry((&implication.fact, m)).or_default().push(&implication.member);
        }
    }
    implied_by
}

/// The regime's home as a member of `c`'s domain (the origin's): an omitted origin's value.
pub(crate) fn home_member<'t>(table: &Table, c: &'t Column) -> Option<&'t str> {
    let home = table.home.first()?;
    c.domain.iter().find(|m| ***m == **home).map(|m| &**m)
}

/// The `safeguards` column, when the vocabulary has one.
pub(crate) fn safeguards(table: &Table) -> Option<&Column> {
    table.fact(SAFEGUARDS).filter(|c| c.ty == ColumnType::Set)
}

/// The columns the query for `table` reads, in vocabulary order: the scope's two facts, every
/// fact the table tests, and `safeguards`. A table of transfers needs these and no others.
pub fn read_columns(table: &Table) -> Vec<&Column> {
    let safeguards = safeguards(table);
    table
        .vocabulary
        .iter()
        .filter(|c| {
            c.fact == table.scope.origin
                || c.fact == table.scope.destination
                || table.columns.iter().any(|t| t.fact == c.fact)
                || safeguards.is_some_and(|s| s.fact == c.fact)
        })
        .collect()
}

fn strings_json(names: &[String]) -> serde_json::Value {
    serde_json::Value::Array(names.iter().map(|n| serde_json::Value::String(n.clone())).collect())
}

fn groups_json(groups: &[Vec<String>]) -> serde_json::Value {
    serde_json::Value::Array(groups.iter().map(|g| strings_json(g)).collect())
}

fn indices_json(indices: &[usize]) -> serde_json::Value {
    serde_json::Value::Array(indices.iter().map(|&i| serde_json::Value::from(i)).collect())
}

/// For entries (name, condition) in order: a piece per run of one name giving `,"name"` where
/// the run's condition holds and no earlier run of that name's did, so that each name comes
/// once, at its first place.
fn blocks(entries: Vec<(&str, String)>) -> Vec<String> {
    let mut runs: Vec<(&str, Vec<String>)> = Vec::new();
    for (name, cond) in entries {
        match runs.last_mut() {
            Some((last, conds)) if *last == name => conds.push(cond),
            _ => runs.push((name, vec![cond])),
        }
    }
    let mut pieces = Vec::new();
    for (i, (name, conds)) in runs.iter().enumerate() {
        let earlier: Vec<String> =
            runs.iter().take(i).filter(|(n, _)| n == name).flat_map(|(_, c)| c.iter().cloned()).collect();
        let here = or(conds.clone());
        let cond = if earlier.is_empty() { here } else { format!("{here} AND NOT {}", or(earlier)) };
        pieces.push(format!("CASE WHEN {cond} THEN ',\"{name}\"' ELSE '' END"));
    }
    pieces
}

/// Every part holds (true when there are none).
fn and(mut parts: Vec<String>) -> String {
    if parts.len() > 1 {
        return format!("({})", parts.join(" AND "));
    }
    parts.pop().unwrap_or_else(|| "TRUE".to_owned())
}

/// Some part holds (false when there are none).
fn or(mut parts: Vec<String>) -> String {
    if parts.len() > 1 {
        return format!("({})", parts.join(" OR "));
    }
    parts.pop().unwrap_or_else(|| "FALSE".to_owned())
}

fn bool_sql(b: bool) -> String {
    if b { "TRUE" } else { "FALSE" }.to_owned()
}
