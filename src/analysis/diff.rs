//! Exact comparison of two regimes, or of one regime at two dates.
//!
//! Each side's table is first read as a *partition* of the common space: the region each rule
//! decides (first match, so a rule's part is its condition minus everything earlier), the
//! default's or the gap's part, and the part out of scope. Parts are grouped by outcome, the
//! outcomes of the two sides are paired, and every pair whose outcomes differ becomes a region
//! of the diff: disjoint from every other, and together covering exactly the points where the
//! decisions differ. Regions are cut into boxes for reading, each with a witness scenario.
//!
//! The share of the fact space that agrees needs a measure, since counts and dates are
//! unbounded: every member of an enum weighs the same, every subset of a set fact too, and each
//! band of a count or date between the thresholds either side uses counts as one (see
//! `docs/decisions/0004-diff-semantics.md`).

use super::mdd::{Boxed, FALSE, HashMap, Mdd, NodeId, TRUE};
use super::space::{Space, implications, scope_cells};
use super::weights::Weights;
use crate::compile::accords::Accord;
use crate::date::Date;
use crate::eval::Verdict;
use crate::table::{Cell, Column, ColumnType, Location, Met, Name, Outcome as TableOutcome, Table, Weight};
use serde::Serialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Cells by fact: a box over facts, as table rows write it.
pub type Cells = BTreeMap<String, Cell>;

/// The most boxes a comparison reports before asking for a narrower question.
pub const MAX_BOXES: usize = 20_000;

/// The fact a transfer's date is held in.
const DATE: &str = "date";

/// How each side's origin is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reading {
    /// Each regime is read from its own home: the same transfer leaving A and leaving B.
    OriginAligned,
    /// Both regimes are read with one shared `origin`.
    SameOrigin,
}

/// Why two regimes cannot be compared as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffError {
    /// Reading a regime "from its home" needs its rules not to tell home members apart.
    OriginWithinHome {
        /// The regime.
        regime: String,
        /// A rule whose condition does.
        rule: String,
    },
    /// The two tables weigh a fact differently, and no `--weights` settles it.
    WeightsDiffer {
        /// The fact.
        fact: String,
        /// The two regimes.
        regimes: (String, String),
    },
    /// Under the weights, the compared transfers weigh nothing, so no share can be given.
    Weightless,
    /// An inventory cannot yet apply an accord limited by `when`.
    ScopedAccord {
        /// The accord.
        accord: String,
    },
    /// An inventory compares under at most 64 accords per regime.
    TooManyAccords {
        /// The regime.
        regime: String,
    },
    /// The differences are too fragmented to list.
    TooManyBoxes {
        /// How many were allowed.
        limit: usize,
    },
    /// The decision diagrams outgrew their budget ([`super::mdd::NODE_BUDGET`] nodes or
    /// [`super::mdd::WORK_BUDGET`] operations).
    TooIntricate,
    /// A bug in Accord (never the input's fault).
    Internal(String),
    /// A fact to project on or restrict is unknown to both tables.
    UnknownFact {
        /// The fact.
        fact: String,
        /// The closest fact that exists.
        suggestion: Option<String>,
    },
}

impl std::fmt::Display for DiffError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DiffError::OriginWithinHome { regime, rule } => write!(
                f,
                "`{regime}` tells origins inside its home apart (rule `{rule}` tests `origin`), so it cannot be read \
                 \"from its home\" as one; compare with a shared origin instead (`--same-origin`)"
            ),
            DiffError::TooManyBoxes { limit } => write!(
                f,
                "the differences split into more than {limit} boxes; list them by deciding rules (`--by-rules`), or \
                 narrow the question with `--given` or `--facts`"
            ),
            DiffError::UnknownFact { fact, suggestion: Some(s) } => {
                write!(f, "no fact `{fact}` in either regime's vocabulary (did you mean `{s}`?)")
            }
            DiffError::Internal(what) => write!(f, "internal error: {what}"),
            DiffError::WeightsDiffer { fact, regimes: (a, b) } => write!(
                f,
                "`{a}` and `{b}` weigh `{fact}` differently, so their shares would mean different things; compare \
                 them under one set of weights with `--weights FILE`"
            ),
            DiffError::ScopedAccord { accord } => write!(
                f,
                "accord `{accord}` is limited by `when`, which an inventory diff does not read yet; compare the \
                 inventory without it, or the regimes without `--inventory`"
            ),
            DiffError::TooManyAccords { regime } => write!(
                f,
                "more than 64 of the accords applied are `{regime}`'s; an inventory diff takes at most 64 per regime: \
                 name the accords to apply with `--accord`"
            ),
            DiffError::Weightless => write!(
                f,
                "under the weights, the compared transfers weigh nothing (every value they may take has weight 0), so \
                 no share can be given; widen `--given`, or give those values weight with `--weights`"
            ),
            DiffError::TooIntricate => write!(
                f,
                "these regimes are too intricate to compare exactly: the decision diagrams outgrew {} nodes or \
                 {} operations; narrow the question with `--given`",
                crate::syntax::write_number(super::mdd::NODE_BUDGET as i64),
                crate::syntax::write_number(super::mdd::WORK_BUDGET as i64)
            ),
            DiffError::UnknownFact { fact, suggestion: None } => {
                write!(f, "no fact `{fact}` in either regime's vocabulary")
            }
        }
    }
}

impl std::error::Error for DiffError {}

/// What to compare, beyond the two tables.
#[derive(Debug, Clone)]
pub struct Options {
    /// How origins are read.
    pub reading: Reading,
    /// Whether obligations count as part of the outcome.
    pub obligations: bool,
    /// Recognition accords to apply.
    pub accords: Vec<Accord>,
    /// Compare only transfers inside this box.
    pub given: Cells,
    /// Report regions over these facts only (the others projected away); `None` for all.
    pub facts: Option<Vec<String>>,
    /// How the regions of each outcome pair are listed.
    pub listing: Listing,
    /// Weights in place of the tables' own (`--weights`), by fact.
    pub weights: Vec<Weight>,
}

/// How a diff lists the regions of an outcome pair.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Listing {
    /// As disjoint boxes over the facts, merged where practical.
    #[default]
    Regions,
    /// One region per pair of deciding rules (one rule of each side): where those two rules
    /// meet and decide differently. Coarser than boxes, so fit for regimes that differ in
    /// thousands of boxes; `facts` does not apply.
    RulePairs,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            reading: Reading::OriginAligned,
            obligations: false,
            accords: Vec::new(),
            given: Cells::new(),
            facts: None,
            listing: Listing::Regions,
            weights: Vec::new(),
        }
    }
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
    side: Side<'t>,
    /// Verdict rows kept: (row index in the table, its cells), borrowed from the table unless
    /// a fact had to be taken out.
    rows: Vec<(usize, Cow<'t, Cells>)>,
    /// Obligation rows kept.
    obligations: Vec<(usize, Cow<'t, Cells>)>,
    /// The box where the side is in scope.
    scope: Cells,
    /// The name its destination fact goes by in the common space, when not its own.
    destination_as: Option<String>,
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
            if let Some(date) = side.date
                && let Some(cell) = cells.get(DATE)
            {
                if !cell.ranges().iter().any(|&(lo, hi)| admits(lo, hi, date.days())) {
                    return Ok(None);
                }
                cells.to_mut().remove(DATE);
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
    fn asked_enums(&self) -> impl Iterator<Item = &str> {
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
    fn column(&self, fact: &str) -> Option<Column> {
        let table = self.side.table;
        match &self.destination_as {
            Some(name) if name == fact => {
                table.fact(&table.scope.destination).map(|c| Column { fact: name.clone(), ..c.clone() })
            }
            _ => table.fact(fact).cloned(),
        }
    }

    fn all_cells(&self) -> impl Iterator<Item = (&String, &Cell)> {
        self.rows.iter().chain(&self.obligations).flat_map(|(_, c)| c.iter()).chain(self.scope.iter())
    }
}

fn admits(lo: Option<i64>, hi: Option<i64>, v: i64) -> bool {
    lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v < hi)
}

/// What a side decides over some region, compared semantically: `require` groups are kept in
/// a canonical form (see [`canonical`]), so two outcomes are equal exactly when they accept the
/// same ways of meeting them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Outcome {
    /// The verdict.
    pub verdict: Verdict,
    /// For `require`, the groups of alternatives, every group to be met.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub require: Vec<Vec<String>>,
    /// The indices of the groups of `require` that are a cascade (`a, else b`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ordered: Vec<usize>,
    /// When obligations are compared, those that apply whatever the transfer relies on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub obligations: Option<Vec<String>>,
    /// When obligations are compared: those that come with relying on an alternative
    /// (`oblige … upon`), by the alternative.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub if_chosen: BTreeMap<String, Vec<String>>,
}

impl Outcome {
    /// What a table row's outcome (or, for `None`, a gap) decides.
    pub fn of(outcome: Option<&TableOutcome>) -> Outcome {
        match outcome {
            None => Outcome::verdict(Verdict::Undecided),
            Some(TableOutcome::Permit) => Outcome::verdict(Verdict::Permit),
            Some(TableOutcome::Prohibit) => Outcome::verdict(Verdict::Prohibit),
            Some(TableOutcome::Require { require, ordered }) => {
                let (require, ordered) = canonical(groups_of(require, ordered));
                Outcome { require, ordered, ..Outcome::verdict(Verdict::Require) }
            }
        }
    }

    /// A verdict with nothing else.
    fn verdict(verdict: Verdict) -> Outcome {
        Outcome { verdict, require: Vec::new(), ordered: Vec::new(), obligations: None, if_chosen: BTreeMap::new() }
    }

    /// Outside the regime's scope.
    pub fn out_of_scope() -> Outcome {
        Outcome::verdict(Verdict::OutOfScope)
    }

    /// The groups, each with whether it is a cascade.
    pub fn groups(&self) -> impl Iterator<Item = (&Vec<String>, bool)> {
        self.require.iter().enumerate().map(|(i, g)| (g, self.ordered.contains(&i)))
    }

    /// The outcome once `regime` treats other mechanisms as its own, per the accords: each
    /// substitute joins the groups holding the mechanism it stands for, in a cascade at that
    /// mechanism's place.
    pub(super) fn with_accords(&self, regime: &str, accords: &[&Accord]) -> Outcome {
        let mut groups: Vec<(Vec<String>, bool)> = self.groups().map(|(g, o)| (g.clone(), o)).collect();
        for acceptance in accords.iter().flat_map(|a| &a.accepts).filter(|a| a.regime == regime) {
            for (group, _) in &mut groups {
                if let Some(at) = group.iter().position(|m| *m == acceptance.as_mechanism) {
                    for (k, m) in acceptance.mechanisms.iter().enumerate() {
                        group.insert(at + 1 + k, m.clone());
                    }
                }
            }
        }
        let (require, ordered) = canonical(groups);
        Outcome { require, ordered, ..self.clone() }
    }

    /// The groups as members alone, for telling outcomes apart only by order.
    fn members(&self) -> BTreeSet<BTreeSet<&String>> {
        self.require.iter().map(|g| g.iter().collect()).collect()
    }

    /// Whether the two outcomes require the same alternatives and differ only in the order
    /// of a cascade (or in one being a cascade).
    pub fn order_only(a: &Outcome, b: &Outcome) -> bool {
        a != b
            && a.verdict == Verdict::Require
            && b.verdict == Verdict::Require
            && a.members() == b.members()
            && (&a.obligations, &a.if_chosen) == (&b.obligations, &b.if_chosen)
    }

    /// In words: `permit`, `require a or b; c, else d`, with obligations after `+` and those
    /// that come with an alternative after `if`.
    pub fn text(&self) -> String {
        let mut text = self.verdict.as_str().to_owned();
        if !self.require.is_empty() {
            let groups: Vec<String> = self.groups().map(|(g, o)| g.join(if o { ", else " } else { " or " })).collect();
            text = format!("{text} {}", groups.join("; "));
        }
        if let Some(obligations) = &self.obligations {
            if obligations.is_empty() {
                text.push_str(" (no obligations)");
            } else {
                text = format!("{text} + {}", obligations.join(", "));
            }
        }
        for (m, obligations) in &self.if_chosen {
            text = format!("{text}; if {m}: {}", obligations.join(", "));
        }
        text
    }
}

/// The mechanisms each of which alone meets every group of both outcomes, when both require
/// something (a bridge between them); empty otherwise. In a cascade, an alternative counts as
/// meeting the group: where the law falls to it, it does.
pub fn bridging(a: &Outcome, b: &Outcome) -> Vec<String> {
    if a.verdict != Verdict::Require || b.verdict != Verdict::Require {
        return Vec::new();
    }
    let groups: Vec<&Vec<String>> = a.require.iter().chain(&b.require).collect();
    in_every(&groups)
}

/// The mechanisms in every one of `groups`: each alone meets them all (none for no groups).
pub fn in_every(groups: &[&Vec<String>]) -> Vec<String> {
    let Some(first) = groups.first() else { return Vec::new() };
    first.iter().filter(|m| groups.iter().all(|g| g.contains(m))).cloned().collect()
}

/// A table's groups with whether each is a cascade.
fn groups_of(require: &[Vec<String>], ordered: &[usize]) -> Vec<(Vec<String>, bool)> {
    require.iter().enumerate().map(|(i, g)| (g.clone(), ordered.contains(&i))).collect()
}

/// The alternatives of a group that must be unavailable before `m` may be relied on: those
/// before it in a cascade, none in any other group.
fn before<'g>(group: &'g [String], ordered: bool, m: &String) -> &'g [String] {
    match group.iter().position(|x| x == m) {
        Some(at) if ordered => group.get(..at).unwrap_or_default(),
        _ => &[],
    }
}

/// Whether meeting group `h` always meets group `g`: every alternative `h` may rely on is one
/// of `g`'s, and `g` asks no more to be unavailable first than `h` does.
fn group_implies(h: (&[String], bool), g: (&[String], bool)) -> bool {
    h.0.iter().all(|m| g.0.contains(m) && before(g.0, g.1, m).iter().all(|x| before(h.0, h.1, m).contains(x)))
}

/// Canonical `require` groups, with the indices of the cascades: repeats removed (a cascade
/// keeps the first), a cascade of one read as a plain group, plain groups sorted, groups that
/// another group's meeting always meets dropped, groups sorted.
fn canonical(groups: Vec<(Vec<String>, bool)>) -> (Vec<Vec<String>>, Vec<usize>) {
    let mut groups: Vec<(Vec<String>, bool)> = groups
        .into_iter()
        .map(|(mut g, ordered)| {
            if ordered {
                let mut seen = BTreeSet::new();
                g.retain(|m| seen.insert(m.clone()));
            } else {
                g.sort();
                g.dedup();
            }
            let ordered = ordered && g.len() > 1;
            (g, ordered)
        })
        .collect();
    groups.sort();
    groups.dedup();
    let keep: Vec<bool> = groups
        .iter()
        .map(|g| !groups.iter().any(|other| other != g && group_implies((&other.0, other.1), (&g.0, g.1))))
        .collect();
    let kept: Vec<(Vec<String>, bool)> = groups.into_iter().zip(keep).filter(|(_, k)| *k).map(|(g, _)| g).collect();
    let ordered = kept.iter().enumerate().filter(|(_, (_, o))| *o).map(|(i, _)| i).collect();
    (kept.into_iter().map(|(g, _)| g).collect(), ordered)
}

/// How two differing outcomes compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// A asks more of the transfer than B.
    AStricter,
    /// B asks more than A.
    BStricter,
    /// Neither asks everything the other does.
    Incomparable,
}

impl Class {
    /// In words, naming the sides.
    pub fn text(self, a: &str, b: &str) -> String {
        match self {
            Class::AStricter => format!("{a} stricter"),
            Class::BStricter => format!("{b} stricter"),
            Class::Incomparable => "incomparable".to_owned(),
        }
    }
}

/// Whether every way to meet `a`'s groups meets `b`'s: each of `b`'s groups is met by meeting
/// one of `a`'s (see [`group_implies`]).
fn implies(a: &Outcome, b: &Outcome) -> bool {
    b.groups().all(|gb| a.groups().any(|ga| group_implies((ga.0, ga.1), (gb.0, gb.1))))
}

/// The vocabulary's strength order and families, from both sides' tables: what classes two
/// `require`s that accept different mechanisms, and what a report says of them.
#[derive(Debug, Clone, Default)]
pub struct Order {
    /// `(stronger, weaker)` to the `strength` declarations the pair follows from.
    stronger: BTreeMap<(String, String), Vec<String>>,
    /// Each family's id and members.
    families: BTreeMap<String, BTreeSet<String>>,
}

impl Order {
    /// The order and families the tables carry.
    pub fn of(tables: &[&Table]) -> Order {
        let mut order = Order::default();
        for table in tables {
            for pair in &table.relations.stronger {
                order
                    .stronger
                    .entry((pair.stronger.clone(), pair.weaker.clone()))
                    .or_insert_with(|| pair.orders.clone());
            }
            for family in &table.relations.families {
                order.families.entry(family.family.clone()).or_default().extend(family.members.iter().cloned());
            }
        }
        order
    }

    /// Whether requiring `x` weighs at least as much as requiring `y`; the declarations that
    /// say so when they are not the same mechanism.
    fn at_least(&self, x: &str, y: &str) -> Option<Vec<String>> {
        if x == y {
            return Some(Vec::new());
        }
        self.stronger.get(&(x.to_owned(), y.to_owned())).cloned()
    }

    /// Whether meeting `a` weighs at least as much as meeting `b`: for each of `b`'s groups,
    /// some group of `a` whose every alternative weighs at least as much as one of that group's
    /// that waits, in a cascade, for no alternative it does not wait for itself. The
    /// declarations used, if it does.
    fn outweighs(&self, a: &Outcome, b: &Outcome) -> Option<BTreeSet<String>> {
        let mut used = BTreeSet::new();
        for (gb, ob) in b.groups() {
            let found = a.groups().find_map(|(ga, oa)| {
                let mut here = BTreeSet::new();
                for x in ga {
                    let waits = before(ga, oa, x);
                    let step = gb
                        .iter()
                        .filter(|y| before(gb, ob, y).iter().all(|w| waits.contains(w)))
                        .filter_map(|y| self.at_least(x, y))
                        .min_by_key(Vec::len)?;
                    here.extend(step);
                }
                Some(here)
            })?;
            used.extend(found);
        }
        Some(used)
    }

    /// The families every mechanism of both outcomes belongs to (for "both need standard
    /// contractual clauses, of different texts").
    pub fn shared_families(&self, a: &Outcome, b: &Outcome) -> Vec<String> {
        if a.verdict != Verdict::Require || b.verdict != Verdict::Require {
            return Vec::new();
        }
        let all: Vec<&String> = a.require.iter().chain(&b.require).flatten().collect();
        self.families
            .iter()
            .filter(|(_, members)| all.iter().all(|m| members.contains(*m)))
            .map(|(id, _)| id.clone())
            .collect()
    }
}

/// `Greater` when `a` is stricter; `None` when neither is. Two `require`s are first compared
/// by what meets them; where neither accepts all the other does, the strength order may still
/// rank them, and the declarations it used are returned.
fn strictness(a: &Outcome, b: &Outcome, order: &Order) -> (Option<std::cmp::Ordering>, Vec<String>) {
    use std::cmp::Ordering;
    let rank = |v: Verdict| match v {
        Verdict::OutOfScope => Some(0),
        Verdict::Permit => Some(1),
        Verdict::Require => Some(2),
        Verdict::Prohibit => Some(3),
        Verdict::Undecided => None,
    };
    let mut decided_by = Vec::new();
    let verdict = match (rank(a.verdict), rank(b.verdict)) {
        (Some(2), Some(2)) => match (implies(a, b), implies(b, a)) {
            (true, true) => Some(Ordering::Equal),
            (true, false) => Some(Ordering::Greater),
            (false, true) => Some(Ordering::Less),
            (false, false) => match (order.outweighs(a, b), order.outweighs(b, a)) {
                (Some(used), None) => {
                    decided_by = used.into_iter().collect();
                    Some(Ordering::Greater)
                }
                (None, Some(used)) => {
                    decided_by = used.into_iter().collect();
                    Some(Ordering::Less)
                }
                _ => None,
            },
        },
        (Some(x), Some(y)) => Some(x.cmp(&y)),
        _ => None,
    };
    let Some(verdict) = verdict else { return (None, Vec::new()) };
    // An obligation that comes with one alternative is a duty of its own: (alternative,
    // obligation), beside (none, obligation) for those that come whatever is relied on.
    let duties = |o: &Outcome| -> Option<BTreeSet<(Option<String>, String)>> {
        let definite = o.obligations.as_ref()?.iter().map(|d| (None, d.clone()));
        let chosen = o.if_chosen.iter().flat_map(|(m, ds)| ds.iter().map(|d| (Some(m.clone()), d.clone())));
        Some(definite.chain(chosen).collect())
    };
    // `y` asks every duty of `x`: the same, or that obligation in any case.
    let within = |x: &BTreeSet<(Option<String>, String)>, y: &BTreeSet<(Option<String>, String)>| {
        x.iter().all(|(m, o)| y.contains(&(m.clone(), o.clone())) || y.contains(&(None, o.clone())))
    };
    let obligations = match (duties(a), duties(b)) {
        (Some(x), Some(y)) => match (within(&x, &y), within(&y, &x)) {
            (true, true) => Ordering::Equal,
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => return (None, Vec::new()),
        },
        _ => Ordering::Equal,
    };
    let combined = match (verdict, obligations) {
        (v, Ordering::Equal) => Some(v),
        (Ordering::Equal, o) => Some(o),
        (v, o) if v == o => Some(v),
        _ => None,
    };
    if combined.is_none() || verdict == Ordering::Equal {
        decided_by.clear();
    }
    (combined, decided_by)
}

/// The class of a pair of outcomes that differ, and the strength declarations that decided
/// it (empty when what meets each outcome decided it, or nothing did).
pub fn classify(a: &Outcome, b: &Outcome, order: &Order) -> (Class, Vec<String>) {
    match strictness(a, b, order) {
        (Some(std::cmp::Ordering::Greater), by) => (Class::AStricter, by),
        (Some(std::cmp::Ordering::Less), by) => (Class::BStricter, by),
        _ => (Class::Incomparable, Vec::new()),
    }
}

/// What decided a part of a side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decider {
    OutOfScope,
    /// The rule of this verdict row (its first row).
    Rule(usize),
    Default,
}

/// A region one side decides one way, for one reason.
#[derive(Debug, Clone)]
pub(super) struct Part {
    decider: Decider,
    obligations: Vec<usize>,
    pub(super) outcome: Outcome,
    pub(super) region: NodeId,
}

/// A rule that decides (part of) a region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleRef {
    /// The rule id; `default` for the default, `out_of_scope` outside the regime's scope, and
    /// `gap` where nothing decides.
    pub rule: String,
    /// Its title.
    pub title: String,
    /// Its citations.
    pub cite: Vec<String>,
    /// Where it is written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
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

/// One region of the fact space where the sides decide differently: a box, or (in a
/// [`Listing::RulePairs`] listing) where one rule of each side decides.
#[derive(Debug, Clone, Serialize)]
pub struct Region {
    /// The facts a box constrains (every other fact is free); `None` for a rule pair's region,
    /// which its two rules describe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<Cells>,
    /// Its share of the compared space.
    pub share: f64,
    /// Rules of A that decide inside it.
    pub a_rules: Vec<RuleRef>,
    /// Rules of B that decide inside it.
    pub b_rules: Vec<RuleRef>,
    /// A transfer inside it, as a scenario `accord eval` reads for either side.
    pub witness: serde_json::Value,
}

/// Every region with one pair of outcomes.
#[derive(Debug, Clone, Serialize)]
pub struct Group {
    /// What A decides.
    pub a: Outcome,
    /// What B decides.
    pub b: Outcome,
    /// Which is stricter (after any accords).
    pub class: Class,
    /// The `strength` declarations that decided the class, when what meets each outcome
    /// did not.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class_by: Vec<String>,
    /// Both require the same alternatives, and differ only in the order of a cascade (or in
    /// one reading them as a cascade): "same alternatives, different order".
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub order_only: bool,
    /// Families that every mechanism either side requires belongs to: both need that kind of
    /// mechanism, of different instruments (only an accord makes one stand for the other).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<String>,
    /// The group's share of the compared space.
    pub share: f64,
    /// The share of the compared space, inside the group, where one mechanism (after accords)
    /// meets both sides' requirements at once.
    pub bridged: f64,
    /// Those mechanisms, where some bridge the group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bridged_by: Vec<String>,
    /// Its boxes.
    pub regions: Vec<Region>,
}

/// Differences an accord made disappear.
#[derive(Debug, Clone, Serialize)]
pub struct Resolved {
    /// What A decides, before accords.
    pub a: Outcome,
    /// What B decides, before accords.
    pub b: Outcome,
    /// The accords that made the outcomes the same.
    pub accords: Vec<String>,
    /// The share of the compared space.
    pub share: f64,
}

/// An accord applied, and what it resolved.
#[derive(Debug, Clone, Serialize)]
pub struct AccordUse {
    /// The accord.
    #[serde(flatten)]
    pub accord: Accord,
    /// When it applies.
    pub effective: String,
    /// The share of the compared space where it resolved a difference.
    pub resolved_share: f64,
}

/// The figures of a diff.
#[derive(Debug, Clone, Serialize)]
pub struct Totals {
    /// Boxes listed.
    pub regions: usize,
    /// Outcome pairs that differ somewhere.
    pub groups: usize,
    /// Share of the compared space where the sides agree.
    pub agreement: f64,
    /// Share where A is stricter.
    pub a_stricter: f64,
    /// Share where B is stricter.
    pub b_stricter: f64,
    /// Share where neither is.
    pub incomparable: f64,
    /// Share where an accord resolved a difference.
    pub resolved: f64,
    /// Share where the sides decide differently, or alike only by an accord, yet one
    /// mechanism (after accords) meets both sides' requirements at once: where one
    /// arrangement serves both.
    pub bridged: f64,
}

/// A diff between two regimes (format `accord.diff/1`).
#[derive(Debug, Clone, Serialize)]
pub struct Diff {
    /// Always `accord.diff/1`.
    pub format: &'static str,
    /// The first side.
    pub a: SideInfo,
    /// The second side.
    pub b: SideInfo,
    /// How origins were read.
    pub reading: Reading,
    /// Whether obligations were compared.
    pub obligations: bool,
    /// The restriction the comparison was made under (empty for none).
    pub given: Cells,
    /// The facts regions are reported over, if projected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facts: Option<Vec<String>>,
    /// How regions are listed.
    pub listing: Listing,
    /// The facts either side tests, with their domains (for reading `when`).
    pub columns: Vec<Column>,
    /// The weights every share is measured with, for each fact of `columns`.
    pub weights: Vec<Weight>,
    /// Accords applied.
    pub accords: Vec<AccordUse>,
    /// The figures.
    pub totals: Totals,
    /// Regions, by outcome pair.
    pub groups: Vec<Group>,
    /// Differences the accords resolved.
    pub resolved: Vec<Resolved>,
}

/// The sides' partitions over a common space: the work every report starts from.
pub(super) struct Compared<'t> {
    pub(super) a: Prepared<'t>,
    pub(super) b: Prepared<'t>,
    pub(super) space: Space,
    pub(super) mdd: Mdd,
    weights: Vec<Vec<f64>>,
    /// The measure below each node measured so far, under `weights`.
    measured: HashMap<NodeId, f64>,
    /// The compared space (the restriction, or everything), consistent points only.
    pub(super) universe: NodeId,
    /// The points closed under the vocabulary's implications.
    consistent: NodeId,
    pub(super) parts_a: Vec<Part>,
    pub(super) parts_b: Vec<Part>,
    /// Date segments with the accords active on each side.
    pub(super) segments: Vec<(NodeId, Vec<usize>, Vec<usize>)>,
    /// The strength order and families of both sides.
    pub(super) order: Order,
    /// The weights each fact of the space is measured with.
    pub(super) weights_used: Vec<Weight>,
}

/// What [`Compared::differences`] finds.
struct Differences {
    /// Regions where the outcomes differ after accords, by (A's, B's, class), with the strength
    /// declarations that decided the class.
    groups: BTreeMap<(Outcome, Outcome, Class), (NodeId, Vec<String>)>,
    /// Regions accords made alike: (A's, B's, the accords used, region).
    resolved: Vec<(Outcome, Outcome, Vec<usize>, NodeId)>,
    /// Regions one mechanism bridges, by their group (`None`: resolved by accords), with the
    /// mechanisms.
    bridged: Bridges,
}

/// A group of a diff: A's outcome, B's, and their class.
type GroupKey = (Outcome, Outcome, Class);

/// Bridged regions by group (`None`: made alike by accords), with the mechanisms.
type Bridges = BTreeMap<Option<GroupKey>, (NodeId, BTreeSet<String>)>;

impl<'t> Compared<'t> {
    pub(super) fn new(a: Prepared<'t>, b: Prepared<'t>, options: &Options) -> Result<Compared<'t>, DiffError> {
        // Each fact's column once (a column's domain can be hundreds of names).
        let mut columns: Vec<Column> = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for p in [&a, &b] {
            for (fact, _) in p.all_cells() {
                if seen.insert(fact.as_str()) {
                    columns.extend(p.column(fact));
                }
            }
        }
        // An enum fact a table lists but no compared cell tests (a test found always true, a
        // row that cannot apply from the home) is still asked for by the evaluator: a variable
        // of one class gives every witness a value for it, and changes no share.
        for p in [&a, &b] {
            for column in p.asked_enums() {
                if seen.insert(column) {
                    columns.extend(p.column(column));
                }
            }
        }
        let mut cells: Vec<(&str, &Cell)> = a.all_cells().chain(b.all_cells()).map(|(f, c)| (f.as_str(), c)).collect();
        for (fact, cell) in &options.given {
            let column = a.side.table.fact(fact).or_else(|| b.side.table.fact(fact));
            let Some(column) = column else {
                let known = a.side.table.vocabulary.iter().chain(&b.side.table.vocabulary).map(|c| c.fact.as_str());
                let suggestion = crate::diagnostics::closest(fact, known).map(str::to_owned);
                return Err(DiffError::UnknownFact { fact: fact.clone(), suggestion });
            };
            columns.push(column.clone());
            cells.push((fact.as_str(), cell));
        }
        // Accord dates split the date fact too, when some side reads every date.
        let accords: Vec<&Accord> = options.accords.iter().collect();
        let dated = !accords.is_empty() && (a.side.date.is_none() || b.side.date.is_none());
        let accord_dates: Vec<Cell> = if dated {
            let date = a.side.table.fact(DATE).or_else(|| b.side.table.fact(DATE));
            columns.extend(date.cloned());
            accords.iter().filter(|accord| !accord.ranges.is_empty()).map(|accord| dates_cell(&accord.ranges)).collect()
        } else {
            Vec::new()
        };
        cells.extend(accord_dates.iter().map(|c| (DATE, c)));
        // Accord scopes, as each side reads them (from its home, a scope's `origin` is that home).
        let scopes: Vec<[Option<Vec<Cells>>; 2]> = accords
            .iter()
            .map(|accord| [scope_for(accord, &a, options.reading), scope_for(accord, &b, options.reading)])
            .collect();
        for boxes in scopes.iter().flatten().flatten().flatten() {
            for (fact, cell) in boxes {
                if seen.insert(fact.as_str()) {
                    let column = a.column(fact).or_else(|| b.column(fact));
                    columns.extend(column);
                }
                cells.push((fact.as_str(), cell));
            }
        }
        if let Some(facts) = &options.facts {
            for fact in facts {
                let t = [a.side.table, b.side.table];
                if !t.iter().any(|t| t.fact(fact).is_some()) {
                    let known = t.iter().flat_map(|t| t.vocabulary.iter()).map(|c| c.fact.as_str());
                    let suggestion = crate::diagnostics::closest(fact, known).map(str::to_owned);
                    return Err(DiffError::UnknownFact { fact: fact.clone(), suggestion });
                }
            }
        }
        let tables = [a.side.table, b.side.table];
        let declared = Weights::of(&tables, &options.weights)
            .map_err(|c| DiffError::WeightsDiffer { fact: c.fact, regimes: c.regimes })?;
        let weights_used = declared.used(&columns);
        let space = Space::new(columns, &cells, &implications(&tables));
        let mut mdd = space.mdd();
        let weights = space.cumulative_weights(&declared);
        // Only consistent points are ever decided, so only they are compared.
        let given = space.row(&mut mdd, &options.given);
        let consistent = space.consistent(&mut mdd);
        let universe = mdd.and(given, consistent);
        let window = window(&space, &mut mdd, &a, &b, options.obligations);
        let parts_a = partition(&space, &mut mdd, &a, options.obligations, &window, true);
        let parts_b = partition(&space, &mut mdd, &b, options.obligations, &window, false);
        if mdd.exhausted() {
            return Err(DiffError::TooIntricate);
        }

        // Segments of the space on which the same accords apply to each side: each accord
        // splits every segment by where it applies to A (its dates, or A's pinned date, and its
        // scope) and where to B.
        let mut segments: Vec<(NodeId, Vec<usize>, Vec<usize>)> = vec![(TRUE, Vec::new(), Vec::new())];
        for (i, accord) in accords.iter().enumerate() {
            let mut region = |p: &Prepared, scope: &Option<Vec<Cells>>| -> NodeId {
                if !accord.accepts.iter().any(|x| x.regime == p.side.table.regime) {
                    return FALSE;
                }
                let dates = match p.side.date {
                    Some(d) if accord.applies_on(d.days()) => TRUE,
                    Some(_) => FALSE,
                    None if accord.ranges.is_empty() => TRUE,
                    None => {
                        let cells: Cells = [(DATE.to_owned(), dates_cell(&accord.ranges))].into_iter().collect();
                        space.row(&mut mdd, &cells)
                    }
                };
                match scope {
                    None => dates,
                    Some(boxes) => {
                        let mut within = FALSE;
                        for cells in boxes {
                            let r = space.row(&mut mdd, cells);
                            within = mdd.or(within, r);
                        }
                        mdd.and(dates, within)
                    }
                }
            };
            let [scope_a, scope_b] = scopes.get(i).cloned().unwrap_or_default();
            let (ra, rb) = (region(&a, &scope_a), region(&b, &scope_b));
            let (not_a, not_b) = (mdd.not(ra), mdd.not(rb));
            let mut next = Vec::with_capacity(segments.len() * 2);
            for (segment, on_a, on_b) in segments {
                for (in_a, side_a) in [(true, ra), (false, not_a)] {
                    let part = mdd.and(segment, side_a);
                    if part == FALSE {
                        continue;
                    }
                    for (in_b, side_b) in [(true, rb), (false, not_b)] {
                        let piece = mdd.and(part, side_b);
                        if piece == FALSE {
                            continue;
                        }
                        let with = |list: &Vec<usize>, on: bool| {
                            let mut list = list.clone();
                            if on {
                                list.push(i);
                            }
                            list
                        };
                        next.push((piece, with(&on_a, in_a), with(&on_b, in_b)));
                    }
                }
            }
            segments = next;
        }
        let order = Order::of(&[a.side.table, b.side.table]);
        Ok(Compared {
            a,
            b,
            space,
            mdd,
            weights,
            measured: HashMap::default(),
            universe,
            consistent,
            parts_a,
            parts_b,
            segments,
            order,
            weights_used,
        })
    }

    /// The measure of the compared space, or an error if it weighs nothing.
    pub(super) fn total(&mut self) -> Result<f64, DiffError> {
        let total = self.measure(self.universe);
        if total > 0.0 { Ok(total) } else { Err(DiffError::Weightless) }
    }

    pub(super) fn measure(&mut self, node: NodeId) -> f64 {
        self.mdd.measure(node, &self.weights, &mut self.measured)
    }

    pub(super) fn share(&mut self, node: NodeId, total: f64) -> f64 {
        if total > 0.0 { self.measure(node) / total } else { 0.0 }
    }

    /// Regions where the outcomes differ, by (A's, B's, class), and those accords resolved.
    fn differences(&mut self, options: &Options) -> Differences {
        let outs_a = self.by_outcome(true);
        let outs_b = self.by_outcome(false);
        // Each group's region, and the strength declarations that decided its class.
        let mut groups: BTreeMap<(Outcome, Outcome, Class), (NodeId, Vec<String>)> = BTreeMap::new();
        let mut resolved: Vec<(Outcome, Outcome, Vec<usize>, NodeId)> = Vec::new();
        let mut bridged: Bridges = BTreeMap::new();
        let (ra, rb) = (self.a.side.table.regime.clone(), self.b.side.table.regime.clone());
        for (oa, &region_a) in &outs_a {
            for (ob, &region_b) in &outs_b {
                if oa == ob {
                    continue;
                }
                let both = self.mdd.and(region_a, region_b);
                let both = self.mdd.and(both, self.universe);
                if both == FALSE {
                    continue;
                }
                for (segment, active_a, active_b) in &self.segments {
                    let region = self.mdd.and(both, *segment);
                    if region == FALSE {
                        continue;
                    }
                    let pick = |active: &[usize]| -> Vec<&Accord> {
                        active.iter().filter_map(|&i| options.accords.get(i)).collect()
                    };
                    let (ea, eb) = (oa.with_accords(&ra, &pick(active_a)), ob.with_accords(&rb, &pick(active_b)));
                    let bridge = bridging(&ea, &eb);
                    let classed = (ea != eb).then(|| classify(&ea, &eb, &self.order));
                    let key = classed.as_ref().map(|(class, _)| (oa.clone(), ob.clone(), *class));
                    if !bridge.is_empty() {
                        let (acc, by) = bridged.entry(key).or_insert((FALSE, BTreeSet::new()));
                        *acc = self.mdd.or(*acc, region);
                        by.extend(bridge);
                    }
                    match classed {
                        None => {
                            let mut used: Vec<usize> = Vec::new();
                            for (&i, regime, o) in
                                active_a.iter().map(|i| (i, &ra, oa)).chain(active_b.iter().map(|i| (i, &rb, ob)))
                            {
                                let Some(accord) = options.accords.get(i) else { continue };
                                if o.with_accords(regime, &[accord]) != *o && !used.contains(&i) {
                                    used.push(i);
                                }
                            }
                            used.sort_unstable();
                            resolved.push((oa.clone(), ob.clone(), used, region));
                        }
                        Some((class, by)) => {
                            let (acc, _) = groups.entry((oa.clone(), ob.clone(), class)).or_insert((FALSE, by));
                            *acc = self.mdd.or(*acc, region);
                        }
                    }
                }
            }
        }
        Differences { groups, resolved, bridged }
    }

    /// Where a side (A when `first`) decides each outcome: its parts joined by outcome.
    pub(super) fn by_outcome(&mut self, first: bool) -> BTreeMap<Outcome, NodeId> {
        let parts = if first { &self.parts_a } else { &self.parts_b };
        let mut out: BTreeMap<Outcome, NodeId> = BTreeMap::new();
        for p in parts {
            // An outcome is copied for its first part only.
            let acc = match out.get_mut(&p.outcome) {
                Some(acc) => acc,
                None => out.entry(p.outcome.clone()).or_insert(FALSE),
            };
            *acc = self.mdd.or(*acc, p.region);
        }
        out
    }

    /// The parts of a side that decide with `outcome` somewhere in `region`.
    fn parts_in(&mut self, first: bool, outcome: &Outcome, region: NodeId) -> Vec<(Decider, NodeId)> {
        let parts = if first { &self.parts_a } else { &self.parts_b };
        let candidates: Vec<(Decider, NodeId)> =
            parts.iter().filter(|p| p.outcome == *outcome).map(|p| (p.decider, p.region)).collect();
        candidates.into_iter().filter(|(_, part)| self.mdd.and(*part, region) != FALSE).collect()
    }

    /// The rules of a side that decide with `outcome` somewhere in `region`.
    pub(super) fn deciders(&mut self, first: bool, outcome: &Outcome, region: NodeId) -> Vec<RuleRef> {
        let candidates = self.parts_in(first, outcome, region);
        self.deciders_among(first, &candidates, region)
    }

    /// Which of `candidates` (parts of one side) decide somewhere in `region`, as rules. The
    /// candidates are the side's parts with one outcome that meet `region`, or that meet a
    /// region where the side decides that outcome and which holds `region` (a box's group):
    /// either way a lone candidate decides in `region`, and intersecting them would build
    /// nothing.
    fn deciders_among(&mut self, first: bool, candidates: &[(Decider, NodeId)], region: NodeId) -> Vec<RuleRef> {
        let table = if first { self.a.side.table } else { self.b.side.table };
        if let [(decider, _)] = candidates {
            return vec![rule_ref(table, *decider)];
        }
        let mut refs: Vec<RuleRef> = Vec::new();
        for &(decider, part) in candidates {
            if self.mdd.and(part, region) == FALSE {
                continue;
            }
            // A rule is listed once, though obligations may split it into several parts (the
            // list is short: looking through it costs less than a set of copied names).
            let r = rule_ref(table, decider);
            if !refs.iter().any(|listed| listed.rule == r.rule) {
                refs.push(r);
            }
        }
        refs
    }
}

/// An accord's scope as a side reads it: in the origin-aligned reading the side's origin is its
/// home, so a box's `origin` cell is dropped where it admits the home, and the box where it
/// does not. `None` for an accord without a scope.
fn scope_for(accord: &Accord, p: &Prepared, reading: Reading) -> Option<Vec<Cells>> {
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
fn dates_cell(ranges: &[(Option<i64>, Option<i64>)]) -> Cell {
    let day = |d: Option<i64>| d.map(|d| Date::from_days(d).to_string());
    Cell::Dates {
        dates: ranges
            .iter()
            .map(|&(from, until)| crate::table::DateRange { from: day(from), until: day(until) })
            .collect(),
    }
}

fn date_cell(from: Option<i64>, until: Option<i64>) -> Cell {
    let day = |d: Option<i64>| d.map(|d| Date::from_days(d).to_string());
    Cell::Dates { dates: vec![crate::table::DateRange { from: day(from), until: day(until) }] }
}

fn rule_ref(table: &Table, decider: Decider) -> RuleRef {
    match decider {
        Decider::Rule(i) => match table.rows.get(i) {
            Some(row) => RuleRef {
                rule: row.rule.clone(),
                title: row.title.clone(),
                cite: row.cite.clone(),
                location: Some(row.location.clone()),
            },
            None => RuleRef { rule: "?".into(), title: String::new(), cite: Vec::new(), location: None },
        },
        Decider::Default if table.default.is_some() => RuleRef {
            rule: "default".into(),
            title: "No rule matches: the default".into(),
            cite: Vec::new(),
            location: None,
        },
        Decider::Default => RuleRef {
            rule: "gap".into(),
            title: "No rule matches and there is no default".into(),
            cite: Vec::new(),
            location: None,
        },
        Decider::OutOfScope => RuleRef {
            rule: "out_of_scope".into(),
            title: format!("Outside the regime's scope (home {})", table.home.join(", ")),
            cite: Vec::new(),
            location: None,
        },
    }
}

/// A side's verdict rules as the cells of their rows and their outcome, in order: two sides
/// with equal lists decide alike wherever these rules decide, whatever the rules are called.
fn rule_groups<'p>(p: &'p Prepared) -> Vec<RuleGroup<'p>> {
    let table = p.side.table;
    let mut groups: Vec<RuleGroup> = Vec::new();
    let mut last = None;
    for (i, cells) in &p.rows {
        let row = table.rows.get(*i);
        // A rule whose requirement facts can meet has rows of two outcomes: one group each
        // (and one for each way facts meet it, on which obligations `upon` depend).
        let key = row.map(|r| (r.rule.as_str(), &r.outcome, &r.met));
        match groups.last_mut() {
            Some((rows, _, _)) if key == last => rows.push(cells.as_ref()),
            _ => groups.push((
                vec![cells.as_ref()],
                Outcome::of(row.map(|r| &r.outcome)),
                row.and_then(|r| r.met.as_ref()),
            )),
        }
        last = key;
    }
    groups
}

/// A run of rows of one rule deciding alike: their cells, the outcome, and what met it.
type RuleGroup<'p> = (Vec<&'p Cells>, Outcome, Option<&'p Met>);

/// Where two sides can decide differently, and what a partition may leave out there.
struct Window<'p> {
    region: NodeId,
    /// `None` when the window is everywhere.
    focus: Option<Focus<'p>>,
}

/// The rows that make a window up, and how many rows of each side come before them.
struct Focus<'p> {
    changed: Vec<&'p Cells>,
    before_a: usize,
    before_b: usize,
}

impl Focus<'_> {
    /// Whether a row can decide anywhere in the window: its box meets a changed row's. A row
    /// that meets none decides nothing there and narrows nothing, so it need not be built.
    fn may_meet(&self, cells: &Cells) -> bool {
        self.changed.iter().any(|c| cells_meet(c, cells))
    }
}

/// Where two sides can decide differently at all. When they share their scope, default and
/// (if compared) obligations, and their rules differ only in a middle stretch (an edited rule,
/// a new version of a few provisions), a point decided by the common rules before it, or by
/// none of the changed rules, is decided alike: only the changed rules' regions, minus what the
/// common rules before them decide, need comparing. Otherwise, everywhere.
fn window<'p>(space: &Space, mdd: &mut Mdd, a: &'p Prepared, b: &'p Prepared, obligations: bool) -> Window<'p> {
    let everywhere = Window { region: TRUE, focus: None };
    let default = |p: &Prepared| Outcome::of(p.side.table.default.as_ref());
    /// Each obligation row as (obligation, `upon`, cells).
    fn named<'p>(p: &'p Prepared) -> Vec<(&'p str, &'p [String], &'p Cells)> {
        let table = p.side.table;
        p.obligations
            .iter()
            .filter_map(|(i, c)| {
                table.obligations.get(*i).map(|o| (o.obligation.as_str(), o.upon.as_slice(), c.as_ref()))
            })
            .collect()
    }
    if a.scope != b.scope || default(a) != default(b) || (obligations && named(a) != named(b)) {
        return everywhere;
    }
    let (ga, gb) = (rule_groups(a), rule_groups(b));
    let prefix = ga.iter().zip(&gb).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (ga.get(prefix..).unwrap_or_default(), gb.get(prefix..).unwrap_or_default());
    let suffix = rest_a.iter().rev().zip(rest_b.iter().rev()).take_while(|(x, y)| x == y).count();
    let changed_a = rest_a.get(..rest_a.len() - suffix).unwrap_or_default();
    let changed_b = rest_b.get(..rest_b.len() - suffix).unwrap_or_default();
    let changed: Vec<&Cells> =
        changed_a.iter().chain(changed_b).flat_map(|(rows, _, _)| rows.iter().copied()).collect();
    let mut window = FALSE;
    for cells in &changed {
        let r = space.row(mdd, cells);
        window = mdd.or(window, r);
    }
    let before = |groups: &[RuleGroup]| groups.iter().take(prefix).map(|(rows, _, _)| rows.len()).sum();
    let focus = Focus { changed, before_a: before(&ga), before_b: before(&gb) };
    // Minus the common rules before: one rule at a time, inside the window, so the diagram
    // never holds the union of every earlier rule; rows that miss every changed row are
    // skipped without building them.
    for (rows, _, _) in ga.get(..prefix).unwrap_or_default() {
        for cells in rows {
            if window == FALSE {
                return Window { region: FALSE, focus: Some(focus) };
            }
            if !focus.may_meet(cells) {
                continue;
            }
            let r = space.row(mdd, cells);
            if mdd.and(window, r) != FALSE {
                window = mdd.minus(window, r);
            }
        }
    }
    Window { region: window, focus: Some(focus) }
}

/// Whether two rows' boxes share a point, read from their cells (a fact only one tests
/// constrains nothing in the other).
fn cells_meet(a: &Cells, b: &Cells) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().all(|(fact, x)| large.get(fact).is_none_or(|y| cell_meets(x, y)))
}

fn cell_meets(x: &Cell, y: &Cell) -> bool {
    match (x, y) {
        (Cell::Bool { is: p }, Cell::Bool { is: q }) => p == q,
        (Cell::Enum { members: m }, Cell::Enum { members: n }) => {
            if m.len().saturating_mul(n.len()) <= 256 {
                m.iter().any(|v| n.contains(v))
            } else {
                let n: BTreeSet<&str> = n.iter().map(|v| &**v).collect();
                m.iter().any(|v| n.contains(&**v))
            }
        }
        (Cell::Set { has: h1, lacks: l1 }, Cell::Set { has: h2, lacks: l2 }) => {
            !h1.iter().any(|h| l2.contains(h)) && !h2.iter().any(|h| l1.contains(h))
        }
        (Cell::Counts { .. } | Cell::Dates { .. }, Cell::Counts { .. } | Cell::Dates { .. }) => {
            // Two half-open ranges meet when the later start is before the earlier end (`None`
            // is unbounded: below every start, above every end).
            let ys = y.ranges();
            x.ranges().iter().any(|&(l1, h1)| {
                ys.iter().any(|&(l2, h2)| {
                    let end = match (h1, h2) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    end.is_none_or(|end| l1.max(l2).is_none_or(|start| start < end))
                })
            })
        }
        _ => true,
    }
}

/// A side as disjoint parts covering the window, each decided one way for one reason.
fn partition(space: &Space, mdd: &mut Mdd, p: &Prepared, obligations: bool, window: &Window, first: bool) -> Vec<Part> {
    let table = p.side.table;
    // Inside a focused window, the common rules before it decide nothing (the window is what
    // they leave), and rows that meet no changed row decide nothing either.
    let (skip, focus) = match &window.focus {
        Some(f) => (if first { f.before_a } else { f.before_b }, Some(f)),
        None => (0, None),
    };
    let window = window.region;
    let scope = space.row(mdd, &p.scope);
    let scope = mdd.and(scope, window);
    let mut parts = Vec::new();
    let outside = mdd.minus(window, scope);
    if outside != FALSE {
        parts.push(Part {
            decider: Decider::OutOfScope,
            obligations: Vec::new(),
            outcome: Outcome::out_of_scope(),
            region: outside,
        });
    }
    let mut remaining = scope;
    let mut k = skip;
    let row = |mdd: &mut Mdd, cells: &Cells| match focus {
        Some(f) if !f.may_meet(cells) => FALSE,
        _ => space.row(mdd, cells),
    };
    while let Some((first, cells)) = p.rows.get(k) {
        // Adjacent rows of one rule and one outcome (a rule whose requirement facts can meet
        // has rows of two outcomes) make one part.
        // What met the requirement is part of the key: obligations `upon` it depend on it.
        let key = table.rows.get(*first).map(|r| (r.rule.as_str(), &r.outcome, &r.met));
        let mut region = row(mdd, cells);
        k += 1;
        while let Some((i, cells)) = p.rows.get(k) {
            if table.rows.get(*i).map(|r| (r.rule.as_str(), &r.outcome, &r.met)) != key {
                break;
            }
            let r = row(mdd, cells);
            region = mdd.or(region, r);
            k += 1;
        }
        if region == FALSE {
            continue;
        }
        let decided = mdd.and(region, remaining);
        if decided != FALSE {
            let outcome = Outcome::of(table.rows.get(*first).map(|r| &r.outcome));
            parts.push(Part { decider: Decider::Rule(*first), obligations: Vec::new(), outcome, region: decided });
            // `remaining` minus the rule's own region, not minus `decided`: the same set, but
            // the complement of one rule's boxes is small, while that of `decided` grows with
            // everything decided so far.
            remaining = mdd.minus(remaining, region);
        }
    }
    if remaining != FALSE {
        let outcome = Outcome::of(table.default.as_ref());
        parts.push(Part { decider: Decider::Default, obligations: Vec::new(), outcome, region: remaining });
    }
    if !obligations {
        return parts;
    }
    // Each obligation splits every in-scope part into where it applies and where it does not.
    let mut by_obligation: Vec<(usize, NodeId)> = Vec::new();
    for (i, cells) in &p.obligations {
        let region = space.row(mdd, cells);
        let name = table.obligations.get(*i).map(|o| o.obligation.as_str());
        match by_obligation.last_mut() {
            Some((last, acc)) if table.obligations.get(*last).map(|o| o.obligation.as_str()) == name => {
                *acc = mdd.or(*acc, region);
            }
            _ => by_obligation.push((*i, region)),
        }
    }
    for (i, region) in by_obligation {
        let applies = mdd.and(region, scope);
        let mut next = Vec::with_capacity(parts.len());
        for part in parts {
            if part.decider == Decider::OutOfScope {
                next.push(part);
                continue;
            }
            let with = mdd.and(part.region, applies);
            let without = mdd.minus(part.region, applies);
            if with != FALSE {
                let mut obligations = part.obligations.clone();
                obligations.push(i);
                next.push(Part { obligations, region: with, ..part.clone() });
            }
            if without != FALSE {
                next.push(Part { region: without, ..part });
            }
        }
        parts = next;
    }
    for part in &mut parts {
        // What met the rule's requirement, where facts did: obligations `upon` it come. And
        // the requirement as written (the canonical form may drop an alternative an
        // obligation comes upon), as the evaluator reads it.
        let row = match part.decider {
            Decider::Rule(r) => table.rows.get(r),
            _ => None,
        };
        let met: &[String] = row.and_then(|row| row.met.as_ref()).map_or(&[], |m| m.by.as_slice());
        let written = match part.decider {
            Decider::Rule(_) => row.map(|row| &row.outcome),
            Decider::Default => table.default.as_ref(),
            Decider::OutOfScope => None,
        };
        let require: &[Vec<String>] = match written {
            Some(TableOutcome::Require { require, .. }) => require,
            _ => &[],
        };
        let mut definite: BTreeSet<String> = BTreeSet::new();
        let mut chosen: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for row in part.obligations.iter().filter_map(|&i| table.obligations.get(i)) {
            if row.upon.is_empty() || row.upon.iter().any(|m| met.contains(m)) {
                definite.insert(row.obligation.clone());
                continue;
            }
            for m in row.upon.iter().filter(|m| require.iter().any(|g| g.contains(m))) {
                chosen.entry(m.clone()).or_default().insert(row.obligation.clone());
            }
        }
        part.outcome.if_chosen = chosen
            .into_iter()
            .map(|(m, names)| (m, names.into_iter().filter(|o| !definite.contains(o)).collect::<Vec<_>>()))
            .filter(|(_, names)| !names.is_empty())
            .collect();
        part.outcome.obligations = Some(definite.into_iter().collect());
    }
    parts
}

/// Compares two sides exactly.
pub fn diff(a: Side, b: Side, options: &Options) -> Result<Diff, DiffError> {
    let (info_a, info_b) = (SideInfo::of(&a), SideInfo::of(&b));
    let pa = Prepared::new(a, options.reading, options.obligations, None)?;
    let pb = Prepared::new(b, options.reading, options.obligations, None)?;
    let mut c = Compared::new(pa, pb, options)?;
    let total = c.total()?;
    let Differences { groups, resolved, bridged } = c.differences(options);

    let quantified: Option<Vec<bool>> = options.facts.as_ref().map(|facts| {
        let mut keep = c.space.vars_of(facts);
        keep.iter_mut().for_each(|k| *k = !*k);
        keep
    });
    let mut out_groups = Vec::new();
    let mut count = 0usize;
    let mut class_share: BTreeMap<Class, f64> = BTreeMap::new();
    let mut differing = FALSE;
    let related = c.space.related_facts();
    for ((oa, ob, class), (region, class_by)) in groups {
        differing = c.mdd.or(differing, region);
        // Only the parts that decide somewhere in the group can decide in one of its regions.
        let candidates = (c.parts_in(true, &oa, region), c.parts_in(false, &ob, region));
        let regions = match options.listing {
            Listing::Regions => {
                let limit = MAX_BOXES.saturating_sub(count);
                c.boxed_regions(region, quantified.as_deref(), &related, &candidates, total, limit)?
            }
            Listing::RulePairs => c.rule_pairs(region, &candidates, total),
        };
        count += regions.len();
        let share = c.share(region, total);
        *class_share.entry(class).or_default() += share;
        let families = c.order.shared_families(&oa, &ob);
        let order_only = Outcome::order_only(&oa, &ob);
        let key = Some((oa, ob, class));
        let (bridged_share, bridged_by) = match bridged.get(&key) {
            Some((region, by)) => (c.share(*region, total), by.iter().cloned().collect()),
            None => (0.0, Vec::new()),
        };
        let Some((oa, ob, class)) = key else { continue };
        out_groups.push(Group {
            a: oa,
            b: ob,
            class,
            class_by,
            order_only,
            families,
            share,
            bridged: bridged_share,
            bridged_by,
            regions,
        });
    }
    // Largest differences first; ties in a stable order.
    out_groups
        .sort_by(|x, y| y.share.total_cmp(&x.share).then_with(|| (&x.a, &x.b, x.class).cmp(&(&y.a, &y.b, y.class))));

    let mut out_resolved: Vec<Resolved> = Vec::new();
    let mut accord_share = vec![0.0; options.accords.len()];
    let mut resolved_region = FALSE;
    for (oa, ob, used, region) in resolved {
        let share = c.share(region, total);
        resolved_region = c.mdd.or(resolved_region, region);
        for &i in &used {
            if let Some(s) = accord_share.get_mut(i) {
                *s += share;
            }
        }
        let accords: Vec<String> = used.iter().filter_map(|&i| options.accords.get(i)).map(|a| a.id.clone()).collect();
        match out_resolved.iter_mut().find(|r| r.a == oa && r.b == ob && r.accords == accords) {
            Some(r) => r.share += share,
            None => out_resolved.push(Resolved { a: oa, b: ob, accords, share }),
        }
    }
    if c.mdd.exhausted() {
        return Err(DiffError::TooIntricate);
    }
    let totals = Totals {
        regions: count,
        groups: out_groups.len(),
        agreement: 1.0 - c.share(differing, total),
        a_stricter: class_share.get(&Class::AStricter).copied().unwrap_or(0.0),
        b_stricter: class_share.get(&Class::BStricter).copied().unwrap_or(0.0),
        incomparable: class_share.get(&Class::Incomparable).copied().unwrap_or(0.0),
        resolved: c.share(resolved_region, total),
        bridged: {
            let mut all = FALSE;
            for (region, _) in bridged.values() {
                all = c.mdd.or(all, *region);
            }
            c.share(all, total)
        },
    };
    let accords = options
        .accords
        .iter()
        .zip(accord_share)
        .map(|(a, resolved_share)| AccordUse { accord: a.clone(), effective: a.effective_text(), resolved_share })
        .collect();
    Ok(Diff {
        format: "accord.diff/1",
        a: info_a,
        b: info_b,
        reading: options.reading,
        obligations: options.obligations,
        given: options.given.clone(),
        facts: options.facts.clone(),
        listing: options.listing,
        weights: std::mem::take(&mut c.weights_used),
        columns: c.space.into_columns(),
        accords,
        totals,
        groups: out_groups,
        resolved: out_resolved,
    })
}

/// Each side's parts that may decide inside a group.
type Candidates = (Vec<(Decider, NodeId)>, Vec<(Decider, NodeId)>);

impl Compared<'_> {
    /// A group's region as at most `limit` disjoint boxes, each with its share, deciders and
    /// witness. `quantified` projects the boxes (`--facts`). A fact in `related` whose members
    /// the implications tie together, and on which the group does not depend, is left out of
    /// its boxes too (else consistency alone would split them); each box is then read within
    /// the group.
    fn boxed_regions(
        &mut self,
        region: NodeId,
        quantified: Option<&[bool]>,
        related: &[String],
        candidates: &Candidates,
        total: f64,
        limit: usize,
    ) -> Result<Vec<Region>, DiffError> {
        let hidden: Option<Vec<bool>> = match (quantified, self.free_of(region, related)) {
            (Some(q), Some(f)) => Some(q.iter().zip(&f).map(|(x, y)| *x || *y).collect()),
            (Some(q), None) => Some(q.to_vec()),
            (None, f) => f,
        };
        let shown = match &hidden {
            Some(q) => self.mdd.exists(region, q),
            None => region,
        };
        let boxes = self.mdd.boxes(shown, limit).ok_or(DiffError::TooManyBoxes { limit: MAX_BOXES })?;
        let boxes = self.merge_modulo_consistency(boxes, related);
        let mut regions = Vec::with_capacity(boxes.len());
        for (b, joined) in &boxes {
            // A box cut from the group lies inside it; one cut from a projection, or joined
            // into a hull, reaches outside and is read within the group.
            let projected = (hidden.is_some() || *joined).then_some(region);
            regions.extend(self.region(b, projected, candidates, total));
        }
        Ok(regions)
    }

    /// Boxes that differ only on a fact in `facts`, joined into their hull on that fact where
    /// the hull holds no consistent point but theirs (consistency alone had split them). Each
    /// box says whether it is such a hull: a hull reaches inconsistent points, so it is read
    /// within its group.
    fn merge_modulo_consistency(&mut self, boxes: Vec<Boxed>, facts: &[String]) -> Vec<(Boxed, bool)> {
        let mut boxes: Vec<(Boxed, bool)> = boxes.into_iter().map(|b| (b, false)).collect();
        for fact in facts {
            // Boxes alike but on `fact`, found by hashing what they say of the other facts.
            let keys: Vec<Boxed> = boxes.iter().map(|(b, _)| self.space.without_fact(b, fact)).collect();
            let mut alike: HashMap<&Boxed, Vec<usize>> = HashMap::default();
            for (i, key) in keys.iter().enumerate() {
                alike.entry(key).or_default().push(i);
            }
            if alike.values().all(|members| members.len() < 2) {
                continue;
            }
            // For each group that joins, its hull, placed where its first box was.
            let mut joined_at: HashMap<usize, Boxed> = HashMap::default();
            let mut absorbed = vec![false; boxes.len()];
            for members in alike.values().filter(|members| members.len() > 1) {
                let chosen: Vec<&Boxed> = members.iter().filter_map(|&j| boxes.get(j).map(|(b, _)| b)).collect();
                let Some(hull) = self.space.hull_on(&chosen, fact) else { continue };
                let mut union = FALSE;
                for b in members.iter().filter_map(|&j| boxes.get(j)) {
                    let r = self.mdd.box_region(&b.0);
                    union = self.mdd.or(union, r);
                }
                let cube = self.mdd.box_region(&hull);
                let whole = self.mdd.and(cube, self.consistent);
                let held = self.mdd.and(union, self.consistent);
                // The hull holds exactly the boxes' consistent points, so it meets no other
                // box (boxes are disjoint) at a point any scenario can be.
                if whole != held {
                    continue;
                }
                if let Some(&first) = members.first() {
                    joined_at.insert(first, hull);
                }
                members.iter().for_each(|&j| absorbed.get_mut(j).into_iter().for_each(|a| *a = true));
            }
            if joined_at.is_empty() {
                continue;
            }
            let mut out = Vec::with_capacity(boxes.len());
            for (i, b) in boxes.into_iter().enumerate() {
                match joined_at.remove(&i) {
                    Some(hull) => out.push((hull, true)),
                    None if absorbed.get(i).copied().unwrap_or(false) => {}
                    None => out.push(b),
                }
            }
            boxes = out;
        }
        boxes
    }

    /// The variables of those of `facts` that `region` does not depend on (within the
    /// consistent points), or `None` if it depends on each of them.
    fn free_of(&mut self, region: NodeId, facts: &[String]) -> Option<Vec<bool>> {
        let mut free: Option<Vec<bool>> = None;
        for fact in facts {
            let mut trial = self.space.vars_of(std::slice::from_ref(fact));
            if let Some(f) = &free {
                trial.iter_mut().zip(f).for_each(|(t, f)| *t = *t || *f);
            }
            let projected = self.mdd.exists(region, &trial);
            if self.mdd.and(projected, self.consistent) == region {
                free = Some(trial);
            }
        }
        free
    }

    /// One box of a group as reported. `projected` is the group when the box was cut from its
    /// projection, or with inconsistent points, and so reaches outside it; `None` when it was
    /// cut from the group itself, and so lies inside it (intersecting them would give the
    /// box's own region back). `None` for a box that holds no point of the group.
    fn region(&mut self, b: &Boxed, projected: Option<NodeId>, candidates: &Candidates, total: f64) -> Option<Region> {
        let cube = self.mdd.box_region(b);
        let inside = match projected {
            Some(group) => self.mdd.and(cube, group),
            None => cube,
        };
        if inside == FALSE {
            return None;
        }
        let witness = self.mdd.witness(inside).map(|p| self.space.scenario(&p)).unwrap_or_default();
        Some(Region {
            when: Some(self.space.box_cells(b)),
            share: self.share(inside, total),
            a_rules: self.deciders_among(true, &candidates.0, inside),
            b_rules: self.deciders_among(false, &candidates.1, inside),
            witness,
        })
    }
}

impl Compared<'_> {
    /// A group's region as one region per pair of deciding rules, largest first: where a rule
    /// of A (its parts joined) and a rule of B both decide inside the group.
    fn rule_pairs(&mut self, group: NodeId, candidates: &Candidates, total: f64) -> Vec<Region> {
        let (ta, tb) = (self.a.side.table, self.b.side.table);
        let mut met: BTreeMap<(String, String), (RuleRef, RuleRef, NodeId)> = BTreeMap::new();
        for &(da, part_a) in &candidates.0 {
            let in_a = self.mdd.and(part_a, group);
            for &(db, part_b) in &candidates.1 {
                let both = self.mdd.and(in_a, part_b);
                if both == FALSE {
                    continue;
                }
                let (ra, rb) = (rule_ref(ta, da), rule_ref(tb, db));
                let key = (ra.rule.clone(), rb.rule.clone());
                match met.get_mut(&key) {
                    Some((_, _, region)) => *region = self.mdd.or(*region, both),
                    None => {
                        met.insert(key, (ra, rb, both));
                    }
                }
            }
        }
        let mut regions: Vec<Region> = met
            .into_values()
            .map(|(ra, rb, region)| Region {
                when: None,
                share: self.share(region, total),
                a_rules: vec![ra],
                b_rules: vec![rb],
                witness: self.mdd.witness(region).map(|p| self.space.scenario(&p)).unwrap_or_default(),
            })
            .collect();
        regions.sort_by(|x, y| y.share.total_cmp(&x.share));
        regions
    }
}

/// Where two sides agree and where one mechanism bridges them: what [`diff`] reports as
/// `totals.agreement` and `totals.bridged`, without listing regions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shares {
    /// The share of transfers decided alike.
    pub agreement: f64,
    /// The share where one mechanism meets both sides' requirements.
    pub bridged: f64,
}

/// The agreement and bridged shares of two sides (as [`diff`] reports them in `totals`).
pub fn agreement(a: Side, b: Side, options: &Options) -> Result<Shares, DiffError> {
    let pa = Prepared::new(a, options.reading, options.obligations, None)?;
    let pb = Prepared::new(b, options.reading, options.obligations, None)?;
    let mut c = Compared::new(pa, pb, options)?;
    let total = c.total()?;
    let Differences { groups, bridged, .. } = c.differences(options);
    let mut differing = FALSE;
    for (region, _) in groups.values() {
        differing = c.mdd.or(differing, *region);
    }
    let mut bridge = FALSE;
    for (region, _) in bridged.values() {
        bridge = c.mdd.or(bridge, *region);
    }
    if c.mdd.exhausted() {
        return Err(DiffError::TooIntricate);
    }
    Ok(Shares { agreement: 1.0 - c.share(differing, total), bridged: c.share(bridge, total) })
}

/// A partial scenario (`{"destination": "US", "data": ["health"]}`) as the box of transfers it
/// describes: an enum fact is that member, a set fact exactly those members, a count or a date
/// that value.
pub fn given_cells(tables: &[&Table], given: &serde_json::Value) -> Result<Cells, String> {
    let Some(object) = given.as_object() else {
        return Err("`--given` takes a JSON object of facts, like {\"destination\": \"US\"}".into());
    };
    let mut cells = Cells::new();
    for (fact, value) in object {
        let Some(column) = tables.iter().find_map(|t| t.fact(fact)) else {
            let known = tables.iter().flat_map(|t| t.vocabulary.iter()).map(|c| c.fact.as_str());
            return Err(match crate::diagnostics::closest(fact, known) {
                Some(s) => format!("no fact `{fact}` (did you mean `{s}`?)"),
                None => format!("no fact `{fact}`"),
            });
        };
        let member = |v: &serde_json::Value| -> Result<Name, String> {
            let name = v.as_str().ok_or_else(|| format!("`{fact}` takes member names"))?;
            if let Some(m) = column.domain.iter().find(|m| ***m == *name) {
                Ok(m.clone())
            } else {
                let suggestion = crate::diagnostics::closest(name, column.domain.iter().map(|m| &**m));
                Err(match suggestion {
                    Some(s) => format!("`{name}` is not a value of `{fact}` (did you mean `{s}`?)"),
                    None => format!("`{name}` is not a value of `{fact}`"),
                })
            }
        };
        let cell = match column.ty {
            ColumnType::Bool => {
                Cell::Bool { is: value.as_bool().ok_or_else(|| format!("`{fact}` takes true or false"))? }
            }
            ColumnType::Enum => Cell::Enum { members: vec![member(value)?] },
            ColumnType::Set => {
                let list = value.as_array().ok_or_else(|| format!("`{fact}` takes a list of members"))?;
                let mut has: Vec<Name> = list.iter().map(member).collect::<Result<_, _>>()?;
                // Closed under the implications, as a scenario is before it is decided.
                for (_, m, n) in implications(tables).iter().filter(|(f, _, _)| f == fact) {
                    if has.contains(m) && !has.contains(n) {
                        has.push(n.clone());
                    }
                }
                has.sort_by_key(|m| column.domain.iter().position(|d| d == m));
                let lacks = column.domain.iter().filter(|m| !has.contains(m)).cloned().collect();
                Cell::Set { has, lacks }
            }
            ColumnType::Count => {
                let n =
                    value.as_i64().filter(|n| *n >= 0).ok_or_else(|| format!("`{fact}` takes a count (0 or more)"))?;
                Cell::Counts { counts: vec![crate::table::CountRange { from: n, until: n.checked_add(1) }] }
            }
            ColumnType::Date => {
                let day = value
                    .as_str()
                    .and_then(Date::parse)
                    .ok_or_else(|| format!("`{fact}` takes a date written YYYY-MM-DD"))?;
                date_cell(Some(day.days()), day.days().checked_add(1))
            }
        };
        cells.insert(fact.clone(), cell);
    }
    Ok(cells)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::eval::Scenario;

    fn require(groups: &[(&[&str], bool)]) -> Outcome {
        let written: Vec<(Vec<String>, bool)> =
            groups.iter().map(|(g, o)| (g.iter().map(|m| (*m).to_owned()).collect(), *o)).collect();
        let (require, ordered) = canonical(written);
        Outcome { require, ordered, ..Outcome::verdict(Verdict::Require) }
    }

    /// Classes worked out by hand from what meets each side.
    #[test]
    fn a_cascade_is_compared_in_its_order() {
        let order = Order::default();
        let class = |a: &Outcome, b: &Outcome| classify(a, b, &order).0;
        let cascade = require(&[(&["a", "b"], true)]);
        let reversed = require(&[(&["b", "a"], true)]);
        let plain = require(&[(&["a", "b"], false)]);
        // The cascade lets `b` be relied on only where `a` cannot be: it asks more.
        assert_eq!(class(&cascade, &plain), Class::AStricter);
        assert_eq!(class(&plain, &cascade), Class::BStricter);
        // Each order forbids what the other prefers.
        assert_eq!(class(&cascade, &reversed), Class::Incomparable);
        assert!(Outcome::order_only(&cascade, &reversed) && Outcome::order_only(&cascade, &plain));
        // `a` alone is what the cascade prefers: stricter; `b` alone must wait for `a` there.
        assert_eq!(class(&require(&[(&["a"], false)]), &cascade), Class::AStricter);
        assert_eq!(class(&require(&[(&["b"], false)]), &cascade), Class::Incomparable);
        assert!(!Outcome::order_only(&require(&[(&["a"], false)]), &cascade));
        // An accord's substitute for `a` joins the cascade right after it.
        let accord = Accord {
            id: "x".into(),
            title: "X".into(),
            cite: Vec::new(),
            ranges: Vec::new(),
            scope: None,
            accepts: vec![crate::compile::accords::Acceptance {
                regime: "r".into(),
                mechanisms: vec!["c".into()],
                as_mechanism: "a".into(),
            }],
        };
        let widened = cascade.with_accords("r", &[&accord]);
        assert_eq!((widened.require, widened.ordered), (vec![vec!["a".to_owned(), "c".into(), "b".into()]], vec![0]));
    }

    /// An obligation in any case asks more than the same obligation with one alternative.
    #[test]
    fn a_duty_in_any_case_covers_the_same_duty_upon_an_alternative() {
        let order = Order::default();
        let with = |definite: &[&str], chosen: &[(&str, &str)]| Outcome {
            obligations: Some(definite.iter().map(|o| (*o).to_owned()).collect()),
            if_chosen: chosen.iter().map(|(m, o)| ((*m).to_owned(), vec![(*o).to_owned()])).collect(),
            ..require(&[(&["a", "b"], false)])
        };
        let always = with(&["filing"], &[]);
        let upon_a = with(&[], &[("a", "filing")]);
        let upon_b = with(&[], &[("b", "filing")]);
        assert_eq!(classify(&always, &upon_a, &order).0, Class::AStricter);
        assert_eq!(classify(&upon_a, &always, &order).0, Class::BStricter);
        assert_eq!(classify(&upon_a, &upon_b, &order).0, Class::Incomparable);
    }

    /// `tier in {T1, T2}` compiles to no cell at all, yet the evaluator still asks for `tier`,
    /// since the rule names it: a witness must give it, or it does not read as a scenario.
    #[test]
    fn a_witness_names_every_enum_fact_a_side_asks_for() {
        let text = "enum Place { A B }\nenum Tier { T1 T2 }\nfacts { origin: Place destination: Place tier: Tier }\n\
            regime a \"A\" { home A rule r \"R\" cite \"1\" when tier in {T1, T2} then prohibit }\n\
            regime b \"B\" { home A default permit }\n";
        let tables = crate::compile::compile_text("witness.accord", text).unwrap();
        let report = diff(Side::new(&tables[0]), Side::new(&tables[1]), &Options::default()).unwrap();
        let witness = &report.groups[0].regions[0].witness;
        let today = Date::parse("2026-01-01").unwrap();
        for table in &tables {
            let scenario = Scenario::from_value(table, witness, today);
            assert!(scenario.is_ok(), "{witness} does not read for `{}`: {scenario:?}", table.regime);
        }
    }
}
