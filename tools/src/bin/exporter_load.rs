//! What `sockdiag exporter` costs at a given population: CPU per poll
//! against the raw dump floor of the same request, scrape latency, and
//! memory.
//!
//! In a private network namespace it opens N established loopback
//! connections (2N sockets, 10% IPv6, held by child processes), prints
//! the machine, then for each interval runs `target/release/sockdiag
//! exporter --interval I` for a while and reads
//!
//! - the CPU time of its poll thread per poll (its own
//!   `sockdiag_poll_cpu_seconds_total` over its `sockdiag_polls_total`,
//!   dumps and renderings; both read from one scrape), against the floor:
//!   the same legacy dump (TCP, both families, `INFO` as the exporter
//!   asks) read by a raw `recv` loop that only walks message
//!   headers, timed in this process (`getrusage`), as many dumps (three
//!   at least) before each of many windows of the exporter's polls, the exporter stopped
//!   (`SIGSTOP`) meanwhile: a ratio per window, their median and range;
//! - the wall time of a scrape (median of 21);
//! - its resident and peak memory (`VmRSS`, `VmHWM`).
//!
//! Run as root on an otherwise idle machine: `cargo build --release
//! --workspace && target/release/exporter_load 5000,100000 1s,100ms 5 10`
//! (connections, intervals, polls per window, windows).

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use sockdiag::inet::{Extensions, LegacyRequest};
use sockdiag::poll::Scanner;
use sockdiag::Request;

/// CPU seconds (user + system) this process has used.
fn cpu_self() -> f64 {
    let u = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let s = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    s(u.user_time()) + s(u.system_time())
}

/// One legacy dump read by a raw recv loop; returns the replies.
fn floor_dump(buf: &mut [u8]) -> usize {
    let fd = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .unwrap();
    socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).unwrap();
    let ext = Extensions::INFO;
    let req = LegacyRequest::tcp()
        .with_extensions(ext)
        .encode(1)
        .as_ref()
        .to_vec();
    socket::sendto(
        fd.as_raw_fd(),
        &req,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .unwrap();
    let mut count = 0;
    loop {
        let n = socket::recv(fd.as_raw_fd(), buf, MsgFlags::empty()).unwrap();
        let mut off = 0;
        while off + 16 <= n {
            let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
            if u16::from_ne_bytes(buf[off + 4..off + 6].try_into().unwrap()) == 3 {
                return count;
            }
            count += 1;
            off += (len + 3) & !3;
        }
    }
}

/// The floor's CPU seconds per dump and the library's scan of the same
/// request (every reply parsed, nothing kept), each the median of
/// `rounds` dumps, alternating, one every `pace` (as the exporter polls:
/// a dump after a second's sleep costs more than one straight after the
/// last); and the replies.
fn floor(rounds: usize, pace: Duration) -> (f64, f64, usize) {
    let mut buf = vec![0u8; 32 * 1024];
    let ext = Extensions::INFO;
    let mut scanner = Scanner::new(LegacyRequest::tcp().with_extensions(ext)).unwrap();
    let (mut raw, mut lib) = (Vec::new(), Vec::new());
    let mut count = 0;
    let mut next = Instant::now();
    let mut wait = || {
        let now = Instant::now();
        if now < next {
            std::thread::sleep(next - now);
        }
        next = Instant::now() + pace;
    };
    for _ in 0..rounds {
        wait();
        let t = cpu_self();
        count = floor_dump(&mut buf);
        raw.push(cpu_self() - t);
        wait();
        let t = cpu_self();
        scanner
            .scan(|_, m| {
                std::hint::black_box(m.cookie());
                Ok::<(), sockdiag::Error>(())
            })
            .unwrap();
        lib.push(cpu_self() - t);
    }
    (median(raw), median(lib), count)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// `VmRSS` and `VmHWM` of `pid`, MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kib = |key: &str| -> f64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .map_or(0.0, |v| v.parse().unwrap())
    };
    (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
}

struct Run {
    /// Per cycle: the exporter's CPU per poll over the floor's per dump.
    ratios: Vec<f64>,
    cpu_per_poll: f64,
    floor: f64,
    scan: f64,
    replies: usize,
    polls: f64,
    scrape: f64,
    rss: f64,
    peak: f64,
    tracked: f64,
}

/// The exporter's polls and its poll thread's CPU seconds until the last
/// of them ended (both from one scrape, so they agree).
fn polls_and_cpu(addr: std::net::SocketAddr) -> (f64, f64) {
    let text = support::scrape_text(addr);
    (
        support::sample(&text, "sockdiag_polls_total"),
        support::sample(&text, "sockdiag_poll_cpu_seconds_total"),
    )
}

/// The exporter at `interval` (dumps paced by `pace`) for `cycles`
/// windows of `per_window` polls each, stopped (`SIGSTOP`) while the
/// floor and the library's scan run as many dumps (three at least)
/// between windows, so
/// that every window has a floor measured next to it on a quiet machine
/// (this VM's speed drifts by a third within a minute).
fn run(interval: &str, pace: Duration, per_window: usize, cycles: usize) -> Run {
    use nix::sys::signal::{kill, Signal};
    use nix::unistd::Pid;
    let cli = std::env::current_exe().unwrap().with_file_name("sockdiag");
    let (mut child, addr) = support::spawn_exporter(&cli, &["--interval", interval]);
    let pid = child.id();
    let target = Pid::from_raw(pid as i32);
    // Every wait below scrapes only every half interval: each scrape
    // leaves a socket in TIME-WAIT that the exporter then polls.
    let until = |polls: f64| loop {
        let (p, c) = polls_and_cpu(addr);
        if p >= polls {
            return (p, c);
        }
        std::thread::sleep(pace / 2);
    };
    // Warm: two more polls.
    let (p, _) = polls_and_cpu(addr);
    until(p + 2.0);
    let (mut ratios, mut cpus, mut floors, mut scans) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut polls, mut replies) = (0.0, 0);
    for _ in 0..cycles {
        kill(target, Signal::SIGSTOP).unwrap();
        let (f, l, count) = floor(per_window.max(3), pace);
        kill(target, Signal::SIGCONT).unwrap();
        let (p0, c0) = polls_and_cpu(addr);
        let (p1, c1) = until(p0 + per_window as f64);
        let cpu = (c1 - c0) / (p1 - p0);
        if std::env::var_os("EXPORTER_LOAD_VERBOSE").is_some() {
            eprintln!(
                "window: exporter {:.2} ms per poll ({} polls), floor {:.2} ms, scan {:.2} ms",
                cpu * 1e3,
                p1 - p0,
                f * 1e3,
                l * 1e3
            );
        }
        ratios.push(cpu / f);
        cpus.push(cpu);
        floors.push(f);
        scans.push(l);
        polls += p1 - p0;
        replies = count;
    }
    let text = support::scrape_text(addr);
    let mut scrapes = Vec::new();
    for _ in 0..21 {
        let t = Instant::now();
        support::scrape_text(addr);
        scrapes.push(t.elapsed().as_secs_f64());
    }
    let (rss, peak) = memory(pid);
    let _ = child.kill();
    let _ = child.wait();
    Run {
        ratios,
        cpu_per_poll: median(cpus),
        floor: median(floors),
        scan: median(scans),
        replies,
        polls,
        scrape: median(scrapes),
        rss,
        peak,
        tracked: support::sample(&text, "sockdiag_sockets_tracked"),
    }
}

fn main() {
    support::hold_if_asked();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes: Vec<usize> = args
        .first()
        .map_or("5000,100000", String::as_str)
        .split(',')
        .map(|n| n.parse().unwrap())
        .collect();
    let intervals: Vec<String> = args
        .get(1)
        .map_or("1s,100ms", String::as_str)
        .split(',')
        .map(str::to_owned)
        .collect();
    let per_window: usize = args.get(2).map_or(10, |n| n.parse().unwrap());
    let cycles: usize = args.get(3).map_or(10, |n| n.parse().unwrap());
    println!("{}", support::machine());
    println!(
        "\n| sockets | interval | polls | exporter CPU per poll (ms) | floor CPU per dump (ms) | ratio (median) | ratio (range) | library scan (ms) | scrape (ms) | RSS (MiB) | peak (MiB) |"
    );
    println!("|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
    let mut by_size = Vec::new();
    for &n in &sizes {
        // A fresh namespace per size: the last one's TIME-WAIT sockets
        // neither hold its ports nor count here.
        support::enter_private_netns().expect("needs root for a private netns");
        let holders = support::Holders::spawn(n, 10);
        for interval in &intervals {
            // The floor paced as the exporter polls.
            let pace = if interval.ends_with("ms") {
                Duration::from_millis(interval.trim_end_matches("ms").parse().unwrap())
            } else {
                Duration::from_secs(interval.trim_end_matches('s').parse().unwrap())
            };
            let r = run(interval, pace, per_window, cycles);
            let mut sorted = r.ratios.clone();
            sorted.sort_by(f64::total_cmp);
            println!(
                "| {} | {interval} | {} | {:.2} | {:.2} | {:.2}x | {:.2}–{:.2}x | {:.2} | {:.2} | {:.1} | {:.1} |",
                r.replies,
                r.polls,
                r.cpu_per_poll * 1e3,
                r.floor * 1e3,
                median(r.ratios.clone()),
                sorted[0],
                sorted[sorted.len() - 1],
                r.scan * 1e3,
                r.scrape * 1e3,
                r.rss,
                r.peak
            );
            by_size.push((r.tracked, r.rss));
        }
        drop(holders);
    }
    if let (Some(a), Some(b)) = (by_size.first(), by_size.last()) {
        if b.0 > a.0 {
            println!(
                "\nmemory per tracked socket: {:.0} bytes (RSS {:.1} -> {:.1} MiB for {} -> {} sockets)",
                (b.1 - a.1) * 1024.0 * 1024.0 / (b.0 - a.0),
                a.1,
                b.1,
                a.0,
                b.0
            );
        }
    }
}
