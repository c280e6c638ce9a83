//! The borrowed view of one inet socket reply.

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use zerocopy::FromBytes;

use super::attr::{BbrInfo, InetAttr, InetAttrs, MemInfo};
use super::info::{MptcpInfo, SctpInfo, TcpInfo};
use super::{Family, Protocol, TcpState, Timer};
use crate::common::{attr_shortcuts, Shutdown, SkMemInfo};
use crate::netlink::{Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::inet_diag as ri;
use crate::raw::inet_diag::{inet_diag_msg, inet_diag_sockid, DCCPDIAG_GETSOCK, TCPDIAG_GETSOCK};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;

/// A borrowed, checked view of one inet socket reply: `struct
/// inet_diag_msg` and the `INET_DIAG_*` attributes after it.
///
/// Built only by [`InetMsg::parse`], which checks the length and the
/// address family; every accessor is then infallible and reads straight
/// from the receive buffer.
#[doc(alias = "inet_diag_msg")]
#[derive(Clone, Copy)]
pub struct InetMsg<'buf> {
    raw: &'buf inet_diag_msg,
    family: Family,
    protocol: Option<Protocol>,
    attrs: &'buf [u8],
    attrs_offset: usize,
}

impl<'buf> InetMsg<'buf> {
    /// Checks and wraps one reply message. Accepts `SOCK_DIAG_BY_FAMILY`
    /// replies (protocol unknown: the message does not say) and those of
    /// the legacy `TCPDIAG_GETSOCK` (TCP) and `DCCPDIAG_GETSOCK` (DCCP).
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        let protocol = match msg.kind() {
            SOCK_DIAG_BY_FAMILY => None,
            TCPDIAG_GETSOCK => Some(Protocol::Tcp),
            DCCPDIAG_GETSOCK => Some(Protocol::Dccp),
            found => {
                return Err(ParseError::new(
                    Layer::InetDiagMsg,
                    msg.offset(),
                    ParseErrorKind::UnexpectedType { found },
                ))
            }
        };
        let mut m = Self::from_payload(msg.payload(), msg.payload_offset())?;
        m.protocol = protocol;
        Ok(m)
    }

    /// Like [`parse`](Self::parse), for a reply to a dump of `protocol`:
    /// the protocol decides how `INET_DIAG_INFO` is decoded.
    #[inline]
    pub fn parse_as(msg: NlMsg<'buf>, protocol: Protocol) -> Result<Self, ParseError> {
        let mut m = Self::parse(msg)?;
        m.protocol = Some(protocol);
        Ok(m)
    }

    /// Checks and wraps a message payload that starts with `struct
    /// inet_diag_msg`; `offset` is its position in the outermost buffer,
    /// used in errors. The protocol is unknown.
    #[inline]
    pub fn from_payload(payload: &'buf [u8], offset: usize) -> Result<Self, ParseError> {
        let (raw, attrs) = inet_diag_msg::ref_from_prefix(payload).map_err(|_| {
            ParseError::new(
                Layer::InetDiagMsg,
                offset,
                ParseErrorKind::Truncated {
                    needed: core::mem::size_of::<inet_diag_msg>(),
                    available: payload.len(),
                },
            )
        })?;
        let family = Family::from_raw(raw.idiag_family).ok_or(ParseError::new(
            Layer::InetDiagMsg,
            offset,
            ParseErrorKind::UnknownFamily {
                found: raw.idiag_family,
            },
        ))?;
        // The kernel pads the fixed part to 4 bytes; 72 already is.
        Ok(InetMsg {
            raw,
            family,
            protocol: None,
            attrs,
            attrs_offset: offset.saturating_add(core::mem::size_of::<inet_diag_msg>()),
        })
    }

    /// The protocol, if known: from the request that produced the reply,
    /// or from a legacy reply's message type.
    pub fn protocol(&self) -> Option<Protocol> {
        self.protocol
    }

    /// The same view, known to be a reply of `protocol` (which decides how
    /// `INET_DIAG_INFO` is read): for a view made by
    /// [`from_payload`](Self::from_payload).
    #[must_use]
    pub fn with_protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// The raw `struct inet_diag_msg`.
    pub fn raw(&self) -> &'buf inet_diag_msg {
        self.raw
    }

    /// Address family (`idiag_family`).
    pub fn family(&self) -> Family {
        self.family
    }

    /// Socket state (`idiag_state`).
    pub fn state(&self) -> TcpState {
        TcpState::from_raw(self.raw.idiag_state)
    }

    /// Pending timer (`idiag_timer`).
    pub fn timer(&self) -> Timer {
        Timer::from_raw(self.raw.idiag_timer)
    }

    /// Retransmits or probes so far, by timer (`idiag_retrans`).
    pub fn retrans(&self) -> u8 {
        self.raw.idiag_retrans
    }

    /// Source (local) address (`id.idiag_src`): the first 4 bytes for
    /// IPv4; all 16 for IPv6, where a dual-stack socket's IPv4 peer stays
    /// a v4-mapped IPv6 address (`::ffff:a.b.c.d`).
    pub fn src_ip(&self) -> IpAddr {
        addr(self.family, &self.raw.id.idiag_src)
    }

    /// Destination (remote) address (`id.idiag_dst`), as [`src_ip`](Self::src_ip).
    pub fn dst_ip(&self) -> IpAddr {
        addr(self.family, &self.raw.id.idiag_dst)
    }

    /// Source (local) port (`id.idiag_sport`, converted from big-endian).
    pub fn src_port(&self) -> u16 {
        self.raw.id.idiag_sport.get()
    }

    /// Destination (remote) port (`id.idiag_dport`, converted from big-endian).
    pub fn dst_port(&self) -> u16 {
        self.raw.id.idiag_dport.get()
    }

    /// Source address and port.
    pub fn src(&self) -> SocketAddr {
        SocketAddr::new(self.src_ip(), self.src_port())
    }

    /// Destination address and port.
    pub fn dst(&self) -> SocketAddr {
        SocketAddr::new(self.dst_ip(), self.dst_port())
    }

    /// Interface index the socket is bound to, or 0 (`id.idiag_if`).
    pub fn interface(&self) -> u32 {
        self.raw.id.idiag_if.get()
    }

    /// The 64-bit socket cookie (`id.idiag_cookie`, low word first), stable
    /// for the socket's life and never reused before reboot.
    pub fn cookie(&self) -> u64 {
        cookie(&self.raw.id)
    }

    /// Milliseconds until the pending timer fires (`idiag_expires`).
    pub fn expires_ms(&self) -> u32 {
        self.raw.idiag_expires.get()
    }

    /// [`expires_ms`](Self::expires_ms) as a `Duration`.
    pub fn expires(&self) -> Duration {
        Duration::from_millis(self.expires_ms().into())
    }

    /// Receive queue (`idiag_rqueue`): unread bytes for TCP, accept-queue
    /// length for a listener, allocated receive memory for UDP.
    pub fn rqueue(&self) -> u32 {
        self.raw.idiag_rqueue.get()
    }

    /// Send queue (`idiag_wqueue`): unacknowledged bytes for TCP, accept
    /// backlog for a listener, allocated send memory for UDP.
    pub fn wqueue(&self) -> u32 {
        self.raw.idiag_wqueue.get()
    }

    /// Owner uid, mapped into the requester's user namespace (`idiag_uid`).
    pub fn uid(&self) -> u32 {
        self.raw.idiag_uid.get()
    }

    /// Socket inode number (`idiag_inode`), 0 for sockets without a file
    /// (TIME_WAIT and request sockets, connections still waiting in a
    /// listener's accept queue).
    pub fn inode(&self) -> u32 {
        self.raw.idiag_inode.get()
    }

    /// The `INET_DIAG_*` response attributes after the fixed part, raw.
    pub fn attrs(&self) -> Attrs<'buf> {
        Attrs::with_base(self.attrs, self.attrs_offset)
    }

    /// The response attributes, decoded ([`InetAttr`](super::InetAttr)).
    pub fn attributes(&self) -> InetAttrs<'buf> {
        InetAttrs::new(self.attrs(), self.protocol)
    }

    attr_shortcuts! {
        |m: &Self, a| InetAttr::decode(a, m.protocol) => InetAttr, ri;
        /// `INET_DIAG_MEMINFO`: the socket's memory in four numbers.
        meminfo(INET_DIAG_MEMINFO) -> MemInfo(MemInfo);
        /// `INET_DIAG_SKMEMINFO`: the socket's memory counters (what `ss -m` shows).
        skmeminfo(INET_DIAG_SKMEMINFO) -> SkMemInfo(SkMemInfo<&'buf [u8]>);
        /// `INET_DIAG_CONG`: the congestion control algorithm's name.
        cong(INET_DIAG_CONG) -> Cong(&'buf str);
        /// `INET_DIAG_BBRINFO`: BBR's model.
        bbr(INET_DIAG_BBRINFO) -> Bbr(BbrInfo);
        /// `INET_DIAG_SHUTDOWN`: the directions shut down.
        shutdown(INET_DIAG_SHUTDOWN) -> Shutdown(Shutdown);
        /// `INET_DIAG_TOS`: the IPv4 TOS byte.
        tos(INET_DIAG_TOS) -> Tos(u8);
        /// `INET_DIAG_TCLASS`: the IPv6 traffic class.
        tclass(INET_DIAG_TCLASS) -> TClass(u8);
        /// `INET_DIAG_MARK`: the socket's mark (sent only to `CAP_NET_ADMIN`).
        mark(INET_DIAG_MARK) -> Mark(u32);
        /// `INET_DIAG_CLASS_ID`: the net_cls class id (or the priority).
        class_id(INET_DIAG_CLASS_ID) -> ClassId(u32);
        /// `INET_DIAG_CGROUP_ID`: the cgroup v2 id of the socket's cgroup.
        cgroup_id(INET_DIAG_CGROUP_ID) -> CgroupId(u64);
        /// `INET_DIAG_SKV6ONLY`: `IPV6_V6ONLY` of an IPv6 socket.
        v6only(INET_DIAG_SKV6ONLY) -> V6Only(bool);
    }

    /// `INET_DIAG_INFO` of a TCP (or DCCP) socket: `struct tcp_info`, as
    /// long as the kernel sent it. `Ok(None)` if the kernel sent none or
    /// the socket is of another protocol; an error if the view does not
    /// know its protocol ([`ParseErrorKind::UnknownProtocol`]) or the
    /// attribute framing before it is malformed.
    ///
    /// ```
    /// # fn f(msg: sockdiag::inet::InetMsg<'_>) -> Result<(), sockdiag::ParseError> {
    /// if let Some(info) = msg.tcp_info()? {
    ///     println!("rtt {:?} cwnd {:?}", info.rtt_duration(), info.snd_cwnd());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn tcp_info(&self) -> Result<Option<TcpInfo<&'buf [u8]>>, ParseError> {
        match self.info()? {
            Some(InetAttr::TcpInfo(i)) => Ok(Some(i)),
            _ => Ok(None),
        }
    }

    /// `INET_DIAG_INFO` of an SCTP socket, as [`tcp_info`](Self::tcp_info).
    pub fn sctp_info(&self) -> Result<Option<SctpInfo<&'buf [u8]>>, ParseError> {
        match self.info()? {
            Some(InetAttr::SctpInfo(i)) => Ok(Some(i)),
            _ => Ok(None),
        }
    }

    /// `INET_DIAG_INFO` of an MPTCP socket, as [`tcp_info`](Self::tcp_info).
    pub fn mptcp_info(&self) -> Result<Option<MptcpInfo<&'buf [u8]>>, ParseError> {
        match self.info()? {
            Some(InetAttr::MptcpInfo(i)) => Ok(Some(i)),
            _ => Ok(None),
        }
    }

    /// `INET_DIAG_INFO` decoded by protocol; an error for a view that does
    /// not know its protocol.
    fn info(&self) -> Result<Option<InetAttr<'buf>>, ParseError> {
        let Some(attr) = self.attrs().find(ri::INET_DIAG_INFO)? else {
            return Ok(None);
        };
        if self.protocol.is_none() {
            return Err(ParseError::new(
                Layer::Attribute,
                attr.offset(),
                ParseErrorKind::UnknownProtocol,
            ));
        }
        InetAttr::decode(attr, self.protocol).map(Some)
    }

    /// gopsutil's `FastHash`: FNV-1 (64-bit) over the source address bytes
    /// (4 for IPv4, 16 for IPv6), the destination address bytes, then the
    /// big-endian source and destination ports.
    pub fn fast_hash(&self) -> u64 {
        let id = &self.raw.id;
        fast_hash(
            self.family,
            &id.idiag_src,
            &id.idiag_dst,
            id.idiag_sport.get(),
            id.idiag_dport.get(),
        )
    }
}

/// One line: protocol (or family when it is not known), state, the two
/// ends: `tcp ESTABLISHED 127.0.0.1:40001 -> 127.0.0.1:5001`.
impl fmt::Display for InetMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.protocol {
            Some(p) => write!(f, "{p}")?,
            None => write!(f, "{}", self.family)?,
        }
        write!(f, " {} {} -> {}", self.state(), self.src(), self.dst())
    }
}

impl fmt::Debug for InetMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InetMsg")
            .field("family", &self.family())
            .field("protocol", &self.protocol())
            .field("state", &self.state())
            .field("timer", &self.timer())
            .field("retrans", &self.retrans())
            .field("src", &self.src())
            .field("dst", &self.dst())
            .field("interface", &self.interface())
            .field("cookie", &self.cookie())
            .field("expires_ms", &self.expires_ms())
            .field("rqueue", &self.rqueue())
            .field("wqueue", &self.wqueue())
            .field("uid", &self.uid())
            .field("inode", &self.inode())
            .field("attributes", &crate::common::DebugIter(self.attributes()))
            .finish()
    }
}

pub(super) fn addr(family: Family, bytes: &[u8; 16]) -> IpAddr {
    match family {
        Family::Inet => {
            let [a, b, c, d, ..] = *bytes;
            IpAddr::V4(Ipv4Addr::new(a, b, c, d))
        }
        Family::Inet6 => IpAddr::V6(Ipv6Addr::from(*bytes)),
    }
}

fn cookie(id: &inet_diag_sockid) -> u64 {
    crate::request::cookie(&id.idiag_cookie)
}

/// FNV-1 64 over the family's address bytes and the big-endian ports.
pub(super) fn fast_hash(
    family: Family,
    src: &[u8; 16],
    dst: &[u8; 16],
    sport: u16,
    dport: u16,
) -> u64 {
    const OFFSET_BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let len = match family {
        Family::Inet => 4,
        Family::Inet6 => 16,
    };
    let (src, dst) = (src.get(..len).unwrap_or(src), dst.get(..len).unwrap_or(dst));
    let ports = [sport.to_be_bytes(), dport.to_be_bytes()];
    src.iter()
        .chain(dst)
        .chain(ports.iter().flatten())
        .fold(OFFSET_BASIS, |h, &b| h.wrapping_mul(PRIME) ^ u64::from(b))
}
