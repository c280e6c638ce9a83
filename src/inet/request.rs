//! Inet dump requests: [`InetRequest`] (`struct inet_diag_req_v2`, one
//! family, any protocol) and [`LegacyRequest`] (`struct inet_diag_req`,
//! TCP or DCCP of both families in one kernel walk).

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{Immutable, IntoBytes};

use std::net::SocketAddr;

use zerocopy::byteorder::network_endian::U16 as BeU16;

use super::filter::Bytecode;
use super::{Extensions, Family, InetMsg, InetSocket, Protocol, SocketId, States};
use crate::netlink::NlMsg;
use crate::parse_error::ParseError;
use crate::raw::inet_diag::{
    inet_diag_req, inet_diag_req_v2, inet_diag_sockid, DCCPDIAG_GETSOCK, INET_DIAG_NOCOOKIE,
    INET_DIAG_REQ_BYTECODE, INET_DIAG_REQ_PROTOCOL, TCPDIAG_GETSOCK,
};
use crate::raw::netlink::{nlattr, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST};
use crate::raw::sock_diag::{SOCK_DESTROY, SOCK_DIAG_BY_FAMILY};
use crate::raw::AF_INET;
use crate::request::{header, header_with, RequestBytes};
use crate::request::{sealed, Request};

/// A socket id that matches everything (no port filter, no cookie).
fn any_id() -> inet_diag_sockid {
    inet_diag_sockid {
        idiag_cookie: [U32::new(INET_DIAG_NOCOOKIE); 2],
        ..Default::default()
    }
}

#[derive(IntoBytes, Immutable)]
#[repr(C)]
struct ProtocolAttr {
    header: nlattr,
    protocol: U32,
}

/// A dump request for inet sockets of one family and protocol: a `Copy`
/// builder that encodes onto the stack.
///
/// MPTCP (protocol 262) does not fit the request's protocol byte: it goes
/// in an `INET_DIAG_REQ_PROTOCOL` attribute, with the byte set to 0 so
/// that a kernel without MPTCP diag support answers
/// [`Error::Unavailable`](crate::Error::Unavailable) instead of dumping
/// something else.
///
/// ```
/// use sockdiag::inet::{Extensions, Family, InetRequest, Protocol, States};
///
/// let req = InetRequest::new(Family::Inet6, Protocol::Tcp)
///     .with_states(States::LISTEN | States::ESTABLISHED)
///     .with_extensions(Extensions::INFO | Extensions::CONG);
/// assert_eq!(req.to_bytes(7).as_bytes().len(), 72);
/// assert_eq!(req.to_raw().idiag_ext, 0b1010); // bits 1 and 3: attributes 2 and 4
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InetRequest {
    family: Family,
    protocol: Protocol,
    states: States,
    extensions: Extensions,
    raw_protocol: u8,
    src_port: u16,
    dst_port: u16,
    lookup: Option<SocketId>,
}

impl InetRequest {
    /// A dump of every `protocol` socket of `family` in the default states
    /// ([`States::DEFAULT`]), with no extension attributes.
    pub const fn new(family: Family, protocol: Protocol) -> Self {
        InetRequest {
            family,
            protocol,
            states: States::DEFAULT,
            extensions: Extensions::empty(),
            raw_protocol: 0,
            src_port: 0,
            dst_port: 0,
            lookup: None,
        }
    }

    /// An exact lookup of one `protocol` socket by its identity (`inet_diag`
    /// `dump_one`): addresses, ports, interface, and cookie unless it is
    /// `u64::MAX`. The family follows the source address (a v4-mapped IPv6
    /// address looks up a dual-stack socket). One reply, or
    /// [`Error::NotFound`](crate::Error::NotFound) if there is no such
    /// socket or its cookie differs. Also the target of
    /// [`DiagSocket::destroy`](crate::DiagSocket::destroy).
    ///
    /// Give the cookie when you have it: the kernel looks a TCP 4-tuple up
    /// as a packet would be, so without a cookie the addresses of a closed
    /// connection find the listener on its local port. (UDP lookups take
    /// the id with source and destination swapped; this request does that.)
    pub fn lookup(protocol: Protocol, id: SocketId) -> Self {
        let family = match id.src {
            SocketAddr::V4(_) => Family::Inet,
            SocketAddr::V6(_) => Family::Inet6,
        };
        InetRequest {
            lookup: Some(id),
            ..Self::new(family, protocol)
        }
    }

    /// Dumps only sockets with local port `port` (`id.idiag_sport`; 0 = any),
    /// a filter the kernel applies in its walk at no cost.
    #[must_use]
    pub const fn with_src_port(mut self, port: u16) -> Self {
        self.src_port = port;
        self
    }

    /// Dumps only sockets with remote port `port` (`id.idiag_dport`; 0 =
    /// any). A non-zero remote port also skips the listening sockets.
    #[must_use]
    pub const fn with_dst_port(mut self, port: u16) -> Self {
        self.dst_port = port;
        self
    }

    /// Selects the socket states to dump (`idiag_states`).
    #[must_use]
    pub const fn with_states(mut self, states: States) -> Self {
        self.states = states;
        self
    }

    /// Selects the extension attributes to ask for (`idiag_ext`).
    #[must_use]
    pub const fn with_extensions(mut self, extensions: Extensions) -> Self {
        self.extensions = extensions;
        self
    }

    /// For RAW requests, the raw socket protocol (`sdiag_raw_protocol`,
    /// byte 3 of `struct inet_diag_req_raw`, Linux 4.9) the kernel matches
    /// in exact lookups and `SOCK_DESTROY`; dumps report every raw socket
    /// and carry each one's protocol in `INET_DIAG_PROTOCOL`.
    #[must_use]
    pub const fn with_raw_protocol(mut self, protocol: u8) -> Self {
        self.raw_protocol = protocol;
        self
    }

    /// The address family.
    pub const fn family(&self) -> Family {
        self.family
    }

    /// The protocol.
    pub const fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The selected states.
    pub const fn states(&self) -> States {
        self.states
    }

    /// The requested extensions.
    pub const fn extensions(&self) -> Extensions {
        self.extensions
    }

    /// The socket a lookup request is for.
    pub const fn lookup_id(&self) -> Option<&SocketId> {
        self.lookup.as_ref()
    }

    /// The request body (`struct inet_diag_req_v2`): for a dump, the socket
    /// id holds only the port filters; for a lookup, the whole identity.
    pub fn to_raw(&self) -> inet_diag_req_v2 {
        inet_diag_req_v2 {
            sdiag_family: self.family.to_raw(),
            sdiag_protocol: u8::try_from(self.protocol.to_raw()).unwrap_or(0),
            idiag_ext: self.extensions.bits(),
            pad: self.raw_protocol,
            idiag_states: U32::new(self.states.bits()),
            id: match &self.lookup {
                Some(id) => id.to_raw(),
                None => inet_diag_sockid {
                    idiag_sport: BeU16::new(self.src_port),
                    idiag_dport: BeU16::new(self.dst_port),
                    ..any_id()
                },
            },
        }
    }

    /// The complete netlink message (`nlmsghdr` with `NLM_F_REQUEST`, plus
    /// `NLM_F_DUMP` for a dump, and sequence number `seq`; the body; for
    /// MPTCP the protocol attribute), ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let flags = if self.lookup.is_some() {
            NLM_F_REQUEST
        } else {
            NLM_F_REQUEST | NLM_F_DUMP
        };
        self.encode_as(SOCK_DIAG_BY_FAMILY, flags, seq)
    }

    /// Attaches a filter program (`INET_DIAG_REQ_BYTECODE`) to this dump
    /// request: the kernel then sends only the sockets it accepts. The
    /// program is borrowed, not copied, and sent from where it is.
    ///
    /// The kernel ignores programs in exact lookups.
    pub fn with_bytecode<B: AsRef<[u8]>>(self, program: &Bytecode<B>) -> Filtered<'_, Self> {
        Filtered {
            req: self,
            program: program.as_bytes(),
        }
    }

    /// The message with type `kind` and `flags`.
    pub(crate) fn encode_as(&self, kind: u16, flags: u16, seq: u32) -> RequestBytes {
        self.encode_with(kind, flags, seq, None)
    }

    /// The message with type `kind` and `flags`, and the header of a
    /// bytecode attribute whose `program_len` bytes the caller sends after
    /// it.
    fn encode_with(
        &self,
        kind: u16,
        flags: u16,
        seq: u32,
        program_len: Option<usize>,
    ) -> RequestBytes {
        let mut body = self.to_raw();
        // udp_diag's lookup (not its destroy) reads the id with source and
        // destination swapped, "for historical reasons" (udp_diag.c).
        let udp = matches!(self.protocol, Protocol::Udp | Protocol::UdpLite);
        if udp && kind == SOCK_DIAG_BY_FAMILY && self.lookup.is_some() {
            let id = &mut body.id;
            core::mem::swap(&mut id.idiag_src, &mut id.idiag_dst);
            core::mem::swap(&mut id.idiag_sport, &mut id.idiag_dport);
        }
        let number = self.protocol.to_raw();
        let attr = ProtocolAttr {
            header: nlattr {
                nla_len: U16::new(8),
                nla_type: U16::new(INET_DIAG_REQ_PROTOCOL),
            },
            protocol: U32::new(u32::from(number)),
        };
        let protocol_attr: &[u8] = if number <= 0xff { &[] } else { attr.as_bytes() };
        let bytecode = program_header(program_len);
        let bytecode = bytecode.as_ref().map_or(&[][..], |h| h.as_bytes());
        let len = 16 + 56 + protocol_attr.len() + bytecode.len() + program_len.unwrap_or(0);
        let hdr = header_with(len, kind, flags, seq);
        RequestBytes::new(&[hdr.as_bytes(), body.as_bytes(), protocol_attr, bytecode])
    }
}

impl sealed::Sealed for InetRequest {}

impl Request for InetRequest {
    type Msg<'buf> = InetMsg<'buf>;
    type Owned = InetSocket;

    fn sdiag_family(&self) -> u8 {
        self.family.to_raw()
    }
    fn sdiag_protocol(&self) -> u16 {
        self.protocol.to_raw()
    }
    fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
        self.to_bytes(seq)
    }
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<InetMsg<'buf>, ParseError> {
        InetMsg::parse_as(msg, self.protocol)
    }
    fn is_lookup(&self) -> bool {
        self.lookup.is_some()
    }
}

/// `SOCK_DESTROY` of the socket a lookup request names: acknowledged, no
/// reply.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Destroy(pub(crate) InetRequest);

impl sealed::Sealed for Destroy {}

impl Request for Destroy {
    type Msg<'buf> = InetMsg<'buf>;
    type Owned = InetSocket;

    fn sdiag_family(&self) -> u8 {
        self.0.family.to_raw()
    }
    fn sdiag_protocol(&self) -> u16 {
        self.0.protocol.to_raw()
    }
    fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
        self.0
            .encode_as(SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, seq)
    }
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<InetMsg<'buf>, ParseError> {
        InetMsg::parse_as(msg, self.0.protocol)
    }
    fn is_lookup(&self) -> bool {
        true
    }
}

/// The legacy dump request (`TCPDIAG_GETSOCK` or `DCCPDIAG_GETSOCK` with
/// `struct inet_diag_req`): the kernel walks its tables once and returns
/// the IPv4 and IPv6 sockets of the protocol together, in messages of type
/// 18 (or 19). On a busy host this costs 0.79–0.84× two per-family
/// dumps (see `reference/kernel.md`, C10).
///
/// ```
/// use sockdiag::inet::{LegacyRequest, States};
///
/// let req = LegacyRequest::tcp().with_states(States::LISTEN);
/// assert_eq!(req.to_bytes(1).as_bytes().len(), 16 + 60);
/// ```
#[doc(alias = "inet_diag_req")]
#[doc(alias = "TCPDIAG_GETSOCK")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LegacyRequest {
    protocol: Protocol,
    states: States,
    extensions: Extensions,
}

impl LegacyRequest {
    /// Every TCP socket, IPv4 and IPv6 (`TCPDIAG_GETSOCK`).
    pub const fn tcp() -> Self {
        LegacyRequest {
            protocol: Protocol::Tcp,
            states: States::DEFAULT,
            extensions: Extensions::empty(),
        }
    }

    /// Every DCCP socket, IPv4 and IPv6 (`DCCPDIAG_GETSOCK`).
    pub const fn dccp() -> Self {
        LegacyRequest {
            protocol: Protocol::Dccp,
            ..Self::tcp()
        }
    }

    /// Selects the socket states to dump (`idiag_states`).
    #[must_use]
    pub const fn with_states(mut self, states: States) -> Self {
        self.states = states;
        self
    }

    /// Selects the extension attributes to ask for (`idiag_ext`).
    #[must_use]
    pub const fn with_extensions(mut self, extensions: Extensions) -> Self {
        self.extensions = extensions;
        self
    }

    /// The protocol: TCP or DCCP.
    pub const fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The states it dumps.
    pub const fn states(&self) -> States {
        self.states
    }

    /// The extensions it asks for.
    pub const fn extensions(&self) -> Extensions {
        self.extensions
    }

    /// The request body (`struct inet_diag_req`). Its family byte says
    /// `AF_INET`, which the kernel ignores for dumps: they cover both families.
    pub fn to_raw(&self) -> inet_diag_req {
        inet_diag_req {
            idiag_family: AF_INET,
            idiag_src_len: 0,
            idiag_dst_len: 0,
            idiag_ext: self.extensions.bits(),
            id: any_id(),
            idiag_states: U32::new(self.states.bits()),
            idiag_dbs: U32::new(0),
        }
    }

    /// Attaches a filter program (`INET_DIAG_REQ_BYTECODE`), as
    /// [`InetRequest::with_bytecode`] does.
    pub fn with_bytecode<B: AsRef<[u8]>>(self, program: &Bytecode<B>) -> Filtered<'_, Self> {
        Filtered {
            req: self,
            program: program.as_bytes(),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        self.encode_with(seq, None)
    }

    fn encode_with(&self, seq: u32, program_len: Option<usize>) -> RequestBytes {
        let kind = match self.protocol {
            Protocol::Dccp => DCCPDIAG_GETSOCK,
            _ => TCPDIAG_GETSOCK,
        };
        let bytecode = program_header(program_len);
        let bytecode = bytecode.as_ref().map_or(&[][..], |h| h.as_bytes());
        let len = 16 + 60 + bytecode.len() + program_len.unwrap_or(0);
        let hdr = header(len, kind, true, seq);
        RequestBytes::new(&[hdr.as_bytes(), self.to_raw().as_bytes(), bytecode])
    }
}

impl sealed::Sealed for LegacyRequest {}

impl Request for LegacyRequest {
    type Msg<'buf> = InetMsg<'buf>;
    type Owned = InetSocket;

    fn sdiag_family(&self) -> u8 {
        crate::raw::AF_UNSPEC
    }
    fn sdiag_protocol(&self) -> u16 {
        self.protocol.to_raw()
    }
    fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
        self.to_bytes(seq)
    }
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<InetMsg<'buf>, ParseError> {
        InetMsg::parse_as(msg, self.protocol)
    }
    fn means_unavailable(&self, errno: i32) -> bool {
        // Linux 6.16 removed DCCP and with it message type 19: EINVAL.
        errno == crate::raw::ENOENT
            || (self.protocol == Protocol::Dccp && errno == crate::raw::EINVAL)
    }
}

/// The header of an `INET_DIAG_REQ_BYTECODE` attribute for a program of
/// `len` bytes (at most [`MAX_BYTECODE_LEN`](super::filter::MAX_BYTECODE_LEN),
/// a multiple of 4: no padding follows).
fn program_header(len: Option<usize>) -> Option<nlattr> {
    len.map(|n| nlattr {
        nla_len: U16::new(u16::try_from(4 + n).unwrap_or(u16::MAX)),
        nla_type: U16::new(INET_DIAG_REQ_BYTECODE),
    })
}

/// A dump request with a filter program attached
/// ([`InetRequest::with_bytecode`], [`LegacyRequest::with_bytecode`]):
/// `Copy`, borrowing the program, which is sent from where it is (one
/// `sendmsg` of two parts), so a filtered dump allocates nothing either.
#[derive(Clone, Copy, Debug)]
pub struct Filtered<'a, R> {
    req: R,
    program: &'a [u8],
}

impl<R> Filtered<'_, R> {
    /// The request without the program.
    pub fn request(&self) -> &R {
        &self.req
    }

    /// The program.
    pub fn program(&self) -> &[u8] {
        self.program
    }
}

impl<R> sealed::Sealed for Filtered<'_, R> {}

impl Request for Filtered<'_, InetRequest> {
    type Msg<'buf> = InetMsg<'buf>;
    type Owned = InetSocket;

    fn sdiag_family(&self) -> u8 {
        self.req.sdiag_family()
    }
    fn sdiag_protocol(&self) -> u16 {
        self.req.sdiag_protocol()
    }
    fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
        let flags = if self.req.lookup.is_some() {
            NLM_F_REQUEST
        } else {
            NLM_F_REQUEST | NLM_F_DUMP
        };
        self.req
            .encode_with(SOCK_DIAG_BY_FAMILY, flags, seq, Some(self.program.len()))
    }
    fn tail(&self) -> &[u8] {
        self.program
    }
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<InetMsg<'buf>, ParseError> {
        self.req.parse(msg)
    }
    fn is_lookup(&self) -> bool {
        self.req.is_lookup()
    }
}

impl Request for Filtered<'_, LegacyRequest> {
    type Msg<'buf> = InetMsg<'buf>;
    type Owned = InetSocket;

    fn sdiag_family(&self) -> u8 {
        self.req.sdiag_family()
    }
    fn sdiag_protocol(&self) -> u16 {
        self.req.sdiag_protocol()
    }
    fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
        self.req.encode_with(seq, Some(self.program.len()))
    }
    fn tail(&self) -> &[u8] {
        self.program
    }
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<InetMsg<'buf>, ParseError> {
        self.req.parse(msg)
    }
    fn means_unavailable(&self, errno: i32) -> bool {
        self.req.means_unavailable(errno)
    }
}
