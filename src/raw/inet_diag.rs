//! `<linux/inet_diag.h>`: inet (TCP, UDP, RAW, SCTP, DCCP, MPTCP) socket
//! requests and replies.

use zerocopy::byteorder::native_endian::{I32, U16, U32};
use zerocopy::byteorder::network_endian::U16 as BeU16;
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `TCPDIAG_GETSOCK`: legacy request type (with [`inet_diag_req`]) that
/// dumps TCP sockets of both address families in one kernel walk.
pub const TCPDIAG_GETSOCK: u16 = 18;
/// `DCCPDIAG_GETSOCK`: the DCCP twin of [`TCPDIAG_GETSOCK`].
pub const DCCPDIAG_GETSOCK: u16 = 19;

/// `INET_DIAG_NOCOOKIE`: value of both cookie words meaning "no cookie".
pub const INET_DIAG_NOCOOKIE: u32 = !0;

/// `IPPROTO_TCP`.
pub const IPPROTO_TCP: u8 = 6;
/// `IPPROTO_UDP`.
pub const IPPROTO_UDP: u8 = 17;
/// `IPPROTO_DCCP`.
pub const IPPROTO_DCCP: u8 = 33;
/// `IPPROTO_SCTP`.
pub const IPPROTO_SCTP: u8 = 132;
/// `IPPROTO_UDPLITE`.
pub const IPPROTO_UDPLITE: u8 = 136;
/// `IPPROTO_RAW`: selects the raw_diag handler in a request.
pub const IPPROTO_RAW: u8 = 255;

/// `INET_DIAG_NONE`: response attribute type 0 (unused).
pub const INET_DIAG_NONE: u16 = 0;
/// `INET_DIAG_MEMINFO`: `struct inet_diag_meminfo`.
pub const INET_DIAG_MEMINFO: u16 = 1;
/// `INET_DIAG_INFO`: `struct tcp_info` (or `sctp_info`, `mptcp_info`).
pub const INET_DIAG_INFO: u16 = 2;
/// `INET_DIAG_VEGASINFO`: `struct tcpvegas_info`.
pub const INET_DIAG_VEGASINFO: u16 = 3;
/// `INET_DIAG_CONG`: congestion-control name, NUL-terminated.
pub const INET_DIAG_CONG: u16 = 4;
/// `INET_DIAG_TOS`: `u8` IPv4 type of service.
pub const INET_DIAG_TOS: u16 = 5;
/// `INET_DIAG_TCLASS`: `u8` IPv6 traffic class.
pub const INET_DIAG_TCLASS: u16 = 6;
/// `INET_DIAG_SKMEMINFO`: `u32[SK_MEMINFO_VARS]`.
pub const INET_DIAG_SKMEMINFO: u16 = 7;
/// `INET_DIAG_SHUTDOWN`: `u8` shutdown state.
pub const INET_DIAG_SHUTDOWN: u16 = 8;
/// `INET_DIAG_DCTCPINFO`: `struct tcp_dctcp_info`.
pub const INET_DIAG_DCTCPINFO: u16 = 9;
/// `INET_DIAG_PROTOCOL`: `u8` protocol (response only).
pub const INET_DIAG_PROTOCOL: u16 = 10;
/// `INET_DIAG_SKV6ONLY`: `u8` `IPV6_V6ONLY`.
pub const INET_DIAG_SKV6ONLY: u16 = 11;
/// `INET_DIAG_LOCALS`: SCTP local addresses.
pub const INET_DIAG_LOCALS: u16 = 12;
/// `INET_DIAG_PEERS`: SCTP peer addresses.
pub const INET_DIAG_PEERS: u16 = 13;
/// `INET_DIAG_PAD`: alignment padding.
pub const INET_DIAG_PAD: u16 = 14;
/// `INET_DIAG_MARK`: `u32` socket mark (needs `CAP_NET_ADMIN`).
pub const INET_DIAG_MARK: u16 = 15;
/// `INET_DIAG_BBRINFO`: `struct tcp_bbr_info`.
pub const INET_DIAG_BBRINFO: u16 = 16;
/// `INET_DIAG_CLASS_ID`: `u32` cgroup classid or `sk_priority`.
pub const INET_DIAG_CLASS_ID: u16 = 17;
/// `INET_DIAG_MD5SIG`: `struct tcp_diag_md5sig[]`.
pub const INET_DIAG_MD5SIG: u16 = 18;
/// `INET_DIAG_ULP_INFO`: nested upper-layer-protocol info.
pub const INET_DIAG_ULP_INFO: u16 = 19;
/// `INET_DIAG_SK_BPF_STORAGES`: nested BPF socket storages.
pub const INET_DIAG_SK_BPF_STORAGES: u16 = 20;
/// `INET_DIAG_CGROUP_ID`: `u64` cgroup v2 id.
pub const INET_DIAG_CGROUP_ID: u16 = 21;
/// `INET_DIAG_SOCKOPT`: `struct inet_diag_sockopt`.
pub const INET_DIAG_SOCKOPT: u16 = 22;

/// `INET_DIAG_REQ_NONE`: request attribute type 0 (unused).
pub const INET_DIAG_REQ_NONE: u16 = 0;
/// `INET_DIAG_REQ_BYTECODE`: filter program of `inet_diag_bc_op`s.
pub const INET_DIAG_REQ_BYTECODE: u16 = 1;
/// `INET_DIAG_REQ_SK_BPF_STORAGES`: BPF storage map fds to report.
pub const INET_DIAG_REQ_SK_BPF_STORAGES: u16 = 2;
/// `INET_DIAG_REQ_PROTOCOL`: `u32` protocol, for protocols above 255 (MPTCP).
pub const INET_DIAG_REQ_PROTOCOL: u16 = 3;

/// `INET_ULP_INFO_NAME`: nested in `INET_DIAG_ULP_INFO`, the ULP name string.
pub const INET_ULP_INFO_NAME: u16 = 1;
/// `INET_ULP_INFO_TLS`: nested kernel-TLS attributes (`TLS_INFO_*`).
pub const INET_ULP_INFO_TLS: u16 = 2;
/// `INET_ULP_INFO_MPTCP`: nested MPTCP subflow attributes (`MPTCP_SUBFLOW_ATTR_*`).
pub const INET_ULP_INFO_MPTCP: u16 = 3;

/// `struct inet_diag_meminfo` (16 bytes): `INET_DIAG_MEMINFO`.
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
pub struct inet_diag_meminfo {
    /// Receive queue memory, bytes.
    pub idiag_rmem: U32,
    /// Write queue memory (queued), bytes.
    pub idiag_wmem: U32,
    /// Forward-allocated memory, bytes.
    pub idiag_fmem: U32,
    /// Transmit memory in flight, bytes.
    pub idiag_tmem: U32,
}

/// `struct inet_diag_sockopt` (2 bytes): `INET_DIAG_SOCKOPT`, two bytes of
/// one-bit bitfields (in declaration order from the least significant bit
/// on little-endian targets, from the most significant on big-endian):
/// byte 0 `recverr, is_icsk, freebind, hdrincl, mc_loop, transparent,
/// mc_all, nodefrag`; byte 1 `bind_address_no_port, recverr_rfc4884,
/// defer_connect, unused:5`.
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
pub struct inet_diag_sockopt {
    /// Bitfield byte 0.
    pub bits0: u8,
    /// Bitfield byte 1.
    pub bits1: u8,
}

/// `struct inet_diag_sockid` (48 bytes): the identity of an inet socket.
///
/// Ports and addresses are in network byte order; an IPv4 address occupies
/// the first four bytes of its 16-byte field.
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
pub struct inet_diag_sockid {
    /// Source (local) port, big-endian.
    pub idiag_sport: BeU16,
    /// Destination (remote) port, big-endian.
    pub idiag_dport: BeU16,
    /// Source address (`__be32[4]`), network byte order.
    pub idiag_src: [u8; 16],
    /// Destination address (`__be32[4]`), network byte order.
    pub idiag_dst: [u8; 16],
    /// Interface index the socket is bound to, or 0.
    pub idiag_if: U32,
    /// Socket cookie, low word first; both `INET_DIAG_NOCOOKIE` = none.
    pub idiag_cookie: [U32; 2],
}

/// `struct inet_diag_req_v2` (56 bytes): a `SOCK_DIAG_BY_FAMILY` request
/// for inet sockets. Also `struct inet_diag_req_raw`, whose byte 3 is
/// `sdiag_raw_protocol`.
#[doc(alias = "inet_diag_req_raw")]
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
pub struct inet_diag_req_v2 {
    /// `AF_INET` or `AF_INET6`.
    pub sdiag_family: u8,
    /// `IPPROTO_*`.
    pub sdiag_protocol: u8,
    /// Extension bit mask: bit `t - 1` asks for response attribute `t`.
    pub idiag_ext: u8,
    /// Padding; `sdiag_raw_protocol` for RAW requests (Linux 4.9).
    pub pad: u8,
    /// State bit mask: bit `s` selects sockets in state `s`.
    pub idiag_states: U32,
    /// Socket identity: filter for dumps, key for lookups.
    pub id: inet_diag_sockid,
}

/// `struct inet_diag_req` (60 bytes): the legacy request of
/// `TCPDIAG_GETSOCK` / `DCCPDIAG_GETSOCK`.
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
pub struct inet_diag_req {
    /// Address family; the kernel walks both families for dumps.
    pub idiag_family: u8,
    /// Source prefix length (unused by the kernel).
    pub idiag_src_len: u8,
    /// Destination prefix length (unused by the kernel).
    pub idiag_dst_len: u8,
    /// Extension bit mask, as in [`inet_diag_req_v2`].
    pub idiag_ext: u8,
    /// Socket identity.
    pub id: inet_diag_sockid,
    /// State bit mask.
    pub idiag_states: U32,
    /// Tables to dump (unused by the kernel).
    pub idiag_dbs: U32,
}

/// `struct inet_diag_msg` (72 bytes): the fixed part of every inet
/// socket reply, followed by `INET_DIAG_*` attributes.
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
pub struct inet_diag_msg {
    /// `AF_INET` or `AF_INET6`.
    pub idiag_family: u8,
    /// Socket state (`TCP_*` numbering for every protocol).
    pub idiag_state: u8,
    /// Pending timer: 0 none, 1 retransmit, 2 keepalive, 3 TIME_WAIT, 4 zero-window probe.
    pub idiag_timer: u8,
    /// Retransmits (timer 1) or probes (timer 4) so far.
    pub idiag_retrans: u8,
    /// Socket identity.
    pub id: inet_diag_sockid,
    /// Milliseconds until the timer fires.
    pub idiag_expires: U32,
    /// Receive queue: unread bytes (listener: accept-queue length).
    pub idiag_rqueue: U32,
    /// Send queue: unacknowledged bytes (listener: accept backlog).
    pub idiag_wqueue: U32,
    /// Owner uid, mapped into the requester's user namespace.
    pub idiag_uid: U32,
    /// Socket inode number, or 0 when the socket has no file.
    pub idiag_inode: U32,
}

/// `INET_DIAG_BC_NOP`: go to `yes`.
pub const INET_DIAG_BC_NOP: u8 = 0;
/// `INET_DIAG_BC_JMP`: go to `no`.
pub const INET_DIAG_BC_JMP: u8 = 1;
/// `INET_DIAG_BC_S_GE`: local port ≥ the port in the next op's `no`.
pub const INET_DIAG_BC_S_GE: u8 = 2;
/// `INET_DIAG_BC_S_LE`: local port ≤ the port in the next op's `no`.
pub const INET_DIAG_BC_S_LE: u8 = 3;
/// `INET_DIAG_BC_D_GE`: remote port ≥ the port in the next op's `no`.
pub const INET_DIAG_BC_D_GE: u8 = 4;
/// `INET_DIAG_BC_D_LE`: remote port ≤ the port in the next op's `no`.
pub const INET_DIAG_BC_D_LE: u8 = 5;
/// `INET_DIAG_BC_AUTO`: the local port was chosen by the kernel (no
/// `SOCK_BINDPORT_LOCK`).
pub const INET_DIAG_BC_AUTO: u8 = 6;
/// `INET_DIAG_BC_S_COND`: local address and port match an
/// [`inet_diag_hostcond`].
pub const INET_DIAG_BC_S_COND: u8 = 7;
/// `INET_DIAG_BC_D_COND`: remote address and port match an
/// [`inet_diag_hostcond`].
pub const INET_DIAG_BC_D_COND: u8 = 8;
/// `INET_DIAG_BC_DEV_COND`: bound interface equals the following `u32`
/// (Linux 4.8).
pub const INET_DIAG_BC_DEV_COND: u8 = 9;
/// `INET_DIAG_BC_MARK_COND`: `mark & mask == value` for the following
/// [`inet_diag_markcond`] (Linux 4.9; needs `CAP_NET_ADMIN`).
pub const INET_DIAG_BC_MARK_COND: u8 = 10;
/// `INET_DIAG_BC_S_EQ`: local port equals the port in the next op's `no`
/// (Linux 4.16).
pub const INET_DIAG_BC_S_EQ: u8 = 11;
/// `INET_DIAG_BC_D_EQ`: remote port equals the port in the next op's `no`
/// (Linux 4.16).
pub const INET_DIAG_BC_D_EQ: u8 = 12;
/// `INET_DIAG_BC_CGROUP_COND`: cgroup v2 id equals the following `u64`
/// (Linux 5.8).
pub const INET_DIAG_BC_CGROUP_COND: u8 = 13;

/// `struct inet_diag_bc_op` (4 bytes): one instruction of an
/// `INET_DIAG_REQ_BYTECODE` filter program. Every instruction is a
/// conditional forward jump: `yes` bytes on success, `no` bytes on failure.
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
pub struct inet_diag_bc_op {
    /// `INET_DIAG_BC_*`.
    pub code: u8,
    /// Jump on success, in bytes from this op.
    pub yes: u8,
    /// Jump on failure, in bytes from this op (the port, for the second op
    /// of a port comparison).
    pub no: U16,
}

/// `struct inet_diag_hostcond` (8 bytes, then 0, 4 or 16 address bytes):
/// the operand of `INET_DIAG_BC_S_COND` / `D_COND`.
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
pub struct inet_diag_hostcond {
    /// `AF_UNSPEC` (any address), `AF_INET` or `AF_INET6`.
    pub family: u8,
    /// Prefix length in bits (at most 8 × the address length).
    pub prefix_len: u8,
    /// Alignment padding of the C struct.
    pub pad: [u8; 2],
    /// Port, host order; -1 = any.
    pub port: I32,
}

/// `struct inet_diag_markcond` (8 bytes): the operand of
/// `INET_DIAG_BC_MARK_COND`.
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
pub struct inet_diag_markcond {
    /// Expected value of `mark & mask`.
    pub mark: U32,
    /// Mask applied to the socket mark.
    pub mask: U32,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<inet_diag_meminfo>() == 16);
    assert!(size_of::<inet_diag_sockopt>() == 2);
    assert!(size_of::<inet_diag_sockid>() == 48);
    assert!(offset_of!(inet_diag_sockid, idiag_dport) == 2);
    assert!(offset_of!(inet_diag_sockid, idiag_src) == 4);
    assert!(offset_of!(inet_diag_sockid, idiag_dst) == 20);
    assert!(offset_of!(inet_diag_sockid, idiag_if) == 36);
    assert!(offset_of!(inet_diag_sockid, idiag_cookie) == 40);

    assert!(size_of::<inet_diag_req_v2>() == 56);
    assert!(offset_of!(inet_diag_req_v2, sdiag_protocol) == 1);
    assert!(offset_of!(inet_diag_req_v2, idiag_ext) == 2);
    assert!(offset_of!(inet_diag_req_v2, pad) == 3);
    assert!(offset_of!(inet_diag_req_v2, idiag_states) == 4);
    assert!(offset_of!(inet_diag_req_v2, id) == 8);

    assert!(size_of::<inet_diag_req>() == 60);
    assert!(offset_of!(inet_diag_req, idiag_ext) == 3);
    assert!(offset_of!(inet_diag_req, id) == 4);
    assert!(offset_of!(inet_diag_req, idiag_states) == 52);
    assert!(offset_of!(inet_diag_req, idiag_dbs) == 56);

    assert!(size_of::<inet_diag_bc_op>() == 4);
    assert!(offset_of!(inet_diag_bc_op, no) == 2);
    assert!(size_of::<inet_diag_hostcond>() == 8);
    assert!(offset_of!(inet_diag_hostcond, port) == 4);
    assert!(size_of::<inet_diag_markcond>() == 8);

    assert!(size_of::<inet_diag_msg>() == 72);
    assert!(offset_of!(inet_diag_msg, idiag_state) == 1);
    assert!(offset_of!(inet_diag_msg, idiag_timer) == 2);
    assert!(offset_of!(inet_diag_msg, idiag_retrans) == 3);
    assert!(offset_of!(inet_diag_msg, id) == 4);
    assert!(offset_of!(inet_diag_msg, idiag_expires) == 52);
    assert!(offset_of!(inet_diag_msg, idiag_rqueue) == 56);
    assert!(offset_of!(inet_diag_msg, idiag_wqueue) == 60);
    assert!(offset_of!(inet_diag_msg, idiag_uid) == 64);
    assert!(offset_of!(inet_diag_msg, idiag_inode) == 68);
};
