//! `/proc/net/sockstat`, `/proc/net/sockstat6` and `/proc/net/snmp`: the
//! kernel's running socket counts, what `ss -s` prints.

use super::FileError;

/// The kernel's socket counters: constant time to read, whatever the
/// number of sockets. The TCP, UDP and RAW counts are those of the
/// reader's network namespace; `sockets_used` is the host's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct SockStat {
    /// `sockets: used`: sockets of every family, host-wide.
    pub sockets_used: u64,
    /// `TCP: inuse`: IPv4 TCP sockets in the hash tables (not TIME-WAIT).
    pub tcp_inuse: u64,
    /// `TCP: orphan`: TCP sockets no process holds.
    pub tcp_orphan: u64,
    /// `TCP: tw`: TIME-WAIT sockets.
    pub tcp_tw: u64,
    /// `TCP: alloc`: TCP sockets allocated, both families.
    pub tcp_alloc: u64,
    /// `TCP: mem`: pages of TCP buffers.
    pub tcp_mem: u64,
    /// `UDP: inuse`.
    pub udp_inuse: u64,
    /// `UDPLITE: inuse`.
    pub udplite_inuse: u64,
    /// `RAW: inuse`.
    pub raw_inuse: u64,
    /// `FRAG: inuse`: IPv4 reassembly queues.
    pub frag_inuse: u64,
    /// `FRAG: memory`.
    pub frag_memory: u64,
    /// `TCP6: inuse`.
    pub tcp6_inuse: u64,
    /// `UDP6: inuse`.
    pub udp6_inuse: u64,
    /// `UDPLITE6: inuse`.
    pub udplite6_inuse: u64,
    /// `RAW6: inuse`.
    pub raw6_inuse: u64,
    /// `FRAG6: inuse`.
    pub frag6_inuse: u64,
    /// `FRAG6: memory`.
    pub frag6_memory: u64,
    /// `Tcp: CurrEstab` of `/proc/net/snmp`: connections in ESTABLISHED
    /// or CLOSE-WAIT.
    pub tcp_curr_estab: u64,
}

impl SockStat {
    /// Reads the text of `sockstat`, `sockstat6` (empty if the host has no
    /// IPv6) and `snmp`. Unknown lines and counters are skipped (newer
    /// kernels add some); a counter that is not a number is an error.
    pub fn parse(sockstat: &str, sockstat6: &str, snmp: &str) -> Result<SockStat, FileError> {
        let mut s = SockStat::default();
        for text in [sockstat, sockstat6] {
            for (i, line) in text.lines().enumerate() {
                let mut words = line.split_ascii_whitespace();
                let Some(key) = words.next() else { continue };
                let words: Vec<&str> = words.collect();
                for pair in words.chunks(2) {
                    let [name, value] = pair else { break };
                    let Some(slot) = s.slot(key, name) else {
                        continue;
                    };
                    *slot = value.parse().map_err(|_| FileError {
                        line: i + 1,
                        field: "counter",
                        text: (*value).to_owned(),
                    })?;
                }
            }
        }
        s.tcp_curr_estab = snmp_value(snmp, "Tcp:", "CurrEstab")?.unwrap_or(0);
        Ok(s)
    }

    fn slot(&mut self, key: &str, name: &str) -> Option<&mut u64> {
        Some(match (key, name) {
            ("sockets:", "used") => &mut self.sockets_used,
            ("TCP:", "inuse") => &mut self.tcp_inuse,
            ("TCP:", "orphan") => &mut self.tcp_orphan,
            ("TCP:", "tw") => &mut self.tcp_tw,
            ("TCP:", "alloc") => &mut self.tcp_alloc,
            ("TCP:", "mem") => &mut self.tcp_mem,
            ("UDP:", "inuse") => &mut self.udp_inuse,
            ("UDPLITE:", "inuse") => &mut self.udplite_inuse,
            ("RAW:", "inuse") => &mut self.raw_inuse,
            ("FRAG:", "inuse") => &mut self.frag_inuse,
            ("FRAG:", "memory") => &mut self.frag_memory,
            ("TCP6:", "inuse") => &mut self.tcp6_inuse,
            ("UDP6:", "inuse") => &mut self.udp6_inuse,
            ("UDPLITE6:", "inuse") => &mut self.udplite6_inuse,
            ("RAW6:", "inuse") => &mut self.raw6_inuse,
            ("FRAG6:", "inuse") => &mut self.frag6_inuse,
            ("FRAG6:", "memory") => &mut self.frag6_memory,
            _ => return None,
        })
    }
}

/// The value of counter `name` on the `key` lines of `snmp` (a header line
/// of names, then a line of values); `None` if absent. Negative values
/// (`MaxConn` is -1) read as absent.
fn snmp_value(snmp: &str, key: &str, name: &str) -> Result<Option<u64>, FileError> {
    let mut lines = snmp.lines().enumerate();
    while let Some((_, header)) = lines.next() {
        let mut names = header.split_ascii_whitespace();
        if names.next() != Some(key) {
            continue;
        }
        let Some(pos) = names.position(|n| n == name) else {
            return Ok(None);
        };
        let Some((i, values)) = lines.next() else {
            return Ok(None);
        };
        let mut values = values.split_ascii_whitespace();
        if values.next() != Some(key) {
            return Ok(None);
        }
        let Some(v) = values.nth(pos) else {
            return Ok(None);
        };
        if v.starts_with('-') {
            return Ok(None);
        }
        return v.parse().map(Some).map_err(|_| FileError {
            line: i + 1,
            field: name_static(name),
            text: v.to_owned(),
        });
    }
    Ok(None)
}

/// The counter's name for an error.
fn name_static(name: &str) -> &'static str {
    if name == "CurrEstab" {
        "CurrEstab"
    } else {
        "counter"
    }
}
