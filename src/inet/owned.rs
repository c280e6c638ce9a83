//! Owned counterparts of [`InetMsg`], for snapshots and the compat API.

use std::net::{IpAddr, SocketAddr};

use super::msg::fast_hash;
use super::{Attributes, Family, InetMsg, Protocol, TcpState, Timer};
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
/// attribute, decoded.
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
    /// Addresses, ports, interface and cookie.
    pub id: SocketId,
    /// Milliseconds until the timer fires.
    pub expires_ms: u32,
    /// Receive queue.
    pub rqueue: u32,
    /// Send queue.
    pub wqueue: u32,
    /// Owner uid.
    pub uid: u32,
    /// Inode number, or 0.
    pub inode: u32,
    /// The `INET_DIAG_*` attributes.
    pub attributes: Attributes,
}

impl From<InetMsg<'_>> for InetSocket {
    fn from(m: InetMsg<'_>) -> Self {
        InetSocket {
            family: m.family(),
            protocol: m.protocol(),
            state: m.state(),
            timer: m.timer(),
            retrans: m.retrans(),
            id: SocketId {
                src: m.src(),
                dst: m.dst(),
                interface: m.interface(),
                cookie: m.cookie(),
            },
            expires_ms: m.expires_ms(),
            rqueue: m.rqueue(),
            wqueue: m.wqueue(),
            uid: m.uid(),
            inode: m.inode(),
            attributes: Attributes::collect(m.attributes()),
        }
    }
}
