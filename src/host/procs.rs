//! Which processes hold which sockets: a map from socket inode to the
//! (pid, fd) pairs that have it open, and the processes' command names.
//!
//! Built by one walk of `/proc/*/fd`, apart from any dump (sockets and
//! processes come and go between the two; match them by inode). Each
//! descriptor costs one `fstatat(2)`, which follows the `/proc` link to the
//! socket's inode, and no allocation; the command name (`/proc/PID/comm`)
//! is read only for processes that hold sockets.
//!
//! Processes that exit during the walk are skipped, as are those whose
//! descriptors this process may not read (not root, another user): see
//! [`ProcessMap::skipped`].
//!
//! ```no_run
//! use sockdiag::procs::ProcessMap;
//!
//! let map = ProcessMap::scan()?;
//! for owner in map.owners(12345) {
//!     println!("pid {} fd {} {}", owner.pid, owner.fd, map.command(owner.pid).unwrap_or("?"));
//! }
//! # Ok::<(), std::io::Error>(())
//! ```

use std::ffi::CStr;
use std::io;
use std::os::fd::AsFd;
use std::path::Path;

use nix::dir::Dir;
use nix::fcntl::{AtFlags, OFlag};
use nix::sys::stat::{fstatat, Mode, SFlag};

/// A process holding a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Owner {
    /// Process id (in the pid namespace of the `/proc` that was walked).
    pub pid: u32,
    /// The thread whose descriptor table was read: `pid` itself, or with
    /// [`ProcessMap::scan_threads`] each other thread of the process too
    /// (threads usually share the table, so a socket is listed once per
    /// thread, as `ss -T` lists it).
    pub tid: u32,
    /// The descriptor number in that process.
    pub fd: u32,
}

/// Longest command name (`TASK_COMM_LEN` minus the NUL).
const COMM_MAX: usize = 15;

/// Socket inodes mapped to the processes holding them.
#[derive(Clone, Debug, Default)]
pub struct ProcessMap {
    /// Socket inodes, sorted; `owners[i]` holds `inodes[i]`.
    inodes: Vec<u32>,
    owners: Vec<Owner>,
    /// (pid, command name bytes, length), sorted by pid.
    commands: Vec<(u32, [u8; COMM_MAX], u8)>,
    skipped: usize,
}

/// The number a `/proc` directory entry names, if it is one.
fn number(name: &CStr) -> Option<u32> {
    let bytes = name.to_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    core::str::from_utf8(bytes).ok()?.parse().ok()
}

/// `PID/fd` as a NUL-free byte path, on the stack.
fn fd_dir_path(pid: u32, buf: &mut [u8; 16]) -> &[u8] {
    use std::io::Write;
    let mut cursor = io::Cursor::new(&mut buf[..]);
    let _ = write!(cursor, "{pid}/fd");
    let len = usize::try_from(cursor.position()).unwrap_or(0);
    buf.get(..len).unwrap_or_default()
}

/// `PID/task` as a NUL-free byte path, on the stack.
fn task_dir_path(pid: u32, buf: &mut [u8; 16]) -> &[u8] {
    use std::io::Write;
    let mut cursor = io::Cursor::new(&mut buf[..]);
    let _ = write!(cursor, "{pid}/task");
    let len = usize::try_from(cursor.position()).unwrap_or(0);
    buf.get(..len).unwrap_or_default()
}

impl ProcessMap {
    /// Walks `/proc`.
    pub fn scan() -> io::Result<Self> {
        Self::scan_proc(Path::new("/proc"), false)
    }

    /// Walks `/proc`, and the descriptor table of every thread of every
    /// process (`/proc/TID/fd` for each `/proc/PID/task/TID`), as `ss -T`.
    pub fn scan_threads() -> io::Result<Self> {
        Self::scan_proc(Path::new("/proc"), true)
    }

    /// Walks a `/proc` mounted at `proc_root` (another pid namespace's),
    /// with each thread's table if `threads`.
    pub fn scan_proc(proc_root: &Path, threads: bool) -> io::Result<Self> {
        let mut map = ProcessMap::default();
        let mut entries: Vec<(u32, Owner)> = Vec::new();
        let mut proc_dir = Dir::open(
            proc_root,
            OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )?;
        let proc_fd = proc_dir.as_fd().try_clone_to_owned()?;
        let mut path = [0u8; 16];
        let pids: Vec<u32> = proc_dir
            .iter()
            .filter_map(|e| e.ok().and_then(|e| number(e.file_name())))
            .collect();
        let mut tasks: Vec<(u32, u32)> = Vec::with_capacity(pids.len());
        for &pid in &pids {
            tasks.push((pid, pid));
            if threads {
                let mut buf = [0u8; 16];
                let task_dir = task_dir_path(pid, &mut buf);
                if let Ok(mut dir) = Dir::openat(
                    &proc_fd,
                    task_dir,
                    OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                    Mode::empty(),
                ) {
                    // In the kernel's order (the threads' creation order),
                    // which is the order `ss -T` finds them in; not by
                    // number, which wraps.
                    tasks.extend(
                        dir.iter()
                            .filter_map(|e| e.ok().and_then(|e| number(e.file_name())))
                            .filter(|&t| t != pid)
                            .map(|t| (pid, t)),
                    );
                }
            }
        }
        for (pid, tid) in tasks {
            let before = entries.len();
            let fd_path = fd_dir_path(tid, &mut path);
            let mut fds = match Dir::openat(
                &proc_fd,
                fd_path,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
                Mode::empty(),
            ) {
                Ok(d) => d,
                // Gone since the listing, or not ours to read.
                Err(_) => {
                    map.skipped += 1;
                    continue;
                }
            };
            let fds_fd = match fds.as_fd().try_clone_to_owned() {
                Ok(fd) => fd,
                Err(_) => {
                    map.skipped += 1;
                    continue;
                }
            };
            for entry in fds.iter() {
                let Ok(entry) = entry else { break };
                let Some(fd) = number(entry.file_name()) else {
                    continue;
                };
                // Follows the link to the socket's inode: no readlink, no allocation.
                let Ok(st) = fstatat(&fds_fd, entry.file_name(), AtFlags::empty()) else {
                    continue;
                };
                if SFlag::from_bits_truncate(st.st_mode & SFlag::S_IFMT.bits()) == SFlag::S_IFSOCK {
                    if let Ok(inode) = u32::try_from(st.st_ino) {
                        entries.push((inode, Owner { pid, tid, fd }));
                    }
                }
            }
            if entries.len() > before {
                map.read_command(proc_root, tid);
            }
        }
        // Stable: a socket's owners stay in the order the walk found them.
        entries.sort_by_key(|e| e.0);
        (map.inodes, map.owners) = entries.into_iter().unzip();
        map.commands.sort_unstable_by_key(|c| c.0);
        Ok(map)
    }

    fn read_command(&mut self, proc_root: &Path, pid: u32) {
        let Ok(bytes) = std::fs::read(proc_root.join(pid.to_string()).join("comm")) else {
            return;
        };
        let name = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
        let len = name.len().min(COMM_MAX);
        let mut buf = [0u8; COMM_MAX];
        if let (Some(dst), Some(src)) = (buf.get_mut(..len), name.get(..len)) {
            dst.copy_from_slice(src);
        }
        self.commands.push((pid, buf, len as u8));
    }

    /// The processes (and their descriptors) holding socket `inode`, in
    /// the order the walk found them: by pid, a process's own table before
    /// its threads' (in the order the threads were created), and by
    /// descriptor.
    pub fn owners(&self, inode: u32) -> &[Owner] {
        let start = self.inodes.partition_point(|&i| i < inode);
        let end = self.inodes.partition_point(|&i| i <= inode);
        self.owners.get(start..end).unwrap_or_default()
    }

    /// The command name (`/proc/PID/comm`) of a process (or, by its
    /// [`tid`](Owner::tid), a thread) that holds sockets.
    pub fn command(&self, pid: u32) -> Option<&str> {
        let i = self.commands.binary_search_by_key(&pid, |c| c.0).ok()?;
        let (_, buf, len) = self.commands.get(i)?;
        core::str::from_utf8(buf.get(..usize::from(*len))?).ok()
    }

    /// Number of socket descriptors found.
    pub fn len(&self) -> usize {
        self.inodes.len()
    }

    /// True if none were found.
    pub fn is_empty(&self) -> bool {
        self.inodes.is_empty()
    }

    /// Processes skipped because they exited during the walk or their
    /// descriptors could not be read.
    pub fn skipped(&self) -> usize {
        self.skipped
    }

    /// Every (inode, owner) pair, sorted by inode.
    pub fn iter(&self) -> impl Iterator<Item = (u32, Owner)> + '_ {
        self.inodes.iter().copied().zip(self.owners.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{symlink, MetadataExt};
    use std::os::unix::net::UnixListener;

    /// A process's own table comes before its threads' whatever their
    /// numbers: a thread numbered below its process (pids wrap) is still
    /// listed after it, as `ss -T` finds them.
    #[test]
    #[cfg_attr(miri, ignore = "walks a directory tree")]
    fn a_process_comes_before_its_threads_whatever_their_numbers() {
        let root = std::env::temp_dir().join(format!("sockdiag-procs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let dirs = ["100/task/100", "100/task/7", "100/fd", "7/fd"];
        for d in dirs {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let sock = root.join("sock");
        let _listener = UnixListener::bind(&sock).unwrap();
        symlink(&sock, root.join("100/fd/3")).unwrap();
        symlink(&sock, root.join("7/fd/5")).unwrap();
        std::fs::write(root.join("100/comm"), "leader\n").unwrap();
        std::fs::write(root.join("7/comm"), "worker\n").unwrap();
        let inode = u32::try_from(std::fs::metadata(&sock).unwrap().ino()).unwrap();

        let map = ProcessMap::scan_proc(&root, true).unwrap();
        let of_100: Vec<Owner> = map
            .owners(inode)
            .iter()
            .copied()
            .filter(|o| o.pid == 100)
            .collect();
        assert_eq!(
            of_100,
            [
                Owner {
                    pid: 100,
                    tid: 100,
                    fd: 3
                },
                Owner {
                    pid: 100,
                    tid: 7,
                    fd: 5
                }
            ]
        );
        assert_eq!(map.command(7), Some("worker"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
