//! The end-to-end comparison: every way to list a host's TCP sockets, on the
//! same sockets, in one run.
//!
//! In a private network namespace it opens N established loopback
//! connections (2N sockets, 10% of them IPv6; held by child processes,
//! since one process may hold only so many descriptors), prints the
//! machine (CPU model, vCPUs, kernel, iproute2), then runs each contender
//! as its own process under GNU `time`, alternating, `runs` times, each
//! time twice: stdout to `/dev/null` ("null") and into a pipe read by this
//! process ("pipe", which also counts the sockets listed):
//!
//! - `floor`: one legacy `TCPDIAG_GETSOCK` walk (both families) read by a
//!   raw `recv` loop that only walks message headers to count them and
//!   find `NLMSG_DONE` — what any sock_diag reader must pay; `floor+info`
//!   the same asking for `INET_DIAG_INFO`; `floor v2` two
//!   `inet_diag_req_v2` dumps (IPv4, then IPv6);
//! - `library`: the legacy walk through `DiagSocket`, every reply viewed;
//! - the CLI, numeric like the `ss` runs: `-tanH`, `-taniH`, `-tan --json`,
//!   `-tani --json`, each with `--workers auto` (the default), `1`, `2`
//!   (pipelined) and `halves`; `-tanpH`;
//! - `ss -tanH`, `ss -taniH`, `ss -tanpH`; `cat /proc/net/tcp /proc/net/tcp6`.
//!
//! It prints the median wall time of both sinks, the user time and the
//! peak RSS of each, with wall time as a ratio to the floor of the same
//! run (the `-i` rows to `floor+info`), and checks that every contender
//! counted the same sockets.
//!
//! `compare --scale 1000,10000,100000 5` instead runs the floor and the
//! default CLI at each size and prints the cost per socket and the peak
//! RSS, to show the cost stays linear and the memory flat.
//!
//! `compare --run N COMMAND ARGS...` runs one command on the same
//! population (stdout to `/dev/null`), for a profiler: `compare --run
//! 100000 perf record -g target/release/sockdiag -taniH`.
//!
//! Run as root: `cargo build --release --workspace && target/release/compare 100000 7`
//! (connections, runs; default 10000 and 7).

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

/// `floor` mode: one legacy walk (or two v2 dumps) through a raw recv
/// loop; prints the count.
fn floor(info: bool, v2: bool) {
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
    let ext = if info {
        Extensions::INFO
    } else {
        Extensions::empty()
    };
    let requests: Vec<Vec<u8>> = if v2 {
        [Family::Inet, Family::Inet6]
            .into_iter()
            .enumerate()
            .map(|(seq, family)| {
                InetRequest::new(family, Protocol::Tcp)
                    .with_states(States::DEFAULT)
                    .with_extensions(ext)
                    .encode(seq as u32 + 1)
                    .as_ref()
                    .to_vec()
            })
            .collect()
    } else {
        vec![LegacyRequest::tcp()
            .with_extensions(ext)
            .encode(1)
            .as_ref()
            .to_vec()]
    };
    for bytes in requests {
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

/// `library` mode: the legacy walk through the library, every reply
/// viewed (addresses, ports, state, queues, inode, cookie); prints the
/// count.
fn library() {
    let mut sock = DiagSocket::new().unwrap();
    let mut count = 0u64;
    let mut acc = 0u64;
    sock.for_each(&LegacyRequest::tcp(), |m| {
        count += 1;
        let (src, dst) = (m.src(), m.dst());
        acc = acc
            .wrapping_add(u64::from(src.port() ^ dst.port()))
            .wrapping_add(u64::from(m.state().to_raw()))
            .wrapping_add(u64::from(m.rqueue() ^ m.wqueue() ^ m.inode()))
            .wrapping_add(m.cookie());
    })
    .unwrap();
    std::hint::black_box(acc);
    println!("{count}");
}

/// One measurement: wall, user, sys seconds, peak RSS KiB, and the count.
struct Sample {
    wall: f64,
    user: f64,
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

fn measure(program: &str, args: &[&str], counted: Counted, pipe: bool) -> Sample {
    // Wall time from here (GNU time prints only hundredths); CPU and RSS
    // from GNU time.
    let start = std::time::Instant::now();
    let mut child = Command::new("/usr/bin/time")
        .args(["-f", "@@ %e %U %S %M", program])
        .args(args)
        .stdout(if pipe { Stdio::piped() } else { Stdio::null() })
        .stderr(Stdio::piped())
        .spawn()
        .expect("GNU time (/usr/bin/time; apt-get install time)");
    let mut count = 0u64;
    let mut printed = 0u64;
    let lines = child
        .stdout
        .take()
        .map(|out| BufReader::new(out).split(b'\n'));
    for line in lines.into_iter().flatten() {
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

/// `--scale SIZES RUNS`: the floor and the default CLI at each size.
fn scale(sizes: &str, runs: usize, cli: &str, me: &str) {
    println!(
        "{:>12} {:>9} {:>12} {:>12} {:>14} {:>9}",
        "connections", "sockets", "floor ms", "CLI ms", "CLI ns/socket", "RSS KiB"
    );
    for n in sizes.split(',').map(|n| n.parse::<usize>().unwrap()) {
        // A fresh namespace for each size: the last one's closed
        // connections linger in TIME-WAIT.
        support::enter_private_netns().expect("needs root for a private netns");
        let holders = support::Holders::spawn(n, 10);
        // Let the new connections settle (delayed ACKs, timers), and warm
        // the caches.
        std::thread::sleep(std::time::Duration::from_secs(2));
        measure(cli, &["-tanH"], Counted::Lines, true);
        let (mut fl, mut c, mut rss) = (Vec::new(), Vec::new(), 0);
        for _ in 0..runs {
            fl.push(measure(me, &["--floor"], Counted::Printed, true).wall);
            let s = measure(cli, &["-tanH"], Counted::Lines, true);
            assert_eq!(s.count as usize, holders.sockets);
            rss = rss.max(s.rss_kib);
            c.push(s.wall);
        }
        let (fl, c) = (median(fl), median(c));
        println!(
            "{n:>12} {:>9} {:>12.1} {:>12.1} {:>14.0} {rss:>9}",
            holders.sockets,
            fl * 1e3,
            c * 1e3,
            c * 1e9 / holders.sockets as f64
        );
    }
}

fn main() {
    support::hold_if_asked();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--floor") => {
            return floor(
                args.iter().any(|a| a == "info"),
                args.iter().any(|a| a == "v2"),
            )
        }
        Some("--library") => return library(),
        _ => {}
    }
    let me = std::env::current_exe().unwrap();
    let cli = me.parent().unwrap().join("sockdiag");
    let cli = cli.to_str().unwrap().to_owned();
    let me = me.to_str().unwrap().to_owned();
    println!("{}", support::machine());
    if args.first().map(String::as_str) == Some("--run") {
        let n: usize = args[1].parse().unwrap();
        support::enter_private_netns().expect("needs root for a private netns");
        let holders = support::Holders::spawn(n, 10);
        eprintln!("{} TCP sockets", holders.sockets);
        let status = Command::new(&args[2])
            .args(&args[3..])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{:?}", &args[2..]);
        return;
    }
    if args.first().map(String::as_str) == Some("--scale") {
        let runs = args.get(2).map_or(5, |a| a.parse().unwrap());
        return scale(&args[1], runs, &cli, &me);
    }
    let connections: usize = args.first().map_or(10_000, |a| a.parse().unwrap());
    let runs: usize = args.get(1).map_or(7, |a| a.parse().unwrap());
    support::enter_private_netns().expect("needs root for a private netns");
    let holders = support::Holders::spawn(connections, 10);
    let sockets = holders.sockets;
    let v6 = connections / 10;
    let (cli, me) = (cli.as_str(), me.as_str());
    // (name, program, arguments, how it counts, the floor it is compared with)
    let mut contenders: Vec<(String, &str, Vec<&str>, Counted, usize)> = vec![
        ("floor".into(), me, vec!["--floor"], Counted::Printed, 0),
        (
            "floor+info".into(),
            me,
            vec!["--floor", "info"],
            Counted::Printed,
            1,
        ),
        (
            "floor v2 (2 dumps)".into(),
            me,
            vec!["--floor", "v2"],
            Counted::Printed,
            0,
        ),
        (
            "library (legacy walk)".into(),
            me,
            vec!["--library"],
            Counted::Printed,
            0,
        ),
    ];
    for (args, counted, base) in [
        ("-tanH", Counted::Lines, 0),
        ("-taniH", Counted::LinesNoTab, 1),
        ("-tan --json", Counted::Lines, 0),
        ("-tani --json", Counted::Lines, 1),
    ] {
        for workers in ["auto", "1", "2", "halves"] {
            let mut a: Vec<&str> = args.split(' ').collect();
            a.extend(["--workers", workers]);
            contenders.push((
                format!("sockdiag {args} -w{workers}"),
                cli,
                a,
                counted,
                base,
            ));
        }
    }
    contenders.extend([
        (
            "sockdiag -tanpH".into(),
            cli,
            vec!["-tanpH"],
            Counted::Lines,
            0,
        ),
        ("ss -tanH".into(), "ss", vec!["-tanH"], Counted::Lines, 0),
        (
            "ss -taniH".into(),
            "ss",
            vec!["-taniH"],
            Counted::LinesNoTab,
            1,
        ),
        ("ss -tanpH".into(), "ss", vec!["-tanpH"], Counted::Lines, 0),
        (
            "cat /proc/net/tcp{,6}".into(),
            "cat",
            vec!["/proc/net/tcp", "/proc/net/tcp6"],
            Counted::ProcNet,
            0,
        ),
    ]);
    // [contender][sink: null, pipe]
    let mut samples: Vec<[Vec<Sample>; 2]> = contenders
        .iter()
        .map(|_| [Vec::new(), Vec::new()])
        .collect();
    for _ in 0..runs {
        for (i, (_, program, args, counted, _)) in contenders.iter().enumerate() {
            for (sink, pipe) in [false, true].into_iter().enumerate() {
                samples[i][sink].push(measure(program, args, *counted, pipe));
            }
        }
    }
    let wall = |i: usize, sink: usize| median(samples[i][sink].iter().map(|s| s.wall).collect());
    println!(
        "{connections} connections, {sockets} TCP sockets ({} IPv6) in a private namespace; median of {runs} alternating rounds",
        2 * v6
    );
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "contender", "null ms", "x floor", "pipe ms", "x floor", "user ms", "RSS KiB", "sockets"
    );
    for (i, (name, _, _, _, base)) in contenders.iter().enumerate() {
        let s = &samples[i];
        let count = s[1][0].count;
        println!(
            "{name:<28} {:>8.1} {:>8.2} {:>8.1} {:>8.2} {:>9.0} {:>9} {:>9}",
            wall(i, 0) * 1e3,
            wall(i, 0) / wall(*base, 0),
            wall(i, 1) * 1e3,
            wall(i, 1) / wall(*base, 1),
            median(s[1].iter().map(|s| s.user).collect()) * 1e3,
            s.iter().flatten().map(|s| s.rss_kib).max().unwrap(),
            count
        );
        for c in s[1].iter().map(|s| s.count) {
            // Every contender sees every socket; ss and /proc also list
            // nothing else in this namespace.
            assert_eq!(c as usize, sockets, "{name} counted {c}, not {sockets}");
        }
    }
    drop(holders);
}
