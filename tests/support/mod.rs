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
