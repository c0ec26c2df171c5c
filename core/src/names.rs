//! The command and event names the window and the shell share, from one list (`names.in`), and
//! that list written out for the window (ui/src/lib/bindings/names.ts), so neither side copies it.

include!("names.in");

/// `desk_snapshot` or `desk-changed` as the window's TypeScript spells a key: `deskSnapshot`.
fn camel(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for c in name.chars() {
        if c == '_' || c == '-' {
            upper = true;
        } else if upper {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The TypeScript module the window imports: `Command.deskSnapshot` is `"desk_snapshot"`.
pub fn typescript() -> String {
    let mut ts = String::from(
        "// Generated from core/src/names.in by `cargo test -p refdesk-core --lib names`. Do not edit.\n\n\
         /** Every command the shell answers, by the name the window calls it. */\nexport const Command = {\n",
    );
    for c in COMMANDS {
        ts.push_str(&format!("  {}: \"{c}\",\n", camel(c)));
    }
    ts.push_str("} as const;\n\n/** Every event the shell emits to the window. */\nexport const Event = {\n");
    for e in EVENTS {
        ts.push_str(&format!("  {}: \"{e}\",\n", camel(e)));
    }
    ts.push_str("} as const;\n");
    ts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_spelt_as_the_shell_and_window_expect() {
        for list in [COMMANDS, EVENTS] {
            let mut seen = std::collections::HashSet::new();
            for name in list {
                assert!(seen.insert(camel(name)), "{name} is listed twice");
                assert!(!name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_' || c == '-'));
            }
        }
        assert_eq!(camel("desk_snapshot"), "deskSnapshot");
        assert_eq!(camel("open-chat"), "openChat");
    }

    /// Writes names.ts beside ts-rs's bindings (the test command then fails if it differs from
    /// the committed one, as for every binding).
    #[test]
    fn export_bindings_names() {
        let dir = std::env::var("TS_RS_EXPORT_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings"));
        let path = dir.join("names.ts");
        let ts = typescript();
        if std::fs::read_to_string(&path).ok().as_deref() != Some(ts.as_str()) {
            std::fs::write(&path, ts).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}
