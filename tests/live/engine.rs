//! Live tests of the engine: the poller for every family, in one and two halves, pipelined scans, and no allocation in steady state.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    poller_reports_changes_without_allocating,
    poller_serves_every_family,
    poller_halves_divide_and_rebalance,
    split_scan_lists_every_socket_once,
    pipelined_scan_stopped_by_an_error_leaves_nothing_behind,
    steady_state_dumps_allocate_nothing,
];

pub fn poller_reports_changes_without_allocating() {
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
    // Every socket listed, once each, with what is kept of it; still
    // without allocating.
    use sockdiag::poll::Listing;
    let mut cookies = std::collections::HashSet::new();
    poller
        .poll_listed(|l| match l {
            Listing::Listed { cookie, .. } => assert!(cookies.insert(cookie)),
            Listing::Change(c) => panic!("{c:?}"),
        })
        .unwrap();
    assert_eq!(cookies.len(), 1001);
    let mut listening = 0;
    let n = allocations_during(|| {
        let stats = poller
            .poll_listed(|l| match l {
                Listing::Listed { msg, now, .. } => {
                    assert_eq!(msg.state(), now.state());
                    listening += usize::from(now.state() == TcpState::Listen);
                }
                Listing::Change(c) => panic!("{c:?}"),
            })
            .unwrap();
        assert_eq!(stats.sockets, 1001);
    });
    assert_eq!((n, listening), (0, 1));
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
pub fn poller_serves_every_family() {
    use sockdiag::netlink_diag::NetlinkRequest;
    use sockdiag::packet::PacketRequest;
    use sockdiag::poll::{Change, End, Kind, Polled, Poller};
    use sockdiag::unix::UnixRequest;
    use sockdiag::SocketType;
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
            Kind::Unix(SocketType::Stream),
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
                socket_type: sockdiag::SocketType::Raw,
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
pub fn poller_halves_divide_and_rebalance() {
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

pub fn split_scan_lists_every_socket_once() {
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

pub fn steady_state_dumps_allocate_nothing() {
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

/// A pipelined scan whose callback fails in the middle returns that error
/// (the dump is abandoned, the worker drains it), and the next scan on the
/// same scanner lists every socket exactly once, in the kernel's order:
/// nothing of the abandoned dump comes back.
pub fn pipelined_scan_stopped_by_an_error_leaves_nothing_behind() {
    use sockdiag::poll::Scanner;
    let (_listener, _clients) = support::many_connections(6300, 2000);
    let mut inline = Vec::new();
    DiagSocket::new()
        .unwrap()
        .for_each(&LegacyRequest::tcp(), |m| inline.push(m.cookie()))
        .unwrap();
    assert!(inline.len() > 4000, "{}", inline.len());
    let mut scanner = Scanner::new(LegacyRequest::tcp())
        .unwrap()
        .pipelined()
        .unwrap();
    #[derive(Debug)]
    enum Stop {
        Here(usize),
        #[allow(dead_code)]
        Lib(Error),
    }
    impl From<Error> for Stop {
        fn from(e: Error) -> Self {
            Stop::Lib(e)
        }
    }
    for stop_at in [0, 1, 100, 3000] {
        let mut seen = 0;
        let r = scanner.scan(|_, _| {
            if seen == stop_at {
                return Err(Stop::Here(seen));
            }
            seen += 1;
            Ok(())
        });
        assert!(matches!(r, Err(Stop::Here(n)) if n == stop_at), "{r:?}");
        let mut again = Vec::new();
        scanner
            .scan(|_, m| {
                again.push(m.cookie());
                Ok::<(), Error>(())
            })
            .unwrap();
        assert_eq!(
            again, inline,
            "after stopping at {stop_at}: every socket once, in order"
        );
    }
}
