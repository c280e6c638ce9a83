//! The AF_XDP views on hand-built messages (host byte order).

use zerocopy::IntoBytes;

use crate::netlink::tests::{attr, reply, u32s};
use crate::netlink::Messages;
use crate::parse_error::ParseErrorKind;
use crate::raw::xdp_diag::{self as rx, xdp_diag_msg, xdp_diag_stats, xdp_diag_umem};
use crate::raw::AF_XDP;
use crate::xdp::*;
use crate::{Request, SocketType};

fn fixed() -> Vec<u8> {
    xdp_diag_msg {
        xdiag_family: AF_XDP,
        xdiag_type: 3,
        pad: 0.into(),
        xdiag_ino: 91.into(),
        xdiag_cookie: [4.into(), 0.into()],
    }
    .as_bytes()
    .to_vec()
}

fn umem() -> Vec<u8> {
    xdp_diag_umem {
        size: (64u64 << 12).into(),
        id: 3.into(),
        num_pages: 64.into(),
        chunk_size: 4096.into(),
        headroom: 0.into(),
        ifindex: 1.into(),
        queue_id: 0.into(),
        flags: 0.into(),
        refs: 1.into(),
    }
    .as_bytes()
    .to_vec()
}

/// A reply with every attribute (and one unknown).
fn full_reply() -> Vec<u8> {
    let stats = xdp_diag_stats {
        n_rx_dropped: 1.into(),
        n_rx_invalid: 2.into(),
        n_rx_full: 3.into(),
        n_fill_ring_empty: 4.into(),
        n_tx_invalid: 5.into(),
        n_tx_ring_empty: 6.into(),
    };
    reply(
        &fixed(),
        &[
            attr(rx::XDP_DIAG_INFO, &u32s(&[1, 0])),
            attr(rx::XDP_DIAG_UID, &u32s(&[0])),
            attr(rx::XDP_DIAG_RX_RING, &u32s(&[2048])),
            attr(rx::XDP_DIAG_TX_RING, &u32s(&[1024])),
            attr(rx::XDP_DIAG_UMEM, &umem()),
            attr(rx::XDP_DIAG_UMEM_FILL_RING, &u32s(&[4096])),
            attr(rx::XDP_DIAG_UMEM_COMPLETION_RING, &u32s(&[512])),
            attr(
                rx::XDP_DIAG_MEMINFO,
                &u32s(&[0, 212992, 0, 212992, 0, 0, 0, 0, 0]),
            ),
            attr(rx::XDP_DIAG_STATS, stats.as_bytes()),
            attr(99, &[1, 2, 3, 4]),
        ],
    )
}

#[test]
fn xdp_message_and_attributes() {
    let bytes = full_reply();
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let m = XdpRequest::new().parse(msg).unwrap();
    assert_eq!(
        (m.socket_type(), m.inode(), m.cookie()),
        (SocketType::Raw, 91, 4)
    );
    let info = m.info().unwrap().unwrap();
    assert_eq!((info.ifindex, info.queue_id), (1, 0));
    assert_eq!(m.uid().unwrap(), Some(0));
    assert_eq!(
        (m.rx_ring().unwrap(), m.tx_ring().unwrap()),
        (Some(2048), Some(1024))
    );
    assert_eq!(m.fill_ring().unwrap(), Some(4096));
    assert_eq!(m.completion_ring().unwrap(), Some(512));
    let u = m.umem().unwrap().unwrap();
    assert_eq!((u.size, u.id, u.chunk_size, u.refs), (64 << 12, 3, 4096, 1));
    assert!(!u.is_zerocopy());
    assert_eq!(m.skmeminfo().unwrap().unwrap().get(1), Some(212992));
    let st = m.stats().unwrap().unwrap();
    assert_eq!((st.rx_dropped, st.tx_ring_empty), (1, 6));
    let owned = XdpSocket::from(m);
    assert_eq!(owned.umem, Some(u));
    assert_eq!(owned.other.len(), 1);
    assert!(owned.errors.is_empty());
    assert!(format!("{m:?}").contains("Umem"));
}

#[test]
fn short_attributes_are_errors_alone() {
    let bytes = reply(
        &fixed(),
        &[
            attr(rx::XDP_DIAG_UMEM, &umem()[..39]),
            attr(rx::XDP_DIAG_RX_RING, &[1, 2]),
            attr(rx::XDP_DIAG_TX_RING, &u32s(&[8])),
        ],
    );
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let m = XdpMsg::parse(msg).unwrap();
    let e = m.umem().unwrap_err();
    assert!(matches!(e.kind(), ParseErrorKind::Truncated { .. }), "{e}");
    assert!(m.rx_ring().is_err());
    assert_eq!(m.tx_ring().unwrap(), Some(8));
    let owned = XdpSocket::from(m);
    assert_eq!((owned.errors.len(), owned.tx_ring), (2, Some(8)));
    // No such attribute: None, not an error.
    assert_eq!(m.info().unwrap(), None);
}

#[test]
fn xdp_request_bytes() {
    let r = XdpRequest::new();
    assert_eq!(r.show(), XdpShow::all() & XdpShow::from_bits_retain(0x1f));
    let raw = XdpRequest::new().with_show(XdpShow::UMEM).to_raw();
    assert_eq!((raw.sdiag_family, raw.xdiag_show.get()), (AF_XDP, 4));
    let bytes = r.to_bytes(3);
    assert_eq!(bytes.as_bytes().len(), 36);
    assert_eq!(&bytes.as_bytes()[16..], r.to_raw().as_bytes());
    let mut other = fixed();
    other[0] = 1;
    let b = reply(&other, &[]);
    let msg = Messages::new(&b).next().unwrap().unwrap();
    assert!(XdpMsg::parse(msg).is_err());
}

/// The owned form's serde keys are the CLI's `--xdp -e --json` keys (the
/// live test `xdp_socket_bound_to_a_loopback_queue` checks those against
/// the kernel).
#[cfg(feature = "serde")]
#[test]
fn serde_keys_are_the_cli_keys() {
    let bytes = full_reply();
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let j = serde_json::to_value(XdpSocket::from(XdpMsg::parse(msg).unwrap())).unwrap();
    assert_eq!(
        (j["interface"].as_u64(), j["queue_id"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(j["fill_ring"], 4096);
    assert_eq!(j["completion_ring"], 512);
    assert_eq!(j["umem"]["num_pages"], 64);
    assert_eq!(j["umem"]["chunk_size"], 4096);
    assert_eq!(j["stats"]["tx_ring_empty"], 6);
    assert_eq!(j["state"], "CLOSE");
}
