//! What uses the host beyond the netlink socket: network namespaces,
//! `/proc`, `/proc/sys` settings.

pub mod names;
pub mod netns;
pub mod ports;
pub mod procs;
