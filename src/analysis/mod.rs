//! Exact analysis of compiled tables, on decision diagrams over a common [`space`]: verification
//! of one table, the diff between two, the corridor between two homes, and the agreement matrix of
//! many. Verification also asks a SAT solver, where the diagrams of many unrelated rules grow
//! too large; a diff then reads its regions piece by piece, each a box minus a union of boxes,
//! measured by exact splitting.

mod compare;
pub mod corridor;
mod count;
pub mod coverage;
pub mod diff;
pub mod inventory;
pub mod matrix;
pub mod mdd;
mod outcome;
mod overlap;
mod partition;
mod pieces;
mod regions;
mod sat;
mod side;
pub mod space;
mod verify;
pub mod weights;

pub use verify::{
    CLAUSE_BUDGET, DIAGRAM_BUDGET, Engine, Finding, NAMED, OVERLAP_STEPS, Overlap, PROPAGATION_BUDGET, diagnostics,
    overlaps, verify, verify_by, verify_regime,
};
