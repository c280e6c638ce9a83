//! Any bytes as a stream of unix, netlink, packet, vsock, AF_XDP, SMC and
//! TIPC sock_diag replies:
//! every view, every typed attribute and the owned forms, formatted with
//! `Debug` so that no accessor escapes.
#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use sockdiag::netlink::Messages;
use sockdiag::netlink_diag::{NetlinkMsg, NetlinkSocket};
use sockdiag::packet::{PacketMsg, PacketSocket};
use sockdiag::smc::{SmcAttr, SmcMsg, SmcSocket};
use sockdiag::tipc::{TipcMsg, TipcSocket};
use sockdiag::unix::{UnixAttr, UnixMsg, UnixSocket};
use sockdiag::vsock::{VsockMsg, VsockSocket};
use sockdiag::xdp::{XdpMsg, XdpSocket};

fuzz_target!(|data: &[u8]| {
    let mut out = String::new();
    for msg in Messages::new(data) {
        let Ok(msg) = msg else { break };
        if let Ok(m) = UnixMsg::parse(msg) {
            let _ = write!(out, "{m:?} {:?}", UnixSocket::from(m));
            for a in m.attributes() {
                if let Ok(UnixAttr::Name(n)) = a {
                    let _ = write!(out, "{n} {:?}", n.to_owned());
                }
                if let Ok(UnixAttr::Icons(i)) = a {
                    let _ = write!(out, "{:?}", i.iter().collect::<Vec<_>>());
                }
            }
        }
        if let Ok(m) = NetlinkMsg::parse(msg) {
            let _ = write!(out, "{m:?} {:?}", NetlinkSocket::from(m));
        }
        if let Ok(m) = PacketMsg::parse(msg) {
            let _ = write!(out, "{m:?} {:?}", PacketSocket::from(m));
        }
        if let Ok(m) = VsockMsg::parse(msg) {
            let s = VsockSocket::from(m);
            let _ = write!(out, "{m:?} {s:?} {} {}", s.src, s.dst);
        }
        if let Ok(m) = XdpMsg::parse(msg) {
            let _ = write!(out, "{m:?} {:?}", XdpSocket::from(m));
        }
        if let Ok(m) = TipcMsg::parse(msg) {
            let _ = write!(out, "{m:?} {:?}", TipcSocket::from(m));
        }
        if let Ok(m) = SmcMsg::parse(msg) {
            let _ = write!(out, "{m:?} {:?}", SmcSocket::from(m));
            for a in m.attributes() {
                if let Ok(SmcAttr::LgrInfo(l)) = a {
                    let _ = write!(out, "{:?} {:?} {:?}", l.ibname(), l.gid(), l.peer_gid());
                }
            }
        }
    }
    std::hint::black_box(out);
});
