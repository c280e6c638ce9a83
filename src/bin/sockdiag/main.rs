//! `sockdiag`: list, count, watch and kill this host's sockets through the
//! kernel's sock_diag netlink interface, with `ss`'s options.

#[cfg(test)]
mod alloc_tests;
mod args;
mod options;
mod out;
mod reference;
mod view;
mod watch;

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::time::Instant;

use sockdiag::inet::filter::{Bytecode, Entry};
use sockdiag::inet::{Extensions, Family, InetMsg, InetRequest, LegacyRequest, Protocol, SocketId};
use sockdiag::netlink_diag::{NetlinkRequest, NetlinkShow};
use sockdiag::packet::{PacketRequest, PacketShow};
use sockdiag::poll::Scanner;
use sockdiag::replay::{Record, Replay};
use sockdiag::unix::{UnixRequest, UnixShow};
use sockdiag::{DestroyEvents, DestroyGroups, DiagSocket, Error, NetNs, Request};

use args::{Format, Mode, Options, Parsed, Table, Usage};
use out::{Context, Counts, IfNames, JsonOut, PromOut, Scratch, Sink, SummaryOut, TableOut};
use view::Sock;

/// Why a run failed: the one line to print and the exit code.
pub enum Failure {
    /// A bad command line (exit 2).
    Usage(String),
    /// Something failed while running (exit 1).
    Run(String),
    /// The reader went away (`sockdiag | head`): not an error.
    Closed,
    /// A library error, before it is put in context ([`failure`]).
    Lib(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Lib(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Run(format!("writing output: {e}"))
        }
    }
}

/// A library error while doing `what`, as one line.
pub fn failure(e: Error, what: &str) -> Failure {
    match e {
        Error::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => Failure::Closed,
        Error::Unavailable { family, protocol } => Failure::Run(format!(
            "{what}: not available on this kernel (sock_diag answered ENOENT for family {family} protocol {protocol}: its diag module is not built or not loaded)"
        )),
        Error::Namespace { ns, error } => {
            Failure::Run(format!("cannot enter network namespace {ns}: {error}"))
        }
        Error::Kernel(k) if k.errno() == nix::errno::Errno::EPERM as i32 => Failure::Run(format!(
            "{what}: permission denied (EPERM): this needs CAP_NET_ADMIN"
        )),
        Error::Kernel(k) if k.errno() == nix::errno::Errno::EOPNOTSUPP as i32 => {
            Failure::Run(format!(
                "{what}: not supported by this kernel (EOPNOTSUPP: built without CONFIG_INET_DIAG_DESTROY?)"
            ))
        }
        e => Failure::Run(format!("{what}: {e}")),
    }
}

/// `-N`'s namespace: a name, or a namespace file's path.
fn netns(ns: &str) -> NetNs<'_> {
    if ns.contains('/') {
        NetNs::Path(std::path::Path::new(ns))
    } else {
        NetNs::Named(ns)
    }
}

/// Opens the netlink socket, in `-N`'s namespace if given.
fn open(o: &Options) -> Result<DiagSocket, Failure> {
    let r = match &o.netns {
        None => DiagSocket::new(),
        Some(ns) => DiagSocket::in_netns(netns(ns)),
    };
    r.map_err(|e| failure(e, "opening a sock_diag socket"))
}

/// Looks up the interface names and cgroup paths of the filter, in `-N`'s
/// namespace if given (parsing left them as names).
fn resolve_filter(o: &mut Options) -> Result<(), Failure> {
    let Some((f, text)) = &o.filter else {
        return Ok(());
    };
    if f.names().is_empty() {
        return Ok(());
    }
    let lookup = || sockdiag::resolve_names(f).map_err(Error::from);
    let r = match &o.netns {
        None => lookup(),
        Some(ns) => netns(ns).run(lookup),
    };
    let resolved = r.map_err(|e| match e {
        Error::Filter(e) => Failure::Usage(format!("{e} in '{text}'")),
        e => failure(e, "looking up the filter's names"),
    })?;
    o.filter = Some((resolved, text.clone()));
    Ok(())
}

/// The extensions the shown fields need.
fn extensions(o: &Options) -> Extensions {
    let mut ext = Extensions::empty();
    if o.show.info {
        ext |= Extensions::INFO | Extensions::CONG | Extensions::VEGASINFO;
    }
    if o.show.mem {
        ext |= Extensions::SKMEMINFO;
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
    capture: &mut Option<BufWriter<File>>,
    each: &mut dyn FnMut(InetMsg<'_>) -> Result<(), Failure>,
) -> Result<(), Result<Error, Failure>> {
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
/// (packet and netlink states, unix and packet types).
fn selected(o: &Options, table: Table, s: &Sock<'_>, socket_type: u8) -> bool {
    let state_ok = o.states_for(table).bits() & (1 << s.state.to_raw()) != 0;
    let type_ok = match table {
        Table::Unix => o.unix_types & (1 << socket_type) != 0,
        Table::Packet => o.packet_types & (1 << socket_type) != 0,
        _ => true,
    };
    state_ok && type_ok
}

/// Runs one dump, feeding each reply to `each`.
fn dump<R: Request>(
    sock: &mut DiagSocket,
    req: &R,
    capture: &mut Option<BufWriter<File>>,
    mut each: impl FnMut(R::Msg<'_>) -> Result<(), Failure>,
) -> Result<(), Result<Error, Failure>> {
    let mut d = sock.dump(req).map_err(Ok)?;
    if let Some(c) = capture.as_mut() {
        d = d.capture(c);
    }
    while let Some(batch) = d.next_batch().map_err(Ok)? {
        for msg in batch {
            each(msg).map_err(Err)?;
        }
    }
    Ok(())
}

/// Ends a table's dumps: an unavailable module is skipped when the user
/// did not name the table.
fn table_result(
    o: &Options,
    t: Table,
    r: Result<(), Result<Error, Failure>>,
) -> Result<(), Failure> {
    match r {
        Ok(()) => Ok(()),
        Err(Err(f)) => Err(f),
        Err(Ok(Error::Unavailable { .. })) if !o.explicit_tables => Ok(()),
        Err(Ok(e)) => Err(failure(e, &format!("dumping {}", t.name()))),
    }
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
    capture: &mut Option<BufWriter<File>>,
    each: &mut dyn FnMut(&Sock<'_>, InetReply<'_, '_>) -> Result<(), Failure>,
) -> Result<(), Failure> {
    let r = match table {
        Table::Inet(p) => dump_inet(o, p, program, sock, capture, &mut |m| {
            each(
                &view::inet(Some(p), &m).whole().map_err(Failure::Run)?,
                Some((p, &m)),
            )
        }),
        Table::Unix => {
            let mut show = UnixShow::NAME | UnixShow::PEER | UnixShow::RQLEN;
            if o.show.mem {
                show |= UnixShow::MEMINFO;
            }
            if o.show.ext {
                show |= UnixShow::UID;
            }
            let req = UnixRequest::new()
                .with_states(o.states_for(table))
                .with_show(show);
            dump(sock, &req, capture, |m| {
                let s = view::unix(&m).whole().map_err(Failure::Run)?;
                if selected(o, table, &s, m.socket_type().to_raw()) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
        Table::Packet => {
            let req = PacketRequest::new().with_show(PacketShow::INFO | PacketShow::MEMINFO);
            dump(sock, &req, capture, |m| {
                let s = view::packet(&m).whole().map_err(Failure::Run)?;
                if selected(o, table, &s, m.socket_type()) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
        Table::Netlink => {
            let req = NetlinkRequest::new().with_show(NetlinkShow::MEMINFO);
            dump(sock, &req, capture, |m| {
                let s = view::netlink(&m).whole().map_err(Failure::Run)?;
                if selected(o, table, &s, 0) {
                    each(&s, None)?;
                }
                Ok(())
            })
        }
    };
    table_result(o, table, r)
}

/// Lists (or kills) the selected sockets into `sink`.
fn list(o: &Options, sink: &mut dyn Sink) -> Result<(), Failure> {
    let start = Instant::now();
    let mut sock = open(o)?;
    let mut killer = match o.mode {
        Mode::Kill => Some(Killer { sock: open(o)? }),
        _ => None,
    };
    let mut capture = match &o.capture {
        Some(path) => {
            Some(BufWriter::new(File::create(path).map_err(|e| {
                Failure::Run(format!("--capture {}: {e}", path.display()))
            })?))
        }
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
                if let (Some(k), Some((p, m))) = (killer.as_mut(), inet) {
                    if !k.kill(p, m)? {
                        return Ok(());
                    }
                }
                sink.sock(s).map_err(Failure::from)
            },
        )?;
    }
    if let Some(mut c) = capture {
        c.flush()
            .map_err(|e| Failure::Run(format!("--capture: {e}")))?;
    }
    sink.finish(start.elapsed())?;
    Ok(())
}

/// Whether an inet socket of a recording passes the filter expression.
fn filter_matches(o: &Options, m: &InetMsg<'_>) -> Result<bool, Failure> {
    let Some((f, text)) = &o.filter else {
        return Ok(true);
    };
    let entry =
        Entry::from_msg(m).map_err(|e| Failure::Run(format!("--replay: a damaged reply: {e}")))?;
    f.matches(&entry).ok_or_else(|| {
        Failure::Run(format!(
            "--replay: the filter '{text}' needs a fact the recording does not hold (autobound, or a mark or cgroup the dump did not carry)"
        ))
    })
}

/// `--replay FILE`: the recorded sockets, selected as the kernel would.
fn replay(o: &Options, sink: &mut dyn Sink) -> Result<(), Failure> {
    let start = Instant::now();
    let Some(path) = &o.replay else {
        return Ok(());
    };
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::Run(format!("--replay {}: {e}", path.display())))?;
    // Inet replies do not say their protocol; a single selected inet
    // protocol names it, INET_DIAG_PROTOCOL (when recorded) overrides.
    let inet: Vec<Protocol> = o
        .tables
        .iter()
        .filter_map(|t| match t {
            Table::Inet(p) => Some(*p),
            _ => None,
        })
        .collect();
    let assumed = match inet.as_slice() {
        [p] => Some(*p),
        _ => None,
    };
    let mut records = Replay::new(&bytes);
    if !inet.is_empty() {
        records = records.with_inet_protocol(assumed.unwrap_or(Protocol::Tcp));
    }
    for record in records {
        let record =
            record.map_err(|e| Failure::Run(format!("--replay {}: {e}", path.display())))?;
        match record {
            Record::Inet(m) => {
                let p = m.protocol().or(assumed);
                let table = match p {
                    Some(p) if inet.contains(&p) => Table::Inet(p),
                    None if !inet.is_empty() => Table::Inet(Protocol::Tcp),
                    _ => continue,
                };
                let family_ok = match m.family() {
                    Family::Inet => o.v4,
                    Family::Inet6 => o.v6,
                };
                let s = view::inet(p, &m).whole().map_err(Failure::Run)?;
                if family_ok && selected(o, table, &s, 0) && filter_matches(o, &m)? {
                    sink.sock(&s)?;
                }
            }
            Record::Unix(m) if o.tables.contains(&Table::Unix) && o.filter.is_none() => {
                let s = view::unix(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Unix, &s, m.socket_type().to_raw()) {
                    sink.sock(&s)?;
                }
            }
            Record::Packet(m) if o.tables.contains(&Table::Packet) && o.filter.is_none() => {
                let s = view::packet(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Packet, &s, m.socket_type()) {
                    sink.sock(&s)?;
                }
            }
            Record::Netlink(m) if o.tables.contains(&Table::Netlink) && o.filter.is_none() => {
                let s = view::netlink(&m).whole().map_err(Failure::Run)?;
                if selected(o, Table::Netlink, &s, 0) {
                    sink.sock(&s)?;
                }
            }
            Record::Done(d) => recorded_error(o, d.errno().unwrap_or(0), path)?,
            Record::Error(e) => recorded_error(o, e.errno().unwrap_or(0), path)?,
            _ => {}
        }
    }
    sink.finish(start.elapsed())?;
    Ok(())
}

/// A recorded dump that ended with an error: `ENOENT` (a missing diag
/// module) is skipped like a live one unless the tables were named.
fn recorded_error(o: &Options, errno: i32, path: &std::path::Path) -> Result<(), Failure> {
    let enoent = nix::errno::Errno::ENOENT as i32;
    match errno {
        0 => Ok(()),
        e if e == enoent && !o.explicit_tables => Ok(()),
        e => Err(Failure::Run(format!(
            "--replay {}: the recorded dump ended with the kernel's error {e} ({}){}",
            path.display(),
            nix::errno::Errno::from_raw(e).desc(),
            if e == enoent {
                ": that protocol's diag module was not available"
            } else {
                ""
            }
        ))),
    }
}

/// `-E`: the kernel's announcements of destroyed sockets, as they come.
fn events(o: &Options, sink: &mut dyn Sink) -> Result<(), Failure> {
    let mut groups = DestroyGroups::empty();
    for t in &o.tables {
        match (t, o.v4, o.v6) {
            (Table::Inet(Protocol::Tcp), v4, v6) => {
                groups.set(DestroyGroups::INET_TCP, v4);
                groups.set(DestroyGroups::INET6_TCP, v6);
            }
            (Table::Inet(Protocol::Udp), v4, v6) => {
                groups.set(DestroyGroups::INET_UDP, v4);
                groups.set(DestroyGroups::INET6_UDP, v6);
            }
            _ => {}
        }
    }
    let mut sub = DestroyEvents::subscribe(groups)
        .map_err(|e| failure(e, "subscribing to destroy events (-E)"))?;
    let mut seen = 0u64;
    loop {
        if o.count.is_some_and(|c| seen >= c) {
            return Ok(());
        }
        let batch = sub
            .next_batch()
            .map_err(|e| failure(e, "receiving destroy events"))?;
        for m in batch {
            let table = Table::Inet(m.protocol().unwrap_or(Protocol::Tcp));
            let s = view::inet(None, &m).whole().map_err(Failure::Run)?;
            if o.tables.contains(&table) && selected(o, table, &s, 0) && filter_matches(o, &m)? {
                sink.sock(&s)?;
                seen += 1;
            }
        }
        sink.flush()?;
    }
}

/// The output for the chosen format.
/// The processes for `-p`.
fn procs(o: &Options) -> Result<Option<sockdiag::procs::ProcessMap>, Failure> {
    if !o.show.procs {
        return Ok(None);
    }
    sockdiag::procs::ProcessMap::scan()
        .map(Some)
        .map_err(|e| Failure::Run(format!("reading /proc for -p: {e}")))
}

/// The output for the chosen format, writing to `out`.
fn sink_to<W: Write + Send + 'static>(
    o: &Options,
    out: W,
    procs: Option<sockdiag::procs::ProcessMap>,
    header: bool,
) -> Box<dyn Sink + Send> {
    let cx = Context {
        show: o.show,
        procs,
        ifnames: IfNames::default(),
    };
    match (o.mode, o.format) {
        (Mode::Summary, Format::Prom) | (_, Format::Prom) => Box::new(PromOut {
            out,
            counts: Counts::default(),
            info: (o.show.info && o.mode != Mode::Summary).then(|| (Vec::new(), Vec::new())),
        }),
        (Mode::Summary, f) => Box::new(SummaryOut {
            out,
            counts: Counts::default(),
            json: f == Format::Json,
        }),
        (_, Format::Json) => Box::new(JsonOut { out, cx }),
        (_, Format::Table) => Box::new(TableOut {
            scratch: Scratch::default(),
            out,
            netid: o.netid_column(),
            state: o.state_column(),
            header,
            cx,
        }),
    }
}

/// Whether a listing or a watch uses [`Scanner::halves`] on two
/// threads: `--threads 2` (the default on two or more CPUs), every TCP
/// socket of both families, listed or watched (not killed, counted or
/// recorded), no filter of the user's (the halves are filters), in this
/// namespace.
pub fn splittable(o: &Options) -> bool {
    matches!(o.mode, Mode::List | Mode::Watch)
        && o.threads >= 2
        && matches!(o.format, Format::Table | Format::Json)
        && o.tables == [Table::Inet(Protocol::Tcp)]
        && o.v4
        && o.v6
        && o.filter.is_none()
        && o.capture.is_none()
        && o.replay.is_none()
        && o.netns.is_none()
}

/// Lists every TCP socket in two halves ([`Scanner::halves`]): the kernel
/// walks both at once, this thread formats both.
fn list_split(o: &Options) -> Result<(), Failure> {
    let start = Instant::now();
    let req = LegacyRequest::tcp()
        .with_states(o.states_for(Table::Inet(Protocol::Tcp)))
        .with_extensions(extensions(o));
    let mut scan = Scanner::with_socket(open(o)?, req)
        .halves()
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
    sink.finish(start.elapsed())?;
    Ok(())
}

/// The output for the chosen format, on standard output.
fn sink(o: &Options) -> Result<Box<dyn Sink + Send>, Failure> {
    let out = BufWriter::with_capacity(64 * 1024, io::stdout());
    Ok(sink_to(o, out, procs(o)?, o.header))
}

fn run(mut o: Options) -> Result<(), Failure> {
    resolve_filter(&mut o)?;
    let o = &o;
    if o.mode == Mode::Watch {
        return watch::run(o);
    }
    if splittable(o) {
        return list_split(o);
    }
    let mut sink = sink(o)?;
    match o.mode {
        _ if o.replay.is_some() => replay(o, sink.as_mut()),
        Mode::Events => {
            let r = events(o, sink.as_mut());
            sink.finish(std::time::Duration::ZERO)?;
            r
        }
        _ => list(o, sink.as_mut()),
    }
}

fn main() -> ExitCode {
    let result = match args::parse(std::env::args().skip(1)) {
        Ok(Parsed::Print(text)) => {
            let _ = io::stdout().write_all(text.as_bytes());
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(o)) => run(*o),
        Err(Usage(m)) => Err(Failure::Usage(m)),
    };
    match result {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("sockdiag: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Run(m)) => {
            eprintln!("sockdiag: {m}");
            ExitCode::FAILURE
        }
        Err(Failure::Lib(e)) => {
            eprintln!("sockdiag: {e}");
            ExitCode::FAILURE
        }
    }
}
