//! What a server record means: SOAP faults sent to clients (`ThrowException`), exceptions with
//! their inner exceptions and stack frames, SQL errors.

use std::sync::LazyLock;

use memchr::memmem::Finder;

use super::tokens::{field, guid_at, number, unquote};
use crate::records::ServerRecord;

/// Searchers for the words looked for in every server record, built once (`str::find` builds
/// one per call).
static THROW: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("ThrowException:"));
static EXCEPTION: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("Exception"));
static INNER: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new("--->"));

/// `ThrowException: actor = …, ID=…, ErrorCode=…, Message=…, Client=…`: the server sent a SOAP
/// fault. The upstream-sync form is `USS ThrowException: Actor = …, Method = "…", ID=…, …`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrowException<'a> {
    /// The upstream-sync (`USS`) form: the fault came from the upstream server.
    pub upstream: bool,
    /// The web service URL.
    pub actor: &'a str,
    /// The SOAPAction, in the upstream form.
    pub method: Option<&'a str>,
    /// The fault ID, the key to the client's `ID:`.
    pub id: Option<&'a str>,
    /// The WSUS `ErrorCode` name.
    pub error_code: Option<&'a str>,
    /// The fault message (may contain commas).
    pub message: &'a str,
    /// The client's identity, when given.
    pub client: Option<&'a str>,
}

/// An exception as .NET writes it: `Type: message`, inner exceptions after `--->`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExceptionInfo<'a> {
    /// The exception type (`System.ArgumentException`).
    pub kind: &'a str,
    /// Its message.
    pub message: &'a str,
}

/// A SQL error logged by `DBConnection.LogSqlException`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SqlError<'a> {
    /// SQL error number (`-2` is a client-side timeout).
    pub number: Option<i64>,
    /// The SQL server.
    pub server: Option<&'a str>,
    /// The text after `LineNumber N:`.
    pub message: &'a str,
}

impl SqlError<'_> {
    /// Whether the query timed out.
    pub fn is_timeout(&self) -> bool {
        self.number == Some(-2) || self.message.contains("Timeout expired")
    }
}

/// The meaning of one server record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent<'a> {
    /// A SOAP fault sent to a client or received from upstream.
    Throw(ThrowException<'a>),
    /// An exception.
    Exception(ExceptionInfo<'a>),
    /// A SQL error.
    Sql(SqlError<'a>),
}

/// Reads the meaning of a server record, if it has one wsusdiag uses.
pub fn server_event<'a>(record: &ServerRecord<'a>) -> Option<ServerEvent<'a>> {
    let m = record.message;
    if let Some(t) = throw_exception(m) {
        return Some(ServerEvent::Throw(t));
    }
    if record.source.ends_with("LogSqlException") || m.starts_with("DBLAYER:") {
        return Some(ServerEvent::Sql(sql_error(m)));
    }
    exception(m).map(ServerEvent::Exception)
}

/// The `ThrowException` fields of a message.
pub fn throw_exception(m: &str) -> Option<ThrowException<'_>> {
    let at = THROW.find(m.as_bytes())?;
    let upstream = m[..at].trim_end().ends_with("USS");
    let rest = &m[at + "ThrowException:".len()..];
    let actor = field(rest, "actor")
        .or_else(|| field(rest, "Actor"))
        .unwrap_or("");
    let method = field(rest, "Method").map(unquote);
    let id = key_value(rest, "ID").map(|v| guid_at(v).unwrap_or(v));
    let error_code = key_value(rest, "ErrorCode");
    // Message may contain commas: it runs to `, Client=` (searched from the right) or the end.
    let (message, client) = match rest.find("Message=") {
        Some(ms) => {
            let body = &rest[ms + "Message=".len()..];
            match body.rfind(", Client=") {
                Some(c) => (body[..c].trim(), Some(body[c + ", Client=".len()..].trim())),
                None => (body.trim(), None),
            }
        }
        None => ("", None),
    };
    Some(ThrowException {
        upstream,
        actor,
        method,
        id,
        error_code,
        message,
        client: client.filter(|c| !c.is_empty() && *c != "?"),
    })
}

/// `key=value` where the key starts the text or follows `, `.
fn key_value<'a>(s: &'a str, key: &str) -> Option<&'a str> {
    let mut from = 0;
    while let Some(p) = s[from..].find(key) {
        let at = from + p;
        from = at + key.len();
        let boundary = at == 0 || s[..at].ends_with(' ') || s[..at].ends_with(',');
        let rest = s[from..].trim_start();
        if boundary && let Some(v) = rest.strip_prefix('=') {
            let v = v.trim_start();
            let end = v.find(',').unwrap_or(v.len());
            return Some(v[..end].trim());
        }
    }
    None
}

fn sql_error(m: &str) -> SqlError<'_> {
    let message = m
        .find("LineNumber")
        .and_then(|at| m[at..].find(':').map(|c| m[at + c + 1..].trim()))
        .unwrap_or(m);
    SqlError {
        number: number(m, "Number").or_else(|| number_after(m, "Number ")),
        server: field(m, "Server").or_else(|| word_after(m, "Server ")),
        message,
    }
}

fn number_after(m: &str, key: &str) -> Option<i64> {
    let v = word_after(m, key)?;
    v.trim_end_matches(',').parse().ok()
}

fn word_after<'a>(m: &'a str, key: &str) -> Option<&'a str> {
    let at = m.find(key)? + key.len();
    let v = &m[at..];
    let end = v.find([',', ' ']).unwrap_or(v.len());
    Some(&v[..end])
}

/// The first `Namespace.TypeException: message` in a text.
pub fn exception(m: &str) -> Option<ExceptionInfo<'_>> {
    let mut from = 0;
    while let Some(p) = EXCEPTION.find(&m.as_bytes()[from..]) {
        let end = from + p + "Exception".len();
        from = end;
        if m[end..].starts_with(|c: char| c.is_ascii_alphanumeric()) {
            continue;
        }
        let start = m[..end]
            .char_indices()
            .rfind(|&(_, c)| !(c.is_ascii_alphanumeric() || c == '.' || c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let kind = &m[start..end];
        // `ThrowException:` opens a fault record, it is not an exception type.
        if kind.ends_with("ThrowException") || (kind == "Exception" && !m[end..].starts_with(':')) {
            continue;
        }
        let message = m[end..].strip_prefix(':').map_or("", str::trim);
        let message = message.split(" ---> ").next().unwrap_or(message);
        return Some(ExceptionInfo { kind, message });
    }
    None
}

/// The exceptions of a record: the outer one on the first line and each inner one
/// (`---> Type: message`) after it.
pub fn exceptions<'a>(record: &ServerRecord<'a>) -> Vec<ExceptionInfo<'a>> {
    let mut out = Vec::new();
    let mut text = record.message;
    if let Some(e) = exception(text) {
        out.push(e);
    }
    while let Some(at) = INNER.find(text.as_bytes()) {
        text = &text[at + 4..];
        if let Some(e) = exception(text) {
            out.push(e);
        }
    }
    for line in record.continuation_lines() {
        if let Some(rest) = line.trim_start().strip_prefix("--->")
            && let Some(e) = exception(rest)
        {
            out.push(e);
        }
    }
    out
}

/// Stack frames of a record (`at Namespace.Class.Method(args)`), as written after `at `.
pub fn frames<'a>(record: &ServerRecord<'a>) -> impl Iterator<Item = &'a str> + use<'a> {
    frames_in(record.continuation)
}

/// The stack frames among an entry's continuation lines, each without `at `.
pub(crate) fn frames_in(continuation: &str) -> impl Iterator<Item = &str> {
    crate::records::lines::Lines::new(continuation)
        .filter_map(|l| l.text.trim_start().strip_prefix("at "))
}

/// The first frame in WSUS's own code, as `Class.Method` (`ClientImplementation.GetSyncInfo`):
/// the place inside WSUS where the exception happened.
pub fn wsus_frame<'a>(record: &ServerRecord<'a>) -> Option<&'a str> {
    frames(record).find_map(|f| {
        let f = f.trim();
        if !f.starts_with("Microsoft.UpdateServices") {
            return None;
        }
        let call = &f[..f.find('(').unwrap_or(f.len())];
        let mut dots = call.rmatch_indices('.');
        dots.next()?;
        let start = dots.next().map_or(0, |(i, _)| i + 1);
        Some(&call[start..])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::ServerRecords;

    #[test]
    fn throw_exception_forms() {
        let t = throw_exception("ThrowException: actor = http://wsusebc/ClientWebService/client.asmx, ID=c0a7445f-b989-43fa-ac20-11f8ca65fa8c, ErrorCode=InternalServerError, Message=, Client=?").unwrap();
        assert_eq!(
            t,
            ThrowException {
                upstream: false,
                actor: "http://wsusebc/ClientWebService/client.asmx",
                method: None,
                id: Some("c0a7445f-b989-43fa-ac20-11f8ca65fa8c"),
                error_code: Some("InternalServerError"),
                message: "",
                client: None
            }
        );
        let t = throw_exception("ThrowException: actor = http://WSUSServerName:8530/ClientWebService/client.asmxs, ID=GUID, ErrorCode=InvalidParameters, Message=parameters.InstalledNonLeafUpdateIDs, a, b, Client=Client_ID").unwrap();
        assert_eq!(
            (t.message, t.client),
            (
                "parameters.InstalledNonLeafUpdateIDs, a, b",
                Some("Client_ID")
            )
        );
        let t = throw_exception("USS ThrowException: Actor = https://fe2.update.microsoft.com/v6/ServerSyncWebService/ServerSyncWebService.asmx, Method = \"http://www.microsoft.com/SoftwareDistribution/GetUpdateData\", ID=<ID>, ErrorCode=InternalServerError, Message=  ").unwrap();
        assert!(t.upstream);
        assert_eq!(
            t.method,
            Some("http://www.microsoft.com/SoftwareDistribution/GetUpdateData")
        );
        assert_eq!(t.error_code, Some("InternalServerError"));
    }

    #[test]
    fn exceptions_and_frames() {
        let text = "Date Time UTC Error w3wp.12 ClientImplementation.SyncUpdates System.ArgumentException: Item has already been added. Key in dictionary: '8862' Key being added: '8862'\nat System.Collections.Hashtable.Insert(Object key, Object nvalue, Boolean add)\nat Microsoft.UpdateServices.Internal.ClientImplementation.GetSyncInfo(DataAccess dataAccess, Hashtable stateTable)\nat Microsoft.UpdateServices.Internal.ClientImplementation.SyncUpdates(Cookie cookie, SyncUpdateParameters parameters)\n ---> System.Data.SqlClient.SqlException: Timeout expired.\n";
        let r = ServerRecords::new(text).next().unwrap().unwrap();
        let ex = exceptions(&r);
        assert_eq!(ex[0].kind, "System.ArgumentException");
        assert!(ex[0].message.starts_with("Item has already been added"));
        assert_eq!(ex[1].kind, "System.Data.SqlClient.SqlException");
        assert_eq!(frames(&r).count(), 3);
        assert_eq!(wsus_frame(&r), Some("ClientImplementation.GetSyncInfo"));
        let e = exception("Exception in SimpleAuth constructor: System.IndexOutOfRangeException: Der Index war au\u{df}erhalb des Arraybereichs.").unwrap();
        assert_eq!(e.kind, "System.IndexOutOfRangeException");
    }

    #[test]
    fn sql_timeout() {
        let text = "2009-01-20 10:00:00.000 UTC\tError\tw3wp.130\tDBConnection.LogSqlException\tDBLAYER: Errors[0]: Source .Net SqlClient Data Provider, Server OPC-AD-WSUS1N\\WSUS, Number -2, Class 10, State 0, Procedure ConnectionRead (WrapperRead())., LineNumber 0: Timeout expired. The timeout period elapsed prior to completion of the operation or the server is not responding.\n";
        let r = ServerRecords::new(text).next().unwrap().unwrap();
        let Some(ServerEvent::Sql(s)) = server_event(&r) else {
            panic!()
        };
        assert_eq!(
            (s.number, s.server),
            (Some(-2), Some("OPC-AD-WSUS1N\\WSUS"))
        );
        assert!(s.is_timeout());
        assert!(s.message.starts_with("Timeout expired"));
    }
}
