//! Filters over unix sockets, as `ss` applies them in userspace: name
//! patterns, and what the inet conditions mean for a unix socket.

use super::{all_or_any, Filter, Node, Side, MAX_DEPTH};

/// A unix socket as a [`Filter`] sees it ([`Filter::matches_unix`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnixEntry<'a> {
    /// The bound name as `ss` prints it: a path, or an abstract name with
    /// `@` for its leading NUL (and for every NUL in it); `None` if
    /// unbound.
    pub name: Option<&'a [u8]>,
    /// The socket's inode (what `sport` compares, in `ss`).
    pub inode: u32,
    /// The peer's inode, or 0 (what `dport` compares).
    pub peer: u32,
}

impl Filter {
    /// A unix socket whose name matches `pattern` (`fnmatch(3)`
    /// wildcards `*`, `?`, `[...]`, ignoring case, as `ss` matches
    /// `src /run/*`; an unbound socket's name is empty).
    pub fn src_unix(pattern: impl Into<String>) -> Filter {
        Filter::atom(Node::Unix(Side::Src, pattern.into()))
    }

    /// A unix socket whose peer's name matches `pattern`. The kernel does
    /// not report the peer's name, so, as in `ss`, it is empty: only a
    /// pattern that matches the empty name (such as `*`) holds.
    pub fn dst_unix(pattern: impl Into<String>) -> Filter {
        Filter::atom(Node::Unix(Side::Dst, pattern.into()))
    }

    /// Whether the filter has unix name conditions: then it selects unix
    /// sockets (it never holds for an inet one) and cannot
    /// [compile](Filter::compile).
    pub fn has_unix_names(&self) -> bool {
        fn walk(node: &Node) -> bool {
            match node {
                Node::Unix(..) => true,
                Node::Not(inner) => walk(inner),
                Node::And(list) | Node::Or(list) => list.iter().any(walk),
                _ => false,
            }
        }
        self.depth <= MAX_DEPTH && walk(&self.node)
    }

    /// Evaluates the filter on a unix socket as `ss` does in userspace:
    /// name patterns match the name; `sport` and `dport` compare the
    /// socket's and its peer's inodes; an address condition holds only
    /// without an address (`src *:N` compares the port with the inode);
    /// `autobound` holds for unbound sockets and the kernel's autobind
    /// names (`@` and five hex digits); the socket has no interface,
    /// mark or cgroup (they compare as 0). `None` if the filter still
    /// holds [names](Filter::names) or nests deeper than [`MAX_DEPTH`].
    pub fn matches_unix(&self, entry: &UnixEntry<'_>) -> Option<bool> {
        if self.depth > MAX_DEPTH {
            return None;
        }
        eval(&self.node, entry)
    }
}

fn eval(node: &Node, e: &UnixEntry<'_>) -> Option<bool> {
    let value = |side: &Side| match side {
        Side::Src => e.inode,
        Side::Dst => e.peer,
    };
    Some(match node {
        Node::Unix(Side::Src, pattern) => glob(pattern.as_bytes(), e.name.unwrap_or_default()),
        Node::Unix(Side::Dst, pattern) => glob(pattern.as_bytes(), b""),
        Node::Port(side, cmp, port) => {
            // ss compares the (32-bit) inode with the port.
            let v = value(side);
            match cmp {
                super::Cmp::Eq => v == u32::from(*port),
                super::Cmp::Ge => v >= u32::from(*port),
                super::Cmp::Le => v <= u32::from(*port),
            }
        }
        Node::Host(side, host) => {
            let port_ok = host.port.is_none_or(|p| u32::from(p) == value(side));
            // A prefix of length 0 is no address, for ss.
            port_ok && host.prefix.is_none_or(|p| p.prefix_len() == 0)
        }
        Node::AutoBound => match e.name {
            None => true,
            Some(n) => {
                n.len() == 6
                    && n.first() == Some(&b'@')
                    && n.iter()
                        .skip(1)
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            }
        },
        Node::Device(index) => *index == 0,
        // ss compares the mark 0: `0 & mask == value`.
        Node::Mark { value, .. } => *value == 0,
        Node::Cgroup(id) => *id == 0,
        Node::Name(_) | Node::NamedPort(..) | Node::NamedHost(..) => return None,
        Node::Not(inner) => !eval(inner, e)?,
        Node::And(list) => return all_or_any(list, true, |n| eval(n, e)),
        Node::Or(list) => return all_or_any(list, false, |n| eval(n, e)),
    })
}

/// `fnmatch(pattern, text, FNM_CASEFOLD)`: `*` any run (slashes too), `?`
/// one byte, `[...]` a set (`!` or `^` negates, `a-z` ranges, a leading
/// `]` is literal), `\` quotes the next byte; ASCII letters match either
/// case. A `[` without its `]` is literal.
pub(crate) fn glob(pattern: &[u8], text: &[u8]) -> bool {
    // Iterative, with one backtracking point for the last `*`: linear in
    // practice, never recursive.
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(&c) = pattern.get(p) {
            let here = text.get(t).copied();
            match c {
                b'*' => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                b'?' if here.is_some() => {
                    p += 1;
                    t += 1;
                    continue;
                }
                b'[' => match (here, set(pattern.get(p..).unwrap_or_default(), here)) {
                    (Some(_), Some((true, len))) => {
                        p += len;
                        t += 1;
                        continue;
                    }
                    // Not a set: a literal `[`.
                    (Some(b'['), None) => {
                        p += 1;
                        t += 1;
                        continue;
                    }
                    _ => {}
                },
                b'\\' => {
                    let lit = pattern.get(p + 1).copied().unwrap_or(b'\\');
                    let step = if pattern.get(p + 1).is_some() { 2 } else { 1 };
                    if here.is_some_and(|h| same(h, lit)) {
                        p += step;
                        t += 1;
                        continue;
                    }
                }
                lit => {
                    if here.is_some_and(|h| same(h, lit)) {
                        p += 1;
                        t += 1;
                        continue;
                    }
                }
            }
        } else if t == text.len() {
            return true;
        }
        // Mismatch: let the last `*` take one more byte.
        match star {
            Some((sp, st)) if st < text.len() => {
                star = Some((sp, st + 1));
                p = sp;
                t = st + 1;
            }
            _ => return false,
        }
    }
}

/// ASCII case-insensitive equality.
fn same(a: u8, b: u8) -> bool {
    a.eq_ignore_ascii_case(&b)
}

/// The set at the start of `pattern` (which begins with `[`): whether
/// `c` is in it, and the set's length; `None` if the `]` is missing
/// (then the `[` is literal).
fn set(pattern: &[u8], c: Option<u8>) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pattern.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let c = c?;
    let mut found = false;
    let mut first = true;
    loop {
        let b = *pattern.get(i)?;
        if b == b']' && !first {
            return Some((found != negate, i + 1));
        }
        first = false;
        let (lo, next) = if b == b'\\' {
            (*pattern.get(i + 1)?, i + 2)
        } else {
            (b, i + 1)
        };
        if pattern.get(next) == Some(&b'-') && pattern.get(next + 1).is_some_and(|&h| h != b']') {
            let hi_at = next + 1;
            let (hi, after) = match pattern.get(hi_at) {
                Some(b'\\') => (*pattern.get(hi_at + 1)?, hi_at + 2),
                Some(&h) => (h, hi_at + 1),
                None => return None,
            };
            let lower = c.to_ascii_lowercase();
            let upper = c.to_ascii_uppercase();
            if (lo..=hi).contains(&c) || (lo..=hi).contains(&lower) || (lo..=hi).contains(&upper) {
                found = true;
            }
            i = after;
        } else {
            if same(lo, c) {
                found = true;
            }
            i = next;
        }
    }
}
