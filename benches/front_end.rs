//! Front-end benchmarks (written below).
fn main() {}
