//! [`Scanner`]: one request run again and again, on the caller's thread,
//! on a second thread that receives while the caller works (pipelined),
//! or split into two halves that the kernel walks at once.
//!
//! A second thread is a worker that lives as long as the scanner: it owns
//! its own socket and a small pool of receive buffers, receives datagrams
//! into them and hands them over a channel; the caller parses them where
//! they are and hands them back. Nothing is copied and, once the pool
//! exists, nothing is allocated per dump.

use std::ops::RangeInclusive;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::queue::Queue;
use crate::inet::filter::{Bytecode, Filter, Halves};
use crate::inet::{InetRequest, LegacyRequest};
use crate::netlink_diag::NetlinkRequest;
use crate::packet::PacketRequest;
use crate::request::{sealed, Request};
use crate::smc::SmcRequest;
use crate::tipc::TipcRequest;
use crate::transport::{Batch, Datagram, Dump};
use crate::unix::UnixRequest;
use crate::vsock::VsockRequest;
use crate::xdp::XdpRequest;
use crate::{DiagSocket, Error, InvalidArgument, DEFAULT_BUFFER_SIZE};

/// Receive buffers a worker cycles through: how far it can run ahead of
/// the caller.
const POOL: usize = 8;

/// A request the engine can run on a worker thread and, for inet dumps,
/// split into halves with a kernel filter. Implemented by every dump
/// request of this crate; sealed.
pub trait Scannable: Request + Send + 'static + sealed::Sealed {
    /// Starts a dump of `self` on `sock`, narrowed by `program` (only
    /// inet requests take one).
    #[doc(hidden)]
    fn dump_on<'s>(
        &self,
        sock: &'s mut DiagSocket,
        program: Option<&Bytecode<Vec<u8>>>,
    ) -> Result<Dump<'s, Self>, Error>;
    /// Whether a filter program can narrow it (two halves).
    #[doc(hidden)]
    fn takes_programs(&self) -> bool {
        false
    }
}

/// Every other request refuses a program.
fn no_program<'s, R: Request>(
    sock: &'s mut DiagSocket,
    req: &R,
    program: Option<&Bytecode<Vec<u8>>>,
) -> Result<Dump<'s, R>, Error> {
    if program.is_some() {
        return Err(InvalidArgument::Conflict("only inet dumps take a filter program").into());
    }
    sock.dump(req)
}

macro_rules! scannable_with_programs {
    ($($t:ty: $takes:expr),*) => {$(
        impl Scannable for $t {
            fn dump_on<'s>(
                &self,
                sock: &'s mut DiagSocket,
                program: Option<&Bytecode<Vec<u8>>>,
            ) -> Result<Dump<'s, Self>, Error> {
                match program {
                    Some(p) => sock.dump_as(&self.with_bytecode(p), *self),
                    None => sock.dump(self),
                }
            }
            fn takes_programs(&self) -> bool {
                let takes: fn(&Self) -> bool = $takes;
                takes(self)
            }
        }
    )*};
}
// A lookup names one socket: nothing to split.
scannable_with_programs!(InetRequest: |r| r.lookup_id().is_none(), LegacyRequest: |_| true);

macro_rules! scannable_without_programs {
    ($($t:ty),*) => {$(
        impl Scannable for $t {
            fn dump_on<'s>(
                &self,
                sock: &'s mut DiagSocket,
                program: Option<&Bytecode<Vec<u8>>>,
            ) -> Result<Dump<'s, Self>, Error> {
                no_program(sock, self, program)
            }
        }
    )*};
}
scannable_without_programs!(
    UnixRequest,
    PacketRequest,
    NetlinkRequest,
    VsockRequest,
    XdpRequest,
    TipcRequest,
    SmcRequest
);

/// What a worker is asked to do.
enum Job<R> {
    /// Run the dump, narrowed by the current program; tagged.
    Dump(u64),
    /// Run this request from now on.
    Request(R),
    /// Narrow later dumps by this program.
    Program(Option<Bytecode<Vec<u8>>>),
    /// Set the socket's receive timeout.
    Timeout(Option<Duration>),
}

/// What a worker hands back.
enum Out {
    /// A received datagram of dump `id`, checked: its replies end at
    /// `datagram.data_end`.
    Batch {
        id: u64,
        buf: Box<[u8]>,
        datagram: Datagram,
    },
    /// Dump `id` ended: whether the kernel marked it inconsistent.
    Done {
        id: u64,
        result: Result<bool, Error>,
    },
    /// The answer to a [`Job::Timeout`].
    Set(Result<(), Error>),
}

/// What [`Worker::step`] did.
enum Step {
    /// Nothing was queued.
    Empty,
    /// A message was handled; the dump goes on.
    Handled,
    /// The dump is over: whether it was marked inconsistent.
    Done(bool),
}

/// A thread that runs dumps on its own socket.
struct Worker<R> {
    jobs: Arc<Queue<Job<R>>>,
    out: Arc<Queue<Out>>,
    free: Arc<Queue<Box<[u8]>>>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    next_id: u64,
}

impl<R> std::fmt::Debug for Worker<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker")
            .field("next_id", &self.next_id)
            .finish()
    }
}

/// Closes the worker's outgoing queue when it stops, however it stops.
struct Closing(Arc<Queue<Out>>);

impl Drop for Closing {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The worker's loop: one job at a time until the scanner goes.
fn work<R: Scannable>(
    mut sock: DiagSocket,
    mut req: R,
    jobs: Arc<Queue<Job<R>>>,
    out: Arc<Queue<Out>>,
    free: Arc<Queue<Box<[u8]>>>,
    cancel: Arc<AtomicBool>,
) {
    let _closing = Closing(Arc::clone(&out));
    let mut program = None;
    let mut spare: Option<Box<[u8]>> = None;
    while let Some(job) = jobs.pop() {
        let sent = match job {
            Job::Program(p) => {
                program = p;
                Ok(())
            }
            Job::Request(r) => {
                req = r;
                Ok(())
            }
            Job::Timeout(t) => out.push(Out::Set(sock.set_timeout(t))).map_err(drop),
            Job::Dump(id) => {
                let result = (|| {
                    let mut dump = req.dump_on(&mut sock, program.as_ref())?;
                    loop {
                        if cancel.load(Ordering::Relaxed) {
                            // The caller stopped: the socket drains the
                            // rest before the next dump.
                            return Ok(false);
                        }
                        let mut buf = match spare.take() {
                            Some(b) => b,
                            None => match free.pop() {
                                Some(b) => b,
                                None => return Ok(false),
                            },
                        };
                        match dump.next_into(&mut buf) {
                            Ok(Some(datagram)) => {
                                if out.push(Out::Batch { id, buf, datagram }).is_err() {
                                    return Ok(false);
                                }
                            }
                            Ok(None) => {
                                spare = Some(buf);
                                return Ok(dump.is_interrupted());
                            }
                            Err(e) => {
                                spare = Some(buf);
                                return Err(e);
                            }
                        }
                    }
                })();
                out.push(Out::Done { id, result }).map_err(drop)
            }
        };
        if sent.is_err() {
            return;
        }
    }
}

impl<R: Scannable> Worker<R> {
    fn spawn(sock: DiagSocket, req: R) -> Result<Worker<R>, Error> {
        let jobs = Arc::new(Queue::new(8));
        let out = Arc::new(Queue::new(POOL + 4));
        let free = Arc::new(Queue::new(POOL));
        for _ in 0..POOL {
            let buf = vec![0u8; sock.buffer_size().max(DEFAULT_BUFFER_SIZE)].into_boxed_slice();
            free.push(buf)
                .map_err(|_| Error::Io(std::io::Error::other("scan worker pool")))?;
        }
        let cancel = Arc::new(AtomicBool::new(false));
        let (j, o, f, c) = (
            Arc::clone(&jobs),
            Arc::clone(&out),
            Arc::clone(&free),
            Arc::clone(&cancel),
        );
        let thread = std::thread::Builder::new()
            .name("sockdiag-scan".into())
            .spawn(move || work(sock, req, j, o, f, c))
            .map_err(Error::Io)?;
        Ok(Worker {
            jobs,
            out,
            free,
            cancel,
            thread: Some(thread),
            next_id: 0,
        })
    }

    fn gone() -> Error {
        Error::Io(std::io::Error::other("the scan thread has ended"))
    }

    fn send(&self, job: Job<R>) -> Result<(), Error> {
        self.jobs.push(job).map_err(|_| Self::gone())
    }

    /// Starts a dump; its id.
    fn start(&mut self) -> Result<u64, Error> {
        self.next_id += 1;
        self.cancel.store(false, Ordering::Relaxed);
        self.send(Job::Dump(self.next_id))?;
        Ok(self.next_id)
    }

    fn set_timeout(&self, t: Option<Duration>) -> Result<(), Error> {
        self.send(Job::Timeout(t))?;
        loop {
            match self.out.pop().ok_or_else(Self::gone)? {
                Out::Set(r) => return r,
                Out::Batch { buf, .. } => self.give_back(buf),
                Out::Done { .. } => {}
            }
        }
    }

    /// Handles one message of dump `id`: a batch goes to `each` (and its
    /// buffer back to the pool). `block`: wait for a message (else say
    /// [`Step::Empty`] when none is queued).
    fn step<E: From<Error>>(
        &self,
        id: u64,
        req: R,
        block: bool,
        each: &mut dyn FnMut(R::Msg<'_>) -> Result<(), E>,
    ) -> Result<Step, E> {
        let msg = if block {
            self.out.pop().ok_or_else(Self::gone)?
        } else {
            match self.out.try_pop() {
                Ok(Some(m)) => m,
                Ok(None) => return Ok(Step::Empty),
                Err(()) => return Err(Self::gone().into()),
            }
        };
        match msg {
            Out::Batch {
                id: got,
                buf,
                datagram,
            } => {
                let mut result = Ok(());
                if got == id {
                    let bytes = buf.get(..datagram.data_end).unwrap_or_default();
                    for m in Batch::checked(bytes, datagram.count, req) {
                        result = each(m);
                        if result.is_err() {
                            break;
                        }
                    }
                }
                self.give_back(buf);
                result.map(|()| Step::Handled)
            }
            Out::Done { id: got, result } if got == id => Ok(Step::Done(result?)),
            Out::Done { .. } | Out::Set(_) => Ok(Step::Handled),
        }
    }

    /// After the caller stopped early: tells the worker to stop and takes
    /// back every buffer of dump `id` until it is done.
    fn abandon(&self, id: u64) {
        self.cancel.store(true, Ordering::Relaxed);
        while let Some(msg) = self.out.pop() {
            match msg {
                Out::Batch { buf, .. } => self.give_back(buf),
                Out::Done { id: got, .. } if got == id => break,
                _ => {}
            }
        }
    }
}

impl<R> Worker<R> {
    fn give_back(&self, buf: Box<[u8]>) {
        // The worker takes it back with its next datagram; if it has gone,
        // the buffer goes with the channel.
        let _ = self.free.push(buf);
    }
}

impl<R> Drop for Worker<R> {
    fn drop(&mut self) {
        // Closing the job channel ends the worker's loop; if it is inside a
        // dump, the cancel flag ends that first.
        self.cancel.store(true, Ordering::Relaxed);
        self.jobs.close();
        self.free.close();
        while self.out.pop().is_some() {}
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// How a [`Scanner`] runs its request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// One dump on the caller's thread: receive, then handle, in turn.
    Inline,
    /// One dump, received on a second thread while the caller handles the
    /// datagrams before: the kernel's walk and the caller's work overlap.
    Pipelined,
    /// Two dumps at once, each of half the sockets (inet only): the
    /// caller's thread walks one, a second thread the other.
    Halves,
}

/// The two halves' division: the rule, the first half's filter and both
/// programs.
#[derive(Debug)]
struct Division {
    rule: Halves,
    first: Filter,
    programs: [Bytecode<Vec<u8>>; 2],
}

/// What one scan saw.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScanStats {
    /// Replies of each half (the first only, without halves).
    pub sockets: [usize; 2],
}

impl ScanStats {
    /// Replies in all.
    pub fn total(&self) -> usize {
        self.sockets[0] + self.sockets[1]
    }
}

/// Runs one request again and again with one of three [`Strategy`]s, on
/// sockets and threads it keeps between runs.
///
/// ```no_run
/// use sockdiag::inet::LegacyRequest;
/// use sockdiag::poll::Scanner;
///
/// // Every TCP socket, the kernel's walk on a second thread while this
/// // one formats.
/// let mut scanner = Scanner::new(LegacyRequest::tcp())?.pipelined()?;
/// scanner.scan(|_half, m| {
///     println!("{} -> {} {}", m.src(), m.dst(), m.state());
///     Ok::<(), sockdiag::Error>(())
/// })?;
/// # Ok::<(), sockdiag::Error>(())
/// ```
#[derive(Debug)]
pub struct Scanner<R: Scannable> {
    req: R,
    /// The caller's socket: the whole dump inline, or the first half.
    sock: Option<DiagSocket>,
    /// The second thread: the whole dump (pipelined) or the second half.
    worker: Option<Worker<R>>,
    division: Option<Division>,
    /// The caller's filter and its program (without halves).
    filter: Option<(Filter, Bytecode<Vec<u8>>)>,
}

impl<R: Scannable> Scanner<R> {
    /// A scanner running `req` inline on a new socket.
    pub fn new(req: R) -> Result<Self, Error> {
        Ok(Self::with_socket(DiagSocket::new()?, req))
    }

    /// A scanner running `req` inline on `sock` (opened in a namespace,
    /// with a timeout, ...: its settings carry over to the sockets the
    /// scanner opens beside it, which are in the same namespace).
    pub fn with_socket(sock: DiagSocket, req: R) -> Self {
        Scanner {
            req,
            sock: Some(sock),
            worker: None,
            division: None,
            filter: None,
        }
    }

    /// The request.
    pub fn request(&self) -> &R {
        &self.req
    }

    /// Runs `req` from now on (its replies must be of the same family).
    pub fn with_request(mut self, req: R) -> Result<Self, Error> {
        if let Some(w) = &self.worker {
            w.send(Job::Request(req))?;
        }
        self.req = req;
        Ok(self)
    }

    /// How it runs.
    pub fn strategy(&self) -> Strategy {
        match (&self.sock, &self.worker) {
            (Some(_), Some(_)) => Strategy::Halves,
            (None, _) => Strategy::Pipelined,
            (Some(_), None) => Strategy::Inline,
        }
    }

    /// Receives on a second thread: the socket moves to a worker that
    /// receives each datagram into a pool of buffers while this thread
    /// handles the ones before. Replies come in the kernel's order, as
    /// inline.
    pub fn pipelined(mut self) -> Result<Self, Error> {
        if self.worker.is_none() {
            if let Some(sock) = self.sock.take() {
                self.worker = Some(Worker::spawn(sock, self.req)?);
                self.send_program()?;
            }
        }
        Ok(self)
    }

    /// Lists only the sockets `filter` selects, by a program the kernel
    /// runs (inet dumps only; with halves, each half's program is the
    /// filter and the half's). Interface names and cgroup paths must be
    /// [resolved](crate::resolve_names) first.
    pub fn with_filter(mut self, filter: &Filter) -> Result<Self, Error> {
        if !self.req.takes_programs() {
            return Err(InvalidArgument::Conflict("only inet dump requests take a filter").into());
        }
        self.filter = Some((filter.clone(), filter.compile()?));
        if let Some(d) = &self.division {
            let first = d.first.clone();
            let rule = d.rule.clone();
            self.division = Some(Division::with_first(rule, first, self.user_filter())?);
        }
        self.send_program()?;
        Ok(self)
    }

    fn user_filter(&self) -> Option<&Filter> {
        self.filter.as_ref().map(|(f, _)| f)
    }

    /// The program of a dump without halves: the caller's filter.
    fn program(&self) -> Option<&Bytecode<Vec<u8>>> {
        self.filter.as_ref().map(|(_, p)| p)
    }

    /// Splits each dump into two halves of the sockets, dumped at once on
    /// this thread and on a second one (with a socket in the same
    /// namespace): the kernel describes each socket once, in either half.
    /// The halves divide at the middle of the ephemeral port range until
    /// [`divide`](Self::divide) says otherwise. Only inet dumps split
    /// ([`Error::InvalidArgument`] otherwise).
    pub fn halves(mut self) -> Result<Self, Error> {
        if !self.req.takes_programs() {
            return Err(
                InvalidArgument::Conflict("only inet dump requests split into halves").into(),
            );
        }
        let Some(sock) = &self.sock else {
            return Err(InvalidArgument::Conflict("a pipelined scanner does not split").into());
        };
        if self.worker.is_none() {
            let range = ephemeral_range_of(sock)?;
            let second = sock.sibling()?;
            self.worker = Some(Worker::spawn(second, self.req)?);
            self.division = Some(Division::new(Halves::new(range), self.user_filter())?);
            self.send_program()?;
        }
        Ok(self)
    }

    /// Divides the halves where `sample` — the (local port, remote port) of
    /// each socket, from an earlier scan — splits most evenly
    /// ([`Halves::filters`]); each socket still falls in exactly one half.
    /// Returns whether the division moved. No-op without halves.
    pub fn divide(&mut self, sample: impl IntoIterator<Item = (u16, u16)>) -> Result<bool, Error> {
        let Some(d) = &self.division else {
            return Ok(false);
        };
        let [first, _] = d.rule.filters(sample);
        if first == d.first {
            return Ok(false);
        }
        let rule = d.rule.clone();
        self.division = Some(Division::with_first(rule, first, self.user_filter())?);
        self.send_program()?;
        Ok(true)
    }

    /// The first half's filter (the second is its negation), with halves.
    pub fn division(&self) -> Option<&Filter> {
        self.division.as_ref().map(|d| &d.first)
    }

    /// Gives the worker its program: the second half's, or the caller's
    /// filter when it runs the whole dump.
    fn send_program(&self) -> Result<(), Error> {
        let Some(w) = &self.worker else {
            return Ok(());
        };
        let program = match &self.division {
            Some(d) => Some(d.programs[1].clone()),
            None => self.program().cloned(),
        };
        w.send(Job::Program(program))
    }

    /// Bounds how long each receive may wait, on every socket of the
    /// scanner ([`DiagSocket::set_timeout`]).
    pub fn set_timeout(&mut self, timeout: Option<Duration>) -> Result<(), Error> {
        if let Some(s) = &self.sock {
            s.set_timeout(timeout)?;
        }
        if let Some(w) = &self.worker {
            w.set_timeout(timeout)?;
        }
        Ok(())
    }

    /// Runs the request once and calls `f` with each reply and the half it
    /// came from (0 unless split), on this thread. Inline and pipelined
    /// scans hand the replies out in the kernel's order; split scans
    /// interleave the halves, each in its own order. An error of `f` (your
    /// type, which needs `From<sockdiag::Error>`) stops the scan and is
    /// returned; the sockets stay usable. A dump the kernel marks
    /// inconsistent is [`Error::DumpInterrupted`] at the end.
    pub fn scan<E, F>(&mut self, mut f: F) -> Result<ScanStats, E>
    where
        E: From<Error>,
        F: FnMut(usize, R::Msg<'_>) -> Result<(), E>,
    {
        let mut stats = ScanStats::default();
        let req = self.req;
        let program = self.filter.as_ref().map(|(_, p)| p);
        let interrupted = match (&mut self.sock, &mut self.worker) {
            (Some(sock), None) => {
                let mut dump = req.dump_on(sock, program)?;
                while let Some(batch) = dump.next_batch()? {
                    for m in batch {
                        stats.sockets[0] += 1;
                        f(0, m)?;
                    }
                }
                dump.is_interrupted()
            }
            (None, Some(worker)) => {
                let id = worker.start()?;
                let mut each = |m: R::Msg<'_>| {
                    stats.sockets[0] += 1;
                    f(0, m)
                };
                loop {
                    match worker.step(id, req, true, &mut each) {
                        Ok(Step::Done(interrupted)) => break interrupted,
                        Ok(_) => {}
                        Err(e) => {
                            worker.abandon(id);
                            return Err(e);
                        }
                    }
                }
            }
            (Some(sock), Some(worker)) => {
                let program = self.division.as_ref().map(|d| &d.programs[0]);
                let id = worker.start()?;
                let [a, b] = &mut stats.sockets;
                let r = split(sock, worker, id, req, program, a, b, &mut f);
                if r.is_err() {
                    worker.abandon(id);
                }
                r?
            }
            (None, None) => false,
        };
        if interrupted {
            return Err(Error::DumpInterrupted.into());
        }
        Ok(stats)
    }

    /// Runs the request once, whole, on this thread (no halves, whatever
    /// the strategy): for the sample a division starts from.
    pub fn scan_whole<E, F>(&mut self, mut f: F) -> Result<usize, E>
    where
        E: From<Error>,
        F: FnMut(R::Msg<'_>) -> Result<(), E>,
    {
        let req = self.req;
        let Some(sock) = &mut self.sock else {
            let mut n = 0;
            self.scan(|_, m| {
                n += 1;
                f(m)
            })?;
            return Ok(n);
        };
        let mut n = 0;
        let program = self.filter.as_ref().map(|(_, p)| p);
        let mut dump = req.dump_on(sock, program)?;
        while let Some(batch) = dump.next_batch()? {
            for m in batch {
                n += 1;
                f(m)?;
            }
        }
        if dump.is_interrupted() {
            return Err(Error::DumpInterrupted.into());
        }
        Ok(n)
    }
}

/// The first half on this thread, the second from the worker in between
/// and after; whether either dump was marked inconsistent.
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn split<R: Scannable, E: From<Error>>(
    sock: &mut DiagSocket,
    worker: &Worker<R>,
    id: u64,
    req: R,
    program: Option<&Bytecode<Vec<u8>>>,
    a: &mut usize,
    b: &mut usize,
    f: &mut dyn FnMut(usize, R::Msg<'_>) -> Result<(), E>,
) -> Result<bool, E> {
    let mut done = None;
    let mut dump = req.dump_on(sock, program)?;
    while let Some(batch) = dump.next_batch()? {
        for m in batch {
            *a += 1;
            f(0, m)?;
        }
        // The second half's datagrams that arrived meanwhile.
        while done.is_none() {
            let mut second = |m: R::Msg<'_>| {
                *b += 1;
                f(1, m)
            };
            match worker.step(id, req, false, &mut second)? {
                Step::Empty => break,
                Step::Handled => {}
                Step::Done(i) => done = Some(i),
            }
        }
    }
    let first_interrupted = dump.is_interrupted();
    drop(dump);
    let second_interrupted = loop {
        if let Some(i) = done {
            break i;
        }
        let mut second = |m: R::Msg<'_>| {
            *b += 1;
            f(1, m)
        };
        if let Step::Done(i) = worker.step(id, req, true, &mut second)? {
            done = Some(i);
        }
    };
    Ok(first_interrupted || second_interrupted)
}

/// `net.ipv4.ip_local_port_range` of the socket's network namespace, or
/// Linux's default.
fn ephemeral_range_of(sock: &DiagSocket) -> Result<RangeInclusive<u16>, Error> {
    sock.run_in_netns(|| Ok(crate::host::system::ephemeral_ports()))
}

impl Division {
    /// The division at the middle of the range.
    fn new(rule: Halves, user: Option<&Filter>) -> Result<Self, Error> {
        let [first, _] = rule.filters([]);
        Self::with_first(rule, first, user)
    }

    /// The halves `first` and its negation, each within `user`'s filter.
    fn with_first(rule: Halves, first: Filter, user: Option<&Filter>) -> Result<Self, Error> {
        let within = |half: Filter| match user {
            Some(u) => u.clone().and(half),
            None => half,
        };
        let programs = [
            within(first.clone()).compile()?,
            within(!first.clone()).compile()?,
        ];
        Ok(Division {
            rule,
            first,
            programs,
        })
    }
}
