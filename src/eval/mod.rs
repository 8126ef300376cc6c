//! Evaluating a [`Table`] on a [`Scenario`].
//!
//! The table is indexed once: for every column, and for every value class of that column (an
//! enum member, a combination of a few adjacent set members present, an elementary interval
//! between the bounds any row uses, `true` or `false`), a bitset of the rows that admit it, all
//! in one arena. Evaluating is then one look-up per column (per group of set members) and an
//! AND of the chosen bitsets, four words at a time, stopping at the first block with a bit set:
//! the first matching row. No condition is re-read.
//!
//! Semantics (the design, §3): outside scope (origin not in `home`, or destination in it) the
//! verdict is `out_of_scope`; otherwise the first matching verdict row decides, else the
//! default; every matching obligation row adds its obligation.

mod examples;
mod scenario;

pub use examples::{ExampleResult, Groups, UponObligations, chosen_of, describe, expect_of, groups_of, run_examples};
pub use scenario::{Scenario, ScenarioError};

use crate::table::{Cell, Column, ColumnType, Established, Name, Outcome, Table};
use scenario::Value;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

type Bits = Vec<u64>;

/// The verdict of a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// No mechanism needed.
    Permit,
    /// Allowed once each `require` group is met.
    Require,
    /// Not allowed.
    Prohibit,
    /// The regime does not govern this transfer.
    OutOfScope,
    /// No rule matches and the regime has no `default`: a gap, which `accord check` reports.
    Undecided,
}

impl Verdict {
    /// The verdict as written in rule files and decisions.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Permit => "permit",
            Verdict::Require => "require",
            Verdict::Prohibit => "prohibit",
            Verdict::OutOfScope => "out_of_scope",
            Verdict::Undecided => "undecided",
        }
    }
}

/// What a regime decides for a scenario (the decision JSON of the design (§7)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The regime's id.
    pub regime: String,
    /// The verdict.
    pub verdict: Verdict,
    /// For `require`: groups of alternative mechanisms, every group to be met; else empty.
    pub require: Vec<Vec<String>>,
    /// The indices of the `require` groups that are a cascade (`a, else b`), in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ordered: Vec<usize>,
    /// Obligations added, in the table's order, each once: those that come whatever the
    /// transfer relies on, and those `upon` a mechanism that met the requirement.
    pub obligations: Vec<String>,
    /// For `require`: the obligations that come with relying on a mechanism (`upon`), by
    /// the mechanism (one of the alternatives), in the table's order.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub if_chosen: BTreeMap<String, Vec<String>>,
    /// The deciding rule; `None` when the default decided or the transfer is out of scope.
    pub rule: Option<String>,
    /// The deciding rule's citations.
    pub cite: Vec<String>,
    /// Present when the scenario lists `safeguards`: whether every `require` group is met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfied: Option<bool>,
    /// For a `permit` because the deciding rule's requirement was met: what met it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met_by: Option<MetBy>,
    /// The deciding row's index in the table, if a row decided.
    #[serde(skip)]
    pub row: Option<usize>,
}

/// What met a rule's requirement, making the transfer a `permit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetBy {
    /// For each `require` group of the rule, the mechanism that met it.
    pub mechanisms: Vec<String>,
    /// The rule's `require` groups, as written.
    pub require: Vec<Vec<String>>,
    /// The indices of its groups that are a cascade.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ordered: Vec<usize>,
    /// `facts` when the scenario's facts establish the mechanisms (see the vocabulary's
    /// `establish` declarations), `safeguards` when the scenario lists them in place.
    pub through: MetThrough,
}

/// How a requirement was met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MetThrough {
    /// Facts of the scenario establish the mechanisms.
    Facts,
    /// The scenario lists the mechanisms in `safeguards`.
    Safeguards,
}

/// A member that an implication of the vocabulary added to a scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Implied {
    /// The set fact.
    pub fact: String,
    /// The member added.
    pub member: String,
    /// A member the scenario gives that implies it.
    pub because: String,
}

/// A decision's verdict and deciding row, without the rest (see [`Table::decide`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decided {
    /// The verdict.
    pub verdict: Verdict,
    /// The deciding row's index in [`Table::rows`], if a row decided.
    pub row: Option<usize>,
}

/// Why an earlier rule did not decide: the fact that ruled out (each row of) it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuledOut {
    /// The rule.
    pub rule: String,
    /// Its title.
    pub title: String,
    /// Its citations.
    pub cite: Vec<String>,
    /// The facts whose values ruled it out, one per row of the rule, without repeats.
    pub facts: Vec<String>,
}

/// A decision with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explained {
    /// The decision.
    pub decision: Decision,
    /// Every rule before the deciding one, in order, with what ruled it out.
    pub ruled_out: Vec<RuledOut>,
    /// Members the vocabulary's implications added to the scenario before it was decided.
    pub implied: Vec<Implied>,
    /// When facts met the requirement: the facts that establish each mechanism named, as the
    /// table states them.
    pub established_by: Vec<Established>,
    /// When a requirement is left: its mechanisms that facts could establish, and which facts.
    pub could_be_met_by: Vec<Established>,
}

/// One look-up a scenario makes in a [`RowIndex`]: its value of one fact chooses a class (a
/// bool, an enum member, a combination of a few set members, a segment between bounds), and
/// class `c`'s bitset starts at `first + c * stride` in the arena.
#[derive(Debug, Clone)]
struct Probe {
    /// Vocabulary index of the fact.
    vocab: usize,
    first: usize,
    classes: Classes,
}

/// How a [`Probe`] turns a value into its class.
#[derive(Debug, Clone)]
enum Classes {
    /// `false` is class 0, `true` class 1.
    Bool,
    /// A member is its own class; `members` classes.
    Member { members: usize },
    /// Adjacent members of a set column, `mask.count_ones()` of them, from bit `shift` of word
    /// `word` of the scenario's member mask: each combination of them present is a class (the
    /// mask's bits, shifted down). One look-up per group rather than per member keeps the
    /// number of bitsets to AND small.
    SetGroup { word: usize, shift: u32, mask: u64 },
    /// Breakpoints: segment `i` of `bounds.len() + 1` is `[bounds[i-1], bounds[i])`.
    Ranges { bounds: Vec<i64> },
}

impl Probe {
    /// Where the bitset the value chooses starts, if the value is of the probe's kind.
    fn offset(&self, value: &Value, stride: usize) -> Option<usize> {
        let class = match (&self.classes, value) {
            (Classes::Bool, Value::Bool(b)) => usize::from(*b),
            (Classes::Member { members }, Value::Member(m)) => Some(*m as usize).filter(|m| m < members)?,
            (Classes::SetGroup { word, shift, mask }, Value::Set(present)) => {
                ((present.get(*word).copied().unwrap_or(0) >> shift) & mask) as usize
            }
            (Classes::Ranges { bounds }, Value::Count(v) | Value::Date(v)) => bounds.partition_point(|b| b <= v),
            _ => return None,
        };
        Some(self.first + class * stride)
    }
}

/// How many members a set group may hold, widest first: a group of `w` members has `2^w`
/// bitsets.
const GROUP_WIDTHS: [u32; 4] = [8, 4, 2, 1];

/// How many words a set column's bitsets may take before its groups are narrowed (1 MiB).
const SET_COLUMN_WORDS: usize = 1 << 17;

/// Words ANDed at once: bitsets are padded to a whole number of blocks, so that the AND works
/// on fixed-size arrays the compiler turns into vector instructions.
const BLOCK: usize = 4;

type Block = [u64; BLOCK];

/// How many chosen bitsets [`Chosen`] keeps on the stack.
const INLINE: usize = 32;

/// The bitset each probe chose, by the probe's position, as arena offsets: on the stack for the
/// first [`INLINE`] probes, so that deciding touches no heap unless a table needs more.
struct Chosen {
    inline: [usize; INLINE],
    spill: Vec<usize>,
}

impl Chosen {
    /// Every slot holds offset 0, the bitset of every row.
    fn new() -> Self {
        Chosen { inline: [0; INLINE], spill: Vec::new() }
    }

    /// Records probe `i`'s bitset; probes are recorded in order.
    fn set(&mut self, i: usize, offset: usize) {
        match self.inline.get_mut(i) {
            Some(slot) => *slot = offset,
            None => self.spill.push(offset),
        }
    }

    /// The offsets recorded for `n` probes, in two parts.
    fn parts(&self, n: usize) -> [&[usize]; 2] {
        [self.inline.get(..n.min(INLINE)).unwrap_or_default(), &self.spill]
    }
}

/// Bitsets for one list of rows (verdict rows or obligation rows), each `stride` words long
/// (whole blocks, zero past the last row), one after another in one arena, so that a bitset is
/// named by where it starts.
#[derive(Debug, Clone)]
struct RowIndex {
    stride: usize,
    /// Offset 0 holds every row: the bitset chosen when no column is tested.
    arena: Vec<u64>,
    /// The look-ups, the most selective first (see [`RowIndex::build`]).
    probes: Vec<Probe>,
}

/// A table's evaluation index; built once per table, on first use.
#[derive(Debug, Clone)]
pub struct Index {
    rows: RowIndex,
    obligations: RowIndex,
    origin: usize,
    destination: usize,
    /// Bit mask over the origin fact's domain.
    home: Bits,
    safeguards: Option<usize>,
    /// For each `require` group of each row's outcome, member indices into `safeguards`' domain.
    row_requirements: Vec<Vec<Vec<u32>>>,
    default_requirements: Vec<Vec<u32>>,
    /// For each set fact with implications (by vocabulary index): each implying member with
    /// the mask of every member it implies.
    implications: Vec<(usize, Vec<(u32, Bits)>)>,
}

fn ones(n: usize) -> Bits {
    let mut bits = vec![!0u64; n.div_ceil(64)];
    if n % 64 != 0 {
        if let Some(last) = bits.last_mut() {
            *last = (1u64 << (n % 64)) - 1;
        }
    }
    bits
}

fn clear(bits: &mut Bits, i: usize) {
    if let Some(word) = bits.get_mut(i / 64) {
        *word &= !(1u64 << (i % 64));
    }
}

fn has_bit(bits: &[u64], i: usize) -> bool {
    bits.get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0)
}

fn in_ranges(ranges: &[(Option<i64>, Option<i64>)], v: i64) -> bool {
    ranges.iter().any(|(lo, hi)| lo.is_none_or(|lo| v >= lo) && hi.is_none_or(|hi| v < hi))
}

fn member_index(domain: &[Name], name: &str) -> Option<u32> {
    domain.iter().position(|m| **m == *name).and_then(|i| u32::try_from(i).ok())
}

/// A domain's members by name, so that reading a row's cells does not scan the domain.
fn member_map(domain: &[Name]) -> HashMap<&str, usize> {
    domain.iter().enumerate().map(|(i, m)| (&**m, i)).collect()
}

/// The bitsets of one column's classes, before they go into the arena.
enum Built {
    Bool(Bits, Bits),
    Member(Vec<Bits>),
    /// One entry per set group: (its classes, word, shift, mask).
    Set(Vec<(Vec<Bits>, usize, u32, u64)>),
    Ranges(Vec<i64>, Vec<Bits>),
}

impl RowIndex {
    /// Builds the bitsets of every column, and orders the probes by how many rows their
    /// bitsets hold on average, fewest first: the search for the first match then finds a
    /// zero word after few ANDs.
    fn build(cells: &[&std::collections::BTreeMap<String, Cell>], table: &Table) -> Self {
        let count = cells.len();
        let all = ones(count);
        let stride = all.len().div_ceil(BLOCK) * BLOCK;
        let mut arena = Vec::new();
        let mut append = |classes: &[Bits]| {
            let first = arena.len();
            for bits in classes {
                arena.extend_from_slice(bits);
                arena.resize(arena.len() + stride - bits.len(), 0);
            }
            first
        };
        append(std::slice::from_ref(&all));
        let mut probes: Vec<(u64, Probe)> = Vec::new();
        let mut add = |vocab: usize, classes: &[Bits], kind: Classes| {
            let rows: u64 = classes.iter().flatten().map(|w| u64::from(w.count_ones())).sum();
            let average = rows / classes.len().max(1) as u64;
            probes.push((average, Probe { vocab, first: append(classes), classes: kind }));
        };
        for column in &table.columns {
            let Some(vocab) = table.vocabulary.iter().position(|c| c.fact == column.fact) else { continue };
            let cell = |r: usize| cells.get(r).and_then(|c| c.get(&column.fact));
            match Self::column(count, &all, column, cell) {
                Built::Bool(when_false, when_true) => add(vocab, &[when_false, when_true], Classes::Bool),
                Built::Member(by_member) => {
                    add(vocab, &by_member, Classes::Member { members: by_member.len() });
                }
                Built::Set(groups) => {
                    for (classes, word, shift, mask) in groups {
                        add(vocab, &classes, Classes::SetGroup { word, shift, mask });
                    }
                }
                Built::Ranges(bounds, segments) => add(vocab, &segments, Classes::Ranges { bounds }),
            }
        }
        probes.sort_by_key(|(average, _)| *average);
        RowIndex { stride, arena, probes: probes.into_iter().map(|(_, probe)| probe).collect() }
    }

    fn column<'a>(count: usize, all: &Bits, column: &Column, cell: impl Fn(usize) -> Option<&'a Cell>) -> Built {
        match column.ty {
            ColumnType::Bool => {
                let (mut when_false, mut when_true) = (all.clone(), all.clone());
                for r in 0..count {
                    if let Some(Cell::Bool { is }) = cell(r) {
                        clear(if *is { &mut when_false } else { &mut when_true }, r);
                    }
                }
                Built::Bool(when_false, when_true)
            }
            ColumnType::Enum => {
                let names = member_map(&column.domain);
                let mut by_member = vec![all.clone(); column.domain.len()];
                let mut admitted = vec![false; column.domain.len()];
                for r in 0..count {
                    if let Some(Cell::Enum { members }) = cell(r) {
                        admitted.iter_mut().for_each(|a| *a = false);
                        for m in members.iter().filter_map(|name| names.get(&**name)) {
                            if let Some(a) = admitted.get_mut(*m) {
                                *a = true;
                            }
                        }
                        for (bits, _) in by_member.iter_mut().zip(&admitted).filter(|(_, a)| !**a) {
                            clear(bits, r);
                        }
                    }
                }
                Built::Member(by_member)
            }
            ColumnType::Set => Built::Set(Self::set_groups(count, all, column, cell)),
            ColumnType::Count | ColumnType::Date => {
                let mut bounds: Vec<i64> = Vec::new();
                for r in 0..count {
                    if let Some(c) = cell(r) {
                        for (lo, hi) in c.ranges() {
                            bounds.extend(lo);
                            bounds.extend(hi);
                        }
                    }
                }
                bounds.sort_unstable();
                bounds.dedup();
                // Segment i is [bounds[i-1], bounds[i]); its first value stands for all of it.
                let starts: Vec<i64> = std::iter::once(i64::MIN).chain(bounds.iter().copied()).collect();
                let mut segments = vec![all.clone(); starts.len()];
                for r in 0..count {
                    if let Some(c) = cell(r) {
                        let ranges = c.ranges();
                        for (segment, &start) in segments.iter_mut().zip(&starts) {
                            if !in_ranges(&ranges, start) {
                                clear(segment, r);
                            }
                        }
                    }
                }
                Built::Ranges(bounds, segments)
            }
        }
    }

    /// A set column's groups: for every member some row tests, the rows that admit it present
    /// and absent, combined for each group of adjacent members into one bitset per combination.
    fn set_groups<'a>(
        count: usize,
        all: &Bits,
        column: &Column,
        cell: impl Fn(usize) -> Option<&'a Cell>,
    ) -> Vec<(Vec<Bits>, usize, u32, u64)> {
        let names = member_map(&column.domain);
        // For each member: (rows that admit it present, rows that admit it absent), once tested.
        let mut tested: Vec<Option<(Bits, Bits)>> = vec![None; column.domain.len()];
        for r in 0..count {
            let Some(Cell::Set { has, lacks }) = cell(r) else { continue };
            for (name, present) in has.iter().map(|n| (n, true)).chain(lacks.iter().map(|n| (n, false))) {
                let Some(slot) = names.get(&**name).and_then(|&m| tested.get_mut(m)) else { continue };
                let (present_ok, absent_ok) = slot.get_or_insert_with(|| (all.clone(), all.clone()));
                clear(if present { absent_ok } else { present_ok }, r);
            }
        }
        let words = all.len().div_ceil(BLOCK) * BLOCK;
        let group_count = |width: usize| tested.chunks(width).filter(|g| g.iter().any(Option::is_some)).count();
        let width = GROUP_WIDTHS
            .iter()
            .map(|&w| w as usize)
            .find(|&w| group_count(w) << w <= SET_COLUMN_WORDS / words.max(1))
            .unwrap_or(1);
        let mut groups = Vec::new();
        for (g, members) in tested.chunks(width).enumerate() {
            if members.iter().all(Option::is_none) {
                continue;
            }
            let combinations: Vec<Bits> = (0..1usize << width)
                .map(|c| {
                    let mut bits = all.clone();
                    for (j, member) in members.iter().enumerate() {
                        if let Some((present_ok, absent_ok)) = member {
                            let admit = if c >> j & 1 == 1 { present_ok } else { absent_ok };
                            bits.iter_mut().zip(admit).for_each(|(b, a)| *b &= a);
                        }
                    }
                    bits
                })
                .collect();
            let start = g * width;
            // `width` divides 64, so a group never straddles two words.
            groups.push((combinations, start / 64, (start % 64) as u32, (1u64 << width) - 1));
        }
        groups
    }

    /// Block `b` of the bitset at `offset`.
    fn block(&self, offset: usize, b: usize) -> Block {
        let at = offset + b * BLOCK;
        self.arena.get(at..at + BLOCK).and_then(|s| Block::try_from(s).ok()).unwrap_or([0; BLOCK])
    }

    /// The bitsets a scenario selects, one per probe, each passed to `record` with the probe's
    /// position; returns the first block of their AND, which is all a table of up to
    /// `64 * BLOCK` rows needs.
    fn select(&self, values: &[Value], mut record: impl FnMut(usize, usize)) -> Block {
        let mut first = self.block(0, 0);
        for (i, probe) in self.probes.iter().enumerate() {
            // A value of another kind (which a scenario read for this table never has) tests
            // nothing: offset 0 holds every row.
            let offset = values.get(probe.vocab).and_then(|v| probe.offset(v, self.stride)).unwrap_or(0);
            record(i, offset);
            and(&mut first, &self.block(offset, 0));
        }
        first
    }

    /// Block `b` of the AND of the chosen bitsets, stopping at the first bitset that clears it.
    /// With no probes, the one slot read holds offset 0: every row.
    fn and_block(&self, chosen: &Chosen, b: usize) -> Block {
        let mut acc = [!0u64; BLOCK];
        for part in chosen.parts(self.probes.len().max(1)) {
            for &offset in part {
                and(&mut acc, &self.block(offset, b));
                if acc.iter().fold(0, |any, w| any | w) == 0 {
                    return acc;
                }
            }
        }
        acc
    }

    fn first(&self, values: &[Value]) -> Option<usize> {
        if self.stride <= BLOCK {
            return first_row(&self.select(values, |_, _| {}), 0);
        }
        let mut chosen = Chosen::new();
        let first = self.select(values, |i, offset| chosen.set(i, offset));
        if let Some(row) = first_row(&first, 0) {
            return Some(row);
        }
        (1..self.stride / BLOCK).find_map(|b| first_row(&self.and_block(&chosen, b), b))
    }

    /// Calls `found` with every matching row, in order.
    fn each_match(&self, values: &[Value], mut found: impl FnMut(usize)) {
        if self.stride <= BLOCK {
            return each_row(&self.select(values, |_, _| {}), 0, &mut found);
        }
        let mut chosen = Chosen::new();
        let first = self.select(values, |i, offset| chosen.set(i, offset));
        each_row(&first, 0, &mut found);
        for b in 1..self.stride / BLOCK {
            each_row(&self.and_block(&chosen, b), b, &mut found);
        }
    }
}

/// Calls `found` with every row set in block `b`, in order.
fn each_row(block: &Block, b: usize, found: &mut impl FnMut(usize)) {
    for (i, &word) in block.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            found((b * BLOCK + i) * 64 + word.trailing_zeros() as usize);
            word &= word - 1;
        }
    }
}

/// `acc &= bits`, word by word.
fn and(acc: &mut Block, bits: &Block) {
    acc.iter_mut().zip(bits).for_each(|(a, b)| *a &= b);
}

/// The first row set in block `b`, if any.
fn first_row(block: &Block, b: usize) -> Option<usize> {
    let (i, word) = block.iter().enumerate().find(|(_, w)| **w != 0)?;
    Some((b * BLOCK + i) * 64 + word.trailing_zeros() as usize)
}

impl Index {
    fn build(table: &Table) -> Index {
        let row_cells: Vec<_> = table.rows.iter().map(|r| &r.cells).collect();
        let obligation_cells: Vec<_> = table.obligations.iter().map(|o| &o.cells).collect();
        let rows = RowIndex::build(&row_cells, table);
        let obligations = RowIndex::build(&obligation_cells, table);
        let position = |fact: &str| table.vocabulary.iter().position(|c| c.fact == fact);
        let origin = position(&table.scope.origin).unwrap_or(usize::MAX);
        let destination = position(&table.scope.destination).unwrap_or(usize::MAX);
        let origin_domain = table.vocabulary.get(origin).map(|c| c.domain.as_slice()).unwrap_or_default();
        let mut home = vec![0u64; origin_domain.len().div_ceil(64)];
        for name in &table.home {
            if let Some(m) = member_index(origin_domain, name) {
                if let Some(word) = home.get_mut(m as usize / 64) {
                    *word |= 1u64 << (m % 64);
                }
            }
        }
        let safeguards = position("safeguards");
        let mechanisms =
            safeguards.and_then(|s| table.vocabulary.get(s)).map(|c| c.domain.as_slice()).unwrap_or_default();
        let requirements = |outcome: &Outcome| -> Vec<Vec<u32>> {
            match outcome {
                Outcome::Require { require, .. } => require
                    .iter()
                    .map(|group| group.iter().filter_map(|m| member_index(mechanisms, m)).collect())
                    .collect(),
                _ => Vec::new(),
            }
        };
        let mut implications: Vec<(usize, Vec<(u32, Bits)>)> = Vec::new();
        for implication in &table.relations.implies {
            let Some(vocab) = position(&implication.fact) else { continue };
            let Some(domain) = table.vocabulary.get(vocab).map(|c| c.domain.as_slice()) else { continue };
            let Some(member) = member_index(domain, &implication.member) else { continue };
            let mut mask = vec![0u64; domain.len().div_ceil(64)];
            for implied in implication.implies.iter().filter_map(|m| member_index(domain, m)) {
                if let Some(word) = mask.get_mut(implied as usize / 64) {
                    *word |= 1u64 << (implied % 64);
                }
            }
            match implications.iter_mut().find(|(v, _)| *v == vocab) {
                Some((_, members)) => members.push((member, mask)),
                None => implications.push((vocab, vec![(member, mask)])),
            }
        }
        Index {
            implications,
            row_requirements: table.rows.iter().map(|r| requirements(&r.outcome)).collect(),
            default_requirements: table.default.as_ref().map(requirements).unwrap_or_default(),
            rows,
            obligations,
            origin,
            destination,
            home,
            safeguards,
        }
    }
}

impl Table {
    fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(self))
    }

    /// Closes set values under the table's implications, in place; returns what was added, as
    /// (vocabulary index, member added, a given member that implies it). The implications are
    /// closed transitively in the table, so one pass suffices, and the set can be read as it
    /// grows: a member another one added implies nothing that one did not (so it adds no bit,
    /// and what is named as implying a member is always a given one).
    pub(crate) fn close(&self, values: &mut [Value]) -> Vec<(usize, u32, u32)> {
        let mut added = Vec::new();
        for (vocab, members) in &self.index().implications {
            let Some(Value::Set(present)) = values.get_mut(*vocab) else { continue };
            for (member, mask) in members {
                if !has_bit(present, *member as usize) {
                    continue;
                }
                for (w, bits) in mask.iter().enumerate() {
                    let Some(word) = present.get_mut(w) else { continue };
                    let new = bits & !*word;
                    *word |= bits;
                    let mut rest = new;
                    while rest != 0 {
                        let bit = rest.trailing_zeros();
                        rest &= rest - 1;
                        added.push((*vocab, (w as u32) * 64 + bit, *member));
                    }
                }
            }
        }
        added
    }

    /// Decides a scenario read for this table.
    ///
    /// ```
    /// use accord::{check, compile, eval::Scenario, date::Date, source::MemoryLoader};
    ///
    /// let rules = r#"regime demo "Demo" {
    ///   home SG
    ///   rule health "Health data needs consent" cite "Demo s1" when data has health then require explicit_consent
    ///   default permit
    /// }"#;
    /// let checked = check::check_sources(vec![("demo.accord".into(), rules.into())], &mut MemoryLoader::default())?;
    /// let table = compile::compile(&checked.program, check::ir::RegimeId(0), &checked.sources).unwrap();
    /// let today = Date::parse("2026-01-01").unwrap();
    /// let scenario = Scenario::from_json(&table, r#"{"origin": "SG", "destination": "US", "data": ["health"]}"#, today).unwrap();
    /// let decision = table.evaluate(&scenario);
    /// assert_eq!(decision.verdict.as_str(), "require");
    /// assert_eq!(decision.rule.as_deref(), Some("health"));
    /// # Ok::<(), accord::InternalError>(())
    /// ```
    pub fn evaluate(&self, scenario: &Scenario) -> Decision {
        let index = self.index();
        let values = &scenario.values;
        let decided = self.decide(scenario);
        if decided.verdict == Verdict::OutOfScope {
            return Decision {
                regime: self.regime.clone(),
                verdict: Verdict::OutOfScope,
                require: Vec::new(),
                ordered: Vec::new(),
                obligations: Vec::new(),
                if_chosen: BTreeMap::new(),
                rule: None,
                cite: Vec::new(),
                satisfied: self.satisfied(scenario, Verdict::OutOfScope, &[]),
                met_by: None,
                row: None,
            };
        }
        let row = decided.row;
        let (outcome, rule, cite, requirements) = match row.and_then(|r| self.rows.get(r).map(|row| (r, row))) {
            Some((r, row)) => (
                Some(&row.outcome),
                Some(row.rule.clone()),
                row.cite.clone(),
                index.row_requirements.get(r).map(Vec::as_slice).unwrap_or_default(),
            ),
            None => (self.default.as_ref(), None, Vec::new(), index.default_requirements.as_slice()),
        };
        let mut matching: Vec<usize> = Vec::new();
        index.obligations.each_match(values, |r| matching.push(r));
        let (verdict, require, ordered) = match outcome {
            Some(Outcome::Permit) => (Verdict::Permit, Vec::new(), Vec::new()),
            Some(Outcome::Prohibit) => (Verdict::Prohibit, Vec::new(), Vec::new()),
            Some(Outcome::Require { require, ordered }) => (Verdict::Require, require.clone(), ordered.clone()),
            None => (Verdict::Undecided, Vec::new(), Vec::new()),
        };
        let satisfied = self.satisfied(scenario, verdict, requirements);
        let met = row.and_then(|r| self.rows.get(r)).and_then(|row| row.met.as_ref());
        let (verdict, require, met_by) = match (met, satisfied) {
            (Some(met), _) => (
                verdict,
                require,
                Some(MetBy {
                    mechanisms: met.by.clone(),
                    require: met.require.clone(),
                    ordered: met.ordered.clone(),
                    through: MetThrough::Facts,
                }),
            ),
            // The safeguards in place meet every group: the transfer may go ahead.
            (None, Some(true)) if verdict == Verdict::Require => {
                let mechanisms = self.meeting_safeguards(scenario, &require, requirements);
                let met = MetBy { mechanisms, require, ordered: ordered.clone(), through: MetThrough::Safeguards };
                (Verdict::Permit, Vec::new(), Some(met))
            }
            _ => (verdict, require, None),
        };
        let ordered = if require.is_empty() { Vec::new() } else { ordered };
        let (obligations, if_chosen) = self.obligations_of(&matching, &require, met_by.as_ref());
        Decision {
            regime: self.regime.clone(),
            verdict,
            require,
            ordered,
            obligations,
            if_chosen,
            rule,
            cite,
            satisfied,
            met_by,
            row,
        }
    }

    /// The obligations of the table's own verdict `decided` for `scenario` (as
    /// [`Table::decide`] gives it: `safeguards` in place meet nothing here), as
    /// [`Decision::obligations`] and [`Decision::if_chosen`] hold them.
    pub fn duties(&self, scenario: &Scenario, decided: Decided) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
        if decided.verdict == Verdict::OutOfScope {
            return (Vec::new(), BTreeMap::new());
        }
        let mut matching: Vec<usize> = Vec::new();
        self.index().obligations.each_match(&scenario.values, |r| matching.push(r));
        let row = decided.row.and_then(|r| self.rows.get(r));
        let outcome = row.map_or(self.default.as_ref(), |row| Some(&row.outcome));
        let require: &[Vec<String>] = match outcome {
            Some(Outcome::Require { require, .. }) => require,
            _ => &[],
        };
        let met = row.and_then(|row| row.met.as_ref()).map(|met| MetBy {
            mechanisms: met.by.clone(),
            require: met.require.clone(),
            ordered: met.ordered.clone(),
            through: MetThrough::Facts,
        });
        self.obligations_of(&matching, require, met.as_ref())
    }

    /// The obligations of the rows `matching` (ascending): each once, in the table's order,
    /// and, apart, those `upon` an alternative of `require` by that alternative. An obligation
    /// `upon` mechanisms comes only where one of them met the requirement or is one of the
    /// alternatives still to choose: never for a transfer that needs no mechanism.
    fn obligations_of(
        &self,
        matching: &[usize],
        require: &[Vec<String>],
        met_by: Option<&MetBy>,
    ) -> (Vec<String>, BTreeMap<String, Vec<String>>) {
        let mut obligations: Vec<String> = Vec::new();
        let mut if_chosen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let met: &[String] = met_by.map(|m| m.mechanisms.as_slice()).unwrap_or_default();
        for row in matching.iter().filter_map(|&r| self.obligations.get(r)) {
            if row.upon.is_empty() || row.upon.iter().any(|m| met.contains(m)) {
                if !obligations.contains(&row.obligation) {
                    obligations.push(row.obligation.clone());
                }
                continue;
            }
            for m in row.upon.iter().filter(|m| require.iter().any(|g| g.contains(m))) {
                let chosen = if_chosen.entry(m.clone()).or_default();
                if !chosen.contains(&row.obligation) {
                    chosen.push(row.obligation.clone());
                }
            }
        }
        // What comes in any case need not be listed again under a choice.
        for chosen in if_chosen.values_mut() {
            chosen.retain(|o| !obligations.contains(o));
        }
        if_chosen.retain(|_, chosen| !chosen.is_empty());
        (obligations, if_chosen)
    }

    /// The mechanisms the scenario lists in `safeguards`, as a bit mask over their domain.
    fn safeguards_present<'s>(&self, scenario: &'s Scenario) -> Option<&'s [u64]> {
        self.index().safeguards.and_then(|s| match scenario.values.get(s) {
            Some(Value::Set(present)) => Some(present.as_slice()),
            _ => None,
        })
    }

    /// For each `require` group, the first of its alternatives the scenario's safeguards hold.
    fn meeting_safeguards(
        &self,
        scenario: &Scenario,
        groups: &[Vec<String>],
        requirements: &[Vec<u32>],
    ) -> Vec<String> {
        let present = self.safeguards_present(scenario);
        groups
            .iter()
            .zip(requirements)
            .filter_map(|(names, indices)| {
                let first = indices.iter().position(|&m| present.is_some_and(|p| has_bit(p, m as usize)))?;
                names.get(first).cloned()
            })
            .collect()
    }

    /// The verdict and the deciding row only: no obligations, no strings, no allocation. This
    /// is the hot path of [`Table::evaluate`], for callers that decide millions of scenarios.
    /// It is the table's verdict, what the law requires: a `require` that the scenario's
    /// `safeguards` meet is still `require` here, and `permit` in [`Table::evaluate`].
    pub fn decide(&self, scenario: &Scenario) -> Decided {
        let index = self.index();
        let values = &scenario.values;
        let member = |i: usize| match values.get(i) {
            Some(Value::Member(m)) => Some(*m as usize),
            _ => None,
        };
        let in_home = |m: Option<usize>| m.is_some_and(|m| has_bit(&index.home, m));
        if !in_home(member(index.origin)) || in_home(member(index.destination)) {
            return Decided { verdict: Verdict::OutOfScope, row: None };
        }
        let row = index.rows.first(values);
        let outcome = match row {
            Some(r) => self.rows.get(r).map(|row| &row.outcome),
            None => self.default.as_ref(),
        };
        let verdict = match outcome {
            Some(Outcome::Permit) => Verdict::Permit,
            Some(Outcome::Prohibit) => Verdict::Prohibit,
            Some(Outcome::Require { .. }) => Verdict::Require,
            None => Verdict::Undecided,
        };
        Decided { verdict, row }
    }

    /// When the scenario gives `safeguards` (even an empty list): whether they meet every
    /// requirement. Nothing is required of a permitted or out-of-scope transfer; nothing makes
    /// a prohibited or undecided one allowed.
    fn satisfied(&self, scenario: &Scenario, verdict: Verdict, requirements: &[Vec<u32>]) -> Option<bool> {
        if !scenario.safeguards_given {
            return None;
        }
        let present = self.safeguards_present(scenario);
        Some(match verdict {
            Verdict::Permit | Verdict::OutOfScope => true,
            Verdict::Prohibit | Verdict::Undecided => false,
            Verdict::Require => {
                requirements.iter().all(|group| group.iter().any(|&m| present.is_some_and(|p| has_bit(p, m as usize))))
            }
        })
    }

    /// Decides a scenario and explains it: for every rule before the deciding one, the facts
    /// that ruled it out. When one fact excludes every case of a rule, that fact is named;
    /// otherwise the first excluding fact of each case.
    pub fn explain(&self, scenario: &Scenario) -> Explained {
        let decision = self.evaluate(scenario);
        let mut ruled_out: Vec<RuledOut> = Vec::new();
        if decision.verdict != Verdict::OutOfScope {
            let end = decision.row.unwrap_or(self.rows.len());
            let decider = decision.row.and_then(|r| self.rows.get(r)).map(|r| r.rule.as_str());
            // Rows of one rule are adjacent; collect each row's excluding facts, per rule.
            let mut per_rule: Vec<(&crate::table::Row, Vec<Vec<String>>)> = Vec::new();
            for row in self.rows.iter().take(end) {
                if Some(row.rule.as_str()) == decider {
                    continue;
                }
                let excluding = self.excluding(row, &scenario.values);
                match per_rule.last_mut() {
                    Some((first, rows)) if first.rule == row.rule => rows.push(excluding),
                    _ => per_rule.push((row, vec![excluding])),
                }
            }
            for (row, rows) in per_rule {
                let common: Vec<String> = rows
                    .first()
                    .map(|f| f.iter().filter(|fact| rows.iter().all(|r| r.contains(fact))).cloned().collect())
                    .unwrap_or_default();
                let facts = if common.is_empty() {
                    let mut firsts: Vec<String> = Vec::new();
                    for fact in rows.iter().filter_map(|r| r.first()) {
                        if !firsts.contains(fact) {
                            firsts.push(fact.clone());
                        }
                    }
                    firsts
                } else {
                    common
                };
                ruled_out.push(RuledOut {
                    rule: row.rule.clone(),
                    title: row.title.clone(),
                    cite: row.cite.clone(),
                    facts,
                });
            }
        }
        let implied = scenario
            .implied
            .iter()
            .filter_map(|&(vocab, member, because)| {
                let column = self.vocabulary.get(vocab)?;
                let name = |m: u32| column.domain.get(m as usize).map(|n| n.to_string());
                Some(Implied { fact: column.fact.clone(), member: name(member)?, because: name(because)? })
            })
            .collect();
        let established = |names: &mut dyn Iterator<Item = &String>| -> Vec<Established> {
            let mut out: Vec<Established> = Vec::new();
            for name in names {
                let Some(e) = self.relations.established.iter().find(|e| e.mechanism == *name) else { continue };
                if !out.iter().any(|o| o.mechanism == e.mechanism) {
                    out.push(e.clone());
                }
            }
            out
        };
        let established_by = match &decision.met_by {
            Some(MetBy { mechanisms, through: MetThrough::Facts, .. }) => established(&mut mechanisms.iter()),
            _ => Vec::new(),
        };
        let could_be_met_by = established(&mut decision.require.iter().flatten());
        Explained { decision, ruled_out, implied, established_by, could_be_met_by }
    }

    /// The columns (in column order) whose cell in `row` excludes the scenario's value.
    fn excluding(&self, row: &crate::table::Row, values: &[Value]) -> Vec<String> {
        let mut facts = Vec::new();
        for column in &self.columns {
            let Some(cell) = row.cells.get(&column.fact) else { continue };
            let Some(vocab) = self.vocabulary.iter().position(|c| c.fact == column.fact) else { continue };
            let Some(value) = values.get(vocab) else { continue };
            if !admits(cell, &column.domain, value) {
                facts.push(column.fact.clone());
            }
        }
        facts
    }
}

/// Whether a cell admits a value (the slow, direct reading, for explanations).
fn admits(cell: &Cell, domain: &[Name], value: &Value) -> bool {
    match (cell, value) {
        (Cell::Bool { is }, Value::Bool(b)) => is == b,
        (Cell::Enum { members }, Value::Member(m)) => {
            domain.get(*m as usize).is_some_and(|name| members.contains(name))
        }
        (Cell::Set { has, lacks }, Value::Set(present)) => {
            let holds = |name: &Name| member_index(domain, name).is_some_and(|m| has_bit(present, m as usize));
            has.iter().all(holds) && !lacks.iter().any(holds)
        }
        (Cell::Counts { .. } | Cell::Dates { .. }, Value::Count(v) | Value::Date(v)) => in_ranges(&cell.ranges(), *v),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{check_sources, ir::RegimeId};
    use crate::date::Date;
    use crate::source::MemoryLoader;

    fn compile(text: &str) -> Table {
        let checked = check_sources(vec![("t.accord".into(), text.into())], &mut MemoryLoader::default()).unwrap();
        assert!(!checked.has_errors(), "{:#?}", checked.diagnostics);
        crate::compile::compile(&checked.program, RegimeId(0), &checked.sources).unwrap()
    }

    /// The first row whose every cell admits the scenario, read directly from the cells.
    fn first_row_directly(table: &Table, values: &[Value]) -> Option<usize> {
        table.rows.iter().position(|row| {
            row.cells.iter().all(|(fact, cell)| {
                let vocab = table.vocabulary.iter().position(|c| &c.fact == fact).unwrap();
                admits(cell, &table.vocabulary[vocab].domain, &values[vocab])
            })
        })
    }

    /// A table of several blocks of rows and more probes than `Chosen` keeps on the stack
    /// decides as the cells say.
    #[test]
    fn a_large_table_decides_as_its_cells_say() {
        let vocabulary = compile("regime v \"V\" {\n home CN\n default permit\n}\n").vocabulary;
        let names = |ty: ColumnType| -> Vec<&Column> { vocabulary.iter().filter(|c| c.ty == ty).collect() };
        let sets: Vec<&Column> = names(ColumnType::Set).into_iter().filter(|c| c.fact != "safeguards").collect();
        let (counts, bools) = (names(ColumnType::Count), names(ColumnType::Bool));
        let mut text = String::from("regime big \"Big\" {\n home CN\n");
        for i in 0..600 {
            let set = sets[i % sets.len()];
            let member = &set.domain[(i * 7) % set.domain.len()];
            let count = &counts[i % counts.len()].fact;
            let second = &set.domain[(i * 13 + 3) % set.domain.len()];
            let mut condition =
                format!("{} has all {{{member}, {second}}} and {count} >= {}", set.fact, 1000 * (i % 4));
            if i % 3 == 0 {
                let other = &set.domain[(i * 11 + 1) % set.domain.len()];
                condition.push_str(&format!(" and not ({} has {other})", set.fact));
            }
            if i % 5 == 0 {
                condition.push_str(&format!(" and not {}", bools[i % bools.len()].fact));
            }
            if i % 4 == 0 {
                condition.push_str(" and destination != JP");
            }
            let verdict = if i % 2 == 0 { "permit" } else { "prohibit" };
            let effective = if i % 7 == 0 { " effective 2024-01-01.." } else { "" };
            text.push_str(&format!(" rule r{i} \"R\" cite \"C\"{effective} when {condition} then {verdict}\n"));
        }
        text.push_str(" default permit\n}\n");
        let table = compile(&text);
        let index = table.index();
        assert!(
            index.rows.stride > BLOCK && index.rows.probes.len() > INLINE,
            "{} words, {} probes",
            index.rows.stride,
            index.rows.probes.len()
        );
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let today = Date::parse("2025-06-01").unwrap();
        let mut later = 0;
        for _ in 0..400 {
            let destination = if next(2) == 0 { "JP" } else { "US" };
            let date = if next(2) == 0 { "2023-06-01" } else { "2024-06-01" };
            let mut scenario = serde_json::json!({"origin": "CN", "destination": destination, "date": date});
            for set in &sets {
                let present: Vec<&Name> = set.domain.iter().filter(|_| next(8) == 0).collect();
                scenario[&set.fact] = serde_json::json!(present);
            }
            for count in &counts {
                scenario[&count.fact] = serde_json::json!(500 * next(9));
            }
            for b in &bools {
                scenario[&b.fact] = serde_json::json!(next(2) == 0);
            }
            let scenario = Scenario::from_value(&table, &scenario, today).unwrap();
            let expected = first_row_directly(&table, &scenario.values);
            later += usize::from(expected.is_none_or(|r| r >= 64 * BLOCK));
            assert_eq!(table.decide(&scenario).row, expected);
        }
        assert!(later > 40, "too few scenarios reach the later blocks: {later}");
    }
}
