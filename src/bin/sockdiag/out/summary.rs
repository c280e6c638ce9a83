//! `-s`: the kernel's counters as `ss -s` prints them, or, for a
//! selection, counts by protocol, family and state.

use std::io::{self, BufWriter, Write};
use std::time::Duration;

use sockdiag::files::SockStat;

use super::{Counts, Sink};
use crate::args::{Format, Options};
use crate::view::{ss_state, Sock};
use crate::{failure, in_netns, Failure};

/// `-s` with nothing selected: `ss -s` from the kernel's counters
/// (`/proc/net/sockstat`, `sockstat6`, `snmp` of the listed namespace):
/// the same text, in constant time whatever the number of sockets.
pub fn kernel(o: &Options) -> Result<(), Failure> {
    let s = in_netns(o, sockdiag::system::sockstat)
        .map_err(|e| failure(e, "reading the socket counters"))?;
    let mut w = BufWriter::new(io::stdout());
    match o.format {
        Format::Table => ss_summary(&mut w, &s)?,
        Format::Json => json_summary(&mut w, &s)?,
        Format::Prom => prom_summary(&mut w, &s)?,
    }
    w.flush()?;
    Ok(())
}

/// The counts `ss -s` derives: (total, ip, ipv6) per row.
fn rows(s: &SockStat) -> [(&'static str, i64, i64); 5] {
    let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let raw = (i(s.raw_inuse), i(s.raw6_inuse));
    let udp = (i(s.udp_inuse), i(s.udp6_inuse));
    let tcp = (i(s.tcp_inuse), i(s.tcp6_inuse));
    let inet = (raw.0 + udp.0 + tcp.0, raw.1 + udp.1 + tcp.1);
    let frag = (i(s.frag_inuse), i(s.frag6_inuse));
    [
        ("RAW", raw.0, raw.1),
        ("UDP", udp.0, udp.1),
        ("TCP", tcp.0, tcp.1),
        ("INET", inet.0, inet.1),
        ("FRAG", frag.0, frag.1),
    ]
}

/// `ss`'s TCP line: (all, estab, closed, orphaned, timewait).
fn tcp_line(s: &SockStat) -> (i64, i64, i64, i64, i64) {
    let i = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
    let total = i(s.tcp_alloc);
    let tw = i(s.tcp_tw);
    (
        total + tw,
        i(s.tcp_curr_estab),
        total - (i(s.tcp_inuse) + i(s.tcp6_inuse) - tw),
        i(s.tcp_orphan),
        tw,
    )
}

/// `ss -s`'s text, byte for byte.
fn ss_summary(w: &mut impl Write, s: &SockStat) -> io::Result<()> {
    writeln!(w, "Total: {}", s.sockets_used)?;
    let (all, estab, closed, orphaned, tw) = tcp_line(s);
    writeln!(
        w,
        "TCP:   {all} (estab {estab}, closed {closed}, orphaned {orphaned}, timewait {tw})"
    )?;
    writeln!(w)?;
    writeln!(w, "Transport Total     IP        IPv6")?;
    for (name, ip, ip6) in rows(s) {
        writeln!(w, "{name}\t  {:<9} {ip:<9} {ip6:<9}", ip + ip6)?;
    }
    writeln!(w)
}

/// The same counters as one JSON object.
fn json_summary(w: &mut impl Write, s: &SockStat) -> io::Result<()> {
    let (all, estab, closed, orphaned, tw) = tcp_line(s);
    write!(
        w,
        "{{\"total\":{},\"tcp\":{{\"total\":{all},\"estab\":{estab},\"closed\":{closed},\"orphaned\":{orphaned},\"timewait\":{tw}}}",
        s.sockets_used
    )?;
    for (name, ip, ip6) in rows(s) {
        write!(
            w,
            ",\"{}\":{{\"total\":{},\"ip\":{ip},\"ipv6\":{ip6}}}",
            name.to_lowercase(),
            ip + ip6
        )?;
    }
    writeln!(w, "}}")
}

/// The same counters as Prometheus gauges.
fn prom_summary(w: &mut impl Write, s: &SockStat) -> io::Result<()> {
    let (all, estab, closed, orphaned, tw) = tcp_line(s);
    writeln!(
        w,
        "# HELP sockdiag_sockets_used Sockets of every family, host-wide (sockstat)."
    )?;
    writeln!(w, "# TYPE sockdiag_sockets_used gauge")?;
    writeln!(w, "sockdiag_sockets_used {}", s.sockets_used)?;
    writeln!(
        w,
        "# HELP sockdiag_tcp_sockets TCP sockets as ss -s counts them."
    )?;
    writeln!(w, "# TYPE sockdiag_tcp_sockets gauge")?;
    for (kind, v) in [
        ("all", all),
        ("estab", estab),
        ("closed", closed),
        ("orphaned", orphaned),
        ("timewait", tw),
    ] {
        writeln!(w, "sockdiag_tcp_sockets{{kind=\"{kind}\"}} {v}")?;
    }
    writeln!(
        w,
        "# HELP sockdiag_inuse_sockets Sockets in use by transport and family (sockstat)."
    )?;
    writeln!(w, "# TYPE sockdiag_inuse_sockets gauge")?;
    for (name, ip, ip6) in rows(s) {
        let t = name.to_lowercase();
        writeln!(
            w,
            "sockdiag_inuse_sockets{{transport=\"{t}\",family=\"inet\"}} {ip}"
        )?;
        writeln!(
            w,
            "sockdiag_inuse_sockets{{transport=\"{t}\",family=\"inet6\"}} {ip6}"
        )?;
    }
    Ok(())
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
