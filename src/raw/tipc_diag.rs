//! `<linux/tipc_sockets_diag.h>` and the socket attributes of
//! `<linux/tipc_netlink.h>`: TIPC socket requests and replies (`tipc_diag`,
//! Linux 4.20). A reply is attributes only, no fixed struct: one nested
//! `TIPC_NLA_SOCK`.

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `TIPC_NLA_SOCK`: the nest of a socket's attributes.
pub const TIPC_NLA_SOCK: u16 = 2;

/// `TIPC_NLA_SOCK_ADDR`: `u32`, the own node's address.
pub const TIPC_NLA_SOCK_ADDR: u16 = 1;
/// `TIPC_NLA_SOCK_REF`: `u32`, the socket's port id.
pub const TIPC_NLA_SOCK_REF: u16 = 2;
/// `TIPC_NLA_SOCK_CON`: nest, the connection.
pub const TIPC_NLA_SOCK_CON: u16 = 3;
/// `TIPC_NLA_SOCK_HAS_PUBL`: flag, the socket published a service.
pub const TIPC_NLA_SOCK_HAS_PUBL: u16 = 4;
/// `TIPC_NLA_SOCK_STAT`: nest, queues and drops.
pub const TIPC_NLA_SOCK_STAT: u16 = 5;
/// `TIPC_NLA_SOCK_TYPE`: `u32`, `SOCK_*`.
pub const TIPC_NLA_SOCK_TYPE: u16 = 6;
/// `TIPC_NLA_SOCK_INO`: `u32`.
pub const TIPC_NLA_SOCK_INO: u16 = 7;
/// `TIPC_NLA_SOCK_UID`: `u32`.
pub const TIPC_NLA_SOCK_UID: u16 = 8;
/// `TIPC_NLA_SOCK_TIPC_STATE`: `u32`, `sk_state` (TCP's numbers).
pub const TIPC_NLA_SOCK_TIPC_STATE: u16 = 9;
/// `TIPC_NLA_SOCK_COOKIE`: `u64`.
pub const TIPC_NLA_SOCK_COOKIE: u16 = 10;
/// `TIPC_NLA_SOCK_PAD`: alignment padding.
pub const TIPC_NLA_SOCK_PAD: u16 = 11;
/// `TIPC_NLA_SOCK_GROUP`: nest, the communication group.
pub const TIPC_NLA_SOCK_GROUP: u16 = 12;

/// `TIPC_NLA_CON_FLAG`: flag, connected to a service.
pub const TIPC_NLA_CON_FLAG: u16 = 1;
/// `TIPC_NLA_CON_NODE`: `u32`, the peer's node.
pub const TIPC_NLA_CON_NODE: u16 = 2;
/// `TIPC_NLA_CON_SOCK`: `u32`, the peer's port id.
pub const TIPC_NLA_CON_SOCK: u16 = 3;
/// `TIPC_NLA_CON_TYPE`: `u32`, the service type connected to.
pub const TIPC_NLA_CON_TYPE: u16 = 4;
/// `TIPC_NLA_CON_INST`: `u32`, its instance.
pub const TIPC_NLA_CON_INST: u16 = 5;

/// `TIPC_NLA_SOCK_STAT_RCVQ`: `u32` (the one attribute type 0 in use).
pub const TIPC_NLA_SOCK_STAT_RCVQ: u16 = 0;
/// `TIPC_NLA_SOCK_STAT_SENDQ`: `u32`.
pub const TIPC_NLA_SOCK_STAT_SENDQ: u16 = 1;
/// `TIPC_NLA_SOCK_STAT_LINK_CONG`: flag.
pub const TIPC_NLA_SOCK_STAT_LINK_CONG: u16 = 2;
/// `TIPC_NLA_SOCK_STAT_CONN_CONG`: flag.
pub const TIPC_NLA_SOCK_STAT_CONN_CONG: u16 = 3;
/// `TIPC_NLA_SOCK_STAT_DROP`: `u32`.
pub const TIPC_NLA_SOCK_STAT_DROP: u16 = 4;

/// `TIPC_NLA_SOCK_GROUP_ID`: `u32`.
pub const TIPC_NLA_SOCK_GROUP_ID: u16 = 1;

/// `struct tipc_sock_diag_req` (8 bytes).
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
pub struct tipc_sock_diag_req {
    /// `AF_TIPC`.
    pub sdiag_family: u8,
    /// Must be 0.
    pub sdiag_protocol: u8,
    /// Must be 0.
    pub pad: U16,
    /// States to dump, `1 << TCP_*`.
    pub tidiag_states: U32,
}

const _: () = assert!(core::mem::size_of::<tipc_sock_diag_req>() == 8);
