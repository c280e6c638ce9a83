//! One borrowed description of a socket of any family, built from its
//! message in one pass over the attributes, for every output format.

use std::net::IpAddr;

use sockdiag::inet::{
    BbrInfo, DctcpInfo, Family, InetAttr, InetMsg, Md5Keys, MemInfo, MptcpInfo, Protocol, SctpInfo,
    SockAddrs, SockOpt, TcpInfo, TcpState, Timer, UlpInfo, VegasInfo,
};
use sockdiag::netlink_diag::{Groups, NetlinkAttr, NetlinkMsg};
use sockdiag::packet::{BpfProgram, Fanout, PacketAttr, PacketInfo, PacketMsg, PacketRing};
use sockdiag::smc::{SmcAttr, SmcFallback, SmcMsg};
use sockdiag::tipc::{TipcMsg, TipcStats};
use sockdiag::unix::{UnixAttr, UnixMsg, UnixName, UnixVfs};
use sockdiag::vsock::{VsockAddr, VsockMsg};
use sockdiag::xdp::{XdpAttr, XdpInfo, XdpMsg, XdpStats, XdpUmem};
use sockdiag::SocketType;
use sockdiag::{ParseError, Shutdown, SkMemInfo, U32Array};

/// One end of a socket.
#[derive(Clone, Copy, Debug)]
pub enum Endpoint<'a> {
    /// An inet address and port, with the bound interface (local end).
    Ip {
        /// Address.
        addr: IpAddr,
        /// Port.
        port: u16,
        /// Bound interface index, or 0.
        ifindex: u32,
    },
    /// A unix socket: its name (if bound) and inode; for the peer end,
    /// the peer's inode.
    Unix {
        /// Bound name.
        name: Option<UnixName<'a>>,
        /// Inode.
        inode: u32,
    },
    /// A packet socket: protocol (ethertype) and interface.
    Packet {
        /// Ethertype, host order.
        protocol: u16,
        /// Interface index, or 0 for all.
        ifindex: u32,
    },
    /// A netlink socket: protocol and port id.
    Netlink {
        /// Netlink protocol.
        protocol: u8,
        /// Port id.
        port_id: u32,
    },
    /// The peer of a netlink socket: a group or a port id.
    NetlinkPeer {
        /// Destination group.
        group: u32,
        /// Destination port id.
        port_id: u32,
    },
    /// A vsock end: context id and port.
    Vsock(VsockAddr),
    /// An AF_XDP socket's interface and queue, if bound.
    Xdp(Option<XdpInfo>),
    /// A TIPC end: node and port id (the peer: `None` when not
    /// connected).
    Tipc(Option<(u32, u32)>),
    /// An SMC socket's end (its CLC socket's): the address where the
    /// reply tells it, and the port.
    Smc {
        /// Address.
        addr: Option<IpAddr>,
        /// Port.
        port: u16,
    },
}

/// Everything the attributes said, decoded once.
#[derive(Clone, Copy, Debug, Default)]
pub struct Extras<'a> {
    pub skmem: Option<SkMemInfo<&'a [u8]>>,
    pub tcp_info: Option<TcpInfo<&'a [u8]>>,
    pub bbr: Option<BbrInfo>,
    pub cong: Option<&'a str>,
    pub tos: Option<u8>,
    pub tclass: Option<u8>,
    pub class_id: Option<u32>,
    pub mark: Option<u32>,
    pub cgroup_id: Option<u64>,
    pub v6only: Option<bool>,
    pub shutdown: Option<Shutdown>,
    /// inet: `INET_DIAG_MEMINFO`.
    pub meminfo: Option<MemInfo>,
    /// inet: `INET_DIAG_VEGASINFO`.
    pub vegas: Option<VegasInfo>,
    /// inet: `INET_DIAG_DCTCPINFO`.
    pub dctcp: Option<DctcpInfo>,
    /// inet: `INET_DIAG_PROTOCOL` (RAW sockets' protocol).
    pub protocol_attr: Option<u8>,
    /// inet: `INET_DIAG_MD5SIG`.
    pub md5: Option<Md5Keys<'a>>,
    /// inet: `INET_DIAG_ULP_INFO`.
    pub ulp: Option<UlpInfo<&'a [u8]>>,
    /// inet: `INET_DIAG_SOCKOPT`.
    pub sockopt: Option<SockOpt>,
    /// SCTP: `INET_DIAG_INFO` as `sctp_info`.
    pub sctp_info: Option<SctpInfo<&'a [u8]>>,
    /// MPTCP: `INET_DIAG_INFO` as `mptcp_info`.
    pub mptcp_info: Option<MptcpInfo<&'a [u8]>>,
    /// SCTP: `INET_DIAG_LOCALS`.
    pub locals: Option<SockAddrs<&'a [u8]>>,
    /// SCTP: `INET_DIAG_PEERS`.
    pub peers: Option<SockAddrs<&'a [u8]>>,
    /// unix: `UNIX_DIAG_VFS`.
    pub vfs: Option<UnixVfs>,
    /// unix: `UNIX_DIAG_ICONS`.
    pub icons: Option<U32Array<'a>>,
    /// packet: `PACKET_DIAG_INFO`.
    pub packet_info: Option<PacketInfo>,
    /// packet: `PACKET_DIAG_RX_RING`.
    pub rx_ring: Option<PacketRing>,
    /// packet: `PACKET_DIAG_TX_RING`.
    pub tx_ring: Option<PacketRing>,
    /// packet: `PACKET_DIAG_FANOUT`.
    pub fanout: Option<Fanout>,
    /// packet: `PACKET_DIAG_FILTER`.
    pub bpf: Option<BpfProgram<'a>>,
    /// netlink: `NETLINK_DIAG_GROUPS`.
    pub groups: Option<Groups<'a>>,
    /// AF_XDP: the rx, tx, fill and completion rings' sizes.
    pub xdp_rings: [Option<u32>; 4],
    /// AF_XDP: `XDP_DIAG_UMEM`.
    pub umem: Option<XdpUmem>,
    /// AF_XDP: `XDP_DIAG_STATS`.
    pub xdp_stats: Option<XdpStats>,
    /// TIPC: queues, drops and congestion.
    pub tipc_stats: Option<TipcStats>,
    /// TIPC: the service a connection was made to by name.
    pub tipc_service: Option<(u32, u32)>,
    /// TIPC: it published a service.
    pub tipc_published: bool,
    /// TIPC: the socket type's name for `--tipcinfo`.
    pub tipc_type: Option<SocketType>,
    /// SMC: `SMC_DIAG_FALLBACK`.
    pub smc_fallback: Option<SmcFallback>,
    /// SMC: the mode (`SMCR`, `TCP`, `SMCD`).
    pub smc_mode: Option<&'static str>,
    /// A socket read from `/proc/net/raw`: the rest of its line after
    /// the socket pointer (what ss calls `opt`).
    pub proc_opt: Option<&'a str>,
    /// The first attribute that did not parse: the socket is shown
    /// without it only if the caller chooses to (see [`Sock::whole`]).
    pub error: Option<ParseError>,
}

/// The attributes of `attrs` that parsed; the first error goes to `error`.
fn parsed<'e, T>(
    attrs: impl Iterator<Item = Result<T, ParseError>> + 'e,
    error: &'e mut Option<ParseError>,
) -> impl Iterator<Item = T> + 'e {
    attrs.filter_map(move |a| a.map_err(|e| *error.get_or_insert(e)).ok())
}

/// A socket of any family.
#[derive(Clone, Copy, Debug)]
pub struct Sock<'a> {
    /// `ss`'s Netid: `tcp`, `udp`, `u_str`, `p_raw`, `nl`, ...
    pub netid: &'static str,
    /// `inet`, `inet6`, `unix`, `packet`, `netlink`.
    pub family: &'static str,
    /// The inet protocol, if known; `unix`, `packet`, `netlink` otherwise.
    pub protocol: Option<&'static str>,
    /// State (`TCP_*` numbering for every family).
    pub state: TcpState,
    /// The state as the kernel sent it (an SCTP association's is an
    /// `SCTP_STATE_*`).
    pub raw_state: u8,
    /// Receive queue as `ss` shows it.
    pub rq: u32,
    /// Send queue as `ss` shows it.
    pub wq: u32,
    /// Local end.
    pub local: Endpoint<'a>,
    /// Remote end.
    pub peer: Endpoint<'a>,
    /// Inode (0 for sockets without one, like TIME-WAIT).
    pub inode: u32,
    /// Owner uid, if the family reports it.
    pub uid: Option<u32>,
    /// Socket cookie.
    pub cookie: u64,
    /// Pending timer, its expiry and retransmissions (inet).
    pub timer: Option<(Timer, u32, u8)>,
    /// Decoded attributes.
    pub x: Extras<'a>,
}

impl<'a> Sock<'a> {
    /// An inet socket's local and remote ends and its bound interface.
    pub fn inet_ends(&self) -> Option<(std::net::SocketAddr, std::net::SocketAddr, u32)> {
        match (self.local, self.peer) {
            (
                Endpoint::Ip {
                    addr,
                    port,
                    ifindex,
                },
                Endpoint::Ip {
                    addr: daddr,
                    port: dport,
                    ..
                },
            ) => Some((
                std::net::SocketAddr::new(addr, port),
                std::net::SocketAddr::new(daddr, dport),
                ifindex,
            )),
            _ => None,
        }
    }

    /// The socket, or an error naming it and the attribute that did not
    /// parse: a row is never printed with a field silently missing.
    pub fn whole(self) -> Result<Self, String> {
        match self.x.error {
            None => Ok(self),
            Some(e) => Err(damaged(self.netid, self.cookie, e)),
        }
    }
}

/// The message for a socket whose reply did not parse.
pub fn damaged(netid: &str, cookie: u64, e: ParseError) -> String {
    format!("a damaged reply: {netid} socket (cookie {cookie:#x}): {e}")
}

/// `ss`'s state names.
pub fn ss_state(state: TcpState) -> &'static str {
    match state {
        TcpState::Established => "ESTAB",
        TcpState::SynSent => "SYN-SENT",
        TcpState::SynRecv | TcpState::NewSynRecv => "SYN-RECV",
        TcpState::FinWait1 => "FIN-WAIT-1",
        TcpState::FinWait2 => "FIN-WAIT-2",
        TcpState::TimeWait => "TIME-WAIT",
        TcpState::Close => "UNCONN",
        TcpState::BoundInactive => "BOUND-INACTIVE",
        TcpState::CloseWait => "CLOSE-WAIT",
        TcpState::LastAck => "LAST-ACK",
        TcpState::Listen => "LISTEN",
        TcpState::Closing => "CLOSING",
        TcpState::Unknown(_) => "UNKNOWN",
    }
}

/// An inet socket. `protocol` is what the dump asked for, or for a
/// replayed message what the file or the command line says.
pub fn inet<'a>(protocol: Option<Protocol>, m: &InetMsg<'a>) -> Sock<'a> {
    let mut x = Extras::default();
    let mut error = None;
    for attr in parsed(m.attributes(), &mut error) {
        match attr {
            InetAttr::TcpInfo(v) => x.tcp_info = Some(v),
            InetAttr::Bbr(v) => x.bbr = Some(v),
            InetAttr::Cong(v) => x.cong = Some(v),
            InetAttr::Tos(v) => x.tos = Some(v),
            InetAttr::TClass(v) => x.tclass = Some(v),
            InetAttr::ClassId(v) => x.class_id = Some(v),
            InetAttr::SkMemInfo(v) => x.skmem = Some(v),
            InetAttr::Shutdown(v) => x.shutdown = Some(v),
            InetAttr::V6Only(v) => x.v6only = Some(v),
            InetAttr::Mark(v) => x.mark = Some(v),
            InetAttr::CgroupId(v) => x.cgroup_id = Some(v),
            InetAttr::MemInfo(v) => x.meminfo = Some(v),
            InetAttr::Vegas(v) => x.vegas = Some(v),
            InetAttr::Dctcp(v) => x.dctcp = Some(v),
            InetAttr::Protocol(v) => x.protocol_attr = Some(v),
            InetAttr::Md5Sig(v) => x.md5 = Some(v),
            InetAttr::UlpInfo(v) => x.ulp = Some(v),
            InetAttr::SockOpt(v) => x.sockopt = Some(v),
            InetAttr::SctpInfo(v) => x.sctp_info = Some(v),
            InetAttr::MptcpInfo(v) => x.mptcp_info = Some(v),
            InetAttr::Locals(v) => x.locals = Some(v),
            InetAttr::Peers(v) => x.peers = Some(v),
            _ => {}
        }
    }
    x.error = error;
    let protocol = protocol.or(m.protocol());
    let inet = |addr, port, ifindex| Endpoint::Ip {
        addr,
        port,
        ifindex,
    };
    Sock {
        netid: protocol.map_or("???", Protocol::name),
        family: match m.family() {
            Family::Inet => "inet",
            Family::Inet6 => "inet6",
        },
        protocol: protocol.map(Protocol::name),
        state: m.state(),
        raw_state: m.raw().idiag_state,
        rq: m.rqueue(),
        wq: m.wqueue(),
        local: inet(m.src_ip(), m.src_port(), m.interface()),
        peer: inet(m.dst_ip(), m.dst_port(), 0),
        inode: m.inode(),
        uid: Some(m.uid()),
        cookie: m.cookie(),
        timer: Some((m.timer(), m.expires_ms(), m.retrans())),
        x,
    }
}

/// A unix socket.
pub fn unix<'a>(m: &UnixMsg<'a>) -> Sock<'a> {
    let mut x = Extras::default();
    let (mut name, mut peer, mut queues, mut uid) = (None, 0, (0, 0), None);
    let mut error = None;
    for attr in parsed(m.attributes(), &mut error) {
        match attr {
            UnixAttr::Name(n) => name = Some(n),
            UnixAttr::Peer(p) => peer = p,
            UnixAttr::RqLen(q) => queues = (q.rqueue, q.wqueue),
            UnixAttr::SkMemInfo(v) => x.skmem = Some(v),
            UnixAttr::Shutdown(v) => x.shutdown = Some(v),
            UnixAttr::Uid(v) => uid = Some(v),
            UnixAttr::Vfs(v) => x.vfs = Some(v),
            UnixAttr::Icons(v) => x.icons = Some(v),
            _ => {}
        }
    }
    x.error = error;
    Sock {
        netid: m.socket_type().unix_netid(),
        family: "unix",
        protocol: Some("unix"),
        state: m.state(),
        raw_state: m.raw().udiag_state,
        rq: queues.0,
        wq: queues.1,
        local: Endpoint::Unix {
            name,
            inode: m.inode(),
        },
        peer: Endpoint::Unix {
            name: None,
            inode: peer,
        },
        inode: m.inode(),
        uid,
        cookie: m.cookie(),
        timer: None,
        x,
    }
}

/// `ss`'s queues for families without their own: receive and transmit
/// memory allocated.
fn mem_queues(m: &SkMemInfo<&[u8]>) -> (u32, u32) {
    let (r, w) = m.queues();
    (r.unwrap_or(0), w.unwrap_or(0))
}

/// A packet socket.
pub fn packet<'a>(m: &PacketMsg<'a>) -> Sock<'a> {
    let mut x = Extras::default();
    let (mut ifindex, mut queues, mut uid) = (0, (0, 0), None);
    let mut error = None;
    for attr in parsed(m.attributes(), &mut error) {
        match attr {
            PacketAttr::Info(i) => {
                ifindex = i.index;
                x.packet_info = Some(i);
            }
            PacketAttr::RxRing(r) => x.rx_ring = Some(r),
            PacketAttr::TxRing(r) => x.tx_ring = Some(r),
            PacketAttr::Fanout(f) => x.fanout = Some(f),
            PacketAttr::Filter(f) => x.bpf = Some(f),
            PacketAttr::SkMemInfo(v) => {
                queues = mem_queues(&v);
                x.skmem = Some(v);
            }
            PacketAttr::Uid(v) => uid = Some(v),
            _ => {}
        }
    }
    x.error = error;
    Sock {
        netid: if m.socket_type() == sockdiag::SocketType::Dgram {
            "p_dgr"
        } else {
            "p_raw"
        },
        family: "packet",
        protocol: Some("packet"),
        state: TcpState::Close,
        raw_state: 7,
        rq: queues.0,
        wq: queues.1,
        local: Endpoint::Packet {
            protocol: m.protocol(),
            ifindex,
        },
        peer: Endpoint::Packet {
            protocol: 0,
            ifindex: 0,
        },
        inode: m.inode(),
        uid,
        cookie: m.cookie(),
        timer: None,
        x,
    }
}

/// A netlink socket.
pub fn netlink<'a>(m: &NetlinkMsg<'a>) -> Sock<'a> {
    let mut x = Extras::default();
    let mut queues = (0, 0);
    let mut error = None;
    for attr in parsed(m.attributes(), &mut error) {
        match attr {
            NetlinkAttr::SkMemInfo(v) => {
                queues = mem_queues(&v);
                x.skmem = Some(v);
            }
            NetlinkAttr::Groups(g) => x.groups = Some(g),
            _ => {}
        }
    }
    x.error = error;
    Sock {
        netid: "nl",
        family: "netlink",
        protocol: Some("netlink"),
        state: if m.is_connected() {
            TcpState::Established
        } else {
            TcpState::Close
        },
        raw_state: m.raw().ndiag_state,
        rq: queues.0,
        wq: queues.1,
        local: Endpoint::Netlink {
            protocol: m.protocol(),
            port_id: m.port_id(),
        },
        peer: Endpoint::NetlinkPeer {
            group: m.dst_group(),
            port_id: m.dst_port_id(),
        },
        inode: m.inode(),
        uid: None,
        cookie: m.cookie(),
        timer: None,
        x,
    }
}

pub fn vsock<'a>(m: &VsockMsg<'a>) -> Sock<'a> {
    let shutdown = m.shutdown();
    Sock {
        netid: m.socket_type().vsock_netid(),
        family: "vsock",
        protocol: Some("vsock"),
        state: m.state(),
        raw_state: m.raw().vdiag_state,
        rq: 0,
        wq: 0,
        local: Endpoint::Vsock(m.src()),
        peer: Endpoint::Vsock(m.dst()),
        inode: m.inode(),
        uid: None,
        cookie: m.cookie(),
        timer: None,
        x: Extras {
            shutdown: Some(shutdown),
            ..Extras::default()
        },
    }
}

pub fn xdp<'a>(m: &XdpMsg<'a>) -> Sock<'a> {
    let mut x = Extras::default();
    let mut info = None;
    let mut uid = None;
    let mut error = None;
    for attr in parsed(m.attributes(), &mut error) {
        match attr {
            XdpAttr::Info(i) => info = Some(i),
            XdpAttr::Uid(u) => uid = Some(u),
            XdpAttr::RxRing(r) => x.xdp_rings[0] = Some(r),
            XdpAttr::TxRing(r) => x.xdp_rings[1] = Some(r),
            XdpAttr::FillRing(r) => x.xdp_rings[2] = Some(r),
            XdpAttr::CompletionRing(r) => x.xdp_rings[3] = Some(r),
            XdpAttr::Umem(u) => x.umem = Some(u),
            XdpAttr::Stats(st) => x.xdp_stats = Some(st),
            XdpAttr::SkMemInfo(v) => x.skmem = Some(v),
            _ => {}
        }
    }
    x.error = error;
    // ss: the receive queue is the memory allocated for receiving.
    let rq = x.skmem.and_then(|v| v.get(0)).unwrap_or(0);
    Sock {
        netid: "xdp",
        family: "xdp",
        protocol: Some("xdp"),
        state: TcpState::Close,
        raw_state: 7,
        rq,
        wq: 0,
        local: Endpoint::Xdp(info.filter(|i| i.ifindex != 0)),
        peer: Endpoint::Xdp(None),
        inode: m.inode(),
        uid,
        cookie: m.cookie(),
        timer: None,
        x,
    }
}

/// `r`'s value, or `None` with its error kept if it is the first.
fn first_error<T>(error: &mut Option<ParseError>, r: Result<Option<T>, ParseError>) -> Option<T> {
    r.unwrap_or_else(|e| {
        error.get_or_insert(e);
        None
    })
}

/// ss's Netid of a TIPC socket of type `t`.
pub fn tipc_netid(t: SocketType) -> &'static str {
    match t {
        SocketType::Stream => "ti_st",
        SocketType::Dgram => "ti_dg",
        SocketType::Rdm => "ti_rd",
        SocketType::SeqPacket => "ti_sq",
        _ => "???",
    }
}

/// A TIPC socket: every field from its own attribute (the first that
/// does not parse is the view's error).
pub fn tipc<'a>(m: &TipcMsg<'a>) -> Sock<'a> {
    let mut x = Extras::default();
    let mut error = None;
    let socket_type = first_error(&mut error, m.socket_type());
    let state = first_error(&mut error, m.state());
    let node = first_error(&mut error, m.node());
    let port_id = first_error(&mut error, m.port_id());
    let inode = first_error(&mut error, m.inode());
    let uid = first_error(&mut error, m.uid());
    let cookie = first_error(&mut error, m.cookie());
    let stats = first_error(&mut error, m.stats());
    let con = first_error(&mut error, m.connection());
    match m.has_publication() {
        Ok(p) => x.tipc_published = p,
        Err(e) => {
            error.get_or_insert(e);
        }
    }
    x.tipc_stats = stats;
    x.tipc_service = con.and_then(|c| c.service);
    x.tipc_type = socket_type;
    x.error = error;
    let netid = tipc_netid(socket_type.unwrap_or(SocketType::Unknown(0)));
    let state = state.unwrap_or(TcpState::Unknown(0));
    Sock {
        netid,
        family: "tipc",
        protocol: Some("tipc"),
        state,
        raw_state: state.to_raw(),
        rq: stats.map_or(0, |s| s.rcvq),
        wq: stats.map_or(0, |s| s.sendq),
        local: Endpoint::Tipc(Some((node.unwrap_or(0), port_id.unwrap_or(0)))),
        peer: Endpoint::Tipc(con.map(|c| (c.node, c.port_id))),
        inode: inode.unwrap_or(0),
        uid,
        cookie: cookie.unwrap_or(0),
        timer: None,
        x,
    }
}

/// An SMC socket. Its state is filtered as the TCP state it resembles
/// (ACTIVE as ESTABLISHED, INIT as SYN-SENT, LISTEN, CLOSED as CLOSE, the
/// closing states as CLOSE-WAIT); `raw_state` keeps the SMC state.
pub fn smc<'a>(m: &SmcMsg<'a>) -> Sock<'a> {
    let mut x = Extras::default();
    let mut error = None;
    for attr in parsed(m.attributes(), &mut error) {
        if let SmcAttr::Fallback(f) = attr {
            x.smc_fallback = Some(f);
        }
    }
    x.error = error;
    x.shutdown = Some(m.shutdown());
    x.smc_mode = Some(m.mode().name());
    let state = m.state().as_tcp();
    Sock {
        netid: "smc",
        family: "smc",
        protocol: Some("smc"),
        state,
        raw_state: m.raw().diag_state,
        rq: 0,
        wq: 0,
        local: Endpoint::Smc {
            addr: m.src(),
            port: m.src_port(),
        },
        peer: Endpoint::Smc {
            addr: m.dst(),
            port: m.dst_port(),
        },
        // The reply's inode is 64 bits; every inode the kernel hands out
        // for a socket fits 32.
        inode: u32::try_from(m.inode()).unwrap_or(u32::MAX),
        uid: Some(m.uid()),
        cookie: m.cookie(),
        timer: None,
        x,
    }
}

/// A RAW socket read from `/proc/net/raw` or `raw6` (what `ss` reads when
/// the kernel has no `raw_diag`).
pub fn proc_raw<'a>(p: &sockdiag::files::ProcSocket<'a>) -> Sock<'a> {
    let x = Extras {
        // ss's `opt`: what follows the reference count and the pointer.
        proc_opt: Some(after_words(p.rest, 2)),
        ..Extras::default()
    };
    let ip = |a: std::net::SocketAddr| Endpoint::Ip {
        addr: a.ip(),
        port: a.port(),
        ifindex: 0,
    };
    Sock {
        netid: "raw",
        family: if p.local.is_ipv6() { "inet6" } else { "inet" },
        protocol: Some("raw"),
        state: TcpState::from_raw(p.state),
        raw_state: p.state,
        rq: p.rx_queue,
        wq: p.tx_queue,
        local: ip(p.local),
        peer: ip(p.remote),
        inode: p.inode,
        uid: Some(p.uid),
        cookie: 0,
        timer: None,
        x,
    }
}

/// `text` after its first `n` blank-separated words and the blanks after
/// them.
fn after_words(text: &str, n: usize) -> &str {
    let mut rest = text.trim_start();
    for _ in 0..n {
        let end = rest
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(rest.len());
        rest = rest.get(end..).unwrap_or_default().trim_start();
    }
    rest
}

/// A TCP socket between ports of 127.0.0.1, for unit tests.
#[cfg(test)]
pub fn tcp_for_tests(state: TcpState, port: u16, peer: u16) -> Sock<'static> {
    let end = |port| Endpoint::Ip {
        addr: IpAddr::from([127, 0, 0, 1]),
        port,
        ifindex: 0,
    };
    Sock {
        netid: "tcp",
        family: "inet",
        protocol: Some("tcp"),
        state,
        raw_state: state.to_raw(),
        rq: 0,
        wq: 0,
        local: end(port),
        peer: end(peer),
        inode: 0,
        uid: None,
        cookie: 0,
        timer: None,
        x: Extras::default(),
    }
}
