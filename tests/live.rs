//! Live tests against the running kernel.
//!
//! Each test runs in its own thread, which first moves into a fresh private
//! network namespace with only loopback up, so the host's sockets never
//! disturb an assertion and every socket in a dump is one the test made.
//!
//! As root this needs nothing more. Without root the harness first enters
//! an unprivileged user namespace (where the kernel allows it). If no
//! namespace can be made, the tests are skipped with a message, unless
//! `SOCKDIAG_REQUIRE_LIVE=1` is set (as `.ci/run` does): then that is a
//! failure. The same variable turns a missing `ss` into a failure.
//!
//! This is a `harness = false` test: namespaces must be entered before any
//! thread exists. Arguments: substrings selecting tests; `--list`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "live/cli.rs"]
mod cli;
#[path = "live/filters.rs"]
mod filters;
#[path = "live/reliability.rs"]
mod reliability;
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::process::{Command, ExitCode};

use cli::{
    cli_capture_replay_and_fixtures, cli_conflicting_modes_destroy_nothing,
    cli_json_prom_and_summary_describe_the_population, cli_kill_events_and_errors,
    cli_selection_matches_ss, cli_watch_rebalances_its_halves, cli_watch_reports_changes,
};
use filters::{
    kernel_filters_match_userspace_and_ss, local_audit_agrees_with_the_kernel,
    mark_filters_need_the_capability,
};
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use reliability::{
    broken_replies_are_typed_errors, dumps_survive_churn,
    unprivileged_scans_lack_only_privileged_fields,
};
use sockdiag::inet::{
    Extensions, Family, InetMsg, InetRequest, InetSocket, LegacyRequest, Protocol, States,
    TcpField, TcpInfo, TcpState,
};
use sockdiag::netlink::Messages;
use sockdiag::{DiagSocket, Error, Shutdown};
use support::{addr, inode_of, Population};

// ---------------------------------------------------------------------
// A counting allocator: allocations made by the current thread.

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Allocations of every thread: for engines that work on threads of
/// their own (the harness runs one test at a time).
static ALL_THREADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn count() {
    // `try_with`: the slot may be gone while a thread exits.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    ALL_THREADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

#[allow(unsafe_code)]
// SAFETY: every method forwards to `System` unchanged; the counter is a
// const-initialised thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// Allocations of every thread of the process while `f` runs.
fn allocations_anywhere_during(f: impl FnOnce()) -> u64 {
    use std::sync::atomic::Ordering::SeqCst;
    let before = ALL_THREADS.load(SeqCst);
    f();
    ALL_THREADS.load(SeqCst) - before
}

// ---------------------------------------------------------------------
// Helpers.

/// Whether the harness started as real root (inside its user namespace an
/// unprivileged run also sees euid 0, without the power to switch uids or
/// mount).
static REAL_ROOT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn real_root() -> bool {
    REAL_ROOT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether a check that runs a child without privileges can run: only real
/// root can switch to uid 65534. Otherwise it says the check is skipped,
/// and fails under `SOCKDIAG_REQUIRE_LIVE=1`.
fn can_drop_privileges(what: &str) -> bool {
    if real_root() {
        return true;
    }
    assert!(
        !require_live(),
        "{what} needs root to drop privileges (SOCKDIAG_REQUIRE_LIVE=1)"
    );
    println!("    ({what} skipped: dropping privileges needs root)");
    false
}

/// `program` set to run as uid and gid 65534 (`nobody`).
fn as_nobody(program: impl AsRef<std::ffi::OsStr>) -> Command {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(program);
    c.uid(65534).gid(65534);
    c
}

fn require_live() -> bool {
    std::env::var("SOCKDIAG_REQUIRE_LIVE").is_ok_and(|v| v == "1")
}

fn dump_all(sock: &mut DiagSocket, req: InetRequest) -> Vec<InetSocket> {
    sock.snapshot(&req)
        .unwrap_or_else(|e| panic!("{req:?}: {e}"))
}

fn by_endpoints(socks: Vec<InetSocket>) -> HashMap<(SocketAddr, SocketAddr), InetSocket> {
    let n = socks.len();
    let map: HashMap<_, _> = socks
        .into_iter()
        .map(|s| ((s.id.src, s.id.dst), s))
        .collect();
    assert_eq!(map.len(), n, "a socket appeared twice");
    map
}

/// What a test expects of one socket.
struct Expect {
    src: &'static str,
    dst: &'static str,
    state: TcpState,
    rqueue: u32,
    wqueue: u32,
    inode: u32,
}

/// Checks that `socks` holds exactly the `expected` sockets, field by field.
fn assert_exactly(family: Family, socks: Vec<InetSocket>, expected: &[Expect]) {
    let mut map = by_endpoints(socks);
    for e in expected {
        let key = (addr(e.src), addr(e.dst));
        let s = map
            .remove(&key)
            .unwrap_or_else(|| panic!("{} -> {} missing", e.src, e.dst));
        assert_eq!(s.family, family, "{} -> {}", e.src, e.dst);
        assert_eq!(s.state, e.state, "{} -> {}", e.src, e.dst);
        assert_eq!(
            (s.rqueue, s.wqueue),
            (e.rqueue, e.wqueue),
            "{} -> {}: queues",
            e.src,
            e.dst
        );
        assert_eq!(s.inode, e.inode, "{} -> {}: inode", e.src, e.dst);
        assert_eq!(
            s.uid,
            nix::unistd::geteuid().as_raw(),
            "{} -> {}: uid",
            e.src,
            e.dst
        );
        assert_ne!(s.id.cookie, u64::MAX);
    }
    assert!(map.is_empty(), "unexpected sockets: {:?}", map.values());
}

/// `rx_queue` of a UDP socket in `/proc/thread-self/net/udp{,6}`, by local port.
fn proc_udp_rx_queue(file: &str, port: u16) -> u32 {
    let text = std::fs::read_to_string(format!("/proc/thread-self/net/{file}")).unwrap();
    for line in text.lines().skip(1) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        let local_port = cols[1].rsplit(':').next().unwrap();
        if u16::from_str_radix(local_port, 16).unwrap() == port {
            let rx = cols[4].split(':').nth(1).unwrap();
            return u32::from_str_radix(rx, 16).unwrap();
        }
    }
    panic!("port {port} not in {file}");
}

fn have_ss() -> bool {
    Command::new("ss")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The rows of `ss -tuan`-shaped output, as sorted sets of whitespace-split
/// fields (Netid, State, Recv-Q, Send-Q, Local, Peer), header dropped.
fn rows(text: &str, header: bool) -> BTreeSet<Vec<String>> {
    text.lines()
        .skip(usize::from(header))
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|r| !r.is_empty())
        .collect()
}

// ---------------------------------------------------------------------
// Tests.

fn tcp_population_ipv4_and_ipv6() {
    let p = Population::create();
    let mut sock = DiagSocket::new().unwrap();
    use TcpState::{Established as Est, Listen};
    let tcp4 = [
        Expect {
            src: "127.0.0.1:5001",
            dst: "0.0.0.0:0",
            state: Listen,
            rqueue: 1,
            wqueue: 8,
            inode: inode_of(&p.tcp4_listener),
        },
        Expect {
            src: "127.0.0.1:40001",
            dst: "127.0.0.1:5001",
            state: Est,
            rqueue: 0,
            wqueue: 0,
            inode: inode_of(&p.tcp4_client),
        },
        Expect {
            src: "127.0.0.1:5001",
            dst: "127.0.0.1:40001",
            state: Est,
            rqueue: 100,
            wqueue: 0,
            inode: inode_of(&p.tcp4_server),
        },
        Expect {
            src: "127.0.0.1:40002",
            dst: "127.0.0.1:5001",
            state: Est,
            rqueue: 0,
            wqueue: 0,
            inode: inode_of(&p.tcp4_pending),
        },
        // Waiting in the accept queue: no file yet, so no inode.
        Expect {
            src: "127.0.0.1:5001",
            dst: "127.0.0.1:40002",
            state: Est,
            rqueue: 0,
            wqueue: 0,
            inode: 0,
        },
        Expect {
            src: "127.0.0.1:40004",
            dst: "127.0.0.1:5003",
            state: Est,
            rqueue: 0,
            wqueue: 0,
            inode: inode_of(&p.dual_client),
        },
    ];
    assert_exactly(
        Family::Inet,
        dump_all(&mut sock, InetRequest::new(Family::Inet, Protocol::Tcp)),
        &tcp4,
    );
    let tcp6 = [
        Expect {
            src: "[::1]:5002",
            dst: "[::]:0",
            state: Listen,
            rqueue: 0,
            wqueue: 4,
            inode: inode_of(&p.tcp6_listener),
        },
        Expect {
            src: "[::1]:40003",
            dst: "[::1]:5002",
            state: Est,
            rqueue: 0,
            wqueue: 0,
            inode: inode_of(&p.tcp6_client),
        },
        Expect {
            src: "[::1]:5002",
            dst: "[::1]:40003",
            state: Est,
            rqueue: 0,
            wqueue: 0,
            inode: inode_of(&p.tcp6_server),
        },
        // Dual-stack: only in the AF_INET6 dump; its IPv4 peer stays v4-mapped.
        Expect {
            src: "[::]:5003",
            dst: "[::]:0",
            state: Listen,
            rqueue: 0,
            wqueue: 5,
            inode: inode_of(&p.dual_listener),
        },
        Expect {
            src: "[::ffff:127.0.0.1]:5003",
            dst: "[::ffff:127.0.0.1]:40004",
            state: Est,
            rqueue: 0,
            wqueue: 0,
            inode: inode_of(&p.dual_server),
        },
    ];
    assert_exactly(
        Family::Inet6,
        dump_all(&mut sock, InetRequest::new(Family::Inet6, Protocol::Tcp)),
        &tcp6,
    );

    // The state mask is applied by the kernel.
    let listeners = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet6, Protocol::Tcp).with_states(States::LISTEN),
    );
    assert_eq!(listeners.len(), 2);
    assert!(listeners.iter().all(|s| s.state == TcpState::Listen));
}

fn udp_sockets_ipv4_and_ipv6() {
    let p = Population::create();
    let mut sock = DiagSocket::new().unwrap();
    let rx = proc_udp_rx_queue("udp", 5004);
    assert!(rx > 0, "the datagram is queued");
    assert_exactly(
        Family::Inet,
        dump_all(&mut sock, InetRequest::new(Family::Inet, Protocol::Udp)),
        &[
            Expect {
                src: "127.0.0.1:5004",
                dst: "0.0.0.0:0",
                state: TcpState::Close,
                rqueue: rx,
                wqueue: 0,
                inode: inode_of(&p.udp4_server),
            },
            Expect {
                src: "127.0.0.1:40005",
                dst: "127.0.0.1:5004",
                state: TcpState::Established,
                rqueue: 0,
                wqueue: 0,
                inode: inode_of(&p.udp4_client),
            },
        ],
    );
    assert_exactly(
        Family::Inet6,
        dump_all(&mut sock, InetRequest::new(Family::Inet6, Protocol::Udp)),
        &[Expect {
            src: "[::1]:5005",
            dst: "[::]:0",
            state: TcpState::Close,
            rqueue: 0,
            wqueue: 0,
            inode: inode_of(&p.udp6_server),
        }],
    );
    // No UDP-Lite sockets here: an empty dump, not an error.
    assert!(dump_all(&mut sock, InetRequest::new(Family::Inet, Protocol::UdpLite)).is_empty());
}

fn missing_diag_modules_are_errors_not_empty_lists() {
    let _p = Population::create();
    let mut sock = DiagSocket::new().unwrap();
    for (family, protocol, module) in [
        (Family::Inet, Protocol::Raw, "raw_diag"),
        (Family::Inet6, Protocol::Raw, "raw_diag"),
        (Family::Inet, Protocol::Sctp, "sctp_diag"),
    ] {
        match sock.snapshot(&InetRequest::new(family, protocol)) {
            Err(e @ Error::Unavailable { .. }) => {
                assert_eq!(e.raw_os_error(), Some(2));
                let text = e.to_string();
                assert!(text.contains(module), "{text}");
                assert!(text.contains("unavailable"), "{text}");
            }
            other => panic!("{family:?} {protocol:?}: expected Unavailable, got {other:?}"),
        }
        // The socket stays usable.
        assert_eq!(
            dump_all(&mut sock, InetRequest::new(Family::Inet, Protocol::Tcp)).len(),
            6
        );
    }
    // Through the streaming form: the error, then nothing more.
    let mut dump = sock
        .dump(&InetRequest::new(Family::Inet, Protocol::Raw))
        .unwrap();
    assert!(matches!(
        dump.next_batch(),
        Err(Error::Unavailable {
            family: 2,
            protocol: 255
        })
    ));
    assert!(dump.is_finished());
    assert!(dump.next_batch().unwrap().is_none());
}

fn one_socket_serves_many_dumps_even_abandoned_ones() {
    let (_listener, _clients) = support::many_connections(6000, 500);
    let req = InetRequest::new(Family::Inet, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    for round in 0..20 {
        // Read one batch, then drop the dump in the middle.
        {
            let mut dump = sock.dump(&req).unwrap();
            let first = dump.next_batch().unwrap().unwrap();
            assert!(
                first.len() < 1001,
                "a 1001-socket dump spans several datagrams"
            );
            assert!(!dump.is_finished());
        }
        let mut count = 0;
        let mut batches = 0;
        let mut dump = sock.dump(&req).unwrap();
        while let Some(batch) = dump.next_batch().unwrap() {
            count += batch.len();
            batches += 1;
            assert_eq!(batch.iter().count(), batch.len());
        }
        assert!(dump.is_finished() && !dump.is_interrupted());
        assert_eq!(count, 1001, "round {round}");
        assert!(batches > 1);
    }
}

fn poller_reports_changes_without_allocating() {
    use sockdiag::poll::{Change, Poller, Strategy};
    use std::io::{Read, Write};
    let (_listener, _clients) = support::many_connections(6000, 500);
    let req = LegacyRequest::tcp().with_extensions(Extensions::INFO);
    let mut poller = Poller::new(req)
        .unwrap()
        .track(&[TcpField::BytesReceived, TcpField::TotalRetrans])
        .unwrap();
    assert!("nonsense".parse::<TcpField>().is_err());
    assert!(Poller::new(req)
        .unwrap()
        .track(&[TcpField::Rtt; 5])
        .is_err());
    let (mut new, mut changed, mut gone) = (0, 0, 0);
    let stats = poller
        .poll(|c| match c {
            Change::New { .. } => new += 1,
            _ => panic!("{c:?}"),
        })
        .unwrap();
    assert_eq!((new, stats.sockets, stats.new), (1001, 1001, 1001));
    // Steady state: nothing changes, nothing is allocated.
    let n = allocations_during(|| {
        for _ in 0..10 {
            let stats = poller.poll(|c| panic!("{c:?}")).unwrap();
            assert_eq!((stats.sockets, stats.changed, stats.gone), (1001, 0, 0));
        }
    });
    assert_eq!(n, 0, "allocations during 10 polls of 1001 sockets");
    // A new connection with data, then its end.
    let l = support::tcp_listener(addr("127.0.0.1:6100"), 4, None);
    let mut c = support::tcp_connect(addr("127.0.0.1:46100"), addr("127.0.0.1:6100"));
    let (mut s, _) = l.accept().unwrap();
    let stats = poller
        .poll(|c| match c {
            Change::New { msg, .. } => {
                assert!([6100, 46100].contains(&msg.src_port()), "{msg:?}")
            }
            _ => panic!("{c:?}"),
        })
        .unwrap();
    assert_eq!(stats.new, 3);
    c.write_all(b"hello").unwrap();
    let mut buf = [0u8; 5];
    s.read_exact(&mut buf).unwrap();
    poller
        .poll(|c| match c {
            Change::Changed {
                msg,
                before,
                now,
                what,
                ..
            } => {
                assert_eq!(msg.src_port(), 6100);
                assert_eq!(
                    (
                        before.counter(TcpField::BytesReceived),
                        now.counter(TcpField::BytesReceived)
                    ),
                    (Some(0), Some(5))
                );
                assert_eq!(now.counter(TcpField::TotalRetrans), Some(0));
                assert!(!what.state());
                assert_eq!(
                    what.counters().collect::<Vec<_>>(),
                    [TcpField::BytesReceived]
                );
                changed += 1;
            }
            _ => panic!("{c:?}"),
        })
        .unwrap();
    assert_eq!(changed, 1);
    drop((c, s, l));
    poller
        .poll(|c| match c {
            Change::Gone { last, .. } => {
                assert_eq!(
                    last.local(),
                    sockdiag::poll::End::Addr(addr("127.0.0.1:6100"))
                );
                gone += 1;
            }
            Change::Changed { before, now, .. } => assert_ne!(before.state(), now.state()),
            Change::New { msg, .. } => panic!("{msg:?}"),
        })
        .unwrap();
    assert!(gone >= 1);
    assert_eq!(poller.len(), poller.tracked().count());

    // Pipelined and in two halves: the same sockets, and after the first
    // polls nothing allocated on any thread. (A TIME-WAIT socket of the
    // connection above may still be there.)
    let mut all = 0;
    DiagSocket::new()
        .unwrap()
        .for_each(&req, |_| all += 1)
        .unwrap();
    assert!((1001..=1002).contains(&all), "{all}");
    for strategy in [Strategy::Pipelined, Strategy::Halves] {
        let p = Poller::new(req)
            .unwrap()
            .track(&[TcpField::TotalRetrans])
            .unwrap();
        let mut p = match strategy {
            Strategy::Pipelined => p.pipelined().unwrap(),
            _ => p.with_halves().unwrap(),
        };
        assert_eq!(p.strategy(), strategy);
        let stats = p.prime().unwrap();
        assert_eq!(stats.new, all, "{strategy:?}");
        p.poll(|c| panic!("{strategy:?}: {c:?}")).unwrap();
        let n = allocations_anywhere_during(|| {
            for _ in 0..10 {
                let stats = p.poll(|c| panic!("{c:?}")).unwrap();
                assert_eq!((stats.sockets, stats.changed, stats.gone), (all, 0, 0));
            }
        });
        assert_eq!(
            n, 0,
            "{strategy:?}: allocations during 10 polls of 1001 sockets"
        );
    }
}

/// The one poller serves every family: sockets of each appear, change and
/// go with the right events; inet through both request kinds.
fn poller_serves_every_family() {
    use sockdiag::netlink_diag::NetlinkRequest;
    use sockdiag::packet::PacketRequest;
    use sockdiag::poll::{Change, End, Kind, Polled, Poller};
    use sockdiag::unix::{UnixRequest, UnixType};
    use std::os::fd::AsRawFd;

    /// One poll's (new, changed, gone) briefs, as (kind, state, local).
    type Seen = Vec<(Kind, TcpState, End)>;
    fn once<R: Polled>(p: &mut Poller<R>) -> [Seen; 3] {
        let mut out: [Seen; 3] = Default::default();
        p.poll(|c| match c {
            Change::New { now, .. } => out[0].push((now.kind(), now.state(), now.local())),
            Change::Changed { now, .. } => out[1].push((now.kind(), now.state(), now.local())),
            Change::Gone { last, .. } => out[2].push((last.kind(), last.state(), last.local())),
        })
        .unwrap();
        out
    }

    // Inet, v2 and legacy: a listener comes, a connection comes and
    // changes state, both go.
    let inet = Kind::Inet {
        family: Family::Inet,
        protocol: Some(Protocol::Tcp),
    };
    let mut v2 = Poller::new(InetRequest::new(Family::Inet, Protocol::Tcp)).unwrap();
    let mut legacy = Poller::new(LegacyRequest::tcp()).unwrap();
    assert_eq!(once(&mut v2), [vec![], vec![], vec![]]);
    assert_eq!(once(&mut legacy), [vec![], vec![], vec![]]);
    let l = support::tcp_listener(addr("127.0.0.1:7001"), 4, None);
    let listener = (inet, TcpState::Listen, End::Addr(addr("127.0.0.1:7001")));
    assert_eq!(once(&mut v2), [vec![listener], vec![], vec![]]);
    assert_eq!(once(&mut legacy), [vec![listener], vec![], vec![]]);
    let c = support::tcp_connect(addr("127.0.0.1:47001"), addr("127.0.0.1:7001"));
    let (s, _) = l.accept().unwrap();
    let [new, changed, gone] = once(&mut v2);
    assert_eq!((new.len(), changed.len(), gone.len()), (2, 0, 0), "{new:?}");
    let [new, _, _] = once(&mut legacy);
    assert_eq!(new.len(), 2);
    // The client closes first: FIN-WAIT or TIME-WAIT, a state change.
    drop(c);
    std::thread::sleep(std::time::Duration::from_millis(50));
    for p in [once(&mut v2), once(&mut legacy)] {
        let [new, changed, _] = p;
        assert!(new.is_empty(), "{new:?}");
        let client = changed
            .iter()
            .find(|(_, _, e)| *e == End::Addr(addr("127.0.0.1:47001")));
        assert!(
            client.is_some_and(|c| c.1 != TcpState::Established),
            "{changed:?}"
        );
    }
    drop((s, l));
    let [_, _, gone] = once(&mut v2);
    assert!(gone.contains(&listener), "{gone:?}");
    let [_, _, gone] = once(&mut legacy);
    assert!(gone.contains(&listener), "{gone:?}");

    // Unix: a listener comes and goes.
    let dir = std::env::temp_dir().join(format!("sockdiag-poll-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut unix = Poller::new(UnixRequest::new()).unwrap();
    unix.prime().unwrap();
    let ul = std::os::unix::net::UnixListener::bind(dir.join("l.sock")).unwrap();
    let inode = support::inode_of(&ul);
    let [new, _, _] = once(&mut unix);
    assert_eq!(
        new,
        [(
            Kind::Unix(UnixType::Stream),
            TcpState::Listen,
            End::Inode(inode)
        )]
    );
    // A connection: two sockets, each the other's peer.
    let uc = std::os::unix::net::UnixStream::connect(dir.join("l.sock")).unwrap();
    let (us, _) = ul.accept().unwrap();
    let [new, _, _] = once(&mut unix);
    assert_eq!(new.len(), 2, "{new:?}");
    drop((uc, us, ul));
    let [_, _, gone] = once(&mut unix);
    assert_eq!(gone.len(), 3, "{gone:?}");
    std::fs::remove_dir_all(&dir).unwrap();

    // Packet: a socket bound to loopback comes and goes.
    let mut packet = Poller::new(PacketRequest::new()).unwrap();
    packet.prime().unwrap();
    let fd = support::packet_socket(libc::SOCK_RAW, 0x0003);
    support::packet_bind(&fd, 1, 0x0003);
    let [new, _, _] = once(&mut packet);
    assert_eq!(
        new,
        [(
            Kind::Packet {
                socket_type: sockdiag::raw::SOCK_RAW,
                protocol: 0x0003
            },
            TcpState::Close,
            End::Interface(1)
        )]
    );
    drop(fd);
    let [_, _, gone] = once(&mut packet);
    assert_eq!(gone.len(), 1, "{gone:?}");

    // Netlink: a route socket comes and goes.
    let mut netlink = Poller::new(NetlinkRequest::new()).unwrap();
    netlink.prime().unwrap();
    let nl = support::netlink_route_socket();
    let [new, _, _] = once(&mut netlink);
    assert!(
        new.iter()
            .any(|(k, _, _)| *k == Kind::Netlink { protocol: 0 }),
        "{new:?}"
    );
    let _ = nl.as_raw_fd();
    drop(nl);
    let [_, _, gone] = once(&mut netlink);
    assert!(!gone.is_empty());
    // No tcp_info in other families: asking for counters is an error.
    assert!(Poller::new(UnixRequest::new())
        .unwrap()
        .track(&[TcpField::Rtt])
        .is_err());
}

/// Two halves list each socket exactly once, and a burst that unbalances
/// them is divided anew with no false gone or new.
fn poller_halves_divide_and_rebalance() {
    use sockdiag::poll::{Change, Poller};
    let (lo, hi) = {
        let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
        let v: Vec<u16> = range
            .split_whitespace()
            .map(|p| p.parse().unwrap())
            .collect();
        (v[0], v[1])
    };
    let target = addr("127.0.0.1:7002");
    let l = support::tcp_listener(target, 1024, None);
    let connect = |from: u16, n: u16| -> Vec<_> {
        (0..n)
            .map(|i| support::tcp_connect(addr(&format!("127.0.0.1:{}", from + 2 * i)), target))
            .collect()
    };
    let old = connect(lo + 100, 150);
    let mut p = Poller::new(LegacyRequest::tcp())
        .unwrap()
        .with_halves()
        .unwrap();
    let mut new = BTreeSet::new();
    p.poll(|c| match c {
        Change::New { cookie, .. } => assert!(new.insert(cookie), "twice"),
        other => panic!("{other:?}"),
    })
    .unwrap();
    assert_eq!(new.len(), 301);
    let [a, b] = p.halves();
    assert_eq!(a + b, 301);
    assert!(a.abs_diff(b) <= 4, "{a}+{b}");
    // Each half's dump lists its own sockets, each once.
    p.poll(|c| panic!("{c:?}")).unwrap();
    assert_eq!(p.halves(), [a, b]);
    // 300 more from the top of the range: all in the second half at first.
    let more = connect(hi - 700, 300);
    let mut gone = BTreeSet::new();
    let start = std::time::Instant::now();
    loop {
        p.poll(|c| match c {
            Change::New { cookie, .. } => assert!(new.insert(cookie), "twice"),
            Change::Gone { cookie, .. } => {
                gone.insert(cookie);
            }
            Change::Changed { before, now, .. } => assert!(
                before.state() != TcpState::Established && now.state() == TcpState::Established,
                "{before:?} -> {now:?}"
            ),
        })
        .unwrap();
        let [a, b] = p.halves();
        if a + b == 901 && a.abs_diff(b) <= 90 {
            break;
        }
        assert!(
            start.elapsed() < std::time::Duration::from_secs(10),
            "halves {a}+{b}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let mut now = BTreeSet::new();
    DiagSocket::new()
        .unwrap()
        .for_each(&LegacyRequest::tcp(), |m| {
            now.insert(m.cookie());
        })
        .unwrap();
    assert_eq!(now.len(), 901);
    assert!(now.is_subset(&new));
    assert!(gone.is_empty(), "{gone:?}");
    let tracked: BTreeSet<u64> = p.tracked().map(|(c, _)| c).collect();
    assert_eq!(tracked, now);
    drop((old, more, l));
}

fn split_scan_lists_every_socket_once() {
    use sockdiag::inet::filter::Entry;
    use sockdiag::poll::Scanner;
    // Outgoing connections from ephemeral ports and the incoming ends of
    // them (local port 6000, remote ephemeral), IPv4 and IPv6.
    let (_l4, _c4) = support::many_connections(6000, 300);
    let l6 = support::tcp_listener(addr("[::1]:6001"), 64, Some(true));
    let c6: Vec<_> = (0..50)
        .map(|_| support::tcp_connect(addr("[::1]:0"), addr("[::1]:6001")))
        .collect();
    let mut sock = DiagSocket::new().unwrap();
    let mut want = Vec::new();
    sock.for_each(&LegacyRequest::tcp(), |m| want.push(m.cookie()))
        .unwrap();
    want.sort_unstable();
    assert_eq!(want.len(), 2 * 300 + 1 + 2 * 50 + 1);
    let mut scan = Scanner::new(LegacyRequest::tcp())
        .unwrap()
        .halves()
        .unwrap();
    let collect = |scan: &mut Scanner<LegacyRequest>| {
        let mut got = Vec::new();
        let stats = scan
            .scan(|_, m| {
                got.push(m.cookie());
                Ok::<(), Error>(())
            })
            .unwrap();
        got.sort_unstable();
        (got, stats.total())
    };
    let (got, n) = collect(&mut scan);
    assert_eq!(n, want.len());
    assert_eq!(got, want, "each socket exactly once");
    // Both halves carry a fair share: the userspace rule agrees.
    let half_of = |scan: &Scanner<LegacyRequest>, m: &InetMsg<'_>| {
        let first = scan.division().unwrap();
        usize::from(first.matches(&Entry::new(m.src(), m.dst())) == Some(false))
    };
    let mut per_half = [0usize; 2];
    sock.for_each(&LegacyRequest::tcp(), |m| per_half[half_of(&scan, &m)] += 1)
        .unwrap();
    assert_eq!(per_half.iter().sum::<usize>(), want.len());
    assert!(per_half.iter().all(|&h| h > want.len() / 4), "{per_half:?}");
    // Balanced on what is there: as even as pairs of ends sharing a port
    // allow, and still every socket once.
    let mut sample = Vec::new();
    scan.scan_whole(|m| {
        sample.push((m.src_port(), m.dst_port()));
        Ok::<(), Error>(())
    })
    .unwrap();
    scan.divide(sample).unwrap();
    let (got, _) = collect(&mut scan);
    assert_eq!(got, want, "each socket exactly once, balanced");
    let mut per_half = [0usize; 2];
    sock.for_each(&LegacyRequest::tcp(), |m| per_half[half_of(&scan, &m)] += 1)
        .unwrap();
    assert!(per_half[0].abs_diff(per_half[1]) <= 4, "{per_half:?}");
    // Pipelined: the same sockets, in the order of one dump.
    let mut pipelined = Scanner::new(LegacyRequest::tcp())
        .unwrap()
        .pipelined()
        .unwrap();
    let mut order = Vec::new();
    pipelined
        .scan(|half, m| {
            assert_eq!(half, 0);
            order.push(m.cookie());
            Ok::<(), Error>(())
        })
        .unwrap();
    let mut inline = Vec::new();
    sock.for_each(&LegacyRequest::tcp(), |m| inline.push(m.cookie()))
        .unwrap();
    assert_eq!(order, inline, "the kernel's order");
    drop((l6, c6));
}

fn steady_state_dumps_allocate_nothing() {
    let (_listener, _clients) = support::many_connections(6000, 500);
    let req = InetRequest::new(Family::Inet, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    let mut count = 0usize;
    let mut checksum = 0u64;
    let mut one_dump = |sock: &mut DiagSocket| {
        let mut dump = sock.dump(&req).unwrap();
        while let Some(batch) = dump.next_batch().unwrap() {
            for m in batch {
                count += 1;
                checksum = checksum
                    .wrapping_add(m.cookie())
                    .wrapping_add(u64::from(m.src_port()) + u64::from(m.inode()))
                    .wrapping_add(m.fast_hash());
                let _ = (m.src(), m.dst(), m.state(), m.rqueue());
                for a in m.attrs() {
                    checksum = checksum.wrapping_add(a.unwrap().payload().len() as u64);
                }
            }
        }
    };
    one_dump(&mut sock); // warm-up: the kernel learns the buffer size
    let n = allocations_during(|| {
        for _ in 0..10 {
            one_dump(&mut sock);
        }
    });
    assert_eq!(count, 11 * 1001);
    assert_eq!(n, 0, "allocations during 10 dumps of 1001 sockets");
    // The callback form too.
    let mut seen = 0;
    let n = allocations_during(|| {
        sock.for_each(&req, |m: InetMsg<'_>| {
            seen += usize::from(m.state() == TcpState::Established)
        })
        .unwrap();
    });
    assert_eq!((n, seen), (0, 1000));
    assert_ne!(checksum, 0);
}

fn snapshot_callback_batches_and_compat_agree() {
    let _p = Population::create();
    let req = InetRequest::new(Family::Inet6, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    let snap: BTreeSet<u64> = sock
        .snapshot(&req)
        .unwrap()
        .iter()
        .map(|s| s.id.cookie)
        .collect();
    let mut cb = BTreeSet::new();
    sock.for_each(&req, |m: InetMsg<'_>| {
        cb.insert(m.cookie());
    })
    .unwrap();
    let compat: BTreeSet<u64> = sockdiag::compat::inet_connections(Family::Inet6, Protocol::Tcp)
        .unwrap()
        .iter()
        .map(|s| s.id.cookie)
        .collect();
    assert_eq!(snap.len(), 5);
    assert_eq!(snap, cb);
    assert_eq!(snap, compat);
}

fn capture_hook_records_every_datagram() {
    let (_listener, _clients) = support::many_connections(6000, 300);
    let req = InetRequest::new(Family::Inet, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    let mut captured = Vec::new();
    let mut live = 0;
    {
        let mut dump = sock.dump(&req).unwrap().capture(&mut captured);
        while let Some(batch) = dump.next_batch().unwrap() {
            live += batch.len();
        }
    }
    assert_eq!(live, 601);
    // The capture replays through the parser: every socket, then DONE.
    let msgs: Vec<_> = Messages::new(&captured).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 602);
    assert!(msgs.last().unwrap().is_done());
    let parsed = msgs[..601]
        .iter()
        .filter(|m| InetMsg::parse(**m).is_ok())
        .count();
    assert_eq!(parsed, 601);
    // The compat form with a writer captures the same way.
    let mut resp = Vec::new();
    let socks = sockdiag::compat::inet_diag(&req, Some(&mut resp)).unwrap();
    assert_eq!(socks.len(), 601);
    assert_eq!(Messages::new(&resp).count(), 602);
}

fn datagrams_from_other_senders_are_dropped() {
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

fn cli_output_matches_ss() {
    let _p = Population::create();
    if !have_ss() {
        assert!(
            !require_live(),
            "ss (iproute2) is required with SOCKDIAG_REQUIRE_LIVE=1"
        );
        println!("    (skipped: no `ss` on this machine)");
        return;
    }
    let bin = env!("CARGO_BIN_EXE_sockdiag");
    // Some unix, packet and netlink sockets too.
    let _unix = std::os::unix::net::UnixStream::pair().unwrap();
    let _packet = support::packet_socket(libc::SOCK_DGRAM, support::ETH_P_IP);
    // The diag sockets of sockdiag and of ss differ: leave netlink
    // protocol 4 (NETLINK_SOCK_DIAG) user sockets out of the comparison.
    let own_diag = |row: &Vec<String>| row.iter().any(|t| t.starts_with("4:") && t != "4:0");
    for (ours, theirs) in [
        (&["-tua"][..], &["-tuan"][..]),
        (&["-t", "-4", "-a"][..], &["-tan", "-4"][..]),
        (&["-u", "-6", "-a"][..], &["-uan", "-6"][..]),
        (&["-xa"][..], &["-xan"][..]),
        (&["-x"][..], &["-xn"][..]),
        (&["-0a"][..], &["-0an"][..]),
        (&["-0"][..], &["-0n"][..]),
        (&["--netlink", "-a"][..], &["-A", "netlink", "-an"][..]),
        (&["-t", "-u", "-x", "-0", "-a"][..], &["-tux0an"][..]),
        (&["-a"][..], &["-an"][..]),
    ] {
        let out = Command::new(bin).args(ours).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ss = Command::new("ss").args(theirs).output().unwrap();
        assert!(ss.status.success());
        let (mut ours_rows, mut ss_rows) = (
            rows(&String::from_utf8(out.stdout).unwrap(), true),
            rows(&String::from_utf8(ss.stdout).unwrap(), true),
        );
        ours_rows.retain(|r| !own_diag(r));
        ss_rows.retain(|r| !own_diag(r));
        assert!(!ss_rows.is_empty());
        assert_eq!(ours_rows, ss_rows, "sockdiag {ours:?} vs ss {theirs:?}");
    }
    // -H drops the header; bad options are a one-line error, exit code 2.
    let out = Command::new(bin).args(["-H", "-t"]).output().unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("Netid"));
    let out = Command::new(bin).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
}

/// Our dump's view of every TCP socket of both families, with every
/// extension, by inode.
fn tcp_by_inode(sock: &mut DiagSocket) -> HashMap<u32, InetSocket> {
    let mut out = HashMap::new();
    for family in [Family::Inet, Family::Inet6] {
        let req = InetRequest::new(family, Protocol::Tcp).with_extensions(Extensions::all());
        for s in sock.snapshot(&req).unwrap() {
            if s.inode != 0 {
                out.insert(s.inode, s);
            }
        }
    }
    out
}

fn tcp_info_matches_getsockopt() {
    let p = Population::create();
    let a = support::AttrPopulation::create();
    let mut sock = DiagSocket::new().unwrap();
    let streams: Vec<(&str, &std::net::TcpStream)> = vec![
        ("tcp4_client", &p.tcp4_client),
        ("tcp4_server", &p.tcp4_server),
        ("tcp6_client", &p.tcp6_client),
        ("dual_server", &p.dual_server),
        ("bbr_server", &a.bbr_server),
        ("cubic_client", &a.cubic_client),
        ("v6_client", &a.v6_client),
    ];
    let dumped = tcp_by_inode(&mut sock);
    for (name, stream) in streams {
        let ours = dumped[&inode_of(stream)]
            .attributes
            .tcp_info
            .clone()
            .unwrap();
        let theirs_bytes = support::tcp_info_sockopt(stream);
        let theirs = TcpInfo::new(&theirs_bytes[..]);
        assert_eq!(ours.len(), theirs.len(), "{name}: struct size");
        // Nothing moved between the two reads: these are equal.
        assert_eq!(ours.state(), theirs.state(), "{name}");
        assert_eq!(ours.snd_mss(), theirs.snd_mss(), "{name}");
        assert_eq!(ours.rcv_mss(), theirs.rcv_mss(), "{name}");
        assert_eq!(ours.snd_wscale(), theirs.snd_wscale(), "{name}");
        assert_eq!(ours.rcv_wscale(), theirs.rcv_wscale(), "{name}");
        assert_eq!(ours.options(), theirs.options(), "{name}");
        assert_eq!(ours.bytes_acked(), theirs.bytes_acked(), "{name}");
        assert_eq!(ours.bytes_received(), theirs.bytes_received(), "{name}");
        assert_eq!(ours.bytes_sent(), theirs.bytes_sent(), "{name}");
        assert_eq!(ours.segs_out(), theirs.segs_out(), "{name}");
        assert_eq!(ours.segs_in(), theirs.segs_in(), "{name}");
        assert_eq!(ours.snd_cwnd(), theirs.snd_cwnd(), "{name}");
        assert_eq!(ours.snd_ssthresh(), theirs.snd_ssthresh(), "{name}");
        assert_eq!(ours.rtt(), theirs.rtt(), "{name}");
        assert_eq!(ours.min_rtt(), theirs.min_rtt(), "{name}");
        assert_eq!(ours.pmtu(), theirs.pmtu(), "{name}");
        assert_eq!(ours.total_retrans(), theirs.total_retrans(), "{name}");
        assert_eq!(ours.delivered(), theirs.delivered(), "{name}");
    }
    // Data moved where the population moved it.
    let bbr = dumped[&inode_of(&a.bbr_server)]
        .attributes
        .tcp_info
        .clone()
        .unwrap();
    assert_eq!(
        bbr.bytes_received(),
        Some(support::MOVED as u64 + 1),
        "4000 bytes and a FIN"
    );
    let server = dumped[&inode_of(&p.tcp4_server)]
        .attributes
        .tcp_info
        .clone()
        .unwrap();
    assert_eq!(server.bytes_received(), Some(support::TCP_UNREAD as u64));
}

/// `ss -tainmeoH` output: for each socket, its local and peer address and
/// every token of its lines.
fn ss_sockets() -> HashMap<(String, String), Vec<String>> {
    let out = Command::new("ss").args(["-tainmeoH"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut socks: HashMap<(String, String), Vec<String>> = HashMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        let tokens: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        if line.starts_with(char::is_whitespace) {
            if let Some(key) = &current {
                socks.get_mut(key).unwrap().extend(tokens);
            }
        } else if tokens.len() >= 5 {
            let key = (tokens[3].clone(), tokens[4].clone());
            socks.insert(key.clone(), tokens[5..].to_vec());
            current = Some(key);
        }
    }
    socks
}

fn value<'a>(tokens: &'a [String], key: &str) -> Option<&'a str> {
    tokens.iter().find_map(|t| t.strip_prefix(key))
}

/// `ss`'s address:port text for a socket address.
fn ss_addr(a: SocketAddr) -> String {
    match a {
        SocketAddr::V4(v4) => format!(
            "{}:{}",
            v4.ip(),
            if a.port() == 0 {
                "*".into()
            } else {
                a.port().to_string()
            }
        ),
        SocketAddr::V6(v6) => format!(
            "[{}]:{}",
            v6.ip(),
            if a.port() == 0 {
                "*".into()
            } else {
                a.port().to_string()
            }
        ),
    }
}

fn tcp_info_matches_ss() {
    let _p = Population::create();
    let _a = support::AttrPopulation::create();
    if !have_ss() {
        assert!(
            !require_live(),
            "ss (iproute2) is required with SOCKDIAG_REQUIRE_LIVE=1"
        );
        println!("    (skipped: no `ss` on this machine)");
        return;
    }
    let mut sock = DiagSocket::new().unwrap();
    let ours = tcp_by_inode(&mut sock);
    let theirs = ss_sockets();
    let mut compared = 0;
    for s in ours.values() {
        if !matches!(s.state, TcpState::Established | TcpState::Listen) {
            continue;
        }
        let key = (ss_addr(s.id.src), ss_addr(s.id.dst));
        // ss prints "*" for a dual-stack wildcard; skip those two.
        let Some(t) = theirs.get(&key) else {
            assert!(s.id.src.ip().is_unspecified(), "{key:?} missing from ss");
            continue;
        };
        let a = &s.attributes;
        let info = a.tcp_info.as_ref().unwrap();
        assert_eq!(
            value(t, "ino:"),
            Some(s.inode.to_string().as_str()),
            "{key:?} ino"
        );
        assert_eq!(
            value(t, "sk:"),
            Some(format!("{:x}", s.id.cookie).as_str()),
            "{key:?} cookie"
        );
        if s.uid != 0 {
            assert_eq!(
                value(t, "uid:"),
                Some(s.uid.to_string().as_str()),
                "{key:?} uid"
            );
        }
        match a.mark {
            Some(m) if m != 0 => assert_eq!(
                value(t, "fwmark:"),
                Some(format!("0x{m:x}").as_str()),
                "{key:?} mark"
            ),
            _ => assert_eq!(value(t, "fwmark:"), None, "{key:?} mark"),
        }
        assert!(
            t.contains(a.cong.as_ref().unwrap()),
            "{key:?} cong {:?} in {t:?}",
            a.cong
        );
        let sk = a.skmeminfo.as_ref().unwrap();
        let skmem = format!(
            "(r{},rb{},t{},tb{},f{},w{},o{},bl{},d{})",
            sk.rmem_alloc().unwrap(),
            sk.rcvbuf().unwrap(),
            sk.wmem_alloc().unwrap(),
            sk.sndbuf().unwrap(),
            sk.fwd_alloc().unwrap(),
            sk.wmem_queued().unwrap(),
            sk.optmem().unwrap(),
            sk.backlog().unwrap(),
            sk.drops().unwrap()
        );
        assert_eq!(value(t, "skmem:"), Some(skmem.as_str()), "{key:?} skmem");
        assert_eq!(
            value(t, "cwnd:"),
            Some(info.snd_cwnd().unwrap().to_string().as_str()),
            "{key:?} cwnd"
        );
        let ssthresh = info.snd_ssthresh().unwrap();
        if ssthresh != 0 && ssthresh < 0xffff {
            assert_eq!(
                value(t, "ssthresh:"),
                Some(ssthresh.to_string().as_str()),
                "{key:?} ssthresh"
            );
        }
        if s.state == TcpState::Established {
            let rtt = value(t, "rtt:").unwrap();
            let (srtt, var) = rtt.split_once('/').unwrap();
            let close = |text: &str, us: u32| {
                (text.parse::<f64>().unwrap() - f64::from(us) / 1000.0).abs() < 0.0005
            };
            assert!(
                close(srtt, info.rtt().unwrap()),
                "{key:?} rtt {rtt} vs {:?}",
                info.rtt()
            );
            assert!(
                close(var, info.rttvar().unwrap()),
                "{key:?} rttvar {rtt} vs {:?}",
                info.rttvar()
            );
        }
        compared += 1;
    }
    assert!(compared >= 15, "compared {compared} sockets");
}

fn legacy_request_equals_two_v2_dumps() {
    let _p = Population::create();
    let _a = support::AttrPopulation::create();
    let (_l, _c) = support::many_connections(6100, 200);
    let mut sock = DiagSocket::new().unwrap();
    let cookies = |socks: Vec<InetSocket>| {
        socks
            .into_iter()
            .map(|s| s.id.cookie)
            .collect::<BTreeSet<u64>>()
    };
    let legacy = sock.snapshot(&LegacyRequest::tcp()).unwrap();
    assert!(legacy.iter().all(|s| s.protocol == Some(Protocol::Tcp)));
    let families: BTreeSet<Family> = legacy.iter().map(|s| s.family).collect();
    assert_eq!(families.len(), 2, "both families in one walk");
    let legacy = cookies(legacy);
    let mut v2 = cookies(dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp),
    ));
    v2.extend(cookies(dump_all(
        &mut sock,
        InetRequest::new(Family::Inet6, Protocol::Tcp),
    )));
    assert_eq!(
        legacy.len(),
        6 + 5 + 10 + 3 + 401,
        "population, attribute population, 200 connections"
    );
    assert_eq!(legacy, v2);
    // With extensions, type-18 replies decode tcp_info.
    let with_info = sock
        .snapshot(&LegacyRequest::tcp().with_extensions(Extensions::INFO))
        .unwrap();
    assert!(with_info.iter().all(|s| s.attributes.tcp_info.is_some()));
    // DCCP is gone from this kernel (6.16+): an error, not an empty list.
    match sock.snapshot(&LegacyRequest::dccp()) {
        Ok(v) => assert!(v.is_empty()),
        Err(e) => assert!(
            matches!(e, Error::Unavailable { .. } | Error::Kernel(_)),
            "{e}"
        ),
    }
}

fn every_protocol_over_both_families() {
    let _p = Population::create();
    let _udplite = support::udplite_socket(addr("127.0.0.1:7100")).unwrap();
    let a = support::AttrPopulation::create();
    let mut sock = DiagSocket::new().unwrap();
    for protocol in Protocol::ALL {
        for family in [Family::Inet, Family::Inet6] {
            let req = InetRequest::new(family, protocol).with_extensions(Extensions::all());
            match sock.snapshot(&req) {
                Ok(socks) => {
                    assert!(socks
                        .iter()
                        .all(|s| s.family == family && s.protocol == Some(protocol)));
                    assert!(
                        socks.iter().all(|s| s.attributes.errors.is_empty()),
                        "{protocol:?}"
                    );
                    let n = socks.len();
                    match (protocol, family) {
                        (Protocol::Tcp, Family::Inet) => assert_eq!(n, 16),
                        (Protocol::Udp, Family::Inet) => assert_eq!(n, 2),
                        (Protocol::Udp, Family::Inet6) => assert_eq!(n, 1),
                        (Protocol::UdpLite, Family::Inet) => {
                            assert_eq!(n, 1);
                            assert_eq!(socks[0].id.src.port(), 7100);
                        }
                        (Protocol::Mptcp, Family::Inet) if a.mptcp.is_some() => {
                            assert_eq!(n, 3);
                            assert!(socks.iter().all(|s| s.attributes.mptcp_info.is_some()));
                        }
                        _ => {}
                    }
                }
                // No diag module for this protocol on this kernel.
                Err(Error::Unavailable {
                    family: f,
                    protocol: p,
                }) => {
                    assert_eq!((f, p), (family.to_raw(), protocol.number()));
                    assert!(
                        matches!(protocol, Protocol::Raw | Protocol::Sctp | Protocol::Dccp),
                        "{protocol:?}"
                    );
                }
                Err(e) => panic!("{protocol:?} {family:?}: {e}"),
            }
        }
    }
}

/// `ss -xaH`: (netid, state, recv-q, send-q, local name, inode, peer inode).
fn ss_unix() -> BTreeSet<Vec<String>> {
    let out = Command::new("ss").args(["-xaH"]).output().unwrap();
    assert!(out.status.success());
    rows(&String::from_utf8(out.stdout).unwrap(), false)
}

/// Creates a unix socket as uid 65534 in a child process (this same test
/// binary in helper mode) bound to the abstract name `name`; returns the
/// child, which holds the socket until its stdin closes. `None` when this
/// process cannot switch uid (not root).
fn unix_socket_of_other_user(name: &str) -> Option<std::process::Child> {
    use std::io::BufRead;
    if !real_root() {
        return None;
    }
    let mut child = as_nobody(std::env::current_exe().unwrap())
        .args(["--helper-unix-socket", name])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    Some(child)
}

/// Helper mode: bind an abstract unix datagram socket, say so, and hold it
/// until stdin closes.
fn helper_unix_socket(name: &str) {
    use std::io::Read;
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _sock = std::os::unix::net::UnixDatagram::bind_addr(&addr).unwrap();
    println!("ready");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

fn unix_sockets_of_every_kind() {
    use sockdiag::unix::{UnixAddr as Name, UnixRequest, UnixShow, UnixSocket, UnixType};
    use std::os::unix::fs::MetadataExt;

    let dir = std::env::temp_dir().join(format!("sockdiag-live-{}", std::process::id()));
    let p = support::UnixPopulation::create(&dir);
    let (path, listener, pending, abstract_dgram) =
        (&p.path, &p.listener, &p.pending, &p.abstract_dgram);
    let (stream_a, stream_b, seq_a, seq_b, dgram_a, dgram_b) = (
        &p.stream_a,
        &p.stream_b,
        &p.seq_a,
        &p.seq_b,
        &p.dgram_a,
        &p.dgram_b,
    );
    let other_user = unix_socket_of_other_user("sockdiag-other-user");

    let mut sock = DiagSocket::new().unwrap();
    let all = sock
        .snapshot(&UnixRequest::new().with_show(UnixShow::all()))
        .unwrap();
    let by_inode: HashMap<u32, UnixSocket> = all.iter().map(|s| (s.inode, s.clone())).collect();
    let get = |fd: &dyn AsRawFd| by_inode[&inode_of(&fd.as_raw_fd())].clone();
    let expected = 10 + usize::from(other_user.is_some());
    assert_eq!(all.len(), expected, "{all:#?}");
    let uid = nix::unistd::geteuid().as_raw();
    for s in &all {
        assert!(s.errors.is_empty() && s.other.is_empty(), "{s:?}");
        assert_eq!(s.meminfo.as_ref().map(|m| m.len()), Some(9));
        if s.name != Some(Name::Abstract(b"sockdiag-other-user".to_vec())) {
            assert_eq!(s.uid, Some(uid));
        }
    }

    let l = get(listener);
    assert_eq!(
        (l.socket_type, l.state),
        (UnixType::Stream, TcpState::Listen)
    );
    assert_eq!(l.name, Some(Name::Path(path.clone())));
    let meta = std::fs::metadata(path).unwrap();
    let vfs = l.vfs.unwrap();
    assert_eq!(u64::from(vfs.inode), meta.ino());
    assert_eq!(
        (u64::from(vfs.major()), u64::from(vfs.minor())),
        (
            nix::sys::stat::major(meta.dev()),
            nix::sys::stat::minor(meta.dev())
        )
    );
    let mut icons = l.icons.clone().unwrap();
    icons.sort_unstable();
    let mut clients: Vec<u32> = pending.iter().map(inode_of).collect();
    clients.sort_unstable();
    assert_eq!(icons, clients, "ICONS lists the connecting sockets");
    let q = l.rqlen.unwrap();
    assert_eq!((q.rqueue, q.wqueue), (2, 5), "2 pending, backlog 5");
    for c in pending {
        let c = get(c);
        assert_eq!(c.state, TcpState::Established);
        assert_eq!(c.peer, Some(0), "its peer is not accepted yet: no inode");
    }

    let a = get(abstract_dgram);
    assert_eq!((a.socket_type, a.state), (UnixType::Dgram, TcpState::Close));
    assert_eq!(a.name, Some(Name::Abstract(b"sockdiag-abstract".to_vec())));
    assert_eq!(a.vfs, None);

    for (x, y, ty, unread) in [
        (get(stream_a), get(stream_b), UnixType::Stream, 7),
        (get(seq_a), get(seq_b), UnixType::SeqPacket, 5),
        (get(dgram_a), get(dgram_b), UnixType::Dgram, 9),
    ] {
        assert_eq!((x.socket_type, y.socket_type), (ty, ty));
        assert_eq!(
            (x.name.clone(), y.name.clone()),
            (None, None),
            "unnamed, and kept"
        );
        assert_eq!(x.peer, Some(y.inode), "{ty:?}: each peer names the other");
        assert_eq!(y.peer, Some(x.inode), "{ty:?}");
        assert_eq!(
            y.rqlen.unwrap().rqueue,
            unread,
            "{ty:?}: unread at the receiver"
        );
        assert!(x.rqlen.unwrap().wqueue > 0, "{ty:?}: the sender's queue");
    }
    assert_eq!(get(stream_a).shutdown, Some(Shutdown::SEND));
    assert_eq!(get(stream_b).shutdown, Some(Shutdown::RECEIVE));

    if other_user.is_some() {
        let s = all
            .iter()
            .find(|s| s.name == Some(Name::Abstract(b"sockdiag-other-user".to_vec())))
            .unwrap();
        assert_eq!(s.uid, Some(65534), "UID of a socket opened by another user");
    } else {
        assert!(
            !require_live(),
            "the uid check needs root (SOCKDIAG_REQUIRE_LIVE=1)"
        );
        println!("    (uid check skipped: switching uid needs root)");
    }

    // Exact lookups: by inode and cookie; stale cookie and unknown inode.
    let found = sock
        .snapshot(&UnixRequest::lookup(l.inode, Some(l.cookie)))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].inode, found[0].cookie), (l.inode, l.cookie));
    assert_eq!(found[0].name, l.name);
    let stale = sock.snapshot(&UnixRequest::lookup(l.inode, Some(l.cookie ^ 1)));
    assert!(
        matches!(stale, Err(Error::NotFound { errno }) if errno == libc::ESTALE),
        "{stale:?}"
    );
    let gone = sock.snapshot(&UnixRequest::lookup(u32::MAX - 7, None));
    assert!(
        matches!(gone, Err(Error::NotFound { errno }) if errno == libc::ENOENT),
        "{gone:?}"
    );
    // The state mask is the kernel's: only listeners.
    let listeners = sock
        .snapshot(&UnixRequest::new().with_states(States::LISTEN))
        .unwrap();
    assert_eq!(listeners.len(), 1);

    // The same sockets, fields and names as ss prints them.
    if have_ss() {
        let mut ss_rows = 0;
        for row in ss_unix() {
            let [netid, state, rq, wq, name, ino, _, peer] = &row[..] else {
                panic!("unexpected ss row {row:?}");
            };
            let s = &by_inode[&ino.parse::<u32>().unwrap()];
            assert_eq!(netid, s.socket_type.netid(), "{row:?}");
            let state_text = match s.state {
                TcpState::Listen => "LISTEN",
                TcpState::Established => "ESTAB",
                _ => "UNCONN",
            };
            assert_eq!(state, state_text, "{row:?}");
            let q = s.rqlen.unwrap();
            assert_eq!(
                (rq.parse::<u32>().unwrap(), wq.parse::<u32>().unwrap()),
                (q.rqueue, q.wqueue),
                "{row:?}"
            );
            let shown = s.name.as_ref().map_or("*".to_owned(), |n| n.to_string());
            assert_eq!(name, &shown, "{row:?}");
            assert_eq!(peer.parse::<u32>().unwrap(), s.peer.unwrap_or(0), "{row:?}");
            ss_rows += 1;
        }
        assert_eq!(ss_rows, all.len());
    } else {
        assert!(
            !require_live(),
            "ss (iproute2) is required with SOCKDIAG_REQUIRE_LIVE=1"
        );
    }
    if let Some(mut child) = other_user {
        drop(child.stdin.take());
        child.wait().unwrap();
    }
    drop(p);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn netlink_sockets() {
    use sockdiag::netlink_diag::{NetlinkFlags, NetlinkRequest, NetlinkShow};
    let fd = support::netlink_route_socket();
    let me: NetlinkAddr = socket::getsockname(fd.as_raw_fd()).unwrap();
    let mut sock = DiagSocket::new().unwrap();
    let all = sock
        .snapshot(&NetlinkRequest::new().with_show(NetlinkShow::all()))
        .unwrap();
    let ours = all.iter().find(|s| s.inode == inode_of(&fd)).unwrap();
    assert_eq!((ours.protocol, ours.port_id), (0, me.pid()));
    assert_eq!(ours.groups.as_deref(), Some(&[1, 5][..]), "groups 1 and 5");
    assert!(!ours.connected && ours.errors.is_empty());
    assert_eq!(ours.meminfo.as_ref().map(|m| m.len()), Some(9));
    // The dumping socket itself, with its dump running.
    let me = all
        .iter()
        .find(|s| s.protocol == 4 && s.port_id == sock.port_id())
        .expect("the diag socket lists itself");
    assert!(me.flags.unwrap().contains(NetlinkFlags::CB_RUNNING));
    // The kernel's own rtnetlink socket: port 0.
    assert!(all.iter().any(|s| s.protocol == 0 && s.port_id == 0));
    // Filtering by protocol is the kernel's.
    let route = sock
        .snapshot(&NetlinkRequest::new().with_protocol(0))
        .unwrap();
    assert!(route.iter().all(|s| s.protocol == 0));
    assert_eq!(route.len(), all.iter().filter(|s| s.protocol == 0).count());
}

fn packet_sockets() {
    use sockdiag::packet::{PacketInfoFlags, PacketRequest, PacketShow};
    let support::PacketPopulation { raw, dgram } = support::PacketPopulation::create();
    let mut sock = DiagSocket::new().unwrap();
    let all = sock
        .snapshot(&PacketRequest::new().with_show(PacketShow::all()))
        .unwrap();
    assert_eq!(all.len(), 2);
    let r = all.iter().find(|s| s.inode == inode_of(&raw)).unwrap();
    assert_eq!((r.socket_type, r.protocol), (3, support::ETH_P_ARP));
    let info = r.info.unwrap();
    assert_eq!(info.index, 1, "bound to lo");
    assert!(info.flags.contains(PacketInfoFlags::RUNNING));
    assert_eq!(r.fanout.map(|f| (f.id(), f.kind())), Some((42, 0)));
    let filter = r.filter.clone().unwrap();
    assert_eq!(filter.len(), 1);
    assert_eq!((filter[0].code.get(), filter[0].k.get()), (0x06, 0xffff));
    let m = r.memberships.clone().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].index, m[0].kind), (1, 1), "PACKET_MR_PROMISC on lo");
    assert_eq!(r.uid, Some(nix::unistd::geteuid().as_raw()));
    assert!(r.meminfo.is_some() && r.errors.is_empty());
    let d = all.iter().find(|s| s.inode == inode_of(&dgram)).unwrap();
    assert_eq!((d.socket_type, d.protocol), (2, support::ETH_P_IP));
    assert_eq!(d.info.unwrap().index, 0, "not bound to an interface");
    assert_eq!(
        (d.fanout, d.memberships.as_ref().map(Vec::len)),
        (None, Some(0))
    );
}

/// Helper mode: try to destroy the TCP socket `src` -> `dst` and print
/// the errno (0 on success).
fn helper_destroy(src: &str, dst: &str) {
    use sockdiag::inet::SocketId;
    let mut sock = DiagSocket::new().unwrap();
    let req = InetRequest::lookup(Protocol::Tcp, SocketId::new(addr(src), addr(dst)));
    let errno = match sock.destroy(&req) {
        Ok(()) => 0,
        Err(e) => e.raw_os_error().unwrap_or(-1),
    };
    println!("{errno}");
}

fn inet_lookup_finds_each_socket_and_not_the_gone() {
    use sockdiag::inet::SocketId;
    let p = Population::create();
    let mut sock = DiagSocket::new().unwrap();
    let mut all = Vec::new();
    for (family, protocol) in [
        (Family::Inet, Protocol::Tcp),
        (Family::Inet6, Protocol::Tcp),
        (Family::Inet, Protocol::Udp),
        (Family::Inet6, Protocol::Udp),
    ] {
        for s in dump_all(&mut sock, InetRequest::new(family, protocol)) {
            all.push((protocol, s));
        }
    }
    assert_eq!(all.len(), 6 + 5 + 2 + 1);
    for (protocol, s) in &all {
        let found = sock
            .lookup(&InetRequest::lookup(*protocol, s.id))
            .unwrap_or_else(|e| panic!("{protocol:?} {:?} {:?}: {e}", s.id, s.state));
        assert_eq!(
            (found.id, found.inode, found.state),
            (s.id, s.inode, s.state),
            "{protocol:?} {:?}",
            s.id
        );
        // Without the cookie, the addresses alone find it too.
        let id = SocketId::new(s.id.src, s.id.dst);
        assert_eq!(
            sock.lookup(&InetRequest::lookup(*protocol, id))
                .unwrap()
                .id
                .cookie,
            s.id.cookie
        );
        // A wrong cookie is NotFound.
        let wrong = s.id.with_cookie(s.id.cookie ^ 0x5a5a);
        let r = sock.lookup(&InetRequest::lookup(*protocol, wrong));
        assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
    }
    // The cheap port filters of a dump request.
    let by_sport = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_src_port(5001),
    );
    assert_eq!(
        by_sport.len(),
        3,
        "the listener and its accepted and pending children"
    );
    assert!(by_sport.iter().all(|s| s.id.src.port() == 5001));
    let by_dport = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_dst_port(5001),
    );
    assert_eq!(by_dport.len(), 2, "the two clients");
    // After close: NotFound.
    let client = all
        .iter()
        .find(|(_, s)| s.id.src == addr("127.0.0.1:40005"))
        .map(|(_, s)| s.id)
        .unwrap();
    drop(p.udp4_client);
    let r = sock.lookup(&InetRequest::lookup(Protocol::Udp, client));
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
}

fn destroy_closes_the_victim_and_needs_the_capability() {
    use sockdiag::inet::SocketId;
    use std::io::Read;
    let mut p = Population::create();
    let mut sock = DiagSocket::new().unwrap();
    let victim = SocketId::new(addr("[::1]:5002"), addr("[::1]:40003"));
    // Without CAP_NET_ADMIN (a child process as uid 65534): EPERM.
    if can_drop_privileges("the EPERM check") {
        let out = as_nobody(std::env::current_exe().unwrap())
            .args(["--helper-destroy", "[::1]:5002", "[::1]:40003"])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap().trim(),
            libc::EPERM.to_string()
        );
    }
    // With it: the victim's own reads fail with ECONNABORTED, its peer's
    // with a reset.
    let found = sock
        .lookup(&InetRequest::lookup(Protocol::Tcp, victim))
        .unwrap();
    sock.destroy(&InetRequest::lookup(
        Protocol::Tcp,
        victim.with_cookie(found.id.cookie),
    ))
    .unwrap();
    let mut buf = [0u8; 200];
    let e = p.tcp6_server.read(&mut buf).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ECONNABORTED));
    p.tcp6_client
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let e = p.tcp6_client.read(&mut buf).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ECONNRESET));
    // It is gone: NotFound, for a lookup and for a second destroy with
    // its cookie. Without the cookie, the kernel's lookup falls back to the
    // listener on that local address and port.
    let gone = victim.with_cookie(found.id.cookie);
    let r = sock.lookup(&InetRequest::lookup(Protocol::Tcp, gone));
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
    let r = sock.destroy(&InetRequest::lookup(Protocol::Tcp, gone));
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
    let fallback = sock
        .lookup(&InetRequest::lookup(Protocol::Tcp, victim))
        .unwrap();
    assert_eq!(fallback.state, TcpState::Listen);
    // A dump request names no socket.
    let r = sock.destroy(&InetRequest::new(Family::Inet, Protocol::Tcp));
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
}

fn destroy_many_while_the_dump_runs() {
    let (_listener, clients) = support::many_connections(6200, 300);
    let mut dumper = DiagSocket::new().unwrap();
    let mut killer = DiagSocket::new().unwrap();
    let req = InetRequest::new(Family::Inet, Protocol::Tcp).with_dst_port(6200);
    let mut destroyed = 0;
    let mut dump = dumper.dump(&req).unwrap();
    while let Some(batch) = dump.next_batch().unwrap() {
        for m in batch {
            let target = InetRequest::lookup(Protocol::Tcp, sockdiag::inet::InetSocket::from(m).id);
            killer.destroy(&target).unwrap();
            destroyed += 1;
        }
    }
    assert_eq!(destroyed, 300);
    drop(dump);
    assert!(
        dump_all(&mut dumper, req).is_empty(),
        "every client is gone"
    );
    drop(clients);
}

/// Helper mode: a TCP listener on 127.0.0.1:`port` (after moving into a
/// fresh network namespace if `fresh`), held until stdin closes.
fn helper_listener(port: &str, fresh: bool) {
    use std::io::Read;
    if fresh {
        support::enter_private_netns().unwrap();
    }
    let _l = std::net::TcpListener::bind(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    println!("ready");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

fn spawn_helper(args: &[&str], prefix: &[&str]) -> std::process::Child {
    use std::io::BufRead;
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let mut child = cmd
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    child
}

fn finish(mut child: std::process::Child) {
    drop(child.stdin.take());
    child.wait().unwrap();
}

fn listeners_on(sock: &mut DiagSocket, port: u16) -> usize {
    dump_all(
        sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_src_port(port),
    )
    .len()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn scanning_other_network_namespaces() {
    use sockdiag::NetNs;
    use std::os::fd::AsFd;
    let fds_before = open_fds();
    // A process in namespace A, with a listener on 7300.
    let child = spawn_helper(&["--helper-listener", "7300", "fresh"], &[]);
    let pid = child.id();
    let mut here = DiagSocket::new().unwrap();
    assert_eq!(
        listeners_on(&mut here, 7300),
        0,
        "not in this thread's namespace"
    );
    let path = std::path::PathBuf::from(format!("/proc/{pid}/ns/net"));
    let file = std::fs::File::open(&path).unwrap();
    for ns in [NetNs::Pid(pid), NetNs::Path(&path), NetNs::Fd(file.as_fd())] {
        let mut there = DiagSocket::in_netns(ns).unwrap();
        assert_eq!(listeners_on(&mut there, 7300), 1, "{ns}");
    }
    drop(file);
    // A thread living in namespace C, seen from this one (namespace B).
    let (tx, rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        support::enter_private_netns().unwrap();
        let _l = std::net::TcpListener::bind(("127.0.0.1", 7301)).unwrap();
        tx.send(nix::unistd::gettid().as_raw()).unwrap();
        done_rx.recv().unwrap();
    });
    let tid = rx.recv().unwrap();
    let task = std::path::PathBuf::from(format!("/proc/self/task/{tid}/ns/net"));
    let mut there = DiagSocket::in_netns(NetNs::Path(&task)).unwrap();
    assert_eq!(listeners_on(&mut there, 7301), 1);
    assert_eq!(listeners_on(&mut here, 7301), 0);
    done_tx.send(()).unwrap();
    t.join().unwrap();
    finish(child);
    // By name, with ip netns (root only).
    if real_root() && Command::new("ip").arg("-V").output().is_ok() {
        let name = format!("sockdiag-test-{}", std::process::id());
        assert!(Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .unwrap()
            .success());
        let child = spawn_helper(
            &["--helper-listener", "7302", "stay"],
            &["ip", "netns", "exec", &name],
        );
        let mut named = DiagSocket::in_netns(NetNs::Named(&name)).unwrap();
        assert_eq!(listeners_on(&mut named, 7302), 1);
        drop(named);
        finish(child);
        assert!(Command::new("ip")
            .args(["netns", "del", &name])
            .status()
            .unwrap()
            .success());
    } else {
        assert!(
            !require_live(),
            "the named-namespace check needs root and ip (SOCKDIAG_REQUIRE_LIVE=1)"
        );
        println!("    (ip netns check skipped: needs root and iproute2)");
    }
    // Unknown namespaces: a typed error naming them.
    for ns in [
        NetNs::Named("sockdiag-no-such-ns"),
        NetNs::Pid(u32::MAX),
        NetNs::Named("../etc"),
    ] {
        match DiagSocket::in_netns(ns) {
            Err(e @ Error::Namespace { .. }) => {
                assert!(e.to_string().contains("network namespace"), "{e}")
            }
            other => panic!("{ns}: {other:?}"),
        }
    }
    drop((here, there));
    assert_eq!(open_fds(), fds_before, "no descriptor leaked");
}

fn capture_and_replay() {
    use sockdiag::replay::{Record, Replay};
    let _p = Population::create();
    let (_l, _c) = support::many_connections(6300, 150);
    let dir = std::env::temp_dir().join(format!("sockdiag-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tcp.dump");
    let mut sock = DiagSocket::new().unwrap();
    // Capture both families into one file, as `ss -D` does.
    let mut live = BTreeSet::new();
    {
        let mut file = std::fs::File::create(&path).unwrap();
        for family in [Family::Inet, Family::Inet6] {
            let req = InetRequest::new(family, Protocol::Tcp).with_extensions(Extensions::INFO);
            let mut dump = sock.dump(&req).unwrap().capture(&mut file);
            while let Some(batch) = dump.next_batch().unwrap() {
                live.extend(batch.iter().map(|m| m.cookie()));
            }
        }
    }
    let bytes = std::fs::read(&path).unwrap();
    let mut replayed = BTreeSet::new();
    let mut dones = 0;
    for record in Replay::new(&bytes).with_inet_protocol(Protocol::Tcp) {
        match record.unwrap() {
            Record::Inet(m) => {
                assert!(m
                    .attributes()
                    .any(|a| matches!(a, Ok(sockdiag::inet::InetAttr::TcpInfo(_)))));
                replayed.insert(m.cookie());
            }
            Record::Done(d) => {
                assert_eq!(d.errno(), None);
                dones += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(dones, 2);
    assert_eq!(live.len(), 6 + 5 + 301);
    assert_eq!(replayed, live, "the replay is the live dump");
    // Two captures back to back, the DONEs cut off: still whole messages.
    let no_done = &bytes[..bytes.len() - 20];
    let twice = [no_done, no_done].concat();
    assert_eq!(
        Replay::new(&twice)
            .filter(|r| matches!(r, Ok(Record::Inet(_))))
            .count(),
        2 * live.len()
    );
    // Cut inside a message: every whole message, then the offset of the cut one.
    let cut = &bytes[..bytes.len() / 2];
    let records: Vec<_> = Replay::new(cut).collect();
    let err = records.last().unwrap().as_ref().unwrap_err();
    let whole: usize = records.iter().filter(|r| r.is_ok()).count();
    assert!(whole > 0);
    let boundary: usize = Messages::new(&bytes)
        .take(whole)
        .map(|m| (m.unwrap().payload().len() + 16 + 3) & !3)
        .sum();
    assert_eq!(err.offset(), boundary);
    assert_eq!(err.layer(), sockdiag::Layer::Message);
    // `ss -D` writes the same format.
    if have_ss() {
        let ss_path = dir.join("ss.dump");
        let ok = Command::new("ss")
            .arg("-D")
            .arg(&ss_path)
            .arg("-ta")
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let ss_bytes = std::fs::read(&ss_path).unwrap();
        let from_ss: BTreeSet<u64> = Replay::new(&ss_bytes)
            .filter_map(|r| match r.unwrap() {
                Record::Inet(m) => Some(m.cookie()),
                _ => None,
            })
            .collect();
        assert_eq!(from_ss, live, "ss -D capture replays to the same sockets");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

fn destroy_events_announce_closed_sockets() {
    use sockdiag::inet::InetAttr;
    use sockdiag::{DestroyEvents, DestroyGroups};
    let mut events = DestroyEvents::subscribe(DestroyGroups::all()).unwrap();
    events
        .set_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    // A TCP connection (both ends), an IPv6 UDP socket; then close them.
    let listener = support::tcp_listener(addr("127.0.0.1:7400"), 4, None);
    let client = support::tcp_connect(addr("127.0.0.1:47400"), addr("127.0.0.1:7400"));
    let (server, _) = listener.accept().unwrap();
    let udp6 = std::net::UdpSocket::bind("[::1]:7401").unwrap();
    drop((listener, client, server, udp6));
    // Events come from the sockets' destructors: after their files are
    // gone, so they carry no inode. Identify them by addresses.
    let mut seen = BTreeSet::new();
    let mut tcp_info = 0;
    while seen.len() < 4 {
        let batch = events
            .next_batch()
            .unwrap_or_else(|e| panic!("after {seen:?}: {e}"));
        for m in batch {
            let s = InetSocket::from(m);
            match s.protocol {
                Some(Protocol::Tcp) => {
                    assert_eq!(s.family, Family::Inet);
                    tcp_info += usize::from(
                        m.attributes()
                            .any(|a| matches!(a, Ok(InetAttr::TcpInfo(_)))),
                    );
                }
                Some(Protocol::Udp) => assert_eq!(s.family, Family::Inet6),
                other => panic!("{other:?}: {s:?}"),
            }
            assert!(
                seen.insert((s.protocol, s.id.src.port(), s.id.dst.port())),
                "{s:?} twice"
            );
        }
    }
    let want: BTreeSet<_> = [
        (Some(Protocol::Tcp), 7400, 0),
        (Some(Protocol::Tcp), 47400, 7400),
        (Some(Protocol::Tcp), 7400, 47400),
        (Some(Protocol::Udp), 7401, 0),
    ]
    .into();
    assert_eq!(seen, want);
    assert_eq!(tcp_info, 3, "TCP events carry tcp_info");
    // Nothing more: a timeout, not a hang.
    events
        .set_timeout(Some(std::time::Duration::from_millis(200)))
        .unwrap();
    assert!(matches!(events.next_batch(), Err(Error::Timeout)));
}

fn process_attribution() {
    use sockdiag::procs::{Owner, ProcessMap};
    let p = Population::create();
    let child = spawn_helper(&["--helper-listener", "7500", "stay"], &[]);
    let mut sock = DiagSocket::new().unwrap();
    let theirs = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_src_port(7500),
    );
    assert_eq!(theirs.len(), 1);
    let map = ProcessMap::scan().unwrap();
    // The child's listener: its pid, a descriptor that links to the socket, its name.
    let owners = map.owners(theirs[0].inode);
    assert_eq!(owners.len(), 1, "{owners:?}");
    assert_eq!(owners[0].pid, child.id());
    let link = std::fs::read_link(format!("/proc/{}/fd/{}", owners[0].pid, owners[0].fd)).unwrap();
    assert_eq!(
        link.to_str().unwrap(),
        format!("socket:[{}]", theirs[0].inode)
    );
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", child.id())).unwrap();
    assert_eq!(map.command(child.id()), Some(comm.trim_end()));
    // Ours: this process, the descriptor we hold.
    let me = std::process::id();
    for fd in [
        p.tcp4_listener.as_raw_fd(),
        p.tcp6_server.as_raw_fd(),
        p.udp4_server.as_raw_fd(),
    ] {
        let owners = map.owners(inode_of(&fd));
        assert!(
            owners.contains(&Owner {
                pid: me,
                fd: fd as u32
            }),
            "fd {fd}: {owners:?}"
        );
    }
    // A socket nobody holds (waiting in an accept queue): no owner.
    let pending_child = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_dst_port(40002),
    );
    assert_eq!(pending_child[0].inode, 0);
    assert!(map.owners(123).is_empty());
    assert!(map.len() >= 13 && map.iter().count() == map.len());
    finish(child);
}

// ---------------------------------------------------------------------
// The harness.

type Test = (&'static str, fn());

/// The tests, by function name.
macro_rules! tests {
    ($($f:ident),* $(,)?) => { &[$((stringify!($f), $f as fn())),*] };
}

const TESTS: &[Test] = tests![
    tcp_population_ipv4_and_ipv6,
    udp_sockets_ipv4_and_ipv6,
    missing_diag_modules_are_errors_not_empty_lists,
    one_socket_serves_many_dumps_even_abandoned_ones,
    steady_state_dumps_allocate_nothing,
    poller_reports_changes_without_allocating,
    poller_serves_every_family,
    poller_halves_divide_and_rebalance,
    split_scan_lists_every_socket_once,
    snapshot_callback_batches_and_compat_agree,
    capture_hook_records_every_datagram,
    datagrams_from_other_senders_are_dropped,
    cli_output_matches_ss,
    tcp_info_matches_getsockopt,
    tcp_info_matches_ss,
    legacy_request_equals_two_v2_dumps,
    every_protocol_over_both_families,
    unix_sockets_of_every_kind,
    netlink_sockets,
    packet_sockets,
    inet_lookup_finds_each_socket_and_not_the_gone,
    destroy_closes_the_victim_and_needs_the_capability,
    destroy_many_while_the_dump_runs,
    scanning_other_network_namespaces,
    capture_and_replay,
    destroy_events_announce_closed_sockets,
    process_attribution,
    kernel_filters_match_userspace_and_ss,
    mark_filters_need_the_capability,
    local_audit_agrees_with_the_kernel,
    cli_json_prom_and_summary_describe_the_population,
    cli_selection_matches_ss,
    cli_kill_events_and_errors,
    cli_conflicting_modes_destroy_nothing,
    cli_capture_replay_and_fixtures,
    cli_watch_reports_changes,
    cli_watch_rebalances_its_halves,
    broken_replies_are_typed_errors,
    dumps_survive_churn,
    unprivileged_scans_lack_only_privileged_fields,
];

/// Makes private network namespaces possible for the test threads: as
/// root, checks that one can be created; otherwise enters a user
/// namespace that maps this user to root (possible only while the process
/// has a single thread).
fn prepare_namespaces() -> Result<&'static str, String> {
    use nix::sched::{unshare, CloneFlags};
    use nix::unistd::{getegid, geteuid};
    let root = geteuid().is_root();
    REAL_ROOT.store(root, std::sync::atomic::Ordering::Relaxed);
    if !root {
        let (uid, gid) = (geteuid(), getegid());
        unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("cannot create a user namespace as uid {uid}: {e}"))?;
        let write = |file: &str, text: String| {
            std::fs::write(format!("/proc/self/{file}"), text).map_err(|e| format!("{file}: {e}"))
        };
        write("setgroups", "deny".into())?;
        write("uid_map", format!("0 {uid} 1"))?;
        write("gid_map", format!("0 {gid} 1"))?;
    }
    std::thread::spawn(support::enter_private_netns)
        .join()
        .map_err(|_| "namespace probe panicked".to_owned())?
        .map_err(|e| format!("cannot create a network namespace: {e}"))?;
    Ok(if root {
        "root"
    } else {
        "unprivileged, in a user namespace"
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match &args[..] {
        [flag, name] if flag == "--helper-unix-socket" => {
            helper_unix_socket(name);
            return ExitCode::SUCCESS;
        }
        [flag, port, mode] if flag == "--helper-listener" => {
            helper_listener(port, mode == "fresh");
            return ExitCode::SUCCESS;
        }
        [flag, expr] if flag == "--helper-filter" => {
            filters::helper_filter(expr);
            return ExitCode::SUCCESS;
        }
        [flag] if flag == "--helper-scan" => {
            reliability::helper_scan();
            return ExitCode::SUCCESS;
        }
        [flag, src, dst] if flag == "--helper-destroy" => {
            helper_destroy(src, dst);
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    if args.iter().any(|a| a == "--list") {
        for (name, _) in TESTS {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let filters: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let selected: Vec<&Test> = TESTS
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f)))
        .collect();

    let mode = match prepare_namespaces() {
        Ok(mode) => mode,
        Err(why) if require_live() => {
            eprintln!("live tests: FAILED: {why} (SOCKDIAG_REQUIRE_LIVE=1)");
            return ExitCode::FAILURE;
        }
        Err(why) => {
            println!("live tests: SKIPPED {} tests: {why}", selected.len());
            println!("(run as root or where unprivileged user namespaces are allowed;");
            println!(" SOCKDIAG_REQUIRE_LIVE=1 turns this skip into a failure)");
            return ExitCode::SUCCESS;
        }
    };
    println!(
        "\nrunning {} live tests ({mode}, one private network namespace each)",
        selected.len()
    );
    let mut failed = Vec::new();
    for (name, test) in &selected {
        let test = *test;
        let result = std::thread::Builder::new()
            .name((*name).to_owned())
            .spawn(move || {
                support::enter_private_netns().expect("private network namespace");
                test();
            })
            .expect("spawn test thread")
            .join();
        match result {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed.push(*name);
            }
        }
    }
    println!(
        "\nlive test result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("failures: {failed:?}");
        ExitCode::FAILURE
    }
}
