//! The streaming reader gives the same records as the whole-file reader, whatever the chunk
//! size; follows a file that is still being written; and holds bounded memory on a long log.

use std::io::{Read, Write};

use wsusdiag_core::log::{Log, Record};
use wsusdiag_core::sample::{KB954960_CLIENT, KB954960_SERVER};
use wsusdiag_core::stream::LogStream;

/// What a record says, owned, for comparing the two readers.
fn summary(r: Result<Record<'_>, wsusdiag_core::ParseError>) -> String {
    match r {
        Ok(Record::Client(c)) => format!(
            "{} {} {:?} {:?} {} {}",
            c.line, c.offset, c.time, c.pid, c.component, c.message
        ),
        Ok(Record::Server(s)) => format!(
            "{}-{} {} {:?} {} {} {} | {}",
            s.line, s.end_line, s.offset, s.time, s.level, s.source, s.message, s.continuation
        ),
        Err(e) => format!(
            "error {}:{} {:?}",
            e.position.line, e.position.column, e.kind
        ),
    }
}

fn streamed(bytes: &[u8], chunk: usize) -> Vec<String> {
    let mut stream = LogStream::new("log", bytes).with_chunk_size(chunk);
    let mut out = Vec::new();
    while stream.read_some(|r| out.push(summary(r))).unwrap() {}
    stream.finish(|r| out.push(summary(r))).unwrap();
    out
}

fn whole(bytes: &[u8]) -> Vec<String> {
    let log = Log::from_bytes("log", bytes.to_vec()).unwrap();
    log.records().map(summary).collect()
}

#[test]
fn same_records_as_the_whole_file_reader_at_any_chunk_size() {
    for bytes in [KB954960_CLIENT, KB954960_SERVER] {
        let expected = whole(bytes);
        assert!(expected.len() > 10);
        for chunk in [64, 100, 333, 4096, 1 << 20] {
            assert_eq!(streamed(bytes, chunk), expected, "chunk {chunk}");
        }
    }
}

#[test]
fn utf16_and_ansi_streams_decode_like_files() {
    let text = std::str::from_utf8(KB954960_CLIENT).unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut stream = LogStream::new("utf16.log", &utf16[..]).with_chunk_size(777);
    let mut n = 0;
    while stream.read_some(|r| n += usize::from(r.is_ok())).unwrap() {}
    stream.finish(|r| n += usize::from(r.is_ok())).unwrap();
    assert_eq!(n, whole(KB954960_CLIENT).len());
    assert_eq!(stream.encoding().map(|e| e.as_str()), Some("utf-16le"));

    let ansi = b"2008-07-14\t09:12:58:640\t1100\tee4\tAgent\t  * Found 0 updates for caf\xE9\n";
    let mut stream = LogStream::new("ansi.log", &ansi[..]);
    let mut messages = Vec::new();
    while stream
        .read_some(|r| messages.push(r.unwrap().message().to_owned()))
        .unwrap()
    {}
    stream
        .finish(|r| messages.push(r.unwrap().message().to_owned()))
        .unwrap();
    assert_eq!(messages, ["  * Found 0 updates for café"]);
}

#[test]
fn follows_a_file_that_is_still_being_written() {
    let dir = std::env::temp_dir().join(format!("wsusdiag-follow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("SoftwareDistribution.log");
    let text = std::str::from_utf8(KB954960_SERVER).unwrap();
    // The writer has written up to the middle of the first stack trace.
    let split = text.find("   at System.Collections.Hashtable.Add").unwrap();
    std::fs::write(&path, &text[..split]).unwrap();

    let mut stream = LogStream::new(
        "SoftwareDistribution.log",
        std::fs::File::open(&path).unwrap(),
    );
    let mut seen = Vec::new();
    while stream.read_some(|r| seen.push(summary(r))).unwrap() {}
    // The entry whose stack trace is still being written is held back.
    let before = seen.len();
    assert_eq!(before, 5, "{seen:#?}");

    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    f.write_all(&text.as_bytes()[split..]).unwrap();
    drop(f);
    while stream.read_some(|r| seen.push(summary(r))).unwrap() {}
    stream.finish(|r| seen.push(summary(r))).unwrap();
    assert_eq!(seen, whole(KB954960_SERVER));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A long client log made up on the fly: the sample's body repeated.
struct Repeat {
    body: &'static [u8],
    left: usize,
    at: usize,
}

impl Read for Repeat {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() && self.left > 0 {
            let take = (buf.len() - n)
                .min(self.body.len() - self.at)
                .min(self.left);
            buf[n..n + take].copy_from_slice(&self.body[self.at..self.at + take]);
            n += take;
            self.left -= take;
            self.at = (self.at + take) % self.body.len();
        }
        Ok(n)
    }
}

#[test]
fn memory_stays_bounded_on_a_long_log() {
    let total = 48 << 20;
    let reader = Repeat {
        body: KB954960_CLIENT,
        left: total,
        at: 0,
    };
    let chunk = 256 << 10;
    let mut stream = LogStream::new("long.log", reader).with_chunk_size(chunk);
    let (mut records, mut last_line, mut most_held) = (0u64, 0u32, 0usize);
    while stream
        .read_some(|r| {
            let r = r.unwrap();
            records += 1;
            last_line = r.line();
        })
        .unwrap()
    {
        most_held = most_held.max(stream.held_bytes());
    }
    stream.finish(|_| records += 1).unwrap();
    let per_copy = whole(KB954960_CLIENT).len() as u64;
    let copies = total as u64 / KB954960_CLIENT.len() as u64;
    assert!(records >= per_copy * copies, "{records} records");
    assert!(u64::from(last_line) >= 116 * copies);
    assert!(
        most_held <= 8 * chunk,
        "held {most_held} bytes for a {chunk}-byte chunk"
    );
}

#[test]
fn an_endless_line_is_reported_and_skipped() {
    let mut bytes = KB954960_CLIENT.to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 20 << 20));
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(KB954960_CLIENT);
    let mut stream = LogStream::new("long-line.log", &bytes[..]).with_chunk_size(1 << 20);
    let (mut ok, mut too_long) = (0, Vec::new());
    while stream
        .read_some(|r| match r {
            Ok(_) => ok += 1,
            Err(e) => too_long.push(e.position.line),
        })
        .unwrap()
    {
        assert!(stream.held_bytes() < 40 << 20);
    }
    stream.finish(|r| ok += usize::from(r.is_ok())).unwrap();
    assert_eq!(ok, 2 * whole(KB954960_CLIENT).len());
    assert_eq!(too_long, [117]);
}

#[test]
fn text_that_is_not_a_log_is_an_error() {
    let mut stream = LogStream::new("notes.txt", &b"hello\nthis is not a log\n"[..]);
    while stream.read_some(|_| {}).unwrap() {}
    let err = stream.finish(|_| {}).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("notes.txt: not a Windows Update"),
        "{err}"
    );
}

/// Every record of a file through [`LogStream::open`], and the stream's kind and encoding.
fn opened(path: &std::path::Path) -> (Vec<String>, Option<String>, Option<String>) {
    let mut stream = LogStream::open(path).unwrap().with_chunk_size(4096);
    let mut out = Vec::new();
    while stream.read_some(|r| out.push(summary(r))).unwrap() {}
    stream.finish(|r| out.push(summary(r))).unwrap();
    let kind = stream.kind().map(|k| k.as_str().to_owned());
    let encoding = stream.encoding().map(|e| e.as_str().to_owned());
    (out, kind, encoding)
}

#[test]
fn an_opened_file_reads_as_the_whole_file_reader_reads_it_an_etl_trace_included() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let trace = dir.join("etl/WindowsUpdate.20251008.140245.443.8.etl");
    let log = Log::open(&trace).unwrap();
    let (records, kind, encoding) = opened(&trace);
    assert!(records.len() > 10, "{}", records.len());
    assert_eq!(records, log.records().map(summary).collect::<Vec<_>>());
    assert_eq!(kind.as_deref(), Some("client-etl"));
    assert_eq!(encoding.as_deref(), Some("binary"));

    let dir = std::env::temp_dir().join(format!("wsusdiag-open-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let text = dir.join("WindowsUpdate.log");
    std::fs::write(&text, KB954960_CLIENT).unwrap();
    let (records, kind, encoding) = opened(&text);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(records, whole(KB954960_CLIENT));
    assert_eq!(kind.as_deref(), Some("client-classic"));
    assert_eq!(encoding.as_deref(), Some("utf-8"));
}
