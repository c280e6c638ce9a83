//! A queue between the caller's thread and a scan worker: a mutex, a
//! condition variable and a ring with room for what can be in flight, so
//! that handing a buffer over never allocates (std's channels allocate
//! the first time a thread waits on one).
//!
//! A datagram arrives every few tens of microseconds; a thread that went
//! to sleep for each would pay a wake-up (a futex call, often a
//! cross-CPU interrupt) per datagram, which costs more than the overlap
//! gains when the other side's work is small. So a waiting thread first
//! spins briefly ([`SPIN`]) on a counter, and a pushing thread wakes
//! only a thread that is asleep.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a waiting thread spins before it sleeps: about the time the
/// kernel takes to fill one dump datagram.
const SPIN: Duration = Duration::from_micros(50);

/// What a queue holds, whether it was closed, and how many threads sleep
/// on it.
#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
    sleeping: usize,
}

/// A blocking FIFO shared by two threads (behind an `Arc`).
#[derive(Debug)]
pub(crate) struct Queue<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
    /// Items queued plus 1 once closed: what a spinning thread watches.
    news: AtomicUsize,
}

impl<T> Queue<T> {
    /// A queue with room for `room` items before it would grow.
    pub(crate) fn new(room: usize) -> Self {
        Queue {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(room),
                closed: false,
                sleeping: 0,
            }),
            ready: Condvar::new(),
            news: AtomicUsize::new(0),
        }
    }

    /// The state, whether or not a thread panicked while holding it (the
    /// queue's own operations cannot leave it half done).
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds `item`; gives it back if the queue is closed.
    pub(crate) fn push(&self, item: T) -> Result<(), T> {
        let mut s = self.lock();
        if s.closed {
            return Err(item);
        }
        s.items.push_back(item);
        self.news.fetch_add(1, Ordering::Release);
        let wake = s.sleeping > 0;
        drop(s);
        if wake {
            self.ready.notify_one();
        }
        Ok(())
    }

    /// Spins until something is queued (or the queue closed), for at most
    /// [`SPIN`].
    fn spin(&self) {
        let start = Instant::now();
        loop {
            for _ in 0..64 {
                if self.news.load(Ordering::Acquire) > 0 {
                    return;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= SPIN {
                return;
            }
        }
    }

    /// The next item, waiting for one; `None` once the queue is closed
    /// and empty.
    pub(crate) fn pop(&self) -> Option<T> {
        self.spin();
        let mut s = self.lock();
        loop {
            if let Some(item) = s.items.pop_front() {
                self.news.fetch_sub(1, Ordering::Release);
                return Some(item);
            }
            if s.closed {
                return None;
            }
            s.sleeping += 1;
            s = self.ready.wait(s).unwrap_or_else(|p| p.into_inner());
            s.sleeping -= 1;
        }
    }

    /// The next item if there is one: `Ok(None)` if none is queued,
    /// `Err(())` once the queue is closed and empty.
    pub(crate) fn try_pop(&self) -> Result<Option<T>, ()> {
        let mut s = self.lock();
        match s.items.pop_front() {
            Some(item) => {
                self.news.fetch_sub(1, Ordering::Release);
                Ok(Some(item))
            }
            None if s.closed => Err(()),
            None => Ok(None),
        }
    }

    /// Refuses further items and wakes every waiter; what is queued can
    /// still be taken.
    pub(crate) fn close(&self) {
        let mut s = self.lock();
        if !s.closed {
            s.closed = true;
            self.news.fetch_add(1, Ordering::Release);
        }
        drop(s);
        self.ready.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn items_cross_in_order_and_closing_ends_the_wait() {
        let q = Arc::new(Queue::new(4));
        let producer = {
            let q = Arc::clone(&q);
            std::thread::spawn(move || {
                for i in 0..100 {
                    q.push(i).unwrap();
                }
                q.close();
            })
        };
        let got: Vec<i32> = std::iter::from_fn(|| q.pop()).collect();
        producer.join().unwrap();
        assert_eq!(got, (0..100).collect::<Vec<_>>());
        assert_eq!(q.try_pop(), Err(()));
        assert_eq!(q.push(7), Err(7));
        let q = Queue::new(1);
        assert_eq!(q.try_pop(), Ok(None));
        q.push(1).unwrap();
        q.close();
        assert_eq!(q.try_pop(), Ok(Some(1)));
        assert_eq!(q.pop(), None);
    }
}
