//! Every TCP socket with its rtt, cwnd and bytes_acked, as JSON lines.
use std::ops::ControlFlow;

use sockdiag::inet::{Extensions, LegacyRequest};
use sockdiag::{DiagSocket, Error};

fn main() -> Result<(), Error> {
    let req = LegacyRequest::tcp().with_extensions(Extensions::INFO);
    // The callback never breaks: the dump runs to its end.
    let _ = DiagSocket::new()?.try_for_each(&req, |msg| -> Result<ControlFlow<()>, Error> {
        if let Some(info) = msg.tcp_info()? {
            let line = serde_json::json!({
                "src": msg.src(), "dst": msg.dst(), "state": msg.state().name(),
                "rtt_us": info.rtt(), "cwnd": info.snd_cwnd(), "bytes_acked": info.bytes_acked(),
            });
            println!("{line}");
        }
        Ok(ControlFlow::Continue(()))
    })?;
    Ok(())
}
