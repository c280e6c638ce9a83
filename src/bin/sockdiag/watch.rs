//! `sockdiag watch`: the library's [`Poller`] for each selected table,
//! every `--interval`, and a formatter for what it reports.
//!
//! Output lines start with `+` (new socket), `-` (gone), `~` (state or a
//! tracked counter changed) or `#` (once a second, and at the end: polls,
//! sockets, the poll time and the CPU the process used). With `--json`
//! each is an object with an `"event"` key.

use std::io::{self, BufWriter, Write};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use sockdiag::poll::{Brief, Change, End, Kind, What};
use sockdiag::Error;

use crate::args::{Format, Options, Show, Table};
use crate::out::{Context, JsonOut, Names, TableOut};
use crate::polling::{poll_failure, tracked, watched, Observer, Watched};
use crate::view::{self, ss_state, Sock};
use crate::Failure;

/// Counts of one second (or of the whole run).
#[derive(Default, Clone, Copy)]
struct Window {
    polls: u64,
    late: u64,
    new: u64,
    gone: u64,
    changed: u64,
    poll_total: Duration,
    poll_max: Duration,
}

impl Window {
    fn merge(self, b: Window) -> Window {
        Window {
            polls: self.polls + b.polls,
            late: self.late + b.late,
            new: self.new + b.new,
            gone: self.gone + b.gone,
            changed: self.changed + b.changed,
            poll_total: self.poll_total + b.poll_total,
            poll_max: self.poll_max.max(b.poll_max),
        }
    }
}

/// CPU time (user, system) of this process.
fn cpu() -> (Duration, Duration) {
    match getrusage(UsageWho::RUSAGE_SELF) {
        Ok(u) => {
            let d = |t: nix::sys::time::TimeVal| {
                Duration::from_micros(
                    u64::try_from(t.tv_sec()).unwrap_or(0) * 1_000_000
                        + u64::try_from(t.tv_usec()).unwrap_or(0),
                )
            };
            (d(u.user_time()), d(u.system_time()))
        }
        Err(_) => (Duration::ZERO, Duration::ZERO),
    }
}

/// Writes the lines of the changes a poll reports, into a buffer that the
/// main loop hands to standard output after each poll.
pub struct Printer<'o> {
    o: &'o Options,
    table: TableOut<Vec<u8>>,
    /// Counts since the main loop last took them.
    window: Window,
    /// The first socket that could not be shown: the poll ends with it.
    error: Option<Failure>,
    /// A socket whose tracked counters moved is written whole, with its
    /// `tcp_info` (the exporter's change log).
    whole_changes: bool,
}

/// `"src":"ADDR","sport":PORT` (or `"src_id":ID`) for JSON events.
struct JsonEnd(&'static str, End);

impl std::fmt::Display for JsonEnd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (name, port) = match self.0 {
            "src" => ("src", "sport"),
            _ => ("dst", "dport"),
        };
        match self.1 {
            End::Addr(a) => write!(f, "\"{name}\":\"{}\",\"{port}\":{}", a.ip(), a.port()),
            End::Vsock(v) => write!(f, "\"{name}_cid\":{},\"{name}_port\":{}", v.cid, v.port),
            End::Tipc { node, port_id } => {
                let peer = if name == "src" { "" } else { "peer_" };
                write!(f, "\"{peer}node\":{node},\"{peer}port_id\":{port_id}")
            }
            End::Port(p) => write!(f, "\"{name}\":null,\"{port}\":{p}"),
            End::None => write!(f, "\"{name}_id\":null"),
            other => write!(f, "\"{name}_id\":{other}"),
        }
    }
}

/// `ss`'s Netid of a socket a poller kept.
pub fn netid(kind: Kind, table: Table) -> &'static str {
    match (kind, table) {
        (
            Kind::Inet {
                protocol: Some(p), ..
            },
            _,
        )
        | (_, Table::Inet(p)) => p.name(),
        (Kind::Unix(t), _) => t.unix_netid(),
        (
            Kind::Packet {
                socket_type: sockdiag::SocketType::Dgram,
                ..
            },
            _,
        ) => "p_dgr",
        (Kind::Packet { .. }, _) => "p_raw",
        (Kind::Vsock(t), _) => t.vsock_netid(),
        (Kind::Xdp, _) => "xdp",
        (Kind::Tipc(t), _) => view::tipc_netid(t),
        (Kind::Smc, _) => "smc",
        _ => "nl",
    }
}

impl<'o> Printer<'o> {
    pub fn new(o: &'o Options) -> Self {
        Printer {
            o,
            table: TableOut::new(
                Vec::with_capacity(64 * 1024),
                // The watch's lines are all numeric.
                Context::new(
                    Show {
                        numeric: true,
                        ..o.show
                    },
                    None,
                    Names::default(),
                ),
                true,
                true,
                false,
                false,
            ),
            window: Window::default(),
            error: None,
            whole_changes: false,
        }
    }

    /// The exporter's change log: JSON lines as the watch's, and a socket
    /// whose tracked counters moved written whole, with its `tcp_info`.
    pub fn change_log(o: &'o Options) -> Self {
        Printer {
            whole_changes: true,
            ..Printer::new(o)
        }
    }

    /// The lines written since the last call, taken.
    pub fn take_lines(&mut self) -> Result<Vec<u8>, Failure> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.window = Window::default();
        Ok(std::mem::take(self.table.output()))
    }

    fn json(&self) -> bool {
        self.o.format == Format::Json
    }

    /// Whether the user's selection takes this socket of `table` (unix
    /// types, packet and netlink states are selected here; the kernel
    /// selected the rest).
    fn selected(&self, table: Table, b: &Brief<'_>) -> bool {
        let o = self.o;
        let state_ok = o.states_for(table).bits() & (1 << b.state().to_raw()) != 0;
        let type_ok = match b.kind() {
            Kind::Unix(t) => o.unix_types & (1 << t.to_raw()) != 0,
            Kind::Vsock(t) => o.vsock_skip & 1u8.checked_shl(t.to_raw().into()).unwrap_or(0) == 0,
            _ => true,
        };
        state_ok && type_ok
    }

    /// The line of a new socket.
    fn new_sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        self.window.new += 1;
        if self.json() {
            let mut j = JsonOut {
                out: self.table.output(),
                cx: Context::new(self.o.show, None, Names::default()),
            };
            write!(j.out, "{{\"event\":\"new\",")?;
            j.members(s)?;
            writeln!(j.out, "}}")
        } else {
            write!(self.table.output(), "+ ")?;
            self.table.line(s)?;
            writeln!(self.table.output())
        }
    }

    /// The line of a socket whose state or tracked counters moved.
    fn changed(
        &mut self,
        netid: &str,
        cookie: u64,
        before: &Brief<'_>,
        now: &Brief<'_>,
        what: &What<'_>,
    ) -> io::Result<()> {
        self.window.changed += 1;
        let json = self.json();
        let w = self.table.output();
        let (local, peer) = (now.local(), now.peer());
        if json {
            write!(
                w,
                "{{\"event\":\"changed\",\"netid\":\"{netid}\",\"cookie\":{cookie},{},{},\"state\":\"{}\",\"old_state\":\"{}\"",
                JsonEnd("src", local),
                JsonEnd("dst", peer),
                now.state().name(),
                before.state().name()
            )?;
        } else {
            write!(w, "~ {netid:<5} {local} {peer} {}", ss_state(now.state()))?;
            if what.state() {
                write!(w, " (was {})", ss_state(before.state()))?;
            }
        }
        for field in what.counters() {
            let (Some(new), was) = (now.counter(field), before.counter(field)) else {
                continue;
            };
            let name = field.name();
            let delta = i128::from(new) - i128::from(was.unwrap_or(0));
            if json {
                write!(w, ",\"{name}\":{new},\"{name}_delta\":{delta}")?;
            } else {
                write!(w, " {name}:{new} ({delta:+})")?;
            }
        }
        if json {
            writeln!(w, "}}")
        } else {
            writeln!(w)
        }
    }

    /// The line of a socket whose tracked counters moved, whole: the
    /// `--json` keys (with `tcp_info`), the old state and each moved
    /// counter's delta.
    fn changed_whole(
        &mut self,
        s: &Sock<'_>,
        before: &Brief<'_>,
        now: &Brief<'_>,
        what: &What<'_>,
    ) -> io::Result<()> {
        self.window.changed += 1;
        let mut j = JsonOut {
            out: self.table.output(),
            cx: Context::new(self.o.show, None, Names::default()),
        };
        write!(j.out, "{{\"event\":\"changed\",")?;
        j.members(s)?;
        write!(j.out, ",\"old_state\":\"{}\"", before.state().name())?;
        for field in what.counters() {
            let (Some(new), was) = (now.counter(field), before.counter(field)) else {
                continue;
            };
            let delta = i128::from(new) - i128::from(was.unwrap_or(0));
            write!(j.out, ",\"{}_delta\":{delta}", field.name())?;
        }
        writeln!(j.out, "}}")
    }

    /// The line of a gone socket.
    fn gone(&mut self, netid: &str, cookie: u64, last: &Brief<'_>) -> io::Result<()> {
        self.window.gone += 1;
        let w = self.table.output();
        if self.o.format == Format::Json {
            writeln!(
                w,
                "{{\"event\":\"gone\",\"netid\":\"{netid}\",\"cookie\":{cookie},{},{},\"state\":\"{}\"}}",
                JsonEnd("src", last.local()),
                JsonEnd("dst", last.peer()),
                last.state().name()
            )
        } else {
            writeln!(
                w,
                "- {netid:<5} {} {} {}",
                last.local(),
                last.peer(),
                ss_state(last.state())
            )
        }
    }
}

impl Observer for Printer<'_> {
    const LISTED: bool = false;

    /// One change of a poll, for a socket of `table` whose reply `show`
    /// turns into its display view (new sockets only).
    fn change<M>(
        &mut self,
        table: Table,
        change: Change<'_, M>,
        show: impl FnOnce(&M) -> Result<Sock<'_>, String>,
    ) {
        if self.error.is_some() {
            return;
        }
        let r = match change {
            Change::New { msg, now, .. } if self.selected(table, &now) => match show(msg) {
                Ok(s) => self.new_sock(&s),
                Err(e) => {
                    self.error = Some(Failure::Run(e));
                    return;
                }
            },
            Change::Changed {
                msg,
                before,
                now,
                what,
                ..
            } if self.whole_changes
                && self.json()
                && what.counters().next().is_some()
                && self.selected(table, &now) =>
            {
                match show(msg) {
                    Ok(s) => self.changed_whole(&s, &before, &now, &what),
                    Err(e) => {
                        self.error = Some(Failure::Run(e));
                        return;
                    }
                }
            }
            Change::Changed {
                cookie,
                before,
                now,
                what,
                ..
            } if self.selected(table, &now) => {
                self.changed(netid(now.kind(), table), cookie, &before, &now, &what)
            }
            Change::Gone { cookie, last } if self.selected(table, &last) => {
                self.gone(netid(last.kind(), table), cookie, &last)
            }
            _ => Ok(()),
        };
        if let Err(e) = r {
            self.error = Some(Failure::from(e));
        }
    }
}

/// A value of the `#` line.
enum Value {
    Count(u64),
    /// Printed with three decimals.
    Seconds(f64),
    /// Printed with one decimal.
    Percent(f64),
    /// The sockets of each half: `A+B`, `[A,B]` in JSON.
    Halves([usize; 2]),
    /// A word: `auto`'s choice.
    Word(&'static str),
}

/// The `#` line: what a window of polls cost, with the sockets tracked
/// (by each thread): `# stats key value ...`, or in JSON one object with
/// the same keys.
fn report(
    out: &mut impl Write,
    json: bool,
    label: &str,
    w: Window,
    watched: &[Watched],
    wall: Duration,
    cpu: (Duration, Duration),
) -> io::Result<()> {
    let avg = w
        .poll_total
        .checked_div(u32::try_from(w.polls).unwrap_or(u32::MAX))
        .unwrap_or_default();
    let pct = |d: Duration| 100.0 * d.as_secs_f64() / wall.as_secs_f64().max(1e-9);
    let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    let sockets: usize = watched.iter().map(Watched::len).sum();
    let mut values = vec![
        ("seconds", Value::Seconds(wall.as_secs_f64())),
        ("polls", Value::Count(w.polls)),
        ("late", Value::Count(w.late)),
        ("sockets", Value::Count(sockets as u64)),
    ];
    if let Some(w) = watched.iter().find_map(Watched::workers) {
        values.push(("workers", Value::Word(w)));
    }
    if let Some(h) = watched.iter().find_map(Watched::halves) {
        values.push(("halves", Value::Halves(h)));
    }
    values.extend([
        ("new", Value::Count(w.new)),
        ("gone", Value::Count(w.gone)),
        ("changed", Value::Count(w.changed)),
        ("poll_avg_us", Value::Count(micros(avg))),
        ("poll_max_us", Value::Count(micros(w.poll_max))),
        ("cpu_user_pct", Value::Percent(pct(cpu.0))),
        ("cpu_sys_pct", Value::Percent(pct(cpu.1))),
    ]);
    if json {
        write!(out, "{{\"event\":\"{label}\"")?;
    } else {
        write!(out, "# {label}")?;
    }
    for (key, v) in values {
        let (open, sep) = if json { (",\"", "\":") } else { (" ", " ") };
        write!(out, "{open}{key}{sep}")?;
        match v {
            Value::Count(n) => write!(out, "{n}")?,
            Value::Seconds(s) => write!(out, "{s:.3}")?,
            Value::Percent(p) => write!(out, "{p:.1}")?,
            Value::Halves([a, b]) if json => write!(out, "[{a},{b}]")?,
            Value::Halves([a, b]) => write!(out, "{a}+{b}")?,
            Value::Word(w) if json => write!(out, "\"{w}\"")?,
            Value::Word(w) => write!(out, "{w}")?,
        }
    }
    if json {
        writeln!(out, "}}")
    } else {
        writeln!(out)
    }
}

/// `sockdiag watch`.
pub fn run(o: &Options) -> Result<(), Failure> {
    let track = tracked(o);
    let with_info;
    let o = if !track.is_empty() && !o.show.info {
        // Tracked counters come from tcp_info; new sockets show it.
        let mut i = o.clone();
        i.show.info = true;
        with_info = i;
        &with_info
    } else {
        o
    };
    let mut watched = watched(o, &|| crate::open(o), &track)?;
    let mut printer = Printer::new(o);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    let json = o.format == Format::Json;
    let (mut window, mut total) = (Window::default(), Window::default());
    let start = Instant::now();
    let cpu_start = cpu();
    let (mut window_start, mut window_cpu) = (start, cpu_start);
    let mut next = start;
    loop {
        if o.count.is_some_and(|c| total.polls + window.polls >= c) {
            break;
        }
        let now = Instant::now();
        if now < next {
            std::thread::sleep(next - now);
        } else if total.polls + window.polls > 0 && now > next + o.interval {
            // Behind by more than a whole interval: count it and resync.
            window.late += 1;
            next = now;
        }
        next += o.interval;
        let t0 = Instant::now();
        let mut i = 0;
        while let Some(w) = watched.get_mut(i) {
            match w.poll(&mut printer) {
                Ok(_) => i += 1,
                // A table this kernel lacks, which the user did not name.
                Err(Error::Unavailable { .. }) if !o.explicit_tables => {
                    watched.remove(i);
                }
                Err(e) => return Err(poll_failure(w.table, e)),
            }
            if let Some(e) = printer.error.take() {
                return Err(e);
            }
        }
        let took = t0.elapsed();
        out.write_all(printer.table.output())?;
        printer.table.output().clear();
        window = window.merge(Window {
            polls: 1,
            poll_total: took,
            poll_max: took,
            ..std::mem::take(&mut printer.window)
        });
        let since = window_start.elapsed();
        if since >= Duration::from_secs(1) {
            let c = cpu();
            let used = (
                c.0.saturating_sub(window_cpu.0),
                c.1.saturating_sub(window_cpu.1),
            );
            report(&mut out, json, "stats", window, &watched, since, used)?;
            total = total.merge(window);
            window = Window::default();
            (window_start, window_cpu) = (Instant::now(), c);
        }
        out.flush()?;
    }
    let c = cpu();
    let total = total.merge(window);
    report(
        &mut out,
        json,
        "total",
        total,
        &watched,
        start.elapsed(),
        (
            c.0.saturating_sub(cpu_start.0),
            c.1.saturating_sub(cpu_start.1),
        ),
    )?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::args::{parse, Parsed};
    use sockdiag::inet::{LegacyRequest, Protocol};
    use sockdiag::poll::Polled;
    use sockdiag::replay::{Record, Replay};

    fn options(args: &[&str]) -> Options {
        let Ok(Parsed::Run(o)) = parse(args.iter().map(|s| (*s).to_owned())) else {
            panic!()
        };
        *o
    }

    /// What the watch's poller makes of each reply of a recorded dump:
    /// every reply is checked, known or not; the first failure as the
    /// watch prints it.
    fn keep_all(bytes: &[u8]) -> Result<usize, String> {
        let mut n = 0;
        for record in Replay::new(bytes).with_inet_protocol(Protocol::Tcp) {
            if let Record::Inet(m) = record.unwrap() {
                <LegacyRequest as Polled>::keep(&m, &[]).map_err(|e| {
                    match poll_failure(Table::Inet(Protocol::Tcp), e) {
                        Failure::Run(m) => m,
                        _ => panic!(),
                    }
                })?;
                n += 1;
            }
        }
        Ok(n)
    }

    #[test]
    fn known_sockets_with_damaged_replies_are_errors() {
        let Some(bytes) = crate::fixture("tcp4.bin") else {
            return;
        };
        assert!(keep_all(&bytes).unwrap() > 1);
        // The first socket's first attribute (INET_DIAG_SHUTDOWN, one
        // byte) now claims two: the poller refuses it in every poll, not
        // only when the socket is new.
        let mut damaged = bytes.clone();
        damaged[88] = 6;
        let e = keep_all(&damaged).unwrap_err();
        assert!(
            e.starts_with("a damaged reply: tcp socket (cookie 0x"),
            "{e}"
        );
        assert!(e.ends_with("payload of 2 bytes, expected 1"), "{e}");
    }

    fn sock(cookie: u64, state: sockdiag::inet::TcpState) -> Sock<'static> {
        Sock {
            cookie,
            ..crate::view::tcp_for_tests(state, u16::try_from(cookie).unwrap(), 80)
        }
    }

    /// Runs polls of (cookie, state) lists through a tracker of what a
    /// poller keeps and the watch's formatter; returns each poll's lines.
    fn polls(rounds: &[&[(u64, sockdiag::inet::TcpState)]]) -> Vec<Vec<String>> {
        use sockdiag::inet::Family;
        use sockdiag::poll::{Kept, Observed, Tracker};
        let o = options(&["watch", "-t"]);
        let mut p = Printer::new(&o);
        let mut t: Tracker<Kept> = Tracker::new();
        let table = Table::Inet(Protocol::Tcp);
        let kind = Kind::Inet {
            family: Family::Inet,
            protocol: Some(Protocol::Tcp),
        };
        let mut out = Vec::new();
        for round in rounds {
            t.begin();
            for &(cookie, state) in *round {
                let s = sock(cookie, state);
                let end = |port: u16| End::Addr(([127, 0, 0, 1], port).into());
                let now = Kept::new(kind, state, end(u16::try_from(cookie).unwrap()), end(80));
                match t.observe(cookie, now) {
                    Observed::New => p.change(
                        table,
                        Change::New {
                            cookie,
                            msg: &s,
                            now: Brief::new(&now, &[]),
                        },
                        |s: &Sock<'_>| Ok(*s),
                    ),
                    Observed::Known(before) => {
                        let (before, now) = (Brief::new(&before, &[]), Brief::new(&now, &[]));
                        let what = What::between(&before, &now);
                        if what.any() {
                            p.change(
                                table,
                                Change::Changed {
                                    cookie,
                                    msg: &s,
                                    before,
                                    now,
                                    what,
                                },
                                |s: &Sock<'_>| Ok(*s),
                            );
                        }
                    }
                    Observed::Repeated => {}
                }
            }
            t.finish(|cookie, last| {
                let gone: Change<'_, Sock<'_>> = Change::Gone {
                    cookie,
                    last: Brief::new(last, &[]),
                };
                p.change(table, gone, |s: &Sock<'_>| Ok(*s))
            });
            let text = String::from_utf8(std::mem::take(p.table.output())).unwrap();
            let mut lines: Vec<String> = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            lines.sort();
            out.push(lines);
        }
        out
    }

    #[test]
    fn changes_are_found_whatever_the_order() {
        use sockdiag::inet::TcpState::{Established as E, TimeWait as T};
        let out = polls(&[
            &[(1, E), (2, E), (3, E)],
            &[(1, E), (2, E), (3, E)],
            // 2 goes, 4 comes, 3 changes state.
            &[(1, E), (3, T), (4, E)],
            // Another order, nothing changed.
            &[(4, E), (1, E), (3, T)],
            // A socket listed twice counts once.
            &[(4, E), (4, E), (1, E), (3, T)],
            &[(1, E)],
        ]);
        assert_eq!(out[0].len(), 3);
        assert!(out[0].iter().all(|l| l.starts_with('+')));
        assert!(out[1].is_empty(), "{:?}", out[1]);
        assert_eq!(
            out[2],
            [
                "+ tcp ESTAB 0 0 127.0.0.1:4 127.0.0.1:80",
                "- tcp 127.0.0.1:2 127.0.0.1:80 ESTAB",
                "~ tcp 127.0.0.1:3 127.0.0.1:80 TIME-WAIT (was ESTAB)",
            ]
        );
        assert!(out[3].is_empty(), "{:?}", out[3]);
        assert!(out[4].is_empty(), "{:?}", out[4]);
        assert_eq!(
            out[5],
            [
                "- tcp 127.0.0.1:3 127.0.0.1:80 TIME-WAIT",
                "- tcp 127.0.0.1:4 127.0.0.1:80 ESTAB",
            ]
        );
    }
}
