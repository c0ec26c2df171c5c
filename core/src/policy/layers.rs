//! The settings a desk runs with, in layers: Refdesk's defaults; the library's starting values
//! (`[defaults]` in its policy file); the desk's own changes (kept in its database); and on top,
//! what the policy file sets, which no desk can change (locked).
//!
//! Everything here works on TOML tables, so that a change made in the window is checked by the
//! very code that checks a policy file, with the same messages.

use serde::{Deserialize, Serialize};
use toml::{Table, Value};
use ts_rs::TS;

use super::{check_file, LoadedPolicy, PolicyFileError};

/// Names the desk's own settings in errors, where a policy file would be named.
pub const OWN_SETTINGS: &str = "this desk's settings";

/// The sections a policy file's `[defaults]` may hold: what a desk may sensibly choose for
/// itself. (Accounts, retention and the keyring are the library's alone.)
pub const DEFAULT_SECTIONS: &[&str] = &["desk", "notifications"];

/// The policy file split into what it locks and what it only starts a desk with.
#[derive(Debug, Clone, Default)]
pub struct Layers {
    locked: Table,
    defaults: Table,
}

impl Layers {
    /// Splits `text`, a policy file that `super::parse` accepted (else: no layers).
    pub fn from_text(text: &str) -> Layers {
        let Ok(mut locked) = text.parse::<Table>() else { return Layers::default() };
        let defaults = match locked.remove("defaults") {
            Some(Value::Table(t)) => t,
            _ => Table::new(),
        };
        Layers { locked, defaults }
    }

    /// Whether the policy file sets `key` (a dotted path), or a whole table above it.
    pub fn is_locked(&self, key: &str) -> bool {
        lookup(&self.locked, key).is_some()
    }

    /// Whether `key` has a starting value in the policy file's `[defaults]`.
    pub fn has_default(&self, key: &str) -> bool {
        lookup(&self.defaults, key).is_some()
    }

    /// The policy the desk runs with: its own changes over the library's starting values, under
    /// what the library locked. `origin` names where the desk's changes come from in errors.
    pub fn effective(&self, own: &Table, origin: &str) -> Result<LoadedPolicy, PolicyFileError> {
        let mut merged = self.defaults.clone();
        merge(&mut merged, own);
        merge(&mut merged, &self.locked);
        let file = Value::Table(merged).try_into().map_err(|e: toml::de::Error| PolicyFileError::Invalid {
            path: origin.to_owned(),
            field: "settings".into(),
            message: e.message().lines().next().unwrap_or("invalid value").to_owned(),
        })?;
        Ok(LoadedPolicy { layers: self.clone(), ..check_file(file, origin)? })
    }
}

/// `over`'s values replace `base`'s; tables are merged key by key.
pub(super) fn merge(base: &mut Table, over: &Table) {
    for (k, v) in over {
        match (base.get_mut(k), v) {
            (Some(Value::Table(b)), Value::Table(o)) => merge(b, o),
            _ => {
                base.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The value at a dotted path, or the value that replaces the whole table the path is in.
fn lookup<'a>(table: &'a Table, key: &str) -> Option<&'a Value> {
    let mut here = table;
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let v = here.get(part)?;
        match v {
            Value::Table(t) if parts.peek().is_some() => here = t,
            _ => return Some(v),
        }
    }
    None
}

/// Sets (or with `None` removes) the value at a dotted path, making tables on the way.
pub fn set_path(table: &mut Table, key: &str, value: Option<Value>) {
    let (parents, last) = match key.rsplit_once('.') {
        Some((p, l)) => (p.split('.').collect::<Vec<_>>(), l),
        None => (Vec::new(), key),
    };
    let mut here = table;
    for p in parents {
        if !matches!(here.get(p), Some(Value::Table(_))) {
            if value.is_none() {
                return;
            }
            here.insert(p.to_owned(), Value::Table(Table::new()));
        }
        let Some(Value::Table(t)) = here.get_mut(p) else { return };
        here = t;
    }
    match value {
        Some(v) => {
            here.insert(last.to_owned(), v);
        }
        None => {
            here.remove(last);
        }
    }
}

/// How a setting is typed in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", tag = "kind")]
#[ts(export)]
pub enum SettingKind {
    /// A line or a message (templates).
    Text {
        long: bool,
    },
    /// A whole number, at least `min`.
    Count {
        min: u32,
    },
    /// A time in minutes (kept in seconds); 0 means never where `zero_is_never`.
    Minutes {
        #[serde(rename = "zeroIsNever")]
        zero_is_never: bool,
    },
    Toggle,
    /// One of `options` (value, words).
    Choice {
        options: Vec<(String, String)>,
    },
    /// IM hours: the schedule as JSON (`timezone`, `hours` of `day`/`open`/`close`,
    /// `closedDates`), or "" for none (IM whenever the desk is staffed).
    Hours,
}

/// Where a setting's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum SettingSource {
    /// Refdesk's own default.
    Refdesk,
    /// The starting value the library chose; this desk may change it.
    LibraryDefault,
    /// This desk changed it.
    Desk,
    /// Set by the library's policy file: this desk cannot change it.
    Locked,
}

/// One setting a desk may change, as the Settings view shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeskSettingView {
    /// The dotted key in the policy file (`desk.maxChatsPerLibrarian`).
    pub key: String,
    pub group: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: SettingKind,
    /// The value in force, as the window edits it (minutes for times, "true"/"false" for toggles).
    pub value: String,
    pub source: SettingSource,
}

struct Editable {
    key: &'static str,
    group: &'static str,
    label: &'static str,
    kind: fn() -> SettingKind,
}

const RULES: &str = "Desk rules";
const TIMES: &str = "Times";
const REPLIES: &str = "Automatic replies";
const STATUS: &str = "Status messages";
const NOTICES: &str = "Notifications";
const HOURS: &str = "IM hours";

fn text() -> SettingKind {
    SettingKind::Text { long: false }
}
fn message() -> SettingKind {
    SettingKind::Text { long: true }
}
fn count1() -> SettingKind {
    SettingKind::Count { min: 1 }
}
fn minutes() -> SettingKind {
    SettingKind::Minutes { zero_is_never: false }
}
fn minutes_or_never() -> SettingKind {
    SettingKind::Minutes { zero_is_never: true }
}
fn toggle() -> SettingKind {
    SettingKind::Toggle
}
fn hours() -> SettingKind {
    SettingKind::Hours
}
fn order() -> SettingKind {
    SettingKind::Choice {
        options: vec![
            ("firstComeFirstServed".into(), "First come, first served (walk-ups and IMs in one line)".into()),
            ("inPersonFirst".into(), "Walk-up patrons first".into()),
        ],
    }
}

/// The settings the window offers, in its order.
const EDITABLE: &[Editable] = &[
    Editable { key: "desk.libraryName", group: RULES, label: "Library name in replies", kind: text },
    Editable { key: "desk.order", group: RULES, label: "Who is served first", kind: order },
    Editable { key: "desk.minStaffForIm", group: RULES, label: "Librarians needed for IM", kind: count1 },
    Editable { key: "desk.maxChatsPerLibrarian", group: RULES, label: "Chats per librarian at once", kind: count1 },
    Editable { key: "desk.holdChatsDuringWalkup", group: RULES, label: "Chats on hold during a walk-up", kind: toggle },
    Editable { key: "desk.schedule", group: HOURS, label: "IM hours", kind: hours },
    Editable { key: "desk.waitAlertSecs", group: TIMES, label: "Alert for a waiting IM after", kind: minutes },
    Editable { key: "desk.waitEscalateSecs", group: TIMES, label: "Second alert after", kind: minutes },
    Editable { key: "desk.reminderIntervalSecs", group: TIMES, label: "At most one reminder every", kind: minutes },
    Editable { key: "desk.idleCloseSecs", group: TIMES, label: "Close a quiet chat after", kind: minutes_or_never },
    Editable { key: "desk.templates.queued", group: REPLIES, label: "In line (a patron at the desk)", kind: message },
    Editable {
        key: "desk.templates.queuedChats",
        group: REPLIES,
        label: "In line (busy with other chats)",
        kind: message,
    },
    Editable { key: "desk.templates.reminder", group: REPLIES, label: "Still in line", kind: message },
    Editable { key: "desk.templates.onHold", group: REPLIES, label: "On hold for a walk-up", kind: message },
    Editable { key: "desk.templates.paused", group: REPLIES, label: "Put on hold by the librarian", kind: message },
    Editable { key: "desk.templates.unstaffed", group: REPLIES, label: "Nobody free for IM", kind: message },
    Editable { key: "desk.templates.closed", group: REPLIES, label: "Outside IM hours", kind: message },
    Editable { key: "desk.templates.idleGoodbye", group: REPLIES, label: "Closing a quiet chat", kind: message },
    Editable { key: "desk.templates.handoff", group: REPLIES, label: "Passing to a colleague", kind: message },
    Editable {
        key: "desk.templates.handoffFailed",
        group: REPLIES,
        label: "Colleague could not take it",
        kind: message,
    },
    Editable { key: "desk.templates.referral", group: REPLIES, label: "Referred to a colleague", kind: message },
    Editable { key: "desk.templates.statusAvailable", group: STATUS, label: "Available", kind: text },
    Editable { key: "desk.templates.statusBusy", group: STATUS, label: "Busy", kind: text },
    Editable { key: "desk.templates.statusUnstaffed", group: STATUS, label: "Not staffed for IM", kind: text },
    Editable { key: "desk.templates.statusClosed", group: STATUS, label: "Outside IM hours", kind: text },
    Editable { key: "notifications.enabled", group: NOTICES, label: "Desktop notifications", kind: toggle },
    Editable {
        key: "notifications.messageText",
        group: NOTICES,
        label: "Show the start of the message in notifications",
        kind: toggle,
    },
];

/// Whether the window offers `key` (so the summary of the library's settings can leave it out).
pub fn is_editable(key: &str) -> bool {
    EDITABLE.iter().any(|e| e.key == key || e.key.starts_with(&format!("{key}.")))
}

/// A change the window asked for that cannot be made, in words for the librarian.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingError {
    #[error("{0} is not a setting this desk can change")]
    Unknown(String),
    #[error("{0} is set by your library and cannot be changed here")]
    Locked(String),
    #[error("{label}: {message}")]
    Invalid { label: String, message: String },
}

/// The settings the window offers, with the values `effective` (from `layers` and `own`) runs.
pub fn views(layers: &Layers, own: &Table, effective: &super::PolicyFile) -> Vec<DeskSettingView> {
    let in_force = Value::try_from(effective).unwrap_or_else(|_| Value::Table(Table::new()));
    let in_force = in_force.as_table().cloned().unwrap_or_default();
    EDITABLE
        .iter()
        .map(|e| {
            let kind = (e.kind)();
            let value = lookup(&in_force, e.key).map(|v| shown(&kind, v)).unwrap_or_default();
            let source = if layers.is_locked(e.key) {
                SettingSource::Locked
            } else if lookup(own, e.key).is_some() {
                SettingSource::Desk
            } else if layers.has_default(e.key) {
                SettingSource::LibraryDefault
            } else {
                SettingSource::Refdesk
            };
            DeskSettingView {
                key: e.key.to_owned(),
                group: e.group.to_owned(),
                label: e.label.to_owned(),
                kind,
                value,
                source,
            }
        })
        .collect()
}

fn shown(kind: &SettingKind, v: &Value) -> String {
    match (kind, v) {
        (SettingKind::Hours, Value::Table(_)) => v
            .clone()
            .try_into::<crate::desk::schedule::ScheduleConfig>()
            .ok()
            .and_then(|s| serde_json::to_string(&s).ok())
            .unwrap_or_default(),
        (SettingKind::Minutes { .. }, Value::Integer(secs)) => {
            let m = *secs as f64 / 60.0;
            if secs % 60 == 0 {
                (secs / 60).to_string()
            } else {
                format!("{m:.2}").trim_end_matches('0').to_owned()
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, Value::Boolean(b)) => b.to_string(),
        (_, other) => other.to_string(),
    }
}

/// The desk's own changes after setting `key` to `value` as typed in the window (`None`: back to
/// the library's or Refdesk's value), checked against the whole policy; with the policy they make.
pub fn change(
    layers: &Layers,
    own: &Table,
    key: &str,
    value: Option<&str>,
) -> Result<(Table, LoadedPolicy), SettingError> {
    let Some(e) = EDITABLE.iter().find(|e| e.key == key) else {
        return Err(SettingError::Unknown(key.to_owned()));
    };
    if layers.is_locked(key) {
        return Err(SettingError::Locked(e.label.to_owned()));
    }
    let invalid = |message: String| SettingError::Invalid { label: e.label.to_owned(), message };
    let value = value.map(|v| parse_value(&(e.kind)(), v)).transpose().map_err(invalid)?;
    let mut next = own.clone();
    set_path(&mut next, key, value);
    let loaded = layers.effective(&next, OWN_SETTINGS).map_err(|err| match err {
        // (Within the setting, as in IM hours' time zone: the message says which part.)
        PolicyFileError::Invalid { field, message, .. } if within(&field, key) => invalid(message),
        // Another setting's rule (the second alert must not come before the first): say which.
        PolicyFileError::Invalid { field, message, .. } => invalid(format!("{}: {message}", label_of(&field))),
        other => invalid(other.to_string()),
    })?;
    Ok((next, loaded))
}

/// Whether `field` (a dotted path) is `key` or a part of it.
fn within(field: &str, key: &str) -> bool {
    field.strip_prefix(key).is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

fn label_of(key: &str) -> String {
    EDITABLE.iter().find(|e| e.key == key).map(|e| e.label.to_owned()).unwrap_or_else(|| key.to_owned())
}

/// The longest text the window may store for one setting (templates are checked further).
const MAX_TEXT: usize = 2_000;
/// Room for a week of split shifts and a few years of holidays.
const MAX_HOURS_JSON: usize = 50_000;

fn parse_value(kind: &SettingKind, v: &str) -> Result<Value, String> {
    match kind {
        SettingKind::Text { .. } => {
            if v.chars().count() > MAX_TEXT {
                return Err(format!("is longer than {MAX_TEXT} characters"));
            }
            Ok(Value::String(v.trim().to_owned()))
        }
        SettingKind::Count { min } => match v.trim().parse::<u32>() {
            Ok(n) if n >= *min => Ok(Value::Integer(n.into())),
            _ => Err(format!("{:?} is not a whole number of at least {min}", v.trim())),
        },
        SettingKind::Minutes { .. } => match v.trim().replace(',', ".").parse::<f64>() {
            Ok(m) if m.is_finite() && (0.0..=10_000.0).contains(&m) => Ok(Value::Integer((m * 60.0).round() as i64)),
            _ => Err(format!("{:?} is not a number of minutes", v.trim())),
        },
        SettingKind::Toggle => match v {
            "true" => Ok(Value::Boolean(true)),
            "false" => Ok(Value::Boolean(false)),
            _ => Err(format!("{v:?} is neither on nor off")),
        },
        SettingKind::Hours => {
            if v.chars().count() > MAX_HOURS_JSON {
                return Err("are too long to be opening hours".into());
            }
            let s: crate::desk::schedule::ScheduleConfig =
                serde_json::from_str(v).map_err(|e| format!("cannot be read ({e})"))?;
            Value::try_from(s).map_err(|e| e.to_string())
        }
        SettingKind::Choice { options } => match options.iter().find(|(value, _)| value == v) {
            Some((value, _)) => Ok(Value::String(value.clone())),
            None => Err(format!("{v:?} is not one of the choices")),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::desk::QueueOrder;

    const FILE: &str = r#"
[desk]
order = "inPersonFirst"
[desk.templates]
queued = "You are number {position}."

[defaults.desk]
maxChatsPerLibrarian = 3
[defaults.notifications]
messageText = true
"#;

    fn layers() -> Layers {
        super::super::parse(FILE, "p.toml").unwrap().layers
    }

    fn view<'a>(views: &'a [DeskSettingView], key: &str) -> &'a DeskSettingView {
        views.iter().find(|v| v.key == key).unwrap()
    }

    #[test]
    fn the_library_locks_what_it_sets_and_starts_the_desk_with_its_defaults() {
        let p = super::super::parse(FILE, "p.toml").unwrap();
        assert_eq!(
            (p.file.desk.order, p.desk.max_chats, p.file.notifications.message_text),
            (QueueOrder::InPersonFirst, 3, true)
        );
        let l = &p.layers;
        assert!(l.is_locked("desk.order") && l.is_locked("desk.templates.queued"));
        assert!(!l.is_locked("desk.templates.reminder") && !l.is_locked("desk.maxChatsPerLibrarian"));
        // The desk changes a starting value and a Refdesk default; the lock holds whatever it keeps.
        let (own, _) = change(l, &Table::new(), "desk.maxChatsPerLibrarian", Some("5")).unwrap();
        let (own, _) = change(l, &own, "desk.waitAlertSecs", Some("1.5")).unwrap();
        let mut forced = own.clone();
        set_path(&mut forced, "desk.order", Some(Value::String("firstComeFirstServed".into())));
        let e = l.effective(&forced, "settings").unwrap();
        assert_eq!(
            (e.desk.max_chats, e.file.desk.wait_alert_secs, e.file.desk.order),
            (5, 90, QueueOrder::InPersonFirst)
        );
        let views = views(l, &own, &e.file);
        assert_eq!(
            (view(&views, "desk.order").source, view(&views, "desk.order").value.as_str()),
            (SettingSource::Locked, "inPersonFirst")
        );
        assert_eq!(view(&views, "desk.maxChatsPerLibrarian").source, SettingSource::Desk);
        assert_eq!(view(&views, "desk.waitAlertSecs").value, "1.5");
        assert_eq!(view(&views, "notifications.messageText").source, SettingSource::LibraryDefault);
        assert_eq!(
            (view(&views, "desk.idleCloseSecs").source, view(&views, "desk.idleCloseSecs").value.as_str()),
            (SettingSource::Refdesk, "15")
        );
        // Back to the library's starting value.
        let (own, _) = change(l, &own, "desk.maxChatsPerLibrarian", None).unwrap();
        assert_eq!(l.effective(&own, "settings").unwrap().desk.max_chats, 3);
    }

    #[test]
    fn a_change_the_library_locked_or_the_rules_refuse_is_refused_in_words() {
        let l = layers();
        let none = Table::new();
        assert_eq!(
            change(&l, &none, "desk.templates.queued", Some("Hi")).unwrap_err().to_string(),
            "In line (a patron at the desk) is set by your library and cannot be changed here"
        );
        assert!(matches!(change(&l, &none, "accounts", Some("x")), Err(SettingError::Unknown(_))));
        assert!(matches!(change(&l, &none, "retention.transcriptDays", Some("9")), Err(SettingError::Unknown(_))));
        let e = change(&l, &none, "desk.maxChatsPerLibrarian", Some("0")).unwrap_err().to_string();
        assert_eq!(e, "Chats per librarian at once: \"0\" is not a whole number of at least 1");
        let e = change(&l, &none, "desk.maxChatsPerLibrarian", Some("99")).unwrap_err().to_string();
        assert_eq!(e, "Chats per librarian at once: must be between 1 and 20");
        let e = change(&l, &none, "desk.templates.reminder", Some("Wait {forever}")).unwrap_err().to_string();
        assert!(e.starts_with("Still in line: unknown placeholder {forever}"), "{e}");
        let e = change(&l, &none, "desk.templates.reminder", Some("   ")).unwrap_err().to_string();
        assert_eq!(e, "Still in line: must not be empty");
        // A rule between two settings names the other one.
        let e = change(&l, &none, "desk.waitAlertSecs", Some("60")).unwrap_err().to_string();
        assert!(e.starts_with("Alert for a waiting IM after: Second alert after: must not be shorter"), "{e}");
        for bad in ["soon", "-1", "NaN", "inf"] {
            assert!(change(&l, &none, "desk.idleCloseSecs", Some(bad)).is_err(), "{bad}");
        }
        assert!(change(&l, &none, "desk.holdChatsDuringWalkup", Some("yes")).is_err());
        assert!(change(&l, &none, "desk.order", Some("random")).is_err());
        assert!(change(&l, &none, "desk.libraryName", Some(&"x".repeat(MAX_TEXT + 1))).is_err());
        assert!(change(&l, &none, "desk.idleCloseSecs", Some("0")).is_ok(), "never");
    }

    #[test]
    fn the_defaults_section_is_checked_with_the_places_of_its_errors() {
        let e = super::super::parse("[defaults.desk]\nmaxChatsPerLibrarian = \"three\"\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml:2:"), "{e}");
        let e = super::super::parse("[defaults.retention]\ntranscriptDays = 3\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml:1:"), "{e}");
        let e = super::super::parse("[defaults.desk]\nmaxChatsPerLibrarian = 50\n", "p.toml").unwrap_err();
        assert_eq!(e.to_string(), "p.toml: desk.maxChatsPerLibrarian: must be between 1 and 20");
        // A starting value and a locked one that do not fit together.
        let text = "[desk]\nwaitEscalateSecs = 200\n[defaults.desk]\nwaitAlertSecs = 300\n";
        let e = super::super::parse(text, "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml: desk.waitEscalateSecs: must not be shorter"), "{e}");
    }

    #[test]
    fn im_hours_are_set_as_a_whole_and_checked() {
        let l = layers();
        let week = r#"{"timezone":"Europe/Amsterdam","hours":[{"day":"mon","open":"09:00","close":"17:00"}],"closedDates":["2026-12-25"]}"#;
        let (own, _) = change(&l, &Table::new(), "desk.schedule", Some(week)).unwrap();
        let e = l.effective(&own, "settings").unwrap();
        assert!(e.desk.schedule.is_some());
        let shown = views(&l, &own, &e.file);
        let v = view(&shown, "desk.schedule");
        assert_eq!((v.source, v.kind.clone()), (SettingSource::Desk, SettingKind::Hours));
        let back: crate::desk::schedule::ScheduleConfig = serde_json::from_str(&v.value).unwrap();
        assert_eq!((back.timezone.as_str(), back.hours.len(), back.closed_dates.len()), ("Europe/Amsterdam", 1, 1));
        // None yet: an empty value, IM whenever the desk is staffed.
        let none = views(&l, &Table::new(), &l.effective(&Table::new(), "s").unwrap().file);
        assert_eq!(view(&none, "desk.schedule").value, "");
        let e = change(&l, &Table::new(), "desk.schedule", Some(&week.replace("Europe/Amsterdam", "Mars/Olympus")))
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("IM hours: \"Mars/Olympus\" is not a time zone name"), "{e}");
        let e = change(&l, &Table::new(), "desk.schedule", Some(&week.replace("17:00", "25:00"))).unwrap_err();
        assert!(e.to_string().contains("\"25:00\" is not a time"), "{e}");
        assert!(change(&l, &Table::new(), "desk.schedule", Some("{")).is_err());
    }

    #[test]
    fn paths_are_set_and_removed_through_tables() {
        let mut t = Table::new();
        set_path(&mut t, "a.b.c", Some(Value::Integer(1)));
        assert_eq!(lookup(&t, "a.b.c"), Some(&Value::Integer(1)));
        assert!(lookup(&t, "a.b").is_some_and(Value::is_table) && lookup(&t, "a.x.c").is_none());
        set_path(&mut t, "a.b.c", None);
        set_path(&mut t, "q.r", None);
        assert!(lookup(&t, "a.b.c").is_none() && !t.contains_key("q"));
        // A value where a table was expected locks everything under it.
        set_path(&mut t, "s", Some(Value::Boolean(true)));
        assert_eq!(lookup(&t, "s.t"), Some(&Value::Boolean(true)));
    }
}
