//! What `sockdiag exporter --all-netns` costs per poll as the number of
//! network namespaces grows, with the kernel's TCP hash shared by every
//! namespace and with each namespace's own.
//!
//! For each count N it makes N named namespaces (`ip netns add`), each
//! with a listener and C established loopback connections (2C + 1 TCP
//! sockets, held by this process), runs `target/release/sockdiag exporter
//! --all-netns` beside them, and reads the mean poll time over P polls
//! from its own `sockdiag_poll_duration_seconds`. It does so twice: with
//! `net.ipv4.tcp_child_ehash_entries=0` (the default: the new namespaces
//! share the host's hash, so each namespace's dump walks every
//! namespace's sockets) and with `=N` buckets each (each namespace has its
//! own hash). The sysctl is restored, the namespaces deleted.
//!
//! Run as root on an otherwise idle machine: `cargo build --release
//! --workspace && target/release/netns_cost 1,10,50,100 80 10`
//! (namespace counts, connections per namespace, polls).

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::net::{TcpListener, TcpStream};
use std::os::fd::AsFd;
use std::process::Command;
use std::time::{Duration, Instant};

use nix::sys::resource::{getrlimit, setrlimit, Resource};

const SYSCTL: &str = "/proc/sys/net/ipv4/tcp_child_ehash_entries";

/// One namespace's sockets, kept open.
struct Populated {
    name: String,
    _listener: TcpListener,
    _pairs: Vec<(TcpStream, TcpStream)>,
}

fn ip(args: &[&str]) {
    let ok = Command::new("ip").args(args).status().unwrap().success();
    assert!(ok, "ip {args:?}");
}

/// A named namespace with a listener and `conns` connections.
fn populate(name: &str, conns: usize) -> Populated {
    ip(&["netns", "add", name]);
    ip(&["-n", name, "link", "set", "lo", "up"]);
    let file = std::fs::File::open(format!("/run/netns/{name}")).unwrap();
    let (listener, pairs) = std::thread::scope(|s| {
        s.spawn(|| {
            nix::sched::setns(file.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET).unwrap();
            let l = TcpListener::bind("127.0.0.1:5000").unwrap();
            let pairs = (0..conns)
                .map(|_| {
                    let c = TcpStream::connect("127.0.0.1:5000").unwrap();
                    let (s, _) = l.accept().unwrap();
                    (c, s)
                })
                .collect::<Vec<_>>();
            (l, pairs)
        })
        .join()
        .unwrap()
    });
    Populated {
        name: name.to_owned(),
        _listener: listener,
        _pairs: pairs,
    }
}

/// The exporter's mean poll time over `polls` polls, once it scans
/// `namespaces` namespaces; and the sockets it tracks.
fn measure(namespaces: usize, polls: u32) -> (f64, f64) {
    let cli = std::env::current_exe().unwrap().with_file_name("sockdiag");
    let (mut child, addr) = support::spawn_exporter(&cli, &["--all-netns", "--interval", "200ms"]);
    let start = Instant::now();
    let base = loop {
        let t = support::scrape_text(addr);
        if support::sample(&t, "sockdiag_namespaces_scanned") as usize >= namespaces
            && support::sample(&t, "sockdiag_polls_total") >= 2.0
        {
            break t;
        }
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "never scanned them"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let (polls0, sum0) = (
        support::sample(&base, "sockdiag_poll_duration_seconds_count"),
        support::sample(&base, "sockdiag_poll_duration_seconds_sum"),
    );
    let end = loop {
        let t = support::scrape_text(addr);
        if support::sample(&t, "sockdiag_poll_duration_seconds_count") >= polls0 + f64::from(polls)
        {
            break t;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    let n = support::sample(&end, "sockdiag_poll_duration_seconds_count") - polls0;
    let mean = (support::sample(&end, "sockdiag_poll_duration_seconds_sum") - sum0) / n;
    (mean, support::sample(&end, "sockdiag_sockets_tracked"))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let counts: Vec<usize> = args
        .first()
        .map_or("1,10,50,100", String::as_str)
        .split(',')
        .map(|n| n.parse().unwrap())
        .collect();
    let conns: usize = args.get(1).map_or(200, |n| n.parse().unwrap());
    let polls: u32 = args.get(2).map_or(10, |n| n.parse().unwrap());
    // Two descriptors per connection, all held here.
    let need = counts.iter().max().copied().unwrap_or(0) as u64 * (2 * conns as u64 + 2) + 1024;
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    assert!(
        need <= hard,
        "{need} descriptors needed, {hard} allowed (ulimit -Hn): fewer namespaces or connections"
    );
    setrlimit(Resource::RLIMIT_NOFILE, need, hard).unwrap();
    // Leftovers of an interrupted run.
    let list = Command::new("ip").args(["netns", "list"]).output().unwrap();
    for line in String::from_utf8_lossy(&list.stdout).lines() {
        if let Some(name) = line.split(' ').next().filter(|n| n.starts_with("sdcost-")) {
            ip(&["netns", "del", name]);
        }
    }
    println!("{}", support::machine());
    let host_tcp = std::fs::read_to_string("/proc/net/sockstat").unwrap_or_default();
    let inuse = host_tcp
        .lines()
        .find(|l| l.starts_with("TCP:"))
        .unwrap_or_default()
        .to_owned();
    println!("host's own TCP sockets before: {inuse}");
    println!(
        "{conns} connections per namespace ({} TCP sockets each), mean of {polls} polls at --interval 200ms",
        2 * conns + 1
    );
    let saved = std::fs::read_to_string(SYSCTL).unwrap_or_else(|_| "0".into());
    println!("\n| hash | namespaces | sockets tracked | poll (ms) | per namespace (ms) |");
    println!("|---|---:|---:|---:|---:|");
    for (mode, entries) in [("shared", 0usize), ("own", 4096)] {
        std::fs::write(SYSCTL, entries.to_string()).unwrap();
        for &n in &counts {
            let pop: Vec<Populated> = (0..n)
                .map(|i| populate(&format!("sdcost-{i}"), conns))
                .collect();
            // This process's namespace and the N new ones.
            let (mean, tracked) = measure(n + 1, polls);
            println!(
                "| {mode} | {n} | {tracked} | {:.2} | {:.3} |",
                mean * 1e3,
                mean * 1e3 / (n + 1) as f64
            );
            for p in pop {
                let name = p.name.clone();
                drop(p);
                ip(&["netns", "del", &name]);
            }
        }
    }
    std::fs::write(SYSCTL, saved.trim()).unwrap();
}
