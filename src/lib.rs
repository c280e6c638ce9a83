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
//! # Which entry point for which job
//!
//! | job | use |
//! |---|---|
//! | list every TCP socket (both families, one walk) | [`DiagSocket::try_for_each`] with [`LegacyRequest::tcp`](inet::LegacyRequest::tcp); `?` works in the callback and a `Break` stops the dump cleanly |
//! | one family and protocol, with states, ports or a filter | [`InetRequest`](inet::InetRequest) (`with_states`, `with_extensions`, [`with_bytecode`](inet::InetRequest::with_bytecode)) |
//! | stream a big dump, batch by batch, zero-copy | [`DiagSocket::dump`] and [`Dump::next_batch`] |
//! | an owned `Vec` of every socket | [`DiagSocket::snapshot`] (owned types: [`InetSocket`](inet::InetSocket), [`UnixSocket`](unix::UnixSocket), ...) |
//! | poll for changes (new, gone, state, counters) | [`poll::Poller`] |
//! | use two cores | [`poll::Scanner::halves`], or [`Poller::with_halves`](poll::Poller::with_halves) |
//! | look one socket up | [`DiagSocket::lookup`] with [`InetRequest::lookup`](inet::InetRequest::lookup) |
//! | read a capture (`--capture`, `ss -D`) | [`replay::Replay`] |
//! | port Go code written for gopsutil | [`compat`] |
//!
//! On a view, the typed shortcuts ([`InetMsg::tcp_info`](inet::InetMsg::tcp_info),
//! [`cong`](inet::InetMsg::cong), [`UnixMsg::name`](unix::UnixMsg::name),
//! ...) read one attribute: `Ok(None)` when the kernel did not send it, an
//! error when it is damaged. [`attributes`](inet::InetMsg::attributes)
//! walks them all.
//!
//! # Names
//!
//! The same name means the same thing in every family: `inode`, `cookie`,
//! `state`, `socket_type` ([`SocketType`]), `skmeminfo` ([`SkMemInfo`]),
//! `uid`. A view's fixed fields are methods; an owned type holds the same
//! fields and every attribute side by side. A field is an `Option`
//! exactly when the kernel may leave it out (an inet socket's uid is in
//! its fixed part; a unix socket's is an attribute). Conversions from the
//! kernel's numbers are `from_raw` (returning `Option` unless the type
//! keeps unknown values in an `Unknown` variant) and back `to_raw`; what
//! users print has `Display`.
//!
//! # Features
//!
//! - `cli` (default): the `sockdiag` command-line tool.
//! - `compat` (default): the [`compat`] module.
//! - `serde`: `serde::Serialize` for the owned socket types of every family
//!   and their parts, with the keys of the CLI's `--json`.
//!
//! The process map ([`procs`]) has no dependency of its own and stays in.
//!
//! # Layers
//!
//! Each layer uses only those above it; `tests/layers.rs` checks this on
//! the source, and that the parsing layers make no system call.
//!
//! - [`raw`]: `#[repr(C)]` overlays of the kernel structs (`zerocopy`), with
//!   the C names; no logic. Beside them the parse errors: [`ParseError`]
//!   names the [`Layer`] and byte offset, [`KernelError`] an errno.
//! - [`netlink`]: framing. [`Messages`](netlink::Messages) iterates over
//!   the messages of a buffer, [`Attrs`](netlink::Attrs) over attributes;
//!   `NLMSG_ERROR` and `NLMSG_DONE` decode into errno and extended ack.
//! - Requests: the [`Request`] trait that every request type implements
//!   (it encodes itself and parses its replies), and [`RawRequest`].
//! - Families, bytes in and views out: [`inet`] (the
//!   [`InetRequest`](inet::InetRequest) builder, the borrowed
//!   [`InetMsg`](inet::InetMsg) view, typed attributes, the growing
//!   `tcp_info`/`sctp_info`/`mptcp_info` views, the owned
//!   [`InetSocket`](inet::InetSocket), and [`inet::filter`], which compiles
//!   typed or `ss`-syntax filters to the kernel's bytecode), [`unix`],
//!   [`netlink_diag`], [`packet`], [`vsock`], [`xdp`], [`smc`], [`tipc`]; [`replay`] reads captured dumps; with
//!   the `serde` feature, `Serialize` for the owned types.
//! - [`Error`], everything a call can fail with.
//!
//! Everything above parses any byte slice and never touches the OS: that
//! is how the fuzz targets, benchmarks, Miri and the fixture tests use it.
//!
//! - Transport: [`DiagSocket`], the only code that sends and receives
//!   netlink messages; [`Dump`] and [`Batch`] stream the replies over its
//!   reusable buffer; [`DestroyEvents`] receives the destroy announcements.
//! - Host: [`NetNs`] (other network namespaces; [`NetNs::discover`]
//!   finds the host's), [`procs`] (which
//!   processes hold which sockets, from `/proc`), [`resolve_names`]
//!   (interface names and cgroup paths in filters).
//! - Engine: [`poll`]: [`Scanner`](poll::Scanner) runs a request inline,
//!   pipelined or in two halves on threads it keeps;
//!   [`Poller`](poll::Poller) reports what changed between runs, for
//!   every family, and with [`poll_listed`](poll::Poller::poll_listed)
//!   every socket listed, for aggregates.
//! - [`compat`]: the function set of gopsutil's Go `netlink` package, in
//!   Rust naming.
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
//! - A [`DiagSocket`] is `Send` and `Sync`; threads scanning with sockets
//!   of their own do not interfere (nor do several namespaces).
//! - Every blocking call can time out ([`DiagSocket::set_timeout`]).
//!
//! # Consistency: what a dump can and cannot promise
//!
//! The kernel does not snapshot its socket tables. It fills a dump one
//! datagram at a time, walking its hash tables and resuming each time where
//! it left off, by bucket and by position within the bucket. Hence:
//!
//! - A socket created or closed during the dump may be missing or listed.
//! - A socket may be listed twice (one inserted ahead of it in its bucket
//!   between two datagrams pushes it back under the resume point). The
//!   cookie ([`InetMsg::cookie`](inet::InetMsg::cookie)) identifies a
//!   socket for its whole life: de-duplicate with it, as
//!   [`poll::Tracker`] does ([`poll::Observed::Repeated`]).
//! - Rarely, a socket that lived through the whole dump is missed: when a
//!   socket ahead of it in the same hash bucket closes between two
//!   datagrams, the resumed walk starts one past it. This needs a datagram
//!   boundary inside that bucket; the live churn test saw it once in about
//!   four million (dump, socket) checks while 15,000 connections a second
//!   opened and closed around 500 sockets. A dump that fits in one
//!   datagram (up to about 32 KiB of replies, every dump but a fresh
//!   socket's first) is one consistent walk and misses nothing that lived
//!   throughout; a kernel-side [filter](inet::filter) that narrows the
//!   dump to what matters gets there.
//!
//! # What needs privileges
//!
//! Dumps and lookups need none: any user lists every socket of its network
//! namespace (`idiag_uid` is mapped into the requester's user namespace).
//! `CAP_NET_ADMIN` in the namespace's owning user namespace is needed for:
//!
//! - `INET_DIAG_MARK` ([`InetAttr::Mark`](inet::InetAttr::Mark)) and
//!   `INET_DIAG_MD5SIG` ([`InetAttr::Md5Sig`](inet::InetAttr::Md5Sig)):
//!   without it the kernel leaves them out, silently; everything else
//!   (tcp_info, congestion, memory, cgroup, ...) is sent;
//! - filters on the mark ([`Filter::mark`](inet::filter::Filter::mark)):
//!   the kernel answers `EPERM`;
//! - [`DiagSocket::destroy`] (`SOCK_DESTROY`): `EPERM`;
//! - the packet sockets' BPF filter (`PACKET_SHOW_FILTER`) and the MPTCP
//!   subflow sequence attributes: left out;
//! - entering another network namespace ([`DiagSocket::in_netns`]) needs
//!   `CAP_SYS_ADMIN` there.
//!
//! The live test `unprivileged_scans_lack_only_privileged_fields` checks
//! that a scan as `nobody` lists the same sockets as root's, with
//! `tcp_info`, and without marks or MD5 keys.

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(any(target_os = "linux", target_os = "android")))]
compile_error!(
    "sockdiag reads the Linux kernel's sock_diag netlink interface: it builds for Linux (and Android) targets only"
);

// Parsing: bytes in, views out; no system calls (checked by tests/layers.rs).
mod common;
mod error;
pub mod files;
pub mod inet;
pub mod netlink;
pub mod netlink_diag;
pub mod packet;
mod parse_error;
pub mod raw;
pub mod replay;
mod request;
pub mod smc;
pub mod tipc;
pub mod unix;
pub mod vsock;
pub mod xdp;

// Above the views: what talks to the kernel and the host.
mod host;
pub mod poll;
mod transport;

#[cfg(feature = "compat")]
#[cfg_attr(docsrs, doc(cfg(feature = "compat")))]
pub mod compat;
#[cfg(feature = "serde")]
mod serde_impl;

pub use common::{Shutdown, SkMemInfo, SocketType, U32Array};
pub use error::{Error, FileFailure, InvalidArgument};
pub use host::names::{resolve_names, NameLookup};
pub use host::netns::{FoundNetNs, NetNs};
pub use host::procs;
pub use host::system;
pub use parse_error::{ErrorOrigin, KernelError, Layer, ParseError, ParseErrorKind};
pub use request::{RawRequest, Request, RequestBytes};
pub use transport::{
    Batch, BatchIter, DestroyEvents, DestroyGroups, DiagSocket, Dump, DEFAULT_BUFFER_SIZE,
};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
