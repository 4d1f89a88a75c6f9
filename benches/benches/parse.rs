//! Throughput of each parser and of the whole diagnosis, on generated logs, each beside the
//! memchr probe (lines and tab fields only) over the same bytes.
//!
//! `cargo bench -p wsusdiag-benches --bench parse`; figures and how to read them in
//! BENCHMARKS.md.
#![allow(missing_docs)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use wsusdiag_benches::generate::{self as gen_logs, ClientFormat};
use wsusdiag_benches::probe::split_lines_and_tabs;
use wsusdiag_core::records::cmtrace::CmRecords;
use wsusdiag_core::records::{ClientFormat as Format, ClientRecords, ServerRecords};
use wsusdiag_core::{Options, diagnose_buffers};

const MIB: usize = 1 << 20;

fn group(c: &mut Criterion, name: &str, text: &str, parse: impl Fn(&str) -> usize) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("probe", |b| {
        b.iter(|| split_lines_and_tabs(black_box(text.as_bytes())))
    });
    g.bench_function("records", |b| b.iter(|| parse(black_box(text))));
    g.finish();
}

fn client_records(format: Format) -> impl Fn(&str) -> usize {
    move |text| {
        ClientRecords::new(text, format)
            .filter(Result::is_ok)
            .count()
    }
}

fn parsers(c: &mut Criterion) {
    let classic = gen_logs::client_log(ClientFormat::Classic, 64 * MIB, 1);
    group(
        c,
        "client-classic",
        &classic,
        client_records(Format::Classic),
    );
    let win10 = gen_logs::client_log(ClientFormat::Win10, 64 * MIB, 2);
    group(c, "client-win10", &win10, client_records(Format::Win10));
    let server = gen_logs::server_log(64 * MIB, 3);
    group(c, "server", &server, |t| {
        ServerRecords::new(t).filter(Result::is_ok).count()
    });

    let configmgr = gen_logs::configmgr_log(64 * MIB);
    group(c, "client-configmgr", &configmgr, |t| {
        CmRecords::new(t).filter(Result::is_ok).count()
    });

    // The real Windows Update trace, repeated: decoding events to records.
    let trace = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../wsusdiag-core/tests/data/etl/WindowsUpdate.20251008.140245.443.8.etl"
    ))
    .expect("the sample trace");
    let mut g = c.benchmark_group("client-etl");
    g.throughput(Throughput::Bytes(trace.len() as u64));
    g.bench_function("events", |b| {
        b.iter(|| wsusdiag_core::etl::read(black_box(&trace)).events.len())
    });
    g.finish();
}

fn diagnosis(c: &mut Criterion) {
    let classic = gen_logs::client_log(ClientFormat::Classic, 64 * MIB, 4);
    let server = gen_logs::server_log(4 * MIB, 5);
    let mut g = c.benchmark_group("diagnose");
    g.throughput(Throughput::Bytes((classic.len() + server.len()) as u64));
    g.sample_size(10);
    let sequential = Options::default().with_parallel(false);
    g.bench_function("classic+server", |b| {
        b.iter(|| {
            let inputs = [
                ("WindowsUpdate.log", classic.as_bytes()),
                ("SoftwareDistribution.log", server.as_bytes()),
            ];
            diagnose_buffers(black_box(&inputs), &sequential).map(|d| d.faults.len())
        })
    });
    // A fleet of 16 client logs: one thread, then all cores.
    let fleet = gen_logs::fleet(&gen_logs::FleetSpec {
        clients: 16,
        faults_per_client: 60,
        detections_between: 30,
        ..gen_logs::FleetSpec::default()
    });
    let mut inputs: Vec<(&str, &[u8])> = fleet
        .clients
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_bytes()))
        .collect();
    inputs.push(("SoftwareDistribution.log", fleet.server.as_bytes()));
    let bytes: usize = inputs.iter().map(|(_, b)| b.len()).sum();
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("fleet-1-thread", |b| {
        b.iter(|| diagnose_buffers(black_box(&inputs), &sequential).map(|d| d.faults.len()))
    });
    g.bench_function("fleet-all-cores", |b| {
        b.iter(|| diagnose_buffers(black_box(&inputs), &Options::default()).map(|d| d.faults.len()))
    });
    g.finish();
}

/// The per-fault work: a 64 MiB client log with a fault every 20 detections and its server
/// log (the peers script's dense pair, an eighth of its size), diagnosed on all cores, then its
/// report written as JSON.
fn dense(c: &mut Criterion) {
    let pair = gen_logs::fleet(&gen_logs::FleetSpec {
        clients: 1,
        faults_per_client: usize::MAX,
        detections_between: 20,
        client_bytes: 64 * MIB,
        server_every: 5,
        seed: 7,
    });
    let (name, client) = &pair.clients[0];
    let inputs = [
        (name.as_str(), client.as_bytes()),
        ("SoftwareDistribution.log", pair.server.as_bytes()),
    ];
    let mut g = c.benchmark_group("dense");
    g.throughput(Throughput::Bytes((client.len() + pair.server.len()) as u64));
    g.sample_size(10);
    g.bench_function("diagnose", |b| {
        b.iter(|| diagnose_buffers(black_box(&inputs), &Options::default()).map(|d| d.faults.len()))
    });
    let Ok(report) = diagnose_buffers(&inputs, &Options::default()) else {
        return;
    };
    // Throughput in bytes of JSON written, into a buffer kept from one iteration to the next
    // (a sink that drops the bytes would leave out the cost of putting them anywhere).
    let mut out = report.to_json().unwrap().into_bytes();
    g.throughput(Throughput::Bytes(out.len() as u64));
    g.bench_function("json", |b| {
        b.iter(|| {
            out.clear();
            report.write_json(&mut out)
        })
    });
    // The same pretty form by serde_json alone, on one core: the reference for `json`.
    g.bench_function("json-serde", |b| {
        b.iter(|| {
            out.clear();
            serde_json::to_writer_pretty(&mut out, &report)
        })
    });
    g.finish();
}

criterion_group!(benches, parsers, diagnosis, dense);
criterion_main!(benches);
