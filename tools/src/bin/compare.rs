//! The end-to-end comparison: every way to list a host's TCP sockets, on the
//! same sockets, in one run.
//!
//! In a private network namespace it opens N established loopback
//! connections (2N sockets, 10% of them IPv6; held by child processes,
//! since one process may hold only so many descriptors), then runs each
//! contender as its own process under GNU `time`, alternating, `runs` times:
//!
//! - `floor`: two `inet_diag_req_v2` dumps (IPv4, then IPv6, every state)
//!   read by a raw `recv` loop that only walks message headers to count
//!   them and find `NLMSG_DONE` — what any sock_diag reader must pay;
//!   `floor+info` the same asking for `INET_DIAG_INFO`;
//! - `sockdiag`: the same two dumps through `DiagSocket`, every reply
//!   viewed (addresses, ports, state, queues, inode, cookie read);
//!   `sockdiag+info` also decoding `tcp_info`; `sockdiag legacy`: one
//!   `TCPDIAG_GETSOCK` walk for both families;
//! - the CLI: `sockdiag -tanH`, `sockdiag -taniH` (numeric, as the `ss` runs);
//! - `ss -tanH`, `ss -taniH`; `cat /proc/net/tcp /proc/net/tcp6`.
//!
//! It prints the median wall, user and system time and the peak RSS of
//! each, with wall time as a ratio to the floor of the same run, and checks
//! that every contender counted the same sockets.
//!
//! Run as root: `cargo build --release --workspace && cargo run --release -p sockdiag-tools --bin
//! compare -- 100000 7` (connections, runs; default 10000 and 7).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read};
use std::os::fd::AsRawFd;
use std::process::{Command, Stdio};

use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use sockdiag::inet::{Extensions, Family, InetRequest, LegacyRequest, Protocol, States};
use sockdiag::{DiagSocket, Request};

/// `floor` mode: two v2 dumps through a raw recv loop; prints the count.
fn floor(info: bool) {
    let fd = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .unwrap();
    socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, 0)).unwrap();
    let mut buf = vec![0u8; 32 * 1024];
    let mut count = 0u64;
    for (seq, family) in [Family::Inet, Family::Inet6].into_iter().enumerate() {
        let mut req = InetRequest::new(family, Protocol::Tcp).with_states(States::DEFAULT);
        if info {
            req = req.with_extensions(Extensions::INFO);
        }
        let bytes = req.encode(seq as u32 + 1);
        socket::sendto(
            fd.as_raw_fd(),
            bytes.as_ref(),
            &NetlinkAddr::new(0, 0),
            MsgFlags::empty(),
        )
        .unwrap();
        'dump: loop {
            let n = socket::recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).unwrap();
            let mut off = 0;
            while off + 16 <= n {
                let len = u32::from_ne_bytes(buf[off..off + 4].try_into().unwrap()) as usize;
                let kind = u16::from_ne_bytes(buf[off + 4..off + 6].try_into().unwrap());
                if kind == 3 {
                    break 'dump; // NLMSG_DONE
                }
                count += 1;
                off += (len + 3) & !3;
            }
        }
    }
    println!("{count}");
}

/// `sockdiag` modes: the library, every reply viewed; prints the count.
fn library(mode: &str) {
    let mut sock = DiagSocket::new().unwrap();
    let mut count = 0u64;
    let mut acc = 0u64;
    let mut view = |m: sockdiag::inet::InetMsg<'_>, info: bool| {
        count += 1;
        let (src, dst) = (m.src(), m.dst());
        acc = acc
            .wrapping_add(u64::from(src.port() ^ dst.port()))
            .wrapping_add(u64::from(m.state().to_raw()))
            .wrapping_add(u64::from(m.rqueue() ^ m.wqueue() ^ m.inode()))
            .wrapping_add(m.cookie());
        if info {
            for a in m.attributes().flatten() {
                if let sockdiag::inet::InetAttr::TcpInfo(i) = a {
                    acc = acc.wrapping_add(u64::from(i.rtt().unwrap_or(0)));
                }
            }
        }
    };
    match mode {
        "split" => {
            let mut scan = sockdiag::poll::Scanner::new(LegacyRequest::tcp())
                .unwrap()
                .halves()
                .unwrap();
            scan.scan(|_, m| {
                view(m, false);
                Ok::<(), sockdiag::Error>(())
            })
            .unwrap();
        }
        "legacy" => sock
            .for_each(&LegacyRequest::tcp(), |m| view(m, false))
            .unwrap(),
        _ => {
            let info = mode == "info";
            for family in [Family::Inet, Family::Inet6] {
                let mut req = InetRequest::new(family, Protocol::Tcp);
                if info {
                    req = req.with_extensions(Extensions::INFO);
                }
                sock.for_each(&req, |m| view(m, info)).unwrap();
            }
        }
    }
    std::hint::black_box(acc);
    println!("{count}");
}

/// One measurement: wall, user, sys seconds, peak RSS KiB, and the count.
struct Sample {
    wall: f64,
    user: f64,
    sys: f64,
    rss_kib: u64,
    count: u64,
}

/// How a contender's output says how many sockets it saw.
#[derive(Clone, Copy)]
enum Counted {
    /// It prints the number.
    Printed,
    /// One line per socket.
    Lines,
    /// One line per socket, and continuation lines starting with a tab.
    LinesNoTab,
    /// One line per socket after a header line per file.
    ProcNet,
}

fn measure(program: &str, args: &[&str], counted: Counted) -> Sample {
    // Wall time from here (GNU time prints only hundredths); CPU and RSS
    // from GNU time.
    let start = std::time::Instant::now();
    let mut child = Command::new("/usr/bin/time")
        .args(["-f", "@@ %e %U %S %M", program])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("GNU time (/usr/bin/time; apt-get install time)");
    let mut count = 0u64;
    let mut printed = 0u64;
    for line in BufReader::new(child.stdout.take().unwrap()).split(b'\n') {
        let line = line.unwrap();
        match counted {
            Counted::Printed => {
                printed = String::from_utf8_lossy(&line).trim().parse().unwrap_or(0)
            }
            Counted::Lines => count += 1,
            Counted::LinesNoTab => count += u64::from(line.first() != Some(&b'\t')),
            Counted::ProcNet => count += u64::from(!line.trim_ascii_start().starts_with(b"sl")),
        }
    }
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(child.wait().unwrap().success(), "{program} {args:?}: {err}");
    let wall = start.elapsed().as_secs_f64();
    let stats = err
        .lines()
        .rfind(|l| l.starts_with("@@ "))
        .expect("time's line");
    let f: Vec<&str> = stats.split_whitespace().collect();
    Sample {
        wall,
        user: f[2].parse().unwrap(),
        sys: f[3].parse().unwrap(),
        rss_kib: f[4].parse().unwrap(),
        count: if matches!(counted, Counted::Printed) {
            printed
        } else {
            count
        },
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    support::hold_if_asked();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--floor") => return floor(args.get(1).is_some_and(|a| a == "info")),
        Some("--library") => return library(&args[1]),
        _ => {}
    }
    let connections: usize = args.first().map_or(10_000, |a| a.parse().unwrap());
    let runs: usize = args.get(1).map_or(7, |a| a.parse().unwrap());
    support::enter_private_netns().expect("needs root for a private netns");
    let holders = support::Holders::spawn(connections, 10);
    let sockets = holders.sockets;
    let v6 = connections / 10;
    let me = std::env::current_exe().unwrap();
    let cli = me.parent().unwrap().join("sockdiag");
    let cli = cli.to_str().unwrap();
    let me = me.to_str().unwrap();
    let contenders: Vec<(&str, &str, Vec<&str>, Counted)> = vec![
        ("floor", me, vec!["--floor"], Counted::Printed),
        ("floor+info", me, vec!["--floor", "info"], Counted::Printed),
        (
            "sockdiag (2 v2 dumps)",
            me,
            vec!["--library", "plain"],
            Counted::Printed,
        ),
        (
            "sockdiag+info",
            me,
            vec!["--library", "info"],
            Counted::Printed,
        ),
        (
            "sockdiag legacy walk",
            me,
            vec!["--library", "legacy"],
            Counted::Printed,
        ),
        (
            "sockdiag Scanner halves",
            me,
            vec!["--library", "split"],
            Counted::Printed,
        ),
        ("sockdiag -tanH (CLI)", cli, vec!["-tanH"], Counted::Lines),
        (
            "sockdiag -taniH (CLI)",
            cli,
            vec!["-taniH"],
            Counted::LinesNoTab,
        ),
        ("ss -tanH", "ss", vec!["-tanH"], Counted::Lines),
        ("ss -taniH", "ss", vec!["-taniH"], Counted::LinesNoTab),
        (
            "cat /proc/net/tcp{,6}",
            "cat",
            vec!["/proc/net/tcp", "/proc/net/tcp6"],
            Counted::ProcNet,
        ),
    ];
    let mut samples: Vec<Vec<Sample>> = contenders.iter().map(|_| Vec::new()).collect();
    for _ in 0..runs {
        for (i, (_, program, args, counted)) in contenders.iter().enumerate() {
            samples[i].push(measure(program, args, *counted));
        }
    }
    let floor_wall = median(samples[0].iter().map(|s| s.wall).collect());
    println!(
        "{connections} connections, {sockets} TCP sockets ({} IPv6) in a private namespace; median of {runs} alternating runs",
        2 * v6
    );
    println!(
        "{:<24} {:>9} {:>8} {:>8} {:>9} {:>8} {:>9}",
        "contender", "wall ms", "user ms", "sys ms", "RSS KiB", "x floor", "sockets"
    );
    for ((name, ..), s) in contenders.iter().zip(&samples) {
        let wall = median(s.iter().map(|s| s.wall).collect());
        let counts: Vec<u64> = s.iter().map(|s| s.count).collect();
        println!(
            "{name:<24} {:>9.0} {:>8.0} {:>8.0} {:>9} {:>8.2} {:>9}",
            wall * 1e3,
            median(s.iter().map(|s| s.user).collect()) * 1e3,
            median(s.iter().map(|s| s.sys).collect()) * 1e3,
            s.iter().map(|s| s.rss_kib).max().unwrap(),
            wall / floor_wall,
            counts[0]
        );
        for c in &counts {
            // Every contender sees every socket; ss and /proc also list
            // nothing else in this namespace.
            assert_eq!(*c as usize, sockets, "{name} counted {c}, not {sockets}");
        }
    }
    drop(holders);
}
