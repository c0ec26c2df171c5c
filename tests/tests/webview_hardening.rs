//! The window's privileges, read from the files that grant them: the content security policy,
//! the capability file and the commands the UI calls. A new command, plugin or origin has to be
//! granted on purpose, and nothing is granted that the window does not use.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The commands the shell declares (core/src/names.in, which build.rs grants one by one).
fn declared_commands() -> BTreeSet<String> {
    refdesk_core::names::COMMANDS.iter().map(|c| c.to_string()).collect()
}

/// `startupStatus` as the shell names it: `startup_status`.
fn snake(camel: &str) -> String {
    camel
        .chars()
        .flat_map(|c| if c.is_ascii_uppercase() { vec!['_', c.to_ascii_lowercase()] } else { vec![c] })
        .collect()
}

#[test]
fn the_content_security_policy_allows_only_the_apps_own_code_and_the_ipc() {
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let security = &conf["app"]["security"];
    let csp = security["csp"].as_object().expect("a CSP is set");
    for (directive, value) in csp {
        let v = value.as_str().unwrap();
        assert!(!v.contains("unsafe-inline") && !v.contains("unsafe-eval"), "{directive}: {v}");
        assert!(!v.contains('*'), "no wildcards: {directive}: {v}");
        for source in v.split_whitespace() {
            let remote = source.starts_with("https:") || source.starts_with("http:") || source.starts_with("ws");
            assert!(!remote || source == "http://ipc.localhost", "a remote origin in {directive}: {source}");
        }
    }
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["frame-ancestors"], "'none'");
    assert_eq!(security["freezePrototype"], true);
    assert_eq!(conf["app"]["withGlobalTauri"], false, "no Tauri API on window for injected script");
    let windows = conf["app"]["windows"].as_array().unwrap();
    assert!(windows.iter().all(|w| w.get("url").is_none_or(|u| !u.as_str().unwrap_or("").contains("://"))));
}

#[test]
fn the_window_is_granted_exactly_the_commands_its_ui_calls_and_no_plugin() {
    let caps: serde_json::Value = serde_json::from_str(&read("src-tauri/capabilities/default.json")).unwrap();
    assert_eq!(caps["windows"], serde_json::json!(["main"]));
    let granted: BTreeSet<String> =
        caps["permissions"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect();
    let events: BTreeSet<String> = ["core:event:allow-listen", "core:event:allow-unlisten"].map(String::from).into();
    let commands: BTreeSet<String> = granted.difference(&events).cloned().collect();
    assert!(granted.is_superset(&events));
    assert!(commands.iter().all(|p| p.starts_with("allow-")), "only the app's own commands: {commands:?}");

    let declared = declared_commands();
    let as_grants: BTreeSet<String> = declared.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    assert_eq!(commands, as_grants, "granted vs declared in core/src/names.in");
    let build = read("src-tauri/build.rs");
    assert!(build.contains("include!(\"../core/src/names.in\")") && build.contains(".commands(names::COMMANDS)"));

    // Each `invoke<T>(Command.name, …)` in the UI's one module of commands.
    let api = read("ui/src/lib/api.ts");
    let called: BTreeSet<String> = api
        .match_indices("invoke<")
        .filter_map(|(i, _)| {
            let rest = &api[i..];
            let start = rest.find("(Command.")? + "(Command.".len();
            let name: String = rest[start..].chars().take_while(char::is_ascii_alphanumeric).collect();
            Some(snake(&name))
        })
        .collect();
    assert!(!called.is_empty());
    assert_eq!(
        api.matches("invoke<").count(),
        api.matches(">(Command.").count(),
        "every call names its command from names.ts"
    );
    assert_eq!(called, declared, "commands the UI calls vs those the shell declares");

    // …and api.ts is the only place that calls into the shell.
    let mut stack = vec![repo().join("ui/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n != "api.ts") {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                assert!(!text.contains("@tauri-apps/api/core"), "{} calls the shell directly", path.display());
            }
        }
    }

    // No shell, fs, http or opener plugin: links open through the app's own checked command.
    let cargo = read("src-tauri/Cargo.toml");
    for plugin in ["tauri-plugin-shell", "tauri-plugin-fs", "tauri-plugin-http", "tauri-plugin-opener"] {
        assert!(!cargo.contains(plugin), "{plugin} is a dependency");
    }
}
