//! The finite space a table's rows live in.
//!
//! Facts have huge or unbounded domains, but a table only ever distinguishes finitely many
//! *classes* of values: members of an enum that no cell tells apart form one class (home
//! members are told apart from the rest, for scope); counts and dates fall into the elementary
//! segments between the bounds that cells use; a set fact becomes one yes/no variable per
//! member that some cell tests. Every row is then a box over these variables, and the analysis
//! is exact over the whole fact space: two points in the same classes are decided alike.

use super::mdd::{Mdd, NodeId, runs_of};
use crate::date::Date;
use crate::table::{Cell, Column, ColumnType, Table};
use std::collections::BTreeMap;

/// One variable of the space.
#[derive(Debug, Clone)]
enum Var {
    /// An enum fact; each class lists its members (domain indices), in domain order.
    Enum { fact: String, classes: Vec<Vec<u32>> },
    /// A count or date fact; segment `i` starts at `starts[i]` and ends where the next starts.
    Range { fact: String, date: bool, starts: Vec<i64> },
    /// A bool fact: value 0 is false, 1 is true.
    Bool { fact: String },
    /// Whether a set fact holds one member: value 0 absent, 1 present.
    Member { fact: String, member: String },
}

impl Var {
    fn size(&self) -> u32 {
        let n = match self {
            Var::Enum { classes, .. } => classes.len(),
            Var::Range { starts, .. } => starts.len(),
            Var::Bool { .. } | Var::Member { .. } => 2,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

/// The variables of a table's space, and how cells map onto them.
#[derive(Debug, Clone)]
pub struct Space {
    vars: Vec<Var>,
    columns: Vec<Column>,
    home: Vec<String>,
    origin: String,
    destination: String,
}

/// The segments a range cell admits, as runs: every bound is one of the segments' starts, so
/// each range is a run of whole segments, found by binary search.
fn range_runs(starts: &[i64], ranges: &[(Option<i64>, Option<i64>)]) -> Vec<(u32, bool)> {
    let index = |v: i64| u32::try_from(starts.partition_point(|&s| s < v)).unwrap_or(u32::MAX);
    let size = u32::try_from(starts.len()).unwrap_or(u32::MAX);
    let mut spans: Vec<(u32, u32)> =
        ranges.iter().map(|&(lo, hi)| (lo.map_or(0, index), hi.map_or(size, index))).filter(|(a, b)| a < b).collect();
    spans.sort_unstable();
    // Cells hold disjoint ranges; merging overlaps anyway keeps the runs sorted whatever comes.
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (lo, hi) in spans {
        match merged.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => merged.push((lo, hi)),
        }
    }
    let mut runs = vec![(0, false)];
    for (lo, hi) in merged {
        runs.push((lo, true));
        if hi < size {
            runs.push((hi, false));
        }
    }
    runs
}

impl Space {
    /// The space of one table: its columns, plus `origin` and `destination` for scope.
    pub fn of(table: &Table) -> Space {
        Space::of_tables(&[table])
    }

    /// The common space of several tables over the same vocabulary (for comparing them).
    pub fn of_tables(tables: &[&Table]) -> Space {
        let first = tables.first();
        let origin = first.map(|t| t.scope.origin.clone()).unwrap_or_default();
        let destination = first.map(|t| t.scope.destination.clone()).unwrap_or_default();
        let mut home: Vec<String> = tables.iter().flat_map(|t| t.home.iter().cloned()).collect();
        home.sort();
        home.dedup();
        // Columns any table tests, with scope's facts first, in a stable order.
        let mut columns: Vec<Column> = Vec::new();
        for fact in [&origin, &destination] {
            if let Some(c) = first.and_then(|t| t.fact(fact)) {
                columns.push(c.clone());
            }
        }
        for table in tables {
            for c in &table.columns {
                if !columns.iter().any(|x| x.fact == c.fact) {
                    columns.push(c.clone());
                }
            }
        }
        let mut vars = Vec::new();
        for column in &columns {
            let cells: Vec<&Cell> = tables
                .iter()
                .flat_map(|t| t.rows.iter().map(|r| &r.cells).chain(t.obligations.iter().map(|o| &o.cells)))
                .filter_map(|cells| cells.get(&column.fact))
                .collect();
            match column.ty {
                ColumnType::Enum => {
                    // A member's signature: which cells (and home) admit it.
                    let mut classes: BTreeMap<Vec<bool>, Vec<u32>> = BTreeMap::new();
                    for (m, name) in column.domain.iter().enumerate() {
                        let mut signature: Vec<bool> = cells
                            .iter()
                            .map(|c| matches!(c, Cell::Enum { members } if members.contains(name)))
                            .collect();
                        if column.fact == origin || column.fact == destination {
                            signature.push(home.contains(name));
                        }
                        classes.entry(signature).or_default().push(u32::try_from(m).unwrap_or(u32::MAX));
                    }
                    let mut classes: Vec<Vec<u32>> = classes.into_values().collect();
                    classes.sort();
                    vars.push(Var::Enum { fact: column.fact.clone(), classes });
                }
                ColumnType::Count | ColumnType::Date => {
                    let date = column.ty == ColumnType::Date;
                    let mut starts: Vec<i64> = vec![if date { i64::MIN } else { 0 }];
                    for c in &cells {
                        for (lo, hi) in c.ranges() {
                            starts.extend(lo);
                            starts.extend(hi);
                        }
                    }
                    starts.sort_unstable();
                    starts.dedup();
                    if !date {
                        starts.retain(|&s| s >= 0);
                    }
                    vars.push(Var::Range { fact: column.fact.clone(), date, starts });
                }
                ColumnType::Bool => vars.push(Var::Bool { fact: column.fact.clone() }),
                ColumnType::Set => {
                    let mut members: Vec<&String> = Vec::new();
                    for c in &cells {
                        if let Cell::Set { has, lacks } = c {
                            members.extend(has.iter().chain(lacks));
                        }
                    }
                    // Domain order, each once.
                    for name in column.domain.iter().filter(|m| members.contains(m)) {
                        vars.push(Var::Member { fact: column.fact.clone(), member: name.clone() });
                    }
                }
            }
        }
        Space { vars, columns, home, origin, destination }
    }

    /// A diagram store over this space.
    pub fn mdd(&self) -> Mdd {
        Mdd::new(self.vars.iter().map(Var::size).collect())
    }

    fn domain(&self, fact: &str) -> &[String] {
        self.columns.iter().find(|c| c.fact == fact).map(|c| c.domain.as_slice()).unwrap_or_default()
    }

    /// The region a row's cells describe.
    pub fn row(&self, mdd: &mut Mdd, cells: &BTreeMap<String, Cell>) -> NodeId {
        let allowed: Vec<Option<Vec<(u32, bool)>>> = self
            .vars
            .iter()
            .map(|var| match var {
                Var::Enum { fact, classes } => match cells.get(fact) {
                    Some(Cell::Enum { members }) => {
                        let domain = self.domain(fact);
                        Some(
                            classes
                                .iter()
                                .map(|class| {
                                    class
                                        .first()
                                        .and_then(|&m| domain.get(m as usize))
                                        .is_some_and(|n| members.contains(n))
                                })
                                .collect::<Vec<bool>>(),
                        )
                        .map(|flags| runs_of(&flags))
                    }
                    _ => None,
                },
                Var::Range { fact, starts, .. } => cells.get(fact).map(|c| range_runs(starts, &c.ranges())),
                Var::Bool { fact } => match cells.get(fact) {
                    Some(Cell::Bool { is }) => Some(runs_of(&[!is, *is])),
                    _ => None,
                },
                Var::Member { fact, member } => match cells.get(fact) {
                    Some(Cell::Set { has, .. }) if has.contains(member) => Some(runs_of(&[false, true])),
                    Some(Cell::Set { lacks, .. }) if lacks.contains(member) => Some(runs_of(&[true, false])),
                    _ => None,
                },
            })
            .collect();
        mdd.cube(&allowed)
    }

    /// The region in scope: origin in home, destination not.
    pub fn scope(&self, mdd: &mut Mdd) -> NodeId {
        let allowed: Vec<Option<Vec<(u32, bool)>>> = self
            .vars
            .iter()
            .map(|var| match var {
                Var::Enum { fact, classes } if *fact == self.origin || *fact == self.destination => {
                    let domain = self.domain(fact);
                    let want_home = *fact == self.origin;
                    Some(
                        classes
                            .iter()
                            .map(|class| {
                                let in_home = class
                                    .first()
                                    .and_then(|&m| domain.get(m as usize))
                                    .is_some_and(|n| self.home.contains(n));
                                in_home == want_home
                            })
                            .collect::<Vec<bool>>(),
                    )
                    .map(|flags| runs_of(&flags))
                }
                _ => None,
            })
            .collect();
        mdd.cube(&allowed)
    }

    /// A scenario for one point (as [`Mdd::witness`] gives it), in the JSON `accord eval`
    /// reads, one value for every variable of the space (facts the table never tests are left
    /// out, and take their defaults).
    pub fn scenario(&self, point: &[Option<u32>]) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        let mut sets: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (var, value) in self.vars.iter().zip(point) {
            let value = value.unwrap_or(0);
            match var {
                Var::Enum { fact, classes } => {
                    let domain = self.domain(fact);
                    let class = classes.get(value as usize).cloned().unwrap_or_default();
                    if let Some(name) = class.first().and_then(|&m| domain.get(m as usize)) {
                        object.insert(fact.clone(), name.clone().into());
                    }
                }
                Var::Range { fact, date, starts } => {
                    let start = starts.get(value as usize).copied().unwrap_or(0);
                    // The first date segment is open below: take the day before its end.
                    let v = if start == i64::MIN {
                        starts.get(1).map_or(Date::from_days(20_454).days(), |e| e - 1)
                    } else {
                        start
                    };
                    let json = if *date { Date::from_days(v).to_string().into() } else { serde_json::Value::from(v) };
                    object.insert(fact.clone(), json);
                }
                Var::Bool { fact } => {
                    object.insert(fact.clone(), (value == 1).into());
                }
                Var::Member { fact, member } => {
                    let entry = sets.entry(fact.clone()).or_default();
                    if value == 1 {
                        entry.push(member.clone());
                    }
                }
            }
        }
        for (fact, members) in sets {
            object.insert(fact, members.into_iter().map(serde_json::Value::from).collect::<Vec<_>>().into());
        }
        serde_json::Value::Object(object)
    }
}
