//! Benchmarks and the deterministic large-log generator for wsusdiag.
