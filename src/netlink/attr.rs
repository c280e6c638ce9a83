//! The netlink attribute (TLV) iterator.

use core::fmt;

use super::tlv::Tlvs;
use super::NLA_HDRLEN;
use crate::parse_error::{Layer, ParseError, ParseErrorKind};
use crate::raw::netlink::{nlattr, NLA_F_NESTED, NLA_F_NET_BYTEORDER, NLA_TYPE_MASK};

/// One netlink attribute: its type and payload, borrowed from the buffer.
#[derive(Clone, Copy)]
pub struct Attr<'buf> {
    header: &'buf nlattr,
    payload: &'buf [u8],
    offset: usize,
}

impl<'buf> Attr<'buf> {
    /// The raw header.
    pub fn header(&self) -> &'buf nlattr {
        self.header
    }

    /// The attribute type (`nla_type` without the `NLA_F_NESTED` and
    /// `NLA_F_NET_BYTEORDER` flag bits).
    #[inline]
    pub fn kind(&self) -> u16 {
        self.header.nla_type.get() & NLA_TYPE_MASK
    }

    /// True if the sender set `NLA_F_NESTED`. sock_diag nests without
    /// setting it, so do not rely on it there.
    pub fn is_nested(&self) -> bool {
        self.header.nla_type.get() & NLA_F_NESTED != 0
    }

    /// True if the sender set `NLA_F_NET_BYTEORDER`.
    pub fn is_net_byteorder(&self) -> bool {
        self.header.nla_type.get() & NLA_F_NET_BYTEORDER != 0
    }

    /// The payload: `nla_len - 4` bytes, without trailing padding.
    #[inline]
    pub fn payload(&self) -> &'buf [u8] {
        self.payload
    }

    /// Byte offset of the attribute header in the outermost buffer.
    #[inline]
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Byte offset of the payload in the outermost buffer.
    #[inline]
    pub fn payload_offset(&self) -> usize {
        self.offset.saturating_add(NLA_HDRLEN)
    }

    /// The payload as nested attributes.
    pub fn nested(&self) -> Attrs<'buf> {
        Attrs::with_base(self.payload, self.payload_offset())
    }

    #[inline]
    fn exact<const N: usize>(&self) -> Result<[u8; N], ParseError> {
        <[u8; N]>::try_from(self.payload).map_err(|_| self.wrong_length(N))
    }

    #[cold]
    fn wrong_length(&self, expected: usize) -> ParseError {
        ParseError::new(
            Layer::Attribute,
            self.offset,
            ParseErrorKind::WrongLength {
                length: self.payload.len(),
                expected,
            },
        )
    }

    /// The payload as a `u8`; an error unless it is exactly 1 byte.
    #[inline]
    pub fn u8(&self) -> Result<u8, ParseError> {
        self.exact::<1>().map(|[b]| b)
    }

    /// The payload as a host-order `u16`; an error unless it is exactly 2 bytes.
    #[inline]
    pub fn u16(&self) -> Result<u16, ParseError> {
        self.exact().map(u16::from_ne_bytes)
    }

    /// The payload as a host-order `u32`; an error unless it is exactly 4 bytes.
    #[inline]
    pub fn u32(&self) -> Result<u32, ParseError> {
        self.exact().map(u32::from_ne_bytes)
    }

    /// The payload as a host-order `u64`; an error unless it is exactly 8 bytes.
    #[inline]
    pub fn u64(&self) -> Result<u64, ParseError> {
        self.exact().map(u64::from_ne_bytes)
    }

    /// The payload up to (not including) its first NUL byte: the text of a
    /// NUL-terminated string attribute. The whole payload if it has no NUL.
    pub fn c_str_bytes(&self) -> &'buf [u8] {
        let end = self
            .payload
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(self.payload.len());
        self.payload.get(..end).unwrap_or(self.payload)
    }
}

impl fmt::Debug for Attr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Attr")
            .field("offset", &self.offset)
            .field("kind", &self.kind())
            .field("nested", &self.is_nested())
            .field("payload", &self.payload)
            .finish()
    }
}

/// Iterator over a run of netlink attributes.
///
/// Yields `Err` once and then stops if the framing is broken: a header
/// cut short, an `nla_len` below 4 or past the end, or stray bytes after
/// the last attribute. Attributes before the break are still yielded.
#[derive(Clone, Debug)]
pub struct Attrs<'buf> {
    tlvs: Tlvs<'buf>,
}

impl<'buf> Attrs<'buf> {
    /// Iterates over the attributes in `buf`, with offsets counted from
    /// `base` (the position of `buf` in the outermost buffer).
    pub fn with_base(buf: &'buf [u8], base: usize) -> Self {
        Attrs {
            tlvs: Tlvs::new(buf, base),
        }
    }

    /// Iterates over the attributes in `buf`; offsets count from its start.
    pub fn new(buf: &'buf [u8]) -> Self {
        Self::with_base(buf, 0)
    }

    /// The first attribute of type `kind`, or `None`. An error if the
    /// framing breaks before it is found.
    pub fn find(&self, kind: u16) -> Result<Option<Attr<'buf>>, ParseError> {
        for attr in self.clone() {
            let attr = attr?;
            if attr.kind() == kind {
                return Ok(Some(attr));
            }
        }
        Ok(None)
    }
}

impl<'buf> Iterator for Attrs<'buf> {
    type Item = Result<Attr<'buf>, ParseError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        Some(
            self.tlvs
                .next::<nlattr>()?
                .map(|(header, payload, offset)| Attr {
                    header,
                    payload,
                    offset,
                }),
        )
    }
}

impl core::iter::FusedIterator for Attrs<'_> {}
