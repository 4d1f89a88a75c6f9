//! The C API called from Rust as a C caller would call it: every pointer NULL in turn, bad
//! UTF-8, missing files, a panic, the documented misuse, and the sample logs end to end.
#![allow(unsafe_code, clippy::undocumented_unsafe_blocks)]

use std::ffi::{CStr, c_int};
use std::ptr::{null, null_mut};

use serde_json::Value;
use wsusdiag::*;

const R_OK: wsusdiag_result = wsusdiag_result::Ok;
const NULL_PARAMETER: wsusdiag_result = wsusdiag_result::NullParameter;

fn sample(name: &str) -> String {
    let p = format!(
        "{}/../wsusdiag-core/samples/kb954960/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    assert!(std::path::Path::new(&p).is_file(), "missing sample {p}");
    p
}

fn client_path() -> String {
    sample("WindowsUpdate.log")
}

fn server_path() -> String {
    sample("SoftwareDistribution.log")
}

/// The calling thread's last error, read as a C caller would.
fn last_error() -> String {
    let mut n = 0usize;
    assert_eq!(
        unsafe { wsusdiag_last_error_message(null_mut(), 0, &mut n) },
        R_OK
    );
    let mut buf = vec![0xAAu8; n + 1];
    let mut n2 = 0usize;
    assert_eq!(
        unsafe { wsusdiag_last_error_message(buf.as_mut_ptr(), buf.len(), &mut n2) },
        R_OK
    );
    assert_eq!(n, n2);
    assert_eq!(buf[n], 0, "NUL-terminated");
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

/// A non-NULL pointer that must come back untouched from a failed call.
fn sentinel<T>() -> *mut T {
    std::ptr::dangling_mut::<T>()
}

/// `wsusdiag_diagnose_files` or `wsusdiag_analyse_files`.
type FilesFn<H> =
    unsafe extern "C" fn(*const u8, usize, *const u8, usize, *mut *mut H) -> wsusdiag_result;

/// Calls `f` on paths, as C passes them (NUL-separated), and rules files.
fn on_files<H>(f: FilesFn<H>, paths: &[&str], rules: &[u8]) -> (wsusdiag_result, *mut H) {
    let list = paths.join("\0");
    let mut out = sentinel();
    let r = unsafe {
        f(
            list.as_ptr(),
            list.len(),
            rules.as_ptr(),
            rules.len(),
            &mut out,
        )
    };
    (r, out)
}

fn diagnose_paths(paths: &[&str], rules: &[u8]) -> (wsusdiag_result, *mut wsusdiag_diagnosis) {
    on_files(wsusdiag_diagnose_files, paths, rules)
}

/// Diagnoses logs back to back in `data`, as C passes them (names NUL-separated).
fn diagnose_buffers(
    data: &[u8],
    lengths: &[usize],
    names: &[u8],
) -> (wsusdiag_result, *mut wsusdiag_diagnosis) {
    let sizes = (data.len(), lengths.len(), names.len());
    let mut d = sentinel();
    let r = unsafe {
        let (data, lengths, names) = (data.as_ptr(), lengths.as_ptr(), names.as_ptr());
        wsusdiag_diagnose_buffers(
            data,
            sizes.0,
            lengths,
            sizes.1,
            names,
            sizes.2,
            null(),
            0,
            &mut d,
        )
    };
    (r, d)
}

fn sample_diagnosis() -> *mut wsusdiag_diagnosis {
    let (r, d) = diagnose_paths(&[&client_path(), &server_path()], b"");
    assert_eq!(r, R_OK, "{}", last_error());
    d
}

fn take_buffer(ptr: *mut u8, len: usize) -> String {
    assert!(!ptr.is_null());
    let s = unsafe { std::slice::from_raw_parts(ptr, len + 1) };
    assert_eq!(s[len], 0, "buffers are NUL-terminated");
    let text = String::from_utf8(s[..len].to_vec()).unwrap();
    unsafe { wsusdiag_buffer_free(ptr, len) };
    text
}

fn to_json(d: *const wsusdiag_diagnosis) -> Value {
    let (mut p, mut n) = (null_mut(), 0usize);
    assert_eq!(
        unsafe { wsusdiag_diagnosis_to_json(d, &mut p, &mut n) },
        R_OK
    );
    serde_json::from_str(&take_buffer(p, n)).unwrap()
}

fn assert_kb954960(json: &Value) {
    assert_eq!(json["schema_version"], 2);
    let fault = &json["faults"][0];
    assert_eq!(fault["client"]["hresult"], "0x8024400E", "{fault:#}");
    assert_eq!(json["codes"]["0x8024400E"]["name"], "WU_E_PT_SOAP_SERVER");
    assert_eq!(fault["correlation"], "fault-id");
    assert!(!fault["server"].is_null());
    // The known-issue rules arrive with the rules loader; until then `findings` may be empty.
    let findings = json["findings"].as_array().unwrap();
    if !findings.is_empty() {
        assert!(
            findings.iter().any(|f| f["rule_id"] == "KB954960"),
            "{findings:#?}"
        );
    }
}

// ---- the sample, end to end ----

#[test]
fn sample_files_round_trip_through_json() {
    let d = sample_diagnosis();
    let json = to_json(d);
    assert_kb954960(&json);
    let inputs = json["inputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 2);
    assert!(
        inputs[0]["path"]
            .as_str()
            .unwrap()
            .ends_with("WindowsUpdate.log")
    );

    let mut has = false;
    assert_eq!(unsafe { wsusdiag_diagnosis_has_faults(d, &mut has) }, R_OK);
    assert!(has);

    let (mut p, mut n) = (null_mut(), 0usize);
    assert_eq!(
        unsafe { wsusdiag_diagnosis_to_text(d, &mut p, &mut n) },
        R_OK
    );
    let text = take_buffer(p, n);
    assert!(text.contains("KB954960") && text.contains("47 │"), "{text}");

    let (mut p, mut n) = (null_mut(), 0usize);
    assert_eq!(
        unsafe { wsusdiag_diagnosis_to_ndjson(d, &mut p, &mut n) },
        R_OK
    );
    let ndjson = take_buffer(p, n);
    let types: Vec<Value> = (ndjson.lines())
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["type"].clone())
        .collect();
    assert_eq!(types.len(), 7, "{ndjson}");
    assert_eq!(
        (&types[3], &types[6]),
        (&Value::from("fault"), &Value::from("client"))
    );

    let (mut p, mut n) = (null_mut(), 0usize);
    assert_eq!(
        unsafe { wsusdiag_diagnosis_to_html(d, &mut p, &mut n) },
        R_OK
    );
    let page = take_buffer(p, n);
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("KB954960"));
    assert!(page.trim_end().ends_with("</html>"), "one whole page");
    unsafe { wsusdiag_diagnosis_free(d) };
    assert_eq!(last_error(), "", "success clears the last error");
}

#[test]
fn sample_buffers_give_the_same_faults_as_files() {
    let client = std::fs::read(client_path()).unwrap();
    let server = std::fs::read(server_path()).unwrap();
    // Server first: the order does not matter, kinds are sniffed.
    let data = [server.as_slice(), client.as_slice()].concat();
    let lengths = [server.len(), client.len()];
    let names = "srv.log\0cli.log";
    let mut d = sentinel();
    let r = unsafe {
        wsusdiag_diagnose_buffers(
            data.as_ptr(),
            data.len(),
            lengths.as_ptr(),
            2,
            names.as_ptr(),
            names.len(),
            null(),
            0,
            &mut d,
        )
    };
    assert_eq!(r, R_OK, "{}", last_error());
    let json = to_json(d);
    assert_kb954960(&json);
    assert_eq!(json["inputs"][0]["path"], "srv.log");
    let client = &json["faults"][0]["client"]["input"];
    assert_eq!(
        json["inputs"][client.as_u64().unwrap() as usize]["path"],
        "cli.log"
    );
    unsafe { wsusdiag_diagnosis_free(d) };

    let from_files = sample_diagnosis();
    let files_json = to_json(from_files);
    unsafe { wsusdiag_diagnosis_free(from_files) };
    assert_eq!(
        json["faults"].as_array().unwrap().len(),
        files_json["faults"].as_array().unwrap().len()
    );
    let verdicts = |j: &Value| -> Vec<(Value, Value, Value)> {
        j["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                (
                    f["rule_id"].clone(),
                    f["confidence"].clone(),
                    f["occurrences"].clone(),
                )
            })
            .collect()
    };
    assert_eq!(verdicts(&json), verdicts(&files_json));
    assert_eq!(verdicts(&json)[0].0, "KB954960");
}

#[test]
fn a_folder_stands_for_its_files() {
    let folder = format!(
        "{}/../wsusdiag-core/samples/kb954960",
        env!("CARGO_MANIFEST_DIR")
    );
    let (r, d) = diagnose_paths(&[&folder], b"");
    assert_eq!(r, R_OK, "{}", last_error());
    let json = to_json(d);
    unsafe { wsusdiag_diagnosis_free(d) };
    assert_eq!(json["inputs"].as_array().unwrap().len(), 2);
    assert_kb954960(&json);
}

#[test]
fn buffers_without_names_are_numbered() {
    let data = wsusdiag_core::sample::KB954960_CLIENT;
    let lengths = [data.len()];
    let mut d = sentinel();
    let r = unsafe {
        wsusdiag_diagnose_buffers(
            data.as_ptr(),
            data.len(),
            lengths.as_ptr(),
            1,
            null(),
            0,
            null(),
            0,
            &mut d,
        )
    };
    assert_eq!(r, R_OK, "{}", last_error());
    let json = to_json(d);
    assert_eq!(json["inputs"][0]["path"], "buffer-1");
    unsafe { wsusdiag_diagnosis_free(d) };
}

#[test]
fn a_diagnosis_is_read_from_many_threads() {
    struct Shared(*mut wsusdiag_diagnosis);
    // SAFETY (test): a diagnosis is documented as safe to read from several threads.
    unsafe impl Send for Shared {}
    unsafe impl Sync for Shared {}
    impl Shared {
        fn get(&self) -> *mut wsusdiag_diagnosis {
            self.0
        }
    }
    let d = Shared(sample_diagnosis());
    let first = to_json(d.0);
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| assert_eq!(to_json(d.get()), first));
        }
    });
    unsafe { wsusdiag_diagnosis_free(d.0) };
}

// ---- NULL, for every pointer of every function ----

#[test]
fn diagnose_files_checks_every_pointer() {
    let paths = client_path();
    let mut d = sentinel();
    let r = unsafe { wsusdiag_diagnose_files(null(), 5, null(), 0, &mut d) };
    assert_eq!(r, NULL_PARAMETER);
    assert_eq!(d, sentinel(), "outputs untouched on failure");
    assert_eq!(last_error(), "wsusdiag_diagnose_files: `paths` is NULL");

    let r = unsafe { wsusdiag_diagnose_files(paths.as_ptr(), paths.len(), null(), 3, &mut d) };
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`rules` is NULL"));

    let r = unsafe { wsusdiag_diagnose_files(paths.as_ptr(), paths.len(), null(), 0, null_mut()) };
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`diagnosis_out` is NULL"));

    let r = unsafe { wsusdiag_diagnose_files(null(), 0, null(), 0, &mut d) };
    assert_eq!(r, wsusdiag_result::InvalidArgument);
    assert!(last_error().contains("no path"));
    assert_eq!(d, sentinel());
}

#[test]
fn diagnose_buffers_checks_every_pointer_and_length() {
    let data = b"x";
    let lengths = [1usize];
    let mut d = sentinel();
    let call = |data: *const u8,
                data_len,
                lengths: *const usize,
                count,
                names: *const u8,
                names_len,
                rules: *const u8,
                rules_len,
                out: *mut *mut wsusdiag_diagnosis| unsafe {
        wsusdiag_diagnose_buffers(
            data, data_len, lengths, count, names, names_len, rules, rules_len, out,
        )
    };
    assert_eq!(
        call(null(), 1, lengths.as_ptr(), 1, null(), 0, null(), 0, &mut d),
        NULL_PARAMETER
    );
    assert!(last_error().contains("`data` is NULL"));
    assert_eq!(
        call(data.as_ptr(), 1, null(), 1, null(), 0, null(), 0, &mut d),
        NULL_PARAMETER
    );
    assert!(last_error().contains("`lengths` is NULL"));
    assert_eq!(
        call(
            data.as_ptr(),
            1,
            lengths.as_ptr(),
            1,
            null(),
            2,
            null(),
            0,
            &mut d
        ),
        NULL_PARAMETER
    );
    assert!(last_error().contains("`names` is NULL"));
    assert_eq!(
        call(
            data.as_ptr(),
            1,
            lengths.as_ptr(),
            1,
            null(),
            0,
            null(),
            2,
            &mut d
        ),
        NULL_PARAMETER
    );
    assert!(last_error().contains("`rules` is NULL"));
    assert_eq!(
        call(
            data.as_ptr(),
            1,
            lengths.as_ptr(),
            1,
            null(),
            0,
            null(),
            0,
            null_mut()
        ),
        NULL_PARAMETER
    );
    assert!(last_error().contains("`diagnosis_out` is NULL"));
    // Counts and lengths that do not add up.
    assert_eq!(
        call(
            data.as_ptr(),
            1,
            lengths.as_ptr(),
            0,
            null(),
            0,
            null(),
            0,
            &mut d
        ),
        wsusdiag_result::InvalidArgument
    );
    let two = [1usize, 1];
    assert_eq!(
        call(
            data.as_ptr(),
            1,
            two.as_ptr(),
            2,
            null(),
            0,
            null(),
            0,
            &mut d
        ),
        wsusdiag_result::InvalidArgument
    );
    assert!(last_error().contains("add up to 2"), "{}", last_error());
    let huge = [usize::MAX, 2];
    assert_eq!(
        call(
            data.as_ptr(),
            1,
            huge.as_ptr(),
            2,
            null(),
            0,
            null(),
            0,
            &mut d
        ),
        wsusdiag_result::InvalidArgument
    );
    let names = "a\0b";
    assert_eq!(
        call(
            data.as_ptr(),
            1,
            lengths.as_ptr(),
            1,
            names.as_ptr(),
            names.len(),
            null(),
            0,
            &mut d
        ),
        wsusdiag_result::InvalidArgument
    );
    assert!(last_error().contains("2 names for 1 buffers"));
    assert_eq!(d, sentinel(), "outputs untouched on failure");
}

#[test]
fn diagnosis_functions_check_every_pointer() {
    let d = sample_diagnosis();
    let (mut p, mut n) = (sentinel::<u8>(), 7usize);
    for (f, name) in [
        (
            wsusdiag_diagnosis_to_json as unsafe extern "C" fn(_, _, _) -> _,
            "wsusdiag_diagnosis_to_json",
        ),
        (wsusdiag_diagnosis_to_text, "wsusdiag_diagnosis_to_text"),
        (wsusdiag_diagnosis_to_html, "wsusdiag_diagnosis_to_html"),
        (wsusdiag_diagnosis_to_ndjson, "wsusdiag_diagnosis_to_ndjson"),
    ] {
        assert_eq!(unsafe { f(null(), &mut p, &mut n) }, NULL_PARAMETER);
        assert_eq!(last_error(), format!("{name}: `diagnosis` is NULL"));
        assert_eq!(unsafe { f(d, null_mut(), &mut n) }, NULL_PARAMETER);
        assert_eq!(unsafe { f(d, &mut p, null_mut()) }, NULL_PARAMETER);
        assert_eq!((p, n), (sentinel(), 7), "outputs untouched on failure");
    }
    let mut has = false;
    assert_eq!(
        unsafe { wsusdiag_diagnosis_has_faults(null(), &mut has) },
        NULL_PARAMETER
    );
    assert_eq!(
        unsafe { wsusdiag_diagnosis_has_faults(d, null_mut()) },
        NULL_PARAMETER
    );
    assert!(!has);
    unsafe { wsusdiag_diagnosis_free(d) };
}

#[test]
fn reader_functions_check_every_pointer() {
    let path = client_path();
    let mut reader = sentinel();
    assert_eq!(
        unsafe { wsusdiag_log_open(null(), 4, &mut reader) },
        NULL_PARAMETER
    );
    assert_eq!(last_error(), "wsusdiag_log_open: `path` is NULL");
    assert_eq!(
        unsafe { wsusdiag_log_open(path.as_ptr(), path.len(), null_mut()) },
        NULL_PARAMETER
    );
    assert_eq!(
        unsafe { wsusdiag_log_open(null(), 0, &mut reader) },
        wsusdiag_result::InvalidArgument
    );
    let data = wsusdiag_core::sample::KB954960_CLIENT;
    assert_eq!(
        unsafe { wsusdiag_log_from_buffer(null(), 3, data.as_ptr(), data.len(), &mut reader) },
        NULL_PARAMETER
    );
    assert_eq!(
        unsafe { wsusdiag_log_from_buffer(null(), 0, null(), 3, &mut reader) },
        NULL_PARAMETER
    );
    assert_eq!(
        unsafe { wsusdiag_log_from_buffer(null(), 0, data.as_ptr(), data.len(), null_mut()) },
        NULL_PARAMETER
    );
    assert_eq!(reader, sentinel(), "outputs untouched on failure");

    let mut row = std::mem::MaybeUninit::<wsusdiag_record>::uninit();
    assert_eq!(
        unsafe { wsusdiag_log_reader_next(null_mut(), row.as_mut_ptr()) },
        NULL_PARAMETER
    );
    let mut kind = wsusdiag_log_kind::Server;
    assert_eq!(
        unsafe { wsusdiag_log_reader_kind(null(), &mut kind) },
        NULL_PARAMETER
    );

    assert_eq!(
        unsafe { wsusdiag_log_from_buffer(null(), 0, data.as_ptr(), data.len(), &mut reader) },
        R_OK
    );
    assert_eq!(
        unsafe { wsusdiag_log_reader_next(reader, null_mut()) },
        NULL_PARAMETER
    );
    assert_eq!(
        unsafe { wsusdiag_log_reader_kind(reader, null_mut()) },
        NULL_PARAMETER
    );
    assert_eq!(
        kind,
        wsusdiag_log_kind::Server,
        "outputs untouched on failure"
    );
    unsafe { wsusdiag_log_reader_free(reader) };
}

#[test]
fn hresult_lookup_checks_every_pointer() {
    let code = "0x8024400E";
    let (mut p, mut n) = (sentinel::<u8>(), 7usize);
    assert_eq!(
        unsafe { wsusdiag_hresult_lookup(null(), 4, &mut p, &mut n) },
        NULL_PARAMETER
    );
    assert_eq!(
        unsafe { wsusdiag_hresult_lookup(code.as_ptr(), code.len(), null_mut(), &mut n) },
        NULL_PARAMETER
    );
    assert_eq!(
        unsafe { wsusdiag_hresult_lookup(code.as_ptr(), code.len(), &mut p, null_mut()) },
        NULL_PARAMETER
    );
    assert_eq!((p, n), (sentinel(), 7));
}

#[test]
fn last_error_message_checks_its_pointers() {
    let mut buf = [0u8; 4];
    assert_eq!(
        unsafe { wsusdiag_last_error_message(buf.as_mut_ptr(), buf.len(), null_mut()) },
        NULL_PARAMETER
    );
    let mut n = 0usize;
    assert_eq!(
        unsafe { wsusdiag_last_error_message(null_mut(), 4, &mut n) },
        NULL_PARAMETER
    );
}

#[test]
fn free_functions_accept_null() {
    for _ in 0..2 {
        unsafe {
            wsusdiag_diagnosis_free(null_mut());
            wsusdiag_log_reader_free(null_mut());
            wsusdiag_analysis_free(null_mut());
            wsusdiag_buffer_free(null_mut(), 0);
            wsusdiag_buffer_free(null_mut(), 42);
        }
    }
}

// ---- bad text, missing files, bad formats ----

#[test]
fn invalid_utf8_is_refused_everywhere() {
    let bad = b"C:\\logs\\\xff.log";
    let mut d = sentinel();
    let r = unsafe { wsusdiag_diagnose_files(bad.as_ptr(), bad.len(), null(), 0, &mut d) };
    assert_eq!(r, wsusdiag_result::InvalidUtf8);
    assert!(
        last_error().contains("`paths` is not valid UTF-8 (bad byte at offset 8)"),
        "{}",
        last_error()
    );

    let good = client_path();
    let r = unsafe {
        wsusdiag_diagnose_files(good.as_ptr(), good.len(), bad.as_ptr(), bad.len(), &mut d)
    };
    assert_eq!(r, wsusdiag_result::InvalidUtf8);
    assert!(last_error().contains("`rules`"));

    let data = wsusdiag_core::sample::KB954960_CLIENT;
    let lengths = [data.len()];
    let r = unsafe {
        wsusdiag_diagnose_buffers(
            data.as_ptr(),
            data.len(),
            lengths.as_ptr(),
            1,
            bad.as_ptr(),
            bad.len(),
            null(),
            0,
            &mut d,
        )
    };
    assert_eq!(r, wsusdiag_result::InvalidUtf8);
    assert_eq!(d, sentinel());

    let mut reader = sentinel();
    let r = unsafe { wsusdiag_log_open(bad.as_ptr(), bad.len(), &mut reader) };
    assert_eq!(r, wsusdiag_result::InvalidUtf8);
    let r = unsafe {
        wsusdiag_log_from_buffer(
            bad.as_ptr(),
            bad.len(),
            data.as_ptr(),
            data.len(),
            &mut reader,
        )
    };
    assert_eq!(r, wsusdiag_result::InvalidUtf8);
    assert_eq!(reader, sentinel());

    let (mut p, mut n) = (null_mut(), 0usize);
    let r = unsafe { wsusdiag_hresult_lookup(b"0x\xff".as_ptr(), 3, &mut p, &mut n) };
    assert_eq!(r, wsusdiag_result::InvalidUtf8);
}

#[test]
fn empty_items_in_path_lists_are_refused() {
    let list = format!("{}\0\0{}", client_path(), server_path());
    let mut d = sentinel();
    let r = unsafe { wsusdiag_diagnose_files(list.as_ptr(), list.len(), null(), 0, &mut d) };
    assert_eq!(r, wsusdiag_result::InvalidArgument);
    assert!(last_error().contains("item 2"), "{}", last_error());
    // One trailing NUL is fine.
    let list = format!("{}\0{}\0", client_path(), server_path());
    let r = unsafe { wsusdiag_diagnose_files(list.as_ptr(), list.len(), null(), 0, &mut d) };
    assert_eq!(r, R_OK, "{}", last_error());
    unsafe { wsusdiag_diagnosis_free(d) };
}

#[test]
fn a_missing_file_is_not_found_and_named() {
    let missing = "/nonexistent/wsusdiag/WindowsUpdate.log";
    let (r, d) = diagnose_paths(&[&client_path(), missing], b"");
    assert_eq!(r, wsusdiag_result::NotFound);
    assert_eq!(d, sentinel());
    let e = last_error();
    assert!(e.starts_with(&format!("{missing}: ")), "{e}");

    let mut reader = sentinel();
    let r = unsafe { wsusdiag_log_open(missing.as_ptr(), missing.len(), &mut reader) };
    assert_eq!(r, wsusdiag_result::NotFound);
    assert!(last_error().starts_with(missing));
    assert_eq!(reader, sentinel());
}

#[test]
fn a_missing_rules_file_is_not_found_and_named() {
    let (r, d) = diagnose_paths(&[&client_path()], b"/nonexistent/rules.toml");
    assert_eq!(r, wsusdiag_result::NotFound);
    assert_eq!(d, sentinel());
    assert!(last_error().starts_with("/nonexistent/rules.toml: "));
}

/// A site rule that matches a line of the sample client log.
const SITE_RULE: &str = "[[rule]]\nid = \"SITE-1\"\ntitle = \"Site rule\"\nseverity = \"info\"\ncause = \"c\"\nremediation = [\"r\"]\n[rule.client]\nlines = ['Logging initialized']\n";

/// A rules file `site.toml` in a new temporary folder named for `tag`: the folder (to remove)
/// and the file.
fn rules_file(tag: &str, toml: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("wsusdiag-ffi-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("site.toml");
    std::fs::write(&file, toml).unwrap();
    (dir, file)
}

#[test]
fn a_bad_rules_file_is_rules_invalid_with_line_and_column() {
    let (dir, file) = rules_file(
        "rules",
        "[[rule]]\nid = \"SITE-1\"\ntitle = \"t\"\nseverity = \"urgent\"\ncause = \"c\"\nremediation = [\"r\"]\n",
    );
    let name = file.display().to_string();
    let (r, d) = diagnose_paths(&[&client_path()], name.as_bytes());
    assert_eq!(r, wsusdiag_result::RulesInvalid);
    assert_eq!(d, sentinel());
    let e = last_error();
    assert!(
        e.starts_with(&format!("{name}: line 4, column 12: ")),
        "{e}"
    );

    // A good one adds its rule to the findings.
    std::fs::write(&file, SITE_RULE).unwrap();
    let (r, d) = diagnose_paths(&[&client_path()], name.as_bytes());
    assert_eq!(r, R_OK, "{}", last_error());
    let mut buf = null_mut();
    let mut len = 0;
    assert_eq!(
        unsafe { wsusdiag_diagnosis_to_json(d, &mut buf, &mut len) },
        R_OK
    );
    let json = unsafe { std::slice::from_raw_parts(buf, len) };
    assert!(
        std::str::from_utf8(json)
            .unwrap()
            .contains("\"rule_id\": \"SITE-1\"")
    );
    unsafe {
        wsusdiag_buffer_free(buf, len);
        wsusdiag_diagnosis_free(d);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn text_that_is_not_a_log() {
    let data = b"hello, world\nthis is not a log\n";
    let client = std::fs::read(client_path()).unwrap();
    // Alone, or an empty buffer: nothing to diagnose is no all-clear.
    for (data, name) in [(&data[..], "hello.txt"), (&b""[..], "empty.log")] {
        let (r, d) = diagnose_buffers(data, &[data.len()], name.as_bytes());
        assert_eq!(r, wsusdiag_result::UnknownFormat, "{name}");
        assert_eq!(d, sentinel());
        let said = last_error();
        let expected = format!("no input is a Windows Update or WSUS log: {name}: ");
        assert!(said.starts_with(&expected), "{said}");
    }
    // Among logs, it is listed as a problem of its own and the logs are diagnosed.
    let both = [&client[..], &data[..]].concat();
    let (r, d) = diagnose_buffers(
        &both,
        &[client.len(), data.len()],
        b"WindowsUpdate.log\0hello.txt",
    );
    assert_eq!(r, R_OK, "{}", last_error());
    let json = to_json(d);
    unsafe { wsusdiag_diagnosis_free(d) };
    assert_eq!(json["inputs"][1]["path"], "hello.txt");
    assert_eq!(json["inputs"][1]["problems"][0]["kind"], "unknown-format");
    assert_eq!(json["faults"][0]["client"]["hresult"], "0x8024400E");
    // ... while the record reader, which needs a kind, refuses it.
    let mut reader = sentinel();
    let r = unsafe {
        wsusdiag_log_from_buffer(b"x.txt".as_ptr(), 5, data.as_ptr(), data.len(), &mut reader)
    };
    assert_eq!(r, wsusdiag_result::UnknownFormat);
    assert!(
        last_error().starts_with("x.txt: not a Windows Update or WSUS log"),
        "{}",
        last_error()
    );
    assert_eq!(reader, sentinel());
}

// ---- panics ----

#[test]
fn a_panic_comes_back_as_a_code() {
    let msg = "boom at line 3";
    let r = unsafe { wsusdiag_test_panic(msg.as_ptr(), msg.len()) };
    assert_eq!(r, wsusdiag_result::Panic);
    assert_eq!(last_error(), "wsusdiag_test_panic: panic: boom at line 3");
    // A `&'static str` payload as well as a `String` one.
    let r = unsafe { wsusdiag_test_panic(null(), 0) };
    assert_eq!(r, wsusdiag_result::Panic);
    assert_eq!(last_error(), "wsusdiag_test_panic: panic: test panic");
    // The library still works afterwards.
    let d = sample_diagnosis();
    assert_kb954960(&to_json(d));
    unsafe { wsusdiag_diagnosis_free(d) };
}

// ---- the last error ----

#[test]
fn last_error_is_cut_safely_and_reports_its_full_length() {
    // A path with two-byte characters, so that a cut can fall inside one.
    let missing = "/nonexistent/é/é/é.log";
    let (r, _) = diagnose_paths(&[missing], b"");
    assert_eq!(r, wsusdiag_result::NotFound);
    let full = last_error();
    assert!(full.starts_with(missing));
    for len in 1..full.len() + 3 {
        let mut buf = vec![0xAAu8; len];
        let mut n = 0usize;
        assert_eq!(
            unsafe { wsusdiag_last_error_message(buf.as_mut_ptr(), len, &mut n) },
            R_OK
        );
        assert_eq!(n, full.len(), "the full length, whatever the buffer");
        let cut = CStr::from_bytes_until_nul(&buf)
            .unwrap()
            .to_str()
            .expect("cut on a char boundary");
        assert!(full.starts_with(cut));
        assert!(cut.len() < len);
        assert!(
            cut.len() + 4 > len.min(full.len() + 1),
            "cuts at most one character short"
        );
    }
    // Reading does not clear it.
    assert_eq!(last_error(), full);
}

#[test]
fn last_error_is_per_thread_and_cleared_by_success() {
    let (r, _) = diagnose_paths(&["/nonexistent/a.log"], b"");
    assert_eq!(r, wsusdiag_result::NotFound);
    std::thread::spawn(|| assert_eq!(last_error(), ""))
        .join()
        .unwrap();
    assert!(last_error().contains("/nonexistent/a.log"));
    let mut n = 0usize;
    let code = "8024400E";
    let (mut p, mut len) = (null_mut(), 0usize);
    assert_eq!(
        unsafe { wsusdiag_hresult_lookup(code.as_ptr(), code.len(), &mut p, &mut len) },
        R_OK
    );
    unsafe { wsusdiag_buffer_free(p, len) };
    assert_eq!(
        unsafe { wsusdiag_last_error_message(null_mut(), 0, &mut n) },
        R_OK
    );
    assert_eq!(n, 0);
    let mut buf = [0xAAu8; 4];
    assert_eq!(
        unsafe { wsusdiag_last_error_message(buf.as_mut_ptr(), 4, &mut n) },
        R_OK
    );
    assert_eq!(buf[0], 0);
}

// ---- analyse, then combine ----

fn samples_folder() -> String {
    format!(
        "{}/../wsusdiag-core/samples/kb954960",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn analyse_paths(paths: &[&str], rules: &[u8]) -> (wsusdiag_result, *mut wsusdiag_analysis) {
    on_files(wsusdiag_analyse_files, paths, rules)
}

/// The analysis of `paths`, which must succeed.
fn analysis_of(paths: &[&str], rules: &[u8]) -> *mut wsusdiag_analysis {
    let (r, a) = analyse_paths(paths, rules);
    assert_eq!(r, R_OK, "{}", last_error());
    a
}

fn analysis_bytes(a: *const wsusdiag_analysis) -> Vec<u8> {
    let (mut p, mut n) = (null_mut(), 0usize);
    assert_eq!(
        unsafe { wsusdiag_analysis_to_bytes(a, &mut p, &mut n) },
        R_OK
    );
    let bytes = unsafe { std::slice::from_raw_parts(p, n) }.to_vec();
    unsafe { wsusdiag_buffer_free(p, n) };
    bytes
}

fn from_bytes(bytes: &[u8]) -> (wsusdiag_result, *mut wsusdiag_analysis) {
    let mut a = sentinel();
    let r = unsafe { wsusdiag_analysis_from_bytes(bytes.as_ptr(), bytes.len(), &mut a) };
    (r, a)
}

fn combine(
    analyses: &[*mut wsusdiag_analysis],
    rules: &[u8],
) -> (wsusdiag_result, *mut wsusdiag_diagnosis) {
    let mut d = sentinel();
    let r = unsafe {
        wsusdiag_combine(
            analyses.as_ptr(),
            analyses.len(),
            rules.as_ptr(),
            rules.len(),
            &mut d,
        )
    };
    (r, d)
}

/// A diagnosis's JSON as text (byte for byte), the diagnosis freed.
fn json_text(d: *mut wsusdiag_diagnosis) -> String {
    let (mut p, mut n) = (null_mut(), 0usize);
    assert_eq!(
        unsafe { wsusdiag_diagnosis_to_json(d, &mut p, &mut n) },
        R_OK
    );
    unsafe { wsusdiag_diagnosis_free(d) };
    take_buffer(p, n)
}

fn free_analyses(analyses: &[*mut wsusdiag_analysis]) {
    for &a in analyses {
        unsafe { wsusdiag_analysis_free(a) };
    }
}

#[test]
fn analyses_sent_as_bytes_combine_to_the_folders_diagnosis() {
    let (r, d) = diagnose_paths(&[&samples_folder()], b"");
    assert_eq!(r, R_OK, "{}", last_error());
    let want = json_text(d);
    assert_kb954960(&serde_json::from_str(&want).unwrap());

    // Each log analysed alone (as on its own machine), sent as bytes and read back.
    let received: Vec<*mut wsusdiag_analysis> = [client_path(), server_path()]
        .iter()
        .map(|path| {
            let a = analysis_of(&[path], b"");
            let bytes = analysis_bytes(a);
            assert!(bytes.starts_with(b"WSUSDIAG"));
            unsafe { wsusdiag_analysis_free(a) };
            let (r, back) = from_bytes(&bytes);
            assert_eq!(r, R_OK, "{}", last_error());
            assert_eq!(analysis_bytes(back), bytes, "the same bytes again");
            back
        })
        .collect();
    let (client, server) = (received[0], received[1]);

    // Combined in either order, or merged first either way: the folder's JSON, byte for byte.
    for order in [[server, client], [client, server]] {
        let (r, d) = combine(&order, b"");
        assert_eq!(r, R_OK, "{}", last_error());
        assert_eq!(json_text(d), want);

        let mut merged = sentinel();
        let r = unsafe { wsusdiag_analysis_merge(order[0], order[1], &mut merged) };
        assert_eq!(r, R_OK, "{}", last_error());
        let (r, d) = combine(&[merged], b"");
        assert_eq!(r, R_OK, "{}", last_error());
        assert_eq!(json_text(d), want);
        free_analyses(&[merged]);
    }
    // The analyses merged and combined are still the caller's, and still good.
    let (r, d) = combine(&[client, server], b"");
    assert_eq!(r, R_OK, "{}", last_error());
    assert_eq!(json_text(d), want);
    free_analyses(&received);
    assert_eq!(last_error(), "", "success clears the last error");

    // The whole folder analysed at once.
    let whole = analysis_of(&[&samples_folder()], b"");
    let (r, d) = combine(&[whole], b"");
    assert_eq!(r, R_OK, "{}", last_error());
    assert_eq!(json_text(d), want);
    free_analyses(&[whole]);
}

#[test]
fn analyses_of_buffers_are_ordered_by_name() {
    let client = std::fs::read(client_path()).unwrap();
    let server = std::fs::read(server_path()).unwrap();
    let analyse = |data: &[u8], name: &str| {
        let lengths = [data.len()];
        let mut a = sentinel();
        let r = unsafe {
            wsusdiag_analyse_buffers(
                data.as_ptr(),
                data.len(),
                lengths.as_ptr(),
                1,
                name.as_ptr(),
                name.len(),
                null(),
                0,
                &mut a,
            )
        };
        assert_eq!(r, R_OK, "{}", last_error());
        a
    };
    let analyses = [
        analyse(&client, "PC042/WindowsUpdate.log"),
        analyse(&server, "WSUS01/SoftwareDistribution.log"),
    ];
    let (r, d) = combine(&analyses, b"");
    assert_eq!(r, R_OK, "{}", last_error());
    let json: Value = serde_json::from_str(&json_text(d)).unwrap();
    assert_kb954960(&json);
    assert_eq!(json["inputs"][0]["path"], "PC042/WindowsUpdate.log");
    assert_eq!(json["faults"][0]["client"]["input"], 0);
    free_analyses(&analyses);

    // Text that is no log is kept; combined alone, it is no log.
    let text = analyse(b"just some text\n", "notes.txt");
    let (r, d) = combine(&[text], b"");
    assert_eq!(r, wsusdiag_result::UnknownFormat);
    assert_eq!(d, sentinel());
    assert!(last_error().contains("notes.txt"), "{}", last_error());
    free_analyses(&[text]);
}

#[test]
fn bad_bytes_are_an_error_not_a_crash() {
    let a = analysis_of(&[&client_path()], b"");
    let good = analysis_bytes(a);
    free_analyses(&[a]);
    let refused = |bytes: &[u8]| {
        let (r, out) = from_bytes(bytes);
        assert_eq!(r, wsusdiag_result::InvalidArgument, "{bytes:?}");
        assert_eq!(out, sentinel(), "outputs untouched on failure");
        last_error()
    };
    let e = refused(b"");
    assert!(
        e.starts_with("wsusdiag_analysis_from_bytes: not a wsusdiag analysis: "),
        "{e}"
    );
    assert!(refused(b"{\"schema_version\": 1}").contains("does not start with WSUSDIAG"));
    // Every cut is refused.
    for n in 0..good.len() {
        refused(&good[..n]);
    }
    assert!(refused(&[&good[..], b"x"].concat()).contains("1 bytes after its end"));
    // Another version of the library: refused, both versions named.
    let mut other = good.clone();
    other[11] ^= 0x01; // the version's first digit
    let e = refused(&other);
    assert!(
        e.contains("analyse and combine with the same version"),
        "{e}"
    );
    // Any byte changed: an analysis or an error, never a crash.
    for i in 0..good.len() {
        for flip in [0x01, 0x80, 0xFF] {
            let mut bad = good.clone();
            bad[i] ^= flip;
            let (r, out) = from_bytes(&bad);
            if r == R_OK {
                free_analyses(&[out]);
            } else {
                assert_eq!(r, wsusdiag_result::InvalidArgument);
            }
        }
    }
}

#[test]
fn analyses_made_with_other_rules_are_refused() {
    let (dir, file) = rules_file("analysis", SITE_RULE);
    let site = file.display().to_string();
    let with_site = analysis_of(&[&client_path()], site.as_bytes());
    let plain = analysis_of(&[&server_path()], b"");

    let (r, d) = combine(&[with_site, plain], b"");
    assert_eq!(r, wsusdiag_result::InvalidArgument);
    assert_eq!(d, sentinel());
    assert!(
        last_error().contains("analysed with other rules"),
        "{}",
        last_error()
    );
    let (r, _) = combine(&[with_site], b"");
    assert_eq!(r, wsusdiag_result::InvalidArgument);
    let mut merged = sentinel();
    let r = unsafe { wsusdiag_analysis_merge(plain, with_site, &mut merged) };
    assert_eq!(r, wsusdiag_result::InvalidArgument);
    assert_eq!(merged, sentinel());
    assert!(last_error().contains("analysed with other rules"));

    // With the rules it was made with, it combines, and the site rule is found.
    let (r, d) = combine(&[with_site], site.as_bytes());
    assert_eq!(r, R_OK, "{}", last_error());
    assert!(json_text(d).contains("\"rule_id\": \"SITE-1\""));
    let (r, _) = combine(&[with_site], b"/nonexistent/rules.toml");
    assert_eq!(r, wsusdiag_result::NotFound);
    free_analyses(&[with_site, plain]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn analysis_functions_check_every_pointer() {
    let path = client_path();
    let a = analysis_of(&[&path], b"");
    let mut out = sentinel::<wsusdiag_analysis>();

    let r = unsafe { wsusdiag_analyse_files(null(), 5, null(), 0, &mut out) };
    assert_eq!(r, NULL_PARAMETER);
    assert_eq!(last_error(), "wsusdiag_analyse_files: `paths` is NULL");
    let r = unsafe { wsusdiag_analyse_files(path.as_ptr(), path.len(), null(), 0, null_mut()) };
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`analysis_out` is NULL"));
    let r = unsafe { wsusdiag_analyse_files(null(), 0, null(), 0, &mut out) };
    assert_eq!(r, wsusdiag_result::InvalidArgument);
    assert!(last_error().contains("no path"));
    let (r, _) = analyse_paths(&["/nonexistent/wsusdiag/WindowsUpdate.log"], b"");
    assert_eq!(r, wsusdiag_result::NotFound);
    assert!(last_error().starts_with("/nonexistent/wsusdiag/WindowsUpdate.log: "));

    let (data, one, two) = (b"x", [1usize], [2usize]);
    for (lengths, count, want, says) in [
        (null(), 1, NULL_PARAMETER, "`lengths` is NULL"),
        (
            one.as_ptr(),
            0,
            wsusdiag_result::InvalidArgument,
            "no buffer given",
        ),
        (
            two.as_ptr(),
            1,
            wsusdiag_result::InvalidArgument,
            "add up to 2",
        ),
    ] {
        let r = unsafe {
            let (data, names, rules) = (data.as_ptr(), null(), null());
            wsusdiag_analyse_buffers(data, 1, lengths, count, names, 0, rules, 0, &mut out)
        };
        assert_eq!(r, want, "{says}");
        let e = last_error();
        assert!(
            e.starts_with("wsusdiag_analyse_buffers: ") && e.contains(says),
            "{e}"
        );
    }

    let (mut p, mut n) = (sentinel::<u8>(), 7usize);
    for (analysis, p_out, n_out, what) in [
        (null(), &raw mut p, &raw mut n, "analysis"),
        (a.cast_const(), null_mut(), &raw mut n, "bytes_out"),
        (a.cast_const(), &raw mut p, null_mut(), "bytes_len_out"),
    ] {
        let r = unsafe { wsusdiag_analysis_to_bytes(analysis, p_out, n_out) };
        assert_eq!(r, NULL_PARAMETER);
        assert!(
            last_error().contains(&format!("`{what}` is NULL")),
            "{what}"
        );
    }
    assert_eq!((p, n), (sentinel(), 7));

    let r = unsafe { wsusdiag_analysis_from_bytes(null(), 3, &mut out) };
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`bytes` is NULL"));
    let r = unsafe { wsusdiag_analysis_from_bytes(b"x".as_ptr(), 1, null_mut()) };
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`analysis_out` is NULL"));

    for (x, y, o, what) in [
        (null(), a.cast_const(), &raw mut out, "a"),
        (a.cast_const(), null(), &raw mut out, "b"),
        (a.cast_const(), a.cast_const(), null_mut(), "merged_out"),
    ] {
        let r = unsafe { wsusdiag_analysis_merge(x, y, o) };
        assert_eq!(r, NULL_PARAMETER);
        assert!(
            last_error().contains(&format!("`{what}` is NULL")),
            "{what}"
        );
    }
    assert_eq!(out, sentinel(), "outputs untouched on failure");

    let mut d = sentinel::<wsusdiag_diagnosis>();
    let r = unsafe { wsusdiag_combine(null(), 2, null(), 0, &mut d) };
    assert_eq!(r, NULL_PARAMETER);
    assert_eq!(last_error(), "wsusdiag_combine: `analyses` is NULL");
    let (r, _) = combine(&[a, null_mut()], b"");
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`analyses[1]` is NULL"));
    let (r, _) = combine(&[], b"");
    assert_eq!(r, wsusdiag_result::InvalidArgument);
    assert!(last_error().contains("no analysis given"));
    let list = [a];
    let r = unsafe { wsusdiag_combine(list.as_ptr(), 1, null(), 2, &mut d) };
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`rules` is NULL"));
    let r = unsafe { wsusdiag_combine(list.as_ptr(), 1, null(), 0, null_mut()) };
    assert_eq!(r, NULL_PARAMETER);
    assert!(last_error().contains("`diagnosis_out` is NULL"));
    assert_eq!(d, sentinel(), "outputs untouched on failure");
    free_analyses(&[a]);
}

// ---- result names and version ----

#[test]
fn every_result_has_its_header_name() {
    let header = include_str!("../include/wsusdiag.h");
    let name = |code: c_int| {
        unsafe { CStr::from_ptr(wsusdiag_result_name(code)) }
            .to_str()
            .unwrap()
            .to_owned()
    };
    let mut seen = 0;
    for line in header.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("WSUSDIAG_RESULT_") {
            let (ident, value) = rest.trim_end_matches(',').split_once(" = ").unwrap();
            let value: c_int = value.parse().unwrap();
            assert_eq!(name(value), format!("WSUSDIAG_RESULT_{ident}"));
            seen += 1;
        }
    }
    assert_eq!(seen, 14);
    assert_eq!(name(0), "WSUSDIAG_RESULT_OK");
    assert_eq!(name(401), "WSUSDIAG_RESULT_NOT_FOUND");
    assert_eq!(name(900), "WSUSDIAG_RESULT_PANIC");
    assert_eq!(name(600), "WSUSDIAG_RESULT_OUT_OF_MEMORY");
    assert_eq!(name(403), "WSUSDIAG_RESULT_TOO_LARGE");
    for unknown in [-1, 2, 99, 103, 999, c_int::MAX, c_int::MIN] {
        assert_eq!(name(unknown), "WSUSDIAG_RESULT_UNKNOWN");
    }
}

#[test]
fn version_is_the_crate_version() {
    let v = unsafe { CStr::from_ptr(wsusdiag_version()) };
    assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
}

// ---- HRESULT lookup ----

#[test]
fn hresult_lookup_takes_every_form() {
    for form in [
        "0x8024400E",
        "0x8024400e",
        "8024400E",
        "[8024400E]",
        "2149859342",
        "-2145107954",
    ] {
        let (mut p, mut n) = (null_mut(), 0usize);
        let r = unsafe { wsusdiag_hresult_lookup(form.as_ptr(), form.len(), &mut p, &mut n) };
        assert_eq!(r, R_OK, "{form}: {}", last_error());
        let json: Value = serde_json::from_str(&take_buffer(p, n)).unwrap();
        assert_eq!(json["code"], "0x8024400E", "{form}");
        assert_eq!(json["name"], "WU_E_PT_SOAP_SERVER");
        assert_eq!(json["listed"], true);
    }
    let (mut p, mut n) = (sentinel::<u8>(), 7usize);
    for bad in ["", "nonsense", "0x"] {
        let r = unsafe { wsusdiag_hresult_lookup(bad.as_ptr(), bad.len(), &mut p, &mut n) };
        assert_eq!(r, wsusdiag_result::InvalidArgument, "{bad:?}");
        assert!(last_error().contains("is not an HRESULT"));
    }
    assert_eq!((p, n), (sentinel(), 7));
}

// ---- the record reader ----

fn s(v: wsusdiag_str) -> String {
    assert!(!v.ptr.is_null());
    String::from_utf8(unsafe { std::slice::from_raw_parts(v.ptr, v.len) }.to_vec()).unwrap()
}

/// A row with its strings copied, as they are valid only until the next call.
#[derive(Debug)]
struct Row {
    raw: wsusdiag_record,
    component: String,
    source: String,
    level: String,
    process: String,
    message: String,
    continuation: String,
    error: String,
    text: String,
}

impl Row {
    fn new(raw: wsusdiag_record) -> Self {
        Self {
            raw,
            component: s(raw.component),
            source: s(raw.source),
            level: s(raw.level),
            process: s(raw.process),
            message: s(raw.message),
            continuation: s(raw.continuation),
            error: s(raw.error),
            text: s(raw.text),
        }
    }
}

fn read_all(reader: *mut wsusdiag_log_reader) -> Vec<Row> {
    let mut rows = Vec::new();
    loop {
        let mut row = std::mem::MaybeUninit::uninit();
        match unsafe { wsusdiag_log_reader_next(reader, row.as_mut_ptr()) } {
            wsusdiag_result::Ok => rows.push(Row::new(unsafe { row.assume_init() })),
            wsusdiag_result::End => return rows,
            r => panic!("{r:?}: {}", last_error()),
        }
    }
}

#[test]
fn client_log_rows() {
    let path = client_path();
    let mut reader = null_mut();
    assert_eq!(
        unsafe { wsusdiag_log_open(path.as_ptr(), path.len(), &mut reader) },
        R_OK
    );
    let mut kind = wsusdiag_log_kind::Server;
    assert_eq!(unsafe { wsusdiag_log_reader_kind(reader, &mut kind) }, R_OK);
    assert_eq!(kind, wsusdiag_log_kind::ClientClassic);

    let mut row = std::mem::MaybeUninit::<wsusdiag_record>::uninit();
    assert_eq!(
        unsafe { wsusdiag_log_reader_next(reader, row.as_mut_ptr()) },
        R_OK
    );
    let first = Row::new(unsafe { row.assume_init() });
    let raw = first.raw;
    assert_eq!(raw.kind, wsusdiag_record_kind::Client);
    assert_eq!(
        (raw.line, raw.end_line, raw.column, raw.offset),
        (1, 1, 1, 0)
    );
    assert_eq!(raw.has_time, 1);
    // 2008-07-14 09:10:33.953, as written.
    assert_eq!(raw.time_ms, 1_216_026_633_953);
    assert_eq!((raw.pid, raw.tid, raw.thread), (1100, 0x7d8, -1));
    assert_eq!(first.component, "Misc");
    assert!(first.message.contains("Logging initialized"));
    assert_eq!((first.source.as_str(), first.error.as_str()), ("", ""));

    let rest = read_all(reader);
    assert!(rest.len() > 50, "{}", rest.len());
    assert!(
        rest.iter()
            .all(|r| r.raw.kind == wsusdiag_record_kind::Client)
    );
    assert!(rest.windows(2).all(|w| w[0].raw.line <= w[1].raw.line));
    let fault = rest
        .iter()
        .find(|r| {
            r.message
                .contains("SyncUpdates failure, error = 0x8024400E")
        })
        .expect("the fault line");
    assert_eq!(fault.component, "PT");
    assert_eq!(fault.raw.line, 47);

    // After the end: END again, and the row is left alone.
    let mut row = raw;
    row.line = 424_242;
    for _ in 0..3 {
        assert_eq!(
            unsafe { wsusdiag_log_reader_next(reader, &mut row) },
            wsusdiag_result::End
        );
    }
    assert_eq!(row.line, 424_242);
    assert_eq!(last_error(), "", "END is not an error");
    unsafe { wsusdiag_log_reader_free(reader) };
}

#[test]
fn server_log_rows() {
    let data = wsusdiag_core::sample::KB954960_SERVER;
    let mut reader = null_mut();
    let name = "SoftwareDistribution.log";
    assert_eq!(
        unsafe {
            wsusdiag_log_from_buffer(
                name.as_ptr(),
                name.len(),
                data.as_ptr(),
                data.len(),
                &mut reader,
            )
        },
        R_OK
    );
    let mut kind = wsusdiag_log_kind::ClientEtl;
    assert_eq!(unsafe { wsusdiag_log_reader_kind(reader, &mut kind) }, R_OK);
    assert_eq!(kind, wsusdiag_log_kind::Server);
    let rows = read_all(reader);
    assert!(
        rows.iter()
            .all(|r| r.raw.kind == wsusdiag_record_kind::Server)
    );
    let first = &rows[0];
    assert_eq!(first.level, "Info");
    assert_eq!(first.process, "WsusService");
    assert_eq!(first.raw.thread, 20);
    assert_eq!((first.raw.pid, first.raw.tid), (-1, -1));
    assert_eq!(first.source, "EventLogEventReporter.ReportEvent");
    assert_eq!(first.component, "");
    assert_eq!(first.raw.has_time, 1);
    // 2008-07-14 12:41:07.781 UTC
    assert_eq!(first.raw.time_ms, 1_216_039_267_781);
    let exception = rows
        .iter()
        .find(|r| !r.continuation.is_empty())
        .expect("an entry with a stack trace");
    assert!(exception.raw.end_line > exception.raw.line);
    assert!(
        exception.continuation.contains("at "),
        "{}",
        exception.continuation
    );
    assert!(rows.iter().any(|r| r.message.contains("ThrowException")));
    unsafe { wsusdiag_log_reader_free(reader) };
}

#[test]
fn malformed_lines_are_rows_and_the_iteration_goes_on() {
    let sample = String::from_utf8(wsusdiag_core::sample::KB954960_CLIENT.to_vec()).unwrap();
    let lines: Vec<&str> = sample.lines().take(5).collect();
    // Line 4 gets a header that starts right and breaks; line 5 holds binary junk.
    let log = format!(
        "{}\n{}\n{}\n2008-07-14\t09:1x:33:937\t1100\t7d8\tService\tbroken\n\u{1}\u{2}\u{3}\u{0}junk\n{}\n{}\n",
        lines[0], lines[1], lines[2], lines[3], lines[4]
    );
    let mut reader = null_mut();
    assert_eq!(
        unsafe { wsusdiag_log_from_buffer(null(), 0, log.as_ptr(), log.len(), &mut reader) },
        R_OK,
        "{}",
        last_error()
    );
    let rows = read_all(reader);
    let bad: Vec<&Row> = rows
        .iter()
        .filter(|r| r.raw.kind == wsusdiag_record_kind::Malformed)
        .collect();
    assert!(!bad.is_empty(), "{rows:#?}");
    for b in &bad {
        assert!(b.raw.line == 4 || b.raw.line == 5, "line {}", b.raw.line);
        assert!(b.raw.column >= 1);
        assert!(!b.error.is_empty());
        assert!(!b.message.is_empty());
        assert!(!b.text.is_empty());
        assert_eq!(b.raw.has_time, 0);
    }
    let bad_header = bad
        .iter()
        .find(|b| b.raw.line == 4)
        .expect("line 4 reported");
    assert_eq!(bad_header.error, "bad-header", "{bad_header:#?}");
    // Rows after the bad lines still come.
    assert!(
        rows.iter()
            .any(|r| r.raw.kind == wsusdiag_record_kind::Client && r.raw.line == 7),
        "{rows:#?}"
    );
    unsafe { wsusdiag_log_reader_free(reader) };
}
