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
use std::time::Duration;

use bitflags::bitflags;
use zerocopy::{FromZeros, IntoBytes};

use super::TcpState;
use crate::common::read;
use crate::raw::mptcp::mptcp_info;
use crate::raw::sctp::sctp_info;
use crate::raw::tcp::{self as rawtcp, tcp_info};

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

/// What a field of a growing struct measures: the unit of its raw value
/// (exporters scale times to seconds with [`Unit::to_base`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Unit {
    /// A count of events or things.
    Count,
    /// Bytes.
    Bytes,
    /// TCP segments.
    Segments,
    /// Packets.
    Packets,
    /// SCTP chunks.
    Chunks,
    /// Microseconds.
    Microseconds,
    /// Milliseconds.
    Milliseconds,
    /// Seconds.
    Seconds,
    /// Bytes per second.
    BytesPerSecond,
    /// A state or type number (not a quantity).
    State,
    /// Flag bits, or a boolean (0 or 1).
    Flags,
    /// An identifier or sequence number (not a quantity).
    Identifier,
}

impl Unit {
    /// The factor that turns a raw value into its base unit (seconds for
    /// times, 1 for everything else), as Prometheus wants it.
    pub const fn to_base(self) -> f64 {
        match self {
            Unit::Microseconds => 1e-6,
            Unit::Milliseconds => 1e-3,
            _ => 1.0,
        }
    }

    /// The raw value `v` of a time field as a [`Duration`]; `None` for
    /// other units.
    pub fn duration(self, v: u64) -> Option<Duration> {
        match self {
            Unit::Microseconds => Some(Duration::from_micros(v)),
            Unit::Milliseconds => Some(Duration::from_millis(v)),
            Unit::Seconds => Some(Duration::from_secs(v)),
            _ => None,
        }
    }
}

/// A field name that is not one of a struct's ([`TcpField::from_str`](core::str::FromStr)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownField(pub String);

impl fmt::Display for UnknownField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no field named {:?}", self.0)
    }
}

impl std::error::Error for UnknownField {}

/// A field's value as the `u64` of the field tables: integers widened
/// (an `i32` as its 32 bits), flags and states as their raw numbers.
trait FieldValue {
    fn to_u64(self) -> u64;
}

macro_rules! field_value {
    ($($t:ty),*) => { $(impl FieldValue for $t { fn to_u64(self) -> u64 { u64::from(self) } })* };
}
field_value!(u8, u16, u32, u64, bool);

impl FieldValue for i32 {
    fn to_u64(self) -> u64 {
        u64::from(self as u32)
    }
}

impl FieldValue for TcpState {
    fn to_u64(self) -> u64 {
        u64::from(self.to_raw())
    }
}

impl FieldValue for TcpiOptions {
    fn to_u64(self) -> u64 {
        u64::from(self.bits())
    }
}

/// Reads one field of a growing struct from its payload, by kind: `at(c)`
/// the integer at C field `c`; `bits(c, before, width)` a bitfield of the
/// byte `c`; `flag(c, before)` a one-bit bitfield as `bool`; `map(c: T, f)`
/// the `T` at `c` through `f`.
macro_rules! read_field {
    ($b:expr, $raw:ident, $ty:ty, at($c:ident)) => {
        read::<$ty>($b, offset_of!($raw, $c))
    };
    ($b:expr, $raw:ident, $ty:ty, bits($c:ident, $before:literal, $width:literal)) => {
        read::<u8>($b, offset_of!($raw, $c)).map(|x| bitfield(x, $before, $width))
    };
    ($b:expr, $raw:ident, $ty:ty, flag($c:ident, $before:literal)) => {
        read::<u8>($b, offset_of!($raw, $c)).map(|x| bitfield(x, $before, 1) != 0)
    };
    ($b:expr, $raw:ident, $ty:ty, map($c:ident: $r:ty, $f:path)) => {
        read::<$r>($b, offset_of!($raw, $c)).map($f)
    };
}

/// The bytes `(offset, end)` a field's value is read from.
macro_rules! field_span {
    ($raw:ident, $ty:ty, at($c:ident)) => {
        (
            offset_of!($raw, $c),
            offset_of!($raw, $c) + size_of::<$ty>(),
        )
    };
    ($raw:ident, $ty:ty, bits($c:ident, $($rest:tt)*)) => {
        (offset_of!($raw, $c), offset_of!($raw, $c) + 1)
    };
    ($raw:ident, $ty:ty, flag($c:ident, $($rest:tt)*)) => {
        (offset_of!($raw, $c), offset_of!($raw, $c) + 1)
    };
    ($raw:ident, $ty:ty, map($c:ident: $r:ty, $f:path)) => {
        (offset_of!($raw, $c), offset_of!($raw, $c) + size_of::<$r>())
    };
}

/// Whether two byte strings are equal, in a const context.
const fn same(a: &[u8], b: &[u8]) -> bool {
    match (a, b) {
        ([x, ra @ ..], [y, rb @ ..]) => *x == *y && same(ra, rb),
        ([], []) => true,
        _ => false,
    }
}

/// The struct's size in `version` from a `(version, size)` table; 0 for a
/// version not in it (a unit test sees that none is missing).
pub(crate) const fn size_in(table: &[(&str, usize)], version: &str) -> usize {
    match table {
        [(v, size), rest @ ..] => {
            if same(v.as_bytes(), version.as_bytes()) {
                *size
            } else {
                size_in(rest, version)
            }
        }
        [] => 0,
    }
}

/// The largest size in `table` below `below` that spans `end`; 0 if none.
const fn largest_spanning(table: &[(&str, usize)], below: usize, end: usize) -> usize {
    match table {
        [(_, size), rest @ ..] => {
            let other = largest_spanning(rest, below, end);
            if *size < below && *size >= end && *size > other {
                *size
            } else {
                other
            }
        }
        [] => 0,
    }
}

/// The padding a field ending at `end` (added in `since`) may hide in: the
/// largest struct size of a version before the struct grew for the field
/// that spans it (in a `(version, size)` table); 0 if none does. A struct
/// no longer than that comes from a kernel without the field, whatever
/// those bytes hold.
pub(crate) const fn padding_before(table: &[(&str, usize)], since: &str, end: usize) -> usize {
    largest_spanning(table, size_in(table, since), end)
}

/// The size of `struct tcp_info` in each kernel version that added a field
/// (kernel.md C2), oldest first.
pub(crate) const TCP_INFO_SIZES: &[(&str, usize)] = &[
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
    ("5.5", 232),
    ("6.2", 240),
    ("6.7", 248),
    ("6.18", 280),
];

/// `struct sctp_info` has not grown since 4.7.
pub(crate) const SCTP_INFO_SIZES: &[(&str, usize)] = &[("4.7", 368)];

/// The size of `struct mptcp_info` in each version that added a field,
/// oldest first. 5.12's 48 bytes end in padding where 6.5 put
/// `mptcpi_retransmits` (Debian 12's 6.1 sends 48 bytes, zeroed there: the
/// kernel matrix saw it), so that field is `None` in 48 bytes. 6.18's
/// `mptcpi_endp_add_addr_max` sits in the padding of 6.10's 96 bytes,
/// which 6.10 to 6.17 send zeroed: no length tells those kernels apart,
/// and it reads 0 there.
pub(crate) const MPTCP_INFO_SIZES: &[(&str, usize)] = &[
    ("5.7", 40),
    ("5.12", 48),
    ("5.14", 48),
    ("6.5", 80),
    ("6.7", 88),
    ("6.10", 96),
    ("6.18", 96),
];

/// The end of a field for [`padding_before`]: a bitfield's byte predates
/// its bits, which older kernels leave zero (never in padding).
macro_rules! padded_end {
    ($raw:ident, $ty:ty, bits($($rest:tt)*)) => { usize::MAX };
    ($raw:ident, $ty:ty, flag($($rest:tt)*)) => { usize::MAX };
    ($raw:ident, $ty:ty, $kind:ident($($arg:tt)*)) => { field_span!($raw, $ty, $kind($($arg)*)).1 };
}

/// Declares every field of a growing struct once — variant, accessor name,
/// type, how it is read, unit, the kernel that added it, and an optional
/// `Duration` accessor — and generates from that: the accessors (each
/// `None` when the kernel's struct ends before it), the field enum with its
/// names, units and versions, `get`/`fields` for exporters, and `Debug`.
macro_rules! growing_fields {
    (
        $(#[doc = $fdoc:literal])*
        $view:ident over $raw:ident: enum $field:ident, prefix $prefix:literal,
            sizes $sizes:ident;
        $(
            $(#[doc = $doc:literal])*
            $variant:ident $name:ident: $ty:ty = $kind:ident($($arg:tt)*), $unit:ident, $since:literal
                $(, $dur:ident)?;
        )*
    ) => {
        impl<B: AsRef<[u8]>> $view<B> {
            $(
                $(#[doc = $doc])*
                #[doc = ""]
                #[doc = concat!("`", $prefix, stringify!($name), "`, Linux ", $since,
                    "; `None` if the kernel's struct ends before it (or ends in padding an older version left where the field now is).")]
                #[inline]
                pub fn $name(&self) -> Option<$ty> {
                    // A struct shorter than the one of the version that
                    // added the field may still span it with tail padding.
                    const PADDING: usize = padding_before($sizes, $since, padded_end!($raw, $ty, $kind($($arg)*)));
                    if self.bytes().len() <= PADDING {
                        return None;
                    }
                    read_field!(self.bytes(), $raw, $ty, $kind($($arg)*))
                }

                $(
                    #[doc = concat!("[`", stringify!($name), "`](Self::", stringify!($name),
                        ") as a `Duration`.")]
                    #[inline]
                    pub fn $dur(&self) -> Option<Duration> {
                        self.$name().and_then(|v| Unit::$unit.duration(u64::from(v)))
                    }
                )?
            )*

            /// Field `field` as a `u64` (flags and states as their raw
            /// numbers), `None` if the kernel's struct is too short to hold
            /// it: for following a few chosen fields.
            #[inline]
            pub fn get(&self, field: $field) -> Option<u64> {
                match field {
                    $($field::$variant => self.$name().map(FieldValue::to_u64),)*
                }
            }

            /// Every field as `(field, value)`, in struct order, `None` where
            /// the kernel's struct is too short to hold it: the generic form
            /// for exporters (JSON, metrics).
            pub fn fields(&self) -> impl Iterator<Item = ($field, Option<u64>)> + '_ {
                $field::ALL.iter().map(move |&f| (f, self.get(f)))
            }
        }

        $(#[doc = $fdoc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $field {
            $(
                #[doc = concat!("`", $prefix, stringify!($name), "`: [`", stringify!($view),
                    "::", stringify!($name), "`].")]
                $variant,
            )*
        }

        impl $field {
            /// Every field, in struct order.
            pub const ALL: &'static [$field] = &[$($field::$variant),*];

            /// The kernel's name without its prefix (`rtt`): the key of the
            /// CLI's JSON and of the exporters' metrics.
            pub const fn name(self) -> &'static str {
                match self { $($field::$variant => stringify!($name),)* }
            }

            /// The C field's name (`tcpi_rtt`).
            pub const fn c_name(self) -> &'static str {
                match self { $($field::$variant => concat!($prefix, stringify!($name)),)* }
            }

            /// What the raw value measures.
            pub const fn unit(self) -> Unit {
                match self { $($field::$variant => Unit::$unit,)* }
            }

            /// The kernel version that added the field (`"4.1"`).
            pub const fn since(self) -> &'static str {
                match self { $($field::$variant => $since,)* }
            }

            /// The field called `name` ([`name`](Self::name)).
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    $(stringify!($name) => Some($field::$variant),)*
                    _ => None,
                }
            }

            /// The bytes `(offset, end)` of the struct its value is read from.
            #[cfg_attr(not(test), allow(dead_code))]
            pub(crate) const fn span(self) -> (usize, usize) {
                match self { $($field::$variant => field_span!($raw, $ty, $kind($($arg)*)),)* }
            }
        }

        impl fmt::Display for $field {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.name())
            }
        }

        impl core::str::FromStr for $field {
            type Err = UnknownField;
            fn from_str(s: &str) -> Result<Self, UnknownField> {
                Self::from_name(s).ok_or_else(|| UnknownField(s.to_owned()))
            }
        }

        impl<B: AsRef<[u8]>> fmt::Debug for $view<B> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                let mut d = f.debug_struct(stringify!($view));
                d.field("len", &self.len());
                $(
                    if let Some(v) = self.$name() {
                        d.field(stringify!($name), &v);
                    }
                )*
                self.debug_more(&mut d);
                if !self.extra().is_empty() {
                    d.field("extra", &self.extra());
                }
                d.finish()
            }
        }
    };
}

growing_fields! {
    /// A field of [`TcpInfo`] (`struct tcp_info`), for choosing fields at
    /// run time: [`TcpInfo::get`], the poller's tracked counters, the
    /// exporters. Every field but the trailing `tcpi_accecn` word, whose
    /// layout depends on the kernel version ([`TcpInfo::accecn_raw`]).
    TcpInfo over tcp_info: enum TcpField, prefix "tcpi_", sizes TCP_INFO_SIZES;
    /// State (`tcpi_state`), in the kernel's `TCP_*` numbering.
    State state: TcpState = map(tcpi_state: u8, TcpState::from_raw), State, "2.6";
    /// Congestion-avoidance state: 0 Open, 1 Disorder, 2 CWR, 3 Recovery, 4 Loss.
    CaState ca_state: u8 = at(tcpi_ca_state), State, "2.6";
    /// Retransmissions of the segment at the head of the queue (`icsk_retransmits`).
    Retransmits retransmits: u8 = at(tcpi_retransmits), Count, "2.6";
    /// Unanswered zero-window or keepalive probes (`icsk_probes_out`).
    Probes probes: u8 = at(tcpi_probes), Count, "2.6";
    /// Exponential backoff of the retransmission timer (`icsk_backoff`).
    Backoff backoff: u8 = at(tcpi_backoff), Count, "2.6";
    /// Options negotiated (`tcpi_options`).
    Options options: TcpiOptions = map(tcpi_options: u8, TcpiOptions::from_bits_retain), Flags, "2.6";
    /// Send window scale (`tcpi_snd_wscale`, 4-bit field of byte 6).
    SndWscale snd_wscale: u8 = bits(tcpi_wscale, 0, 4), Count, "2.6";
    /// Receive window scale (`tcpi_rcv_wscale`, 4-bit field of byte 6).
    RcvWscale rcv_wscale: u8 = bits(tcpi_wscale, 4, 4), Count, "2.6";
    /// The last delivery-rate sample was application-limited
    /// (`tcpi_delivery_rate_app_limited`, 1-bit field of byte 7, Linux 4.9).
    DeliveryRateAppLimited delivery_rate_app_limited: bool = flag(tcpi_app_limited_tfo, 0), Flags, "4.9";
    /// Why a Fast Open client attempt failed (`tcpi_fastopen_client_fail`,
    /// 2-bit field of byte 7, Linux 5.5): 0 unspecified, 1 no cookie sent,
    /// 2 SYN-ACK did not ack the data, 3 SYN retransmitted.
    FastopenClientFail fastopen_client_fail: u8 = bits(tcpi_app_limited_tfo, 1, 2), Count, "5.5";
    /// Retransmission timeout, microseconds.
    Rto rto: u32 = at(tcpi_rto), Microseconds, "2.6", rto_duration;
    /// Delayed-ACK timeout, microseconds.
    Ato ato: u32 = at(tcpi_ato), Microseconds, "2.6", ato_duration;
    /// Send maximum segment size, bytes.
    SndMss snd_mss: u32 = at(tcpi_snd_mss), Bytes, "2.6";
    /// Estimated receive maximum segment size, bytes.
    RcvMss rcv_mss: u32 = at(tcpi_rcv_mss), Bytes, "2.6";
    /// Segments sent and not yet acknowledged (listener: accept-queue length).
    Unacked unacked: u32 = at(tcpi_unacked), Segments, "2.6";
    /// Segments selectively acknowledged (listener: accept backlog).
    Sacked sacked: u32 = at(tcpi_sacked), Segments, "2.6";
    /// Segments considered lost.
    Lost lost: u32 = at(tcpi_lost), Segments, "2.6";
    /// Segments retransmitted and not yet acknowledged.
    Retrans retrans: u32 = at(tcpi_retrans), Segments, "2.6";
    /// Forward-acknowledged segments (always 0 since Linux 4.15).
    Fackets fackets: u32 = at(tcpi_fackets), Segments, "2.6";
    /// Time since the last data was sent, milliseconds.
    LastDataSent last_data_sent: u32 = at(tcpi_last_data_sent), Milliseconds, "2.6", last_data_sent_duration;
    /// Time since the last ACK was sent, milliseconds (not remembered by the kernel: always 0).
    LastAckSent last_ack_sent: u32 = at(tcpi_last_ack_sent), Milliseconds, "2.6", last_ack_sent_duration;
    /// Time since the last data was received, milliseconds.
    LastDataRecv last_data_recv: u32 = at(tcpi_last_data_recv), Milliseconds, "2.6", last_data_recv_duration;
    /// Time since the last ACK was received, milliseconds.
    LastAckRecv last_ack_recv: u32 = at(tcpi_last_ack_recv), Milliseconds, "2.6", last_ack_recv_duration;
    /// Path MTU, bytes.
    Pmtu pmtu: u32 = at(tcpi_pmtu), Bytes, "2.6";
    /// Receive window clamp (slow-start threshold of the receive window), bytes.
    RcvSsthresh rcv_ssthresh: u32 = at(tcpi_rcv_ssthresh), Bytes, "2.6";
    /// Smoothed round-trip time, microseconds.
    Rtt rtt: u32 = at(tcpi_rtt), Microseconds, "2.6", rtt_duration;
    /// Round-trip time variation, microseconds.
    Rttvar rttvar: u32 = at(tcpi_rttvar), Microseconds, "2.6", rttvar_duration;
    /// Slow-start threshold, segments.
    SndSsthresh snd_ssthresh: u32 = at(tcpi_snd_ssthresh), Segments, "2.6";
    /// Congestion window, segments.
    SndCwnd snd_cwnd: u32 = at(tcpi_snd_cwnd), Segments, "2.6";
    /// Advertised maximum segment size, bytes.
    Advmss advmss: u32 = at(tcpi_advmss), Bytes, "2.6";
    /// Reordering metric, segments.
    Reordering reordering: u32 = at(tcpi_reordering), Segments, "2.6";
    /// Receiver-side round-trip estimate, microseconds.
    RcvRtt rcv_rtt: u32 = at(tcpi_rcv_rtt), Microseconds, "2.6", rcv_rtt_duration;
    /// Receive buffer space the receiver autotunes for, bytes.
    RcvSpace rcv_space: u32 = at(tcpi_rcv_space), Bytes, "2.6";
    /// Retransmitted segments over the connection's life.
    TotalRetrans total_retrans: u32 = at(tcpi_total_retrans), Segments, "2.6";
    /// Current pacing rate, bytes per second (`u64::MAX`: unlimited).
    PacingRate pacing_rate: u64 = at(tcpi_pacing_rate), BytesPerSecond, "3.15";
    /// Pacing-rate limit (`SO_MAX_PACING_RATE`), bytes per second.
    MaxPacingRate max_pacing_rate: u64 = at(tcpi_max_pacing_rate), BytesPerSecond, "3.15";
    /// Bytes acknowledged (RFC 4898 tcpEStatsAppHCThruOctetsAcked).
    BytesAcked bytes_acked: u64 = at(tcpi_bytes_acked), Bytes, "4.1";
    /// Bytes received in order (RFC 4898 tcpEStatsAppHCThruOctetsReceived).
    BytesReceived bytes_received: u64 = at(tcpi_bytes_received), Bytes, "4.1";
    /// Segments sent, retransmissions included (RFC 4898 tcpEStatsPerfSegsOut).
    SegsOut segs_out: u32 = at(tcpi_segs_out), Segments, "4.2";
    /// Segments received (RFC 4898 tcpEStatsPerfSegsIn).
    SegsIn segs_in: u32 = at(tcpi_segs_in), Segments, "4.2";
    /// Bytes in the write queue not yet sent.
    NotsentBytes notsent_bytes: u32 = at(tcpi_notsent_bytes), Bytes, "4.6";
    /// Minimum round-trip time seen, microseconds.
    MinRtt min_rtt: u32 = at(tcpi_min_rtt), Microseconds, "4.6", min_rtt_duration;
    /// Segments received with data (RFC 4898 tcpEStatsDataSegsIn).
    DataSegsIn data_segs_in: u32 = at(tcpi_data_segs_in), Segments, "4.6";
    /// Segments sent with data (RFC 4898 tcpEStatsDataSegsOut).
    DataSegsOut data_segs_out: u32 = at(tcpi_data_segs_out), Segments, "4.6";
    /// Most recent delivery-rate sample, bytes per second.
    DeliveryRate delivery_rate: u64 = at(tcpi_delivery_rate), BytesPerSecond, "4.9";
    /// Time with data in flight, microseconds.
    BusyTime busy_time: u64 = at(tcpi_busy_time), Microseconds, "4.10", busy_time_duration;
    /// Time limited by the receive window, microseconds.
    RwndLimited rwnd_limited: u64 = at(tcpi_rwnd_limited), Microseconds, "4.10", rwnd_limited_duration;
    /// Time limited by the send buffer, microseconds.
    SndbufLimited sndbuf_limited: u64 = at(tcpi_sndbuf_limited), Microseconds, "4.10", sndbuf_limited_duration;
    /// Segments delivered, retransmissions included.
    Delivered delivered: u32 = at(tcpi_delivered), Segments, "4.18";
    /// Segments delivered with a CE mark.
    DeliveredCe delivered_ce: u32 = at(tcpi_delivered_ce), Segments, "4.18";
    /// Bytes sent, retransmissions included (RFC 4898 tcpEStatsPerfHCDataOctetsOut).
    BytesSent bytes_sent: u64 = at(tcpi_bytes_sent), Bytes, "4.19";
    /// Bytes retransmitted (RFC 4898 tcpEStatsPerfOctetsRetrans).
    BytesRetrans bytes_retrans: u64 = at(tcpi_bytes_retrans), Bytes, "4.19";
    /// Segments reported as duplicates by D-SACK (RFC 4898 tcpEStatsStackDSACKDups).
    DsackDups dsack_dups: u32 = at(tcpi_dsack_dups), Segments, "4.19";
    /// Reordering events seen.
    ReordSeen reord_seen: u32 = at(tcpi_reord_seen), Count, "4.19";
    /// Out-of-order packets received.
    RcvOoopack rcv_ooopack: u32 = at(tcpi_rcv_ooopack), Packets, "5.4";
    /// Peer's advertised receive window after scaling, bytes.
    SndWnd snd_wnd: u32 = at(tcpi_snd_wnd), Bytes, "5.4";
    /// Local advertised receive window after scaling, bytes.
    RcvWnd rcv_wnd: u32 = at(tcpi_rcv_wnd), Bytes, "6.2";
    /// PLB or timeout-triggered rehash attempts.
    Rehash rehash: u32 = at(tcpi_rehash), Count, "6.2";
    /// Retransmission timeouts over the connection's life.
    TotalRto total_rto: u16 = at(tcpi_total_rto), Count, "6.7";
    /// Recoveries entered through a retransmission timeout.
    TotalRtoRecoveries total_rto_recoveries: u16 = at(tcpi_total_rto_recoveries), Count, "6.7";
    /// Time spent in timeout recovery, milliseconds.
    TotalRtoTime total_rto_time: u32 = at(tcpi_total_rto_time), Milliseconds, "6.7", total_rto_time_duration;
    /// Packets received with a CE mark (AccECN).
    ReceivedCe received_ce: u32 = at(tcpi_received_ce), Packets, "6.18";
    /// Bytes delivered with ECT(1) (AccECN).
    DeliveredE1Bytes delivered_e1_bytes: u32 = at(tcpi_delivered_e1_bytes), Bytes, "6.18";
    /// Bytes delivered with ECT(0) (AccECN).
    DeliveredE0Bytes delivered_e0_bytes: u32 = at(tcpi_delivered_e0_bytes), Bytes, "6.18";
    /// Bytes delivered with CE (AccECN).
    DeliveredCeBytes delivered_ce_bytes: u32 = at(tcpi_delivered_ce_bytes), Bytes, "6.18";
    /// Bytes received with ECT(1) (AccECN).
    ReceivedE1Bytes received_e1_bytes: u32 = at(tcpi_received_e1_bytes), Bytes, "6.18";
    /// Bytes received with ECT(0) (AccECN).
    ReceivedE0Bytes received_e0_bytes: u32 = at(tcpi_received_e0_bytes), Bytes, "6.18";
    /// Bytes received with CE (AccECN).
    ReceivedCeBytes received_ce_bytes: u32 = at(tcpi_received_ce_bytes), Bytes, "6.18";
}

impl<B: AsRef<[u8]>> TcpInfo<B> {
    /// The last 4 bytes, raw: `u16 tcpi_accecn_fail_mode, u16
    /// tcpi_accecn_opt_seen` on Linux 6.18, `tcpi_ecn_mode:2,
    /// tcpi_accecn_opt_seen:2, tcpi_accecn_fail_mode:4, tcpi_options2:24`
    /// from 7.0; which one a kernel sent cannot be told from the length.
    ///
    /// `tcpi_accecn`, Linux 6.18; `None` if the kernel's struct ends before it.
    #[inline]
    pub fn accecn_raw(&self) -> Option<u32> {
        read(self.bytes(), offset_of!(tcp_info, tcpi_accecn))
    }

    fn debug_more(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        if let Some(v) = self.accecn_raw() {
            d.field("accecn_raw", &v);
        }
    }
}

growing_fields! {
    /// A field of [`SctpInfo`] (`struct sctp_info`): every numeric field
    /// (the primary address is [`SctpInfo::primary_address`]).
    SctpInfo over sctp_info: enum SctpField, prefix "sctpi_", sizes SCTP_INFO_SIZES;
    /// Local verification tag.
    Tag tag: u32 = at(sctpi_tag), Identifier, "4.7";
    /// Association state (`SCTP_STATE_*`).
    State state: u32 = at(sctpi_state), State, "4.7";
    /// Local receive window, bytes.
    Rwnd rwnd: u32 = at(sctpi_rwnd), Bytes, "4.7";
    /// Unacknowledged DATA chunks.
    Unackdata unackdata: u16 = at(sctpi_unackdata), Chunks, "4.7";
    /// DATA chunks pending receipt.
    Penddata penddata: u16 = at(sctpi_penddata), Chunks, "4.7";
    /// Inbound streams.
    Instrms instrms: u16 = at(sctpi_instrms), Count, "4.7";
    /// Outbound streams.
    Outstrms outstrms: u16 = at(sctpi_outstrms), Count, "4.7";
    /// Fragmentation point, bytes.
    FragmentationPoint fragmentation_point: u32 = at(sctpi_fragmentation_point), Bytes, "4.7";
    /// Chunks in the inbound queue.
    Inqueue inqueue: u32 = at(sctpi_inqueue), Chunks, "4.7";
    /// Chunks in the outbound queue.
    Outqueue outqueue: u32 = at(sctpi_outqueue), Chunks, "4.7";
    /// Consecutive retransmissions over all paths.
    OverallError overall_error: u32 = at(sctpi_overall_error), Count, "4.7";
    /// Maximum burst, packets.
    MaxBurst max_burst: u32 = at(sctpi_max_burst), Packets, "4.7";
    /// Maximum segment size, bytes.
    Maxseg maxseg: u32 = at(sctpi_maxseg), Bytes, "4.7";
    /// Peer's receive window, bytes.
    PeerRwnd peer_rwnd: u32 = at(sctpi_peer_rwnd), Bytes, "4.7";
    /// Peer's verification tag.
    PeerTag peer_tag: u32 = at(sctpi_peer_tag), Identifier, "4.7";
    /// Peer capability bits (ASCONF, PR-SCTP, ...).
    PeerCapable peer_capable: u8 = at(sctpi_peer_capable), Flags, "4.7";
    /// Peer SACK flags.
    PeerSack peer_sack: u8 = at(sctpi_peer_sack), Flags, "4.7";
    /// SACKs received.
    Isacks isacks: u64 = at(sctpi_isacks), Count, "4.7";
    /// SACKs sent.
    Osacks osacks: u64 = at(sctpi_osacks), Count, "4.7";
    /// Packets sent.
    Opackets opackets: u64 = at(sctpi_opackets), Packets, "4.7";
    /// Packets received.
    Ipackets ipackets: u64 = at(sctpi_ipackets), Packets, "4.7";
    /// Chunks retransmitted.
    Rtxchunks rtxchunks: u64 = at(sctpi_rtxchunks), Chunks, "4.7";
    /// TSNs received out of sequence.
    Outofseqtsns outofseqtsns: u64 = at(sctpi_outofseqtsns), Count, "4.7";
    /// Duplicate chunks received.
    Idupchunks idupchunks: u64 = at(sctpi_idupchunks), Chunks, "4.7";
    /// Gap reports received.
    Gapcnt gapcnt: u64 = at(sctpi_gapcnt), Count, "4.7";
    /// Unordered DATA chunks sent.
    Ouodchunks ouodchunks: u64 = at(sctpi_ouodchunks), Chunks, "4.7";
    /// Unordered DATA chunks received.
    Iuodchunks iuodchunks: u64 = at(sctpi_iuodchunks), Chunks, "4.7";
    /// Ordered DATA chunks sent.
    Oodchunks oodchunks: u64 = at(sctpi_oodchunks), Chunks, "4.7";
    /// Ordered DATA chunks received.
    Iodchunks iodchunks: u64 = at(sctpi_iodchunks), Chunks, "4.7";
    /// Control chunks sent.
    Octrlchunks octrlchunks: u64 = at(sctpi_octrlchunks), Chunks, "4.7";
    /// Control chunks received.
    Ictrlchunks ictrlchunks: u64 = at(sctpi_ictrlchunks), Chunks, "4.7";
    /// Primary path state (`SCTP_ACTIVE`, ...).
    PState p_state: i32 = at(sctpi_p_state), State, "4.7";
    /// Primary path congestion window, bytes.
    PCwnd p_cwnd: u32 = at(sctpi_p_cwnd), Bytes, "4.7";
    /// Primary path smoothed round-trip time, milliseconds.
    PSrtt p_srtt: u32 = at(sctpi_p_srtt), Milliseconds, "4.7", p_srtt_duration;
    /// Primary path retransmission timeout, milliseconds.
    PRto p_rto: u32 = at(sctpi_p_rto), Milliseconds, "4.7", p_rto_duration;
    /// Primary path heartbeat interval, milliseconds.
    PHbinterval p_hbinterval: u32 = at(sctpi_p_hbinterval), Milliseconds, "4.7", p_hbinterval_duration;
    /// Primary path maximum retransmissions.
    PPathmaxrxt p_pathmaxrxt: u32 = at(sctpi_p_pathmaxrxt), Count, "4.7";
    /// Primary path SACK delay, milliseconds.
    PSackdelay p_sackdelay: u32 = at(sctpi_p_sackdelay), Milliseconds, "4.7", p_sackdelay_duration;
    /// Primary path SACK frequency, packets.
    PSackfreq p_sackfreq: u32 = at(sctpi_p_sackfreq), Packets, "4.7";
    /// Primary path slow-start threshold, bytes.
    PSsthresh p_ssthresh: u32 = at(sctpi_p_ssthresh), Bytes, "4.7";
    /// Primary path partially acknowledged bytes.
    PPartialBytesAcked p_partial_bytes_acked: u32 = at(sctpi_p_partial_bytes_acked), Bytes, "4.7";
    /// Primary path bytes in flight.
    PFlightSize p_flight_size: u32 = at(sctpi_p_flight_size), Bytes, "4.7";
    /// Primary path error count.
    PError p_error: u16 = at(sctpi_p_error), Count, "4.7";
    /// Socket autoclose timeout, seconds.
    SAutoclose s_autoclose: u32 = at(sctpi_s_autoclose), Seconds, "4.7", s_autoclose_duration;
    /// Socket adaptation-layer indication.
    SAdaptationInd s_adaptation_ind: u32 = at(sctpi_s_adaptation_ind), Identifier, "4.7";
    /// Socket partial-delivery point, bytes.
    SPdPoint s_pd_point: u32 = at(sctpi_s_pd_point), Bytes, "4.7";
    /// `SCTP_NODELAY` is set.
    SNodelay s_nodelay: u8 = at(sctpi_s_nodelay), Flags, "4.7";
    /// `SCTP_DISABLE_FRAGMENTS` is set.
    SDisableFragments s_disable_fragments: u8 = at(sctpi_s_disable_fragments), Flags, "4.7";
    /// `SCTP_I_WANT_MAPPED_V4_ADDR` is set.
    SV4mapped s_v4mapped: u8 = at(sctpi_s_v4mapped), Flags, "4.7";
    /// `SCTP_FRAGMENT_INTERLEAVE` level.
    SFragInterleave s_frag_interleave: u8 = at(sctpi_s_frag_interleave), Count, "4.7";
    /// Socket type (`SOCK_STREAM` or `SOCK_SEQPACKET`).
    SType s_type: u32 = at(sctpi_s_type), State, "4.7";
}

impl<B: AsRef<[u8]>> SctpInfo<B> {
    /// Primary path address (`sctpi_p_address`, a `struct sockaddr_storage`);
    /// `None` if absent or of a family other than IPv4/IPv6.
    pub fn primary_address(&self) -> Option<SocketAddr> {
        let off = offset_of!(sctp_info, sctpi_p_address);
        crate::common::sockaddr(self.bytes().get(off..off.checked_add(128)?)?)
    }

    fn debug_more(&self, d: &mut fmt::DebugStruct<'_, '_>) {
        if let Some(v) = self.primary_address() {
            d.field("primary_address", &v);
        }
    }
}

growing_fields! {
    /// A field of [`MptcpInfo`] (`struct mptcp_info`). Versions after 5.7
    /// are those of the UAPI header's history; the kernel matrix checks
    /// them live.
    MptcpInfo over mptcp_info: enum MptcpField, prefix "mptcpi_", sizes MPTCP_INFO_SIZES;
    /// Additional subflows (also named `mptcpi_extra_subflows`).
    Subflows subflows: u8 = at(mptcpi_subflows), Count, "5.7";
    /// ADD_ADDR announcements sent.
    AddAddrSignal add_addr_signal: u8 = at(mptcpi_add_addr_signal), Count, "5.7";
    /// ADD_ADDR announcements accepted.
    AddAddrAccepted add_addr_accepted: u8 = at(mptcpi_add_addr_accepted), Count, "5.7";
    /// Limit of additional subflows (also `mptcpi_limit_extra_subflows`).
    SubflowsMax subflows_max: u8 = at(mptcpi_subflows_max), Count, "5.7";
    /// Limit of ADD_ADDR announcements (also `mptcpi_endp_signal_max`).
    AddAddrSignalMax add_addr_signal_max: u8 = at(mptcpi_add_addr_signal_max), Count, "5.7";
    /// Limit of accepted ADD_ADDR (also `mptcpi_limit_add_addr_accepted`).
    AddAddrAcceptedMax add_addr_accepted_max: u8 = at(mptcpi_add_addr_accepted_max), Count, "5.7";
    /// `MPTCP_INFO_FLAG_*` bits: 1 fallback to TCP, 2 remote key received.
    Flags flags: u32 = at(mptcpi_flags), Flags, "5.7";
    /// Connection token.
    Token token: u32 = at(mptcpi_token), Identifier, "5.7";
    /// Next data sequence number to write.
    WriteSeq write_seq: u64 = at(mptcpi_write_seq), Identifier, "5.7";
    /// Oldest unacknowledged data sequence number.
    SndUna snd_una: u64 = at(mptcpi_snd_una), Identifier, "5.7";
    /// Next data sequence number expected.
    RcvNxt rcv_nxt: u64 = at(mptcpi_rcv_nxt), Identifier, "5.7";
    /// Local addresses in use by subflows.
    LocalAddrUsed local_addr_used: u8 = at(mptcpi_local_addr_used), Count, "5.12";
    /// Limit of local addresses (also `mptcpi_endp_subflow_max`).
    LocalAddrMax local_addr_max: u8 = at(mptcpi_local_addr_max), Count, "5.12";
    /// DSS checksums are enabled.
    CsumEnabled csum_enabled: u8 = at(mptcpi_csum_enabled), Flags, "5.14";
    /// Data-level retransmissions.
    Retransmits retransmits: u32 = at(mptcpi_retransmits), Count, "6.5";
    /// Bytes retransmitted at the data level.
    BytesRetrans bytes_retrans: u64 = at(mptcpi_bytes_retrans), Bytes, "6.5";
    /// Bytes sent at the data level.
    BytesSent bytes_sent: u64 = at(mptcpi_bytes_sent), Bytes, "6.5";
    /// Bytes received at the data level.
    BytesReceived bytes_received: u64 = at(mptcpi_bytes_received), Bytes, "6.5";
    /// Bytes acknowledged at the data level.
    BytesAcked bytes_acked: u64 = at(mptcpi_bytes_acked), Bytes, "6.5";
    /// Subflows in total, the initial one included.
    SubflowsTotal subflows_total: u8 = at(mptcpi_subflows_total), Count, "6.7";
    /// Limit of ADD_ADDR endpoints.
    EndpAddAddrMax endp_add_addr_max: u8 = at(mptcpi_endp_add_addr_max), Count, "6.18";
    /// Time since data was last sent, milliseconds.
    LastDataSent last_data_sent: u32 = at(mptcpi_last_data_sent), Milliseconds, "6.10", last_data_sent_duration;
    /// Time since data was last received, milliseconds.
    LastDataRecv last_data_recv: u32 = at(mptcpi_last_data_recv), Milliseconds, "6.10", last_data_recv_duration;
    /// Time since an ACK was last received, milliseconds.
    LastAckRecv last_ack_recv: u32 = at(mptcpi_last_ack_recv), Milliseconds, "6.10", last_ack_recv_duration;
}

impl<B: AsRef<[u8]>> MptcpInfo<B> {
    fn debug_more(&self, _d: &mut fmt::DebugStruct<'_, '_>) {}
}

#[cfg(test)]
pub(crate) mod tests;
