//! The one table of the command line's options ([`OPTIONS`]): what each
//! is called, whether it takes a value, the modes where it means
//! something, and its text. Parsing (`args`), the mode checks, `--help`,
//! `docs/CLI.md` and the man page (`reference`) all read it.

use bitflags::bitflags;

/// What the run does: exactly one per invocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// List the selected sockets once (from the kernel or `--replay`).
    List,
    /// `-K`: destroy the selected sockets and list them.
    Kill,
    /// `-E`: stream destroy events.
    Events,
    /// `-s`: counts.
    Summary,
    /// `watch`: poll and print what changed.
    Watch,
    /// `exporter`: poll in the background and serve Prometheus metrics.
    Exporter,
}

bitflags! {
    /// The modes in which an option means something.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Modes: u8 {
        /// A listing.
        const LIST = 1;
        /// `-s`.
        const SUMMARY = 1 << 1;
        /// `-K`.
        const KILL = 1 << 2;
        /// `-E`.
        const EVENTS = 1 << 3;
        /// `watch`.
        const WATCH = 1 << 4;
        /// `exporter`.
        const EXPORTER = 1 << 5;
    }
}

impl Mode {
    pub const ALL: [Mode; 6] = [
        Mode::List,
        Mode::Summary,
        Mode::Kill,
        Mode::Events,
        Mode::Watch,
        Mode::Exporter,
    ];

    pub fn bit(self) -> Modes {
        match self {
            Mode::List => Modes::LIST,
            Mode::Summary => Modes::SUMMARY,
            Mode::Kill => Modes::KILL,
            Mode::Events => Modes::EVENTS,
            Mode::Watch => Modes::WATCH,
            Mode::Exporter => Modes::EXPORTER,
        }
    }

    /// The mode in messages: the option that selects it.
    pub fn label(self) -> &'static str {
        match self {
            Mode::List => "listings",
            Mode::Summary => "-s",
            Mode::Kill => "-K",
            Mode::Events => "-E",
            Mode::Watch => "watch",
            Mode::Exporter => "exporter",
        }
    }
}

/// What an option does; `args::Builder::apply` gives each its effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    Tcp,
    Udp,
    Raw,
    Unix,
    Sctp,
    Mptcp,
    Dccp,
    Packet,
    Netlink,
    Vsock,
    Tipc,
    Xdp,
    Query,
    Family,
    Ipv4,
    Ipv6,
    All,
    Listening,
    State,
    Exclude,
    Filter,
    Net,
    Numeric,
    Resolve,
    Info,
    Memory,
    Extended,
    Options,
    Processes,
    Threads,
    Bpf,
    Tos,
    Cgroup,
    InetSockopt,
    Oneline,
    Context,
    Contexts,
    TipcInfo,
    SsLayout,
    NoHeader,
    Json,
    Prom,
    Summary,
    Kill,
    Events,
    Watch,
    Exporter,
    Listen,
    AllNetns,
    Ports,
    MaxSeries,
    Record,
    RecordSize,
    RecordAge,
    RecordGzip,
    Label,
    Capture,
    Diag,
    FilterFile,
    Replay,
    Interval,
    Count,
    Track,
    Workers,
    Help,
    Version,
}

/// Where an option is listed in `--help`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    /// Which sockets.
    Select,
    /// What to show.
    Show,
    /// Output format.
    Output,
    /// The modes.
    Modes,
    /// Options of watch (and -E).
    Watch,
    /// Options of the exporter.
    Exporter,
    /// Speed.
    Speed,
    /// Help and version.
    Info,
}

/// One option of the command line.
#[derive(Debug)]
pub struct Opt {
    /// What it does.
    pub key: Key,
    /// `-t`.
    pub short: Option<char>,
    /// `--tcp`, then other long names it answers to.
    pub long: &'static [&'static str],
    /// A bare word (`state`, `watch`) instead of a dash option.
    pub word: Option<&'static str>,
    /// The name of its value, if it takes one.
    pub value: Option<&'static str>,
    /// The modes where it means something.
    pub modes: Modes,
    /// Where `--help` lists it.
    pub section: Section,
    /// What it does, for `--help` (lines of at most 32 characters).
    pub help: &'static str,
    /// An example invocation.
    pub example: &'static str,
}

/// Every mode.
const ANY: Modes = Modes::all();
/// Modes that print socket rows.
const ROWS: Modes = Modes::LIST
    .union(Modes::KILL)
    .union(Modes::EVENTS)
    .union(Modes::WATCH);

/// The defaults of an option of each section of `--help`.
const fn base(section: Section, modes: Modes) -> Opt {
    Opt {
        key: Key::Help,
        short: None,
        long: &[],
        word: None,
        value: None,
        modes,
        section,
        help: "",
        example: "",
    }
}
const SELECT: Opt = base(Section::Select, ANY);
const SHOW: Opt = base(Section::Show, ROWS);
const OUTPUT: Opt = base(Section::Output, ANY.difference(Modes::EXPORTER));
const MODE: Opt = base(Section::Modes, ANY);
const WATCH: Opt = base(Section::Watch, Modes::WATCH);
const EXPORTER: Opt = base(Section::Exporter, Modes::EXPORTER);
const SPEED: Opt = base(Section::Speed, ANY);
const INFO: Opt = base(Section::Info, ANY);

/// The words that are not options: the filter expression.
pub const FILTER: Opt = Opt {
    key: Key::Filter,
    value: Some("FILTER"),
    help: "ss's expression, compiled to\nkernel bytecode for inet\nsockets, matched here for unix:\nsport = :443 and dst 10.0.0.0/8,\ndport >= 1024, ! ( src [::1] ),\nsport = :ssh, dst localhost,\nsrc /run/*.sock (unix names),\ndev eth0, fwmark = 0x10/0xff,\ncgroup = /sys/fs/cgroup/x,\nautobound. AND AND OR ARE READ\nLEFT TO RIGHT, as in ss:\na or b and c = (a or b) and c",
    example: "sockdiag -tn 'sport = :22'",
    ..SELECT
};

/// Every option: parsing, the mode check and `--help` read this table.
pub static OPTIONS: &[Opt] = &[
    Opt {
        key: Key::Tcp,
        short: Some('t'),
        long: &["tcp"],
        help: "TCP",
        example: "sockdiag -t",
        ..SELECT
    },
    Opt {
        key: Key::Udp,
        short: Some('u'),
        long: &["udp"],
        help: "UDP",
        example: "sockdiag -u",
        ..SELECT
    },
    Opt {
        key: Key::Raw,
        short: Some('w'),
        long: &["raw"],
        help: "RAW (needs raw_diag)",
        example: "sockdiag -w",
        ..SELECT
    },
    Opt {
        key: Key::Unix,
        short: Some('x'),
        long: &["unix"],
        help: "unix",
        example: "sockdiag -x",
        ..SELECT
    },
    Opt {
        key: Key::Sctp,
        short: Some('S'),
        long: &["sctp"],
        help: "SCTP (needs sctp_diag)",
        example: "sockdiag -S",
        ..SELECT
    },
    Opt {
        key: Key::Mptcp,
        short: Some('M'),
        long: &["mptcp"],
        help: "MPTCP",
        example: "sockdiag -M",
        ..SELECT
    },
    Opt {
        key: Key::Dccp,
        short: Some('d'),
        long: &["dccp"],
        help: "DCCP (removed from Linux 6.16)",
        example: "sockdiag -d",
        ..SELECT
    },
    Opt {
        key: Key::Packet,
        short: Some('0'),
        long: &["packet"],
        help: "packet",
        example: "sockdiag -0",
        ..SELECT
    },
    Opt {
        key: Key::Netlink,
        long: &["netlink"],
        help: "netlink",
        example: "sockdiag --netlink",
        ..SELECT
    },
    Opt {
        key: Key::Vsock,
        long: &["vsock"],
        help: "vsock sockets (vsock_diag)",
        example: "sockdiag --vsock",
        ..SELECT
    },
    Opt {
        key: Key::Tipc,
        long: &["tipc"],
        help: "TIPC sockets (tipc_diag)",
        example: "sockdiag --tipc",
        ..SELECT
    },
    Opt {
        key: Key::Xdp,
        long: &["xdp"],
        help: "AF_XDP sockets (xsk_diag)",
        example: "sockdiag --xdp",
        ..SELECT
    },
    Opt {
        key: Key::Query,
        short: Some('A'),
        long: &["query", "socket"],
        value: Some("LIST"),
        help: "tables by name: all, inet, tcp,\nudp, udplite, raw, sctp, mptcp,\ndccp, unix, unix_stream,\nunix_dgram, unix_seqpacket,\npacket, packet_raw, packet_dgram,\nnetlink, vsock, tipc, xdp, smc\n(SMC: not in all);\n!NAME drops one (inet,!raw)",
        example: "sockdiag -A tcp,unix",
        ..SELECT
    },
    Opt {
        key: Key::Family,
        short: Some('f'),
        long: &["family"],
        value: Some("FAM"),
        help: "inet, inet6, link, unix,\nnetlink, vsock, tipc, xdp",
        example: "sockdiag -f inet6",
        ..SELECT
    },
    Opt {
        key: Key::Ipv4,
        short: Some('4'),
        long: &["ipv4"],
        help: "IPv4 only",
        example: "sockdiag -t4",
        ..SELECT
    },
    Opt {
        key: Key::Ipv6,
        short: Some('6'),
        long: &["ipv6"],
        help: "IPv6 only",
        example: "sockdiag -t6",
        ..SELECT
    },
    Opt {
        key: Key::All,
        short: Some('a'),
        long: &["all"],
        help: "every state",
        example: "sockdiag -ta",
        ..SELECT
    },
    Opt {
        key: Key::Listening,
        short: Some('l'),
        long: &["listening"],
        help: "listening (and unconnected) only",
        example: "sockdiag -tl",
        ..SELECT
    },
    Opt {
        key: Key::State,
        word: Some("state"),
        value: Some("STATE"),
        help: "only this state (repeatable)",
        example: "sockdiag -t state established",
        ..SELECT
    },
    Opt {
        key: Key::Exclude,
        word: Some("exclude"),
        value: Some("STATE"),
        help: "every state but this one\nSTATE: established, syn-sent,\nsyn-recv, fin-wait-1, fin-wait-2,\ntime-wait, closed, close-wait,\nlast-ack, listening, closing,\nbound-inactive, or a group: all,\nconnected, synchronized, bucket,\nbig",
        example: "sockdiag -t exclude time-wait",
        ..SELECT
    },
    FILTER,
    Opt {
        key: Key::FilterFile,
        short: Some('F'),
        long: &["filter"],
        value: Some("FILE"),
        help: "read the filter expression from\nFILE (- for standard input; #\nstarts a comment line)",
        example: "sockdiag -t -F rules.txt",
        ..SELECT
    },
    Opt {
        key: Key::Net,
        short: Some('N'),
        long: &["net"],
        value: Some("NAME"),
        modes: Modes::LIST
            .union(Modes::SUMMARY)
            .union(Modes::KILL)
            .union(Modes::WATCH)
            .union(Modes::EXPORTER),
        help: "scan network namespace NAME\n(/run/netns/NAME) or a namespace\nfile path",
        example: "sockdiag -N blue -t",
        ..SELECT
    },
    Opt {
        key: Key::Numeric,
        short: Some('n'),
        long: &["numeric"],
        modes: ANY,
        help: "numbers, not service names\n(without it ports are named\nfrom /etc/services, as in ss)",
        example: "sockdiag -tn",
        ..SHOW
    },
    Opt {
        key: Key::Resolve,
        short: Some('r'),
        long: &["resolve"],
        modes: ROWS,
        help: "host names, from /etc/hosts\nonly (never DNS: never waits)",
        example: "sockdiag -tr",
        ..SHOW
    },
    Opt {
        key: Key::Info,
        short: Some('i'),
        long: &["info"],
        modes: ROWS,
        help: "tcp_info and congestion control",
        example: "sockdiag -ti",
        ..SHOW
    },
    Opt {
        key: Key::Memory,
        short: Some('m'),
        long: &["memory"],
        modes: ROWS,
        help: "socket memory (skmem)",
        example: "sockdiag -tm",
        ..SHOW
    },
    Opt {
        key: Key::Extended,
        short: Some('e'),
        long: &["extended"],
        modes: ROWS,
        help: "uid, inode, cookie, mark,\ncgroup, shutdown, timers; unix:\nbound file, listener's peers;\npacket: version, rings, fanout",
        example: "sockdiag -te",
        ..SHOW
    },
    Opt {
        key: Key::Options,
        short: Some('o'),
        long: &["options"],
        modes: ROWS,
        help: "timers",
        example: "sockdiag -to",
        ..SHOW
    },
    Opt {
        key: Key::Processes,
        short: Some('p'),
        long: &["processes"],
        modes: Modes::LIST.union(Modes::KILL),
        help: "processes holding each socket",
        example: "sockdiag -tp",
        ..SHOW
    },
    Opt {
        key: Key::Threads,
        short: Some('T'),
        long: &["threads"],
        modes: Modes::LIST.union(Modes::KILL),
        help: "processes, one entry per\nthread (tid=)",
        example: "sockdiag -tT",
        ..SHOW
    },
    Opt {
        key: Key::Bpf,
        short: Some('b'),
        long: &["bpf"],
        modes: ROWS,
        help: "packet sockets' BPF filters\n(and timers, as in ss)",
        example: "sockdiag -0b",
        ..SHOW
    },
    Opt {
        key: Key::Tos,
        long: &["tos"],
        modes: ROWS,
        help: "TOS, traffic class, class id",
        example: "sockdiag -t --tos",
        ..SHOW
    },
    Opt {
        key: Key::Cgroup,
        long: &["cgroup"],
        modes: ROWS,
        help: "cgroup v2 path",
        example: "sockdiag -t --cgroup",
        ..SHOW
    },
    Opt {
        key: Key::InetSockopt,
        long: &["inet-sockopt"],
        modes: ROWS,
        help: "inet socket options (recverr,\nfreebind, transparent, ...)",
        example: "sockdiag -t --inet-sockopt",
        ..SHOW
    },
    Opt {
        key: Key::Oneline,
        short: Some('O'),
        long: &["oneline"],
        modes: ROWS,
        help: "each socket on one line",
        example: "sockdiag -tiO",
        ..SHOW
    },
    Opt {
        key: Key::Context,
        short: Some('Z'),
        long: &["context"],
        modes: Modes::LIST.union(Modes::KILL),
        help: "SELinux contexts of processes\n(not supported: an error)",
        example: "sockdiag -tZ",
        ..SHOW
    },
    Opt {
        key: Key::Contexts,
        short: Some('z'),
        long: &["contexts"],
        modes: Modes::LIST.union(Modes::KILL),
        help: "and of sockets (same)",
        example: "sockdiag -tz",
        ..SHOW
    },
    Opt {
        key: Key::TipcInfo,
        long: &["tipcinfo"],
        modes: ROWS,
        help: "TIPC details: type,\ncongestion, drops, services",
        example: "sockdiag --tipc --tipcinfo",
        ..SHOW
    },
    Opt {
        key: Key::NoHeader,
        short: Some('H'),
        long: &["no-header"],
        modes: Modes::LIST.union(Modes::KILL).union(Modes::EVENTS),
        help: "no header line",
        example: "sockdiag -tH",
        ..SHOW
    },
    Opt {
        key: Key::Json,
        short: Some('j'),
        long: &["json"],
        help: "JSON Lines: one object per\nsocket, keys named after the\nkernel's fields (family,\nprotocol, state, src, sport,\ndst, dport, inode, uid, cookie,\nrqueue, wqueue; with -i a\ntcp_info object of the tcpi_\nfields the kernel sent)",
        example: "sockdiag -ti --json",
        ..OUTPUT
    },
    Opt {
        key: Key::Prom,
        long: &["prom"],
        modes: Modes::LIST.union(Modes::SUMMARY),
        help: "Prometheus text exposition:\nsocket counts by protocol,\nfamily and state; with -i\ntcp_info gauges per socket",
        example: "sockdiag -ta --prom > x.prom",
        ..OUTPUT
    },
    Opt {
        key: Key::SsLayout,
        long: &["ss-layout"],
        modes: Modes::LIST.union(Modes::KILL),
        help: "hold the table and size its\ncolumns to their text as ss\ndoes, in ss's order (IPv4 rows\nbefore IPv6); the default\nstreams rows at fixed widths",
        example: "sockdiag -tan --ss-layout",
        ..OUTPUT
    },
    Opt {
        key: Key::Capture,
        long: &["capture"],
        value: Some("FILE"),
        modes: Modes::LIST.union(Modes::SUMMARY).union(Modes::KILL),
        help: "also write the raw dump to FILE\n(ss -D format)",
        example: "sockdiag -ta --capture host.nl",
        ..OUTPUT
    },
    Opt {
        key: Key::Diag,
        short: Some('D'),
        long: &["diag"],
        value: Some("FILE"),
        modes: Modes::LIST,
        help: "as ss -D: write the raw dump of\nthe TCP sockets to FILE (- for\nstandard output), print nothing",
        example: "sockdiag -ta -D host.nl",
        ..OUTPUT
    },
    Opt {
        key: Key::Replay,
        long: &["replay"],
        value: Some("FILE"),
        modes: Modes::LIST.union(Modes::SUMMARY),
        help: "read a recorded dump (ours or\nss -D's) instead of the kernel,\nto list or count (-s); inet\nreplies are read as the one inet\ntable selected (default TCP)",
        example: "sockdiag --replay host.nl -ta --json",
        ..OUTPUT
    },
    Opt {
        key: Key::Summary,
        short: Some('s'),
        long: &["summary"],
        modes: Modes::SUMMARY,
        help: "ss's totals, from the kernel's\ncounters (/proc/net/sockstat);\nwith a table, state or filter\nchosen, counts of those by\nprotocol, family and state",
        example: "sockdiag -s",
        ..MODE
    },
    Opt {
        key: Key::Kill,
        short: Some('K'),
        long: &["kill"],
        modes: Modes::KILL,
        help: "DESTROY every selected socket\n(SOCK_DESTROY, CAP_NET_ADMIN)\nand list it. As in ss, with no\nfilter and no state that is\nevery connected socket of the\nselected tables: TCP, UDP,\nUDP-Lite, RAW, SCTP (default:\nTCP, UDP and RAW)",
        example: "sockdiag -K -t dport = :8080",
        ..MODE
    },
    Opt {
        key: Key::Events,
        short: Some('E'),
        long: &["events"],
        modes: Modes::EVENTS,
        help: "stream TCP/UDP sockets as the\nkernel destroys them (default:\nboth)",
        example: "sockdiag -E -t",
        ..MODE
    },
    Opt {
        key: Key::Watch,
        word: Some("watch"),
        modes: Modes::WATCH,
        help: "(first word) poll and print what\nchanged; see WATCH below",
        example: "sockdiag watch -t",
        ..MODE
    },
    Opt {
        key: Key::Exporter,
        word: Some("exporter"),
        modes: Modes::EXPORTER,
        help: "(first word) poll in the\nbackground and serve Prometheus\nmetrics over HTTP; see EXPORTER\nbelow",
        example: "sockdiag exporter",
        ..MODE
    },
    Opt {
        key: Key::Interval,
        long: &["interval"],
        value: Some("DUR"),
        modes: Modes::WATCH.union(Modes::EXPORTER),
        help: "time between polls (watch: 1s,\ndown to 1ms: 10ms, 500us;\nexporter: 10s)",
        example: "sockdiag watch --interval 10ms",
        ..WATCH
    },
    Opt {
        key: Key::Count,
        long: &["count"],
        value: Some("N"),
        modes: Modes::WATCH.union(Modes::EVENTS),
        help: "stop after N polls (watch) or N\nevents (-E)",
        example: "sockdiag -E -t --count 1",
        ..WATCH
    },
    Opt {
        key: Key::Track,
        long: &["track"],
        value: Some("LIST"),
        modes: Modes::WATCH.union(Modes::EXPORTER),
        help: "tcp_info counters to report\n(implies -i; default with -i,\nand the exporter's --record:\nbytes_acked,bytes_received,\ntotal_retrans)",
        example: "sockdiag watch -t --track total_retrans",
        ..WATCH
    },
    Opt {
        key: Key::Listen,
        long: &["listen"],
        value: Some("ADDR:PORT"),
        help: "where to serve /metrics\n(127.0.0.1:10116; 0.0.0.0:10116\nor [::]:10116 for every\ninterface)",
        example: "sockdiag exporter --listen 0.0.0.0:10116",
        ..EXPORTER
    },
    Opt {
        key: Key::AllNetns,
        long: &["all-netns"],
        help: "every network namespace of the\nhost (/run/netns and\n/proc/*/ns/net), each by its own\nsocket, labelled netns",
        example: "sockdiag exporter --all-netns",
        ..EXPORTER
    },
    Opt {
        key: Key::Ports,
        long: &["ports"],
        value: Some("LIST"),
        help: "ports whose connections to count\nby state, local or remote end\n(sockdiag_port_connections)",
        example: "sockdiag exporter --ports 443,5432",
        ..EXPORTER
    },
    Opt {
        key: Key::MaxSeries,
        long: &["max-series"],
        value: Some("N"),
        help: "series per metric at most\n(10000): the rest are dropped\nand counted in\nsockdiag_series_dropped_total",
        example: "sockdiag exporter --max-series 1000",
        ..EXPORTER
    },
    Opt {
        key: Key::Label,
        long: &["label"],
        value: Some("LIST"),
        help: "optional labels, each raising\ncardinality on purpose: process\n(the command holding a socket),\ncgroup (its path), remote[=V4/V6]\n(the peer's network, /24 and\n/64 by default, on connections)",
        example: "sockdiag exporter --label process,remote=16/48",
        ..EXPORTER
    },
    Opt {
        key: Key::Record,
        long: &["record"],
        value: Some("DIR"),
        help: "a change log in DIR: JSON Lines\nof new, changed (with tcp_info\nwhen a tracked counter moved)\nand gone sockets, each with the\npoll's seq, time, interval_s and\nnetns (see EXPORTER)",
        example: "sockdiag exporter --record /var/log/sockdiag",
        ..EXPORTER
    },
    Opt {
        key: Key::RecordSize,
        long: &["record-size"],
        value: Some("SIZE"),
        help: "a new file of the change log\nafter SIZE bytes (64M; K, M, G)",
        example: "sockdiag exporter --record d --record-size 16M",
        ..EXPORTER
    },
    Opt {
        key: Key::RecordAge,
        long: &["record-age"],
        value: Some("DUR"),
        help: "a new file of the change log\nafter DUR (1h: 10m, 30s)",
        example: "sockdiag exporter --record d --record-age 10m",
        ..EXPORTER
    },
    Opt {
        key: Key::RecordGzip,
        long: &["record-gzip"],
        help: "gzip each closed file of the\nchange log (.jsonl.gz)",
        example: "sockdiag exporter --record d --record-gzip",
        ..EXPORTER
    },
    Opt {
        key: Key::Workers,
        long: &["workers"],
        value: Some("N"),
        modes: Modes::LIST.union(Modes::WATCH),
        help: "auto, 1, 2 or halves, for\nlisting or watching every TCP\nsocket (no filter, this\nnamespace). 2: one thread\nreceives the dump while the\nother formats it. halves: two\nthreads each dump half of the\nsockets through a kernel\nfilter. auto (the default): a\nlisting takes 2 from 5,000 TCP\nsockets on (/proc/net/sockstat)\nwith two CPUs, else 1; a watch\ntimes three scans each way first\nand keeps the fastest",
        example: "sockdiag watch -t --workers 1",
        ..SPEED
    },
    Opt {
        key: Key::Help,
        short: Some('h'),
        long: &["help"],
        help: "this help",
        example: "sockdiag -h",
        ..INFO
    },
    Opt {
        key: Key::Version,
        short: Some('V'),
        long: &["version"],
        help: "the version",
        example: "sockdiag -V",
        ..INFO
    },
];
