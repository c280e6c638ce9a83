//! `ss`'s text of one socket, column by column, as iproute2 6.1 writes it
//! (`inet_show_sock`, `unix_show_sock`, `packet_show_sock`,
//! `netlink_show_one`, `dgram_show_line` in `misc/ss.c`).

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv6Addr};
use std::ops::RangeInclusive;

use sockdiag::files::{Hosts, Protocols, Services};
use sockdiag::inet::{TcpInfo, TcpState, TcpiOptions, Timer};
use sockdiag::system::CgroupPaths;
use sockdiag::unix::UNIX_NAME_MAX;
use sockdiag::vsock::VsockAddr;
use sockdiag::SocketType;

use super::fmt::{bw, g, g_256, ms_timer, AltHex, Num, StackStr};
use super::row::{Col, Row};
use super::Context;
use crate::view::{ss_state, Endpoint, Sock};

/// What the text needs from the host, looked up once each, lazily.
#[derive(Debug)]
pub struct Names {
    services: Option<Services>,
    protocols: Option<Protocols>,
    hosts: Option<Hosts>,
    cgroups: Option<CgroupPaths>,
    /// `net.ipv4.ip_local_port_range`: ports `ss` never names.
    pub ephemeral: RangeInclusive<u16>,
    /// Command names of netlink port ids (`comm/pid`), by pid.
    comms: Vec<(i32, Option<String>)>,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            services: None,
            protocols: None,
            hosts: None,
            cgroups: None,
            ephemeral: 32768..=60999,
            comms: Vec::new(),
        }
    }
}

impl Names {
    /// With the ephemeral port range of the listed namespace.
    pub fn new(ephemeral: RangeInclusive<u16>) -> Names {
        Names {
            ephemeral,
            ..Names::default()
        }
    }

    fn service(&mut self, port: u16, protocol: &str) -> Option<&str> {
        if self.ephemeral.contains(&port) {
            return None;
        }
        self.services
            .get_or_insert_with(|| sockdiag::system::services().unwrap_or_default())
            .name_of(port, protocol)
    }

    fn protocol(&mut self, number: u8) -> Option<&str> {
        self.protocols
            .get_or_insert_with(|| sockdiag::system::ip_protocols().unwrap_or_default())
            .name_of(number)
    }

    fn host(&mut self, addr: IpAddr) -> Option<&str> {
        self.hosts
            .get_or_insert_with(|| sockdiag::system::hosts().unwrap_or_default())
            .name_of(addr)
    }

    fn cgroup(&mut self, id: u64) -> Option<&str> {
        self.cgroups
            .get_or_insert_with(CgroupPaths::scan)
            .path_of(id)
    }

    /// `comm/pid` of a process, as `ss` names netlink sockets.
    fn comm(&mut self, pid: i32) -> Option<&str> {
        let i = match self.comms.iter().position(|(p, _)| *p == pid) {
            Some(i) => i,
            None => {
                let name = std::fs::read(format!("/proc/{pid}/stat"))
                    .ok()
                    .and_then(|stat| stat_comm(&stat).map(|c| format!("{c}/{pid}")));
                self.comms.push((pid, name));
                self.comms.len() - 1
            }
        };
        self.comms.get(i).and_then(|(_, n)| n.as_deref())
    }
}

/// The command in `/proc/PID/stat` as `ss` reads it (`%*d (%[^)])`):
/// from the `(` to the first `)`.
fn stat_comm(stat: &[u8]) -> Option<String> {
    let open = stat.iter().position(|&b| b == b'(')?;
    let rest = stat.get(open + 1..)?;
    let end = rest.iter().position(|&b| b == b')').unwrap_or(rest.len());
    let name = rest.get(..end)?;
    (!name.is_empty()).then(|| String::from_utf8_lossy(name).into_owned())
}

/// `ss`'s name of an inet protocol (`proto_name`).
fn proto_name(protocol: u8) -> &'static str {
    match protocol {
        0 => "raw",
        17 => "udp",
        6 => "tcp",
        // IPPROTO_MPTCP does not fit a u8; `ss` gets 262 from its request.
        132 => "sctp",
        33 => "dccp",
        58 => "icmp6",
        _ => "???",
    }
}

/// The Netid `ss` prints for an inet socket: its table's, unless the
/// kernel sent `INET_DIAG_PROTOCOL` (RAW sockets), whose number `ss` names.
fn inet_netid<'a>(s: &Sock<'a>) -> &'a str {
    match s.x.protocol_attr {
        Some(p) => proto_name(p),
        None => s.netid,
    }
}

/// The protocol whose service names a port gets.
fn service_protocol(netid: &str) -> &'static str {
    match netid {
        "udp" | "udplite" => "udp",
        _ => "tcp",
    }
}

/// ` name:value`, the number two digits at a time.
fn kv(row: &mut Row, name: &str, v: u64) -> io::Result<()> {
    row.write_all(b" ")?;
    row.write_all(name.as_bytes())?;
    row.write_all(b":")?;
    row.write_all(Num::new(v).as_bytes())
}

/// `%g` of `us / 1000.0`: below 1,000,000 the exact decimal (at most six
/// digits, as `%g` keeps them), without formatting a float.
fn ms_g(row: &mut Row, us: u32) -> io::Result<()> {
    if us >= 1_000_000 {
        return g(row, f64::from(us) / 1000.0, 6);
    }
    row.write_all(Num::new(u64::from(us / 1000)).as_bytes())?;
    let frac = us % 1000;
    if frac != 0 {
        let digits = [
            b'0' + (frac / 100) as u8,
            b'0' + (frac / 10 % 10) as u8,
            b'0' + (frac % 10) as u8,
        ];
        let len = if frac.is_multiple_of(100) {
            1
        } else if frac.is_multiple_of(10) {
            2
        } else {
            3
        };
        row.write_all(b".")?;
        row.write_all(digits.get(..len).unwrap_or_default())?;
    }
    Ok(())
}

/// ` name:MS` of microseconds.
fn kms(row: &mut Row, name: &str, us: u32) -> io::Result<()> {
    row.write_all(b" ")?;
    row.write_all(name.as_bytes())?;
    row.write_all(b":")?;
    ms_g(row, us)
}

/// ` NAME RATEbps`: `ss`'s `sprint_bw`; with `-n` a whole number of bits
/// per second written without formatting a float where it fits.
fn rate(row: &mut Row, name: &str, bps: f64, numeric: bool) -> io::Result<()> {
    row.write_all(b" ")?;
    row.write_all(name.as_bytes())?;
    row.write_all(b" ")?;
    bw(row, bps, numeric)?;
    row.write_all(b"bps")
}

/// `%-6d` of a C int.
fn queue(row: &mut Row, v: u32) -> io::Result<()> {
    let v = v as i32;
    match u64::try_from(v) {
        Ok(u) => {
            let n = Num::new(u);
            row.write_all(n.as_bytes())?;
            let pad = 6usize.saturating_sub(n.as_bytes().len());
            row.write_all(b"      ".get(..pad).unwrap_or_default())
        }
        Err(_) => write!(row, "{v:<6}"),
    }
}

/// `ss`'s `sock_state_print`: Netid, State, Recv-Q, Send-Q (the queues as
/// `%-6d`).
fn state_columns(row: &mut Row, netid: &str, state: &str, rq: u32, wq: u32) -> io::Result<()> {
    row.to(Col::Netid);
    row.write_all(netid.as_bytes())?;
    row.to(Col::State);
    row.write_all(state.as_bytes())?;
    row.to(Col::RecvQ);
    queue(row, rq)?;
    row.to(Col::SendQ);
    queue(row, wq)
}

/// `inet_ntop`'s text of an IPv6 address: as Rust writes it, but with
/// the IPv4-compatible form `::a.b.c.d` glibc uses.
fn write_v6(w: &mut StackStr, a: Ipv6Addr) {
    let seg = a.segments();
    let o = a.octets();
    if seg.get(..6) == Some(&[0; 6]) && seg.get(6).is_some_and(|&s| s != 0) {
        let _ = write!(w, "::{}.{}.{}.{}", o[12], o[13], o[14], o[15]);
    } else {
        let _ = write!(w, "{a}");
    }
}

/// `ss`'s `inet_addr_print`: the address (and `%ifname`) with its `:`,
/// then the port.
#[allow(clippy::too_many_arguments)]
fn inet_endpoint(
    row: &mut Row,
    cx: &mut Context,
    col: Col,
    at: std::net::SocketAddr,
    ifindex: u32,
    v6only: bool,
    service: &str,
    raw: bool,
) -> io::Result<()> {
    let (addr, port) = (at.ip(), at.port());
    row.to(col);
    let mut text = StackStr::new();
    let resolve = cx.show.resolve && !cx.show.numeric;
    let name = if resolve { cx.names.host(addr) } else { None };
    match (addr, name) {
        (IpAddr::V6(a), _) if a.is_unspecified() && !v6only => text.push(b"*"),
        (_, Some(name)) => text.push(name.as_bytes()),
        (IpAddr::V4(a), None) => text.push_ipv4(a.octets()),
        (IpAddr::V6(a), None) => {
            text.push(b"[");
            write_v6(&mut text, a);
            text.push(b"]");
        }
    }
    if ifindex != 0 {
        text.push(b"%");
        text.push(cx.ifnames.get(ifindex).as_bytes());
    }
    text.push(b":");
    row.write_all(text.as_bytes())?;
    row.to(next(col));
    // `resolve_service`.
    if port == 0 {
        row.write_all(b"*")?;
    } else if cx.show.numeric {
        row.write_all(Num::new(port.into()).as_bytes())?;
    } else if raw {
        match u8::try_from(port).ok().and_then(|p| cx.names.protocol(p)) {
            Some(name) => row.write_all(name.as_bytes())?,
            None => write!(row, "ipproto-{port}")?,
        }
    } else {
        match cx.names.service(port, service) {
            Some(name) => row.write_all(name.as_bytes())?,
            None => row.write_all(Num::new(port.into()).as_bytes())?,
        }
    }
    Ok(())
}

/// The port column after an address column.
fn next(addr: Col) -> Col {
    match addr {
        Col::Addr => Col::Serv,
        _ => Col::RServ,
    }
}

/// `ss`'s `sock_addr_print(addr, delim, port)` for the non-inet families.
fn plain_endpoint(
    row: &mut Row,
    col: Col,
    addr: &[u8],
    delim: &[u8],
    port: &[u8],
) -> io::Result<()> {
    row.to(col);
    row.write_all(addr)?;
    row.write_all(delim)?;
    row.to(next(col));
    row.touch();
    row.write_all(port)
}

/// ` users:(("comm",pid=P,fd=F),...)` in `ss`'s order (the last process
/// found first), a command cut at its first `)`.
fn users(row: &mut Row, cx: &Context, inode: u32) -> io::Result<()> {
    if !(cx.show.procs || cx.show.threads) || inode == 0 {
        return Ok(());
    }
    let Some(map) = &cx.procs else { return Ok(()) };
    let owners = map.owners(inode);
    if owners.is_empty() {
        return Ok(());
    }
    row.write_all(b" users:(")?;
    for (n, o) in owners.iter().rev().enumerate() {
        let comm = map.command(o.tid).unwrap_or("");
        let comm = comm.split(')').next().unwrap_or("");
        if n > 0 {
            row.write_all(b",")?;
        }
        write!(row, "(\"{comm}\",pid={},", o.pid)?;
        if cx.show.threads {
            write!(row, "tid={},", o.tid)?;
        }
        write!(row, "fd={})", o.fd)?;
    }
    row.write_all(b")")
}

/// `ss`'s `sock_details_print`: uid (unless 0), inode, cookie, mark,
/// cgroup.
fn details(row: &mut Row, cx: &mut Context, s: &Sock<'_>) -> io::Result<()> {
    if let Some(uid) = s.uid.filter(|&u| u != 0) {
        write!(row, " uid:{uid}")?;
    }
    write!(row, " ino:{} sk:{:x}", s.inode, s.cookie)?;
    if let Some(m) = s.x.mark.filter(|&m| m != 0) {
        write!(row, " fwmark:0x{m:x}")?;
    }
    if let Some(id) = s.x.cgroup_id.filter(|&c| c != 0) {
        cgroup(row, cx, id)?;
    }
    Ok(())
}

/// ` cgroup:PATH`, or `ss`'s `unreachable:ID`.
fn cgroup(row: &mut Row, cx: &mut Context, id: u64) -> io::Result<()> {
    match cx.names.cgroup(id) {
        Some(path) => write!(row, " cgroup:{path}"),
        None => write!(row, " cgroup:unreachable:{id:x}"),
    }
}

/// ` skmem:(r..,rb..,t..,tb..,f..,w..,o..[,bl..][,d..])`, or the old
/// ` mem:(r,w,f,t)` of `INET_DIAG_MEMINFO`.
fn skmem(row: &mut Row, s: &Sock<'_>, inet: bool) -> io::Result<()> {
    if let Some(m) = s.x.skmem {
        let v = |i| m.get(i).unwrap_or(0);
        write!(
            row,
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
            write!(row, ",bl{}", v(7))?;
        }
        if m.len() > 8 {
            write!(row, ",d{}", v(8))?;
        }
        return row.write_all(b")");
    }
    if inet {
        if let Some(m) = s.x.meminfo {
            write!(
                row,
                " mem:(r{},w{},f{},t{})",
                m.rmem, m.wmem, m.fmem, m.tmem
            )?;
        }
    }
    Ok(())
}

/// ` %c-%c`: `<` unless receiving is shut down, `>` unless sending is.
fn shutdown(row: &mut Row, s: &Sock<'_>) -> io::Result<()> {
    if let Some(sh) = s.x.shutdown {
        let r = if sh.contains(sockdiag::Shutdown::RECEIVE) {
            '-'
        } else {
            '<'
        };
        let w = if sh.contains(sockdiag::Shutdown::SEND) {
            '-'
        } else {
            '>'
        };
        write!(row, " {r}-{w}")?;
    }
    Ok(())
}

/// The row of socket `s`, in `ss`'s columns.
pub fn row(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    row.clear();
    match s.family {
        "inet" | "inet6" if s.x.proc_opt.is_some() => proc_inet(row, s, cx)?,
        "inet" | "inet6" => inet(row, s, cx)?,
        "unix" => unix(row, s, cx)?,
        "packet" => packet(row, s, cx)?,
        "vsock" => vsock(row, s, cx)?,
        "xdp" => xdp(row, s, cx)?,
        "smc" => smc(row, s, cx)?,
        "tipc" => tipc(row, s, cx)?,
        _ => netlink(row, s, cx)?,
    }
    row.finish();
    Ok(())
}

/// The SCTP state names of association rows, as ss's `sctp_sstate_name`
/// writes them (`ESTAB`, `ACK_SENT`: the kernel matrix compared them).
fn sctp_state(state: u8) -> &'static str {
    match state {
        0 => "CLOSED",
        1 => "COOKIE_WAIT",
        2 => "COOKIE_ECHOED",
        3 => "ESTAB",
        4 => "SHUTDOWN_PENDING",
        5 => "SHUTDOWN_SENT",
        6 => "SHUTDOWN_RECEIVED",
        7 => "ACK_SENT",
        _ => "UNKNOWN",
    }
}

fn inet(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    let netid = inet_netid(s);
    let v6only = s.family == "inet6" && s.x.v6only.unwrap_or(false);
    // An SCTP association follows its socket, with the same inode.
    let assoc = netid == "sctp" && s.inode != 0 && cx.last_sctp_inode == Some(s.inode);
    if assoc {
        row.to(Col::State);
        write!(row, "`- {}", sctp_state(s.raw_state))?;
        row.to(Col::RecvQ);
        queue(row, s.rq)?;
        row.to(Col::SendQ);
        queue(row, s.wq)?;
    } else {
        state_columns(row, netid, ss_state(s.state), s.rq, s.wq)?;
    }
    let service = service_protocol(s.netid);
    let raw = s.netid == "raw";
    if let Some((local, remote, ifindex)) = s.inet_ends() {
        inet_endpoint(row, cx, Col::Addr, local, ifindex, v6only, service, raw)?;
        inet_endpoint(row, cx, Col::RAddr, remote, 0, v6only, service, raw)?;
    }
    row.to(Col::Ext);
    users(row, cx, s.inode)?;
    let show = cx.show;
    if show.timers {
        if let Some((t, expires, retrans)) = s.timer.filter(|t| t.0 != Timer::None) {
            let mut text = StackStr::new();
            let _ = ms_timer(&mut text, expires);
            if s.netid == "sctp" {
                write!(row, " timer:(T3_RTX,{},{retrans})", text.as_str())?;
            } else {
                write!(row, " timer:({},{},{retrans})", t.name(), text.as_str())?;
            }
        }
    }
    if show.ext {
        details(row, cx, s)?;
        if s.family == "inet6" {
            if let Some(v) = s.x.v6only {
                write!(row, " v6only:{}", u8::from(v))?;
            }
        }
        shutdown(row, s)?;
    }
    if show.tos {
        if let Some(t) = s.x.tos {
            write!(row, " tos:{}", AltHex(t.into()))?;
        }
        if let Some(t) = s.x.tclass {
            write!(row, " tclass:{}", AltHex(t.into()))?;
        }
        if let Some(c) = s.x.class_id {
            write!(row, " class_id:{}", AltHex(c.into()))?;
        }
    }
    if show.cgroup {
        if let Some(id) = s.x.cgroup_id {
            cgroup(row, cx, id)?;
        }
    }
    if show.sockopt {
        if let Some(o) = s.x.sockopt {
            sockopt(row, o, show.oneline)?;
        }
    }
    if show.mem || (show.info && s.netid != "udp") {
        if !show.oneline {
            row.write_all(b"\n\t")?;
        }
        skmem(row, s, true)?;
        match s.netid {
            "sctp" => sctp_info(row, cx, s)?,
            "mptcp" => mptcp_info(row, s)?,
            _ => {
                if let Some(i) = s.x.tcp_info {
                    tcp_info(row, s, &i, show.timers, show.numeric)?;
                }
                md5(row, s)?;
                ulp(row, s)?;
            }
        }
    }
    cx.last_sctp_inode = (netid == "sctp").then_some(s.inode);
    Ok(())
}

/// `--inet-sockopt`'s ` inet-sockopt: ( recverr ... )`.
fn sockopt(row: &mut Row, o: sockdiag::inet::SockOpt, oneline: bool) -> io::Result<()> {
    use sockdiag::inet::SockOpt as O;
    row.write_all(if oneline {
        b" inet-sockopt: ("
    } else {
        b"\n\tinet-sockopt: ("
    })?;
    for (flag, name) in [
        (O::RECVERR, "recverr"),
        (O::IS_ICSK, "is_icsk"),
        (O::FREEBIND, "freebind"),
        (O::HDRINCL, "hdrincl"),
        (O::MC_LOOP, "mc_loop"),
        (O::TRANSPARENT, "transparent"),
        (O::MC_ALL, "mc_all"),
        (O::NODEFRAG, "nodefrag"),
        (O::BIND_ADDRESS_NO_PORT, "bind_addr_no_port"),
        (O::RECVERR_RFC4884, "recverr_rfc4884"),
        (O::DEFER_CONNECT, "defer_connect"),
    ] {
        if o.contains(flag) {
            write!(row, " {name}")?;
        }
    }
    row.write_all(b")")
}

/// `ss -i`'s text of a TCP socket (`tcp_show_info` and
/// `tcp_stats_print`), from a `tcp_info` zero-extended as `ss` does.
fn tcp_info(
    row: &mut Row,
    s: &Sock<'_>,
    i: &TcpInfo<&[u8]>,
    options: bool,
    numeric: bool,
) -> io::Result<()> {
    let z = |v: Option<u32>| v.unwrap_or(0);
    let z64 = |v: Option<u64>| v.unwrap_or(0);
    let opts = i.options().unwrap_or(TcpiOptions::empty());
    if options {
        for (flag, name) in [
            (TcpiOptions::TIMESTAMPS, " ts"),
            (TcpiOptions::SACK, " sack"),
            (TcpiOptions::ECN, " ecn"),
            (TcpiOptions::ECN_SEEN, " ecnseen"),
            (TcpiOptions::SYN_DATA, " fastopen"),
        ] {
            if opts.contains(flag) {
                row.write_all(name.as_bytes())?;
            }
        }
    }
    if let Some(cong) = s.x.cong.filter(|c| !c.is_empty()) {
        write!(row, " {cong}")?;
    }
    if opts.contains(TcpiOptions::WSCALE) {
        kv(row, "wscale", i.snd_wscale().unwrap_or(0).into())?;
        row.write_all(b",")?;
        row.write_all(Num::new(i.rcv_wscale().unwrap_or(0).into()).as_bytes())?;
    }
    let rto = z(i.rto());
    if rto != 0 && rto != 3_000_000 {
        kms(row, "rto", rto)?;
    }
    if let Some(b) = i.backoff().filter(|&b| b != 0) {
        kv(row, "backoff", b.into())?;
    }
    let rtt = z(i.rtt());
    if rtt != 0 {
        kms(row, "rtt", rtt)?;
        row.write_all(b"/")?;
        ms_g(row, z(i.rttvar()))?;
    }
    if let Some(ato) = i.ato().filter(|&a| a != 0) {
        kms(row, "ato", ato)?;
    }
    let mss = z(i.snd_mss());
    let cwnd = z(i.snd_cwnd());
    for (name, v) in [
        ("mss", mss),
        ("pmtu", z(i.pmtu())),
        ("rcvmss", z(i.rcv_mss())),
        ("advmss", z(i.advmss())),
        ("cwnd", cwnd),
    ] {
        if v != 0 {
            kv(row, name, v.into())?;
        }
    }
    if let Some(t) = i.snd_ssthresh().filter(|&t| t != 0 && t < 0xffff) {
        kv(row, "ssthresh", t.into())?;
    }
    for (name, v) in [
        ("bytes_sent", z64(i.bytes_sent())),
        ("bytes_retrans", z64(i.bytes_retrans())),
        ("bytes_acked", z64(i.bytes_acked())),
        ("bytes_received", z64(i.bytes_received())),
        ("segs_out", z(i.segs_out()).into()),
        ("segs_in", z(i.segs_in()).into()),
        ("data_segs_out", z(i.data_segs_out()).into()),
        ("data_segs_in", z(i.data_segs_in()).into()),
    ] {
        if v != 0 {
            kv(row, name, v)?;
        }
    }
    if let Some(d) = s.x.dctcp {
        if d.enabled != 0 {
            write!(
                row,
                " dctcp:(ce_state:{},alpha:{},ab_ecn:{},ab_tot:{})",
                d.ce_state, d.alpha, d.ab_ecn, d.ab_tot
            )?;
        } else {
            row.write_all(b" dctcp:fallback_mode")?;
        }
    }
    if let Some(b) = s.x.bbr {
        row.write_all(b" bbr:(bw:")?;
        bw(row, b.bandwidth as f64 * 8.0, numeric)?;
        row.write_all(b"bps,mrtt:")?;
        ms_g(row, b.min_rtt_us)?;
        if b.pacing_gain != 0 {
            row.write_all(b",pacing_gain:")?;
            g_256(row, b.pacing_gain)?;
        }
        if b.cwnd_gain != 0 {
            row.write_all(b",cwnd_gain:")?;
            g_256(row, b.cwnd_gain)?;
        }
        row.write_all(b")")?;
    }
    // The send rate from cwnd, mss and rtt (Vegas's rtt when it runs).
    let mut rtt_us = f64::from(rtt);
    if let Some(v) = s.x.vegas {
        if v.enabled != 0 && v.rtt_us != 0 && v.rtt_us != 0x7fff_ffff {
            rtt_us = f64::from(v.rtt_us);
        }
    }
    if rtt_us > 0.0 && mss != 0 && cwnd != 0 {
        rate(
            row,
            "send",
            f64::from(cwnd) * f64::from(mss) * 8_000_000.0 / rtt_us,
            numeric,
        )?;
    }
    for (name, v) in [
        ("lastsnd", z(i.last_data_sent())),
        ("lastrcv", z(i.last_data_recv())),
        ("lastack", z(i.last_ack_recv())),
    ] {
        if v != 0 {
            kv(row, name, v.into())?;
        }
    }
    let pacing = z64(i.pacing_rate());
    if pacing != 0 && pacing != u64::MAX {
        rate(row, "pacing_rate", pacing as f64 * 8.0, numeric)?;
        let max = z64(i.max_pacing_rate());
        if max != 0 && max != u64::MAX {
            row.write_all(b"/")?;
            bw(row, max as f64 * 8.0, numeric)?;
            row.write_all(b"bps")?;
        }
    }
    let delivery = z64(i.delivery_rate()) as f64 * 8.0;
    if delivery != 0.0 {
        rate(row, "delivery_rate", delivery, numeric)?;
    }
    for (name, v) in [
        ("delivered", z(i.delivered())),
        ("delivered_ce", z(i.delivered_ce())),
    ] {
        if v != 0 {
            kv(row, name, v.into())?;
        }
    }
    if i.delivery_rate_app_limited() == Some(true) {
        row.write_all(b" app_limited")?;
    }
    let busy = z64(i.busy_time());
    if busy != 0 {
        write!(row, " busy:{}ms", busy / 1000)?;
        for (name, v) in [
            ("rwnd_limited", z64(i.rwnd_limited())),
            ("sndbuf_limited", z64(i.sndbuf_limited())),
        ] {
            if v != 0 {
                write!(
                    row,
                    " {name}:{}ms({:.1}%)",
                    v / 1000,
                    100.0 * v as f64 / busy as f64
                )?;
            }
        }
    }
    if let Some(u) = i.unacked().filter(|&u| u != 0) {
        kv(row, "unacked", u.into())?;
    }
    let (retrans, total) = (i.retrans().unwrap_or(0), z(i.total_retrans()));
    if retrans != 0 || total != 0 {
        kv(row, "retrans", retrans.into())?;
        row.write_all(b"/")?;
        row.write_all(Num::new(total.into()).as_bytes())?;
    }
    if let Some(l) = i.lost().filter(|&l| l != 0) {
        kv(row, "lost", l.into())?;
    }
    if let Some(sk) = i.sacked().filter(|&v| v != 0) {
        if s.state != TcpState::Listen {
            kv(row, "sacked", sk.into())?;
        }
    }
    for (name, v) in [
        ("dsack_dups", z(i.dsack_dups())),
        ("fackets", z(i.fackets())),
    ] {
        if v != 0 {
            kv(row, name, v.into())?;
        }
    }
    let reordering = z(i.reordering());
    if reordering != 3 {
        write!(row, " reordering:{}", reordering as i32)?;
    }
    if let Some(r) = i.reord_seen().filter(|&r| r != 0) {
        write!(row, " reord_seen:{}", r as i32)?;
    }
    if let Some(r) = i.rcv_rtt().filter(|&r| r != 0) {
        kms(row, "rcv_rtt", r)?;
    }
    if let Some(r) = i.rcv_space().filter(|&r| r != 0) {
        write!(row, " rcv_space:{}", r as i32)?;
    }
    for (name, v) in [
        ("rcv_ssthresh", z(i.rcv_ssthresh())),
        ("notsent", z(i.notsent_bytes())),
    ] {
        if v != 0 {
            kv(row, name, v.into())?;
        }
    }
    if let Some(m) = i.min_rtt().filter(|&m| m != 0 && m != u32::MAX) {
        kms(row, "minrtt", m)?;
    }
    for (name, v) in [
        ("rcv_ooopack", z(i.rcv_ooopack())),
        ("snd_wnd", z(i.snd_wnd())),
    ] {
        if v != 0 {
            kv(row, name, v.into())?;
        }
    }
    Ok(())
}

/// ` md5keys:ADDR/LEN=KEY,...`, the key escaped as `print_escape_buf`
/// does (`ss` 6.1 writes the key straight to its output, ahead of its
/// buffered table; it belongs here).
fn md5(row: &mut Row, s: &Sock<'_>) -> io::Result<()> {
    let Some(keys) = s.x.md5 else { return Ok(()) };
    row.write_all(b" md5keys:")?;
    for (n, key) in keys.iter().enumerate() {
        let Ok(key) = key else { continue };
        if n > 0 {
            row.write_all(b",")?;
        }
        write!(row, "{}/{}=", key.addr, key.prefix_len)?;
        for &b in key.key() {
            if (0x20..0x7f).contains(&b) && b != b'\\' && b != b' ' && b != b',' {
                row.write_all(&[b])?;
            } else {
                write!(row, "\\{b:03o}")?;
            }
        }
    }
    Ok(())
}

/// ` tcp-ulp-NAME` and its TLS or MPTCP subflow details.
fn ulp(row: &mut Row, s: &Sock<'_>) -> io::Result<()> {
    let Some(u) = s.x.ulp else { return Ok(()) };
    if !u.name().is_empty() {
        write!(row, " tcp-ulp-{}", u.name())?;
    }
    if let Some(t) = u.tls() {
        match t.version {
            Some(0x0303) => row.write_all(b" version: 1.2")?,
            Some(0x0304) => row.write_all(b" version: 1.3")?,
            Some(v) => write!(row, " version: unknown({v})")?,
            None => {}
        }
        match t.cipher {
            Some(51) => row.write_all(b" cipher: aes-gcm-128")?,
            Some(52) => row.write_all(b" cipher: aes-gcm-256")?,
            _ => {}
        }
        for (name, conf) in [("rxconf", t.rx_conf), ("txconf", t.tx_conf)] {
            match conf {
                Some(1) => write!(row, " {name}: none")?,
                Some(2) => write!(row, " {name}: sw")?,
                Some(3) => write!(row, " {name}: hw")?,
                Some(4) => write!(row, " {name}: hw-record")?,
                Some(v) => write!(row, " {name}: unknown({v})")?,
                None => {}
            }
        }
        if t.zerocopy_sendfile {
            row.write_all(b" zc_ro_tx")?;
        }
    }
    if let Some(m) = u.mptcp() {
        if let Some(flags) = m.flags.filter(|&f| f != 0) {
            row.write_all(b" flags:")?;
            for (bit, c) in [
                (0, b'M'),
                (1, b'm'),
                (2, b'J'),
                (3, b'j'),
                (4, b'B'),
                (5, b'b'),
                (6, b'e'),
                (7, b'c'),
                (8, b'v'),
            ] {
                if flags & (1 << bit) != 0 {
                    row.write_all(&[c])?;
                }
            }
        }
        if let (Some(tr), Some(tl), Some(ir), Some(il)) =
            (m.token_rem, m.token_loc, m.id_rem, m.id_loc)
        {
            write!(row, " token:{tr:04x}(id:{ir})/{tl:04x}(id:{il})")?;
        }
        if let Some(v) = m.map_seq {
            write!(row, " seq:{v:x}")?;
        }
        if let Some(v) = m.map_sfseq {
            write!(row, " sfseq:{v:x}")?;
        }
        if let Some(v) = m.ssn_offset {
            write!(row, " ssnoff:{v:x}")?;
        }
        if let Some(v) = m.map_data_len {
            write!(row, " maplen:{v:x}")?;
        }
    }
    Ok(())
}

/// `ss -i`'s text of an MPTCP socket.
fn mptcp_info(row: &mut Row, s: &Sock<'_>) -> io::Result<()> {
    let Some(i) = s.x.mptcp_info else {
        return Ok(());
    };
    let z8 = |v: Option<u8>| u32::from(v.unwrap_or(0));
    for (name, v) in [
        ("subflows", z8(i.subflows())),
        ("add_addr_signal", z8(i.add_addr_signal())),
        ("add_addr_accepted", z8(i.add_addr_accepted())),
        ("subflows_max", z8(i.subflows_max())),
        ("add_addr_signal_max", z8(i.add_addr_signal_max())),
        ("add_addr_accepted_max", z8(i.add_addr_accepted_max())),
    ] {
        if v != 0 {
            write!(row, " {name}:{v}")?;
        }
    }
    let flags = i.flags().unwrap_or(0);
    if flags & 1 != 0 {
        row.write_all(b" fallback")?;
    }
    if flags & 2 != 0 {
        row.write_all(b" remote_key")?;
    }
    if let Some(t) = i.token().filter(|&t| t != 0) {
        write!(row, " token:{t:x}")?;
    }
    for (name, v) in [
        ("write_seq", i.write_seq()),
        ("snd_una", i.snd_una()),
        ("rcv_nxt", i.rcv_nxt()),
    ] {
        if let Some(v) = v.filter(|&v| v != 0) {
            write!(row, " {name}:{v:x}")?;
        }
    }
    Ok(())
}

/// `ss -i`'s text of an SCTP socket: its addresses and `sctp_info`.
fn sctp_info(row: &mut Row, cx: &mut Context, s: &Sock<'_>) -> io::Result<()> {
    for (name, addrs) in [("locals", s.x.locals), ("peers", s.x.peers)] {
        let Some(addrs) = addrs else { continue };
        write!(row, " {name}:")?;
        for (n, a) in addrs.iter().enumerate() {
            if n > 0 {
                row.write_all(b",")?;
            }
            if let Ok(a) = a {
                let mut t = StackStr::new();
                match a.ip() {
                    IpAddr::V4(v4) => t.push_ipv4(v4.octets()),
                    IpAddr::V6(v6) => write_v6(&mut t, v6),
                }
                row.write_all(t.as_bytes())?;
            }
        }
    }
    let _ = &cx.show;
    let Some(i) = s.x.sctp_info else {
        return Ok(());
    };
    let n = |v: Option<u32>| v.unwrap_or(0);
    if let Some(t) = i.tag().filter(|&t| t != 0) {
        write!(row, " tag:{t:x}")?;
    }
    if let Some(st) = i.state().filter(|&st| st != 0) {
        write!(
            row,
            " state:{}",
            sctp_state(u8::try_from(st).unwrap_or(u8::MAX))
        )?;
    }
    let decimal: [(&str, u32); 10] = [
        ("rwnd", n(i.rwnd())),
        ("unackdata", u32::from(i.unackdata().unwrap_or(0))),
        ("penddata", u32::from(i.penddata().unwrap_or(0))),
        ("instrms", u32::from(i.instrms().unwrap_or(0))),
        ("outstrms", u32::from(i.outstrms().unwrap_or(0))),
        ("inqueue", n(i.inqueue())),
        ("outqueue", n(i.outqueue())),
        ("overerr", n(i.overall_error())),
        ("maxburst", n(i.max_burst())),
        ("maxseg", n(i.maxseg())),
    ];
    for (name, v) in decimal {
        if v != 0 {
            write!(row, " {name}:{}", v as i32)?;
        }
    }
    if let Some(v) = i.peer_rwnd().filter(|&v| v != 0) {
        write!(row, " prwnd:{}", v as i32)?;
    }
    if let Some(v) = i.peer_tag().filter(|&v| v != 0) {
        write!(row, " ptag:{v:x}")?;
    }
    let rest: [(&str, u32); 9] = [
        ("pcapable", u32::from(i.peer_capable().unwrap_or(0))),
        ("psack", u32::from(i.peer_sack().unwrap_or(0))),
        ("autoclose", n(i.s_autoclose())),
        ("adapind", n(i.s_adaptation_ind())),
        ("pdpoint", n(i.s_pd_point())),
        ("nodelay", u32::from(i.s_nodelay().unwrap_or(0))),
        ("nofrag", u32::from(i.s_disable_fragments().unwrap_or(0))),
        ("v4mapped", u32::from(i.s_v4mapped().unwrap_or(0))),
        ("fraginl", u32::from(i.s_frag_interleave().unwrap_or(0))),
    ];
    for (name, v) in rest {
        if v != 0 {
            write!(row, " {name}:{}", v as i32)?;
        }
    }
    Ok(())
}

/// A RAW socket read from `/proc/net/raw` (`dgram_show_line`).
fn proc_inet(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    state_columns(row, s.netid, ss_state(s.state), s.rq, s.wq)?;
    if let Some((local, remote, _)) = s.inet_ends() {
        inet_endpoint(row, cx, Col::Addr, local, 0, false, "raw", true)?;
        inet_endpoint(row, cx, Col::RAddr, remote, 0, false, "raw", true)?;
    }
    row.to(Col::Ext);
    // ss 6.1 would print ` opt:"..."` with -e, but counts its fields one
    // short and never does.
    users(row, cx, s.inode)
}

fn unix(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    state_columns(row, s.netid, ss_state(s.state), s.rq, s.wq)?;
    let (Endpoint::Unix { name, inode }, Endpoint::Unix { inode: peer, .. }) = (s.local, s.peer)
    else {
        return Ok(());
    };
    let mut buf = [0u8; UNIX_NAME_MAX];
    let local = name.map_or(&b"*"[..], |n| n.ss_bytes(&mut buf));
    let mut num = StackStr::new();
    let _ = write!(num, "{}", inode as i32);
    plain_endpoint(row, Col::Addr, local, b" ", num.as_bytes())?;
    num.clear();
    let _ = write!(num, "{}", peer as i32);
    plain_endpoint(row, Col::RAddr, b"*", b" ", num.as_bytes())?;
    row.to(Col::Ext);
    users(row, cx, s.inode)?;
    if cx.show.mem {
        skmem(row, s, false)?;
    }
    if cx.show.ext {
        shutdown(row, s)?;
        if let Some(v) = s.x.vfs {
            write!(row, " ino:{} dev:{}/{}", v.inode, v.major(), v.minor())?;
        }
        if let Some(icons) = s.x.icons {
            row.write_all(b" peers:")?;
            for p in icons.iter() {
                write!(row, " {p}")?;
            }
        }
    }
    Ok(())
}

/// `ss`'s names of ethertypes (`lib/ll_proto.c`).
fn ethertype_name(p: u16) -> Option<&'static str> {
    Some(match p {
        0x0060 => "loop",
        0x0200 => "pup",
        0x0201 => "pupat",
        0x0800 => "ip",
        0x0805 => "x25",
        0x0806 => "arp",
        0x08FF => "bpq",
        0x0a00 => "ieeepup",
        0x0a01 => "ieeepupat",
        0x6000 => "dec",
        0x6001 => "dna_dl",
        0x6002 => "dna_rc",
        0x6003 => "dna_rt",
        0x6004 => "lat",
        0x6005 => "diag",
        0x6006 => "cust",
        0x6007 => "sca",
        0x8035 => "rarp",
        0x809B => "atalk",
        0x80F3 => "aarp",
        0x8137 => "ipx",
        0x86DD => "ipv6",
        0x8863 => "ppp_disc",
        0x8864 => "ppp_ses",
        0x884c => "atmmpoa",
        0x8884 => "atmfate",
        0x0001 => "802_3",
        0x0002 => "ax25",
        0x0003 => "all",
        0x0004 => "802_2",
        0x0005 => "snap",
        0x0006 => "ddcmp",
        0x0007 => "wan_ppp",
        0x0008 => "ppp_mp",
        0x0009 => "localtalk",
        0x000C => "can",
        0x0010 => "ppptalk",
        0x0011 => "tr_802_2",
        0x0015 => "mobitex",
        0x0016 => "control",
        0x0017 => "irda",
        0x0018 => "econet",
        0x001A => "tipc",
        0x8892 => "profinet",
        0x88A2 => "aoe",
        0x88A4 => "ethercat",
        0x8100 => "802.1Q",
        0x88A8 => "802.1ad",
        0x8847 => "mpls_uc",
        0x8848 => "mpls_mc",
        0x6558 => "teb",
        0x88cc => "LLDP",
        _ => return None,
    })
}

fn packet(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    // Send-Q is never set for packet sockets.
    state_columns(row, s.netid, ss_state(s.state), s.rq, 0)?;
    let Endpoint::Packet { protocol, ifindex } = s.local else {
        return Ok(());
    };
    let mut addr = StackStr::new();
    match protocol {
        3 => addr.push(b"*"),
        p => match ethertype_name(p).filter(|_| !cx.show.numeric) {
            Some(name) => addr.push(name.as_bytes()),
            None => {
                let _ = write!(addr, "[{p}]");
            }
        },
    }
    let port = match ifindex {
        0 => "*",
        i => cx.ifnames.get(i),
    };
    plain_endpoint(row, Col::Addr, addr.as_bytes(), b":", port.as_bytes())?;
    plain_endpoint(row, Col::RAddr, b"", b"*", b"")?;
    row.to(Col::Ext);
    users(row, cx, s.inode)?;
    let nl = if cx.show.oneline { " " } else { "\n\t" };
    if cx.show.ext {
        details(row, cx, s)?;
        if let Some(p) = s.x.packet_info {
            use sockdiag::packet::PacketInfoFlags as F;
            write!(
                row,
                "{nl}ver:{} cpy_thresh:{} flags( ",
                p.version as i32, p.copy_thresh as i32
            )?;
            if p.flags.contains(F::RUNNING) {
                row.write_all(b"running")?;
            }
            for (flag, name) in [
                (F::AUXDATA, " auxdata"),
                (F::ORIGDEV, " origdev"),
                (F::VNETHDR, " vnethdr"),
                (F::LOSS, " loss"),
            ] {
                if p.flags.contains(flag) {
                    row.write_all(name.as_bytes())?;
                }
            }
            if p.flags.is_empty() {
                row.write_all(b"0")?;
            }
            row.write_all(b" )")?;
        }
        for (name, ring) in [("ring_rx", s.x.rx_ring), ("ring_tx", s.x.tx_ring)] {
            if let Some(r) = ring {
                write!(
                    row,
                    "{nl}{name}(blk_size:{},blk_nr:{},frm_size:{},frm_nr:{},tmo:{},features:0x{:x})",
                    r.block_size as i32,
                    r.block_nr as i32,
                    r.frame_size as i32,
                    r.frame_nr as i32,
                    r.retire_tmo as i32,
                    r.features
                )?;
            }
        }
        if let Some(f) = s.x.fanout {
            write!(row, "{nl}fanout(id:{},type:", f.id())?;
            match f.kind() {
                0 => row.write_all(b"hash")?,
                1 => row.write_all(b"lb")?,
                2 => row.write_all(b"cpu")?,
                3 => row.write_all(b"roll")?,
                4 => row.write_all(b"random")?,
                5 => row.write_all(b"qm")?,
                k => write!(row, "0x{k:x}")?,
            }
            row.write_all(b")")?;
        }
    }
    if cx.show.bpf {
        if let Some(p) = s.x.bpf {
            let insns = p.instructions();
            write!(row, "{nl}bpf filter ({}): ", insns.len())?;
            for i in insns {
                write!(
                    row,
                    " 0x{:02x} {} {} {},",
                    i.code.get(),
                    i.jt,
                    i.jf,
                    i.k.get()
                )?;
            }
        }
    }
    if cx.show.mem {
        skmem(row, s, false)?;
    }
    Ok(())
}

/// `ss`'s names of netlink protocols (`/etc/iproute2/nl_protos`).
fn netlink_protocol(p: u8) -> Option<&'static str> {
    Some(match p {
        0 => "rtnl",
        1 => "unused",
        2 => "usersock",
        3 => "fw",
        4 => "tcpdiag",
        5 => "nflog",
        6 => "xfrm",
        7 => "selinux",
        8 => "iscsi",
        9 => "audit",
        10 => "fiblookup",
        11 => "connector",
        12 => "nft",
        13 => "ip6fw",
        14 => "dec-rt",
        15 => "uevent",
        16 => "genl",
        18 => "scsi-trans",
        19 => "ecryptfs",
        20 => "rdma",
        21 => "crypto",
        _ => return None,
    })
}

/// `CID:PORT`, `*` for `VMADDR_CID_ANY` or `VMADDR_PORT_ANY` (ss's
/// `vsock_addr_print`).
fn vsock_end(row: &mut Row, col: Col, a: VsockAddr) -> io::Result<()> {
    let mut cid = StackStr::new();
    let mut port = StackStr::new();
    if a.is_any_cid() {
        cid.push(b"*");
    } else {
        let _ = write!(cid, "{}", a.cid);
    }
    if a.is_any_port() {
        port.push(b"*");
    } else {
        let _ = write!(port, "{}", a.port);
    }
    plain_endpoint(row, col, cid.as_bytes(), b":", port.as_bytes())
}

/// ss's `vsock_stats_print`: state, queues (always 0), both ends, users.
fn vsock(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    state_columns(row, s.netid, ss_state(s.state), s.rq, s.wq)?;
    let (Endpoint::Vsock(local), Endpoint::Vsock(peer)) = (s.local, s.peer) else {
        return Ok(());
    };
    vsock_end(row, Col::Addr, local)?;
    vsock_end(row, Col::RAddr, peer)?;
    row.to(Col::Ext);
    users(row, cx, s.inode)
}

/// ss's `xdp_stats_print` and what `xdp_show_sock` adds: `IFNAME:qN` (or
/// `*`) for the bound queue, `*` for the peer, users, and with `-e` the
/// details, rings, UMEM and drop counters (`-O` on one line, where ss
/// writes ` tumem(` for the UMEM: so does this).
fn xdp(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    state_columns(row, s.netid, "UNCONN", s.rq, s.wq)?;
    match s.local {
        Endpoint::Xdp(Some(info)) => {
            let mut q = StackStr::new();
            let _ = write!(q, "q{}", info.queue_id as i32);
            let name = cx.ifnames.get(info.ifindex);
            plain_endpoint(row, Col::Addr, name.as_bytes(), b":", q.as_bytes())?;
        }
        _ => plain_endpoint(row, Col::Addr, b"", b"*", b"")?,
    }
    plain_endpoint(row, Col::RAddr, b"", b"*", b"")?;
    row.to(Col::Ext);
    users(row, cx, s.inode)?;
    if cx.show.ext {
        details(row, cx, s)?;
        let nl = if cx.show.oneline { " " } else { "\n\t" };
        let [rx, tx, fr, cr] = s.x.xdp_rings;
        for (name, ring) in [("rx", rx), ("tx", tx)] {
            if let Some(n) = ring {
                write!(row, "{nl}{name}(entries:{n})")?;
            }
        }
        if let Some(u) = s.x.umem {
            let open = if cx.show.oneline {
                " tumem("
            } else {
                "\n\tumem("
            };
            write!(
                row,
                "{open}id:{},size:{},num_pages:{},chunk_size:{},headroom:{},ifindex:{},qid:{},zc:{},refs:{})",
                u.id,
                u.size,
                u.num_pages,
                u.chunk_size,
                u.headroom,
                u.ifindex,
                u.queue_id,
                u32::from(u.is_zerocopy()),
                u.refs
            )?;
            for (name, ring) in [("fr", fr), ("cr", cr)] {
                if let Some(n) = ring {
                    write!(row, "{nl}{name}(entries:{n})")?;
                }
            }
        }
        if let Some(st) = s.x.xdp_stats {
            write!(
                row,
                "{nl}stats(rx dropped:{},rx invalid:{},rx queue full:{},rx fill ring empty:{},tx invalid:{},tx ring empty:{})",
                st.rx_dropped, st.rx_invalid, st.rx_full, st.fill_ring_empty, st.tx_invalid, st.tx_ring_empty
            )?;
        }
    }
    if cx.show.mem {
        skmem(row, s, false)?;
    }
    Ok(())
}

/// ss's `tipc_show_sock`: `NODE:PORT` of both ends (`-` for no peer),
/// with `-e` the details before the users, and `--tipcinfo` the type,
/// congestion, drops, publication and the service connected to.
fn tipc(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    state_columns(row, s.netid, ss_state(s.state), s.rq, s.wq)?;
    for (col, end) in [(Col::Addr, s.local), (Col::RAddr, s.peer)] {
        match end {
            Endpoint::Tipc(Some((node, port))) => {
                let (mut n, mut p) = (StackStr::new(), StackStr::new());
                let _ = write!(n, "{node}");
                let _ = write!(p, "{port}");
                plain_endpoint(row, col, n.as_bytes(), b":", p.as_bytes())?;
            }
            _ => plain_endpoint(row, col, b"", b"-", b"")?,
        }
    }
    row.to(Col::Ext);
    if cx.show.ext {
        details(row, cx, s)?;
    }
    users(row, cx, s.inode)?;
    if cx.show.tipcinfo {
        let name = match s.x.tipc_type {
            Some(SocketType::Stream) => "STREAM",
            Some(SocketType::Dgram) => "DGRAM",
            Some(SocketType::Rdm) => "RDM",
            Some(SocketType::SeqPacket) => "SEQPACKET",
            _ => "UNKNOWN",
        };
        let nl = if cx.show.oneline { " " } else { "\n " };
        let st = s.x.tipc_stats.unwrap_or_default();
        let cong = if st.link_congested {
            "link"
        } else if st.conn_congested {
            "conn"
        } else {
            "none"
        };
        write!(
            row,
            "{nl}type:{name} cong:{cong}  drop:{} ",
            st.drops as i32
        )?;
        if s.x.tipc_published {
            row.write_all(b" publ")?;
        }
        if let Some((t, i)) = s.x.tipc_service {
            write!(row, " via {{{t},{i}}} ")?;
        }
    }
    Ok(())
}

/// An SMC socket's end, as ss writes an inet one (`*` for an address the
/// reply cannot tell, see [`sockdiag::smc::SmcMsg::src`]).
fn smc_end(row: &mut Row, cx: &mut Context, col: Col, end: Endpoint<'_>) -> io::Result<()> {
    let Endpoint::Smc { addr, port } = end else {
        return Ok(());
    };
    let mut p = StackStr::new();
    if port == 0 {
        p.push(b"*");
    } else {
        let _ = write!(p, "{port}");
    }
    match addr {
        Some(a) => {
            let _ = cx;
            let mut text = StackStr::new();
            match a {
                IpAddr::V4(v4) => {
                    let _ = write!(text, "{v4}");
                }
                IpAddr::V6(v6) => {
                    let _ = write!(text, "[{v6}]");
                }
            }
            plain_endpoint(row, col, text.as_bytes(), b":", p.as_bytes())
        }
        None => plain_endpoint(row, col, b"*", b":", p.as_bytes()),
    }
}

/// SMC sockets (ss has no SMC table; this is its row shape): the SMC
/// state, both ends of the CLC socket, users; `-e` the details, the mode
/// and, after a fallback to TCP, its reasons (`SMC_CLC_DECL_*`).
fn smc(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    let state = sockdiag::smc::SmcState::from_raw(s.raw_state).name();
    state_columns(row, s.netid, state, s.rq, s.wq)?;
    smc_end(row, cx, Col::Addr, s.local)?;
    smc_end(row, cx, Col::RAddr, s.peer)?;
    row.to(Col::Ext);
    users(row, cx, s.inode)?;
    if cx.show.ext {
        details(row, cx, s)?;
        if let Some(mode) = s.x.smc_mode {
            write!(row, " mode:{mode}")?;
        }
        if let Some(f) =
            s.x.smc_fallback
                .filter(|f| f.reason != 0 || f.peer_diagnosis != 0)
        {
            write!(
                row,
                " fallback:(0x{:08x},0x{:08x})",
                f.reason, f.peer_diagnosis
            )?;
        }
    }
    Ok(())
}

fn netlink(row: &mut Row, s: &Sock<'_>, cx: &mut Context) -> io::Result<()> {
    // Every netlink socket is UNCONN for ss.
    state_columns(row, s.netid, "UNCONN", s.rq, s.wq)?;
    let (
        Endpoint::Netlink { protocol, port_id },
        Endpoint::NetlinkPeer {
            group,
            port_id: dst,
        },
    ) = (s.local, s.peer)
    else {
        return Ok(());
    };
    let mut proto = StackStr::new();
    match netlink_protocol(protocol).filter(|_| !cx.show.numeric) {
        Some(n) => proto.push(n.as_bytes()),
        None => {
            let _ = write!(proto, "{protocol}");
        }
    }
    let pid = port_id as i32;
    let mut procname = StackStr::new();
    if pid == -1 {
        procname.push(b"*");
    } else if cx.show.numeric {
        let _ = write!(procname, "{pid}");
    } else if pid == 0 {
        procname.push(b"kernel");
    } else {
        match (pid > 0).then(|| cx.names.comm(pid)).flatten() {
            Some(c) => procname.push(c.as_bytes()),
            None => {
                let _ = write!(procname, "{pid}");
            }
        }
    }
    plain_endpoint(row, Col::Addr, proto.as_bytes(), b":", procname.as_bytes())?;
    if s.state == TcpState::Established {
        let mut g = StackStr::new();
        let _ = write!(g, "{}", group as i32);
        let mut p = StackStr::new();
        let _ = write!(p, "{}", dst as i32);
        plain_endpoint(row, Col::RAddr, g.as_bytes(), b":", p.as_bytes())?;
    } else {
        plain_endpoint(row, Col::RAddr, b"", b"*", b"")?;
    }
    row.to(Col::Ext);
    if cx.show.ext {
        let groups =
            s.x.groups
                .and_then(|g| g.words().iter().next())
                .unwrap_or(0);
        write!(row, " sk=0 cb=0 groups=0x{groups:08x}")?;
    }
    if cx.show.mem {
        row.write_all(b"\t")?;
        skmem(row, s, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn commands_are_cut_at_the_first_paren() {
        assert_eq!(stat_comm(b"42 (sshd) S 1"), Some("sshd".into()));
        assert_eq!(stat_comm(b"42 (a) b) S 1"), Some("a".into()));
        assert_eq!(stat_comm(b"42 () S"), None);
        assert_eq!(stat_comm(b"garbage"), None);
    }

    #[test]
    fn fast_numbers_are_percent_g_and_percent_0f() {
        let text = |f: &dyn Fn(&mut Row) -> io::Result<()>| {
            let mut r = Row::default();
            f(&mut r).unwrap();
            r.finish();
            String::from_utf8(r.field(0).to_vec()).unwrap()
        };
        let mut us: Vec<u32> = (0..3000).collect();
        us.extend([
            999_999,
            1_000_000,
            1_234_567,
            99_999_999,
            u32::MAX,
            204_000,
            40_500,
        ]);
        for u in us {
            assert_eq!(
                text(&|r| ms_g(r, u)),
                text(&|r| g(r, f64::from(u) / 1000.0, 6)),
                "{u}"
            );
        }
        for v in [
            0.0,
            0.5,
            1.5,
            2.5,
            524_288_000_000.0,
            137_970_526_315.789,
            1e19,
            3.7e25,
        ] {
            assert_eq!(
                text(&|r| rate(r, "x", v, true)),
                format!(" x {v:.0}bps"),
                "{v}"
            );
        }
        for q in [0u32, 7, 999_999, 1_000_000, u32::MAX] {
            assert_eq!(text(&|r| queue(r, q)), format!("{:<6}", q as i32), "{q}");
        }
    }

    #[test]
    fn ipv6_text_is_inet_ntop_s() {
        let t = |s: &str| {
            let mut w = StackStr::new();
            write_v6(&mut w, s.parse().unwrap());
            w.as_str().to_owned()
        };
        assert_eq!(t("::1"), "::1");
        assert_eq!(t("::"), "::");
        assert_eq!(t("::ffff:127.0.0.1"), "::ffff:127.0.0.1");
        assert_eq!(t("::1.2.3.4"), "::1.2.3.4");
        assert_eq!(t("fe80::1:0:0:2"), "fe80::1:0:0:2");
        assert_eq!(t("1:0:0:1:0:0:0:1"), "1:0:0:1::1");
    }
}
