//! Live tests of SOCK_DESTROY and the destroy-event multicast groups.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    destroy_closes_the_victim_and_needs_the_capability,
    destroy_many_while_the_dump_runs,
    destroy_events_announce_closed_sockets,
    kill_lists_only_what_the_kernel_destroyed,
];

/// Helper mode: try to destroy the TCP socket `src` -> `dst` and print
/// the errno (0 on success).
pub(crate) fn helper_destroy(src: &str, dst: &str) {
    use sockdiag::inet::SocketId;
    let mut sock = DiagSocket::new().unwrap();
    let req = InetRequest::lookup(Protocol::Tcp, SocketId::new(addr(src), addr(dst)));
    let errno = match sock.destroy(&req) {
        Ok(()) => 0,
        Err(e) => e.raw_os_error().unwrap_or(-1),
    };
    println!("{errno}");
}

pub fn destroy_closes_the_victim_and_needs_the_capability() {
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
        victim.with_cookie(found.cookie),
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
    let gone = victim.with_cookie(found.cookie);
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

pub fn destroy_many_while_the_dump_runs() {
    let (_listener, clients) = support::many_connections(6200, 300);
    let mut dumper = DiagSocket::new().unwrap();
    let mut killer = DiagSocket::new().unwrap();
    let req = InetRequest::new(Family::Inet, Protocol::Tcp).with_dst_port(6200);
    let mut destroyed = 0;
    let mut dump = dumper.dump(&req).unwrap();
    while let Some(batch) = dump.next_batch().unwrap() {
        for m in batch {
            let target =
                InetRequest::lookup(Protocol::Tcp, sockdiag::inet::InetSocket::from(m).id());
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

pub fn destroy_events_announce_closed_sockets() {
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
                seen.insert((s.protocol, s.src.port(), s.dst.port())),
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

/// `-K` never lists a socket as destroyed that it did not destroy: RAW
/// sockets read from `/proc/net/raw` (a kernel without `raw_diag`) cannot
/// be, so `-K -w` fails and `-K` notes it, and the socket lives on.
pub fn kill_lists_only_what_the_kernel_destroyed() {
    use std::os::fd::AsRawFd;
    let raw = socket::socket(
        AddressFamily::Inet,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::Icmp,
    )
    .unwrap();
    socket::connect(raw.as_raw_fd(), &socket::SockaddrIn::new(127, 0, 0, 1, 0)).unwrap();
    let listed = || {
        std::fs::read_to_string("/proc/thread-self/net/raw")
            .unwrap()
            .lines()
            .skip(1)
            .count()
    };
    assert_eq!(listed(), 1);
    let bin = env!("CARGO_BIN_EXE_sockdiag");
    for args in [&["-K", "-w", "-n"][..], &["-K", "-n"][..]] {
        let out = Command::new(bin).args(args).output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        // The RAW socket's row: local address 127.0.0.1, "port" 1 (ICMP).
        let rows = stdout
            .lines()
            .filter(|l| l.contains("127.0.0.1:1 "))
            .count();
        if listed() == 1 {
            // Not destroyed (no raw_diag here): never listed as if it were.
            assert_eq!(
                rows, 0,
                "sockdiag {args:?} listed a RAW socket it left alive:\n{stdout}"
            );
        } else {
            // A kernel with raw_diag destroyed it, as asked: and listed it.
            assert!(
                out.status.success() && rows == 1,
                "sockdiag {args:?}:\n{stdout}"
            );
        }
    }
    drop(raw);
}
