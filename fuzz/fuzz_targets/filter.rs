//! Filters: the first byte picks the input's meaning.
//!
//! - Even: the rest is filter text (read with unix names as the default
//!   when the byte is a multiple of 4). If it parses, its `Display` form
//!   must parse back to an equal filter, it must compile to a program
//!   that passes the audit (or have unix names), tree and program must
//!   agree on sample sockets, and unix sockets must evaluate.
//! - Odd: the rest is a raw program. If it passes the audit, running it
//!   on sample sockets must end (and never panic), and its `Debug`
//!   disassembly must not panic either.
#![no_main]

use std::net::SocketAddr;

use libfuzzer_sys::fuzz_target;
use sockdiag::inet::filter::{AddressKind, Bytecode, Entry, Filter, UnixEntry};

fn entries(data: &[u8]) -> Vec<Entry> {
    let sample = |src: &str, dst: &str| Entry {
        src: src
            .parse::<SocketAddr>()
            .unwrap_or(SocketAddr::from(([0; 4], 0))),
        dst: dst
            .parse::<SocketAddr>()
            .unwrap_or(SocketAddr::from(([0; 4], 0))),
        interface: 1,
        auto_bound: Some(true),
        mark: Some(0x11),
        cgroup_id: Some(1),
    };
    let mut v = vec![
        sample("127.0.0.1:443", "10.1.2.3:50000"),
        sample("[::1]:0", "[::]:0"),
        sample("[::ffff:10.0.0.1]:65535", "[fe80::1]:1"),
    ];
    // One socket made of input bytes.
    let b = |i: usize| data.get(i).copied().unwrap_or(0);
    let port = |i: usize| u16::from_be_bytes([b(i), b(i + 1)]);
    let mut e = sample("0.0.0.0:0", "0.0.0.0:0");
    e.src = SocketAddr::from(([b(0), b(1), b(2), b(3)], port(4)));
    e.dst = SocketAddr::from(([b(6), b(7), b(8), b(9)], port(10)));
    e.interface = u32::from(b(12) & 3);
    e.auto_bound = Some(b(13) & 1 == 1);
    e.mark = Some(u32::from(b(14)));
    v.push(e);
    v
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let samples = entries(rest);
    if mode % 2 == 0 {
        let Ok(text) = std::str::from_utf8(rest) else {
            return;
        };
        let kind = if mode % 4 == 0 {
            AddressKind::Unix
        } else {
            AddressKind::Inet
        };
        let Ok(filter) = Filter::parse_as(text, kind) else {
            return;
        };
        for name in [None, Some(&b"/run/x.sock"[..]), Some(text.as_bytes())] {
            std::hint::black_box(filter.matches_unix(&UnixEntry {
                name,
                inode: 22,
                peer: 0,
            }));
        }
        let shown = filter.to_string();
        let again: Filter = shown
            .parse()
            .unwrap_or_else(|e| panic!("{text:?} shows as {shown:?}, which fails: {e}"));
        assert_eq!(again, filter, "{text:?} shows as {shown:?}");
        let mut storage = [0u8; 4096];
        if let Ok(program) = filter.compile_into(&mut storage) {
            assert!(Bytecode::new(program.as_bytes()).is_ok());
            for e in &samples {
                let (tree, prog) = (filter.matches(e), program.matches(e));
                assert_eq!(tree, prog, "{filter} on {e:?}: {program:?}");
            }
        }
    } else if let Ok(program) = Bytecode::new(rest) {
        for e in &samples {
            std::hint::black_box(program.matches(e));
        }
        std::hint::black_box(format!("{program:?}"));
    }
});
