//! Live tests of kernel-side filters (`INET_DIAG_REQ_BYTECODE`): a few
//! hundred sockets on known addresses, ports, devices and marks; for each
//! filter, the kernel-filtered dump must equal the userspace evaluation of
//! the same filter on the unfiltered dump, and `ss` with the same
//! expression. Random programs must get the same verdict from the local
//! audit and from the kernel.

use std::collections::{BTreeSet, HashSet};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, OwnedFd};
use std::process::Command;

use nix::sys::socket::{
    self, sockopt, AddressFamily, Backlog, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
    SockaddrIn, SockaddrIn6,
};
use sockdiag::inet::filter::{Bytecode, Entry, Filter, FilterError};
use sockdiag::inet::{Family, InetRequest, InetSocket, LegacyRequest, Protocol, States};
use sockdiag::DiagSocket;

use super::support::addr;
use super::{allocations_during, have_ss, require_live, ss_addr};

#[allow(unused_imports)]
use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    kernel_filters_match_userspace_and_ss,
    mark_filters_need_the_capability,
    local_audit_agrees_with_the_kernel,
];

// ---------------------------------------------------------------------
// The population.

fn new_socket(a: SocketAddr, ty: SockType) -> OwnedFd {
    let family = if a.is_ipv4() {
        AddressFamily::Inet
    } else {
        AddressFamily::Inet6
    };
    socket::socket(family, ty, SockFlag::SOCK_CLOEXEC, None).unwrap()
}

fn bind(fd: &OwnedFd, a: SocketAddr) {
    match a {
        SocketAddr::V4(v) => socket::bind(fd.as_raw_fd(), &SockaddrIn::from(v)),
        SocketAddr::V6(v) => socket::bind(fd.as_raw_fd(), &SockaddrIn6::from(v)),
    }
    .unwrap_or_else(|e| panic!("bind {a}: {e}"));
}

fn connect(fd: &OwnedFd, a: SocketAddr) {
    match a {
        SocketAddr::V4(v) => socket::connect(fd.as_raw_fd(), &SockaddrIn::from(v)),
        SocketAddr::V6(v) => socket::connect(fd.as_raw_fd(), &SockaddrIn6::from(v)),
    }
    .unwrap_or_else(|e| panic!("connect {a}: {e}"));
}

#[derive(Default)]
struct Options {
    device: Option<&'static str>,
    mark: Option<u32>,
    v6only: Option<bool>,
}

fn configure(fd: &OwnedFd, o: &Options) {
    if let Some(v) = o.v6only {
        socket::setsockopt(fd, sockopt::Ipv6V6Only, &v).unwrap();
    }
    if let Some(dev) = o.device {
        socket::setsockopt(fd, sockopt::BindToDevice, &std::ffi::OsString::from(dev)).unwrap();
    }
    if let Some(m) = o.mark {
        socket::setsockopt(fd, sockopt::Mark, &m).unwrap();
    }
}

fn listener(a: &str, o: Options) -> TcpListener {
    let a = addr(a);
    let fd = new_socket(a, SockType::Stream);
    configure(&fd, &o);
    bind(&fd, a);
    socket::listen(&fd, Backlog::new(256).unwrap()).unwrap();
    TcpListener::from(fd)
}

fn client(local: &str, remote: &str, o: Options) -> TcpStream {
    let local = addr(local);
    let fd = new_socket(local, SockType::Stream);
    configure(&fd, &o);
    bind(&fd, local);
    connect(&fd, addr(remote));
    TcpStream::from(fd)
}

fn udp(local: &str, remote: Option<&str>, o: Options) -> UdpSocket {
    let local = addr(local);
    let fd = new_socket(local, SockType::Datagram);
    configure(&fd, &o);
    bind(&fd, local);
    if let Some(r) = remote {
        connect(&fd, addr(r));
    }
    UdpSocket::from(fd)
}

fn ip(args: &[&str]) {
    let out = Command::new("ip").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "ip {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A few hundred TCP and UDP sockets over IPv4, IPv6 and v4-mapped
/// addresses, on edge ports (1, 1024, 65535), some bound to devices, some
/// marked. Clients that bound their port have it in `explicit`, listeners
/// in `listening`; the kernel chose the other ports.
struct FilterPopulation {
    explicit: HashSet<u16>,
    listening: HashSet<u16>,
    _keep: (Vec<TcpListener>, Vec<TcpStream>, Vec<UdpSocket>),
}

const V4_SERVER: &str = "127.0.0.1:5000";
const DUAL_SERVER: &str = "[::]:6000";

impl FilterPopulation {
    fn create() -> Self {
        // A second IPv6 address, and a second device (index 2 or more).
        ip(&["addr", "add", "fd00::1/128", "dev", "lo", "nodad"]);
        ip(&["link", "add", "fv0", "type", "veth", "peer", "name", "fv1"]);
        let mut explicit = HashSet::new();
        let mut listening = HashSet::new();
        let mut listeners = Vec::new();
        let mut streams = Vec::new();
        let mut udps = Vec::new();
        let mut listen = |a: &str, o: Options| {
            listening.insert(addr(a).port());
            listeners.push(listener(a, o));
        };
        let o = Options::default;
        listen("127.0.0.1:1", o());
        listen(
            "127.0.0.2:1024",
            Options {
                mark: Some(0x1),
                ..o()
            },
        );
        listen(
            "127.1.2.3:65535",
            Options {
                device: Some("lo"),
                ..o()
            },
        );
        listen(V4_SERVER, o());
        listen(
            "[::1]:1",
            Options {
                v6only: Some(true),
                ..o()
            },
        );
        listen(
            "[fd00::1]:1025",
            Options {
                v6only: Some(true),
                mark: Some(0x11),
                ..o()
            },
        );
        listen(
            "[::1]:65535",
            Options {
                v6only: Some(true),
                ..o()
            },
        );
        listen(
            "[::]:7000",
            Options {
                v6only: Some(true),
                device: Some("fv0"),
                ..o()
            },
        );
        listen(
            "0.0.0.0:7001",
            Options {
                device: Some("fv0"),
                mark: Some(0x100),
                ..o()
            },
        );
        listen(
            DUAL_SERVER,
            Options {
                v6only: Some(false),
                mark: Some(0x100),
                ..o()
            },
        );

        // Connections (both ends are sockets): the kernel picks the
        // client's port ("...:0") or the client binds one.
        for i in 0..40 {
            let mark = (i < 10).then_some(0x1);
            streams.push(client("127.0.0.1:0", V4_SERVER, Options { mark, ..o() }));
        }
        for i in 0..20u16 {
            let port = 2000 + i;
            explicit.insert(port);
            streams.push(client(&format!("127.0.0.2:{port}"), V4_SERVER, o()));
        }
        for _ in 0..20 {
            streams.push(client("[::1]:0", "[::1]:6000", o()));
        }
        for i in 0..20u16 {
            // IPv4 clients of the dual-stack server: v4-mapped on its side.
            let port = 3000 + i;
            explicit.insert(port);
            let device = (i < 5).then_some("lo");
            streams.push(client(
                &format!("127.0.0.3:{port}"),
                "127.0.0.1:6000",
                Options { device, ..o() },
            ));
        }
        for _ in 0..20 {
            // Dual-stack clients of the IPv4 server: v4-mapped on their side.
            let opts = Options {
                v6only: Some(false),
                ..o()
            };
            streams.push(client("[::]:0", "[::ffff:127.0.0.1]:5000", opts));
        }
        for i in 0..10u16 {
            let port = 4000 + i;
            explicit.insert(port);
            streams.push(client(&format!("[fd00::1]:{port}"), "[::1]:6000", o()));
        }

        for (local, remote, opts) in [
            ("127.0.0.1:53", None, o()),
            (
                "[::1]:53",
                None,
                Options {
                    v6only: Some(true),
                    ..o()
                },
            ),
            (
                "[::]:5353",
                None,
                Options {
                    v6only: Some(false),
                    mark: Some(0x11),
                    ..o()
                },
            ),
            ("127.0.0.2:9", Some("127.0.0.1:53"), o()),
            (
                "127.0.0.1:0",
                Some("127.0.0.1:53"),
                Options {
                    device: Some("lo"),
                    ..o()
                },
            ),
            ("[::1]:0", Some("[::1]:53"), o()),
            (
                "[::]:0",
                Some("[::ffff:127.0.0.1]:53"),
                Options {
                    v6only: Some(false),
                    ..o()
                },
            ),
        ] {
            let s = udp(local, remote, opts);
            if addr(local).port() != 0 {
                explicit.insert(addr(local).port());
            }
            udps.push(s);
        }
        FilterPopulation {
            explicit,
            listening,
            _keep: (listeners, streams, udps),
        }
    }

    fn entry(&self, s: &InetSocket) -> Entry {
        let mut e = Entry::from_socket(s);
        // Accepted connections lose the lock of their listener's port
        // (`sk_clone_lock`).
        let port = s.src.port();
        let bound = if self.listening.contains(&port) {
            s.dst.port() == 0
        } else {
            self.explicit.contains(&port)
        };
        e.auto_bound = Some(!bound);
        e
    }
}

const TABLES: [(Family, Protocol); 4] = [
    (Family::Inet, Protocol::Tcp),
    (Family::Inet6, Protocol::Tcp),
    (Family::Inet, Protocol::Udp),
    (Family::Inet6, Protocol::Udp),
];

fn dump(sock: &mut DiagSocket, req: InetRequest) -> Vec<InetSocket> {
    sock.snapshot(&req)
        .unwrap_or_else(|e| panic!("{req:?}: {e}"))
}

fn keys(socks: &[InetSocket]) -> BTreeSet<(SocketAddr, SocketAddr)> {
    socks.iter().map(|s| (s.src, s.dst)).collect()
}

/// Checks one filter on every table: the kernel's selection equals the
/// tree's and the program's evaluation of the unfiltered dump. Returns the
/// selected sockets per protocol, as `ss` prints them.
fn check_filter(
    sock: &mut DiagSocket,
    p: &FilterPopulation,
    f: &Filter,
) -> [BTreeSet<(String, String)>; 2] {
    let program = f.compile().unwrap_or_else(|e| panic!("{f}: {e}"));
    let mut shown = [BTreeSet::new(), BTreeSet::new()];
    for (family, protocol) in TABLES {
        let req = InetRequest::new(family, protocol).with_states(States::DEFAULT);
        let all = dump(sock, req);
        let mut expected = BTreeSet::new();
        for s in &all {
            let e = p.entry(s);
            let tree = f
                .matches(&e)
                .unwrap_or_else(|| panic!("{f}: unknown fact in {e:?}"));
            assert_eq!(program.matches(&e), Some(tree), "{f} on {e:?}");
            if tree {
                expected.insert((s.src, s.dst));
            }
        }
        let got = sock
            .snapshot(&req.with_bytecode(&program))
            .unwrap_or_else(|e| panic!("{f} {family:?} {protocol:?}: {e}"));
        assert_eq!(keys(&got), expected, "{f}: {family:?} {protocol:?}");
        let i = usize::from(protocol == Protocol::Udp);
        shown[i].extend(got.iter().map(|s| (ss_addr(s.src), ss_addr(s.dst))));
    }
    shown
}

/// `ss -tanH EXPR` or `ss -uanH EXPR`: (local, peer), without the `%dev`
/// that `ss` adds to device-bound sockets.
fn ss_select(table: &str, expr: &str) -> BTreeSet<(String, String)> {
    // ss's lexer wants parentheses and `!` as words of their own.
    let spaced = expr
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace("!=", "\u{0}")
        .replace('!', " ! ")
        .replace('\u{0}', "!=");
    let out = Command::new("ss")
        .arg(format!("-{table}anH"))
        .args(spaced.split_whitespace())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "ss {expr}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // ss writes a dual-stack wildcard ([::] without IPV6_V6ONLY) as `*`.
    let strip = |a: &str| -> String {
        if let Some(port) = a.strip_prefix("*:") {
            return format!("[::]:{port}");
        }
        match a.find('%') {
            Some(i) => {
                let end = a[i..].find([']', ':']).map_or(a.len(), |j| i + j);
                format!("{}{}", &a[..i], &a[end..])
            }
            None => a.to_owned(),
        }
    };
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let cols: Vec<&str> = l.split_whitespace().collect();
            (strip(cols[3]), strip(cols[4]))
        })
        .collect()
}

/// Where cgroup v2 is mounted.
fn cgroup2_mount() -> String {
    let info = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    info.lines()
        .find(|l| l.contains(" - cgroup2 "))
        .and_then(|l| l.split_whitespace().nth(4))
        .expect("a cgroup2 mount")
        .to_owned()
}

/// The cgroup v2 path of this process, below the cgroup2 mount.
fn own_cgroup() -> String {
    let text = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("0::"))
        .expect("a cgroup v2 entry")
        .to_owned()
}

pub fn kernel_filters_match_userspace_and_ss() {
    let with_ss = have_ss();
    if !with_ss {
        assert!(!require_live(), "ss is missing (SOCKDIAG_REQUIRE_LIVE=1)");
        println!("  (ss not found: comparing with userspace evaluation only)");
    }
    let p = FilterPopulation::create();
    let mut sock = DiagSocket::new().unwrap();
    let cgroup = own_cgroup();
    let cgroup_dir = format!("{}{}", cgroup2_mount(), cgroup.trim_end_matches('/'));
    // (expression, exact TCP count where easy to count by hand, compare with ss)
    let cases: Vec<(String, Option<usize>, bool)> = vec![
        // The listener, 40 + 20 accepted IPv4 clients, 20 accepted
        // dual-stack clients (IPv4 sockets on the server side).
        ("sport = :5000".into(), Some(81), true),
        ("dport = :5000".into(), Some(80), true),
        ("sport = :1".into(), Some(2), true),
        ("sport = :65535".into(), Some(2), true),
        ("sport >= :65535".into(), Some(2), true),
        ("sport <= :1".into(), Some(2), true),
        ("sport >= :0".into(), None, true),
        ("dport <= :0".into(), Some(10), true),
        ("dport >= :65535".into(), Some(0), true),
        ("sport > :1024".into(), None, true),
        ("sport < :1025".into(), None, true),
        ("sport != :5000".into(), None, true),
        ("dport >= :1024 and dport <= :6000".into(), None, true),
        ("src 127.0.0.2".into(), None, true),
        ("src 127.0.0.0/8".into(), None, true),
        ("dst 127.0.0.1:5000".into(), Some(80), true),
        ("src [::1]".into(), None, true),
        ("src [fd00::1]".into(), None, true),
        ("src [fd00::/8]".into(), None, true),
        ("src fd00::/8".into(), None, true),
        ("src 0.0.0.0/0".into(), None, true),
        ("dst [::ffff:127.0.0.1]".into(), None, true),
        ("src [::ffff:127.0.0.0/104]".into(), None, true),
        ("src *:6000".into(), Some(51), true),
        ("src 127.1.2.3/32:65535".into(), Some(1), true),
        ("src ::/0".into(), None, true),
        // ss re-checks `autobound` against the local port range in
        // userspace, which drops accepted connections: not comparable.
        ("autobound".into(), Some(80 + 130), false),
        ("not autobound and src 127.0.0.0/8".into(), None, false),
        ("dev = lo".into(), Some(6), true),
        ("dev = fv0".into(), Some(2), true),
        ("not dev = lo".into(), None, true),
        ("dev = 0".into(), None, false),
        ("fwmark = 0x1".into(), Some(11), true),
        ("fwmark = 0x1/0x1".into(), Some(12), true),
        ("fwmark = 0x100/0xf00".into(), Some(52), true),
        ("not fwmark = 0/0xffffffff".into(), None, true),
        // ss reads a filesystem path; the path below the cgroup2 mount
        // (as /proc/self/cgroup and ss -e print it) is this crate's too.
        (format!("cgroup = {cgroup_dir}"), None, true),
        (format!("not cgroup = {cgroup_dir}"), Some(0), true),
        (format!("cgroup = {cgroup}"), None, false),
        (
            "(sport = :5000 or dport = :5000) and not (src 127.0.0.2 or dst [::1])".into(),
            None,
            true,
        ),
        (
            "not (autobound or (dport >= :1024 and sport <= :2040))".into(),
            None,
            false,
        ),
        (
            "(src 127.0.0.1 and dst 127.0.0.1) or (src [::1] and dst [::1])".into(),
            None,
            true,
        ),
        ("!(!(sport = :1))".into(), Some(2), true),
        (
            "sport = :1 or sport = :1024 or sport = :1025 or sport = :7000".into(),
            Some(5),
            true,
        ),
    ];
    let mut sizes = Vec::new();
    for (expr, tcp_count, compare_ss) in &cases {
        let f = resolved(expr);
        let [tcp, udp] = check_filter(&mut sock, &p, &f);
        if let Some(n) = tcp_count {
            assert_eq!(tcp.len(), *n, "{expr}: TCP sockets");
        }
        if *compare_ss && with_ss {
            assert_eq!(ss_select("t", expr), tcp, "{expr}: TCP, ss and sockdiag");
            assert_eq!(ss_select("u", expr), udp, "{expr}: UDP, ss and sockdiag");
        }
        sizes.push(tcp.len() + udp.len());
    }
    let total: usize = TABLES
        .iter()
        .map(|&(f, pr)| dump(&mut sock, InetRequest::new(f, pr)).len())
        .sum();
    assert_eq!(
        total,
        10 + 2 * 130 + 7,
        "listeners, both ends of 130 connections, UDP"
    );
    // The filters cut the population in many different ways.
    let distinct: BTreeSet<usize> = sizes.iter().copied().collect();
    assert!(distinct.len() > 15, "{sizes:?}");
    assert!(sizes.contains(&total) && sizes.contains(&0), "{sizes:?}");

    // A cgroup path, either way, reads as the id the kernel reports.
    let any = dump(&mut sock, InetRequest::new(Family::Inet, Protocol::Tcp));
    let id = any[0].cgroup_id.expect("INET_DIAG_CGROUP_ID");
    for path in [&cgroup, &cgroup_dir] {
        let f = resolved(&format!("cgroup = {path}"));
        assert_eq!(f, Filter::cgroup(id), "{path}");
    }

    // The legacy request carries the same program for both families.
    let f: Filter = "sport = :5000 or sport = :6000 or dport = :1"
        .parse()
        .unwrap();
    let program = f.compile().unwrap();
    let legacy = sock
        .snapshot(&LegacyRequest::tcp().with_bytecode(&program))
        .unwrap();
    let mut two = keys(
        &sock
            .snapshot(&InetRequest::new(Family::Inet, Protocol::Tcp).with_bytecode(&program))
            .unwrap(),
    );
    two.extend(keys(
        &sock
            .snapshot(&InetRequest::new(Family::Inet6, Protocol::Tcp).with_bytecode(&program))
            .unwrap(),
    ));
    assert_eq!(keys(&legacy), two);
    assert_eq!(two.len(), 81 + 51);

    // A filtered dump allocates nothing when the program is on the stack.
    let mut storage = [0u8; 256];
    let f: Filter = "sport = :5000 and not src 10.0.0.0/8".parse().unwrap();
    let req = InetRequest::new(Family::Inet, Protocol::Tcp);
    let mut count = 0;
    sock.for_each(&req, |_| {}).unwrap(); // warm-up
    let n = allocations_during(|| {
        let program = f.compile_into(&mut storage).unwrap();
        for _ in 0..5 {
            sock.for_each(&req.with_bytecode(&program), |_| count += 1)
                .unwrap();
        }
    });
    assert_eq!((n, count), (0, 5 * 81));
}

/// Without `CAP_NET_ADMIN` the kernel refuses mark conditions (`EPERM`).
pub fn mark_filters_need_the_capability() {
    if !crate::can_drop_privileges("the EPERM check") {
        return;
    }
    let run = |expr: &str| {
        let out = crate::as_nobody(std::env::current_exe().unwrap())
            .args(["--helper-filter", expr])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    };
    assert_eq!(run("fwmark = 1"), libc::EPERM.to_string());
    assert_eq!(run("sport = :1 or fwmark = 1/3"), libc::EPERM.to_string());
    // Everything else is unprivileged.
    assert_eq!(
        run("sport = :1 or cgroupid = 1 or dev = 1 or autobound"),
        "0"
    );
}

/// `expr` parsed, its interface names and cgroup paths looked up here.
fn resolved(expr: &str) -> Filter {
    let f: Filter = expr.parse().unwrap_or_else(|e| panic!("{expr}: {e}"));
    sockdiag::resolve_names(&f).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

/// `--helper-filter EXPR`: dumps TCP with the filter, prints the errno
/// (0 for success).
pub fn helper_filter(expr: &str) {
    let program = resolved(expr).compile().unwrap();
    let mut sock = DiagSocket::new().unwrap();
    let req = InetRequest::new(Family::Inet, Protocol::Tcp).with_bytecode(&program);
    let errno = match sock.snapshot(&req) {
        Ok(_) => 0,
        Err(e) => e.raw_os_error().unwrap_or(-1),
    };
    println!("{errno}");
}

// ---------------------------------------------------------------------
// The local audit against the kernel's, on random programs.

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

/// A random expression in the text syntax.
fn random_expr(rng: &mut Rng, depth: u32) -> String {
    if depth > 0 && rng.below(3) > 0 {
        let a = random_expr(rng, depth - 1);
        let b = random_expr(rng, depth - 1);
        return match rng.below(3) {
            0 => format!("not ({a})"),
            1 => format!("({a}) and ({b})"),
            _ => format!("({a}) or ({b})"),
        };
    }
    let port = rng.pick(&[0, 1, 53, 1024, 5000, 6000, 65535]);
    let op = rng.pick(&["=", "!=", ">=", "<=", ">", "<"]);
    let host = rng.pick(&[
        "127.0.0.1",
        "127.0.0.0/8",
        "127.0.0.2:2001",
        "0.0.0.0/0",
        "[::1]",
        "[fd00::/16]",
        "[::ffff:127.0.0.1]",
        "[::ffff:127.0.0.0/100]",
        "*:6000",
        "*",
    ]);
    match rng.below(8) {
        0 => format!("sport {op} :{port}"),
        1 => format!("dport {op} :{port}"),
        2 => format!("src {host}"),
        3 => format!("dst {host}"),
        4 => "autobound".into(),
        5 => format!("dev = {}", rng.below(4)),
        6 => format!(
            "fwmark = {:#x}/{:#x}",
            rng.pick(&[0, 1, 0x11, 0x100]),
            rng.pick(&[1u32, 0xff, 0xffff_ffff])
        ),
        _ => format!("cgroupid = {}", rng.below(3)),
    }
}

/// A random program, near valid more often than not: compiled filters with
/// bytes changed, sequences of random instructions, random bytes.
fn random_program(rng: &mut Rng) -> Vec<u8> {
    match rng.below(4) {
        0 | 1 => {
            let f: Filter = random_expr(rng, 2).parse().unwrap();
            let mut p = f.compile().unwrap().into_inner();
            let changes = rng.below(4);
            for _ in 0..changes {
                let i = rng.below(p.len() as u64) as usize;
                p[i] = match rng.below(3) {
                    0 => rng.next() as u8,
                    1 => p[i].wrapping_add(4),
                    _ => p[i] ^ (1 << rng.below(8)),
                };
            }
            match rng.below(if changes == 0 { 1 } else { 6 }) {
                1 => p.truncate(rng.below(p.len() as u64 + 1) as usize),
                2 => p.extend(std::iter::repeat_n(0, rng.below(9) as usize)),
                _ => {}
            }
            p
        }
        2 => {
            let mut p = Vec::new();
            for _ in 0..=rng.below(6) {
                let code = rng.below(15) as u8;
                let r = rng.next();
                let yes = rng.pick(&[0, 4, 8, 12, 16, 20, 28, 32, r as u8]);
                let no = rng.pick(&[0u16, 4, 8, 12, 16, 20, 24, 32, 40, (r >> 8) as u16]);
                p.push(code);
                p.push(yes);
                p.extend_from_slice(&no.to_ne_bytes());
                match code {
                    2..=5 | 11 | 12 => p.extend_from_slice(&[0, 0, 0, 0]),
                    7 | 8 => {
                        let r = rng.next();
                        let family = rng.pick(&[0u8, 2, 10, r as u8]);
                        p.push(family);
                        p.push(rng.below(140) as u8);
                        p.extend_from_slice(&[0, 0, 0xff, 0xff, 0xff, 0xff]);
                        let addr_len = rng.pick(&[0usize, 4, 16]);
                        p.extend(std::iter::repeat_n(0x7f, addr_len));
                    }
                    9 => p.extend_from_slice(&1u32.to_ne_bytes()),
                    10 | 13 => p.extend_from_slice(&[0; 8]),
                    _ => {}
                }
            }
            p
        }
        _ => (0..rng.below(40)).map(|_| rng.next() as u8).collect(),
    }
}

/// The kernel's verdict on `program`, sent raw in a TCP dump request:
/// `Ok` if the dump ran, the errno of `NLMSG_ERROR` if refused.
fn kernel_verdict(fd: &OwnedFd, seq: u32, program: &[u8]) -> Result<(), i32> {
    use zerocopy::IntoBytes;
    let body = InetRequest::new(Family::Inet, Protocol::Tcp).to_raw();
    let len = 16 + 56 + 4 + program.len();
    let mut msg = Vec::with_capacity(len);
    msg.extend_from_slice(&(len as u32).to_ne_bytes());
    msg.extend_from_slice(&20u16.to_ne_bytes()); // SOCK_DIAG_BY_FAMILY
    msg.extend_from_slice(&(0x1u16 | 0x300).to_ne_bytes()); // NLM_F_REQUEST | NLM_F_DUMP
    msg.extend_from_slice(&seq.to_ne_bytes());
    msg.extend_from_slice(&0u32.to_ne_bytes());
    msg.extend_from_slice(body.as_bytes());
    msg.extend_from_slice(&((4 + program.len()) as u16).to_ne_bytes());
    msg.extend_from_slice(&1u16.to_ne_bytes()); // INET_DIAG_REQ_BYTECODE
    msg.extend_from_slice(program);
    socket::sendto(
        fd.as_raw_fd(),
        &msg,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .unwrap();
    let mut buf = vec![0u8; 65536];
    loop {
        let n = socket::recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).unwrap();
        let mut at = 0;
        while at + 16 <= n {
            let mlen = u32::from_ne_bytes(buf[at..at + 4].try_into().unwrap()) as usize;
            let kind = u16::from_ne_bytes(buf[at + 4..at + 6].try_into().unwrap());
            let mseq = u32::from_ne_bytes(buf[at + 8..at + 12].try_into().unwrap());
            assert_eq!(mseq, seq);
            match kind {
                3 => return Ok(()),
                2 => {
                    let err = i32::from_ne_bytes(buf[at + 16..at + 20].try_into().unwrap());
                    return if err == 0 { Ok(()) } else { Err(-err) };
                }
                _ => {}
            }
            at += (mlen + 3) & !3;
        }
    }
}

pub fn local_audit_agrees_with_the_kernel() {
    // A few sockets, so that accepted programs run on something.
    let _l = listener("127.0.0.1:5000", Options::default());
    let _c = client("127.0.0.1:0", "127.0.0.1:5000", Options::default());
    let fd = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .unwrap();
    let mut rng = Rng(0x0ddc_0ffe_e15b_ad5e);
    let (mut accepted, mut rejected) = (0, 0);
    let mut rules = BTreeSet::new();
    for seq in 1..=4000u32 {
        let program = random_program(&mut rng);
        let local = Bytecode::new(&program[..]);
        let kernel = kernel_verdict(&fd, seq, &program);
        match (&local, kernel) {
            (Ok(_), Ok(())) => accepted += 1,
            (Err(FilterError::Rejected { rule, .. }), Err(libc::EINVAL)) => {
                rejected += 1;
                rules.insert(
                    format!("{:?}", rule)
                        .split([' ', '('])
                        .next()
                        .unwrap()
                        .to_owned(),
                );
            }
            (local, kernel) => panic!("{program:?}: local {local:?}, kernel {kernel:?}"),
        }
    }
    println!("  4000 random programs: {accepted} accepted, {rejected} rejected; rules {rules:?}");
    assert!(accepted > 500 && rejected > 500, "{accepted} / {rejected}");
    assert!(rules.len() >= 8, "{rules:?}");

    // Compiled random filters: accepted, and selecting what userspace does.
    let mut sock = DiagSocket::new().unwrap();
    let all = dump(&mut sock, InetRequest::new(Family::Inet, Protocol::Tcp));
    assert_eq!(all.len(), 3);
    for _ in 0..500 {
        let expr = random_expr(&mut rng, 3);
        let f = resolved(&expr);
        let program = f.compile().unwrap();
        let req = InetRequest::new(Family::Inet, Protocol::Tcp);
        let got = keys(
            &sock
                .snapshot(&req.with_bytecode(&program))
                .unwrap_or_else(|e| panic!("{expr}: {e}")),
        );
        let expected: BTreeSet<_> = all
            .iter()
            .filter(|s| {
                let mut e = Entry::from_socket(s);
                e.auto_bound = Some(s.src.port() != 5000 || s.dst.port() != 0);
                f.matches(&e).unwrap()
            })
            .map(|s| (s.src, s.dst))
            .collect();
        assert_eq!(got, expected, "{expr}");
    }
}
