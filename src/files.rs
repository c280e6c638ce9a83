//! The text files besides netlink that describe a host's sockets and
//! names, parsed without touching the OS (the [`system`](crate::system)
//! module reads them): `/etc/services`, `/etc/protocols`, `/etc/hosts`,
//! the socket tables
//! of `/proc/net` (`tcp`, `udp`, `raw` and their IPv6 twins), the
//! counters of `/proc/net/sockstat`, `sockstat6` and `snmp`, and the
//! protocols of `/proc/net/protocols`.
//!
//! Each parser reads any text without panicking. The name databases skip
//! lines they cannot read, as the C library does; the `/proc` tables are
//! the kernel's own output, so a line that does not parse is a
//! [`FileError`] naming the line and the field.

mod hosts;
mod proc_net;
mod services;
mod sockstat;

#[cfg(test)]
mod tests;

use core::fmt;

pub use hosts::Hosts;
pub use proc_net::{proc_sockets, protocols, ProcSocket};
pub use services::{Protocols, Services};
pub use sockstat::SockStat;

/// A line of a `/proc` file that does not read as the kernel writes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    /// The line, counting from 1.
    pub line: usize,
    /// The field that does not parse.
    pub field: &'static str,
    /// The text of that field (empty if missing).
    pub text: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.text.is_empty() {
            write!(f, "line {}: no {}", self.line, self.field)
        } else {
            write!(f, "line {}: bad {} {:?}", self.line, self.field, self.text)
        }
    }
}

impl std::error::Error for FileError {}
