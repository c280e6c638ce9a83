//! The host's files besides netlink, read here and parsed by
//! [`files`](crate::files): name databases (`/etc/services`,
//! `/etc/hosts`), the socket tables and counters of `/proc/net`, the
//! registered protocols, the ephemeral port range, and the cgroup v2
//! hierarchy's paths.
//!
//! `/proc/net` and `/proc/sys/net` describe the network namespace of the
//! *calling thread* (this reads `/proc/thread-self`), so that a thread
//! that entered another namespace ([`NetNs::run`](crate::NetNs::run))
//! reads that namespace's tables.

use std::collections::HashMap;
use std::io;
use std::ops::RangeInclusive;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::error::{Error, FileFailure};
use crate::files::{
    proc_sockets, protocols as protocol_names, Hosts, ProcSocket, Protocols, Services, SockStat,
};

/// The file `name` of the calling thread's `/proc/.../net`.
fn proc_net(name: &str) -> PathBuf {
    let thread = Path::new("/proc/thread-self/net");
    if thread.exists() {
        thread.join(name)
    } else {
        Path::new("/proc/self/net").join(name)
    }
}

/// The text of `path`; `Ok(None)` if it does not exist.
fn read(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::File {
            path: path.display().to_string(),
            error: FileFailure::Read(e),
        }),
    }
}

/// `/etc/services`; empty if there is none (as the C library then knows
/// no services).
pub fn services() -> Result<Services, Error> {
    Ok(Services::parse(
        &read(Path::new("/etc/services"))?.unwrap_or_default(),
    ))
}

/// `/etc/protocols`; empty if there is none.
pub fn ip_protocols() -> Result<Protocols, Error> {
    Ok(Protocols::parse(
        &read(Path::new("/etc/protocols"))?.unwrap_or_default(),
    ))
}

/// `/etc/hosts`; empty if there is none. Only the file: no resolver, no
/// network, so a lookup never waits.
pub fn hosts() -> Result<Hosts, Error> {
    Ok(Hosts::parse(
        &read(Path::new("/etc/hosts"))?.unwrap_or_default(),
    ))
}

/// A socket table of `/proc/net`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProcNet {
    /// `tcp`
    Tcp,
    /// `tcp6`
    Tcp6,
    /// `udp`
    Udp,
    /// `udp6`
    Udp6,
    /// `udplite`
    UdpLite,
    /// `udplite6`
    UdpLite6,
    /// `raw`
    Raw,
    /// `raw6`
    Raw6,
}

impl ProcNet {
    /// The file's name under `/proc/net`.
    pub fn file_name(self) -> &'static str {
        match self {
            ProcNet::Tcp => "tcp",
            ProcNet::Tcp6 => "tcp6",
            ProcNet::Udp => "udp",
            ProcNet::Udp6 => "udp6",
            ProcNet::UdpLite => "udplite",
            ProcNet::UdpLite6 => "udplite6",
            ProcNet::Raw => "raw",
            ProcNet::Raw6 => "raw6",
        }
    }

    /// Whether its addresses are IPv6.
    pub fn is_v6(self) -> bool {
        matches!(
            self,
            ProcNet::Tcp6 | ProcNet::Udp6 | ProcNet::UdpLite6 | ProcNet::Raw6
        )
    }
}

/// One `/proc/net` socket table as read: what `ss` falls back to when a
/// diag module is missing (RAW sockets without `raw_diag`).
#[derive(Clone, Debug)]
pub struct ProcTable {
    table: ProcNet,
    path: String,
    text: String,
}

impl ProcTable {
    /// Reads `table` of the calling thread's network namespace; `Ok(None)`
    /// if the kernel has no such file (an IPv6 table without IPv6).
    pub fn read(table: ProcNet) -> Result<Option<ProcTable>, Error> {
        let path = proc_net(table.file_name());
        Ok(read(&path)?.map(|text| ProcTable {
            table,
            path: path.display().to_string(),
            text,
        }))
    }

    /// Which table it is.
    pub fn table(&self) -> ProcNet {
        self.table
    }

    /// Its sockets; a line that does not parse is an [`Error::File`]
    /// naming the file and the line.
    pub fn sockets(&self) -> impl Iterator<Item = Result<ProcSocket<'_>, Error>> + '_ {
        proc_sockets(&self.text, self.table.is_v6()).map(|r| {
            r.map_err(|e| Error::File {
                path: self.path.clone(),
                error: FileFailure::Format(e),
            })
        })
    }
}

/// The socket counters of the calling thread's network namespace
/// (`/proc/net/sockstat`, `sockstat6`, `snmp`): what `ss -s` prints, in
/// constant time.
pub fn sockstat() -> Result<SockStat, Error> {
    let file = |name: &str| -> Result<(String, String), Error> {
        let path = proc_net(name);
        Ok((path.display().to_string(), read(&path)?.unwrap_or_default()))
    };
    let (path, sockstat) = file("sockstat")?;
    let (_, sockstat6) = file("sockstat6")?;
    let (_, snmp) = file("snmp")?;
    SockStat::parse(&sockstat, &sockstat6, &snmp).map_err(|e| Error::File {
        path,
        error: FileFailure::Format(e),
    })
}

/// The protocols registered with the socket layer (`/proc/net/protocols`:
/// `TCP`, `UDP`, `SCTP`, `DCCP`, `AF_VSOCK`, ...): a protocol missing here
/// has no sockets, whatever the diag modules.
pub fn protocols() -> Result<Vec<String>, Error> {
    let text = read(&proc_net("protocols"))?.unwrap_or_default();
    Ok(protocol_names(&text).map(str::to_owned).collect())
}

/// `net.ipv4.ip_local_port_range` of the calling thread's network
/// namespace, or Linux's default (32768..=60999) if it cannot be read.
pub fn ephemeral_ports() -> RangeInclusive<u16> {
    let (lo, hi) = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|s| {
            let mut it = s.split_whitespace().map(|p| p.parse::<u16>().ok());
            Some((it.next()??, it.next()??))
        })
        .filter(|(lo, hi)| lo <= hi)
        .unwrap_or((32768, 60999));
    lo..=hi
}

/// Where cgroup v2 is mounted, from `/proc/self/mountinfo`.
pub fn cgroup2_mount() -> Option<String> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    info.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        if right.split_whitespace().next()? != "cgroup2" {
            return None;
        }
        Some(unescape(left.split_whitespace().nth(4)?))
    })
}

/// Undoes mountinfo's `\ooo` escapes of spaces and the like.
fn unescape(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let code = b
            .get(i + 1..i + 4)
            .filter(|d| c == b'\\' && d.iter().all(|x| (b'0'..=b'7').contains(x)))
            .and_then(|d| u8::from_str_radix(core::str::from_utf8(d).ok()?, 8).ok());
        match code {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The paths of the cgroup v2 hierarchy by id (the inode number of each
/// directory), relative to the cgroup2 mount (`/` for the root), as
/// `/proc/PID/cgroup` and `ss -e` print them.
#[derive(Clone, Debug, Default)]
pub struct CgroupPaths {
    paths: HashMap<u64, String>,
}

/// Directories deeper than this below the mount are not walked.
const CGROUP_DEPTH: usize = 64;

impl CgroupPaths {
    /// Walks the cgroup2 mount (one `stat` per directory; nothing else is
    /// followed: no symbolic links, no other filesystem). Empty if cgroup
    /// v2 is not mounted.
    pub fn scan() -> CgroupPaths {
        let mut paths = HashMap::new();
        let Some(mount) = cgroup2_mount() else {
            return CgroupPaths { paths };
        };
        let root = PathBuf::from(&mount);
        let Ok(meta) = std::fs::symlink_metadata(&root) else {
            return CgroupPaths { paths };
        };
        let dev = meta.dev();
        paths.insert(meta.ino(), "/".to_owned());
        let mut stack = vec![(root.clone(), 0usize)];
        while let Some((dir, depth)) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries.flatten() {
                let Ok(meta) = entry.metadata() else { continue };
                if !meta.is_dir() || meta.dev() != dev {
                    continue;
                }
                let path = entry.path();
                if let Ok(rel) = path.strip_prefix(&root) {
                    paths.insert(meta.ino(), format!("/{}", rel.display()));
                }
                if depth + 1 < CGROUP_DEPTH {
                    stack.push((path, depth + 1));
                }
            }
        }
        CgroupPaths { paths }
    }

    /// The path of cgroup `id`, if it was found.
    pub fn path_of(&self, id: u64) -> Option<&str> {
        self.paths.get(&id).map(String::as_str)
    }

    /// The number of cgroups found.
    pub fn len(&self) -> usize {
        self.paths.len()
    }

    /// True if none were found.
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty()
    }
}
