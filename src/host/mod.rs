//! What uses the host beyond the netlink socket: network namespaces,
//! `/proc`, scans on threads.

pub mod names;
pub mod netns;
pub mod procs;
pub mod split;
