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

use sockdiag::inet::{Protocol, TcpField, TcpState};
use sockdiag::poll::{Brief, Change, End, Kind};
use sockdiag::procs::ProcessMap;
use sockdiag::system::CgroupPaths;
use sockdiag::{DestroyEvents, DestroyGroups, DiagSocket, Error, FoundNetNs, NetNs};

use crate::args::{ExporterLabels, Format as OutFormat, Options, Table, Workers};
use crate::polling::{poll_failure, tracked, watched, Observer, Reply, Watched};
use crate::view::{self, Sock};
use crate::watch::{netid, Printer};
use crate::{failure, Failure};

use crate::out::exposition::Format;
use http::Rendered;
use metrics::{Aggregates, Counters, Extra, Health, Ns, Totals};
use record::{Recorder, Stamp};

/// The `tcp_info` counters the exporter's pollers always track (its
/// counters, [`Totals`]).
pub const COUNTED: [TcpField; 3] = [
    TcpField::BytesAcked,
    TcpField::BytesReceived,
    TcpField::TotalRetrans,
];

/// The `tcp_info` counters the exporter's pollers track: [`COUNTED`],
/// and with `--record` those the change log reports when they move.
pub fn fields(o: &Options) -> Vec<TcpField> {
    let mut track = COUNTED.to_vec();
    if o.exporter.record.is_some() {
        for f in tracked(o) {
            if !track.contains(&f) {
                track.push(f);
            }
        }
    }
    track
}

/// `sockdiag exporter`: polls, and serves what the last poll found.
pub fn run(o: &Options) -> Result<(), Failure> {
    let mut o = o.clone();
    // tcp_info for the distributions and the byte counters comes with
    // the counters the pollers track; the congestion control's name and
    // its numbers only for the change log's lines. One thread per
    // namespace's dump (the poll thread), no timing of strategies.
    o.show.info = o.exporter.record.is_some();
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
    agent.health.cpu = thread_cpu();
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
        agent.health.cpu = thread_cpu();
        let rendered = agent.render();
        *shared.lock().unwrap_or_else(PoisonError::into_inner) = rendered;
    }
}

/// CPU seconds (user and system) the calling thread has used; 0 if the
/// kernel does not say.
fn thread_cpu() -> f64 {
    use nix::sys::resource::{getrusage, UsageWho};
    getrusage(UsageWho::RUSAGE_THREAD).map_or(0.0, |u| {
        let s = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
        s(u.user_time()) + s(u.system_time())
    })
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

/// One scanned network namespace.
struct Scanned {
    /// Its `netns` label: its name, else its inode.
    label: String,
    pollers: Vec<Watched>,
    /// Its destroy events (`None` where no selected table has them).
    events: Option<DestroyEvents>,
    /// Polls finished.
    polls: u64,
    /// The pollers' knowledge between polls, for the counters.
    books: Books,
    /// When its last poll finished.
    polled: Option<Instant>,
}

/// What the counters need to know of a namespace's sockets between polls
/// beyond what its pollers keep (each socket's state, ends and tracked
/// counters): a few sockets each, seldom many.
#[derive(Debug, Default)]
struct Books {
    /// Sockets whose counters went (into TIME-WAIT) before their destroy
    /// event came: their last counters.
    frozen: HashMap<u64, Totals>,
    /// Sockets gone, for their destroy event: their protocol, their last
    /// counters, and how many more polls to wait for it.
    waiting: HashMap<u64, (&'static str, Totals, u8)>,
    /// Connections counted opened and closed by their destroy event
    /// alone, by their ends: how many more polls may still list them in
    /// TIME-WAIT. (A full socket no dump saw has no cookie yet when it
    /// goes into TIME-WAIT: its TIME-WAIT socket and its destroy event
    /// get two different ones. The ends tell they are one connection.)
    destroyed: HashMap<Ends, u8>,
    /// TIME-WAIT sockets first seen as such, by their ends: their cookie,
    /// and whether their connection was counted closed (by its full
    /// socket's destroy event, which may come before or after).
    time_wait: HashMap<Ends, (u64, bool)>,
}

impl Books {
    /// Ends a namespace's poll: sockets gone without their event wait one
    /// poll more; sockets counted by their event, one poll more that may
    /// list them.
    fn age(&mut self) {
        self.waiting.retain(|_, (_, _, left)| {
            *left = left.saturating_sub(1);
            *left > 0
        });
        self.destroyed.retain(|_, left| {
            *left = left.saturating_sub(1);
            *left > 0
        });
    }
}

/// A connection's local and remote ends.
type Ends = (std::net::SocketAddr, std::net::SocketAddr);

/// The ends of an inet socket.
fn ends(s: &Sock<'_>) -> Option<Ends> {
    s.inet_ends().map(|(l, r, _)| (l, r))
}

/// The ends of an inet socket a poller kept.
fn kept_ends(b: &Brief<'_>) -> Option<Ends> {
    match (b.local(), b.peer()) {
        (End::Addr(l), End::Addr(r)) => Some((l, r)),
        _ => None,
    }
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
        let track = fields(o);
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
            books: Books::default(),
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
                books: &mut s.books,
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
                let mut d = Drain {
                    ns,
                    first: s.polls == 0,
                    pollers: &s.pollers,
                    books: &mut s.books,
                    counters: &mut self.counters,
                    agg: &mut self.aggregates,
                    health: &mut self.health,
                };
                d.drain(events);
            }
            s.books.age();
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

/// A namespace's destroy events, applied to its counters.
struct Drain<'a> {
    ns: Ns,
    /// The namespace's first poll: what existed before is the baseline.
    first: bool,
    pollers: &'a [Watched],
    books: &'a mut Books,
    counters: &'a mut Counters,
    agg: &'a mut Aggregates,
    health: &'a mut Health,
}

impl Drain<'_> {
    /// The kernel's destroy events since the last drain: a socket's final
    /// counters added where a poll saw it (now, or when it goes), and a
    /// connection that lived between two polls counted opened and closed
    /// with all of its counters.
    fn drain(&mut self, events: &mut DestroyEvents) {
        let label = self.ns;
        loop {
            let batch = match events.try_next_batch() {
                Ok(Some(b)) => b,
                Ok(None) => return,
                // The kernel dropped events (ENOBUFS): counted, and on.
                Err(Error::Io(_)) => {
                    self.health.overrun(label);
                    continue;
                }
                Err(_) => {
                    self.health.error(label);
                    return;
                }
            };
            for m in batch {
                match view::inet(None, &m).whole() {
                    Ok(s) => self.destroyed(m.cookie(), &s),
                    Err(_) => self.health.error(label),
                }
            }
        }
    }

    /// Socket `cookie`'s destroy event, `s` its last state.
    fn destroyed(&mut self, cookie: u64, s: &Sock<'_>) {
        let (label, b) = (self.ns, &mut *self.books);
        let last = Totals::of(s);
        if let Some((protocol, before, _)) = b.waiting.remove(&cookie) {
            // Gone from the polls already.
            self.counters.add(label, protocol, last.since(before));
        } else if let Some((table, kept)) = self
            .pollers
            .iter()
            .find_map(|w| w.get(cookie).map(|k| (w.table, k)))
        {
            // Still tracked (destroyed after the dump, or its TIME-WAIT
            // socket listed): the counters up to their final values now.
            let before = b
                .frozen
                .remove(&cookie)
                .unwrap_or_else(|| Totals::kept(&kept));
            let protocol = self.agg.protocol(table, kept.kind());
            self.counters.add(label, protocol, last.since(before));
        } else if let Some(tw) = ends(s)
            .and_then(|e| b.time_wait.get_mut(&e))
            .filter(|(_, closed)| !closed)
        {
            // Its TIME-WAIT socket was listed first (and counted
            // opened): this is its close.
            tw.1 = true;
            self.counters.closed(label, s.netid);
            self.counters.add(label, s.netid, last);
        } else if !self.first {
            // Opened and closed between two polls.
            self.counters.opened(label, s.netid);
            self.counters.closed(label, s.netid);
            self.counters.add(label, s.netid, last);
            if let Some(e) = ends(s) {
                b.destroyed.insert(e, 2);
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
    books: &'a mut Books,
    counters: &'a mut Counters,
    agg: &'a mut Aggregates,
    labeller: &'a Labeller,
    /// A reply that did not parse.
    error: Option<String>,
}

impl Pass<'_, '_> {
    fn appeared(&mut self, table: Table, cookie: u64, now: &Brief<'_>) {
        let state = now.state();
        // Counted already, by its destroy event: a TIME-WAIT socket under
        // its full socket's cookie.
        let tw = if state == TcpState::TimeWait {
            kept_ends(now)
        } else {
            None
        };
        let closed = tw.is_some_and(|e| self.books.destroyed.remove(&e).is_some());
        if let Some(e) = tw {
            self.books.time_wait.insert(e, (cookie, closed));
        }
        if !self.first && state != TcpState::Listen && !closed {
            let protocol = self.agg.protocol(table, now.kind());
            self.counters.opened(self.ns, protocol);
            // Everything it did, it did since the last poll.
            self.counters.add(self.ns, protocol, Totals::kept(now));
        }
    }

    fn changed(&mut self, table: Table, cookie: u64, before: &Brief<'_>, now: &Brief<'_>) {
        let up = Totals::increase(before, now);
        if up != Totals::default() {
            let protocol = self.agg.protocol(table, now.kind());
            self.counters.add(self.ns, protocol, up);
        }
        let had = |b: &Brief<'_>| b.counter(TcpField::BytesAcked).is_some();
        if had(before) && !had(now) {
            // Into TIME-WAIT: its destroy event adds from these.
            self.books.frozen.insert(cookie, Totals::kept(before));
        }
    }

    fn gone(&mut self, table: Table, cookie: u64, last: &Brief<'_>) {
        let state = last.state();
        // A TIME-WAIT socket first seen as such: closed already if its
        // full socket's event came.
        let closed = match kept_ends(last) {
            Some(e) if state == TcpState::TimeWait => match self.books.time_wait.get(&e) {
                Some(&(c, closed)) if c == cookie => {
                    self.books.time_wait.remove(&e);
                    closed
                }
                _ => false,
            },
            _ => false,
        };
        let protocol = self.agg.protocol(table, last.kind());
        if state != TcpState::Listen && !closed {
            self.counters.closed(self.ns, protocol);
        }
        let before = self
            .books
            .frozen
            .remove(&cookie)
            .unwrap_or_else(|| Totals::kept(last));
        // Its event may come with this drain or the next.
        self.books.waiting.insert(cookie, (protocol, before, 2));
    }
}

impl Observer for Pass<'_, '_> {
    const LISTED: bool = true;

    fn listed<M: Reply>(
        &mut self,
        table: Table,
        cookie: u64,
        now: &Brief<'_>,
        msg: &M,
        show: impl FnOnce(&M) -> Result<Sock<'_>, String>,
    ) {
        let (kind, state) = (now.kind(), now.state());
        // Without optional labels, an inet socket other than a listener is
        // counted from what the poller kept of it (and its tcp_info) once
        // its kind's names are known: no view.
        let labels = &self.labeller.labels;
        let plain = !labels.process && !labels.cgroup && labels.remote.is_none();
        if plain && matches!(kind, Kind::Inet { .. }) && state != TcpState::Listen {
            if let Some((l, r)) = kept_ends(now) {
                let ports = (l.port(), r.port());
                match self
                    .agg
                    .inet(self.ns, table, kind, state, ports, || msg.tcp_info())
                {
                    Ok(true) => return,
                    Ok(false) => {}
                    Err(e) => {
                        let netid = netid(kind, table);
                        self.error.get_or_insert(view::damaged(netid, cookie, e));
                        return;
                    }
                }
            }
        }
        match show(msg) {
            Ok(s) => {
                let names = self.agg.socket(self.ns, &s, self.labeller.extra(&s));
                self.agg.remember(table, kind, names);
            }
            Err(e) => {
                self.error.get_or_insert(e);
            }
        }
    }

    fn change<M>(
        &mut self,
        table: Table,
        change: Change<'_, M>,
        show: impl FnOnce(&M) -> Result<Sock<'_>, String>,
    ) {
        match &change {
            Change::New { cookie, now, .. } => self.appeared(table, *cookie, now),
            Change::Changed {
                cookie,
                before,
                now,
                ..
            } => self.changed(table, *cookie, before, now),
            Change::Gone { cookie, last } => self.gone(table, *cookie, last),
        }
        if let Some(p) = &mut self.record {
            p.change(table, change, show);
        }
    }
}

#[cfg(test)]
mod tests;

/// The exporter's bookkeeping of one namespace fed replayed replies, as
/// a poller tracking its counters reports them, for the
/// counting-allocator test (`alloc_tests.rs`).
#[cfg(test)]
pub struct Replayed {
    tracker: sockdiag::poll::Tracker<sockdiag::poll::Kept>,
    books: Books,
    counters: Counters,
    agg: Aggregates,
    labeller: Labeller,
    polls: u64,
}

#[cfg(test)]
impl Replayed {
    pub fn new() -> Self {
        Replayed {
            tracker: sockdiag::poll::Tracker::new(),
            books: Books::default(),
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
    /// lists them and reports their changes; returns the sockets listed.
    pub fn poll(&mut self, bytes: &[u8]) -> usize {
        use sockdiag::inet::{LegacyRequest, Protocol};
        use sockdiag::poll::{Observed, Polled};
        use sockdiag::replay::{Record, Replay};
        self.agg.clear();
        let table = Table::Inet(Protocol::Tcp);
        let fields = &COUNTED;
        let mut pass = Pass {
            ns: 1,
            record: None,
            first: self.polls == 0,
            books: &mut self.books,
            counters: &mut self.counters,
            agg: &mut self.agg,
            labeller: &self.labeller,
            error: None,
        };
        fn show<'c>(m: &'c sockdiag::inet::InetMsg<'_>) -> Result<Sock<'c>, String> {
            view::inet(Some(Protocol::Tcp), m).whole()
        }
        let mut n = 0;
        self.tracker.begin();
        for r in Replay::new(bytes).with_inet_protocol(Protocol::Tcp) {
            let Ok(Record::Inet(m)) = r else { continue };
            let Ok((cookie, kept)) = LegacyRequest::keep(&m, fields) else {
                continue;
            };
            let now = Brief::new(&kept, fields);
            match self.tracker.observe(cookie, kept) {
                Observed::New => {
                    pass.listed(table, cookie, &now, &m, show);
                    pass.change(
                        table,
                        Change::New {
                            cookie,
                            msg: &m,
                            now,
                        },
                        show,
                    );
                }
                Observed::Known(before) => {
                    pass.listed(table, cookie, &now, &m, show);
                    let before = Brief::new(&before, fields);
                    pass.changed(table, cookie, &before, &now);
                }
                Observed::Repeated => continue,
            }
            n += 1;
        }
        self.tracker.finish(|cookie, last| {
            pass.gone(table, cookie, &Brief::new(last, fields));
        });
        self.agg.finish_namespace(1, &[443]);
        self.agg.prune(|_| true);
        self.books.age();
        self.polls += 1;
        n
    }
}
