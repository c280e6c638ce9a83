//! Measures the CLI on a namespace with many TCP sockets: opens the
//! connections in a private network namespace (both ends held), then
//! times listings (`sockdiag -ta` against `ss -tan`, with and without
//! `-i`, table and JSON; 15 alternating runs each, median wall time), and
//! runs `sockdiag watch` there for a fixed number of polls at each interval
//! with each `--workers` setting (auto, 1, 2, halves), printing its final
//! `# total` line (polls, late polls, poll time, CPU), then the library's
//! `Poller` in this process the same way.
//!
//! Run as root: `cargo build --release --workspace && cargo run --release -p sockdiag-tools --bin
//! watchload -- 10000 10ms,1ms 300` (sockets, intervals, polls per run).

#[path = "../../../tests/support/mod.rs"]
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
        .join("sockdiag");
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
        for (workers, track) in ["auto", "1", "2", "halves"].into_iter().flat_map(|w| {
            [
                (w, &[][..]),
                (
                    w,
                    &["--track", "bytes_acked,bytes_received,total_retrans"][..],
                ),
            ]
        }) {
            let out = Command::new(&bin)
                .args(["watch", "-t", "--interval", interval, "--count", &polls])
                .args(["--workers", workers])
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
            println!(
                "--interval {interval} --workers {workers} {}: {total}",
                track.join(" ")
            );
        }
        library_poller(interval, polls.parse().unwrap());
    }
}

/// Process CPU time (user + system) so far.
fn cpu_time() -> Duration {
    use nix::sys::resource::{getrusage, UsageWho};
    let u = getrusage(UsageWho::RUSAGE_SELF).unwrap();
    let d = |t: nix::sys::time::TimeVal| {
        Duration::from_secs(t.tv_sec() as u64) + Duration::from_micros(t.tv_usec() as u64)
    };
    d(u.user_time()) + d(u.system_time())
}

/// The library's `Poller` in this process: `polls` polls of every TCP
/// socket (one legacy walk), one every `interval` (or back to back when a
/// poll takes longer); per-poll time and CPU use, without and with
/// tcp_info counters tracked.
fn library_poller(interval: &str, polls: usize) {
    use sockdiag::inet::{Extensions, LegacyRequest, States};
    use sockdiag::poll::Poller;
    let every = match interval.strip_suffix("ms") {
        Some(ms) => Duration::from_millis(ms.parse().unwrap()),
        None => Duration::from_micros(interval.strip_suffix("us").unwrap().parse().unwrap()),
    };
    for track in [false, true] {
        let mut req = LegacyRequest::tcp().with_states(States::DEFAULT);
        if track {
            req = req.with_extensions(Extensions::INFO);
        }
        let mut poller = Poller::new(req).unwrap().with_grace(1);
        if track {
            poller = poller
                .track(&[
                    sockdiag::inet::TcpField::BytesAcked,
                    sockdiag::inet::TcpField::BytesReceived,
                    sockdiag::inet::TcpField::TotalRetrans,
                ])
                .unwrap();
        }
        poller.poll(|_| {}).unwrap();
        let (start, cpu0) = (Instant::now(), cpu_time());
        let mut times = Vec::with_capacity(polls);
        let mut next = Instant::now();
        let (mut late, mut sockets) = (0, 0);
        for _ in 0..polls {
            let t = Instant::now();
            let stats = poller.poll(|_| {}).unwrap();
            sockets = stats.sockets;
            times.push(t.elapsed());
            next += every;
            match next.checked_duration_since(Instant::now()) {
                Some(wait) => std::thread::sleep(wait),
                None => {
                    late += 1;
                    next = Instant::now();
                }
            }
        }
        let (wall, cpu) = (start.elapsed(), cpu_time() - cpu0);
        times.sort();
        let avg = times.iter().sum::<Duration>() / polls as u32;
        println!(
            "library Poller, every {interval}{}: {sockets} sockets, {:.0} polls/s, {late} late, poll avg {:.2} ms median {:.2} ms max {:.2} ms, CPU {:.0}% of a core",
            if track { " with 3 tcp_info counters" } else { "" },
            polls as f64 / wall.as_secs_f64(),
            avg.as_secs_f64() * 1e3,
            times[polls / 2].as_secs_f64() * 1e3,
            times[polls - 1].as_secs_f64() * 1e3,
            100.0 * cpu.as_secs_f64() / wall.as_secs_f64()
        );
    }
}
