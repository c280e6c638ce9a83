//! The command line: `ss`'s options, state words and filter expression.

use std::path::PathBuf;
use std::time::Duration;

use sockdiag::inet::filter::Filter;
use sockdiag::inet::{Protocol, States};

/// A table `ss` would list: one dump (or, for unix and packet sockets, a
/// part of one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// An inet protocol, both families unless `-4`/`-6`.
    Inet(Protocol),
    /// Unix sockets.
    Unix,
    /// Packet sockets.
    Packet,
    /// Netlink sockets.
    Netlink,
}

impl Table {
    /// `ss`'s state selection when none is given: connected sockets for
    /// connection-oriented tables, connected datagram sockets for UDP and
    /// RAW, and every packet and netlink socket (they are all `UNCONN`).
    pub fn default_states(self) -> States {
        let conn = States::DEFAULT
            - (States::LISTEN
                | States::CLOSE
                | States::TIME_WAIT
                | States::SYN_RECV
                | States::NEW_SYN_RECV);
        match self {
            Table::Inet(Protocol::Udp | Protocol::UdpLite | Protocol::Raw) => States::ESTABLISHED,
            Table::Inet(_) | Table::Unix => conn,
            Table::Packet | Table::Netlink => States::CLOSE,
        }
    }

    /// How many Netid values the table contributes (unix: stream, dgram,
    /// seqpacket; packet: raw, dgram).
    fn netids(self) -> usize {
        match self {
            Table::Unix => 3,
            Table::Packet => 2,
            _ => 1,
        }
    }
}

/// How sockets are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns, like `ss`.
    Table,
    /// JSON Lines: one object per socket.
    Json,
    /// Prometheus text exposition.
    Prom,
}

/// What to show beyond the columns.
#[derive(Clone, Copy, Debug, Default)]
pub struct Show {
    /// `-i`: `tcp_info` and congestion control.
    pub info: bool,
    /// `-m`: socket memory.
    pub mem: bool,
    /// `-e`: uid, inode, cookie, mark, cgroup.
    pub ext: bool,
    /// `-o`: timers.
    pub timers: bool,
    /// `-p`: processes.
    pub procs: bool,
    /// `--tos`: TOS, traffic class, class id.
    pub tos: bool,
}

/// What the run does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// List the selected sockets once.
    List,
    /// `-K`: list and destroy the selected sockets.
    Kill,
    /// `-E`: stream destroy events.
    Events,
    /// `-s`: counts.
    Summary,
    /// `watch`: poll and print what changed.
    Watch,
}

/// Parsed command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// Tables to list, in `ss`'s order.
    pub tables: Vec<Table>,
    /// Whether the user named the tables (an unavailable module is then
    /// an error rather than skipped).
    pub explicit_tables: bool,
    /// Unix socket types to keep (`-A unix_dgram`, ...): `SOCK_*` bits.
    pub unix_types: u8,
    /// Packet socket types to keep: bit `SOCK_RAW`, `SOCK_DGRAM`.
    pub packet_types: u8,
    /// IPv4 and IPv6.
    pub v4: bool,
    /// See `v4`.
    pub v6: bool,
    /// The user's state selection; `None`: each table's default.
    pub states: Option<States>,
    /// The filter expression and its text.
    pub filter: Option<(Filter, String)>,
    /// `-N NAME`.
    pub netns: Option<String>,
    /// Extra information.
    pub show: Show,
    /// Output format.
    pub format: Format,
    /// Print the header line.
    pub header: bool,
    /// What to do.
    pub mode: Mode,
    /// `--capture FILE`.
    pub capture: Option<PathBuf>,
    /// `--replay FILE`.
    pub replay: Option<PathBuf>,
    /// `--interval` of watch mode.
    pub interval: Duration,
    /// `--count`: polls (watch) or events (-E) before exiting.
    pub count: Option<u64>,
    /// `--track`: tcp_info counters watch mode reports.
    pub track: Vec<String>,
    /// `--threads`: 2 to list or watch every TCP socket on two threads
    /// (the default with two or more CPUs), 1 for one.
    pub threads: u8,
}

impl Options {
    /// The states listed for `table`.
    pub fn states_for(&self, table: Table) -> States {
        match (self.states, self.mode) {
            (Some(s), _) => s,
            // Counting, watching and event streams see every state.
            (None, Mode::Summary | Mode::Watch | Mode::Events) => States::DEFAULT,
            (None, _) => table.default_states(),
        }
    }

    /// `ss` prints the Netid column when more than one table is listed.
    pub fn netid_column(&self) -> bool {
        self.tables.iter().map(|t| t.netids()).sum::<usize>() > 1
    }

    /// `ss` prints the State column unless exactly one state is selected.
    pub fn state_column(&self) -> bool {
        let union = self
            .tables
            .iter()
            .fold(States::empty(), |acc, &t| acc | self.states_for(t))
            - States::NEW_SYN_RECV
            - States::BOUND_INACTIVE;
        union.bits().count_ones() != 1
    }
}

/// A command-line error: the message, printed after `sockdiag: `.
#[derive(Debug)]
pub struct Usage(pub String);

/// `ss`'s state names and groups.
fn state_word(word: &str) -> Option<States> {
    let conn = Table::Inet(Protocol::Tcp).default_states();
    Some(match word {
        "all" => States::DEFAULT,
        "connected" => States::DEFAULT - States::LISTEN - States::CLOSE - States::BOUND_INACTIVE,
        "synchronized" => {
            States::DEFAULT
                - States::LISTEN
                - States::CLOSE
                - States::SYN_SENT
                - States::BOUND_INACTIVE
        }
        "bucket" => States::SYN_RECV | States::NEW_SYN_RECV | States::TIME_WAIT,
        "big" => States::DEFAULT - States::SYN_RECV - States::NEW_SYN_RECV - States::TIME_WAIT,
        "established" => States::ESTABLISHED,
        "syn-sent" => States::SYN_SENT,
        "syn-recv" => States::SYN_RECV | States::NEW_SYN_RECV,
        "fin-wait-1" => States::FIN_WAIT1,
        "fin-wait-2" => States::FIN_WAIT2,
        "time-wait" => States::TIME_WAIT,
        "closed" | "unconnected" => States::CLOSE,
        "close-wait" => States::CLOSE_WAIT,
        "last-ack" => States::LAST_ACK,
        "listening" | "listen" => States::LISTEN,
        "closing" => States::CLOSING,
        "bound-inactive" => States::BOUND_INACTIVE,
        "conn" => conn,
        _ => return None,
    })
}

/// Parses `10ms`, `1s`, `500us`, `2` (seconds).
fn duration(text: &str) -> Option<Duration> {
    let (num, unit) = text
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .map_or((text, ""), |i| text.split_at(i));
    let n: f64 = num.parse().ok()?;
    let secs = match unit {
        "" | "s" => n,
        "ms" => n / 1e3,
        "us" | "µs" => n / 1e6,
        "m" | "min" => n * 60.0,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Options that take a value.
const WITH_VALUE: &[&str] = &[
    "-N",
    "--net",
    "-A",
    "--query",
    "--socket",
    "-f",
    "--family",
    "--capture",
    "-D",
    "--diag",
    "--replay",
    "--interval",
    "--count",
    "--track",
    "--threads",
];

/// Splits `-tanp` into `-t -a -n -p`, `--opt=value` into two words, and
/// `-Nname` into `-N name`.
fn expand(args: impl Iterator<Item = String>) -> Vec<String> {
    let mut out = Vec::new();
    // `rest`: the filter expression has started, words stay as they are;
    // `value`: the next word is an option's or a state word's value.
    let (mut rest, mut value) = (false, false);
    for arg in args {
        if rest || std::mem::take(&mut value) {
            out.push(arg);
        } else if arg == "state" || arg == "exclude" {
            value = true;
            out.push(arg);
        } else if !arg.starts_with('-') || arg == "-" {
            rest = out.last().is_some() || arg != "watch";
            out.push(arg);
        } else if let Some(long) = arg.strip_prefix("--") {
            match long.split_once('=') {
                Some((name, v)) => {
                    out.push(format!("--{name}"));
                    out.push(v.to_owned());
                }
                None => {
                    value = WITH_VALUE.contains(&arg.as_str());
                    out.push(arg);
                }
            }
        } else {
            for (i, c) in arg.char_indices().skip(1) {
                let flag = format!("-{c}");
                let takes_value = WITH_VALUE.contains(&flag.as_str());
                out.push(flag);
                if takes_value {
                    let v = arg.get(i + c.len_utf8()..).unwrap_or("");
                    if v.is_empty() {
                        value = true;
                    } else {
                        out.push(v.to_owned());
                    }
                    break;
                }
            }
        }
    }
    out
}

/// Adds the tables a `-A`/`--query` word names.
fn query(word: &str, o: &mut Options, unix: &mut u8, packet: &mut u8) -> Result<(), Usage> {
    let inet = [Protocol::Tcp, Protocol::Udp, Protocol::Raw, Protocol::Mptcp];
    let add = |t: Table, o: &mut Options| {
        if !o.tables.contains(&t) {
            o.tables.push(t);
        }
    };
    match word {
        "all" => {
            for p in inet {
                add(Table::Inet(p), o);
            }
            add(Table::Unix, o);
            add(Table::Packet, o);
            add(Table::Netlink, o);
            *unix = !0;
            *packet = !0;
        }
        "inet" => inet.into_iter().for_each(|p| add(Table::Inet(p), o)),
        "tcp" => add(Table::Inet(Protocol::Tcp), o),
        "udp" => add(Table::Inet(Protocol::Udp), o),
        "udplite" => add(Table::Inet(Protocol::UdpLite), o),
        "raw" => add(Table::Inet(Protocol::Raw), o),
        "sctp" => add(Table::Inet(Protocol::Sctp), o),
        "mptcp" => add(Table::Inet(Protocol::Mptcp), o),
        "dccp" => add(Table::Inet(Protocol::Dccp), o),
        "unix" => {
            add(Table::Unix, o);
            *unix = !0;
        }
        "unix_stream" | "unix_dgram" | "unix_seqpacket" => {
            add(Table::Unix, o);
            *unix |= match word {
                "unix_stream" => 1 << sockdiag::raw::SOCK_STREAM,
                "unix_dgram" => 1 << sockdiag::raw::SOCK_DGRAM,
                _ => 1 << sockdiag::raw::SOCK_SEQPACKET,
            };
        }
        "packet" => {
            add(Table::Packet, o);
            *packet = !0;
        }
        "packet_raw" | "packet_dgram" => {
            add(Table::Packet, o);
            *packet |= if word == "packet_raw" {
                1 << sockdiag::raw::SOCK_RAW
            } else {
                1 << sockdiag::raw::SOCK_DGRAM
            };
        }
        "netlink" => add(Table::Netlink, o),
        other => {
            return Err(Usage(format!(
                "unknown socket table '{other}' for -A (all, inet, tcp, udp, udplite, raw, sctp, mptcp, dccp, unix, unix_stream, unix_dgram, unix_seqpacket, packet, packet_raw, packet_dgram, netlink)"
            )))
        }
    }
    Ok(())
}

/// What `--help` or `--version` asks for, or options to run with.
pub enum Parsed {
    /// Print this and exit successfully.
    Print(String),
    /// Run.
    Run(Box<Options>),
}

/// Parses the arguments after the program name.
pub fn parse(args: impl Iterator<Item = String>) -> Result<Parsed, Usage> {
    let mut o = Options {
        tables: Vec::new(),
        explicit_tables: false,
        unix_types: 0,
        packet_types: 0,
        v4: false,
        v6: false,
        states: None,
        filter: None,
        netns: None,
        show: Show::default(),
        format: Format::Table,
        header: true,
        mode: Mode::List,
        capture: None,
        replay: None,
        interval: Duration::from_secs(1),
        count: None,
        track: Vec::new(),
        threads: if std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2 {
            2
        } else {
            1
        },
    };
    let (mut unix, mut packet) = (0u8, 0u8);
    let mut words = expand(args).into_iter().peekable();
    if words.peek().map(String::as_str) == Some("watch") {
        words.next();
        o.mode = Mode::Watch;
    }
    let mut all = false;
    let mut listening = false;
    let mut state_words: Option<States> = None;
    let mut excluded = States::empty();
    let mut filter_words: Vec<String> = Vec::new();
    while let Some(word) = words.next() {
        let mut value = |name: &str| {
            words
                .next()
                .ok_or_else(|| Usage(format!("option {name} needs a value (see --help)")))
        };
        match word.as_str() {
            "-h" | "--help" => return Ok(Parsed::Print(crate::HELP.to_owned())),
            "-V" | "--version" => {
                return Ok(Parsed::Print(format!(
                    "sockdiag {}\n",
                    env!("CARGO_PKG_VERSION")
                )))
            }
            "-t" | "--tcp" => query("tcp", &mut o, &mut unix, &mut packet)?,
            "-u" | "--udp" => query("udp", &mut o, &mut unix, &mut packet)?,
            "-w" | "--raw" => query("raw", &mut o, &mut unix, &mut packet)?,
            "-x" | "--unix" => query("unix", &mut o, &mut unix, &mut packet)?,
            "-S" | "--sctp" => query("sctp", &mut o, &mut unix, &mut packet)?,
            "-M" | "--mptcp" => query("mptcp", &mut o, &mut unix, &mut packet)?,
            "-d" | "--dccp" => query("dccp", &mut o, &mut unix, &mut packet)?,
            "-0" | "--packet" => query("packet", &mut o, &mut unix, &mut packet)?,
            "--netlink" => query("netlink", &mut o, &mut unix, &mut packet)?,
            "-A" | "--query" | "--socket" => {
                for w in value("-A")?.split(',') {
                    query(w, &mut o, &mut unix, &mut packet)?;
                }
            }
            "-f" | "--family" => match value("-f")?.as_str() {
                "inet" => o.v4 = true,
                "inet6" => o.v6 = true,
                "unix" => query("unix", &mut o, &mut unix, &mut packet)?,
                "link" | "packet" => query("packet", &mut o, &mut unix, &mut packet)?,
                "netlink" => query("netlink", &mut o, &mut unix, &mut packet)?,
                other => {
                    return Err(Usage(format!(
                        "unknown family '{other}' for -f (inet, inet6, unix, link, netlink)"
                    )))
                }
            },
            "-4" | "--ipv4" => o.v4 = true,
            "-6" | "--ipv6" => o.v6 = true,
            "-a" | "--all" => all = true,
            "-l" | "--listening" => listening = true,
            "-n" | "--numeric" => {}
            "-H" | "--no-header" => o.header = false,
            "-i" | "--info" => o.show.info = true,
            "-m" | "--memory" => o.show.mem = true,
            "-e" | "--extended" => o.show.ext = true,
            "-o" | "--options" => o.show.timers = true,
            "-p" | "--processes" => o.show.procs = true,
            "--tos" => o.show.tos = true,
            "-K" | "--kill" => o.mode = Mode::Kill,
            "-E" | "--events" => o.mode = Mode::Events,
            "-s" | "--summary" => o.mode = Mode::Summary,
            "-j" | "--json" => o.format = Format::Json,
            "--prom" => o.format = Format::Prom,
            "-N" | "--net" => o.netns = Some(value("-N")?),
            "-D" | "--diag" | "--capture" => o.capture = Some(value("--capture")?.into()),
            "--replay" => o.replay = Some(value("--replay")?.into()),
            "--interval" => {
                let v = value("--interval")?;
                o.interval = duration(&v).ok_or_else(|| {
                    Usage(format!(
                        "bad --interval '{v}' (a positive number with unit s, ms or us, e.g. 10ms)"
                    ))
                })?;
            }
            "--count" => {
                let v = value("--count")?;
                o.count = Some(
                    v.parse()
                        .map_err(|_| Usage(format!("bad --count '{v}' (a whole number)")))?,
                );
            }
            "--threads" => {
                let v = value("--threads")?;
                o.threads = match v.as_str() {
                    "1" => 1,
                    "2" => 2,
                    _ => return Err(Usage(format!("bad --threads '{v}' (1 or 2)"))),
                };
            }
            "--track" => {
                let v = value("--track")?;
                for name in v.split(',') {
                    if !sockdiag::inet::TcpInfo::<&[u8]>::field_names().any(|n| n == name) {
                        return Err(Usage(format!(
                            "unknown tcp_info field '{name}' for --track (names as in --json's tcp_info, e.g. bytes_acked,total_retrans)"
                        )));
                    }
                    o.track.push(name.to_owned());
                }
            }
            "state" | "exclude" => {
                let Some(name) = words.next() else {
                    return Err(Usage(format!("'{word}' needs a state name")));
                };
                let s = state_word(&name).ok_or_else(|| {
                    Usage(format!(
                        "unknown state '{name}' (all, connected, synchronized, bucket, big, established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing, bound-inactive)"
                    ))
                })?;
                if word == "state" {
                    state_words = Some(state_words.unwrap_or(States::empty()) | s);
                } else {
                    excluded |= s;
                }
            }
            w if w.starts_with('-') && w.len() > 1 && filter_words.is_empty() => {
                return Err(Usage(format!("unknown option '{w}' (see --help)")))
            }
            _ => {
                filter_words.push(word);
                filter_words.extend(words.by_ref());
            }
        }
    }
    o.explicit_tables = !o.tables.is_empty();
    if o.tables.is_empty() {
        // ss's default: every table this kernel may have.
        query("all", &mut o, &mut unix, &mut packet)?;
        if o.mode == Mode::Events || o.mode == Mode::Watch {
            o.tables.retain(|t| matches!(t, Table::Inet(_)));
        }
    }
    if o.v4 || o.v6 {
        // A family restriction drops the tables without that family.
        o.tables.retain(|t| matches!(t, Table::Inet(_)));
    } else {
        (o.v4, o.v6) = (true, true);
    }
    o.unix_types = unix;
    o.packet_types = packet;
    // ss's order: netlink, packet, unix, then inet (udp, tcp, ...).
    let rank = |t: &Table| match t {
        Table::Netlink => 0,
        Table::Packet => 1,
        Table::Unix => 2,
        Table::Inet(Protocol::Raw) => 3,
        Table::Inet(Protocol::Udp) => 4,
        Table::Inet(Protocol::UdpLite) => 5,
        Table::Inet(Protocol::Tcp) => 6,
        Table::Inet(_) => 7,
    };
    o.tables.sort_by_key(rank);
    let base = if all {
        Some(States::DEFAULT)
    } else if listening {
        Some(States::LISTEN | States::CLOSE)
    } else {
        None
    };
    o.states = match (state_words, base, excluded.is_empty()) {
        (Some(s), _, _) => Some(s - excluded),
        (None, Some(b), _) => Some(b - excluded),
        (None, None, false) => Some(States::DEFAULT - excluded),
        (None, None, true) => None,
    };
    if !filter_words.is_empty() {
        let text = filter_words.join(" ");
        let filter: Filter = text
            .parse()
            .map_err(|e| Usage(format!("{e} in '{text}'")))?;
        if o.tables.iter().any(|t| !matches!(t, Table::Inet(_))) {
            if o.explicit_tables {
                return Err(Usage(
                    "a filter expression applies to inet sockets (TCP, UDP, RAW, SCTP, MPTCP, DCCP); drop -x, -0 and --netlink".to_owned(),
                ));
            }
            o.tables.retain(|t| matches!(t, Table::Inet(_)));
        }
        o.filter = Some((filter, text));
    }
    check(&o)?;
    Ok(Parsed::Run(Box::new(o)))
}

/// Combinations that make no sense.
fn check(o: &Options) -> Result<(), Usage> {
    if o.replay.is_some() && (o.netns.is_some() || o.capture.is_some()) {
        return Err(Usage(
            "--replay reads a file instead of the kernel: it does not combine with -N or --capture"
                .to_owned(),
        ));
    }
    if o.replay.is_some() && !matches!(o.mode, Mode::List | Mode::Summary) {
        return Err(Usage(
            "--replay lists or counts (-s) a recorded dump; -K, -E and watch need the kernel"
                .to_owned(),
        ));
    }
    if o.mode == Mode::Events
        && o.tables
            .iter()
            .any(|t| !matches!(t, Table::Inet(Protocol::Tcp | Protocol::Udp)))
    {
        return Err(Usage(
            "-E streams destroy events of TCP and UDP sockets only: select -t and/or -u".to_owned(),
        ));
    }
    if o.format == Format::Prom && !matches!(o.mode, Mode::List | Mode::Summary) {
        return Err(Usage(
            "--prom writes one snapshot: it does not combine with -K, -E or watch".to_owned(),
        ));
    }
    if !o.track.is_empty() && o.mode != Mode::Watch {
        return Err(Usage("--track is an option of watch mode".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &str) -> Options {
        match parse(args.split_whitespace().map(str::to_owned)) {
            Ok(Parsed::Run(o)) => *o,
            Ok(Parsed::Print(_)) => panic!("printed"),
            Err(Usage(m)) => panic!("{m}"),
        }
    }

    fn fail(args: &str) -> String {
        match parse(args.split_whitespace().map(str::to_owned)) {
            Err(Usage(m)) => m,
            Ok(_) => panic!("accepted {args}"),
        }
    }

    #[test]
    fn clustered_flags_and_values() {
        let o = run("-tanp -Nblue");
        assert_eq!(o.tables, [Table::Inet(Protocol::Tcp)]);
        assert!(o.show.procs);
        assert_eq!(o.netns.as_deref(), Some("blue"));
        assert_eq!(o.states, Some(States::DEFAULT));
        let o = run("--query=unix_dgram,netlink -H");
        assert_eq!(o.tables, [Table::Netlink, Table::Unix]);
        assert_eq!(o.unix_types, 1 << sockdiag::raw::SOCK_DGRAM);
        assert!(!o.header);
    }

    #[test]
    fn states_like_ss() {
        let o = run("-t");
        assert!(!o
            .states_for(Table::Inet(Protocol::Tcp))
            .contains(States::LISTEN));
        assert!(!o
            .states_for(Table::Inet(Protocol::Tcp))
            .contains(States::TIME_WAIT));
        assert!(o.state_column());
        let o = run("-u");
        assert_eq!(
            o.states_for(Table::Inet(Protocol::Udp)),
            States::ESTABLISHED
        );
        assert!(!o.state_column());
        let o = run("-tl");
        assert_eq!(o.states, Some(States::LISTEN | States::CLOSE));
        let o = run("-t state established state listening");
        assert_eq!(o.states, Some(States::ESTABLISHED | States::LISTEN));
        let o = run("-t exclude established");
        assert_eq!(o.states, Some(States::DEFAULT - States::ESTABLISHED));
        assert!(fail("-t state nonsense").contains("unknown state 'nonsense'"));
    }

    #[test]
    fn filter_words_and_errors() {
        let o = run("-tn sport = :443 and dport >= 1024");
        assert_eq!(
            o.filter.map(|f| f.1).as_deref(),
            Some("sport = :443 and dport >= 1024")
        );
        let o = run("-tn ! ( sport = :22 )");
        assert!(o.filter.is_some());
        let o = run("--replay f.bin -ta state established -H dport = :1");
        assert!(!o.header);
        assert_eq!(o.states, Some(States::ESTABLISHED));
        assert_eq!(o.filter.map(|f| f.1).as_deref(), Some("dport = :1"));
        assert_eq!(run("watch -t").mode, Mode::Watch);
        assert!(fail("-t sport = :x").contains("at byte"));
        assert!(fail("-x sport = :22").contains("inet sockets"));
        assert!(fail("-t --bogus").contains("unknown option '--bogus'"));
        assert!(fail("-t -N").contains("needs a value"));
        assert!(fail("-A bogus").contains("unknown socket table"));
        assert!(fail("watch --interval 0ms").contains("bad --interval"));
        assert_eq!(run("-t --threads 1").threads, 1);
        assert_eq!(run("watch -t --threads=2").threads, 2);
        assert!(fail("-t --threads 3").contains("bad --threads '3' (1 or 2)"));
        assert_eq!(
            run("watch --interval 1ms").interval,
            Duration::from_millis(1)
        );
        assert!(fail("-x -E").contains("-E"));
        assert!(fail("--replay f -K").contains("--replay"));
    }

    #[test]
    fn default_selection_is_every_table() {
        let o = run("");
        assert!(o.tables.contains(&Table::Unix));
        assert!(o.tables.contains(&Table::Inet(Protocol::Tcp)));
        assert!(!o.explicit_tables);
        let o = run("-4");
        assert!(o.tables.iter().all(|t| matches!(t, Table::Inet(_))));
        assert!(o.v4 && !o.v6);
    }
}
