//! Any text given to the server parser and its events: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsusdiag_core::events::{exceptions, server_event, wsus_frame};
use wsusdiag_core::records::ServerRecords;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for record in ServerRecords::new(&text).flatten() {
        let _ = server_event(&record);
        let _ = exceptions(&record);
        let _ = wsus_frame(&record);
    }
});
