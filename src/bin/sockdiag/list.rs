//! Listings and `-K`: the selected tables dumped once, each socket to the
//! output (and, with `-K`, destroyed first).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use std::ops::RangeInclusive;

use sockdiag::inet::filter::{Bytecode, Entry, UnixEntry};
use sockdiag::inet::{Extensions, Family, InetMsg, InetRequest, LegacyRequest, Protocol, SocketId};
use sockdiag::netlink_diag::{NetlinkRequest, NetlinkShow};
use sockdiag::packet::{PacketRequest, PacketShow};
use sockdiag::poll::Scanner;
use sockdiag::smc::SmcRequest;
use sockdiag::system::{ProcNet, ProcTable};
use sockdiag::tipc::TipcRequest;
use sockdiag::unix::UNIX_NAME_MAX;
use sockdiag::unix::{UnixRequest, UnixShow};
use sockdiag::vsock::VsockRequest;
use sockdiag::xdp::XdpRequest;
use sockdiag::SocketType;
use sockdiag::{DiagSocket, Error, Request};

use crate::args::{Mode, Options, Table, Workers};
use crate::out::Sink;
use crate::view::{self, Endpoint, Sock};
use crate::{failure, in_netns, open, sink, Failure};

/// Where the raw replies also go (`--capture`, `-D`).
pub type Capture = Option<Box<dyn Write>>;

/// The extensions the shown fields need.
pub fn extensions(o: &Options) -> Extensions {
    let mut ext = Extensions::empty();
    if o.show.info {
        ext |= Extensions::INFO | Extensions::CONG | Extensions::VEGASINFO;
    }
    if o.show.mem {
        ext |= Extensions::MEMINFO | Extensions::SKMEMINFO;
    }
    if o.show.tos {
        ext |= Extensions::TOS | Extensions::TCLASS;
    }
    // The dual-stack rule of the address columns needs IPV6_V6ONLY, which
    // comes with every dump; nothing else to ask for.
    ext
}

/// The inet requests of a table: one per family.
pub fn inet_requests(o: &Options, p: Protocol) -> impl Iterator<Item = InetRequest> + '_ {
    [(o.v4, Family::Inet), (o.v6, Family::Inet6)]
        .into_iter()
        .filter(|(on, _)| *on)
        .map(move |(_, f)| {
            InetRequest::new(f, p)
                .with_states(o.states_for(Table::Inet(p)))
                .with_extensions(extensions(o))
        })
}

/// Dumps the inet sockets of `p` into `each`: TCP and DCCP of both
/// families in one legacy request (one walk of the kernel's hash tables
/// instead of two), other protocols with one request per family.
pub fn dump_inet(
    o: &Options,
    p: Protocol,
    program: Option<&Bytecode>,
    sock: &mut DiagSocket,
    capture: &mut Capture,
    each: &mut dyn FnMut(InetMsg<'_>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    if matches!(p, Protocol::Tcp | Protocol::Dccp) && o.v4 && o.v6 {
        let req = if p == Protocol::Tcp {
            LegacyRequest::tcp()
        } else {
            LegacyRequest::dccp()
        }
        .with_states(o.states_for(Table::Inet(p)))
        .with_extensions(extensions(o));
        return match program {
            Some(bc) => dump(sock, &req.with_bytecode(bc), capture, &mut *each),
            None => dump(sock, &req, capture, &mut *each),
        };
    }
    for req in inet_requests(o, p) {
        match program {
            Some(bc) => dump(sock, &req.with_bytecode(bc), capture, &mut *each)?,
            None => dump(sock, &req, capture, &mut *each)?,
        }
    }
    Ok(())
}

/// Whether a socket passes the selection that the kernel did not apply
/// (packet and netlink states, unix types).
/// `unix_type` is a unix socket's type (`None` for the other tables).
pub fn selected(o: &Options, table: Table, s: &Sock<'_>, sock_type: Option<SocketType>) -> bool {
    let state_ok = o.states_for(table).bits() & (1 << s.state.to_raw()) != 0;
    let bit = |t: SocketType| 1u8.checked_shl(t.to_raw().into()).unwrap_or(0);
    let type_ok = match (table, sock_type) {
        (Table::Unix, Some(t)) => o.unix_types & bit(t) != 0,
        (Table::Unix, None) => false,
        (Table::Vsock, Some(t)) => o.vsock_skip & bit(t) == 0,
        _ => true,
    };
    state_ok && type_ok
}

/// Runs one dump, feeding each reply to `each`.
fn dump<R: Request>(
    sock: &mut DiagSocket,
    req: &R,
    capture: &mut Capture,
    mut each: impl FnMut(R::Msg<'_>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let mut d = sock.dump(req)?;
    if let Some(c) = capture.as_mut() {
        d = d.capture(c);
    }
    while let Some(batch) = d.next_batch()? {
        for msg in batch {
            each(msg)?;
        }
    }
    Ok(())
}

/// The names in `/proc/net/protocols` of a protocol's sockets.
fn protocol_names(p: Protocol) -> &'static [&'static str] {
    match p {
        Protocol::Tcp => &["TCP", "TCPv6"],
        Protocol::Udp => &["UDP", "UDPv6"],
        Protocol::UdpLite => &["UDP-Lite", "UDPLITEv6"],
        Protocol::Raw => &["RAW", "RAWv6"],
        Protocol::Sctp => &["SCTP", "SCTPv6"],
        Protocol::Dccp => &["DCCP", "DCCPv6"],
        Protocol::Mptcp => &["MPTCP", "MPTCPv6"],
        _ => &[],
    }
}

/// Whether sockets named `names` in `/proc/net/protocols` can exist:
/// their protocol is registered. (If the file cannot be read, they may.)
fn may_exist(names: &[&str]) -> bool {
    match sockdiag::system::protocols() {
        Ok(registered) => registered.iter().any(|r| names.contains(&r.as_str())),
        Err(_) => true,
    }
}

/// A table that cannot be listed although its sockets may exist: an error
/// if the user named it, else a note on standard error (the listing goes
/// on, and says what it lacks).
fn cannot_list(o: &Options, t: Table, why: &str) -> Result<(), Failure> {
    if o.named.contains(&t) {
        return Err(Failure::Run(format!("{}: {why}", t.name())));
    }
    eprintln!("sockdiag: note: {} are not listed: {why}", t.name());
    Ok(())
}

/// Ends a table's dumps. A diag module the kernel lacks leaves an empty
/// table only where no such socket can exist (its protocol is not
/// registered); otherwise that is said ([`cannot_list`]).
fn table_result(o: &Options, t: Table, r: Result<(), Failure>) -> Result<(), Failure> {
    match r {
        Err(Failure::Lib(e @ Error::Unavailable { .. })) => {
            let names = match t {
                Table::Inet(p) => protocol_names(p),
                Table::Vsock => &["AF_VSOCK"],
                Table::Xdp => &["XDP"],
                Table::Smc => &["SMC", "SMC6"],
                Table::Tipc => &["TIPC"],
                _ => &[],
            };
            if !may_exist(names) {
                return Ok(());
            }
            cannot_list(o, t, &format!("{e}"))
        }
        Err(Failure::Lib(e)) => Err(failure(e, &format!("dumping {}", t.name()))),
        r => r,
    }
}

/// RAW sockets from `/proc/net/raw` and `raw6`, as `ss` reads them when
/// the kernel has no `raw_diag`: the states and the filter applied here.
fn proc_raw(
    o: &Options,
    each: &mut dyn FnMut(&Sock<'_>, InetReply<'_, '_>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let tables = in_netns(o, || {
        let mut v = Vec::new();
        for (on, t) in [(o.v4, ProcNet::Raw), (o.v6, ProcNet::Raw6)] {
            if on {
                v.extend(ProcTable::read(t)?);
            }
        }
        Ok(v)
    })
    .map_err(|e| failure(e, "reading RAW sockets from /proc/net"))?;
    let states = o.states_for(Table::Inet(Protocol::Raw));
    let range = ephemeral(o);
    for t in &tables {
        for p in t.sockets() {
            let p = p.map_err(|e| failure(e, "reading RAW sockets"))?;
            let s = view::proc_raw(&p);
            if states.bits() & (1 << p.state) == 0 || !inet_passes(o, &range, &s) {
                continue;
            }
            each(&s, None)?;
        }
    }
    Ok(())
}

/// The ephemeral port range of the listed namespace (`ss`'s
/// `autobound`), read once per run (a run lists one namespace).
pub fn ephemeral(o: &Options) -> RangeInclusive<u16> {
    static RANGE: std::sync::OnceLock<RangeInclusive<u16>> = std::sync::OnceLock::new();
    RANGE
        .get_or_init(|| {
            in_netns(o, || Ok(sockdiag::system::ephemeral_ports())).unwrap_or(32768..=60999)
        })
        .clone()
}

/// `ss`'s check of the filter in userspace, after the kernel's bytecode:
/// `autobound` is a local port in the ephemeral range (the kernel's
/// test, no bind lock, also passes accepted connections and TIME-WAIT
/// sockets); an absent mark or cgroup is 0.
pub fn inet_passes(o: &Options, range: &RangeInclusive<u16>, s: &Sock<'_>) -> bool {
    let Some((f, _)) = &o.filter else { return true };
    let Some((src, dst, interface)) = s.inet_ends() else {
        return true;
    };
    let entry = Entry {
        src,
        dst,
        interface,
        auto_bound: Some(range.contains(&src.port())),
        mark: Some(s.x.mark.unwrap_or(0)),
        cgroup_id: Some(s.x.cgroup_id.unwrap_or(0)),
    };
    f.matches(&entry) != Some(false)
}

/// `ss`'s check of the filter on a unix socket: name patterns, and what
/// inet conditions mean there ([`Filter::matches_unix`]).
///
/// [`Filter::matches_unix`]: sockdiag::inet::filter::Filter::matches_unix
pub fn unix_passes(o: &Options, s: &Sock<'_>) -> bool {
    let Some((f, _)) = &o.filter else { return true };
    let (Endpoint::Unix { name, inode }, Endpoint::Unix { inode: peer, .. }) = (s.local, s.peer)
    else {
        return true;
    };
    let mut buf = [0u8; UNIX_NAME_MAX];
    let entry = UnixEntry {
        name: name.map(|n| n.ss_bytes(&mut buf)),
        inode,
        peer,
    };
    f.matches_unix(&entry) != Some(false)
}

/// `-K`: destroys each listed inet socket through a second socket, as
/// `ss` does, so the dump goes on meanwhile.
struct Killer {
    sock: DiagSocket,
}

impl Killer {
    /// Destroys `m`; `Ok(false)` if it was already gone.
    fn kill(&mut self, p: Protocol, m: &InetMsg<'_>) -> Result<bool, Failure> {
        let id = SocketId::new(m.src(), m.dst())
            .with_interface(m.interface())
            .with_cookie(m.cookie());
        match self.sock.destroy(&InetRequest::lookup(p, id)) {
            Ok(()) => Ok(true),
            Err(Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(failure(e, "destroying sockets (-K)")),
        }
    }
}

/// The filter expression compiled to kernel bytecode, if there is one.
pub fn program(o: &Options) -> Result<Option<Bytecode>, Failure> {
    o.filter
        .as_ref()
        // A filter of unix names lists only unix sockets (matched here).
        .filter(|(f, _)| !f.has_unix_names())
        .map(|(f, text)| {
            f.compile()
                .map_err(|e| Failure::Usage(format!("{e} in '{text}'")))
        })
        .transpose()
}

/// What [`dump_table`] hands out besides the socket: an inet socket's
/// protocol and reply (for `-K`).
pub type InetReply<'a, 'b> = Option<(Protocol, &'a InetMsg<'b>)>;

/// Runs the dumps of `table` and calls `each` for every socket that passes
/// the selection (the kernel applies states, families and the filter; this
/// applies unix and packet types and the states of packet and netlink
/// sockets). A module the kernel lacks is skipped unless the table was named.
pub fn dump_table(
    o: &Options,
    table: Table,
    program: Option<&Bytecode>,
    sock: &mut DiagSocket,
    capture: &mut Capture,
    each: &mut dyn FnMut(&Sock<'_>, InetReply<'_, '_>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let range = ephemeral(o);
    let r = match table {
        Table::Tipc => {
            let req = TipcRequest::new().with_states(o.states_for(table));
            dump(sock, &req, capture, |m| {
                let s = view::tipc(&m).whole().map_err(Failure::Run)?;
                if selected(o, table, &s, None) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
        Table::Inet(p) => dump_inet(o, p, program, sock, capture, &mut |m| {
            let s = view::inet(Some(p), &m).whole().map_err(Failure::Run)?;
            if inet_passes(o, &range, &s) {
                each(&s, Some((p, &m)))?;
            }
            Ok(())
        }),
        Table::Unix => {
            let mut show = UnixShow::NAME | UnixShow::PEER | UnixShow::RQLEN;
            if o.show.mem {
                show |= UnixShow::MEMINFO;
            }
            if o.show.ext {
                show |= UnixShow::UID | UnixShow::VFS | UnixShow::ICONS;
            }
            let req = UnixRequest::new()
                .with_states(o.states_for(table))
                .with_show(show);
            dump(sock, &req, capture, |m| {
                let s = view::unix(&m).whole().map_err(Failure::Run)?;
                if selected(o, table, &s, Some(m.socket_type())) && unix_passes(o, &s) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
        Table::Packet => {
            let req = PacketRequest::new().with_show(
                PacketShow::INFO
                    | PacketShow::MEMINFO
                    | PacketShow::FILTER
                    | PacketShow::RING_CFG
                    | PacketShow::FANOUT,
            );
            dump(sock, &req, capture, |m| {
                let s = view::packet(&m).whole().map_err(Failure::Run)?;
                if selected(o, table, &s, None) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
        Table::Vsock => {
            let req = VsockRequest::new().with_states(o.states_for(table));
            dump(sock, &req, capture, |m| {
                let s = view::vsock(&m);
                if selected(o, table, &s, Some(m.socket_type())) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
        Table::Smc => dump(sock, &SmcRequest::new(), capture, |m| {
            let s = view::smc(&m).whole().map_err(Failure::Run)?;
            if selected(o, table, &s, None) {
                each(&s, None)?;
            }
            Ok(())
        }),
        Table::Xdp => dump(sock, &XdpRequest::new(), capture, |m| {
            let s = view::xdp(&m).whole().map_err(Failure::Run)?;
            if selected(o, table, &s, None) {
                each(&s, None)?;
            }
            Ok(())
        }),
        Table::Netlink => {
            let req = NetlinkRequest::new().with_show(NetlinkShow::MEMINFO | NetlinkShow::GROUPS);
            dump(sock, &req, capture, |m| {
                let s = view::netlink(&m).whole().map_err(Failure::Run)?;
                if selected(o, table, &s, None) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
    };
    match (table, r) {
        // No raw_diag: /proc/net/raw, as ss. What /proc shows cannot be
        // destroyed: -K says so of the sockets it would have destroyed.
        (Table::Inet(Protocol::Raw), Err(Failure::Lib(Error::Unavailable { .. }))) => {
            if o.mode != Mode::Kill {
                return proc_raw(o, each);
            }
            let mut n = 0usize;
            proc_raw(o, &mut |_, _| {
                n += 1;
                Ok(())
            })?;
            if n == 0 {
                return Ok(());
            }
            cannot_list(
                o,
                table,
                &format!("{n} of them cannot be destroyed: the kernel has no raw_diag (SOCK_DESTROY of RAW sockets needs it)"),
            )
        }
        (_, r) => table_result(o, table, r),
    }
}

/// Lists (or kills) the selected sockets into `sink`.
pub fn list(o: &Options, sink: &mut dyn Sink) -> Result<(), Failure> {
    let start = Instant::now();
    let mut sock = open(o)?;
    let mut killer = match o.mode {
        Mode::Kill => Some(Killer { sock: open(o)? }),
        _ => None,
    };
    let mut capture: Capture = match &o.capture {
        Some(path) => Some(Box::new(BufWriter::new(File::create(path).map_err(
            |e| Failure::Run(format!("--capture {}: {e}", path.display())),
        )?))),
        None => None,
    };
    let program = program(o)?;
    for &table in &o.tables {
        dump_table(
            o,
            table,
            program.as_ref(),
            &mut sock,
            &mut capture,
            &mut |s, inet| {
                if let Some(k) = killer.as_mut() {
                    // Listed as destroyed only once the kernel destroyed it.
                    let Some((p, m)) = inet else {
                        return Err(Failure::Run(format!(
                            "-K: {} {} cannot be destroyed (no kernel reply to name it)",
                            s.netid, s.cookie
                        )));
                    };
                    if !k.kill(p, m)? {
                        return Ok(());
                    }
                }
                sink.sock(s).map_err(Failure::from)
            },
        )?;
        sink.table_done()?;
    }
    if let Some(mut c) = capture {
        c.flush()
            .map_err(|e| Failure::Run(format!("--capture: {e}")))?;
    }
    sink.finish(start.elapsed())?;
    Ok(())
}

/// A listing pipelines from this many TCP sockets on (`--workers auto`):
/// below it a second thread costs more than it hides (measured on the
/// project's 2-vCPU machine: at 1,002 sockets one thread was 0.3–1.7 ms
/// faster, at 10,002 the pipeline was never slower; docs/BENCHMARKS.md).
pub const PIPELINE_FROM: u64 = 5_000;

/// Whether the machine has a second CPU for a second thread.
pub fn two_cpus() -> bool {
    std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2)
}

/// How a listing of every TCP socket runs: `--workers` as given; `auto`
/// pipelines with two CPUs and at least [`PIPELINE_FROM`] TCP sockets in
/// the namespace (`/proc/net/sockstat{,6}`: in use and TIME-WAIT; one
/// small read), else one thread.
pub fn listing_workers(o: &Options) -> Workers {
    match o.workers {
        Workers::Auto => {
            let many = sockdiag::system::sockstat()
                .is_ok_and(|s| s.tcp_inuse + s.tcp6_inuse + s.tcp_tw >= PIPELINE_FROM);
            if two_cpus() && many {
                Workers::Pipelined
            } else {
                Workers::One
            }
        }
        w => w,
    }
}

/// Whether a listing or a watch of every TCP socket may use two threads
/// (`--workers` not 1): both families, listed or watched (not killed,
/// counted or recorded), no filter of the user's (the halves are filters),
/// in this namespace.
pub fn splittable(o: &Options) -> bool {
    matches!(o.mode, Mode::List | Mode::Watch)
        && o.workers != Workers::One
        && !o.ss_layout
        && o.tables == [Table::Inet(Protocol::Tcp)]
        && o.v4
        && o.v6
        && o.filter.is_none()
        && o.capture.is_none()
        && o.replay.is_none()
        && o.netns.is_none()
}

/// Lists every TCP socket through the engine's [`Scanner`], as
/// [`listing_workers`] says: [`Scanner::pipelined`] (a worker receives
/// while this thread formats), [`Scanner::halves`] (the kernel walks two
/// halves at once, this thread formats both) or inline.
pub fn list_split(o: &Options) -> Result<(), Failure> {
    let start = Instant::now();
    let req = LegacyRequest::tcp()
        .with_states(o.states_for(Table::Inet(Protocol::Tcp)))
        .with_extensions(extensions(o));
    let scan = Scanner::with_socket(open(o)?, req);
    let mut scan = match listing_workers(o) {
        Workers::Halves => scan.halves(),
        Workers::Pipelined => scan.pipelined(),
        Workers::One | Workers::Auto => Ok(scan),
    }
    .map_err(|e| failure(e, "opening sock_diag sockets"))?;
    let mut sink = sink(o)?;
    scan.scan(|_, m| -> Result<(), Failure> {
        let s = view::inet(Some(Protocol::Tcp), &m)
            .whole()
            .map_err(Failure::Run)?;
        Ok(sink.sock(&s)?)
    })
    .map_err(|e| match e {
        Failure::Lib(e) => failure(e, "dumping TCP sockets"),
        other => other,
    })?;
    sink.table_done()?;
    sink.finish(start.elapsed())?;
    Ok(())
}

/// `-D FILE`, as `ss -D`: the raw replies of the selected TCP sockets to
/// FILE (`-`: standard output), and nothing else.
pub fn diag(o: &Options) -> Result<(), Failure> {
    let Some(path) = &o.diag else { return Ok(()) };
    if !o.tables.contains(&Table::Inet(Protocol::Tcp)) {
        // ss says so and succeeds.
        eprintln!("sockdiag: -D dumps TCP sockets, and none are selected");
        return Ok(());
    }
    let mut capture: Capture = Some(if path.as_os_str() == "-" {
        Box::new(BufWriter::new(std::io::stdout()))
    } else {
        Box::new(BufWriter::new(File::create(path).map_err(|e| {
            Failure::Run(format!("-D {}: {e}", path.display()))
        })?))
    });
    let mut sock = open(o)?;
    let program = program(o)?;
    let r = dump_inet(
        o,
        Protocol::Tcp,
        program.as_ref(),
        &mut sock,
        &mut capture,
        &mut |_| Ok(()),
    );
    table_result(o, Table::Inet(Protocol::Tcp), r)?;
    if let Some(mut c) = capture {
        c.flush()
            .map_err(|e| Failure::Run(format!("-D {}: {e}", path.display())))?;
    }
    Ok(())
}
