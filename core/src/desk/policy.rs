//! A desk's priority policy: queue order, staffing, caps, timers, schedule and auto-reply templates.

use std::collections::BTreeMap;

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::schedule::{Schedule, ScheduleConfig};

/// A policy value that is wrong, with the field it is in (dotted path) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PolicyError {
    pub field: String,
    pub message: String,
}

impl PolicyError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> PolicyError {
        PolicyError { field: field.into(), message: message.into() }
    }
}

/// Who is served first when walk-ups and IMs both wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum QueueOrder {
    /// One queue by arrival, whatever the medium.
    FirstComeFirstServed,
    /// A walk-up always goes ahead of waiting IMs.
    InPersonFirst,
}

/// Auto-reply and status texts. Placeholders: {position}, {wait}, {opens}, {librarian}, {library}.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Templates {
    /// To a patron who must wait while a librarian helps someone in person.
    pub queued: String,
    /// To a patron who must wait while the librarians are answering other chats (nobody is at the
    /// desk in person): telling them someone is "at the desk" would not be true.
    pub queued_chats: String,
    pub reminder: String,
    pub on_hold: String,
    /// To a patron the librarian put on hold themselves (a look in the stacks, a phone call).
    pub paused: String,
    pub unstaffed: String,
    pub closed: String,
    pub idle_goodbye: String,
    pub status_available: String,
    pub status_busy: String,
    pub status_unstaffed: String,
    pub status_closed: String,
    /// To the patron when the librarian offers their chat to a colleague. Placeholders: {colleague}, {library}.
    pub handoff: String,
    /// To the patron when the colleague declined or did not answer. Placeholders: {colleague}, {library}.
    pub handoff_failed: String,
    /// To the patron when the librarian refers them to a colleague on the colleague's own account,
    /// who will write to them. Placeholders: {colleague}, {address} (the colleague's), {library}.
    pub referral: String,
}

impl Default for Templates {
    fn default() -> Self {
        Templates {
            queued: "Thanks for your question! A librarian is helping someone at the desk; you're number {position} in line ({wait}).".into(),
            queued_chats: "Thanks for your question! Our librarians are answering other questions just now; you're number {position} in line ({wait}).".into(),
            reminder: "You're still in line, number {position} ({wait}). We haven't forgotten you.".into(),
            on_hold: "{librarian} is helping someone at the desk right now and will be back with you shortly.".into(),
            paused: "{librarian} is looking into this and will be back with you in a moment.".into(),
            unstaffed: "Thanks for your question! We're short-staffed at the desk just now; a librarian will answer as soon as one is free.".into(),
            closed: "Thanks for your message! {library} chat is closed now and opens again {opens}.".into(),
            idle_goodbye: "It looks like we're done, so I'm closing this chat. Message us again any time!".into(),
            status_available: "Ask a librarian".into(),
            status_busy: "Helping patrons; you'll be answered in turn".into(),
            status_unstaffed: "Back soon".into(),
            status_closed: "Closed; opens {opens}".into(),
            handoff: "I'm passing you to {colleague}, one moment please.".into(),
            handoff_failed: "Sorry, {colleague} can't take this just now. I'm still here to help you.".into(),
            referral: "I'm passing your question to {colleague}, who will message you from {address} in a moment.".into(),
        }
    }
}

impl Templates {
    /// A library that wrote its own "in line" reply and none for a desk busy with chats keeps its
    /// words for both: its text, written before there were two, must not give way to ours.
    fn with_own_queued_for_both(&self) -> Templates {
        let ours = Templates::default();
        let mut t = self.clone();
        if t.queued != ours.queued && t.queued_chats == ours.queued_chats {
            t.queued_chats = t.queued.clone();
        }
        t
    }
}

/// A library's replies in one more language: the patron-facing templates it translated. What it
/// leaves out is said in the main language. Status texts are not here: one presence is shown to all.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct LocalTemplates {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued_chats: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reminder: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_hold: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unstaffed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub closed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_goodbye: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handoff_failed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<String>,
}

impl LocalTemplates {
    /// Checks each template given, and lays them over `base`, field path `at`.
    fn compile(&self, base: &Templates, at: &str) -> Result<Templates, PolicyError> {
        let mut t = base.clone();
        let mut own_queued = false;
        for (name, local, into, allowed) in [
            ("queued", &self.queued, &mut t.queued, PLACEHOLDERS),
            ("queuedChats", &self.queued_chats, &mut t.queued_chats, PLACEHOLDERS),
            ("reminder", &self.reminder, &mut t.reminder, PLACEHOLDERS),
            ("onHold", &self.on_hold, &mut t.on_hold, PLACEHOLDERS),
            ("paused", &self.paused, &mut t.paused, PLACEHOLDERS),
            ("unstaffed", &self.unstaffed, &mut t.unstaffed, PLACEHOLDERS),
            ("closed", &self.closed, &mut t.closed, PLACEHOLDERS),
            ("idleGoodbye", &self.idle_goodbye, &mut t.idle_goodbye, PLACEHOLDERS),
            ("handoff", &self.handoff, &mut t.handoff, HANDOFF_PLACEHOLDERS),
            ("handoffFailed", &self.handoff_failed, &mut t.handoff_failed, HANDOFF_PLACEHOLDERS),
            ("referral", &self.referral, &mut t.referral, REFERRAL_PLACEHOLDERS),
        ] {
            if let Some(text) = local {
                check_template(text, allowed).map_err(|m| PolicyError::new(format!("{at}.{name}"), m))?;
                own_queued |= name == "queued";
                *into = text.clone();
            }
        }
        // As in the main language: a translated "in line" reply serves a desk busy with chats too
        // unless that one was translated as well (an English one would be worse than the same words).
        if own_queued && self.queued_chats.is_none() {
            t.queued_chats = t.queued.clone();
        }
        Ok(t)
    }
}

pub const PLACEHOLDERS: &[&str] = &["position", "wait", "opens", "librarian", "library"];
/// Placeholders of the handoff templates.
pub const HANDOFF_PLACEHOLDERS: &[&str] = &["colleague", "library"];
/// Placeholders of the referral template.
pub const REFERRAL_PLACEHOLDERS: &[&str] = &["colleague", "address", "library"];

/// The policy as written in a settings or IT policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct DeskPolicy {
    pub library_name: String,
    /// The language the templates are written in ("en", "nl"…): the words {wait} and {opens}
    /// fill in are in it.
    pub language: String,
    pub order: QueueOrder,
    /// 1: IM whenever someone is on duty; 2: IM only when double-staffed.
    pub min_staff_for_im: u32,
    pub max_chats_per_librarian: u32,
    /// Put a librarian's chats on hold (with a message) while they help a walk-up.
    pub hold_chats_during_walkup: bool,
    /// At most one reminder per this many seconds to a patron who writes again while waiting.
    pub reminder_interval_secs: u32,
    pub wait_alert_secs: u32,
    pub wait_escalate_secs: u32,
    /// Close an active chat after this long without a message from either side; 0 = never.
    pub idle_close_secs: u32,
    /// Estimated service time before any has been measured.
    pub default_service_secs: u32,
    /// How long a colleague has to accept a chat offered to their desk (10 to 600 seconds).
    pub handoff_answer_secs: u32,
    /// A chat another desk on the account was answering comes back to this desk's line when that
    /// desk has been gone this long (signed out, lost its link): 10 to 3,600 seconds.
    pub claim_release_secs: u32,
    pub schedule: Option<ScheduleConfig>,
    pub templates: Templates,
    /// The replies in other languages, by language tag ("nl", "fr-ca"): a patron whose client
    /// or chat box says it writes in one of them is answered in it.
    pub languages: BTreeMap<String, LocalTemplates>,
}

impl Default for DeskPolicy {
    fn default() -> Self {
        DeskPolicy {
            library_name: "The library".into(),
            language: "en".into(),
            order: QueueOrder::FirstComeFirstServed,
            min_staff_for_im: 1,
            max_chats_per_librarian: 2,
            hold_chats_during_walkup: true,
            reminder_interval_secs: 180,
            wait_alert_secs: 120,
            wait_escalate_secs: 300,
            idle_close_secs: 900,
            default_service_secs: 240,
            handoff_answer_secs: 60,
            claim_release_secs: 60,
            schedule: None,
            templates: Templates::default(),
            languages: BTreeMap::new(),
        }
    }
}

/// A validated policy, ready for the engine.
#[derive(Debug, Clone)]
pub struct Policy {
    pub library_name: String,
    /// The language of `templates`.
    pub language: String,
    pub order: QueueOrder,
    pub min_staff_for_im: u32,
    pub max_chats: u32,
    pub hold_chats_during_walkup: bool,
    pub reminder_interval: Duration,
    pub wait_alert: Duration,
    pub wait_escalate: Duration,
    pub idle_close: Option<Duration>,
    pub default_service: Duration,
    pub handoff_answer: Duration,
    pub claim_release: Duration,
    pub schedule: Option<Schedule>,
    pub templates: Templates,
    /// Whole sets of templates per language tag, the main language's filling what a language left out.
    pub languages: BTreeMap<String, Templates>,
}

impl Policy {
    /// The templates for a patron writing in `lang`: its own language ("nl-be"), else the
    /// language it is a form of ("nl"), else the main ones.
    pub fn templates_for(&self, lang: Option<&str>) -> &Templates {
        self.language_set(lang).map_or(&self.templates, |(_, t)| t)
    }

    fn language_set(&self, lang: Option<&str>) -> Option<(&str, &Templates)> {
        let l = lang?;
        let primary = super::lang::primary(l);
        self.languages.get_key_value(l).or_else(|| self.languages.get_key_value(primary)).map(|(k, t)| (k.as_str(), t))
    }

    /// One reply for a patron writing in `lang`, and the language it is written in (so that the
    /// words filled in match it): theirs where the library translated it, else the main one.
    pub fn template(&self, pick: impl Fn(&Templates) -> &String, lang: Option<&str>) -> (&str, &str) {
        let main = pick(&self.templates);
        match self.language_set(lang).map(|(tag, t)| (tag, pick(t))) {
            Some((tag, text)) if text != main => (text, tag),
            _ => (main, &self.language),
        }
    }
}

impl Default for Policy {
    /// The built-in rules, used when no policy file is given.
    fn default() -> Self {
        DeskPolicy::default().compile().expect("the default desk policy is valid (tested)")
    }
}

/// Longest template we accept: an IM, not a letter.
const MAX_TEMPLATE_CHARS: usize = 1000;

impl DeskPolicy {
    /// Checks every field and returns the first problem with its field path.
    pub fn compile(&self) -> Result<Policy, PolicyError> {
        if !(1..=10).contains(&self.min_staff_for_im) {
            return Err(PolicyError::new("minStaffForIm", "must be between 1 and 10"));
        }
        if !(1..=20).contains(&self.max_chats_per_librarian) {
            return Err(PolicyError::new("maxChatsPerLibrarian", "must be between 1 and 20"));
        }
        if self.wait_escalate_secs < self.wait_alert_secs {
            return Err(PolicyError::new(
                "waitEscalateSecs",
                format!("must not be shorter than the first alert (waitAlertSecs, {} s)", self.wait_alert_secs),
            ));
        }
        if self.wait_alert_secs == 0 {
            return Err(PolicyError::new("waitAlertSecs", "must be at least 1 second"));
        }
        if self.default_service_secs == 0 {
            return Err(PolicyError::new("defaultServiceSecs", "must be at least 1 second"));
        }
        if !(10..=600).contains(&self.handoff_answer_secs) {
            return Err(PolicyError::new("handoffAnswerSecs", "must be between 10 and 600 seconds"));
        }
        if !(10..=3600).contains(&self.claim_release_secs) {
            return Err(PolicyError::new("claimReleaseSecs", "must be between 10 and 3600 seconds"));
        }
        let t = &self.templates;
        for (name, text) in [("handoff", &t.handoff), ("handoffFailed", &t.handoff_failed)] {
            check_template(text, HANDOFF_PLACEHOLDERS).map_err(|m| PolicyError::new(format!("templates.{name}"), m))?;
        }
        check_template(&t.referral, REFERRAL_PLACEHOLDERS).map_err(|m| PolicyError::new("templates.referral", m))?;
        for (name, text) in [
            ("queued", &t.queued),
            ("queuedChats", &t.queued_chats),
            ("reminder", &t.reminder),
            ("onHold", &t.on_hold),
            ("paused", &t.paused),
            ("unstaffed", &t.unstaffed),
            ("closed", &t.closed),
            ("idleGoodbye", &t.idle_goodbye),
            ("statusAvailable", &t.status_available),
            ("statusBusy", &t.status_busy),
            ("statusUnstaffed", &t.status_unstaffed),
            ("statusClosed", &t.status_closed),
        ] {
            check_template(text, PLACEHOLDERS).map_err(|m| PolicyError::new(format!("templates.{name}"), m))?;
        }
        let schedule = self.schedule.as_ref().map(|s| s.compile("schedule")).transpose()?;
        let templates = self.templates.with_own_queued_for_both();
        let language = super::lang::tag(&self.language)
            .ok_or_else(|| PolicyError::new("language", "is not a language tag such as \"en\" or \"nl\""))?;
        let mut languages = BTreeMap::new();
        for (raw, local) in &self.languages {
            let at = format!("languages.{raw}");
            let tag = super::lang::tag(raw)
                .ok_or_else(|| PolicyError::new(&at, "is not a language tag such as \"nl\" or \"fr-CA\""))?;
            if languages.insert(tag, local.compile(&templates, &at)?).is_some() {
                return Err(PolicyError::new(at, "is given twice (language tags are the same in any case)"));
            }
        }
        let secs = |s: u32| Duration::seconds(i64::from(s));
        Ok(Policy {
            library_name: self.library_name.clone(),
            language,
            order: self.order,
            min_staff_for_im: self.min_staff_for_im,
            max_chats: self.max_chats_per_librarian,
            hold_chats_during_walkup: self.hold_chats_during_walkup,
            reminder_interval: secs(self.reminder_interval_secs),
            wait_alert: secs(self.wait_alert_secs),
            wait_escalate: secs(self.wait_escalate_secs),
            idle_close: (self.idle_close_secs > 0).then(|| secs(self.idle_close_secs)),
            default_service: secs(self.default_service_secs),
            handoff_answer: secs(self.handoff_answer_secs),
            claim_release: secs(self.claim_release_secs),
            schedule,
            templates,
            languages,
        })
    }
}

/// Checks a template's length and that it uses only the `allowed` placeholders.
pub(crate) fn check_template(text: &str, allowed: &[&str]) -> Result<(), String> {
    if text.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if text.chars().count() > MAX_TEMPLATE_CHARS {
        return Err(format!("is longer than {MAX_TEMPLATE_CHARS} characters"));
    }
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let after = &rest[i + 1..];
        let end = after.find('}').ok_or("has a '{' without a closing '}'")?;
        let name = &after[..end];
        if !allowed.contains(&name) {
            return Err(format!("unknown placeholder {{{name}}}; known: {}", allowed.join(", ")));
        }
        rest = &after[end + 1..];
    }
    Ok(())
}

/// Values for a template's placeholders; a missing value renders as an empty string.
#[derive(Debug, Default, Clone)]
pub struct Fill<'a> {
    pub position: Option<usize>,
    pub wait: Option<String>,
    pub opens: Option<String>,
    pub librarian: Option<&'a str>,
    pub library: Option<&'a str>,
}

/// Replaces known placeholders; templates were checked at compile time.
pub fn render(template: &str, fill: &Fill<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        match &after[..end] {
            "position" => out.push_str(&fill.position.map(|p| p.to_string()).unwrap_or_default()),
            "wait" => out.push_str(fill.wait.as_deref().unwrap_or_default()),
            "opens" => out.push_str(fill.opens.as_deref().unwrap_or("later")),
            "librarian" => out.push_str(fill.librarian.unwrap_or("The librarian")),
            "library" => out.push_str(fill.library.unwrap_or_default()),
            other => {
                out.push('{');
                out.push_str(other);
                out.push('}');
            }
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_valid() {
        DeskPolicy::default().compile().unwrap();
    }

    #[test]
    fn a_library_s_own_in_line_reply_serves_both_waits_until_it_writes_the_second() {
        let ours = Templates::default();
        assert_ne!(
            DeskPolicy::default().compile().unwrap().templates.queued_chats,
            ours.queued,
            "two texts by default"
        );
        let mut p = DeskPolicy::default();
        p.templates.queued = "You are number {position}.".into();
        assert_eq!(p.compile().unwrap().templates.queued_chats, "You are number {position}.");
        p.templates.queued_chats = "Busy with chats; number {position}.".into();
        let t = p.compile().unwrap().templates;
        assert_eq!(
            (t.queued.as_str(), t.queued_chats.as_str()),
            ("You are number {position}.", "Busy with chats; number {position}.")
        );
    }

    #[test]
    fn templates_render_their_placeholders() {
        let fill = Fill { position: Some(3), wait: Some("about 6 minutes".into()), ..Fill::default() };
        assert_eq!(render("number {position}, {wait}; {librarian}", &fill), "number 3, about 6 minutes; The librarian");
    }

    #[test]
    fn unknown_placeholders_and_bad_values_name_the_field() {
        let mut p = DeskPolicy::default();
        p.templates.queued = "You are {positon} in line".into();
        let e = p.compile().unwrap_err();
        assert_eq!(e.field, "templates.queued");
        assert!(e.message.contains("{positon}"), "{e}");
        p.templates.queued = "open brace {position".into();
        assert_eq!(p.compile().unwrap_err().field, "templates.queued");
        // The referral has its own placeholders: the colleague's address, not a place in line.
        let mut p = DeskPolicy::default();
        p.templates.referral = "{colleague} ({address}) writes next; you were number {position}".into();
        assert_eq!(p.compile().unwrap_err().field, "templates.referral");
        let mut p = DeskPolicy { max_chats_per_librarian: 0, ..DeskPolicy::default() };
        assert_eq!(p.compile().unwrap_err().field, "maxChatsPerLibrarian");
        p.max_chats_per_librarian = 3;
        p.wait_escalate_secs = 10;
        assert_eq!(p.compile().unwrap_err().field, "waitEscalateSecs");
    }

    #[test]
    fn each_language_s_replies_fall_back_to_the_main_ones_where_not_translated() {
        let mut p = DeskPolicy::default();
        p.templates.reminder = "Still in line: {position}.".into();
        p.languages.insert(
            "nl".into(),
            LocalTemplates { queued: Some("U bent nummer {position} ({wait}).".into()), ..LocalTemplates::default() },
        );
        p.languages.insert(
            "fr-ca".into(),
            LocalTemplates { closed: Some("Fermé; ouvre {opens}.".into()), ..LocalTemplates::default() },
        );
        let c = p.compile().unwrap();
        let nl = c.templates_for(Some("nl-be"));
        assert_eq!(nl.queued, "U bent nummer {position} ({wait}).");
        // Translated "in line" serves a desk busy with chats too; what is not translated is the main one.
        assert_eq!(nl.queued_chats, nl.queued);
        assert_eq!(nl.reminder, "Still in line: {position}.");
        assert_eq!(c.templates_for(Some("fr-ca")).closed, "Fermé; ouvre {opens}.");
        // Plain French is not Canadian French; neither is a language with nothing written.
        assert_eq!(c.templates_for(Some("fr")).closed, c.templates.closed);
        assert_eq!(c.templates_for(Some("sv")).queued, c.templates.queued);
        assert_eq!(c.templates_for(None).queued, c.templates.queued);
    }

    #[test]
    fn a_wrong_language_or_template_names_its_place() {
        let mut p = DeskPolicy::default();
        p.languages.insert("nl".into(), LocalTemplates::default());
        p.languages.insert("NL".into(), LocalTemplates::default());
        assert_eq!(p.compile().unwrap_err().field, "languages.nl");
        p.languages.remove("NL");
        p.languages.insert("Dutch!".into(), LocalTemplates::default());
        assert_eq!(p.compile().unwrap_err().field, "languages.Dutch!");
        let p = DeskPolicy { language: "e".into(), ..DeskPolicy::default() };
        assert_eq!(p.compile().unwrap_err().field, "language");
        let mut p = DeskPolicy::default();
        p.languages
            .insert("de".into(), LocalTemplates { handoff: Some("{position}".into()), ..LocalTemplates::default() });
        let e = p.compile().unwrap_err();
        assert_eq!(e.field, "languages.de.handoff");
        assert!(e.message.contains("unknown placeholder {position}"), "{e}");
    }
}
