//! The one length-prefixed walker behind [`Messages`](super::Messages) and
//! [`Attrs`](super::Attrs).

use zerocopy::{FromBytes, Immutable, KnownLayout, Unaligned};

use super::nlmsg_align;
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::netlink::{nlattr, nlmsghdr};

/// A header whose first field is the length of the whole element.
pub(crate) trait TlvHeader: FromBytes + KnownLayout + Immutable + Unaligned {
    const LAYER: Layer;
    fn total_len(&self) -> usize;
}

impl TlvHeader for nlmsghdr {
    const LAYER: Layer = Layer::Message;
    fn total_len(&self) -> usize {
        self.nlmsg_len.get() as usize
    }
}

impl TlvHeader for nlattr {
    const LAYER: Layer = Layer::Attribute;
    fn total_len(&self) -> usize {
        usize::from(self.nla_len.get())
    }
}

/// Walks `header, payload, padding` elements; stops after the first error.
#[derive(Clone, Debug)]
pub(crate) struct Tlvs<'buf> {
    buf: &'buf [u8],
    pos: usize,
    base: usize,
    failed: bool,
}

/// One element: its header, payload and absolute offset.
pub(crate) type Tlv<'buf, H> = (&'buf H, &'buf [u8], usize);

impl<'buf> Tlvs<'buf> {
    pub(crate) fn new(buf: &'buf [u8], base: usize) -> Self {
        Tlvs {
            buf,
            pos: 0,
            base,
            failed: false,
        }
    }

    #[inline]
    pub(crate) fn next<H: TlvHeader>(&mut self) -> Option<Result<Tlv<'buf, H>, ParseError>> {
        if self.failed {
            return None;
        }
        let rest = self.buf.get(self.pos..).filter(|r| !r.is_empty())?;
        let offset = self.base.saturating_add(self.pos);
        let hdr_len = core::mem::size_of::<H>();
        let fail = |kind| Some(Err(ParseError::new(H::LAYER, offset, kind)));
        let Ok((header, _)) = H::ref_from_prefix(rest) else {
            self.failed = true;
            return fail(ParseErrorKind::Truncated {
                needed: hdr_len,
                available: rest.len(),
            });
        };
        let len = header.total_len();
        if len < hdr_len {
            self.failed = true;
            return fail(ParseErrorKind::LengthTooSmall {
                length: len,
                minimum: hdr_len,
            });
        }
        let Some(payload) = rest.get(hdr_len..len) else {
            self.failed = true;
            return fail(ParseErrorKind::LengthPastEnd {
                length: len,
                available: rest.len(),
            });
        };
        // The last element may omit its trailing padding.
        self.pos = self
            .pos
            .saturating_add(nlmsg_align(len))
            .min(self.buf.len());
        Some(Ok((header, payload, offset)))
    }
}
