//! Random transfers for the engine tests (SQL, JDM, DMN): values drawn from every bound and
//! member a table's cells name, and their neighbours, so that they reach most rows.

use accord::date::Date;
use accord::table::{Cell, Column, ColumnType, Outcome, Table};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;

/// A small deterministic generator (xorshift), so that a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Values worth trying for one fact.
pub struct Candidates {
    counts: Vec<i64>,
    dates: Vec<i64>,
    members: Vec<String>,
}

/// The values worth trying for `fact` in `table`.
pub fn candidates(table: &Table, fact: &str) -> Candidates {
    let (mut counts, mut dates, mut members) = (vec![0, 1], Vec::new(), BTreeSet::new());
    let cells = table.rows.iter().map(|r| &r.cells).chain(table.obligations.iter().map(|o| &o.cells));
    for cells in cells {
        match cells.get(fact) {
            Some(Cell::Counts { counts: ranges }) => {
                for r in ranges {
                    counts.extend([r.from - 1, r.from, r.from + 1]);
                    if let Some(u) = r.until {
                        counts.extend([u - 1, u, u + 1]);
                    }
                }
            }
            Some(Cell::Dates { dates: ranges }) => {
                for d in ranges.iter().flat_map(|r| [&r.from, &r.until]).flatten() {
                    let day = Date::parse(d).unwrap().days();
                    dates.extend([day - 1, day, day + 1]);
                }
            }
            Some(Cell::Enum { members: m }) => members.extend(m.iter().map(|m| m.to_string())),
            Some(Cell::Set { has, lacks }) => members.extend(has.iter().chain(lacks).map(|m| m.to_string())),
            _ => {}
        }
    }
    for i in &table.relations.implies {
        if i.fact == fact && i.implies.iter().any(|m| members.contains(&**m)) {
            members.insert(i.member.to_string());
        }
    }
    if fact == "safeguards" {
        for o in table.rows.iter().map(|r| &r.outcome).chain(&table.default) {
            if let Outcome::Require { require, .. } = o {
                members.extend(require.iter().flatten().cloned());
            }
        }
    }
    counts.retain(|&n| n >= 0);
    if dates.is_empty() {
        dates.push(Date::parse("2026-01-01").unwrap().days());
    }
    Candidates { counts, dates, members: members.into_iter().collect() }
}

/// The columns an export reads, each with its candidates.
pub fn columns<'t>(table: &'t Table, read: Vec<&'t Column>) -> Vec<(&'t Column, Candidates)> {
    read.into_iter().map(|c| (c, candidates(table, &c.fact))).collect()
}

/// A random transfer for `table`, every value one the evaluator reads: most origins in the
/// home, some destinations in it, some facts (never those of `always`) and `safeguards` left
/// out.
pub fn transfer(
    rng: &mut Rng,
    table: &Table,
    columns: &[(&Column, Candidates)],
    always: &[&str],
) -> Map<String, Value> {
    let mut object = Map::new();
    for (c, cand) in columns {
        let origin = c.fact == table.scope.origin;
        let destination = c.fact == table.scope.destination;
        if !destination && !always.contains(&c.fact.as_str()) && rng.chance(if origin { 70 } else { 10 }) {
            continue;
        }
        let member = |rng: &mut Rng| -> String {
            if !cand.members.is_empty() && rng.chance(80) {
                rng.pick(&cand.members).clone()
            } else {
                rng.pick(&c.domain).to_string()
            }
        };
        let value = match c.ty {
            ColumnType::Bool => json!(rng.chance(50)),
            ColumnType::Count => json!(*rng.pick(&cand.counts)),
            ColumnType::Date => json!(Date::from_days(*rng.pick(&cand.dates)).to_string()),
            ColumnType::Enum if origin && rng.chance(60) => json!(table.home[rng.below(table.home.len())].to_string()),
            ColumnType::Enum if destination && rng.chance(30) => json!(table.home[0].to_string()),
            ColumnType::Enum => json!(member(rng)),
            ColumnType::Set if c.fact == "safeguards" && rng.chance(50) => continue,
            ColumnType::Set => {
                let n = rng.below(4);
                let mut picked: Vec<String> = (0..n).map(|_| member(rng)).collect();
                picked.sort();
                picked.dedup();
                json!(picked)
            }
        };
        object.insert(c.fact.clone(), value);
    }
    object
}
