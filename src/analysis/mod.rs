//! Exact analysis of compiled tables, on decision diagrams over a common [`space`]: verification
//! of one table, and the diff between two.

pub mod diff;
pub mod mdd;
pub mod space;
mod verify;

pub use verify::{Finding, verify, verify_regime};
