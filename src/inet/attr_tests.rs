//! Typed attribute and growing-struct tests on hand-built messages (host
//! byte order and host bitfield ABI, so they hold on big-endian targets).
#![allow(clippy::unnecessary_cast)]

use core::mem::offset_of;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use zerocopy::IntoBytes;

use super::*;
use crate::netlink::tests::{attr, msg};
use crate::netlink::Messages;
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::inet_diag::*;
use crate::raw::mptcp::{self as rm, mptcp_info};
use crate::raw::sctp::sctp_info;
use crate::raw::tcp::tcp_info;
use crate::raw::tls as rt;
use crate::{Shutdown, SkMemInfo};

type Accessor = (&'static str, usize, fn(&[u8]) -> Option<u64>);

fn tcp_fields() -> Vec<Accessor> {
    vec![
        ("state", 1, |b: &[u8]| {
            TcpInfo::new(b).state().map(|s| u64::from(s.to_raw()))
        }),
        ("options", 6, |b: &[u8]| {
            TcpInfo::new(b).options().map(|o| u64::from(o.bits()))
        }),
        ("snd_wscale", 7, |b: &[u8]| {
            TcpInfo::new(b).snd_wscale().map(u64::from)
        }),
        ("rcv_wscale", 7, |b: &[u8]| {
            TcpInfo::new(b).rcv_wscale().map(u64::from)
        }),
        ("delivery_rate_app_limited", 8, |b: &[u8]| {
            TcpInfo::new(b).delivery_rate_app_limited().map(u64::from)
        }),
        ("fastopen_client_fail", 8, |b: &[u8]| {
            TcpInfo::new(b).fastopen_client_fail().map(u64::from)
        }),
        (
            "ca_state",
            offset_of!(tcp_info, tcpi_ca_state) + 1,
            |b: &[u8]| TcpInfo::new(b).ca_state().map(|v| v as u64),
        ),
        (
            "retransmits",
            offset_of!(tcp_info, tcpi_retransmits) + 1,
            |b: &[u8]| TcpInfo::new(b).retransmits().map(|v| v as u64),
        ),
        (
            "probes",
            offset_of!(tcp_info, tcpi_probes) + 1,
            |b: &[u8]| TcpInfo::new(b).probes().map(|v| v as u64),
        ),
        (
            "backoff",
            offset_of!(tcp_info, tcpi_backoff) + 1,
            |b: &[u8]| TcpInfo::new(b).backoff().map(|v| v as u64),
        ),
        ("rto", offset_of!(tcp_info, tcpi_rto) + 4, |b: &[u8]| {
            TcpInfo::new(b).rto().map(|v| v as u64)
        }),
        ("ato", offset_of!(tcp_info, tcpi_ato) + 4, |b: &[u8]| {
            TcpInfo::new(b).ato().map(|v| v as u64)
        }),
        (
            "snd_mss",
            offset_of!(tcp_info, tcpi_snd_mss) + 4,
            |b: &[u8]| TcpInfo::new(b).snd_mss().map(|v| v as u64),
        ),
        (
            "rcv_mss",
            offset_of!(tcp_info, tcpi_rcv_mss) + 4,
            |b: &[u8]| TcpInfo::new(b).rcv_mss().map(|v| v as u64),
        ),
        (
            "unacked",
            offset_of!(tcp_info, tcpi_unacked) + 4,
            |b: &[u8]| TcpInfo::new(b).unacked().map(|v| v as u64),
        ),
        (
            "sacked",
            offset_of!(tcp_info, tcpi_sacked) + 4,
            |b: &[u8]| TcpInfo::new(b).sacked().map(|v| v as u64),
        ),
        ("lost", offset_of!(tcp_info, tcpi_lost) + 4, |b: &[u8]| {
            TcpInfo::new(b).lost().map(|v| v as u64)
        }),
        (
            "retrans",
            offset_of!(tcp_info, tcpi_retrans) + 4,
            |b: &[u8]| TcpInfo::new(b).retrans().map(|v| v as u64),
        ),
        (
            "fackets",
            offset_of!(tcp_info, tcpi_fackets) + 4,
            |b: &[u8]| TcpInfo::new(b).fackets().map(|v| v as u64),
        ),
        (
            "last_data_sent",
            offset_of!(tcp_info, tcpi_last_data_sent) + 4,
            |b: &[u8]| TcpInfo::new(b).last_data_sent().map(|v| v as u64),
        ),
        (
            "last_ack_sent",
            offset_of!(tcp_info, tcpi_last_ack_sent) + 4,
            |b: &[u8]| TcpInfo::new(b).last_ack_sent().map(|v| v as u64),
        ),
        (
            "last_data_recv",
            offset_of!(tcp_info, tcpi_last_data_recv) + 4,
            |b: &[u8]| TcpInfo::new(b).last_data_recv().map(|v| v as u64),
        ),
        (
            "last_ack_recv",
            offset_of!(tcp_info, tcpi_last_ack_recv) + 4,
            |b: &[u8]| TcpInfo::new(b).last_ack_recv().map(|v| v as u64),
        ),
        ("pmtu", offset_of!(tcp_info, tcpi_pmtu) + 4, |b: &[u8]| {
            TcpInfo::new(b).pmtu().map(|v| v as u64)
        }),
        (
            "rcv_ssthresh",
            offset_of!(tcp_info, tcpi_rcv_ssthresh) + 4,
            |b: &[u8]| TcpInfo::new(b).rcv_ssthresh().map(|v| v as u64),
        ),
        ("rtt", offset_of!(tcp_info, tcpi_rtt) + 4, |b: &[u8]| {
            TcpInfo::new(b).rtt().map(|v| v as u64)
        }),
        (
            "rttvar",
            offset_of!(tcp_info, tcpi_rttvar) + 4,
            |b: &[u8]| TcpInfo::new(b).rttvar().map(|v| v as u64),
        ),
        (
            "snd_ssthresh",
            offset_of!(tcp_info, tcpi_snd_ssthresh) + 4,
            |b: &[u8]| TcpInfo::new(b).snd_ssthresh().map(|v| v as u64),
        ),
        (
            "snd_cwnd",
            offset_of!(tcp_info, tcpi_snd_cwnd) + 4,
            |b: &[u8]| TcpInfo::new(b).snd_cwnd().map(|v| v as u64),
        ),
        (
            "advmss",
            offset_of!(tcp_info, tcpi_advmss) + 4,
            |b: &[u8]| TcpInfo::new(b).advmss().map(|v| v as u64),
        ),
        (
            "reordering",
            offset_of!(tcp_info, tcpi_reordering) + 4,
            |b: &[u8]| TcpInfo::new(b).reordering().map(|v| v as u64),
        ),
        (
            "rcv_rtt",
            offset_of!(tcp_info, tcpi_rcv_rtt) + 4,
            |b: &[u8]| TcpInfo::new(b).rcv_rtt().map(|v| v as u64),
        ),
        (
            "rcv_space",
            offset_of!(tcp_info, tcpi_rcv_space) + 4,
            |b: &[u8]| TcpInfo::new(b).rcv_space().map(|v| v as u64),
        ),
        (
            "total_retrans",
            offset_of!(tcp_info, tcpi_total_retrans) + 4,
            |b: &[u8]| TcpInfo::new(b).total_retrans().map(|v| v as u64),
        ),
        (
            "pacing_rate",
            offset_of!(tcp_info, tcpi_pacing_rate) + 8,
            |b: &[u8]| TcpInfo::new(b).pacing_rate().map(|v| v as u64),
        ),
        (
            "max_pacing_rate",
            offset_of!(tcp_info, tcpi_max_pacing_rate) + 8,
            |b: &[u8]| TcpInfo::new(b).max_pacing_rate().map(|v| v as u64),
        ),
        (
            "bytes_acked",
            offset_of!(tcp_info, tcpi_bytes_acked) + 8,
            |b: &[u8]| TcpInfo::new(b).bytes_acked().map(|v| v as u64),
        ),
        (
            "bytes_received",
            offset_of!(tcp_info, tcpi_bytes_received) + 8,
            |b: &[u8]| TcpInfo::new(b).bytes_received().map(|v| v as u64),
        ),
        (
            "segs_out",
            offset_of!(tcp_info, tcpi_segs_out) + 4,
            |b: &[u8]| TcpInfo::new(b).segs_out().map(|v| v as u64),
        ),
        (
            "segs_in",
            offset_of!(tcp_info, tcpi_segs_in) + 4,
            |b: &[u8]| TcpInfo::new(b).segs_in().map(|v| v as u64),
        ),
        (
            "notsent_bytes",
            offset_of!(tcp_info, tcpi_notsent_bytes) + 4,
            |b: &[u8]| TcpInfo::new(b).notsent_bytes().map(|v| v as u64),
        ),
        (
            "min_rtt",
            offset_of!(tcp_info, tcpi_min_rtt) + 4,
            |b: &[u8]| TcpInfo::new(b).min_rtt().map(|v| v as u64),
        ),
        (
            "data_segs_in",
            offset_of!(tcp_info, tcpi_data_segs_in) + 4,
            |b: &[u8]| TcpInfo::new(b).data_segs_in().map(|v| v as u64),
        ),
        (
            "data_segs_out",
            offset_of!(tcp_info, tcpi_data_segs_out) + 4,
            |b: &[u8]| TcpInfo::new(b).data_segs_out().map(|v| v as u64),
        ),
        (
            "delivery_rate",
            offset_of!(tcp_info, tcpi_delivery_rate) + 8,
            |b: &[u8]| TcpInfo::new(b).delivery_rate().map(|v| v as u64),
        ),
        (
            "busy_time",
            offset_of!(tcp_info, tcpi_busy_time) + 8,
            |b: &[u8]| TcpInfo::new(b).busy_time().map(|v| v as u64),
        ),
        (
            "rwnd_limited",
            offset_of!(tcp_info, tcpi_rwnd_limited) + 8,
            |b: &[u8]| TcpInfo::new(b).rwnd_limited().map(|v| v as u64),
        ),
        (
            "sndbuf_limited",
            offset_of!(tcp_info, tcpi_sndbuf_limited) + 8,
            |b: &[u8]| TcpInfo::new(b).sndbuf_limited().map(|v| v as u64),
        ),
        (
            "delivered",
            offset_of!(tcp_info, tcpi_delivered) + 4,
            |b: &[u8]| TcpInfo::new(b).delivered().map(|v| v as u64),
        ),
        (
            "delivered_ce",
            offset_of!(tcp_info, tcpi_delivered_ce) + 4,
            |b: &[u8]| TcpInfo::new(b).delivered_ce().map(|v| v as u64),
        ),
        (
            "bytes_sent",
            offset_of!(tcp_info, tcpi_bytes_sent) + 8,
            |b: &[u8]| TcpInfo::new(b).bytes_sent().map(|v| v as u64),
        ),
        (
            "bytes_retrans",
            offset_of!(tcp_info, tcpi_bytes_retrans) + 8,
            |b: &[u8]| TcpInfo::new(b).bytes_retrans().map(|v| v as u64),
        ),
        (
            "dsack_dups",
            offset_of!(tcp_info, tcpi_dsack_dups) + 4,
            |b: &[u8]| TcpInfo::new(b).dsack_dups().map(|v| v as u64),
        ),
        (
            "reord_seen",
            offset_of!(tcp_info, tcpi_reord_seen) + 4,
            |b: &[u8]| TcpInfo::new(b).reord_seen().map(|v| v as u64),
        ),
        (
            "rcv_ooopack",
            offset_of!(tcp_info, tcpi_rcv_ooopack) + 4,
            |b: &[u8]| TcpInfo::new(b).rcv_ooopack().map(|v| v as u64),
        ),
        (
            "snd_wnd",
            offset_of!(tcp_info, tcpi_snd_wnd) + 4,
            |b: &[u8]| TcpInfo::new(b).snd_wnd().map(|v| v as u64),
        ),
        (
            "rcv_wnd",
            offset_of!(tcp_info, tcpi_rcv_wnd) + 4,
            |b: &[u8]| TcpInfo::new(b).rcv_wnd().map(|v| v as u64),
        ),
        (
            "rehash",
            offset_of!(tcp_info, tcpi_rehash) + 4,
            |b: &[u8]| TcpInfo::new(b).rehash().map(|v| v as u64),
        ),
        (
            "total_rto",
            offset_of!(tcp_info, tcpi_total_rto) + 2,
            |b: &[u8]| TcpInfo::new(b).total_rto().map(|v| v as u64),
        ),
        (
            "total_rto_recoveries",
            offset_of!(tcp_info, tcpi_total_rto_recoveries) + 2,
            |b: &[u8]| TcpInfo::new(b).total_rto_recoveries().map(|v| v as u64),
        ),
        (
            "total_rto_time",
            offset_of!(tcp_info, tcpi_total_rto_time) + 4,
            |b: &[u8]| TcpInfo::new(b).total_rto_time().map(|v| v as u64),
        ),
        (
            "received_ce",
            offset_of!(tcp_info, tcpi_received_ce) + 4,
            |b: &[u8]| TcpInfo::new(b).received_ce().map(|v| v as u64),
        ),
        (
            "delivered_e1_bytes",
            offset_of!(tcp_info, tcpi_delivered_e1_bytes) + 4,
            |b: &[u8]| TcpInfo::new(b).delivered_e1_bytes().map(|v| v as u64),
        ),
        (
            "delivered_e0_bytes",
            offset_of!(tcp_info, tcpi_delivered_e0_bytes) + 4,
            |b: &[u8]| TcpInfo::new(b).delivered_e0_bytes().map(|v| v as u64),
        ),
        (
            "delivered_ce_bytes",
            offset_of!(tcp_info, tcpi_delivered_ce_bytes) + 4,
            |b: &[u8]| TcpInfo::new(b).delivered_ce_bytes().map(|v| v as u64),
        ),
        (
            "received_e1_bytes",
            offset_of!(tcp_info, tcpi_received_e1_bytes) + 4,
            |b: &[u8]| TcpInfo::new(b).received_e1_bytes().map(|v| v as u64),
        ),
        (
            "received_e0_bytes",
            offset_of!(tcp_info, tcpi_received_e0_bytes) + 4,
            |b: &[u8]| TcpInfo::new(b).received_e0_bytes().map(|v| v as u64),
        ),
        (
            "received_ce_bytes",
            offset_of!(tcp_info, tcpi_received_ce_bytes) + 4,
            |b: &[u8]| TcpInfo::new(b).received_ce_bytes().map(|v| v as u64),
        ),
        (
            "accecn_raw",
            offset_of!(tcp_info, tcpi_accecn) + 4,
            |b: &[u8]| TcpInfo::new(b).accecn_raw().map(|v| v as u64),
        ),
    ]
}

fn sctp_fields() -> Vec<Accessor> {
    vec![
        ("tag", offset_of!(sctp_info, sctpi_tag) + 4, |b: &[u8]| {
            SctpInfo::new(b).tag().map(|v| v as u64)
        }),
        (
            "state",
            offset_of!(sctp_info, sctpi_state) + 4,
            |b: &[u8]| SctpInfo::new(b).state().map(|v| v as u64),
        ),
        (
            "rwnd",
            offset_of!(sctp_info, sctpi_rwnd) + 4,
            |b: &[u8]| SctpInfo::new(b).rwnd().map(|v| v as u64),
        ),
        (
            "unackdata",
            offset_of!(sctp_info, sctpi_unackdata) + 2,
            |b: &[u8]| SctpInfo::new(b).unackdata().map(|v| v as u64),
        ),
        (
            "penddata",
            offset_of!(sctp_info, sctpi_penddata) + 2,
            |b: &[u8]| SctpInfo::new(b).penddata().map(|v| v as u64),
        ),
        (
            "instrms",
            offset_of!(sctp_info, sctpi_instrms) + 2,
            |b: &[u8]| SctpInfo::new(b).instrms().map(|v| v as u64),
        ),
        (
            "outstrms",
            offset_of!(sctp_info, sctpi_outstrms) + 2,
            |b: &[u8]| SctpInfo::new(b).outstrms().map(|v| v as u64),
        ),
        (
            "fragmentation_point",
            offset_of!(sctp_info, sctpi_fragmentation_point) + 4,
            |b: &[u8]| SctpInfo::new(b).fragmentation_point().map(|v| v as u64),
        ),
        (
            "inqueue",
            offset_of!(sctp_info, sctpi_inqueue) + 4,
            |b: &[u8]| SctpInfo::new(b).inqueue().map(|v| v as u64),
        ),
        (
            "outqueue",
            offset_of!(sctp_info, sctpi_outqueue) + 4,
            |b: &[u8]| SctpInfo::new(b).outqueue().map(|v| v as u64),
        ),
        (
            "overall_error",
            offset_of!(sctp_info, sctpi_overall_error) + 4,
            |b: &[u8]| SctpInfo::new(b).overall_error().map(|v| v as u64),
        ),
        (
            "max_burst",
            offset_of!(sctp_info, sctpi_max_burst) + 4,
            |b: &[u8]| SctpInfo::new(b).max_burst().map(|v| v as u64),
        ),
        (
            "maxseg",
            offset_of!(sctp_info, sctpi_maxseg) + 4,
            |b: &[u8]| SctpInfo::new(b).maxseg().map(|v| v as u64),
        ),
        (
            "peer_rwnd",
            offset_of!(sctp_info, sctpi_peer_rwnd) + 4,
            |b: &[u8]| SctpInfo::new(b).peer_rwnd().map(|v| v as u64),
        ),
        (
            "peer_tag",
            offset_of!(sctp_info, sctpi_peer_tag) + 4,
            |b: &[u8]| SctpInfo::new(b).peer_tag().map(|v| v as u64),
        ),
        (
            "peer_capable",
            offset_of!(sctp_info, sctpi_peer_capable) + 1,
            |b: &[u8]| SctpInfo::new(b).peer_capable().map(|v| v as u64),
        ),
        (
            "peer_sack",
            offset_of!(sctp_info, sctpi_peer_sack) + 1,
            |b: &[u8]| SctpInfo::new(b).peer_sack().map(|v| v as u64),
        ),
        (
            "isacks",
            offset_of!(sctp_info, sctpi_isacks) + 8,
            |b: &[u8]| SctpInfo::new(b).isacks().map(|v| v as u64),
        ),
        (
            "osacks",
            offset_of!(sctp_info, sctpi_osacks) + 8,
            |b: &[u8]| SctpInfo::new(b).osacks().map(|v| v as u64),
        ),
        (
            "opackets",
            offset_of!(sctp_info, sctpi_opackets) + 8,
            |b: &[u8]| SctpInfo::new(b).opackets().map(|v| v as u64),
        ),
        (
            "ipackets",
            offset_of!(sctp_info, sctpi_ipackets) + 8,
            |b: &[u8]| SctpInfo::new(b).ipackets().map(|v| v as u64),
        ),
        (
            "rtxchunks",
            offset_of!(sctp_info, sctpi_rtxchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).rtxchunks().map(|v| v as u64),
        ),
        (
            "outofseqtsns",
            offset_of!(sctp_info, sctpi_outofseqtsns) + 8,
            |b: &[u8]| SctpInfo::new(b).outofseqtsns().map(|v| v as u64),
        ),
        (
            "idupchunks",
            offset_of!(sctp_info, sctpi_idupchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).idupchunks().map(|v| v as u64),
        ),
        (
            "gapcnt",
            offset_of!(sctp_info, sctpi_gapcnt) + 8,
            |b: &[u8]| SctpInfo::new(b).gapcnt().map(|v| v as u64),
        ),
        (
            "ouodchunks",
            offset_of!(sctp_info, sctpi_ouodchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).ouodchunks().map(|v| v as u64),
        ),
        (
            "iuodchunks",
            offset_of!(sctp_info, sctpi_iuodchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).iuodchunks().map(|v| v as u64),
        ),
        (
            "oodchunks",
            offset_of!(sctp_info, sctpi_oodchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).oodchunks().map(|v| v as u64),
        ),
        (
            "iodchunks",
            offset_of!(sctp_info, sctpi_iodchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).iodchunks().map(|v| v as u64),
        ),
        (
            "octrlchunks",
            offset_of!(sctp_info, sctpi_octrlchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).octrlchunks().map(|v| v as u64),
        ),
        (
            "ictrlchunks",
            offset_of!(sctp_info, sctpi_ictrlchunks) + 8,
            |b: &[u8]| SctpInfo::new(b).ictrlchunks().map(|v| v as u64),
        ),
        (
            "p_state",
            offset_of!(sctp_info, sctpi_p_state) + 4,
            |b: &[u8]| SctpInfo::new(b).p_state().map(|v| v as u64),
        ),
        (
            "p_cwnd",
            offset_of!(sctp_info, sctpi_p_cwnd) + 4,
            |b: &[u8]| SctpInfo::new(b).p_cwnd().map(|v| v as u64),
        ),
        (
            "p_srtt",
            offset_of!(sctp_info, sctpi_p_srtt) + 4,
            |b: &[u8]| SctpInfo::new(b).p_srtt().map(|v| v as u64),
        ),
        (
            "p_rto",
            offset_of!(sctp_info, sctpi_p_rto) + 4,
            |b: &[u8]| SctpInfo::new(b).p_rto().map(|v| v as u64),
        ),
        (
            "p_hbinterval",
            offset_of!(sctp_info, sctpi_p_hbinterval) + 4,
            |b: &[u8]| SctpInfo::new(b).p_hbinterval().map(|v| v as u64),
        ),
        (
            "p_pathmaxrxt",
            offset_of!(sctp_info, sctpi_p_pathmaxrxt) + 4,
            |b: &[u8]| SctpInfo::new(b).p_pathmaxrxt().map(|v| v as u64),
        ),
        (
            "p_sackdelay",
            offset_of!(sctp_info, sctpi_p_sackdelay) + 4,
            |b: &[u8]| SctpInfo::new(b).p_sackdelay().map(|v| v as u64),
        ),
        (
            "p_sackfreq",
            offset_of!(sctp_info, sctpi_p_sackfreq) + 4,
            |b: &[u8]| SctpInfo::new(b).p_sackfreq().map(|v| v as u64),
        ),
        (
            "p_ssthresh",
            offset_of!(sctp_info, sctpi_p_ssthresh) + 4,
            |b: &[u8]| SctpInfo::new(b).p_ssthresh().map(|v| v as u64),
        ),
        (
            "p_partial_bytes_acked",
            offset_of!(sctp_info, sctpi_p_partial_bytes_acked) + 4,
            |b: &[u8]| SctpInfo::new(b).p_partial_bytes_acked().map(|v| v as u64),
        ),
        (
            "p_flight_size",
            offset_of!(sctp_info, sctpi_p_flight_size) + 4,
            |b: &[u8]| SctpInfo::new(b).p_flight_size().map(|v| v as u64),
        ),
        (
            "p_error",
            offset_of!(sctp_info, sctpi_p_error) + 2,
            |b: &[u8]| SctpInfo::new(b).p_error().map(|v| v as u64),
        ),
        (
            "s_autoclose",
            offset_of!(sctp_info, sctpi_s_autoclose) + 4,
            |b: &[u8]| SctpInfo::new(b).s_autoclose().map(|v| v as u64),
        ),
        (
            "s_adaptation_ind",
            offset_of!(sctp_info, sctpi_s_adaptation_ind) + 4,
            |b: &[u8]| SctpInfo::new(b).s_adaptation_ind().map(|v| v as u64),
        ),
        (
            "s_pd_point",
            offset_of!(sctp_info, sctpi_s_pd_point) + 4,
            |b: &[u8]| SctpInfo::new(b).s_pd_point().map(|v| v as u64),
        ),
        (
            "s_nodelay",
            offset_of!(sctp_info, sctpi_s_nodelay) + 1,
            |b: &[u8]| SctpInfo::new(b).s_nodelay().map(|v| v as u64),
        ),
        (
            "s_disable_fragments",
            offset_of!(sctp_info, sctpi_s_disable_fragments) + 1,
            |b: &[u8]| SctpInfo::new(b).s_disable_fragments().map(|v| v as u64),
        ),
        (
            "s_v4mapped",
            offset_of!(sctp_info, sctpi_s_v4mapped) + 1,
            |b: &[u8]| SctpInfo::new(b).s_v4mapped().map(|v| v as u64),
        ),
        (
            "s_frag_interleave",
            offset_of!(sctp_info, sctpi_s_frag_interleave) + 1,
            |b: &[u8]| SctpInfo::new(b).s_frag_interleave().map(|v| v as u64),
        ),
        (
            "s_type",
            offset_of!(sctp_info, sctpi_s_type) + 4,
            |b: &[u8]| SctpInfo::new(b).s_type().map(|v| v as u64),
        ),
    ]
}

fn mptcp_fields() -> Vec<Accessor> {
    vec![
        (
            "subflows",
            offset_of!(mptcp_info, mptcpi_subflows) + 1,
            |b: &[u8]| MptcpInfo::new(b).subflows().map(|v| v as u64),
        ),
        (
            "add_addr_signal",
            offset_of!(mptcp_info, mptcpi_add_addr_signal) + 1,
            |b: &[u8]| MptcpInfo::new(b).add_addr_signal().map(|v| v as u64),
        ),
        (
            "add_addr_accepted",
            offset_of!(mptcp_info, mptcpi_add_addr_accepted) + 1,
            |b: &[u8]| MptcpInfo::new(b).add_addr_accepted().map(|v| v as u64),
        ),
        (
            "subflows_max",
            offset_of!(mptcp_info, mptcpi_subflows_max) + 1,
            |b: &[u8]| MptcpInfo::new(b).subflows_max().map(|v| v as u64),
        ),
        (
            "add_addr_signal_max",
            offset_of!(mptcp_info, mptcpi_add_addr_signal_max) + 1,
            |b: &[u8]| MptcpInfo::new(b).add_addr_signal_max().map(|v| v as u64),
        ),
        (
            "add_addr_accepted_max",
            offset_of!(mptcp_info, mptcpi_add_addr_accepted_max) + 1,
            |b: &[u8]| MptcpInfo::new(b).add_addr_accepted_max().map(|v| v as u64),
        ),
        (
            "flags",
            offset_of!(mptcp_info, mptcpi_flags) + 4,
            |b: &[u8]| MptcpInfo::new(b).flags().map(|v| v as u64),
        ),
        (
            "token",
            offset_of!(mptcp_info, mptcpi_token) + 4,
            |b: &[u8]| MptcpInfo::new(b).token().map(|v| v as u64),
        ),
        (
            "write_seq",
            offset_of!(mptcp_info, mptcpi_write_seq) + 8,
            |b: &[u8]| MptcpInfo::new(b).write_seq().map(|v| v as u64),
        ),
        (
            "snd_una",
            offset_of!(mptcp_info, mptcpi_snd_una) + 8,
            |b: &[u8]| MptcpInfo::new(b).snd_una().map(|v| v as u64),
        ),
        (
            "rcv_nxt",
            offset_of!(mptcp_info, mptcpi_rcv_nxt) + 8,
            |b: &[u8]| MptcpInfo::new(b).rcv_nxt().map(|v| v as u64),
        ),
        (
            "local_addr_used",
            offset_of!(mptcp_info, mptcpi_local_addr_used) + 1,
            |b: &[u8]| MptcpInfo::new(b).local_addr_used().map(|v| v as u64),
        ),
        (
            "local_addr_max",
            offset_of!(mptcp_info, mptcpi_local_addr_max) + 1,
            |b: &[u8]| MptcpInfo::new(b).local_addr_max().map(|v| v as u64),
        ),
        (
            "csum_enabled",
            offset_of!(mptcp_info, mptcpi_csum_enabled) + 1,
            |b: &[u8]| MptcpInfo::new(b).csum_enabled().map(|v| v as u64),
        ),
        (
            "retransmits",
            offset_of!(mptcp_info, mptcpi_retransmits) + 4,
            |b: &[u8]| MptcpInfo::new(b).retransmits().map(|v| v as u64),
        ),
        (
            "bytes_retrans",
            offset_of!(mptcp_info, mptcpi_bytes_retrans) + 8,
            |b: &[u8]| MptcpInfo::new(b).bytes_retrans().map(|v| v as u64),
        ),
        (
            "bytes_sent",
            offset_of!(mptcp_info, mptcpi_bytes_sent) + 8,
            |b: &[u8]| MptcpInfo::new(b).bytes_sent().map(|v| v as u64),
        ),
        (
            "bytes_received",
            offset_of!(mptcp_info, mptcpi_bytes_received) + 8,
            |b: &[u8]| MptcpInfo::new(b).bytes_received().map(|v| v as u64),
        ),
        (
            "bytes_acked",
            offset_of!(mptcp_info, mptcpi_bytes_acked) + 8,
            |b: &[u8]| MptcpInfo::new(b).bytes_acked().map(|v| v as u64),
        ),
        (
            "subflows_total",
            offset_of!(mptcp_info, mptcpi_subflows_total) + 1,
            |b: &[u8]| MptcpInfo::new(b).subflows_total().map(|v| v as u64),
        ),
        (
            "endp_add_addr_max",
            offset_of!(mptcp_info, mptcpi_endp_add_addr_max) + 1,
            |b: &[u8]| MptcpInfo::new(b).endp_add_addr_max().map(|v| v as u64),
        ),
        (
            "last_data_sent",
            offset_of!(mptcp_info, mptcpi_last_data_sent) + 4,
            |b: &[u8]| MptcpInfo::new(b).last_data_sent().map(|v| v as u64),
        ),
        (
            "last_data_recv",
            offset_of!(mptcp_info, mptcpi_last_data_recv) + 4,
            |b: &[u8]| MptcpInfo::new(b).last_data_recv().map(|v| v as u64),
        ),
        (
            "last_ack_recv",
            offset_of!(mptcp_info, mptcpi_last_ack_recv) + 4,
            |b: &[u8]| MptcpInfo::new(b).last_ack_recv().map(|v| v as u64),
        ),
    ]
}

/// A byte pattern no two fields read alike.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + 3) as u8).collect()
}

/// Every accessor is `Some` exactly when `len` covers its field, and then
/// reads the same value as from the full struct.
fn check_prefixes(full_len: usize, lens: &[usize], fields: &[Accessor]) {
    let bytes = pattern(lens.iter().copied().max().unwrap_or(0).max(full_len));
    let full = &bytes[..full_len];
    for &len in lens {
        let view = &bytes[..len];
        for (name, end, get) in fields {
            let v = get(view);
            assert_eq!(
                v.is_some(),
                *end <= len,
                "{name} (ends at {end}) with {len} bytes"
            );
            if v.is_some() {
                assert_eq!(v, get(full), "{name} with {len} bytes");
            }
        }
    }
}

#[test]
fn tcp_info_of_every_historic_size() {
    // Linux 2.6, 3.15, 4.1, 4.2, 4.6, 4.9, 4.10, 4.18, 4.19, 5.4, 6.2, 6.7, 6.18.
    let sizes = [
        104, 120, 136, 144, 160, 168, 192, 200, 224, 232, 240, 248, 280,
    ];
    let mut lens: Vec<usize> = (0..=300).collect();
    lens.extend(sizes);
    check_prefixes(280, &lens, &tcp_fields());
    // The first field each size lacks, and the last it has (kernel.md C2).
    let b = pattern(300);
    let at = |n: usize| TcpInfo::new(&b[..n]);
    assert!(at(104).total_retrans().is_some() && at(104).pacing_rate().is_none());
    assert!(at(120).max_pacing_rate().is_some() && at(120).bytes_acked().is_none());
    assert!(at(136).bytes_received().is_some() && at(136).segs_out().is_none());
    assert!(at(144).segs_in().is_some() && at(144).notsent_bytes().is_none());
    assert!(at(160).data_segs_out().is_some() && at(160).delivery_rate().is_none());
    assert!(at(168).delivery_rate().is_some() && at(168).busy_time().is_none());
    assert!(at(192).sndbuf_limited().is_some() && at(192).delivered().is_none());
    assert!(at(200).delivered_ce().is_some() && at(200).bytes_sent().is_none());
    assert!(at(224).reord_seen().is_some() && at(224).rcv_ooopack().is_none());
    assert!(at(232).snd_wnd().is_some() && at(232).rcv_wnd().is_none());
    assert!(at(240).rehash().is_some() && at(240).total_rto().is_none());
    assert!(at(248).total_rto_time().is_some() && at(248).received_ce().is_none());
    assert!(at(280).accecn_raw().is_some() && at(280).extra().is_empty());
    // Longer than today's struct: accepted, the tail reachable.
    assert_eq!(at(300).extra(), &b[280..300]);
    assert_eq!(at(300).accecn_raw(), at(280).accecn_raw());
    // Empty and tiny payloads are views with nothing in them, not errors.
    assert!(at(0).is_empty() && at(0).state().is_none());
    assert_eq!(at(5).backoff(), Some(b[4]));
}

#[test]
fn zero_extended_copies_and_owned_views() {
    let b = pattern(300);
    for n in [0, 104, 200, 280, 300] {
        let info = TcpInfo::new(&b[..n]);
        let z = info.to_zero_extended();
        let zb = z.as_bytes();
        let k = n.min(280);
        assert_eq!(&zb[..k], &b[..k]);
        assert!(zb[k..].iter().all(|&x| x == 0));
        let owned: TcpInfo<Box<[u8]>> = info.into_owned();
        assert_eq!(owned.bytes(), &b[..n]);
        assert_eq!(owned.rtt(), info.rtt());
        assert_eq!(format!("{owned:?}"), format!("{info:?}"));
    }
}

#[test]
fn sctp_and_mptcp_info_prefixes() {
    let lens: Vec<usize> = (0..=400).collect();
    check_prefixes(368, &lens, &sctp_fields());
    let lens: Vec<usize> = (0..=120).collect();
    check_prefixes(96, &lens, &mptcp_fields());
    // Linux 5.7's 40-byte mptcp_info: up to rcv_nxt.
    let b = pattern(96);
    let old = MptcpInfo::new(&b[..40]);
    assert!(old.rcv_nxt().is_some() && old.local_addr_used().is_none());
    assert_eq!(core::mem::size_of::<mptcp_info>(), 96);
    assert_eq!(core::mem::size_of::<sctp_info>(), 368);
}

/// `byte` with `value` stored in the bitfield of `width` bits declared
/// after `before` bits, in this host's bitfield order.
fn set_bits(byte: u8, before: u32, width: u32, value: u8) -> u8 {
    let shift = if cfg!(target_endian = "big") {
        8 - before - width
    } else {
        before
    };
    byte | (value << shift)
}

#[test]
fn tcp_info_bitfields_follow_the_host_abi() {
    let mut raw = [0u8; 104];
    raw[offset_of!(tcp_info, tcpi_wscale)] = set_bits(set_bits(0, 0, 4, 7), 4, 4, 9);
    raw[offset_of!(tcp_info, tcpi_app_limited_tfo)] = set_bits(set_bits(0, 0, 1, 1), 1, 2, 3);
    raw[offset_of!(tcp_info, tcpi_options)] = 0b0000_0111;
    raw[0] = 1;
    let info = TcpInfo::new(&raw[..]);
    assert_eq!((info.snd_wscale(), info.rcv_wscale()), (Some(7), Some(9)));
    assert_eq!(info.delivery_rate_app_limited(), Some(true));
    assert_eq!(info.fastopen_client_fail(), Some(3));
    assert_eq!(
        info.options(),
        Some(TcpiOptions::TIMESTAMPS | TcpiOptions::SACK | TcpiOptions::WSCALE)
    );
    assert_eq!(info.state(), Some(TcpState::Established));
    // On little-endian the kernel's layout is documented: low nibble = snd.
    if cfg!(target_endian = "little") {
        let info = TcpInfo::new(&[0, 0, 0, 0, 0, 0, 0x97, 0b101][..]);
        assert_eq!((info.snd_wscale(), info.rcv_wscale()), (Some(7), Some(9)));
        assert_eq!(info.delivery_rate_app_limited(), Some(true));
        assert_eq!(info.fastopen_client_fail(), Some(2));
    }
}

fn base_msg(family: u8) -> inet_diag_msg {
    inet_diag_msg {
        idiag_family: family,
        idiag_state: 1,
        id: inet_diag_sockid {
            idiag_sport: 9.into(),
            idiag_dport: 10.into(),
            ..Default::default()
        },
        ..Default::default()
    }
}

/// A reply message: `inet_diag_msg` then `attrs`.
fn reply(kind: u16, family: u8, attrs: &[Vec<u8>]) -> Vec<u8> {
    let mut payload = base_msg(family).as_bytes().to_vec();
    for a in attrs {
        payload.extend_from_slice(a);
    }
    msg(kind, 2, 1, 1, &payload)
}

fn decode(bytes: &[u8], protocol: Option<Protocol>) -> Vec<Result<InetAttr<'_>, ParseError>> {
    let m = Messages::new(bytes).next().unwrap().unwrap();
    let v = match protocol {
        Some(p) => InetMsg::parse_as(m, p),
        None => InetMsg::parse(m),
    }
    .unwrap();
    v.attributes().collect()
}

fn sockaddr_in(ip: [u8; 4], port: u16) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b[..2].copy_from_slice(&u16::from(AF_INET).to_ne_bytes());
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[4..8].copy_from_slice(&ip);
    b
}

fn sockaddr_in6(ip: Ipv6Addr, port: u16, scope: u32) -> Vec<u8> {
    let mut b = vec![0u8; 128];
    b[..2].copy_from_slice(&u16::from(AF_INET6).to_ne_bytes());
    b[2..4].copy_from_slice(&port.to_be_bytes());
    b[8..24].copy_from_slice(&ip.octets());
    b[24..28].copy_from_slice(&scope.to_ne_bytes());
    b
}

use crate::raw::{AF_INET, AF_INET6};

fn u32s(v: &[u32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_ne_bytes()).collect()
}

#[test]
fn every_attribute_type_decodes() {
    let md5 = |fam: u8, addr: [u8; 16], prefix: u8, key: &[u8]| {
        let mut b = vec![fam, prefix];
        b.extend_from_slice(&(key.len() as u16).to_ne_bytes());
        b.extend_from_slice(&addr);
        let mut k = [0u8; 80];
        k[..key.len()].copy_from_slice(key);
        b.extend_from_slice(&k);
        b
    };
    let v6 = Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 7);
    let mut md5s = md5(
        AF_INET,
        [10, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        24,
        b"abc",
    );
    md5s.extend(md5(AF_INET6, v6.octets(), 128, b"longer key"));
    let tls = [
        attr(rt::TLS_INFO_VERSION, &0x0304u16.to_ne_bytes()),
        attr(rt::TLS_INFO_CIPHER, &52u16.to_ne_bytes()),
        attr(rt::TLS_INFO_TXCONF, &rt::TLS_CONF_SW.to_ne_bytes()),
        attr(rt::TLS_INFO_RXCONF, &rt::TLS_CONF_HW.to_ne_bytes()),
        attr(rt::TLS_INFO_ZC_RO_TX, &[]),
        attr(rt::TLS_INFO_RX_NO_PAD, &[]),
        attr(99, &[1]),
    ]
    .concat();
    let sockopt_bytes = [
        set_bits(set_bits(0, 1, 1, 1), 5, 1, 1), // is_icsk, transparent
        set_bits(0, 2, 1, 1),                    // defer_connect
    ];
    let bytes = reply(
        20,
        AF_INET,
        &[
            attr(INET_DIAG_MEMINFO, &u32s(&[1, 2, 3, 4])),
            attr(INET_DIAG_INFO, &[0u8; 104]),
            attr(INET_DIAG_VEGASINFO, &u32s(&[1, 5, 6, 7])),
            attr(INET_DIAG_CONG, b"dctcp\0"),
            attr(INET_DIAG_TOS, &[0x10]),
            attr(INET_DIAG_TCLASS, &[0x20]),
            attr(INET_DIAG_SKMEMINFO, &u32s(&[1, 2, 3, 4, 5, 6, 7, 8, 9])),
            attr(INET_DIAG_SHUTDOWN, &[3]),
            attr(
                INET_DIAG_DCTCPINFO,
                &[1u16.to_ne_bytes(), 2u16.to_ne_bytes()]
                    .concat()
                    .into_iter()
                    .chain(u32s(&[3, 4, 5]))
                    .collect::<Vec<_>>(),
            ),
            attr(INET_DIAG_PROTOCOL, &[17]),
            attr(INET_DIAG_SKV6ONLY, &[1]),
            attr(
                INET_DIAG_LOCALS,
                &[sockaddr_in([10, 0, 0, 1], 80), sockaddr_in6(v6, 443, 2)].concat(),
            ),
            attr(INET_DIAG_PEERS, &sockaddr_in([10, 0, 0, 2], 8080)),
            attr(INET_DIAG_PAD, &[]),
            attr(INET_DIAG_MARK, &0xabcdu32.to_ne_bytes()),
            attr(
                INET_DIAG_BBRINFO,
                &u32s(&[0x89ab_cdef, 0x0123_4567, 11, 739, 512]),
            ),
            attr(INET_DIAG_CLASS_ID, &0x10002u32.to_ne_bytes()),
            attr(INET_DIAG_MD5SIG, &md5s),
            attr(
                INET_DIAG_ULP_INFO,
                &[
                    attr(INET_ULP_INFO_NAME, b"tls\0"),
                    attr(INET_ULP_INFO_TLS, &tls),
                ]
                .concat(),
            ),
            attr(INET_DIAG_SK_BPF_STORAGES, &attr(1, &[5; 4])),
            attr(INET_DIAG_CGROUP_ID, &0x1234_5678_9abcu64.to_ne_bytes()),
            attr(INET_DIAG_SOCKOPT, &sockopt_bytes),
            attr(99, &[1, 2, 3]),
        ],
    );
    let got: Vec<InetAttr<'_>> = decode(&bytes, Some(Protocol::Tcp))
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(got.len(), 22, "every attribute but PAD");
    let mut it = got.into_iter();
    let mut next = || it.next().unwrap();
    assert!(matches!(
        next(),
        InetAttr::MemInfo(MemInfo {
            rmem: 1,
            wmem: 2,
            fmem: 3,
            tmem: 4
        })
    ));
    assert!(matches!(next(), InetAttr::TcpInfo(i) if i.len() == 104));
    assert!(matches!(
        next(),
        InetAttr::Vegas(VegasInfo {
            enabled: 1,
            rtt_count: 5,
            rtt_us: 6,
            min_rtt_us: 7
        })
    ));
    assert!(matches!(next(), InetAttr::Cong("dctcp")));
    assert!(matches!(next(), InetAttr::Tos(0x10)));
    assert!(matches!(next(), InetAttr::TClass(0x20)));
    match next() {
        InetAttr::SkMemInfo(m) => {
            assert_eq!(m.len(), 9);
            let all = [
                m.rmem_alloc(),
                m.rcvbuf(),
                m.wmem_alloc(),
                m.sndbuf(),
                m.fwd_alloc(),
                m.wmem_queued(),
                m.optmem(),
                m.backlog(),
                m.drops(),
            ];
            assert_eq!(all, [1, 2, 3, 4, 5, 6, 7, 8, 9].map(Some));
            assert_eq!(m.get(9), None);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(), InetAttr::Shutdown(s) if s == Shutdown::RECEIVE | Shutdown::SEND));
    assert!(matches!(
        next(),
        InetAttr::Dctcp(DctcpInfo {
            enabled: 1,
            ce_state: 2,
            alpha: 3,
            ab_ecn: 4,
            ab_tot: 5
        })
    ));
    assert!(matches!(next(), InetAttr::Protocol(17)));
    assert!(matches!(next(), InetAttr::V6Only(true)));
    match next() {
        InetAttr::Locals(a) => {
            let v: Vec<_> = a.iter().collect::<Result<_, _>>().unwrap();
            assert_eq!(v[0], "10.0.0.1:80".parse::<SocketAddr>().unwrap());
            assert_eq!(
                v[1],
                SocketAddr::V6(std::net::SocketAddrV6::new(v6, 443, 0, 2))
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(), InetAttr::Peers(a) if a.len() == 1));
    assert!(matches!(next(), InetAttr::Mark(0xabcd)));
    assert!(matches!(
        next(),
        InetAttr::Bbr(BbrInfo {
            bandwidth: 0x0123_4567_89ab_cdef,
            min_rtt_us: 11,
            pacing_gain: 739,
            cwnd_gain: 512
        })
    ));
    assert!(matches!(next(), InetAttr::ClassId(0x10002)));
    match next() {
        InetAttr::Md5Sig(k) => {
            let keys: Vec<Md5Key> = k.iter().collect::<Result<_, _>>().unwrap();
            assert_eq!(keys.len(), 2);
            assert_eq!(
                (keys[0].addr, keys[0].prefix_len, keys[0].key()),
                (IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 24, &b"abc"[..])
            );
            assert_eq!(
                (keys[1].addr, keys[1].key()),
                (IpAddr::V6(v6), &b"longer key"[..])
            );
            assert!(
                !format!("{:?}", keys[0]).contains("abc"),
                "keys are not printed"
            );
        }
        other => panic!("{other:?}"),
    }
    match next() {
        InetAttr::UlpInfo(u) => {
            assert_eq!(u.name(), "tls");
            let t = u.tls().unwrap();
            assert_eq!(
                (t.version, t.cipher, t.tx_conf, t.rx_conf),
                (Some(0x0304), Some(52), Some(2), Some(3))
            );
            assert!(t.zerocopy_sendfile && t.rx_no_pad);
            assert!(u.mptcp().is_none());
            assert_eq!(u.attrs().count(), 2);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(next(), InetAttr::BpfStorages(a) if a.nested().count() == 1));
    assert!(matches!(next(), InetAttr::CgroupId(0x1234_5678_9abc)));
    assert!(
        matches!(next(), InetAttr::SockOpt(s) if s == SockOpt::IS_ICSK | SockOpt::TRANSPARENT | SockOpt::DEFER_CONNECT)
    );
    assert!(matches!(next(), InetAttr::Other(a) if a.kind() == 99 && a.payload() == [1, 2, 3]));

    // The same, owned.
    let m = InetMsg::parse_as(
        Messages::new(&bytes).next().unwrap().unwrap(),
        Protocol::Tcp,
    )
    .unwrap();
    let s = InetSocket::from(m);
    let a = &s.attributes;
    assert!(a.errors.is_empty());
    assert_eq!(s.protocol, Some(Protocol::Tcp));
    assert_eq!(a.meminfo.unwrap().tmem, 4);
    assert_eq!(a.tcp_info.as_ref().unwrap().len(), 104);
    assert_eq!(a.cong.as_deref(), Some("dctcp"));
    assert_eq!(
        (a.tos, a.tclass, a.protocol, a.v6only),
        (Some(0x10), Some(0x20), Some(17), Some(true))
    );
    assert_eq!(a.skmeminfo.as_ref().unwrap().drops(), Some(9));
    assert_eq!(a.locals.as_ref().unwrap().len(), 2);
    assert_eq!(a.peers.as_ref().unwrap()[0].port(), 8080);
    assert_eq!(
        (a.mark, a.class_id, a.cgroup_id),
        (Some(0xabcd), Some(0x10002), Some(0x1234_5678_9abc))
    );
    assert_eq!(a.bbr.unwrap().bandwidth, 0x0123_4567_89ab_cdef);
    assert_eq!(a.md5sig.as_ref().unwrap().len(), 2);
    assert_eq!(a.ulp.as_ref().unwrap().name(), "tls");
    assert_eq!(a.bpf_storages.as_deref().map(<[u8]>::len), Some(8));
    assert_eq!(a.other, vec![(99, vec![1, 2, 3].into_boxed_slice())]);
    assert!(a.vegas.is_some() && a.dctcp.is_some() && a.sockopt.is_some() && a.shutdown.is_some());
}

#[test]
fn mptcp_ulp_subflow_attributes() {
    let sub = [
        attr(rm::MPTCP_SUBFLOW_ATTR_TOKEN_REM, &1u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_TOKEN_LOC, &2u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_RELWRITE_SEQ, &3u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_MAP_SEQ, &4u64.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_MAP_SFSEQ, &5u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_SSN_OFFSET, &6u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_MAP_DATALEN, &7u16.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_FLAGS, &8u32.to_ne_bytes()),
        attr(rm::MPTCP_SUBFLOW_ATTR_ID_REM, &[9]),
        attr(rm::MPTCP_SUBFLOW_ATTR_ID_LOC, &[10]),
        attr(rm::MPTCP_SUBFLOW_ATTR_PAD, &[]),
    ]
    .concat();
    let ulp = [
        attr(INET_ULP_INFO_NAME, b"mptcp\0"),
        attr(INET_ULP_INFO_MPTCP, &sub),
    ]
    .concat();
    let u = UlpInfo::new(&ulp[..], 0).unwrap();
    assert_eq!(u.name(), "mptcp");
    let m = u.mptcp().unwrap();
    assert_eq!(
        (
            m.token_rem,
            m.token_loc,
            m.rel_write_seq,
            m.map_seq,
            m.map_sfseq
        ),
        (Some(1), Some(2), Some(3), Some(4), Some(5))
    );
    assert_eq!(
        (m.ssn_offset, m.map_data_len, m.flags, m.id_rem, m.id_loc),
        (Some(6), Some(7), Some(8), Some(9), Some(10))
    );
    let owned = u.into_owned();
    assert_eq!(owned.mptcp(), u.mptcp());
    assert!(format!("{owned:?}").contains("mptcp"));
    // A name longer than TCP_ULP_NAME_MAX is an error, not a cut name.
    let long = attr(INET_ULP_INFO_NAME, b"a-very-long-ulp-name\0");
    assert!(UlpInfo::new(&long[..], 0).is_err());
}

#[test]
fn a_bad_attribute_is_an_error_for_itself_only() {
    let bytes = reply(
        20,
        AF_INET,
        &[
            attr(INET_DIAG_MARK, &[1, 2]),
            attr(INET_DIAG_MEMINFO, &[0; 8]),
            attr(INET_DIAG_SKMEMINFO, &[0; 10]),
            attr(INET_DIAG_LOCALS, &[0; 100]),
            attr(INET_DIAG_CONG, &[0xff, 0xfe, 0]),
            attr(INET_DIAG_MD5SIG, &[0; 150]),
            attr(INET_DIAG_ULP_INFO, &[9, 0]),
            attr(INET_DIAG_SOCKOPT, &[1]),
            attr(INET_DIAG_LOCALS, &[0; 128]),
            attr(INET_DIAG_BBRINFO, &[0; 19]),
            attr(INET_DIAG_CGROUP_ID, &[0; 4]),
            attr(INET_DIAG_MARK, &7u32.to_ne_bytes()),
        ],
    );
    let got = decode(&bytes, Some(Protocol::Tcp));
    assert_eq!(got.len(), 12);
    let kind = |i: usize| got[i].as_ref().unwrap_err().kind();
    assert_eq!(
        kind(0),
        ParseErrorKind::WrongLength {
            length: 2,
            expected: 4
        }
    );
    assert_eq!(
        kind(1),
        ParseErrorKind::Truncated {
            needed: 16,
            available: 8
        }
    );
    assert_eq!(
        kind(2),
        ParseErrorKind::BadArrayLength {
            length: 10,
            element: 4
        }
    );
    assert_eq!(
        kind(3),
        ParseErrorKind::BadArrayLength {
            length: 100,
            element: 128
        }
    );
    assert_eq!(kind(4), ParseErrorKind::InvalidUtf8);
    assert_eq!(
        kind(5),
        ParseErrorKind::BadArrayLength {
            length: 150,
            element: 100
        }
    );
    assert!(matches!(kind(6), ParseErrorKind::Truncated { .. }));
    assert_eq!(
        kind(7),
        ParseErrorKind::Truncated {
            needed: 2,
            available: 1
        }
    );
    // A LOCALS entry of an unknown family: the attribute parses, the entry does not.
    match &got[8] {
        Ok(InetAttr::Locals(a)) => {
            let e = a.iter().next().unwrap().unwrap_err();
            assert_eq!(e.kind(), ParseErrorKind::UnknownFamily { found: 0 });
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        kind(9),
        ParseErrorKind::Truncated {
            needed: 20,
            available: 19
        }
    ));
    assert_eq!(
        kind(10),
        ParseErrorKind::WrongLength {
            length: 4,
            expected: 8
        }
    );
    assert!(
        matches!(got[11], Ok(InetAttr::Mark(7))),
        "the attribute after the bad ones"
    );
    // Offsets name the attribute: the first one follows the 72-byte header.
    let e = got[0].as_ref().unwrap_err();
    assert_eq!((e.layer(), e.offset()), (Layer::Attribute, 16 + 72));
    // The owned form keeps the good attributes and lists the errors.
    let m = InetMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
    let s = InetSocket::from(m);
    assert_eq!(s.attributes.mark, Some(7));
    assert_eq!(
        s.attributes.errors.len(),
        11,
        "10 bad attributes and one bad LOCALS entry"
    );
}

#[test]
fn a_broken_attribute_frame_ends_the_iteration() {
    let mut bytes = reply(20, AF_INET, &[attr(INET_DIAG_MARK, &1u32.to_ne_bytes())]);
    bytes.extend_from_slice(&255u16.to_ne_bytes()); // nla_len 255, past the end
    bytes.extend_from_slice(&5u16.to_ne_bytes());
    let len = bytes.len() as u32;
    bytes[..4].copy_from_slice(&len.to_ne_bytes());
    let got = decode(&bytes, None);
    assert_eq!(got.len(), 2);
    assert!(matches!(got[0], Ok(InetAttr::Mark(1))));
    assert!(matches!(
        got[1].as_ref().unwrap_err().kind(),
        ParseErrorKind::LengthPastEnd { length: 255, .. }
    ));
}

#[test]
fn info_is_decoded_by_protocol() {
    let info = pattern(368).to_vec();
    let bytes = reply(20, AF_INET, &[attr(INET_DIAG_INFO, &info)]);
    let one = |p| decode(&bytes, p).pop().unwrap().unwrap();
    assert!(
        matches!(one(Some(Protocol::Tcp)), InetAttr::TcpInfo(i) if i.len() == 368 && i.extra().len() == 88)
    );
    assert!(matches!(one(Some(Protocol::Dccp)), InetAttr::TcpInfo(_)));
    assert!(matches!(one(Some(Protocol::Sctp)), InetAttr::SctpInfo(i) if i.extra().is_empty()));
    assert!(matches!(one(Some(Protocol::Mptcp)), InetAttr::MptcpInfo(_)));
    assert!(matches!(one(Some(Protocol::Udp)), InetAttr::Info(b) if b.len() == 368));
    assert!(
        matches!(one(None), InetAttr::Info(_)),
        "SOCK_DIAG_BY_FAMILY alone does not say"
    );
}

#[test]
fn sctp_message_with_addresses() {
    let mut info = vec![0u8; 368];
    let tag = offset_of!(sctp_info, sctpi_tag);
    info[tag..tag + 4].copy_from_slice(&0xdead_beefu32.to_ne_bytes());
    let opk = offset_of!(sctp_info, sctpi_opackets);
    info[opk..opk + 8].copy_from_slice(&77u64.to_ne_bytes());
    let pa = offset_of!(sctp_info, sctpi_p_address);
    info[pa..pa + 128].copy_from_slice(&sockaddr_in([192, 0, 2, 1], 9899));
    let ps = offset_of!(sctp_info, sctpi_p_state);
    info[ps..ps + 4].copy_from_slice(&(-1i32).to_ne_bytes());
    let v6 = Ipv6Addr::LOCALHOST;
    let bytes = reply(
        20,
        AF_INET6,
        &[
            attr(INET_DIAG_INFO, &info),
            attr(
                INET_DIAG_LOCALS,
                &[sockaddr_in([192, 0, 2, 9], 9899), sockaddr_in6(v6, 9899, 0)].concat(),
            ),
            attr(
                INET_DIAG_PEERS,
                &[
                    sockaddr_in([192, 0, 2, 1], 9899),
                    sockaddr_in([198, 51, 100, 1], 9899),
                ]
                .concat(),
            ),
        ],
    );
    let m = InetMsg::parse_as(
        Messages::new(&bytes).next().unwrap().unwrap(),
        Protocol::Sctp,
    )
    .unwrap();
    let s = InetSocket::from(m);
    let a = &s.attributes;
    let info = a.sctp_info.as_ref().unwrap();
    assert_eq!(info.tag(), Some(0xdead_beef));
    assert_eq!(info.opackets(), Some(77));
    assert_eq!(info.p_state(), Some(-1));
    assert_eq!(
        info.primary_address(),
        Some("192.0.2.1:9899".parse().unwrap())
    );
    assert!(format!("{info:?}").contains("192.0.2.1:9899"));
    assert_eq!(a.locals.as_ref().unwrap().len(), 2);
    assert_eq!(a.locals.as_ref().unwrap()[1].ip(), IpAddr::V6(v6));
    assert_eq!(
        a.peers.as_ref().unwrap()[1],
        "198.51.100.1:9899".parse().unwrap()
    );
}

#[test]
fn raw_socket_message_names_its_protocol() {
    let bytes = reply(
        20,
        AF_INET,
        &[
            attr(INET_DIAG_SHUTDOWN, &[0]),
            attr(INET_DIAG_PROTOCOL, &[1]),
        ],
    );
    let m = InetMsg::parse_as(
        Messages::new(&bytes).next().unwrap().unwrap(),
        Protocol::Raw,
    )
    .unwrap();
    assert_eq!(m.protocol(), Some(Protocol::Raw));
    assert_eq!(InetSocket::from(m).attributes.protocol, Some(1), "ICMP");
}

#[test]
fn old_kernel_legacy_replies_without_attributes() {
    for (kind, protocol) in [
        (TCPDIAG_GETSOCK, Protocol::Tcp),
        (DCCPDIAG_GETSOCK, Protocol::Dccp),
    ] {
        let bytes = reply(kind, AF_INET6, &[]);
        let m = InetMsg::parse(Messages::new(&bytes).next().unwrap().unwrap()).unwrap();
        assert_eq!(m.protocol(), Some(protocol));
        assert_eq!(m.attributes().count(), 0);
        let s = InetSocket::from(m);
        assert_eq!(s.attributes, Attributes::default());
        assert_eq!(
            (s.family, s.id.src.port(), s.id.dst.port()),
            (Family::Inet6, 9, 10)
        );
    }
}

#[test]
fn skmeminfo_of_older_kernels() {
    for (n, backlog, drops) in [
        (7, false, false),
        (8, true, false),
        (9, true, true),
        (10, true, true),
    ] {
        let v: Vec<u32> = (1..=n).collect();
        let bytes = u32s(&v);
        let m = SkMemInfo::new(&bytes[..], 0).unwrap();
        assert_eq!(m.len(), n as usize);
        assert_eq!(
            (m.backlog().is_some(), m.drops().is_some()),
            (backlog, drops)
        );
        assert_eq!(m.optmem(), Some(7));
        assert_eq!(m.into_owned().len(), n as usize);
    }
    assert!(SkMemInfo::new(&[][..], 0).unwrap().is_empty());
}

#[test]
fn sockopt_bits_follow_the_host_abi() {
    for (i, (_, flag)) in SockOpt::all().iter_names().enumerate() {
        let (byte, bit) = (i / 8, (i % 8) as u32);
        let mut raw = [0u8; 2];
        raw[byte] = set_bits(0, bit, 1, 1);
        let s = SockOpt::from_raw(&inet_diag_sockopt {
            bits0: raw[0],
            bits1: raw[1],
        });
        assert_eq!(s, flag);
    }
}

#[test]
fn tcp_info_fields_are_every_field_by_its_kernel_name() {
    // The same fields, in the same order, as the table of getters and
    // sizes above (which leaves out nothing but the version-dependent
    // accecn word).
    let table: Vec<Accessor> = tcp_fields()
        .into_iter()
        .filter(|(n, _, _)| *n != "accecn_raw")
        .collect();
    let names: Vec<&str> = TcpInfo::<&[u8]>::field_names().collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), names.len(), "a name twice");
    assert_eq!(names.len(), table.len());
    let mut want: Vec<&str> = table.iter().map(|(n, _, _)| *n).collect();
    want.sort_unstable();
    assert_eq!(sorted, want);
    // Each field appears exactly when the payload covers it, with the
    // getter's value; `field(k)` agrees with `fields()`.
    let full: Vec<u8> = (0..size_of::<tcp_info>())
        .map(|i| (i * 7 + 3) as u8)
        .collect();
    for (name, end, get) in &table {
        let k = names.iter().position(|n| n == name).unwrap();
        for len in [end - 1, *end, full.len()] {
            let info = TcpInfo::new(&full[..len]);
            let value = info.fields().nth(k).unwrap();
            assert_eq!(value, (*name, get(&full[..len])), "{name} at {len}");
            assert_eq!(info.field(k), value.1);
        }
        assert_eq!(TcpInfo::new(&full[..end - 1]).field(k), None, "{name}");
    }
    assert_eq!(TcpInfo::new(&full[..]).field(names.len()), None);
}
