//! Any bytes as a client and a server log through the whole diagnosis: a result, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsusdiag_core::{Options, diagnose_buffers};

fuzz_target!(|data: &[u8]| {
    let half = data.len() / 2;
    let options = Options::default().with_parallel(false);
    if let Ok(d) = diagnose_buffers(&[("client.log", &data[..half]), ("server.log", &data[half..])], &options) {
        let _ = d.to_json();
        let _ = d.to_text();
    }
});
