//! Output formats: `ss`'s table, JSON Lines, Prometheus text exposition
//! and summary counts. Every writer formats straight into the buffered
//! output; nothing is allocated per socket.

mod fmt;
mod json;
mod prom;
mod summary;
mod table;

pub use json::JsonOut;
pub use prom::PromOut;
pub use summary::SummaryOut;
pub use table::{Scratch, TableOut};

use std::io;
use std::time::Duration;

use sockdiag::inet::TcpState;
use sockdiag::procs::ProcessMap;

use crate::args::Show;
use crate::view::Sock;

/// Interface names by index, looked up once each.
#[derive(Default)]
pub struct IfNames(Vec<(u32, String)>);

impl IfNames {
    pub fn get(&mut self, index: u32) -> &str {
        let pos = match self.0.iter().position(|(i, _)| *i == index) {
            Some(pos) => pos,
            None => {
                let name = nix::net::if_::if_indextoname(index)
                    .ok()
                    .and_then(|c| c.into_string().ok())
                    .unwrap_or_else(|| index.to_string());
                self.0.push((index, name));
                self.0.len() - 1
            }
        };
        self.0.get(pos).map_or("", |(_, n)| n.as_str())
    }
}

/// Where sockets go.
pub trait Sink {
    /// One socket.
    fn sock(&mut self, s: &Sock<'_>) -> io::Result<()>;
    /// Writes out what is buffered (streams flush after each datagram).
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
    /// After the last socket: totals, flush. `elapsed` is the time the
    /// dumps took.
    fn finish(&mut self, elapsed: Duration) -> io::Result<()>;
}

/// What every writer needs besides the socket.
pub struct Context {
    pub show: Show,
    pub procs: Option<ProcessMap>,
    pub ifnames: IfNames,
}

/// Sockets counted by (netid, family, state).
#[derive(Default)]
pub struct Counts(Vec<((&'static str, &'static str, TcpState), u64)>);

impl Counts {
    pub fn add(&mut self, s: &Sock<'_>) {
        let key = (s.netid, s.family, s.state);
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += 1,
            None => self.0.push((key, 1)),
        }
    }

    pub(crate) fn sorted(&mut self) -> &[((&'static str, &'static str, TcpState), u64)] {
        self.0
            .sort_by_key(|((netid, family, state), _)| (*netid, *family, state.to_raw()));
        &self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::fmt::*;
    use super::table::endpoint;
    use super::*;
    use crate::view::Endpoint;
    use std::fmt::Write as _;
    use std::net::IpAddr;

    #[test]
    fn numbers_and_columns_like_fmt() {
        let mut edges = vec![u64::MAX, u64::MAX - 1];
        for p in 0..20 {
            let t = 10u64.pow(p);
            edges.extend([t - 1, t, t + 1, t.saturating_mul(9)]);
        }
        for v in edges.into_iter().chain(0..100_000) {
            assert_eq!(Num::new(v).as_bytes(), v.to_string().as_bytes());
        }
        let mut out = Vec::new();
        column(&mut out, b"ESTAB", 10).unwrap();
        column(&mut out, b"a-very-long-address:65535", 6).unwrap();
        assert_eq!(
            out,
            format!("{:<10} {:<6} ", "ESTAB", "a-very-long-address:65535").as_bytes()
        );
        let mut s = StackStr::new();
        let mut names = IfNames::default();
        let e = Endpoint::Ip {
            addr: IpAddr::from([10, 0, 255, 1]),
            port: 443,
            ifindex: 0,
        };
        endpoint(&mut s, &e, false, &mut names, true);
        assert_eq!(s.as_str(), "10.0.255.1:443");
        for o in 0..=255u8 {
            s.clear();
            s.push_ipv4([o, 9, 99, 100]);
            assert_eq!(s.as_str(), format!("{o}.9.99.100"));
        }
        // Text that does not fit is cut at a character boundary.
        s.clear();
        let long = "é".repeat(100);
        let _ = s.write_str("x");
        let _ = s.write_str(&long);
        assert_eq!(s.as_bytes().len(), 159);
        assert_eq!(s.as_str().len(), 159);
        assert!(s.as_str().ends_with('é'));
        let mut out = Vec::new();
        for us in [0, 1, 10, 100, 204_000, 1_500, 32, 1_230, 999_999] {
            ms(&mut out, us).unwrap();
            out.push(b' ');
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "0 0.001 0.01 0.1 204 1.5 0.032 1.23 999.999 "
        );
        let mut out = Vec::new();
        for r in [999, 1_500, 26_733_974_980 * 8, 2_520_615_384 * 8] {
            rate(&mut out, "r", r).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            " r 999bps r 1.5Kbps r 213.9Gbps r 20.2Gbps"
        );
    }
}
