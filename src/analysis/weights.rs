//! The measure shares are reported in: how common each value of each fact is among transfers.
//!
//! A share is the probability of a region when every fact takes its values by its weights,
//! independently of the other facts (set members independently of each other), given that the
//! point is consistent with the vocabulary's implications and inside the compared space. It is
//! a property of the regions alone: splitting a count at a new threshold, testing one more set
//! member, or writing a rule that decides nothing new leaves every share as it was (see
//! `docs/weights.md`).
//!
//! Weights come from `--weights` when given, else from the tables (the vocabulary's `weigh`
//! declarations, or a regime's own); a fact that none weighs takes the fallback below.

use crate::date::Date;
use crate::table::{Column, ColumnType, CountBand, DateBand, Shares, Table, Weight};
use std::collections::BTreeMap;

/// The fallback for a count fact nobody weighs: each decade from 0 up to a billion weighs
/// alike (0; 1-9; 10-99; …), so that no threshold is favoured; counts past it weigh nothing.
const FALLBACK_DECADES: u32 = 9;

/// The fallback for a date fact nobody weighs: every day from the first to the second alike.
const FALLBACK_DATES: (&str, &str) = ("2000-01-01", "2050-01-01");

/// How far a file's weights may be from a distribution and still count as one (they are read
/// from decimals written in JSON).
const TOLERANCE: f64 = 1e-9;

/// The weights a comparison uses, by fact.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    by_fact: BTreeMap<String, Weight>,
}

/// Why the weights cannot be settled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// The fact the two tables weigh differently.
    pub fact: String,
    /// The regimes.
    pub regimes: (String, String),
}

impl Weights {
    /// The weights of `tables`: `given` for the facts it weighs, else the tables' own. Two
    /// tables that weigh one fact differently conflict, unless `given` settles it.
    pub fn of(tables: &[&Table], given: &[Weight]) -> Result<Weights, Conflict> {
        let mut by_fact: BTreeMap<String, Weight> = BTreeMap::new();
        let mut from: BTreeMap<String, &str> = BTreeMap::new();
        for w in given {
            by_fact.insert(w.fact.clone(), w.clone());
        }
        for table in tables {
            for w in &table.weights {
                if given.iter().any(|g| g.fact == w.fact) {
                    continue;
                }
                match by_fact.get(&w.fact) {
                    Some(earlier) if earlier.shares != w.shares => {
                        let first = from.get(&w.fact).copied().unwrap_or_default().to_owned();
                        return Err(Conflict { fact: w.fact.clone(), regimes: (first, table.regime.clone()) });
                    }
                    Some(_) => {}
                    None => {
                        by_fact.insert(w.fact.clone(), w.clone());
                        from.insert(w.fact.clone(), &table.regime);
                    }
                }
            }
        }
        Ok(Weights { by_fact })
    }

    /// The weights of a fact: declared, or the fallback for its type.
    pub fn of_column(&self, column: &Column) -> Weight {
        self.by_fact.get(&column.fact).cloned().unwrap_or_else(|| fallback(column))
    }

    /// Every weight settled (declared by a table or given), by fact.
    pub fn declared(&self) -> Vec<Weight> {
        self.by_fact.values().cloned().collect()
    }

    /// The weights of `columns`, each fact once: what a report shows it measured with.
    pub fn used(&self, columns: &[Column]) -> Vec<Weight> {
        let mut used: Vec<Weight> = Vec::with_capacity(columns.len());
        for c in columns {
            if !used.iter().any(|w| w.fact == c.fact) {
                used.push(self.of_column(c));
            }
        }
        used
    }
}

/// The weights of a fact no `weigh` declares.
pub fn fallback(column: &Column) -> Weight {
    let cite = vec!["[interp] no `weigh` declares this fact: the fallback of docs/weights.md".to_owned()];
    let (title, shares) = match column.ty {
        ColumnType::Enum => {
            ("Every member alike (fallback)", Shares::Members { members: BTreeMap::new(), others: Some(1.0) })
        }
        ColumnType::Set => (
            "Each member present half the time (fallback)",
            Shares::Presence { members: BTreeMap::new(), others: Some(0.5) },
        ),
        ColumnType::Bool => ("True half the time (fallback)", Shares::Bool { true_share: 0.5 }),
        ColumnType::Count => {
            let mut bands = vec![CountBand { from: 0, until: 1, share: 0.0 }];
            let mut lo = 1i64;
            for _ in 0..FALLBACK_DECADES {
                bands.push(CountBand { from: lo, until: lo * 10, share: 0.0 });
                lo *= 10;
            }
            let each = 1.0 / bands.len() as f64;
            bands.iter_mut().for_each(|b| b.share = each);
            ("Each decade of counts alike, up to a billion (fallback)", Shares::Counts { bands })
        }
        ColumnType::Date => {
            let (from, until) = FALLBACK_DATES;
            let band = DateBand { from: from.to_owned(), until: until.to_owned(), share: 1.0 };
            ("Every day from 2000 to 2049 alike (fallback)", Shares::Dates { bands: vec![band] })
        }
    };
    Weight { fact: column.fact.clone(), title: title.to_owned(), cite, shares }
}

impl Weight {
    /// How often member `name` of an enum fact with `domain` is the value, or how often it is
    /// present in a set fact.
    pub fn member(&self, name: &str, domain: &[crate::table::Name]) -> f64 {
        match &self.shares {
            Shares::Members { members, others } => members.get(name).copied().unwrap_or_else(|| {
                let unlisted = domain.iter().filter(|m| !members.contains_key(&***m)).count();
                if unlisted == 0 { 0.0 } else { others.unwrap_or(0.0) / unlisted as f64 }
            }),
            Shares::Presence { members, others } => members.get(name).copied().or(*others).unwrap_or(0.0),
            _ => 0.0,
        }
    }

    /// How often a bool fact is true.
    pub fn true_share(&self) -> f64 {
        match self.shares {
            Shares::Bool { true_share } => true_share,
            _ => 0.0,
        }
    }

    /// The share of values `lo <= v < hi` of a count or date fact (`None`: unbounded), each
    /// band spread evenly over its values.
    pub fn between(&self, lo: Option<i64>, hi: Option<i64>) -> f64 {
        let bands: Vec<(i64, i64, f64)> = match &self.shares {
            Shares::Counts { bands } => bands.iter().map(|b| (b.from, b.until, b.share)).collect(),
            Shares::Dates { bands } => bands
                .iter()
                .filter_map(|b| Some((Date::parse(&b.from)?.days(), Date::parse(&b.until)?.days(), b.share)))
                .collect(),
            _ => Vec::new(),
        };
        bands
            .into_iter()
            .filter(|(from, until, _)| until > from)
            .map(|(from, until, share)| {
                let start = lo.map_or(from, |l| l.max(from));
                let end = hi.map_or(until, |h| h.min(until));
                if end > start { share * (end - start) as f64 / (until - from) as f64 } else { 0.0 }
            })
            .sum()
    }

    /// Whether these weights fit `column` and are a distribution: the kind its type takes,
    /// known members, shares from 0 to 1, bands bounded and disjoint, and an enum's or a
    /// band's shares adding up to one. The problem in words, if not.
    pub fn validate(&self, column: &Column) -> Result<(), String> {
        let fact = &column.fact;
        let share_ok = |s: f64| (0.0..=1.0).contains(&s);
        let expected = match column.ty {
            ColumnType::Enum => "members",
            ColumnType::Set => "presence",
            ColumnType::Bool => "bool",
            ColumnType::Count => "counts",
            ColumnType::Date => "dates",
        };
        let kind = match &self.shares {
            Shares::Members { .. } => "members",
            Shares::Presence { .. } => "presence",
            Shares::Bool { .. } => "bool",
            Shares::Counts { .. } => "counts",
            Shares::Dates { .. } => "dates",
        };
        if kind != expected {
            return Err(format!("`{fact}`'s weights are of kind `{expected}` (for its type), not `{kind}`"));
        }
        let check_members = |members: &BTreeMap<String, f64>, others: Option<f64>| -> Result<(), String> {
            for (name, share) in members {
                if !column.domain.iter().any(|m| **m == **name) {
                    let suggestion = crate::diagnostics::closest(name, column.domain.iter().map(|m| &**m));
                    return Err(match suggestion {
                        Some(s) => format!("`{name}` is not a value of `{fact}` (did you mean `{s}`?)"),
                        None => format!("`{name}` is not a value of `{fact}`"),
                    });
                }
                if !share_ok(*share) {
                    return Err(format!("the weight of `{name}` in `{fact}` is {share}, not a share from 0 to 1"));
                }
            }
            if others.is_some_and(|o| !share_ok(o)) {
                return Err(format!("`others` in `{fact}` is not a share from 0 to 1"));
            }
            Ok(())
        };
        match &self.shares {
            Shares::Members { members, others } => {
                check_members(members, *others)?;
                let unlisted = column.domain.iter().any(|m| !members.contains_key(&**m));
                let total: f64 = members.values().sum::<f64>() + if unlisted { others.unwrap_or(0.0) } else { 0.0 };
                if (total - 1.0).abs() > TOLERANCE {
                    return Err(format!("the weights of `{fact}` add up to {total}, not 1"));
                }
            }
            Shares::Presence { members, others } => {
                check_members(members, *others)?;
                if others.is_none() && column.domain.iter().any(|m| !members.contains_key(&**m)) {
                    return Err(format!("some members of `{fact}` have no weight: give each, or `others`"));
                }
            }
            Shares::Bool { true_share } => {
                if !share_ok(*true_share) {
                    return Err(format!("`{fact}` is true in {true_share} of transfers, not a share from 0 to 1"));
                }
            }
            Shares::Counts { .. } | Shares::Dates { .. } => {
                let mut bands: Vec<(i64, i64, f64)> = match &self.shares {
                    Shares::Counts { bands } => bands.iter().map(|b| (b.from, b.until, b.share)).collect(),
                    Shares::Dates { bands } => {
                        let mut out = Vec::new();
                        for b in bands {
                            let (Some(from), Some(until)) = (Date::parse(&b.from), Date::parse(&b.until)) else {
                                return Err(format!("a band of `{fact}` has a date not written YYYY-MM-DD"));
                            };
                            out.push((from.days(), until.days(), b.share));
                        }
                        out
                    }
                    _ => Vec::new(),
                };
                bands.sort_by_key(|b| (b.0, b.1));
                if bands.iter().any(|b| b.1 <= b.0 || b.0 < 0 && column.ty == ColumnType::Count) {
                    return Err(format!("a band of `{fact}` is empty or starts below 0"));
                }
                if bands.windows(2).any(|w| matches!(w, [x, y] if y.0 < x.1)) {
                    return Err(format!("two bands of `{fact}` overlap"));
                }
                if let Some(b) = bands.iter().find(|b| !share_ok(b.2)) {
                    return Err(format!("a band of `{fact}` has weight {}, not a share from 0 to 1", b.2));
                }
                let total: f64 = bands.iter().map(|b| b.2).sum();
                if (total - 1.0).abs() > TOLERANCE {
                    return Err(format!("the weights of `{fact}` add up to {total}, not 1"));
                }
            }
        }
        Ok(())
    }
}

/// Weights read from a file (`--weights`): a JSON array of weights, or an object with a
/// `weights` array (so a compiled table or a report can be passed), each checked against the
/// tables' vocabulary. The problem, naming the entry, if not.
pub fn read(text: &str, tables: &[&Table]) -> Result<Vec<Weight>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e} (line {}, column {})", e.line(), e.column()))?;
    let list = match &value {
        serde_json::Value::Array(_) => value,
        serde_json::Value::Object(o) => match o.get("weights") {
            Some(list) => list.clone(),
            None => return Err("expected a list of weights, or an object with a `weights` list".into()),
        },
        _ => return Err("expected a list of weights, or an object with a `weights` list".into()),
    };
    let serde_json::Value::Array(items) = list else {
        return Err("`weights` is not a list".into());
    };
    let mut out: Vec<Weight> = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let n = i + 1;
        let w: Weight = serde_json::from_value(item).map_err(|e| format!("weight {n}: {e}"))?;
        let Some(column) = tables.iter().find_map(|t| t.vocabulary.iter().find(|c| c.fact == w.fact)) else {
            let known = tables.iter().flat_map(|t| t.vocabulary.iter()).map(|c| c.fact.as_str());
            return Err(match crate::diagnostics::closest(&w.fact, known) {
                Some(s) => format!("weight {n}: no fact `{}` (did you mean `{s}`?)", w.fact),
                None => format!("weight {n}: no fact `{}`", w.fact),
            });
        };
        w.validate(column).map_err(|e| format!("weight {n}: {e}"))?;
        if out.iter().any(|earlier| earlier.fact == w.fact) {
            return Err(format!("weight {n}: `{}` is weighed twice", w.fact));
        }
        out.push(w);
    }
    Ok(out)
}
