//! `<linux/sctp.h>`: `struct sctp_info`, the `INET_DIAG_INFO` payload of
//! SCTP sockets.

use zerocopy::byteorder::native_endian::{I32, U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `struct sctp_info` (368 bytes). Read it through
/// [`SctpInfo`](crate::inet::SctpInfo).
#[derive(
    FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
// Grows with the kernel: adding its next fields is not a breaking change.
#[non_exhaustive]
pub struct sctp_info {
    /// Local verification tag.
    pub sctpi_tag: U32,
    /// Association state (`SCTP_STATE_*`).
    pub sctpi_state: U32,
    /// Local receive window, bytes.
    pub sctpi_rwnd: U32,
    /// Unacknowledged DATA chunks.
    pub sctpi_unackdata: U16,
    /// DATA chunks pending receipt.
    pub sctpi_penddata: U16,
    /// Inbound streams.
    pub sctpi_instrms: U16,
    /// Outbound streams.
    pub sctpi_outstrms: U16,
    /// Fragmentation point, bytes.
    pub sctpi_fragmentation_point: U32,
    /// Chunks in the inbound queue.
    pub sctpi_inqueue: U32,
    /// Chunks in the outbound queue.
    pub sctpi_outqueue: U32,
    /// Consecutive retransmissions over all paths.
    pub sctpi_overall_error: U32,
    /// Maximum burst, packets.
    pub sctpi_max_burst: U32,
    /// Maximum segment size, bytes.
    pub sctpi_maxseg: U32,
    /// Peer's receive window, bytes.
    pub sctpi_peer_rwnd: U32,
    /// Peer's verification tag.
    pub sctpi_peer_tag: U32,
    /// Peer capability bits (ASCONF, PR-SCTP, ...).
    pub sctpi_peer_capable: u8,
    /// Peer SACK flags.
    pub sctpi_peer_sack: u8,
    /// Reserved.
    pub __reserved1: U16,
    /// SACKs received.
    pub sctpi_isacks: U64,
    /// SACKs sent.
    pub sctpi_osacks: U64,
    /// Packets sent.
    pub sctpi_opackets: U64,
    /// Packets received.
    pub sctpi_ipackets: U64,
    /// Chunks retransmitted.
    pub sctpi_rtxchunks: U64,
    /// TSNs received out of sequence.
    pub sctpi_outofseqtsns: U64,
    /// Duplicate chunks received.
    pub sctpi_idupchunks: U64,
    /// Gap reports received.
    pub sctpi_gapcnt: U64,
    /// Unordered DATA chunks sent.
    pub sctpi_ouodchunks: U64,
    /// Unordered DATA chunks received.
    pub sctpi_iuodchunks: U64,
    /// Ordered DATA chunks sent.
    pub sctpi_oodchunks: U64,
    /// Ordered DATA chunks received.
    pub sctpi_iodchunks: U64,
    /// Control chunks sent.
    pub sctpi_octrlchunks: U64,
    /// Control chunks received.
    pub sctpi_ictrlchunks: U64,
    /// Primary path address (`struct sockaddr_storage`, see `primary_address()`).
    pub sctpi_p_address: [u8; 128],
    /// Primary path state (`SCTP_ACTIVE`, ...).
    pub sctpi_p_state: I32,
    /// Primary path congestion window, bytes.
    pub sctpi_p_cwnd: U32,
    /// Primary path smoothed round-trip time, milliseconds.
    pub sctpi_p_srtt: U32,
    /// Primary path retransmission timeout, milliseconds.
    pub sctpi_p_rto: U32,
    /// Primary path heartbeat interval, milliseconds.
    pub sctpi_p_hbinterval: U32,
    /// Primary path maximum retransmissions.
    pub sctpi_p_pathmaxrxt: U32,
    /// Primary path SACK delay, milliseconds.
    pub sctpi_p_sackdelay: U32,
    /// Primary path SACK frequency, packets.
    pub sctpi_p_sackfreq: U32,
    /// Primary path slow-start threshold, bytes.
    pub sctpi_p_ssthresh: U32,
    /// Primary path partially acknowledged bytes.
    pub sctpi_p_partial_bytes_acked: U32,
    /// Primary path bytes in flight.
    pub sctpi_p_flight_size: U32,
    /// Primary path error count.
    pub sctpi_p_error: U16,
    /// Reserved.
    pub __reserved2: U16,
    /// Socket autoclose timeout, seconds.
    pub sctpi_s_autoclose: U32,
    /// Socket adaptation-layer indication.
    pub sctpi_s_adaptation_ind: U32,
    /// Socket partial-delivery point, bytes.
    pub sctpi_s_pd_point: U32,
    /// `SCTP_NODELAY` is set.
    pub sctpi_s_nodelay: u8,
    /// `SCTP_DISABLE_FRAGMENTS` is set.
    pub sctpi_s_disable_fragments: u8,
    /// `SCTP_I_WANT_MAPPED_V4_ADDR` is set.
    pub sctpi_s_v4mapped: u8,
    /// `SCTP_FRAGMENT_INTERLEAVE` level.
    pub sctpi_s_frag_interleave: u8,
    /// Socket type (`SOCK_STREAM` or `SOCK_SEQPACKET`).
    pub sctpi_s_type: U32,
    /// Reserved.
    pub __reserved3: U32,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<sctp_info>() == 368);
    assert!(offset_of!(sctp_info, sctpi_peer_capable) == 52);
    assert!(offset_of!(sctp_info, sctpi_isacks) == 56);
    assert!(offset_of!(sctp_info, sctpi_ictrlchunks) == 160);
    assert!(offset_of!(sctp_info, sctpi_p_address) == 168);
    assert!(offset_of!(sctp_info, sctpi_p_state) == 296);
    assert!(offset_of!(sctp_info, sctpi_p_error) == 340);
    assert!(offset_of!(sctp_info, sctpi_s_autoclose) == 344);
    assert!(offset_of!(sctp_info, sctpi_s_nodelay) == 356);
    assert!(offset_of!(sctp_info, sctpi_s_type) == 360);
};
