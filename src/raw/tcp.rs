//! `<linux/tcp.h>` and `<linux/inet_diag.h>`: `struct tcp_info` and the
//! congestion-control info structs sent as `INET_DIAG_*` attributes.
//!
//! Every integer is host byte order except `tcp_diag_md5sig::tcpm_addr`.
//! All fields are byte-aligned types: attribute payloads are only 4-byte
//! aligned, yet `tcp_info` holds `u64`s.

use zerocopy::byteorder::native_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `TCPI_OPT_TIMESTAMPS`.
pub const TCPI_OPT_TIMESTAMPS: u8 = 1;
/// `TCPI_OPT_SACK`.
pub const TCPI_OPT_SACK: u8 = 2;
/// `TCPI_OPT_WSCALE`.
pub const TCPI_OPT_WSCALE: u8 = 4;
/// `TCPI_OPT_ECN`: ECN was negotiated at TCP session init.
pub const TCPI_OPT_ECN: u8 = 8;
/// `TCPI_OPT_ECN_SEEN`: at least one packet with ECT was received.
pub const TCPI_OPT_ECN_SEEN: u8 = 16;
/// `TCPI_OPT_SYN_DATA`: SYN-ACK acked data in SYN sent or received.
pub const TCPI_OPT_SYN_DATA: u8 = 32;
/// `TCPI_OPT_USEC_TS`: usec timestamps.
pub const TCPI_OPT_USEC_TS: u8 = 64;
/// `TCPI_OPT_TFO_CHILD`: child from a Fast Open option on SYN.
pub const TCPI_OPT_TFO_CHILD: u8 = 128;

/// `struct tcp_info` as of Linux 6.18 (280 bytes). Older kernels send a
/// prefix of it (104 bytes on 2.6 up to 248 on 6.7); read it through
/// [`TcpInfo`](crate::inet::TcpInfo), which knows which fields a prefix
/// holds.
///
/// The C struct has two bitfield bytes, here `tcpi_wscale` (byte 6:
/// `tcpi_snd_wscale:4, tcpi_rcv_wscale:4`) and `tcpi_app_limited_tfo`
/// (byte 7: `tcpi_delivery_rate_app_limited:1,
/// tcpi_fastopen_client_fail:2`), and its last 4 bytes changed meaning
/// after 6.18, here `tcpi_accecn`.
#[derive(
    FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
// Grows with the kernel: adding its next fields is not a breaking change.
#[non_exhaustive]
pub struct tcp_info {
    /// State in the kernel's `TCP_*` numbering (see `state()`). Since Linux 2.6.
    pub tcpi_state: u8,
    /// Congestion-avoidance state: 0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss. Since Linux 2.6.
    pub tcpi_ca_state: u8,
    /// Retransmissions of the segment at the head of the queue (`icsk_retransmits`). Since Linux 2.6.
    pub tcpi_retransmits: u8,
    /// Unanswered zero-window or keepalive probes (`icsk_probes_out`). Since Linux 2.6.
    pub tcpi_probes: u8,
    /// Exponential backoff of the retransmission timer (`icsk_backoff`). Since Linux 2.6.
    pub tcpi_backoff: u8,
    /// `TCPI_OPT_*` bits (see `options()`). Since Linux 2.6.
    pub tcpi_options: u8,
    /// Bitfield byte `tcpi_snd_wscale:4, tcpi_rcv_wscale:4` (see `snd_wscale()`, `rcv_wscale()`). Since Linux 2.6.
    pub tcpi_wscale: u8,
    /// Bitfield byte `tcpi_delivery_rate_app_limited:1, tcpi_fastopen_client_fail:2` (4.9, 5.5). Since Linux 4.9.
    pub tcpi_app_limited_tfo: u8,
    /// Retransmission timeout, microseconds. Since Linux 2.6.
    pub tcpi_rto: U32,
    /// Delayed-ACK timeout, microseconds. Since Linux 2.6.
    pub tcpi_ato: U32,
    /// Send maximum segment size, bytes. Since Linux 2.6.
    pub tcpi_snd_mss: U32,
    /// Estimated receive maximum segment size, bytes. Since Linux 2.6.
    pub tcpi_rcv_mss: U32,
    /// Segments sent and not yet acknowledged (listener: accept-queue length). Since Linux 2.6.
    pub tcpi_unacked: U32,
    /// Segments selectively acknowledged (listener: accept backlog). Since Linux 2.6.
    pub tcpi_sacked: U32,
    /// Segments considered lost. Since Linux 2.6.
    pub tcpi_lost: U32,
    /// Segments retransmitted and not yet acknowledged. Since Linux 2.6.
    pub tcpi_retrans: U32,
    /// Forward-acknowledged segments (always 0 since Linux 4.15). Since Linux 2.6.
    pub tcpi_fackets: U32,
    /// Time since the last data was sent, milliseconds. Since Linux 2.6.
    pub tcpi_last_data_sent: U32,
    /// Time since the last ACK was sent, milliseconds (not remembered by the kernel: always 0). Since Linux 2.6.
    pub tcpi_last_ack_sent: U32,
    /// Time since the last data was received, milliseconds. Since Linux 2.6.
    pub tcpi_last_data_recv: U32,
    /// Time since the last ACK was received, milliseconds. Since Linux 2.6.
    pub tcpi_last_ack_recv: U32,
    /// Path MTU, bytes. Since Linux 2.6.
    pub tcpi_pmtu: U32,
    /// Receive window clamp (slow-start threshold of the receive window), bytes. Since Linux 2.6.
    pub tcpi_rcv_ssthresh: U32,
    /// Smoothed round-trip time, microseconds. Since Linux 2.6.
    pub tcpi_rtt: U32,
    /// Round-trip time variation, microseconds. Since Linux 2.6.
    pub tcpi_rttvar: U32,
    /// Slow-start threshold, segments. Since Linux 2.6.
    pub tcpi_snd_ssthresh: U32,
    /// Congestion window, segments. Since Linux 2.6.
    pub tcpi_snd_cwnd: U32,
    /// Advertised maximum segment size, bytes. Since Linux 2.6.
    pub tcpi_advmss: U32,
    /// Reordering metric, segments. Since Linux 2.6.
    pub tcpi_reordering: U32,
    /// Receiver-side round-trip estimate, microseconds. Since Linux 2.6.
    pub tcpi_rcv_rtt: U32,
    /// Receive buffer space the receiver autotunes for, bytes. Since Linux 2.6.
    pub tcpi_rcv_space: U32,
    /// Retransmitted segments over the connection's life. Since Linux 2.6.
    pub tcpi_total_retrans: U32,
    /// Current pacing rate, bytes per second (`u64::MAX`: unlimited). Since Linux 3.15.
    pub tcpi_pacing_rate: U64,
    /// Pacing-rate limit (`SO_MAX_PACING_RATE`), bytes per second. Since Linux 3.15.
    pub tcpi_max_pacing_rate: U64,
    /// Bytes acknowledged (RFC 4898 tcpEStatsAppHCThruOctetsAcked). Since Linux 4.1.
    pub tcpi_bytes_acked: U64,
    /// Bytes received in order (RFC 4898 tcpEStatsAppHCThruOctetsReceived). Since Linux 4.1.
    pub tcpi_bytes_received: U64,
    /// Segments sent, retransmissions included (RFC 4898 tcpEStatsPerfSegsOut). Since Linux 4.2.
    pub tcpi_segs_out: U32,
    /// Segments received (RFC 4898 tcpEStatsPerfSegsIn). Since Linux 4.2.
    pub tcpi_segs_in: U32,
    /// Bytes in the write queue not yet sent. Since Linux 4.6.
    pub tcpi_notsent_bytes: U32,
    /// Minimum round-trip time seen, microseconds. Since Linux 4.6.
    pub tcpi_min_rtt: U32,
    /// Segments received with data (RFC 4898 tcpEStatsDataSegsIn). Since Linux 4.6.
    pub tcpi_data_segs_in: U32,
    /// Segments sent with data (RFC 4898 tcpEStatsDataSegsOut). Since Linux 4.6.
    pub tcpi_data_segs_out: U32,
    /// Most recent delivery-rate sample, bytes per second. Since Linux 4.9.
    pub tcpi_delivery_rate: U64,
    /// Time with data in flight, microseconds. Since Linux 4.10.
    pub tcpi_busy_time: U64,
    /// Time limited by the receive window, microseconds. Since Linux 4.10.
    pub tcpi_rwnd_limited: U64,
    /// Time limited by the send buffer, microseconds. Since Linux 4.10.
    pub tcpi_sndbuf_limited: U64,
    /// Segments delivered, retransmissions included. Since Linux 4.18.
    pub tcpi_delivered: U32,
    /// Segments delivered with a CE mark. Since Linux 4.18.
    pub tcpi_delivered_ce: U32,
    /// Bytes sent, retransmissions included (RFC 4898 tcpEStatsPerfHCDataOctetsOut). Since Linux 4.19.
    pub tcpi_bytes_sent: U64,
    /// Bytes retransmitted (RFC 4898 tcpEStatsPerfOctetsRetrans). Since Linux 4.19.
    pub tcpi_bytes_retrans: U64,
    /// Segments reported as duplicates by D-SACK (RFC 4898 tcpEStatsStackDSACKDups). Since Linux 4.19.
    pub tcpi_dsack_dups: U32,
    /// Reordering events seen. Since Linux 4.19.
    pub tcpi_reord_seen: U32,
    /// Out-of-order packets received. Since Linux 5.4.
    pub tcpi_rcv_ooopack: U32,
    /// Peer's advertised receive window after scaling, bytes. Since Linux 5.4.
    pub tcpi_snd_wnd: U32,
    /// Local advertised receive window after scaling, bytes. Since Linux 6.2.
    pub tcpi_rcv_wnd: U32,
    /// PLB or timeout-triggered rehash attempts. Since Linux 6.2.
    pub tcpi_rehash: U32,
    /// Retransmission timeouts over the connection's life. Since Linux 6.7.
    pub tcpi_total_rto: U16,
    /// Recoveries entered through a retransmission timeout. Since Linux 6.7.
    pub tcpi_total_rto_recoveries: U16,
    /// Time spent in timeout recovery, milliseconds. Since Linux 6.7.
    pub tcpi_total_rto_time: U32,
    /// Packets received with a CE mark (AccECN). Since Linux 6.18.
    pub tcpi_received_ce: U32,
    /// Bytes delivered with ECT(1) (AccECN). Since Linux 6.18.
    pub tcpi_delivered_e1_bytes: U32,
    /// Bytes delivered with ECT(0) (AccECN). Since Linux 6.18.
    pub tcpi_delivered_e0_bytes: U32,
    /// Bytes delivered with CE (AccECN). Since Linux 6.18.
    pub tcpi_delivered_ce_bytes: U32,
    /// Bytes received with ECT(1) (AccECN). Since Linux 6.18.
    pub tcpi_received_e1_bytes: U32,
    /// Bytes received with ECT(0) (AccECN). Since Linux 6.18.
    pub tcpi_received_e0_bytes: U32,
    /// Bytes received with CE (AccECN). Since Linux 6.18.
    pub tcpi_received_ce_bytes: U32,
    /// The last 4 bytes, raw: `u16 tcpi_accecn_fail_mode, u16 tcpi_accecn_opt_seen` on Linux 6.18, `tcpi_ecn_mode:2, tcpi_accecn_opt_seen:2, tcpi_accecn_fail_mode:4, tcpi_options2:24` from 7.0; which one a kernel sent cannot be told from the length. Since Linux 6.18.
    pub tcpi_accecn: U32,
}

/// `struct tcpvegas_info` (16 bytes): `INET_DIAG_VEGASINFO`.
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
pub struct tcpvegas_info {
    /// Vegas is enabled.
    pub tcpv_enabled: U32,
    /// RTT samples in the last RTT.
    pub tcpv_rttcnt: U32,
    /// Average RTT, microseconds.
    pub tcpv_rtt: U32,
    /// Minimum RTT, microseconds.
    pub tcpv_minrtt: U32,
}

/// `struct tcp_dctcp_info` (16 bytes): `INET_DIAG_DCTCPINFO`.
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
pub struct tcp_dctcp_info {
    /// DCTCP is enabled.
    pub dctcp_enabled: U16,
    /// CE state.
    pub dctcp_ce_state: U16,
    /// Alpha, scaled by 1024.
    pub dctcp_alpha: U32,
    /// Bytes acked with ECE.
    pub dctcp_ab_ecn: U32,
    /// Bytes acked in total.
    pub dctcp_ab_tot: U32,
}

/// `struct tcp_bbr_info` (20 bytes): `INET_DIAG_BBRINFO`.
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
pub struct tcp_bbr_info {
    /// Lower 32 bits of the bandwidth estimate, bytes per second.
    pub bbr_bw_lo: U32,
    /// Upper 32 bits of the bandwidth estimate.
    pub bbr_bw_hi: U32,
    /// Minimum RTT, microseconds.
    pub bbr_min_rtt: U32,
    /// Pacing gain, shifted left by 8.
    pub bbr_pacing_gain: U32,
    /// Cwnd gain, shifted left by 8.
    pub bbr_cwnd_gain: U32,
}

/// `struct tcp_diag_md5sig` (100 bytes): one element of `INET_DIAG_MD5SIG`.
#[derive(
    FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned, Clone, Copy, Debug, PartialEq, Eq,
)]
#[repr(C)]
#[allow(non_camel_case_types)]
pub struct tcp_diag_md5sig {
    /// `AF_INET` or `AF_INET6`.
    pub tcpm_family: u8,
    /// Prefix length of the peer address.
    pub tcpm_prefixlen: u8,
    /// Key length.
    pub tcpm_keylen: U16,
    /// Peer address (`__be32[4]`), network byte order.
    pub tcpm_addr: [u8; 16],
    /// Key bytes (`TCP_MD5SIG_MAXKEYLEN` = 80).
    pub tcpm_key: [u8; 80],
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<tcp_info>() == 280);
    assert!(offset_of!(tcp_info, tcpi_rto) == 8);
    assert!(offset_of!(tcp_info, tcpi_last_data_sent) == 44);
    assert!(offset_of!(tcp_info, tcpi_pmtu) == 60);
    assert!(offset_of!(tcp_info, tcpi_rcv_rtt) == 92);
    assert!(offset_of!(tcp_info, tcpi_total_retrans) == 100);
    assert!(offset_of!(tcp_info, tcpi_pacing_rate) == 104);
    assert!(offset_of!(tcp_info, tcpi_bytes_acked) == 120);
    assert!(offset_of!(tcp_info, tcpi_segs_out) == 136);
    assert!(offset_of!(tcp_info, tcpi_notsent_bytes) == 144);
    assert!(offset_of!(tcp_info, tcpi_delivery_rate) == 160);
    assert!(offset_of!(tcp_info, tcpi_busy_time) == 168);
    assert!(offset_of!(tcp_info, tcpi_delivered) == 192);
    assert!(offset_of!(tcp_info, tcpi_bytes_sent) == 200);
    assert!(offset_of!(tcp_info, tcpi_dsack_dups) == 216);
    assert!(offset_of!(tcp_info, tcpi_rcv_ooopack) == 224);
    assert!(offset_of!(tcp_info, tcpi_rcv_wnd) == 232);
    assert!(offset_of!(tcp_info, tcpi_total_rto) == 240);
    assert!(offset_of!(tcp_info, tcpi_total_rto_time) == 244);
    assert!(offset_of!(tcp_info, tcpi_received_ce) == 248);
    assert!(offset_of!(tcp_info, tcpi_received_ce_bytes) == 272);
    assert!(offset_of!(tcp_info, tcpi_accecn) == 276);
    assert!(size_of::<tcpvegas_info>() == 16);
    assert!(size_of::<tcp_dctcp_info>() == 16);
    assert!(offset_of!(tcp_dctcp_info, dctcp_alpha) == 4);
    assert!(size_of::<tcp_bbr_info>() == 20);
    assert!(size_of::<tcp_diag_md5sig>() == 100);
    assert!(offset_of!(tcp_diag_md5sig, tcpm_addr) == 4);
    assert!(offset_of!(tcp_diag_md5sig, tcpm_key) == 20);
};
