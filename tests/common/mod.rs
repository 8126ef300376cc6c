//! What more than one oracle test needs, written once.

use std::collections::BTreeSet;

/// `require` groups in canonical form: each group sorted and without repeats, groups that
/// contain another group dropped, groups sorted (an oracle's own reading, not the engine's).
pub fn canonical(groups: &[Vec<String>]) -> Vec<Vec<String>> {
    let sorted: BTreeSet<BTreeSet<&String>> = groups.iter().map(|g| g.iter().collect()).collect();
    sorted
        .iter()
        .filter(|g| !sorted.iter().any(|other| other != *g && other.is_subset(g)))
        .map(|g| g.iter().map(|m| (*m).clone()).collect())
        .collect()
}
