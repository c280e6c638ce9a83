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

use sockdiag::inet::filter::{AddressKind, Filter};
use sockdiag::inet::{Protocol, States, TcpField};

pub use crate::options::Mode;
use crate::options::{Key, Opt, FILTER, OPTIONS};
use crate::reference::help;

/// A table `ss` would list: one dump (or, for unix and packet sockets, a
/// part of one).
/// How a listing or watch of every TCP socket uses threads (`--workers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    /// `auto`, the default: chosen by measurement on this machine (see
    /// [`crate::list::listing_workers`] and the watch's probe).
    Auto,
    /// `1`: receive and format in turn on one thread.
    One,
    /// `2`: one dump, received on a second thread while this one formats
    /// (the kernel's walk and our work overlap).
    Pipelined,
    /// `halves`: two dumps at once, each of half the sockets, on two
    /// threads and two sockets.
    Halves,
}

impl Workers {
    /// The name `--workers` takes.
    pub fn name(self) -> &'static str {
        match self {
            Workers::Auto => "auto",
            Workers::One => "1",
            Workers::Pipelined => "2",
            Workers::Halves => "halves",
        }
    }
}

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
    /// vsock sockets.
    Vsock,
    /// AF_XDP sockets.
    Xdp,
    /// SMC sockets.
    Smc,
    /// TIPC sockets.
    Tipc,
}

impl Table {
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
            Table::Vsock => "vsock sockets".to_owned(),
            Table::Xdp => "XDP sockets".to_owned(),
            Table::Smc => "SMC sockets".to_owned(),
            Table::Tipc => "TIPC sockets".to_owned(),
        }
    }
}

bitflags::bitflags! {
    /// `ss`'s socket tables (its `*_DB`), plus UDP-Lite.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Dbs: u32 {
        const TCP = 1;
        const MPTCP = 1 << 1;
        const DCCP = 1 << 2;
        const UDP = 1 << 3;
        const UDPLITE = 1 << 4;
        const RAW = 1 << 5;
        const UNIX_DG = 1 << 6;
        const UNIX_ST = 1 << 7;
        const UNIX_SQ = 1 << 8;
        const PACKET_DG = 1 << 9;
        const PACKET_R = 1 << 10;
        const NETLINK = 1 << 11;
        const SCTP = 1 << 12;
        const VSOCK_ST = 1 << 13;
        const VSOCK_DG = 1 << 14;
        const TIPC = 1 << 15;
        const XDP = 1 << 16;
        /// SMC: `-A smc` only (ss has no SMC table; not in `all`).
        const SMC = 1 << 17;
        const UNIX = Self::UNIX_DG.bits() | Self::UNIX_ST.bits() | Self::UNIX_SQ.bits();
        const PACKET = Self::PACKET_DG.bits() | Self::PACKET_R.bits();
        const VSOCK = Self::VSOCK_ST.bits() | Self::VSOCK_DG.bits();
        /// `ss -A inet`.
        const INET = Self::UDP.bits() | Self::DCCP.bits() | Self::TCP.bits()
            | Self::MPTCP.bits() | Self::SCTP.bits() | Self::RAW.bits();
        /// `ss -A all` and the default: every table but TIPC (and
        /// UDP-Lite, which ss does not have).
        const ALL = Self::INET.bits() | Self::UNIX.bits() | Self::PACKET.bits()
            | Self::NETLINK.bits() | Self::VSOCK.bits() | Self::XDP.bits();
    }

    /// `ss`'s families (its `FAMILY_MASK`s).
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Fams: u16 {
        const INET = 1;
        const INET6 = 1 << 1;
        const UNIX = 1 << 2;
        const PACKET = 1 << 3;
        const NETLINK = 1 << 4;
        const VSOCK = 1 << 5;
        const TIPC = 1 << 6;
        const XDP = 1 << 7;
        const SMC = 1 << 8;
    }
}

/// `ss`'s `SS_CONN`: every state but LISTEN, CLOSE, TIME-WAIT and
/// SYN-RECV.
pub const SS_CONN: States = States::DEFAULT
    .difference(States::LISTEN)
    .difference(States::CLOSE)
    .difference(States::TIME_WAIT)
    .difference(States::SYN_RECV)
    .difference(States::NEW_SYN_RECV);

impl Dbs {
    /// `ss`'s `default_dbs[db].states`: what selecting the table adds.
    fn default_states(self) -> States {
        if self.intersects(Dbs::UDP | Dbs::UDPLITE | Dbs::RAW) {
            States::ESTABLISHED
        } else if self.intersects(Dbs::UNIX_DG | Dbs::PACKET | Dbs::NETLINK | Dbs::XDP) {
            States::CLOSE
        } else if self.contains(Dbs::TIPC) {
            States::ESTABLISHED | States::LISTEN | States::CLOSE
        } else {
            SS_CONN
        }
    }

    /// `ss`'s `default_dbs[db].families`.
    fn families(self) -> Fams {
        if self.intersects(Dbs::UNIX) {
            Fams::UNIX
        } else if self.intersects(Dbs::PACKET) {
            Fams::PACKET
        } else if self.contains(Dbs::NETLINK) {
            Fams::NETLINK
        } else if self.intersects(Dbs::VSOCK) {
            Fams::VSOCK
        } else if self.contains(Dbs::TIPC) {
            Fams::TIPC
        } else if self.contains(Dbs::XDP) {
            Fams::XDP
        } else if self.contains(Dbs::SMC) {
            Fams::SMC
        } else {
            Fams::INET | Fams::INET6
        }
    }

    /// The tables of `ss -A WORD`.
    fn of_word(word: &str) -> Option<Dbs> {
        Some(match word {
            "all" => Dbs::ALL,
            "inet" => Dbs::INET,
            "udp" => Dbs::UDP,
            "udplite" => Dbs::UDPLITE,
            "dccp" => Dbs::DCCP,
            "tcp" => Dbs::TCP,
            "mptcp" => Dbs::MPTCP,
            "sctp" => Dbs::SCTP,
            "raw" => Dbs::RAW,
            "unix" => Dbs::UNIX,
            "unix_stream" | "u_str" => Dbs::UNIX_ST,
            "unix_dgram" | "u_dgr" => Dbs::UNIX_DG,
            "unix_seqpacket" | "u_seq" => Dbs::UNIX_SQ,
            "packet" => Dbs::PACKET,
            "packet_raw" | "p_raw" => Dbs::PACKET_R,
            "packet_dgram" | "p_dgr" => Dbs::PACKET_DG,
            "netlink" => Dbs::NETLINK,
            "tipc" => Dbs::TIPC,
            "vsock" => Dbs::VSOCK,
            "vsock_stream" | "v_str" => Dbs::VSOCK_ST,
            "vsock_dgram" | "v_dgr" => Dbs::VSOCK_DG,
            "xdp" => Dbs::XDP,
            "smc" => Dbs::SMC,
            _ => return None,
        })
    }
}

impl Fams {
    /// `ss`'s `default_afs[af]`: the states and tables a family brings.
    fn defaults(self) -> (States, Dbs) {
        if self.intersects(Fams::INET | Fams::INET6) {
            (SS_CONN, Dbs::INET)
        } else if self.contains(Fams::UNIX) {
            (SS_CONN, Dbs::UNIX)
        } else if self.contains(Fams::PACKET) {
            (States::CLOSE, Dbs::PACKET)
        } else if self.contains(Fams::NETLINK) {
            (States::CLOSE, Dbs::NETLINK)
        } else if self.contains(Fams::VSOCK) {
            (SS_CONN, Dbs::VSOCK)
        } else if self.contains(Fams::TIPC) {
            (
                States::ESTABLISHED | States::LISTEN | States::CLOSE,
                Dbs::TIPC,
            )
        } else if self.contains(Fams::SMC) {
            (SS_CONN, Dbs::SMC)
        } else {
            (States::CLOSE, Dbs::XDP)
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
    /// `-e`: uid, inode, cookie, mark, cgroup (and, as in `ss`, timers).
    pub ext: bool,
    /// `-o` (and `-e`, `-b`): timers, and with `-i` the TCP options.
    pub timers: bool,
    /// `-p`: processes.
    pub procs: bool,
    /// `-T`: processes, one entry per thread.
    pub threads: bool,
    /// `--tos`: TOS, traffic class, class id.
    pub tos: bool,
    /// `--cgroup`: the cgroup's path.
    pub cgroup: bool,
    /// `--inet-sockopt`: inet socket options.
    pub sockopt: bool,
    /// `-b`: packet sockets' BPF filters.
    pub bpf: bool,
    /// `-n`: no service names.
    pub numeric: bool,
    /// `-r`: host names from `/etc/hosts`.
    pub resolve: bool,
    /// `-O`: each socket on one line.
    pub oneline: bool,
    /// `--tipcinfo`: TIPC sockets' type, congestion, drops and services.
    pub tipcinfo: bool,
}

/// Parsed command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// Tables to list, in `ss`'s order.
    pub tables: Vec<Table>,
    /// Whether the user chose the tables (not `ss`'s default).
    pub explicit_tables: bool,
    /// The tables the user named one by one (`-t`, `-x`, `-A sctp`,
    /// `--vsock`; not `-A all`, `-A inet` or `-4`): one of them that
    /// cannot be listed is an error, any other a note on standard error.
    pub named: Vec<Table>,
    /// Unix socket types to keep (`-A unix_dgram`, ...): `SOCK_*` bits.
    pub unix_types: u8,
    /// vsock socket types to drop (`-A vsock_stream` drops datagram
    /// ones, as ss's `vsock_type_skip`): `SOCK_*` bits.
    pub vsock_skip: u8,
    /// IPv4 and IPv6.
    pub v4: bool,
    /// See `v4`.
    pub v6: bool,
    /// The states the user chose (`-a`, `-l`, `state`, `exclude`).
    pub states: Option<States>,
    /// The states `ss` would list: one set for every table, from the
    /// tables' defaults unless the user chose.
    pub list_states: States,
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
    /// `ss` shows the Netid column (more than one table).
    pub netid_column: bool,
    /// `ss` shows the State column (more than one state).
    pub state_column: bool,
    /// `--ss-layout`: buffer the table and size it as `ss` does.
    pub ss_layout: bool,
    /// What to do.
    pub mode: Mode,
    /// `-s` with nothing selected: the kernel's counters, as `ss -s`.
    pub kernel_summary: bool,
    /// `--capture FILE`.
    pub capture: Option<PathBuf>,
    /// `-D FILE`: the raw TCP dump to FILE (`-` standard output), nothing
    /// else.
    pub diag: Option<PathBuf>,
    /// `--replay FILE`.
    pub replay: Option<PathBuf>,
    /// `--interval` of watch mode.
    pub interval: Duration,
    /// `--count`: polls (watch) or events (-E) before exiting.
    pub count: Option<u64>,
    /// `--track`: tcp_info counters watch mode reports.
    pub track: Vec<TcpField>,
    /// `--workers`: how a listing or watch of every TCP socket uses
    /// threads.
    pub workers: Workers,
    /// `-Z`/`-z`: SELinux contexts, asked for.
    pub selinux: Option<String>,
    /// The exporter's options.
    pub exporter: ExporterOptions,
}

/// The options of `sockdiag exporter`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExporterOptions {
    /// `--listen`: where `/metrics` is served.
    pub listen: std::net::SocketAddr,
    /// `--all-netns`: every network namespace of the host.
    pub all_netns: bool,
    /// `--ports`: ports whose connections are counted (either end).
    pub ports: Vec<u16>,
    /// `--max-series`: series per metric at most.
    pub max_series: usize,
    /// `--record`: the change log's directory.
    pub record: Option<PathBuf>,
    /// `--record-size`: bytes per file of the change log.
    pub record_size: u64,
    /// `--record-age`: time per file of the change log.
    pub record_age: Duration,
    /// `--record-gzip`: closed files gzipped.
    pub record_gzip: bool,
    /// `--label`: the optional labels.
    pub labels: ExporterLabels,
}

/// The exporter's optional labels (`--label`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExporterLabels {
    /// `process`: the command holding the socket.
    pub process: bool,
    /// `cgroup`: the socket's cgroup path.
    pub cgroup: bool,
    /// `remote=V4/V6`: the peer's network, by these prefix lengths.
    pub remote: Option<(u8, u8)>,
}

/// The exporter's port: Prometheus's list of exporter ports (9100-9999)
/// is full, so one past it that nothing common uses.
pub const EXPORTER_PORT: u16 = 10116;

impl Default for ExporterOptions {
    fn default() -> Self {
        ExporterOptions {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], EXPORTER_PORT)),
            all_netns: false,
            ports: Vec::new(),
            max_series: 10_000,
            record: None,
            record_size: 64 << 20,
            record_age: Duration::from_secs(3600),
            record_gzip: false,
            labels: ExporterLabels::default(),
        }
    }
}

impl Options {
    /// The states listed for `table`.
    pub fn states_for(&self, _table: Table) -> States {
        match (self.states, self.mode) {
            (Some(s), _) => s,
            // Counting, watching and event streams see every state.
            (None, Mode::Summary | Mode::Watch | Mode::Events | Mode::Exporter) => States::DEFAULT,
            (None, _) => self.list_states,
        }
    }

    /// `ss` prints the Netid column when more than one table is listed.
    pub fn netid_column(&self) -> bool {
        self.netid_column
    }

    /// `ss` prints the State column unless exactly one state is selected.
    pub fn state_column(&self) -> bool {
        self.state_column
    }
}

/// The `ss` tables and the family (for families named as a whole) of
/// table `t`.
fn table_bits(t: Table) -> (Dbs, Fams) {
    match t {
        Table::Inet(Protocol::Tcp) => (Dbs::TCP, Fams::empty()),
        Table::Inet(Protocol::Udp) => (Dbs::UDP, Fams::empty()),
        Table::Inet(Protocol::UdpLite) => (Dbs::UDPLITE, Fams::empty()),
        Table::Inet(Protocol::Raw) => (Dbs::RAW, Fams::empty()),
        Table::Inet(Protocol::Sctp) => (Dbs::SCTP, Fams::empty()),
        Table::Inet(Protocol::Dccp) => (Dbs::DCCP, Fams::empty()),
        Table::Inet(_) => (Dbs::MPTCP, Fams::empty()),
        Table::Unix => (Dbs::UNIX, Fams::UNIX),
        Table::Packet => (Dbs::PACKET, Fams::PACKET),
        Table::Netlink => (Dbs::NETLINK, Fams::NETLINK),
        Table::Vsock => (Dbs::VSOCK, Fams::VSOCK),
        Table::Tipc => (Dbs::TIPC, Fams::TIPC),
        Table::Xdp => (Dbs::XDP, Fams::XDP),
        Table::Smc => (Dbs::SMC, Fams::SMC),
    }
}

/// A command-line error: the message, printed after `sockdiag: `.
#[derive(Debug)]
pub struct Usage(pub String);

/// `ss`'s state names and groups (`scan_state`).
fn state_word(word: &str) -> Option<States> {
    let syn_recv = States::SYN_RECV | States::NEW_SYN_RECV;
    Some(match word.to_ascii_lowercase().as_str() {
        "all" => States::DEFAULT,
        "connected" => States::DEFAULT - States::LISTEN - States::CLOSE,
        "synchronized" => States::DEFAULT - States::LISTEN - States::CLOSE - States::SYN_SENT,
        "bucket" => syn_recv | States::TIME_WAIT,
        "big" => States::DEFAULT - syn_recv - States::TIME_WAIT,
        "established" => States::ESTABLISHED,
        "syn-sent" => States::SYN_SENT,
        "syn-recv" | "syn-rcv" => syn_recv,
        "fin-wait-1" => States::FIN_WAIT1,
        "fin-wait-2" => States::FIN_WAIT2,
        "time-wait" => States::TIME_WAIT,
        "closed" | "close" | "unconnected" => States::CLOSE,
        "close-wait" => States::CLOSE_WAIT,
        "last-ack" => States::LAST_ACK,
        "listening" | "listen" => States::LISTEN,
        "closing" => States::CLOSING,
        "bound-inactive" => States::BOUND_INACTIVE,
        "conn" => SS_CONN,
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
        "h" => n * 3600.0,
        _ => return None,
    };
    (secs.is_finite() && secs > 0.0 && secs < 1e9).then(|| Duration::from_secs_f64(secs))
}

/// A size: bytes, or a number with `K`, `M` or `G` (powers of 1024).
fn size(text: &str) -> Option<u64> {
    let (num, shift) = [('K', 10), ('M', 20), ('G', 30)]
        .iter()
        .find_map(|&(unit, shift)| {
            text.strip_suffix([unit, unit.to_ascii_lowercase()])
                .map(|n| (n, shift))
        })
        .unwrap_or((text, 0));
    let n: u64 = num.parse().ok()?;
    n.checked_mul(1 << shift).filter(|&b| b > 0)
}

/// What `--help` or `--version` asks for, or options to run with.
pub enum Parsed {
    /// Print this and exit successfully.
    Print(String),
    /// Run.
    Run(Box<Options>),
}

/// The command line as it is read, `ss`'s way: the tables, families and
/// states each option adds, before the checks that need all of it.
struct Builder {
    o: Options,
    /// `ss`'s `current_filter.dbs`.
    dbs: Dbs,
    /// `current_filter.families`.
    fams: Fams,
    /// `current_filter.states`: what the tables and families add.
    states: States,
    /// `state_filter`: `-a`, `-l`, or `-A`'s default.
    state_filter: Option<States>,
    /// The `state`/`exclude` words, applied in order.
    word_states: Option<States>,
    /// No table or family option was given.
    do_default: bool,
    /// A `-A` was seen (the first one clears the tables).
    saw_query: bool,
    /// Tables and families named one by one.
    named_dbs: Dbs,
    named_fams: Fams,
    /// The last family option (`-4`, `-6`, `-x`, `-0`, `-f`): how a bare
    /// filter address reads.
    preferred: Option<Fams>,
    filter_words: Vec<String>,
    /// `-F FILE`'s text.
    filter_file: Option<String>,
    /// Each table bit and the option that first selected it.
    origin: Vec<(Dbs, String)>,
    /// Every option given, as spelled, with its table entry.
    used: Vec<(&'static Opt, String)>,
    /// The mode options given (`-K`, `-s`, ...), as spelled.
    modes: Vec<(Mode, String)>,
    /// The output format options given, as spelled.
    formats: Vec<(Format, String)>,
    /// `--interval` was given (each mode has its own default).
    interval_given: bool,
}

impl Builder {
    fn new() -> Self {
        Builder {
            o: Options {
                tables: Vec::new(),
                explicit_tables: false,
                named: Vec::new(),
                unix_types: 0,
                vsock_skip: 0,
                v4: false,
                v6: false,
                states: None,
                list_states: SS_CONN,
                filter: None,
                netns: None,
                show: Show::default(),
                format: Format::Table,
                header: true,
                netid_column: true,
                state_column: true,
                ss_layout: false,
                mode: Mode::List,
                kernel_summary: false,
                capture: None,
                diag: None,
                replay: None,
                interval: Duration::from_secs(1),
                count: None,
                track: Vec::new(),
                workers: Workers::Auto,
                selinux: None,
                exporter: ExporterOptions::default(),
            },
            interval_given: false,
            dbs: Dbs::empty(),
            fams: Fams::empty(),
            states: States::empty(),
            state_filter: None,
            word_states: None,
            do_default: true,
            saw_query: false,
            named_dbs: Dbs::empty(),
            named_fams: Fams::empty(),
            preferred: None,
            filter_words: Vec::new(),
            filter_file: None,
            origin: Vec::new(),
            used: Vec::new(),
            modes: Vec::new(),
            formats: Vec::new(),
        }
    }

    /// `ss`'s `filter_db_set`.
    fn db(&mut self, db: Dbs, enable: bool, by: &str) {
        if enable && db != Dbs::ALL && db != Dbs::INET {
            self.named_dbs |= db;
        }
        if enable {
            for bit in db.iter() {
                self.states |= bit.default_states();
                if !self.dbs.contains(bit) {
                    self.origin.push((bit, by.to_owned()));
                }
            }
            self.dbs |= db;
        } else {
            self.dbs -= db;
        }
        self.do_default = false;
    }

    /// `ss`'s `filter_af_set` (`by`: the option as spelled).
    fn family(&mut self, af: Fams, by: &str) {
        if !af.intersects(Fams::INET | Fams::INET6) {
            self.named_fams |= af;
        }
        self.origin.push((af.defaults().1, by.to_owned()));
        self.states |= af.defaults().0;
        self.fams |= af;
        self.do_default = false;
        self.preferred = Some(af);
    }

    /// `-A LIST` (`by`: the option as spelled).
    fn query(&mut self, list: &str, by: &str) -> Result<(), Usage> {
        if !self.saw_query {
            self.dbs = Dbs::empty();
            self.state_filter = Some(self.state_filter.unwrap_or(SS_CONN));
            self.saw_query = true;
            self.do_default = false;
        }
        for word in list.split(',') {
            let (enable, name) = match word.strip_prefix('!') {
                Some(rest) => (false, rest),
                None => (true, word),
            };
            let db = Dbs::of_word(name).ok_or_else(|| {
                Usage(format!(
                    "unknown socket table '{word}' for {by} (all, inet, tcp, udp, udplite, raw, sctp, mptcp, dccp, unix, unix_stream, unix_dgram, unix_seqpacket, packet, packet_raw, packet_dgram, netlink, vsock, vsock_stream, vsock_dgram, tipc, xdp, smc; !NAME removes one)"
                ))
            })?;
            self.db(db, enable, by);
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
        let show = &mut self.o.show;
        match opt.key {
            Key::Help => return Ok(Some(help())),
            Key::Version => return Ok(Some(format!("sockdiag {}\n", env!("CARGO_PKG_VERSION")))),
            Key::Tcp => self.db(Dbs::TCP, true, by),
            Key::Udp => self.db(Dbs::UDP, true, by),
            Key::Raw => self.db(Dbs::RAW, true, by),
            Key::Sctp => self.db(Dbs::SCTP, true, by),
            Key::Mptcp => self.db(Dbs::MPTCP, true, by),
            Key::Dccp => self.db(Dbs::DCCP, true, by),
            Key::Netlink => self.family(Fams::NETLINK, by),
            Key::Unix => self.family(Fams::UNIX, by),
            Key::Packet => self.family(Fams::PACKET, by),
            Key::Vsock => self.family(Fams::VSOCK, by),
            Key::Tipc => self.family(Fams::TIPC, by),
            Key::Xdp => self.family(Fams::XDP, by),
            Key::Ipv4 => self.family(Fams::INET, by),
            Key::Ipv6 => self.family(Fams::INET6, by),
            Key::Query => self.query(&value, by)?,
            Key::Family => match value.as_str() {
                "inet" => self.family(Fams::INET, by),
                "inet6" => self.family(Fams::INET6, by),
                "link" | "packet" => self.family(Fams::PACKET, by),
                "unix" => self.family(Fams::UNIX, by),
                "netlink" => self.family(Fams::NETLINK, by),
                "tipc" => self.family(Fams::TIPC, by),
                "vsock" => self.family(Fams::VSOCK, by),
                "xdp" => self.family(Fams::XDP, by),
                "help" => return Ok(Some(help())),
                other => {
                    return Err(Usage(format!(
                        "unknown family '{other}' for -f (inet, inet6, link, unix, netlink, vsock, tipc, xdp)"
                    )))
                }
            },
            Key::All => self.state_filter = Some(States::DEFAULT),
            Key::Listening => self.state_filter = Some(States::LISTEN | States::CLOSE),
            Key::Numeric => show.numeric = true,
            Key::Resolve => show.resolve = true,
            Key::NoHeader => self.o.header = false,
            Key::Info => show.info = true,
            Key::Memory => show.mem = true,
            Key::Extended => {
                show.ext = true;
                show.timers = true;
            }
            Key::Options => show.timers = true,
            Key::Processes => show.procs = true,
            Key::Threads => show.threads = true,
            Key::Bpf => {
                show.bpf = true;
                show.timers = true;
            }
            Key::Tos => show.tos = true,
            Key::Cgroup => show.cgroup = true,
            Key::InetSockopt => show.sockopt = true,
            Key::Oneline => show.oneline = true,
            Key::Context | Key::Contexts => self.o.selinux = Some(by.to_owned()),
            Key::TipcInfo => show.tipcinfo = true,
            Key::SsLayout => self.o.ss_layout = true,
            Key::Kill => self.modes.push((Mode::Kill, by.to_owned())),
            Key::Events => self.modes.push((Mode::Events, by.to_owned())),
            Key::Summary => self.modes.push((Mode::Summary, by.to_owned())),
            Key::Watch => self.modes.push((Mode::Watch, by.to_owned())),
            Key::Exporter => self.modes.push((Mode::Exporter, by.to_owned())),
            Key::Listen => {
                self.o.exporter.listen = value.parse().map_err(|_| {
                    Usage(format!(
                        "bad --listen '{value}' (an address and port: 127.0.0.1:{EXPORTER_PORT}, [::]:{EXPORTER_PORT})"
                    ))
                })?;
            }
            Key::AllNetns => self.o.exporter.all_netns = true,
            Key::Record => self.o.exporter.record = Some(PathBuf::from(value)),
            Key::RecordGzip => self.o.exporter.record_gzip = true,
            Key::Label => {
                let labels = &mut self.o.exporter.labels;
                for item in value.split(',') {
                    let bad = || {
                        Usage(format!(
                            "bad label '{item}' for --label (process, cgroup, remote or remote=V4LEN/V6LEN, e.g. remote=24/64)"
                        ))
                    };
                    match item.split_once('=') {
                        None if item == "process" => labels.process = true,
                        None if item == "cgroup" => labels.cgroup = true,
                        None if item == "remote" => labels.remote = Some((24, 64)),
                        Some(("remote", lens)) => {
                            let (v4, v6) = lens.split_once('/').unwrap_or((lens, "64"));
                            let v4 = v4.parse::<u8>().ok().filter(|&n| n <= 32).ok_or_else(bad)?;
                            let v6 = v6.parse::<u8>().ok().filter(|&n| n <= 128).ok_or_else(bad)?;
                            labels.remote = Some((v4, v6));
                        }
                        _ => return Err(bad()),
                    }
                }
            }
            Key::RecordSize => {
                self.o.exporter.record_size = size(&value).ok_or_else(|| {
                    Usage(format!(
                        "bad --record-size '{value}' (bytes, or a number with K, M or G: 64M)"
                    ))
                })?;
            }
            Key::RecordAge => {
                self.o.exporter.record_age = duration(&value).ok_or_else(|| {
                    Usage(format!(
                        "bad --record-age '{value}' (a positive number with unit s, m or h: 10m)"
                    ))
                })?;
            }
            Key::Ports => {
                for p in value.split(',') {
                    let port = p.trim().parse::<u16>().ok().filter(|&p| p != 0);
                    let port = port.ok_or_else(|| {
                        Usage(format!("bad port '{p}' in --ports (1 to 65535, e.g. 443,5432)"))
                    })?;
                    if !self.o.exporter.ports.contains(&port) {
                        self.o.exporter.ports.push(port);
                    }
                }
            }
            Key::MaxSeries => {
                self.o.exporter.max_series = value
                    .parse()
                    .ok()
                    .filter(|&n| n > 0)
                    .ok_or_else(|| Usage(format!("bad --max-series '{value}' (a whole number above 0)")))?;
            }
            Key::Json => self.formats.push((Format::Json, by.to_owned())),
            Key::Prom => self.formats.push((Format::Prom, by.to_owned())),
            Key::Net => self.o.netns = Some(value),
            Key::Capture => self.o.capture = Some(value.into()),
            Key::Diag => self.o.diag = Some(value.into()),
            Key::Replay => self.o.replay = Some(value.into()),
            Key::FilterFile => {
                if self.filter_file.is_some() {
                    return Err(Usage("more than one filter file (-F)".to_owned()));
                }
                let text = if value == "-" {
                    std::io::read_to_string(std::io::stdin())
                } else {
                    std::fs::read_to_string(&value)
                }
                .map_err(|e| Usage(format!("-F {value}: {e}")))?;
                // Lines starting with `#` are comments, as in ss.
                let text: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with('#'))
                    .collect();
                self.filter_file = Some(text.join(" "));
            }
            Key::Interval => {
                self.interval_given = true;
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
            Key::Workers => {
                self.o.workers = match value.as_str() {
                    "auto" => Workers::Auto,
                    "1" => Workers::One,
                    "2" => Workers::Pipelined,
                    "halves" => Workers::Halves,
                    _ => return Err(Usage(format!("bad {by} '{value}' (auto, 1, 2 or halves)"))),
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
                // ss: the first word starts from nothing (`state`) or from
                // everything (`exclude`); the others add or remove.
                self.word_states = Some(if opt.key == Key::State {
                    self.word_states.unwrap_or(States::empty()) | s
                } else {
                    self.word_states.unwrap_or(States::DEFAULT) - s
                });
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
        let (bits, _) = table_bits(t);
        self.origin
            .iter()
            .find(|(d, _)| d.intersects(bits))
            .map_or("the selection", |(_, by)| by.as_str())
    }

    /// `ss`'s selection at the end of its option parsing: the default
    /// tables, the one state set, each table's family and each family's
    /// tables (`filter_merge_defaults`).
    fn select(&mut self) {
        let mut states = self.states;
        if let Some(f) = self.state_filter {
            states = f;
        }
        if let Some(w) = self.word_states {
            states = w;
        }
        if self.do_default {
            if self.word_states.is_none() && self.state_filter.is_none() {
                states = SS_CONN;
            }
            self.dbs = Dbs::ALL;
        }
        for db in self.dbs.iter() {
            if !db.families().intersects(self.fams) {
                self.fams |= db.families();
            }
        }
        for af in self.fams.iter() {
            let (_, dbs) = af.defaults();
            // UDP-Lite (not in ss) is an inet table too.
            let of_family = if dbs == Dbs::INET {
                dbs | Dbs::UDPLITE
            } else {
                dbs
            };
            if !of_family.intersects(self.dbs) {
                self.dbs |= dbs;
            }
        }
        self.o.list_states = states;
        let fams = self.fams;
        let dbs = self.dbs;
        let inet = fams.intersects(Fams::INET | Fams::INET6);
        let mut tables = Vec::new();
        for (db, table) in [
            (Dbs::NETLINK, Table::Netlink),
            (Dbs::PACKET, Table::Packet),
            (Dbs::UNIX, Table::Unix),
        ] {
            let fam = match table {
                Table::Netlink => Fams::NETLINK,
                Table::Packet => Fams::PACKET,
                _ => Fams::UNIX,
            };
            if dbs.intersects(db) && fams.contains(fam) {
                tables.push(table);
            }
        }
        if inet {
            for (db, p) in [
                (Dbs::RAW, Protocol::Raw),
                (Dbs::UDP, Protocol::Udp),
                (Dbs::UDPLITE, Protocol::UdpLite),
                (Dbs::TCP, Protocol::Tcp),
                (Dbs::DCCP, Protocol::Dccp),
                (Dbs::SCTP, Protocol::Sctp),
            ] {
                if dbs.contains(db) {
                    tables.push(Table::Inet(p));
                }
            }
        }
        if dbs.intersects(Dbs::VSOCK) && fams.contains(Fams::VSOCK) {
            tables.push(Table::Vsock);
        }
        if dbs.intersects(Dbs::TIPC) && fams.contains(Fams::TIPC) {
            tables.push(Table::Tipc);
        }
        if dbs.intersects(Dbs::XDP) && fams.contains(Fams::XDP) {
            tables.push(Table::Xdp);
        }
        if dbs.contains(Dbs::SMC) && fams.contains(Fams::SMC) {
            tables.push(Table::Smc);
        }
        if inet && dbs.contains(Dbs::MPTCP) {
            tables.push(Table::Inet(Protocol::Mptcp));
        }
        let bit = |d: Dbs, shift: u8| if dbs.intersects(d) { 1u8 << shift } else { 0 };
        let unbit = |d: Dbs, shift: u8| if dbs.intersects(d) { 0 } else { 1u8 << shift };
        self.o.vsock_skip = unbit(Dbs::VSOCK_ST, sockdiag::raw::SOCK_STREAM)
            | unbit(Dbs::VSOCK_DG, sockdiag::raw::SOCK_DGRAM);
        self.o.unix_types = bit(Dbs::UNIX_ST, sockdiag::raw::SOCK_STREAM)
            | bit(Dbs::UNIX_DG, sockdiag::raw::SOCK_DGRAM)
            | bit(Dbs::UNIX_SQ, sockdiag::raw::SOCK_SEQPACKET);
        // (ss lists every packet socket for either packet table: its
        // netlink path never checks the type. So does this.)
        self.o.v4 = fams.contains(Fams::INET);
        self.o.v6 = fams.contains(Fams::INET6);
        // ss's two column rules: one table, one state.
        self.o.netid_column = dbs.bits().count_ones() != 1;
        let shown = states - States::NEW_SYN_RECV - States::BOUND_INACTIVE;
        self.o.state_column = shown.bits().count_ones() != 1;
        self.o.named = tables
            .iter()
            .copied()
            .filter(|&t| {
                let (db, fam) = table_bits(t);
                self.named_dbs.intersects(db) || self.named_fams.intersects(fam)
            })
            .collect();
        self.o.tables = tables;
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
        let words = self.filter_words.len() + usize::from(self.filter_file.is_some());
        self.o.explicit_tables = !self.do_default;
        self.o.kernel_summary = mode == Mode::Summary
            && self.do_default
            && self.word_states.is_none()
            && words == 0
            && self.o.replay.is_none();
        if self.do_default {
            // ss's default is every table; the modes that handle only some
            // take those.
            match mode {
                Mode::Watch => self.dbs = Dbs::INET,
                Mode::Exporter => self.dbs = Dbs::TCP,
                Mode::Kill => self.dbs = Dbs::TCP | Dbs::UDP | Dbs::RAW,
                Mode::Events => self.dbs = Dbs::TCP | Dbs::UDP,
                Mode::List | Mode::Summary => {}
            }
            if mode != Mode::List && mode != Mode::Summary {
                self.do_default = false;
                if self.state_filter.is_none() && self.word_states.is_none() {
                    // The exporter counts every state.
                    self.state_filter = Some(if mode == Mode::Exporter {
                        States::DEFAULT
                    } else {
                        SS_CONN
                    });
                }
            }
        }
        if mode == Mode::Exporter && !self.interval_given {
            self.o.interval = Duration::from_secs(10);
        }
        let explicit_states = self.word_states.is_some()
            || self
                .used
                .iter()
                .any(|(o, _)| matches!(o.key, Key::All | Key::Listening));
        self.select();
        self.o.states = explicit_states.then_some(self.o.list_states);
        if mode == Mode::Kill {
            if let Some(&t) = self.o.tables.iter().find(|t| !t.destroyable()) {
                return Err(Usage(format!(
                    "-K cannot destroy {} ({} selects them): the kernel has SOCK_DESTROY for TCP, UDP, UDP-Lite, RAW and SCTP sockets only",
                    t.name(),
                    self.origin(t)
                )));
            }
        }
        if let Some(first) = self.filter_words.first() {
            if matches!(first.as_str(), "watch" | "exporter") {
                return Err(Usage(format!(
                    "'{first}' is a command: give it first (sockdiag {first} -t ...)"
                )));
            }
        }
        let mut text = self.filter_words.join(" ");
        if let Some(file) = &self.filter_file {
            if !text.is_empty() {
                text.push(' ');
            }
            text.push_str(file);
        }
        let o = &mut self.o;
        if !text.trim().is_empty() {
            let kind = if self.preferred == Some(Fams::UNIX) {
                AddressKind::Unix
            } else {
                AddressKind::Inet
            };
            let filter =
                Filter::parse_as(&text, kind).map_err(|e| Usage(format!("{e} in '{text}'")))?;
            if filter.has_unix_names() {
                // A unix name selects unix sockets only, as in ss.
                o.tables.retain(|t| *t == Table::Unix);
                if o.tables.is_empty() {
                    return Err(Usage(format!(
                        "'{text}' names unix sockets, and no unix table is selected (-x)"
                    )));
                }
            } else if o.tables.iter().any(|t| {
                matches!(
                    t,
                    Table::Packet
                        | Table::Netlink
                        | Table::Vsock
                        | Table::Xdp
                        | Table::Smc
                        | Table::Tipc
                )
            }) {
                if o.explicit_tables {
                    return Err(Usage(
                        "a filter expression applies to inet sockets and unix sockets; drop -0, --netlink, --vsock, --tipc, --xdp and -A smc".to_owned(),
                    ));
                }
                o.tables.retain(|t| {
                    !matches!(
                        t,
                        Table::Packet
                            | Table::Netlink
                            | Table::Vsock
                            | Table::Xdp
                            | Table::Smc
                            | Table::Tipc
                    )
                });
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
    if o.mode == Mode::Exporter {
        let more = crate::exporter::fields(o).len() - crate::exporter::COUNTED.len();
        if more > 1 {
            return Err(Usage(format!(
                "--track: the exporter tracks bytes_acked, bytes_received and total_retrans for its counters, and four counters at most: one more for --record, not {more}"
            )));
        }
    }
    if o.exporter.all_netns && o.netns.is_some() {
        return Err(Usage(
            "--all-netns scans every namespace and -N one: give one of them".to_owned(),
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
    fn the_new_families_are_tables_of_their_own() {
        assert_eq!(run("-A smc").tables, [Table::Smc]);
        assert!(!run("-A smc").netid_column);
        assert_eq!(run("--vsock").tables, [Table::Vsock]);
        assert_eq!(run("--xdp").tables, [Table::Xdp]);
        let all = run("-A all").tables;
        assert!(all.contains(&Table::Vsock) && all.contains(&Table::Xdp));
        assert!(
            !all.contains(&Table::Smc),
            "ss has no SMC table: not in all"
        );
        assert_eq!(
            run("-A vsock_stream").vsock_skip,
            1 << sockdiag::raw::SOCK_DGRAM
        );
        assert!(fail("-A smc sport = :22").contains("-A smc"));
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
        assert!(fail("-t sport = :-x").contains("at byte"));
        assert!(fail("-0 sport = :22").contains("inet sockets"));
        assert!(fail("-t --bogus").contains("unknown option '--bogus'"));
        assert!(fail("-t -N").contains("needs a value"));
        assert!(fail("-A bogus").contains("unknown socket table"));
        assert!(fail("watch --interval 0ms").contains("bad --interval"));
        assert_eq!(run("-t --workers 1").workers, Workers::One);
        assert_eq!(run("watch -t --workers=2").workers, Workers::Pipelined);
        assert_eq!(run("-t --workers halves").workers, Workers::Halves);
        assert_eq!(run("-t").workers, Workers::Auto);
        assert!(fail("-t --workers 3").contains("bad --workers '3' (auto, 1, 2 or halves)"));
        assert_eq!(
            run("watch --interval 1ms").interval,
            Duration::from_millis(1)
        );
        assert!(fail("-x -E").contains("-E"));
        assert!(fail("--replay f -K").contains("--replay"));
    }

    #[test]
    fn a_filter_expression_names_no_family_it_cannot_select() {
        for t in ["--tipc", "--vsock", "--xdp", "-A smc", "-0", "--netlink"] {
            let e = fail(&format!("{t} sport = :22"));
            assert!(
                e.contains("a filter expression applies to inet"),
                "{t}: {e}"
            );
        }
        // Unnamed (ss's default of every table), those tables are dropped.
        assert!(!run("sport = :22").tables.contains(&Table::Tipc));
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
    const MODES: [(Mode, &str); 6] = [
        (Mode::List, ""),
        (Mode::Summary, "-s"),
        (Mode::Kill, "-K"),
        (Mode::Events, "-E"),
        (Mode::Watch, "watch"),
        (Mode::Exporter, "exporter"),
    ];

    /// The modes asked for by a command line's first word.
    fn first_word(w: &str) -> bool {
        matches!(w, "watch" | "exporter")
    }

    #[test]
    fn every_pair_of_modes_is_an_error() {
        for (a, wa) in MODES.iter().skip(1) {
            for (b, wb) in MODES.iter().skip(1) {
                // `watch` and `exporter` are first words; the others go
                // anywhere.
                if first_word(wa) && first_word(wb) && a != b {
                    // The second is a filter word: an error of its own.
                    assert!(fail(&format!("{wa} -t {wb}")).contains("is a command"));
                    continue;
                }
                let (first, second) = if first_word(wb) { (wb, wa) } else { (wa, wb) };
                let line = format!("{first} -t {second}");
                if a == b {
                    // Twice the same mode is that mode (`watch` is a
                    // first word only: a second one would be a filter).
                    if !first_word(wa) {
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
            Key::Count | Key::Workers => "1",
            Key::Track => "total_retrans",
            Key::Listen => "127.0.0.1:1",
            Key::Ports => "443",
            Key::MaxSeries => "5",
            Key::RecordSize => "1K",
            Key::RecordAge => "1m",
            Key::Label => "process",
            _ => "x",
        }
    }

    #[test]
    fn every_option_outside_its_modes_is_an_error() {
        let mut checked = 0;
        for o in OPTIONS {
            if matches!(o.key, Key::Help | Key::Version) || o.word.is_some_and(first_word) {
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
