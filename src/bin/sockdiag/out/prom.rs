//! Prometheus text exposition of a listing.

use std::io::{self, Write};
use std::net::IpAddr;
use std::time::Duration;

use sockdiag::inet::{TcpField, TcpState};

use super::exposition::{Family, Format, Type, Writer};
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
        let mut w = Writer::new(Format::Text);
        w.family(&SOCKETS);
        for ((netid, family, state), n) in self.counts.sorted() {
            let labels = [
                ("protocol", *netid),
                ("family", *family),
                ("state", state.name()),
            ];
            w.sample(&SOCKETS, "", &labels, *n as f64);
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
                let (metric, help) = (
                    format!("sockdiag_tcp_info_{name}"),
                    format!("tcp_info field tcpi_{name} of each TCP socket."),
                );
                let f = Family {
                    name: &metric,
                    help: &help,
                    kind: Type::Gauge,
                    unit: None,
                };
                w.family(&f);
                for (l, v) in rows {
                    let (src, sport, dst, dport) = (
                        l.src.to_string(),
                        l.sport.to_string(),
                        l.dst.to_string(),
                        l.dport.to_string(),
                    );
                    let labels = [
                        ("family", l.family),
                        ("state", l.state.name()),
                        ("src", src.as_str()),
                        ("sport", sport.as_str()),
                        ("dst", dst.as_str()),
                        ("dport", dport.as_str()),
                    ];
                    w.sample(&f, "", &labels, *v as f64);
                }
            }
        }
        w.family(&DUMP_SECONDS);
        w.sample(&DUMP_SECONDS, "", &[], elapsed.as_secs_f64());
        self.out.write_all(w.finish().as_bytes())?;
        self.out.flush()
    }
}

const SOCKETS: Family<'static> = Family {
    name: "sockdiag_sockets",
    help: "Sockets by protocol, address family and state (sock_diag).",
    kind: Type::Gauge,
    unit: None,
};

const DUMP_SECONDS: Family<'static> = Family {
    name: "sockdiag_dump_duration_seconds",
    help: "Time the sock_diag dumps took.",
    kind: Type::Gauge,
    unit: Some("seconds"),
};
