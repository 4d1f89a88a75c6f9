//! The diagnosis as NDJSON: one flat JSON object per line, each with a `type` (`input`,
//! `clock`, `fault`, `server_fault`, `finding`, `client`), for log platforms (Splunk, Elastic,
//! Azure Data Explorer) to index without a parser of their own. Nested parts are spelled out
//! as fields of their own (`server_line`, `server_exception`), paths and code names included,
//! so that each line stands alone.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnosis::{Diagnosis, Fault, Finding, InputSummary, ServerSide};

/// One input (its problems counted, not listed).
#[derive(Serialize)]
struct InputLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    input: usize,
    path: &'a str,
    log_kind: Option<&'static str>,
    encoding: &'static str,
    bytes: u64,
    records: u64,
    malformed_lines: u64,
    problems: usize,
    repairs: &'a [String],
}

/// What starts a fault's or server fault's line: its type, index, log and lines.
#[derive(Serialize)]
struct Place<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    index: usize,
    input: u32,
    path: &'a str,
    line: u32,
    lines: &'a str,
    time: Option<&'a str>,
}

/// One client failure, with what it was joined to.
#[derive(Serialize)]
struct FaultLine<'a> {
    #[serde(flatten)]
    place: Place<'a>,
    time_utc: Option<&'a str>,
    hresult: &'a str,
    hresult_name: Option<&'a str>,
    related_codes: &'a [String],
    method: Option<&'a str>,
    operation: Option<&'static str>,
    fault_id: Option<&'a str>,
    error_code: Option<&'a str>,
    http_status: Option<u32>,
    server_url: Option<&'a str>,
    endpoint: Option<&'a str>,
    endpoint_kind: &'static str,
    correlation: &'static str,
    failure_kind: &'a str,
    window_seconds: Option<i64>,
    /// How many server events fit the window (all of them, not only the candidates named).
    candidates: usize,
    rule_id: Option<&'a str>,
    confidence: Option<&'static str>,
    group: Option<usize>,
    server_input: Option<u32>,
    server_path: Option<&'a str>,
    server_line: Option<u32>,
    server_time: Option<&'a str>,
    server_exception: Option<&'a str>,
    server_method: Option<&'a str>,
    server_message: Option<&'a str>,
    /// The key lines' text, one line each.
    text: String,
}

/// One server failure no client fault was joined to.
#[derive(Serialize)]
struct ServerFaultLine<'a> {
    #[serde(flatten)]
    place: Place<'a>,
    thread: &'a str,
    logger: &'a str,
    throw_id: Option<&'a str>,
    error_code: Option<&'a str>,
    client: Option<&'a str>,
    exception: Option<&'a str>,
    method: Option<&'a str>,
    message: Option<&'a str>,
    sql_number: Option<i64>,
    group: Option<usize>,
}

/// One known issue.
#[derive(Serialize)]
struct FindingLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    rule_id: &'a str,
    title: &'a str,
    severity: &'static str,
    confidence: &'static str,
    occurrences: u32,
    clients: usize,
    endpoints: &'a [String],
    references: &'a [String],
}

/// One line per record, `kind` first.
#[derive(Serialize)]
struct Tagged<'a, T> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    record: &'a T,
}

impl<'a, T> Tagged<'a, T> {
    fn new(kind: &'static str, record: &'a T) -> Self {
        Self { kind, record }
    }
}

fn line<T: Serialize>(out: &mut impl Write, record: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, record).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

fn input_line(i: usize, s: &InputSummary) -> InputLine<'_> {
    InputLine {
        kind: "input",
        input: i,
        path: &s.path,
        log_kind: s.kind.map(|k| k.as_str()),
        encoding: s.encoding.as_str(),
        bytes: s.bytes,
        records: s.records,
        malformed_lines: s.malformed_lines,
        problems: s.problems.len(),
        repairs: &s.repairs,
    }
}

fn fault_line<'a>(
    d: &'a Diagnosis,
    index: usize,
    f: &'a Fault,
    group: Option<usize>,
) -> FaultLine<'a> {
    let c = &f.client;
    let s = f.server.as_ref();
    let cause = s.and_then(|s| s.cause.as_ref());
    let text: Vec<&str> = c.evidence.iter().map(|e| &*e.text).collect();
    FaultLine {
        place: Place {
            kind: "fault",
            index,
            input: c.input,
            path: d.input_path(c.input),
            line: c.line,
            lines: &c.lines,
            time: c.time.as_deref(),
        },
        time_utc: c.time_utc.as_deref(),
        hresult: &c.hresult,
        hresult_name: d.codes.get(&c.hresult).map(|code| &*code.name),
        related_codes: &c.related_codes,
        method: c.method.as_deref(),
        operation: c.operation.map(|o| o.as_str()),
        fault_id: c.fault_id.as_deref(),
        error_code: c.error_code.as_deref(),
        http_status: c.http_status,
        server_url: c.server_url.as_deref(),
        endpoint: c.endpoint.as_deref(),
        endpoint_kind: c.endpoint_kind.as_str(),
        correlation: f.correlation.as_str(),
        failure_kind: &f.failure_kind,
        window_seconds: f.time_window.as_ref().map(|w| w.seconds),
        candidates: f.fits(),
        rule_id: f.rule_id.as_deref(),
        confidence: f.confidence.map(|c| c.as_str()),
        group,
        server_input: s.map(|s| s.input),
        server_path: s.map(|s| d.input_path(s.input)),
        server_line: s.map(|s| s.line),
        server_time: s.and_then(|s| s.time.as_deref()),
        server_exception: cause.map(|c| c.exception.as_str()),
        server_method: cause.and_then(|c| c.method.as_deref()),
        server_message: cause
            .map(|c| c.message.as_str())
            .or(s.and_then(|s| s.message.as_deref())),
        text: text.join("\n"),
    }
}

fn server_fault_line<'a>(
    d: &'a Diagnosis,
    index: usize,
    s: &'a ServerSide,
    group: Option<usize>,
) -> ServerFaultLine<'a> {
    let cause = s.cause.as_ref();
    ServerFaultLine {
        place: Place {
            kind: "server_fault",
            index,
            input: s.input,
            path: d.input_path(s.input),
            line: s.line,
            lines: &s.lines,
            time: s.time.as_deref(),
        },
        thread: &s.thread,
        logger: &s.logger,
        throw_id: s.throw_id.as_deref(),
        error_code: s.error_code.as_deref(),
        client: s.client.as_deref(),
        exception: cause.map(|c| c.exception.as_str()),
        method: cause.and_then(|c| c.method.as_deref()),
        message: cause.map(|c| c.message.as_str()).or(s.message.as_deref()),
        sql_number: cause.and_then(|c| c.sql_number),
        group,
    }
}

fn finding_line(f: &Finding) -> FindingLine<'_> {
    FindingLine {
        kind: "finding",
        rule_id: &f.rule_id,
        title: &f.title,
        severity: f.severity.as_str(),
        confidence: f.confidence.as_str(),
        occurrences: f.occurrences,
        clients: f.clients.len(),
        endpoints: &f.endpoints,
        references: &f.references,
    }
}

/// For each item, the index of its group (`groups` lists each group's members).
fn group_of<'g>(items: usize, groups: impl Iterator<Item = &'g [u32]>) -> Vec<Option<usize>> {
    let mut of = vec![None; items];
    for (g, members) in groups.enumerate() {
        for &i in members {
            if let Some(slot) = of.get_mut(i as usize) {
                *slot = Some(g);
            }
        }
    }
    of
}

impl Diagnosis {
    /// Writes the diagnosis as NDJSON to `out`, one line per input, clock, fault, server
    /// fault, finding and client, in that order, as it goes. `out` is best buffered.
    pub fn write_ndjson(&self, mut out: impl Write) -> io::Result<()> {
        let out = &mut out;
        for (i, s) in self.inputs.iter().enumerate() {
            line(out, &input_line(i, s))?;
        }
        for c in &self.clock_offsets {
            line(out, &Tagged::new("clock", c))?;
        }
        let groups = group_of(
            self.faults.len(),
            self.fault_groups.iter().map(|g| &g.faults[..]),
        );
        for (i, f) in self.faults.iter().enumerate() {
            line(out, &fault_line(self, i, f, groups[i]))?;
        }
        let server_groups = (self.server_fault_groups.iter()).map(|g| &g.server_faults[..]);
        let groups = group_of(self.server_faults.len(), server_groups);
        for (i, s) in self.server_faults.iter().enumerate() {
            line(out, &server_fault_line(self, i, s, groups[i]))?;
        }
        for f in &self.findings {
            line(out, &finding_line(f))?;
        }
        for c in &self.clients {
            line(out, &Tagged::new("client", c))?;
        }
        Ok(())
    }

    /// [`Diagnosis::write_ndjson`] into a string.
    pub fn to_ndjson(&self) -> String {
        let mut out = Vec::new();
        // Writing into memory fails only when memory does.
        let _ = self.write_ndjson(&mut out);
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Options, diagnose, sample};

    #[test]
    fn each_line_is_one_flat_object_with_its_type() {
        let d = diagnose(sample::kb954960(), &Options::default()).unwrap();
        let text = d.to_ndjson();
        let lines: Vec<serde_json::Value> = (text.lines())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let types: Vec<&str> = lines.iter().map(|l| l["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "input", "input", "clock", "fault", "fault", "finding", "client"
            ]
        );
        for l in &lines {
            let nested = l.as_object().unwrap().values().any(|v| v.is_object());
            assert!(!nested, "{l}");
        }
        let fault = &lines[3];
        assert_eq!(fault["path"], "[bundled sample] kb954960/WindowsUpdate.log");
        assert_eq!(fault["hresult_name"], "WU_E_PT_SOAP_SERVER");
        assert_eq!(fault["server_line"], 18);
        assert_eq!(fault["server_exception"], "System.ArgumentException");
        assert_eq!(
            (fault["rule_id"].as_str(), fault["group"].as_u64()),
            (Some("KB954960"), Some(0))
        );
        assert!(fault["text"].as_str().unwrap().contains("ID:c0a7445f"));
        assert_eq!(lines[2]["offset_seconds"], 14358);
        assert_eq!(
            lines[6]["client_id"],
            "7f3e1c52-9a4b-4d1e-8b6f-2c5a9e0d3b71"
        );
        assert!(text.ends_with('\n') && !text.contains("\n\n"));
    }
}
