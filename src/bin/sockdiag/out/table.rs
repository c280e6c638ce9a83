//! `ss`'s aligned table and its detail text (`-i -m -e -o -p --tos`).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;
use std::time::Duration;

use sockdiag::inet::{TcpInfo, TcpiOptions, Timer};

use super::fmt::{column, kms, kv, ms, ms_timer, rate, timer_name, Num, StackStr};
use super::{Context, IfNames, Sink};
use crate::view::{ss_state, Endpoint, Sock};

/// `ss`'s local or peer column text.
pub(super) fn endpoint(
    out: &mut StackStr,
    e: &Endpoint<'_>,
    v6only: bool,
    names: &mut IfNames,
    local: bool,
) {
    let _ = match *e {
        Endpoint::Ip {
            addr,
            port,
            ifindex,
        } => {
            match addr {
                IpAddr::V4(a) => out.push_ipv4(a.octets()),
                IpAddr::V6(a) if a.is_unspecified() && !v6only => out.push(b"*"),
                IpAddr::V6(a) => {
                    let _ = write!(out, "[{a}]");
                }
            }
            if ifindex != 0 {
                out.push(b"%");
                out.push(names.get(ifindex).as_bytes());
            }
            if port == 0 {
                out.push(b":*");
            } else {
                out.push(b":");
                out.push_num(port.into());
            }
            Ok(())
        }
        Endpoint::Unix { name, inode } => match name {
            Some(n) if local => write!(out, "{n} {inode}"),
            _ => write!(out, "* {inode}"),
        },
        Endpoint::Packet { protocol, ifindex } if local => {
            let _ = write!(out, "[{protocol}]:");
            match ifindex {
                0 => out.write_str("*"),
                i => out.write_str(names.get(i)),
            }
        }
        Endpoint::Packet { .. } => out.write_str("*"),
        Endpoint::Netlink { protocol, port_id } => write!(out, "{protocol}:{port_id}"),
        Endpoint::NetlinkPeer { group, port_id } => match (group, port_id) {
            (0, 0) => out.write_str("*"),
            (0, port) => write!(out, "{port}"),
            (group, _) => write!(out, "{group}"),
        },
    };
}

/// `ss -i`'s line for a TCP socket.
fn tcp_info_text(w: &mut impl Write, s: &Sock<'_>, i: &TcpInfo<&[u8]>) -> io::Result<()> {
    if let Some(cong) = s.x.cong {
        w.write_all(b" ")?;
        w.write_all(cong.as_bytes())?;
    }
    if i.options().is_some_and(|o| o.contains(TcpiOptions::WSCALE)) {
        if let (Some(snd), Some(rcv)) = (i.snd_wscale(), i.rcv_wscale()) {
            kv(w, "wscale", snd.into())?;
            w.write_all(b",")?;
            w.write_all(Num::new(rcv.into()).as_bytes())?;
        }
    }
    if let Some(rto) = i.rto().filter(|&r| r != 0 && r != 3_000_000) {
        kms(w, "rto", rto)?;
    }
    if let Some(b) = i.backoff().filter(|&b| b != 0) {
        kv(w, "backoff", b.into())?;
    }
    if let (Some(rtt), Some(var)) = (i.rtt(), i.rttvar()) {
        if rtt != 0 {
            kms(w, "rtt", rtt)?;
            w.write_all(b"/")?;
            ms(w, var)?;
        }
    }
    if let Some(ato) = i.ato().filter(|&a| a != 0) {
        kms(w, "ato", ato)?;
    }
    let pairs: [(&str, Option<u64>); 5] = [
        ("mss", i.snd_mss().map(u64::from)),
        ("pmtu", i.pmtu().map(u64::from)),
        ("rcvmss", i.rcv_mss().map(u64::from)),
        ("advmss", i.advmss().map(u64::from)),
        ("cwnd", i.snd_cwnd().map(u64::from)),
    ];
    for (name, v) in pairs {
        if let Some(v) = v.filter(|&v| v != 0) {
            kv(w, name, v)?;
        }
    }
    if let Some(t) = i.snd_ssthresh().filter(|&t| t < 0xffff) {
        kv(w, "ssthresh", t.into())?;
    }
    let counters: [(&str, Option<u64>); 8] = [
        ("bytes_sent", i.bytes_sent()),
        ("bytes_retrans", i.bytes_retrans()),
        ("bytes_acked", i.bytes_acked()),
        ("bytes_received", i.bytes_received()),
        ("segs_out", i.segs_out().map(u64::from)),
        ("segs_in", i.segs_in().map(u64::from)),
        ("data_segs_out", i.data_segs_out().map(u64::from)),
        ("data_segs_in", i.data_segs_in().map(u64::from)),
    ];
    for (name, v) in counters {
        if let Some(v) = v.filter(|&v| v != 0) {
            kv(w, name, v)?;
        }
    }
    let last: [(&str, Option<u32>); 3] = [
        ("lastsnd", i.last_data_sent()),
        ("lastrcv", i.last_data_recv()),
        ("lastack", i.last_ack_recv()),
    ];
    for (name, v) in last {
        if let Some(v) = v.filter(|&v| v != 0) {
            kv(w, name, v.into())?;
        }
    }
    if let Some(r) = i.pacing_rate().filter(|&r| r != 0 && r != u64::MAX) {
        rate(w, "pacing_rate", r.saturating_mul(8))?;
    }
    if let Some(r) = i.delivery_rate().filter(|&r| r != 0) {
        rate(w, "delivery_rate", r.saturating_mul(8))?;
    }
    if let Some(d) = i.delivered().filter(|&d| d != 0) {
        kv(w, "delivered", d.into())?;
    }
    if i.delivery_rate_app_limited() == Some(true) {
        w.write_all(b" app_limited")?;
    }
    if let Some(u) = i.unacked().filter(|&u| u != 0) {
        kv(w, "unacked", u.into())?;
    }
    if let (Some(r), Some(t)) = (i.retrans(), i.total_retrans()) {
        if r != 0 || t != 0 {
            kv(w, "retrans", r.into())?;
            w.write_all(b"/")?;
            w.write_all(Num::new(t.into()).as_bytes())?;
        }
    }
    if let Some(l) = i.lost().filter(|&l| l != 0) {
        kv(w, "lost", l.into())?;
    }
    if let Some(r) = i.rcv_rtt().filter(|&r| r != 0) {
        kms(w, "rcv_rtt", r)?;
    }
    let tail: [(&str, Option<u32>); 3] = [
        ("rcv_space", i.rcv_space()),
        ("rcv_ssthresh", i.rcv_ssthresh()),
        ("notsent", i.notsent_bytes()),
    ];
    for (name, v) in tail {
        if let Some(v) = v.filter(|&v| v != 0) {
            kv(w, name, v.into())?;
        }
    }
    if let Some(m) = i.min_rtt().filter(|&m| m != 0 && m != u32::MAX) {
        kms(w, "minrtt", m)?;
    }
    for (name, v) in [("snd_wnd", i.snd_wnd()), ("rcv_wnd", i.rcv_wnd())] {
        if let Some(v) = v.filter(|&v| v != 0) {
            kv(w, name, v.into())?;
        }
    }
    Ok(())
}

/// `skmem:(r0,rb...,d0)`.
fn skmem_text(w: &mut impl Write, s: &Sock<'_>) -> io::Result<()> {
    let Some(m) = s.x.skmem else { return Ok(()) };
    let v = |i| m.get(i).unwrap_or(0);
    write!(
        w,
        " skmem:(r{},rb{},t{},tb{},f{},w{},o{}",
        v(0),
        v(1),
        v(2),
        v(3),
        v(4),
        v(5),
        v(6)
    )?;
    if m.len() > 7 {
        write!(w, ",bl{}", v(7))?;
    }
    if m.len() > 8 {
        write!(w, ",d{}", v(8))?;
    }
    write!(w, ")")
}

/// `ss`'s aligned table.
pub struct TableOut<W: Write> {
    pub out: W,
    pub netid: bool,
    pub state: bool,
    /// The header is still to be written (before the first row, or at
    /// the end of a successful empty listing; never before an error).
    pub header: bool,
    pub cx: Context,
    /// Buffers reused row after row.
    pub scratch: Scratch,
}

/// A table's per-row buffers, kept between rows: a row is assembled in
/// `row` (inlined copies, no per-field call into the writer) and written
/// with one call; after the first rows nothing grows.
#[derive(Default)]
pub struct Scratch {
    local: StackStr,
    peer: StackStr,
    row: Vec<u8>,
}

impl<W: Write> TableOut<W> {
    fn header(&mut self) -> io::Result<()> {
        if !std::mem::take(&mut self.header) {
            return Ok(());
        }
        if self.netid {
            write!(self.out, "{:<5} ", "Netid")?;
        }
        if self.state {
            write!(self.out, "{:<10} ", "State")?;
        }
        write!(
            self.out,
            "{:<6} {:<6} {:<28} Peer Address:Port",
            "Recv-Q", "Send-Q", "Local Address:Port"
        )?;
        if self.cx.show.procs {
            write!(self.out, " Process")?;
        }
        writeln!(self.out)
    }

    /// The columns and `-p -o -e --tos -m` text, without the newline.
    pub fn line(&mut self, s: &Sock<'_>) -> io::Result<()> {
        let mut row = std::mem::take(&mut self.scratch.row);
        row.clear();
        self.columns(&mut row, s)?;
        let written = self.out.write_all(&row);
        self.scratch.row = row;
        written
    }

    /// [`line`](Self::line)'s text, into `w`.
    fn columns(&mut self, w: &mut Vec<u8>, s: &Sock<'_>) -> io::Result<()> {
        let v6only = s.x.v6only.unwrap_or(false);
        let Scratch { local, peer, .. } = &mut self.scratch;
        local.clear();
        peer.clear();
        endpoint(local, &s.local, v6only, &mut self.cx.ifnames, true);
        endpoint(peer, &s.peer, v6only, &mut self.cx.ifnames, false);
        if self.netid {
            column(w, s.netid.as_bytes(), 5)?;
        }
        if self.state {
            column(w, ss_state(s.state).as_bytes(), 10)?;
        }
        column(w, Num::new(s.rq.into()).as_bytes(), 6)?;
        column(w, Num::new(s.wq.into()).as_bytes(), 6)?;
        column(w, local.as_bytes(), 28)?;
        w.write_all(peer.as_bytes())?;
        let show = self.cx.show;
        if show.procs {
            if let Some(map) = &self.cx.procs {
                let owners = map.owners(s.inode);
                if s.inode != 0 && !owners.is_empty() {
                    write!(w, " users:(")?;
                    for (n, o) in owners.iter().enumerate() {
                        let comm = map.command(o.pid).unwrap_or("");
                        let sep = if n == 0 { "" } else { "," };
                        write!(w, "{sep}(\"{comm}\",pid={},fd={})", o.pid, o.fd)?;
                    }
                    write!(w, ")")?;
                }
            }
        }
        if show.timers {
            if let Some((t, expires, retrans)) = s.timer.filter(|t| t.0 != Timer::None) {
                let mut text = StackStr::new();
                let _ = ms_timer(&mut text, expires);
                write!(w, " timer:({},{},{retrans})", timer_name(t), text.as_str())?;
            }
        }
        if show.ext {
            if let Some(uid) = s.uid {
                write!(w, " uid:{uid}")?;
            }
            write!(w, " ino:{} sk:{:x}", s.inode, s.cookie)?;
            if let Some(m) = s.x.mark.filter(|&m| m != 0) {
                write!(w, " fwmark:{m:#x}")?;
            }
            if let Some(c) = s.x.cgroup_id {
                write!(w, " cgroup_id:{c}")?;
            }
            if let Some(v) = s.x.v6only {
                write!(w, " v6only:{}", u8::from(v))?;
            }
        }
        if show.tos {
            if let Some(t) = s.x.tos {
                write!(w, " tos:{t:#x}")?;
            }
            if let Some(t) = s.x.tclass {
                write!(w, " tclass:{t:#x}")?;
            }
            if let Some(c) = s.x.class_id {
                write!(w, " class_id:{c:#x}")?;
            }
        }
        if show.mem {
            skmem_text(w, s)?;
        }
        Ok(())
    }
}

impl<W: Write> Sink for TableOut<W> {
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        self.header()?;
        let mut row = std::mem::take(&mut self.scratch.row);
        row.clear();
        self.columns(&mut row, s)?;
        if self.cx.show.info {
            if let Some(i) = s.x.tcp_info {
                row.extend_from_slice(b"\n\t");
                tcp_info_text(&mut row, s, &i)?;
            }
        }
        row.push(b'\n');
        let written = self.out.write_all(&row);
        self.scratch.row = row;
        written
    }

    fn finish(&mut self, _elapsed: Duration) -> io::Result<()> {
        self.header()?;
        self.out.flush()
    }
}
