//! Where the time of a TCP dump goes and what each knob buys: receive
//! buffer sizes, peeking at a datagram's size before reading it,
//! `recvmmsg`, the extensions asked for, kernel-side filters, the state
//! mask, one legacy walk against two v2 dumps.
//!
//! In a private network namespace with N established loopback connections
//! (10% IPv6), each variant runs `runs` times, alternating with the
//! others; it prints the median wall time, the median CPU time of this
//! process (user + system) and the sockets seen.
//!
//! Run as root: `cargo run --release -p sockdiag-tools --bin limits -- 100000 9`
//! (connections, runs; default 10000 and 9).

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::io::IoSliceMut;
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, MultiHeaders, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use sockdiag::inet::filter::Filter;
use sockdiag::inet::{Extensions, InetRequest, LegacyRequest, States};
use sockdiag::{DiagSocket, Request};

fn cpu() -> Duration {
    let u = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let d =
        |t: nix::sys::time::TimeVal| Duration::new(t.tv_sec() as u64, t.tv_usec() as u32 * 1000);
    d(u.user_time()) + d(u.system_time())
}

fn raw_socket() -> OwnedFd {
    let fd = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .unwrap();
    socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).unwrap();
    fd
}

/// Counts the messages of `buf[..n]`; true at `NLMSG_DONE`.
fn walk(buf: &[u8], n: usize, count: &mut u64) -> bool {
    let mut off = 0;
    while off + 16 <= n {
        let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
        if u16::from_ne_bytes(buf[off + 4..off + 6].try_into().unwrap()) == 3 {
            return true;
        }
        *count += 1;
        off += (len + 3) & !3;
    }
    false
}

fn send(fd: &OwnedFd, req: &impl Request) {
    let bytes = req.encode(1);
    socket::sendto(
        fd.as_raw_fd(),
        bytes.as_ref(),
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .unwrap();
}

/// A legacy TCP dump read by a raw loop: one `recv` per datagram into a
/// 32 KiB buffer, or a `MSG_PEEK | MSG_TRUNC` first to learn its size.
fn raw_recv(peek: bool) -> u64 {
    let fd = raw_socket();
    send(&fd, &LegacyRequest::tcp());
    let mut buf = vec![0u8; 32 * 1024];
    let mut count = 0;
    loop {
        if peek {
            let size = socket::recv(
                fd.as_raw_fd(),
                &mut [],
                MsgFlags::MSG_PEEK | MsgFlags::MSG_TRUNC,
            )
            .unwrap();
            if buf.len() < size {
                buf.resize(size, 0);
            }
        }
        let n = socket::recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).unwrap();
        if walk(&buf, n, &mut count) {
            return count;
        }
    }
}

/// The same with `recvmmsg`, up to `k` datagrams of 32 KiB per call.
fn raw_recvmmsg(k: usize) -> u64 {
    let fd = raw_socket();
    send(&fd, &LegacyRequest::tcp());
    let mut bufs = vec![vec![0u8; 32 * 1024]; k];
    let mut headers = MultiHeaders::<NetlinkAddr>::preallocate(k, None);
    let mut count = 0;
    loop {
        let mut lens = Vec::with_capacity(k);
        {
            let mut iovs: Vec<[IoSliceMut<'_>; 1]> =
                bufs.iter_mut().map(|b| [IoSliceMut::new(b)]).collect();
            let res = socket::recvmmsg(
                fd.as_raw_fd(),
                &mut headers,
                iovs.iter_mut(),
                MsgFlags::MSG_WAITFORONE,
                None,
            )
            .unwrap();
            for r in res {
                lens.push(r.bytes);
            }
        }
        for (b, n) in bufs.iter().zip(lens) {
            if walk(b, n, &mut count) {
                return count;
            }
        }
    }
}

/// A dump through the library, every reply's fixed fields read.
fn library<R>(sock: &mut DiagSocket, req: &R) -> u64
where
    R: for<'b> Request<Msg<'b> = sockdiag::inet::InetMsg<'b>>,
{
    let mut count = 0;
    let mut acc = 0u64;
    sock.for_each(req, |m| {
        count += 1;
        acc = acc
            .wrapping_add(m.cookie())
            .wrapping_add(u64::from(m.src_port() ^ m.dst_port()) ^ u64::from(m.inode()));
    })
    .unwrap();
    std::hint::black_box(acc);
    count
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

type Variant = (String, Box<dyn FnMut() -> u64>);

fn main() {
    support::hold_if_asked();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let connections: usize = args.first().map_or(10_000, |a| a.parse().unwrap());
    let runs: usize = args.get(1).map_or(9, |a| a.parse().unwrap());
    support::enter_private_netns().expect("needs root for a private netns");
    let holders = support::Holders::spawn(connections, 10);
    let legacy = LegacyRequest::tcp();
    let mut variants: Vec<Variant> = Vec::new();
    for kib in [4, 8, 16, 32, 64, 256] {
        let mut sock = DiagSocket::with_buffer_size(kib * 1024).unwrap();
        variants.push((
            format!("library, {kib} KiB receive buffer"),
            Box::new(move || library(&mut sock, &legacy)),
        ));
    }
    variants.push((
        "raw loop, one recv per datagram".into(),
        Box::new(|| raw_recv(false)),
    ));
    variants.push((
        "raw loop, peek size then recv".into(),
        Box::new(|| raw_recv(true)),
    ));
    variants.push(("raw loop, recvmmsg x8".into(), Box::new(|| raw_recvmmsg(8))));
    let ext_sets = [
        ("no extensions", Extensions::empty()),
        ("INFO", Extensions::INFO),
        ("INFO|CONG", Extensions::INFO | Extensions::CONG),
        ("SKMEMINFO", Extensions::SKMEMINFO),
        ("every extension", Extensions::all()),
    ];
    for (name, ext) in ext_sets {
        let mut sock = DiagSocket::new().unwrap();
        let req = legacy.with_extensions(ext);
        variants.push((
            format!("library, {name}"),
            Box::new(move || library(&mut sock, &req)),
        ));
    }
    for (name, states) in [
        (
            "states: every state but bound-inactive (default)",
            States::DEFAULT,
        ),
        ("states: with bound-inactive", States::all()),
        ("states: established only", States::ESTABLISHED),
    ] {
        let mut sock = DiagSocket::new().unwrap();
        let req = legacy.with_states(states);
        variants.push((
            format!("library, {name}"),
            Box::new(move || library(&mut sock, &req)),
        ));
    }
    for text in ["sport = :10000", "dport = :1", "sport >= :1"] {
        let filter: Filter = text.parse().unwrap();
        let program = filter.compile().unwrap();
        let mut sock = DiagSocket::new().unwrap();
        variants.push((
            format!("library, kernel filter '{text}'"),
            Box::new(move || library(&mut sock, &legacy.with_bytecode(&program))),
        ));
    }
    {
        let mut sock = DiagSocket::new().unwrap();
        variants.push((
            "library, two v2 dumps (IPv4, IPv6)".into(),
            Box::new(move || {
                library(
                    &mut sock,
                    &InetRequest::new(sockdiag::inet::Family::Inet, sockdiag::inet::Protocol::Tcp),
                ) + library(
                    &mut sock,
                    &InetRequest::new(sockdiag::inet::Family::Inet6, sockdiag::inet::Protocol::Tcp),
                )
            }),
        ));
    }
    let mut wall = vec![Vec::new(); variants.len()];
    let mut cpus = vec![Vec::new(); variants.len()];
    let mut counts = vec![0; variants.len()];
    for _ in 0..runs {
        for (i, (_, f)) in variants.iter_mut().enumerate() {
            let (t, c) = (Instant::now(), cpu());
            counts[i] = f();
            wall[i].push(t.elapsed());
            cpus[i].push(cpu() - c);
        }
    }
    println!(
        "{connections} connections, {} TCP sockets (10% of connections IPv6) in a private namespace; median of {runs} alternating runs",
        holders.sockets
    );
    println!(
        "{:<58} {:>9} {:>9} {:>9}",
        "variant", "wall ms", "cpu ms", "sockets"
    );
    for (i, (name, _)) in variants.iter().enumerate() {
        println!(
            "{name:<58} {:>9.2} {:>9.2} {:>9}",
            median(wall[i].clone()).as_secs_f64() * 1e3,
            median(cpus[i].clone()).as_secs_f64() * 1e3,
            counts[i]
        );
    }
    drop(holders);
}
