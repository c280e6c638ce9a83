//! Netlink framing: the message iterator, message headers, `NLMSG_ERROR` and
//! `NLMSG_DONE` decoding, and the attribute iterator.
//!
//! Everything here borrows the caller's bytes and never allocates. Iterators
//! yield `Result`s and stop after the first error, so a malformed buffer
//! produces exactly one [`ParseError`] naming the layer and byte offset.
//!
//! ```
//! use sockdiag::netlink::Messages;
//!
//! // One NLMSG_DONE message carrying errno 0.
//! let mut bytes = Vec::new();
//! bytes.extend_from_slice(&20u32.to_ne_bytes()); // nlmsg_len
//! bytes.extend_from_slice(&3u16.to_ne_bytes()); // nlmsg_type = NLMSG_DONE
//! bytes.extend_from_slice(&2u16.to_ne_bytes()); // NLM_F_MULTI
//! bytes.extend_from_slice(&[0; 8]); // seq, pid
//! bytes.extend_from_slice(&0i32.to_ne_bytes()); // errno
//! let msg = Messages::new(&bytes).next().unwrap().unwrap();
//! assert!(msg.is_done());
//! assert_eq!(msg.done().unwrap().unwrap().errno(), None);
//! ```

mod attr;
mod control;
mod tlv;

pub use attr::{Attr, Attrs};
pub use control::{Done, ErrorMsg, ExtAck};

use core::fmt;

use bitflags::bitflags;

use self::tlv::Tlvs;
use crate::parse_error::ParseError;
use crate::raw::netlink::{self as rawnl, nlattr, nlmsghdr};

/// `NLMSG_ALIGNTO`: netlink messages and attributes are padded to 4 bytes.
pub const NLMSG_ALIGNTO: usize = 4;
/// `NLMSG_HDRLEN`: size of `struct nlmsghdr`.
pub const NLMSG_HDRLEN: usize = 16;
/// Size of `struct nlattr` / `struct rtattr`.
pub const NLA_HDRLEN: usize = 4;

/// `NLMSG_ALIGN(len)` (and `RTA_ALIGN`, `NLA_ALIGN`): `len` rounded up to a
/// multiple of 4. Saturates instead of overflowing.
pub const fn nlmsg_align(len: usize) -> usize {
    len.saturating_add(NLMSG_ALIGNTO - 1) & !(NLMSG_ALIGNTO - 1)
}

/// `RTA_LENGTH(len)`: the `nla_len`/`rta_len` of an attribute with a
/// `len`-byte payload (header included, trailing padding excluded).
pub const fn rta_length(len: usize) -> usize {
    NLA_HDRLEN.saturating_add(len)
}

/// `RTA_PAYLOAD(rta)`: the payload length an attribute header announces
/// (0 for a malformed header shorter than itself).
pub fn rta_payload(attr: &nlattr) -> usize {
    usize::from(attr.nla_len.get()).saturating_sub(NLA_HDRLEN)
}

bitflags! {
    /// `NLM_F_*` message flags (`nlmsg_flags`).
    ///
    /// Bits 8 and 9 mean different things by context: `ROOT`/`MATCH` in a
    /// GET request, `CAPPED`/`ACK_TLVS` in an `NLMSG_ERROR` reply.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub struct Flags: u16 {
        /// `NLM_F_REQUEST`: it is a request message.
        const REQUEST = rawnl::NLM_F_REQUEST;
        /// `NLM_F_MULTI`: part of a multipart reply ended by `NLMSG_DONE`.
        const MULTI = rawnl::NLM_F_MULTI;
        /// `NLM_F_ACK`: reply with an acknowledgement.
        const ACK = rawnl::NLM_F_ACK;
        /// `NLM_F_ECHO`: echo this request.
        const ECHO = rawnl::NLM_F_ECHO;
        /// `NLM_F_DUMP_INTR`: the dump was inconsistent; restart suggested.
        const DUMP_INTR = rawnl::NLM_F_DUMP_INTR;
        /// `NLM_F_DUMP_FILTERED`: the dump was filtered as requested.
        const DUMP_FILTERED = rawnl::NLM_F_DUMP_FILTERED;
        /// `NLM_F_ROOT`: (request) return the whole table.
        const ROOT = rawnl::NLM_F_ROOT;
        /// `NLM_F_MATCH`: (request) return all matching entries.
        const MATCH = rawnl::NLM_F_MATCH;
        /// `NLM_F_ATOMIC`: (request) atomic snapshot.
        const ATOMIC = rawnl::NLM_F_ATOMIC;
        /// `NLM_F_DUMP`: `ROOT | MATCH`.
        const DUMP = rawnl::NLM_F_DUMP;
        /// `NLM_F_CAPPED`: (`NLMSG_ERROR`) the echoed request is only its header.
        const CAPPED = rawnl::NLM_F_CAPPED;
        /// `NLM_F_ACK_TLVS`: (`NLMSG_ERROR`, `NLMSG_DONE`) extended-ack attributes follow.
        const ACK_TLVS = rawnl::NLM_F_ACK_TLVS;
        // Keep unknown bits: flags are reported as the kernel sent them.
        const _ = !0;
    }
}

/// One netlink message: a checked header and its payload, borrowed from
/// the buffer.
#[derive(Clone, Copy)]
pub struct NlMsg<'buf> {
    header: &'buf nlmsghdr,
    payload: &'buf [u8],
    offset: usize,
}

impl<'buf> NlMsg<'buf> {
    /// The raw header.
    pub fn header(&self) -> &'buf nlmsghdr {
        self.header
    }

    /// `nlmsg_type`: `NLMSG_ERROR`, `NLMSG_DONE`, or a family type such
    /// as `SOCK_DIAG_BY_FAMILY`.
    pub fn kind(&self) -> u16 {
        self.header.nlmsg_type.get()
    }

    /// `nlmsg_flags`.
    pub fn flags(&self) -> Flags {
        Flags::from_bits_retain(self.header.nlmsg_flags.get())
    }

    /// `nlmsg_seq`.
    pub fn seq(&self) -> u32 {
        self.header.nlmsg_seq.get()
    }

    /// `nlmsg_pid`: the port id the message is addressed to (replies) or
    /// sent from (requests).
    pub fn port_id(&self) -> u32 {
        self.header.nlmsg_pid.get()
    }

    /// The payload: `nlmsg_len - NLMSG_HDRLEN` bytes after the header.
    pub fn payload(&self) -> &'buf [u8] {
        self.payload
    }

    /// Byte offset of the header in the buffer the message was parsed from.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Byte offset of the payload in that buffer.
    pub fn payload_offset(&self) -> usize {
        self.offset.saturating_add(NLMSG_HDRLEN)
    }

    /// True for `NLMSG_DONE`.
    pub fn is_done(&self) -> bool {
        self.kind() == rawnl::NLMSG_DONE
    }

    /// True for `NLMSG_ERROR` (errors and acknowledgements).
    pub fn is_error(&self) -> bool {
        self.kind() == rawnl::NLMSG_ERROR
    }

    /// Decodes an `NLMSG_ERROR` message; `None` for any other type.
    pub fn error(&self) -> Option<Result<ErrorMsg<'buf>, ParseError>> {
        self.is_error().then(|| ErrorMsg::parse(*self))
    }

    /// Decodes an `NLMSG_DONE` message; `None` for any other type.
    pub fn done(&self) -> Option<Result<Done<'buf>, ParseError>> {
        self.is_done().then(|| Done::parse(*self))
    }
}

impl fmt::Debug for NlMsg<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NlMsg")
            .field("offset", &self.offset)
            .field("len", &self.header.nlmsg_len.get())
            .field("kind", &self.kind())
            .field("flags", &self.flags())
            .field("seq", &self.seq())
            .field("port_id", &self.port_id())
            .field("payload_len", &self.payload.len())
            .finish()
    }
}

/// Iterator over the netlink messages in a byte buffer (one datagram, or
/// a capture file of concatenated datagrams).
///
/// Yields `Err` once and then stops if the framing is broken: a header
/// cut short, an `nlmsg_len` below 16 or past the end of the buffer, or
/// stray bytes after the last message.
#[derive(Clone, Debug)]
pub struct Messages<'buf> {
    tlvs: Tlvs<'buf>,
}

impl<'buf> Messages<'buf> {
    /// Iterates over the messages in `buf`; offsets count from its start.
    pub fn new(buf: &'buf [u8]) -> Self {
        Self::with_base(buf, 0)
    }

    /// Like [`new`](Self::new), with offsets in errors and messages counted
    /// from `base` (the position of `buf` in a larger buffer or file).
    pub fn with_base(buf: &'buf [u8], base: usize) -> Self {
        Messages {
            tlvs: Tlvs::new(buf, base),
        }
    }
}

impl<'buf> Iterator for Messages<'buf> {
    type Item = Result<NlMsg<'buf>, ParseError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        Some(
            self.tlvs
                .next::<nlmsghdr>()?
                .map(|(header, payload, offset)| NlMsg {
                    header,
                    payload,
                    offset,
                }),
        )
    }
}

impl core::iter::FusedIterator for Messages<'_> {}

#[cfg(test)]
pub(crate) mod tests;
