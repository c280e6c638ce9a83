//! `--replay FILE`: a recorded dump listed or counted as the kernel would
//! have selected it.

use std::time::Instant;

use sockdiag::inet::filter::Entry;
use sockdiag::inet::{Family, InetMsg, Protocol};
use sockdiag::replay::{Record, Replay};

use crate::args::{Options, Table};
use crate::list::selected;
use crate::out::Sink;
use crate::view;
use crate::Failure;

/// Whether an inet socket of a recording passes the filter expression.
pub fn filter_matches(o: &Options, m: &InetMsg<'_>) -> Result<bool, Failure> {
    let Some((f, text)) = &o.filter else {
        return Ok(true);
    };
    let entry =
        Entry::from_msg(m).map_err(|e| Failure::Run(format!("--replay: a damaged reply: {e}")))?;
    f.matches(&entry).ok_or_else(|| {
        Failure::Run(format!(
            "--replay: the filter '{text}' needs a fact the recording does not hold (autobound, or a mark or cgroup the dump did not carry)"
        ))
    })
}

/// `--replay FILE`: the recorded sockets, selected as the kernel would.
pub fn replay(o: &Options, sink: &mut dyn Sink) -> Result<(), Failure> {
    let start = Instant::now();
    let Some(path) = &o.replay else {
        return Ok(());
    };
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Run(format!("--replay {}: {e}", path.display())))?;
    // Inet replies do not say their protocol; a single selected inet
    // protocol names it, INET_DIAG_PROTOCOL (when recorded) overrides.
    let inet: Vec<Protocol> = o
        .tables
        .iter()
        .filter_map(|t| match t {
            Table::Inet(p) => Some(*p),
            _ => None,
        })
        .collect();
    let assumed = match inet.as_slice() {
        [p] => Some(*p),
        _ => None,
    };
    let mut records = Replay::new(&bytes);
    if !inet.is_empty() {
        records = records.with_inet_protocol(assumed.unwrap_or(Protocol::Tcp));
    }
    for record in records {
        let record =
            record.map_err(|e| Failure::Run(format!("--replay {}: {e}", path.display())))?;
        match record {
            Record::Inet(m) => {
                let p = m.protocol().or(assumed);
                let table = match p {
                    Some(p) if inet.contains(&p) => Table::Inet(p),
                    None if !inet.is_empty() => Table::Inet(Protocol::Tcp),
                    _ => continue,
                };
                let family_ok = match m.family() {
                    Family::Inet => o.v4,
                    Family::Inet6 => o.v6,
                };
                let s = view::inet(p, &m).whole().map_err(Failure::Run)?;
                if family_ok && selected(o, table, &s, None) && filter_matches(o, &m)? {
                    sink.sock(&s)?;
                }
            }
            Record::Unix(m) if o.tables.contains(&Table::Unix) && o.filter.is_none() => {
                let s = view::unix(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Unix, &s, Some(m.socket_type())) {
                    sink.sock(&s)?;
                }
            }
            Record::Packet(m) if o.tables.contains(&Table::Packet) && o.filter.is_none() => {
                let s = view::packet(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Packet, &s, None) {
                    sink.sock(&s)?;
                }
            }
            Record::Vsock(m) if o.tables.contains(&Table::Vsock) && o.filter.is_none() => {
                let s = view::vsock(&m);
                if selected(o, Table::Vsock, &s, Some(m.socket_type())) {
                    sink.sock(&s)?;
                }
            }
            Record::Smc(m) if o.tables.contains(&Table::Smc) && o.filter.is_none() => {
                let s = view::smc(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Smc, &s, None) {
                    sink.sock(&s)?;
                }
            }
            Record::Xdp(m) if o.tables.contains(&Table::Xdp) && o.filter.is_none() => {
                let s = view::xdp(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Xdp, &s, None) {
                    sink.sock(&s)?;
                }
            }
            Record::Netlink(m) if o.tables.contains(&Table::Netlink) && o.filter.is_none() => {
                let s = view::netlink(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Netlink, &s, None) {
                    sink.sock(&s)?;
                }
            }
            Record::Done(d) => recorded_error(o, d.errno().unwrap_or(0), path)?,
            Record::Error(e) => recorded_error(o, e.errno().unwrap_or(0), path)?,
            _ => {}
        }
    }
    sink.finish(start.elapsed())?;
    Ok(())
}

/// A recorded dump that ended with an error: `ENOENT` (a missing diag
/// module) is skipped like a live one unless the tables were named.
fn recorded_error(o: &Options, errno: i32, path: &std::path::Path) -> Result<(), Failure> {
    let enoent = nix::errno::Errno::ENOENT as i32;
    match errno {
        0 => Ok(()),
        e if e == enoent && !o.explicit_tables => Ok(()),
        e => Err(Failure::Run(format!(
            "--replay {}: the recorded dump ended with the kernel's error {e} ({}){}",
            path.display(),
            nix::errno::Errno::from_raw(e).desc(),
            if e == enoent {
                ": that protocol's diag module was not available"
            } else {
                ""
            }
        ))),
    }
}
