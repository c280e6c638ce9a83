//! The TIPC view on hand-built messages (host byte order).

use crate::inet::{States, TcpState};
use crate::netlink::tests::{attr, msg, u32s};
use crate::netlink::Messages;
use crate::parse_error::ParseErrorKind;
use crate::raw::tipc_diag as rt;
use crate::tipc::*;
use crate::{Request, SocketType};

fn sock_nest(extra: &[Vec<u8>]) -> Vec<u8> {
    let con = [
        attr(rt::TIPC_NLA_CON_FLAG, &[]),
        attr(rt::TIPC_NLA_CON_NODE, &u32s(&[0x1001])),
        attr(rt::TIPC_NLA_CON_SOCK, &u32s(&[777])),
        attr(rt::TIPC_NLA_CON_TYPE, &u32s(&[18889])),
        attr(rt::TIPC_NLA_CON_INST, &u32s(&[1])),
    ]
    .concat();
    let stat = [
        attr(rt::TIPC_NLA_SOCK_STAT_RCVQ, &u32s(&[2])),
        attr(rt::TIPC_NLA_SOCK_STAT_SENDQ, &u32s(&[3])),
        attr(rt::TIPC_NLA_SOCK_STAT_DROP, &u32s(&[4])),
        attr(rt::TIPC_NLA_SOCK_STAT_CONN_CONG, &[]),
    ]
    .concat();
    let mut inner = [
        attr(rt::TIPC_NLA_SOCK_ADDR, &u32s(&[0x1001])),
        attr(rt::TIPC_NLA_SOCK_REF, &u32s(&[555])),
        attr(rt::TIPC_NLA_SOCK_CON, &con),
        attr(rt::TIPC_NLA_SOCK_TYPE, &u32s(&[1])),
        attr(rt::TIPC_NLA_SOCK_TIPC_STATE, &u32s(&[1])),
        attr(rt::TIPC_NLA_SOCK_INO, &u32s(&[91])),
        attr(rt::TIPC_NLA_SOCK_UID, &u32s(&[0])),
        attr(
            rt::TIPC_NLA_SOCK_COOKIE,
            &0x0001_2345_6789_u64.to_ne_bytes(),
        ),
        attr(rt::TIPC_NLA_SOCK_STAT, &stat),
    ]
    .concat();
    inner.extend(extra.concat());
    attr(rt::TIPC_NLA_SOCK, &inner)
}

#[test]
fn tipc_message() {
    let bytes = msg(
        20,
        2,
        1,
        1,
        &sock_nest(&[attr(rt::TIPC_NLA_SOCK_HAS_PUBL, &[])]),
    );
    let m = TipcRequest::new()
        .parse(Messages::new(&bytes).next().unwrap().unwrap())
        .unwrap();
    assert_eq!(m.socket_type().unwrap(), Some(SocketType::Stream));
    assert_eq!(m.state().unwrap(), Some(TcpState::Established));
    assert_eq!(
        (m.node().unwrap(), m.port_id().unwrap()),
        (Some(0x1001), Some(555))
    );
    assert_eq!((m.inode().unwrap(), m.uid().unwrap()), (Some(91), Some(0)));
    assert_eq!(m.cookie().unwrap(), Some(0x0001_2345_6789));
    assert!(m.has_publication().unwrap());
    let c = m.connection().unwrap().unwrap();
    assert_eq!(
        (c.node, c.port_id, c.service),
        (0x1001, 777, Some((18889, 1)))
    );
    let st = m.stats().unwrap().unwrap();
    assert_eq!((st.rcvq, st.sendq, st.drops), (2, 3, 4));
    assert!(st.conn_congested && !st.link_congested);
    assert_eq!(m.group().unwrap(), None);
    let owned = TipcSocket::from(m);
    assert!(owned.errors.is_empty());
    assert_eq!(owned.connection, Some(c));
    assert!(format!("{m:?}").contains("port_id"));
}

#[test]
fn damaged_fields_fail_alone() {
    let bytes = msg(
        20,
        2,
        1,
        1,
        &attr(
            rt::TIPC_NLA_SOCK,
            &[
                attr(rt::TIPC_NLA_SOCK_REF, &u32s(&[5])),
                attr(rt::TIPC_NLA_SOCK_INO, &[1, 2]),
            ]
            .concat(),
        ),
    );
    let m = TipcMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
    assert_eq!(m.port_id().unwrap(), Some(5));
    assert!(matches!(
        m.inode().unwrap_err().kind(),
        ParseErrorKind::WrongLength { .. }
    ));
    let owned = TipcSocket::from(m);
    assert_eq!(
        (owned.port_id, owned.inode, owned.errors.len()),
        (Some(5), None, 1)
    );
    // No TIPC_NLA_SOCK at all: the reply is an error.
    let bytes = msg(20, 2, 1, 1, &attr(1, &u32s(&[0])));
    let e = TipcMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap_err();
    assert_eq!(e.kind(), ParseErrorKind::MissingAttribute { kind: 2 });
    // Another message type.
    let bytes = msg(3, 2, 1, 1, &0i32.to_ne_bytes());
    assert!(TipcMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).is_err());
}

#[test]
fn tipc_request_bytes() {
    let r = TipcRequest::new().with_states(States::LISTEN | States::CLOSE);
    let raw = r.to_raw();
    assert_eq!(
        (raw.sdiag_family, raw.tidiag_states.get()),
        (30, (1 << 10) | (1 << 7))
    );
    assert_eq!(r.to_bytes(2).as_bytes().len(), 24);
    assert_eq!(r.states(), States::LISTEN | States::CLOSE);
}
