//! [`SplitScan`]: one scan of every TCP socket divided between two threads
//! by kernel-side filters.

use std::net::SocketAddr;

use super::filter::{Bytecode, Cmp, Filter};
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

/// The filter of the first half: the ephemeral end is at most `mid`.
fn first_half(lo: u16, hi: u16) -> Filter {
    let mid = lo + (hi - lo) / 2;
    let local_ephemeral = Filter::src_port(Cmp::Ge, lo).and(Filter::src_port(Cmp::Le, mid));
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
        let [a, b] = Self::filters();
        let compile = |f: Filter| {
            f.compile()
                .map_err(|e| Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)))
        };
        Ok(SplitScan {
            req,
            socks: [DiagSocket::new()?, DiagSocket::new()?],
            programs: [compile(a)?, compile(b)?],
        })
    }

    /// The two filters that divide the sockets between the halves (every
    /// socket passes exactly one), for running the halves your own way:
    /// for instance a [`Poller`](crate::poll::Poller) per thread, as
    /// `sockdiag watch` does.
    pub fn filters() -> [Filter; 2] {
        let (lo, hi) = ephemeral_range();
        let a = first_half(lo, hi);
        [a.clone(), !a]
    }

    /// Which half a socket with these addresses belongs to (0 or 1), as the
    /// kernel decides it.
    pub fn half_of(&self, src: SocketAddr, dst: SocketAddr) -> usize {
        let entry = super::filter::Entry {
            src,
            dst,
            interface: 0,
            auto_bound: None,
            mark: None,
            cgroup_id: None,
        };
        let [first, _] = &self.programs;
        usize::from(!first.matches(&entry).unwrap_or(true))
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
