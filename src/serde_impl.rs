//! `serde::Serialize` for the owned socket types of every family and their
//! parts (the `serde` feature).
//!
//! The keys are the CLI's `--json` keys (`tests/fixtures.rs` checks that the
//! two agree on every captured socket), so a program's output and
//! `sockdiag --json` can be read by one consumer. What the kernel did not
//! send is left out, never written as zero: a `tcp_info` from an older
//! kernel has fewer keys. Addresses are strings, flags their raw numbers.

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::inet::{
    BbrInfo, DctcpInfo, Family, InetSocket, MemInfo, MptcpInfo, SctpInfo, SocketId, TcpInfo,
    VegasInfo,
};
use crate::netlink_diag::NetlinkSocket;
use crate::packet::{PacketInfo, PacketSocket};
use crate::smc::SmcSocket;
use crate::tipc::TipcSocket;
use crate::unix::{UnixSocket, UnixVfs};
use crate::vsock::VsockSocket;
use crate::xdp::{XdpSocket, XdpStats, XdpUmem};
use crate::SkMemInfo;

/// A map of the fields the kernel sent: `(name, value)` pairs.
fn fields<S, K, V>(s: S, pairs: impl Iterator<Item = (K, V)>) -> Result<S::Ok, S::Error>
where
    S: Serializer,
    K: Serialize,
    V: Serialize,
{
    let mut map = s.serialize_map(None)?;
    for (k, v) in pairs {
        map.serialize_entry(&k, &v)?;
    }
    map.end()
}

/// Items written with their `Display` form: addresses, names.
struct Displayed<'a, T>(&'a [T]);

impl<T: core::fmt::Display> Serialize for Displayed<'_, T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for item in self.0 {
            seq.serialize_element(&format_args!("{item}"))?;
        }
        seq.end()
    }
}

macro_rules! growing_serialize {
    ($($view:ident),*) => {$(
        /// The fields the kernel sent, by [`name`](crate::inet::TcpField::name).
        impl<B: AsRef<[u8]>> Serialize for $view<B> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                fields(s, self.fields().filter_map(|(f, v)| Some((f.name(), v?))))
            }
        }
    )*};
}
growing_serialize!(TcpInfo, SctpInfo, MptcpInfo);

/// `rmem_alloc`, `rcvbuf`, ... (the values the kernel sent).
impl<B: AsRef<[u8]>> Serialize for SkMemInfo<B> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fields(s, self.fields())
    }
}

/// `rmem`, `wmem`, `fmem`, `tmem`.
impl Serialize for MemInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = [
            ("rmem", self.rmem),
            ("wmem", self.wmem),
            ("fmem", self.fmem),
            ("tmem", self.tmem),
        ];
        fields(s, f.into_iter())
    }
}

/// `bw` (bytes per second), `min_rtt` (µs), `pacing_gain`, `cwnd_gain`.
impl Serialize for BbrInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(4))?;
        map.serialize_entry("bw", &self.bandwidth)?;
        map.serialize_entry("min_rtt", &self.min_rtt_us)?;
        map.serialize_entry("pacing_gain", &self.pacing_gain)?;
        map.serialize_entry("cwnd_gain", &self.cwnd_gain)?;
        map.end()
    }
}

/// `enabled`, `rtt_count`, `rtt` (µs), `min_rtt` (µs).
impl Serialize for VegasInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = [
            ("enabled", self.enabled),
            ("rtt_count", self.rtt_count),
            ("rtt", self.rtt_us),
            ("min_rtt", self.min_rtt_us),
        ];
        fields(s, f.into_iter())
    }
}

/// `enabled`, `ce_state`, `alpha`, `ab_ecn`, `ab_tot`.
impl Serialize for DctcpInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = [
            ("enabled", u32::from(self.enabled)),
            ("ce_state", u32::from(self.ce_state)),
            ("alpha", self.alpha),
            ("ab_ecn", self.ab_ecn),
            ("ab_tot", self.ab_tot),
        ];
        fields(s, f.into_iter())
    }
}

/// `src`, `sport`, `dst`, `dport`, `interface`, `cookie`: the keys of the
/// socket objects.
impl Serialize for SocketId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("src", &self.src.ip())?;
        map.serialize_entry("sport", &self.src.port())?;
        map.serialize_entry("dst", &self.dst.ip())?;
        map.serialize_entry("dport", &self.dst.port())?;
        map.serialize_entry("interface", &self.interface)?;
        map.serialize_entry("cookie", &self.cookie)?;
        map.end()
    }
}

/// Writes `key: value` if the value is there.
fn opt<M: SerializeMap, T: Serialize>(
    map: &mut M,
    key: &str,
    v: &Option<T>,
) -> Result<(), M::Error> {
    match v {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
    }
}

/// The attributes that did not parse, as their messages (only when some
/// did not).
fn errors<M: SerializeMap>(map: &mut M, errors: &[crate::ParseError]) -> Result<(), M::Error> {
    if errors.is_empty() {
        return Ok(());
    }
    map.serialize_entry("errors", &Displayed(errors))
}

/// The CLI's keys for an inet socket (`family` is `inet` or `inet6`,
/// `state` the kernel's name, `timer` as `ss -o` names it), then every
/// attribute the kernel sent.
impl Serialize for InetSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry(
            "family",
            match self.family {
                Family::Inet => "inet",
                Family::Inet6 => "inet6",
            },
        )?;
        map.serialize_entry("protocol", &self.protocol.map(|p| p.name()))?;
        map.serialize_entry("state", self.state.name())?;
        map.serialize_entry("src", &self.src.ip())?;
        map.serialize_entry("sport", &self.src.port())?;
        map.serialize_entry("dst", &self.dst.ip())?;
        map.serialize_entry("dport", &self.dst.port())?;
        map.serialize_entry("interface", &self.interface)?;
        map.serialize_entry("rqueue", &self.rqueue)?;
        map.serialize_entry("wqueue", &self.wqueue)?;
        map.serialize_entry("inode", &self.inode)?;
        map.serialize_entry("uid", &self.uid)?;
        map.serialize_entry("cookie", &self.cookie)?;
        map.serialize_entry("timer", self.timer.name())?;
        map.serialize_entry("expires_ms", &self.expires_ms)?;
        map.serialize_entry("retrans", &self.retrans)?;
        opt(&mut map, "mark", &self.mark)?;
        opt(&mut map, "cgroup_id", &self.cgroup_id)?;
        opt(&mut map, "v6only", &self.v6only)?;
        opt(&mut map, "shutdown", &self.shutdown.map(|s| s.bits()))?;
        opt(&mut map, "tos", &self.tos)?;
        opt(&mut map, "tclass", &self.tclass)?;
        opt(&mut map, "class_id", &self.class_id)?;
        opt(&mut map, "skmem", &self.skmeminfo)?;
        opt(&mut map, "cong", &self.cong)?;
        opt(&mut map, "tcp_info", &self.tcp_info)?;
        opt(&mut map, "bbr", &self.bbr)?;
        opt(&mut map, "sctp_info", &self.sctp_info)?;
        opt(&mut map, "mptcp_info", &self.mptcp_info)?;
        opt(&mut map, "meminfo", &self.meminfo)?;
        opt(&mut map, "vegas", &self.vegas)?;
        opt(&mut map, "dctcp", &self.dctcp)?;
        opt(&mut map, "ip_protocol", &self.ip_protocol)?;
        opt(&mut map, "sockopt", &self.sockopt.map(|o| o.bits()))?;
        opt(&mut map, "ulp", &self.ulp.as_ref().map(|u| u.name()))?;
        if let Some(a) = &self.locals {
            map.serialize_entry("locals", &Displayed(a))?;
        }
        if let Some(a) = &self.peers {
            map.serialize_entry("peers", &Displayed(a))?;
        }
        // The keys themselves are secrets: their peers only.
        if let Some(keys) = &self.md5sig {
            let peers: Vec<_> = keys.iter().map(|k| k.addr).collect();
            map.serialize_entry("md5sig", &Displayed(&peers))?;
        }
        errors(&mut map, &self.errors)?;
        map.end()
    }
}

/// `inode`, `major`, `minor`.
impl Serialize for UnixVfs {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = [
            ("inode", self.inode),
            ("major", self.major()),
            ("minor", self.minor()),
        ];
        fields(s, f.into_iter())
    }
}

/// The CLI's keys for a unix socket: `src` is the name as `ss` prints it
/// (`@` for an abstract one; `null` for an unnamed socket), `peer_inode`,
/// the queues from `UNIX_DIAG_RQLEN`.
impl Serialize for UnixSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("family", "unix")?;
        map.serialize_entry("protocol", "unix")?;
        map.serialize_entry("socket_type", self.socket_type.name())?;
        map.serialize_entry("state", self.state.name())?;
        map.serialize_entry("src", &self.name.as_ref().map(|n| format!("{n}")))?;
        opt(&mut map, "peer_inode", &self.peer)?;
        opt(&mut map, "rqueue", &self.rqlen.map(|q| q.rqueue))?;
        opt(&mut map, "wqueue", &self.rqlen.map(|q| q.wqueue))?;
        map.serialize_entry("inode", &self.inode)?;
        opt(&mut map, "uid", &self.uid)?;
        map.serialize_entry("cookie", &self.cookie)?;
        opt(&mut map, "shutdown", &self.shutdown.map(|s| s.bits()))?;
        opt(&mut map, "skmem", &self.skmeminfo)?;
        opt(&mut map, "vfs", &self.vfs)?;
        opt(&mut map, "icons", &self.icons)?;
        errors(&mut map, &self.errors)?;
        map.end()
    }
}

/// `interface`, `version`, `reserve`, `copy_thresh`, `tstamp`, `flags`.
impl Serialize for PacketInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = [
            ("interface", self.index),
            ("version", self.version),
            ("reserve", self.reserve),
            ("copy_thresh", self.copy_thresh),
            ("tstamp", self.tstamp),
            ("flags", self.flags.bits()),
        ];
        fields(s, f.into_iter())
    }
}

/// The queues as the CLI (and `ss`) shows them for a packet or netlink
/// socket: receive and transmit memory from the memory counters.
fn mem_queues<M: SerializeMap, B: AsRef<[u8]>>(
    map: &mut M,
    mem: &Option<SkMemInfo<B>>,
) -> Result<(), M::Error> {
    if let Some(m) = mem {
        let (r, w) = m.queues();
        opt(map, "rqueue", &r)?;
        opt(map, "wqueue", &w)?;
    }
    Ok(())
}

/// The CLI's keys for a packet socket: `ethertype` (host order),
/// `interface` from `PACKET_DIAG_INFO`.
impl Serialize for PacketSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("family", "packet")?;
        map.serialize_entry("protocol", "packet")?;
        map.serialize_entry("socket_type", self.socket_type.name())?;
        map.serialize_entry("state", crate::inet::TcpState::Close.name())?;
        map.serialize_entry("ethertype", &self.protocol)?;
        opt(&mut map, "interface", &self.info.map(|i| i.index))?;
        mem_queues(&mut map, &self.skmeminfo)?;
        map.serialize_entry("inode", &self.inode)?;
        opt(&mut map, "uid", &self.uid)?;
        map.serialize_entry("cookie", &self.cookie)?;
        opt(&mut map, "skmem", &self.skmeminfo)?;
        opt(&mut map, "info", &self.info)?;
        opt(&mut map, "fanout", &self.fanout.map(|f| f.0))?;
        errors(&mut map, &self.errors)?;
        map.end()
    }
}

/// The CLI's keys for a netlink socket: `netlink_protocol`, `port_id`,
/// `dst_port_id`, `dst_group`.
impl Serialize for NetlinkSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("family", "netlink")?;
        map.serialize_entry("protocol", "netlink")?;
        map.serialize_entry("socket_type", self.socket_type.name())?;
        let state = if self.connected {
            crate::inet::TcpState::Established
        } else {
            crate::inet::TcpState::Close
        };
        map.serialize_entry("state", state.name())?;
        map.serialize_entry("netlink_protocol", &self.protocol)?;
        map.serialize_entry("port_id", &self.port_id)?;
        map.serialize_entry("dst_port_id", &self.dst_port_id)?;
        map.serialize_entry("dst_group", &self.dst_group)?;
        mem_queues(&mut map, &self.skmeminfo)?;
        map.serialize_entry("inode", &self.inode)?;
        map.serialize_entry("cookie", &self.cookie)?;
        opt(&mut map, "skmem", &self.skmeminfo)?;
        opt(&mut map, "groups", &self.groups)?;
        opt(&mut map, "flags", &self.flags.map(|f| f.bits()))?;
        errors(&mut map, &self.errors)?;
        map.end()
    }
}

impl Serialize for VsockSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("family", "vsock")?;
        map.serialize_entry("protocol", "vsock")?;
        map.serialize_entry("socket_type", self.socket_type.name())?;
        map.serialize_entry("state", self.state.name())?;
        map.serialize_entry("src_cid", &self.src.cid)?;
        map.serialize_entry("src_port", &self.src.port)?;
        map.serialize_entry("dst_cid", &self.dst.cid)?;
        map.serialize_entry("dst_port", &self.dst.port)?;
        map.serialize_entry("inode", &self.inode)?;
        map.serialize_entry("cookie", &self.cookie)?;
        map.serialize_entry("shutdown", &self.shutdown.bits())?;
        map.end()
    }
}

impl Serialize for XdpUmem {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(9))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("size", &self.size)?;
        map.serialize_entry("num_pages", &self.num_pages)?;
        map.serialize_entry("chunk_size", &self.chunk_size)?;
        map.serialize_entry("headroom", &self.headroom)?;
        map.serialize_entry("ifindex", &self.ifindex)?;
        map.serialize_entry("queue_id", &self.queue_id)?;
        map.serialize_entry("flags", &self.flags)?;
        map.serialize_entry("refs", &self.refs)?;
        map.end()
    }
}

impl Serialize for XdpStats {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("rx_dropped", &self.rx_dropped)?;
        map.serialize_entry("rx_invalid", &self.rx_invalid)?;
        map.serialize_entry("rx_full", &self.rx_full)?;
        map.serialize_entry("fill_ring_empty", &self.fill_ring_empty)?;
        map.serialize_entry("tx_invalid", &self.tx_invalid)?;
        map.serialize_entry("tx_ring_empty", &self.tx_ring_empty)?;
        map.end()
    }
}

/// The CLI's keys for an AF_XDP socket (`interface`, `queue_id`, the
/// rings, `umem`, `stats`).
impl Serialize for XdpSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("family", "xdp")?;
        map.serialize_entry("protocol", "xdp")?;
        map.serialize_entry("socket_type", self.socket_type.name())?;
        map.serialize_entry("state", crate::inet::TcpState::Close.name())?;
        let (ifindex, queue) = self.info.map_or((0, 0), |i| (i.ifindex, i.queue_id));
        map.serialize_entry("interface", &ifindex)?;
        map.serialize_entry("queue_id", &queue)?;
        map.serialize_entry("inode", &self.inode)?;
        map.serialize_entry("cookie", &self.cookie)?;
        opt(&mut map, "uid", &self.uid)?;
        opt(&mut map, "rx_ring", &self.rx_ring)?;
        opt(&mut map, "tx_ring", &self.tx_ring)?;
        opt(&mut map, "fill_ring", &self.fill_ring)?;
        opt(&mut map, "completion_ring", &self.completion_ring)?;
        opt(&mut map, "umem", &self.umem)?;
        opt(&mut map, "stats", &self.stats)?;
        opt(&mut map, "skmem", &self.skmeminfo)?;
        errors(&mut map, &self.errors)?;
        map.end()
    }
}

/// The CLI's keys for a TIPC socket (`--tipc --json`).
impl Serialize for TipcSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("family", "tipc")?;
        map.serialize_entry("protocol", "tipc")?;
        opt(&mut map, "socket_type", &self.socket_type.map(|t| t.name()))?;
        opt(&mut map, "state", &self.state.map(|t| t.name()))?;
        opt(&mut map, "node", &self.node)?;
        opt(&mut map, "port_id", &self.port_id)?;
        if let Some(c) = self.connection {
            map.serialize_entry("peer_node", &c.node)?;
            map.serialize_entry("peer_port_id", &c.port_id)?;
            if let Some((t, i)) = c.service {
                map.serialize_entry("service_type", &t)?;
                map.serialize_entry("service_instance", &i)?;
            }
        }
        map.serialize_entry("has_publication", &self.has_publication)?;
        if let Some(st) = self.stats {
            map.serialize_entry("rqueue", &st.rcvq)?;
            map.serialize_entry("wqueue", &st.sendq)?;
            map.serialize_entry("drops", &st.drops)?;
            map.serialize_entry("link_congested", &st.link_congested)?;
            map.serialize_entry("conn_congested", &st.conn_congested)?;
        }
        opt(&mut map, "inode", &self.inode)?;
        opt(&mut map, "uid", &self.uid)?;
        opt(&mut map, "cookie", &self.cookie)?;
        errors(&mut map, &self.errors)?;
        map.end()
    }
}

/// The CLI's keys for an SMC socket (`-A smc --json`).
impl Serialize for SmcSocket {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("family", "smc")?;
        map.serialize_entry("protocol", "smc")?;
        map.serialize_entry("state", self.state.name())?;
        map.serialize_entry("mode", self.mode.name())?;
        map.serialize_entry("src", &self.src.map(|a| a.to_string()))?;
        map.serialize_entry("sport", &self.src_port)?;
        map.serialize_entry("dst", &self.dst.map(|a| a.to_string()))?;
        map.serialize_entry("dport", &self.dst_port)?;
        map.serialize_entry("interface", &self.interface)?;
        map.serialize_entry("uid", &self.uid)?;
        map.serialize_entry("inode", &self.inode)?;
        map.serialize_entry("cookie", &self.cookie)?;
        map.serialize_entry("shutdown", &self.shutdown.bits())?;
        if let Some(f) = self.fallback {
            map.serialize_entry("fallback_reason", &f.reason)?;
            map.serialize_entry("peer_diagnosis", &f.peer_diagnosis)?;
        }
        if let Some(c) = self.conninfo {
            map.serialize_entry("token", &c.token)?;
            map.serialize_entry("sndbuf_size", &c.sndbuf_size)?;
            map.serialize_entry("rmbe_size", &c.rmbe_size)?;
            map.serialize_entry("peer_rmbe_size", &c.peer_rmbe_size)?;
        }
        errors(&mut map, &self.errors)?;
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use crate::inet::{TcpField, TcpInfo};

    /// The keys of the CLI's `--vsock --json` objects (checked against
    /// the kernel by the live test `vsock_sockets_over_the_loopback_transport`).
    #[test]
    fn vsock_sockets_have_the_cli_keys() {
        use crate::inet::TcpState;
        use crate::vsock::{VsockAddr, VsockSocket};
        use crate::{Shutdown, SocketType};
        let v = VsockSocket {
            socket_type: SocketType::Stream,
            state: TcpState::Listen,
            shutdown: Shutdown::empty(),
            src: VsockAddr {
                cid: u32::MAX,
                port: 5000,
            },
            dst: VsockAddr {
                cid: u32::MAX,
                port: u32::MAX,
            },
            inode: 7,
            cookie: 9,
        };
        let j = serde_json::to_value(v).unwrap();
        assert_eq!(j["family"], "vsock");
        assert_eq!(j["state"], "LISTEN");
        assert_eq!(j["src_cid"], u64::from(u32::MAX));
        assert_eq!(
            (j["src_port"].as_u64(), j["inode"].as_u64()),
            (Some(5000), Some(7))
        );
        assert_eq!(j["dst_port"], u64::from(u32::MAX));
        assert_eq!(j["cookie"], 9);
    }

    /// The keys of the CLI's `--tipc --json` objects (checked against
    /// the kernel by the live test `tipc_sockets_by_service_and_port`).
    #[test]
    fn tipc_sockets_have_the_cli_keys() {
        use crate::inet::TcpState;
        use crate::tipc::{TipcConnection, TipcSocket, TipcStats};
        use crate::SocketType;
        let t = TipcSocket {
            socket_type: Some(SocketType::Stream),
            state: Some(TcpState::Established),
            node: Some(0x1001),
            port_id: Some(555),
            connection: Some(TipcConnection {
                node: 0x1002,
                port_id: 777,
                service: Some((18889, 1)),
            }),
            has_publication: false,
            stats: Some(TipcStats {
                rcvq: 1,
                drops: 2,
                conn_congested: true,
                ..TipcStats::default()
            }),
            group: None,
            inode: Some(91),
            uid: Some(0),
            cookie: Some(9),
            errors: Vec::new(),
        };
        let j = serde_json::to_value(t).unwrap();
        assert_eq!(
            (&j["family"], &j["state"]),
            (&"tipc".into(), &"ESTABLISHED".into())
        );
        assert_eq!((&j["node"], &j["port_id"]), (&0x1001.into(), &555.into()));
        assert_eq!(
            (&j["peer_node"], &j["peer_port_id"]),
            (&0x1002.into(), &777.into())
        );
        assert_eq!(
            (&j["service_type"], &j["service_instance"]),
            (&18889.into(), &1.into())
        );
        assert_eq!((&j["rqueue"], &j["drops"]), (&1.into(), &2.into()));
        assert_eq!(
            (&j["conn_congested"], &j["has_publication"]),
            (&true.into(), &false.into())
        );
        assert_eq!((&j["inode"], &j["cookie"]), (&91.into(), &9.into()));
    }

    /// An older kernel's shorter struct gives fewer keys, never zeros.
    #[test]
    fn a_shorter_tcp_info_has_fewer_keys() {
        let old = serde_json::to_value(TcpInfo::new(&[0u8; 104][..])).unwrap();
        let new = serde_json::to_value(TcpInfo::new(&[0u8; 280][..])).unwrap();
        let (old, new) = (old.as_object().unwrap(), new.as_object().unwrap());
        assert!(old.contains_key("total_retrans") && !old.contains_key("pacing_rate"));
        assert!(new.contains_key("pacing_rate"));
        let fit = TcpField::ALL.iter().filter(|f| f.span().1 <= 104).count();
        assert_eq!(old.len(), fit);
        assert!(old.len() < new.len());
    }
}
