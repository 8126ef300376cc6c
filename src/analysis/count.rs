//! A box minus a union of boxes, measured, tested and listed without a decision diagram.
//!
//! Where hundreds of rules over unrelated facts meet, the diagram of what one rule leaves to
//! the next can outgrow any budget in the space's fixed variable order, while the question
//! stays small when written as boxes: "this box, minus those". Such a question is answered
//! here by splitting, as an exact model counter does: split on the variable most boxes test,
//! into the classes of values the boxes tell apart; drop a box that misses the part, and the
//! tests a box passes everywhere in it; a part that one box holds whole is covered, and a part
//! no box is left in is uncovered whole. Boxes that test no variable in common split the
//! question into independent ones, whose measures multiply. Questions met again are
//! remembered. Nothing is sampled: the measure is the exact sum of the uncovered parts'
//! weights, and the parts listed are disjoint boxes that cover the region exactly.

use super::mdd::{Boxed, HashMap};
use std::rc::Rc;

/// The most splits one counter makes in all, so that no question runs unbounded; past it,
/// every answer is `None` and the caller says the question is out of reach.
/// The diff bench's stress case (`ACCORD_BENCH_STRESS=1`) answers its one-rule edit within it
/// and refuses its unrelated pair.
pub const SPLIT_BUDGET: u64 = 20_000_000;

/// The most cube references the remembered questions hold; past it the memory is cleared
/// (answers stay exact, only slower). About 8 bytes each, plus the cubes they keep.
const REMEMBERED: usize = 24_000_000;

/// Only questions of at most this many cubes are remembered: larger ones are seldom met again,
/// and hashing them cost more than it saved (the diff bench's stress case, one edit, was
/// slower remembering up to 48 or 160).
const REMEMBERED_CUBES: usize = 8;

/// The values of one variable a box admits, one bit each: in one word for a variable of at
/// most 64 values (most are: set members, bools, a few classes or segments), so that copying
/// a box copies no more than it must.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) enum Values {
    Word(u64),
    Words(Box<[u64]>),
}

impl Values {
    fn none(size: u32) -> Values {
        if size <= 64 { Values::Word(0) } else { Values::Words(vec![0; (size as usize).div_ceil(64)].into()) }
    }

    fn full(size: u32) -> Values {
        let mut v = Values::none(size);
        for x in 0..size {
            v.insert(x);
        }
        v
    }

    /// The values runs admit (as [`super::space::Space::allowed`] gives them) of a variable
    /// of `size` values.
    fn of_runs(runs: &[(u32, bool)], size: u32) -> Values {
        let mut v = Values::none(size);
        for (k, &(start, on)) in runs.iter().enumerate() {
            if !on {
                continue;
            }
            let end = runs.get(k + 1).map_or(size, |r| r.0).min(size);
            for x in start..end {
                v.insert(x);
            }
        }
        v
    }

    fn words(&self) -> &[u64] {
        match self {
            Values::Word(w) => std::slice::from_ref(w),
            Values::Words(ws) => ws,
        }
    }

    fn insert(&mut self, x: u32) {
        let word = match self {
            Values::Word(w) => (x < 64).then_some(w),
            Values::Words(ws) => ws.get_mut((x / 64) as usize),
        };
        if let Some(w) = word {
            *w |= 1u64 << (x % 64);
        }
    }

    fn contains(&self, x: u32) -> bool {
        self.words().get((x / 64) as usize).is_some_and(|w| w & (1u64 << (x % 64)) != 0)
    }

    fn zip(&self, other: &Values, f: impl Fn(u64, u64) -> u64) -> Values {
        match (self, other) {
            (Values::Word(a), Values::Word(b)) => Values::Word(f(*a, *b)),
            _ => Values::Words(self.words().iter().zip(other.words()).map(|(a, b)| f(*a, *b)).collect()),
        }
    }

    fn and(&self, other: &Values) -> Values {
        self.zip(other, |a, b| a & b)
    }

    fn minus(&self, other: &Values) -> Values {
        self.zip(other, |a, b| a & !b)
    }

    /// Whether every value of `self` is one of `other`'s.
    fn within(&self, other: &Values) -> bool {
        self.words().iter().zip(other.words()).all(|(a, b)| a & !b == 0)
    }

    fn is_empty(&self) -> bool {
        self.words().iter().all(|&w| w == 0)
    }

    /// The values, in order.
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.words().iter().enumerate().flat_map(|(i, &w)| {
            (0..64u32).filter(move |b| w & (1u64 << b) != 0).map(move |b| u32::try_from(i).unwrap_or(0) * 64 + b)
        })
    }

    /// The values as sorted, disjoint, half-open intervals.
    fn spans(&self) -> Vec<(u32, u32)> {
        let mut spans: Vec<(u32, u32)> = Vec::new();
        for x in self.iter() {
            match spans.last_mut() {
                Some(last) if last.1 == x => last.1 = x + 1,
                _ => spans.push((x, x + 1)),
            }
        }
        spans
    }
}

/// A box: for each variable it tests, the values it admits (sorted by variable; a variable
/// not listed takes any value).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct Cube(Vec<(u32, Values)>);

impl Cube {
    /// The points in both, or `None` if they share none.
    pub(super) fn and(&self, other: &Cube) -> Option<Cube> {
        let mut out: Vec<(u32, Values)> = Vec::with_capacity(self.0.len() + other.0.len());
        let (mut i, mut j) = (0, 0);
        loop {
            match (self.0.get(i), other.0.get(j)) {
                (Some((v, x)), Some((w, y))) if v == w => {
                    let both = x.and(y);
                    if both.is_empty() {
                        return None;
                    }
                    out.push((*v, both));
                    i += 1;
                    j += 1;
                }
                (Some((v, x)), Some((w, _))) if v < w => {
                    out.push((*v, x.clone()));
                    i += 1;
                }
                (Some(_), Some((w, y))) => {
                    out.push((*w, y.clone()));
                    j += 1;
                }
                (Some((v, x)), None) => {
                    out.push((*v, x.clone()));
                    i += 1;
                }
                (None, Some((w, y))) => {
                    out.push((*w, y.clone()));
                    j += 1;
                }
                (None, None) => return Some(Cube(out)),
            }
        }
    }

    /// Whether every point of `other` is one of this cube's.
    fn holds(&self, other: &Cube) -> bool {
        self.0.iter().all(|(v, x)| other.0.iter().find(|(w, _)| w == v).is_some_and(|(_, y)| y.within(x)))
    }

    /// How many variables it tests.
    pub(super) fn tests(&self) -> usize {
        self.0.len()
    }

    /// Whether the two share a point.
    pub(super) fn meets(&self, other: &Cube) -> bool {
        let (mut i, mut j) = (0, 0);
        while let (Some((v, x)), Some((w, y))) = (self.0.get(i), other.0.get(j)) {
            match v.cmp(w) {
                std::cmp::Ordering::Equal => {
                    if x.and(y).is_empty() {
                        return false;
                    }
                    i += 1;
                    j += 1;
                }
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
            }
        }
        true
    }
}

/// The disjoint boxes of a region, up to a limit.
#[derive(Debug, Clone)]
pub(super) struct Listed {
    /// The boxes found, each as the cube it is.
    pub(super) boxes: Vec<Cube>,
    /// Whether they are all of them.
    pub(super) complete: bool,
}

/// What a region weighs, and whether it holds a point of the space (a point may weigh 0).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Size {
    pub(super) weight: f64,
    pub(super) some: bool,
}

impl Size {
    const NONE: Size = Size { weight: 0.0, some: false };
    const ALL: Size = Size { weight: 1.0, some: true };

    /// The size of a product of two independent regions.
    fn times(self, other: Size) -> Size {
        Size { weight: self.weight * other.weight, some: self.some && other.some }
    }
}

/// A question met while splitting: the cubes left, and the domains of the variables they
/// test.
type Question = (Vec<Rc<Cube>>, Vec<(u32, Values)>);

/// Answers box questions over one space: its variables' sizes and value weights.
pub(super) struct Counter {
    sizes: Vec<u32>,
    /// Each variable's value weights (not cumulative).
    weights: Vec<Vec<f64>>,
    full: Vec<Values>,
    /// What each variable's values weigh together (1 in the space's weights).
    whole_weights: Vec<f64>,
    remembered: HashMap<Question, Size>,
    /// The answers to whole questions (a box and the cubes left in it): a diff asks the same
    /// one of each side's part, and of the pair of them.
    asked: HashMap<(Cube, Vec<Rc<Cube>>), Size>,
    /// The cube references both memories hold (see [`REMEMBERED`]).
    held: usize,
    splits: u64,
}

impl Counter {
    /// A counter for variables of these sizes, whose value `i` of variable `v` weighs
    /// `cumulative[v][i + 1] - cumulative[v][i]` (as [`super::mdd::Mdd::measure`] reads them).
    pub(super) fn new(sizes: Vec<u32>, cumulative: &[Vec<f64>]) -> Counter {
        let weights: Vec<Vec<f64>> = sizes
            .iter()
            .enumerate()
            .map(|(v, &size)| {
                let c = cumulative.get(v);
                let at = |i: usize| c.and_then(|c| c.get(i)).copied().unwrap_or(0.0);
                (0..size as usize).map(|i| at(i + 1) - at(i)).collect()
            })
            .collect();
        let full: Vec<Values> = sizes.iter().map(|&s| Values::full(s)).collect();
        let whole_weights = weights.iter().map(|w| w.iter().sum()).collect();
        Counter {
            sizes,
            weights,
            full,
            whole_weights,
            remembered: HashMap::default(),
            asked: HashMap::default(),
            held: 0,
            splits: 0,
        }
    }

    /// Counts `units` boxes looked through toward the split budget (64 to a split): work done
    /// outside the splitting, such as pairing pieces, is bounded by it too. `None` past it.
    pub(super) fn spend(&mut self, units: usize) -> Option<()> {
        self.splits += u64::try_from(units / 64).unwrap_or(u64::MAX);
        (self.splits <= SPLIT_BUDGET).then_some(())
    }

    /// The box a row's allowed values describe (as [`super::space::Space::allowed`] gives
    /// them), or `None` if it admits no point.
    pub(super) fn cube(&self, allowed: &[Option<Vec<(u32, bool)>>]) -> Option<Cube> {
        let mut tests = Vec::new();
        for (v, runs) in allowed.iter().enumerate() {
            let Some(runs) = runs else { continue };
            let size = self.sizes.get(v).copied().unwrap_or(0);
            let values = Values::of_runs(runs, size);
            if values.is_empty() {
                return None;
            }
            if self.full.get(v) != Some(&values) {
                tests.push((u32::try_from(v).unwrap_or(u32::MAX), values));
            }
        }
        Some(Cube(tests))
    }

    /// The points that pass the first `k` tests of a box and fail test `k`: for `k` from 0 to
    /// its number of tests, disjoint boxes that together are everything outside it. `None`
    /// past its tests.
    pub(super) fn outside(&self, cube: &Cube, k: usize) -> Option<Cube> {
        let mut tests: Vec<(u32, Values)> = cube.0.get(..k)?.to_vec();
        let (v, values) = cube.0.get(k)?;
        let full = self.full.get(*v as usize)?;
        let failed = full.minus(values);
        if failed.is_empty() {
            return None;
        }
        tests.push((*v, failed));
        Some(Cube(tests))
    }

    /// A box as the diagram store writes one: intervals per variable, `None` where free.
    pub(super) fn boxed(&self, cube: &Cube) -> Boxed {
        let mut b: Boxed = vec![None; self.sizes.len()];
        for (v, values) in &cube.0 {
            if let Some(slot) = b.get_mut(*v as usize) {
                *slot = Some(values.spans());
            }
        }
        b
    }

    /// A point of a box: its first admitted value of each variable it tests (`None`, value 0,
    /// elsewhere).
    pub(super) fn point(&self, cube: &Cube) -> Vec<Option<u32>> {
        let mut point = vec![None; self.sizes.len()];
        for (v, values) in &cube.0 {
            if let Some(slot) = point.get_mut(*v as usize) {
                *slot = values.iter().next();
            }
        }
        point
    }

    /// The weight of a box: of the values it admits of each variable it tests, and of every
    /// value of the others.
    pub(super) fn weight(&self, cube: &Cube) -> f64 {
        let mut tests = cube.0.iter().peekable();
        let mut weight = 1.0;
        for (v, whole) in self.whole_weights.iter().enumerate() {
            weight *= match tests.next_if(|(w, _)| *w as usize == v) {
                Some((w, values)) => self.values_weight(*w, values),
                None => *whole,
            };
        }
        weight
    }

    fn values_weight(&self, v: u32, values: &Values) -> f64 {
        let w = self.weights.get(v as usize);
        values.iter().map(|x| w.and_then(|w| w.get(x as usize)).copied().unwrap_or(0.0)).sum()
    }

    /// The part of `base` outside every box of `minus`, set up for splitting: the domain of
    /// each variable, and the boxes cut to the base with the tests it passes dropped. `None`
    /// when one box holds the base whole.
    fn setup(&self, base: &Cube, minus: &[Cube]) -> Option<(Vec<Values>, Vec<Rc<Cube>>)> {
        let mut domain = self.full.clone();
        for (v, values) in &base.0 {
            if let Some(slot) = domain.get_mut(*v as usize) {
                *slot = values.clone();
            }
        }
        let mut cubes: Vec<Cube> = Vec::with_capacity(minus.len());
        for cube in minus {
            match cut(cube, &domain) {
                Cut::Misses => {}
                Cut::Holds => return None,
                Cut::Leaves(c) => cubes.push(c),
            }
        }
        cubes.sort();
        cubes.dedup();
        // A cube inside another covers nothing the other does not.
        let mut kept: Vec<Rc<Cube>> = Vec::with_capacity(cubes.len());
        for (i, cube) in cubes.iter().enumerate() {
            let inside_another =
                cubes.iter().enumerate().any(|(j, other)| j != i && other.holds(cube) && (!cube.holds(other) || j < i));
            if !inside_another {
                kept.push(Rc::new(cube.clone()));
            }
        }
        Some((domain, kept))
    }

    /// The weight and number of points of `base` outside every box of `minus`; `None` past
    /// the split budget.
    pub(super) fn size(&mut self, base: &Cube, minus: &[Cube]) -> Option<Size> {
        let Some((mut domain, cubes)) = self.setup(base, minus) else { return Some(Size::NONE) };
        let key = (base.clone(), cubes);
        if let Some(&known) = self.asked.get(&key) {
            return Some(known);
        }
        let tested = tested(&key.1);
        let mut size = self.count(key.1.clone(), &mut domain)?;
        // Variables no box left tests are whole in the region: as the base admits them, or
        // every value.
        for v in 0..self.sizes.len() {
            let v = u32::try_from(v).unwrap_or(u32::MAX);
            if tested.binary_search(&v).is_err() {
                size = size.times(self.whole(v, &domain));
            }
        }
        self.held += key.1.len();
        self.asked.insert(key, size);
        Some(size)
    }

    /// The region as disjoint boxes, at most `limit` of them (and whether that is all); `None`
    /// past the split budget.
    pub(super) fn list(&mut self, base: &Cube, minus: &[Cube], limit: usize) -> Option<Listed> {
        let mut listed = Listed { boxes: Vec::new(), complete: true };
        let Some((mut domain, cubes)) = self.setup(base, minus) else { return Some(listed) };
        self.split_list(cubes, &mut domain, &mut listed, limit)?;
        Some(listed)
    }

    /// Measures the points of the variables `cubes` test (within `domain`) that no cube holds.
    fn count(&mut self, cubes: Vec<Rc<Cube>>, domain: &mut [Values]) -> Option<Size> {
        self.splits += 1;
        if self.splits > SPLIT_BUDGET {
            return None;
        }
        let vars = tested(&cubes);
        // A cube of one test covers those values outright: take them out of the domain.
        let mut saved: Vec<(u32, Values)> = Vec::new();
        let mut cubes = cubes;
        let mut covered = false;
        while let Some((v, values)) = cubes.iter().find(|c| c.0.len() == 1).and_then(|c| c.0.first()).cloned() {
            let Some(slot) = domain.get_mut(v as usize) else { break };
            let left = slot.minus(&values);
            let old = std::mem::replace(slot, left.clone());
            saved.push((v, old));
            match (!left.is_empty()).then(|| recut(&cubes, v, &left)).flatten() {
                Some(rest) => cubes = rest,
                None => {
                    covered = true;
                    break;
                }
            }
        }
        let size = if covered {
            Some(Size::NONE)
        } else {
            let left = tested(&cubes);
            self.count_cut(cubes, domain).map(|inner| {
                vars.iter().filter(|u| !left.contains(u)).fold(inner, |s, &u| s.times(self.whole(u, domain)))
            })
        };
        for (v, old) in saved.into_iter().rev() {
            if let Some(slot) = domain.get_mut(v as usize) {
                *slot = old;
            }
        }
        size
    }

    /// The weight of a variable's whole domain, which holds a value.
    fn whole(&self, v: u32, domain: &[Values]) -> Size {
        Size { weight: domain.get(v as usize).map_or(0.0, |d| self.values_weight(v, d)), some: true }
    }

    /// [`Counter::count`] once no cube is of one test.
    fn count_cut(&mut self, cubes: Vec<Rc<Cube>>, domain: &mut [Values]) -> Option<Size> {
        match cubes.as_slice() {
            [] => return Some(Size::ALL),
            [cube] => {
                // The box's variables whole, minus the box (whose tests each leave a value
                // out, so some point is left).
                let (mut all, mut held) = (1.0, 1.0);
                for (v, values) in &cube.0 {
                    all *= self.whole(*v, domain).weight;
                    held *= self.values_weight(*v, values);
                }
                return Some(Size { weight: all - held, some: true });
            }
            _ => {}
        }
        let parts = components(&cubes);
        if parts.len() > 1 {
            let mut size = Size::ALL;
            for part in parts {
                size = size.times(self.count(part, domain)?);
                if !size.some {
                    break;
                }
            }
            return Some(size);
        }
        let vars = tested(&cubes);
        if cubes.len() > REMEMBERED_CUBES {
            return self.split_on(cubes, &vars, domain);
        }
        let mut cubes = cubes;
        cubes.sort();
        cubes.dedup();
        let key = (cubes, vars.iter().filter_map(|&v| domain.get(v as usize).map(|d| (v, d.clone()))).collect());
        if let Some(&known) = self.remembered.get(&key) {
            return Some(known);
        }
        let size = self.split_on(key.0.clone(), &vars, domain)?;
        self.held += key.0.len() + key.1.len();
        if self.held >= REMEMBERED {
            self.remembered.clear();
            self.asked.clear();
            self.held = key.0.len() + key.1.len();
        }
        self.remembered.insert(key, size);
        Some(size)
    }

    /// Splits on the busiest variable and adds the parts' sizes up.
    fn split_on(&mut self, cubes: Vec<Rc<Cube>>, vars: &[u32], domain: &mut [Values]) -> Option<Size> {
        let v = busiest(&cubes);
        let mut size = Size::NONE;
        for values in self.classes(&cubes, v, domain) {
            let Some(rest) = recut(&cubes, v, &values) else { continue };
            let old = std::mem::replace(domain.get_mut(v as usize)?, values);
            let left = tested(&rest);
            let mut s = self.count(rest, domain)?;
            for &u in vars.iter().filter(|u| !left.contains(u)) {
                s = s.times(self.whole(u, domain));
            }
            *domain.get_mut(v as usize)? = old;
            size.weight += s.weight;
            size.some |= s.some;
        }
        Some(size)
    }

    fn split_list(
        &mut self,
        cubes: Vec<Rc<Cube>>,
        domain: &mut [Values],
        out: &mut Listed,
        limit: usize,
    ) -> Option<()> {
        self.splits += 1;
        if self.splits > SPLIT_BUDGET {
            return None;
        }
        if !out.complete {
            return Some(());
        }
        if cubes.is_empty() {
            if out.boxes.len() >= limit {
                out.complete = false;
                return Some(());
            }
            let tests = domain
                .iter()
                .enumerate()
                .filter(|(v, d)| self.full.get(*v) != Some(d))
                .map(|(v, d)| (u32::try_from(v).unwrap_or(u32::MAX), d.clone()))
                .collect();
            out.boxes.push(Cube(tests));
            return Some(());
        }
        // A cube of one test covers those values outright: the rest of the domain is the one
        // part to list.
        if let Some((v, values)) = cubes.iter().find(|c| c.0.len() == 1).and_then(|c| c.0.first()).cloned() {
            let left = domain.get(v as usize)?.minus(&values);
            if left.is_empty() {
                return Some(());
            }
            let Some(rest) = recut(&cubes, v, &left) else { return Some(()) };
            let old = std::mem::replace(domain.get_mut(v as usize)?, left);
            self.split_list(rest, domain, out, limit)?;
            *domain.get_mut(v as usize)? = old;
            return Some(());
        }
        let v = busiest(&cubes);
        for values in self.classes(&cubes, v, domain) {
            let Some(rest) = recut(&cubes, v, &values) else { continue };
            let old = std::mem::replace(domain.get_mut(v as usize)?, values);
            self.split_list(rest, domain, out, limit)?;
            *domain.get_mut(v as usize)? = old;
            if !out.complete {
                break;
            }
        }
        Some(())
    }

    /// The values of `v` in its domain, in classes the cubes do not tell apart, in order of
    /// their first value.
    fn classes(&self, cubes: &[Rc<Cube>], v: u32, domain: &[Values]) -> Vec<Values> {
        let size = self.sizes.get(v as usize).copied().unwrap_or(0);
        let tests: Vec<&Values> =
            cubes.iter().filter_map(|c| c.0.iter().find(|(w, _)| *w == v).map(|(_, x)| x)).collect();
        let mut classes: Vec<(Vec<bool>, Values)> = Vec::new();
        let Some(values) = domain.get(v as usize) else { return Vec::new() };
        for x in values.iter() {
            let signature: Vec<bool> = tests.iter().map(|t| t.contains(x)).collect();
            match classes.iter_mut().find(|(s, _)| *s == signature) {
                Some((_, class)) => class.insert(x),
                None => {
                    let mut class = Values::none(size);
                    class.insert(x);
                    classes.push((signature, class));
                }
            }
        }
        classes.into_iter().map(|(_, class)| class).collect()
    }
}

/// A cube cut to a domain.
enum Cut {
    Misses,
    Holds,
    Leaves(Cube),
}

fn cut(cube: &Cube, domain: &[Values]) -> Cut {
    let mut tests = Vec::with_capacity(cube.0.len());
    for (v, values) in &cube.0 {
        let Some(d) = domain.get(*v as usize) else { continue };
        let within = values.and(d);
        if within.is_empty() {
            return Cut::Misses;
        }
        if within != *d {
            tests.push((*v, within));
        }
    }
    if tests.is_empty() { Cut::Holds } else { Cut::Leaves(Cube(tests)) }
}

/// The cubes once the domain of `v` is narrowed to `domain`: a test on `v` is cut to it, and
/// dropped where it passes everywhere; `None` when a cube then holds the whole part. Narrowed
/// to a class of values the cubes do not tell apart, each test admits all of it or none.
fn recut(cubes: &[Rc<Cube>], v: u32, domain: &Values) -> Option<Vec<Rc<Cube>>> {
    let mut out = Vec::with_capacity(cubes.len());
    for cube in cubes {
        match cube.0.iter().position(|(w, _)| *w == v) {
            None => out.push(cube.clone()),
            Some(at) => {
                let Some((_, x)) = cube.0.get(at) else { continue };
                let within = x.and(domain);
                if within.is_empty() {
                    continue;
                }
                let mut rest = Cube::clone(cube);
                if within == *domain {
                    if cube.0.len() == 1 {
                        return None;
                    }
                    rest.0.remove(at);
                } else if let Some(slot) = rest.0.get_mut(at) {
                    slot.1 = within;
                }
                out.push(Rc::new(rest));
            }
        }
    }
    Some(out)
}

/// One past the highest variable the cubes test.
fn span(cubes: &[Rc<Cube>]) -> usize {
    cubes.iter().filter_map(|c| c.0.last()).map(|(v, _)| *v as usize + 1).max().unwrap_or(0)
}

/// The variables the cubes test, sorted.
fn tested(cubes: &[Rc<Cube>]) -> Vec<u32> {
    let mut seen = vec![false; span(cubes)];
    for (v, _) in cubes.iter().flat_map(|c| &c.0) {
        if let Some(s) = seen.get_mut(*v as usize) {
            *s = true;
        }
    }
    seen.iter().enumerate().filter(|(_, s)| **s).map(|(v, _)| u32::try_from(v).unwrap_or(u32::MAX)).collect()
}

/// The variable to split on: the one short cubes test most (each cube counts `2^-tests`, as
/// in the Jeroslow-Wang rule: a short cube covers more), the lowest of those tied.
fn busiest(cubes: &[Rc<Cube>]) -> u32 {
    let mut scores = vec![0.0f64; span(cubes)];
    for cube in cubes {
        let score = (0.5f64).powi(i32::try_from(cube.0.len()).unwrap_or(i32::MAX));
        for (v, _) in &cube.0 {
            if let Some(s) = scores.get_mut(*v as usize) {
                *s += score;
            }
        }
    }
    let mut best: (u32, f64) = (0, 0.0);
    for (v, &score) in scores.iter().enumerate() {
        if score > best.1 {
            best = (u32::try_from(v).unwrap_or(u32::MAX), score);
        }
    }
    best.0
}

/// The cubes in groups that test no variable in common, in the order of their first cubes.
fn components(cubes: &[Rc<Cube>]) -> Vec<Vec<Rc<Cube>>> {
    let mut parent: Vec<usize> = (0..span(cubes)).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while let Some(&p) = parent.get(x) {
            if p == x {
                break;
            }
            let grand = parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = parent.get_mut(x) {
                *slot = grand;
            }
            x = p;
        }
        x
    }
    for cube in cubes {
        let mut it = cube.0.iter().map(|(v, _)| *v as usize);
        let Some(first) = it.next() else { continue };
        for other in it {
            let (a, b) = (root(&mut parent, first), root(&mut parent, other));
            if let Some(slot) = parent.get_mut(a) {
                *slot = b;
            }
        }
    }
    // Each root's group, by its place in `groups`.
    let mut group_of = vec![usize::MAX; parent.len()];
    let mut groups: Vec<Vec<Rc<Cube>>> = Vec::new();
    for cube in cubes {
        let r = cube.0.first().map_or(0, |(v, _)| root(&mut parent, *v as usize));
        match group_of.get(r).copied() {
            Some(g) if g != usize::MAX => {
                if let Some(members) = groups.get_mut(g) {
                    members.push(cube.clone());
                }
            }
            _ => {
                if let Some(slot) = group_of.get_mut(r) {
                    *slot = groups.len();
                }
                groups.push(vec![cube.clone()]);
            }
        }
    }
    groups
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    /// xorshift64*: a fixed stream of cases.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n
        }
    }

    /// A random box over variables of these sizes: each variable tested one time in two (three
    /// in four if `small`), by a random set of values, each admitted two times in three (one in
    /// two if `small`); `None` if every value of a test fails.
    fn random_cube(rng: &mut Rng, counter: &Counter, sizes: &[u32], small: bool) -> Option<Cube> {
        let allowed: Vec<Option<Vec<(u32, bool)>>> = sizes
            .iter()
            .map(|&size| {
                (rng.below(4) < if small { 3 } else { 2 }).then(|| {
                    let flags: Vec<bool> = (0..size).map(|_| rng.below(if small { 2 } else { 3 }) != 0).collect();
                    crate::analysis::mdd::runs_of(&flags)
                })
            })
            .collect();
        counter.cube(&allowed)
    }

    fn holds(cube: &Cube, point: &[u32]) -> bool {
        cube.0.iter().all(|(v, values)| values.contains(point[*v as usize]))
    }

    /// Every point of the space, in order.
    fn points(sizes: &[u32]) -> Vec<Vec<u32>> {
        let mut all = vec![Vec::new()];
        for &size in sizes {
            all = all.into_iter().flat_map(|p| (0..size).map(move |x| [p.clone(), vec![x]].concat())).collect();
        }
        all
    }

    /// The counter's weight, emptiness and boxes agree with enumerating every point, on random
    /// spaces of up to six variables of up to five values (and one of 70, past a word), random
    /// weights (summing to 1 per variable or not) and random boxes.
    #[test]
    fn the_counter_agrees_with_enumeration() {
        let mut rng = Rng(0x0C0F_FEE0_DDBA_11ED);
        let (mut empty, mut cut) = (0, 0);
        for case in 0..1500 {
            let mut sizes: Vec<u32> = (0..2 + rng.below(5)).map(|_| 1 + u32::try_from(rng.below(5)).unwrap()).collect();
            if case % 50 == 0 {
                sizes[0] = 70;
            }
            let cumulative: Vec<Vec<f64>> = sizes
                .iter()
                .map(|&size| {
                    // Some values weigh nothing. Two cases in three, each variable's values
                    // weigh 1 in all, as the space's weights do; in the third, whatever they
                    // add up to (a point then weighs as many as the values' weights multiply).
                    let mut raw: Vec<f64> = (0..size).map(|_| rng.below(4) as f64).collect();
                    if raw.iter().all(|&w| w == 0.0) {
                        raw[0] = 1.0;
                    }
                    let total: f64 = if case % 3 == 0 { 1.0 } else { raw.iter().sum() };
                    std::iter::once(0.0)
                        .chain(raw.iter().scan(0.0, |acc, w| {
                            *acc += w / total;
                            Some(*acc)
                        }))
                        .collect()
                })
                .collect();
            let mut counter = Counter::new(sizes.clone(), &cumulative);
            let Some(base) = random_cube(&mut rng, &counter, &sizes, false) else { continue };
            let minus: Vec<Cube> =
                (0..rng.below(12)).filter_map(|_| random_cube(&mut rng, &counter, &sizes, true)).collect();
            let weight_of = |p: &[u32]| -> f64 {
                p.iter().enumerate().map(|(v, &x)| cumulative[v][x as usize + 1] - cumulative[v][x as usize]).product()
            };
            let region: Vec<Vec<u32>> =
                points(&sizes).into_iter().filter(|p| holds(&base, p) && !minus.iter().any(|m| holds(m, p))).collect();
            let expected: f64 = region.iter().map(|p| weight_of(p)).sum();
            let size = counter.size(&base, &minus).unwrap();
            let close = |x: f64| (x - expected).abs() <= 1e-12 * expected.max(1.0);
            assert!(close(size.weight), "case {case}: {} against {expected}", size.weight);
            assert_eq!(size.some, !region.is_empty(), "case {case}");
            empty += usize::from(region.is_empty());

            let listed = counter.list(&base, &minus, usize::MAX).unwrap();
            assert!(listed.complete);
            for p in points(&sizes) {
                let inside = listed.boxes.iter().filter(|b| holds(b, &p)).count();
                assert_eq!(inside, usize::from(region.contains(&p)), "case {case}: point {p:?} in {inside} boxes");
            }
            let listed_weight: f64 = listed.boxes.iter().map(|b| counter.weight(b)).sum();
            assert!(close(listed_weight), "case {case}: {listed_weight} against {expected}");
            if listed.boxes.len() > 1 {
                let first = counter.list(&base, &minus, 1).unwrap();
                assert!(!first.complete && first.boxes.len() == 1 && first.boxes[0] == listed.boxes[0]);
                cut += 1;
            }
        }
        assert!(empty > 100 && cut > 300, "{empty} empty regions, {cut} cut listings");
    }

    /// A question as CNF in DIMACS form: one Boolean for a variable of two values (true for
    /// value 1), one per value (exactly one true) for a larger one; the base's tests as unit
    /// clauses, and for each box the clause that a point is outside it.
    fn dimacs(sizes: &[u32], base: &Cube, minus: &[Cube]) -> String {
        let mut first = Vec::with_capacity(sizes.len());
        let mut next = 1i64;
        for &size in sizes {
            first.push(next);
            next += if size == 2 { 1 } else { i64::from(size) };
        }
        let literal = |v: u32, x: u32| -> i64 {
            let at = first[v as usize];
            if sizes[v as usize] == 2 { if x == 1 { at } else { -at } } else { at + i64::from(x) }
        };
        let mut clauses: Vec<Vec<i64>> = Vec::new();
        for (v, &size) in sizes.iter().enumerate() {
            let v = u32::try_from(v).unwrap();
            if size != 2 {
                clauses.push((0..size).map(|x| literal(v, x)).collect());
                for x in 0..size {
                    for y in x + 1..size {
                        clauses.push(vec![-literal(v, x), -literal(v, y)]);
                    }
                }
            }
        }
        for (v, values) in &base.0 {
            clauses.extend((0..sizes[*v as usize]).filter(|x| !values.contains(*x)).map(|x| vec![-literal(*v, x)]));
        }
        for cube in minus {
            clauses.push(
                cube.0
                    .iter()
                    .flat_map(|(v, values)| {
                        (0..sizes[*v as usize]).filter(|x| !values.contains(*x)).map(|x| literal(*v, x))
                    })
                    .collect(),
            );
        }
        let mut text = format!("p cnf {} {}\n", next - 1, clauses.len());
        for clause in clauses {
            let literals: Vec<String> = clause.iter().map(i64::to_string).collect();
            text.push_str(&format!("{} 0\n", literals.join(" ")));
        }
        text
    }

    /// Past what enumeration reaches (hundreds of boxes over 40 variables, some 10^13 points),
    /// the counter's weight, with every value weighing 1, is the number of points left: it
    /// must be the number Ganak finds, an exact model counter written by others, given the
    /// same questions as CNF. Ganak comes from PyPI (`pip install pyganak`); without it the
    /// test fails, unless `ACCORD_SKIP_GANAK=1`, when it says it skipped.
    #[test]
    #[expect(
        clippy::disallowed_methods,
        clippy::disallowed_macros,
        clippy::print_stderr,
        reason = "the test runs another program, and says so when it skips"
    )]
    fn the_counter_agrees_with_an_independent_model_counter() {
        use std::io::Write as _;
        let mut sizes = vec![2u32; 36];
        sizes.extend([3, 5, 7, 8]);
        let cumulative: Vec<Vec<f64>> = sizes.iter().map(|&s| (0..=s).map(f64::from).collect()).collect();
        let mut rng = Rng(0x5EED_0F6A_4AC0_DE42);
        let test = |rng: &mut Rng, tests: u64| -> Cube {
            let mut chosen: Vec<u32> = Vec::new();
            while chosen.len() < tests as usize {
                let v = u32::try_from(rng.below(sizes.len() as u64)).unwrap();
                if !chosen.contains(&v) {
                    chosen.push(v);
                }
            }
            chosen.sort_unstable();
            Cube(
                chosen
                    .into_iter()
                    .map(|v| {
                        let size = sizes[v as usize];
                        let mut values = Values::none(size);
                        // A proper, non-empty set of the values.
                        let bits = 1 + rng.below((1u64 << size) - 2);
                        (0..size).filter(|x| bits & (1 << x) != 0).for_each(|x| values.insert(x));
                        (v, values)
                    })
                    .collect(),
            )
        };
        let mut questions: Vec<(Cube, Vec<Cube>)> = Vec::new();
        for boxes in [320, 350, 380, 410] {
            let base = test(&mut rng, 2);
            let minus = (0..boxes)
                .map(|_| {
                    let n = 3 + rng.below(4);
                    test(&mut rng, n)
                })
                .collect();
            questions.push((base, minus));
        }
        let input: Vec<String> = questions.iter().map(|(base, minus)| dimacs(&sizes, base, minus)).collect();
        let script = "import sys, pyganak\n\
            for block in sys.stdin.read().split('\\n\\n'):\n\
            \x20   lines = [l for l in block.splitlines() if l and l[0] not in 'pc']\n\
            \x20   if lines:\n\
            \x20       c = pyganak.Counter()\n\
            \x20       for l in lines: c.add_clause([int(x) for x in l.split()[:-1]])\n\
            \x20       print(c.count())\n";
        let child = std::process::Command::new("python3")
            .args(["-c", script])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn();
        let output = child.and_then(|mut child| {
            child.stdin.take().unwrap().write_all(input.join("\n").as_bytes())?;
            child.wait_with_output()
        });
        let counts = match output {
            Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
            failed => {
                assert!(
                    std::env::var("ACCORD_SKIP_GANAK").as_deref() == Ok("1"),
                    "Ganak did not run ({failed:?}): install it with `pip install pyganak`, or set \
                     ACCORD_SKIP_GANAK=1 to skip this test"
                );
                eprintln!("skipped: no Ganak (ACCORD_SKIP_GANAK=1)");
                return;
            }
        };
        // Ganak writes its progress as DIMACS comments ("c o …") on the same stream.
        let counts: Vec<u64> = counts
            .lines()
            .filter(|l| !l.starts_with('c'))
            .map(|l| l.trim().parse().unwrap_or_else(|_| panic!("Ganak printed {l:?}")))
            .collect();
        assert_eq!(counts.len(), questions.len());
        for ((base, minus), &expected) in questions.iter().zip(&counts) {
            let mut counter = Counter::new(sizes.clone(), &cumulative);
            let size = counter.size(base, minus).unwrap();
            assert_eq!(size.weight, expected as f64, "{} boxes", minus.len());
            assert_eq!(size.some, expected > 0, "{} boxes", minus.len());
        }
        // The questions are neither trivially empty nor nearly whole.
        assert!(counts.iter().any(|&n| n > 0) && counts.iter().all(|&n| n < 1 << 40), "{counts:?}");
    }

    /// The boxes outside a box are disjoint and make up everything else.
    #[test]
    fn outside_a_box_is_everything_else() {
        let sizes = vec![3, 2, 4];
        let cumulative: Vec<Vec<f64>> = sizes.iter().map(|&s| (0..=s).map(f64::from).collect()).collect();
        let counter = Counter::new(sizes.clone(), &cumulative);
        let cube = counter.cube(&[Some(vec![(0, false), (1, true)]), None, Some(vec![(0, true), (2, false)])]).unwrap();
        let outside: Vec<Cube> = (0..cube.tests()).filter_map(|k| counter.outside(&cube, k)).collect();
        assert_eq!(outside.len(), 2);
        for p in points(&sizes) {
            let n = outside.iter().filter(|b| holds(b, &p)).count();
            assert_eq!(n, usize::from(!holds(&cube, &p)), "{p:?}");
        }
    }
}
