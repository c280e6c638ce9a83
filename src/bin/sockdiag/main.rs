//! `sockdiag`: list this host's sockets, like `ss -an`.
//!
//! The full command-line tool comes later; this entry point shows the
//! library's main job: one netlink socket, one reused buffer, one dump per
//! family and protocol, numeric output in `ss`'s columns.

use std::fmt::{self, Write as _};
use std::io::{self, BufWriter, Write};
use std::net::IpAddr;
use std::process::ExitCode;

use sockdiag::inet::{Family, InetMsg, InetRequest, Protocol, TcpState};
use sockdiag::netlink_diag::{NetlinkAttr, NetlinkMsg, NetlinkRequest, NetlinkShow};
use sockdiag::packet::{PacketAttr, PacketMsg, PacketRequest, PacketShow};
use sockdiag::raw::inet_diag::INET_DIAG_SKV6ONLY;
use sockdiag::unix::{UnixAttr, UnixMsg, UnixRequest};
use sockdiag::{DiagSocket, Error, SkMemInfo};

const HELP: &str = "\
sockdiag - list sockets through the kernel's sock_diag netlink interface

USAGE:
    sockdiag [OPTIONS]

With no socket-type option, lists TCP and UDP sockets of both families in
every state, numerically, like `ss -tuan`. Columns are those of `ss`.

OPTIONS:
    -t, --tcp          TCP sockets
    -u, --udp          UDP sockets
    -x, --unix         unix sockets (Local: name and inode; Peer: peer inode)
    -0, --packet       packet sockets (Local: [protocol]:interface)
        --netlink      netlink sockets (Local: protocol:port id), like `ss -A netlink`
    -4, --ipv4         IPv4 sockets only (TCP, UDP)
    -6, --ipv6         IPv6 sockets only (TCP, UDP)
    -H, --no-header    do not print the header line
    -h, --help         print this help
    -V, --version      print the version

EXAMPLES:
    sockdiag            # every TCP and UDP socket, like `ss -tuan`
    sockdiag -t -4 -H   # IPv4 TCP sockets, no header (for scripts)
    sockdiag -x         # unix sockets, like `ss -xa`
";

#[derive(Default)]
struct Options {
    netlink: bool,
    packet: bool,
    unix: bool,
    protocols: Vec<Protocol>,
    families: Vec<Family>,
    header: bool,
}

impl Options {
    /// `ss` prints the Netid column when more than one of its tables is
    /// listed; unix counts as three (`u_str`, `u_dgr`, `u_seq`) and packet
    /// as two (`p_raw`, `p_dgr`).
    fn netid(&self) -> bool {
        let tables = usize::from(self.netlink)
            + 2 * usize::from(self.packet)
            + 3 * usize::from(self.unix)
            + self.protocols.len();
        tables > 1
    }
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut o = Options {
        header: true,
        ..Options::default()
    };
    let (mut tcp, mut udp, mut v4, mut v6) = (false, false, false, false);
    for arg in args {
        match arg.as_str() {
            "-t" | "--tcp" => tcp = true,
            "-u" | "--udp" => udp = true,
            "-x" | "--unix" => o.unix = true,
            "-0" | "--packet" => o.packet = true,
            "--netlink" => o.netlink = true,
            "-4" | "--ipv4" => v4 = true,
            "-6" | "--ipv6" => v6 = true,
            "-H" | "--no-header" => o.header = false,
            "-a" | "-n" | "-an" | "-na" => {} // always all states, always numeric
            "-h" | "--help" => {
                print!("{HELP}");
                return Ok(None);
            }
            "-V" | "--version" => {
                println!("sockdiag {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            other => return Err(format!("unknown option '{other}' (see --help)")),
        }
    }
    if !tcp && !udp && !o.unix && !o.packet && !o.netlink {
        (tcp, udp) = (true, true);
    }
    if !v4 && !v6 {
        (v4, v6) = (true, true);
    }
    // Same order as ss: UDP before TCP, IPv4 before IPv6.
    o.protocols = [(udp, Protocol::Udp), (tcp, Protocol::Tcp)]
        .into_iter()
        .filter_map(|(on, p)| on.then_some(p))
        .collect();
    o.families = [(v4, Family::Inet), (v6, Family::Inet6)]
        .into_iter()
        .filter_map(|(on, f)| on.then_some(f))
        .collect();
    Ok(Some(o))
}

/// `ss`'s state names.
fn state_name(state: TcpState) -> &'static str {
    match state {
        TcpState::Established => "ESTAB",
        TcpState::SynSent => "SYN-SENT",
        TcpState::SynRecv | TcpState::NewSynRecv => "SYN-RECV",
        TcpState::FinWait1 => "FIN-WAIT-1",
        TcpState::FinWait2 => "FIN-WAIT-2",
        TcpState::TimeWait => "TIME-WAIT",
        TcpState::Close | TcpState::BoundInactive => "UNCONN",
        TcpState::CloseWait => "CLOSE-WAIT",
        TcpState::LastAck => "LAST-ACK",
        TcpState::Listen => "LISTEN",
        TcpState::Closing => "CLOSING",
        TcpState::Unknown(_) => "UNKNOWN",
    }
}

/// A fixed-capacity string on the stack, so that padded columns need no
/// allocation per socket. Text that does not fit is cut.
struct StackStr {
    buf: [u8; 160],
    len: usize,
}

impl StackStr {
    fn new() -> Self {
        StackStr {
            buf: [0; 160],
            len: 0,
        }
    }
    fn as_str(&self) -> &str {
        let bytes = self.buf.get(..self.len).unwrap_or_default();
        match std::str::from_utf8(bytes) {
            Ok(s) => s,
            // A cut in the middle of a character: drop the partial one.
            Err(e) => bytes
                .get(..e.valid_up_to())
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or(""),
        }
    }
}

impl fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len().saturating_sub(self.len);
        let n = s.len().min(room);
        if let (Some(dst), Some(src)) = (
            self.buf.get_mut(self.len..self.len + n),
            s.as_bytes().get(..n),
        ) {
            dst.copy_from_slice(src);
            self.len += n;
        }
        Ok(())
    }
}

/// Interface names by index, looked up once each.
#[derive(Default)]
struct IfNames(Vec<(u32, String)>);

impl IfNames {
    fn get(&mut self, index: u32) -> &str {
        let pos = match self.0.iter().position(|(i, _)| *i == index) {
            Some(pos) => pos,
            None => {
                let name = nix::net::if_::if_indextoname(index)
                    .ok()
                    .and_then(|c| c.into_string().ok())
                    .unwrap_or_else(|| index.to_string());
                self.0.push((index, name));
                self.0.len() - 1
            }
        };
        self.0.get(pos).map_or("", |(_, n)| n.as_str())
    }
}

/// Formats `addr%if:port` the way `ss -n` does.
fn endpoint(out: &mut StackStr, addr: IpAddr, port: u16, ifname: Option<&str>, v6only: bool) {
    let _ = match addr {
        IpAddr::V4(a) => write!(out, "{a}"),
        IpAddr::V6(a) if a.is_unspecified() && !v6only => out.write_str("*"),
        IpAddr::V6(a) => write!(out, "[{a}]"),
    };
    if let Some(name) = ifname {
        let _ = write!(out, "%{name}");
    }
    let _ = if port == 0 {
        out.write_str(":*")
    } else {
        write!(out, ":{port}")
    };
}

/// The output: buffered, with the Netid column when several tables are listed.
struct Table<W: Write> {
    out: W,
    netid: bool,
    ifnames: IfNames,
}

impl<W: Write> Table<W> {
    fn header(&mut self) -> io::Result<()> {
        if self.netid {
            write!(self.out, "{:<5} ", "Netid")?;
        }
        writeln!(
            self.out,
            "{:<10} {:<6} {:<6} {:<28} Peer Address:Port",
            "State", "Recv-Q", "Send-Q", "Local Address:Port"
        )
    }

    fn row(
        &mut self,
        netid: &str,
        state: &str,
        queues: (u32, u32),
        local: &str,
        peer: &str,
    ) -> io::Result<()> {
        if self.netid {
            write!(self.out, "{netid:<5} ")?;
        }
        writeln!(
            self.out,
            "{:<10} {:<6} {:<6} {:<28} {}",
            state, queues.0, queues.1, local, peer
        )
    }

    fn inet(&mut self, protocol: Protocol, msg: &InetMsg<'_>) -> io::Result<()> {
        let v6only = msg
            .attrs()
            .find(INET_DIAG_SKV6ONLY)
            .ok()
            .flatten()
            .and_then(|a| a.u8().ok())
            .is_some_and(|v| v != 0);
        let ifname = match msg.interface() {
            0 => None,
            i => Some(self.ifnames.get(i)),
        };
        let (mut local, mut peer) = (StackStr::new(), StackStr::new());
        endpoint(&mut local, msg.src_addr(), msg.src_port(), ifname, v6only);
        endpoint(&mut peer, msg.dst_addr(), msg.dst_port(), None, v6only);
        let queues = (msg.rqueue(), msg.wqueue());
        self.row(
            protocol.name(),
            state_name(msg.state()),
            queues,
            local.as_str(),
            peer.as_str(),
        )
    }

    fn unix(&mut self, msg: &UnixMsg<'_>) -> io::Result<()> {
        let (mut local, mut peer) = (StackStr::new(), StackStr::new());
        let (mut named, mut peer_ino, mut queues) = (false, 0, (0, 0));
        for attr in msg.attributes().flatten() {
            match attr {
                UnixAttr::Name(n) => {
                    let _ = write!(local, "{n} {}", msg.inode());
                    named = true;
                }
                UnixAttr::Peer(p) => peer_ino = p,
                UnixAttr::RqLen(q) => queues = (q.rqueue, q.wqueue),
                _ => {}
            }
        }
        if !named {
            let _ = write!(local, "* {}", msg.inode());
        }
        let _ = write!(peer, "* {peer_ino}");
        let netid = msg.socket_type().netid();
        self.row(
            netid,
            state_name(msg.state()),
            queues,
            local.as_str(),
            peer.as_str(),
        )
    }

    fn packet(&mut self, msg: &PacketMsg<'_>) -> io::Result<()> {
        let (mut index, mut queues) = (0, (0, 0));
        for attr in msg.attributes().flatten() {
            match attr {
                PacketAttr::Info(i) => index = i.index,
                PacketAttr::MemInfo(m) => queues = mem_queues(&m),
                _ => {}
            }
        }
        let mut local = StackStr::new();
        let _ = write!(local, "[{}]:", msg.protocol());
        let _ = match index {
            0 => local.write_str("*"),
            i => local.write_str(self.ifnames.get(i)),
        };
        let netid = if msg.socket_type() == sockdiag::raw::SOCK_DGRAM {
            "p_dgr"
        } else {
            "p_raw"
        };
        self.row(netid, "UNCONN", queues, local.as_str(), "*")
    }

    fn netlink(&mut self, msg: &NetlinkMsg<'_>) -> io::Result<()> {
        let mut queues = (0, 0);
        for attr in msg.attributes().flatten() {
            if let NetlinkAttr::MemInfo(m) = attr {
                queues = mem_queues(&m);
            }
        }
        let (mut local, mut peer) = (StackStr::new(), StackStr::new());
        let _ = write!(local, "{}:{}", msg.protocol(), msg.port_id());
        let _ = match (msg.dst_group(), msg.dst_port_id()) {
            (0, 0) => peer.write_str("*"),
            (0, port) => write!(peer, "{port}"),
            (group, _) => write!(peer, "{group}"),
        };
        let state = if msg.is_connected() {
            "ESTAB"
        } else {
            "UNCONN"
        };
        self.row("nl", state, queues, local.as_str(), peer.as_str())
    }
}

/// `ss`'s queues for families without their own: receive and transmit
/// memory allocated.
fn mem_queues(m: &SkMemInfo<&[u8]>) -> (u32, u32) {
    (m.rmem_alloc().unwrap_or(0), m.wmem_alloc().unwrap_or(0))
}

fn run(opts: &Options) -> Result<(), Error> {
    let stdout = io::stdout();
    let mut t = Table {
        out: BufWriter::with_capacity(64 * 1024, stdout.lock()),
        netid: opts.netid(),
        ifnames: IfNames::default(),
    };
    if opts.header {
        t.header()?;
    }
    let mut sock = DiagSocket::new()?;
    // Same order as ss: netlink, packet, unix, then inet.
    if opts.netlink {
        let req = NetlinkRequest::new().with_show(NetlinkShow::MEMINFO);
        let mut dump = sock.dump(&req)?;
        while let Some(batch) = dump.next_batch()? {
            for msg in batch {
                t.netlink(&msg)?;
            }
        }
    }
    if opts.packet {
        let req = PacketRequest::new().with_show(PacketShow::INFO | PacketShow::MEMINFO);
        let mut dump = sock.dump(&req)?;
        while let Some(batch) = dump.next_batch()? {
            for msg in batch {
                t.packet(&msg)?;
            }
        }
    }
    if opts.unix {
        let mut dump = sock.dump(&UnixRequest::new())?;
        while let Some(batch) = dump.next_batch()? {
            for msg in batch {
                t.unix(&msg)?;
            }
        }
    }
    for &protocol in &opts.protocols {
        for &family in &opts.families {
            let mut dump = sock.dump(&InetRequest::new(family, protocol))?;
            while let Some(batch) = dump.next_batch()? {
                for msg in batch {
                    t.inet(protocol, &msg)?;
                }
            }
        }
    }
    t.out.flush()?;
    Ok(())
}

fn main() -> ExitCode {
    let opts = match parse_args(std::env::args().skip(1)) {
        Ok(Some(opts)) => opts,
        Ok(None) => return ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("sockdiag: {msg}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`sockdiag | head`) is not an error.
        Err(Error::Io(e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sockdiag: {e}");
            ExitCode::FAILURE
        }
    }
}
