//! Views of the `INET_DIAG_INFO` payloads, whose structs the kernel grows:
//! [`TcpInfo`] (`struct tcp_info`, 104 bytes on Linux 2.6 … 280 on 6.18),
//! [`SctpInfo`] and [`MptcpInfo`].
//!
//! Each view wraps the payload bytes as the kernel sent them (borrowed,
//! `TcpInfo<&[u8]>`, or owned, `TcpInfo<Box<[u8]>>`). A field is `Some`
//! only if the payload covers it, so a view over an old kernel's shorter
//! struct answers `None` for the fields that kernel did not have, and a
//! longer payload from a newer kernel is accepted with its extra bytes
//! reachable through `extra()`. Nothing is copied unless you ask for
//! `to_zero_extended()` or `into_owned()`.

use core::fmt;
use core::mem::{offset_of, size_of};
use std::net::SocketAddr;

use bitflags::bitflags;
use zerocopy::{FromZeros, IntoBytes};

use super::TcpState;
use crate::common::read;
use crate::raw::mptcp::mptcp_info;
use crate::raw::sctp::sctp_info;
use crate::raw::tcp::{self as rawtcp, tcp_info};

/// Adds `name: value` to a debug struct for present fields only.
fn field<T: fmt::Debug>(d: &mut fmt::DebugStruct<'_, '_>, name: &str, v: Option<T>) {
    if let Some(v) = v {
        d.field(name, &v);
    }
}

macro_rules! growing_view {
    ($(#[$meta:meta])* $name:ident, $raw:ident, $c:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name<B> {
            bytes: B,
        }

        impl<B: AsRef<[u8]>> $name<B> {
            #[doc = concat!("Wraps a `", $c, "` payload of any length.")]
            pub fn new(bytes: B) -> Self {
                $name { bytes }
            }

            /// The payload as the kernel sent it.
            #[inline]
            pub fn bytes(&self) -> &[u8] {
                self.bytes.as_ref()
            }

            /// Length of the payload: which kernel generation sent it.
            pub fn len(&self) -> usize {
                self.bytes().len()
            }

            /// True for an empty payload (every field `None`).
            pub fn is_empty(&self) -> bool {
                self.bytes().is_empty()
            }

            #[doc = concat!("Bytes beyond the `", $c, "` this library knows (", stringify!($raw), ", ")]
            #[doc = concat!("`size_of::<", stringify!($raw), ">()` bytes), from a newer kernel.")]
            pub fn extra(&self) -> &[u8] {
                self.bytes().get(size_of::<$raw>()..).unwrap_or_default()
            }

            #[doc = concat!("A copy as the full `", $c, "`, fields the kernel did not send set to 0.")]
            pub fn to_zero_extended(&self) -> $raw {
                let mut out = $raw::new_zeroed();
                let dst = out.as_mut_bytes();
                let n = dst.len().min(self.len());
                if let (Some(d), Some(s)) = (dst.get_mut(..n), self.bytes().get(..n)) {
                    d.copy_from_slice(s);
                }
                out
            }

            /// An owned copy of the payload.
            pub fn into_owned(self) -> $name<Box<[u8]>> {
                $name::new(self.bytes().into())
            }
        }
    };
}

growing_view! {
    /// `struct tcp_info` (`INET_DIAG_INFO` of TCP sockets; also what
    /// `getsockopt(TCP_INFO)` returns), as long as the kernel sent it.
    ///
    /// ```
    /// use sockdiag::inet::TcpInfo;
    ///
    /// // A Linux 2.6 kernel's 104-byte struct: no pacing rate yet.
    /// let info = TcpInfo::new(&[0u8; 104][..]);
    /// assert_eq!(info.total_retrans(), Some(0));
    /// assert_eq!(info.pacing_rate(), None);
    /// ```
    #[doc(alias = "tcp_info")]
    TcpInfo, tcp_info, "struct tcp_info"
}

growing_view! {
    /// `struct sctp_info` (`INET_DIAG_INFO` of SCTP sockets).
    #[doc(alias = "sctp_info")]
    SctpInfo, sctp_info, "struct sctp_info"
}

growing_view! {
    /// `struct mptcp_info` (`INET_DIAG_INFO` of MPTCP sockets; 40 bytes on
    /// Linux 5.7, 96 on 6.18).
    #[doc(alias = "mptcp_info")]
    MptcpInfo, mptcp_info, "struct mptcp_info"
}

bitflags! {
    /// `tcpi_options`: options negotiated on the connection (`TCPI_OPT_*`).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct TcpiOptions: u8 {
        /// `TCPI_OPT_TIMESTAMPS`.
        const TIMESTAMPS = rawtcp::TCPI_OPT_TIMESTAMPS;
        /// `TCPI_OPT_SACK`.
        const SACK = rawtcp::TCPI_OPT_SACK;
        /// `TCPI_OPT_WSCALE`: window scaling.
        const WSCALE = rawtcp::TCPI_OPT_WSCALE;
        /// `TCPI_OPT_ECN`: ECN negotiated.
        const ECN = rawtcp::TCPI_OPT_ECN;
        /// `TCPI_OPT_ECN_SEEN`: an ECT packet was received.
        const ECN_SEEN = rawtcp::TCPI_OPT_ECN_SEEN;
        /// `TCPI_OPT_SYN_DATA`: data in SYN acknowledged.
        const SYN_DATA = rawtcp::TCPI_OPT_SYN_DATA;
        /// `TCPI_OPT_USEC_TS`: microsecond timestamps.
        const USEC_TS = rawtcp::TCPI_OPT_USEC_TS;
        /// `TCPI_OPT_TFO_CHILD`: created by a Fast Open SYN.
        const TFO_CHILD = rawtcp::TCPI_OPT_TFO_CHILD;
    }
}

/// A bitfield of `width` bits declared after `before` bits in a byte: C
/// allocates bitfields from the least significant bit on little-endian
/// targets and from the most significant on big-endian ones.
#[inline]
pub(crate) fn bitfield(byte: u8, before: u32, width: u32) -> u8 {
    let mask = (1u16 << width) as u8 - 1;
    let shift = if cfg!(target_endian = "big") {
        8 - before - width
    } else {
        before
    };
    (byte >> shift) & mask
}

impl<B: AsRef<[u8]>> TcpInfo<B> {
    /// State (`tcpi_state`), in the kernel's `TCP_*` numbering.
    #[inline]
    pub fn state(&self) -> Option<TcpState> {
        read::<u8>(self.bytes(), offset_of!(tcp_info, tcpi_state)).map(TcpState::from_raw)
    }

    /// Options negotiated (`tcpi_options`).
    #[inline]
    pub fn options(&self) -> Option<TcpiOptions> {
        read::<u8>(self.bytes(), offset_of!(tcp_info, tcpi_options))
            .map(TcpiOptions::from_bits_retain)
    }

    /// Send window scale (`tcpi_snd_wscale`, 4-bit field of byte 6).
    #[inline]
    pub fn snd_wscale(&self) -> Option<u8> {
        read::<u8>(self.bytes(), offset_of!(tcp_info, tcpi_wscale)).map(|b| bitfield(b, 0, 4))
    }

    /// Receive window scale (`tcpi_rcv_wscale`, 4-bit field of byte 6).
    #[inline]
    pub fn rcv_wscale(&self) -> Option<u8> {
        read::<u8>(self.bytes(), offset_of!(tcp_info, tcpi_wscale)).map(|b| bitfield(b, 4, 4))
    }

    /// The last delivery-rate sample was application-limited
    /// (`tcpi_delivery_rate_app_limited`, 1-bit field of byte 7, Linux 4.9).
    #[inline]
    pub fn delivery_rate_app_limited(&self) -> Option<bool> {
        read::<u8>(self.bytes(), offset_of!(tcp_info, tcpi_app_limited_tfo))
            .map(|b| bitfield(b, 0, 1) != 0)
    }

    /// Why a Fast Open client attempt failed (`tcpi_fastopen_client_fail`,
    /// 2-bit field of byte 7, Linux 5.5): 0 unspecified, 1 no cookie sent,
    /// 2 SYN-ACK did not ack the data, 3 SYN retransmitted.
    #[inline]
    pub fn fastopen_client_fail(&self) -> Option<u8> {
        read::<u8>(self.bytes(), offset_of!(tcp_info, tcpi_app_limited_tfo))
            .map(|b| bitfield(b, 1, 2))
    }

    /// Congestion-avoidance state: 0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss.
    ///
    /// `tcpi_ca_state`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn ca_state(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_ca_state))
    }

    /// Retransmissions of the segment at the head of the queue (`icsk_retransmits`).
    ///
    /// `tcpi_retransmits`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn retransmits(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_retransmits))
    }

    /// Unanswered zero-window or keepalive probes (`icsk_probes_out`).
    ///
    /// `tcpi_probes`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn probes(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_probes))
    }

    /// Exponential backoff of the retransmission timer (`icsk_backoff`).
    ///
    /// `tcpi_backoff`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn backoff(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_backoff))
    }

    /// Retransmission timeout, microseconds.
    ///
    /// `tcpi_rto`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rto(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rto))
    }

    /// Delayed-ACK timeout, microseconds.
    ///
    /// `tcpi_ato`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn ato(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_ato))
    }

    /// Send maximum segment size, bytes.
    ///
    /// `tcpi_snd_mss`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn snd_mss(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_snd_mss))
    }

    /// Estimated receive maximum segment size, bytes.
    ///
    /// `tcpi_rcv_mss`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rcv_mss(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rcv_mss))
    }

    /// Segments sent and not yet acknowledged (listener: accept-queue length).
    ///
    /// `tcpi_unacked`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn unacked(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_unacked))
    }

    /// Segments selectively acknowledged (listener: accept backlog).
    ///
    /// `tcpi_sacked`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn sacked(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_sacked))
    }

    /// Segments considered lost.
    ///
    /// `tcpi_lost`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn lost(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_lost))
    }

    /// Segments retransmitted and not yet acknowledged.
    ///
    /// `tcpi_retrans`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn retrans(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_retrans))
    }

    /// Forward-acknowledged segments (always 0 since Linux 4.15).
    ///
    /// `tcpi_fackets`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn fackets(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_fackets))
    }

    /// Time since the last data was sent, milliseconds.
    ///
    /// `tcpi_last_data_sent`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn last_data_sent(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_last_data_sent))
    }

    /// Time since the last ACK was sent, milliseconds (not remembered by the kernel: always 0).
    ///
    /// `tcpi_last_ack_sent`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn last_ack_sent(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_last_ack_sent))
    }

    /// Time since the last data was received, milliseconds.
    ///
    /// `tcpi_last_data_recv`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn last_data_recv(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_last_data_recv))
    }

    /// Time since the last ACK was received, milliseconds.
    ///
    /// `tcpi_last_ack_recv`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn last_ack_recv(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_last_ack_recv))
    }

    /// Path MTU, bytes.
    ///
    /// `tcpi_pmtu`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn pmtu(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_pmtu))
    }

    /// Receive window clamp (slow-start threshold of the receive window), bytes.
    ///
    /// `tcpi_rcv_ssthresh`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rcv_ssthresh(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rcv_ssthresh))
    }

    /// Smoothed round-trip time, microseconds.
    ///
    /// `tcpi_rtt`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rtt(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rtt))
    }

    /// Round-trip time variation, microseconds.
    ///
    /// `tcpi_rttvar`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rttvar(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rttvar))
    }

    /// Slow-start threshold, segments.
    ///
    /// `tcpi_snd_ssthresh`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn snd_ssthresh(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_snd_ssthresh))
    }

    /// Congestion window, segments.
    ///
    /// `tcpi_snd_cwnd`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn snd_cwnd(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_snd_cwnd))
    }

    /// Advertised maximum segment size, bytes.
    ///
    /// `tcpi_advmss`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn advmss(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_advmss))
    }

    /// Reordering metric, segments.
    ///
    /// `tcpi_reordering`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn reordering(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_reordering))
    }

    /// Receiver-side round-trip estimate, microseconds.
    ///
    /// `tcpi_rcv_rtt`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rcv_rtt(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rcv_rtt))
    }

    /// Receive buffer space the receiver autotunes for, bytes.
    ///
    /// `tcpi_rcv_space`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rcv_space(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rcv_space))
    }

    /// Retransmitted segments over the connection's life.
    ///
    /// `tcpi_total_retrans`, Linux 2.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn total_retrans(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_total_retrans))
    }

    /// Current pacing rate, bytes per second (`u64::MAX`: unlimited).
    ///
    /// `tcpi_pacing_rate`, Linux 3.15; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn pacing_rate(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_pacing_rate))
    }

    /// Pacing-rate limit (`SO_MAX_PACING_RATE`), bytes per second.
    ///
    /// `tcpi_max_pacing_rate`, Linux 3.15; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn max_pacing_rate(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_max_pacing_rate))
    }

    /// Bytes acknowledged (RFC 4898 tcpEStatsAppHCThruOctetsAcked).
    ///
    /// `tcpi_bytes_acked`, Linux 4.1; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_acked(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_bytes_acked))
    }

    /// Bytes received in order (RFC 4898 tcpEStatsAppHCThruOctetsReceived).
    ///
    /// `tcpi_bytes_received`, Linux 4.1; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_received(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_bytes_received))
    }

    /// Segments sent, retransmissions included (RFC 4898 tcpEStatsPerfSegsOut).
    ///
    /// `tcpi_segs_out`, Linux 4.2; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn segs_out(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_segs_out))
    }

    /// Segments received (RFC 4898 tcpEStatsPerfSegsIn).
    ///
    /// `tcpi_segs_in`, Linux 4.2; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn segs_in(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_segs_in))
    }

    /// Bytes in the write queue not yet sent.
    ///
    /// `tcpi_notsent_bytes`, Linux 4.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn notsent_bytes(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_notsent_bytes))
    }

    /// Minimum round-trip time seen, microseconds.
    ///
    /// `tcpi_min_rtt`, Linux 4.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn min_rtt(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_min_rtt))
    }

    /// Segments received with data (RFC 4898 tcpEStatsDataSegsIn).
    ///
    /// `tcpi_data_segs_in`, Linux 4.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn data_segs_in(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_data_segs_in))
    }

    /// Segments sent with data (RFC 4898 tcpEStatsDataSegsOut).
    ///
    /// `tcpi_data_segs_out`, Linux 4.6; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn data_segs_out(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_data_segs_out))
    }

    /// Most recent delivery-rate sample, bytes per second.
    ///
    /// `tcpi_delivery_rate`, Linux 4.9; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn delivery_rate(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_delivery_rate))
    }

    /// Time with data in flight, microseconds.
    ///
    /// `tcpi_busy_time`, Linux 4.10; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn busy_time(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_busy_time))
    }

    /// Time limited by the receive window, microseconds.
    ///
    /// `tcpi_rwnd_limited`, Linux 4.10; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rwnd_limited(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rwnd_limited))
    }

    /// Time limited by the send buffer, microseconds.
    ///
    /// `tcpi_sndbuf_limited`, Linux 4.10; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn sndbuf_limited(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_sndbuf_limited))
    }

    /// Segments delivered, retransmissions included.
    ///
    /// `tcpi_delivered`, Linux 4.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn delivered(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_delivered))
    }

    /// Segments delivered with a CE mark.
    ///
    /// `tcpi_delivered_ce`, Linux 4.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn delivered_ce(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_delivered_ce))
    }

    /// Bytes sent, retransmissions included (RFC 4898 tcpEStatsPerfHCDataOctetsOut).
    ///
    /// `tcpi_bytes_sent`, Linux 4.19; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_sent(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_bytes_sent))
    }

    /// Bytes retransmitted (RFC 4898 tcpEStatsPerfOctetsRetrans).
    ///
    /// `tcpi_bytes_retrans`, Linux 4.19; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_retrans(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_bytes_retrans))
    }

    /// Segments reported as duplicates by D-SACK (RFC 4898 tcpEStatsStackDSACKDups).
    ///
    /// `tcpi_dsack_dups`, Linux 4.19; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn dsack_dups(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_dsack_dups))
    }

    /// Reordering events seen.
    ///
    /// `tcpi_reord_seen`, Linux 4.19; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn reord_seen(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_reord_seen))
    }

    /// Out-of-order packets received.
    ///
    /// `tcpi_rcv_ooopack`, Linux 5.4; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rcv_ooopack(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rcv_ooopack))
    }

    /// Peer's advertised receive window after scaling, bytes.
    ///
    /// `tcpi_snd_wnd`, Linux 5.4; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn snd_wnd(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_snd_wnd))
    }

    /// Local advertised receive window after scaling, bytes.
    ///
    /// `tcpi_rcv_wnd`, Linux 6.2; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rcv_wnd(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rcv_wnd))
    }

    /// PLB or timeout-triggered rehash attempts.
    ///
    /// `tcpi_rehash`, Linux 6.2; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rehash(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_rehash))
    }

    /// Retransmission timeouts over the connection's life.
    ///
    /// `tcpi_total_rto`, Linux 6.7; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn total_rto(&self) -> Option<u16> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_total_rto))
    }

    /// Recoveries entered through a retransmission timeout.
    ///
    /// `tcpi_total_rto_recoveries`, Linux 6.7; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn total_rto_recoveries(&self) -> Option<u16> {
        read(
            self.bytes(),
            offset_of!(tcp_info, tcpi_total_rto_recoveries),
        )
    }

    /// Time spent in timeout recovery, milliseconds.
    ///
    /// `tcpi_total_rto_time`, Linux 6.7; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn total_rto_time(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_total_rto_time))
    }

    /// Packets received with a CE mark (AccECN).
    ///
    /// `tcpi_received_ce`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn received_ce(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_received_ce))
    }

    /// Bytes delivered with ECT(1) (AccECN).
    ///
    /// `tcpi_delivered_e1_bytes`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn delivered_e1_bytes(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_delivered_e1_bytes))
    }

    /// Bytes delivered with ECT(0) (AccECN).
    ///
    /// `tcpi_delivered_e0_bytes`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn delivered_e0_bytes(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_delivered_e0_bytes))
    }

    /// Bytes delivered with CE (AccECN).
    ///
    /// `tcpi_delivered_ce_bytes`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn delivered_ce_bytes(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_delivered_ce_bytes))
    }

    /// Bytes received with ECT(1) (AccECN).
    ///
    /// `tcpi_received_e1_bytes`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn received_e1_bytes(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_received_e1_bytes))
    }

    /// Bytes received with ECT(0) (AccECN).
    ///
    /// `tcpi_received_e0_bytes`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn received_e0_bytes(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_received_e0_bytes))
    }

    /// Bytes received with CE (AccECN).
    ///
    /// `tcpi_received_ce_bytes`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn received_ce_bytes(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_received_ce_bytes))
    }

    /// The last 4 bytes, raw: `u16 tcpi_accecn_fail_mode, u16 tcpi_accecn_opt_seen` on Linux 6.18, `tcpi_ecn_mode:2, tcpi_accecn_opt_seen:2, tcpi_accecn_fail_mode:4, tcpi_options2:24` from 7.0; which one a kernel sent cannot be told from the length.
    ///
    /// `tcpi_accecn`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn accecn_raw(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_accecn))
    }
}

/// A field getter of [`TCP_INFO_FIELDS`].
type FieldFn = fn(&TcpInfo<&[u8]>) -> Option<u64>;

macro_rules! tcp_info_fields {
    ($($f:ident),* $(,)?) => {
        /// Every `tcp_info` field in struct order, named as the kernel
        /// names it without `tcpi_`, with its getter.
        const TCP_INFO_FIELDS: &[(&str, FieldFn)] = &[
            ("state", |i| i.state().map(|s| u64::from(s.to_raw()))),
            ("ca_state", |i| i.ca_state().map(u64::from)),
            ("retransmits", |i| i.retransmits().map(u64::from)),
            ("probes", |i| i.probes().map(u64::from)),
            ("backoff", |i| i.backoff().map(u64::from)),
            ("options", |i| i.options().map(|o| u64::from(o.bits()))),
            $((stringify!($f), |i| i.$f().map(u64::from)),)*
        ];
    };
}

tcp_info_fields!(
    snd_wscale,
    rcv_wscale,
    delivery_rate_app_limited,
    fastopen_client_fail,
    rto,
    ato,
    snd_mss,
    rcv_mss,
    unacked,
    sacked,
    lost,
    retrans,
    fackets,
    last_data_sent,
    last_ack_sent,
    last_data_recv,
    last_ack_recv,
    pmtu,
    rcv_ssthresh,
    rtt,
    rttvar,
    snd_ssthresh,
    snd_cwnd,
    advmss,
    reordering,
    rcv_rtt,
    rcv_space,
    total_retrans,
    pacing_rate,
    max_pacing_rate,
    bytes_acked,
    bytes_received,
    segs_out,
    segs_in,
    notsent_bytes,
    min_rtt,
    data_segs_in,
    data_segs_out,
    delivery_rate,
    busy_time,
    rwnd_limited,
    sndbuf_limited,
    delivered,
    delivered_ce,
    bytes_sent,
    bytes_retrans,
    dsack_dups,
    reord_seen,
    rcv_ooopack,
    snd_wnd,
    rcv_wnd,
    rehash,
    total_rto,
    total_rto_recoveries,
    total_rto_time,
    received_ce,
    delivered_e1_bytes,
    delivered_e0_bytes,
    delivered_ce_bytes,
    received_e1_bytes,
    received_e0_bytes,
    received_ce_bytes,
);

impl<B: AsRef<[u8]>> TcpInfo<B> {
    /// The names of [`fields`](Self::fields), in the same order: the
    /// kernel's `tcpi_` names without the prefix (`rtt`, `snd_cwnd`,
    /// `bytes_acked`, ...), for every field this library knows except the
    /// trailing `tcpi_accecn` word, whose layout depends on the kernel
    /// version.
    pub fn field_names() -> impl ExactSizeIterator<Item = &'static str> {
        TCP_INFO_FIELDS.iter().map(|(name, _)| *name)
    }

    /// Field number `index` of [`field_names`](Self::field_names), `None`
    /// if the kernel's struct is too short to hold it or there is no such
    /// field: for following a few chosen fields without walking them all.
    pub fn field(&self, index: usize) -> Option<u64> {
        let (_, get) = TCP_INFO_FIELDS.get(index)?;
        get(&TcpInfo::new(self.bytes()))
    }

    /// Every known field as `(name, value)`, in struct order, `None` where
    /// the kernel's struct is too short to hold it: the generic form for
    /// exporters (JSON, metrics). Flags and enums come as their raw
    /// numbers (`state` in `TCP_*` numbering, `options` as `TCPI_OPT_*`
    /// bits, `delivery_rate_app_limited` as 0 or 1).
    ///
    /// ```
    /// use sockdiag::inet::TcpInfo;
    ///
    /// let info = TcpInfo::new(&[0u8; 104][..]);
    /// let sent: Vec<_> = info.fields().filter_map(|(n, v)| v.map(|_| n)).collect();
    /// assert!(sent.contains(&"total_retrans"));
    /// assert!(!sent.contains(&"pacing_rate")); // Linux 3.15
    /// ```
    pub fn fields(&self) -> impl Iterator<Item = (&'static str, Option<u64>)> + '_ {
        let view = TcpInfo::new(self.bytes());
        TCP_INFO_FIELDS
            .iter()
            .map(move |(name, get)| (*name, get(&view)))
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for TcpInfo<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("TcpInfo");
        d.field("len", &self.len());
        field(&mut d, "state", self.state());
        field(&mut d, "options", self.options());
        field(&mut d, "snd_wscale", self.snd_wscale());
        field(&mut d, "rcv_wscale", self.rcv_wscale());
        field(
            &mut d,
            "delivery_rate_app_limited",
            self.delivery_rate_app_limited(),
        );
        field(&mut d, "fastopen_client_fail", self.fastopen_client_fail());
        field(&mut d, "ca_state", self.ca_state());
        field(&mut d, "retransmits", self.retransmits());
        field(&mut d, "probes", self.probes());
        field(&mut d, "backoff", self.backoff());
        field(&mut d, "rto", self.rto());
        field(&mut d, "ato", self.ato());
        field(&mut d, "snd_mss", self.snd_mss());
        field(&mut d, "rcv_mss", self.rcv_mss());
        field(&mut d, "unacked", self.unacked());
        field(&mut d, "sacked", self.sacked());
        field(&mut d, "lost", self.lost());
        field(&mut d, "retrans", self.retrans());
        field(&mut d, "fackets", self.fackets());
        field(&mut d, "last_data_sent", self.last_data_sent());
        field(&mut d, "last_ack_sent", self.last_ack_sent());
        field(&mut d, "last_data_recv", self.last_data_recv());
        field(&mut d, "last_ack_recv", self.last_ack_recv());
        field(&mut d, "pmtu", self.pmtu());
        field(&mut d, "rcv_ssthresh", self.rcv_ssthresh());
        field(&mut d, "rtt", self.rtt());
        field(&mut d, "rttvar", self.rttvar());
        field(&mut d, "snd_ssthresh", self.snd_ssthresh());
        field(&mut d, "snd_cwnd", self.snd_cwnd());
        field(&mut d, "advmss", self.advmss());
        field(&mut d, "reordering", self.reordering());
        field(&mut d, "rcv_rtt", self.rcv_rtt());
        field(&mut d, "rcv_space", self.rcv_space());
        field(&mut d, "total_retrans", self.total_retrans());
        field(&mut d, "pacing_rate", self.pacing_rate());
        field(&mut d, "max_pacing_rate", self.max_pacing_rate());
        field(&mut d, "bytes_acked", self.bytes_acked());
        field(&mut d, "bytes_received", self.bytes_received());
        field(&mut d, "segs_out", self.segs_out());
        field(&mut d, "segs_in", self.segs_in());
        field(&mut d, "notsent_bytes", self.notsent_bytes());
        field(&mut d, "min_rtt", self.min_rtt());
        field(&mut d, "data_segs_in", self.data_segs_in());
        field(&mut d, "data_segs_out", self.data_segs_out());
        field(&mut d, "delivery_rate", self.delivery_rate());
        field(&mut d, "busy_time", self.busy_time());
        field(&mut d, "rwnd_limited", self.rwnd_limited());
        field(&mut d, "sndbuf_limited", self.sndbuf_limited());
        field(&mut d, "delivered", self.delivered());
        field(&mut d, "delivered_ce", self.delivered_ce());
        field(&mut d, "bytes_sent", self.bytes_sent());
        field(&mut d, "bytes_retrans", self.bytes_retrans());
        field(&mut d, "dsack_dups", self.dsack_dups());
        field(&mut d, "reord_seen", self.reord_seen());
        field(&mut d, "rcv_ooopack", self.rcv_ooopack());
        field(&mut d, "snd_wnd", self.snd_wnd());
        field(&mut d, "rcv_wnd", self.rcv_wnd());
        field(&mut d, "rehash", self.rehash());
        field(&mut d, "total_rto", self.total_rto());
        field(&mut d, "total_rto_recoveries", self.total_rto_recoveries());
        field(&mut d, "total_rto_time", self.total_rto_time());
        field(&mut d, "received_ce", self.received_ce());
        field(&mut d, "delivered_e1_bytes", self.delivered_e1_bytes());
        field(&mut d, "delivered_e0_bytes", self.delivered_e0_bytes());
        field(&mut d, "delivered_ce_bytes", self.delivered_ce_bytes());
        field(&mut d, "received_e1_bytes", self.received_e1_bytes());
        field(&mut d, "received_e0_bytes", self.received_e0_bytes());
        field(&mut d, "received_ce_bytes", self.received_ce_bytes());
        field(&mut d, "accecn_raw", self.accecn_raw());
        if !self.extra().is_empty() {
            d.field("extra", &self.extra());
        }
        d.finish()
    }
}

impl<B: AsRef<[u8]>> SctpInfo<B> {
    /// Primary path address (`sctpi_p_address`, a `struct sockaddr_storage`);
    /// `None` if absent or of a family other than IPv4/IPv6.
    pub fn primary_address(&self) -> Option<SocketAddr> {
        let off = offset_of!(sctp_info, sctpi_p_address);
        crate::common::sockaddr(self.bytes().get(off..off.checked_add(128)?)?)
    }

    /// Local verification tag.
    ///
    /// `sctpi_tag`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn tag(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_tag))
    }

    /// Association state (`SCTP_STATE_*`).
    ///
    /// `sctpi_state`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn state(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_state))
    }

    /// Local receive window, bytes.
    ///
    /// `sctpi_rwnd`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rwnd(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_rwnd))
    }

    /// Unacknowledged DATA chunks.
    ///
    /// `sctpi_unackdata`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn unackdata(&self) -> Option<u16> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_unackdata))
    }

    /// DATA chunks pending receipt.
    ///
    /// `sctpi_penddata`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn penddata(&self) -> Option<u16> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_penddata))
    }

    /// Inbound streams.
    ///
    /// `sctpi_instrms`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn instrms(&self) -> Option<u16> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_instrms))
    }

    /// Outbound streams.
    ///
    /// `sctpi_outstrms`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn outstrms(&self) -> Option<u16> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_outstrms))
    }

    /// Fragmentation point, bytes.
    ///
    /// `sctpi_fragmentation_point`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn fragmentation_point(&self) -> Option<u32> {
        read(
            self.bytes(),
            offset_of!(sctp_info, sctpi_fragmentation_point),
        )
    }

    /// Chunks in the inbound queue.
    ///
    /// `sctpi_inqueue`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn inqueue(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_inqueue))
    }

    /// Chunks in the outbound queue.
    ///
    /// `sctpi_outqueue`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn outqueue(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_outqueue))
    }

    /// Consecutive retransmissions over all paths.
    ///
    /// `sctpi_overall_error`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn overall_error(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_overall_error))
    }

    /// Maximum burst, packets.
    ///
    /// `sctpi_max_burst`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn max_burst(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_max_burst))
    }

    /// Maximum segment size, bytes.
    ///
    /// `sctpi_maxseg`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn maxseg(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_maxseg))
    }

    /// Peer's receive window, bytes.
    ///
    /// `sctpi_peer_rwnd`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn peer_rwnd(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_peer_rwnd))
    }

    /// Peer's verification tag.
    ///
    /// `sctpi_peer_tag`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn peer_tag(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_peer_tag))
    }

    /// Peer capability bits (ASCONF, PR-SCTP, ...).
    ///
    /// `sctpi_peer_capable`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn peer_capable(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_peer_capable))
    }

    /// Peer SACK flags.
    ///
    /// `sctpi_peer_sack`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn peer_sack(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_peer_sack))
    }

    /// SACKs received.
    ///
    /// `sctpi_isacks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn isacks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_isacks))
    }

    /// SACKs sent.
    ///
    /// `sctpi_osacks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn osacks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_osacks))
    }

    /// Packets sent.
    ///
    /// `sctpi_opackets`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn opackets(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_opackets))
    }

    /// Packets received.
    ///
    /// `sctpi_ipackets`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn ipackets(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_ipackets))
    }

    /// Chunks retransmitted.
    ///
    /// `sctpi_rtxchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rtxchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_rtxchunks))
    }

    /// TSNs received out of sequence.
    ///
    /// `sctpi_outofseqtsns`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn outofseqtsns(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_outofseqtsns))
    }

    /// Duplicate chunks received.
    ///
    /// `sctpi_idupchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn idupchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_idupchunks))
    }

    /// Gap reports received.
    ///
    /// `sctpi_gapcnt`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn gapcnt(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_gapcnt))
    }

    /// Unordered DATA chunks sent.
    ///
    /// `sctpi_ouodchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn ouodchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_ouodchunks))
    }

    /// Unordered DATA chunks received.
    ///
    /// `sctpi_iuodchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn iuodchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_iuodchunks))
    }

    /// Ordered DATA chunks sent.
    ///
    /// `sctpi_oodchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn oodchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_oodchunks))
    }

    /// Ordered DATA chunks received.
    ///
    /// `sctpi_iodchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn iodchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_iodchunks))
    }

    /// Control chunks sent.
    ///
    /// `sctpi_octrlchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn octrlchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_octrlchunks))
    }

    /// Control chunks received.
    ///
    /// `sctpi_ictrlchunks`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn ictrlchunks(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_ictrlchunks))
    }

    /// Primary path state (`SCTP_ACTIVE`, ...).
    ///
    /// `sctpi_p_state`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_state(&self) -> Option<i32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_state))
    }

    /// Primary path congestion window, bytes.
    ///
    /// `sctpi_p_cwnd`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_cwnd(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_cwnd))
    }

    /// Primary path smoothed round-trip time, milliseconds.
    ///
    /// `sctpi_p_srtt`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_srtt(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_srtt))
    }

    /// Primary path retransmission timeout, milliseconds.
    ///
    /// `sctpi_p_rto`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_rto(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_rto))
    }

    /// Primary path heartbeat interval, milliseconds.
    ///
    /// `sctpi_p_hbinterval`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_hbinterval(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_hbinterval))
    }

    /// Primary path maximum retransmissions.
    ///
    /// `sctpi_p_pathmaxrxt`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_pathmaxrxt(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_pathmaxrxt))
    }

    /// Primary path SACK delay, milliseconds.
    ///
    /// `sctpi_p_sackdelay`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_sackdelay(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_sackdelay))
    }

    /// Primary path SACK frequency, packets.
    ///
    /// `sctpi_p_sackfreq`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_sackfreq(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_sackfreq))
    }

    /// Primary path slow-start threshold, bytes.
    ///
    /// `sctpi_p_ssthresh`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_ssthresh(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_ssthresh))
    }

    /// Primary path partially acknowledged bytes.
    ///
    /// `sctpi_p_partial_bytes_acked`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_partial_bytes_acked(&self) -> Option<u32> {
        read(
            self.bytes(),
            offset_of!(sctp_info, sctpi_p_partial_bytes_acked),
        )
    }

    /// Primary path bytes in flight.
    ///
    /// `sctpi_p_flight_size`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_flight_size(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_flight_size))
    }

    /// Primary path error count.
    ///
    /// `sctpi_p_error`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn p_error(&self) -> Option<u16> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_p_error))
    }

    /// Socket autoclose timeout, seconds.
    ///
    /// `sctpi_s_autoclose`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_autoclose(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_s_autoclose))
    }

    /// Socket adaptation-layer indication.
    ///
    /// `sctpi_s_adaptation_ind`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_adaptation_ind(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_s_adaptation_ind))
    }

    /// Socket partial-delivery point, bytes.
    ///
    /// `sctpi_s_pd_point`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_pd_point(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_s_pd_point))
    }

    /// `SCTP_NODELAY` is set.
    ///
    /// `sctpi_s_nodelay`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_nodelay(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_s_nodelay))
    }

    /// `SCTP_DISABLE_FRAGMENTS` is set.
    ///
    /// `sctpi_s_disable_fragments`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_disable_fragments(&self) -> Option<u8> {
        read(
            self.bytes(),
            offset_of!(sctp_info, sctpi_s_disable_fragments),
        )
    }

    /// `SCTP_I_WANT_MAPPED_V4_ADDR` is set.
    ///
    /// `sctpi_s_v4mapped`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_v4mapped(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_s_v4mapped))
    }

    /// `SCTP_FRAGMENT_INTERLEAVE` level.
    ///
    /// `sctpi_s_frag_interleave`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_frag_interleave(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_s_frag_interleave))
    }

    /// Socket type (`SOCK_STREAM` or `SOCK_SEQPACKET`).
    ///
    /// `sctpi_s_type`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn s_type(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(sctp_info, sctpi_s_type))
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for SctpInfo<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("SctpInfo");
        d.field("len", &self.len());
        field(&mut d, "primary_address", self.primary_address());
        field(&mut d, "tag", self.tag());
        field(&mut d, "state", self.state());
        field(&mut d, "rwnd", self.rwnd());
        field(&mut d, "unackdata", self.unackdata());
        field(&mut d, "penddata", self.penddata());
        field(&mut d, "instrms", self.instrms());
        field(&mut d, "outstrms", self.outstrms());
        field(&mut d, "fragmentation_point", self.fragmentation_point());
        field(&mut d, "inqueue", self.inqueue());
        field(&mut d, "outqueue", self.outqueue());
        field(&mut d, "overall_error", self.overall_error());
        field(&mut d, "max_burst", self.max_burst());
        field(&mut d, "maxseg", self.maxseg());
        field(&mut d, "peer_rwnd", self.peer_rwnd());
        field(&mut d, "peer_tag", self.peer_tag());
        field(&mut d, "peer_capable", self.peer_capable());
        field(&mut d, "peer_sack", self.peer_sack());
        field(&mut d, "isacks", self.isacks());
        field(&mut d, "osacks", self.osacks());
        field(&mut d, "opackets", self.opackets());
        field(&mut d, "ipackets", self.ipackets());
        field(&mut d, "rtxchunks", self.rtxchunks());
        field(&mut d, "outofseqtsns", self.outofseqtsns());
        field(&mut d, "idupchunks", self.idupchunks());
        field(&mut d, "gapcnt", self.gapcnt());
        field(&mut d, "ouodchunks", self.ouodchunks());
        field(&mut d, "iuodchunks", self.iuodchunks());
        field(&mut d, "oodchunks", self.oodchunks());
        field(&mut d, "iodchunks", self.iodchunks());
        field(&mut d, "octrlchunks", self.octrlchunks());
        field(&mut d, "ictrlchunks", self.ictrlchunks());
        field(&mut d, "p_state", self.p_state());
        field(&mut d, "p_cwnd", self.p_cwnd());
        field(&mut d, "p_srtt", self.p_srtt());
        field(&mut d, "p_rto", self.p_rto());
        field(&mut d, "p_hbinterval", self.p_hbinterval());
        field(&mut d, "p_pathmaxrxt", self.p_pathmaxrxt());
        field(&mut d, "p_sackdelay", self.p_sackdelay());
        field(&mut d, "p_sackfreq", self.p_sackfreq());
        field(&mut d, "p_ssthresh", self.p_ssthresh());
        field(
            &mut d,
            "p_partial_bytes_acked",
            self.p_partial_bytes_acked(),
        );
        field(&mut d, "p_flight_size", self.p_flight_size());
        field(&mut d, "p_error", self.p_error());
        field(&mut d, "s_autoclose", self.s_autoclose());
        field(&mut d, "s_adaptation_ind", self.s_adaptation_ind());
        field(&mut d, "s_pd_point", self.s_pd_point());
        field(&mut d, "s_nodelay", self.s_nodelay());
        field(&mut d, "s_disable_fragments", self.s_disable_fragments());
        field(&mut d, "s_v4mapped", self.s_v4mapped());
        field(&mut d, "s_frag_interleave", self.s_frag_interleave());
        field(&mut d, "s_type", self.s_type());
        if !self.extra().is_empty() {
            d.field("extra", &self.extra());
        }
        d.finish()
    }
}

impl<B: AsRef<[u8]>> MptcpInfo<B> {
    /// Additional subflows (also named `mptcpi_extra_subflows`).
    ///
    /// `mptcpi_subflows`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn subflows(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_subflows))
    }

    /// ADD_ADDR announcements sent.
    ///
    /// `mptcpi_add_addr_signal`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn add_addr_signal(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_add_addr_signal))
    }

    /// ADD_ADDR announcements accepted.
    ///
    /// `mptcpi_add_addr_accepted`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn add_addr_accepted(&self) -> Option<u8> {
        read(
            self.bytes(),
            offset_of!(mptcp_info, mptcpi_add_addr_accepted),
        )
    }

    /// Limit of additional subflows (also `mptcpi_limit_extra_subflows`).
    ///
    /// `mptcpi_subflows_max`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn subflows_max(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_subflows_max))
    }

    /// Limit of ADD_ADDR announcements (also `mptcpi_endp_signal_max`).
    ///
    /// `mptcpi_add_addr_signal_max`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn add_addr_signal_max(&self) -> Option<u8> {
        read(
            self.bytes(),
            offset_of!(mptcp_info, mptcpi_add_addr_signal_max),
        )
    }

    /// Limit of accepted ADD_ADDR (also `mptcpi_limit_add_addr_accepted`).
    ///
    /// `mptcpi_add_addr_accepted_max`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn add_addr_accepted_max(&self) -> Option<u8> {
        read(
            self.bytes(),
            offset_of!(mptcp_info, mptcpi_add_addr_accepted_max),
        )
    }

    /// `MPTCP_INFO_FLAG_*` bits: 1 fallback to TCP, 2 remote key received.
    ///
    /// `mptcpi_flags`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn flags(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_flags))
    }

    /// Connection token.
    ///
    /// `mptcpi_token`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn token(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_token))
    }

    /// Next data sequence number to write.
    ///
    /// `mptcpi_write_seq`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn write_seq(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_write_seq))
    }

    /// Oldest unacknowledged data sequence number.
    ///
    /// `mptcpi_snd_una`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn snd_una(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_snd_una))
    }

    /// Next data sequence number expected.
    ///
    /// `mptcpi_rcv_nxt`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn rcv_nxt(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_rcv_nxt))
    }

    /// Local addresses in use by subflows.
    ///
    /// `mptcpi_local_addr_used`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn local_addr_used(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_local_addr_used))
    }

    /// Limit of local addresses (also `mptcpi_endp_subflow_max`).
    ///
    /// `mptcpi_local_addr_max`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn local_addr_max(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_local_addr_max))
    }

    /// DSS checksums are enabled.
    ///
    /// `mptcpi_csum_enabled`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn csum_enabled(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_csum_enabled))
    }

    /// Data-level retransmissions.
    ///
    /// `mptcpi_retransmits`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn retransmits(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_retransmits))
    }

    /// Bytes retransmitted at the data level.
    ///
    /// `mptcpi_bytes_retrans`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_retrans(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_bytes_retrans))
    }

    /// Bytes sent at the data level.
    ///
    /// `mptcpi_bytes_sent`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_sent(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_bytes_sent))
    }

    /// Bytes received at the data level.
    ///
    /// `mptcpi_bytes_received`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_received(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_bytes_received))
    }

    /// Bytes acknowledged at the data level.
    ///
    /// `mptcpi_bytes_acked`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn bytes_acked(&self) -> Option<u64> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_bytes_acked))
    }

    /// Subflows in total, the initial one included.
    ///
    /// `mptcpi_subflows_total`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn subflows_total(&self) -> Option<u8> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_subflows_total))
    }

    /// Limit of ADD_ADDR endpoints.
    ///
    /// `mptcpi_endp_add_addr_max`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn endp_add_addr_max(&self) -> Option<u8> {
        read(
            self.bytes(),
            offset_of!(mptcp_info, mptcpi_endp_add_addr_max),
        )
    }

    /// Time since data was last sent, milliseconds.
    ///
    /// `mptcpi_last_data_sent`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn last_data_sent(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_last_data_sent))
    }

    /// Time since data was last received, milliseconds.
    ///
    /// `mptcpi_last_data_recv`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn last_data_recv(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_last_data_recv))
    }

    /// Time since an ACK was last received, milliseconds.
    ///
    /// `mptcpi_last_ack_recv`; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn last_ack_recv(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(mptcp_info, mptcpi_last_ack_recv))
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for MptcpInfo<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("MptcpInfo");
        d.field("len", &self.len());
        field(&mut d, "subflows", self.subflows());
        field(&mut d, "add_addr_signal", self.add_addr_signal());
        field(&mut d, "add_addr_accepted", self.add_addr_accepted());
        field(&mut d, "subflows_max", self.subflows_max());
        field(&mut d, "add_addr_signal_max", self.add_addr_signal_max());
        field(
            &mut d,
            "add_addr_accepted_max",
            self.add_addr_accepted_max(),
        );
        field(&mut d, "flags", self.flags());
        field(&mut d, "token", self.token());
        field(&mut d, "write_seq", self.write_seq());
        field(&mut d, "snd_una", self.snd_una());
        field(&mut d, "rcv_nxt", self.rcv_nxt());
        field(&mut d, "local_addr_used", self.local_addr_used());
        field(&mut d, "local_addr_max", self.local_addr_max());
        field(&mut d, "csum_enabled", self.csum_enabled());
        field(&mut d, "retransmits", self.retransmits());
        field(&mut d, "bytes_retrans", self.bytes_retrans());
        field(&mut d, "bytes_sent", self.bytes_sent());
        field(&mut d, "bytes_received", self.bytes_received());
        field(&mut d, "bytes_acked", self.bytes_acked());
        field(&mut d, "subflows_total", self.subflows_total());
        field(&mut d, "endp_add_addr_max", self.endp_add_addr_max());
        field(&mut d, "last_data_sent", self.last_data_sent());
        field(&mut d, "last_data_recv", self.last_data_recv());
        field(&mut d, "last_ack_recv", self.last_ack_recv());
        if !self.extra().is_empty() {
            d.field("extra", &self.extra());
        }
        d.finish()
    }
}
