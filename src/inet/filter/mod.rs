//! Kernel-side filters for inet dumps: a typed [`Filter`], compiled to the
//! `inet_diag` bytecode (`INET_DIAG_REQ_BYTECODE`) that the kernel runs on
//! every socket of a dump, so that only matching sockets are sent.
//!
//! ```
//! use sockdiag::inet::filter::{Bytecode, Cmp, Filter, Prefix};
//! use sockdiag::inet::{Family, InetRequest, Protocol};
//!
//! // Typed, or parsed from `ss`'s syntax:
//! let typed = Filter::src_port(Cmp::Eq, 443).and(Filter::dst("10.0.0.0/8".parse::<Prefix>()?));
//! let parsed: Filter = "sport = :443 and dst 10.0.0.0/8".parse()?;
//! assert_eq!(typed, parsed);
//!
//! // Compiled into storage the caller owns (no allocation), checked with
//! // the kernel's own rules, and attached to a dump request by reference:
//! let mut storage = [0u8; 64];
//! let program: Bytecode<&[u8]> = parsed.compile_into(&mut storage)?;
//! let req = InetRequest::new(Family::Inet, Protocol::Tcp).with_bytecode(&program);
//! # let _ = req;
//! # Ok::<(), sockdiag::inet::filter::FilterError>(())
//! ```
//!
//! # Semantics
//!
//! Those of the kernel's `inet_diag_bc_run`, which [`Filter::matches`] and
//! [`Bytecode::matches`] reproduce in userspace:
//!
//! - Ports are compared as numbers: [`Cmp::Eq`], [`Cmp::Ge`], [`Cmp::Le`]
//!   (`!=`, `>` and `<` are their negations).
//! - An address condition ([`Host`]) is a prefix and/or a port. An IPv4
//!   prefix also matches the v4-mapped addresses (`::ffff:a.b.c.d`) of
//!   IPv6 sockets; an IPv6 prefix matches IPv6 sockets only. A host
//!   without a prefix matches every address.
//! - [`Filter::auto_bound`] matches sockets that lack the kernel's
//!   `SOCK_BINDPORT_LOCK`: whose local port the kernel chose, and also
//!   every accepted connection (the kernel clears the lock on the clone),
//!   `TIME_WAIT` and `SYN_RECV` sockets. (`ss` re-checks `autobound` in
//!   userspace against the local port range, so it shows fewer.)
//! - [`Filter::mark`] needs `CAP_NET_ADMIN` (the kernel answers `EPERM`).
//!
//! Port equality needs Linux 4.16, device 4.8, mark 4.9, cgroup 5.8; an
//! older kernel rejects the program with `EINVAL`.
//!
//! # Text syntax
//!
//! The filter expressions of `ss(8)`, read as `ss` reads them, by
//! [`str::parse`] (or [`Filter::parse_as`] for `ss -x`'s unix names):
//!
//! | expression | meaning |
//! |---|---|
//! | `sport = :443`, `dport >= 1024`, `sport != :22`, `dport < :0x400`, `sport = :ssh` | port comparisons (`=` `==` `eq`, `!=` `ne` `neq`, `>=` `ge` `geq`, `<=` `le` `leq`, `>` `gt`, `<` `lt`; the colon is optional; numbers as C reads them: `22`, `0x16`, `026`; `:*` is any port; a service name is looked up in `/etc/services` when [resolved](crate::resolve_names)) |
//! | `src 10.0.0.0/8`, `dst 10.1.2.3:80`, `src 127.0.0.1:*`, `src [::1]`, `dst [fe80::/10]:22`, `dst fe80::/10`, `src *:22`, `dst localhost:https` | addresses with optional prefix and port (`=`, `!=` allowed); IPv6 in brackets unless it has a prefix length; IPv4 as iproute2 reads it (`127.1` is 127.1.0.0, parts may be hex), prefix lengths as numbers or masks (`/255.0.0.0`); a host name is looked up in `/etc/hosts` when resolved, and matches any of its addresses |
//! | `src unix:/run/*`, `src /run/*.sock`, `src @abstract` | unix socket names, `fnmatch(3)` patterns ignoring case ([`Filter::matches_unix`]); `\` quotes a blank, `(`, `)`, `&` or `\|` |
//! | `autobound` | the kernel chose the local port |
//! | `dev = eth0`, `dev = 2` | bound interface, by name (looked up when resolved) or index |
//! | `fwmark = 0x10/0xff` | `mark & mask == value` (mask defaults to all ones) |
//! | `cgroup = /system.slice/x.service` | cgroup v2 path below the cgroup2 mount (looked up when resolved) |
//! | `cgroupid = 1234` | cgroup v2 id |
//! | `a and b`, `a && b`, `a & b`, `a b` | both |
//! | `a or b`, `a \|\| b`, `a \| b` | either |
//! | `not a`, `! a`, `( a )` | negation, grouping |
//!
//! Mind that `and` and `or` have **the same precedence and apply left to
//! right**, as in `ss`: `a or b and c` is `(a or b) and c`. Parenthesise
//! when in doubt; [`Display`](fmt::Display) always does. Errors give the
//! byte offset of the offending token.

mod bytecode;
mod parse;
mod split;
mod unix;

#[cfg(test)]
mod tests;

use core::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

pub use bytecode::{AuditRule, Branch, Bytecode, MAX_BYTECODE_LEN};
pub use parse::AddressKind;
pub use split::Halves;
pub use unix::UnixEntry;

use super::{InetMsg, InetSocket};

/// Deepest nesting of `not`, `and`, `or` and parentheses that the parser
/// accepts and the compiler compiles.
pub const MAX_DEPTH: usize = 64;

/// A port comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    /// Equal (`INET_DIAG_BC_S_EQ`/`D_EQ`, Linux 4.16).
    Eq,
    /// Greater than or equal (`INET_DIAG_BC_S_GE`/`D_GE`).
    Ge,
    /// Less than or equal (`INET_DIAG_BC_S_LE`/`D_LE`).
    Le,
}

impl Cmp {
    /// The operator as the filter text writes it.
    fn op(self) -> &'static str {
        match self {
            Cmp::Eq => "=",
            Cmp::Ge => ">=",
            Cmp::Le => "<=",
        }
    }

    fn holds(self, value: u16, operand: u16) -> bool {
        match self {
            Cmp::Eq => value == operand,
            Cmp::Ge => value >= operand,
            Cmp::Le => value <= operand,
        }
    }
}

/// An address prefix: an IPv4 or IPv6 address and how many of its leading
/// bits must match (at most 32 or 128).
///
/// Parses from `10.0.0.0/8`, `10.1.2.3` (all bits), `::1`, `fe80::/10`,
/// `[fe80::/10]`, `[fe80::]/10`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Prefix {
    addr: IpAddr,
    len: u8,
}

impl Prefix {
    /// The prefix of the first `len` bits of `addr`; `None` if `len` is
    /// longer than the address.
    pub const fn new(addr: IpAddr, len: u8) -> Option<Prefix> {
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        if len > max {
            None
        } else {
            Some(Prefix { addr, len })
        }
    }

    /// The address (bits past the prefix are kept but not compared).
    pub const fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    pub const fn prefix_len(&self) -> u8 {
        self.len
    }

    fn is_host(&self) -> bool {
        self.len == max_len(&self.addr)
    }
}

fn max_len(addr: &IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

impl From<IpAddr> for Prefix {
    /// The whole address.
    fn from(addr: IpAddr) -> Prefix {
        Prefix {
            addr,
            len: max_len(&addr),
        }
    }
}

impl From<Ipv4Addr> for Prefix {
    /// The whole address.
    fn from(addr: Ipv4Addr) -> Prefix {
        Prefix::from(IpAddr::V4(addr))
    }
}

impl From<Ipv6Addr> for Prefix {
    /// The whole address.
    fn from(addr: Ipv6Addr) -> Prefix {
        Prefix::from(IpAddr::V6(addr))
    }
}

impl fmt::Display for Prefix {
    /// `10.0.0.0/8`, `10.1.2.3`, `[fe80::/10]`, `[::1]`: the forms both
    /// this crate's and `ss`'s filter syntax read (brackets keep an IPv6
    /// address apart from a port).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.addr, self.is_host()) {
            (IpAddr::V4(a), true) => write!(f, "{a}"),
            (IpAddr::V4(a), false) => write!(f, "{a}/{}", self.len),
            (IpAddr::V6(a), true) => write!(f, "[{a}]"),
            (IpAddr::V6(a), false) => write!(f, "[{a}/{}]", self.len),
        }
    }
}

impl FromStr for Prefix {
    type Err = FilterError;

    fn from_str(s: &str) -> Result<Prefix, FilterError> {
        parse::prefix(s, 0)
    }
}

/// An address condition (`struct inet_diag_hostcond`): a [`Prefix`] the
/// address must fall in, a port it must have, or both. The default matches
/// everything.
///
/// Parses from the filter syntax's host forms: `10.0.0.0/8`, `10.1.2.3:80`,
/// `[::1]`, `[::1]:443`, `[fe80::/10]`, `fe80::/10`, `*:22`, `:22`, `*`
/// (an IPv6 address needs brackets unless it has a prefix length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Host {
    /// The prefix, or `None` for any address (`AF_UNSPEC`).
    pub prefix: Option<Prefix>,
    /// The port, or `None` for any port.
    pub port: Option<u16>,
}

impl Host {
    /// Every address and port.
    pub const fn any() -> Host {
        Host {
            prefix: None,
            port: None,
        }
    }

    /// The same condition, also requiring `port`.
    #[must_use]
    pub const fn with_port(mut self, port: u16) -> Host {
        self.port = Some(port);
        self
    }

    fn matches(&self, addr: SocketAddr, family_v6: bool) -> bool {
        if self.port.is_some_and(|p| p != addr.port()) {
            return false;
        }
        match self.prefix {
            None => true,
            Some(p) => prefix_matches(&p, addr.ip(), family_v6),
        }
    }
}

/// The kernel's family rules and `bitstring_match`: an IPv4 prefix matches
/// IPv4 addresses of `AF_INET` sockets and v4-mapped addresses of
/// `AF_INET6` sockets; an IPv6 prefix only addresses of `AF_INET6` sockets.
pub(crate) fn prefix_matches(prefix: &Prefix, addr: IpAddr, family_v6: bool) -> bool {
    match (prefix.addr, family_v6) {
        (IpAddr::V4(want), false) => bits_match(&ip_octets(addr), &want.octets(), prefix.len),
        (IpAddr::V4(want), true) => {
            let octets = ip_octets(addr);
            match octets.get(..12) {
                Some([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]) => bits_match(
                    octets.get(12..).unwrap_or_default(),
                    &want.octets(),
                    prefix.len,
                ),
                _ => false,
            }
        }
        (IpAddr::V6(want), true) => bits_match(&ip_octets(addr), &want.octets(), prefix.len),
        (IpAddr::V6(_), false) => false,
    }
}

/// The address bytes as the kernel stores them: 4 for IPv4, 16 for IPv6.
fn ip_octets(addr: IpAddr) -> Vec16 {
    match addr {
        IpAddr::V4(a) => Vec16::new(&a.octets()),
        IpAddr::V6(a) => Vec16::new(&a.octets()),
    }
}

/// Up to 16 bytes on the stack.
struct Vec16 {
    bytes: [u8; 16],
    len: usize,
}

impl Vec16 {
    fn new(src: &[u8]) -> Vec16 {
        let mut bytes = [0; 16];
        let len = src.len().min(16);
        if let (Some(dst), Some(src)) = (bytes.get_mut(..len), src.get(..len)) {
            dst.copy_from_slice(src);
        }
        Vec16 { bytes, len }
    }
}

impl core::ops::Deref for Vec16 {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

/// Whether the first `bits` bits of `a` and `b` agree; false if either is
/// shorter than that.
pub(crate) fn bits_match(a: &[u8], b: &[u8], bits: u8) -> bool {
    let whole = usize::from(bits / 8);
    let rest = bits % 8;
    let (Some(a_whole), Some(b_whole)) = (a.get(..whole), b.get(..whole)) else {
        return false;
    };
    if a_whole != b_whole {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(whole), b.get(whole)) {
        (Some(x), Some(y)) => (x ^ y) & mask == 0,
        _ => false,
    }
}

impl From<Prefix> for Host {
    fn from(prefix: Prefix) -> Host {
        Host {
            prefix: Some(prefix),
            port: None,
        }
    }
}

impl From<IpAddr> for Host {
    /// The whole address, any port.
    fn from(addr: IpAddr) -> Host {
        Host::from(Prefix::from(addr))
    }
}

impl From<SocketAddr> for Host {
    /// The whole address and the port.
    fn from(addr: SocketAddr) -> Host {
        Host::from(addr.ip()).with_port(addr.port())
    }
}

impl fmt::Display for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.prefix {
            Some(p) => write!(f, "{p}")?,
            None => f.write_str("*")?,
        }
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

impl FromStr for Host {
    type Err = FilterError;

    fn from_str(s: &str) -> Result<Host, FilterError> {
        parse::host(s, 0)
    }
}

/// Which end of the connection a condition looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Side {
    Src,
    Dst,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Side::Src => "src",
            Side::Dst => "dst",
        }
    }

    /// The keyword of a port comparison on this side.
    fn port(self) -> &'static str {
        match self {
            Side::Src => "sport",
            Side::Dst => "dport",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Node {
    Port(Side, Cmp, u16),
    Host(Side, Host),
    AutoBound,
    Device(u32),
    Mark {
        value: u32,
        mask: u32,
    },
    Cgroup(u64),
    /// An interface or cgroup name only the host can look up.
    Name(Name),
    /// A port comparison with a service name.
    NamedPort(Side, Cmp, Name),
    /// An address condition with a host name, a service name, or both.
    NamedHost(Side, AddrPart, PortPart),
    /// A unix socket name pattern (`fnmatch`, ignoring case).
    Unix(Side, String),
    Not(Box<Node>),
    /// Two or more.
    And(Vec<Node>),
    /// Two or more.
    Or(Vec<Node>),
}

/// The address of a [`Node::NamedHost`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum AddrPart {
    /// A prefix, or any address.
    Prefix(Option<Prefix>),
    /// A host name.
    Name(Name),
}

/// The port of a [`Node::NamedHost`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum PortPart {
    /// Any port.
    Any,
    /// This port.
    Port(u16),
    /// A service name.
    Name(Name),
}

/// What a [`Name`] in a filter names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NameKind {
    /// An interface (`dev eth0`): its index is needed.
    Device,
    /// A cgroup v2 (`cgroup /system.slice`): its id is needed.
    Cgroup,
    /// A service (`sport = :https`): its port is needed.
    Service,
    /// A host (`dst localhost`): its addresses are needed.
    Host,
}

/// What the host found for a [`Name`], for [`Filter::resolve`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resolved {
    /// The index of an interface ([`NameKind::Device`]).
    Device(u32),
    /// The id of a cgroup v2 ([`NameKind::Cgroup`]).
    Cgroup(u64),
    /// The port of a service ([`NameKind::Service`]).
    Port(u16),
    /// The addresses of a host ([`NameKind::Host`]): the condition holds
    /// for any of them.
    Addresses(Vec<IpAddr>),
}

/// A name in a filter that only the host can turn into the number the
/// kernel matches: an interface name or a cgroup path. Parsing keeps it as
/// text; [`resolve_names`](crate::resolve_names) (or your own lookup, with
/// [`Filter::resolve`]) turns it into the number before the filter
/// compiles. Two names are equal when their kind and text are.
#[derive(Clone, Debug)]
pub struct Name {
    kind: NameKind,
    text: String,
    offset: Option<usize>,
}

impl Name {
    /// What it names.
    pub fn kind(&self) -> NameKind {
        self.kind
    }

    /// The name as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Byte offset of the name in the parsed text, if it came from one.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Name) -> bool {
        self.kind == other.kind && self.text == other.text
    }
}

impl Eq for Name {}

impl core::hash::Hash for Name {
    fn hash<H: core::hash::Hasher>(&self, h: &mut H) {
        self.kind.hash(h);
        self.text.hash(h);
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = Escaped(&self.text);
        match self.kind {
            NameKind::Device => write!(f, "dev = {text}"),
            NameKind::Cgroup => write!(f, "cgroup = {text}"),
            NameKind::Service => write!(f, ":{text}"),
            NameKind::Host => write!(f, "{text}"),
        }
    }
}

/// A typed filter over inet sockets: conditions on ports, addresses,
/// device, mark and cgroup, combined with [`and`](Filter::and),
/// [`or`](Filter::or) and `!` ([`Not`](core::ops::Not)).
///
/// [`compile_into`](Filter::compile_into) turns it into the kernel's
/// bytecode in caller-provided storage; [`compile`](Filter::compile) into
/// a `Vec`. Parse it from `ss`'s syntax with [`str::parse`] (see the
/// [module documentation](self)); [`Display`](fmt::Display) writes that
/// syntax back.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Filter {
    node: Node,
    /// Nesting depth of `node` (an atom is 1).
    depth: usize,
}

impl Filter {
    fn atom(node: Node) -> Filter {
        Filter { node, depth: 1 }
    }

    /// Local port `cmp` `port`.
    pub fn src_port(cmp: Cmp, port: u16) -> Filter {
        Filter::atom(Node::Port(Side::Src, cmp, port))
    }

    /// Remote port `cmp` `port`.
    pub fn dst_port(cmp: Cmp, port: u16) -> Filter {
        Filter::atom(Node::Port(Side::Dst, cmp, port))
    }

    /// Local address (and port) match `host`.
    pub fn src(host: impl Into<Host>) -> Filter {
        Filter::atom(Node::Host(Side::Src, host.into()))
    }

    /// Remote address (and port) match `host`.
    pub fn dst(host: impl Into<Host>) -> Filter {
        Filter::atom(Node::Host(Side::Dst, host.into()))
    }

    /// The kernel chose the local port (`INET_DIAG_BC_AUTO`: the socket
    /// lacks `SOCK_BINDPORT_LOCK`).
    pub fn auto_bound() -> Filter {
        Filter::atom(Node::AutoBound)
    }

    /// Bound to the interface with index `ifindex` (`SO_BINDTODEVICE`; 0 =
    /// not bound).
    pub fn device(ifindex: u32) -> Filter {
        Filter::atom(Node::Device(ifindex))
    }

    /// `mark & mask == value` (`SO_MARK`; the kernel wants `CAP_NET_ADMIN`).
    pub fn mark(value: u32, mask: u32) -> Filter {
        Filter::atom(Node::Mark { value, mask })
    }

    /// In the cgroup v2 with id `id` (the inode number of its directory).
    pub fn cgroup(id: u64) -> Filter {
        Filter::atom(Node::Cgroup(id))
    }

    /// Bound to the interface named `name`: to be [resolved](Self::resolve)
    /// to its index before the filter compiles.
    pub fn device_named(name: impl Into<String>) -> Filter {
        Filter::name(NameKind::Device, name.into(), None)
    }

    /// In the cgroup v2 at `path` (a cgroup2 directory, or a path below the
    /// cgroup2 mount as `/proc/PID/cgroup` prints it): to be
    /// [resolved](Self::resolve) to its id before the filter compiles.
    pub fn cgroup_path(path: impl Into<String>) -> Filter {
        Filter::name(NameKind::Cgroup, path.into(), None)
    }

    pub(super) fn name(kind: NameKind, text: String, offset: Option<usize>) -> Filter {
        Filter::atom(Node::Name(Name { kind, text, offset }))
    }

    /// The names in the filter that must be [resolved](Self::resolve)
    /// before it compiles, in the order they appear.
    pub fn names(&self) -> Vec<&Name> {
        fn walk<'a>(node: &'a Node, out: &mut Vec<&'a Name>) {
            match node {
                Node::Name(n) | Node::NamedPort(_, _, n) => out.push(n),
                Node::NamedHost(_, addr, port) => {
                    if let AddrPart::Name(n) = addr {
                        out.push(n);
                    }
                    if let PortPart::Name(n) = port {
                        out.push(n);
                    }
                }
                Node::Not(inner) => walk(inner, out),
                Node::And(list) | Node::Or(list) => list.iter().for_each(|n| walk(n, out)),
                _ => {}
            }
        }
        let mut out = Vec::new();
        if self.depth <= MAX_DEPTH {
            walk(&self.node, &mut out);
        }
        out
    }

    /// The filter with each [`Name`] replaced by what `lookup` found for
    /// it: an interface index, a cgroup id, a port, or addresses (a host
    /// condition then holds for any of them). The first error of `lookup`
    /// is returned; a name answered with a value of another kind, or with
    /// no addresses, stays a name. Pure: the lookups are the caller's
    /// ([`resolve_names`](crate::resolve_names) asks the host).
    pub fn resolve<E>(
        &self,
        mut lookup: impl FnMut(&Name) -> Result<Resolved, E>,
    ) -> Result<Filter, E> {
        fn walk<E>(
            node: &Node,
            lookup: &mut dyn FnMut(&Name) -> Result<Resolved, E>,
        ) -> Result<Node, E> {
            Ok(match node {
                Node::Name(n) => match (n.kind, lookup(n)?) {
                    (NameKind::Device, Resolved::Device(i)) => Node::Device(i),
                    (NameKind::Cgroup, Resolved::Cgroup(id)) => Node::Cgroup(id),
                    _ => node.clone(),
                },
                Node::NamedPort(side, cmp, n) => match lookup(n)? {
                    Resolved::Port(p) if n.kind == NameKind::Service => Node::Port(*side, *cmp, p),
                    _ => node.clone(),
                },
                Node::NamedHost(side, addr, port) => {
                    let port = match port {
                        PortPart::Name(n) => match lookup(n)? {
                            Resolved::Port(p) if n.kind == NameKind::Service => PortPart::Port(p),
                            _ => port.clone(),
                        },
                        other => other.clone(),
                    };
                    let addrs = match addr {
                        AddrPart::Name(n) => match lookup(n)? {
                            Resolved::Addresses(v) if n.kind == NameKind::Host && !v.is_empty() => {
                                Some(v)
                            }
                            _ => None,
                        },
                        AddrPart::Prefix(_) => None,
                    };
                    let number = |p: &PortPart| match p {
                        PortPart::Port(n) => Some(*n),
                        _ => None,
                    };
                    match (addr, addrs, &port) {
                        (_, _, PortPart::Name(_)) | (AddrPart::Name(_), None, _) => {
                            Node::NamedHost(*side, addr.clone(), port.clone())
                        }
                        (AddrPart::Prefix(prefix), _, port) => Node::Host(
                            *side,
                            Host {
                                prefix: *prefix,
                                port: number(port),
                            },
                        ),
                        (AddrPart::Name(_), Some(addrs), port) => {
                            let mut hosts: Vec<Node> = addrs
                                .into_iter()
                                .map(|a| {
                                    Node::Host(
                                        *side,
                                        Host {
                                            prefix: Some(Prefix::from(a)),
                                            port: number(port),
                                        },
                                    )
                                })
                                .collect();
                            match hosts.len() {
                                1 => hosts.pop().unwrap_or_else(|| node.clone()),
                                _ => Node::Or(hosts),
                            }
                        }
                    }
                }
                Node::Not(inner) => Node::Not(Box::new(walk(inner, lookup)?)),
                Node::And(list) => Node::And(
                    list.iter()
                        .map(|n| walk(n, lookup))
                        .collect::<Result<_, E>>()?,
                ),
                Node::Or(list) => {
                    // A host that became several stays one flat chain.
                    let mut out = Vec::with_capacity(list.len());
                    for n in list {
                        match walk(n, lookup)? {
                            Node::Or(inner) => out.extend(inner),
                            other => out.push(other),
                        }
                    }
                    Node::Or(out)
                }
                other => other.clone(),
            })
        }
        if self.depth > MAX_DEPTH {
            // Refused by `compile` and `matches`; not walked.
            return Ok(self.clone());
        }
        let node = walk(&self.node, &mut lookup)?;
        Ok(Filter {
            depth: depth_of(&node),
            node,
        })
    }

    /// Both `self` and `other`.
    #[must_use]
    pub fn and(self, other: Filter) -> Filter {
        self.join(other, true)
    }

    /// Either `self` or `other`.
    #[must_use]
    pub fn or(self, other: Filter) -> Filter {
        self.join(other, false)
    }

    fn join(self, other: Filter, and: bool) -> Filter {
        let same = |n: &Node| matches!((n, and), (Node::And(_), true) | (Node::Or(_), false));
        // Chains stay flat: `a and b and c` is one node of three.
        let (mut list, mut depth) = if same(&self.node) {
            match self.node {
                Node::And(v) | Node::Or(v) => (v, self.depth),
                _ => (Vec::new(), 1),
            }
        } else {
            (vec![self.node], self.depth.saturating_add(1))
        };
        if same(&other.node) {
            if let Node::And(v) | Node::Or(v) = other.node {
                list.extend(v);
            }
            depth = depth.max(other.depth);
        } else {
            list.push(other.node);
            depth = depth.max(other.depth.saturating_add(1));
        }
        let node = if and { Node::And(list) } else { Node::Or(list) };
        Filter { node, depth }
    }

    /// Parses `ss`'s filter syntax with `kind` as the meaning of a bare
    /// `src`/`dst` value: `ss -x src '/run/*'` is
    /// `Filter::parse_as("src /run/*", AddressKind::Unix)` (a value with
    /// `unix:`, or starting with `/` or `@`, is a unix name pattern
    /// either way). [`str::parse`] is `AddressKind::Inet`.
    pub fn parse_as(text: &str, kind: AddressKind) -> Result<Filter, FilterError> {
        parse::filter(text, kind)
    }

    /// The nesting depth: 1 for a single condition.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Evaluates the filter on one socket as the kernel would: `Some(true)`
    /// or `Some(false)`, or `None` when the answer depends on a fact that
    /// `entry` does not know (see [`Entry`]), or the filter is nested deeper
    /// than [`MAX_DEPTH`].
    pub fn matches(&self, entry: &Entry) -> Option<bool> {
        if self.depth > MAX_DEPTH {
            return None;
        }
        eval(&self.node, entry)
    }
}

fn eval(node: &Node, e: &Entry) -> Option<bool> {
    let v6 = e.src.is_ipv6();
    match node {
        Node::Port(side, cmp, port) => {
            let value = match side {
                Side::Src => e.src.port(),
                Side::Dst => e.dst.port(),
            };
            Some(cmp.holds(value, *port))
        }
        Node::Host(Side::Src, host) => Some(host.matches(e.src, v6)),
        Node::Host(Side::Dst, host) => Some(host.matches(e.dst, v6)),
        Node::AutoBound => e.auto_bound,
        Node::Device(index) => Some(e.interface == *index),
        Node::Mark { value, mask } => e.mark.map(|m| m & mask == *value),
        Node::Cgroup(id) => e.cgroup_id.map(|c| c == *id),
        Node::Name(_) | Node::NamedPort(..) | Node::NamedHost(..) => None,
        // A unix name is never that of an inet socket.
        Node::Unix(..) => Some(false),
        Node::Not(inner) => eval(inner, e).map(|b| !b),
        Node::And(list) => all_or_any(list, true, |n| eval(n, e)),
        Node::Or(list) => all_or_any(list, false, |n| eval(n, e)),
    }
}

/// `and` (`all`) or `or` of `list` in three-valued logic: the deciding
/// value as soon as one is found, else `None` if any is unknown.
fn all_or_any(
    list: &[Node],
    all: bool,
    mut eval: impl FnMut(&Node) -> Option<bool>,
) -> Option<bool> {
    let mut unknown = false;
    for n in list {
        match eval(n) {
            Some(v) if v != all => return Some(v),
            None => unknown = true,
            Some(_) => {}
        }
    }
    (!unknown).then_some(all)
}

/// The nesting depth of `node`: 1 for a condition.
fn depth_of(node: &Node) -> usize {
    match node {
        Node::Not(inner) => depth_of(inner).saturating_add(1),
        Node::And(list) | Node::Or(list) => list
            .iter()
            .map(depth_of)
            .max()
            .unwrap_or(0)
            .saturating_add(1),
        _ => 1,
    }
}

impl core::ops::Not for Filter {
    type Output = Filter;

    /// Neither.
    fn not(self) -> Filter {
        Filter {
            node: Node::Not(Box::new(self.node)),
            depth: self.depth.saturating_add(1),
        }
    }
}

impl FromStr for Filter {
    type Err = FilterError;

    /// Parses `ss`'s filter syntax (see the [module documentation](self)).
    /// Parsing is pure: interface names and cgroup paths stay
    /// [names](Filter::names) until [resolved](Filter::resolve).
    fn from_str(s: &str) -> Result<Filter, FilterError> {
        parse::filter(s, AddressKind::Inet)
    }
}

impl fmt::Display for Filter {
    /// The filter in `ss`'s syntax, parenthesised so that it reads the same
    /// in `ss` and parses back to an equal filter.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_node(f, &self.node)
    }
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &Node) -> fmt::Result {
    match node {
        Node::Port(side, cmp, port) => write!(f, "{} {} :{port}", side.port(), cmp.op()),
        Node::Host(side, host) => write!(f, "{} {host}", side.name()),
        Node::AutoBound => f.write_str("autobound"),
        Node::Device(index) => write!(f, "dev = {index}"),
        Node::Mark { value, mask } => write!(f, "fwmark = {value:#x}/{mask:#x}"),
        Node::Cgroup(id) => write!(f, "cgroupid = {id}"),
        Node::Name(n) => write!(f, "{n}"),
        Node::NamedPort(side, cmp, name) => write!(f, "{} {} {name}", side.port(), cmp.op()),
        Node::NamedHost(side, addr, port) => {
            write!(f, "{} ", side.name())?;
            // A host named like a family prefix (`inet6`) would read as
            // one: behind `inet:` it reads as the name.
            if let AddrPart::Name(n) = addr {
                if ["inet", "inet6", "unix", "link", "netlink", "vsock"].contains(&n.text()) {
                    f.write_str("inet:")?;
                }
            }
            match addr {
                AddrPart::Prefix(Some(p)) => write!(f, "{p}")?,
                AddrPart::Prefix(None) => f.write_str("*")?,
                AddrPart::Name(n) => write!(f, "{n}")?,
            }
            match port {
                // A host named like an operator (`ne`) would read as one:
                // `ne:` (any port) reads as the name.
                PortPart::Any => match addr {
                    AddrPart::Name(n) if OP_WORDS.contains(&n.text()) => f.write_str(":"),
                    _ => Ok(()),
                },
                PortPart::Port(p) => write!(f, ":{p}"),
                PortPart::Name(n) => write!(f, "{n}"),
            }
        }
        Node::Unix(side, pattern) => write!(f, "{} unix:{}", side.name(), Escaped(pattern)),
        Node::Not(inner) => {
            f.write_str("not ")?;
            write_operand(f, inner)
        }
        Node::And(list) | Node::Or(list) => {
            let sep = if matches!(node, Node::And(_)) {
                " and "
            } else {
                " or "
            };
            for (i, n) in list.iter().enumerate() {
                if i > 0 {
                    f.write_str(sep)?;
                }
                write_operand(f, n)?;
            }
            Ok(())
        }
    }
}

/// An operand of `not`, `and`, `or`: parenthesised if it is itself a
/// combination.
fn write_operand(f: &mut fmt::Formatter<'_>, node: &Node) -> fmt::Result {
    if matches!(node, Node::And(_) | Node::Or(_)) {
        f.write_str("(")?;
        write_node(f, node)?;
        f.write_str(")")
    } else {
        write_node(f, node)
    }
}

/// The words that are comparison operators.
const OP_WORDS: &[&str] = &["eq", "ne", "neq", "ge", "geq", "le", "leq", "gt", "lt"];

/// Text as a value of the filter syntax: whitespace and what ends a value
/// (`)`, `&`, `|`), `(` and `\\` escaped with a backslash.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for c in self.0.chars() {
            if c.is_whitespace() || matches!(c, '(' | ')' | '&' | '|' | '\\') {
                f.write_char('\\')?;
            }
            f.write_char(c)?;
        }
        Ok(())
    }
}

/// What a filter looks at in one socket: the kernel's
/// `struct inet_diag_entry`, for evaluating filters in userspace
/// ([`Filter::matches`], [`Bytecode::matches`]), for instance over a
/// replayed capture.
///
/// The socket's family is that of `src`. Facts a dump does not report are
/// `None`, and a filter that needs one evaluates to `None`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Entry {
    /// Local address and port (IPv6, possibly v4-mapped, for `AF_INET6`).
    pub src: SocketAddr,
    /// Remote address and port.
    pub dst: SocketAddr,
    /// Bound interface index, or 0.
    pub interface: u32,
    /// Whether the kernel chose the local port (not reported by dumps).
    pub auto_bound: Option<bool>,
    /// The socket mark (`INET_DIAG_MARK`, sent to `CAP_NET_ADMIN` only).
    pub mark: Option<u32>,
    /// The cgroup v2 id (`INET_DIAG_CGROUP_ID`, full sockets only).
    pub cgroup_id: Option<u64>,
}

impl Entry {
    /// The two ends alone: no interface, everything else unknown — enough
    /// for filters on addresses and ports.
    pub fn new(src: SocketAddr, dst: SocketAddr) -> Entry {
        Entry {
            src,
            dst,
            interface: 0,
            auto_bound: None,
            mark: None,
            cgroup_id: None,
        }
    }

    /// Addresses, ports and interface from `msg`; mark and cgroup id from
    /// its attributes when present; `auto_bound` unknown. An attribute that
    /// does not parse is an error: it could have been the mark or cgroup
    /// id a filter asks about.
    pub fn from_msg(msg: &InetMsg<'_>) -> Result<Entry, crate::ParseError> {
        let mut entry = Entry {
            src: msg.src(),
            dst: msg.dst(),
            interface: msg.interface(),
            auto_bound: None,
            mark: None,
            cgroup_id: None,
        };
        for attr in msg.attributes() {
            match attr? {
                super::InetAttr::Mark(m) => entry.mark = Some(m),
                super::InetAttr::CgroupId(c) => entry.cgroup_id = Some(c),
                _ => {}
            }
        }
        Ok(entry)
    }

    /// The same facts from an owned [`InetSocket`].
    pub fn from_socket(socket: &InetSocket) -> Entry {
        Entry {
            src: socket.src,
            dst: socket.dst,
            interface: socket.interface,
            auto_bound: None,
            mark: socket.mark,
            cgroup_id: socket.cgroup_id,
        }
    }
}

/// A filter that does not parse, compile, or pass the kernel's checks.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FilterError {
    /// The text is not a filter: `problem` at byte `offset` of the text,
    /// in `token` (empty at the end of the text).
    Syntax {
        /// Byte offset of the token in the text.
        offset: usize,
        /// The offending token.
        token: String,
        /// What is wrong, or what was expected.
        problem: &'static str,
    },
    /// An interface name or cgroup path in the text could not be looked up.
    Lookup {
        /// Byte offset of the name in the text.
        offset: usize,
        /// The name.
        token: String,
        /// The error number of the lookup (`ENODEV`, `ENOENT`, ...).
        errno: i32,
    },
    /// A name of the text is not in the host's database (`/etc/services`,
    /// `/etc/hosts`).
    Unknown {
        /// Byte offset of the name in the text.
        offset: usize,
        /// The name.
        token: String,
        /// What it should name.
        kind: NameKind,
    },
    /// A service name is one port for TCP and another for UDP, and both
    /// are listed (`ss` refuses it too).
    Ambiguous {
        /// Byte offset of the name in the text.
        offset: usize,
        /// The name.
        token: String,
        /// Its TCP port.
        tcp: u16,
        /// Its UDP port.
        udp: u16,
    },
    /// The filter still holds a [`Name`]: [resolve](Filter::resolve) it
    /// before compiling.
    Unresolved {
        /// The name's condition, as written (`dev = eth0`).
        name: String,
    },
    /// The filter has unix name conditions: it selects unix sockets, which
    /// `ss` filters in userspace ([`Filter::matches_unix`]); the kernel's
    /// inet bytecode cannot express it.
    NotInet {
        /// The filter, in `ss`'s syntax.
        filter: String,
    },
    /// The compiled program needs more room than there is.
    TooLong {
        /// Bytes the program needs.
        needed: usize,
        /// Bytes available: the caller's storage, or [`MAX_BYTECODE_LEN`].
        available: usize,
    },
    /// The filter nests deeper than [`MAX_DEPTH`].
    TooDeep {
        /// Its depth.
        depth: usize,
    },
    /// The program breaks a rule of the kernel's `inet_diag_bc_audit`,
    /// which would reject it with `EINVAL`.
    Rejected {
        /// Byte offset of the offending instruction in the program.
        offset: usize,
        /// The rule.
        rule: AuditRule,
    },
}

impl fmt::Display for FilterError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterError::Syntax {
                offset,
                token,
                problem,
            } if token.is_empty() => write!(f, "filter: {problem} at the end (byte {offset})"),
            FilterError::Syntax {
                offset,
                token,
                problem,
            } => write!(f, "filter: {problem} at byte {offset}: {token:?}"),
            FilterError::Lookup {
                offset,
                token,
                errno,
            } => write!(
                f,
                "filter: cannot look up {token:?} at byte {offset}: {}",
                std::io::Error::from_raw_os_error(*errno)
            ),
            FilterError::Unknown {
                offset,
                token,
                kind,
            } => {
                let (what, file) = match kind {
                    NameKind::Service => ("service", "/etc/services"),
                    NameKind::Host => ("host", "/etc/hosts (no DNS is asked)"),
                    NameKind::Device => ("interface", "this network namespace"),
                    NameKind::Cgroup => ("cgroup", "the cgroup2 hierarchy"),
                };
                write!(f, "filter: no {what} {token:?} (byte {offset}) in {file}")
            }
            FilterError::Ambiguous {
                offset,
                token,
                tcp,
                udp,
            } => write!(
                f,
                "filter: service {token:?} (byte {offset}) is port {tcp} for TCP and {udp} for UDP: give the number, or list one protocol"
            ),
            FilterError::Unresolved { name } => write!(
                f,
                "filter: `{name}` names what only the host can look up: resolve it before compiling"
            ),
            FilterError::NotInet { filter } => write!(
                f,
                "filter `{filter}` names unix sockets: it applies to unix sockets, not to an inet dump"
            ),
            FilterError::TooLong { needed, available } => write!(
                f,
                "filter program needs {needed} bytes, {available} available"
            ),
            FilterError::TooDeep { depth } => {
                write!(f, "filter nests {depth} levels deep, more than {MAX_DEPTH}")
            }
            FilterError::Rejected { offset, rule } => write!(
                f,
                "filter program rejected at byte {offset}: {rule} (the kernel would answer EINVAL)"
            ),
        }
    }
}

impl std::error::Error for FilterError {}
