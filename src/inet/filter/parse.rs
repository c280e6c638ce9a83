//! The text syntax: `ss`'s filter expressions.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{Cmp, Filter, FilterError, Host, NameKind, Prefix, MAX_DEPTH};

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

fn lex(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&c) = bytes.get(i) {
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
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
                let len = bytes
                    .get(i..)
                    .unwrap_or_default()
                    .iter()
                    .position(|b| b.is_ascii_whitespace() || b"()!&|=<>".contains(b))
                    .unwrap_or(bytes.len() - i);
                (Tok::Word, len)
            }
        };
        // Token boundaries are ASCII bytes, so these are char boundaries.
        let text = text.get(i..i + len).unwrap_or_default();
        out.push(Token {
            tok,
            offset: i,
            text,
        });
        i += len;
    }
    out
}

struct Parser<'a> {
    toks: Vec<Token<'a>>,
    pos: usize,
    end: usize,
}

/// `Filter::from_str`.
pub(super) fn filter(text: &str) -> Result<Filter, FilterError> {
    let mut p = Parser {
        toks: lex(text),
        pos: 0,
        end: text.len(),
    };
    let f = p.expr(0)?;
    match p.peek() {
        None => Ok(f),
        Some(t) if t.tok == Tok::RParen => Err(syntax(t.offset, t.text, "unmatched `)`")),
        Some(t) => Err(syntax(t.offset, t.text, "unexpected token")),
    }
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<Token<'a>> {
        self.toks.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let t = self.peek();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// An error at the next token, or at the end of the text.
    fn error_here(&self, problem: &'static str) -> FilterError {
        match self.peek() {
            Some(t) => syntax(t.offset, t.text, problem),
            None => syntax(self.end, "", problem),
        }
    }

    /// `term ((and term)* | (or term)*)`: a chain of one connective.
    fn expr(&mut self, depth: usize) -> Result<Filter, FilterError> {
        let mut acc = self.term(depth)?;
        let mut chain: Option<bool> = None;
        while let Some(t) = self.peek() {
            let is_and = match (t.tok, t.text) {
                (Tok::RParen, _) => break,
                (Tok::AndSym, _) | (Tok::Word, "and") => {
                    self.pos += 1;
                    true
                }
                (Tok::OrSym, _) | (Tok::Word, "or") => {
                    self.pos += 1;
                    false
                }
                // Juxtaposition: `a b` is `a and b`, as in ss.
                _ => true,
            };
            if chain.is_some_and(|c| c != is_and) {
                return Err(syntax(
                    t.offset,
                    t.text,
                    "`and` and `or` mixed without parentheses (ss reads them left to right); add parentheses",
                ));
            }
            chain = Some(is_and);
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
                        self.pos += 1;
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
            (Tok::Word, "ne") => Op::Ne,
            (Tok::Word, "ge") => Op::Ge,
            (Tok::Word, "le") => Op::Le,
            (Tok::Word, "gt") => Op::Gt,
            (Tok::Word, "lt") => Op::Lt,
            _ => return None,
        };
        self.pos += 1;
        Some(op)
    }

    /// An optional `=` or `!=`: whether the condition is negated.
    fn equality(&mut self, keyword: Token<'a>) -> Result<bool, FilterError> {
        let at = self.pos;
        match self.op() {
            None | Some(Op::Eq) => Ok(false),
            Some(Op::Ne) => Ok(true),
            Some(_) => {
                let t = self.toks.get(at).copied().unwrap_or(keyword);
                Err(syntax(t.offset, t.text, "only `=` and `!=` compare this"))
            }
        }
    }

    fn value(&mut self, problem: &'static str) -> Result<Token<'a>, FilterError> {
        match self.peek() {
            Some(t) if t.tok == Tok::Word => {
                self.pos += 1;
                Ok(t)
            }
            _ => Err(self.error_here(problem)),
        }
    }

    fn condition(&mut self, keyword: Token<'a>, word: &str) -> Result<Filter, FilterError> {
        match word {
            "sport" | "dport" => {
                let op = self.op().unwrap_or(Op::Eq);
                let v = self.value("expected a port")?;
                let port = port(v.text.strip_prefix(':').unwrap_or(v.text), v)?;
                let make = if word == "sport" {
                    Filter::src_port
                } else {
                    Filter::dst_port
                };
                Ok(match op {
                    Op::Eq => make(Cmp::Eq, port),
                    Op::Ne => !make(Cmp::Eq, port),
                    Op::Ge => make(Cmp::Ge, port),
                    Op::Le => make(Cmp::Le, port),
                    Op::Gt => !make(Cmp::Le, port),
                    Op::Lt => !make(Cmp::Ge, port),
                })
            }
            "src" | "dst" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected an address")?;
                let h = host(v.text, v.offset)?;
                let f = if word == "src" {
                    Filter::src(h)
                } else {
                    Filter::dst(h)
                };
                Ok(if negate { !f } else { f })
            }
            "autobound" => Ok(Filter::auto_bound()),
            "dev" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected an interface name or index")?;
                let f = if !v.text.is_empty() && v.text.bytes().all(|b| b.is_ascii_digit()) {
                    Filter::device(
                        v.text
                            .parse::<u32>()
                            .map_err(|_| syntax(v.offset, v.text, "interface index out of range"))?,
                    )
                } else {
                    Filter::name(NameKind::Device, v.text.to_owned(), Some(v.offset))
                };
                Ok(if negate { !f } else { f })
            }
            "fwmark" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected a mark, as VALUE or VALUE/MASK")?;
                let (value, mask) = match v.text.split_once('/') {
                    Some((value, mask)) => (c_number(value, v)?, c_number(mask, v)?),
                    None => (c_number(v.text, v)?, u32::MAX),
                };
                let f = Filter::mark(value, mask);
                Ok(if negate { !f } else { f })
            }
            "cgroup" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected a cgroup path")?;
                let f = Filter::name(NameKind::Cgroup, v.text.to_owned(), Some(v.offset));
                Ok(if negate { !f } else { f })
            }
            "cgroupid" => {
                let negate = self.equality(keyword)?;
                let v = self.value("expected a cgroup id")?;
                let id = v
                    .text
                    .parse::<u64>()
                    .map_err(|_| syntax(v.offset, v.text, "expected a cgroup id (a decimal number)"))?;
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

fn port(digits: &str, at: Token<'_>) -> Result<u16, FilterError> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax(
            at.offset,
            at.text,
            "expected a port number (service names are not looked up)",
        ));
    }
    digits
        .parse::<u16>()
        .map_err(|_| syntax(at.offset, at.text, "port out of range (0-65535)"))
}

/// A `u32` the way `strtoul(s, NULL, 0)` reads it: `0x` hex, leading-zero
/// octal, decimal.
fn c_number(s: &str, at: Token<'_>) -> Result<u32, FilterError> {
    let (digits, radix) = if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        (hex, 16)
    } else if s.len() > 1 && s.starts_with('0') {
        (s.get(1..).unwrap_or_default(), 8)
    } else {
        (s, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(syntax(at.offset, at.text, "expected a number"));
    }
    u32::from_str_radix(digits, radix)
        .map_err(|_| syntax(at.offset, at.text, "number out of range (32 bits)"))
}

fn bad_host(offset: usize, s: &str) -> FilterError {
    syntax(
        offset,
        s,
        "expected an address: A.B.C.D[/LEN][:PORT], [IPV6][/LEN][:PORT], IPV6[/LEN], *[:PORT] or :PORT",
    )
}

/// `Host::from_str`, with errors at `offset`.
pub(super) fn host(s: &str, offset: usize) -> Result<Host, FilterError> {
    let at = Token {
        tok: Tok::Word,
        offset,
        text: s,
    };
    if s == "*" {
        return Ok(Host::any());
    }
    let bare_port = s.strip_prefix(':').filter(|rest| !rest.contains(':'));
    if let Some(p) = s.strip_prefix("*:").or(bare_port) {
        return Ok(Host::any().with_port(port(p, at)?));
    }
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
        let mut prefix = prefix(inside, offset)?;
        if let Some(len) = len {
            if inside.contains('/') {
                return Err(bad_host(offset, s));
            }
            prefix = with_len(prefix.addr(), len, offset, s)?;
        }
        let mut h = Host::from(prefix);
        if let Some(p) = port_text {
            h = h.with_port(port(p, at)?);
        }
        return Ok(h);
    }
    if s.matches(':').count() > 1 {
        // Unbracketed IPv6: only a prefix (`fd00::/8`) is unambiguous; ss
        // reads `::1:80` as `::1` port 80 and refuses `::1`.
        if s.contains('/') {
            if let Ok(p) = prefix(s, offset) {
                return Ok(Host::from(p));
            }
        }
        return Err(syntax(
            offset,
            s,
            "IPv6 addresses need brackets: [::1], [::1]:80, [fd00::/8]",
        ));
    }
    let (addr, port_text) = match s.rsplit_once(':') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let p = prefix(addr, offset)?;
    if !p.addr().is_ipv4() {
        return Err(bad_host(offset, s));
    }
    let mut h = Host::from(p);
    if let Some(pt) = port_text {
        h = h.with_port(port(pt, at)?);
    }
    Ok(h)
}

/// `Prefix::from_str`: `ADDR[/LEN]`, IPv6 optionally in brackets.
pub(super) fn prefix(s: &str, offset: usize) -> Result<Prefix, FilterError> {
    let (addr_text, len) = match s.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (s, None),
    };
    let addr_text = addr_text
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(addr_text);
    let addr = if let Ok(a) = addr_text.parse::<Ipv4Addr>() {
        IpAddr::V4(a)
    } else if let Ok(a) = addr_text.parse::<Ipv6Addr>() {
        IpAddr::V6(a)
    } else {
        return Err(bad_host(offset, s));
    };
    match len {
        Some(len) => with_len(addr, len, offset, s),
        None => Ok(Prefix::from(addr)),
    }
}

fn with_len(addr: IpAddr, len: &str, offset: usize, s: &str) -> Result<Prefix, FilterError> {
    let bits = len
        .parse::<u8>()
        .ok()
        .filter(|_| len.bytes().all(|b| b.is_ascii_digit()));
    bits.and_then(|b| Prefix::new(addr, b))
        .ok_or_else(|| syntax(offset, s, "prefix length longer than the address"))
}
