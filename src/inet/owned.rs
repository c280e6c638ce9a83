//! Owned counterparts of [`InetMsg`], for snapshots and the compat API.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use super::attr::{
    BbrInfo, DctcpInfo, InetAttr, InetAttrs, Md5Key, MemInfo, SockAddrs, SockOpt, UlpInfo,
    VegasInfo,
};
use super::info::{MptcpInfo, SctpInfo, TcpInfo};
use super::msg::fast_hash;
use super::{Family, InetMsg, Protocol, TcpState, Timer};
use crate::common::{Shutdown, SkMemInfo};
use crate::parse_error::ParseError;
use crate::raw::inet_diag::inet_diag_sockid;

/// The identity of an inet socket (`struct inet_diag_sockid`), owned.
#[doc(alias = "inet_diag_sockid")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SocketId {
    /// Source (local) address and port.
    pub src: SocketAddr,
    /// Destination (remote) address and port.
    pub dst: SocketAddr,
    /// Interface index the socket is bound to, or 0.
    pub interface: u32,
    /// The 64-bit socket cookie.
    pub cookie: u64,
}

impl SocketId {
    /// The identity of the socket from `src` (local) to `dst` (remote; the
    /// unspecified address and port 0 for a listener), on any interface,
    /// with no cookie (`u64::MAX`: the kernel checks none).
    pub fn new(src: SocketAddr, dst: SocketAddr) -> Self {
        SocketId {
            src,
            dst,
            interface: 0,
            cookie: u64::MAX,
        }
    }

    /// The same, on interface `index`.
    #[must_use]
    pub fn with_interface(mut self, index: u32) -> Self {
        self.interface = index;
        self
    }

    /// The same, with the socket's cookie: a lookup then fails if the
    /// socket at these addresses is another one.
    #[must_use]
    pub fn with_cookie(mut self, cookie: u64) -> Self {
        self.cookie = cookie;
        self
    }

    /// The raw `struct inet_diag_sockid`. An IPv4 address fills the first
    /// 4 bytes; an IPv6 one all 16.
    pub fn to_raw(&self) -> inet_diag_sockid {
        fn bytes(ip: IpAddr) -> [u8; 16] {
            match ip {
                IpAddr::V4(v4) => {
                    let [a, b, c, d] = v4.octets();
                    [a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
                }
                IpAddr::V6(v6) => v6.octets(),
            }
        }
        inet_diag_sockid {
            idiag_sport: self.src.port().into(),
            idiag_dport: self.dst.port().into(),
            idiag_src: bytes(self.src.ip()),
            idiag_dst: bytes(self.dst.ip()),
            idiag_if: self.interface.into(),
            idiag_cookie: crate::request::cookie_words(Some(self.cookie)),
        }
    }

    /// gopsutil's `FastHash` of this identity (see [`InetMsg::fast_hash`]).
    pub fn fast_hash(&self) -> u64 {
        fn bytes(ip: IpAddr) -> (Family, [u8; 16]) {
            match ip {
                IpAddr::V4(v4) => {
                    let [a, b, c, d] = v4.octets();
                    (
                        Family::Inet,
                        [a, b, c, d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
                    )
                }
                IpAddr::V6(v6) => (Family::Inet6, v6.octets()),
            }
        }
        let (family, src) = bytes(self.src.ip());
        let (_, dst) = bytes(self.dst.ip());
        fast_hash(family, &src, &dst, self.src.port(), self.dst.port())
    }
}

/// One inet socket, owned: every field of `struct inet_diag_msg` and every
/// attribute, decoded, side by side as in the other families' owned types
/// (an attribute the kernel did not send is `None`).
///
/// Made by [`DiagSocket::snapshot`](crate::DiagSocket::snapshot) or from
/// a view with `InetSocket::from(msg)`. This copies; the views do not.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct InetSocket {
    /// Address family.
    pub family: Family,
    /// Protocol, if known (see [`InetMsg::protocol`]).
    pub protocol: Option<Protocol>,
    /// State.
    pub state: TcpState,
    /// Pending timer.
    pub timer: Timer,
    /// Retransmits or probes so far.
    pub retrans: u8,
    /// Source (local) address and port.
    pub src: SocketAddr,
    /// Destination (remote) address and port.
    pub dst: SocketAddr,
    /// Interface index the socket is bound to, or 0.
    pub interface: u32,
    /// The 64-bit socket cookie.
    pub cookie: u64,
    /// Milliseconds until the timer fires.
    pub expires_ms: u32,
    /// Receive queue.
    pub rqueue: u32,
    /// Send queue.
    pub wqueue: u32,
    /// Owner uid (always sent for inet sockets, hence not an `Option`).
    pub uid: u32,
    /// Inode number, or 0.
    pub inode: u32,
    /// `INET_DIAG_MEMINFO`.
    pub meminfo: Option<MemInfo>,
    /// `INET_DIAG_INFO` of a TCP or DCCP socket.
    pub tcp_info: Option<TcpInfo<Box<[u8]>>>,
    /// `INET_DIAG_INFO` of an SCTP socket.
    pub sctp_info: Option<SctpInfo<Box<[u8]>>>,
    /// `INET_DIAG_INFO` of an MPTCP socket.
    pub mptcp_info: Option<MptcpInfo<Box<[u8]>>>,
    /// `INET_DIAG_INFO` of a socket whose protocol was not known, raw.
    pub info: Option<Box<[u8]>>,
    /// `INET_DIAG_VEGASINFO`.
    pub vegas: Option<VegasInfo>,
    /// `INET_DIAG_CONG`.
    pub cong: Option<String>,
    /// `INET_DIAG_TOS`.
    pub tos: Option<u8>,
    /// `INET_DIAG_TCLASS`.
    pub tclass: Option<u8>,
    /// `INET_DIAG_SKMEMINFO`.
    pub skmeminfo: Option<SkMemInfo<Box<[u8]>>>,
    /// `INET_DIAG_SHUTDOWN`.
    pub shutdown: Option<Shutdown>,
    /// `INET_DIAG_DCTCPINFO`.
    pub dctcp: Option<DctcpInfo>,
    /// `INET_DIAG_PROTOCOL`: the socket's `IPPROTO_*` number (a raw
    /// socket's protocol, such as 1 for ICMP).
    pub ip_protocol: Option<u8>,
    /// `INET_DIAG_SKV6ONLY`.
    pub v6only: Option<bool>,
    /// `INET_DIAG_LOCALS`.
    pub locals: Option<Vec<SocketAddr>>,
    /// `INET_DIAG_PEERS`.
    pub peers: Option<Vec<SocketAddr>>,
    /// `INET_DIAG_MARK`.
    pub mark: Option<u32>,
    /// `INET_DIAG_BBRINFO`.
    pub bbr: Option<BbrInfo>,
    /// `INET_DIAG_CLASS_ID`.
    pub class_id: Option<u32>,
    /// `INET_DIAG_MD5SIG`.
    pub md5sig: Option<Vec<Md5Key>>,
    /// `INET_DIAG_ULP_INFO`.
    pub ulp: Option<UlpInfo<Box<[u8]>>>,
    /// `INET_DIAG_SK_BPF_STORAGES`, raw nested attributes.
    pub bpf_storages: Option<Box<[u8]>>,
    /// `INET_DIAG_CGROUP_ID`.
    pub cgroup_id: Option<u64>,
    /// `INET_DIAG_SOCKOPT`.
    pub sockopt: Option<SockOpt>,
    /// Attributes of other types, as (type, payload).
    pub other: Vec<(u16, Box<[u8]>)>,
    /// Attributes that did not parse (the message's other attributes are
    /// still decoded, unless the framing itself broke).
    pub errors: Vec<ParseError>,
}

impl InetSocket {
    /// Its identity, for a [lookup](crate::DiagSocket::lookup) or a
    /// [destroy](crate::DiagSocket::destroy) of this very socket (the
    /// cookie included).
    pub fn id(&self) -> SocketId {
        SocketId::new(self.src, self.dst)
            .with_interface(self.interface)
            .with_cookie(self.cookie)
    }

    /// Source (local) address (Go's `SrcIP()`).
    pub fn src_ip(&self) -> IpAddr {
        self.src.ip()
    }

    /// Source (local) port (Go's `SrcPort()`).
    pub fn src_port(&self) -> u16 {
        self.src.port()
    }

    /// Destination (remote) address (Go's `DstIP()`).
    pub fn dst_ip(&self) -> IpAddr {
        self.dst.ip()
    }

    /// Destination (remote) port (Go's `DstPort()`).
    pub fn dst_port(&self) -> u16 {
        self.dst.port()
    }

    /// gopsutil's `FastHash` (see [`InetMsg::fast_hash`]).
    pub fn fast_hash(&self) -> u64 {
        self.id().fast_hash()
    }

    /// [`expires_ms`](Self::expires_ms) as a `Duration`.
    pub fn expires(&self) -> Duration {
        Duration::from_millis(self.expires_ms.into())
    }

    fn add(&mut self, attr: InetAttr<'_>) {
        match attr {
            InetAttr::MemInfo(m) => self.meminfo = Some(m),
            InetAttr::TcpInfo(i) => self.tcp_info = Some(i.into_owned()),
            InetAttr::SctpInfo(i) => self.sctp_info = Some(i.into_owned()),
            InetAttr::MptcpInfo(i) => self.mptcp_info = Some(i.into_owned()),
            InetAttr::Info(b) => self.info = Some(b.into()),
            InetAttr::Vegas(v) => self.vegas = Some(v),
            InetAttr::Cong(c) => self.cong = Some(c.to_owned()),
            InetAttr::Tos(t) => self.tos = Some(t),
            InetAttr::TClass(t) => self.tclass = Some(t),
            InetAttr::SkMemInfo(m) => self.skmeminfo = Some(m.into_owned()),
            InetAttr::Shutdown(s) => self.shutdown = Some(s),
            InetAttr::Dctcp(d) => self.dctcp = Some(d),
            InetAttr::Protocol(p) => self.ip_protocol = Some(p),
            InetAttr::V6Only(v) => self.v6only = Some(v),
            InetAttr::Locals(a) => self.locals = Some(self.addrs(a)),
            InetAttr::Peers(a) => self.peers = Some(self.addrs(a)),
            InetAttr::Mark(m) => self.mark = Some(m),
            InetAttr::Bbr(b) => self.bbr = Some(b),
            InetAttr::ClassId(c) => self.class_id = Some(c),
            InetAttr::Md5Sig(k) => {
                let mut keys = Vec::new();
                for key in k.iter() {
                    match key {
                        Ok(key) => keys.push(key),
                        Err(e) => self.errors.push(e),
                    }
                }
                self.md5sig = Some(keys);
            }
            InetAttr::UlpInfo(u) => self.ulp = Some(u.into_owned()),
            InetAttr::BpfStorages(a) => self.bpf_storages = Some(a.payload().into()),
            InetAttr::CgroupId(c) => self.cgroup_id = Some(c),
            InetAttr::SockOpt(s) => self.sockopt = Some(s),
            InetAttr::Other(a) => self.other.push((a.kind(), a.payload().into())),
        }
    }

    fn addrs(&mut self, addrs: SockAddrs<&[u8]>) -> Vec<SocketAddr> {
        let mut out = Vec::with_capacity(addrs.len());
        for a in addrs.iter() {
            match a {
                Ok(a) => out.push(a),
                Err(e) => self.errors.push(e),
            }
        }
        out
    }

    fn add_all(&mut self, attrs: InetAttrs<'_>) {
        for attr in attrs {
            match attr {
                Ok(a) => self.add(a),
                Err(e) => self.errors.push(e),
            }
        }
    }
}

impl From<InetMsg<'_>> for InetSocket {
    fn from(m: InetMsg<'_>) -> Self {
        let mut s = InetSocket::fixed(m);
        s.add_all(m.attributes());
        s
    }
}

impl InetSocket {
    /// The fixed fields of `m`, no attribute.
    pub(crate) fn fixed(m: InetMsg<'_>) -> Self {
        InetSocket {
            family: m.family(),
            protocol: m.protocol(),
            state: m.state(),
            timer: m.timer(),
            retrans: m.retrans(),
            src: m.src(),
            dst: m.dst(),
            interface: m.interface(),
            cookie: m.cookie(),
            expires_ms: m.expires_ms(),
            rqueue: m.rqueue(),
            wqueue: m.wqueue(),
            uid: m.uid(),
            inode: m.inode(),
            meminfo: None,
            tcp_info: None,
            sctp_info: None,
            mptcp_info: None,
            info: None,
            vegas: None,
            cong: None,
            tos: None,
            tclass: None,
            skmeminfo: None,
            shutdown: None,
            dctcp: None,
            ip_protocol: None,
            v6only: None,
            locals: None,
            peers: None,
            mark: None,
            bbr: None,
            class_id: None,
            md5sig: None,
            ulp: None,
            bpf_storages: None,
            cgroup_id: None,
            sockopt: None,
            other: Vec::new(),
            errors: Vec::new(),
        }
    }
}
