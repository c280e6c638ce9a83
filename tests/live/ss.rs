//! `sockdiag` against `ss` (iproute2) on the same private namespace,
//! holding sockets in every state that can be made: every flag, state
//! and filter combination of the comparison lists the same rows with the
//! same fields, in `ss`'s order and (with `--ss-layout`) its layout.

use std::collections::BTreeSet;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::{UnixDatagram, UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::socket::{self, sockopt, Backlog, SockFlag, SockType, SockaddrIn};

use crate::skip_without_ss;
use crate::support::{self, addr};

pub const TESTS: &[crate::Test] = tests![cli_rows_equal_ss_over_many_combinations];

pub(crate) const BIN: &str = env!("CARGO_BIN_EXE_sockdiag");

/// Every socket of the comparison, held open.
struct SsPopulation {
    /// Held open for the comparison.
    _keep: Vec<OwnedFd>,
    dir: PathBuf,
    /// A BBR connection could be made (the module is there).
    bbr: bool,
}

impl Drop for SsPopulation {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn tcp_socket(v6: bool) -> OwnedFd {
    let family = if v6 {
        socket::AddressFamily::Inet6
    } else {
        socket::AddressFamily::Inet
    };
    socket::socket(family, SockType::Stream, SockFlag::SOCK_CLOEXEC, None).unwrap()
}

fn listen_on(fd: OwnedFd, at: &str, backlog: i32) -> TcpListener {
    let a = addr(at);
    match a {
        std::net::SocketAddr::V4(v4) => socket::bind(fd.as_raw_fd(), &SockaddrIn::from(v4)),
        std::net::SocketAddr::V6(v6) => {
            socket::bind(fd.as_raw_fd(), &socket::SockaddrIn6::from(v6))
        }
    }
    .unwrap_or_else(|e| panic!("bind {at}: {e}"));
    socket::listen(&fd, Backlog::new(backlog).unwrap()).unwrap();
    TcpListener::from(fd)
}

fn connect_from(fd: OwnedFd, to: &str) -> TcpStream {
    let a = addr(to);
    match a {
        std::net::SocketAddr::V4(v4) => socket::connect(fd.as_raw_fd(), &SockaddrIn::from(v4)),
        std::net::SocketAddr::V6(v6) => {
            socket::connect(fd.as_raw_fd(), &socket::SockaddrIn6::from(v6))
        }
    }
    .unwrap_or_else(|e| panic!("connect {to}: {e}"));
    TcpStream::from(fd)
}

/// Writes until the peer's window and our buffer are full (bounded).
fn fill(s: &TcpStream) {
    s.set_nonblocking(true).unwrap();
    let chunk = [7u8; 4096];
    for _ in 0..10_000 {
        match (&*s).write(&chunk) {
            Ok(_) => {}
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                // Let the window close, then check once more.
                std::thread::sleep(Duration::from_millis(20));
                if matches!((&*s).write(&chunk), Err(e) if e.kind() == ErrorKind::WouldBlock) {
                    return;
                }
            }
            Err(e) => panic!("filling: {e}"),
        }
    }
    panic!("the window never closed");
}

/// Waits (bounded) for end-of-file on `s`.
fn wait_eof(s: &TcpStream) {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 64];
    loop {
        match (&*s).read(&mut buf) {
            Ok(0) => return,
            Ok(_) => {}
            Err(e) => panic!("waiting for EOF: {e}"),
        }
    }
}

/// ss's state names of the namespace's TCP sockets.
fn tcp_states() -> BTreeSet<String> {
    let out = Command::new("ss").args(["-tanH"]).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

impl SsPopulation {
    fn create() -> SsPopulation {
        let mut keep: Vec<OwnedFd> = Vec::new();
        let dir = std::env::temp_dir().join(format!("sockdiag-ss-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();

        // LISTEN: a marked listener on the ssh port, a dual-stack one on
        // http's, an IPv6-only one, one bound to a device, and the one
        // the connections below go to.
        let marked = tcp_socket(false);
        socket::setsockopt(&marked, sockopt::Mark, &0x22).unwrap();
        let l22 = listen_on(marked, "127.0.0.1:22", 16);
        let dual = tcp_socket(true);
        socket::setsockopt(&dual, sockopt::Ipv6V6Only, &false).unwrap();
        let l80 = listen_on(dual, "[::]:80", 16);
        let only6 = tcp_socket(true);
        socket::setsockopt(&only6, sockopt::Ipv6V6Only, &true).unwrap();
        keep.push(listen_on(only6, "[::1]:5002", 4).into());
        let bound = tcp_socket(false);
        socket::setsockopt(
            &bound,
            sockopt::BindToDevice,
            &std::ffi::OsString::from("lo"),
        )
        .unwrap();
        keep.push(listen_on(bound, "127.0.0.1:5010", 4).into());
        let l = listen_on(tcp_socket(false), "127.0.0.1:5001", 64);
        // Small receive buffers for the connections that must stall.
        let small = tcp_socket(false);
        socket::setsockopt(&small, sockopt::RcvBuf, &4096).unwrap();
        let l_small = listen_on(small, "127.0.0.1:5011", 64);

        // ESTABLISHED: cubic and BBR (if it can be had), IPv6, with a TOS.
        let cubic = tcp_socket(false);
        socket::setsockopt(
            &cubic,
            sockopt::TcpCongestion,
            &std::ffi::OsString::from("cubic"),
        )
        .unwrap();
        keep.push(connect_from(cubic, "127.0.0.1:5001").into());
        keep.push(l.accept().unwrap().0.into());
        let bbr_fd = tcp_socket(false);
        let bbr = socket::setsockopt(
            &bbr_fd,
            sockopt::TcpCongestion,
            &std::ffi::OsString::from("bbr"),
        )
        .is_ok();
        if bbr {
            keep.push(connect_from(bbr_fd, "127.0.0.1:5001").into());
            keep.push(l.accept().unwrap().0.into());
        }
        keep.push(connect_from(tcp_socket(true), "[::1]:80").into());
        keep.push(l80.accept().unwrap().0.into());
        let tos = tcp_socket(false);
        socket::setsockopt(&tos, sockopt::Ipv4Tos, &0x10).unwrap();
        keep.push(connect_from(tos, "127.0.0.1:22").into());
        keep.push(l22.accept().unwrap().0.into());

        // SYN-SENT: a listener whose accept queue is full drops SYNs.
        let full = listen_on(tcp_socket(false), "127.0.0.1:5009", 0);
        keep.push(connect_from(tcp_socket(false), "127.0.0.1:5009").into());
        std::thread::sleep(Duration::from_millis(50));
        let pending = tcp_socket(false);
        socket::setsockopt(&pending, sockopt::ReuseAddr, &true).unwrap();
        let flags = nix::fcntl::fcntl(&pending, nix::fcntl::FcntlArg::F_GETFL).unwrap();
        nix::fcntl::fcntl(
            &pending,
            nix::fcntl::FcntlArg::F_SETFL(
                nix::fcntl::OFlag::from_bits_truncate(flags) | nix::fcntl::OFlag::O_NONBLOCK,
            ),
        )
        .unwrap();
        let _ = socket::connect(
            pending.as_raw_fd(),
            &SockaddrIn::from(match addr("127.0.0.1:5009") {
                std::net::SocketAddr::V4(v4) => v4,
                _ => unreachable!(),
            }),
        );
        keep.push(pending);
        keep.push(full.into());

        // FIN-WAIT-1: data queued behind a closed window, then shutdown.
        let c1 = tcp_socket(false);
        socket::setsockopt(&c1, sockopt::SndBuf, &4096).unwrap();
        let c1 = connect_from(c1, "127.0.0.1:5011");
        let s1 = l_small.accept().unwrap().0;
        fill(&c1);
        c1.shutdown(Shutdown::Write).unwrap();
        keep.push(c1.into());
        keep.push(s1.into());

        // FIN-WAIT-2 and CLOSE-WAIT: a half-closed connection.
        let c2 = connect_from(tcp_socket(false), "127.0.0.1:5001");
        let s2 = l.accept().unwrap().0;
        c2.shutdown(Shutdown::Write).unwrap();
        wait_eof(&s2);
        keep.push(c2.into());
        keep.push(s2.into());

        // LAST-ACK: the CLOSE-WAIT side closes with data it cannot send.
        let c3 = tcp_socket(false);
        socket::setsockopt(&c3, sockopt::RcvBuf, &4096).unwrap();
        let c3 = connect_from(c3, "127.0.0.1:5011");
        let s3 = l_small.accept().unwrap().0;
        socket::setsockopt(&s3, sockopt::SndBuf, &4096).unwrap();
        c3.shutdown(Shutdown::Write).unwrap();
        wait_eof(&s3);
        fill(&s3);
        drop(s3);
        keep.push(c3.into());

        // TIME-WAIT: the side that closes first.
        let c4 = connect_from(tcp_socket(false), "127.0.0.1:5001");
        let s4 = l.accept().unwrap().0;
        drop(c4);
        wait_eof(&s4);
        drop(s4);
        keep.push(l.into());
        keep.push(l22.into());
        keep.push(l80.into());
        keep.push(l_small.into());

        // UDP: bound to the domain port, connected, IPv6.
        let u53 = UdpSocket::bind("127.0.0.1:53").unwrap();
        let uc = UdpSocket::bind("127.0.0.1:0").unwrap();
        uc.connect("127.0.0.1:53").unwrap();
        keep.push(u53.into());
        keep.push(uc.into());
        keep.push(UdpSocket::bind("[::1]:5004").unwrap().into());

        // RAW: an ICMP socket, connected.
        let raw = socket::socket(
            socket::AddressFamily::Inet,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            socket::SockProtocol::Icmp,
        )
        .unwrap();
        socket::connect(
            raw.as_raw_fd(),
            &SockaddrIn::from(match addr("127.0.0.1:0") {
                std::net::SocketAddr::V4(v4) => v4,
                _ => unreachable!(),
            }),
        )
        .unwrap();
        keep.push(raw);

        // Unix: a path, odd and long names, abstract ones (one with a NUL
        // inside), seqpacket, datagram, unnamed pairs, a connection.
        let srv = dir.join("srv.sock");
        let ul = UnixListener::bind(&srv).unwrap();
        keep.push(UnixStream::connect(&srv).unwrap().into());
        keep.push(ul.accept().unwrap().0.into());
        keep.push(ul.into());
        keep.push(UnixDatagram::bind(dir.join("dgram é\tx")).unwrap().into());
        keep.push(UnixListener::bind(dir.join("l".repeat(80))).unwrap().into());
        for name in [&b"\0sockdiag-ss-abstract"[..], b"\0two\0parts"] {
            use std::os::linux::net::SocketAddrExt;
            let a = std::os::unix::net::SocketAddr::from_abstract_name(&name[1..]).unwrap();
            keep.push(UnixListener::bind_addr(&a).unwrap().into());
        }
        let seq = socket::socket(
            socket::AddressFamily::Unix,
            SockType::SeqPacket,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .unwrap();
        socket::bind(
            seq.as_raw_fd(),
            &socket::UnixAddr::new(&dir.join("seq sock")).unwrap(),
        )
        .unwrap();
        socket::listen(&seq, Backlog::new(2).unwrap()).unwrap();
        keep.push(seq);
        let (a, b) = UnixStream::pair().unwrap();
        keep.push(a.into());
        keep.push(b.into());
        keep.push(UnixDatagram::unbound().unwrap().into());

        // A filter file for -F (a comment line, then the expression).
        std::fs::write(dir.join("filter.txt"), "# the ssh port\nsport = :22\n").unwrap();

        // Netlink, and packet sockets that drop every packet (so that
        // their queues do not move between two listings), one bound to
        // lo in a fanout group.
        keep.push(support::netlink_route_socket());
        let drop_all = [libc::sock_filter {
            code: 0x06,
            jt: 0,
            jf: 0,
            k: 0,
        }];
        let praw = support::packet_socket(libc::SOCK_RAW, support::ETH_P_ALL);
        support::attach_filter(&praw, &drop_all);
        support::packet_bind(&praw, 1, support::ETH_P_ALL);
        support::packet_fanout(&praw, 7, 0);
        keep.push(praw);
        let pdgr = support::packet_socket(libc::SOCK_DGRAM, support::ETH_P_IP);
        support::attach_filter(&pdgr, &drop_all);
        keep.push(pdgr);

        // MPTCP, where the kernel has it.
        if let Ok(m) = support::mptcp_listener(addr("127.0.0.1:5020")) {
            keep.push(m.into());
        }

        // Every TCP state asked for is there.
        let deadline = Instant::now() + Duration::from_secs(5);
        let want = [
            "LISTEN",
            "ESTAB",
            "SYN-SENT",
            "FIN-WAIT-1",
            "FIN-WAIT-2",
            "TIME-WAIT",
            "CLOSE-WAIT",
            "LAST-ACK",
        ];
        loop {
            let have = tcp_states();
            if want.iter().all(|s| have.contains(*s)) {
                break;
            }
            assert!(Instant::now() < deadline, "states {have:?}, want {want:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        // The stalled connections' queues settle (the window probes stop
        // moving data): two listings 300 ms apart agree.
        let queues = || {
            let out = Command::new("ss").args(["-tanH"]).output().unwrap();
            String::from_utf8(out.stdout).unwrap()
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let mut last = queues();
        loop {
            std::thread::sleep(Duration::from_millis(300));
            let now = queues();
            if now == last {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the queues never settled:\n{now}"
            );
            last = now;
        }
        SsPopulation {
            _keep: keep,
            dir,
            bbr,
        }
    }
}

/// Fields whose numbers move between two listings a moment apart: they
/// are compared by presence and form, not value.
const MOVING: &[&str] = &[
    "rtt:",
    "rto:",
    "ato:",
    "minrtt:",
    "rcv_rtt:",
    "lastsnd:",
    "lastrcv:",
    "lastack:",
    "busy:",
    "rwnd_limited:",
    "sndbuf_limited:",
    "bytes_sent:",
    "bytes_acked:",
    "bytes_received:",
    "bytes_retrans:",
    "segs_out:",
    "segs_in:",
    "data_segs_out:",
    "data_segs_in:",
    "delivered:",
    "cwnd:",
    "ssthresh:",
    "retrans:",
    "unacked:",
    "lost:",
    "backoff:",
    "rcv_space:",
    "rcv_ssthresh:",
    "notsent:",
    "snd_wnd:",
    "bbr:(",
    "skmem:(",
    "mem:(",
    "reordering:",
    "dsack_dups:",
    "reord_seen:",
    "rcv_ooopack:",
    "sacked:",
];

/// Fields printed only while nonzero whose value moves to and from zero
/// as a stalled connection (SYN-SENT, FIN-WAIT-1, LAST-ACK) retries: their
/// presence in two listings a moment apart is chance, so they are left
/// out of the comparison.
const RACY: &[&str] = &["backoff:", "retrans:", "lost:", "unacked:"];

/// A token with its digits masked.
fn masked(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    let mut in_number = false;
    for c in token.chars() {
        if c.is_ascii_digit() || (in_number && c == '.') {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

/// Whether a row is a sock_diag socket of `ss` or of `sockdiag` itself:
/// each lister sees its own, not the other's.
fn own_diag(line: &str) -> bool {
    line.split_whitespace().any(|t| {
        (t.starts_with("tcpdiag:") || t.starts_with("4:")) && t != "tcpdiag:kernel" && t != "4:0"
    })
}

/// A listing, line by line, blanks collapsed and moving numbers masked;
/// and whether anything was masked.
pub(crate) fn normalize(text: &str) -> (Vec<String>, bool) {
    let mut moved = false;
    let lines = text
        .lines()
        .filter(|l| !own_diag(l))
        .map(|l| {
            let mut out: Vec<String> = Vec::new();
            let mut after_rate = false;
            for t in l.split_whitespace() {
                if RACY.iter().any(|k| t.starts_with(k)) {
                    moved = true;
                    continue;
                }
                let is_timer = t.starts_with("timer:(");
                let m = if is_timer {
                    // timer:(NAME,<time>,<retransmits>)
                    let name = t.split(',').next().unwrap_or(t);
                    format!("{name},*)")
                } else if after_rate || MOVING.iter().any(|k| t.starts_with(k)) {
                    masked(t)
                } else {
                    t.to_owned()
                };
                moved |= m != t;
                after_rate = matches!(t, "send" | "pacing_rate" | "delivery_rate");
                out.push(m);
            }
            out.join(" ")
        })
        .collect();
    (lines, moved)
}

/// `dev:MAJ/MIN` as ss 6.1 prints it: the kernel's device number
/// (`MAJ << 20 | MIN`) decoded with glibc's userspace `major()`/`minor()`.
fn as_ss_prints_dev(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .map(
                    |t| match t.strip_prefix("dev:").and_then(|d| d.split_once('/')) {
                        Some((maj, min)) => {
                            let (maj, min): (u64, u64) =
                                (maj.parse().unwrap(), min.parse().unwrap());
                            let k = maj << 20 | min;
                            let glibc_major = ((k >> 8) & 0xfff) | ((k >> 32) & !0xfff);
                            let glibc_minor = (k & 0xff) | ((k >> 12) & !0xff);
                            format!("dev:{glibc_major}/{glibc_minor}")
                        }
                        None => t.to_owned(),
                    },
                )
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn output(program: &str, args: &[&str]) -> String {
    let out = Command::new(program).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    if program == BIN {
        // Only notes about tables that cannot be listed (vsock, XDP, TIPC here).
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.lines().all(|l| l.starts_with("sockdiag: note: ")),
            "{args:?}: {err}"
        );
    }
    String::from_utf8(out.stdout).unwrap()
}

/// The comparison's command lines (split at blanks; `%` stands for a
/// blank inside a word) and the fewest rows `ss` must print for each.
const COMBOS: &[(&str, usize)] = &[
    ("-tan", 18),
    ("-tln", 6),
    ("-tlpn", 6),
    ("-tanp", 18),
    ("-tulpn", 8),
    ("-tano", 18),
    ("-tanie", 18),
    ("-tanm", 18),
    ("-tanim", 18),
    ("-tani", 18),
    ("-taniO", 18),
    ("-tanieO", 18),
    ("-tane", 18),
    ("-tan --tos", 18),
    ("-tan --cgroup", 18),
    ("-tan --inet-sockopt", 18),
    ("-tanpT", 18),
    ("-tanH", 18),
    ("-uan", 3),
    ("-uane", 3),
    ("-uanm", 3),
    ("-xan", 11),
    ("-xlp", 5),
    ("-xane", 11),
    ("-xanm", 11),
    ("-xn", 4),
    ("-0an", 2),
    ("-0ane", 2),
    ("-0anb", 2),
    ("-0anm", 2),
    ("-wan", 1),
    ("-wn", 1),
    ("-wane", 1),
    ("-n", 10),
    ("-an", 40),
    ("-ln", 10),
    ("-A inet", 10),
    ("-A inet -an", 20),
    ("-A all", 10),
    ("-A all -an", 40),
    ("-A tcp,udp -an4", 14),
    ("-A inet,!raw -an", 20),
    ("-A netlink -an", 2),
    ("-A packet_raw -an", 1),
    ("-A packet_dgram -an", 1),
    ("-A unix_dgram -an", 2),
    ("-A unix_stream -n", 4),
    ("-A u_seq -an", 1),
    ("-f inet -an", 20),
    ("-f inet6 -an", 4),
    ("-f link -an", 2),
    ("-f unix -an", 11),
    ("-f netlink -an", 2),
    ("-4 -an", 16),
    ("-6 -an", 4),
    ("-Mn", 0),
    ("-Man", 0),
    ("-Sn", 0),
    ("-dn", 0),
    ("-tn state established", 8),
    ("-tn state listening", 6),
    ("-tn state syn-sent", 1),
    ("-tn state fin-wait-1", 1),
    ("-tn state fin-wait-2", 2),
    ("-tn state close-wait", 1),
    ("-tn state last-ack", 1),
    ("-tn state time-wait", 1),
    ("-tn state connected", 12),
    ("-tn state synchronized", 10),
    ("-tn state bucket", 1),
    ("-tn state big", 16),
    ("-tn state all", 18),
    ("-tn exclude established", 10),
    ("-tn exclude listening exclude time-wait", 10),
    ("-tn state established state listening", 14),
    ("-tan sport = :22", 2),
    ("-tan dport = :5001", 3),
    ("-tan sport neq :22", 16),
    ("-tan src 127.0.0.1", 14),
    ("-tan dst [::1]", 1),
    ("-tan src 127.1", 0),
    ("-tan dst 127.0.0.1:*", 8),
    ("-tan sport = :0x16", 2),
    ("-tan sport geq :5000 and sport leq :5011", 8),
    ("-tan ( sport = :22 or sport = :80 ) and dst 0.0.0.0", 1),
    ("-tan sport = :22 or sport = :5001 and dport = :0", 2),
    ("-tan ! sport = :5001", 12),
    ("-tan dev lo", 1),
    ("-tan fwmark = 0x22", 1),
    ("-tan autobound", 4),
    ("-ta", 18),
    ("-ta sport = :ssh", 2),
    ("-ta dport = :http", 1),
    ("-ta src localhost", 10),
    ("-tar", 18),
    ("-ua", 3),
    ("-tl", 6),
    ("-tan -F DIR/filter.txt", 2),
    ("-xa src DIR/*", 5),
    ("-xa src @sockdiag*", 1),
    ("-xa src unix:*SRV*", 2),
    ("-x src unix:*", 4),
];

/// One combination of the comparison: ss's rows and ours, laid out as
/// ss lays them (byte for byte where nothing moved) and streamed; the
/// rows and whether it was byte for byte, or what differs.
fn combination(line: &str, dir: &str) -> Result<(usize, bool), String> {
    let line = line.replace("DIR", dir);
    let args: Vec<String> = line.split(' ').map(|w| w.replace('%', " ")).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let theirs = output("ss", &args);
    let ours = output(BIN, &[&args[..], &["--ss-layout"]].concat());
    // The one deliberate difference of these fields: the bound file's
    // device of -xe, true here (checked below), misdecoded by ss.
    let ours_as_ss = as_ss_prints_dev(&ours);
    let (a, moved_a) = normalize(&theirs);
    let (b, moved_b) = normalize(&ours_as_ss);
    if b != a {
        return Err(format!(
            "sockdiag {line} --ss-layout vs ss {line}\n--- sockdiag:\n{ours}--- ss:\n{theirs}"
        ));
    }
    let rows = a
        .iter()
        .filter(|l| !l.contains("Local Address:Port"))
        .count();
    // Nothing moved and nothing differs on purpose: byte for byte.
    let own = theirs.lines().any(own_diag) || ours.lines().any(own_diag);
    let exact = !moved_a && !moved_b && !own && ours_as_ss == ours;
    if exact {
        assert_eq!(ours, theirs, "sockdiag {line} --ss-layout, byte for byte");
    }
    // The streamed default: the same rows, in any order.
    let streamed = output(BIN, &args);
    let set = |t: &str| -> BTreeSet<String> {
        normalize(t)
            .0
            .into_iter()
            .filter(|l| !l.contains("Local Address:Port"))
            .collect()
    };
    let (mine, ss) = (set(&as_ss_prints_dev(&streamed)), set(&theirs));
    if mine != ss {
        return Err(format!(
            "sockdiag {line} (streamed)\n  sockdiag: {mine:?}\n  ss: {ss:?}"
        ));
    }
    Ok((rows, exact))
}

pub fn cli_rows_equal_ss_over_many_combinations() {
    if skip_without_ss() {
        return;
    }
    let mut p = SsPopulation::create();
    let mut made = Instant::now();
    let mut exact = 0;
    let mut checked = 0;
    let mut counts: Vec<(String, usize, usize)> = Vec::new();
    for &(line, min_rows) in COMBOS {
        // The TIME-WAIT socket lives 60 s: on a slow machine (a kernel
        // under emulation) the combinations take longer, so a fresh
        // population in a fresh namespace replaces it before it can end
        // between ss's listing and ours.
        if made.elapsed() > Duration::from_secs(40) {
            drop(p);
            support::enter_private_netns().unwrap();
            p = SsPopulation::create();
            made = Instant::now();
        }
        if line.contains("bbr") && !p.bbr {
            continue;
        }
        // One combination; under emulation ss can take long enough (`-r`
        // waits for a resolver that is not there) for the TIME-WAIT socket
        // to end between the listings: then once more, on a fresh
        // population.
        let mut tries = 0;
        let (rows, is_exact) = loop {
            tries += 1;
            let dir = p.dir.to_str().unwrap().to_owned();
            match combination(line, &dir) {
                Ok(done) => break done,
                Err(e) if tries == 1 && made.elapsed() > Duration::from_secs(50) => {
                    println!("    {line}: the TIME-WAIT socket may have ended meanwhile; again on a fresh population");
                    let _ = e;
                    drop(p);
                    support::enter_private_netns().unwrap();
                    p = SsPopulation::create();
                    made = Instant::now();
                }
                Err(e) => panic!("{e}"),
            }
        };
        counts.push((line.to_owned(), rows, min_rows));
        checked += 1;
        exact += usize::from(is_exact);
    }
    // Each listing selects what it should (at least as many rows as the
    // population makes sure of).
    let short: Vec<_> = counts.iter().filter(|(_, n, min)| n < min).collect();
    assert!(
        short.is_empty(),
        "too few rows (line, rows, expected): {short:?}\nall: {counts:?}"
    );
    println!("    {checked} combinations, {exact} of them byte for byte");
    assert!(checked >= 60, "{checked} combinations");
    assert!(exact >= 40, "only {exact} of {checked} were byte for byte");

    // -xe's device is the bound file's.
    use std::os::unix::fs::MetadataExt;
    let st = std::fs::metadata(p.dir.join("srv.sock")).unwrap();
    let (maj, min) = (libc::major(st.dev()), libc::minor(st.dev()));
    let xe = output(BIN, &["-xane"]);
    assert!(
        xe.contains(&format!(" ino:{} dev:{maj}/{min} ", st.ino())),
        "{xe}"
    );

    // -s: ss's totals from the kernel's counters (host-wide counts masked:
    // other namespaces' sockets come and go).
    let totals = |t: &str| -> Vec<String> {
        t.lines()
            .map(|l| {
                if l.starts_with("Total:") || l.starts_with("TCP:") {
                    masked(l)
                } else {
                    l.to_owned()
                }
            })
            .collect()
    };
    assert_eq!(
        totals(&output(BIN, &["-s"])),
        totals(&output("ss", &["-s"]))
    );

    // -D: the raw TCP dump to a file, nothing printed; both dumps hold
    // the same sockets.
    let (ours_d, theirs_d) = (p.dir.join("ours.nl"), p.dir.join("theirs.nl"));
    assert_eq!(output(BIN, &["-tan", "-D", ours_d.to_str().unwrap()]), "");
    assert_eq!(
        output("ss", &["-tan", "-D", theirs_d.to_str().unwrap()]),
        ""
    );
    let replayed = |f: &PathBuf| {
        let t = output(BIN, &["--replay", f.to_str().unwrap(), "-tan"]);
        normalize(&t).0.into_iter().collect::<BTreeSet<_>>()
    };
    assert_eq!(replayed(&ours_d), replayed(&theirs_d));
    assert!(replayed(&ours_d).len() > 10);

    // What this does not do is said, in one line, exit 1.
    let registered = std::fs::read_to_string("/proc/net/protocols").unwrap();
    let fails = |args: &[&str], needle: &str| {
        let out = Command::new(BIN).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    fails(&["-tZ"], "SELinux");
    fails(&["-tz"], "SELinux");
    if registered.lines().any(|l| l.starts_with("AF_VSOCK "))
        && !support::kernel_module("vsock_diag")
    {
        fails(&["--vsock"], "vsock sockets: protocol unavailable");
        fails(&["--vsock"], "vsock_diag");
    }
    drop(p);
}
