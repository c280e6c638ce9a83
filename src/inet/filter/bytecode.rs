//! The kernel's filter bytecode: compilation from a [`Filter`], the local
//! audit (the rules of `inet_diag_bc_audit`), and an interpreter (the
//! semantics of `inet_diag_bc_run`).
//!
//! A program is a sequence of 4-byte `struct inet_diag_bc_op`s, some
//! followed by operands. Each op is a test that jumps forward `yes` bytes
//! when it holds and `no` bytes when it does not; a socket is accepted if
//! the jumps end exactly at the end of the program.
//!
//! Compiled fragments follow one convention: a fragment of `n` bytes
//! accepts by running off its end (offset `n`) and rejects by jumping to
//! offset `n + 4`. Then `a and b` is `a` followed by `b` with `a`'s reject
//! jumps moved to the end of `b`; `a or b` is `a`, an unconditional jump
//! over `b`, then `b`; `not a` is `a` followed by an unconditional jump to
//! the reject offset.

use core::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{prefix_matches, Cmp, Entry, Filter, FilterError, Host, Node, Prefix, Side, MAX_DEPTH};
use crate::raw::inet_diag::{
    INET_DIAG_BC_AUTO as AUTO, INET_DIAG_BC_CGROUP_COND as CGROUP_COND,
    INET_DIAG_BC_DEV_COND as DEV_COND, INET_DIAG_BC_D_COND as D_COND, INET_DIAG_BC_D_EQ as D_EQ,
    INET_DIAG_BC_D_GE as D_GE, INET_DIAG_BC_D_LE as D_LE, INET_DIAG_BC_JMP as JMP,
    INET_DIAG_BC_MARK_COND as MARK_COND, INET_DIAG_BC_NOP as NOP, INET_DIAG_BC_S_COND as S_COND,
    INET_DIAG_BC_S_EQ as S_EQ, INET_DIAG_BC_S_GE as S_GE, INET_DIAG_BC_S_LE as S_LE,
};
use crate::raw::{AF_INET, AF_INET6, AF_UNSPEC};

/// The longest program an `INET_DIAG_REQ_BYTECODE` attribute can hold: its
/// length field is 16 bits, 4 of which bytes are the header, and a program
/// is a whole number of 4-byte ops.
pub const MAX_BYTECODE_LEN: usize = 65_528;

/// Size of one `struct inet_diag_bc_op`.
const OP: usize = 4;

/// The `yes` or `no` jump of an instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Branch {
    /// Taken when the test holds.
    Yes,
    /// Taken when it does not.
    No,
}

impl fmt::Display for Branch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Branch::Yes => "yes",
            Branch::No => "no",
        })
    }
}

/// A rule of the kernel's `inet_diag_bc_audit` that a program breaks; the
/// kernel refuses such a program with `EINVAL` before the dump starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuditRule {
    /// The program is shorter than one instruction (4 bytes).
    Empty,
    /// The program's length is not a multiple of 4: jumps are, so no
    /// path can end exactly at its end.
    Unaligned {
        /// The length.
        len: usize,
    },
    /// Unknown instruction code.
    UnknownCode(u8),
    /// The instruction's operands run past the end of the program.
    Truncated {
        /// Bytes the instruction and its operands need.
        needed: usize,
        /// Bytes left in the program from the instruction on.
        remaining: usize,
    },
    /// A host condition's family is not `AF_UNSPEC`, `AF_INET` or
    /// `AF_INET6`.
    BadFamily(u8),
    /// A host condition's prefix is longer than its address.
    PrefixTooLong {
        /// The prefix length in bits.
        prefix_len: u8,
        /// Bits in the address (0, 32 or 128).
        max: u8,
    },
    /// A jump is shorter than the instruction and its operands.
    JumpTooShort {
        /// Which jump.
        branch: Branch,
        /// Its length in bytes.
        jump: u16,
        /// The shortest allowed.
        min: usize,
    },
    /// A jump goes more than 4 bytes past the end of the program (4 past
    /// is the reject exit).
    JumpPastEnd {
        /// Which jump.
        branch: Branch,
        /// Its length in bytes.
        jump: u16,
        /// The longest allowed.
        max: usize,
    },
    /// A jump is not a multiple of 4 bytes.
    JumpMisaligned {
        /// Which jump.
        branch: Branch,
        /// Its length in bytes.
        jump: u16,
    },
    /// The `no` jump lands inside an instruction's operands rather than on
    /// an instruction.
    JumpIntoOperand {
        /// Its length in bytes.
        jump: u16,
    },
    /// The last instruction's `yes` jump goes past the end: the program
    /// does not end where its instructions do.
    RunsPastEnd,
}

impl fmt::Display for AuditRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditRule::Empty => f.write_str("shorter than one instruction"),
            AuditRule::Unaligned { len } => write!(f, "length {len} is not a multiple of 4"),
            AuditRule::UnknownCode(c) => write!(f, "unknown instruction code {c}"),
            AuditRule::Truncated { needed, remaining } => {
                write!(f, "instruction needs {needed} bytes, {remaining} left")
            }
            AuditRule::BadFamily(fam) => write!(f, "host condition with address family {fam}"),
            AuditRule::PrefixTooLong { prefix_len, max } => {
                write!(f, "prefix of {prefix_len} bits on a {max}-bit address")
            }
            AuditRule::JumpTooShort { branch, jump, min } => {
                write!(f, "{branch} jump of {jump} bytes, shorter than {min}")
            }
            AuditRule::JumpPastEnd { branch, jump, max } => {
                write!(f, "{branch} jump of {jump} bytes, longer than {max}")
            }
            AuditRule::JumpMisaligned { branch, jump } => {
                write!(f, "{branch} jump of {jump} bytes, not a multiple of 4")
            }
            AuditRule::JumpIntoOperand { jump } => {
                write!(f, "no jump of {jump} bytes lands inside an instruction")
            }
            AuditRule::RunsPastEnd => f.write_str("yes jump past the end of the program"),
        }
    }
}

/// A filter program that passed the kernel's audit rules, over any byte
/// storage: `Bytecode<&[u8]>` borrows it (from
/// [`Filter::compile_into`]), `Bytecode<Vec<u8>>` owns it (from
/// [`Filter::compile`]). Attach it to a dump with
/// [`InetRequest::with_bytecode`](crate::inet::InetRequest::with_bytecode).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Bytecode<B = Vec<u8>> {
    bytes: B,
}

impl<B: AsRef<[u8]>> Bytecode<B> {
    /// Checks `bytes` with the rules of the kernel's `inet_diag_bc_audit`
    /// (all but the capability check of mark conditions, which the kernel
    /// answers with `EPERM`): a program that passes is not rejected with
    /// `EINVAL`.
    pub fn new(bytes: B) -> Result<Self, FilterError> {
        audit(bytes.as_ref())?;
        Ok(Bytecode { bytes })
    }

    /// The program.
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.as_ref()
    }

    /// The storage.
    pub fn into_inner(self) -> B {
        self.bytes
    }

    /// Runs the program on one socket as the kernel's `inet_diag_bc_run`
    /// does; `None` if it reaches a test of a fact `entry` does not know.
    pub fn matches(&self, entry: &Entry) -> Option<bool> {
        run(self.as_bytes(), entry)
    }
}

impl<B: AsRef<[u8]>> fmt::Debug for Bytecode<B> {
    /// The instructions, one per entry: offset, test, and jumps.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bc = self.as_bytes();
        let mut list = f.debug_list();
        let mut pos = 0;
        while let Some((code, yes, no)) = read_op(bc, pos) {
            list.entry(&Disassembled {
                pos,
                code,
                yes,
                no,
                bc,
            });
            if yes == 0 {
                break;
            }
            pos += usize::from(yes);
        }
        list.finish()
    }
}

struct Disassembled<'a> {
    pos: usize,
    code: u8,
    yes: u8,
    no: u16,
    bc: &'a [u8],
}

impl fmt::Debug for Disassembled<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Disassembled {
            pos,
            code,
            yes,
            no,
            bc,
        } = *self;
        let name = match code {
            NOP => "nop",
            JMP => "jmp",
            S_GE => "sport >=",
            S_LE => "sport <=",
            D_GE => "dport >=",
            D_LE => "dport <=",
            AUTO => "autobound",
            S_COND => "src",
            D_COND => "dst",
            DEV_COND => "dev",
            MARK_COND => "fwmark",
            S_EQ => "sport =",
            D_EQ => "dport =",
            CGROUP_COND => "cgroupid",
            _ => "?",
        };
        write!(f, "{pos}: {name}")?;
        match code {
            S_GE | S_LE | D_GE | D_LE | S_EQ | D_EQ => {
                if let Some(port) = u16_at(bc, pos + 6) {
                    write!(f, " {port}")?;
                }
            }
            S_COND | D_COND => {
                if let Some((host, _)) = hostcond_at(bc, pos) {
                    write!(f, " {host}")?;
                }
            }
            DEV_COND => {
                if let Some(index) = u32_at(bc, pos + OP) {
                    write!(f, " {index}")?;
                }
            }
            MARK_COND => {
                if let (Some(v), Some(m)) = (u32_at(bc, pos + 4), u32_at(bc, pos + 8)) {
                    write!(f, " {v:#x}/{m:#x}")?;
                }
            }
            CGROUP_COND => {
                if let Some(id) = u64_at(bc, pos + OP) {
                    write!(f, " {id}")?;
                }
            }
            _ => {}
        }
        write!(f, " ? +{yes} : +{no}")
    }
}

fn read_op(bc: &[u8], pos: usize) -> Option<(u8, u8, u16)> {
    let code = *bc.get(pos)?;
    let yes = *bc.get(pos + 1)?;
    let no = u16_at(bc, pos + 2)?;
    Some((code, yes, no))
}

fn u16_at(bc: &[u8], pos: usize) -> Option<u16> {
    let b = bc.get(pos..pos.checked_add(2)?)?;
    Some(u16::from_ne_bytes(b.try_into().ok()?))
}

fn u32_at(bc: &[u8], pos: usize) -> Option<u32> {
    let b = bc.get(pos..pos.checked_add(4)?)?;
    Some(u32::from_ne_bytes(b.try_into().ok()?))
}

fn u64_at(bc: &[u8], pos: usize) -> Option<u64> {
    let b = bc.get(pos..pos.checked_add(8)?)?;
    Some(u64::from_ne_bytes(b.try_into().ok()?))
}

/// The condition of the host op at `pos` and its raw port (-1 = any, and
/// values outside 0–65535 never match); `None` if it is malformed.
fn hostcond_at(bc: &[u8], pos: usize) -> Option<(Host, i32)> {
    let family = *bc.get(pos + OP)?;
    let prefix_len = *bc.get(pos + OP + 1)?;
    let port = i32::from_ne_bytes(bc.get(pos + OP + 4..pos + OP + 8)?.try_into().ok()?);
    let addr_at = pos + OP + 8;
    let prefix = match family {
        AF_UNSPEC => None,
        AF_INET => {
            let b: [u8; 4] = bc.get(addr_at..addr_at + 4)?.try_into().ok()?;
            Some(Prefix::new(IpAddr::V4(Ipv4Addr::from(b)), prefix_len)?)
        }
        AF_INET6 => {
            let b: [u8; 16] = bc.get(addr_at..addr_at + 16)?.try_into().ok()?;
            Some(Prefix::new(IpAddr::V6(Ipv6Addr::from(b)), prefix_len)?)
        }
        _ => return None,
    };
    let host = Host {
        prefix,
        port: u16::try_from(port).ok(),
    };
    Some((host, port))
}

// ---------------------------------------------------------------------
// Audit.

fn rejected(offset: usize, rule: AuditRule) -> FilterError {
    FilterError::Rejected { offset, rule }
}

/// `inet_diag_bc_audit`, rule for rule.
pub(super) fn audit(bc: &[u8]) -> Result<(), FilterError> {
    let total = bc.len();
    if total > MAX_BYTECODE_LEN {
        return Err(FilterError::TooLong {
            needed: total,
            available: MAX_BYTECODE_LEN,
        });
    }
    if total < OP {
        return Err(rejected(0, AuditRule::Empty));
    }
    // Every jump the audit lets through is a multiple of 4, so a program of
    // another length never ends at 0: the kernel rejects it, at the latest
    // in its final `len == 0` check.
    if !total.is_multiple_of(4) {
        return Err(rejected(0, AuditRule::Unaligned { len: total }));
    }
    let mut pos = 0;
    while pos < total {
        let remaining = total - pos;
        let Some((code, yes, no)) = read_op(bc, pos) else {
            return Err(rejected(pos, AuditRule::Unaligned { len: total }));
        };
        let need = |n: usize| {
            if remaining < n {
                Err(rejected(
                    pos,
                    AuditRule::Truncated {
                        needed: n,
                        remaining,
                    },
                ))
            } else {
                Ok(n)
            }
        };
        let min_len = match code {
            S_COND | D_COND => {
                let fixed = need(OP + 8)?;
                let family = bc.get(pos + OP).copied().unwrap_or(0xff);
                let addr_len = match family {
                    AF_UNSPEC => 0,
                    AF_INET => 4,
                    AF_INET6 => 16,
                    other => return Err(rejected(pos, AuditRule::BadFamily(other))),
                };
                let min = need(fixed + addr_len)?;
                let prefix_len = bc.get(pos + OP + 1).copied().unwrap_or(0xff);
                let max = (8 * addr_len) as u8;
                if prefix_len > max {
                    return Err(rejected(pos, AuditRule::PrefixTooLong { prefix_len, max }));
                }
                min
            }
            DEV_COND => need(OP + 4)?,
            S_EQ | S_GE | S_LE | D_EQ | D_GE | D_LE => need(OP + OP)?,
            MARK_COND => need(OP + 8)?,
            CGROUP_COND => need(OP + 8)?,
            AUTO | JMP | NOP => OP,
            other => return Err(rejected(pos, AuditRule::UnknownCode(other))),
        };
        if code != NOP {
            check_jump(pos, Branch::No, no, min_len, remaining)?;
            let no = usize::from(no);
            if no < remaining && !valid_cc(bc, remaining - no) {
                return Err(rejected(
                    pos,
                    AuditRule::JumpIntoOperand { jump: no as u16 },
                ));
            }
        }
        check_jump(pos, Branch::Yes, u16::from(yes), min_len, remaining)?;
        if usize::from(yes) > remaining {
            return Err(rejected(pos, AuditRule::RunsPastEnd));
        }
        pos += usize::from(yes);
    }
    Ok(())
}

fn check_jump(
    pos: usize,
    branch: Branch,
    jump: u16,
    min: usize,
    remaining: usize,
) -> Result<(), FilterError> {
    let j = usize::from(jump);
    let rule = if j < min {
        AuditRule::JumpTooShort { branch, jump, min }
    } else if j > remaining + 4 {
        AuditRule::JumpPastEnd {
            branch,
            jump,
            max: remaining + 4,
        }
    } else if !j.is_multiple_of(4) {
        AuditRule::JumpMisaligned { branch, jump }
    } else {
        return Ok(());
    };
    Err(rejected(pos, rule))
}

/// `valid_cc`: whether following the `yes` jumps from the start reaches the
/// point where `cc` bytes remain.
fn valid_cc(bc: &[u8], cc: usize) -> bool {
    let mut len = bc.len();
    let mut pos = 0;
    loop {
        if cc > len {
            return false;
        }
        if cc == len {
            return true;
        }
        let Some(&yes) = bc.get(pos + 1) else {
            return false;
        };
        let yes = usize::from(yes);
        if yes < 4 || !yes.is_multiple_of(4) || yes > len {
            return false;
        }
        len -= yes;
        pos += yes;
    }
}

// ---------------------------------------------------------------------
// Interpretation.

/// `inet_diag_bc_run`. `bc` has passed the audit, so every jump taken is
/// at least 4 bytes forward.
fn run(bc: &[u8], e: &Entry) -> Option<bool> {
    let total = bc.len();
    let mut pos = 0;
    while pos < total {
        let (code, yes, no) = read_op(bc, pos)?;
        let port_operand = || u16_at(bc, pos + 6);
        let holds = match code {
            NOP => true,
            JMP => false,
            S_EQ => e.src.port() == port_operand()?,
            S_GE => e.src.port() >= port_operand()?,
            S_LE => e.src.port() <= port_operand()?,
            D_EQ => e.dst.port() == port_operand()?,
            D_GE => e.dst.port() >= port_operand()?,
            D_LE => e.dst.port() <= port_operand()?,
            AUTO => e.auto_bound?,
            S_COND | D_COND => {
                let (host, port) = hostcond_at(bc, pos)?;
                let addr: SocketAddr = if code == S_COND { e.src } else { e.dst };
                (port == -1 || port == i32::from(addr.port()))
                    && host
                        .prefix
                        .is_none_or(|p| prefix_matches(&p, addr.ip(), e.src.is_ipv6()))
            }
            DEV_COND => e.interface == u32_at(bc, pos + OP)?,
            MARK_COND => {
                let (value, mask) = (u32_at(bc, pos + OP)?, u32_at(bc, pos + OP + 4)?);
                e.mark? & mask == value
            }
            CGROUP_COND => e.cgroup_id? == u64_at(bc, pos + OP)?,
            // The kernel's default: an unknown code (which the audit
            // refuses) counts as holding.
            _ => true,
        };
        let step = if holds {
            usize::from(yes)
        } else {
            usize::from(no)
        };
        if step == 0 {
            return None;
        }
        pos += step;
    }
    Some(pos == total)
}

// ---------------------------------------------------------------------
// Compilation.

impl Filter {
    /// The length in bytes of the compiled program, so that callers can
    /// size storage for [`compile_into`](Filter::compile_into).
    pub fn bytecode_len(&self) -> usize {
        size(&self.node)
    }

    /// Compiles the filter into `storage` without allocating and returns
    /// the program, audited with the kernel's rules, borrowing the first
    /// [`bytecode_len`](Filter::bytecode_len) bytes of `storage`.
    pub fn compile_into<'s>(
        &self,
        storage: &'s mut [u8],
    ) -> Result<Bytecode<&'s [u8]>, FilterError> {
        if self.depth > MAX_DEPTH {
            return Err(FilterError::TooDeep { depth: self.depth });
        }
        if let Some(name) = self.names().first() {
            return Err(FilterError::Unresolved {
                name: name.to_string(),
            });
        }
        if self.has_unix_names() {
            return Err(FilterError::NotInet {
                filter: self.to_string(),
            });
        }
        let needed = size(&self.node);
        let available = storage.len().min(MAX_BYTECODE_LEN);
        let Some(out) = storage.get_mut(..needed).filter(|_| needed <= available) else {
            return Err(FilterError::TooLong { needed, available });
        };
        out.fill(0);
        emit(&self.node, out);
        Bytecode::new(&*out)
    }

    /// Compiles the filter into a new `Vec`.
    pub fn compile(&self) -> Result<Bytecode<Vec<u8>>, FilterError> {
        let mut storage = vec![0; self.bytecode_len().min(MAX_BYTECODE_LEN)];
        let len = self.compile_into(&mut storage)?.as_bytes().len();
        storage.truncate(len);
        Ok(Bytecode { bytes: storage })
    }
}

fn host_len(host: &Host) -> usize {
    OP + 8
        + match host.prefix.map(|p| p.addr()) {
            None => 0,
            Some(IpAddr::V4(_)) => 4,
            Some(IpAddr::V6(_)) => 16,
        }
}

fn size(node: &Node) -> usize {
    match node {
        Node::Port(..) => 2 * OP,
        Node::Host(_, host) => host_len(host),
        Node::AutoBound => OP,
        Node::Device(_) => OP + 4,
        Node::Mark { .. } | Node::Cgroup(_) => OP + 8,
        // Refused before sizing.
        Node::Name(_) | Node::NamedPort(..) | Node::NamedHost(..) | Node::Unix(..) => 0,
        Node::Not(inner) => size(inner).saturating_add(OP),
        Node::And(list) => list.iter().map(size).fold(0, usize::saturating_add),
        Node::Or(list) => list
            .iter()
            .map(|n| size(n).saturating_add(OP))
            .fold(0, usize::saturating_add)
            .saturating_sub(OP),
    }
}

fn put(out: &mut [u8], at: usize, bytes: &[u8]) {
    if let Some(dst) = out.get_mut(at..at + bytes.len()) {
        dst.copy_from_slice(bytes);
    }
}

fn put_op(out: &mut [u8], at: usize, code: u8, yes: usize, no: usize) {
    let no = u16::try_from(no).unwrap_or(u16::MAX).to_ne_bytes();
    put(out, at, &[code, yes as u8, no[0], no[1]]);
}

/// Writes `node` into `out`, which is exactly `size(node)` long.
fn emit(node: &Node, out: &mut [u8]) {
    let n = out.len();
    match node {
        Node::Port(side, cmp, port) => {
            let code = match (side, cmp) {
                (Side::Src, Cmp::Eq) => S_EQ,
                (Side::Src, Cmp::Ge) => S_GE,
                (Side::Src, Cmp::Le) => S_LE,
                (Side::Dst, Cmp::Eq) => D_EQ,
                (Side::Dst, Cmp::Ge) => D_GE,
                (Side::Dst, Cmp::Le) => D_LE,
            };
            put_op(out, 0, code, n, n + 4);
            put_op(out, OP, 0, 0, usize::from(*port));
        }
        Node::Host(side, host) => {
            let code = match side {
                Side::Src => S_COND,
                Side::Dst => D_COND,
            };
            put_op(out, 0, code, n, n + 4);
            let port = host.port.map_or(-1, i32::from);
            let (family, prefix_len) = match host.prefix {
                None => (AF_UNSPEC, 0),
                Some(p) if p.addr().is_ipv4() => (AF_INET, p.prefix_len()),
                Some(p) => (AF_INET6, p.prefix_len()),
            };
            put(out, OP, &[family, prefix_len, 0, 0]);
            put(out, OP + 4, &port.to_ne_bytes());
            match host.prefix.map(|p| p.addr()) {
                Some(IpAddr::V4(a)) => put(out, OP + 8, &a.octets()),
                Some(IpAddr::V6(a)) => put(out, OP + 8, &a.octets()),
                None => {}
            }
        }
        Node::AutoBound => put_op(out, 0, AUTO, n, n + 4),
        Node::Device(index) => {
            put_op(out, 0, DEV_COND, n, n + 4);
            put(out, OP, &index.to_ne_bytes());
        }
        Node::Mark { value, mask } => {
            put_op(out, 0, MARK_COND, n, n + 4);
            put(out, OP, &value.to_ne_bytes());
            put(out, OP + 4, &mask.to_ne_bytes());
        }
        Node::Cgroup(id) => {
            put_op(out, 0, CGROUP_COND, n, n + 4);
            put(out, OP, &id.to_ne_bytes());
        }
        // Refused before emitting.
        Node::Name(_) | Node::NamedPort(..) | Node::NamedHost(..) | Node::Unix(..) => {}
        Node::Not(inner) => {
            let m = n - OP;
            if let Some(body) = out.get_mut(..m) {
                emit(inner, body);
            }
            // Reached only when `inner` accepted: jump to the reject exit.
            put_op(out, m, JMP, OP, 2 * OP);
        }
        Node::And(list) => {
            let mut at = 0;
            for child in list {
                let m = size(child);
                if let Some(body) = out.get_mut(at..at + m) {
                    emit(child, body);
                    // The child's reject exit becomes the whole reject exit.
                    redirect_rejects(body, n - (at + m));
                }
                at += m;
            }
        }
        Node::Or(list) => {
            let mut at = 0;
            for (i, child) in list.iter().enumerate() {
                let m = size(child);
                if let Some(body) = out.get_mut(at..at + m) {
                    // The child's reject exit is the next child.
                    emit(child, body);
                }
                at += m;
                if i + 1 < list.len() {
                    // Reached only when the child accepted: jump to the end.
                    put_op(out, at, JMP, OP, n - at);
                    at += OP;
                }
            }
        }
    }
}

/// Moves the reject jumps of the compiled fragment `frag` (those that land
/// 4 bytes past its end) `delta` bytes further.
fn redirect_rejects(frag: &mut [u8], delta: usize) {
    if delta == 0 {
        return;
    }
    let reject = frag.len() + OP;
    let mut pos = 0;
    while let Some((code, yes, no)) = read_op(frag, pos) {
        if code != NOP && pos + usize::from(no) == reject {
            put_op(frag, pos, code, usize::from(yes), usize::from(no) + delta);
        }
        if yes == 0 {
            break;
        }
        pos += usize::from(yes);
    }
}
