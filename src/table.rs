//! The compiled artifact: a regime as a decision table (format `accord.table/1`).
//!
//! This is Accord's interface to other tools, so it is its own serde type, separate from the
//! checker's tree, versioned by [`FORMAT`], described by `schema/accord.table.schema.json`, and
//! strict when read (`deny_unknown_fields`). Rows are boxes: each constrains some columns (a
//! column it does not mention admits every value), and a rule whose condition has `or` or
//! `not` becomes several adjacent rows with the same rule id.

use serde::{Deserialize, Serialize};
use serde_json::ser::Formatter;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io;
use std::sync::{Arc, OnceLock};

/// A member's name in a domain or a cell. Shared, not copied: a table names each member in
/// its column's domain, and the cells cut from it (rows, and the regions of a diff, which may
/// list hundreds of members each) point at the same text.
pub type Name = Arc<str>;

/// The format id this version of Accord writes and reads.
pub const FORMAT: &str = "accord.table/1";

/// A regime compiled into a decision table.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Always [`FORMAT`].
    pub format: String,
    /// The regime's id (`cn`, `eu`, …).
    pub regime: String,
    /// Its title.
    pub title: String,
    /// Jurisdictions whose outbound transfers it governs.
    pub home: Vec<String>,
    /// The official source, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `sha256:` of the table's content: this document with `hash` empty and every source
    /// `location` blanked (`file` empty, `line` and `column` 0), so that layout, comments and
    /// the file's name do not change it.
    pub hash: String,
    /// Which facts decide whether a transfer is in scope at all.
    pub scope: Scope,
    /// The facts the rows test, in vocabulary order.
    pub columns: Vec<Column>,
    /// Every fact a scenario may give (tested or not), for reading scenarios.
    pub vocabulary: Vec<Column>,
    /// Verdict rows in priority order: the first row that matches decides.
    pub rows: Vec<Row>,
    /// Obligation rows: every row that matches adds its obligation.
    pub obligations: Vec<ObligationRow>,
    /// The verdict when no row matches; `None` leaves a gap (which `accord check` reports).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Outcome>,
    /// The vocabulary's relations, as far as they bear on this table.
    #[serde(default, skip_serializing_if = "Relations::is_empty")]
    pub relations: Relations,
    /// How common each value of a fact is among transfers (`weigh`), for the facts that
    /// declare it: the measure comparisons report shares in. A fact not listed is weighed by
    /// the fallback `docs/weights.md` describes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weights: Vec<Weight>,
    /// The evaluator's index, built on first use.
    #[serde(skip)]
    pub(crate) index: OnceLock<crate::eval::Index>,
}

/// How scope is decided: a transfer is in scope when `origin` is in `home` and `destination`
/// is not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// The fact holding where the exporter sends from.
    pub origin: String,
    /// The fact holding where the recipient is.
    pub destination: String,
}

/// A fact and the values it can take.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The fact's name (its key in scenarios).
    pub fact: String,
    /// Its type.
    #[serde(rename = "type")]
    pub ty: ColumnType,
    /// For `enum` and `set` columns, the members, in declaration order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub domain: Vec<Name>,
}

/// A column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    /// `true` or `false`.
    Bool,
    /// A non-negative integer.
    Count,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// One member of `domain`.
    Enum,
    /// Any subset of `domain`.
    Set,
}

/// What one row admits in one column.
///
/// Written as an object with one kind of key (`is`, `in`, `has`/`lacks`, `counts`, `dates`);
/// read strictly: an unknown key, a mix of kinds or no kind at all is an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged, try_from = "RawCell")]
pub enum Cell {
    /// A bool column equals `is`.
    Bool {
        /// The value admitted.
        is: bool,
    },
    /// An enum column is one of `in`.
    Enum {
        /// Members admitted, in domain order.
        #[serde(rename = "in")]
        members: Vec<Name>,
    },
    /// A set column holds every member of `has` and none of `lacks`.
    Set {
        /// Members that must be present.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        has: Vec<Name>,
        /// Members that must be absent.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        lacks: Vec<Name>,
    },
    /// A count column lies in one of `counts`.
    Counts {
        /// Sorted, disjoint, half-open ranges.
        counts: Vec<CountRange>,
    },
    /// A date column lies in one of `dates`.
    Dates {
        /// Sorted, disjoint, half-open ranges.
        dates: Vec<DateRange>,
    },
}

/// Any cell's keys, read before deciding which kind of cell it is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCell {
    is: Option<bool>,
    #[serde(rename = "in")]
    members: Option<Vec<Name>>,
    has: Option<Vec<Name>>,
    lacks: Option<Vec<Name>>,
    counts: Option<Vec<CountRange>>,
    dates: Option<Vec<DateRange>>,
}

impl TryFrom<RawCell> for Cell {
    type Error = String;

    fn try_from(raw: RawCell) -> Result<Cell, String> {
        let set = raw.has.is_some() || raw.lacks.is_some();
        let kinds = [raw.is.is_some(), raw.members.is_some(), set, raw.counts.is_some(), raw.dates.is_some()];
        if kinds.iter().filter(|k| **k).count() != 1 {
            return Err("a cell has exactly one kind of key: `is`, `in`, `has`/`lacks`, `counts` or `dates`".into());
        }
        Ok(match raw {
            RawCell { is: Some(is), .. } => Cell::Bool { is },
            RawCell { members: Some(members), .. } => Cell::Enum { members },
            RawCell { counts: Some(counts), .. } => Cell::Counts { counts },
            RawCell { dates: Some(dates), .. } => Cell::Dates { dates },
            RawCell { has, lacks, .. } => Cell::Set { has: has.unwrap_or_default(), lacks: lacks.unwrap_or_default() },
        })
    }
}

/// `[from, until)` over counts; `until: null` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountRange {
    /// Inclusive.
    pub from: i64,
    /// Exclusive; `None` for no upper bound.
    pub until: Option<i64>,
}

/// `[from, until)` over dates (`YYYY-MM-DD`); a `null` end is unbounded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// Inclusive; `None` for no lower bound.
    pub from: Option<String>,
    /// Exclusive; `None` for no upper bound.
    pub until: Option<String>,
}

/// What a row or default decides; read strictly (see [`Cell`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case", try_from = "RawOutcome")]
pub enum Outcome {
    /// No transfer mechanism needed.
    Permit,
    /// Not allowed.
    Prohibit,
    /// Allowed once each group has one of its mechanisms in place.
    Require {
        /// Groups of alternative mechanisms; every group must be met.
        require: Vec<Vec<String>>,
        /// The indices (ascending) of the groups that are a cascade (`a, else b`): each
        /// alternative may be relied on only where those before it cannot be.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        ordered: Vec<usize>,
    },
}

impl Outcome {
    /// The outcome as written in rule files: `permit`, `require a or b and require c`.
    pub fn written(&self) -> String {
        match self {
            Outcome::Permit => "permit".to_owned(),
            Outcome::Prohibit => "prohibit".to_owned(),
            Outcome::Require { require, ordered } => require_groups(require, ordered),
        }
    }
}

/// `require a or b and require c, else d`: the groups with the indices of cascades.
pub fn require_groups(groups: &[Vec<String>], ordered: &[usize]) -> String {
    groups
        .iter()
        .enumerate()
        .map(|(i, g)| format!("require {}", g.join(if ordered.contains(&i) { ", else " } else { " or " })))
        .collect::<Vec<_>>()
        .join(" and ")
}

/// An outcome's keys, read before deciding which outcome it is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcome {
    verdict: String,
    require: Option<Vec<Vec<String>>>,
    #[serde(default)]
    ordered: Vec<usize>,
}

impl TryFrom<RawOutcome> for Outcome {
    type Error = String;

    fn try_from(raw: RawOutcome) -> Result<Outcome, String> {
        let ordered = raw.ordered;
        match (raw.verdict.as_str(), raw.require) {
            ("permit" | "prohibit", _) if !ordered.is_empty() => Err(format!("`{}` takes no `ordered`", raw.verdict)),
            ("permit", None) => Ok(Outcome::Permit),
            ("prohibit", None) => Ok(Outcome::Prohibit),
            ("require", Some(require))
                if !ordered.windows(2).all(|w| w.first() < w.get(1))
                    || ordered.iter().any(|&i| require.get(i).is_none_or(|g| g.len() < 2)) =>
            {
                Err("`ordered` lists indices of `require` groups of two or more, ascending, each once".into())
            }
            ("require", Some(require)) if !require.is_empty() && require.iter().all(|g| !g.is_empty()) => {
                Ok(Outcome::Require { require, ordered })
            }
            ("require", _) => Err("`require` needs a non-empty list of non-empty groups".into()),
            (verdict @ ("permit" | "prohibit"), Some(_)) => Err(format!("`{verdict}` takes no `require`")),
            (other, _) => Err(format!("unknown verdict `{other}`")),
        }
    }
}

/// Where a row's rule is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// The file, as Accord names it (`<stdlib>/…` for built-in regimes).
    pub file: String,
    /// One-based line.
    pub line: usize,
    /// One-based column.
    pub column: usize,
}

/// One verdict row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Row {
    /// The rule it comes from.
    pub rule: String,
    /// The rule's title.
    pub title: String,
    /// The rule's citations.
    pub cite: Vec<String>,
    /// Where the rule is written.
    pub location: Location,
    /// Cells by fact name; a column not named admits every value.
    pub cells: BTreeMap<String, Cell>,
    /// What the row decides.
    pub outcome: Outcome,
    /// For a `permit` because facts establish the rule's required mechanisms: what was met.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub met: Option<Met>,
}

impl Row {
    /// What the row decides, in words: its rule's outcome, or `permit` with what the facts met.
    pub fn written_outcome(&self) -> String {
        match &self.met {
            Some(met) => {
                format!("permit: {} met by {}", require_groups(&met.require, &met.ordered), met.by.join(" and "))
            }
            None => self.outcome.written(),
        }
    }
}

/// A requirement that facts met: the rule required `require`, and the facts establish `by`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Met {
    /// The rule's `require` groups, as written.
    pub require: Vec<Vec<String>>,
    /// The indices of its groups that are a cascade (see [`Outcome::Require`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ordered: Vec<usize>,
    /// For each group, the mechanism the facts establish.
    pub by: Vec<String>,
}

/// How common each value of one fact is among transfers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weight {
    /// The fact.
    pub fact: String,
    /// What the weights say.
    pub title: String,
    /// Their source, or `[interp]` with the reason.
    pub cite: Vec<String>,
    /// The weights themselves.
    pub shares: Shares,
}

/// A fact's weights, by its type. Every share is between 0 and 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Shares {
    /// An enum fact: each member's share of transfers; `others` is the share of the members
    /// not listed, together, spread evenly over them. They add up to 1.
    Members {
        /// Listed members.
        members: BTreeMap<String, f64>,
        /// The unlisted members' share, together.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        others: Option<f64>,
    },
    /// A set fact: how often each member is present, each independently of the others;
    /// `others` for each member not listed.
    Presence {
        /// Listed members.
        members: BTreeMap<String, f64>,
        /// Each unlisted member's.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        others: Option<f64>,
    },
    /// A bool fact: how often it is true.
    Bool {
        /// The share of transfers where it holds.
        true_share: f64,
    },
    /// A count fact: disjoint bands with their shares (adding up to 1), each spread evenly
    /// over its counts; a count in no band weighs nothing.
    Counts {
        /// The bands.
        bands: Vec<CountBand>,
    },
    /// A date fact: likewise, over days.
    Dates {
        /// The bands.
        bands: Vec<DateBand>,
    },
}

/// Counts `from <= n < until`, and their share.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CountBand {
    /// Inclusive.
    pub from: i64,
    /// Exclusive.
    pub until: i64,
    /// The share of transfers with a count in the band.
    pub share: f64,
}

/// Dates `from <= d < until` (YYYY-MM-DD), and their share.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateBand {
    /// Inclusive.
    pub from: String,
    /// Exclusive.
    pub until: String,
    /// The share of transfers dated in the band.
    pub share: f64,
}

/// The relations of the shared vocabulary (the design, §4) that a table's meaning uses.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relations {
    /// For set facts: members that imply others. Scenarios are closed under these before they
    /// are decided, and analyses range only over closed (consistent) points.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implies: Vec<Implication>,
    /// Mechanisms the rows require that facts can establish (the rows already say where).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub established: Vec<Established>,
    /// Families the table's mechanisms belong to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub families: Vec<Family>,
    /// Pairs of mechanisms, one of them the table's, where requiring the first is the heavier
    /// burden (declared orders, closed transitively).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stronger: Vec<Stronger>,
}

impl Relations {
    /// Whether there is nothing to say.
    pub fn is_empty(&self) -> bool {
        self.implies.is_empty() && self.established.is_empty() && self.families.is_empty() && self.stronger.is_empty()
    }
}

/// In set fact `fact`, a scenario holding `member` holds every member of `implies` too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Implication {
    /// The set fact.
    pub fact: String,
    /// The implying member.
    pub member: Name,
    /// Every member it implies, directly or through others, in domain order.
    pub implies: Vec<Name>,
}

/// A mechanism that facts can establish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Established {
    /// The mechanism.
    pub mechanism: String,
    /// The declarations' titles.
    pub title: String,
    /// Their citations.
    pub cite: Vec<String>,
    /// The facts their conditions test.
    pub facts: Vec<String>,
}

/// Mechanisms of one kind: not an equivalence, only a kinship a report can name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Family {
    /// The family's id.
    pub family: String,
    /// Its title.
    pub title: String,
    /// Its members among the table's mechanisms.
    pub members: Vec<String>,
}

/// Requiring `stronger` is a heavier burden than requiring `weaker`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stronger {
    /// The heavier mechanism.
    pub stronger: String,
    /// The lighter one.
    pub weaker: String,
    /// The `strength` declarations the pair follows from, in order along the chain.
    pub orders: Vec<String>,
    /// Their citations.
    pub cite: Vec<String>,
}

/// One obligation row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationRow {
    /// The obligation added (a member of `Obligation`), which is also the rule's id.
    pub obligation: String,
    /// The `oblige` declaration's title.
    pub title: String,
    /// Its citations.
    pub cite: Vec<String>,
    /// Where it is written.
    pub location: Location,
    /// The mechanisms relying on which brings the obligation (`upon`): it applies only where
    /// the transfer relies on one of them for a requirement. Empty: whatever it relies on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub upon: Vec<String>,
    /// Cells by fact name.
    pub cells: BTreeMap<String, Cell>,
}

/// The fact a transfer's date is held in.
pub const DATE: &str = "date";

/// A row's cells read on one transfer date: `None` when its `date` cell excludes the day,
/// else the cells without that cell (the one rule of a pinned reading, for tables and
/// comparisons alike).
pub fn on_date(
    cells: Cow<'_, BTreeMap<String, Cell>>,
    date: crate::date::Date,
) -> Option<Cow<'_, BTreeMap<String, Cell>>> {
    let Some(cell) = cells.get(DATE) else { return Some(cells) };
    let day = date.days();
    if !cell.ranges().iter().any(|&(lo, hi)| lo.is_none_or(|lo| day >= lo) && hi.is_none_or(|hi| day < hi)) {
        return None;
    }
    let mut cells = cells;
    cells.to_mut().remove(DATE);
    Some(cells)
}

/// Whether `cell` is of `column`'s kind, with members of its domain and dates that are days.
fn cell_fits(cell: &Cell, column: &Column) -> Result<(), String> {
    let member = |m: &Name| {
        if column.domain.iter().any(|d| d == m) { Ok(()) } else { Err(format!("`{m}` is not in the domain")) }
    };
    let day = |d: &Option<String>| match d {
        Some(text) if crate::date::Date::parse(text).is_none() => Err(format!("`{text}` is not a date")),
        _ => Ok(()),
    };
    match (cell, column.ty) {
        (Cell::Bool { .. }, ColumnType::Bool) | (Cell::Counts { .. }, ColumnType::Count) => Ok(()),
        (Cell::Enum { members }, ColumnType::Enum) => members.iter().try_for_each(member),
        (Cell::Set { has, lacks }, ColumnType::Set) => has.iter().chain(lacks).try_for_each(member),
        (Cell::Dates { dates }, ColumnType::Date) => dates.iter().try_for_each(|r| day(&r.from).and(day(&r.until))),
        (_, ty) => Err(format!("not a cell of a {ty:?} column").to_lowercase()),
    }
}

impl Cell {
    /// A count or date cell's ranges as `[lo, hi)` pairs (dates as day numbers), `None` for an
    /// open end; empty for other cells.
    pub fn ranges(&self) -> Vec<(Option<i64>, Option<i64>)> {
        let day = |t: &Option<String>| t.as_deref().and_then(crate::date::Date::parse).map(crate::date::Date::days);
        match self {
            Cell::Counts { counts } => counts.iter().map(|r| (Some(r.from), r.until)).collect(),
            Cell::Dates { dates } => dates.iter().map(|r| (day(&r.from), day(&r.until))).collect(),
            _ => Vec::new(),
        }
    }
}

impl Table {
    /// The table as pretty JSON; byte-for-byte the same for the same regime.
    pub fn to_json(&self) -> String {
        #[expect(clippy::expect_used, reason = "a table's maps are keyed by strings, so it always serializes")]
        serde_json::to_string_pretty(self).expect("a table serializes")
    }

    /// Writes the text of [`Table::to_json`] to `out` as it is produced, without building the
    /// string (the compiler hashes a table this way).
    pub(crate) fn write_json<W: io::Write>(&self, out: W) -> io::Result<()> {
        let mut serializer = serde_json::Serializer::with_formatter(out, Pretty::default());
        self.serialize(&mut serializer).map_err(io::Error::from)
    }

    /// Reads a table written by [`Table::to_json`], refusing other formats.
    pub fn from_json(text: &str) -> Result<Table, String> {
        let table: Table = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if table.format != FORMAT {
            return Err(format!("format `{}` is not `{FORMAT}`", table.format));
        }
        table.validate()?;
        Ok(table)
    }

    /// Checks what the evaluator and the analyses rely on and the type cannot say: the scope's
    /// facts are enum columns of the vocabulary, the home is in their domain, and every cell
    /// names a column of its kind, with members of its domain and dates that are days. A table
    /// read from JSON is refused with the first breach; one the compiler made that breaks
    /// them is a bug.
    pub fn validate(&self) -> Result<(), String> {
        for fact in [&self.scope.origin, &self.scope.destination] {
            match self.fact(fact) {
                Some(c) if c.ty == ColumnType::Enum => {}
                _ => return Err(format!("the scope's fact `{fact}` is not an enum column of the vocabulary")),
            }
        }
        if let Some(origin) = self.fact(&self.scope.origin)
            && let Some(h) = self.home.iter().find(|h| !origin.domain.iter().any(|m| **m == ***h))
        {
            return Err(format!("home member `{h}` is not in the domain of `{}`", self.scope.origin));
        }
        let rows = self.rows.iter().map(|r| (r.rule.as_str(), &r.cells));
        let obligations = self.obligations.iter().map(|o| (o.obligation.as_str(), &o.cells));
        for (name, cells) in rows.chain(obligations) {
            for (fact, cell) in cells {
                let column = self
                    .fact(fact)
                    .ok_or_else(|| format!("row `{name}` has a cell for `{fact}`, which is not in the vocabulary"))?;
                cell_fits(cell, column).map_err(|why| format!("row `{name}`, cell `{fact}`: {why}"))?;
            }
        }
        Ok(())
    }

    /// The table read on one transfer date only (what `cn@2024-06-01` names): rows whose
    /// `date` cell excludes the day are dropped, and the others lose that cell, so a scenario's
    /// own date no longer matters. The hash stays the original table's.
    pub fn on(&self, date: crate::date::Date) -> Table {
        let keep = |cells: &mut BTreeMap<String, Cell>| match on_date(std::borrow::Cow::Borrowed(cells), date) {
            Some(std::borrow::Cow::Owned(pinned)) => {
                *cells = pinned;
                true
            }
            Some(std::borrow::Cow::Borrowed(_)) => true,
            None => false,
        };
        let mut table = self.clone();
        table.index = OnceLock::new();
        table.rows.retain_mut(|r| keep(&mut r.cells));
        table.obligations.retain_mut(|o| keep(&mut o.cells));
        table.columns.retain(|c| c.fact != DATE);
        table
    }

    /// The column describing `fact` in the vocabulary.
    pub fn fact(&self, fact: &str) -> Option<&Column> {
        self.vocabulary.iter().find(|c| c.fact == fact)
    }
}

/// `serde_json`'s pretty layout (two spaces a level), byte for byte, but writing a line break
/// and its indentation in one call rather than one call a level: tables nest values six deep,
/// so most of the small writes a pretty document costs are indentation.
#[derive(Default)]
struct Pretty {
    /// How many levels deep the next value is.
    level: usize,
    /// Whether the innermost open array or object has a value yet.
    has_value: bool,
}

/// A comma, a line break, then enough spaces for most documents.
const BREAK: &[u8; 66] = b",\n                                                                ";

/// Writes `,` (unless `first`), a line break and the indentation for `level`.
fn line_break<W: ?Sized + io::Write>(out: &mut W, first: bool, level: usize) -> io::Result<()> {
    let start = usize::from(first);
    match BREAK.get(start..2 + 2 * level) {
        Some(text) => out.write_all(text),
        None => {
            out.write_all(BREAK.get(start..2).unwrap_or_default())?;
            (0..level).try_for_each(|_| out.write_all(b"  "))
        }
    }
}

impl Formatter for Pretty {
    fn begin_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"[")
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            line_break(out, true, self.level)?;
        }
        out.write_all(b"]")
    }

    fn begin_array_value<W: ?Sized + io::Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        line_break(out, first, self.level)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(b"{")
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            line_break(out, true, self.level)?;
        }
        out.write_all(b"}")
    }

    fn begin_object_key<W: ?Sized + io::Write>(&mut self, out: &mut W, first: bool) -> io::Result<()> {
        line_break(out, first, self.level)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, out: &mut W) -> io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _out: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Equal when they say the same, field by field (the evaluator's index is left out: it is
/// built from the rest).
impl PartialEq for Table {
    fn eq(&self, other: &Self) -> bool {
        let Table {
            format,
            regime,
            title,
            home,
            source,
            hash,
            scope,
            columns,
            vocabulary,
            rows,
            obligations,
            default,
            relations,
            weights,
            index: _,
        } = self;
        (format, regime, title, home, source, hash, scope, columns, vocabulary)
            == (
                &other.format,
                &other.regime,
                &other.title,
                &other.home,
                &other.source,
                &other.hash,
                &other.scope,
                &other.columns,
                &other.vocabulary,
            )
            && (rows, obligations, default, relations, weights)
                == (&other.rows, &other.obligations, &other.default, &other.relations, &other.weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bundled regimes, compiled.
    fn bundled() -> Vec<Table> {
        crate::stdlib::REGIMES
            .iter()
            .flat_map(|m| crate::compile::compile_text(&format!("{}.accord", m.name), m.text).unwrap())
            .collect()
    }

    #[test]
    fn write_json_writes_what_serde_json_pretty_prints() {
        let tables = bundled();
        assert!(!tables.is_empty());
        for table in tables {
            let mut written = Vec::new();
            table.write_json(&mut written).unwrap();
            assert!(written == serde_json::to_string_pretty(&table).unwrap().as_bytes(), "`{}`", table.regime);
        }
    }

    #[test]
    fn line_breaks_indent_past_the_prepared_spaces() {
        for (first, level) in [(true, 0), (false, 0), (true, 3), (false, 32), (true, 33), (false, 40)] {
            let mut written = Vec::new();
            line_break(&mut written, first, level).unwrap();
            let expected = format!("{}\n{}", if first { "" } else { "," }, "  ".repeat(level));
            assert_eq!(String::from_utf8(written).unwrap(), expected);
        }
    }
}
