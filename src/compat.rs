//! The function set of gopsutil's Go `netlink` package (derived from
//! elastic/gosigar `sys/linux`), in Rust naming, so a Go user finds every
//! piece.
//!
//! | Go | here |
//! |---|---|
//! | `AllTCPStates`, `TCPDIAG_GETSOCK`, `SOCK_DIAG_BY_FAMILY` | [`ALL_TCP_STATES`], [`TCPDIAG_GETSOCK`], [`SOCK_DIAG_BY_FAMILY`] |
//! | `INET_DIAG_*` extension flags | [`INET_DIAG_MEMINFO`] … [`INET_DIAG_SHUTDOWN`] |
//! | `NewInetDiagReqV2(af, proto)` | [`new_inet_diag_req_v2`] |
//! | `InetConnections(af, proto)` | [`inet_connections`] |
//! | `InetDiag`, `InetDiagWithBuf(req, readBuf, resp)` | [`inet_diag`], [`inet_diag_with_buf`] |
//! | `ParseInetDiagMsg` | [`parse_inet_diag_msg`] |
//! | `ParseNetlinkError`, `NetlinkErrno` | [`parse_netlink_error`], [`NetlinkErrno`] |
//! | `ParseNetlinkRouteAttr`, `RtaLength`, `RtaPayload` | [`parse_netlink_route_attr`], [`rta_length`], [`rta_payload`] |
//! | `GetEndian` | [`get_endian`] |
//! | `InetDiagMsg` (`SrcIP()`, `DstIP()`, `SrcPort()`, `DstPort()`, `FastHash()`; `State`, `Inode`, `UID`) | [`InetSocket`] from [`inet_connections`], [`InetMsg`] from [`parse_inet_diag_msg`]: both answer `src_ip()`, `dst_ip()`, `src_port()`, `dst_port()`, `fast_hash()`; `state`, `inode`, `uid` are fields of the one and methods of the other |
//! | `SocketID`, `TCPState`, `AF_INET`/`AF_INET6`, `IPPROTO_*` | [`SocketId`], [`TcpState`], [`Family`], [`Protocol`] |
//! | `UDIAG_SHOW_*`, `UNIX_DIAG_*` | [`UDIAG_SHOW_NAME`] …, [`UNIX_DIAG_NAME`] … |
//! | `NewUnixDiagReq()`, `UnixConnections()` | [`new_unix_diag_req`], [`unix_connections`] |
//! | `UnixDiag`, `UnixDiagWithBuf(req, readBuf, resp)` | [`unix_diag`], [`unix_diag_with_buf`] |
//! | `ParseUnixDiagMsg` (with the path) | [`parse_unix_diag_msg`] ([`UnixMsg`] and its `UNIX_DIAG_NAME`) |
//!
//! # A port, line by line
//!
//! Go (gopsutil's `netlink` package):
//!
//! ```go
//! conns, err := netlink.InetConnections(unix.AF_INET, unix.IPPROTO_TCP)
//! if err != nil {
//!     return err
//! }
//! for _, c := range conns {
//!     if netlink.TCPState(c.State) == netlink.TCP_ESTABLISHED {
//!         fmt.Printf("%v:%d -> %v:%d uid=%d inode=%d hash=%x\n",
//!             c.SrcIP(), c.SrcPort(), c.DstIP(), c.DstPort(), c.UID, c.Inode, c.FastHash())
//!     }
//! }
//! ```
//!
//! Rust (this module; `examples/gopsutil_port.rs`):
//!
//! ```no_run
//! use sockdiag::compat::{inet_connections, Family, Protocol, TcpState};
//!
//! let conns = inet_connections(Family::Inet, Protocol::Tcp)?;
//! for c in &conns {
//!     if c.state == TcpState::Established {
//!         println!("{}:{} -> {}:{} uid={} inode={} hash={:x}",
//!             c.src_ip(), c.src_port(), c.dst_ip(), c.dst_port(), c.uid, c.inode, c.fast_hash());
//!     }
//! }
//! # Ok::<(), sockdiag::Error>(())
//! ```
//!
//! The Go package's known bugs are not copied: its extension flags are
//! shifted by one bit (here bit `t - 1` asks for attribute `t`); it maps
//! kernel errnos into libnl's table (here a kernel errno is an errno,
//! [`Error::Kernel`], and [`NetlinkErrno`] is only libnl's own table); it
//! treats an errno in `NLMSG_DONE` as success (here it is an error); it
//! strips NUL bytes from attribute payloads (here payloads are exact, and
//! abstract unix names keep theirs); it drops unnamed unix sockets and
//! de-duplicates by path (here every socket is returned).

use core::fmt;
use std::io::Write;

use crate::error::Error;
use crate::inet::{Extensions, InetRequest, States};
use crate::netlink::{Attr, Attrs};
use crate::parse_error::{ErrorOrigin, KernelError, Layer, ParseError, ParseErrorKind};
use crate::unix::UnixRequest;
use crate::DiagSocket;

pub use crate::inet::{Family, InetMsg, InetSocket, Protocol, SocketId, TcpState};
pub use crate::netlink::{rta_length, rta_payload};
pub use crate::raw::inet_diag::TCPDIAG_GETSOCK;
pub use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
pub use crate::raw::unix_diag::{
    UDIAG_SHOW_ICONS, UDIAG_SHOW_MEMINFO, UDIAG_SHOW_NAME, UDIAG_SHOW_PEER, UDIAG_SHOW_RQLEN,
    UDIAG_SHOW_UID, UDIAG_SHOW_VFS, UNIX_DIAG_ICONS, UNIX_DIAG_MEMINFO, UNIX_DIAG_NAME,
    UNIX_DIAG_PEER, UNIX_DIAG_RQLEN, UNIX_DIAG_SHUTDOWN, UNIX_DIAG_UID, UNIX_DIAG_VFS,
};
pub use crate::unix::{UnixMsg, UnixSocket};

/// `AllTCPStates`: the state mask of a request for every socket. Unlike
/// the Go constant (`^uint32(0)`), it leaves out bit 13
/// (`TCP_BOUND_INACTIVE`), which makes the kernel walk the bind table too;
/// see [`States`].
pub const ALL_TCP_STATES: u32 = States::DEFAULT.bits();

/// `idiag_ext` bit for `INET_DIAG_MEMINFO` (attribute 1).
pub const INET_DIAG_MEMINFO: u8 = Extensions::MEMINFO.bits();
/// `idiag_ext` bit for `INET_DIAG_INFO` (attribute 2).
pub const INET_DIAG_INFO: u8 = Extensions::INFO.bits();
/// `idiag_ext` bit for `INET_DIAG_VEGASINFO` (attribute 3).
pub const INET_DIAG_VEGASINFO: u8 = Extensions::VEGASINFO.bits();
/// `idiag_ext` bit for `INET_DIAG_CONG` (attribute 4).
pub const INET_DIAG_CONG: u8 = Extensions::CONG.bits();
/// `idiag_ext` bit for `INET_DIAG_TOS` (attribute 5).
pub const INET_DIAG_TOS: u8 = Extensions::TOS.bits();
/// `idiag_ext` bit for `INET_DIAG_TCLASS` (attribute 6).
pub const INET_DIAG_TCLASS: u8 = Extensions::TCLASS.bits();
/// `idiag_ext` bit for `INET_DIAG_SKMEMINFO` (attribute 7).
pub const INET_DIAG_SKMEMINFO: u8 = Extensions::SKMEMINFO.bits();
/// `idiag_ext` bit for `INET_DIAG_SHUTDOWN` (attribute 8).
pub const INET_DIAG_SHUTDOWN: u8 = Extensions::SHUTDOWN.bits();

/// `NewInetDiagReqV2(af, proto)`: a dump request for every socket of one
/// family and protocol.
pub fn new_inet_diag_req_v2(family: Family, protocol: Protocol) -> InetRequest {
    InetRequest::new(family, protocol)
}

/// `InetConnections(af, proto)`: every socket of one family and protocol,
/// owned. Its socket has no timeout (as in Go); for one, call
/// [`inet_diag_with_buf`] with a socket given [`DiagSocket::set_timeout`].
pub fn inet_connections(family: Family, protocol: Protocol) -> Result<Vec<InetSocket>, Error> {
    inet_diag(&new_inet_diag_req_v2(family, protocol), None)
}

/// `InetDiag` / `NetlinkInetDiag`: runs `req` on a fresh socket without a
/// timeout (see [`inet_diag_with_buf`] for one); `resp`, if given,
/// receives a copy of every byte read.
pub fn inet_diag(
    req: &InetRequest,
    resp: Option<&mut dyn Write>,
) -> Result<Vec<InetSocket>, Error> {
    inet_diag_with_buf(&mut DiagSocket::new()?, req, resp)
}

/// `InetDiagWithBuf`: runs `req` on `sock`, reusing its receive buffer
/// (create it with [`DiagSocket::with_buffer_size`] to choose the size);
/// `resp`, if given, receives a copy of every byte read.
pub fn inet_diag_with_buf(
    sock: &mut DiagSocket,
    req: &InetRequest,
    resp: Option<&mut dyn Write>,
) -> Result<Vec<InetSocket>, Error> {
    collect(sock, req, resp)
}

/// `ParseInetDiagMsg`: parses a message payload that starts with `struct
/// inet_diag_msg` (without the netlink header).
pub fn parse_inet_diag_msg(b: &[u8]) -> Result<InetMsg<'_>, ParseError> {
    InetMsg::from_payload(b, 0)
}

/// `ParseNetlinkError`: decodes the errno at the start of an `NLMSG_ERROR`
/// payload: `Ok(())` for an acknowledgement, [`Error::Kernel`] with the
/// kernel's errno otherwise.
pub fn parse_netlink_error(b: &[u8]) -> Result<(), Error> {
    let Some(&[a, b0, c, d]) = b.get(..4) else {
        return Err(Error::Parse(ParseError::new(
            Layer::ErrorMessage,
            0,
            ParseErrorKind::Truncated {
                needed: 4,
                available: b.len(),
            },
        )));
    };
    match i32::from_ne_bytes([a, b0, c, d]) {
        0 => Ok(()),
        e => Err(Error::Kernel(KernelError::new(
            if e < 0 { e.saturating_neg() } else { e },
            ErrorOrigin::Request,
            None,
            None,
        ))),
    }
}

/// `ParseNetlinkRouteAttr`: every attribute in `b`, collected. Payloads
/// are exact (NUL bytes kept). Prefer [`Attrs`], which does not allocate.
pub fn parse_netlink_route_attr(b: &[u8]) -> Result<Vec<Attr<'_>>, ParseError> {
    Attrs::new(b).collect()
}

/// `NewUnixDiagReq()`: a dump of every unix socket with its name (and
/// peer and queue lengths).
pub fn new_unix_diag_req() -> UnixRequest {
    UnixRequest::new()
}

/// `UnixConnections()`: every unix socket, owned, unnamed ones included.
/// Its socket has no timeout; for one, call [`unix_diag_with_buf`] with a
/// socket given [`DiagSocket::set_timeout`].
pub fn unix_connections() -> Result<Vec<UnixSocket>, Error> {
    unix_diag(&new_unix_diag_req(), None)
}

/// `UnixDiag`: runs `req` on a fresh socket without a timeout (see
/// [`unix_diag_with_buf`] for one); `resp`, if given, receives a copy of
/// every byte read.
pub fn unix_diag(
    req: &UnixRequest,
    resp: Option<&mut dyn Write>,
) -> Result<Vec<UnixSocket>, Error> {
    unix_diag_with_buf(&mut DiagSocket::new()?, req, resp)
}

/// `UnixDiagWithBuf`: runs `req` on `sock`, reusing its receive buffer;
/// `resp`, if given, receives a copy of every byte read.
pub fn unix_diag_with_buf(
    sock: &mut DiagSocket,
    req: &UnixRequest,
    resp: Option<&mut dyn Write>,
) -> Result<Vec<UnixSocket>, Error> {
    collect(sock, req, resp)
}

/// `ParseUnixDiagMsg`: parses a whole reply message (header included, so
/// that the attributes with the path can be reached); the name is the
/// message's `UNIX_DIAG_NAME` attribute.
pub fn parse_unix_diag_msg(b: &[u8]) -> Result<UnixMsg<'_>, ParseError> {
    let msg = crate::netlink::Messages::new(b)
        .next()
        .ok_or(ParseError::new(
            Layer::Message,
            0,
            ParseErrorKind::Truncated {
                needed: crate::netlink::NLMSG_HDRLEN,
                available: 0,
            },
        ))??;
    UnixMsg::parse(msg)
}

/// Runs `req` on `sock` and collects owned replies, copying every byte
/// read to `resp`.
fn collect<R: crate::Request>(
    sock: &mut DiagSocket,
    req: &R,
    resp: Option<&mut dyn Write>,
) -> Result<Vec<R::Owned>, Error> {
    let mut out = Vec::new();
    let mut dump = sock.dump(req)?;
    if let Some(w) = resp {
        dump = dump.capture(w);
    }
    while let Some(batch) = dump.next_batch()? {
        out.extend(batch.into_iter().map(R::Owned::from));
    }
    Ok(out)
}

/// Byte order of the host, as `GetEndian` reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endian {
    /// Little-endian (x86, most ARM).
    Little,
    /// Big-endian (s390x, some PowerPC and MIPS).
    Big,
}

/// `GetEndian`: the host's byte order, which netlink uses for every field
/// except ports and addresses.
pub const fn get_endian() -> Endian {
    if cfg!(target_endian = "big") {
        Endian::Big
    } else {
        Endian::Little
    }
}

macro_rules! libnl_errors {
    ($($(#[doc = $doc:literal])* $name:ident = $code:literal, $alias:literal, $msg:literal;)*) => {
        /// libnl's own error codes (`NLE_*`) and messages, as the Go
        /// package's `NetlinkErrno` lists them. These are not kernel errno
        /// values: kernel errors are [`Error::Kernel`] with the errno.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum NetlinkErrno {
            $($(#[doc = $doc])* #[doc(alias = $alias)] $name = $code,)*
        }

        impl NetlinkErrno {
            /// The code for a libnl error number, if it is one.
            pub const fn from_raw(code: u32) -> Option<Self> {
                match code {
                    $($code => Some(NetlinkErrno::$name),)*
                    _ => None,
                }
            }

            /// libnl's message for this code.
            pub const fn message(self) -> &'static str {
                match self {
                    $(NetlinkErrno::$name => $msg,)*
                }
            }
        }
    };
}

libnl_errors! {
    /// `NLE_SUCCESS`.
    Success = 0, "NLE_SUCCESS", "Success";
    /// `NLE_FAILURE`.
    Failure = 1, "NLE_FAILURE", "Unspecific failure";
    /// `NLE_INTR`.
    Intr = 2, "NLE_INTR", "Interrupted system call";
    /// `NLE_BAD_SOCK`.
    BadSock = 3, "NLE_BAD_SOCK", "Bad socket";
    /// `NLE_AGAIN`.
    Again = 4, "NLE_AGAIN", "Try again";
    /// `NLE_NOMEM`.
    NoMem = 5, "NLE_NOMEM", "Out of memory";
    /// `NLE_EXIST`.
    Exist = 6, "NLE_EXIST", "Object exists";
    /// `NLE_INVAL`.
    Inval = 7, "NLE_INVAL", "Invalid input data or parameter";
    /// `NLE_RANGE`.
    Range = 8, "NLE_RANGE", "Input data out of range";
    /// `NLE_MSGSIZE`.
    MsgSize = 9, "NLE_MSGSIZE", "Message size not sufficient";
    /// `NLE_OPNOTSUPP`.
    OpNotSupp = 10, "NLE_OPNOTSUPP", "Operation not supported";
    /// `NLE_AF_NOSUPPORT`.
    AfNoSupport = 11, "NLE_AF_NOSUPPORT", "Address family not supported";
    /// `NLE_OBJ_NOTFOUND`.
    ObjNotFound = 12, "NLE_OBJ_NOTFOUND", "Object not found";
    /// `NLE_NOATTR`.
    NoAttr = 13, "NLE_NOATTR", "Attribute not available";
    /// `NLE_MISSING_ATTR`.
    MissingAttr = 14, "NLE_MISSING_ATTR", "Missing attribute";
    /// `NLE_AF_MISMATCH`.
    AfMismatch = 15, "NLE_AF_MISMATCH", "Address family mismatch";
    /// `NLE_SEQ_MISMATCH`.
    SeqMismatch = 16, "NLE_SEQ_MISMATCH", "Message sequence number mismatch";
    /// `NLE_MSG_OVERFLOW`.
    MsgOverflow = 17, "NLE_MSG_OVERFLOW", "Kernel reported message overflow";
    /// `NLE_MSG_TRUNC`.
    MsgTrunc = 18, "NLE_MSG_TRUNC", "Kernel reported truncated message";
    /// `NLE_NOADDR`.
    NoAddr = 19, "NLE_NOADDR", "Invalid address for specified address family";
    /// `NLE_SRCRT_NOSUPPORT`.
    SrcRtNoSupport = 20, "NLE_SRCRT_NOSUPPORT", "Source based routing not supported";
    /// `NLE_MSG_TOOSHORT`.
    MsgTooShort = 21, "NLE_MSG_TOOSHORT", "Netlink message is too short";
    /// `NLE_MSGTYPE_NOSUPPORT`.
    MsgTypeNoSupport = 22, "NLE_MSGTYPE_NOSUPPORT", "Netlink message type is not supported";
    /// `NLE_OBJ_MISMATCH`.
    ObjMismatch = 23, "NLE_OBJ_MISMATCH", "Object type does not match cache";
    /// `NLE_NOCACHE`.
    NoCache = 24, "NLE_NOCACHE", "Unknown or invalid cache type";
    /// `NLE_BUSY`.
    Busy = 25, "NLE_BUSY", "Object busy";
    /// `NLE_PROTO_MISMATCH`.
    ProtoMismatch = 26, "NLE_PROTO_MISMATCH", "Protocol mismatch";
    /// `NLE_NOACCESS`.
    NoAccess = 27, "NLE_NOACCESS", "No Access";
    /// `NLE_PERM`.
    Perm = 28, "NLE_PERM", "Operation not permitted";
    /// `NLE_PKTLOC_FILE`.
    PktlocFile = 29, "NLE_PKTLOC_FILE", "Unable to open packet location file";
    /// `NLE_PARSE_ERR`.
    ParseErr = 30, "NLE_PARSE_ERR", "Unable to parse object";
    /// `NLE_NODEV`.
    NoDev = 31, "NLE_NODEV", "No such device";
    /// `NLE_IMMUTABLE`.
    Immutable = 32, "NLE_IMMUTABLE", "Immutable attribute";
    /// `NLE_DUMP_INTR`.
    DumpIntr = 33, "NLE_DUMP_INTR", "Dump inconsistency detected, interrupted";
    /// `NLE_ATTRSIZE`.
    AttrSize = 34, "NLE_ATTRSIZE", "Attribute max length exceeded";
}

impl NetlinkErrno {
    /// The numeric libnl code.
    pub const fn code(self) -> u32 {
        self as u32
    }
}

impl fmt::Display for NetlinkErrno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for NetlinkErrno {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_flags_are_attr_minus_one() {
        use crate::raw::inet_diag as r;
        let pairs = [
            (INET_DIAG_MEMINFO, r::INET_DIAG_MEMINFO),
            (INET_DIAG_INFO, r::INET_DIAG_INFO),
            (INET_DIAG_VEGASINFO, r::INET_DIAG_VEGASINFO),
            (INET_DIAG_CONG, r::INET_DIAG_CONG),
            (INET_DIAG_TOS, r::INET_DIAG_TOS),
            (INET_DIAG_TCLASS, r::INET_DIAG_TCLASS),
            (INET_DIAG_SKMEMINFO, r::INET_DIAG_SKMEMINFO),
            (INET_DIAG_SHUTDOWN, r::INET_DIAG_SHUTDOWN),
        ];
        for (flag, attr) in pairs {
            assert_eq!(u32::from(flag), 1 << (attr - 1), "attribute {attr}");
        }
        // The Go package's shifted constants: INFO there is 4, VEGASINFO 8.
        assert_eq!(INET_DIAG_INFO, 2);
        assert_eq!(INET_DIAG_VEGASINFO, 4);
    }

    #[test]
    fn libnl_table_round_trips() {
        for code in 0..=34 {
            let e = NetlinkErrno::from_raw(code).unwrap();
            assert_eq!(e.code(), code);
            assert!(!e.message().is_empty());
        }
        assert_eq!(NetlinkErrno::from_raw(35), None);
        assert_eq!(NetlinkErrno::ObjNotFound.to_string(), "Object not found");
        assert_eq!(NetlinkErrno::DumpIntr.code(), 33);
    }

    #[test]
    fn netlink_error_payloads() {
        assert!(parse_netlink_error(&0i32.to_ne_bytes()).is_ok());
        let err = parse_netlink_error(&(-22i32).to_ne_bytes()).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(22));
        assert!(matches!(
            parse_netlink_error(&[1, 2]),
            Err(Error::Parse(p)) if p.kind() == ParseErrorKind::Truncated { needed: 4, available: 2 }
        ));
    }

    #[test]
    fn route_attrs_keep_nul_bytes() {
        // An abstract unix name: leading NUL, kept.
        let mut b = Vec::new();
        b.extend_from_slice(&8u16.to_ne_bytes());
        b.extend_from_slice(&0u16.to_ne_bytes());
        b.extend_from_slice(b"\0ab\0");
        let attrs = parse_netlink_route_attr(&b).unwrap();
        assert_eq!(attrs.len(), 1);
        assert_eq!(attrs[0].payload(), b"\0ab\0");
        assert_eq!(rta_length(4), 8);
        assert_eq!(rta_payload(attrs[0].header()), 4);
    }

    #[test]
    fn endian_matches_target() {
        assert_eq!(
            get_endian() == Endian::Little,
            cfg!(target_endian = "little")
        );
    }
}
