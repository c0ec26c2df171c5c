//! Loopback helpers: free ports and waiting for a listener.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A port that was free a moment ago on 127.0.0.1 (the OS picks; a tiny race is accepted).
pub fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `N` distinct ports that were free a moment ago: all are held while they are picked, since the
/// OS may hand out a port it has just taken back (one server got the same port for two services).
pub fn free_ports<const N: usize>() -> std::io::Result<[u16; N]> {
    let listeners = (0..N).map(|_| TcpListener::bind("127.0.0.1:0")).collect::<std::io::Result<Vec<_>>>()?;
    let mut ports = [0; N];
    for (port, listener) in ports.iter_mut().zip(&listeners) {
        *port = listener.local_addr()?.port();
    }
    Ok(ports)
}

/// Waits until something accepts on `127.0.0.1:port`, or `alive()` says the server died.
pub fn wait_for_port(port: u16, timeout: Duration, mut alive: impl FnMut() -> bool) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            return true;
        }
        if !alive() {
            return false;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn ports_picked_together_are_distinct() {
        for _ in 0..50 {
            let [a, b, c] = super::free_ports::<3>().unwrap();
            assert!(a != b && b != c && a != c, "{a} {b} {c}");
        }
    }
}
