//! What a side decides over a region, compared semantically: outcomes in canonical form, how
//! two of them are classed (stricter, looser, incomparable), and what bridges them.

use crate::compile::accords::Accord;
use crate::eval::Verdict;
use crate::table::{Outcome as TableOutcome, Table};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a side decides over some region, compared semantically: `require` groups are kept in
/// a canonical form (see `canonical`), so two outcomes are equal exactly when they accept the
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

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
}
