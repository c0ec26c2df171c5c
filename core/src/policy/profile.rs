//! The policy as macOS configuration profiles push it (Jamf, Intune, Apple's own tools): the
//! managed preferences of the `org.refdesk.desk` domain, a dictionary shaped as the policy file,
//! mapped to the file's TOML by the pure `table_from_plist` and checked as the file is.

use toml::{Table, Value};

use super::managed::{settings, Kind};
use super::PolicyFileError;

/// The preference domain a profile's payload sets (`PayloadType`).
pub const DOMAIN: &str = "org.refdesk.desk";
/// Where macOS puts the computer's managed preferences for the domain once a profile is installed.
pub const MANAGED_PLIST: &str = "/Library/Managed Preferences/org.refdesk.desk.plist";

/// The policy file's TOML from a managed-preferences dictionary: its keys are the file's (nested
/// dictionaries for sections, `defaults` for starting values). A key that is no Refdesk setting,
/// or a value of the wrong type, is refused with its place, as in the file. The `Payload…` keys a
/// profile's payload carries are the profile's own and are passed over.
pub fn table_from_plist(dict: &plist::Dictionary) -> Result<Table, PolicyFileError> {
    let all = settings();
    let mut out = Table::new();
    walk(dict, "", &all, &mut out)?;
    Ok(out)
}

fn walk(
    dict: &plist::Dictionary,
    prefix: &str,
    all: &[super::managed::Setting],
    out: &mut Table,
) -> Result<(), PolicyFileError> {
    for (k, v) in dict {
        if prefix.is_empty() && k.starts_with("Payload") {
            continue;
        }
        let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        let bad =
            |message: String| PolicyFileError::Invalid { path: MANAGED_PLIST.to_owned(), field: key.clone(), message };
        let value = match all.iter().find(|s| s.key == key).map(|s| s.kind) {
            Some(Kind::Switch) => match v {
                plist::Value::Boolean(b) => Value::Boolean(*b),
                _ => return Err(bad("must be a boolean (<true/> or <false/>)".into())),
            },
            Some(Kind::Number) => match v.as_unsigned_integer().and_then(|n| i64::try_from(n).ok()) {
                Some(n) => Value::Integer(n),
                None => return Err(bad("must be a whole number (<integer>), 0 or more".into())),
            },
            Some(Kind::Text) => match v {
                plist::Value::String(s) => Value::String(s.clone()),
                _ => return Err(bad("must be a <string>".into())),
            },
            Some(Kind::Toml) => toml_of(v).map_err(bad)?,
            None => match v {
                plist::Value::Dictionary(d) if all.iter().any(|s| s.key.starts_with(&format!("{key}."))) => {
                    let mut section = Table::new();
                    walk(d, &key, all, &mut section)?;
                    out.insert(k.clone(), Value::Table(section));
                    continue;
                }
                _ => return Err(bad("is not a Refdesk setting".into())),
            },
        };
        out.insert(k.clone(), value);
    }
    Ok(())
}

/// A list or table setting (accounts, a schedule, glossary terms) as the same TOML structure.
fn toml_of(v: &plist::Value) -> Result<Value, String> {
    Ok(match v {
        plist::Value::Boolean(b) => Value::Boolean(*b),
        plist::Value::String(s) => Value::String(s.clone()),
        plist::Value::Real(f) => Value::Float(*f),
        plist::Value::Integer(i) => {
            Value::Integer(i.as_signed().ok_or_else(|| "holds a number too large for a setting".to_owned())?)
        }
        plist::Value::Array(items) => Value::Array(items.iter().map(toml_of).collect::<Result<_, _>>()?),
        plist::Value::Dictionary(d) => {
            Value::Table(d.iter().map(|(k, v)| Ok((k.clone(), toml_of(v)?))).collect::<Result<_, String>>()?)
        }
        _ => return Err("holds a date or data, which no setting takes".into()),
    })
}

/// The computer's managed preferences for the domain, if a profile set any.
#[cfg(target_os = "macos")]
pub fn read_managed_preferences() -> Result<Option<plist::Dictionary>, String> {
    let path = std::path::Path::new(MANAGED_PLIST);
    if !path.exists() {
        return Ok(None);
    }
    match plist::Value::from_file(path) {
        Ok(plist::Value::Dictionary(d)) => Ok(Some(d)),
        Ok(_) => Err(format!("{MANAGED_PLIST}: not a dictionary of settings")),
        Err(e) => Err(format!("{MANAGED_PLIST}: cannot read: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sample profile's payload, as macOS would leave it in the managed preferences.
    fn sample_payload() -> plist::Dictionary {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/macos/org.refdesk.desk.mobileconfig");
        let profile = plist::Value::from_file(&path).unwrap();
        let content = profile.as_dictionary().unwrap()["PayloadContent"].as_array().unwrap();
        let payload = content
            .iter()
            .map(|p| p.as_dictionary().unwrap())
            .find(|p| p["PayloadType"].as_string() == Some(DOMAIN))
            .expect("a payload for the domain");
        payload.clone()
    }

    #[test]
    fn the_sample_profile_is_a_valid_policy_over_the_file() {
        let table = table_from_plist(&sample_payload()).unwrap();
        let file = "[desk]\nlibraryName = \"From the file\"\nmaxChatsPerLibrarian = 5\n";
        let p = super::super::managed::merge_over_file(file, "policy.toml", &table, MANAGED_PLIST).unwrap();
        assert_eq!(p.desk.max_chats, 2, "the profile wins over the file");
        assert_eq!(p.desk.library_name, "Thomas Ford Memorial Library");
        assert_eq!(p.file.accounts.len(), 1);
        assert_eq!(p.file.accounts[0].jid, "ask@library.example");
        assert!(!p.file.notifications.message_text);
        assert!(p.layers.has_default("desk.holdChatsDuringWalkup"));
    }

    #[test]
    fn wrong_types_and_unknown_keys_are_refused_with_their_place() {
        let err = |xml: &str| {
            let v =
                plist::Value::from_reader_xml(format!("<plist version=\"1.0\"><dict>{xml}</dict></plist>").as_bytes())
                    .unwrap();
            let d = v.into_dictionary().unwrap();
            let t = table_from_plist(&d);
            match t {
                Err(e) => e.to_string(),
                Ok(t) => super::super::managed::merge_over_file("", "", &t, MANAGED_PLIST).unwrap_err().to_string(),
            }
        };
        let at = |field: &str, message: &str| format!("{MANAGED_PLIST}: {field}: {message}");
        assert_eq!(
            err("<key>desk</key><dict><key>holdChatsDuringWalkup</key><string>yes</string></dict>"),
            at("desk.holdChatsDuringWalkup", "must be a boolean (<true/> or <false/>)")
        );
        assert_eq!(
            err("<key>desk</key><dict><key>maxChatsPerLibrarian</key><integer>-1</integer></dict>"),
            at("desk.maxChatsPerLibrarian", "must be a whole number (<integer>), 0 or more")
        );
        assert_eq!(err("<key>desks</key><dict/>"), at("desks", "is not a Refdesk setting"));
        assert!(err("<key>desk</key><dict><key>templates</key><dict><key>queued</key><string>n {positon}</string></dict></dict>")
            .contains("desk.templates.queued: unknown placeholder {positon}"));
    }
}
