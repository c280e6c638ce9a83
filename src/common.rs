//! Pieces every sock_diag family shares: socket memory, shutdown state,
//! and host-order integer reads.

use core::fmt;
use core::mem::size_of;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

use bitflags::bitflags;

use zerocopy::{FromBytes, Immutable, KnownLayout};

use crate::netlink::Attr;
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::sock_diag as sd;
use crate::raw::{SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_STREAM};

/// Integers readable from host-order bytes.
pub(crate) trait Scalar: Sized {
    const N: usize;
    fn from_slice(b: &[u8]) -> Option<Self>;
}

macro_rules! scalar {
    ($($t:ty),*) => {$(
        impl Scalar for $t {
            const N: usize = size_of::<$t>();
            #[inline]
            fn from_slice(b: &[u8]) -> Option<Self> {
                b.try_into().ok().map(<$t>::from_ne_bytes)
            }
        }
    )*};
}
scalar!(u8, u16, u32, u64, i32);

/// The host-order integer at `off`, if `bytes` covers it.
#[inline]
pub(crate) fn read<T: Scalar>(bytes: &[u8], off: usize) -> Option<T> {
    T::from_slice(bytes.get(off..off.checked_add(T::N)?)?)
}

bitflags! {
    /// Which directions of a socket were shut down (`sk_shutdown`:
    /// `INET_DIAG_SHUTDOWN`, `UNIX_DIAG_SHUTDOWN`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Shutdown: u8 {
        /// `RCV_SHUTDOWN`: no more receiving.
        const RECEIVE = 1;
        /// `SEND_SHUTDOWN`: no more sending.
        const SEND = 2;
        const _ = !0;
    }
}

/// Socket memory, the `u32[SK_MEMINFO_VARS]` array of `INET_DIAG_SKMEMINFO`,
/// `UNIX_DIAG_MEMINFO`, `NETLINK_DIAG_MEMINFO` and `PACKET_DIAG_MEMINFO`,
/// of whatever length the kernel sent (7 values before 3.6, 8 before 4.7,
/// 9 now).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SkMemInfo<B> {
    bytes: B,
}

impl<B: AsRef<[u8]>> SkMemInfo<B> {
    /// Wraps the attribute payload; an error unless it is whole `u32`s.
    pub fn new(bytes: B, offset: usize) -> Result<Self, ParseError> {
        let len = bytes.as_ref().len();
        if !len.is_multiple_of(4) {
            return Err(ParseError::new(
                Layer::Attribute,
                offset,
                ParseErrorKind::BadArrayLength {
                    length: len,
                    element: 4,
                },
            ));
        }
        Ok(SkMemInfo { bytes })
    }

    /// Number of values the kernel sent.
    pub fn len(&self) -> usize {
        self.bytes.as_ref().len() / 4
    }

    /// True if the kernel sent none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The value at `SK_MEMINFO_*` index `i`, if sent.
    pub fn get(&self, i: usize) -> Option<u32> {
        read(self.bytes.as_ref(), i.checked_mul(4)?)
    }

    /// `SK_MEMINFO_RMEM_ALLOC`: receive-queue memory, bytes (`ss` `r`).
    pub fn rmem_alloc(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_RMEM_ALLOC)
    }
    /// `SK_MEMINFO_RCVBUF`: receive buffer size, bytes (`rb`).
    pub fn rcvbuf(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_RCVBUF)
    }
    /// `SK_MEMINFO_WMEM_ALLOC`: transmit memory in flight, bytes (`t`).
    pub fn wmem_alloc(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_WMEM_ALLOC)
    }
    /// `SK_MEMINFO_SNDBUF`: send buffer size, bytes (`tb`).
    pub fn sndbuf(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_SNDBUF)
    }
    /// `SK_MEMINFO_FWD_ALLOC`: forward-allocated memory, bytes (`f`).
    pub fn fwd_alloc(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_FWD_ALLOC)
    }
    /// `SK_MEMINFO_WMEM_QUEUED`: queued write memory, bytes (`w`).
    pub fn wmem_queued(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_WMEM_QUEUED)
    }
    /// `SK_MEMINFO_OPTMEM`: option memory, bytes (`o`).
    pub fn optmem(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_OPTMEM)
    }
    /// `SK_MEMINFO_BACKLOG`: backlog queue, bytes (`bl`; Linux 3.6).
    pub fn backlog(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_BACKLOG)
    }
    /// `SK_MEMINFO_DROPS`: packets dropped (`d`; Linux 4.7).
    pub fn drops(&self) -> Option<u32> {
        self.get(sd::SK_MEMINFO_DROPS)
    }

    /// The queues as `ss` shows them for packet and netlink sockets, which
    /// report no queue lengths: receive-queue and transmit memory
    /// (`rmem_alloc`, `wmem_alloc`).
    pub fn queues(&self) -> (Option<u32>, Option<u32>) {
        (self.rmem_alloc(), self.wmem_alloc())
    }

    /// The values' names in index order, without `SK_MEMINFO_`, lower
    /// case: the keys of the CLI's JSON and of the serde form.
    pub const NAMES: [&'static str; 9] = [
        "rmem_alloc",
        "rcvbuf",
        "wmem_alloc",
        "sndbuf",
        "fwd_alloc",
        "wmem_queued",
        "optmem",
        "backlog",
        "drops",
    ];

    /// Every value the kernel sent and this library names, as
    /// `(name, value)` in index order.
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, u32)> + '_ {
        Self::NAMES
            .iter()
            .enumerate()
            .filter_map(|(i, &name)| Some((name, self.get(i)?)))
    }

    /// An owned copy.
    pub fn into_owned(self) -> SkMemInfo<Box<[u8]>> {
        SkMemInfo {
            bytes: self.bytes.as_ref().into(),
        }
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for SkMemInfo<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries((0..self.len()).filter_map(|i| self.get(i)))
            .finish()
    }
}

/// A `u32` array attribute (inode lists, group bitmaps), host order.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct U32Array<'buf> {
    bytes: &'buf [u8],
}

impl<'buf> U32Array<'buf> {
    /// Wraps an attribute payload; an error unless it is whole `u32`s.
    pub(crate) fn new(bytes: &'buf [u8], offset: usize) -> Result<Self, ParseError> {
        if !bytes.len().is_multiple_of(4) {
            return Err(ParseError::new(
                Layer::Attribute,
                offset,
                ParseErrorKind::BadArrayLength {
                    length: bytes.len(),
                    element: 4,
                },
            ));
        }
        Ok(U32Array { bytes })
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.bytes.len() / 4
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The values.
    pub fn iter(&self) -> impl Iterator<Item = u32> + 'buf {
        self.bytes
            .chunks_exact(4)
            .filter_map(|c| c.try_into().ok().map(u32::from_ne_bytes))
    }
}

impl fmt::Debug for U32Array<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Defines the typed-attribute iterator of a family: it decodes each
/// attribute with `$decode`, yields `Err` for one that does not parse and
/// goes on, and stops after a framing error.
macro_rules! attr_iterator {
    ($(#[$meta:meta])* $name:ident, $item:ident, $decode:path) => {
        $(#[$meta])*
        #[derive(Clone, Debug)]
        pub struct $name<'buf> {
            attrs: $crate::netlink::Attrs<'buf>,
        }

        impl<'buf> $name<'buf> {
            /// Decodes the attributes in `attrs`.
            pub fn new(attrs: $crate::netlink::Attrs<'buf>) -> Self {
                $name { attrs }
            }
        }

        impl<'buf> Iterator for $name<'buf> {
            type Item = Result<$item<'buf>, $crate::ParseError>;

            #[inline]
            fn next(&mut self) -> Option<Self::Item> {
                Some(self.attrs.next()?.and_then($decode))
            }
        }

        impl core::iter::FusedIterator for $name<'_> {}
    };
}
pub(crate) use attr_iterator;

/// The type of a socket (`SOCK_*`: `udiag_type`, `ndiag_type`,
/// `pdiag_type`), for every family that reports one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SocketType {
    /// 1 `SOCK_STREAM`.
    Stream,
    /// 2 `SOCK_DGRAM`.
    Dgram,
    /// 3 `SOCK_RAW`.
    Raw,
    /// 4 `SOCK_RDM`.
    Rdm,
    /// 5 `SOCK_SEQPACKET`.
    SeqPacket,
    /// 6 `SOCK_DCCP`.
    Dccp,
    /// 10 `SOCK_PACKET` (the obsolete packet interface).
    Packet,
    /// A value this library does not know.
    Unknown(u8),
}

impl SocketType {
    /// The type for a `SOCK_*` value.
    pub const fn from_raw(v: u8) -> Self {
        match v {
            SOCK_STREAM => SocketType::Stream,
            SOCK_DGRAM => SocketType::Dgram,
            SOCK_RAW => SocketType::Raw,
            4 => SocketType::Rdm,
            SOCK_SEQPACKET => SocketType::SeqPacket,
            6 => SocketType::Dccp,
            10 => SocketType::Packet,
            v => SocketType::Unknown(v),
        }
    }

    /// The `SOCK_*` value.
    pub const fn to_raw(self) -> u8 {
        match self {
            SocketType::Stream => SOCK_STREAM,
            SocketType::Dgram => SOCK_DGRAM,
            SocketType::Raw => SOCK_RAW,
            SocketType::Rdm => 4,
            SocketType::SeqPacket => SOCK_SEQPACKET,
            SocketType::Dccp => 6,
            SocketType::Packet => 10,
            SocketType::Unknown(v) => v,
        }
    }

    /// The lower-case name without `SOCK_` (`stream`, `seqpacket`);
    /// `unknown` for unknown values.
    pub const fn name(self) -> &'static str {
        match self {
            SocketType::Stream => "stream",
            SocketType::Dgram => "dgram",
            SocketType::Raw => "raw",
            SocketType::Rdm => "rdm",
            SocketType::SeqPacket => "seqpacket",
            SocketType::Dccp => "dccp",
            SocketType::Packet => "packet",
            SocketType::Unknown(_) => "unknown",
        }
    }
}

impl SocketType {
    /// `ss`'s Netid of a unix socket of this type: `u_str`, `u_dgr`,
    /// `u_seq` (`u_???` for others).
    pub const fn unix_netid(self) -> &'static str {
        match self {
            SocketType::Stream => "u_str",
            SocketType::Dgram => "u_dgr",
            SocketType::SeqPacket => "u_seq",
            _ => "u_???",
        }
    }

    /// `ss`'s Netid of a vsock socket of this type: `v_str`, `v_dgr`,
    /// `v_seq`.
    pub const fn vsock_netid(self) -> &'static str {
        match self {
            SocketType::Stream => "v_str",
            SocketType::Dgram => "v_dgr",
            SocketType::SeqPacket => "v_seq",
            _ => "???",
        }
    }
}

impl fmt::Display for SocketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocketType::Unknown(v) => write!(f, "unknown({v})"),
            t => f.write_str(t.name()),
        }
    }
}

/// Typed shortcuts to single attributes of a borrowed view: each finds the
/// first attribute of its type and decodes it (`$decode(view, attr)`), so
/// that a damaged attribute is an error and never reads as absent.
macro_rules! attr_shortcuts {
    ($decode:expr => $attr:ident, $consts:ident;
     $( $(#[$m:meta])* $name:ident($kind:ident) -> $variant:ident($ty:ty); )*) => {
        $(
            $(#[$m])*
            #[doc = ""]
            #[doc = concat!("`Ok(None)` if the kernel did not send `", stringify!($kind),
                "`; an error if it, or the attribute framing before it, is malformed.")]
            pub fn $name(&self) -> Result<Option<$ty>, $crate::ParseError> {
                let Some(attr) = self.attrs().find($consts::$kind)? else {
                    return Ok(None);
                };
                #[allow(unreachable_patterns)]
                match $decode(self, attr)? {
                    $attr::$variant(v) => Ok(Some(v)),
                    _ => Ok(None),
                }
            }
        )*
    };
}
pub(crate) use attr_shortcuts;

/// `Debug` for an iterator: its items as a list (the iterator is cloned).
pub(crate) struct DebugIter<I>(pub(crate) I);

impl<I> fmt::Debug for DebugIter<I>
where
    I: Iterator + Clone,
    I::Item: fmt::Debug,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.clone()).finish()
    }
}

/// The fixed struct at the start of an attribute's payload; a longer
/// payload (a newer kernel's struct) is accepted, a shorter one is an error.
pub(crate) fn fixed_attr<'buf, T: FromBytes + KnownLayout + Immutable>(
    attr: &Attr<'buf>,
) -> Result<&'buf T, ParseError> {
    T::ref_from_prefix(attr.payload())
        .map(|(t, _)| t)
        .map_err(|_| {
            ParseError::new(
                Layer::Attribute,
                attr.offset(),
                ParseErrorKind::Truncated {
                    needed: size_of::<T>(),
                    available: attr.payload().len(),
                },
            )
        })
}

/// Decodes a `sockaddr_in` or `sockaddr_in6` at the start of `b`.
pub(crate) fn sockaddr(b: &[u8]) -> Option<SocketAddr> {
    let family = read::<u16>(b, 0)?;
    let port = u16::from_be_bytes([*b.get(2)?, *b.get(3)?]);
    match u8::try_from(family).ok()? {
        crate::raw::AF_INET => {
            let a: [u8; 4] = b.get(4..8)?.try_into().ok()?;
            Some(SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::from(a), port)))
        }
        crate::raw::AF_INET6 => {
            let flow: [u8; 4] = b.get(4..8)?.try_into().ok()?;
            let a: [u8; 16] = b.get(8..24)?.try_into().ok()?;
            let scope = read::<u32>(b, 24)?;
            Some(SocketAddr::V6(SocketAddrV6::new(
                Ipv6Addr::from(a),
                port,
                u32::from_be_bytes(flow),
                scope,
            )))
        }
        _ => None,
    }
}
