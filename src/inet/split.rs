//! [`SplitScan`]: one scan of every TCP socket divided between two threads
//! by kernel-side filters.

use std::net::SocketAddr;

use super::filter::{Bytecode, Cmp, Entry, Filter};
use super::{InetMsg, LegacyRequest};
use crate::{DiagSocket, Error};

/// Every TCP socket of both families, dumped by two threads at once, each
/// with its own socket and a kernel-side filter that gives it half of the
/// sockets; together they list each socket once.
///
/// The kernel spends most of a dump describing sockets (about 1 µs each
/// here), and only a fraction walking its tables (about 0.3 µs per socket
/// it skips), so two walks that each describe half the sockets finish
/// sooner than one walk that describes all of them — on a machine with a
/// second core to spare. Measured with 200,012 sockets (`cargo run
/// --release --example limits`): see the README.
///
/// The halves are split by the *ephemeral end* of each socket: its local
/// port when that lies in this host's ephemeral range
/// (`net.ipv4.ip_local_port_range`), its remote port otherwise. Ephemeral
/// ports are handed out evenly over the range, so outgoing connections
/// (local ephemeral port) and incoming ones (remote ephemeral port from the
/// peer's range, usually the same) both divide about evenly; listeners go to
/// the first half.
///
/// ```no_run
/// use std::sync::atomic::{AtomicUsize, Ordering};
/// use sockdiag::inet::{LegacyRequest, SplitScan};
///
/// let mut scan = SplitScan::new(LegacyRequest::tcp())?;
/// let established = AtomicUsize::new(0);
/// scan.run(|m| {
///     if m.state() == sockdiag::inet::TcpState::Established {
///         established.fetch_add(1, Ordering::Relaxed);
///     }
/// })?;
/// # Ok::<(), sockdiag::Error>(())
/// ```
#[derive(Debug)]
pub struct SplitScan {
    req: LegacyRequest,
    socks: [DiagSocket; 2],
    programs: [Bytecode; 2],
}

/// `net.ipv4.ip_local_port_range`, or Linux's default.
fn ephemeral_range() -> (u16, u16) {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|p| p.parse::<u16>().ok());
            Some((it.next()??, it.next()??))
        })
        .filter(|(lo, hi)| lo <= hi)
        .unwrap_or((32768, 60999))
}

/// The port that decides a socket's half: its local port if that is
/// ephemeral (in `lo..=hi`), its remote port otherwise.
fn key(lo: u16, hi: u16, local: u16, remote: u16) -> u16 {
    if (lo..=hi).contains(&local) {
        local
    } else {
        remote
    }
}

/// The dividing port that splits `keys` most evenly: the first half takes
/// the keys at most it. The middle of `lo..=hi` if there are none.
fn balance(lo: u16, hi: u16, keys: &mut [u16]) -> u16 {
    let n = keys.len();
    if n == 0 {
        return lo + (hi - lo) / 2;
    }
    let (_, &mut median, _) = keys.select_nth_unstable(n / 2);
    // Keys equal to the median all fall on one side: end the first half
    // just below or at it, whichever leaves the halves closer to equal.
    let below = keys.iter().filter(|&&k| k < median).count();
    let upto = below + keys.iter().filter(|&&k| k == median).count();
    match median.checked_sub(1) {
        Some(before) if n.abs_diff(2 * below) < n.abs_diff(2 * upto) => before,
        _ => median,
    }
}

/// The filter of the first half: the ephemeral end is at most `mid`.
fn first_half(lo: u16, hi: u16, mid: u16) -> Filter {
    let local_ephemeral = Filter::src_port(Cmp::Ge, lo).and(Filter::src_port(Cmp::Le, mid.min(hi)));
    let outside = match (lo.checked_sub(1), hi.checked_add(1)) {
        (Some(below), Some(above)) => {
            Some(Filter::src_port(Cmp::Le, below).or(Filter::src_port(Cmp::Ge, above)))
        }
        (Some(below), None) => Some(Filter::src_port(Cmp::Le, below)),
        (None, Some(above)) => Some(Filter::src_port(Cmp::Ge, above)),
        (None, None) => None,
    };
    match outside {
        Some(o) => local_ephemeral.or(o.and(Filter::dst_port(Cmp::Le, mid))),
        None => local_ephemeral,
    }
}

impl SplitScan {
    /// Prepares the two sockets and filters for `req` (its states and
    /// extensions apply to both halves).
    pub fn new(req: LegacyRequest) -> Result<Self, Error> {
        Ok(SplitScan {
            req,
            socks: [DiagSocket::new()?, DiagSocket::new()?],
            programs: Self::compile(Self::filters())?,
        })
    }

    /// The two filters that divide the sockets between the halves (every
    /// socket passes exactly one), for running the halves your own way:
    /// for instance a [`Poller`](crate::poll::Poller) per thread, as
    /// `sockdiag watch` does.
    ///
    /// The halves divide at the middle of the ephemeral range, which is
    /// even when ports are spread over it, as the remote ends of incoming
    /// connections are. The local ports of many connections to one
    /// destination are not: Linux hands them out in sequence from a point
    /// of the range, and the split can come out 40/60 or worse. When you
    /// know the sockets, [`balanced_filters`](Self::balanced_filters)
    /// does better.
    pub fn filters() -> [Filter; 2] {
        Self::balanced_filters([])
    }

    /// Like [`filters`](Self::filters), but dividing where the sample —
    /// the (local port, remote port) of each socket, from an earlier scan
    /// — splits most evenly (each socket still passes exactly one). With
    /// an empty sample, the middle of the ephemeral range.
    pub fn balanced_filters(sample: impl IntoIterator<Item = (u16, u16)>) -> [Filter; 2] {
        let (lo, hi) = ephemeral_range();
        let mut keys: Vec<u16> = sample
            .into_iter()
            .map(|(local, remote)| key(lo, hi, local, remote))
            .collect();
        let a = first_half(lo, hi, balance(lo, hi, &mut keys));
        [a.clone(), !a]
    }

    /// Divides the sockets between the halves as evenly as they are now:
    /// one dump of every socket (with the request's states), then
    /// [`balanced_filters`](Self::balanced_filters) of what it listed.
    /// Worth a dump when the scan will run many times.
    pub fn balance(&mut self) -> Result<(), Error> {
        let [sock, _] = &mut self.socks;
        self.programs = Self::compile(Self::filters_for(sock, &self.req)?)?;
        Ok(())
    }

    /// [`balanced_filters`](Self::balanced_filters) of the sockets `req`
    /// lists now: one dump on `sock`.
    pub fn filters_for(sock: &mut DiagSocket, req: &LegacyRequest) -> Result<[Filter; 2], Error> {
        let mut sample = Vec::new();
        sock.for_each(req, |m| sample.push((m.src_port(), m.dst_port())))?;
        Ok(Self::balanced_filters(sample))
    }

    fn compile([a, b]: [Filter; 2]) -> Result<[Bytecode; 2], Error> {
        let compile = |f: Filter| {
            f.compile()
                .map_err(|e| Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)))
        };
        Ok([compile(a)?, compile(b)?])
    }

    /// Which half a socket with these addresses belongs to (0 or 1), as the
    /// kernel decides it.
    pub fn half_of(&self, src: SocketAddr, dst: SocketAddr) -> usize {
        let [first, _] = &self.programs;
        usize::from(!first.matches(&Entry::new(src, dst)).unwrap_or(true))
    }

    /// Runs both halves, the second on a scoped thread, calling `f` for
    /// every socket from both threads at once. Returns the number of
    /// sockets; the first error of either half, if any.
    pub fn run<F>(&mut self, f: F) -> Result<usize, Error>
    where
        F: Fn(InetMsg<'_>) + Sync,
    {
        self.run_with([&mut (), &mut ()], |_, m| f(m))
    }

    /// Like [`run`](Self::run), with state of the caller's for each half:
    /// `f` gets the first half's sockets with `state[0]` and the second's
    /// with `state[1]` (a buffer, a counter), so the halves share nothing.
    pub fn run_with<S, F>(&mut self, state: [&mut S; 2], f: F) -> Result<usize, Error>
    where
        S: Send,
        F: Fn(&mut S, InetMsg<'_>) + Sync,
    {
        let req = self.req;
        let [s0, s1] = &mut self.socks;
        let [p0, p1] = &self.programs;
        let [st0, st1] = state;
        let f = &f;
        let half = move |sock: &mut DiagSocket, program: &Bytecode, st: &mut S| {
            let mut n = 0;
            sock.for_each(&req.with_bytecode(program), |m| {
                n += 1;
                f(st, m);
            })?;
            Ok::<usize, Error>(n)
        };
        let (a, b) = std::thread::scope(|scope| {
            let other = scope.spawn(|| half(s1, p1, st1));
            let mine = half(s0, p0, st0);
            (mine, other.join())
        });
        let b =
            b.map_err(|_| Error::Io(std::io::Error::other("the second scan thread panicked")))?;
        Ok(a? + b?)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const LO: u16 = 32768;
    const HI: u16 = 60999;

    /// Half 0 or 1 of a socket by the compiled first-half program, as the
    /// kernel would run it.
    fn half(program: &Bytecode, local: u16, remote: u16) -> usize {
        let entry = Entry::new(
            SocketAddr::from(([127, 0, 0, 1], local)),
            SocketAddr::from(([127, 0, 0, 1], remote)),
        );
        usize::from(!program.matches(&entry).unwrap())
    }

    #[test]
    fn the_program_is_the_key_rule() {
        let ports = [
            0,
            1,
            80,
            9000,
            LO - 1,
            LO,
            LO + 1,
            46883,
            46884,
            HI - 1,
            HI,
            HI + 1,
            65535,
        ];
        for mid in [0, 80, LO - 1, LO, 46883, HI, HI + 1, 65534, 65535] {
            let [a, b] =
                [first_half(LO, HI, mid), !first_half(LO, HI, mid)].map(|f| f.compile().unwrap());
            for &local in &ports {
                for &remote in &ports {
                    let want = usize::from(key(LO, HI, local, remote) > mid);
                    assert_eq!(half(&a, local, remote), want, "{mid} {local} {remote}");
                    // The second program is the exact complement.
                    assert_eq!(half(&b, local, remote), 1 - want);
                }
            }
        }
    }

    /// (first half, second half) of `sample` under `balanced_filters`'s
    /// rule for the range `LO..=HI`.
    fn split(sample: &[(u16, u16)]) -> (usize, usize) {
        let mut keys: Vec<u16> = sample.iter().map(|&(l, r)| key(LO, HI, l, r)).collect();
        let mid = balance(LO, HI, &mut keys);
        let program = first_half(LO, HI, mid).compile().unwrap();
        let first = sample
            .iter()
            .filter(|&&(l, r)| half(&program, l, r) == 0)
            .count();
        (first, sample.len() - first)
    }

    #[test]
    fn one_destination_splits_evenly() {
        // 1,000 connections to one listener: Linux gives them even local
        // ports in sequence from one point of the range, here just below
        // its middle; both ends of each are listed.
        let mut sample = vec![(9000, 0)];
        for i in 0..1000u16 {
            sample.push((45000 + 2 * i, 9000));
            sample.push((9000, 45000 + 2 * i));
        }
        // The middle of the range puts 94% of them in the first half.
        let mid = first_half(LO, HI, LO + (HI - LO) / 2).compile().unwrap();
        let at_mid = sample
            .iter()
            .filter(|&&(l, r)| half(&mid, l, r) == 0)
            .count();
        assert_eq!(at_mid, 1 + 2 * 942);
        let (a, b) = split(&sample);
        assert!(a.abs_diff(b) <= 1, "{a} {b}");
    }

    #[test]
    fn equal_keys_stay_in_one_half() {
        // 10 listeners (remote port 0) and 4 sockets with ephemeral ends.
        let mut sample = vec![(80, 0); 10];
        sample.extend([(40000, 80), (40002, 80), (50000, 80), (50002, 80)]);
        assert_eq!(split(&sample), (10, 4));
        // All the same: one half takes all of them.
        assert_eq!(split(&[(80, 0); 7]), (7, 0));
        assert_eq!(split(&[]), (0, 0));
        assert_eq!(split(&[(65535, 65535); 3]), (3, 0));
        assert_eq!(split(&[(LO, 1), (LO + 1, 1)]), (1, 1));
    }

    #[test]
    fn an_empty_sample_divides_at_the_middle() {
        assert_eq!(balance(LO, HI, &mut []), LO + (HI - LO) / 2);
        assert_eq!(balance(0, 65535, &mut []), 32767);
        assert_eq!(balance(5, 5, &mut []), 5);
    }
}
