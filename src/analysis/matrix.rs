//! Pairwise agreement between several regimes: each cell is a diff's agreement share.

use super::diff::{DiffError, Options, Side, SideInfo, agreement};
use rayon::prelude::*;
use serde::Serialize;

/// The agreement between every pair of regimes (format `accord.matrix/1`).
#[derive(Debug, Clone, Serialize)]
pub struct Matrix {
    /// Always `accord.matrix/1`.
    pub format: &'static str,
    /// How the regimes were compared.
    pub reading: super::diff::Reading,
    /// Whether obligations were compared.
    pub obligations: bool,
    /// The regimes, in the order given.
    pub regimes: Vec<SideInfo>,
    /// `agreement[i][j]`: the share of the fact space where regimes `i` and `j` decide alike
    /// (1 on the diagonal; symmetric).
    pub agreement: Vec<Vec<f64>>,
}

impl Matrix {
    /// The pairs, most different first: `(i, j, agreement)` with `i < j`.
    pub fn pairs(&self) -> Vec<(usize, usize, f64)> {
        let mut pairs: Vec<(usize, usize, f64)> = Vec::new();
        for (i, row) in self.agreement.iter().enumerate() {
            for (j, &share) in row.iter().enumerate().skip(i + 1) {
                pairs.push((i, j, share));
            }
        }
        pairs.sort_by(|x, y| x.2.total_cmp(&y.2).then_with(|| (x.0, x.1).cmp(&(y.0, y.1))));
        pairs
    }
}

/// Compares every pair of `sides` (in parallel), as [`super::diff::diff`] would.
pub fn matrix(sides: &[Side], options: &Options) -> Result<Matrix, DiffError> {
    let n = sides.len();
    let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
    let shares: Vec<((usize, usize), f64)> = pairs
        .par_iter()
        .map(|&(i, j)| match (sides.get(i), sides.get(j)) {
            (Some(a), Some(b)) => agreement(a.clone(), b.clone(), options).map(|s| ((i, j), s)),
            _ => Ok(((i, j), 1.0)),
        })
        .collect::<Result<_, _>>()?;
    let mut agreement = vec![vec![1.0; n]; n];
    for ((i, j), share) in shares {
        if let Some(cell) = agreement.get_mut(i).and_then(|row| row.get_mut(j)) {
            *cell = share;
        }
        if let Some(cell) = agreement.get_mut(j).and_then(|row| row.get_mut(i)) {
            *cell = share;
        }
    }
    Ok(Matrix {
        format: "accord.matrix/1",
        reading: options.reading,
        obligations: options.obligations,
        regimes: sides.iter().map(SideInfo::of).collect(),
        agreement,
    })
}
