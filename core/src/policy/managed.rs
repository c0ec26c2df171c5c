//! The policy as Windows Group Policy pushes it: the administrative templates (ADMX and English
//! ADML) generated from the policy file's schema, and the pure mapping from registry values under
//! `HKLM\SOFTWARE\Policies\Refdesk` to the policy file's TOML, checked as the file is checked.

use toml::{Table, Value};

use super::{PolicyFile, PolicyFileError};
use crate::xmpp::xml::escape;

/// Where Group Policy writes Refdesk's settings, under HKEY_LOCAL_MACHINE.
pub const REGISTRY_ROOT: &str = r"SOFTWARE\Policies\Refdesk";
/// How errors name the registry as the place a setting came from.
pub const REGISTRY_ORIGIN: &str = r"HKLM\SOFTWARE\Policies\Refdesk";

/// How a setting is held in the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// REG_DWORD 1 or 0 (Enabled / Disabled in the editor).
    Switch,
    /// REG_DWORD.
    Number,
    /// REG_SZ.
    Text,
    /// A table or a list, as its lines in a policy file (REG_MULTI_SZ, one line each).
    Toml,
}

/// One policy setting: its dotted key in the policy file and how it is held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub key: String,
    pub kind: Kind,
}

impl Setting {
    /// The registry key (under HKLM) and value name it is written to.
    pub fn registry(&self) -> (String, &str) {
        let (path, name) = self.key.rsplit_once('.').unwrap_or(("", self.key.as_str()));
        let key = if path.is_empty() {
            REGISTRY_ROOT.to_owned()
        } else {
            format!(r"{REGISTRY_ROOT}\{}", path.replace('.', r"\"))
        };
        (key, name)
    }

    /// An ADMX name: letters, digits and underscores.
    fn id(&self) -> String {
        self.key.replace('.', "_")
    }
}

/// Keys the policy file may hold that its defaults do not show (optional tables and lists).
const OPTIONAL: &[(&str, Kind)] = &[("desk.schedule", Kind::Toml), ("cannedReplies", Kind::Toml)];
/// Tables whose keys are the library's own (a glossary's terms, the languages of its replies): one
/// setting for the whole table.
const OPEN_TABLES: &[&str] = &["glossary.terms", "desk.languages"];

/// Every setting of the policy file, locked ones first, then the `[defaults]` a desk may change;
/// derived from the schema's own defaults, so a new key is in the templates without more code.
pub fn settings() -> Vec<Setting> {
    let Ok(Value::Table(all)) = Value::try_from(PolicyFile::default()) else {
        unreachable!("the default policy serializes to a table")
    };
    let mut out = Vec::new();
    walk(&all, "", &mut out);
    for (key, kind) in OPTIONAL {
        if !out.iter().any(|s| s.key == *key) {
            out.push(Setting { key: (*key).to_owned(), kind: *kind });
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    let defaults: Vec<Setting> = out
        .iter()
        .filter(|s| super::layers::DEFAULT_SECTIONS.iter().any(|d| s.key.starts_with(&format!("{d}."))))
        .map(|s| Setting { key: format!("defaults.{}", s.key), kind: s.kind })
        .collect();
    out.extend(defaults);
    out
}

fn walk(table: &Table, prefix: &str, out: &mut Vec<Setting>) {
    for (k, v) in table {
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        let kind = match v {
            Value::Boolean(_) => Kind::Switch,
            Value::Integer(_) => Kind::Number,
            Value::String(_) => Kind::Text,
            Value::Table(t) if !OPEN_TABLES.contains(&key.as_str()) && !t.is_empty() => {
                walk(t, &key, out);
                continue;
            }
            _ => Kind::Toml,
        };
        out.push(Setting { key, kind });
    }
}

/// A value read from the registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegValue {
    Dword(u32),
    Sz(String),
    MultiSz(Vec<String>),
}

/// The policy file's TOML from registry values: `(key under HKLM, value name, value)`. A value that
/// is no Refdesk setting, or of the wrong type, is refused with its place and what it should be.
pub fn table_from_registry(values: &[(String, String, RegValue)]) -> Result<Table, PolicyFileError> {
    let all = settings();
    let mut table = Table::new();
    for (key, name, value) in values {
        let rel = key.strip_prefix(REGISTRY_ROOT).map(|r| r.trim_start_matches('\\')).unwrap_or(key);
        let dotted = if rel.is_empty() { name.clone() } else { format!("{}.{name}", rel.replace('\\', ".")) };
        let bad = |message: String| PolicyFileError::Invalid {
            path: REGISTRY_ORIGIN.to_owned(),
            field: dotted.clone(),
            message,
        };
        let Some(setting) = all.iter().find(|s| s.key == dotted) else {
            return Err(bad(format!(r"is not a Refdesk setting (value {name} under HKLM\{key})")));
        };
        let v = match (setting.kind, value) {
            (Kind::Switch, RegValue::Dword(n @ (0 | 1))) => Value::Boolean(*n == 1),
            (Kind::Switch, _) => return Err(bad("must be a REG_DWORD, 1 (on) or 0 (off)".into())),
            (Kind::Number, RegValue::Dword(n)) => Value::Integer(i64::from(*n)),
            (Kind::Number, _) => return Err(bad("must be a REG_DWORD".into())),
            (Kind::Text, RegValue::Sz(s)) => Value::String(s.clone()),
            (Kind::Text, _) => return Err(bad("must be a REG_SZ".into())),
            (Kind::Toml, RegValue::Sz(s)) => toml_value(&dotted, s).map_err(bad)?,
            (Kind::Toml, RegValue::MultiSz(lines)) => toml_value(&dotted, &lines.join("\n")).map_err(bad)?,
            (Kind::Toml, RegValue::Dword(_)) => {
                return Err(bad("must be a REG_MULTI_SZ holding the setting's lines from a policy file".into()))
            }
        };
        super::layers::set_path(&mut table, &dotted, Some(v));
    }
    Ok(table)
}

/// A table or list setting written as in a policy file (`[desk.schedule]` and its lines, or
/// `[[accounts]]` blocks): its value, if the text sets that key and nothing else.
fn toml_value(key: &str, text: &str) -> Result<Value, String> {
    let doc: Table = text.parse().map_err(|e: toml::de::Error| {
        format!("is not TOML as in a policy file: {}", e.message().lines().next().unwrap_or("invalid TOML"))
    })?;
    let mut here = &doc;
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        if here.len() != 1 || !here.contains_key(part) {
            let found: Vec<&str> = here.keys().map(String::as_str).collect();
            return Err(format!("must set {key} and nothing else (it sets {})", found.join(", ")));
        }
        match (here.get(part), parts.peek()) {
            (Some(Value::Table(t)), Some(_)) => here = t,
            (Some(v), None) => return Ok(v.clone()),
            _ => return Err(format!("must set {key} and nothing else")),
        }
    }
    Err(format!("must set {key}"))
}

/// The policy from Group Policy over the policy file's text (what the registry sets wins), checked
/// as a policy file is: the same messages, with the registry named as the place.
pub fn merge_registry(
    file_text: &str,
    file_origin: &str,
    values: &[(String, String, RegValue)],
) -> Result<super::LoadedPolicy, PolicyFileError> {
    merge_over_file(file_text, file_origin, &table_from_registry(values)?, REGISTRY_ORIGIN)
}

/// `managed` (from `origin`) over the policy file's text. The file is checked on its own first, so
/// its mistakes keep their line and column; the whole is then checked as one file.
pub fn merge_over_file(
    file_text: &str,
    file_origin: &str,
    managed: &Table,
    origin: &str,
) -> Result<super::LoadedPolicy, PolicyFileError> {
    let mut base = Table::new();
    if !file_text.trim().is_empty() {
        super::parse(file_text, file_origin)?;
        base = file_text.parse().unwrap_or_default();
    }
    super::layers::merge(&mut base, managed);
    let text = toml::to_string(&base).map_err(|e| PolicyFileError::Invalid {
        path: origin.to_owned(),
        field: "settings".into(),
        message: e.to_string(),
    })?;
    super::parse(&text, origin)
}

/// What this computer's management sets (Group Policy on Windows, a configuration profile on
/// macOS), as the policy file's TOML and where it came from; `None` where nothing is managed.
pub fn read_system() -> Result<Option<(Table, String)>, String> {
    #[cfg(target_os = "macos")]
    if let Some(dict) = super::profile::read_managed_preferences()? {
        let table = super::profile::table_from_plist(&dict).map_err(|e| e.to_string())?;
        return Ok(Some((table, super::profile::MANAGED_PLIST.to_owned())));
    }
    let values = read_registry()?;
    if values.is_empty() {
        return Ok(None);
    }
    let table = table_from_registry(&values).map_err(|e| e.to_string())?;
    Ok(Some((table, REGISTRY_ORIGIN.to_owned())))
}

/// Every value under `HKLM\SOFTWARE\Policies\Refdesk` and its subkeys (none: not managed).
#[cfg(windows)]
pub fn read_registry() -> Result<Vec<(String, String, RegValue)>, String> {
    use winreg::enums::{RegType, HKEY_LOCAL_MACHINE};
    use winreg::types::FromRegValue;
    use winreg::RegKey;
    let cannot = |what: &str, e: std::io::Error| format!(r"HKLM\{what}: cannot read: {e}");
    let root = match RegKey::predef(HKEY_LOCAL_MACHINE).open_subkey(REGISTRY_ROOT) {
        Ok(k) => k,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(cannot(REGISTRY_ROOT, e)),
    };
    let mut out = Vec::new();
    let mut stack = vec![(REGISTRY_ROOT.to_owned(), root)];
    while let Some((path, key)) = stack.pop() {
        for name in key.enum_keys() {
            let name = name.map_err(|e| cannot(&path, e))?;
            let sub = key.open_subkey(&name).map_err(|e| cannot(&path, e))?;
            stack.push((format!(r"{path}\{name}"), sub));
        }
        for value in key.enum_values() {
            let (name, raw) = value.map_err(|e| cannot(&path, e))?;
            let bad = |e: std::io::Error| cannot(&format!(r"{path}\{name}"), e);
            let v = match raw.vtype {
                RegType::REG_DWORD => RegValue::Dword(u32::from_reg_value(&raw).map_err(bad)?),
                RegType::REG_SZ | RegType::REG_EXPAND_SZ => RegValue::Sz(String::from_reg_value(&raw).map_err(bad)?),
                RegType::REG_MULTI_SZ => RegValue::MultiSz(Vec::<String>::from_reg_value(&raw).map_err(bad)?),
                other => {
                    return Err(format!(
                        r"HKLM\{path}: value {name} is {other:?}; Refdesk reads REG_DWORD, REG_SZ and REG_MULTI_SZ"
                    ))
                }
            };
            out.push((path.clone(), name, v));
        }
    }
    Ok(out)
}

/// Group Policy exists only on Windows: elsewhere nothing is managed through it.
#[cfg(not(windows))]
pub fn read_registry() -> Result<Vec<(String, String, RegValue)>, String> {
    Ok(Vec::new())
}

/// The category a setting is listed under: its section, and the starting values apart.
fn category(s: &Setting) -> String {
    match s.key.strip_prefix("defaults.") {
        Some(rest) => format!("defaults_{}", rest.split('.').next().unwrap_or(rest)),
        None => s.key.split('.').next().unwrap_or(&s.key).to_owned(),
    }
}

/// The categories of `all`, in the order their settings come.
fn categories(all: &[Setting]) -> Vec<String> {
    let mut cats: Vec<String> = all.iter().map(category).collect();
    cats.dedup();
    cats
}

/// Group Policy's administrative template (Refdesk.admx), every setting of [`settings`].
pub fn admx() -> String {
    let all = settings();
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from Refdesk's policy schema by `refdeskctl policy admx`; do not edit by hand. -->
<policyDefinitions xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <policyNamespaces>
    <target prefix="refdesk" namespace="Refdesk.Policies.Refdesk" />
    <using prefix="windows" namespace="Microsoft.Policies.Windows" />
  </policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn>
    <definitions>
      <definition name="SUPPORTED_Refdesk" displayName="$(string.SUPPORTED_Refdesk)" />
    </definitions>
  </supportedOn>
  <categories>
    <category name="Refdesk" displayName="$(string.Refdesk)" />
"#,
    );
    for c in &categories(&all) {
        out.push_str(&format!(
            "    <category name=\"cat_{c}\" displayName=\"$(string.cat_{c})\">\n      <parentCategory ref=\"Refdesk\" />\n    </category>\n"
        ));
    }
    out.push_str("  </categories>\n  <policies>\n");
    for s in &all {
        let id = s.id();
        let (key, name) = s.registry();
        let head = format!(
            "    <policy name=\"{id}\" class=\"Machine\" displayName=\"$(string.{id})\" explainText=\"$(string.{id}_Explain)\"{presentation} key=\"{key}\"{value}>\n      <parentCategory ref=\"cat_{cat}\" />\n      <supportedOn ref=\"SUPPORTED_Refdesk\" />\n",
            presentation = if s.kind == Kind::Switch { String::new() } else { format!(" presentation=\"$(presentation.{id})\"") },
            key = escape(&key),
            value = if s.kind == Kind::Switch { format!(" valueName=\"{}\"", escape(name)) } else { String::new() },
            cat = category(s),
        );
        out.push_str(&head);
        let name = escape(name);
        out.push_str(&match s.kind {
            Kind::Switch => "      <enabledValue>\n        <decimal value=\"1\" />\n      </enabledValue>\n      <disabledValue>\n        <decimal value=\"0\" />\n      </disabledValue>\n".to_owned(),
            Kind::Number => format!("      <elements>\n        <decimal id=\"value\" valueName=\"{name}\" minValue=\"0\" maxValue=\"4294967295\" />\n      </elements>\n"),
            Kind::Text => format!("      <elements>\n        <text id=\"value\" valueName=\"{name}\" maxLength=\"2000\" />\n      </elements>\n"),
            Kind::Toml => format!("      <elements>\n        <multiText id=\"value\" valueName=\"{name}\" />\n      </elements>\n"),
        });
        out.push_str("    </policy>\n");
    }
    out.push_str("  </policies>\n</policyDefinitions>\n");
    out
}

/// The English strings and input boxes of the template (en-US/Refdesk.adml).
pub fn adml() -> String {
    let all = settings();
    let mut strings = String::new();
    let mut presentations = String::new();
    let mut push =
        |id: &str, text: &str| strings.push_str(&format!("      <string id=\"{id}\">{}</string>\n", escape(text)));
    push("Refdesk", "Refdesk");
    push("SUPPORTED_Refdesk", "Refdesk 0.1 and later");
    for c in &categories(&all) {
        let label = match c.strip_prefix("defaults_") {
            Some(section) => format!("Starting values a desk may change: {section}"),
            None => format!("Locked: {c}"),
        };
        push(&format!("cat_{c}"), &label);
    }
    for s in &all {
        let id = s.id();
        let (key, name) = s.registry();
        let (file_key, locked) = match s.key.strip_prefix("defaults.") {
            Some(rest) => (rest.to_owned(), false),
            None => (s.key.clone(), true),
        };
        push(&id, &file_key);
        let how = match s.kind {
            Kind::Switch => "Enabled turns it on, Disabled off.",
            Kind::Number => "A whole number.",
            Kind::Text => "Text; placeholders as in the policy file.",
            Kind::Toml => "Its lines exactly as in a policy file (the [section] or [[list]] header and what follows).",
        };
        let rule = if locked {
            "What is set here is locked: no desk can change it."
        } else {
            "A starting value: each desk may choose otherwise in its Settings."
        };
        push(
            &format!("{id}_Explain"),
            &format!(
                "Sets {file_key} of Refdesk's policy (see the policy file in Refdesk's README for what it does and its default). {how} {rule} Registry: HKLM\\{key}, value {name}. Not configured: the policy file's value, else Refdesk's default."
            ),
        );
        let label = escape(&file_key);
        match s.kind {
            Kind::Switch => {}
            Kind::Number => presentations.push_str(&format!(
                "      <presentation id=\"{id}\">\n        <decimalTextBox refId=\"value\">{label}</decimalTextBox>\n      </presentation>\n"
            )),
            Kind::Text => presentations.push_str(&format!(
                "      <presentation id=\"{id}\">\n        <textBox refId=\"value\">\n          <label>{label}</label>\n        </textBox>\n      </presentation>\n"
            )),
            Kind::Toml => presentations.push_str(&format!(
                "      <presentation id=\"{id}\">\n        <multiTextBox refId=\"value\">{label}</multiTextBox>\n      </presentation>\n"
            )),
        }
    }
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?>
<!-- Generated from Refdesk's policy schema by `refdeskctl policy admx`; do not edit by hand. -->
<policyDefinitionResources xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" revision="1.0" schemaVersion="1.0" xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions">
  <displayName>Refdesk</displayName>
  <description>Refdesk, the reference desk's IM app: the library's policy.</description>
  <resources>
    <stringTable>
{strings}    </stringTable>
    <presentationTable>
{presentations}    </presentationTable>
  </resources>
</policyDefinitionResources>
"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key of a full policy file, as the README's example writes them.
    fn keys_of(table: &Table, prefix: &str, out: &mut Vec<String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                Value::Table(t) if !OPEN_TABLES.contains(&key.as_str()) && !key.ends_with("schedule") => {
                    keys_of(t, &key, out)
                }
                _ => out.push(key),
            }
        }
    }

    #[test]
    fn every_key_of_the_readme_policy_file_is_a_setting_of_the_templates() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("```toml\n[desk]").expect("the README's example policy file");
        let example = &readme[start + 8..];
        let example = &example[..example.find("```").unwrap()];
        let table: Table = example.parse().unwrap();
        let mut keys = Vec::new();
        keys_of(&table, "", &mut keys);
        assert!(keys.len() > 30, "{keys:?}");
        let all = settings();
        let admx = admx();
        for key in keys {
            let s = all.iter().find(|s| s.key == key).unwrap_or_else(|| panic!("{key} is not in the templates"));
            assert!(admx.contains(&format!("<policy name=\"{}\"", s.id())), "{key} has no policy");
        }
        for s in &all {
            assert!(admx.contains(&format!("<policy name=\"{}\"", s.id())), "{} has no policy", s.key);
        }
    }

    /// Well-formed XML, and every string and presentation the template names is in its language file.
    #[test]
    fn the_templates_are_well_formed_and_their_references_resolve() {
        use quick_xml::events::Event;
        let ids = |xml: &str, tag: &str| -> Vec<String> {
            let mut r = quick_xml::Reader::from_str(xml);
            let mut out = Vec::new();
            loop {
                match r.read_event().unwrap_or_else(|e| panic!("not well-formed: {e}")) {
                    Event::Eof => break,
                    Event::Start(e) | Event::Empty(e) if e.name().as_ref() == tag => {
                        let id = e.try_get_attribute("id").unwrap().unwrap();
                        out.push(id.value.to_string());
                    }
                    _ => {}
                }
            }
            out
        };
        let (admx, adml) = (admx(), adml());
        ids(&admx, "none");
        let strings = ids(&adml, "string");
        let presentations = ids(&adml, "presentation");
        for cap in admx.split("$(string.").skip(1) {
            let id = &cap[..cap.find(')').unwrap()];
            assert!(strings.iter().any(|s| s == id), "string {id} is missing from the ADML");
        }
        for cap in admx.split("$(presentation.").skip(1) {
            let id = &cap[..cap.find(')').unwrap()];
            assert!(presentations.iter().any(|s| s == id), "presentation {id} is missing from the ADML");
        }
    }

    #[test]
    fn the_committed_templates_are_the_generated_ones() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/windows");
        let admx_path = dir.join("Refdesk.admx");
        let adml_path = dir.join("en-US/Refdesk.adml");
        let same = |path: &std::path::Path, want: &str| std::fs::read_to_string(path).ok().as_deref() == Some(want);
        if std::env::var_os("REFDESK_WRITE_TEMPLATES").is_some() {
            std::fs::create_dir_all(dir.join("en-US")).unwrap();
            std::fs::write(&admx_path, admx()).unwrap();
            std::fs::write(&adml_path, adml()).unwrap();
        }
        assert!(
            same(&admx_path, &admx()) && same(&adml_path, &adml()),
            "deploy/windows differs from the schema: run `refdeskctl policy admx deploy/windows` and commit it"
        );
    }

    fn reg(key: &str, name: &str, v: RegValue) -> (String, String, RegValue) {
        (format!(r"{REGISTRY_ROOT}{key}"), name.to_owned(), v)
    }

    #[test]
    fn registry_values_become_the_policy_over_the_file_with_the_file_s_messages() {
        let file = "[desk]\nmaxChatsPerLibrarian = 3\nlibraryName = \"From the file\"\n";
        let values = [
            reg(r"\desk", "maxChatsPerLibrarian", RegValue::Dword(1)),
            reg(r"\desk", "holdChatsDuringWalkup", RegValue::Dword(0)),
            reg(r"\desk\templates", "queued", RegValue::Sz("You are number {position}.".into())),
            reg(r"\defaults\notifications", "messageText", RegValue::Dword(1)),
            reg("", "accounts", RegValue::MultiSz(vec!["[[accounts]]".into(), "jid = \"ask@library.example\"".into()])),
        ];
        let p = merge_registry(file, "policy.toml", &values).unwrap();
        assert_eq!(p.desk.max_chats, 1, "the registry wins over the file");
        assert!(!p.desk.hold_chats_during_walkup);
        assert_eq!(p.desk.library_name, "From the file", "what the registry leaves alone stays the file's");
        assert_eq!(p.desk.templates.queued, "You are number {position}.");
        assert_eq!(p.file.accounts[0].jid, "ask@library.example");
        assert!(p.layers.has_default("notifications.messageText"));

        // Wrong types, unknown values and bad values are refused with their place, as in a file.
        let err = |v: (String, String, RegValue)| merge_registry("", "policy.toml", &[v]).unwrap_err().to_string();
        assert_eq!(
            err(reg(r"\desk", "holdChatsDuringWalkup", RegValue::Dword(2))),
            r"HKLM\SOFTWARE\Policies\Refdesk: desk.holdChatsDuringWalkup: must be a REG_DWORD, 1 (on) or 0 (off)"
        );
        assert!(err(reg(r"\desk", "maxChats", RegValue::Dword(2))).contains("desk.maxChats: is not a Refdesk setting"));
        assert!(err(reg(r"\desk\templates", "queued", RegValue::Sz("number {positon}".into())))
            .contains("desk.templates.queued: unknown placeholder {positon}"));
        assert!(err(reg("", "accounts", RegValue::Sz("[desk]\nmaxChatsPerLibrarian = 1".into())))
            .contains("accounts: must set accounts and nothing else"));
        // A mistake in the file under the registry keeps its line and column.
        let e = merge_registry("[desk]\nmaxChatsPerLibrarian = \"two\"\n", "policy.toml", &values).unwrap_err();
        assert!(e.to_string().starts_with("policy.toml:2:"), "{e}");
    }
}
