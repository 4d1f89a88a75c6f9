//! Errors, and the position of bad input (file, line, column).

use std::fmt;
use std::path::PathBuf;

pub use crate::input::NotALog;
pub use crate::named::UnknownValue;
use crate::named::named_enum;

/// Where in an input something went wrong: 1-based line and column, and the byte offset.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Byte offset from the start of the (decoded) text.
    pub byte_offset: usize,
}

impl Position {
    /// Moves a position found in a part of a text that starts after `lines` lines and `bytes`
    /// bytes to its place in the whole text.
    pub(crate) fn shift(&mut self, lines: u32, bytes: usize) {
        self.line = self.line.saturating_add(lines);
        self.byte_offset += bytes;
    }
}

/// Longest excerpt of an offending line kept in an error.
pub const EXCERPT_CAP: usize = 200;

/// Cuts `text` to at most [`EXCERPT_CAP`] bytes on a character boundary.
pub(crate) fn excerpt(text: &str) -> String {
    excerpt_to(text, EXCERPT_CAP)
}

/// Cuts `text` to at most `cap` bytes on a character boundary, marking the cut with `…`.
pub(crate) fn excerpt_to(text: &str, cap: usize) -> String {
    if text.len() <= cap {
        return text.to_owned();
    }
    format!("{}…", head_to(text, cap))
}

/// The first at most `cap` bytes of `text`, cut on a character boundary.
pub(crate) fn head_to(text: &str, cap: usize) -> &str {
    let mut end = cap.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// One line that could not be read as a log entry. It is reported and skipped; the rest of the
/// input still counts.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ParseError {
    /// Where the problem is.
    #[serde(flatten)]
    pub position: Position,
    /// What is wrong.
    pub kind: ParseErrorKind,
    /// The offending line, cut to [`EXCERPT_CAP`] bytes.
    pub text: String,
}

named_enum! {
    /// What is wrong with a malformed line.
    pub enum ParseErrorKind {
        /// The line starts like an entry but a header field does not parse.
        BadHeader = "bad-header",
        /// The line holds control characters or undecodable bytes: not text.
        Binary = "binary",
        /// The line is longer than the reader accepts; it was cut.
        TooLong = "too-long",
        /// The input ends inside an entry (no newline, or a cut stack trace).
        Truncated = "truncated",
        /// A continuation line with no entry before it.
        Orphan = "orphan",
        /// The entry's date or time does not exist (month 13, Feb 30, 25:61): the entry is read
        /// with its time unknown.
        ImpossibleDate = "impossible-date",
        /// An event `Get-WindowsUpdateLog` could not decode: `Unknown(N): GUID=… (No Format
        /// Information found).`, written when it ran without Windows Update's symbols.
        Undecoded = "undecoded",
    }
}

named_enum! {
    /// What kind of problem an input has ([`Problem::kind`](crate::diagnosis::Problem::kind)):
    /// one of its lines (the [`ParseErrorKind`]s), or the whole input.
    pub enum ProblemKind extends ParseErrorKind {
        BadHeader, Binary, TooLong, Truncated, Orphan, ImpossibleDate, Undecoded,
    } {
        /// The input is not a log wsusdiag reads.
        UnknownFormat = "unknown-format",
        /// The file could not be opened or read.
        Unreadable = "unreadable",
        /// The path is not a regular file or folder (a socket, a device) and was not read.
        NotAFile = "not-a-file",
        /// The file was already read under another path (a link, a folder given twice).
        AlreadyRead = "already-read",
        /// An `.etl` trace written with WPP, whose messages need the symbol files.
        NeedsSymbols = "needs-symbols",
        /// An `.etl` trace of another provider than Windows Update.
        OtherProvider = "other-provider",
        /// The trace session lost events.
        EventsLost = "events-lost",
        /// An `.etl` event has a field type the reader does not know.
        UnknownFieldType = "unknown-field-type",
        /// An `.etl` trace larger than the reader takes.
        TooLarge = "too-large",
        /// An `.etl` record that does not parse.
        BadRecord = "bad-record",
        /// The `.etl` traces hold no Windows Update event.
        NoWindowsUpdateEvents = "no-windows-update-events",
    }
}

impl ParseErrorKind {
    /// A short sentence for people.
    pub fn describe(self) -> &'static str {
        match self {
            Self::BadHeader => "the entry header does not parse",
            Self::Binary => "binary data, not log text",
            Self::TooLong => "line too long; cut",
            Self::Truncated => "the input ends inside this entry",
            Self::Orphan => "continuation line with no entry before it",
            Self::ImpossibleDate => "the date or time does not exist; the entry is read without it",
            Self::Undecoded => {
                "an event Get-WindowsUpdateLog could not decode (No Format Information found): it ran without Windows Update's symbols"
            }
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.position.line,
            self.position.column,
            self.kind.describe()
        )?;
        if f.alternate() {
            let caret = (self.position.column as usize).saturating_sub(1);
            write!(
                f,
                "\n  {}\n  {}^",
                self.text,
                " ".repeat(caret.min(EXCERPT_CAP))
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for ParseError {}

/// Everything that can stop wsusdiag from reading an input or a rules file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// An input is not a log wsusdiag knows.
    #[error("{name}: not a Windows Update or WSUS log ({reason})")]
    UnknownFormat {
        /// The input's name.
        name: String,
        /// Why it was not recognised.
        reason: NotALog,
    },
    /// A rules file is not valid.
    #[error("{name}: line {line}, column {column}: {message}")]
    Rules {
        /// The rules file's name.
        name: String,
        /// 1-based line.
        line: u32,
        /// 1-based column.
        column: u32,
        /// What is wrong.
        message: String,
    },
    /// A caller passed something wsusdiag cannot use.
    #[error("{0}")]
    InvalidArgument(String),
    /// None of the inputs is a log: nothing was diagnosed, which is not an all-clear.
    #[error("no input is a Windows Update or WSUS log: {reason}")]
    NoLog {
        /// What each input turned out to be.
        reason: String,
    },
    /// An input that is not a regular file (a pipe, a device) gave more than the cap on such
    /// inputs ([`SPECIAL_FILE_CAP`](crate::input::SPECIAL_FILE_CAP)).
    #[error(
        "{name}: more than {cap} bytes from a file that is not a regular file (a pipe or a device); save the log to a file"
    )]
    TooLarge {
        /// The input's name.
        name: String,
        /// The cap, in bytes.
        cap: u64,
    },
    /// The diagnosis was stopped through [`Options::cancel`](crate::Options::cancel).
    #[error("cancelled")]
    Cancelled,
    /// The diagnosis could not be written as JSON, or JSON could not be read as one.
    #[error("JSON report: {0}")]
    Json(#[source] serde_json::Error),
    /// Memory for an input could not be had.
    #[error("{name}: out of memory reading {bytes} bytes")]
    OutOfMemory {
        /// The input's name.
        name: String,
        /// The size of the allocation that failed.
        bytes: u64,
    },
}

impl Error {
    /// Wraps an I/O error with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// The result type of wsusdiag.
pub type Result<T, E = Error> = std::result::Result<T, E>;
