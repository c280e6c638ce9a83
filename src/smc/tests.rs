//! The SMC views on hand-built messages (host byte order).

use std::net::IpAddr;

use zerocopy::{FromZeros, IntoBytes};

use crate::netlink::tests::{attr, reply, u32s};
use crate::netlink::Messages;
use crate::parse_error::ParseErrorKind;
use crate::raw::smc_diag::{self as rs, smc_diag_conninfo, smc_diag_lgrinfo, smc_diag_msg};
use crate::raw::AF_SMC;
use crate::smc::*;
use crate::{Request, Shutdown};

fn fixed(src: [u8; 16], dst: [u8; 16]) -> Vec<u8> {
    let mut m = smc_diag_msg::new_zeroed();
    m.diag_family = AF_SMC;
    m.diag_state = 1;
    m.diag_mode = rs::SMC_DIAG_MODE_FALLBACK_TCP;
    m.diag_shutdown = 1;
    m.id.idiag_sport = 6030.into();
    m.id.idiag_dport = 40000.into();
    m.id.idiag_src = src;
    m.id.idiag_dst = dst;
    m.id.idiag_if = 1.into();
    m.id.idiag_cookie = [7.into(), 1.into()];
    m.diag_uid = 1000.into();
    m.diag_inode = 0x1_0000_0005.into();
    m.as_bytes().to_vec()
}

fn v4(a: [u8; 4]) -> [u8; 16] {
    let mut b = [0; 16];
    b[..4].copy_from_slice(&a);
    b
}

#[test]
fn smc_message_and_attributes() {
    let mut c = smc_diag_conninfo::new_zeroed();
    c.token = 0x42.into();
    c.sndbuf_size = 65536.into();
    c.tx_fin.count = 99.into();
    let mut l = smc_diag_lgrinfo::new_zeroed();
    l.role = 1;
    l.lnk[0].ibname[..5].copy_from_slice(b"mlx5_");
    l.lnk[0].gid[..3].copy_from_slice(b"fe8");
    let mut dmb = vec![0u8; 40];
    dmb[..4].copy_from_slice(&3u32.to_ne_bytes());
    dmb[32..].copy_from_slice(&9u64.to_ne_bytes());
    let bytes = reply(
        &fixed(v4([127, 0, 0, 1]), v4([127, 0, 0, 2])),
        &[
            attr(rs::SMC_DIAG_SHUTDOWN, &[1]),
            attr(rs::SMC_DIAG_FALLBACK, &u32s(&[0x0303_0000, 0])),
            attr(rs::SMC_DIAG_CONNINFO, c.as_bytes()),
            attr(rs::SMC_DIAG_LGRINFO, l.as_bytes()),
            attr(rs::SMC_DIAG_DMBINFO, &dmb),
        ],
    );
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let m = SmcRequest::new().parse(msg).unwrap();
    assert_eq!(
        (m.state(), m.mode()),
        (SmcState::Active, SmcMode::FallbackTcp)
    );
    assert_eq!(m.state().name(), "ACTIVE");
    assert_eq!(m.mode().name(), "TCP");
    assert_eq!(m.shutdown(), Shutdown::RECEIVE);
    assert_eq!(m.src(), Some("127.0.0.1".parse::<IpAddr>().unwrap()));
    assert_eq!(m.dst(), Some("127.0.0.2".parse::<IpAddr>().unwrap()));
    assert_eq!(
        (m.src_port(), m.dst_port(), m.interface()),
        (6030, 40000, 1)
    );
    assert_eq!(
        (m.uid(), m.inode(), m.cookie()),
        (1000, 0x1_0000_0005, (1 << 32) | 7)
    );
    assert_eq!(m.shutdown_attr().unwrap(), Some(Shutdown::RECEIVE));
    let f = m.fallback().unwrap().unwrap();
    assert_eq!((f.reason, f.peer_diagnosis), (0x0303_0000, 0));
    let ci = m.conninfo().unwrap().unwrap();
    assert_eq!(
        (ci.token, ci.sndbuf_size, ci.tx_fin.count),
        (0x42, 65536, 99)
    );
    let lg = m.lgrinfo().unwrap().unwrap();
    assert_eq!(
        (lg.role(), lg.ibname(), lg.gid()),
        (1, &b"mlx5_"[..], &b"fe8"[..])
    );
    let d = m.dmbinfo().unwrap().unwrap();
    assert_eq!((d.linkid, d.peer_token), (3, 9));
    let owned = SmcSocket::from(m);
    assert!(owned.errors.is_empty());
    assert_eq!(owned.fallback, Some(f));
    assert!(format!("{m:?}").contains("FallbackTcp"));
}

#[test]
fn addresses_only_where_they_can_be_told() {
    let v6: [u8; 16] = "::1".parse::<std::net::Ipv6Addr>().unwrap().octets();
    let bytes = reply(&fixed([0; 16], v6), &[]);
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let m = SmcMsg::parse(msg).unwrap();
    assert_eq!(m.src(), None, "0.0.0.0 or ::");
    assert_eq!(m.dst(), Some("::1".parse::<IpAddr>().unwrap()));
    assert_eq!(SmcState::from_raw(99), SmcState::Unknown(99));
    assert_eq!(SmcMode::from_raw(9).name(), "UNKNOWN");
}

#[test]
fn short_replies_and_attributes_are_errors() {
    let full = fixed(v4([10, 0, 0, 1]), [0; 16]);
    let bytes = reply(&full[..63], &[]);
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let e = SmcMsg::parse(msg).unwrap_err();
    assert!(matches!(e.kind(), ParseErrorKind::Truncated { .. }), "{e}");
    let bytes = reply(
        &full,
        &[
            attr(rs::SMC_DIAG_CONNINFO, &[0; 75]),
            attr(rs::SMC_DIAG_FALLBACK, &[0; 7]),
            attr(rs::SMC_DIAG_SHUTDOWN, &[2]),
        ],
    );
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let m = SmcMsg::parse(msg).unwrap();
    assert!(m.conninfo().is_err());
    assert!(m.fallback().is_err());
    assert_eq!(m.shutdown_attr().unwrap(), Some(Shutdown::SEND));
    assert_eq!(SmcSocket::from(m).errors.len(), 2);
}

#[test]
fn smc_request_bytes() {
    let r = SmcRequest::new().with_ext(SmcExt::CONNINFO);
    let raw = r.to_raw();
    assert_eq!((raw.diag_family, raw.diag_ext), (AF_SMC, 1));
    assert_eq!(SmcRequest::new().ext().bits(), 1 | 2 | 8);
    let bytes = r.to_bytes(5);
    assert_eq!(bytes.as_bytes().len(), 16 + 52);
    assert_eq!(&bytes.as_bytes()[16..], raw.as_bytes());
}
