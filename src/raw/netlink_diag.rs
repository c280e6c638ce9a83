//! `<linux/netlink_diag.h>`: netlink socket requests and replies.

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `NDIAG_PROTO_ALL`: request sockets of every netlink protocol.
pub const NDIAG_PROTO_ALL: u8 = 255;

/// `NDIAG_SHOW_MEMINFO`.
pub const NDIAG_SHOW_MEMINFO: u32 = 0x01;
/// `NDIAG_SHOW_GROUPS`.
pub const NDIAG_SHOW_GROUPS: u32 = 0x02;
/// `NDIAG_SHOW_RING_CFG` (deprecated since Linux 4.6, when mmap rings were removed).
pub const NDIAG_SHOW_RING_CFG: u32 = 0x04;
/// `NDIAG_SHOW_FLAGS` (Linux 4.12).
pub const NDIAG_SHOW_FLAGS: u32 = 0x08;

/// `NETLINK_DIAG_MEMINFO`: `u32[SK_MEMINFO_VARS]`.
pub const NETLINK_DIAG_MEMINFO: u16 = 0;
/// `NETLINK_DIAG_GROUPS`: `u32` bitmap of subscribed groups.
pub const NETLINK_DIAG_GROUPS: u16 = 1;
/// `NETLINK_DIAG_RX_RING`: `struct netlink_diag_ring`.
pub const NETLINK_DIAG_RX_RING: u16 = 2;
/// `NETLINK_DIAG_TX_RING`: `struct netlink_diag_ring`.
pub const NETLINK_DIAG_TX_RING: u16 = 3;
/// `NETLINK_DIAG_FLAGS`: `u32` of `NDIAG_FLAG_*`.
pub const NETLINK_DIAG_FLAGS: u16 = 4;

/// `NDIAG_FLAG_CB_RUNNING`: a dump is in progress.
pub const NDIAG_FLAG_CB_RUNNING: u32 = 0x01;
/// `NDIAG_FLAG_PKTINFO`: `NETLINK_PKTINFO` is set.
pub const NDIAG_FLAG_PKTINFO: u32 = 0x02;
/// `NDIAG_FLAG_BROADCAST_ERROR`: `NETLINK_BROADCAST_ERROR` is set.
pub const NDIAG_FLAG_BROADCAST_ERROR: u32 = 0x04;
/// `NDIAG_FLAG_NO_ENOBUFS`: `NETLINK_NO_ENOBUFS` is set.
pub const NDIAG_FLAG_NO_ENOBUFS: u32 = 0x08;
/// `NDIAG_FLAG_LISTEN_ALL_NSID`: `NETLINK_LISTEN_ALL_NSID` is set.
pub const NDIAG_FLAG_LISTEN_ALL_NSID: u32 = 0x10;
/// `NDIAG_FLAG_CAP_ACK`: `NETLINK_CAP_ACK` is set.
pub const NDIAG_FLAG_CAP_ACK: u32 = 0x20;

/// `struct netlink_diag_req` (20 bytes).
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
pub struct netlink_diag_req {
    /// `AF_NETLINK`.
    pub sdiag_family: u8,
    /// Netlink protocol, or `NDIAG_PROTO_ALL`.
    pub sdiag_protocol: u8,
    /// Padding.
    pub pad: U16,
    /// Inode (unused by the kernel).
    pub ndiag_ino: U32,
    /// `NDIAG_SHOW_*` bits.
    pub ndiag_show: U32,
    /// Cookie (unused by the kernel).
    pub ndiag_cookie: [U32; 2],
}

/// `struct netlink_diag_msg` (28 bytes): the fixed part of a netlink reply.
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
pub struct netlink_diag_msg {
    /// `AF_NETLINK`.
    pub ndiag_family: u8,
    /// `SOCK_RAW` or `SOCK_DGRAM`.
    pub ndiag_type: u8,
    /// Netlink protocol (`NETLINK_ROUTE`, ...).
    pub ndiag_protocol: u8,
    /// `NETLINK_UNCONNECTED` (0) or `NETLINK_CONNECTED` (1).
    pub ndiag_state: u8,
    /// Port id of the socket.
    pub ndiag_portid: U32,
    /// Port id it is connected to.
    pub ndiag_dst_portid: U32,
    /// Group it is connected to.
    pub ndiag_dst_group: U32,
    /// Inode of the socket.
    pub ndiag_ino: U32,
    /// Cookie, low word first.
    pub ndiag_cookie: [U32; 2],
}

/// `struct netlink_diag_ring` (16 bytes): `NETLINK_DIAG_RX_RING`/`TX_RING`.
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
pub struct netlink_diag_ring {
    /// Block size, bytes.
    pub ndr_block_size: U32,
    /// Number of blocks.
    pub ndr_block_nr: U32,
    /// Frame size, bytes.
    pub ndr_frame_size: U32,
    /// Number of frames.
    pub ndr_frame_nr: U32,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<netlink_diag_req>() == 20);
    assert!(offset_of!(netlink_diag_req, ndiag_show) == 8);
    assert!(size_of::<netlink_diag_msg>() == 28);
    assert!(offset_of!(netlink_diag_msg, ndiag_portid) == 4);
    assert!(offset_of!(netlink_diag_msg, ndiag_ino) == 16);
    assert!(offset_of!(netlink_diag_msg, ndiag_cookie) == 20);
    assert!(size_of::<netlink_diag_ring>() == 16);
};
