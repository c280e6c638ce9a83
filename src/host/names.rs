//! Names in filters that only the host can look up: interface names (in
//! the calling thread's network namespace), cgroup paths (in its mount
//! namespace), service names (`/etc/services`) and host names
//! (`/etc/hosts`, never the network). Parsing a filter leaves them as
//! [`Name`]s; this is the explicit step that turns them into the numbers
//! the kernel matches.

use std::net::IpAddr;

use crate::files::{Hosts, Services};
use crate::inet::filter::{Filter, FilterError, Name, NameKind, Resolved};

/// `filter` with every name looked up, as [`NameLookup::new`] does: see
/// [`NameLookup::resolve`].
///
/// ```no_run
/// use sockdiag::inet::filter::Filter;
///
/// let f: Filter = "dev lo and sport = :ssh".parse()?;
/// assert_eq!(f.names().len(), 2);
/// let f = sockdiag::resolve_names(&f)?;
/// let program = f.compile()?;
/// # Ok::<(), sockdiag::inet::filter::FilterError>(())
/// ```
pub fn resolve_names(filter: &Filter) -> Result<Filter, FilterError> {
    NameLookup::new().resolve(filter)
}

/// How [`NameLookup::resolve`] looks names up: for which protocols a
/// service name is read, and which families of a host's addresses count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NameLookup {
    tcp: bool,
    udp: bool,
    ipv4: bool,
    ipv6: bool,
}

impl Default for NameLookup {
    fn default() -> Self {
        NameLookup::new()
    }
}

impl NameLookup {
    /// Services of TCP and UDP, addresses of both families.
    pub fn new() -> NameLookup {
        NameLookup {
            tcp: true,
            udp: true,
            ipv4: true,
            ipv6: true,
        }
    }

    /// Reads service names as ports of TCP, UDP or both (`ss` reads them
    /// for the tables it lists: `ss -u` for UDP only).
    #[must_use]
    pub fn services(mut self, tcp: bool, udp: bool) -> NameLookup {
        (self.tcp, self.udp) = (tcp, udp);
        self
    }

    /// Keeps a host's IPv4 addresses, IPv6 addresses, or both (`-4`, `-6`).
    #[must_use]
    pub fn families(mut self, ipv4: bool, ipv6: bool) -> NameLookup {
        (self.ipv4, self.ipv6) = (ipv4, ipv6);
        self
    }

    /// `filter` with every name looked up:
    ///
    /// - an interface name by `if_nametoindex`;
    /// - a cgroup path to its cgroup v2 id (the inode number of the
    ///   directory: the path itself when it is on a cgroup2 filesystem, as
    ///   `ss` reads it, otherwise relative to the cgroup2 mount, as
    ///   `/proc/PID/cgroup` and `ss -e` print it);
    /// - a service name to its port in `/etc/services`, for TCP and/or UDP
    ///   as [`services`](Self::services) says (two different ports are
    ///   [`FilterError::Ambiguous`], as in `ss`);
    /// - a host name to its addresses in `/etc/hosts` (IPv4 first), of the
    ///   [`families`](Self::families) kept. Only the file is read: no DNS,
    ///   so this never waits on the network.
    ///
    /// A name that cannot be found is [`FilterError::Lookup`] (an errno) or
    /// [`FilterError::Unknown`], naming it and its place in the text.
    pub fn resolve(&self, filter: &Filter) -> Result<Filter, FilterError> {
        let mut services: Option<Services> = None;
        let mut hosts: Option<Hosts> = None;
        filter.resolve(|name| match name.kind() {
            NameKind::Device => device(name).map(Resolved::Device),
            NameKind::Cgroup => cgroup_id(name).map(Resolved::Cgroup),
            NameKind::Service => {
                if services.is_none() {
                    services = Some(crate::system::services().map_err(|e| file_error(name, &e))?);
                }
                let db = services.as_ref().ok_or_else(|| unknown(name))?;
                self.port(db, name).map(Resolved::Port)
            }
            NameKind::Host => {
                if hosts.is_none() {
                    hosts = Some(crate::system::hosts().map_err(|e| file_error(name, &e))?);
                }
                let db = hosts.as_ref().ok_or_else(|| unknown(name))?;
                let mut addrs: Vec<IpAddr> = db
                    .addresses_of(name.text())
                    .into_iter()
                    .filter(|a| if a.is_ipv4() { self.ipv4 } else { self.ipv6 })
                    .collect();
                addrs.sort_by_key(|a| a.is_ipv6());
                if addrs.is_empty() {
                    return Err(unknown(name));
                }
                Ok(Resolved::Addresses(addrs))
            }
        })
    }

    /// The port of service `name`, as `ss` reads it.
    fn port(&self, db: &Services, name: &Name) -> Result<u16, FilterError> {
        let udp = self.udp.then(|| db.port_of(name.text(), "udp")).flatten();
        let tcp = self.tcp.then(|| db.port_of(name.text(), "tcp")).flatten();
        match (tcp, udp) {
            (Some(t), Some(u)) if t != u => Err(FilterError::Ambiguous {
                offset: name.offset().unwrap_or(0),
                token: name.text().to_owned(),
                tcp: t,
                udp: u,
            }),
            (Some(p), _) | (None, Some(p)) => Ok(p),
            (None, None) => Err(unknown(name)),
        }
    }
}

/// `name` was not found.
fn unknown(name: &Name) -> FilterError {
    FilterError::Unknown {
        offset: name.offset().unwrap_or(0),
        token: name.text().to_owned(),
        kind: name.kind(),
    }
}

/// A name database could not be read.
fn file_error(name: &Name, e: &crate::Error) -> FilterError {
    FilterError::Lookup {
        offset: name.offset().unwrap_or(0),
        token: name.text().to_owned(),
        errno: e.raw_os_error().unwrap_or(nix::errno::Errno::EIO as i32),
    }
}

/// The lookup error of `name`.
fn lookup_error(name: &Name, errno: nix::errno::Errno) -> FilterError {
    FilterError::Lookup {
        offset: name.offset().unwrap_or(0),
        token: name.text().to_owned(),
        errno: errno as i32,
    }
}

/// The index of the interface `name` in this thread's network namespace.
fn device(name: &Name) -> Result<u32, FilterError> {
    nix::net::if_::if_nametoindex(name.text()).map_err(|e| lookup_error(name, e))
}

/// The id of a cgroup v2 (the inode number of its directory): `path` as a
/// filesystem path if it is a directory of a cgroup2 filesystem (what `ss`
/// reads), otherwise relative to the cgroup2 mount (the form `ss -e` and
/// `/proc/PID/cgroup` print, such as `/system.slice/x.service`).
fn cgroup_id(name: &Name) -> Result<u64, FilterError> {
    let text = name.text();
    let lookup = |errno: nix::errno::Errno| lookup_error(name, errno);
    let on_cgroup2 = nix::sys::statfs::statfs(text)
        .is_ok_and(|fs| fs.filesystem_type() == nix::sys::statfs::CGROUP2_SUPER_MAGIC);
    let path = if on_cgroup2 {
        text.to_owned()
    } else {
        let mount =
            crate::system::cgroup2_mount().ok_or_else(|| lookup(nix::errno::Errno::ENOENT))?;
        format!(
            "{}/{}",
            mount.trim_end_matches('/'),
            text.trim_start_matches('/')
        )
    };
    let st = nix::sys::stat::stat(path.as_str()).map_err(lookup)?;
    Ok(st.st_ino)
}
