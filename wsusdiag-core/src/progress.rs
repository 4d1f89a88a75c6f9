//! How far a diagnosis has read its inputs: what
//! [`diagnose_with_progress`](crate::diagnose_with_progress) reports, and the tally behind it.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How far the reading of a diagnosis has come, told as each input starts, every few
/// megabytes read, and as each input ends.
///
/// The reports come one at a time (never two at once, though inputs are read on several
/// threads), in order: `bytes_done` and `inputs_done` never go down, and the last report has
/// `bytes_done == bytes_total` and `inputs_done == inputs_total`. The steps after reading
/// (joining, matching rules) are not reported: they take a small part of the time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress<'a> {
    /// The input this report is about, named as in the report: a file, the `.etl` traces of a
    /// folder, or a buffer.
    pub name: &'a str,
    /// Its index in [`Diagnosis::inputs`](crate::Diagnosis::inputs).
    pub input: usize,
    /// Inputs read whole, this one included once it is.
    pub inputs_done: usize,
    /// Inputs to read: the files found in the folders given count one each.
    pub inputs_total: usize,
    /// Bytes of all inputs read so far. Within an input it follows the text as read, which for
    /// a log that is not UTF-8 (UTF-16) is not its size on disk: the rest is counted as the
    /// input ends.
    pub bytes_done: u64,
    /// Bytes of all inputs, as their sizes were when the diagnosis began.
    pub bytes_total: u64,
}

/// What a progress report goes to; returns whether to go on.
pub(crate) type Report<'a> = &'a (dyn Fn(Progress<'_>) -> bool + Sync);

/// Adds up what the readers of all inputs report and hands it on, one report at a time.
pub(crate) struct Tally<'r> {
    report: Report<'r>,
    sizes: Vec<u64>,
    bytes_total: u64,
    /// Bytes done, and inputs done; locked while a report is made, so that reports come in
    /// order.
    done: Mutex<(u64, usize)>,
    stopped: AtomicBool,
}

impl<'r> Tally<'r> {
    /// A tally of inputs of these `sizes`.
    pub(crate) fn new(report: Report<'r>, sizes: Vec<u64>) -> Self {
        Self {
            report,
            bytes_total: sizes.iter().sum(),
            sizes,
            done: Mutex::new((0, 0)),
            stopped: AtomicBool::new(false),
        }
    }

    /// Whether a report said to stop.
    pub(crate) fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }

    /// Starts input `input`, reported as `name`.
    pub(crate) fn start<'t>(&'t self, input: usize, name: &'t str) -> Reading<'t, 'r> {
        let reading = Reading {
            tally: self,
            input,
            name,
            credited: AtomicU64::new(0),
        };
        reading.add(0, false);
        reading
    }
}

/// One input being read.
pub(crate) struct Reading<'t, 'r> {
    tally: &'t Tally<'r>,
    input: usize,
    name: &'t str,
    /// Bytes of this input counted so far, never more than its size (changed under the
    /// tally's lock only).
    credited: AtomicU64,
}

impl Reading<'_, '_> {
    /// Counts `bytes` more read (the input's whole size when `finished`) and reports it;
    /// returns whether to go on.
    fn add(&self, bytes: u64, finished: bool) -> bool {
        let tally = self.tally;
        let size = tally.sizes[self.input];
        let mut done = tally.done.lock().unwrap_or_else(|e| e.into_inner());
        if tally.stopped() {
            return false;
        }
        let credited = self.credited.load(Ordering::Relaxed);
        let new = if finished {
            size
        } else {
            credited.saturating_add(bytes).min(size)
        };
        self.credited.store(new, Ordering::Relaxed);
        done.0 += new - credited;
        done.1 += usize::from(finished);
        let go_on = (tally.report)(Progress {
            name: self.name,
            input: self.input,
            inputs_done: done.1,
            inputs_total: tally.sizes.len(),
            bytes_done: done.0,
            bytes_total: tally.bytes_total,
        });
        if !go_on {
            tally.stopped.store(true, Ordering::Relaxed);
        }
        go_on
    }

    /// Counts a part read; returns whether to go on.
    pub(crate) fn read(&self, part: &[u8]) -> bool {
        self.add(part.len() as u64, false)
    }

    /// Counts the rest of the input as read.
    pub(crate) fn finish(self) {
        self.add(0, true);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_counted_up_to_the_size_and_the_rest_at_the_end() {
        let seen = Mutex::new(Vec::new());
        let report = |p: Progress<'_>| {
            seen.lock()
                .unwrap()
                .push((p.input, p.bytes_done, p.inputs_done));
            true
        };
        let tally = Tally::new(&report, vec![10, 5]);
        let a = tally.start(0, "a");
        assert!(a.read(&[0; 4]));
        assert!(a.read(&[0; 40]));
        a.finish();
        let b = tally.start(1, "b");
        assert!(b.read(&[0; 2]));
        b.finish();
        let seen = seen.into_inner().unwrap();
        assert_eq!(
            seen,
            [
                (0, 0, 0),
                (0, 4, 0),
                (0, 10, 0),
                (0, 10, 1),
                (1, 10, 1),
                (1, 12, 1),
                (1, 15, 2)
            ]
        );
    }

    #[test]
    fn a_report_that_says_stop_stops_every_reader() {
        let calls = Mutex::new(0);
        let report = |_: Progress<'_>| {
            *calls.lock().unwrap() += 1;
            false
        };
        let tally = Tally::new(&report, vec![10, 10]);
        let a = tally.start(0, "a");
        assert!(tally.stopped());
        assert!(!a.read(&[0; 4]));
        assert!(!tally.start(1, "b").read(&[0; 4]));
        assert_eq!(calls.into_inner().unwrap(), 1, "no report after the stop");
    }
}
