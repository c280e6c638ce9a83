//! The live suite on other kernels: Debian's kernel packages booted under
//! QEMU, the crate's live tests run inside as root, each result reported
//! here in `cargo test`'s format.
//!
//! For each kernel package (by name, through `apt-get download`; a
//! meta-package such as `linux-image-cloud-amd64` is followed to the image
//! it depends on), this unpacks the kernel, picks the modules the suite
//! needs (every sock_diag handler by the alias the kernel itself asks for,
//! and the protocols and devices the tests use, with their dependencies as
//! `modprobe --show-depends` finds them; `.ko.xz` decompressed), builds an
//! initramfs of busybox, those modules, `ss` and `ip` with their libraries,
//! and the test binaries at their own paths (`cargo test --no-run --test
//! live`), boots it (`qemu-system-x86_64 -accel tcg`, `panic=-1` so that a
//! kernel panic ends the run) and reads the serial console. A kernel panic,
//! a run that does not end within `--timeout`, or a failed test fails the
//! run (exit 1).
//!
//! Inside, the suite runs with `SOCKDIAG_REQUIRE_LIVE=1` and
//! `SOCKDIAG_KERNEL_MODULES` naming the diag handlers that loaded, so a
//! test of a family the kernel has must find it (a missing module is a
//! failure there, not a skip).
//!
//! Run as root (apt, QEMU): `cargo run --release -p sockdiag-tools --bin
//! kernel_matrix` (both default kernels, the whole live suite, about five
//! minutes per kernel on two cores); options: `--kernel PKG` (repeatable),
//! `--test NAME` (repeatable; substrings, as the live harness takes them),
//! `--timeout SECS` (per kernel, default 900), `--accel tcg|kvm`,
//! `--work DIR` (downloads and images, default `target/kernel-matrix`).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The kernels of the matrix: Debian 12's own and its backports' newest.
const KERNELS: &[&str] = &["linux-image-cloud-amd64", "linux-image-6.12-cloud-amd64"];

/// Modules loaded at boot: a label (what `SOCKDIAG_KERNEL_MODULES` calls
/// it) and the name or alias `modprobe` resolves. The diag handlers are
/// found by the alias `sock_diag` requests (`net-pf-16-proto-4-type-F[-P]`),
/// so a handler built under another name (6.1's TIPC `diag.ko`) is found.
const MODULES: &[(&str, &str)] = &[
    ("tcp_diag", "net-pf-16-proto-4-type-2-6"),
    ("udp_diag", "net-pf-16-proto-4-type-2-17"),
    ("raw_diag", "net-pf-16-proto-4-type-2-255"),
    ("sctp_diag", "net-pf-16-proto-4-type-2-132"),
    ("dccp_diag", "net-pf-16-proto-4-type-2-33"),
    ("mptcp_diag", "net-pf-16-proto-4-type-2-262"),
    ("unix_diag", "net-pf-16-proto-4-type-1"),
    ("packet_diag", "net-pf-16-proto-4-type-17"),
    ("netlink_diag", "net-pf-16-proto-4-type-16"),
    ("vsock_diag", "net-pf-16-proto-4-type-40"),
    ("smc_diag", "net-pf-16-proto-4-type-43"),
    ("tipc_diag", "net-pf-16-proto-4-type-30"),
    ("xsk_diag", "net-pf-16-proto-4-type-44"),
    ("sctp", "sctp"),
    ("dccp_ipv4", "dccp_ipv4"),
    ("dccp_ipv6", "dccp_ipv6"),
    ("vsock_loopback", "vsock_loopback"),
    ("tipc", "tipc"),
    ("smc", "smc"),
    ("tls", "tls"),
    ("tcp_bbr", "tcp_bbr"),
    ("veth", "veth"),
];

/// Files every test run reads.
const ETC: &[&str] = &[
    "/etc/passwd",
    "/etc/group",
    "/etc/services",
    "/etc/protocols",
    "/etc/hosts",
];

type Fallible<T> = Result<T, String>;

struct Options {
    kernels: Vec<String>,
    tests: Vec<String>,
    timeout: Duration,
    accel: String,
    work: PathBuf,
}

fn usage() -> String {
    "usage: kernel_matrix [--kernel PKG]... [--test NAME]... \
     [--timeout SECS] [--accel tcg|kvm] [--work DIR]"
        .to_owned()
}

fn options() -> Fallible<Options> {
    let root = manifest_root();
    let mut o = Options {
        kernels: Vec::new(),
        tests: Vec::new(),
        timeout: Duration::from_secs(900),
        accel: "tcg".to_owned(),
        work: root.join("target/kernel-matrix"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || {
            args.next()
                .ok_or_else(|| format!("{a} needs a value; {}", usage()))
        };
        match a.as_str() {
            "--kernel" => o.kernels.push(value()?),
            "--test" => o.tests.push(value()?),
            "--timeout" => {
                let v = value()?;
                let secs: u64 = v
                    .parse()
                    .map_err(|_| format!("--timeout {v}: not seconds"))?;
                o.timeout = Duration::from_secs(secs);
            }
            "--accel" => {
                o.accel = value()?;
                if o.accel != "tcg" && o.accel != "kvm" {
                    return Err(format!("--accel {}: tcg or kvm", o.accel));
                }
            }
            "--work" => o.work = PathBuf::from(value()?),
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other}; {}", usage())),
        }
    }
    if o.kernels.is_empty() {
        o.kernels = KERNELS.iter().map(|k| (*k).to_owned()).collect();
    }
    Ok(o)
}

fn manifest_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

/// Runs a command, its standard output as text; a failure names it.
fn run(cmd: &mut Command) -> Fallible<String> {
    let out = cmd
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?}: {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

// ---------------------------------------------------------------------
// The kernel.

struct Kernel {
    /// The image package, e.g. `linux-image-6.1.0-57-cloud-amd64`.
    package: String,
    /// `uname -r` inside.
    release: String,
    vmlinuz: PathBuf,
    /// The unpacked package (its `lib/modules/RELEASE`).
    root: PathBuf,
}

/// The image package a name stands for: itself when it holds a kernel,
/// else (a meta-package) the `linux-image-*` package it depends on.
fn resolve(package: &str) -> Fallible<String> {
    let mut name = package.to_owned();
    for _ in 0..4 {
        let files = run(Command::new("apt-cache").args(["show", "--no-all-versions", &name]))?;
        if !files
            .lines()
            .any(|l| l.starts_with("Depends:") || l.starts_with("Package:"))
        {
            return Err(format!("apt-cache show {name}: no such package"));
        }
        let depends = run(Command::new("apt-cache").args(["depends", &name]))?;
        let image = depends.lines().find_map(|l| {
            let dep = l.trim().strip_prefix("Depends: ")?;
            (dep.starts_with("linux-image-") && !dep.ends_with("-dbg")).then(|| dep.to_owned())
        });
        match image {
            Some(next) => name = next,
            None => return Ok(name),
        }
    }
    Err(format!(
        "{package}: no kernel image after four meta-packages"
    ))
}

fn fetch(package: &str, work: &Path) -> Fallible<Kernel> {
    let image = resolve(package)?;
    let debs = work.join("debs");
    std::fs::create_dir_all(&debs).map_err(|e| format!("{}: {e}", debs.display()))?;
    let find = || -> Option<PathBuf> {
        std::fs::read_dir(&debs)
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(&format!("{image}_")) && n.ends_with(".deb"))
            })
    };
    let deb = match find() {
        Some(deb) => deb,
        None => {
            eprintln!("kernel matrix: apt-get download {image}");
            run(Command::new("apt-get")
                .arg("download")
                .arg(&image)
                .current_dir(&debs))?;
            find()
                .ok_or_else(|| format!("apt-get download {image}: no .deb in {}", debs.display()))?
        }
    };
    let root = work.join("kernels").join(&image);
    if !root.join("boot").is_dir() {
        std::fs::create_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
        run(Command::new("dpkg-deb").arg("-x").arg(&deb).arg(&root))?;
    }
    let boot = std::fs::read_dir(root.join("boot")).map_err(|e| format!("{image}: {e}"))?;
    let vmlinuz = boot
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("vmlinuz-"))
        })
        .ok_or_else(|| format!("{image}: no boot/vmlinuz-*"))?;
    let release = vmlinuz
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.strip_prefix("vmlinuz-"))
        .unwrap_or_default()
        .to_owned();
    if !root
        .join("lib/modules")
        .join(&release)
        .join("modules.dep")
        .is_file()
    {
        run(Command::new("depmod").arg("-b").arg(&root).arg(&release))?;
    }
    Ok(Kernel {
        package: image,
        release,
        vmlinuz,
        root,
    })
}

/// The modules to load, in order (dependencies first), as paths inside
/// the package; and the labels of `MODULES` this kernel has.
fn modules(kernel: &Kernel) -> (Vec<String>, Vec<&'static str>) {
    let mut order: Vec<String> = Vec::new();
    let mut found = Vec::new();
    for (label, name) in MODULES {
        let Ok(out) = run(Command::new("modprobe").arg("-d").arg(&kernel.root).args([
            "-S",
            &kernel.release,
            "--show-depends",
            name,
        ])) else {
            continue;
        };
        let prefix = kernel.root.to_string_lossy().into_owned();
        let mut any = false;
        for line in out.lines() {
            // "builtin NAME" needs nothing loaded.
            if line.starts_with("builtin ") {
                any = true;
            }
            let Some(path) = line.trim().strip_prefix("insmod ") else {
                continue;
            };
            let path = path.trim().strip_prefix(&prefix).unwrap_or(path).to_owned();
            any = true;
            if !order.contains(&path) {
                order.push(path);
            }
        }
        if any {
            found.push(*label);
        }
    }
    (order, found)
}

// ---------------------------------------------------------------------
// The initramfs.

struct Tests {
    live: PathBuf,
    cli: PathBuf,
}

/// Builds the live suite and the CLI (`cargo test --no-run`), returns
/// their paths.
fn build_tests() -> Fallible<Tests> {
    let root = manifest_root();
    let out = run(
        Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args([
                "test",
                "--no-run",
                "--test",
                "live",
                "--message-format=json",
            ])
            .current_dir(&root)
            .stderr(Stdio::inherit()),
    )?;
    let mut live = None;
    let mut cli = None;
    for line in out.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(exe) = v.get("executable").and_then(|e| e.as_str()) else {
            continue;
        };
        let name = v.pointer("/target/name").and_then(|n| n.as_str());
        let kind = v.pointer("/target/kind/0").and_then(|n| n.as_str());
        match (name, kind) {
            (Some("live"), Some("test")) => live = Some(PathBuf::from(exe)),
            (Some("sockdiag"), Some("bin")) => cli = Some(PathBuf::from(exe)),
            _ => {}
        }
    }
    Ok(Tests {
        live: live.ok_or("cargo test --no-run: no live test binary")?,
        cli: cli.ok_or("cargo test --no-run: no sockdiag binary")?,
    })
}

/// Copies a host file to the same path under `root`.
fn place(root: &Path, file: &Path, strip: bool) -> Fallible<()> {
    let dest = root.join(file.strip_prefix("/").unwrap_or(file));
    if dest.exists() {
        return Ok(());
    }
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    if strip {
        run(Command::new("objcopy")
            .arg("--strip-debug")
            .arg(file)
            .arg(&dest))?;
    } else {
        std::fs::copy(file, &dest).map_err(|e| format!("{}: {e}", file.display()))?;
    }
    Ok(())
}

/// A host program and the shared libraries it loads (from `ldd`).
fn place_program(root: &Path, program: &Path, strip: bool) -> Fallible<()> {
    place(root, program, strip)?;
    let libs = run(Command::new("ldd").arg(program))?;
    for line in libs.lines() {
        let path = line
            .split_whitespace()
            .find(|w| w.starts_with('/'))
            .map(PathBuf::from);
        if let Some(lib) = path {
            let real =
                std::fs::canonicalize(&lib).map_err(|e| format!("{}: {e}", lib.display()))?;
            place(root, &real, false)?;
            if real != lib {
                let link = root.join(lib.strip_prefix("/").unwrap_or(&lib));
                if !link.exists() {
                    if let Some(dir) = link.parent() {
                        std::fs::create_dir_all(dir).map_err(|e| format!("{e}"))?;
                    }
                    std::os::unix::fs::symlink(&real, &link)
                        .map_err(|e| format!("{}: {e}", link.display()))?;
                }
            }
        }
    }
    Ok(())
}

fn which(program: &str) -> Fallible<PathBuf> {
    let path = run(Command::new("sh").args(["-c", &format!("command -v {program}")]))?;
    Ok(PathBuf::from(path.trim()))
}

/// Every file under `dir`, placed at its own path.
fn place_tree(root: &Path, dir: &Path) -> Fallible<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let path = entry.map_err(|e| format!("{e}"))?.path();
        if path.is_dir() {
            place_tree(root, &path)?;
        } else {
            place(root, &path, false)?;
        }
    }
    Ok(())
}

/// The init script: mounts, loads the modules, runs the tests, powers off.
fn init_script(
    kernel: &Kernel,
    order: &[String],
    found: &[&str],
    tests: &Tests,
    filters: &[String],
) -> String {
    // /tmp stays the initramfs's own (writable) directory: the checkout
    // may live under /tmp, and its files are placed at their own paths.
    let mut s = String::from(
        "#!/bin/busybox sh\n\
         /bin/busybox --install -s /bin\n\
         export PATH=/usr/bin:/usr/sbin:/bin:/sbin\n\
         mount -t proc proc /proc\n\
         mount -t sysfs sys /sys\n\
         mount -t devtmpfs dev /dev\n\
         mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null\n\
         mkdir -p /run/netns /tmp /var/run\n\
         ip link set lo up\n",
    );
    for path in order {
        let ko = path.strip_suffix(".xz").unwrap_or(path);
        s.push_str(&format!(
            "insmod {ko} || echo '@@matrix insmod {ko} failed'\n"
        ));
    }
    s.push_str(&format!(
        "export SOCKDIAG_REQUIRE_LIVE=1 SOCKDIAG_KERNEL_MODULES={} RUST_BACKTRACE=1\n\
         echo \"@@matrix begin $(uname -r) $(nproc) cpus\"\n\
         cd {}\n\
         {} {} 2>&1\n\
         echo \"@@matrix exit $?\"\n\
         poweroff -f\n",
        found.join(","),
        manifest_root().display(),
        tests.live.display(),
        filters.join(" "),
    ));
    let _ = kernel;
    s
}

fn initramfs(
    kernel: &Kernel,
    tests: &Tests,
    filters: &[String],
    work: &Path,
) -> Fallible<(PathBuf, Vec<&'static str>)> {
    let root = work.join("root").join(&kernel.package);
    if root.exists() {
        std::fs::remove_dir_all(&root).map_err(|e| format!("{}: {e}", root.display()))?;
    }
    for dir in [
        "bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys", "dev", "tmp", "run", "etc",
    ] {
        std::fs::create_dir_all(root.join(dir)).map_err(|e| format!("{dir}: {e}"))?;
    }
    std::fs::copy(which("busybox")?, root.join("bin/busybox"))
        .map_err(|e| format!("busybox: {e}"))?;
    for program in ["ss", "ip"] {
        place_program(&root, &which(program)?, false)?;
    }
    place_program(&root, &tests.live, true)?;
    place_program(&root, &tests.cli, true)?;
    let src = manifest_root();
    place_tree(&root, &src.join("tests/live"))?;
    place_tree(&root, &src.join("tests/fixtures"))?;
    for file in ETC {
        place(&root, Path::new(file), false)?;
    }
    let (order, found) = modules(kernel);
    for path in &order {
        let from = kernel.root.join(path.trim_start_matches('/'));
        let to = root.join(path.trim_start_matches('/').trim_end_matches(".xz"));
        if let Some(dir) = to.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{e}"))?;
        }
        if path.ends_with(".xz") {
            let ko = run(Command::new("sh").arg("-c").arg(format!(
                "xz -dc '{}' > '{}'",
                from.display(),
                to.display()
            )));
            ko?;
        } else {
            std::fs::copy(&from, &to).map_err(|e| format!("{}: {e}", from.display()))?;
        }
    }
    let init = root.join("init");
    std::fs::write(&init, init_script(kernel, &order, &found, tests, filters))
        .map_err(|e| format!("init: {e}"))?;
    run(Command::new("chmod").arg("755").arg(&init))?;
    let image = work.join(format!("{}.cpio.zst", kernel.package));
    run(Command::new("sh").arg("-c").arg(format!(
        "cd '{}' && find . | cpio -o -H newc --quiet | zstd -q -3 -T0 -f -o '{}'",
        root.display(),
        image.display()
    )))?;
    Ok((image, found))
}

// ---------------------------------------------------------------------
// The boot.

#[derive(Default)]
struct Outcome {
    passed: Vec<String>,
    failed: Vec<String>,
    /// Why the run itself failed (panic, timeout, no exit), if it did.
    problem: Option<String>,
    /// The guest's suite started (its `begin` marker was seen).
    began: bool,
    seconds: f64,
}

fn boot(kernel: &Kernel, image: &Path, o: &Options, tag: &str) -> Fallible<Outcome> {
    let mut qemu = Command::new("qemu-system-x86_64");
    qemu.args([
        "-accel",
        &o.accel,
        "-m",
        "2048",
        "-smp",
        "2",
        "-nographic",
        "-no-reboot",
    ])
    .arg("-kernel")
    .arg(&kernel.vmlinuz)
    .arg("-initrd")
    .arg(image)
    .args([
        "-append",
        "console=ttyS0 quiet loglevel=4 panic=-1 oops=panic",
    ])
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    // Every CPU feature the accelerator has (SSE4.2 for crc32c-intel, ...).
    qemu.args(["-cpu", if o.accel == "kvm" { "host" } else { "max" }]);
    let start = Instant::now();
    let mut child = qemu
        .spawn()
        .map_err(|e| format!("qemu-system-x86_64: {e}"))?;
    let stdout = child.stdout.take().ok_or("qemu: no stdout")?;
    let (tx, rx) = mpsc::channel::<String>();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).split(b'\n') {
            let Ok(line) = line else { break };
            if tx
                .send(String::from_utf8_lossy(&line).into_owned())
                .is_err()
            {
                break;
            }
        }
    });
    let mut outcome = Outcome::default();
    let mut exit = None;
    let mut began = false;
    let mut panic_seen = false;
    let deadline = start + o.timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(raw) => {
                let line = clean(&raw);
                if line.is_empty() {
                    continue;
                }
                if line.contains("Kernel panic") || line.contains("BUG:") || line.contains("Oops") {
                    panic_seen = true;
                }
                // The guest's lines may share a console line with the
                // kernel's messages: the marker is found anywhere in it.
                if let Some(rest) = line.find("@@matrix ").map(|at| &line[at + 9..]) {
                    if rest.starts_with("begin") {
                        began = true;
                    }
                    if let Some(code) = rest.strip_prefix("exit ") {
                        exit = code.trim().parse::<i32>().ok();
                    }
                    println!("[{tag}] {rest}");
                    continue;
                }
                if let Some(rest) = line.find("test ").map(|at| &line[at + 5..]) {
                    if let Some(name) = rest.strip_suffix(" ... ok") {
                        outcome.passed.push(name.to_owned());
                        println!("test [{tag}] {name} ... ok");
                        continue;
                    }
                    if let Some(name) = rest.strip_suffix(" ... FAILED") {
                        outcome.failed.push(name.to_owned());
                        println!("test [{tag}] {name} ... FAILED");
                        continue;
                    }
                }
                // Everything else (a failing test's message, the kernel's
                // warnings) as the guest wrote it.
                if began || panic_seen {
                    println!("[{tag}]   {line}");
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                outcome.problem = Some(format!(
                    "no end after {} s (a hang): killed",
                    o.timeout.as_secs()
                ));
                break;
            }
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        std::io::stdout().flush().ok();
    }
    let status = child.wait().map_err(|e| format!("qemu: {e}"))?;
    let _ = reader.join();
    outcome.began = began;
    outcome.seconds = start.elapsed().as_secs_f64();
    if outcome.problem.is_none() {
        outcome.problem = if panic_seen {
            Some("the kernel panicked or oopsed".to_owned())
        } else if !began {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                use std::io::Read;
                let _ = e.read_to_string(&mut err);
            }
            Some(format!(
                "the suite never started (qemu {status}) {}",
                err.trim()
            ))
        } else {
            match exit {
                None => Some("the guest stopped before the suite ended".to_owned()),
                Some(0) if outcome.passed.is_empty() => Some("no test ran".to_owned()),
                Some(0) => None,
                Some(_) if !outcome.failed.is_empty() => None,
                Some(code) => Some(format!("the suite exited {code} with no test failed")),
            }
        };
    }
    Ok(outcome)
}

/// A console line without terminal escapes and carriage returns.
fn clean(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => {
                // CSI: ESC [ params final; other escapes: one more char.
                if chars.peek() == Some(&'[') {
                    chars.next();
                    for n in chars.by_ref() {
                        if n.is_ascii_alphabetic() {
                            break;
                        }
                    }
                } else {
                    chars.next();
                }
            }
            '\r' => {}
            c if c.is_control() && c != '\t' => {}
            c => out.push(c),
        }
    }
    out.trim_end().to_owned()
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(why) => {
            eprintln!("kernel matrix: {why}");
            return ExitCode::from(2);
        }
    };
    match matrix(&o) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(why) => {
            eprintln!("kernel matrix: FAILED: {why}");
            ExitCode::FAILURE
        }
    }
}

fn matrix(o: &Options) -> Fallible<bool> {
    let start = Instant::now();
    let tests = build_tests()?;
    let mut kernels = Vec::new();
    for package in &o.kernels {
        kernels.push(fetch(package, &o.work)?);
    }
    let mut passed = 0;
    let mut failed = Vec::new();
    let mut summary = Vec::new();
    for kernel in &kernels {
        let tag = kernel
            .release
            .split('-')
            .next()
            .unwrap_or(&kernel.release)
            .to_owned();
        let tag = if kernel.release.contains("+deb") || tag.matches('.').count() > 1 {
            tag.split('+').next().unwrap_or(&tag).to_owned()
        } else {
            tag
        };
        let (image, found) = initramfs(kernel, &tests, &o.tests, &o.work)?;
        println!(
            "\nkernel {} ({}, {}): booting under QEMU ({}); diag handlers: {}",
            kernel.release,
            kernel.package,
            image.display(),
            o.accel,
            found
                .iter()
                .filter(|m| m.ends_with("_diag"))
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        );
        let mut outcome = boot(kernel, &image, o, &tag)?;
        // Under TCG a kernel has, rarely, oopsed while booting (6.12 in
        // run_timer_softirq at 1.1 s, once in some forty boots here)
        // before its suite began: such a boot is retried once (a module
        // that oopses as it loads fails both). A panic after the suite
        // began is never retried.
        if !outcome.began && outcome.problem.is_some() {
            println!(
                "kernel {}: {} before the suite began; booting once more",
                kernel.release,
                outcome.problem.as_deref().unwrap_or_default()
            );
            let first = outcome.seconds;
            outcome = boot(kernel, &image, o, &tag)?;
            outcome.seconds += first;
        }
        passed += outcome.passed.len();
        failed.extend(outcome.failed.iter().map(|n| format!("[{tag}] {n}")));
        if let Some(problem) = &outcome.problem {
            failed.push(format!("[{tag}] kernel {}: {problem}", kernel.release));
        }
        summary.push(format!(
            "kernel {}: {} passed; {} failed{} in {:.0} s",
            kernel.release,
            outcome.passed.len(),
            outcome.failed.len(),
            outcome
                .problem
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default(),
            outcome.seconds
        ));
    }
    println!();
    for line in &summary {
        println!("{line}");
    }
    if !failed.is_empty() {
        println!("\nfailures:");
        for f in &failed {
            println!("    {f}");
        }
    }
    println!(
        "\ntest result: {}. {passed} passed; {} failed; 0 ignored; 0 measured; 0 filtered out; finished in {:.2}s",
        if failed.is_empty() { "ok" } else { "FAILED" },
        failed.len(),
        start.elapsed().as_secs_f64()
    );
    Ok(failed.is_empty())
}
