//! A stand-in tray host on the session bus: the StatusNotifierWatcher that apps register their tray
//! icons with, and a reader for a registered icon (its image file) and its menu (com.canonical.dbusmenu).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zbus::zvariant::{OwnedObjectPath, OwnedValue, Value};

#[derive(Clone, Default)]
struct Watcher(Arc<Mutex<Vec<(String, String)>>>);

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: String, #[zbus(header)] header: zbus::message::Header<'_>) {
        let sender = header.sender().map(|s| s.to_string()).unwrap_or_default();
        // Items name themselves by object path (libappindicator) or by bus name (others).
        let item = if service.starts_with('/') { (sender, service) } else { (service, "/StatusNotifierItem".into()) };
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(item);
    }

    fn register_status_notifier_host(&self, _service: String) {}

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|(s, p)| format!("{s}{p}")).collect()
    }

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }
}

/// Owns `org.kde.StatusNotifierWatcher` while it lives.
pub struct TrayHost {
    items: Watcher,
    conn: zbus::blocking::Connection,
}

impl TrayHost {
    pub fn start() -> zbus::Result<TrayHost> {
        let items = Watcher::default();
        let conn = zbus::blocking::connection::Builder::session()?
            .serve_at("/StatusNotifierWatcher", items.clone())?
            .name("org.kde.StatusNotifierWatcher")?
            .build()?;
        Ok(TrayHost { items, conn })
    }

    /// The newest tray icon registered since `after` registrations, once one is.
    pub fn wait_item(&self, after: usize, timeout: Duration) -> Option<TrayItem> {
        let deadline = Instant::now() + timeout;
        loop {
            let items = self.items.0.lock().unwrap_or_else(|p| p.into_inner()).clone();
            if let Some((service, path)) = items.into_iter().skip(after).last() {
                return Some(TrayItem { conn: self.conn.clone(), service, path });
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn registered(&self) -> usize {
        self.items.0.lock().unwrap_or_else(|p| p.into_inner()).len()
    }
}

/// One entry of a tray menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuEntry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
}

/// A registered tray icon, read the way a desktop's tray reads it.
pub struct TrayItem {
    conn: zbus::blocking::Connection,
    service: String,
    path: String,
}

impl TrayItem {
    fn proxy(&self, path: &str, interface: &'static str) -> zbus::Result<zbus::blocking::Proxy<'static>> {
        zbus::blocking::Proxy::new(&self.conn, self.service.clone(), path.to_owned(), interface)
    }

    /// The icon's pixels (RGBA, 8 bits each) and size, from the image file the item points at.
    pub fn icon_rgba(&self) -> Result<(u32, u32, Vec<u8>), String> {
        let item = self.proxy(&self.path, "org.kde.StatusNotifierItem").map_err(|e| e.to_string())?;
        let name: String = item.get_property("IconName").map_err(|e| e.to_string())?;
        let file = if name.starts_with('/') {
            std::path::PathBuf::from(&name)
        } else {
            let dir: String = item.get_property("IconThemePath").map_err(|e| e.to_string())?;
            std::path::Path::new(&dir).join(format!("{name}.png"))
        };
        let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        decode_png(&bytes)
    }

    fn menu(&self) -> zbus::Result<zbus::blocking::Proxy<'static>> {
        let item = self.proxy(&self.path, "org.kde.StatusNotifierItem")?;
        let menu: OwnedObjectPath = item.get_property("Menu")?;
        self.proxy(menu.as_str(), "com.canonical.dbusmenu")
    }

    /// The menu's entries, top level, in order (separators left out).
    pub fn menu_entries(&self) -> zbus::Result<Vec<MenuEntry>> {
        type Node = (i32, HashMap<String, OwnedValue>, Vec<OwnedValue>);
        let (_rev, (_root, _props, children)): (u32, Node) =
            self.menu()?.call("GetLayout", &(0i32, 1i32, Vec::<String>::new()))?;
        let mut out = Vec::new();
        for child in children {
            let (id, props, _): Node = child.try_into()?;
            if props.get("type").and_then(|v| String::try_from(v.clone()).ok()).as_deref() == Some("separator") {
                continue;
            }
            let label = props.get("label").and_then(|v| String::try_from(v.clone()).ok()).unwrap_or_default();
            let enabled = props.get("enabled").and_then(|v| bool::try_from(v.clone()).ok()).unwrap_or(true);
            // GTK mnemonics: "_" marks an access key and "__" is a literal underscore.
            out.push(MenuEntry {
                id,
                label: label.replace("__", "\u{0}").replace('_', "").replace('\u{0}', "_"),
                enabled,
            });
        }
        Ok(out)
    }

    /// Whether the app behind the icon is still on the bus.
    pub fn alive(&self) -> bool {
        zbus::blocking::fdo::DBusProxy::new(&self.conn)
            .and_then(|d| Ok(d.name_has_owner(self.service.as_str().try_into()?)?))
            .unwrap_or(false)
    }

    /// Clicks the entry whose label is `label`, as a tray would on the librarian's click.
    pub fn click(&self, label: &str) -> Result<(), String> {
        let entries = self.menu_entries().map_err(|e| e.to_string())?;
        let entry = entries.iter().find(|e| e.label == label).ok_or_else(|| format!("no {label:?} in {entries:?}"))?;
        let now = u32::try_from(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        )
        .unwrap_or(0);
        self.menu()
            .and_then(|m| m.call::<_, _, ()>("Event", &(entry.id, "clicked", Value::from(0i32), now)))
            .map_err(|e| e.to_string())
    }
}

/// Decodes a PNG to 8-bit RGBA.
pub fn decode_png(bytes: &[u8]) -> Result<(u32, u32, Vec<u8>), String> {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(|e| e.to_string())?;
    let mut buf = vec![0; reader.output_buffer_size().unwrap_or(0)];
    let info = reader.next_frame(&mut buf).map_err(|e| e.to_string())?;
    if info.color_type != png::ColorType::Rgba || info.bit_depth != png::BitDepth::Eight {
        return Err(format!("not 8-bit RGBA: {:?} {:?}", info.color_type, info.bit_depth));
    }
    buf.truncate(info.buffer_size());
    Ok((info.width, info.height, buf))
}
