//! The rule that divides the TCP sockets between two halves of a scan, as
//! a pair of [`Filter`]s (every socket passes exactly one): pure, for the
//! split scans and pollers of the host and engine layers.

use core::ops::RangeInclusive;

use super::{Cmp, Filter};

/// Divides sockets into two halves by their *ephemeral end*: the local
/// port when it lies in this host's ephemeral range
/// (`net.ipv4.ip_local_port_range`, given to [`Halves::new`]), the remote
/// port otherwise. Listeners (remote port 0) go to the first half.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Halves {
    lo: u16,
    hi: u16,
}

impl Halves {
    /// The rule for the ephemeral port range `range` (an empty range is
    /// read as Linux's default, 32768..=60999).
    pub fn new(range: RangeInclusive<u16>) -> Self {
        let (lo, hi) = if range.is_empty() {
            (32768, 60999)
        } else {
            range.into_inner()
        };
        Halves { lo, hi }
    }

    /// The two filters, dividing where `sample` — the (local port, remote
    /// port) of each socket, from an earlier scan — splits most evenly;
    /// with an empty sample, at the middle of the ephemeral range.
    pub fn filters(&self, sample: impl IntoIterator<Item = (u16, u16)>) -> [Filter; 2] {
        let (lo, hi) = (self.lo, self.hi);
        let mut keys: Vec<u16> = sample
            .into_iter()
            .map(|(local, remote)| key(lo, hi, local, remote))
            .collect();
        let a = first_half(lo, hi, balance(lo, hi, &mut keys));
        [a.clone(), !a]
    }
}

/// The port that decides a socket's half: its local port if that is
/// ephemeral (in `lo..=hi`), its remote port otherwise.
fn key(lo: u16, hi: u16, local: u16, remote: u16) -> u16 {
    if (lo..=hi).contains(&local) {
        local
    } else {
        remote
    }
}

/// The dividing port that splits `keys` most evenly: the first half takes
/// the keys at most it. The middle of `lo..=hi` if there are none.
fn balance(lo: u16, hi: u16, keys: &mut [u16]) -> u16 {
    let n = keys.len();
    if n == 0 {
        return lo + (hi - lo) / 2;
    }
    let (_, &mut median, _) = keys.select_nth_unstable(n / 2);
    // Keys equal to the median all fall on one side: end the first half
    // just below or at it, whichever leaves the halves closer to equal.
    let below = keys.iter().filter(|&&k| k < median).count();
    let upto = below + keys.iter().filter(|&&k| k == median).count();
    match median.checked_sub(1) {
        Some(before) if n.abs_diff(2 * below) < n.abs_diff(2 * upto) => before,
        _ => median,
    }
}

/// The filter of the first half: the ephemeral end is at most `mid`.
fn first_half(lo: u16, hi: u16, mid: u16) -> Filter {
    let local_ephemeral = Filter::src_port(Cmp::Ge, lo).and(Filter::src_port(Cmp::Le, mid.min(hi)));
    let outside = match (lo.checked_sub(1), hi.checked_add(1)) {
        (Some(below), Some(above)) => {
            Some(Filter::src_port(Cmp::Le, below).or(Filter::src_port(Cmp::Ge, above)))
        }
        (Some(below), None) => Some(Filter::src_port(Cmp::Le, below)),
        (None, Some(above)) => Some(Filter::src_port(Cmp::Ge, above)),
        (None, None) => None,
    };
    match outside {
        Some(o) => local_ephemeral.or(o.and(Filter::dst_port(Cmp::Le, mid))),
        None => local_ephemeral,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use crate::inet::filter::{Bytecode, Entry};
    use std::net::SocketAddr;

    const LO: u16 = 32768;
    const HI: u16 = 60999;

    /// Half 0 or 1 of a socket by the compiled first-half program, as the
    /// kernel would run it.
    fn half(program: &Bytecode, local: u16, remote: u16) -> usize {
        let entry = Entry::new(
            SocketAddr::from(([127, 0, 0, 1], local)),
            SocketAddr::from(([127, 0, 0, 1], remote)),
        );
        usize::from(!program.matches(&entry).unwrap())
    }

    #[test]
    fn the_program_is_the_key_rule() {
        let ports = [
            0,
            1,
            80,
            9000,
            LO - 1,
            LO,
            LO + 1,
            46883,
            46884,
            HI - 1,
            HI,
            HI + 1,
            65535,
        ];
        for mid in [0, 80, LO - 1, LO, 46883, HI, HI + 1, 65534, 65535] {
            let [a, b] =
                [first_half(LO, HI, mid), !first_half(LO, HI, mid)].map(|f| f.compile().unwrap());
            for &local in &ports {
                for &remote in &ports {
                    let want = usize::from(key(LO, HI, local, remote) > mid);
                    assert_eq!(half(&a, local, remote), want, "{mid} {local} {remote}");
                    // The second program is the exact complement.
                    assert_eq!(half(&b, local, remote), 1 - want);
                }
            }
        }
    }

    /// (first half, second half) of `sample` under `balanced_filters`'s
    /// rule for the range `LO..=HI`.
    fn split(sample: &[(u16, u16)]) -> (usize, usize) {
        let mut keys: Vec<u16> = sample.iter().map(|&(l, r)| key(LO, HI, l, r)).collect();
        let mid = balance(LO, HI, &mut keys);
        let program = first_half(LO, HI, mid).compile().unwrap();
        let first = sample
            .iter()
            .filter(|&&(l, r)| half(&program, l, r) == 0)
            .count();
        (first, sample.len() - first)
    }

    #[test]
    fn one_destination_splits_evenly() {
        // 1,000 connections to one listener: Linux gives them even local
        // ports in sequence from one point of the range, here just below
        // its middle; both ends of each are listed.
        let mut sample = vec![(9000, 0)];
        for i in 0..1000u16 {
            sample.push((45000 + 2 * i, 9000));
            sample.push((9000, 45000 + 2 * i));
        }
        // The middle of the range puts 94% of them in the first half.
        let mid = first_half(LO, HI, LO + (HI - LO) / 2).compile().unwrap();
        let at_mid = sample
            .iter()
            .filter(|&&(l, r)| half(&mid, l, r) == 0)
            .count();
        assert_eq!(at_mid, 1 + 2 * 942);
        let (a, b) = split(&sample);
        assert!(a.abs_diff(b) <= 1, "{a} {b}");
    }

    #[test]
    fn equal_keys_stay_in_one_half() {
        // 10 listeners (remote port 0) and 4 sockets with ephemeral ends.
        let mut sample = vec![(80, 0); 10];
        sample.extend([(40000, 80), (40002, 80), (50000, 80), (50002, 80)]);
        assert_eq!(split(&sample), (10, 4));
        // All the same: one half takes all of them.
        assert_eq!(split(&[(80, 0); 7]), (7, 0));
        assert_eq!(split(&[]), (0, 0));
        assert_eq!(split(&[(65535, 65535); 3]), (3, 0));
        assert_eq!(split(&[(LO, 1), (LO + 1, 1)]), (1, 1));
    }

    #[test]
    fn an_empty_sample_divides_at_the_middle() {
        assert_eq!(balance(LO, HI, &mut []), LO + (HI - LO) / 2);
        assert_eq!(balance(0, 65535, &mut []), 32767);
        assert_eq!(balance(5, 5, &mut []), 5);
    }
}
