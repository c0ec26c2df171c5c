//! WebKit settings for a desk app rather than a browser: one local page, so no back-forward page
//! cache and small memory caches (figures in bench/RESULTS.md, measured by scripts/bench.sh).

use tauri::{AppHandle, Manager, Runtime};

pub fn tune<R: Runtime>(app: &AppHandle<R>) {
    let Some(window) = app.get_webview_window("main") else { return };
    let tuned = window.with_webview(|webview| {
        #[cfg(target_os = "linux")]
        {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            match webview.inner().context() {
                Some(context) => {
                    context.set_cache_model(CacheModel::DocumentViewer);
                    tracing::debug!("webview caches set for a document viewer");
                }
                None => tracing::warn!("the webview has no context; WebKit keeps its browser caches"),
            }
        }
        #[cfg(not(target_os = "linux"))]
        let _ = webview;
    });
    if let Err(e) = tuned {
        tracing::warn!("could not tune the webview: {e}");
    }
}
