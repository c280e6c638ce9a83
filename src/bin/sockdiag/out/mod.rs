//! Output formats: `ss`'s table, JSON Lines, Prometheus text exposition
//! and summary counts. Every writer formats straight into the buffered
//! output; nothing is allocated per socket.

pub mod exposition;
mod fmt;
mod json;
mod prom;
mod row;
mod ss;
pub mod summary;
mod table;

pub use json::JsonOut;
pub use prom::PromOut;
pub use ss::Names;
pub use summary::SummaryOut;
pub use table::TableOut;

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
    /// After each table's dumps (`ss` prints a table's IPv4 sockets
    /// before its IPv6 ones).
    fn table_done(&mut self) -> io::Result<()> {
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
    /// Services, hosts, cgroups and the like, looked up as needed.
    pub names: Names,
    /// The inode of the last SCTP socket listed: its associations follow
    /// it (`ss` prints them as `` `- STATE`` rows).
    pub last_sctp_inode: Option<u32>,
}

impl Context {
    /// What `show` needs, nothing looked up yet.
    pub fn new(show: Show, procs: Option<ProcessMap>, names: Names) -> Context {
        Context {
            show,
            procs,
            ifnames: IfNames::default(),
            names,
            last_sctp_inode: None,
        }
    }
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
    use super::row::{render_row, Col, Row, COLS};
    use super::*;
    use crate::view::{Endpoint, Extras};
    use std::fmt::Write as _;
    use std::io::Write as _;
    use std::net::IpAddr;

    fn text(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> String {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

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
        // Columns: left-aligned text padded to its width, the address
        // right-aligned, as ss's render writes them.
        let mut row = Row::default();
        row.to(Col::State);
        row.write_all(b"ESTAB").unwrap();
        row.to(Col::Addr);
        row.write_all(b"a-very-long-address:").unwrap();
        row.to(Col::Serv);
        row.write_all(b"65535").unwrap();
        row.finish();
        let mut enabled = [true; COLS];
        enabled[Col::Netid as usize] = false;
        let mut widths = [0; COLS];
        widths[Col::State as usize] = 11;
        widths[Col::Addr as usize] = 6;
        let line = text(|w| render_row(w, &enabled, &widths, &mut None, false, |i| row.field(i)));
        // (Empty columns still get their delimiter, as in ss.)
        assert_eq!(
            line,
            format!("{:<11}   a-very-long-address:65535 ", "ESTAB")
        );
        // An inet socket's address and port columns.
        let e = |port| Endpoint::Ip {
            addr: IpAddr::from([10, 0, 255, 1]),
            port,
            ifindex: 0,
        };
        let sock = crate::view::Sock {
            netid: "tcp",
            family: "inet",
            protocol: Some("tcp"),
            state: sockdiag::inet::TcpState::Established,
            raw_state: 1,
            rq: 0,
            wq: 0,
            local: e(443),
            peer: e(0),
            inode: 0,
            uid: None,
            cookie: 1,
            timer: None,
            x: Extras::default(),
        };
        let show = crate::args::Show {
            numeric: true,
            ..Default::default()
        };
        let mut cx = Context::new(show, None, Names::default());
        super::ss::row(&mut row, &sock, &mut cx).unwrap();
        let cols = |a: Col, b: Col| {
            let mut v = row.field(a as usize).to_vec();
            v.extend_from_slice(row.field(b as usize));
            String::from_utf8(v).unwrap()
        };
        assert_eq!(cols(Col::Addr, Col::Serv), "10.0.255.1:443");
        assert_eq!(cols(Col::RAddr, Col::RServ), "10.0.255.1:*");
        let mut s = StackStr::new();
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
        // Milliseconds from microseconds, as ss's %g prints them.
        let ms = text(|w| {
            for us in [0u32, 1, 10, 100, 204_000, 1_500, 32, 1_230, 999_999] {
                g(w, f64::from(us) / 1000.0, 6)?;
                w.push(b' ');
            }
            Ok(())
        });
        assert_eq!(ms, "0 0.001 0.01 0.1 204 1.5 0.032 1.23 999.999 ");
        // Rates as ss's sprint_bw: %.3g with a unit, %.0f with -n.
        let rates = text(|w| {
            for r in [
                999.0,
                1_500.0,
                26_733_974_980.0 * 8.0,
                2_520_615_384.0 * 8.0,
            ] {
                w.push(b' ');
                bw(w, r, false)?;
            }
            w.push(b' ');
            bw(w, 2_497_228_785_112.0, true)
        });
        assert_eq!(rates, " 999 1.5k 214G 20.2G 2497228785112");
    }

    #[test]
    fn every_column_is_at_its_index() {
        for (i, c) in super::row::ALL.iter().enumerate() {
            assert_eq!(*c as usize, i);
        }
    }

    #[test]
    fn percent_g_is_c_s() {
        let cases: &[(f64, usize, &str)] = &[
            (0.0, 6, "0"),
            (1.0, 6, "1"),
            (0.0001, 6, "0.0001"),
            (0.00001, 6, "1e-05"),
            (123456.0, 6, "123456"),
            (1234567.0, 6, "1.23457e+06"),
            (1234.567, 6, "1234.57"),
            (0.5, 6, "0.5"),
            (999.9996, 6, "1000"),
            (9.9996e5, 6, "999960"),
            (999999.5, 6, "1e+06"),
            (2.5, 3, "2.5"),
            (213.9, 3, "214"),
            (1.0e12, 3, "1e+12"),
            (-1.5, 6, "-1.5"),
            (f64::INFINITY, 6, "inf"),
        ];
        for &(v, p, want) in cases {
            assert_eq!(text(|w| g(w, v, p)), want, "%.{p}g of {v}");
        }
        // BBR's gains, from integers, as %g of the double.
        for n in (0..70_000u32).chain([u32::MAX, 1 << 30]) {
            assert_eq!(
                text(|w| g_256(w, n)),
                text(|w| g(w, f64::from(n) / 256.0, 6)),
                "{n}/256"
            );
        }
        assert_eq!(format!("{}", AltHex(0)), "0");
        assert_eq!(format!("{}", AltHex(16)), "0x10");
    }
}
