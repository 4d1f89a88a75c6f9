//! The diagnosis as JSON: serde's pretty form, byte for byte, with the faults (nearly all of a
//! fleet's report) rendered in batches on all cores while the caller's thread writes the batches
//! before them.
//!
//! Batches are rendered into buffers that are used again, so that the tens of megabytes of a
//! large report never take fresh memory.

mod pretty;

use std::io::{self, Write};

use rayon::prelude::*;
use serde::Serialize;

use self::pretty::render;
use crate::diagnosis::{Diagnosis, Fault};

/// Faults rendered together by one core.
const BATCH: usize = 64;
/// Batches per core rendered while the ones before them are written.
const BATCHES_PER_CORE: usize = 2;

/// `value` in the pretty form, as a whole.
fn rendered<T: Serialize + ?Sized>(value: &T) -> io::Result<Vec<u8>> {
    let mut text = Vec::new();
    render(value, &mut text, 0)?;
    Ok(text)
}

/// Writes the diagnosis `d` as pretty JSON to `out`.
pub(crate) fn write(d: &Diagnosis, mut out: impl Write) -> io::Result<()> {
    if d.faults.len() <= BATCH {
        return out.write_all(&rendered(d)?);
    }
    // Everything but the faults, rendered on its own; the faults go where its empty list is.
    // A line break inside the report is never in a string, so this is the top-level key.
    let text = rendered(&without_faults(d))?;
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
                let comma: &[u8] = if start { b"" } else { b"," };
                buffer.extend_from_slice(comma);
                buffer.extend_from_slice(b"\n    ");
                render(fault, buffer, 2)?;
            }
            Ok(())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

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
            let serde = serde_json::to_string_pretty(d).unwrap();
            assert_eq!(String::from_utf8(written).unwrap(), serde);
        }
    }
}
