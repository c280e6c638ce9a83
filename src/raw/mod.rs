//! Raw `#[repr(C)]` overlays of the kernel's sock_diag structures, one file
//! per kernel header, with the C names kept so they can be grepped against
//! the headers.
//!
//! Every struct derives `zerocopy`'s `FromBytes`, `IntoBytes`, `KnownLayout`,
//! `Immutable` and `Unaligned`: it can be laid over any byte slice (netlink
//! guarantees only 4-byte alignment). Integer fields are `zerocopy`
//! byte-order types; read them with `.get()`. Sizes and field offsets are
//! checked at compile time against the kernel's.
//!
//! This layer has no logic; the checked views in [`crate::netlink`] and
//! [`crate::inet`] are built on it and expose these structs through their
//! `raw()` escape hatches.

pub mod inet_diag;
pub mod mptcp;
pub mod netlink;
pub mod netlink_diag;
pub mod packet_diag;
pub mod sctp;
pub mod smc_diag;
pub mod sock_diag;
pub mod tcp;
pub mod tipc_diag;
pub mod tls;
pub mod unix_diag;
pub mod vsock_diag;
pub mod xdp_diag;

/// `AF_UNSPEC`.
pub const AF_UNSPEC: u8 = 0;
/// `AF_UNIX`.
pub const AF_UNIX: u8 = 1;
/// `AF_INET`.
pub const AF_INET: u8 = 2;
/// `AF_INET6`.
pub const AF_INET6: u8 = 10;
/// `AF_NETLINK`.
pub const AF_NETLINK: u8 = 16;
/// `AF_PACKET`.
pub const AF_PACKET: u8 = 17;
/// `AF_TIPC`.
pub const AF_TIPC: u8 = 30;
/// `AF_SMC`.
pub const AF_SMC: u8 = 43;
/// `AF_VSOCK`.
pub const AF_VSOCK: u8 = 40;
/// `AF_XDP`.
pub const AF_XDP: u8 = 44;

/// `SOCK_STREAM`.
pub const SOCK_STREAM: u8 = 1;
/// `SOCK_DGRAM`.
pub const SOCK_DGRAM: u8 = 2;
/// `SOCK_RAW`.
pub const SOCK_RAW: u8 = 3;
/// `SOCK_SEQPACKET`.
pub const SOCK_SEQPACKET: u8 = 5;

/// `ENOENT` (`<asm-generic/errno-base.h>`): sock_diag's "no handler" and
/// "no such socket".
pub const ENOENT: i32 = 2;
/// `EINVAL`: a request the kernel does not understand.
pub const EINVAL: i32 = 22;
