//! The text report: the verdict first (the known issue, how sure, how many clients), then the
//! evidence from both logs with file and line, then the numbered fix. Long lines wrap to the
//! width asked for with a hanging indent; a word (an error code, a fault ID, a path, a URL) is
//! never cut. It reads without knowing SOAP.

use std::fmt::Write;

use crate::diagnosis::{
    ClockOffset, Confidence, Correlation, Diagnosis, Evidence, Fault, FaultGroup, Finding, LogKind,
    OffsetBasis, ServerScope,
};

/// Width of the report when none is asked for.
const DEFAULT_WIDTH: usize = 100;
/// Narrowest width honoured: below it, indents would leave no room for words.
const MIN_WIDTH: usize = 40;
/// Groups of faults listed one by one before the rest are counted.
const FAULTS_LISTED: usize = 20;

/// Renders the report with lines of at most `width` columns (but for a word longer than that).
impl Diagnosis {
    /// The diagnosis as a text report for a terminal, 100 columns wide.
    pub fn to_text(&self) -> String {
        text(self, DEFAULT_WIDTH)
    }

    /// The text report with lines wrapped to `width` columns (at least 40); a word (an error
    /// code, a fault ID, a path) is never cut.
    pub fn to_text_width(&self, width: usize) -> String {
        text(self, width)
    }
}

fn text(d: &Diagnosis, width: usize) -> String {
    let w = width.max(MIN_WIDTH);
    let mut out = String::new();
    headline(&mut out, d, w);
    for (n, f) in d.findings.iter().enumerate() {
        finding(&mut out, d, n + 1, f, w);
    }
    unexplained(&mut out, d, w);
    health(&mut out, d, w);
    clocks(&mut out, d, w);
    inputs(&mut out, d, w);
    out.truncate(out.trim_end().len());
    shown(out)
}

/// `report` with each control character but the line break made visible: a C0 control as its
/// picture (`␛` for ESC, `␇` for BEL), DEL as `␡`, a C1 control (the one-byte CSI among them)
/// as `�`. Text a log holds can then never move the cursor, clear the screen or retitle the
/// terminal the report is read in.
fn shown(report: String) -> String {
    // 0xC2 leads the UTF-8 of every C1 control (and of harmless characters, checked below).
    let suspect = |b: &u8| (*b < 0x20 && *b != b'\n') || *b == 0x7f || *b == 0xc2;
    if !report.as_bytes().iter().any(suspect) {
        return report;
    }
    (report.chars())
        .map(|c| match c {
            '\n' => c,
            '\0'..='\x1f' => char::from_u32(0x2400 + u32::from(c)).unwrap_or('\u{fffd}'),
            '\x7f' => '\u{2421}',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `12 client failures in 3 groups`, counted from the groups.
pub(super) fn client_failures(d: &Diagnosis) -> String {
    let n: u32 = d.fault_groups.iter().map(|g| g.count).sum();
    in_groups(n, d.fault_groups.len(), "client failure", "client failures")
}

/// `4 server errors in 1 group`, counted from the groups.
pub(super) fn server_errors(d: &Diagnosis) -> String {
    let n: u32 = d.server_fault_groups.iter().map(|g| g.count).sum();
    in_groups(
        n,
        d.server_fault_groups.len(),
        "server error",
        "server errors",
    )
}

pub(super) fn in_groups(n: u32, groups: usize, one: &str, many: &str) -> String {
    let n = n as usize;
    if groups == n {
        plural(n, one, many)
    } else {
        format!(
            "{} in {}",
            plural(n, one, many),
            plural(groups, "group", "groups")
        )
    }
}

fn headline(out: &mut String, d: &Diagnosis, w: usize) {
    let clients = d
        .inputs
        .iter()
        .filter(|i| i.kind.is_some_and(LogKind::is_client))
        .count();
    let servers = d
        .inputs
        .iter()
        .filter(|i| i.kind == Some(LogKind::Server))
        .count();
    let _ = writeln!(
        out,
        "wsusdiag {}: read {} ({}, {}).",
        d.tool.version,
        plural(d.inputs.len(), "log", "logs"),
        plural(clients, "client log", "client logs"),
        plural(servers, "server log", "server logs")
    );
    if d.findings.is_empty() {
        if d.faults.is_empty() && d.server_faults.is_empty() {
            let _ = writeln!(out, "\nVERDICT  No update failure found.");
        } else {
            let _ = writeln!(out);
            let line = format!(
                "{} and {}, but no known issue matches them. The failures are listed below.",
                client_failures(d),
                server_errors(d),
            );
            hanging(out, "VERDICT  ", &line, w);
        }
        return;
    }
    let _ = writeln!(out, "\nVERDICT");
    for f in &d.findings {
        let who = if f.clients.is_empty() {
            "server log only".to_owned()
        } else {
            format!(
                "{} of {}",
                f.clients.len(),
                plural(d.clients.len(), "client", "clients")
            )
        };
        let label = format!("  {:<22} {:<9} {:<8} ", f.rule_id, f.confidence, f.severity);
        let line = format!(
            "{} ({}, {})",
            f.title,
            who,
            plural(f.occurrences as usize, "time", "times")
        );
        hanging(out, &label, &line, w);
    }
    if let Some(first) = d.findings.first() {
        let how = match first.confidence {
            Confidence::Confirmed => "the client's failure and the server's error were joined",
            Confidence::Possible => {
                "only the error code points at it, and the code has other causes too; each says what would confirm it"
            }
            _ => "only one side's log shows it; add the other log to confirm",
        };
        let line = format!("({} is {}: {}.)", first.rule_id, first.confidence, how);
        wrap(out, &line, "  ", w);
    }
}

fn finding(out: &mut String, d: &Diagnosis, n: usize, f: &Finding, w: usize) {
    let _ = writeln!(
        out,
        "\n{}",
        rule_line(&format!("{n}. {} · {}", f.rule_id, f.confidence), w)
    );
    wrap(out, &f.title, "", w);
    let fault = d
        .faults
        .iter()
        .find(|x| x.rule_id.as_deref() == Some(f.rule_id.as_str()));
    let (client_ev, server_ev): (Vec<&Evidence>, Vec<&Evidence>) = match fault {
        Some(x) => (key_client_lines(x), server_lines(f, x)),
        None => {
            let server = |e: &Evidence| {
                let input = d.inputs.get(e.input as usize);
                input.is_some_and(|i| i.kind == Some(LogKind::Server))
            };
            f.evidence.iter().take(8).partition(|e| !server(e))
        }
    };
    evidence_block(out, d, "What the client logged", &client_ev, w);
    if let Some(x) = fault
        && let Some(c) = d.codes.get(&x.client.hresult)
    {
        let line = format!("{} is {}: {}", x.client.hresult, c.name, c.description);
        wrap(out, &line, "    ", w);
    }
    evidence_block(out, d, "What the server logged", &server_ev, w);
    if let Some(cause) = fault
        .and_then(|x| x.server.as_ref())
        .and_then(|s| s.cause.as_ref())
    {
        let place = cause
            .method
            .as_deref()
            .map(|m| format!(" in {m}"))
            .unwrap_or_default();
        wrap(
            out,
            &format!(
                "The server failed with {}{place}: {}",
                cause.exception, cause.message
            ),
            "    ",
            w,
        );
    }
    if let Some(x) = fault {
        match x.correlation {
            Correlation::FaultId => wrap(
                out,
                &format!(
                    "Joined by the fault ID {} found in both logs.",
                    x.client.fault_id.as_deref().unwrap_or("")
                ),
                "    ",
                w,
            ),
            Correlation::TimeWindow => wrap(
                out,
                &format!(
                    "Joined by time: the only server error that can explain the client failure{}.",
                    window(x)
                ),
                "    ",
                w,
            ),
            Correlation::Ambiguous => wrap(
                out,
                &format!(
                    "Not joined, ambiguous: {} could explain the client failure{}: {}{}.",
                    plural(x.fits(), "server error", "server errors"),
                    window(x),
                    if x.fits() > x.candidates.len() {
                        format!("the {} nearest in time, ", x.candidates.len())
                    } else {
                        String::new()
                    },
                    candidate_lines(d, x)
                ),
                "    ",
                w,
            ),
            _ => {}
        }
    }
    let _ = writeln!(out, "\n  Why");
    wrap(out, &f.cause, "    ", w);
    if let Some(confirm) = &f.confirm {
        let _ = writeln!(out, "\n  To confirm (only the error code points here)");
        wrap(out, confirm, "    ", w);
    }
    let _ = writeln!(out, "\n  Fix");
    for (i, step) in f.remediation.iter().enumerate() {
        hanging(out, &format!("    {}. ", i + 1), step, w);
    }
    if !f.references.is_empty() {
        let _ = writeln!(out, "\n  Read more");
        for r in &f.references {
            let _ = writeln!(out, "    {r}");
        }
    }
}

/// ` within ±N s once the clock offset (from …) is applied`, for a fault searched by time.
fn window(f: &Fault) -> String {
    let Some(w) = &f.time_window else {
        return String::new();
    };
    let host = match w.servers {
        ServerScope::HostUnknown => "; the server's host is unknown",
        _ => "",
    };
    format!(
        " within ±{} s once the clock offset (from {}) is applied{host}",
        w.seconds, w.basis
    )
}

/// `server.log lines 2, 3` (each log named once).
fn candidate_lines(d: &Diagnosis, f: &Fault) -> String {
    let mut parts: Vec<(&str, Vec<String>)> = Vec::new();
    for c in &f.candidates {
        let source = d.input_path(c.input);
        match parts.iter_mut().find(|(s, _)| *s == source) {
            Some((_, lines)) => lines.push(c.line.to_string()),
            None => parts.push((source, vec![c.line.to_string()])),
        }
    }
    let parts: Vec<String> = (parts.into_iter())
        .map(|(source, lines)| {
            let word = if lines.len() == 1 { "line" } else { "lines" };
            format!("{source} {word} {}", lines.join(", "))
        })
        .collect();
    parts.join("; ")
}

/// The lines that tell the story of a client fault: the failure, the fault's ErrorCode and
/// ID; at most five.
pub(super) fn key_client_lines(f: &Fault) -> Vec<&Evidence> {
    let ev = &f.client.evidence;
    let keys = crate::key_lines::key_lines(ev.iter().map(|e| &*e.text));
    keys.into_iter().map(|i| &ev[i]).collect()
}

/// The lines of the server entry joined to `x`: its own, or (when the diagnosis quotes only
/// the clients' key lines) those the finding `f` quotes of it.
pub(super) fn server_lines<'d>(f: &'d Finding, x: &'d Fault) -> Vec<&'d Evidence> {
    let Some(s) = &x.server else {
        return Vec::new();
    };
    if !s.evidence.is_empty() {
        return s.evidence.iter().collect();
    }
    (f.evidence.iter())
        .filter(|e| e.input == s.input && crate::key_lines::in_runs(&s.lines, e.line))
        .collect()
}

fn evidence_block(out: &mut String, d: &Diagnosis, title: &str, ev: &[&Evidence], w: usize) {
    if ev.is_empty() {
        return;
    }
    let _ = writeln!(out);
    let source = d.input_path(ev[0].input);
    wrap(out, &format!("{title} ({source}):"), "  ", w);
    for e in ev {
        match &e.note {
            Some(note) => hanging(
                out,
                &format!("  {:>6} │ ", e.line),
                &format!("{} ({note})", e.text),
                w,
            ),
            None => hanging(out, &format!("  {:>6} │ ", e.line), &e.text, w),
        }
    }
}

/// `SyncUpdates failed: 0x8024400E (WU_E_PT_SOAP_SERVER, InternalServerError)`: what a
/// group's first fault says.
fn group_line(d: &Diagnosis, g: &FaultGroup) -> String {
    let f = &d.faults[g.faults[0] as usize];
    let c = &f.client;
    let what = [
        c.operation.map(|o| format!("{} failed", o.as_str())),
        d.codes.get(&c.hresult).map(|code| code.name.to_string()),
        c.method.clone(),
        c.error_code.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let what = if what.is_empty() {
        what
    } else {
        format!(" ({what})")
    };
    let times = match g.count {
        1 => String::new(),
        n => format!(", {n} times to {}", g.last_time.as_deref().unwrap_or("-")),
    };
    format!(
        "{}:{} {} {}{}{times}{}",
        d.input_path(c.input),
        c.line,
        c.time.as_deref().unwrap_or("-"),
        c.hresult,
        what,
        match f.correlation {
            Correlation::None => String::new(),
            Correlation::Ambiguous => format!(" · ambiguous: {}", candidate_lines(d, f)),
            j => format!(
                " · server {} ({j})",
                f.server.as_ref().map_or(0, |s| s.line)
            ),
        }
    )
}

fn unexplained(out: &mut String, d: &Diagnosis, w: usize) {
    let rest: Vec<&FaultGroup> = (d.fault_groups.iter())
        .filter(|g| g.rule_id.is_none())
        .collect();
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            rule_line("Client failures no known issue explains", w)
        );
        for g in rest.iter().take(FAULTS_LISTED) {
            hanging(out, "  ", &group_line(d, g), w);
        }
        if rest.len() > FAULTS_LISTED {
            let more: u32 = rest[FAULTS_LISTED..].iter().map(|g| g.count).sum();
            let _ = writeln!(
                out,
                "  … and {} more (see --json: fault_groups).",
                in_groups(more, rest.len() - FAULTS_LISTED, "failure", "failures")
            );
        }
    }
    let ambiguous = d
        .faults
        .iter()
        .filter(|f| f.correlation == Correlation::Ambiguous)
        .count();
    if ambiguous > 0 {
        let _ = writeln!(out);
        wrap(
            out,
            &format!(
                "{} ambiguous: two or more server errors fit each in time, so none is named its cause (see --json: candidates).",
                plural(ambiguous, "client failure is", "client failures are")
            ),
            "",
            w,
        );
    }
    if !d.server_faults.is_empty() {
        let _ = writeln!(out);
        let line = format!(
            "{} not joined to a client failure (see --json: server_fault_groups):",
            server_errors(d)
        );
        wrap(out, &line, "", w);
        for g in d.server_fault_groups.iter().take(FAULTS_LISTED) {
            let line = format!(
                "{}: {}{} in {}: {}{}",
                d.input_path(g.input),
                match g.count {
                    1 => String::new(),
                    n => format!("{n} × "),
                },
                g.exception.as_deref().unwrap_or("a fault"),
                g.method,
                g.message.as_deref().unwrap_or(""),
                match (&g.first_time, &g.last_time) {
                    (Some(a), Some(b)) if a != b => format!(" ({a} to {b})"),
                    (Some(a), _) => format!(" ({a})"),
                    _ => String::new(),
                }
            );
            hanging(out, "  ", &line, w);
        }
        if d.server_fault_groups.len() > FAULTS_LISTED {
            let _ = writeln!(
                out,
                "  … and {} more groups (see --json).",
                d.server_fault_groups.len() - FAULTS_LISTED
            );
        }
    }
}

/// What each client log shows went well, and where it gets its updates: at a glance, a
/// healthy log is seen to be healthy.
fn health(out: &mut String, d: &Diagnosis, w: usize) {
    if d.clients.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", rule_line("Clients", w));
    for c in &d.clients {
        let failures = match c.failures {
            0 => "no failure".to_owned(),
            n => plural(n as usize, "failure", "failures"),
        };
        let mut done = vec![plural(c.scans_succeeded as usize, "scan", "scans")];
        if c.downloads_succeeded > 0 {
            done.push(plural(
                c.downloads_succeeded as usize,
                "download",
                "downloads",
            ));
        }
        if c.installs_succeeded > 0 {
            done.push(plural(c.installs_succeeded as usize, "install", "installs"));
        }
        let mut line = format!("{}: {failures}; {} succeeded", c.source, done.join(", "));
        if let Some(t) = &c.last_success {
            let _ = write!(line, " (last scan {t})");
        }
        if c.recovered > 0 {
            let _ = write!(line, "; {} recovered by a retry", c.recovered);
        }
        hanging(out, "  ", &line, w);
        let mut about = Vec::new();
        match c.wsus_policy.as_deref() {
            Some("") => about.push("policy: no WSUS server".to_owned()),
            Some(url) => about.push(format!("policy: WSUS {url}")),
            None => {}
        }
        if !c.update_sources.is_empty() {
            let sources: Vec<&str> = c.update_sources.iter().map(|s| s.as_str()).collect();
            about.push(format!("talked to: {}", sources.join(", ")));
        }
        if let Some(v) = &c.agent_version {
            about.push(format!("agent {v}"));
        }
        if !about.is_empty() {
            wrap(out, &about.join("; "), "    ", w);
        }
    }
}

fn clocks(out: &mut String, d: &Diagnosis, w: usize) {
    if d.clock_offsets.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", rule_line("Client clocks", w));
    for c in &d.clock_offsets {
        hanging(
            out,
            "  ",
            &format!("{}: {}", c.source, clock_in_words(c)),
            w,
        );
    }
}

/// A client clock in an admin's terms: its time zone, and how far it is off the server's.
pub(super) fn clock_in_words(c: &ClockOffset) -> String {
    let zone = match (c.tz_minutes, c.basis) {
        (Some(tz), _) => Some(format!("{} (from the log's tz: banner)", utc_zone(tz))),
        (None, Some(OffsetBasis::Utc)) => Some("UTC (the log writes UTC)".to_owned()),
        _ => None,
    };
    let pairs = plural(c.pairs as usize, "fault ID", "fault IDs");
    let against = match (c.basis, c.skew_seconds, c.offset_seconds) {
        (Some(OffsetBasis::FaultId), Some(0), _) => Some(format!(
            "clock agrees with the server ({pairs} on both sides)"
        )),
        (Some(OffsetBasis::FaultId), Some(skew), _) => Some(format!(
            "clock {} {} the server ({pairs} on both sides)",
            duration(skew.unsigned_abs()),
            if skew < 0 {
                "fast against"
            } else {
                "slow against"
            }
        )),
        (Some(OffsetBasis::FaultId), None, Some(o)) => Some(format!(
            "log time {} server UTC ({pairs} on both sides)",
            match o {
                0 => "equals".to_owned(),
                o if o > 0 => format!("{} behind", duration(o.unsigned_abs())),
                o => format!("{} ahead of", duration(o.unsigned_abs())),
            }
        )),
        (Some(_), _, _) => {
            Some("skew against the server unknown (no fault ID on both sides)".to_owned())
        }
        (None, _, _) => None,
    };
    match (zone, against) {
        (Some(z), Some(a)) => format!("{z}; {a}"),
        (Some(z), None) | (None, Some(z)) => z,
        (None, None) => {
            "offset unknown (no tz: banner and no fault ID found on the server)".to_owned()
        }
    }
}

/// `UTC-4`, `UTC+5:30`, `UTC`, from minutes east of UTC.
fn utc_zone(minutes: i32) -> String {
    let (h, m) = (minutes.abs() / 60, minutes.abs() % 60);
    let sign = if minutes < 0 { '-' } else { '+' };
    match (h, m) {
        (0, 0) => "UTC".to_owned(),
        (h, 0) => format!("UTC{sign}{h}"),
        (h, m) => format!("UTC{sign}{h}:{m:02}"),
    }
}

/// `42 s`, `3 min 5 s`, `2 h 10 min`, `3 days 4 h`.
fn duration(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds / 3600 % 24,
        seconds / 60 % 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) if s == 0 => format!("{m} min"),
        (0, 0, m) => format!("{m} min {s} s"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{} {h} h", plural(d as usize, "day", "days")),
    }
}

fn inputs(out: &mut String, d: &Diagnosis, w: usize) {
    let _ = writeln!(out, "\n{}", rule_line("Logs read", w));
    for i in &d.inputs {
        let line = format!(
            "{} · {} · {} · {} records{}",
            i.path,
            i.kind.map_or("not a log", LogKind::as_str),
            i.encoding,
            i.records,
            if i.malformed_lines > 0 {
                format!(" · {} malformed lines skipped", i.malformed_lines)
            } else {
                String::new()
            }
        );
        hanging(out, "  ", &line, w);
        if !i.repairs.is_empty() {
            let repairs = format!("read as a paste: {}", i.repairs.join(", "));
            hanging(out, "    ", &repairs, w);
        }
        for p in i.problems.iter().take(3) {
            let at = if p.line > 0 {
                format!("line {}, column {}: ", p.line, p.column)
            } else {
                String::new()
            };
            wrap(out, &format!("{at}{}", p.message), "      ", w);
        }
    }
}

fn rule_line(title: &str, w: usize) -> String {
    let len = title.chars().count() + 4;
    format!("── {title} {}", "─".repeat(w.saturating_sub(len)))
}

/// Wraps `text` to `w` columns, every line indented by `indent`.
fn wrap(out: &mut String, text: &str, indent: &str, w: usize) {
    hanging(out, indent, text, w);
}

/// Writes `label` then `text` wrapped to `w` columns; the lines after the first are indented
/// to the label's width (a hanging indent).
fn hanging(out: &mut String, label: &str, text: &str, w: usize) {
    let indent = label.chars().count();
    for (n, line) in wrap_lines(text, w.saturating_sub(indent))
        .iter()
        .enumerate()
    {
        if n == 0 {
            let _ = writeln!(out, "{label}{line}");
        } else {
            let _ = writeln!(out, "{:indent$}{line}", "");
        }
    }
}

/// Greedy word wrap to `width` characters; a word longer than that has a line of its own,
/// whole.
fn wrap_lines(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}
