//! Live tests of what touches the host: other network namespaces, process attribution, capture and replay.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    capture_hook_records_every_datagram,
    scanning_other_network_namespaces,
    capture_and_replay,
    process_attribution,
];

pub fn capture_hook_records_every_datagram() {
    let (_listener, _clients) = support::many_connections(6000, 300);
    let req = InetRequest::new(Family::Inet, Protocol::Tcp);
    let mut sock = DiagSocket::new().unwrap();
    let mut captured = Vec::new();
    let mut live = 0;
    {
        let mut dump = sock.dump(&req).unwrap().capture(&mut captured);
        while let Some(batch) = dump.next_batch().unwrap() {
            live += batch.len();
        }
    }
    assert_eq!(live, 601);
    // The capture replays through the parser: every socket, then DONE.
    let msgs: Vec<_> = Messages::new(&captured).collect::<Result<_, _>>().unwrap();
    assert_eq!(msgs.len(), 602);
    assert!(msgs.last().unwrap().is_done());
    let parsed = msgs[..601]
        .iter()
        .filter(|m| InetMsg::parse(**m).is_ok())
        .count();
    assert_eq!(parsed, 601);
    // The compat form with a writer captures the same way.
    let mut resp = Vec::new();
    let socks = sockdiag::compat::inet_diag(&req, Some(&mut resp)).unwrap();
    assert_eq!(socks.len(), 601);
    assert_eq!(Messages::new(&resp).count(), 602);
}

/// Helper mode: a TCP listener on 127.0.0.1:`port` (after moving into a
/// fresh network namespace if `fresh`), held until stdin closes.
pub(crate) fn helper_listener(port: &str, fresh: bool) {
    use std::io::Read;
    if fresh {
        support::enter_private_netns().unwrap();
    }
    let _l = std::net::TcpListener::bind(("127.0.0.1", port.parse::<u16>().unwrap())).unwrap();
    println!("ready");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

/// This test binary as a helper process (`args`), after `prefix` (`ip
/// netns exec NAME`): returns once it said it is ready.
pub(crate) fn spawn_helper(args: &[&str], prefix: &[&str]) -> std::process::Child {
    use std::io::BufRead;
    let exe = std::env::current_exe().unwrap();
    let mut cmd = match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(exe);
            c
        }
        None => Command::new(exe),
    };
    let mut child = cmd
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "ready");
    child
}

/// Ends a helper (it exits when its standard input closes).
pub(crate) fn finish(mut child: std::process::Child) {
    drop(child.stdin.take());
    child.wait().unwrap();
}

fn listeners_on(sock: &mut DiagSocket, port: u16) -> usize {
    dump_all(
        sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_src_port(port),
    )
    .len()
}

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

pub fn scanning_other_network_namespaces() {
    use sockdiag::NetNs;
    use std::os::fd::AsFd;
    let fds_before = open_fds();
    // A process in namespace A, with a listener on 7300.
    let child = spawn_helper(&["--helper-listener", "7300", "fresh"], &[]);
    let pid = child.id();
    let mut here = DiagSocket::new().unwrap();
    assert_eq!(
        listeners_on(&mut here, 7300),
        0,
        "not in this thread's namespace"
    );
    let path = std::path::PathBuf::from(format!("/proc/{pid}/ns/net"));
    let file = std::fs::File::open(&path).unwrap();
    for ns in [NetNs::Pid(pid), NetNs::Path(&path), NetNs::Fd(file.as_fd())] {
        let mut there = DiagSocket::in_netns(ns).unwrap();
        assert_eq!(listeners_on(&mut there, 7300), 1, "{ns}");
    }
    drop(file);
    // Found among the host's namespaces, by a process of its own.
    use std::os::unix::fs::MetadataExt;
    let inode_a = std::fs::metadata(&path).unwrap().ino();
    let found = NetNs::discover().unwrap();
    assert!(
        found.windows(2).all(|w| w[0].inode < w[1].inode),
        "sorted, once each"
    );
    let a = found
        .iter()
        .find(|f| f.inode == inode_a)
        .unwrap_or_else(|| panic!("{found:#?}"));
    assert_eq!(a.name, None);
    let mut there = DiagSocket::in_netns(a.netns()).unwrap();
    assert_eq!(listeners_on(&mut there, 7300), 1);
    drop(there);
    // A thread living in namespace C, seen from this one (namespace B).
    let (tx, rx) = std::sync::mpsc::channel();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let t = std::thread::spawn(move || {
        support::enter_private_netns().unwrap();
        let _l = std::net::TcpListener::bind(("127.0.0.1", 7301)).unwrap();
        tx.send(nix::unistd::gettid().as_raw()).unwrap();
        done_rx.recv().unwrap();
    });
    let tid = rx.recv().unwrap();
    let task = std::path::PathBuf::from(format!("/proc/self/task/{tid}/ns/net"));
    let mut there = DiagSocket::in_netns(NetNs::Path(&task)).unwrap();
    assert_eq!(listeners_on(&mut there, 7301), 1);
    assert_eq!(listeners_on(&mut here, 7301), 0);
    done_tx.send(()).unwrap();
    t.join().unwrap();
    finish(child);
    assert!(
        !NetNs::discover()
            .unwrap()
            .iter()
            .any(|f| f.inode == inode_a),
        "namespace A went with its process"
    );
    // By name, with ip netns (root only).
    if real_root() && Command::new("ip").arg("-V").output().is_ok() {
        let name = format!("sockdiag-test-{}", std::process::id());
        assert!(Command::new("ip")
            .args(["netns", "add", &name])
            .status()
            .unwrap()
            .success());
        let child = spawn_helper(
            &["--helper-listener", "7302", "stay"],
            &["ip", "netns", "exec", &name],
        );
        let mut named = DiagSocket::in_netns(NetNs::Named(&name)).unwrap();
        assert_eq!(listeners_on(&mut named, 7302), 1);
        drop(named);
        let inode = std::fs::metadata(format!("/run/netns/{name}"))
            .unwrap()
            .ino();
        let by_name =
            |found: &[sockdiag::FoundNetNs]| found.iter().find(|f| f.inode == inode).cloned();
        let f = by_name(&NetNs::discover().unwrap()).expect("the named namespace");
        assert_eq!(
            (f.name.as_deref(), f.path.clone()),
            (
                Some(name.as_str()),
                std::path::PathBuf::from(format!("/run/netns/{name}"))
            )
        );
        finish(child);
        assert!(Command::new("ip")
            .args(["netns", "del", &name])
            .status()
            .unwrap()
            .success());
        assert_eq!(
            by_name(&NetNs::discover().unwrap()),
            None,
            "gone with its name and process"
        );
    } else {
        assert!(
            !require_live(),
            "the named-namespace check needs root and ip (SOCKDIAG_REQUIRE_LIVE=1)"
        );
        println!("    (ip netns check skipped: needs root and iproute2)");
    }
    // Unknown namespaces: a typed error naming them.
    for ns in [
        NetNs::Named("sockdiag-no-such-ns"),
        NetNs::Pid(u32::MAX),
        NetNs::Named("../etc"),
    ] {
        match DiagSocket::in_netns(ns) {
            Err(e @ Error::Namespace { .. }) => {
                assert!(e.to_string().contains("network namespace"), "{e}")
            }
            other => panic!("{ns}: {other:?}"),
        }
    }
    drop((here, there));
    assert_eq!(open_fds(), fds_before, "no descriptor leaked");
}

pub fn capture_and_replay() {
    use sockdiag::replay::{Record, Replay};
    let _p = Population::create();
    let (_l, _c) = support::many_connections(6300, 150);
    let dir = std::env::temp_dir().join(format!("sockdiag-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tcp.dump");
    let mut sock = DiagSocket::new().unwrap();
    // Capture both families into one file, as `ss -D` does.
    let mut live = BTreeSet::new();
    {
        let mut file = std::fs::File::create(&path).unwrap();
        for family in [Family::Inet, Family::Inet6] {
            let req = InetRequest::new(family, Protocol::Tcp).with_extensions(Extensions::INFO);
            let mut dump = sock.dump(&req).unwrap().capture(&mut file);
            while let Some(batch) = dump.next_batch().unwrap() {
                live.extend(batch.iter().map(|m| m.cookie()));
            }
        }
    }
    let bytes = std::fs::read(&path).unwrap();
    let mut replayed = BTreeSet::new();
    let mut dones = 0;
    for record in Replay::new(&bytes).with_inet_protocol(Protocol::Tcp) {
        match record.unwrap() {
            Record::Inet(m) => {
                assert!(m
                    .attributes()
                    .any(|a| matches!(a, Ok(sockdiag::inet::InetAttr::TcpInfo(_)))));
                replayed.insert(m.cookie());
            }
            Record::Done(d) => {
                assert_eq!(d.errno(), None);
                dones += 1;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(dones, 2);
    assert_eq!(live.len(), 6 + 5 + 301);
    assert_eq!(replayed, live, "the replay is the live dump");
    // Two captures back to back, the DONEs cut off: still whole messages.
    let no_done = &bytes[..bytes.len() - 20];
    let twice = [no_done, no_done].concat();
    assert_eq!(
        Replay::new(&twice)
            .filter(|r| matches!(r, Ok(Record::Inet(_))))
            .count(),
        2 * live.len()
    );
    // Cut inside a message: every whole message, then the offset of the cut one.
    let cut = &bytes[..bytes.len() / 2];
    let records: Vec<_> = Replay::new(cut).collect();
    let err = records.last().unwrap().as_ref().unwrap_err();
    let whole: usize = records.iter().filter(|r| r.is_ok()).count();
    assert!(whole > 0);
    let boundary: usize = Messages::new(&bytes)
        .take(whole)
        .map(|m| (m.unwrap().payload().len() + 16 + 3) & !3)
        .sum();
    assert_eq!(err.offset(), boundary);
    assert_eq!(err.layer(), sockdiag::Layer::Message);
    // `ss -D` writes the same format.
    if !skip_without_ss() {
        let ss_path = dir.join("ss.dump");
        let ok = Command::new("ss")
            .arg("-D")
            .arg(&ss_path)
            .arg("-ta")
            .status()
            .unwrap()
            .success();
        assert!(ok);
        let ss_bytes = std::fs::read(&ss_path).unwrap();
        let from_ss: BTreeSet<u64> = Replay::new(&ss_bytes)
            .filter_map(|r| match r.unwrap() {
                Record::Inet(m) => Some(m.cookie()),
                _ => None,
            })
            .collect();
        assert_eq!(from_ss, live, "ss -D capture replays to the same sockets");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

pub fn process_attribution() {
    use sockdiag::procs::{Owner, ProcessMap};
    let p = Population::create();
    let child = spawn_helper(&["--helper-listener", "7500", "stay"], &[]);
    let mut sock = DiagSocket::new().unwrap();
    let theirs = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_src_port(7500),
    );
    assert_eq!(theirs.len(), 1);
    let map = ProcessMap::scan().unwrap();
    // The child's listener: its pid, a descriptor that links to the socket, its name.
    let owners = map.owners(theirs[0].inode);
    assert_eq!(owners.len(), 1, "{owners:?}");
    assert_eq!(owners[0].pid, child.id());
    let link = std::fs::read_link(format!("/proc/{}/fd/{}", owners[0].pid, owners[0].fd)).unwrap();
    assert_eq!(
        link.to_str().unwrap(),
        format!("socket:[{}]", theirs[0].inode)
    );
    let comm = std::fs::read_to_string(format!("/proc/{}/comm", child.id())).unwrap();
    assert_eq!(map.command(child.id()), Some(comm.trim_end()));
    // Ours: this process, the descriptor we hold.
    let me = std::process::id();
    for fd in [
        p.tcp4_listener.as_raw_fd(),
        p.tcp6_server.as_raw_fd(),
        p.udp4_server.as_raw_fd(),
    ] {
        let owners = map.owners(inode_of(&fd));
        assert!(
            owners.contains(&Owner {
                pid: me,
                tid: me,
                fd: fd as u32
            }),
            "fd {fd}: {owners:?}"
        );
    }
    // A socket nobody holds (waiting in an accept queue): no owner.
    let pending_child = dump_all(
        &mut sock,
        InetRequest::new(Family::Inet, Protocol::Tcp).with_dst_port(40002),
    );
    assert_eq!(pending_child[0].inode, 0);
    assert!(map.owners(123).is_empty());
    assert!(map.len() >= 13 && map.iter().count() == map.len());
    finish(child);
}
