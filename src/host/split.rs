//! [`SplitScan`]: one scan of every TCP socket divided between two threads
//! by kernel-side filters ([`Halves`]).

use std::net::SocketAddr;

use crate::inet::filter::{Bytecode, Entry, Filter, Halves};
use crate::inet::{InetMsg, LegacyRequest};
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
/// use sockdiag::inet::LegacyRequest;
/// use sockdiag::SplitScan;
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
pub(crate) fn ephemeral_range() -> (u16, u16) {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|p| p.parse::<u16>().ok());
            Some((it.next()??, it.next()??))
        })
        .filter(|(lo, hi)| lo <= hi)
        .unwrap_or((32768, 60999))
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
        Halves::new(lo..=hi).filters(sample)
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
        let compile = |f: Filter| f.compile().map_err(Error::Filter);
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
        // A panic of `f` on the second thread is the caller's own: resumed
        // here, with its payload.
        let b = b.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        Ok(a? + b?)
    }
}
