//! vsock sockets (`vsock_diag`, Linux 4.14; what `ss --vsock` lists): the
//! [`VsockRequest`] builder, the borrowed [`VsockMsg`] view and the owned
//! [`VsockSocket`]. A vsock reply is its fixed struct alone: no attributes.

use core::fmt;

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::IntoBytes;

use crate::common::{Shutdown, SocketType};
use crate::inet::{States, TcpState};
use crate::netlink::{Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::vsock_diag::{vsock_diag_msg, vsock_diag_req, VMADDR_CID_ANY, VMADDR_PORT_ANY};
use crate::raw::AF_VSOCK;
use crate::request::split_reply;
use crate::request::{cookie, cookie_words, header, RequestBytes};

/// A dump request for vsock sockets.
///
/// ```
/// use sockdiag::inet::States;
/// use sockdiag::vsock::VsockRequest;
///
/// let listening = VsockRequest::new().with_states(States::LISTEN);
/// assert_eq!(listening.to_bytes(1).as_bytes().len(), 16 + 24);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VsockRequest {
    states: States,
}

impl Default for VsockRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl VsockRequest {
    /// Every vsock socket ([`States::DEFAULT`]).
    pub const fn new() -> Self {
        VsockRequest {
            states: States::DEFAULT,
        }
    }

    /// Selects the states to dump (`vdiag_states`): vsock sockets use
    /// TCP's numbers (`ESTABLISHED`, `SYN_SENT`, `LISTEN`, `CLOSING`,
    /// `CLOSE`).
    #[must_use]
    pub const fn with_states(mut self, states: States) -> Self {
        self.states = states;
        self
    }

    /// The selected states.
    pub const fn states(&self) -> States {
        self.states
    }

    /// The request body (`struct vsock_diag_req`).
    pub fn to_raw(&self) -> vsock_diag_req {
        vsock_diag_req {
            sdiag_family: AF_VSOCK,
            sdiag_protocol: 0,
            pad: U16::new(0),
            vdiag_states: U32::new(self.states.bits()),
            vdiag_ino: U32::new(0),
            vdiag_show: U32::new(0),
            vdiag_cookie: cookie_words(None),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let hdr = header(16 + 24, SOCK_DIAG_BY_FAMILY, true, seq);
        RequestBytes::new(&[hdr.as_bytes(), self.to_raw().as_bytes()])
    }
}

crate::request::family_request!(VsockRequest, AF_VSOCK => VsockMsg, VsockSocket);

/// One end of a vsock socket: a context id and a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VsockAddr {
    /// Context id (`VMADDR_CID_HOST` = 2, `VMADDR_CID_LOCAL` = 1, ...);
    /// `VMADDR_CID_ANY` (`u32::MAX`) where unbound.
    pub cid: u32,
    /// Port; `VMADDR_PORT_ANY` (`u32::MAX`) where unbound.
    pub port: u32,
}

impl VsockAddr {
    /// True for an end with no context id (`VMADDR_CID_ANY`).
    pub const fn is_any_cid(&self) -> bool {
        self.cid == VMADDR_CID_ANY
    }

    /// True for an end with no port (`VMADDR_PORT_ANY`).
    pub const fn is_any_port(&self) -> bool {
        self.port == VMADDR_PORT_ANY
    }
}

/// `CID:PORT`, as `ss` writes them: `*` for an unbound context id or port.
impl fmt::Display for VsockAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_any_cid() {
            f.write_str("*")?;
        } else {
            write!(f, "{}", self.cid)?;
        }
        if self.is_any_port() {
            f.write_str(":*")
        } else {
            write!(f, ":{}", self.port)
        }
    }
}

/// A borrowed, checked view of one vsock socket reply (`struct
/// vsock_diag_msg`).
#[doc(alias = "vsock_diag_msg")]
#[derive(Clone, Copy)]
pub struct VsockMsg<'buf> {
    raw: &'buf vsock_diag_msg,
    attrs: &'buf [u8],
    attrs_offset: usize,
}

impl<'buf> VsockMsg<'buf> {
    /// Checks and wraps one `SOCK_DIAG_BY_FAMILY` reply for `AF_VSOCK`.
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        let (raw, attrs, attrs_offset) =
            split_reply(msg, Layer::VsockDiagMsg, AF_VSOCK, |m: &vsock_diag_msg| {
                m.vdiag_family
            })?;
        Ok(VsockMsg {
            raw,
            attrs,
            attrs_offset,
        })
    }

    /// The raw `struct vsock_diag_msg`.
    pub fn raw(&self) -> &'buf vsock_diag_msg {
        self.raw
    }

    /// Socket type (`vdiag_type`): stream, datagram or seqpacket.
    pub fn socket_type(&self) -> SocketType {
        SocketType::from_raw(self.raw.vdiag_type)
    }

    /// State (`vdiag_state`, in TCP's numbering).
    pub fn state(&self) -> TcpState {
        TcpState::from_raw(self.raw.vdiag_state)
    }

    /// Which directions were shut down (`vdiag_shutdown`).
    pub fn shutdown(&self) -> Shutdown {
        Shutdown::from_bits_retain(self.raw.vdiag_shutdown)
    }

    /// The local end (`vdiag_src_cid`, `vdiag_src_port`).
    pub fn src(&self) -> VsockAddr {
        VsockAddr {
            cid: self.raw.vdiag_src_cid.get(),
            port: self.raw.vdiag_src_port.get(),
        }
    }

    /// The peer end (`vdiag_dst_cid`, `vdiag_dst_port`).
    pub fn dst(&self) -> VsockAddr {
        VsockAddr {
            cid: self.raw.vdiag_dst_cid.get(),
            port: self.raw.vdiag_dst_port.get(),
        }
    }

    /// Inode (`vdiag_ino`).
    pub fn inode(&self) -> u32 {
        self.raw.vdiag_ino.get()
    }

    /// The 64-bit cookie (`vdiag_cookie`, low word first).
    pub fn cookie(&self) -> u64 {
        cookie(&self.raw.vdiag_cookie)
    }

    /// Whatever follows the fixed struct, as attributes: nothing from
    /// kernels so far.
    pub fn attrs(&self) -> Attrs<'buf> {
        Attrs::with_base(self.attrs, self.attrs_offset)
    }
}

impl fmt::Debug for VsockMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VsockMsg")
            .field("type", &self.socket_type())
            .field("state", &self.state())
            .field("shutdown", &self.shutdown())
            .field("src", &self.src())
            .field("dst", &self.dst())
            .field("inode", &self.inode())
            .field("cookie", &self.cookie())
            .finish()
    }
}

/// One vsock socket, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct VsockSocket {
    /// Socket type.
    pub socket_type: SocketType,
    /// State.
    pub state: TcpState,
    /// Shut-down directions.
    pub shutdown: Shutdown,
    /// Local end.
    pub src: VsockAddr,
    /// Peer end.
    pub dst: VsockAddr,
    /// Inode.
    pub inode: u32,
    /// Cookie.
    pub cookie: u64,
}

impl From<VsockMsg<'_>> for VsockSocket {
    fn from(m: VsockMsg<'_>) -> Self {
        VsockSocket {
            socket_type: m.socket_type(),
            state: m.state(),
            shutdown: m.shutdown(),
            src: m.src(),
            dst: m.dst(),
            inode: m.inode(),
            cookie: m.cookie(),
        }
    }
}

#[cfg(test)]
mod tests;
