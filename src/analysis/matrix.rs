//! Pairwise agreement between several regimes: each cell is a diff's agreement share.

use super::diff::{DiffError, Options, Shares, Side, SideInfo, agreement};
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
    /// `agreement[i][j]`: the share of transfers where regimes `i` and `j` decide alike, under
    /// the weights (1 on the diagonal; symmetric).
    pub agreement: Vec<Vec<f64>>,
    /// `bridged[i][j]`: the share of transfers where regimes `i` and `j` decide differently (or
    /// alike only by an accord), yet one mechanism, after accords, meets both (0 on the
    /// diagonal; symmetric).
    pub bridged: Vec<Vec<f64>>,
    /// The accords applied, by id.
    pub accords: Vec<String>,
    /// The weights declared for the regimes' facts (a fact not listed takes the fallback).
    pub weights: Vec<crate::table::Weight>,
}

impl Matrix {
    /// The label of regime `i`, one of the matrix's rows.
    pub fn label(&self, i: usize) -> &str {
        #[expect(clippy::indexing_slicing, reason = "a matrix has one row and one column per regime")]
        self.regimes[i].label.as_str()
    }

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

/// One pair's figures: `((i, j), shares)`.
type Share = ((usize, usize), Shares);

/// Compares every pair of `sides` (in parallel, one worker per core), as [`super::diff::diff`]
/// would.
pub fn matrix(sides: &[Side], options: &Options) -> Result<Matrix, DiffError> {
    let n = sides.len();
    let pairs: Vec<(usize, usize)> = (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).collect();
    // Pairs are independent: workers take the next pair until none is left.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let workers = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get).min(pairs.len().max(1));
    let results: Vec<Result<Vec<Share>, DiffError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while let Some(&(i, j)) = pairs.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                        if let (Some(a), Some(b)) = (sides.get(i), sides.get(j)) {
                            done.push(((i, j), agreement(a.clone(), b.clone(), options)?));
                        }
                    }
                    Ok(done)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or_else(|_| Ok(Vec::new()))).collect()
    });
    let mut shares = Vec::with_capacity(pairs.len());
    for r in results {
        shares.extend(r?);
    }
    if shares.len() != pairs.len() {
        return Err(DiffError::Internal("a matrix worker stopped before its pairs were done".into()));
    }
    let mut agreement = vec![vec![1.0; n]; n];
    let mut bridged = vec![vec![0.0; n]; n];
    for ((i, j), share) in shares {
        for (grid, value) in [(&mut agreement, share.agreement), (&mut bridged, share.bridged)] {
            for (x, y) in [(i, j), (j, i)] {
                if let Some(cell) = grid.get_mut(x).and_then(|row| row.get_mut(y)) {
                    *cell = value;
                }
            }
        }
    }
    let tables: Vec<&crate::table::Table> = sides.iter().map(|s| s.table).collect();
    let weights = super::weights::Weights::of(&tables, &options.weights)
        .map_err(|c| DiffError::WeightsDiffer { fact: c.fact, regimes: c.regimes })?
        .declared();
    Ok(Matrix {
        format: "accord.matrix/1",
        weights,
        reading: options.reading,
        obligations: options.obligations,
        regimes: sides.iter().map(SideInfo::of).collect(),
        agreement,
        bridged,
        accords: options.accords.iter().map(|a| a.id.clone()).collect(),
    })
}
