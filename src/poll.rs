//! High-frequency polling: run one request again and again on one socket
//! and buffer, keep a little state per socket (by cookie), and report only
//! what changed — new sockets, gone sockets, state changes and chosen
//! `tcp_info` counters that moved — without allocating once the tables
//! have grown to the population.
//!
//! [`Tracker`] is the bookkeeping alone, for any family and any state you
//! want to keep; [`Poller`] runs an inet request with it.
//!
//! ```no_run
//! use sockdiag::inet::{Extensions, LegacyRequest};
//! use sockdiag::poll::{Change, Poller};
//! use sockdiag::DiagSocket;
//!
//! let req = LegacyRequest::tcp().with_extensions(Extensions::INFO);
//! let mut poller = Poller::new(DiagSocket::new()?, req).track(&["total_retrans"])?;
//! loop {
//!     poller.poll(|change| match change {
//!         Change::New(m) => println!("+ {} -> {} {}", m.src(), m.dst(), m.state()),
//!         Change::Changed { msg, before, now } => {
//!             println!("~ {} {} -> {} retrans {:?} -> {:?}", msg.src(), before.state, now.state,
//!                      before.counters[0], now.counters[0]);
//!         }
//!         Change::Gone { last, .. } => println!("- {} -> {}", last.src, last.dst),
//!     })?;
//!     std::thread::sleep(std::time::Duration::from_millis(10));
//! }
//! # Ok::<(), sockdiag::Error>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::net::SocketAddr;

use crate::inet::{InetMsg, Protocol, TcpInfo, TcpState};
use crate::request::Request;
use crate::{DiagSocket, Error, ParseError};

/// Hashes socket cookies. The kernel hands cookies out from a counter, so
/// a multiply-xorshift spreads them well at a fraction of SipHash's cost;
/// the keys are the kernel's, not an attacker's.
#[derive(Clone, Copy, Debug, Default)]
pub struct CookieHasher(u64);

impl Hasher for CookieHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, v: u64) {
        let x = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        self.0 = x ^ (x >> 29);
    }
}

/// How a poll saw a socket, from [`Tracker::observe`].
#[derive(Debug, PartialEq, Eq)]
pub enum Seen<'t, T> {
    /// Not in the previous poll (nor, with a grace, in those before).
    New,
    /// In the previous poll (or, with a grace, in an earlier one still
    /// within it), with this state then.
    Known(&'t T),
    /// Already observed in this poll (the kernel may list a socket twice
    /// while its tables change under the walk); the new state is dropped.
    Repeated,
}

/// One entry: cookie, the poll that last saw it, the caller's state.
#[derive(Clone, Debug)]
struct Entry<T> {
    cookie: u64,
    seen: u64,
    value: T,
}

/// Per-socket state between polls, keyed by cookie.
///
/// A socket missing from a poll is gone — or, with a
/// [grace](Self::with_grace) of `n`, once `n + 1` consecutive polls missed
/// it: under churn the kernel's walk can rarely miss a socket that never
/// closed (see [the crate's consistency notes](crate#consistency-what-a-dump-can-and-cannot-promise)),
/// and a grace of one poll turns such a miss from a false "gone, then
/// new" into nothing.
///
/// A dump lists sockets in the kernel's hash-table order, which does not
/// change from one poll to the next unless sockets come or go; so the
/// tracker keeps the previous poll's entries in that order and matches
/// most sockets with a cursor walking them sequentially (cache-friendly),
/// falling back to an index by cookie, which it rebuilds only after a poll
/// that changed the order.
#[derive(Clone, Debug)]
pub struct Tracker<T> {
    prev: Vec<Entry<T>>,
    cur: Vec<Entry<T>>,
    index: HashMap<u64, u32, BuildHasherDefault<CookieHasher>>,
    /// Cookies first seen in this poll, to tell their repeats.
    fresh: HashSet<u64, BuildHasherDefault<CookieHasher>>,
    cursor: usize,
    /// Entries of `prev` this poll has seen.
    matched: usize,
    reordered: bool,
    generation: u64,
    grace: u64,
}

impl<T> Default for Tracker<T> {
    fn default() -> Self {
        Tracker {
            prev: Vec::new(),
            cur: Vec::new(),
            index: HashMap::default(),
            fresh: HashSet::default(),
            cursor: 0,
            matched: 0,
            reordered: false,
            generation: 0,
            grace: 0,
        }
    }
}

impl<T> Tracker<T> {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a socket that `polls` consecutive polls missed (reporting it
    /// [`Known`](Seen::Known) with its last state if it comes back) and
    /// reports it gone only when one more poll misses it. 0, the default,
    /// reports a socket gone from the first poll that misses it.
    #[must_use]
    pub fn with_grace(mut self, polls: u32) -> Self {
        self.grace = u64::from(polls);
        self
    }

    /// Starts a poll.
    pub fn begin(&mut self) {
        self.generation += 1;
        self.cur.clear();
        self.fresh.clear();
        self.cursor = 0;
        self.matched = 0;
    }

    /// Records that this poll saw socket `cookie` with state `value`, and
    /// says how the previous poll knew it.
    pub fn observe(&mut self, cookie: u64, value: T) -> Seen<'_, T> {
        let generation = self.generation;
        let j = if self
            .prev
            .get(self.cursor)
            .is_some_and(|e| e.cookie == cookie)
        {
            Some(self.cursor)
        } else {
            self.reordered = true;
            self.index
                .get(&cookie)
                .and_then(|&j| usize::try_from(j).ok())
                .filter(|&j| self.prev.get(j).is_some_and(|e| e.cookie == cookie))
        };
        let Some(j) = j else {
            if !self.fresh.insert(cookie) {
                return Seen::Repeated;
            }
            self.reordered = true;
            self.cur.push(Entry {
                cookie,
                seen: generation,
                value,
            });
            return Seen::New;
        };
        self.cursor = j + 1;
        match self.prev.get_mut(j) {
            Some(e) if e.seen == generation => Seen::Repeated,
            Some(e) => {
                e.seen = generation;
                self.matched += 1;
                self.cur.push(Entry {
                    cookie,
                    seen: generation,
                    value,
                });
                Seen::Known(&e.value)
            }
            None => Seen::New,
        }
    }

    /// Ends the poll: calls `gone` for every socket of the previous poll
    /// this one did not see (beyond the grace), then forgets them.
    pub fn finish(&mut self, mut gone: impl FnMut(u64, &T)) {
        let generation = self.generation;
        if self.matched == self.prev.len() {
            // Every socket of the last poll was seen again: none to keep
            // or report (and no pass over them all to find that out).
            self.prev.clear();
        }
        for e in self.prev.drain(..) {
            if e.seen != generation {
                self.reordered = true;
                if generation.saturating_sub(e.seen) > self.grace {
                    gone(e.cookie, &e.value);
                } else {
                    self.cur.push(e);
                }
            }
        }
        // `prev` was drained: after the swap `cur` is empty.
        std::mem::swap(&mut self.prev, &mut self.cur);
        // The next poll fills `cur` as far as this one filled `prev`: grow
        // it now, not one doubling at a time during the next dump.
        self.cur.reserve(self.prev.len());
        self.cursor = 0;
        if std::mem::take(&mut self.reordered) {
            self.reindex();
        }
    }

    /// Moves the sockets for which `moves` is true to `to`, as if `to`'s
    /// last poll had seen them (each keeps how many polls in a row missed
    /// it). For trackers that divide one population, as the two halves of
    /// a [`SplitScan`](crate::SplitScan) do, when the division
    /// changes: a socket that changes halves is then neither gone from one
    /// nor new in the other. Call it between polls ([`finish`](Self::finish)
    /// and [`begin`](Self::begin)).
    pub fn hand_over(&mut self, to: &mut Tracker<T>, mut moves: impl FnMut(u64, &T) -> bool) {
        let before = to.prev.len();
        let (generation, target) = (self.generation, to.generation);
        for e in self.prev.extract_if(.., |e| moves(e.cookie, &e.value)) {
            let missed = generation.saturating_sub(e.seen);
            to.prev.push(Entry {
                seen: target.saturating_sub(missed),
                ..e
            });
        }
        if to.prev.len() != before {
            self.cur.reserve(self.prev.len());
            to.cur.reserve(to.prev.len());
            self.reindex();
            to.reindex();
        }
    }

    /// Rebuilds the index by cookie of `prev`.
    fn reindex(&mut self) {
        self.index.clear();
        for (i, e) in self.prev.iter().enumerate() {
            self.index
                .insert(e.cookie, u32::try_from(i).unwrap_or(u32::MAX));
        }
    }

    /// Sockets tracked: seen by the last finished poll, or missed by no
    /// more polls than the grace.
    pub fn len(&self) -> usize {
        self.prev.len()
    }

    /// True if no socket is tracked.
    pub fn is_empty(&self) -> bool {
        self.prev.is_empty()
    }

    /// The state of every tracked socket, in the order the kernel listed
    /// them (those within the grace last).
    pub fn iter(&self) -> impl Iterator<Item = (u64, &T)> + '_ {
        self.prev.iter().map(|e| (e.cookie, &e.value))
    }
}

/// Most `tcp_info` counters a [`Poller`] follows.
pub const MAX_TRACKED: usize = 4;

/// What a [`Poller`] keeps of an inet socket between polls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Brief {
    /// The protocol, if the reply says (legacy and destroy replies, MPTCP).
    pub protocol: Option<Protocol>,
    /// State.
    pub state: TcpState,
    /// Local address and port.
    pub src: SocketAddr,
    /// Remote address and port.
    pub dst: SocketAddr,
    /// The tracked `tcp_info` counters, in the order given to
    /// [`Poller::track`]; `None` where the reply had no such field.
    pub counters: [Option<u64>; MAX_TRACKED],
}

/// A change seen by [`Poller::poll`].
#[derive(Clone, Copy, Debug)]
pub enum Change<'a, 'buf> {
    /// A socket the previous poll did not list.
    New(&'a InetMsg<'buf>),
    /// A socket whose state or tracked counters differ from the previous poll.
    Changed {
        /// The reply.
        msg: &'a InetMsg<'buf>,
        /// What the previous poll saw.
        before: &'a Brief,
        /// What this poll saw.
        now: &'a Brief,
    },
    /// A socket the previous poll listed and this one did not.
    Gone {
        /// Its cookie.
        cookie: u64,
        /// What the last poll that saw it saw.
        last: &'a Brief,
    },
}

/// Counts of one poll.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct PollStats {
    /// Sockets listed (repeats not counted).
    pub sockets: usize,
    /// New sockets.
    pub new: usize,
    /// Changed sockets.
    pub changed: usize,
    /// Gone sockets.
    pub gone: usize,
    /// Sockets the kernel listed twice.
    pub repeated: usize,
}

/// Polls an inet request ([`InetRequest`](crate::inet::InetRequest),
/// [`LegacyRequest`](crate::inet::LegacyRequest), either with a filter)
/// and reports changes. Ask for [`Extensions::INFO`](crate::inet::Extensions::INFO)
/// in the request when you [`track`](Self::track) counters.
#[derive(Debug)]
pub struct Poller<R> {
    sock: DiagSocket,
    req: R,
    tracker: Tracker<Brief>,
    track: [usize; MAX_TRACKED],
    tracked: usize,
}

impl<R> Poller<R>
where
    R: for<'b> Request<Msg<'b> = InetMsg<'b>>,
{
    /// A poller running `req` on `sock`.
    pub fn new(sock: DiagSocket, req: R) -> Self {
        Poller {
            sock,
            req,
            tracker: Tracker::new(),
            track: [0; MAX_TRACKED],
            tracked: 0,
        }
    }

    /// Also reports a socket as changed when one of these `tcp_info`
    /// fields (names of [`TcpInfo::field_names`]) moved; at most
    /// [`MAX_TRACKED`]. An unknown name or too many is
    /// [`Error::Io`] with `InvalidInput`.
    pub fn track(mut self, fields: &[&str]) -> Result<Self, Error> {
        let invalid =
            |m: String| Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, m));
        if fields.len() > MAX_TRACKED {
            return Err(invalid(format!(
                "at most {MAX_TRACKED} tcp_info fields can be tracked"
            )));
        }
        for (slot, name) in self.track.iter_mut().zip(fields) {
            *slot = TcpInfo::<&[u8]>::field_names()
                .position(|n| n == *name)
                .ok_or_else(|| invalid(format!("no tcp_info field {name:?}")))?;
        }
        self.tracked = fields.len();
        Ok(self)
    }

    /// Reports a socket gone only after `polls + 1` consecutive polls
    /// missed it ([`Tracker::with_grace`]).
    #[must_use]
    pub fn with_grace(mut self, polls: u32) -> Self {
        self.tracker = std::mem::take(&mut self.tracker).with_grace(polls);
        self
    }

    /// The socket, to set a timeout or read its counters.
    pub fn socket(&self) -> &DiagSocket {
        &self.sock
    }

    /// The sockets the last poll saw, with what was kept of them.
    pub fn tracker(&self) -> &Tracker<Brief> {
        &self.tracker
    }

    /// Runs the request once and calls `f` for each change: new and
    /// changed sockets as the dump goes, gone ones at its end. The first
    /// poll reports every socket as new.
    ///
    /// With counters [tracked](Self::track), a reply whose attributes do
    /// not parse up to its `tcp_info` ends the poll with [`Error::Parse`]
    /// rather than reading the counters as absent. A poll that fails
    /// midway (that, or any error of the dump) leaves the changes it
    /// reported reported; the next poll, on the same socket, compares with
    /// the last poll that finished, so it may report again a socket the
    /// failed one reported new.
    pub fn poll(&mut self, mut f: impl FnMut(Change<'_, '_>)) -> Result<PollStats, Error> {
        let mut stats = PollStats::default();
        self.tracker.begin();
        let mut dump = self.sock.dump(&self.req)?;
        while let Some(batch) = dump.next_batch()? {
            for m in batch {
                let now = brief(&m, self.track.get(..self.tracked).unwrap_or_default())?;
                match self.tracker.observe(m.cookie(), now) {
                    Seen::New => {
                        stats.sockets += 1;
                        stats.new += 1;
                        f(Change::New(&m));
                    }
                    Seen::Known(before) => {
                        stats.sockets += 1;
                        if before.state != now.state || before.counters != now.counters {
                            stats.changed += 1;
                            f(Change::Changed {
                                msg: &m,
                                before,
                                now: &now,
                            });
                        }
                    }
                    Seen::Repeated => stats.repeated += 1,
                }
            }
        }
        self.tracker.finish(|cookie, last| {
            stats.gone += 1;
            f(Change::Gone { cookie, last });
        });
        Ok(stats)
    }
}

/// What a poller keeps of `m`, with the `tcp_info` fields numbered `track`.
/// An error if an attribute read on the way to `INET_DIAG_INFO` does not
/// parse: a tracked counter is never read as "absent" from a damaged reply.
fn brief(m: &InetMsg<'_>, track: &[usize]) -> Result<Brief, ParseError> {
    let mut counters = [None; MAX_TRACKED];
    if !track.is_empty() {
        for attr in m.attributes() {
            if let crate::inet::InetAttr::TcpInfo(info) = attr? {
                for (c, &k) in counters.iter_mut().zip(track) {
                    *c = info.field(k);
                }
                break;
            }
        }
    }
    Ok(Brief {
        protocol: m.protocol(),
        state: m.state(),
        src: m.src(),
        dst: m.dst(),
        counters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs polls of (cookie, value) lists; returns (new, changed, gone,
    /// repeated) cookies of each.
    fn run(rounds: &[&[(u64, u32)]]) -> Vec<[Vec<u64>; 4]> {
        let mut t = Tracker::new();
        let mut out = Vec::new();
        for round in rounds {
            let mut r: [Vec<u64>; 4] = Default::default();
            t.begin();
            for &(cookie, v) in *round {
                match t.observe(cookie, v) {
                    Seen::New => r[0].push(cookie),
                    Seen::Known(&old) if old != v => r[1].push(cookie),
                    Seen::Known(_) => {}
                    Seen::Repeated => r[3].push(cookie),
                }
            }
            t.finish(|cookie, _| r[2].push(cookie));
            let mut seen: Vec<u64> = round.iter().map(|r| r.0).collect();
            seen.sort_unstable();
            seen.dedup();
            let mut kept: Vec<u64> = t.iter().map(|(c, _)| c).collect();
            kept.sort_unstable();
            assert_eq!(kept, seen);
            out.push(r);
        }
        out
    }

    #[test]
    fn handed_over_sockets_are_neither_gone_nor_new() {
        let (mut a, mut b) = (Tracker::new().with_grace(1), Tracker::new().with_grace(1));
        let poll = |t: &mut Tracker<u32>, round: &[u64]| {
            let mut new = Vec::new();
            t.begin();
            for &c in round {
                if t.observe(c, 0) == Seen::New {
                    new.push(c);
                }
            }
            let mut gone = Vec::new();
            t.finish(|c, _| gone.push(c));
            (new, gone)
        };
        assert_eq!(poll(&mut a, &[1, 2, 3, 4]).0, [1, 2, 3, 4]);
        assert_eq!(poll(&mut b, &[5, 6]).0, [5, 6]);
        // 4 is missed once (within the grace).
        let none = (vec![], vec![]);
        assert_eq!(poll(&mut a, &[1, 2, 3]), none);
        assert_eq!(poll(&mut b, &[5, 6]), none);
        // The division moves: 3 and 4 go to b, 6 to a.
        a.hand_over(&mut b, |c, _| c >= 3);
        b.hand_over(&mut a, |c, _| c == 6);
        assert_eq!((a.len(), b.len()), (3, 3));
        assert_eq!(poll(&mut a, &[6, 1, 2]), none);
        // 4 keeps its miss: a second one in a row is the end of it.
        assert_eq!(poll(&mut b, &[3, 5]), (vec![], vec![4]));
        assert_eq!(poll(&mut a, &[1, 2, 6]), none);
        assert_eq!(poll(&mut b, &[5, 3]), none);
        // Moving nothing changes nothing.
        a.hand_over(&mut b, |_, _| false);
        assert_eq!(poll(&mut a, &[1, 2, 6]), none);
        assert_eq!(b.len(), 2);
    }

    /// A TCP reply (host byte order) with `attrs` after the fixed part.
    fn reply(attrs: &[Vec<u8>]) -> Vec<u8> {
        use zerocopy::{FromZeros, IntoBytes};
        let mut m = crate::raw::inet_diag::inet_diag_msg::new_zeroed();
        m.idiag_family = crate::raw::AF_INET;
        m.idiag_state = 1;
        let mut payload = m.as_bytes().to_vec();
        payload.extend(attrs.concat());
        crate::netlink::tests::msg(20, 2, 1, 1, &payload)
    }

    fn brief_of(bytes: &[u8], track: &[usize]) -> Result<Brief, ParseError> {
        let m = crate::netlink::Messages::new(bytes)
            .next()
            .unwrap()
            .unwrap();
        brief(&InetMsg::parse_as(m, Protocol::Tcp).unwrap(), track)
    }

    #[test]
    fn tracked_counters_come_from_tcp_info_or_the_reply_is_an_error() {
        use crate::netlink::tests::attr;
        use crate::raw::inet_diag::{INET_DIAG_INFO, INET_DIAG_SHUTDOWN};
        use zerocopy::{FromZeros, IntoBytes};
        let mut info = crate::raw::tcp::tcp_info::new_zeroed();
        info.tcpi_bytes_received = 12_345.into();
        let k = TcpInfo::<&[u8]>::field_names()
            .position(|n| n == "bytes_received")
            .unwrap();
        let good = reply(&[
            attr(INET_DIAG_SHUTDOWN, &[0]),
            attr(INET_DIAG_INFO, info.as_bytes()),
        ]);
        assert_eq!(brief_of(&good, &[k]).unwrap().counters[0], Some(12_345));
        assert_eq!(brief_of(&good, &[]).unwrap().counters, [None; MAX_TRACKED]);
        // No INFO: the counter is absent, not an error.
        let none = reply(&[attr(INET_DIAG_SHUTDOWN, &[0])]);
        assert_eq!(brief_of(&none, &[k]).unwrap().counters[0], None);
        // A damaged attribute before INFO: an error when counters are
        // read, ignored when nothing is read from the attributes.
        for damaged in [
            reply(&[
                attr(INET_DIAG_SHUTDOWN, &[0, 0]),
                attr(INET_DIAG_INFO, info.as_bytes()),
            ]),
            reply(&[vec![200, 0, 8, 0], attr(INET_DIAG_INFO, info.as_bytes())]),
        ] {
            let e = brief_of(&damaged, &[k]).unwrap_err();
            assert_eq!(e.layer(), crate::parse_error::Layer::Attribute, "{e}");
            assert!(brief_of(&damaged, &[]).is_ok());
        }
    }

    #[test]
    fn changes_whatever_the_order() {
        let out = run(&[
            &[(1, 0), (2, 0), (3, 0)],
            &[(1, 0), (2, 0), (3, 0)],
            &[(1, 0), (3, 1), (4, 0)],
            &[(4, 0), (1, 0), (3, 1)],
            &[(4, 0), (4, 0), (1, 0), (3, 1), (5, 0), (5, 0)],
            &[(5, 2)],
            &[],
        ]);
        let e: Vec<u64> = Vec::new();
        assert_eq!(out[0], [vec![1, 2, 3], e.clone(), e.clone(), e.clone()]);
        assert_eq!(out[1], [e.clone(), e.clone(), e.clone(), e.clone()]);
        assert_eq!(out[2], [vec![4], vec![3], vec![2], e.clone()]);
        assert_eq!(out[3], [e.clone(), e.clone(), e.clone(), e.clone()]);
        assert_eq!(out[4], [vec![5], e.clone(), e.clone(), vec![4, 5]]);
        assert_eq!(out[5], [e.clone(), vec![5], vec![4, 1, 3], e.clone()]);
        assert_eq!(out[6], [e.clone(), e.clone(), vec![5], e.clone()]);
    }

    #[test]
    fn random_polls_agree_with_a_set_model() {
        for grace in [0, 1, 2] {
            random_polls(grace);
        }
    }

    /// Random polls against a simple model: cookie -> (state, polls
    /// missed since it was last seen).
    fn random_polls(grace: u64) {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut rnd = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        let mut t = Tracker::new().with_grace(grace as u32);
        let mut model: std::collections::BTreeMap<u64, (u64, u64)> = Default::default();
        let rounds = if cfg!(miri) { 20 } else { 300 };
        for _ in 0..rounds {
            let n = rnd(40);
            let mut round: Vec<(u64, u64)> = (0..n).map(|_| (rnd(60), rnd(3))).collect();
            if rnd(2) == 0 {
                round.sort_unstable();
            }
            t.begin();
            let mut next = std::collections::BTreeMap::new();
            for &(c, v) in &round {
                let seen = t.observe(c, v);
                match (seen, next.contains_key(&c), model.get(&c)) {
                    (Seen::Repeated, true, _) => continue,
                    (Seen::New, false, None) => {}
                    (Seen::Known(old), false, Some((m, _))) => assert_eq!(old, m),
                    (s, dup, m) => panic!("{s:?} for {c}: repeat {dup}, model {m:?}"),
                }
                next.insert(c, (v, 0));
            }
            let mut gone = Vec::new();
            t.finish(|c, _| gone.push(c));
            gone.sort_unstable();
            let mut want = Vec::new();
            for (&c, &(v, missed)) in &model {
                if next.contains_key(&c) {
                    continue;
                }
                if missed + 1 > grace {
                    want.push(c);
                } else {
                    next.insert(c, (v, missed + 1));
                }
            }
            assert_eq!(gone, want, "grace {grace}");
            model = next;
            assert_eq!(t.len(), model.len());
        }
    }
}
