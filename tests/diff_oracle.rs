//! `accord diff` agrees with brute-force enumeration.
//!
//! Pairs of random regimes are written as source text over a small vocabulary declared here
//! (four places, two kinds, three tiers, a count, a bool, the date, and a named set of places
//! with a timed member), compiled with `compile_text`, and diffed: mostly a regime against a
//! few edits of itself, sometimes against another random regime; one case in six with a shared
//! origin, one in three with obligations compared. Every point of the fact space they can tell
//! apart is then visited: every destination (homes included), every tier, every subset of
//! kinds, both flags, every count from 0 to one past the highest bound a cell uses, and every
//! date that is a bound, the day before one, or far before or after them all (a fact that no
//! cell of either table tests is visited at one value). Each point is decided by the evaluator
//! on both tables (in the origin-aligned reading each side with `origin` its own home; in the
//! same-origin reading with one origin, enumerated too), and the outcomes are compared in
//! canonical form, as the oracles read it (`tests/common`). Then:
//!
//! - (a) every point where the decisions differ lies in exactly one reported region, read
//!   from the region's cells by `admits` below (not by the engine), and that region's group
//!   has exactly those two outcomes;
//! - (b) no point where they agree lies in a region;
//! - (c) the agreement, and every group's and region's share, equal the brute-force measure
//!   under the fallback weights of `docs/weights.md` (the vocabulary here declares none): each
//!   place and tier alike, each kind present half the time, the flag true half the time, the
//!   count spread over ten bands ({0} and each decade up to a billion, a tenth each, even
//!   inside a band) and the date even over 2000-2049. The count and date segments between the
//!   bounds either side's cells use are derived here from the tables' cells (obligation rows
//!   only when obligations are compared; in the aligned reading without rows that cannot apply
//!   from the home); each weighs through one representative point (its first value) the mass
//!   the fallback gives the whole segment, computed here. Both sides sum floating-point
//!   products in different orders, so they are compared to within 1e-9;
//! - (c′) the bridged share, in all and per group, is the measure of the points where both
//!   outcomes are `require` and one mechanism is in every group of both;
//! - with a restriction (`--given`, one case in four: a tier, the flag, a destination, a set of
//!   kinds), only points inside it are compared: none outside lies in a region, and shares are
//!   of the points inside;
//! - with accords (one case in three: random acceptances between `eu_scc` and `bcr`, random
//!   effective ranges, random scopes), a point where the outcomes differ but, read through the
//!   accords that apply there, become equal lies in no region and counts as resolved; groups
//!   are of the outcomes before accords, classes and bridges after;
//! - with `--facts` (one case in five without accords), every region is a box over those facts
//!   only; a differing point lies in exactly one box of its own group, and a region's share is
//!   that of its group's points inside the box (boxes of other groups, and agreeing points, may
//!   lie under a projected box);
//! - (d) every region's witness lies in the region, and the evaluator decides it on each table
//!   as the group says (a witness has no `origin` in the aligned reading: the scenario reader
//!   takes the regime's home);
//! - and each region names, for each side, exactly the rules (or `default`, `gap`,
//!   `out_of_scope`) that the evaluator finds deciding at some point of it.
//!
//! Corridors are checked the same way (`check_corridor`): each transfer made both ways is
//! decided by each side and read through its accords, and the shares of each side's outcomes,
//! of each joint pair and of the four totals, the single mechanisms and the witnesses must agree.
//!
//! Two deterministic tests follow: each standard regime against itself, and a random regime
//! against a copy whose `require` alternatives, obligations and disjoint adjacent rules are
//! written in another order.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod common;

use accord::analysis::corridor::Corridor;
use accord::analysis::diff::{
    Cells, Diff, DiffError, Listing, Method, Options, Outcome, Reading, Region, RuleRef, Side, diff, diff_by,
};
use accord::compile::accords::{Acceptance, Accord};
use accord::compile::compile_text;
use accord::date::Date;
use accord::eval::{Scenario, Verdict};
use accord::table::{Cell, Table};
use common::canonical;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};

const VOCABULARY: &str = "
enum Place { A B C D }
enum Kind { K1 K2 }
enum Tier { T1 T2 T3 }
set NEAR: Place = { B, C effective 2024-06-01.. }
facts {
  origin: Place
  destination: Place
  kinds: set<Kind>
  n: count
  flag: bool
  tier: Tier
  date: date
}
";

const PLACES: [&str; 4] = ["A", "B", "C", "D"];
const TIERS: [&str; 3] = ["T1", "T2", "T3"];
const DATES: [&str; 2] = ["2024-01-01", "2024-06-01"];
/// Before and after every bound a generated regime can use.
const FAR_BEFORE: &str = "2000-01-01";
const FAR_AFTER: &str = "2030-01-01";
const OBLIGATIONS: [&str; 3] = ["pipia", "separate_consent", "record_of_transfers"];
/// `require` outcomes as groups of alternatives, `true` for a cascade (`a, else b`); some are
/// equal once canonical, some differ only in order.
const REQUIRES: [&[(&[&str], bool)]; 9] = [
    &[(&["eu_scc"], false)],
    &[(&["bcr", "eu_scc"], false)],
    &[(&["eu_scc", "bcr"], false)],
    &[(&["eu_scc"], false), (&["bcr"], false)],
    &[(&["bcr", "eu_scc"], false), (&["eu_scc"], false)],
    &[(&["eu_scc", "bcr"], true)],
    &[(&["bcr", "eu_scc"], true)],
    &[(&["bcr", "eu_scc"], true), (&["eu_scc"], false)],
    &[(&["eu_scc", "bcr"], true), (&["eu_scc"], false)],
];
/// What an obligation may come `upon`.
const UPON: [&str; 2] = ["eu_scc", "bcr"];

// ── cascades, as the oracle reads them ─────────────────────────────────────────────────────
/// What a group asks, as an oracle reads it: for each alternative, the alternatives that must
/// be unavailable before it may be relied on (those before it in a cascade, none otherwise).
fn asks(group: &[String], ordered: bool) -> BTreeSet<(String, BTreeSet<String>)> {
    group
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let before = if ordered { group[..i].iter().cloned().collect() } else { BTreeSet::new() };
            (m.clone(), before)
        })
        .collect()
}

/// `require` groups that may be cascades (`true`), in canonical form, with the indices of the
/// cascades: a plain group sorted and without repeats, a cascade without repeats in its order
/// (a cascade of one is a plain group), a group dropped where meeting another group always
/// meets it, groups sorted. Meeting `h` always meets `g` when every alternative `h` may rely
/// on is one of `g`'s, and `g` asks it to wait for no alternative `h` does not.
pub fn canonical_cascades(groups: &[(Vec<String>, bool)]) -> (Vec<Vec<String>>, Vec<usize>) {
    let normal: BTreeSet<(Vec<String>, bool)> = groups
        .iter()
        .map(|(g, ordered)| {
            let mut seen = BTreeSet::new();
            let mut g: Vec<String> = g.iter().filter(|m| seen.insert((*m).clone())).cloned().collect();
            if !ordered {
                g.sort();
            }
            let ordered = *ordered && g.len() > 1;
            (g, ordered)
        })
        .collect();
    let meets = |h: &(Vec<String>, bool), g: &(Vec<String>, bool)| {
        let wanted = asks(&g.0, g.1);
        asks(&h.0, h.1).iter().all(|(m, waits)| wanted.iter().any(|(x, w)| x == m && w.is_subset(waits)))
    };
    let kept: Vec<&(Vec<String>, bool)> =
        normal.iter().filter(|g| !normal.iter().any(|h| h != *g && meets(h, g))).collect();
    let ordered = kept.iter().enumerate().filter(|(_, (_, o))| *o).map(|(i, _)| i).collect();
    (kept.into_iter().map(|(g, _)| g.clone()).collect(), ordered)
}

// ── a seeded generator ──────────────────────────────────────────────────────────────────────

/// xorshift64*: deterministic, so that a failure names the case that shows it.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    /// A non-empty subset, in the order of `items`.
    fn subset<'a>(&mut self, items: &[&'a str]) -> Vec<&'a str> {
        loop {
            let chosen: Vec<&str> = items.iter().copied().filter(|_| self.chance(50)).collect();
            if !chosen.is_empty() {
                return chosen;
            }
        }
    }
}

// ── regimes as data, written as text ────────────────────────────────────────────────────────

#[derive(Debug, Clone, PartialEq)]
enum Then {
    Permit,
    Prohibit,
    /// Groups, each with whether it is a cascade.
    Require(Vec<(Vec<&'static str>, bool)>),
}

impl Then {
    fn random(rng: &mut Rng) -> Then {
        match rng.below(4) {
            0 => Then::Permit,
            1 => Then::Prohibit,
            _ => Then::Require(REQUIRES[rng.below(REQUIRES.len())].iter().map(|(g, o)| (g.to_vec(), *o)).collect()),
        }
    }

    /// As written; `reversed` writes groups, and the alternatives of groups that are not
    /// cascades, in the opposite order (a cascade's order is what it says).
    fn text(&self, reversed: bool) -> String {
        match self {
            Then::Permit => "permit".into(),
            Then::Prohibit => "prohibit".into(),
            Then::Require(groups) => {
                let mut groups: Vec<(Vec<&str>, bool)> = groups.clone();
                if reversed {
                    groups.reverse();
                    groups.iter_mut().filter(|(_, o)| !o).for_each(|(g, _)| g.reverse());
                }
                groups
                    .iter()
                    .map(|(g, o)| format!("require {}", g.join(if *o { ", else " } else { " or " })))
                    .collect::<Vec<_>>()
                    .join(" and ")
            }
        }
    }
}

#[derive(Debug, Clone)]
struct Rule {
    when: String,
    effective: String,
    then: Then,
}

#[derive(Debug, Clone)]
struct Regime {
    home: String,
    lets: Vec<String>,
    rules: Vec<Rule>,
    /// (obligation, effective, ` upon …` or nothing, condition)
    obligations: Vec<(&'static str, String, String, String)>,
    default: Option<Then>,
}

impl Regime {
    fn text(&self, id: &str, reversed: bool) -> String {
        let mut text = format!("regime {id} \"Random {id}\" {{\n  home {}\n", self.home);
        for (i, cond) in self.lets.iter().enumerate() {
            text.push_str(&format!("  let l{i} = {cond}\n"));
        }
        for (i, r) in self.rules.iter().enumerate() {
            text.push_str(&format!(
                "  rule r{i} \"Rule {i}\" cite \"Art. {i}\"{} when {} then {}\n",
                r.effective,
                r.when,
                r.then.text(reversed)
            ));
        }
        let mut obligations: Vec<&(&str, String, String, String)> = self.obligations.iter().collect();
        if reversed {
            obligations.reverse();
        }
        for (name, effective, upon, when) in obligations {
            text.push_str(&format!("  oblige {name} \"Obligation\" cite \"Art. 99\"{effective}{upon} when {when}\n"));
        }
        if let Some(d) = &self.default {
            text.push_str(&format!("  default {}\n", d.text(reversed)));
        }
        text.push_str("}\n");
        text
    }
}

/// What atoms a condition may use.
#[derive(Clone, Copy)]
struct Atoms {
    lets: usize,
    origin: bool,
}

fn atom(rng: &mut Rng, atoms: Atoms) -> String {
    loop {
        return match rng.below(19) {
            0 => format!("destination == {}", rng.pick(&PLACES)),
            1 => format!("destination != {}", rng.pick(&PLACES)),
            2 => format!("destination in {{{}}}", rng.subset(&PLACES).join(", ")),
            3 => "destination in NEAR".into(),
            4 if atoms.origin => format!("origin == {}", rng.pick(&PLACES)),
            5 if atoms.origin => format!("origin != {}", rng.pick(&PLACES)),
            6 => format!("kinds has {}", rng.pick(&["K1", "K2"])),
            7 => "kinds has any {K1, K2}".into(),
            8 => "kinds has all {K1, K2}".into(),
            9 => format!("n < {}", 1 + rng.below(4)),
            10 => format!("n >= {}", 1 + rng.below(4)),
            11 => {
                let lo = rng.below(3);
                format!("n in {lo}..{}", lo + 1 + rng.below(2))
            }
            12 => "flag".into(),
            13 => format!("tier == {}", rng.pick(&TIERS)),
            14 => format!("tier in {{{}}}", rng.subset(&TIERS).join(", ")),
            15 => format!("date >= {}", rng.pick(&DATES)),
            16 => format!("date < {}", rng.pick(&DATES)),
            17 | 18 if atoms.lets > 0 => format!("l{}", rng.below(atoms.lets)),
            _ => continue,
        };
    }
}

fn condition(rng: &mut Rng, depth: usize, atoms: Atoms) -> String {
    if depth == 0 || rng.chance(40) {
        return atom(rng, atoms);
    }
    match rng.below(3) {
        0 => format!("({} and {})", condition(rng, depth - 1, atoms), condition(rng, depth - 1, atoms)),
        1 => format!("({} or {})", condition(rng, depth - 1, atoms), condition(rng, depth - 1, atoms)),
        _ => format!("not ({})", condition(rng, depth - 1, atoms)),
    }
}

fn effective(rng: &mut Rng) -> String {
    match rng.below(6) {
        0 => format!(" effective {}..", rng.pick(&DATES)),
        1 => format!(" effective ..{}", rng.pick(&DATES)),
        2 => format!(" effective {}..{}", DATES[0], DATES[1]),
        _ => String::new(),
    }
}

fn rule(rng: &mut Rng, atoms: Atoms) -> Rule {
    Rule { when: condition(rng, 2, atoms), effective: effective(rng), then: Then::random(rng) }
}

fn regime(rng: &mut Rng, home: &str, origin: bool) -> Regime {
    let lets: Vec<String> = (0..rng.below(3)).map(|_| condition(rng, 1, Atoms { lets: 0, origin })).collect();
    let atoms = Atoms { lets: lets.len(), origin };
    let rules = (0..1 + rng.below(5)).map(|_| rule(rng, atoms)).collect();
    let mut names = OBLIGATIONS.to_vec();
    let mut obligations = Vec::new();
    for _ in 0..rng.below(3) {
        let name = names.remove(rng.below(names.len()));
        let upon = match rng.below(4) {
            0 => format!(" upon {}", rng.pick(&UPON)),
            1 => " upon eu_scc or bcr".to_owned(),
            _ => String::new(),
        };
        obligations.push((name, effective(rng), upon, condition(rng, 1, atoms)));
    }
    let default = match rng.below(3) {
        0 => None,
        _ => Some(Then::random(rng)),
    };
    Regime { home: home.to_owned(), lets, rules, obligations, default }
}

/// A variant of `r`: a few edits, so that the two mostly agree and differ somewhere.
fn mutate(rng: &mut Rng, r: &Regime, home: &str, origin: bool) -> Regime {
    let mut m = r.clone();
    m.home = home.to_owned();
    let atoms = Atoms { lets: m.lets.len(), origin };
    for _ in 0..rng.below(4) {
        let k = rng.below(m.rules.len());
        match rng.below(8) {
            0 => m.rules[k].then = Then::random(rng),
            1 => m.rules[k].when = condition(rng, 2, atoms),
            2 if m.rules.len() > 1 => {
                m.rules.remove(k);
            }
            3 => m.rules.insert(k, rule(rng, atoms)),
            4 if k + 1 < m.rules.len() => m.rules.swap(k, k + 1),
            5 => m.default = if rng.chance(30) { None } else { Some(Then::random(rng)) },
            6 => m.rules[k].effective = effective(rng),
            _ => {
                if let Some(o) = m.obligations.first_mut() {
                    o.3 = condition(rng, 1, atoms);
                }
            }
        }
    }
    m
}

// ── reading decisions and regions ───────────────────────────────────────────────────────────

fn decide(table: &Table, scenario: &Value, obligations: bool) -> Result<Outcome, String> {
    decide_by(table, scenario, obligations).map(|(outcome, _)| outcome)
}

/// What the evaluator decides, and what decides it, named as a diff names a region's deciding
/// rules: the rule's id, `default`, `gap` or `out_of_scope`.
fn decide_by(table: &Table, scenario: &Value, obligations: bool) -> Result<(Outcome, String), String> {
    let read = Scenario::from_value(table, scenario, Date::parse(TODAY).unwrap())
        .map_err(|e| format!("{scenario} does not read as a scenario of `{}`: {e:?}", table.regime))?;
    let d = table.evaluate(&read);
    let if_chosen = if obligations {
        d.if_chosen.iter().map(|(m, names)| (m.clone(), sorted(names))).collect()
    } else {
        BTreeMap::new()
    };
    let obligations = obligations.then(|| sorted(&d.obligations));
    let by = match (&d.rule, d.verdict) {
        (Some(rule), _) => rule.clone(),
        (None, Verdict::OutOfScope) => "out_of_scope".to_owned(),
        (None, Verdict::Undecided) => "gap".to_owned(),
        (None, _) => "default".to_owned(),
    };
    let groups: Vec<(Vec<String>, bool)> =
        d.require.iter().enumerate().map(|(i, g)| (g.clone(), d.ordered.contains(&i))).collect();
    let (require, ordered) = canonical_cascades(&groups);
    Ok((Outcome { verdict: d.verdict, require, ordered, obligations, if_chosen }, by))
}

/// Names sorted, each once.
fn sorted(names: &[String]) -> Vec<String> {
    names.iter().cloned().collect::<BTreeSet<String>>().into_iter().collect()
}

/// A point of the space: a value for every fact (`origin` only in the same-origin reading).
#[derive(Debug, Clone)]
struct Point {
    origin: Option<String>,
    destination: String,
    tier: String,
    kinds: Vec<String>,
    n: i64,
    flag: bool,
    date: String,
}

/// The date the evaluator gives a scenario that has none.
const TODAY: &str = "2026-01-01";

impl Point {
    fn json(&self) -> Value {
        let mut p = json!({
            "destination": self.destination, "tier": self.tier, "kinds": self.kinds,
            "n": self.n, "flag": self.flag, "date": self.date,
        });
        if let Some(origin) = &self.origin {
            p["origin"] = origin.clone().into();
        }
        p
    }

    /// A witness as a point, each fact it leaves out at the value the evaluator gives it
    /// (`tier` has none: a region that tests it must have a witness that names it).
    fn of_witness(w: &Value) -> Point {
        let text = |fact: &str| w.get(fact).map(|v| v.as_str().unwrap().to_owned());
        Point {
            origin: text("origin"),
            destination: text("destination").unwrap_or_default(),
            tier: text("tier").unwrap_or_default(),
            kinds: w.get("kinds").map_or_else(Vec::new, |k| {
                k.as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect()
            }),
            n: w.get("n").map_or(0, |n| n.as_i64().unwrap()),
            flag: w.get("flag").is_some_and(|f| f.as_bool().unwrap()),
            date: text("date").unwrap_or_else(|| TODAY.to_owned()),
        }
    }
}

/// One cell of a region, read from its JSON (`{"in"}`, `{"has", "lacks"}`, `{"counts"}`,
/// `{"dates"}`, `{"is"}`): what it admits.
#[derive(Debug)]
enum Admits {
    Members(Vec<String>),
    Set {
        has: Vec<String>,
        lacks: Vec<String>,
    },
    Counts(Vec<(Option<i64>, Option<i64>)>),
    /// `YYYY-MM-DD` bounds, which compare as text in calendar order.
    Dates(Vec<(Option<String>, Option<String>)>),
    Is(bool),
}

impl Admits {
    fn read(cell: &Value) -> Admits {
        let strings = |v: Option<&Value>| -> Vec<String> {
            v.map(|v| v.as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect())
                .unwrap_or_default()
        };
        let bound = |r: &Value, key: &str| r.get(key).and_then(|b| b.as_str()).map(str::to_owned);
        if let Some(is) = cell.get("is") {
            Admits::Is(is.as_bool().unwrap())
        } else if let Some(members) = cell.get("in") {
            Admits::Members(strings(Some(members)))
        } else if cell.get("has").is_some() || cell.get("lacks").is_some() {
            Admits::Set { has: strings(cell.get("has")), lacks: strings(cell.get("lacks")) }
        } else if let Some(counts) = cell.get("counts") {
            let counts = counts.as_array().unwrap();
            Admits::Counts(counts.iter().map(|r| (r["from"].as_i64(), r["until"].as_i64())).collect())
        } else if let Some(dates) = cell.get("dates") {
            let dates = dates.as_array().unwrap();
            Admits::Dates(dates.iter().map(|r| (bound(r, "from"), bound(r, "until"))).collect())
        } else {
            panic!("unknown cell {cell}")
        }
    }

    fn admits(&self, fact: &str, p: &Point) -> bool {
        match (self, fact) {
            (Admits::Members(m), "destination") => m.contains(&p.destination),
            (Admits::Members(m), "origin") => p.origin.as_ref().is_some_and(|o| m.contains(o)),
            (Admits::Members(m), "tier") => m.contains(&p.tier),
            (Admits::Set { has, lacks }, "kinds") => {
                has.iter().all(|h| p.kinds.contains(h)) && !lacks.iter().any(|l| p.kinds.contains(l))
            }
            (Admits::Counts(ranges), "n") => {
                ranges.iter().any(|&(from, until)| from.is_none_or(|f| p.n >= f) && until.is_none_or(|u| p.n < u))
            }
            (Admits::Dates(ranges), "date") => ranges.iter().any(|(from, until)| {
                from.as_ref().is_none_or(|f| p.date >= *f) && until.as_ref().is_none_or(|u| p.date < *u)
            }),
            (Admits::Is(is), "flag") => p.flag == *is,
            (cell, fact) => panic!("a region reads `{fact}` with {cell:?}"),
        }
    }
}

/// A region's `when`, read from its JSON.
fn read_when(when: &Value) -> Vec<(String, Admits)> {
    when.as_object().unwrap().iter().map(|(fact, cell)| (fact.clone(), Admits::read(cell))).collect()
}

fn inside(when: &[(String, Admits)], point: &Point) -> bool {
    when.iter().all(|(fact, cell)| cell.admits(fact, point))
}

// ── the space, enumerated ───────────────────────────────────────────────────────────────────

/// The rows of a table a diff reads: verdict rows, and obligation rows when obligations are
/// compared.
fn all_rows(table: &Table, obligations: bool) -> impl Iterator<Item = &std::collections::BTreeMap<String, Cell>> {
    let extra = if obligations { table.obligations.as_slice() } else { &[] };
    table.rows.iter().map(|r| &r.cells).chain(extra.iter().map(|o| &o.cells))
}

/// The bounds the cells of both sides use: counts, and dates as text. In the aligned reading,
/// a row whose `origin` cell admits no home member never applies from the home, so it is not
/// part of the side compared.
fn bounds(tables: [&Table; 2], reading: Reading, obligations: bool) -> (BTreeSet<i64>, BTreeSet<String>) {
    let (mut counts, mut dates) = (BTreeSet::new(), BTreeSet::new());
    for table in tables {
        let compared = all_rows(table, obligations).filter(|cells| match (reading, cells.get(&table.scope.origin)) {
            (Reading::OriginAligned, Some(Cell::Enum { members })) => {
                table.home.iter().any(|h| members.iter().any(|m| **m == **h))
            }
            _ => true,
        });
        for cell in compared.flat_map(|cells| cells.values()) {
            match cell {
                Cell::Counts { counts: ranges } => {
                    for r in ranges {
                        counts.insert(r.from);
                        counts.extend(r.until);
                    }
                }
                Cell::Dates { dates: ranges } => {
                    for r in ranges {
                        dates.extend(r.from.clone());
                        dates.extend(r.until.clone());
                    }
                }
                _ => {}
            }
        }
    }
    (counts, dates)
}

/// The facts some cell of a table tests, and the set members tested.
fn tested(table: &Table) -> (BTreeSet<String>, BTreeSet<String>) {
    let (mut facts, mut members) = (BTreeSet::new(), BTreeSet::new());
    for (fact, cell) in all_rows(table, true).flatten() {
        facts.insert(fact.clone());
        if let Cell::Set { has, lacks } = cell {
            members.extend(has.iter().chain(lacks).map(|m| m.to_string()));
        }
    }
    (facts, members)
}

/// The fallback weight of counts `lo <= n < hi` (`None`: no end): {0} and each decade from 1
/// to a billion weigh a tenth, spread evenly over their counts.
fn count_mass(lo: i64, hi: Option<i64>) -> f64 {
    let mut bands = vec![(0i64, 1i64)];
    let mut from = 1i64;
    for _ in 0..9 {
        bands.push((from, from * 10));
        from *= 10;
    }
    let overlap = |(f, u): (i64, i64)| {
        let (start, end) = (lo.max(f), hi.map_or(u, |h| h.min(u)));
        if end > start { 0.1 * (end - start) as f64 / (u - f) as f64 } else { 0.0 }
    };
    bands.into_iter().map(overlap).sum()
}

/// The fallback weight of dates `lo <= d < hi` (`None`: no end): even over 2000-2049.
fn date_mass(lo: Option<&str>, hi: Option<&str>) -> f64 {
    let day = |d: &str| Date::parse(d).unwrap().days();
    let (f, u) = (day("2000-01-01"), day("2050-01-01"));
    let (start, end) = (lo.map_or(f, |l| day(l).max(f)), hi.map_or(u, |h| day(h).min(u)));
    if end > start { (end - start) as f64 / (u - f) as f64 } else { 0.0 }
}

/// Every point to visit, each with its weight in the measure: the mass of its count and date
/// segments for the first value of each, 0 for the other values visited. A fact no cell of
/// either table tests cannot tell two transfers apart, so it is visited at one value only
/// (which scales both sides of every share alike).
fn points(
    tables: [&Table; 2],
    reading: Reading,
    obligations: bool,
    accords: &[Accord],
    given: &Cells,
) -> Vec<(Point, f64)> {
    let (count_bounds, mut date_bounds) = bounds(tables, reading, obligations);
    let (mut facts, mut members) = tested(tables[0]);
    let (facts_b, members_b) = tested(tables[1]);
    facts.extend(facts_b);
    members.extend(members_b);
    // Accords' dates tell points apart too.
    for accord in accords {
        for &(from, until) in &accord.ranges {
            date_bounds.extend(from.into_iter().chain(until).map(|d| Date::from_days(d).to_string()));
            facts.insert("date".to_owned());
        }
    }
    // So do the accords' scopes and the restriction.
    for (fact, cell) in accords.iter().flat_map(|a| a.scope.iter().flatten().flatten()).chain(given) {
        facts.insert(fact.clone());
        if let Cell::Set { has, lacks } = cell {
            members.extend(has.iter().chain(lacks).map(|m| m.to_string()));
        }
    }
    let top = count_bounds.iter().max().copied().unwrap_or(0);
    let next_count = |n: i64| count_bounds.iter().copied().find(|&b| b > n);
    let counts: Vec<(i64, f64)> = (0..=top + 1)
        .map(|n| (n, if n == 0 || count_bounds.contains(&n) { count_mass(n, next_count(n)) } else { 0.0 }))
        .collect();
    let next_date = |d: &str| date_bounds.iter().find(|b| b.as_str() > d).cloned();
    let mut dates: BTreeSet<(String, u64)> = BTreeSet::new();
    let mass = |m: f64| m.to_bits();
    for d in &date_bounds {
        assert!(FAR_BEFORE < d.as_str() && d.as_str() < FAR_AFTER, "bound {d} outside the dates visited");
        let day_before = Date::from_days(Date::parse(d).unwrap().days() - 1).to_string();
        dates.insert((d.clone(), mass(date_mass(Some(d), next_date(d).as_deref()))));
        if !date_bounds.contains(&day_before) {
            dates.insert((day_before, mass(0.0)));
        }
    }
    // The segment before the first bound is represented by FAR_BEFORE.
    dates.insert((FAR_BEFORE.to_owned(), mass(date_mass(None, date_bounds.iter().next().map(String::as_str)))));
    dates.insert((FAR_AFTER.to_owned(), mass(0.0)));
    let dates: Vec<(String, f64)> = dates.into_iter().map(|(d, m)| (d, f64::from_bits(m))).collect();
    let mut kinds: Vec<Vec<String>> = vec![Vec::new()];
    for k in ["K1", "K2"].into_iter().filter(|k| members.contains(*k)) {
        let with: Vec<Vec<String>> = kinds.iter().map(|s| s.iter().cloned().chain([k.to_owned()]).collect()).collect();
        kinds.extend(with);
    }
    let some = |fact: &str, all: usize| if facts.contains(fact) { all } else { 1 };
    let origins: Vec<Option<&str>> =
        if reading == Reading::SameOrigin { PLACES.iter().copied().map(Some).collect() } else { vec![None] };
    let mut out = Vec::new();
    for origin in &origins {
        for destination in PLACES {
            for tier in &TIERS[..some("tier", TIERS.len())] {
                for k in &kinds {
                    for &flag in &[false, true][..some("flag", 2)] {
                        for &(n, n_weight) in &counts[..some("n", counts.len())] {
                            for (date, date_weight) in &dates[..some("date", dates.len())] {
                                let point = Point {
                                    origin: origin.map(str::to_owned),
                                    destination: destination.to_owned(),
                                    tier: (*tier).to_owned(),
                                    kinds: k.clone(),
                                    n,
                                    flag,
                                    date: date.clone(),
                                };
                                // A fact visited at one value weighs through it alone.
                                let n_weight = if facts.contains("n") { n_weight } else { 1.0 };
                                let date_weight = if facts.contains("date") { *date_weight } else { 1.0 };
                                out.push((point, n_weight * date_weight));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// What one side decides, remembered by the values of the facts its table tests (the others
/// cannot change its decision), so that each distinct case is evaluated once.
struct Decider<'t> {
    table: &'t Table,
    facts: BTreeSet<String>,
    reading: Reading,
    obligations: bool,
    seen: HashMap<String, (Outcome, String)>,
}

impl<'t> Decider<'t> {
    fn new(table: &'t Table, options: &Options) -> Decider<'t> {
        let (mut facts, _) = tested(table);
        facts.extend([table.scope.origin.clone(), table.scope.destination.clone()]);
        Decider { table, facts, reading: options.reading, obligations: options.obligations, seen: HashMap::new() }
    }

    /// The outcome at `point`, and the rule (or `default`, `gap`, `out_of_scope`) deciding it.
    fn decide(&mut self, point: &Point) -> Result<(Outcome, String), String> {
        let tests = |fact: &str| self.facts.contains(fact);
        let key = format!(
            "{:?}",
            (
                point.origin.as_ref().filter(|_| tests("origin")),
                &point.destination,
                tests("tier").then_some(&point.tier),
                tests("kinds").then_some(&point.kinds),
                tests("n").then_some(point.n),
                tests("flag").then_some(point.flag),
                tests("date").then_some(&point.date),
            )
        );
        if let Some(decided) = self.seen.get(&key) {
            return Ok(decided.clone());
        }
        let mut scenario = point.json();
        // In the aligned reading, each side reads the transfer as leaving its own home.
        if self.reading == Reading::OriginAligned {
            scenario["origin"] = self.table.home[0].clone().into();
        }
        let decided = decide_by(self.table, &scenario, self.obligations)?;
        self.seen.insert(key, decided.clone());
        Ok(decided)
    }
}

/// `outcome` of `table` once the accords that apply at `point` are read: each acceptance by the
/// table's regime, in effect on the point's date and with the point inside its scope (read
/// from the table's home in the aligned reading: a point has no origin there), adds its
/// mechanisms to every group holding the one they stand for (in a cascade, right after it).
fn accepted(outcome: &Outcome, table: &Table, accords: &[Accord], point: &Point) -> Outcome {
    let day = Date::parse(&point.date).unwrap().days();
    let mut require: Vec<(Vec<String>, bool)> =
        outcome.require.iter().enumerate().map(|(i, g)| (g.clone(), outcome.ordered.contains(&i))).collect();
    for accord in accords {
        let dated = accord.ranges.is_empty()
            || accord.ranges.iter().any(|&(f, u)| f.is_none_or(|f| day >= f) && u.is_none_or(|u| day < u));
        let within = accord.scope.as_ref().is_none_or(|boxes| {
            boxes.iter().any(|cells| inside(&read_when(&serde_json::to_value(cells).unwrap()), point))
        });
        if !dated || !within {
            continue;
        }
        for acceptance in accord.accepts.iter().filter(|x| x.regime == table.regime) {
            for (group, _) in &mut require {
                if let Some(at) = group.iter().position(|m| *m == acceptance.as_mechanism) {
                    let after: Vec<String> = group.split_off(at + 1);
                    group.extend(acceptance.mechanisms.iter().cloned());
                    group.extend(after);
                }
            }
        }
    }
    let (require, ordered) = canonical_cascades(&require);
    Outcome { require, ordered, ..outcome.clone() }
}

/// Whether one mechanism alone meets every group of both outcomes (both `require`).
fn bridges(a: &Outcome, b: &Outcome) -> bool {
    if a.verdict != Verdict::Require || b.verdict != Verdict::Require {
        return false;
    }
    let groups: Vec<&Vec<String>> = a.require.iter().chain(&b.require).collect();
    let mechanisms: BTreeSet<&String> = groups.iter().flat_map(|g| g.iter()).collect();
    mechanisms.into_iter().any(|m| groups.iter().all(|g| g.contains(m)))
}

/// Checks (a) to (d) for one diff; `Err` says what went wrong.
fn check(a: &Table, b: &Table, options: &Options, report: &Diff) -> Result<(), String> {
    // No figure is negative, not even -0 (which a report would print as "-0"), nor above 1.
    let t = &report.totals;
    let figures = [t.agreement, t.a_stricter, t.b_stricter, t.incomparable, t.resolved, t.bridged];
    let shares =
        report.groups.iter().flat_map(|g| [g.share, g.bridged].into_iter().chain(g.regions.iter().map(|r| r.share)));
    if figures.into_iter().chain(shares).any(|f| f.is_sign_negative() || f > 1.0) {
        return Err(format!("a figure is out of [0, 1]: {t:?}"));
    }
    let regions: Vec<(usize, Vec<(String, Admits)>)> = report
        .groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            group.regions.iter().map(move |r| (g, read_when(&serde_json::to_value(&r.when).unwrap())))
        })
        .collect();
    let (mut decide_a, mut decide_b) = (Decider::new(a, options), Decider::new(b, options));
    let mut total = 0.0f64;
    let mut differing = 0.0f64;
    let mut by_group = vec![0.0f64; report.groups.len()];
    let mut by_region = vec![0.0f64; regions.len()];
    // Where one mechanism alone meets both sides' requirements, in all and by group.
    let mut bridged = 0.0f64;
    let mut bridged_by_group = vec![0.0f64; report.groups.len()];
    // The rules of each side that decide somewhere in each region.
    let mut deciding: Vec<(BTreeSet<String>, BTreeSet<String>)> = vec![Default::default(); regions.len()];
    let mut resolved = 0.0f64;
    let given = read_when(&serde_json::to_value(&options.given).unwrap());
    // With `--facts`, regions are boxes over those facts only, each read within its group.
    let projected = options.facts.is_some();
    if let Some(facts) = &options.facts {
        for (g, group) in report.groups.iter().enumerate() {
            for region in &group.regions {
                let when = region.when.as_ref().ok_or("a projected region has no `when`")?;
                if let Some(other) = when.keys().find(|f| !facts.contains(f)) {
                    return Err(format!("a region of group {g} constrains `{other}`, outside --facts {facts:?}"));
                }
            }
        }
    }
    for (point, weight) in points([a, b], options.reading, options.obligations, &options.accords, &options.given) {
        let mut containing: Vec<usize> = (0..regions.len()).filter(|&i| inside(&regions[i].1, &point)).collect();
        // Only transfers inside `--given` are compared: none outside lies in a region (but a
        // projected box may reach anywhere over the facts left out).
        if !inside(&given, &point) {
            if let Some(&i) = containing.first().filter(|_| !projected) {
                return Err(format!("{} is outside the restriction but lies in region {i}", point.json()));
            }
            continue;
        }
        let ((oa, by_a), (ob, by_b)) = (decide_a.decide(&point)?, decide_b.decide(&point)?);
        total += weight;
        if oa == ob {
            if let Some(&i) = containing.first().filter(|_| !projected) {
                return Err(format!("{} agrees ({}) but lies in region {i}", point.json(), oa.text()));
            }
            continue;
        }
        // After the accords that apply at this point, to each side.
        let (ea, eb) = (accepted(&oa, a, &options.accords, &point), accepted(&ob, b, &options.accords, &point));
        if bridges(&ea, &eb) {
            bridged += weight;
        }
        if ea == eb {
            resolved += weight;
            if let Some(&i) = containing.first().filter(|_| !projected) {
                return Err(format!("{} is resolved by accords but lies in region {i}", point.json()));
            }
            continue;
        }
        differing += weight;
        // Projected, a point lies in exactly one box of its own group (boxes of other groups
        // may reach over it).
        if projected {
            containing.retain(|&i| (&report.groups[regions[i].0].a, &report.groups[regions[i].0].b) == (&oa, &ob));
        }
        let [i] = containing[..] else {
            return Err(format!(
                "{}: A {} but B {}, in {} regions {containing:?}",
                point.json(),
                oa.text(),
                ob.text(),
                containing.len()
            ));
        };
        let g = regions[i].0;
        let group = &report.groups[g];
        if (&group.a, &group.b) != (&oa, &ob) {
            return Err(format!(
                "{}: A {} but B {}, in a region of group {} / {}",
                point.json(),
                oa.text(),
                ob.text(),
                group.a.text(),
                group.b.text()
            ));
        }
        by_group[g] += weight;
        by_region[i] += weight;
        if bridges(&ea, &eb) {
            bridged_by_group[g] += weight;
        }
        if let Some((in_a, in_b)) = deciding.get_mut(i) {
            in_a.insert(by_a);
            in_b.insert(by_b);
        }
    }
    // The engine sums the same products in another order; see the module doc.
    let share = |part: f64| part / total;
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9;
    if !close(report.totals.agreement, 1.0 - share(differing)) {
        return Err(format!(
            "agreement {} but enumeration gives 1 - {differing}/{total} = {}",
            report.totals.agreement,
            1.0 - share(differing)
        ));
    }
    if !close(report.totals.resolved, share(resolved)) {
        return Err(format!("resolved {} but enumeration gives {resolved}/{total}", report.totals.resolved));
    }
    if !close(report.totals.bridged, share(bridged)) {
        return Err(format!("bridged {} but enumeration gives {bridged}/{total}", report.totals.bridged));
    }
    let mut i = 0;
    for (g, group) in report.groups.iter().enumerate() {
        // "Same alternatives, different order": both require the same groups as sets of
        // mechanisms, with the same duties, yet differ.
        let members = |o: &Outcome| -> BTreeSet<BTreeSet<String>> {
            o.require.iter().map(|g| g.iter().cloned().collect()).collect()
        };
        let order_only = group.a.verdict == Verdict::Require
            && group.b.verdict == Verdict::Require
            && members(&group.a) == members(&group.b)
            && (&group.a.obligations, &group.a.if_chosen) == (&group.b.obligations, &group.b.if_chosen);
        if group.order_only != order_only {
            return Err(format!("group {g}: order_only {} but the outcomes say {order_only}", group.order_only));
        }
        if !close(group.bridged, share(bridged_by_group[g])) {
            return Err(format!("group {g} bridged {} but enumeration gives {}", group.bridged, bridged_by_group[g]));
        }
        if !close(group.share, share(by_group[g])) {
            return Err(format!("group {g} share {} but enumeration gives {}/{total}", group.share, by_group[g]));
        }
        for region in &group.regions {
            if !close(region.share, share(by_region[i])) {
                return Err(format!(
                    "region {i} share {} but enumeration gives {}/{total}",
                    region.share, by_region[i]
                ));
            }
            // Each side's deciding rules are those that decide at some point of the region.
            let named = |rules: &[RuleRef]| -> BTreeSet<String> { rules.iter().map(|r| r.rule.clone()).collect() };
            let (in_a, in_b) = &deciding[i];
            if (&named(&region.a_rules), &named(&region.b_rules)) != (in_a, in_b) {
                return Err(format!(
                    "region {i} names rules {:?} / {:?}, but {in_a:?} / {in_b:?} decide in it",
                    named(&region.a_rules),
                    named(&region.b_rules)
                ));
            }
            // (d) The witness lies in the region and each side decides it as the group says.
            let witness = &region.witness;
            if !inside(&regions[i].1, &Point::of_witness(witness)) {
                return Err(format!("witness {witness} is outside its region"));
            }
            let (wa, wb) = (decide(a, witness, options.obligations)?, decide(b, witness, options.obligations)?);
            if (&wa, &wb) != (&group.a, &group.b) {
                return Err(format!(
                    "witness {witness}: A {} and B {}, but its group says {} / {}",
                    wa.text(),
                    wb.text(),
                    group.a.text(),
                    group.b.text()
                ));
            }
            i += 1;
        }
    }
    if report.totals.regions != regions.len() || report.totals.groups != report.groups.len() {
        return Err("totals do not count the regions and groups listed".into());
    }
    Ok(())
}

/// The same diff listed by rule pairs has the same groups and shares, and each group's regions
/// (one rule of each side, no pair twice) add up to it.
fn check_rule_pairs(a: &Table, b: &Table, options: &Options, report: &Diff, method: Method) -> Result<(), String> {
    let options = Options { listing: Listing::RulePairs, ..options.clone() };
    let pairs = diff_by(Side::new(a), Side::new(b), &options, method).map_err(|e| format!("by rule pairs: {e}"))?;
    if pairs.totals.agreement != report.totals.agreement || pairs.groups.len() != report.groups.len() {
        return Err("listed by rule pairs, the totals differ".into());
    }
    for (p, g) in pairs.groups.iter().zip(&report.groups) {
        if (&p.a, &p.b, p.class, p.share) != (&g.a, &g.b, g.class, g.share) {
            return Err(format!("listed by rule pairs, group {} / {} differs", g.a.text(), g.b.text()));
        }
        let mut seen = BTreeSet::new();
        for region in &p.regions {
            let ([ra], [rb]) = (&region.a_rules[..], &region.b_rules[..]) else {
                return Err("a rule pair's region names more than one rule a side".into());
            };
            if region.when.is_some() || !seen.insert((&ra.rule, &rb.rule)) {
                return Err(format!("rule pair {} / {} has a box, or is listed twice", ra.rule, rb.rule));
            }
        }
        let sum: f64 = p.regions.iter().map(|r| r.share).sum();
        if (sum - p.share).abs() > 1e-12 {
            return Err(format!("rule pairs add up to {sum}, their group to {}", p.share));
        }
    }
    Ok(())
}

/// Whether a row's `origin` cell tells members of the table's home apart (obligation rows
/// only count when obligations are compared).
fn splits_home(table: &Table, obligations: bool) -> bool {
    all_rows(table, obligations)
        .filter_map(|cells| match cells.get(&table.scope.origin) {
            Some(Cell::Enum { members }) => Some(members),
            _ => None,
        })
        .any(|members| {
            let inside = table.home.iter().filter(|h| members.iter().any(|m| **m == ***h)).count();
            inside > 0 && inside < table.home.len()
        })
}

/// Pairs of regimes, compiled from one file (the standard library is checked once per file,
/// which is most of the time a compilation takes).
fn compile_pairs(pairs: &[(Regime, Regime, bool)]) -> Vec<(String, Table, Table)> {
    let texts: Vec<String> = pairs
        .iter()
        .enumerate()
        .map(|(i, (a, b, reversed))| {
            format!("{}\n{}", a.text(&format!("a{i}"), false), b.text(&format!("b{i}"), *reversed))
        })
        .collect();
    let file = format!("{VOCABULARY}\n{}", texts.concat());
    let tables = compile_text("pairs.accord", &file)
        .unwrap_or_else(|problems| panic!("generated regimes do not compile:\n{problems}\n{file}"));
    assert_eq!(tables.len(), 2 * pairs.len());
    let mut tables = tables.into_iter();
    texts
        .into_iter()
        .map(|text| (format!("{VOCABULARY}\n{text}"), tables.next().unwrap(), tables.next().unwrap()))
        .collect()
}

/// How a case is read.
fn options_for(case: usize) -> Options {
    Options {
        reading: if case % 6 == 5 { Reading::SameOrigin } else { Reading::OriginAligned },
        obligations: case % 3 == 2,
        facts: facts_for(case),
        ..Options::default()
    }
}

/// For one case in five (never one with accords, where one outcome pair can make two groups),
/// regions projected onto some facts (`--facts`).
fn facts_for(case: usize) -> Option<Vec<String>> {
    if case % 5 != 0 || case % 3 == 1 {
        return None;
    }
    let choices: [&[&str]; 4] = [&["destination"], &["tier", "flag"], &["n", "date"], &["kinds", "destination"]];
    Some(choices[(case / 5) % choices.len()].iter().map(|f| (*f).to_owned()).collect())
}

/// For one case in three, one to three random accords between the pair: an acceptance of one
/// mechanism for another by either side, in effect always, from or until a date, or in two
/// ranges, and limited or not to a tier, the flag, destinations or a kind.
fn accords_for(case: usize, a: &Table, b: &Table) -> Vec<Accord> {
    if case % 3 != 1 {
        return Vec::new();
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (case as u64 + 1));
    let day = |d: &str| Some(Date::parse(d).unwrap().days());
    let ranges: [Vec<(Option<i64>, Option<i64>)>; 4] = [
        Vec::new(),
        vec![(day("2024-03-01"), None)],
        vec![(None, day("2024-06-01"))],
        vec![(day("2023-01-01"), day("2024-01-01")), (day("2024-06-01"), None)],
    ];
    let enums = |fact: &str, members: &[&str]| -> std::collections::BTreeMap<String, Cell> {
        let members = members.iter().map(|m| accord::table::Name::from(*m)).collect();
        [(fact.to_owned(), Cell::Enum { members })].into_iter().collect()
    };
    let flag: std::collections::BTreeMap<String, Cell> =
        [("flag".to_owned(), Cell::Bool { is: true })].into_iter().collect();
    let kind: std::collections::BTreeMap<String, Cell> =
        [("kinds".to_owned(), Cell::Set { has: vec!["K1".into()], lacks: Vec::new() })].into_iter().collect();
    let scopes = [
        None,
        Some(vec![enums("tier", &["T1"])]),
        Some(vec![flag]),
        Some(vec![enums("destination", &["B", "C"]), kind]),
    ];
    let pairs = [("bcr", "eu_scc"), ("eu_scc", "bcr")];
    (0..1 + rng.below(3))
        .map(|k| {
            let (substitute, own) = pairs[rng.below(pairs.len())];
            let regime = if rng.chance(50) { &a.regime } else { &b.regime };
            Accord {
                id: format!("accord{k}"),
                title: "A random accord".into(),
                cite: vec!["none".into()],
                ranges: ranges[rng.below(ranges.len())].clone(),
                scope: scopes[rng.below(scopes.len())].clone(),
                accepts: vec![Acceptance {
                    regime: regime.clone(),
                    mechanisms: vec![substitute.into()],
                    as_mechanism: own.into(),
                }],
            }
        })
        .collect()
}

/// Cases where accords resolved something (in thousands: where an unscoped accord with two
/// ranges did), so that the test can say the generator exercises them.
static RESOLVED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// For one case in four, a restriction (`--given`): a tier, the flag, a destination, or a set
/// of kinds exactly.
fn given_for(case: usize) -> Cells {
    if case % 4 != 3 {
        return Cells::new();
    }
    let choices: [(&str, Cell); 4] = [
        ("tier", Cell::Enum { members: vec!["T2".into()] }),
        ("flag", Cell::Bool { is: false }),
        ("destination", Cell::Enum { members: vec!["C".into()] }),
        ("kinds", Cell::Set { has: vec!["K1".into()], lacks: vec!["K2".into()] }),
    ];
    let (fact, cell) = choices[(case / 4) % choices.len()].clone();
    [(fact.to_owned(), cell)].into_iter().collect()
}

const CASES: usize = 240;
/// Pairs compiled from one file.
const BATCH: usize = 24;

/// A random pair for case `case`, with homes that suit its reading.
fn random_pair(rng: &mut Rng, case: usize) -> (Regime, Regime, bool) {
    let (home_a, home_b, origin_atoms) = match options_for(case).reading {
        Reading::OriginAligned => {
            let homes = [("A", "B"), ("A", "A"), ("B", "A"), ("{A, C}", "B"), ("A", "{B, D}")];
            let (a, b) = homes[rng.below(homes.len())];
            (a, b, rng.chance(30))
        }
        Reading::SameOrigin => (rng.pick(&["A", "{A, B}"]), rng.pick(&["A", "B", "{B, C}"]), true),
    };
    let first = regime(rng, home_a, origin_atoms);
    let second =
        if rng.chance(25) { regime(rng, home_b, origin_atoms) } else { mutate(rng, &first, home_b, origin_atoms) };
    (first, second, false)
}

/// Diffs one pair and checks the report; says whether the pair differed, agreed, or was
/// refused as telling home members apart.
fn run_case(case: usize, text: &str, a: &Table, b: &Table) -> usize {
    let options = Options { accords: accords_for(case, a, b), given: given_for(case), ..options_for(case) };
    match diff(Side::new(a), Side::new(b), &options) {
        Ok(report) => {
            assert!(
                options.reading == Reading::SameOrigin
                    || !(splits_home(a, options.obligations) || splits_home(b, options.obligations)),
                "case {case}: a rule tells home members apart, yet the aligned diff went ahead\n{text}"
            );
            if let Err(problem) = check(a, b, &options, &report) {
                panic!(
                    "case {case} ({:?}, obligations {}): {problem}\n{text}\n{}",
                    options.reading,
                    options.obligations,
                    serde_json::to_string_pretty(&report).unwrap()
                );
            }
            check_rule_pairs(a, b, &options, &report, Method::Auto)
                .unwrap_or_else(|problem| panic!("case {case}: {problem}\n{text}"));
            let swapped = diff(Side::new(b), Side::new(a), &options).unwrap();
            check_swapped(&report, &swapped).unwrap_or_else(|problem| panic!("case {case}: {problem}\n{text}"));
            if options.accords.is_empty() && !options.obligations && options.facts.is_none() {
                check_by_pieces(a, b, &options)
                    .unwrap_or_else(|problem| panic!("case {case}, piece by piece: {problem}\n{text}"));
                PIECES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            if report.totals.resolved > 0.0 {
                let two = options.accords.iter().any(|acc| acc.ranges.len() > 1 && acc.scope.is_none());
                RESOLVED.fetch_add(if two { 1000 } else { 1 }, std::sync::atomic::Ordering::Relaxed);
            }
            usize::from(report.groups.is_empty())
        }
        Err(DiffError::OriginWithinHome { .. }) => {
            assert!(
                options.reading == Reading::OriginAligned
                    && (splits_home(a, options.obligations) || splits_home(b, options.obligations)),
                "case {case}: refused as telling home members apart\n{text}"
            );
            2
        }
        Err(e) => panic!("case {case}: {e}\n{text}"),
    }
}

/// Cases the diff was also found piece by piece in.
static PIECES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// The diff found piece by piece instead of on diagrams passes every check of the enumeration
/// too, in both listings and either way round, and its figures are the diagrams' (to
/// rounding: the two add the same measures in other orders).
fn check_by_pieces(a: &Table, b: &Table, options: &Options) -> Result<(), String> {
    let report = diff_by(Side::new(a), Side::new(b), options, Method::Pieces).map_err(|e| e.to_string())?;
    // The diagrams' own report, not `diff`'s: that one may have been found piece by piece.
    let diagrams = &diff_by(Side::new(a), Side::new(b), options, Method::Diagrams).map_err(|e| e.to_string())?;
    check(a, b, options, &report)?;
    check_rule_pairs(a, b, options, &report, Method::Pieces)?;
    let swapped = diff_by(Side::new(b), Side::new(a), options, Method::Pieces).map_err(|e| e.to_string())?;
    check_swapped(&report, &swapped)?;
    let (x, y) = (&report.totals, &diagrams.totals);
    let close = |p: f64, q: f64| (p - q).abs() <= 1e-9;
    let alike = close(x.agreement, y.agreement)
        && close(x.a_stricter, y.a_stricter)
        && close(x.b_stricter, y.b_stricter)
        && close(x.incomparable, y.incomparable)
        && close(x.bridged, y.bridged)
        && (x.groups, x.regions) == (y.groups, y.regions);
    if !alike {
        return Err(format!("the totals differ from the diagrams': {x:?} and {y:?}"));
    }
    // Each group, looked up by its outcomes, lists the diagrams' regions: the same boxes in the
    // same order, with the same rules and witnesses (so they do not depend on how the rules
    // are written, as the diagrams' do not), and shares equal but for rounding.
    for g in &report.groups {
        let h = diagrams.groups.iter().find(|h| (&h.a, &h.b) == (&g.a, &g.b));
        let Some(h) = h.filter(|h| h.class == g.class && close(g.share, h.share) && !g.partial) else {
            return Err(format!("group {} / {} differs from the diagrams'", g.a.text(), g.b.text()));
        };
        let same = |r: &Region, s: &Region| {
            (&r.when, &r.witness, &r.a_rules, &r.b_rules) == (&s.when, &s.witness, &s.a_rules, &s.b_rules)
                && close(r.share, s.share)
        };
        if g.regions.len() != h.regions.len() || g.regions.iter().zip(&h.regions).any(|(r, s)| !same(r, s)) {
            return Err(format!(
                "group {} / {} lists other regions than the diagrams': {:?} and {:?}",
                g.a.text(),
                g.b.text(),
                g.regions.iter().map(|r| &r.when).collect::<Vec<_>>(),
                h.regions.iter().map(|r| &r.when).collect::<Vec<_>>()
            ));
        }
    }
    Ok(())
}

/// `diff B A` is `diff A B` with the sides swapped: the same figures, bit for bit, and the same
/// groups and regions, in the same order, each with the same box, share and witness.
fn check_swapped(ab: &Diff, ba: &Diff) -> Result<(), String> {
    let (x, y) = (&ab.totals, &ba.totals);
    let figures = |t: &accord::analysis::diff::Totals, swap: bool| {
        let (a, b) = if swap { (t.b_stricter, t.a_stricter) } else { (t.a_stricter, t.b_stricter) };
        [t.agreement, a, b, t.incomparable, t.resolved, t.bridged].map(f64::to_bits)
    };
    if figures(x, false) != figures(y, true) || (x.regions, x.groups) != (y.regions, y.groups) {
        return Err(format!("swapped totals differ: {x:?} and {y:?}"));
    }
    for (g, h) in ab.groups.iter().zip(&ba.groups) {
        if (&g.a, &g.b, g.share.to_bits()) != (&h.b, &h.a, h.share.to_bits()) || g.regions.len() != h.regions.len() {
            return Err(format!(
                "swapped groups differ: {} / {} and {} / {}",
                g.a.text(),
                g.b.text(),
                h.a.text(),
                h.b.text()
            ));
        }
        for (r, s) in g.regions.iter().zip(&h.regions) {
            let same = r.when == s.when
                && r.share.to_bits() == s.share.to_bits()
                && r.witness == s.witness
                && r.a_rules == s.b_rules
                && r.b_rules == s.a_rules;
            if !same {
                return Err(format!("swapped regions differ: {:?} and {:?}", r.when, s.when));
            }
        }
    }
    Ok(())
}

#[test]
fn diff_agrees_with_enumeration() {
    let mut rng = Rng(0x5DEE_CE66_D1CE_4E5B);
    let pairs: Vec<(Regime, Regime, bool)> = (0..CASES).map(|case| random_pair(&mut rng, case)).collect();
    let compiled: Vec<(String, Table, Table)> = pairs.chunks(BATCH).flat_map(compile_pairs).collect();
    // Evaluating every point is the slow part (in a debug build): two threads share it.
    let seen: Vec<[usize; 3]> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let compiled = &compiled;
                scope.spawn(move || {
                    let mut seen = [0usize; 3];
                    for (case, (text, a, b)) in compiled.iter().enumerate().skip(w).step_by(2) {
                        seen[run_case(case, text, a, b)] += 1;
                    }
                    seen
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let seen: Vec<usize> = (0..3).map(|k| seen.iter().map(|s| s[k]).sum()).collect();
    // The generator must give both kinds of pair, and refusals must stay rare.
    assert!(seen[0] > CASES / 3 && seen[1] > CASES / 20 && seen[2] < CASES / 10, "{seen:?}");
    // Accords must resolve something in some cases, among them with two ranges.
    let resolved = RESOLVED.load(std::sync::atomic::Ordering::Relaxed);
    assert!(resolved % 1000 + resolved / 1000 >= 8 && resolved / 1000 >= 1, "cases resolved by accords: {resolved}");
    // Piece by piece, in a good share of them.
    let pieces = PIECES.load(std::sync::atomic::Ordering::Relaxed);
    assert!(pieces > CASES / 5, "cases diffed piece by piece too: {pieces}");
}

/// A region as the test compares it: box, share (bits), witness, and the deciding rules' ids.
type Seen = (Option<Cells>, u64, Value, Vec<String>, Vec<String>);

/// A rule added that can never decide (a copy of the first, at the end) changes no decision,
/// so it must change no region: not its box, share or witness, nor how many there are.
#[test]
fn a_rule_that_decides_nothing_moves_no_region() {
    let mut rng = Rng(0x51DE_C0DE_0000_0007);
    let pairs: Vec<(Regime, Regime, bool)> = (0..60)
        .flat_map(|case| {
            let (first, second, reversed) = random_pair(&mut rng, case * 6);
            let mut copied = first.clone();
            copied.rules.extend(first.rules.first().cloned());
            // Each pair twice: as generated, and with the copy in A.
            [(first, second.clone(), reversed), (copied, second, reversed)]
        })
        .collect();
    let compiled = compile_pairs(&pairs);
    let mut compared = 0;
    for (k, two) in compiled.chunks(2).enumerate() {
        let [(text, a, b), (_, a_copied, b_again)] = two else { unreachable!() };
        let options = Options::default();
        let (Ok(plain), Ok(copied)) =
            (diff(Side::new(a), Side::new(b), &options), diff(Side::new(a_copied), Side::new(b_again), &options))
        else {
            continue;
        };
        // Rules by id: the two copies of a pair sit at other lines of the generated file.
        let ids = |rules: &[RuleRef]| rules.iter().map(|r| r.rule.clone()).collect::<Vec<_>>();
        let regions = |d: &Diff| -> Vec<Seen> {
            d.groups
                .iter()
                .flat_map(|g| &g.regions)
                .map(|r| (r.when.clone(), r.share.to_bits(), r.witness.clone(), ids(&r.a_rules), ids(&r.b_rules)))
                .collect()
        };
        assert_eq!(regions(&plain), regions(&copied), "pair {k}: a rule that decides nothing moved regions\n{text}");
        compared += 1;
    }
    assert!(compared > 40, "{compared}");
}

/// The pairs whose region lists once depended on which side came first (`eu kr` listed 1,316
/// regions, `kr eu` 1,080), and the pair whose tied groups did (`eu jp`).
#[test]
fn standard_pairs_read_alike_either_way() {
    let table = |name: &str| {
        let module = accord::stdlib::REGIMES.iter().find(|m| m.name == name).unwrap();
        compile_text(&format!("{name}.accord"), module.text).unwrap().remove(0)
    };
    for (a, b) in [("eu", "kr"), ("eu", "jp"), ("sg", "id")] {
        let (ta, tb) = (table(a), table(b));
        let options = Options::default();
        let ab = diff(Side::new(&ta), Side::new(&tb), &options).unwrap();
        let ba = diff(Side::new(&tb), Side::new(&ta), &options).unwrap();
        assert!(ab.totals.regions > 50, "{a} {b}: {} regions", ab.totals.regions);
        check_swapped(&ab, &ba).unwrap_or_else(|problem| panic!("{a} {b}: {problem}"));
    }
}

#[test]
fn every_standard_regime_agrees_with_itself() {
    assert_eq!(accord::stdlib::REGIMES.len(), 16);
    for module in accord::stdlib::REGIMES {
        let tables = compile_text(&format!("{}.accord", module.name), module.text).unwrap();
        for table in &tables {
            for obligations in [false, true] {
                for reading in [Reading::OriginAligned, Reading::SameOrigin] {
                    let options = Options { reading, obligations, ..Options::default() };
                    let report = match diff(Side::new(table), Side::new(table), &options) {
                        Ok(report) => report,
                        Err(DiffError::OriginWithinHome { .. }) if reading == Reading::OriginAligned => {
                            assert!(splits_home(table, obligations), "{} refused", table.regime);
                            continue;
                        }
                        Err(e) => panic!("{}: {e}", table.regime),
                    };
                    assert!(report.groups.is_empty(), "{} differs from itself", table.regime);
                    assert_eq!(report.totals.regions, 0);
                    assert_eq!(report.totals.agreement, 1.0);
                }
            }
        }
    }
}

/// Rules in pairs whose conditions exclude each other (one guarded by a test, the next by its
/// negation), so that the two of a pair may be written in either order.
fn paired_regime(rng: &mut Rng) -> (Regime, Vec<usize>) {
    let mut r = regime(rng, "A", false);
    let atoms = Atoms { lets: r.lets.len(), origin: false };
    let mut swappable = Vec::new();
    for _ in 0..1 + rng.below(3) {
        let guard = atom(rng, atoms);
        // Not between the two rules of an earlier pair.
        let k = loop {
            let k = rng.below(r.rules.len() + 1);
            if !swappable.iter().any(|&s| s + 1 == k) {
                break k;
            }
        };
        let mut first = rule(rng, atoms);
        let mut second = rule(rng, atoms);
        first.when = format!("({guard}) and {}", first.when);
        second.when = format!("not ({guard}) and {}", second.when);
        r.rules.insert(k, second);
        r.rules.insert(k, first);
        swappable.iter_mut().filter(|s| **s >= k).for_each(|s| *s += 2);
        swappable.push(k);
    }
    (r, swappable)
}

/// A regime against a copy with a few neighbouring rules swapped, whether or not the swap
/// changes decisions: the diff proves some copies equivalent from their cells alone, and must
/// agree with enumeration on every copy.
#[test]
fn reordered_copies_agree_with_enumeration() {
    let mut rng = Rng(0x7EA5_0DE2_1ACE_B00C);
    let pairs: Vec<(Regime, Regime, bool)> = (0..80)
        .map(|_| {
            let origin_atoms = rng.chance(30);
            let first = regime(&mut rng, "A", origin_atoms);
            let mut second = first.clone();
            for _ in 0..1 + rng.below(4) {
                if second.rules.len() > 1 {
                    let k = rng.below(second.rules.len() - 1);
                    second.rules.swap(k, k + 1);
                }
            }
            (first, second, false)
        })
        .collect();
    let mut alike = 0;
    for (case, (text, a, b)) in compile_pairs(&pairs).into_iter().enumerate() {
        // Each case with its own options (readings, obligations, accords, given facts).
        alike += usize::from(run_case(case, &text, &a, &b) == 1);
    }
    assert!((10..70).contains(&alike), "{alike} of 80 copies decide alike");
}

#[test]
fn reordering_that_cannot_change_decisions_reports_nothing() {
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let pairs: Vec<(Regime, Regime, bool)> = (0..60)
        .map(|_| {
            let (first, swappable) = paired_regime(&mut rng);
            let mut second = first.clone();
            for &k in &swappable {
                second.rules.swap(k, k + 1);
            }
            (first, second, true)
        })
        .collect();
    let mut reordered = 0;
    for (case, (text, a, b)) in compile_pairs(&pairs).into_iter().enumerate() {
        let cells = |t: &Table| t.rows.iter().map(|r| r.cells.clone()).collect::<Vec<_>>();
        reordered += usize::from(cells(&a) != cells(&b));
        for obligations in [false, true] {
            let options = Options { obligations, ..Options::default() };
            let report = diff(Side::new(&a), Side::new(&b), &options).unwrap();
            assert!(
                report.groups.is_empty() && report.totals.agreement == 1.0,
                "case {case}: reordered copy differs\n{text}\n{}",
                serde_json::to_string_pretty(&report).unwrap()
            );
        }
    }
    // Most copies must really list their rows in another order.
    assert!(reordered > 40, "{reordered}");
}

#[test]
fn canonical_groups_drop_weaker_alternatives() {
    let groups =
        |g: &[&[&str]]| -> Vec<Vec<String>> { g.iter().map(|g| g.iter().map(|m| (*m).to_owned()).collect()).collect() };
    assert_eq!(canonical(&groups(&[&["eu_scc", "bcr"], &["eu_scc"]])), groups(&[&["eu_scc"]]));
    assert_eq!(canonical(&groups(&[&["eu_scc"], &["bcr"]])), groups(&[&["bcr"], &["eu_scc"]]));
    assert_eq!(canonical(&groups(&[&["eu_scc", "bcr", "bcr"]])), groups(&[&["bcr", "eu_scc"]]));
}

#[test]
fn canonical_cascades_keep_their_order_and_drop_what_another_group_meets() {
    let groups = |g: &[(&[&str], bool)]| -> Vec<(Vec<String>, bool)> {
        g.iter().map(|(g, o)| (g.iter().map(|m| (*m).to_owned()).collect(), *o)).collect()
    };
    let plain =
        |g: &[&[&str]]| -> Vec<Vec<String>> { g.iter().map(|g| g.iter().map(|m| (*m).to_owned()).collect()).collect() };
    // A cascade keeps its order, and is kept beside the plain group of the same alternatives
    // (which meeting the cascade always meets, so that group goes).
    let cascade = groups(&[(&["eu_scc", "bcr"], true), (&["bcr", "eu_scc"], false)]);
    assert_eq!(canonical_cascades(&cascade), (plain(&[&["eu_scc", "bcr"]]), vec![0]));
    // `eu_scc` alone, first of the cascade, meets it: the cascade goes.
    let first = groups(&[(&["eu_scc", "bcr"], true), (&["eu_scc"], false)]);
    assert_eq!(canonical_cascades(&first), (plain(&[&["eu_scc"]]), vec![]));
    // `eu_scc` second in the cascade must wait for `bcr`: both stay.
    let second = groups(&[(&["bcr", "eu_scc"], true), (&["eu_scc"], false)]);
    assert_eq!(canonical_cascades(&second), (plain(&[&["bcr", "eu_scc"], &["eu_scc"]]), vec![0]));
    // A cascade of one alternative, after repeats, is a plain group.
    let one = groups(&[(&["bcr", "bcr"], true)]);
    assert_eq!(canonical_cascades(&one), (plain(&[&["bcr"]]), vec![]));
}

// ── corridors ───────────────────────────────────────────────────────────────────────────────

/// Checks a corridor against enumeration: every transfer made both ways (one destination in
/// B's home and out of A's, decided by A from its home; one in A's home and out of B's, decided
/// by B from its home; every other fact shared) is decided by the evaluator on each side and
/// read through the accords that apply to it there. The shares of each side's outcomes, of
/// each joint pair and of the four totals must equal the brute-force measure; each joint
/// pair's single mechanisms must be those in every group of both; each witness must be
/// decided as its pair says.
fn check_corridor(a: &Table, b: &Table, options: &Options, report: &Corridor) -> Result<(), String> {
    let (mut decide_a, mut decide_b) = (Decider::new(a, options), Decider::new(b, options));
    let flows =
        |home: &[String], other: &[String], d: &str| other.iter().any(|h| h == d) && !home.iter().any(|h| h == d);
    let mut total = 0.0f64;
    let mut forward: BTreeMap<Outcome, f64> = BTreeMap::new();
    let mut back: BTreeMap<Outcome, f64> = BTreeMap::new();
    let mut joint: BTreeMap<(Outcome, Outcome), f64> = BTreeMap::new();
    // Nothing needed, one mechanism, separate, blocked.
    let mut totals = [0.0f64; 4];
    for (point, weight) in points([a, b], Reading::OriginAligned, false, &options.accords, &Cells::new()) {
        if !flows(&a.home, &b.home, &point.destination) {
            continue;
        }
        for place in PLACES.iter().filter(|p| flows(&b.home, &a.home, p)) {
            let returned = Point { destination: (*place).to_owned(), ..point.clone() };
            let ((of, _), (ob, _)) = (decide_a.decide(&point)?, decide_b.decide(&returned)?);
            let (ef, eb) = (accepted(&of, a, &options.accords, &point), accepted(&ob, b, &options.accords, &returned));
            total += weight;
            *forward.entry(of).or_default() += weight;
            *back.entry(ob).or_default() += weight;
            let kind = if [&ef, &eb].iter().any(|o| matches!(o.verdict, Verdict::Prohibit | Verdict::Undecided)) {
                3
            } else if ef.require.is_empty() && eb.require.is_empty() {
                0
            } else if !in_every_group(&ef, &eb).is_empty() {
                1
            } else {
                2
            };
            totals[kind] += weight;
            *joint.entry((ef, eb)).or_default() += weight;
        }
    }
    let close = |x: f64, y: f64| (x - y).abs() <= 1e-9;
    let share = |w: f64| if total > 0.0 { w / total } else { 0.0 };
    let reported =
        [report.totals.nothing_needed, report.totals.one_mechanism, report.totals.separate, report.totals.blocked];
    for (k, (r, e)) in reported.iter().zip(totals).enumerate() {
        if !close(*r, share(e)) {
            return Err(format!("total {k} is {r} but enumeration gives {}", share(e)));
        }
    }
    for (side, listed, expected) in [("forward", &report.forward, &forward), ("back", &report.back, &back)] {
        let got: BTreeMap<&Outcome, f64> = listed.iter().map(|r| (&r.outcome, r.share)).collect();
        let want: BTreeMap<&Outcome, f64> = expected.iter().map(|(o, w)| (o, share(*w))).collect();
        if got.len() != want.len() || got.iter().zip(&want).any(|((o, x), (p, y))| o != p || !close(*x, *y)) {
            return Err(format!("{side} requirements {got:?} but enumeration gives {want:?}"));
        }
    }
    if report.joint.len() != joint.len() {
        return Err(format!("{} joint pairs but enumeration finds {}", report.joint.len(), joint.len()));
    }
    for j in &report.joint {
        let Some(&w) = joint.get(&(j.forward.clone(), j.back.clone())) else {
            return Err(format!("joint pair {} / {} is not found by enumeration", j.forward.text(), j.back.text()));
        };
        if !close(j.share, share(w)) {
            return Err(format!("joint {} / {}: share {} but {}", j.forward.text(), j.back.text(), j.share, share(w)));
        }
        let blocked = [&j.forward, &j.back].iter().any(|o| matches!(o.verdict, Verdict::Prohibit | Verdict::Undecided));
        let mut both = j.both.clone();
        both.sort();
        if !blocked && both != in_every_group(&j.forward, &j.back) {
            return Err(format!("joint {} / {}: both {:?}", j.forward.text(), j.back.text(), j.both));
        }
        // Each witness flow decides, through the accords there, as the pair says.
        let (wf, wb) = (Point::of_witness(&j.witness_forward), Point::of_witness(&j.witness_back));
        let (of, ob) = (decide(a, &j.witness_forward, false)?, decide(b, &j.witness_back, false)?);
        let (ef, eb) = (accepted(&of, a, &options.accords, &wf), accepted(&ob, b, &options.accords, &wb));
        if (&ef, &eb) != (&j.forward, &j.back) {
            return Err(format!(
                "joint witnesses decide {} / {}, not {} / {}",
                ef.text(),
                eb.text(),
                j.forward.text(),
                j.back.text()
            ));
        }
    }
    Ok(())
}

/// The mechanisms in every group of both outcomes, sorted.
fn in_every_group(x: &Outcome, y: &Outcome) -> Vec<String> {
    let groups: Vec<&Vec<String>> = x.require.iter().chain(&y.require).collect();
    let all: BTreeSet<&String> = groups.iter().flat_map(|g| g.iter()).collect();
    all.into_iter().filter(|m| groups.iter().all(|g| g.contains(m))).cloned().collect()
}

#[test]
fn corridor_agrees_with_enumeration() {
    let mut rng = Rng(0xC0FF_EE00_D15E_A5E5);
    let homes = [("A", "B"), ("{A, C}", "B"), ("A", "{B, D}"), ("B", "{A, C}")];
    let pairs: Vec<(Regime, Regime, bool)> = (0..48)
        .map(|_| {
            let (home_a, home_b) = homes[rng.below(homes.len())];
            let first = regime(&mut rng, home_a, false);
            let second =
                if rng.chance(40) { regime(&mut rng, home_b, false) } else { mutate(&mut rng, &first, home_b, false) };
            (first, second, false)
        })
        .collect();
    let mut shown = [0usize; 2];
    for (case, (text, a, b)) in pairs.chunks(BATCH).flat_map(compile_pairs).enumerate() {
        // Accords in one case in three, as in the diff cases.
        let options = Options { accords: accords_for(case, &a, &b), ..Options::default() };
        let report = accord::analysis::corridor::corridor(Side::new(&a), Side::new(&b), &options)
            .unwrap_or_else(|e| panic!("case {case}: {e}\n{text}"));
        if let Err(problem) = check_corridor(&a, &b, &options, &report) {
            panic!("corridor case {case}: {problem}\n{text}\n{}", serde_json::to_string_pretty(&report).unwrap());
        }
        shown[usize::from(report.totals.one_mechanism > 0.0)] += 1;
    }
    // Both kinds of corridor occur: with a single mechanism somewhere, and without.
    assert!(shown[0] > 0 && shown[1] > 0, "{shown:?}");
}
