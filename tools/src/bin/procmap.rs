//! Measures `ProcessMap::scan` on a host with many sockets: in a private
//! network namespace, child processes each open loopback connections (both
//! ends held, at most ~19k descriptors per process under this machine's
//! RLIMIT_NOFILE), then this process times the `/proc` walk.
//!
//! Run as root: `cargo run --release -p sockdiag-tools --bin procmap -- 100000`
//! (the argument is the total number of sockets).

#[path = "../../../tests/support/mod.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::Instant;

use sockdiag::procs::ProcessMap;

fn main() {
    support::hold_if_asked();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let total: usize = args.first().map_or(100_000, |a| a.parse().unwrap());
    support::enter_private_netns().expect("needs root for a private netns");
    let holders = support::Holders::spawn(total / 2, 0);
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
        holders.processes(),
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
    drop(holders);
}
