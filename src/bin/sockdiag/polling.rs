//! The pollers of the selected tables: the library's [`Poller`] for
//! each, and the view ([`Sock`]) of what it reports, for the watch (which
//! prints the changes) and the exporter (which also aggregates every
//! listed socket).

use std::time::{Duration, Instant};

use sockdiag::inet::{InetMsg, InetRequest, LegacyRequest, Protocol, TcpField, TcpInfo};
use sockdiag::netlink_diag::{NetlinkMsg, NetlinkRequest, NetlinkShow};
use sockdiag::packet::{PacketMsg, PacketRequest, PacketShow};
use sockdiag::poll::{Brief, Change, Listing, PollStats, Polled, Poller, Scanner, Strategy};
use sockdiag::smc::{SmcMsg, SmcRequest};
use sockdiag::tipc::{TipcMsg, TipcRequest};
use sockdiag::unix::{UnixMsg, UnixRequest, UnixShow};
use sockdiag::vsock::{VsockMsg, VsockRequest};
use sockdiag::xdp::{XdpMsg, XdpRequest, XdpShow};
use sockdiag::{DiagSocket, Error, ParseError};

use crate::args::{Options, Table, Workers};
use crate::view::{self, Sock};
use crate::Failure;

/// What a listed socket's reply tells beyond what the poller kept of it,
/// read without making its whole view.
pub trait Reply {
    /// Its `tcp_info`, for families that have one.
    fn tcp_info(&self) -> Result<Option<TcpInfo<&[u8]>>, ParseError> {
        Ok(None)
    }
}

impl Reply for InetMsg<'_> {
    fn tcp_info(&self) -> Result<Option<TcpInfo<&[u8]>>, ParseError> {
        InetMsg::tcp_info(self)
    }
}
impl Reply for UnixMsg<'_> {}
impl Reply for PacketMsg<'_> {}
impl Reply for NetlinkMsg<'_> {}
impl Reply for VsockMsg<'_> {}
impl Reply for XdpMsg<'_> {}
impl Reply for TipcMsg<'_> {}
impl Reply for SmcMsg<'_> {}

/// What a poll of one table tells: the watch's printer, the exporter.
pub trait Observer {
    /// True to be told of every listed socket ([`listed`](Self::listed)),
    /// not only of the changes.
    const LISTED: bool;
    /// A socket the dump listed: what the poller kept of it, its reply,
    /// and `show` to turn the reply into its view (`Err`: a damaged
    /// reply) where what was kept does not tell enough. Called only with
    /// [`LISTED`](Self::LISTED); nothing by default.
    fn listed<M: Reply>(
        &mut self,
        table: Table,
        cookie: u64,
        now: &Brief<'_>,
        msg: &M,
        show: impl FnOnce(&M) -> Result<Sock<'_>, String>,
    ) {
        let _ = (table, cookie, now, msg, show);
    }
    /// One change, for a socket of `table` whose reply `show` turns into
    /// its view.
    fn change<M>(
        &mut self,
        table: Table,
        change: Change<'_, M>,
        show: impl FnOnce(&M) -> Result<Sock<'_>, String>,
    );
}

/// One poll of `poller` for `obs`, each reply seen through `view`.
fn run<R, O, V>(poller: &mut Poller<R>, t: Table, obs: &mut O, view: V) -> Result<PollStats, Error>
where
    R: Polled,
    for<'b> R::Msg<'b>: Reply,
    O: Observer,
    V: for<'c, 'b> Fn(&'c R::Msg<'b>) -> Result<Sock<'c>, String>,
{
    if O::LISTED {
        poller.poll_listed(|l| match l {
            Listing::Listed { cookie, msg, now } => obs.listed(t, cookie, &now, msg, &view),
            Listing::Change(c) => obs.change(t, c, &view),
        })
    } else {
        poller.poll(|c| obs.change(t, c, &view))
    }
}

/// The pollers of one table: what it polls and its family's poller.
pub enum Polling {
    Legacy(Poller<LegacyRequest>),
    Inet(Poller<InetRequest>),
    Unix(Poller<UnixRequest>),
    Packet(Poller<PacketRequest>),
    Netlink(Poller<NetlinkRequest>),
    Vsock(Poller<VsockRequest>),
    Xdp(Poller<XdpRequest>),
    Tipc(Poller<TipcRequest>),
    Smc(Poller<SmcRequest>),
}

/// `$body` with `$p` bound to the poller of `$polling`, whatever its
/// family.
macro_rules! each_poller {
    ($polling:expr, $p:ident => $body:expr) => {
        match $polling {
            Polling::Legacy($p) => $body,
            Polling::Inet($p) => $body,
            Polling::Unix($p) => $body,
            Polling::Packet($p) => $body,
            Polling::Netlink($p) => $body,
            Polling::Vsock($p) => $body,
            Polling::Xdp($p) => $body,
            Polling::Tipc($p) => $body,
            Polling::Smc($p) => $body,
        }
    };
}

/// One poller and the table it polls.
pub struct Watched {
    pub table: Table,
    pub poller: Polling,
}

impl Watched {
    /// One poll, its changes (and with [`Observer::LISTED`] every listed
    /// socket) to `obs`.
    pub fn poll<O: Observer>(&mut self, obs: &mut O) -> Result<PollStats, Error> {
        let t = self.table;
        let proto = match t {
            Table::Inet(p) => Some(p),
            _ => None,
        };
        match &mut self.poller {
            Polling::Legacy(poller) => run(poller, t, obs, |m| view::inet(proto, m).whole()),
            Polling::Inet(poller) => run(poller, t, obs, |m| view::inet(proto, m).whole()),
            Polling::Unix(poller) => run(poller, t, obs, |m| view::unix(m).whole()),
            Polling::Packet(poller) => run(poller, t, obs, |m| view::packet(m).whole()),
            Polling::Netlink(poller) => run(poller, t, obs, |m| view::netlink(m).whole()),
            Polling::Vsock(poller) => run(poller, t, obs, |m| Ok(view::vsock(m))),
            Polling::Xdp(poller) => run(poller, t, obs, |m| view::xdp(m).whole()),
            Polling::Tipc(poller) => run(poller, t, obs, |m| view::tipc(m).whole()),
            Polling::Smc(poller) => run(poller, t, obs, |m| view::smc(m).whole()),
        }
    }

    pub fn len(&self) -> usize {
        each_poller!(&self.poller, p => p.len())
    }

    /// What the last poll kept of socket `cookie`, if this poller tracks
    /// it.
    pub fn get(&self, cookie: u64) -> Option<Brief<'_>> {
        each_poller!(&self.poller, p => p.get(cookie))
    }

    /// How a TCP poller of both families runs, as `--workers` names it
    /// (`None` for the others, which run inline).
    pub fn workers(&self) -> Option<&'static str> {
        let strategy = match &self.poller {
            Polling::Legacy(p) => p.strategy(),
            _ => return None,
        };
        Some(match strategy {
            Strategy::Inline => Workers::One.name(),
            Strategy::Pipelined => Workers::Pipelined.name(),
            _ => Workers::Halves.name(),
        })
    }

    /// The sockets of each half, when this poller runs two.
    pub fn halves(&self) -> Option<[usize; 2]> {
        match &self.poller {
            Polling::Legacy(p) if p.strategy() == Strategy::Halves => Some(p.halves()),
            Polling::Inet(p) if p.strategy() == Strategy::Halves => Some(p.halves()),
            _ => None,
        }
    }
}

/// A poll's error as one line: a damaged reply names its socket.
pub fn poll_failure(table: Table, e: Error) -> Failure {
    match (e, table) {
        (Error::Reply { cookie, error }, Table::Inet(p)) => {
            Failure::Run(view::damaged(p.name(), cookie, error))
        }
        (Error::Reply { cookie, error }, t) => {
            Failure::Run(view::damaged(&t.name(), cookie, error))
        }
        (e, t) => crate::failure(e, &format!("polling {}", t.name())),
    }
}

/// The `tcp_info` counters to follow: `--track`'s, or with `-i` three.
pub fn tracked(o: &Options) -> Vec<TcpField> {
    if o.track.is_empty() && o.show.info {
        vec![
            TcpField::BytesAcked,
            TcpField::BytesReceived,
            TcpField::TotalRetrans,
        ]
    } else {
        o.track.clone()
    }
}

/// Opens a sock_diag socket in the namespace to poll.
pub type Open<'a> = &'a dyn Fn() -> Result<DiagSocket, Failure>;

/// A poller of `req` on a new socket from `open`, with the grace of
/// one missed poll, the tracked counters and the user's filter.
fn poller<R: Polled>(
    o: &Options,
    open: Open<'_>,
    req: R,
    track: &[TcpField],
) -> Result<Poller<R>, Failure> {
    let sock = open()?;
    // Gone after two polls in a row missed it: one miss can be the
    // kernel's walk under churn, not a close.
    let mut p = Poller::with_socket(sock, req).with_grace(1);
    if let Some((f, text)) = &o.filter {
        p = p
            .with_filter(f)
            .map_err(|e| Failure::Usage(format!("{e} in '{text}'")))?;
    }
    if !track.is_empty() {
        p = p.track(track).map_err(|e| crate::failure(e, "--track"))?;
    }
    Ok(p)
}

/// `--workers auto` for a watch: the fastest way to scan `req` here, of
/// one thread, pipelined and halves, each timed over three scans
/// (alternating; the best of each, so that the halves' first division,
/// a cold cache and this VM's swings count least). Costs nine dumps once,
/// at the start.
fn fastest(open: Open<'_>, req: LegacyRequest) -> Result<Workers, Failure> {
    let start = |w: Workers| -> Result<Scanner<LegacyRequest>, Failure> {
        let s = Scanner::with_socket(open()?, req);
        match w {
            Workers::Halves => s.halves(),
            Workers::Pipelined => s.pipelined(),
            Workers::One | Workers::Auto => Ok(s),
        }
        .map_err(|e| crate::failure(e, "timing the watch's scans"))
    };
    let ways = [Workers::One, Workers::Pipelined, Workers::Halves];
    let mut scanners = Vec::with_capacity(ways.len());
    for w in ways {
        scanners.push((w, start(w)?, Duration::MAX));
    }
    for _ in 0..3 {
        for (_, scanner, best) in &mut scanners {
            let t = Instant::now();
            scanner
                .scan(|_, m| {
                    std::hint::black_box(m.cookie());
                    Ok::<(), sockdiag::Error>(())
                })
                .map_err(|e| crate::failure(e, "timing the watch's scans"))?;
            *best = (*best).min(t.elapsed());
        }
    }
    Ok(scanners
        .iter()
        .min_by_key(|(_, _, best)| *best)
        .map_or(Workers::One, |(w, _, _)| *w))
}

/// The pollers of every selected table, on sockets from `open`.
pub fn watched(o: &Options, open: Open<'_>, track: &[TcpField]) -> Result<Vec<Watched>, Failure> {
    let mut out = Vec::new();
    for &table in &o.tables {
        let states = o.states_for(table);
        let inet_track = if matches!(table, Table::Inet(Protocol::Tcp)) {
            track
        } else {
            &[]
        };
        match table {
            Table::Inet(p @ (Protocol::Tcp | Protocol::Dccp)) if o.v4 && o.v6 => {
                let req = if p == Protocol::Tcp {
                    LegacyRequest::tcp()
                } else {
                    LegacyRequest::dccp()
                }
                .with_states(states)
                .with_extensions(crate::list::extensions(o));
                let mut poller = poller(o, open, req, inet_track)?;
                if crate::list::splittable(o) {
                    let workers = match o.workers {
                        Workers::Auto if crate::list::two_cpus() => fastest(open, req)?,
                        Workers::Auto => Workers::One,
                        w => w,
                    };
                    poller = match workers {
                        Workers::Halves => poller.with_halves(),
                        Workers::Pipelined => poller.pipelined(),
                        Workers::One | Workers::Auto => Ok(poller),
                    }
                    .map_err(|e| crate::failure(e, "starting the watch's second thread"))?;
                }
                out.push(Watched {
                    table,
                    poller: Polling::Legacy(poller),
                });
            }
            Table::Inet(p) => {
                for req in crate::list::inet_requests(o, p) {
                    out.push(Watched {
                        table,
                        poller: Polling::Inet(poller(o, open, req, inet_track)?),
                    });
                }
            }
            Table::Unix => {
                let req = UnixRequest::new()
                    .with_states(states)
                    .with_show(UnixShow::NAME | UnixShow::PEER | UnixShow::RQLEN);
                out.push(Watched {
                    table,
                    poller: Polling::Unix(poller(o, open, req, &[])?),
                });
            }
            Table::Packet => {
                let req = PacketRequest::new().with_show(PacketShow::INFO | PacketShow::MEMINFO);
                out.push(Watched {
                    table,
                    poller: Polling::Packet(poller(o, open, req, &[])?),
                });
            }
            Table::Netlink => {
                let req = NetlinkRequest::new().with_show(NetlinkShow::MEMINFO);
                out.push(Watched {
                    table,
                    poller: Polling::Netlink(poller(o, open, req, &[])?),
                });
            }
            Table::Vsock => {
                let req = VsockRequest::new().with_states(states);
                out.push(Watched {
                    table,
                    poller: Polling::Vsock(poller(o, open, req, &[])?),
                });
            }
            Table::Xdp => {
                let req = XdpRequest::new().with_show(XdpShow::INFO | XdpShow::MEMINFO);
                out.push(Watched {
                    table,
                    poller: Polling::Xdp(poller(o, open, req, &[])?),
                });
            }
            Table::Tipc => {
                let req = TipcRequest::new().with_states(states);
                out.push(Watched {
                    table,
                    poller: Polling::Tipc(poller(o, open, req, &[])?),
                });
            }
            Table::Smc => {
                let req = SmcRequest::new();
                out.push(Watched {
                    table,
                    poller: Polling::Smc(poller(o, open, req, &[])?),
                });
            }
        }
    }
    Ok(out)
}
