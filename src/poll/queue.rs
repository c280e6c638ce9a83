//! A queue between the caller's thread and a scan worker: a mutex, a
//! condition variable and a ring with room for what can be in flight, so
//! that handing a buffer over never allocates (std's channels allocate
//! the first time a thread waits on one).

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex, MutexGuard};

/// What a queue holds, and whether it was closed.
#[derive(Debug)]
struct State<T> {
    items: VecDeque<T>,
    closed: bool,
}

/// A blocking FIFO shared by two threads (behind an `Arc`).
#[derive(Debug)]
pub(crate) struct Queue<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

impl<T> Queue<T> {
    /// A queue with room for `room` items before it would grow.
    pub(crate) fn new(room: usize) -> Self {
        Queue {
            state: Mutex::new(State {
                items: VecDeque::with_capacity(room),
                closed: false,
            }),
            ready: Condvar::new(),
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
        drop(s);
        self.ready.notify_one();
        Ok(())
    }

    /// The next item, waiting for one; `None` once the queue is closed
    /// and empty.
    pub(crate) fn pop(&self) -> Option<T> {
        let mut s = self.lock();
        loop {
            if let Some(item) = s.items.pop_front() {
                return Some(item);
            }
            if s.closed {
                return None;
            }
            s = self.ready.wait(s).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// The next item if there is one: `Ok(None)` if none is queued,
    /// `Err(())` once the queue is closed and empty.
    pub(crate) fn try_pop(&self) -> Result<Option<T>, ()> {
        let mut s = self.lock();
        match s.items.pop_front() {
            Some(item) => Ok(Some(item)),
            None if s.closed => Err(()),
            None => Ok(None),
        }
    }

    /// Refuses further items and wakes every waiter; what is queued can
    /// still be taken.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
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
