//! The text syntax: `ss`'s filter expressions, read as `ss` reads them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{
    AddrPart, Cmp, Filter, FilterError, Host, Name, NameKind, Node, PortPart, Prefix, Side,
    MAX_DEPTH,
};

/// What a bare address in `src`/`dst` means: `ss` reads it by its
/// `-4`/`-6`/`-x`/`-f` option ([`Filter::parse_as`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AddressKind {
    /// An inet address or host name (`unix:`, or a leading `/` or `@`,
    /// still make a unix name pattern).
    #[default]
    Inet,
    /// A unix socket name pattern (`ss -x src '/run/*'`).
    Unix,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    /// `!`
    Bang,
    /// `&&` or `&`
    AndSym,
    /// `||` or `|`
    OrSym,
    /// A comparison operator written with symbols.
    Op(Op),
    Word,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Ge,
    Le,
    Gt,
    Lt,
}

#[derive(Clone, Copy, Debug)]
struct Token<'a> {
    tok: Tok,
    offset: usize,
    text: &'a str,
}

fn syntax(offset: usize, token: &str, problem: &'static str) -> FilterError {
    FilterError::Syntax {
        offset,
        token: token.to_owned(),
        problem,
    }
}

/// Bytes that end a word (outside a value).
const SPECIAL: &[u8] = b"()!&|=<>";

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    kind: AddressKind,
}

/// `Filter::from_str` and `Filter::parse_as`.
pub(super) fn filter(text: &str, kind: AddressKind) -> Result<Filter, FilterError> {
    let mut p = Parser { text, pos: 0, kind };
    let f = p.expr(0)?;
    match p.peek() {
        None => Ok(f),
        Some(t) if t.tok == Tok::RParen => Err(syntax(t.offset, t.text, "unmatched `)`")),
        Some(t) => Err(syntax(t.offset, t.text, "unexpected token")),
    }
}

impl<'a> Parser<'a> {
    /// The offset of the next non-blank byte.
    fn start(&self) -> usize {
        let rest = self.text.get(self.pos..).unwrap_or_default();
        self.pos
            + (rest.len()
                - rest
                    .trim_start_matches(|c: char| c.is_ascii_whitespace())
                    .len())
    }

    /// The next token, not consumed.
    fn peek(&self) -> Option<Token<'a>> {
        let i = self.start();
        let bytes = self.text.as_bytes();
        let c = *bytes.get(i)?;
        let next = bytes.get(i + 1).copied();
        let (tok, len) = match (c, next) {
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'!', Some(b'=')) => (Tok::Op(Op::Ne), 2),
            (b'!', _) => (Tok::Bang, 1),
            (b'&', Some(b'&')) => (Tok::AndSym, 2),
            (b'&', _) => (Tok::AndSym, 1),
            (b'|', Some(b'|')) => (Tok::OrSym, 2),
            (b'|', _) => (Tok::OrSym, 1),
            (b'=', Some(b'=')) => (Tok::Op(Op::Eq), 2),
            (b'=', _) => (Tok::Op(Op::Eq), 1),
            (b'>', Some(b'=')) => (Tok::Op(Op::Ge), 2),
            (b'>', _) => (Tok::Op(Op::Gt), 1),
            (b'<', Some(b'=')) => (Tok::Op(Op::Le), 2),
            (b'<', _) => (Tok::Op(Op::Lt), 1),
            _ => {
                let rest = bytes.get(i..).unwrap_or_default();
                let len = rest
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || SPECIAL.contains(b))
                    .unwrap_or(rest.len());
                (Tok::Word, len)
            }
        };
        // Token boundaries are ASCII bytes, so these are char boundaries.
        let text = self.text.get(i..i + len).unwrap_or_default();
        Some(Token {
            tok,
            offset: i,
            text,
        })
    }

    fn bump(&mut self, t: Token<'a>) {
        self.pos = t.offset + t.text.len();
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let t = self.peek()?;
        self.bump(t);
        Some(t)
    }

    /// A value: up to the next blank or unquoted `)`, `&` or `|`, with
    /// `\` quoting the byte after it (`ss` splits its arguments at blanks
    /// only; this keeps `!`, `=`, `(` and the like inside values such as
    /// name patterns, and still reads `sport=:1&&dport=:2`).
    fn value(&mut self, problem: &'static str) -> Result<Token<'a>, FilterError> {
        let i = self.start();
        let bytes = self.text.as_bytes();
        let mut j = i;
        while let Some(&b) = bytes.get(j) {
            if b.is_ascii_whitespace() || matches!(b, b')' | b'&' | b'|') {
                break;
            }
            j += if b == b'\\' { 2 } else { 1 };
        }
        let j = j.min(bytes.len());
        // A backslash before a multi-byte character would leave `j` inside
        // it: move to the character's end.
        let mut j = j;
        while !self.text.is_char_boundary(j) && j < bytes.len() {
            j += 1;
        }
        let text = self.text.get(i..j).unwrap_or_default();
        if text.is_empty() {
            return Err(self.error_here(problem));
        }
        let t = Token {
            tok: Tok::Word,
            offset: i,
            text,
        };
        self.bump(t);
        Ok(t)
    }

    /// An error at the next token, or at the end of the text.
    fn error_here(&self, problem: &'static str) -> FilterError {
        match self.peek() {
            Some(t) => syntax(t.offset, t.text, problem),
            None => syntax(self.text.len(), "", problem),
        }
    }

    /// `term ((and | or | ) term)*`: `and` and `or` have the same
    /// precedence and apply left to right, as in `ss`.
    fn expr(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut acc = self.term(depth)?;
        while let Some(t) = self.peek() {
            let is_and = match (t.tok, t.text) {
                (Tok::RParen, _) => break,
                (Tok::AndSym, _) | (Tok::Word, "and") => {
                    self.bump(t);
                    true
                }
                (Tok::OrSym, _) | (Tok::Word, "or") => {
                    self.bump(t);
                    false
                }
                // Juxtaposition: `a b` is `a and b`, as in ss.
                _ => true,
            };
            let rhs = self.term(depth)?;
            acc = if is_and { acc.and(rhs) } else { acc.or(rhs) };
            if acc.depth() > MAX_DEPTH {
                return Err(syntax(t.offset, t.text, "nested too deeply"));
            }
        }
        Ok(acc)
    }

    fn term(&mut self, depth: usize) -> Result<Filter, FilterError> {
        if depth >= MAX_DEPTH {
            return Err(self.error_here("nested too deeply"));
        }
        let Some(t) = self.next() else {
            return Err(self.error_here("expected a condition"));
        };
        let f = match (t.tok, t.text) {
            (Tok::Bang, _) | (Tok::Word, "not") => !self.term(depth + 1)?,
            (Tok::LParen, _) => {
                let inner = self.expr(depth + 1)?;
                match self.peek() {
                    Some(c) if c.tok == Tok::RParen => {
                        self.bump(c);
                        inner
                    }
                    _ => return Err(self.error_here("expected `)`")),
                }
            }
            (Tok::Word, word) => self.condition(t, word)?,
            _ => {
                return Err(syntax(
                    t.offset,
                    t.text,
                    "expected a condition (sport, dport, src, dst, dev, fwmark, cgroup, cgroupid, autobound), `not` or `(`",
                ))
            }
        };
        if f.depth() > MAX_DEPTH {
            return Err(syntax(t.offset, t.text, "nested too deeply"));
        }
        Ok(f)
    }

    /// An optional comparison operator, as a symbol or a word.
    fn op(&mut self) -> Option<Op> {
        let t = self.peek()?;
        let op = match (t.tok, t.text) {
            (Tok::Op(op), _) => op,
            (Tok::Word, "eq") => Op::Eq,
            (Tok::Word, "ne" | "neq") => Op::Ne,
            (Tok::Word, "ge" | "geq") => Op::Ge,
            (Tok::Word, "le" | "leq") => Op::Le,
            (Tok::Word, "gt") => Op::Gt,
            (Tok::Word, "lt") => Op::Lt,
            _ => return None,
        };
        self.bump(t);
        Some(op)
    }

    /// An optional `=` or `!=`: whether the condition is negated.
    fn equality(&mut self, keyword: Token<'a>) -> Result<bool, FilterError> {
        let at = self.peek().unwrap_or(keyword);
        match self.op() {
            None | Some(Op::Eq) => Ok(false),
            Some(Op::Ne) => Ok(true),
            Some(_) => Err(syntax(at.offset, at.text, "only `=` and `!=` compare this")),
        }
    }

    fn condition(&mut self, keyword: Token<'a>, word: &str) -> Result<Filter, FilterError> {
        let side = |w: &str| {
            if w.starts_with('s') {
                Side::Src
            } else {
                Side::Dst
            }
        };
        match word {
            "sport" | "dport" => {
                let side = side(word);
                let at = self.peek().unwrap_or(keyword);
                let op = self.op().unwrap_or(Op::Eq);
                let v = self.value("expected a port")?;
                let text = unescape(v.text);
                let port = port_value(text.strip_prefix(':').unwrap_or(&text), v)?;
                let cmp = |c: Cmp| match &port {
                    PortValue::Number(n) => Ok(Filter::atom(Node::Port(side, c, *n))),
                    PortValue::Name(n) => Ok(Filter::atom(Node::NamedPort(side, c, n.clone()))),
                    PortValue::Any => Err(syntax(
                        at.offset,
                        at.text,
                        "`*` (any port) compares only with `=` and `!=`",
                    )),
                };
                let any = || {
                    Filter::atom(Node::Host(
                        side,
                        Host {
                            prefix: None,
                            port: None,
                        },
                    ))
                };
                Ok(match (op, &port) {
                    (Op::Eq, PortValue::Any) => any(),
                    (Op::Ne, PortValue::Any) => !any(),
                    (Op::Eq, _) => cmp(Cmp::Eq)?,
                    (Op::Ne, _) => !cmp(Cmp::Eq)?,
                    (Op::Ge, _) => cmp(Cmp::Ge)?,
                    (Op::Le, _) => cmp(Cmp::Le)?,
                    (Op::Gt, _) => !cmp(Cmp::Le)?,
                    (Op::Lt, _) => !cmp(Cmp::Ge)?,
                })
            }
            "src" | "dst" => {
                let side = side(word);
                let negate = self.equality(keyword)?;
                let v = self.value("expected an address")?;
                let f = host_condition(side, &unescape(v.text), v.offset, self.kind)?;
                Ok(if negate { !f } else { f })
            }
            "autobound" => Ok(Filter::auto_bound()),
            "dev" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected an interface name or index")?;
                let text = unescape(v.text);
                let f = if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                    Filter::device(
                        text.parse::<u32>()
                            .map_err(|_| syntax(v.offset, v.text, "interface index out of range"))?,
                    )
                } else {
                    Filter::name(NameKind::Device, text, Some(v.offset))
                };
                Ok(if negate { !f } else { f })
            }
            "fwmark" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected a mark, as VALUE or VALUE/MASK")?;
                let number = |s: &str| {
                    c_uint(s)
                        .filter(|(_, rest)| rest.is_empty())
                        .ok_or_else(|| syntax(v.offset, v.text, "expected a number"))
                        .and_then(|(n, _)| {
                            u32::try_from(n).map_err(|_| {
                                syntax(v.offset, v.text, "number out of range (32 bits)")
                            })
                        })
                };
                let (value, mask) = match v.text.split_once('/') {
                    Some((value, mask)) => (number(value)?, number(mask)?),
                    None => (number(v.text)?, u32::MAX),
                };
                let f = Filter::mark(value, mask);
                Ok(if negate { !f } else { f })
            }
            "cgroup" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected a cgroup path")?;
                let f = Filter::name(NameKind::Cgroup, unescape(v.text), Some(v.offset));
                Ok(if negate { !f } else { f })
            }
            "cgroupid" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected a cgroup id")?;
                let id = v.text.parse::<u64>().map_err(|_| {
                    syntax(v.offset, v.text, "expected a cgroup id (a decimal number)")
                })?;
                let f = Filter::cgroup(id);
                Ok(if negate { !f } else { f })
            }
            _ => Err(syntax(
                keyword.offset,
                keyword.text,
                "expected a condition (sport, dport, src, dst, dev, fwmark, cgroup, cgroupid, autobound), `not` or `(`",
            )),
        }
    }
}

/// `text` with each `\x` made `x`.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// A port as written: a number, any (`*` or nothing), or a service name.
enum PortValue {
    Any,
    Number(u16),
    Name(Name),
}

/// An unsigned number the way `strtoul(s, &end, 0)` reads its start:
/// `0x` hex, a leading `0` octal, else decimal; the value and the rest.
/// `None` if `s` does not start with a digit.
pub(super) fn c_uint(s: &str) -> Option<(u64, &str)> {
    let bytes = s.as_bytes();
    if !bytes.first()?.is_ascii_digit() {
        return None;
    }
    let (radix, start) = match bytes {
        [b'0', b'x' | b'X', h, ..] if h.is_ascii_hexdigit() => (16, 2),
        [b'0', ..] => (8, 0),
        _ => (10, 0),
    };
    let digits = bytes
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| char::from(**b).is_digit(radix))
        .count();
    let end = start + digits;
    let mut v: u64 = 0;
    for &b in bytes.get(start..end).unwrap_or_default() {
        v = v
            .checked_mul(u64::from(radix))?
            .checked_add(u64::from(char::from(b).to_digit(radix)?))?;
    }
    Some((v, s.get(end..).unwrap_or_default()))
}

/// A port value (after its `:`): `*` or nothing (any), a number as `ss`
/// reads it (`22`, `0x16`, `026`), or a service name.
fn port_value(text: &str, at: Token<'_>) -> Result<PortValue, FilterError> {
    if text.is_empty() || text == "*" {
        return Ok(PortValue::Any);
    }
    if let Some((n, rest)) = c_uint(text) {
        if !rest.is_empty() {
            return Err(syntax(
                at.offset,
                at.text,
                "expected a port: a number (22, 0x16) or a service name (ssh)",
            ));
        }
        return u16::try_from(n)
            .map(PortValue::Number)
            .map_err(|_| syntax(at.offset, at.text, "port out of range (0-65535)"));
    }
    if !service_like(text) {
        return Err(syntax(
            at.offset,
            at.text,
            "expected a port: a number (22, 0x16) or a service name (ssh)",
        ));
    }
    Ok(PortValue::Name(Name {
        kind: NameKind::Service,
        text: text.to_owned(),
        offset: Some(at.offset),
    }))
}

/// Whether `s` can be a name in `/etc/services`: a letter, then letters,
/// digits, `-`, `_`, `.`, `+` or `*` (`sql*net`).
fn service_like(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+' | '*'))
}

/// Whether `s` can be a host name: letters, digits, `-`, `_` and `.`,
/// with a letter somewhere (all digits and dots is an address), starting
/// with a letter or digit.
fn host_like(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

fn bad_host(offset: usize, s: &str) -> FilterError {
    syntax(
        offset,
        s,
        "expected an address: A.B.C.D[/LEN][:PORT], [IPV6][/LEN][:PORT], IPV6/LEN, HOST[:PORT], *[:PORT] or :PORT",
    )
}

/// The condition `side` `s` of `src`/`dst` (unescaped, at `offset`).
fn host_condition(
    side: Side,
    s: &str,
    offset: usize,
    kind: AddressKind,
) -> Result<Filter, FilterError> {
    if let Some(pattern) = s.strip_prefix("unix:") {
        return Ok(Filter::atom(Node::Unix(side, pattern.to_owned())));
    }
    for family in ["link:", "netlink:", "vsock:"] {
        if s.starts_with(family) {
            return Err(syntax(
                offset,
                s,
                "packet (link:), netlink and vsock address conditions are not supported",
            ));
        }
    }
    if kind == AddressKind::Unix || s.starts_with('/') || s.starts_with('@') {
        return Ok(Filter::atom(Node::Unix(side, s.to_owned())));
    }
    let s = s
        .strip_prefix("inet:")
        .or_else(|| s.strip_prefix("inet6:"))
        .unwrap_or(s);
    let (addr, port) = host_parts(s, offset)?;
    Ok(Filter::atom(match (addr, port) {
        (AddrPart::Prefix(prefix), PortPart::Any) => Node::Host(side, Host { prefix, port: None }),
        (AddrPart::Prefix(prefix), PortPart::Port(p)) => Node::Host(
            side,
            Host {
                prefix,
                port: Some(p),
            },
        ),
        (addr, port) => Node::NamedHost(side, addr, port),
    }))
}

/// `Host::from_str`: a host condition without names.
pub(super) fn host(s: &str, offset: usize) -> Result<Host, FilterError> {
    match host_parts(s, offset)? {
        (AddrPart::Prefix(prefix), PortPart::Any) => Ok(Host { prefix, port: None }),
        (AddrPart::Prefix(prefix), PortPart::Port(p)) => Ok(Host {
            prefix,
            port: Some(p),
        }),
        _ => Err(bad_host(offset, s)),
    }
}

/// The address and port of an inet host condition, split as `ss` splits
/// them.
fn host_parts(s: &str, offset: usize) -> Result<(AddrPart, PortPart), FilterError> {
    let at = Token {
        tok: Tok::Word,
        offset,
        text: s,
    };
    // The port's text, which ends `s`: its name (if it is one) points at
    // it, errors at the whole value.
    let port_of = |spec: &str| -> Result<PortPart, FilterError> {
        Ok(match port_value(spec, at)? {
            PortValue::Any => PortPart::Any,
            PortValue::Number(n) => PortPart::Port(n),
            PortValue::Name(mut n) => {
                n.offset = Some(offset + s.len() - spec.len());
                PortPart::Name(n)
            }
        })
    };
    if let Some(rest) = s.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or_else(|| bad_host(offset, s))?;
        let (len, port_text) = match after.strip_prefix('/') {
            Some(tail) => match tail.split_once(':') {
                Some((len, p)) => (Some(len), Some(p)),
                None => (Some(tail), None),
            },
            None if after.is_empty() => (None, None),
            None => (
                None,
                Some(after.strip_prefix(':').ok_or_else(|| bad_host(offset, s))?),
            ),
        };
        let mut p = prefix(inside, offset)?;
        if let Some(len) = len {
            if inside.contains('/') {
                return Err(bad_host(offset, s));
            }
            p = with_len(p.addr(), len, offset, s)?;
        }
        let port = match port_text {
            Some(t) => port_of(t)?,
            None => PortPart::Any,
        };
        return Ok((AddrPart::Prefix(Some(p)), port));
    }
    if let Some(rest) = s.strip_prefix('*') {
        let port = match rest {
            "" => PortPart::Any,
            r => port_of(r.strip_prefix(':').ok_or_else(|| bad_host(offset, s))?)?,
        };
        return Ok((AddrPart::Prefix(None), port));
    }
    // The port follows the last `:` after the prefix length's `/`.
    let slash = s.find('/').unwrap_or(0);
    let colons = s.matches(':').count();
    if colons > 1 && !s.contains('/') {
        // Unbracketed IPv6: only a prefix (`fd00::/8`) is unambiguous; ss
        // reads `::1:80` as `::1` port 80 and refuses `::1`.
        return Err(syntax(
            offset,
            s,
            "IPv6 addresses need brackets: [::1], [::1]:80, [fd00::/8]",
        ));
    }
    let (addr, port) = match s.get(slash..).and_then(|t| t.rfind(':')) {
        Some(i) if colons == 1 || s.contains('/') => {
            let cut = slash + i;
            (
                s.get(..cut).unwrap_or_default(),
                port_of(s.get(cut + 1..).unwrap_or_default())?,
            )
        }
        _ => (s, PortPart::Any),
    };
    let addr = match addr {
        "" | "*" | "all" | "any" | "default" => AddrPart::Prefix(None),
        a => match prefix(a, offset) {
            Ok(p) => AddrPart::Prefix(Some(p)),
            Err(_) if host_like(a) => AddrPart::Name(Name {
                kind: NameKind::Host,
                text: a.to_owned(),
                offset: Some(offset),
            }),
            Err(e) => return Err(e),
        },
    };
    Ok((addr, port))
}

/// An IPv4 address as iproute2's `get_addr_ipv4` reads it: one to four
/// parts of `strtoul(.., 0)` (decimal, `0x` hex, `0` octal), each at most
/// 255, missing parts 0 (`127.1` is 127.1.0.0, `10` is 10.0.0.0).
fn ss_ipv4(s: &str) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut rest = s;
    for (i, o) in octets.iter_mut().enumerate() {
        let (n, after) = c_uint(rest)?;
        *o = u8::try_from(n).ok()?;
        if after.is_empty() {
            return Some(Ipv4Addr::from(octets));
        }
        rest = after.strip_prefix('.').filter(|_| i < 3)?;
    }
    None
}

/// `Prefix::from_str`: `ADDR[/LEN]`, IPv6 optionally in brackets, IPv4 as
/// `ss` reads it, `LEN` a number or (IPv4) a dotted mask.
pub(super) fn prefix(s: &str, offset: usize) -> Result<Prefix, FilterError> {
    let (addr_text, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr_text = addr_text
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr_text);
    let addr = if addr_text.contains(':') {
        match addr_text.parse::<Ipv6Addr>() {
            Ok(a) => IpAddr::V6(a),
            Err(_) => return Err(bad_host(offset, s)),
        }
    } else if let Some(a) = ss_ipv4(addr_text) {
        IpAddr::V4(a)
    } else {
        return Err(bad_host(offset, s));
    };
    match len {
        Some(len) => with_len(addr, len, offset, s),
        None => Ok(Prefix::from(addr)),
    }
}

/// `addr/len`, `len` as iproute2's `get_netmask` reads it: a number
/// (`strtoul(.., 0)`), or for IPv4 a dotted mask of leading ones.
fn with_len(addr: IpAddr, len: &str, offset: usize, s: &str) -> Result<Prefix, FilterError> {
    let bits = match c_uint(len) {
        Some((n, "")) => u8::try_from(n).ok(),
        _ if addr.is_ipv4() => ss_ipv4(len).and_then(|mask| {
            let m = u32::from(mask);
            let ones = m.leading_ones();
            (m.checked_shl(ones).unwrap_or(0) == 0).then_some(ones as u8)
        }),
        _ => None,
    };
    bits.and_then(|b| Prefix::new(addr, b))
        .ok_or_else(|| syntax(offset, s, "prefix length longer than the address"))
}
