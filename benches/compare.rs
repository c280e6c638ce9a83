//! The same captured bytes parsed by sockdiag, by `netlink-packet-sock-diag`
//! and by `netlink-bindings`: 1,017 and 10,170 TCP sockets (the 10k input is
//! the 1k capture ten times over), without and with every requestable
//! extension.
//!
//! For each library the full job: frame every message, read its fixed part
//! and decode every attribute (sockdiag also framing only and views only).
//! Before criterion runs, a counting allocator reports the allocations per
//! message of each, and sockdiag's must be zero.
//!
//! Then the parsers take turns on each input for 41 rounds and the bench
//! prints each one's median time per message and its median ratio to
//! sockdiag's full parse within a round (robust to this VM's swings, which
//! move criterion's one-after-the-other figures by a third).
//!
//! `cargo bench --bench compare`; criterion's throughput is in messages.
//! `COMPARE_ONLY=sockdiag/full/1k_plain` (any parser/input) makes the bench
//! binary run just 20 passes of that parser over that input, for counting
//! instructions with `valgrind --tool=callgrind`.
#![allow(
    missing_docs,
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use sockdiag::inet::{InetAttr, InetMsg, Protocol};
use sockdiag::netlink::Messages;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to `System`; the counter is an atomic.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const PLAIN: &[u8] = include_bytes!("../tests/fixtures/tcp4_1k.bin");
const EXT: &[u8] = include_bytes!("../tests/fixtures/tcp4_1k_ext.bin");

/// The messages of `bytes` (`times` over), in a 4-byte aligned buffer
/// (`netlink-bindings` asserts alignment), without the final `NLMSG_DONE`s.
fn input(bytes: &[u8], times: usize) -> (Vec<u32>, usize) {
    let mut body = Vec::new();
    let mut n = 0;
    for _ in 0..times {
        for m in Messages::new(bytes) {
            let m = m.unwrap();
            if m.kind() == sockdiag::raw::sock_diag::SOCK_DIAG_BY_FAMILY {
                let len = sockdiag::netlink::nlmsg_align(m.header().nlmsg_len.get() as usize);
                body.extend_from_slice(&bytes[m.offset()..m.offset() + len]);
                n += 1;
            }
        }
    }
    let mut words = vec![0u32; body.len().div_ceil(4)];
    for (w, c) in words.iter_mut().zip(body.chunks(4)) {
        let mut b = [0u8; 4];
        b[..c.len()].copy_from_slice(c);
        *w = u32::from_ne_bytes(b);
    }
    (words, n)
}

fn as_bytes(words: &[u32], len: usize) -> &[u8] {
    // SAFETY: u32 has no padding; the slice covers `words`' memory.
    let all = unsafe { std::slice::from_raw_parts(words.as_ptr().cast::<u8>(), words.len() * 4) };
    &all[..len]
}

fn sockdiag_framing(bytes: &[u8]) -> u64 {
    let mut acc = 0;
    for m in Messages::new(bytes) {
        acc += black_box(m.unwrap()).payload().len() as u64;
    }
    acc
}

fn sockdiag_views(bytes: &[u8]) -> u64 {
    let mut acc = 0u64;
    for m in Messages::new(bytes) {
        let v = InetMsg::parse_as(m.unwrap(), Protocol::Tcp).unwrap();
        black_box((v.src(), v.dst()));
        acc = acc
            .wrapping_add(v.cookie())
            .wrapping_add(u64::from(v.inode() ^ v.rqueue() ^ v.wqueue() ^ v.uid()))
            .wrapping_add(u64::from(v.state().to_raw()));
    }
    acc
}

fn sockdiag_full(bytes: &[u8]) -> u64 {
    let mut acc = 0u64;
    for m in Messages::new(bytes) {
        let v = InetMsg::parse_as(m.unwrap(), Protocol::Tcp).unwrap();
        black_box((v.src(), v.dst()));
        acc = acc
            .wrapping_add(v.cookie())
            .wrapping_add(u64::from(v.inode() ^ v.rqueue() ^ v.wqueue() ^ v.uid()));
        for a in v.attributes() {
            acc = acc.wrapping_add(match a.unwrap() {
                InetAttr::TcpInfo(i) => {
                    u64::from(i.rtt().unwrap_or(0)) + i.bytes_acked().unwrap_or(0)
                }
                InetAttr::SkMemInfo(m) => u64::from(m.rmem_alloc().unwrap_or(0)),
                InetAttr::MemInfo(m) => u64::from(m.wmem),
                InetAttr::Cong(c) => c.len() as u64,
                InetAttr::CgroupId(c) => c,
                other => {
                    black_box(other);
                    1
                }
            });
        }
    }
    acc
}

fn npsd_full(bytes: &[u8]) -> u64 {
    use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
    use netlink_packet_sock_diag::inet::nlas::Nla;
    use netlink_packet_sock_diag::SockDiagMessage;
    let mut acc = 0u64;
    let mut off = 0;
    while off < bytes.len() {
        let msg = NetlinkMessage::<SockDiagMessage>::deserialize(&bytes[off..]).unwrap();
        off += (msg.header.length as usize + 3) & !3;
        let NetlinkPayload::InnerMessage(SockDiagMessage::InetResponse(r)) = msg.payload else {
            panic!("not an inet response");
        };
        black_box((
            r.header.socket_id.source_address,
            r.header.socket_id.destination_address,
        ));
        acc = acc.wrapping_add(u64::from(
            r.header.inode ^ r.header.recv_queue ^ r.header.send_queue ^ r.header.uid,
        ));
        for nla in &r.nlas {
            acc = acc.wrapping_add(match nla {
                Nla::TcpInfo(i) => u64::from(i.rtt) + i.bytes_acked,
                Nla::MemInfo(m) => u64::from(m.send_queue),
                Nla::Congestion(c) => c.len() as u64,
                other => {
                    black_box(other);
                    1
                }
            });
        }
    }
    acc
}

fn bindings_full(bytes: &[u8]) -> u64 {
    use netlink_bindings::builtin::Nlmsghdr;
    use netlink_bindings::inet_diag::{Msg, ReplyAttrs};
    let mut acc = 0u64;
    let mut off = 0;
    while off < bytes.len() {
        let hdr = Nlmsghdr::from_slice(&bytes[off..]);
        let len = hdr.len as usize;
        let body = &bytes[off + 16..off + len];
        off += (len + 3) & !3;
        let m = Msg::from_slice(body);
        black_box((m.sockid.src, m.sockid.dst, m.sockid._sport_be));
        acc = acc.wrapping_add(u64::from(m.inode ^ m.rqueue ^ m.wqueue ^ m.uid));
        for a in ReplyAttrs::new(&body[72..]) {
            acc = acc.wrapping_add(match a.unwrap() {
                ReplyAttrs::TcpInfo(i) => u64::from(i.rtt) + i.bytes_acked,
                ReplyAttrs::Meminfo(m) => u64::from(m.wmem),
                ReplyAttrs::Cong(c) => c.to_bytes().len() as u64,
                ReplyAttrs::CgroupId(c) => c,
                other => {
                    black_box(other);
                    1
                }
            });
        }
    }
    acc
}

type Parser = fn(&[u8]) -> u64;

const PARSERS: &[(&str, Parser)] = &[
    ("sockdiag/framing", sockdiag_framing),
    ("sockdiag/views", sockdiag_views),
    ("sockdiag/full", sockdiag_full),
    ("netlink-bindings/full", bindings_full),
    ("netlink-packet-sock-diag/full", npsd_full),
];

fn bench(c: &mut Criterion) {
    let inputs = [
        ("1k_plain", input(PLAIN, 1)),
        ("1k_ext", input(EXT, 1)),
        ("10k_plain", input(PLAIN, 10)),
        ("10k_ext", input(EXT, 10)),
    ];
    if let Ok(only) = std::env::var("COMPARE_ONLY") {
        // `COMPARE_ONLY=<parser>/<input>`: 20 passes of one parser over one
        // input and nothing else, for an instruction count under callgrind.
        for (name, (words, _)) in &inputs {
            for (parser, f) in PARSERS {
                if only == format!("{parser}/{name}") {
                    let bytes = as_bytes(words, words.len() * 4);
                    for _ in 0..20 {
                        black_box(f(black_box(bytes)));
                    }
                    return;
                }
            }
        }
        panic!("COMPARE_ONLY={only}: no such parser/input");
    }
    for (name, (words, n)) in &inputs {
        let bytes = as_bytes(words, words.len() * 4);
        for (parser, f) in PARSERS {
            f(bytes); // warm-up
            let before = ALLOCATIONS.load(Ordering::Relaxed);
            black_box(f(black_box(bytes)));
            let allocs = ALLOCATIONS.load(Ordering::Relaxed) - before;
            eprintln!(
                "{name}: {parser}: {:.2} allocations per message ({} bytes, {} messages, {:.0} bytes per message)",
                allocs as f64 / *n as f64,
                bytes.len(),
                n,
                bytes.len() as f64 / *n as f64
            );
            if parser.starts_with("sockdiag") {
                assert_eq!(allocs, 0, "{parser} allocated");
            }
        }
    }
    paired(&inputs);
    let mut g = c.benchmark_group("compare");
    for (name, (words, n)) in &inputs {
        let bytes = as_bytes(words, words.len() * 4);
        g.throughput(Throughput::Elements(*n as u64));
        for (parser, f) in PARSERS {
            g.bench_function(format!("{parser}/{name}"), |b| {
                b.iter(|| f(black_box(bytes)))
            });
        }
    }
    g.finish();
}

/// This VM's speed swings by a third between moments, and criterion
/// measures one parser after another, so its ratios swing with it. Here
/// the parsers take turns instead, round after round on the same input,
/// and each round gives every parser's time relative to sockdiag's full
/// parse in that round: the median of those ratios is what moments do not
/// move.
fn paired(inputs: &[(&str, (Vec<u32>, usize))]) {
    const ROUNDS: usize = 41;
    for (name, (words, n)) in inputs {
        let bytes = as_bytes(words, words.len() * 4);
        // Repeat each turn to about a millisecond.
        let reps = (1_000_000 / (bytes.len() / 10).max(1)).clamp(1, 200);
        let mut times = vec![Vec::with_capacity(ROUNDS); PARSERS.len()];
        for _ in 0..ROUNDS {
            for ((_, f), t) in PARSERS.iter().zip(&mut times) {
                let start = std::time::Instant::now();
                for _ in 0..reps {
                    black_box(f(black_box(bytes)));
                }
                t.push(start.elapsed().as_secs_f64() * 1e9 / (reps * n) as f64);
            }
        }
        let full = PARSERS
            .iter()
            .position(|(p, _)| *p == "sockdiag/full")
            .unwrap();
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        for (i, (parser, _)) in PARSERS.iter().enumerate() {
            let ratios = times[i]
                .iter()
                .zip(&times[full])
                .map(|(t, f)| t / f)
                .collect();
            eprintln!(
                "paired {name}: {parser}: median {:.1} ns per message, {:.2}x sockdiag/full (median of {ROUNDS} rounds)",
                median(times[i].clone()),
                median(ratios)
            );
        }
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
