//! Requests: the [`Request`] trait every request type implements, the
//! encoded form of a request on the stack, and the request whose body the
//! caller encodes.

use core::fmt;

use zerocopy::byteorder::native_endian::{U16, U32};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout};

use crate::netlink::{NlMsg, NLMSG_HDRLEN};
use crate::parse_error::ParseErrorKind;
use crate::raw::netlink::{nlmsghdr, NLM_F_DUMP, NLM_F_REQUEST};
use crate::raw::sock_diag::SOCK_DIAG_BY_FAMILY;
use crate::{Layer, ParseError};

pub(crate) mod sealed {
    pub trait Sealed {}
}

/// A sock_diag request that [`DiagSocket`](crate::DiagSocket) can send: it knows how to
/// encode itself and how to parse its replies. Implemented by the
/// request builders of this crate ([`InetRequest`](crate::inet::InetRequest));
/// sealed.
pub trait Request: Copy + sealed::Sealed {
    /// The borrowed view of one reply.
    type Msg<'buf>: Copy + fmt::Debug;
    /// The owned form of one reply, for [`DiagSocket::snapshot`](crate::DiagSocket::snapshot).
    type Owned: for<'buf> From<Self::Msg<'buf>>;

    /// `sdiag_family` of the request (`AF_*`), named in errors.
    fn sdiag_family(&self) -> u8;
    /// Protocol of the request (`IPPROTO_*`, 0 where the family has none),
    /// named in errors.
    fn sdiag_protocol(&self) -> u16 {
        0
    }
    /// The request message with sequence number `seq`: all of it, or all
    /// but the [`tail`](Request::tail), which its length counts.
    fn encode(&self, seq: u32) -> impl AsRef<[u8]>;
    /// The end of the message, sent after [`encode`](Request::encode)'s
    /// bytes in the same datagram without being copied (a filter program);
    /// empty for most requests.
    fn tail(&self) -> &[u8] {
        &[]
    }
    /// Checks and wraps one reply message to this request.
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<Self::Msg<'buf>, ParseError>;
    /// True for a reply that carries no socket and is passed over
    /// (neither parsed nor counted): `tipc_diag` answers each socket that
    /// its state filter excludes with an empty message, which `ss` skips
    /// too. False for every other family.
    fn is_empty_reply(&self, _msg: &NlMsg<'_>) -> bool {
        false
    }
    /// True for an exact lookup (one reply, no `NLMSG_DONE`; `ENOENT` and
    /// `ESTALE` mean [`Error::NotFound`](crate::Error::NotFound)) rather than a dump.
    fn is_lookup(&self) -> bool {
        false
    }
    /// True if the kernel's `errno` in reply to this dump means that it
    /// has no handler for the request ([`Error::Unavailable`](crate::Error::Unavailable)):
    /// `ENOENT` for every request; the legacy DCCP request also answers
    /// `EINVAL` on kernels without DCCP (6.16 on).
    fn means_unavailable(&self, errno: i32) -> bool {
        errno == crate::raw::ENOENT
    }
}

/// [`Request`] (and its seal) for the request `$req` of family
/// `$family` (`AF_*`) whose replies are `$msg` views (checked by
/// `$msg::parse` alone), owned as `$owned`, and which encodes itself with
/// its `to_bytes`; the trait's other items, where the family differs from
/// their defaults, after a `;`.
macro_rules! family_request {
    ($req:ty, $family:expr => $msg:ident, $owned:ty $(; $($items:tt)*)?) => {
        impl $crate::request::sealed::Sealed for $req {}

        impl $crate::Request for $req {
            type Msg<'buf> = $msg<'buf>;
            type Owned = $owned;

            fn sdiag_family(&self) -> u8 {
                $family
            }
            fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
                self.to_bytes(seq)
            }
            fn parse<'buf>(
                &self,
                msg: $crate::netlink::NlMsg<'buf>,
            ) -> Result<$msg<'buf>, $crate::ParseError> {
                $msg::parse(msg)
            }
            $($($items)*)?
        }
    };
}
pub(crate) use family_request;

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

/// Splits a `SOCK_DIAG_BY_FAMILY` reply of `family` into its fixed
/// struct `T` and the attribute bytes after it (aligned to 4 bytes) with
/// their offset.
pub(crate) fn split_reply<'buf, T: FromBytes + KnownLayout + Immutable>(
    msg: NlMsg<'buf>,
    layer: Layer,
    family: u8,
    family_of: fn(&T) -> u8,
) -> Result<(&'buf T, &'buf [u8], usize), ParseError> {
    if msg.kind() != SOCK_DIAG_BY_FAMILY {
        return Err(ParseError::new(
            layer,
            msg.offset(),
            ParseErrorKind::UnexpectedType { found: msg.kind() },
        ));
    }
    let payload = msg.payload();
    let offset = msg.payload_offset();
    let (raw, _) = T::ref_from_prefix(payload).map_err(|_| {
        ParseError::new(
            layer,
            offset,
            ParseErrorKind::Truncated {
                needed: size_of::<T>(),
                available: payload.len(),
            },
        )
    })?;
    let found = family_of(raw);
    if found != family {
        return Err(ParseError::new(
            layer,
            offset,
            ParseErrorKind::UnknownFamily { found },
        ));
    }
    let start = crate::netlink::nlmsg_align(size_of::<T>());
    let attrs = payload.get(start..).unwrap_or_default();
    Ok((raw, attrs, offset.saturating_add(start)))
}

/// A `SOCK_DIAG_BY_FAMILY` request whose body the caller encodes: for a
/// family a newer kernel adds before this crate has its builder, or to
/// send exactly the bytes an experiment needs (every family the kernel
/// has today has its builder: prefer it).
///
/// `body` is the family's request struct and any attributes after it; its
/// first byte is `sdiag_family` and its second `sdiag_protocol`, as in
/// every sock_diag request. It is sent from where it is, after a 16-byte
/// header this crate writes (sequence number included). Replies are
/// handed out as [`NlMsg`]s of type `SOCK_DIAG_BY_FAMILY` whose payload
/// starts with the request's family byte (every family's replies do but
/// TIPC's, which are attributes only: use
/// [`TipcRequest`](crate::tipc::TipcRequest)); anything else is a
/// [`ParseError`]. Errors come back typed as for any
/// other request: a family the kernel does not know is
/// [`Error::Kernel`](crate::Error::Kernel) with `EINVAL`, a family with
/// no diag module `ENOENT`.
///
/// ```no_run
/// use sockdiag::{DiagSocket, RawRequest};
///
/// // struct vsock_diag_req: family AF_VSOCK (40), protocol 0, pad,
/// // vdiag_states = every state, vdiag_ino = 0, vdiag_show = 0,
/// // vdiag_cookie = none.
/// let mut body = [0u8; 24];
/// body[0] = 40;
/// body[4..8].copy_from_slice(&u32::MAX.to_ne_bytes());
/// body[16..24].copy_from_slice(&[0xff; 8]);
/// let mut sock = DiagSocket::new()?;
/// sock.for_each(&RawRequest::dump(&body), |msg| {
///     println!("{} bytes of vsock_diag_msg", msg.payload().len());
/// })?;
/// # Ok::<(), sockdiag::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct RawRequest<'a> {
    body: &'a [u8],
    dump: bool,
}

impl<'a> RawRequest<'a> {
    /// A dump (`NLM_F_REQUEST | NLM_F_DUMP`) of what `body` selects.
    pub const fn dump(body: &'a [u8]) -> Self {
        RawRequest { body, dump: true }
    }

    /// An exact lookup (`NLM_F_REQUEST` only): one reply, no `NLMSG_DONE`;
    /// `ENOENT` and `ESTALE` are [`Error::NotFound`](crate::Error::NotFound).
    pub const fn lookup(body: &'a [u8]) -> Self {
        RawRequest { body, dump: false }
    }

    /// The request body.
    pub const fn body(&self) -> &'a [u8] {
        self.body
    }

    /// The netlink header sent before the body, with sequence number `seq`.
    /// (A body too long for the 32-bit `nlmsg_len` gets length 0; such a
    /// datagram is far past any socket's send buffer, and `sendmsg`
    /// refuses it.)
    pub fn header(&self, seq: u32) -> RequestBytes {
        let len = self
            .body
            .len()
            .checked_add(NLMSG_HDRLEN)
            .filter(|&l| u32::try_from(l).is_ok())
            .unwrap_or(0);
        let hdr = header(len, SOCK_DIAG_BY_FAMILY, self.dump, seq);
        RequestBytes::new(&[hdr.as_bytes()])
    }
}

impl sealed::Sealed for RawRequest<'_> {}

impl Request for RawRequest<'_> {
    type Msg<'buf> = NlMsg<'buf>;
    type Owned = Vec<u8>;

    fn sdiag_family(&self) -> u8 {
        self.body.first().copied().unwrap_or(0)
    }
    fn sdiag_protocol(&self) -> u16 {
        self.body.get(1).copied().map_or(0, u16::from)
    }
    fn encode(&self, seq: u32) -> impl AsRef<[u8]> {
        self.header(seq)
    }
    fn tail(&self) -> &[u8] {
        self.body
    }
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<NlMsg<'buf>, ParseError> {
        // Every sock_diag reply starts with its family byte.
        split_reply(msg, Layer::Reply, self.sdiag_family(), |family: &u8| {
            *family
        })?;
        Ok(msg)
    }
    fn is_lookup(&self) -> bool {
        !self.dump
    }
}

/// The payload of a reply (the family's reply struct and its attributes),
/// for [`DiagSocket::snapshot`](crate::DiagSocket::snapshot) of a
/// [`RawRequest`].
impl From<NlMsg<'_>> for Vec<u8> {
    fn from(msg: NlMsg<'_>) -> Vec<u8> {
        msg.payload().to_vec()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::netlink::Messages;
    use crate::ParseErrorKind;

    fn message(kind: u16, payload: &[u8]) -> Vec<u8> {
        let mut m = Vec::new();
        m.extend_from_slice(&(16 + payload.len() as u32).to_ne_bytes());
        m.extend_from_slice(&kind.to_ne_bytes());
        m.extend_from_slice(&2u16.to_ne_bytes());
        m.extend_from_slice(&9u32.to_ne_bytes());
        m.extend_from_slice(&0u32.to_ne_bytes());
        m.extend_from_slice(payload);
        m
    }

    #[test]
    fn raw_request_header_and_body() {
        let body = [40u8, 6, 0, 0, 1, 2, 3, 4];
        let req = RawRequest::dump(&body);
        assert_eq!((req.sdiag_family(), req.sdiag_protocol()), (40, 6));
        assert!(!req.is_lookup() && RawRequest::lookup(&body).is_lookup());
        let head = req.encode(7);
        let mut sent = head.as_ref().to_vec();
        sent.extend_from_slice(req.tail());
        let msg = Messages::new(&sent).next().unwrap().unwrap();
        assert_eq!(msg.kind(), SOCK_DIAG_BY_FAMILY);
        assert_eq!(msg.seq(), 7);
        assert_eq!(msg.flags().bits(), NLM_F_REQUEST | NLM_F_DUMP);
        assert_eq!(msg.payload(), &body);
        let lookup = RawRequest::lookup(&body).header(1);
        assert_eq!(
            Messages::new(&[lookup.as_bytes(), &body[..]].concat())
                .next()
                .unwrap()
                .unwrap()
                .flags()
                .bits(),
            NLM_F_REQUEST
        );
        assert_eq!(RawRequest::dump(&[]).sdiag_family(), 0);
    }

    #[test]
    fn raw_request_checks_type_and_family() {
        let req = RawRequest::dump(&[40, 0]);
        let ok = message(SOCK_DIAG_BY_FAMILY, &[40, 1, 2, 3]);
        let msg = Messages::new(&ok).next().unwrap().unwrap();
        assert_eq!(req.parse(msg).unwrap().payload(), &[40, 1, 2, 3]);
        assert_eq!(Vec::from(msg), vec![40, 1, 2, 3]);
        for (bytes, layer_offset, kind) in [
            (
                message(21, &[40]),
                0,
                ParseErrorKind::UnexpectedType { found: 21 },
            ),
            (
                message(SOCK_DIAG_BY_FAMILY, &[1, 0, 0, 0]),
                16,
                ParseErrorKind::UnknownFamily { found: 1 },
            ),
            (
                message(SOCK_DIAG_BY_FAMILY, &[]),
                16,
                ParseErrorKind::Truncated {
                    needed: 1,
                    available: 0,
                },
            ),
        ] {
            let msg = Messages::new(&bytes).next().unwrap().unwrap();
            let e = req.parse(msg).unwrap_err();
            assert_eq!(e.layer(), Layer::Reply);
            assert_eq!(e.offset(), layer_offset);
            assert_eq!(e.kind(), kind);
            assert!(e.to_string().contains("sock_diag reply"), "{e}");
        }
    }
}
