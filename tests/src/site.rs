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
    let bundle = bundle();
    std::fs::copy(&bundle, site.join("refdesk-chat.js"))
        .map_err(|e| format!("{}: {e} (build it: npm --prefix widget run build)", bundle.display()))?;
    let pages = [
        ("index.html", include_str!("../../widget/demo/index.html")),
        ("catalogue.html", include_str!("../../widget/demo/catalogue.html")),
    ];
    for (name, page) in pages {
        let page = page
            .replace("%WEBSOCKET%", &server.websocket_url())
            .replace("%GUEST%", &server.guest_domain)
            .replace("%DOMAIN%", &server.domain);
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
