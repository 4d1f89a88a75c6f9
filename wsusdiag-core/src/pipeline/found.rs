//! What reading an input finds that the report shows as it is: how the input was read
//! ([`InputSummary`], its [`Problem`]s), a log line quoted ([`Quoted`] while reading, [`Evidence`] in the report), and the exception
//! behind a server error ([`Cause`]).

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::ProblemKind;
use crate::input::{LogKind, TextEncoding};

/// How one input was read.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
#[non_exhaustive]
pub struct InputSummary {
    /// The path or buffer name.
    pub path: String,
    /// `client-classic`, `client-win10`, `client-etl`, `client-fragment`, `server` or
    /// `server-fragment`; null when unknown.
    pub kind: Option<LogKind>,
    /// The text encoding it was decoded from.
    pub encoding: TextEncoding,
    /// Size in bytes.
    pub bytes: u64,
    /// Entries read.
    pub records: u64,
    /// Lines that could not be read and were skipped.
    pub malformed_lines: u64,
    /// What was taken off or repaired to read pasted text (`unwrapped markdown`, `decoded HTML
    /// entities`, `ignored 3 lines of prose`, …); empty for a log read as written.
    pub repairs: Vec<String>,
    /// The first problems found (malformed lines, a cut end, an unknown format), at most 20.
    pub problems: Vec<Problem>,
}

/// A problem in an input, with its position.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[non_exhaustive]
pub struct Problem {
    /// 1-based line (0 when it concerns the whole input).
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What kind of problem (`bad-header`, `binary`, `truncated`, `unknown-format`, …).
    pub kind: ProblemKind,
    /// A sentence for people.
    pub message: String,
    /// The offending text, cut.
    pub text: String,
}

/// The exception behind a server fault.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, JsonSchema)]
#[non_exhaustive]
pub struct Cause {
    /// The exception type (`System.ArgumentException`).
    pub exception: String,
    /// Its message.
    pub message: String,
    /// The WSUS method it happened in (`ClientImplementation.GetSyncInfo`).
    pub method: Option<String>,
    /// 1-based line of the exception entry.
    pub line: u32,
    /// Inner exceptions, outermost first, as `Type: message`.
    pub inner: Vec<String>,
    /// SQL error number, for database errors.
    pub sql_number: Option<i64>,
}

/// A log line quoted while reading, named by its log: what the readers keep and an analysis
/// carries. The report names the log by its input's index instead ([`Quoted::evidence`]).
///
/// Its texts are shared: a fault's lines name the same log, and the text of a line quoted by
/// several faults and findings is held once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Quoted {
    /// The log.
    pub source: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// The line's text as the log has it (cut when long).
    pub text: Arc<str>,
    /// What the line shows that it does not say itself.
    pub note: Option<String>,
}

impl Quoted {
    /// The line `line` of the log `source`, whose text is `text`, without a note.
    pub(crate) fn new(source: Arc<str>, line: u32, text: Arc<str>) -> Self {
        Self {
            source,
            line,
            text,
            note: None,
        }
    }

    /// The line as the report quotes it, its log being the input at index `input`.
    pub(crate) fn evidence(&self, input: u32) -> Evidence {
        Evidence {
            note: self.note.clone(),
            ..Evidence::new(input, self.line, Arc::clone(&self.text))
        }
    }
}

/// One log line quoted as evidence.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq, PartialOrd, Ord, JsonSchema)]
#[non_exhaustive]
pub struct Evidence {
    /// The log: its index in the diagnosis's `inputs`.
    pub input: u32,
    /// 1-based line.
    pub line: u32,
    /// The line's text as the log has it (cut when long).
    pub text: Arc<str>,
    /// What the line shows that it does not say itself (`this detection took 1 h 30 min`);
    /// absent from the JSON when none.
    #[serde(default)]
    pub note: Option<String>,
}

/// `note` is left out of text formats (JSON) when there is none; binary formats, which have
/// no field names, always carry it.
impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let with_note = self.note.is_some() || !s.is_human_readable();
        let mut st = s.serialize_struct("Evidence", 3 + usize::from(with_note))?;
        st.serialize_field("input", &self.input)?;
        st.serialize_field("line", &self.line)?;
        st.serialize_field("text", &self.text)?;
        if with_note {
            st.serialize_field("note", &self.note)?;
        }
        st.end()
    }
}

impl Evidence {
    /// The line `line` of the input at index `input`, whose text is `text`, without a note.
    pub fn new(input: u32, line: u32, text: Arc<str>) -> Self {
        Self {
            input,
            line,
            text,
            note: None,
        }
    }
}
