//! The library's settings in words, for the window's Settings view: each with where it comes from
//! (the library's policy file, or Refdesk's default), so a librarian sees what is decided for them.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::PolicyFile;
use crate::autostart::AutostartChoice;
use crate::desk::QueueOrder;

/// One setting as the window shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SettingView {
    pub label: String,
    pub value: String,
    /// Written in the library's policy file (else Refdesk's default applies).
    pub by_library: bool,
}

/// The dotted keys (`desk.minStaffForIm`) that `text`, a policy file, sets.
pub fn keys_set(text: &str) -> Vec<String> {
    fn walk(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
        for (k, v) in table {
            let key = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            if let toml::Value::Table(t) = v {
                out.push(key.clone());
                walk(&key, t, out);
            } else {
                out.push(key);
            }
        }
    }
    let mut out = Vec::new();
    if let Ok(table) = text.parse::<toml::Table>() {
        walk("", &table, &mut out);
    }
    out
}

/// The settings a librarian may want to know and cannot change, in words (those a desk may change
/// are in `layers`); `set` are the keys the policy file sets.
pub fn summary(file: &PolicyFile, set: &[String]) -> Vec<SettingView> {
    let d = &file.desk;
    let minutes = |secs: u32| match secs {
        0 => "never".to_owned(),
        s if s % 60 == 0 => format!("after {} min", s / 60),
        s => format!("after {s} s"),
    };
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let rows: Vec<(&str, &str, String)> = vec![
        ("Library name", "desk.libraryName", d.library_name.clone()),
        (
            "Who is served first",
            "desk.order",
            match d.order {
                QueueOrder::FirstComeFirstServed => "first come, first served (walk-ups and IMs in one line)",
                QueueOrder::InPersonFirst => "walk-up patrons first",
            }
            .to_owned(),
        ),
        ("Librarians needed for IM", "desk.minStaffForIm", d.min_staff_for_im.to_string()),
        ("Chats per librarian at once", "desk.maxChatsPerLibrarian", d.max_chats_per_librarian.to_string()),
        ("Chats on hold during a walk-up", "desk.holdChatsDuringWalkup", yes_no(d.hold_chats_during_walkup)),
        ("Alert for a waiting IM", "desk.waitAlertSecs", minutes(d.wait_alert_secs)),
        ("Close a quiet chat", "desk.idleCloseSecs", minutes(d.idle_close_secs)),
        (
            "IM hours",
            "desk.schedule",
            match &d.schedule {
                Some(s) => format!("scheduled ({} days a week, {} time)", s.hours.len(), s.timezone),
                None => "whenever the desk is staffed".to_owned(),
            },
        ),
        ("Time for a colleague to accept a chat", "desk.handoffAnswerSecs", format!("{} s", d.handoff_answer_secs)),
        ("Message text in notifications", "notifications.messageText", yes_no(file.notifications.message_text)),
        (
            "Unredacted conversations kept",
            "retention.liveHours",
            format!("{} hours after the chat", file.retention.live_hours),
        ),
        ("Transcripts kept", "retention.transcriptDays", format!("{} days", file.retention.transcript_days)),
        (
            "Website questions left for a follow-up kept",
            "retention.followupDays",
            format!("{} days unanswered", file.retention.followup_days),
        ),
        (
            "Start at login",
            "startup.autostart",
            match file.startup.autostart {
                AutostartChoice::User => "your choice",
                AutostartChoice::On => "always",
                AutostartChoice::Off => "never",
            }
            .to_owned(),
        ),
        (
            "Without a keyring",
            "keyring.fallback",
            match file.keyring.fallback {
                super::KeyringFallback::None => "no sign-in",
                super::KeyringFallback::Session => "type the password at each start",
            }
            .to_owned(),
        ),
    ];
    rows.into_iter()
        .filter(|(_, key, _)| !super::layers::is_editable(key))
        .map(|(label, key, value)| SettingView {
            label: label.to_owned(),
            value,
            by_library: set.iter().any(|k| k == key || k.starts_with(&format!("{key}."))),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_setting_says_whether_the_library_set_it() {
        let text = "[desk]\nminStaffForIm = 2\n[desk.schedule]\ntimezone = \"Europe/Amsterdam\"\nhours = [{ day = \"mon\", open = \"09:00\", close = \"17:00\" }]\n[retention]\ntranscriptDays = 90\n";
        let loaded = super::super::parse(text, "t.toml").unwrap();
        let rows = summary(&loaded.file, &keys_set(text));
        let row = |label: &str| rows.iter().find(|r| r.label == label).unwrap().clone();
        assert_eq!(row("Transcripts kept").value, "90 days");
        assert!(row("Transcripts kept").by_library);
        assert_eq!(row("Time for a colleague to accept a chat").value, "60 s");
        assert!(!row("Unredacted conversations kept").by_library, "left to Refdesk's default");
        assert_eq!(row("Unredacted conversations kept").value, "24 hours after the chat");
        // What a desk may change is in the editable settings, not here.
        assert!(!rows
            .iter()
            .any(|r| ["Librarians needed for IM", "Close a quiet chat", "IM hours"].contains(&r.label.as_str())));
        assert!(keys_set("not toml [").is_empty());
    }
}
