//! The request type of the kernel's destroy announcements: each event is
//! an [`InetMsg`] whose protocol its `INET_DIAG_PROTOCOL` attribute names.

use super::{InetMsg, InetSocket, Protocol};
use crate::netlink::NlMsg;
use crate::parse_error::ParseError;
use crate::request::{sealed, Request};

/// The request type of destroy-event batches: parses each event as an
/// [`InetMsg`] whose protocol is the one the event's
/// `INET_DIAG_PROTOCOL` attribute names.
#[derive(Clone, Copy, Debug, Default)]
pub struct DestroyEvent;

impl sealed::Sealed for DestroyEvent {}

impl Request for DestroyEvent {
    type Msg<'buf> = InetMsg<'buf>;
    type Owned = InetSocket;

    fn sdiag_family(&self) -> u8 {
        crate::raw::AF_UNSPEC
    }
    fn sdiag_protocol(&self) -> u16 {
        0
    }
    fn encode(&self, _seq: u32) -> impl AsRef<[u8]> {
        [0u8; 0]
    }
    fn parse<'buf>(&self, msg: NlMsg<'buf>) -> Result<InetMsg<'buf>, ParseError> {
        let m = InetMsg::parse(msg)?;
        let protocol = m
            .attrs()
            .find(crate::raw::inet_diag::INET_DIAG_PROTOCOL)
            .ok()
            .flatten()
            .and_then(|a| a.u8().ok())
            .and_then(|p| Protocol::from_raw(u16::from(p)));
        Ok(match protocol {
            Some(p) => InetMsg::parse_as(msg, p)?,
            None => m,
        })
    }
}
