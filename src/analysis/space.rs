//! The finite space a table's rows live in.
//!
//! Facts have huge or unbounded domains, but a table only ever distinguishes finitely many
//! *classes* of values: members of an enum that no cell tells apart form one class (scope is
//! given as cells too, so home members are told apart from the rest); counts and dates fall into the elementary
//! segments between the bounds that cells use; a set fact becomes one yes/no variable per
//! member that some cell tests. Every row is then a box over these variables, and the analysis
//! is exact over the whole fact space: two points in the same classes are decided alike.

use super::mdd::{Boxed, HashMap, Mdd, NodeId, runs_of, union_spans};
use super::weights::Weights;
use crate::date::Date;
use crate::table::{Cell, Column, ColumnType, CountRange, DateRange, Name, Table};
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
    Member { fact: String, member: Name },
}

impl Var {
    fn fact(&self) -> &str {
        match self {
            Var::Enum { fact, .. } | Var::Range { fact, .. } | Var::Bool { fact } | Var::Member { fact, .. } => fact,
        }
    }

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
    /// The variables of each column's fact (one after another), in the order of `columns`.
    column_vars: Vec<std::ops::Range<usize>>,
    /// Implications between member variables: a consistent point with the first present has
    /// the second present too.
    implications: Vec<(usize, usize)>,
}

/// The vocabulary's implications between set members, as (fact, member, a member it implies),
/// from every table given (tables over one vocabulary state the same ones).
pub fn implications(tables: &[&Table]) -> Vec<(String, Name, Name)> {
    let mut pairs: Vec<(String, Name, Name)> = Vec::new();
    for table in tables {
        for i in &table.relations.implies {
            for implied in &i.implies {
                let pair = (i.fact.clone(), i.member.clone(), implied.clone());
                if !pairs.contains(&pair) {
                    pairs.push(pair);
                }
            }
        }
    }
    pairs
}

/// A table's scope as cells: origin in its home, destination outside it.
pub fn scope_cells(table: &Table) -> Vec<(String, Cell)> {
    let outside = |fact: &str| -> Vec<Name> {
        table
            .fact(fact)
            .map(|c| {
                // Sized for the whole domain, so that hundreds of names do not grow it in steps.
                let mut members = Vec::with_capacity(c.domain.len());
                members.extend(c.domain.iter().filter(|m| !table.home.iter().any(|h| **h == ***m)).cloned());
                members
            })
            .unwrap_or_default()
    };
    vec![
        (
            table.scope.origin.clone(),
            Cell::Enum { members: table.home.iter().map(|h| Name::from(h.as_str())).collect() },
        ),
        (table.scope.destination.clone(), Cell::Enum { members: outside(&table.scope.destination) }),
    ]
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
    let mut runs = Vec::with_capacity(1 + 2 * merged.len());
    runs.push((0, false));
    for (lo, hi) in merged {
        runs.push((lo, true));
        if hi < size {
            runs.push((hi, false));
        }
    }
    runs
}

/// The values of a variable that a cell of its fact admits, as runs; `None` if it admits all.
fn allowed_values(var: &Var, cell: &Cell, domain: &[Name]) -> Option<Vec<(u32, bool)>> {
    match var {
        Var::Enum { classes, .. } => match cell {
            Cell::Enum { members } => {
                let flags: Vec<bool> = classes
                    .iter()
                    .map(|class| {
                        class.first().and_then(|&m| domain.get(m as usize)).is_some_and(|n| members.contains(n))
                    })
                    .collect();
                Some(runs_of(&flags))
            }
            _ => None,
        },
        Var::Range { starts, .. } => Some(range_runs(starts, &cell.ranges())),
        Var::Bool { .. } => match cell {
            Cell::Bool { is } => Some(runs_of(&[!is, *is])),
            _ => None,
        },
        Var::Member { member, .. } => match cell {
            Cell::Set { has, .. } if has.contains(member) => Some(runs_of(&[false, true])),
            Cell::Set { lacks, .. } if lacks.contains(member) => Some(runs_of(&[true, false])),
            _ => None,
        },
    }
}

impl Space {
    /// The space of one table: its columns, plus `origin` and `destination` for scope.
    pub fn of(table: &Table) -> Space {
        Space::of_tables(&[table])
    }

    /// The common space of several tables over the same vocabulary, each read with its own
    /// scope.
    pub fn of_tables(tables: &[&Table]) -> Space {
        let mut columns: Vec<Column> = Vec::new();
        let mut scopes: Vec<(String, Cell)> = Vec::new();
        for table in tables {
            for (fact, cell) in scope_cells(table) {
                columns.extend(table.fact(&fact).cloned());
                scopes.push((fact, cell));
            }
        }
        let mut cells: Vec<(&str, &Cell)> = scopes.iter().map(|(f, c)| (f.as_str(), c)).collect();
        for table in tables {
            columns.extend(table.columns.iter().cloned());
            for cells_of in table.rows.iter().map(|r| &r.cells).chain(table.obligations.iter().map(|o| &o.cells)) {
                cells.extend(cells_of.iter().map(|(f, c)| (f.as_str(), c)));
            }
        }
        Space::new(columns, &cells, &implications(tables))
    }

    /// The space in which every one of `cells` is a box: variables for the `columns` (each
    /// fact once, in the order first given), split as finely as the cells tell values apart.
    /// A set member that is tested brings in every member linked to it by `implications`, so
    /// that [`Space::consistent`] can say which points are consistent.
    pub fn new(columns: Vec<Column>, cells: &[(&str, &Cell)], implications: &[(String, Name, Name)]) -> Space {
        let mut unique: Vec<Column> = Vec::with_capacity(columns.len());
        for c in columns {
            if !unique.iter().any(|x| x.fact == c.fact) {
                unique.push(c);
            }
        }
        let columns = unique;
        let mut vars = Vec::new();
        let mut column_vars = Vec::with_capacity(columns.len());
        for column in &columns {
            let from = vars.len();
            let cells: Vec<&Cell> = cells.iter().filter(|(f, _)| *f == column.fact).map(|(_, c)| *c).collect();
            match column.ty {
                ColumnType::Enum => {
                    // A member's signature: which cells admit it. Each cell's members are looked
                    // up by name, not searched for each member of the domain (a domain and a cell
                    // can both hold hundreds of names). A domain names each member once, but
                    // nothing here relies on it: `next` chains the places of a repeated name.
                    let mut first: HashMap<&str, usize> =
                        HashMap::with_capacity_and_hasher(column.domain.len(), Default::default());
                    let mut next = vec![usize::MAX; column.domain.len()];
                    for (m, name) in column.domain.iter().enumerate().rev() {
                        if let (Some(later), Some(n)) = (first.insert(&**name, m), next.get_mut(m)) {
                            *n = later;
                        }
                    }
                    // Signatures side by side: member `m`'s is `admits[m * width..(m + 1) * width]`.
                    let width = cells.len();
                    let mut admits = vec![false; column.domain.len() * width];
                    for (k, cell) in cells.iter().enumerate() {
                        let Cell::Enum { members } = cell else { continue };
                        for name in members {
                            let mut at = first.get(&**name).copied();
                            while let Some(m) = at {
                                if let Some(a) = admits.get_mut(m * width + k) {
                                    *a = true;
                                }
                                at = next.get(m).copied().filter(|&n| n != usize::MAX);
                            }
                        }
                    }
                    let mut classes: BTreeMap<&[bool], Vec<u32>> = BTreeMap::new();
                    for m in 0..column.domain.len() {
                        let signature = admits.get(m * width..(m + 1) * width).unwrap_or_default();
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
                    let mut members: Vec<&Name> = Vec::new();
                    for c in &cells {
                        if let Cell::Set { has, lacks } = c {
                            members.extend(has.iter().chain(lacks));
                        }
                    }
                    // The members linked to a tested one, up to a fixed point: what a consistent
                    // point holds of a tested member depends on them.
                    let links: Vec<(&Name, &Name)> =
                        implications.iter().filter(|(f, _, _)| *f == column.fact).map(|(_, m, n)| (m, n)).collect();
                    let mut grown = true;
                    while grown {
                        grown = false;
                        for &(m, n) in &links {
                            let (has_m, has_n) = (members.contains(&m), members.contains(&n));
                            if has_m != has_n {
                                members.push(if has_m { n } else { m });
                                grown = true;
                            }
                        }
                    }
                    // Domain order, each once.
                    for name in column.domain.iter().filter(|m| members.contains(m)) {
                        vars.push(Var::Member { fact: column.fact.clone(), member: name.clone() });
                    }
                }
            }
            column_vars.push(from..vars.len());
        }
        let var_of = |fact: &str, member: &Name| {
            vars.iter().position(|v| matches!(v, Var::Member { fact: f, member: m } if f == fact && m == member))
        };
        let implications =
            implications.iter().filter_map(|(fact, m, n)| Some((var_of(fact, m)?, var_of(fact, n)?))).collect();
        Space { vars, columns, column_vars, implications }
    }

    /// The boxes' hull on the variables of `fact`: each of them admits every value any box
    /// admits (free where that is every value); the other variables as in the first box.
    pub fn hull_on(&self, boxes: &[&Boxed], fact: &str) -> Option<Boxed> {
        let first = boxes.first()?;
        let mut hull: Boxed = Vec::with_capacity(first.len());
        for (v, var) in self.vars.iter().enumerate() {
            let own = first.get(v).cloned().flatten();
            if var.fact() != fact {
                hull.push(own);
                continue;
            }
            // Free where some box leaves it free, else the union of what the boxes admit.
            let spans: Option<Vec<Vec<(u32, u32)>>> = boxes.iter().map(|b| b.get(v).cloned().flatten()).collect();
            hull.push(spans.and_then(|s| union_spans(s.concat(), var.size())));
        }
        Some(hull)
    }

    /// A box with the variables of `fact` left free.
    pub fn without_fact(&self, b: &Boxed, fact: &str) -> Boxed {
        self.vars.iter().zip(b).map(|(var, spans)| if var.fact() == fact { None } else { spans.clone() }).collect()
    }

    /// The facts whose members the implications tie together, each once.
    pub fn related_facts(&self) -> Vec<String> {
        let mut facts: Vec<String> = Vec::new();
        for &(m, _) in &self.implications {
            if let Some(fact) = self.vars.get(m).map(Var::fact) {
                if !facts.iter().any(|f| f == fact) {
                    facts.push(fact.to_owned());
                }
            }
        }
        facts
    }

    /// The consistent points: those closed under the implications (no member present without
    /// the members it implies). Scenarios are closed before they are decided, so only these
    /// points are ever decided; every analysis ranges over them alone.
    pub fn consistent(&self, mdd: &mut Mdd) -> NodeId {
        let mut consistent = super::mdd::TRUE;
        for &(m, n) in &self.implications {
            let mut allowed: Vec<Option<Vec<(u32, bool)>>> = vec![None; self.vars.len()];
            if let Some(slot) = allowed.get_mut(m) {
                *slot = Some(runs_of(&[false, true]));
            }
            if let Some(slot) = allowed.get_mut(n) {
                *slot = Some(runs_of(&[true, false]));
            }
            let broken = mdd.cube(&allowed);
            consistent = mdd.minus(consistent, broken);
        }
        consistent
    }

    /// The facts of the space, with their types and domains, once the space is no longer
    /// needed (a report takes them without a copy of every domain).
    pub fn into_columns(self) -> Vec<Column> {
        self.columns
    }

    /// A diagram store over this space.
    pub fn mdd(&self) -> Mdd {
        Mdd::new(self.sizes())
    }

    fn domain(&self, fact: &str) -> &[Name] {
        self.columns.iter().find(|c| c.fact == fact).map(|c| c.domain.as_slice()).unwrap_or_default()
    }

    /// The region a row's cells describe.
    pub fn row(&self, mdd: &mut Mdd, cells: &BTreeMap<String, Cell>) -> NodeId {
        mdd.cube(&self.allowed(cells))
    }

    /// The box a row's cells describe: for each variable, the runs of values it admits (as
    /// [`Mdd::cube`] takes them), or `None` where it admits every value.
    pub fn allowed(&self, cells: &BTreeMap<String, Cell>) -> Vec<Option<Vec<(u32, bool)>>> {
        let mut allowed: Vec<Option<Vec<(u32, bool)>>> = vec![None; self.vars.len()];
        // A fact's variables sit together, so each fact of the row is looked up once.
        for (column, range) in self.columns.iter().zip(&self.column_vars) {
            let Some(cell) = cells.get(&column.fact) else { continue };
            let slots = allowed.get_mut(range.clone()).unwrap_or_default();
            for (slot, var) in slots.iter_mut().zip(self.vars.get(range.clone()).unwrap_or_default()) {
                *slot = allowed_values(var, cell, &column.domain);
            }
        }
        allowed
    }

    /// Whether each variable's values are ordered (segments of a count or a date), in order.
    pub fn ordered(&self) -> Vec<bool> {
        self.vars.iter().map(|v| matches!(v, Var::Range { .. })).collect()
    }

    /// How many values each variable has, in order.
    pub fn sizes(&self) -> Vec<u32> {
        self.vars.iter().map(Var::size).collect()
    }

    /// The implications between member variables, as (variable, the variable it implies): a
    /// consistent point with the first present has the second present too.
    pub fn implied(&self) -> &[(usize, usize)] {
        &self.implications
    }

    /// The points `table` decides: in its scope, and consistent (only consistent points are
    /// ever decided, so a rule that applies only to inconsistent ones never decides).
    pub fn decided_by(&self, mdd: &mut Mdd, table: &Table) -> NodeId {
        let in_scope = self.scope(mdd, table);
        let consistent = self.consistent(mdd);
        mdd.and(in_scope, consistent)
    }

    /// The region where `table` is in scope: origin in its home, destination not.
    pub fn scope(&self, mdd: &mut Mdd, table: &Table) -> NodeId {
        let cells: BTreeMap<String, Cell> = scope_cells(table).into_iter().collect();
        self.row(mdd, &cells)
    }

    /// How much each value of each variable weighs under `weights`, as running sums (see
    /// [`Mdd::measure`]): an enum class weighs its members' shares, a set member its presence
    /// or absence, a bool its truth or falsehood, and a segment of a count or date the share of
    /// values inside it. Each variable's weights add up to one (a set member's two, a fact's
    /// classes or segments), so a variable a region does not test leaves its measure alone, and
    /// cutting a segment in two or a class in two splits its weight without changing any sum.
    pub fn cumulative_weights(&self, weights: &Weights) -> Vec<Vec<f64>> {
        let mut out: Vec<Vec<f64>> = vec![Vec::new(); self.vars.len()];
        for (column, range) in self.columns.iter().zip(&self.column_vars) {
            let weight = weights.of_column(column);
            for v in range.clone() {
                let Some(var) = self.vars.get(v) else { continue };
                let values: Vec<f64> = match var {
                    Var::Enum { classes, .. } => classes
                        .iter()
                        .map(|class| {
                            class
                                .iter()
                                .filter_map(|&m| column.domain.get(m as usize))
                                .map(|name| weight.member(name, &column.domain))
                                .sum()
                        })
                        .collect(),
                    Var::Member { member, .. } => {
                        let p = weight.member(member, &column.domain);
                        vec![1.0 - p, p]
                    }
                    Var::Bool { .. } => {
                        let p = weight.true_share();
                        vec![1.0 - p, p]
                    }
                    Var::Range { starts, .. } => (0..starts.len())
                        .map(|i| {
                            let lo = starts.get(i).copied().filter(|&s| s != i64::MIN);
                            weight.between(lo, starts.get(i + 1).copied())
                        })
                        .collect(),
                };
                let mut running = Vec::with_capacity(values.len() + 1);
                running.push(0.0);
                let mut total = 0.0;
                for w in values {
                    total += w;
                    running.push(total);
                }
                if let Some(slot) = out.get_mut(v) {
                    *slot = running;
                }
            }
        }
        out
    }

    /// For each variable, whether it belongs to one of `facts`.
    pub fn vars_of(&self, facts: &[String]) -> Vec<bool> {
        self.vars.iter().map(|v| facts.iter().any(|f| f == v.fact())).collect()
    }

    /// The facts the space's variables stand for, each once, in order.
    pub fn facts(&self) -> Vec<&str> {
        let mut facts: Vec<&str> = Vec::new();
        for v in &self.vars {
            if !facts.contains(&v.fact()) {
                facts.push(v.fact());
            }
        }
        facts
    }

    /// A box as cells, by fact: the form rows use, so the same reading applies.
    /// A member a box lacks is left out when it implies another member the box lacks that does
    /// not imply it back: no consistent point holds it (`lacks personal` says `lacks health`
    /// already). Members that imply each other are all kept.
    pub fn box_cells(&self, b: &Boxed) -> BTreeMap<String, Cell> {
        let absent = |v: usize| matches!(b.get(v), Some(Some(spans)) if spans.as_slice() == [(0, 1)]);
        let mut cells: BTreeMap<String, Cell> = BTreeMap::new();
        for (v, (var, spans)) in self.vars.iter().zip(b).enumerate() {
            let Some(spans) = spans else { continue };
            let below = |n: usize| !self.implications.contains(&(n, v));
            if absent(v) && self.implications.iter().any(|&(m, n)| m == v && absent(n) && below(n)) {
                continue;
            }
            let values = || spans.iter().flat_map(|&(lo, hi)| lo..hi);
            match var {
                Var::Enum { fact, classes } => {
                    let domain = self.domain(fact);
                    // The admitted classes' members, in domain order.
                    let mut admitted = vec![false; domain.len()];
                    for &m in values().filter_map(|v| classes.get(v as usize)).flatten() {
                        if let Some(a) = admitted.get_mut(m as usize) {
                            *a = true;
                        }
                    }
                    let mut members = Vec::with_capacity(admitted.iter().filter(|a| **a).count());
                    members.extend(domain.iter().zip(admitted).filter(|(_, a)| *a).map(|(m, _)| m.clone()));
                    cells.insert(fact.clone(), Cell::Enum { members });
                }
                Var::Range { fact, date, starts } => {
                    let at = |i: u32| starts.get(i as usize).copied();
                    let ranges: Vec<(Option<i64>, Option<i64>)> =
                        spans.iter().map(|&(lo, hi)| (at(lo).filter(|&s| s != i64::MIN), at(hi))).collect();
                    let cell = if *date {
                        let day = |d: Option<i64>| d.map(|d| Date::from_days(d).to_string());
                        Cell::Dates {
                            dates: ranges.iter().map(|&(lo, hi)| DateRange { from: day(lo), until: day(hi) }).collect(),
                        }
                    } else {
                        Cell::Counts {
                            counts: ranges
                                .iter()
                                .map(|&(lo, hi)| CountRange { from: lo.unwrap_or(0), until: hi })
                                .collect(),
                        }
                    };
                    cells.insert(fact.clone(), cell);
                }
                Var::Bool { fact } => {
                    if let [(lo, _)] = spans.as_slice() {
                        cells.insert(fact.clone(), Cell::Bool { is: *lo == 1 });
                    }
                }
                Var::Member { fact, member } => {
                    // A set fact has a variable per member: its name is copied once, not per member.
                    if !cells.contains_key(fact) {
                        cells.insert(fact.clone(), Cell::Set { has: Vec::new(), lacks: Vec::new() });
                    }
                    if let (Some(Cell::Set { has, lacks }), [(lo, _)]) = (cells.get_mut(fact), spans.as_slice()) {
                        if *lo == 1 { has.push(member.clone()) } else { lacks.push(member.clone()) }
                    }
                }
            }
        }
        cells
    }

    /// A scenario for one point (as [`Mdd::witness`] gives it), in the JSON `accord eval`
    /// reads. Facts at their defaults (false, 0, an empty set) and facts the space has no
    /// variable for are left out, and take their defaults; a date is always given.
    pub fn scenario(&self, point: &[Option<u32>]) -> serde_json::Value {
        let mut object = serde_json::Map::new();
        let mut sets: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (var, value) in self.vars.iter().zip(point) {
            let value = value.unwrap_or(0);
            match var {
                Var::Enum { fact, classes } => {
                    let domain = self.domain(fact);
                    let first = classes.get(value as usize).and_then(|class| class.first());
                    if let Some(name) = first.and_then(|&m| domain.get(m as usize)) {
                        object.insert(fact.clone(), (**name).into());
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
                    if *date {
                        object.insert(fact.clone(), Date::from_days(v).to_string().into());
                    } else if v != 0 {
                        object.insert(fact.clone(), v.into());
                    }
                }
                Var::Bool { fact } => {
                    if value == 1 {
                        object.insert(fact.clone(), true.into());
                    }
                }
                Var::Member { fact, member } => {
                    if value == 1 {
                        sets.entry(fact).or_default().push(member);
                    }
                }
            }
        }
        for (fact, members) in sets {
            object.insert(fact.to_owned(), members.into_iter().map(serde_json::Value::from).collect::<Vec<_>>().into());
        }
        serde_json::Value::Object(object)
    }
}
