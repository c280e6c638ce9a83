//! `NLMSG_ERROR` and `NLMSG_DONE` payloads and their extended-ack
//! attributes.

use zerocopy::FromBytes;

use super::{nlmsg_align, Attrs, Flags, NlMsg};
use crate::parse_error::{ErrorOrigin, KernelError, Layer, ParseError, ParseErrorKind};
use crate::raw::netlink::{self as rawnl, nlmsgerr, nlmsghdr};

/// Extended-ack attributes (`NLMSGERR_ATTR_*`), present when the socket
/// enabled `NETLINK_EXT_ACK` and the kernel had something to say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExtAck<'buf> {
    message: Option<&'buf [u8]>,
    offset: Option<u32>,
    cookie: Option<&'buf [u8]>,
    policy: Option<&'buf [u8]>,
    missing_type: Option<u32>,
    missing_nest: Option<u32>,
}

impl<'buf> ExtAck<'buf> {
    /// Parses the attributes in `buf`, located at `base` in the outermost
    /// buffer. Unknown attribute types are skipped.
    pub fn parse(buf: &'buf [u8], base: usize) -> Result<Self, ParseError> {
        let mut ack = ExtAck::default();
        for attr in Attrs::with_base(buf, base) {
            let attr = attr.map_err(|e| ParseError::new(Layer::ExtAck, e.offset(), e.kind()))?;
            match attr.kind() {
                rawnl::NLMSGERR_ATTR_MSG => ack.message = Some(attr.c_str_bytes()),
                rawnl::NLMSGERR_ATTR_OFFS => ack.offset = Some(attr.u32()?),
                rawnl::NLMSGERR_ATTR_COOKIE => ack.cookie = Some(attr.payload()),
                rawnl::NLMSGERR_ATTR_POLICY => ack.policy = Some(attr.payload()),
                rawnl::NLMSGERR_ATTR_MISS_TYPE => ack.missing_type = Some(attr.u32()?),
                rawnl::NLMSGERR_ATTR_MISS_NEST => ack.missing_nest = Some(attr.u32()?),
                _ => {}
            }
        }
        Ok(ack)
    }

    /// `NLMSGERR_ATTR_MSG`: the error text, without its NUL.
    pub fn message(&self) -> Option<&'buf [u8]> {
        self.message
    }

    /// `NLMSGERR_ATTR_OFFS`: offset of the offending byte in the request.
    pub fn offset(&self) -> Option<u32> {
        self.offset
    }

    /// `NLMSGERR_ATTR_COOKIE`: opaque cookie bytes.
    pub fn cookie(&self) -> Option<&'buf [u8]> {
        self.cookie
    }

    /// `NLMSGERR_ATTR_POLICY`: the nested policy of the rejected attribute, raw.
    pub fn policy(&self) -> Option<&'buf [u8]> {
        self.policy
    }

    /// `NLMSGERR_ATTR_MISS_TYPE`: type of a required attribute that was missing.
    pub fn missing_type(&self) -> Option<u32> {
        self.missing_type
    }

    /// `NLMSGERR_ATTR_MISS_NEST`: offset of the nest that lacked it.
    pub fn missing_nest(&self) -> Option<u32> {
        self.missing_nest
    }
}

/// Positive errno from the kernel's negative error field; `None` for 0.
fn errno_of(error: i32) -> Option<i32> {
    match error {
        0 => None,
        e if e < 0 => Some(e.saturating_neg()),
        e => Some(e),
    }
}

fn check_kind(msg: &NlMsg<'_>, kind: u16, layer: Layer) -> Result<(), ParseError> {
    if msg.kind() == kind {
        Ok(())
    } else {
        Err(ParseError::new(
            layer,
            msg.offset(),
            ParseErrorKind::UnexpectedType { found: msg.kind() },
        ))
    }
}

fn ext_ack_after<'buf>(msg: &NlMsg<'buf>, skip: usize) -> Result<ExtAck<'buf>, ParseError> {
    if !msg.flags().contains(Flags::ACK_TLVS) {
        return Ok(ExtAck::default());
    }
    let tlvs = msg.payload().get(skip..).unwrap_or_default();
    ExtAck::parse(tlvs, msg.payload_offset().saturating_add(skip))
}

/// A decoded `NLMSG_ERROR` message: an error number, or 0 for an
/// acknowledgement, plus the header of the request it answers.
#[derive(Clone, Copy, Debug)]
pub struct ErrorMsg<'buf> {
    raw: &'buf nlmsgerr,
    request_payload: Option<&'buf [u8]>,
    ext_ack: ExtAck<'buf>,
}

impl<'buf> ErrorMsg<'buf> {
    /// Decodes `msg`, which must be an `NLMSG_ERROR` message.
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        check_kind(&msg, rawnl::NLMSG_ERROR, Layer::ErrorMessage)?;
        let payload = msg.payload();
        let (raw, rest) = nlmsgerr::ref_from_prefix(payload).map_err(|_| {
            ParseError::new(
                Layer::ErrorMessage,
                msg.payload_offset(),
                ParseErrorKind::Truncated {
                    needed: core::mem::size_of::<nlmsgerr>(),
                    available: payload.len(),
                },
            )
        })?;
        // The request's payload is echoed after the header for errors,
        // unless the socket asked for capped acks.
        let echoed = raw.error.get() != 0 && !msg.flags().contains(Flags::CAPPED);
        let (request_payload, skip) = if echoed {
            let len =
                (raw.msg.nlmsg_len.get() as usize).saturating_sub(core::mem::size_of::<nlmsghdr>());
            let Some(echo) = rest.get(..len) else {
                return Err(ParseError::new(
                    Layer::ErrorMessage,
                    msg.payload_offset()
                        .saturating_add(core::mem::size_of::<nlmsgerr>()),
                    ParseErrorKind::LengthPastEnd {
                        length: len,
                        available: rest.len(),
                    },
                ));
            };
            (
                Some(echo),
                core::mem::size_of::<nlmsgerr>().saturating_add(nlmsg_align(len)),
            )
        } else {
            (None, core::mem::size_of::<nlmsgerr>())
        };
        Ok(ErrorMsg {
            raw,
            request_payload,
            ext_ack: ext_ack_after(&msg, skip)?,
        })
    }

    /// The raw `struct nlmsgerr`.
    pub fn raw(&self) -> &'buf nlmsgerr {
        self.raw
    }

    /// The positive errno, or `None` for an acknowledgement (error 0).
    pub fn errno(&self) -> Option<i32> {
        errno_of(self.raw.error.get())
    }

    /// The header of the request this message answers.
    pub fn request(&self) -> &'buf nlmsghdr {
        &self.raw.msg
    }

    /// The echoed payload of the request (errors only, unless capped).
    pub fn request_payload(&self) -> Option<&'buf [u8]> {
        self.request_payload
    }

    /// The extended-ack attributes (empty unless `NLM_F_ACK_TLVS`).
    pub fn ext_ack(&self) -> ExtAck<'buf> {
        self.ext_ack
    }

    /// The error as an owned [`KernelError`]; `None` for an acknowledgement.
    pub fn to_kernel_error(&self) -> Option<KernelError> {
        let errno = self.errno()?;
        Some(KernelError::new(
            errno,
            ErrorOrigin::Request,
            self.ext_ack.message,
            self.ext_ack.offset,
        ))
    }
}

/// A decoded `NLMSG_DONE` message: the end of a dump, with the error that
/// ended it early, if any.
#[derive(Clone, Copy, Debug)]
pub struct Done<'buf> {
    error: i32,
    ext_ack: ExtAck<'buf>,
}

impl<'buf> Done<'buf> {
    /// Decodes `msg`, which must be an `NLMSG_DONE` message. An empty
    /// payload (some non-kernel writers) counts as success.
    pub fn parse(msg: NlMsg<'buf>) -> Result<Self, ParseError> {
        check_kind(&msg, rawnl::NLMSG_DONE, Layer::Done)?;
        let payload = msg.payload();
        let error = match payload.get(..4) {
            Some(&[a, b, c, d]) => i32::from_ne_bytes([a, b, c, d]),
            _ if payload.is_empty() => 0,
            _ => {
                return Err(ParseError::new(
                    Layer::Done,
                    msg.payload_offset(),
                    ParseErrorKind::Truncated {
                        needed: 4,
                        available: payload.len(),
                    },
                ))
            }
        };
        Ok(Done {
            error,
            ext_ack: ext_ack_after(&msg, 4)?,
        })
    }

    /// The positive errno that ended the dump, or `None` if it completed.
    /// The kernel reports `ENOENT` here when it has no handler for the
    /// requested protocol.
    pub fn errno(&self) -> Option<i32> {
        errno_of(self.error)
    }

    /// The extended-ack attributes (empty unless `NLM_F_ACK_TLVS`).
    pub fn ext_ack(&self) -> ExtAck<'buf> {
        self.ext_ack
    }

    /// The error as an owned [`KernelError`]; `None` if the dump completed.
    pub fn to_kernel_error(&self) -> Option<KernelError> {
        let errno = self.errno()?;
        Some(KernelError::new(
            errno,
            ErrorOrigin::Dump,
            self.ext_ack.message,
            self.ext_ack.offset,
        ))
    }
}
