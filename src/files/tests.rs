#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use std::net::{IpAddr, SocketAddr};

use super::*;

#[test]
fn services_answer_like_getservbyport_and_getservbyname() {
    let s = Services::parse(
        "# comment\n\
         ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n\
         domain\t\t53/tcp\n\
         domain\t\t53/udp\n\
         http\t\t80/tcp\t\twww\n\
         bogus line\n\
         toobig 70000/tcp\n\
         noproto 9/\n\
         www-alt 80/tcp\n",
    );
    assert_eq!(s.len(), 5);
    assert_eq!(s.name_of(22, "tcp"), Some("ssh"));
    assert_eq!(s.name_of(22, "udp"), None);
    assert_eq!(s.name_of(53, "udp"), Some("domain"));
    // The file's first entry for the port.
    assert_eq!(s.name_of(80, "tcp"), Some("http"));
    assert_eq!(s.port_of("www", "tcp"), Some(80));
    assert_eq!(s.port_of("www-alt", "tcp"), Some(80));
    assert_eq!(s.port_of("ssh", "udp"), None);
    assert_eq!(s.name_of(9, "tcp"), None);
    assert!(Services::parse("").is_empty());
    let p = Protocols::parse("ip\t0\tIP\t# pseudo\nhopopt 0 HOPOPT\nicmp 1 ICMP\nbad x\n");
    assert_eq!(p.name_of(0), Some("ip"));
    assert_eq!(p.name_of(1), Some("icmp"));
    assert_eq!(p.name_of(2), None);
}

#[test]
fn hosts_answer_like_the_files_backend() {
    let h = Hosts::parse(
        "127.0.0.1 localhost\n\
         127.0.0.1 runsc vm\n\
         ::1 localhost ip6-localhost # loopback\n\
         10.0.0.1\n\
         not-an-address name\n\
         10.0.0.2 Alpha.example alpha\n",
    );
    assert_eq!(h.len(), 4);
    let lo4: IpAddr = "127.0.0.1".parse().unwrap();
    let lo6: IpAddr = "::1".parse().unwrap();
    assert_eq!(h.addresses_of("localhost"), vec![lo4, lo6]);
    assert_eq!(h.addresses_of("LOCALHOST"), vec![lo4, lo6]);
    assert_eq!(h.addresses_of("vm"), vec![lo4]);
    assert_eq!(h.addresses_of("alpha.EXAMPLE").len(), 1);
    assert_eq!(h.name_of(lo4), Some("localhost"));
    assert_eq!(h.name_of(lo6), Some("localhost"));
    assert_eq!(h.name_of("10.0.0.1".parse().unwrap()), None);
    assert!(h.addresses_of("nope").is_empty());
}

#[test]
fn proc_tables_read_as_the_kernel_writes_them() {
    // The words of the address are in host byte order.
    let lo = u32::from_ne_bytes([127, 0, 0, 1]);
    let v4 = format!(
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
         \x20  1: {lo:08X}:0001 00000000:0000 07 00000002:00000010 00:00000000 00000000     0        0 7201917 2 0000000000000000 5\n"
    );
    let rows: Vec<_> = proc_sockets(&v4, false).collect();
    assert_eq!(rows.len(), 1);
    let r = rows[0].as_ref().unwrap();
    assert_eq!(r.local, "127.0.0.1:1".parse::<SocketAddr>().unwrap());
    assert_eq!(r.remote, "0.0.0.0:0".parse::<SocketAddr>().unwrap());
    assert_eq!((r.state, r.tx_queue, r.rx_queue), (7, 2, 16));
    assert_eq!((r.uid, r.inode), (0, 7_201_917));
    assert_eq!(r.rest, "2 0000000000000000 5");

    let w = |b: [u8; 4]| format!("{:08X}", u32::from_ne_bytes(b));
    let addr6 = format!("{}{}{}{}", w([0; 4]), w([0; 4]), w([0; 4]), w([0, 0, 0, 1]));
    let v6 = format!(
        "header\n   0: {addr6}:0016 {}:0000 0A 00000000:00000000 02:000003E8 00000001  1000        0 42 1 ffff 100 0 0 10 0\n",
        "0".repeat(32)
    );
    let r = proc_sockets(&v6, true).next().unwrap().unwrap();
    assert_eq!(r.local, "[::1]:22".parse::<SocketAddr>().unwrap());
    assert_eq!(
        (r.state, r.timer, r.expires, r.retransmits),
        (10, 2, 1000, 1)
    );
    assert_eq!((r.uid, r.inode), (1000, 42));

    for (bad, field) in [
        (
            "h\n 0: 0100007F 00000000:0000 07 0:0 0:0 0 0 0 1",
            "address",
        ),
        (
            "h\n 0: 0100007F:0001 00000000:0000 ZZ 0:0 0:0 0 0 0 1",
            "state",
        ),
        (
            "h\n 0: 0100007F:0001 00000000:0000 07 0:0 0:0 0 x 0 1",
            "uid",
        ),
        (
            "h\n 0: 0100007F:0001 00000000:0000 07 0:0 0:0 0 0 0",
            "inode",
        ),
        ("h\n no slot here", "slot"),
    ] {
        let e = proc_sockets(bad, false).next().unwrap().unwrap_err();
        assert_eq!((e.line, e.field), (2, field), "{bad:?}: {e}");
    }
    // A v4 line read as v6 is an error, not a wrong address.
    assert!(proc_sockets(&v4, true).next().unwrap().is_err());
}

#[test]
fn protocols_are_the_first_column() {
    let text = "protocol  size sockets  memory press maxhdr  slab module     cl co di ac io in de sh ss gs se re sp bi br ha uh gp em\n\
                AF_VSOCK  1280      0      -1   NI       0   no   vsock      n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n  n\n\
                TCP       2560      3      17   no     320   yes  kernel     y  y  y  y  y  y  y  y  y  y  y  y  y  n  y  y  y  y  y\n";
    assert_eq!(protocols(text).collect::<Vec<_>>(), ["AF_VSOCK", "TCP"]);
}

#[test]
fn sockstat_reads_every_counter_ss_prints() {
    let s = SockStat::parse(
        "sockets: used 281\nTCP: inuse 10 orphan 1 tw 3 alloc 12 mem 7\nUDP: inuse 2 mem 2\nUDPLITE: inuse 0\nRAW: inuse 1\nFRAG: inuse 4 memory 5\n",
        "TCP6: inuse 2\nUDP6: inuse 6\nUDPLITE6: inuse 0\nRAW6: inuse 8\nFRAG6: inuse 9 memory 10\n",
        "Ip: Forwarding DefaultTTL\nIp: 1 64\nTcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens CurrEstab\nTcp: 1 200 120000 -1 63 11\n",
    )
    .unwrap();
    assert_eq!(
        (
            s.sockets_used,
            s.tcp_inuse,
            s.tcp_orphan,
            s.tcp_tw,
            s.tcp_alloc,
            s.tcp_mem
        ),
        (281, 10, 1, 3, 12, 7)
    );
    assert_eq!(
        (s.udp_inuse, s.raw_inuse, s.frag_inuse, s.frag_memory),
        (2, 1, 4, 5)
    );
    assert_eq!(
        (
            s.tcp6_inuse,
            s.udp6_inuse,
            s.raw6_inuse,
            s.frag6_inuse,
            s.frag6_memory
        ),
        (2, 6, 8, 9, 10)
    );
    assert_eq!(s.tcp_curr_estab, 11);
    let e = SockStat::parse("TCP: inuse x\n", "", "").unwrap_err();
    assert_eq!((e.line, e.field, e.text.as_str()), (1, "counter", "x"));
    // Unknown lines and counters are skipped; no snmp is 0.
    let s = SockStat::parse("NEW: thing 1\nTCP: inuse 1 newcounter 5\n", "", "").unwrap();
    assert_eq!((s.tcp_inuse, s.tcp_curr_estab), (1, 0));
}
