//! `sockdiag watch`: poll the selected dumps every `--interval` on one
//! socket and buffer, track sockets by cookie, and print what changed.
//!
//! Output lines start with `+` (new socket), `-` (gone), `~` (state or a
//! tracked counter changed) or `#` (once a second, and at the end: polls,
//! sockets, the poll time and the CPU the process used). With `--json`
//! each is an object with an `"event"` key.

use std::io::{self, BufWriter, Write};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

use nix::sys::resource::{getrusage, UsageWho};
use sockdiag::inet::filter::{Bytecode, Entry, Filter};
use sockdiag::inet::{InetAttr, InetMsg, LegacyRequest, Protocol, TcpInfo, TcpState};
use sockdiag::poll::{Seen, Tracker};
use sockdiag::DiagSocket;
use sockdiag::SplitScan;

use crate::args::{Format, Options, Table};
use crate::out::{Context, IfNames, JsonOut, Scratch, TableOut};
use crate::view::{self, ss_state, Endpoint, Sock};
use crate::Failure;

/// Most counters `--track` follows.
const MAX_TRACK: usize = 4;

/// One end, as much as is kept between polls.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Ip(IpAddr, u16),
    Id(u32),
}

impl End {
    fn of(e: &Endpoint<'_>) -> End {
        match *e {
            Endpoint::Ip { addr, port, .. } => End::Ip(addr, port),
            Endpoint::Unix { inode, .. } => End::Id(inode),
            Endpoint::Packet { ifindex, .. } => End::Id(ifindex),
            Endpoint::Netlink { port_id, .. } => End::Id(port_id),
            Endpoint::NetlinkPeer { port_id, .. } => End::Id(port_id),
        }
    }
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
            End::Ip(a, p) => write!(f, "\"{name}\":\"{a}\",\"{port}\":{p}"),
            End::Id(i) => write!(f, "\"{name}_id\":{i}"),
        }
    }
}

impl std::fmt::Display for End {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            End::Ip(IpAddr::V6(a), p) => write!(f, "[{a}]:{p}"),
            End::Ip(a, p) => write!(f, "{a}:{p}"),
            End::Id(i) => write!(f, "{i}"),
        }
    }
}

/// A socket between polls.
#[derive(Clone, Copy)]
struct Tracked {
    netid: &'static str,
    state: TcpState,
    local: End,
    peer: End,
    counters: [u64; MAX_TRACK],
}

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

/// What one sighting of a socket amounts to.
enum Sighting {
    /// Nothing to report.
    Same,
    /// Not in the previous polls.
    New,
    /// State or a tracked counter moved; what was recorded before.
    Changed(Tracked),
}

/// The state of a watch run.
struct Watch<'o, W: Write> {
    o: &'o Options,
    table: TableOut<W>,
    track: Vec<usize>,
    sockets: Tracker<Tracked>,
    /// New, gone and changed sockets since the main loop last took them.
    window: Window,
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

impl<W: Write> Watch<'_, W> {
    fn json(&self) -> bool {
        self.o.format == Format::Json
    }

    /// Values of the tracked counters in `info`.
    fn counters(&self, info: &TcpInfo<&[u8]>) -> [u64; MAX_TRACK] {
        let mut out = [0; MAX_TRACK];
        for (slot, &k) in out.iter_mut().zip(&self.track) {
            *slot = info.field(k).unwrap_or(0);
        }
        out
    }

    /// Records one socket of the current poll; what there is to report.
    fn see(&mut self, cookie: u64, now: Tracked) -> Sighting {
        match self.sockets.observe(cookie, now) {
            Seen::New => Sighting::New,
            // Listed twice in one dump (the kernel may repeat a socket
            // while the table changes under the walk): once counts.
            Seen::Repeated => Sighting::Same,
            Seen::Known(t) if t.state == now.state && t.counters == now.counters => Sighting::Same,
            Seen::Known(&t) => Sighting::Changed(t),
        }
    }

    /// One socket of the current poll, of any family.
    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        let now = Tracked {
            netid: s.netid,
            state: s.state,
            local: End::of(&s.local),
            peer: End::of(&s.peer),
            counters: s.x.tcp_info.map(|i| self.counters(&i)).unwrap_or_default(),
        };
        match self.see(s.cookie, now) {
            Sighting::Same => Ok(()),
            sighting => self.report(sighting, s, &now),
        }
    }

    /// One inet socket of the current poll. Most polls change nothing for
    /// most sockets, so the display view is built only for a socket that
    /// is new or changed; the others cost one pass over their attributes
    /// (each still checked: a damaged reply is an error, as in listings)
    /// and a look at the tracker.
    fn inet(&mut self, p: Protocol, m: &InetMsg<'_>) -> Result<(), Failure> {
        let mut counters = [0; MAX_TRACK];
        for attr in m.attributes() {
            match attr {
                Ok(InetAttr::TcpInfo(info)) => counters = self.counters(&info),
                Ok(_) => {}
                Err(e) => return Err(Failure::Run(view::damaged(p.name(), m.cookie(), e))),
            }
        }
        let now = Tracked {
            netid: p.name(),
            state: m.state(),
            local: End::Ip(m.src_addr(), m.src_port()),
            peer: End::Ip(m.dst_addr(), m.dst_port()),
            counters,
        };
        match self.see(m.cookie(), now) {
            Sighting::Same => Ok(()),
            sighting => Ok(self.report(sighting, &view::inet(Some(p), m), &now)?),
        }
    }

    /// The line of a new or changed socket; `now` is what was recorded.
    fn report(&mut self, sighting: Sighting, s: &Sock<'_>, now: &Tracked) -> io::Result<()> {
        let json = self.json();
        match sighting {
            Sighting::Same => Ok(()),
            Sighting::New => {
                self.window.new += 1;
                if json {
                    let mut j = JsonOut {
                        out: &mut self.table.out,
                        cx: Context {
                            show: self.o.show,
                            procs: None,
                            ifnames: IfNames::default(),
                        },
                    };
                    write!(j.out, "{{\"event\":\"new\",")?;
                    j.members(s)?;
                    writeln!(j.out, "}}")
                } else {
                    write!(self.table.out, "+ ")?;
                    self.table.line(s)?;
                    writeln!(self.table.out)
                }
            }
            Sighting::Changed(before) => {
                self.window.changed += 1;
                let w = &mut self.table.out;
                let (local, peer) = (now.local, now.peer);
                if json {
                    write!(
                        w,
                        "{{\"event\":\"changed\",\"netid\":\"{}\",\"cookie\":{},{},{},\"state\":\"{}\",\"old_state\":\"{}\"",
                        now.netid,
                        s.cookie,
                        JsonEnd("src", local),
                        JsonEnd("dst", peer),
                        now.state.name(),
                        before.state.name()
                    )?;
                } else {
                    write!(
                        w,
                        "~ {:<5} {local} {peer} {}",
                        now.netid,
                        ss_state(now.state)
                    )?;
                    if before.state != now.state {
                        write!(w, " (was {})", ss_state(before.state))?;
                    }
                }
                for (n, &k) in self.track.iter().enumerate() {
                    let (Some(&new), Some(&was)) = (now.counters.get(n), before.counters.get(n))
                    else {
                        continue;
                    };
                    if new == was {
                        continue;
                    }
                    let name = TcpInfo::<&[u8]>::field_names().nth(k).unwrap_or("?");
                    let delta = i128::from(new) - i128::from(was);
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
        }
    }

    /// After a poll: the sockets not seen in it are gone.
    fn sweep(&mut self) -> io::Result<()> {
        let json = self.json();
        let w = &mut self.table.out;
        let mut gone = 0;
        let mut result = Ok(());
        self.sockets.finish(|cookie, t| {
            gone += 1;
            if result.is_err() {
                return;
            }
            result = if json {
                writeln!(
                    w,
                    "{{\"event\":\"gone\",\"netid\":\"{}\",\"cookie\":{cookie},{},{},\"state\":\"{}\"}}",
                    t.netid,
                    JsonEnd("src", t.local),
                    JsonEnd("dst", t.peer),
                    t.state.name()
                )
            } else {
                writeln!(w, "- {:<5} {} {} {}", t.netid, t.local, t.peer, ss_state(t.state))
            };
        });
        self.window.gone += gone;
        result
    }
}

/// The sockets of each half, when two threads share the watch:
/// ` (A+B)` in a table, `,"halves":[A,B]` in JSON.
struct Halves(Option<[usize; 2]>, bool);

impl std::fmt::Display for Halves {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.0, self.1) {
            (Some([a, b]), true) => write!(f, ",\"halves\":[{a},{b}]"),
            (Some([a, b]), false) => write!(f, " ({a}+{b})"),
            (None, _) => Ok(()),
        }
    }
}

/// The `#` line: what a window of polls cost, with the sockets tracked
/// (by each thread).
fn report(
    out: &mut impl Write,
    json: bool,
    label: &str,
    w: Window,
    sockets: &[Stream<'_>],
    wall: Duration,
    cpu: (Duration, Duration),
) -> io::Result<()> {
    let avg = w
        .poll_total
        .checked_div(u32::try_from(w.polls).unwrap_or(u32::MAX))
        .unwrap_or_default();
    let pct = |d: Duration| 100.0 * d.as_secs_f64() / wall.as_secs_f64().max(1e-9);
    let halves = match sockets {
        [a, b] => Some([a.w.sockets.len(), b.w.sockets.len()]),
        _ => None,
    };
    let sockets: usize = sockets.iter().map(|s| s.w.sockets.len()).sum();
    if json {
        writeln!(
            out,
            "{{\"event\":\"{label}\",\"seconds\":{:.3},\"polls\":{},\"late\":{},\"sockets\":{}{},\"new\":{},\"gone\":{},\"changed\":{},\"poll_avg_us\":{},\"poll_max_us\":{},\"cpu_user_pct\":{:.1},\"cpu_sys_pct\":{:.1}}}",
            wall.as_secs_f64(),
            w.polls,
            w.late,
            sockets,
            Halves(halves, json),
            w.new,
            w.gone,
            w.changed,
            avg.as_micros(),
            w.poll_max.as_micros(),
            pct(cpu.0),
            pct(cpu.1)
        )
    } else {
        writeln!(
            out,
            "# {label} {:.3}s polls {} late {} sockets {}{} new {} gone {} changed {} poll avg {:.3}ms max {:.3}ms cpu {:.1}% (user {:.1}% sys {:.1}%)",
            wall.as_secs_f64(),
            w.polls,
            w.late,
            sockets,
            Halves(halves, json),
            w.new,
            w.gone,
            w.changed,
            avg.as_secs_f64() * 1e3,
            w.poll_max.as_secs_f64() * 1e3,
            pct(cpu.0 + cpu.1),
            pct(cpu.0),
            pct(cpu.1)
        )
    }
}

/// Runs the selected dumps once, feeding every socket to `watch`.
fn poll<W: Write>(
    sock: &mut DiagSocket,
    program: Option<&sockdiag::inet::filter::Bytecode>,
    w: &mut Watch<'_, W>,
) -> Result<(), Failure> {
    let o = w.o;
    for &table in &o.tables {
        if let Table::Inet(p) = table {
            let r = crate::dump_inet(o, p, program, sock, &mut None, &mut |m| w.inet(p, &m));
            crate::table_result(o, table, r)?;
        } else {
            crate::dump_table(o, table, program, sock, &mut None, &mut |s, _| {
                Ok(w.sock(s)?)
            })?;
        }
    }
    Ok(())
}

/// `sockdiag watch`.
pub fn run(o: &Options) -> Result<(), Failure> {
    let names: Vec<&str> = TcpInfo::<&[u8]>::field_names().collect();
    let mut wanted: Vec<&str> = o.track.iter().map(String::as_str).collect();
    if wanted.is_empty() && o.show.info {
        wanted = vec!["bytes_acked", "bytes_received", "total_retrans"];
    }
    if wanted.len() > MAX_TRACK {
        return Err(Failure::Usage(format!(
            "--track follows at most {MAX_TRACK} counters"
        )));
    }
    let track: Vec<usize> = wanted
        .iter()
        .filter_map(|w| names.iter().position(|n| n == w))
        .collect();
    let o2;
    let o = if !track.is_empty() && !o.show.info {
        // Tracked counters come from tcp_info.
        let mut with_info = o.clone();
        with_info.show.info = true;
        o2 = with_info;
        &o2
    } else {
        o
    };
    let watch = |sockets: Tracker<Tracked>| Watch {
        o,
        table: TableOut {
            scratch: Scratch::default(),
            out: Vec::with_capacity(64 * 1024),
            netid: true,
            state: true,
            header: false,
            cx: Context {
                show: o.show,
                procs: None,
                ifnames: IfNames::default(),
            },
        },
        track: track.clone(),
        sockets,
        window: Window::default(),
    };
    // Gone after two polls in a row missed it: one miss can be the
    // kernel's walk under churn, not a close.
    let tracker = || Tracker::new().with_grace(1);
    // The first half's filter, when two threads share the watch.
    let mut division = None;
    let mut streams = if crate::splittable(o) {
        // Every TCP socket, no filter of the user's: two threads, each
        // polling the half of the sockets one of `SplitScan`'s filters
        // gives it, on its own socket, with its own tracker (a socket
        // always falls in the same half). The halves divide where the
        // sockets there now split evenly: one dump first.
        let mut first = crate::open(o)?;
        let req = LegacyRequest::tcp().with_states(o.states_for(Table::Inet(Protocol::Tcp)));
        let filters = SplitScan::filters_for(&mut first, &req)
            .map_err(|e| crate::failure(e, "dumping TCP sockets"))?;
        let mut socks = [Some(first), None];
        let mut halves = Vec::with_capacity(2);
        division = filters.first().cloned();
        for (f, sock) in filters.iter().zip(&mut socks) {
            halves.push(Stream {
                sock: match sock.take() {
                    Some(s) => s,
                    None => crate::open(o)?,
                },
                program: Some(compile(f)?),
                w: watch(tracker()),
            });
        }
        halves
    } else {
        vec![Stream {
            sock: crate::open(o)?,
            program: crate::program(o)?,
            w: watch(tracker()),
        }]
    };
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
        } else if total.polls > 0 && now > next + o.interval {
            // Behind by more than a whole interval: count it and resync.
            window.late += 1;
            next = now;
        }
        next += o.interval;
        let t0 = Instant::now();
        match streams.as_mut_slice() {
            [a, b] => {
                let (ra, rb) = std::thread::scope(|scope| {
                    let other = scope.spawn(|| b.once());
                    (a.once(), other.join())
                });
                ra?;
                rb.map_err(|_| Failure::Run("a watch thread panicked".into()))??;
            }
            all => {
                for s in all {
                    s.once()?;
                }
            }
        }
        let took = t0.elapsed();
        for s in &mut streams {
            out.write_all(&s.w.table.out)?;
            s.w.table.out.clear();
            let w = std::mem::take(&mut s.w.window);
            (window.new, window.gone, window.changed) = (
                window.new + w.new,
                window.gone + w.gone,
                window.changed + w.changed,
            );
        }
        window.polls += 1;
        window.poll_total += took;
        window.poll_max = window.poll_max.max(took);
        let since = window_start.elapsed();
        if since >= Duration::from_secs(1) {
            let c = cpu();
            let used = (
                c.0.saturating_sub(window_cpu.0),
                c.1.saturating_sub(window_cpu.1),
            );
            report(&mut out, json, "stats", window, &streams, since, used)?;
            total = merge(total, window);
            window = Window::default();
            if let Some(first) = &mut division {
                rebalance(&mut streams, first)?;
            }
            (window_start, window_cpu) = (Instant::now(), c);
        }
        out.flush()?;
    }
    let c = cpu();
    let total = merge(total, window);
    report(
        &mut out,
        json,
        "total",
        total,
        &streams,
        start.elapsed(),
        (
            c.0.saturating_sub(cpu_start.0),
            c.1.saturating_sub(cpu_start.1),
        ),
    )?;
    out.flush()?;
    Ok(())
}

/// One stream of polls: a socket, the filter program sent with each dump,
/// and what was seen. `watch` runs one, or two on two threads.
struct Stream<'o> {
    sock: DiagSocket,
    program: Option<Bytecode>,
    w: Watch<'o, Vec<u8>>,
}

impl Stream<'_> {
    /// One poll: its lines go to `w.table.out`, its counts to `w.window`.
    fn once(&mut self) -> Result<(), Failure> {
        self.w.sockets.begin();
        poll(&mut self.sock, self.program.as_ref(), &mut self.w)?;
        Ok(self.w.sweep()?)
    }
}

/// A half's filter program.
fn compile(f: &Filter) -> Result<Bytecode, Failure> {
    f.compile()
        .map_err(|e| Failure::Run(format!("splitting the watch: {e}")))
}

/// Moves the division between two halves (`first` is the first half's
/// filter) to where their sockets now split evenly, once the halves have
/// drifted apart by more than a tenth of the sockets: new filters for
/// both, and each socket that changes halves handed from one tracker to
/// the other, so that none is reported gone or new for it.
fn rebalance(streams: &mut [Stream<'_>], first: &mut Filter) -> Result<(), Failure> {
    let [a, b] = streams else {
        return Ok(());
    };
    let (na, nb) = (a.w.sockets.len(), b.w.sockets.len());
    if na.abs_diff(nb) <= (na + nb) / 10 {
        return Ok(());
    }
    let ends = |t: &Tracked| match (t.local, t.peer) {
        (End::Ip(la, lp), End::Ip(ra, rp)) => {
            Some((SocketAddr::new(la, lp), SocketAddr::new(ra, rp)))
        }
        _ => None,
    };
    let sample = a.w.sockets.iter().chain(b.w.sockets.iter());
    let [fa, fb] = SplitScan::balanced_filters(
        sample.filter_map(|(_, t)| ends(t).map(|(l, r)| (l.port(), r.port()))),
    );
    if fa == *first {
        // As even as the rule can make them.
        return Ok(());
    }
    let programs = (compile(&fa)?, compile(&fb)?);
    let second = |t: &Tracked| {
        ends(t).is_some_and(|(src, dst)| fa.matches(&Entry::new(src, dst)) == Some(false))
    };
    a.w.sockets.hand_over(&mut b.w.sockets, |_, t| second(t));
    b.w.sockets.hand_over(&mut a.w.sockets, |_, t| !second(t));
    (a.program, b.program) = (Some(programs.0), Some(programs.1));
    *first = fa;
    Ok(())
}

fn merge(a: Window, b: Window) -> Window {
    Window {
        polls: a.polls + b.polls,
        late: a.late + b.late,
        new: a.new + b.new,
        gone: a.gone + b.gone,
        changed: a.changed + b.changed,
        poll_total: a.poll_total + b.poll_total,
        poll_max: a.poll_max.max(b.poll_max),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use crate::args::{parse, Parsed};
    use crate::view::Extras;

    fn sock(cookie: u64, state: TcpState) -> Sock<'static> {
        let ip = |port| Endpoint::Ip {
            addr: IpAddr::from([127, 0, 0, 1]),
            port,
            ifindex: 0,
        };
        Sock {
            netid: "tcp",
            family: "inet",
            protocol: Some("tcp"),
            state,
            rq: 0,
            wq: 0,
            local: ip(u16::try_from(cookie).unwrap()),
            peer: ip(80),
            inode: 0,
            uid: None,
            cookie,
            timer: None,
            x: Extras::default(),
        }
    }

    /// Runs polls of (cookie, state) lists; returns each poll's lines.
    fn polls(rounds: &[&[(u64, TcpState)]]) -> Vec<Vec<String>> {
        let o = options();
        let mut w = watch(&o);
        let mut out = Vec::new();
        for round in rounds {
            w.sockets.begin();
            for &(cookie, state) in *round {
                w.sock(&sock(cookie, state)).unwrap();
            }
            w.sweep().unwrap();
            let text = String::from_utf8(std::mem::take(&mut w.table.out)).unwrap();
            let mut lines: Vec<String> = text
                .lines()
                .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            lines.sort();
            out.push(lines);
            assert_eq!(w.sockets.len(), {
                let mut c: Vec<u64> = round.iter().map(|r| r.0).collect();
                c.sort_unstable();
                c.dedup();
                c.len()
            });
        }
        out
    }

    fn options() -> Options {
        let Ok(Parsed::Run(o)) = parse(["watch", "-t"].into_iter().map(str::to_owned)) else {
            panic!()
        };
        *o
    }

    fn watch(o: &Options) -> Watch<'_, Vec<u8>> {
        Watch {
            o,
            table: TableOut {
                scratch: Scratch::default(),
                out: Vec::new(),
                netid: true,
                state: true,
                header: false,
                cx: Context {
                    show: o.show,
                    procs: None,
                    ifnames: IfNames::default(),
                },
            },
            track: Vec::new(),
            sockets: Tracker::new(),
            window: Window::default(),
        }
    }

    /// Feeds every inet reply of `bytes` (a recorded TCP dump) to `w` as
    /// one poll; its output, or the first error.
    fn replay_poll(w: &mut Watch<'_, Vec<u8>>, bytes: &[u8]) -> Result<String, String> {
        use sockdiag::replay::{Record, Replay};
        w.sockets.begin();
        for record in Replay::new(bytes).with_inet_protocol(Protocol::Tcp) {
            if let Record::Inet(m) = record.unwrap() {
                w.inet(Protocol::Tcp, &m).map_err(|e| match e {
                    Failure::Run(e) => e,
                    _ => panic!(),
                })?;
            }
        }
        w.sweep().unwrap();
        Ok(String::from_utf8(std::mem::take(&mut w.table.out)).unwrap())
    }

    #[test]
    fn known_sockets_with_damaged_replies_are_errors() {
        let bytes = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/tcp4.bin"
        ))
        .unwrap();
        let o = options();
        let mut w = watch(&o);
        let first = replay_poll(&mut w, &bytes).unwrap();
        assert!(first.lines().count() > 1, "{first}");
        assert!(first.lines().all(|l| l.starts_with("+ tcp ")), "{first}");
        // Nothing changed: nothing to say (the display view is not built).
        assert_eq!(replay_poll(&mut w, &bytes).unwrap(), "");
        // The first socket's first attribute (INET_DIAG_SHUTDOWN, one
        // byte) now claims two: the steady-state path refuses it too.
        let mut damaged = bytes.clone();
        damaged[88] = 6;
        let e = replay_poll(&mut w, &damaged).unwrap_err();
        assert!(
            e.starts_with("a damaged reply: tcp socket (cookie 0x"),
            "{e}"
        );
        assert!(e.ends_with("payload of 2 bytes, expected 1"), "{e}");
    }

    #[test]
    fn changes_are_found_whatever_the_order() {
        use TcpState::{Established as E, TimeWait as T};
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
