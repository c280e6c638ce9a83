//! `sockdiag`: list this host's TCP and UDP sockets, like `ss -tuan`.
//!
//! The full command-line tool comes later; this entry point shows the
//! library's main job: one netlink socket, one reused buffer, one dump per
//! protocol and family, numeric output.

use std::fmt::{self, Write as _};
use std::io::{self, BufWriter, Write};
use std::net::IpAddr;
use std::process::ExitCode;

use sockdiag::inet::{Family, InetMsg, InetRequest, Protocol, TcpState};
use sockdiag::raw::inet_diag::INET_DIAG_SKV6ONLY;
use sockdiag::{DiagSocket, Error};

const HELP: &str = "\
sockdiag - list sockets through the kernel's sock_diag netlink interface

USAGE:
    sockdiag [OPTIONS]

With no protocol option, lists TCP and UDP sockets of both families in
every state, numerically, like `ss -tuan`.

OPTIONS:
    -t, --tcp          TCP sockets
    -u, --udp          UDP sockets
    -4, --ipv4         IPv4 sockets only
    -6, --ipv6         IPv6 sockets only
    -H, --no-header    do not print the header line
    -h, --help         print this help
    -V, --version      print the version

EXAMPLES:
    sockdiag            # every TCP and UDP socket, like `ss -tuan`
    sockdiag -t -4 -H   # IPv4 TCP sockets, no header (for scripts)
";

struct Options {
    protocols: Vec<Protocol>,
    families: Vec<Family>,
    header: bool,
}

fn parse_args(args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let (mut tcp, mut udp, mut v4, mut v6, mut header) = (false, false, false, false, true);
    for arg in args {
        match arg.as_str() {
            "-t" | "--tcp" => tcp = true,
            "-u" | "--udp" => udp = true,
            "-4" | "--ipv4" => v4 = true,
            "-6" | "--ipv6" => v6 = true,
            "-H" | "--no-header" => header = false,
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
    if !tcp && !udp {
        (tcp, udp) = (true, true);
    }
    if !v4 && !v6 {
        (v4, v6) = (true, true);
    }
    // Same order as ss: UDP before TCP, IPv4 before IPv6.
    let protocols = [(udp, Protocol::Udp), (tcp, Protocol::Tcp)]
        .into_iter()
        .filter_map(|(on, p)| on.then_some(p))
        .collect();
    let families = [(v4, Family::Inet), (v6, Family::Inet6)]
        .into_iter()
        .filter_map(|(on, f)| on.then_some(f))
        .collect();
    Ok(Some(Options {
        protocols,
        families,
        header,
    }))
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
/// allocation per socket.
struct StackStr {
    buf: [u8; 96],
    len: usize,
}

impl StackStr {
    fn new() -> Self {
        StackStr {
            buf: [0; 96],
            len: 0,
        }
    }
    fn as_str(&self) -> &str {
        self.buf
            .get(..self.len)
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }
}

impl fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
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
fn endpoint(
    out: &mut StackStr,
    addr: IpAddr,
    port: u16,
    ifname: Option<&str>,
    v6only: bool,
) -> fmt::Result {
    match addr {
        IpAddr::V4(a) => write!(out, "{a}")?,
        IpAddr::V6(a) if a.is_unspecified() && !v6only => out.write_str("*")?,
        IpAddr::V6(a) => write!(out, "[{a}]")?,
    }
    if let Some(name) = ifname {
        write!(out, "%{name}")?;
    }
    if port == 0 {
        out.write_str(":*")
    } else {
        write!(out, ":{port}")
    }
}

fn print_row(
    out: &mut impl Write,
    ifnames: &mut IfNames,
    netid: Option<Protocol>,
    msg: &InetMsg<'_>,
) -> io::Result<()> {
    let v6only = msg
        .attrs()
        .find(INET_DIAG_SKV6ONLY)
        .ok()
        .flatten()
        .and_then(|a| a.u8().ok())
        .is_some_and(|v| v != 0);
    let ifname = match msg.interface() {
        0 => None,
        i => Some(ifnames.get(i)),
    };
    let (mut local, mut peer) = (StackStr::new(), StackStr::new());
    // An address never overflows 96 bytes; if it did, the column is cut.
    let _ = endpoint(&mut local, msg.src_addr(), msg.src_port(), ifname, v6only);
    let _ = endpoint(&mut peer, msg.dst_addr(), msg.dst_port(), None, v6only);
    if let Some(p) = netid {
        write!(out, "{:<5} ", p.name())?;
    }
    writeln!(
        out,
        "{:<10} {:<6} {:<6} {:<28} {}",
        state_name(msg.state()),
        msg.rqueue(),
        msg.wqueue(),
        local.as_str(),
        peer.as_str()
    )
}

fn run(opts: &Options) -> Result<(), Error> {
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(64 * 1024, stdout.lock());
    // Like ss, the Netid column only when several protocols are listed.
    let netid = opts.protocols.len() > 1;
    if opts.header {
        if netid {
            write!(out, "{:<5} ", "Netid")?;
        }
        writeln!(
            out,
            "{:<10} {:<6} {:<6} {:<28} Peer Address:Port",
            "State", "Recv-Q", "Send-Q", "Local Address:Port"
        )?;
    }
    let mut sock = DiagSocket::new()?;
    let mut ifnames = IfNames::default();
    for &protocol in &opts.protocols {
        for &family in &opts.families {
            let mut dump = sock.dump(&InetRequest::new(family, protocol))?;
            while let Some(batch) = dump.next_batch()? {
                for msg in batch {
                    print_row(&mut out, &mut ifnames, netid.then_some(protocol), &msg)?;
                }
            }
        }
    }
    out.flush()?;
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
