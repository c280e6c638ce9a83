//! Any bytes as the attributes of an inet reply, decoded for each protocol
//! (so INFO goes through tcp_info, sctp_info and mptcp_info), collected
//! into the owned form, and as bare growing-struct payloads; everything
//! formatted with `Debug`.
#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use sockdiag::inet::{
    InetAttr, InetAttrs, InetMsg, InetSocket, MptcpInfo, Protocol, SctpInfo, SockAddrs, TcpInfo,
    UlpInfo,
};
use sockdiag::netlink::Attrs;
use sockdiag::SkMemInfo;

fuzz_target!(|data: &[u8]| {
    let mut out = String::new();
    let (selector, rest) = data.split_first().unwrap_or((&0, data));
    let protocol = Protocol::ALL.get(usize::from(*selector) % 8).copied();
    for attr in InetAttrs::new(Attrs::new(rest), protocol) {
        let _ = write!(out, "{attr:?}");
        if let Ok(InetAttr::TcpInfo(i)) = attr {
            let _ = write!(out, "{:?} {:?}", i.to_zero_extended(), i.into_owned());
        }
    }
    // The same attributes after an IPv4 `inet_diag_msg`: the owned form,
    // and every typed shortcut (each agrees with the iteration: a value
    // it finds is the first attribute of its type).
    let mut whole = vec![0u8; 72];
    whole[0] = 2;
    whole.extend_from_slice(rest);
    if let Ok(mut m) = InetMsg::from_payload(&whole, 0) {
        if let Some(p) = protocol {
            m = m.with_protocol(p);
        }
        let _ = write!(out, "{m} {:?}", InetSocket::from(m));
        let _ = write!(
            out,
            "{:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
            m.tcp_info(),
            m.sctp_info(),
            m.mptcp_info(),
            m.meminfo(),
            m.skmeminfo(),
            m.cong(),
            m.bbr(),
            m.shutdown(),
            m.tos(),
            m.tclass(),
            m.mark(),
            m.class_id(),
            m.cgroup_id(),
            m.v6only(),
            m.expires(),
        );
    }
    let _ = write!(
        out,
        "{:?} {:?}",
        TcpInfo::new(rest),
        TcpInfo::new(rest).extra()
    );
    // The generic field walk agrees with the one-field reads, and a field
    // is there exactly when the payload covers it.
    let info = TcpInfo::new(rest);
    for (field, value) in info.fields() {
        assert_eq!(info.get(field), value, "{field}");
        let _ = write!(out, "{field}={value:?}");
    }
    for (field, value) in SctpInfo::new(rest).fields() {
        let _ = write!(out, "{field}={value:?}");
    }
    for (field, value) in MptcpInfo::new(rest).fields() {
        let _ = write!(out, "{field}={value:?}");
    }
    let _ = write!(
        out,
        "{:?} {:?}",
        SctpInfo::new(rest),
        SctpInfo::new(rest).to_zero_extended()
    );
    let _ = write!(
        out,
        "{:?} {:?}",
        MptcpInfo::new(rest),
        MptcpInfo::new(rest).to_zero_extended()
    );
    let _ = write!(out, "{:?}", UlpInfo::new(rest, 0));
    let _ = write!(out, "{:?}", SkMemInfo::new(rest, 0));
    let _ = write!(out, "{:?}", SockAddrs::new(rest, 0));
    std::hint::black_box(out);
});
