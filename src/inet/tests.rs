//! View and request tests on hand-built messages (host byte order where
//! the kernel uses it, so they hold on big-endian targets too).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use zerocopy::IntoBytes;

use super::*;
use crate::netlink::tests::{attr, msg};
use crate::netlink::Messages;
use crate::parse_error::{Layer, ParseErrorKind};
use crate::raw::inet_diag::*;
use crate::raw::netlink::NLMSG_DONE;

fn sample(family: u8, src: [u8; 16], dst: [u8; 16]) -> inet_diag_msg {
    inet_diag_msg {
        idiag_family: family,
        idiag_state: 1,
        idiag_timer: 4,
        idiag_retrans: 3,
        id: inet_diag_sockid {
            idiag_sport: 443.into(),
            idiag_dport: 50000.into(),
            idiag_src: src,
            idiag_dst: dst,
            idiag_if: 7.into(),
            idiag_cookie: [0x1122_3344.into(), 0x5566_7788.into()],
        },
        idiag_expires: 1500.into(),
        idiag_rqueue: 100.into(),
        idiag_wqueue: 200.into(),
        idiag_uid: 1000.into(),
        idiag_inode: 123_456.into(),
    }
}

fn v4(a: [u8; 4]) -> [u8; 16] {
    // The kernel leaves the rest zero; garbage there must be ignored.
    [
        a[0], a[1], a[2], a[3], 0xde, 0xad, 0xbe, 0xef, 9, 9, 9, 9, 9, 9, 9, 9,
    ]
}

#[test]
fn ipv4_view_reads_every_field() {
    let raw = sample(2, v4([10, 0, 0, 1]), v4([192, 168, 1, 2]));
    let mut payload = raw.as_bytes().to_vec();
    payload.extend(attr(INET_DIAG_SHUTDOWN, &[3]));
    let buf = msg(20, 2, 1, 1, &payload);
    let m = InetMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap();
    assert_eq!(m.family(), Family::Inet);
    assert_eq!(m.state(), TcpState::Established);
    assert_eq!(m.timer(), Timer::ZeroWindowProbe);
    assert_eq!(m.retrans(), 3);
    assert_eq!(m.src_ip(), IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
    assert_eq!(m.dst_ip(), IpAddr::V4(Ipv4Addr::new(192, 168, 1, 2)));
    assert_eq!(m.src_port(), 443);
    assert_eq!(m.dst_port(), 50000);
    assert_eq!(m.src(), "10.0.0.1:443".parse::<SocketAddr>().unwrap());
    assert_eq!(m.dst(), "192.168.1.2:50000".parse::<SocketAddr>().unwrap());
    assert_eq!(m.interface(), 7);
    assert_eq!(m.cookie(), 0x5566_7788_1122_3344);
    assert_eq!(m.expires_ms(), 1500);
    assert_eq!(m.rqueue(), 100);
    assert_eq!(m.wqueue(), 200);
    assert_eq!(m.uid(), 1000);
    assert_eq!(m.inode(), 123_456);
    assert_eq!(m.raw(), &raw);
    let attrs: Vec<_> = m.attrs().collect::<Result<_, _>>().unwrap();
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].kind(), INET_DIAG_SHUTDOWN);
    assert_eq!(attrs[0].offset(), 16 + 72);
    let dbg = format!("{m:?}");
    assert!(dbg.contains("10.0.0.1:443") && dbg.contains("Established"));

    let owned = InetSocket::from(m);
    assert_eq!(owned.family, Family::Inet);
    assert_eq!(owned.src, m.src());
    assert_eq!(owned.dst, m.dst());
    assert_eq!(owned.cookie, m.cookie());
    assert_eq!(owned.interface, 7);
    assert_eq!(
        (owned.rqueue, owned.wqueue, owned.uid, owned.inode),
        (100, 200, 1000, 123_456)
    );
    assert_eq!(
        (owned.timer, owned.retrans, owned.expires_ms),
        (Timer::ZeroWindowProbe, 3, 1500)
    );
    assert_eq!(owned.id().fast_hash(), m.fast_hash());
}

#[test]
fn ipv6_view_keeps_v4_mapped_addresses() {
    let mapped = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1);
    let peer = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    let raw = sample(10, mapped.octets(), peer.octets());
    let buf = msg(20, 2, 1, 1, raw.as_bytes());
    let m = InetMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap();
    assert_eq!(m.family(), Family::Inet6);
    assert_eq!(m.src_ip(), IpAddr::V6(mapped));
    assert_eq!(m.dst_ip(), IpAddr::V6(peer));
    assert_eq!(m.attrs().count(), 0);
}

#[test]
fn fast_hash_is_gopsutils_fnv1() {
    // FNV-1 64 over 127.0.0.1, 10.0.0.1, be16(80), be16(443), computed
    // independently (Python).
    let mut raw = sample(2, v4([127, 0, 0, 1]), v4([10, 0, 0, 1]));
    raw.id.idiag_sport = 80.into();
    raw.id.idiag_dport = 443.into();
    let m = InetMsg::from_payload(raw.as_bytes(), 0).unwrap();
    assert_eq!(m.fast_hash(), 0x7514_7608_92d0_0c2e);
    assert_eq!(InetSocket::from(m).fast_hash(), 0x7514_7608_92d0_0c2e);

    let mapped = Ipv6Addr::new(0, 0, 0, 0, 0, 0xffff, 0x7f00, 1);
    let peer = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1);
    let mut raw = sample(10, mapped.octets(), peer.octets());
    raw.id.idiag_sport = 5003.into();
    raw.id.idiag_dport = 40004.into();
    let m = InetMsg::from_payload(raw.as_bytes(), 0).unwrap();
    assert_eq!(m.fast_hash(), 0xa670_9545_00a8_f8de);
    assert_eq!(InetSocket::from(m).fast_hash(), 0xa670_9545_00a8_f8de);
}

#[test]
fn legacy_reply_types_are_accepted() {
    let raw = sample(2, v4([1, 2, 3, 4]), v4([5, 6, 7, 8]));
    for kind in [TCPDIAG_GETSOCK, DCCPDIAG_GETSOCK, 20] {
        let buf = msg(kind, 2, 1, 1, raw.as_bytes());
        assert!(InetMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).is_ok());
    }
    let buf = msg(NLMSG_DONE, 2, 1, 1, raw.as_bytes());
    let e = InetMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap_err();
    assert_eq!(e.layer(), Layer::InetDiagMsg);
    assert_eq!(
        e.kind(),
        ParseErrorKind::UnexpectedType { found: NLMSG_DONE }
    );
}

#[test]
fn bad_messages_are_typed_errors() {
    let raw = sample(2, v4([1, 2, 3, 4]), v4([5, 6, 7, 8]));
    for n in 0..72 {
        let e = InetMsg::from_payload(&raw.as_bytes()[..n], 16).unwrap_err();
        assert_eq!(
            e,
            ParseError::new(
                Layer::InetDiagMsg,
                16,
                ParseErrorKind::Truncated {
                    needed: 72,
                    available: n
                }
            )
        );
    }
    for family in [0u8, 1, 3, 9, 11, 255] {
        let raw = sample(family, [0; 16], [0; 16]);
        let e = InetMsg::from_payload(raw.as_bytes(), 0).unwrap_err();
        assert_eq!(e.kind(), ParseErrorKind::UnknownFamily { found: family });
    }
}

use crate::parse_error::ParseError;

#[test]
fn states_round_trip_and_print() {
    for v in 0..=255u8 {
        assert_eq!(TcpState::from_raw(v).to_raw(), v);
        assert_eq!(Timer::from_raw(v).to_raw(), v);
    }
    let names = [
        "ESTABLISHED",
        "SYN_SENT",
        "SYN_RECV",
        "FIN_WAIT1",
        "FIN_WAIT2",
        "TIME_WAIT",
        "CLOSE",
        "CLOSE_WAIT",
        "LAST_ACK",
        "LISTEN",
        "CLOSING",
        "NEW_SYN_RECV",
        "BOUND_INACTIVE",
    ];
    for (i, name) in names.iter().enumerate() {
        let s = TcpState::from_raw(i as u8 + 1);
        assert_eq!(s.to_string(), *name);
        assert!(!matches!(s, TcpState::Unknown(_)));
        assert_eq!(s.mask().bits(), 1 << (i + 1));
    }
    assert_eq!(TcpState::from_raw(0), TcpState::Unknown(0));
    assert_eq!(TcpState::from_raw(14).to_string(), "UNKNOWN(14)");
    assert_eq!(TcpState::Unknown(40).mask(), States::empty());
}

#[test]
fn state_and_extension_masks() {
    assert_eq!(States::default().bits(), 0x1ffe);
    assert!(!States::default().contains(States::BOUND_INACTIVE));
    assert_eq!(States::BOUND_INACTIVE.bits(), 1 << 13);
    assert!(!States::CONNECTED
        .intersects(States::LISTEN | States::SYN_RECV | States::TIME_WAIT | States::CLOSE));
    assert!(
        States::CONNECTED.contains(States::ESTABLISHED | States::FIN_WAIT1 | States::CLOSE_WAIT)
    );
    for t in 1..=8u16 {
        assert_eq!(
            u32::from(Extensions::for_attr(t).unwrap().bits()),
            1 << (t - 1)
        );
    }
    assert_eq!(Extensions::for_attr(0), None);
    assert_eq!(Extensions::for_attr(9), None);
    assert_eq!(Extensions::INFO.bits(), 2);
    assert_eq!(Extensions::all().bits(), 0xff);
}

#[test]
fn request_encoding() {
    let req = InetRequest::new(Family::Inet6, Protocol::Udp)
        .with_states(States::ESTABLISHED | States::CLOSE)
        .with_extensions(Extensions::MEMINFO | Extensions::SKMEMINFO);
    assert_eq!(req.family(), Family::Inet6);
    assert_eq!(req.protocol(), Protocol::Udp);
    let bytes = req.to_bytes(0xabcd);
    let bytes = bytes.as_bytes();
    assert_eq!(bytes.len(), 72);
    let m = Messages::new(bytes).next().unwrap().unwrap();
    assert_eq!(m.kind(), 20);
    assert_eq!(m.flags().bits(), 0x301);
    assert_eq!(m.seq(), 0xabcd);
    assert_eq!(m.port_id(), 0);
    let p = m.payload();
    assert_eq!(p.len(), 56);
    assert_eq!(&p[..4], &[10, 17, 0b0100_0001, 0]);
    assert_eq!(
        u32::from_ne_bytes(p[4..8].try_into().unwrap()),
        (1 << 1) | (1 << 7)
    );
    assert_eq!(&p[8..44], &[0; 36]); // ports, addresses
    assert_eq!(&p[44..48], &[0; 4]); // interface
    assert_eq!(&p[48..56], &[0xff; 8]); // cookie: INET_DIAG_NOCOOKIE twice
    assert_eq!(req.to_raw().as_bytes(), p);
    let default = InetRequest::new(Family::Inet, Protocol::Tcp);
    assert_eq!(default.states(), States::DEFAULT);
    assert_eq!(default.extensions(), Extensions::empty());
    for p in Protocol::ALL {
        let b = InetRequest::new(Family::Inet, p).to_bytes(1);
        let b = b.as_bytes();
        assert_eq!(Protocol::from_raw(p.to_raw()), Some(p));
        assert!(!p.to_string().is_empty());
        if p == Protocol::Mptcp {
            continue;
        }
        assert_eq!(b.len(), 72);
        assert_eq!(u16::from(b[17]), p.to_raw());
    }
    assert_eq!(Protocol::from_raw(0), None);
}

#[test]
fn mptcp_request_carries_the_protocol_attribute() {
    let b = InetRequest::new(Family::Inet, Protocol::Mptcp).to_bytes(3);
    let b = b.as_bytes();
    assert_eq!(b.len(), 80);
    let m = Messages::new(b).next().unwrap().unwrap();
    assert_eq!(m.payload().len(), 64);
    // The protocol byte is 0: an old kernel answers ENOENT, not TCP sockets.
    assert_eq!(m.payload()[1], 0);
    let attrs: Vec<_> = crate::netlink::Attrs::new(&m.payload()[56..])
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].kind(), INET_DIAG_REQ_PROTOCOL);
    assert_eq!(attrs[0].u32().unwrap(), 262);
}

#[test]
fn raw_protocol_byte_and_legacy_request() {
    let raw = InetRequest::new(Family::Inet, Protocol::Raw).with_raw_protocol(1);
    assert_eq!(raw.to_raw().pad, 1);
    assert_eq!(raw.to_raw().sdiag_protocol, 255);

    let req = LegacyRequest::tcp()
        .with_states(States::LISTEN)
        .with_extensions(Extensions::INFO);
    assert_eq!(req.protocol(), Protocol::Tcp);
    let b = req.to_bytes(9);
    let m = Messages::new(b.as_bytes()).next().unwrap().unwrap();
    assert_eq!(m.kind(), TCPDIAG_GETSOCK);
    assert_eq!(m.flags().bits(), 0x301);
    assert_eq!(m.payload().len(), 60);
    assert_eq!(&m.payload()[..4], &[2, 0, 0, 2]);
    assert_eq!(
        u32::from_ne_bytes(m.payload()[52..56].try_into().unwrap()),
        1 << 10
    );
    assert_eq!(req.to_raw().as_bytes(), m.payload());
    let b = LegacyRequest::dccp().to_bytes(9);
    let m = Messages::new(b.as_bytes()).next().unwrap().unwrap();
    assert_eq!(m.kind(), DCCPDIAG_GETSOCK);
    assert_eq!(LegacyRequest::dccp().protocol(), Protocol::Dccp);
}

#[test]
fn family_conversions() {
    assert_eq!(Family::from_raw(2), Some(Family::Inet));
    assert_eq!(Family::from_raw(10), Some(Family::Inet6));
    assert_eq!(Family::from_raw(1), None);
    assert_eq!(Family::Inet6.to_raw(), 10);
    assert_eq!(Family::Inet.to_string(), "ipv4");
}
