//! Any bytes as a netlink message stream: framing, every control message,
//! every inet view with all its attributes and nested attributes, all
//! formatted with `Debug` and `Display` so that no accessor escapes.
#![no_main]

use std::fmt::Write;

use libfuzzer_sys::fuzz_target;
use sockdiag::inet::{InetMsg, InetSocket, Protocol};
use sockdiag::netlink::{Attrs, ExtAck, Messages};

fuzz_target!(|data: &[u8]| {
    let mut out = String::new();
    for msg in Messages::new(data) {
        let msg = match msg {
            Ok(m) => m,
            Err(e) => {
                let _ = write!(out, "{e} {e:?}");
                break;
            }
        };
        let _ = write!(out, "{msg:?}");
        if let Some(done) = msg.done() {
            let _ = write!(out, "{done:?}");
            if let Ok(d) = done {
                let _ = write!(
                    out,
                    "{:?} {:?}",
                    d.errno(),
                    d.to_kernel_error().map(|k| k.to_string())
                );
            }
        }
        if let Some(err) = msg.error() {
            let _ = write!(out, "{err:?}");
            if let Ok(e) = err {
                let _ = write!(
                    out,
                    "{:?} {:?} {:?} {:?}",
                    e.errno(),
                    e.request(),
                    e.request_payload(),
                    e.to_kernel_error().map(|k| k.to_string())
                );
            }
        }
        // One protocol per input (picked by its length) keeps runs fast.
        if let Some(&p) = Protocol::ALL.get(data.len() % Protocol::ALL.len()) {
            if let Ok(m) = InetMsg::parse_as(msg, p) {
                let _ = write!(out, "{:?}", InetSocket::from(m));
            }
        }
        match InetMsg::parse(msg) {
            Ok(m) => {
                let _ = write!(
                    out,
                    "{m:?} {} {} {:x} {:?}",
                    m.state(),
                    m.family(),
                    m.fast_hash(),
                    InetSocket::from(m)
                );
                for attr in m.attrs() {
                    let Ok(a) = attr else { break };
                    let _ = write!(
                        out,
                        "{a:?} {:?} {:?} {:?} {:?} {:?}",
                        a.u8(),
                        a.u16(),
                        a.u32(),
                        a.u64(),
                        a.c_str_bytes()
                    );
                    for inner in a.nested() {
                        let _ = write!(out, "{inner:?}");
                    }
                }
            }
            Err(e) => {
                let _ = write!(out, "{e}");
            }
        }
    }
    // The same bytes as a capture file.
    for record in sockdiag::replay::Replay::new(data) {
        let _ = write!(out, "{record:?}");
    }
    // The same bytes as extended-ack attributes and as a bare attribute run.
    let _ = write!(out, "{:?}", ExtAck::parse(data, 0));
    let _ = write!(out, "{:?}", Attrs::new(data).collect::<Vec<_>>());
    std::hint::black_box(out);
});
