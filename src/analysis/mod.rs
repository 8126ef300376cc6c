//! Exact analysis of compiled tables, on decision diagrams: verification now; the diff between
//! regimes builds on the same [`space`] and [`mdd`].

pub mod mdd;
pub mod space;
mod verify;

pub use verify::{Finding, verify, verify_regime};
