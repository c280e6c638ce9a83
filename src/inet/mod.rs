//! Inet sockets (TCP, UDP, UDP-Lite, RAW, SCTP, DCCP over IPv4 and IPv6):
//! the request builder, the borrowed [`InetMsg`] view of each reply, and
//! the owned [`InetSocket`] for snapshots.

mod attr;
mod events;
pub mod filter;
pub(crate) mod info;
mod msg;
mod owned;
mod request;

pub use attr::{
    BbrInfo, DctcpInfo, InetAttr, InetAttrs, Md5Key, Md5Keys, MemInfo, MptcpSubflowInfo, SockAddrs,
    SockOpt, TlsInfo, UlpInfo, VegasInfo,
};
pub use events::DestroyEvent;
pub use info::{
    MptcpField, MptcpInfo, SctpField, SctpInfo, TcpField, TcpInfo, TcpiOptions, Unit, UnknownField,
};
pub use msg::InetMsg;
pub use owned::{InetSocket, SocketId};
pub(crate) use request::Destroy;
pub use request::{Filtered, InetRequest, LegacyRequest};

use core::fmt;

use bitflags::bitflags;

use crate::raw::{self, inet_diag as rawinet};

/// Address family of an inet socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// `AF_INET` (IPv4).
    #[doc(alias = "AF_INET")]
    Inet,
    /// `AF_INET6` (IPv6, including dual-stack sockets with v4-mapped addresses).
    #[doc(alias = "AF_INET6")]
    Inet6,
}

impl Family {
    /// The `AF_*` value.
    pub const fn to_raw(self) -> u8 {
        match self {
            Family::Inet => raw::AF_INET,
            Family::Inet6 => raw::AF_INET6,
        }
    }

    /// The family for an `AF_*` value, if it is `AF_INET` or `AF_INET6`.
    pub const fn from_raw(af: u8) -> Option<Self> {
        match af {
            raw::AF_INET => Some(Family::Inet),
            raw::AF_INET6 => Some(Family::Inet6),
            _ => None,
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Family::Inet => "ipv4",
            Family::Inet6 => "ipv6",
        })
    }
}

/// An inet protocol with a sock_diag handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Protocol {
    /// TCP (`tcp_diag`).
    Tcp,
    /// UDP (`udp_diag`).
    Udp,
    /// UDP-Lite (`udp_diag`).
    UdpLite,
    /// Raw IP sockets (`raw_diag`); selected by `IPPROTO_RAW` in the request.
    Raw,
    /// SCTP (`sctp_diag`).
    Sctp,
    /// DCCP (`dccp_diag`; removed from Linux 6.16).
    Dccp,
    /// MPTCP (`mptcp_diag`, Linux 5.9): protocol 262, sent in the
    /// `INET_DIAG_REQ_PROTOCOL` request attribute.
    Mptcp,
}

impl Protocol {
    /// Every protocol.
    pub const ALL: [Protocol; 7] = [
        Protocol::Tcp,
        Protocol::Udp,
        Protocol::UdpLite,
        Protocol::Raw,
        Protocol::Sctp,
        Protocol::Dccp,
        Protocol::Mptcp,
    ];

    /// The `IPPROTO_*` number.
    pub const fn to_raw(self) -> u16 {
        match self {
            Protocol::Tcp => rawinet::IPPROTO_TCP as u16,
            Protocol::Udp => rawinet::IPPROTO_UDP as u16,
            Protocol::UdpLite => rawinet::IPPROTO_UDPLITE as u16,
            Protocol::Raw => rawinet::IPPROTO_RAW as u16,
            Protocol::Sctp => rawinet::IPPROTO_SCTP as u16,
            Protocol::Dccp => rawinet::IPPROTO_DCCP as u16,
            Protocol::Mptcp => crate::raw::mptcp::IPPROTO_MPTCP,
        }
    }

    /// The protocol for an `IPPROTO_*` number, if it is one of these.
    pub const fn from_raw(n: u16) -> Option<Self> {
        Some(match n {
            6 => Protocol::Tcp,
            17 => Protocol::Udp,
            136 => Protocol::UdpLite,
            255 => Protocol::Raw,
            132 => Protocol::Sctp,
            33 => Protocol::Dccp,
            262 => Protocol::Mptcp,
            _ => return None,
        })
    }

    /// Lower-case name as `ss` prints it in its Netid column.
    pub const fn name(self) -> &'static str {
        match self {
            Protocol::Tcp => "tcp",
            Protocol::Udp => "udp",
            Protocol::UdpLite => "udplite",
            Protocol::Raw => "raw",
            Protocol::Sctp => "sctp",
            Protocol::Dccp => "dccp",
            Protocol::Mptcp => "mptcp",
        }
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Socket state (`idiag_state`), in the kernel's `TCP_*` numbering, which
/// every inet protocol reuses (an unconnected UDP socket is
/// [`Close`](TcpState::Close), a connected one
/// [`Established`](TcpState::Established)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TcpState {
    /// 1 `TCP_ESTABLISHED`.
    Established,
    /// 2 `TCP_SYN_SENT`.
    SynSent,
    /// 3 `TCP_SYN_RECV` (also how request sockets are reported).
    SynRecv,
    /// 4 `TCP_FIN_WAIT1`.
    FinWait1,
    /// 5 `TCP_FIN_WAIT2`.
    FinWait2,
    /// 6 `TCP_TIME_WAIT`.
    TimeWait,
    /// 7 `TCP_CLOSE` (unconnected for datagram protocols).
    Close,
    /// 8 `TCP_CLOSE_WAIT`.
    CloseWait,
    /// 9 `TCP_LAST_ACK`.
    LastAck,
    /// 10 `TCP_LISTEN`.
    Listen,
    /// 11 `TCP_CLOSING`.
    Closing,
    /// 12 `TCP_NEW_SYN_RECV` (internal; the kernel reports it as `SynRecv`).
    NewSynRecv,
    /// 13 `TCP_BOUND_INACTIVE` (Linux 6.8; request-only, reported as `Close`).
    BoundInactive,
    /// A value this library does not know.
    Unknown(u8),
}

impl TcpState {
    /// The state for an `idiag_state` value.
    pub const fn from_raw(v: u8) -> Self {
        match v {
            1 => TcpState::Established,
            2 => TcpState::SynSent,
            3 => TcpState::SynRecv,
            4 => TcpState::FinWait1,
            5 => TcpState::FinWait2,
            6 => TcpState::TimeWait,
            7 => TcpState::Close,
            8 => TcpState::CloseWait,
            9 => TcpState::LastAck,
            10 => TcpState::Listen,
            11 => TcpState::Closing,
            12 => TcpState::NewSynRecv,
            13 => TcpState::BoundInactive,
            v => TcpState::Unknown(v),
        }
    }

    /// The `idiag_state` value.
    pub const fn to_raw(self) -> u8 {
        match self {
            TcpState::Established => 1,
            TcpState::SynSent => 2,
            TcpState::SynRecv => 3,
            TcpState::FinWait1 => 4,
            TcpState::FinWait2 => 5,
            TcpState::TimeWait => 6,
            TcpState::Close => 7,
            TcpState::CloseWait => 8,
            TcpState::LastAck => 9,
            TcpState::Listen => 10,
            TcpState::Closing => 11,
            TcpState::NewSynRecv => 12,
            TcpState::BoundInactive => 13,
            TcpState::Unknown(v) => v,
        }
    }

    /// The kernel's name without the `TCP_` prefix (`ESTABLISHED`,
    /// `SYN_SENT`, ...), as gopsutil prints it; `UNKNOWN` for unknown values.
    pub const fn name(self) -> &'static str {
        match self {
            TcpState::Established => "ESTABLISHED",
            TcpState::SynSent => "SYN_SENT",
            TcpState::SynRecv => "SYN_RECV",
            TcpState::FinWait1 => "FIN_WAIT1",
            TcpState::FinWait2 => "FIN_WAIT2",
            TcpState::TimeWait => "TIME_WAIT",
            TcpState::Close => "CLOSE",
            TcpState::CloseWait => "CLOSE_WAIT",
            TcpState::LastAck => "LAST_ACK",
            TcpState::Listen => "LISTEN",
            TcpState::Closing => "CLOSING",
            TcpState::NewSynRecv => "NEW_SYN_RECV",
            TcpState::BoundInactive => "BOUND_INACTIVE",
            TcpState::Unknown(_) => "UNKNOWN",
        }
    }

    /// The request bit that selects this state (`1 << state`); empty for
    /// unknown values outside the 32-bit mask.
    pub const fn mask(self) -> States {
        let v = self.to_raw();
        if v < 32 {
            States::from_bits_retain(1 << v)
        } else {
            States::empty()
        }
    }
}

impl fmt::Display for TcpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TcpState::Unknown(v) => write!(f, "UNKNOWN({v})"),
            s => f.write_str(s.name()),
        }
    }
}

/// The pending timer of a socket (`idiag_timer`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Timer {
    /// 0: no timer pending.
    None,
    /// 1: retransmit, RACK reorder or tail-loss probe (`retrans` counts retransmits).
    Retransmit,
    /// 2: keepalive (`sk_timer`).
    KeepAlive,
    /// 3: TIME_WAIT expiry.
    TimeWait,
    /// 4: zero-window probe (`retrans` counts probes).
    ZeroWindowProbe,
    /// 5: delayed ACK (defined by the kernel, never reported).
    DelayedAck,
    /// A value this library does not know.
    Unknown(u8),
}

impl Timer {
    /// The timer for an `idiag_timer` value.
    pub const fn from_raw(v: u8) -> Self {
        match v {
            0 => Timer::None,
            1 => Timer::Retransmit,
            2 => Timer::KeepAlive,
            3 => Timer::TimeWait,
            4 => Timer::ZeroWindowProbe,
            5 => Timer::DelayedAck,
            v => Timer::Unknown(v),
        }
    }

    /// The `idiag_timer` value.
    pub const fn to_raw(self) -> u8 {
        match self {
            Timer::None => 0,
            Timer::Retransmit => 1,
            Timer::KeepAlive => 2,
            Timer::TimeWait => 3,
            Timer::ZeroWindowProbe => 4,
            Timer::DelayedAck => 5,
            Timer::Unknown(v) => v,
        }
    }

    /// The name `ss -o` prints (`timer:(on,...)`): `off`, `on`
    /// (retransmit), `keepalive`, `timewait`, `persist` (zero-window
    /// probe), and `unknown` for the rest.
    pub const fn name(self) -> &'static str {
        match self {
            Timer::None => "off",
            Timer::Retransmit => "on",
            Timer::KeepAlive => "keepalive",
            Timer::TimeWait => "timewait",
            Timer::ZeroWindowProbe => "persist",
            Timer::DelayedAck | Timer::Unknown(_) => "unknown",
        }
    }
}

impl fmt::Display for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

bitflags! {
    /// State selection of a request (`idiag_states`): bit `s` selects
    /// sockets in state `s`.
    ///
    /// [`States::default()`] selects every state a socket is reported in
    /// except [`BOUND_INACTIVE`](States::BOUND_INACTIVE): that bit makes the
    /// kernel also walk the bind table, which costs 28–35% more on a busy
    /// host, to report TCP sockets that are bound but neither listening nor
    /// connected. Ask for it explicitly when you want those.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct States: u32 {
        /// `TCPF_ESTABLISHED` (also connected UDP).
        const ESTABLISHED = 1 << 1;
        /// `TCPF_SYN_SENT`.
        const SYN_SENT = 1 << 2;
        /// `TCPF_SYN_RECV` (the kernel adds `NEW_SYN_RECV`).
        const SYN_RECV = 1 << 3;
        /// `TCPF_FIN_WAIT1`.
        const FIN_WAIT1 = 1 << 4;
        /// `TCPF_FIN_WAIT2`.
        const FIN_WAIT2 = 1 << 5;
        /// `TCPF_TIME_WAIT`.
        const TIME_WAIT = 1 << 6;
        /// `TCPF_CLOSE` (also unconnected UDP).
        const CLOSE = 1 << 7;
        /// `TCPF_CLOSE_WAIT`.
        const CLOSE_WAIT = 1 << 8;
        /// `TCPF_LAST_ACK`.
        const LAST_ACK = 1 << 9;
        /// `TCPF_LISTEN`.
        const LISTEN = 1 << 10;
        /// `TCPF_CLOSING`.
        const CLOSING = 1 << 11;
        /// `TCPF_NEW_SYN_RECV` (request sockets).
        const NEW_SYN_RECV = 1 << 12;
        /// `TCPF_BOUND_INACTIVE` (Linux 6.8): bound, unconnected TCP
        /// sockets; see the type's documentation for its cost.
        const BOUND_INACTIVE = 1 << 13;
        /// Every state bit 1–12: the default.
        const DEFAULT = 0x1ffe;
        /// Every state but `LISTEN`, `SYN_RECV`, `TIME_WAIT`, `CLOSE`
        /// (what `ss` calls "connected").
        const CONNECTED = Self::DEFAULT.bits()
            & !(Self::LISTEN.bits() | Self::SYN_RECV.bits() | Self::NEW_SYN_RECV.bits()
                | Self::TIME_WAIT.bits() | Self::CLOSE.bits());
    }
}

impl Default for States {
    fn default() -> Self {
        States::DEFAULT
    }
}

bitflags! {
    /// Extension selection of a request (`idiag_ext`): bit `t - 1` asks for
    /// response attribute `t`. Only attributes 1–8 can be requested this
    /// way; some others come with them (DCTCP and BBR info with
    /// `VEGASINFO`, `CLASS_ID` with `TCLASS`) and some always.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct Extensions: u8 {
        /// `INET_DIAG_MEMINFO`.
        const MEMINFO = 1 << (rawinet::INET_DIAG_MEMINFO - 1);
        /// `INET_DIAG_INFO` (`tcp_info` and friends).
        const INFO = 1 << (rawinet::INET_DIAG_INFO - 1);
        /// `INET_DIAG_VEGASINFO` (also DCTCP and BBR info).
        const VEGASINFO = 1 << (rawinet::INET_DIAG_VEGASINFO - 1);
        /// `INET_DIAG_CONG`.
        const CONG = 1 << (rawinet::INET_DIAG_CONG - 1);
        /// `INET_DIAG_TOS`.
        const TOS = 1 << (rawinet::INET_DIAG_TOS - 1);
        /// `INET_DIAG_TCLASS` (also `CLASS_ID`).
        const TCLASS = 1 << (rawinet::INET_DIAG_TCLASS - 1);
        /// `INET_DIAG_SKMEMINFO`.
        const SKMEMINFO = 1 << (rawinet::INET_DIAG_SKMEMINFO - 1);
        /// `INET_DIAG_SHUTDOWN` (sent by current kernels regardless).
        const SHUTDOWN = 1 << (rawinet::INET_DIAG_SHUTDOWN - 1);
    }
}

impl Extensions {
    /// The request bit for response attribute `attr` (`1 << (attr - 1)`),
    /// or `None` for attributes that cannot be requested by bit.
    pub const fn for_attr(attr: u16) -> Option<Self> {
        if attr >= 1 && attr <= 8 {
            Some(Extensions::from_bits_retain(1 << (attr - 1)))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests;
