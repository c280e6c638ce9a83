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

mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::process::{Command, ExitCode};

use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use sockdiag::inet::{Family, InetMsg, InetRequest, Protocol, Socket, States, TcpState};
use sockdiag::netlink::Messages;
use sockdiag::{DiagSocket, Error};
use support::{addr, inode_of, Population};

// ---------------------------------------------------------------------
// A counting allocator: allocations made by the current thread.

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn count() {
    // `try_with`: the slot may be gone while a thread exits.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
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

// ---------------------------------------------------------------------
// Helpers.

fn require_live() -> bool {
    std::env::var("SOCKDIAG_REQUIRE_LIVE").is_ok_and(|v| v == "1")
}

fn dump_all(sock: &mut DiagSocket, req: InetRequest) -> Vec<Socket> {
    sock.snapshot(&req)
        .unwrap_or_else(|e| panic!("{req:?}: {e}"))
}

fn by_endpoints(socks: Vec<Socket>) -> HashMap<(SocketAddr, SocketAddr), Socket> {
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
fn assert_exactly(family: Family, socks: Vec<Socket>, expected: &[Expect]) {
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
    for (ours, theirs) in [
        (&[][..], &["-tuan"][..]),
        (&["-t", "-4"][..], &["-tan", "-4"][..]),
        (&["-u", "-6"][..], &["-uan", "-6"][..]),
    ] {
        let out = Command::new(bin).args(ours).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ss = Command::new("ss").args(theirs).output().unwrap();
        assert!(ss.status.success());
        let (ours_rows, ss_rows) = (
            rows(&String::from_utf8(out.stdout).unwrap(), true),
            rows(&String::from_utf8(ss.stdout).unwrap(), true),
        );
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

// ---------------------------------------------------------------------
// The harness.

type Test = (&'static str, fn());

const TESTS: &[Test] = &[
    ("tcp_population_ipv4_and_ipv6", tcp_population_ipv4_and_ipv6),
    ("udp_sockets_ipv4_and_ipv6", udp_sockets_ipv4_and_ipv6),
    (
        "missing_diag_modules_are_errors_not_empty_lists",
        missing_diag_modules_are_errors_not_empty_lists,
    ),
    (
        "one_socket_serves_many_dumps_even_abandoned_ones",
        one_socket_serves_many_dumps_even_abandoned_ones,
    ),
    (
        "steady_state_dumps_allocate_nothing",
        steady_state_dumps_allocate_nothing,
    ),
    (
        "snapshot_callback_batches_and_compat_agree",
        snapshot_callback_batches_and_compat_agree,
    ),
    (
        "capture_hook_records_every_datagram",
        capture_hook_records_every_datagram,
    ),
    (
        "datagrams_from_other_senders_are_dropped",
        datagrams_from_other_senders_are_dropped,
    ),
    ("cli_output_matches_ss", cli_output_matches_ss),
];

/// Makes private network namespaces possible for the test threads: as
/// root, checks that one can be created; otherwise enters a user
/// namespace that maps this user to root (possible only while the process
/// has a single thread).
fn prepare_namespaces() -> Result<&'static str, String> {
    use nix::sched::{unshare, CloneFlags};
    use nix::unistd::{getegid, geteuid};
    let root = geteuid().is_root();
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
