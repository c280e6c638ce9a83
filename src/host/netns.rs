//! Network namespaces: a [`DiagSocket`] opened in another namespace lists
//! that namespace's sockets.

use core::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{DiagSocket, Error};

/// A network namespace to open a [`DiagSocket`] in.
#[derive(Clone, Copy, Debug)]
pub enum NetNs<'a> {
    /// A namespace made with `ip netns add NAME`: `/run/netns/NAME`.
    Named(&'a str),
    /// The namespace of process `pid`: `/proc/PID/ns/net`.
    Pid(u32),
    /// A namespace file (`/proc/PID/task/TID/ns/net`, a bind mount, ...).
    Path(&'a Path),
    /// An open namespace file descriptor.
    Fd(BorrowedFd<'a>),
}

impl fmt::Display for NetNs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetNs::Named(name) => write!(f, "/run/netns/{name}"),
            NetNs::Pid(pid) => write!(f, "/proc/{pid}/ns/net"),
            NetNs::Path(p) => write!(f, "{}", p.display()),
            NetNs::Fd(fd) => write!(f, "fd {}", fd.as_raw_fd()),
        }
    }
}

impl NetNs<'_> {
    /// Runs `f` on a short-lived thread inside the namespace and returns
    /// what it returns: the calling thread never moves, and the namespace
    /// file is closed again. Needs `CAP_SYS_ADMIN` over the namespace.
    /// What `f` opens there (a socket) stays in the namespace for its
    /// life; lookups it makes (interface names) are the namespace's. A
    /// namespace that cannot be entered is [`Error::Namespace`], naming
    /// it; a panic in `f` is resumed on the calling thread.
    pub fn run<T: Send>(self, f: impl FnOnce() -> Result<T, Error> + Send) -> Result<T, Error> {
        let owned = self.open()?;
        let fd = match (&owned, self) {
            (Some(file), _) => file.as_fd(),
            (None, NetNs::Fd(fd)) => fd,
            (None, _) => return Err(self.error(io::Error::other("no namespace file"))),
        };
        enter(fd, f).map_err(|e| match e {
            Entered::Setns(e) => self.error(e),
            Entered::Inner(e) => e,
        })
    }

    /// The namespace file, opened (`None` for [`NetNs::Fd`]).
    fn open(self) -> Result<Option<OwnedFd>, Error> {
        let path = match self {
            NetNs::Fd(_) => return Ok(None),
            NetNs::Named(name)
                if name.is_empty() || name.contains('/') || name == "." || name == ".." =>
            {
                return Err(self.error(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a namespace name",
                )));
            }
            NetNs::Named(name) => Path::new("/run/netns").join(name),
            NetNs::Pid(pid) => PathBuf::from(format!("/proc/{pid}/ns/net")),
            NetNs::Path(p) => p.to_path_buf(),
        };
        let file = std::fs::File::open(&path).map_err(|e| self.error(e))?;
        Ok(Some(OwnedFd::from(file)))
    }

    fn error(self, error: io::Error) -> Error {
        Error::Namespace {
            ns: self.to_string(),
            error,
        }
    }
}

/// A network namespace of this host, as [`NetNs::discover`] finds it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct FoundNetNs {
    /// Its inode: what tells namespaces apart (`ip netns identify`,
    /// `readlink /proc/PID/ns/net`).
    pub inode: u64,
    /// Its name under `/run/netns` (`ip netns add NAME`), if it has one.
    pub name: Option<String>,
    /// A file that opens it: `/run/netns/NAME`, else `/proc/PID/ns/net` of
    /// one of its processes.
    pub path: PathBuf,
}

impl FoundNetNs {
    /// The namespace, to open a socket in ([`DiagSocket::in_netns`]).
    pub fn netns(&self) -> NetNs<'_> {
        NetNs::Path(&self.path)
    }
}

impl NetNs<'_> {
    /// Every network namespace of this host that a file names: those
    /// mounted under `/run/netns` and those of a running process
    /// (`/proc/*/ns/net`), one per inode (with its name where it has
    /// one), sorted by inode. A namespace kept only by an open descriptor
    /// or a bind mount elsewhere is not found; a process that exits
    /// meanwhile, or whose namespace file cannot be read (another user's,
    /// without root), is passed over. Fails only if `/proc` cannot be
    /// read.
    pub fn discover() -> io::Result<Vec<FoundNetNs>> {
        use std::os::unix::fs::MetadataExt;
        let mut found: Vec<FoundNetNs> = Vec::new();
        if let Ok(dir) = std::fs::read_dir("/run/netns") {
            for entry in dir.flatten() {
                let path = entry.path();
                let (Ok(meta), Some(name)) = (
                    std::fs::metadata(&path),
                    entry.file_name().to_str().map(str::to_owned),
                ) else {
                    continue;
                };
                // An unmounted leftover is a plain empty file of /run.
                if meta.dev() == std::fs::metadata("/run/netns").map_or(0, |m| m.dev()) {
                    continue;
                }
                found.push(FoundNetNs {
                    inode: meta.ino(),
                    name: Some(name),
                    path,
                });
            }
        }
        found.sort_by_key(|f| f.inode);
        found.dedup_by_key(|f| f.inode);
        for entry in std::fs::read_dir("/proc")?.flatten() {
            let name = entry.file_name();
            let Some(pid) = name
                .to_str()
                .filter(|n| n.bytes().all(|b| b.is_ascii_digit()))
            else {
                continue;
            };
            let path = PathBuf::from(format!("/proc/{pid}/ns/net"));
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if let Err(at) = found.binary_search_by_key(&meta.ino(), |f| f.inode) {
                found.insert(
                    at,
                    FoundNetNs {
                        inode: meta.ino(),
                        name: None,
                        path,
                    },
                );
            }
        }
        Ok(found)
    }
}

/// Why [`enter`] failed.
enum Entered {
    /// `setns` itself.
    Setns(io::Error),
    /// What ran inside.
    Inner(Error),
}

/// Runs `f` on a short-lived thread that first enters the network
/// namespace `fd`; a panic in `f` is resumed here.
fn enter<T: Send>(
    fd: BorrowedFd<'_>,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, Entered> {
    std::thread::scope(|s| {
        let thread = s.spawn(|| {
            nix::sched::setns(fd, nix::sched::CloneFlags::CLONE_NEWNET)
                .map_err(|e| Entered::Setns(io::Error::from(e)))?;
            f().map_err(Entered::Inner)
        });
        thread
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

impl DiagSocket {
    /// Opens a socket inside network namespace `ns` (the socket keeps it
    /// for its life; dumps then list that namespace's sockets), on a
    /// short-lived thread ([`NetNs::run`]). Errors are
    /// [`Error::Namespace`], naming it.
    pub fn in_netns(ns: NetNs<'_>) -> Result<Self, Error> {
        let owned = match ns.open()? {
            Some(fd) => fd,
            None => match ns {
                NetNs::Fd(fd) => fd.try_clone_to_owned().map_err(|e| ns.error(e))?,
                _ => return Err(ns.error(io::Error::other("no namespace file"))),
            },
        };
        let mut sock = enter(owned.as_fd(), DiagSocket::new).map_err(|e| match e {
            Entered::Setns(e) => ns.error(e),
            Entered::Inner(e) => e,
        })?;
        sock.netns = Some(Arc::new(owned));
        Ok(sock)
    }

    /// Runs `f` in the network namespace this socket lists (on a
    /// short-lived thread if it is not the caller's): for lookups that
    /// must see the same namespace, such as interface names or its
    /// `/proc/sys/net` settings.
    pub fn run_in_netns<T: Send>(
        &self,
        f: impl FnOnce() -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        match &self.netns {
            None => f(),
            Some(fd) => enter(fd.as_fd(), f).map_err(|e| match e {
                Entered::Setns(error) => Error::Namespace {
                    ns: format!("of socket {}", self.port_id()),
                    error,
                },
                Entered::Inner(e) => e,
            }),
        }
    }

    /// Opens another socket in the same network namespace as this one,
    /// with the same buffer size: for the engine's second thread.
    pub fn sibling(&self) -> Result<DiagSocket, Error> {
        let size = self.buffer_size();
        let mut sock = self.run_in_netns(|| DiagSocket::with_buffer_size(size))?;
        sock.netns.clone_from(&self.netns);
        Ok(sock)
    }
}
