//! AF_XDP sockets (`xsk_diag`, Linux 5.1; what `ss --xdp` lists): the
//! [`XdpRequest`] builder, the borrowed [`XdpMsg`] view, typed
//! [`XdpAttr`]s and the owned [`XdpSocket`].

use bitflags::bitflags;
use core::fmt;

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::IntoBytes;

use crate::common::{attr_iterator, attr_shortcuts, fixed_attr, DebugIter, SkMemInfo, SocketType};
use crate::netlink::{Attr, Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::xdp_diag::{
    self as rx, xdp_diag_info, xdp_diag_msg, xdp_diag_req, xdp_diag_ring, xdp_diag_stats,
    xdp_diag_umem,
};
use crate::raw::AF_XDP;
use crate::request::split_reply;
use crate::request::{cookie, cookie_words, header, RequestBytes};

bitflags! {
    /// What an AF_XDP request asks the kernel to show (`xdiag_show`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct XdpShow: u32 {
        /// `XDP_SHOW_INFO`: interface, queue and owner.
        const INFO = rx::XDP_SHOW_INFO;
        /// `XDP_SHOW_RING_CFG`: the receive and transmit rings' sizes.
        const RING_CFG = rx::XDP_SHOW_RING_CFG;
        /// `XDP_SHOW_UMEM`: the UMEM and its fill and completion rings.
        const UMEM = rx::XDP_SHOW_UMEM;
        /// `XDP_SHOW_MEMINFO`: socket memory.
        const MEMINFO = rx::XDP_SHOW_MEMINFO;
        /// `XDP_SHOW_STATS`: drop counters (Linux 5.9).
        const STATS = rx::XDP_SHOW_STATS;
        const _ = !0;
    }
}

/// A dump request for AF_XDP sockets.
///
/// ```
/// use sockdiag::xdp::{XdpRequest, XdpShow};
///
/// let rings = XdpRequest::new().with_show(XdpShow::INFO | XdpShow::RING_CFG);
/// assert_eq!(rings.to_bytes(1).as_bytes().len(), 16 + 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct XdpRequest {
    show: XdpShow,
}

impl Default for XdpRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl XdpRequest {
    /// Every AF_XDP socket, showing everything (as `ss --xdp` asks).
    pub const fn new() -> Self {
        XdpRequest {
            show: XdpShow::INFO
                .union(XdpShow::RING_CFG)
                .union(XdpShow::UMEM)
                .union(XdpShow::MEMINFO)
                .union(XdpShow::STATS),
        }
    }

    /// Selects what to show (`xdiag_show`).
    #[must_use]
    pub const fn with_show(mut self, show: XdpShow) -> Self {
        self.show = show;
        self
    }

    /// What it asks to show.
    pub const fn show(&self) -> XdpShow {
        self.show
    }

    /// The request body (`struct xdp_diag_req`).
    pub fn to_raw(&self) -> xdp_diag_req {
        xdp_diag_req {
            sdiag_family: AF_XDP,
            sdiag_protocol: 0,
            pad: U16::new(0),
            xdiag_ino: U32::new(0),
            xdiag_show: U32::new(self.show.bits()),
            xdiag_cookie: cookie_words(None),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let hdr = header(16 + 20, SOCK_DIAG_BY_FAMILY, true, seq);
        RequestBytes::new(&[hdr.as_bytes(), self.to_raw().as_bytes()])
    }
}

crate::request::family_request!(XdpRequest, AF_XDP => XdpMsg, XdpSocket);

/// A borrowed, checked view of one AF_XDP socket reply: `struct
/// xdp_diag_msg` and the `XDP_DIAG_*` attributes after it.
#[doc(alias = "xdp_diag_msg")]
#[derive(Clone, Copy)]
pub struct XdpMsg<'buf> {
    raw: &'buf xdp_diag_msg,
    attrs: &'buf [u8],
    attrs_offset: usize,
}

impl<'buf> XdpMsg<'buf> {
    /// Checks and wraps one `SOCK_DIAG_BY_FAMILY` reply for `AF_XDP`.
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        let (raw, attrs, attrs_offset) =
            split_reply(msg, Layer::XdpDiagMsg, AF_XDP, |m: &xdp_diag_msg| {
                m.xdiag_family
            })?;
        Ok(XdpMsg {
            raw,
            attrs,
            attrs_offset,
        })
    }

    /// The raw `struct xdp_diag_msg`.
    pub fn raw(&self) -> &'buf xdp_diag_msg {
        self.raw
    }

    /// Socket type (`xdiag_type`): [`Raw`](SocketType::Raw).
    pub fn socket_type(&self) -> SocketType {
        SocketType::from_raw(self.raw.xdiag_type)
    }

    /// Inode (`xdiag_ino`).
    pub fn inode(&self) -> u32 {
        self.raw.xdiag_ino.get()
    }

    /// The 64-bit cookie (`xdiag_cookie`, low word first).
    pub fn cookie(&self) -> u64 {
        cookie(&self.raw.xdiag_cookie)
    }

    /// The `XDP_DIAG_*` attributes, raw.
    pub fn attrs(&self) -> Attrs<'buf> {
        Attrs::with_base(self.attrs, self.attrs_offset)
    }

    /// The attributes, decoded.
    pub fn attributes(&self) -> XdpAttrs<'buf> {
        XdpAttrs::new(self.attrs())
    }

    attr_shortcuts! {
        |_: &Self, a| XdpAttr::decode(a) => XdpAttr, rx;
        /// `XDP_DIAG_INFO`: the interface and queue it is bound to (only
        /// for a bound socket).
        info(XDP_DIAG_INFO) -> Info(XdpInfo);
        /// `XDP_DIAG_UID`: the owner.
        uid(XDP_DIAG_UID) -> Uid(u32);
        /// `XDP_DIAG_RX_RING`: the receive ring's size.
        rx_ring(XDP_DIAG_RX_RING) -> RxRing(u32);
        /// `XDP_DIAG_TX_RING`: the transmit ring's size.
        tx_ring(XDP_DIAG_TX_RING) -> TxRing(u32);
        /// `XDP_DIAG_UMEM`: the registered UMEM.
        umem(XDP_DIAG_UMEM) -> Umem(XdpUmem);
        /// `XDP_DIAG_UMEM_FILL_RING`: the fill ring's size.
        fill_ring(XDP_DIAG_UMEM_FILL_RING) -> FillRing(u32);
        /// `XDP_DIAG_UMEM_COMPLETION_RING`: the completion ring's size.
        completion_ring(XDP_DIAG_UMEM_COMPLETION_RING) -> CompletionRing(u32);
        /// `XDP_DIAG_MEMINFO`: the socket's memory counters.
        skmeminfo(XDP_DIAG_MEMINFO) -> SkMemInfo(SkMemInfo<&'buf [u8]>);
        /// `XDP_DIAG_STATS`: drop counters (Linux 5.9).
        stats(XDP_DIAG_STATS) -> Stats(XdpStats);
    }
}

impl fmt::Debug for XdpMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XdpMsg")
            .field("type", &self.socket_type())
            .field("inode", &self.inode())
            .field("cookie", &self.cookie())
            .field("attributes", &DebugIter(self.attributes()))
            .finish()
    }
}

/// `struct xdp_diag_info`, decoded.
#[doc(alias = "xdp_diag_info")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct XdpInfo {
    /// `ifindex`: the interface.
    pub ifindex: u32,
    /// `queue_id`: its queue.
    pub queue_id: u32,
}

/// `struct xdp_diag_umem`, decoded.
#[doc(alias = "xdp_diag_umem")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct XdpUmem {
    /// `size`, bytes.
    pub size: u64,
    /// `id`.
    pub id: u32,
    /// `num_pages`.
    pub num_pages: u32,
    /// `chunk_size`, bytes.
    pub chunk_size: u32,
    /// `headroom`, bytes.
    pub headroom: u32,
    /// `ifindex` it is bound to.
    pub ifindex: u32,
    /// `queue_id`.
    pub queue_id: u32,
    /// `flags` (`XDP_DU_F_*`).
    pub flags: u32,
    /// `refs`: sockets sharing it.
    pub refs: u32,
}

impl XdpUmem {
    /// True in zero-copy mode (`XDP_DU_F_ZEROCOPY`).
    pub const fn is_zerocopy(&self) -> bool {
        self.flags & rx::XDP_DU_F_ZEROCOPY != 0
    }
}

/// `struct xdp_diag_stats`, decoded.
#[doc(alias = "xdp_diag_stats")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct XdpStats {
    /// `n_rx_dropped`.
    pub rx_dropped: u64,
    /// `n_rx_invalid`.
    pub rx_invalid: u64,
    /// `n_rx_full`.
    pub rx_full: u64,
    /// `n_fill_ring_empty`.
    pub fill_ring_empty: u64,
    /// `n_tx_invalid`.
    pub tx_invalid: u64,
    /// `n_tx_ring_empty`.
    pub tx_ring_empty: u64,
}

/// One `XDP_DIAG_*` attribute, decoded.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum XdpAttr<'buf> {
    /// 1 `XDP_DIAG_INFO`.
    Info(XdpInfo),
    /// 2 `XDP_DIAG_UID`.
    Uid(u32),
    /// 3 `XDP_DIAG_RX_RING`: entries.
    RxRing(u32),
    /// 4 `XDP_DIAG_TX_RING`: entries.
    TxRing(u32),
    /// 5 `XDP_DIAG_UMEM`.
    Umem(XdpUmem),
    /// 6 `XDP_DIAG_UMEM_FILL_RING`: entries.
    FillRing(u32),
    /// 7 `XDP_DIAG_UMEM_COMPLETION_RING`: entries.
    CompletionRing(u32),
    /// 8 `XDP_DIAG_MEMINFO`.
    SkMemInfo(SkMemInfo<&'buf [u8]>),
    /// 9 `XDP_DIAG_STATS`.
    Stats(XdpStats),
    /// Any other type, raw.
    Other(Attr<'buf>),
}

fn ring(attr: &Attr<'_>) -> Result<u32, ParseError> {
    let r: &xdp_diag_ring = fixed_attr(attr)?;
    Ok(r.entries.get())
}

impl<'buf> XdpAttr<'buf> {
    /// Decodes one attribute; a payload too short for its struct is an
    /// error.
    #[inline]
    pub fn decode(attr: Attr<'buf>) -> Result<Self, ParseError> {
        Ok(match attr.kind() {
            rx::XDP_DIAG_INFO => {
                let i: &xdp_diag_info = fixed_attr(&attr)?;
                XdpAttr::Info(XdpInfo {
                    ifindex: i.ifindex.get(),
                    queue_id: i.queue_id.get(),
                })
            }
            rx::XDP_DIAG_UID => XdpAttr::Uid(attr.u32()?),
            rx::XDP_DIAG_RX_RING => XdpAttr::RxRing(ring(&attr)?),
            rx::XDP_DIAG_TX_RING => XdpAttr::TxRing(ring(&attr)?),
            rx::XDP_DIAG_UMEM => {
                let u: &xdp_diag_umem = fixed_attr(&attr)?;
                XdpAttr::Umem(XdpUmem {
                    size: u.size.get(),
                    id: u.id.get(),
                    num_pages: u.num_pages.get(),
                    chunk_size: u.chunk_size.get(),
                    headroom: u.headroom.get(),
                    ifindex: u.ifindex.get(),
                    queue_id: u.queue_id.get(),
                    flags: u.flags.get(),
                    refs: u.refs.get(),
                })
            }
            rx::XDP_DIAG_UMEM_FILL_RING => XdpAttr::FillRing(ring(&attr)?),
            rx::XDP_DIAG_UMEM_COMPLETION_RING => XdpAttr::CompletionRing(ring(&attr)?),
            rx::XDP_DIAG_MEMINFO => {
                XdpAttr::SkMemInfo(SkMemInfo::new(attr.payload(), attr.offset())?)
            }
            rx::XDP_DIAG_STATS => {
                let s: &xdp_diag_stats = fixed_attr(&attr)?;
                XdpAttr::Stats(XdpStats {
                    rx_dropped: s.n_rx_dropped.get(),
                    rx_invalid: s.n_rx_invalid.get(),
                    rx_full: s.n_rx_full.get(),
                    fill_ring_empty: s.n_fill_ring_empty.get(),
                    tx_invalid: s.n_tx_invalid.get(),
                    tx_ring_empty: s.n_tx_ring_empty.get(),
                })
            }
            _ => XdpAttr::Other(attr),
        })
    }
}

attr_iterator! {
    /// Iterator over the typed attributes of an [`XdpMsg`].
    XdpAttrs, XdpAttr, XdpAttr::decode
}

/// One AF_XDP socket, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct XdpSocket {
    /// Socket type.
    pub socket_type: SocketType,
    /// Inode.
    pub inode: u32,
    /// Cookie.
    pub cookie: u64,
    /// `XDP_DIAG_INFO`.
    pub info: Option<XdpInfo>,
    /// `XDP_DIAG_UID`.
    pub uid: Option<u32>,
    /// `XDP_DIAG_RX_RING`.
    pub rx_ring: Option<u32>,
    /// `XDP_DIAG_TX_RING`.
    pub tx_ring: Option<u32>,
    /// `XDP_DIAG_UMEM`.
    pub umem: Option<XdpUmem>,
    /// `XDP_DIAG_UMEM_FILL_RING`.
    pub fill_ring: Option<u32>,
    /// `XDP_DIAG_UMEM_COMPLETION_RING`.
    pub completion_ring: Option<u32>,
    /// `XDP_DIAG_MEMINFO`.
    pub skmeminfo: Option<SkMemInfo<Box<[u8]>>>,
    /// `XDP_DIAG_STATS`.
    pub stats: Option<XdpStats>,
    /// Attributes of other types, as (type, payload).
    pub other: Vec<(u16, Box<[u8]>)>,
    /// Attributes that did not parse.
    pub errors: Vec<ParseError>,
}

impl From<XdpMsg<'_>> for XdpSocket {
    fn from(m: XdpMsg<'_>) -> Self {
        let mut s = XdpSocket {
            socket_type: m.socket_type(),
            inode: m.inode(),
            cookie: m.cookie(),
            info: None,
            uid: None,
            rx_ring: None,
            tx_ring: None,
            umem: None,
            fill_ring: None,
            completion_ring: None,
            skmeminfo: None,
            stats: None,
            other: Vec::new(),
            errors: Vec::new(),
        };
        for attr in m.attributes() {
            match attr {
                Ok(XdpAttr::Info(i)) => s.info = Some(i),
                Ok(XdpAttr::Uid(u)) => s.uid = Some(u),
                Ok(XdpAttr::RxRing(r)) => s.rx_ring = Some(r),
                Ok(XdpAttr::TxRing(r)) => s.tx_ring = Some(r),
                Ok(XdpAttr::Umem(u)) => s.umem = Some(u),
                Ok(XdpAttr::FillRing(r)) => s.fill_ring = Some(r),
                Ok(XdpAttr::CompletionRing(r)) => s.completion_ring = Some(r),
                Ok(XdpAttr::SkMemInfo(mi)) => s.skmeminfo = Some(mi.into_owned()),
                Ok(XdpAttr::Stats(st)) => s.stats = Some(st),
                Ok(XdpAttr::Other(a)) => s.other.push((a.kind(), a.payload().into())),
                Err(e) => s.errors.push(e),
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
