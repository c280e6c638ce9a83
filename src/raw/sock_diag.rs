//! `<linux/sock_diag.h>`: message types and the family-independent request
//! prefix.

use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `SOCK_DIAG_BY_FAMILY`: request and reply message type of every
/// family's sock_diag dump and lookup.
pub const SOCK_DIAG_BY_FAMILY: u16 = 20;
/// `SOCK_DESTROY`: request type that closes one socket (Linux 4.5).
pub const SOCK_DESTROY: u16 = 21;

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
