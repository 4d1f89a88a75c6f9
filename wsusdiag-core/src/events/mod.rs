//! The event layer: what records mean, still borrowed from the input.

mod client;
mod configmgr;
mod endpoints;
pub(crate) mod keywords;
mod outcome;
mod server;
mod tokens;

pub(crate) use client::message_event_in;
pub use client::{ClientEvent, SoapFault, client_event, message_event};
pub use configmgr::{ConfigMgrEvent, codes as configmgr_codes, configmgr_event};
pub use endpoints::{EndpointKind, UpdateSource, host};
pub use outcome::{ALL_UPDATES_FAILED, CALL_CANCELLED, Ended, Operation, Outcome};
pub(crate) use server::frames_in;
pub use server::{
    ExceptionInfo, ServerEvent, SqlError, ThrowException, exception, exceptions, frames,
    server_event, throw_exception, wsus_frame,
};
pub(crate) use tokens::first_hresult as first_code;
pub use tokens::{codes, method_name, normalize_guid};
