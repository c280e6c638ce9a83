//! `sockdiag exporter`: the library's poller for each selected table of
//! each scanned network namespace, every `--interval`, on one thread;
//! aggregates of every listed socket and counters that survive churn;
//! both exposition formats rendered after each poll and served over HTTP
//! by another thread, so that a scrape never starts a dump.

mod http;
mod metrics;
mod record;

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime};

use sockdiag::inet::{Protocol, TcpState};
use sockdiag::poll::{Brief, Change, End};
use sockdiag::procs::ProcessMap;
use sockdiag::system::CgroupPaths;
use sockdiag::{DestroyEvents, DestroyGroups, DiagSocket, Error, FoundNetNs, NetNs};

use crate::args::{ExporterLabels, Format as OutFormat, Options, Table, Workers};
use crate::polling::{poll_failure, tracked, watched, Observer, Watched};
use crate::view::{self, Sock};
use crate::watch::Printer;
use crate::{failure, Failure};

use crate::out::exposition::Format;
use http::Rendered;
use metrics::{Aggregates, Counters, Extra, Health, Ns, Totals};
use record::{Recorder, Stamp};

/// `sockdiag exporter`: polls, and serves what the last poll found.
pub fn run(o: &Options) -> Result<(), Failure> {
    let mut o = o.clone();
    // tcp_info for the distributions and the byte counters; one thread
    // per namespace's dump (the poll thread), no timing of strategies.
    o.show.info = true;
    o.workers = Workers::One;
    let o = &o;
    // The change log's lines are the watch's JSON.
    let json = Options {
        format: OutFormat::Json,
        ..o.clone()
    };
    let listen = o.exporter.listen;
    // Bound before the first poll: an address in use is an error at once.
    let listener = std::net::TcpListener::bind(listen)
        .map_err(|e| Failure::Run(format!("--listen {listen}: {e}")))?;
    let addr = listener.local_addr().map_or(listen, |a| a);
    let mut agent = Agent::new(o, &json)?;
    // The first poll before serving: a scrape always has a whole poll.
    agent.poll()?;
    let shared = Arc::new(Mutex::new(agent.render()));
    http::serve(listener, Arc::clone(&shared), http::Limits::default())
        .map_err(|e| Failure::Run(format!("starting the HTTP threads: {e}")))?;
    eprintln!("sockdiag: serving http://{addr}/metrics");
    let mut next = Instant::now() + o.interval;
    loop {
        let now = Instant::now();
        if now < next {
            std::thread::sleep(next - now);
        }
        next = next.max(now) + o.interval;
        agent.poll()?;
        let rendered = agent.render();
        *shared.lock().unwrap_or_else(PoisonError::into_inner) = rendered;
    }
}

/// The destroy groups of the selected tables.
fn groups(o: &Options) -> DestroyGroups {
    let mut g = DestroyGroups::empty();
    for t in &o.tables {
        match t {
            Table::Inet(Protocol::Tcp) => {
                g.set(DestroyGroups::INET_TCP, o.v4);
                g.set(DestroyGroups::INET6_TCP, o.v6);
            }
            Table::Inet(Protocol::Udp) => {
                g.set(DestroyGroups::INET_UDP, o.v4);
                g.set(DestroyGroups::INET6_UDP, o.v6);
            }
            _ => {}
        }
    }
    g
}

/// What the optional labels are read from, anew each poll: one walk of
/// `/proc` (the processes holding each socket inode) and of the cgroup
/// tree, each only if its label is on.
struct Labeller {
    labels: ExporterLabels,
    procs: Option<ProcessMap>,
    cgroups: Option<CgroupPaths>,
}

impl Labeller {
    fn refresh(&mut self) {
        if self.labels.process {
            self.procs = ProcessMap::scan().ok();
        }
        if self.labels.cgroup {
            self.cgroups = Some(CgroupPaths::scan());
        }
    }

    /// The optional labels of `s` (empty where a label is off).
    fn extra(&self, s: &Sock<'_>) -> Extra {
        let l = &self.labels;
        let process = l.process.then(|| {
            self.procs
                .as_ref()
                .and_then(|p| {
                    let owner = p.owners(s.inode).first()?;
                    p.command(owner.pid).map(str::to_owned)
                })
                .unwrap_or_default()
        });
        let cgroup = l.cgroup.then(|| {
            s.x.cgroup_id
                .and_then(|id| self.cgroups.as_ref()?.path_of(id).map(str::to_owned))
                .unwrap_or_default()
        });
        let remote = match (l.remote, s.inet_ends()) {
            (Some((v4, v6)), Some((_, peer, _))) if s.state != TcpState::Listen => {
                Some(network(peer.ip(), v4, v6))
            }
            _ => None,
        };
        Extra {
            process,
            cgroup,
            remote,
        }
    }
}

/// `ip`'s network of prefix `v4` (IPv4) or `v6` (IPv6) bits: `10.1.2.0/24`.
fn network(ip: std::net::IpAddr, v4: u8, v6: u8) -> String {
    match ip {
        std::net::IpAddr::V4(a) => {
            let bits = u32::from(a);
            let mask = u32::MAX.checked_shl(32 - u32::from(v4)).unwrap_or(0);
            format!("{}/{v4}", std::net::Ipv4Addr::from(bits & mask))
        }
        std::net::IpAddr::V6(a) => {
            let bits = u128::from(a);
            let mask = u128::MAX.checked_shl(128 - u32::from(v6)).unwrap_or(0);
            format!("{}/{v6}", std::net::Ipv6Addr::from(bits & mask))
        }
    }
}

/// What is kept of a socket between polls for the counters.
#[derive(Clone, Copy, Debug)]
struct Conn {
    /// `ss`'s Netid (the counters' `protocol` label).
    protocol: &'static str,
    /// A listener: not a connection.
    listener: bool,
    /// Its counters when last seen with `tcp_info`.
    totals: Totals,
    /// Already counted closed: a TIME-WAIT socket whose full socket's
    /// destroy event was counted.
    closed: bool,
    /// A TIME-WAIT socket first seen as such (its ends are in
    /// `time_wait`).
    time_wait: bool,
}

/// One scanned network namespace.
struct Scanned {
    /// Its `netns` label: its name, else its inode.
    label: String,
    pollers: Vec<Watched>,
    /// Its destroy events (`None` where no selected table has them).
    events: Option<DestroyEvents>,
    /// Polls finished.
    polls: u64,
    /// Every socket listed, by cookie.
    conns: HashMap<u64, Conn>,
    /// Destroy events of sockets still listed (destroyed after the dump,
    /// or into TIME-WAIT), applied when they go.
    finals: HashMap<u64, Totals>,
    /// Sockets gone without their destroy event yet: how many more polls
    /// to wait for it.
    waiting: HashMap<u64, (Conn, u8)>,
    /// When its last poll finished.
    polled: Option<Instant>,
    /// Connections counted opened and closed by their destroy event
    /// alone, by their ends: how many more polls may still list them in
    /// TIME-WAIT. (A full socket no dump saw has no cookie yet when it
    /// goes into TIME-WAIT: its TIME-WAIT socket and its destroy event
    /// get two different ones. The ends tell they are one connection.)
    destroyed: HashMap<Ends, u8>,
    /// TIME-WAIT sockets first seen as such, by their ends: their full
    /// socket's destroy event may come after.
    time_wait: HashMap<Ends, u64>,
}

/// A connection's local and remote ends.
type Ends = (std::net::SocketAddr, std::net::SocketAddr);

/// The ends of an inet socket.
fn ends(s: &Sock<'_>) -> Option<Ends> {
    s.inet_ends().map(|(l, r, _)| (l, r))
}

/// The exporter's state: namespaces, counters, the last poll's
/// aggregates and its own health.
struct Agent<'o> {
    o: &'o Options,
    /// The change log, if asked for: its lines and its files.
    record: Option<(Printer<'o>, Recorder)>,
    labeller: Labeller,
    /// This process's namespace and its label, found once (neither
    /// `--all-netns` nor `-N`).
    own: Option<(u64, String)>,
    scanned: BTreeMap<u64, Scanned>,
    counters: Counters,
    aggregates: Aggregates,
    health: Health,
}

/// This process's own network namespace, as [`NetNs::discover`] would
/// name it.
fn own_namespace() -> Result<FoundNetNs, Failure> {
    let own = std::fs::metadata("/proc/self/ns/net")
        .map_err(|e| Failure::Run(format!("/proc/self/ns/net: {e}")))?;
    use std::os::unix::fs::MetadataExt;
    let found = NetNs::discover().map_err(|e| Failure::Run(format!("reading /proc: {e}")))?;
    found
        .into_iter()
        .find(|f| f.inode == own.ino())
        .ok_or_else(|| Failure::Run("this process's network namespace is not in /proc".to_owned()))
}

impl<'o> Agent<'o> {
    fn new(o: &'o Options, json: &'o Options) -> Result<Self, Failure> {
        let record = match &o.exporter.record {
            Some(dir) => {
                let e = &o.exporter;
                let r = Recorder::new(dir, e.record_size, e.record_age, e.record_gzip)
                    .map_err(|err| Failure::Run(format!("--record {}: {err}", dir.display())))?;
                Some((Printer::change_log(json), r))
            }
            None => None,
        };
        let own = if o.exporter.all_netns || o.netns.is_some() {
            None
        } else {
            let f = own_namespace()?;
            let label = f.name.clone().unwrap_or_else(|| f.inode.to_string());
            Some((f.inode, label))
        };
        Ok(Agent {
            o,
            own,
            record,
            labeller: Labeller {
                labels: o.exporter.labels,
                procs: None,
                cgroups: None,
            },
            scanned: BTreeMap::new(),
            counters: Counters::default(),
            aggregates: Aggregates::new(o.exporter.max_series),
            health: Health::default(),
        })
    }

    /// The namespaces to scan now: every one of the host's with
    /// `--all-netns`, else `-N`'s or this process's.
    fn namespaces(&self) -> Result<Vec<(u64, String, Option<FoundNetNs>)>, Failure> {
        let label = |f: &FoundNetNs| f.name.clone().unwrap_or_else(|| f.inode.to_string());
        if self.o.exporter.all_netns {
            let found =
                NetNs::discover().map_err(|e| Failure::Run(format!("reading /proc: {e}")))?;
            return Ok(found
                .into_iter()
                .map(|f| (f.inode, label(&f), Some(f)))
                .collect());
        }
        if let Some(ns) = &self.o.netns {
            // -N: the label is what the user named.
            return Ok(vec![(0, ns.clone(), None)]);
        }
        Ok(self
            .own
            .iter()
            .map(|(inode, l)| (*inode, l.clone(), None))
            .collect())
    }

    /// Opens the pollers and the destroy subscription of a namespace.
    fn open(&self, label: String, found: Option<&FoundNetNs>) -> Result<Scanned, Failure> {
        let o = self.o;
        let open = || -> Result<DiagSocket, Failure> {
            match found {
                Some(f) => DiagSocket::in_netns(f.netns())
                    .map_err(|e| failure(e, "opening a sock_diag socket")),
                None => crate::open(o),
            }
        };
        // The change log reports tracked counters that moved.
        let track = if o.exporter.record.is_some() {
            tracked(o)
        } else {
            Vec::new()
        };
        let pollers = watched(o, &open, &track)?;
        let groups = groups(o);
        let events = if groups.is_empty() {
            None
        } else {
            let subscribe = || DestroyEvents::subscribe(groups);
            let r = match found {
                Some(f) => f.netns().run(subscribe),
                None => crate::in_netns(o, subscribe),
            };
            Some(r.map_err(|e| failure(e, "subscribing to destroy events"))?)
        };
        Ok(Scanned {
            label,
            pollers,
            events,
            polls: 0,
            conns: HashMap::new(),
            finals: HashMap::new(),
            waiting: HashMap::new(),
            destroyed: HashMap::new(),
            time_wait: HashMap::new(),
            polled: None,
        })
    }

    /// One poll of every namespace: namespaces found or gone since the
    /// last, every table's dump, the destroy events since.
    fn poll(&mut self) -> Result<(), Failure> {
        let start = Instant::now();
        let wanted = self.namespaces()?;
        // Gone namespaces: their sockets, descriptors and series go.
        let keep: Vec<u64> = wanted.iter().map(|w| w.0).collect();
        let gone: Vec<u64> = self
            .scanned
            .keys()
            .filter(|k| !keep.contains(k))
            .copied()
            .collect();
        for inode in gone {
            if self.scanned.remove(&inode).is_some() {
                self.counters.forget(inode);
                self.health.forget(inode);
            }
        }
        for (inode, label, found) in &wanted {
            if self.scanned.contains_key(inode) {
                continue;
            }
            match self.open(label.clone(), found.as_ref()) {
                Ok(s) => {
                    self.scanned.insert(*inode, s);
                }
                // A namespace that went between discovery and now, or
                // that cannot be entered: counted, tried again next poll.
                Err(Failure::Usage(m)) => return Err(Failure::Usage(m)),
                Err(_) if self.o.exporter.all_netns => self.health.open_errors += 1,
                Err(e) => return Err(e),
            }
        }
        self.aggregates.clear();
        self.labeller.refresh();
        let seq = self.health.polls + 1;
        for (&ns, s) in &mut self.scanned {
            let mut pass = Pass {
                ns,
                record: self.record.as_mut().map(|(p, _)| p),
                first: s.polls == 0,
                conns: &mut s.conns,
                finals: &mut s.finals,
                waiting: &mut s.waiting,
                destroyed: &mut s.destroyed,
                time_wait: &mut s.time_wait,
                counters: &mut self.counters,
                agg: &mut self.aggregates,
                labeller: &self.labeller,
                error: None,
            };
            let mut failed = false;
            for w in &mut s.pollers {
                match w.poll(&mut pass) {
                    Ok(_) | Err(Error::DumpInterrupted) => {}
                    Err(e) => {
                        // Logged, counted, and the next poll tries again.
                        if let Failure::Run(m) | Failure::Usage(m) = poll_failure(w.table, e) {
                            eprintln!("sockdiag: netns {}: {m}", s.label);
                        }
                        failed = true;
                    }
                }
            }
            if let Some(e) = &pass.error {
                eprintln!("sockdiag: netns {}: {e}", s.label);
                failed = true;
            }
            self.aggregates.finish_namespace(ns, &self.o.exporter.ports);
            if let Some((printer, recorder)) = &mut self.record {
                let lines = printer.take_lines()?;
                let now = Instant::now();
                let stamp = Stamp {
                    seq,
                    time: SystemTime::now()
                        .duration_since(SystemTime::UNIX_EPOCH)
                        .map_or(0.0, |d| d.as_secs_f64()),
                    interval: s.polled.map_or(0.0, |t| (now - t).as_secs_f64()),
                    netns: &s.label,
                };
                recorder
                    .write(&lines, stamp)
                    .map_err(|e| Failure::Run(format!("writing the change log: {e}")))?;
            }
            s.polled = Some(Instant::now());
            if let Some(events) = &mut s.events {
                let first = s.polls == 0;
                drain(
                    events,
                    ns,
                    first,
                    &mut s.conns,
                    &mut s.finals,
                    &mut s.waiting,
                    &mut s.destroyed,
                    &s.time_wait,
                    &mut self.counters,
                    &mut self.health,
                );
            }
            // Sockets gone without their event: one poll more to wait;
            // sockets counted by their event: one poll more that may list
            // them.
            s.waiting.retain(|_, (_, left)| {
                *left = left.saturating_sub(1);
                *left > 0
            });
            s.destroyed.retain(|_, left| {
                *left = left.saturating_sub(1);
                *left > 0
            });
            if failed {
                self.health.error(ns);
            }
            s.polls += 1;
        }
        let scanned = &self.scanned;
        self.aggregates.prune(|ns| scanned.contains_key(ns));
        let tracked = self
            .scanned
            .values()
            .map(|s| s.pollers.iter().map(Watched::len).sum::<usize>())
            .sum();
        self.health.polled(
            start.elapsed(),
            tracked,
            self.scanned.len(),
            SystemTime::now(),
        );
        self.health.dropped(self.aggregates.take_dropped());
        Ok(())
    }

    fn render(&self) -> Rendered {
        let labels: Vec<(Ns, &str)> = self
            .scanned
            .iter()
            .map(|(ns, s)| (*ns, s.label.as_str()))
            .collect();
        Rendered {
            text: Arc::new(metrics::render(
                Format::Text,
                &self.aggregates,
                &self.counters,
                &self.health,
                &labels,
            )),
            openmetrics: Arc::new(metrics::render(
                Format::OpenMetrics,
                &self.aggregates,
                &self.counters,
                &self.health,
                &labels,
            )),
        }
    }
}

/// The kernel's destroy events since the last drain: a socket's final
/// counters where it was seen (now, or when it goes), and a connection
/// that lived between two polls counted opened and closed with all of
/// its counters.
#[allow(clippy::too_many_arguments)]
fn drain(
    events: &mut DestroyEvents,
    label: Ns,
    first: bool,
    conns: &mut HashMap<u64, Conn>,
    finals: &mut HashMap<u64, Totals>,
    waiting: &mut HashMap<u64, (Conn, u8)>,
    destroyed: &mut HashMap<Ends, u8>,
    time_wait: &HashMap<Ends, u64>,
    counters: &mut Counters,
    health: &mut Health,
) {
    loop {
        let batch = match events.try_next_batch() {
            Ok(Some(b)) => b,
            Ok(None) => return,
            // The kernel dropped events (ENOBUFS): counted, and on.
            Err(Error::Io(_)) => {
                health.overrun(label);
                continue;
            }
            Err(_) => {
                health.error(label);
                return;
            }
        };
        for m in batch {
            let cookie = m.cookie();
            let Ok(s) = view::inet(None, &m).whole() else {
                health.error(label);
                continue;
            };
            let last = Totals::of(&s);
            if let Some((conn, _)) = waiting.remove(&cookie) {
                counters.add(label, conn.protocol, last.since(conn.totals));
            } else if conns.contains_key(&cookie) {
                finals.insert(cookie, last);
            } else if let Some(tw) = ends(&s)
                .and_then(|e| time_wait.get(&e))
                .and_then(|c| conns.get_mut(c))
                .filter(|c| !c.closed)
            {
                // Its TIME-WAIT socket was listed first (and counted
                // opened): this is its close.
                tw.closed = true;
                counters.closed(label, tw.protocol);
                counters.add(label, tw.protocol, last.since(tw.totals));
            } else if !first {
                // Opened and closed between two polls.
                counters.opened(label, s.netid);
                counters.closed(label, s.netid);
                counters.add(label, s.netid, last);
                if let Some(e) = ends(&s) {
                    destroyed.insert(e, 2);
                }
            }
        }
    }
}

/// One namespace's poll, told every listed socket and every change.
struct Pass<'a, 'o> {
    /// The namespace's key.
    ns: Ns,
    /// The change log's printer, told every change.
    record: Option<&'a mut Printer<'o>>,
    /// The namespace's first poll: what exists is the baseline.
    first: bool,
    conns: &'a mut HashMap<u64, Conn>,
    finals: &'a mut HashMap<u64, Totals>,
    waiting: &'a mut HashMap<u64, (Conn, u8)>,
    destroyed: &'a mut HashMap<Ends, u8>,
    time_wait: &'a mut HashMap<Ends, u64>,
    counters: &'a mut Counters,
    agg: &'a mut Aggregates,
    labeller: &'a Labeller,
    /// A reply that did not parse.
    error: Option<String>,
}

impl Observer for Pass<'_, '_> {
    const LISTED: bool = true;

    fn listed(&mut self, _: Table, cookie: u64, _: &Brief<'_>, sock: Result<Sock<'_>, String>) {
        let s = match sock {
            Ok(s) => s,
            Err(e) => {
                self.error.get_or_insert(e);
                return;
            }
        };
        let label = self.ns;
        self.agg.socket(label, &s, self.labeller.extra(&s));
        let listener = s.state == TcpState::Listen;
        let now = Totals::of(&s);
        match self.conns.get_mut(&cookie) {
            Some(c) => {
                if s.x.tcp_info.is_some() {
                    self.counters.add(label, c.protocol, now.since(c.totals));
                    c.totals = now;
                }
            }
            None => {
                // Counted already, by its destroy event: a TIME-WAIT
                // socket under its full socket's cookie.
                let tw = if s.state == TcpState::TimeWait {
                    ends(&s)
                } else {
                    None
                };
                let closed = tw.is_some_and(|e| self.destroyed.remove(&e).is_some());
                if let (Some(e), false) = (tw, closed) {
                    self.time_wait.insert(e, cookie);
                }
                if !self.first && !listener && !closed {
                    self.counters.opened(label, s.netid);
                    // Everything it did, it did since the last poll.
                    self.counters.add(label, s.netid, now);
                }
                self.conns.insert(
                    cookie,
                    Conn {
                        protocol: s.netid,
                        listener,
                        totals: now,
                        closed,
                        time_wait: tw.is_some() && !closed,
                    },
                );
            }
        }
    }

    fn change<M>(
        &mut self,
        table: Table,
        change: Change<'_, M>,
        show: impl FnOnce(&M) -> Result<Sock<'_>, String>,
    ) {
        let gone = match &change {
            Change::Gone { cookie, last } => {
                let ends = match (last.local(), last.peer()) {
                    (End::Addr(l), End::Addr(r)) => Some((l, r)),
                    _ => None,
                };
                Some((*cookie, ends))
            }
            _ => None,
        };
        if let Some(p) = &mut self.record {
            p.change(table, change, show);
        }
        let Some((cookie, ends)) = gone else {
            return;
        };
        let Some(conn) = self.conns.remove(&cookie) else {
            return;
        };
        if let (true, Some(e)) = (conn.time_wait, ends) {
            self.time_wait.remove(&e);
        }
        let label = self.ns;
        if !conn.listener && !conn.closed {
            self.counters.closed(label, conn.protocol);
        }
        match self.finals.remove(&cookie) {
            Some(last) => self
                .counters
                .add(label, conn.protocol, last.since(conn.totals)),
            // Its event may come with the next drain.
            None => {
                self.waiting.insert(cookie, (conn, 2));
            }
        }
    }
}

#[cfg(test)]
mod tests;

/// The exporter's bookkeeping of one namespace fed replayed replies, for
/// the counting-allocator test (`alloc_tests.rs`).
#[cfg(test)]
pub struct Replayed {
    conns: HashMap<u64, Conn>,
    finals: HashMap<u64, Totals>,
    waiting: HashMap<u64, (Conn, u8)>,
    destroyed: HashMap<Ends, u8>,
    time_wait: HashMap<Ends, u64>,
    counters: Counters,
    agg: Aggregates,
    labeller: Labeller,
    polls: u64,
}

#[cfg(test)]
impl Replayed {
    pub fn new() -> Self {
        Replayed {
            conns: HashMap::new(),
            finals: HashMap::new(),
            waiting: HashMap::new(),
            destroyed: HashMap::new(),
            time_wait: HashMap::new(),
            counters: Counters::default(),
            agg: Aggregates::new(10_000),
            labeller: Labeller {
                labels: ExporterLabels::default(),
                procs: None,
                cgroups: None,
            },
            polls: 0,
        }
    }

    /// One poll whose dump is the TCP replies of `bytes`, as a poller
    /// lists them; returns the sockets listed.
    pub fn poll(&mut self, bytes: &[u8]) -> usize {
        use sockdiag::inet::{Family, Protocol};
        use sockdiag::poll::{End, Kept, Kind};
        use sockdiag::replay::{Record, Replay};
        self.agg.clear();
        let mut pass = Pass {
            ns: 1,
            record: None,
            first: self.polls == 0,
            conns: &mut self.conns,
            finals: &mut self.finals,
            waiting: &mut self.waiting,
            destroyed: &mut self.destroyed,
            time_wait: &mut self.time_wait,
            counters: &mut self.counters,
            agg: &mut self.agg,
            labeller: &self.labeller,
            error: None,
        };
        let mut n = 0;
        for r in Replay::new(bytes).with_inet_protocol(Protocol::Tcp) {
            let Ok(Record::Inet(m)) = r else { continue };
            let kind = Kind::Inet {
                family: Family::Inet,
                protocol: Some(Protocol::Tcp),
            };
            let kept = Kept::new(kind, m.state(), End::None, End::None);
            let sock = view::inet(Some(Protocol::Tcp), &m).whole();
            pass.listed(
                Table::Inet(Protocol::Tcp),
                m.cookie(),
                &Brief::new(&kept, &[]),
                sock,
            );
            n += 1;
        }
        self.agg.finish_namespace(1, &[443]);
        self.agg.prune(|_| true);
        self.polls += 1;
        n
    }
}
