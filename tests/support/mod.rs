//! Shared by the live tests and the fixture-capture example: private
//! network namespaces and a population of sockets in known states.
#![allow(dead_code)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::os::fd::{AsRawFd, OwnedFd};
use std::time::Duration;

use nix::sched::{unshare, CloneFlags};
use nix::sys::socket::{
    self, sockopt, AddressFamily, Backlog, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
    SockaddrIn, SockaddrIn6,
};

/// Whether this kernel has a module (a sock_diag handler such as
/// `raw_diag`, or a protocol such as `sctp`). Under the kernel matrix
/// (`tools/src/bin/kernel_matrix.rs`) `SOCKDIAG_KERNEL_MODULES` lists what
/// it loaded, and is the answer; elsewhere the module is there when it is
/// loaded (`/proc/modules`) or the running kernel's module lists
/// (`/lib/modules/RELEASE/modules.{builtin,dep}`) name it.
pub fn kernel_module(name: &str) -> bool {
    if let Ok(list) = std::env::var("SOCKDIAG_KERNEL_MODULES") {
        return list.split(',').any(|m| m == name);
    }
    let loaded = std::fs::read_to_string("/proc/modules").unwrap_or_default();
    if loaded.lines().any(|l| l.split(' ').next() == Some(name)) {
        return true;
    }
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let dir = format!("/lib/modules/{}", release.trim());
    ["modules.builtin", "modules.dep"].iter().any(|list| {
        std::fs::read_to_string(format!("{dir}/{list}"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split(':').next())
            .filter_map(|path| path.rsplit('/').next())
            .any(|file| file.split('.').next() == Some(name))
    })
}

/// Whether the kernel matrix runs this suite, where every module it
/// listed must be found working.
pub fn under_matrix() -> bool {
    std::env::var_os("SOCKDIAG_KERNEL_MODULES").is_some()
}

/// Moves the calling thread into a new, empty network namespace and
/// brings its loopback interface up. Other threads are unaffected; child
/// processes spawned from this thread inherit the namespace.
pub fn enter_private_netns() -> io::Result<()> {
    unshare(CloneFlags::CLONE_NEWNET).map_err(io::Error::from)?;
    loopback_up()
}

/// `ip link set lo up`, over rtnetlink: `RTM_NEWLINK` for ifindex 1 (the
/// loopback device is always the first in a namespace) with `IFF_UP`.
pub fn loopback_up() -> io::Result<()> {
    const RTM_NEWLINK: u16 = 16;
    const IFF_UP: u32 = 1;
    let fd = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkRoute,
    )?;
    let mut req = Vec::with_capacity(32);
    req.extend_from_slice(&32u32.to_ne_bytes());
    req.extend_from_slice(&RTM_NEWLINK.to_ne_bytes());
    req.extend_from_slice(&(1u16 | 4).to_ne_bytes()); // NLM_F_REQUEST | NLM_F_ACK
    req.extend_from_slice(&1u32.to_ne_bytes()); // seq
    req.extend_from_slice(&0u32.to_ne_bytes()); // pid
    req.extend_from_slice(&[0, 0, 0, 0]); // ifi_family, pad, ifi_type
    req.extend_from_slice(&1i32.to_ne_bytes()); // ifi_index
    req.extend_from_slice(&IFF_UP.to_ne_bytes()); // ifi_flags
    req.extend_from_slice(&IFF_UP.to_ne_bytes()); // ifi_change
    socket::sendto(
        fd.as_raw_fd(),
        &req,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )?;
    let mut buf = [0u8; 1024];
    let n = socket::recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty())?;
    // NLMSG_ERROR with error 0 is the ack.
    let errno = i32::from_ne_bytes(buf[16..20].try_into().unwrap());
    if n < 20 || u16::from_ne_bytes([buf[4], buf[5]]) != 2 || errno != 0 {
        return Err(io::Error::from_raw_os_error(-errno));
    }
    Ok(())
}

/// The inode number of a socket, from `/proc/self/fd`: `socket:[N]`.
pub fn inode_of(fd: &impl AsRawFd) -> u32 {
    let link = std::fs::read_link(format!("/proc/self/fd/{}", fd.as_raw_fd())).unwrap();
    let link = link.to_str().unwrap();
    link.strip_prefix("socket:[")
        .and_then(|s| s.strip_suffix(']'))
        .unwrap_or_else(|| panic!("not a socket: {link}"))
        .parse()
        .unwrap()
}

fn new_socket(addr: SocketAddr, ty: SockType) -> OwnedFd {
    let family = match addr {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    socket::socket(family, ty, SockFlag::SOCK_CLOEXEC, None).unwrap()
}

fn bind(fd: &OwnedFd, addr: SocketAddr) {
    match addr {
        SocketAddr::V4(a) => socket::bind(fd.as_raw_fd(), &SockaddrIn::from(a)),
        SocketAddr::V6(a) => socket::bind(fd.as_raw_fd(), &SockaddrIn6::from(a)),
    }
    .unwrap_or_else(|e| panic!("bind {addr}: {e}"));
}

/// A TCP listener on `addr` with an exact `backlog`; for IPv6, `v6only`
/// sets `IPV6_V6ONLY`.
pub fn tcp_listener(addr: SocketAddr, backlog: i32, v6only: Option<bool>) -> TcpListener {
    let fd = new_socket(addr, SockType::Stream);
    if let Some(v) = v6only {
        socket::setsockopt(&fd, sockopt::Ipv6V6Only, &v).unwrap();
    }
    bind(&fd, addr);
    socket::listen(&fd, Backlog::new(backlog).unwrap()).unwrap();
    TcpListener::from(fd)
}

/// A TCP connection from `local` (port 0: ephemeral) to `remote`.
pub fn tcp_connect(local: SocketAddr, remote: SocketAddr) -> TcpStream {
    let fd = new_socket(local, SockType::Stream);
    bind(&fd, local);
    let r = match remote {
        SocketAddr::V4(a) => socket::connect(fd.as_raw_fd(), &SockaddrIn::from(a)),
        SocketAddr::V6(a) => socket::connect(fd.as_raw_fd(), &SockaddrIn6::from(a)),
    };
    r.unwrap_or_else(|e| panic!("connect {local} -> {remote}: {e}"));
    TcpStream::from(fd)
}

/// Waits (bounded) until `n` bytes are readable on `s` without reading them.
pub fn wait_unread_tcp(s: &TcpStream, n: usize) {
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = vec![0u8; n + 1];
    for _ in 0..500 {
        if s.peek(&mut buf).unwrap() >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{n} bytes never arrived");
}

pub fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Ports of the known population.
pub mod port {
    pub const TCP4_LISTEN: u16 = 5001;
    pub const TCP6_LISTEN: u16 = 5002;
    pub const DUAL_LISTEN: u16 = 5003;
    pub const UDP4: u16 = 5004;
    pub const UDP6: u16 = 5005;
    pub const TCP4_CLIENT: u16 = 40001;
    pub const TCP4_PENDING: u16 = 40002;
    pub const TCP6_CLIENT: u16 = 40003;
    pub const DUAL_CLIENT: u16 = 40004;
    pub const UDP4_CLIENT: u16 = 40005;
}

/// Bytes the TCP client sends and the server leaves unread.
pub const TCP_UNREAD: usize = 100;
/// Bytes of the datagram left unread on the UDP server.
pub const UDP_UNREAD: usize = 10;
/// Listen backlogs.
pub const TCP4_BACKLOG: i32 = 8;
pub const TCP6_BACKLOG: i32 = 4;
pub const DUAL_BACKLOG: i32 = 5;

/// Sockets in known states, all on loopback:
///
/// | socket | family | state | notes |
/// |---|---|---|---|
/// | 127.0.0.1:5001 | 4 | LISTEN | backlog 8, one connection waiting in its accept queue |
/// | 127.0.0.1:40001 -> :5001 | 4 | ESTABLISHED | sent 100 bytes |
/// | 127.0.0.1:5001 -> :40001 | 4 | ESTABLISHED | accepted, 100 bytes unread |
/// | 127.0.0.1:40002 -> :5001 | 4 | ESTABLISHED | its server end is not accepted (inode 0) |
/// | [::1]:5002 | 6 | LISTEN | backlog 4 |
/// | [::1]:40003 <-> [::1]:5002 | 6 | ESTABLISHED | both ends |
/// | [::]:5003 | 6 | LISTEN | dual-stack (`IPV6_V6ONLY` off), backlog 5 |
/// | 127.0.0.1:40004 -> :5003 | 4 | ESTABLISHED | |
/// | [::ffff:127.0.0.1]:5003 -> :40004 | 6 | ESTABLISHED | accepted, v4-mapped |
/// | 127.0.0.1:5004 | 4 | UDP CLOSE | one 10-byte datagram unread |
/// | 127.0.0.1:40005 -> :5004 | 4 | UDP ESTABLISHED | connected |
/// | [::1]:5005 | 6 | UDP CLOSE | |
pub struct Population {
    pub tcp4_listener: TcpListener,
    pub tcp4_client: TcpStream,
    pub tcp4_server: TcpStream,
    pub tcp4_pending: TcpStream,
    pub tcp6_listener: TcpListener,
    pub tcp6_client: TcpStream,
    pub tcp6_server: TcpStream,
    pub dual_listener: TcpListener,
    pub dual_client: TcpStream,
    pub dual_server: TcpStream,
    pub udp4_server: UdpSocket,
    pub udp4_client: UdpSocket,
    pub udp6_server: UdpSocket,
}

impl Population {
    /// Creates the population in the calling thread's network namespace.
    pub fn create() -> Self {
        use port::{UDP4, UDP4_CLIENT, UDP6};
        let tcp4_listener = tcp_listener(addr("127.0.0.1:5001"), TCP4_BACKLOG, None);
        let mut tcp4_client = tcp_connect(addr("127.0.0.1:40001"), addr("127.0.0.1:5001"));
        let (tcp4_server, _) = tcp4_listener.accept().unwrap();
        tcp4_client.write_all(&[b'x'; TCP_UNREAD]).unwrap();
        wait_unread_tcp(&tcp4_server, TCP_UNREAD);
        let tcp4_pending = tcp_connect(addr("127.0.0.1:40002"), addr("127.0.0.1:5001"));

        let tcp6_listener = tcp_listener(addr("[::1]:5002"), TCP6_BACKLOG, Some(true));
        let tcp6_client = tcp_connect(addr("[::1]:40003"), addr("[::1]:5002"));
        let (tcp6_server, _) = tcp6_listener.accept().unwrap();

        let dual_listener = tcp_listener(addr("[::]:5003"), DUAL_BACKLOG, Some(false));
        let dual_client = tcp_connect(addr("127.0.0.1:40004"), addr("127.0.0.1:5003"));
        let (dual_server, _) = dual_listener.accept().unwrap();

        let udp4_server = UdpSocket::bind(("127.0.0.1", UDP4)).unwrap();
        let udp4_client = UdpSocket::bind(("127.0.0.1", UDP4_CLIENT)).unwrap();
        udp4_client.connect(("127.0.0.1", UDP4)).unwrap();
        udp4_client.send(&[b'y'; UDP_UNREAD]).unwrap();
        udp4_server
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut buf = [0u8; 64];
        assert_eq!(udp4_server.peek_from(&mut buf).unwrap().0, UDP_UNREAD);
        let udp6_server = UdpSocket::bind(("::1", UDP6)).unwrap();

        Population {
            tcp4_listener,
            tcp4_client,
            tcp4_server,
            tcp4_pending,
            tcp6_listener,
            tcp6_client,
            tcp6_server,
            dual_listener,
            dual_client,
            dual_server,
            udp4_server,
            udp4_client,
            udp6_server,
        }
    }
}

/// `n` TCP connections to a listener on 127.0.0.1:`port`, left in its
/// accept queue: `2n + 1` sockets. Raises the fd limit as needed.
pub fn many_connections(port: u16, n: usize) -> (TcpListener, Vec<TcpStream>) {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    let backlog = i32::try_from(n).unwrap().max(16);
    let listener = tcp_listener(SocketAddr::from(([127, 0, 0, 1], port)), backlog, None);
    let target = listener.local_addr().unwrap();
    let clients = (0..n)
        .map(|_| tcp_connect(addr("127.0.0.1:0"), target))
        .collect();
    (listener, clients)
}

// ---------------------------------------------------------------------
// System calls nix does not wrap. Test code only: the library itself has
// no `unsafe`.

/// A TCP socket of protocol `IPPROTO_MPTCP` (262).
#[allow(unsafe_code)]
pub fn mptcp_socket(v6: bool) -> io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    let family = if v6 { libc::AF_INET6 } else { libc::AF_INET };
    // SAFETY: plain socket(2) call; the fd is owned by the result.
    let fd = unsafe { libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 262) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// An MPTCP listener on `addr` (IPv4).
pub fn mptcp_listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let fd = mptcp_socket(addr.is_ipv6())?;
    bind(&fd, addr);
    socket::listen(&fd, Backlog::new(8).unwrap())?;
    Ok(TcpListener::from(fd))
}

/// An MPTCP connection to `remote`.
pub fn mptcp_connect(remote: SocketAddr) -> io::Result<TcpStream> {
    let fd = mptcp_socket(remote.is_ipv6())?;
    match remote {
        SocketAddr::V4(a) => socket::connect(fd.as_raw_fd(), &SockaddrIn::from(a))?,
        SocketAddr::V6(a) => socket::connect(fd.as_raw_fd(), &SockaddrIn6::from(a))?,
    }
    Ok(TcpStream::from(fd))
}

/// `getsockopt(SOL_MPTCP, MPTCP_INFO)`: the kernel's `struct mptcp_info`
/// for an MPTCP socket (Linux 5.16).
#[allow(unsafe_code)]
pub fn mptcp_info_sockopt(fd: &impl AsRawFd) -> Vec<u8> {
    const SOL_MPTCP: libc::c_int = 284;
    const MPTCP_INFO: libc::c_int = 1;
    let mut buf = vec![0u8; 512];
    let mut len = buf.len() as libc::socklen_t;
    // SAFETY: `buf` is writable for `len` bytes; the kernel writes at most
    // that many and stores the length it wrote in `len`.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            SOL_MPTCP,
            MPTCP_INFO,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    assert_eq!(
        r,
        0,
        "getsockopt(MPTCP_INFO): {}",
        io::Error::last_os_error()
    );
    buf.truncate(len as usize);
    buf
}

/// `getsockopt(TCP_INFO)`: the kernel's `struct tcp_info` for `fd`.
#[allow(unsafe_code)]
pub fn tcp_info_sockopt(fd: &impl AsRawFd) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut len = buf.len() as libc::socklen_t;
    // SAFETY: `buf` is writable for `len` bytes; the kernel writes at most
    // that many and stores the length it wrote in `len`.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_INFO,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    assert_eq!(r, 0, "getsockopt(TCP_INFO): {}", io::Error::last_os_error());
    buf.truncate(len as usize);
    buf
}

/// `setsockopt(TCP_MD5SIG)`: a TCP-MD5 key for IPv4 peer `peer`.
#[allow(unsafe_code)]
pub fn set_md5_key(fd: &impl AsRawFd, peer: std::net::Ipv4Addr, key: &[u8]) {
    // struct tcp_md5sig: sockaddr_storage (128), u8 flags, u8 prefixlen,
    // u16 keylen, i32 ifindex, u8 key[80].
    let mut raw = [0u8; 216];
    raw[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
    raw[4..8].copy_from_slice(&peer.octets());
    raw[130..132].copy_from_slice(&(key.len() as u16).to_ne_bytes());
    raw[136..136 + key.len()].copy_from_slice(key);
    // SAFETY: `raw` is a valid struct tcp_md5sig of the size passed.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_MD5SIG,
            raw.as_ptr().cast(),
            raw.len() as libc::socklen_t,
        )
    };
    assert_eq!(
        r,
        0,
        "setsockopt(TCP_MD5SIG): {}",
        io::Error::last_os_error()
    );
}

/// Sockets that make the kernel send every inet attribute it can here:
///
/// | socket | what it shows |
/// |---|---|
/// | 127.0.0.1:6001 listener | `SO_MARK` 0x1234, `IP_TOS` 0x10, `SO_PRIORITY` 3 (CLASS_ID) |
/// | 127.0.0.1:6002 listener | a TCP-MD5 key for 127.0.0.1 ("sekrit") |
/// | 127.0.0.1:6003 <- 127.0.0.1:41001 | BBR (the default here), 4000 bytes moved, client shut down for writing |
/// | 127.0.0.1:6003 <- 127.0.0.1:41002 | cubic on both ends |
/// | [::1]:6004 <-> [::1]:41003 | IPv6, `IPV6_TCLASS` 0x20 on the client |
/// | 127.0.0.1:6005 MPTCP listener, one MPTCP connection to it | `mptcp_info`, ULP "mptcp" subflows |
pub struct AttrPopulation {
    pub mark_listener: TcpListener,
    pub md5_listener: TcpListener,
    pub listener: TcpListener,
    pub bbr_client: TcpStream,
    pub bbr_server: TcpStream,
    pub cubic_client: TcpStream,
    pub cubic_server: TcpStream,
    pub v6_listener: TcpListener,
    pub v6_client: TcpStream,
    pub v6_server: TcpStream,
    pub mptcp: Option<(TcpListener, TcpStream, TcpStream)>,
}

pub const MARK: u32 = 0x1234;
pub const TOS: u8 = 0x10;
pub const PRIORITY: i32 = 3;
pub const TCLASS: u8 = 0x20;
pub const MD5_KEY: &[u8] = b"sekrit";
pub const MOVED: usize = 4000;

impl AttrPopulation {
    /// Creates the sockets (needs `CAP_NET_ADMIN` for the mark).
    pub fn create() -> Self {
        use std::io::Read;
        let mark_listener = tcp_listener(addr("127.0.0.1:6001"), 4, None);
        socket::setsockopt(&mark_listener, sockopt::Mark, &MARK).unwrap();
        socket::setsockopt(&mark_listener, sockopt::Ipv4Tos, &i32::from(TOS)).unwrap();
        socket::setsockopt(&mark_listener, sockopt::Priority, &PRIORITY).unwrap();

        let md5_fd = new_socket(addr("127.0.0.1:6002"), SockType::Stream);
        set_md5_key(&md5_fd, std::net::Ipv4Addr::LOCALHOST, MD5_KEY);
        bind(&md5_fd, addr("127.0.0.1:6002"));
        socket::listen(&md5_fd, Backlog::new(4).unwrap()).unwrap();
        let md5_listener = TcpListener::from(md5_fd);

        let listener = tcp_listener(addr("127.0.0.1:6003"), 8, None);
        let mut bbr_client = tcp_connect(addr("127.0.0.1:41001"), addr("127.0.0.1:6003"));
        let (mut bbr_server, _) = listener.accept().unwrap();
        bbr_client.write_all(&[7u8; MOVED]).unwrap();
        let mut got = vec![0u8; MOVED];
        bbr_server.read_exact(&mut got).unwrap();
        bbr_client.shutdown(std::net::Shutdown::Write).unwrap();

        let cubic = std::ffi::OsString::from("cubic");
        let cubic_fd = new_socket(addr("127.0.0.1:41002"), SockType::Stream);
        socket::setsockopt(&cubic_fd, sockopt::TcpCongestion, &cubic).unwrap();
        bind(&cubic_fd, addr("127.0.0.1:41002"));
        socket::connect(
            cubic_fd.as_raw_fd(),
            &SockaddrIn::from("127.0.0.1:6003".parse::<std::net::SocketAddrV4>().unwrap()),
        )
        .unwrap();
        let cubic_client = TcpStream::from(cubic_fd);
        let (cubic_server, _) = listener.accept().unwrap();
        socket::setsockopt(&cubic_server, sockopt::TcpCongestion, &cubic).unwrap();

        let v6_listener = tcp_listener(addr("[::1]:6004"), 4, Some(true));
        let v6_fd = new_socket(addr("[::1]:41003"), SockType::Stream);
        socket::setsockopt(&v6_fd, sockopt::Ipv6TClass, &i32::from(TCLASS)).unwrap();
        bind(&v6_fd, addr("[::1]:41003"));
        socket::connect(
            v6_fd.as_raw_fd(),
            &SockaddrIn6::from("[::1]:6004".parse::<std::net::SocketAddrV6>().unwrap()),
        )
        .unwrap();
        let v6_client = TcpStream::from(v6_fd);
        let (v6_server, _) = v6_listener.accept().unwrap();

        let mptcp = mptcp_listener(addr("127.0.0.1:6005")).ok().map(|l| {
            let c = mptcp_connect(addr("127.0.0.1:6005")).unwrap();
            let (s, _) = l.accept().unwrap();
            (l, c, s)
        });

        AttrPopulation {
            mark_listener,
            md5_listener,
            listener,
            bbr_client,
            bbr_server,
            cubic_client,
            cubic_server,
            v6_listener,
            v6_client,
            v6_server,
            mptcp,
        }
    }
}

/// A UDP-Lite socket (`IPPROTO_UDPLITE`) bound to `addr` (IPv4).
#[allow(unsafe_code)]
pub fn udplite_socket(addr: SocketAddr) -> io::Result<UdpSocket> {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket(2) call; the fd is owned by the result.
    let fd = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 136) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor nothing else owns.
    let fd = unsafe { OwnedFd::from_raw_fd(fd) };
    bind(&fd, addr);
    Ok(UdpSocket::from(fd))
}

/// `ETH_P_ARP`.
pub const ETH_P_ARP: u16 = 0x0806;
/// `ETH_P_IP`.
pub const ETH_P_IP: u16 = 0x0800;
/// `ETH_P_ALL`: every protocol.
pub const ETH_P_ALL: u16 = 0x0003;

fn check(r: libc::c_int, what: &str) {
    assert!(r >= 0, "{what}: {}", io::Error::last_os_error());
}

/// An `AF_PACKET` socket of type `ty` (`SOCK_RAW`/`SOCK_DGRAM`) for
/// ethernet protocol `proto` (host order).
#[allow(unsafe_code)]
pub fn packet_socket(ty: libc::c_int, proto: u16) -> OwnedFd {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket(2) call; the fd is owned by the result.
    let fd = unsafe {
        libc::socket(
            libc::AF_PACKET,
            ty | libc::SOCK_CLOEXEC,
            i32::from(proto.to_be()),
        )
    };
    check(fd, "socket(AF_PACKET)");
    // SAFETY: `fd` is a fresh descriptor nothing else owns.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Binds a packet socket to interface `ifindex` for protocol `proto`.
#[allow(unsafe_code)]
pub fn packet_bind(fd: &OwnedFd, ifindex: i32, proto: u16) {
    // SAFETY: sockaddr_ll is plain data; zero is a valid value.
    let mut sll: libc::sockaddr_ll = unsafe { std::mem::zeroed() };
    sll.sll_family = libc::AF_PACKET as u16;
    sll.sll_protocol = proto.to_be();
    sll.sll_ifindex = ifindex;
    // SAFETY: `sll` is a valid sockaddr_ll of the size passed.
    let r = unsafe {
        libc::bind(
            fd.as_raw_fd(),
            (&raw const sll).cast(),
            std::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
        )
    };
    check(r, "bind(AF_PACKET)");
}

/// `setsockopt` with a plain-data value.
#[allow(unsafe_code)]
fn setsockopt_raw<T>(fd: &OwnedFd, level: libc::c_int, name: libc::c_int, value: &T, what: &str) {
    // SAFETY: `value` is valid for `size_of::<T>()` bytes for the call.
    let r = unsafe {
        libc::setsockopt(
            fd.as_raw_fd(),
            level,
            name,
            (value as *const T).cast(),
            std::mem::size_of::<T>() as libc::socklen_t,
        )
    };
    check(r, what);
}

/// Joins packet fanout group `id` in mode `mode`.
pub fn packet_fanout(fd: &OwnedFd, id: u16, mode: u16) {
    let arg: u32 = u32::from(id) | u32::from(mode) << 16;
    setsockopt_raw(
        fd,
        libc::SOL_PACKET,
        libc::PACKET_FANOUT,
        &arg,
        "PACKET_FANOUT",
    );
}

/// Adds a `PACKET_MR_PROMISC` membership on interface `ifindex`.
pub fn packet_promisc(fd: &OwnedFd, ifindex: i32) {
    let mreq = libc::packet_mreq {
        mr_ifindex: ifindex,
        mr_type: libc::PACKET_MR_PROMISC as u16,
        mr_alen: 0,
        mr_address: [0; 8],
    };
    setsockopt_raw(
        fd,
        libc::SOL_PACKET,
        libc::PACKET_ADD_MEMBERSHIP,
        &mreq,
        "PACKET_ADD_MEMBERSHIP",
    );
}

/// Attaches the classic BPF program `insns` (`SO_ATTACH_FILTER`).
pub fn attach_filter(fd: &OwnedFd, insns: &[libc::sock_filter]) {
    let prog = libc::sock_fprog {
        len: insns.len() as u16,
        filter: insns.as_ptr().cast_mut(),
    };
    setsockopt_raw(
        fd,
        libc::SOL_SOCKET,
        libc::SO_ATTACH_FILTER,
        &prog,
        "SO_ATTACH_FILTER",
    );
}

/// Unix sockets of every kind:
///
/// | socket | what it shows |
/// |---|---|
/// | `dir/listener.sock` stream listener | backlog 5, two connections waiting (ICONS, RQLEN 2/5), VFS |
/// | two connecting streams | ESTABLISHED, peer inode 0 (not accepted yet) |
/// | abstract dgram `\0sockdiag-abstract` | an abstract name |
/// | unnamed stream pair | 7 bytes unread, the sender shut down for writing |
/// | unnamed seqpacket pair | 5 bytes unread |
/// | unnamed dgram pair | one 9-byte datagram unread |
pub struct UnixPopulation {
    pub path: std::path::PathBuf,
    pub listener: std::os::unix::net::UnixListener,
    pub pending: [std::os::unix::net::UnixStream; 2],
    pub abstract_dgram: std::os::unix::net::UnixDatagram,
    pub stream_a: std::os::unix::net::UnixStream,
    pub stream_b: std::os::unix::net::UnixStream,
    pub seq_a: OwnedFd,
    pub seq_b: OwnedFd,
    pub dgram_a: std::os::unix::net::UnixDatagram,
    pub dgram_b: std::os::unix::net::UnixDatagram,
}

impl UnixPopulation {
    /// Creates the sockets; the listener's path is in `dir` (created).
    pub fn create(dir: &std::path::Path) -> Self {
        use std::os::linux::net::SocketAddrExt;
        use std::os::unix::net::{
            SocketAddr as UnixSockAddr, UnixDatagram, UnixListener, UnixStream,
        };
        std::fs::create_dir_all(dir).unwrap();
        let path = dir.join("listener.sock");
        let _ = std::fs::remove_file(&path);
        let lfd = socket::socket(
            AddressFamily::Unix,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .unwrap();
        socket::bind(lfd.as_raw_fd(), &socket::UnixAddr::new(&path).unwrap()).unwrap();
        socket::listen(&lfd, Backlog::new(5).unwrap()).unwrap();
        let listener = UnixListener::from(lfd);
        let pending = [
            UnixStream::connect(&path).unwrap(),
            UnixStream::connect(&path).unwrap(),
        ];
        let abs = UnixSockAddr::from_abstract_name(b"sockdiag-abstract").unwrap();
        let abstract_dgram = UnixDatagram::bind_addr(&abs).unwrap();
        let (mut stream_a, stream_b) = UnixStream::pair().unwrap();
        stream_a.write_all(b"7 bytes").unwrap();
        stream_a.shutdown(std::net::Shutdown::Write).unwrap();
        let (seq_a, seq_b) = socket::socketpair(
            AddressFamily::Unix,
            SockType::SeqPacket,
            None,
            SockFlag::SOCK_CLOEXEC,
        )
        .unwrap();
        socket::send(seq_a.as_raw_fd(), b"hello", MsgFlags::empty()).unwrap();
        let (dgram_a, dgram_b) = UnixDatagram::pair().unwrap();
        dgram_a.send(b"9 bytes!!").unwrap();
        UnixPopulation {
            path,
            listener,
            pending,
            abstract_dgram,
            stream_a,
            stream_b,
            seq_a,
            seq_b,
            dgram_a,
            dgram_b,
        }
    }
}

/// Packet sockets: a raw `ETH_P_ARP` socket bound to lo in fanout group 42
/// (hash), with a one-instruction BPF filter (`ret #65535`) and a promisc
/// membership on lo; and an unbound `ETH_P_IP` datagram socket.
pub struct PacketPopulation {
    pub raw: OwnedFd,
    pub dgram: OwnedFd,
}

impl PacketPopulation {
    /// Creates the sockets (needs `CAP_NET_RAW`).
    pub fn create() -> Self {
        let raw = packet_socket(libc::SOCK_RAW, ETH_P_ARP);
        packet_bind(&raw, 1, ETH_P_ARP);
        packet_fanout(&raw, 42, 0);
        packet_promisc(&raw, 1);
        let ret = libc::sock_filter {
            code: 0x06,
            jt: 0,
            jf: 0,
            k: 0xffff,
        };
        attach_filter(&raw, &[ret]);
        let dgram = packet_socket(libc::SOCK_DGRAM, ETH_P_IP);
        PacketPopulation { raw, dgram }
    }
}

/// A `NETLINK_ROUTE` socket subscribed to groups 1 and 5.
pub fn netlink_route_socket() -> OwnedFd {
    let fd = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkRoute,
    )
    .unwrap();
    socket::bind(fd.as_raw_fd(), &NetlinkAddr::new(0, (1 << 0) | (1 << 4))).unwrap();
    fd
}

// ---------------------------------------------------------------------
// Large populations for the examples: connections held by child
// processes, since one process may hold only so many descriptors.

/// If this process was started as a holder (`--hold PORT PAIRS 4|6`),
/// opens `PAIRS` loopback connections to a listener on `PORT`, holds them
/// until stdin closes, and exits. Call first thing in `main`.
pub fn hold_if_asked() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [flag, port, pairs, family] = &args[..] else {
        return;
    };
    if flag != "--hold" {
        return;
    }
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    use std::io::Read;
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    let (host, v6only) = if family == "6" {
        ("[::1]", Some(true))
    } else {
        ("127.0.0.1", None)
    };
    let l = tcp_listener(addr(&format!("{host}:{port}")), 4096, v6only);
    let pairs: usize = pairs.parse().unwrap();
    let mut held = Vec::with_capacity(2 * pairs);
    for _ in 0..pairs {
        held.push(TcpStream::connect(l.local_addr().unwrap()).unwrap());
        held.push(l.accept().unwrap().0);
    }
    println!("ready");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
    std::process::exit(0);
}

/// Child processes holding established loopback connections.
pub struct Holders {
    children: Vec<std::process::Child>,
    /// TCP sockets they hold, listeners included.
    pub sockets: usize,
}

impl Holders {
    /// `connections` connections (`2 * connections` sockets plus one
    /// listener per holder), `v6_percent`% of them over IPv6, in the
    /// calling process's network namespace, by children running this
    /// executable (which must call [`hold_if_asked`]).
    pub fn spawn(connections: usize, v6_percent: usize) -> Holders {
        use std::io::{BufRead, BufReader};
        use std::process::{Command, Stdio};
        let v6 = connections * v6_percent / 100;
        let mut plan = Vec::new();
        for (total, family) in [(connections - v6, "4"), (v6, "6")] {
            let mut left = total;
            while left > 0 {
                // 9,000 connections: 18,000 descriptors, under this
                // machine's RLIMIT_NOFILE.
                let pairs = left.min(9_000);
                plan.push((pairs, family));
                left -= pairs;
            }
        }
        let me = std::env::current_exe().unwrap();
        let mut children = Vec::new();
        for (i, (pairs, family)) in plan.into_iter().enumerate() {
            let port = (10_000 + i).to_string();
            let mut child = Command::new(&me)
                .args(["--hold", &port, &pairs.to_string(), family])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap();
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut line)
                .unwrap();
            assert_eq!(line.trim(), "ready");
            children.push(child);
        }
        Holders {
            sockets: 2 * connections + children.len(),
            children,
        }
    }

    /// Number of holder processes.
    pub fn processes(&self) -> usize {
        self.children.len()
    }
}

impl Drop for Holders {
    fn drop(&mut self) {
        for c in &mut self.children {
            drop(c.stdin.take());
            let _ = c.wait();
        }
    }
}

// ---------------------------------------------------------------------
// RAW, SCTP and DCCP sockets (the kernel matrix's protocols).

pub const IPPROTO_SCTP: libc::c_int = 132;
pub const IPPROTO_DCCP: libc::c_int = 33;
const SOL_SCTP: libc::c_int = 132;
const SCTP_SOCKOPT_BINDX_ADD: libc::c_int = 100;
const SCTP_STATUS: libc::c_int = 14;
const SOCK_DCCP: libc::c_int = 6;
const SOL_DCCP: libc::c_int = 269;
const DCCP_SOCKOPT_SERVICE: libc::c_int = 2;

/// `socket(domain, ty, protocol)`, close-on-exec.
#[allow(unsafe_code)]
pub fn raw_socket(
    domain: libc::c_int,
    ty: libc::c_int,
    protocol: libc::c_int,
) -> io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    // SAFETY: plain socket(2) call; the fd is owned by the result.
    let fd = unsafe { libc::socket(domain, ty | libc::SOCK_CLOEXEC, protocol) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` is a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// `struct sockaddr_in` bytes for an IPv4 address.
fn sockaddr_in_bytes(a: std::net::SocketAddrV4) -> [u8; 16] {
    let mut b = [0u8; 16];
    b[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
    b[2..4].copy_from_slice(&a.port().to_be_bytes());
    b[4..8].copy_from_slice(&a.ip().octets());
    b
}

/// An SCTP socket (`SOCK_STREAM`: one-to-one, `SOCK_SEQPACKET`:
/// one-to-many) bound to every address of `addrs` (the first by bind(2),
/// the others by `SCTP_SOCKOPT_BINDX_ADD`), all on one port.
#[allow(unsafe_code)]
pub fn sctp_socket(ty: libc::c_int, addrs: &[&str]) -> OwnedFd {
    let fd = raw_socket(libc::AF_INET, ty, IPPROTO_SCTP).expect("SCTP socket");
    let first = addr(addrs[0]);
    bind(&fd, first);
    if addrs.len() > 1 {
        let mut packed = Vec::new();
        for a in &addrs[1..] {
            let SocketAddr::V4(v4) = addr(a) else {
                panic!("{a}: IPv4 only")
            };
            packed.extend_from_slice(&sockaddr_in_bytes(v4));
        }
        // SAFETY: `packed` is valid for its length for the call.
        let r = unsafe {
            libc::setsockopt(
                fd.as_raw_fd(),
                SOL_SCTP,
                SCTP_SOCKOPT_BINDX_ADD,
                packed.as_ptr().cast(),
                packed.len() as libc::socklen_t,
            )
        };
        check(r, "SCTP_SOCKOPT_BINDX_ADD");
    }
    fd
}

/// `getsockopt(SCTP_STATUS)` of a one-to-one socket: (state, inbound
/// streams, outbound streams).
#[allow(unsafe_code)]
pub fn sctp_status(fd: &impl AsRawFd) -> (i32, u16, u16) {
    let mut buf = [0u8; 256];
    let mut len = buf.len() as libc::socklen_t;
    // SAFETY: `buf` is writable for `len` bytes; the kernel writes at most
    // that many. Association id 0 (the first bytes, zero) is the socket's
    // own association.
    let r = unsafe {
        libc::getsockopt(
            fd.as_raw_fd(),
            SOL_SCTP,
            SCTP_STATUS,
            buf.as_mut_ptr().cast(),
            &mut len,
        )
    };
    check(r, "SCTP_STATUS");
    let i32_at = |o: usize| i32::from_ne_bytes(buf[o..o + 4].try_into().unwrap());
    let u16_at = |o: usize| u16::from_ne_bytes(buf[o..o + 2].try_into().unwrap());
    // struct sctp_status: assoc_id, state, rwnd, unackdata, penddata,
    // instrms, outstrms, ...
    (i32_at(4), u16_at(16), u16_at(18))
}

/// A DCCP socket of `domain` with service code `service`.
pub fn dccp_socket(domain: libc::c_int, service: u32) -> OwnedFd {
    let fd = raw_socket(domain, SOCK_DCCP, IPPROTO_DCCP).expect("DCCP socket");
    setsockopt_raw(
        &fd,
        SOL_DCCP,
        DCCP_SOCKOPT_SERVICE,
        &service.to_be(),
        "DCCP_SOCKOPT_SERVICE",
    );
    fd
}

/// Binds and listens.
pub fn bind_listen(fd: &OwnedFd, at: &str, backlog: i32) {
    bind(fd, addr(at));
    socket::listen(fd, Backlog::new(backlog).unwrap()).unwrap();
}

/// Connects (blocking).
pub fn connect_to(fd: &OwnedFd, to: &str) {
    match addr(to) {
        SocketAddr::V4(a) => socket::connect(fd.as_raw_fd(), &SockaddrIn::from(a)),
        SocketAddr::V6(a) => socket::connect(fd.as_raw_fd(), &SockaddrIn6::from(a)),
    }
    .unwrap_or_else(|e| panic!("connect {to}: {e}"));
}

/// Accepts one connection.
pub fn accept_one(fd: &OwnedFd) -> OwnedFd {
    socket::accept(fd).unwrap()
}

/// An AF_XDP socket with a 64-page UMEM (fill ring 2048, completion ring
/// 512, receive ring 1024, transmit ring 256), bound in copy mode to
/// queue 0 of `lo`. The UMEM's memory lives as long as the socket.
pub struct XdpSocket {
    /// Declared first: dropped (closed) before the UMEM's memory it pins.
    pub fd: OwnedFd,
    _umem: UmemMemory,
}

/// Page-aligned memory for a UMEM, freed on drop.
struct UmemMemory(*mut u8);

impl UmemMemory {
    fn layout() -> std::alloc::Layout {
        std::alloc::Layout::from_size_align(XDP_UMEM_PAGES * 4096, 4096).unwrap()
    }
}

impl Drop for UmemMemory {
    #[allow(unsafe_code)]
    fn drop(&mut self) {
        // SAFETY: allocated by `alloc_zeroed` with this layout, freed once.
        unsafe { std::alloc::dealloc(self.0, Self::layout()) };
    }
}

pub const XDP_UMEM_PAGES: usize = 64;

impl XdpSocket {
    #[allow(unsafe_code)]
    pub fn bound_to_lo() -> io::Result<XdpSocket> {
        const AF_XDP: libc::c_int = 44;
        const SOL_XDP: libc::c_int = 283;
        const XDP_RX_RING: libc::c_int = 2;
        const XDP_TX_RING: libc::c_int = 3;
        const XDP_UMEM_REG: libc::c_int = 4;
        const XDP_UMEM_FILL_RING: libc::c_int = 5;
        const XDP_UMEM_COMPLETION_RING: libc::c_int = 6;
        const XDP_COPY: u16 = 1 << 1;
        let fd = raw_socket(AF_XDP, libc::SOCK_RAW, 0)?;
        // SAFETY: a non-zero size; freed by UmemMemory's Drop.
        let umem = unsafe { std::alloc::alloc_zeroed(UmemMemory::layout()) };
        assert!(!umem.is_null());
        let sock = XdpSocket {
            fd,
            _umem: UmemMemory(umem),
        };
        // struct xdp_umem_reg's first version: addr, len, chunk_size, headroom.
        let mut reg = Vec::new();
        reg.extend_from_slice(&(umem as u64).to_ne_bytes());
        reg.extend_from_slice(&((XDP_UMEM_PAGES * 4096) as u64).to_ne_bytes());
        reg.extend_from_slice(&4096u32.to_ne_bytes());
        reg.extend_from_slice(&0u32.to_ne_bytes());
        let set = |name: libc::c_int, value: &[u8]| -> io::Result<()> {
            // SAFETY: `value` is valid for its length for the call.
            let r = unsafe {
                libc::setsockopt(
                    sock.fd.as_raw_fd(),
                    SOL_XDP,
                    name,
                    value.as_ptr().cast(),
                    value.len() as libc::socklen_t,
                )
            };
            if r < 0 {
                Err(io::Error::last_os_error())
            } else {
                Ok(())
            }
        };
        set(XDP_UMEM_REG, &reg)?;
        set(XDP_UMEM_FILL_RING, &2048u32.to_ne_bytes())?;
        set(XDP_UMEM_COMPLETION_RING, &512u32.to_ne_bytes())?;
        set(XDP_RX_RING, &1024u32.to_ne_bytes())?;
        set(XDP_TX_RING, &256u32.to_ne_bytes())?;
        // struct sockaddr_xdp: family, flags, ifindex, queue, shared umem fd.
        let mut addr = Vec::new();
        addr.extend_from_slice(&(AF_XDP as u16).to_ne_bytes());
        addr.extend_from_slice(&XDP_COPY.to_ne_bytes());
        addr.extend_from_slice(&1u32.to_ne_bytes());
        addr.extend_from_slice(&0u32.to_ne_bytes());
        addr.extend_from_slice(&0u32.to_ne_bytes());
        // SAFETY: `addr` is a whole struct sockaddr_xdp for the call.
        let r = unsafe {
            libc::bind(
                sock.fd.as_raw_fd(),
                addr.as_ptr().cast(),
                addr.len() as libc::socklen_t,
            )
        };
        if r < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(sock)
    }
}

/// A TIPC address (`struct sockaddr_tipc`, 16 bytes): `addrtype` 1 is a
/// service range `{type, lower, upper}`, 2 a service address `{type,
/// instance, domain}`, 3 a socket `{port id, node}`; `scope` 3 is
/// TIPC_NODE_SCOPE.
fn sockaddr_tipc(addrtype: u8, scope: i8, words: [u32; 3]) -> [u8; 16] {
    let mut a = [0u8; 16];
    a[..2].copy_from_slice(&30u16.to_ne_bytes());
    a[2] = addrtype;
    a[3] = scope as u8;
    for (i, w) in words.iter().enumerate() {
        a[4 + 4 * i..8 + 4 * i].copy_from_slice(&w.to_ne_bytes());
    }
    a
}

fn tipc_call(what: &str, r: libc::c_int) -> io::Result<()> {
    if r < 0 {
        let e = io::Error::last_os_error();
        return Err(io::Error::new(e.kind(), format!("{what}: {e}")));
    }
    Ok(())
}

/// Publishes the service range `{ty, lower, upper}` on `fd`, node scope.
#[allow(unsafe_code)]
pub fn tipc_bind(fd: &OwnedFd, ty: u32, lower: u32, upper: u32) -> io::Result<()> {
    let a = sockaddr_tipc(1, 3, [ty, lower, upper]);
    // SAFETY: `a` is a valid sockaddr_tipc of the length given.
    let r = unsafe { libc::bind(fd.as_raw_fd(), a.as_ptr().cast(), 16) };
    tipc_call("bind", r)
}

/// Connects `fd` by name to the service `{ty, instance}` (blocks until
/// the listener accepts).
#[allow(unsafe_code)]
pub fn tipc_connect(fd: &OwnedFd, ty: u32, instance: u32) -> io::Result<()> {
    let a = sockaddr_tipc(2, 3, [ty, instance, 0]);
    // SAFETY: `a` is a valid sockaddr_tipc of the length given.
    let r = unsafe { libc::connect(fd.as_raw_fd(), a.as_ptr().cast(), 16) };
    tipc_call("connect", r)
}

/// `fd`'s own TIPC address: `(port id, node)`, from getsockname.
#[allow(unsafe_code)]
pub fn tipc_name(fd: &OwnedFd) -> io::Result<(u32, u32)> {
    let mut a = [0u8; 16];
    let mut len: libc::socklen_t = 16;
    // SAFETY: `a` has room for the `len` bytes the kernel may write.
    let r = unsafe { libc::getsockname(fd.as_raw_fd(), a.as_mut_ptr().cast(), &mut len) };
    tipc_call("getsockname", r)?;
    let word = |i: usize| u32::from_ne_bytes([a[i], a[i + 1], a[i + 2], a[i + 3]]);
    Ok((word(4), word(8)))
}

/// The machine, as every comparison must name it.
pub fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let ss = std::process::Command::new("ss")
        .arg("-V")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    format!(
        "machine: {cpu}, {cpus} vCPUs, Linux {}, {ss}",
        kernel.trim()
    )
}

/// `CLI exporter --listen 127.0.0.1:0 ARGS`, once it serves (after its
/// first poll): the child, and where it serves.
pub fn spawn_exporter(cli: &std::path::Path, args: &[&str]) -> (std::process::Child, SocketAddr) {
    use std::io::BufRead;
    let mut child = std::process::Command::new(cli)
        .args(["exporter", "--listen", "127.0.0.1:0"])
        .args(args)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", cli.display()));
    let mut line = String::new();
    std::io::BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("sockdiag: serving http://")
        .and_then(|r| r.strip_suffix("/metrics"))
        .unwrap_or_else(|| panic!("exporter said: {line}"))
        .parse()
        .unwrap();
    (child, addr)
}

/// The value of the unlabelled sample `name` of an exposition (0 if
/// absent).
pub fn sample(text: &str, name: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

/// `GET /metrics` of the exporter at `addr`, the whole response.
pub fn scrape_text(addr: SocketAddr) -> String {
    use std::io::{Read, Write};
    let mut s = TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    text
}
