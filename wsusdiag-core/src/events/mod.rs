//! The event layer: what records mean, still borrowed from the input.

mod client;
pub(crate) mod keywords;
mod server;
mod tokens;

pub(crate) use client::message_event_in;
pub use client::{ClientEvent, SoapFault, client_event, message_event};
pub use server::{
    ExceptionInfo, ServerEvent, SqlError, ThrowException, exception, exceptions, frames,
    server_event, throw_exception, wsus_frame,
};
pub use tokens::{codes, method_name, normalize_guid};
