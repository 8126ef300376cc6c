//! Depth-first walks over the reference graphs the checker builds (modules that use modules,
//! `let`s that name `let`s, sets that include sets), done with an explicit stack so that no
//! input, however long its chains, can exhaust the call stack.

use crate::source::Span;

/// A cycle: the nodes around it in order, and the reference that closes it.
pub(crate) struct Cycle {
    pub path: Vec<usize>,
    pub closing: Span,
}

/// The result of a walk.
pub(crate) struct Walk {
    /// Every node, each after all the nodes it refers to (cycles cut at their closing edge).
    pub postorder: Vec<usize>,
    /// Every cycle found, once each.
    pub cycles: Vec<Cycle>,
    /// For each node, the longest chain of references starting at it (1 for a leaf).
    pub depth: Vec<usize>,
}

/// Walks the graph whose node `i` refers to `edges[i]` (target, where the reference is).
pub(crate) fn walk(edges: &[Vec<(usize, Span)>]) -> Walk {
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let n = edges.len();
    let mut colour = vec![Colour::White; n];
    let mut walk = Walk { postorder: Vec::with_capacity(n), cycles: Vec::new(), depth: vec![1; n] };
    for start in 0..n {
        if colour.get(start) != Some(&Colour::White) {
            continue;
        }
        // Each frame: a node and the index of its next edge to follow.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        set(&mut colour, start, Colour::Grey);
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            let Some(&(target, span)) = edges.get(node).and_then(|e| e.get(*next)) else {
                set(&mut colour, node, Colour::Black);
                let deepest =
                    edges.get(node).into_iter().flatten().filter_map(|(t, _)| walk.depth.get(*t)).max().copied();
                set(&mut walk.depth, node, 1 + deepest.unwrap_or(0));
                walk.postorder.push(node);
                stack.pop();
                continue;
            };
            *next += 1;
            match colour.get(target) {
                Some(Colour::White) => {
                    set(&mut colour, target, Colour::Grey);
                    stack.push((target, 0));
                }
                Some(Colour::Grey) => {
                    let from = stack.iter().position(|(m, _)| *m == target).unwrap_or(0);
                    let path = stack.iter().skip(from).map(|(m, _)| *m).collect();
                    walk.cycles.push(Cycle { path, closing: span });
                }
                _ => {}
            }
        }
    }
    walk
}

fn set<T>(slice: &mut [T], index: usize, value: T) {
    if let Some(slot) = slice.get_mut(index) {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(list: &[&[usize]]) -> Vec<Vec<(usize, Span)>> {
        list.iter().map(|targets| targets.iter().map(|t| (*t, Span::default())).collect()).collect()
    }

    #[test]
    fn orders_dependencies_first_and_measures_depth() {
        let walk = walk(&edges(&[&[1], &[2], &[], &[2]]));
        assert_eq!(walk.postorder, [2, 1, 0, 3]);
        assert_eq!(walk.depth, [3, 2, 1, 2]);
        assert!(walk.cycles.is_empty());
    }

    #[test]
    fn finds_each_cycle_once() {
        let walk = walk(&edges(&[&[1], &[2], &[0], &[3]]));
        let paths: Vec<_> = walk.cycles.iter().map(|c| c.path.clone()).collect();
        assert_eq!(paths, [vec![0, 1, 2], vec![3]]);
    }

    #[test]
    fn long_chains_do_not_recurse() {
        let n = 200_000;
        let chain: Vec<Vec<(usize, Span)>> =
            (0..n).map(|i| if i + 1 < n { vec![(i + 1, Span::default())] } else { vec![] }).collect();
        let walk = walk(&chain);
        assert_eq!(walk.depth.first(), Some(&n));
    }
}
