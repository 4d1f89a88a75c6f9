//! wsusdiag-core: why Windows computers do not get their updates from WSUS.
//!
//! Give it the Windows Update client logs (`WindowsUpdate.log`, classic or Windows 10, or the
//! `.etl` traces) and the WSUS server logs (`SoftwareDistribution.log`) of a case, in any order;
//! it finds each client failure, joins it to the server's record of the same fault, and names
//! the known issue, its cause and its ordered fix.
//!
//! # The KB954960 case, step by step
//!
//! Some computers stop getting updates. Their `WindowsUpdate.log` says `SyncUpdates failure,
//! error = 0x8024400E` followed by a SOAP fault with `ErrorCode:InternalServerError` and an
//! `ID:`; the server's `SoftwareDistribution.log` has a `ThrowException` with the same ID, right
//! after a `System.ArgumentException: Item has already been added` on the same thread. The
//! bundled sample is such a pair:
//!
//! ```
//! use wsusdiag_core::diagnosis::{Confidence, Correlation, OffsetBasis, Severity};
//! use wsusdiag_core::{Diagnosis, Options, diagnose, sample};
//!
//! let d = diagnose(sample::kb954960(), &Options::default())?;
//!
//! // The verdict: the known issue, how sure, how often.
//! let finding = &d.findings[0];
//! assert_eq!(finding.rule_id, "KB954960");
//! assert_eq!(finding.confidence, Confidence::Confirmed); // both logs agree, joined by fault ID
//! assert_eq!(finding.severity, Severity::Error);
//! assert_eq!(finding.occurrences, 2);
//! assert!(finding.remediation[0].contains("WSUS 3.0 SP1"));
//!
//! // Each client failure, joined to what the server logged about it.
//! let fault = &d.faults[0];
//! assert_eq!(fault.client.hresult, "0x8024400E");
//! assert_eq!(d.codes[&fault.client.hresult].name, "WU_E_PT_SOAP_SERVER");
//! assert_eq!(fault.correlation, Correlation::FaultId);
//! let server = fault.server.as_ref().expect("joined");
//! let cause = server.cause.as_ref().expect("the exception behind the fault");
//! assert_eq!(cause.exception, "System.ArgumentException");
//! assert_eq!(cause.method.as_deref(), Some("ClientImplementation.GetSyncInfo"));
//!
//! // The client's clock: local time (tz -0400) and 42 seconds fast.
//! let clock = &d.clock_offsets[0];
//! assert_eq!(clock.basis, Some(OffsetBasis::FaultId));
//! assert_eq!(clock.tz_minutes, Some(-240));
//! assert_eq!(clock.skew_seconds, Some(-42));
//!
//! // The same diagnosis as the JSON contract every binding shares (each value above is spelled
//! // there as its `as_str()`: `"confirmed"`, `"fault-id"`), and read back from it.
//! let json = d.to_json()?;
//! assert!(json.contains("\"correlation\": \"fault-id\""));
//! assert_eq!(Diagnosis::from_json(&json)?, d);
//! # Ok::<(), wsusdiag_core::Error>(())
//! ```
//!
//! Files go through [`diagnose_paths`] (folders are read whole); buffers through
//! [`diagnose_buffers`]. [`Options`] sets the time window of the time join and extra rules
//! files ([`knowledge::rules`]); [`diagnose_with_progress`] tells how far the reading has come
//! ([`Progress`]), for a progress bar over large inputs.
//!
//! # The layers, usable on their own
//!
//! ```
//! use wsusdiag_core::events::{ClientEvent, client_event};
//! use wsusdiag_core::knowledge::hresult;
//! use wsusdiag_core::records::{ClientFormat, ClientRecords};
//!
//! let text = "2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING: SyncUpdates failure, \
//!             error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200\n";
//! let record = ClientRecords::new(text, ClientFormat::Classic).next().unwrap().unwrap();
//! assert_eq!((record.line, record.component), (1, "PT"));
//! match client_event(&record) {
//!     Some(ClientEvent::CallFailure { method, hresult, .. }) => {
//!         assert_eq!(method, "SyncUpdates");
//!         assert_eq!(hresult::lookup(hresult).unwrap().name, "WU_E_PT_SOAP_SERVER");
//!     }
//!     other => panic!("{other:?}"),
//! }
//! ```
//!
//! [`input`] decodes and sniffs, [`records`] splits entries (borrowing from the input),
//! [`events`] names what an entry says, [`knowledge`] holds the error codes and the known-issue
//! rules, and [`log::Log`] reads one log's records for tools that want rows, not a verdict.
#![deny(unsafe_code)]

pub mod analysis;
mod any_word;
mod assemble;
mod correlate;
pub mod diagnosis;
pub mod error;
pub mod etl;
pub mod events;
pub mod fields;
mod groups;
pub mod input;
mod key_lines;
pub mod knowledge;
pub mod log;
mod named;
mod pipeline;
mod progress;
pub mod records;
mod report;
mod run;
pub mod sample;
pub mod stream;

pub use analysis::{LogAnalysis, analyse, combine};
pub use diagnosis::Diagnosis;
pub use error::{Error, ParseError, ParseErrorKind, Position, Result};
pub use progress::Progress;
pub use run::{Input, Options, diagnose, diagnose_buffers, diagnose_paths, diagnose_with_progress};

/// The README's Rust examples, compiled as doctests so they cannot go stale.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
