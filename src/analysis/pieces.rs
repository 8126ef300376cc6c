//! A comparison read as pieces, each a box minus a union of boxes, measured and listed by
//! splitting ([`super::count`]) instead of on decision diagrams.
//!
//! Where the rules of a changed stretch, or of two unrelated regimes, meet hundreds of rules
//! over unrelated facts, the diagram of what each rule leaves to the next outgrows its budget
//! in the space's variable order. Every region a diff reports is still small as boxes: where
//! one rule of A and one rule of B decide is the box where both rows apply, minus every row
//! before either (and the vocabulary's inconsistent points, and the common rows before a
//! changed stretch). The diff then reads each such piece exactly: its weight, whether it holds
//! a transfer, and its disjoint boxes. The same differences and figures, found another way.
//!
//! Splitting cuts a group into boxes along the rows as they are written, so two ways of
//! writing the same decisions would list different boxes. A group listed whole is therefore
//! cut again as the diagrams cut it: its diagram is built from its boxes (small, where the
//! diagram of every rule's part was not), and listed as every diff lists one. Its boxes, rules
//! and witnesses are then the diagrams' own, and depend only on what the sides decide (unless
//! that cut has more boxes than the cap leaves room for: the group then keeps splitting's). A group
//! listed in part (past the cap) keeps the first boxes splitting found: which ones come first
//! may follow the rows; its share, and every total, do not.
//!
//! It answers the plain comparison: no accords, no obligations, no projection on `--facts`
//! (those need the diagrams' unions and projections); a comparison that needs them and whose
//! diagrams outgrow the budget is still refused.

use super::compare::{Ground, RuleRef, rule_ref};
use super::count::{Counter, Cube, Size};
use super::diff::{Cells, DiffError, Found, Group, Listing, Options, Totals};
use super::mdd::{FALSE, HashMap};
use super::outcome::{Class, Order, Outcome, bridging, classify};
use super::partition::{Decider, Plan, plan};
use super::regions::{Candidates, Lister, Region};
use super::side::Prepared;
use std::collections::BTreeMap;

/// The most changed rows a window is made of. Each is a piece of the window, which every part
/// of each side is cut by: past a few dozen (two unrelated regimes are all changed rows), the
/// whole space in one piece is less work.
const FOCUS_ROWS: usize = 64;

/// Whether a comparison can be read as pieces (see the module's documentation).
pub(super) fn applies(options: &Options) -> bool {
    options.accords.is_empty() && !options.obligations && options.facts.is_none()
}

/// A box minus a union of boxes (kept sorted, each once, each meeting the box).
#[derive(Debug, Clone)]
struct Piece {
    base: Cube,
    minus: Vec<Cube>,
}

impl Piece {
    /// The piece within another box, or `None` if they share no point.
    fn within(&self, other: &Cube) -> Option<Piece> {
        let base = self.base.and(other)?;
        Some(Piece::new(base, self.minus.iter()))
    }

    fn new<'c>(base: Cube, minus: impl Iterator<Item = &'c Cube>) -> Piece {
        let mut minus: Vec<Cube> = minus.filter(|m| m.meets(&base)).cloned().collect();
        minus.sort();
        minus.dedup();
        Piece { base, minus }
    }

    /// Where both pieces are.
    fn and(&self, other: &Piece) -> Option<Piece> {
        let base = self.base.and(&other.base)?;
        Some(Piece::new(base, self.minus.iter().chain(&other.minus)))
    }
}

/// A region of one side decided one way for one reason, as disjoint pieces (`P`: a piece, or
/// a piece with its size).
struct SidePart<P> {
    decider: Decider,
    outcome: Outcome,
    pieces: Vec<P>,
}

/// The comparison of two prepared sides, as pieces.
struct Pieces<'t> {
    a: Prepared<'t>,
    b: Prepared<'t>,
    ground: Ground,
    counter: Counter,
    /// The vocabulary's inconsistent points, as boxes.
    inconsistent: Vec<Cube>,
    /// The compared box (`--given`).
    given: Cube,
    /// The most boxes listed.
    limit: usize,
}

/// Compares two sides piece by piece; `listing` says whether (and how) to list regions.
/// At most `limit` boxes are listed in all ([`MAX_BOXES`] in a report).
pub(super) fn compare(
    a: Prepared,
    b: Prepared,
    options: &Options,
    listing: Option<Listing>,
    limit: usize,
) -> Result<Found, DiffError> {
    let ground = Ground::new(&a, &b, options)?;
    let counter = Counter::new(ground.space.sizes(), &ground.weights);
    let size = ground.space.sizes().len();
    let inconsistent = ground
        .space
        .implied()
        .iter()
        .filter_map(|&(m, n)| {
            let mut allowed: Vec<Option<Vec<(u32, bool)>>> = vec![None; size];
            *allowed.get_mut(m)? = Some(vec![(0, false), (1, true)]);
            *allowed.get_mut(n)? = Some(vec![(0, true), (1, false)]);
            counter.cube(&allowed)
        })
        .collect();
    let given = counter.cube(&ground.space.allowed(&options.given));
    let Some(given) = given else { return Err(DiffError::Weightless) };
    Pieces { a, b, ground, counter, inconsistent, given, limit }.run(listing)
}

impl Pieces<'_> {
    fn cube(&self, cells: &Cells) -> Option<Cube> {
        self.counter.cube(&self.ground.space.allowed(cells))
    }

    fn size(&mut self, piece: &Piece) -> Result<Size, DiffError> {
        self.counter.size(&piece.base, &piece.minus).ok_or(DiffError::TooIntricate)
    }

    fn run(mut self, listing: Option<Listing>) -> Result<Found, DiffError> {
        let universe = Piece::new(self.given.clone(), self.inconsistent.iter());
        let total = self.size(&universe)?.weight;
        if total <= 0.0 {
            return Err(DiffError::Weightless);
        }
        // The window, as disjoint pieces: each changed row minus the common rows before the
        // stretch and the changed rows before it.
        let (window, skip) = match plan(&self.a, &self.b, false) {
            Plan::Nowhere => (Vec::new(), (0, 0)),
            Plan::Focus(focus) if focus.changed.len() <= FOCUS_ROWS => {
                let earlier: Vec<Cube> = focus.earlier.iter().filter_map(|c| self.cube(c)).collect();
                let mut pieces = Vec::new();
                let mut before: Vec<Cube> = Vec::new();
                for cells in &focus.changed {
                    let Some(row) = self.cube(cells) else { continue };
                    if let Some(base) = self.given.and(&row) {
                        let minus = self.inconsistent.iter().chain(&earlier).chain(&before);
                        pieces.push(Piece::new(base, minus));
                    }
                    before.push(row);
                }
                (pieces, (focus.before_a, focus.before_b))
            }
            Plan::Everywhere | Plan::Focus(_) => (vec![universe], (0, 0)),
        };
        let parts_a = self.parts(true, &window, skip.0)?;
        let parts_b = self.parts(false, &window, skip.1)?;
        let order = Order::of(&[self.a.side.table, self.b.side.table]);

        // Where a part of A meets a part of B with another outcome: the pieces of each pair of
        // deciding rules, by group.
        // A pair's pieces are kept as the indices of the two they are made of (and their
        // sizes), and made again to be listed: unrelated regimes meet in many pairs, each
        // piece with hundreds of boxes to subtract.
        type Met = Vec<(Decider, Decider, Vec<((usize, usize, usize, usize), Size)>)>;
        let mut groups: BTreeMap<(Outcome, Outcome, Class), (Vec<String>, Met)> = BTreeMap::new();
        for (i, x) in parts_a.iter().enumerate() {
            for (j, y) in parts_b.iter().enumerate() {
                if x.outcome == y.outcome {
                    continue;
                }
                let mut met = Vec::new();
                for (k, (px, _)) in x.pieces.iter().enumerate() {
                    for (l, (py, _)) in y.pieces.iter().enumerate() {
                        self.counter.spend(px.minus.len() + py.minus.len()).ok_or(DiffError::TooIntricate)?;
                        let Some(both) = px.and(py) else { continue };
                        let size = self.size(&both)?;
                        if size.some {
                            met.push(((i, k, j, l), size));
                        }
                    }
                }
                if met.is_empty() {
                    continue;
                }
                let (class, by) = classify(&x.outcome, &y.outcome, &order);
                let entry = groups.entry((x.outcome.clone(), y.outcome.clone(), class)).or_insert((by, Vec::new()));
                entry.1.push((x.decider, y.decider, met));
            }
        }
        let piece = |(i, k, j, l): (usize, usize, usize, usize)| -> Result<Piece, DiffError> {
            let x = parts_a.get(i).and_then(|p| p.pieces.get(k)).map(|(p, _)| p);
            let y = parts_b.get(j).and_then(|p| p.pieces.get(l)).map(|(p, _)| p);
            x.zip(y)
                .and_then(|(x, y)| x.and(y))
                .ok_or_else(|| DiffError::Internal("a pair of pieces that met no longer meets".to_owned()))
        };

        let (ta, tb) = (self.a.side.table, self.b.side.table);
        let mut out = Vec::with_capacity(groups.len());
        let mut count = 0usize;
        let mut class_weights: BTreeMap<Class, Vec<f64>> = BTreeMap::new();
        let (mut differing, mut bridged_all) = (Vec::new(), Vec::new());
        // Listed largest first, so that past the cap the groups left unlisted are the smallest;
        // ties by the pair of outcomes taken in the same order whichever side is first.
        let mut groups: Vec<_> = groups
            .into_iter()
            .map(|(key, (class_by, met))| {
                let weights: Vec<f64> =
                    met.iter().flat_map(|(_, _, pieces)| pieces.iter().map(|(_, s)| s.weight)).collect();
                (share_of(weights.clone(), total), weights, key, class_by, met)
            })
            .collect();
        let unordered = |(a, b, _): &(Outcome, Outcome, Class)| {
            if a <= b { (a.clone(), b.clone()) } else { (b.clone(), a.clone()) }
        };
        groups.sort_by(|x, y| y.0.total_cmp(&x.0).then_with(|| unordered(&x.2).cmp(&unordered(&y.2))));
        for (share, weights, (oa, ob, class), class_by, met) in groups {
            class_weights.entry(class).or_default().extend(&weights);
            differing.extend(&weights);
            let bridged_by = bridging(&oa, &ob);
            if !bridged_by.is_empty() {
                bridged_all.extend(&weights);
            }
            let mut regions = Vec::new();
            let mut partial = false;
            // The group's boxes as splitting cut them, with the rules that decide in each.
            let mut cut: Vec<(Decider, Decider, Cube)> = Vec::new();
            for (da, db, pieces) in &met {
                let (ra, rb) = (rule_ref(ta, *da), rule_ref(tb, *db));
                match listing {
                    None => {}
                    Some(Listing::RulePairs) => {
                        let share = share_of(pieces.iter().map(|(_, s)| s.weight).collect(), total);
                        let first =
                            pieces.first().ok_or_else(|| DiffError::Internal("a rule pair without pieces".into()))?;
                        let witness = self.witness(&piece(first.0)?)?;
                        regions.push(Region { when: None, share, a_rules: vec![ra], b_rules: vec![rb], witness });
                    }
                    Some(Listing::Regions) => {
                        for (at, _) in pieces {
                            let limit = self.limit.saturating_sub(count + cut.len());
                            if partial || limit == 0 {
                                partial = true;
                                break;
                            }
                            let piece = piece(*at)?;
                            let listed =
                                self.counter.list(&piece.base, &piece.minus, limit).ok_or(DiffError::TooIntricate)?;
                            partial |= !listed.complete;
                            cut.extend(listed.boxes.into_iter().map(|cube| (*da, *db, cube)));
                        }
                    }
                }
            }
            if !cut.is_empty() {
                let limit = self.limit.saturating_sub(count);
                let canonical = if partial { None } else { self.as_diagrams_cut(&cut, total, limit)? };
                match canonical {
                    Some(listed) => regions = listed,
                    None => {
                        for (da, db, cube) in &cut {
                            regions.push(self.region(cube, &rule_ref(ta, *da), &rule_ref(tb, *db), total));
                        }
                        // Largest first, then by where they lie: the same order whichever side
                        // is first.
                        regions.sort_by(|x, y| {
                            y.share.total_cmp(&x.share).then_with(|| x.witness.to_string().cmp(&y.witness.to_string()))
                        });
                    }
                }
            }
            count += regions.len();
            let bridged = if bridged_by.is_empty() { 0.0 } else { share };
            out.push(Group {
                families: order.shared_families(&oa, &ob),
                order_only: Outcome::order_only(&oa, &ob),
                a: oa,
                b: ob,
                class,
                class_by,
                share,
                bridged,
                bridged_by,
                regions,
                partial,
            });
        }
        let class_share = |class: Class| class_weights.get(&class).map_or(0.0, |w| share_of(w.clone(), total));
        let totals = Totals {
            regions: count,
            groups: out.len(),
            agreement: 1.0 - share_of(differing, total),
            a_stricter: class_share(Class::AStricter),
            b_stricter: class_share(Class::BStricter),
            incomparable: class_share(Class::Incomparable),
            resolved: 0.0,
            bridged: share_of(bridged_all, total),
        };
        Ok(Found { groups: out, totals, columns: self.ground.space.into_columns(), weights: self.ground.weights_used })
    }

    /// A side's parts inside the window, from its row `skip` on (the common rows before a
    /// changed stretch decide nothing there): out of scope, each rule, the default.
    fn parts(&mut self, first: bool, window: &[Piece], skip: usize) -> Result<Vec<SidePart<(Piece, Size)>>, DiffError> {
        let p = if first { &self.a } else { &self.b };
        let table = p.side.table;
        let Some(scope) = self.cube(&p.scope) else {
            // In scope nowhere: every transfer is out of its scope.
            let pieces = window.to_vec();
            return self.kept(vec![SidePart {
                decider: Decider::OutOfScope,
                outcome: Outcome::out_of_scope(),
                pieces,
            }]);
        };
        let mut parts = Vec::new();
        // Outside the scope box: one disjoint box per test it makes (the tests before it passed,
        // this one failed).
        let mut outside = Vec::new();
        for w in window {
            for k in 0..scope.tests() {
                if let Some(piece) = self.counter.outside(&scope, k).and_then(|c| w.within(&c)) {
                    outside.push(piece);
                }
            }
        }
        parts.push(SidePart { decider: Decider::OutOfScope, outcome: Outcome::out_of_scope(), pieces: outside });
        let inside: Vec<Piece> = window.iter().filter_map(|w| w.within(&scope)).collect();
        let rows: Vec<(usize, Option<Cube>)> =
            p.rows.iter().skip(skip).map(|(i, cells)| (*i, self.cube(cells))).collect();
        let mut earlier: Vec<Cube> = Vec::new();
        let mut k = 0;
        while let Some((first_row, _)) = rows.get(k) {
            // Adjacent rows of one rule and one outcome make one part, as on the diagrams.
            let key = table.rows.get(*first_row).map(|r| (r.rule.as_str(), &r.outcome, &r.met));
            let mut end = k + 1;
            while rows
                .get(end)
                .is_some_and(|(i, _)| table.rows.get(*i).map(|r| (r.rule.as_str(), &r.outcome, &r.met)) == key)
            {
                end += 1;
            }
            let own: Vec<&Cube> = rows.get(k..end).unwrap_or_default().iter().filter_map(|(_, c)| c.as_ref()).collect();
            let mut pieces = Vec::new();
            for (j, row) in own.iter().enumerate() {
                for w in &inside {
                    let Some(base) = w.base.and(row) else { continue };
                    let minus = w.minus.iter().chain(&earlier).chain(own.iter().take(j).copied());
                    pieces.push(Piece::new(base, minus));
                }
            }
            let outcome = Outcome::of(table.rows.get(*first_row).map(|r| &r.outcome));
            parts.push(SidePart { decider: Decider::Rule(*first_row), outcome, pieces });
            earlier.extend(own.into_iter().cloned());
            k = end;
        }
        let pieces = inside.iter().map(|w| Piece::new(w.base.clone(), w.minus.iter().chain(&earlier))).collect();
        parts.push(SidePart { decider: Decider::Default, outcome: Outcome::of(table.default.as_ref()), pieces });
        self.kept(parts)
    }

    /// The parts with their pieces measured, and the pieces (and parts) that hold no point of
    /// the space dropped.
    fn kept(&mut self, parts: Vec<SidePart<Piece>>) -> Result<Vec<SidePart<(Piece, Size)>>, DiffError> {
        let mut kept = Vec::with_capacity(parts.len());
        for part in parts {
            let mut pieces = Vec::with_capacity(part.pieces.len());
            for piece in part.pieces {
                let size = self.size(&piece)?;
                if size.some {
                    pieces.push((piece, size));
                }
            }
            if !pieces.is_empty() {
                kept.push(SidePart { decider: part.decider, outcome: part.outcome, pieces });
            }
        }
        Ok(kept)
    }

    /// A transfer in a piece, which holds one (it was kept so).
    fn witness(&mut self, piece: &Piece) -> Result<serde_json::Value, DiffError> {
        let listed = self.counter.list(&piece.base, &piece.minus, 1).ok_or(DiffError::TooIntricate)?;
        match listed.boxes.first() {
            Some(cube) => Ok(self.ground.space.scenario(&self.counter.point(cube))),
            None => Err(DiffError::Internal("a region where the sides decide has no transfer in it".to_owned())),
        }
    }

    /// A group, given as the disjoint boxes splitting cut it into (each with the rules that
    /// decide there), listed as the diagrams list it: its diagram is built from the boxes, and
    /// cut as every diff cuts one (see [`Lister::boxed_regions`]). So the boxes depend only on
    /// the group's points, not on how the rules that decide it are written, and are the
    /// diagrams' boxes. `None` if that cut lists more than `limit` boxes.
    fn as_diagrams_cut(
        &self,
        cut: &[(Decider, Decider, Cube)],
        total: f64,
        limit: usize,
    ) -> Result<Option<Vec<Region>>, DiffError> {
        let space = &self.ground.space;
        let mut mdd = space.mdd();
        let consistent = space.consistent(&mut mdd);
        let mut region = FALSE;
        let mut candidates: Candidates = (Vec::new(), Vec::new());
        for (da, db, cube) in cut {
            let node = mdd.box_region(&self.counter.boxed(cube));
            region = mdd.or(region, node);
            for (side, decider) in [(&mut candidates.0, da), (&mut candidates.1, db)] {
                match side.iter_mut().find(|(d, _)| d == decider) {
                    Some((_, part)) => *part = mdd.or(*part, node),
                    None => side.push((*decider, node)),
                }
            }
        }
        // In the order the diagrams' parts come in: out of scope, the rules by row, the default.
        let rank = |d: &Decider| match d {
            Decider::OutOfScope => 0,
            Decider::Rule(i) => i.saturating_add(1),
            Decider::Default => usize::MAX,
        };
        candidates.0.sort_by_key(|(d, _)| rank(d));
        candidates.1.sort_by_key(|(d, _)| rank(d));
        let (mut measured, mut fault) = (HashMap::default(), None);
        let related = space.related_facts();
        let mut lister = Lister {
            space,
            mdd: &mut mdd,
            consistent,
            weights: &self.ground.weights,
            measured: &mut measured,
            tables: [self.a.side.table, self.b.side.table],
            fault: &mut fault,
        };
        let listed = match lister.boxed_regions(region, None, &related, &candidates, total, limit) {
            Ok(regions) => Some(regions),
            Err(DiffError::TooManyBoxes { .. }) => None,
            Err(e) => return Err(e),
        };
        if mdd.exhausted() {
            return Err(DiffError::TooIntricate);
        }
        match fault {
            Some(what) => Err(DiffError::Internal(what.to_owned())),
            None => Ok(listed),
        }
    }

    fn region(&self, cube: &Cube, ra: &RuleRef, rb: &RuleRef, total: f64) -> Region {
        Region {
            when: Some(self.ground.space.box_cells(&self.counter.boxed(cube))),
            share: (self.counter.weight(cube) / total).min(1.0),
            a_rules: vec![ra.clone()],
            b_rules: vec![rb.clone()],
            witness: self.ground.space.scenario(&self.counter.point(cube)),
        }
    }
}

/// What `weights` make of `total`. Rounding can carry a sum of parts a hair past the whole,
/// which would read as a share above 1 (or an agreement below 0): it is held to 1.
fn share_of(weights: Vec<f64>, total: f64) -> f64 {
    (sum(weights) / total).min(1.0)
}

/// A sum that does not depend on the order the terms come in (they are added smallest first).
/// It starts from 0, not from `-0.0` as `Iterator::sum` does, so that nothing reads "-0".
fn sum(mut terms: Vec<f64>) -> f64 {
    terms.sort_by(f64::total_cmp);
    terms.into_iter().fold(0.0, |total, t| total + t)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::analysis::diff::MAX_BOXES;
    use crate::analysis::side::{Reading, Side};

    fn table(text: &str) -> crate::table::Table {
        crate::compile::compile_text("t.accord", text).unwrap().pop().unwrap()
    }

    /// `a` against `b` piece by piece, plainly compared, listed as `listing` up to `limit`.
    fn compared(a: &crate::table::Table, b: &crate::table::Table, listing: Option<Listing>, limit: usize) -> Found {
        let pa = Prepared::new(Side::new(a), Reading::OriginAligned, false, None).unwrap();
        let pb = Prepared::new(Side::new(b), Reading::OriginAligned, false, None).unwrap();
        compare(pa, pb, &Options::default(), listing, limit).unwrap()
    }

    /// Past the cap, a group lists its first boxes and says so; its share, and the totals, are
    /// those of the whole listing.
    #[test]
    fn a_group_past_the_cap_is_listed_in_part_and_measured_whole() {
        let a = table(
            "regime a \"A\" { home CN\n rule r1 \"R\" cite \"X\" when data has health then permit\n \
             rule r2 \"R\" cite \"X\" when destination == US then permit\n default prohibit }",
        );
        let b = table("regime a \"A\" { home CN\n default prohibit }");
        let (whole, cut) =
            (compared(&a, &b, Some(Listing::Regions), MAX_BOXES), compared(&a, &b, Some(Listing::Regions), 1));
        assert_eq!(whole.groups.len(), 1);
        assert!(whole.groups[0].regions.len() >= 2 && !whole.groups[0].partial);
        assert_eq!(cut.groups[0].regions.len(), 1);
        assert!(cut.groups[0].partial);
        assert_eq!(cut.groups[0].share, whole.groups[0].share);
        assert_eq!(cut.totals.agreement, whole.totals.agreement);
        assert_eq!(cut.totals.regions, 1);
        // Unlisted (as `diff::agreement` reads it), the same figures, and no regions.
        let unlisted = compared(&a, &b, None, 0);
        assert_eq!(unlisted.totals.agreement, whole.totals.agreement);
        assert_eq!(unlisted.totals.bridged, whole.totals.bridged);
        assert_eq!(unlisted.totals.regions, 0);
        assert!(whole.totals.agreement < 1.0 && whole.totals.agreement > 0.0);
    }

    /// Past the cap, the largest groups are listed first: the groups left unlisted are the
    /// smallest.
    #[test]
    fn the_cap_lists_the_largest_groups_first() {
        let a = table(
            "regime a \"A\" { home CN\n rule r1 \"R\" cite \"X\" when data has health then permit\n \
             rule r2 \"R\" cite \"X\" when not (destination == US) then require cn_certification\n default prohibit }",
        );
        let b = table("regime a \"A\" { home CN\n default prohibit }");
        let found = compared(&a, &b, Some(Listing::Regions), 1);
        let listed: Vec<(f64, usize, bool)> =
            found.groups.iter().map(|g| (g.share, g.regions.len(), g.partial)).collect();
        let (larger, smaller) = match listed.as_slice() {
            [x, y] if x.0 > y.0 => (*x, *y),
            [x, y] => (*y, *x),
            _ => panic!("two groups, not {listed:?}"),
        };
        assert_eq!((larger.1, smaller.1, smaller.2), (1, 0, true), "{listed:?}");
    }
}
