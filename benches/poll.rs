//! The high-frequency poller at 10,000 TCP sockets: the time of one
//! `Poller::poll` on live sockets, steady state (nothing changes between
//! polls, so this is the price of learning that nothing changed), without
//! and with three tracked `tcp_info` counters (which makes the request ask
//! for `INET_DIAG_INFO`).
//!
//! The sockets are 5,000 loopback connections in a private network
//! namespace the bench makes itself, so it needs root; without it the bench
//! says so and measures nothing. Before criterion runs, 200 polls of each
//! variant are timed with `getrusage` to split their CPU into user (the
//! library: parse, diff) and system (the kernel's walk). A poll keeps one
//! thread busy from start to end, so its time is its CPU time: 100 polls a
//! second need it under 10 ms, 1,000 under 1 ms.
//!
//! `cargo bench --bench poll`; criterion's time is per poll, throughput in
//! sockets. (Allocation-freedom of steady-state polls is asserted by the
//! live test `poller_reports_changes_without_allocating`.)
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::hint::black_box;
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use nix::sys::resource::{getrlimit, getrusage, setrlimit, Resource, UsageWho};
use sockdiag::inet::{Extensions, LegacyRequest, States};
use sockdiag::poll::Poller;

const CONNECTIONS: usize = 5_000;

/// User and system CPU time of this process.
fn cpu() -> (Duration, Duration) {
    let u = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let d =
        |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    (d(u.user_time()), d(u.system_time()))
}

/// 5,000 established loopback connections in a fresh namespace.
fn population() -> Option<(TcpListener, Vec<TcpStream>)> {
    if let Err(e) = support::enter_private_netns() {
        eprintln!("poll bench skipped: a private network namespace needs root ({e})");
        return None;
    }
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    let l = support::tcp_listener(support::addr("127.0.0.1:9000"), 4096, None);
    let mut held = Vec::with_capacity(2 * CONNECTIONS);
    for _ in 0..CONNECTIONS {
        held.push(TcpStream::connect(l.local_addr().unwrap()).unwrap());
        held.push(l.accept().unwrap().0);
    }
    Some((l, held))
}

fn poller(track: bool) -> Poller<LegacyRequest> {
    let mut req = LegacyRequest::tcp().with_states(States::DEFAULT);
    if track {
        req = req.with_extensions(Extensions::INFO);
    }
    let p = Poller::new(req).unwrap();
    let mut p = if track {
        p.track(&[
            sockdiag::inet::TcpField::BytesAcked,
            sockdiag::inet::TcpField::BytesReceived,
            sockdiag::inet::TcpField::TotalRetrans,
        ])
        .unwrap()
    } else {
        p
    };
    // The first poll reports everything as new and grows the tables.
    let first = p.poll(|_| {}).unwrap();
    assert_eq!(first.sockets, 2 * CONNECTIONS + 1, "{first:?}");
    p
}

fn bench(c: &mut Criterion) {
    let Some(_held) = population() else { return };
    let variants = [("plain", false), ("3_tcp_info_counters", true)];
    for (name, track) in variants {
        let mut p = poller(track);
        let polls = 200;
        let (start, (u0, s0)) = (Instant::now(), cpu());
        for _ in 0..polls {
            let stats = p.poll(|_| {}).unwrap();
            assert_eq!(stats.new + stats.changed + stats.gone, 0, "{stats:?}");
        }
        let (wall, (u1, s1)) = (start.elapsed(), cpu());
        let per = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(polls);
        eprintln!(
            "poll/{name}: {} sockets, {polls} polls back to back: {:.2} ms per poll \
             (user {:.2} ms, system {:.2} ms), {:.0} polls/s",
            2 * CONNECTIONS + 1,
            per(wall),
            per(u1 - u0),
            per(s1 - s0),
            f64::from(polls) / wall.as_secs_f64()
        );
    }
    let mut g = c.benchmark_group("poll");
    g.throughput(Throughput::Elements(2 * CONNECTIONS as u64 + 1));
    g.sample_size(30);
    for (name, track) in variants {
        let mut p = poller(track);
        g.bench_function(format!("10k_sockets/{name}"), |b| {
            b.iter(|| black_box(p.poll(|_| {}).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
