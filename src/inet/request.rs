//! The inet dump request (`struct inet_diag_req_v2` behind its header).

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{Immutable, IntoBytes};

use super::{Extensions, Family, InetMsg, Protocol, Socket, States};
use crate::error::ParseError;
use crate::netlink::NlMsg;
use crate::raw::inet_diag::{inet_diag_req_v2, inet_diag_sockid, INET_DIAG_NOCOOKIE};
use crate::raw::netlink::{nlmsghdr, NLM_F_DUMP, NLM_F_REQUEST};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::socket::{sealed, Request};

/// Length of an encoded [`InetRequest`]: `nlmsghdr` + `inet_diag_req_v2`.
pub const INET_REQUEST_LEN: usize = 16 + 56;

#[derive(IntoBytes, Immutable)]
#[repr(C)]
struct Wire {
    header: nlmsghdr,
    body: inet_diag_req_v2,
}

/// A dump request for inet sockets of one family and protocol: a `Copy`
/// builder that encodes onto the stack.
///
/// ```
/// use sockdiag::inet::{Extensions, Family, InetRequest, Protocol, States};
///
/// let req = InetRequest::new(Family::Inet6, Protocol::Tcp)
///     .with_states(States::LISTEN | States::ESTABLISHED)
///     .with_extensions(Extensions::INFO | Extensions::CONG);
/// let bytes = req.to_bytes(7);
/// assert_eq!(bytes.len(), 72);
/// assert_eq!(req.to_raw().idiag_ext, 0b1010); // bits 1 and 3: attributes 2 and 4
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InetRequest {
    family: Family,
    protocol: Protocol,
    states: States,
    extensions: Extensions,
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

    /// The request body (`struct inet_diag_req_v2`), with an all-zero
    /// socket id (no port filter) and no cookie.
    pub fn to_raw(&self) -> inet_diag_req_v2 {
        inet_diag_req_v2 {
            sdiag_family: self.family.to_raw(),
            sdiag_protocol: self.protocol.to_raw(),
            idiag_ext: self.extensions.bits(),
            pad: 0,
            idiag_states: U32::new(self.states.bits()),
            id: inet_diag_sockid {
                idiag_cookie: [U32::new(INET_DIAG_NOCOOKIE); 2],
                ..Default::default()
            },
        }
    }

    /// The complete netlink message (`nlmsghdr` with `NLM_F_REQUEST |
    /// NLM_F_DUMP` and sequence number `seq`, then the body), ready to send.
    pub fn to_bytes(&self, seq: u32) -> [u8; INET_REQUEST_LEN] {
        let wire = Wire {
            header: nlmsghdr {
                nlmsg_len: U32::new(INET_REQUEST_LEN as u32),
                nlmsg_type: U16::new(SOCK_DIAG_BY_FAMILY),
                nlmsg_flags: U16::new(NLM_F_REQUEST | NLM_F_DUMP),
                nlmsg_seq: U32::new(seq),
                nlmsg_pid: U32::new(0),
            },
            body: self.to_raw(),
        };
        zerocopy::transmute!(wire)
    }
}

impl sealed::Sealed for InetRequest {}

impl Request for InetRequest {
    type Msg<'buf> = InetMsg<'buf>;
    type Owned = Socket;

    fn sdiag_family(&self) -> u8 {
        self.family.to_raw()
    }
    fn sdiag_protocol(&self) -> u16 {
        u16::from(self.protocol.to_raw())
    }
    fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
        self.to_bytes(seq)
    }
    fn parse(msg: NlMsg<'_>) -> Result<InetMsg<'_>, ParseError> {
        InetMsg::parse(msg)
    }
}
