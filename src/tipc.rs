//! TIPC sockets (`tipc_diag`, Linux 4.20; what `ss --tipc` lists): the
//! [`TipcRequest`] builder, the borrowed [`TipcMsg`] view over a reply's
//! `TIPC_NLA_SOCK` nest, and the owned [`TipcSocket`].
//!
//! Unlike every other family, a TIPC reply has no fixed struct: its
//! payload is the one nested attribute `TIPC_NLA_SOCK`, so it does not
//! start with a family byte ([`replay`](crate::replay) cannot tell it from
//! other replies and leaves it [`Other`](crate::replay::Record::Other)).
//! Each accessor decodes its own attribute: a damaged one is an error for
//! that field only.

use core::fmt;

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::IntoBytes;

use crate::common::{DebugIter, SocketType};
use crate::inet::{States, TcpState};
use crate::netlink::{Attr, Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::tipc_diag::{self as rt, tipc_sock_diag_req};
use crate::raw::AF_TIPC;
use crate::request::{header, RequestBytes};

/// A dump request for TIPC sockets.
///
/// ```
/// use sockdiag::inet::States;
/// use sockdiag::tipc::TipcRequest;
///
/// let req = TipcRequest::new().with_states(States::LISTEN);
/// assert_eq!(req.to_bytes(1).as_bytes().len(), 16 + 8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TipcRequest {
    states: States,
}

impl Default for TipcRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl TipcRequest {
    /// Every TIPC socket ([`States::DEFAULT`]).
    pub const fn new() -> Self {
        TipcRequest {
            states: States::DEFAULT,
        }
    }

    /// Selects the states to dump (`tidiag_states`): TIPC sockets use
    /// TCP's numbers (`ESTABLISHED`, `SYN_SENT` while connecting,
    /// `LISTEN`, `CLOSE` when open and unconnected, `CLOSE_WAIT` while
    /// disconnecting).
    #[must_use]
    pub const fn with_states(mut self, states: States) -> Self {
        self.states = states;
        self
    }

    /// The selected states.
    pub const fn states(&self) -> States {
        self.states
    }

    /// The request body (`struct tipc_sock_diag_req`).
    pub fn to_raw(&self) -> tipc_sock_diag_req {
        tipc_sock_diag_req {
            sdiag_family: AF_TIPC,
            sdiag_protocol: 0,
            pad: U16::new(0),
            tidiag_states: U32::new(self.states.bits()),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let hdr = header(16 + 8, SOCK_DIAG_BY_FAMILY, true, seq);
        RequestBytes::new(&[hdr.as_bytes(), self.to_raw().as_bytes()])
    }
}

crate::request::family_request!(TipcRequest, AF_TIPC => TipcMsg, TipcSocket;
    /// `tipc_diag` answers a socket that the state selection excludes
    /// with an empty `SOCK_DIAG_BY_FAMILY` message (6.1 and 6.12, seen by
    /// the kernel matrix).
    fn is_empty_reply(&self, msg: &NlMsg<'_>) -> bool {
        msg.kind() == SOCK_DIAG_BY_FAMILY && msg.payload().is_empty()
    }
);

/// A TIPC socket's connection (`TIPC_NLA_SOCK_CON`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TipcConnection {
    /// `TIPC_NLA_CON_NODE`: the peer's node.
    pub node: u32,
    /// `TIPC_NLA_CON_SOCK`: the peer's port id.
    pub port_id: u32,
    /// `TIPC_NLA_CON_TYPE` and `TIPC_NLA_CON_INST`: the service connected
    /// to by name (`TIPC_NLA_CON_FLAG`), if it was.
    pub service: Option<(u32, u32)>,
}

/// A TIPC socket's queues and drops (`TIPC_NLA_SOCK_STAT`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TipcStats {
    /// `TIPC_NLA_SOCK_STAT_RCVQ`: messages in the receive queue.
    pub rcvq: u32,
    /// `TIPC_NLA_SOCK_STAT_SENDQ`: messages in the send queue.
    pub sendq: u32,
    /// `TIPC_NLA_SOCK_STAT_DROP`: messages dropped.
    pub drops: u32,
    /// `TIPC_NLA_SOCK_STAT_LINK_CONG`: link congestion.
    pub link_congested: bool,
    /// `TIPC_NLA_SOCK_STAT_CONN_CONG`: connection congestion.
    pub conn_congested: bool,
}

/// A borrowed, checked view of one TIPC socket reply: its `TIPC_NLA_SOCK`
/// nest.
#[derive(Clone, Copy)]
pub struct TipcMsg<'buf> {
    sock: Attr<'buf>,
}

impl<'buf> TipcMsg<'buf> {
    /// Checks one `SOCK_DIAG_BY_FAMILY` reply for `AF_TIPC`: it must hold
    /// a `TIPC_NLA_SOCK` attribute.
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        if msg.kind() != SOCK_DIAG_BY_FAMILY {
            return Err(ParseError::new(
                Layer::TipcDiagMsg,
                msg.offset(),
                ParseErrorKind::UnexpectedType { found: msg.kind() },
            ));
        }
        let attrs = Attrs::with_base(msg.payload(), msg.payload_offset());
        match attrs.find(rt::TIPC_NLA_SOCK)? {
            Some(sock) => Ok(TipcMsg { sock }),
            None => Err(ParseError::new(
                Layer::TipcDiagMsg,
                msg.payload_offset(),
                ParseErrorKind::MissingAttribute {
                    kind: rt::TIPC_NLA_SOCK,
                },
            )),
        }
    }

    /// Where the `TIPC_NLA_SOCK` nest starts in the datagram.
    pub(crate) fn offset(&self) -> usize {
        self.sock.offset()
    }

    /// The `TIPC_NLA_SOCK_*` attributes, raw.
    pub fn attrs(&self) -> Attrs<'buf> {
        self.sock.nested()
    }

    fn u32_of(&self, kind: u16) -> Result<Option<u32>, ParseError> {
        self.attrs().find(kind)?.map(|a| a.u32()).transpose()
    }

    /// `TIPC_NLA_SOCK_ADDR`: the own node's address (0 before the node
    /// has an identity).
    pub fn node(&self) -> Result<Option<u32>, ParseError> {
        self.u32_of(rt::TIPC_NLA_SOCK_ADDR)
    }

    /// `TIPC_NLA_SOCK_REF`: the socket's port id.
    pub fn port_id(&self) -> Result<Option<u32>, ParseError> {
        self.u32_of(rt::TIPC_NLA_SOCK_REF)
    }

    /// `TIPC_NLA_SOCK_TYPE`: the socket type (RDM, datagram, stream,
    /// seqpacket).
    pub fn socket_type(&self) -> Result<Option<SocketType>, ParseError> {
        Ok(self
            .u32_of(rt::TIPC_NLA_SOCK_TYPE)?
            .map(|t| SocketType::from_raw(u8::try_from(t).unwrap_or(u8::MAX))))
    }

    /// `TIPC_NLA_SOCK_TIPC_STATE`: the state, in TCP's numbers.
    pub fn state(&self) -> Result<Option<TcpState>, ParseError> {
        Ok(self
            .u32_of(rt::TIPC_NLA_SOCK_TIPC_STATE)?
            .map(|s| TcpState::from_raw(u8::try_from(s).unwrap_or(u8::MAX))))
    }

    /// `TIPC_NLA_SOCK_INO`.
    pub fn inode(&self) -> Result<Option<u32>, ParseError> {
        self.u32_of(rt::TIPC_NLA_SOCK_INO)
    }

    /// `TIPC_NLA_SOCK_UID`.
    pub fn uid(&self) -> Result<Option<u32>, ParseError> {
        self.u32_of(rt::TIPC_NLA_SOCK_UID)
    }

    /// `TIPC_NLA_SOCK_COOKIE`.
    pub fn cookie(&self) -> Result<Option<u64>, ParseError> {
        self.attrs()
            .find(rt::TIPC_NLA_SOCK_COOKIE)?
            .map(|a| a.u64())
            .transpose()
    }

    /// `TIPC_NLA_SOCK_HAS_PUBL`: whether the socket published a service.
    pub fn has_publication(&self) -> Result<bool, ParseError> {
        Ok(self.attrs().find(rt::TIPC_NLA_SOCK_HAS_PUBL)?.is_some())
    }

    /// `TIPC_NLA_SOCK_CON`: the connection, if connected.
    pub fn connection(&self) -> Result<Option<TipcConnection>, ParseError> {
        let Some(con) = self.attrs().find(rt::TIPC_NLA_SOCK_CON)? else {
            return Ok(None);
        };
        let nest = con.nested();
        let u32_in = |kind| -> Result<u32, ParseError> {
            Ok(nest.find(kind)?.map(|a| a.u32()).transpose()?.unwrap_or(0))
        };
        let service = if nest.find(rt::TIPC_NLA_CON_FLAG)?.is_some() {
            Some((
                u32_in(rt::TIPC_NLA_CON_TYPE)?,
                u32_in(rt::TIPC_NLA_CON_INST)?,
            ))
        } else {
            None
        };
        Ok(Some(TipcConnection {
            node: u32_in(rt::TIPC_NLA_CON_NODE)?,
            port_id: u32_in(rt::TIPC_NLA_CON_SOCK)?,
            service,
        }))
    }

    /// `TIPC_NLA_SOCK_STAT`: queues and drops.
    pub fn stats(&self) -> Result<Option<TipcStats>, ParseError> {
        let Some(stat) = self.attrs().find(rt::TIPC_NLA_SOCK_STAT)? else {
            return Ok(None);
        };
        let nest = stat.nested();
        let u32_in = |kind| -> Result<u32, ParseError> {
            Ok(nest.find(kind)?.map(|a| a.u32()).transpose()?.unwrap_or(0))
        };
        Ok(Some(TipcStats {
            rcvq: u32_in(rt::TIPC_NLA_SOCK_STAT_RCVQ)?,
            sendq: u32_in(rt::TIPC_NLA_SOCK_STAT_SENDQ)?,
            drops: u32_in(rt::TIPC_NLA_SOCK_STAT_DROP)?,
            link_congested: nest.find(rt::TIPC_NLA_SOCK_STAT_LINK_CONG)?.is_some(),
            conn_congested: nest.find(rt::TIPC_NLA_SOCK_STAT_CONN_CONG)?.is_some(),
        }))
    }

    /// `TIPC_NLA_SOCK_GROUP`'s `TIPC_NLA_SOCK_GROUP_ID`: the communication
    /// group joined, if any.
    pub fn group(&self) -> Result<Option<u32>, ParseError> {
        let Some(group) = self.attrs().find(rt::TIPC_NLA_SOCK_GROUP)? else {
            return Ok(None);
        };
        group
            .nested()
            .find(rt::TIPC_NLA_SOCK_GROUP_ID)?
            .map(|a| a.u32())
            .transpose()
    }
}

impl fmt::Debug for TipcMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TipcMsg")
            .field("type", &self.socket_type())
            .field("state", &self.state())
            .field("node", &self.node())
            .field("port_id", &self.port_id())
            .field("connection", &self.connection())
            .field("stats", &self.stats())
            .field("inode", &self.inode())
            .field("uid", &self.uid())
            .field("cookie", &self.cookie())
            .field("attrs", &DebugIter(self.attrs()))
            .finish()
    }
}

/// One TIPC socket, owned. A field whose attribute was missing is `None`;
/// one that did not parse is `None` with its error in `errors`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct TipcSocket {
    /// Socket type.
    pub socket_type: Option<SocketType>,
    /// State.
    pub state: Option<TcpState>,
    /// Own node.
    pub node: Option<u32>,
    /// Port id.
    pub port_id: Option<u32>,
    /// Connection.
    pub connection: Option<TipcConnection>,
    /// Published a service.
    pub has_publication: bool,
    /// Queues and drops.
    pub stats: Option<TipcStats>,
    /// Group.
    pub group: Option<u32>,
    /// Inode.
    pub inode: Option<u32>,
    /// Owner.
    pub uid: Option<u32>,
    /// Cookie.
    pub cookie: Option<u64>,
    /// Attributes that did not parse.
    pub errors: Vec<ParseError>,
}

/// `r`'s value, or the default with its error kept (once: a broken nest
/// fails every field the same way).
fn kept<T: Default>(errors: &mut Vec<ParseError>, r: Result<T, ParseError>) -> T {
    r.unwrap_or_else(|e| {
        if !errors.contains(&e) {
            errors.push(e);
        }
        T::default()
    })
}

impl From<TipcMsg<'_>> for TipcSocket {
    fn from(m: TipcMsg<'_>) -> Self {
        let mut e = Vec::new();
        TipcSocket {
            socket_type: kept(&mut e, m.socket_type()),
            state: kept(&mut e, m.state()),
            node: kept(&mut e, m.node()),
            port_id: kept(&mut e, m.port_id()),
            connection: kept(&mut e, m.connection()),
            has_publication: kept(&mut e, m.has_publication()),
            stats: kept(&mut e, m.stats()),
            group: kept(&mut e, m.group()),
            inode: kept(&mut e, m.inode()),
            uid: kept(&mut e, m.uid()),
            cookie: kept(&mut e, m.cookie()),
            errors: e,
        }
    }
}

#[cfg(test)]
mod tests;
