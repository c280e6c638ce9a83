//! Live tests against the running kernel.
//!
//! Each test runs in its own thread, which first moves into a fresh private
//! network namespace with only loopback up, so the host's sockets never
//! disturb an assertion and every socket in a dump is one the test made.
//!
//! As root this needs nothing more. Without root the harness first enters
//! an unprivileged user namespace (where the kernel allows it). If no
//! namespace can be made, the tests are skipped with a message, unless
//! `SOCKDIAG_REQUIRE_LIVE=1` is set (as `.ci/run` does): then that is a
//! failure. The same variable turns a missing `ss` into a failure.
//!
//! This is a `harness = false` test: namespaces must be entered before any
//! thread exists. Arguments: substrings selecting tests; `--list`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// A live test: its name and body.
type Test = (&'static str, fn());

/// A list of tests, by function name.
macro_rules! tests {
    ($($f:ident),* $(,)?) => { &[$((stringify!($f), $f as fn())),*] };
}

#[path = "live/cli.rs"]
mod cli;
#[path = "live/destroy.rs"]
mod destroy;
#[path = "live/engine.rs"]
mod engine;
#[path = "live/exporter.rs"]
mod exporter;
#[path = "live/families.rs"]
mod families;
#[path = "live/filters.rs"]
mod filters;
#[path = "live/host.rs"]
mod host;
#[path = "live/inet.rs"]
mod inet;
#[path = "live/protocols.rs"]
mod protocols;
#[path = "live/reliability.rs"]
mod reliability;
#[path = "live/ss.rs"]
mod ss;
mod support;

/// Every file of live tests, its source and its tests: a `pub fn` without
/// arguments in a file is a test, and the harness refuses to run if one
/// is not registered, or a file under `tests/live/` is not listed here.
const FILES: &[(&str, &str, &[Test])] = &[
    ("cli.rs", include_str!("live/cli.rs"), cli::TESTS),
    (
        "destroy.rs",
        include_str!("live/destroy.rs"),
        destroy::TESTS,
    ),
    ("engine.rs", include_str!("live/engine.rs"), engine::TESTS),
    (
        "exporter.rs",
        include_str!("live/exporter.rs"),
        exporter::TESTS,
    ),
    (
        "families.rs",
        include_str!("live/families.rs"),
        families::TESTS,
    ),
    (
        "filters.rs",
        include_str!("live/filters.rs"),
        filters::TESTS,
    ),
    ("host.rs", include_str!("live/host.rs"), host::TESTS),
    ("inet.rs", include_str!("live/inet.rs"), inet::TESTS),
    (
        "protocols.rs",
        include_str!("live/protocols.rs"),
        protocols::TESTS,
    ),
    (
        "reliability.rs",
        include_str!("live/reliability.rs"),
        reliability::TESTS,
    ),
    ("ss.rs", include_str!("live/ss.rs"), ss::TESTS),
];

/// The tests of every file, after checking that none was left out.
fn registered() -> Result<Vec<Test>, String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/live");
    let mut problems = Vec::new();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".rs"))
        .collect();
    on_disk.sort();
    for name in &on_disk {
        if !FILES.iter().any(|(f, _, _)| f == name) {
            problems.push(format!("tests/live/{name} is not in the harness's FILES"));
        }
    }
    let mut all = Vec::new();
    for (file, source, tests) in FILES {
        for line in source.lines() {
            let Some(rest) = line.strip_prefix("pub fn ") else {
                continue;
            };
            let Some(name) = rest.strip_suffix("() {") else {
                continue;
            };
            if !tests.iter().any(|(n, _)| *n == name) {
                problems.push(format!("{file}: test {name} is not in its TESTS"));
            }
        }
        all.extend_from_slice(tests);
    }
    if problems.is_empty() {
        Ok(all)
    } else {
        Err(problems.join("; "))
    }
}

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::os::fd::AsRawFd;
use std::process::{Command, ExitCode};

use nix::sys::socket::{self, AddressFamily, NetlinkAddr, SockFlag, SockProtocol, SockType};
use sockdiag::inet::{
    Extensions, Family, InetMsg, InetRequest, InetSocket, LegacyRequest, Protocol, States,
    TcpField, TcpInfo, TcpState,
};
use sockdiag::netlink::Messages;
use sockdiag::{DiagSocket, Error, Shutdown};
use support::{addr, inode_of, Population};

// ---------------------------------------------------------------------
// A counting allocator: allocations made by the current thread.

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

/// Allocations of every thread: for engines that work on threads of
/// their own (the harness runs one test at a time).
static ALL_THREADS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn count() {
    // `try_with`: the slot may be gone while a thread exits.
    let _ = ALLOCATIONS.try_with(|c| c.set(c.get() + 1));
    ALL_THREADS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

#[allow(unsafe_code)]
// SAFETY: every method forwards to `System` unchanged; the counter is a
// const-initialised thread-local `Cell` that never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// Allocations of every thread of the process while `f` runs.
fn allocations_anywhere_during(f: impl FnOnce()) -> u64 {
    use std::sync::atomic::Ordering::SeqCst;
    let before = ALL_THREADS.load(SeqCst);
    f();
    ALL_THREADS.load(SeqCst) - before
}

// ---------------------------------------------------------------------
// Helpers.

/// Whether the harness started as real root (inside its user namespace an
/// unprivileged run also sees euid 0, without the power to switch uids or
/// mount).
static REAL_ROOT: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn real_root() -> bool {
    REAL_ROOT.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether a check that runs a child without privileges can run: only real
/// root can switch to uid 65534. Otherwise it says the check is skipped,
/// and fails under `SOCKDIAG_REQUIRE_LIVE=1`.
fn can_drop_privileges(what: &str) -> bool {
    if real_root() {
        return true;
    }
    assert!(
        !require_live(),
        "{what} needs root to drop privileges (SOCKDIAG_REQUIRE_LIVE=1)"
    );
    println!("    ({what} skipped: dropping privileges needs root)");
    false
}

/// `program` set to run as uid and gid 65534 (`nobody`).
fn as_nobody(program: impl AsRef<std::ffi::OsStr>) -> Command {
    use std::os::unix::process::CommandExt;
    let mut c = Command::new(program);
    c.uid(65534).gid(65534);
    c
}

fn require_live() -> bool {
    std::env::var("SOCKDIAG_REQUIRE_LIVE").is_ok_and(|v| v == "1")
}

fn dump_all(sock: &mut DiagSocket, req: InetRequest) -> Vec<InetSocket> {
    sock.snapshot(&req)
        .unwrap_or_else(|e| panic!("{req:?}: {e}"))
}

fn by_endpoints(socks: Vec<InetSocket>) -> HashMap<(SocketAddr, SocketAddr), InetSocket> {
    let n = socks.len();
    let map: HashMap<_, _> = socks.into_iter().map(|s| ((s.src, s.dst), s)).collect();
    assert_eq!(map.len(), n, "a socket appeared twice");
    map
}

/// What a test expects of one socket.
struct Expect {
    src: &'static str,
    dst: &'static str,
    state: TcpState,
    rqueue: u32,
    wqueue: u32,
    inode: u32,
}

/// Checks that `socks` holds exactly the `expected` sockets, field by field.
fn assert_exactly(family: Family, socks: Vec<InetSocket>, expected: &[Expect]) {
    let mut map = by_endpoints(socks);
    for e in expected {
        let key = (addr(e.src), addr(e.dst));
        let s = map
            .remove(&key)
            .unwrap_or_else(|| panic!("{} -> {} missing", e.src, e.dst));
        assert_eq!(s.family, family, "{} -> {}", e.src, e.dst);
        assert_eq!(s.state, e.state, "{} -> {}", e.src, e.dst);
        assert_eq!(
            (s.rqueue, s.wqueue),
            (e.rqueue, e.wqueue),
            "{} -> {}: queues",
            e.src,
            e.dst
        );
        assert_eq!(s.inode, e.inode, "{} -> {}: inode", e.src, e.dst);
        assert_eq!(
            s.uid,
            nix::unistd::geteuid().as_raw(),
            "{} -> {}: uid",
            e.src,
            e.dst
        );
        assert_ne!(s.cookie, u64::MAX);
    }
    assert!(map.is_empty(), "unexpected sockets: {:?}", map.values());
}

fn have_ss() -> bool {
    Command::new("ss")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// True (after saying so) when `ss` is missing, for the caller to skip
/// what compares with it; a failure under `SOCKDIAG_REQUIRE_LIVE=1`.
fn skip_without_ss() -> bool {
    if have_ss() {
        return false;
    }
    assert!(
        !require_live(),
        "ss (iproute2) is required with SOCKDIAG_REQUIRE_LIVE=1"
    );
    println!("    (skipped: no `ss` on this machine)");
    true
}

/// The rows of `ss -tuan`-shaped output, as sorted sets of whitespace-split
/// fields (Netid, State, Recv-Q, Send-Q, Local, Peer), header dropped.
fn rows(text: &str, header: bool) -> BTreeSet<Vec<String>> {
    text.lines()
        .skip(usize::from(header))
        .map(|l| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|r| !r.is_empty())
        .collect()
}

/// `ss`'s address:port text for a socket address.
fn ss_addr(a: SocketAddr) -> String {
    match a {
        SocketAddr::V4(v4) => format!(
            "{}:{}",
            v4.ip(),
            if a.port() == 0 {
                "*".into()
            } else {
                a.port().to_string()
            }
        ),
        SocketAddr::V6(v6) => format!(
            "[{}]:{}",
            v6.ip(),
            if a.port() == 0 {
                "*".into()
            } else {
                a.port().to_string()
            }
        ),
    }
}

// ---------------------------------------------------------------------
// Tests.

// ---------------------------------------------------------------------
// The harness.

/// Makes private network namespaces possible for the test threads: as
/// root, checks that one can be created; otherwise enters a user
/// namespace that maps this user to root (possible only while the process
/// has a single thread).
fn prepare_namespaces() -> Result<&'static str, String> {
    use nix::sched::{unshare, CloneFlags};
    use nix::unistd::{getegid, geteuid};
    let root = geteuid().is_root();
    REAL_ROOT.store(root, std::sync::atomic::Ordering::Relaxed);
    if !root {
        let (uid, gid) = (geteuid(), getegid());
        unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNET)
            .map_err(|e| format!("cannot create a user namespace as uid {uid}: {e}"))?;
        let write = |file: &str, text: String| {
            std::fs::write(format!("/proc/self/{file}"), text).map_err(|e| format!("{file}: {e}"))
        };
        write("setgroups", "deny".into())?;
        write("uid_map", format!("0 {uid} 1"))?;
        write("gid_map", format!("0 {gid} 1"))?;
    }
    std::thread::spawn(support::enter_private_netns)
        .join()
        .map_err(|_| "namespace probe panicked".to_owned())?
        .map_err(|e| format!("cannot create a network namespace: {e}"))?;
    Ok(if root {
        "root"
    } else {
        "unprivileged, in a user namespace"
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match &args[..] {
        [flag, name] if flag == "--helper-unix-socket" => {
            families::helper_unix_socket(name);
            return ExitCode::SUCCESS;
        }
        [flag, port, mode] if flag == "--helper-listener" => {
            host::helper_listener(port, mode == "fresh");
            return ExitCode::SUCCESS;
        }
        [flag, expr] if flag == "--helper-filter" => {
            filters::helper_filter(expr);
            return ExitCode::SUCCESS;
        }
        [flag] if flag == "--helper-scan" => {
            reliability::helper_scan();
            return ExitCode::SUCCESS;
        }
        [flag, src, dst] if flag == "--helper-destroy" => {
            destroy::helper_destroy(src, dst);
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let tests = match registered() {
        Ok(t) => t,
        Err(why) => {
            eprintln!("live tests: FAILED: {why}");
            return ExitCode::FAILURE;
        }
    };
    if args.iter().any(|a| a == "--list") {
        for (name, _) in &tests {
            println!("{name}: test");
        }
        return ExitCode::SUCCESS;
    }
    let filters: Vec<&str> = args
        .iter()
        .filter(|a| !a.starts_with('-'))
        .map(String::as_str)
        .collect();
    let selected: Vec<&Test> = tests
        .iter()
        .filter(|(name, _)| filters.is_empty() || filters.iter().any(|f| name.contains(f)))
        .collect();

    let mode = match prepare_namespaces() {
        Ok(mode) => mode,
        Err(why) if require_live() => {
            eprintln!("live tests: FAILED: {why} (SOCKDIAG_REQUIRE_LIVE=1)");
            return ExitCode::FAILURE;
        }
        Err(why) => {
            println!("live tests: SKIPPED {} tests: {why}", selected.len());
            println!("(run as root or where unprivileged user namespaces are allowed;");
            println!(" SOCKDIAG_REQUIRE_LIVE=1 turns this skip into a failure)");
            return ExitCode::SUCCESS;
        }
    };
    println!(
        "\nrunning {} live tests ({mode}, one private network namespace each)",
        selected.len()
    );
    let mut failed = Vec::new();
    for (name, test) in &selected {
        let test = *test;
        let result = std::thread::Builder::new()
            .name((*name).to_owned())
            .spawn(move || {
                support::enter_private_netns().expect("private network namespace");
                test();
            })
            .expect("spawn test thread")
            .join();
        match result {
            Ok(()) => println!("test {name} ... ok"),
            Err(_) => {
                println!("test {name} ... FAILED");
                failed.push(*name);
            }
        }
    }
    println!(
        "\nlive test result: {}. {} passed; {} failed",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("failures: {failed:?}");
        ExitCode::FAILURE
    }
}
