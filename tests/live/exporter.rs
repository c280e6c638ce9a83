//! Live tests of `sockdiag exporter`: its metrics against the kernel's
//! sockets in a private namespace, counters across churn and between
//! polls, every namespace of the host, and a real Prometheus scraping it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::ss::BIN;
use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    exporter_metrics_are_the_kernels,
    exporter_counts_what_lived_between_polls,
    exporter_scans_every_namespace,
    exporter_records_changes,
    exporter_refuses_bad_input_and_bad_scrapers,
    exporter_scraped_by_a_real_prometheus,
];

/// A thread in a network namespace of its own that runs what it is
/// given: the exporter and its scrapers live there, so that the scrape
/// connections are not among the sockets it counts.
struct Elsewhere {
    jobs: Option<std::sync::mpsc::Sender<Box<dyn FnOnce() + Send>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Elsewhere {
    fn new() -> Elsewhere {
        let (tx, rx) = std::sync::mpsc::channel::<Box<dyn FnOnce() + Send>>();
        let thread = std::thread::spawn(move || {
            support::enter_private_netns().unwrap();
            for job in rx {
                job();
            }
        });
        Elsewhere {
            jobs: Some(tx),
            thread: Some(thread),
        }
    }

    /// Runs `f` there and returns what it returns.
    fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = std::sync::mpsc::channel();
        let job = Box::new(move || {
            let _ = tx.send(f());
        });
        self.jobs.as_ref().unwrap().send(job).unwrap();
        rx.recv().expect("the job ran (or panicked: see above)")
    }
}

impl Drop for Elsewhere {
    fn drop(&mut self) {
        drop(self.jobs.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A running exporter, killed when dropped.
struct Exporter {
    child: Child,
    addr: SocketAddr,
    /// Where it runs, if not in this thread's namespace.
    away: Option<std::sync::Arc<Elsewhere>>,
}

impl Drop for Exporter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Exporter {
    /// `sockdiag exporter --listen 127.0.0.1:0` with `args`, in this
    /// thread's namespace; ready once it says where it serves (after its
    /// first poll).
    fn start(args: &[&str]) -> Exporter {
        let (child, addr) = Self::spawn(args);
        Exporter {
            child,
            addr,
            away: None,
        }
    }

    /// The same, running in a namespace of its own and scanning this
    /// thread's (`-N`): what it counts is only what the test made.
    fn start_elsewhere(args: &[&str]) -> Exporter {
        let away = std::sync::Arc::new(Elsewhere::new());
        let here = format!(
            "/proc/{}/task/{}/ns/net",
            std::process::id(),
            nix::unistd::gettid()
        );
        let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
        let (child, addr) = away.run(move || {
            let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
            args.extend(["-N", &here]);
            Self::spawn(&args)
        });
        Exporter {
            child,
            addr,
            away: Some(away),
        }
    }

    /// The exporter, and where it serves once its first poll is done.
    fn spawn(args: &[&str]) -> (Child, SocketAddr) {
        support::spawn_exporter(std::path::Path::new(BIN), args)
    }

    /// A GET from where the exporter runs.
    fn get(&self, path: &str, accept: Option<&str>) -> (u16, String, String) {
        let (addr, path, accept) = (self.addr, path.to_owned(), accept.map(str::to_owned));
        match &self.away {
            Some(away) => away.run(move || http_get(addr, &path, accept.as_deref())),
            None => http_get(addr, &path, accept.as_deref()),
        }
    }

    /// The text exposition.
    fn scrape(&self) -> Metrics {
        let (status, _, body) = self.get("/metrics", None);
        assert_eq!(status, 200, "{body}");
        Metrics::parse(&body)
    }

    /// Scrapes until `ok` holds (bounded: 60 s).
    fn until(&self, what: &str, ok: impl Fn(&Metrics) -> bool) -> Metrics {
        let start = Instant::now();
        loop {
            let m = self.scrape();
            if ok(&m) {
                return m;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{what}: never held; last scrape:\n{}",
                m.text
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The exporter's open descriptors.
    fn fds(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .unwrap()
            .count()
    }

    /// The exporter's threads.
    fn threads(&self) -> usize {
        std::fs::read_dir(format!("/proc/{}/task", self.child.id()))
            .unwrap()
            .count()
    }
}

/// A plain HTTP/1.1 GET: status, headers (lower-case names) and body.
fn http_get(addr: SocketAddr, path: &str, accept: Option<&str>) -> (u16, String, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let accept = accept
        .map(|a| format!("Accept: {a}\r\n"))
        .unwrap_or_default();
    // A busy server may answer and close before the request is written.
    let _ = write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{accept}Connection: close\r\n\r\n"
    );
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let Some((head, body)) = raw.split_once("\r\n\r\n") else {
        return (0, String::new(), raw);
    };
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = body.to_owned();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        body = dechunk(&body);
    }
    (status, head.to_ascii_lowercase(), body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap();
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}

/// A parsed text exposition: samples by name and labels.
struct Metrics {
    text: String,
    samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Metrics {
    fn parse(text: &str) -> Metrics {
        let mut samples = Vec::new();
        for line in text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let (series, value) = line.rsplit_once(' ').unwrap();
            let value: f64 = match value {
                "+Inf" => f64::INFINITY,
                v => v.parse().unwrap(),
            };
            let (name, labels) = match series.split_once('{') {
                Some((n, l)) => (n, l.strip_suffix('}').unwrap()),
                None => (series, ""),
            };
            let mut map = BTreeMap::new();
            for pair in labels.split("\",").filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once("=\"").unwrap();
                map.insert(k.to_owned(), v.trim_end_matches('"').to_owned());
            }
            samples.push((name.to_owned(), map, value));
        }
        Metrics {
            text: text.to_owned(),
            samples,
        }
    }

    /// The sum of `name`'s samples whose labels include `labels`.
    fn sum(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.samples
            .iter()
            .filter(|(n, l, _)| {
                n == name
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
            })
            .map(|(_, _, v)| v)
            .sum()
    }

    /// Whether `name` has a sample with `labels`.
    fn has(&self, name: &str, labels: &[(&str, &str)]) -> bool {
        self.samples.iter().any(|(n, l, _)| {
            n == name
                && labels
                    .iter()
                    .all(|(k, v)| l.get(*k).map(String::as_str) == Some(*v))
        })
    }
}

/// `n` connections to `listener` from 127.0.0.1, accepted: (client, server) pairs.
fn connections(listener: &std::net::TcpListener, n: usize) -> Vec<(TcpStream, TcpStream)> {
    let to = listener.local_addr().unwrap();
    (0..n)
        .map(|_| {
            let c = TcpStream::connect(to).unwrap();
            let (s, _) = listener.accept().unwrap();
            (c, s)
        })
        .collect()
}

/// Closes a connection with a reset (no TIME-WAIT): both ends go at once.
fn reset(c: TcpStream) {
    socket::setsockopt(
        &c,
        socket::sockopt::Linger,
        &libc::linger {
            l_onoff: 1,
            l_linger: 0,
        },
    )
    .unwrap();
    drop(c);
}

pub fn exporter_metrics_are_the_kernels() {
    let l = support::tcp_listener(addr("127.0.0.1:7400"), 8, None);
    let mut pairs = connections(&l, 3);
    // One more, left in the accept queue.
    let _queued = TcpStream::connect("127.0.0.1:7400").unwrap();
    // Data on one connection, for the byte counters and the distributions.
    let payload = vec![7u8; 100_000];
    pairs[0].0.write_all(&payload).unwrap();
    let mut got = vec![0u8; payload.len()];
    pairs[0].1.read_exact(&mut got).unwrap();
    let fds_before = open_fds_of_self();
    let e = Exporter::start_elsewhere(&[
        "--interval",
        "200ms",
        "--ports",
        "7400",
        "--label",
        "process,cgroup,remote=8/64",
    ]);
    let m = e.until("the queued connection listed", |m| {
        m.sum("sockdiag_listen_queue_length", &[("port", "7400")]) == 1.0
    });
    // The kernel's truth, in this namespace, from the library.
    let mut sock = DiagSocket::new().unwrap();
    let kernel = sock
        .snapshot(&InetRequest::new(Family::Inet, Protocol::Tcp))
        .unwrap();
    let on_7400 = |state: TcpState| {
        kernel
            .iter()
            .filter(|s| s.src.port() == 7400 && s.state == state)
            .count() as f64
    };
    drop(sock);
    assert_eq!(on_7400(TcpState::Established), 4.0);
    assert_eq!(
        m.sum(
            "sockdiag_listen_backlog",
            &[("port", "7400"), ("addr", "127.0.0.1")]
        ),
        8.0
    );
    assert_eq!(
        m.sum(
            "sockdiag_connections",
            &[("port", "7400"), ("state", "ESTABLISHED")]
        ),
        on_7400(TcpState::Established)
    );
    for end in ["local", "remote"] {
        assert_eq!(
            m.sum(
                "sockdiag_port_connections",
                &[("port", "7400"), ("end", end), ("state", "ESTABLISHED")]
            ),
            4.0,
            "{end}\n{}",
            m.text
        );
    }
    assert_eq!(
        m.sum(
            "sockdiag_sockets",
            &[("protocol", "tcp"), ("state", "LISTEN")]
        ),
        kernel
            .iter()
            .filter(|s| s.state == TcpState::Listen)
            .count() as f64
    );
    // Eight established ends: four on each side.
    let established = m.sum("sockdiag_sockets", &[("state", "ESTABLISHED")]);
    assert_eq!(established, 8.0, "{}", m.text);
    // The optional labels: the command holding each socket (none for the
    // queued one, which nothing accepted), its cgroup, its peer's /8.
    let comm = std::fs::read_to_string("/proc/self/comm").unwrap();
    let comm = comm.trim();
    let held = [
        ("port", "7400"),
        ("state", "ESTABLISHED"),
        ("process", comm),
    ];
    assert_eq!(m.sum("sockdiag_connections", &held), 3.0, "{}", m.text);
    let unheld = [("port", "7400"), ("process", "")];
    assert_eq!(m.sum("sockdiag_connections", &unheld), 1.0, "{}", m.text);
    assert_eq!(
        m.sum(
            "sockdiag_connections",
            &[("port", "7400"), ("remote", "127.0.0.0/8")]
        ),
        4.0
    );
    let cgroup = std::fs::read_to_string("/proc/self/cgroup").unwrap();
    if let Some(path) = cgroup.lines().find_map(|l| l.strip_prefix("0::")) {
        assert_eq!(
            m.sum(
                "sockdiag_listen_backlog",
                &[("port", "7400"), ("cgroup", path)]
            ),
            8.0,
            "{}",
            m.text
        );
    }
    assert!(
        !m.has("sockdiag_listen_backlog", &[("remote", "127.0.0.0/8")]),
        "no peer network on a listener"
    );
    // The distributions cover the established TCP connections.
    let rtt_count = m.sum("sockdiag_tcp_rtt_seconds_count", &[]);
    assert_eq!(rtt_count, 8.0, "{}", m.text);
    assert_eq!(
        m.sum("sockdiag_tcp_rtt_seconds_bucket", &[("le", "+Inf")]),
        rtt_count
    );
    assert!(m.sum("sockdiag_tcp_cwnd_segments_sum", &[]) >= 8.0 * 10.0 - 1.0);
    // Sockets there at the start are the baseline: nothing counted yet.
    assert_eq!(m.sum("sockdiag_connections_opened_total", &[]), 0.0);
    assert_eq!(m.sum("sockdiag_tcp_received_bytes_total", &[]), 0.0);
    // 50,000 more bytes: counted once, by the receiver.
    pairs[0].0.write_all(&payload[..50_000]).unwrap();
    pairs[0].1.read_exact(&mut got[..50_000]).unwrap();
    let m = e.until("the new bytes counted", |m| {
        m.sum("sockdiag_tcp_received_bytes_total", &[]) >= 50_000.0
    });
    let received = m.sum("sockdiag_tcp_received_bytes_total", &[("protocol", "tcp")]);
    assert!((50_000.0..50_500.0).contains(&received), "{}", m.text);
    // Two connections reset: gone, counted closed, their counters kept.
    let (c, s) = pairs.pop().unwrap();
    reset(c);
    drop(s);
    let m = e.until("the reset connection gone", |m| {
        m.sum("sockdiag_connections_closed_total", &[]) >= 2.0
    });
    assert!(m.sum("sockdiag_tcp_received_bytes_total", &[]) >= received);
    assert!(m.sum("sockdiag_polls_total", &[]) >= 2.0);
    assert_eq!(m.sum("sockdiag_poll_errors_total", &[]), 0.0);
    assert_eq!(m.sum("sockdiag_namespaces_scanned", &[]), 1.0);
    assert!(m.sum("sockdiag_sockets_tracked", &[]) >= 7.0, "{}", m.text);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs_f64();
    assert!((now - m.sum("sockdiag_last_poll_timestamp_seconds", &[])).abs() < 30.0);
    // The poll thread's CPU: some, and no more than the whole process's
    // (utime + stime in clock ticks of 10 ms, one tick of slack each).
    let cpu = m.sum("sockdiag_poll_cpu_seconds_total", &[]);
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", e.child.id())).unwrap();
    let after_comm: Vec<&str> = stat
        .rsplit_once(')')
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    let ticks: f64 =
        after_comm[11].parse::<f64>().unwrap() + after_comm[12].parse::<f64>().unwrap();
    assert!(
        cpu > 0.0 && cpu <= (ticks + 2.0) / 100.0,
        "{cpu} s, {ticks} ticks"
    );
    // Prometheus's own linter finds nothing to say.
    match Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(mut lint) => {
            lint.stdin
                .take()
                .unwrap()
                .write_all(m.text.as_bytes())
                .unwrap();
            let out = lint.wait_with_output().unwrap();
            let said = String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success() && said.trim().is_empty(),
                "promtool: {said}"
            );
        }
        Err(_) => {
            assert!(
                !require_live() || support::under_matrix(),
                "no promtool (apt-get install prometheus) and SOCKDIAG_REQUIRE_LIVE=1"
            );
            println!("    (promtool check skipped: no promtool here)");
        }
    }
    // Every family has HELP and TYPE; counters end in _total.
    for line in m.text.lines().filter(|l| l.starts_with("# TYPE ")) {
        let mut words = line.split(' ').skip(2);
        let (name, kind) = (words.next().unwrap(), words.next().unwrap());
        assert!(m.text.contains(&format!("# HELP {name} ")), "{name}");
        assert_eq!(kind == "counter", name.ends_with("_total"), "{line}");
        assert!(name.starts_with("sockdiag_"), "{line}");
    }
    // OpenMetrics when asked for; the text format otherwise.
    let (status, head, om) = e.get(
        "/metrics",
        Some("application/openmetrics-text; version=1.0.0,text/plain;version=0.0.4;q=0.5"),
    );
    assert_eq!(status, 200);
    assert!(
        head.contains("content-type: application/openmetrics-text; version=1.0.0"),
        "{head}"
    );
    assert!(om.ends_with("# EOF\n"));
    assert!(om.contains("# TYPE sockdiag_tcp_rtt_seconds gaugehistogram\n"));
    let (_, head, _) = e.get("/metrics", None);
    assert!(
        head.contains("content-type: text/plain; version=0.0.4"),
        "{head}"
    );
    assert_eq!(e.get("/nothing", None).0, 404);
    // A scrape storm starts no dump: the polls go at their own pace.
    let polls = e.scrape().sum("sockdiag_polls_total", &[]);
    let start = Instant::now();
    for _ in 0..200 {
        e.get("/metrics", None);
    }
    let took = start.elapsed().as_secs_f64();
    let more = e.scrape().sum("sockdiag_polls_total", &[]) - polls;
    assert!(
        more <= took / 0.2 + 2.0,
        "{more} polls in {took} s of scrapes"
    );
    drop(e);
    // No descriptor left behind by the exporter's helpers (the reset
    // connection's two are closed).
    assert_eq!(open_fds_of_self(), fds_before - 2);
}

fn open_fds_of_self() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

pub fn exporter_counts_what_lived_between_polls() {
    let l = support::tcp_listener(addr("127.0.0.1:7410"), 8, None);
    // Long polls: the connections below open and close between two
    // (longer under emulation, where they take longer).
    let (interval, gap) = if support::under_matrix() {
        ("12s", Duration::from_secs(6))
    } else {
        ("3s", Duration::from_millis(1500))
    };
    let e = Exporter::start_elsewhere(&["--interval", interval]);
    let m = e.scrape();
    let polls = m.sum("sockdiag_polls_total", &[]);
    // Right after a poll, so that the next is a whole interval away.
    e.until("a poll", |m| m.sum("sockdiag_polls_total", &[]) > polls);
    let at = Instant::now();
    for (c, mut s) in connections(&l, 2) {
        let mut c = c;
        c.write_all(&[1u8; 10_000]).unwrap();
        let mut buf = vec![0u8; 10_000];
        s.read_exact(&mut buf).unwrap();
        s.write_all(&[2u8; 3_000]).unwrap();
        let mut back = vec![0u8; 3_000];
        c.read_exact(&mut back).unwrap();
        // Closed in order, not reset: an abort (SO_LINGER 0) makes the
        // kernel zero the socket's counters before its destroy event
        // (tcp_disconnect). The client's end goes into TIME-WAIT.
        drop(c);
        drop(s);
    }
    assert!(
        at.elapsed() < gap,
        "the connections outlived the gap between polls"
    );
    let m = e.until("the short connections counted", |m| {
        m.sum("sockdiag_connections_closed_total", &[]) >= 4.0
    });
    // Four ends opened and closed between two polls, seen only by their
    // destroy events, with their final counters: 2 x (10,000 + 3,000)
    // bytes received. The clients' ends, listed in TIME-WAIT by the next
    // polls under the same cookies, are not counted again.
    assert_eq!(
        m.sum("sockdiag_connections_opened_total", &[("protocol", "tcp")]),
        4.0,
        "{}",
        m.text
    );
    assert_eq!(
        m.sum("sockdiag_connections_closed_total", &[("protocol", "tcp")]),
        4.0
    );
    let received = m.sum("sockdiag_tcp_received_bytes_total", &[]);
    assert!((26_000.0..26_200.0).contains(&received), "{}", m.text);
    let acked = m.sum("sockdiag_tcp_acked_bytes_total", &[]);
    assert!((25_998.0..26_200.0).contains(&acked), "{}", m.text);
    let polls = m.sum("sockdiag_polls_total", &[]);
    let m = e.until("two more polls", |m| {
        m.sum("sockdiag_polls_total", &[]) >= polls + 2.0
    });
    assert_eq!(
        m.sum("sockdiag_sockets", &[("state", "TIME_WAIT")]),
        2.0,
        "{}",
        m.text
    );
    assert_eq!(
        m.sum("sockdiag_connections_opened_total", &[]),
        4.0,
        "{}",
        m.text
    );
    assert_eq!(m.sum("sockdiag_connections_closed_total", &[]), 4.0);
}

pub fn exporter_scans_every_namespace() {
    if !(real_root() && Command::new("ip").arg("-V").output().is_ok()) {
        assert!(
            !require_live(),
            "--all-netns needs root and ip (SOCKDIAG_REQUIRE_LIVE=1)"
        );
        println!("    (skipped: --all-netns needs root and iproute2)");
        return;
    }
    let e = Exporter::start(&["--all-netns", "--interval", "200ms"]);
    // This thread's private namespace has no process of its own: the
    // exporter (a process in it) makes it found.
    let own = e.until("the exporter's namespace", |m| {
        m.sum(
            "sockdiag_listen_backlog",
            &[("port", &e.addr.port().to_string())],
        ) > 0.0
    });
    let before = (e.fds(), e.threads());
    let scanned = own.sum("sockdiag_namespaces_scanned", &[]);
    // Three named namespaces, each with its own listener ...
    let ip = |args: &[&str]| assert!(Command::new("ip").args(args).status().unwrap().success());
    let names: Vec<String> = (0..3)
        .map(|i| format!("sockdiag-exp-{}-{i}", std::process::id()))
        .collect();
    let mut helpers = Vec::new();
    for (i, name) in names.iter().enumerate() {
        ip(&["netns", "add", name]);
        ip(&["-n", name, "link", "set", "lo", "up"]);
        let port = (7420 + i).to_string();
        helpers.push(Some(crate::host::spawn_helper(
            &["--helper-listener", &port, "stay"],
            &["ip", "netns", "exec", name],
        )));
    }
    let listens = |m: &Metrics, name: &str, port: &str| {
        m.sum("sockdiag_sockets", &[("netns", name), ("state", "LISTEN")]) == 1.0
            && m.has(
                "sockdiag_listen_backlog",
                &[("netns", name), ("port", port)],
            )
    };
    let m = e.until("the three namespaces scanned", |m| {
        names
            .iter()
            .enumerate()
            .all(|(i, n)| listens(m, n, &(7420 + i).to_string()))
    });
    // ... each under its own label only.
    for (i, n) in names.iter().enumerate() {
        for (j, _) in names.iter().enumerate().filter(|(j, _)| *j != i) {
            let other = (7420 + j).to_string();
            assert!(!m.has("sockdiag_listen_backlog", &[("netns", n), ("port", &other)]));
        }
    }
    assert!(m.sum("sockdiag_namespaces_scanned", &[]) >= scanned + 3.0);
    // Their socket, namespace file and destroy subscription each.
    let during = e.fds();
    // The middle one deleted during the run: its series go, the others
    // stay.
    crate::host::finish(helpers[1].take().unwrap());
    ip(&["netns", "del", &names[1]]);
    let m = e.until("the deleted namespace dropped", |m| {
        !m.text.contains(&format!("netns=\"{}\"", names[1]))
    });
    assert!(
        listens(&m, &names[0], "7420") && listens(&m, &names[2], "7422"),
        "{}",
        m.text
    );
    for (h, n) in helpers.into_iter().zip(&names) {
        if let Some(h) = h {
            crate::host::finish(h);
            ip(&["netns", "del", n]);
        }
    }
    e.until("every named namespace dropped", |m| {
        !names.iter().any(|n| m.text.contains(n.as_str()))
    });
    // Back to what it had before (idle HTTP workers and connections come
    // and go: no more than before).
    let after = Instant::now();
    let settled = |e: &Exporter| e.fds() <= before.0 && e.threads() <= before.1;
    while !settled(&e) && after.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        settled(&e),
        "descriptors and threads: {:?} before, {:?} now",
        before,
        (e.fds(), e.threads())
    );
    assert!(
        during >= e.fds() + 6,
        "{during} descriptors while scanning them"
    );
}

/// The Prometheus server to scrape with, if this machine has one.
fn prometheus() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join("prometheus"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        assert!(
            !require_live() || support::under_matrix(),
            "no prometheus binary (apt-get install prometheus) and SOCKDIAG_REQUIRE_LIVE=1"
        );
        println!("    (skipped: no prometheus binary here)");
    }
    found
}

/// A Prometheus instant query's result: (labels, value) per series.
fn query(web: SocketAddr, q: &str) -> Vec<(serde_json::Value, f64)> {
    let mut encoded = String::new();
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    let (status, _, body) = http_get(web, &format!("/api/v1/query?query={encoded}"), None);
    assert_eq!(status, 200, "{q}: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let value = r["value"][1].as_str().unwrap().parse().unwrap_or(f64::NAN);
            (r["metric"].clone(), value)
        })
        .collect()
}

pub fn exporter_scraped_by_a_real_prometheus() {
    let Some(prom) = prometheus() else {
        return;
    };
    let l = support::tcp_listener(addr("127.0.0.1:7430"), 16, None);
    let mut pairs = connections(&l, 10);
    // Polls 2 s apart, so that a connection can live between two.
    let e = Exporter::start_elsewhere(&["--interval", "2s", "--ports", "7430"]);
    let away = std::sync::Arc::clone(e.away.as_ref().unwrap());
    let dir = std::env::temp_dir().join(format!("sockdiag-prom-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: sockdiag\n    static_configs:\n      - targets: ['{}']\n",
            e.addr
        ),
    )
    .unwrap();
    // Beside the exporter, in its namespace: the port is ours.
    let web: SocketAddr = "127.0.0.1:19090".parse().unwrap();
    let (data, log_file) = (dir.join("data"), dir.join("log"));
    let server = away.run(move || {
        Command::new(prom)
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address={web}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log_file).unwrap())
            .spawn()
            .unwrap()
    });
    struct Kill(Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let _server = Kill(server);
    let q = |text: &str| {
        let text = text.to_owned();
        away.run(move || query(web, &text))
    };
    let start = Instant::now();
    let ready = loop {
        let up = away.run(move || TcpStream::connect(web).is_ok())
            && !q("sockdiag_listen_backlog{port=\"7430\"}").is_empty();
        if up {
            break true;
        }
        if start.elapsed() > Duration::from_secs(90) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    let log = || std::fs::read_to_string(dir.join("log")).unwrap_or_default();
    assert!(
        ready,
        "Prometheus never had the exporter's metrics:\n{}",
        log()
    );
    // The target is up, and its series are what the kernel has.
    let up = q("up{job=\"sockdiag\"}");
    assert_eq!(up.len(), 1);
    assert_eq!(up[0].1, 1.0, "{}", log());
    let backlog = q("sockdiag_listen_backlog{port=\"7430\"}");
    assert_eq!(backlog[0].1, 16.0);
    assert_eq!(backlog[0].0["addr"], "127.0.0.1");
    let established = q("sum(sockdiag_port_connections{port=\"7430\",state=\"ESTABLISHED\"})");
    assert_eq!(established[0].1, 20.0, "ten connections, both ends");
    // The distributions aggregate as histograms do.
    let median = q("histogram_quantile(0.5, sum by (le) (sockdiag_tcp_cwnd_segments_bucket))");
    assert!(median[0].1 > 0.0 && median[0].1 <= 16.0, "{median:?}");
    // Counters are counters to Prometheus, as it read them (OpenMetrics).
    let meta = away.run(move || http_get(web, "/api/v1/metadata", None).2);
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    assert_eq!(
        meta["data"]["sockdiag_polls"][0]["type"], "counter",
        "{meta}"
    );
    assert_eq!(
        meta["data"]["sockdiag_tcp_rtt_seconds"][0]["type"], "gaugehistogram",
        "{meta}"
    );
    assert_eq!(
        meta["data"]["sockdiag_sockets"][0]["type"], "gauge",
        "{meta}"
    );
    // Ten connections reset: both ends of each gone, counted closed by
    // exactly 20 as Prometheus sees it.
    let sum = |metric: &str| {
        let r = q(&format!("sum({metric})"));
        r.first().map_or(0.0, |r| r.1)
    };
    let wait = |what: &str, ok: &dyn Fn() -> bool| {
        let start = Instant::now();
        while !ok() {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{what}:\n{}",
                log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    };
    let closed = sum("sockdiag_connections_closed_total");
    for (c, s) in pairs.drain(..) {
        reset(c);
        drop(s);
    }
    wait("20 more closed", &|| {
        sum("sockdiag_connections_closed_total") >= closed + 20.0
    });
    std::thread::sleep(Duration::from_secs(5));
    assert_eq!(
        sum("sockdiag_connections_closed_total"),
        closed + 20.0,
        "exactly"
    );
    // A connection that lives between two polls: counted all the same.
    let (opened, closed) = (
        sum("sockdiag_connections_opened_total"),
        sum("sockdiag_connections_closed_total"),
    );
    let polls = e.scrape().sum("sockdiag_polls_total", &[]);
    e.until("a poll", |m| m.sum("sockdiag_polls_total", &[]) > polls);
    let at = Instant::now();
    let (c, s) = connections(&l, 1).pop().unwrap();
    drop(c);
    drop(s);
    let lived = at.elapsed();
    wait("the short connection counted", &|| {
        sum("sockdiag_connections_closed_total") >= closed + 2.0
    });
    assert_eq!(
        sum("sockdiag_connections_opened_total"),
        opened + 2.0,
        "lived {lived:?}"
    );
    // No counter went down over the run.
    for counter in [
        "connections_opened",
        "connections_closed",
        "tcp_retransmitted_segments",
        "tcp_acked_bytes",
        "tcp_received_bytes",
        "polls",
    ] {
        let r = q(&format!("sum(resets(sockdiag_{counter}_total[10m]))"));
        assert_eq!(r.first().map(|r| r.1), Some(0.0), "{counter}: {r:?}");
    }
    let samples = q("scrape_samples_scraped{job=\"sockdiag\"}");
    println!(
        "    Prometheus {} scraped {} samples per scrape",
        version(),
        samples[0].1
    );
    drop(_server);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `prometheus --version`'s first line.
fn version() -> String {
    let out = Command::new("prometheus")
        .arg("--version")
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    text.lines().next().unwrap_or_default().to_owned()
}

pub fn exporter_records_changes() {
    let dir = std::env::temp_dir().join(format!("sockdiag-log-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let l = support::tcp_listener(addr("127.0.0.1:7440"), 8, None);
    let dir_arg = dir.display().to_string();
    let e = Exporter::start_elsewhere(&[
        "--interval",
        "200ms",
        "--record",
        &dir_arg,
        "--record-size",
        "2K",
        "--record-gzip",
    ]);
    let (mut c, mut s) = connections(&l, 1).pop().unwrap();
    let polls = |e: &Exporter| e.scrape().sum("sockdiag_polls_total", &[]);
    let p0 = polls(&e);
    e.until("a poll with the connection", |m| {
        m.sum("sockdiag_polls_total", &[]) >= p0 + 2.0
    });
    c.write_all(&[5u8; 20_000]).unwrap();
    let mut buf = vec![0u8; 20_000];
    s.read_exact(&mut buf).unwrap();
    let p1 = polls(&e);
    e.until("a poll with the bytes", |m| {
        m.sum("sockdiag_polls_total", &[]) >= p1 + 2.0
    });
    let client_port = c.local_addr().unwrap().port();
    // A state change: the client shuts its side (FIN-WAIT-2, the server
    // CLOSE-WAIT).
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let p15 = polls(&e);
    e.until("a poll with the half-close", |m| {
        m.sum("sockdiag_polls_total", &[]) >= p15 + 2.0
    });
    reset(c);
    drop(s);
    let p2 = polls(&e);
    e.until("polls after the close", |m| {
        m.sum("sockdiag_polls_total", &[]) >= p2 + 4.0
    });
    drop(e);
    // Read back in name order: gzipped files and the last, open one.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert!(names.len() >= 2, "rotated by size: {names:?}");
    assert!(names.iter().all(|n| n.starts_with("changes-")));
    assert!(names.iter().any(|n| n.ends_with(".jsonl.gz")), "{names:?}");
    let mut text = String::new();
    for n in &names {
        let path = dir.join(n);
        if n.ends_with(".gz") {
            let out = Command::new("gzip").arg("-dc").arg(&path).output().unwrap();
            assert!(out.status.success(), "gzip -dc {n}");
            text.push_str(&String::from_utf8(out.stdout).unwrap());
        } else {
            text.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let events: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let seqs: Vec<u64> = events.iter().map(|v| v["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] <= w[1]), "in order: {seqs:?}");
    assert!(events
        .iter()
        .all(|v| v["netns"].as_str().is_some() && v["time"].as_f64().is_some()));
    assert!(events
        .iter()
        .filter(|v| v["seq"] != 1)
        .all(|v| (0.1..5.0).contains(&v["interval_s"].as_f64().unwrap())));
    let about = |event: &str, port: u16| -> Vec<&serde_json::Value> {
        events
            .iter()
            .filter(|v| v["event"] == event && (v["sport"] == port || v["dport"] == port))
            .collect()
    };
    // The first poll: every socket there new (the listener); then the
    // connection's two ends.
    let first: Vec<_> = events.iter().filter(|v| v["seq"] == 1).collect();
    assert_eq!(first.len(), 1, "{text}");
    assert_eq!(
        (&first[0]["event"], &first[0]["state"]),
        (&"new".into(), &"LISTEN".into())
    );
    assert_eq!(about("new", client_port).len(), 2, "{text}");
    // The bytes: the ends changed, written whole with their tcp_info.
    let changed = about("changed", client_port);
    assert!(!changed.is_empty(), "{text}");
    let receiver = changed
        .iter()
        .find(|v| v["sport"] == 7440 && v["bytes_received_delta"].as_i64().is_some())
        .unwrap_or_else(|| panic!("the receiving end changed: {text}"));
    assert!(
        receiver["tcp_info"]["bytes_received"].as_u64().unwrap() >= 20_000,
        "{receiver}"
    );
    assert_eq!(receiver["cookie"], receiver["cookie"].as_u64().unwrap());
    // The close: both ends gone.
    assert_eq!(about("gone", client_port).len(), 2, "{text}");
    // Exactly these lines about the connection, poll by poll.
    let mut by_poll = BTreeMap::<u64, Vec<String>>::new();
    for v in events
        .iter()
        .filter(|v| v["sport"] == client_port || v["dport"] == client_port)
    {
        let end = if v["sport"] == client_port {
            "client"
        } else {
            "server"
        };
        let mut line = format!(
            "{} {end} {}",
            v["event"].as_str().unwrap(),
            v["state"].as_str().unwrap()
        );
        if let Some(old) = v["old_state"].as_str() {
            line.push_str(&format!(" (was {old})"));
        }
        by_poll
            .entry(v["seq"].as_u64().unwrap())
            .or_default()
            .push(line);
    }
    let mut got: Vec<Vec<String>> = by_poll.into_values().collect();
    for poll in &mut got {
        poll.sort();
    }
    let expected: Vec<Vec<&str>> = vec![
        vec!["new client ESTABLISHED", "new server ESTABLISHED"],
        vec![
            "changed client ESTABLISHED (was ESTABLISHED)",
            "changed server ESTABLISHED (was ESTABLISHED)",
        ],
        vec![
            "changed client FIN_WAIT2 (was ESTABLISHED)",
            "changed server CLOSE_WAIT (was ESTABLISHED)",
        ],
        vec!["gone client FIN_WAIT2", "gone server CLOSE_WAIT"],
    ];
    assert_eq!(got, expected, "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A raw request to `addr`: what came back (empty if nothing did).
fn raw_request(addr: SocketAddr, bytes: &[u8]) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(bytes);
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

pub fn exporter_refuses_bad_input_and_bad_scrapers() {
    // Bad command lines: usage errors, before anything is opened.
    for (args, says) in [
        (&["exporter", "--label", "bogus"][..], "bad label 'bogus'"),
        (
            &["exporter", "--listen", "nonsense"],
            "bad --listen 'nonsense'",
        ),
        (&["exporter", "--max-series", "0"], "bad --max-series"),
        (&["exporter", "--ports", "70000"], "bad port '70000'"),
        (&["exporter", "--record-size", "lots"], "bad --record-size"),
        (&["exporter", "--all-netns", "-N", "x"], "give one of them"),
        (
            &["exporter", "--json"],
            "--json means nothing with exporter",
        ),
        (
            &[
                "exporter",
                "--record",
                "/nonexistent",
                "--track",
                "snd_cwnd,rtt",
            ],
            "one more for --record, not 2",
        ),
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    let e = Exporter::start(&["--interval", "200ms"]);
    // The address in use: an error at start.
    let out = Command::new(BIN)
        .args(["exporter", "--listen", &e.addr.to_string()])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("--listen {}", e.addr)) && err.contains("in use"),
        "{err}"
    );
    // Requests it cannot serve: a status each.
    let status = |reply: &str| reply.split(' ').nth(1).unwrap_or("none").to_owned();
    assert_eq!(status(&raw_request(e.addr, b"garbage\r\n\r\n")), "400");
    assert_eq!(
        status(&raw_request(e.addr, b"POST /metrics HTTP/1.1\r\n\r\n")),
        "405"
    );
    assert_eq!(
        status(&raw_request(e.addr, b"GET /x HTTP/1.1\r\n\r\n")),
        "404"
    );
    let index = raw_request(e.addr, b"GET / HTTP/1.1\r\n\r\n");
    assert!(
        index.starts_with("HTTP/1.1 200") && index.contains("/metrics"),
        "{index}"
    );
    let mut big = b"GET /metrics HTTP/1.1\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 20_000));
    assert_eq!(status(&raw_request(e.addr, &big)), "431");
    let head = raw_request(e.addr, b"HEAD /metrics HTTP/1.1\r\n\r\n");
    assert!(
        head.starts_with("HTTP/1.1 200") && !head.contains("sockdiag_polls"),
        "{head}"
    );
    // Forty scrapers that connect and say nothing: the workers and the
    // queue fill, the rest get 503 at once; each silent one gets 408
    // after its timeout; real scrapes are served meanwhile, and the polls
    // go on.
    let polls = e.scrape().sum("sockdiag_polls_total", &[]);
    let silent: Vec<TcpStream> = (0..40)
        .map(|_| TcpStream::connect(e.addr).unwrap())
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    let served = loop {
        let (code, _, body) = e.get("/metrics", None);
        if code == 200 {
            break Metrics::parse(&body);
        }
        // Busy (or, rarely, reset before the answer was read).
        assert!(code == 503 || code == 0, "{code}");
        assert!(start.elapsed() < Duration::from_secs(15), "never served");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert!(
        served.sum("sockdiag_polls_total", &[]) > polls,
        "the polls went on"
    );
    let mut codes = BTreeMap::<String, usize>::new();
    for mut s in silent {
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut out = Vec::new();
        let _ = s.read_to_end(&mut out);
        *codes
            .entry(status(&String::from_utf8_lossy(&out)))
            .or_default() += 1;
    }
    assert_eq!(codes.values().sum::<usize>(), 40);
    assert!(codes.get("503").is_some_and(|&n| n >= 10), "{codes:?}");
    assert!(codes.get("408").is_some_and(|&n| n >= 8), "{codes:?}");
    assert!(codes.keys().all(|k| k == "503" || k == "408"), "{codes:?}");
}
