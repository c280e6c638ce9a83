//! `<linux/packet_diag.h>` and `<linux/filter.h>`: packet socket requests
//! and replies.

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `PACKET_SHOW_INFO`.
pub const PACKET_SHOW_INFO: u32 = 0x01;
/// `PACKET_SHOW_MCLIST`.
pub const PACKET_SHOW_MCLIST: u32 = 0x02;
/// `PACKET_SHOW_RING_CFG`.
pub const PACKET_SHOW_RING_CFG: u32 = 0x04;
/// `PACKET_SHOW_FANOUT`.
pub const PACKET_SHOW_FANOUT: u32 = 0x08;
/// `PACKET_SHOW_MEMINFO` (Linux 3.11).
pub const PACKET_SHOW_MEMINFO: u32 = 0x10;
/// `PACKET_SHOW_FILTER` (Linux 3.11).
pub const PACKET_SHOW_FILTER: u32 = 0x20;

/// `PACKET_DIAG_INFO`: `struct packet_diag_info`.
pub const PACKET_DIAG_INFO: u16 = 0;
/// `PACKET_DIAG_MCLIST`: `struct packet_diag_mclist[]`.
pub const PACKET_DIAG_MCLIST: u16 = 1;
/// `PACKET_DIAG_RX_RING`: `struct packet_diag_ring`.
pub const PACKET_DIAG_RX_RING: u16 = 2;
/// `PACKET_DIAG_TX_RING`: `struct packet_diag_ring`.
pub const PACKET_DIAG_TX_RING: u16 = 3;
/// `PACKET_DIAG_FANOUT`: `u32` fanout id and type.
pub const PACKET_DIAG_FANOUT: u16 = 4;
/// `PACKET_DIAG_UID`: `u32` owner uid.
pub const PACKET_DIAG_UID: u16 = 5;
/// `PACKET_DIAG_MEMINFO`: `u32[SK_MEMINFO_VARS]`.
pub const PACKET_DIAG_MEMINFO: u16 = 6;
/// `PACKET_DIAG_FILTER`: `struct sock_filter[]` (classic BPF).
pub const PACKET_DIAG_FILTER: u16 = 7;

/// `PDI_RUNNING`: the socket is bound and receiving.
pub const PDI_RUNNING: u32 = 0x1;
/// `PDI_AUXDATA`: `PACKET_AUXDATA` is set.
pub const PDI_AUXDATA: u32 = 0x2;
/// `PDI_ORIGDEV`: `PACKET_ORIGDEV` is set.
pub const PDI_ORIGDEV: u32 = 0x4;
/// `PDI_VNETHDR`: `PACKET_VNET_HDR` is set.
pub const PDI_VNETHDR: u32 = 0x8;
/// `PDI_LOSS`: `PACKET_LOSS` is set.
pub const PDI_LOSS: u32 = 0x10;

/// `struct packet_diag_req` (20 bytes).
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
pub struct packet_diag_req {
    /// `AF_PACKET`.
    pub sdiag_family: u8,
    /// Must be 0.
    pub sdiag_protocol: u8,
    /// Padding.
    pub pad: U16,
    /// Inode (unused by the kernel).
    pub pdiag_ino: U32,
    /// `PACKET_SHOW_*` bits.
    pub pdiag_show: U32,
    /// Cookie (unused by the kernel).
    pub pdiag_cookie: [U32; 2],
}

/// `struct packet_diag_msg` (16 bytes): the fixed part of a packet reply.
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
pub struct packet_diag_msg {
    /// `AF_PACKET`.
    pub pdiag_family: u8,
    /// `SOCK_RAW` or `SOCK_DGRAM`.
    pub pdiag_type: u8,
    /// Ethernet protocol (`ETH_P_*`), in host byte order: the kernel fills
    /// it with `ntohs(po->num)` (checked live: an `ETH_P_ARP` socket reads
    /// 0x0806 on x86, as `ss -0` shows it).
    pub pdiag_num: U16,
    /// Inode of the socket.
    pub pdiag_ino: U32,
    /// Cookie, low word first.
    pub pdiag_cookie: [U32; 2],
}

/// `struct packet_diag_info` (24 bytes): `PACKET_DIAG_INFO`.
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
pub struct packet_diag_info {
    /// Interface index bound to, or 0.
    pub pdi_index: U32,
    /// `PACKET_VERSION` (`TPACKET_V1` = 0, ...).
    pub pdi_version: U32,
    /// `PACKET_RESERVE`, bytes.
    pub pdi_reserve: U32,
    /// `PACKET_COPY_THRESH`, bytes.
    pub pdi_copy_thresh: U32,
    /// `PACKET_TIMESTAMP` flags.
    pub pdi_tstamp: U32,
    /// `PDI_*` flags.
    pub pdi_flags: U32,
}

/// `struct packet_diag_mclist` (44 bytes): one element of `PACKET_DIAG_MCLIST`.
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
pub struct packet_diag_mclist {
    /// Interface index.
    pub pdmc_index: U32,
    /// Times added.
    pub pdmc_count: U32,
    /// `PACKET_MR_*` type.
    pub pdmc_type: U16,
    /// Address length.
    pub pdmc_alen: U16,
    /// Address (`MAX_ADDR_LEN` = 32).
    pub pdmc_addr: [u8; 32],
}

/// `struct packet_diag_ring` (28 bytes): `PACKET_DIAG_RX_RING`/`TX_RING`.
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
pub struct packet_diag_ring {
    /// Block size, bytes.
    pub pdr_block_size: U32,
    /// Number of blocks.
    pub pdr_block_nr: U32,
    /// Frame size, bytes.
    pub pdr_frame_size: U32,
    /// Number of frames.
    pub pdr_frame_nr: U32,
    /// Block retire timeout, milliseconds (TPACKET_V3).
    pub pdr_retire_tmo: U32,
    /// Per-block private area size, bytes (TPACKET_V3).
    pub pdr_sizeof_priv: U32,
    /// Ring features (`TP_FT_REQ_FILL_RXHASH`).
    pub pdr_features: U32,
}

/// `struct sock_filter` (8 bytes): one classic BPF instruction.
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
    Hash,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct sock_filter {
    /// Opcode.
    pub code: U16,
    /// Jump offset if true.
    pub jt: u8,
    /// Jump offset if false.
    pub jf: u8,
    /// Generic field (constant, offset).
    pub k: U32,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<packet_diag_req>() == 20);
    assert!(offset_of!(packet_diag_req, pdiag_show) == 8);
    assert!(size_of::<packet_diag_msg>() == 16);
    assert!(offset_of!(packet_diag_msg, pdiag_num) == 2);
    assert!(offset_of!(packet_diag_msg, pdiag_ino) == 4);
    assert!(size_of::<packet_diag_info>() == 24);
    assert!(size_of::<packet_diag_mclist>() == 44);
    assert!(offset_of!(packet_diag_mclist, pdmc_addr) == 12);
    assert!(size_of::<packet_diag_ring>() == 28);
    assert!(size_of::<sock_filter>() == 8);
};
