//! Giving freed memory back to the system once a conversation is done with.
//!
//! glibc's allocator keeps what a busy spell freed (a burst of patrons, a long conversation read
//! back) in its arenas, one per thread that allocated, and returns little of it by itself: the
//! desk's process then stays as large as its busiest moment. Closing a tab or a chat is the
//! librarian saying that conversation's data is done with, so the free memory is handed back then.

/// Asks for free heap memory to go back to the system (glibc on Linux; elsewhere the allocator
/// does its own). Returns at once: one long-lived thread does the work, once per burst of asks.
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    trimmer::ask();
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod trimmer {
    use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
    use std::sync::OnceLock;
    use std::time::Duration;

    // Closing fifty tabs at the end of a shift asks fifty times in a few seconds; one trim after
    // the last is enough.
    const SETTLE: Duration = Duration::from_millis(500);

    static ASKS: OnceLock<Option<SyncSender<()>>> = OnceLock::new();

    pub fn ask() {
        let asks = ASKS.get_or_init(|| {
            let (tx, rx) = sync_channel(1);
            let started = std::thread::Builder::new()
                .name("give-back".into())
                // It only waits and calls malloc_trim: a small stack is plenty.
                .stack_size(64 * 1024)
                .spawn(move || run(rx));
            match started {
                Ok(_) => Some(tx),
                Err(e) => {
                    tracing::warn!("freed memory stays with the process: cannot start its thread: {e}");
                    None
                }
            }
        });
        if let Some(tx) = asks {
            // Full means a trim is already due; disconnected cannot happen while the thread lives.
            if let Err(TrySendError::Disconnected(())) = tx.try_send(()) {
                tracing::warn!("freed memory stays with the process: its thread has ended");
            }
        }
    }

    fn run(asks: Receiver<()>) {
        while asks.recv().is_ok() {
            // Let a burst of asks finish, then trim once for all of them.
            while asks.recv_timeout(SETTLE).is_ok() {}
            // SAFETY: malloc_trim takes no pointers and is safe to call from any thread at any time.
            unsafe { libc::malloc_trim(0) };
        }
    }
}
