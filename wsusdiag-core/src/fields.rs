//! Caps every text field a diagnosis takes from a log, so that a hostile log cannot make the
//! report as large as itself: a field longer than [`FIELD_CAP`] bytes is cut on a character
//! boundary and ends with `…`, the marker that it was cut (as evidence text is, at the same
//! length).

use crate::diagnosis::{ClientSide, Diagnosis, ServerSide};
use crate::error::excerpt_to;
use crate::pipeline::EVIDENCE_TEXT_CAP;

/// Longest text field taken from a log, in bytes (the evidence cap).
pub const FIELD_CAP: usize = EVIDENCE_TEXT_CAP;

/// Cuts every field of `d` taken from a log to [`FIELD_CAP`].
pub(crate) fn cap(d: &mut Diagnosis) {
    for input in &mut d.inputs {
        for p in &mut input.problems {
            cut(&mut p.text);
        }
    }
    for fault in &mut d.faults {
        client_side(&mut fault.client);
        if let Some(server) = &mut fault.server {
            server_side(server);
        }
    }
    d.server_faults.iter_mut().for_each(server_side);
    for client in &mut d.clients {
        [
            &mut client.client_id,
            &mut client.dns_name,
            &mut client.server_url,
        ]
        .into_iter()
        .for_each(cut_some);
    }
}

fn client_side(c: &mut ClientSide) {
    c.related_codes.iter_mut().for_each(cut);
    [
        &mut c.method,
        &mut c.fault_id,
        &mut c.error_code,
        &mut c.fault_message,
        &mut c.server_url,
    ]
    .into_iter()
    .for_each(cut_some);
}

fn server_side(s: &mut ServerSide) {
    cut(&mut s.thread);
    cut(&mut s.logger);
    [
        &mut s.actor,
        &mut s.throw_id,
        &mut s.error_code,
        &mut s.message,
        &mut s.client,
    ]
    .into_iter()
    .for_each(cut_some);
    if let Some(cause) = &mut s.cause {
        cut(&mut cause.exception);
        cut(&mut cause.message);
        cut_some(&mut cause.method);
        cause.inner.iter_mut().for_each(cut);
    }
}

fn cut(text: &mut String) {
    if text.len() > FIELD_CAP {
        *text = excerpt_to(text, FIELD_CAP);
    }
}

fn cut_some(text: &mut Option<String>) {
    if let Some(text) = text {
        cut(text);
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, diagnose_buffers};

    #[test]
    fn a_huge_server_message_and_client_fault_fields_are_cut_with_a_marker() {
        let huge = "x".repeat(1 << 20);
        let client = format!(
            "2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING: SyncUpdates failure, error = 0x8024400E, soap client error = 7, soap error code = 400, HTTP status code = 200\n\
             2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING: SOAP Fault: 0x00012c\n\
             2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING:     faultstring:Fault occurred\n\
             2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING:     ErrorCode:InternalServerError(5)\n\
             2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING:     Message:{huge}\n\
             2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING:     Method:\"http://www.microsoft.com/SoftwareDistribution/Server/ClientWebService/SyncUpdates\"\n\
             2008-07-14\t09:12:58:640\t1100\tee4\tPT\tWARNING:     ID:{huge}\n"
        );
        let server = format!(
            "2008-07-14 13:12:16.609 UTC\tWarning\tw3wp.12\tSoapUtilities.CreateException\tThrowException: actor = http://wsus/ClientWebService/client.asmx, ID=c0a7445f-b989-43fa-ac20-11f8ca65fa8c, ErrorCode=InternalServerError, Message={huge}, Client=7d8d2f8c-4b5a-4e5c-9c2a-2b3b7d0f9e11\n"
        );
        let d = diagnose_buffers(
            &[("c.log", client.as_bytes()), ("s.log", server.as_bytes())],
            &Options::default(),
        )
        .unwrap();
        let json = d.to_json().unwrap();
        assert!(json.len() < 64 << 10, "{} bytes of JSON", json.len());
        let fault = &d.faults[0].client;
        let message = fault.fault_message.as_deref().unwrap();
        assert!(
            message.starts_with("xxx") && message.ends_with('…'),
            "{message}"
        );
        assert!(fault.fault_id.as_deref().unwrap().ends_with('…'));
        let server = d
            .server_faults
            .first()
            .or(d.faults[0].server.as_ref())
            .unwrap();
        assert!(server.message.as_deref().unwrap().ends_with('…'));
    }
}
