//! JSON Lines: one object per socket, keys named after the kernel's
//! fields.

use std::io::{self, Write};
use std::time::Duration;

use sockdiag::inet::TcpInfo;

use super::fmt::{JsonStr, Num};
use super::{Context, Sink};
use crate::view::{Endpoint, Sock};

/// JSON Lines: one object per socket, keys named after the kernel's fields.
pub struct JsonOut<W: Write> {
    pub out: W,
    pub cx: Context,
}

/// Writes `"key":{...}` with the `tcp_info` fields the kernel sent.
fn json_tcp_info(w: &mut impl Write, i: &TcpInfo<&[u8]>) -> io::Result<()> {
    write!(w, ",\"tcp_info\":{{")?;
    let mut first = true;
    for (name, v) in i.fields() {
        if let Some(v) = v {
            w.write_all(if first { b"\"" } else { b",\"" })?;
            w.write_all(name.name().as_bytes())?;
            w.write_all(b"\":")?;
            w.write_all(Num::new(v).as_bytes())?;
            first = false;
        }
    }
    write!(w, "}}")
}

impl<W: Write> JsonOut<W> {
    /// The object's members after `{`, without the closing brace.
    pub fn members(&mut self, s: &Sock<'_>) -> io::Result<()> {
        let w = &mut self.out;
        write!(w, "\"netid\":\"{}\",\"family\":\"{}\"", s.netid, s.family)?;
        match s.protocol {
            Some(p) => write!(w, ",\"protocol\":\"{p}\"")?,
            None => write!(w, ",\"protocol\":null")?,
        }
        let state = if s.family == "smc" {
            sockdiag::smc::SmcState::from_raw(s.raw_state).name()
        } else {
            s.state.name()
        };
        write!(w, ",\"state\":\"{state}\"")?;
        if let Some((src, dst, interface)) = s.inet_ends() {
            write!(
                w,
                ",\"src\":\"{}\",\"sport\":{},\"dst\":\"{}\",\"dport\":{},\"interface\":{interface}",
                src.ip(),
                src.port(),
                dst.ip(),
                dst.port()
            )?;
        }
        match (s.local, s.peer) {
            (Endpoint::Unix { name, .. }, Endpoint::Unix { inode: peer, .. }) => {
                match name {
                    Some(n) => write!(w, ",\"src\":{}", JsonStr(n))?,
                    None => write!(w, ",\"src\":null")?,
                }
                write!(w, ",\"peer_inode\":{peer}")?;
            }
            (Endpoint::Vsock(src), Endpoint::Vsock(dst)) => {
                write!(
                    w,
                    ",\"src_cid\":{},\"src_port\":{},\"dst_cid\":{},\"dst_port\":{}",
                    src.cid, src.port, dst.cid, dst.port
                )?;
            }
            (
                Endpoint::Smc { addr, port },
                Endpoint::Smc {
                    addr: dst,
                    port: dport,
                },
            ) => {
                let text = |a: Option<std::net::IpAddr>| match a {
                    Some(a) => format!("\"{a}\""),
                    None => "null".to_owned(),
                };
                write!(
                    w,
                    ",\"src\":{},\"sport\":{port},\"dst\":{},\"dport\":{dport}",
                    text(addr),
                    text(dst)
                )?;
                if let Some(mode) = s.x.smc_mode {
                    write!(w, ",\"mode\":\"{mode}\"")?;
                }
                if let Some(f) = s.x.smc_fallback {
                    write!(
                        w,
                        ",\"fallback_reason\":{},\"peer_diagnosis\":{}",
                        f.reason, f.peer_diagnosis
                    )?;
                }
            }
            (Endpoint::Tipc(local), Endpoint::Tipc(peer)) => {
                let (node, port_id) = local.unwrap_or_default();
                write!(w, ",\"node\":{node},\"port_id\":{port_id}")?;
                match peer {
                    Some((node, port_id)) => {
                        write!(w, ",\"peer_node\":{node},\"peer_port_id\":{port_id}")?
                    }
                    None => write!(w, ",\"peer_node\":null,\"peer_port_id\":null")?,
                }
                match s.x.tipc_service {
                    Some((t, i)) => write!(w, ",\"service_type\":{t},\"service_instance\":{i}")?,
                    None => write!(w, ",\"service_type\":null,\"service_instance\":null")?,
                }
                write!(w, ",\"has_publication\":{}", s.x.tipc_published)?;
                if let Some(st) = s.x.tipc_stats {
                    write!(
                        w,
                        ",\"drops\":{},\"link_congested\":{},\"conn_congested\":{}",
                        st.drops, st.link_congested, st.conn_congested
                    )?;
                }
            }
            (Endpoint::Xdp(info), _) => {
                let (ifindex, queue) = info.map_or((0, 0), |i| (i.ifindex, i.queue_id));
                write!(w, ",\"interface\":{ifindex},\"queue_id\":{queue}")?;
            }
            (Endpoint::Packet { protocol, ifindex }, _) => {
                write!(w, ",\"ethertype\":{protocol},\"interface\":{ifindex}")?;
            }
            (
                Endpoint::Netlink { protocol, port_id },
                Endpoint::NetlinkPeer {
                    group,
                    port_id: dst,
                },
            ) => {
                write!(
                    w,
                    ",\"netlink_protocol\":{protocol},\"port_id\":{port_id},\"dst_port_id\":{dst},\"dst_group\":{group}"
                )?;
            }
            _ => {}
        }
        write!(
            w,
            ",\"rqueue\":{},\"wqueue\":{},\"inode\":{}",
            s.rq, s.wq, s.inode
        )?;
        if let Some(uid) = s.uid {
            write!(w, ",\"uid\":{uid}")?;
        }
        write!(w, ",\"cookie\":{}", s.cookie)?;
        let show = self.cx.show;
        if show.timers {
            if let Some((t, expires, retrans)) = s.timer {
                write!(
                    w,
                    ",\"timer\":\"{}\",\"expires_ms\":{expires},\"retrans\":{retrans}",
                    t.name()
                )?;
            }
        }
        if show.ext {
            if let Some(m) = s.x.mark {
                write!(w, ",\"mark\":{m}")?;
            }
            if let Some(c) = s.x.cgroup_id {
                write!(w, ",\"cgroup_id\":{c}")?;
            }
            if let Some(v) = s.x.v6only {
                write!(w, ",\"v6only\":{v}")?;
            }
            if let Some(sh) = s.x.shutdown {
                write!(w, ",\"shutdown\":{}", sh.bits())?;
            }
            let names = ["rx_ring", "tx_ring", "fill_ring", "completion_ring"];
            for (name, ring) in names.iter().zip(s.x.xdp_rings) {
                if let Some(n) = ring {
                    write!(w, ",\"{name}\":{n}")?;
                }
            }
            if let Some(u) = s.x.umem {
                write!(
                    w,
                    ",\"umem\":{{\"id\":{},\"size\":{},\"num_pages\":{},\"chunk_size\":{},\"headroom\":{},\"ifindex\":{},\"queue_id\":{},\"flags\":{},\"refs\":{}}}",
                    u.id, u.size, u.num_pages, u.chunk_size, u.headroom, u.ifindex, u.queue_id, u.flags, u.refs
                )?;
            }
            if let Some(st) = s.x.xdp_stats {
                write!(
                    w,
                    ",\"stats\":{{\"rx_dropped\":{},\"rx_invalid\":{},\"rx_full\":{},\"fill_ring_empty\":{},\"tx_invalid\":{},\"tx_ring_empty\":{}}}",
                    st.rx_dropped, st.rx_invalid, st.rx_full, st.fill_ring_empty, st.tx_invalid, st.tx_ring_empty
                )?;
            }
        }
        if show.tos {
            if let Some(t) = s.x.tos {
                write!(w, ",\"tos\":{t}")?;
            }
            if let Some(t) = s.x.tclass {
                write!(w, ",\"tclass\":{t}")?;
            }
            if let Some(c) = s.x.class_id {
                write!(w, ",\"class_id\":{c}")?;
            }
        }
        if show.mem {
            if let Some(m) = s.x.skmem {
                write!(w, ",\"skmem\":{{")?;
                for (n, (name, v)) in m.fields().enumerate() {
                    write!(w, "{}\"{name}\":{v}", if n == 0 { "" } else { "," })?;
                }
                write!(w, "}}")?;
            }
        }
        if show.info {
            if let Some(c) = s.x.cong {
                write!(w, ",\"cong\":{}", JsonStr(c))?;
            }
            if let Some(i) = s.x.tcp_info {
                json_tcp_info(w, &i)?;
            }
            if let Some(b) = s.x.bbr {
                write!(
                    w,
                    ",\"bbr\":{{\"bw\":{},\"min_rtt\":{},\"pacing_gain\":{},\"cwnd_gain\":{}}}",
                    b.bandwidth, b.min_rtt_us, b.pacing_gain, b.cwnd_gain
                )?;
            }
        }
        if show.procs {
            if let Some(map) = &self.cx.procs {
                write!(w, ",\"processes\":[")?;
                if s.inode != 0 {
                    for (n, o) in map.owners(s.inode).iter().enumerate() {
                        let comm = map.command(o.pid).unwrap_or("");
                        write!(
                            w,
                            "{}{{\"pid\":{},\"fd\":{},\"comm\":{}}}",
                            if n == 0 { "" } else { "," },
                            o.pid,
                            o.fd,
                            JsonStr(comm)
                        )?;
                    }
                }
                write!(w, "]")?;
            }
        }
        Ok(())
    }
}

impl<W: Write> Sink for JsonOut<W> {
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        write!(self.out, "{{")?;
        self.members(s)?;
        writeln!(self.out, "}}")
    }

    fn finish(&mut self, _elapsed: Duration) -> io::Result<()> {
        self.out.flush()
    }
}
