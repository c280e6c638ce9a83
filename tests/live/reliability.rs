//! Live reliability tests: broken and hostile replies, churn while
//! scanning, several scanners at once, least privilege.

use std::collections::{HashMap, HashSet};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use nix::sys::socket::{self, MsgFlags, NetlinkAddr};
use sockdiag::inet::{
    Extensions, Family, InetAttr, InetMsg, InetRequest, LegacyRequest, Protocol, States,
};
use sockdiag::{DiagSocket, Error, RawRequest, Request};

use crate::dump_all;
use crate::support::{self, addr, AttrPopulation, Population};

#[allow(unused_imports)]
use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    broken_replies_are_typed_errors,
    dumps_survive_churn,
    helper_scan,
    unprivileged_scans_lack_only_privileged_fields,
    datagrams_from_other_senders_are_dropped,
];

/// Replies the scanner must refuse, and errors it must name.
pub fn broken_replies_are_typed_errors() {
    let _p = Population::create();
    let req = InetRequest::new(Family::Inet, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    sock.set_timeout(Some(Duration::from_secs(10))).unwrap();
    assert_eq!(dump_all(&mut sock, req).len(), 6);

    // A family the kernel does not know (>= AF_MAX): its EINVAL, typed.
    let mut body = [0u8; 56];
    body[0] = 255;
    let r = sock.snapshot(&RawRequest::dump(&body));
    match r {
        Err(Error::Kernel(k)) => assert_eq!(k.errno(), libc::EINVAL, "{k}"),
        other => panic!("unknown family: {other:?}"),
    }
    // A known family without a diag handler (AF_APPLETALK = 5): ENOENT,
    // which a dump reports as an unavailable family, not as no sockets.
    body[0] = 5;
    let r = sock.snapshot(&RawRequest::dump(&body));
    assert!(
        matches!(r, Err(Error::Unavailable { family: 5, .. })),
        "{r:?}"
    );
    assert!(r.unwrap_err().to_string().contains("family 5"));

    // A datagram larger than the receive buffer: the kernel echoes a 40 KiB
    // request in its error, and the 32 KiB buffer reports truncation.
    let mut big = vec![0u8; 40 << 10];
    big[0] = 255;
    let r = sock.snapshot(&RawRequest::dump(&big));
    match r {
        Err(Error::Truncated {
            datagram_len,
            buffer_len,
        }) => {
            assert_eq!(buffer_len, sockdiag::DEFAULT_BUFFER_SIZE);
            assert!(datagram_len > big.len(), "{datagram_len}");
        }
        other => panic!("oversized reply: {other:?}"),
    }
    // The socket is still good.
    assert_eq!(dump_all(&mut sock, req).len(), 6);

    // Replies with another sequence number (a request someone else sent
    // through this socket's descriptor) are refused, never mixed in.
    let stray = req.encode(0x5eed);
    socket::sendto(
        sock.as_fd().as_raw_fd(),
        stray.as_ref(),
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .unwrap();
    let r = sock.snapshot(&req);
    assert!(
        matches!(r, Err(Error::Sequence { found: 0x5eed, .. })),
        "{r:?}"
    );
    // What was queued is drained before the next request.
    assert_eq!(dump_all(&mut sock, req).len(), 6);

    // A dump whose replies never come (another reader of the descriptor
    // took them) ends in a timeout, not a hang; the socket then recovers.
    sock.set_timeout(Some(Duration::from_millis(200))).unwrap();
    let fd = sock.as_fd().as_raw_fd();
    let mut dump = sock.dump(&req).unwrap();
    let mut stolen = 0;
    let mut buf = vec![0u8; 64 << 10];
    while let Ok(n) = socket::recv(fd, &mut buf, MsgFlags::MSG_DONTWAIT) {
        stolen += n;
    }
    assert!(stolen > 0);
    let began = Instant::now();
    let r = dump.next_batch().map(|b| b.map(|b| b.len()));
    assert!(matches!(r, Err(Error::Timeout)), "{r:?}");
    assert!(began.elapsed() >= Duration::from_millis(150));
    assert!(began.elapsed() < Duration::from_secs(5));
    drop(dump);
    sock.set_timeout(Some(Duration::from_secs(10))).unwrap();
    assert_eq!(dump_all(&mut sock, req).len(), 6);

    // A RAW dump on a kernel without raw_diag: NLMSG_DONE with -ENOENT is
    // an error naming the protocol, not an empty list.
    if !support::kernel_module("raw_diag") {
        let r = sock.snapshot(&InetRequest::new(Family::Inet, Protocol::Raw));
        assert!(
            matches!(r, Err(Error::Unavailable { protocol: 255, .. })),
            "{r:?}"
        );
    }

    // A bad program never reaches the kernel: the local audit refuses it.
    let bad = [1u8, 4, 0, 0]; // INET_DIAG_BC_JMP with no room to jump
    assert!(sockdiag::inet::filter::Bytecode::new(&bad[..]).is_err());
}

/// One connection of the churn: its two ends and when it lived.
struct Life {
    client: (SocketAddr, SocketAddr),
    server: (SocketAddr, SocketAddr),
    opened: Instant,
    closed: Instant,
}

/// Opens and closes connections to `listener` until `stop`, keeping the
/// last `keep` open; returns every closed connection's life.
fn churn(listener: &TcpListener, keep: usize, stop: &AtomicBool) -> Vec<Life> {
    let server = listener.local_addr().unwrap();
    let mut open: std::collections::VecDeque<(TcpStream, TcpStream, Instant)> =
        std::collections::VecDeque::new();
    let mut lives = Vec::new();
    let close = |c: TcpStream, s: TcpStream, opened: Instant, lives: &mut Vec<Life>| {
        let life = Life {
            client: (c.local_addr().unwrap(), server),
            server: (server, c.local_addr().unwrap()),
            opened,
            closed: Instant::now(),
        };
        // Reset rather than TIME_WAIT: the namespace does not fill up.
        for s in [&c, &s] {
            socket::setsockopt(
                s,
                socket::sockopt::Linger,
                &libc::linger {
                    l_onoff: 1,
                    l_linger: 0,
                },
            )
            .unwrap();
        }
        lives.push(life);
    };
    // Bounded: at most a minute or 2 million connections.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline && lives.len() < 2_000_000 {
        let c = TcpStream::connect(server).unwrap();
        let (s, _) = listener.accept().unwrap();
        open.push_back((c, s, Instant::now()));
        if open.len() > keep {
            let (c, s, opened) = open.pop_front().unwrap();
            close(c, s, opened, &mut lives);
        }
    }
    for (c, s, opened) in open {
        close(c, s, opened, &mut lives);
    }
    lives
}

/// One dump's result: when it ran, the endpoints it listed and in how
/// many datagrams.
struct Seen {
    start: Instant,
    end: Instant,
    endpoints: HashSet<(SocketAddr, SocketAddr)>,
    repeated: usize,
    batches: usize,
}

/// Runs `n` dumps of `req` on a socket of its own (stops early when
/// `stop` is set).
fn scan<R>(req: R, n: usize, stop: &AtomicBool) -> Vec<Seen>
where
    R: for<'b> Request<Msg<'b> = InetMsg<'b>>,
{
    let mut sock = DiagSocket::new().unwrap();
    sock.set_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut seen = Vec::with_capacity(n);
    let mut cookies = HashSet::new();
    for i in 0..n {
        let start = Instant::now();
        let mut endpoints = HashSet::new();
        let (mut repeated, mut batches) = (0, 0);
        cookies.clear();
        let mut dump = sock.dump(&req).unwrap_or_else(|e| panic!("dump {i}: {e}"));
        while let Some(batch) = dump
            .next_batch()
            .unwrap_or_else(|e| panic!("dump {i}: {e}"))
        {
            batches += 1;
            for m in batch {
                if !cookies.insert(m.cookie()) {
                    repeated += 1;
                }
                endpoints.insert((m.src(), m.dst()));
            }
        }
        seen.push(Seen {
            start,
            end: Instant::now(),
            endpoints,
            repeated,
            batches,
        });
        if stop.load(Ordering::Relaxed) {
            break;
        }
    }
    seen
}

/// A thousand dumps while connections open and close thousands of times a
/// second, and a second scanner on its own socket at the same time: no
/// error, no panic, and the sockets that lived through a whole dump are in
/// it — with the one exception the kernel's walk allows (below).
///
/// The kernel fills a dump one datagram at a time and resumes a hash
/// bucket by position: if a socket ahead of S in S's bucket closes between
/// two datagrams, the resumed walk starts one past S and S is missed
/// although it lived throughout. So a dump spread over several datagrams
/// may miss at most a socket per datagram boundary (seen once in about
/// four million socket checks under this churn), while a dump that fits in
/// one datagram (every dump but a fresh socket's first, up to ~32 KiB)
/// is a consistent walk and misses nothing. Both are asserted: the full
/// dumps within that bound, the second scanner's filtered dump of the
/// steady sockets (one datagram) exactly.
pub fn dumps_survive_churn() {
    use sockdiag::inet::filter::Filter;
    // The steady population: 60 connections and their listener.
    let (_listener, _clients) = support::many_connections(7100, 60);
    let steady: Vec<(SocketAddr, SocketAddr)> = {
        let mut sock = DiagSocket::new().unwrap();
        dump_all(&mut sock, InetRequest::new(Family::Inet, Protocol::Tcp))
            .iter()
            .map(|s| (s.src, s.dst))
            .collect()
    };
    assert_eq!(steady.len(), 121);

    let stop = Arc::new(AtomicBool::new(false));
    let churners: Vec<_> = ["127.0.0.1:7101", "[::1]:7102"]
        .into_iter()
        .map(|a| {
            let listener = TcpListener::bind(addr(a)).unwrap();
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || churn(&listener, 100, &stop))
        })
        .collect();
    // Let the churn get going, then scan: every TCP socket of both
    // families in one walk here, the steady ones through a kernel filter
    // in a second thread.
    std::thread::sleep(Duration::from_millis(50));
    let second = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let program = "sport = :7100 or dport = :7100"
                .parse::<Filter>()
                .unwrap()
                .compile()
                .unwrap();
            let req = InetRequest::new(Family::Inet, Protocol::Tcp)
                .with_states(States::all())
                .with_bytecode(&program);
            scan(req, 1000, &stop)
        })
    };
    let began = Instant::now();
    let first = scan(LegacyRequest::tcp().with_states(States::all()), 1000, &stop);
    let scan_time = began.elapsed();
    stop.store(true, Ordering::Relaxed);
    let second = second.join().unwrap();
    let lives: Vec<Life> = churners
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert_eq!(first.len(), 1000);
    assert!(second.len() > 100, "{}", second.len());

    let rate = lives.len() as f64 / scan_time.as_secs_f64();
    println!(
        "    churn: {} connections opened and closed ({rate:.0}/s) during {} + {} dumps in {scan_time:?}",
        lives.len(),
        first.len(),
        second.len()
    );
    assert!(
        rate > 1000.0,
        "churn too slow to mean anything: {rate:.0}/s"
    );

    // The full dumps: every steady socket, and every churned one that
    // outlived the dump, unless the kernel's resumption skipped it.
    let (mut checked, mut churned, mut repeated, mut missed, mut boundaries) = (0, 0, 0, 0, 0);
    for (i, d) in first.iter().enumerate() {
        repeated += d.repeated;
        boundaries += d.batches - 1;
        let mut missing = Vec::new();
        for e in &steady {
            checked += 1;
            if !d.endpoints.contains(e) {
                missing.push(*e);
            }
        }
        for l in lives
            .iter()
            .filter(|l| l.opened < d.start && l.closed > d.end)
        {
            for e in [l.client, l.server] {
                checked += 1;
                churned += 1;
                if !d.endpoints.contains(&e) {
                    missing.push(e);
                }
            }
        }
        assert!(
            missing.len() < d.batches,
            "dump {i} in {} datagrams missed {missing:?}",
            d.batches
        );
        missed += missing.len();
    }
    println!(
        "    full dumps: {checked} (dump, socket) pairs that outlived their dump ({churned} churned), \
         {missed} missed at {boundaries} datagram boundaries, {repeated} repeated"
    );
    assert!(
        churned > 10_000,
        "too few churned sockets outlived a dump: {churned}"
    );
    assert!(missed * 10_000 < checked, "{missed} of {checked} missed");

    // The filtered dumps: one datagram each (but a fresh socket's first),
    // and exact.
    for (i, d) in second.iter().enumerate() {
        assert!(
            i == 0 || d.batches == 1,
            "dump {i}: {} datagrams",
            d.batches
        );
        assert_eq!(d.endpoints.len(), steady.len(), "filtered dump {i}");
        assert!(
            steady.iter().all(|e| d.endpoints.contains(e)),
            "filtered dump {i}"
        );
    }
}

/// `--helper-scan`: dumps TCP of both families with every extension and
/// prints one line per socket: `src dst mark md5`.
pub fn helper_scan() {
    let mut sock = DiagSocket::new().unwrap();
    let req = LegacyRequest::tcp()
        .with_states(States::all())
        .with_extensions(Extensions::all());
    sock.for_each(&req, |m| {
        let mut mark = false;
        let mut md5 = false;
        let mut info = false;
        for a in m.attributes() {
            match a {
                Ok(InetAttr::Mark(_)) => mark = true,
                Ok(InetAttr::Md5Sig(_)) => md5 = true,
                Ok(InetAttr::TcpInfo(_)) => info = true,
                _ => {}
            }
        }
        println!("{} {} {mark} {md5} {info}", m.src(), m.dst());
    })
    .unwrap();
}

/// Without `CAP_NET_ADMIN` (a child process as uid 65534) a scan lists the
/// same sockets and lacks exactly the privileged attributes: `MARK` and
/// `MD5SIG`.
pub fn unprivileged_scans_lack_only_privileged_fields() {
    if !crate::can_drop_privileges("the unprivileged scan") {
        return;
    }
    let _p = AttrPopulation::create();
    let parse = |out: Vec<u8>| -> HashMap<(String, String), (bool, bool, bool)> {
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.split(' ').collect();
                let b = |s: &str| s == "true";
                (
                    (f[0].to_owned(), f[1].to_owned()),
                    (b(f[2]), b(f[3]), b(f[4])),
                )
            })
            .collect()
    };
    let run = |mut cmd: Command| {
        let out = cmd.arg("--helper-scan").output().unwrap();
        assert!(out.status.success(), "{out:?}");
        parse(out.stdout)
    };
    let exe = std::env::current_exe().unwrap();
    let root = run(Command::new(&exe));
    let nobody = run(crate::as_nobody(&exe));
    assert_eq!(
        root.keys().collect::<HashSet<_>>(),
        nobody.keys().collect::<HashSet<_>>(),
        "the same sockets"
    );
    let count = |m: &HashMap<_, (bool, bool, bool)>, f: fn(&(bool, bool, bool)) -> bool| {
        m.values().filter(|v| f(v)).count()
    };
    // Root sees every socket's mark, the MD5 listener's key and tcp_info;
    // nobody sees the tcp_info only.
    assert_eq!(count(&root, |v| v.0), root.len());
    assert_eq!(count(&root, |v| v.1), 1);
    assert_eq!(count(&nobody, |v| v.0), 0);
    assert_eq!(count(&nobody, |v| v.1), 0);
    assert_eq!(count(&root, |v| v.2), count(&nobody, |v| v.2));
    assert!(count(&nobody, |v| v.2) > 0);
}

pub fn datagrams_from_other_senders_are_dropped() {
    let _p = Population::create();
    let req = InetRequest::new(Family::Inet, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    assert_eq!(dump_all(&mut sock, req).len(), 6); // seq 1
                                                   // Another process-level socket forges the end of the next dump (seq 2).
    let forger = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .unwrap();
    socket::bind(forger.as_raw_fd(), &NetlinkAddr::new(0, 0)).unwrap();
    let mut forged = Vec::new();
    forged.extend_from_slice(&20u32.to_ne_bytes());
    forged.extend_from_slice(&3u16.to_ne_bytes()); // NLMSG_DONE
    forged.extend_from_slice(&2u16.to_ne_bytes()); // NLM_F_MULTI
    forged.extend_from_slice(&2u32.to_ne_bytes()); // the next sequence number
    forged.extend_from_slice(&sock.port_id().to_ne_bytes());
    forged.extend_from_slice(&0i32.to_ne_bytes());
    let to = NetlinkAddr::new(sock.port_id(), 0);
    socket::sendto(forger.as_raw_fd(), &forged, &to, MsgFlags::empty()).unwrap();
    // Had it been believed, the dump would be empty.
    assert_eq!(dump_all(&mut sock, req).len(), 6);
    assert_eq!(sock.foreign_datagrams(), 1);
}
