//! `-E`: the kernel's announcements of destroyed sockets, as they come.

use sockdiag::inet::Protocol;
use sockdiag::{DestroyEvents, DestroyGroups};

use crate::args::{Options, Table};
use crate::list::selected;
use crate::out::Sink;
use crate::replay::filter_matches;
use crate::view;
use crate::{failure, Failure};

/// `-E`: the kernel's announcements of destroyed sockets, as they come.
pub fn events(o: &Options, sink: &mut dyn Sink) -> Result<(), Failure> {
    let mut groups = DestroyGroups::empty();
    for t in &o.tables {
        match (t, o.v4, o.v6) {
            (Table::Inet(Protocol::Tcp), v4, v6) => {
                groups.set(DestroyGroups::INET_TCP, v4);
                groups.set(DestroyGroups::INET6_TCP, v6);
            }
            (Table::Inet(Protocol::Udp), v4, v6) => {
                groups.set(DestroyGroups::INET_UDP, v4);
                groups.set(DestroyGroups::INET6_UDP, v6);
            }
            _ => {}
        }
    }
    let mut sub = DestroyEvents::subscribe(groups)
        .map_err(|e| failure(e, "subscribing to destroy events (-E)"))?;
    let mut seen = 0u64;
    loop {
        if o.count.is_some_and(|c| seen >= c) {
            return Ok(());
        }
        let batch = sub
            .next_batch()
            .map_err(|e| failure(e, "receiving destroy events"))?;
        for m in batch {
            let table = Table::Inet(m.protocol().unwrap_or(Protocol::Tcp));
            let s = view::inet(None, &m).whole().map_err(Failure::Run)?;
            if o.tables.contains(&table) && selected(o, table, &s, None) && filter_matches(o, &m)? {
                sink.sock(&s)?;
                seen += 1;
            }
        }
        sink.flush()?;
    }
}
