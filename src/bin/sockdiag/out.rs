//! Output formats: `ss`'s table, JSON Lines, Prometheus text exposition
//! and summary counts. Every writer formats straight into the buffered
//! output; nothing is allocated per socket.

use std::fmt::{self, Write as _};
use std::io::{self, Write};
use std::net::IpAddr;
use std::time::Duration;

use sockdiag::inet::{TcpField, TcpInfo, TcpState, TcpiOptions, Timer};
use sockdiag::procs::ProcessMap;

use crate::args::Show;
use crate::view::{ss_state, Endpoint, Sock};

/// A fixed-capacity string on the stack, so that padded columns need no
/// allocation per socket. Text that does not fit is cut.
#[derive(Clone)]
pub struct StackStr {
    buf: [u8; 160],
    len: usize,
}

impl Default for StackStr {
    fn default() -> Self {
        Self::new()
    }
}

impl StackStr {
    pub fn new() -> Self {
        StackStr {
            buf: [0; 160],
            len: 0,
        }
    }

    /// Empties it for reuse (a table reuses two per row rather than
    /// zeroing fresh ones).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The text. Always whole characters: a cut falls on a boundary.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// Appends the UTF-8 text `bytes`, cut at a character boundary if it
    /// does not fit.
    fn push(&mut self, bytes: &[u8]) {
        let room = self.buf.len().saturating_sub(self.len);
        let mut n = bytes.len().min(room);
        if n < bytes.len() {
            // Back off over continuation bytes (0b10xx_xxxx) to a boundary.
            while n > 0 && bytes.get(n).is_some_and(|b| b & 0xc0 == 0x80) {
                n -= 1;
            }
        }
        if let (Some(dst), Some(src)) = (self.buf.get_mut(self.len..self.len + n), bytes.get(..n)) {
            dst.copy_from_slice(src);
            self.len += n;
        }
    }

    fn push_num(&mut self, v: u64) {
        self.push(Num::new(v).as_bytes());
    }

    /// Appends an IPv4 address in dotted decimal.
    fn push_ipv4(&mut self, octets: [u8; 4]) {
        for (i, o) in octets.into_iter().enumerate() {
            if i > 0 {
                self.push(b".");
            }
            // Every u8 indexes the 256 entries.
            if let Some((len, digits)) = OCTETS.get(usize::from(o)) {
                self.push(digits.get(..usize::from(*len)).unwrap_or_default());
            }
        }
    }
}

impl fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// The decimal text of every byte value: length and digits.
// Evaluated at compile time: an index out of range would not compile.
#[allow(clippy::indexing_slicing)]
const OCTETS: [(u8, [u8; 3]); 256] = {
    let mut t = [(0u8, [0u8; 3]); 256];
    let mut v = 0;
    while v < 256 {
        let (h, d, u) = ((v / 100) as u8, (v / 10 % 10) as u8, (v % 10) as u8);
        t[v] = if v >= 100 {
            (3, [b'0' + h, b'0' + d, b'0' + u])
        } else if v >= 10 {
            (2, [b'0' + d, b'0' + u, 0])
        } else {
            (1, [b'0' + u, 0, 0])
        };
        v += 1;
    }
    t
};

/// Decimal digits of a number, on the stack: `fmt`'s integer formatting
/// and padding cost more than the kernel's work per socket in a listing.
pub struct Num {
    buf: [u8; 20],
    start: usize,
}

impl Num {
    pub fn new(mut v: u64) -> Self {
        let mut buf = [b'0'; 20];
        let mut start = buf.len();
        // Two digits at a time from a table, then the last one or two.
        while v >= 100 && start >= 2 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            start -= 2;
            if let (Some(dst), Some(src)) =
                (buf.get_mut(start..start + 2), PAIRS.get(pair..pair + 2))
            {
                dst.copy_from_slice(src);
            }
        }
        if v >= 10 && start >= 2 {
            let pair = v as usize * 2;
            start -= 2;
            if let (Some(dst), Some(src)) =
                (buf.get_mut(start..start + 2), PAIRS.get(pair..pair + 2))
            {
                dst.copy_from_slice(src);
            }
        } else if start >= 1 {
            start -= 1;
            if let Some(d) = buf.get_mut(start) {
                // `v < 10` here; `% 10` keeps even a broken invariant in range.
                *d = b'0' + (v % 10) as u8;
            }
        }
        Num { buf, start }
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }
}

/// "00" to "99".
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

const SPACES: [u8; 64] = [b' '; 64];

/// `text` left-aligned in `width` columns, then one space.
fn column(w: &mut impl Write, text: &[u8], width: usize) -> io::Result<()> {
    w.write_all(text)?;
    let pad = width.saturating_sub(text.len()) + 1;
    w.write_all(SPACES.get(..pad).unwrap_or(b" "))
}

/// Interface names by index, looked up once each.
#[derive(Default)]
pub struct IfNames(Vec<(u32, String)>);

impl IfNames {
    pub fn get(&mut self, index: u32) -> &str {
        let pos = match self.0.iter().position(|(i, _)| *i == index) {
            Some(pos) => pos,
            None => {
                let name = nix::net::if_::if_indextoname(index)
                    .ok()
                    .and_then(|c| c.into_string().ok())
                    .unwrap_or_else(|| index.to_string());
                self.0.push((index, name));
                self.0.len() - 1
            }
        };
        self.0.get(pos).map_or("", |(_, n)| n.as_str())
    }
}

/// Where sockets go.
pub trait Sink {
    /// One socket.
    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()>;
    /// Writes out what is buffered (streams flush after each datagram).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// After the last socket: totals, flush. `elapsed` is the time the
    /// dumps took.
    fn finish(&mut self, elapsed: Duration) -> io::Result<()>;
}

/// What every writer needs besides the socket.
pub struct Context {
    pub show: Show,
    pub procs: Option<ProcessMap>,
    pub ifnames: IfNames,
}

/// `ss`'s local or peer column text.
fn endpoint(out: &mut StackStr, e: &Endpoint<'_>, v6only: bool, names: &mut IfNames, local: bool) {
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

/// `ss`'s timer text: `1min`, `2.5sec`... (`print_ms_timer`).
fn ms_timer(out: &mut impl fmt::Write, timeout: u32) -> fmt::Result {
    let mut secs = timeout / 1000;
    let minutes = secs / 60;
    secs %= 60;
    let mut msecs = timeout % 1000;
    if minutes > 0 {
        msecs = 0;
        write!(out, "{minutes}min")?;
        if minutes > 9 {
            secs = 0;
        }
    }
    if secs > 0 {
        if secs > 9 {
            msecs = 0;
        }
        write!(out, "{secs}{}", if msecs > 0 { "." } else { "sec" })?;
    }
    if msecs > 0 {
        write!(out, "{msecs:03}ms")?;
    }
    Ok(())
}

/// `ss`'s timer names.
fn timer_name(t: Timer) -> &'static str {
    match t {
        Timer::None => "off",
        Timer::Retransmit => "on",
        Timer::KeepAlive => "keepalive",
        Timer::TimeWait => "timewait",
        Timer::ZeroWindowProbe => "persist",
        Timer::DelayedAck | Timer::Unknown(_) => "unknown",
    }
}

/// ` name:value`.
fn kv(w: &mut impl Write, name: &str, v: u64) -> io::Result<()> {
    w.write_all(b" ")?;
    w.write_all(name.as_bytes())?;
    w.write_all(b":")?;
    w.write_all(Num::new(v).as_bytes())
}

/// Microseconds as `ss` prints milliseconds (`%g` of `us / 1000`): `204`,
/// `0.032`, `1.5`.
fn ms(w: &mut impl Write, us: u32) -> io::Result<()> {
    w.write_all(Num::new(u64::from(us / 1000)).as_bytes())?;
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
        w.write_all(b".")?;
        w.write_all(digits.get(..len).unwrap_or_default())?;
    }
    Ok(())
}

/// ` name:MS`.
fn kms(w: &mut impl Write, name: &str, us: u32) -> io::Result<()> {
    w.write_all(b" ")?;
    w.write_all(name.as_bytes())?;
    w.write_all(b":")?;
    ms(w, us)
}

/// A rate in bits per second as `ss` prints it (`1.5Mbps`), rounded to a
/// tenth of the unit.
fn rate(w: &mut impl Write, name: &str, bps: u64) -> io::Result<()> {
    w.write_all(b" ")?;
    w.write_all(name.as_bytes())?;
    w.write_all(b" ")?;
    let (unit, suffix): (u64, &[u8]) = match bps {
        r if r >= 1_000_000_000 => (1_000_000_000, b"G"),
        r if r >= 1_000_000 => (1_000_000, b"M"),
        r if r >= 1_000 => (1_000, b"K"),
        _ => (1, b""),
    };
    if unit == 1 {
        w.write_all(Num::new(bps).as_bytes())?;
    } else {
        let tenths = (u128::from(bps) * 10 + u128::from(unit / 2)) / u128::from(unit);
        let tenths = u64::try_from(tenths).unwrap_or(u64::MAX);
        w.write_all(Num::new(tenths / 10).as_bytes())?;
        w.write_all(b".")?;
        w.write_all(Num::new(tenths % 10).as_bytes())?;
    }
    w.write_all(suffix)?;
    w.write_all(b"bps")
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

/// A JSON string: escapes as it writes.
pub struct JsonStr<T>(pub T);

impl<T: fmt::Display> fmt::Display for JsonStr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Escape<'a, 'b>(&'a mut fmt::Formatter<'b>);
        impl fmt::Write for Escape<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for c in s.chars() {
                    match c {
                        '"' => self.0.write_str("\\\"")?,
                        '\\' => self.0.write_str("\\\\")?,
                        '\n' => self.0.write_str("\\n")?,
                        '\t' => self.0.write_str("\\t")?,
                        '\r' => self.0.write_str("\\r")?,
                        c if (c as u32) < 0x20 || c == '\u{7f}' => {
                            write!(self.0, "\\u{:04x}", c as u32)?
                        }
                        c => self.0.write_char(c)?,
                    }
                }
                Ok(())
            }
        }
        f.write_char('"')?;
        write!(Escape(f), "{}", self.0)?;
        f.write_char('"')
    }
}

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
        write!(w, ",\"state\":\"{}\"", s.state.name())?;
        match (s.local, s.peer) {
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
            ) => write!(
                w,
                ",\"src\":\"{addr}\",\"sport\":{port},\"dst\":\"{daddr}\",\"dport\":{dport},\"interface\":{ifindex}"
            )?,
            (Endpoint::Unix { name, .. }, Endpoint::Unix { inode: peer, .. }) => {
                match name {
                    Some(n) => write!(w, ",\"src\":{}", JsonStr(n))?,
                    None => write!(w, ",\"src\":null")?,
                }
                write!(w, ",\"peer_inode\":{peer}")?;
            }
            (Endpoint::Packet { protocol, ifindex }, _) => {
                write!(w, ",\"ethertype\":{protocol},\"interface\":{ifindex}")?;
            }
            (Endpoint::Netlink { protocol, port_id }, Endpoint::NetlinkPeer { group, port_id: dst }) => {
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
                    timer_name(t)
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
                const NAMES: [&str; 9] = [
                    "rmem_alloc",
                    "rcvbuf",
                    "wmem_alloc",
                    "sndbuf",
                    "fwd_alloc",
                    "wmem_queued",
                    "optmem",
                    "backlog",
                    "drops",
                ];
                write!(w, ",\"skmem\":{{")?;
                for (n, name) in NAMES.iter().enumerate() {
                    if let Some(v) = m.get(n) {
                        write!(w, "{}\"{name}\":{v}", if n == 0 { "" } else { "," })?;
                    }
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

/// Sockets counted by (netid, family, state).
#[derive(Default)]
pub struct Counts(Vec<((&'static str, &'static str, TcpState), u64)>);

impl Counts {
    pub fn add(&mut self, s: &Sock<'_>) {
        let key = (s.netid, s.family, s.state);
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => self.0.push((key, 1)),
        }
    }

    fn sorted(&mut self) -> &[((&'static str, &'static str, TcpState), u64)] {
        self.0
            .sort_by_key(|((netid, family, state), _)| (*netid, *family, state.to_raw()));
        &self.0
    }
}

/// Prometheus text exposition.
pub struct PromOut<W: Write> {
    pub out: W,
    pub counts: Counts,
    /// With `-i`: per-socket labels and the `tcp_info` values (`u64::MAX`
    /// where the kernel did not send the field), `fields` per socket.
    pub info: Option<(Vec<InfoLabels>, Vec<u64>)>,
}

/// Labels of a socket's `tcp_info` gauges.
#[derive(Clone, Copy)]
pub struct InfoLabels {
    family: &'static str,
    state: TcpState,
    src: IpAddr,
    sport: u16,
    dst: IpAddr,
    dport: u16,
}

impl<W: Write> Sink for PromOut<W> {
    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        self.counts.add(s);
        if let (
            Some((labels, values)),
            Some(i),
            Endpoint::Ip { addr, port, .. },
            Endpoint::Ip {
                addr: dst,
                port: dport,
                ..
            },
        ) = (&mut self.info, s.x.tcp_info, s.local, s.peer)
        {
            labels.push(InfoLabels {
                family: s.family,
                state: s.state,
                src: addr,
                sport: port,
                dst,
                dport,
            });
            values.extend(i.fields().map(|(_, v)| v.unwrap_or(u64::MAX)));
        }
        Ok(())
    }

    fn finish(&mut self, elapsed: Duration) -> io::Result<()> {
        let w = &mut self.out;
        writeln!(
            w,
            "# HELP sockdiag_sockets Sockets by protocol, address family and state (sock_diag)."
        )?;
        writeln!(w, "# TYPE sockdiag_sockets gauge")?;
        for ((netid, family, state), n) in self.counts.sorted() {
            writeln!(
                w,
                "sockdiag_sockets{{protocol=\"{netid}\",family=\"{family}\",state=\"{}\"}} {n}",
                state.name()
            )?;
        }
        if let Some((labels, values)) = &self.info {
            let names = TcpField::ALL.iter().map(|f| f.name());
            let count = names.len();
            for (k, name) in names.enumerate() {
                let rows = labels
                    .iter()
                    .zip(values.chunks(count))
                    .filter_map(|(l, row)| row.get(k).filter(|&&v| v != u64::MAX).map(|v| (l, v)));
                let mut rows = rows.peekable();
                if rows.peek().is_none() {
                    continue;
                }
                writeln!(
                    w,
                    "# HELP sockdiag_tcp_info_{name} tcp_info field tcpi_{name} of each TCP socket."
                )?;
                writeln!(w, "# TYPE sockdiag_tcp_info_{name} gauge")?;
                for (l, v) in rows {
                    writeln!(
                        w,
                        "sockdiag_tcp_info_{name}{{family=\"{}\",state=\"{}\",src=\"{}\",sport=\"{}\",dst=\"{}\",dport=\"{}\"}} {v}",
                        l.family,
                        l.state.name(),
                        l.src,
                        l.sport,
                        l.dst,
                        l.dport
                    )?;
                }
            }
        }
        writeln!(
            w,
            "# HELP sockdiag_dump_duration_seconds Time the sock_diag dumps took."
        )?;
        writeln!(w, "# TYPE sockdiag_dump_duration_seconds gauge")?;
        writeln!(
            w,
            "sockdiag_dump_duration_seconds {}",
            elapsed.as_secs_f64()
        )?;
        w.flush()
    }
}

/// `-s`: counts by protocol, family and state.
pub struct SummaryOut<W: Write> {
    pub out: W,
    pub counts: Counts,
    pub json: bool,
}

impl<W: Write> Sink for SummaryOut<W> {
    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        self.counts.add(s);
        Ok(())
    }

    fn finish(&mut self, _elapsed: Duration) -> io::Result<()> {
        let json = self.json;
        let rows = self.counts.sorted();
        let w = &mut self.out;
        let total: u64 = rows.iter().map(|(_, n)| n).sum();
        if json {
            for ((netid, family, state), n) in rows {
                writeln!(
                    w,
                    "{{\"protocol\":\"{netid}\",\"family\":\"{family}\",\"state\":\"{}\",\"count\":{n}}}",
                    state.name()
                )?;
            }
            return w.flush();
        }
        writeln!(w, "Total: {total}")?;
        let mut i = 0;
        while let Some(((netid, family, _), _)) = rows.get(i) {
            let group: Vec<_> = rows
                .iter()
                .skip(i)
                .take_while(|((n, f, _), _)| n == netid && f == family)
                .collect();
            let sum: u64 = group.iter().map(|(_, n)| n).sum();
            write!(w, "{netid:<7} {family:<7} {sum:>8} ")?;
            for (k, ((_, _, state), n)) in group.iter().enumerate() {
                write!(
                    w,
                    "{}{} {n}",
                    if k == 0 { "(" } else { ", " },
                    ss_state(*state)
                )?;
            }
            writeln!(w, ")")?;
            i += group.len();
        }
        w.flush()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn numbers_and_columns_like_fmt() {
        let mut edges = vec![u64::MAX, u64::MAX - 1];
        for p in 0..20 {
            let t = 10u64.pow(p);
            edges.extend([t - 1, t, t + 1, t.saturating_mul(9)]);
        }
        for v in edges.into_iter().chain(0..100_000) {
            assert_eq!(Num::new(v).as_bytes(), v.to_string().as_bytes());
        }
        let mut out = Vec::new();
        column(&mut out, b"ESTAB", 10).unwrap();
        column(&mut out, b"a-very-long-address:65535", 6).unwrap();
        assert_eq!(
            out,
            format!("{:<10} {:<6} ", "ESTAB", "a-very-long-address:65535").as_bytes()
        );
        let mut s = StackStr::new();
        let mut names = IfNames::default();
        let e = Endpoint::Ip {
            addr: IpAddr::from([10, 0, 255, 1]),
            port: 443,
            ifindex: 0,
        };
        endpoint(&mut s, &e, false, &mut names, true);
        assert_eq!(s.as_str(), "10.0.255.1:443");
        for o in 0..=255u8 {
            s.clear();
            s.push_ipv4([o, 9, 99, 100]);
            assert_eq!(s.as_str(), format!("{o}.9.99.100"));
        }
        // Text that does not fit is cut at a character boundary.
        s.clear();
        let long = "é".repeat(100);
        let _ = s.write_str("x");
        let _ = s.write_str(&long);
        assert_eq!(s.as_bytes().len(), 159);
        assert_eq!(s.as_str().len(), 159);
        assert!(s.as_str().ends_with('é'));
        let mut out = Vec::new();
        for us in [0, 1, 10, 100, 204_000, 1_500, 32, 1_230, 999_999] {
            ms(&mut out, us).unwrap();
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 0.001 0.01 0.1 204 1.5 0.032 1.23 999.999 "
        );
        let mut out = Vec::new();
        for r in [999, 1_500, 26_733_974_980 * 8, 2_520_615_384 * 8] {
            rate(&mut out, "r", r).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            " r 999bps r 1.5Kbps r 213.9Gbps r 20.2Gbps"
        );
    }
}
