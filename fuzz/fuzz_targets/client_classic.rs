//! Any text given to the classic client parser and its events: no panic, every record in bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsusdiag_core::events::client_event;
use wsusdiag_core::records::{ClientFormat, ClientRecords};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for record in ClientRecords::new(&text, ClientFormat::Classic).flatten() {
        let _ = client_event(&record);
    }
});
