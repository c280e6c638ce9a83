//! Measures the CLI on a namespace with many TCP sockets: opens the
//! connections in a private network namespace (both ends held), then
//! times listings (`sockdiag -ta` against `ss -tan`, with and without
//! `-i`, table and JSON; 15 alternating runs each, median wall time), and
//! runs `sockdiag watch` there for a fixed number of polls at each interval,
//! printing its final `# total` line (polls, late polls, poll time, CPU).
//!
//! Run as root: `cargo build --release && cargo run --release --example
//! watchload -- 10000 10ms,1ms 300` (sockets, intervals, polls per run).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Median wall time of `runs` runs of each command, run alternately.
fn compare(commands: &[(&str, Vec<&str>)], runs: usize) {
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); commands.len()];
    for _ in 0..runs {
        for (i, (program, args)) in commands.iter().enumerate() {
            let t = Instant::now();
            let ok = Command::new(program)
                .args(args)
                .stdout(Stdio::null())
                .status()
                .unwrap()
                .success();
            times[i].push(t.elapsed());
            assert!(ok, "{program} {args:?}");
        }
    }
    for (i, (program, args)) in commands.iter().enumerate() {
        times[i].sort();
        let name = std::path::Path::new(program)
            .file_name()
            .unwrap()
            .to_string_lossy();
        println!(
            "{:>10.1} ms  {name} {}",
            times[i][runs / 2].as_secs_f64() * 1e3,
            args.join(" ")
        );
    }
}

fn main() {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sockets: usize = args.first().map_or(10_000, |a| a.parse().unwrap());
    let intervals = args.get(1).map_or("10ms,1ms", String::as_str).to_owned();
    let polls = args.get(2).map_or("300", String::as_str).to_owned();
    let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
    assert!(
        (sockets as u64) < hard - 100,
        "at most {} sockets in one process here",
        hard - 100
    );
    support::enter_private_netns().expect("needs root for a private netns");
    let l = support::tcp_listener(support::addr("127.0.0.1:9000"), 4096, None);
    let mut held = Vec::with_capacity(sockets);
    while held.len() + 2 <= sockets {
        held.push(std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap());
        held.push(l.accept().unwrap().0);
    }
    let bin = std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .join("../sockdiag");
    println!(
        "{} TCP sockets (+1 listener) in a private namespace; {}",
        held.len(),
        bin.display()
    );
    let b = bin.to_str().unwrap();
    compare(
        &[
            (b, vec!["-ta"]),
            ("ss", vec!["-tan"]),
            (b, vec!["-tai"]),
            ("ss", vec!["-tani"]),
            (b, vec!["-ta", "--json"]),
            (b, vec!["-tai", "--json"]),
        ],
        15,
    );
    for interval in intervals.split(',') {
        for track in [
            &[][..],
            &["--track", "bytes_acked,bytes_received,total_retrans"][..],
        ] {
            let out = Command::new(&bin)
                .args(["watch", "-t", "--interval", interval, "--count", &polls])
                .args(
                    std::env::var("WATCH_ARGS")
                        .unwrap_or_default()
                        .split_whitespace(),
                )
                .args(track)
                .output()
                .expect("build the CLI first: cargo build --release");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            let text = String::from_utf8(out.stdout).unwrap();
            let total = text.lines().rfind(|l| l.starts_with("# total")).unwrap();
            println!("--interval {interval} {}: {total}", track.join(" "));
        }
    }
}
