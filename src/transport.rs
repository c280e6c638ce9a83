//! The transport: a netlink socket with one reusable receive buffer, and
//! the dump that streams replies out of it batch by batch.
//!
//! This is the only module that sends and receives netlink messages.

use core::fmt;
use std::io::{self, IoSlice, IoSliceMut, Write};
use std::ops::ControlFlow;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::time::Duration;

use nix::errno::Errno;
use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use nix::sys::time::TimeVal;

use crate::error::Error;
use crate::inet::DestroyEvent;
use crate::netlink::{Done, ErrorMsg, Flags, Messages, NlMsg};
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::netlink::{NLMSG_DONE, NLMSG_ERROR, NLMSG_MIN_TYPE, NLMSG_NOOP};
use crate::request::Request;

/// Default receive buffer size. The kernel fills at most 32 KiB minus its
/// skb overhead per datagram, so a bigger buffer gains nothing.
pub const DEFAULT_BUFFER_SIZE: usize = 32 * 1024;

/// A `NETLINK_SOCK_DIAG` socket that owns one receive buffer and reuses it
/// for every dump.
///
/// One socket serves any number of dumps, one at a time (a [`Dump`]
/// borrows it mutably). After the first dump, the kernel remembers the
/// buffer size and fills whole datagrams, and a dump allocates nothing.
/// Replies are checked: they must come from the kernel (port id 0; other
/// senders' datagrams are dropped and counted), carry the request's
/// sequence number and this socket's port id, and fit the buffer.
///
/// The kernel does not snapshot its tables: sockets created or closed
/// while a dump runs may be missed or reported twice. Use the cookie to
/// de-duplicate.
pub struct DiagSocket {
    fd: OwnedFd,
    buf: Box<[u8]>,
    port_id: u32,
    seq: u32,
    /// A dump was dropped before the kernel ended it: drain before the
    /// next request.
    needs_drain: bool,
    foreign: u64,
    /// The network namespace the socket was opened in, if not the
    /// caller's ([`DiagSocket::in_netns`]): for opening more there.
    pub(crate) netns: Option<std::sync::Arc<OwnedFd>>,
}

impl fmt::Debug for DiagSocket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiagSocket")
            .field("fd", &self.fd.as_raw_fd())
            .field("port_id", &self.port_id)
            .field("buffer_size", &self.buf.len())
            .field("seq", &self.seq)
            .finish()
    }
}

fn io_err(e: Errno) -> Error {
    Error::Io(io::Error::from(e))
}

impl DiagSocket {
    /// Opens a socket with a [`DEFAULT_BUFFER_SIZE`] receive buffer.
    pub fn new() -> Result<Self, Error> {
        Self::with_buffer_size(DEFAULT_BUFFER_SIZE)
    }

    /// Opens a socket with a receive buffer of `size` bytes, raised to
    /// [`DEFAULT_BUFFER_SIZE`] if smaller: a smaller buffer would truncate
    /// the kernel's datagrams.
    pub fn with_buffer_size(size: usize) -> Result<Self, Error> {
        Self::open(size, 0)
    }

    /// A socket bound to the multicast `groups` (a bit mask).
    pub(crate) fn open(size: usize, groups: u32) -> Result<Self, Error> {
        let fd = socket::socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkSockDiag,
        )
        .map_err(io_err)?;
        socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, groups)).map_err(io_err)?;
        let addr: NetlinkAddr = socket::getsockname(fd.as_raw_fd()).map_err(io_err)?;
        Ok(DiagSocket {
            fd,
            buf: vec![0; size.max(DEFAULT_BUFFER_SIZE)].into_boxed_slice(),
            port_id: addr.pid(),
            seq: 0,
            needs_drain: false,
            foreign: 0,
            netns: None,
        })
    }

    /// The port id the kernel assigned to this socket.
    pub fn port_id(&self) -> u32 {
        self.port_id
    }

    /// Size of the receive buffer.
    pub fn buffer_size(&self) -> usize {
        self.buf.len()
    }

    /// Datagrams received from a sender other than the kernel and dropped.
    pub fn foreign_datagrams(&self) -> u64 {
        self.foreign
    }

    /// Bounds how long a receive may wait (`SO_RCVTIMEO`); `None` waits
    /// forever (the default). A receive that times out ends in
    /// [`Error::Timeout`].
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<(), Error> {
        let tv = match timeout {
            None => TimeVal::new(0, 0),
            // A zero SO_RCVTIMEO means "forever"; the shortest real wait is 1 us.
            Some(d) => {
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                let micros = i64::from(d.subsec_micros());
                if secs == 0 && micros == 0 {
                    TimeVal::new(0, 1)
                } else {
                    TimeVal::new(secs, micros)
                }
            }
        };
        socket::setsockopt(&self.fd, socket::sockopt::ReceiveTimeout, &tv).map_err(io_err)
    }

    /// Sends `req` and returns the dump that streams its replies.
    ///
    /// The kernel walks its tables while the dump is read: a socket that
    /// opens or closes meanwhile may be missing or listed twice, and
    /// rarely a dump of several datagrams misses one that lived throughout
    /// (see [the crate's consistency notes](crate#consistency-what-a-dump-can-and-cannot-promise));
    /// de-duplicate by cookie.
    ///
    /// ```no_run
    /// use sockdiag::inet::{Family, InetRequest, Protocol};
    /// use sockdiag::DiagSocket;
    ///
    /// let mut sock = DiagSocket::new()?;
    /// let mut dump = sock.dump(&InetRequest::new(Family::Inet, Protocol::Tcp))?;
    /// while let Some(batch) = dump.next_batch()? {
    ///     for msg in batch {
    ///         println!("{} -> {} {}", msg.src(), msg.dst(), msg.state());
    ///     }
    /// }
    /// # Ok::<(), sockdiag::Error>(())
    /// ```
    pub fn dump<R: Request>(&mut self, req: &R) -> Result<Dump<'_, R>, Error> {
        self.dump_as(req, *req)
    }

    /// Sends `sent` and returns the dump of its replies, parsed as `parse`
    /// parses them: for a request with a program attached (`sent`) whose
    /// replies are its base request's (`parse`).
    pub(crate) fn dump_as<Q: Request, R: Request>(
        &mut self,
        sent: &Q,
        parse: R,
    ) -> Result<Dump<'_, R>, Error> {
        if self.needs_drain {
            self.drain()?;
        }
        self.seq = next_seq(self.seq);
        let seq = self.seq;
        let bytes = sent.encode(seq);
        self.send(bytes.as_ref(), sent.tail())?;
        Ok(Dump {
            sock: self,
            req: parse,
            capture: None,
            seq,
            family: parse.sdiag_family(),
            protocol: parse.sdiag_protocol(),
            state: DumpState::Running,
            interrupted: false,
        })
    }

    /// Runs a dump and calls `f` with every reply. An inconsistent dump
    /// (`NLM_F_DUMP_INTR`, which sock_diag does not set today) is
    /// [`Error::DumpInterrupted`] once every reply has been handed out.
    pub fn for_each<R, F>(&mut self, req: &R, mut f: F) -> Result<(), Error>
    where
        R: Request,
        F: FnMut(R::Msg<'_>),
    {
        self.try_for_each(req, |m| {
            f(m);
            Ok::<_, Error>(ControlFlow::<()>::Continue(()))
        })
        .map(|_| ())
    }

    /// Runs a dump and calls `f` with every reply until it returns an
    /// error or [`ControlFlow::Break`]: `?` works inside `f` (your error
    /// type needs `From<sockdiag::Error>`), and a break ends the dump
    /// early (the socket discards the rest before its next request, and
    /// stays usable). Returns the break value, or `Continue` if the dump
    /// ran to its end; an inconsistent dump is [`Error::DumpInterrupted`]
    /// at the end, as for [`for_each`](Self::for_each).
    ///
    /// ```no_run
    /// use std::ops::ControlFlow;
    /// use sockdiag::inet::{LegacyRequest, TcpState};
    /// use sockdiag::DiagSocket;
    ///
    /// let mut sock = DiagSocket::new()?;
    /// // The first listener, if any.
    /// let found = sock.try_for_each(&LegacyRequest::tcp(), |m| {
    ///     Ok::<_, sockdiag::Error>(if m.state() == TcpState::Listen {
    ///         ControlFlow::Break(m.src())
    ///     } else {
    ///         ControlFlow::Continue(())
    ///     })
    /// })?;
    /// if let ControlFlow::Break(addr) = found {
    ///     println!("listening on {addr}");
    /// }
    /// # Ok::<(), sockdiag::Error>(())
    /// ```
    pub fn try_for_each<R, B, E, F>(&mut self, req: &R, mut f: F) -> Result<ControlFlow<B>, E>
    where
        R: Request,
        E: From<Error>,
        F: FnMut(R::Msg<'_>) -> Result<ControlFlow<B>, E>,
    {
        let mut dump = self.dump(req)?;
        while let Some(batch) = dump.next_batch()? {
            for msg in batch {
                if let ControlFlow::Break(b) = f(msg)? {
                    return Ok(ControlFlow::Break(b));
                }
            }
        }
        if dump.is_interrupted() {
            return Err(Error::DumpInterrupted.into());
        }
        Ok(ControlFlow::Continue(()))
    }

    /// Runs a dump and copies every reply into an owned `Vec`. This
    /// allocates; the [`dump`](Self::dump) and [`for_each`](Self::for_each)
    /// forms do not. An inconsistent dump (`NLM_F_DUMP_INTR`) is
    /// [`Error::DumpInterrupted`].
    pub fn snapshot<R: Request>(&mut self, req: &R) -> Result<Vec<R::Owned>, Error> {
        let mut out = Vec::new();
        self.for_each(req, |m| out.push(R::Owned::from(m)))?;
        Ok(out)
    }

    /// Runs an exact lookup ([`InetRequest::lookup`](crate::inet::InetRequest::lookup),
    /// [`UnixRequest::lookup`](crate::unix::UnixRequest::lookup)) and
    /// returns the socket, owned; [`Error::NotFound`] if there is none.
    pub fn lookup<R: Request>(&mut self, req: &R) -> Result<R::Owned, Error> {
        let mut found = None;
        let mut dump = self.dump(req)?;
        while let Some(batch) = dump.next_batch()? {
            found = found.or_else(|| batch.iter().next().map(R::Owned::from));
        }
        found.ok_or(Error::NotFound {
            errno: Errno::ENOENT as i32,
        })
    }

    /// Closes the socket that `target` names ([`InetRequest::lookup`](crate::inet::InetRequest::lookup)),
    /// as `ss -K` does (`SOCK_DESTROY`, Linux 4.5): a TCP peer sees
    /// `ECONNABORTED`. Needs `CAP_NET_ADMIN` ([`Error::Kernel`] with
    /// `EPERM` otherwise) and a kernel with `CONFIG_INET_DIAG_DESTROY`
    /// (`EOPNOTSUPP` otherwise); a socket that is gone or whose cookie
    /// differs is [`Error::NotFound`]. A dump request names no socket: it
    /// is `NotFound`. To destroy sockets while dumping, use a second
    /// `DiagSocket`: one socket runs one exchange at a time.
    pub fn destroy(&mut self, target: &crate::inet::InetRequest) -> Result<(), Error> {
        let mut dump = self.dump(&crate::inet::Destroy(*target))?;
        while dump.next_batch()?.is_some() {}
        Ok(())
    }

    /// Sends one datagram made of `head` and `tail`.
    fn send(&mut self, head: &[u8], tail: &[u8]) -> Result<(), Error> {
        let kernel = NetlinkAddr::new(0, 0);
        let total = head.len() + tail.len();
        let iov = [IoSlice::new(head), IoSlice::new(tail)];
        let parts = if tail.is_empty() { 1 } else { 2 };
        loop {
            let r = socket::sendmsg(
                self.fd.as_raw_fd(),
                iov.get(..parts).unwrap_or_default(),
                &[],
                MsgFlags::empty(),
                Some(&kernel),
            );
            match r {
                Ok(n) if n == total => return Ok(()),
                Ok(n) => {
                    return Err(Error::Io(io::Error::new(
                        io::ErrorKind::WriteZero,
                        format!("netlink sendmsg wrote {n} of {total} bytes"),
                    )))
                }
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(io_err(e)),
            }
        }
    }

    /// Receives one datagram into the socket's buffer ([`recv`]).
    fn recv(&mut self, flags: MsgFlags) -> Result<Option<usize>, Error> {
        recv(&self.fd, &mut self.buf, flags, &mut self.foreign)
    }

    /// Discards what is left of a dump that was dropped before its end.
    ///
    /// While a dump runs, the kernel queues its next datagram before the
    /// previous `recvmsg` returns, so the queue runs dry exactly when the
    /// dump is over.
    fn drain(&mut self) -> Result<(), Error> {
        loop {
            match self.recv(MsgFlags::MSG_DONTWAIT) {
                Ok(Some(_)) | Err(Error::Truncated { .. }) => {}
                Ok(None) => break,
                Err(e) => return Err(e),
            }
        }
        self.needs_drain = false;
        Ok(())
    }
}

bitflags::bitflags! {
    /// The sock_diag multicast groups that announce destroyed sockets
    /// (`SKNLGRP_*`, Linux 4.10).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct DestroyGroups: u32 {
        /// `SKNLGRP_INET_TCP_DESTROY`: IPv4 TCP sockets.
        const INET_TCP = 1 << 0;
        /// `SKNLGRP_INET_UDP_DESTROY`: IPv4 UDP sockets.
        const INET_UDP = 1 << 1;
        /// `SKNLGRP_INET6_TCP_DESTROY`: IPv6 TCP sockets.
        const INET6_TCP = 1 << 2;
        /// `SKNLGRP_INET6_UDP_DESTROY`: IPv6 UDP sockets.
        const INET6_UDP = 1 << 3;
    }
}

/// A subscription to the kernel's announcements of destroyed inet
/// sockets: each one arrives as the socket's last [`InetMsg`](crate::inet::InetMsg)
/// (its final state, queues and, for TCP, `tcp_info`), in batches over
/// the subscription's reusable buffer.
///
/// Only sockets of this socket's network namespace are announced. If the
/// subscriber falls behind, the kernel drops events and the next receive
/// fails with `ENOBUFS` ([`Error::Io`]); the subscription goes on.
#[derive(Debug)]
pub struct DestroyEvents {
    sock: DiagSocket,
}

impl DestroyEvents {
    /// Subscribes to `groups`.
    pub fn subscribe(groups: DestroyGroups) -> Result<Self, Error> {
        Ok(DestroyEvents {
            sock: DiagSocket::open(DEFAULT_BUFFER_SIZE, groups.bits())?,
        })
    }

    /// Bounds how long [`next_batch`](Self::next_batch) waits
    /// ([`Error::Timeout`] when it runs out); `None` waits forever.
    pub fn set_timeout(&self, timeout: Option<Duration>) -> Result<(), Error> {
        self.sock.set_timeout(timeout)
    }

    /// Waits for the next datagram of events and returns them.
    pub fn next_batch(&mut self) -> Result<Batch<'_, DestroyEvent>, Error> {
        let (data_end, count) = loop {
            if let Some(found) = self.receive(MsgFlags::empty())? {
                break found;
            }
        };
        Ok(self.batch(data_end, count))
    }

    /// The next datagram of events if one is waiting, else `None` at once:
    /// for a poll loop that drains the events between its dumps.
    pub fn try_next_batch(&mut self) -> Result<Option<Batch<'_, DestroyEvent>>, Error> {
        Ok(self
            .receive(MsgFlags::MSG_DONTWAIT)?
            .map(|(data_end, count)| self.batch(data_end, count)))
    }

    /// Receives datagrams until one holds events (`None`: with
    /// `MSG_DONTWAIT`, none is waiting), checks them and returns where
    /// they end and how many there are.
    fn receive(&mut self, flags: MsgFlags) -> Result<Option<(usize, usize)>, Error> {
        loop {
            let Some(len) = self.sock.recv(flags)? else {
                return Ok(None);
            };
            let data = self.sock.buf.get(..len).unwrap_or_default();
            let mut count = 0;
            let mut data_end = 0;
            for msg in Messages::new(data) {
                let msg = msg?;
                if msg.kind() < NLMSG_MIN_TYPE {
                    return Err(unexpected(&msg));
                }
                DestroyEvent.parse(msg)?;
                count += 1;
                data_end = msg.payload_offset().saturating_add(msg.payload().len());
            }
            if count > 0 {
                return Ok(Some((data_end, count)));
            }
        }
    }

    fn batch(&self, data_end: usize, count: usize) -> Batch<'_, DestroyEvent> {
        Batch {
            bytes: self.sock.buf.get(..data_end).unwrap_or_default(),
            count,
            req: DestroyEvent,
        }
    }
}

impl AsFd for DestroyEvents {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.sock.as_fd()
    }
}

/// Receives one datagram from the kernel into `buf` and returns its
/// length; `Ok(None)` if `flags` has `MSG_DONTWAIT` and nothing is queued.
/// Retries `EINTR`; drops (and counts in `foreign`) datagrams from other
/// senders; a datagram longer than `buf` is [`Error::Truncated`].
fn recv(
    fd: &OwnedFd,
    buf: &mut [u8],
    flags: MsgFlags,
    foreign: &mut u64,
) -> Result<Option<usize>, Error> {
    loop {
        let buffer_len = buf.len();
        let mut iov = [IoSliceMut::new(buf)];
        // MSG_TRUNC makes netlink return the datagram's real length.
        let r = socket::recvmsg::<NetlinkAddr>(
            fd.as_raw_fd(),
            &mut iov,
            None,
            flags | MsgFlags::MSG_TRUNC,
        )
        .map(|m| (m.bytes, m.flags, m.address.map(|a| a.pid())));
        match r {
            Ok((_, _, sender)) if sender != Some(0) => {
                *foreign = foreign.saturating_add(1);
            }
            Ok((len, msg_flags, _)) => {
                if msg_flags.contains(MsgFlags::MSG_TRUNC) || len > buffer_len {
                    return Err(Error::Truncated {
                        datagram_len: len,
                        buffer_len,
                    });
                }
                return Ok(Some(len));
            }
            Err(Errno::EINTR) => {}
            Err(Errno::EAGAIN) if flags.contains(MsgFlags::MSG_DONTWAIT) => return Ok(None),
            Err(Errno::EAGAIN) => return Err(Error::Timeout),
            Err(e) => return Err(io_err(e)),
        }
    }
}

impl AsFd for DiagSocket {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

/// A running dump: the replies to one request, received a datagram at a
/// time into the socket's buffer.
///
/// Because each receive overwrites the buffer, replies are handed out per
/// [`Batch`] (lending style): a batch borrows the dump until the next call
/// to [`next_batch`](Dump::next_batch). Dropping a dump before its end is
/// fine: the socket discards the rest before its next request.
pub struct Dump<'s, R: Request> {
    sock: &'s mut DiagSocket,
    req: R,
    capture: Option<&'s mut dyn Write>,
    seq: u32,
    family: u8,
    protocol: u16,
    state: DumpState,
    interrupted: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DumpState {
    Running,
    /// The kernel ended the dump (`NLMSG_DONE` or `NLMSG_ERROR`).
    Finished,
    /// An error was returned; the kernel's side may still be running.
    Failed,
}

impl<R: Request> fmt::Debug for Dump<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Dump")
            .field("seq", &self.seq)
            .field("family", &self.family)
            .field("protocol", &self.protocol)
            .field("state", &self.state)
            .field("interrupted", &self.interrupted)
            .finish()
    }
}

/// Where the replies of one received datagram end, and how many there are.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Datagram {
    pub(crate) data_end: usize,
    pub(crate) count: usize,
}

/// What one pass over a datagram found.
struct Scan {
    /// End of the last reply message.
    data_end: usize,
    /// Number of reply messages.
    count: usize,
    done: bool,
    interrupted: bool,
}

impl<'s, R: Request> Dump<'s, R> {
    /// Copies every datagram, as received, to `writer` before it is
    /// parsed: the raw capture hook (gopsutil's `resp` writer, the format
    /// of `ss -D`: concatenated netlink messages).
    #[must_use]
    pub fn capture(mut self, writer: &'s mut dyn Write) -> Self {
        self.capture = Some(writer);
        self
    }

    /// True once the kernel has ended the dump.
    pub fn is_finished(&self) -> bool {
        self.state == DumpState::Finished
    }

    /// True if any reply so far carried `NLM_F_DUMP_INTR`: the result may
    /// be inconsistent and the dump should be run again.
    pub fn is_interrupted(&self) -> bool {
        self.interrupted
    }

    /// Receives the next datagram and returns its replies, or `None` once
    /// the dump is complete. Errors: the kernel's (an errno in
    /// `NLMSG_ERROR` or `NLMSG_DONE`; `ENOENT` there is
    /// [`Error::Unavailable`]), a reply that does not parse or does not
    /// belong to this dump, truncation, I/O. After an error the dump
    /// yields nothing more.
    pub fn next_batch(&mut self) -> Result<Option<Batch<'_, R>>, Error> {
        while self.state == DumpState::Running {
            match self.receive(None) {
                Ok(None) => {}
                Ok(Some(d)) => {
                    let bytes = self.sock.buf.get(..d.data_end).unwrap_or_default();
                    return Ok(Some(Batch::checked(bytes, d.count, self.req)));
                }
                Err(e) => return Err(self.fail(e)),
            }
        }
        Ok(None)
    }

    /// Like [`next_batch`](Self::next_batch), receiving into `buf` (at
    /// least [`DEFAULT_BUFFER_SIZE`] bytes) instead of the socket's
    /// buffer: the replies are `buf[..data_end]`, checked, for
    /// [`Batch::checked`]. For the engine's receiving threads.
    pub(crate) fn next_into(&mut self, buf: &mut [u8]) -> Result<Option<Datagram>, Error> {
        while self.state == DumpState::Running {
            match self.receive(Some(buf)) {
                Ok(None) => {}
                Ok(Some(d)) => return Ok(Some(d)),
                Err(e) => return Err(self.fail(e)),
            }
        }
        Ok(None)
    }

    /// Ends the dump after error `e`: an errno in `NLMSG_DONE` or
    /// `NLMSG_ERROR` ends the kernel's side too; after anything else the
    /// rest of the dump is still queued, and the socket drains it before
    /// its next request.
    fn fail(&mut self, e: Error) -> Error {
        self.state = match e {
            Error::Kernel(_) => DumpState::Finished,
            _ => DumpState::Failed,
        };
        self.map_errno(e)
    }

    /// Receives and checks one datagram, into `ext` or the socket's own
    /// buffer; returns where its replies end and how many there are, or
    /// `None` if it held none.
    fn receive(&mut self, ext: Option<&mut [u8]>) -> Result<Option<Datagram>, Error> {
        let sock = &mut *self.sock;
        let buf: &mut [u8] = match ext {
            Some(b) => b,
            None => &mut sock.buf,
        };
        let Some(len) = recv(&sock.fd, buf, MsgFlags::empty(), &mut sock.foreign)? else {
            return Ok(None);
        };
        let data = buf.get(..len).unwrap_or_default();
        if let Some(w) = self.capture.as_mut() {
            w.write_all(data).map_err(Error::Io)?;
        }
        let scan = scan(&self.req, data, self.seq, sock.port_id)?;
        if scan.done {
            self.state = DumpState::Finished;
        }
        self.interrupted |= scan.interrupted;
        Ok((scan.count > 0).then_some(Datagram {
            data_end: scan.data_end,
            count: scan.count,
        }))
    }

    /// In reply to a dump, `ENOENT` means "no handler": for the protocol
    /// (in `NLMSG_DONE`) or for the whole family (in `NLMSG_ERROR`). In
    /// reply to a lookup, `ENOENT` and `ESTALE` mean "no such socket".
    fn map_errno(&self, e: Error) -> Error {
        let Error::Kernel(k) = &e else {
            return e;
        };
        let errno = k.errno();
        if self.req.is_lookup() {
            if errno == Errno::ENOENT as i32 || errno == Errno::ESTALE as i32 {
                return Error::NotFound { errno };
            }
        } else if self.req.means_unavailable(errno) {
            return Error::Unavailable {
                family: self.family,
                protocol: self.protocol,
            };
        }
        e
    }
}

/// Sequence numbers stay below 0xfffe: `smc_diag` takes a dump request
/// whose sequence number is `MAGIC_SEQ_V2` (0xffff) or more for its v2
/// link-group command (and acknowledges with 0xfffe), so a socket's
/// 65,535th SMC dump would list link groups instead of sockets. They
/// start again at 1.
fn next_seq(seq: u32) -> u32 {
    if seq >= 0xfffd {
        1
    } else {
        seq + 1
    }
}

fn unexpected(msg: &NlMsg<'_>) -> Error {
    Error::Parse(ParseError::new(
        Layer::Message,
        msg.offset(),
        ParseErrorKind::UnexpectedType { found: msg.kind() },
    ))
}

/// Checks every message of a datagram of dump `seq` for socket `port_id`:
/// framing, sequence number, port id, control messages, and that each
/// reply parses.
fn scan<R: Request>(req: &R, data: &[u8], seq: u32, port_id: u32) -> Result<Scan, Error> {
    let mut scan = Scan {
        data_end: 0,
        count: 0,
        done: false,
        interrupted: false,
    };
    for msg in Messages::new(data) {
        let msg = msg?;
        if msg.seq() != seq {
            return Err(Error::Sequence {
                expected: seq,
                found: msg.seq(),
            });
        }
        if msg.port_id() != port_id {
            return Err(Error::PortId {
                expected: port_id,
                found: msg.port_id(),
            });
        }
        if scan.done {
            // Nothing may follow the end of the dump.
            return Err(unexpected(&msg));
        }
        scan.interrupted |= msg.flags().contains(Flags::DUMP_INTR);
        match msg.kind() {
            NLMSG_DONE => {
                if let Some(e) = Done::parse(msg)?.to_kernel_error() {
                    return Err(Error::Kernel(e));
                }
                scan.done = true;
            }
            NLMSG_ERROR => match ErrorMsg::parse(msg)?.to_kernel_error() {
                Some(e) => return Err(Error::Kernel(e)),
                // An acknowledgement ends the exchange.
                None => scan.done = true,
            },
            NLMSG_NOOP => {}
            // NLMSG_OVERRUN or an unknown control message.
            kind if kind < NLMSG_MIN_TYPE => return Err(unexpected(&msg)),
            _ if req.is_empty_reply(&msg) => {}
            _ => {
                req.parse(msg)?;
                scan.count += 1;
                scan.data_end = msg.payload_offset().saturating_add(msg.payload().len());
                // A lookup's reply (not part of a multipart dump) is the
                // whole answer. A dump ends only at NLMSG_DONE: sctp_diag
                // sends an association's reply without NLM_F_MULTI in the
                // middle of its dump (6.1 and 6.12, seen by the kernel
                // matrix).
                if req.is_lookup() && !msg.flags().contains(Flags::MULTI) {
                    scan.done = true;
                }
            }
        }
    }
    Ok(scan)
}

impl<R: Request> Drop for Dump<'_, R> {
    fn drop(&mut self) {
        if self.state != DumpState::Finished {
            self.sock.needs_drain = true;
        }
    }
}

/// The replies of one datagram, borrowed from the socket's buffer. Every
/// message in it was checked when it was received; iterating hands out
/// the views.
pub struct Batch<'buf, R: Request> {
    bytes: &'buf [u8],
    count: usize,
    req: R,
}

impl<'buf, R: Request> Batch<'buf, R> {
    /// The replies of a datagram that a [`Dump`] of `req` (or of `req`
    /// with a program attached) received and checked into `bytes`.
    pub(crate) fn checked(bytes: &'buf [u8], count: usize, req: R) -> Self {
        Batch { bytes, count, req }
    }

    /// Number of replies.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True if there are none (never, for a batch returned by a dump).
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The raw bytes of the replies (whole netlink messages).
    pub fn bytes(&self) -> &'buf [u8] {
        self.bytes
    }

    /// Iterates over the replies.
    pub fn iter(&self) -> BatchIter<'buf, R> {
        BatchIter {
            msgs: Messages::new(self.bytes),
            req: self.req,
        }
    }
}

impl<R: Request> fmt::Debug for Batch<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'buf, R: Request> IntoIterator for Batch<'buf, R> {
    type Item = R::Msg<'buf>;
    type IntoIter = BatchIter<'buf, R>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'buf, R: Request> IntoIterator for &Batch<'buf, R> {
    type Item = R::Msg<'buf>;
    type IntoIter = BatchIter<'buf, R>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

/// Iterator over the replies of a [`Batch`].
pub struct BatchIter<'buf, R: Request> {
    msgs: Messages<'buf>,
    req: R,
}

impl<'buf, R: Request> Iterator for BatchIter<'buf, R> {
    type Item = R::Msg<'buf>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            // The batch was checked when it was received: framing and
            // parsing cannot fail here, so `ok()?` never ends it early.
            let msg = self.msgs.next()?.ok()?;
            if msg.kind() >= NLMSG_MIN_TYPE && !self.req.is_empty_reply(&msg) {
                return self.req.parse(msg).ok();
            }
        }
    }
}

impl<R: Request> fmt::Debug for BatchIter<'_, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchIter")
            .field("msgs", &self.msgs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// sctp_diag (6.1 and 6.12) sends an association's reply without
    /// NLM_F_MULTI in the middle of a dump: a dump still ends only at
    /// NLMSG_DONE, a lookup at its reply.
    #[test]
    fn a_dump_reply_without_multi_does_not_end_the_dump() {
        use crate::inet::{Family, InetRequest, Protocol, SocketId};
        use crate::netlink::tests::msg;
        use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
        const MULTI: u16 = 2;
        let mut reply = [0u8; 72];
        reply[0] = 2; // AF_INET
        reply[1] = 10; // LISTEN
        let mut data = msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &reply);
        data.extend(msg(SOCK_DIAG_BY_FAMILY, 0, 7, 42, &reply));
        data.extend(msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &reply));
        data.extend(msg(NLMSG_DONE, MULTI, 7, 42, &0i32.to_ne_bytes()));
        let dump = InetRequest::new(Family::Inet, Protocol::Sctp);
        let scanned = scan(&dump, &data, 7, 42).unwrap();
        assert_eq!((scanned.count, scanned.done), (3, true));
        // A lookup's reply is its whole answer: nothing may follow it.
        let id = SocketId::new(
            "127.0.0.1:1".parse().unwrap(),
            "127.0.0.1:2".parse().unwrap(),
        );
        let lookup = InetRequest::lookup(Protocol::Sctp, id);
        let one = msg(SOCK_DIAG_BY_FAMILY, 0, 7, 42, &reply);
        let scanned = scan(&lookup, &one, 7, 42).unwrap();
        assert_eq!((scanned.count, scanned.done), (1, true));
        let two = [one.clone(), one].concat();
        assert!(scan(&lookup, &two, 7, 42).is_err());
    }

    /// tipc_diag (6.1 and 6.12) answers each socket its state filter
    /// excludes with an empty message: passed over, neither an error nor
    /// a socket.
    #[test]
    fn tipc_diags_empty_replies_are_passed_over() {
        use crate::netlink::tests::{attr, msg, u32s};
        use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
        use crate::raw::tipc_diag as rt;
        use crate::tipc::TipcRequest;
        const MULTI: u16 = 2;
        let sock = |port| {
            attr(
                rt::TIPC_NLA_SOCK,
                &attr(rt::TIPC_NLA_SOCK_REF, &u32s(&[port])),
            )
        };
        let mut data = msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &sock(1));
        data.extend(msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &[]));
        data.extend(msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &sock(2)));
        data.extend(msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &[]));
        data.extend(msg(NLMSG_DONE, MULTI, 7, 42, &0i32.to_ne_bytes()));
        let req = TipcRequest::new();
        let scanned = scan(&req, &data, 7, 42).unwrap();
        assert_eq!((scanned.count, scanned.done), (2, true));
        let ports: Vec<_> = Batch::checked(&data, scanned.count, req)
            .iter()
            .map(|m| m.port_id().unwrap())
            .collect();
        assert_eq!(ports, [Some(1), Some(2)]);
        // Only an empty reply is passed over: one without the nest is an
        // error.
        let bad = msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &attr(99, &[]));
        assert!(scan(&req, &bad, 7, 42).is_err());
        // An empty datagram's worth of replies is no batch.
        let empty = msg(SOCK_DIAG_BY_FAMILY, MULTI, 7, 42, &[]);
        assert_eq!(scan(&req, &empty, 7, 42).unwrap().count, 0);
    }

    #[test]
    fn sequence_numbers_stay_below_smc_diags_v2_magic() {
        let mut seq = 0;
        let mut seen = 0;
        for _ in 0..200_000 {
            seq = next_seq(seq);
            assert!((1..0xfffe).contains(&seq), "{seq:#x}");
            seen = seen.max(seq);
        }
        assert_eq!(seen, 0xfffd);
        assert_eq!(next_seq(0xfffd), 1);
        assert_eq!(next_seq(u32::MAX), 1);
    }

    #[test]
    fn diag_socket_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<DiagSocket>();
        check::<Error>();
    }
}
