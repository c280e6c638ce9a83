//! `<linux/netlink.h>`: the netlink message header, error message and
//! attribute header.

use zerocopy::byteorder::native_endian::{I32, U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

/// `NETLINK_SOCK_DIAG` (also spelled `NETLINK_INET_DIAG`): the netlink
/// protocol number of the socket-diagnostics interface.
pub const NETLINK_SOCK_DIAG: i32 = 4;

/// `NLMSG_NOOP`: message to be ignored.
pub const NLMSG_NOOP: u16 = 1;
/// `NLMSG_ERROR`: error or acknowledgement; payload is [`nlmsgerr`].
pub const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`: end of a multipart (dump) reply; payload is an `int` errno.
pub const NLMSG_DONE: u16 = 3;
/// `NLMSG_OVERRUN`: data lost.
pub const NLMSG_OVERRUN: u16 = 4;
/// `NLMSG_MIN_TYPE`: message types below this value are reserved for control.
pub const NLMSG_MIN_TYPE: u16 = 0x10;

/// `NLM_F_REQUEST`: it is a request message.
pub const NLM_F_REQUEST: u16 = 0x01;
/// `NLM_F_MULTI`: multipart message, terminated by `NLMSG_DONE`.
pub const NLM_F_MULTI: u16 = 0x02;
/// `NLM_F_ACK`: reply with an acknowledgement on success.
pub const NLM_F_ACK: u16 = 0x04;
/// `NLM_F_ECHO`: echo this request.
pub const NLM_F_ECHO: u16 = 0x08;
/// `NLM_F_DUMP_INTR`: dump was inconsistent due to a sequence change.
pub const NLM_F_DUMP_INTR: u16 = 0x10;
/// `NLM_F_DUMP_FILTERED`: dump was filtered as requested.
pub const NLM_F_DUMP_FILTERED: u16 = 0x20;
/// `NLM_F_ROOT`: (GET requests) specify tree root.
pub const NLM_F_ROOT: u16 = 0x100;
/// `NLM_F_MATCH`: (GET requests) return all matching.
pub const NLM_F_MATCH: u16 = 0x200;
/// `NLM_F_ATOMIC`: (GET requests) atomic GET.
pub const NLM_F_ATOMIC: u16 = 0x400;
/// `NLM_F_DUMP`: `NLM_F_ROOT | NLM_F_MATCH`.
pub const NLM_F_DUMP: u16 = NLM_F_ROOT | NLM_F_MATCH;
/// `NLM_F_CAPPED`: (`NLMSG_ERROR`) the echoed request was cut to its header.
pub const NLM_F_CAPPED: u16 = 0x100;
/// `NLM_F_ACK_TLVS`: (`NLMSG_ERROR`, `NLMSG_DONE`) extended-ack TLVs follow.
pub const NLM_F_ACK_TLVS: u16 = 0x200;

/// `NLMSGERR_ATTR_MSG`: extended ack, NUL-terminated error message.
pub const NLMSGERR_ATTR_MSG: u16 = 1;
/// `NLMSGERR_ATTR_OFFS`: extended ack, `u32` offset of the offending byte in the request.
pub const NLMSGERR_ATTR_OFFS: u16 = 2;
/// `NLMSGERR_ATTR_COOKIE`: extended ack, arbitrary cookie bytes.
pub const NLMSGERR_ATTR_COOKIE: u16 = 3;
/// `NLMSGERR_ATTR_POLICY`: extended ack, nested policy of the rejected attribute.
pub const NLMSGERR_ATTR_POLICY: u16 = 4;
/// `NLMSGERR_ATTR_MISS_TYPE`: extended ack, `u32` type of a missing attribute.
pub const NLMSGERR_ATTR_MISS_TYPE: u16 = 5;
/// `NLMSGERR_ATTR_MISS_NEST`: extended ack, `u32` offset of the nest missing an attribute.
pub const NLMSGERR_ATTR_MISS_NEST: u16 = 6;

/// `NLA_F_NESTED`: attribute type flag, the payload is nested attributes.
pub const NLA_F_NESTED: u16 = 1 << 15;
/// `NLA_F_NET_BYTEORDER`: attribute type flag, the payload is big-endian.
pub const NLA_F_NET_BYTEORDER: u16 = 1 << 14;
/// `NLA_TYPE_MASK`: the attribute type without its two flag bits.
pub const NLA_TYPE_MASK: u16 = !(NLA_F_NESTED | NLA_F_NET_BYTEORDER);

/// `struct nlmsghdr` (16 bytes): the header in front of every netlink message.
///
/// All fields are in host byte order.
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
pub struct nlmsghdr {
    /// Length of the message including this header.
    pub nlmsg_len: U32,
    /// Message type (`NLMSG_*` control types or a family-specific type).
    pub nlmsg_type: U16,
    /// `NLM_F_*` flags.
    pub nlmsg_flags: U16,
    /// Sequence number, echoed by the kernel in replies.
    pub nlmsg_seq: U32,
    /// Port id of the sending (requests) or receiving (replies) socket.
    pub nlmsg_pid: U32,
}

/// `struct nlmsgerr` (20 bytes): payload of an `NLMSG_ERROR` message.
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
pub struct nlmsgerr {
    /// Negative errno, or 0 for an acknowledgement.
    pub error: I32,
    /// Header of the request that caused this reply.
    pub msg: nlmsghdr,
}

/// `struct nlattr` / `struct rtattr` (4 bytes): the header of a netlink
/// attribute (TLV). Both C structs have the same layout.
#[doc(alias = "rtattr")]
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
pub struct nlattr {
    /// Length of the attribute including this header, without trailing padding.
    pub nla_len: U16,
    /// Attribute type, possibly with the `NLA_F_*` flag bits.
    pub nla_type: U16,
}

const _: () = {
    use core::mem::{offset_of, size_of};
    assert!(size_of::<nlmsghdr>() == 16);
    assert!(offset_of!(nlmsghdr, nlmsg_type) == 4);
    assert!(offset_of!(nlmsghdr, nlmsg_flags) == 6);
    assert!(offset_of!(nlmsghdr, nlmsg_seq) == 8);
    assert!(offset_of!(nlmsghdr, nlmsg_pid) == 12);
    assert!(size_of::<nlmsgerr>() == 20);
    assert!(offset_of!(nlmsgerr, msg) == 4);
    assert!(size_of::<nlattr>() == 4);
    assert!(offset_of!(nlattr, nla_type) == 2);
};
