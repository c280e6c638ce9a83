//! `-s`: counts by protocol, family and state.

use std::io::{self, Write};
use std::time::Duration;

use super::{Counts, Sink};
use crate::view::{ss_state, Sock};

/// `-s`: counts by protocol, family and state.
pub struct SummaryOut<W: Write> {
    pub out: W,
    pub counts: Counts,
    pub json: bool,
}

impl<W: Write> Sink for SummaryOut<W> {
    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()> {
        self.counts.add(s);
        Ok(())
    }

    fn finish(&mut self, _elapsed: Duration) -> io::Result<()> {
        let json = self.json;
        let rows = self.counts.sorted();
        let w = &mut self.out;
        let total: u64 = rows.iter().map(|(_, n)| n).sum();
        if json {
            for ((netid, family, state), n) in rows {
                writeln!(
                    w,
                    "{{\"protocol\":\"{netid}\",\"family\":\"{family}\",\"state\":\"{}\",\"count\":{n}}}",
                    state.name()
                )?;
            }
            return w.flush();
        }
        writeln!(w, "Total: {total}")?;
        let mut i = 0;
        while let Some(((netid, family, _), _)) = rows.get(i) {
            let group: Vec<_> = rows
                .iter()
                .skip(i)
                .take_while(|((n, f, _), _)| n == netid && f == family)
                .collect();
            let sum: u64 = group.iter().map(|(_, n)| n).sum();
            write!(w, "{netid:<7} {family:<7} {sum:>8} ")?;
            for (k, ((_, _, state), n)) in group.iter().enumerate() {
                write!(
                    w,
                    "{}{} {n}",
                    if k == 0 { "(" } else { ", " },
                    ss_state(*state)
                )?;
            }
            writeln!(w, ")")?;
            i += group.len();
        }
        w.flush()
    }
}
