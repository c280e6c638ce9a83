//! Parsing tests on byte-exact dumps captured from a real kernel (see
//! `tests/fixtures/README.md` for the kernel, the command and the socket
//! population). The captures are little-endian, so these tests run only on
//! little-endian targets; the hand-built unit tests cover big-endian.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg(target_endian = "little")]

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

use sockdiag::inet::{
    Family, InetAttr, InetMsg, InetSocket, Protocol, SockOpt, TcpState, TcpiOptions,
};
use sockdiag::netlink::{Messages, NlMsg};
use sockdiag::netlink_diag::{NetlinkFlags, NetlinkMsg, NetlinkSocket};
use sockdiag::packet::{PacketInfoFlags, PacketMsg, PacketSocket};
use sockdiag::raw::inet_diag as r;
use sockdiag::raw::netlink::{NLMSG_DONE, NLMSG_ERROR};
use sockdiag::unix::{UnixAddr, UnixMsg, UnixSocket};
use sockdiag::Shutdown;
use sockdiag::SocketType;

const TCP4: &[u8] = include_bytes!("fixtures/tcp4.bin");
const TCP6: &[u8] = include_bytes!("fixtures/tcp6.bin");
const TCP4_EXT: &[u8] = include_bytes!("fixtures/tcp4_ext.bin");
const TCP6_EXT: &[u8] = include_bytes!("fixtures/tcp6_ext.bin");
const UDP4: &[u8] = include_bytes!("fixtures/udp4.bin");
const UDP6: &[u8] = include_bytes!("fixtures/udp6.bin");
const RAW4_ENOENT: &[u8] = include_bytes!("fixtures/raw4_enoent.bin");
const FAMILY_EINVAL: &[u8] = include_bytes!("fixtures/family_einval.bin");
const TCP4_1K: &[u8] = include_bytes!("fixtures/tcp4_1k.bin");
const TCP4_1K_EXT: &[u8] = include_bytes!("fixtures/tcp4_1k_ext.bin");
const INODES: &str = include_str!("fixtures/inodes.txt");
const ATTRS_TCP4: &[u8] = include_bytes!("fixtures/attrs_tcp4.bin");
const ATTRS_TCP6: &[u8] = include_bytes!("fixtures/attrs_tcp6.bin");
const ATTRS_UDP4: &[u8] = include_bytes!("fixtures/attrs_udp4.bin");
const ATTRS_MPTCP4: &[u8] = include_bytes!("fixtures/attrs_mptcp4.bin");
const LEGACY_TCP: &[u8] = include_bytes!("fixtures/legacy_tcp.bin");
const UNIX_ALL: &[u8] = include_bytes!("fixtures/unix_all.bin");
const UNIX_LOOKUP: &[u8] = include_bytes!("fixtures/unix_lookup.bin");
const UNIX_LOOKUP_ENOENT: &[u8] = include_bytes!("fixtures/unix_lookup_enoent.bin");
const NETLINK_ALL: &[u8] = include_bytes!("fixtures/netlink_all.bin");
const PACKET_ALL: &[u8] = include_bytes!("fixtures/packet_all.bin");
const FAMILY_INODES: &str = include_str!("fixtures/family_inodes.txt");

const ALL: &[(&str, &[u8])] = &[
    ("tcp4", TCP4),
    ("tcp6", TCP6),
    ("tcp4_ext", TCP4_EXT),
    ("tcp6_ext", TCP6_EXT),
    ("udp4", UDP4),
    ("udp6", UDP6),
    ("raw4_enoent", RAW4_ENOENT),
    ("family_einval", FAMILY_EINVAL),
    ("tcp4_1k", TCP4_1K),
    ("tcp4_1k_ext", TCP4_1K_EXT),
    ("attrs_tcp4", ATTRS_TCP4),
    ("attrs_tcp6", ATTRS_TCP6),
    ("attrs_udp4", ATTRS_UDP4),
    ("attrs_mptcp4", ATTRS_MPTCP4),
    ("legacy_tcp", LEGACY_TCP),
    ("unix_all", UNIX_ALL),
    ("unix_lookup", UNIX_LOOKUP),
    ("unix_lookup_enoent", UNIX_LOOKUP_ENOENT),
    ("netlink_all", NETLINK_ALL),
    ("packet_all", PACKET_ALL),
];

fn inode(name: &str) -> u32 {
    inode_in(INODES, name)
}

fn inode_in(table: &str, name: &str) -> u32 {
    table
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no inode recorded for {name}"))
        .parse()
        .unwrap()
}

fn sa(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Parses a whole dump capture: every socket, then exactly one clean
/// NLMSG_DONE at the end.
fn sockets(bytes: &[u8]) -> Vec<InetMsg<'_>> {
    sockets_as(bytes, None)
}

/// Like `sockets`, for a dump of `protocol`.
fn sockets_as(bytes: &[u8], protocol: Option<Protocol>) -> Vec<InetMsg<'_>> {
    let msgs: Vec<NlMsg<'_>> = Messages::new(bytes).collect::<Result<_, _>>().unwrap();
    let (last, socks) = msgs.split_last().unwrap();
    assert_eq!(last.kind(), NLMSG_DONE);
    assert_eq!(last.done().unwrap().unwrap().errno(), None);
    let seq = last.seq();
    socks
        .iter()
        .map(|m| {
            assert_eq!(m.seq(), seq);
            assert_eq!(m.port_id(), last.port_id());
            assert!(m.flags().contains(sockdiag::netlink::Flags::MULTI));
            match protocol {
                Some(p) => InetMsg::parse_as(*m, p).unwrap(),
                None => InetMsg::parse(*m).unwrap(),
            }
        })
        .collect()
}

fn by_endpoints<'a>(socks: &[InetMsg<'a>]) -> HashMap<(SocketAddr, SocketAddr), InetMsg<'a>> {
    let map: HashMap<_, _> = socks.iter().map(|m| ((m.src(), m.dst()), *m)).collect();
    assert_eq!(map.len(), socks.len(), "duplicate sockets");
    map
}

#[test]
fn tcp4_dump_matches_population() {
    let socks = sockets(TCP4);
    assert_eq!(socks.len(), 6);
    let map = by_endpoints(&socks);
    let get = |src: &str, dst: &str| map[&(sa(src), sa(dst))];
    for m in &socks {
        assert_eq!(m.family(), Family::Inet);
        assert_eq!(m.uid(), 0);
    }
    let l = get("127.0.0.1:5001", "0.0.0.0:0");
    assert_eq!(l.state(), TcpState::Listen);
    assert_eq!(
        (l.rqueue(), l.wqueue()),
        (1, 8),
        "one pending connection, backlog 8"
    );
    assert_eq!(l.inode(), inode("tcp4_listener"));
    let c = get("127.0.0.1:40001", "127.0.0.1:5001");
    assert_eq!(c.state(), TcpState::Established);
    assert_eq!((c.rqueue(), c.wqueue()), (0, 0));
    assert_eq!(c.inode(), inode("tcp4_client"));
    let s = get("127.0.0.1:5001", "127.0.0.1:40001");
    assert_eq!(s.state(), TcpState::Established);
    assert_eq!(s.rqueue(), 100, "100 bytes unread");
    assert_eq!(s.inode(), inode("tcp4_server"));
    assert_eq!(
        get("127.0.0.1:40002", "127.0.0.1:5001").inode(),
        inode("tcp4_pending")
    );
    let child = get("127.0.0.1:5001", "127.0.0.1:40002");
    assert_eq!(child.state(), TcpState::Established);
    assert_eq!(child.inode(), 0, "not accepted yet: no file");
    assert_eq!(
        get("127.0.0.1:40004", "127.0.0.1:5003").inode(),
        inode("dual_client")
    );
    // Cookies identify sockets.
    let mut cookies: Vec<_> = socks.iter().map(|m| m.cookie()).collect();
    cookies.sort_unstable();
    cookies.dedup();
    assert_eq!(cookies.len(), 6);
}

#[test]
fn tcp6_dump_keeps_dual_stack_and_mapped() {
    let socks = sockets(TCP6);
    assert_eq!(socks.len(), 5);
    let map = by_endpoints(&socks);
    let get = |src: &str, dst: &str| map[&(sa(src), sa(dst))];
    assert!(socks.iter().all(|m| m.family() == Family::Inet6));
    let l = get("[::1]:5002", "[::]:0");
    assert_eq!(
        (l.state(), l.wqueue(), l.inode()),
        (TcpState::Listen, 4, inode("tcp6_listener"))
    );
    let d = get("[::]:5003", "[::]:0");
    assert_eq!(
        (d.state(), d.wqueue(), d.inode()),
        (TcpState::Listen, 5, inode("dual_listener"))
    );
    assert_eq!(
        get("[::1]:40003", "[::1]:5002").inode(),
        inode("tcp6_client")
    );
    assert_eq!(
        get("[::1]:5002", "[::1]:40003").inode(),
        inode("tcp6_server")
    );
    let mapped = get("[::ffff:127.0.0.1]:5003", "[::ffff:127.0.0.1]:40004");
    assert_eq!(mapped.state(), TcpState::Established);
    assert_eq!(mapped.inode(), inode("dual_server"));
    assert!(matches!(mapped.src_ip(), IpAddr::V6(a) if a.to_ipv4_mapped().is_some()));
    // IPV6_V6ONLY is reported for listeners: on for [::1], off for [::].
    let v6only = |m: &InetMsg<'_>| {
        m.attrs()
            .find(r::INET_DIAG_SKV6ONLY)
            .unwrap()
            .unwrap()
            .u8()
            .unwrap()
    };
    assert_eq!(v6only(&l), 1);
    assert_eq!(v6only(&d), 0);
}

#[test]
fn udp_dumps() {
    let socks = sockets(UDP4);
    assert_eq!(socks.len(), 2);
    let map = by_endpoints(&socks);
    let server = map[&(sa("127.0.0.1:5004"), sa("0.0.0.0:0"))];
    assert_eq!(server.state(), TcpState::Close);
    assert!(server.rqueue() > 0, "a datagram is queued");
    assert_eq!(server.inode(), inode("udp4_server"));
    let client = map[&(sa("127.0.0.1:40005"), sa("127.0.0.1:5004"))];
    assert_eq!(client.state(), TcpState::Established);
    assert_eq!(client.inode(), inode("udp4_client"));
    let socks = sockets(UDP6);
    assert_eq!(socks.len(), 1);
    assert_eq!(socks[0].src(), sa("[::1]:5005"));
    assert_eq!(socks[0].inode(), inode("udp6_server"));
}

#[test]
fn extension_dumps_carry_the_requested_attributes() {
    for (bytes, plain) in [(TCP4_EXT, TCP4), (TCP6_EXT, TCP6)] {
        let socks = sockets(bytes);
        let plain = by_endpoints(&sockets(plain));
        assert_eq!(socks.len(), plain.len());
        for m in &socks {
            // Same sockets as the plain dump, same fixed fields.
            let p = plain[&(m.src(), m.dst())];
            assert_eq!(
                (m.state(), m.inode(), m.cookie()),
                (p.state(), p.inode(), p.cookie())
            );
            let kinds: Vec<u16> = m.attrs().map(|a| a.unwrap().kind()).collect();
            for want in [
                r::INET_DIAG_MEMINFO,
                r::INET_DIAG_INFO,
                r::INET_DIAG_CONG,
                r::INET_DIAG_SKMEMINFO,
                r::INET_DIAG_SHUTDOWN,
            ] {
                assert!(
                    kinds.contains(&want),
                    "attribute {want} missing from {kinds:?}"
                );
            }
            let attrs = m.attrs();
            assert_eq!(
                attrs
                    .find(r::INET_DIAG_INFO)
                    .unwrap()
                    .unwrap()
                    .payload()
                    .len(),
                280
            );
            assert_eq!(
                attrs
                    .find(r::INET_DIAG_MEMINFO)
                    .unwrap()
                    .unwrap()
                    .payload()
                    .len(),
                16
            );
            assert_eq!(
                attrs
                    .find(r::INET_DIAG_SKMEMINFO)
                    .unwrap()
                    .unwrap()
                    .payload()
                    .len(),
                36
            );
            let cong = attrs.find(r::INET_DIAG_CONG).unwrap().unwrap();
            assert_eq!(cong.c_str_bytes(), b"bbr", "the capture host's default");
        }
    }
}

#[test]
fn raw_dump_without_handler_ends_with_enoent() {
    let msgs: Vec<_> = Messages::new(RAW4_ENOENT)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(msgs.len(), 1);
    let done = msgs[0].done().unwrap().unwrap();
    assert_eq!(done.errno(), Some(2));
    assert_eq!(
        done.to_kernel_error().unwrap().origin(),
        sockdiag::ErrorOrigin::Dump
    );
}

#[test]
fn bad_family_is_rejected_with_the_request_echoed() {
    let msgs: Vec<_> = Messages::new(FAMILY_EINVAL)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].kind(), NLMSG_ERROR);
    let e = msgs[0].error().unwrap().unwrap();
    assert_eq!(e.errno(), Some(22));
    assert_eq!(e.request().nlmsg_type.get(), 20);
    assert_eq!(e.request().nlmsg_len.get(), 72);
    let echo = e.request_payload().unwrap();
    assert_eq!(echo.len(), 56);
    assert_eq!(echo[0], 200, "the family byte sent");
}

#[test]
fn thousand_socket_dumps() {
    for bytes in [TCP4_1K, TCP4_1K_EXT] {
        let socks = sockets(bytes);
        assert_eq!(socks.len(), 1017);
        for m in &socks {
            assert!(m.attributes().all(|a| a.is_ok()));
        }
        let mut cookies: Vec<_> = socks.iter().map(|m| m.cookie()).collect();
        cookies.sort_unstable();
        cookies.dedup();
        assert_eq!(cookies.len(), 1017);
        for m in &socks {
            for a in m.attrs() {
                a.unwrap();
            }
        }
    }
}

/// Owned snapshots of a capture, by (local, remote) address.
fn owned(bytes: &[u8], protocol: Protocol) -> HashMap<(SocketAddr, SocketAddr), InetSocket> {
    sockets_as(bytes, Some(protocol))
        .into_iter()
        .map(|m| ((m.src(), m.dst()), InetSocket::from(m)))
        .collect()
}

#[test]
fn every_attribute_this_kernel_sends_is_typed() {
    let tcp4 = owned(ATTRS_TCP4, Protocol::Tcp);
    assert_eq!(tcp4.len(), 16);
    for s in tcp4.values() {
        let a = &s;
        assert!(a.errors.is_empty(), "{:?}", a.errors);
        assert!(a.other.is_empty(), "unknown attributes {:?}", a.other);
        // Sent for every TCP socket with every extension bit, as root.
        assert!(a.meminfo.is_some() && a.skmeminfo.is_some() && a.tcp_info.is_some());
        assert!(a.cong.is_some() && a.tos.is_some() && a.mark.is_some());
        assert!(a.class_id.is_some() && a.cgroup_id.is_some() && a.shutdown.is_some());
        assert!(a.sockopt.unwrap().contains(SockOpt::IS_ICSK));
        let sk = a.skmeminfo.as_ref().unwrap();
        assert_eq!(sk.len(), 9);
        assert!(sk.backlog().is_some() && sk.drops().is_some());
        let info = a.tcp_info.as_ref().unwrap();
        assert_eq!(info.len(), 280);
        assert!(info.extra().is_empty());
        assert_eq!(
            info.state(),
            Some(s.state),
            "tcp_info state = inet_diag_msg state"
        );
        assert_eq!(a.info, None);
    }
    let get = |src: &str, dst: &str| &tcp4[&(sa(src), sa(dst))];
    // Mark, TOS and priority (CLASS_ID falls back to SO_PRIORITY).
    let marked = &get("127.0.0.1:6001", "0.0.0.0:0");
    assert_eq!(
        (marked.mark, marked.tos, marked.class_id),
        (Some(0x1234), Some(0x10), Some(3))
    );
    // TCP-MD5 key.
    let md5 = get("127.0.0.1:6002", "0.0.0.0:0").md5sig.clone().unwrap();
    assert_eq!(md5.len(), 1);
    assert_eq!(md5[0].addr, "127.0.0.1".parse::<IpAddr>().unwrap());
    assert_eq!((md5[0].prefix_len, md5[0].key()), (32, &b"sekrit"[..]));
    // BBR, with 4000 bytes moved; the client shut down its sending side.
    let bbr = get("127.0.0.1:41001", "127.0.0.1:6003");
    assert!(matches!(bbr.state, TcpState::FinWait1 | TcpState::FinWait2));
    let a = &bbr;
    assert_eq!(a.cong.as_deref(), Some("bbr"));
    assert!(a.bbr.unwrap().bandwidth > 0 && a.bbr.unwrap().min_rtt_us > 0);
    assert_eq!(a.shutdown, Some(Shutdown::SEND));
    let info = a.tcp_info.as_ref().unwrap();
    assert_eq!(info.bytes_acked(), Some(4001), "4000 bytes and the FIN");
    assert!(info
        .options()
        .unwrap()
        .contains(TcpiOptions::SACK | TcpiOptions::TIMESTAMPS | TcpiOptions::WSCALE));
    assert_eq!((info.snd_wscale(), info.rcv_wscale()), (Some(10), Some(10)));
    let server = &get("127.0.0.1:6003", "127.0.0.1:41001");
    assert_eq!(
        server.tcp_info.as_ref().unwrap().bytes_received(),
        Some(4001),
        "and the FIN"
    );
    assert_eq!(server.shutdown, Some(Shutdown::RECEIVE));
    // Cubic: named, and no BBR info.
    let cubic = &get("127.0.0.1:41002", "127.0.0.1:6003");
    assert_eq!(cubic.cong.as_deref(), Some("cubic"));
    assert_eq!(cubic.bbr, None);
    // MPTCP subflows carry ULP info; the subflow listener names the ULP.
    let sub = get("127.0.0.1:6005", "0.0.0.0:0").ulp.clone().unwrap();
    assert_eq!(sub.name(), "mptcp");
    let subflows: Vec<_> = tcp4
        .values()
        .filter(|s| s.state == TcpState::Established)
        .filter_map(|s| Some((s, s.ulp.as_ref()?.mptcp()?)))
        .collect();
    assert_eq!(subflows.len(), 2);

    // MPTCP sockets: mptcp_info, whose token is the local token of the
    // subflow with the same addresses.
    let mptcp = owned(ATTRS_MPTCP4, Protocol::Mptcp);
    assert_eq!(mptcp.len(), 3);
    for (key, s) in &mptcp {
        assert_eq!(s.protocol, Some(Protocol::Mptcp));
        let info = s.mptcp_info.as_ref().unwrap();
        assert_eq!(info.len(), 96);
        assert!(s.tcp_info.is_none());
        if s.state == TcpState::Established {
            let sub = tcp4[key].ulp.as_ref().unwrap().mptcp().unwrap();
            assert_eq!(info.token(), sub.token_loc);
        }
    }

    // IPv6: traffic class where it was set, v6only on the listener.
    let tcp6 = owned(ATTRS_TCP6, Protocol::Tcp);
    let c = &tcp6[&(sa("[::1]:41003"), sa("[::1]:6004"))];
    assert_eq!((c.tclass, c.tos), (Some(0x20), Some(0)));
    assert_eq!(tcp6[&(sa("[::1]:6004"), sa("[::]:0"))].v6only, Some(true));

    // UDP: memory attributes, no INFO.
    for s in owned(ATTRS_UDP4, Protocol::Udp).values() {
        assert!(s.tcp_info.is_none() && s.info.is_none());
        assert!(s.meminfo.is_some() && s.skmeminfo.is_some());
        assert!(!s.sockopt.unwrap().contains(SockOpt::IS_ICSK));
    }
}

#[test]
fn typed_attribute_iteration_matches_the_raw_one() {
    for (bytes, p) in [(ATTRS_TCP4, Protocol::Tcp), (ATTRS_MPTCP4, Protocol::Mptcp)] {
        for m in sockets_as(bytes, Some(p)) {
            let raw: Vec<u16> = m.attrs().map(|a| a.unwrap().kind()).collect();
            let typed: Vec<InetAttr<'_>> = m.attributes().map(|a| a.unwrap()).collect();
            assert_eq!(raw.len(), typed.len());
        }
    }
}

#[test]
fn legacy_dump_is_both_families_in_one_walk() {
    let msgs: Vec<_> = Messages::new(LEGACY_TCP).collect::<Result<_, _>>().unwrap();
    let (done, replies) = msgs.split_last().unwrap();
    assert!(done.is_done());
    assert!(replies.iter().all(|m| m.kind() == r::TCPDIAG_GETSOCK));
    let legacy: Vec<InetMsg<'_>> = replies
        .iter()
        .map(|m| InetMsg::parse(*m).unwrap())
        .collect();
    assert!(legacy.iter().all(|m| m.protocol() == Some(Protocol::Tcp)));
    // Captured right after the two per-family dumps: the same sockets.
    let mut legacy_set: Vec<_> = legacy
        .iter()
        .map(|m| (m.family(), m.src(), m.dst()))
        .collect();
    let mut v2: Vec<_> = sockets(ATTRS_TCP4)
        .into_iter()
        .chain(sockets(ATTRS_TCP6))
        .map(|m| (m.family(), m.src(), m.dst()))
        .collect();
    legacy_set.sort();
    v2.sort();
    assert_eq!(legacy_set, v2);
    assert!(legacy.iter().any(|m| m.family() == Family::Inet));
    assert!(legacy.iter().any(|m| m.family() == Family::Inet6));
    // Its INFO decodes as tcp_info without being told the protocol.
    let first = legacy[0].attributes().find_map(|a| match a {
        Ok(InetAttr::TcpInfo(i)) => Some(i.len()),
        _ => None,
    });
    assert_eq!(first, Some(280));
}

/// The replies of a whole dump capture (every message but the final
/// NLMSG_DONE, which must be clean).
fn replies(bytes: &[u8]) -> Vec<NlMsg<'_>> {
    let mut msgs: Vec<NlMsg<'_>> = Messages::new(bytes).collect::<Result<_, _>>().unwrap();
    let done = msgs.pop().unwrap();
    assert_eq!(done.done().unwrap().unwrap().errno(), None);
    msgs
}

#[test]
fn unix_dump_of_every_kind() {
    let socks: HashMap<u32, UnixSocket> = replies(UNIX_ALL)
        .into_iter()
        .map(|m| UnixSocket::from(UnixMsg::parse(m).unwrap()))
        .map(|s| (s.inode, s))
        .collect();
    assert_eq!(socks.len(), 10);
    let get = |name: &str| &socks[&inode_in(FAMILY_INODES, name)];
    for s in socks.values() {
        assert!(s.errors.is_empty() && s.other.is_empty());
        assert_eq!(
            (s.uid, s.skmeminfo.as_ref().map(|m| m.len())),
            (Some(0), Some(9))
        );
    }
    let l = get("unix_listener");
    assert_eq!(
        (l.socket_type, l.state),
        (SocketType::Stream, TcpState::Listen)
    );
    assert_eq!(
        l.name,
        Some(UnixAddr::Path("/tmp/sockdiag-fixture/listener.sock".into()))
    );
    assert!(l.vfs.is_some());
    let mut icons = l.icons.clone().unwrap();
    icons.sort_unstable();
    assert_eq!(
        icons,
        vec![
            inode_in(FAMILY_INODES, "unix_pending0"),
            inode_in(FAMILY_INODES, "unix_pending1")
        ]
    );
    let q = l.rqlen.unwrap();
    assert_eq!((q.rqueue, q.wqueue), (2, 5));
    assert_eq!(
        get("unix_abstract").name,
        Some(UnixAddr::Abstract(b"sockdiag-abstract".to_vec()))
    );
    assert_eq!(
        get("unix_abstract").to_owned().name.unwrap().to_string(),
        "@sockdiag-abstract"
    );
    for (a, b, ty, unread) in [
        ("unix_stream_a", "unix_stream_b", SocketType::Stream, 7),
        ("unix_seq_a", "unix_seq_b", SocketType::SeqPacket, 5),
        ("unix_dgram_a", "unix_dgram_b", SocketType::Dgram, 9),
    ] {
        let (a, b) = (get(a), get(b));
        assert_eq!(
            (a.socket_type, a.name.clone(), a.peer),
            (ty, None, Some(b.inode))
        );
        assert_eq!((b.peer, b.rqlen.unwrap().rqueue), (Some(a.inode), unread));
    }
    assert_eq!(get("unix_stream_a").shutdown, Some(Shutdown::SEND));
    assert_eq!(get("unix_stream_b").shutdown, Some(Shutdown::RECEIVE));
}

#[test]
fn unix_lookup_is_one_reply_without_done() {
    let msgs: Vec<_> = Messages::new(UNIX_LOOKUP)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(msgs.len(), 1);
    assert!(!msgs[0].flags().contains(sockdiag::netlink::Flags::MULTI));
    let s = UnixSocket::from(UnixMsg::parse(msgs[0]).unwrap());
    assert_eq!(s.inode, inode_in(FAMILY_INODES, "unix_listener"));
    assert_eq!(s.icons.map(|i| i.len()), Some(2));
    let msgs: Vec<_> = Messages::new(UNIX_LOOKUP_ENOENT)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(msgs[0].error().unwrap().unwrap().errno(), Some(2));
}

#[test]
fn netlink_dump() {
    let socks: Vec<NetlinkSocket> = replies(NETLINK_ALL)
        .into_iter()
        .map(|m| NetlinkSocket::from(NetlinkMsg::parse(m).unwrap()))
        .collect();
    assert_eq!(socks.len(), 11);
    assert!(socks
        .iter()
        .all(|s| s.errors.is_empty() && s.skmeminfo.is_some() && s.flags.is_some()));
    let route = socks
        .iter()
        .find(|s| s.inode == inode_in(FAMILY_INODES, "netlink_route"))
        .unwrap();
    assert_eq!(
        (route.protocol, route.groups.as_deref()),
        (0, Some(&[1, 5][..]))
    );
    assert_ne!(route.port_id, 0);
    // The capturing socket, with its dump running.
    let diag = socks
        .iter()
        .find(|s| s.protocol == 4 && s.port_id != 0)
        .unwrap();
    assert!(diag.flags.unwrap().contains(NetlinkFlags::CB_RUNNING));
    // Kernel sockets have port id 0.
    assert!(socks.iter().filter(|s| s.port_id == 0).count() >= 8);
}

#[test]
fn packet_dump() {
    let socks: Vec<PacketSocket> = replies(PACKET_ALL)
        .into_iter()
        .map(|m| PacketSocket::from(PacketMsg::parse(m).unwrap()))
        .collect();
    assert_eq!(socks.len(), 2);
    let raw = socks
        .iter()
        .find(|s| s.inode == inode_in(FAMILY_INODES, "packet_raw"))
        .unwrap();
    assert_eq!(
        (raw.socket_type.to_raw(), raw.protocol),
        (3, 0x0806),
        "ETH_P_ARP, host order"
    );
    let info = raw.info.unwrap();
    assert_eq!(info.index, 1);
    assert!(info.flags.contains(PacketInfoFlags::RUNNING));
    assert_eq!(raw.fanout.map(|f| (f.id(), f.kind())), Some((42, 0)));
    let f = raw.filter.clone().unwrap();
    assert_eq!((f.len(), f[0].code.get(), f[0].k.get()), (1, 6, 0xffff));
    let m = raw.memberships.clone().unwrap();
    assert_eq!(
        (m.len(), m[0].index, m[0].kind, m[0].addr().len()),
        (1, 1, 1, 0)
    );
    let dgram = socks
        .iter()
        .find(|s| s.inode == inode_in(FAMILY_INODES, "packet_dgram"))
        .unwrap();
    assert_eq!((dgram.socket_type.to_raw(), dgram.protocol), (2, 0x0800));
}

#[test]
fn every_fixture_replays_by_family() {
    use sockdiag::replay::{Record, Replay};
    for (name, bytes) in ALL {
        let mut kinds = [0usize; 7];
        for r in Replay::new(bytes) {
            let i = match r.unwrap_or_else(|e| panic!("{name}: {e}")) {
                Record::Inet(_) => 0,
                Record::Unix(_) => 1,
                Record::Netlink(_) => 2,
                Record::Packet(_) => 3,
                Record::Done(_) => 4,
                Record::Error(_) => 5,
                _ => 6,
            };
            kinds[i] += 1;
        }
        let want = match *name {
            "unix_all" => [0, 10, 0, 0, 1, 0, 0],
            "unix_lookup" => [0, 1, 0, 0, 0, 0, 0],
            "unix_lookup_enoent" | "family_einval" => [0, 0, 0, 0, 0, 1, 0],
            "netlink_all" => [0, 0, 11, 0, 1, 0, 0],
            "packet_all" => [0, 0, 0, 2, 1, 0, 0],
            "raw4_enoent" => [0, 0, 0, 0, 1, 0, 0],
            _ => [kinds[0], 0, 0, 0, 1, 0, 0],
        };
        assert_eq!(kinds, want, "{name}");
    }
}

/// Everything a parse of `bytes` yields, as text: each message's view or
/// control decoding and each attribute, up to the first error.
fn parse_all(bytes: &[u8]) -> (Vec<String>, Option<String>) {
    let mut out = Vec::new();
    for msg in Messages::new(bytes) {
        let msg = match msg {
            Ok(m) => m,
            Err(e) => return (out, Some(e.to_string())),
        };
        let item = match msg.kind() {
            NLMSG_DONE => format!("{:?}", msg.done().unwrap()),
            NLMSG_ERROR => format!("{:?}", msg.error().unwrap()),
            _ => match msg.payload().first() {
                Some(&sockdiag::raw::AF_UNIX) => format!("{:?}", UnixMsg::parse(msg)),
                Some(&sockdiag::raw::AF_NETLINK) => format!("{:?}", NetlinkMsg::parse(msg)),
                Some(&sockdiag::raw::AF_PACKET) => format!("{:?}", PacketMsg::parse(msg)),
                _ => match InetMsg::parse(msg) {
                    Ok(m) => {
                        let attrs: Vec<_> = m.attrs().collect();
                        format!("{m:?} {attrs:?}")
                    }
                    Err(e) => format!("error {e}"),
                },
            },
        };
        out.push(item);
    }
    (out, None)
}

#[test]
fn every_prefix_parses_to_a_clean_error_or_a_shorter_result() {
    for (name, bytes) in ALL {
        let (full, err) = parse_all(bytes);
        assert!(err.is_none(), "{name}: {err:?}");
        // Every prefix length of the small captures; for the large ones
        // (whose messages all look alike), every length in the first 8 KiB.
        let lens: Vec<usize> = (0..=bytes.len().min(8192)).collect();
        // Message ends (padded), where a cut leaves whole messages only.
        let ends: Vec<usize> = Messages::new(bytes)
            .map(|m| {
                let m = m.unwrap();
                (m.payload_offset() + m.payload().len() + 3) & !3
            })
            .collect();
        for n in lens {
            let (items, err) = parse_all(&bytes[..n]);
            let whole = ends.iter().filter(|&&e| e <= n).count();
            assert_eq!(items[..], full[..whole], "{name}: prefix {n}");
            let at_boundary = n == 0 || ends.contains(&n);
            assert_eq!(err.is_none(), at_boundary, "{name}: prefix {n}: {err:?}");
        }
    }
}

/// The serde form of every captured socket has the CLI's `--json` keys
/// and values: a key the CLI writes is in the serde object with the same
/// value, except the CLI's own (`netid`) and those it writes as 0 when
/// the kernel sent nothing (the serde form leaves those out).
#[cfg(all(feature = "serde", feature = "cli"))]
#[test]
fn serde_objects_equal_the_cli_json() {
    use serde_json::Value;
    use sockdiag::netlink_diag::NetlinkSocket;
    use sockdiag::packet::PacketSocket;
    use sockdiag::replay::{Record, Replay};

    let cases: [(&str, &str, Option<Protocol>); 8] = [
        ("attrs_tcp4", "tcp", Some(Protocol::Tcp)),
        ("attrs_tcp6", "tcp", Some(Protocol::Tcp)),
        ("tcp4_ext", "tcp", Some(Protocol::Tcp)),
        ("attrs_udp4", "udp", Some(Protocol::Udp)),
        ("attrs_mptcp4", "mptcp", Some(Protocol::Mptcp)),
        ("unix_all", "unix", None),
        ("packet_all", "packet", None),
        ("netlink_all", "netlink", None),
    ];
    let mut compared = 0;
    for (name, table, protocol) in cases {
        let path = format!("{}/tests/fixtures/{name}.bin", env!("CARGO_MANIFEST_DIR"));
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sockdiag"))
            .args([
                "--replay", &path, "-a", "-A", table, "--json", "-eomi", "--tos",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let cli: Vec<Value> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let bytes = std::fs::read(&path).unwrap();
        let mut replay = Replay::new(&bytes);
        if let Some(p) = protocol {
            replay = replay.with_inet_protocol(p);
        }
        let ours: Vec<Value> = replay
            .filter_map(|r| match r.unwrap() {
                Record::Inet(m) => Some(serde_json::to_value(InetSocket::from(m))),
                Record::Unix(m) => Some(serde_json::to_value(UnixSocket::from(m))),
                Record::Packet(m) => Some(serde_json::to_value(PacketSocket::from(m))),
                Record::Netlink(m) => Some(serde_json::to_value(NetlinkSocket::from(m))),
                _ => None,
            })
            .map(Result::unwrap)
            .collect();
        assert_eq!(cli.len(), ours.len(), "{name}");
        for c in &cli {
            let o = ours
                .iter()
                .find(|o| o["cookie"] == c["cookie"])
                .unwrap_or_else(|| panic!("{name}: no socket with the cookie of {c}"));
            for (key, value) in c.as_object().unwrap() {
                match o.get(key) {
                    Some(v) => assert_eq!(v, value, "{name}: {key} of {c}"),
                    None => assert!(
                        key == "netid"
                            || (["peer_inode", "rqueue", "wqueue", "interface"]
                                .contains(&key.as_str())
                                && value == 0),
                        "{name}: {key} missing from {o}"
                    ),
                }
            }
            compared += 1;
        }
    }
    assert!(compared >= 30, "{compared} sockets compared");
}
