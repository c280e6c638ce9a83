//! The packet views on hand-built messages (host byte order).

use zerocopy::IntoBytes;

use crate::netlink::tests::{attr, reply, u32s};
use crate::netlink::Messages;
use crate::packet::*;
use crate::parse_error::ParseErrorKind;
use crate::raw::packet_diag::{self as rp, packet_diag_msg};
use crate::raw::AF_PACKET;

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
        (
            m.socket_type().to_raw(),
            m.protocol(),
            m.inode(),
            m.cookie()
        ),
        (3, 0x0806, 66, 9)
    );
    assert!(format!("{m:?}").contains("0x0806"));
    assert_eq!(m.info().unwrap().map(|i| i.index), Some(2));
    assert_eq!(
        (m.uid(), m.fanout().map(|f| f.map(Fanout::id))),
        (Ok(Some(5)), Ok(Some(42)))
    );
    // The first filter is whole; the second (12 bytes) would not parse.
    assert_eq!(m.filter().unwrap().map(|f| f.instructions().len()), Some(2));
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
        (s.uid, s.skmeminfo.as_ref().map(SkMemInfo::len)),
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
