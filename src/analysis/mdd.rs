//! Reduced, ordered multi-valued decision diagrams (MDDs) over a [`Space`](super::space::Space),
//! with interval edges.
//!
//! Every variable has a finite domain of value classes `0..size` (see [`super::space`]); a node
//! tests one variable and maps each *run* of consecutive values to a child, so a count with ten
//! thousand segments costs a node as many runs as its children change, not ten thousand edges.
//! The two terminals are `FALSE` and `TRUE`. Nodes are hash-consed, adjacent runs with one child
//! are merged, and a node with a single run is never built, so each set of points has exactly
//! one diagram: two regions are equal exactly when their node ids are, and a region is empty
//! exactly when it is `FALSE`. `and`, `or` and `not` are memoised, so their cost is bounded by
//! the sizes of the operands, never by the (huge) number of points.

use std::collections::hash_map::Entry;
use std::hash::{BuildHasherDefault, Hasher};

/// A fast hasher for the diagrams' own keys (node ids, small integer tuples): they are not
/// attacker-chosen, so the default DoS-resistant hash only costs time (it was most of it).
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        // A product's low bits depend only on the key's low bits, and the table indexes buckets
        // by the low bits: without this, node pairs `(a, b)` with one `b` all shared a bucket.
        // The high bits mix every bit of the key; rotating brings them down.
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            if let Some(w) = word.get_mut(..chunk.len()) {
                w.copy_from_slice(chunk);
            }
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // The multiply-rotate step of the Fx hash.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

/// A hash map keyed with [`FastHasher`].
pub type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A node of a diagram.
pub type NodeId = u32;

/// The empty region.
pub const FALSE: NodeId = 0;
/// The whole space.
pub const TRUE: NodeId = 1;

/// A node: the variable it tests and where its runs sit in the store's `runs`. A node's runs are
/// `(first value, child)`, sorted, the first starting at 0, each running to the next one's
/// start (the last to the variable's size).
#[derive(Debug, Clone, Copy)]
struct Node {
    var: u32,
    start: u32,
    end: u32,
    /// The next node whose runs hash alike (a chain of the unique table), or `FALSE`.
    next: NodeId,
}

/// A node's runs at one variable, by position: its own, or the node itself as one run when it
/// does not test the variable. Positions stay valid while nodes are added.
#[derive(Debug, Clone, Copy)]
enum At {
    Own { start: usize, end: usize },
    Whole(NodeId),
}

impl At {
    fn get(self, runs: &[(u32, NodeId)], k: usize) -> Option<(u32, NodeId)> {
        match self {
            At::Own { start, end } => start.checked_add(k).filter(|&i| i < end).and_then(|i| runs.get(i)).copied(),
            At::Whole(node) => (k == 0).then_some((0, node)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
}

/// The most nodes one store builds. Unions of many unrelated boxes can grow exponentially; past
/// this, [`Mdd::exhausted`] is set and every operation returns `FALSE` at once, so such an
/// input ends with a clear message instead of filling memory (about 100 bytes a node).
pub const NODE_BUDGET: usize = 4_000_000;

/// The most `and`/`or` results one store remembers. Past it the store is exhausted too: a
/// diagram can stay under [`NODE_BUDGET`] while each operation on it takes seconds (hundreds of
/// unrelated boxes subtracted one by one), and this bounds the time as the node budget bounds
/// memory. The largest standard comparison (`cn` with `eu`) remembers under a million.
pub const WORK_BUDGET: usize = 20_000_000;

/// A store of diagrams over variables of the given sizes (in order).
///
/// Every node's runs are stored once, one after another in `runs`; the unique table maps a
/// hash of a node's variable and runs to the chain of nodes with that hash. Operations build a
/// node's runs on `scratch` (a stack: each call pushes above its caller's and pops its own), so
/// building a node that exists allocates nothing.
#[derive(Debug, Clone)]
pub struct Mdd {
    sizes: Vec<u32>,
    nodes: Vec<Node>,
    runs: Vec<(u32, NodeId)>,
    unique: HashMap<u64, NodeId>,
    scratch: Vec<(u32, NodeId)>,
    and_memo: HashMap<u64, NodeId>,
    or_memo: HashMap<u64, NodeId>,
    not_memo: HashMap<NodeId, NodeId>,
    budget: usize,
    /// The most `and`/`or` results remembered (see [`WORK_BUDGET`]).
    work: usize,
    exhausted: bool,
}

/// The entries a store's unique table and memos have room for from the start (about half a
/// megabyte in all). Growing a hash map rehashes every entry it holds: a comparison of a few
/// thousand nodes, such as the `diff_20` bench, spent about a sixth of its time doing that.
const CAPACITY: usize = 4096;

/// Two node ids as one memo key.
fn pair(a: NodeId, b: NodeId) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// The unique table's hash of a node.
fn node_hash(var: u32, runs: &[(u32, NodeId)]) -> u64 {
    let mut h = FastHasher::default();
    h.write_u32(var);
    for &(start, child) in runs {
        h.write_u64(pair(start, child));
    }
    h.finish()
}

impl Mdd {
    /// An empty store for variables with these domain sizes.
    pub fn new(sizes: Vec<u32>) -> Mdd {
        // Terminals sit past the last variable, so every real node's variable is lower.
        let terminal = Node { var: u32::MAX, start: 0, end: 0, next: FALSE };
        Mdd {
            sizes,
            nodes: vec![terminal, terminal],
            runs: Vec::new(),
            unique: HashMap::with_capacity_and_hasher(CAPACITY, Default::default()),
            scratch: Vec::new(),
            and_memo: HashMap::with_capacity_and_hasher(CAPACITY, Default::default()),
            or_memo: HashMap::with_capacity_and_hasher(CAPACITY, Default::default()),
            not_memo: HashMap::with_capacity_and_hasher(CAPACITY, Default::default()),
            budget: NODE_BUDGET,
            work: WORK_BUDGET,
            exhausted: false,
        }
    }

    /// The same store with another node budget (see [`NODE_BUDGET`]), and a work budget in
    /// the same proportion to it as [`WORK_BUDGET`] to [`NODE_BUDGET`].
    pub fn with_budget(mut self, budget: usize) -> Mdd {
        self.budget = budget;
        self.work = budget.saturating_mul(WORK_BUDGET / NODE_BUDGET);
        self
    }

    /// Whether the node or work budget ran out: every result since is meaningless.
    pub fn exhausted(&self) -> bool {
        self.exhausted
    }

    /// How many nodes have been built (terminals included).
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether only the terminals exist.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 2
    }

    fn var(&self, node: NodeId) -> u32 {
        self.nodes.get(node as usize).map_or(u32::MAX, |n| n.var)
    }

    /// A node's own runs (none for a terminal).
    fn own_runs(&self, node: NodeId) -> &[(u32, NodeId)] {
        self.nodes.get(node as usize).and_then(|n| self.runs.get(n.start as usize..n.end as usize)).unwrap_or_default()
    }

    /// A node's runs at `var`: its own if it tests `var`, else one run (it does not depend on it).
    fn runs_at(&self, node: NodeId, var: u32) -> At {
        match self.nodes.get(node as usize) {
            Some(n) if n.var == var => At::Own { start: n.start as usize, end: n.end as usize },
            _ => At::Whole(node),
        }
    }

    /// The node testing `var` with the runs on `scratch` from `base` on, reduced and shared;
    /// they are popped.
    fn make_from(&mut self, var: u32, base: usize) -> NodeId {
        let built = self.reduce(base);
        let id = match built {
            Err(only) => only,
            Ok(()) => self.share(var, base),
        };
        self.scratch.truncate(base);
        id
    }

    /// Pushes a run on `scratch` for a node whose runs start at `base`, or continues the last
    /// one if it has the same child: runs pushed in order of their (distinct) starts, the first
    /// at 0, need no other reduction.
    fn push_run(&mut self, base: usize, start: u32, child: NodeId) {
        if self.scratch.len() > base && self.scratch.last().is_some_and(|&(_, last)| last == child) {
            return;
        }
        self.scratch.push((start, child));
    }

    /// [`Mdd::make_from`] for runs pushed with [`Mdd::push_run`].
    fn make_pushed(&mut self, var: u32, base: usize) -> NodeId {
        let id = match self.scratch.get(base..) {
            Some([(_, only)]) => *only,
            _ => self.share(var, base),
        };
        self.scratch.truncate(base);
        id
    }

    /// Reduces the runs on `scratch` from `base` on, in place: `Err(child)` if one run is left.
    fn reduce(&mut self, base: usize) -> Result<(), NodeId> {
        let end = self.scratch.len();
        let mut kept = base;
        for k in base..end {
            let Some(&(start, child)) = self.scratch.get(k) else { break };
            // A run that the next one starts at or before is empty; one that repeats the
            // previous child continues it.
            let empty = self.scratch.get(k + 1).is_some_and(|next| next.0 <= start);
            let repeats = kept > base && self.scratch.get(kept - 1).is_some_and(|&(_, c)| c == child);
            if empty || repeats {
                continue;
            }
            if let Some(slot) = self.scratch.get_mut(kept) {
                *slot = (start, child);
            }
            kept += 1;
        }
        self.scratch.truncate(kept);
        if let Some(first) = self.scratch.get_mut(base) {
            first.0 = 0;
        }
        match self.scratch.get(base..) {
            Some([(_, only)]) => Err(*only),
            _ => Ok(()),
        }
    }

    /// The node testing `var` with the (reduced) runs on `scratch` from `base` on: the one
    /// already built, or a new one.
    fn share(&mut self, var: u32, base: usize) -> NodeId {
        let runs = self.scratch.get(base..).unwrap_or_default();
        let chain = self.unique.entry(node_hash(var, runs));
        let head = match &chain {
            Entry::Occupied(first) => *first.get(),
            Entry::Vacant(_) => FALSE,
        };
        let mut at = head;
        while let Some(n) = self.nodes.get(at as usize).filter(|_| at != FALSE) {
            if n.var == var && self.runs.get(n.start as usize..n.end as usize) == Some(runs) {
                return at;
            }
            at = n.next;
        }
        let (Ok(id), Ok(start), Ok(end)) = (
            NodeId::try_from(self.nodes.len()),
            u32::try_from(self.runs.len()),
            u32::try_from(self.runs.len() + runs.len()),
        ) else {
            self.exhausted = true;
            return FALSE;
        };
        if self.nodes.len() >= self.budget {
            self.exhausted = true;
            return FALSE;
        }
        match chain {
            Entry::Occupied(mut first) => *first.get_mut() = id,
            Entry::Vacant(slot) => {
                slot.insert(id);
            }
        }
        self.runs.extend_from_slice(runs);
        self.nodes.push(Node { var, start, end, next: head });
        id
    }

    /// The region where each listed variable takes an allowed value (a box). `allowed[v]` is
    /// `None` for a free variable, else runs `(first value, allowed)`, laid out as a node's runs
    /// are (see `Node`).
    pub fn cube(&mut self, allowed: &[Option<Vec<(u32, bool)>>]) -> NodeId {
        let mut node = TRUE;
        for (var, allowed) in allowed.iter().enumerate().rev() {
            let Some(allowed) = allowed else { continue };
            let base = self.scratch.len();
            self.scratch.extend(allowed.iter().map(|&(start, ok)| (start, if ok { node } else { FALSE })));
            node = self.make_from(u32::try_from(var).unwrap_or(u32::MAX), base);
        }
        node
    }

    /// The intersection of two regions.
    pub fn and(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.apply(Op::And, a, b)
    }

    /// The union of two regions.
    pub fn or(&mut self, a: NodeId, b: NodeId) -> NodeId {
        self.apply(Op::Or, a, b)
    }

    /// The complement of a region.
    pub fn not(&mut self, a: NodeId) -> NodeId {
        if self.exhausted {
            return FALSE;
        }
        match a {
            FALSE => return TRUE,
            TRUE => return FALSE,
            _ => {}
        }
        if let Some(&r) = self.not_memo.get(&a) {
            return r;
        }
        let var = self.var(a);
        let runs = self.runs_at(a, var);
        let base = self.scratch.len();
        let mut k = 0;
        while let Some((start, child)) = runs.get(&self.runs, k) {
            let negated = self.not(child);
            self.push_run(base, start, negated);
            k += 1;
        }
        let r = self.make_pushed(var, base);
        self.not_memo.insert(a, r);
        r
    }

    /// `a` minus `b`.
    pub fn minus(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let not_b = self.not(b);
        self.and(a, not_b)
    }

    fn apply(&mut self, op: Op, a: NodeId, b: NodeId) -> NodeId {
        match self.shortcut(op, a, b) {
            Some(r) => r,
            None => self.combine(op, a, b),
        }
    }

    /// The result of `op` when it needs no work: after the budget is spent, on a terminal, or
    /// on equal operands.
    #[inline]
    fn shortcut(&self, op: Op, a: NodeId, b: NodeId) -> Option<NodeId> {
        if self.exhausted {
            return Some(FALSE);
        }
        match (op, a, b) {
            (Op::And, FALSE, _) | (Op::And, _, FALSE) => Some(FALSE),
            (Op::And, TRUE, x) | (Op::And, x, TRUE) => Some(x),
            (Op::Or, TRUE, _) | (Op::Or, _, TRUE) => Some(TRUE),
            (Op::Or, FALSE, x) | (Op::Or, x, FALSE) => Some(x),
            _ if a == b => Some(a),
            _ => None,
        }
    }

    /// `op` on two nodes that [`Mdd::shortcut`] leaves alone. Children are tried with the
    /// shortcut before a call: in a diff, two calls in five are settled by it.
    fn combine(&mut self, op: Op, a: NodeId, b: NodeId) -> NodeId {
        let key = pair(a.min(b), a.max(b));
        let memo = match op {
            Op::And => &self.and_memo,
            Op::Or => &self.or_memo,
        };
        if let Some(&r) = memo.get(&key) {
            return r;
        }
        if self.and_memo.len() + self.or_memo.len() >= self.work {
            self.exhausted = true;
            return FALSE;
        }
        let var = self.var(a).min(self.var(b));
        let (ra, rb) = (self.runs_at(a, var), self.runs_at(b, var));
        // Walk both run lists together: a new run starts wherever either side's does.
        let base = self.scratch.len();
        let (mut i, mut j) = (0, 0);
        let (mut run_a, mut run_b) = (ra.get(&self.runs, 0), rb.get(&self.runs, 0));
        while let (Some((sa, ca)), Some((sb, cb))) = (run_a, run_b) {
            let child = match self.shortcut(op, ca, cb) {
                Some(r) => r,
                None => self.combine(op, ca, cb),
            };
            self.push_run(base, sa.max(sb), child);
            let (next_a, next_b) = (ra.get(&self.runs, i + 1), rb.get(&self.runs, j + 1));
            let start_a = next_a.map_or(u32::MAX, |r| r.0);
            let start_b = next_b.map_or(u32::MAX, |r| r.0);
            if start_a == u32::MAX && start_b == u32::MAX {
                break;
            }
            if start_a <= start_b {
                i += 1;
                run_a = next_a;
            }
            if start_b <= start_a {
                j += 1;
                run_b = next_b;
            }
        }
        let r = self.make_pushed(var, base);
        match op {
            Op::And => self.and_memo.insert(key, r),
            Op::Or => self.or_memo.insert(key, r),
        };
        r
    }

    /// One point of a non-empty region: a value for each variable the path to `TRUE` tests
    /// (`None` for variables it leaves free). `None` if the region is empty.
    pub fn witness(&self, mut node: NodeId) -> Option<Vec<Option<u32>>> {
        if node == FALSE {
            return None;
        }
        let mut point = vec![None; self.sizes.len()];
        while node != TRUE {
            let var = self.var(node);
            let &(value, next) = self.own_runs(node).iter().find(|(_, c)| *c != FALSE)?;
            if let Some(slot) = point.get_mut(var as usize) {
                *slot = Some(value);
            }
            node = next;
        }
        Some(point)
    }

    /// Whether a point lies in a region; a variable the point leaves open (`None`, as
    /// [`Mdd::witness`] leaves those the region does not test) takes its first value.
    pub fn holds(&self, mut node: NodeId, point: &[Option<u32>]) -> bool {
        while node != TRUE && node != FALSE {
            let value = point.get(self.var(node) as usize).copied().flatten().unwrap_or(0);
            let runs = self.own_runs(node);
            // The run holding `value`: the last one starting at or before it.
            let at = runs.partition_point(|&(start, _)| start <= value);
            match at.checked_sub(1).and_then(|i| runs.get(i)) {
                Some(&(_, next)) => node = next,
                None => return false,
            }
        }
        node == TRUE
    }
}

/// A box: for each variable, the values it admits as sorted, disjoint, half-open intervals
/// `[start, end)`, or `None` when it admits every value.
pub type Boxed = Vec<Option<Vec<(u32, u32)>>>;

impl Mdd {
    /// The measure of a region, where value `i` of variable `v` weighs
    /// `cumulative[v][i + 1] - cumulative[v][i]` (so `cumulative[v]` has one more entry than
    /// the variable has values, starting at 0). `memo` keeps the measure below each node met:
    /// regions measured one after another with the same weights, in the same store, share it.
    pub fn measure(&self, node: NodeId, cumulative: &[Vec<f64>], memo: &mut HashMap<NodeId, f64>) -> f64 {
        self.measure_from(node, 0, cumulative, memo)
    }

    fn measure_from(&self, node: NodeId, level: u32, cumulative: &[Vec<f64>], memo: &mut HashMap<NodeId, f64>) -> f64 {
        let width = |v: u32, a: u32, b: u32| {
            let c = cumulative.get(v as usize);
            let at = |i: u32| c.and_then(|c| c.get(i as usize)).copied().unwrap_or(0.0);
            at(b) - at(a)
        };
        let var = self.var(node).min(u32::try_from(self.sizes.len()).unwrap_or(u32::MAX));
        let size = |v: u32| self.sizes.get(v as usize).copied().unwrap_or(0);
        let skipped: f64 = (level..var).map(|v| width(v, 0, size(v))).product();
        let below = match node {
            FALSE => 0.0,
            TRUE => 1.0,
            _ => {
                if let Some(&m) = memo.get(&node) {
                    m
                } else {
                    let runs = self.own_runs(node);
                    let mut m = 0.0;
                    for (k, &(start, child)) in runs.iter().enumerate() {
                        let end = runs.get(k + 1).map_or(size(var), |r| r.0);
                        if child != FALSE {
                            m += width(var, start, end) * self.measure_from(child, var + 1, cumulative, memo);
                        }
                    }
                    memo.insert(node, m);
                    m
                }
            }
        };
        skipped * below
    }

    /// The region with the variables flagged in `quantified` projected away: a point is in it
    /// when some values of those variables complete it to a point of `node`.
    pub fn exists(&mut self, node: NodeId, quantified: &[bool]) -> NodeId {
        let mut memo: HashMap<NodeId, NodeId> = HashMap::default();
        self.exists_memo(node, quantified, &mut memo)
    }

    fn exists_memo(&mut self, node: NodeId, quantified: &[bool], memo: &mut HashMap<NodeId, NodeId>) -> NodeId {
        if node == FALSE || node == TRUE {
            return node;
        }
        if let Some(&r) = memo.get(&node) {
            return r;
        }
        let var = self.var(node);
        let runs = self.runs_at(node, var);
        let r = if quantified.get(var as usize).copied().unwrap_or(false) {
            let mut acc = FALSE;
            let mut k = 0;
            while let Some((_, child)) = runs.get(&self.runs, k) {
                let child = self.exists_memo(child, quantified, memo);
                acc = self.or(acc, child);
                k += 1;
            }
            acc
        } else {
            let base = self.scratch.len();
            let mut k = 0;
            while let Some((start, child)) = runs.get(&self.runs, k) {
                let child = self.exists_memo(child, quantified, memo);
                self.push_run(base, start, child);
                k += 1;
            }
            self.make_pushed(var, base)
        };
        memo.insert(node, r);
        r
    }

    /// The region a box describes.
    pub fn box_region(&mut self, b: &Boxed) -> NodeId {
        let mut node = TRUE;
        for (var, spans) in b.iter().enumerate().rev() {
            let Some(spans) = spans else { continue };
            let base = self.scratch.len();
            let size = self.sizes.get(var).copied().unwrap_or(u32::MAX);
            self.scratch.push((0, FALSE));
            for &(lo, hi) in spans {
                self.scratch.push((lo, node));
                // A span that reaches the last value ends the runs: a run starting past the
                // domain would make a node no other operation builds.
                if hi < size {
                    self.scratch.push((hi, FALSE));
                }
            }
            node = self.make_from(u32::try_from(var).unwrap_or(u32::MAX), base);
        }
        node
    }

    /// A region as disjoint boxes, merged where two differ in one variable only; `None` if
    /// there would be more than `limit`.
    ///
    /// Boxes are built bottom-up, once per node: a node's boxes are its children's, each
    /// extended with the values leading to that child, and boxes that come from different
    /// children but agree below are joined on the spot. A last pass joins what remains
    /// (boxes that agree on every variable but one, reached by different paths). Boxes and
    /// interval lists are hash-consed while this runs, so telling two apart compares ids.
    pub fn boxes(&self, node: NodeId, limit: usize) -> Option<Vec<Boxed>> {
        let mut store = BoxStore::new();
        self.sparse_boxes(node, limit, &mut store)?;
        let top = store.memo.remove(&node).unwrap_or_default();
        let flat = top.into_iter().map(|b| store.flatten(b)).collect();
        let merged = store.merge(flat, &self.sizes);
        Some(
            merged
                .into_iter()
                .map(|b| {
                    let mut dense: Boxed = vec![None; self.sizes.len()];
                    for (var, spans) in b {
                        if let Some(slot) = dense.get_mut(var as usize) {
                            *slot = Some(store.spans(spans).to_vec());
                        }
                    }
                    dense
                })
                .collect(),
        )
    }

    /// Works out the boxes of `node` into `store.memo`; `None` if there are more than `limit`.
    fn sparse_boxes(&self, node: NodeId, limit: usize, store: &mut BoxStore) -> Option<()> {
        if store.memo.contains_key(&node) {
            return Some(());
        }
        let runs = self.own_runs(node);
        // The children's boxes first, so that joining them below needs no recursion (and one
        // index serves every node).
        for &(_, child) in runs {
            if child != FALSE {
                self.sparse_boxes(child, limit, store)?;
            }
        }
        let var = self.var(node);
        let size = self.sizes.get(var as usize).copied().unwrap_or(0);
        store.index.clear();
        let mut joined: Vec<(BoxId, Spans)> = Vec::new();
        for (k, &(start, child)) in runs.iter().enumerate() {
            if child == FALSE {
                continue;
            }
            let end = runs.get(k + 1).map_or(size, |r| r.0);
            for &b in store.memo.get(&child).map(Vec::as_slice).unwrap_or_default() {
                match store.index.get(&b) {
                    // Runs come in order, so a box's intervals stay sorted, and one that starts
                    // where the last ends continues it: they are joined as `union_spans` would.
                    Some(&i) => {
                        if let Some((_, spans)) = joined.get_mut(i) {
                            match spans.last_mut() {
                                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                                _ => spans.push((start, end)),
                            }
                        }
                    }
                    None => {
                        store.index.insert(b, joined.len());
                        joined.push((b, vec![(start, end)]));
                    }
                }
            }
            if joined.len() > limit {
                return None;
            }
        }
        let mut out: Vec<BoxId> = Vec::with_capacity(joined.len());
        for (below, spans) in joined {
            if let [(0, end)] = spans.as_slice()
                && *end >= size
            {
                out.push(below);
            } else {
                let spans = store.intern_spans(spans);
                out.push(store.cons(var, spans, below));
            }
        }
        store.memo.insert(node, out);
        Some(())
    }
}

/// A box under construction, as an id in a [`BoxStore`].
type BoxId = u32;

/// The box that constrains nothing.
const WHOLE: BoxId = u32::MAX;

/// A box as the variables it constrains, in order, each with the id of its intervals.
type Flat = Vec<(u32, u32)>;

/// Sorted, disjoint, half-open intervals `[start, end)` of a variable's values.
type Spans = Vec<(u32, u32)>;

/// Boxes and interval lists, hash-consed: equal ones get one id. A box is [`WHOLE`] or its
/// first constrained variable, that variable's intervals, and the box of the variables after.
struct BoxStore {
    spans: Vec<Spans>,
    spans_ids: HashMap<Spans, u32>,
    boxes: Vec<(u32, u32, BoxId)>,
    box_ids: HashMap<(u32, u32, BoxId), BoxId>,
    /// The boxes of each node met (the terminals' from the start).
    memo: HashMap<NodeId, Vec<BoxId>>,
    /// Where each box below the node being cut went, while it is.
    index: HashMap<BoxId, usize>,
}

/// A box merged with others, in [`BoxStore::merge`].
struct Joined {
    /// The box without the variable merged on.
    rest: Flat,
    /// Its intervals there.
    first: u32,
    /// Those of every box joined to it, its own included, once some box is.
    spans: Spans,
    /// The box before it whose rest hashes alike.
    next: Option<usize>,
}

/// The hash of a box, for [`BoxStore::merge`].
fn flat_hash(b: &[(u32, u32)]) -> u64 {
    let mut h = FastHasher::default();
    for &(var, spans) in b {
        h.write_u64(pair(var, spans));
    }
    h.finish()
}

impl BoxStore {
    fn new() -> BoxStore {
        let memo = [(FALSE, Vec::new()), (TRUE, vec![WHOLE])].into_iter().collect();
        BoxStore {
            spans: Vec::new(),
            spans_ids: HashMap::default(),
            boxes: Vec::new(),
            box_ids: HashMap::default(),
            memo,
            index: HashMap::default(),
        }
    }

    fn intern_spans(&mut self, spans: Spans) -> u32 {
        if let Some(&id) = self.spans_ids.get(&spans) {
            return id;
        }
        let id = u32::try_from(self.spans.len()).unwrap_or(u32::MAX);
        self.spans.push(spans.clone());
        self.spans_ids.insert(spans, id);
        id
    }

    fn spans(&self, id: u32) -> &[(u32, u32)] {
        self.spans.get(id as usize).map(Vec::as_slice).unwrap_or_default()
    }

    /// The box constraining `var` to intervals `spans`, then as `rest` does.
    fn cons(&mut self, var: u32, spans: u32, rest: BoxId) -> BoxId {
        let key = (var, spans, rest);
        if let Some(&id) = self.box_ids.get(&key) {
            return id;
        }
        let id = BoxId::try_from(self.boxes.len()).unwrap_or(WHOLE);
        self.boxes.push(key);
        self.box_ids.insert(key, id);
        id
    }

    fn flatten(&self, mut b: BoxId) -> Flat {
        let mut flat = Flat::new();
        while let Some(&(var, spans, rest)) = self.boxes.get(b as usize) {
            flat.push((var, spans));
            b = rest;
        }
        flat
    }

    /// Merges disjoint boxes that agree on every variable but one, until none do.
    fn merge(&mut self, mut boxes: Vec<Flat>, sizes: &[u32]) -> Vec<Flat> {
        // Only variables some box constrains can join boxes.
        let mut vars: Vec<u32> = boxes.iter().flat_map(|b| b.iter().map(|(v, _)| *v)).collect();
        vars.sort_unstable();
        vars.dedup();
        // Kept from one variable to the next: boxes by hash without the variable (the last of
        // each chain of `Joined::next`), boxes that do not constrain it, and boxes that do.
        let mut index: HashMap<u64, usize> = HashMap::default();
        let mut rest: Vec<Flat> = Vec::with_capacity(boxes.len());
        let mut joined: Vec<Joined> = Vec::new();
        loop {
            let mut changed = false;
            for &var in &vars {
                index.clear();
                for mut b in boxes.drain(..) {
                    let Some(at) = b.iter().position(|(v, _)| *v == var) else {
                        rest.push(b);
                        continue;
                    };
                    let (_, spans) = b.remove(at);
                    let hash = flat_hash(&b);
                    let mut same = index.get(&hash).copied();
                    while let Some(i) = same.filter(|&i| joined.get(i).is_some_and(|j| j.rest != b)) {
                        same = joined.get(i).and_then(|j| j.next);
                    }
                    match same.and_then(|i| joined.get_mut(i)) {
                        Some(j) => {
                            if j.spans.is_empty() {
                                j.spans.extend_from_slice(self.spans(j.first));
                            }
                            j.spans.extend_from_slice(self.spans(spans));
                            changed = true;
                        }
                        None => {
                            let next = index.insert(hash, joined.len());
                            joined.push(Joined { rest: b, first: spans, spans: Vec::new(), next });
                        }
                    }
                }
                let size = sizes.get(var as usize).copied().unwrap_or(0);
                for Joined { rest: mut b, first, spans, .. } in joined.drain(..) {
                    // A box joined to none keeps its intervals, already sorted and joined.
                    let spans = if spans.is_empty() {
                        Some(first)
                    } else {
                        union_spans(spans, size).map(|spans| self.intern_spans(spans))
                    };
                    if let Some(spans) = spans {
                        let at = b.partition_point(|(v, _)| *v < var);
                        b.insert(at, (var, spans));
                    }
                    rest.push(b);
                }
                std::mem::swap(&mut boxes, &mut rest);
            }
            if !changed {
                return boxes;
            }
        }
    }
}

/// The union of intervals, sorted and joined; `None` if it is every value.
pub(super) fn union_spans(mut spans: Vec<(u32, u32)>, size: u32) -> Option<Vec<(u32, u32)>> {
    spans.sort_unstable();
    let mut joined: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (lo, hi) in spans {
        match joined.last_mut() {
            Some(last) if lo <= last.1 => last.1 = last.1.max(hi),
            _ => joined.push((lo, hi)),
        }
    }
    if let [(0, end)] = joined.as_slice()
        && *end >= size
    {
        return None;
    }
    Some(joined)
}

/// Runs from one flag per value.
pub fn runs_of(flags: &[bool]) -> Vec<(u32, bool)> {
    let mut runs: Vec<(u32, bool)> = Vec::with_capacity(flags.len());
    for (i, &flag) in flags.iter().enumerate() {
        if runs.last().is_none_or(|&(_, last)| last != flag) {
            runs.push((u32::try_from(i).unwrap_or(u32::MAX), flag));
        }
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Running weights that count every value of every variable once.
    fn unit(sizes: &[u32]) -> Vec<Vec<f64>> {
        sizes.iter().map(|&n| (0..=n).map(f64::from).collect()).collect()
    }

    #[test]
    fn regions_are_canonical() {
        let mut m = Mdd::new(vec![3, 2]);
        let a = m.cube(&[Some(runs_of(&[true, false, false])), None]);
        let b = m.cube(&[Some(runs_of(&[false, true, true])), None]);
        let ab = m.or(a, b);
        assert_eq!(ab, TRUE);
        assert_eq!(m.and(a, b), FALSE);
        let not_a = m.not(a);
        assert_eq!(not_a, b);
        assert_eq!(m.measure(a, &unit(&[3, 2]), &mut HashMap::default()), 2.0);
        assert_eq!(m.measure(TRUE, &unit(&[3, 2]), &mut HashMap::default()), 6.0);
    }

    #[test]
    fn witness_lies_in_the_region() {
        let mut m = Mdd::new(vec![3, 2]);
        let r = m.cube(&[Some(runs_of(&[false, false, true])), Some(runs_of(&[false, true]))]);
        assert_eq!(m.witness(r), Some(vec![Some(2), Some(1)]));
        assert_eq!(m.witness(FALSE), None);
    }

    #[test]
    fn many_adjacent_intervals_stay_small() {
        // 10,000 disjoint unit intervals of one variable, joined one by one: the union is one
        // interval, and no node ever holds more than a few runs.
        let n = 10_000u32;
        let mut m = Mdd::new(vec![n + 1]);
        let mut acc = FALSE;
        for i in 0..n {
            let cell = m.cube(&[Some(vec![(0, false), (i, true), (i + 1, false)])]);
            acc = m.or(acc, cell);
        }
        assert_eq!(m.measure(acc, &unit(&[n + 1]), &mut HashMap::default()), f64::from(n));
        assert!(m.len() < 3 * n as usize, "{} nodes", m.len());
    }
}
