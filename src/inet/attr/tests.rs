//! Typed attribute and growing-struct tests on hand-built messages (host
//! byte order and host bitfield ABI, so they hold on big-endian targets).
#![allow(clippy::unnecessary_cast)]

use core::mem::offset_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use zerocopy::IntoBytes;

use super::*;
use crate::inet::info::tests::{pattern, set_bits};
use crate::inet::*;
use crate::netlink::tests::{attr, msg};
use crate::netlink::Messages;
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::inet_diag::*;
use crate::raw::mptcp as rm;
use crate::raw::sctp::sctp_info;
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::tls as rt;
use crate::{Shutdown, SkMemInfo};

fn base_msg(family: u8) -> inet_diag_msg {
    inet_diag_msg {
        idiag_family: family,
        idiag_state: 1,
        id: inet_diag_sockid {
            idiag_sport: 9.into(),
            idiag_dport: 10.into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A reply message: `inet_diag_msg` then `attrs`.
fn reply(kind: u16, family: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut payload = base_msg(family).as_bytes().to_vec();
    for a in attrs {
        payload.extend_from_slice(a);
    }
    msg(kind, 2, 1, 1, &payload)
}

fn decode(bytes: &[u8], protocol: Option<Protocol>) -> Vec<Result<InetAttr<'_>, ParseError>> {
    let m = Messages::new(bytes).next().unwrap().unwrap();
    let v = match protocol {
        Some(p) => InetMsg::parse_as(m, p),
        None => InetMsg::parse(m),
    }
    .unwrap();
    v.attributes().collect()
}

fn sockaddr_in(ip: [u8; 4], port: u16) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b[..2].copy_from_slice(&u16::from(AF_INET).to_ne_bytes());
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[4..8].copy_from_slice(&ip);
    b
}

fn sockaddr_in6(ip: Ipv6Addr, port: u16, scope: u32) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b[..2].copy_from_slice(&u16::from(AF_INET6).to_ne_bytes());
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[8..24].copy_from_slice(&ip.octets());
    b[24..28].copy_from_slice(&scope.to_ne_bytes());
    b
}

use crate::raw::{AF_INET, AF_INET6};

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

#[test]
fn every_attribute_type_decodes() {
    let md5 = |fam: u8, addr: [u8; 16], prefix: u8, key: &[u8]| {
        let mut b = vec![fam, prefix];
        b.extend_from_slice(&(key.len() as u16).to_ne_bytes());
        b.extend_from_slice(&addr);
        let mut k = [0u8; 80];
        k[..key.len()].copy_from_slice(key);
        b.extend_from_slice(&k);
        b
    };
    let v6 = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 7);
    let mut md5s = md5(
        AF_INET,
        [10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        24,
        b"abc",
    );
    md5s.extend(md5(AF_INET6, v6.octets(), 128, b"longer key"));
    let tls = [
        attr(rt::TLS_INFO_VERSION, &0x0304u16.to_ne_bytes()),
        attr(rt::TLS_INFO_CIPHER, &52u16.to_ne_bytes()),
        attr(rt::TLS_INFO_TXCONF, &rt::TLS_CONF_SW.to_ne_bytes()),
        attr(rt::TLS_INFO_RXCONF, &rt::TLS_CONF_HW.to_ne_bytes()),
        attr(rt::TLS_INFO_ZC_RO_TX, &[]),
        attr(rt::TLS_INFO_RX_NO_PAD, &[]),
        attr(99, &[1]),
    ]
    .concat();
    let sockopt_bytes = [
        set_bits(set_bits(0, 1, 1, 1), 5, 1, 1), // is_icsk, transparent
        set_bits(0, 2, 1, 1),                    // defer_connect
    ];
    let bytes = reply(
        20,
        AF_INET,
        &[
            attr(INET_DIAG_MEMINFO, &u32s(&[1, 2, 3, 4])),
            attr(INET_DIAG_INFO, &[0u8; 104]),
            attr(INET_DIAG_VEGASINFO, &u32s(&[1, 5, 6, 7])),
            attr(INET_DIAG_CONG, b"dctcp\0"),
            attr(INET_DIAG_TOS, &[0x10]),
            attr(INET_DIAG_TCLASS, &[0x20]),
            attr(INET_DIAG_SKMEMINFO, &u32s(&[1, 2, 3, 4, 5, 6, 7, 8, 9])),
            attr(INET_DIAG_SHUTDOWN, &[3]),
            attr(
                INET_DIAG_DCTCPINFO,
                &[1u16.to_ne_bytes(), 2u16.to_ne_bytes()]
                    .concat()
                    .into_iter()
                    .chain(u32s(&[3, 4, 5]))
                    .collect::<Vec<_>>(),
            ),
            attr(INET_DIAG_PROTOCOL, &[17]),
            attr(INET_DIAG_SKV6ONLY, &[1]),
            attr(
                INET_DIAG_LOCALS,
                &[sockaddr_in([10, 0, 0, 1], 80), sockaddr_in6(v6, 443, 2)].concat(),
            ),
            attr(INET_DIAG_PEERS, &sockaddr_in([10, 0, 0, 2], 8080)),
            attr(INET_DIAG_PAD, &[]),
            attr(INET_DIAG_MARK, &0xabcdu32.to_ne_bytes()),
            attr(
                INET_DIAG_BBRINFO,
                &u32s(&[0x89ab_cdef, 0x0123_4567, 11, 739, 512]),
            ),
            attr(INET_DIAG_CLASS_ID, &0x10002u32.to_ne_bytes()),
            attr(INET_DIAG_MD5SIG, &md5s),
            attr(
                INET_DIAG_ULP_INFO,
                &[
                    attr(INET_ULP_INFO_NAME, b"tls\0"),
                    attr(INET_ULP_INFO_TLS, &tls),
                ]
                .concat(),
            ),
            attr(INET_DIAG_SK_BPF_STORAGES, &attr(1, &[5; 4])),
            attr(INET_DIAG_CGROUP_ID, &0x1234_5678_9abcu64.to_ne_bytes()),
            attr(INET_DIAG_SOCKOPT, &sockopt_bytes),
            attr(99, &[1, 2, 3]),
        ],
    );
    let got: Vec<InetAttr<'_>> = decode(&bytes, Some(Protocol::Tcp))
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got.len(), 22, "every attribute but PAD");
    let mut it = got.into_iter();
    let mut next = || it.next().unwrap();
    assert!(matches!(
        next(),
        InetAttr::MemInfo(MemInfo {
            rmem: 1,
            wmem: 2,
            fmem: 3,
            tmem: 4
        })
    ));
    assert!(matches!(next(), InetAttr::TcpInfo(i) if i.len() == 104));
    assert!(matches!(
        next(),
        InetAttr::Vegas(VegasInfo {
            enabled: 1,
            rtt_count: 5,
            rtt_us: 6,
            min_rtt_us: 7
        })
    ));
    assert!(matches!(next(), InetAttr::Cong("dctcp")));
    assert!(matches!(next(), InetAttr::Tos(0x10)));
    assert!(matches!(next(), InetAttr::TClass(0x20)));
    match next() {
        InetAttr::SkMemInfo(m) => {
            assert_eq!(m.len(), 9);
            let all = [
                m.rmem_alloc(),
                m.rcvbuf(),
                m.wmem_alloc(),
                m.sndbuf(),
                m.fwd_alloc(),
                m.wmem_queued(),
                m.optmem(),
                m.backlog(),
                m.drops(),
            ];
            assert_eq!(all, [1, 2, 3, 4, 5, 6, 7, 8, 9].map(Some));
            assert_eq!(m.get(9), None);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(), InetAttr::Shutdown(s) if s == Shutdown::RECEIVE | Shutdown::SEND));
    assert!(matches!(
        next(),
        InetAttr::Dctcp(DctcpInfo {
            enabled: 1,
            ce_state: 2,
            alpha: 3,
            ab_ecn: 4,
            ab_tot: 5
        })
    ));
    assert!(matches!(next(), InetAttr::Protocol(17)));
    assert!(matches!(next(), InetAttr::V6Only(true)));
    match next() {
        InetAttr::Locals(a) => {
            let v: Vec<_> = a.iter().collect::<Result<_, _>>().unwrap();
            assert_eq!(v[0], "10.0.0.1:80".parse::<SocketAddr>().unwrap());
            assert_eq!(
                v[1],
                SocketAddr::V6(std::net::SocketAddrV6::new(v6, 443, 0, 2))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(), InetAttr::Peers(a) if a.len() == 1));
    assert!(matches!(next(), InetAttr::Mark(0xabcd)));
    assert!(matches!(
        next(),
        InetAttr::Bbr(BbrInfo {
            bandwidth: 0x0123_4567_89ab_cdef,
            min_rtt_us: 11,
            pacing_gain: 739,
            cwnd_gain: 512
        })
    ));
    assert!(matches!(next(), InetAttr::ClassId(0x10002)));
    match next() {
        InetAttr::Md5Sig(k) => {
            let keys: Vec<Md5Key> = k.iter().collect::<Result<_, _>>().unwrap();
            assert_eq!(keys.len(), 2);
            assert_eq!(
                (keys[0].addr, keys[0].prefix_len, keys[0].key()),
                (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 24, &b"abc"[..])
            );
            assert_eq!(
                (keys[1].addr, keys[1].key()),
                (IpAddr::V6(v6), &b"longer key"[..])
            );
            assert!(
                !format!("{:?}", keys[0]).contains("abc"),
                "keys are not printed"
            );
        }
        other => panic!("{other:?}"),
    }
    match next() {
        InetAttr::UlpInfo(u) => {
            assert_eq!(u.name(), "tls");
            let t = u.tls().unwrap();
            assert_eq!(
                (t.version, t.cipher, t.tx_conf, t.rx_conf),
                (Some(0x0304), Some(52), Some(2), Some(3))
            );
            assert!(t.zerocopy_sendfile && t.rx_no_pad);
            assert!(u.mptcp().is_none());
            assert_eq!(u.attrs().count(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(), InetAttr::BpfStorages(a) if a.nested().count() == 1));
    assert!(matches!(next(), InetAttr::CgroupId(0x1234_5678_9abc)));
    assert!(
        matches!(next(), InetAttr::SockOpt(s) if s == SockOpt::IS_ICSK | SockOpt::TRANSPARENT | SockOpt::DEFER_CONNECT)
    );
    assert!(matches!(next(), InetAttr::Other(a) if a.kind() == 99 && a.payload() == [1, 2, 3]));

    // The same, owned.
    let m = InetMsg::parse_as(
        Messages::new(&bytes).next().unwrap().unwrap(),
        Protocol::Tcp,
    )
    .unwrap();
    let s = InetSocket::from(m);
    let a = &s;
    assert!(a.errors.is_empty());
    assert_eq!(s.protocol, Some(Protocol::Tcp));
    assert_eq!(a.meminfo.unwrap().tmem, 4);
    assert_eq!(a.tcp_info.as_ref().unwrap().len(), 104);
    assert_eq!(a.cong.as_deref(), Some("dctcp"));
    assert_eq!(
        (a.tos, a.tclass, a.ip_protocol, a.v6only),
        (Some(0x10), Some(0x20), Some(17), Some(true))
    );
    assert_eq!(a.skmeminfo.as_ref().unwrap().drops(), Some(9));
    assert_eq!(a.locals.as_ref().unwrap().len(), 2);
    assert_eq!(a.peers.as_ref().unwrap()[0].port(), 8080);
    assert_eq!(
        (a.mark, a.class_id, a.cgroup_id),
        (Some(0xabcd), Some(0x10002), Some(0x1234_5678_9abc))
    );
    assert_eq!(a.bbr.unwrap().bandwidth, 0x0123_4567_89ab_cdef);
    assert_eq!(a.md5sig.as_ref().unwrap().len(), 2);
    assert_eq!(a.ulp.as_ref().unwrap().name(), "tls");
    assert_eq!(a.bpf_storages.as_deref().map(<[u8]>::len), Some(8));
    assert_eq!(a.other, vec![(99, vec![1, 2, 3].into_boxed_slice())]);
    assert!(a.vegas.is_some() && a.dctcp.is_some() && a.sockopt.is_some() && a.shutdown.is_some());
}

#[test]
fn mptcp_ulp_subflow_attributes() {
    let sub = [
        attr(rm::MPTCP_SUBFLOW_ATTR_TOKEN_REM, &1u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_TOKEN_LOC, &2u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ, &3u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_MAP_SEQ, &4u64.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_MAP_SFSEQ, &5u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_SSN_OFFSET, &6u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_MAP_DATALEN, &7u16.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_FLAGS, &8u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_ID_REM, &[9]),
        attr(rm::MPTCP_SUBFLOW_ATTR_ID_LOC, &[10]),
        attr(rm::MPTCP_SUBFLOW_ATTR_PAD, &[]),
    ]
    .concat();
    let ulp = [
        attr(INET_ULP_INFO_NAME, b"mptcp\0"),
        attr(INET_ULP_INFO_MPTCP, &sub),
    ]
    .concat();
    let u = UlpInfo::new(&ulp[..], 0).unwrap();
    assert_eq!(u.name(), "mptcp");
    let m = u.mptcp().unwrap();
    assert_eq!(
        (
            m.token_rem,
            m.token_loc,
            m.rel_write_seq,
            m.map_seq,
            m.map_sfseq
        ),
        (Some(1), Some(2), Some(3), Some(4), Some(5))
    );
    assert_eq!(
        (m.ssn_offset, m.map_data_len, m.flags, m.id_rem, m.id_loc),
        (Some(6), Some(7), Some(8), Some(9), Some(10))
    );
    let owned = u.into_owned();
    assert_eq!(owned.mptcp(), u.mptcp());
    assert!(format!("{owned:?}").contains("mptcp"));
    // A name longer than TCP_ULP_NAME_MAX is an error, not a cut name.
    let long = attr(INET_ULP_INFO_NAME, b"a-very-long-ulp-name\0");
    assert!(UlpInfo::new(&long[..], 0).is_err());
}

#[test]
fn a_bad_attribute_is_an_error_for_itself_only() {
    let bytes = reply(
        20,
        AF_INET,
        &[
            attr(INET_DIAG_MARK, &[1, 2]),
            attr(INET_DIAG_MEMINFO, &[0; 8]),
            attr(INET_DIAG_SKMEMINFO, &[0; 10]),
            attr(INET_DIAG_LOCALS, &[0; 100]),
            attr(INET_DIAG_CONG, &[0xff, 0xfe, 0]),
            attr(INET_DIAG_MD5SIG, &[0; 150]),
            attr(INET_DIAG_ULP_INFO, &[9, 0]),
            attr(INET_DIAG_SOCKOPT, &[1]),
            attr(INET_DIAG_LOCALS, &[0; 128]),
            attr(INET_DIAG_BBRINFO, &[0; 19]),
            attr(INET_DIAG_CGROUP_ID, &[0; 4]),
            attr(INET_DIAG_MARK, &7u32.to_ne_bytes()),
        ],
    );
    let got = decode(&bytes, Some(Protocol::Tcp));
    assert_eq!(got.len(), 12);
    let kind = |i: usize| got[i].as_ref().unwrap_err().kind();
    assert_eq!(
        kind(0),
        ParseErrorKind::WrongLength {
            length: 2,
            expected: 4
        }
    );
    assert_eq!(
        kind(1),
        ParseErrorKind::Truncated {
            needed: 16,
            available: 8
        }
    );
    assert_eq!(
        kind(2),
        ParseErrorKind::BadArrayLength {
            length: 10,
            element: 4
        }
    );
    assert_eq!(
        kind(3),
        ParseErrorKind::BadArrayLength {
            length: 100,
            element: 128
        }
    );
    assert_eq!(kind(4), ParseErrorKind::InvalidUtf8);
    assert_eq!(
        kind(5),
        ParseErrorKind::BadArrayLength {
            length: 150,
            element: 100
        }
    );
    assert!(matches!(kind(6), ParseErrorKind::Truncated { .. }));
    assert_eq!(
        kind(7),
        ParseErrorKind::Truncated {
            needed: 2,
            available: 1
        }
    );
    // A LOCALS entry of an unknown family: the attribute parses, the entry does not.
    match &got[8] {
        Ok(InetAttr::Locals(a)) => {
            let e = a.iter().next().unwrap().unwrap_err();
            assert_eq!(e.kind(), ParseErrorKind::UnknownFamily { found: 0 });
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        kind(9),
        ParseErrorKind::Truncated {
            needed: 20,
            available: 19
        }
    ));
    assert_eq!(
        kind(10),
        ParseErrorKind::WrongLength {
            length: 4,
            expected: 8
        }
    );
    assert!(
        matches!(got[11], Ok(InetAttr::Mark(7))),
        "the attribute after the bad ones"
    );
    // Offsets name the attribute: the first one follows the 72-byte header.
    let e = got[0].as_ref().unwrap_err();
    assert_eq!((e.layer(), e.offset()), (Layer::Attribute, 16 + 72));
    // The owned form keeps the good attributes and lists the errors.
    let m = InetMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
    let s = InetSocket::from(m);
    assert_eq!(s.mark, Some(7));
    assert_eq!(
        s.errors.len(),
        11,
        "10 bad attributes and one bad LOCALS entry"
    );
}

#[test]
fn a_broken_attribute_frame_ends_the_iteration() {
    let mut bytes = reply(20, AF_INET, &[attr(INET_DIAG_MARK, &1u32.to_ne_bytes())]);
    bytes.extend_from_slice(&255u16.to_ne_bytes()); // nla_len 255, past the end
    bytes.extend_from_slice(&5u16.to_ne_bytes());
    let len = bytes.len() as u32;
    bytes[..4].copy_from_slice(&len.to_ne_bytes());
    let got = decode(&bytes, None);
    assert_eq!(got.len(), 2);
    assert!(matches!(got[0], Ok(InetAttr::Mark(1))));
    assert!(matches!(
        got[1].as_ref().unwrap_err().kind(),
        ParseErrorKind::LengthPastEnd { length: 255, .. }
    ));
}

#[test]
fn info_is_decoded_by_protocol() {
    let info = pattern(368).to_vec();
    let bytes = reply(20, AF_INET, &[attr(INET_DIAG_INFO, &info)]);
    let one = |p| decode(&bytes, p).pop().unwrap().unwrap();
    assert!(
        matches!(one(Some(Protocol::Tcp)), InetAttr::TcpInfo(i) if i.len() == 368 && i.extra().len() == 88)
    );
    assert!(matches!(one(Some(Protocol::Dccp)), InetAttr::TcpInfo(_)));
    assert!(matches!(one(Some(Protocol::Sctp)), InetAttr::SctpInfo(i) if i.extra().is_empty()));
    assert!(matches!(one(Some(Protocol::Mptcp)), InetAttr::MptcpInfo(_)));
    assert!(matches!(one(Some(Protocol::Udp)), InetAttr::Info(b) if b.len() == 368));
    assert!(
        matches!(one(None), InetAttr::Info(_)),
        "SOCK_DIAG_BY_FAMILY alone does not say"
    );
}

#[test]
fn sctp_message_with_addresses() {
    let mut info = vec![0u8; 368];
    let tag = offset_of!(sctp_info, sctpi_tag);
    info[tag..tag + 4].copy_from_slice(&0xdead_beefu32.to_ne_bytes());
    let opk = offset_of!(sctp_info, sctpi_opackets);
    info[opk..opk + 8].copy_from_slice(&77u64.to_ne_bytes());
    let pa = offset_of!(sctp_info, sctpi_p_address);
    info[pa..pa + 128].copy_from_slice(&sockaddr_in([192, 0, 2, 1], 9899));
    let ps = offset_of!(sctp_info, sctpi_p_state);
    info[ps..ps + 4].copy_from_slice(&(-1i32).to_ne_bytes());
    let v6 = Ipv6Addr::LOCALHOST;
    let bytes = reply(
        20,
        AF_INET6,
        &[
            attr(INET_DIAG_INFO, &info),
            attr(
                INET_DIAG_LOCALS,
                &[sockaddr_in([192, 0, 2, 9], 9899), sockaddr_in6(v6, 9899, 0)].concat(),
            ),
            attr(
                INET_DIAG_PEERS,
                &[
                    sockaddr_in([192, 0, 2, 1], 9899),
                    sockaddr_in([198, 51, 100, 1], 9899),
                ]
                .concat(),
            ),
        ],
    );
    let m = InetMsg::parse_as(
        Messages::new(&bytes).next().unwrap().unwrap(),
        Protocol::Sctp,
    )
    .unwrap();
    let s = InetSocket::from(m);
    let a = &s;
    let info = a.sctp_info.as_ref().unwrap();
    assert_eq!(info.tag(), Some(0xdead_beef));
    assert_eq!(info.opackets(), Some(77));
    assert_eq!(info.p_state(), Some(-1));
    assert_eq!(
        info.primary_address(),
        Some("192.0.2.1:9899".parse().unwrap())
    );
    assert!(format!("{info:?}").contains("192.0.2.1:9899"));
    assert_eq!(a.locals.as_ref().unwrap().len(), 2);
    assert_eq!(a.locals.as_ref().unwrap()[1].ip(), IpAddr::V6(v6));
    assert_eq!(
        a.peers.as_ref().unwrap()[1],
        "198.51.100.1:9899".parse().unwrap()
    );
}

#[test]
fn raw_socket_message_names_its_protocol() {
    let bytes = reply(
        20,
        AF_INET,
        &[
            attr(INET_DIAG_SHUTDOWN, &[0]),
            attr(INET_DIAG_PROTOCOL, &[1]),
        ],
    );
    let m = InetMsg::parse_as(
        Messages::new(&bytes).next().unwrap().unwrap(),
        Protocol::Raw,
    )
    .unwrap();
    assert_eq!(m.protocol(), Some(Protocol::Raw));
    assert_eq!(InetSocket::from(m).ip_protocol, Some(1), "ICMP");
}

#[test]
fn old_kernel_legacy_replies_without_attributes() {
    for (kind, protocol) in [
        (TCPDIAG_GETSOCK, Protocol::Tcp),
        (DCCPDIAG_GETSOCK, Protocol::Dccp),
    ] {
        let bytes = reply(kind, AF_INET6, &[]);
        let m = InetMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
        assert_eq!(m.protocol(), Some(protocol));
        assert_eq!(m.attributes().count(), 0);
        let s = InetSocket::from(m);
        assert_eq!(s, InetSocket::fixed(m));
        assert_eq!(
            (s.family, s.src.port(), s.dst.port()),
            (Family::Inet6, 9, 10)
        );
    }
}

#[test]
fn skmeminfo_of_older_kernels() {
    for (n, backlog, drops) in [
        (7, false, false),
        (8, true, false),
        (9, true, true),
        (10, true, true),
    ] {
        let v: Vec<u32> = (1..=n).collect();
        let bytes = u32s(&v);
        let m = SkMemInfo::new(&bytes[..], 0).unwrap();
        assert_eq!(m.len(), n as usize);
        assert_eq!(
            (m.backlog().is_some(), m.drops().is_some()),
            (backlog, drops)
        );
        assert_eq!(m.optmem(), Some(7));
        assert_eq!(m.into_owned().len(), n as usize);
    }
    assert!(SkMemInfo::new(&[][..], 0).unwrap().is_empty());
}

#[test]
fn sockopt_bits_follow_the_host_abi() {
    for (i, (_, flag)) in SockOpt::all().iter_names().enumerate() {
        let (byte, bit) = (i / 8, (i % 8) as u32);
        let mut raw = [0u8; 2];
        raw[byte] = set_bits(0, bit, 1, 1);
        let s = SockOpt::from_raw(&inet_diag_sockopt {
            bits0: raw[0],
            bits1: raw[1],
        });
        assert_eq!(s, flag);
    }
}

/// The typed shortcuts: the value when sent, `None` when not, and an error
/// (never `None`) for a damaged attribute, broken framing before it, or
/// `INET_DIAG_INFO` of a view that does not know its protocol.
#[test]
fn shortcuts_never_read_damage_as_absence() {
    let info = vec![0u8; 104];
    let bytes = reply(
        SOCK_DIAG_BY_FAMILY,
        AF_INET,
        &[
            attr(INET_DIAG_CONG, b"bbr\0"),
            attr(INET_DIAG_MARK, &7u32.to_ne_bytes()),
            attr(INET_DIAG_INFO, &info),
            attr(INET_DIAG_CGROUP_ID, &[1, 2, 3]),
        ],
    );
    let nl = Messages::new(&bytes).next().unwrap().unwrap();
    let m = InetMsg::parse_as(nl, Protocol::Tcp).unwrap();
    assert_eq!(m.cong(), Ok(Some("bbr")));
    assert_eq!(m.mark(), Ok(Some(7)));
    assert_eq!(m.tcp_info().unwrap().map(|i| i.len()), Some(104));
    assert_eq!((m.sctp_info(), m.mptcp_info()), (Ok(None), Ok(None)));
    assert_eq!(
        (m.tos(), m.skmeminfo().map(|s| s.is_some())),
        (Ok(None), Ok(false))
    );
    let damaged = m.cgroup_id().unwrap_err();
    assert_eq!(
        damaged.kind(),
        ParseErrorKind::WrongLength {
            length: 3,
            expected: 8
        }
    );

    // Without a protocol the INFO bytes cannot be read as anything.
    let unknown = InetMsg::parse(nl).unwrap();
    assert_eq!(
        unknown.tcp_info().unwrap_err().kind(),
        ParseErrorKind::UnknownProtocol
    );
    assert_eq!(
        unknown
            .with_protocol(Protocol::Tcp)
            .tcp_info()
            .unwrap()
            .map(|i| i.len()),
        Some(104)
    );
    assert_eq!(unknown.mark(), Ok(Some(7)));

    // A break in the framing before the attribute is an error too.
    let mut broken = reply(
        SOCK_DIAG_BY_FAMILY,
        AF_INET,
        &[attr(INET_DIAG_MARK, &[0; 4])],
    );
    let at = broken.len() - 8;
    broken[at..at + 2].copy_from_slice(&200u16.to_ne_bytes());
    let nl = Messages::new(&broken).next().unwrap().unwrap();
    let m = InetMsg::parse_as(nl, Protocol::Tcp).unwrap();
    assert_eq!(m.mark().unwrap_err().layer(), Layer::Attribute);
    assert!(format!("{m}").starts_with("tcp ESTABLISHED 0.0.0.0:9 -> 0.0.0.0:10"));
}
