//! What the exporter serves: the last poll's aggregates (gauges and
//! population histograms), counters kept across polls, its own health,
//! and the one place that names every metric ([`render`]).

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use sockdiag::inet::{TcpField, TcpInfo, TcpState};
use sockdiag::poll::{Brief, Kind};

use crate::args::Table;
use crate::out::exposition::{Family, Format, Type, Writer};
use crate::view::Sock;
use sockdiag::ParseError;

/// `tcp_info` counters summed into the exporter's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// `tcpi_total_retrans`: segments retransmitted.
    pub retrans: u64,
    /// `tcpi_bytes_acked`.
    pub acked: u64,
    /// `tcpi_bytes_received`.
    pub received: u64,
}

impl Totals {
    /// A socket's counters (zero where it has no `tcp_info`).
    pub fn of(s: &Sock<'_>) -> Totals {
        match &s.x.tcp_info {
            Some(i) => Totals {
                retrans: i.total_retrans().map_or(0, u64::from),
                acked: i.bytes_acked().unwrap_or(0),
                received: i.bytes_received().unwrap_or(0),
            },
            None => Totals::default(),
        }
    }

    /// The counters a poller kept of a socket (zero where absent).
    pub fn kept(b: &Brief<'_>) -> Totals {
        Totals {
            retrans: b.counter(TcpField::TotalRetrans).unwrap_or(0),
            acked: b.counter(TcpField::BytesAcked).unwrap_or(0),
            received: b.counter(TcpField::BytesReceived).unwrap_or(0),
        }
    }

    /// The increase of the counters from `before` to `now`, of those that
    /// both have (never negative).
    pub fn increase(before: &Brief<'_>, now: &Brief<'_>) -> Totals {
        let up = |f| match (before.counter(f), now.counter(f)) {
            (Some(b), Some(n)) => n.saturating_sub(b),
            _ => 0,
        };
        Totals {
            retrans: up(TcpField::TotalRetrans),
            acked: up(TcpField::BytesAcked),
            received: up(TcpField::BytesReceived),
        }
    }

    /// The increase from `before` (a counter that went back counts
    /// nothing: never a negative increase).
    pub fn since(self, before: Totals) -> Totals {
        Totals {
            retrans: self.retrans.saturating_sub(before.retrans),
            acked: self.acked.saturating_sub(before.acked),
            received: self.received.saturating_sub(before.received),
        }
    }
}

/// A scanned namespace, as the aggregates key it: its inode (0 for
/// `-N`'s); [`render`] names it by its label.
pub type Ns = u64;

/// The counters of one namespace and protocol.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counted {
    pub opened: u64,
    pub closed: u64,
    pub totals: Totals,
}

/// Counters that only go up, by namespace and protocol.
#[derive(Debug, Default)]
pub struct Counters {
    by: BTreeMap<(Ns, &'static str), Counted>,
}

impl Counters {
    fn entry(&mut self, ns: Ns, protocol: &'static str) -> &mut Counted {
        self.by.entry((ns, protocol)).or_default()
    }

    /// A connection opened.
    pub fn opened(&mut self, ns: Ns, protocol: &'static str) {
        self.entry(ns, protocol).opened += 1;
    }

    /// A connection closed.
    pub fn closed(&mut self, ns: Ns, protocol: &'static str) {
        self.entry(ns, protocol).closed += 1;
    }

    /// Increases of the `tcp_info` counters.
    pub fn add(&mut self, ns: Ns, protocol: &'static str, t: Totals) {
        if t == Totals::default() {
            return;
        }
        let c = &mut self.entry(ns, protocol).totals;
        c.retrans += t.retrans;
        c.acked += t.acked;
        c.received += t.received;
    }

    /// A namespace that is gone: its series go too.
    pub fn forget(&mut self, ns: Ns) {
        self.by.retain(|(n, _), _| *n != ns);
    }

    #[cfg(test)]
    pub fn get(&self, ns: Ns, protocol: &'static str) -> Counted {
        self.by.get(&(ns, protocol)).copied().unwrap_or_default()
    }
}

/// Bucket bounds of the population histograms.
pub const RTT_BOUNDS: [f64; 14] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
    1.0,
];
pub const CWND_BOUNDS: [f64; 12] = [
    1.0, 2.0, 4.0, 8.0, 10.0, 16.0, 32.0, 64.0, 128.0, 256.0, 1024.0, 4096.0,
];
pub const RATE_BOUNDS: [f64; 9] = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11];
/// Bucket bounds of the poll duration (seconds).
pub const POLL_BOUNDS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Counts per bucket (one more than the bounds, for +Inf) and the sum.
#[derive(Clone, Debug, PartialEq)]
pub struct Histogram {
    pub counts: Vec<u64>,
    pub sum: f64,
}

impl Histogram {
    fn new(bounds: &[f64]) -> Self {
        Histogram {
            counts: vec![0; bounds.len() + 1],
            sum: 0.0,
        }
    }

    fn reset(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.sum = 0.0;
    }

    /// Adds `other`'s observations (of the same bounds).
    fn absorb(&mut self, other: &Histogram) {
        for (c, o) in self.counts.iter_mut().zip(&other.counts) {
            *c += o;
        }
        self.sum += other.sum;
    }

    fn observe(&mut self, bounds: &[f64], v: f64) {
        let i = bounds.iter().position(|&b| v <= b).unwrap_or(bounds.len());
        if let Some(c) = self.counts.get_mut(i) {
            *c += 1;
        }
        self.sum += v;
    }
}

/// The four distributions over one namespace's established TCP
/// connections.
#[derive(Clone, Debug, PartialEq)]
pub struct Distributions {
    pub rtt: Histogram,
    pub min_rtt: Histogram,
    pub cwnd: Histogram,
    pub delivery_rate: Histogram,
}

impl Distributions {
    fn each(&mut self) -> [&mut Histogram; 4] {
        [
            &mut self.rtt,
            &mut self.min_rtt,
            &mut self.cwnd,
            &mut self.delivery_rate,
        ]
    }

    fn reset(&mut self) {
        self.each().into_iter().for_each(Histogram::reset);
    }

    fn absorb(&mut self, other: &Distributions) {
        let theirs = [
            &other.rtt,
            &other.min_rtt,
            &other.cwnd,
            &other.delivery_rate,
        ];
        for (h, o) in self.each().into_iter().zip(theirs) {
            h.absorb(o);
        }
    }
}

impl Default for Distributions {
    fn default() -> Self {
        Distributions {
            rtt: Histogram::new(&RTT_BOUNDS),
            min_rtt: Histogram::new(&RTT_BOUNDS),
            cwnd: Histogram::new(&CWND_BOUNDS),
            delivery_rate: Histogram::new(&RATE_BOUNDS),
        }
    }
}

/// The optional labels of a socket's series (`--label`): each raises
/// the series' number on purpose.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Extra {
    /// `process`: the command holding it.
    pub process: Option<String>,
    /// `cgroup`: its cgroup's path.
    pub cgroup: Option<String>,
    /// `remote`: its peer's network (`10.1.2.0/24`), connections only.
    pub remote: Option<String>,
}

impl Extra {
    /// The labels that are on, as pairs.
    fn pairs(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("process", self.process.as_deref()),
            ("cgroup", self.cgroup.as_deref()),
            ("remote", self.remote.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
    }

    /// Without the peer's network (for what is not a connection).
    fn local(&self) -> Extra {
        Extra {
            remote: None,
            ..self.clone()
        }
    }
}

/// A listening socket's queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listener {
    pub ns: Ns,
    pub extra: Extra,
    pub protocol: &'static str,
    pub family: &'static str,
    pub addr: std::net::IpAddr,
    pub port: u16,
    /// The accept queue's length (`idiag_rqueue` of a listener).
    pub queue: u32,
    /// Its backlog (`idiag_wqueue` of a listener).
    pub backlog: u32,
}

/// A protocol's or an address family's name as the series hold it: its
/// index in [`Aggregates::name`]'s table (a handful of `&'static str`s,
/// never pruned), so that counting a socket compares small integers.
pub type Name = u8;

/// The names of a kind of socket of a table: the `protocol` and
/// `family` labels of its series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Names {
    pub protocol: Name,
    pub family: Name,
    /// TCP: its established connections make the distributions.
    pub tcp: bool,
}

/// A connection's ends and state, kept until its namespace's listeners
/// are all known: twelve bytes.
#[derive(Clone, Copy, Debug)]
struct Connection {
    protocol: Name,
    state: TcpState,
    local: u16,
    remote: u16,
    /// Its labels: an index in `extras`, or [`NO_EXTRA`].
    extra: u32,
}

/// A connection without optional labels.
const NO_EXTRA: u32 = u32::MAX;

/// A connection's local port as `sockdiag_connections` names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Port {
    /// A port a listener has.
    Listened(u16),
    /// Any other.
    Other,
}

/// A map whose size is capped: a key beyond the cap is dropped and
/// counted.
fn bump<K: Ord>(map: &mut BTreeMap<K, u64>, key: K, max: usize, dropped: &mut u64) {
    bump_by(map, key, 1, max, dropped);
}

/// [`bump`] by `n` sockets.
fn bump_by<K: Ord>(map: &mut BTreeMap<K, u64>, key: K, n: u64, max: usize, dropped: &mut u64) {
    if let Some(v) = map.get_mut(&key) {
        *v += n;
    } else if map.len() < max {
        map.insert(key, n);
    } else {
        *dropped += n;
    }
}

/// States counted in arrays (by their `TCP_*` number) while a
/// namespace's dump goes: every state the kernel has; others are counted
/// in the maps directly.
const DENSE: usize = 16;

/// Sockets by state, in [`DENSE`] slots.
type ByState = [u64; DENSE];

/// A kind of socket of a table that was counted through its view: its
/// names, and its sockets without labels by state in the dump going on.
#[derive(Debug)]
struct Slot {
    table: Table,
    kind: Kind,
    names: Names,
    states: ByState,
}

/// What the last poll found, over every scanned namespace.
#[derive(Debug)]
pub struct Aggregates {
    max: usize,
    /// The protocols' and families' names, by [`Name`].
    names: Vec<&'static str>,
    /// Each (table, kind) seen, the last one found first.
    kinds: Vec<Slot>,
    /// (netns, protocol, family, state, labels) → sockets.
    pub sockets: BTreeMap<(Ns, Name, Name, TcpState, Extra), u64>,
    pub listeners: Vec<Listener>,
    /// (netns, protocol, local port or "other", state, labels) →
    /// connections.
    pub by_port: BTreeMap<(Ns, Name, Port, TcpState, Extra), u64>,
    /// (netns, protocol, port, end, state) → connections, for `--ports`.
    pub port_connections: BTreeMap<(Ns, Name, u16, &'static str, TcpState), u64>,
    pub distributions: BTreeMap<Ns, Distributions>,
    /// The namespace being polled: its connections, the labels of those
    /// that have some, its distributions, and its listening ports.
    connections: Vec<Connection>,
    extras: Vec<Extra>,
    current: Distributions,
    /// Its connections without labels by listening port (as in
    /// `listening`) and by protocol ([`Name`]: the others), by state.
    listened: Vec<ByState>,
    others: Vec<ByState>,
    /// (sorted and deduplicated when the namespace's poll ends; a vector
    /// keeps its memory across polls).
    listening: Vec<(Name, u16)>,
    /// Series dropped by the cap this poll, by metric.
    dropped: BTreeMap<&'static str, u64>,
}

impl Aggregates {
    pub fn new(max: usize) -> Self {
        Aggregates {
            max,
            names: Vec::new(),
            kinds: Vec::new(),
            sockets: BTreeMap::new(),
            listeners: Vec::new(),
            by_port: BTreeMap::new(),
            port_connections: BTreeMap::new(),
            distributions: BTreeMap::new(),
            connections: Vec::new(),
            extras: Vec::new(),
            current: Distributions::default(),
            listened: Vec::new(),
            others: Vec::new(),
            listening: Vec::new(),
            dropped: BTreeMap::new(),
        }
    }

    /// The name `n` stands for.
    pub fn name(&self, n: Name) -> &'static str {
        self.names.get(usize::from(n)).copied().unwrap_or("")
    }

    /// `s`'s [`Name`] (the names are the views' `&'static str`s: a few
    /// dozen at most, far below [`Name::MAX`]).
    fn intern(&mut self, s: &'static str) -> Name {
        let found = self.names.iter().position(|&n| n == s);
        let i = found.unwrap_or_else(|| {
            self.names.push(s);
            self.names.len() - 1
        });
        Name::try_from(i).unwrap_or(Name::MAX)
    }

    /// The `protocol` label of sockets of `kind` in `table`: as their
    /// view names it where one was counted, else as the watch does.
    pub fn protocol(&mut self, table: Table, kind: Kind) -> &'static str {
        match self.names(table, kind) {
            Some(n) => self.name(n.protocol),
            None => crate::watch::netid(kind, table),
        }
    }

    /// The names of sockets of `kind` in `table`, if one was counted
    /// through its view ([`socket`](Self::socket)).
    pub fn names(&mut self, table: Table, kind: Kind) -> Option<Names> {
        self.slot(table, kind).map(|s| s.names)
    }

    /// The slot of `kind` in `table`.
    fn slot(&mut self, table: Table, kind: Kind) -> Option<&mut Slot> {
        let i = self
            .kinds
            .iter()
            .position(|s| s.table == table && s.kind == kind)?;
        // The last found first: a dump lists one kind after another.
        self.kinds.swap(0, i);
        self.kinds.first_mut()
    }

    /// Remembers the names of sockets of `kind` in `table`.
    pub fn remember(&mut self, table: Table, kind: Kind, names: Names) {
        if self.names(table, kind).is_none() {
            self.kinds.insert(
                0,
                Slot {
                    table,
                    kind,
                    names,
                    states: [0; DENSE],
                },
            );
        }
    }

    /// Zero, for the next poll: the series stay (and their memory) until
    /// [`prune`](Self::prune) drops those the poll did not find, so that a
    /// steady population allocates nothing.
    pub fn clear(&mut self) {
        self.sockets.values_mut().for_each(|n| *n = 0);
        self.by_port.values_mut().for_each(|n| *n = 0);
        self.port_connections.values_mut().for_each(|n| *n = 0);
        self.distributions
            .values_mut()
            .for_each(Distributions::reset);
        self.listeners.clear();
        self.connections.clear();
        self.extras.clear();
        self.current.reset();
        self.listening.clear();
    }

    /// After a poll: the series it did not find go, and the
    /// distributions of namespaces no longer `scanned`.
    pub fn prune(&mut self, scanned: impl Fn(&Ns) -> bool) {
        self.sockets.retain(|_, n| *n > 0);
        self.by_port.retain(|_, n| *n > 0);
        self.port_connections.retain(|_, n| *n > 0);
        self.distributions.retain(|ns, _| scanned(ns));
    }

    fn drop_one(&mut self, metric: &'static str, n: u64) {
        if n > 0 {
            *self.dropped.entry(metric).or_default() += n;
        }
    }

    /// The series the cap dropped this poll, by metric.
    pub fn take_dropped(&mut self) -> BTreeMap<&'static str, u64> {
        std::mem::take(&mut self.dropped)
    }

    /// One listed socket of namespace `ns`, from its view, with its
    /// optional labels; returns its names.
    pub fn socket(&mut self, ns: Ns, s: &Sock<'_>, extra: Extra) -> Names {
        let names = Names {
            protocol: self.intern(s.netid),
            family: self.intern(s.family),
            tcp: s.netid == "tcp",
        };
        let Some((local, remote, _)) = s.inet_ends() else {
            self.count(ns, names, s.state, extra.local());
            return names;
        };
        if s.state != TcpState::Listen {
            self.connection(ns, names, s.state, (local.port(), remote.port()), extra);
            if let (Some(i), TcpState::Established, true) = (&s.x.tcp_info, s.state, names.tcp) {
                self.distribute(i);
            }
            return names;
        }
        self.count(ns, names, s.state, extra.local());
        self.listening.push((names.protocol, local.port()));
        if self.listeners.len() < self.max {
            self.listeners.push(Listener {
                ns,
                extra: extra.local(),
                protocol: s.netid,
                family: s.family,
                addr: local.ip(),
                port: local.port(),
                queue: s.rq,
                backlog: s.wq,
            });
        } else {
            self.drop_one(LISTEN_QUEUE.name, 1);
        }
        names
    }

    /// One listed inet socket other than a listener, of a kind of
    /// `table` already counted through its view ([`socket`](Self::socket)),
    /// without optional labels, from what the poller kept of it: its state
    /// and ports (local, remote), and `info` for its `tcp_info`. `Ok(false)`
    /// if the kind is not known yet (nothing counted).
    pub fn inet<'m>(
        &mut self,
        ns: Ns,
        table: Table,
        kind: Kind,
        state: TcpState,
        (local, remote): (u16, u16),
        info: impl FnOnce() -> Result<Option<TcpInfo<&'m [u8]>>, ParseError>,
    ) -> Result<bool, ParseError> {
        let Some(slot) = self.slot(table, kind) else {
            return Ok(false);
        };
        let names = slot.names;
        let raw = usize::from(state.to_raw());
        if let Some(n) = slot.states.get_mut(raw) {
            *n += 1;
        } else {
            self.count(ns, names, state, Extra::default());
        }
        self.connections.push(Connection {
            protocol: names.protocol,
            state,
            local,
            remote,
            extra: NO_EXTRA,
        });
        if let (TcpState::Established, true) = (state, names.tcp) {
            if let Some(i) = info()? {
                self.distribute(&i);
            }
        }
        Ok(true)
    }

    /// A socket counted in `sockdiag_sockets`.
    fn count(&mut self, ns: Ns, names: Names, state: TcpState, extra: Extra) {
        let mut dropped = 0;
        bump(
            &mut self.sockets,
            (ns, names.protocol, names.family, state, extra),
            self.max,
            &mut dropped,
        );
        self.drop_one(SOCKETS.name, dropped);
    }

    /// A socket other than a listener: counted, and kept for
    /// [`finish_namespace`](Self::finish_namespace).
    fn connection(
        &mut self,
        ns: Ns,
        names: Names,
        state: TcpState,
        (local, remote): (u16, u16),
        extra: Extra,
    ) {
        let labels = if extra == Extra::default() {
            NO_EXTRA
        } else {
            self.extras.push(extra.clone());
            u32::try_from(self.extras.len() - 1).unwrap_or(NO_EXTRA)
        };
        self.count(ns, names, state, extra.local());
        self.connections.push(Connection {
            protocol: names.protocol,
            state,
            local,
            remote,
            extra: labels,
        });
    }

    /// An established TCP connection's place in the distributions.
    fn distribute(&mut self, i: &TcpInfo<&[u8]>) {
        let d = &mut self.current;
        if let Some(v) = i.rtt() {
            d.rtt.observe(&RTT_BOUNDS, f64::from(v) / 1e6);
        }
        if let Some(v) = i.min_rtt() {
            d.min_rtt.observe(&RTT_BOUNDS, f64::from(v) / 1e6);
        }
        if let Some(v) = i.snd_cwnd() {
            d.cwnd.observe(&CWND_BOUNDS, f64::from(v));
        }
        if let Some(v) = i.delivery_rate() {
            d.delivery_rate.observe(&RATE_BOUNDS, v as f64);
        }
    }

    /// The end of namespace `ns`'s poll: its connections counted by the
    /// local port where a listener has it (else "other"), and by the
    /// `ports` the user chose at either end.
    pub fn finish_namespace(&mut self, ns: Ns, ports: &[u16]) {
        let (mut sockets, mut by_port, mut chosen) = (0, 0, 0);
        let none = Extra::default();
        // The sockets counted by state.
        for slot in &mut self.kinds {
            for (raw, n) in (0u8..).zip(&mut slot.states) {
                if *n > 0 {
                    let (p, f) = (slot.names.protocol, slot.names.family);
                    let key = (ns, p, f, TcpState::from_raw(raw), none.clone());
                    bump_by(&mut self.sockets, key, *n, self.max, &mut sockets);
                    *n = 0;
                }
            }
        }
        self.distributions
            .entry(ns)
            .or_default()
            .absorb(&self.current);
        self.current.reset();
        self.listening.sort_unstable();
        self.listening.dedup();
        self.listened.clear();
        self.listened.resize(self.listening.len(), [0; DENSE]);
        self.others.clear();
        self.others.resize(self.names.len(), [0; DENSE]);
        for c in &self.connections {
            let at = self.listening.binary_search(&(c.protocol, c.local));
            let raw = usize::from(c.state.to_raw());
            // Without labels, counted by state first.
            let slot = match (c.extra, at) {
                (NO_EXTRA, Ok(i)) => self.listened.get_mut(i),
                (NO_EXTRA, Err(_)) => self.others.get_mut(usize::from(c.protocol)),
                _ => None,
            };
            if let Some(n) = slot.and_then(|s| s.get_mut(raw)) {
                *n += 1;
            } else {
                let port = match at {
                    Ok(_) => Port::Listened(c.local),
                    Err(_) => Port::Other,
                };
                let extra = usize::try_from(c.extra)
                    .ok()
                    .and_then(|i| self.extras.get(i))
                    .unwrap_or(&none);
                bump(
                    &mut self.by_port,
                    (ns, c.protocol, port, c.state, extra.clone()),
                    self.max,
                    &mut by_port,
                );
            }
            for (end, p) in [("local", c.local), ("remote", c.remote)] {
                if ports.contains(&p) {
                    bump(
                        &mut self.port_connections,
                        (ns, c.protocol, p, end, c.state),
                        self.max,
                        &mut chosen,
                    );
                }
            }
        }
        let listened = self
            .listening
            .iter()
            .map(|&(p, port)| (p, Port::Listened(port)));
        let others = (0..).map(|p| (p, Port::Other));
        for ((p, port), states) in listened.zip(&self.listened).chain(others.zip(&self.others)) {
            for (raw, &n) in (0u8..).zip(states) {
                if n > 0 {
                    let key = (ns, p, port, TcpState::from_raw(raw), none.clone());
                    bump_by(&mut self.by_port, key, n, self.max, &mut by_port);
                }
            }
        }
        self.connections.clear();
        self.extras.clear();
        self.drop_one(SOCKETS.name, sockets);
        self.drop_one(CONNECTIONS.name, by_port);
        self.drop_one(PORT_CONNECTIONS.name, chosen);
        self.listening.clear();
    }

    /// `sockdiag_connections` of `(ns, protocol, port, state)` without
    /// labels.
    #[cfg(test)]
    pub fn by_port_of(&self, ns: Ns, protocol: &str, port: Port, state: &str) -> Option<u64> {
        self.by_port
            .iter()
            .find(|((n, p, o, s, e), _)| {
                (*n, self.name(*p), *o, s.name()) == (ns, protocol, port, state)
                    && *e == Extra::default()
            })
            .map(|(_, v)| *v)
    }

    /// `sockdiag_port_connections` of `(ns, protocol, port, end, state)`.
    #[cfg(test)]
    pub fn port_connections_of(
        &self,
        ns: Ns,
        protocol: &str,
        port: u16,
        end: &str,
        state: &str,
    ) -> Option<u64> {
        self.port_connections
            .iter()
            .find(|((n, p, o, e, s), _)| {
                (*n, self.name(*p), *o, *e, s.name()) == (ns, protocol, port, end, state)
            })
            .map(|(_, v)| *v)
    }
}

/// The exporter's own health.
#[derive(Debug)]
pub struct Health {
    pub polls: u64,
    pub poll_seconds: Histogram,
    pub errors: BTreeMap<Ns, u64>,
    /// Namespaces found that could not be entered.
    pub open_errors: u64,
    pub overruns: BTreeMap<Ns, u64>,
    pub tracked: usize,
    pub namespaces: usize,
    pub last_poll: f64,
    /// CPU seconds of the poll thread (its polls and renderings) when
    /// the last poll ended.
    pub cpu: f64,
    pub dropped: BTreeMap<&'static str, u64>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            polls: 0,
            poll_seconds: Histogram::new(&POLL_BOUNDS),
            errors: BTreeMap::new(),
            open_errors: 0,
            overruns: BTreeMap::new(),
            tracked: 0,
            namespaces: 0,
            last_poll: 0.0,
            cpu: 0.0,
            dropped: BTreeMap::new(),
        }
    }
}

impl Health {
    /// A poll that failed in namespace `ns` (a dump, a damaged reply, a
    /// namespace that could not be entered).
    pub fn error(&mut self, ns: Ns) {
        *self.errors.entry(ns).or_default() += 1;
    }

    /// The kernel dropped destroy events of `ns`.
    pub fn overrun(&mut self, ns: Ns) {
        *self.overruns.entry(ns).or_default() += 1;
    }

    /// A namespace that is gone.
    pub fn forget(&mut self, ns: Ns) {
        self.errors.remove(&ns);
        self.overruns.remove(&ns);
    }

    /// A finished poll.
    pub fn polled(&mut self, took: Duration, tracked: usize, namespaces: usize, at: SystemTime) {
        self.polls += 1;
        self.poll_seconds.observe(&POLL_BOUNDS, took.as_secs_f64());
        self.tracked = tracked;
        self.namespaces = namespaces;
        self.last_poll = at
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64());
    }

    /// Series the cap dropped in a poll.
    pub fn dropped(&mut self, by_metric: BTreeMap<&'static str, u64>) {
        for (m, n) in by_metric {
            *self.dropped.entry(m).or_default() += n;
        }
    }
}

const fn family(name: &'static str, help: &'static str, kind: Type) -> Family<'static> {
    Family {
        name,
        help,
        kind,
        unit: None,
    }
}

const SOCKETS: Family<'static> = family(
    "sockdiag_sockets",
    "Sockets by network namespace, protocol, address family and state, at the last poll.",
    Type::Gauge,
);
const LISTEN_QUEUE: Family<'static> = family(
    "sockdiag_listen_queue_length",
    "Connections waiting in a listening socket's accept queue, at the last poll.",
    Type::Gauge,
);
const LISTEN_BACKLOG: Family<'static> = family(
    "sockdiag_listen_backlog",
    "The backlog of a listening socket (the accept queue's limit).",
    Type::Gauge,
);
const CONNECTIONS: Family<'static> = family(
    "sockdiag_connections",
    "Sockets other than listeners by local port (a port with a listener; other: the rest) and state, at the last poll.",
    Type::Gauge,
);
const PORT_CONNECTIONS: Family<'static> = family(
    "sockdiag_port_connections",
    "Sockets other than listeners whose local or remote port is one of --ports, by state, at the last poll.",
    Type::Gauge,
);
const fn population(name: &'static str, help: &'static str, unit: &'static str) -> Family<'static> {
    Family {
        name,
        help,
        kind: Type::GaugeHistogram,
        unit: Some(unit),
    }
}
const RTT: Family<'static> = population(
    "sockdiag_tcp_rtt_seconds",
    "Smoothed round-trip time (tcpi_rtt) of the established TCP connections at the last poll: a distribution of the population, not cumulative.",
    "seconds",
);
const MIN_RTT: Family<'static> = population(
    "sockdiag_tcp_min_rtt_seconds",
    "Minimum round-trip time (tcpi_min_rtt) of the established TCP connections at the last poll.",
    "seconds",
);
const CWND: Family<'static> = population(
    "sockdiag_tcp_cwnd_segments",
    "Congestion window (tcpi_snd_cwnd) of the established TCP connections at the last poll.",
    "segments",
);
const DELIVERY_RATE: Family<'static> = population(
    "sockdiag_tcp_delivery_rate_bytes_per_second",
    "Delivery rate (tcpi_delivery_rate) of the established TCP connections at the last poll.",
    "bytes_per_second",
);
const OPENED: Family<'static> = family(
    "sockdiag_connections_opened",
    "Sockets other than listeners that appeared since the exporter started: new in a poll, or announced destroyed without a poll seeing them.",
    Type::Counter,
);
const CLOSED: Family<'static> = family(
    "sockdiag_connections_closed",
    "Sockets other than listeners that went since the exporter started.",
    Type::Counter,
);
const RETRANS: Family<'static> = family(
    "sockdiag_tcp_retransmitted_segments",
    "Segments retransmitted (tcpi_total_retrans), summed over connections: each one's increase between polls, and up to its final value when it closes.",
    Type::Counter,
);
const fn counter(name: &'static str, help: &'static str, unit: &'static str) -> Family<'static> {
    Family {
        name,
        help,
        kind: Type::Counter,
        unit: Some(unit),
    }
}
const ACKED: Family<'static> = counter(
    "sockdiag_tcp_acked_bytes",
    "Bytes acknowledged by the peers (tcpi_bytes_acked), summed over connections as sockdiag_tcp_retransmitted_segments.",
    "bytes",
);
const RECEIVED: Family<'static> = counter(
    "sockdiag_tcp_received_bytes",
    "Bytes received (tcpi_bytes_received), summed over connections as sockdiag_tcp_retransmitted_segments.",
    "bytes",
);
const POLL_SECONDS: Family<'static> = Family {
    name: "sockdiag_poll_duration_seconds",
    help: "Time a poll of every namespace took.",
    kind: Type::Histogram,
    unit: Some("seconds"),
};
const POLLS: Family<'static> = family("sockdiag_polls", "Polls finished.", Type::Counter);
const POLL_CPU: Family<'static> = counter(
    "sockdiag_poll_cpu_seconds",
    "CPU time (user and system) of the poll thread, its dumps and renderings, until the last poll ended.",
    "seconds",
);
const POLL_ERRORS: Family<'static> = family(
    "sockdiag_poll_errors",
    "Polls of a namespace that failed (a dump, a damaged reply, a namespace that could not be entered).",
    Type::Counter,
);
const OPEN_ERRORS: Family<'static> = family(
    "sockdiag_namespace_open_errors",
    "Namespaces found that could not be entered (gone before their socket was opened, or not permitted); each is tried again at the next poll.",
    Type::Counter,
);
const OVERRUNS: Family<'static> = family(
    "sockdiag_destroy_event_overruns",
    "Times the kernel dropped destroy events because the exporter fell behind (some closed connections then count only at the next poll).",
    Type::Counter,
);
const TRACKED: Family<'static> = family(
    "sockdiag_sockets_tracked",
    "Sockets the pollers track.",
    Type::Gauge,
);
const NAMESPACES: Family<'static> = family(
    "sockdiag_namespaces_scanned",
    "Network namespaces scanned by the last poll.",
    Type::Gauge,
);
const LAST_POLL: Family<'static> = Family {
    name: "sockdiag_last_poll_timestamp_seconds",
    help: "When the last poll finished (Unix time).",
    kind: Type::Gauge,
    unit: Some("seconds"),
};
const DROPPED: Family<'static> = family(
    "sockdiag_series_dropped",
    "Series left out of a metric by --max-series, summed over polls.",
    Type::Counter,
);

/// The exposition of everything, in `format`; `namespaces` are the
/// scanned namespaces and their labels (each has its distributions, empty
/// or not).
pub fn render(
    format: Format,
    a: &Aggregates,
    c: &Counters,
    h: &Health,
    namespaces: &[(Ns, &str)],
) -> String {
    let label = |ns: &Ns| {
        namespaces
            .binary_search_by_key(ns, |(n, _)| *n)
            .ok()
            .and_then(|i| namespaces.get(i))
            .map_or("", |(_, l)| *l)
    };
    let mut w = Writer::new(format);
    // Each metric's series in the order of their labels' values.
    let name = |n: &Name| a.name(*n);
    w.family(&SOCKETS);
    let mut sockets: Vec<_> = a.sockets.iter().collect();
    sockets.sort_by_key(|((ns, p, f, s, e), _)| (label(ns), name(p), name(f), s.name(), e));
    for ((ns, protocol, fam, state, extra), n) in sockets {
        let mut labels = vec![
            ("netns", label(ns)),
            ("protocol", name(protocol)),
            ("family", name(fam)),
            ("state", state.name()),
        ];
        labels.extend(extra.pairs());
        w.sample(&SOCKETS, "", &labels, *n as f64);
    }
    for (f, value) in [
        (
            &LISTEN_QUEUE,
            (|l: &Listener| l.queue) as fn(&Listener) -> u32,
        ),
        (&LISTEN_BACKLOG, |l: &Listener| l.backlog),
    ] {
        w.family(f);
        for l in &a.listeners {
            let (port, addr) = (l.port.to_string(), l.addr.to_string());
            let mut labels = vec![
                ("netns", label(&l.ns)),
                ("protocol", l.protocol),
                ("family", l.family),
                ("addr", addr.as_str()),
                ("port", port.as_str()),
            ];
            labels.extend(l.extra.pairs());
            w.sample(f, "", &labels, f64::from(value(l)));
        }
    }
    w.family(&CONNECTIONS);
    let mut by_port: Vec<_> = a.by_port.iter().collect();
    by_port.sort_by_key(|((ns, p, port, s, e), _)| (label(ns), name(p), *port, s.name(), e));
    for ((ns, protocol, port, state, extra), n) in by_port {
        let port = match port {
            Port::Listened(p) => p.to_string(),
            Port::Other => "other".to_owned(),
        };
        let mut labels = vec![
            ("netns", label(ns)),
            ("protocol", name(protocol)),
            ("port", port.as_str()),
            ("state", state.name()),
        ];
        labels.extend(extra.pairs());
        w.sample(&CONNECTIONS, "", &labels, *n as f64);
    }
    w.family(&PORT_CONNECTIONS);
    let mut chosen: Vec<_> = a.port_connections.iter().collect();
    chosen.sort_by_key(|((ns, p, port, end, s), _)| (label(ns), name(p), *port, *end, s.name()));
    for ((ns, protocol, port, end, state), n) in chosen {
        let port = port.to_string();
        let labels = [
            ("netns", label(ns)),
            ("protocol", name(protocol)),
            ("port", port.as_str()),
            ("end", *end),
            ("state", state.name()),
        ];
        w.sample(&PORT_CONNECTIONS, "", &labels, *n as f64);
    }
    let empty = Distributions::default();
    for (f, bounds, pick) in [
        (
            &RTT,
            &RTT_BOUNDS[..],
            (|d: &Distributions| &d.rtt) as fn(&Distributions) -> &Histogram,
        ),
        (&MIN_RTT, &RTT_BOUNDS[..], |d: &Distributions| &d.min_rtt),
        (&CWND, &CWND_BOUNDS[..], |d: &Distributions| &d.cwnd),
        (&DELIVERY_RATE, &RATE_BOUNDS[..], |d: &Distributions| {
            &d.delivery_rate
        }),
    ] {
        w.family(f);
        for (ns, name) in namespaces {
            let d = a.distributions.get(ns).unwrap_or(&empty);
            let hist = pick(d);
            w.histogram(f, &[("netns", name)], bounds, &hist.counts, hist.sum);
        }
    }
    for (f, value) in [
        (&OPENED, (|c: &Counted| c.opened) as fn(&Counted) -> u64),
        (&CLOSED, |c: &Counted| c.closed),
        (&RETRANS, |c: &Counted| c.totals.retrans),
        (&ACKED, |c: &Counted| c.totals.acked),
        (&RECEIVED, |c: &Counted| c.totals.received),
    ] {
        w.family(f);
        for ((ns, protocol), counted) in &c.by {
            let labels = [("netns", label(ns)), ("protocol", *protocol)];
            w.sample(f, "", &labels, value(counted) as f64);
        }
    }
    w.family(&POLL_SECONDS);
    w.histogram(
        &POLL_SECONDS,
        &[],
        &POLL_BOUNDS,
        &h.poll_seconds.counts,
        h.poll_seconds.sum,
    );
    w.family(&POLLS);
    w.sample(&POLLS, "", &[], h.polls as f64);
    w.family(&POLL_CPU);
    w.sample(&POLL_CPU, "", &[], h.cpu);
    w.family(&POLL_ERRORS);
    for (ns, name) in namespaces {
        let n = h.errors.get(ns).copied().unwrap_or(0);
        w.sample(&POLL_ERRORS, "", &[("netns", name)], n as f64);
    }
    w.family(&OPEN_ERRORS);
    w.sample(&OPEN_ERRORS, "", &[], h.open_errors as f64);
    w.family(&OVERRUNS);
    for (ns, name) in namespaces {
        let n = h.overruns.get(ns).copied().unwrap_or(0);
        w.sample(&OVERRUNS, "", &[("netns", name)], n as f64);
    }
    w.family(&TRACKED);
    w.sample(&TRACKED, "", &[], h.tracked as f64);
    w.family(&NAMESPACES);
    w.sample(&NAMESPACES, "", &[], h.namespaces as f64);
    w.family(&LAST_POLL);
    w.sample(&LAST_POLL, "", &[], h.last_poll);
    w.family(&DROPPED);
    for f in [&SOCKETS, &LISTEN_QUEUE, &CONNECTIONS, &PORT_CONNECTIONS] {
        let n = h.dropped.get(f.name).copied().unwrap_or(0);
        w.sample(&DROPPED, "", &[("metric", f.name)], n as f64);
    }
    w.finish()
}
