//! Which client failure may be joined by time to which server entry: the table in
//! `data/joins.toml` (its header says how it reads), compiled in and checked on first use.
//!
//! A join by time is only true between two records of the same event. A failure the server's
//! application never saw (an HTTP 503 from a stopped application pool, a proxy's 502, a DNS or
//! TLS failure) has no entry of its own in `SoftwareDistribution.log`, and whatever error lies
//! nearby in time belongs to another request.

use std::sync::LazyLock;

use serde::Deserialize;

use super::hresult::{self, Component};

/// The table's text.
const TABLE: &str = include_str!("../../data/joins.toml");

/// What a client logged about one failure, as the table reads it.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Failure<'a> {
    /// The main HRESULT.
    pub hresult: u32,
    /// Every code logged with it, in order.
    pub codes: &'a [u32],
    /// The HTTP status logged, if any.
    pub http_status: Option<u32>,
    /// Whether a SOAP fault was logged (an `ErrorCode`, or a SOAP error code of 300 or more).
    pub soap_fault: bool,
    /// Whether the SOAP fault carried an ID.
    pub fault_id: bool,
}

/// A kind of server entry a client failure may be joined to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum ServerKind {
    /// A SOAP fault sent to a client that no client joined by its ID.
    FaultSent,
    /// An error entry with an exception, other than a SQL time-out.
    Exception,
    /// A SQL time-out.
    SqlTimeout,
    /// An error-level entry without an exception.
    Error,
}

impl ServerKind {
    /// The kind's bit in a [`Family::joins`] set.
    pub(crate) const fn bit(self) -> u8 {
        1 << self as u8
    }
}

/// A family of client failures and the server entries it may be joined to.
#[derive(Debug)]
pub(crate) struct Family {
    /// The name reported in a fault's `failure_kind`.
    pub name: String,
    fault_id: bool,
    soap_fault: bool,
    http_status: Vec<u32>,
    codes: Vec<u32>,
    components: Vec<Component>,
    /// The [`ServerKind::bit`]s of the entries it may be joined to.
    pub joins: u8,
}

/// What the table reads of one code: the code, the HTTP status it stands for, its component.
struct Code {
    value: u32,
    http_status: Option<u32>,
    component: Option<Component>,
}

impl Code {
    fn new(value: u32) -> Self {
        let d = hresult::describe(value);
        Self {
            value,
            http_status: d.http_status.map(u32::from),
            component: d.component,
        }
    }
}

impl Family {
    /// Whether this family's tests hold for `f`, its HRESULT taken as `code`.
    fn matches(&self, f: &Failure<'_>, code: &Code) -> bool {
        let status = |s: Option<u32>| s.is_some_and(|s| self.http_status.contains(&s));
        (self.fault_id && f.fault_id)
            || (self.soap_fault && f.soap_fault)
            || status(f.http_status)
            || status(code.http_status)
            || self.codes.contains(&code.value)
            || code.component.is_some_and(|c| self.components.contains(&c))
    }
}

/// The family of failures no row matches: never joined by time.
static OTHER: LazyLock<Family> = LazyLock::new(|| Family {
    name: "other".to_owned(),
    fault_id: false,
    soap_fault: false,
    http_status: Vec::new(),
    codes: Vec::new(),
    components: Vec::new(),
    joins: 0,
});

/// The built-in table, read once.
static FAMILIES: LazyLock<Vec<Family>> =
    LazyLock::new(|| parse(TABLE).unwrap_or_else(|e| panic!("data/joins.toml: {e}")));

/// The family of `f`: the first whose tests hold for its main HRESULT, else for one of its
/// other codes in order, else `other`.
pub(crate) fn family(f: &Failure<'_>) -> &'static Family {
    let families = &*FAMILIES;
    std::iter::once(f.hresult)
        .chain(f.codes.iter().copied().filter(|&c| c != f.hresult))
        .map(Code::new)
        .find_map(|code| families.iter().find(|fam| fam.matches(f, &code)))
        .unwrap_or(&OTHER)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    family: Vec<RawFamily>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFamily {
    name: String,
    /// For people: what the family is and why it joins what it joins.
    #[serde(rename = "doc")]
    _doc: String,
    #[serde(default)]
    fault_id: bool,
    #[serde(default)]
    soap_fault: bool,
    #[serde(default)]
    http_status: Vec<u32>,
    #[serde(default)]
    codes: Vec<String>,
    #[serde(default)]
    components: Vec<String>,
    joins: Vec<ServerKind>,
}

/// Reads a table, checking every code and component name.
fn parse(text: &str) -> Result<Vec<Family>, String> {
    let raw: RawTable = toml::from_str(text).map_err(|e| e.to_string())?;
    raw.family
        .into_iter()
        .map(|r| {
            let codes = (r.codes.iter())
                .map(|c| hresult::parse_code(c).ok_or(format!("{}: bad code {c}", r.name)))
                .collect::<Result<_, _>>()?;
            let components = (r.components.iter())
                .map(|c| Component::from_name(c).ok_or(format!("{}: no component {c}", r.name)))
                .collect::<Result<_, _>>()?;
            Ok(Family {
                name: r.name,
                fault_id: r.fault_id,
                soap_fault: r.soap_fault,
                http_status: r.http_status,
                codes,
                components,
                joins: r.joins.iter().fold(0, |set, k| set | k.bit()),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The family name and the server kinds it may join, for a failure.
    fn judged(f: Failure<'_>) -> (&'static str, Vec<ServerKind>) {
        let fam = family(&f);
        let kinds = [
            ServerKind::FaultSent,
            ServerKind::Exception,
            ServerKind::SqlTimeout,
            ServerKind::Error,
        ];
        let joins = kinds
            .into_iter()
            .filter(|k| fam.joins & k.bit() != 0)
            .collect();
        (fam.name.as_str(), joins)
    }

    fn code(hresult: u32) -> Failure<'static> {
        Failure {
            hresult,
            ..Failure::default()
        }
    }

    fn status(hresult: u32, http_status: u32) -> Failure<'static> {
        Failure {
            hresult,
            http_status: Some(http_status),
            ..Failure::default()
        }
    }

    #[test]
    fn the_builtin_table_reads() {
        assert!(FAMILIES.len() >= 10);
        assert!(FAMILIES.iter().all(|f| !f.name.is_empty()));
    }

    #[test]
    fn a_soap_fault_joins_by_id_or_else_the_exception_behind_it() {
        use ServerKind::*;
        let with_id = Failure {
            hresult: 0x8024_400E,
            soap_fault: true,
            fault_id: true,
            http_status: Some(200),
            ..Failure::default()
        };
        assert_eq!(judged(with_id), ("fault-id", vec![]));
        let without_id = Failure {
            fault_id: false,
            ..with_id
        };
        let all = vec![FaultSent, Exception, SqlTimeout, Error];
        assert_eq!(judged(without_id), ("soap-fault", all.clone()));
        // Windows 10 logs no soap error code: the HRESULT says it was a SOAP fault.
        assert_eq!(judged(code(0x8024_4007)), ("soap-fault", all));
    }

    #[test]
    fn an_http_500_joins_a_server_exception() {
        use ServerKind::*;
        let joins = vec![Exception, SqlTimeout, Error];
        assert_eq!(
            judged(status(0x8024_401F, 500)),
            ("http-500", joins.clone())
        );
        assert_eq!(judged(code(0x8024_401F)), ("http-500", joins.clone()));
        assert_eq!(judged(code(0x8019_01F4)), ("http-500", joins));
    }

    #[test]
    fn a_server_time_out_joins_only_a_sql_time_out() {
        // Classic logs write HTTP status 200 beside 0x8024401C: the code stands for 408.
        let f = status(0x8024_401C, 200);
        assert_eq!(judged(f), ("server-time-out", vec![ServerKind::SqlTimeout]));
    }

    #[test]
    fn failures_the_wsus_code_never_saw_join_nothing() {
        let cases = [
            (status(0x8024_4022, 503), "service-unavailable"),
            (code(0x8024_4022), "service-unavailable"),
            (code(0x803D_000E), "service-unavailable"),
            (status(0x8024_4021, 502), "gateway"),
            (code(0x8024_4023), "gateway"),
            (code(0x8007_2EE2), "client-time-out"),
            (code(0x803D_0006), "client-time-out"),
            (code(0x8007_2EFD), "connection"),
            (code(0x8007_2EE7), "dns"),
            (code(0x8024_402C), "dns"),
            (code(0x8007_2F8F), "tls"),
            (code(0x800B_0109), "tls"),
            (status(0x8024_4017, 401), "auth"),
            (code(0x8024_401B), "auth"),
            (code(0x8019_0197), "auth"),
            (code(0x8024_8007), "other"),
        ];
        for (f, name) in cases {
            assert_eq!(judged(f), (name, vec![]), "{:#010X}", f.hresult);
        }
    }

    #[test]
    fn other_codes_are_tried_when_the_main_one_says_nothing() {
        // A generic agent code first, the WinHTTP time-out behind it.
        let codes = [0x8024_0438, 0x8007_2EE2];
        let f = Failure {
            hresult: codes[0],
            codes: &codes,
            ..Failure::default()
        };
        assert_eq!(family(&f).name, "client-time-out");
    }

    #[test]
    fn a_bad_table_is_refused() {
        let row = |extra: &str| {
            format!("[[family]]\nname = \"x\"\ndoc = \"d\"\njoins = [\"exception\"]\n{extra}")
        };
        assert!(parse(&row("")).is_ok());
        assert!(parse(&row("codes = [\"0xZZ\"]")).is_err());
        assert!(parse(&row("components = [\"nope\"]")).is_err());
        assert!(parse(&row("colour = 1")).is_err());
        let bad_kind = "[[family]]\nname = \"x\"\ndoc = \"d\"\njoins = [\"iis\"]\n";
        assert!(parse(bad_kind).is_err());
    }
}
