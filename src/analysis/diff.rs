//! Exact comparison of two regimes, or of one regime at two dates: the report.
//!
//! The sides are prepared (`analysis::side`), read as partitions (`analysis::partition`) over a
//! common space and paired by outcome (`analysis::compare`); every pair whose outcomes differ
//! becomes a group of the diff, its region disjoint from every other group's, and all of them
//! together covering exactly the transfers decided differently. Groups are cut into boxes for
//! reading (`analysis::regions`), each with a witness. Shares are shares of transfers under the
//! declared weights ([`super::weights`], `docs/weights.md`), so a rewrite that changes no
//! decision changes no figure (`docs/decisions/0004-diff-semantics.md`).

pub use super::compare::RuleRef;
pub use super::outcome::{Class, Order, Outcome, bridging, classify, in_every};
pub use super::regions::Region;
pub use super::side::{Reading, Side, SideInfo};

use super::compare::Compared;
use super::mdd::{FALSE, NodeId};
use super::pieces;
use super::side::{Prepared, date_cell};
use super::space::implications;
use crate::compile::accords::Accord;
use crate::date::Date;
use crate::table::{Cell, Column, ColumnType, Name, Table, Weight};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Cells by fact: a box over facts, as table rows write it.
pub type Cells = BTreeMap<String, Cell>;

/// The most boxes a comparison lists. On decision diagrams, a comparison past it asks for a
/// narrower question; piece by piece (`analysis::pieces`), it lists the first boxes of each
/// group up to it and marks the groups it cut ([`Group::partial`]).
pub const MAX_BOXES: usize = 20_000;

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
                "the differences split into more than {} boxes; narrow the question with `--given` or `--facts`, or \
                 list them by deciding rules (`--by-rules`), which takes fewer boxes but runs out as well where \
                 hundreds of rules overlap",
                crate::syntax::write_number(i64::try_from(*limit).unwrap_or(i64::MAX))
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
                "these regimes are too intricate to compare exactly: where they differ, hundreds of rules over \
                 unrelated facts overlap, the decision diagrams outgrew {} nodes or {} operations, and (without \
                 accords, obligations or `--facts`) splitting the regions piece by piece took more than {} \
                 splits; fix most of the facts those rules test with `--given` (a set fact given is its whole \
                 set: one fact alone is seldom enough), or compare smaller parts of the regimes",
                crate::syntax::write_number(super::mdd::NODE_BUDGET as i64),
                crate::syntax::write_number(super::mdd::WORK_BUDGET as i64),
                crate::syntax::write_number(i64::try_from(super::count::SPLIT_BUDGET).unwrap_or(i64::MAX))
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
    /// Its boxes did not all fit under the cap ([`MAX_BOXES`] in a report): `regions` lists
    /// the first of them. Its share, and every figure of the report, are exact all the same.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub partial: bool,
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

/// What a comparison finds, on diagrams or piece by piece: its groups (in any order), figures,
/// and the space and weights they were measured in.
pub(super) struct Found {
    pub(super) groups: Vec<Group>,
    pub(super) totals: Totals,
    pub(super) columns: Vec<Column>,
    pub(super) weights: Vec<Weight>,
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

/// Regions where the outcomes differ, by (A's, B's, class), those accords resolved, and
/// those one mechanism bridges.
fn differences(c: &mut Compared, options: &Options) -> Differences {
    // Each group's region, and the strength declarations that decided its class.
    let mut groups: BTreeMap<(Outcome, Outcome, Class), (NodeId, Vec<String>)> = BTreeMap::new();
    let mut resolved: Vec<(Outcome, Outcome, Vec<usize>, NodeId)> = Vec::new();
    let mut bridged: Bridges = BTreeMap::new();
    let (ra, rb) = (c.a.side.table.regime.clone(), c.b.side.table.regime.clone());
    for pair in c.pairs(&options.accords, true) {
        let (ea, eb) = (&pair.accepted_a, &pair.accepted_b);
        let bridge = bridging(ea, eb);
        let classed = (ea != eb).then(|| classify(ea, eb, &c.order));
        let key = classed.as_ref().map(|(class, _)| (pair.a.clone(), pair.b.clone(), *class));
        if !bridge.is_empty() {
            let (acc, by) = bridged.entry(key).or_insert((FALSE, BTreeSet::new()));
            *acc = c.mdd.or(*acc, pair.region);
            by.extend(bridge);
        }
        match classed {
            None => {
                let mut used: Vec<usize> = Vec::new();
                let (oa, ob) = (&pair.a, &pair.b);
                for (&i, regime, o) in
                    pair.active_a.iter().map(|i| (i, &ra, oa)).chain(pair.active_b.iter().map(|i| (i, &rb, ob)))
                {
                    let Some(accord) = options.accords.get(i) else { continue };
                    if o.with_accords(regime, &[accord]) != *o && !used.contains(&i) {
                        used.push(i);
                    }
                }
                used.sort_unstable();
                resolved.push((pair.a, pair.b, used, pair.region));
            }
            Some((class, by)) => {
                let (acc, _) = groups.entry((pair.a, pair.b, class)).or_insert((FALSE, by));
                *acc = c.mdd.or(*acc, pair.region);
            }
        }
    }
    Differences { groups, resolved, bridged }
}

/// How a diff finds its regions. Both ways are exact and give the same figures (to rounding);
/// they may cut a group into other boxes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Method {
    /// On decision diagrams; piece by piece where they outgrow their budget or list more than
    /// [`MAX_BOXES`] boxes, if the question allows it (no accords, obligations or `facts`).
    #[default]
    Auto,
    /// On decision diagrams only.
    Diagrams,
    /// Piece by piece only (`analysis::pieces`); a question it does not take is an error.
    Pieces,
}

/// Compares two sides exactly: on decision diagrams, or where they outgrow their budget (and
/// the question allows), piece by piece (`analysis::pieces`).
pub fn diff(a: Side, b: Side, options: &Options) -> Result<Diff, DiffError> {
    diff_by(a, b, options, Method::Auto)
}

/// [`diff`], the regions found one given way.
pub fn diff_by(a: Side, b: Side, options: &Options, method: Method) -> Result<Diff, DiffError> {
    match method {
        Method::Diagrams => by_diagrams(a, b, options),
        Method::Pieces if pieces::applies(options) => by_pieces(a, b, options),
        Method::Pieces => Err(DiffError::Internal(
            "a diff piece by piece takes no accords, obligations or `facts`; this one was asked to".to_owned(),
        )),
        Method::Auto => match by_diagrams(a.clone(), b.clone(), options) {
            Err(DiffError::TooIntricate | DiffError::TooManyBoxes { .. }) if pieces::applies(options) => {
                by_pieces(a, b, options)
            }
            other => other,
        },
    }
}

fn by_pieces(a: Side, b: Side, options: &Options) -> Result<Diff, DiffError> {
    let (info_a, info_b) = (SideInfo::of(&a), SideInfo::of(&b));
    let pa = Prepared::new(a, options.reading, options.obligations, None)?;
    let pb = Prepared::new(b, options.reading, options.obligations, None)?;
    let found = pieces::compare(pa, pb, options, Some(options.listing), MAX_BOXES)?;
    Ok(report((info_a, info_b), options, found, Vec::new(), Vec::new()))
}

/// The report of a comparison, whichever way its groups were found: the question as asked,
/// then what was found, the groups in [`sort_groups`]'s order.
fn report(
    (a, b): (SideInfo, SideInfo),
    options: &Options,
    found: Found,
    accords: Vec<AccordUse>,
    resolved: Vec<Resolved>,
) -> Diff {
    let mut groups = found.groups;
    sort_groups(&mut groups);
    Diff {
        format: "accord.diff/1",
        a,
        b,
        reading: options.reading,
        obligations: options.obligations,
        given: options.given.clone(),
        facts: options.facts.clone(),
        listing: options.listing,
        weights: found.weights,
        columns: found.columns,
        accords,
        totals: found.totals,
        groups,
        resolved,
    }
}

/// Largest differences first; ties by the pair of outcomes taken in the same order whichever
/// side is first, then by where the group lies (its first witness), so that `diff B A` lists
/// the groups of `diff A B` in the same order.
fn sort_groups(groups: &mut [Group]) {
    fn unordered(g: &Group) -> (&Outcome, &Outcome) {
        if g.a <= g.b { (&g.a, &g.b) } else { (&g.b, &g.a) }
    }
    fn first_witness(g: &Group) -> Option<String> {
        g.regions.first().map(|r| r.witness.to_string())
    }
    groups.sort_by(|x, y| {
        y.share
            .total_cmp(&x.share)
            .then_with(|| unordered(x).cmp(&unordered(y)))
            .then_with(|| first_witness(x).cmp(&first_witness(y)))
    });
}

fn by_diagrams(a: Side, b: Side, options: &Options) -> Result<Diff, DiffError> {
    let (info_a, info_b) = (SideInfo::of(&a), SideInfo::of(&b));
    let pa = Prepared::new(a, options.reading, options.obligations, None)?;
    let pb = Prepared::new(b, options.reading, options.obligations, None)?;
    let mut c = Compared::new(pa, pb, options)?;
    let total = c.total()?;
    let Differences { groups, resolved, bridged } = differences(&mut c, options);

    let quantified: Option<Vec<bool>> = options.facts.as_ref().map(|facts| {
        let mut keep = c.space.vars_of(facts);
        keep.iter_mut().for_each(|k| *k = !*k);
        keep
    });
    let mut out_groups = Vec::new();
    let mut count = 0usize;
    // Each class's region, measured once: a sum over groups would depend on their order.
    let mut class_region: BTreeMap<Class, NodeId> = BTreeMap::new();
    let mut differing = FALSE;
    let related = c.space.related_facts();
    for ((oa, ob, class), (region, class_by)) in groups {
        differing = c.mdd.or(differing, region);
        // Only the parts that decide somewhere in the group can decide in one of its regions.
        let candidates = (c.parts_in(true, &oa, region), c.parts_in(false, &ob, region));
        let regions = match options.listing {
            Listing::Regions => {
                let limit = MAX_BOXES.saturating_sub(count);
                c.lister().boxed_regions(region, quantified.as_deref(), &related, &candidates, total, limit)?
            }
            Listing::RulePairs => c.lister().rule_pairs(region, &candidates, total),
        };
        count += regions.len();
        let share = c.share(region, total);
        let of_class = class_region.entry(class).or_insert(FALSE);
        *of_class = c.mdd.or(*of_class, region);
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
            partial: false,
        });
    }

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
    let class_share: BTreeMap<Class, f64> =
        class_region.into_iter().map(|(class, region)| (class, c.share(region, total))).collect();
    c.finished()?;
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
    let weights = c.take_weights();
    let found = Found { groups: out_groups, totals, columns: c.space.into_columns(), weights };
    Ok(report((info_a, info_b), options, found, accords, out_resolved))
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
    match agreement_by_diagrams(a.clone(), b.clone(), options) {
        Err(DiffError::TooIntricate) if pieces::applies(options) => {
            let pa = Prepared::new(a, options.reading, options.obligations, None)?;
            let pb = Prepared::new(b, options.reading, options.obligations, None)?;
            let found = pieces::compare(pa, pb, options, None, 0)?;
            Ok(Shares { agreement: found.totals.agreement, bridged: found.totals.bridged })
        }
        other => other,
    }
}

fn agreement_by_diagrams(a: Side, b: Side, options: &Options) -> Result<Shares, DiffError> {
    let pa = Prepared::new(a, options.reading, options.obligations, None)?;
    let pb = Prepared::new(b, options.reading, options.obligations, None)?;
    let mut c = Compared::new(pa, pb, options)?;
    let total = c.total()?;
    let Differences { groups, bridged, .. } = differences(&mut c, options);
    let mut differing = FALSE;
    for (region, _) in groups.values() {
        differing = c.mdd.or(differing, *region);
    }
    let mut bridge = FALSE;
    for (region, _) in bridged.values() {
        bridge = c.mdd.or(bridge, *region);
    }
    c.finished()?;
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
    use crate::date::Date;
    use crate::eval::Scenario;

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
