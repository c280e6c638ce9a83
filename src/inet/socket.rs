//! Owned counterparts of [`InetMsg`], for snapshots and the compat API.

use std::net::{IpAddr, SocketAddr};

use super::msg::fast_hash;
use super::{Attributes, Family, InetMsg, Protocol, TcpState, Timer};

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
/// a view with `Socket::from(msg)`. This copies; the views do not.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Socket {
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

impl From<InetMsg<'_>> for Socket {
    fn from(m: InetMsg<'_>) -> Self {
        Socket {
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
