//! List and inspect every socket of a Linux host through the kernel's
//! `NETLINK_SOCK_DIAG` interface, without copying and without allocating
//! per socket.
//!
//! # Example
//!
//! ```no_run
//! use sockdiag::inet::{Family, InetRequest, Protocol, TcpState};
//! use sockdiag::DiagSocket;
//!
//! let mut sock = DiagSocket::new()?;
//! for family in [Family::Inet, Family::Inet6] {
//!     let mut dump = sock.dump(&InetRequest::new(family, Protocol::Tcp))?;
//!     while let Some(batch) = dump.next_batch()? {
//!         for msg in batch {
//!             if msg.state() == TcpState::Listen {
//!                 println!("listening on {} (inode {})", msg.src(), msg.inode());
//!             }
//!         }
//!     }
//! }
//! # Ok::<(), sockdiag::Error>(())
//! ```
//!
//! # Layers
//!
//! Each layer depends only on those above it:
//!
//! - [`raw`]: `#[repr(C)]` overlays of the kernel structs (`zerocopy`), with
//!   the C names; no logic.
//! - [`netlink`]: framing. [`Messages`](netlink::Messages) iterates over
//!   the messages of a buffer, [`Attrs`](netlink::Attrs) over attributes;
//!   `NLMSG_ERROR` and `NLMSG_DONE` decode into errno and extended ack.
//! - [`inet`]: the [`InetRequest`](inet::InetRequest) builder, the
//!   borrowed [`InetMsg`](inet::InetMsg) view with typed accessors, and the
//!   owned [`Socket`](inet::Socket); [`inet::filter`] compiles typed or
//!   `ss`-syntax filters to the kernel's bytecode.
//! - [`DiagSocket`] (the only part that makes system calls): sends a
//!   request and streams the replies as [`Batch`]es of views over its one
//!   reusable receive buffer, or through a callback, or into an owned
//!   snapshot.
//! - [`compat`]: the function set of gopsutil's Go `netlink` package, in
//!   Rust naming.
//!
//! The parsing layers never touch the OS: they parse any byte slice, which
//! is how the fuzz targets, benchmarks and fixture tests use them.
//!
//! # Guarantees
//!
//! - No `unsafe` code; no function panics on any input. Malformed bytes are
//!   a [`ParseError`] naming the [`Layer`] and byte offset.
//! - Nothing is lost silently: a truncated datagram, an errno in
//!   `NLMSG_DONE` (such as `ENOENT` for a protocol whose diag module is
//!   missing, [`Error::Unavailable`]), a reply with a foreign sequence
//!   number or port id are all errors.
//! - After the first dump on a socket, dumps allocate nothing.
//! - The kernel does not snapshot its socket tables: a socket created or
//!   closed during a dump may be missing or appear twice. The cookie
//!   identifies a socket for its whole life.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod compat;
mod error;
pub mod inet;
pub mod netlink;
pub mod netlink_diag;
pub mod packet;
pub mod poll;
pub mod procs;
pub mod raw;
pub mod replay;
mod request;
mod sock;
mod socket;
pub mod unix;

pub use error::{Error, ErrorOrigin, KernelError, Layer, ParseError, ParseErrorKind};
pub use request::RequestBytes;
pub use sock::{Shutdown, SkMemInfo, U32Array};
pub use socket::{
    Batch, BatchIter, DestroyEvent, DestroyEvents, DestroyGroups, DiagSocket, Dump, NetNs, Request,
    DEFAULT_BUFFER_SIZE,
};

#[cfg(test)]
mod family_tests;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
