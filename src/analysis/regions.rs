//! A diff group's region as a reader sees it: disjoint boxes, each with its share, deciding
//! rules and a witness, or one region per pair of deciding rules.

use super::compare::{RuleRef, rule_ref};
use super::diff::{Cells, DiffError, MAX_BOXES};
use super::mdd::{Boxed, FALSE, HashMap, Mdd, NodeId};
use super::partition::Decider;
use super::space::Space;
use crate::table::Table;
use serde::Serialize;
use std::collections::BTreeMap;

/// One region of the fact space where the sides decide differently: a box, or (in a
/// [`super::diff::Listing::RulePairs`] listing) where one rule of each side decides.
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

/// Each side's parts that may decide inside a group.
pub(super) type Candidates = (Vec<(Decider, NodeId)>, Vec<(Decider, NodeId)>);

/// What listing a group's regions reads: the common space, its diagrams, the consistent points,
/// the measure, and both tables. A comparison lends its own ([`super::compare::Compared::lister`]);
/// one read piece by piece builds diagrams only of the groups it lists, so that its boxes are
/// those the diagrams give.
pub(super) struct Lister<'c> {
    pub(super) space: &'c Space,
    pub(super) mdd: &'c mut Mdd,
    pub(super) consistent: NodeId,
    pub(super) weights: &'c [Vec<f64>],
    pub(super) measured: &'c mut HashMap<NodeId, f64>,
    pub(super) tables: [&'c Table; 2],
    /// A broken invariant met on the way (see [`Lister::witness`]).
    pub(super) fault: &'c mut Option<&'static str>,
}

impl Lister<'_> {
    /// What `node` weighs of `total`, held to 1: a group read piece by piece has its total from
    /// splitting and its boxes measured on a diagram, which round apart.
    fn share(&mut self, node: NodeId, total: f64) -> f64 {
        if total > 0.0 { (self.mdd.measure(node, self.weights, self.measured) / total).min(1.0) } else { 0.0 }
    }

    /// A transfer inside `region`, which holds one, as a scenario. Should it hold none (with the
    /// diagram within budget), the comparison is marked broken and ends as an internal error;
    /// the `null` returned then never reaches a report.
    pub(super) fn witness(&mut self, region: NodeId) -> serde_json::Value {
        match self.mdd.witness(region) {
            Some(point) => self.space.scenario(&point),
            None => {
                self.fault.get_or_insert("a region where the sides decide has no transfer in it");
                serde_json::Value::Null
            }
        }
    }

    /// Which of `candidates` (parts of one side) decide somewhere in `region`, as rules. The
    /// candidates are the side's parts with one outcome that meet `region`, or that meet a
    /// region where the side decides that outcome and which holds `region` (a box's group):
    /// either way a lone candidate decides in `region`, and intersecting them would build
    /// nothing.
    pub(super) fn deciders_among(
        &mut self,
        first: bool,
        candidates: &[(Decider, NodeId)],
        region: NodeId,
    ) -> Vec<RuleRef> {
        let [a, b] = self.tables;
        let table = if first { a } else { b };
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

    /// A group's region as at most `limit` disjoint boxes, each with its share, deciders and
    /// witness. `quantified` projects the boxes (`--facts`). A fact in `related` whose members
    /// the implications tie together, and on which the group does not depend, is left out of
    /// its boxes too (else consistency alone would split them); each box is then read within
    /// the group.
    pub(super) fn boxed_regions(
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
        let witness = self.witness(inside);
        Some(Region {
            when: Some(self.space.box_cells(b)),
            share: self.share(inside, total),
            a_rules: self.deciders_among(true, &candidates.0, inside),
            b_rules: self.deciders_among(false, &candidates.1, inside),
            witness,
        })
    }
}

impl Lister<'_> {
    /// A group's region as one region per pair of deciding rules, largest first: where a rule
    /// of A (its parts joined) and a rule of B both decide inside the group.
    pub(super) fn rule_pairs(&mut self, group: NodeId, candidates: &Candidates, total: f64) -> Vec<Region> {
        let [ta, tb] = self.tables;
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
        let mut regions: Vec<Region> = Vec::with_capacity(met.len());
        for (ra, rb, region) in met.into_values() {
            let (share, witness) = (self.share(region, total), self.witness(region));
            regions.push(Region { when: None, share, a_rules: vec![ra], b_rules: vec![rb], witness });
        }
        regions.sort_by(|x, y| y.share.total_cmp(&x.share));
        regions
    }
}
