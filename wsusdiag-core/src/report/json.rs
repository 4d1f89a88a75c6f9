//! The diagnosis as JSON: serde's pretty form, byte for byte, with the faults (nearly all of a
//! fleet's report) rendered in batches on all cores while the caller's thread writes the batches
//! before them.
//!
//! The time goes into the calls that put each token into the output, more than into serde:
//! [`Indented`] writes a line break and its indent in one call where serde's own pretty form
//! makes one call a level. Batches are rendered into buffers that are used again, so that the
//! tens of megabytes of a large report never take fresh memory.

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnosis::{Diagnosis, Fault};

/// Faults rendered together by one core.
const BATCH: usize = 64;
/// Batches per core rendered while the ones before them are written.
const BATCHES_PER_CORE: usize = 2;

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

/// Writes the diagnosis `d` as pretty JSON to `out`.
pub(crate) fn write(d: &Diagnosis, mut out: impl Write) -> io::Result<()> {
    if d.faults.len() <= BATCH {
        return render(d, out, 0);
    }
    // Everything but the faults, rendered on its own; the faults go where its empty list is.
    // A line break inside the report is never in a string, so this is the top-level key.
    let head = without_faults(d);
    let mut text = Vec::new();
    render(&head, &mut text, 0)?;
    let key = b"\n  \"faults\": [";
    let Some(at) = memchr::memmem::find(&text, key).map(|i| i + key.len()) else {
        return Err(io::Error::other("the report has no faults list"));
    };
    out.write_all(&text[..at])?;
    write_faults(&d.faults, &mut out)?;
    // The list's closing bracket, on its own line.
    out.write_all(b"\n  ")?;
    out.write_all(&text[at..])
}

/// `d` without its faults (every other list is short).
fn without_faults(d: &Diagnosis) -> Diagnosis {
    // Spelled out, so that a field added to the diagnosis cannot be left out here.
    let Diagnosis {
        schema_version,
        tool,
        inputs,
        clock_offsets,
        faults: _,
        server_faults,
        findings,
        clients,
    } = d;
    Diagnosis {
        schema_version: *schema_version,
        tool: tool.clone(),
        inputs: inputs.clone(),
        clock_offsets: clock_offsets.clone(),
        faults: Vec::new(),
        server_faults: server_faults.clone(),
        findings: findings.clone(),
        clients: clients.clone(),
    }
}

/// Writes the items of the faults list, each on its own lines, two levels deep: rendered in
/// batches on all cores, a group of batches written while the next is rendered.
fn write_faults(faults: &[Fault], out: &mut impl Write) -> io::Result<()> {
    let per_group = BATCH * BATCHES_PER_CORE * rayon::current_num_threads().max(1);
    let mut groups = faults.chunks(per_group);
    let mut ready = Vec::new();
    let mut next = Vec::new();
    if let Some(first) = groups.next() {
        render_group(first, true, &mut ready)?;
    }
    loop {
        let group = groups.next();
        let mut rendered = Ok(());
        let written = rayon::in_place_scope(|s| {
            if let Some(g) = group {
                s.spawn(|_| rendered = render_group(g, false, &mut next));
            }
            ready.iter().try_for_each(|b| out.write_all(b))
        });
        rendered?;
        written?;
        if group.is_none() {
            return Ok(());
        }
        std::mem::swap(&mut ready, &mut next);
    }
}

/// Renders `group` into `buffers`, a batch a buffer (emptied first, and added when too few),
/// on all cores; `first` when it starts the list.
fn render_group(group: &[Fault], first: bool, buffers: &mut Vec<Vec<u8>>) -> io::Result<()> {
    let batches = group.len().div_ceil(BATCH);
    buffers.resize_with(batches, Vec::new);
    group
        .par_chunks(BATCH)
        .zip(buffers.par_iter_mut())
        .enumerate()
        .try_for_each(|(i, (batch, buffer))| {
            buffer.clear();
            for (k, fault) in batch.iter().enumerate() {
                let start = first && i == 0 && k == 0;
                buffer.extend_from_slice(&BREAKS[usize::from(start)..6]);
                render(fault, &mut *buffer, 2)?;
            }
            Ok(())
        })
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
    fn a_large_report_is_serde_pretty_byte_for_byte() {
        // The KB954960 sample's faults, repeated past several groups of batches, and a
        // diagnosis with fewer faults than a batch, which is written in one piece.
        let sample =
            crate::diagnose(crate::sample::kb954960(), &crate::Options::default()).unwrap();
        assert!(!sample.faults.is_empty());
        let mut large = sample.clone();
        let per_group = BATCH * BATCHES_PER_CORE * rayon::current_num_threads().max(1);
        while large.faults.len() < 3 * per_group + BATCH / 2 {
            large.faults.extend(sample.faults.iter().cloned());
        }
        for d in [&sample, &large] {
            let mut written = Vec::new();
            write(d, &mut written).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), serde_pretty(d));
        }
    }
}
