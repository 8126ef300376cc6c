//! Recognition accords, compiled for comparisons: which mechanisms each regime accepts as
//! meeting one of its own, and on which transfer dates.

use crate::check::ir::{self, Program};
use crate::date::Date;
use serde::Serialize;

/// A recognition accord between regimes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Accord {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its citations.
    pub cite: Vec<String>,
    /// The transfer dates it applies to, as day ranges `[from, until)` (`None`: unbounded),
    /// disjoint and in order; every date when empty.
    #[serde(skip)]
    pub ranges: Vec<(Option<i64>, Option<i64>)>,
    /// The transfers it is limited to (`when …`), as boxes of cells; every transfer when
    /// `None`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<Vec<std::collections::BTreeMap<String, crate::table::Cell>>>,
    /// What each regime accepts.
    pub accepts: Vec<Acceptance>,
}

/// `regime accepts mechanisms… as mechanism`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Acceptance {
    /// The accepting regime's id.
    pub regime: String,
    /// Mechanisms it treats as meeting its own.
    pub mechanisms: Vec<String>,
    /// Its own mechanism they stand for.
    #[serde(rename = "as")]
    pub as_mechanism: String,
}

impl Accord {
    /// Whether it applies to a transfer on `day`.
    pub fn applies_on(&self, day: i64) -> bool {
        self.ranges.is_empty()
            || self.ranges.iter().any(|&(from, until)| from.is_none_or(|f| day >= f) && until.is_none_or(|u| day < u))
    }

    /// Its effective ranges in words (`from 2019-01-23`, `always`, `from … until …, and from …`).
    pub fn effective_text(&self) -> String {
        let day = |d: i64| Date::from_days(d).to_string();
        if self.ranges.is_empty() {
            return "always".to_owned();
        }
        let words: Vec<String> = self
            .ranges
            .iter()
            .map(|&range| match range {
                (None, None) => "always".to_owned(),
                (Some(f), None) => format!("from {}", day(f)),
                (None, Some(u)) => format!("before {}", day(u)),
                (Some(f), Some(u)) => format!("from {} until {}", day(f), day(u)),
            })
            .collect();
        words.join(", and ")
    }
}

/// Why the accords of a program could not be read.
#[derive(Debug, Clone)]
pub enum AccordsFailed {
    /// An accord's scope is too large to compile: which one.
    TooLarge(String),
    /// A bug in Accord.
    Internal(crate::InternalError),
}

/// Every accord of a checked program; an accord whose scope is too large to compile is named.
pub fn accords(program: &Program, sources: &crate::source::SourceMap) -> Result<Vec<Accord>, AccordsFailed> {
    program
        .accords
        .iter()
        .map(|a| {
            let scope = match (&a.scope, a.accepts.first()) {
                (Some(cond), Some(first)) => Some(
                    crate::compile::condition_cells(program, first.regime, cond, sources)
                        .map_err(AccordsFailed::Internal)?
                        .ok_or_else(|| {
                            AccordsFailed::TooLarge(format!("the scope of accord `{}` is too large to compile", a.id))
                        })?,
                ),
                _ => None,
            };
            let ranges =
                a.effective.iter().map(|&ir::Interval { lo, hi }| ((lo != i64::MIN).then_some(lo), hi)).collect();
            let accepts = a
                .accepts
                .iter()
                .filter_map(|acc| {
                    let regime = program.regimes.get(acc.regime.index())?;
                    let mechanism = regime.vocabulary.mechanism?;
                    let name = |m: ir::MemberId| program.member_name(mechanism, m).to_owned();
                    Some(Acceptance {
                        regime: regime.id.clone(),
                        mechanisms: acc.mechanisms.iter().map(|&m| name(m)).collect(),
                        as_mechanism: name(acc.as_mechanism),
                    })
                })
                .collect();
            Ok(Accord {
                id: a.id.clone(),
                title: a.title.clone(),
                cite: a.cites.iter().map(|c| c.text.clone()).collect(),
                ranges,
                scope,
                accepts,
            })
        })
        .collect()
}

/// The standard accords (`stdlib/accords.accord`, embedded). They are checked with the rest of
/// the standard library by the tests, so a problem here is a bug in Accord.
pub fn standard() -> Result<Vec<Accord>, crate::InternalError> {
    let name = crate::stdlib::ACCORDS_NAME.to_owned();
    let root =
        crate::source::Loaded { key: name.clone(), name, bytes: crate::stdlib::ACCORDS.text.as_bytes().to_vec() };
    let checked = crate::check::check(vec![root], &mut crate::source::MemoryLoader::default())?;
    if checked.has_errors() {
        return Err(crate::InternalError("the standard accords do not check".into()));
    }
    accords(&checked.program, &checked.sources).map_err(|e| match e {
        AccordsFailed::TooLarge(what) => crate::InternalError(format!("the standard accords: {what}")),
        AccordsFailed::Internal(bug) => bug,
    })
}
