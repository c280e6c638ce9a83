//! `<linux/mptcp.h>`: `struct mptcp_info` (the `INET_DIAG_INFO` payload of
//! MPTCP sockets) and the subflow attributes inside `INET_DIAG_ULP_INFO`.

use zerocopy::byteorder::native_endian::{U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `IPPROTO_MPTCP`: does not fit `sdiag_protocol`; requests carry it in
/// `INET_DIAG_REQ_PROTOCOL`.
pub const IPPROTO_MPTCP: u16 = 262;

/// `MPTCP_INFO_FLAG_FALLBACK`: the connection fell back to plain TCP.
pub const MPTCP_INFO_FLAG_FALLBACK: u32 = 1 << 0;
/// `MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED`.
pub const MPTCP_INFO_FLAG_REMOTE_KEY_RECEIVED: u32 = 1 << 1;

/// `MPTCP_SUBFLOW_ATTR_TOKEN_REM`: `u32`.
pub const MPTCP_SUBFLOW_ATTR_TOKEN_REM: u16 = 1;
/// `MPTCP_SUBFLOW_ATTR_TOKEN_LOC`: `u32`.
pub const MPTCP_SUBFLOW_ATTR_TOKEN_LOC: u16 = 2;
/// `MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ`: `u32`. Recent kernels send this and
/// the other sequence attributes (3–7) only to `CAP_NET_ADMIN` requesters.
pub const MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ: u16 = 3;
/// `MPTCP_SUBFLOW_ATTR_MAP_SEQ`: `u64`.
pub const MPTCP_SUBFLOW_ATTR_MAP_SEQ: u16 = 4;
/// `MPTCP_SUBFLOW_ATTR_MAP_SFSEQ`: `u32`.
pub const MPTCP_SUBFLOW_ATTR_MAP_SFSEQ: u16 = 5;
/// `MPTCP_SUBFLOW_ATTR_SSN_OFFSET`: `u32`.
pub const MPTCP_SUBFLOW_ATTR_SSN_OFFSET: u16 = 6;
/// `MPTCP_SUBFLOW_ATTR_MAP_DATALEN`: `u16`.
pub const MPTCP_SUBFLOW_ATTR_MAP_DATALEN: u16 = 7;
/// `MPTCP_SUBFLOW_ATTR_FLAGS`: `u32` of `MPTCP_SUBFLOW_FLAG_*`.
pub const MPTCP_SUBFLOW_ATTR_FLAGS: u16 = 8;
/// `MPTCP_SUBFLOW_ATTR_ID_REM`: `u8`.
pub const MPTCP_SUBFLOW_ATTR_ID_REM: u16 = 9;
/// `MPTCP_SUBFLOW_ATTR_ID_LOC`: `u8`.
pub const MPTCP_SUBFLOW_ATTR_ID_LOC: u16 = 10;
/// `MPTCP_SUBFLOW_ATTR_PAD`.
pub const MPTCP_SUBFLOW_ATTR_PAD: u16 = 11;

/// `struct mptcp_info` as of Linux 6.18 (96 bytes); older kernels send a
/// prefix (40 bytes on 5.7). Read it through
/// [`MptcpInfo`](crate::inet::MptcpInfo).
#[derive(
    FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
// Grows with the kernel: adding its next fields is not a breaking change.
#[non_exhaustive]
pub struct mptcp_info {
    /// Additional subflows (also named `mptcpi_extra_subflows`).
    pub mptcpi_subflows: u8,
    /// ADD_ADDR announcements sent.
    pub mptcpi_add_addr_signal: u8,
    /// ADD_ADDR announcements accepted.
    pub mptcpi_add_addr_accepted: u8,
    /// Limit of additional subflows (also `mptcpi_limit_extra_subflows`).
    pub mptcpi_subflows_max: u8,
    /// Limit of ADD_ADDR announcements (also `mptcpi_endp_signal_max`).
    pub mptcpi_add_addr_signal_max: u8,
    /// Limit of accepted ADD_ADDR (also `mptcpi_limit_add_addr_accepted`).
    pub mptcpi_add_addr_accepted_max: u8,
    /// Padding.
    pub __hole0: [u8; 2],
    /// `MPTCP_INFO_FLAG_*` bits: 1 fallback to TCP, 2 remote key received.
    pub mptcpi_flags: U32,
    /// Connection token.
    pub mptcpi_token: U32,
    /// Next data sequence number to write.
    pub mptcpi_write_seq: U64,
    /// Oldest unacknowledged data sequence number.
    pub mptcpi_snd_una: U64,
    /// Next data sequence number expected.
    pub mptcpi_rcv_nxt: U64,
    /// Local addresses in use by subflows.
    pub mptcpi_local_addr_used: u8,
    /// Limit of local addresses (also `mptcpi_endp_subflow_max`).
    pub mptcpi_local_addr_max: u8,
    /// DSS checksums are enabled.
    pub mptcpi_csum_enabled: u8,
    /// Padding.
    pub __hole1: u8,
    /// Data-level retransmissions.
    pub mptcpi_retransmits: U32,
    /// Bytes retransmitted at the data level.
    pub mptcpi_bytes_retrans: U64,
    /// Bytes sent at the data level.
    pub mptcpi_bytes_sent: U64,
    /// Bytes received at the data level.
    pub mptcpi_bytes_received: U64,
    /// Bytes acknowledged at the data level.
    pub mptcpi_bytes_acked: U64,
    /// Subflows in total, the initial one included.
    pub mptcpi_subflows_total: u8,
    /// Limit of ADD_ADDR endpoints.
    pub mptcpi_endp_add_addr_max: u8,
    /// Reserved.
    pub reserved: [u8; 2],
    /// Time since data was last sent, milliseconds.
    pub mptcpi_last_data_sent: U32,
    /// Time since data was last received, milliseconds.
    pub mptcpi_last_data_recv: U32,
    /// Time since an ACK was last received, milliseconds.
    pub mptcpi_last_ack_recv: U32,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<mptcp_info>() == 96);
    assert!(offset_of!(mptcp_info, mptcpi_flags) == 8);
    assert!(offset_of!(mptcp_info, mptcpi_write_seq) == 16);
    assert!(offset_of!(mptcp_info, mptcpi_local_addr_used) == 40);
    assert!(offset_of!(mptcp_info, mptcpi_retransmits) == 44);
    assert!(offset_of!(mptcp_info, mptcpi_bytes_retrans) == 48);
    assert!(offset_of!(mptcp_info, mptcpi_subflows_total) == 80);
    assert!(offset_of!(mptcp_info, mptcpi_last_data_sent) == 84);
    assert!(offset_of!(mptcp_info, mptcpi_last_ack_recv) == 92);
};
