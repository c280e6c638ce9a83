//! Framing tests on hand-built messages (host byte order, so they hold on
//! big-endian targets too).

use super::*;
use crate::parse_error::{Layer, ParseErrorKind};
use crate::raw::netlink::*;

/// One netlink message with header fields and payload, padded to 4 bytes.
pub(crate) fn msg(kind: u16, flags: u16, seq: u32, pid: u32, payload: &[u8]) -> Vec<u8> {
    let len = 16 + payload.len();
    let mut v = Vec::new();
    v.extend_from_slice(&(len as u32).to_ne_bytes());
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(&flags.to_ne_bytes());
    v.extend_from_slice(&seq.to_ne_bytes());
    v.extend_from_slice(&pid.to_ne_bytes());
    v.extend_from_slice(payload);
    v.resize(nlmsg_align(len), 0);
    v
}

/// One attribute, padded to 4 bytes.
pub(crate) fn attr(kind: u16, payload: &[u8]) -> Vec<u8> {
    let len = 4 + payload.len();
    let mut v = Vec::new();
    v.extend_from_slice(&(len as u16).to_ne_bytes());
    v.extend_from_slice(&kind.to_ne_bytes());
    v.extend_from_slice(payload);
    v.resize(nlmsg_align(len), 0);
    v
}

/// A `SOCK_DIAG_BY_FAMILY` reply: the family's fixed struct, then `attrs`.
pub(crate) fn reply(fixed: &[u8], attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut payload = fixed.to_vec();
    payload.extend(attrs.concat());
    msg(20, 2, 1, 1, &payload)
}

/// Host-order `u32`s as bytes.
pub(crate) fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

fn err_at(layer: Layer, offset: usize, kind: ParseErrorKind) -> ParseError {
    ParseError::new(layer, offset, kind)
}

#[test]
fn align_helpers() {
    assert_eq!(nlmsg_align(0), 0);
    assert_eq!(nlmsg_align(1), 4);
    assert_eq!(nlmsg_align(4), 4);
    assert_eq!(nlmsg_align(21), 24);
    assert_eq!(nlmsg_align(usize::MAX), usize::MAX & !3);
    assert_eq!(rta_length(0), 4);
    assert_eq!(rta_length(5), 9);
    assert_eq!(rta_length(usize::MAX), usize::MAX);
    let h = nlattr {
        nla_len: 9.into(),
        nla_type: 1.into(),
    };
    assert_eq!(rta_payload(&h), 5);
    let h = nlattr {
        nla_len: 2.into(),
        nla_type: 1.into(),
    };
    assert_eq!(rta_payload(&h), 0);
}

#[test]
fn empty_buffer_has_no_messages() {
    assert_eq!(Messages::new(&[]).count(), 0);
}

#[test]
fn header_fields_and_offsets() {
    let mut buf = msg(20, NLM_F_MULTI | NLM_F_DUMP_INTR, 7, 99, &[1, 2, 3, 4, 5]);
    let second_at = buf.len();
    buf.extend(msg(NLMSG_DONE, NLM_F_MULTI, 7, 99, &0i32.to_ne_bytes()));
    let msgs: Vec<_> = Messages::new(&buf).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 2);
    let m = msgs[0];
    assert_eq!(m.kind(), 20);
    assert_eq!(m.flags(), Flags::MULTI | Flags::DUMP_INTR);
    assert_eq!(m.seq(), 7);
    assert_eq!(m.port_id(), 99);
    assert_eq!(m.payload(), &[1, 2, 3, 4, 5]);
    assert_eq!(m.offset(), 0);
    assert_eq!(m.payload_offset(), 16);
    assert!(!m.is_done() && !m.is_error());
    assert!(m.done().is_none() && m.error().is_none());
    assert_eq!(msgs[1].offset(), second_at);
    assert!(msgs[1].is_done());
    assert!(format!("{m:?}").contains("kind: 20"));
}

#[test]
fn unknown_flag_bits_are_kept() {
    let buf = msg(20, 0x8000 | NLM_F_MULTI, 1, 1, &[]);
    let m = Messages::new(&buf).next().unwrap().unwrap();
    assert_eq!(m.flags().bits(), 0x8002);
}

#[test]
fn base_offset_shifts_every_offset() {
    let buf = msg(20, 0, 1, 1, &[0; 4]);
    let m = Messages::with_base(&buf, 1000).next().unwrap().unwrap();
    assert_eq!(m.offset(), 1000);
    assert_eq!(m.payload_offset(), 1016);
    let err = Messages::with_base(&buf[..3], 1000)
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(err.offset(), 1000);
}

#[test]
fn truncated_header() {
    let buf = msg(20, 0, 1, 1, &[]);
    for n in 1..16 {
        let mut it = Messages::new(&buf[..n]);
        assert_eq!(
            it.next().unwrap().unwrap_err(),
            err_at(
                Layer::Message,
                0,
                ParseErrorKind::Truncated {
                    needed: 16,
                    available: n
                }
            )
        );
        assert!(it.next().is_none(), "iterator must stop after an error");
    }
}

#[test]
fn length_below_header() {
    for len in 0u32..16 {
        let mut buf = msg(20, 0, 1, 1, &[0; 8]);
        buf[..4].copy_from_slice(&len.to_ne_bytes());
        let e = Messages::new(&buf).next().unwrap().unwrap_err();
        assert_eq!(
            e.kind(),
            ParseErrorKind::LengthTooSmall {
                length: len as usize,
                minimum: 16
            }
        );
        assert_eq!(e.layer(), Layer::Message);
    }
}

#[test]
fn length_past_end() {
    let mut buf = msg(20, 0, 1, 1, &[0; 8]);
    buf[..4].copy_from_slice(&100u32.to_ne_bytes());
    let e = Messages::new(&buf).next().unwrap().unwrap_err();
    assert_eq!(
        e.kind(),
        ParseErrorKind::LengthPastEnd {
            length: 100,
            available: 24
        }
    );
    buf[..4].copy_from_slice(&u32::MAX.to_ne_bytes());
    assert!(Messages::new(&buf).next().unwrap().is_err());
}

#[test]
fn error_after_good_messages_names_its_offset() {
    let mut buf = msg(20, 0, 1, 1, &[0; 4]);
    buf.extend(msg(20, 0, 1, 1, &[0; 4]));
    let bad_at = buf.len();
    buf.extend_from_slice(&[1, 2, 3]); // stray bytes
    let mut it = Messages::new(&buf);
    assert!(it.next().unwrap().is_ok());
    assert!(it.next().unwrap().is_ok());
    let e = it.next().unwrap().unwrap_err();
    assert_eq!(e.offset(), bad_at);
    assert_eq!(
        e.kind(),
        ParseErrorKind::Truncated {
            needed: 16,
            available: 3
        }
    );
    assert!(it.next().is_none());
    assert!(e.to_string().contains(&format!("at byte {bad_at}")));
}

#[test]
fn last_message_may_omit_padding() {
    let mut buf = msg(20, 0, 1, 1, &[9; 5]);
    buf.truncate(21);
    let msgs: Vec<_> = Messages::new(&buf).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 1);
    assert_eq!(msgs[0].payload(), &[9; 5]);
}

#[test]
fn attributes() {
    let mut buf = attr(1, &[7]);
    buf.extend(attr(2 | NLA_F_NESTED, &attr(3, &5u32.to_ne_bytes())));
    buf.extend(attr(4 | NLA_F_NET_BYTEORDER, &8u64.to_ne_bytes()));
    buf.extend(attr(5, b"bbr\0"));
    buf.extend(attr(6, &[]));
    let attrs: Vec<_> = Attrs::with_base(&buf, 100)
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(attrs.len(), 5);
    assert_eq!(attrs[0].kind(), 1);
    assert_eq!(attrs[0].offset(), 100);
    assert_eq!(attrs[0].payload_offset(), 104);
    assert_eq!(attrs[0].u8().unwrap(), 7);
    assert_eq!(attrs[1].kind(), 2);
    assert!(attrs[1].is_nested());
    let inner: Vec<_> = attrs[1].nested().collect::<Result<_, _>>().unwrap();
    assert_eq!(inner[0].kind(), 3);
    assert_eq!(inner[0].u32().unwrap(), 5);
    assert_eq!(inner[0].offset(), 100 + 8 + 4);
    assert!(attrs[2].is_net_byteorder());
    assert_eq!(attrs[2].kind(), 4);
    assert_eq!(attrs[2].u64().unwrap(), 8);
    assert_eq!(attrs[3].c_str_bytes(), b"bbr");
    assert_eq!(attrs[4].payload(), &[] as &[u8]);
    assert_eq!(attrs[4].c_str_bytes(), &[] as &[u8]);
    let it = Attrs::new(&buf);
    assert_eq!(it.find(5).unwrap().unwrap().payload(), b"bbr\0");
    assert!(it.find(9).unwrap().is_none());
    assert!(format!("{:?}", attrs[0]).contains("kind: 1"));
}

#[test]
fn attribute_fixed_size_getters_check_length() {
    let buf = attr(1, &[1, 2, 3]);
    let a = Attrs::new(&buf).next().unwrap().unwrap();
    for r in [a.u8().err(), a.u16().err(), a.u32().err(), a.u64().err()] {
        let e = r.unwrap();
        assert_eq!(e.layer(), Layer::Attribute);
        assert!(matches!(
            e.kind(),
            ParseErrorKind::WrongLength { length: 3, .. }
        ));
    }
    let buf = attr(1, &0x1234u16.to_ne_bytes());
    assert_eq!(
        Attrs::new(&buf).next().unwrap().unwrap().u16().unwrap(),
        0x1234
    );
    let buf = attr(1, b"no-nul");
    assert_eq!(
        Attrs::new(&buf).next().unwrap().unwrap().c_str_bytes(),
        b"no-nul"
    );
}

#[test]
fn attribute_length_errors() {
    for len in 0u16..4 {
        let mut buf = attr(1, &[0; 4]);
        buf[..2].copy_from_slice(&len.to_ne_bytes());
        let e = Attrs::with_base(&buf, 40).next().unwrap().unwrap_err();
        assert_eq!(
            e,
            err_at(
                Layer::Attribute,
                40,
                ParseErrorKind::LengthTooSmall {
                    length: len as usize,
                    minimum: 4
                }
            )
        );
    }
    let mut buf = attr(1, &[0; 4]);
    buf[..2].copy_from_slice(&9u16.to_ne_bytes());
    assert_eq!(
        Attrs::new(&buf).next().unwrap().unwrap_err().kind(),
        ParseErrorKind::LengthPastEnd {
            length: 9,
            available: 8
        }
    );
    // A good attribute, then 1..3 stray bytes.
    for extra in 1..4 {
        let mut buf = attr(1, &[0; 4]);
        buf.extend(std::iter::repeat_n(0, extra));
        let mut it = Attrs::new(&buf);
        assert!(it.next().unwrap().is_ok());
        assert_eq!(
            it.next().unwrap().unwrap_err(),
            err_at(
                Layer::Attribute,
                8,
                ParseErrorKind::Truncated {
                    needed: 4,
                    available: extra
                }
            )
        );
        assert!(it.next().is_none());
    }
}

fn error_payload(errno: i32, request: &[u8], echo: bool) -> Vec<u8> {
    let mut p = errno.to_ne_bytes().to_vec();
    p.extend_from_slice(&request[..16]);
    if echo {
        p.extend_from_slice(&request[16..]);
    }
    p
}

#[test]
fn nlmsg_error_with_echoed_request() {
    let request = msg(20, NLM_F_REQUEST | NLM_F_DUMP, 5, 0, &[200, 6, 0, 0]);
    let buf = msg(NLMSG_ERROR, 0, 5, 42, &error_payload(-22, &request, true));
    let m = Messages::new(&buf).next().unwrap().unwrap();
    let e = m.error().unwrap().unwrap();
    assert_eq!(e.errno(), Some(22));
    assert_eq!(e.request().nlmsg_type.get(), 20);
    assert_eq!(e.request().nlmsg_seq.get(), 5);
    assert_eq!(e.request_payload(), Some(&[200u8, 6, 0, 0][..]));
    assert_eq!(e.ext_ack(), ExtAck::default());
    assert_eq!(e.raw().error.get(), -22);
    let k = e.to_kernel_error().unwrap();
    assert_eq!(k.errno(), 22);
    assert_eq!(k.origin(), crate::ErrorOrigin::Request);
    assert_eq!(k.to_io_error().raw_os_error(), Some(22));
    assert!(k.to_string().contains("rejected the request"));
}

#[test]
fn nlmsg_error_ack_and_capped() {
    let request = msg(20, NLM_F_REQUEST, 5, 0, &[1, 2, 3, 4]);
    let ack = msg(
        NLMSG_ERROR,
        NLM_F_CAPPED,
        5,
        42,
        &error_payload(0, &request, false),
    );
    let e = ErrorMsg::parse(Messages::new(&ack).next().unwrap().unwrap()).unwrap();
    assert_eq!(e.errno(), None);
    assert!(e.to_kernel_error().is_none());
    assert_eq!(e.request_payload(), None);
    let capped = msg(
        NLMSG_ERROR,
        NLM_F_CAPPED,
        5,
        42,
        &error_payload(-1, &request, false),
    );
    let e = ErrorMsg::parse(Messages::new(&capped).next().unwrap().unwrap()).unwrap();
    assert_eq!(e.errno(), Some(1));
    assert_eq!(e.request_payload(), None);
}

#[test]
fn nlmsg_error_with_extended_ack() {
    let request = msg(20, NLM_F_REQUEST, 5, 0, &[1, 2, 3]);
    let mut payload = error_payload(-22, &request, true);
    payload.resize(nlmsg_align(payload.len()), 0);
    payload.extend(attr(NLMSGERR_ATTR_MSG, b"bad thing\0"));
    payload.extend(attr(NLMSGERR_ATTR_OFFS, &18u32.to_ne_bytes()));
    payload.extend(attr(NLMSGERR_ATTR_COOKIE, &[1, 2]));
    payload.extend(attr(NLMSGERR_ATTR_POLICY, &[3]));
    payload.extend(attr(NLMSGERR_ATTR_MISS_TYPE, &3u32.to_ne_bytes()));
    payload.extend(attr(NLMSGERR_ATTR_MISS_NEST, &4u32.to_ne_bytes()));
    payload.extend(attr(99, &[0]));
    let buf = msg(NLMSG_ERROR, NLM_F_ACK_TLVS, 5, 42, &payload);
    let e = ErrorMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap();
    let ack = e.ext_ack();
    assert_eq!(ack.message(), Some(&b"bad thing"[..]));
    assert_eq!(ack.offset(), Some(18));
    assert_eq!(ack.cookie(), Some(&[1u8, 2][..]));
    assert_eq!(ack.policy(), Some(&[3u8][..]));
    assert_eq!(ack.missing_type(), Some(3));
    assert_eq!(ack.missing_nest(), Some(4));
    let k = e.to_kernel_error().unwrap();
    assert_eq!(k.message(), Some("bad thing"));
    assert_eq!(k.offset(), Some(18));
    assert!(k.to_string().contains("bad thing"));
}

#[test]
fn nlmsg_error_malformed() {
    let request = msg(20, NLM_F_REQUEST, 5, 0, &[0; 8]);
    // Shorter than struct nlmsgerr.
    for n in 0..20 {
        let full = error_payload(-22, &request, true);
        let buf = msg(NLMSG_ERROR, 0, 5, 42, &full[..n]);
        let e = ErrorMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap_err();
        assert_eq!(e.layer(), Layer::ErrorMessage);
        assert_eq!(e.offset(), 16);
        assert_eq!(
            e.kind(),
            ParseErrorKind::Truncated {
                needed: 20,
                available: n
            }
        );
    }
    // Echo announced longer than what follows.
    let buf = msg(NLMSG_ERROR, 0, 5, 42, &error_payload(-22, &request, false));
    let e = ErrorMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap_err();
    assert_eq!(e.offset(), 36);
    assert!(matches!(
        e.kind(),
        ParseErrorKind::LengthPastEnd {
            length: 8,
            available: 0
        }
    ));
    // Broken extended-ack attributes.
    let mut payload = error_payload(-22, &request, true);
    payload.extend_from_slice(&[2, 0]);
    let buf = msg(NLMSG_ERROR, NLM_F_ACK_TLVS, 5, 42, &payload);
    let e = ErrorMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap_err();
    assert_eq!(e.layer(), Layer::ExtAck);
    // OFFS of the wrong size.
    let mut payload = error_payload(-22, &request, true);
    payload.extend(attr(NLMSGERR_ATTR_OFFS, &[1, 2]));
    let buf = msg(NLMSG_ERROR, NLM_F_ACK_TLVS, 5, 42, &payload);
    let e = ErrorMsg::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap_err();
    assert!(matches!(
        e.kind(),
        ParseErrorKind::WrongLength {
            length: 2,
            expected: 4
        }
    ));
    // Wrong type.
    let buf = msg(NLMSG_DONE, 0, 5, 42, &[0; 4]);
    let m = Messages::new(&buf).next().unwrap().unwrap();
    assert_eq!(
        ErrorMsg::parse(m).unwrap_err().kind(),
        ParseErrorKind::UnexpectedType { found: NLMSG_DONE }
    );
    assert_eq!(
        Done::parse(Messages::new(&buf[..]).next().unwrap().unwrap())
            .unwrap()
            .errno(),
        None
    );
}

#[test]
fn nlmsg_done_errno() {
    let buf = msg(NLMSG_DONE, NLM_F_MULTI, 3, 42, &(-2i32).to_ne_bytes());
    let d = Messages::new(&buf)
        .next()
        .unwrap()
        .unwrap()
        .done()
        .unwrap()
        .unwrap();
    assert_eq!(d.errno(), Some(2));
    let k = d.to_kernel_error().unwrap();
    assert_eq!(k.origin(), crate::ErrorOrigin::Dump);
    assert_eq!(k.errno(), 2);
    // Empty payload: success.
    let buf = msg(NLMSG_DONE, NLM_F_MULTI, 3, 42, &[]);
    let d = Done::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap();
    assert_eq!(d.errno(), None);
    assert!(d.to_kernel_error().is_none());
    // 1..3 bytes: truncated.
    for n in 1..4 {
        let buf = msg(NLMSG_DONE, NLM_F_MULTI, 3, 42, &[0xff; 3][..n]);
        let e = Done::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap_err();
        assert_eq!(e.layer(), Layer::Done);
        assert_eq!(
            e.kind(),
            ParseErrorKind::Truncated {
                needed: 4,
                available: n
            }
        );
    }
    // A positive value is reported as is; i32::MIN does not overflow.
    let buf = msg(NLMSG_DONE, 0, 3, 42, &5i32.to_ne_bytes());
    assert_eq!(
        Done::parse(Messages::new(&buf).next().unwrap().unwrap())
            .unwrap()
            .errno(),
        Some(5)
    );
    let buf = msg(NLMSG_DONE, 0, 3, 42, &i32::MIN.to_ne_bytes());
    assert_eq!(
        Done::parse(Messages::new(&buf).next().unwrap().unwrap())
            .unwrap()
            .errno(),
        Some(i32::MAX)
    );
}

#[test]
fn nlmsg_done_with_extended_ack() {
    let mut payload = (-95i32).to_ne_bytes().to_vec();
    payload.extend(attr(NLMSGERR_ATTR_MSG, b"no\0"));
    let buf = msg(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 3, 42, &payload);
    let d = Done::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap();
    assert_eq!(d.errno(), Some(95));
    assert_eq!(d.ext_ack().message(), Some(&b"no"[..]));
    assert_eq!(d.to_kernel_error().unwrap().message(), Some("no"));
    // Without NLM_F_ACK_TLVS trailing bytes are not read as attributes.
    let buf = msg(NLMSG_DONE, NLM_F_MULTI, 3, 42, &payload);
    let d = Done::parse(Messages::new(&buf).next().unwrap().unwrap()).unwrap();
    assert_eq!(d.ext_ack(), ExtAck::default());
}

#[test]
fn raw_overlays_match_kernel_layout() {
    use zerocopy::IntoBytes;
    let h = nlmsghdr {
        nlmsg_len: 0x0102_0304.into(),
        nlmsg_type: 0x0506.into(),
        nlmsg_flags: 0x0708.into(),
        nlmsg_seq: 0x090a_0b0c.into(),
        nlmsg_pid: 0x0d0e_0f10.into(),
    };
    let mut want = Vec::new();
    want.extend_from_slice(&0x0102_0304u32.to_ne_bytes());
    want.extend_from_slice(&0x0506u16.to_ne_bytes());
    want.extend_from_slice(&0x0708u16.to_ne_bytes());
    want.extend_from_slice(&0x090a_0b0cu32.to_ne_bytes());
    want.extend_from_slice(&0x0d0e_0f10u32.to_ne_bytes());
    assert_eq!(h.as_bytes(), &want[..]);
}
