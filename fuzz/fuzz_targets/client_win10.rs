//! Any text given to the Windows 10 client parser and its events: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsusdiag_core::events::client_event;
use wsusdiag_core::records::{ClientFormat, ClientRecords};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for record in ClientRecords::new(&text, ClientFormat::Win10).flatten() {
        let _ = client_event(&record);
    }
});
