//! refdesk-webkit-floor: an empty WebKitGTK window, with the webview settings Refdesk uses, for the
//! bench to measure. Whatever this costs, any app showing its window through WebKitGTK (as Tauri
//! does on Linux) costs at least as much: it is the floor under Refdesk's memory figures.

#[cfg(target_os = "linux")]
fn main() -> std::process::ExitCode {
    use gtk::prelude::*;
    use webkit2gtk::{CacheModel, WebContextExt, WebView, WebViewExt};

    if let Err(e) = gtk::init() {
        eprintln!("refdesk-webkit-floor: no display: {e}");
        return std::process::ExitCode::FAILURE;
    }
    let window = gtk::Window::new(gtk::WindowType::Toplevel);
    window.set_title("WebKitGTK floor");
    window.set_default_size(1000, 700);
    let view = WebView::new();
    if let Some(context) = view.context() {
        context.set_cache_model(CacheModel::DocumentViewer);
    }
    view.load_html("<!doctype html><title>floor</title><p id=ready>Ready</p>", None);
    window.add(&view);
    window.connect_delete_event(|_, _| {
        gtk::main_quit();
        gtk::glib::Propagation::Proceed
    });
    window.show_all();
    gtk::main();
    std::process::ExitCode::SUCCESS
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("refdesk-webkit-floor: WebKitGTK is the Linux webview; nothing to measure here");
}
