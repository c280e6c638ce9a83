//! A table row as `ss` builds it: ten columns of text, each appended to
//! in turn, then laid out: streamed at fixed widths, or buffered and
//! sized to the content exactly as `ss` renders (`--ss-layout`).

use std::io::{self, Write};

/// `ss`'s columns, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Netid,
    State,
    RecvQ,
    SendQ,
    /// The local address and its `:` (right-aligned).
    Addr,
    /// The local port.
    Serv,
    /// The peer address and its `:`.
    RAddr,
    /// The peer port.
    RServ,
    /// Everything after the addresses: `users:`, timers, `-e`, `-i`...
    Ext,
    /// `ss`'s last column, always empty here (SELinux contexts).
    Proc,
}

/// How many columns.
pub const COLS: usize = 10;

/// Every column, in order (`ALL[c as usize] == c`).
pub const ALL: [Col; COLS] = [
    Col::Netid,
    Col::State,
    Col::RecvQ,
    Col::SendQ,
    Col::Addr,
    Col::Serv,
    Col::RAddr,
    Col::RServ,
    Col::Ext,
    Col::Proc,
];

/// How a column aligns its text in its width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Each column's alignment, header and left delimiter, as `ss` has them.
pub const COLUMNS: [(Align, &str, &str); COLS] = [
    (Align::Left, "Netid", ""),
    (Align::Left, "State", " "),
    (Align::Left, "Recv-Q", " "),
    (Align::Left, "Send-Q", " "),
    (Align::Right, "Local Address:", " "),
    (Align::Left, "Port", ""),
    (Align::Right, "Peer Address:", " "),
    (Align::Left, "Port", ""),
    (Align::Left, "Process", ""),
    (Align::Left, "", ""),
];

/// One row: the text of each column, and whether `ss` would have written
/// to it (an empty column it wrote to and one it did not are laid out
/// alike but take room differently in its buffer).
#[derive(Debug, Default)]
pub struct Row {
    buf: Vec<u8>,
    ends: [usize; COLS],
    written: [bool; COLS],
    cur: usize,
}

impl Row {
    /// Empties it for the next row (the buffer is kept).
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ends = [0; COLS];
        self.written = [false; COLS];
        self.cur = 0;
    }

    /// Moves on to column `col`, closing those before it.
    pub fn to(&mut self, col: Col) {
        let c = col as usize;
        while self.cur < c {
            if let Some(e) = self.ends.get_mut(self.cur) {
                *e = self.buf.len();
            }
            self.cur += 1;
        }
    }

    /// Closes every column.
    pub fn finish(&mut self) {
        self.to(Col::Proc);
        if let Some(e) = self.ends.get_mut(COLS - 1) {
            *e = self.buf.len();
        }
        self.cur = COLS;
    }

    /// Marks the current column written without text (`ss`'s
    /// `out("%s", "")`).
    pub fn touch(&mut self) {
        if let Some(w) = self.written.get_mut(self.cur) {
            *w = true;
        }
    }

    /// The text of column `i` (after [`finish`](Self::finish)).
    pub fn field(&self, i: usize) -> &[u8] {
        let start = match i {
            0 => 0,
            i => self.ends.get(i - 1).copied().unwrap_or(0),
        };
        let end = self.ends.get(i).copied().unwrap_or(start);
        self.buf.get(start..end).unwrap_or_default()
    }

    /// Whether column `i` was written to.
    pub fn written(&self, i: usize) -> bool {
        self.written.get(i).copied().unwrap_or(false)
    }
}

impl Write for Row {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.write_all(bytes)?;
        Ok(bytes.len())
    }

    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        if !bytes.is_empty() {
            if let Some(w) = self.written.get_mut(self.cur) {
                *w = true;
            }
            self.buf.extend_from_slice(bytes);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Spaces to pad with.
const SPACES: [u8; 64] = [b' '; 64];

fn spaces(w: &mut impl Write, mut n: usize) -> io::Result<()> {
    while n > 0 {
        let k = n.min(SPACES.len());
        w.write_all(SPACES.get(..k).unwrap_or_default())?;
        n -= k;
    }
    Ok(())
}

/// Writes one row's columns at `widths` (each including its delimiter,
/// as in `ss`), the way `ss`'s `render` writes them; `text(i)` is column
/// `i`'s text. The line is not ended. With `trim`, nothing is written
/// after the last text (no padding, no delimiters of empty columns).
pub fn render_row<'a>(
    out: &mut impl Write,
    enabled: &[bool; COLS],
    widths: &[usize; COLS],
    first: &mut Option<usize>,
    trim: bool,
    text: impl Fn(usize) -> &'a [u8],
) -> io::Result<()> {
    let mut started = false;
    let last_text = if trim {
        (0..COLS)
            .rev()
            .find(|&i| enabled.get(i).copied().unwrap_or(false) && !text(i).is_empty())
            .unwrap_or(0)
    } else {
        COLS
    };
    for (i, &(align, _, delim)) in COLUMNS.iter().enumerate() {
        if !enabled.get(i).copied().unwrap_or(false) {
            continue;
        }
        if i > last_text {
            break;
        }
        // ss skips leading columns of no width once, at the start of a
        // rendering.
        if let Some(f) = *first {
            if i < f {
                continue;
            }
            *first = None;
        }
        let t = text(i);
        let width = widths.get(i).copied().unwrap_or(0);
        let mut printed = 0;
        if started {
            out.write_all(delim.as_bytes())?;
            printed = delim.len();
        }
        started = true;
        if width > 0 && align == Align::Right {
            let pad = width.saturating_sub(t.len() + printed);
            spaces(out, pad)?;
            printed += pad;
        }
        out.write_all(t)?;
        printed += t.len();
        if width > 0 && align == Align::Left && i != last_text {
            spaces(out, width.saturating_sub(printed))?;
        }
    }
    Ok(())
}

/// The fixed widths of the streamed table (each with its delimiter).
pub const STREAM_WIDTHS: [usize; COLS] = [5, 11, 7, 7, 25, 5, 25, 5, 0, 0];

/// `ss`'s output buffer, emulated to the byte: rows are kept as `ss`
/// keeps them (chunks of 1 MiB holding each column as a 2-byte length
/// and its text), and rendered, with columns as wide as their widest
/// text so far, whenever `ss` would render: at the end, or after a row
/// once five chunks are in use.
#[derive(Debug, Default)]
pub struct SsBuffer {
    /// The rows' text, back to back.
    data: Vec<u8>,
    /// Each kept column's length, row after row (enabled columns only).
    lens: Vec<u16>,
    /// The widest text of each column since the start (ss never resets).
    max_len: [usize; COLS],
    /// Chunks in use (0 before the first text).
    chunks: usize,
    /// Bytes used in the current chunk's data area, if there is one.
    used: Option<usize>,
    /// Where the current column's length sits in the chunk.
    token_start: usize,
    /// The column a row ended in and its length, not yet "flushed": ss
    /// flushes it (or renders) when the next row starts.
    pending_last: Option<(usize, usize)>,
}

/// The data area of one of `ss`'s 1 MiB chunks (minus its two pointers).
const CHUNK_DATA: usize = 1024 * 1024 - 16;
/// `ss` renders once this many chunks are in use.
const CHUNKS_MAX: usize = 5;
/// A column's text is cut at this length.
const TOKEN_MAX: usize = u16::MAX as usize;

impl SsBuffer {
    /// `ss`'s `out()` calls of one column, `len` bytes in all (`written`:
    /// whether any call happened).
    fn append(&mut self, len: usize, written: bool) {
        if !written {
            return;
        }
        let used = match self.used {
            Some(u) => u,
            None => {
                self.chunks += 1;
                self.token_start = 0;
                2
            }
        };
        let avail = CHUNK_DATA.saturating_sub(used);
        self.used = Some(if len < avail || self.token_start == 0 {
            used + len.min(avail)
        } else {
            // The column moves to a new chunk, length and all.
            self.chunks += 1;
            self.token_start = 0;
            2 + len
        });
    }

    /// `ss`'s `field_flush`: the next column's length goes after this
    /// one's (aligned to 2), or into a new chunk.
    fn flush(&mut self, len: usize) {
        let Some(used) = self.used else { return };
        let pad = len % 2;
        if CHUNK_DATA.saturating_sub(used) < pad + 2 {
            self.chunks += 1;
            self.token_start = 0;
            self.used = Some(2);
        } else {
            self.token_start = used + pad;
            self.used = Some(used + pad + 2);
        }
    }

    /// Adds a row of enabled columns (`header`: the header row); renders
    /// first into `out` if `ss` would have at this point.
    ///
    /// `ss` writes a row's columns up to the one after the addresses and
    /// moves on only when the next row starts: so the last row's last
    /// column never counts for the widths, and a data row's last column
    /// is its extra text, the header's the empty one after it.
    pub fn push(
        &mut self,
        out: &mut impl Write,
        enabled: &[bool; COLS],
        row: &Row,
        header: bool,
    ) -> io::Result<()> {
        self.start_row(out, enabled)?;
        // The column ss stops in: Ext for a socket, Proc for the header.
        let stop = if header { Col::Proc } else { Col::Ext } as usize;
        for i in 0..=stop {
            if !enabled.get(i).copied().unwrap_or(false) {
                continue;
            }
            let text = row.field(i);
            let text = text.get(..text.len().min(TOKEN_MAX)).unwrap_or_default();
            self.append(text.len(), row.written(i) || !text.is_empty());
            if i == stop {
                self.pending_last = Some((i, text.len()));
            } else {
                self.flush(text.len());
                self.count(i, text.len());
            }
            self.data.extend_from_slice(text);
            self.lens
                .push(u16::try_from(text.len()).unwrap_or(u16::MAX));
        }
        Ok(())
    }

    fn count(&mut self, col: usize, len: usize) {
        if let Some(m) = self.max_len.get_mut(col) {
            *m = (*m).max(len);
        }
    }

    /// What `ss` does when the next row begins: it flushes the columns
    /// from the one it stopped in to the last (empty, for a socket's row)
    /// one, and renders at the last one if five chunks are in use.
    fn start_row(&mut self, out: &mut impl Write, enabled: &[bool; COLS]) -> io::Result<()> {
        let Some((col, len)) = self.pending_last.take() else {
            return Ok(());
        };
        let last = COLS - 1;
        if col < last {
            self.flush(len);
            self.count(col, len);
            // The empty last column: a token ss never writes to.
            self.append(0, false);
            self.lens.push(0);
        }
        if self.chunks >= CHUNKS_MAX {
            return self.render(out, enabled);
        }
        self.flush(0);
        Ok(())
    }

    /// Writes what is buffered, sized as `ss` sizes it when its output is
    /// not a terminal, and starts over (the widths are remembered).
    pub fn render(&mut self, out: &mut impl Write, enabled: &[bool; COLS]) -> io::Result<()> {
        self.pending_last = None;
        if self.lens.is_empty() {
            return Ok(());
        }
        let mut widths = [0usize; COLS];
        let mut first = true;
        for (i, &(_, _, delim)) in COLUMNS.iter().enumerate() {
            if !enabled.get(i).copied().unwrap_or(false) {
                continue;
            }
            let m = self.max_len.get(i).copied().unwrap_or(0);
            let w = if !first && m > 0 { m + delim.len() } else { m };
            if let Some(slot) = widths.get_mut(i) {
                *slot = w;
            }
            if w > 0 {
                first = false;
            }
        }
        let mut first_col = enabled
            .iter()
            .zip(widths.iter())
            .position(|(&e, &w)| e && w > 0);
        let per_row = enabled.iter().filter(|&&e| e).count().max(1);
        let cols: Vec<usize> = (0..COLS)
            .filter(|&i| enabled.get(i).copied().unwrap_or(false))
            .collect();
        let mut at = 0usize;
        for lens in self.lens.chunks(per_row) {
            let mut texts: [&[u8]; COLS] = [&[]; COLS];
            for (&len, &i) in lens.iter().zip(cols.iter()) {
                let len = usize::from(len);
                if let Some(slot) = texts.get_mut(i) {
                    *slot = self.data.get(at..at + len).unwrap_or_default();
                }
                at += len;
            }
            render_row(out, enabled, &widths, &mut first_col, false, |i| {
                texts.get(i).copied().unwrap_or_default()
            })?;
            out.write_all(b"\n")?;
        }
        self.data.clear();
        self.lens.clear();
        self.chunks = 0;
        self.used = None;
        self.token_start = 0;
        Ok(())
    }
}
