//! The unix views on hand-built messages (host byte order, so they hold on
//! big-endian targets too).

use std::path::Path;

use zerocopy::IntoBytes;

use crate::netlink::tests::{attr, msg, reply, u32s};
use crate::netlink::Messages;
use crate::parse_error::{Layer, ParseErrorKind};
use crate::raw::unix_diag::{self as ru, unix_diag_msg};
use crate::raw::{AF_INET, AF_UNIX};
use crate::unix::*;
use crate::{Shutdown, SocketType};

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
    // As ss prints them: `@` for the leading and every inner NUL.
    let mut buf = [0u8; UNIX_NAME_MAX];
    assert_eq!(abs.ss_bytes(&mut buf), b"@a@b");
    let long = UnixName::Abstract(&[b'x'; 200]);
    assert_eq!(long.ss_bytes(&mut buf).len(), UNIX_NAME_MAX);
    assert_eq!(
        UnixName::from_sun_path(b"/run/x\0junk").ss_bytes(&mut buf),
        b"/run/x"
    );
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
            SocketType::Stream,
            crate::inet::TcpState::Listen,
            77,
            2 << 32 | 1
        )
    );
    assert_eq!(m.raw().udiag_type, 1);
    assert!(format!("{m:?}").contains("srv"));
    // The shortcuts read what the owned form collects.
    assert_eq!(
        m.name().unwrap().map(|n| n.to_owned()),
        Some(UnixAddr::Abstract(b"srv".to_vec()))
    );
    assert_eq!(
        (m.peer(), m.uid(), m.shutdown()),
        (Ok(Some(5)), Ok(Some(1000)), Ok(Some(Shutdown::RECEIVE)))
    );
    assert_eq!(
        m.rqlen().unwrap().map(|q| (q.rqueue, q.wqueue)),
        Some((2, 128))
    );
    assert_eq!(m.icons().unwrap().map(|i| i.iter().count()), Some(2));
    let s = UnixSocket::from(m);
    assert_eq!(s.name, Some(UnixAddr::Abstract(b"srv".to_vec())));
    let vfs = s.vfs.unwrap();
    assert_eq!((vfs.inode, vfs.major(), vfs.minor()), (99, 254, 3));
    assert_eq!((s.peer, s.icons.clone()), (Some(5), Some(vec![11, 12])));
    assert_eq!(s.rqlen.map(|q| (q.rqueue, q.wqueue)), Some((2, 128)));
    assert_eq!(s.skmeminfo.as_ref().and_then(|m| m.drops()), Some(9));
    assert_eq!((s.shutdown, s.uid), (Some(Shutdown::RECEIVE), Some(1000)));
    assert_eq!(s.other, vec![(42, vec![1].into_boxed_slice())]);
    assert!(s.errors.is_empty());
    assert_eq!(SocketType::from_raw(9), SocketType::Unknown(9));
    for t in [
        SocketType::Stream,
        SocketType::Dgram,
        SocketType::SeqPacket,
        SocketType::Unknown(9),
    ] {
        assert_eq!(SocketType::from_raw(t.to_raw()), t);
        assert!(t.unix_netid().starts_with("u_"));
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
