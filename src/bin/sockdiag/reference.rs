//! The option table rendered for people: `--help` (80 columns), the
//! reference `docs/CLI.md`, and the man page `docs/sockdiag.1`. One
//! document, three renderings; the test `reference_and_man_page_are_current`
//! writes the two files (`SOCKDIAG_BLESS=1`) and keeps them current.

use std::fmt::Write as _;

use crate::options::{Opt, Section, OPTIONS};

/// How `--help` names an option: `-t, --tcp`, `--netlink`, `state STATE`.
pub fn spec(o: &Opt) -> String {
    let mut names: Vec<String> = o.short.map(|c| format!("-{c}")).into_iter().collect();
    if let Some(long) = o.long.first() {
        names.push(format!("--{long}"));
    }
    names.extend(o.word.map(str::to_owned));
    let mut s = names.join(", ");
    if o.short.is_none() && o.word.is_none() && !o.long.is_empty() {
        s.insert_str(0, "    ");
    }
    match (o.value, s.is_empty()) {
        (Some(v), true) => v.to_owned(),
        (Some(v), false) => format!("{s} {v}"),
        (None, _) => s,
    }
}

/// A part of the document: a paragraph, or a section of options with
/// its heading.
enum Part {
    /// A heading and its text (either may be empty).
    Text(&'static str, &'static str),
    /// The options of a section, under a heading.
    Options(&'static str, Section),
    /// Every option of `ss`, with what this does with it.
    Ss(&'static str),
}

/// Every option of `ss` (iproute2 6.1's usage), and its status here.
pub const SS_OPTIONS: &[(&str, &str)] = &[
    ("-h, --help", "same"),
    ("-V, --version", "same (this program's version)"),
    ("-n, --numeric", "same"),
    ("-r, --resolve", "same, from /etc/hosts only: never DNS"),
    ("-a, --all", "same"),
    ("-l, --listening", "same"),
    ("-o, --options", "same"),
    ("-e, --extended", "same; -xe's dev: is the true major/minor"),
    ("-m, --memory", "same"),
    ("-p, --processes", "same"),
    ("-T, --threads", "same"),
    ("-i, --info", "same"),
    ("--tipcinfo", "same"),
    ("-s, --summary", "same totals; with a selection, counts it"),
    ("--tos", "same"),
    ("--cgroup", "same"),
    ("-b, --bpf", "same"),
    ("-E, --events", "same (TCP and UDP)"),
    ("-Z, --context", "an error: SELinux is not supported"),
    ("-z, --contexts", "an error: SELinux is not supported"),
    ("-N, --net", "same"),
    ("-4, --ipv4", "same"),
    ("-6, --ipv6", "same"),
    ("-0, --packet", "same"),
    ("-t, --tcp", "same"),
    ("-M, --mptcp", "same"),
    ("-S, --sctp", "same"),
    ("-u, --udp", "same"),
    ("-d, --dccp", "same"),
    ("-w, --raw", "same (from /proc/net/raw without raw_diag)"),
    ("-x, --unix", "same"),
    ("--tipc", "TIPC sockets, as ss --tipc (needs tipc_diag)"),
    ("--vsock", "vsock sockets, as ss --vsock (needs vsock_diag)"),
    ("--xdp", "AF_XDP sockets, as ss --xdp (needs xsk_diag)"),
    ("-f, --family", "same"),
    ("-K, --kill", "same; destroyable tables only"),
    ("-H, --no-header", "same"),
    ("-O, --oneline", "same"),
    ("--inet-sockopt", "same"),
    ("-A, --query, --socket", "same, and udplite"),
    ("-D, --diag", "same: the TCP dump, nothing printed"),
    ("-F, --filter", "same"),
    ("FILTER", "same, but no link:, netlink:, vsock:"),
];

/// What the program is, in one line.
const ABOUT: &str = "list, count, watch and kill sockets through the kernel's sock_diag netlink interface: `ss`'s options, faster, with JSON and Prometheus output.";

/// The command lines.
const USAGE: [&str; 3] = [
    "sockdiag [OPTIONS] [state STATE]... [exclude STATE]... [FILTER]",
    "sockdiag watch [OPTIONS] [--interval 10ms] [--count N] [FILTER]",
    "sockdiag exporter [OPTIONS] [--listen ADDR:PORT] [--all-netns] [FILTER]",
];

/// The document, in order.
const DOC: &[Part] = &[
    Part::Text(
        "",
        "The table is ss's, row for row and field for field (ports named from /etc/services unless -n). Options may be clustered (-tanp), take values as `-N name`, `-Nname` or `--net=name`, and may follow the filter; `--` ends them. A run does one thing (list, -s, -K, -E or watch): two of them, or an option of another mode, is an error.",
    ),
    Part::Options("Which sockets", Section::Select),
    Part::Text(
        "",
        "Tables and states are chosen as ss chooses them: with no table option every table, with no state option the states the chosen tables bring (connected sockets: packet and netlink sockets, always UNCONN, need -a or -l), one set of states for all tables. A table whose diag module the kernel lacks is empty only where no such socket can exist (the protocol is not in /proc/net/protocols); RAW sockets are then read from /proc/net/raw as ss reads them; anything else is an error if named, else a note on standard error.",
    ),
    Part::Options("What to show (listings, -K, -E, watch)", Section::Show),
    Part::Options("Output (default: aligned columns like ss)", Section::Output),
    Part::Options("Modes (one per run; the default lists)", Section::Modes),
    Part::Text(
        "Watch",
        "sockdiag watch [OPTIONS] [FILTER] repeats the selected dumps, tracks sockets by cookie and prints only changes: `+` new, `-` gone, `~` state or tracked counter changed, and once a second a `#` line of `key value` pairs: seconds, polls, late polls, sockets, new, gone, changed, poll time (poll_avg_us, poll_max_us) and CPU used (cpu_user_pct, cpu_sys_pct). A socket is gone when two polls in a row miss it (under churn the kernel's walk can rarely miss a live socket once). With --workers halves the line shows each half's sockets, `halves A+B`: the halves are divided where the sockets split evenly at the first poll, and anew whenever they drift a tenth apart.",
    ),
    Part::Options("", Section::Watch),
    Part::Text(
        "Exporter",
        "sockdiag exporter [OPTIONS] [FILTER] polls the selected tables (TCP unless a table option is given, every state unless one is) every --interval in the background and serves the latest aggregates at http://127.0.0.1:10116/metrics in Prometheus's text format, or OpenMetrics when the scraper asks for it (Accept: application/openmetrics-text); a scrape renders what the last poll found and never starts a dump, so scrapes cost the kernel nothing. It listens on loopback only: give --listen 0.0.0.0:10116 (or a single interface's address) to be scraped from another host, and protect the port as any exporter's. Metrics (sockdiag_ prefix): sockets by netns, protocol, family and state; per listening socket its accept queue and backlog; connections by local port for ports that have a listener (the rest under port=\"other\") and, with --ports, by either end's port; histograms over established TCP connections of rtt, min_rtt (seconds), cwnd (segments) and delivery rate (bytes per second); counters of connections opened and closed and of retransmitted segments, bytes acked and bytes received summed over connections, which never go down when a connection closes (each connection's increase since the last poll, and its final values from the kernel's destroy events, which also count connections that lived between two polls); the exporter's own polls, poll errors, poll duration, sockets tracked, namespaces scanned and last poll time. With --all-netns every network namespace of the host (named ones under /run/netns, and those of running processes) is scanned by its own socket and labelled netns (its name, else its inode); namespaces that appear or go are picked up or dropped at the next poll. --label adds labels that raise cardinality on purpose, each off by default: process (the command holding the socket, \"\" for none) and cgroup (its path) on sockdiag_sockets, the listener metrics and sockdiag_connections, remote (the peer's network) on sockdiag_connections; they come from one walk of /proc and of the cgroup tree per poll. No metric has more than --max-series series: the rest are dropped and counted in sockdiag_series_dropped_total. A connection aborted with a reset (SO_LINGER 0) has its counters zeroed by the kernel before its destroy event: it adds what the polls saw of it. With --record DIR the exporter also writes a change log: files DIR/changes-MS.jsonl (MS: Unix milliseconds of their first line; .jsonl.gz with --record-gzip once closed), a new one after --record-size bytes or --record-age, each line a JSON object whose first keys are the poll's seq (counted from 1 over the exporter's polls), time (Unix seconds), interval_s (since the namespace's previous poll) and netns, then the watch's --json event: new (the socket's --json keys, tcp_info included), changed (written whole with its tcp_info and a KEY_delta for each tracked counter that moved: --track, default bytes_acked, bytes_received, total_retrans; or, for a state change only, the watch's short form), gone (netid, cookie, ends, last state). The first poll lists every socket as new, so a reader rebuilds the population from the first file on; zcat -f DIR/changes-* reads the log in order.",
    ),
    Part::Options("", Section::Exporter),
    Part::Options("Speed", Section::Speed),
    Part::Options("", Section::Info),
    Part::Ss("Compared with ss"),
    Part::Text(
        "",
        "Deliberate differences. Row order: a listing streams rows as the kernel sends them, so TCP's IPv4 and IPv6 rows are interleaved (one walk of the kernel's tables, not two) and with --workers halves the two halves alternate; --ss-layout gives ss's order. Layout: columns are fixed-width so that rows stream in bounded memory; --ss-layout holds the table and sizes it exactly as ss does into a pipe or file (ss also spreads columns to a terminal's width). -xe prints the bound file's true device major/minor (ss 6.1 decodes the kernel's number with the userspace encoding). MD5 keys are printed in their row (ss 6.1 writes them ahead of its buffered table). -r reads /etc/hosts only. A filter lists inet and unix sockets: with -0, --netlink, --vsock or --xdp it is an error (ss compares ports with interface indexes, port ids, vsock ports and queues there). -s with a table, state or filter counts those sockets by state (ss prints its totals, then lists them). Beyond ss: watch, --json, --prom, --capture, --replay, --ss-layout, --workers, -A udplite, -A smc (SMC sockets, which ss does not list: the SMC state, the CLC socket's ends, users, and with -e the mode and fallback reasons; not in -A all), state bound-inactive, cgroupid = N.",
    ),
    Part::Text(
        "Exit status",
        "0 success; 1 a failure while running (missing capability, protocol not available, unknown namespace, unreadable file); 2 a bad command line or filter expression. Errors are one line on standard error.",
    ),
];

/// `text` wrapped to `width` columns, each line after `indent` spaces.
fn wrap(out: &mut String, text: &str, indent: usize, width: usize) {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && indent + line.len() + 1 + word.len() > width {
            let _ = writeln!(out, "{:indent$}{line}", "");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{:indent$}{line}", "");
    }
}

/// The options of `which` as `--help` lists them.
fn options_text(out: &mut String, which: Section) {
    for o in OPTIONS.iter().filter(|o| o.section == which) {
        let spec = spec(o);
        let _ = write!(out, "    {spec:<20}");
        if spec.len() >= 20 {
            let _ = write!(out, "\n    {:<20}", "");
        }
        let mut lines = o.help.lines().peekable();
        while let Some(line) = lines.next() {
            let last = lines.peek().is_none();
            if last && line.len() <= 32 && o.example.len() <= 23 {
                let _ = writeln!(out, "{line:<33}{}", o.example);
            } else if last {
                let _ = writeln!(out, "{line}\n    {:<20}e.g. {}", "", o.example);
            } else {
                let _ = write!(out, "{line}\n    {:<20}", "");
            }
        }
    }
}

/// `--help`.
pub fn help() -> String {
    let mut out = String::new();
    wrap(&mut out, &format!("sockdiag - {ABOUT}"), 0, 80);
    out.push_str("\nUSAGE:\n");
    for u in USAGE {
        let _ = writeln!(out, "    {u}");
    }
    for part in DOC {
        out.push('\n');
        match part {
            Part::Text(title, text) => {
                if title.is_empty() {
                    wrap(&mut out, text, 0, 76);
                } else {
                    let _ = writeln!(out, "{}", upper(title));
                    wrap(&mut out, text, 4, 80);
                }
            }
            Part::Options(title, section) => {
                if !title.is_empty() {
                    let _ = writeln!(out, "{}", upper(title));
                }
                options_text(&mut out, *section);
            }
            Part::Ss(title) => {
                let _ = writeln!(out, "{}", upper(title));
                for (opt, status) in SS_OPTIONS {
                    let _ = writeln!(out, "    {opt:<24}{status}");
                }
            }
        }
    }
    out
}

#[cfg(test)]
/// The modes where an option means something, in words.
fn modes(o: &Opt) -> String {
    use crate::options::Mode;
    let all: Vec<&str> = Mode::ALL
        .iter()
        .filter(|m| o.modes.contains(m.bit()))
        .map(|m| m.label())
        .collect();
    if all.len() == Mode::ALL.len() {
        "every mode".to_owned()
    } else {
        all.join(", ")
    }
}

#[cfg(test)]
/// `docs/CLI.md`: the reference, with each option's modes.
pub fn markdown() -> String {
    let mut out = String::from("# sockdiag command-line reference\n\n");
    out.push_str("<!-- Generated from src/bin/sockdiag/options.rs: SOCKDIAG_BLESS=1 cargo test --bin sockdiag reference -->\n\n");
    let _ = writeln!(out, "`sockdiag` {ABOUT}\n");
    out.push_str("```\n");
    for u in USAGE {
        let _ = writeln!(out, "{u}");
    }
    out.push_str("```\n");
    for part in DOC {
        out.push('\n');
        match part {
            Part::Text(title, text) => {
                if !title.is_empty() {
                    let _ = writeln!(out, "## {title}\n");
                }
                let _ = writeln!(out, "{text}");
            }
            Part::Options(title, section) => {
                if !title.is_empty() {
                    let _ = writeln!(out, "## {title}\n");
                }
                out.push_str("| option | what | modes | example |\n|---|---|---|---|\n");
                for o in OPTIONS.iter().filter(|o| o.section == *section) {
                    let what = o.help.replace('\n', " ").replace('|', "\\|");
                    let _ = writeln!(
                        out,
                        "| `{}` | {what} | {} | `{}` |",
                        spec(o).trim(),
                        modes(o),
                        o.example.replace('|', "\\|")
                    );
                }
            }
            Part::Ss(title) => {
                let _ = writeln!(out, "## {title}\n");
                out.push_str("| ss option | here |\n|---|---|\n");
                for (opt, status) in SS_OPTIONS {
                    let _ = writeln!(out, "| `{opt}` | {status} |");
                }
            }
        }
    }
    out
}

/// A heading as `--help` and the man page write it: `Which sockets (a, -s)`
/// as `WHICH SOCKETS (a, -s)`, what is in parentheses unchanged.
fn upper(title: &str) -> String {
    match title.split_once(" (") {
        Some((head, rest)) => format!("{} ({rest}", head.to_uppercase()),
        None => title.to_uppercase(),
    }
}

#[cfg(test)]
/// Text for roff: backslashes and dashes escaped, no line starting with a
/// control character.
fn roff(text: &str) -> String {
    let t = text.replace('\\', "\\e").replace('-', "\\-");
    if t.starts_with('.') || t.starts_with('\'') {
        format!("\\&{t}")
    } else {
        t
    }
}

#[cfg(test)]
/// `docs/sockdiag.1`: the man page.
pub fn man() -> String {
    let mut out = format!(
        ".TH SOCKDIAG 1 \"\" \"sockdiag {}\" \"User Commands\"\n",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str(".\\\" Generated from src/bin/sockdiag/options.rs: SOCKDIAG_BLESS=1 cargo test --bin sockdiag reference\n");
    let _ = writeln!(out, ".SH NAME\nsockdiag \\- {}", roff(ABOUT));
    out.push_str(".SH SYNOPSIS\n");
    for u in USAGE {
        let _ = writeln!(out, ".B {}\n.br", roff(u));
    }
    out.push_str(".SH DESCRIPTION\n");
    for part in DOC {
        match part {
            Part::Text(title, text) => {
                if !title.is_empty() {
                    let _ = writeln!(out, ".SH {}", roff(&upper(title)));
                } else {
                    out.push_str(".PP\n");
                }
                let _ = writeln!(out, "{}", roff(text));
            }
            Part::Options(title, section) => {
                if !title.is_empty() {
                    let _ = writeln!(out, ".SH {}", roff(&upper(title)));
                }
                for o in OPTIONS.iter().filter(|o| o.section == *section) {
                    let _ = writeln!(out, ".TP\n.B {}", roff(spec(o).trim()));
                    let _ = writeln!(
                        out,
                        "{} (modes: {}).\n.br\nExample: \\fB{}\\fR",
                        roff(&o.help.replace('\n', " ")),
                        roff(&modes(o)),
                        roff(o.example)
                    );
                }
            }
            Part::Ss(title) => {
                let _ = writeln!(out, ".SH {}", roff(&upper(title)));
                for (opt, status) in SS_OPTIONS {
                    let _ = writeln!(out, ".TP\n.B {}\n{}", roff(opt), roff(status));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checked-in rendering `name` equals `text`; with
    /// `SOCKDIAG_BLESS=1` it is rewritten instead.
    fn current(name: &str, text: &str) {
        let path = format!("{}/docs/{name}", env!("CARGO_MANIFEST_DIR"));
        if std::env::var("SOCKDIAG_BLESS").is_ok_and(|v| v == "1") {
            std::fs::write(&path, text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == text,
            "docs/{name} is not what the option table says: run SOCKDIAG_BLESS=1 cargo test --bin sockdiag reference"
        );
    }

    #[test]
    fn reference_and_man_page_are_current() {
        current("CLI.md", &markdown());
        current("sockdiag.1", &man());
    }

    #[test]
    fn every_option_is_in_every_rendering() {
        let (h, md, man) = (help(), markdown(), man());
        for o in OPTIONS {
            let s = spec(o);
            assert!(
                h.lines()
                    .any(|l| l.trim_start().starts_with(s.trim_start())),
                "{s}"
            );
            assert!(md.contains(&format!("| `{}` |", s.trim())), "{s}");
            assert!(man.contains(&format!(".B {}", roff(s.trim()))), "{s}");
            assert!(h.contains(o.example), "{}", o.example);
        }
        assert!(h.lines().all(|l| l.chars().count() <= 80), "{h}");
    }

    #[test]
    fn every_ss_option_has_a_status_and_exists_here() {
        let (h, md, man) = (help(), markdown(), man());
        for (opt, status) in SS_OPTIONS {
            assert!(h.contains(&format!("    {opt:<24}{status}")), "{opt}");
            assert!(md.contains(&format!("| `{opt}` | {status} |")), "{opt}");
            assert!(man.contains(&roff(opt)), "{opt}");
            // Each of ss's spellings is an option of this command line.
            for name in opt.split(", ") {
                let known = match name.strip_prefix("--") {
                    Some(long) => OPTIONS.iter().any(|o| o.long.contains(&long)),
                    None => match name.strip_prefix('-') {
                        Some(c) => OPTIONS
                            .iter()
                            .any(|o| o.short.map(String::from).as_deref() == Some(c)),
                        None => name == "FILTER",
                    },
                };
                assert!(known, "{name} is not an option");
            }
        }
        // And iproute2 6.1's usage names no option missing from the list.
        for ss in [
            "-h",
            "-V",
            "-n",
            "-r",
            "-a",
            "-l",
            "-o",
            "-e",
            "-m",
            "-p",
            "-T",
            "-i",
            "--tipcinfo",
            "-s",
            "--tos",
            "--cgroup",
            "-b",
            "-E",
            "-Z",
            "-z",
            "-N",
            "-4",
            "-6",
            "-0",
            "-t",
            "-M",
            "-S",
            "-u",
            "-d",
            "-w",
            "-x",
            "--tipc",
            "--vsock",
            "--xdp",
            "-f",
            "-K",
            "-H",
            "-O",
            "--inet-sockopt",
            "-A",
            "-D",
            "-F",
        ] {
            assert!(
                SS_OPTIONS
                    .iter()
                    .any(|(o, _)| o.split(", ").any(|n| n == ss)),
                "{ss}"
            );
        }
    }
}
