//! The inputs of the `wsusdiag_diagnose_*` and `wsusdiag_analyse_*` functions, read from their
//! C arguments: files or buffers, and rules files.

use std::path::PathBuf;

use wsusdiag_core::{Input, Options};

use crate::boundary::{self, Failure, Handle};
use crate::result::wsusdiag_result;

/// An input argument `(ptr, len)`: bytes, or `len` values.
pub(crate) type Arg<T> = (*const T, usize);

/// An output argument for a new handle, and its name.
pub(crate) type HandleOut<'a, H> = (*mut *mut H, &'a str);

/// The options for the rules files of a call, a NUL-separated list of paths (empty: the
/// built-in rules only).
///
/// # Safety
///
/// As [`boundary::bytes`].
pub(crate) unsafe fn options((rules, rules_len): Arg<u8>) -> Result<Options, Failure> {
    // SAFETY: per the caller.
    let rules = unsafe { boundary::text_list(rules, rules_len, "rules") }?;
    Ok(Options::default().with_rule_files(rules))
}

/// The body of the `wsusdiag_*_files` functions: `step` (diagnose or analyse) run on the
/// paths with the rules, its result handed out as a new handle.
///
/// # Safety
///
/// Each pointer is NULL or valid for its length (the output for one write).
pub(crate) unsafe fn files<H: Handle>(
    (paths, paths_len): Arg<u8>,
    rules: Arg<u8>,
    (out, out_name): HandleOut<'_, H>,
    step: impl FnOnce(Vec<Input<'static>>, &Options) -> wsusdiag_core::Result<H::Target>,
) -> Result<wsusdiag_result, Failure> {
    // SAFETY: per the caller.
    let paths = unsafe { boundary::text_list(paths, paths_len, "paths") }?;
    // SAFETY: per the caller.
    let options = unsafe { options(rules) }?;
    let out = boundary::out(out, out_name)?;
    if paths.is_empty() {
        return Err(Failure::invalid("`paths`: no path given"));
    }
    let inputs = paths.into_iter().map(|p| Input::Path(PathBuf::from(p)));
    let value = step(inputs.collect(), &options)?;
    // SAFETY: checked by `out`, valid per the caller.
    unsafe { H::hand_out(out, value) }
}

/// The body of the `wsusdiag_*_buffers` functions: `step` (diagnose or analyse) run on the
/// logs, back to back in `data` with their `lengths` and `names`, with the rules; its result
/// handed out as a new handle.
///
/// # Safety
///
/// Each pointer is NULL or valid for its length (`lengths` for `count` `size_t`s, the output
/// for one write).
pub(crate) unsafe fn buffers<'a, H: Handle>(
    (data, data_len): Arg<u8>,
    (lengths, count): Arg<usize>,
    (names, names_len): Arg<u8>,
    rules: Arg<u8>,
    (out, out_name): HandleOut<'_, H>,
    step: impl FnOnce(Vec<Input<'a>>, &Options) -> wsusdiag_core::Result<H::Target>,
) -> Result<wsusdiag_result, Failure> {
    // SAFETY: per the caller.
    let data = unsafe { boundary::bytes(data, data_len, "data") }?;
    if count == 0 {
        return Err(Failure::invalid("`count`: no buffer given"));
    }
    // SAFETY: per the caller.
    let lengths = unsafe { boundary::array(lengths, count, "lengths") }?;
    // SAFETY: per the caller.
    let names = unsafe { boundary::text_list(names, names_len, "names") }?;
    // SAFETY: per the caller.
    let options = unsafe { options(rules) }?;
    let out = boundary::out(out, out_name)?;

    let total = lengths
        .iter()
        .try_fold(0usize, |sum, &n| sum.checked_add(n));
    if total != Some(data.len()) {
        return Err(Failure::invalid(format!(
            "`lengths` add up to {}, but `data_len` is {}",
            total.map_or_else(|| "more than SIZE_MAX".to_owned(), |t| t.to_string()),
            data.len()
        )));
    }
    if !names.is_empty() && names.len() != count {
        return Err(Failure::invalid(format!(
            "`names` has {} names for {count} buffers",
            names.len()
        )));
    }
    let mut inputs = Vec::with_capacity(count);
    let mut rest = data;
    for (i, &n) in lengths.iter().enumerate() {
        let (bytes, tail) = rest.split_at(n);
        rest = tail;
        let name = names
            .get(i)
            .map_or_else(|| format!("buffer-{}", i + 1), |s| (*s).to_owned());
        inputs.push(Input::Buffer { name, bytes });
    }
    let value = step(inputs, &options)?;
    // SAFETY: checked by `out`, valid per the caller.
    unsafe { H::hand_out(out, value) }
}
