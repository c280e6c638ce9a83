//! Live tests of the other families: unix sockets of every kind, netlink and packet sockets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![unix_sockets_of_every_kind, netlink_sockets, packet_sockets];

/// `ss -xaH`: (netid, state, recv-q, send-q, local name, inode, peer inode).
fn ss_unix() -> BTreeSet<Vec<String>> {
    let out = Command::new("ss").args(["-xaH"]).output().unwrap();
    assert!(out.status.success());
    rows(&String::from_utf8(out.stdout).unwrap(), false)
}

/// Creates a unix socket as uid 65534 in a child process (this same test
/// binary in helper mode) bound to the abstract name `name`; returns the
/// child, which holds the socket until its stdin closes. `None` when this
/// process cannot switch uid (not root).
fn unix_socket_of_other_user(name: &str) -> Option<std::process::Child> {
    use std::io::BufRead;
    if !real_root() {
        return None;
    }
    let mut child = as_nobody(std::env::current_exe().unwrap())
        .args(["--helper-unix-socket", name])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .ok()?;
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    Some(child)
}

/// Helper mode: bind an abstract unix datagram socket, say so, and hold it
/// until stdin closes.
pub(crate) fn helper_unix_socket(name: &str) {
    use std::io::Read;
    use std::os::linux::net::SocketAddrExt;
    let addr = std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
    let _sock = std::os::unix::net::UnixDatagram::bind_addr(&addr).unwrap();
    println!("ready");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

pub fn unix_sockets_of_every_kind() {
    use sockdiag::unix::{UnixAddr as Name, UnixRequest, UnixShow, UnixSocket};
    use sockdiag::SocketType;
    use std::os::unix::fs::MetadataExt;

    let dir = std::env::temp_dir().join(format!("sockdiag-live-{}", std::process::id()));
    let p = support::UnixPopulation::create(&dir);
    let (path, listener, pending, abstract_dgram) =
        (&p.path, &p.listener, &p.pending, &p.abstract_dgram);
    let (stream_a, stream_b, seq_a, seq_b, dgram_a, dgram_b) = (
        &p.stream_a,
        &p.stream_b,
        &p.seq_a,
        &p.seq_b,
        &p.dgram_a,
        &p.dgram_b,
    );
    let other_user = unix_socket_of_other_user("sockdiag-other-user");

    let mut sock = DiagSocket::new().unwrap();
    let all = sock
        .snapshot(&UnixRequest::new().with_show(UnixShow::all()))
        .unwrap();
    let by_inode: HashMap<u32, UnixSocket> = all.iter().map(|s| (s.inode, s.clone())).collect();
    let get = |fd: &dyn AsRawFd| by_inode[&inode_of(&fd.as_raw_fd())].clone();
    let expected = 10 + usize::from(other_user.is_some());
    assert_eq!(all.len(), expected, "{all:#?}");
    let uid = nix::unistd::geteuid().as_raw();
    for s in &all {
        assert!(s.errors.is_empty() && s.other.is_empty(), "{s:?}");
        assert_eq!(s.skmeminfo.as_ref().map(|m| m.len()), Some(9));
        if s.name != Some(Name::Abstract(b"sockdiag-other-user".to_vec())) {
            assert_eq!(s.uid, Some(uid));
        }
    }

    let l = get(listener);
    assert_eq!(
        (l.socket_type, l.state),
        (SocketType::Stream, TcpState::Listen)
    );
    assert_eq!(l.name, Some(Name::Path(path.clone())));
    let meta = std::fs::metadata(path).unwrap();
    let vfs = l.vfs.unwrap();
    assert_eq!(u64::from(vfs.inode), meta.ino());
    assert_eq!(
        (u64::from(vfs.major()), u64::from(vfs.minor())),
        (
            nix::sys::stat::major(meta.dev()),
            nix::sys::stat::minor(meta.dev())
        )
    );
    let mut icons = l.icons.clone().unwrap();
    icons.sort_unstable();
    let mut clients: Vec<u32> = pending.iter().map(inode_of).collect();
    clients.sort_unstable();
    assert_eq!(icons, clients, "ICONS lists the connecting sockets");
    let q = l.rqlen.unwrap();
    assert_eq!((q.rqueue, q.wqueue), (2, 5), "2 pending, backlog 5");
    for c in pending {
        let c = get(c);
        assert_eq!(c.state, TcpState::Established);
        assert_eq!(c.peer, Some(0), "its peer is not accepted yet: no inode");
    }

    let a = get(abstract_dgram);
    assert_eq!(
        (a.socket_type, a.state),
        (SocketType::Dgram, TcpState::Close)
    );
    assert_eq!(a.name, Some(Name::Abstract(b"sockdiag-abstract".to_vec())));
    assert_eq!(a.vfs, None);

    for (x, y, ty, unread) in [
        (get(stream_a), get(stream_b), SocketType::Stream, 7),
        (get(seq_a), get(seq_b), SocketType::SeqPacket, 5),
        (get(dgram_a), get(dgram_b), SocketType::Dgram, 9),
    ] {
        assert_eq!((x.socket_type, y.socket_type), (ty, ty));
        assert_eq!(
            (x.name.clone(), y.name.clone()),
            (None, None),
            "unnamed, and kept"
        );
        assert_eq!(x.peer, Some(y.inode), "{ty:?}: each peer names the other");
        assert_eq!(y.peer, Some(x.inode), "{ty:?}");
        assert_eq!(
            y.rqlen.unwrap().rqueue,
            unread,
            "{ty:?}: unread at the receiver"
        );
        assert!(x.rqlen.unwrap().wqueue > 0, "{ty:?}: the sender's queue");
    }
    assert_eq!(get(stream_a).shutdown, Some(Shutdown::SEND));
    assert_eq!(get(stream_b).shutdown, Some(Shutdown::RECEIVE));

    if other_user.is_some() {
        let s = all
            .iter()
            .find(|s| s.name == Some(Name::Abstract(b"sockdiag-other-user".to_vec())))
            .unwrap();
        assert_eq!(s.uid, Some(65534), "UID of a socket opened by another user");
    } else {
        assert!(
            !require_live(),
            "the uid check needs root (SOCKDIAG_REQUIRE_LIVE=1)"
        );
        println!("    (uid check skipped: switching uid needs root)");
    }

    // Exact lookups: by inode and cookie; stale cookie and unknown inode.
    let found = sock
        .snapshot(&UnixRequest::lookup(l.inode, Some(l.cookie)))
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].inode, found[0].cookie), (l.inode, l.cookie));
    assert_eq!(found[0].name, l.name);
    let stale = sock.snapshot(&UnixRequest::lookup(l.inode, Some(l.cookie ^ 1)));
    assert!(
        matches!(stale, Err(Error::NotFound { errno }) if errno == libc::ESTALE),
        "{stale:?}"
    );
    let gone = sock.snapshot(&UnixRequest::lookup(u32::MAX - 7, None));
    assert!(
        matches!(gone, Err(Error::NotFound { errno }) if errno == libc::ENOENT),
        "{gone:?}"
    );
    // The state mask is the kernel's: only listeners.
    let listeners = sock
        .snapshot(&UnixRequest::new().with_states(States::LISTEN))
        .unwrap();
    assert_eq!(listeners.len(), 1);

    // The same sockets, fields and names as ss prints them.
    if !skip_without_ss() {
        let mut ss_rows = 0;
        for row in ss_unix() {
            let [netid, state, rq, wq, name, ino, _, peer] = &row[..] else {
                panic!("unexpected ss row {row:?}");
            };
            let s = &by_inode[&ino.parse::<u32>().unwrap()];
            assert_eq!(netid, s.socket_type.unix_netid(), "{row:?}");
            let state_text = match s.state {
                TcpState::Listen => "LISTEN",
                TcpState::Established => "ESTAB",
                _ => "UNCONN",
            };
            assert_eq!(state, state_text, "{row:?}");
            let q = s.rqlen.unwrap();
            assert_eq!(
                (rq.parse::<u32>().unwrap(), wq.parse::<u32>().unwrap()),
                (q.rqueue, q.wqueue),
                "{row:?}"
            );
            let shown = s.name.as_ref().map_or("*".to_owned(), |n| n.to_string());
            assert_eq!(name, &shown, "{row:?}");
            assert_eq!(peer.parse::<u32>().unwrap(), s.peer.unwrap_or(0), "{row:?}");
            ss_rows += 1;
        }
        assert_eq!(ss_rows, all.len());
    }
    if let Some(mut child) = other_user {
        drop(child.stdin.take());
        child.wait().unwrap();
    }
    drop(p);
    std::fs::remove_dir_all(&dir).unwrap();
}

pub fn netlink_sockets() {
    use sockdiag::netlink_diag::{NetlinkFlags, NetlinkRequest, NetlinkShow};
    let fd = support::netlink_route_socket();
    let me: NetlinkAddr = socket::getsockname(fd.as_raw_fd()).unwrap();
    let mut sock = DiagSocket::new().unwrap();
    let all = sock
        .snapshot(&NetlinkRequest::new().with_show(NetlinkShow::all()))
        .unwrap();
    let ours = all.iter().find(|s| s.inode == inode_of(&fd)).unwrap();
    assert_eq!((ours.protocol, ours.port_id), (0, me.pid()));
    assert_eq!(ours.groups.as_deref(), Some(&[1, 5][..]), "groups 1 and 5");
    assert!(!ours.connected && ours.errors.is_empty());
    assert_eq!(ours.skmeminfo.as_ref().map(|m| m.len()), Some(9));
    // The dumping socket itself, with its dump running.
    let me = all
        .iter()
        .find(|s| s.protocol == 4 && s.port_id == sock.port_id())
        .expect("the diag socket lists itself");
    assert!(me.flags.unwrap().contains(NetlinkFlags::CB_RUNNING));
    // The kernel's own rtnetlink socket: port 0.
    assert!(all.iter().any(|s| s.protocol == 0 && s.port_id == 0));
    // Filtering by protocol is the kernel's.
    let route = sock
        .snapshot(&NetlinkRequest::new().with_protocol(0))
        .unwrap();
    assert!(route.iter().all(|s| s.protocol == 0));
    assert_eq!(route.len(), all.iter().filter(|s| s.protocol == 0).count());
}

pub fn packet_sockets() {
    use sockdiag::packet::{PacketInfoFlags, PacketRequest, PacketShow};
    let support::PacketPopulation { raw, dgram } = support::PacketPopulation::create();
    let mut sock = DiagSocket::new().unwrap();
    let all = sock
        .snapshot(&PacketRequest::new().with_show(PacketShow::all()))
        .unwrap();
    assert_eq!(all.len(), 2);
    let r = all.iter().find(|s| s.inode == inode_of(&raw)).unwrap();
    assert_eq!(
        (r.socket_type.to_raw(), r.protocol),
        (3, support::ETH_P_ARP)
    );
    let info = r.info.unwrap();
    assert_eq!(info.index, 1, "bound to lo");
    assert!(info.flags.contains(PacketInfoFlags::RUNNING));
    assert_eq!(r.fanout.map(|f| (f.id(), f.kind())), Some((42, 0)));
    let filter = r.filter.clone().unwrap();
    assert_eq!(filter.len(), 1);
    assert_eq!((filter[0].code.get(), filter[0].k.get()), (0x06, 0xffff));
    let m = r.memberships.clone().unwrap();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].index, m[0].kind), (1, 1), "PACKET_MR_PROMISC on lo");
    assert_eq!(r.uid, Some(nix::unistd::geteuid().as_raw()));
    assert!(r.skmeminfo.is_some() && r.errors.is_empty());
    let d = all.iter().find(|s| s.inode == inode_of(&dgram)).unwrap();
    assert_eq!((d.socket_type.to_raw(), d.protocol), (2, support::ETH_P_IP));
    assert_eq!(d.info.unwrap().index, 0, "not bound to an interface");
    assert_eq!(
        (d.fanout, d.memberships.as_ref().map(Vec::len)),
        (None, Some(0))
    );
}
