//! The per-socket output path allocates nothing: every format, fed a
//! captured dump of 1017 TCP sockets with every extension, under a counting
//! global allocator.
#![allow(unsafe_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::{self, BufWriter};
use std::time::Duration;

use sockdiag::inet::Protocol;
use sockdiag::procs::ProcessMap;
use sockdiag::replay::{Record, Replay};

use crate::args::Show;
use crate::out::{Context, Counts, JsonOut, Names, PromOut, Sink, SummaryOut, TableOut};
use crate::view;

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every method forwards to `System` unchanged; the counter is a
// const-initialised thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn every_field() -> Context {
    Context::new(
        Show {
            info: true,
            mem: true,
            ext: true,
            timers: true,
            procs: true,
            threads: true,
            tos: true,
            cgroup: true,
            sockopt: true,
            bpf: true,
            // Service and host names looked up, as without -n and with -r.
            numeric: false,
            resolve: true,
            oneline: false,
            tipcinfo: true,
        },
        Some(ProcessMap::default()),
        Names::default(),
    )
}

/// Feeds every socket of `bytes` to `sink`; returns (sockets, allocations).
fn feed(bytes: &[u8], sink: &mut dyn Sink) -> (usize, u64) {
    let before = ALLOCATIONS.with(Cell::get);
    let mut n = 0;
    for r in Replay::new(bytes).with_inet_protocol(Protocol::Tcp) {
        match r.unwrap() {
            Record::Inet(m) => sink.sock(&view::inet(Some(Protocol::Tcp), &m)).unwrap(),
            Record::Unix(m) => sink.sock(&view::unix(&m)).unwrap(),
            _ => continue,
        }
        n += 1;
    }
    sink.flush().unwrap();
    (n, ALLOCATIONS.with(Cell::get) - before)
}

#[test]
fn every_format_writes_sockets_without_allocating() {
    let (Some(tcp), Some(unix)) = (
        crate::fixture("tcp4_1k_ext.bin"),
        crate::fixture("unix_all.bin"),
    ) else {
        return;
    };
    let out = || BufWriter::with_capacity(64 * 1024, io::sink());
    let mut sinks: Vec<(&str, Box<dyn Sink>)> = vec![
        (
            "table",
            Box::new(TableOut::new(out(), every_field(), true, true, true, false)),
        ),
        (
            "json",
            Box::new(JsonOut {
                out: out(),
                cx: every_field(),
            }),
        ),
        (
            "prom",
            Box::new(PromOut {
                out: out(),
                counts: Counts::default(),
                info: None,
            }),
        ),
        (
            "summary",
            Box::new(SummaryOut {
                out: out(),
                counts: Counts::default(),
                json: false,
            }),
        ),
    ];
    for (name, sink) in &mut sinks {
        // The first pass fills the caches (interface names, the count
        // table); after it, nothing is allocated per socket.
        feed(&tcp, sink.as_mut());
        feed(&unix, sink.as_mut());
        let (n, allocations) = feed(&tcp, sink.as_mut());
        assert!(n > 1000, "{n}");
        assert_eq!(
            allocations, 0,
            "{name}: {allocations} allocations for {n} sockets"
        );
        let (n, allocations) = feed(&unix, sink.as_mut());
        assert!(n > 0);
        assert_eq!(
            allocations, 0,
            "{name}: {allocations} allocations for {n} unix sockets"
        );
        sink.finish(Duration::ZERO).unwrap();
    }
}

#[test]
fn the_exporters_polls_allocate_nothing_per_socket() {
    let Some(tcp) = crate::fixture("tcp4_1k_ext.bin") else {
        return;
    };
    let mut exporter = crate::exporter::Replayed::new();
    // The first polls make the series and the tables of known sockets;
    // then a steady population costs nothing per socket: aggregates,
    // listeners, connections by port, distributions, counters.
    exporter.poll(&tcp);
    exporter.poll(&tcp);
    let before = ALLOCATIONS.with(Cell::get);
    let n = exporter.poll(&tcp);
    let allocations = ALLOCATIONS.with(Cell::get) - before;
    assert!(n > 1000, "{n}");
    assert_eq!(allocations, 0, "{allocations} allocations for {n} sockets");
}
