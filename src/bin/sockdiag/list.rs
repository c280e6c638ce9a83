//! Listings and `-K`: the selected tables dumped once, each socket to the
//! output (and, with `-K`, destroyed first).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::time::Instant;

use sockdiag::inet::filter::Bytecode;
use sockdiag::inet::{Extensions, Family, InetMsg, InetRequest, LegacyRequest, Protocol, SocketId};
use sockdiag::netlink_diag::{NetlinkRequest, NetlinkShow};
use sockdiag::packet::{PacketRequest, PacketShow};
use sockdiag::poll::Scanner;
use sockdiag::unix::{UnixRequest, UnixShow};
use sockdiag::{DiagSocket, Error, Request};

use crate::args::{Format, Mode, Options, Table};
use crate::out::Sink;
use crate::view::{self, Sock};
use crate::{failure, open, sink, Failure};

/// The extensions the shown fields need.
pub fn extensions(o: &Options) -> Extensions {
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
/// (packet and netlink states, unix and packet types).
pub fn selected(o: &Options, table: Table, s: &Sock<'_>, socket_type: u8) -> bool {
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

/// Ends a table's dumps: an unavailable module is skipped when the user
/// did not name the table.
fn table_result(o: &Options, t: Table, r: Result<(), Failure>) -> Result<(), Failure> {
    match r {
        Err(Failure::Lib(Error::Unavailable { .. })) if !o.explicit_tables => Ok(()),
        Err(Failure::Lib(e)) => Err(failure(e, &format!("dumping {}", t.name()))),
        r => r,
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
pub fn list(o: &Options, sink: &mut dyn Sink) -> Result<(), Failure> {
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
pub fn list_split(o: &Options) -> Result<(), Failure> {
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
