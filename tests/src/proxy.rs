//! A TCP proxy on loopback that breaks links on command: the network faults a desk meets (Wi-Fi
//! dropping, a laptop lid closing) without touching the server or the client.

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct Proxy {
    pub port: u16,
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    /// Both sockets of every link still open.
    links: Mutex<Vec<(TcpStream, TcpStream)>>,
    /// Bytes read are held back instead of forwarded (a link that went quiet without closing).
    silent: AtomicBool,
    /// Bumped by each cut: bytes held under an older generation are thrown away, as a dead link would.
    generation: AtomicUsize,
    accepted: AtomicUsize,
    stopped: AtomicBool,
    /// Bytes go on in small pieces with pauses between (a slow, lossy link), so a reader often
    /// has half a record, half a tag.
    trickle: AtomicBool,
    /// New connections are closed at once (the server's network is down).
    refusing: AtomicBool,
}

impl Proxy {
    /// Forwards connections made to `127.0.0.1:<port>` (a free port) to `127.0.0.1:<target>`.
    pub fn start(target: u16) -> std::io::Result<Proxy> {
        Proxy::start_on(0, target)
    }

    /// As `start`, listening on `listen` (e.g. the standard XMPP port, for clients that cannot be
    /// told another one).
    pub fn start_on(listen: u16, target: u16) -> std::io::Result<Proxy> {
        let listener = TcpListener::bind(("127.0.0.1", listen))?;
        let port = listener.local_addr()?.port();
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        std::thread::spawn(move || {
            for client in listener.incoming() {
                if s.stopped.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(client) = client else { continue };
                if s.refusing.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], target))) else {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                };
                let _ = client.set_nodelay(true);
                let _ = server.set_nodelay(true);
                s.accepted.fetch_add(1, Ordering::SeqCst);
                if let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) {
                    s.links.lock().unwrap().push((c2, s2));
                }
                for (from, to) in [(client.try_clone(), server.try_clone()), (server.try_clone(), client.try_clone())] {
                    if let (Ok(from), Ok(to)) = (from, to) {
                        let s = s.clone();
                        std::thread::spawn(move || pump(from, to, &s));
                    }
                }
            }
        });
        Ok(Proxy { port, shared })
    }

    /// Drops every open link at once, both ways, without a word of XMPP: the client sees its
    /// connection end, the server sees the client vanish. New connections go through as before.
    pub fn cut(&self) {
        self.shared.generation.fetch_add(1, Ordering::SeqCst);
        self.shared.silent.store(false, Ordering::SeqCst);
        for (a, b) in self.shared.links.lock().unwrap().drain(..) {
            let _ = a.shutdown(Shutdown::Both);
            let _ = b.shutdown(Shutdown::Both);
        }
    }

    /// Stops forwarding on every link while keeping them open (until `cut`).
    pub fn go_silent(&self) {
        self.shared.silent.store(true, Ordering::SeqCst);
    }

    /// Forwards in small pieces with short pauses from now on (`false`: at full speed again).
    pub fn trickle(&self, on: bool) {
        self.shared.trickle.store(on, Ordering::SeqCst);
    }

    /// From now on new connections are closed at once, as if the way to the server were down
    /// (`false`: they go through again). Open links are left alone: `cut` them too for an outage.
    pub fn refuse(&self, on: bool) {
        self.shared.refusing.store(on, Ordering::SeqCst);
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }
}

fn pump(mut from: TcpStream, mut to: TcpStream, s: &Shared) {
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        let generation = s.generation.load(Ordering::SeqCst);
        while s.silent.load(Ordering::SeqCst) && s.generation.load(Ordering::SeqCst) == generation {
            std::thread::sleep(Duration::from_millis(5));
        }
        if s.generation.load(Ordering::SeqCst) != generation {
            break;
        }
        let piece = if s.trickle.load(Ordering::SeqCst) { 700 } else { n };
        let mut ok = true;
        for chunk in buf[..n].chunks(piece) {
            if to.write_all(chunk).is_err() {
                ok = false;
                break;
            }
            if piece < n {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        if !ok {
            break;
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopped.store(true, Ordering::SeqCst);
        self.cut();
        // Wakes the accept loop so it sees `stopped`.
        let _ = TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], self.port)), Duration::from_millis(200));
    }
}
