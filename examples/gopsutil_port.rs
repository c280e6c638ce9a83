//! A gopsutil snippet, ported line by line through `sockdiag::compat`
//! (the Go original is in the `compat` module's docs).
use sockdiag::compat::{inet_connections, Family, Protocol, TcpState};

fn main() -> Result<(), sockdiag::Error> {
    let conns = inet_connections(Family::Inet, Protocol::Tcp)?;
    for c in &conns {
        if c.state == TcpState::Established {
            println!(
                "{}:{} -> {}:{} uid={} inode={} hash={:x}",
                c.src_ip(),
                c.src_port(),
                c.dst_ip(),
                c.dst_port(),
                c.uid,
                c.inode,
                c.fast_hash()
            );
        }
    }
    Ok(())
}
