//! `<linux/sock_diag.h>`: message types and the family-independent request
//! prefix.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `SOCK_DIAG_BY_FAMILY`: request and reply message type of every
/// family's sock_diag dump and lookup.
pub const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `SOCK_DESTROY`: request type that closes one socket (Linux 4.5).
pub const SOCK_DESTROY: u16 = 21;

/// `SK_MEMINFO_RMEM_ALLOC`: index in the `SK_MEMINFO_*` arrays
/// (`INET_DIAG_SKMEMINFO`, `UNIX_DIAG_MEMINFO`, ...).
pub const SK_MEMINFO_RMEM_ALLOC: usize = 0;
/// `SK_MEMINFO_RCVBUF`.
pub const SK_MEMINFO_RCVBUF: usize = 1;
/// `SK_MEMINFO_WMEM_ALLOC`.
pub const SK_MEMINFO_WMEM_ALLOC: usize = 2;
/// `SK_MEMINFO_SNDBUF`.
pub const SK_MEMINFO_SNDBUF: usize = 3;
/// `SK_MEMINFO_FWD_ALLOC`.
pub const SK_MEMINFO_FWD_ALLOC: usize = 4;
/// `SK_MEMINFO_WMEM_QUEUED`.
pub const SK_MEMINFO_WMEM_QUEUED: usize = 5;
/// `SK_MEMINFO_OPTMEM`.
pub const SK_MEMINFO_OPTMEM: usize = 6;
/// `SK_MEMINFO_BACKLOG` (Linux 3.6).
pub const SK_MEMINFO_BACKLOG: usize = 7;
/// `SK_MEMINFO_DROPS` (Linux 4.7).
pub const SK_MEMINFO_DROPS: usize = 8;

/// `struct sock_diag_req` (2 bytes): the first two bytes of every family's
/// request, which select the handler.
#[derive(
    FromBytes,
    IntoBytes,
    KnownLayout,
    Immutable,
    Unaligned,
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct sock_diag_req {
    /// Address family (`AF_INET`, `AF_UNIX`, ...).
    pub sdiag_family: u8,
    /// Protocol within the family (`IPPROTO_TCP`, ...).
    pub sdiag_protocol: u8,
}

const _: () = assert!(core::mem::size_of::<sock_diag_req>() == 2);
