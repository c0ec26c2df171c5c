//! WebKit settings for a desk app rather than a browser: one local page, so no back-forward page
//! cache and small memory caches (figures in bench/RESULTS.md, measured by scripts/bench.sh).

use tauri::{AppHandle, Manager, Runtime};

/// JavaScriptCore options for the window's web process, which reads them from the environment it
/// inherits. The window's script is small and mostly waits for the desk: JavaScriptCore's
/// interpreter runs it fast enough (render figures in bench/RESULTS.md), while its compilers'
/// code and working memory stayed with the web process. Measured with `scripts/bench.sh --only
/// memory` (web process PSS, MB: idle / 20 conversations / after 10,000 messages / tabs closed):
/// all compilers 99 / 126 / 140 / 127; without the optimizing ones (`JSC_useDFGJIT=false`)
/// 100 / 120 / 136 / 118; interpreter only 96 / 111 / 119 / 108.
#[cfg(target_os = "linux")]
const JSC_OPTIONS: [(&str, &str); 1] = [("JSC_useJIT", "false")];

/// Puts [`JSC_OPTIONS`] in the environment, unless the user set them. Called first thing, before
/// any thread starts (changing the environment is only sound while no other thread reads it).
pub fn prepare_environment() {
    #[cfg(target_os = "linux")]
    for (name, value) in JSC_OPTIONS {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
}

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
