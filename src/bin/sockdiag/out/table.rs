//! `ss`'s table: each socket's row ([`ss::row`](super::ss::row)) laid out
//! either streamed at fixed widths (the default: memory stays bounded and
//! rows appear as the kernel sends them) or buffered and sized to the
//! content exactly as `ss` lays it out into a pipe (`--ss-layout`).

use std::io::{self, Write};
use std::time::Duration;

use super::row::{render_row, Col, Row, SsBuffer, ALL, COLS, COLUMNS, STREAM_WIDTHS};
use super::{ss, Context, Sink};
use crate::view::Sock;

/// How rows are laid out.
#[derive(Debug)]
pub enum Layout {
    /// Fixed widths, each row written as it comes.
    Stream,
    /// `ss`'s content-sized columns, and its order: every table's IPv4
    /// rows before its IPv6 rows.
    Ss {
        /// The buffered rows.
        buffer: Box<SsBuffer>,
        /// The IPv6 rows of the table being listed, held back.
        deferred: Vec<Row>,
        /// Rows released, kept for reuse (their buffers stay allocated).
        spare: Vec<Row>,
    },
}

/// `ss`'s table.
pub struct TableOut<W: Write> {
    out: W,
    /// The columns shown (`ss` hides Netid with one table, State with one
    /// state).
    enabled: [bool; COLS],
    /// The header is still to be written (before the first row, or at the
    /// end of a successful empty listing; never before an error).
    header: bool,
    pub cx: Context,
    layout: Layout,
    /// The row being built, reused.
    row: Row,
    /// A streamed line, reused.
    line: Vec<u8>,
}

impl<W: Write> TableOut<W> {
    /// A table with the Netid and State columns if `netid` and `state`,
    /// a header if `header`, laid out as `ss` does if `ss_layout`.
    pub fn new(
        out: W,
        cx: Context,
        netid: bool,
        state: bool,
        header: bool,
        ss_layout: bool,
    ) -> Self {
        let mut enabled = [true; COLS];
        if let Some(e) = enabled.get_mut(Col::Netid as usize) {
            *e = netid;
        }
        if let Some(e) = enabled.get_mut(Col::State as usize) {
            *e = state;
        }
        TableOut {
            out,
            enabled,
            header,
            cx,
            layout: if ss_layout {
                Layout::Ss {
                    buffer: Box::default(),
                    deferred: Vec::new(),
                    spare: Vec::new(),
                }
            } else {
                Layout::Stream
            },
            row: Row::default(),
            line: Vec::new(),
        }
    }

    /// The output.
    pub fn output(&mut self) -> &mut W {
        &mut self.out
    }

    /// Writes the header row if it is due.
    fn header(&mut self) -> io::Result<()> {
        if !std::mem::take(&mut self.header) {
            return Ok(());
        }
        self.row.clear();
        for (&col, &(_, title, _)) in ALL.iter().zip(COLUMNS.iter()).take(COLS - 1) {
            self.row.to(col);
            self.row.write_all(title.as_bytes())?;
        }
        self.row.finish();
        self.emit_row(false, true)
    }

    /// Lays out `self.row`: streamed, buffered, or held back (`ipv6`, in
    /// `ss`'s order).
    fn emit_row(&mut self, ipv6: bool, header: bool) -> io::Result<()> {
        match &mut self.layout {
            Layout::Stream => {
                self.line.clear();
                stream(&mut self.line, &self.enabled, &self.row)?;
                self.line.push(b'\n');
                self.out.write_all(&self.line)
            }
            Layout::Ss {
                deferred, spare, ..
            } if ipv6 => {
                let fresh = spare.pop().unwrap_or_default();
                deferred.push(std::mem::replace(&mut self.row, fresh));
                Ok(())
            }
            Layout::Ss { buffer, .. } => {
                buffer.push(&mut self.out, &self.enabled, &self.row, header)
            }
        }
    }

    /// The row of `s` as one streamed line, without its newline (the
    /// watch's change lines).
    pub fn line(&mut self, s: &Sock<'_>) -> io::Result<()> {
        ss::row(&mut self.row, s, &mut self.cx)?;
        self.line.clear();
        stream(&mut self.line, &self.enabled, &self.row)?;
        self.out.write_all(&self.line)
    }

    /// The held-back IPv6 rows, into the buffer.
    fn release(&mut self) -> io::Result<()> {
        if let Layout::Ss {
            buffer,
            deferred,
            spare,
        } = &mut self.layout
        {
            for row in deferred.drain(..) {
                buffer.push(&mut self.out, &self.enabled, &row, false)?;
                spare.push(row);
            }
        }
        Ok(())
    }
}

/// One row at the fixed widths, nothing after its last text.
fn stream(line: &mut Vec<u8>, enabled: &[bool; COLS], row: &Row) -> io::Result<()> {
    let mut first = None;
    render_row(line, enabled, &STREAM_WIDTHS, &mut first, true, |i| {
        row.field(i)
    })
}

impl<W: Write> Sink for TableOut<W> {
    fn flush(&mut self) -> io::Result<()> {
        if matches!(self.layout, Layout::Stream) {
            self.out.flush()?;
        }
        Ok(())
    }

    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        self.header()?;
        ss::row(&mut self.row, s, &mut self.cx)?;
        let ipv6 = s.family == "inet6";
        self.emit_row(ipv6, false)
    }

    fn table_done(&mut self) -> io::Result<()> {
        self.release()
    }

    fn finish(&mut self, _elapsed: Duration) -> io::Result<()> {
        self.header()?;
        self.release()?;
        if let Layout::Ss { buffer, .. } = &mut self.layout {
            buffer.render(&mut self.out, &self.enabled)?;
        }
        self.out.flush()
    }
}
