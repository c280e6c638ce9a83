//! The vsock view on hand-built messages (host byte order).

use zerocopy::IntoBytes;

use crate::inet::{States, TcpState};
use crate::netlink::tests::reply;
use crate::netlink::Messages;
use crate::parse_error::ParseErrorKind;
use crate::raw::vsock_diag::vsock_diag_msg;
use crate::raw::AF_VSOCK;
use crate::vsock::*;
use crate::{Request, Shutdown, SocketType};

fn fixed() -> vsock_diag_msg {
    vsock_diag_msg {
        vdiag_family: AF_VSOCK,
        vdiag_type: 1,
        vdiag_state: 1,
        vdiag_shutdown: 2,
        vdiag_src_cid: 1.into(),
        vdiag_src_port: 1234.into(),
        vdiag_dst_cid: 1.into(),
        vdiag_dst_port: 0x4000_0000.into(),
        vdiag_ino: 77.into(),
        vdiag_cookie: [5.into(), 1.into()],
    }
}

#[test]
fn vsock_message() {
    let bytes = reply(fixed().as_bytes(), &[]);
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let m = VsockRequest::new().parse(msg).unwrap();
    assert_eq!(m.socket_type(), SocketType::Stream);
    assert_eq!(m.state(), TcpState::Established);
    assert_eq!(m.shutdown(), Shutdown::SEND);
    assert_eq!(m.src(), VsockAddr { cid: 1, port: 1234 });
    assert_eq!(m.dst().port, 0x4000_0000);
    assert_eq!((m.inode(), m.cookie()), (77, (1 << 32) | 5));
    assert_eq!(m.attrs().count(), 0);
    let owned = VsockSocket::from(m);
    assert_eq!(owned.src.to_string(), "1:1234");
    assert_eq!(owned.inode, 77);
    assert!(format!("{m:?}").contains("inode: 77"));
}

#[test]
fn unbound_ends_print_as_stars() {
    let any = VsockAddr {
        cid: u32::MAX,
        port: u32::MAX,
    };
    assert!(any.is_any_cid() && any.is_any_port());
    assert_eq!(any.to_string(), "*:*");
    assert_eq!(
        VsockAddr {
            cid: 2,
            port: u32::MAX
        }
        .to_string(),
        "2:*"
    );
}

#[test]
fn short_and_foreign_replies_are_errors() {
    let bytes = reply(&fixed().as_bytes()[..31], &[]);
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    let e = VsockMsg::parse(msg).unwrap_err();
    assert!(matches!(e.kind(), ParseErrorKind::Truncated { .. }), "{e}");
    let mut other = fixed();
    other.vdiag_family = 1;
    let bytes = reply(other.as_bytes(), &[]);
    let msg = Messages::new(&bytes).next().unwrap().unwrap();
    assert!(VsockMsg::parse(msg).is_err());
}

#[test]
fn vsock_request_bytes() {
    let r = VsockRequest::new().with_states(States::LISTEN);
    let raw = r.to_raw();
    assert_eq!(raw.sdiag_family, AF_VSOCK);
    assert_eq!(raw.vdiag_states.get(), 1 << 10);
    let bytes = r.to_bytes(9);
    assert_eq!(bytes.as_bytes().len(), 40);
    assert_eq!(&bytes.as_bytes()[16..], raw.as_bytes());
    assert_eq!(r.states(), States::LISTEN);
}
