//! From a checked regime to a [`Table`].
//!
//! A condition becomes a union of *boxes*: each box fixes, for some columns, the values that
//! column may take (a set of enum members, a set of count or date intervals, a bool, or for a
//! set-valued fact the members it must hold and must lack); a column a box does not mention
//! admits everything. `and` intersects boxes pairwise, `or` concatenates, and `not` is exact:
//! the complement of a box is the union, over its cells, of that cell's complement within its
//! column's domain, and the complement of a union is the intersection of the complements. `let`
//! is inlined (once per `let`, memoised). `effective` adds a date cell.
//!
//! `not` over `or` multiplies boxes, so every step is bounded by [`MAX_ROWS_PER_RULE`]: a rule
//! that would expand past it is a diagnostic naming the rule, never a hang. Boxes that repeat,
//! or that lie inside another box of the same union, are dropped as they appear.

pub mod accords;
mod cell;

use crate::check::ir::{self, FactId, LetId, Program, RegimeId, Type};
use crate::date::Date;
use crate::diagnostics::{Code, Diagnostic};
use crate::source::{SourceMap, Span};
use crate::table::{self, Column, ColumnType, Location, Name, Table};
use cell::{ColInfo, IBox, ICell};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufWriter, Write as _};

/// The most rows one rule (or obligation) may compile to.
pub const MAX_ROWS_PER_RULE: usize = 4096;

/// Why a rule file given as text did not compile.
#[derive(Debug, Clone)]
pub enum Problems {
    /// The file has errors: the diagnostics, and the sources they point into.
    Input {
        /// Errors, and any warnings found with them.
        diagnostics: Vec<Diagnostic>,
        /// The files the diagnostics point into.
        sources: SourceMap,
    },
    /// A bug in Accord (please report it).
    Internal(crate::InternalError),
}

impl std::fmt::Display for Problems {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Problems::Input { diagnostics, sources } => {
                f.write_str(&crate::diagnostics::render_human(diagnostics, sources))
            }
            Problems::Internal(bug) => write!(f, "internal error: {bug}; please report it"),
        }
    }
}

impl std::error::Error for Problems {}

/// Checks one rule file given as text and compiles every regime it declares, in order. The
/// standard library is built in; a `use "file"` cannot be followed (there is no file system).
///
/// ```
/// let tables = accord::compile::compile_text("demo.accord", r#"
///   regime demo "Demo" {
///     home SG
///     rule health "Health data needs consent" cite "Demo s1"
///       when data has health then require explicit_consent
///     default permit
///   }"#)?;
/// assert_eq!(tables[0].regime, "demo");
/// # Ok::<(), accord::compile::Problems>(())
/// ```
pub fn compile_text(name: &str, text: &str) -> Result<Vec<Table>, Problems> {
    let roots =
        vec![crate::source::Loaded { key: name.to_owned(), name: name.to_owned(), bytes: text.as_bytes().to_vec() }];
    let checked =
        crate::check::check(roots, &mut crate::source::MemoryLoader::default()).map_err(Problems::Internal)?;
    if checked.has_errors() {
        return Err(Problems::Input { diagnostics: checked.diagnostics, sources: checked.sources });
    }
    let mut tables = Vec::new();
    for i in 0..checked.program.regimes.len() {
        let id = RegimeId(u32::try_from(i).unwrap_or(u32::MAX));
        match compile(&checked.program, id, &checked.sources) {
            Ok(table) => tables.push(table),
            Err(Failed::Input(diagnostics)) => return Err(Problems::Input { diagnostics, sources: checked.sources }),
            Err(Failed::Internal(bug)) => return Err(Problems::Internal(bug)),
        }
    }
    Ok(tables)
}

/// Why a regime did not compile.
#[derive(Debug, Clone, PartialEq)]
pub enum Failed {
    /// The regime is too large to compile: the errors (E0301), at the rules that grew.
    Input(Vec<Diagnostic>),
    /// A bug in Accord: the checked program broke an invariant the compiler relies on.
    Internal(crate::InternalError),
}

/// Compiles one regime of a checked program (which must have no errors).
pub fn compile(program: &Program, regime: RegimeId, sources: &SourceMap) -> Result<Table, Failed> {
    let Some(def) = program.regimes.get(regime.index()) else {
        return Err(Failed::Internal(crate::InternalError(format!("compile: no regime {}", regime.index()))));
    };
    Compiler::new(program, def, sources).run()
}

/// A condition on the facts as the boxes of table cells, over the vocabulary of `regime` (an
/// accord's scope); `None` when it is too large to compile.
pub fn condition_cells(
    program: &Program,
    regime: RegimeId,
    cond: &ir::Cond,
    sources: &SourceMap,
) -> Result<Option<Vec<BTreeMap<String, table::Cell>>>, crate::InternalError> {
    let def = program
        .regimes
        .get(regime.index())
        .ok_or_else(|| crate::InternalError(format!("compile: no regime {}", regime.index())))?;
    let mut compiler = Compiler::new(program, def, sources);
    let mut facts: BTreeSet<FactId> = compiler.columns.iter().map(|c| c.fact).collect();
    let mut order = std::mem::take(&mut compiler.let_order);
    collect(program, cond, &mut facts, &mut order);
    compiler.columns = facts.iter().filter_map(|&f| ColInfo::new(program, f)).collect();
    compiler.column_of = compiler.columns.iter().enumerate().map(|(i, c)| (c.fact, i)).collect();
    let cells = (|| {
        for id in order {
            let Some(def) = program.lets.get(id.index()) else {
                compiler.broken(format!("no `let` {}", id.index()));
                return None;
            };
            let boxes = compiler.dnf(&def.cond).ok()?;
            compiler.lets.insert(id, boxes);
        }
        let boxes = compiler.dnf(cond).ok()?;
        Some(boxes.iter().map(|b| compiler.cells(b)).collect())
    })();
    let broken = compiler.broken.into_inner();
    if !broken.is_empty() {
        return Err(crate::InternalError(format!("compile: {}", broken.join("; "))));
    }
    Ok(cells)
}

struct Compiler<'p> {
    program: &'p Program,
    regime: &'p ir::Regime,
    sources: &'p SourceMap,
    columns: Vec<ColInfo>,
    column_of: HashMap<FactId, usize>,
    /// `let`s the regime uses, each after the `let`s it names.
    let_order: Vec<LetId>,
    lets: HashMap<LetId, Vec<IBox>>,
    /// Each enum's member names, by [`ir::EnumId`], made once: a column's domain and every
    /// cell that names its members share them.
    names: Vec<Vec<Name>>,
    /// Each mechanism's establishing condition as boxes, once worked out (`None`: no facts
    /// establish it).
    established: HashMap<ir::MemberId, Option<Vec<IBox>>>,
    /// The invariants found broken, which make the compilation an internal error.
    broken: std::cell::RefCell<Vec<String>>,
}

/// The compiled union grew past the bound.
struct TooBig;

impl<'p> Compiler<'p> {
    fn new(program: &'p Program, regime: &'p ir::Regime, sources: &'p SourceMap) -> Self {
        let mut facts = BTreeSet::new();
        let mut let_order = Vec::new();
        let conditions = regime
            .rules
            .iter()
            .map(|r| (&r.when, r.effective))
            .chain(regime.obligations.iter().map(|o| (&o.when, o.effective)));
        for (when, effective) in conditions {
            collect(program, when, &mut facts, &mut let_order);
            if effective.is_some() {
                facts.extend(regime.vocabulary.date);
            }
        }
        // The facts that establish a required mechanism are columns like any other.
        let required: BTreeSet<ir::MemberId> = regime
            .rules
            .iter()
            .flat_map(|r| match &r.then {
                ir::Outcome::Require(groups) => groups.iter().flat_map(|g| g.alternatives.iter().copied()).collect(),
                _ => Vec::new(),
            })
            .collect();
        for establishment in program.establishments.iter().filter(|e| required.contains(&e.mechanism)) {
            collect(program, &establishment.when, &mut facts, &mut let_order);
        }
        let columns: Vec<ColInfo> = facts.iter().filter_map(|&f| ColInfo::new(program, f)).collect();
        let column_of = columns.iter().enumerate().map(|(i, c)| (c.fact, i)).collect();
        let names =
            program.enums.iter().map(|e| e.members.iter().map(|m| Name::from(m.name.as_str())).collect()).collect();
        Compiler {
            program,
            regime,
            sources,
            columns,
            column_of,
            let_order,
            lets: HashMap::new(),
            names,
            established: HashMap::new(),
            broken: std::cell::RefCell::default(),
        }
    }

    /// Compiles the regime; a broken invariant met on the way makes it an internal error, even
    /// where the table came out.
    fn run(mut self) -> Result<Table, Failed> {
        let built = self.build();
        let broken = self.broken.into_inner();
        if !broken.is_empty() {
            return Err(Failed::Internal(crate::InternalError(format!("compile: {}", broken.join("; ")))));
        }
        built.map_err(Failed::Input)
    }

    /// Records that the checked program broke an invariant the compiler relies on.
    fn broken(&self, what: String) {
        self.broken.borrow_mut().push(what);
    }

    fn build(&mut self) -> Result<Table, Vec<Diagnostic>> {
        let mut errors = Vec::new();
        // `let`s first, in dependency order, so inlining one is a look-up.
        let program = self.program;
        for id in std::mem::take(&mut self.let_order) {
            let Some(def) = program.lets.get(id.index()) else {
                self.broken(format!("no `let` {}", id.index()));
                continue;
            };
            match self.dnf(&def.cond) {
                Ok(boxes) => {
                    self.lets.insert(id, boxes);
                }
                Err(TooBig) => errors.push(too_big("let", &def.name, def.span)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut rows = Vec::new();
        for rule in &self.regime.rules {
            match self.condition(&rule.when, rule.effective) {
                Ok(boxes) => {
                    // What every row of the rule shares, worked out once and copied per row.
                    let cite: Vec<String> = rule.cites.iter().map(|c| c.text.clone()).collect();
                    let location = self.location(rule.span);
                    let outcome = self.outcome(&rule.then);
                    let met = match &rule.then {
                        ir::Outcome::Require(groups) => match self.met(&boxes, groups) {
                            Ok(met) => met,
                            Err(TooBig) => {
                                errors.push(too_big("rule", &rule.id, rule.name_span));
                                continue;
                            }
                        },
                        _ => Vec::new(),
                    };
                    let (require, ordered) = match &outcome {
                        table::Outcome::Require { require, ordered } => (require.clone(), ordered.clone()),
                        _ => (Vec::new(), Vec::new()),
                    };
                    // Where the facts establish a mechanism of every group, the rule permits:
                    // those rows come first, and the rule's own rows decide the rest.
                    let met_rows = met.into_iter().map(|(b, by)| {
                        let met = table::Met { require: require.clone(), ordered: ordered.clone(), by };
                        (b, table::Outcome::Permit, Some(met))
                    });
                    let own_rows = boxes.into_iter().map(|b| (b, outcome.clone(), None));
                    for (b, outcome, met) in met_rows.chain(own_rows) {
                        rows.push(table::Row {
                            rule: rule.id.clone(),
                            title: rule.title.clone(),
                            cite: cite.clone(),
                            location: location.clone(),
                            cells: self.cells(&b),
                            outcome,
                            met,
                        });
                    }
                }
                Err(TooBig) => errors.push(too_big("rule", &rule.id, rule.name_span)),
            }
        }
        let mut obligations = Vec::new();
        for obligation in &self.regime.obligations {
            let name = self.member_name(self.regime.vocabulary.obligation, obligation.obligation);
            match self.condition(&obligation.when, obligation.effective) {
                Ok(boxes) => {
                    let cite: Vec<String> = obligation.cites.iter().map(|c| c.text.clone()).collect();
                    let location = self.location(obligation.span);
                    let upon: Vec<String> = obligation
                        .upon
                        .iter()
                        .map(|&m| self.member_name(self.regime.vocabulary.mechanism, m))
                        .collect();
                    for b in boxes {
                        obligations.push(table::ObligationRow {
                            obligation: name.clone(),
                            title: obligation.title.clone(),
                            cite: cite.clone(),
                            location: location.clone(),
                            upon: upon.clone(),
                            cells: self.cells(&b),
                        });
                    }
                }
                Err(TooBig) => errors.push(too_big("obligation", &obligation.id, obligation.name_span)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let jurisdiction = self.regime.vocabulary.jurisdiction;
        let mut table = Table {
            format: table::FORMAT.to_owned(),
            regime: self.regime.id.clone(),
            title: self.regime.title.clone(),
            home: self.regime.home.iter().map(|&m| self.member_name(jurisdiction, m)).collect(),
            source: self.regime.source.clone(),
            hash: String::new(),
            scope: table::Scope {
                origin: self.fact_name(self.regime.vocabulary.origin),
                destination: self.fact_name(self.regime.vocabulary.destination),
            },
            columns: self.columns.iter().map(|c| self.column(c.fact)).collect(),
            vocabulary: self.regime.facts.iter().map(|&f| self.column(f)).collect(),
            rows,
            obligations,
            default: self.regime.default.as_ref().map(|o| self.outcome(o)),
            relations: table::Relations::default(),
            weights: self.weights(),
            index: Default::default(),
        };
        table.relations = self.relations(&table);
        table.hash = content_hash(&table);
        Ok(table)
    }

    /// The boxes of `rule` (a rule's condition) where facts establish one mechanism of every
    /// group, each with the mechanisms chosen: groups are taken in order, and alternatives in
    /// the order written, so an earlier alternative is named where several are established.
    fn met(&mut self, rule: &[IBox], groups: &[ir::Group]) -> Result<Vec<(IBox, Vec<String>)>, TooBig> {
        let mut choices: Vec<(Vec<IBox>, Vec<String>)> = vec![(rule.to_vec(), Vec::new())];
        for group in groups {
            let mut next = Vec::new();
            for &m in &group.alternatives {
                let Some(established) = self.established_boxes(m)? else { continue };
                let name = self.member_name(self.regime.vocabulary.mechanism, m);
                for (boxes, by) in &choices {
                    let both = cell::and(boxes, &established, &self.columns, MAX_ROWS_PER_RULE).ok_or(TooBig)?;
                    if !both.is_empty() {
                        let mut by = by.clone();
                        by.push(name.clone());
                        next.push((both, by));
                    }
                }
            }
            if next.iter().map(|(b, _)| b.len()).sum::<usize>() > MAX_ROWS_PER_RULE {
                return Err(TooBig);
            }
            choices = next;
        }
        Ok(choices.into_iter().flat_map(|(boxes, by)| boxes.into_iter().map(move |b| (b, by.clone()))).collect())
    }

    /// Where facts establish mechanism `m`, as boxes; `None` if no declaration establishes it.
    fn established_boxes(&mut self, m: ir::MemberId) -> Result<Option<Vec<IBox>>, TooBig> {
        if let Some(known) = self.established.get(&m) {
            return Ok(known.clone());
        }
        let program = self.program;
        let conditions: Vec<ir::Cond> =
            program.establishments.iter().filter(|e| e.mechanism == m).map(|e| e.when.clone()).collect();
        let boxes = if conditions.is_empty() { None } else { Some(self.dnf(&ir::Cond::Or(conditions))?) };
        self.established.insert(m, boxes.clone());
        Ok(boxes)
    }

    /// The weights of the regime's facts: its own, else the vocabulary's defaults, in the
    /// order of its facts.
    fn weights(&self) -> Vec<table::Weight> {
        let program = self.program;
        let share = |w: u64| w as f64 / ir::WEIGHT_ONE as f64;
        let mut out = Vec::new();
        for &fact in &self.regime.facts {
            let own = self.regime.weights.iter().find(|w| w.fact == fact);
            let Some(w) = own.or_else(|| program.weights.iter().find(|w| w.fact == fact)) else { continue };
            let element = match program.fact(fact).map(|f| f.ty) {
                Some(ir::Type::Enum(e) | ir::Type::Set(e)) => Some(e),
                _ => None,
            };
            let members = |listed: &[(ir::MemberId, u64)]| -> BTreeMap<String, f64> {
                listed
                    .iter()
                    .filter_map(|&(m, v)| Some((program.member_name(element?, m).to_owned(), share(v))))
                    .collect()
            };
            let shares = match &w.distribution {
                ir::Distribution::Members { members: listed, others } => {
                    table::Shares::Members { members: members(listed), others: others.map(share) }
                }
                ir::Distribution::Presence { members: listed, others } => {
                    table::Shares::Presence { members: members(listed), others: others.map(share) }
                }
                ir::Distribution::Bool { true_share } => table::Shares::Bool { true_share: share(*true_share) },
                ir::Distribution::Bands { bands } if program.fact(fact).is_some_and(|f| f.ty == ir::Type::Date) => {
                    let day = |d: i64| crate::date::Date::from_days(d).to_string();
                    table::Shares::Dates {
                        bands: bands
                            .iter()
                            .map(|&(from, until, v)| table::DateBand {
                                from: day(from),
                                until: day(until),
                                share: share(v),
                            })
                            .collect(),
                    }
                }
                ir::Distribution::Bands { bands } => table::Shares::Counts {
                    bands: bands
                        .iter()
                        .map(|&(from, until, v)| table::CountBand { from, until, share: share(v) })
                        .collect(),
                },
            };
            out.push(table::Weight {
                fact: self.fact_name(Some(fact)),
                title: w.title.clone(),
                cite: w.cites.iter().map(|c| c.text.clone()).collect(),
                shares,
            });
        }
        out
    }

    /// The relations of the vocabulary that bear on `table`: implications in its set facts,
    /// and the establishments, families and strength pairs of the mechanisms it requires.
    fn relations(&self, table: &Table) -> table::Relations {
        let program = self.program;
        let mut implies = Vec::new();
        for &fact in &self.regime.facts {
            let Some(def) = program.fact(fact) else { continue };
            let Type::Set(e) = def.ty else { continue };
            let Some(enum_def) = program.enum_def(e) else { continue };
            for (i, member) in enum_def.members.iter().enumerate() {
                let closure = implied_members(enum_def, i);
                if !closure.is_empty() {
                    implies.push(table::Implication {
                        fact: def.name.clone(),
                        member: Name::from(member.name.as_str()),
                        implies: closure
                            .iter()
                            .filter_map(|&j| enum_def.members.get(j))
                            .map(|m| Name::from(m.name.as_str()))
                            .collect(),
                    });
                }
            }
        }
        let mechanism = self.regime.vocabulary.mechanism;
        let mut used: BTreeSet<String> = BTreeSet::new();
        for outcome in table.rows.iter().map(|r| &r.outcome).chain(table.default.as_ref()) {
            if let table::Outcome::Require { require, .. } = outcome {
                used.extend(require.iter().flatten().cloned());
            }
        }
        let name = |m: ir::MemberId| self.member_name(mechanism, m);
        let mut established: Vec<table::Established> = Vec::new();
        for e in &program.establishments {
            let mechanism = name(e.mechanism);
            if !used.contains(&mechanism) {
                continue;
            }
            let mut facts = BTreeSet::new();
            collect(program, &e.when, &mut facts, &mut Vec::new());
            let facts: Vec<String> = facts.iter().map(|&f| self.fact_name(Some(f))).collect();
            let cite: Vec<String> = e.cites.iter().map(|c| c.text.clone()).collect();
            match established.iter_mut().find(|x| x.mechanism == mechanism) {
                Some(x) => {
                    x.title = format!("{}; {}", x.title, e.title);
                    x.cite.extend(cite);
                    for fact in facts {
                        if !x.facts.contains(&fact) {
                            x.facts.push(fact);
                        }
                    }
                }
                None => established.push(table::Established { mechanism, title: e.title.clone(), cite, facts }),
            }
        }
        established.sort_by(|a, b| a.mechanism.cmp(&b.mechanism));
        let families = program
            .families
            .iter()
            .filter_map(|f| {
                let members: Vec<String> = f.members.iter().map(|&m| name(m)).filter(|m| used.contains(m)).collect();
                (!members.is_empty()).then(|| table::Family { family: f.id.clone(), title: f.title.clone(), members })
            })
            .collect();
        let stronger = stronger_pairs(program)
            .into_iter()
            .map(|(a, b, orders)| (name(a), name(b), orders))
            .filter(|(a, b, _)| used.contains(a) || used.contains(b))
            .map(|(stronger, weaker, orders)| {
                let mut cite: Vec<String> = Vec::new();
                for &o in &orders {
                    for c in program.strengths.get(o).map(|s| s.cites.as_slice()).unwrap_or_default() {
                        if !cite.contains(&c.text) {
                            cite.push(c.text.clone());
                        }
                    }
                }
                let orders = orders.iter().filter_map(|&o| program.strengths.get(o).map(|s| s.id.clone())).collect();
                table::Stronger { stronger, weaker, orders, cite }
            })
            .collect();
        table::Relations { implies, established, families, stronger }
    }

    /// A rule's condition (and its `effective` range) as a union of boxes.
    fn condition(&mut self, when: &ir::Cond, effective: Option<ir::Interval>) -> Result<Vec<IBox>, TooBig> {
        let boxes = self.dnf(when)?;
        match (effective, self.regime.vocabulary.date.and_then(|d| self.column_of.get(&d))) {
            (Some(range), Some(&column)) => {
                let during = vec![cell::single(column, ICell::Ranges(vec![range]), &self.columns)];
                cell::and(&boxes, &during, &self.columns, MAX_ROWS_PER_RULE).ok_or(TooBig)
            }
            _ => Ok(boxes),
        }
    }

    fn dnf(&mut self, cond: &ir::Cond) -> Result<Vec<IBox>, TooBig> {
        let bound = MAX_ROWS_PER_RULE;
        Ok(match cond {
            ir::Cond::Const(true) => vec![IBox::new()],
            ir::Cond::Const(false) => Vec::new(),
            ir::Cond::Test(test) => self.test(test),
            ir::Cond::And(parts) => {
                let mut acc = vec![IBox::new()];
                for (i, part) in parts.iter().enumerate() {
                    let boxes = self.dnf(part)?;
                    // `everything and u` is `u` when `u` is within the bound: what `dnf`
                    // returns is already simplified, so `and` would only copy it.
                    acc = if i == 0 && boxes.len() <= bound {
                        boxes
                    } else {
                        cell::and(&acc, &boxes, &self.columns, bound).ok_or(TooBig)?
                    };
                }
                acc
            }
            ir::Cond::Or(parts) => {
                let mut acc = Vec::new();
                for part in parts {
                    acc.extend(self.dnf(part)?);
                    if acc.len() > bound {
                        return Err(TooBig);
                    }
                }
                cell::simplify(acc, &self.columns)
            }
            ir::Cond::Not(inner) => {
                let boxes = self.dnf(inner)?;
                cell::not(&boxes, &self.columns, bound).ok_or(TooBig)?
            }
            ir::Cond::Let(id) => match self.lets.get(id) {
                Some(boxes) => boxes.clone(),
                None => {
                    self.broken(format!("`let` {} used before it was compiled", id.index()));
                    Vec::new()
                }
            },
            // The checker makes sure some declaration establishes it, and that no establishing
            // condition names `established` (so this cannot recurse).
            ir::Cond::Established(m) => match self.established_boxes(*m)? {
                Some(boxes) => boxes,
                None => {
                    self.broken(format!("`established` on mechanism {}, which nothing establishes", m.0));
                    Vec::new()
                }
            },
        })
    }

    fn test(&self, test: &ir::Test) -> Vec<IBox> {
        let Some(&column) = self.column_of.get(&test.fact) else { return Vec::new() };
        // Cells hold sorted member lists without repeats, whatever order a predicate gives.
        let sorted = |members: &[ir::MemberId]| {
            let mut v: Vec<u32> = members.iter().map(|m| m.0).collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        let one = |c: ICell| vec![cell::single(column, c, &self.columns)];
        match &test.pred {
            ir::Pred::Bool(b) => one(ICell::Bool(*b)),
            ir::Pred::OneOf(members) => one(ICell::Enum(sorted(members))),
            ir::Pred::InRanges(ranges) => one(ICell::Ranges(crate::check::normalise_intervals(ranges.clone()))),
            ir::Pred::HasAll(members) => one(ICell::Set { has: sorted(members), lacks: Vec::new() }),
            ir::Pred::HasAny(members) => {
                let boxes = members
                    .iter()
                    .map(|m| cell::single(column, ICell::Set { has: vec![m.0], lacks: Vec::new() }, &self.columns))
                    .collect();
                cell::simplify(boxes, &self.columns)
            }
        }
        .into_iter()
        .filter(|b| !cell::is_empty(b))
        .collect()
    }

    fn cells(&self, b: &IBox) -> BTreeMap<String, table::Cell> {
        b.iter()
            .filter_map(|(column, c)| {
                let info = self.columns.get(*column)?;
                let name = self.fact_name(Some(info.fact));
                Some((name, self.cell(info, c)))
            })
            .collect()
    }

    fn cell(&self, info: &ColInfo, c: &ICell) -> table::Cell {
        let names = |members: &[u32]| -> Vec<Name> {
            let domain = match info.ty {
                Type::Enum(e) | Type::Set(e) => self.names.get(e.index()).map(Vec::as_slice),
                _ => None,
            };
            let name = |m: u32| match domain.and_then(|d| d.get(m as usize)) {
                Some(name) => name.clone(),
                None => {
                    self.broken(format!(
                        "a cell of `{}` names member {m}, outside its domain",
                        self.fact_name(Some(info.fact))
                    ));
                    Name::from(format!("#{m}"))
                }
            };
            members.iter().map(|&m| name(m)).collect()
        };
        match c {
            ICell::Bool(b) => table::Cell::Bool { is: *b },
            ICell::Enum(members) => table::Cell::Enum { members: names(members) },
            ICell::Set { has, lacks } => table::Cell::Set { has: names(has), lacks: names(lacks) },
            ICell::Ranges(ranges) if info.ty == Type::Date => table::Cell::Dates {
                dates: ranges
                    .iter()
                    .map(|r| table::DateRange {
                        from: (r.lo != i64::MIN).then(|| Date::from_days(r.lo).to_string()),
                        until: r.hi.map(|h| Date::from_days(h).to_string()),
                    })
                    .collect(),
            },
            ICell::Ranges(ranges) => table::Cell::Counts {
                counts: ranges.iter().map(|r| table::CountRange { from: r.lo, until: r.hi }).collect(),
            },
        }
    }

    fn column(&self, fact: FactId) -> Column {
        let ty = self.program.fact(fact).map_or(Type::Bool, |f| f.ty);
        let (ty, domain) = match ty {
            Type::Bool => (ColumnType::Bool, Vec::new()),
            Type::Count => (ColumnType::Count, Vec::new()),
            Type::Date => (ColumnType::Date, Vec::new()),
            Type::Enum(e) => (ColumnType::Enum, self.domain(e)),
            Type::Set(e) => (ColumnType::Set, self.domain(e)),
        };
        Column { fact: self.fact_name(Some(fact)), ty, domain }
    }

    fn domain(&self, e: ir::EnumId) -> Vec<Name> {
        match self.names.get(e.index()) {
            Some(names) => names.clone(),
            None => {
                self.broken(format!("enum {} has no member names", e.index()));
                Vec::new()
            }
        }
    }

    fn outcome(&self, outcome: &ir::Outcome) -> table::Outcome {
        match outcome {
            ir::Outcome::Permit => table::Outcome::Permit,
            ir::Outcome::Prohibit => table::Outcome::Prohibit,
            ir::Outcome::Require(groups) => table::Outcome::Require {
                require: groups
                    .iter()
                    .map(|g| {
                        g.alternatives.iter().map(|&m| self.member_name(self.regime.vocabulary.mechanism, m)).collect()
                    })
                    .collect(),
                ordered: groups.iter().enumerate().filter(|(_, g)| g.ordered).map(|(i, _)| i).collect(),
            },
        }
    }

    /// The name of member `m` of the vocabulary enum `e` (`Mechanism`, `Obligation`, …).
    fn member_name(&self, e: Option<ir::EnumId>, m: ir::MemberId) -> String {
        match e {
            Some(e) => self.program.member_name(e, m).to_owned(),
            None => {
                self.broken(format!("member {} of a vocabulary enum the regime does not have", m.0));
                format!("#{}", m.0)
            }
        }
    }

    fn fact_name(&self, fact: Option<FactId>) -> String {
        match fact.and_then(|f| self.program.fact(f)) {
            Some(f) => f.name.clone(),
            None => {
                self.broken(format!("a column of fact {fact:?}, which the program does not declare"));
                String::new()
            }
        }
    }

    fn location(&self, span: Span) -> Location {
        let (line, column) = self.sources.line_column(span.file, span.start);
        let file = match self.sources.get(span.file) {
            Some(f) => f.name.clone(),
            None => {
                self.broken(format!("a span in file {}, which was not loaded", span.file.0));
                String::new()
            }
        };
        Location { file, line, column }
    }
}

fn too_big(what: &str, name: &str, span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TooManyRows,
        format!("{what} `{name}` expands to more than {MAX_ROWS_PER_RULE} table rows"),
        span,
        "condition too large to compile",
    )
    .with_help("`not` around an `or` of many tests multiplies rows: split the rule into several rules, each with part of the condition")
}

/// Every fact a condition tests, following `let`s; and the `let`s it reaches, each listed
/// after the `let`s it names (an iterative walk: chains of `let`s cannot exhaust the stack).
fn collect(program: &Program, cond: &ir::Cond, facts: &mut BTreeSet<FactId>, order: &mut Vec<LetId>) {
    enum Step<'a> {
        Visit(&'a ir::Cond),
        Done(LetId),
    }
    let mut seen: BTreeSet<LetId> = order.iter().copied().collect();
    let mut stack = vec![Step::Visit(cond)];
    while let Some(step) = stack.pop() {
        match step {
            Step::Done(id) => order.push(id),
            Step::Visit(cond) => match cond {
                ir::Cond::Const(_) => {}
                ir::Cond::Test(test) => {
                    facts.insert(test.fact);
                }
                ir::Cond::And(parts) | ir::Cond::Or(parts) => stack.extend(parts.iter().map(Step::Visit)),
                ir::Cond::Not(inner) => stack.push(Step::Visit(inner)),
                ir::Cond::Established(m) => {
                    let conditions = program.establishments.iter().filter(|e| e.mechanism == *m);
                    stack.extend(conditions.map(|e| Step::Visit(&e.when)));
                }
                ir::Cond::Let(id) => {
                    if seen.insert(*id) {
                        if let Some(def) = program.lets.get(id.index()) {
                            stack.push(Step::Done(*id));
                            stack.push(Step::Visit(&def.cond));
                        }
                    }
                }
            },
        }
    }
}

/// The members that member `i` of `e` implies, directly or through others, in domain order
/// (itself only if a chain leads back to it).
fn implied_members(e: &ir::EnumDef, i: usize) -> Vec<usize> {
    let mut reached = vec![false; e.members.len()];
    let mut stack = vec![i];
    while let Some(at) = stack.pop() {
        for &next in e.members.get(at).map(|m| m.implies.as_slice()).unwrap_or_default() {
            if let Some(slot) = reached.get_mut(next.index()) {
                if !*slot {
                    *slot = true;
                    stack.push(next.index());
                }
            }
        }
    }
    reached.iter().enumerate().filter(|&(j, &r)| r && j != i).map(|(j, _)| j).collect()
}

/// Every pair `(a, b)` where the declared strength orders put `a` above `b`, directly or
/// through a chain, with the declarations along the shortest chain; sorted by `a`, then `b`.
fn stronger_pairs(program: &Program) -> Vec<(ir::MemberId, ir::MemberId, Vec<usize>)> {
    let mut below: BTreeMap<ir::MemberId, Vec<(ir::MemberId, usize)>> = BTreeMap::new();
    for (o, strength) in program.strengths.iter().enumerate() {
        for &(a, b, _) in &strength.pairs {
            below.entry(a).or_default().push((b, o));
        }
    }
    let mut pairs = Vec::new();
    for &from in below.keys() {
        let mut path: BTreeMap<ir::MemberId, Vec<usize>> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([from]);
        while let Some(at) = queue.pop_front() {
            let here = path.get(&at).cloned().unwrap_or_default();
            for &(next, o) in below.get(&at).map(Vec::as_slice).unwrap_or_default() {
                if next != from && !path.contains_key(&next) {
                    let mut chain = here.clone();
                    chain.push(o);
                    path.insert(next, chain);
                    queue.push_back(next);
                }
            }
        }
        pairs.extend(path.into_iter().map(|(to, orders)| (from, to, orders)));
    }
    pairs
}

/// `sha256:` of the table's JSON ([`Table::to_json`]) with every source location blanked, so
/// that it is a hash of what the table says and decides: laying a file out otherwise, adding
/// comments or renaming it leaves it as it was. The blanked copy is hashed as it is written
/// rather than built as one string first: the same bytes, so the same hash, without a buffer as
/// large as the document.
pub(crate) fn content_hash(table: &Table) -> String {
    let mut table = table.clone();
    let blank = || crate::table::Location { file: String::new(), line: 0, column: 0 };
    table.rows.iter_mut().for_each(|r| r.location = blank());
    table.obligations.iter_mut().for_each(|o| o.location = blank());
    let mut hasher = Sha256::new();
    // Serde makes many small writes; a buffer hands the hasher whole blocks instead. Writing
    // into a hasher cannot fail, and serialising a `Table` does not either (`to_json` relies
    // on the same).
    let mut out = BufWriter::with_capacity(1 << 14, &mut hasher);
    let _ = table.write_json(&mut out);
    let _ = out.flush();
    drop(out);
    let digest = hasher.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checked(text: &str) -> crate::check::Checked {
        let root = crate::source::Loaded { key: "t.accord".into(), name: "t.accord".into(), bytes: text.into() };
        match crate::check::check(vec![root], &mut crate::source::MemoryLoader::default()) {
            Ok(checked) if !checked.has_errors() => checked,
            other => panic!("the test's rule file does not check: {other:?}"),
        }
    }

    const REGIME: &str = r#"
use transfer
regime r "R" {
  home CN
  let big = individuals_ytd > 10
  rule a "A" cite "Art. 1" when big then prohibit
  default permit
}
"#;

    #[test]
    fn a_checked_program_compiles() {
        let checked = checked(REGIME);
        assert!(compile(&checked.program, RegimeId(0), &checked.sources).is_ok());
    }

    /// A program that lost a `let` the checker resolved is a bug to report, not a table that
    /// quietly drops the rule's condition.
    #[test]
    fn a_broken_program_is_an_internal_error() {
        let mut checked = checked(REGIME);
        checked.program.lets.clear();
        match compile(&checked.program, RegimeId(0), &checked.sources) {
            Err(Failed::Internal(bug)) => assert!(bug.0.contains("`let`"), "{bug}"),
            other => panic!("expected an internal error, got {other:?}"),
        }
        let missing = RegimeId(7);
        assert!(matches!(compile(&checked.program, missing, &checked.sources), Err(Failed::Internal(_))));
    }
}
