//! The text report: the verdict first (the known issue, how sure, how many clients), then the
//! evidence from both logs with file and line, then the numbered fix. It fits a terminal of
//! 100 columns and reads without knowing SOAP.

use std::fmt::Write;

use crate::diagnosis::{Diagnosis, Evidence, Fault, Finding};

/// Widest line written.
const WIDTH: usize = 100;
/// Faults listed one by one before the rest are counted.
const FAULTS_LISTED: usize = 20;

/// Renders the report.
pub(crate) fn text(d: &Diagnosis) -> String {
    let mut out = String::new();
    headline(&mut out, d);
    for (n, f) in d.findings.iter().enumerate() {
        finding(&mut out, d, n + 1, f);
    }
    unexplained(&mut out, d);
    health(&mut out, d);
    clocks(&mut out, d);
    inputs(&mut out, d);
    out.truncate(out.trim_end().len());
    out
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn headline(out: &mut String, d: &Diagnosis) {
    let clients = d
        .inputs
        .iter()
        .filter(|i| i.kind.is_some_and(|k| k.starts_with("client")))
        .count();
    let servers = d.inputs.iter().filter(|i| i.kind == Some("server")).count();
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
            let _ = writeln!(
                out,
                "\nVERDICT  {} and {}, but no known issue matches them. The failures are listed below.",
                plural(d.faults.len(), "client failure", "client failures"),
                plural(d.server_faults.len(), "server error", "server errors"),
            );
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
        let _ = writeln!(
            out,
            "  {:<22} {:<9} {:<8} {} ({}, {})",
            f.rule_id,
            f.confidence,
            f.severity,
            cut_to(&f.title, 48),
            who,
            plural(f.occurrences as usize, "time", "times")
        );
    }
    if let Some(first) = d.findings.first() {
        let how = match first.confidence {
            "confirmed" => "the client's failure and the server's error were joined",
            "possible" => {
                "only the error code points at it, and the code has other causes too; each says what would confirm it"
            }
            _ => "only one side's log shows it; add the other log to confirm",
        };
        let _ = writeln!(
            out,
            "  ({} is {}: {}.)",
            first.rule_id, first.confidence, how
        );
    }
}

fn finding(out: &mut String, d: &Diagnosis, n: usize, f: &Finding) {
    let _ = writeln!(
        out,
        "\n{}",
        rule_line(&format!("{n}. {} · {}", f.rule_id, f.confidence))
    );
    wrap(out, &f.title, "");
    let fault = d
        .faults
        .iter()
        .find(|x| x.rule_id.as_deref() == Some(f.rule_id.as_str()));
    let (client_ev, server_ev): (Vec<&Evidence>, Vec<&Evidence>) = match fault {
        Some(x) => (
            key_client_lines(x),
            x.server.iter().flat_map(|s| s.evidence.iter()).collect(),
        ),
        None => {
            let servers: Vec<&str> = d
                .inputs
                .iter()
                .filter(|i| i.kind == Some("server"))
                .map(|i| i.path.as_str())
                .collect();
            f.evidence
                .iter()
                .take(8)
                .partition(|e| !servers.contains(&&*e.source))
        }
    };
    evidence_block(out, "What the client logged", &client_ev);
    if let Some(x) = fault
        && let Some(c) = x.client.hresult_name
    {
        let desc = x.client.hresult_description.unwrap_or("");
        wrap(out, &format!("{} is {c}: {desc}", x.client.hresult), "    ");
    }
    evidence_block(out, "What the server logged", &server_ev);
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
        );
    }
    if let Some(x) = fault {
        match x.correlation {
            "fault-id" => wrap(
                out,
                &format!(
                    "Joined by the fault ID {} found in both logs.",
                    x.client.fault_id.as_deref().unwrap_or("")
                ),
                "    ",
            ),
            "time-window" => wrap(
                out,
                &format!(
                    "Joined by time: the only server error that can explain the client failure{}.",
                    window(x)
                ),
                "    ",
            ),
            "ambiguous" => wrap(
                out,
                &format!(
                    "Not joined, ambiguous: {} could explain the client failure{}: {}.",
                    plural(x.candidates.len(), "server error", "server errors"),
                    window(x),
                    candidate_lines(x)
                ),
                "    ",
            ),
            _ => {}
        }
    }
    let _ = writeln!(out, "\n  Why");
    wrap(out, &f.cause, "    ");
    if let Some(confirm) = &f.confirm {
        let _ = writeln!(out, "\n  To confirm (only the error code points here)");
        wrap(out, confirm, "    ");
    }
    let _ = writeln!(out, "\n  Fix");
    for (i, step) in f.remediation.iter().enumerate() {
        let label = format!("    {}. ", i + 1);
        let indent = " ".repeat(label.len());
        let mut first = true;
        for line in wrap_lines(step, WIDTH - label.len()) {
            let _ = writeln!(out, "{}{line}", if first { &label } else { &indent });
            first = false;
        }
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
        "host-unknown" => "; the server's host is unknown",
        _ => "",
    };
    format!(
        " within ±{} s once the clock offset (from {}) is applied{host}",
        w.seconds, w.basis
    )
}

/// `server.log lines 2, 3` (each log named once).
fn candidate_lines(f: &Fault) -> String {
    let mut parts: Vec<(String, Vec<String>)> = Vec::new();
    for c in &f.candidates {
        match parts.iter_mut().find(|(source, _)| *source == c.source) {
            Some((_, lines)) => lines.push(c.line.to_string()),
            None => parts.push((c.source.clone(), vec![c.line.to_string()])),
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
fn key_client_lines(f: &Fault) -> Vec<&Evidence> {
    const KEYS: &[&str] = &[
        "failure, error",
        "ErrorCode",
        "ID:",
        "errorCode=",
        "*FAILED*",
        "<ID>",
        "FATAL",
    ];
    let mut v: Vec<&Evidence> = f
        .client
        .evidence
        .iter()
        .filter(|e| KEYS.iter().any(|k| e.text.contains(k)))
        .take(5)
        .collect();
    if v.is_empty() {
        v = f.client.evidence.iter().take(3).collect();
    }
    v
}

fn evidence_block(out: &mut String, title: &str, ev: &[&Evidence]) {
    if ev.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n  {title} ({}):", ev[0].source);
    for e in ev {
        let text = e.text.replace('\t', "  ");
        let line = format!("  {:>6} │ {}", e.line, text.trim());
        let _ = writeln!(out, "{}", cut_to(&line, WIDTH));
    }
}

fn unexplained(out: &mut String, d: &Diagnosis) {
    let rest: Vec<&Fault> = d.faults.iter().filter(|f| f.rule_id.is_none()).collect();
    if !rest.is_empty() {
        let _ = writeln!(
            out,
            "\n{}",
            rule_line("Client failures no known issue explains")
        );
        for f in rest.iter().take(FAULTS_LISTED) {
            let c = &f.client;
            let what = [
                c.operation.map(|o| format!("{} failed", o.as_str())),
                c.hresult_name.map(str::to_owned),
                c.method.clone(),
                c.error_code.clone(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(", ");
            let line = format!(
                "  {}:{} {} {} ({}){}",
                c.source,
                c.line,
                c.time.as_deref().unwrap_or("-"),
                c.hresult,
                what,
                match f.correlation {
                    "none" => String::new(),
                    "ambiguous" => format!(" · ambiguous: {}", candidate_lines(f)),
                    j => format!(
                        " · server {} ({j})",
                        f.server.as_ref().map_or(0, |s| s.line)
                    ),
                }
            );
            let _ = writeln!(out, "{}", cut_to(&line, WIDTH));
        }
        if rest.len() > FAULTS_LISTED {
            let _ = writeln!(
                out,
                "  … and {} more (see --json).",
                rest.len() - FAULTS_LISTED
            );
        }
    }
    let ambiguous = d
        .faults
        .iter()
        .filter(|f| f.correlation == "ambiguous")
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
        );
    }
    if !d.server_faults.is_empty() {
        let _ = writeln!(
            out,
            "\n{} on the server not joined to a client failure (see --json: server_faults).",
            plural(d.server_faults.len(), "error", "errors")
        );
    }
}

/// What each client log shows went well, and where it gets its updates: at a glance, a
/// healthy log is seen to be healthy.
fn health(out: &mut String, d: &Diagnosis) {
    if d.clients.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", rule_line("Clients"));
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
        wrap(out, &line, "  ");
        let mut about = Vec::new();
        match c.wsus_policy.as_deref() {
            Some("") => about.push("policy: no WSUS server".to_owned()),
            Some(url) => about.push(format!("policy: WSUS {url}")),
            None => {}
        }
        if !c.update_sources.is_empty() {
            about.push(format!("talked to: {}", c.update_sources.join(", ")));
        }
        if let Some(v) = &c.agent_version {
            about.push(format!("agent {v}"));
        }
        if !about.is_empty() {
            wrap(out, &about.join("; "), "    ");
        }
    }
}

fn clocks(out: &mut String, d: &Diagnosis) {
    if d.clock_offsets.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", rule_line("Client clocks"));
    for c in &d.clock_offsets {
        let line = match (c.offset_seconds, c.basis) {
            (Some(o), Some(basis)) => {
                let skew = c
                    .skew_seconds
                    .filter(|s| *s != 0)
                    .map(|s| format!("; clock off by {s:+} s beyond its time zone"))
                    .unwrap_or_default();
                format!(
                    "  {}: server UTC = log time {:+} s (from {basis}{}){skew}",
                    c.source,
                    o,
                    if c.pairs > 0 {
                        format!(", {} pairs", c.pairs)
                    } else {
                        String::new()
                    }
                )
            }
            _ => format!(
                "  {}: offset unknown (no tz: banner and no fault ID found on the server)",
                c.source
            ),
        };
        let _ = writeln!(out, "{}", cut_to(&line, WIDTH));
    }
}

fn inputs(out: &mut String, d: &Diagnosis) {
    let _ = writeln!(out, "\n{}", rule_line("Logs read"));
    for i in &d.inputs {
        let line = format!(
            "  {} · {} · {} · {} records{}",
            i.path,
            i.kind.unwrap_or("not a log"),
            i.encoding,
            i.records,
            if i.malformed_lines > 0 {
                format!(" · {} malformed lines skipped", i.malformed_lines)
            } else {
                String::new()
            }
        );
        let _ = writeln!(out, "{}", cut_to(&line, WIDTH));
        if !i.repairs.is_empty() {
            let repairs = format!("    read as a paste: {}", i.repairs.join(", "));
            let _ = writeln!(out, "{}", cut_to(&repairs, WIDTH));
        }
        for p in i.problems.iter().take(3) {
            let at = if p.line > 0 {
                format!("line {}, column {}: ", p.line, p.column)
            } else {
                String::new()
            };
            let _ = writeln!(
                out,
                "{}",
                cut_to(&format!("      {at}{}", p.message), WIDTH)
            );
        }
    }
}

fn rule_line(title: &str) -> String {
    let len = title.chars().count() + 4;
    format!("── {title} {}", "─".repeat(WIDTH.saturating_sub(len)))
}

fn wrap(out: &mut String, text: &str, indent: &str) {
    for line in wrap_lines(text, WIDTH - indent.len()) {
        let _ = writeln!(out, "{indent}{line}");
    }
}

/// Greedy word wrap to `width` characters.
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

fn cut_to(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_owned();
    }
    let mut t: String = s.chars().take(width - 1).collect();
    t.push('…');
    t
}
