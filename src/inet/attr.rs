//! Typed `INET_DIAG_*` response attributes: [`InetAttr`], decoded one at a
//! time by [`InetAttrs`], and the owned [`Attributes`] of a snapshot.

use core::fmt;
use core::mem::size_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use bitflags::bitflags;
use zerocopy::FromBytes;

use super::info::{MptcpInfo, SctpInfo, TcpInfo};
use super::Protocol;
use crate::common::{fixed_attr, sockaddr, Shutdown, SkMemInfo};
use crate::netlink::{Attr, Attrs};
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::inet_diag::{self as r, inet_diag_meminfo, inet_diag_sockopt};
use crate::raw::mptcp as rm;
use crate::raw::tcp::{tcp_bbr_info, tcp_dctcp_info, tcp_diag_md5sig, tcpvegas_info};
use crate::raw::tls as rt;
use crate::raw::{AF_INET, AF_INET6};

/// `struct inet_diag_meminfo` (`INET_DIAG_MEMINFO`), decoded.
#[doc(alias = "inet_diag_meminfo")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MemInfo {
    /// `idiag_rmem`: receive-queue memory, bytes.
    pub rmem: u32,
    /// `idiag_wmem`: queued write memory, bytes.
    pub wmem: u32,
    /// `idiag_fmem`: forward-allocated memory, bytes.
    pub fmem: u32,
    /// `idiag_tmem`: transmit memory in flight, bytes.
    pub tmem: u32,
}

/// `struct tcpvegas_info` (`INET_DIAG_VEGASINFO`), decoded.
#[doc(alias = "tcpvegas_info")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct VegasInfo {
    /// `tcpv_enabled`: Vegas is active.
    pub enabled: u32,
    /// `tcpv_rttcnt`: RTT samples in the last RTT.
    pub rtt_count: u32,
    /// `tcpv_rtt`: average RTT, microseconds.
    pub rtt_us: u32,
    /// `tcpv_minrtt`: minimum RTT, microseconds.
    pub min_rtt_us: u32,
}

/// `struct tcp_dctcp_info` (`INET_DIAG_DCTCPINFO`), decoded.
#[doc(alias = "tcp_dctcp_info")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct DctcpInfo {
    /// `dctcp_enabled`: DCTCP is active.
    pub enabled: u16,
    /// `dctcp_ce_state`: CE state of the last received segment.
    pub ce_state: u16,
    /// `dctcp_alpha`: the fraction of marked bytes, scaled by 1024.
    pub alpha: u32,
    /// `dctcp_ab_ecn`: bytes acknowledged with ECE.
    pub ab_ecn: u32,
    /// `dctcp_ab_tot`: bytes acknowledged in total.
    pub ab_tot: u32,
}

/// `struct tcp_bbr_info` (`INET_DIAG_BBRINFO`), decoded.
#[doc(alias = "tcp_bbr_info")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct BbrInfo {
    /// `bbr_bw_hi << 32 | bbr_bw_lo`: bandwidth estimate, bytes per second.
    pub bandwidth: u64,
    /// `bbr_min_rtt`: minimum RTT, microseconds.
    pub min_rtt_us: u32,
    /// `bbr_pacing_gain`: pacing gain, shifted left by 8 (256 = 1.0).
    pub pacing_gain: u32,
    /// `bbr_cwnd_gain`: cwnd gain, shifted left by 8 (256 = 1.0).
    pub cwnd_gain: u32,
}

bitflags! {
    /// `struct inet_diag_sockopt` (`INET_DIAG_SOCKOPT`, Linux 5.10): socket
    /// options as bits, decoded from its bitfields for this host's ABI.
    #[doc(alias = "inet_diag_sockopt")]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct SockOpt: u16 {
        /// `recverr`: `IP_RECVERR`.
        const RECVERR = 1 << 0;
        /// `is_icsk`: a connection-oriented (TCP/DCCP/MPTCP) socket.
        const IS_ICSK = 1 << 1;
        /// `freebind`: `IP_FREEBIND`.
        const FREEBIND = 1 << 2;
        /// `hdrincl`: `IP_HDRINCL`.
        const HDRINCL = 1 << 3;
        /// `mc_loop`: `IP_MULTICAST_LOOP`.
        const MC_LOOP = 1 << 4;
        /// `transparent`: `IP_TRANSPARENT`.
        const TRANSPARENT = 1 << 5;
        /// `mc_all`: `IP_MULTICAST_ALL`.
        const MC_ALL = 1 << 6;
        /// `nodefrag`: `IP_NODEFRAG`.
        const NODEFRAG = 1 << 7;
        /// `bind_address_no_port`: `IP_BIND_ADDRESS_NO_PORT`.
        const BIND_ADDRESS_NO_PORT = 1 << 8;
        /// `recverr_rfc4884`: `IP_RECVERR_RFC4884`.
        const RECVERR_RFC4884 = 1 << 9;
        /// `defer_connect`: connect deferred to the first send (Fast Open).
        const DEFER_CONNECT = 1 << 10;
        const _ = !0;
    }
}

impl SockOpt {
    /// Decodes the two bitfield bytes: each bit in declaration order, from
    /// the least significant bit on little-endian hosts and from the most
    /// significant on big-endian ones.
    pub fn from_raw(raw: &inet_diag_sockopt) -> Self {
        // Declaration order is bit order on little-endian and the reverse
        // on big-endian.
        let byte = |b: u8| {
            u16::from(if cfg!(target_endian = "big") {
                b.reverse_bits()
            } else {
                b
            })
        };
        SockOpt::from_bits_retain(byte(raw.bits0) | byte(raw.bits1) << 8)
    }
}

/// Size of `struct sockaddr_storage`, the element of `INET_DIAG_LOCALS`
/// and `INET_DIAG_PEERS`.
const SOCKADDR_STORAGE: usize = 128;

/// `INET_DIAG_LOCALS` / `INET_DIAG_PEERS` (SCTP): an array of `struct
/// sockaddr_storage`, one per address of the association.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SockAddrs<B> {
    bytes: B,
    offset: usize,
}

impl<B: AsRef<[u8]>> SockAddrs<B> {
    /// Wraps the attribute payload found at `offset`; an error unless it is
    /// whole 128-byte entries.
    pub fn new(bytes: B, offset: usize) -> Result<Self, ParseError> {
        let len = bytes.as_ref().len();
        if !len.is_multiple_of(SOCKADDR_STORAGE) {
            return Err(ParseError::new(
                Layer::Attribute,
                offset,
                ParseErrorKind::BadArrayLength {
                    length: len,
                    element: SOCKADDR_STORAGE,
                },
            ));
        }
        Ok(SockAddrs { bytes, offset })
    }

    /// Number of addresses.
    pub fn len(&self) -> usize {
        self.bytes.as_ref().len() / SOCKADDR_STORAGE
    }

    /// True if there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The addresses; an entry of a family other than IPv4/IPv6 is an error.
    pub fn iter(&self) -> impl Iterator<Item = Result<SocketAddr, ParseError>> + '_ {
        self.bytes
            .as_ref()
            .chunks_exact(SOCKADDR_STORAGE)
            .enumerate()
            .map(|(i, entry)| {
                sockaddr(entry).ok_or(ParseError::new(
                    Layer::Attribute,
                    self.offset
                        .saturating_add(4)
                        .saturating_add(i.saturating_mul(SOCKADDR_STORAGE)),
                    ParseErrorKind::UnknownFamily {
                        found: entry.first().copied().unwrap_or(0),
                    },
                ))
            })
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for SockAddrs<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// One `struct tcp_diag_md5sig` (an element of `INET_DIAG_MD5SIG`), decoded.
#[doc(alias = "tcp_diag_md5sig")]
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Md5Key {
    /// `tcpm_family` and `tcpm_addr`: the peer address the key applies to.
    pub addr: IpAddr,
    /// `tcpm_prefixlen`: prefix length of `addr`.
    pub prefix_len: u8,
    key: [u8; 80],
    key_len: u16,
}

impl Md5Key {
    /// `tcpm_key[..tcpm_keylen]`: the key bytes.
    pub fn key(&self) -> &[u8] {
        self.key
            .get(..usize::from(self.key_len))
            .unwrap_or(&self.key)
    }

    fn decode(raw: &tcp_diag_md5sig, offset: usize) -> Result<Self, ParseError> {
        let addr = match raw.tcpm_family {
            AF_INET => {
                let [a, b, c, d, ..] = raw.tcpm_addr;
                IpAddr::V4(Ipv4Addr::new(a, b, c, d))
            }
            AF_INET6 => IpAddr::V6(Ipv6Addr::from(raw.tcpm_addr)),
            found => {
                return Err(ParseError::new(
                    Layer::Attribute,
                    offset,
                    ParseErrorKind::UnknownFamily { found },
                ))
            }
        };
        Ok(Md5Key {
            addr,
            prefix_len: raw.tcpm_prefixlen,
            key: raw.tcpm_key,
            key_len: raw.tcpm_keylen.get(),
        })
    }
}

impl fmt::Debug for Md5Key {
    /// The key itself is not printed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Md5Key")
            .field("addr", &self.addr)
            .field("prefix_len", &self.prefix_len)
            .field("key_len", &self.key_len)
            .finish_non_exhaustive()
    }
}

/// `INET_DIAG_MD5SIG`: the TCP-MD5 keys of a socket (sent with
/// `INET_DIAG_INFO` to `CAP_NET_ADMIN` requesters).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Md5Keys<'buf> {
    keys: &'buf [tcp_diag_md5sig],
    offset: usize,
}

impl<'buf> Md5Keys<'buf> {
    fn new(attr: &Attr<'buf>) -> Result<Self, ParseError> {
        let payload = attr.payload();
        let keys = <[tcp_diag_md5sig]>::ref_from_bytes(payload).map_err(|_| {
            ParseError::new(
                Layer::Attribute,
                attr.offset(),
                ParseErrorKind::BadArrayLength {
                    length: payload.len(),
                    element: size_of::<tcp_diag_md5sig>(),
                },
            )
        })?;
        Ok(Md5Keys {
            keys,
            offset: attr.payload_offset(),
        })
    }

    /// The raw array.
    pub fn raw(&self) -> &'buf [tcp_diag_md5sig] {
        self.keys
    }

    /// The keys; one with an address family other than IPv4/IPv6 is an error.
    pub fn iter(&self) -> impl Iterator<Item = Result<Md5Key, ParseError>> + 'buf {
        let base = self.offset;
        self.keys.iter().enumerate().map(move |(i, k)| {
            Md5Key::decode(
                k,
                base.saturating_add(i.saturating_mul(size_of::<tcp_diag_md5sig>())),
            )
        })
    }
}

impl fmt::Debug for Md5Keys<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Kernel-TLS state (`INET_ULP_INFO_TLS` inside `INET_DIAG_ULP_INFO`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct TlsInfo {
    /// `TLS_INFO_VERSION`: `0x0303` = TLS 1.2, `0x0304` = TLS 1.3.
    pub version: Option<u16>,
    /// `TLS_INFO_CIPHER`: `TLS_CIPHER_*` (51 = AES-GCM-128, ...).
    pub cipher: Option<u16>,
    /// `TLS_INFO_TXCONF`: `TLS_CONF_*` (1 base, 2 software, 3 hardware, 4 hardware record).
    pub tx_conf: Option<u16>,
    /// `TLS_INFO_RXCONF`: `TLS_CONF_*`.
    pub rx_conf: Option<u16>,
    /// `TLS_INFO_ZC_RO_TX`: zero-copy sendfile is on.
    pub zerocopy_sendfile: bool,
    /// `TLS_INFO_RX_NO_PAD`: receive expects no padding.
    pub rx_no_pad: bool,
}

/// MPTCP subflow state (`INET_ULP_INFO_MPTCP` inside `INET_DIAG_ULP_INFO`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct MptcpSubflowInfo {
    /// `MPTCP_SUBFLOW_ATTR_TOKEN_REM`: the peer's connection token.
    pub token_rem: Option<u32>,
    /// `MPTCP_SUBFLOW_ATTR_TOKEN_LOC`: the local connection token.
    pub token_loc: Option<u32>,
    /// `MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ`.
    pub rel_write_seq: Option<u32>,
    /// `MPTCP_SUBFLOW_ATTR_MAP_SEQ`: data sequence number of the mapping.
    pub map_seq: Option<u64>,
    /// `MPTCP_SUBFLOW_ATTR_MAP_SFSEQ`: subflow sequence number of the mapping.
    pub map_sfseq: Option<u32>,
    /// `MPTCP_SUBFLOW_ATTR_SSN_OFFSET`.
    pub ssn_offset: Option<u32>,
    /// `MPTCP_SUBFLOW_ATTR_MAP_DATALEN`: mapping length, bytes.
    pub map_data_len: Option<u16>,
    /// `MPTCP_SUBFLOW_ATTR_FLAGS`: `MPTCP_SUBFLOW_FLAG_*` bits.
    pub flags: Option<u32>,
    /// `MPTCP_SUBFLOW_ATTR_ID_REM`: remote address id.
    pub id_rem: Option<u8>,
    /// `MPTCP_SUBFLOW_ATTR_ID_LOC`: local address id.
    pub id_loc: Option<u8>,
}

/// Longest ULP name (`TCP_ULP_NAME_MAX`).
const ULP_NAME_MAX: usize = 16;

/// `INET_DIAG_ULP_INFO`: the upper-layer protocol attached to a TCP socket
/// (`"tls"`, `"mptcp"`, ...) and its state. Checked when the attribute is
/// decoded; the accessors read the nested attributes, which stay reachable
/// raw through [`attrs`](Self::attrs).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct UlpInfo<B> {
    bytes: B,
    offset: usize,
}

/// What the nested attributes of a ULP_INFO hold.
#[derive(Default)]
struct UlpParts<'a> {
    name: &'a str,
    tls: Option<TlsInfo>,
    mptcp: Option<MptcpSubflowInfo>,
}

fn ulp_parts(bytes: &[u8], offset: usize) -> Result<UlpParts<'_>, ParseError> {
    let mut out = UlpParts::default();
    for attr in Attrs::with_base(bytes, offset) {
        let attr = attr?;
        match attr.kind() {
            r::INET_ULP_INFO_NAME => {
                let name = text(&attr)?;
                if name.len() > ULP_NAME_MAX {
                    return Err(ParseError::new(
                        Layer::Attribute,
                        attr.offset(),
                        ParseErrorKind::WrongLength {
                            length: name.len(),
                            expected: ULP_NAME_MAX,
                        },
                    ));
                }
                out.name = name;
            }
            r::INET_ULP_INFO_TLS => out.tls = Some(tls_info(&attr)?),
            r::INET_ULP_INFO_MPTCP => out.mptcp = Some(mptcp_subflow(&attr)?),
            _ => {}
        }
    }
    Ok(out)
}

impl<B: AsRef<[u8]>> UlpInfo<B> {
    /// Checks the nested attributes of an `INET_DIAG_ULP_INFO` payload
    /// found at `offset`.
    pub fn new(bytes: B, offset: usize) -> Result<Self, ParseError> {
        ulp_parts(bytes.as_ref(), offset)?;
        Ok(UlpInfo { bytes, offset })
    }

    fn parts(&self) -> UlpParts<'_> {
        // Checked in `new`: cannot fail here.
        ulp_parts(self.bytes.as_ref(), self.offset).unwrap_or_default()
    }

    /// `INET_ULP_INFO_NAME`: the ULP's name (empty if not sent).
    pub fn name(&self) -> &str {
        self.parts().name
    }

    /// `INET_ULP_INFO_TLS`, for a kernel-TLS socket.
    pub fn tls(&self) -> Option<TlsInfo> {
        self.parts().tls
    }

    /// `INET_ULP_INFO_MPTCP`, for an MPTCP subflow.
    pub fn mptcp(&self) -> Option<MptcpSubflowInfo> {
        self.parts().mptcp
    }

    /// The nested attributes, raw.
    pub fn attrs(&self) -> Attrs<'_> {
        Attrs::with_base(self.bytes.as_ref(), self.offset)
    }

    /// An owned copy.
    pub fn into_owned(self) -> UlpInfo<Box<[u8]>> {
        UlpInfo {
            bytes: self.bytes.as_ref().into(),
            offset: self.offset,
        }
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for UlpInfo<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = self.parts();
        f.debug_struct("UlpInfo")
            .field("name", &parts.name)
            .field("tls", &parts.tls)
            .field("mptcp", &parts.mptcp)
            .finish()
    }
}

fn tls_info(attr: &Attr<'_>) -> Result<TlsInfo, ParseError> {
    let mut t = TlsInfo::default();
    for a in attr.nested() {
        let a = a?;
        match a.kind() {
            rt::TLS_INFO_VERSION => t.version = Some(a.u16()?),
            rt::TLS_INFO_CIPHER => t.cipher = Some(a.u16()?),
            rt::TLS_INFO_TXCONF => t.tx_conf = Some(a.u16()?),
            rt::TLS_INFO_RXCONF => t.rx_conf = Some(a.u16()?),
            rt::TLS_INFO_ZC_RO_TX => t.zerocopy_sendfile = true,
            rt::TLS_INFO_RX_NO_PAD => t.rx_no_pad = true,
            _ => {}
        }
    }
    Ok(t)
}

fn mptcp_subflow(attr: &Attr<'_>) -> Result<MptcpSubflowInfo, ParseError> {
    let mut m = MptcpSubflowInfo::default();
    for a in attr.nested() {
        let a = a?;
        match a.kind() {
            rm::MPTCP_SUBFLOW_ATTR_TOKEN_REM => m.token_rem = Some(a.u32()?),
            rm::MPTCP_SUBFLOW_ATTR_TOKEN_LOC => m.token_loc = Some(a.u32()?),
            rm::MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ => m.rel_write_seq = Some(a.u32()?),
            rm::MPTCP_SUBFLOW_ATTR_MAP_SEQ => m.map_seq = Some(a.u64()?),
            rm::MPTCP_SUBFLOW_ATTR_MAP_SFSEQ => m.map_sfseq = Some(a.u32()?),
            rm::MPTCP_SUBFLOW_ATTR_SSN_OFFSET => m.ssn_offset = Some(a.u32()?),
            rm::MPTCP_SUBFLOW_ATTR_MAP_DATALEN => m.map_data_len = Some(a.u16()?),
            rm::MPTCP_SUBFLOW_ATTR_FLAGS => m.flags = Some(a.u32()?),
            rm::MPTCP_SUBFLOW_ATTR_ID_REM => m.id_rem = Some(a.u8()?),
            rm::MPTCP_SUBFLOW_ATTR_ID_LOC => m.id_loc = Some(a.u8()?),
            _ => {}
        }
    }
    Ok(m)
}

/// The text of a NUL-terminated string attribute.
fn text<'buf>(attr: &Attr<'buf>) -> Result<&'buf str, ParseError> {
    core::str::from_utf8(attr.c_str_bytes()).map_err(|e| {
        ParseError::new(
            Layer::Attribute,
            attr.payload_offset().saturating_add(e.valid_up_to()),
            ParseErrorKind::InvalidUtf8,
        )
    })
}

/// One `INET_DIAG_*` response attribute, decoded.
///
/// `INET_DIAG_INFO` is decoded by the protocol of the dump: `tcp_info` for
/// TCP (and DCCP, which fills a subset of it), `sctp_info`, `mptcp_info`;
/// for a message whose protocol is not known it stays raw
/// ([`Info`](InetAttr::Info)). `INET_DIAG_PAD` is skipped.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum InetAttr<'buf> {
    /// 1 `INET_DIAG_MEMINFO`.
    MemInfo(MemInfo),
    /// 2 `INET_DIAG_INFO` of a TCP or DCCP socket.
    TcpInfo(TcpInfo<&'buf [u8]>),
    /// 2 `INET_DIAG_INFO` of an SCTP socket.
    SctpInfo(SctpInfo<&'buf [u8]>),
    /// 2 `INET_DIAG_INFO` of an MPTCP socket.
    MptcpInfo(MptcpInfo<&'buf [u8]>),
    /// 2 `INET_DIAG_INFO` of a message whose protocol is not known, raw.
    Info(&'buf [u8]),
    /// 3 `INET_DIAG_VEGASINFO`.
    Vegas(VegasInfo),
    /// 4 `INET_DIAG_CONG`: congestion-control algorithm, without the NUL.
    Cong(&'buf str),
    /// 5 `INET_DIAG_TOS`: IPv4 type of service.
    Tos(u8),
    /// 6 `INET_DIAG_TCLASS`: IPv6 traffic class.
    TClass(u8),
    /// 7 `INET_DIAG_SKMEMINFO`.
    SkMemInfo(SkMemInfo<&'buf [u8]>),
    /// 8 `INET_DIAG_SHUTDOWN`.
    Shutdown(Shutdown),
    /// 9 `INET_DIAG_DCTCPINFO`.
    Dctcp(DctcpInfo),
    /// 10 `INET_DIAG_PROTOCOL`: the socket's protocol (RAW sockets; UDP-Lite).
    Protocol(u8),
    /// 11 `INET_DIAG_SKV6ONLY`: `IPV6_V6ONLY` (IPv6 listeners and unconnected sockets).
    V6Only(bool),
    /// 12 `INET_DIAG_LOCALS`: SCTP local addresses.
    Locals(SockAddrs<&'buf [u8]>),
    /// 13 `INET_DIAG_PEERS`: SCTP peer addresses.
    Peers(SockAddrs<&'buf [u8]>),
    /// 15 `INET_DIAG_MARK`: `SO_MARK` (sent to `CAP_NET_ADMIN` requesters).
    Mark(u32),
    /// 16 `INET_DIAG_BBRINFO`.
    Bbr(BbrInfo),
    /// 17 `INET_DIAG_CLASS_ID`: cgroup v1 net_cls classid, or `SO_PRIORITY` if none.
    ClassId(u32),
    /// 18 `INET_DIAG_MD5SIG`: TCP-MD5 keys.
    Md5Sig(Md5Keys<'buf>),
    /// 19 `INET_DIAG_ULP_INFO`.
    UlpInfo(UlpInfo<&'buf [u8]>),
    /// 20 `INET_DIAG_SK_BPF_STORAGES`: nested attributes, raw (see
    /// [`Attr::nested`]).
    BpfStorages(Attr<'buf>),
    /// 21 `INET_DIAG_CGROUP_ID`: cgroup v2 id.
    CgroupId(u64),
    /// 22 `INET_DIAG_SOCKOPT`.
    SockOpt(SockOpt),
    /// Any other type, passed through raw.
    Other(Attr<'buf>),
}

impl<'buf> InetAttr<'buf> {
    /// Decodes one attribute of a message of `protocol` (if known). A
    /// payload of the wrong length is an error for this attribute only.
    // Always inlined: called, it returned each attribute through memory
    // to a caller that checks every one and keeps one (the poller): the
    // exporter's poll thread spent 3.3% of its samples there at 10,000
    // sockets, 1.7% inlined, and the binary got no bigger.
    #[inline(always)]
    pub fn decode(attr: Attr<'buf>, protocol: Option<Protocol>) -> Result<Self, ParseError> {
        let payload = attr.payload();
        Ok(match attr.kind() {
            r::INET_DIAG_MEMINFO => {
                let m: &inet_diag_meminfo = fixed_attr(&attr)?;
                InetAttr::MemInfo(MemInfo {
                    rmem: m.idiag_rmem.get(),
                    wmem: m.idiag_wmem.get(),
                    fmem: m.idiag_fmem.get(),
                    tmem: m.idiag_tmem.get(),
                })
            }
            r::INET_DIAG_INFO => match protocol {
                Some(Protocol::Tcp | Protocol::Dccp) => InetAttr::TcpInfo(TcpInfo::new(payload)),
                Some(Protocol::Sctp) => InetAttr::SctpInfo(SctpInfo::new(payload)),
                Some(Protocol::Mptcp) => InetAttr::MptcpInfo(MptcpInfo::new(payload)),
                _ => InetAttr::Info(payload),
            },
            r::INET_DIAG_VEGASINFO => {
                let v: &tcpvegas_info = fixed_attr(&attr)?;
                InetAttr::Vegas(VegasInfo {
                    enabled: v.tcpv_enabled.get(),
                    rtt_count: v.tcpv_rttcnt.get(),
                    rtt_us: v.tcpv_rtt.get(),
                    min_rtt_us: v.tcpv_minrtt.get(),
                })
            }
            r::INET_DIAG_CONG => InetAttr::Cong(text(&attr)?),
            r::INET_DIAG_TOS => InetAttr::Tos(attr.u8()?),
            r::INET_DIAG_TCLASS => InetAttr::TClass(attr.u8()?),
            r::INET_DIAG_SKMEMINFO => InetAttr::SkMemInfo(SkMemInfo::new(payload, attr.offset())?),
            r::INET_DIAG_SHUTDOWN => InetAttr::Shutdown(Shutdown::from_bits_retain(attr.u8()?)),
            r::INET_DIAG_DCTCPINFO => {
                let d: &tcp_dctcp_info = fixed_attr(&attr)?;
                InetAttr::Dctcp(DctcpInfo {
                    enabled: d.dctcp_enabled.get(),
                    ce_state: d.dctcp_ce_state.get(),
                    alpha: d.dctcp_alpha.get(),
                    ab_ecn: d.dctcp_ab_ecn.get(),
                    ab_tot: d.dctcp_ab_tot.get(),
                })
            }
            r::INET_DIAG_PROTOCOL => InetAttr::Protocol(attr.u8()?),
            r::INET_DIAG_SKV6ONLY => InetAttr::V6Only(attr.u8()? != 0),
            r::INET_DIAG_LOCALS => InetAttr::Locals(SockAddrs::new(payload, attr.offset())?),
            r::INET_DIAG_PEERS => InetAttr::Peers(SockAddrs::new(payload, attr.offset())?),
            r::INET_DIAG_MARK => InetAttr::Mark(attr.u32()?),
            r::INET_DIAG_BBRINFO => {
                let b: &tcp_bbr_info = fixed_attr(&attr)?;
                InetAttr::Bbr(BbrInfo {
                    bandwidth: u64::from(b.bbr_bw_hi.get()) << 32 | u64::from(b.bbr_bw_lo.get()),
                    min_rtt_us: b.bbr_min_rtt.get(),
                    pacing_gain: b.bbr_pacing_gain.get(),
                    cwnd_gain: b.bbr_cwnd_gain.get(),
                })
            }
            r::INET_DIAG_CLASS_ID => InetAttr::ClassId(attr.u32()?),
            r::INET_DIAG_MD5SIG => InetAttr::Md5Sig(Md5Keys::new(&attr)?),
            r::INET_DIAG_ULP_INFO => {
                InetAttr::UlpInfo(UlpInfo::new(payload, attr.payload_offset())?)
            }
            r::INET_DIAG_SK_BPF_STORAGES => InetAttr::BpfStorages(attr),
            r::INET_DIAG_CGROUP_ID => InetAttr::CgroupId(attr.u64()?),
            r::INET_DIAG_SOCKOPT => InetAttr::SockOpt(SockOpt::from_raw(fixed_attr(&attr)?)),
            _ => InetAttr::Other(attr),
        })
    }
}

/// Iterator over the typed attributes of an [`InetMsg`](super::InetMsg).
///
/// An attribute whose payload is malformed yields `Err` and iteration goes
/// on with the next one; a break in the attribute framing itself yields
/// `Err` once and ends the iteration.
#[derive(Clone, Debug)]
pub struct InetAttrs<'buf> {
    attrs: Attrs<'buf>,
    protocol: Option<Protocol>,
}

impl<'buf> InetAttrs<'buf> {
    /// Decodes `attrs` as the attributes of a reply of `protocol` (see
    /// [`InetMsg::attributes`](super::InetMsg::attributes)).
    pub fn new(attrs: Attrs<'buf>, protocol: Option<Protocol>) -> Self {
        InetAttrs { attrs, protocol }
    }
}

impl<'buf> Iterator for InetAttrs<'buf> {
    type Item = Result<InetAttr<'buf>, ParseError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let attr = match self.attrs.next()? {
                Ok(a) => a,
                Err(e) => return Some(Err(e)),
            };
            if attr.kind() != r::INET_DIAG_PAD {
                return Some(InetAttr::decode(attr, self.protocol));
            }
        }
    }
}

impl core::iter::FusedIterator for InetAttrs<'_> {}

#[cfg(test)]
mod tests;
