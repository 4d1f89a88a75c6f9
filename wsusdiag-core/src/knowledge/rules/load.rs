//! Reads rules from TOML, checks them, and reports every mistake with its line and column.

use std::collections::HashSet;
use std::ops::Range;

use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

use super::benign::BenignTrace;
use super::{ClientSignature, FleetCheck, JoinPolicy, Rule, ServerSignature, Severity};
use crate::knowledge::hresult;
use crate::{Error, Result};

/// Compiled size a single pattern may take: plenty for any real pattern, and a bound on what a
/// hostile rules file can make the engine build.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    benign: Vec<RawBenign>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBenign {
    id: Spanned<String>,
    component: Option<String>,
    #[serde(default)]
    codes: Vec<Spanned<String>>,
    message: Spanned<String>,
    reason: String,
    #[serde(default)]
    sources: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    title: String,
    severity: Spanned<String>,
    #[serde(default)]
    priority: i32,
    #[serde(default)]
    applies_to: Vec<String>,
    cause: String,
    remediation: Spanned<Vec<String>>,
    #[serde(default)]
    references: Vec<String>,
    confirm: Option<String>,
    min_occurrences: Option<u32>,
    min_clients: Option<u32>,
    client: Option<RawClient>,
    server: Option<RawServer>,
    join: Option<RawJoin>,
    fleet: Option<RawFleet>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawClient {
    #[serde(default)]
    hresults: Vec<Spanned<String>>,
    #[serde(default)]
    error_codes: Vec<String>,
    #[serde(default)]
    methods: Vec<String>,
    #[serde(default)]
    http_status: Vec<u32>,
    endpoint: Option<Spanned<String>>,
    #[serde(default)]
    messages: Vec<Spanned<String>>,
    #[serde(default)]
    lines: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawServer {
    #[serde(default)]
    sources: Vec<String>,
    #[serde(default)]
    exceptions: Vec<String>,
    #[serde(default)]
    error_codes: Vec<String>,
    #[serde(default)]
    messages: Vec<Spanned<String>>,
    #[serde(default)]
    frames: Vec<Spanned<String>>,
    #[serde(default)]
    sql_numbers: Vec<i64>,
    upstream: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJoin {
    #[serde(default)]
    by: Option<Vec<Spanned<String>>>,
    client_only: Option<Spanned<String>>,
    server_only: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFleet {
    check: Spanned<String>,
    threshold_seconds: Option<u32>,
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(super) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

/// Builds errors located in one rules file.
struct Locator<'a> {
    name: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> Error {
        let (line, column) = line_column(self.text, span.start);
        Error::Rules {
            name: self.name.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    fn patterns(&self, raw: &[Spanned<String>]) -> Result<Vec<Regex>> {
        raw.iter()
            .map(|p| {
                RegexBuilder::new(p.get_ref())
                    .size_limit(PATTERN_SIZE_LIMIT)
                    .dfa_size_limit(PATTERN_SIZE_LIMIT)
                    .build()
                    .map_err(|e| self.error(p.span(), format!("bad pattern: {e}")))
            })
            .collect()
    }

    fn choice(&self, raw: &Option<Spanned<String>>, default: bool) -> Result<bool> {
        match raw {
            None => Ok(default),
            Some(s) => match s.get_ref().as_str() {
                "probable" => Ok(true),
                "none" => Ok(false),
                other => Err(self.error(
                    s.span(),
                    format!("expected \"probable\" or \"none\", found \"{other}\""),
                )),
            },
        }
    }
}

/// What a rules file holds: its rules and its benign traces.
#[derive(Debug)]
pub(super) struct Parsed {
    pub rules: Vec<Rule>,
    pub benign: Vec<BenignTrace>,
}

/// Parses and checks a rules file.
pub(super) fn parse(name: &str, text: &str) -> Result<Parsed> {
    let at = Locator { name, text };
    let file: RawFile = toml::from_str(text)
        .map_err(|e| at.error(e.span().unwrap_or(0..0), e.message().trim_end().to_owned()))?;
    let mut seen = HashSet::new();
    let mut rules = Vec::with_capacity(file.rule.len());
    for raw in file.rule {
        let span = raw.span();
        let raw = raw.into_inner();
        if !seen.insert(raw.id.get_ref().clone()) {
            return Err(at.error(
                raw.id.span(),
                format!("rule id \"{}\" is used twice", raw.id.get_ref()),
            ));
        }
        rules.push(rule(&at, span, raw)?);
    }
    let mut benign = Vec::with_capacity(file.benign.len());
    for raw in file.benign {
        if !seen.insert(raw.id.get_ref().clone()) {
            return Err(at.error(
                raw.id.span(),
                format!("id \"{}\" is used twice", raw.id.get_ref()),
            ));
        }
        benign.push(benign_trace(&at, raw)?);
    }
    Ok(Parsed { rules, benign })
}

fn benign_trace(at: &Locator<'_>, raw: RawBenign) -> Result<BenignTrace> {
    let message = at
        .patterns(std::slice::from_ref(&raw.message))?
        .pop()
        .ok_or_else(|| at.error(raw.message.span(), "a benign trace needs a message pattern"))?;
    Ok(BenignTrace {
        id: raw.id.get_ref().trim().to_owned(),
        component: raw.component,
        codes: codes(at, &raw.codes)?,
        message,
        reason: raw.reason.trim().to_owned(),
        sources: raw.sources,
        origin: at.name.to_owned(),
    })
}

/// HRESULTs written as `0x8024400E`.
fn codes(at: &Locator<'_>, raw: &[Spanned<String>]) -> Result<Vec<u32>> {
    raw.iter()
        .map(|h| {
            hresult::parse_code(h.get_ref()).ok_or_else(|| {
                at.error(
                    h.span(),
                    format!("\"{}\" is not an HRESULT (write 0x8024400E)", h.get_ref()),
                )
            })
        })
        .collect()
}

fn rule(at: &Locator<'_>, span: Range<usize>, raw: RawRule) -> Result<Rule> {
    let id = raw.id.get_ref().trim();
    if id.is_empty() || id.chars().any(char::is_whitespace) {
        return Err(at.error(raw.id.span(), "a rule id is one word, not empty"));
    }
    let severity = raw.severity.get_ref().parse::<Severity>().map_err(|_| {
        at.error(
            raw.severity.span(),
            format!(
                "severity must be critical, error, warning or info, not \"{}\"",
                raw.severity.get_ref()
            ),
        )
    })?;
    if raw.remediation.get_ref().is_empty() {
        return Err(at.error(
            raw.remediation.span(),
            "remediation needs at least one step",
        ));
    }
    let client = raw.client.map(|c| client(at, c)).transpose()?;
    let server = raw.server.map(|s| server(at, s)).transpose()?;
    let fleet = raw.fleet.map(|f| fleet(at, f)).transpose()?;
    if client.is_none() && server.is_none() && fleet.is_none() {
        return Err(at.error(
            span,
            format!("rule \"{id}\" has no [rule.client], [rule.server] or [rule.fleet]: it can never match"),
        ));
    }
    let mut join = JoinPolicy::default();
    if let Some(j) = raw.join {
        if let Some(by) = j.by {
            join.fault_id = false;
            join.time_window = false;
            for b in by {
                match b.get_ref().as_str() {
                    "fault-id" => join.fault_id = true,
                    "time-window" => join.time_window = true,
                    other => {
                        return Err(at.error(
                            b.span(),
                            format!(
                                "join.by takes \"fault-id\" or \"time-window\", not \"{other}\""
                            ),
                        ));
                    }
                }
            }
        }
        join.client_only = at.choice(&j.client_only, true)?;
        join.server_only = at.choice(&j.server_only, true)?;
    }
    Ok(Rule {
        id: id.to_owned(),
        title: raw.title,
        severity,
        priority: raw.priority,
        applies_to: raw.applies_to,
        cause: raw.cause.trim().to_owned(),
        remediation: raw.remediation.into_inner(),
        references: raw.references,
        confirm: raw.confirm.map(|c| c.trim().to_owned()),
        min_occurrences: raw.min_occurrences.unwrap_or(1).max(1),
        min_clients: raw.min_clients.unwrap_or(1).max(1),
        client,
        server,
        join,
        fleet,
        origin: at.name.to_owned(),
    })
}

fn client(at: &Locator<'_>, raw: RawClient) -> Result<ClientSignature> {
    let wsus_only = match &raw.endpoint {
        None => false,
        Some(e) => match e.get_ref().as_str() {
            "wsus" => true,
            "any" => false,
            other => {
                return Err(at.error(
                    e.span(),
                    format!("endpoint takes \"wsus\" or \"any\", not \"{other}\""),
                ));
            }
        },
    };
    Ok(ClientSignature {
        hresults: codes(at, &raw.hresults)?,
        wsus_only,
        error_codes: raw.error_codes,
        methods: raw.methods,
        http_status: raw.http_status,
        messages: at.patterns(&raw.messages)?,
        lines: at.patterns(&raw.lines)?,
    })
}

fn server(at: &Locator<'_>, raw: RawServer) -> Result<ServerSignature> {
    Ok(ServerSignature {
        sources: raw.sources,
        exceptions: raw.exceptions,
        error_codes: raw.error_codes,
        messages: at.patterns(&raw.messages)?,
        frames: at.patterns(&raw.frames)?,
        sql_numbers: raw.sql_numbers,
        upstream: raw.upstream,
    })
}

fn fleet(at: &Locator<'_>, raw: RawFleet) -> Result<FleetCheck> {
    match raw.check.get_ref().as_str() {
        "duplicate-client-id" => Ok(FleetCheck::DuplicateClientId),
        "slow-scan" => Ok(FleetCheck::SlowScan {
            seconds: raw.threshold_seconds.unwrap_or(3600),
        }),
        other => Err(at.error(
            raw.check.span(),
            format!("fleet.check takes \"duplicate-client-id\" or \"slow-scan\", not \"{other}\""),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[[rule]]
id = "TEST-1"
title = "A test rule"
severity = "warning"
cause = "Because."
remediation = ["Do this.", "Then that."]

[rule.client]
hresults = ["0x8024400E", "80244007"]
error_codes = ["InternalServerError"]

[rule.server]
exceptions = ["ArgumentException"]
messages = ['Item has already been added']

[rule.join]
by = ["fault-id"]
client_only = "none"
"#;

    fn error_of(text: &str) -> (u32, u32, String) {
        match parse("extra.toml", text) {
            Err(Error::Rules {
                name,
                line,
                column,
                message,
            }) => {
                assert_eq!(name, "extra.toml");
                (line, column, message)
            }
            other => panic!("expected a rules error, got {other:?}"),
        }
    }

    #[test]
    fn reads_a_rule() {
        let rules = parse("extra.toml", GOOD).unwrap();
        let r = &rules.rules[0];
        assert_eq!(r.id, "TEST-1");
        assert_eq!(r.severity, Severity::Warning);
        let c = r.client.as_ref().unwrap();
        assert_eq!(c.hresults, vec![0x8024_400E, 0x8024_4007]);
        assert!(r.join.fault_id && !r.join.time_window && !r.join.client_only);
        assert!(r.join.server_only);
        assert_eq!(r.min_clients, 1);
    }

    #[test]
    fn bad_pattern_is_located() {
        let text = GOOD.replace("'Item has already been added'", "'Item (has'");
        let (line, column, message) = error_of(&text);
        assert_eq!((line, column), (15, 13), "{message}");
        assert!(message.contains("bad pattern"), "{message}");
    }

    #[test]
    fn bad_severity_and_code_are_located() {
        let (line, column, message) = error_of(&GOOD.replace("\"warning\"", "\"fatal\""));
        assert_eq!((line, column), (5, 12));
        assert!(message.contains("fatal"));
        let (line, column, message) = error_of(&GOOD.replace("\"80244007\"", "\"banana\""));
        assert_eq!((line, column), (10, 27));
        assert!(message.contains("banana"));
    }

    #[test]
    fn toml_syntax_and_unknown_fields_are_located() {
        let (line, _, message) =
            error_of(&GOOD.replace("cause = \"Because.\"", "cause = Because."));
        assert_eq!(line, 6, "{message}");
        let (line, column, message) = error_of(&GOOD.replace("priority", "x").replace(
            "severity = \"warning\"",
            "severity = \"warning\"\nseverty = \"error\"",
        ));
        assert_eq!((line, column), (6, 1), "{message}");
        assert!(message.contains("severty"), "{message}");
    }

    #[test]
    fn duplicate_and_empty_rules_are_refused() {
        let twice = format!(
            "{GOOD}\n{}",
            GOOD.replace(
                "[rule.join]\nby = [\"fault-id\"]\nclient_only = \"none\"\n",
                ""
            )
        );
        let (_, _, message) = error_of(&twice);
        assert!(message.contains("used twice"), "{message}");
        let bare = "[[rule]]\nid = \"X\"\ntitle = \"t\"\nseverity = \"info\"\ncause = \"c\"\nremediation = [\"r\"]\n";
        let (line, _, message) = error_of(bare);
        assert_eq!(line, 1);
        assert!(message.contains("never match"), "{message}");
        let (line, _, message) = error_of(&GOOD.replace("[\"Do this.\", \"Then that.\"]", "[]"));
        assert_eq!(line, 7);
        assert!(message.contains("at least one step"), "{message}");
    }

    #[test]
    fn line_column_counts_characters() {
        let text = "ab\né x\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, 6), (2, 3));
        assert_eq!(line_column(text, 999), (3, 1));
    }
}
