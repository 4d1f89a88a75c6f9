//! Any bytes given to the ETL reader: it must never panic, and everything it returns must be
//! safe to use. Run with `cargo fuzz run etl` (seed with `wsusdiag-core/tests/data/etl/*.etl`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use wsusdiag_core::etl;

fuzz_target!(|data: &[u8]| {
    let _ = etl::is_etl(data);
    let log = etl::read(data);
    let mut line = String::new();
    for event in &log.events {
        line.clear();
        event.write_message(&mut line);
        let _ = event.fields();
    }
    let _ = log.provider_summary();
    let _ = etl::read_many(&[("a", data), ("b", data)]);
});
