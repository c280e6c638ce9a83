//! The engine: run one request again and again and report what changed.
//!
//! - [`Scanner`] runs a request, inline, [pipelined](Scanner::pipelined)
//!   (received on a second thread while this one works) or
//!   [split](Scanner::halves) into two halves that the kernel walks at
//!   once, on sockets and threads it keeps between runs.
//! - [`Poller`] is a scanner with a [`Tracker`] per half: it keeps a
//!   little state per socket (by cookie) and reports only [`Change`]s —
//!   new sockets, gone sockets, state changes and chosen `tcp_info`
//!   counters ([`TcpField`]) that moved — for every family: inet (v2 and
//!   legacy requests), unix, packet, netlink, vsock, AF_XDP, TIPC, SMC;
//!   [`Poller::poll_listed`] also hands over every listed socket, for
//!   aggregates. Once its tables have grown to the population it
//!   allocates nothing.
//! - [`Tracker`] is the bookkeeping alone, for state of your own.
//!
//! ```no_run
//! use sockdiag::inet::{LegacyRequest, TcpField};
//! use sockdiag::poll::{Change, Poller};
//!
//! let mut poller = Poller::new(LegacyRequest::tcp())?.track(&[TcpField::TotalRetrans])?;
//! poller.prime()?; // the sockets there now are not news
//! loop {
//!     poller.poll(|change| match change {
//!         Change::New { msg, .. } => println!("+ {} -> {} {}", msg.src(), msg.dst(), msg.state()),
//!         Change::Changed { msg, before, now, .. } => println!(
//!             "~ {} {} -> {} retrans {:?} -> {:?}",
//!             msg.src(),
//!             before.state(),
//!             now.state(),
//!             before.counter(TcpField::TotalRetrans),
//!             now.counter(TcpField::TotalRetrans),
//!         ),
//!         Change::Gone { last, .. } => println!("- {} -> {}", last.local(), last.peer()),
//!     })?;
//!     std::thread::sleep(std::time::Duration::from_millis(10));
//! }
//! # Ok::<(), sockdiag::Error>(())
//! ```

mod queue;
mod scanner;
mod tracker;

pub use scanner::{ScanStats, Scannable, Scanner, Strategy};
pub use tracker::{CookieHasher, Observed, Tracker};

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant};

use crate::inet::filter::Entry;
use crate::inet::{
    Extensions, Family, InetAttr, InetMsg, InetRequest, LegacyRequest, Protocol, TcpField, TcpState,
};
use crate::netlink_diag::{NetlinkMsg, NetlinkRequest};
use crate::packet::{PacketMsg, PacketRequest};
use crate::parse_error::{Layer, ParseErrorKind};
use crate::smc::{SmcMsg, SmcRequest};
use crate::tipc::{TipcMsg, TipcRequest};
use crate::unix::{UnixMsg, UnixRequest};
use crate::vsock::{VsockAddr, VsockMsg, VsockRequest};
use crate::xdp::{XdpMsg, XdpRequest};
use crate::SocketType;
use crate::{DiagSocket, Error, InvalidArgument, ParseError};

/// Most `tcp_info` counters a [`Poller`] tracks.
const MAX_TRACKED: usize = 4;

/// What kind of socket a [`Brief`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// An inet socket; its protocol if the reply names it (legacy and
    /// MPTCP replies, or the request's).
    Inet {
        /// The address family.
        family: Family,
        /// The protocol.
        protocol: Option<Protocol>,
    },
    /// A unix socket.
    Unix(SocketType),
    /// A packet socket.
    Packet {
        /// [`Raw`](SocketType::Raw) or [`Dgram`](SocketType::Dgram).
        socket_type: SocketType,
        /// Its protocol (`ETH_P_*`, host order).
        protocol: u16,
    },
    /// A netlink socket.
    Netlink {
        /// Its protocol (`NETLINK_*`).
        protocol: u8,
    },
    /// A vsock socket.
    Vsock(SocketType),
    /// An AF_XDP socket.
    Xdp,
    /// A TIPC socket (RDM, datagram, stream or seqpacket).
    Tipc(SocketType),
    /// An SMC socket; its state is kept as the TCP state it resembles
    /// ([`SmcState::as_tcp`](crate::smc::SmcState::as_tcp)).
    Smc,
}

/// One end of a socket, as a [`Brief`] keeps it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum End {
    /// An address and port (inet).
    Addr(SocketAddr),
    /// An inode: a unix socket's own, or its peer's (0: none).
    Inode(u32),
    /// The interface a packet socket is bound to (0: any).
    Interface(u32),
    /// A netlink port id (0: the kernel).
    PortId(u32),
    /// A vsock context id and port.
    Vsock(VsockAddr),
    /// A TIPC node and port id.
    Tipc {
        /// The node's address (0 before it has one).
        node: u32,
        /// The port id.
        port_id: u32,
    },
    /// A port whose address the reply cannot tell (an SMC socket's
    /// all-zero address: IPv4's or IPv6's wildcard).
    Port(u16),
    /// Nothing (the peer of a packet socket, of an unconnected TIPC
    /// socket).
    None,
}

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            End::Addr(a) => a.fmt(f),
            End::Inode(i) | End::Interface(i) | End::PortId(i) => i.fmt(f),
            End::Vsock(a) => a.fmt(f),
            End::Tipc { node, port_id } => write!(f, "{node}:{port_id}"),
            End::Port(p) => write!(f, "*:{p}"),
            End::None => f.write_str("*"),
        }
    }
}

/// How an [`End`] is packed into a [`Kept`]: 16 address bytes and a port,
/// or an id in the first four.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Packed {
    addr: [u8; 16],
    port: u16,
    tag: u8,
}

impl Packed {
    const ADDR4: u8 = 1;
    const ADDR6: u8 = 2;
    const INODE: u8 = 3;
    const INTERFACE: u8 = 4;
    const PORT_ID: u8 = 5;
    const VSOCK: u8 = 6;
    const TIPC: u8 = 7;
    const PORT: u8 = 8;

    fn ip(a: IpAddr, port: u16) -> Packed {
        match a {
            IpAddr::V4(v4) => {
                let mut addr = [0; 16];
                if let Some(d) = addr.get_mut(..4) {
                    d.copy_from_slice(&v4.octets());
                }
                Packed {
                    addr,
                    port,
                    tag: Self::ADDR4,
                }
            }
            IpAddr::V6(v6) => Packed {
                addr: v6.octets(),
                port,
                tag: Self::ADDR6,
            },
        }
    }

    fn id(tag: u8, id: u32) -> Packed {
        let mut addr = [0; 16];
        if let Some(d) = addr.get_mut(..4) {
            d.copy_from_slice(&id.to_ne_bytes());
        }
        Packed { addr, port: 0, tag }
    }

    /// Two ids in the first eight bytes.
    fn pair(tag: u8, first: u32, second: u32) -> Packed {
        let mut addr = [0; 16];
        if let Some(d) = addr.get_mut(..4) {
            d.copy_from_slice(&first.to_ne_bytes());
        }
        if let Some(d) = addr.get_mut(4..8) {
            d.copy_from_slice(&second.to_ne_bytes());
        }
        Packed { addr, port: 0, tag }
    }

    fn vsock(v: VsockAddr) -> Packed {
        Self::pair(Self::VSOCK, v.cid, v.port)
    }

    /// An address where the reply tells it, else only the port.
    fn maybe_ip(a: Option<IpAddr>, port: u16) -> Packed {
        match a {
            Some(a) => Self::ip(a, port),
            None => Packed {
                port,
                tag: Self::PORT,
                ..Packed::default()
            },
        }
    }

    fn end(&self) -> End {
        let [a, b, c, d, e, f, g, h, ..] = self.addr;
        let id = u32::from_ne_bytes([a, b, c, d]);
        match self.tag {
            Self::ADDR4 => End::Addr(SocketAddr::new(
                IpAddr::V4(Ipv4Addr::new(a, b, c, d)),
                self.port,
            )),
            Self::ADDR6 => End::Addr(SocketAddr::new(
                IpAddr::V6(Ipv6Addr::from(self.addr)),
                self.port,
            )),
            Self::INODE => End::Inode(id),
            Self::INTERFACE => End::Interface(id),
            Self::PORT_ID => End::PortId(id),
            Self::VSOCK => End::Vsock(VsockAddr {
                cid: id,
                port: u32::from_ne_bytes([e, f, g, h]),
            }),
            Self::TIPC => End::Tipc {
                node: id,
                port_id: u32::from_ne_bytes([e, f, g, h]),
            },
            Self::PORT => End::Port(self.port),
            _ => End::None,
        }
    }
}

/// What a poller keeps of a socket between polls (compact: about 100
/// bytes with its counters); read it through a [`Brief`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Kept {
    kind: Kind,
    state: TcpState,
    local: Packed,
    peer: Packed,
    /// Bit `i`: `counters[i]` was in the reply.
    present: u8,
    counters: [u64; MAX_TRACKED],
}

impl Default for Kept {
    fn default() -> Self {
        Kept {
            kind: Kind::Netlink { protocol: 0 },
            state: TcpState::Close,
            local: Packed::default(),
            peer: Packed::default(),
            present: 0,
            counters: [0; MAX_TRACKED],
        }
    }
}

impl Kept {
    /// A socket of `kind` in `state` with these ends and no counters (for
    /// a [`Tracker`] of your own, or tests; pollers make theirs from the
    /// replies).
    pub fn new(kind: Kind, state: TcpState, local: End, peer: End) -> Kept {
        let pack = |e: End| match e {
            End::Addr(a) => Packed::ip(a.ip(), a.port()),
            End::Inode(i) => Packed::id(Packed::INODE, i),
            End::Interface(i) => Packed::id(Packed::INTERFACE, i),
            End::PortId(i) => Packed::id(Packed::PORT_ID, i),
            End::Vsock(v) => Packed::vsock(v),
            End::Tipc { node, port_id } => Packed::pair(Packed::TIPC, node, port_id),
            End::Port(p) => Packed::maybe_ip(None, p),
            End::None => Packed::default(),
        };
        Kept {
            kind,
            state,
            local: pack(local),
            peer: pack(peer),
            ..Kept::default()
        }
    }

    /// The same with tracked counter number `i` (of the poller's list) set.
    #[must_use]
    pub fn with_counter(mut self, i: usize, value: u64) -> Kept {
        if let Some(slot) = self.counters.get_mut(i) {
            *slot = value;
            self.present |= 1 << i;
        }
        self
    }
}

/// What a [`Poller`] kept of one socket at one poll: kind, state, ends and
/// the tracked counters.
#[derive(Clone, Copy)]
pub struct Brief<'a> {
    kept: &'a Kept,
    fields: &'a [TcpField],
}

impl<'a> Brief<'a> {
    /// `kept`, whose counters are those of `fields` in that order.
    pub fn new(kept: &'a Kept, fields: &'a [TcpField]) -> Self {
        Brief { kept, fields }
    }

    /// What kind of socket.
    pub fn kind(&self) -> Kind {
        self.kept.kind
    }

    /// Its state then (unix, packet and netlink sockets in the same
    /// numbering, as their views give it).
    pub fn state(&self) -> TcpState {
        self.kept.state
    }

    /// The local end: address and port, inode, interface or port id.
    pub fn local(&self) -> End {
        self.kept.local.end()
    }

    /// The other end.
    pub fn peer(&self) -> End {
        self.kept.peer.end()
    }

    /// Tracked counter `field` then; `None` if it is not tracked or the
    /// reply had no such field (an older kernel's shorter `tcp_info`, or a
    /// socket without one).
    pub fn counter(&self, field: TcpField) -> Option<u64> {
        let i = self.fields.iter().position(|&f| f == field)?;
        (self.kept.present & (1 << i) != 0)
            .then(|| self.kept.counters.get(i).copied())
            .flatten()
    }

    /// Every tracked counter, in the order given to [`Poller::track`].
    pub fn counters(&self) -> impl Iterator<Item = (TcpField, Option<u64>)> + Clone + 'a {
        let (kept, fields) = (self.kept, self.fields);
        fields.iter().enumerate().map(move |(i, &f)| {
            let v = (kept.present & (1 << i) != 0)
                .then(|| kept.counters.get(i).copied())
                .flatten();
            (f, v)
        })
    }
}

impl fmt::Debug for Brief<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Brief")
            .field("kind", &self.kind())
            .field("state", &self.state())
            .field("local", &self.local())
            .field("peer", &self.peer())
            .field("counters", &crate::common::DebugIter(self.counters()))
            .finish()
    }
}

/// What changed in a [`Change::Changed`].
#[derive(Clone, Copy)]
pub struct What<'a> {
    state: bool,
    counters: u8,
    fields: &'a [TcpField],
}

impl<'a> What<'a> {
    /// What differs from `before` to `now` (of one socket, with the same
    /// fields).
    pub fn between(before: &Brief<'a>, now: &Brief<'a>) -> Self {
        What {
            state: before.kept.state != now.kept.state,
            counters: changed_counters(before.kept, now.kept, now.fields.len()),
            fields: now.fields,
        }
    }

    /// Whether anything differs.
    pub fn any(&self) -> bool {
        self.state || self.counters != 0
    }

    /// The state changed.
    pub fn state(&self) -> bool {
        self.state
    }

    /// The tracked counters that changed (or appeared or went).
    pub fn counters(&self) -> impl Iterator<Item = TcpField> + Clone + 'a {
        let mask = self.counters;
        self.fields
            .iter()
            .enumerate()
            .filter(move |(i, _)| mask & (1 << i) != 0)
            .map(|(_, &f)| f)
    }
}

impl fmt::Debug for What<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("What")
            .field("state", &self.state)
            .field("counters", &crate::common::DebugIter(self.counters()))
            .finish()
    }
}

/// A change seen by [`Poller::poll`]; `M` is the family's view
/// ([`InetMsg`], [`UnixMsg`], ...).
#[derive(Clone, Copy, Debug)]
pub enum Change<'a, M> {
    /// A socket the previous polls did not list.
    New {
        /// Its cookie.
        cookie: u64,
        /// The reply.
        msg: &'a M,
        /// What this poll saw.
        now: Brief<'a>,
    },
    /// A socket whose state or tracked counters differ from the previous
    /// poll.
    Changed {
        /// Its cookie.
        cookie: u64,
        /// The reply.
        msg: &'a M,
        /// What the previous poll saw.
        before: Brief<'a>,
        /// What this poll saw.
        now: Brief<'a>,
        /// What differs.
        what: What<'a>,
    },
    /// A socket the previous poll listed and this one did not (nor, with
    /// a grace, the ones before).
    Gone {
        /// Its cookie.
        cookie: u64,
        /// What the last poll that saw it saw.
        last: Brief<'a>,
    },
}

/// What [`Poller::poll_listed`] reports.
#[derive(Clone, Copy, Debug)]
pub enum Listing<'a, M> {
    /// A socket the dump listed, changed or not.
    Listed {
        /// Its cookie.
        cookie: u64,
        /// The reply.
        msg: &'a M,
        /// What this poll saw.
        now: Brief<'a>,
    },
    /// A change, as [`Poller::poll`] reports it.
    Change(Change<'a, M>),
}

/// Counts of one poll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollStats {
    /// Sockets listed (repeats not counted).
    pub sockets: usize,
    /// New sockets.
    pub new: usize,
    /// Changed sockets.
    pub changed: usize,
    /// Gone sockets.
    pub gone: usize,
    /// Sockets the kernel listed twice.
    pub repeated: usize,
}

/// A dump request a [`Poller`] can run: what it keeps of each reply.
/// Implemented by [`InetRequest`], [`LegacyRequest`], [`UnixRequest`],
/// [`PacketRequest`], [`NetlinkRequest`], [`VsockRequest`],
/// [`XdpRequest`], [`TipcRequest`] and [`SmcRequest`]; sealed.
pub trait Polled: Scannable {
    /// The cookie of `msg`, and what is kept of it (with the `tcp_info`
    /// `fields`); [`Error::Reply`] if an attribute does not parse (every
    /// one is checked: a damaged reply is never taken as unchanged).
    #[doc(hidden)]
    fn keep(msg: &Self::Msg<'_>, fields: &[TcpField]) -> Result<(u64, Kept), Error>;
    /// The request asking for `tcp_info` too; `None` for families
    /// without it.
    #[doc(hidden)]
    fn with_info(self) -> Option<Self>;
}

/// Checks every attribute of an inet reply and reads the tracked
/// counters of its `tcp_info` into `kept`: a damaged attribute is an
/// error, never counters read as absent nor a damaged reply taken as
/// unchanged.
fn inet_counters(m: &InetMsg<'_>, fields: &[TcpField], kept: &mut Kept) -> Result<(), ParseError> {
    for attr in m.attributes() {
        if let InetAttr::TcpInfo(info) = attr? {
            for (i, (&f, slot)) in fields.iter().zip(&mut kept.counters).enumerate() {
                if let Some(v) = info.get(f) {
                    *slot = v;
                    kept.present |= 1 << i;
                }
            }
        }
    }
    Ok(())
}

// Always inlined into the poll's loop (as `keep`): returned, the record
// went through memory twice per socket (3.6% -> 3.1% of the exporter's
// poll-thread samples at 200,000 sockets).
#[inline(always)]
fn keep_inet(m: &InetMsg<'_>, fields: &[TcpField]) -> Result<(u64, Kept), Error> {
    let mut kept = Kept {
        kind: Kind::Inet {
            family: m.family(),
            protocol: m.protocol(),
        },
        state: m.state(),
        local: Packed::ip(m.src_ip(), m.src_port()),
        peer: Packed::ip(m.dst_ip(), m.dst_port()),
        ..Kept::default()
    };
    inet_counters(m, fields, &mut kept).map_err(|error| Error::Reply {
        cookie: m.cookie(),
        error,
    })?;
    Ok((m.cookie(), kept))
}

impl Polled for InetRequest {
    fn keep(msg: &InetMsg<'_>, fields: &[TcpField]) -> Result<(u64, Kept), Error> {
        keep_inet(msg, fields)
    }
    fn with_info(self) -> Option<Self> {
        Some(self.with_extensions(self.extensions() | Extensions::INFO))
    }
}

impl Polled for LegacyRequest {
    #[inline(always)]
    fn keep(msg: &InetMsg<'_>, fields: &[TcpField]) -> Result<(u64, Kept), Error> {
        keep_inet(msg, fields)
    }
    fn with_info(self) -> Option<Self> {
        Some(self.with_extensions(self.extensions() | Extensions::INFO))
    }
}

impl Polled for UnixRequest {
    fn keep(m: &UnixMsg<'_>, _: &[TcpField]) -> Result<(u64, Kept), Error> {
        let peer = m.peer().map_err(|e| reply(m.cookie(), e))?.unwrap_or(0);
        Ok((
            m.cookie(),
            Kept {
                kind: Kind::Unix(m.socket_type()),
                state: m.state(),
                local: Packed::id(Packed::INODE, m.inode()),
                peer: Packed::id(Packed::INODE, peer),
                ..Kept::default()
            },
        ))
    }
    fn with_info(self) -> Option<Self> {
        None
    }
}

impl Polled for PacketRequest {
    fn keep(m: &PacketMsg<'_>, _: &[TcpField]) -> Result<(u64, Kept), Error> {
        let ifindex = m
            .info()
            .map_err(|e| reply(m.cookie(), e))?
            .map_or(0, |i| i.index);
        Ok((
            m.cookie(),
            Kept {
                kind: Kind::Packet {
                    socket_type: m.socket_type(),
                    protocol: m.protocol(),
                },
                state: TcpState::Close,
                local: Packed::id(Packed::INTERFACE, ifindex),
                ..Kept::default()
            },
        ))
    }
    fn with_info(self) -> Option<Self> {
        None
    }
}

impl Polled for NetlinkRequest {
    fn keep(m: &NetlinkMsg<'_>, _: &[TcpField]) -> Result<(u64, Kept), Error> {
        for attr in m.attributes() {
            attr.map_err(|e| reply(m.cookie(), e))?;
        }
        Ok((
            m.cookie(),
            Kept {
                kind: Kind::Netlink {
                    protocol: m.protocol(),
                },
                state: if m.is_connected() {
                    TcpState::Established
                } else {
                    TcpState::Close
                },
                local: Packed::id(Packed::PORT_ID, m.port_id()),
                peer: Packed::id(Packed::PORT_ID, m.dst_port_id()),
                ..Kept::default()
            },
        ))
    }
    fn with_info(self) -> Option<Self> {
        None
    }
}

impl Polled for VsockRequest {
    fn keep(m: &VsockMsg<'_>, _: &[TcpField]) -> Result<(u64, Kept), Error> {
        Ok((
            m.cookie(),
            Kept {
                kind: Kind::Vsock(m.socket_type()),
                state: m.state(),
                local: Packed::vsock(m.src()),
                peer: Packed::vsock(m.dst()),
                ..Kept::default()
            },
        ))
    }
    fn with_info(self) -> Option<Self> {
        None
    }
}

impl Polled for XdpRequest {
    fn keep(m: &XdpMsg<'_>, _: &[TcpField]) -> Result<(u64, Kept), Error> {
        let ifindex = m
            .info()
            .map_err(|e| reply(m.cookie(), e))?
            .map_or(0, |i| i.ifindex);
        for attr in m.attributes() {
            attr.map_err(|e| reply(m.cookie(), e))?;
        }
        Ok((
            m.cookie(),
            Kept {
                kind: Kind::Xdp,
                state: TcpState::Close,
                local: Packed::id(Packed::INTERFACE, ifindex),
                ..Kept::default()
            },
        ))
    }
    fn with_info(self) -> Option<Self> {
        None
    }
}

impl Polled for TipcRequest {
    fn keep(m: &TipcMsg<'_>, _: &[TcpField]) -> Result<(u64, Kept), Error> {
        // The cookie keys the socket: a reply without one is an error.
        let cookie = m.cookie().map_err(|e| reply(0, e))?.ok_or_else(|| {
            reply(
                0,
                ParseError::new(
                    Layer::TipcDiagMsg,
                    m.offset(),
                    ParseErrorKind::MissingAttribute {
                        kind: crate::raw::tipc_diag::TIPC_NLA_SOCK_COOKIE,
                    },
                ),
            )
        })?;
        let r = |e| reply(cookie, e);
        let socket_type = m.socket_type().map_err(r)?;
        let state = m.state().map_err(r)?;
        let node = m.node().map_err(r)?.unwrap_or(0);
        let port_id = m.port_id().map_err(r)?.unwrap_or(0);
        let peer = m.connection().map_err(r)?;
        // Every other attribute is checked too.
        m.stats().map_err(r)?;
        m.group().map_err(r)?;
        m.inode().map_err(r)?;
        m.uid().map_err(r)?;
        Ok((
            cookie,
            Kept {
                kind: Kind::Tipc(socket_type.unwrap_or(SocketType::Unknown(0))),
                state: state.unwrap_or(TcpState::Unknown(0)),
                local: Packed::pair(Packed::TIPC, node, port_id),
                peer: peer.map_or(Packed::default(), |c| {
                    Packed::pair(Packed::TIPC, c.node, c.port_id)
                }),
                ..Kept::default()
            },
        ))
    }
    fn with_info(self) -> Option<Self> {
        None
    }
}

impl Polled for SmcRequest {
    fn keep(m: &SmcMsg<'_>, _: &[TcpField]) -> Result<(u64, Kept), Error> {
        for attr in m.attributes() {
            attr.map_err(|e| reply(m.cookie(), e))?;
        }
        Ok((
            m.cookie(),
            Kept {
                kind: Kind::Smc,
                state: m.state().as_tcp(),
                local: Packed::maybe_ip(m.src(), m.src_port()),
                peer: Packed::maybe_ip(m.dst(), m.dst_port()),
                ..Kept::default()
            },
        ))
    }
    fn with_info(self) -> Option<Self> {
        None
    }
}

/// The error of socket `cookie`'s reply.
fn reply(cookie: u64, error: ParseError) -> Error {
    Error::Reply { cookie, error }
}

/// The counters of `before` and `now` that differ, as a bit mask.
fn changed_counters(before: &Kept, now: &Kept, n: usize) -> u8 {
    let mut mask = before.present ^ now.present;
    for i in 0..n {
        let (b, a) = (before.counters.get(i), now.counters.get(i));
        if now.present & (1 << i) != 0 && b != a {
            mask |= 1 << i;
        }
    }
    mask
}

/// Polls a request and reports changes ([module docs](self)).
///
/// One poller serves every family; with [halves](Self::with_halves) (inet
/// dumps) it polls on two threads, each dump describing half of the
/// sockets, divided where they split evenly at the first poll and anew
/// whenever the halves drift a tenth apart, handing the sockets that
/// change halves from one tracker to the other (so none reads as gone or
/// new).
#[derive(Debug)]
pub struct Poller<R: Polled> {
    scanner: Scanner<R>,
    trackers: [Tracker<Kept>; 2],
    fields: [TcpField; MAX_TRACKED],
    tracked: usize,
    /// Polls finished.
    polls: u64,
    /// When the halves were last divided.
    divided: Option<Instant>,
}

impl<R: Polled> Poller<R> {
    /// A poller running `req` on a new socket, on this thread.
    pub fn new(req: R) -> Result<Self, Error> {
        Ok(Self::with_socket(DiagSocket::new()?, req))
    }

    /// A poller running `req` on `sock` (opened in another namespace, with
    /// a timeout, ...).
    pub fn with_socket(sock: DiagSocket, req: R) -> Self {
        Poller {
            scanner: Scanner::with_socket(sock, req),
            trackers: [Tracker::new(), Tracker::new()],
            fields: [TcpField::State; MAX_TRACKED],
            tracked: 0,
            polls: 0,
            divided: None,
        }
    }

    fn tracked_fields(&self) -> &[TcpField] {
        self.fields.get(..self.tracked).unwrap_or_default()
    }

    /// Also reports a socket as changed when one of these `tcp_info`
    /// fields moved, and keeps their values ([`Brief::counter`]); at most
    /// four. The request is made to ask for `INET_DIAG_INFO`. Before the
    /// first poll only: [`Error::InvalidArgument`] for too many fields, a
    /// family without `tcp_info`, or a poller that already polled.
    pub fn track(mut self, fields: &[TcpField]) -> Result<Self, Error> {
        if fields.len() > MAX_TRACKED {
            return Err(InvalidArgument::TooManyCounters {
                given: fields.len(),
                max: MAX_TRACKED,
            }
            .into());
        }
        if self.polls > 0 {
            return Err(
                InvalidArgument::Conflict("counters are chosen before the first poll").into(),
            );
        }
        if fields.is_empty() {
            self.tracked = 0;
            return Ok(self);
        }
        let Some(req) = (*self.scanner.request()).with_info() else {
            return Err(
                InvalidArgument::Conflict("only inet sockets have tcp_info counters").into(),
            );
        };
        self.scanner = self.scanner.with_request(req)?;
        for (slot, f) in self.fields.iter_mut().zip(fields) {
            *slot = *f;
        }
        self.tracked = fields.len();
        Ok(self)
    }

    /// Reports a socket gone only after `polls + 1` consecutive polls
    /// missed it ([`Tracker::with_grace`]).
    #[must_use]
    pub fn with_grace(mut self, polls: u32) -> Self {
        self.trackers = self.trackers.map(|t| t.with_grace(polls));
        self
    }

    /// Receives on a second thread while this one tracks
    /// ([`Scanner::pipelined`]).
    pub fn pipelined(mut self) -> Result<Self, Error> {
        self.scanner = self.scanner.pipelined()?;
        Ok(self)
    }

    /// Polls in two halves on two threads ([`Scanner::halves`]; inet dumps
    /// only). The first poll lists every socket in one dump and divides
    /// the halves where they split evenly.
    pub fn with_halves(mut self) -> Result<Self, Error> {
        self.scanner = self.scanner.halves()?;
        Ok(self)
    }

    /// Polls only the sockets `filter` selects ([`Scanner::with_filter`]).
    pub fn with_filter(mut self, filter: &crate::inet::filter::Filter) -> Result<Self, Error> {
        self.scanner = self.scanner.with_filter(filter)?;
        Ok(self)
    }

    /// How it runs.
    pub fn strategy(&self) -> Strategy {
        self.scanner.strategy()
    }

    /// Bounds how long each receive may wait, on every socket it uses.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        self.scanner.set_timeout(timeout)
    }

    /// The sockets each half tracks (`[all, 0]` without halves).
    pub fn halves(&self) -> [usize; 2] {
        [self.trackers[0].len(), self.trackers[1].len()]
    }

    /// What the last poll kept of socket `cookie`, if it is tracked (seen
    /// by the last finished poll, or within the grace): for a destroy
    /// event of a socket the polls know, say.
    pub fn get(&self, cookie: u64) -> Option<Brief<'_>> {
        let fields = self.tracked_fields();
        self.trackers
            .iter()
            .find_map(|t| t.get(cookie))
            .map(|kept| Brief { kept, fields })
    }

    /// Every tracked socket with what the last poll kept of it.
    pub fn tracked(&self) -> impl Iterator<Item = (u64, Brief<'_>)> + '_ {
        let fields = self.tracked_fields();
        self.trackers
            .iter()
            .flat_map(|t| t.iter())
            .map(move |(c, kept)| (c, Brief { kept, fields }))
    }

    /// Sockets tracked.
    pub fn len(&self) -> usize {
        self.trackers[0].len() + self.trackers[1].len()
    }

    /// True if no socket is tracked.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A first poll that reports nothing: the sockets there now become the
    /// known ones, and later polls report what changes from them.
    pub fn prime(&mut self) -> Result<PollStats, Error> {
        self.poll(|_| {})
    }

    /// Runs the request once and calls `f` for each change: new and
    /// changed sockets as the dump goes, gone ones at its end. The first
    /// poll reports every socket as new (unless [primed](Self::prime)).
    ///
    /// A reply whose attributes do not parse on the way to what is kept
    /// (its `tcp_info`, a unix peer) ends the poll with [`Error::Parse`]
    /// rather than reading them as absent. A poll that fails midway leaves
    /// the changes it reported reported; the next poll compares with the
    /// last one that finished, so it may report again a socket the failed
    /// one reported new. A dump the kernel marks inconsistent is
    /// [`Error::DumpInterrupted`], after the poll finished.
    pub fn poll<F>(&mut self, f: F) -> Result<PollStats, Error>
    where
        F: for<'a, 'b> FnMut(Change<'a, R::Msg<'b>>),
    {
        let mut f = f;
        self.poll_listed(|l| {
            if let Listing::Change(c) = l {
                f(c);
            }
        })
    }

    /// [`poll`](Self::poll) that also reports every socket the dump
    /// lists ([`Listing::Listed`], changed or not, before its change if
    /// it has one): for aggregates over the whole population (counts by
    /// state, queue lengths, `tcp_info` distributions) from the same dump
    /// that tracks the changes. A socket the kernel lists twice is listed
    /// once.
    pub fn poll_listed<F>(&mut self, mut f: F) -> Result<PollStats, Error>
    where
        F: for<'a, 'b> FnMut(Listing<'a, R::Msg<'b>>),
    {
        let mut stats = PollStats::default();
        let fields = self.fields;
        let fields = fields.get(..self.tracked).unwrap_or_default();
        let whole = self.polls == 0 && self.scanner.strategy() == Strategy::Halves;
        for t in &mut self.trackers {
            t.begin();
        }
        let trackers = &mut self.trackers;
        let mut each = |half: usize, m: R::Msg<'_>| -> Result<(), Error> {
            let (cookie, now) = R::keep(&m, fields)?;
            let Some(tracker) = trackers.get_mut(half) else {
                return Ok(());
            };
            let observed = tracker.observe(cookie, now);
            if !matches!(observed, Observed::Repeated) {
                f(Listing::Listed {
                    cookie,
                    msg: &m,
                    now: Brief { kept: &now, fields },
                });
            }
            match observed {
                Observed::New => {
                    stats.sockets += 1;
                    stats.new += 1;
                    f(Listing::Change(Change::New {
                        cookie,
                        msg: &m,
                        now: Brief { kept: &now, fields },
                    }));
                }
                Observed::Known(before) => {
                    stats.sockets += 1;
                    let (before, now) = (Brief::new(&before, fields), Brief::new(&now, fields));
                    let what = What::between(&before, &now);
                    if what.any() {
                        stats.changed += 1;
                        f(Listing::Change(Change::Changed {
                            cookie,
                            msg: &m,
                            before,
                            now,
                            what,
                        }));
                    }
                }
                Observed::Repeated => stats.repeated += 1,
            }
            Ok(())
        };
        let result = if whole {
            // The first poll of two halves: every socket in one dump, then
            // divided where they split evenly.
            self.scanner.scan_whole(|m| each(0, m)).map(|_| ())
        } else {
            self.scanner.scan(&mut each).map(|_| ())
        };
        match result {
            Ok(()) | Err(Error::DumpInterrupted) => {}
            Err(e) => return Err(e),
        }
        for t in &mut self.trackers {
            t.finish(|cookie, kept| {
                stats.gone += 1;
                f(Listing::Change(Change::Gone {
                    cookie,
                    last: Brief { kept, fields },
                }));
            });
        }
        self.polls += 1;
        if self.scanner.strategy() == Strategy::Halves {
            self.rebalance(whole)?;
        }
        result.map(|()| stats)
    }

    /// Divides the halves anew where the tracked sockets split evenly: after
    /// the first poll, and whenever they drift a tenth apart (at most once
    /// a second). Sockets that change halves change trackers.
    fn rebalance(&mut self, first: bool) -> Result<(), Error> {
        let [a, b] = self.halves();
        let drifted = a.abs_diff(b) > (a + b) / 10;
        let due = self
            .divided
            .is_none_or(|t| t.elapsed() >= Duration::from_secs(1));
        if !(first || drifted && due) {
            return Ok(());
        }
        self.divided = Some(Instant::now());
        let ports = |(_, k): (u64, &Kept)| match (k.local.end(), k.peer.end()) {
            (End::Addr(l), End::Addr(r)) => Some((l.port(), r.port())),
            _ => None,
        };
        let [t0, t1] = &self.trackers;
        let sample = t0.iter().chain(t1.iter()).filter_map(ports);
        if !self.scanner.divide(sample)? && !first {
            return Ok(());
        }
        let Some(division) = self.scanner.division().cloned() else {
            return Ok(());
        };
        let second = |k: &Kept| match (k.local.end(), k.peer.end()) {
            (End::Addr(src), End::Addr(dst)) => {
                division.matches(&Entry::new(src, dst)) == Some(false)
            }
            _ => false,
        };
        let [t0, t1] = &mut self.trackers;
        t0.hand_over(t1, |_, k| second(k));
        t1.hand_over(t0, |_, k| !second(k));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vsock_ends_are_kept_whole() {
        let local = VsockAddr { cid: 3, port: 1234 };
        let peer = VsockAddr {
            cid: u32::MAX,
            port: u32::MAX,
        };
        let kind = Kind::Vsock(SocketType::Stream);
        let kept = Kept::new(kind, TcpState::Listen, End::Vsock(local), End::Vsock(peer));
        let brief = Brief::new(&kept, &[]);
        assert_eq!(brief.kind(), kind);
        assert_eq!(
            (brief.local(), brief.peer()),
            (End::Vsock(local), End::Vsock(peer))
        );
        assert_eq!(brief.peer().to_string(), "*:*");
    }

    #[test]
    fn tipc_and_smc_ends_are_kept_whole() {
        let local = End::Tipc {
            node: u32::MAX,
            port_id: 0x8000_0001,
        };
        let kind = Kind::Tipc(SocketType::Rdm);
        let kept = Kept::new(kind, TcpState::Close, local, End::None);
        let brief = Brief::new(&kept, &[]);
        assert_eq!(
            (brief.kind(), brief.local(), brief.peer()),
            (kind, local, End::None)
        );
        assert_eq!(brief.local().to_string(), "4294967295:2147483649");
        // An SMC end without its address keeps its port.
        let v6: SocketAddr = "[2001:db8::1]:443".parse().unwrap();
        let kept = Kept::new(Kind::Smc, TcpState::Listen, End::Port(443), End::Addr(v6));
        let brief = Brief::new(&kept, &[]);
        assert_eq!(
            (brief.local(), brief.peer()),
            (End::Port(443), End::Addr(v6))
        );
        assert_eq!(brief.local().to_string(), "*:443");
    }

    /// A TCP reply (host byte order) with `attrs` after the fixed part.
    fn reply(attrs: &[Vec<u8>]) -> Vec<u8> {
        use zerocopy::{FromZeros, IntoBytes};
        let mut m = crate::raw::inet_diag::inet_diag_msg::new_zeroed();
        m.idiag_family = crate::raw::AF_INET;
        m.idiag_state = 1;
        let mut payload = m.as_bytes().to_vec();
        payload.extend(attrs.concat());
        crate::netlink::tests::msg(20, 2, 1, 1, &payload)
    }

    fn kept_of(bytes: &[u8], track: &[TcpField]) -> Result<Kept, ParseError> {
        let unwrap = |e| match e {
            Error::Reply { error, .. } => error,
            e => panic!("{e}"),
        };
        let m = crate::netlink::Messages::new(bytes)
            .next()
            .unwrap()
            .unwrap();
        keep_inet(&InetMsg::parse_as(m, Protocol::Tcp).unwrap(), track)
            .map(|(_, k)| k)
            .map_err(unwrap)
    }

    #[test]
    fn tracked_counters_come_from_tcp_info_or_the_reply_is_an_error() {
        use crate::netlink::tests::attr;
        use crate::raw::inet_diag::{INET_DIAG_INFO, INET_DIAG_SHUTDOWN};
        use zerocopy::{FromZeros, IntoBytes};
        let mut info = crate::raw::tcp::tcp_info::new_zeroed();
        info.tcpi_bytes_received = 12_345.into();
        let k = TcpField::BytesReceived;
        let brief = |kept: &Kept, fields: &[TcpField]| Brief::new(kept, fields).counter(k);
        let good = reply(&[
            attr(INET_DIAG_SHUTDOWN, &[0]),
            attr(INET_DIAG_INFO, info.as_bytes()),
        ]);
        assert_eq!(brief(&kept_of(&good, &[k]).unwrap(), &[k]), Some(12_345));
        assert_eq!(brief(&kept_of(&good, &[]).unwrap(), &[]), None);
        // No INFO: the counter is absent, not an error.
        let none = reply(&[attr(INET_DIAG_SHUTDOWN, &[0])]);
        assert_eq!(brief(&kept_of(&none, &[k]).unwrap(), &[k]), None);
        // A damaged attribute before INFO: an error when counters are
        // read, ignored when nothing is read from the attributes.
        for damaged in [
            reply(&[
                attr(INET_DIAG_SHUTDOWN, &[0, 0]),
                attr(INET_DIAG_INFO, info.as_bytes()),
            ]),
            reply(&[vec![200, 0, 8, 0], attr(INET_DIAG_INFO, info.as_bytes())]),
        ] {
            let e = kept_of(&damaged, &[k]).unwrap_err();
            assert_eq!(e.layer(), crate::parse_error::Layer::Attribute, "{e}");
            // Untracked too: a damaged reply is never taken as unchanged.
            assert!(kept_of(&damaged, &[]).is_err());
        }
    }

    #[test]
    fn briefs_give_back_what_was_kept() {
        let v6: SocketAddr = "[2001:db8::1]:443".parse().unwrap();
        let v4: SocketAddr = "10.0.0.1:50000".parse().unwrap();
        let mut kept = Kept {
            kind: Kind::Inet {
                family: Family::Inet6,
                protocol: Some(Protocol::Tcp),
            },
            state: TcpState::Established,
            local: Packed::ip(v6.ip(), v6.port()),
            peer: Packed::ip(v4.ip(), v4.port()),
            ..Kept::default()
        };
        kept.counters[1] = 7;
        kept.present = 0b10;
        let fields = [TcpField::Rtt, TcpField::TotalRetrans];
        let b = Brief {
            kept: &kept,
            fields: &fields,
        };
        assert_eq!((b.local(), b.peer()), (End::Addr(v6), End::Addr(v4)));
        assert_eq!(b.counter(TcpField::TotalRetrans), Some(7));
        assert_eq!(b.counter(TcpField::Rtt), None);
        assert_eq!(b.counter(TcpField::SndCwnd), None);
        assert_eq!(
            b.counters().collect::<Vec<_>>(),
            [(TcpField::Rtt, None), (TcpField::TotalRetrans, Some(7))]
        );
        for (tag, id, end) in [
            (Packed::INODE, 77, End::Inode(77)),
            (Packed::INTERFACE, 3, End::Interface(3)),
            (Packed::PORT_ID, u32::MAX, End::PortId(u32::MAX)),
        ] {
            assert_eq!(Packed::id(tag, id).end(), end);
        }
        assert_eq!(Packed::default().end(), End::None);
        // What changed: the state, and a counter that moved or appeared.
        let mut now = kept;
        now.counters[1] = 8;
        now.present = 0b11;
        assert_eq!(changed_counters(&kept, &now, 2), 0b11);
        assert_eq!(changed_counters(&kept, &kept, 2), 0);
        let what = What {
            state: false,
            counters: 0b10,
            fields: &fields,
        };
        assert_eq!(
            what.counters().collect::<Vec<_>>(),
            [TcpField::TotalRetrans]
        );
    }
}
