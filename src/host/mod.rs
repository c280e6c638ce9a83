//! What uses the host beyond the netlink socket: network namespaces,
//! `/proc`, `/proc/sys` settings, the name databases of `/etc`.

pub mod names;
pub mod netns;
pub mod procs;
pub mod system;
