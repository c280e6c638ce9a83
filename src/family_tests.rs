//! Unit tests for the unix, netlink and packet views on hand-built
//! messages (host byte order, so they hold on big-endian targets too).

use std::path::Path;

use zerocopy::IntoBytes;

use crate::netlink::tests::{attr, msg};
use crate::netlink::Messages;
use crate::netlink_diag::*;
use crate::packet::*;
use crate::parse_error::{Layer, ParseErrorKind};
use crate::raw::netlink_diag::{self as rn, netlink_diag_msg};
use crate::raw::packet_diag::{self as rp, packet_diag_msg};
use crate::raw::unix_diag::{self as ru, unix_diag_msg};
use crate::raw::{AF_INET, AF_NETLINK, AF_PACKET, AF_UNIX};
use crate::unix::*;
use crate::{Shutdown, SkMemInfo};

fn reply(fixed: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut payload = fixed.to_vec();
    payload.extend(attrs.concat());
    msg(20, 2, 1, 1, &payload)
}

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

fn unix_fixed(family: u8) -> Vec<u8> {
    unix_diag_msg {
        udiag_family: family,
        udiag_type: 1,
        udiag_state: 10,
        pad: 0,
        udiag_ino: 77.into(),
        udiag_cookie: [1.into(), 2.into()],
    }
    .as_bytes()
    .to_vec()
}

#[test]
fn unix_names() {
    assert_eq!(
        UnixName::from_sun_path(b"/tmp/x\0\0"),
        UnixName::Path(Path::new("/tmp/x"))
    );
    assert_eq!(
        UnixName::from_sun_path(b"/tmp/x"),
        UnixName::Path(Path::new("/tmp/x"))
    );
    let abs = UnixName::from_sun_path(b"\0a\0b");
    assert_eq!(abs, UnixName::Abstract(b"a\0b"));
    assert_eq!(abs.to_string(), "@a@b");
    assert_eq!(abs.to_owned(), UnixAddr::Abstract(b"a\0b".to_vec()));
    assert_eq!(format!("{abs:?}"), "Abstract(\"a\\x00b\")");
    assert_eq!(UnixName::from_sun_path(b"\0\xff").to_string(), "@\u{fffd}");
    assert_eq!(UnixName::from_sun_path(b""), UnixName::Path(Path::new("")));
    let owned = UnixAddr::Path("/run/x.sock".into());
    assert_eq!(owned.to_string(), "/run/x.sock");
    assert_eq!(owned.as_name(), UnixName::Path(Path::new("/run/x.sock")));
}

#[test]
fn unix_message_and_every_attribute() {
    let bytes = reply(
        &unix_fixed(AF_UNIX),
        &[
            attr(ru::UNIX_DIAG_NAME, b"\0srv"),
            attr(ru::UNIX_DIAG_VFS, &u32s(&[99, 254 << 20 | 3])),
            attr(ru::UNIX_DIAG_PEER, &5u32.to_ne_bytes()),
            attr(ru::UNIX_DIAG_ICONS, &u32s(&[11, 12])),
            attr(ru::UNIX_DIAG_RQLEN, &u32s(&[2, 128])),
            attr(ru::UNIX_DIAG_MEMINFO, &u32s(&[1, 2, 3, 4, 5, 6, 7, 8, 9])),
            attr(ru::UNIX_DIAG_SHUTDOWN, &[1]),
            attr(ru::UNIX_DIAG_UID, &1000u32.to_ne_bytes()),
            attr(42, &[1]),
        ],
    );
    let m = UnixMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (m.socket_type(), m.state(), m.inode(), m.cookie()),
        (
            UnixType::Stream,
            crate::inet::TcpState::Listen,
            77,
            2 << 32 | 1
        )
    );
    assert_eq!(m.raw().udiag_type, 1);
    assert!(format!("{m:?}").contains("srv"));
    let s = UnixSocket::from(m);
    assert_eq!(s.name, Some(UnixAddr::Abstract(b"srv".to_vec())));
    let vfs = s.vfs.unwrap();
    assert_eq!((vfs.inode, vfs.major(), vfs.minor()), (99, 254, 3));
    assert_eq!((s.peer, s.icons.clone()), (Some(5), Some(vec![11, 12])));
    assert_eq!(s.rqlen.map(|q| (q.rqueue, q.wqueue)), Some((2, 128)));
    assert_eq!(s.meminfo.as_ref().and_then(|m| m.drops()), Some(9));
    assert_eq!((s.shutdown, s.uid), (Some(Shutdown::RECEIVE), Some(1000)));
    assert_eq!(s.other, vec![(42, vec![1].into_boxed_slice())]);
    assert!(s.errors.is_empty());
    assert_eq!(UnixType::from_raw(9), UnixType::Unknown(9));
    for t in [
        UnixType::Stream,
        UnixType::Dgram,
        UnixType::SeqPacket,
        UnixType::Unknown(9),
    ] {
        assert_eq!(UnixType::from_raw(t.to_raw()), t);
        assert!(t.netid().starts_with("u_"));
    }
}

#[test]
fn unix_bad_attributes_and_messages() {
    let bytes = reply(
        &unix_fixed(AF_UNIX),
        &[
            attr(ru::UNIX_DIAG_PEER, &[1, 2]),
            attr(ru::UNIX_DIAG_ICONS, &[0; 6]),
            attr(ru::UNIX_DIAG_RQLEN, &[0; 4]),
            attr(ru::UNIX_DIAG_VFS, &[0; 7]),
            attr(ru::UNIX_DIAG_MEMINFO, &[0; 3]),
            attr(ru::UNIX_DIAG_UID, &7u32.to_ne_bytes()),
        ],
    );
    let m = UnixMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
    let got: Vec<_> = m.attributes().collect();
    assert_eq!(got.len(), 6);
    assert!(matches!(
        got[0].as_ref().unwrap_err().kind(),
        ParseErrorKind::WrongLength {
            length: 2,
            expected: 4
        }
    ));
    assert!(matches!(
        got[1].as_ref().unwrap_err().kind(),
        ParseErrorKind::BadArrayLength {
            length: 6,
            element: 4
        }
    ));
    assert!(matches!(
        got[2].as_ref().unwrap_err().kind(),
        ParseErrorKind::Truncated {
            needed: 8,
            available: 4
        }
    ));
    assert!(matches!(
        got[3].as_ref().unwrap_err().kind(),
        ParseErrorKind::Truncated {
            needed: 8,
            available: 7
        }
    ));
    assert!(got[4].is_err());
    assert!(matches!(got[5], Ok(UnixAttr::Uid(7))));
    assert_eq!(UnixSocket::from(m).errors.len(), 5);
    // Another family, a short struct, another message type.
    let other = reply(&unix_fixed(AF_INET), &[]);
    let e = UnixMsg::parse(Messages::new(&other).next().unwrap().unwrap()).unwrap_err();
    assert_eq!(
        (e.layer(), e.kind()),
        (
            Layer::UnixDiagMsg,
            ParseErrorKind::UnknownFamily { found: AF_INET }
        )
    );
    let short = msg(20, 2, 1, 1, &unix_fixed(AF_UNIX)[..10]);
    let e = UnixMsg::parse(Messages::new(&short).next().unwrap().unwrap()).unwrap_err();
    assert_eq!(
        e.kind(),
        ParseErrorKind::Truncated {
            needed: 16,
            available: 10
        }
    );
    let wrong = msg(3, 2, 1, 1, &unix_fixed(AF_UNIX));
    let e = UnixMsg::parse(Messages::new(&wrong).next().unwrap().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ParseErrorKind::UnexpectedType { found: 3 });
}

#[test]
fn unix_requests() {
    let dump = UnixRequest::new()
        .with_show(UnixShow::all())
        .with_states(crate::inet::States::LISTEN);
    let b = dump.to_bytes(5);
    let m = Messages::new(b.as_bytes()).next().unwrap().unwrap();
    assert_eq!(
        (m.kind(), m.flags().bits(), m.payload().len()),
        (20, 0x301, 24)
    );
    let raw = dump.to_raw();
    assert_eq!(
        (
            raw.sdiag_family,
            raw.udiag_show.get(),
            raw.udiag_states.get()
        ),
        (AF_UNIX, 0x7f, 1 << 10)
    );
    assert_eq!(raw.udiag_cookie.map(|w| w.get()), [!0, !0]);
    let one = UnixRequest::lookup(77, Some(0x1_0000_0002));
    let b = one.to_bytes(6);
    let m = Messages::new(b.as_bytes()).next().unwrap().unwrap();
    assert_eq!(m.flags().bits(), 0x1, "a lookup is not a dump");
    let raw = one.to_raw();
    assert_eq!(
        (raw.udiag_ino.get(), raw.udiag_cookie.map(|w| w.get())),
        (77, [2, 1])
    );
    assert_eq!(UnixRequest::default(), UnixRequest::new());
}

fn netlink_fixed() -> Vec<u8> {
    netlink_diag_msg {
        ndiag_family: AF_NETLINK,
        ndiag_type: 3,
        ndiag_protocol: 0,
        ndiag_state: 1,
        ndiag_portid: 1234.into(),
        ndiag_dst_portid: 5.into(),
        ndiag_dst_group: 6.into(),
        ndiag_ino: 88.into(),
        ndiag_cookie: [3.into(), 0.into()],
    }
    .as_bytes()
    .to_vec()
}

#[test]
fn netlink_message_and_attributes() {
    let bytes = reply(
        &netlink_fixed(),
        &[
            attr(rn::NETLINK_DIAG_MEMINFO, &u32s(&[1, 2, 3, 4, 5, 6, 7])),
            attr(
                rn::NETLINK_DIAG_GROUPS,
                &u32s(&[(1 << 0) | (1 << 4), 1 << 1]),
            ),
            attr(rn::NETLINK_DIAG_RX_RING, &u32s(&[4096, 2, 2048, 4])),
            attr(rn::NETLINK_DIAG_TX_RING, &u32s(&[1, 2, 3, 4])),
            attr(
                rn::NETLINK_DIAG_FLAGS,
                &(rn::NDIAG_FLAG_CB_RUNNING | rn::NDIAG_FLAG_CAP_ACK).to_ne_bytes(),
            ),
            attr(rn::NETLINK_DIAG_GROUPS, &[0; 5]),
        ],
    );
    let m = NetlinkMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (m.socket_type(), m.protocol(), m.is_connected(), m.port_id()),
        (3, 0, true, 1234)
    );
    assert_eq!(
        (m.dst_port_id(), m.dst_group(), m.inode(), m.cookie()),
        (5, 6, 88, 3)
    );
    let groups = m.attributes().find_map(|a| match a {
        Ok(NetlinkAttr::Groups(g)) => Some(g),
        _ => None,
    });
    let g = groups.unwrap();
    assert_eq!(g.iter().collect::<Vec<_>>(), vec![1, 5, 34]);
    assert!(
        g.contains(1) && g.contains(34) && !g.contains(2) && !g.contains(0) && !g.contains(999)
    );
    assert_eq!(g.words().len(), 2);
    let s = NetlinkSocket::from(m);
    assert_eq!(s.meminfo.as_ref().map(SkMemInfo::len), Some(7));
    assert_eq!(
        s.rx_ring
            .map(|r| (r.block_size, r.block_nr, r.frame_size, r.frame_nr)),
        Some((4096, 2, 2048, 4))
    );
    assert!(s.tx_ring.is_some());
    assert_eq!(
        s.flags,
        Some(NetlinkFlags::CB_RUNNING | NetlinkFlags::CAP_ACK)
    );
    assert_eq!(s.groups, Some(vec![1, 5, 34]));
    assert_eq!(s.errors.len(), 1, "the 5-byte GROUPS");
    assert!(format!(
        "{:?}",
        NetlinkMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap()
    )
    .contains("1234"));
    let req = NetlinkRequest::new();
    assert_eq!(req.to_raw().sdiag_protocol, rn::NDIAG_PROTO_ALL);
    assert_eq!(req.with_protocol(9).to_raw().sdiag_protocol, 9);
    assert_eq!(
        req.with_show(NetlinkShow::GROUPS).to_raw().ndiag_show.get(),
        2
    );
    assert_eq!(req.to_bytes(1).as_bytes().len(), 36);
}

fn packet_fixed(protocol: u16) -> Vec<u8> {
    packet_diag_msg {
        pdiag_family: AF_PACKET,
        pdiag_type: 3,
        pdiag_num: protocol.into(),
        pdiag_ino: 66.into(),
        pdiag_cookie: [9.into(), 0.into()],
    }
    .as_bytes()
    .to_vec()
}

#[test]
fn packet_message_and_attributes() {
    let mut mc = u32s(&[1, 2]);
    mc.extend(2u16.to_ne_bytes());
    mc.extend(6u16.to_ne_bytes());
    let mut addr = [0u8; 32];
    addr[..6].copy_from_slice(&[1, 2, 3, 4, 5, 6]);
    mc.extend(addr);
    let mut filter = 0x15u16.to_ne_bytes().to_vec();
    filter.extend([1, 0]);
    filter.extend(0x0806u32.to_ne_bytes());
    filter.extend(0x06u16.to_ne_bytes());
    filter.extend([0, 0]);
    filter.extend(0xffffu32.to_ne_bytes());
    let bytes = reply(
        &packet_fixed(0x0806),
        &[
            attr(
                rp::PACKET_DIAG_INFO,
                &u32s(&[2, 1, 0, 0, 0, rp::PDI_RUNNING | rp::PDI_AUXDATA]),
            ),
            attr(rp::PACKET_DIAG_MCLIST, &mc),
            attr(
                rp::PACKET_DIAG_RX_RING,
                &u32s(&[4096, 8, 2048, 16, 60, 0, 1]),
            ),
            attr(rp::PACKET_DIAG_TX_RING, &u32s(&[1, 2, 3, 4, 5, 6, 7])),
            attr(
                rp::PACKET_DIAG_FANOUT,
                &(42u32 | 0x8001 << 16).to_ne_bytes(),
            ),
            attr(rp::PACKET_DIAG_UID, &5u32.to_ne_bytes()),
            attr(rp::PACKET_DIAG_MEMINFO, &u32s(&[0; 9])),
            attr(rp::PACKET_DIAG_FILTER, &filter),
            attr(rp::PACKET_DIAG_FILTER, &[0; 12]),
        ],
    );
    let m = PacketMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
    assert_eq!(
        (m.socket_type(), m.protocol(), m.inode(), m.cookie()),
        (3, 0x0806, 66, 9)
    );
    assert!(format!("{m:?}").contains("0x0806"));
    let s = PacketSocket::from(m);
    let info = s.info.unwrap();
    assert_eq!((info.index, info.version), (2, 1));
    assert_eq!(
        info.flags,
        PacketInfoFlags::RUNNING | PacketInfoFlags::AUXDATA
    );
    let mc = s.memberships.clone().unwrap();
    assert_eq!(
        (mc[0].index, mc[0].count, mc[0].kind, mc[0].addr()),
        (1, 2, 2, &[1, 2, 3, 4, 5, 6][..])
    );
    assert!(format!("{:?}", mc[0]).contains("addr"));
    assert_eq!(
        s.rx_ring.map(|r| (r.frame_nr, r.retire_tmo, r.features)),
        Some((16, 60, 1))
    );
    assert_eq!(s.tx_ring.map(|r| r.sizeof_priv), Some(6));
    let f = s.fanout.unwrap();
    assert_eq!((f.id(), f.kind()), (42, 0x8001));
    assert_eq!(
        (s.uid, s.meminfo.as_ref().map(SkMemInfo::len)),
        (Some(5), Some(9))
    );
    let prog = s.filter.clone().unwrap();
    assert_eq!(prog.len(), 2);
    assert_eq!(
        (prog[0].code.get(), prog[0].jt, prog[0].k.get()),
        (0x15, 1, 0x0806)
    );
    assert_eq!(s.errors.len(), 1, "a 12-byte FILTER");
    assert!(matches!(
        s.errors[0].kind(),
        ParseErrorKind::BadArrayLength {
            length: 12,
            element: 8
        }
    ));
    let req = PacketRequest::new();
    assert_eq!(
        req.to_raw().pdiag_show.get(),
        0x1f,
        "everything but the filter"
    );
    assert_eq!(
        req.with_show(PacketShow::all()).to_raw().pdiag_show.get(),
        0x3f
    );
    assert_eq!(req.to_raw().sdiag_protocol, 0);
}
