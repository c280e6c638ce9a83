//! Names in filters that only the host can look up: interface names (in
//! the calling thread's network namespace) and cgroup paths (in its mount
//! namespace). Parsing a filter leaves them as [`Name`]s; this is the
//! explicit step that turns them into the numbers the kernel matches.

use crate::inet::filter::{Filter, FilterError, Name};

/// `filter` with every interface name looked up (`if_nametoindex`) and
/// every cgroup path turned into its cgroup v2 id (the inode number of the
/// directory: the path itself when it is on a cgroup2 filesystem, as `ss`
/// reads it, otherwise relative to the cgroup2 mount, as `/proc/PID/cgroup`
/// and `ss -e` print it). A name that does not exist is
/// [`FilterError::Lookup`], naming it and its place in the text.
///
/// ```no_run
/// use sockdiag::inet::filter::Filter;
///
/// let f: Filter = "dev lo and sport = :22".parse()?;
/// assert_eq!(f.names().len(), 1);
/// let f = sockdiag::resolve_names(&f)?;
/// let program = f.compile()?;
/// # Ok::<(), sockdiag::inet::filter::FilterError>(())
/// ```
pub fn resolve_names(filter: &Filter) -> Result<Filter, FilterError> {
    filter.resolve(device, cgroup_id)
}

/// The lookup error of `name`.
fn lookup_error(name: &Name, errno: nix::errno::Errno) -> FilterError {
    FilterError::Lookup {
        offset: name.offset().unwrap_or(0),
        token: name.text().to_owned(),
        errno: errno as i32,
    }
}

/// The index of the interface `name` in this thread's network namespace.
fn device(name: &Name) -> Result<u32, FilterError> {
    nix::net::if_::if_nametoindex(name.text()).map_err(|e| lookup_error(name, e))
}

/// The id of a cgroup v2 (the inode number of its directory): `path` as a
/// filesystem path if it is a directory of a cgroup2 filesystem (what `ss`
/// reads), otherwise relative to the cgroup2 mount (the form `ss -e` and
/// `/proc/PID/cgroup` print, such as `/system.slice/x.service`).
fn cgroup_id(name: &Name) -> Result<u64, FilterError> {
    let text = name.text();
    let lookup = |errno: nix::errno::Errno| lookup_error(name, errno);
    let on_cgroup2 = nix::sys::statfs::statfs(text)
        .is_ok_and(|fs| fs.filesystem_type() == nix::sys::statfs::CGROUP2_SUPER_MAGIC);
    let path = if on_cgroup2 {
        text.to_owned()
    } else {
        let mount = cgroup2_mount().ok_or_else(|| lookup(nix::errno::Errno::ENOENT))?;
        format!(
            "{}/{}",
            mount.trim_end_matches('/'),
            text.trim_start_matches('/')
        )
    };
    let st = nix::sys::stat::stat(path.as_str()).map_err(lookup)?;
    Ok(st.st_ino)
}

/// Where cgroup v2 is mounted, from `/proc/self/mountinfo`.
fn cgroup2_mount() -> Option<String> {
    let info = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    info.lines().find_map(|line| {
        let (left, right) = line.split_once(" - ")?;
        if right.split_whitespace().next()? != "cgroup2" {
            return None;
        }
        Some(unescape(left.split_whitespace().nth(4)?))
    })
}

/// Undoes mountinfo's `\ooo` escapes of spaces and the like.
fn unescape(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let code = b
            .get(i + 1..i + 4)
            .filter(|d| c == b'\\' && d.iter().all(|x| (b'0'..=b'7').contains(x)))
            .and_then(|d| u8::from_str_radix(core::str::from_utf8(d).ok()?, 8).ok());
        match code {
            Some(byte) => {
                out.push(byte);
                i += 4;
            }
            None => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
