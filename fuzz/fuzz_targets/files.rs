//! The text files: the first byte picks the parser, the rest is the file.
//! None may panic; a `/proc` table line that parses must hold what its
//! text says (the addresses' families).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sockdiag::files::{proc_sockets, protocols, Hosts, Services, SockStat};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    match mode % 5 {
        0 => {
            let s = Services::parse(&text);
            for port in [0, 22, 53, 80, u16::MAX] {
                std::hint::black_box(s.name_of(port, "tcp"));
            }
            std::hint::black_box(s.port_of("ssh", "tcp"));
        }
        1 => {
            let h = Hosts::parse(&text);
            let lo = std::net::IpAddr::from([127, 0, 0, 1]);
            std::hint::black_box((h.addresses_of("localhost"), h.name_of(lo)));
        }
        2 => {
            let v6 = rest.first().is_some_and(|b| b & 1 == 1);
            for r in proc_sockets(&text, v6).flatten() {
                assert_eq!(r.local.is_ipv6(), v6);
                assert_eq!(r.remote.is_ipv6(), v6);
            }
        }
        3 => {
            let mut mid = text.len() / 2;
            while !text.is_char_boundary(mid) {
                mid -= 1;
            }
            let (a, b) = text.split_at(mid);
            std::hint::black_box(SockStat::parse(a, b, &text).ok());
        }
        _ => {
            std::hint::black_box(protocols(&text).count());
        }
    }
});
