//! The exporter's bookkeeping on hand-made sockets.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use super::metrics::{Aggregates, Counters, Extra, Health, Port, Totals};
use super::*;

/// A TCP socket of `state` on `port` of 127.0.0.1, with queues.
fn tcp(state: TcpState, port: u16, peer: u16) -> Sock<'static> {
    Sock {
        rq: 3,
        wq: 128,
        inode: 1,
        uid: Some(0),
        cookie: 1,
        ..crate::view::tcp_for_tests(state, port, peer)
    }
}

#[test]
fn counters_never_go_down() {
    let a = Totals {
        retrans: 5,
        acked: 1000,
        received: 10,
    };
    let b = Totals {
        retrans: 3,
        acked: 1500,
        received: 10,
    };
    // A value that went back (a reused cookie, a reset) adds nothing.
    assert_eq!(
        b.since(a),
        Totals {
            retrans: 0,
            acked: 500,
            received: 0
        }
    );
    let mut c = Counters::default();
    c.opened(1, "tcp");
    c.add(1, "tcp", b.since(a));
    c.add(1, "tcp", a.since(b));
    c.closed(1, "tcp");
    let got = c.get(1, "tcp");
    assert_eq!((got.opened, got.closed), (1, 1));
    assert_eq!(
        got.totals,
        Totals {
            retrans: 2,
            acked: 500,
            received: 0
        }
    );
    c.forget(1);
    assert_eq!(c.get(1, "tcp").opened, 0);
}

#[test]
fn the_cap_drops_series_and_counts_them() {
    let mut a = Aggregates::new(2);
    let mut bump = |ns| a.socket(ns, &tcp(TcpState::Listen, 80, 0), Extra::default());
    bump(1);
    bump(2);
    bump(3);
    bump(1);
    assert_eq!(a.sockets.len(), 2);
    let dropped = a.take_dropped();
    assert_eq!(dropped.get("sockdiag_sockets"), Some(&1));
    let mut h = Health::default();
    h.dropped(dropped);
    let text = metrics::render(Format::Text, &a, &Counters::default(), &h, &[(1, "a")]);
    assert!(
        text.contains("sockdiag_series_dropped_total{metric=\"sockdiag_sockets\"} 1\n"),
        "{text}"
    );
}

#[test]
fn connections_count_by_listening_port_and_chosen_ports() {
    let mut a = Aggregates::new(100);
    a.socket(1, &tcp(TcpState::Listen, 80, 0), Extra::default());
    for peer in [40000, 40001] {
        a.socket(1, &tcp(TcpState::Established, 80, peer), Extra::default());
    }
    // A client to a remote 5432, and one to elsewhere.
    a.socket(
        1,
        &tcp(TcpState::Established, 50000, 5432),
        Extra::default(),
    );
    a.socket(1, &tcp(TcpState::TimeWait, 50001, 443), Extra::default());
    a.finish_namespace(1, &[5432, 80]);
    let by = |port, state| a.by_port_of(1, "tcp", port, state);
    assert_eq!(by(Port::Listened(80), "ESTABLISHED"), Some(2));
    assert_eq!(by(Port::Other, "ESTABLISHED"), Some(1));
    assert_eq!(by(Port::Other, "TIME_WAIT"), Some(1));
    let chosen = |port, end, state| a.port_connections_of(1, "tcp", port, end, state);
    assert_eq!(chosen(80, "local", "ESTABLISHED"), Some(2));
    assert_eq!(chosen(5432, "remote", "ESTABLISHED"), Some(1));
    assert_eq!(chosen(443, "remote", "TIME_WAIT"), None);
    assert_eq!(a.listeners.len(), 1);
    assert_eq!((a.listeners[0].queue, a.listeners[0].backlog), (3, 128));
    let text = metrics::render(
        Format::OpenMetrics,
        &a,
        &Counters::default(),
        &Health::default(),
        &[(1, "n")],
    );
    assert!(text.contains("sockdiag_listen_backlog{netns=\"n\",protocol=\"tcp\",family=\"inet\",addr=\"127.0.0.1\",port=\"80\"} 128\n"), "{text}");
    assert!(
        text.contains("sockdiag_tcp_rtt_seconds_gcount{netns=\"n\"} 0\n"),
        "{text}"
    );
}

#[test]
fn peer_networks_are_masked() {
    assert_eq!(network("10.1.2.3".parse().unwrap(), 24, 64), "10.1.2.0/24");
    assert_eq!(network("10.1.2.3".parse().unwrap(), 0, 64), "0.0.0.0/0");
    assert_eq!(network("10.1.2.3".parse().unwrap(), 32, 64), "10.1.2.3/32");
    assert_eq!(
        network("2001:db8:1:2::5".parse().unwrap(), 24, 48),
        "2001:db8:1::/48"
    );
    assert_eq!(
        network("2001:db8::5".parse().unwrap(), 24, 128),
        "2001:db8::5/128"
    );
}
