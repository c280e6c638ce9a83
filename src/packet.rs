//! Packet sockets (`packet_diag`, what `ss -0` lists): the
//! [`PacketRequest`] builder, the borrowed [`PacketMsg`] view, typed
//! [`PacketAttr`]s and the owned [`PacketSocket`].

use core::fmt;

use bitflags::bitflags;
use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{FromBytes, IntoBytes};

use crate::common::{attr_iterator, attr_shortcuts, fixed_attr, DebugIter, SkMemInfo, SocketType};
use crate::netlink::{Attr, Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::packet_diag::{
    self as rp, packet_diag_info, packet_diag_mclist, packet_diag_msg, packet_diag_req,
    packet_diag_ring, sock_filter,
};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::AF_PACKET;
use crate::request::split_reply;
use crate::request::{cookie, cookie_words, header, RequestBytes};

bitflags! {
    /// What a packet request asks the kernel to show (`pdiag_show`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct PacketShow: u32 {
        /// `PACKET_SHOW_INFO`.
        const INFO = rp::PACKET_SHOW_INFO;
        /// `PACKET_SHOW_MCLIST`.
        const MCLIST = rp::PACKET_SHOW_MCLIST;
        /// `PACKET_SHOW_RING_CFG`.
        const RING_CFG = rp::PACKET_SHOW_RING_CFG;
        /// `PACKET_SHOW_FANOUT`.
        const FANOUT = rp::PACKET_SHOW_FANOUT;
        /// `PACKET_SHOW_MEMINFO`.
        const MEMINFO = rp::PACKET_SHOW_MEMINFO;
        /// `PACKET_SHOW_FILTER` (sent to `CAP_NET_ADMIN` requesters).
        const FILTER = rp::PACKET_SHOW_FILTER;
    }
}

bitflags! {
    /// `pdi_flags`: the socket's options (`PDI_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct PacketInfoFlags: u32 {
        /// `PDI_RUNNING`: bound and receiving.
        const RUNNING = rp::PDI_RUNNING;
        /// `PDI_AUXDATA`: `PACKET_AUXDATA`.
        const AUXDATA = rp::PDI_AUXDATA;
        /// `PDI_ORIGDEV`: `PACKET_ORIGDEV`.
        const ORIGDEV = rp::PDI_ORIGDEV;
        /// `PDI_VNETHDR`: `PACKET_VNET_HDR`.
        const VNETHDR = rp::PDI_VNETHDR;
        /// `PDI_LOSS`: `PACKET_LOSS`.
        const LOSS = rp::PDI_LOSS;
        const _ = !0;
    }
}

/// A dump request for packet sockets.
///
/// ```
/// use sockdiag::packet::{PacketRequest, PacketShow};
///
/// let req = PacketRequest::new().with_show(PacketShow::all());
/// assert_eq!(req.to_bytes(1).as_bytes().len(), 16 + 20);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PacketRequest {
    show: PacketShow,
}

impl Default for PacketRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl PacketRequest {
    /// Every packet socket, showing everything but the BPF filter.
    pub const fn new() -> Self {
        PacketRequest {
            show: PacketShow::all().difference(PacketShow::FILTER),
        }
    }

    /// Selects what to show (`pdiag_show`).
    #[must_use]
    pub const fn with_show(mut self, show: PacketShow) -> Self {
        self.show = show;
        self
    }

    /// The request body (`struct packet_diag_req`).
    pub fn to_raw(&self) -> packet_diag_req {
        packet_diag_req {
            sdiag_family: AF_PACKET,
            sdiag_protocol: 0,
            pad: U16::new(0),
            pdiag_ino: U32::new(0),
            pdiag_show: U32::new(self.show.bits()),
            pdiag_cookie: cookie_words(None),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let hdr = header(16 + 20, SOCK_DIAG_BY_FAMILY, true, seq);
        RequestBytes::new(&[hdr.as_bytes(), self.to_raw().as_bytes()])
    }
}

crate::request::family_request!(PacketRequest, AF_PACKET => PacketMsg, PacketSocket);

/// A borrowed, checked view of one packet socket reply: `struct
/// packet_diag_msg` and the `PACKET_DIAG_*` attributes after it.
#[doc(alias = "packet_diag_msg")]
#[derive(Clone, Copy)]
pub struct PacketMsg<'buf> {
    raw: &'buf packet_diag_msg,
    attrs: &'buf [u8],
    attrs_offset: usize,
}

impl<'buf> PacketMsg<'buf> {
    /// Checks and wraps one `SOCK_DIAG_BY_FAMILY` reply for `AF_PACKET`.
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        let (raw, attrs, attrs_offset) = split_reply(
            msg,
            Layer::PacketDiagMsg,
            AF_PACKET,
            |m: &packet_diag_msg| m.pdiag_family,
        )?;
        Ok(PacketMsg {
            raw,
            attrs,
            attrs_offset,
        })
    }

    /// The raw `struct packet_diag_msg`.
    pub fn raw(&self) -> &'buf packet_diag_msg {
        self.raw
    }

    /// Socket type (`pdiag_type`): [`Raw`](SocketType::Raw) or
    /// [`Dgram`](SocketType::Dgram).
    pub fn socket_type(&self) -> SocketType {
        SocketType::from_raw(self.raw.pdiag_type)
    }

    /// Ethernet protocol (`pdiag_num`, host byte order): `ETH_P_ALL` = 3,
    /// `ETH_P_IP` = 0x0800, `ETH_P_ARP` = 0x0806, ...
    pub fn protocol(&self) -> u16 {
        self.raw.pdiag_num.get()
    }

    /// Inode of the socket (`pdiag_ino`).
    pub fn inode(&self) -> u32 {
        self.raw.pdiag_ino.get()
    }

    /// The 64-bit cookie (`pdiag_cookie`, low word first).
    pub fn cookie(&self) -> u64 {
        cookie(&self.raw.pdiag_cookie)
    }

    /// The `PACKET_DIAG_*` attributes, raw.
    pub fn attrs(&self) -> Attrs<'buf> {
        Attrs::with_base(self.attrs, self.attrs_offset)
    }

    /// The attributes, decoded.
    pub fn attributes(&self) -> PacketAttrs<'buf> {
        PacketAttrs::new(self.attrs())
    }

    attr_shortcuts! {
        |_: &Self, a| PacketAttr::decode(a) => PacketAttr, rp;
        /// `PACKET_DIAG_INFO`: interface, version and options.
        info(PACKET_DIAG_INFO) -> Info(PacketInfo);
        /// `PACKET_DIAG_MCLIST`: the multicast memberships.
        memberships(PACKET_DIAG_MCLIST) -> Memberships(Memberships<'buf>);
        /// `PACKET_DIAG_RX_RING`: the receive ring.
        rx_ring(PACKET_DIAG_RX_RING) -> RxRing(PacketRing);
        /// `PACKET_DIAG_TX_RING`: the transmit ring.
        tx_ring(PACKET_DIAG_TX_RING) -> TxRing(PacketRing);
        /// `PACKET_DIAG_FANOUT`: the fanout group.
        fanout(PACKET_DIAG_FANOUT) -> Fanout(Fanout);
        /// `PACKET_DIAG_UID`: the owner's uid.
        uid(PACKET_DIAG_UID) -> Uid(u32);
        /// `PACKET_DIAG_MEMINFO`: the socket's memory counters.
        skmeminfo(PACKET_DIAG_MEMINFO) -> SkMemInfo(SkMemInfo<&'buf [u8]>);
        /// `PACKET_DIAG_FILTER`: the attached classic BPF program.
        filter(PACKET_DIAG_FILTER) -> Filter(BpfProgram<'buf>);
    }
}

impl fmt::Debug for PacketMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacketMsg")
            .field("type", &self.socket_type())
            .field("protocol", &format_args!("{:#06x}", self.protocol()))
            .field("inode", &self.inode())
            .field("cookie", &self.cookie())
            .field("attributes", &DebugIter(self.attributes()))
            .finish()
    }
}

/// `struct packet_diag_info` (`PACKET_DIAG_INFO`), decoded.
#[doc(alias = "packet_diag_info")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PacketInfo {
    /// `pdi_index`: interface index bound to, or 0 for all.
    pub index: u32,
    /// `pdi_version`: `TPACKET_V1` = 0, `V2` = 1, `V3` = 2.
    pub version: u32,
    /// `pdi_reserve`: `PACKET_RESERVE`, bytes.
    pub reserve: u32,
    /// `pdi_copy_thresh`: `PACKET_COPY_THRESH`, bytes.
    pub copy_thresh: u32,
    /// `pdi_tstamp`: `PACKET_TIMESTAMP` flags.
    pub tstamp: u32,
    /// `pdi_flags`.
    pub flags: PacketInfoFlags,
}

/// One `struct packet_diag_mclist` (an element of `PACKET_DIAG_MCLIST`),
/// decoded: a `PACKET_ADD_MEMBERSHIP` of the socket.
#[doc(alias = "packet_diag_mclist")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PacketMembership {
    /// `pdmc_index`: interface index.
    pub index: u32,
    /// `pdmc_count`: times added.
    pub count: u32,
    /// `pdmc_type`: `PACKET_MR_MULTICAST` = 0, `PROMISC` = 1, `ALLMULTI` = 2, `UNICAST` = 3.
    pub kind: u16,
    addr: [u8; 32],
    addr_len: u16,
}

impl PacketMembership {
    /// `pdmc_addr[..pdmc_alen]`: the hardware address.
    pub fn addr(&self) -> &[u8] {
        self.addr
            .get(..usize::from(self.addr_len))
            .unwrap_or(&self.addr)
    }
}

impl fmt::Debug for PacketMembership {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PacketMembership")
            .field("index", &self.index)
            .field("count", &self.count)
            .field("kind", &self.kind)
            .field("addr", &self.addr())
            .finish()
    }
}

/// `PACKET_DIAG_MCLIST`: the memberships of a socket.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Memberships<'buf> {
    list: &'buf [packet_diag_mclist],
}

impl<'buf> Memberships<'buf> {
    /// The raw array.
    pub fn raw(&self) -> &'buf [packet_diag_mclist] {
        self.list
    }

    /// The memberships.
    pub fn iter(&self) -> impl Iterator<Item = PacketMembership> + 'buf {
        self.list.iter().map(|m| PacketMembership {
            index: m.pdmc_index.get(),
            count: m.pdmc_count.get(),
            kind: m.pdmc_type.get(),
            addr: m.pdmc_addr,
            addr_len: m.pdmc_alen.get(),
        })
    }
}

impl fmt::Debug for Memberships<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// `struct packet_diag_ring` (`PACKET_DIAG_RX_RING`/`TX_RING`), decoded.
#[doc(alias = "packet_diag_ring")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PacketRing {
    /// `pdr_block_size`, bytes.
    pub block_size: u32,
    /// `pdr_block_nr`.
    pub block_nr: u32,
    /// `pdr_frame_size`, bytes.
    pub frame_size: u32,
    /// `pdr_frame_nr`.
    pub frame_nr: u32,
    /// `pdr_retire_tmo`: block retire timeout, milliseconds (TPACKET_V3).
    pub retire_tmo: u32,
    /// `pdr_sizeof_priv`: per-block private area, bytes (TPACKET_V3).
    pub sizeof_priv: u32,
    /// `pdr_features`.
    pub features: u32,
}

/// `PACKET_DIAG_FANOUT`: the fanout group the socket belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fanout(pub u32);

impl Fanout {
    /// The group id (`PACKET_FANOUT` argument, low 16 bits).
    pub fn id(self) -> u16 {
        (self.0 & 0xffff) as u16
    }

    /// The fanout mode and flags (`PACKET_FANOUT_HASH` = 0, `LB` = 1, ...,
    /// with `PACKET_FANOUT_FLAG_*` in the high byte).
    pub fn kind(self) -> u16 {
        (self.0 >> 16) as u16
    }
}

/// `PACKET_DIAG_FILTER`: the socket's classic BPF program.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BpfProgram<'buf> {
    insns: &'buf [sock_filter],
}

impl<'buf> BpfProgram<'buf> {
    /// The instructions (`struct sock_filter`: opcode, jump-if-true,
    /// jump-if-false, constant).
    pub fn instructions(&self) -> &'buf [sock_filter] {
        self.insns
    }
}

impl fmt::Debug for BpfProgram<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.insns
                    .iter()
                    .map(|i| (i.code.get(), i.jt, i.jf, i.k.get())),
            )
            .finish()
    }
}

/// One `PACKET_DIAG_*` attribute, decoded.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum PacketAttr<'buf> {
    /// 0 `PACKET_DIAG_INFO`.
    Info(PacketInfo),
    /// 1 `PACKET_DIAG_MCLIST`.
    Memberships(Memberships<'buf>),
    /// 2 `PACKET_DIAG_RX_RING`.
    RxRing(PacketRing),
    /// 3 `PACKET_DIAG_TX_RING`.
    TxRing(PacketRing),
    /// 4 `PACKET_DIAG_FANOUT`.
    Fanout(Fanout),
    /// 5 `PACKET_DIAG_UID`: owner uid.
    Uid(u32),
    /// 6 `PACKET_DIAG_MEMINFO`.
    SkMemInfo(SkMemInfo<&'buf [u8]>),
    /// 7 `PACKET_DIAG_FILTER`.
    Filter(BpfProgram<'buf>),
    /// Any other type, raw.
    Other(Attr<'buf>),
}

fn array<'buf, T: FromBytes + zerocopy::KnownLayout + zerocopy::Immutable + zerocopy::Unaligned>(
    attr: &Attr<'buf>,
) -> Result<&'buf [T], ParseError> {
    <[T]>::ref_from_bytes(attr.payload()).map_err(|_| {
        ParseError::new(
            Layer::Attribute,
            attr.offset(),
            ParseErrorKind::BadArrayLength {
                length: attr.payload().len(),
                element: core::mem::size_of::<T>(),
            },
        )
    })
}

fn ring(attr: &Attr<'_>) -> Result<PacketRing, ParseError> {
    let r: &packet_diag_ring = fixed_attr(attr)?;
    Ok(PacketRing {
        block_size: r.pdr_block_size.get(),
        block_nr: r.pdr_block_nr.get(),
        frame_size: r.pdr_frame_size.get(),
        frame_nr: r.pdr_frame_nr.get(),
        retire_tmo: r.pdr_retire_tmo.get(),
        sizeof_priv: r.pdr_sizeof_priv.get(),
        features: r.pdr_features.get(),
    })
}

impl<'buf> PacketAttr<'buf> {
    /// Decodes one attribute; a payload of the wrong length is an error.
    #[inline]
    pub fn decode(attr: Attr<'buf>) -> Result<Self, ParseError> {
        Ok(match attr.kind() {
            rp::PACKET_DIAG_INFO => {
                let i: &packet_diag_info = fixed_attr(&attr)?;
                PacketAttr::Info(PacketInfo {
                    index: i.pdi_index.get(),
                    version: i.pdi_version.get(),
                    reserve: i.pdi_reserve.get(),
                    copy_thresh: i.pdi_copy_thresh.get(),
                    tstamp: i.pdi_tstamp.get(),
                    flags: PacketInfoFlags::from_bits_retain(i.pdi_flags.get()),
                })
            }
            rp::PACKET_DIAG_MCLIST => PacketAttr::Memberships(Memberships {
                list: array(&attr)?,
            }),
            rp::PACKET_DIAG_RX_RING => PacketAttr::RxRing(ring(&attr)?),
            rp::PACKET_DIAG_TX_RING => PacketAttr::TxRing(ring(&attr)?),
            rp::PACKET_DIAG_FANOUT => PacketAttr::Fanout(Fanout(attr.u32()?)),
            rp::PACKET_DIAG_UID => PacketAttr::Uid(attr.u32()?),
            rp::PACKET_DIAG_MEMINFO => {
                PacketAttr::SkMemInfo(SkMemInfo::new(attr.payload(), attr.offset())?)
            }
            rp::PACKET_DIAG_FILTER => PacketAttr::Filter(BpfProgram {
                insns: array(&attr)?,
            }),
            _ => PacketAttr::Other(attr),
        })
    }
}

attr_iterator! {
    /// Iterator over the typed attributes of a [`PacketMsg`].
    PacketAttrs, PacketAttr, PacketAttr::decode
}

/// One packet socket, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct PacketSocket {
    /// Socket type.
    pub socket_type: SocketType,
    /// Ethernet protocol.
    pub protocol: u16,
    /// Inode.
    pub inode: u32,
    /// Cookie.
    pub cookie: u64,
    /// `PACKET_DIAG_INFO`.
    pub info: Option<PacketInfo>,
    /// `PACKET_DIAG_MCLIST`.
    pub memberships: Option<Vec<PacketMembership>>,
    /// `PACKET_DIAG_RX_RING`.
    pub rx_ring: Option<PacketRing>,
    /// `PACKET_DIAG_TX_RING`.
    pub tx_ring: Option<PacketRing>,
    /// `PACKET_DIAG_FANOUT`.
    pub fanout: Option<Fanout>,
    /// `PACKET_DIAG_UID`.
    pub uid: Option<u32>,
    /// `PACKET_DIAG_MEMINFO`.
    pub skmeminfo: Option<SkMemInfo<Box<[u8]>>>,
    /// `PACKET_DIAG_FILTER`.
    pub filter: Option<Vec<sock_filter>>,
    /// Attributes of other types, as (type, payload).
    pub other: Vec<(u16, Box<[u8]>)>,
    /// Attributes that did not parse.
    pub errors: Vec<ParseError>,
}

impl From<PacketMsg<'_>> for PacketSocket {
    fn from(m: PacketMsg<'_>) -> Self {
        let mut s = PacketSocket {
            socket_type: m.socket_type(),
            protocol: m.protocol(),
            inode: m.inode(),
            cookie: m.cookie(),
            info: None,
            memberships: None,
            rx_ring: None,
            tx_ring: None,
            fanout: None,
            uid: None,
            skmeminfo: None,
            filter: None,
            other: Vec::new(),
            errors: Vec::new(),
        };
        for attr in m.attributes() {
            match attr {
                Ok(PacketAttr::Info(i)) => s.info = Some(i),
                Ok(PacketAttr::Memberships(l)) => s.memberships = Some(l.iter().collect()),
                Ok(PacketAttr::RxRing(r)) => s.rx_ring = Some(r),
                Ok(PacketAttr::TxRing(r)) => s.tx_ring = Some(r),
                Ok(PacketAttr::Fanout(f)) => s.fanout = Some(f),
                Ok(PacketAttr::Uid(u)) => s.uid = Some(u),
                Ok(PacketAttr::SkMemInfo(mi)) => s.skmeminfo = Some(mi.into_owned()),
                Ok(PacketAttr::Filter(p)) => s.filter = Some(p.instructions().to_vec()),
                Ok(PacketAttr::Other(a)) => s.other.push((a.kind(), a.payload().into())),
                Err(e) => s.errors.push(e),
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
