//! The command line parsed with the one table of options
//! ([`OPTIONS`](crate::options::OPTIONS)), and checked: every option must
//! mean something in the chosen mode.
//!
//! A run does exactly one thing (a [`Mode`]): list, count (`-s`), destroy
//! (`-K`), stream destroy events (`-E`) or watch. Two modes, or an option
//! that belongs to another mode, is a usage error, found before anything
//! is opened or sent.

use std::path::PathBuf;
use std::time::Duration;

use sockdiag::inet::filter::Filter;
use sockdiag::inet::{Protocol, States, TcpField};

pub use crate::options::Mode;
use crate::options::{Key, Opt, FILTER, OPTIONS};
use crate::reference::help;

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

    /// Whether the kernel can destroy its sockets (`SOCK_DESTROY`: the
    /// protocol has a `diag_destroy`).
    pub fn destroyable(self) -> bool {
        matches!(
            self,
            Table::Inet(
                Protocol::Tcp | Protocol::Udp | Protocol::UdpLite | Protocol::Raw | Protocol::Sctp
            )
        )
    }

    /// What the table is called in messages.
    pub fn name(self) -> String {
        match self {
            Table::Inet(p) => format!("{} sockets", p.name().to_uppercase()),
            Table::Unix => "unix sockets".to_owned(),
            Table::Packet => "packet sockets".to_owned(),
            Table::Netlink => "netlink sockets".to_owned(),
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
    pub track: Vec<TcpField>,
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

/// What `--help` or `--version` asks for, or options to run with.
pub enum Parsed {
    /// Print this and exit successfully.
    Print(String),
    /// Run.
    Run(Box<Options>),
}

/// The command line as it is read: options and what they stand for, before
/// the checks that need all of it.
struct Builder {
    o: Options,
    unix: u8,
    packet: u8,
    all: bool,
    listening: bool,
    state_words: Option<States>,
    excluded: States,
    filter_words: Vec<String>,
    /// Each table and the option that first selected it.
    origin: Vec<(Table, String)>,
    /// Every option given, as spelled, with its table entry.
    used: Vec<(&'static Opt, String)>,
    /// The mode options given (`-K`, `-s`, ...), as spelled.
    modes: Vec<(Mode, String)>,
    /// The output format options given, as spelled.
    formats: Vec<(Format, String)>,
}

impl Builder {
    fn new() -> Self {
        Builder {
            o: Options {
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
            },
            unix: 0,
            packet: 0,
            all: false,
            listening: false,
            state_words: None,
            excluded: States::empty(),
            filter_words: Vec::new(),
            origin: Vec::new(),
            used: Vec::new(),
            modes: Vec::new(),
            formats: Vec::new(),
        }
    }

    /// Adds a table, remembering which option asked for it.
    fn add(&mut self, t: Table, by: &str) {
        if !self.o.tables.contains(&t) {
            self.o.tables.push(t);
            self.origin.push((t, by.to_owned()));
        }
    }

    /// Adds the tables a `-A`/`--query` word names (`by`: the option).
    fn query(&mut self, word: &str, by: &str) -> Result<(), Usage> {
        let inet = [Protocol::Tcp, Protocol::Udp, Protocol::Raw, Protocol::Mptcp];
        match word {
            "all" => {
                for p in inet {
                    self.add(Table::Inet(p), by);
                }
                self.add(Table::Unix, by);
                self.add(Table::Packet, by);
                self.add(Table::Netlink, by);
                self.unix = !0;
                self.packet = !0;
            }
            "inet" => inet.into_iter().for_each(|p| self.add(Table::Inet(p), by)),
            "tcp" => self.add(Table::Inet(Protocol::Tcp), by),
            "udp" => self.add(Table::Inet(Protocol::Udp), by),
            "udplite" => self.add(Table::Inet(Protocol::UdpLite), by),
            "raw" => self.add(Table::Inet(Protocol::Raw), by),
            "sctp" => self.add(Table::Inet(Protocol::Sctp), by),
            "mptcp" => self.add(Table::Inet(Protocol::Mptcp), by),
            "dccp" => self.add(Table::Inet(Protocol::Dccp), by),
            "unix" => {
                self.add(Table::Unix, by);
                self.unix = !0;
            }
            "unix_stream" | "unix_dgram" | "unix_seqpacket" => {
                self.add(Table::Unix, by);
                self.unix |= match word {
                    "unix_stream" => 1 << sockdiag::raw::SOCK_STREAM,
                    "unix_dgram" => 1 << sockdiag::raw::SOCK_DGRAM,
                    _ => 1 << sockdiag::raw::SOCK_SEQPACKET,
                };
            }
            "packet" => {
                self.add(Table::Packet, by);
                self.packet = !0;
            }
            "packet_raw" | "packet_dgram" => {
                self.add(Table::Packet, by);
                self.packet |= if word == "packet_raw" {
                    1 << sockdiag::raw::SOCK_RAW
                } else {
                    1 << sockdiag::raw::SOCK_DGRAM
                };
            }
            "netlink" => self.add(Table::Netlink, by),
            other => {
                return Err(Usage(format!(
                    "unknown socket table '{other}' for -A (all, inet, tcp, udp, udplite, raw, sctp, mptcp, dccp, unix, unix_stream, unix_dgram, unix_seqpacket, packet, packet_raw, packet_dgram, netlink)"
                )))
            }
        }
        Ok(())
    }

    /// Gives option `opt` (spelled `by`, with `value` if it takes one) its
    /// effect; `Some` for `--help` and `--version`.
    fn apply(
        &mut self,
        opt: &'static Opt,
        by: &str,
        value: Option<String>,
    ) -> Result<Option<String>, Usage> {
        self.used.push((opt, by.to_owned()));
        let value = value.unwrap_or_default();
        match opt.key {
            Key::Help => return Ok(Some(help())),
            Key::Version => return Ok(Some(format!("sockdiag {}\n", env!("CARGO_PKG_VERSION")))),
            Key::Tcp => self.query("tcp", by)?,
            Key::Udp => self.query("udp", by)?,
            Key::Raw => self.query("raw", by)?,
            Key::Unix => self.query("unix", by)?,
            Key::Sctp => self.query("sctp", by)?,
            Key::Mptcp => self.query("mptcp", by)?,
            Key::Dccp => self.query("dccp", by)?,
            Key::Packet => self.query("packet", by)?,
            Key::Netlink => self.query("netlink", by)?,
            Key::Query => {
                for w in value.split(',') {
                    self.query(w, by)?;
                }
            }
            Key::Family => match value.as_str() {
                "inet" => self.o.v4 = true,
                "inet6" => self.o.v6 = true,
                "unix" => self.query("unix", by)?,
                "link" | "packet" => self.query("packet", by)?,
                "netlink" => self.query("netlink", by)?,
                other => {
                    return Err(Usage(format!(
                        "unknown family '{other}' for -f (inet, inet6, unix, link, netlink)"
                    )))
                }
            },
            Key::Ipv4 => self.o.v4 = true,
            Key::Ipv6 => self.o.v6 = true,
            Key::All => self.all = true,
            Key::Listening => self.listening = true,
            Key::Numeric => {}
            Key::NoHeader => self.o.header = false,
            Key::Info => self.o.show.info = true,
            Key::Memory => self.o.show.mem = true,
            Key::Extended => self.o.show.ext = true,
            Key::Options => self.o.show.timers = true,
            Key::Processes => self.o.show.procs = true,
            Key::Tos => self.o.show.tos = true,
            Key::Kill => self.modes.push((Mode::Kill, by.to_owned())),
            Key::Events => self.modes.push((Mode::Events, by.to_owned())),
            Key::Summary => self.modes.push((Mode::Summary, by.to_owned())),
            Key::Watch => self.modes.push((Mode::Watch, by.to_owned())),
            Key::Json => self.formats.push((Format::Json, by.to_owned())),
            Key::Prom => self.formats.push((Format::Prom, by.to_owned())),
            Key::Net => self.o.netns = Some(value),
            Key::Capture => self.o.capture = Some(value.into()),
            Key::Replay => self.o.replay = Some(value.into()),
            Key::Interval => {
                self.o.interval = duration(&value).ok_or_else(|| {
                    Usage(format!(
                        "bad --interval '{value}' (a positive number with unit s, ms or us, e.g. 10ms)"
                    ))
                })?;
            }
            Key::Count => {
                self.o.count = Some(
                    value
                        .parse()
                        .map_err(|_| Usage(format!("bad --count '{value}' (a whole number)")))?,
                );
            }
            Key::Threads => {
                self.o.threads = match value.as_str() {
                    "1" => 1,
                    "2" => 2,
                    _ => return Err(Usage(format!("bad --threads '{value}' (1 or 2)"))),
                };
            }
            Key::Track => {
                for name in value.split(',') {
                    let Some(field) = TcpField::from_name(name) else {
                        return Err(Usage(format!(
                            "unknown tcp_info field '{name}' for --track (names as in --json's tcp_info, e.g. bytes_acked,total_retrans)"
                        )));
                    };
                    self.o.track.push(field);
                }
            }
            Key::State | Key::Exclude => {
                let s = state_word(&value).ok_or_else(|| {
                    Usage(format!(
                        "unknown state '{value}' (all, connected, synchronized, bucket, big, established, syn-sent, syn-recv, fin-wait-1, fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing, bound-inactive)"
                    ))
                })?;
                if opt.key == Key::State {
                    self.state_words = Some(self.state_words.unwrap_or(States::empty()) | s);
                } else {
                    self.excluded |= s;
                }
            }
            Key::Filter => self.filter_words.push(value),
        }
        Ok(None)
    }

    /// The one mode of the run: two different ones are an error.
    fn mode(&self) -> Result<Mode, Usage> {
        let mut modes = self.modes.iter();
        let Some((first, by)) = modes.next() else {
            return Ok(Mode::List);
        };
        match modes.find(|(m, _)| m != first) {
            Some((_, other)) => Err(Usage(format!(
                "{by} and {other} are two modes; give one (a run lists, counts with -s, destroys with -K, streams -E events or watches)"
            ))),
            None => Ok(*first),
        }
    }

    /// Every option given must mean something in `mode`.
    fn check_modes(&self, mode: Mode) -> Result<(), Usage> {
        for (opt, by) in &self.used {
            if opt.modes.contains(mode.bit()) {
                continue;
            }
            let mut owners: Vec<&str> = Mode::ALL
                .iter()
                .filter(|m| opt.modes.contains(m.bit()))
                .map(|m| m.label())
                .collect();
            let last = owners.pop().unwrap_or("another mode");
            let owners = if owners.is_empty() {
                last.to_owned()
            } else {
                format!("{} and {last}", owners.join(", "))
            };
            let here = match self.modes.first() {
                Some((_, m)) => format!("with {m}"),
                None => "in a listing".to_owned(),
            };
            return Err(Usage(format!(
                "{by} means nothing {here}: it is an option of {owners}"
            )));
        }
        Ok(())
    }

    /// The option that selected `t`.
    fn origin(&self, t: Table) -> &str {
        self.origin
            .iter()
            .find(|(u, _)| *u == t)
            .map_or("the selection", |(_, by)| by.as_str())
    }

    /// Resolves the selection and checks what needs all of the command line.
    fn finish(mut self) -> Result<Options, Usage> {
        self.o.mode = self.mode()?;
        self.check_modes(self.o.mode)?;
        if let Some((f, a)) = self.formats.first() {
            if let Some((_, b)) = self.formats.iter().find(|(g, _)| g != f) {
                return Err(Usage(format!(
                    "{a} and {b} are two output formats; give one"
                )));
            }
        }
        if let Some((f, _)) = self.formats.first() {
            self.o.format = *f;
        }
        let mode = self.o.mode;
        self.o.explicit_tables = !self.o.tables.is_empty();
        if self.o.tables.is_empty() {
            // ss's default: every table this kernel may have; the modes
            // that handle only some take those.
            self.query("all", "the default selection")?;
            match mode {
                Mode::Watch => self.o.tables.retain(|t| matches!(t, Table::Inet(_))),
                Mode::Kill => self.o.tables.retain(|t| t.destroyable()),
                Mode::Events => self
                    .o
                    .tables
                    .retain(|t| matches!(t, Table::Inet(Protocol::Tcp | Protocol::Udp))),
                Mode::List | Mode::Summary => {}
            }
        }
        if mode == Mode::Kill {
            if let Some(&t) = self.o.tables.iter().find(|t| !t.destroyable()) {
                return Err(Usage(format!(
                    "-K cannot destroy {} ({} selects them): the kernel has SOCK_DESTROY for TCP, UDP, UDP-Lite, RAW and SCTP sockets only",
                    t.name(),
                    self.origin(t)
                )));
            }
        }
        let o = &mut self.o;
        if o.v4 || o.v6 {
            // A family restriction drops the tables without that family.
            o.tables.retain(|t| matches!(t, Table::Inet(_)));
        } else {
            (o.v4, o.v6) = (true, true);
        }
        o.unix_types = self.unix;
        o.packet_types = self.packet;
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
        let base = if self.all {
            Some(States::DEFAULT)
        } else if self.listening {
            Some(States::LISTEN | States::CLOSE)
        } else {
            None
        };
        o.states = match (self.state_words, base, self.excluded.is_empty()) {
            (Some(s), _, _) => Some(s - self.excluded),
            (None, Some(b), _) => Some(b - self.excluded),
            (None, None, false) => Some(States::DEFAULT - self.excluded),
            (None, None, true) => None,
        };
        if let Some(first) = self.filter_words.first() {
            if matches!(first.as_str(), "watch") {
                return Err(Usage(format!(
                    "'{first}' is a command: give it first (sockdiag {first} -t ...)"
                )));
            }
            let text = self.filter_words.join(" ");
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
        check(o)?;
        Ok(self.o)
    }
}

/// A `lexopt` error as a usage message.
fn lexopt_usage(e: lexopt::Error) -> Usage {
    Usage(match e {
        lexopt::Error::MissingValue {
            option: Some(option),
        } => format!("option {option} needs a value (see --help)"),
        lexopt::Error::UnexpectedValue { option, value } => format!(
            "option {option} takes no value (got '{}')",
            value.to_string_lossy()
        ),
        lexopt::Error::NonUnicodeValue(v) => {
            format!("argument '{}' is not valid UTF-8", v.to_string_lossy())
        }
        e => e.to_string(),
    })
}

/// Parses the arguments after the program name.
pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Parsed, Usage> {
    let mut b = Builder::new();
    let mut p = lexopt::Parser::from_args(args);
    let mut first = true;
    loop {
        let (opt, by): (&'static Opt, String) = match p.next().map_err(lexopt_usage)? {
            None => break,
            Some(lexopt::Arg::Short(c)) => {
                let by = format!("-{c}");
                match OPTIONS.iter().find(|o| o.short == Some(c)) {
                    Some(o) => (o, by),
                    None => return Err(Usage(format!("unknown option '{by}' (see --help)"))),
                }
            }
            Some(lexopt::Arg::Long(name)) => {
                let by = format!("--{name}");
                match OPTIONS.iter().find(|o| o.long.contains(&name)) {
                    Some(o) => (o, by),
                    None => return Err(Usage(format!("unknown option '{by}' (see --help)"))),
                }
            }
            Some(lexopt::Arg::Value(v)) => {
                let word = v.into_string().map_err(lexopt::Error::NonUnicodeValue);
                let word = word.map_err(lexopt_usage)?;
                match OPTIONS
                    .iter()
                    .find(|o| o.word == Some(word.as_str()) && (first || o.value.is_some()))
                {
                    Some(o) => (o, word),
                    None => {
                        first = false;
                        b.apply(&FILTER, "FILTER", Some(word))?;
                        continue;
                    }
                }
            }
        };
        first = false;
        let value = match opt.value {
            Some(_) => {
                let v = p.value().map_err(|e| match e {
                    lexopt::Error::MissingValue { .. } if opt.word.is_some() => {
                        Usage(format!("'{by}' needs a state name"))
                    }
                    lexopt::Error::MissingValue { .. } => {
                        Usage(format!("option {by} needs a value (see --help)"))
                    }
                    e => lexopt_usage(e),
                })?;
                Some(
                    v.into_string()
                        .map_err(|v| lexopt_usage(lexopt::Error::NonUnicodeValue(v)))?,
                )
            }
            None => None,
        };
        if let Some(text) = b.apply(opt, &by, value)? {
            return Ok(Parsed::Print(text));
        }
    }
    Ok(Parsed::Run(Box::new(b.finish()?)))
}

/// Combinations of values that make no sense.
fn check(o: &Options) -> Result<(), Usage> {
    if o.replay.is_some() && o.netns.is_some() {
        return Err(Usage(
            "--replay reads a file instead of the kernel: it does not combine with -N".to_owned(),
        ));
    }
    if o.replay.is_some() && o.capture.is_some() {
        return Err(Usage(
            "--replay reads a file instead of the kernel: it does not combine with --capture"
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
    if o.mode == Mode::Events && o.netns.is_some() {
        return Err(Usage(
            "-E listens in the current network namespace; run it under `ip netns exec NAME` instead of -N".to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Section;

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
    fn options_may_follow_the_filter_and_dashes_end_them() {
        let o = run("-t sport = :22 -H");
        assert!(!o.header);
        assert_eq!(o.filter.map(|f| f.1).as_deref(), Some("sport = :22"));
        assert!(fail("-t -- sport = :22 -H").contains("\"-H\" in 'sport = :22 -H'"));
        assert!(fail("-t sport = :22 watch").contains("at byte"));
        assert!(fail("-t watch").contains("'watch' is a command"));
        assert!(fail("--tcp=yes").contains("option --tcp takes no value"));
        assert!(fail("-t state").contains("'state' needs a state name"));
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

    /// How each mode is asked for, as a command line's first words.
    const MODES: [(Mode, &str); 5] = [
        (Mode::List, ""),
        (Mode::Summary, "-s"),
        (Mode::Kill, "-K"),
        (Mode::Events, "-E"),
        (Mode::Watch, "watch"),
    ];

    #[test]
    fn every_pair_of_modes_is_an_error() {
        for (a, wa) in MODES.iter().skip(1) {
            for (b, wb) in MODES.iter().skip(1) {
                // `watch` is a first word; the others go anywhere.
                let (first, second) = if *wb == "watch" { (wb, wa) } else { (wa, wb) };
                let line = format!("{first} -t {second}");
                if a == b {
                    // Twice the same mode is that mode (`watch` is a
                    // first word only: a second one would be a filter).
                    if *wa != "watch" {
                        assert_eq!(run(&line).mode, *a, "{line}");
                    }
                    continue;
                }
                let m = fail(&line);
                assert!(
                    m.starts_with(&format!("{first} and {second} are two modes")),
                    "{line}: {m}"
                );
                // Long spellings are named as given.
                if let (Some(la), Some(lb)) = (long_of(first), long_of(second)) {
                    let line = format!("{la} -t {lb}");
                    assert!(fail(&line).contains(&format!("{la} and {lb}")), "{line}");
                }
            }
        }
        // The cases, each a usage error now.
        for line in [
            "watch -t --count 2 -K",
            "watch -t --count 3 -K dport = :8080",
            "watch -t -E",
            "watch -t -s",
            "-s -K",
            "-K -s",
        ] {
            assert!(fail(line).contains("are two modes"), "{line}");
        }
    }

    fn long_of(short: &str) -> Option<String> {
        let c = short.strip_prefix('-')?.chars().next()?;
        let o = OPTIONS.iter().find(|o| o.short == Some(c))?;
        Some(format!("--{}", o.long.first()?))
    }

    /// A value for an option of the table, for the command lines below.
    fn sample(o: &Opt) -> &'static str {
        match o.key {
            Key::Query => "tcp",
            Key::Family => "inet",
            Key::State | Key::Exclude => "established",
            Key::Filter => "sport = :1",
            Key::Interval => "10ms",
            Key::Count | Key::Threads => "1",
            Key::Track => "total_retrans",
            _ => "x",
        }
    }

    #[test]
    fn every_option_outside_its_modes_is_an_error() {
        let mut checked = 0;
        for o in OPTIONS {
            if matches!(o.key, Key::Help | Key::Version) || o.word == Some("watch") {
                continue;
            }
            let spelled = match (o.short, o.long.first(), o.word) {
                (Some(c), _, _) => format!("-{c}"),
                (None, Some(l), _) => format!("--{l}"),
                (None, None, Some(w)) => w.to_owned(),
                (None, None, None) => String::new(),
            };
            let value = if o.value.is_some() { sample(o) } else { "" };
            for (mode, words) in MODES {
                // The mode's own option is not "outside" it.
                if o.section == Section::Modes {
                    continue;
                }
                let line = format!("{words} -t {spelled} {value}");
                let r = parse(line.split_whitespace().map(str::to_owned));
                if o.modes.contains(mode.bit()) {
                    // Means something here: accepted, or refused for a
                    // reason that is not the mode.
                    if let Err(Usage(m)) = r {
                        assert!(!m.contains("means nothing"), "{line}: {m}");
                    }
                    continue;
                }
                checked += 1;
                let Err(Usage(m)) = r else {
                    panic!("accepted {line}")
                };
                let here = if words.is_empty() {
                    "in a listing".to_owned()
                } else {
                    format!("with {words}")
                };
                let name = if o.key == Key::Filter {
                    "FILTER"
                } else {
                    &spelled
                };
                assert!(
                    m.starts_with(&format!("{name} means nothing {here}: it is an option of")),
                    "{line}: {m}"
                );
            }
        }
        assert!(checked >= 30, "{checked}");
        // The cases.
        assert!(fail("-t --interval 10ms").starts_with("--interval means nothing in a listing"));
        assert!(fail("-K -t --count 1").starts_with("--count means nothing with -K"));
        assert!(fail("-s --interval 1s").contains("it is an option of watch"));
    }

    #[test]
    fn kill_selects_only_what_the_kernel_can_destroy() {
        // No table named: the destroyable ones of ss's default.
        let o = run("-K");
        assert_eq!(
            o.tables,
            [
                Table::Inet(Protocol::Raw),
                Table::Inet(Protocol::Udp),
                Table::Inet(Protocol::Tcp)
            ]
        );
        assert_eq!(o.states, None);
        for line in [
            "-K -x",
            "-K -A unix_seqpacket",
            "-K -0",
            "-K --netlink",
            "-K -M",
            "-K -d",
            "-K -f unix",
            "-K -t -x",
            "-K -A all",
        ] {
            let m = fail(line);
            assert!(m.starts_with("-K cannot destroy "), "{line}: {m}");
            assert!(
                m.contains("SOCK_DESTROY for TCP, UDP, UDP-Lite, RAW and SCTP"),
                "{m}"
            );
        }
        assert!(fail("-K -x").contains("unix sockets (-x selects them)"));
        assert!(fail("-K -A unix_seqpacket").contains("(-A selects them)"));
        for line in ["-K -t", "-K -u", "-K -w", "-K -S", "-K -A udplite", "-Ktu"] {
            assert_eq!(run(line).mode, Mode::Kill, "{line}");
        }
        // Events default to what the kernel announces.
        assert_eq!(
            run("-E").tables,
            [Table::Inet(Protocol::Udp), Table::Inet(Protocol::Tcp)]
        );
    }

    #[test]
    fn two_formats_are_an_error() {
        assert!(fail("-t --json --prom").contains("--json and --prom are two output formats"));
        assert_eq!(run("-t -j --json").format, Format::Json);
    }
}
