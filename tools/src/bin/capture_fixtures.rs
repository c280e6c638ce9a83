//! Captures the byte fixtures of `tests/fixtures` from the running kernel,
//! inside a private network namespace holding the known population of
//! `tests/support` (and, for the 1k captures, 500 more connections).
//!
//! Run as root: `cargo run -p sockdiag-tools --bin capture_fixtures -- tests/fixtures`

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use nix::sys::socket::{
    self, AddressFamily, MsgFlags, NetlinkAddr, SockFlag, SockProtocol, SockType,
};
use sockdiag::inet::{Extensions, Family, InetRequest, LegacyRequest, Protocol};
use sockdiag::netlink_diag::{NetlinkRequest, NetlinkShow};
use sockdiag::packet::{PacketRequest, PacketShow};
use sockdiag::unix::{UnixRequest, UnixShow};
use sockdiag::{DiagSocket, Error};

/// Runs one dump and writes every datagram it received to `dir/name`.
fn capture<R: sockdiag::Request>(
    sock: &mut DiagSocket,
    req: R,
    dir: &Path,
    name: &str,
) -> Option<Error> {
    let mut bytes = Vec::new();
    let result = (|| {
        let mut dump = sock.dump(&req)?.capture(&mut bytes);
        let mut n = 0;
        while let Some(batch) = dump.next_batch()? {
            n += batch.len();
        }
        Ok::<usize, Error>(n)
    })();
    std::fs::write(dir.join(name), &bytes).unwrap();
    match result {
        Ok(n) => {
            println!("{name}: {n} sockets, {} bytes", bytes.len());
            None
        }
        Err(e) => {
            println!("{name}: error \"{e}\", {} bytes", bytes.len());
            Some(e)
        }
    }
}

/// Sends a request for address family 200 (beyond `AF_MAX`) and writes
/// the kernel's reply.
fn capture_bad_family(dir: &Path) {
    let fd = socket::socket(
        AddressFamily::Netlink,
        SockType::Raw,
        SockFlag::SOCK_CLOEXEC,
        SockProtocol::NetlinkSockDiag,
    )
    .unwrap();
    let mut req = InetRequest::new(Family::Inet, Protocol::Tcp)
        .to_bytes(1)
        .as_bytes()
        .to_vec();
    req[16] = 200; // sdiag_family
    socket::sendto(
        fd.as_raw_fd(),
        &req,
        &NetlinkAddr::new(0, 0),
        MsgFlags::empty(),
    )
    .unwrap();
    let mut buf = vec![0u8; 65536];
    let n = socket::recv(fd.as_raw_fd(), &mut buf, MsgFlags::empty()).unwrap();
    std::fs::write(dir.join("family_einval.bin"), &buf[..n]).unwrap();
    println!("family_einval.bin: {n} bytes");
}

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "tests/fixtures".into()),
    );
    std::fs::create_dir_all(&dir).unwrap();
    support::enter_private_netns().expect("needs root (CAP_SYS_ADMIN) for a private netns");
    let pop = support::Population::create();

    let mut inodes = String::new();
    for (name, fd) in [
        ("tcp4_listener", pop.tcp4_listener.as_raw_fd()),
        ("tcp4_client", pop.tcp4_client.as_raw_fd()),
        ("tcp4_server", pop.tcp4_server.as_raw_fd()),
        ("tcp4_pending", pop.tcp4_pending.as_raw_fd()),
        ("tcp6_listener", pop.tcp6_listener.as_raw_fd()),
        ("tcp6_client", pop.tcp6_client.as_raw_fd()),
        ("tcp6_server", pop.tcp6_server.as_raw_fd()),
        ("dual_listener", pop.dual_listener.as_raw_fd()),
        ("dual_client", pop.dual_client.as_raw_fd()),
        ("dual_server", pop.dual_server.as_raw_fd()),
        ("udp4_server", pop.udp4_server.as_raw_fd()),
        ("udp4_client", pop.udp4_client.as_raw_fd()),
        ("udp6_server", pop.udp6_server.as_raw_fd()),
    ] {
        writeln!(inodes, "{name} {}", support::inode_of(&fd)).unwrap();
    }
    std::fs::write(dir.join("inodes.txt"), inodes).unwrap();

    let mut sock = DiagSocket::new().unwrap();
    let all = Extensions::all();
    let tcp4 = InetRequest::new(Family::Inet, Protocol::Tcp);
    let tcp6 = InetRequest::new(Family::Inet6, Protocol::Tcp);
    for (req, name) in [
        (tcp4, "tcp4.bin"),
        (tcp6, "tcp6.bin"),
        (tcp4.with_extensions(all), "tcp4_ext.bin"),
        (tcp6.with_extensions(all), "tcp6_ext.bin"),
        (InetRequest::new(Family::Inet, Protocol::Udp), "udp4.bin"),
        (InetRequest::new(Family::Inet6, Protocol::Udp), "udp6.bin"),
    ] {
        assert!(capture(&mut sock, req, &dir, name).is_none());
    }
    let raw = InetRequest::new(Family::Inet, Protocol::Raw);
    assert!(matches!(
        capture(&mut sock, raw, &dir, "raw4_enoent.bin"),
        Some(Error::Unavailable { .. })
    ));
    capture_bad_family(&dir);

    // Phase 2: sockets that make the kernel send every attribute it can.
    let attrs = support::AttrPopulation::create();
    assert!(attrs.mptcp.is_some(), "this kernel has no MPTCP");
    let udp4 = InetRequest::new(Family::Inet, Protocol::Udp);
    let mptcp4 = InetRequest::new(Family::Inet, Protocol::Mptcp);
    for (req, name) in [
        (tcp4.with_extensions(all), "attrs_tcp4.bin"),
        (tcp6.with_extensions(all), "attrs_tcp6.bin"),
        (udp4.with_extensions(all), "attrs_udp4.bin"),
        (mptcp4.with_extensions(all), "attrs_mptcp4.bin"),
    ] {
        assert!(capture(&mut sock, req, &dir, name).is_none());
    }
    assert!(capture(
        &mut sock,
        LegacyRequest::tcp().with_extensions(all),
        &dir,
        "legacy_tcp.bin"
    )
    .is_none());

    let (_listener, _clients) = support::many_connections(6000, 500);
    assert!(capture(&mut sock, tcp4, &dir, "tcp4_1k.bin").is_none());
    assert!(capture(
        &mut sock,
        tcp4.with_extensions(all),
        &dir,
        "tcp4_1k_ext.bin"
    )
    .is_none());

    // Phase 4: the other families.
    let unix_dir = std::env::temp_dir().join("sockdiag-fixture");
    let unix = support::UnixPopulation::create(&unix_dir);
    let route = support::netlink_route_socket();
    let packet = support::PacketPopulation::create();
    let mut names = String::new();
    for (name, fd) in [
        ("unix_listener", unix.listener.as_raw_fd()),
        ("unix_pending0", unix.pending[0].as_raw_fd()),
        ("unix_pending1", unix.pending[1].as_raw_fd()),
        ("unix_abstract", unix.abstract_dgram.as_raw_fd()),
        ("unix_stream_a", unix.stream_a.as_raw_fd()),
        ("unix_stream_b", unix.stream_b.as_raw_fd()),
        ("unix_seq_a", unix.seq_a.as_raw_fd()),
        ("unix_seq_b", unix.seq_b.as_raw_fd()),
        ("unix_dgram_a", unix.dgram_a.as_raw_fd()),
        ("unix_dgram_b", unix.dgram_b.as_raw_fd()),
        ("netlink_route", route.as_raw_fd()),
        ("packet_raw", packet.raw.as_raw_fd()),
        ("packet_dgram", packet.dgram.as_raw_fd()),
    ] {
        writeln!(names, "{name} {}", support::inode_of(&fd)).unwrap();
    }
    std::fs::write(dir.join("family_inodes.txt"), names).unwrap();
    let listener_inode = support::inode_of(&unix.listener);
    assert!(capture(
        &mut sock,
        UnixRequest::new().with_show(UnixShow::all()),
        &dir,
        "unix_all.bin"
    )
    .is_none());
    assert!(capture(
        &mut sock,
        UnixRequest::lookup(listener_inode, None).with_show(UnixShow::all()),
        &dir,
        "unix_lookup.bin"
    )
    .is_none());
    assert!(matches!(
        capture(
            &mut sock,
            UnixRequest::lookup(u32::MAX - 7, None),
            &dir,
            "unix_lookup_enoent.bin"
        ),
        Some(Error::NotFound { .. })
    ));
    assert!(capture(
        &mut sock,
        NetlinkRequest::new().with_show(NetlinkShow::all()),
        &dir,
        "netlink_all.bin"
    )
    .is_none());
    assert!(capture(
        &mut sock,
        PacketRequest::new().with_show(PacketShow::all()),
        &dir,
        "packet_all.bin"
    )
    .is_none());
    drop((pop, attrs, unix, route, packet));
    std::fs::remove_dir_all(&unix_dir).unwrap();
}
