//! The progress line on standard error while large inputs are read: files and bytes read, the
//! rate and the time left. Only on a terminal, and cleared before the report is written.

use std::sync::OnceLock;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use wsusdiag_core::Progress;

/// Inputs of more bytes than this in all get a progress line.
const LARGE_BYTES: u64 = 64 << 20;
/// So do more files than this.
const MANY_FILES: usize = 100;

const TEMPLATE: &str = "{msg} [{wide_bar}] {binary_bytes}/{binary_total_bytes} \
                        {binary_bytes_per_sec}, {eta} left";

/// Shows the progress of a diagnosis, when it is worth showing and there is a terminal to show
/// it on; otherwise does nothing.
pub(crate) struct Meter {
    on_terminal: bool,
    /// Made at the first report, once the inputs' size is known: `None` when not shown.
    bar: OnceLock<Option<ProgressBar>>,
}

impl Meter {
    /// A meter that may show itself when `on_terminal` (standard error is a terminal).
    pub(crate) fn new(on_terminal: bool) -> Self {
        Self {
            on_terminal,
            bar: OnceLock::new(),
        }
    }

    /// Shows a report of [`wsusdiag_core::diagnose_with_progress`].
    pub(crate) fn update(&self, p: Progress<'_>) {
        let bar = self.bar.get_or_init(|| {
            (self.on_terminal && worth_showing(p.bytes_total, p.inputs_total))
                .then(|| bar(p.bytes_total))
        });
        if let Some(bar) = bar {
            bar.set_message(format!("{}/{} files", p.inputs_done, p.inputs_total));
            bar.set_position(p.bytes_done);
        }
    }

    /// Takes the line away, so that what follows starts on a clean line.
    pub(crate) fn clear(&self) {
        if let Some(Some(bar)) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// Whether reading `bytes` in `files` takes long enough to show progress.
fn worth_showing(bytes: u64, files: usize) -> bool {
    bytes > LARGE_BYTES || files > MANY_FILES
}

/// A bar of `total` bytes on standard error.
fn bar(total: u64) -> ProgressBar {
    let style = ProgressStyle::with_template(TEMPLATE)
        .expect("a valid template (tested)")
        .progress_chars("=> ");
    ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()).with_style(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_inputs_or_many_files_are_worth_showing() {
        assert!(!worth_showing(LARGE_BYTES, MANY_FILES));
        assert!(worth_showing(LARGE_BYTES + 1, 1));
        assert!(worth_showing(0, MANY_FILES + 1));
    }

    #[test]
    fn the_template_is_valid() {
        assert!(ProgressStyle::with_template(TEMPLATE).is_ok());
    }

    #[test]
    fn off_a_terminal_nothing_is_made() {
        let meter = Meter::new(false);
        let sample = wsusdiag_core::sample::kb954960();
        let options = wsusdiag_core::Options::default();
        wsusdiag_core::diagnose_with_progress(sample, &options, &|p| {
            meter.update(p);
            true
        })
        .unwrap();
        assert!(matches!(meter.bar.get(), Some(None)));
        meter.clear();
    }
}
