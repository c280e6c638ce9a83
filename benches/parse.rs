//! Parse-only throughput on dumps captured from a real kernel (1017 TCP
//! sockets, without and with every requestable extension attribute):
//! framing only, framing + views, framing + views + attributes walked
//! raw, framing + views + every attribute decoded (typed).
//!
//! `cargo bench --bench parse`; criterion reports time per message
//! (throughput in elements = messages).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sockdiag::inet::{InetAttr, InetMsg, Protocol};
use sockdiag::netlink::Messages;

const DUMPS: &[(&str, &[u8])] = &[
    ("1k_plain", include_bytes!("../tests/fixtures/tcp4_1k.bin")),
    (
        "1k_ext",
        include_bytes!("../tests/fixtures/tcp4_1k_ext.bin"),
    ),
];

fn framing(bytes: &[u8]) -> usize {
    let mut n = 0;
    for m in Messages::new(bytes) {
        n += black_box(m.unwrap()).payload().len();
    }
    n
}

/// Reads every field of the fixed part.
fn fields(v: &InetMsg<'_>) -> u64 {
    black_box((v.src_ip(), v.dst_ip()));
    v.cookie()
        .wrapping_add(u64::from(v.src_port()) ^ u64::from(v.dst_port()))
        .wrapping_add(u64::from(v.rqueue() ^ v.wqueue() ^ v.inode() ^ v.uid()))
        .wrapping_add(u64::from(v.state().to_raw()))
}

/// Parses every view and decodes every attribute, reading a few fields
/// of each decoded value.
fn typed(bytes: &[u8]) -> u64 {
    let mut acc = 0u64;
    for m in Messages::new(bytes) {
        let Ok(v) = InetMsg::parse_as(m.unwrap(), Protocol::Tcp) else {
            continue;
        };
        acc = acc.wrapping_add(fields(&v));
        for a in v.attributes() {
            acc = acc.wrapping_add(match a.unwrap() {
                InetAttr::TcpInfo(i) => {
                    u64::from(i.rtt().unwrap_or(0)) + i.bytes_acked().unwrap_or(0)
                }
                InetAttr::SkMemInfo(m) => u64::from(m.rmem_alloc().unwrap_or(0)),
                InetAttr::MemInfo(m) => u64::from(m.wmem),
                InetAttr::Cong(c) => c.len() as u64,
                InetAttr::CgroupId(c) => c,
                InetAttr::SockOpt(s) => u64::from(s.bits()),
                other => {
                    black_box(other);
                    1
                }
            });
        }
    }
    acc
}

/// Parses every view; with `attrs`, also walks every attribute.
fn views(bytes: &[u8], attrs: bool) -> u64 {
    let mut acc = 0u64;
    for m in Messages::new(bytes) {
        let Ok(v) = InetMsg::parse(m.unwrap()) else {
            continue;
        };
        acc = acc.wrapping_add(fields(&v));
        if attrs {
            for a in v.attrs() {
                let a = a.unwrap();
                acc = acc
                    .wrapping_add(u64::from(a.kind()))
                    .wrapping_add(a.payload().len() as u64);
            }
        }
    }
    acc
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for (name, bytes) in DUMPS {
        let n = Messages::new(bytes).count() as u64;
        g.throughput(Throughput::Elements(n));
        g.bench_function(format!("framing/{name}"), |b| {
            b.iter(|| framing(black_box(bytes)))
        });
        g.bench_function(format!("views/{name}"), |b| {
            b.iter(|| views(black_box(bytes), false))
        });
        g.bench_function(format!("views+attrs/{name}"), |b| {
            b.iter(|| views(black_box(bytes), true))
        });
        g.bench_function(format!("views+typed/{name}"), |b| {
            b.iter(|| typed(black_box(bytes)))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
