//! The diagnosis as JSON, serde's pretty form byte for byte, and back.
//!
//! The time goes into the calls that put each token into the output, more than into serde:
//! [`Indented`] writes a line break and its indent in one call where serde's own pretty form
//! makes one call a level. The faults, most of a report, are rendered on all cores a batch at
//! a time, and written in order.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnosis::{Diagnosis, Fault, SCHEMA_VERSION};
use crate::{Error, Result};

/// Faults one task renders.
const FAULTS_A_TASK: usize = 64;
/// Tasks rendered before their text is written: what the writer holds at most.
const TASKS_A_BATCH: usize = 32;

/// A comma, a line break and as many spaces as the deepest indent of the report takes.
const BREAKS: &[u8] = b",\n                                                                ";

/// serde_json's pretty form (two spaces a level), starting `indent` levels deep.
struct Indented {
    indent: usize,
    has_value: bool,
}

impl Indented {
    fn new(indent: usize) -> Self {
        Self {
            indent,
            has_value: false,
        }
    }

    /// A line break (after a comma unless `first`) and the indent.
    fn break_line<W: ?Sized + Write>(&self, w: &mut W, first: bool) -> io::Result<()> {
        let from = usize::from(first);
        let to = 2 + 2 * self.indent;
        if to <= BREAKS.len() {
            return w.write_all(&BREAKS[from..to]);
        }
        w.write_all(&BREAKS[from..2])?;
        (0..self.indent).try_for_each(|_| w.write_all(b"  "))
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.indent += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.indent -= 1;
        if self.has_value {
            self.break_line(w, true)?;
        }
        w.write_all(bracket)
    }
}

impl serde_json::ser::Formatter for Indented {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.break_line(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.break_line(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Writes `value` in the pretty form, `indent` levels deep.
fn render<T: Serialize + ?Sized, W: Write>(value: &T, out: W, indent: usize) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, Indented::new(indent));
    value.serialize(&mut ser).map_err(io::Error::from)
}

/// Writes `"key": value` as a field of the report's top-level object.
fn field<T: Serialize + ?Sized, W: Write>(
    out: &mut W,
    key: &str,
    value: &T,
    first: bool,
) -> io::Result<()> {
    Indented::new(1).break_line(out, first)?;
    serde_json::to_writer(&mut *out, key).map_err(io::Error::from)?;
    out.write_all(b": ")?;
    render(value, out, 1)
}

/// Writes the faults as a field of the report, rendered in parallel, in order.
fn faults_field<W: Write>(out: &mut W, faults: &[Fault]) -> io::Result<()> {
    if faults.is_empty() {
        return field(out, "faults", faults, false);
    }
    Indented::new(1).break_line(out, false)?;
    out.write_all(b"\"faults\": [")?;
    let items = Indented::new(2);
    for (b, batch) in faults.chunks(FAULTS_A_TASK * TASKS_A_BATCH).enumerate() {
        let texts: Vec<io::Result<Vec<u8>>> = (batch.par_chunks(FAULTS_A_TASK).enumerate())
            .map(|(t, task)| {
                let mut text = Vec::with_capacity(task.len() * 2048);
                for (i, fault) in task.iter().enumerate() {
                    items.break_line(&mut text, b == 0 && t == 0 && i == 0)?;
                    render(fault, &mut text, 2)?;
                }
                Ok(text)
            })
            .collect();
        for text in texts {
            out.write_all(&text?)?;
        }
    }
    Indented::new(0).break_line(out, true)?;
    out.write_all(b"  ]")
}

impl Diagnosis {
    /// The diagnosis as pretty-printed JSON (serde's pretty form): the contract every binding
    /// shares.
    pub fn to_json(&self) -> Result<String> {
        let mut out = Vec::new();
        (self.write_json(&mut out)).map_err(|e| Error::Json(serde_json::Error::io(e)))?;
        String::from_utf8(out).map_err(|e| Error::Json(serde::ser::Error::custom(e)))
    }

    /// Reads back a diagnosis from its JSON, as this crate or a binding wrote it (schema
    /// [`SCHEMA_VERSION`]).
    pub fn from_json(json: &str) -> Result<Self> {
        /// The one field read first, so that another schema is told as such.
        #[derive(serde::Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let v: Version = serde_json::from_str(json).map_err(Error::Json)?;
        if v.schema_version < SCHEMA_VERSION {
            return Err(Error::InvalidArgument(format!(
                "a diagnosis of schema {} is older than this wsusdiag's (schema {SCHEMA_VERSION}): \
                 diagnose the logs again, or read it as MIGRATION.md (schema 1 to 2) says",
                v.schema_version
            )));
        }
        if v.schema_version != SCHEMA_VERSION {
            return Err(Error::InvalidArgument(format!(
                "a diagnosis of schema {} is newer than this wsusdiag's (schema {SCHEMA_VERSION}): \
                 read it with a newer wsusdiag",
                v.schema_version
            )));
        }
        serde_json::from_str(json).map_err(Error::Json)
    }

    /// The JSON Schema (draft 2020-12) of [`Diagnosis::to_json`], made from the types, as
    /// `schema/diagnosis.schema.json` holds it.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(Diagnosis);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Writes [`Diagnosis::to_json`] to `out` as it goes, without holding the whole text (a
    /// fleet's diagnosis can run to tens of megabytes). `out` is best buffered.
    pub fn write_json(&self, mut out: impl Write) -> io::Result<()> {
        // Field by field, as serde writes the struct: `report_is_serde_pretty_byte_for_byte`
        // holds this to the derived form.
        let Self {
            schema_version,
            tool,
            inputs,
            clock_offsets,
            codes,
            faults,
            fault_groups,
            server_faults,
            server_fault_groups,
            findings,
            clients,
        } = self;
        let out = &mut out;
        out.write_all(b"{")?;
        field(out, "schema_version", schema_version, true)?;
        field(out, "tool", tool, false)?;
        field(out, "inputs", inputs, false)?;
        field(out, "clock_offsets", clock_offsets, false)?;
        field(out, "codes", codes, false)?;
        faults_field(out, faults)?;
        field(out, "fault_groups", fault_groups, false)?;
        field(out, "server_faults", server_faults, false)?;
        field(out, "server_fault_groups", server_fault_groups, false)?;
        field(out, "findings", findings, false)?;
        field(out, "clients", clients, false)?;
        Indented::new(0).break_line(out, true)?;
        out.write_all(b"}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// serde_json's own pretty form, the reference.
    fn serde_pretty<T: Serialize>(value: &T) -> String {
        serde_json::to_string_pretty(value).unwrap()
    }

    fn ours<T: Serialize>(value: &T) -> String {
        let mut out = Vec::new();
        render(value, &mut out, 0).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn indented_is_serde_pretty_byte_for_byte() {
        let deep = (0..40).fold(serde_json::json!("leaf"), |v, _| serde_json::json!([v]));
        let value = serde_json::json!({
            "empty_list": [],
            "empty_map": {},
            "nested": [[], {}, [[]], {"a": [1, {"b": null}]}, "tab\there \"quoted\" é"],
            "deep": deep,
            "last": true
        });
        assert_eq!(ours(&value), serde_pretty(&value));
        assert_eq!(ours(&Vec::<u8>::new()), "[]");
        assert_eq!(ours(&serde_json::json!({})), "{}");
    }

    #[test]
    fn a_report_is_serde_pretty_byte_for_byte_and_reads_back() {
        let d = crate::diagnose(crate::sample::kb954960(), &crate::Options::default()).unwrap();
        let json = d.to_json().unwrap();
        assert_eq!(json, serde_pretty(&d));
        let mut written = Vec::new();
        d.write_json(&mut written).unwrap();
        assert_eq!(written, json.as_bytes());
        assert_eq!(Diagnosis::from_json(&json).unwrap(), d);
    }

    #[test]
    fn faults_rendered_in_parallel_are_serde_pretty_byte_for_byte() {
        let mut d = crate::diagnose(crate::sample::kb954960(), &crate::Options::default()).unwrap();
        let one = d.faults.clone();
        // None, fewer than a task, and past a batch with a part-filled last task.
        for copies in [0, 1, FAULTS_A_TASK * TASKS_A_BATCH + 3] {
            d.faults = one
                .iter()
                .cycle()
                .take(copies * one.len())
                .cloned()
                .collect();
            for (i, f) in d.faults.iter_mut().enumerate() {
                f.client.line = i as u32 + 1;
            }
            let mut written = Vec::new();
            d.write_json(&mut written).unwrap();
            assert_eq!(
                String::from_utf8(written).unwrap(),
                serde_pretty(&d),
                "{copies} copies"
            );
        }
    }

    #[test]
    fn another_schema_is_told_as_such() {
        let e = Diagnosis::from_json(r#"{"schema_version": 1, "faults": {}}"#).unwrap_err();
        assert!(e.to_string().contains("schema 1 is older"), "{e}");
        let e = Diagnosis::from_json(r#"{"schema_version": 3, "faults": {}}"#).unwrap_err();
        assert!(e.to_string().contains("schema 3 is newer"), "{e}");
        assert!(matches!(
            Diagnosis::from_json("{\"schema_version\": 2"),
            Err(Error::Json(_))
        ));
    }
}
