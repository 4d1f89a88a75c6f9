//! Any bytes as a sent analysis: read, and when read, combined into a diagnosis; an error,
//! never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsusdiag_core::{LogAnalysis, Options, combine};

fuzz_target!(|data: &[u8]| {
    if let Ok(a) = LogAnalysis::from_bytes(data) {
        let options = Options::default().with_parallel(false);
        if let Ok(d) = combine([a], &options) {
            let _ = d.to_json();
        }
    }
});
