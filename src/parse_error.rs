//! The errors of the parsing layers: [`ParseError`] for bytes that do not
//! parse (naming the [`Layer`] and byte offset), [`KernelError`] for an
//! errno the kernel sent.

use core::fmt;
use std::io;

/// The structure a parser was reading when it failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// A netlink message header (`struct nlmsghdr`) or the framing of the
    /// message stream.
    Message,
    /// The payload of an `NLMSG_ERROR` message (`struct nlmsgerr`).
    ErrorMessage,
    /// The payload of an `NLMSG_DONE` message (an `int` errno).
    Done,
    /// The extended-ack attributes after an `NLMSG_ERROR` or `NLMSG_DONE`.
    ExtAck,
    /// A netlink attribute header (`struct nlattr`) or attribute framing.
    Attribute,
    /// The fixed part of an inet reply (`struct inet_diag_msg`).
    InetDiagMsg,
    /// The fixed part of a unix reply (`struct unix_diag_msg`).
    UnixDiagMsg,
    /// The fixed part of a netlink reply (`struct netlink_diag_msg`).
    NetlinkDiagMsg,
    /// The fixed part of a packet reply (`struct packet_diag_msg`).
    PacketDiagMsg,
    /// A vsock reply (`struct vsock_diag_msg`).
    VsockDiagMsg,
    /// The fixed part of an AF_XDP reply (`struct xdp_diag_msg`).
    XdpDiagMsg,
    /// The fixed part of an SMC reply (`struct smc_diag_msg`).
    SmcDiagMsg,
    /// A TIPC reply (attributes only: its `TIPC_NLA_SOCK` nest).
    TipcDiagMsg,
    /// A reply to a [`RawRequest`](crate::RawRequest): its type and the
    /// family byte that starts every sock_diag reply.
    Reply,
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Layer::Message => "netlink message (nlmsghdr)",
            Layer::ErrorMessage => "NLMSG_ERROR payload (nlmsgerr)",
            Layer::Done => "NLMSG_DONE payload",
            Layer::ExtAck => "extended ack attributes",
            Layer::Attribute => "netlink attribute (nlattr)",
            Layer::InetDiagMsg => "inet_diag_msg",
            Layer::UnixDiagMsg => "unix_diag_msg",
            Layer::NetlinkDiagMsg => "netlink_diag_msg",
            Layer::PacketDiagMsg => "packet_diag_msg",
            Layer::VsockDiagMsg => "vsock_diag_msg",
            Layer::XdpDiagMsg => "xdp_diag_msg",
            Layer::SmcDiagMsg => "smc_diag_msg",
            Layer::TipcDiagMsg => "TIPC reply (TIPC_NLA_SOCK)",
            Layer::Reply => "sock_diag reply",
        })
    }
}

/// What was wrong with the bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Fewer bytes remain than the structure needs.
    Truncated {
        /// Bytes the structure needs.
        needed: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// A length field is smaller than the header that contains it.
    LengthTooSmall {
        /// The length field's value.
        length: usize,
        /// The smallest valid value.
        minimum: usize,
    },
    /// A length field points past the end of the enclosing buffer.
    LengthPastEnd {
        /// The length field's value.
        length: usize,
        /// Bytes that were left.
        available: usize,
    },
    /// A fixed-size payload has the wrong length.
    WrongLength {
        /// The payload's length.
        length: usize,
        /// The length its type requires.
        expected: usize,
    },
    /// An array payload is not a whole number of elements.
    BadArrayLength {
        /// The payload's length.
        length: usize,
        /// The size of one element.
        element: usize,
    },
    /// A string attribute is not valid UTF-8 (the offset points at the
    /// first bad byte).
    InvalidUtf8,
    /// The message type is not one this parser accepts.
    UnexpectedType {
        /// The `nlmsg_type` found.
        found: u16,
    },
    /// The address family is not one this parser knows.
    UnknownFamily {
        /// The family byte found.
        found: u8,
    },
    /// A protocol-specific attribute (`INET_DIAG_INFO`) of a view that does
    /// not know its protocol (one made by
    /// [`InetMsg::from_payload`](crate::inet::InetMsg::from_payload): give it
    /// one with [`InetMsg::with_protocol`](crate::inet::InetMsg::with_protocol)).
    UnknownProtocol,
    /// A reply lacks the attribute its format requires (a TIPC reply its
    /// `TIPC_NLA_SOCK` nest).
    MissingAttribute {
        /// The attribute type.
        kind: u16,
    },
}

impl fmt::Display for ParseErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ParseErrorKind::Truncated { needed, available } => {
                write!(f, "truncated: needs {needed} bytes, {available} left")
            }
            ParseErrorKind::LengthTooSmall { length, minimum } => {
                write!(f, "length field {length} is below the minimum {minimum}")
            }
            ParseErrorKind::LengthPastEnd { length, available } => {
                write!(
                    f,
                    "length field {length} runs past the end ({available} bytes left)"
                )
            }
            ParseErrorKind::WrongLength { length, expected } => {
                write!(f, "payload of {length} bytes, expected {expected}")
            }
            ParseErrorKind::BadArrayLength { length, element } => {
                write!(
                    f,
                    "payload of {length} bytes is not a whole number of {element}-byte elements"
                )
            }
            ParseErrorKind::InvalidUtf8 => f.write_str("string is not valid UTF-8"),
            ParseErrorKind::UnexpectedType { found } => {
                write!(f, "unexpected message type {found}")
            }
            ParseErrorKind::UnknownFamily { found } => {
                write!(f, "unknown address family {found}")
            }
            ParseErrorKind::UnknownProtocol => {
                f.write_str("protocol-specific attribute of a reply whose protocol is not known")
            }
            ParseErrorKind::MissingAttribute { kind } => {
                write!(f, "required attribute of type {kind} missing")
            }
        }
    }
}

/// Bytes that do not parse: which [`Layer`] failed, at which byte offset,
/// and why.
///
/// The offset counts from the start of the buffer handed to the outermost
/// parser (for a [`Dump`](crate::Dump), the start of the datagram).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParseError {
    layer: Layer,
    offset: usize,
    kind: ParseErrorKind,
}

impl ParseError {
    pub(crate) const fn new(layer: Layer, offset: usize, kind: ParseErrorKind) -> Self {
        ParseError {
            layer,
            offset,
            kind,
        }
    }

    /// The structure that failed to parse.
    pub const fn layer(&self) -> Layer {
        self.layer
    }

    /// Byte offset of that structure in the outermost buffer.
    pub const fn offset(&self) -> usize {
        self.offset
    }

    /// What was wrong.
    pub const fn kind(&self) -> ParseErrorKind {
        self.kind
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}: {}", self.layer, self.offset, self.kind)
    }
}

impl std::error::Error for ParseError {}

/// Which message carried a kernel error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorOrigin {
    /// An `NLMSG_ERROR` reply: the kernel rejected the request.
    Request,
    /// An `NLMSG_DONE` carrying an error: the dump failed after it started.
    Dump,
}

/// An error number sent by the kernel, with the extended-ack text and
/// offset when the kernel supplied them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelError {
    errno: i32,
    origin: ErrorOrigin,
    message: Option<Box<str>>,
    offset: Option<u32>,
}

impl KernelError {
    pub(crate) fn new(
        errno: i32,
        origin: ErrorOrigin,
        message: Option<&[u8]>,
        offset: Option<u32>,
    ) -> Self {
        KernelError {
            errno,
            origin,
            message: message.map(|m| String::from_utf8_lossy(m).into()),
            offset,
        }
    }

    /// The positive errno value (`EINVAL` = 22, ...).
    pub const fn errno(&self) -> i32 {
        self.errno
    }

    /// Which message carried the error.
    pub const fn origin(&self) -> ErrorOrigin {
        self.origin
    }

    /// The extended-ack message (`NLMSGERR_ATTR_MSG`), if the kernel sent one.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The extended-ack offset of the offending byte in the request
    /// (`NLMSGERR_ATTR_OFFS`), if the kernel sent one.
    pub const fn offset(&self) -> Option<u32> {
        self.offset
    }

    /// The errno as an [`io::Error`].
    pub fn to_io_error(&self) -> io::Error {
        io::Error::from_raw_os_error(self.errno)
    }
}

impl fmt::Display for KernelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.origin {
            ErrorOrigin::Request => f.write_str("kernel rejected the request: ")?,
            ErrorOrigin::Dump => f.write_str("kernel ended the dump with an error: ")?,
        }
        write!(f, "{}", self.to_io_error())?;
        if let Some(m) = &self.message {
            write!(f, ": {m}")?;
        }
        if let Some(o) = self.offset {
            write!(f, " (at request byte {o})")?;
        }
        Ok(())
    }
}

impl std::error::Error for KernelError {}
