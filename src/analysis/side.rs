//! One side of a comparison: a table read on a date, with its origin read as its home or as a
//! fact, and its destination named for the common space. Every comparison (diff, corridor,
//! matrix, inventory) prepares its sides here.

use super::diff::{Cells, DiffError};
use super::space::scope_cells;
use crate::compile::accords::Accord;
use crate::date::Date;
use crate::table::{self, Cell, Column, ColumnType, Table};
use serde::Serialize;
use std::borrow::Cow;

/// The fact a transfer's date is held in.
pub(super) const DATE: &str = table::DATE;

/// How each side's origin is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// Each regime is read from its own home: the same transfer leaving A and leaving B.
    OriginAligned,
    /// Both regimes are read with one shared `origin`.
    SameOrigin,
}

/// One regime as compared: a table, possibly pinned to a date.
#[derive(Debug, Clone)]
pub struct Side<'t> {
    /// The table.
    pub table: &'t Table,
    /// The transfer date it is pinned to, if any.
    pub date: Option<Date>,
}

impl<'t> Side<'t> {
    /// A side reading `table` at every date.
    pub fn new(table: &'t Table) -> Side<'t> {
        Side { table, date: None }
    }

    /// A side reading `table` on one date only, or at every date for `None`.
    pub fn at(table: &'t Table, date: Option<Date>) -> Side<'t> {
        Side { table, date }
    }

    /// The name shown for this side: `cn`, or `cn@2024-06-01`.
    pub fn label(&self) -> String {
        match self.date {
            Some(d) => format!("{}@{d}", self.table.regime),
            None => self.table.regime.clone(),
        }
    }
}

/// A side's rows and scope after pinning and origin alignment, over the space's facts.
pub(super) struct Prepared<'t> {
    pub(super) side: Side<'t>,
    /// Verdict rows kept: (row index in the table, its cells), borrowed from the table unless
    /// a fact had to be taken out.
    pub(super) rows: Vec<(usize, Cow<'t, Cells>)>,
    /// Obligation rows kept.
    pub(super) obligations: Vec<(usize, Cow<'t, Cells>)>,
    /// The box where the side is in scope.
    pub(super) scope: Cells,
    /// The name its destination fact goes by in the common space, when not its own.
    pub(super) destination_as: Option<String>,
}

impl<'t> Prepared<'t> {
    pub(super) fn new(
        side: Side<'t>,
        reading: Reading,
        with_obligations: bool,
        destination: Option<&[String]>,
    ) -> Result<Prepared<'t>, DiffError> {
        let table = side.table;
        let origin = table.scope.origin.clone();
        let aligned = reading == Reading::OriginAligned;
        let prepare = |rule: &str, cells: &'t Cells| -> Result<Option<Cow<'t, Cells>>, DiffError> {
            let mut cells = Cow::Borrowed(cells);
            if let Some(date) = side.date {
                let Some(pinned) = table::on_date(cells, date) else { return Ok(None) };
                cells = pinned;
            }
            if aligned && let Some(cell) = cells.get(&origin) {
                if let Cell::Enum { members } = cell {
                    let inside = table.home.iter().filter(|h| members.iter().any(|m| **m == ***h)).count();
                    if inside == 0 {
                        return Ok(None);
                    }
                    if inside < table.home.len() {
                        return Err(DiffError::OriginWithinHome {
                            regime: table.regime.clone(),
                            rule: rule.to_owned(),
                        });
                    }
                }
                cells.to_mut().remove(&origin);
            }
            Ok(Some(cells))
        };
        let mut rows = Vec::new();
        for (i, row) in table.rows.iter().enumerate() {
            if let Some(cells) = prepare(&row.rule, &row.cells)? {
                rows.push((i, cells));
            }
        }
        // Obligation rows are read only when compared: otherwise their bounds would split the
        // space (and change the shares) for nothing.
        let mut obligations = Vec::new();
        for (i, row) in table.obligations.iter().enumerate().filter(|_| with_obligations) {
            if let Some(cells) = prepare(&row.obligation, &row.cells)? {
                obligations.push((i, cells));
            }
        }
        let mut scope: Cells = scope_cells(table).into_iter().collect();
        if aligned {
            scope.remove(&origin);
        }
        if let Some(allowed) = destination
            && let Some(Cell::Enum { members }) = scope.get_mut(&table.scope.destination)
        {
            members.retain(|m| allowed.iter().any(|a| **a == **m));
        }
        Ok(Prepared { side, rows, obligations, scope, destination_as: None })
    }

    /// The same side with its destination fact named `name` in the common space (a corridor's
    /// flow back has its own destination).
    pub(super) fn rename_destination(mut self, name: &str) -> Prepared<'t> {
        let from = self.side.table.scope.destination.clone();
        let rename = |cells: &mut Cells| {
            if let Some(cell) = cells.remove(&from) {
                cells.insert(name.to_owned(), cell);
            }
        };
        self.rows.iter_mut().chain(self.obligations.iter_mut()).for_each(|(_, c)| rename(c.to_mut()));
        rename(&mut self.scope);
        self.destination_as = Some(name.to_owned());
        self
    }

    /// The enum facts the side's evaluator requires in a scenario, as the common space names
    /// them (all but an origin read from the home).
    pub(super) fn asked_enums(&self) -> impl Iterator<Item = &str> {
        let table = self.side.table;
        table.columns.iter().filter(|c| c.ty == ColumnType::Enum).filter_map(move |c| {
            if c.fact == table.scope.origin && !self.scope.contains_key(&c.fact) {
                None
            } else if c.fact == table.scope.destination {
                Some(self.destination_as.as_deref().unwrap_or(c.fact.as_str()))
            } else {
                Some(c.fact.as_str())
            }
        })
    }

    /// The column a fact of the common space stands for.
    pub(super) fn column(&self, fact: &str) -> Option<Column> {
        let table = self.side.table;
        match &self.destination_as {
            Some(name) if name == fact => {
                table.fact(&table.scope.destination).map(|c| Column { fact: name.clone(), ..c.clone() })
            }
            _ => table.fact(fact).cloned(),
        }
    }

    pub(super) fn all_cells(&self) -> impl Iterator<Item = (&String, &Cell)> {
        self.rows.iter().chain(&self.obligations).flat_map(|(_, c)| c.iter()).chain(self.scope.iter())
    }
}

/// One side of a report.
#[derive(Debug, Clone, Serialize)]
pub struct SideInfo {
    /// As named: `cn`, or `cn@2024-06-01`.
    pub label: String,
    /// The regime id.
    pub regime: String,
    /// Its title.
    pub title: String,
    /// Its home.
    pub home: Vec<String>,
    /// Its official source.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The date it is pinned to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its table's content hash.
    pub hash: String,
}

impl SideInfo {
    pub(crate) fn of(side: &Side) -> SideInfo {
        SideInfo {
            label: side.label(),
            regime: side.table.regime.clone(),
            title: side.table.title.clone(),
            home: side.table.home.clone(),
            source: side.table.source.clone(),
            date: side.date.map(|d| d.to_string()),
            hash: side.table.hash.clone(),
        }
    }
}

/// An accord's scope as a side reads it: in the origin-aligned reading the side's origin is its
/// home, so a box's `origin` cell is dropped where it admits the home, and the box where it
/// does not. `None` for an accord without a scope.
pub(super) fn scope_for(accord: &Accord, p: &Prepared, reading: Reading) -> Option<Vec<Cells>> {
    let boxes = accord.scope.as_ref()?;
    let table = p.side.table;
    let origin = &table.scope.origin;
    let mut out = Vec::with_capacity(boxes.len());
    for cells in boxes {
        let mut cells = cells.clone();
        if reading == Reading::OriginAligned
            && let Some(cell) = cells.remove(origin)
        {
            let admits_home = match &cell {
                Cell::Enum { members } => table.home.iter().any(|h| members.iter().any(|m| **m == **h)),
                _ => true,
            };
            if !admits_home {
                continue;
            }
        }
        if let Some(name) = &p.destination_as
            && let Some(cell) = cells.remove(&table.scope.destination)
        {
            cells.insert(name.clone(), cell);
        }
        out.push(cells);
    }
    Some(out)
}

/// The dates of several day ranges, as a cell.
pub(super) fn dates_cell(ranges: &[(Option<i64>, Option<i64>)]) -> Cell {
    let day = |d: Option<i64>| d.map(|d| Date::from_days(d).to_string());
    Cell::Dates {
        dates: ranges
            .iter()
            .map(|&(from, until)| crate::table::DateRange { from: day(from), until: day(until) })
            .collect(),
    }
}

pub(super) fn date_cell(from: Option<i64>, until: Option<i64>) -> Cell {
    let day = |d: Option<i64>| d.map(|d| Date::from_days(d).to_string());
    Cell::Dates { dates: vec![crate::table::DateRange { from: day(from), until: day(until) }] }
}
