//! Prometheus text exposition of a listing.

use std::io::{self, Write};
use std::net::IpAddr;
use std::time::Duration;

use sockdiag::inet::{TcpField, TcpState};

use super::{Counts, Sink};
use crate::view::Sock;

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
        if let (Some((labels, values)), Some(i), Some((src, dst, _))) =
            (&mut self.info, s.x.tcp_info, s.inet_ends())
        {
            labels.push(InfoLabels {
                family: s.family,
                state: s.state,
                src: src.ip(),
                sport: src.port(),
                dst: dst.ip(),
                dport: dst.port(),
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
