//! Network namespaces: a [`DiagSocket`] opened in another namespace lists
//! that namespace's sockets.

use core::fmt;
use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};
use std::path::{Path, PathBuf};

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
        let ns_error = |error: io::Error| Error::Namespace {
            ns: self.to_string(),
            error,
        };
        let owned;
        let fd = match self {
            NetNs::Fd(fd) => fd,
            NetNs::Named(name)
                if name.is_empty() || name.contains('/') || name == "." || name == ".." =>
            {
                return Err(ns_error(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a namespace name",
                )));
            }
            other => {
                let path = match other {
                    NetNs::Named(name) => Path::new("/run/netns").join(name),
                    NetNs::Pid(pid) => PathBuf::from(format!("/proc/{pid}/ns/net")),
                    NetNs::Path(p) => p.to_path_buf(),
                    NetNs::Fd(_) => PathBuf::new(),
                };
                owned = std::fs::File::open(&path).map_err(ns_error)?;
                owned.as_fd()
            }
        };
        std::thread::scope(|s| {
            let thread = s.spawn(|| {
                nix::sched::setns(fd, nix::sched::CloneFlags::CLONE_NEWNET)
                    .map_err(|e| ns_error(io::Error::from(e)))?;
                f()
            });
            thread
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
    }
}

impl DiagSocket {
    /// Opens a socket inside network namespace `ns` (the socket keeps it
    /// for its life; dumps then list that namespace's sockets), on a
    /// short-lived thread ([`NetNs::run`]). Errors are
    /// [`Error::Namespace`], naming it.
    pub fn in_netns(ns: NetNs<'_>) -> Result<Self, Error> {
        ns.run(DiagSocket::new)
    }
}
