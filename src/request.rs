//! The encoded form of a request, on the stack.

use core::fmt;

use zerocopy::byteorder::native_endian::{U16, U32};

use crate::raw::netlink::{nlmsghdr, NLM_F_DUMP, NLM_F_REQUEST};

/// Longest request this crate encodes: a header, the largest request
/// struct (`inet_diag_req_v2`, 56 bytes), one 8-byte attribute and the
/// header of a bytecode attribute (whose program is sent from where it is).
pub(crate) const MAX_REQUEST_LEN: usize = 16 + 56 + 8 + 4;

/// An encoded request message (header and body), on the stack.
#[derive(Clone, Copy)]
pub struct RequestBytes {
    buf: [u8; MAX_REQUEST_LEN],
    len: usize,
}

impl RequestBytes {
    pub(crate) fn new(parts: &[&[u8]]) -> Self {
        let mut out = RequestBytes {
            buf: [0; MAX_REQUEST_LEN],
            len: 0,
        };
        for part in parts {
            let end = out.len.saturating_add(part.len());
            if let Some(dst) = out.buf.get_mut(out.len..end) {
                dst.copy_from_slice(part);
                out.len = end;
            }
        }
        out
    }

    /// The bytes to send.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }
}

impl AsRef<[u8]> for RequestBytes {
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl fmt::Debug for RequestBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestBytes")
            .field(&self.as_bytes())
            .finish()
    }
}

/// A request header: `NLM_F_REQUEST`, plus `NLM_F_DUMP` for dumps.
pub(crate) fn header(len: usize, kind: u16, dump: bool, seq: u32) -> nlmsghdr {
    let flags = if dump {
        NLM_F_REQUEST | NLM_F_DUMP
    } else {
        NLM_F_REQUEST
    };
    header_with(len, kind, flags, seq)
}

/// A request header with explicit flags.
pub(crate) fn header_with(len: usize, kind: u16, flags: u16, seq: u32) -> nlmsghdr {
    nlmsghdr {
        nlmsg_len: U32::new(len as u32),
        nlmsg_type: U16::new(kind),
        nlmsg_flags: U16::new(flags),
        nlmsg_seq: U32::new(seq),
        nlmsg_pid: U32::new(0),
    }
}

/// The 64-bit cookie from its two host-order words, low word first.
pub(crate) fn cookie(words: &[U32; 2]) -> u64 {
    let [lo, hi] = words;
    u64::from(hi.get()) << 32 | u64::from(lo.get())
}

/// The two cookie words of `cookie`, or `INET_DIAG_NOCOOKIE` twice.
pub(crate) fn cookie_words(cookie: Option<u64>) -> [U32; 2] {
    match cookie {
        Some(c) => [U32::new(c as u32), U32::new((c >> 32) as u32)],
        None => [U32::new(crate::raw::inet_diag::INET_DIAG_NOCOOKIE); 2],
    }
}
