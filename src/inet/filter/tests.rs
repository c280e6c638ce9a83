//! Filter tests: every audit rule of the kernel, exact encodings, the
//! compiled program against the tree on generated filters and sockets,
//! and the text syntax with its errors. Programs are built in host byte
//! order, as the kernel reads them, so these hold on big-endian targets.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::*;
use crate::raw::inet_diag::*;

// ---------------------------------------------------------------------
// Building raw programs.

fn op(code: u8, yes: u8, no: u16) -> Vec<u8> {
    let n = no.to_ne_bytes();
    vec![code, yes, n[0], n[1]]
}

fn hostcond(family: u8, prefix_len: u8, port: i32, addr: &[u8]) -> Vec<u8> {
    let mut v = vec![family, prefix_len, 0, 0];
    v.extend_from_slice(&port.to_ne_bytes());
    v.extend_from_slice(addr);
    v
}

fn cat(parts: &[Vec<u8>]) -> Vec<u8> {
    parts.concat()
}

fn rule_of(bytes: &[u8]) -> (usize, AuditRule) {
    match Bytecode::new(bytes) {
        Err(FilterError::Rejected { offset, rule }) => (offset, rule),
        other => panic!("expected a rejection of {bytes:?}, got {other:?}"),
    }
}

fn accepted(bytes: &[u8]) {
    if let Err(e) = Bytecode::new(bytes) {
        panic!("{bytes:?} rejected: {e}");
    }
}

// ---------------------------------------------------------------------
// The audit, rule by rule (inet_diag_bc_audit and its helpers).

#[test]
fn audit_accepts_minimal_programs_of_every_code() {
    accepted(&op(INET_DIAG_BC_NOP, 4, 0)); // NOP's `no` is not checked
    accepted(&op(INET_DIAG_BC_JMP, 4, 4));
    accepted(&op(INET_DIAG_BC_JMP, 4, 8)); // reject exit: 4 past the end
    accepted(&op(INET_DIAG_BC_AUTO, 4, 8));
    for code in [
        INET_DIAG_BC_S_GE,
        INET_DIAG_BC_S_LE,
        INET_DIAG_BC_D_GE,
        INET_DIAG_BC_D_LE,
        INET_DIAG_BC_S_EQ,
        INET_DIAG_BC_D_EQ,
    ] {
        accepted(&cat(&[op(code, 8, 12), op(0, 0, 443)]));
    }
    for code in [INET_DIAG_BC_S_COND, INET_DIAG_BC_D_COND] {
        accepted(&cat(&[op(code, 12, 16), hostcond(0, 0, -1, &[])]));
        accepted(&cat(&[
            op(code, 16, 20),
            hostcond(2, 32, 80, &[127, 0, 0, 1]),
        ]));
        accepted(&cat(&[op(code, 28, 32), hostcond(10, 128, -1, &[0; 16])]));
    }
    accepted(&cat(&[
        op(INET_DIAG_BC_DEV_COND, 8, 12),
        1u32.to_ne_bytes().to_vec(),
    ]));
    accepted(&cat(&[op(INET_DIAG_BC_MARK_COND, 12, 16), vec![0; 8]]));
    accepted(&cat(&[op(INET_DIAG_BC_CGROUP_COND, 12, 16), vec![0; 8]]));
}

#[test]
fn audit_rejects_programs_shorter_than_one_op() {
    assert_eq!(rule_of(&[]), (0, AuditRule::Empty));
    assert_eq!(rule_of(&[1, 4, 4]), (0, AuditRule::Empty));
}

#[test]
fn audit_rejects_lengths_that_are_not_multiples_of_4() {
    let mut p = op(INET_DIAG_BC_JMP, 4, 4);
    p.push(0);
    assert_eq!(rule_of(&p), (0, AuditRule::Unaligned { len: 5 }));
}

#[test]
fn audit_rejects_unknown_codes() {
    for code in [14u8, 15, 100, 255] {
        assert_eq!(rule_of(&op(code, 4, 8)), (0, AuditRule::UnknownCode(code)));
    }
    // At the offset of the offending op.
    let p = cat(&[op(INET_DIAG_BC_NOP, 4, 0), op(99, 4, 8)]);
    assert_eq!(rule_of(&p), (4, AuditRule::UnknownCode(99)));
}

#[test]
fn audit_rejects_operands_past_the_end() {
    let t = |needed, remaining| AuditRule::Truncated { needed, remaining };
    // Port comparisons need a second op.
    assert_eq!(rule_of(&op(INET_DIAG_BC_S_EQ, 8, 12)), (0, t(8, 4)));
    assert_eq!(rule_of(&op(INET_DIAG_BC_D_LE, 8, 12)), (0, t(8, 4)));
    // Host conditions: the fixed part, then the address.
    assert_eq!(
        rule_of(&cat(&[op(INET_DIAG_BC_S_COND, 12, 16), vec![0; 4]])),
        (0, t(12, 8))
    );
    let short_v4 = cat(&[op(INET_DIAG_BC_D_COND, 16, 20), hostcond(2, 8, -1, &[])]);
    assert_eq!(rule_of(&short_v4), (0, t(16, 12)));
    let short_v6 = cat(&[
        op(INET_DIAG_BC_S_COND, 28, 32),
        hostcond(10, 8, -1, &[0; 12]),
    ]);
    assert_eq!(rule_of(&short_v6), (0, t(28, 24)));
    assert_eq!(rule_of(&op(INET_DIAG_BC_DEV_COND, 8, 12)), (0, t(8, 4)));
    let mark = cat(&[op(INET_DIAG_BC_MARK_COND, 12, 16), vec![0; 4]]);
    assert_eq!(rule_of(&mark), (0, t(12, 8)));
    let cgroup = cat(&[op(INET_DIAG_BC_CGROUP_COND, 12, 16), vec![0; 4]]);
    assert_eq!(rule_of(&cgroup), (0, t(12, 8)));
}

#[test]
fn audit_rejects_host_families_other_than_unspec_inet_inet6() {
    for family in [1u8, 3, 17, 255] {
        let p = cat(&[
            op(INET_DIAG_BC_S_COND, 12, 16),
            hostcond(family, 0, -1, &[]),
        ]);
        assert_eq!(rule_of(&p), (0, AuditRule::BadFamily(family)));
    }
}

#[test]
fn audit_rejects_prefixes_longer_than_the_address() {
    let cases: [(u8, u8, &[u8], u8); 3] = [
        (0, 1, &[], 0),
        (2, 33, &[0; 4], 32),
        (10, 129, &[0; 16], 128),
    ];
    for (family, prefix_len, addr, max) in cases {
        let n = 12 + addr.len() as u8;
        let p = cat(&[
            op(INET_DIAG_BC_D_COND, n, u16::from(n) + 4),
            hostcond(family, prefix_len, -1, addr),
        ]);
        assert_eq!(
            rule_of(&p),
            (0, AuditRule::PrefixTooLong { prefix_len, max })
        );
    }
}

#[test]
fn audit_checks_both_jumps_against_min_len_end_and_alignment() {
    use AuditRule::*;
    use Branch::{No, Yes};
    // `no` shorter than the op and its operands.
    let p = cat(&[op(INET_DIAG_BC_S_EQ, 8, 4), op(0, 0, 1)]);
    assert_eq!(
        rule_of(&p),
        (
            0,
            JumpTooShort {
                branch: No,
                jump: 4,
                min: 8
            }
        )
    );
    // `yes` shorter: a port op's `yes` must skip its port.
    let p = cat(&[op(INET_DIAG_BC_S_EQ, 4, 12), op(0, 0, 1)]);
    assert_eq!(
        rule_of(&p),
        (
            0,
            JumpTooShort {
                branch: Yes,
                jump: 4,
                min: 8
            }
        )
    );
    let p = op(INET_DIAG_BC_AUTO, 0, 8);
    assert_eq!(
        rule_of(&p),
        (
            0,
            JumpTooShort {
                branch: Yes,
                jump: 0,
                min: 4
            }
        )
    );
    // Jumps beyond the reject exit.
    let p = op(INET_DIAG_BC_JMP, 4, 12);
    assert_eq!(
        rule_of(&p),
        (
            0,
            JumpPastEnd {
                branch: No,
                jump: 12,
                max: 8
            }
        )
    );
    let p = op(INET_DIAG_BC_NOP, 12, 0);
    assert_eq!(
        rule_of(&p),
        (
            0,
            JumpPastEnd {
                branch: Yes,
                jump: 12,
                max: 8
            }
        )
    );
    // Misaligned jumps.
    let p = cat(&[op(INET_DIAG_BC_AUTO, 4, 6), op(INET_DIAG_BC_NOP, 4, 0)]);
    assert_eq!(
        rule_of(&p),
        (
            0,
            JumpMisaligned {
                branch: No,
                jump: 6
            }
        )
    );
    let p = cat(&[op(INET_DIAG_BC_AUTO, 5, 8), op(INET_DIAG_BC_NOP, 4, 0)]);
    assert_eq!(
        rule_of(&p),
        (
            0,
            JumpMisaligned {
                branch: Yes,
                jump: 5
            }
        )
    );
}

#[test]
fn audit_rejects_no_jumps_into_operands() {
    // AUTO, then a port comparison whose second op is not an instruction:
    // AUTO's `no` of 8 lands on it.
    let p = cat(&[
        op(INET_DIAG_BC_AUTO, 4, 8),
        op(INET_DIAG_BC_S_EQ, 8, 12),
        op(0, 0, 22),
    ]);
    assert_eq!(rule_of(&p), (0, AuditRule::JumpIntoOperand { jump: 8 }));
    // The same jump of 4 lands on the comparison: fine.
    accepted(&cat(&[
        op(INET_DIAG_BC_AUTO, 4, 4),
        op(INET_DIAG_BC_S_EQ, 8, 12),
        op(0, 0, 22),
    ]));
    // Into a host condition's address.
    let p = cat(&[
        op(INET_DIAG_BC_AUTO, 4, 12),
        op(INET_DIAG_BC_S_COND, 16, 20),
        hostcond(2, 8, -1, &[10, 0, 0, 0]),
    ]);
    assert_eq!(rule_of(&p), (0, AuditRule::JumpIntoOperand { jump: 12 }));
}

#[test]
fn audit_rejects_programs_whose_last_yes_runs_past_the_end() {
    assert_eq!(
        rule_of(&op(INET_DIAG_BC_JMP, 8, 4)),
        (0, AuditRule::RunsPastEnd)
    );
    let p = cat(&[op(INET_DIAG_BC_NOP, 4, 0), op(INET_DIAG_BC_AUTO, 8, 8)]);
    assert_eq!(rule_of(&p), (4, AuditRule::RunsPastEnd));
}

#[test]
fn audit_rejects_programs_longer_than_an_attribute() {
    let p = op(INET_DIAG_BC_NOP, 4, 0).repeat(MAX_BYTECODE_LEN / 4 + 1);
    assert_eq!(
        Bytecode::new(&p[..]).unwrap_err(),
        FilterError::TooLong {
            needed: MAX_BYTECODE_LEN + 4,
            available: MAX_BYTECODE_LEN
        }
    );
    accepted(&p[..MAX_BYTECODE_LEN]);
}

// ---------------------------------------------------------------------
// Exact encodings (what `ss` sends for the same expressions).

#[test]
fn compiles_atoms_to_the_kernel_encoding() {
    let cases: Vec<(Filter, Vec<u8>)> = vec![
        (
            Filter::src_port(Cmp::Eq, 443),
            cat(&[op(INET_DIAG_BC_S_EQ, 8, 12), op(0, 0, 443)]),
        ),
        (
            Filter::dst_port(Cmp::Ge, 1024),
            cat(&[op(INET_DIAG_BC_D_GE, 8, 12), op(0, 0, 1024)]),
        ),
        (
            Filter::src_port(Cmp::Le, 80),
            cat(&[op(INET_DIAG_BC_S_LE, 8, 12), op(0, 0, 80)]),
        ),
        (
            Filter::dst("10.0.0.0/8".parse::<Prefix>().unwrap()),
            cat(&[
                op(INET_DIAG_BC_D_COND, 16, 20),
                hostcond(2, 8, -1, &[10, 0, 0, 0]),
            ]),
        ),
        (
            Filter::src("[::1]:22".parse::<Host>().unwrap()),
            cat(&[
                op(INET_DIAG_BC_S_COND, 28, 32),
                hostcond(10, 128, 22, &Ipv6Addr::LOCALHOST.octets()),
            ]),
        ),
        (
            Filter::src(Host::any().with_port(53)),
            cat(&[op(INET_DIAG_BC_S_COND, 12, 16), hostcond(0, 0, 53, &[])]),
        ),
        (Filter::auto_bound(), op(INET_DIAG_BC_AUTO, 4, 8)),
        (
            Filter::device(3),
            cat(&[
                op(INET_DIAG_BC_DEV_COND, 8, 12),
                3u32.to_ne_bytes().to_vec(),
            ]),
        ),
        (
            Filter::mark(0x10, 0xff),
            cat(&[
                op(INET_DIAG_BC_MARK_COND, 12, 16),
                0x10u32.to_ne_bytes().to_vec(),
                0xffu32.to_ne_bytes().to_vec(),
            ]),
        ),
        (
            Filter::cgroup(0x1_0000_0002),
            cat(&[
                op(INET_DIAG_BC_CGROUP_COND, 12, 16),
                0x1_0000_0002u64.to_ne_bytes().to_vec(),
            ]),
        ),
    ];
    for (filter, bytes) in cases {
        let program = filter.compile().unwrap();
        assert_eq!(program.as_bytes(), &bytes[..], "{filter}");
        assert_eq!(filter.bytecode_len(), bytes.len());
    }
}

#[test]
fn compiles_combinations_with_forward_jumps() {
    let a = || Filter::src_port(Cmp::Eq, 1);
    let b = || Filter::dst_port(Cmp::Eq, 2);
    // a and b: a's reject exit moves past b.
    assert_eq!(
        a().and(b()).compile().unwrap().as_bytes(),
        &cat(&[
            op(INET_DIAG_BC_S_EQ, 8, 20),
            op(0, 0, 1),
            op(INET_DIAG_BC_D_EQ, 8, 12),
            op(0, 0, 2)
        ])[..]
    );
    // a or b: a's reject exit is b; after a, jump over b.
    assert_eq!(
        a().or(b()).compile().unwrap().as_bytes(),
        &cat(&[
            op(INET_DIAG_BC_S_EQ, 8, 12),
            op(0, 0, 1),
            op(INET_DIAG_BC_JMP, 4, 12),
            op(INET_DIAG_BC_D_EQ, 8, 12),
            op(0, 0, 2)
        ])[..]
    );
    // not a: after a, jump to the reject exit.
    assert_eq!(
        (!a()).compile().unwrap().as_bytes(),
        &cat(&[
            op(INET_DIAG_BC_S_EQ, 8, 12),
            op(0, 0, 1),
            op(INET_DIAG_BC_JMP, 4, 8)
        ])[..]
    );
}

#[test]
fn compile_into_uses_the_callers_storage_and_reports_room() {
    let f = Filter::src_port(Cmp::Eq, 1).and(Filter::auto_bound());
    let mut small = [0u8; 8];
    assert_eq!(
        f.compile_into(&mut small).unwrap_err(),
        FilterError::TooLong {
            needed: 12,
            available: 8
        }
    );
    let mut storage = [0xaau8; 32];
    let program = f.compile_into(&mut storage).unwrap();
    assert_eq!(program.as_bytes().len(), 12);
    assert_eq!(program.as_bytes(), f.compile().unwrap().as_bytes());
}

#[test]
fn too_long_and_too_deep_filters_are_errors() {
    let mut f = Filter::auto_bound();
    for _ in 0..MAX_BYTECODE_LEN / 4 {
        f = f.and(Filter::auto_bound());
    }
    assert_eq!(f.depth(), 2);
    assert!(matches!(f.compile(), Err(FilterError::TooLong { .. })));

    let mut deep = Filter::auto_bound();
    for _ in 0..MAX_DEPTH {
        deep = !deep;
    }
    assert_eq!(deep.depth(), MAX_DEPTH + 1);
    assert_eq!(
        deep.compile().unwrap_err(),
        FilterError::TooDeep {
            depth: MAX_DEPTH + 1
        }
    );
    assert_eq!(deep.matches(&entry("1.2.3.4:5", "6.7.8.9:10")), None);
}

// ---------------------------------------------------------------------
// Semantics: tree against program, by hand and generated.

fn entry(src: &str, dst: &str) -> Entry {
    Entry {
        src: src.parse().unwrap(),
        dst: dst.parse().unwrap(),
        interface: 0,
        auto_bound: Some(false),
        mark: Some(0),
        cgroup_id: Some(0),
    }
}

fn both(f: &Filter, e: &Entry) -> Option<bool> {
    let tree = f.matches(e);
    let program = f.compile().unwrap().matches(e);
    assert_eq!(tree, program, "{f} on {e:?}");
    tree
}

#[test]
fn ipv4_prefixes_match_v4_mapped_addresses_and_ipv6_prefixes_do_not_match_ipv4() {
    let v4 = Filter::src("10.0.0.0/8".parse::<Prefix>().unwrap());
    assert_eq!(both(&v4, &entry("10.1.2.3:1", "0.0.0.0:0")), Some(true));
    assert_eq!(both(&v4, &entry("11.1.2.3:1", "0.0.0.0:0")), Some(false));
    assert_eq!(
        both(&v4, &entry("[::ffff:10.1.2.3]:1", "[::]:0")),
        Some(true)
    );
    assert_eq!(
        both(&v4, &entry("[::ffff:11.1.2.3]:1", "[::]:0")),
        Some(false)
    );
    assert_eq!(both(&v4, &entry("[::10.1.2.3]:1", "[::]:0")), Some(false));
    let all_v4 = Filter::src("0.0.0.0/0".parse::<Prefix>().unwrap());
    assert_eq!(both(&all_v4, &entry("[::1]:1", "[::]:0")), Some(false));
    assert_eq!(
        both(&all_v4, &entry("[::ffff:1.2.3.4]:1", "[::]:0")),
        Some(true)
    );
    let mapped = Filter::src("::ffff:10.0.0.0/104".parse::<Prefix>().unwrap());
    assert_eq!(
        both(&mapped, &entry("10.1.2.3:1", "0.0.0.0:0")),
        Some(false)
    );
    assert_eq!(
        both(&mapped, &entry("[::ffff:10.1.2.3]:1", "[::]:0")),
        Some(true)
    );
    let v6 = Filter::dst("fe80::/10".parse::<Prefix>().unwrap());
    assert_eq!(both(&v6, &entry("[::1]:1", "[fe80::1]:2")), Some(true));
    assert_eq!(both(&v6, &entry("[::1]:1", "[fec0::1]:2")), Some(false));
    assert_eq!(both(&v6, &entry("1.1.1.1:1", "2.2.2.2:2")), Some(false));
}

#[test]
fn port_edges() {
    let e = |p: u16| entry(&format!("1.1.1.1:{p}"), "2.2.2.2:0");
    for (f, yes, no) in [
        (Filter::src_port(Cmp::Ge, 0), 0, None),
        (Filter::src_port(Cmp::Le, 65535), 65535, None),
        (Filter::src_port(Cmp::Ge, 65535), 65535, Some(65534)),
        (Filter::src_port(Cmp::Le, 0), 0, Some(1)),
        (Filter::src_port(Cmp::Eq, 0), 0, Some(65535)),
    ] {
        assert_eq!(both(&f, &e(yes)), Some(true), "{f}");
        if let Some(no) = no {
            assert_eq!(both(&f, &e(no)), Some(false), "{f}");
        }
    }
}

#[test]
fn unknown_facts_give_none() {
    let mut e = entry("1.1.1.1:1", "2.2.2.2:2");
    e.auto_bound = None;
    e.mark = None;
    e.cgroup_id = None;
    assert_eq!(Filter::auto_bound().matches(&e), None);
    assert_eq!(Filter::mark(1, 1).matches(&e), None);
    assert_eq!(Filter::cgroup(1).matches(&e), None);
    // Known without them.
    let f = Filter::src_port(Cmp::Eq, 9).and(Filter::auto_bound());
    assert_eq!(both(&f, &e), Some(false));
    let f = Filter::auto_bound().or(Filter::src_port(Cmp::Eq, 1));
    assert_eq!(f.matches(&e), Some(true));
    assert_eq!(f.compile().unwrap().matches(&e), None);
}

/// xorshift64*: deterministic pseudo-random numbers for generated cases.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

const ADDRS: [&str; 8] = [
    "10.0.0.1",
    "10.0.1.2",
    "192.168.1.1",
    "0.0.0.0",
    "::1",
    "::ffff:10.0.0.1",
    "fe80::1",
    "::",
];
const PORTS: [u16; 6] = [0, 1, 22, 1024, 40000, 65535];

fn random_filter(rng: &mut Rng, depth: u32) -> Filter {
    let leaf = depth == 0 || rng.below(3) == 0;
    if !leaf {
        return match rng.below(3) {
            0 => !random_filter(rng, depth - 1),
            1 => random_filter(rng, depth - 1).and(random_filter(rng, depth - 1)),
            _ => random_filter(rng, depth - 1).or(random_filter(rng, depth - 1)),
        };
    }
    let cmp = rng.pick(&[Cmp::Eq, Cmp::Ge, Cmp::Le]);
    let port = rng.pick(&PORTS);
    let host = || {
        let mut r = Rng(rng.0);
        let prefix = match r.below(3) {
            0 => None,
            _ => {
                let addr: IpAddr = r.pick(&ADDRS).parse().unwrap();
                let max = if addr.is_ipv4() { 33 } else { 129 };
                Prefix::new(addr, r.below(max) as u8)
            }
        };
        let port = (r.below(2) == 0).then(|| r.pick(&PORTS));
        Host { prefix, port }
    };
    let h = host();
    rng.next();
    match rng.below(8) {
        0 => Filter::src_port(cmp, port),
        1 => Filter::dst_port(cmp, port),
        2 => Filter::src(h),
        3 => Filter::dst(h),
        4 => Filter::auto_bound(),
        5 => Filter::device(rng.below(3) as u32),
        6 => Filter::mark(rng.below(4) as u32, rng.pick(&[0, 1, 3, u32::MAX])),
        _ => Filter::cgroup(rng.below(3)),
    }
}

fn random_entry(rng: &mut Rng) -> Entry {
    let v6 = rng.below(2) == 0;
    let addr = |rng: &mut Rng| -> IpAddr {
        loop {
            let a: IpAddr = rng.pick(&ADDRS).parse().unwrap();
            let a = match (a, v6) {
                (IpAddr::V4(x), true) => IpAddr::V6(x.to_ipv6_mapped()),
                (IpAddr::V6(x), false) => match x.to_ipv4_mapped() {
                    Some(m) => IpAddr::V4(m),
                    None => continue,
                },
                (a, _) => a,
            };
            return a;
        }
    };
    Entry {
        src: SocketAddr::new(addr(rng), rng.pick(&PORTS)),
        dst: SocketAddr::new(addr(rng), rng.pick(&PORTS)),
        interface: rng.below(3) as u32,
        auto_bound: Some(rng.below(2) == 0),
        mark: Some(rng.below(4) as u32),
        cgroup_id: Some(rng.below(3)),
    }
}

#[test]
fn generated_filters_compile_to_programs_that_agree_with_the_tree() {
    let mut rng = Rng(0x5eed_1234_5678_9abc);
    // Miri (big-endian CI run) is some thousand times slower.
    let filters = if cfg!(miri) { 40 } else { 3000 };
    for _ in 0..filters {
        let f = random_filter(&mut rng, 4);
        let program = f.compile().unwrap_or_else(|e| panic!("{f}: {e}"));
        for _ in 0..20 {
            let e = random_entry(&mut rng);
            let tree = f.matches(&e);
            assert!(tree.is_some(), "{f} on {e:?}: every fact is known");
            assert_eq!(program.matches(&e), tree, "{f} on {e:?}: {program:?}");
        }
        // The text form reads back as the same filter.
        let text = f.to_string();
        assert_eq!(text.parse::<Filter>().unwrap(), f, "{text}");
    }
}

// ---------------------------------------------------------------------
// Text syntax.

fn parse(s: &str) -> Filter {
    s.parse().unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

fn syntax_error(s: &str) -> (usize, String, &'static str) {
    match s.parse::<Filter>() {
        Err(FilterError::Syntax {
            offset,
            token,
            problem,
        }) => (offset, token, problem),
        other => panic!("{s:?}: expected a syntax error, got {other:?}"),
    }
}

/// Each name of `f`: its kind, text and offset.
fn names_of(f: &Filter) -> Vec<(NameKind, &str, Option<usize>)> {
    f.names()
        .iter()
        .map(|n| (n.kind(), n.text(), n.offset()))
        .collect()
}

fn fe80() -> IpAddr {
    "fe80::".parse().unwrap()
}

#[test]
fn parses_the_examples_of_ss() {
    let v4 = |s: &str| Prefix::from(s.parse::<Ipv4Addr>().unwrap());
    assert_eq!(
        parse("sport = :443 and dst 10.0.0.0/8"),
        Filter::src_port(Cmp::Eq, 443).and(Filter::dst(
            Prefix::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0)), 8).unwrap()
        ))
    );
    assert_eq!(parse("dport >= 1024"), Filter::dst_port(Cmp::Ge, 1024));
    assert_eq!(parse("dport ge :1024"), Filter::dst_port(Cmp::Ge, 1024));
    assert_eq!(parse("sport == 22"), Filter::src_port(Cmp::Eq, 22));
    assert_eq!(parse("sport eq :22"), Filter::src_port(Cmp::Eq, 22));
    assert_eq!(parse("sport != :22"), !Filter::src_port(Cmp::Eq, 22));
    assert_eq!(parse("sport > :22"), !Filter::src_port(Cmp::Le, 22));
    assert_eq!(parse("sport < :22"), !Filter::src_port(Cmp::Ge, 22));
    assert_eq!(parse("dport <= :22"), Filter::dst_port(Cmp::Le, 22));
    assert_eq!(parse("src 127.0.0.1"), Filter::src(v4("127.0.0.1")));
    assert_eq!(
        parse("src = 127.0.0.1:80"),
        Filter::src(Host::from(v4("127.0.0.1")).with_port(80))
    );
    assert_eq!(parse("dst != 127.0.0.1"), !Filter::dst(v4("127.0.0.1")));
    assert_eq!(
        parse("dst [::1]"),
        Filter::dst(Prefix::from(Ipv6Addr::LOCALHOST))
    );
    assert_eq!(
        parse("dst [::1/128]"),
        Filter::dst(Prefix::from(Ipv6Addr::LOCALHOST))
    );
    assert_eq!(
        parse("dst [::1]:443"),
        Filter::dst(Host::from(Prefix::from(Ipv6Addr::LOCALHOST)).with_port(443))
    );
    let fe80 = fe80();
    assert_eq!(
        parse("src [fe80::]/10"),
        Filter::src(Prefix::new(fe80, 10).unwrap())
    );
    assert_eq!(
        parse("src fe80::/10"),
        Filter::src(Prefix::new(fe80, 10).unwrap())
    );
    assert_eq!(
        parse("src [fe80::/10]"),
        Filter::src(Prefix::new(fe80, 10).unwrap())
    );
    for text in ["src [fe80::/10]:22", "src [fe80::]/10:22"] {
        assert_eq!(
            parse(text),
            Filter::src(Host::from(Prefix::new(fe80, 10).unwrap()).with_port(22))
        );
    }
    assert_eq!(parse("src *:22"), Filter::src(Host::any().with_port(22)));
    assert_eq!(parse("src :22"), Filter::src(Host::any().with_port(22)));
    assert_eq!(parse("src *"), Filter::src(Host::any()));
    assert_eq!(parse("autobound"), Filter::auto_bound());
    assert_eq!(parse("dev = 3"), Filter::device(3));
    assert_eq!(parse("dev 1"), Filter::device(1));
    assert_eq!(parse("fwmark = 0x10/0xff"), Filter::mark(0x10, 0xff));
    assert_eq!(parse("fwmark = 010"), Filter::mark(8, u32::MAX));
    assert_eq!(parse("fwmark != 7"), !Filter::mark(7, u32::MAX));
    assert_eq!(
        parse("cgroupid = 4026531835"),
        Filter::cgroup(4_026_531_835)
    );
}

#[test]
fn parses_connectives_like_ss() {
    let a = || Filter::src_port(Cmp::Eq, 1);
    let b = || Filter::src_port(Cmp::Eq, 2);
    let c = || Filter::src_port(Cmp::Eq, 3);
    for and in ["and", "&&", "&", ""] {
        assert_eq!(
            parse(&format!("sport = :1 {and} sport = :2 {and} sport = :3")),
            a().and(b()).and(c())
        );
    }
    for or in ["or", "||", "|"] {
        assert_eq!(parse(&format!("sport = :1 {or} sport = :2")), a().or(b()));
    }
    assert_eq!(parse("!sport = :1"), !a());
    assert_eq!(parse("not sport = :1 and sport = :2"), (!a()).and(b()));
    assert_eq!(parse("not (sport = :1 and sport = :2)"), !(a().and(b())));
    assert_eq!(
        parse("(sport = :1 or sport = :2) and sport = :3"),
        a().or(b()).and(c())
    );
    assert_eq!(
        parse("sport = :1 or (sport = :2 and sport = :3)"),
        a().or(b().and(c()))
    );
    assert_eq!(parse("((sport=:1))"), a());
    assert_eq!(
        parse("sport=:1&&!(sport=:2||sport=:3)"),
        a().and(!b().or(c()))
    );
}

#[test]
fn reads_and_or_left_to_right_like_ss() {
    // ss's grammar: one precedence for `and`, `or` and juxtaposition,
    // applied left to right.
    let p = |n| Filter::src_port(Cmp::Eq, n);
    assert_eq!(
        parse("sport = :1 or sport = :2 and sport = :3"),
        p(1).or(p(2)).and(p(3))
    );
    assert_eq!(
        parse("sport = :1 and sport = :2 || sport = :3"),
        p(1).and(p(2)).or(p(3))
    );
    assert_eq!(
        parse("sport = :1 or sport = :2 sport = :3"),
        p(1).or(p(2)).and(p(3))
    );
    // `!` binds to the next condition only.
    assert_eq!(parse("! sport = :1 or sport = :2"), (!p(1)).or(p(2)));
    // And the form shown parses back to the same filter.
    let f = parse("sport = :1 or sport = :2 and sport = :3 or sport = :4");
    assert_eq!(
        f.to_string(),
        "((sport = :1 or sport = :2) and sport = :3) or sport = :4"
    );
    assert_eq!(parse(&f.to_string()), f);
}

#[test]
fn reads_the_forms_ss_accepts() {
    let v4 = |s: &str| Prefix::from(s.parse::<Ipv4Addr>().unwrap());
    // neq, geq, leq; hex and octal ports; `*` ports.
    assert_eq!(parse("sport neq :22"), !Filter::src_port(Cmp::Eq, 22));
    assert_eq!(parse("dport geq :1024"), Filter::dst_port(Cmp::Ge, 1024));
    assert_eq!(parse("dport leq 0x400"), Filter::dst_port(Cmp::Le, 1024));
    assert_eq!(parse("sport = :0x16"), Filter::src_port(Cmp::Eq, 22));
    assert_eq!(parse("sport = :026"), Filter::src_port(Cmp::Eq, 22));
    assert_eq!(parse("sport = :*"), Filter::src(Host::any()));
    assert_eq!(parse("sport != :*"), !Filter::src(Host::any()));
    assert_eq!(parse("src 127.0.0.1:*"), Filter::src(v4("127.0.0.1")));
    assert_eq!(parse("src 127.0.0.1:"), Filter::src(v4("127.0.0.1")));
    assert_eq!(
        parse("dst 10.0.0.1:0x50"),
        Filter::dst(Host::from(v4("10.0.0.1")).with_port(80))
    );
    // IPv4 as iproute2 reads it: missing parts are 0, parts may be hex.
    assert_eq!(parse("src 127.1"), Filter::src(v4("127.1.0.0")));
    assert_eq!(parse("src 10"), Filter::src(v4("10.0.0.0")));
    assert_eq!(parse("src 0x7f.1.2.3"), Filter::src(v4("127.1.2.3")));
    assert_eq!(
        parse("dst 10.0.0.0/255.0.0.0"),
        Filter::dst(Prefix::new(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 0)), 8).unwrap())
    );
    for any in ["src all", "src any", "src default", "src *"] {
        assert_eq!(parse(any), Filter::src(Host::any()), "{any}");
    }
    assert_eq!(parse("src inet:127.0.0.1"), Filter::src(v4("127.0.0.1")));
    // Service and host names stay names until looked up.
    let f = parse("sport = :ssh or dst localhost:https or src *:domain");
    let names = names_of(&f);
    assert_eq!(
        names,
        [
            (NameKind::Service, "ssh", Some(8)),
            (NameKind::Host, "localhost", Some(20)),
            (NameKind::Service, "https", Some(30)),
            (NameKind::Service, "domain", Some(45)),
        ]
    );
    assert_eq!(
        f.to_string(),
        "sport = :ssh or dst localhost:https or src *:domain"
    );
    assert_eq!(parse(&f.to_string()), f);
    let resolved = f
        .resolve(|n| {
            Ok::<Resolved, ()>(match (n.kind(), n.text()) {
                (NameKind::Service, "ssh") => Resolved::Port(22),
                (NameKind::Service, "https") => Resolved::Port(443),
                (NameKind::Service, _) => Resolved::Port(53),
                _ => {
                    Resolved::Addresses(vec!["127.0.0.1".parse().unwrap(), "::1".parse().unwrap()])
                }
            })
        })
        .unwrap();
    assert_eq!(
        resolved,
        Filter::src_port(Cmp::Eq, 22)
            .or(
                Filter::dst(Host::from(v4("127.0.0.1")).with_port(443)).or(Filter::dst(
                    Host::from(Prefix::from(Ipv6Addr::LOCALHOST)).with_port(443)
                ))
            )
            .or(Filter::src(Host::any().with_port(53)))
    );
    assert!(resolved.compile().is_ok());
    // Unix name patterns: by prefix, by their leading `/` or `@`, or all
    // bare values with AddressKind::Unix; `\` quotes.
    assert_eq!(parse("src unix:/run/*"), Filter::src_unix("/run/*"));
    assert_eq!(parse("src /run/*"), Filter::src_unix("/run/*"));
    assert_eq!(parse("dst @abstract"), Filter::dst_unix("@abstract"));
    assert_eq!(
        Filter::parse_as("src *sock* or src x", AddressKind::Unix).unwrap(),
        Filter::src_unix("*sock*").or(Filter::src_unix("x"))
    );
    assert_eq!(parse("src /a\\ b(1\\)!"), Filter::src_unix("/a b(1)!"));
    let f = Filter::src_unix("/with space/(x)\\");
    assert_eq!(f.to_string(), "src unix:/with\\ space/\\(x\\)\\\\");
    assert_eq!(parse(&f.to_string()), f);
    assert!(matches!(f.compile(), Err(FilterError::NotInet { .. })));
    assert!(f.has_unix_names() && !parse("sport = :1").has_unix_names());
    // Other families are refused, naming the value.
    let (offset, token, _) = syntax_error("src link:eth0");
    assert_eq!((offset, token.as_str()), (4, "link:eth0"));
}

#[test]
fn fuzz_crashes_stay_fixed() {
    // A unix pattern holding `&` (which ends a value) was shown unquoted
    // and parsed back cut short.
    let text = "src [:::204\\\\:\\\\\\&\\\\,\\\\yyyy\\\\\\\\\\\\\\\\\\\\\\\0\0\0\0\\\\?";
    let f = Filter::parse_as(text, AddressKind::Unix).unwrap();
    let shown = f.to_string();
    assert_eq!(
        shown.parse::<Filter>().unwrap(),
        f,
        "{text:?} shows as {shown:?}"
    );
    // A host named like an operator was shown as one.
    for text in [
        "src ne:",
        "dst lt:",
        "src eq:80",
        "dst inet6:inet6:tt",
        "src inet:unix:ssh",
    ] {
        let f = parse(text);
        assert_eq!(parse(&f.to_string()), f, "{text} shows as {f}");
    }
    for odd in ["a&b", "a|b", "a b", "a(b)", "a\\b", "&&||"] {
        let f = Filter::src_unix(odd);
        assert_eq!(f.to_string().parse::<Filter>().unwrap(), f, "{odd:?}");
    }
}

#[test]
fn unix_sockets_are_matched_as_ss_matches_them() {
    let e = |name: Option<&'static str>, inode, peer| UnixEntry {
        name: name.map(str::as_bytes),
        inode,
        peer,
    };
    let m = |f: &str, entry: &UnixEntry<'_>| parse(f).matches_unix(entry);
    let bound = e(Some("/run/Docker.sock"), 100, 200);
    let unbound = e(None, 101, 0);
    let auto = e(Some("@0a1b2"), 102, 0);
    assert_eq!(m("src /run/*", &bound), Some(true));
    assert_eq!(
        m("src /RUN/docker.*", &bound),
        Some(true),
        "case is ignored"
    );
    assert_eq!(m("src /run/*", &unbound), Some(false));
    assert_eq!(m("src *", &unbound), Some(true));
    assert_eq!(m("dst *", &bound), Some(true), "the peer's name is empty");
    assert_eq!(m("dst /run/*", &bound), Some(false));
    assert_eq!(m("src /run/[cd]ocker.sock", &bound), Some(true));
    assert_eq!(m("src /run/[!d]ocker.sock", &bound), Some(false));
    assert_eq!(m("src /run/?ocker.sock", &bound), Some(true));
    // Ports are inodes; addresses never match; autobound is ss's rule.
    assert_eq!(m("sport = :100", &bound), Some(true));
    assert_eq!(m("dport >= :150", &bound), Some(true));
    assert_eq!(m("src 127.0.0.1", &bound), Some(false));
    assert_eq!(m("src *:100", &bound), Some(true));
    assert_eq!(m("autobound", &unbound), Some(true));
    assert_eq!(m("autobound", &auto), Some(true));
    assert_eq!(m("autobound", &bound), Some(false));
    assert_eq!(m("dev 0 and fwmark 0 and cgroupid 0", &bound), Some(true));
    assert_eq!(m("! src /run/* or sport = :100", &bound), Some(true));
    assert_eq!(m("sport = :ssh", &bound), None, "names first");
    // And a unix pattern never holds for an inet socket.
    let inet = entry("127.0.0.1:1", "127.0.0.1:2");
    assert_eq!(parse("src /run/*").matches(&inet), Some(false));
}

#[test]
fn glob_is_fnmatch_with_casefold() {
    use super::unix::glob;
    let cases: &[(&str, &str, bool)] = &[
        ("", "", true),
        ("", "a", false),
        ("*", "", true),
        ("*", "/a/b", true),
        ("a*b*c", "axxbyyc", true),
        ("a*b*c", "axxbyy", false),
        ("*.sock", "/run/x.SOCK", true),
        ("?", "", false),
        ("[a-c]x", "Bx", true),
        ("[^a-c]x", "dx", true),
        ("[]]", "]", true),
        ("[", "[", true),
        ("[ab", "[ab", true),
        ("\\*", "*", true),
        ("\\*", "a", false),
        ("a\\", "a\\", true),
        ("**a", "bba", true),
    ];
    for &(p, t, want) in cases {
        assert_eq!(glob(p.as_bytes(), t.as_bytes()), want, "{p:?} on {t:?}");
    }
    // Long inputs stay linear-ish and never recurse.
    let text = "a".repeat(10_000);
    assert!(!glob("*a*a*a*b".as_bytes(), text.as_bytes()));
}

#[test]
fn syntax_errors_point_at_the_token() {
    let cases: [(&str, usize, &str); 19] = [
        ("", 0, ""),
        ("sport", 5, ""),
        ("sport = ", 8, ""),
        ("sport = :-1", 8, ":-1"),
        ("sport = :65536", 8, ":65536"),
        ("dport >= 1024 and", 17, ""),
        ("dst 10.0.0.0/33", 4, "10.0.0.0/33"),
        ("dst 10.0.0.256", 4, "10.0.0.256"),
        ("dst host,example", 4, "host,example"),
        ("dst [::1", 4, "[::1"),
        ("dst ::1", 4, "::1"),
        ("dst ::1:80", 4, "::1:80"),
        ("src >= 10.0.0.1", 4, ">="),
        ("(sport = :1", 11, ""),
        ("sport = :1)", 10, ")"),
        ("frobnicate", 0, "frobnicate"),
        ("fwmark = 0xfffffffff", 9, "0xfffffffff"),
        ("fwmark = 12/zz", 9, "12/zz"),
        ("cgroupid = -1", 11, "-1"),
    ];
    for (text, offset, token) in cases {
        let (o, t, problem) = syntax_error(text);
        assert_eq!((o, t.as_str()), (offset, token), "{text:?}: {problem}");
    }
}

#[test]
fn nesting_is_bounded() {
    let deep = format!(
        "{}sport = :1{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    let (_, _, problem) = syntax_error(&deep);
    assert_eq!(problem, "nested too deeply");
    let nots = format!("{}sport = :1", "! ".repeat(1000));
    let (_, _, problem) = syntax_error(&nots);
    assert_eq!(problem, "nested too deeply");
    let ok = format!(
        "{}sport = :1{}",
        "(".repeat(MAX_DEPTH - 1),
        ")".repeat(MAX_DEPTH - 1)
    );
    assert_eq!(parse(&ok), Filter::src_port(Cmp::Eq, 1));
}

#[test]
#[cfg_attr(miri, ignore = "if_nametoindex is a system call")]
fn unknown_interface_names_are_lookup_errors() {
    let parsed = "dev = no-such-if0".parse::<Filter>().unwrap();
    match crate::resolve_names(&parsed) {
        Err(FilterError::Lookup { offset, token, .. }) => {
            assert_eq!((offset, token.as_str()), (6, "no-such-if0"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn names_stay_names_until_resolved() {
    let f = parse("dev eth0 and (cgroup /system.slice or sport = :22)");
    let names = names_of(&f);
    assert_eq!(
        names,
        [
            (NameKind::Device, "eth0", Some(4)),
            (NameKind::Cgroup, "/system.slice", Some(21))
        ]
    );
    // Shown as written, parsed back equal (offsets aside).
    assert_eq!(
        f.to_string(),
        "dev = eth0 and (cgroup = /system.slice or sport = :22)"
    );
    assert_eq!(parse(&f.to_string()), f);
    assert_eq!(
        parse("dev eth0"),
        Filter::device_named("eth0"),
        "built or parsed"
    );
    // Not compiled, not evaluated, until resolved.
    assert_eq!(
        f.compile().unwrap_err(),
        FilterError::Unresolved {
            name: "dev = eth0".into()
        }
    );
    let e = Entry::new(
        SocketAddr::from(([127, 0, 0, 1], 22)),
        SocketAddr::from(([127, 0, 0, 1], 1)),
    );
    assert_eq!(f.matches(&e), None);
    let r = f
        .resolve(|n| match n.kind() {
            NameKind::Device if n.text() == "eth0" => Ok(Resolved::Device(3)),
            NameKind::Cgroup => Ok::<Resolved, String>(Resolved::Cgroup(77)),
            _ => Err(n.text().to_owned()),
        })
        .unwrap();
    assert_eq!(
        r,
        Filter::device(3).and(Filter::cgroup(77).or(Filter::src_port(Cmp::Eq, 22)))
    );
    assert!(r.names().is_empty());
    assert!(r.compile().is_ok());
    assert_eq!(
        parse("dev wlan0").resolve(|n| match n.kind() {
            NameKind::Cgroup => Ok(Resolved::Cgroup(0)),
            _ => Err(n.text().to_owned()),
        }),
        Err("wlan0".to_owned())
    );
    // A number is an index, never a name.
    assert_eq!(parse("dev 7"), Filter::device(7));
}

#[test]
fn display_writes_ss_syntax() {
    let f = parse("sport = :443 and (dst 10.0.0.0/8 or dst [::1]:80) and not autobound");
    assert_eq!(
        f.to_string(),
        "sport = :443 and (dst 10.0.0.0/8 or dst [::1]:80) and not autobound"
    );
    assert_eq!(parse("fwmark = 16/255").to_string(), "fwmark = 0x10/0xff");
    assert_eq!(parse("src *:22").to_string(), "src *:22");
}

#[test]
fn bytecode_debug_lists_the_instructions() {
    let p = parse("sport = :443 or dst 10.0.0.0/8").compile().unwrap();
    assert_eq!(
        format!("{p:?}"),
        "[0: sport = 443 ? +8 : +12, 8: jmp ? +4 : +20, 12: dst 10.0.0.0/8 ? +16 : +20]"
    );
}

#[test]
fn entries_from_messages_take_mark_and_cgroup_or_fail_on_damage() {
    use crate::netlink::tests::{attr, msg};
    use zerocopy::{FromZeros, IntoBytes};
    let reply = |attrs: &[Vec<u8>]| {
        let mut m = inet_diag_msg::new_zeroed();
        m.idiag_family = crate::raw::AF_INET;
        m.id.idiag_sport = 80.into();
        m.id.idiag_src[..4].copy_from_slice(&[10, 0, 0, 1]);
        let mut payload = m.as_bytes().to_vec();
        payload.extend(attrs.concat());
        msg(20, 2, 1, 1, &payload)
    };
    let entry = |bytes: &[u8]| {
        let m = crate::netlink::Messages::new(bytes)
            .next()
            .unwrap()
            .unwrap();
        Entry::from_msg(&InetMsg::parse(m).unwrap())
    };
    let good = reply(&[
        attr(INET_DIAG_MARK, &7u32.to_ne_bytes()),
        attr(INET_DIAG_CGROUP_ID, &99u64.to_ne_bytes()),
    ]);
    let e = entry(&good).unwrap();
    assert_eq!(e.src, "10.0.0.1:80".parse().unwrap());
    assert_eq!(
        (e.mark, e.cgroup_id, e.auto_bound),
        (Some(7), Some(99), None)
    );
    let bare = entry(&reply(&[])).unwrap();
    assert_eq!((bare.mark, bare.cgroup_id), (None, None));
    // A mark of the wrong length could have been the fact a filter needs.
    let damaged = reply(&[attr(INET_DIAG_MARK, &[7, 0])]);
    let err = entry(&damaged).unwrap_err();
    assert_eq!(err.offset(), 16 + 72, "{err}");
}
