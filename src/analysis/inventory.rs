//! A diff weighed by a real set of transfers instead of the declared weights: each transfer of
//! an inventory is decided on both sides exactly as the diff reads them (origin aligned or
//! shared, pinned dates, accords on the transfer's date), and the shares are shares of those
//! transfers, with their count and line numbers. A line that is not a transfer of both regimes
//! is refused and listed, never left out of a share silently.

use super::diff::{Class, DiffError, Options, Order, Outcome, Reading, Side, SideInfo, bridging, classify};
use crate::compile::accords::Accord;
use crate::date::Date;
use crate::eval::{Scenario, Verdict};
use crate::table::Table;
use serde::Serialize;
use std::collections::BTreeMap;

/// A line of the inventory that could not be decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Refused {
    /// Its line number (1-based).
    pub line: usize,
    /// Why.
    pub problem: String,
}

/// The transfers of one pair of differing outcomes.
#[derive(Debug, Clone, Serialize)]
pub struct InventoryGroup {
    /// What A decides (after accords).
    pub a: Outcome,
    /// What B decides (after accords).
    pub b: Outcome,
    /// Which is stricter.
    pub class: Class,
    /// The same alternatives, in a different order (see the diff's groups).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub order_only: bool,
    /// How many transfers.
    pub transfers: usize,
    /// Their share of the transfers decided.
    pub share: f64,
    /// Of them, those one mechanism meets on both sides.
    pub bridged: usize,
    /// Their line numbers.
    pub lines: Vec<usize>,
}

/// A diff over an inventory of transfers (format `accord.inventory/1`).
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    /// Always `accord.inventory/1`.
    pub format: &'static str,
    /// The first side.
    pub a: SideInfo,
    /// The second side.
    pub b: SideInfo,
    /// How origins were read.
    pub reading: Reading,
    /// Whether obligations were compared.
    pub obligations: bool,
    /// The accords applied, by id.
    pub accords: Vec<String>,
    /// Where the transfers were read from.
    pub source: String,
    /// Lines read that held a transfer or a problem (blank lines are skipped).
    pub lines: usize,
    /// Transfers decided on both sides.
    pub transfers: usize,
    /// Share of them decided alike (after accords).
    pub agreement: f64,
    /// Share where A is stricter.
    pub a_stricter: f64,
    /// Share where B is stricter.
    pub b_stricter: f64,
    /// Share where neither is.
    pub incomparable: f64,
    /// Share decided differently (or alike only by an accord) where one mechanism meets both.
    pub bridged: f64,
    /// Transfers by pair of differing outcomes, most first.
    pub groups: Vec<InventoryGroup>,
    /// Lines refused, in order.
    pub refused: Vec<Refused>,
}

/// The evaluator's fast scenario reader for one table.
type QuickReader<'t> = dyn Fn(&[u8], Date) -> Option<Scenario> + Sync + 't;

/// Transfers, those bridged, and their lines, by pair of outcomes and class.
type ByGroup = BTreeMap<(Outcome, Outcome, Class), (usize, usize, Vec<usize>)>;

/// One side as an inventory reads it.
struct Reader<'t> {
    side: Side<'t>,
    accords: Vec<&'t Accord>,
    quick: Box<QuickReader<'t>>,
    /// The outcome of each row, then of the default, a gap and out of scope: what a transfer
    /// gets, found by index, so that no line builds one.
    outcomes: Vec<Outcome>,
}

/// What a transfer gets on one side: an index into [`Reader::outcomes`], with the obligations
/// when they are compared (those that come in any case, and by alternative those that come
/// with relying on it).
type Got = (usize, Option<(Vec<String>, BTreeMap<String, Vec<String>>)>);

impl<'t> Reader<'t> {
    fn new(side: Side<'t>, options: &'t Options) -> Reader<'t> {
        let regime = side.table.regime.as_str();
        let accords = options.accords.iter().filter(|acc| acc.accepts.iter().any(|x| x.regime == regime)).collect();
        let quick = Box::new(Scenario::quick_reader(side.table));
        let table = side.table;
        let mut outcomes: Vec<Outcome> = table.rows.iter().map(|r| Outcome::of(Some(&r.outcome))).collect();
        outcomes.push(Outcome::of(table.default.as_ref()));
        outcomes.push(Outcome::of(None));
        outcomes.push(Outcome::out_of_scope());
        Reader { side, accords, quick, outcomes }
    }

    /// The accords in effect for a transfer dated `day` (or on the side's pinned date), as a
    /// bit mask over [`Reader::accords`] (at most 64: [`Builder::new`] refuses more).
    fn active(&self, day: i64) -> u64 {
        let on = self.side.date.map_or(day, Date::days);
        self.accords.iter().take(64).enumerate().filter(|(_, acc)| acc.applies_on(on)).map(|(i, _)| 1u64 << i).sum()
    }

    /// The outcome a transfer got, after the accords of `mask`.
    fn outcome(&self, (index, obligations): &Got, mask: u64) -> Outcome {
        let mut outcome = self.outcomes.get(*index).cloned().unwrap_or_else(|| Outcome::of(None));
        if let Some((names, if_chosen)) = obligations {
            outcome.obligations = Some(names.clone());
            outcome.if_chosen.clone_from(if_chosen);
        }
        let accords: Vec<&Accord> =
            self.accords.iter().take(64).enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, a)| *a).collect();
        outcome.with_accords(&self.side.table.regime, &accords)
    }

    /// The outcome of the transfer `text` as the diff reads it on this side, with its date.
    fn decide(&self, text: &[u8], options: &Options, today: Date) -> Result<(Got, i64), String> {
        let table: &Table = self.side.table;
        let text = text.trim_ascii();
        let scenario = match (self.quick)(text, today) {
            Some(s) => s,
            None => {
                let text = std::str::from_utf8(text).map_err(|_| "not UTF-8 text".to_owned())?;
                Scenario::from_json(table, text, today).map_err(|errors| {
                    let words: Vec<String> = errors.iter().map(ToString::to_string).collect();
                    format!("not a transfer of `{}`: {}", table.regime, words.join("; "))
                })?
            }
        };
        let day = scenario.date(table).unwrap_or(today.days());
        let scenario = if options.reading == Reading::OriginAligned { scenario.from_home(table) } else { scenario };
        let scenario = match self.side.date {
            Some(date) => scenario.on(table, date),
            None => scenario,
        };
        let decided = table.decide(&scenario);
        let rows = table.rows.len();
        let index = match (decided.verdict, decided.row) {
            (Verdict::OutOfScope, _) => rows + 2,
            (_, Some(row)) => row,
            (Verdict::Undecided, None) => rows + 1,
            (_, None) => rows,
        };
        let obligations = (options.obligations && decided.verdict != Verdict::OutOfScope).then(|| {
            let (mut names, if_chosen) = table.duties(&scenario, decided);
            names.sort();
            let if_chosen = if_chosen
                .into_iter()
                .map(|(m, mut chosen)| {
                    chosen.sort();
                    (m, chosen)
                })
                .collect();
            (names, if_chosen)
        });
        Ok(((index, obligations), day))
    }
}

/// What decided a transfer on both sides, with the accords in effect on each.
type Key = (Got, Got, u64, u64);

/// What a stretch of lines gave: transfers decided, and by what decided them their line
/// numbers; refused lines.
#[derive(Default)]
struct Tally {
    decided: usize,
    by_key: BTreeMap<Key, Vec<usize>>,
    refused: Vec<Refused>,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        self.decided += other.decided;
        for (key, lines) in other.by_key {
            self.by_key.entry(key).or_default().extend(lines);
        }
        self.refused.extend(other.refused);
    }
}

/// An inventory diff being built, a stretch of lines at a time (each stretch shared out
/// between the cores).
pub struct Builder<'t> {
    a: Reader<'t>,
    b: Reader<'t>,
    options: &'t Options,
    order: Order,
    today: Date,
    lines: usize,
    tally: Tally,
}

/// A line of the inventory: its number, and its text or why it could not be read.
pub type Line = (usize, Result<Vec<u8>, String>);

impl<'t> Builder<'t> {
    /// A builder comparing `a` and `b` as `options` say; `today` dates a transfer without one.
    pub fn new(a: Side<'t>, b: Side<'t>, options: &'t Options, today: Date) -> Result<Builder<'t>, DiffError> {
        let order = Order::of(&[a.table, b.table]);
        if let Some(scoped) = options.accords.iter().find(|acc| acc.scope.is_some()) {
            return Err(DiffError::ScopedAccord { accord: scoped.id.clone() });
        }
        for side in [&a, &b] {
            let regime = &side.table.regime;
            if options.accords.iter().filter(|acc| acc.accepts.iter().any(|x| x.regime == *regime)).count() > 64 {
                return Err(DiffError::TooManyAccords { regime: regime.clone() });
            }
        }
        Ok(Builder {
            a: Reader::new(a, options),
            b: Reader::new(b, options),
            options,
            order,
            today,
            lines: 0,
            tally: Tally::default(),
        })
    }

    /// Decides a stretch of lines; a worker that stopped is an internal error, not lines lost.
    pub fn add(&mut self, lines: &[Line]) -> Result<(), crate::InternalError> {
        self.lines += lines.len();
        let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).clamp(1, 8);
        let size = lines.len().div_ceil(workers).max(1);
        let this = &*self;
        let tallies: Vec<Tally> = std::thread::scope(|scope| {
            let handles: Vec<_> = lines.chunks(size).map(|part| scope.spawn(move || this.tally(part))).collect();
            handles
                .into_iter()
                .map(|h| h.join().map_err(|_| crate::InternalError("a worker deciding inventory lines stopped".into())))
                .collect::<Result<_, _>>()
        })?;
        for t in tallies {
            self.tally.merge(t);
        }
        Ok(())
    }

    fn tally(&self, lines: &[Line]) -> Tally {
        let mut tally = Tally::default();
        for (line, text) in lines {
            let decided = text.as_ref().map_err(Clone::clone).and_then(|text| {
                Ok((self.a.decide(text, self.options, self.today)?, self.b.decide(text, self.options, self.today)?))
            });
            match decided {
                Ok(((ga, day_a), (gb, day_b))) => {
                    tally.decided += 1;
                    let key = (ga, gb, self.a.active(day_a), self.b.active(day_b));
                    tally.by_key.entry(key).or_default().push(*line);
                }
                Err(problem) => tally.refused.push(Refused { line: *line, problem }),
            }
        }
        tally
    }

    /// The report, once every line is added. A worker that stopped is a bug, said as such.
    pub fn finish(self, source: &str) -> Result<Inventory, crate::InternalError> {
        let Builder { a, b, options, order, lines, tally, .. } = self;
        let counted = tally.decided + tally.refused.len();
        if counted != lines {
            return Err(crate::InternalError(format!(
                "an inventory worker stopped: {counted} of {lines} lines were counted"
            )));
        }
        let decided = tally.decided;
        let share = |n: usize| if decided > 0 { n as f64 / decided as f64 } else { 0.0 };
        // By group: transfers, those bridged, their lines.
        let mut by_group: ByGroup = BTreeMap::new();
        let mut bridged_total = 0usize;
        for ((ga, gb, mask_a, mask_b), at) in tally.by_key {
            let (oa, ob) = (a.outcome(&ga, 0), b.outcome(&gb, 0));
            if oa == ob {
                continue;
            }
            let (ea, eb) = (a.outcome(&ga, mask_a), b.outcome(&gb, mask_b));
            let bridges = !bridging(&ea, &eb).is_empty();
            if bridges {
                bridged_total += at.len();
            }
            if ea == eb {
                continue;
            }
            let class = classify(&ea, &eb, &order).0;
            let (count, bridged, all) = by_group.entry((ea, eb, class)).or_default();
            *count += at.len();
            if bridges {
                *bridged += at.len();
            }
            all.extend(at);
        }
        let mut groups: Vec<InventoryGroup> = Vec::with_capacity(by_group.len());
        let mut by_class: BTreeMap<Class, usize> = BTreeMap::new();
        let mut differing = 0usize;
        for ((ga, gb, class), (count, bridged, mut at)) in by_group {
            *by_class.entry(class).or_default() += count;
            differing += count;
            at.sort_unstable();
            groups.push(InventoryGroup {
                share: share(count),
                order_only: Outcome::order_only(&ga, &gb),
                a: ga,
                b: gb,
                class,
                transfers: count,
                bridged,
                lines: at,
            });
        }
        groups.sort_by(|x, y| y.transfers.cmp(&x.transfers).then_with(|| (&x.a, &x.b).cmp(&(&y.a, &y.b))));
        let mut refused = tally.refused;
        refused.sort_by_key(|r| r.line);
        let class_share = |c: Class| share(by_class.get(&c).copied().unwrap_or(0));
        Ok(Inventory {
            format: "accord.inventory/1",
            a: SideInfo::of(&a.side),
            b: SideInfo::of(&b.side),
            reading: options.reading,
            obligations: options.obligations,
            accords: options.accords.iter().map(|acc| acc.id.clone()).collect(),
            source: source.to_owned(),
            lines,
            transfers: decided,
            agreement: share(decided - differing),
            a_stricter: class_share(Class::AStricter),
            b_stricter: class_share(Class::BStricter),
            incomparable: class_share(Class::Incomparable),
            bridged: share(bridged_total),
            groups,
            refused,
        })
    }
}
