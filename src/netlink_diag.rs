//! Netlink sockets (`netlink_diag`, what `ss -A netlink` lists): the
//! [`NetlinkRequest`] builder, the borrowed [`NetlinkMsg`] view, typed
//! [`NetlinkAttr`]s and the owned [`NetlinkSocket`].

use core::fmt;

use bitflags::bitflags;
use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::IntoBytes;

use crate::common::{
    attr_iterator, attr_shortcuts, fixed_attr, DebugIter, SkMemInfo, SocketType, U32Array,
};
use crate::netlink::{Attr, Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError};
use crate::raw::netlink_diag::{self as rn, netlink_diag_msg, netlink_diag_req, netlink_diag_ring};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::AF_NETLINK;
use crate::request::split_reply;
use crate::request::{cookie, cookie_words, header, RequestBytes};

bitflags! {
    /// What a netlink request asks the kernel to show (`ndiag_show`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct NetlinkShow: u32 {
        /// `NDIAG_SHOW_MEMINFO`.
        const MEMINFO = rn::NDIAG_SHOW_MEMINFO;
        /// `NDIAG_SHOW_GROUPS`.
        const GROUPS = rn::NDIAG_SHOW_GROUPS;
        /// `NDIAG_SHOW_RING_CFG` (mmap rings are gone since Linux 4.6).
        const RING_CFG = rn::NDIAG_SHOW_RING_CFG;
        /// `NDIAG_SHOW_FLAGS` (Linux 4.12).
        const FLAGS = rn::NDIAG_SHOW_FLAGS;
    }
}

bitflags! {
    /// `NETLINK_DIAG_FLAGS`: the socket's options (`NDIAG_FLAG_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct NetlinkFlags: u32 {
        /// `NDIAG_FLAG_CB_RUNNING`: a dump is in progress.
        const CB_RUNNING = rn::NDIAG_FLAG_CB_RUNNING;
        /// `NDIAG_FLAG_PKTINFO`: `NETLINK_PKTINFO`.
        const PKTINFO = rn::NDIAG_FLAG_PKTINFO;
        /// `NDIAG_FLAG_BROADCAST_ERROR`: `NETLINK_BROADCAST_ERROR`.
        const BROADCAST_ERROR = rn::NDIAG_FLAG_BROADCAST_ERROR;
        /// `NDIAG_FLAG_NO_ENOBUFS`: `NETLINK_NO_ENOBUFS`.
        const NO_ENOBUFS = rn::NDIAG_FLAG_NO_ENOBUFS;
        /// `NDIAG_FLAG_LISTEN_ALL_NSID`: `NETLINK_LISTEN_ALL_NSID`.
        const LISTEN_ALL_NSID = rn::NDIAG_FLAG_LISTEN_ALL_NSID;
        /// `NDIAG_FLAG_CAP_ACK`: `NETLINK_CAP_ACK`.
        const CAP_ACK = rn::NDIAG_FLAG_CAP_ACK;
        const _ = !0;
    }
}

/// A dump request for netlink sockets, of one netlink protocol or all.
///
/// ```
/// use sockdiag::netlink_diag::{NetlinkRequest, NetlinkShow};
///
/// let all = NetlinkRequest::new().with_show(NetlinkShow::GROUPS);
/// let route = NetlinkRequest::new().with_protocol(0); // NETLINK_ROUTE
/// assert_eq!(all.to_bytes(1).as_bytes().len(), 16 + 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NetlinkRequest {
    protocol: Option<u8>,
    show: NetlinkShow,
}

impl Default for NetlinkRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl NetlinkRequest {
    /// Every netlink socket (`NDIAG_PROTO_ALL`), showing memory, groups
    /// and flags.
    pub const fn new() -> Self {
        NetlinkRequest {
            protocol: None,
            show: NetlinkShow::MEMINFO
                .union(NetlinkShow::GROUPS)
                .union(NetlinkShow::FLAGS),
        }
    }

    /// Only sockets of netlink protocol `protocol` (`NETLINK_ROUTE` = 0, ...).
    #[must_use]
    pub const fn with_protocol(mut self, protocol: u8) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Selects what to show (`ndiag_show`).
    #[must_use]
    pub const fn with_show(mut self, show: NetlinkShow) -> Self {
        self.show = show;
        self
    }

    /// The request body (`struct netlink_diag_req`).
    pub fn to_raw(&self) -> netlink_diag_req {
        netlink_diag_req {
            sdiag_family: AF_NETLINK,
            sdiag_protocol: self.protocol.unwrap_or(rn::NDIAG_PROTO_ALL),
            pad: U16::new(0),
            ndiag_ino: U32::new(0),
            ndiag_show: U32::new(self.show.bits()),
            ndiag_cookie: cookie_words(None),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let hdr = header(16 + 20, SOCK_DIAG_BY_FAMILY, true, seq);
        RequestBytes::new(&[hdr.as_bytes(), self.to_raw().as_bytes()])
    }
}

crate::request::family_request!(NetlinkRequest, AF_NETLINK => NetlinkMsg, NetlinkSocket;
    fn sdiag_protocol(&self) -> u16 {
        u16::from(self.protocol.unwrap_or(rn::NDIAG_PROTO_ALL))
    }
);

/// A borrowed, checked view of one netlink socket reply: `struct
/// netlink_diag_msg` and the `NETLINK_DIAG_*` attributes after it.
#[doc(alias = "netlink_diag_msg")]
#[derive(Clone, Copy)]
pub struct NetlinkMsg<'buf> {
    raw: &'buf netlink_diag_msg,
    attrs: &'buf [u8],
    attrs_offset: usize,
}

impl<'buf> NetlinkMsg<'buf> {
    /// Checks and wraps one `SOCK_DIAG_BY_FAMILY` reply for `AF_NETLINK`.
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        let (raw, attrs, attrs_offset) = split_reply(
            msg,
            Layer::NetlinkDiagMsg,
            AF_NETLINK,
            |m: &netlink_diag_msg| m.ndiag_family,
        )?;
        Ok(NetlinkMsg {
            raw,
            attrs,
            attrs_offset,
        })
    }

    /// The raw `struct netlink_diag_msg`.
    pub fn raw(&self) -> &'buf netlink_diag_msg {
        self.raw
    }

    /// Socket type (`ndiag_type`): [`Raw`](SocketType::Raw) or
    /// [`Dgram`](SocketType::Dgram).
    pub fn socket_type(&self) -> SocketType {
        SocketType::from_raw(self.raw.ndiag_type)
    }

    /// Netlink protocol (`ndiag_protocol`): `NETLINK_ROUTE` = 0, ...
    pub fn protocol(&self) -> u8 {
        self.raw.ndiag_protocol
    }

    /// True if connected to a peer (`ndiag_state` = `NETLINK_CONNECTED`).
    pub fn is_connected(&self) -> bool {
        self.raw.ndiag_state == 1
    }

    /// Port id of the socket (`ndiag_portid`); 0 for the kernel's sockets.
    pub fn port_id(&self) -> u32 {
        self.raw.ndiag_portid.get()
    }

    /// Port id it is connected to (`ndiag_dst_portid`).
    pub fn dst_port_id(&self) -> u32 {
        self.raw.ndiag_dst_portid.get()
    }

    /// Group it is connected to (`ndiag_dst_group`).
    pub fn dst_group(&self) -> u32 {
        self.raw.ndiag_dst_group.get()
    }

    /// Inode of the socket (`ndiag_ino`); 0 for the kernel's sockets.
    pub fn inode(&self) -> u32 {
        self.raw.ndiag_ino.get()
    }

    /// The 64-bit cookie (`ndiag_cookie`, low word first).
    pub fn cookie(&self) -> u64 {
        cookie(&self.raw.ndiag_cookie)
    }

    /// The `NETLINK_DIAG_*` attributes, raw.
    pub fn attrs(&self) -> Attrs<'buf> {
        Attrs::with_base(self.attrs, self.attrs_offset)
    }

    /// The attributes, decoded.
    pub fn attributes(&self) -> NetlinkAttrs<'buf> {
        NetlinkAttrs::new(self.attrs())
    }

    attr_shortcuts! {
        |_: &Self, a| NetlinkAttr::decode(a) => NetlinkAttr, rn;
        /// `NETLINK_DIAG_MEMINFO`: the socket's memory counters.
        skmeminfo(NETLINK_DIAG_MEMINFO) -> SkMemInfo(SkMemInfo<&'buf [u8]>);
        /// `NETLINK_DIAG_GROUPS`: the multicast groups joined.
        groups(NETLINK_DIAG_GROUPS) -> Groups(Groups<'buf>);
        /// `NETLINK_DIAG_FLAGS`: the socket's options.
        flags(NETLINK_DIAG_FLAGS) -> Flags(NetlinkFlags);
        /// `NETLINK_DIAG_RX_RING`: the receive ring (kernels before 4.6).
        rx_ring(NETLINK_DIAG_RX_RING) -> RxRing(NetlinkRing);
        /// `NETLINK_DIAG_TX_RING`: the transmit ring (kernels before 4.6).
        tx_ring(NETLINK_DIAG_TX_RING) -> TxRing(NetlinkRing);
    }
}

impl fmt::Debug for NetlinkMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NetlinkMsg")
            .field("type", &self.socket_type())
            .field("protocol", &self.protocol())
            .field("connected", &self.is_connected())
            .field("port_id", &self.port_id())
            .field("dst_port_id", &self.dst_port_id())
            .field("dst_group", &self.dst_group())
            .field("inode", &self.inode())
            .field("cookie", &self.cookie())
            .field("attributes", &DebugIter(self.attributes()))
            .finish()
    }
}

/// `NETLINK_DIAG_GROUPS`: the multicast groups a socket subscribed to,
/// as a bitmap (bit `g - 1` is group `g`).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Groups<'buf> {
    words: U32Array<'buf>,
}

impl<'buf> Groups<'buf> {
    /// The bitmap words.
    pub fn words(&self) -> U32Array<'buf> {
        self.words
    }

    /// True if subscribed to group `group` (1-based, as in
    /// `NETLINK_ADD_MEMBERSHIP`).
    pub fn contains(&self, group: u32) -> bool {
        let Some(bit) = group.checked_sub(1) else {
            return false;
        };
        self.words
            .iter()
            .nth((bit / 32) as usize)
            .is_some_and(|w| w & (1 << (bit % 32)) != 0)
    }

    /// The subscribed groups, 1-based, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = u32> + 'buf {
        self.words.iter().enumerate().flat_map(|(i, w)| {
            (0..32u32)
                .filter(move |b| w & (1 << b) != 0)
                .map(move |b| (i as u32).saturating_mul(32).saturating_add(b + 1))
        })
    }
}

impl fmt::Debug for Groups<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `struct netlink_diag_ring`, decoded.
#[doc(alias = "netlink_diag_ring")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct NetlinkRing {
    /// `ndr_block_size`, bytes.
    pub block_size: u32,
    /// `ndr_block_nr`.
    pub block_nr: u32,
    /// `ndr_frame_size`, bytes.
    pub frame_size: u32,
    /// `ndr_frame_nr`.
    pub frame_nr: u32,
}

/// One `NETLINK_DIAG_*` attribute, decoded.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum NetlinkAttr<'buf> {
    /// 0 `NETLINK_DIAG_MEMINFO`.
    SkMemInfo(SkMemInfo<&'buf [u8]>),
    /// 1 `NETLINK_DIAG_GROUPS`.
    Groups(Groups<'buf>),
    /// 2 `NETLINK_DIAG_RX_RING` (kernels before 4.6 with an mmap ring).
    RxRing(NetlinkRing),
    /// 3 `NETLINK_DIAG_TX_RING`.
    TxRing(NetlinkRing),
    /// 4 `NETLINK_DIAG_FLAGS`.
    Flags(NetlinkFlags),
    /// Any other type, raw.
    Other(Attr<'buf>),
}

fn ring(attr: &Attr<'_>) -> Result<NetlinkRing, ParseError> {
    let r: &netlink_diag_ring = fixed_attr(attr)?;
    Ok(NetlinkRing {
        block_size: r.ndr_block_size.get(),
        block_nr: r.ndr_block_nr.get(),
        frame_size: r.ndr_frame_size.get(),
        frame_nr: r.ndr_frame_nr.get(),
    })
}

impl<'buf> NetlinkAttr<'buf> {
    /// Decodes one attribute; a payload of the wrong length is an error.
    #[inline]
    pub fn decode(attr: Attr<'buf>) -> Result<Self, ParseError> {
        Ok(match attr.kind() {
            rn::NETLINK_DIAG_MEMINFO => {
                NetlinkAttr::SkMemInfo(SkMemInfo::new(attr.payload(), attr.offset())?)
            }
            rn::NETLINK_DIAG_GROUPS => NetlinkAttr::Groups(Groups {
                words: U32Array::new(attr.payload(), attr.offset())?,
            }),
            rn::NETLINK_DIAG_RX_RING => NetlinkAttr::RxRing(ring(&attr)?),
            rn::NETLINK_DIAG_TX_RING => NetlinkAttr::TxRing(ring(&attr)?),
            rn::NETLINK_DIAG_FLAGS => {
                NetlinkAttr::Flags(NetlinkFlags::from_bits_retain(attr.u32()?))
            }
            _ => NetlinkAttr::Other(attr),
        })
    }
}

attr_iterator! {
    /// Iterator over the typed attributes of a [`NetlinkMsg`].
    NetlinkAttrs, NetlinkAttr, NetlinkAttr::decode
}

/// One netlink socket, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct NetlinkSocket {
    /// Socket type.
    pub socket_type: SocketType,
    /// Netlink protocol.
    pub protocol: u8,
    /// Connected to a peer.
    pub connected: bool,
    /// Port id.
    pub port_id: u32,
    /// Destination port id.
    pub dst_port_id: u32,
    /// Destination group.
    pub dst_group: u32,
    /// Inode.
    pub inode: u32,
    /// Cookie.
    pub cookie: u64,
    /// `NETLINK_DIAG_MEMINFO`.
    pub skmeminfo: Option<SkMemInfo<Box<[u8]>>>,
    /// `NETLINK_DIAG_GROUPS`, 1-based.
    pub groups: Option<Vec<u32>>,
    /// `NETLINK_DIAG_RX_RING`.
    pub rx_ring: Option<NetlinkRing>,
    /// `NETLINK_DIAG_TX_RING`.
    pub tx_ring: Option<NetlinkRing>,
    /// `NETLINK_DIAG_FLAGS`.
    pub flags: Option<NetlinkFlags>,
    /// Attributes of other types, as (type, payload).
    pub other: Vec<(u16, Box<[u8]>)>,
    /// Attributes that did not parse.
    pub errors: Vec<ParseError>,
}

impl From<NetlinkMsg<'_>> for NetlinkSocket {
    fn from(m: NetlinkMsg<'_>) -> Self {
        let mut s = NetlinkSocket {
            socket_type: m.socket_type(),
            protocol: m.protocol(),
            connected: m.is_connected(),
            port_id: m.port_id(),
            dst_port_id: m.dst_port_id(),
            dst_group: m.dst_group(),
            inode: m.inode(),
            cookie: m.cookie(),
            skmeminfo: None,
            groups: None,
            rx_ring: None,
            tx_ring: None,
            flags: None,
            other: Vec::new(),
            errors: Vec::new(),
        };
        for attr in m.attributes() {
            match attr {
                Ok(NetlinkAttr::SkMemInfo(mi)) => s.skmeminfo = Some(mi.into_owned()),
                Ok(NetlinkAttr::Groups(g)) => s.groups = Some(g.iter().collect()),
                Ok(NetlinkAttr::RxRing(r)) => s.rx_ring = Some(r),
                Ok(NetlinkAttr::TxRing(r)) => s.tx_ring = Some(r),
                Ok(NetlinkAttr::Flags(f)) => s.flags = Some(f),
                Ok(NetlinkAttr::Other(a)) => s.other.push((a.kind(), a.payload().into())),
                Err(e) => s.errors.push(e),
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
