//! The netlink views on hand-built messages (host byte order).

use zerocopy::IntoBytes;

use crate::netlink::tests::{attr, reply, u32s};
use crate::netlink::Messages;
use crate::netlink_diag::*;
use crate::raw::netlink_diag::{self as rn, netlink_diag_msg};
use crate::raw::AF_NETLINK;
use crate::SkMemInfo;

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
        (
            m.socket_type().to_raw(),
            m.protocol(),
            m.is_connected(),
            m.port_id()
        ),
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
    assert_eq!(s.skmeminfo.as_ref().map(SkMemInfo::len), Some(7));
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
