//! Measures `ProcessMap::scan` on a host with many sockets: in a private
//! network namespace, child processes each open loopback connections (both
//! ends held, at most ~19k descriptors per process under this machine's
//! RLIMIT_NOFILE), then this process times the `/proc` walk.
//!
//! Run as root: `cargo run --release --example procmap -- 100000`
//! (the argument is the total number of sockets).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Instant;

use sockdiag::procs::ProcessMap;

/// Child mode: `pairs` connections to a listener on `port`, held until
/// stdin closes.
fn hold(port: u16, pairs: usize) {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    let l = support::tcp_listener(support::addr(&format!("127.0.0.1:{port}")), 4096, None);
    let mut held = Vec::with_capacity(2 * pairs);
    for _ in 0..pairs {
        held.push(std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap());
        held.push(l.accept().unwrap().0);
    }
    println!("ready");
    let _ = std::io::stdin().read_to_end(&mut Vec::new());
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--hold") {
        return hold(args[1].parse().unwrap(), args[2].parse().unwrap());
    }
    let total: usize = args.first().map_or(100_000, |a| a.parse().unwrap());
    support::enter_private_netns().expect("needs root for a private netns");
    let per_child = 9_000; // pairs: 18k descriptors
    let mut children = Vec::new();
    let mut left = total / 2;
    let mut port = 9000;
    while left > 0 {
        let pairs = left.min(per_child);
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--hold", &port.to_string(), &pairs.to_string()])
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
        left -= pairs;
        port += 1;
    }
    let mut times = Vec::new();
    let mut found = 0;
    for _ in 0..7 {
        let t = Instant::now();
        let map = ProcessMap::scan().unwrap();
        times.push(t.elapsed());
        found = map.len();
    }
    times.sort();
    println!(
        "{} processes hold {found} socket descriptors: ProcessMap::scan median {:?} (min {:?}, max {:?}) over 7 runs",
        children.len(),
        times[3],
        times[0],
        times[6]
    );
    // For scale: ss with and without its own process walk (-p).
    for args in [&["-tan"][..], &["-tanp"][..]] {
        let t = Instant::now();
        if Command::new("ss")
            .args(args)
            .stdout(Stdio::null())
            .status()
            .is_ok()
        {
            println!("ss {}: {:?}", args.join(" "), t.elapsed());
        }
    }
    for mut c in children {
        drop(c.stdin.take());
        c.wait().unwrap();
    }
}
