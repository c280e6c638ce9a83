//! Live tests of inet sockets: TCP and UDP populations field by field, every protocol over both families, the legacy request, lookups, tcp_info against getsockopt and ss, missing modules.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    tcp_population_ipv4_and_ipv6,
    udp_sockets_ipv4_and_ipv6,
    missing_diag_modules_are_errors_not_empty_lists,
    one_socket_serves_many_dumps_even_abandoned_ones,
    snapshot_callback_batches_and_compat_agree,
    tcp_info_matches_getsockopt,
    tcp_info_matches_ss,
    legacy_request_equals_two_v2_dumps,
    every_protocol_over_both_families,
    inet_lookup_finds_each_socket_and_not_the_gone,
];

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

pub fn tcp_population_ipv4_and_ipv6() {
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

pub fn udp_sockets_ipv4_and_ipv6() {
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

pub fn missing_diag_modules_are_errors_not_empty_lists() {
    let _p = Population::create();
    let mut sock = DiagSocket::new().unwrap();
    // The handlers this kernel lacks (on the kernel matrix's, none: their
    // own tests dump them).
    let missing: Vec<_> = [
        (Family::Inet, Protocol::Raw, "raw_diag"),
        (Family::Inet6, Protocol::Raw, "raw_diag"),
        (Family::Inet, Protocol::Sctp, "sctp_diag"),
        (Family::Inet, Protocol::Dccp, "dccp_diag"),
    ]
    .into_iter()
    .filter(|(_, _, module)| !support::kernel_module(module))
    .collect();
    let Some(&(first_family, first_protocol, _)) = missing.first() else {
        println!("    every diag handler is here: nothing is missing on this kernel");
        return;
    };
    for &(family, protocol, module) in &missing {
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
        .dump(&InetRequest::new(first_family, first_protocol))
        .unwrap();
    let (f, p) = (first_family.to_raw(), first_protocol.to_raw());
    assert!(matches!(
        dump.next_batch(),
        Err(Error::Unavailable {
            family,
            protocol
        }) if (family, protocol) == (f, p)
    ));
    assert!(dump.is_finished());
    assert!(dump.next_batch().unwrap().is_none());
}

pub fn one_socket_serves_many_dumps_even_abandoned_ones() {
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

pub fn snapshot_callback_batches_and_compat_agree() {
    let _p = Population::create();
    let req = InetRequest::new(Family::Inet6, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    let snap: BTreeSet<u64> = sock
        .snapshot(&req)
        .unwrap()
        .iter()
        .map(|s| s.cookie)
        .collect();
    let mut cb = BTreeSet::new();
    sock.for_each(&req, |m: InetMsg<'_>| {
        cb.insert(m.cookie());
    })
    .unwrap();
    let compat: BTreeSet<u64> = sockdiag::compat::inet_connections(Family::Inet6, Protocol::Tcp)
        .unwrap()
        .iter()
        .map(|s| s.cookie)
        .collect();
    assert_eq!(snap.len(), 5);
    assert_eq!(snap, cb);
    assert_eq!(snap, compat);
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

pub fn tcp_info_matches_getsockopt() {
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
        // A connection may still send (a delayed ACK, on a slow machine):
        // the dump is compared with the socket's own answer when that
        // answer is the same before and after the dump.
        let mut tries = 0;
        let (ours, theirs_bytes) = loop {
            let before = support::tcp_info_sockopt(stream);
            let ours = tcp_by_inode(&mut sock)[&inode_of(stream)]
                .tcp_info
                .clone()
                .unwrap();
            let after = support::tcp_info_sockopt(stream);
            tries += 1;
            if tries == 20 || unmoved(&before, &after) {
                break (ours, after);
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
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
    let bbr = dumped[&inode_of(&a.bbr_server)].tcp_info.clone().unwrap();
    assert_eq!(
        bbr.bytes_received(),
        Some(support::MOVED as u64 + 1),
        "4000 bytes and a FIN"
    );
    let server = dumped[&inode_of(&p.tcp4_server)].tcp_info.clone().unwrap();
    assert_eq!(server.bytes_received(), Some(support::TCP_UNREAD as u64));
}

/// Whether two `TCP_INFO` answers of one socket have the same counters
/// (the fields that only move when the connection does something).
fn unmoved(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = (TcpInfo::new(a), TcpInfo::new(b));
    a.state() == b.state()
        && a.segs_out() == b.segs_out()
        && a.segs_in() == b.segs_in()
        && a.bytes_acked() == b.bytes_acked()
        && a.bytes_received() == b.bytes_received()
        && a.bytes_sent() == b.bytes_sent()
        && a.snd_cwnd() == b.snd_cwnd()
        && a.snd_ssthresh() == b.snd_ssthresh()
        && a.rtt() == b.rtt()
        && a.min_rtt() == b.min_rtt()
        && a.total_retrans() == b.total_retrans()
        && a.delivered() == b.delivered()
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

pub fn tcp_info_matches_ss() {
    let _p = Population::create();
    let _a = support::AttrPopulation::create();
    if skip_without_ss() {
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
        let key = (ss_addr(s.src), ss_addr(s.dst));
        // ss prints "*" for a dual-stack wildcard; skip those two.
        let Some(t) = theirs.get(&key) else {
            assert!(s.src.ip().is_unspecified(), "{key:?} missing from ss");
            continue;
        };
        let a = &s;
        let info = a.tcp_info.as_ref().unwrap();
        assert_eq!(
            value(t, "ino:"),
            Some(s.inode.to_string().as_str()),
            "{key:?} ino"
        );
        assert_eq!(
            value(t, "sk:"),
            Some(format!("{:x}", s.cookie).as_str()),
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

pub fn legacy_request_equals_two_v2_dumps() {
    let _p = Population::create();
    let _a = support::AttrPopulation::create();
    let (_l, _c) = support::many_connections(6100, 200);
    let mut sock = DiagSocket::new().unwrap();
    let cookies = |socks: Vec<InetSocket>| {
        socks
            .into_iter()
            .map(|s| s.cookie)
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
    assert!(with_info.iter().all(|s| s.tcp_info.is_some()));
    // DCCP is gone from this kernel (6.16+): an error, not an empty list.
    match sock.snapshot(&LegacyRequest::dccp()) {
        Ok(v) => assert!(v.is_empty()),
        Err(e) => assert!(
            matches!(e, Error::Unavailable { .. } | Error::Kernel(_)),
            "{e}"
        ),
    }
}

pub fn every_protocol_over_both_families() {
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
                    assert!(socks.iter().all(|s| s.errors.is_empty()), "{protocol:?}");
                    let n = socks.len();
                    match (protocol, family) {
                        (Protocol::Tcp, Family::Inet) => assert_eq!(n, 16),
                        (Protocol::Udp, Family::Inet) => assert_eq!(n, 2),
                        (Protocol::Udp, Family::Inet6) => assert_eq!(n, 1),
                        (Protocol::UdpLite, Family::Inet) => {
                            assert_eq!(n, 1);
                            assert_eq!(socks[0].src.port(), 7100);
                        }
                        (Protocol::Mptcp, Family::Inet) if a.mptcp.is_some() => {
                            assert_eq!(n, 3);
                            assert!(socks.iter().all(|s| s.mptcp_info.is_some()));
                        }
                        _ => {}
                    }
                }
                // No diag module for this protocol on this kernel.
                Err(Error::Unavailable {
                    family: f,
                    protocol: p,
                }) => {
                    assert_eq!((f, p), (family.to_raw(), protocol.to_raw()));
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

pub fn inet_lookup_finds_each_socket_and_not_the_gone() {
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
            .lookup(&InetRequest::lookup(*protocol, s.id()))
            .unwrap_or_else(|e| panic!("{protocol:?} {:?} {:?}: {e}", s.id(), s.state));
        assert_eq!(
            (found.id(), found.inode, found.state),
            (s.id(), s.inode, s.state),
            "{protocol:?} {:?}",
            s.id()
        );
        // Without the cookie, the addresses alone find it too.
        let id = SocketId::new(s.src, s.dst);
        assert_eq!(
            sock.lookup(&InetRequest::lookup(*protocol, id))
                .unwrap()
                .id()
                .cookie,
            s.cookie
        );
        // A wrong cookie is NotFound.
        let wrong = s.id().with_cookie(s.cookie ^ 0x5a5a);
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
    assert!(by_sport.iter().all(|s| s.src.port() == 5001));
    let by_dport = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_dst_port(5001),
    );
    assert_eq!(by_dport.len(), 2, "the two clients");
    // After close: NotFound.
    let client = all
        .iter()
        .find(|(_, s)| s.src == addr("127.0.0.1:40005"))
        .map(|(_, s)| s.id())
        .unwrap();
    drop(p.udp4_client);
    let r = sock.lookup(&InetRequest::lookup(Protocol::Udp, client));
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
}
