//! Cells and boxes, and the exact set operations the compiler needs on them.

use crate::check::ir::{FactId, Interval, Program, Type};
use std::collections::HashSet;

/// What the compiler knows of a column: its fact, type and the bounds of its domain.
#[derive(Debug, Clone)]
pub(crate) struct ColInfo {
    pub fact: FactId,
    pub ty: Type,
    /// Members in the enum (for `Enum` and `Set` columns).
    pub members: u32,
    /// The least value (0 for counts, the earliest day for dates).
    pub floor: i64,
}

impl ColInfo {
    pub fn new(program: &Program, fact: FactId) -> Option<ColInfo> {
        let ty = program.fact(fact)?.ty;
        let members = match ty {
            Type::Enum(e) | Type::Set(e) => program.enum_def(e).map_or(0, |d| d.members.len()),
            _ => 0,
        };
        let floor = if ty == Type::Date { i64::MIN } else { 0 };
        Some(ColInfo { fact, ty, members: u32::try_from(members).unwrap_or(u32::MAX), floor })
    }
}

/// What a box admits in one column. Member lists are sorted and free of repeats; ranges are
/// sorted, disjoint and not touching.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum ICell {
    Bool(bool),
    Enum(Vec<u32>),
    Set { has: Vec<u32>, lacks: Vec<u32> },
    Ranges(Vec<Interval>),
}

/// Cells by column index, sorted by column; a column not present admits everything.
pub(crate) type IBox = Vec<(usize, ICell)>;

/// A box with one cell (or no cell, if the cell admits everything).
pub(crate) fn single(column: usize, cell: ICell, columns: &[ColInfo]) -> IBox {
    match columns.get(column) {
        Some(info) if is_full(&cell, info) => Vec::new(),
        _ => vec![(column, cell)],
    }
}

/// Whether a box admits nothing.
pub(crate) fn is_empty(b: &IBox) -> bool {
    b.iter().any(|(_, c)| match c {
        ICell::Bool(_) => false,
        ICell::Enum(members) => members.is_empty(),
        ICell::Set { has, lacks } => has.iter().any(|h| lacks.contains(h)),
        ICell::Ranges(ranges) => ranges.is_empty(),
    })
}

fn is_full(cell: &ICell, info: &ColInfo) -> bool {
    match cell {
        ICell::Bool(_) => false,
        ICell::Enum(members) => members.len() == info.members as usize,
        ICell::Set { has, lacks } => has.is_empty() && lacks.is_empty(),
        ICell::Ranges(ranges) => matches!(ranges.as_slice(), [only] if only.lo <= info.floor && only.hi.is_none()),
    }
}

fn intersect_cells(a: &ICell, b: &ICell) -> Option<ICell> {
    Some(match (a, b) {
        (ICell::Bool(x), ICell::Bool(y)) => {
            if x != y {
                return None;
            }
            ICell::Bool(*x)
        }
        (ICell::Enum(x), ICell::Enum(y)) => {
            let both: Vec<u32> = x.iter().copied().filter(|m| y.binary_search(m).is_ok()).collect();
            if both.is_empty() {
                return None;
            }
            ICell::Enum(both)
        }
        (ICell::Set { has: h1, lacks: l1 }, ICell::Set { has: h2, lacks: l2 }) => {
            let has = union(h1, h2);
            let lacks = union(l1, l2);
            if has.iter().any(|h| lacks.binary_search(h).is_ok()) {
                return None;
            }
            ICell::Set { has, lacks }
        }
        (ICell::Ranges(x), ICell::Ranges(y)) => {
            let mut out = Vec::new();
            for a in x {
                for b in y {
                    let lo = a.lo.max(b.lo);
                    let hi = match (a.hi, b.hi) {
                        (None, h) | (h, None) => h,
                        (Some(p), Some(q)) => Some(p.min(q)),
                    };
                    let iv = Interval { lo, hi };
                    if !iv.is_empty() {
                        out.push(iv);
                    }
                }
            }
            if out.is_empty() {
                return None;
            }
            ICell::Ranges(crate::check::normalise_intervals(out))
        }
        // Cells of one column always have one kind; a mismatch admits nothing.
        _ => return None,
    })
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out: Vec<u32> = a.iter().chain(b).copied().collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The complement of a cell within its column, as cells whose union it is.
fn complement_cell(cell: &ICell, info: &ColInfo) -> Vec<ICell> {
    match cell {
        ICell::Bool(b) => vec![ICell::Bool(!b)],
        ICell::Enum(members) => {
            let rest: Vec<u32> = (0..info.members).filter(|m| members.binary_search(m).is_err()).collect();
            if rest.is_empty() { Vec::new() } else { vec![ICell::Enum(rest)] }
        }
        ICell::Set { has, lacks } => has
            .iter()
            .map(|&h| ICell::Set { has: Vec::new(), lacks: vec![h] })
            .chain(lacks.iter().map(|&l| ICell::Set { has: vec![l], lacks: Vec::new() }))
            .collect(),
        ICell::Ranges(ranges) => {
            let mut out = Vec::new();
            let mut next = Some(info.floor);
            for r in ranges {
                if let Some(lo) = next {
                    if r.lo > lo {
                        out.push(Interval { lo, hi: Some(r.lo) });
                    }
                }
                next = r.hi;
            }
            if let Some(lo) = next {
                out.push(Interval { lo, hi: None });
            }
            if out.is_empty() { Vec::new() } else { vec![ICell::Ranges(out)] }
        }
    }
}

/// The intersection of two boxes; `None` if it is empty.
fn intersect(a: &IBox, b: &IBox) -> Option<IBox> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    loop {
        match (a.get(i), b.get(j)) {
            (Some((ca, x)), Some((cb, y))) if ca == cb => {
                out.push((*ca, intersect_cells(x, y)?));
                i += 1;
                j += 1;
            }
            (Some((ca, x)), Some((cb, _))) if ca < cb => {
                out.push((*ca, x.clone()));
                i += 1;
            }
            (Some(_), Some((cb, y))) => {
                out.push((*cb, y.clone()));
                j += 1;
            }
            (Some((ca, x)), None) => {
                out.push((*ca, x.clone()));
                i += 1;
            }
            (None, Some((cb, y))) => {
                out.push((*cb, y.clone()));
                j += 1;
            }
            (None, None) => return Some(out),
        }
    }
}

/// `u and v`: every pairwise intersection. `None` if the result would exceed `bound` boxes.
pub(crate) fn and(u: &[IBox], v: &[IBox], columns: &[ColInfo], bound: usize) -> Option<Vec<IBox>> {
    let mut out = Vec::new();
    for a in u {
        for b in v {
            if let Some(c) = intersect(a, b) {
                out.push(c);
                if out.len() > bound.saturating_mul(4) {
                    return None;
                }
            }
        }
    }
    let out = simplify(out, columns);
    (out.len() <= bound).then_some(out)
}

/// `not u`: the intersection, over the boxes of `u`, of each box's complement.
pub(crate) fn not(u: &[IBox], columns: &[ColInfo], bound: usize) -> Option<Vec<IBox>> {
    let mut acc: Vec<IBox> = vec![IBox::new()];
    for b in u {
        let mut complement = Vec::new();
        for (column, cell) in b {
            let Some(info) = columns.get(*column) else { continue };
            complement.extend(complement_cell(cell, info).into_iter().map(|c| single(*column, c, columns)));
        }
        acc = and(&acc, &complement, columns, bound)?;
        if acc.is_empty() {
            break;
        }
    }
    Some(acc)
}

/// Drops repeated boxes, and boxes inside another box of the union (when the union is small
/// enough for the quadratic check to be cheap). The union admits exactly the same values.
pub(crate) fn simplify(boxes: Vec<IBox>, _columns: &[ColInfo]) -> Vec<IBox> {
    let mut unique = boxes;
    dedup(&mut unique);
    if unique.len() > SMALL_UNION {
        return unique;
    }
    let mut keep = vec![true; unique.len()];
    for i in 0..unique.len() {
        for j in 0..unique.len() {
            let (Some(a), Some(b)) = (unique.get(i), unique.get(j)) else { continue };
            if i != j && keep.get(j) == Some(&true) && contains(b, a) {
                if let Some(k) = keep.get_mut(i) {
                    *k = false;
                }
                break;
            }
        }
    }
    let mut flags = keep.into_iter();
    unique.retain(|_| flags.next().unwrap_or(true));
    unique
}

/// A union of at most this many boxes is small: the quadratic checks over it are cheap.
const SMALL_UNION: usize = 256;

/// Drops every box equal to an earlier one, keeping the first of each where it was. A small
/// union compares boxes directly; a large one hashes them (borrowed, not cloned).
fn dedup(boxes: &mut Vec<IBox>) {
    let first: Vec<bool> = if boxes.len() <= SMALL_UNION {
        boxes.iter().enumerate().map(|(i, b)| boxes.get(..i).is_some_and(|before| !before.contains(b))).collect()
    } else {
        let mut seen = HashSet::with_capacity(boxes.len());
        boxes.iter().map(|b| seen.insert(b)).collect()
    };
    if first.contains(&false) {
        let mut flags = first.into_iter();
        boxes.retain(|_| flags.next().unwrap_or(true));
    }
}

/// Whether box `outer` admits everything box `inner` does.
fn contains(outer: &IBox, inner: &IBox) -> bool {
    // Every column `outer` constrains, `inner` must constrain too.
    outer.len() <= inner.len()
        && outer.iter().all(|(column, cell)| match inner.iter().find(|(c, _)| c == column) {
            None => false,
            Some((_, inner_cell)) => cell_contains(cell, inner_cell),
        })
}

fn cell_contains(outer: &ICell, inner: &ICell) -> bool {
    match (outer, inner) {
        (ICell::Bool(a), ICell::Bool(b)) => a == b,
        (ICell::Enum(a), ICell::Enum(b)) => b.iter().all(|m| a.binary_search(m).is_ok()),
        (ICell::Set { has: h1, lacks: l1 }, ICell::Set { has: h2, lacks: l2 }) => {
            h1.iter().all(|h| h2.contains(h)) && l1.iter().all(|l| l2.contains(l))
        }
        (ICell::Ranges(a), ICell::Ranges(b)) => {
            b.iter().all(|r| a.iter().any(|o| o.lo <= r.lo && (o.hi.is_none() || (r.hi.is_some() && r.hi <= o.hi))))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(ty: Type, members: u32) -> ColInfo {
        ColInfo { fact: FactId(0), ty, members, floor: if ty == Type::Date { i64::MIN } else { 0 } }
    }

    #[test]
    fn complements_are_exact() {
        let e = info(Type::Enum(crate::check::ir::EnumId(0)), 4);
        assert_eq!(complement_cell(&ICell::Enum(vec![1, 3]), &e), [ICell::Enum(vec![0, 2])]);
        assert_eq!(complement_cell(&ICell::Enum(vec![0, 1, 2, 3]), &e), []);
        let c = info(Type::Count, 0);
        let iv = |lo, hi| Interval { lo, hi };
        assert_eq!(
            complement_cell(&ICell::Ranges(vec![iv(5, Some(10)), iv(20, None)]), &c),
            [ICell::Ranges(vec![iv(0, Some(5)), iv(10, Some(20))])]
        );
        assert_eq!(complement_cell(&ICell::Ranges(vec![iv(0, Some(3))]), &c), [ICell::Ranges(vec![iv(3, None)])]);
        let s = info(Type::Set(crate::check::ir::EnumId(0)), 3);
        assert_eq!(
            complement_cell(&ICell::Set { has: vec![0], lacks: vec![2] }, &s),
            [ICell::Set { has: vec![], lacks: vec![0] }, ICell::Set { has: vec![2], lacks: vec![] }]
        );
    }

    #[test]
    fn not_of_a_union_is_the_intersection_of_complements() {
        let cols = vec![info(Type::Bool, 0), info(Type::Bool, 0)];
        // not (a or b) = (not a and not b)
        let u = vec![vec![(0, ICell::Bool(true))], vec![(1, ICell::Bool(true))]];
        assert_eq!(not(&u, &cols, 100).unwrap(), [vec![(0, ICell::Bool(false)), (1, ICell::Bool(false))]]);
        // not true = nothing; not nothing = everything
        assert_eq!(not(&[IBox::new()], &cols, 100).unwrap(), Vec::<IBox>::new());
        assert_eq!(not(&[], &cols, 100).unwrap(), [IBox::new()]);
    }

    #[test]
    fn simplify_drops_contained_boxes() {
        let cols = vec![info(Type::Bool, 0), info(Type::Bool, 0)];
        let wide = vec![(0, ICell::Bool(true))];
        let narrow = vec![(0, ICell::Bool(true)), (1, ICell::Bool(false))];
        assert_eq!(simplify(vec![narrow, wide.clone(), wide.clone()], &cols), [wide]);
    }
}
