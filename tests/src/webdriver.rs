//! A small W3C WebDriver client and a tauri-driver launcher, for driving the real app's webview.

use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};

use crate::net::{free_port, free_ports, wait_for_port};

const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
const SHADOW_KEY: &str = "shadow-6066-11e4-a52e-4f735466cecf";

#[derive(Debug, thiserror::Error)]
#[error("webdriver: {0}")]
pub struct WdError(pub String);

type Result<T> = std::result::Result<T, WdError>;

/// tauri-driver on free ports; killed (with the WebKitWebDriver it started) when dropped.
pub struct TauriDriver {
    child: Child,
    pub port: u16,
}

impl TauriDriver {
    /// Starts tauri-driver; `env` reaches the app it launches (e.g. `REFDESK_DATA_DIR`).
    pub fn start(env: &[(&str, &Path)]) -> Result<TauriDriver> {
        let [port, native] = free_ports::<2>().map_err(|e| WdError(format!("no free port: {e}")))?;
        let program = std::env::var("TAURI_DRIVER").unwrap_or_else(|_| "tauri-driver".into());
        let mut child = Command::new(&program)
            .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
            .envs(env.iter().map(|(k, v)| (*k, *v)))
            .stdin(Stdio::null())
            // Its own process group, so the WebKitWebDriver and app it starts can be ended with it.
            .process_group(0)
            .spawn()
            .map_err(|e| WdError(format!("cannot start {program} (scripts/setup.sh installs it): {e}")))?;
        // tauri-driver starts WebKitWebDriver and its own server at once: a session asked for
        // before the native driver listens fails with a bare EOF, so wait for both.
        for p in [port, native] {
            if !wait_for_port(p, Duration::from_secs(30), || matches!(child.try_wait(), Ok(None))) {
                let _ = child.kill();
                return Err(WdError(format!("{program} (or its WebKitWebDriver) did not listen on {p}")));
            }
        }
        Ok(TauriDriver { child, port })
    }

    /// Starts the app at `application` in a new session.
    pub fn launch(&self, application: &Path) -> Result<Session> {
        self.launch_with_args(application, &[])
    }

    /// Starts the app at `application` with command-line `args` in a new session.
    pub fn launch_with_args(&self, application: &Path, args: &[&str]) -> Result<Session> {
        Session::new(
            &format!("http://127.0.0.1:{}", self.port),
            json!({ "capabilities": { "alwaysMatch": {
                "browserName": "wry",
                "tauri:options": { "application": application, "args": args }
            }}}),
        )
    }
}

impl Drop for TauriDriver {
    fn drop(&mut self) {
        // Ask politely first (tauri-driver stops its native driver on SIGTERM), then insist.
        let pgid = self.child.id() as libc::pid_t;
        // SAFETY: plain syscalls on a process group we created; no memory is shared.
        unsafe { libc::killpg(pgid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(3);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        unsafe { libc::killpg(pgid, libc::SIGKILL) };
        let _ = self.child.wait();
    }
}

/// Debian's ChromeDriver on a free port, driving Debian's Chromium headless; killed when dropped.
pub struct ChromeDriver {
    child: Child,
    pub port: u16,
    profile: tempfile::TempDir,
}

impl ChromeDriver {
    pub fn start() -> Result<ChromeDriver> {
        let port = free_port().map_err(|e| WdError(format!("no free port: {e}")))?;
        let profile = tempfile::tempdir().map_err(|e| WdError(format!("no profile folder: {e}")))?;
        let mut child = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| WdError(format!("cannot start chromedriver (scripts/setup.sh installs it): {e}")))?;
        if !wait_for_port(port, Duration::from_secs(30), || matches!(child.try_wait(), Ok(None))) {
            let _ = child.kill();
            return Err(WdError(format!("chromedriver did not listen on {port}")));
        }
        Ok(ChromeDriver { child, port, profile })
    }

    /// Where the browser saves what the page downloads.
    pub fn downloads(&self) -> std::path::PathBuf {
        self.profile.path().join("downloads")
    }

    /// A new headless browser window at `url`: a fresh profile, no cookies, nothing from outside
    /// fetched by the browser itself (this machine has no network but loopback).
    pub fn open(&self, url: &str) -> Result<Session> {
        let s = Session::new(
            &format!("http://127.0.0.1:{}", self.port),
            json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": "/usr/bin/chromium",
                    "args": [
                        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                        "--no-first-run", "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--window-size=1000,800",
                        format!("--user-data-dir={}", self.profile.path().join("profile").display()),
                    ],
                    "prefs": {
                        "download.default_directory": self.downloads(),
                        "download.prompt_for_download": false
                    }
                }
            }}}),
        )?;
        s.goto(url)?;
        Ok(s)
    }
}

/// Ends a driver started in a process group of its own, with the browsers it started.
fn kill_group(child: &mut Child) {
    let pgid = child.id() as libc::pid_t;
    // SAFETY: plain syscalls on a process group we created; no memory is shared.
    unsafe { libc::killpg(pgid, libc::SIGKILL) };
    let _ = child.wait();
}

impl Drop for ChromeDriver {
    fn drop(&mut self) {
        kill_group(&mut self.child);
    }
}

/// WebKitGTK's MiniBrowser through WebKitWebDriver: WebKit, the engine of Safari (every browser
/// on an iPhone) and GNOME Web, as the web chat's second engine beside Chromium. It needs an X
/// display: the one the tests run under (scripts/test.sh runs them under xvfb-run), else an Xvfb
/// of its own.
pub struct WebKitDriver {
    child: Child,
    xvfb: Option<Child>,
    pub port: u16,
}

/// Where Debian's libwebkit2gtk-4.1-0 puts its test browser.
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

impl WebKitDriver {
    pub fn start() -> Result<WebKitDriver> {
        let mut xvfb = None;
        let display = match std::env::var("DISPLAY").ok().filter(|d| !d.is_empty()) {
            Some(d) => d,
            None => {
                let n = 300 + std::process::id() % 500;
                let child = Command::new("Xvfb")
                    .args([format!(":{n}").as_str(), "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
                    .stdin(Stdio::null())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .map_err(|e| {
                        WdError(format!("no display and cannot start Xvfb (scripts/setup.sh installs it): {e}"))
                    })?;
                xvfb = Some(child);
                let socket = format!("/tmp/.X11-unix/X{n}");
                let deadline = Instant::now() + Duration::from_secs(15);
                while !Path::new(&socket).exists() {
                    if Instant::now() > deadline {
                        return Err(WdError(format!("Xvfb :{n} did not start")));
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                format!(":{n}")
            }
        };
        let port = free_port().map_err(|e| WdError(format!("no free port: {e}")))?;
        let mut child = Command::new("WebKitWebDriver")
            .arg(format!("--port={port}"))
            .env("DISPLAY", &display)
            // No GPU under Xvfb: software rendering, as for the app's own tests.
            .env("WEBKIT_DISABLE_DMABUF_RENDERER", "1")
            .env("WEBKIT_DISABLE_COMPOSITING_MODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .map_err(|e| WdError(format!("cannot start WebKitWebDriver (scripts/setup.sh installs it): {e}")))?;
        if !wait_for_port(port, Duration::from_secs(30), || matches!(child.try_wait(), Ok(None))) {
            let _ = child.kill();
            return Err(WdError(format!("WebKitWebDriver did not listen on {port}")));
        }
        Ok(WebKitDriver { child, xvfb, port })
    }

    /// A new MiniBrowser window at `url` (a fresh, private session).
    pub fn open(&self, url: &str) -> Result<Session> {
        let s = Session::new(
            &format!("http://127.0.0.1:{}", self.port),
            json!({ "capabilities": { "alwaysMatch": {
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": { "binary": MINIBROWSER, "args": ["--automation"] }
            }}}),
        )?;
        s.goto(url)?;
        Ok(s)
    }
}

impl Drop for WebKitDriver {
    fn drop(&mut self) {
        kill_group(&mut self.child);
        if let Some(x) = &mut self.xvfb {
            let _ = x.kill();
            let _ = x.wait();
        }
    }
}

pub struct Session {
    base: String,
    id: String,
    agent: ureq::Agent,
}

#[derive(Debug, Clone)]
pub struct Element(String);

impl Session {
    pub fn new(base: &str, capabilities: Value) -> Result<Session> {
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(60)).build();
        let v = call(&agent, "POST", &format!("{base}/session"), Some(capabilities))?;
        let id = v["sessionId"].as_str().ok_or_else(|| WdError(format!("no session id in {v}")))?.to_owned();
        Ok(Session { base: base.to_owned(), id, agent })
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.id, path)
    }

    /// Resizes the browser's window (a phone-sized screen, say).
    pub fn set_window_size(&self, width: u32, height: u32) -> Result<()> {
        call(&self.agent, "POST", &self.url("/window/rect"), Some(json!({ "width": width, "height": height })))
            .map(drop)
    }

    /// Loads `url` in the window (a browser session; the app's webview has its one page).
    pub fn goto(&self, url: &str) -> Result<()> {
        call(&self.agent, "POST", &self.url("/url"), Some(json!({ "url": url }))).map(drop)
    }

    /// The first element matching `css` inside the shadow root of the element matching `host`.
    pub fn find_in_shadow(&self, host: &str, css: &str) -> Result<Element> {
        let host_el = self.find(host)?;
        let root = call(&self.agent, "GET", &self.url(&format!("/element/{}/shadow", host_el.0)), None)?;
        let root = root[SHADOW_KEY].as_str().ok_or_else(|| WdError(format!("{host} has no shadow root")))?;
        let v = call(
            &self.agent,
            "POST",
            &self.url(&format!("/shadow/{root}/element")),
            Some(json!({"using": "css selector", "value": css})),
        )?;
        v[ELEMENT_KEY].as_str().map(|s| Element(s.to_owned())).ok_or_else(|| WdError(format!("no {css} in {host}")))
    }

    pub fn find(&self, css: &str) -> Result<Element> {
        let v = call(&self.agent, "POST", &self.url("/element"), Some(json!({"using": "css selector", "value": css})))?;
        v[ELEMENT_KEY].as_str().map(|s| Element(s.to_owned())).ok_or_else(|| WdError(format!("no element for {css}")))
    }

    /// Polls for an element: the UI renders after asynchronous commands, so it may not be there yet.
    pub fn wait_for(&self, css: &str, timeout: Duration) -> Result<Element> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.find(css) {
                Ok(e) => return Ok(e),
                Err(e) if Instant::now() >= deadline => {
                    return Err(WdError(format!("{css} did not appear in {timeout:?}: {}", e.0)))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    /// Polls until the element's text satisfies `pred`; returns the text.
    pub fn wait_for_text(&self, css: &str, timeout: Duration, pred: impl Fn(&str) -> bool) -> Result<String> {
        let deadline = Instant::now() + timeout;
        let mut last = String::new();
        while Instant::now() < deadline {
            if let Ok(el) = self.find(css) {
                if let Ok(t) = self.text(&el) {
                    if pred(&t) {
                        return Ok(t);
                    }
                    last = t;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(WdError(format!("{css} never had the expected text; last seen {last:?}")))
    }

    pub fn click(&self, el: &Element) -> Result<()> {
        call(&self.agent, "POST", &self.url(&format!("/element/{}/click", el.0)), Some(json!({}))).map(drop)
    }

    /// Presses the mouse on `from`'s middle, moves in steps to `to`'s middle (offset by `dx`
    /// pixels) and lets go: a drag as a hand does it, through the WebDriver actions API.
    pub fn drag(&self, from: &Element, to: &Element, dx: i64) -> Result<()> {
        let origin = |el: &Element| json!({ ELEMENT_KEY: el.0 });
        let mut steps = vec![
            json!({"type": "pointerMove", "origin": origin(from), "x": 0, "y": 0, "duration": 0}),
            json!({"type": "pointerDown", "button": 0}),
        ];
        for x in [5, 15, 30] {
            steps.push(json!({"type": "pointerMove", "origin": "pointer", "x": x, "y": 0, "duration": 50}));
        }
        steps.push(json!({"type": "pointerMove", "origin": origin(to), "x": dx, "y": 0, "duration": 100}));
        steps.push(json!({"type": "pointerUp", "button": 0}));
        let actions = json!({"actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": steps
        }]});
        call(&self.agent, "POST", &self.url("/actions"), Some(actions)).map(drop)?;
        call(&self.agent, "DELETE", &self.url("/actions"), None).map(drop)
    }

    pub fn send_keys(&self, el: &Element, text: &str) -> Result<()> {
        call(&self.agent, "POST", &self.url(&format!("/element/{}/value", el.0)), Some(json!({"text": text}))).map(drop)
    }

    pub fn text(&self, el: &Element) -> Result<String> {
        let v = call(&self.agent, "GET", &self.url(&format!("/element/{}/text", el.0)), None)?;
        Ok(v.as_str().unwrap_or_default().to_owned())
    }

    /// A DOM property, such as a text box's `value`.
    pub fn property(&self, el: &Element, name: &str) -> Result<Value> {
        call(&self.agent, "GET", &self.url(&format!("/element/{}/property/{name}", el.0)), None)
    }

    /// Runs a script in the page and returns its value (for checks a user cannot see, like layout).
    pub fn execute(&self, script: &str) -> Result<Value> {
        self.execute_with(script, &[])
    }

    /// As `execute`, with `args` as the script's `arguments`.
    pub fn execute_with(&self, script: &str, args: &[Value]) -> Result<Value> {
        call(&self.agent, "POST", &self.url("/execute/sync"), Some(json!({"script": script, "args": args})))
    }

    /// Every element matching `css`, in document order (none is not an error).
    pub fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let v =
            call(&self.agent, "POST", &self.url("/elements"), Some(json!({"using": "css selector", "value": css})))?;
        Ok(v.as_array()
            .map(|a| a.iter().filter_map(|e| e[ELEMENT_KEY].as_str()).map(|s| Element(s.to_owned())).collect())
            .unwrap_or_default())
    }

    pub fn title(&self) -> Result<String> {
        Ok(call(&self.agent, "GET", &self.url("/title"), None)?.as_str().unwrap_or_default().to_owned())
    }

    /// A PNG of the window, for a person to look at.
    pub fn screenshot(&self) -> Result<Vec<u8>> {
        // WebKitWebDriver waits for the next paint; a page that is not changing may never give one.
        // So make a few: an invisible change of the root's opacity, for a couple of seconds.
        self.execute(
            "let n = 0; const root = document.documentElement; \
             const t = setInterval(() => { root.style.opacity = n++ % 2 ? '0.999' : ''; \
             if (n > 60) { clearInterval(t); root.style.opacity = ''; } }, 30);",
        )?;
        let agent = ureq::AgentBuilder::new().timeout(Duration::from_secs(10)).build();
        let v = call(&agent, "GET", &self.url("/screenshot"), None)?;
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .map_err(|e| WdError(format!("screenshot is not base64: {e}")))
    }

    /// Saves a screenshot for the test report; a failure is reported, never fatal.
    pub fn save_screenshot(&self, path: &Path) {
        match self.screenshot().and_then(|png| std::fs::write(path, png).map_err(|e| WdError(e.to_string()))) {
            Ok(()) => eprintln!("screenshot: {}", path.display()),
            Err(e) => eprintln!("no screenshot {}: {e}", path.display()),
        }
    }

    /// axe-core's rules run over the page as it is now (shadow roots included): the violations of
    /// serious or critical impact, each with its rule, help text and where it is.
    pub fn accessibility_violations(&self) -> Vec<String> {
        static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let axe = AXE.get_or_init(|| {
            let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js");
            std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{} (scripts/setup.sh installs it): {e}", path.display()))
        });
        // The script runs inside a function: axe may land in a local, so it is put on window by hand.
        self.execute(&format!(
            "{axe}\n;window.axe = window.axe || axe; window.__axe = null;\
             window.axe.run(document, {{ resultTypes: ['violations'] }})\
               .then(r => {{ window.__axe = r.violations; }}, e => {{ window.__axe = 'axe failed: ' + e; }});\
             return true;"
        ))
        .expect("axe-core runs in the page");
        let deadline = Instant::now() + Duration::from_secs(30);
        let found = loop {
            let v = self.execute("return window.__axe").expect("axe-core's result");
            if !v.is_null() {
                break v;
            }
            assert!(Instant::now() < deadline, "axe-core did not finish");
            std::thread::sleep(Duration::from_millis(100));
        };
        let Some(list) = found.as_array() else { panic!("{found}") };
        list.iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| {
                let targets: Vec<String> = v["nodes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|n| {
                        format!("{} ({})", n["target"], n["failureSummary"].as_str().unwrap_or("").replace('\n', " "))
                    })
                    .collect();
                format!("{} [{}]: {} at {}", v["id"], v["impact"], v["help"], targets.join("; "))
            })
            .collect()
    }

    pub fn quit(self) -> Result<()> {
        call(&self.agent, "DELETE", &self.url(""), None).map(drop)
    }
}

fn call(agent: &ureq::Agent, method: &str, url: &str, body: Option<Value>) -> Result<Value> {
    let req = agent.request(method, url);
    let res = match body {
        Some(b) => req.send_json(b),
        None => req.call(),
    };
    let resp = match res {
        Ok(r) => r,
        Err(ureq::Error::Status(code, r)) => {
            let text = r.into_string().unwrap_or_default();
            return Err(WdError(format!("{method} {url}: HTTP {code}: {text}")));
        }
        Err(e) => return Err(WdError(format!("{method} {url}: {e}"))),
    };
    let v: Value = resp.into_json().map_err(|e| WdError(format!("{method} {url}: bad JSON: {e}")))?;
    Ok(v.get("value").cloned().unwrap_or(Value::Null))
}
