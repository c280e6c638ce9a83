//! [`Tracker`]: per-socket state between polls, keyed by cookie.

use std::hash::Hasher;

use hashbrown::HashTable;

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
pub enum Observed<T> {
    /// Not in the previous poll (nor, with a grace, in those before).
    New,
    /// In the previous poll (or, with a grace, in an earlier one still
    /// within it), with this state then; the new state replaces it.
    Known(T),
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
/// change from one poll to the next unless sockets come or go. The tracker
/// keeps its entries in the last poll's order in one vector and matches
/// most sockets with a cursor walking it (sequential, cache-friendly),
/// updating them in place; it falls back to an index by cookie for the
/// others, and after a poll that changed the order it moves the entries
/// into the new order (an in-place permutation) and rebuilds the index.
/// Once its vectors have grown to the population it allocates nothing.
#[derive(Clone, Debug)]
pub struct Tracker<T> {
    entries: Vec<Entry<T>>,
    /// The index by cookie: positions in `entries` alone (four bytes a
    /// socket, where a map of cookie to position takes sixteen), each
    /// found by its entry's cookie.
    index: HashTable<u32>,
    /// This poll's order: indices into `entries`.
    order: Vec<u32>,
    cursor: usize,
    /// Entries at the start of this poll.
    old: usize,
    /// Entries of the start of this poll that it has seen.
    matched: usize,
    reordered: bool,
    generation: u64,
    grace: u64,
}

impl<T> Default for Tracker<T> {
    fn default() -> Self {
        Tracker {
            entries: Vec::new(),
            index: HashTable::new(),
            order: Vec::new(),
            cursor: 0,
            old: 0,
            matched: 0,
            reordered: false,
            generation: 0,
            grace: 0,
        }
    }
}

fn index_of(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// A cookie's hash, for the index.
fn hash(cookie: u64) -> u64 {
    let mut h = CookieHasher::default();
    h.write_u64(cookie);
    h.finish()
}

/// The cookie of the entry at position `j` (every position in the index
/// has one).
fn cookie_at<T>(entries: &[Entry<T>], j: u32) -> Option<u64> {
    entries.get(usize::try_from(j).ok()?).map(|e| e.cookie)
}

/// Puts the entry at position `j` into the index by its cookie.
fn insert<T>(index: &mut HashTable<u32>, entries: &[Entry<T>], j: usize) {
    let Some(cookie) = cookie_at(entries, index_of(j)) else {
        return;
    };
    index.insert_unique(hash(cookie), index_of(j), |&i| {
        cookie_at(entries, i).map_or(0, hash)
    });
}

impl<T> Tracker<T> {
    /// An empty tracker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a socket that `polls` consecutive polls missed (reporting it
    /// [`Known`](Observed::Known) with its last state if it comes back) and
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
        self.order.clear();
        self.order.reserve(self.entries.len());
        self.cursor = 0;
        self.old = self.entries.len();
        self.matched = 0;
        self.reordered = false;
    }

    /// Records that this poll saw socket `cookie` with state `value`, and
    /// says how the previous polls knew it.
    pub fn observe(&mut self, cookie: u64, value: T) -> Observed<T> {
        let generation = self.generation;
        let at_cursor = self.cursor < self.old
            && self
                .entries
                .get(self.cursor)
                .is_some_and(|e| e.cookie == cookie);
        let j = if at_cursor {
            Some(self.cursor)
        } else {
            self.reordered = true;
            self.find(cookie)
        };
        let Some(j) = j else {
            let j = self.entries.len();
            self.entries.push(Entry {
                cookie,
                seen: generation,
                value,
            });
            insert(&mut self.index, &self.entries, j);
            self.order.push(index_of(j));
            return Observed::New;
        };
        let Some(e) = self.entries.get_mut(j) else {
            return Observed::Repeated;
        };
        if e.seen == generation {
            return Observed::Repeated;
        }
        e.seen = generation;
        self.matched += 1;
        self.cursor = j + 1;
        self.order.push(index_of(j));
        Observed::Known(std::mem::replace(&mut e.value, value))
    }

    /// Ends the poll: calls `gone` for every socket of the previous polls
    /// this one did not see (beyond the grace), then forgets them.
    pub fn finish(&mut self, mut gone: impl FnMut(u64, &T)) {
        let generation = self.generation;
        if !self.reordered && self.matched == self.old && self.entries.len() == self.old {
            // Every socket of the last poll seen again, in the same order,
            // and no other: nothing moves (and no pass over them all).
            return;
        }
        // The entries this poll did not see go after those it saw.
        let seen = self.order.len();
        for (i, e) in self.entries.iter().enumerate() {
            if e.seen != generation {
                self.order.push(index_of(i));
            }
        }
        permute(&mut self.entries, &mut self.order);
        // Report and drop the unseen beyond the grace; keep the others.
        let mut kept = seen;
        for r in seen..self.entries.len() {
            let Some(e) = self.entries.get(r) else { break };
            if generation.saturating_sub(e.seen) > self.grace {
                gone(e.cookie, &e.value);
            } else {
                self.entries.swap(kept, r);
                kept += 1;
            }
        }
        self.entries.truncate(kept);
        self.reindex();
    }

    /// Moves the sockets for which `moves` is true to `to`, as if `to`'s
    /// last poll had seen them (each keeps how many polls in a row missed
    /// it). For trackers that divide one population, as the two halves of
    /// a [`Poller`](super::Poller) do, when the division changes: a socket
    /// that changes halves is then neither gone from one nor new in the
    /// other. Call it between polls ([`finish`](Self::finish) and
    /// [`begin`](Self::begin)).
    pub fn hand_over(&mut self, to: &mut Tracker<T>, mut moves: impl FnMut(u64, &T) -> bool) {
        let before = to.entries.len();
        let (generation, target) = (self.generation, to.generation);
        for e in self.entries.extract_if(.., |e| moves(e.cookie, &e.value)) {
            let missed = generation.saturating_sub(e.seen);
            to.entries.push(Entry {
                seen: target.saturating_sub(missed),
                ..e
            });
        }
        if to.entries.len() != before {
            self.reindex();
            to.reindex();
        }
    }

    /// Rebuilds the index by cookie.
    fn reindex(&mut self) {
        self.index.clear();
        for i in 0..self.entries.len() {
            insert(&mut self.index, &self.entries, i);
        }
    }

    /// The position of socket `cookie`'s entry, if it has one.
    fn find(&self, cookie: u64) -> Option<usize> {
        let entries = &self.entries;
        let &j = self
            .index
            .find(hash(cookie), |&j| cookie_at(entries, j) == Some(cookie))?;
        usize::try_from(j).ok()
    }

    /// Sockets tracked: seen by the last finished poll, or missed by no
    /// more polls than the grace.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True if no socket is tracked.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The state of socket `cookie`, if it is tracked.
    pub fn get(&self, cookie: u64) -> Option<&T> {
        self.entries.get(self.find(cookie)?).map(|e| &e.value)
    }

    /// The state of every tracked socket, in the order the kernel listed
    /// them (those within the grace last).
    pub fn iter(&self) -> impl Iterator<Item = (u64, &T)> + '_ {
        self.entries.iter().map(|e| (e.cookie, &e.value))
    }

    /// Bytes of memory the tracker holds per tracked socket, roughly: its
    /// entry, its place in the order and in the index by cookie.
    pub fn bytes_per_socket() -> usize {
        size_of::<Entry<T>>() + size_of::<u32>() + 2 * (size_of::<u32>() + 1)
    }
}

/// Reorders `items` so that `items[k]` is what `items[order[k]]` was, in
/// place and in one pass over each cycle of the permutation; `order` must
/// be a permutation of `0..items.len()` (it is used up).
fn permute<T>(items: &mut [T], order: &mut [u32]) {
    const DONE: u32 = u32::MAX;
    for start in 0..order.len() {
        let mut cur = start;
        while let Some(slot) = order.get_mut(cur) {
            let src = *slot;
            if src == DONE {
                break;
            }
            *slot = DONE;
            let Ok(src) = usize::try_from(src) else { break };
            if src == start {
                break;
            }
            items.swap(cur, src);
            cur = src;
        }
    }
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
                    Observed::New => r[0].push(cookie),
                    Observed::Known(old) if old != v => r[1].push(cookie),
                    Observed::Known(_) => {}
                    Observed::Repeated => r[3].push(cookie),
                }
            }
            t.finish(|cookie, _| r[2].push(cookie));
            let mut seen: Vec<u64> = round.iter().map(|r| r.0).collect();
            seen.sort_unstable();
            seen.dedup();
            let mut kept: Vec<u64> = t.iter().map(|(c, _)| c).collect();
            kept.sort_unstable();
            assert_eq!(kept, seen);
            // Each found by its cookie, with the value this poll saw
            // first; nothing else.
            for &c in &seen {
                let first = round.iter().find(|r| r.0 == c).map(|r| &r.1);
                assert_eq!(t.get(c), first, "{c}");
            }
            assert_eq!(t.get(u64::MAX), None);
            out.push(r);
        }
        out
    }

    #[test]
    fn permute_moves_each_item_to_its_place() {
        for order in [
            vec![],
            vec![0],
            vec![1, 0],
            vec![2, 0, 1],
            vec![3, 1, 0, 2, 4],
            vec![4, 3, 2, 1, 0],
        ] {
            let mut items: Vec<u32> = (0..order.len() as u32).map(|i| 10 * i).collect();
            let want: Vec<u32> = order.iter().map(|&i| 10 * i).collect();
            let mut o = order.clone();
            permute(&mut items, &mut o);
            assert_eq!(items, want, "{order:?}");
        }
    }

    #[test]
    fn handed_over_sockets_are_neither_gone_nor_new() {
        let (mut a, mut b) = (Tracker::new().with_grace(1), Tracker::new().with_grace(1));
        let poll = |t: &mut Tracker<u32>, round: &[u64]| {
            let mut new = Vec::new();
            t.begin();
            for &c in round {
                if t.observe(c, 0) == Observed::New {
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
    fn the_entries_follow_the_kernels_order() {
        let mut t = Tracker::new();
        for round in [&[5u64, 1, 9, 3][..], &[1, 7, 9, 3, 5], &[3, 1, 7, 9]] {
            t.begin();
            for &c in round {
                t.observe(c, ());
            }
            t.finish(|_, _| {});
            let order: Vec<u64> = t.iter().map(|(c, _)| c).collect();
            assert_eq!(order, round[..round.len().min(order.len())], "{round:?}");
        }
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
                    (Observed::Repeated, true, _) => continue,
                    (Observed::New, false, None) => {}
                    (Observed::Known(old), false, Some((m, _))) => assert_eq!(old, *m),
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
            // Every kept socket is found again by its cookie.
            for (c, _) in t.iter() {
                assert!(t.find(c).is_some());
            }
        }
    }
}
