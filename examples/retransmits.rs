//! Every 100 ms, the TCP connections whose total_retrans grew.
use sockdiag::inet::{LegacyRequest, TcpField::TotalRetrans};
use sockdiag::poll::{Change, Poller};

fn main() -> Result<(), sockdiag::Error> {
    let mut poller = Poller::new(LegacyRequest::tcp())?.track(&[TotalRetrans])?;
    poller.prime()?;
    loop {
        poller.poll(|change| {
            if let Change::Changed {
                msg, before, now, ..
            } = change
            {
                let (was, is) = (before.counter(TotalRetrans), now.counter(TotalRetrans));
                if is > was {
                    println!("{msg}: total_retrans {was:?} -> {is:?}");
                }
            }
        })?;
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}
