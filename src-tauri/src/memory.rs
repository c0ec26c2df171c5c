//! Giving freed memory back to the system once a conversation is done with.
//!
//! glibc's allocator keeps what a busy spell freed (a burst of patrons, a long conversation read
//! back) in its arenas, one per thread that allocated, and returns little of it by itself: the
//! desk's process then stays as large as its busiest moment. Closing a tab or a chat is the
//! librarian saying that conversation's data is done with, so the free memory is handed back then.

/// Returns free heap memory to the system (glibc on Linux; elsewhere the allocator does its own).
pub fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // Off the caller's thread: it walks every arena, a few milliseconds on a large heap.
        std::thread::spawn(|| {
            // SAFETY: malloc_trim takes no pointers and is safe to call from any thread at any time.
            unsafe { libc::malloc_trim(0) };
        });
    }
}
