//! Benchmarks for wsusdiag, and the generator of large, realistic logs they run on.
//!
//! [`generate`] writes client logs (classic and Windows 10) and server logs of any size with a known
//! mix of faults, and the truth about them, deterministically from a seed. [`probe`] is the
//! near-limit baseline every parser figure is compared with: it only splits lines and tab
//! fields.

pub mod generate;
pub mod probe;
pub mod two_servers;

use std::path::Path;

/// `path`'s place under `dir` with `/` between its parts whatever the OS, as the generator
/// names its files (`PC0001/WindowsUpdate.log`); `path` itself when it is not under `dir`.
pub fn name_under(dir: &Path, path: &str) -> String {
    match Path::new(path).strip_prefix(dir) {
        Ok(rel) => (rel.components())
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/"),
        Err(_) => path.to_owned(),
    }
}
