//! Reduced, ordered multi-valued decision diagrams (MDDs) over a [`Space`].
//!
//! Every variable has a small finite domain (value classes, see [`super::space`]); a node
//! tests one variable and has one child per value; the two terminals are `FALSE` and `TRUE`.
//! Nodes are hash-consed and a node whose children are all equal is never built, so each set of
//! points has exactly one diagram: two regions are equal exactly when their node ids are, and a
//! region is empty exactly when it is `FALSE`. `and`, `or` and `not` are memoised, so their cost
//! is bounded by the product of the operands' sizes, never by the (huge) number of points.

use std::collections::HashMap;

/// A node of a diagram.
pub type NodeId = u32;

/// The empty region.
pub const FALSE: NodeId = 0;
/// The whole space.
pub const TRUE: NodeId = 1;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Node {
    var: u32,
    children: Box<[NodeId]>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Op {
    And,
    Or,
}

/// A store of diagrams over variables of the given sizes (in order).
#[derive(Debug, Clone)]
pub struct Mdd {
    sizes: Vec<u32>,
    nodes: Vec<Node>,
    unique: HashMap<Node, NodeId>,
    memo: HashMap<(Op, NodeId, NodeId), NodeId>,
    not_memo: HashMap<NodeId, NodeId>,
}

impl Mdd {
    /// An empty store for variables with these domain sizes.
    pub fn new(sizes: Vec<u32>) -> Mdd {
        // Terminals sit past the last variable, so every real node's variable is lower.
        let terminal = |_| Node { var: u32::MAX, children: Box::new([]) };
        Mdd {
            sizes,
            nodes: vec![terminal(0), terminal(1)],
            unique: HashMap::new(),
            memo: HashMap::new(),
            not_memo: HashMap::new(),
        }
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

    fn child(&self, node: NodeId, var: u32, value: usize) -> NodeId {
        match self.nodes.get(node as usize) {
            Some(n) if n.var == var => n.children.get(value).copied().unwrap_or(FALSE),
            _ => node,
        }
    }

    /// The node testing `var` with these children (one per value), reduced and shared.
    pub fn make(&mut self, var: u32, children: Vec<NodeId>) -> NodeId {
        if let Some(&first) = children.first() {
            if children.iter().all(|&c| c == first) {
                return first;
            }
        }
        let node = Node { var, children: children.into_boxed_slice() };
        if let Some(&id) = self.unique.get(&node) {
            return id;
        }
        let id = NodeId::try_from(self.nodes.len()).unwrap_or(NodeId::MAX);
        self.nodes.push(node.clone());
        self.unique.insert(node, id);
        id
    }

    /// The region where each listed variable takes one of its allowed values (a box):
    /// `allowed[v]` is `None` for a free variable, else a flag per value.
    pub fn cube(&mut self, allowed: &[Option<Vec<bool>>]) -> NodeId {
        let mut node = TRUE;
        for (var, allowed) in allowed.iter().enumerate().rev() {
            let Some(allowed) = allowed else { continue };
            let children = allowed.iter().map(|&ok| if ok { node } else { FALSE }).collect();
            node = self.make(u32::try_from(var).unwrap_or(u32::MAX), children);
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
        match a {
            FALSE => return TRUE,
            TRUE => return FALSE,
            _ => {}
        }
        if let Some(&r) = self.not_memo.get(&a) {
            return r;
        }
        let var = self.var(a);
        let children: Vec<NodeId> = self.nodes.get(a as usize).map(|n| n.children.to_vec()).unwrap_or_default();
        let negated = children.into_iter().map(|c| self.not(c)).collect();
        let r = self.make(var, negated);
        self.not_memo.insert(a, r);
        r
    }

    /// `a` minus `b`.
    pub fn minus(&mut self, a: NodeId, b: NodeId) -> NodeId {
        let not_b = self.not(b);
        self.and(a, not_b)
    }

    fn apply(&mut self, op: Op, a: NodeId, b: NodeId) -> NodeId {
        match (op, a, b) {
            (Op::And, FALSE, _) | (Op::And, _, FALSE) => return FALSE,
            (Op::And, TRUE, x) | (Op::And, x, TRUE) => return x,
            (Op::Or, TRUE, _) | (Op::Or, _, TRUE) => return TRUE,
            (Op::Or, FALSE, x) | (Op::Or, x, FALSE) => return x,
            _ if a == b => return a,
            _ => {}
        }
        let key = (op, a.min(b), a.max(b));
        if let Some(&r) = self.memo.get(&key) {
            return r;
        }
        let var = self.var(a).min(self.var(b));
        let size = self.sizes.get(var as usize).copied().unwrap_or(0) as usize;
        let mut children = Vec::with_capacity(size);
        for value in 0..size {
            let (x, y) = (self.child(a, var, value), self.child(b, var, value));
            children.push(self.apply(op, x, y));
        }
        let r = self.make(var, children);
        self.memo.insert(key, r);
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
            let n = self.nodes.get(node as usize)?;
            let (value, &next) = n.children.iter().enumerate().find(|(_, c)| **c != FALSE)?;
            if let Some(slot) = point.get_mut(n.var as usize) {
                *slot = u32::try_from(value).ok();
            }
            node = next;
        }
        Some(point)
    }

    /// How many points of the space (each variable counting its values) lie in the region.
    pub fn count(&self, node: NodeId) -> f64 {
        let mut memo: HashMap<NodeId, f64> = HashMap::new();
        self.count_from(node, 0, &mut memo)
    }

    fn count_from(&self, node: NodeId, level: u32, memo: &mut HashMap<NodeId, f64>) -> f64 {
        let var = self.var(node).min(u32::try_from(self.sizes.len()).unwrap_or(u32::MAX));
        // Variables skipped between `level` and this node are free.
        let skipped: f64 = (level..var).map(|v| f64::from(self.sizes.get(v as usize).copied().unwrap_or(1))).product();
        let below = match node {
            FALSE => 0.0,
            TRUE => 1.0,
            _ => {
                if let Some(&c) = memo.get(&node) {
                    c
                } else {
                    let children = self.nodes.get(node as usize).map(|n| n.children.to_vec()).unwrap_or_default();
                    let c = children.into_iter().map(|child| self.count_from(child, var + 1, memo)).sum();
                    memo.insert(node, c);
                    c
                }
            }
        };
        skipped * below
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_are_canonical() {
        let mut m = Mdd::new(vec![3, 2]);
        let a = m.cube(&[Some(vec![true, false, false]), None]);
        let b = m.cube(&[Some(vec![false, true, true]), None]);
        let ab = m.or(a, b);
        assert_eq!(ab, TRUE);
        assert_eq!(m.and(a, b), FALSE);
        let not_a = m.not(a);
        assert_eq!(not_a, b);
        assert_eq!(m.count(a), 2.0);
        assert_eq!(m.count(TRUE), 6.0);
    }

    #[test]
    fn witness_lies_in_the_region() {
        let mut m = Mdd::new(vec![3, 2]);
        let r = m.cube(&[Some(vec![false, false, true]), Some(vec![false, true])]);
        assert_eq!(m.witness(r), Some(vec![Some(2), Some(1)]));
        assert_eq!(m.witness(FALSE), None);
    }
}
