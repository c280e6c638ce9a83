//! Text without allocation: numbers, padded columns, stack strings, JSON
//! strings, and `ss`'s ways of writing times and rates.

use std::fmt::{self, Write as _};
use std::io::{self, Write};

/// A fixed-capacity string on the stack, so that padded columns need no
/// allocation per socket. Text that does not fit is cut.
#[derive(Clone)]
pub struct StackStr {
    buf: [u8; 160],
    len: usize,
}

impl Default for StackStr {
    fn default() -> Self {
        Self::new()
    }
}

impl StackStr {
    pub fn new() -> Self {
        StackStr {
            buf: [0; 160],
            len: 0,
        }
    }

    /// Empties it for reuse (a table reuses two per row rather than
    /// zeroing fresh ones).
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// The text. Always whole characters: a cut falls on a boundary.
    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(..self.len).unwrap_or_default()
    }

    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// Appends the UTF-8 text `bytes`, cut at a character boundary if it
    /// does not fit.
    pub fn push(&mut self, bytes: &[u8]) {
        let room = self.buf.len().saturating_sub(self.len);
        let mut n = bytes.len().min(room);
        if n < bytes.len() {
            // Back off over continuation bytes (0b10xx_xxxx) to a boundary.
            while n > 0 && bytes.get(n).is_some_and(|b| b & 0xc0 == 0x80) {
                n -= 1;
            }
        }
        if let (Some(dst), Some(src)) = (self.buf.get_mut(self.len..self.len + n), bytes.get(..n)) {
            dst.copy_from_slice(src);
            self.len += n;
        }
    }

    /// Appends an IPv4 address in dotted decimal.
    pub fn push_ipv4(&mut self, octets: [u8; 4]) {
        for (i, o) in octets.into_iter().enumerate() {
            if i > 0 {
                self.push(b".");
            }
            // Every u8 indexes the 256 entries.
            if let Some((len, digits)) = OCTETS.get(usize::from(o)) {
                self.push(digits.get(..usize::from(*len)).unwrap_or_default());
            }
        }
    }
}

impl fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.push(s.as_bytes());
        Ok(())
    }
}

/// The decimal text of every byte value: length and digits.
// Evaluated at compile time: an index out of range would not compile.
#[allow(clippy::indexing_slicing)]
const OCTETS: [(u8, [u8; 3]); 256] = {
    let mut t = [(0u8, [0u8; 3]); 256];
    let mut v = 0;
    while v < 256 {
        let (h, d, u) = ((v / 100) as u8, (v / 10 % 10) as u8, (v % 10) as u8);
        t[v] = if v >= 100 {
            (3, [b'0' + h, b'0' + d, b'0' + u])
        } else if v >= 10 {
            (2, [b'0' + d, b'0' + u, 0])
        } else {
            (1, [b'0' + u, 0, 0])
        };
        v += 1;
    }
    t
};

/// Decimal digits of a number, on the stack: `fmt`'s integer formatting
/// and padding cost more than the kernel's work per socket in a listing.
pub struct Num {
    buf: [u8; 20],
    start: usize,
}

impl Num {
    pub fn new(mut v: u64) -> Self {
        let mut buf = [b'0'; 20];
        let mut start = buf.len();
        // Two digits at a time from a table, then the last one or two.
        while v >= 100 && start >= 2 {
            let pair = (v % 100) as usize * 2;
            v /= 100;
            start -= 2;
            if let (Some(dst), Some(src)) =
                (buf.get_mut(start..start + 2), PAIRS.get(pair..pair + 2))
            {
                dst.copy_from_slice(src);
            }
        }
        if v >= 10 && start >= 2 {
            let pair = v as usize * 2;
            start -= 2;
            if let (Some(dst), Some(src)) =
                (buf.get_mut(start..start + 2), PAIRS.get(pair..pair + 2))
            {
                dst.copy_from_slice(src);
            }
        } else if start >= 1 {
            start -= 1;
            if let Some(d) = buf.get_mut(start) {
                // `v < 10` here; `% 10` keeps even a broken invariant in range.
                *d = b'0' + (v % 10) as u8;
            }
        }
        Num { buf, start }
    }

    pub fn as_bytes(&self) -> &[u8] {
        self.buf.get(self.start..).unwrap_or_default()
    }
}

/// "00" to "99".
const PAIRS: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// A JSON string: escapes as it writes.
pub struct JsonStr<T>(pub T);

impl<T: fmt::Display> fmt::Display for JsonStr<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        struct Escape<'a, 'b>(&'a mut fmt::Formatter<'b>);
        impl fmt::Write for Escape<'_, '_> {
            fn write_str(&mut self, s: &str) -> fmt::Result {
                for c in s.chars() {
                    match c {
                        '"' => self.0.write_str("\\\"")?,
                        '\\' => self.0.write_str("\\\\")?,
                        '\n' => self.0.write_str("\\n")?,
                        '\t' => self.0.write_str("\\t")?,
                        '\r' => self.0.write_str("\\r")?,
                        c if (c as u32) < 0x20 || c == '\u{7f}' => {
                            write!(self.0, "\\u{:04x}", c as u32)?
                        }
                        c => self.0.write_char(c)?,
                    }
                }
                Ok(())
            }
        }
        f.write_char('"')?;
        write!(Escape(f), "{}", self.0)?;
        f.write_char('"')
    }
}

/// `ss`'s timer text: `1min`, `2.5sec`... (`print_ms_timer`).
pub fn ms_timer(out: &mut impl fmt::Write, timeout: u32) -> fmt::Result {
    let mut secs = timeout / 1000;
    let minutes = secs / 60;
    secs %= 60;
    let mut msecs = timeout % 1000;
    if minutes > 0 {
        msecs = 0;
        write!(out, "{minutes}min")?;
        if minutes > 9 {
            secs = 0;
        }
    }
    if secs > 0 {
        if secs > 9 {
            msecs = 0;
        }
        write!(out, "{secs}{}", if msecs > 0 { "." } else { "sec" })?;
    }
    if msecs > 0 {
        write!(out, "{msecs:03}ms")?;
    }
    Ok(())
}

/// C's `%.{precision}g` of `v` (`%g` is precision 6): the shorter of
/// `%e` and `%f` at that many significant digits, trailing zeros cut.
pub fn g(w: &mut impl Write, v: f64, precision: usize) -> io::Result<()> {
    let p = precision.max(1);
    if !v.is_finite() {
        let text = if v.is_nan() {
            "nan"
        } else if v > 0.0 {
            "inf"
        } else {
            "-inf"
        };
        return w.write_all(text.as_bytes());
    }
    if v == 0.0 {
        return w.write_all(if v.is_sign_negative() { b"-0" } else { b"0" });
    }
    // The exponent after rounding to `p` significant digits.
    let mut e = StackStr::new();
    let _ = write!(e, "{:.*e}", p - 1, v);
    let (mantissa, exp) = e.as_str().split_once('e').unwrap_or((e.as_str(), "0"));
    let x: i32 = exp.parse().unwrap_or(0);
    let p = i32::try_from(p).unwrap_or(6);
    if x < -4 || x >= p {
        w.write_all(trim_zeros(mantissa).as_bytes())?;
        let sign = if x < 0 { '-' } else { '+' };
        write!(w, "e{sign}{:02}", x.unsigned_abs())
    } else {
        let decimals = usize::try_from(p - 1 - x).unwrap_or(0);
        let mut f = StackStr::new();
        let _ = write!(f, "{v:.decimals$}");
        w.write_all(trim_zeros(f.as_str()).as_bytes())
    }
}

/// `1.500` as `1.5`, `2.000` as `2`; text without a point as it is.
fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// `ss`'s `sprint_bw`: bits per second as `%.0f` with `-n`, else `%.3g`
/// with a unit (`k`, `M`, `G`, `T`) or bare `%g` below 1000.
pub fn bw(w: &mut impl Write, bps: f64, numeric: bool) -> io::Result<()> {
    if numeric {
        let whole = bps.round_ties_even();
        if (0.0..9.0e18).contains(&whole) {
            // %.0f of a double below 2^63: its nearest integer, exactly.
            return w.write_all(Num::new(whole as u64).as_bytes());
        }
        return write!(w, "{bps:.0}");
    }
    let (div, unit) = if bps >= 1e12 {
        (1e12, "T")
    } else if bps >= 1e9 {
        (1e9, "G")
    } else if bps >= 1e6 {
        (1e6, "M")
    } else if bps >= 1e3 {
        (1e3, "k")
    } else {
        return g(w, bps, 6);
    };
    g(w, bps / div, 3)?;
    w.write_all(unit.as_bytes())
}

/// C's `%#x`: `0` for zero, `0x..` otherwise.
pub struct AltHex(pub u64);

impl fmt::Display for AltHex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            f.write_str("0")
        } else {
            write!(f, "{:#x}", self.0)
        }
    }
}

/// C's `%g` of `n / 256` (BBR's gains): the value is exact in binary and
/// in eight decimals, so the six significant digits and their rounding
/// (half to even, as `printf` rounds an exact tie) come from integers.
pub fn g_256(w: &mut impl Write, n: u32) -> io::Result<()> {
    // n / 256 = n * 390625 / 10^8, exactly.
    let exact = u64::from(n) * 390_625;
    if exact == 0 {
        return w.write_all(b"0");
    }
    let digits = exact.ilog10() + 1; // of the scaled integer
                                     // Exponent of the leading digit in the value: digits - 1 - 8.
    let exp = i64::from(digits) - 9;
    if !(-4..6).contains(&exp) {
        return g(w, f64::from(n) / 256.0, 6);
    }
    // Keep six significant digits: drop `digits - 6` of the scaled ones.
    let drop = digits.saturating_sub(6);
    let unit = 10u64.pow(drop);
    let (mut kept, rest) = (exact / unit, exact % unit);
    let half = unit / 2;
    if unit > 1 && (rest > half || (rest == half && kept % 2 == 1)) {
        kept += 1;
    }
    // kept * 10^drop / 10^8: decimals left = 8 - drop (may be negative).
    let decimals = 8i64 - i64::from(drop);
    let mut text = StackStr::new();
    if decimals <= 0 {
        let whole = kept * 10u64.pow(u32::try_from(-decimals).unwrap_or(0));
        text.push(Num::new(whole).as_bytes());
    } else {
        let d = u32::try_from(decimals).unwrap_or(0);
        let p = 10u64.pow(d);
        text.push(Num::new(kept / p).as_bytes());
        text.push(b".");
        // The decimals, zero-padded: those of p + fraction after its 1.
        let frac = Num::new(p + kept % p);
        text.push(frac.as_bytes().get(1..).unwrap_or_default());
    }
    w.write_all(trim_zeros(text.as_str()).as_bytes())
}
