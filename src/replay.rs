//! Replaying captures: files of concatenated netlink messages, as
//! [`Dump::capture`](crate::Dump::capture) writes them and as `ss -D FILE`
//! does, read back through the same parsers.
//!
//! A capture may hold several dumps, end without `NLMSG_DONE`, or carry
//! the kernel's errors: each message is a [`Record`]. A file that ends on a
//! message boundary replays completely; one cut inside a message yields a
//! [`ParseError`] with the offset of the cut message, after every whole
//! message before it.
//!
//! ```no_run
//! use sockdiag::replay::{Record, Replay};
//!
//! let bytes = std::fs::read("tcp.dump")?;
//! for record in Replay::new(&bytes) {
//!     match record? {
//!         Record::Inet(m) => println!("{} -> {} {}", m.src(), m.dst(), m.state()),
//!         Record::Done(d) => println!("end of a dump (errno {:?})", d.errno()),
//!         _ => {}
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::inet::{InetMsg, Protocol};
use crate::netlink::{Done, ErrorMsg, Messages, NlMsg};
use crate::netlink_diag::NetlinkMsg;
use crate::packet::PacketMsg;
use crate::parse_error::ParseError;
use crate::raw::inet_diag::{DCCPDIAG_GETSOCK, TCPDIAG_GETSOCK};
use crate::raw::netlink::{NLMSG_DONE, NLMSG_ERROR};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::{AF_INET, AF_INET6, AF_NETLINK, AF_PACKET, AF_SMC, AF_UNIX, AF_VSOCK, AF_XDP};
use crate::smc::SmcMsg;
use crate::unix::UnixMsg;
use crate::vsock::VsockMsg;
use crate::xdp::XdpMsg;

/// One message of a capture, parsed by its type and family.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Record<'buf> {
    /// An inet socket (`SOCK_DIAG_BY_FAMILY` for `AF_INET`/`AF_INET6`, or a
    /// legacy `TCPDIAG_GETSOCK`/`DCCPDIAG_GETSOCK` reply).
    Inet(InetMsg<'buf>),
    /// A unix socket.
    Unix(UnixMsg<'buf>),
    /// A netlink socket.
    Netlink(NetlinkMsg<'buf>),
    /// A packet socket.
    Packet(PacketMsg<'buf>),
    /// A vsock socket.
    Vsock(VsockMsg<'buf>),
    /// An AF_XDP socket.
    Xdp(XdpMsg<'buf>),
    /// An SMC socket.
    Smc(SmcMsg<'buf>),
    /// The end of a dump, with the errno that ended it, if any.
    Done(Done<'buf>),
    /// A kernel error or acknowledgement.
    Error(ErrorMsg<'buf>),
    /// Any other message (another family, a control message), raw.
    Other(NlMsg<'buf>),
}

impl<'buf> Record<'buf> {
    /// Parses one message: by type, then by the family byte that starts
    /// every sock_diag reply. Inet replies of `SOCK_DIAG_BY_FAMILY` take
    /// `inet_protocol` (the message does not carry it) for decoding
    /// `INET_DIAG_INFO`.
    pub fn parse(msg: NlMsg<'buf>, inet_protocol: Option<Protocol>) -> Result<Self, ParseError> {
        Ok(match msg.kind() {
            NLMSG_DONE => Record::Done(Done::parse(msg)?),
            NLMSG_ERROR => Record::Error(ErrorMsg::parse(msg)?),
            TCPDIAG_GETSOCK | DCCPDIAG_GETSOCK => Record::Inet(InetMsg::parse(msg)?),
            SOCK_DIAG_BY_FAMILY => match msg.payload().first().copied() {
                Some(AF_INET | AF_INET6) => Record::Inet(match inet_protocol {
                    Some(p) => InetMsg::parse_as(msg, p)?,
                    None => InetMsg::parse(msg)?,
                }),
                Some(AF_UNIX) => Record::Unix(UnixMsg::parse(msg)?),
                Some(AF_NETLINK) => Record::Netlink(NetlinkMsg::parse(msg)?),
                Some(AF_VSOCK) => Record::Vsock(VsockMsg::parse(msg)?),
                Some(AF_XDP) => Record::Xdp(XdpMsg::parse(msg)?),
                Some(AF_SMC) => Record::Smc(SmcMsg::parse(msg)?),
                Some(AF_PACKET) => Record::Packet(PacketMsg::parse(msg)?),
                _ => Record::Other(msg),
            },
            _ => Record::Other(msg),
        })
    }
}

/// Iterator over the [`Record`]s of a capture held in memory (read the
/// file with `std::fs::read`). Stops after the first framing error; a
/// message that frames but does not parse yields its error and the replay
/// goes on.
#[derive(Clone, Debug)]
pub struct Replay<'buf> {
    msgs: Messages<'buf>,
    inet_protocol: Option<Protocol>,
}

impl<'buf> Replay<'buf> {
    /// Replays `bytes`; offsets in errors count from their start.
    pub fn new(bytes: &'buf [u8]) -> Self {
        Replay {
            msgs: Messages::new(bytes),
            inet_protocol: None,
        }
    }

    /// Decodes the `INET_DIAG_INFO` of `SOCK_DIAG_BY_FAMILY` inet replies as
    /// that of `protocol` (the capture of a TCP dump: `Protocol::Tcp`).
    #[must_use]
    pub fn with_inet_protocol(mut self, protocol: Protocol) -> Self {
        self.inet_protocol = Some(protocol);
        self
    }
}

impl<'buf> Iterator for Replay<'buf> {
    type Item = Result<Record<'buf>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        Some(
            self.msgs
                .next()?
                .and_then(|m| Record::parse(m, self.inet_protocol)),
        )
    }
}

impl core::iter::FusedIterator for Replay<'_> {}
