//! Request build → parse round trips: a request of every kind built from
//! input bytes (families, protocols, states, extensions, ports, lookup
//! ids, cookies, audited bytecode), encoded as it would be sent, must
//! parse back as one netlink message whose header and body carry exactly
//! what was asked; and wrapped into the kernel's `NLMSG_ERROR` echo, the
//! error view must hand back the same request.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use libfuzzer_sys::fuzz_target;
use sockdiag::inet::filter::Bytecode;
use sockdiag::inet::{Extensions, Family, InetRequest, LegacyRequest, Protocol, SocketId, States};
use sockdiag::netlink::{Attrs, Messages, NlMsg};
use sockdiag::netlink_diag::{NetlinkRequest, NetlinkShow};
use sockdiag::packet::{PacketRequest, PacketShow};
use sockdiag::raw::inet_diag::{inet_diag_req, inet_diag_req_v2};
use sockdiag::raw::netlink_diag::netlink_diag_req;
use sockdiag::raw::packet_diag::packet_diag_req;
use sockdiag::raw::smc_diag::smc_diag_req;
use sockdiag::raw::tipc_diag::tipc_sock_diag_req;
use sockdiag::raw::unix_diag::unix_diag_req;
use sockdiag::raw::vsock_diag::vsock_diag_req;
use sockdiag::raw::xdp_diag::xdp_diag_req;
use sockdiag::smc::{SmcExt, SmcRequest};
use sockdiag::tipc::TipcRequest;
use sockdiag::unix::{UnixRequest, UnixShow};
use sockdiag::vsock::VsockRequest;
use sockdiag::xdp::{XdpRequest, XdpShow};
use sockdiag::{RawRequest, Request};
use zerocopy::{FromBytes, IntoBytes};

/// Reads the input as a stream of numbers (zeros past its end).
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn bytes<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        for b in &mut out {
            if let Some((first, rest)) = self.0.split_first() {
                *b = *first;
                self.0 = rest;
            }
        }
        out
    }
    fn u8(&mut self) -> u8 {
        self.bytes::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.bytes())
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes(self.bytes())
    }
    fn u64(&mut self) -> u64 {
        u64::from_le_bytes(self.bytes())
    }
    fn addr(&mut self, v6: bool) -> SocketAddr {
        let ip = if v6 {
            IpAddr::V6(Ipv6Addr::from(self.bytes::<16>()))
        } else {
            IpAddr::V4(Ipv4Addr::from(self.bytes::<4>()))
        };
        SocketAddr::new(ip, self.u16())
    }
}

/// Sends `req` the way `DiagSocket` does (head then tail, one datagram)
/// and parses it back: one message, the right header; returns the body.
fn round_trip<R: Request + std::fmt::Debug>(
    req: &R,
    seq: u32,
    kind: u16,
    dump: bool,
    out: &mut Vec<u8>,
) {
    out.clear();
    out.extend_from_slice(req.encode(seq).as_ref());
    out.extend_from_slice(req.tail());
    let mut msgs = Messages::new(out);
    let msg: NlMsg<'_> = msgs.next().expect("one message").expect("parses");
    assert!(msgs.next().is_none(), "exactly one message");
    assert_eq!(msg.header().nlmsg_len.get() as usize, out.len());
    assert_eq!(msg.kind(), kind);
    assert_eq!(msg.seq(), seq);
    assert_eq!(msg.port_id(), 0);
    let flags = msg.flags().bits();
    assert_eq!(flags, if dump { 0x301 } else { 0x1 }, "flags {flags:#x}");
    assert!(!msg.is_done() && !msg.is_error());

    // The kernel's error reply echoes the request after the errno.
    let mut echo = Vec::with_capacity(20 + out.len());
    echo.extend_from_slice(&(20 + out.len() as u32).to_ne_bytes());
    echo.extend_from_slice(&2u16.to_ne_bytes()); // NLMSG_ERROR
    echo.extend_from_slice(&0u16.to_ne_bytes());
    echo.extend_from_slice(&seq.to_ne_bytes());
    echo.extend_from_slice(&7u32.to_ne_bytes());
    echo.extend_from_slice(&(-22i32).to_ne_bytes());
    echo.extend_from_slice(out);
    let e = Messages::new(&echo)
        .next()
        .expect("echo")
        .expect("echo parses")
        .error()
        .expect("NLMSG_ERROR")
        .expect("error view");
    assert_eq!(e.errno(), Some(22));
    assert_eq!(e.request().as_bytes(), &out[..16]);
    assert_eq!(e.request_payload(), Some(&out[16..]));
    assert!(e.to_kernel_error().is_some());
    std::hint::black_box(format!("{req:?} {msg:?} {e:?}"));
}

fn body<T: FromBytes + zerocopy::KnownLayout + zerocopy::Immutable>(out: &[u8]) -> (&T, &[u8]) {
    T::ref_from_prefix(&out[16..]).expect("request struct")
}

fn inet(data: &mut Input<'_>, out: &mut Vec<u8>) {
    let seq = data.u32();
    let v6 = data.u8() & 1 == 1;
    let protocol = Protocol::ALL[usize::from(data.u8()) % Protocol::ALL.len()];
    let states = States::from_bits_retain(data.u32());
    let ext = Extensions::from_bits_retain(data.u8());
    let raw_protocol = data.u8();
    let mode = data.u8();
    let mut req = if mode & 1 == 1 {
        let id = SocketId::new(data.addr(v6), data.addr(v6))
            .with_interface(data.u32())
            .with_cookie(data.u64());
        InetRequest::lookup(protocol, id)
    } else {
        let family = if v6 { Family::Inet6 } else { Family::Inet };
        InetRequest::new(family, protocol)
            .with_src_port(data.u16())
            .with_dst_port(data.u16())
    };
    req = req
        .with_states(states)
        .with_extensions(ext)
        .with_raw_protocol(raw_protocol);
    assert_eq!(req.states(), states);
    assert_eq!(req.extensions(), ext);
    let program_bytes = data.0.get(..usize::from(data.u8())).unwrap_or(data.0);
    let program = Bytecode::new(program_bytes).ok().filter(|_| mode & 2 == 2);

    let check = |out: &[u8], program: Option<&[u8]>| {
        let (raw, attrs): (&inet_diag_req_v2, &[u8]) = body(out);
        assert_eq!(raw.sdiag_family, if v6 { 10 } else { 2 });
        assert_eq!(raw.idiag_ext, ext.bits());
        assert_eq!(raw.pad, raw_protocol);
        assert_eq!(raw.idiag_states.get(), states.bits());
        let number = protocol.to_raw();
        let mut seen_protocol = None;
        let mut seen_program = None;
        for a in Attrs::new(attrs) {
            let a = a.expect("request attribute");
            match a.kind() {
                1 => seen_program = Some(a.payload()),
                3 => seen_protocol = Some(a.u32().expect("u32")),
                k => panic!("unexpected request attribute {k}"),
            }
        }
        if number <= 0xff {
            assert_eq!(u16::from(raw.sdiag_protocol), number);
            assert_eq!(seen_protocol, None);
        } else {
            assert_eq!(raw.sdiag_protocol, 0);
            assert_eq!(seen_protocol, Some(u32::from(number)));
        }
        assert_eq!(seen_program, program);
        match req.lookup_id() {
            Some(id) => {
                let mut want = id.to_raw();
                // udp_diag reads a lookup's id swapped.
                if matches!(protocol, Protocol::Udp | Protocol::UdpLite) {
                    core::mem::swap(&mut want.idiag_src, &mut want.idiag_dst);
                    core::mem::swap(&mut want.idiag_sport, &mut want.idiag_dport);
                }
                assert_eq!(raw.id.as_bytes(), want.as_bytes());
                let cookie = u64::from(raw.id.idiag_cookie[1].get()) << 32
                    | u64::from(raw.id.idiag_cookie[0].get());
                assert_eq!(cookie, id.cookie);
                assert_eq!(raw.id.idiag_if.get(), id.interface);
            }
            None => {
                assert_eq!(raw.id.idiag_src, [0; 16]);
                assert_eq!(raw.id.idiag_if.get(), 0);
                assert_eq!(raw.id.idiag_cookie.map(|w| w.get()), [u32::MAX; 2]);
            }
        }
    };
    let dump = req.lookup_id().is_none();
    round_trip(&req, seq, 20, dump, out);
    check(out, None);
    if let Some(p) = &program {
        round_trip(&req.with_bytecode(p), seq, 20, dump, out);
        check(out, Some(p.as_bytes()));
    }

    // The legacy request: AF_INET with both families in one walk.
    let legacy = match protocol {
        Protocol::Dccp => LegacyRequest::dccp(),
        _ => LegacyRequest::tcp(),
    }
    .with_states(states)
    .with_extensions(ext);
    let kind = if protocol == Protocol::Dccp { 19 } else { 18 };
    let legacy_check = |out: &[u8], program: Option<&[u8]>| {
        let (raw, attrs): (&inet_diag_req, &[u8]) = body(out);
        assert_eq!(raw.as_bytes(), legacy.to_raw().as_bytes());
        assert_eq!(raw.idiag_states.get(), states.bits());
        assert_eq!(raw.idiag_ext, ext.bits());
        let mut attrs = Attrs::new(attrs);
        match program {
            Some(p) => assert_eq!(attrs.next().expect("bytecode").expect("ok").payload(), p),
            None => {}
        }
        assert!(attrs.next().is_none());
    };
    round_trip(&legacy, seq, kind, true, out);
    legacy_check(out, None);
    if let Some(p) = &program {
        round_trip(&legacy.with_bytecode(p), seq, kind, true, out);
        legacy_check(out, Some(p.as_bytes()));
    }
}

fn others(data: &mut Input<'_>, out: &mut Vec<u8>) {
    let seq = data.u32();
    let (inode, cookie) = (data.u32(), data.u64());
    let mut unix = if data.u8() & 1 == 1 {
        UnixRequest::lookup(inode, (cookie != u64::MAX).then_some(cookie))
    } else {
        UnixRequest::new()
    };
    let states = States::from_bits_retain(data.u32());
    let show = UnixShow::from_bits_retain(data.u32());
    unix = unix.with_states(states).with_show(show);
    let lookup = unix.is_lookup();
    round_trip(&unix, seq, 20, !lookup, out);
    let (raw, rest): (&unix_diag_req, &[u8]) = body(out);
    assert!(rest.is_empty());
    assert_eq!(raw.as_bytes(), unix.to_raw().as_bytes());
    assert_eq!(raw.sdiag_family, 1);
    assert_eq!(raw.udiag_show.get(), show.bits());
    assert_eq!(raw.udiag_states.get(), states.bits());
    if lookup {
        assert_eq!(raw.udiag_ino.get(), inode);
    }

    let netlink = NetlinkRequest::new()
        .with_protocol(data.u8())
        .with_show(NetlinkShow::from_bits_retain(data.u32()));
    round_trip(&netlink, seq, 20, true, out);
    let (raw, rest): (&netlink_diag_req, &[u8]) = body(out);
    assert!(rest.is_empty());
    assert_eq!(raw.as_bytes(), netlink.to_raw().as_bytes());
    assert_eq!(raw.sdiag_family, 16);

    let packet = PacketRequest::new().with_show(PacketShow::from_bits_retain(data.u32()));
    round_trip(&packet, seq, 20, true, out);
    let (raw, rest): (&packet_diag_req, &[u8]) = body(out);
    assert!(rest.is_empty());
    assert_eq!(raw.as_bytes(), packet.to_raw().as_bytes());
    assert_eq!(raw.sdiag_family, 17);

    let vsock = VsockRequest::new().with_states(States::from_bits_retain(data.u32()));
    round_trip(&vsock, seq, 20, true, out);
    let (raw, rest): (&vsock_diag_req, &[u8]) = body(out);
    assert!(rest.is_empty());
    assert_eq!(raw.as_bytes(), vsock.to_raw().as_bytes());
    assert_eq!(
        (raw.sdiag_family, raw.vdiag_states.get()),
        (40, vsock.states().bits())
    );

    let xdp = XdpRequest::new().with_show(XdpShow::from_bits_retain(data.u32()));
    round_trip(&xdp, seq, 20, true, out);
    let (raw, rest): (&xdp_diag_req, &[u8]) = body(out);
    assert!(rest.is_empty());
    assert_eq!(raw.as_bytes(), xdp.to_raw().as_bytes());
    assert_eq!(
        (raw.sdiag_family, raw.xdiag_show.get()),
        (44, xdp.show().bits())
    );

    let smc = SmcRequest::new().with_ext(SmcExt::from_bits_retain(data.u8()));
    round_trip(&smc, seq, 20, true, out);
    let (raw, rest): (&smc_diag_req, &[u8]) = body(out);
    assert!(rest.is_empty());
    assert_eq!(raw.as_bytes(), smc.to_raw().as_bytes());
    assert_eq!((raw.diag_family, raw.diag_ext), (43, smc.ext().bits()));

    let tipc = TipcRequest::new().with_states(States::from_bits_retain(data.u32()));
    round_trip(&tipc, seq, 20, true, out);
    let (raw, rest): (&tipc_sock_diag_req, &[u8]) = body(out);
    assert!(rest.is_empty());
    assert_eq!(raw.as_bytes(), tipc.to_raw().as_bytes());
    assert_eq!(
        (raw.sdiag_family, raw.tidiag_states.get()),
        (30, tipc.states().bits())
    );

    // A caller-encoded body goes out unchanged after the header.
    let body_bytes = data.0;
    let raw_req = if data.u8() & 1 == 1 {
        RawRequest::lookup(body_bytes)
    } else {
        RawRequest::dump(body_bytes)
    };
    round_trip(&raw_req, seq, 20, !raw_req.is_lookup(), out);
    assert_eq!(&out[16..], body_bytes);
    assert_eq!(
        raw_req.sdiag_family(),
        body_bytes.first().copied().unwrap_or(0)
    );
}

fuzz_target!(|data: &[u8]| {
    let mut out = Vec::new();
    let (selector, rest) = data.split_first().unwrap_or((&0, data));
    let mut input = Input(rest);
    if selector & 1 == 0 {
        inet(&mut input, &mut out);
    } else {
        others(&mut input, &mut out);
    }
});
