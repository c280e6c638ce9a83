//! `sockdiag`: list, count, watch and kill this host's sockets through the
//! kernel's sock_diag netlink interface, with `ss`'s options.

#[cfg(test)]
mod alloc_tests;

/// A captured fixture of `tests/fixtures`, or `None` in an unpacked
/// package, which does not ship them (Cargo writes `.cargo_vcs_info.json`
/// there; a clone has none, so a fixture missing from a clone fails).
#[cfg(test)]
fn fixture(name: &str) -> Option<Vec<u8>> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    match std::fs::read(root.join("tests/fixtures").join(name)) {
        Ok(bytes) => Some(bytes),
        Err(_) if root.join(".cargo_vcs_info.json").exists() => {
            eprintln!("fixture {name} is not in the package: run this test from a clone");
            None
        }
        Err(e) => panic!("fixture {name}: {e}"),
    }
}
mod args;
mod events;
mod exporter;
mod list;
mod options;
mod out;
mod polling;
mod reference;
mod replay;
mod view;
mod watch;

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use sockdiag::{DiagSocket, Error, NetNs};

use args::{Format, Mode, Options, Parsed, Usage};
use out::{Context, Counts, JsonOut, Names, PromOut, Sink, SummaryOut, TableOut};

/// Why a run failed: the one line to print and the exit code.
pub enum Failure {
    /// A bad command line (exit 2).
    Usage(String),
    /// Something failed while running (exit 1).
    Run(String),
    /// The reader went away (`sockdiag | head`): not an error.
    Closed,
    /// A library error, before it is put in context ([`failure`]).
    Lib(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::Lib(e)
    }
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            Failure::Closed
        } else {
            Failure::Run(format!("writing output: {e}"))
        }
    }
}

/// A library error while doing `what`, as one line.
pub fn failure(e: Error, what: &str) -> Failure {
    match e {
        Error::Io(e) if e.kind() == io::ErrorKind::BrokenPipe => Failure::Closed,
        Error::Unavailable { family, protocol } => Failure::Run(format!(
            "{what}: not available on this kernel (sock_diag answered ENOENT for family {family} protocol {protocol}: its diag module is not built or not loaded)"
        )),
        Error::Namespace { ns, error } => {
            Failure::Run(format!("cannot enter network namespace {ns}: {error}"))
        }
        Error::Kernel(k) if k.errno() == nix::errno::Errno::EPERM as i32 => Failure::Run(format!(
            "{what}: permission denied (EPERM): this needs CAP_NET_ADMIN"
        )),
        Error::Kernel(k) if k.errno() == nix::errno::Errno::EOPNOTSUPP as i32 => {
            Failure::Run(format!(
                "{what}: not supported by this kernel (EOPNOTSUPP: built without CONFIG_INET_DIAG_DESTROY?)"
            ))
        }
        e => Failure::Run(format!("{what}: {e}")),
    }
}

/// `-N`'s namespace: a name, or a namespace file's path.
fn netns(ns: &str) -> NetNs<'_> {
    if ns.contains('/') {
        NetNs::Path(std::path::Path::new(ns))
    } else {
        NetNs::Named(ns)
    }
}

/// Runs `f` in `-N`'s namespace if given, here otherwise.
pub fn in_netns<T: Send>(
    o: &Options,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, Error> {
    match &o.netns {
        None => f(),
        Some(ns) => netns(ns).run(f),
    }
}

/// Opens the netlink socket, in `-N`'s namespace if given.
fn open(o: &Options) -> Result<DiagSocket, Failure> {
    let r = match &o.netns {
        None => DiagSocket::new(),
        Some(ns) => DiagSocket::in_netns(netns(ns)),
    };
    r.map_err(|e| failure(e, "opening a sock_diag socket"))
}

/// Looks up the names of the filter (interfaces, cgroups, services,
/// hosts), in `-N`'s namespace if given (parsing left them as names);
/// services for the listed protocols and addresses of the listed
/// families, as `ss` reads them.
fn resolve_filter(o: &mut Options) -> Result<(), Failure> {
    let Some((f, text)) = &o.filter else {
        return Ok(());
    };
    if f.names().is_empty() {
        return Ok(());
    }
    let tcp = o.tables.iter().any(|t| matches!(t, args::Table::Inet(p) if *p != sockdiag::inet::Protocol::Udp && *p != sockdiag::inet::Protocol::UdpLite && *p != sockdiag::inet::Protocol::Raw));
    let udp = o.tables.iter().any(|t| {
        matches!(
            t,
            args::Table::Inet(sockdiag::inet::Protocol::Udp | sockdiag::inet::Protocol::UdpLite)
        )
    });
    let lookup = sockdiag::NameLookup::new()
        .services(tcp, udp)
        .families(o.v4, o.v6);
    let resolved = in_netns(o, || lookup.resolve(f).map_err(Error::from)).map_err(|e| match e {
        Error::Filter(e) => Failure::Usage(format!("{e} in '{text}'")),
        e => failure(e, "looking up the filter's names"),
    })?;
    o.filter = Some((resolved, text.clone()));
    Ok(())
}

/// The output for the chosen format.
/// The processes for `-p`.
fn procs(o: &Options) -> Result<Option<sockdiag::procs::ProcessMap>, Failure> {
    if !o.show.procs && !o.show.threads {
        return Ok(None);
    }
    let scan = if o.show.threads {
        sockdiag::procs::ProcessMap::scan_threads()
    } else {
        sockdiag::procs::ProcessMap::scan()
    };
    scan.map(Some)
        .map_err(|e| Failure::Run(format!("reading /proc for -p: {e}")))
}

/// The output for the chosen format, writing to `out`.
fn sink_to<W: Write + Send + 'static>(
    o: &Options,
    out: W,
    procs: Option<sockdiag::procs::ProcessMap>,
    header: bool,
) -> Box<dyn Sink + Send> {
    let cx = Context::new(o.show, procs, Names::new(list::ephemeral(o)));
    match (o.mode, o.format) {
        (Mode::Summary, Format::Prom) | (_, Format::Prom) => Box::new(PromOut {
            out,
            counts: Counts::default(),
            info: (o.show.info && o.mode != Mode::Summary).then(|| (Vec::new(), Vec::new())),
        }),
        (Mode::Summary, f) => Box::new(SummaryOut {
            out,
            counts: Counts::default(),
            json: f == Format::Json,
        }),
        (_, Format::Json) => Box::new(JsonOut { out, cx }),
        (_, Format::Table) => Box::new(TableOut::new(
            out,
            cx,
            o.netid_column(),
            o.state_column(),
            header,
            o.ss_layout,
        )),
    }
}

/// The output for the chosen format, on standard output.
fn sink(o: &Options) -> Result<Box<dyn Sink + Send>, Failure> {
    let out = BufWriter::with_capacity(64 * 1024, io::stdout());
    Ok(sink_to(o, out, procs(o)?, o.header))
}

fn run(mut o: Options) -> Result<(), Failure> {
    if let Some(by) = &o.selinux {
        let enabled = std::path::Path::new("/sys/fs/selinux/enforce").exists();
        return Err(Failure::Run(if enabled {
            format!("{by}: SELinux contexts are not supported")
        } else {
            format!("{by}: SELinux is not enabled")
        }));
    }
    resolve_filter(&mut o)?;
    let o = &o;
    if o.kernel_summary {
        return out::summary::kernel(o);
    }
    if o.diag.is_some() {
        return list::diag(o);
    }
    if o.mode == Mode::Watch {
        return watch::run(o);
    }
    if o.mode == Mode::Exporter {
        return exporter::run(o);
    }
    if list::splittable(o) {
        return list::list_split(o);
    }
    let mut sink = sink(o)?;
    match o.mode {
        _ if o.replay.is_some() => replay::replay(o, sink.as_mut()),
        Mode::Events => {
            let r = events::events(o, sink.as_mut());
            sink.finish(std::time::Duration::ZERO)?;
            r
        }
        _ => list::list(o, sink.as_mut()),
    }
}

fn main() -> ExitCode {
    let result = match args::parse(std::env::args().skip(1)) {
        Ok(Parsed::Print(text)) => {
            let _ = io::stdout().write_all(text.as_bytes());
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(o)) => run(*o),
        Err(Usage(m)) => Err(Failure::Usage(m)),
    };
    match result {
        Ok(()) | Err(Failure::Closed) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("sockdiag: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Run(m)) => {
            eprintln!("sockdiag: {m}");
            ExitCode::FAILURE
        }
        Err(Failure::Lib(e)) => {
            eprintln!("sockdiag: {e}");
            ExitCode::FAILURE
        }
    }
}
