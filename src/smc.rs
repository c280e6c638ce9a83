//! SMC sockets (`smc_diag`, Linux 4.11; `AF_SMC`, what `smcss` of
//! smc-tools lists): the [`SmcRequest`] builder, the borrowed [`SmcMsg`]
//! view, typed [`SmcAttr`]s and the owned [`SmcSocket`].
//!
//! An SMC socket runs over a TCP socket (its CLC socket) that sets up the
//! connection and carries it when SMC falls back to TCP; the reply's
//! addresses and ports are that socket's. The reply does not say whether
//! they are IPv4 or IPv6 (its family byte is `AF_SMC` for both): see
//! [`SmcMsg::src`].

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use bitflags::bitflags;
use zerocopy::IntoBytes;

use crate::common::{attr_iterator, attr_shortcuts, fixed_attr, DebugIter, Shutdown};
use crate::inet::TcpState;
use crate::netlink::{Attr, Attrs, NlMsg};
use crate::parse_error::{Layer, ParseError};
use crate::raw::inet_diag::inet_diag_sockid;
use crate::raw::smc_diag::{
    self as rs, smc_diag_conninfo, smc_diag_cursor, smc_diag_fallback, smc_diag_lgrinfo,
    smc_diag_linkinfo, smc_diag_msg, smc_diag_req, smcd_diag_dmbinfo,
};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::raw::AF_SMC;
use crate::request::split_reply;
use crate::request::{cookie, header, RequestBytes};

bitflags! {
    /// The attributes an SMC request asks for (`diag_ext`, bit
    /// `SMC_DIAG_* - 1`). `SMC_DIAG_SHUTDOWN` and `SMC_DIAG_FALLBACK` come
    /// always.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SmcExt: u8 {
        /// `SMC_DIAG_CONNINFO`: the connection's buffers and cursors
        /// (connections set up over SMC only).
        const CONNINFO = 1 << (rs::SMC_DIAG_CONNINFO - 1);
        /// `SMC_DIAG_LGRINFO`: the SMC-R link group.
        const LGRINFO = 1 << (rs::SMC_DIAG_LGRINFO - 1);
        /// `SMC_DIAG_DMBINFO`: the SMC-D buffer.
        const DMBINFO = 1 << (rs::SMC_DIAG_DMBINFO - 1);
        const _ = !0;
    }
}

/// A dump request for SMC sockets (IPv4 and IPv6).
///
/// ```
/// use sockdiag::smc::{SmcExt, SmcRequest};
///
/// let req = SmcRequest::new().with_ext(SmcExt::CONNINFO);
/// assert_eq!(req.to_bytes(1).as_bytes().len(), 16 + 52);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SmcRequest {
    ext: SmcExt,
}

impl Default for SmcRequest {
    fn default() -> Self {
        Self::new()
    }
}

impl SmcRequest {
    /// Every SMC socket, with every attribute.
    pub const fn new() -> Self {
        SmcRequest {
            ext: SmcExt::CONNINFO
                .union(SmcExt::LGRINFO)
                .union(SmcExt::DMBINFO),
        }
    }

    /// Selects the attributes (`diag_ext`).
    #[must_use]
    pub const fn with_ext(mut self, ext: SmcExt) -> Self {
        self.ext = ext;
        self
    }

    /// The selected attributes.
    pub const fn ext(&self) -> SmcExt {
        self.ext
    }

    /// The request body (`struct smc_diag_req`).
    pub fn to_raw(&self) -> smc_diag_req {
        smc_diag_req {
            diag_family: AF_SMC,
            pad: [0; 2],
            diag_ext: self.ext.bits(),
            id: inet_diag_sockid::default(),
        }
    }

    /// The complete netlink message, ready to send.
    pub fn to_bytes(&self, seq: u32) -> RequestBytes {
        let hdr = header(16 + 52, SOCK_DIAG_BY_FAMILY, true, seq);
        RequestBytes::new(&[hdr.as_bytes(), self.to_raw().as_bytes()])
    }
}

crate::request::family_request!(SmcRequest, AF_SMC => SmcMsg, SmcSocket);

/// An SMC socket's state (`enum smc_state` of `net/smc/smc.h`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SmcState {
    /// 1 `SMC_ACTIVE`.
    Active,
    /// 2 `SMC_INIT`.
    Init,
    /// 7 `SMC_CLOSED`.
    Closed,
    /// 10 `SMC_LISTEN`.
    Listen,
    /// 20 `SMC_PEERCLOSEWAIT1`.
    PeerCloseWait1,
    /// 21 `SMC_PEERCLOSEWAIT2`.
    PeerCloseWait2,
    /// 22 `SMC_APPCLOSEWAIT1`.
    AppCloseWait1,
    /// 23 `SMC_APPCLOSEWAIT2`.
    AppCloseWait2,
    /// 24 `SMC_APPFINCLOSEWAIT`.
    AppFinCloseWait,
    /// 25 `SMC_PEERFINCLOSEWAIT`.
    PeerFinCloseWait,
    /// 26 `SMC_PEERABORTWAIT`.
    PeerAbortWait,
    /// 27 `SMC_PROCESSABORT`.
    ProcessAbort,
    /// A value this library does not know.
    Unknown(u8),
}

impl SmcState {
    /// The state for a `diag_state` value.
    pub const fn from_raw(v: u8) -> Self {
        match v {
            1 => SmcState::Active,
            2 => SmcState::Init,
            7 => SmcState::Closed,
            10 => SmcState::Listen,
            20 => SmcState::PeerCloseWait1,
            21 => SmcState::PeerCloseWait2,
            22 => SmcState::AppCloseWait1,
            23 => SmcState::AppCloseWait2,
            24 => SmcState::AppFinCloseWait,
            25 => SmcState::PeerFinCloseWait,
            26 => SmcState::PeerAbortWait,
            27 => SmcState::ProcessAbort,
            v => SmcState::Unknown(v),
        }
    }

    /// The TCP state this one resembles, by which the CLI selects SMC
    /// sockets and a [`Poller`](crate::poll::Poller) keeps them: `ACTIVE`
    /// as `ESTABLISHED`, `INIT` as `SYN-SENT`, `LISTEN`, `CLOSED` as
    /// `CLOSE`, and every closing state as `CLOSE-WAIT`.
    pub const fn as_tcp(self) -> TcpState {
        match self {
            SmcState::Active => TcpState::Established,
            SmcState::Init => TcpState::SynSent,
            SmcState::Listen => TcpState::Listen,
            SmcState::Closed => TcpState::Close,
            _ => TcpState::CloseWait,
        }
    }

    /// The kernel's name without `SMC_` (`ACTIVE`, `LISTEN`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            SmcState::Active => "ACTIVE",
            SmcState::Init => "INIT",
            SmcState::Closed => "CLOSED",
            SmcState::Listen => "LISTEN",
            SmcState::PeerCloseWait1 => "PEERCLOSEWAIT1",
            SmcState::PeerCloseWait2 => "PEERCLOSEWAIT2",
            SmcState::AppCloseWait1 => "APPCLOSEWAIT1",
            SmcState::AppCloseWait2 => "APPCLOSEWAIT2",
            SmcState::AppFinCloseWait => "APPFINCLOSEWAIT",
            SmcState::PeerFinCloseWait => "PEERFINCLOSEWAIT",
            SmcState::PeerAbortWait => "PEERABORTWAIT",
            SmcState::ProcessAbort => "PROCESSABORT",
            SmcState::Unknown(_) => "UNKNOWN",
        }
    }
}

impl fmt::Display for SmcState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How an SMC connection runs (`diag_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SmcMode {
    /// `SMC_DIAG_MODE_SMCR`: over RDMA (also every socket not connected
    /// yet).
    SmcR,
    /// `SMC_DIAG_MODE_FALLBACK_TCP`: over its TCP socket.
    FallbackTcp,
    /// `SMC_DIAG_MODE_SMCD`: over an ISM device.
    SmcD,
    /// A value this library does not know.
    Unknown(u8),
}

impl SmcMode {
    /// The mode for a `diag_mode` value.
    pub const fn from_raw(v: u8) -> Self {
        match v {
            rs::SMC_DIAG_MODE_SMCR => SmcMode::SmcR,
            rs::SMC_DIAG_MODE_FALLBACK_TCP => SmcMode::FallbackTcp,
            rs::SMC_DIAG_MODE_SMCD => SmcMode::SmcD,
            v => SmcMode::Unknown(v),
        }
    }

    /// `SMCR`, `TCP` (fallen back), `SMCD`, as `smcss` writes them.
    pub const fn name(self) -> &'static str {
        match self {
            SmcMode::SmcR => "SMCR",
            SmcMode::FallbackTcp => "TCP",
            SmcMode::SmcD => "SMCD",
            SmcMode::Unknown(_) => "UNKNOWN",
        }
    }
}

/// An address of the reply's 16-byte fields: IPv4 in the first four
/// bytes, IPv6 in all sixteen, and the reply does not say which. `None`
/// when it cannot be told: all zero (`0.0.0.0` or `::`), or an IPv6
/// address whose last twelve bytes are zero (read as the IPv4 address of
/// its first four, which is what a kernel's IPv4 socket would have sent;
/// [`SmcMsg::raw`] has the bytes).
fn address(bytes: &[u8; 16]) -> Option<IpAddr> {
    let [a, b, c, d, rest @ ..] = *bytes;
    if rest.iter().any(|&x| x != 0) {
        Some(IpAddr::V6(Ipv6Addr::from(*bytes)))
    } else if [a, b, c, d] != [0; 4] {
        Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
    } else {
        None
    }
}

/// A borrowed, checked view of one SMC socket reply: `struct
/// smc_diag_msg` and the `SMC_DIAG_*` attributes after it.
#[doc(alias = "smc_diag_msg")]
#[derive(Clone, Copy)]
pub struct SmcMsg<'buf> {
    raw: &'buf smc_diag_msg,
    attrs: &'buf [u8],
    attrs_offset: usize,
}

impl<'buf> SmcMsg<'buf> {
    /// Checks and wraps one `SOCK_DIAG_BY_FAMILY` reply for `AF_SMC`.
    #[inline]
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        let (raw, attrs, attrs_offset) =
            split_reply(msg, Layer::SmcDiagMsg, AF_SMC, |m: &smc_diag_msg| {
                m.diag_family
            })?;
        Ok(SmcMsg {
            raw,
            attrs,
            attrs_offset,
        })
    }

    /// The raw `struct smc_diag_msg`.
    pub fn raw(&self) -> &'buf smc_diag_msg {
        self.raw
    }

    /// State (`diag_state`).
    pub fn state(&self) -> SmcState {
        SmcState::from_raw(self.raw.diag_state)
    }

    /// How the connection runs (`diag_mode`).
    pub fn mode(&self) -> SmcMode {
        SmcMode::from_raw(self.raw.diag_mode)
    }

    /// Shut-down directions (`diag_shutdown`; also `SMC_DIAG_SHUTDOWN`).
    pub fn shutdown(&self) -> Shutdown {
        Shutdown::from_bits_retain(self.raw.diag_shutdown)
    }

    /// The CLC socket's local address, where it can be told (see the
    /// module's docs): IPv4 in the first four bytes, IPv6 in sixteen.
    pub fn src(&self) -> Option<IpAddr> {
        address(&self.raw.id.idiag_src)
    }

    /// Its peer's address, as [`src`](Self::src).
    pub fn dst(&self) -> Option<IpAddr> {
        address(&self.raw.id.idiag_dst)
    }

    /// Local port.
    pub fn src_port(&self) -> u16 {
        self.raw.id.idiag_sport.get()
    }

    /// Peer port.
    pub fn dst_port(&self) -> u16 {
        self.raw.id.idiag_dport.get()
    }

    /// The interface the CLC socket is bound to, or 0.
    pub fn interface(&self) -> u32 {
        self.raw.id.idiag_if.get()
    }

    /// Owner (`diag_uid`).
    pub fn uid(&self) -> u32 {
        self.raw.diag_uid.get()
    }

    /// Inode (`diag_inode`).
    pub fn inode(&self) -> u64 {
        self.raw.diag_inode.get()
    }

    /// The socket's cookie.
    pub fn cookie(&self) -> u64 {
        cookie(&self.raw.id.idiag_cookie)
    }

    /// The `SMC_DIAG_*` attributes, raw.
    pub fn attrs(&self) -> Attrs<'buf> {
        Attrs::with_base(self.attrs, self.attrs_offset)
    }

    /// The attributes, decoded.
    pub fn attributes(&self) -> SmcAttrs<'buf> {
        SmcAttrs::new(self.attrs())
    }

    attr_shortcuts! {
        |_: &Self, a| SmcAttr::decode(a) => SmcAttr, rs;
        /// `SMC_DIAG_CONNINFO`: buffers and cursors.
        conninfo(SMC_DIAG_CONNINFO) -> ConnInfo(SmcConnInfo);
        /// `SMC_DIAG_LGRINFO`: the SMC-R link group.
        lgrinfo(SMC_DIAG_LGRINFO) -> LgrInfo(SmcLgrInfo<'buf>);
        /// `SMC_DIAG_SHUTDOWN`.
        shutdown_attr(SMC_DIAG_SHUTDOWN) -> Shutdown(Shutdown);
        /// `SMC_DIAG_DMBINFO`: the SMC-D buffer.
        dmbinfo(SMC_DIAG_DMBINFO) -> DmbInfo(SmcDmbInfo);
        /// `SMC_DIAG_FALLBACK`: why it fell back to TCP (Linux 5.4).
        fallback(SMC_DIAG_FALLBACK) -> Fallback(SmcFallback);
    }
}

impl fmt::Debug for SmcMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmcMsg")
            .field("state", &self.state())
            .field("mode", &self.mode())
            .field("shutdown", &self.shutdown())
            .field("src", &self.src())
            .field("src_port", &self.src_port())
            .field("dst", &self.dst())
            .field("dst_port", &self.dst_port())
            .field("interface", &self.interface())
            .field("uid", &self.uid())
            .field("inode", &self.inode())
            .field("cookie", &self.cookie())
            .field("attributes", &DebugIter(self.attributes()))
            .finish()
    }
}

/// `struct smc_diag_cursor`, decoded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SmcCursor {
    /// `wrap`.
    pub wrap: u16,
    /// `count`.
    pub count: u32,
}

fn cursor(c: &smc_diag_cursor) -> SmcCursor {
    SmcCursor {
        wrap: c.wrap.get(),
        count: c.count.get(),
    }
}

/// `struct smc_diag_conninfo`, decoded.
#[doc(alias = "smc_diag_conninfo")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SmcConnInfo {
    /// `token`: the connection's id.
    pub token: u32,
    /// `sndbuf_size`, bytes.
    pub sndbuf_size: u32,
    /// `rmbe_size`, bytes.
    pub rmbe_size: u32,
    /// `peer_rmbe_size`, bytes.
    pub peer_rmbe_size: u32,
    /// `rx_prod`.
    pub rx_prod: SmcCursor,
    /// `rx_cons`.
    pub rx_cons: SmcCursor,
    /// `tx_prod`.
    pub tx_prod: SmcCursor,
    /// `tx_cons`.
    pub tx_cons: SmcCursor,
    /// `rx_prod_flags`.
    pub rx_prod_flags: u8,
    /// `rx_conn_state_flags`.
    pub rx_conn_state_flags: u8,
    /// `tx_prod_flags`.
    pub tx_prod_flags: u8,
    /// `tx_conn_state_flags`.
    pub tx_conn_state_flags: u8,
    /// `tx_prep`.
    pub tx_prep: SmcCursor,
    /// `tx_sent`.
    pub tx_sent: SmcCursor,
    /// `tx_fin`.
    pub tx_fin: SmcCursor,
}

/// `struct smc_diag_lgrinfo`, borrowed (its names and GIDs are text).
#[doc(alias = "smc_diag_lgrinfo")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmcLgrInfo<'buf> {
    raw: &'buf smc_diag_lgrinfo,
}

/// A NUL-padded C string of a fixed field, up to its first NUL.
fn c_text(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or(bytes)
}

impl<'buf> SmcLgrInfo<'buf> {
    /// The raw struct.
    pub fn raw(&self) -> &'buf smc_diag_lgrinfo {
        self.raw
    }
    /// Its one link.
    fn link(&self) -> &'buf smc_diag_linkinfo {
        let [link] = &self.raw.lnk;
        link
    }
    /// `role`: 0 client, 1 server.
    pub fn role(&self) -> u8 {
        self.raw.role
    }
    /// `lnk[0].link_id`.
    pub fn link_id(&self) -> u8 {
        self.link().link_id
    }
    /// `lnk[0].ibname`: the RDMA device, up to its NUL.
    pub fn ibname(&self) -> &'buf [u8] {
        c_text(&self.link().ibname)
    }
    /// `lnk[0].ibport`.
    pub fn ibport(&self) -> u8 {
        self.link().ibport
    }
    /// `lnk[0].gid`: the local GID as text.
    pub fn gid(&self) -> &'buf [u8] {
        c_text(&self.link().gid)
    }
    /// `lnk[0].peer_gid`.
    pub fn peer_gid(&self) -> &'buf [u8] {
        c_text(&self.link().peer_gid)
    }
}

/// `struct smcd_diag_dmbinfo`, decoded.
#[doc(alias = "smcd_diag_dmbinfo")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SmcDmbInfo {
    /// `linkid`.
    pub linkid: u32,
    /// `peer_gid`.
    pub peer_gid: u64,
    /// `my_gid`.
    pub my_gid: u64,
    /// `token`.
    pub token: u64,
    /// `peer_token`.
    pub peer_token: u64,
}

/// `struct smc_diag_fallback`, decoded.
#[doc(alias = "smc_diag_fallback")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SmcFallback {
    /// `reason`: this end's `SMC_CLC_DECL_*` code, 0 if it did not fall
    /// back.
    pub reason: u32,
    /// `peer_diagnosis`: the peer's.
    pub peer_diagnosis: u32,
}

/// One `SMC_DIAG_*` attribute, decoded.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum SmcAttr<'buf> {
    /// 1 `SMC_DIAG_CONNINFO`.
    ConnInfo(SmcConnInfo),
    /// 2 `SMC_DIAG_LGRINFO`.
    LgrInfo(SmcLgrInfo<'buf>),
    /// 3 `SMC_DIAG_SHUTDOWN`.
    Shutdown(Shutdown),
    /// 4 `SMC_DIAG_DMBINFO`.
    DmbInfo(SmcDmbInfo),
    /// 5 `SMC_DIAG_FALLBACK`.
    Fallback(SmcFallback),
    /// Any other type, raw.
    Other(Attr<'buf>),
}

impl<'buf> SmcAttr<'buf> {
    /// Decodes one attribute; a payload too short for its struct is an
    /// error.
    #[inline]
    pub fn decode(attr: Attr<'buf>) -> Result<Self, ParseError> {
        Ok(match attr.kind() {
            rs::SMC_DIAG_CONNINFO => {
                let c: &smc_diag_conninfo = fixed_attr(&attr)?;
                SmcAttr::ConnInfo(SmcConnInfo {
                    token: c.token.get(),
                    sndbuf_size: c.sndbuf_size.get(),
                    rmbe_size: c.rmbe_size.get(),
                    peer_rmbe_size: c.peer_rmbe_size.get(),
                    rx_prod: cursor(&c.rx_prod),
                    rx_cons: cursor(&c.rx_cons),
                    tx_prod: cursor(&c.tx_prod),
                    tx_cons: cursor(&c.tx_cons),
                    rx_prod_flags: c.rx_prod_flags,
                    rx_conn_state_flags: c.rx_conn_state_flags,
                    tx_prod_flags: c.tx_prod_flags,
                    tx_conn_state_flags: c.tx_conn_state_flags,
                    tx_prep: cursor(&c.tx_prep),
                    tx_sent: cursor(&c.tx_sent),
                    tx_fin: cursor(&c.tx_fin),
                })
            }
            rs::SMC_DIAG_LGRINFO => SmcAttr::LgrInfo(SmcLgrInfo {
                raw: fixed_attr(&attr)?,
            }),
            rs::SMC_DIAG_SHUTDOWN => SmcAttr::Shutdown(Shutdown::from_bits_retain(attr.u8()?)),
            rs::SMC_DIAG_DMBINFO => {
                let d: &smcd_diag_dmbinfo = fixed_attr(&attr)?;
                SmcAttr::DmbInfo(SmcDmbInfo {
                    linkid: d.linkid.get(),
                    peer_gid: d.peer_gid.get(),
                    my_gid: d.my_gid.get(),
                    token: d.token.get(),
                    peer_token: d.peer_token.get(),
                })
            }
            rs::SMC_DIAG_FALLBACK => {
                let f: &smc_diag_fallback = fixed_attr(&attr)?;
                SmcAttr::Fallback(SmcFallback {
                    reason: f.reason.get(),
                    peer_diagnosis: f.peer_diagnosis.get(),
                })
            }
            _ => SmcAttr::Other(attr),
        })
    }
}

attr_iterator! {
    /// Iterator over the typed attributes of an [`SmcMsg`].
    SmcAttrs, SmcAttr, SmcAttr::decode
}

/// One SMC socket, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SmcSocket {
    /// State.
    pub state: SmcState,
    /// Mode.
    pub mode: SmcMode,
    /// Shut-down directions.
    pub shutdown: Shutdown,
    /// Local address, where it can be told ([`SmcMsg::src`]).
    pub src: Option<IpAddr>,
    /// Local port.
    pub src_port: u16,
    /// Peer address, where it can be told.
    pub dst: Option<IpAddr>,
    /// Peer port.
    pub dst_port: u16,
    /// Bound interface, or 0.
    pub interface: u32,
    /// Owner.
    pub uid: u32,
    /// Inode.
    pub inode: u64,
    /// Cookie.
    pub cookie: u64,
    /// `SMC_DIAG_CONNINFO`.
    pub conninfo: Option<SmcConnInfo>,
    /// `SMC_DIAG_LGRINFO`, raw.
    pub lgrinfo: Option<Box<[u8]>>,
    /// `SMC_DIAG_DMBINFO`.
    pub dmbinfo: Option<SmcDmbInfo>,
    /// `SMC_DIAG_FALLBACK`.
    pub fallback: Option<SmcFallback>,
    /// Attributes of other types, as (type, payload).
    pub other: Vec<(u16, Box<[u8]>)>,
    /// Attributes that did not parse.
    pub errors: Vec<ParseError>,
}

impl From<SmcMsg<'_>> for SmcSocket {
    fn from(m: SmcMsg<'_>) -> Self {
        let mut s = SmcSocket {
            state: m.state(),
            mode: m.mode(),
            shutdown: m.shutdown(),
            src: m.src(),
            src_port: m.src_port(),
            dst: m.dst(),
            dst_port: m.dst_port(),
            interface: m.interface(),
            uid: m.uid(),
            inode: m.inode(),
            cookie: m.cookie(),
            conninfo: None,
            lgrinfo: None,
            dmbinfo: None,
            fallback: None,
            other: Vec::new(),
            errors: Vec::new(),
        };
        for attr in m.attributes() {
            match attr {
                Ok(SmcAttr::ConnInfo(c)) => s.conninfo = Some(c),
                Ok(SmcAttr::LgrInfo(l)) => s.lgrinfo = Some(l.raw().as_bytes().into()),
                Ok(SmcAttr::DmbInfo(d)) => s.dmbinfo = Some(d),
                Ok(SmcAttr::Fallback(f)) => s.fallback = Some(f),
                Ok(SmcAttr::Shutdown(_)) => {}
                Ok(SmcAttr::Other(a)) => s.other.push((a.kind(), a.payload().into())),
                Err(e) => s.errors.push(e),
            }
        }
        s
    }
}

#[cfg(test)]
mod tests;
