//! The socket tables of `/proc/net` (`tcp`, `tcp6`, `udp`, `udp6`, `raw`,
//! `raw6`) and the protocol list of `/proc/net/protocols`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::FileError;

/// One line of a `/proc/net` socket table (`tcp4_seq_show`,
/// `udp4_format_sock`, `raw_sock_seq_show` and their IPv6 twins share
/// these columns).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ProcSocket<'a> {
    /// `local_address`: address and port (for RAW sockets, the port is
    /// the protocol number).
    pub local: SocketAddr,
    /// `rem_address`.
    pub remote: SocketAddr,
    /// `st`: the state, `TCP_*` numbering.
    pub state: u8,
    /// `tx_queue`.
    pub tx_queue: u32,
    /// `rx_queue`.
    pub rx_queue: u32,
    /// `tr`: the pending timer (`idiag_timer` numbering).
    pub timer: u8,
    /// `tm->when`: its expiry, in clock ticks (`USER_HZ`).
    pub expires: u32,
    /// `retrnsmt`.
    pub retransmits: u32,
    /// `uid`, in the reader's user namespace.
    pub uid: u32,
    /// `timeout` (TCP: unanswered zero-window probes or keepalives).
    pub timeout: u32,
    /// `inode`.
    pub inode: u32,
    /// The rest of the line: reference count and socket pointer, then
    /// per-protocol columns (drops for UDP and RAW; TCP's rto, ato,
    /// quick-ack, cwnd and ssthresh).
    pub rest: &'a str,
}

/// The sockets of a `/proc/net` table's `text` (its header line first);
/// `v6`: the IPv6 table, whose addresses are 32 hex digits. Each line is a
/// socket or a [`FileError`].
pub fn proc_sockets(
    text: &str,
    v6: bool,
) -> impl Iterator<Item = Result<ProcSocket<'_>, FileError>> + '_ {
    text.lines()
        .enumerate()
        .skip(1)
        .filter(|(_, l)| !l.trim().is_empty())
        .map(move |(i, line)| parse_line(line, i + 1, v6))
}

fn error(line: usize, field: &'static str, text: &str) -> FileError {
    FileError {
        line,
        field,
        text: text.to_owned(),
    }
}

fn hex_u32(text: &str, line: usize, field: &'static str) -> Result<u32, FileError> {
    if text.is_empty() || text.len() > 8 {
        return Err(error(line, field, text));
    }
    u32::from_str_radix(text, 16).map_err(|_| error(line, field, text))
}

fn dec_u32(text: &str, line: usize, field: &'static str) -> Result<u32, FileError> {
    text.parse::<u32>().map_err(|_| error(line, field, text))
}

/// `ADDR:PORT` in hex, the address in host byte order by 32-bit word.
fn endpoint(text: &str, line: usize, v6: bool) -> Result<SocketAddr, FileError> {
    let field = "address";
    let (addr, port) = text
        .split_once(':')
        .ok_or_else(|| error(line, field, text))?;
    let port = u16::from_str_radix(port, 16).map_err(|_| error(line, field, text))?;
    let word = |i: usize| -> Result<[u8; 4], FileError> {
        let w = addr
            .get(i * 8..i * 8 + 8)
            .ok_or_else(|| error(line, field, text))?;
        Ok(hex_u32(w, line, field)?.to_ne_bytes())
    };
    let ip = if v6 {
        if addr.len() != 32 {
            return Err(error(line, field, text));
        }
        let mut octets = [0u8; 16];
        for (i, chunk) in octets.chunks_exact_mut(4).enumerate() {
            chunk.copy_from_slice(&word(i)?);
        }
        IpAddr::V6(Ipv6Addr::from(octets))
    } else {
        if addr.len() != 8 {
            return Err(error(line, field, text));
        }
        IpAddr::V4(Ipv4Addr::from(word(0)?))
    };
    Ok(SocketAddr::new(ip, port))
}

fn parse_line(text: &str, line: usize, v6: bool) -> Result<ProcSocket<'_>, FileError> {
    // "  sl: local rem st tx:rx tr:when retrnsmt uid timeout inode rest"
    let colon = text.find(':').ok_or_else(|| error(line, "slot", text))?;
    let mut fields = words(text, colon + 1);
    let mut end = 0;
    let mut next = |field: &'static str| {
        let (at, word) = fields.next().ok_or_else(|| error(line, field, ""))?;
        end = at + word.len();
        Ok::<&str, FileError>(word)
    };
    let local = endpoint(next("local address")?, line, v6)?;
    let remote = endpoint(next("remote address")?, line, v6)?;
    let st = next("state")?;
    let state = u8::from_str_radix(st, 16).map_err(|_| error(line, "state", st))?;
    let queues = next("queues")?;
    let (tx, rx) = queues
        .split_once(':')
        .ok_or_else(|| error(line, "queues", queues))?;
    let timer_text = next("timer")?;
    let (tr, when) = timer_text
        .split_once(':')
        .ok_or_else(|| error(line, "timer", timer_text))?;
    let timer = u8::from_str_radix(tr, 16).map_err(|_| error(line, "timer", tr))?;
    let retransmits = hex_u32(next("retransmits")?, line, "retransmits")?;
    let uid = dec_u32(next("uid")?, line, "uid")?;
    let timeout = dec_u32(next("timeout")?, line, "timeout")?;
    let inode = dec_u32(next("inode")?, line, "inode")?;
    // The rest, from the first byte after the inode.
    let rest = text.get(end..).unwrap_or_default().trim();
    Ok(ProcSocket {
        local,
        remote,
        state,
        tx_queue: hex_u32(tx, line, "tx_queue")?,
        rx_queue: hex_u32(rx, line, "rx_queue")?,
        timer,
        expires: hex_u32(when, line, "timer")?,
        retransmits,
        uid,
        timeout,
        inode,
        rest,
    })
}

/// The blank-separated words of `text` from byte `from`, with their
/// offsets.
fn words(text: &str, from: usize) -> impl Iterator<Item = (usize, &str)> + '_ {
    let bytes = text.as_bytes();
    let mut i = from;
    std::iter::from_fn(move || {
        while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        let start = i;
        while bytes.get(i).is_some_and(|b| !b.is_ascii_whitespace()) {
            i += 1;
        }
        // Blanks are ASCII, so both ends are character boundaries.
        (i > start).then(|| (start, text.get(start..i).unwrap_or_default()))
    })
}

/// The protocol names of `/proc/net/protocols` (`TCP`, `UDP`, `SCTP`,
/// `DCCP`, `AF_VSOCK`, `XDP`, ...: those registered with the socket layer,
/// that is, whose sockets can exist), after the header line.
pub fn protocols(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.lines()
        .skip(1)
        .filter_map(|l| l.split_ascii_whitespace().next())
}
