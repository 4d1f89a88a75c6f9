//! Reads `data/hresults.tsv` and renders it as Rust. Shared by `build.rs` (which compiles the
//! table into the crate) and `tests/hresult.rs` (which checks that bad rows are refused).
//! Standard library only.

use std::collections::HashMap;
use std::fmt::Write as _;

/// The `component` column's vocabulary, and the `Component` variant each value becomes.
pub(crate) const COMPONENTS: &[(&str, &str)] = &[
    ("success", "Success"),
    ("agent", "Agent"),
    ("windows-installer", "WindowsInstaller"),
    ("handler", "Handler"),
    ("ui", "Ui"),
    ("protocol-talker", "ProtocolTalker"),
    ("redirector", "Redirector"),
    ("sih", "Sih"),
    ("download-manager", "DownloadManager"),
    ("offline-scan", "OfflineScan"),
    ("metadata-integrity", "MetadataIntegrity"),
    ("datastore", "Datastore"),
    ("inventory", "Inventory"),
    ("automatic-updates", "AutomaticUpdates"),
    ("task", "Task"),
    ("driver", "Driver"),
    ("setup", "Setup"),
    ("expression-evaluator", "ExpressionEvaluator"),
    ("reporter", "Reporter"),
    ("com", "Com"),
    ("win32", "Win32"),
    ("winhttp", "WinHttp"),
    ("certificate", "Certificate"),
    ("servicing", "Servicing"),
    ("bits", "Bits"),
    ("web-services", "WebServices"),
    ("delivery-optimization", "DeliveryOptimization"),
    ("upgrade", "Upgrade"),
    ("configmgr", "ConfigMgr"),
];

/// One checked row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Row {
    /// 1-based line number in the file.
    pub(crate) line: usize,
    pub(crate) code: u32,
    /// Empty when the file says `-` (no verified symbol).
    pub(crate) name: String,
    /// The `Component` variant name.
    pub(crate) variant: &'static str,
    pub(crate) http_status: Option<u16>,
    pub(crate) benign: bool,
    pub(crate) server_side: bool,
    pub(crate) description: String,
}

/// Parses the whole file. On failure returns every problem found, each as `file:line: message`.
pub(crate) fn parse(text: &str, file: &str) -> Result<Vec<Row>, Vec<String>> {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut codes: HashMap<u32, usize> = HashMap::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        match parse_row(raw, line) {
            Ok(row) => {
                if let Some(first) = codes.insert(row.code, line) {
                    errors.push(format!(
                        "{file}:{line}: duplicate code 0x{:08X} (first at line {first})",
                        row.code
                    ));
                }
                if !row.name.is_empty()
                    && let Some(first) = names.insert(row.name.clone(), line)
                {
                    errors.push(format!(
                        "{file}:{line}: duplicate name {} (first at line {first})",
                        row.name
                    ));
                }
                rows.push(row);
            }
            Err(message) => errors.push(format!("{file}:{line}: {message}")),
        }
    }
    if rows.is_empty() && errors.is_empty() {
        errors.push(format!("{file}: no rows"));
    }
    if errors.is_empty() {
        rows.sort_by_key(|row| row.code);
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_row(raw: &str, line: usize) -> Result<Row, String> {
    let fields: Vec<&str> = raw.split('\t').collect();
    let [code, name, component, flags, description] = fields[..] else {
        return Err(format!(
            "expected 5 tab-separated fields (code, name, component, flags, description), found {}",
            fields.len()
        ));
    };
    let code = parse_code(code)?;
    let name = match name {
        "-" => String::new(),
        _ if is_symbol(name) => name.to_owned(),
        _ => {
            return Err(format!(
                "bad name {name:?}: want an SDK symbol (A-Z, 0-9, _) or '-'"
            ));
        }
    };
    let variant = COMPONENTS
        .iter()
        .find(|(kebab, _)| *kebab == component)
        .map(|(_, variant)| *variant)
        .ok_or_else(|| format!("unknown component {component:?}"))?;
    let (mut http_status, mut benign, mut server_side) = (None, false, false);
    if !flags.is_empty() {
        for flag in flags.split(',') {
            let seen = match flag {
                "benign" => std::mem::replace(&mut benign, true),
                "server-side" => std::mem::replace(&mut server_side, true),
                _ => match flag.strip_prefix("http=") {
                    Some(status) => {
                        let status = status
                            .parse::<u16>()
                            .ok()
                            .filter(|s| (100..=599).contains(s))
                            .ok_or_else(|| format!("bad HTTP status in flag {flag:?}"))?;
                        http_status.replace(status).is_some()
                    }
                    None => return Err(format!("unknown flag {flag:?}")),
                },
            };
            if seen {
                return Err(format!("flag {flag:?} given twice"));
            }
        }
    }
    if benign && server_side {
        return Err("a code cannot be both benign and server-side".to_owned());
    }
    if description.is_empty() || description.trim() != description {
        return Err("description is empty or has surrounding spaces".to_owned());
    }
    if !description.trim_end_matches(')').ends_with('.') {
        return Err("description should end with a full stop".to_owned());
    }
    Ok(Row {
        line,
        code,
        name,
        variant,
        http_status,
        benign,
        server_side,
        description: description.to_owned(),
    })
}

fn parse_code(text: &str) -> Result<u32, String> {
    let digits = text
        .strip_prefix("0x")
        .filter(|d| {
            d.len() == 8
                && d.bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b))
        })
        .ok_or_else(|| format!("bad code {text:?}: want 0x and 8 upper-case hex digits"))?;
    u32::from_str_radix(digits, 16).map_err(|e| format!("bad code {text:?}: {e}"))
}

fn is_symbol(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// Renders the rows (already sorted by code) as the body of a `static TABLE`.
pub(crate) fn render(rows: &[Row], file: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// @generated by build.rs from {file}; edit that file, not this one."
    );
    let _ = writeln!(out, "static TABLE: [HresultInfo; {}] = [", rows.len());
    for row in rows {
        let http = match row.http_status {
            Some(status) => format!("Some({status})"),
            None => "None".to_owned(),
        };
        let _ = writeln!(
            out,
            "    HresultInfo {{ code: 0x{:08X}, name: {:?}, component: Component::{}, description: {:?}, http_status: {http}, benign: {}, server_side: {} }},",
            row.code, row.name, row.variant, row.description, row.benign, row.server_side,
        );
    }
    out.push_str("];\n");
    out
}
