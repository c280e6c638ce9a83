//! [`Error`]: everything that can go wrong while asking the kernel about
//! sockets, from a bad argument to a reply that does not parse.
//!
//! `Display` writes the whole story in one line (the wrapped error's text
//! included); `source()` then goes on from there, so a chain printer
//! (`anyhow`'s `{:#}`) never says the same thing twice.

use core::fmt;
use std::io;

use crate::files::FileError;
use crate::inet::filter::FilterError;
use crate::parse_error::{KernelError, ParseError};

/// Everything that can go wrong while asking the kernel about sockets.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A system call on the netlink socket failed.
    Io(io::Error),
    /// The kernel answered with an error number.
    Kernel(KernelError),
    /// The kernel has no sock_diag handler for this family and protocol
    /// (its diag module is not built or not loaded). The kernel reports
    /// this as `ENOENT`, in `NLMSG_DONE` for an inet protocol or in
    /// `NLMSG_ERROR` for a whole family.
    Unavailable {
        /// Address family of the request (`AF_INET`, ...).
        family: u8,
        /// Protocol of the request (`IPPROTO_*`), 0 where not applicable.
        protocol: u16,
    },
    /// A reply did not parse.
    Parse(ParseError),
    /// The attributes of one socket's reply did not parse (its fixed part
    /// did): the socket, by cookie, and where.
    Reply {
        /// The socket's cookie.
        cookie: u64,
        /// What failed where.
        error: ParseError,
    },
    /// A datagram was larger than the receive buffer, so its tail was lost
    /// (`MSG_TRUNC`).
    Truncated {
        /// Length of the datagram the kernel sent.
        datagram_len: usize,
        /// Size of the receive buffer.
        buffer_len: usize,
    },
    /// A reply carried a sequence number other than the request's.
    Sequence {
        /// The request's sequence number.
        expected: u32,
        /// The reply's.
        found: u32,
    },
    /// A reply was addressed to a port id other than this socket's.
    PortId {
        /// This socket's port id.
        expected: u32,
        /// The reply's `nlmsg_pid`.
        found: u32,
    },
    /// The kernel marked the dump inconsistent (`NLM_F_DUMP_INTR`); run it
    /// again for a consistent result.
    DumpInterrupted,
    /// No reply arrived within the socket's timeout.
    Timeout,
    /// An exact lookup found no such socket, or one whose cookie differs
    /// (the socket was closed and the inode or addresses reused): the
    /// kernel's `ENOENT` or `ESTALE`.
    NotFound {
        /// The errno the kernel sent.
        errno: i32,
    },
    /// A network namespace could not be opened or entered.
    Namespace {
        /// The namespace, as given (a path, `fd N`).
        ns: String,
        /// What failed.
        error: io::Error,
    },
    /// A filter that does not compile, or whose names could not be looked
    /// up; nothing was sent.
    Filter(FilterError),
    /// An argument that cannot be used as given; nothing was sent.
    InvalidArgument(InvalidArgument),
    /// A file of `/proc` or `/etc` ([`system`](crate::system)) could not
    /// be read, or a line of it did not parse.
    File {
        /// The file.
        path: String,
        /// What failed.
        error: FileFailure,
    },
}

/// Why a file could not be used ([`Error::File`]).
#[derive(Debug)]
#[non_exhaustive]
pub enum FileFailure {
    /// Reading it failed.
    Read(io::Error),
    /// A line of it is not in the format the kernel writes.
    Format(FileError),
}

impl fmt::Display for FileFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileFailure::Read(e) => e.fmt(f),
            FileFailure::Format(e) => e.fmt(f),
        }
    }
}

/// What was wrong with an argument ([`Error::InvalidArgument`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidArgument {
    /// More counters than can be tracked.
    TooManyCounters {
        /// How many were asked for.
        given: usize,
        /// The most there can be.
        max: usize,
    },
    /// A field name that is not one of the struct's.
    UnknownField {
        /// The name given.
        name: String,
    },
    /// Settings that do not go together; the text says which and why.
    Conflict(&'static str),
}

impl fmt::Display for InvalidArgument {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InvalidArgument::TooManyCounters { given, max } => {
                write!(
                    f,
                    "{given} counters asked for; at most {max} can be tracked"
                )
            }
            InvalidArgument::UnknownField { name } => write!(f, "no field named {name:?}"),
            InvalidArgument::Conflict(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for InvalidArgument {}

impl Error {
    /// The errno behind this error, if there is one: the kernel's for
    /// [`Error::Kernel`], `ENOENT` for [`Error::Unavailable`], the system
    /// call's for [`Error::Io`].
    pub fn raw_os_error(&self) -> Option<i32> {
        match self {
            Error::Io(e) => e.raw_os_error(),
            Error::Kernel(k) => Some(k.errno()),
            Error::Unavailable { .. } => Some(crate::raw::ENOENT),
            Error::NotFound { errno } => Some(*errno),
            Error::Namespace { error, .. }
            | Error::File {
                error: FileFailure::Read(error),
                ..
            } => error.raw_os_error(),
            _ => None,
        }
    }
}

/// The kernel module that provides sock_diag for a family and protocol.
fn diag_module(family: u8, protocol: u16) -> &'static str {
    use crate::raw::inet_diag::*;
    use crate::raw::*;
    match family {
        AF_INET | AF_INET6 => match protocol {
            p if p == u16::from(IPPROTO_TCP) => "tcp_diag",
            p if p == u16::from(IPPROTO_UDP) || p == u16::from(IPPROTO_UDPLITE) => "udp_diag",
            p if p == u16::from(IPPROTO_RAW) => "raw_diag",
            p if p == u16::from(IPPROTO_SCTP) => "sctp_diag",
            p if p == u16::from(IPPROTO_DCCP) => "dccp_diag",
            262 => "mptcp_diag",
            _ => "inet_diag",
        },
        AF_UNIX => "unix_diag",
        AF_NETLINK => "netlink_diag",
        AF_PACKET => "af_packet_diag",
        AF_VSOCK => "vsock_diag",
        AF_XDP => "xsk_diag",
        AF_SMC => "smc_diag",
        AF_TIPC => "tipc_diag",
        _ => "sock_diag",
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io(e) => write!(f, "netlink socket: {e}"),
            Error::Kernel(k) => k.fmt(f),
            Error::Unavailable { family, protocol } => write!(
                f,
                "protocol unavailable: the kernel has no sock_diag handler for family {family} \
                 protocol {protocol} (ENOENT; is the {} module loaded?)",
                diag_module(*family, *protocol)
            ),
            Error::Parse(p) => write!(f, "malformed reply: {p}"),
            Error::Reply { cookie, error } => {
                write!(f, "malformed reply of socket {cookie:#x}: {error}")
            }
            Error::Truncated {
                datagram_len,
                buffer_len,
            } => write!(
                f,
                "datagram of {datagram_len} bytes truncated by a {buffer_len}-byte receive buffer"
            ),
            Error::Sequence { expected, found } => {
                write!(f, "reply has sequence number {found}, expected {expected}")
            }
            Error::PortId { expected, found } => {
                write!(
                    f,
                    "reply addressed to port id {found}, this socket is {expected}"
                )
            }
            Error::DumpInterrupted => {
                f.write_str("the kernel marked the dump inconsistent (NLM_F_DUMP_INTR)")
            }
            Error::Timeout => f.write_str("timed out waiting for the kernel's reply"),
            Error::Namespace { ns, error } => write!(f, "network namespace {ns}: {error}"),
            Error::NotFound { errno } => write!(
                f,
                "no such socket: {}",
                io::Error::from_raw_os_error(*errno)
            ),
            Error::Filter(e) => e.fmt(f),
            Error::InvalidArgument(a) => write!(f, "invalid argument: {a}"),
            Error::File { path, error } => write!(f, "{path}: {error}"),
        }
    }
}

impl std::error::Error for Error {
    /// What comes after the error that `Display` already wrote.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e)
            | Error::Namespace { error: e, .. }
            | Error::File {
                error: FileFailure::Read(e),
                ..
            } => e.source(),
            _ => None,
        }
    }
}

impl From<FilterError> for Error {
    fn from(e: FilterError) -> Self {
        Error::Filter(e)
    }
}

impl From<InvalidArgument> for Error {
    fn from(e: InvalidArgument) -> Self {
        Error::InvalidArgument(e)
    }
}

impl From<ParseError> for Error {
    fn from(e: ParseError) -> Self {
        Error::Parse(e)
    }
}

impl From<KernelError> for Error {
    fn from(e: KernelError) -> Self {
        Error::Kernel(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Error::Io(e)
    }
}

impl From<Error> for io::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Io(e) => e,
            Error::Kernel(k) => k.to_io_error(),
            Error::Timeout => io::Error::new(io::ErrorKind::TimedOut, e),
            Error::Unavailable { .. } | Error::NotFound { .. } => {
                io::Error::new(io::ErrorKind::NotFound, e)
            }
            Error::Parse(_) | Error::Reply { .. } | Error::Truncated { .. } => {
                io::Error::new(io::ErrorKind::InvalidData, e)
            }
            Error::Filter(_) | Error::InvalidArgument(_) => {
                io::Error::new(io::ErrorKind::InvalidInput, e)
            }
            other => io::Error::other(other),
        }
    }
}
