//! The sample library web page with the patrons' chat box (widget/demo), served by a test
//! server's Prosody under `/site/`: the demo's page and the web chat tests' page.

use std::path::{Path, PathBuf};

use crate::Prosody;

/// The chat box as `npm --prefix widget run build` leaves it.
pub fn bundle() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../widget/dist/refdesk-chat.js")
}

/// Writes the pages (a home page and a second page of the site), the library's stylesheet (`site_css`) and the chat box into `site`, the
/// server's web root, pointed at `server`'s WebSocket and guests' host.
pub fn write(site: &Path, server: &Prosody, site_css: &str) -> Result<(), String> {
    write_for(site, &server.websocket_url(), &server.guest_domain, &server.domain, true, site_css)
}

/// As [`write`], for any server: its WebSocket, guests' host and domain; `status`: whether it
/// answers the account's presence at `/status/` as the test kit's Prosody does (else the page names
/// no status address, and the box takes the desk as open).
pub fn write_for(
    site: &Path,
    websocket: &str,
    guest: &str,
    domain: &str,
    status: bool,
    site_css: &str,
) -> Result<(), String> {
    let bundle = bundle();
    std::fs::copy(&bundle, site.join("refdesk-chat.js"))
        .map_err(|e| format!("{}: {e} (build it: npm --prefix widget run build)", bundle.display()))?;
    let pages = [
        ("index.html", include_str!("../../widget/demo/index.html")),
        ("catalogue.html", include_str!("../../widget/demo/catalogue.html")),
    ];
    for (name, page) in pages {
        let mut page = page.to_owned();
        if !status {
            page = page.lines().filter(|l| !l.contains("data-status=")).collect::<Vec<_>>().join("\n");
        }
        let page = page.replace("%WEBSOCKET%", websocket).replace("%GUEST%", guest).replace("%DOMAIN%", domain);
        std::fs::write(site.join(name), page).map_err(|e| e.to_string())?;
    }
    std::fs::write(site.join("site.css"), site_css).map_err(|e| e.to_string())
}

/// The demo library's own stylesheet.
pub const DEMO_CSS: &str = include_str!("../../widget/demo/site.css");

impl Prosody {
    /// Where the chat box reaches the server: XMPP over WebSocket on the HTTP port.
    pub fn websocket_url(&self) -> String {
        format!("ws://127.0.0.1:{}/xmpp-websocket", self.http_port)
    }

    /// The sample page's address.
    pub fn site_url(&self) -> String {
        format!("http://127.0.0.1:{}/site/", self.http_port)
    }
}

/// Serves the files in `root` on a loopback port of its own (a library's web server, apart from
/// the XMPP server), for as long as the test runs: its port.
pub fn serve(root: &Path) -> std::io::Result<u16> {
    use std::io::{BufRead, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let root = root.to_owned();
    std::thread::spawn(move || {
        for conn in listener.incoming().flatten() {
            let mut line = String::new();
            let Ok(read) = conn.try_clone() else { continue };
            if std::io::BufReader::new(read).read_line(&mut line).is_err() {
                continue;
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").trim_start_matches('/').to_owned();
            let file = if path.is_empty() { "index.html".to_owned() } else { path };
            let (status, kind, body) = match std::fs::read(root.join(&file)) {
                Ok(b) if !file.contains("..") => {
                    let kind = match file.rsplit('.').next() {
                        Some("js") => "text/javascript",
                        Some("css") => "text/css",
                        _ => "text/html",
                    };
                    ("200 OK", kind, b)
                }
                _ => ("404 Not Found", "text/plain", b"not here".to_vec()),
            };
            let mut conn = conn;
            let _ = write!(
                conn,
                "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(&body);
        }
    });
    Ok(port)
}
