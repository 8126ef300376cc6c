//! Questions about boxes as satisfiability problems, for regimes whose decision diagrams grow
//! too large: many rules over unrelated facts make the union of their conditions exponential
//! in any variable order, while each question verification asks ("does a point of this box lie
//! outside those boxes?") stays small as clauses.
//!
//! A point of a [`Space`] is encoded with literals for each variable: one for a two-valued
//! variable (true for value 1), one for each value of an enum (exactly one of them true), and
//! for a count's or a date's segments one for each "at least segment k" (each implying the one
//! before). A box is then a conjunction of literals, and "outside a box" is one clause, the
//! disjunction of their negations. Where a box admits a set of values that would take many
//! literals (a few of hundreds of classes, several bands of one count), one literal is defined
//! to hold exactly there, and shared by every box that admits that set. A CDCL solver answers
//! exactly, so nothing is sampled here either, and a point it finds is a point of the space.

use super::mdd::HashMap;
use super::space::Space;
use batsat::{BasicSolver, Lit, SolverInterface, lbool};
use std::cell::Cell;
use std::rc::Rc;

/// The most search steps (decisions and conflicts) one solver may take in all, so that no one
/// question runs unbounded. Past it, or past the solver's budget of propagations (checked
/// between questions), every question is unanswered, and the caller says so.
const STEP_BUDGET: u64 = 50_000_000;

/// How the values of one variable of the space are encoded.
#[derive(Debug, Clone)]
enum Values {
    /// A variable of one value: nothing to choose.
    One,
    /// A two-valued variable: value 1 exactly where the literal holds.
    Two(Lit),
    /// One literal per value, exactly one of them true.
    Each(Vec<Lit>),
    /// Ordered values `0..n`: literal `k - 1` holds exactly where the value is at least `k`.
    AtLeast(Vec<Lit>),
}

/// A solver holding the space's points (each variable with one value, consistent under the
/// vocabulary's implications) and whatever clauses are added about them.
pub(super) struct Boxes {
    solver: BasicSolver,
    values: Vec<Values>,
    sizes: Vec<u32>,
    /// The literals defined to hold where a variable takes one of a set of values, by the
    /// variable and the set's runs.
    defined: HashMap<(usize, Vec<(u32, bool)>), Lit>,
    /// Steps left of [`STEP_BUDGET`], counted down by the solver's stop callback.
    left: Rc<Cell<u64>>,
    /// The most propagations the solver may make in all.
    propagations: u64,
}

/// Pairwise "at most one" up to this many values; a ladder of helper literals beyond, so that
/// a domain of hundreds of classes stays linear.
const PAIRWISE: usize = 8;

/// A set of values is written with its excluded values as literals up to this many; beyond,
/// with one defined literal.
const DIRECT: usize = 8;

impl Boxes {
    /// The points of `space`, in a solver that may make at most `propagations` propagations
    /// (a 1,000-rule regime of unrelated rules takes under a million, one of 10,000 rules on
    /// 20,000 bands of one count a hundred million).
    pub(super) fn new(space: &Space, propagations: u64) -> Boxes {
        let left = Rc::new(Cell::new(STEP_BUDGET));
        let mut solver = BasicSolver::default();
        let counter = Rc::clone(&left);
        // Asked at each step of the search: stop when none is left.
        solver.cb_mut().set_stop(move || {
            let n = counter.get();
            counter.set(n.saturating_sub(1));
            n == 0
        });
        let mut boxes =
            Boxes { solver, values: Vec::new(), sizes: space.sizes(), defined: HashMap::default(), left, propagations };
        for (n, ordered) in boxes.sizes.clone().into_iter().zip(space.ordered()) {
            let values = match n {
                0 | 1 => Values::One,
                2 => Values::Two(boxes.fresh(false)),
                _ if ordered => {
                    let lits: Vec<Lit> = (1..n).map(|_| boxes.fresh(false)).collect();
                    for pair in lits.windows(2) {
                        if let [lower, higher] = pair {
                            boxes.add(&[!*higher, *lower]);
                        }
                    }
                    Values::AtLeast(lits)
                }
                _ => {
                    let lits: Vec<Lit> = (0..n).map(|k| boxes.fresh(k == 0)).collect();
                    boxes.exactly_one(&lits);
                    Values::Each(lits)
                }
            };
            boxes.values.push(values);
        }
        for &(m, n) in space.implied() {
            if let (Some(Values::Two(m)), Some(Values::Two(n))) = (boxes.values.get(m), boxes.values.get(n)) {
                let clause = [!*m, *n];
                boxes.add(&clause);
            }
        }
        boxes
    }

    fn exactly_one(&mut self, lits: &[Lit]) {
        self.add(lits);
        if lits.len() <= PAIRWISE {
            for (i, &x) in lits.iter().enumerate() {
                for &y in lits.get(i + 1..).unwrap_or_default() {
                    self.add(&[!x, !y]);
                }
            }
            return;
        }
        // `seen`: one of the values so far holds; a later value may not hold then.
        let mut seen: Option<Lit> = None;
        for &x in lits {
            let now = self.defined_lit();
            self.add(&[!x, now]);
            if let Some(before) = seen {
                self.add(&[!before, now]);
                self.add(&[!before, !x]);
            }
            seen = Some(now);
        }
    }

    /// A new literal the search may choose, trying `first` first: a point found takes each
    /// variable's first value where it can, as a diagram's witness does.
    fn fresh(&mut self, first: bool) -> Lit {
        let polarity = if first { lbool::TRUE } else { lbool::FALSE };
        Lit::new(self.solver.new_var(polarity, true), true)
    }

    /// A new literal the search never chooses: clauses give it its value.
    fn defined_lit(&mut self) -> Lit {
        Lit::new(self.solver.new_var(lbool::UNDEF, false), true)
    }

    /// Adds a clause: at least one of `lits` holds.
    pub(super) fn add(&mut self, lits: &[Lit]) {
        let mut clause = lits.to_vec();
        // `false` means the clauses are now unsatisfiable: every later question says so.
        let _ = self.solver.add_clause_reuse(&mut clause);
    }

    /// The literals whose conjunction is the box `allowed` (as [`Space::allowed`] gives it), or
    /// `None` when the box is empty.
    pub(super) fn inside(&mut self, allowed: &[Option<Vec<(u32, bool)>>]) -> Option<Vec<Lit>> {
        let mut lits = Vec::new();
        for (v, runs) in allowed.iter().enumerate() {
            let Some(runs) = runs else { continue };
            let size = self.sizes.get(v).copied().unwrap_or(0) as usize;
            // Read from the runs, never value by value: a count can have thousands of segments.
            let bands = bands(runs, size);
            let admitted: usize = bands.iter().map(|(from, until)| until - from).sum();
            if admitted == 0 {
                return None;
            }
            if admitted == size {
                continue;
            }
            let Some(values) = self.values.get(v) else { continue };
            match values {
                Values::One => {}
                Values::Two(l) => {
                    lits.push(if bands.iter().any(|&(from, until)| from <= 1 && 1 < until) { *l } else { !*l })
                }
                Values::Each(each) if size - admitted <= DIRECT => {
                    let mut from = 0;
                    for &(start, until) in bands.iter().chain(std::iter::once(&(size, size))) {
                        lits.extend(each.get(from..start).unwrap_or_default().iter().map(|l| !*l));
                        from = until;
                    }
                }
                Values::Each(each) => {
                    let any: Vec<Lit> = bands
                        .iter()
                        .flat_map(|&(from, until)| each.get(from..until).unwrap_or_default())
                        .copied()
                        .collect();
                    lits.push(self.define(v, runs, &any));
                }
                Values::AtLeast(at_least) => {
                    let each: Vec<Vec<Lit>> = bands.iter().map(|&(from, until)| band(at_least, from, until)).collect();
                    match each.as_slice() {
                        [one] => lits.extend(one),
                        _ => {
                            let any: Vec<Lit> = each.iter().map(|both| self.all_of(both)).collect();
                            lits.push(self.define(v, runs, &any));
                        }
                    }
                }
            }
        }
        Some(lits)
    }

    /// A literal that holds exactly where all of `lits` do.
    fn all_of(&mut self, lits: &[Lit]) -> Lit {
        if let [one] = lits {
            return *one;
        }
        let t = self.defined_lit();
        let mut back = vec![t];
        for &l in lits {
            self.add(&[!t, l]);
            back.push(!l);
        }
        self.add(&back);
        t
    }

    /// The literal that holds exactly where variable `v` takes a value of `runs`, which holds
    /// exactly where one of `any` does; defined once for each variable and set.
    fn define(&mut self, v: usize, runs: &[(u32, bool)], any: &[Lit]) -> Lit {
        if let Some(&t) = self.defined.get(&(v, runs.to_vec())) {
            return t;
        }
        let t = self.defined_lit();
        let mut forth = vec![!t];
        for &l in any {
            forth.push(l);
            self.add(&[!l, t]);
        }
        self.add(&forth);
        self.defined.insert((v, runs.to_vec()), t);
        t
    }

    /// Whether some point satisfies every clause and every one of `assumptions`; `None` once
    /// a budget is spent.
    pub(super) fn solve(&mut self, assumptions: &[Lit]) -> Option<bool> {
        if self.left.get() == 0 || self.solver.num_propagations() >= self.propagations {
            return None;
        }
        let answer = self.solver.solve_limited(assumptions);
        if answer == lbool::TRUE {
            Some(true)
        } else if answer == lbool::FALSE {
            Some(false)
        } else {
            None
        }
    }

    /// The point the last satisfiable [`Boxes::solve`] found, one value per variable.
    pub(super) fn point(&self) -> Vec<Option<u32>> {
        let holds = |l: &Lit| self.solver.value_lit(*l) == lbool::TRUE;
        let index = |k: usize| u32::try_from(k).ok();
        self.values
            .iter()
            .map(|values| match values {
                Values::One => Some(0),
                Values::Two(l) => Some(u32::from(holds(l))),
                Values::Each(each) => each.iter().position(holds).and_then(index),
                Values::AtLeast(at_least) => index(at_least.iter().take_while(|l| holds(l)).count()),
            })
            .collect()
    }

    /// The literals that hold in the point the last satisfiable [`Boxes::solve`] found.
    pub(super) fn model(&self) -> Model {
        Model(self.solver.get_model().iter().map(|&v| v == lbool::TRUE).collect())
    }

    /// A literal to switch clauses on by assuming it. The search never chooses it: where it is
    /// not assumed, it is false wherever a clause it switches would otherwise fail.
    pub(super) fn switch(&mut self) -> Lit {
        self.defined_lit()
    }
}

/// The literals of "at least `from` and below `until`" on ordered values.
fn band(at_least: &[Lit], from: usize, until: usize) -> Vec<Lit> {
    let mut lits = Vec::with_capacity(2);
    if let Some(l) = from.checked_sub(1).and_then(|k| at_least.get(k)) {
        lits.push(*l);
    }
    if let Some(l) = until.checked_sub(1).and_then(|k| at_least.get(k)) {
        lits.push(!*l);
    }
    lits
}

/// The maximal stretches of admitted values, as `[from, until)`, from runs `(first value,
/// admitted)` over values `0..size`.
fn bands(runs: &[(u32, bool)], size: usize) -> Vec<(usize, usize)> {
    let mut bands: Vec<(usize, usize)> = Vec::new();
    for (i, &(start, ok)) in runs.iter().enumerate() {
        let until = runs.get(i + 1).map_or(size, |&(next, _)| next as usize).min(size);
        let from = start as usize;
        if !ok || from >= until {
            continue;
        }
        match bands.last_mut() {
            Some(last) if last.1 == from => last.1 = until,
            _ => bands.push((from, until)),
        }
    }
    bands
}

/// The values of a point found: which literals hold.
pub(super) struct Model(Vec<bool>);

impl Model {
    /// Whether a literal holds.
    pub(super) fn holds(&self, l: Lit) -> bool {
        self.0.get(l.var().idx() as usize).copied().is_some_and(|v| v == l.sign())
    }
}
