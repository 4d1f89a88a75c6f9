//! The HTML report: one self-contained page (inline style and script, nothing fetched) to open
//! from a share or an e-mail. The verdict, findings, clocks and logs read are written as HTML;
//! the timeline (drawn on a canvas, so a fleet of 20,000 faults stays one element) and the
//! table of clients are drawn by the page's script from the data embedded in it.

use std::io::Write;

use serde::Serialize;

use super::text::{
    client_failures, clock_in_words, in_groups, key_client_lines, server_errors, server_lines,
};
use crate::diagnosis::{Correlation, Diagnosis, Evidence, Fault, FaultGroup, Finding, LogKind};

const STYLE: &str = include_str!("html/page.css");
const SCRIPT: &str = include_str!("html/page.js");
/// Rows of a long list written into the page before the rest are counted.
const LISTED: usize = 100;

/// What the page's script draws: faults and server errors on one time axis, and the clients.
#[derive(Serialize)]
struct PageData<'a> {
    /// Known issues, by index: rule id.
    rules: Vec<&'a str>,
    clients: Vec<ClientRow<'a>>,
    faults: Vec<FaultMark<'a>>,
    /// Server errors: `[utc ms or null, rule or -1, evidence]`.
    server: Vec<(Option<i64>, i64, String)>,
}

/// A client failure, as a JSON array: `[client, utc ms or null, rule or -1, correlation, code,
/// evidence]`.
type FaultMark<'a> = (usize, Option<i64>, i64, &'static str, &'a str, String);

#[derive(Serialize)]
struct ClientRow<'a> {
    name: &'a str,
    log: &'a str,
    failures: u32,
    first: Option<&'a str>,
    last: Option<&'a str>,
    findings: Vec<&'a str>,
    clock: String,
}

impl Diagnosis {
    /// The diagnosis as one self-contained HTML page (inline style and script, nothing
    /// fetched): the verdict, each finding with its evidence and fix, a timeline of every
    /// client's failures and the server's errors, a table of clients.
    pub fn to_html(&self) -> String {
        let mut out = Vec::new();
        // Writing to a Vec cannot fail, and the page is written from `str`s only.
        let _ = write(self, &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Writes [`Diagnosis::to_html`] to `out`. `out` is best buffered.
    pub fn write_html(&self, out: impl Write) -> std::io::Result<()> {
        write(self, out)
    }
}

/// Writes the page.
fn write(d: &Diagnosis, mut out: impl Write) -> std::io::Result<()> {
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>wsusdiag report</title><style>{STYLE}</style></head><body>\n"
    )?;
    writeln!(
        out,
        "<header><h1>wsusdiag report</h1><p>wsusdiag {}: read {} logs.</p></header><main>",
        esc(&d.tool.version),
        d.inputs.len()
    )?;
    verdict(&mut out, d)?;
    writeln!(
        out,
        "<section id=\"timeline\" aria-labelledby=\"tl-h\"><h2 id=\"tl-h\">Timeline (server UTC)</h2>\
         <p class=\"hint\">Each row is a client (a band of clients in a large fleet); the top row is the servers' errors. Colour is the known issue. \
         Hover a mark, or focus the timeline and use the arrow keys, to see its evidence.</p>\
         <div id=\"legend\"></div>\
         <canvas id=\"tl\" tabindex=\"0\" role=\"img\" aria-label=\"Timeline of failures\"></canvas>\
         <div id=\"tip\" role=\"status\" aria-live=\"polite\"></div></section>"
    )?;
    for (n, f) in d.findings.iter().enumerate() {
        finding(&mut out, d, n + 1, f)?;
    }
    unexplained(&mut out, d)?;
    writeln!(
        out,
        "<section id=\"clients\"><h2>Clients</h2>\
         <label>Filter <input id=\"filter\" type=\"search\" placeholder=\"name, issue…\"></label>\
         <table id=\"ctable\"><thead><tr>\
         <th><button data-k=\"name\">Client</button></th><th><button data-k=\"failures\">Failures</button></th>\
         <th><button data-k=\"first\">First</button></th><th><button data-k=\"last\">Last</button></th>\
         <th><button data-k=\"findings\">Findings</button></th><th><button data-k=\"clock\">Clock</button></th>\
         </tr></thead><tbody></tbody></table><p id=\"ccount\"></p><button id=\"cmore\" hidden>Show all</button></section>"
    )?;
    clocks_and_logs(&mut out, d)?;
    let data = serde_json::to_string(&page_data(d)).map_err(std::io::Error::other)?;
    // `<` escaped, so no text inside the data can close the script element.
    let data = data.replace('<', "\\u003c");
    writeln!(
        out,
        "</main><script id=\"data\" type=\"application/json\">{data}</script>\n<script>{SCRIPT}</script></body></html>"
    )
}

fn verdict(out: &mut impl Write, d: &Diagnosis) -> std::io::Result<()> {
    writeln!(out, "<section id=\"verdict\"><h2>Verdict</h2>")?;
    if d.findings.is_empty() {
        let what = if d.faults.is_empty() && d.server_faults.is_empty() {
            "No update failure found.".to_owned()
        } else {
            format!(
                "{} and {}, but no known issue matches them.",
                client_failures(d),
                server_errors(d)
            )
        };
        return writeln!(out, "<p>{what}</p></section>");
    }
    writeln!(
        out,
        "<table><thead><tr><th>Known issue</th><th>Confidence</th><th>Severity</th><th>What</th><th>Clients</th><th>Times</th></tr></thead><tbody>"
    )?;
    for (n, f) in d.findings.iter().enumerate() {
        writeln!(
            out,
            "<tr><td><a href=\"#f{}\">{}</a></td><td class=\"c-{}\">{}</td><td class=\"s-{}\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            n + 1,
            esc(&f.rule_id),
            f.confidence,
            f.confidence,
            f.severity,
            f.severity,
            esc(&f.title),
            f.clients.len(),
            f.occurrences
        )?;
    }
    writeln!(out, "</tbody></table></section>")
}

fn finding(out: &mut impl Write, d: &Diagnosis, n: usize, f: &Finding) -> std::io::Result<()> {
    writeln!(
        out,
        "<section class=\"finding\" id=\"f{n}\"><h2>{n}. {} <span class=\"c-{}\">{}</span></h2><p class=\"title\">{}</p>",
        esc(&f.rule_id),
        f.confidence,
        f.confidence,
        esc(&f.title)
    )?;
    let fault = d
        .faults
        .iter()
        .find(|x| x.rule_id.as_deref() == Some(f.rule_id.as_str()));
    match fault {
        Some(x) => {
            evidence(out, d, "What the client logged", &key_client_lines(x))?;
            if let Some(code) = d.codes.get(&x.client.hresult) {
                writeln!(
                    out,
                    "<p><code>{}</code> is <code>{}</code>: {}</p>",
                    esc(&x.client.hresult),
                    esc(&code.name),
                    esc(&code.description)
                )?;
            }
            evidence(out, d, "What the server logged", &server_lines(f, x))?;
            if let Some(c) = x.server.as_ref().and_then(|s| s.cause.as_ref()) {
                writeln!(
                    out,
                    "<p>The server failed with <code>{}</code>{}: {}</p>",
                    esc(&c.exception),
                    c.method
                        .as_deref()
                        .map(|m| format!(" in <code>{}</code>", esc(m)))
                        .unwrap_or_default(),
                    esc(&c.message)
                )?;
            }
            writeln!(out, "<p class=\"join\">{}</p>", join_sentence(x))?;
        }
        None => evidence(
            out,
            d,
            "What the logs show",
            &f.evidence.iter().take(8).collect::<Vec<_>>(),
        )?,
    }
    writeln!(out, "<h3>Why</h3><p>{}</p>", esc(&f.cause))?;
    if let Some(confirm) = &f.confirm {
        writeln!(out, "<h3>To confirm</h3><p>{}</p>", esc(confirm))?;
    }
    writeln!(out, "<h3>Fix</h3><ol>")?;
    for step in &f.remediation {
        writeln!(out, "<li>{}</li>", esc(step))?;
    }
    writeln!(out, "</ol>")?;
    if !f.references.is_empty() {
        writeln!(out, "<h3>Read more</h3><ul>")?;
        for r in &f.references {
            writeln!(out, "<li>{}</li>", esc(r))?;
        }
        writeln!(out, "</ul>")?;
    }
    writeln!(out, "</section>")
}

/// How the fault was joined to the server's record, in a sentence.
fn join_sentence(x: &Fault) -> String {
    match x.correlation {
        Correlation::FaultId => format!(
            "Joined by the fault ID <code>{}</code> found in both logs.",
            esc(x.client.fault_id.as_deref().unwrap_or(""))
        ),
        Correlation::TimeWindow => {
            "Joined by time: the only server error that can explain it.".to_owned()
        }
        Correlation::Ambiguous => format!(
            "Not joined, ambiguous: {} server errors could explain it.",
            x.fits()
        ),
        _ => "Not joined to a server error.".to_owned(),
    }
}

fn evidence(
    out: &mut impl Write,
    d: &Diagnosis,
    title: &str,
    ev: &[&Evidence],
) -> std::io::Result<()> {
    let Some(first) = ev.first() else {
        return Ok(());
    };
    writeln!(
        out,
        "<h3>{title} <small>({})</small></h3><pre class=\"ev\">",
        esc(d.input_path(first.input))
    )?;
    for e in ev {
        writeln!(
            out,
            "<span class=\"ln\">{:>6}</span> {}{}",
            e.line,
            esc(&e.text),
            e.note
                .as_deref()
                .map(|n| format!(" <em>({})</em>", esc(n)))
                .unwrap_or_default()
        )?;
    }
    writeln!(out, "</pre>")
}

fn unexplained(out: &mut impl Write, d: &Diagnosis) -> std::io::Result<()> {
    let rest: Vec<&FaultGroup> = (d.fault_groups.iter())
        .filter(|g| g.rule_id.is_none())
        .collect();
    if rest.is_empty() {
        return Ok(());
    }
    let failures: u32 = rest.iter().map(|g| g.count).sum();
    writeln!(
        out,
        "<section id=\"unexplained\"><h2>Client failures no known issue explains ({})</h2><table><thead><tr><th>Log</th><th>Line</th><th>Time</th><th>Code</th><th>Meaning</th><th>Times</th><th>Last</th><th>Server</th></tr></thead><tbody>",
        in_groups(failures, rest.len(), "failure", "failures")
    )?;
    for g in rest.iter().take(LISTED) {
        let f = &d.faults[g.faults[0] as usize];
        let c = &f.client;
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(d.input_path(c.input)),
            c.line,
            esc(c.time.as_deref().unwrap_or("-")),
            esc(&c.hresult),
            esc(d.codes.get(&c.hresult).map_or("", |code| &code.name)),
            g.count,
            esc(g.last_time.as_deref().unwrap_or("-")),
            match f.correlation {
                Correlation::None => "",
                j => j.as_str(),
            }
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if rest.len() > LISTED {
        writeln!(
            out,
            "<p>… and {} more groups (see the JSON report: fault_groups).</p>",
            rest.len() - LISTED
        )?;
    }
    writeln!(out, "</section>")
}

fn clocks_and_logs(out: &mut impl Write, d: &Diagnosis) -> std::io::Result<()> {
    if !d.clock_offsets.is_empty() {
        writeln!(out, "<section id=\"clocks\"><h2>Client clocks</h2><ul>")?;
        for c in d.clock_offsets.iter().take(LISTED) {
            writeln!(
                out,
                "<li>{}: {}</li>",
                esc(&c.source),
                esc(&clock_in_words(c))
            )?;
        }
        if d.clock_offsets.len() > LISTED {
            writeln!(
                out,
                "<li>… and {} more (see the table of clients).</li>",
                d.clock_offsets.len() - LISTED
            )?;
        }
        writeln!(out, "</ul></section>")?;
    }
    writeln!(
        out,
        "<section id=\"logs\"><h2>Logs read ({})</h2><table><thead><tr><th>Log</th><th>Kind</th><th>Encoding</th><th>Records</th><th>Malformed lines</th></tr></thead><tbody>",
        d.inputs.len()
    )?;
    // A fleet's logs are many: the first ones, and every one with a problem.
    let shown = (d.inputs.iter().enumerate())
        .filter(|(n, i)| *n < LISTED || i.malformed_lines > 0 || i.kind.is_none())
        .map(|(_, i)| i);
    let mut listed = 0;
    for i in shown {
        listed += 1;
        writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&i.path),
            i.kind.map_or("not a log", LogKind::as_str),
            i.encoding,
            i.records,
            i.malformed_lines
        )?;
    }
    writeln!(out, "</tbody></table>")?;
    if listed < d.inputs.len() {
        writeln!(
            out,
            "<p>… and {} more logs read without a problem.</p>",
            d.inputs.len() - listed
        )?;
    }
    writeln!(out, "</section>")
}

fn page_data(d: &Diagnosis) -> PageData<'_> {
    let rules: Vec<&str> = d.findings.iter().map(|f| f.rule_id.as_str()).collect();
    let rule_index = |id: Option<&str>| {
        id.and_then(|id| rules.iter().position(|r| *r == id))
            .map_or(-1, |i| i as i64)
    };
    let client_index: std::collections::HashMap<&str, usize> = (d.clients.iter().enumerate())
        .map(|(i, c)| (c.source.as_str(), i))
        .collect();
    let mut first: Vec<Option<&str>> = vec![None; d.clients.len()];
    let faults = (d.faults.iter())
        .filter_map(|f| {
            let c = *client_index.get(d.input_path(f.client.input))?;
            let t = f.client.time.as_deref();
            if first[c].is_none_or(|x| t.is_some_and(|t| t < x)) {
                first[c] = t;
            }
            let shown = key_client_lines(f);
            Some((
                c,
                f.client.time_utc.as_deref().and_then(millis),
                rule_index(f.rule_id.as_deref()),
                f.correlation.as_str(),
                f.client.hresult.as_str(),
                shown
                    .first()
                    .map(|e| format!("{}:{} {}", d.input_path(e.input), e.line, e.text))
                    .unwrap_or_default(),
            ))
        })
        .collect();
    let joined = d
        .faults
        .iter()
        .filter_map(|f| Some((f.server.as_ref()?, f.rule_id.as_deref())));
    let unjoined = d.server_faults.iter().map(|s| (s, None));
    let server = joined
        .chain(unjoined)
        .map(|(s, rule)| {
            let text = s.cause.as_ref().map_or_else(
                || s.logger.clone(),
                |c| format!("{}: {}", c.exception, c.message),
            );
            (
                s.time.as_deref().and_then(millis),
                rule_index(rule),
                format!("{}:{} {text}", d.input_path(s.input), s.line),
            )
        })
        .collect();
    let clocks: std::collections::HashMap<&str, String> = (d.clock_offsets.iter())
        .map(|c| (c.source.as_str(), clock_in_words(c)))
        .collect();
    // Per client log, the findings seen in it (each once), in the findings' order.
    let mut findings_of: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, f) in d.findings.iter().enumerate() {
        for client in &f.clients {
            let of = findings_of.entry(client).or_default();
            if of.last() != Some(&i) {
                of.push(i);
            }
        }
    }
    let clients = (d.clients.iter().enumerate())
        .map(|(i, c)| ClientRow {
            name: c.dns_name.as_deref().unwrap_or(&c.source),
            log: &c.source,
            failures: c.failures,
            first: first[i],
            last: c.last_failure.as_deref(),
            findings: (findings_of.get(c.source.as_str()).into_iter().flatten())
                .map(|&f| d.findings[f].rule_id.as_str())
                .collect(),
            clock: clocks.get(c.source.as_str()).cloned().unwrap_or_default(),
        })
        .collect();
    PageData {
        rules,
        clients,
        faults,
        server,
    }
}

/// Milliseconds since 1970 of an ISO 8601 time without zone (`2008-07-14T13:12:16.593`).
fn millis(t: &str) -> Option<i64> {
    let t = t.trim_end_matches('Z');
    chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|t| t.and_utc().timestamp_millis())
}

/// `text` with `&`, `<`, `>` and `"` escaped for HTML.
fn esc(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            c => s.push(c),
        }
    }
    s
}
