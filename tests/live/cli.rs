//! The `sockdiag` binary, run in the test thread's private namespace
//! against a known population, `ss`, the library's own view and the
//! captured fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sockdiag::inet::{Family, InetRequest, InetSocket, Protocol, States};
use sockdiag::replay::{Record, Replay};
use sockdiag::DiagSocket;

use crate::skip_without_ss;
use crate::support::{self, addr, inode_of, Population};

#[allow(unused_imports)]
use crate::*;

/// The tests of this file.
pub const TESTS: &[Test] = tests![
    cli_json_prom_and_summary_describe_the_population,
    cli_selection_matches_ss,
    cli_kill_events_and_errors,
    cli_capture_replay_and_fixtures,
    cli_watch_reports_changes,
    cli_watch_rebalances_its_halves,
    cli_conflicting_modes_destroy_nothing,
    cli_output_matches_ss,
    cli_workers_list_the_same_rows,
];

const BIN: &str = env!("CARGO_BIN_EXE_sockdiag");

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

/// Standard output of a successful run.
fn ok(args: &[&str]) -> String {
    let out = run(args);
    assert!(
        out.status.success(),
        "sockdiag {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A failing run: its exit code and its one-line message.
fn fails(args: &[&str]) -> (i32, String) {
    let out = run(args);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "sockdiag {args:?}: {err}");
    assert!(err.starts_with("sockdiag: "), "{err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"));
    (out.status.code().unwrap(), err)
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// `src:sport -> dst:dport` of a JSON socket.
fn key(v: &Value) -> String {
    format!(
        "{}:{}->{}:{}",
        v["src"].as_str().unwrap(),
        v["sport"],
        v["dst"].as_str().unwrap(),
        v["dport"]
    )
}

/// The same key for a library socket.
fn key_of(s: &InetSocket) -> String {
    format!(
        "{}:{}->{}:{}",
        s.src.ip(),
        s.src.port(),
        s.dst.ip(),
        s.dst.port()
    )
}

/// Every TCP and UDP socket as the library sees it, by key.
fn library_view() -> BTreeMap<String, (Protocol, InetSocket)> {
    let mut sock = DiagSocket::new().unwrap();
    let mut all = BTreeMap::new();
    for p in [Protocol::Tcp, Protocol::Udp] {
        for f in [Family::Inet, Family::Inet6] {
            let req = InetRequest::new(f, p).with_states(States::DEFAULT);
            for s in sock.snapshot(&req).unwrap() {
                assert!(all
                    .insert(format!("{}{}", p.name(), key_of(&s)), (p, s))
                    .is_none());
            }
        }
    }
    all
}

pub fn cli_json_prom_and_summary_describe_the_population() {
    let p = Population::create();
    let lib = library_view();
    assert_eq!(lib.len(), 11 + 3);

    // JSON: every socket once, each field as the library and the kernel say.
    let text = ok(&["-tua", "--json", "-e", "-o", "-m"]);
    let socks = json_lines(&text);
    assert_eq!(socks.len(), lib.len(), "{text}");
    let uid = u64::from(nix::unistd::geteuid().as_raw());
    let mut cookies = BTreeSet::new();
    for v in &socks {
        let proto = v["protocol"].as_str().unwrap();
        let (_, s) = &lib[&format!("{proto}{}", key(v))];
        assert_eq!(v["netid"], proto);
        assert_eq!(
            v["family"],
            if s.family == Family::Inet {
                "inet"
            } else {
                "inet6"
            }
        );
        assert_eq!(v["state"], s.state.name());
        assert_eq!(v["rqueue"], s.rqueue);
        assert_eq!(v["wqueue"], s.wqueue);
        assert_eq!(v["inode"], s.inode);
        assert_eq!(v["uid"], uid);
        assert_eq!(v["cookie"], s.cookie);
        assert_eq!(v["interface"], 0);
        assert!(cookies.insert(s.cookie));
        // -m: skmem with the kernel's receive buffer; -o: a timer name.
        assert!(v["skmem"]["rcvbuf"].as_u64().unwrap() > 0, "{v}");
        assert!(v["timer"].is_string(), "{v}");
    }
    // Facts of the population itself, not only the library's view of it.
    let by_key: BTreeMap<String, &Value> = socks
        .iter()
        .map(|v| (format!("{}{}", v["protocol"].as_str().unwrap(), key(v)), v))
        .collect();
    let get = |k: &str| {
        *by_key
            .get(k)
            .unwrap_or_else(|| panic!("{k} missing: {text}"))
    };
    let l4 = get("tcp127.0.0.1:5001->0.0.0.0:0");
    assert_eq!(
        (
            l4["state"].as_str(),
            l4["rqueue"].as_u64(),
            l4["wqueue"].as_u64()
        ),
        (Some("LISTEN"), Some(1), Some(8))
    );
    assert_eq!(l4["inode"], inode_of(&p.tcp4_listener));
    let server = get("tcp127.0.0.1:5001->127.0.0.1:40001");
    assert_eq!(server["rqueue"], support::TCP_UNREAD);
    assert_eq!(server["inode"], inode_of(&p.tcp4_server));
    assert_eq!(get("tcp127.0.0.1:5001->127.0.0.1:40002")["inode"], 0);
    assert_eq!(
        get("tcp::ffff:127.0.0.1:5003->::ffff:127.0.0.1:40004")["family"],
        "inet6"
    );
    assert_eq!(
        get("tcp::1:40003->::1:5002")["inode"],
        inode_of(&p.tcp6_client)
    );
    let udp = get("udp127.0.0.1:5004->0.0.0.0:0");
    assert_eq!(
        (udp["state"].as_str(), udp["inode"].as_u64()),
        (Some("CLOSE"), Some(u64::from(inode_of(&p.udp4_server))))
    );
    assert!(udp["rqueue"].as_u64().unwrap() > 0);
    assert_eq!(
        get("udp127.0.0.1:40005->127.0.0.1:5004")["state"],
        "ESTABLISHED"
    );

    // Prometheus and -s: the same counts.
    let mut want: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    for (proto, s) in lib.values() {
        let family = if s.family == Family::Inet {
            "inet"
        } else {
            "inet6"
        };
        *want
            .entry((
                proto.name().to_owned(),
                family.to_owned(),
                s.state.name().to_owned(),
            ))
            .or_default() += 1;
    }
    let prom = ok(&["-tua", "--prom"]);
    let mut got = BTreeMap::new();
    let mut typed = BTreeSet::new();
    for line in prom.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            assert!(
                typed.insert(rest.split(' ').next().unwrap().to_owned()),
                "TYPE twice: {line}"
            );
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let name = line.split(['{', ' ']).next().unwrap();
        assert!(typed.contains(name), "{name} before its TYPE line");
        let value: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        if let Some(labels) = line.strip_prefix("sockdiag_sockets{") {
            let labels = labels.split('}').next().unwrap();
            let l: BTreeMap<&str, &str> = labels
                .split(',')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap();
                    (k, v.trim_matches('"'))
                })
                .collect();
            got.insert(
                (
                    l["protocol"].to_owned(),
                    l["family"].to_owned(),
                    l["state"].to_owned(),
                ),
                value as u64,
            );
        }
    }
    assert_eq!(got, want, "{prom}");
    assert!(prom.contains("sockdiag_dump_duration_seconds "));
    let summary = json_lines(&ok(&["-tu", "-s", "--json"]));
    let got: BTreeMap<_, _> = summary
        .iter()
        .map(|v| {
            (
                (
                    v["protocol"].as_str().unwrap().to_owned(),
                    v["family"].as_str().unwrap().to_owned(),
                    v["state"].as_str().unwrap().to_owned(),
                ),
                v["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    let table = ok(&["-tu", "-s"]);
    assert!(
        table.starts_with(&format!("Total: {}\n", lib.len())),
        "{table}"
    );

    // -i: tcp_info in JSON, in the table and in Prometheus, against ss.
    let info = json_lines(&ok(&["-t", "-i", "--json"]));
    assert_eq!(info.len(), 8, "connected TCP sockets only, like ss -t");
    for v in &info {
        let i = &v["tcp_info"];
        assert_eq!(i["state"], 1, "{v}");
        // Loopback's MTU: 65535 over IPv4, 65536 over IPv6.
        assert!([65535, 65536].contains(&i["pmtu"].as_u64().unwrap()), "{v}");
        assert!(i["rtt"].as_u64().is_some() && i["bytes_acked"].as_u64().is_some());
        assert!(i.get("accecn_raw").is_none());
        assert!(v["cong"].is_string());
    }
    if !skip_without_ss() {
        // Fields that do not move on an idle loopback connection.
        let fields = ["mss", "pmtu", "rcvmss", "advmss", "cwnd", "wscale"];
        let pick = |text: &str| -> BTreeMap<String, Vec<String>> {
            let mut out = BTreeMap::new();
            let mut lines = text.lines().skip(1);
            while let (Some(row), Some(detail)) = (lines.next(), lines.next()) {
                let cols: Vec<&str> = row.split_whitespace().collect();
                let k = format!("{} {}", cols[cols.len() - 2], cols[cols.len() - 1]);
                let vals = detail
                    .split_whitespace()
                    .filter(|t| fields.iter().any(|f| t.starts_with(&format!("{f}:"))))
                    .map(str::to_owned)
                    .collect();
                out.insert(k, vals);
            }
            out
        };
        let ours = pick(&ok(&["-t", "-i"]));
        let ss = Command::new("ss").args(["-tni"]).output().unwrap();
        let theirs = pick(&String::from_utf8(ss.stdout).unwrap());
        assert_eq!(ours.len(), 8);
        assert_eq!(ours, theirs);
        for v in ours.values() {
            assert_eq!(v.len(), fields.len(), "{v:?}");
        }
    }
    let prom = ok(&["-t", "-i", "--prom"]);
    let client = info.iter().find(|v| v["sport"] == 40001).unwrap();
    let line = format!(
        "sockdiag_tcp_info_snd_mss{{family=\"inet\",state=\"ESTABLISHED\",src=\"127.0.0.1\",sport=\"40001\",dst=\"127.0.0.1\",dport=\"5001\"}} {}",
        client["tcp_info"]["snd_mss"]
    );
    assert!(prom.lines().any(|l| l == line), "{line} not in\n{prom}");
    drop(p);
}

pub fn cli_selection_matches_ss() {
    let _p = Population::create();
    if skip_without_ss() {
        return;
    }
    // A TIME-WAIT socket and a listener on another address too.
    let l = support::tcp_listener(addr("127.0.0.2:6000"), 4, None);
    let c = support::tcp_connect(addr("127.0.0.2:46000"), addr("127.0.0.2:6000"));
    let (s, _) = l.accept().unwrap();
    drop(c);
    drop(s);
    for (ours, theirs) in [
        (&["-t"][..], &["-tn"][..]),
        (&["-u"][..], &["-un"][..]),
        (&["-tl"][..], &["-tln"][..]),
        (&["-ul"][..], &["-uln"][..]),
        (&["-tua"][..], &["-tuan"][..]),
        (
            &["-t", "state", "established"][..],
            &["-tn", "state", "established"][..],
        ),
        (
            &["-t", "state", "time-wait", "state", "listening"][..],
            &["-tn", "state", "time-wait", "state", "listening"][..],
        ),
        (
            &["-t", "exclude", "established"][..],
            &["-tn", "exclude", "established"][..],
        ),
        (
            &["-t", "state", "connected"][..],
            &["-tn", "state", "connected"][..],
        ),
        (
            &["-t", "state", "bucket"][..],
            &["-tn", "state", "bucket"][..],
        ),
        (&["-ta6"][..], &["-tan6"][..]),
        (
            &["-A", "tcp,udp", "-a4"][..],
            &["-A", "tcp,udp", "-an4"][..],
        ),
        (
            &["-ta", "sport", "=", ":5001"][..],
            &["-tan", "sport = :5001"][..],
        ),
        (
            &[
                "-ta", "(", "dport", ">=", ":40003", "or", "src", "[::1]", ")",
            ][..],
            &["-tan", "( dport >= :40003 or src [::1] )"][..],
        ),
        (
            &["-tua", "!", "dst", "127.0.0.0/8"][..],
            &["-tuan", "! dst 127.0.0.0/8"][..],
        ),
    ] {
        // Numeric, as ss -n.
        let out = ok(&[ours, &["-n"][..]].concat());
        let ss = Command::new("ss").args(theirs).output().unwrap();
        assert!(ss.status.success());
        let ss = String::from_utf8(ss.stdout).unwrap();
        // Same header columns (ss adds "Process"), same rows.
        let head = |t: &str| {
            t.lines()
                .next()
                .unwrap_or("")
                .replace("Process", "")
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        };
        assert_eq!(head(&out), head(&ss), "sockdiag {ours:?} vs ss {theirs:?}");
        let (a, b) = (crate::rows(&out, true), crate::rows(&ss, true));
        assert!(!b.is_empty(), "{theirs:?} selects nothing");
        assert_eq!(a, b, "sockdiag {ours:?} vs ss {theirs:?}");
    }
    drop(l);
}

pub fn cli_kill_events_and_errors() {
    use std::io::Read as _;
    let mut p = Population::create();
    // -K: the selected sockets are destroyed and listed.
    if crate::can_drop_privileges("the EPERM check") {
        let out = crate::as_nobody(BIN)
            .args(["-K", "-t", "dport = :40003"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1);
        assert!(
            err.contains("CAP_NET_ADMIN") && err.contains("EPERM"),
            "{err}"
        );
    }
    let killed = ok(&["-K", "-t", "-H", "dport = :40003"]);
    assert_eq!(crate::rows(&killed, false).len(), 1, "{killed}");
    assert!(
        killed.contains("[::1]:5002") && killed.contains("[::1]:40003"),
        "{killed}"
    );
    let mut buf = [0u8; 16];
    let e = p.tcp6_server.read(&mut buf).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ECONNABORTED));
    assert!(ok(&["-K", "-t", "-H", "dport = :40003"]).is_empty());

    // -E: destroyed UDP sockets, as they close.
    let mut child = Command::new(BIN)
        .args(["-E", "-u", "--json", "--count", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let mut port = 7500;
    // Close UDP sockets until the subscriber (which may not have
    // subscribed yet) reports one and exits.
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(10), "no event");
        drop(std::net::UdpSocket::bind(("127.0.0.1", port)).unwrap());
        port += 1;
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(child.wait().unwrap().success());
    let events = json_lines(&text);
    assert_eq!(events.len(), 1, "{text}");
    let port = events[0]["sport"].as_u64().unwrap();
    assert!((7500..7700).contains(&port), "{text}");
    assert_eq!(
        (events[0]["protocol"].as_str(), events[0]["src"].as_str()),
        (Some("udp"), Some("127.0.0.1"))
    );

    // A table whose diag module is missing: RAW sockets are read from
    // /proc/net/raw as ss reads them; SCTP, whose protocol this kernel
    // lacks too, has no socket to list (an empty table is the truth).
    let registered = std::fs::read_to_string("/proc/net/protocols").unwrap();
    let has = |name: &str| {
        registered
            .lines()
            .any(|l| l.split_whitespace().next() == Some(name))
    };
    if !has("SCTP") {
        let out = ok(&["-S", "-n"]);
        assert_eq!(out.lines().count(), 1, "{out}");
    }
    ok(&["-w", "-n"]);
    // Every error: one line, the problem named, the right exit code.
    for (args, code, needle) in [
        (&["-t", "sport", "=", ":-x"][..], 2, "at byte 8"),
        (&["-t", "dport", ">", "70000"][..], 2, "filter"),
        (
            &["-N", "sockdiag-no-such-ns", "-t"][..],
            1,
            "cannot enter network namespace /run/netns/sockdiag-no-such-ns",
        ),
        (
            &["--replay", "/nonexistent/x.nl"][..],
            1,
            "--replay /nonexistent/x.nl",
        ),
        (&["--bogus"][..], 2, "unknown option '--bogus'"),
        (&["-t", "state", "sleepy"][..], 2, "unknown state 'sleepy'"),
        (&["-0", "sport", "=", ":1"][..], 2, "inet sockets"),
        (&["watch", "--interval", "fast"][..], 2, "bad --interval"),
        (&["-E", "-x"][..], 2, "-E"),
        (&["-N"][..], 2, "needs a value"),
    ] {
        let (got, err) = fails(args);
        assert_eq!(got, code, "sockdiag {args:?}: {err}");
        assert!(err.contains(needle), "sockdiag {args:?}: {err}");
    }
    // Without naming them, tables that cannot be listed (their sockets
    // may exist) are a note each on standard error, not a failure.
    let out = run(&["-a"]);
    assert!(out.status.success());
    let notes = String::from_utf8(out.stderr).unwrap();
    assert!(
        notes
            .lines()
            .all(|l| l.starts_with("sockdiag: note: ") && l.contains("not listed")),
        "{notes}"
    );
    // --help names every option, each with an example.
    let help = ok(&["--help"]);
    for flag in [
        "-t,",
        "-u,",
        "-w,",
        "-x,",
        "-S,",
        "-M,",
        "-d,",
        "-0,",
        "--netlink",
        "-A,",
        "-f,",
        "-4,",
        "-6,",
        "-a,",
        "-l,",
        "state STATE",
        "exclude STATE",
        "FILTER",
        "-N,",
        "-i,",
        "-m,",
        "-e,",
        "-o,",
        "-p,",
        "--tos",
        "-H,",
        "--json",
        "--prom",
        "-s,",
        "-K,",
        "-E,",
        "--capture",
        "--replay",
        "--interval",
        "--count",
        "--track",
        "--workers",
        "-T,",
        "-h,",
        "-V,",
    ] {
        let documented = help.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with(flag) || l.contains(&format!(", {flag}"))
        });
        assert!(documented, "--help lacks {flag}");
    }
    drop(p);
}

/// `tcp4_ext.bin` as an older kernel would have sent it: `tcp_info` cut to
/// Linux 2.6's 104 bytes and no attribute newer than `INET_DIAG_SKMEMINFO`.
fn as_old_kernel(bytes: &[u8]) -> Vec<u8> {
    use sockdiag::netlink::Messages;
    let mut out = Vec::new();
    for m in Messages::new(bytes) {
        let m = m.unwrap();
        let hdr_len = 16;
        let mut msg = bytes[m.offset()..m.offset() + hdr_len].to_vec();
        let payload = m.payload();
        if payload.len() < 72 {
            msg.extend_from_slice(payload);
        } else {
            msg.extend_from_slice(&payload[..72]);
            for a in sockdiag::netlink::Attrs::new(&payload[72..]) {
                let a = a.unwrap();
                if a.kind() > 7 {
                    continue;
                }
                let body = if a.kind() == 2 {
                    &a.payload()[..104]
                } else {
                    a.payload()
                };
                msg.extend_from_slice(&u16::try_from(4 + body.len()).unwrap().to_ne_bytes());
                msg.extend_from_slice(&a.kind().to_ne_bytes());
                msg.extend_from_slice(body);
                while !msg.len().is_multiple_of(4) {
                    msg.push(0);
                }
            }
        }
        let len = u32::try_from(msg.len()).unwrap();
        msg[..4].copy_from_slice(&len.to_ne_bytes());
        out.extend_from_slice(&msg);
    }
    out
}

pub fn cli_capture_replay_and_fixtures() {
    let _p = Population::create();
    let dir = std::env::temp_dir().join(format!("sockdiag-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // A capture replays to what the live run printed.
    let file = dir.join("live.nl");
    let f = file.to_str().unwrap();
    let live = ok(&["-tua", "-i", "--json", "--capture", f]);
    assert_eq!(json_lines(&live).len(), 14);
    let tcp_live: BTreeSet<&str> = live
        .lines()
        .filter(|l| l.contains("\"protocol\":\"tcp\""))
        .collect();
    let replayed = ok(&["--replay", f, "-ta", "-i", "--json"]);
    // Read as TCP, the UDP replies of the file come out too; those that are
    // TCP equal the live lines exactly.
    let replayed: BTreeSet<&str> = replayed.lines().collect();
    assert!(tcp_live.is_subset(&replayed), "{live}\n---\n{replayed:?}");
    assert_eq!(replayed.len(), 14);
    let udp_live: BTreeSet<String> = json_lines(&live)
        .iter()
        .filter(|v| v["protocol"] == "udp")
        .map(key)
        .collect();
    let udp_replayed: BTreeSet<String> = json_lines(&ok(&["--replay", f, "-ua", "--json"]))
        .iter()
        .filter(|v| udp_live.contains(&key(v)))
        .map(key)
        .collect();
    assert_eq!(udp_live, udp_replayed);
    // Selection applies to replays: states, families, filters.
    let est = json_lines(&ok(&[
        "--replay",
        f,
        "-t4",
        "state",
        "established",
        "--json",
        "sport",
        "=",
        ":5001",
    ]));
    assert_eq!(est.len(), 2, "{est:?}");
    // A file cut inside a message: a typed error with the offset.
    let bytes = std::fs::read(&file).unwrap();
    let cut = dir.join("cut.nl");
    std::fs::write(&cut, &bytes[..bytes.len() - 10]).unwrap();
    let (code, err) = fails(&["--replay", cut.to_str().unwrap(), "-ta"]);
    assert_eq!(code, 1);
    assert!(err.contains("offset") || err.contains("byte"), "{err}");
    // An attribute that does not parse (INET_DIAG_SHUTDOWN, at byte 88 of
    // the first message, made 2 bytes long instead of 1; the framing still
    // holds): an error naming the socket and the byte, not a row without it.
    let mut bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tcp4.bin"
    ))
    .unwrap();
    assert_eq!(&bytes[88..92], &[5, 0, 8, 0]);
    bytes[88] = 6;
    let damaged = dir.join("damaged.nl");
    std::fs::write(&damaged, &bytes).unwrap();
    for format in [&[][..], &["--json"][..], &["-s"][..]] {
        let mut args = vec!["--replay", damaged.to_str().unwrap(), "-ta"];
        args.extend(format);
        let (code, err) = fails(&args);
        assert_eq!(code, 1);
        assert!(
            err.contains("damaged reply: tcp socket")
                && err.contains("attribute (nlattr) at byte 88")
                && err.contains("payload of 2 bytes, expected 1"),
            "{err}"
        );
    }

    // The fixtures captured from Linux 6.18, each to the library's view.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    for (name, args, protocol) in [
        ("tcp4.bin", &["-ta"][..], Some(Protocol::Tcp)),
        ("tcp6_ext.bin", &["-tai"][..], Some(Protocol::Tcp)),
        ("udp4.bin", &["-ua"][..], Some(Protocol::Udp)),
        ("legacy_tcp.bin", &["-ta"][..], Some(Protocol::Tcp)),
        ("tcp4_1k.bin", &["-ta"][..], Some(Protocol::Tcp)),
        ("unix_all.bin", &["-xa"][..], None),
        ("packet_all.bin", &["-0a"][..], None),
        ("netlink_all.bin", &["--netlink", "-a"][..], None),
    ] {
        let path = format!("{fixtures}/{name}");
        let bytes = std::fs::read(&path).unwrap();
        let mut want = Vec::new();
        let mut records = Replay::new(&bytes);
        if let Some(p) = protocol {
            records = records.with_inet_protocol(p);
        }
        for r in records {
            match r.unwrap() {
                Record::Inet(m) => want.push((m.state().name().to_owned(), m.inode(), m.cookie())),
                Record::Unix(m) => want.push((m.state().name().to_owned(), m.inode(), m.cookie())),
                Record::Packet(m) => want.push(("CLOSE".to_owned(), m.inode(), m.cookie())),
                Record::Netlink(m) => want.push((
                    if m.is_connected() {
                        "ESTABLISHED"
                    } else {
                        "CLOSE"
                    }
                    .to_owned(),
                    m.inode(),
                    m.cookie(),
                )),
                _ => {}
            }
        }
        assert!(!want.is_empty(), "{name}");
        let mut cmd = vec!["--replay", path.as_str(), "--json"];
        cmd.extend_from_slice(args);
        let got: Vec<_> = json_lines(&ok(&cmd))
            .iter()
            .map(|v| {
                (
                    v["state"].as_str().unwrap().to_owned(),
                    v["inode"].as_u64().unwrap() as u32,
                    v["cookie"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, want, "{name}");
        if args.contains(&"-tai") {
            let v = json_lines(&ok(&cmd));
            assert!(
                v.iter().any(|v| v["tcp_info"]["pacing_rate"].is_u64()),
                "{name}"
            );
        }
    }
    // An older kernel's capture: a short tcp_info comes out with only the
    // fields it has.
    let old = as_old_kernel(&std::fs::read(format!("{fixtures}/tcp4_ext.bin")).unwrap());
    let old_file = dir.join("old.nl");
    std::fs::write(&old_file, old).unwrap();
    let v = json_lines(&ok(&[
        "--replay",
        old_file.to_str().unwrap(),
        "-tai",
        "--json",
    ]));
    let with_info: Vec<_> = v.iter().filter(|v| v.get("tcp_info").is_some()).collect();
    assert!(!with_info.is_empty());
    for v in with_info {
        let i = &v["tcp_info"];
        assert!(i["rtt"].is_u64() && i["total_retrans"].is_u64(), "{v}");
        assert!(
            i.get("pacing_rate").is_none() && i.get("bytes_acked").is_none(),
            "{v}"
        );
    }
    // A recorded ENOENT: an error when RAW is asked for, skipped otherwise.
    let enoent = format!("{fixtures}/raw4_enoent.bin");
    let (code, err) = fails(&["--replay", &enoent, "-w"]);
    assert_eq!(code, 1);
    assert!(err.contains("diag module"), "{err}");
    ok(&["--replay", &enoent]);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `sockdiag watch -t --interval 10ms --json` with `extra`: the child and
/// its events, as they come.
fn watch_json(extra: &[&str]) -> (Child, impl Iterator<Item = Value>) {
    let mut child = Command::new(BIN)
        .args(["watch", "-t", "--interval", "10ms", "--json"])
        .args(extra)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let events = lines.map(|l| serde_json::from_str::<Value>(&l.unwrap()).unwrap());
    (child, events)
}

pub fn cli_watch_reports_changes() {
    let _p = Population::create();
    // Every TCP socket with no filter is watched by two threads, each
    // polling the half of the sockets a kernel filter gives it; with a
    // filter of the user's, by one. Both see each socket exactly once.
    let first_poll = |extra: &[&str]| {
        let mut args = vec!["watch", "-t", "--count", "1", "--json"];
        args.extend(extra);
        let (mut cookies, mut total) = (Vec::new(), None);
        for line in ok(&args).lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            match v["event"].as_str().unwrap() {
                "new" => cookies.push(v["cookie"].as_u64().unwrap()),
                "total" => total = v["sockets"].as_u64(),
                other => panic!("{other}: {v}"),
            }
        }
        cookies.sort_unstable();
        (cookies, total.unwrap())
    };
    let (split, n) = first_poll(&["--workers", "halves"]);
    assert!(
        split.windows(2).all(|w| w[0] < w[1]),
        "a socket twice: {split:?}"
    );
    assert_eq!(n, split.len() as u64);
    for single in [
        &["--workers", "1"][..],
        &["--workers", "2"],
        &["dport", "!=", ":1"],
    ] {
        assert_eq!(first_poll(single), (split.clone(), n), "{single:?}");
    }
    let (mut child, mut events) = watch_json(&["--count", "100", "--track", "bytes_received"]);
    // The first poll reports every socket as new.
    let mut first = Vec::new();
    while first.len() < 11 {
        let v = events.next().unwrap();
        assert_eq!(v["event"], "new", "{v}");
        first.push(v);
    }
    // A new connection, some data, then its end.
    let l = support::tcp_listener(addr("127.0.0.1:6100"), 4, None);
    let mut c = support::tcp_connect(addr("127.0.0.1:46100"), addr("127.0.0.1:6100"));
    let (mut s, _) = l.accept().unwrap();
    std::thread::sleep(Duration::from_millis(100));
    std::io::Write::write_all(&mut c, b"hello").unwrap();
    let mut buf = [0u8; 5];
    s.read_exact(&mut buf).unwrap();
    std::thread::sleep(Duration::from_millis(100));
    drop((c, s, l));
    let mut seen = BTreeMap::<String, Vec<Value>>::new();
    let mut total = None;
    for v in events {
        let event = v["event"].as_str().unwrap().to_owned();
        if event == "total" {
            total = Some(v);
            break;
        }
        seen.entry(event).or_default().push(v);
    }
    assert!(child.wait().unwrap().success());
    let total = total.expect("a total line");
    assert_eq!(total["polls"], 100);
    assert!(total["poll_avg_us"].as_u64().unwrap() > 0);
    let new: BTreeSet<u64> = seen["new"]
        .iter()
        .map(|v| v["sport"].as_u64().unwrap())
        .collect();
    assert!(new.contains(&6100) && new.contains(&46100), "{seen:?}");
    let changed = &seen["changed"];
    assert!(
        changed
            .iter()
            .any(|v| v["bytes_received"] == 5 && v["bytes_received_delta"] == 5),
        "{changed:?}"
    );
    // The listener goes away; the connection ends in TIME-WAIT or is gone.
    let gone: BTreeSet<(u64, u64)> = seen["gone"]
        .iter()
        .map(|v| (v["sport"].as_u64().unwrap(), v["dport"].as_u64().unwrap()))
        .collect();
    assert!(gone.contains(&(6100, 0)), "{seen:?}");
    assert!(
        changed
            .iter()
            .any(|v| v["sport"] == 46100 && v["state"] != "ESTABLISHED")
            || gone.contains(&(46100, 6100)),
        "{seen:?}"
    );
}

/// A two-thread watch whose halves drift apart (a burst of connections
/// from the top of the ephemeral range) divides them anew, without a
/// false "gone" or "new" for any socket.
pub fn cli_watch_rebalances_its_halves() {
    let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").unwrap();
    let [lo, hi]: [u16; 2] = range
        .split_whitespace()
        .map(|p| p.parse().unwrap())
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    assert!(hi - lo > 2000, "{lo}-{hi}");
    let target = addr("127.0.0.1:7000");
    let l = support::tcp_listener(target, 1024, None);
    let connect = |from: u16, n: u16| -> Vec<_> {
        (0..n)
            .map(|i| support::tcp_connect(addr(&format!("127.0.0.1:{}", from + 2 * i)), target))
            .collect()
    };
    // 150 connections from the bottom of the range: both ends and the
    // listener, divided evenly when the watch starts.
    let old = connect(lo + 100, 150);
    let (mut child, mut events) = watch_json(&["--count", "250", "--workers", "halves"]);
    let mut new = BTreeSet::new();
    while new.len() < 301 {
        let v = events.next().unwrap();
        assert_eq!(v["event"], "new", "{v}");
        assert!(new.insert(v["cookie"].as_u64().unwrap()), "twice: {v}");
    }
    // 300 more from the top: 600 sockets, all in the second half.
    let more = connect(hi - 700, 300);
    let (mut halves, mut gone, mut total) = (Vec::new(), BTreeSet::new(), None);
    for v in events {
        let cookie = v["cookie"].as_u64();
        match v["event"].as_str().unwrap() {
            "new" => assert!(new.insert(cookie.unwrap()), "twice: {v}"),
            "gone" => assert!(gone.insert(cookie.unwrap())),
            // A poll may catch a connection of the burst half open.
            "changed" => assert!(
                v["old_state"].as_str().unwrap().starts_with("SYN_") && v["state"] == "ESTABLISHED",
                "{v}"
            ),
            "stats" => halves.push(v["halves"].clone()),
            "total" => {
                total = Some(v);
                break;
            }
            _ => panic!("{v}"),
        }
    }
    assert!(child.wait().unwrap().success());
    let total = total.unwrap();
    // Every socket there now was new once, none of them gone, and the
    // watch tracks those alone.
    let mut now = BTreeSet::new();
    DiagSocket::new()
        .unwrap()
        .for_each(&sockdiag::inet::LegacyRequest::tcp(), |m| {
            now.insert(m.cookie());
        })
        .unwrap();
    assert_eq!(now.len(), 901);
    assert!(now.is_subset(&new), "{:?}", now.difference(&new));
    assert!(now.is_disjoint(&gone), "{:?}", now.intersection(&gone));
    assert_eq!(total["sockets"].as_u64(), Some(901));
    let [a, b] = [0, 1].map(|i| total["halves"][i].as_u64().unwrap());
    assert_eq!(a + b, 901);
    assert!(a.abs_diff(b) <= 90, "halves {a}+{b}; by second: {halves:?}");
    drop((old, more, l));
}

/// Every inet socket of the namespace (TCP, UDP, both families, every
/// state), by cookie, as the kernel lists them.
fn every_inet_cookie() -> BTreeSet<u64> {
    library_view().values().map(|(_, s)| s.cookie).collect()
}

/// Conflicting modes and options of another mode are usage errors found
/// before anything is sent: none of them, above all none with `-K`,
/// destroys or changes a socket. (The parser's own tests go through every
/// pair of modes and every option of the table; this runs the binary.)
pub fn cli_conflicting_modes_destroy_nothing() {
    let p = Population::create();
    // The population: connections to :8080.
    let l8080 = support::tcp_listener(addr("127.0.0.1:8080"), 16, None);
    let clients: Vec<_> = (0..6)
        .map(|_| support::tcp_connect(addr("127.0.0.1:0"), addr("127.0.0.1:8080")))
        .collect();
    let before = every_inet_cookie();
    assert_eq!(before.len(), 14 + 1 + 12, "{before:?}");

    let modes = ["-s", "-K", "-E", "watch"];
    let mut lines: Vec<(Vec<&str>, String)> = Vec::new();
    // Every pair of modes, both orders where the order is free (`watch`
    // is the first word), short and long spellings.
    for a in modes {
        for b in modes {
            if a == b {
                continue;
            }
            let (first, second) = if b == "watch" { (b, a) } else { (a, b) };
            lines.push((
                vec![first, "-t", "--count", "2", second],
                format!("{first} and {second} are two modes"),
            ));
        }
    }
    for (a, b) in [
        ("--kill", "--summary"),
        ("--summary", "--kill"),
        ("--events", "--kill"),
    ] {
        lines.push((vec![a, "-t", b], format!("{a} and {b} are two modes")));
    }
    // The cases, exactly.
    for args in [
        &["watch", "-t", "--count", "2", "-K"][..],
        &["watch", "-t", "--count", "3", "-K", "dport = :8080"][..],
        &["-s", "-K"][..],
        &["-K", "-s"][..],
    ] {
        lines.push((args.to_vec(), "are two modes".to_owned()));
    }
    // Options of another mode, with -K and in the other modes.
    for (args, message) in [
        (
            &["-K", "-t", "--interval", "10ms"][..],
            "--interval means nothing with -K",
        ),
        (
            &["-K", "-t", "--count", "1"][..],
            "--count means nothing with -K",
        ),
        (
            &["-K", "-t", "--track", "total_retrans"][..],
            "--track means nothing with -K",
        ),
        (
            &["-K", "-t", "--workers", "1"][..],
            "--workers means nothing with -K",
        ),
        (&["-K", "-t", "--prom"][..], "--prom means nothing with -K"),
        (
            &["-K", "-t", "--replay", "/dev/null"][..],
            "--replay means nothing with -K",
        ),
        (
            &["-t", "--interval", "10ms"][..],
            "--interval means nothing in a listing",
        ),
        (
            &["-t", "--count", "1"][..],
            "--count means nothing in a listing",
        ),
        (
            &["-t", "--track", "total_retrans"][..],
            "--track means nothing in a listing",
        ),
        (&["-s", "-i"][..], "-i means nothing with -s"),
        (&["-s", "-p"][..], "-p means nothing with -s"),
        (
            &["-s", "--interval", "1s"][..],
            "--interval means nothing with -s",
        ),
        (&["-E", "-t", "-p"][..], "-p means nothing with -E"),
        (&["-E", "-t", "-N", "x"][..], "-N means nothing with -E"),
        (
            &["-E", "-t", "--capture", "/dev/null"][..],
            "--capture means nothing with -E",
        ),
        (
            &["-E", "-t", "--workers", "1"][..],
            "--workers means nothing with -E",
        ),
        (&["watch", "-t", "-p"][..], "-p means nothing with watch"),
        (
            &["watch", "-t", "--capture", "/dev/null"][..],
            "--capture means nothing with watch",
        ),
        (
            &["watch", "-t", "--prom"][..],
            "--prom means nothing with watch",
        ),
        (&["watch", "-t", "-H"][..], "-H means nothing with watch"),
    ] {
        lines.push((args.to_vec(), message.to_owned()));
    }
    // -K where the kernel has no SOCK_DESTROY.
    for (args, message) in [
        (
            &["-K", "-x"][..],
            "-K cannot destroy unix sockets (-x selects them)",
        ),
        (
            &["-K", "-A", "unix_seqpacket"][..],
            "-K cannot destroy unix sockets (-A selects them)",
        ),
        (
            &["-K", "-t", "-0"][..],
            "-K cannot destroy packet sockets (-0 selects them)",
        ),
        (
            &["-K", "--netlink"][..],
            "-K cannot destroy netlink sockets",
        ),
        (&["-K", "-M"][..], "-K cannot destroy MPTCP sockets"),
        (&["-K", "-A", "all"][..], "-K cannot destroy "),
    ] {
        lines.push((args.to_vec(), message.to_owned()));
    }
    for (args, message) in &lines {
        let (code, err) = fails(args);
        assert_eq!(code, 2, "sockdiag {args:?}: {err}");
        assert!(err.contains(message.as_str()), "sockdiag {args:?}: {err}");
        assert_eq!(
            every_inet_cookie(),
            before,
            "sockdiag {args:?} changed a socket"
        );
    }
    // The connections still carry data both ways.
    let mut p = p;
    use std::io::Write as _;
    p.tcp6_client.write_all(b"ok").unwrap();
    support::wait_unread_tcp(&p.tcp6_server, 2);
    for c in &clients {
        c.set_nonblocking(true).unwrap();
        let mut b = [0u8; 1];
        // Nothing to read, and not aborted.
        let e = (&*c).read(&mut b).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock, "{e}");
    }

    // -K alone, as in ss: every connected socket of the destroyable
    // tables (here TCP and UDP) goes; listeners and unconnected UDP stay
    // (a destroyed connected UDP socket stays bound, unconnected).
    let listeners: BTreeSet<u64> = library_view()
        .values()
        .filter(|(_, s)| s.state != sockdiag::inet::TcpState::Established)
        .map(|(_, s)| s.cookie)
        .collect();
    assert_eq!(listeners.len(), 6);
    let killed = ok(&["-K", "-H"]);
    let rows = crate::rows(&killed, false);
    // Each destroyed end resets its peer, which may close before the dump
    // reaches it: at least one end of each of the 10 TCP connections.
    assert!(rows.len() > 10, "{killed}");
    assert!(rows.iter().all(|r| r[1] == "ESTAB"), "{killed}");
    let after = library_view();
    assert!(
        after.values().all(|(_, s)| matches!(
            s.state,
            sockdiag::inet::TcpState::Listen | sockdiag::inet::TcpState::Close
        )),
        "{after:?}"
    );
    let kept: BTreeSet<u64> = after.values().map(|(_, s)| s.cookie).collect();
    assert!(kept.is_superset(&listeners), "{after:?}");
    assert_eq!(kept.len(), 7, "{after:?}");
    drop((p, l8080, clients));
}

pub fn cli_output_matches_ss() {
    let _p = Population::create();
    if skip_without_ss() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_sockdiag");
    // Some unix, packet and netlink sockets too.
    let _unix = std::os::unix::net::UnixStream::pair().unwrap();
    let _packet = support::packet_socket(libc::SOCK_DGRAM, support::ETH_P_IP);
    // The diag sockets of sockdiag and of ss differ: leave netlink
    // protocol 4 (NETLINK_SOCK_DIAG) user sockets out of the comparison.
    let own_diag = |row: &Vec<String>| row.iter().any(|t| t.starts_with("4:") && t != "4:0");
    for (ours, theirs) in [
        (&["-tua"][..], &["-tuan"][..]),
        (&["-t", "-4", "-a"][..], &["-tan", "-4"][..]),
        (&["-u", "-6", "-a"][..], &["-uan", "-6"][..]),
        (&["-xa"][..], &["-xan"][..]),
        (&["-x"][..], &["-xn"][..]),
        (&["-0a"][..], &["-0an"][..]),
        (&["-0"][..], &["-0n"][..]),
        (&["--netlink", "-a"][..], &["-A", "netlink", "-an"][..]),
        (&["-t", "-u", "-x", "-0", "-a"][..], &["-tux0an"][..]),
        (&["-a"][..], &["-an"][..]),
    ] {
        let out = Command::new(bin).args(ours).arg("-n").output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let ss = Command::new("ss").args(theirs).output().unwrap();
        assert!(ss.status.success());
        let (mut ours_rows, mut ss_rows) = (
            rows(&String::from_utf8(out.stdout).unwrap(), true),
            rows(&String::from_utf8(ss.stdout).unwrap(), true),
        );
        ours_rows.retain(|r| !own_diag(r));
        ss_rows.retain(|r| !own_diag(r));
        assert!(!ss_rows.is_empty());
        assert_eq!(ours_rows, ss_rows, "sockdiag {ours:?} vs ss {theirs:?}");
    }
    // -H drops the header; bad options are a one-line error, exit code 2.
    let out = Command::new(bin).args(["-H", "-t"]).output().unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains("Netid"));
    let out = Command::new(bin).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(String::from_utf8(out.stderr).unwrap().lines().count(), 1);
}

/// `--workers 1`, `2` (pipelined) and `halves` list the same sockets, each
/// once: the pipelined listing in exactly the one thread's order (the
/// kernel's), the halves as a set; in every format; and over enough
/// sockets for many datagrams.
pub fn cli_workers_list_the_same_rows() {
    let (_l, _c) = support::many_connections(6200, 1500);
    for format in [
        &["-tan"][..],
        &["-tani"],
        &["-tan", "--json"],
        &["-tani", "--json"],
    ] {
        let with = |workers: &str| {
            let mut args = format.to_vec();
            args.extend(["--workers", workers]);
            ok(&args)
        };
        let one = with("1");
        let rows = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.starts_with('\t') && !l.starts_with("State"))
                .map(str::to_owned)
                .collect()
        };
        let (one_rows, pipelined) = (rows(&one), rows(&with("2")));
        // auto takes one thread for this few sockets: the same rows.
        assert_eq!(
            rows(&with("auto")).len(),
            one_rows.len(),
            "{format:?}: auto"
        );
        assert!(one_rows.len() > 3000, "{format:?}: {}", one_rows.len());
        // The rows' moving numbers (timers, rtt) differ between runs; the
        // sockets and their order do not.
        let ends = |rows: &[String]| -> Vec<String> {
            rows.iter()
                .map(|r| {
                    if r.starts_with('{') {
                        let v: Value = serde_json::from_str(r).unwrap();
                        v["cookie"].to_string()
                    } else {
                        r.split_whitespace()
                            .skip(3)
                            .take(2)
                            .collect::<Vec<_>>()
                            .join(" ")
                    }
                })
                .collect()
        };
        let (p, o) = (ends(&pipelined), ends(&one_rows));
        let first_difference = p.iter().zip(&o).position(|(a, b)| a != b);
        assert!(
            p.len() == o.len() && first_difference.is_none(),
            "{format:?}: pipelined {} rows, one thread {}, first difference at {first_difference:?}",
            p.len(),
            o.len()
        );
        let mut halves = ends(&rows(&with("halves")));
        let mut sorted = ends(&one_rows);
        halves.sort();
        sorted.sort();
        assert_eq!(halves, sorted, "{format:?}: halves");
        let unique: BTreeSet<&String> = sorted.iter().collect();
        assert_eq!(unique.len(), sorted.len(), "{format:?}: a socket twice");
    }
}
