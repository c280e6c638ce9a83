//! Live tests (placeholder until the harness lands).
fn main() {}
