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
                "Joined by time: the server error is the nearest one to the client failure once the clock offset is applied.",
                "    ",
            ),
            _ => {}
        }
    }
    let _ = writeln!(out, "\n  Why");
    wrap(out, &f.cause, "    ");
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
    if !d.server_faults.is_empty() {
        let _ = writeln!(
            out,
            "\n{} on the server not joined to a client failure (see --json: server_faults).",
            plural(d.server_faults.len(), "error", "errors")
        );
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
