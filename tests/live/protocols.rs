//! RAW, SCTP, DCCP, vsock, AF_XDP, SMC and TIPC, and the structs that grow with the kernel:
//! tests for the protocols whose diag modules this host's kernel lacks. The
//! kernel matrix (`tools/src/bin/kernel_matrix.rs`) runs them on Debian's
//! kernels, which have every module; on a kernel without one, the test
//! checks that its dumps are the typed `Error::Unavailable` naming the
//! module, and says so. Under the matrix a module it listed must work.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, OwnedFd};

use nix::sys::socket::{self, MsgFlags, SockaddrIn, SockaddrIn6};
use sockdiag::inet::{
    Extensions, Family, InetRequest, InetSocket, LegacyRequest, MptcpField, MptcpInfo, Protocol,
    SctpField, SocketId, TcpField, TcpState,
};
use sockdiag::{DiagSocket, Error};

use crate::ss::{normalize, output, BIN};
use crate::support::{self, addr, inode_of};
use crate::{dump_all, skip_without_ss};

pub const TESTS: &[crate::Test] = tests![
    raw_sockets_dump_look_up_and_destroy,
    sctp_endpoints_and_associations,
    dccp_listener_and_connection,
    vsock_sockets_over_the_loopback_transport,
    xdp_socket_bound_to_a_loopback_queue,
    smc_sockets_that_fell_back_to_tcp,
    tipc_sockets_by_service_and_port,
    growing_structs_match_this_kernel,
];

/// Whether the kernel has `module`. Where it does not, a dump of
/// `(family, protocol)` must be the typed error naming it; under the
/// kernel matrix, a module it loaded must not be missing.
fn available(module: &str, family: Family, protocol: Protocol) -> bool {
    if support::kernel_module(module) {
        return true;
    }
    let mut sock = DiagSocket::new().unwrap();
    match sock.snapshot(&InetRequest::new(family, protocol)) {
        Err(e @ Error::Unavailable { .. }) => {
            let text = e.to_string();
            assert!(text.contains(module), "{text}");
        }
        other => panic!("{module} is not here, yet {protocol:?} answered {other:?}"),
    }
    println!("    no {module} in this kernel: its dumps are Error::Unavailable (the kernel matrix runs the rest)");
    false
}

fn find<'a>(socks: &'a [InetSocket], fd: &impl AsRawFd, dst_port: u16) -> &'a InetSocket {
    let inode = inode_of(fd);
    socks
        .iter()
        .find(|s| s.inode == inode && s.dst.port() == dst_port)
        .unwrap_or_else(|| panic!("inode {inode} to port {dst_port} in {socks:#?}"))
}

fn bind_ip(fd: &OwnedFd, at: &str) {
    match addr(at) {
        SocketAddr::V4(a) => socket::bind(fd.as_raw_fd(), &SockaddrIn::from(a)),
        SocketAddr::V6(a) => socket::bind(fd.as_raw_fd(), &SockaddrIn6::from(a)),
    }
    .unwrap_or_else(|e| panic!("bind {at}: {e}"));
}

/// The CLI's rows (in ss's layout) and `ss`'s for the same arguments,
/// equal line by line once what moves between two listings is masked.
fn cli_rows_equal_ss(args: &[&str]) {
    let theirs = output("ss", args);
    let ours = output(BIN, &[args, &["--ss-layout"]].concat());
    assert_eq!(
        normalize(&ours).0,
        normalize(&theirs).0,
        "sockdiag {args:?} vs ss\n--- sockdiag:\n{ours}--- ss:\n{theirs}"
    );
    println!(
        "    sockdiag {} = ss {0}: {} rows",
        args.join(" "),
        theirs.lines().count().saturating_sub(1)
    );
}

pub fn raw_sockets_dump_look_up_and_destroy() {
    if !available("raw_diag", Family::Inet, Protocol::Raw) {
        return;
    }
    // ICMP, bound and connected; protocol 253 (experimental), bound;
    // ICMPv6, unbound.
    let icmp = support::raw_socket(libc::AF_INET, libc::SOCK_RAW, libc::IPPROTO_ICMP).unwrap();
    bind_ip(&icmp, "127.0.0.1:0");
    support::connect_to(&icmp, "127.0.0.2:0");
    let exp = support::raw_socket(libc::AF_INET, libc::SOCK_RAW, 253).unwrap();
    bind_ip(&exp, "127.0.0.3:0");
    let icmp6 = support::raw_socket(libc::AF_INET6, libc::SOCK_RAW, libc::IPPROTO_ICMPV6).unwrap();

    let mut sock = DiagSocket::new().unwrap();
    let all = Extensions::all();
    let v4 = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Raw).with_extensions(all),
    );
    let v6 = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet6, Protocol::Raw).with_extensions(all),
    );
    assert_eq!((v4.len(), v6.len()), (2, 1), "{v4:#?} {v6:#?}");
    assert!(v4.iter().chain(&v6).all(|s| s.errors.is_empty()));
    // The local port of a raw socket is its protocol (`inet_num`); the
    // protocol is also in INET_DIAG_PROTOCOL.
    let i = find(&v4, &icmp, 0);
    assert_eq!(
        (i.src, i.dst, i.state, i.ip_protocol),
        (
            addr("127.0.0.1:1"),
            addr("127.0.0.2:0"),
            TcpState::Established,
            Some(1)
        )
    );
    let e = find(&v4, &exp, 0);
    assert_eq!(
        (e.src, e.state, e.ip_protocol),
        (addr("127.0.0.3:253"), TcpState::Close, Some(253))
    );
    let i6 = find(&v6, &icmp6, 0);
    assert_eq!(
        (i6.src, i6.state, i6.ip_protocol),
        (addr("[::]:58"), TcpState::Close, Some(58))
    );

    // Lookups match the raw protocol too (`sdiag_raw_protocol`).
    let found = sock
        .lookup(&InetRequest::lookup(Protocol::Raw, i.id()).with_raw_protocol(1))
        .unwrap();
    assert_eq!((found.inode, found.src), (i.inode, i.src));
    let found = sock
        .lookup(&InetRequest::lookup(Protocol::Raw, i6.id()).with_raw_protocol(58))
        .unwrap();
    assert_eq!(found.inode, i6.inode);
    let r = sock.lookup(&InetRequest::lookup(Protocol::Raw, i.id()).with_raw_protocol(253));
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");

    // The CLI's rows are ss's, from raw_diag.
    if !skip_without_ss() {
        cli_rows_equal_ss(&["-wan"]);
        cli_rows_equal_ss(&["-wane"]);
    }

    // Destroy (raw_abort): the socket's next read fails with
    // ECONNABORTED, and it is unhashed: no dump lists it, no lookup finds
    // it.
    sock.destroy(&InetRequest::lookup(Protocol::Raw, i.id()).with_raw_protocol(1))
        .unwrap();
    let mut buf = [0u8; 64];
    let r = socket::recv(icmp.as_raw_fd(), &mut buf, MsgFlags::MSG_DONTWAIT);
    assert_eq!(r, Err(nix::errno::Errno::ECONNABORTED));
    let v4 = dump_all(&mut sock, InetRequest::new(Family::Inet, Protocol::Raw));
    assert_eq!(v4.len(), 1);
    assert_eq!(v4[0].inode, inode_of(&exp));
    let r = sock.lookup(&InetRequest::lookup(Protocol::Raw, i.id()).with_raw_protocol(1));
    assert!(matches!(r, Err(Error::NotFound { .. })), "{r:?}");
}

pub fn sctp_endpoints_and_associations() {
    if !available("sctp_diag", Family::Inet, Protocol::Sctp) {
        return;
    }
    // One-to-one: a listener and a client, each on two addresses.
    let l = support::sctp_socket(libc::SOCK_STREAM, &["127.0.0.1:6001", "127.0.0.2:6001"]);
    socket::listen(&l, socket::Backlog::new(8).unwrap()).unwrap();
    let c = support::sctp_socket(libc::SOCK_STREAM, &["127.0.0.1:6002", "127.0.0.3:6002"]);
    support::connect_to(&c, "127.0.0.1:6001");
    let s = support::accept_one(&l);
    // One-to-many: an association made by the first message.
    let m = support::sctp_socket(libc::SOCK_SEQPACKET, &["127.0.0.1:6003"]);
    socket::listen(&m, socket::Backlog::new(8).unwrap()).unwrap();
    let mc = support::sctp_socket(libc::SOCK_SEQPACKET, &["127.0.0.1:6004"]);
    let to = match addr("127.0.0.1:6003") {
        SocketAddr::V4(a) => SockaddrIn::from(a),
        SocketAddr::V6(_) => unreachable!(),
    };
    socket::sendto(mc.as_raw_fd(), b"hello", &to, MsgFlags::empty()).unwrap();
    let mut buf = [0u8; 16];
    socket::setsockopt(
        &m,
        socket::sockopt::ReceiveTimeout,
        &nix::sys::time::TimeVal::new(5, 0),
    )
    .unwrap();
    assert_eq!(
        socket::recv(m.as_raw_fd(), &mut buf, MsgFlags::empty()),
        Ok(5)
    );

    let mut sock = DiagSocket::new().unwrap();
    let req = InetRequest::new(Family::Inet, Protocol::Sctp).with_extensions(Extensions::all());
    let socks = dump_all(&mut sock, req);
    assert!(socks.iter().all(|s| s.errors.is_empty()), "{socks:#?}");
    let set = |v: &Option<Vec<SocketAddr>>| -> BTreeSet<SocketAddr> {
        v.iter().flatten().copied().collect()
    };
    let both = |a: &str, b: &str| -> BTreeSet<SocketAddr> { [addr(a), addr(b)].into() };

    // The endpoint: listening, on both addresses (INET_DIAG_LOCALS).
    let ep = find(&socks, &l, 0);
    assert_eq!(ep.state, TcpState::Listen);
    assert_eq!(set(&ep.locals), both("127.0.0.1:6001", "127.0.0.2:6001"));
    // A one-to-one socket is listed twice: as an endpoint (the socket's
    // state, SCTP_SS_ESTABLISHED; its addresses in LOCALS) and as its
    // association (the association's state, SCTP_STATE_ESTABLISHED = 3;
    // both ends' addresses in LOCALS and PEERS; sctp_info).
    let association = |fd: &OwnedFd| -> &InetSocket {
        let inode = inode_of(fd);
        socks
            .iter()
            .find(|s| s.inode == inode && s.peers.is_some())
            .unwrap_or_else(|| panic!("no association of inode {inode} in {socks:#?}"))
    };
    let client = association(&c);
    let server = association(&s);
    for (fd, a, port) in [(&c, client, 6001), (&s, server, 6002)] {
        assert_eq!(a.state.to_raw(), 3, "{a:#?}");
        assert_eq!(a.dst.port(), port);
        let endpoint = find(&socks, fd, port);
        assert_eq!(endpoint.state, TcpState::Established, "{endpoint:#?}");
        assert_eq!(set(&endpoint.locals), set(&a.locals));
    }
    assert_eq!(
        set(&client.locals),
        both("127.0.0.1:6002", "127.0.0.3:6002")
    );
    assert_eq!(set(&client.peers), both("127.0.0.1:6001", "127.0.0.2:6001"));
    assert_eq!(set(&server.locals), set(&client.peers));
    assert_eq!(set(&server.peers), set(&client.locals));
    // sctp_info: each end's tag is the other's peer tag; the streams are
    // what SCTP_STATUS says.
    let ci = client.sctp_info.as_ref().expect("client sctp_info");
    let si = server.sctp_info.as_ref().expect("server sctp_info");
    assert_eq!(ci.tag(), si.peer_tag());
    assert_eq!(si.tag(), ci.peer_tag());
    assert_ne!(ci.tag(), Some(0));
    let (state, ins, outs) = support::sctp_status(&c);
    // SCTP_STATUS counts states from SCTP_EMPTY (0): the association's
    // internal state plus one (sctp_assoc_to_state).
    assert_eq!(
        (ci.state(), ci.instrms(), ci.outstrms()),
        (Some(state as u32 - 1), Some(ins), Some(outs))
    );
    // The one-to-many socket: its endpoint and its association.
    let inode = inode_of(&m);
    let many: Vec<_> = socks.iter().filter(|s| s.inode == inode).collect();
    assert!(
        many.iter().any(|s| s.state == TcpState::Listen),
        "{many:#?}"
    );
    assert!(
        many.iter()
            .any(|s| s.peers.is_some() && s.dst == addr("127.0.0.1:6004")),
        "{many:#?}"
    );

    // An exact lookup finds the association.
    let found = sock
        .lookup(&InetRequest::lookup(
            Protocol::Sctp,
            SocketId::new(client.src, client.dst),
        ))
        .unwrap();
    assert_eq!(found.inode, client.inode);
    // sctp_diag cannot destroy: an error, and the association stays.
    let r = sock.destroy(&InetRequest::lookup(Protocol::Sctp, client.id()));
    assert!(r.is_err(), "{r:?}");
    assert!(sock
        .lookup(&InetRequest::lookup(
            Protocol::Sctp,
            SocketId::new(client.src, client.dst)
        ))
        .is_ok());

    if !skip_without_ss() {
        cli_rows_equal_ss(&["-San"]);
        cli_rows_equal_ss(&["-Sane"]);
    }
}

pub fn dccp_listener_and_connection() {
    if !available("dccp_diag", Family::Inet, Protocol::Dccp) {
        return;
    }
    let l = support::dccp_socket(libc::AF_INET, 42);
    support::bind_listen(&l, "127.0.0.1:6010", 4);
    let c = support::dccp_socket(libc::AF_INET, 42);
    support::connect_to(&c, "127.0.0.1:6010");
    let s = support::accept_one(&l);
    // Data both ways: the client leaves PARTOPEN (a state past TCP's
    // numbers) for OPEN.
    let mut buf = [0u8; 16];
    socket::send(c.as_raw_fd(), b"ping", MsgFlags::empty()).unwrap();
    assert_eq!(
        socket::recv(s.as_raw_fd(), &mut buf, MsgFlags::empty()),
        Ok(4)
    );
    socket::send(s.as_raw_fd(), b"pong", MsgFlags::empty()).unwrap();
    assert_eq!(
        socket::recv(c.as_raw_fd(), &mut buf, MsgFlags::empty()),
        Ok(4)
    );
    let l6 = support::dccp_socket(libc::AF_INET6, 43);
    support::bind_listen(&l6, "[::1]:6011", 4);

    let mut sock = DiagSocket::new().unwrap();
    let v4 = dump_all(&mut sock, InetRequest::new(Family::Inet, Protocol::Dccp));
    let v6 = dump_all(&mut sock, InetRequest::new(Family::Inet6, Protocol::Dccp));
    assert_eq!((v4.len(), v6.len()), (3, 1), "{v4:#?} {v6:#?}");
    let listener = find(&v4, &l, 0);
    assert_eq!(
        (listener.state, listener.src),
        (TcpState::Listen, addr("127.0.0.1:6010"))
    );
    let client = find(&v4, &c, 6010);
    let server = find(&v4, &s, client.src.port());
    // DCCP_OPEN is TCP_ESTABLISHED's number.
    assert_eq!(
        (client.state, server.state),
        (TcpState::Established, TcpState::Established)
    );
    assert_eq!(find(&v6, &l6, 0).src, addr("[::1]:6011"));

    // The legacy request (DCCPDIAG_GETSOCK) is the two v2 dumps.
    let key = |s: &InetSocket| (s.family, s.src, s.dst, s.state, s.inode);
    let legacy: BTreeSet<_> = sock
        .snapshot(&LegacyRequest::dccp())
        .unwrap()
        .iter()
        .map(key)
        .collect();
    let v2: BTreeSet<_> = v4.iter().chain(&v6).map(key).collect();
    assert_eq!(legacy, v2);

    // Exact lookups; no destroy for DCCP.
    let found = sock
        .lookup(&InetRequest::lookup(Protocol::Dccp, client.id()))
        .unwrap();
    assert_eq!(found.inode, client.inode);
    let r = sock.destroy(&InetRequest::lookup(Protocol::Dccp, client.id()));
    assert!(r.is_err(), "{r:?}");

    if !skip_without_ss() {
        cli_rows_equal_ss(&["-dan"]);
        cli_rows_equal_ss(&["-dane"]);
    }
}

pub fn vsock_sockets_over_the_loopback_transport() {
    use nix::sys::socket::{AddressFamily, SockFlag, SockType, VsockAddr as NixVsock};
    use sockdiag::poll::{Change, Poller};
    use sockdiag::vsock::{VsockAddr, VsockRequest};
    use sockdiag::SocketType;
    const CID_ANY: u32 = u32::MAX;
    const CID_LOCAL: u32 = 1;
    let mut sock = DiagSocket::new().unwrap();
    if !support::kernel_module("vsock_diag") {
        match sock.snapshot(&VsockRequest::new()) {
            Err(e @ Error::Unavailable { family: 40, .. }) => {
                assert!(e.to_string().contains("vsock_diag"), "{e}");
            }
            other => panic!("no vsock_diag here, yet a vsock dump answered {other:?}"),
        }
        println!("    no vsock_diag in this kernel: its dumps are Error::Unavailable");
        return;
    }
    let vsock = || {
        socket::socket(
            AddressFamily::Vsock,
            SockType::Stream,
            SockFlag::SOCK_CLOEXEC,
            None,
        )
        .unwrap()
    };
    let l = vsock();
    socket::bind(l.as_raw_fd(), &NixVsock::new(CID_ANY, 5000)).unwrap();
    socket::listen(&l, socket::Backlog::new(4).unwrap()).unwrap();
    let mut poller = Poller::new(VsockRequest::new()).unwrap();
    let mut new = 0;
    poller
        .poll(|c| match c {
            Change::New { .. } => new += 1,
            _ => panic!("{c:?}"),
        })
        .unwrap();
    assert_eq!(new, 1, "the listener");
    // A connection over vsock_loopback (VMADDR_CID_LOCAL).
    let c = vsock();
    socket::connect(c.as_raw_fd(), &NixVsock::new(CID_LOCAL, 5000)).unwrap();
    let s = support::accept_one(&l);

    let socks = sock.snapshot(&VsockRequest::new()).unwrap();
    assert_eq!(socks.len(), 3, "{socks:#?}");
    let by = |fd: &OwnedFd| socks.iter().find(|v| v.inode == inode_of(fd)).unwrap();
    let (listener, client, server) = (by(&l), by(&c), by(&s));
    assert!(socks.iter().all(|v| v.socket_type == SocketType::Stream));
    assert_eq!(
        (listener.state, listener.src.port, listener.dst.port),
        (TcpState::Listen, 5000, u32::MAX)
    );
    assert_eq!(client.state, TcpState::Established);
    assert_eq!(
        client.dst,
        VsockAddr {
            cid: CID_LOCAL,
            port: 5000
        }
    );
    assert_eq!(
        (server.state, server.src.port),
        (TcpState::Established, 5000)
    );
    // The client's own end keeps VMADDR_CID_ANY (autobound); the server
    // sees it from VMADDR_CID_LOCAL.
    assert_eq!(
        (client.src.cid, server.dst),
        (
            CID_ANY,
            VsockAddr {
                cid: CID_LOCAL,
                port: client.src.port
            }
        )
    );
    // The poller sees the two new ends.
    let mut new = Vec::new();
    poller
        .poll(|c| match c {
            Change::New { msg, .. } => new.push(msg.inode()),
            _ => panic!("{c:?}"),
        })
        .unwrap();
    new.sort();
    let mut expected = vec![client.inode, server.inode];
    expected.sort();
    assert_eq!(new, expected);
    // A state selection.
    let listening = sock
        .snapshot(&VsockRequest::new().with_states(sockdiag::inet::States::LISTEN))
        .unwrap();
    assert_eq!(listening.len(), 1);

    // The CLI's JSON: the kernel's fields by their names.
    let json = output(BIN, &["--vsock", "-a", "--json"]);
    let objects: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 3, "{json}");
    for v in &socks {
        let o = objects
            .iter()
            .find(|o| o["inode"] == u64::from(v.inode))
            .unwrap_or_else(|| panic!("inode {} in {json}", v.inode));
        assert_eq!(o["family"], "vsock");
        assert_eq!(o["netid"], "v_str");
        assert_eq!(o["state"], v.state.name());
        let ends = [&o["src_cid"], &o["src_port"], &o["dst_cid"], &o["dst_port"]];
        let kernel = [v.src.cid, v.src.port, v.dst.cid, v.dst.port].map(u64::from);
        assert_eq!(ends.map(|e| e.as_u64().unwrap()), kernel, "{o}");
        assert_eq!(o["cookie"], v.cookie);
    }

    if !skip_without_ss() {
        cli_rows_equal_ss(&["--vsock", "-an"]);
        cli_rows_equal_ss(&["-A", "vsock", "-n"]);
        cli_rows_equal_ss(&["--vsock", "-lnp"]);
    }
}

pub fn xdp_socket_bound_to_a_loopback_queue() {
    use sockdiag::xdp::{XdpRequest, XdpShow};
    let mut sock = DiagSocket::new().unwrap();
    if !support::kernel_module("xsk_diag") {
        match sock.snapshot(&XdpRequest::new()) {
            Err(e @ Error::Unavailable { family: 44, .. }) => {
                assert!(e.to_string().contains("xsk_diag"), "{e}");
            }
            other => panic!("no xsk_diag here, yet an AF_XDP dump answered {other:?}"),
        }
        println!("    no xsk_diag in this kernel: its dumps are Error::Unavailable");
        return;
    }
    let x = support::XdpSocket::bound_to_lo().expect("an AF_XDP socket on lo's queue 0");
    let socks = sock.snapshot(&XdpRequest::new()).unwrap();
    assert_eq!(socks.len(), 1, "{socks:#?}");
    let s = &socks[0];
    assert!(s.errors.is_empty(), "{s:#?}");
    assert_eq!(s.inode, inode_of(&x.fd));
    assert_eq!(s.socket_type, sockdiag::SocketType::Raw);
    let info = s.info.unwrap();
    assert_eq!((info.ifindex, info.queue_id), (1, 0));
    assert_eq!(s.uid, Some(nix::unistd::geteuid().as_raw()));
    assert_eq!((s.rx_ring, s.tx_ring), (Some(1024), Some(256)));
    assert_eq!((s.fill_ring, s.completion_ring), (Some(2048), Some(512)));
    let umem = s.umem.unwrap();
    let pages = support::XDP_UMEM_PAGES as u32;
    assert_eq!(
        (umem.size, umem.num_pages, umem.chunk_size, umem.headroom),
        (u64::from(pages) * 4096, pages, 4096, 0)
    );
    assert_eq!((umem.ifindex, umem.queue_id, umem.refs), (1, 0, 1));
    assert!(!umem.is_zerocopy(), "copy mode");
    assert_eq!(s.stats.map(|st| st.rx_dropped), Some(0));
    assert!(s.skmeminfo.is_some());
    // Only what was asked for.
    let bare = sock
        .snapshot(&XdpRequest::new().with_show(XdpShow::INFO))
        .unwrap();
    assert_eq!(
        (bare[0].info, bare[0].umem, bare[0].rx_ring),
        (Some(info), None, None)
    );

    // The CLI's JSON and rows: the kernel's fields, and ss's rows.
    let json = output(BIN, &["--xdp", "-a", "-e", "--json"]);
    let o: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(
        (o["netid"].as_str(), o["interface"].as_u64()),
        (Some("xdp"), Some(1))
    );
    assert_eq!(o["umem"]["num_pages"], u64::from(pages));
    assert_eq!(o["fill_ring"], 2048);
    assert_eq!(o["cookie"], s.cookie);
    if !skip_without_ss() {
        cli_rows_equal_ss(&["--xdp", "-an"]);
        cli_rows_equal_ss(&["--xdp", "-ane"]);
        cli_rows_equal_ss(&["--xdp", "-aneO"]);
        cli_rows_equal_ss(&["--xdp", "-anm"]);
    }
}

pub fn smc_sockets_that_fell_back_to_tcp() {
    use sockdiag::smc::{SmcMode, SmcRequest, SmcState};
    const AF_SMC: libc::c_int = 43;
    let mut sock = DiagSocket::new().unwrap();
    if !support::kernel_module("smc_diag") {
        match sock.snapshot(&SmcRequest::new()) {
            Err(e @ Error::Unavailable { family: 43, .. }) => {
                assert!(e.to_string().contains("smc_diag"), "{e}");
            }
            other => panic!("no smc_diag here, yet an SMC dump answered {other:?}"),
        }
        println!("    no smc_diag in this kernel: its dumps are Error::Unavailable");
        return;
    }
    // No RDMA or ISM device here: the connection falls back to TCP.
    let smc = |proto| support::raw_socket(AF_SMC, libc::SOCK_STREAM, proto).unwrap();
    let l = smc(0);
    support::bind_listen(&l, "127.0.0.1:6030", 4);
    let l6 = smc(1);
    support::bind_listen(&l6, "[::1]:6031", 4);
    let c = smc(0);
    support::connect_to(&c, "127.0.0.1:6030");
    let s = support::accept_one(&l);

    let socks = sock.snapshot(&SmcRequest::new()).unwrap();
    assert_eq!(socks.len(), 4, "{socks:#?}");
    assert!(socks.iter().all(|s| s.errors.is_empty()), "{socks:#?}");
    let by = |fd: &OwnedFd| {
        let inode = u64::from(inode_of(fd));
        socks
            .iter()
            .find(|s| s.inode == inode)
            .unwrap_or_else(|| panic!("{socks:#?}"))
    };
    let (listener, listener6, client, server) = (by(&l), by(&l6), by(&c), by(&s));
    let ip = |a: &str| Some(a.parse::<std::net::IpAddr>().unwrap());
    assert_eq!(
        (listener.state, listener.src, listener.src_port),
        (SmcState::Listen, ip("127.0.0.1"), 6030)
    );
    assert_eq!(
        (listener6.state, listener6.src, listener6.src_port),
        (SmcState::Listen, ip("::1"), 6031)
    );
    for a in [client, server] {
        assert_eq!(
            (a.state, a.mode),
            (SmcState::Active, SmcMode::FallbackTcp),
            "{a:#?}"
        );
        assert_eq!((a.src, a.dst), (ip("127.0.0.1"), ip("127.0.0.1")));
    }
    assert_eq!((client.dst_port, server.src_port), (6030, 6030));
    assert_eq!(server.dst_port, client.src_port);
    // The client's own reason for falling back (no SMC device).
    assert_ne!(client.fallback.map(|f| f.reason), Some(0), "{client:#?}");
    assert_eq!(client.uid, nix::unistd::geteuid().as_raw());

    // The CLI's rows and JSON: the same sockets.
    let table = output(BIN, &["-A", "smc", "-an"]);
    let rows: Vec<&str> = table.lines().skip(1).collect();
    assert_eq!(rows.len(), 4, "{table}");
    assert_eq!(
        rows.iter().filter(|r| r.contains("LISTEN")).count(),
        2,
        "{table}"
    );
    assert_eq!(
        rows.iter().filter(|r| r.contains("ACTIVE")).count(),
        2,
        "{table}"
    );
    assert!(
        table.contains("127.0.0.1:6030") && table.contains("[::1]:6031"),
        "{table}"
    );
    let listening = output(BIN, &["-A", "smc", "-ln"]);
    assert_eq!(listening.lines().count(), 3, "{listening}");
    let json = output(BIN, &["-A", "smc", "-a", "--json"]);
    for line in json.lines() {
        let o: serde_json::Value = serde_json::from_str(line).unwrap();
        let s = socks.iter().find(|s| o["cookie"] == s.cookie).unwrap();
        assert_eq!(o["state"], s.state.name());
        assert_eq!(o["sport"], s.src_port);
        assert_eq!(o["mode"], s.mode.name());
        assert_eq!(o["inode"], s.inode);
    }
    assert_eq!(json.lines().count(), 4);

    // The poller: four new sockets, kept by the TCP states they resemble,
    // with their ends.
    use sockdiag::poll::{Change, End, Kind, Poller};
    let mut poller = Poller::new(SmcRequest::new()).unwrap();
    let mut new = Vec::new();
    poller
        .poll(|c| match c {
            Change::New { cookie, now, .. } => {
                assert_eq!(now.kind(), Kind::Smc);
                new.push((cookie, now.state(), now.local()));
            }
            _ => panic!("{c:?}"),
        })
        .unwrap();
    new.sort_unstable_by_key(|n| n.0);
    let mut expected: Vec<_> = socks
        .iter()
        .map(|s| {
            let local = match s.src {
                Some(ip) => End::Addr((ip, s.src_port).into()),
                None => End::Port(s.src_port),
            };
            (s.cookie, s.state.as_tcp(), local)
        })
        .collect();
    expected.sort_unstable_by_key(|n| n.0);
    assert_eq!(new, expected);
    assert_eq!(
        new.iter().filter(|n| n.1 == TcpState::Listen).count(),
        2,
        "{new:?}"
    );
}

pub fn tipc_sockets_by_service_and_port() {
    use sockdiag::tipc::TipcRequest;
    use sockdiag::SocketType;
    const AF_TIPC: libc::c_int = 30;
    let mut sock = DiagSocket::new().unwrap();
    if !support::kernel_module("tipc_diag") {
        match sock.snapshot(&TipcRequest::new()) {
            Err(e @ Error::Unavailable { family: 30, .. }) => {
                assert!(e.to_string().contains("tipc_diag"), "{e}");
            }
            other => panic!("no tipc_diag here, yet a TIPC dump answered {other:?}"),
        }
        println!("    no tipc_diag in this kernel: its dumps are Error::Unavailable");
        return;
    }
    use sockdiag::poll::{Change, End, Kind, Poller};
    let tipc = |ty| support::raw_socket(AF_TIPC, ty, 0).unwrap();
    // A datagram socket publishing {18888, 17..17}; a stream listener on
    // {18889, 1}; a client connected to it by name, and the accepted end.
    let rdm = tipc(libc::SOCK_RDM);
    support::tipc_bind(&rdm, 18888, 17, 17).unwrap();
    let l = tipc(libc::SOCK_STREAM);
    support::tipc_bind(&l, 18889, 1, 1).unwrap();
    nix::sys::socket::listen(&l, nix::sys::socket::Backlog::new(4).unwrap()).unwrap();
    let c = tipc(libc::SOCK_STREAM);
    let c = std::thread::scope(|t| {
        let connecting = t.spawn(|| support::tipc_connect(&c, 18889, 1).map(|()| &c));
        let s = support::accept_one(&l);
        // Not inherited by the ss and sockdiag processes listed below.
        nix::fcntl::fcntl(
            &s,
            nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
        )
        .unwrap();
        (connecting.join().unwrap().unwrap(), s)
    });
    let (c, s) = c;
    // One message waits, unread, in the accepted end's queue.
    nix::unistd::write(c, b"tipc").unwrap();
    let wait = std::time::Instant::now();
    let server_port = support::tipc_name(&s).unwrap().0;
    let socks = loop {
        let socks = sock.snapshot(&TipcRequest::new()).unwrap();
        let queued = socks
            .iter()
            .any(|t| t.port_id == Some(server_port) && t.stats.is_some_and(|st| st.rcvq == 1));
        if queued || wait.elapsed() > std::time::Duration::from_secs(10) {
            break socks;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    // Ours, and the namespace's topology server (the kernel's own
    // SOCK_SEQPACKET listener on {TIPC_TOP_SRV, TIPC_TOP_SRV}).
    assert_eq!(socks.len(), 5, "{socks:#?}");
    assert!(socks.iter().all(|t| t.errors.is_empty()), "{socks:#?}");
    let topsrv: Vec<_> = socks
        .iter()
        .filter(|t| t.socket_type == Some(SocketType::SeqPacket))
        .collect();
    assert_eq!(topsrv.len(), 1, "{socks:#?}");
    assert_eq!(
        (topsrv[0].state, topsrv[0].has_publication),
        (Some(TcpState::Listen), true)
    );
    let uid = nix::unistd::geteuid().as_raw();
    let by = |fd: &OwnedFd| {
        let (port, node) = support::tipc_name(fd).unwrap();
        let t = socks
            .iter()
            .find(|t| t.port_id == Some(port))
            .unwrap_or_else(|| panic!("port {port} in {socks:#?}"));
        assert_eq!(t.node, Some(node), "{t:#?}");
        assert_eq!(t.inode, Some(inode_of(fd)), "{t:#?}");
        assert_eq!(t.uid, Some(uid));
        assert!(t.cookie.is_some_and(|c| c != 0), "{t:#?}");
        t
    };
    let (datagram, listener, client, server) = (by(&rdm), by(&l), by(c), by(&s));
    assert_eq!(
        (
            datagram.socket_type,
            datagram.state,
            datagram.has_publication
        ),
        (Some(SocketType::Rdm), Some(TcpState::Close), true)
    );
    assert_eq!(datagram.connection, None);
    assert_eq!(
        (
            listener.socket_type,
            listener.state,
            listener.has_publication
        ),
        (Some(SocketType::Stream), Some(TcpState::Listen), true)
    );
    for (a, b) in [(client, server), (server, client)] {
        assert_eq!(a.state, Some(TcpState::Established), "{a:#?}");
        assert!(!a.has_publication);
        let con = a.connection.unwrap();
        assert_eq!((con.node, Some(con.port_id)), (b.node.unwrap(), b.port_id));
    }
    // The client connected by name; the accepted end keeps the name too.
    assert_eq!(client.connection.unwrap().service, Some((18889, 1)));
    assert_eq!(server.connection.unwrap().service, Some((18889, 1)));
    let stats = |t: &sockdiag::tipc::TipcSocket| t.stats.map(|st| (st.rcvq, st.drops));
    assert_eq!((stats(server), stats(client)), (Some((1, 0)), Some((0, 0))));
    // A state selection.
    let listening = sock
        .snapshot(&TipcRequest::new().with_states(sockdiag::inet::States::LISTEN))
        .unwrap();
    assert_eq!(listening.len(), 2, "{listening:#?}");
    assert!(listening.iter().all(|t| t.state == Some(TcpState::Listen)));
    assert!(listening.iter().any(|t| t.port_id == listener.port_id));

    // The CLI's JSON: the kernel's fields by their names.
    let json = output(BIN, &["--tipc", "-a", "--json"]);
    let objects: Vec<serde_json::Value> = json
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(objects.len(), 5, "{json}");
    for t in &socks {
        let o = objects
            .iter()
            .find(|o| o["port_id"] == t.port_id.unwrap())
            .unwrap_or_else(|| panic!("port {:?} in {json}", t.port_id));
        assert_eq!(o["family"], "tipc");
        assert_eq!(o["state"], t.state.unwrap().name());
        assert_eq!(o["node"], t.node.unwrap());
        assert_eq!(o["inode"], t.inode.unwrap());
        assert_eq!(o["cookie"], t.cookie.unwrap());
        assert_eq!(o["has_publication"], t.has_publication);
        assert_eq!(
            o["peer_port_id"],
            serde_json::json!(t.connection.map(|c| c.port_id))
        );
    }
    let netids: BTreeSet<String> = objects.iter().map(|o| o["netid"].to_string()).collect();
    assert_eq!(
        netids,
        ["\"ti_rd\"", "\"ti_sq\"", "\"ti_st\""]
            .map(String::from)
            .into()
    );

    if !skip_without_ss() {
        cli_rows_equal_ss(&["--tipc", "-an"]);
        cli_rows_equal_ss(&["--tipc", "-ln"]);
        cli_rows_equal_ss(&["--tipc", "-n"]);
        cli_rows_equal_ss(&["--tipc", "-ane"]);
        cli_rows_equal_ss(&["--tipc", "-an", "--tipcinfo"]);
        cli_rows_equal_ss(&["-A", "tipc", "-anp"]);
    }

    // The poller sees each socket new once, its ends as the kernel's,
    // and the datagram socket gone when it closes.
    let mut poller = Poller::new(TipcRequest::new()).unwrap();
    let mut new = Vec::new();
    poller
        .poll(|c| match c {
            Change::New { cookie, now, .. } => {
                new.push((cookie, now.kind(), now.local(), now.peer()))
            }
            _ => panic!("{c:?}"),
        })
        .unwrap();
    new.sort_by_key(|n| n.0);
    let end = |node, port_id| End::Tipc { node, port_id };
    let mut expected: Vec<_> = socks
        .iter()
        .map(|t| {
            (
                t.cookie.unwrap(),
                Kind::Tipc(t.socket_type.unwrap()),
                end(t.node.unwrap(), t.port_id.unwrap()),
                t.connection.map_or(End::None, |c| end(c.node, c.port_id)),
            )
        })
        .collect();
    expected.sort_by_key(|n| n.0);
    assert_eq!(new, expected);
    let rdm_cookie = datagram.cookie.unwrap();
    let client_port = client.port_id;
    drop(rdm);
    let mut gone = Vec::new();
    poller
        .poll(|c| match c {
            Change::Gone { cookie, .. } => gone.push(cookie),
            Change::Changed { .. } => {}
            _ => panic!("{c:?}"),
        })
        .unwrap();
    assert_eq!(gone, [rdm_cookie]);
    // The watch: the four sockets left, as new, then the client's end.
    let first = output(BIN, &["watch", "--tipc", "-a", "--count", "1", "--json"]);
    let events: Vec<serde_json::Value> = first
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let new: Vec<_> = events.iter().filter(|v| v["event"] == "new").collect();
    assert_eq!(new.len(), 4, "{first}");
    let c_event = new
        .iter()
        .find(|v| v["port_id"] == client_port.unwrap())
        .unwrap_or_else(|| panic!("the client in {first}"));
    assert_eq!(c_event["netid"], "ti_st", "{c_event}");
    assert_eq!(c_event["peer_port_id"], server_port, "{c_event}");
}

/// `(major, minor)` of a version such as "6.1.0-57-cloud-amd64" or "4.7".
fn version(v: &str) -> (u32, u32) {
    let mut parts = v.split(|c: char| !c.is_ascii_digit());
    let major = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor)
}

pub fn growing_structs_match_this_kernel() {
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let kernel = version(release.trim());
    let p = support::Population::create();
    let a = support::AttrPopulation::create();
    let mut sock = DiagSocket::new().unwrap();
    let all = Extensions::all();

    // tcp_info: the dump's is as long as getsockopt's, and each accessor
    // is Some exactly for the fields of this kernel's version.
    let tcp = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_extensions(all),
    );
    let ours = find(
        &tcp,
        &p.tcp4_client,
        p.tcp4_client.peer_addr().unwrap().port(),
    );
    let info = ours.tcp_info.as_ref().unwrap();
    let theirs = support::tcp_info_sockopt(&p.tcp4_client);
    assert_eq!(info.len(), theirs.len(), "tcp_info's length");
    for &f in TcpField::ALL {
        assert_eq!(
            info.get(f).is_some(),
            kernel >= version(f.since()),
            "{} (Linux {}) on {} with a {}-byte tcp_info",
            f.c_name(),
            f.since(),
            release.trim(),
            info.len()
        );
    }
    println!(
        "    tcp_info: {} bytes, {} of {} fields",
        info.len(),
        TcpField::ALL
            .iter()
            .filter(|f| info.get(**f).is_some())
            .count(),
        TcpField::ALL.len()
    );

    // mptcp_info: the same against getsockopt(SOL_MPTCP, MPTCP_INFO).
    if let Some((_, client, _)) = &a.mptcp {
        let socks = dump_all(
            &mut sock,
            InetRequest::new(Family::Inet, Protocol::Mptcp).with_extensions(all),
        );
        let ours = socks.iter().find(|s| s.inode == inode_of(client)).unwrap();
        let info = ours.mptcp_info.as_ref().unwrap();
        let theirs = support::mptcp_info_sockopt(client);
        assert_eq!(info.len(), theirs.len(), "mptcp_info's length");
        let theirs = MptcpInfo::new(&theirs[..]);
        // Every field of this kernel's version is there; newer ones may
        // be too, where a stable kernel took them (Debian's 6.1 has
        // 6.5's counters), and then the kernel's own answer has them.
        let mut backported = Vec::new();
        for &f in MptcpField::ALL {
            if kernel >= version(f.since()) {
                assert!(
                    info.get(f).is_some(),
                    "{} (Linux {}) on {}",
                    f.c_name(),
                    f.since(),
                    release.trim()
                );
            } else if info.get(f).is_some() {
                backported.push(f.c_name());
            }
            assert_eq!(
                info.get(f).is_some(),
                theirs.get(f).is_some(),
                "{}",
                f.c_name()
            );
        }
        assert_eq!(info.get(MptcpField::Flags), theirs.get(MptcpField::Flags));
        println!(
            "    mptcp_info: {} bytes; newer than this kernel's version: {backported:?}",
            info.len()
        );
    } else {
        assert!(!support::under_matrix(), "MPTCP is in every matrix kernel");
    }

    // sctp_info: every field since 4.7.
    if support::kernel_module("sctp_diag") {
        let l = support::sctp_socket(libc::SOCK_STREAM, &["127.0.0.1:6021"]);
        socket::listen(&l, socket::Backlog::new(8).unwrap()).unwrap();
        let socks = dump_all(
            &mut sock,
            InetRequest::new(Family::Inet, Protocol::Sctp).with_extensions(all),
        );
        let info = find(&socks, &l, 0).sctp_info.as_ref().expect("sctp_info");
        assert!(
            SctpField::ALL.iter().all(|f| info.get(*f).is_some()),
            "{info:?}"
        );
        println!("    sctp_info: {} bytes", info.len());
    }
}
