//! The growing-struct views against their raw overlays: every field is
//! present exactly when the payload covers it and reads its own bytes,
//! the fields tile the C struct, and the versions agree with the sizes
//! each kernel sent (kernel.md C2). Host byte order and host bitfield ABI,
//! so they hold on big-endian targets.

use core::mem::{offset_of, size_of};

use zerocopy::IntoBytes;

use super::*;
use crate::raw::mptcp::mptcp_info;
use crate::raw::sctp::sctp_info;
use crate::raw::tcp::tcp_info;

/// A byte pattern no two fields read alike.
pub(crate) fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i * 7 + 3) as u8).collect()
}

/// One growing struct, seen through its field enum.
struct Table {
    name: &'static str,
    size: usize,
    /// (field name, span, since) of every field.
    fields: Vec<(&'static str, (usize, usize), &'static str)>,
    /// `get` of field `k` on a payload.
    get: fn(&[u8], usize) -> Option<u64>,
    /// Bytes no field reads (padding, reserved words, non-numeric fields).
    gaps: Vec<(usize, usize)>,
    /// The struct's size in each version that added a field.
    sizes: &'static [(&'static str, usize)],
}

fn tcp() -> Table {
    Table {
        name: "tcp_info",
        size: size_of::<tcp_info>(),
        fields: TcpField::ALL
            .iter()
            .map(|f| (f.name(), f.span(), f.since()))
            .collect(),
        get: |b, k| TcpInfo::new(b).get(TcpField::ALL[k]),
        gaps: vec![(offset_of!(tcp_info, tcpi_accecn), 280)],
        sizes: TCP_INFO_SIZES,
    }
}

fn sctp() -> Table {
    let gap = |off: usize, len: usize| (off, off + len);
    Table {
        name: "sctp_info",
        size: size_of::<sctp_info>(),
        fields: SctpField::ALL
            .iter()
            .map(|f| (f.name(), f.span(), f.since()))
            .collect(),
        get: |b, k| SctpInfo::new(b).get(SctpField::ALL[k]),
        sizes: SCTP_INFO_SIZES,
        gaps: vec![
            gap(offset_of!(sctp_info, __reserved1), 2),
            gap(offset_of!(sctp_info, sctpi_p_address), 128),
            gap(offset_of!(sctp_info, __reserved2), 2),
            gap(offset_of!(sctp_info, __reserved3), 4),
        ],
    }
}

fn mptcp() -> Table {
    let gap = |off: usize, len: usize| (off, off + len);
    Table {
        name: "mptcp_info",
        size: size_of::<mptcp_info>(),
        fields: MptcpField::ALL
            .iter()
            .map(|f| (f.name(), f.span(), f.since()))
            .collect(),
        get: |b, k| MptcpInfo::new(b).get(MptcpField::ALL[k]),
        sizes: MPTCP_INFO_SIZES,
        gaps: vec![
            gap(offset_of!(mptcp_info, __hole0), 2),
            gap(offset_of!(mptcp_info, __hole1), 1),
            gap(offset_of!(mptcp_info, reserved), 2),
        ],
    }
}

/// Whether field `k` shares its byte with another (a C bitfield).
fn is_bitfield(t: &Table, k: usize) -> bool {
    let span = t.fields[k].1;
    t.fields
        .iter()
        .enumerate()
        .any(|(j, f)| j != k && f.1 == span)
}

/// Every field is `Some` exactly when `len` covers its bytes (and is
/// longer than an older version's struct whose padding spans them), reads
/// the same value whatever the length, and (bitfields aside) reads exactly
/// its own bytes as a host-order integer.
fn check_prefixes(t: &Table, lens: &[usize]) {
    let bytes = pattern(lens.iter().copied().max().unwrap_or(0).max(t.size));
    let full = &bytes[..t.size];
    for &len in lens {
        let view = &bytes[..len];
        for (k, (name, (off, end), since)) in t.fields.iter().enumerate() {
            let v = (t.get)(view, k);
            let padded = !is_bitfield(t, k) && len <= padding_before(t.sizes, since, *end);
            assert_eq!(
                v.is_some(),
                *end <= len && !padded,
                "{}.{name} (ends at {end}) with {len} bytes",
                t.name
            );
            let Some(v) = v else { continue };
            assert_eq!(Some(v), (t.get)(full, k), "{}.{name} at {len}", t.name);
            if !is_bitfield(t, k) {
                let mut wide = [0u8; 8];
                let width = end - off;
                if cfg!(target_endian = "little") {
                    wide[..width].copy_from_slice(&full[*off..*end]);
                } else {
                    wide[8 - width..].copy_from_slice(&full[*off..*end]);
                }
                assert_eq!(v, u64::from_ne_bytes(wide), "{}.{name}", t.name);
            }
        }
    }
}

/// Every length up to `max`; under Miri (slow) only the lengths where a
/// field starts or stops being covered, and the ends.
fn lengths(t: &Table, max: usize) -> Vec<usize> {
    if cfg!(miri) {
        let mut v: Vec<usize> = t.fields.iter().flat_map(|f| [f.1 .1 - 1, f.1 .1]).collect();
        v.extend([0, t.size, max]);
        v.sort_unstable();
        v.dedup();
        v
    } else {
        (0..=max).collect()
    }
}

#[test]
fn the_fields_tile_the_raw_structs() {
    for t in [tcp(), sctp(), mptcp()] {
        let mut covered = vec![0u32; t.size];
        let mut spans: Vec<(usize, usize)> = t.fields.iter().map(|f| f.1).collect();
        spans.sort_unstable();
        spans.dedup(); // bitfields share their byte
        spans.extend(&t.gaps);
        for (off, end) in spans {
            assert!(off < end && end <= t.size, "{} {off}..{end}", t.name);
            for c in &mut covered[off..end] {
                *c += 1;
            }
        }
        let wrong: Vec<usize> = (0..t.size).filter(|&i| covered[i] != 1).collect();
        assert!(
            wrong.is_empty(),
            "{}: bytes {wrong:?} read by 0 or 2+ fields",
            t.name
        );
        // Names are unique and come back through from_name.
        let mut names: Vec<&str> = t.fields.iter().map(|f| f.0).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), t.fields.len(), "{}: a name twice", t.name);
    }
}

/// `"4.10"` as (4, 10).
fn version(v: &str) -> (u32, u32) {
    let (a, b) = v.split_once('.').unwrap();
    (a.parse().unwrap(), b.parse().unwrap())
}

#[test]
fn versions_match_the_sizes_each_kernel_sent() {
    // kernel.md C2 (tcp_info) and the mptcp_info of 5.7 and 6.18.
    let tcp_sizes = [
        ("2.6", 104),
        ("3.15", 120),
        ("4.1", 136),
        ("4.2", 144),
        ("4.6", 160),
        ("4.9", 168),
        ("4.10", 192),
        ("4.18", 200),
        ("4.19", 224),
        ("5.4", 232),
        ("6.2", 240),
        ("6.7", 248),
        ("6.18", 280),
    ];
    for (t, sizes) in [
        (tcp(), &tcp_sizes[..]),
        (mptcp(), &[("5.7", 40), ("6.18", 96)][..]),
    ] {
        for &(kernel, size) in sizes {
            for (k, (name, (_, end), since)) in t.fields.iter().enumerate() {
                // A bitfield's byte predates the bits it holds.
                if is_bitfield(&t, k) {
                    continue;
                }
                assert_eq!(
                    version(since) <= version(kernel),
                    *end <= size,
                    "{}.{name} (since {since}, ends at {end}) on {kernel} ({size} bytes)",
                    t.name
                );
            }
        }
    }
    for f in SctpField::ALL {
        assert_eq!(f.since(), "4.7");
    }
}

#[test]
fn tcp_info_of_every_historic_size() {
    // Linux 2.6, 3.15, 4.1, 4.2, 4.6, 4.9, 4.10, 4.18, 4.19, 5.4, 6.2, 6.7, 6.18.
    let sizes = [
        104, 120, 136, 144, 160, 168, 192, 200, 224, 232, 240, 248, 280,
    ];
    let t = tcp();
    let mut lens = lengths(&t, 300);
    lens.extend(sizes);
    check_prefixes(&t, &lens);
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
    let t = sctp();
    check_prefixes(&t, &lengths(&t, 400));
    let t = mptcp();
    check_prefixes(&t, &lengths(&t, 120));
    // Linux 5.7's 40-byte mptcp_info: up to rcv_nxt.
    let b = pattern(96);
    let old = MptcpInfo::new(&b[..40]);
    assert!(old.rcv_nxt().is_some() && old.local_addr_used().is_none());
    assert_eq!(core::mem::size_of::<mptcp_info>(), 96);
    assert_eq!(core::mem::size_of::<sctp_info>(), 368);
}

/// `byte` with `value` stored in the bitfield of `width` bits declared
/// after `before` bits, in this host's bitfield order.
pub(crate) fn set_bits(byte: u8, before: u32, width: u32, value: u8) -> u8 {
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
    // The table gives the raw numbers of the same fields.
    assert_eq!(info.get(TcpField::SndWscale), Some(7));
    assert_eq!(info.get(TcpField::DeliveryRateAppLimited), Some(1));
    assert_eq!(info.get(TcpField::Options), Some(7));
    assert_eq!(info.get(TcpField::State), Some(1));
    // On little-endian the kernel's layout is documented: low nibble = snd.
    if cfg!(target_endian = "little") {
        let info = TcpInfo::new(&[0, 0, 0, 0, 0, 0, 0x97, 0b101][..]);
        assert_eq!((info.snd_wscale(), info.rcv_wscale()), (Some(7), Some(9)));
        assert_eq!(info.delivery_rate_app_limited(), Some(true));
        assert_eq!(info.fastopen_client_fail(), Some(2));
    }
}

#[test]
fn tcp_info_fields_are_every_field_by_its_kernel_name() {
    // Every field in struct order, by the kernel's name.
    let names: Vec<&str> = TcpField::ALL.iter().map(|f| f.name()).collect();
    assert_eq!(names.len(), 68);
    assert_eq!(
        &names[..6],
        [
            "state",
            "ca_state",
            "retransmits",
            "probes",
            "backoff",
            "options"
        ]
    );
    assert_eq!(names.last(), Some(&"received_ce_bytes"));
    for f in TcpField::ALL {
        assert_eq!(TcpField::from_name(f.name()), Some(*f));
        assert_eq!(f.name().parse::<TcpField>(), Ok(*f));
        assert_eq!(f.c_name(), format!("tcpi_{}", f.name()));
        assert_eq!(f.to_string(), f.name());
    }
    assert_eq!(
        "tcpi_rtt".parse::<TcpField>(),
        Err(UnknownField("tcpi_rtt".into()))
    );
    // `get` agrees with `fields()`, at every length.
    let full = pattern(size_of::<tcp_info>());
    for len in [0, 7, 8, 104, 105, 200, 280] {
        let info = TcpInfo::new(&full[..len]);
        let all: Vec<(TcpField, Option<u64>)> = info.fields().collect();
        assert_eq!(all.len(), TcpField::ALL.len());
        for (f, v) in all {
            assert_eq!(info.get(f), v, "{f} at {len}");
        }
    }
}

#[test]
fn times_come_as_durations_too() {
    let mut raw = tcp_info::new_zeroed();
    raw.tcpi_rtt = 1500.into();
    raw.tcpi_last_data_recv = 250.into();
    raw.tcpi_busy_time = 7.into();
    let info = TcpInfo::new(raw.as_bytes());
    assert_eq!(info.rtt_duration(), Some(Duration::from_micros(1500)));
    assert_eq!(
        info.last_data_recv_duration(),
        Some(Duration::from_millis(250))
    );
    assert_eq!(info.busy_time_duration(), Some(Duration::from_micros(7)));
    assert_eq!(TcpInfo::new(&raw.as_bytes()[..60]).rtt_duration(), None);
    assert_eq!(TcpField::Rtt.unit(), Unit::Microseconds);
    assert_eq!(TcpField::Rtt.unit().to_base(), 1e-6);
    assert_eq!(TcpField::TotalRtoTime.unit(), Unit::Milliseconds);
    assert_eq!(TcpField::BytesAcked.unit(), Unit::Bytes);
    assert_eq!(Unit::Bytes.duration(3), None);
    let mut s = sctp_info::new_zeroed();
    s.sctpi_s_autoclose = 9.into();
    assert_eq!(
        SctpInfo::new(s.as_bytes()).s_autoclose_duration(),
        Some(Duration::from_secs(9))
    );
}

#[test]
fn every_version_has_its_size() {
    for t in [tcp(), sctp(), mptcp()] {
        for (name, (_, end), since) in &t.fields {
            let size = size_in(t.sizes, since);
            assert!(
                size >= *end,
                "{}.{name}: Linux {since} not in its sizes",
                t.name
            );
        }
    }
}

/// Found by the kernel matrix: Debian 12's 6.1 sends a 48-byte
/// `mptcp_info` whose bytes 44..48 are the padding where 6.5 put
/// `mptcpi_retransmits`; and 6.10-6.17's 96 bytes cannot be told from
/// 6.18's, so 6.18's byte in their padding reads 0 there.
#[test]
fn mptcp_info_fields_in_older_padding() {
    let bytes = [0xffu8; 96];
    let v61 = MptcpInfo::new(&bytes[..48]);
    assert_eq!(v61.csum_enabled(), Some(0xff));
    assert_eq!(v61.retransmits(), None);
    assert_eq!(v61.get(MptcpField::Retransmits), None);
    let v65 = MptcpInfo::new(&bytes[..80]);
    assert_eq!(v65.retransmits(), Some(u32::MAX));
    assert_eq!(MptcpInfo::new(&bytes[..88]).endp_add_addr_max(), None);
    assert_eq!(MptcpInfo::new(&bytes[..88]).subflows_total(), Some(0xff));
    assert_eq!(MptcpInfo::new(&bytes[..]).endp_add_addr_max(), Some(0xff));
}
