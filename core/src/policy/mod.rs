//! The policy file (TOML) a library or its IT writes: load, validate with precise errors.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::desk::{DeskPolicy, Policy};

pub mod layers;
pub mod managed;
pub mod profile;
pub mod summary;

/// The whole policy file. What it sets is locked: no desk can change it. What it puts under
/// `[defaults]` only starts each desk off (see `layers`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct PolicyFile {
    /// Starting values a desk may change (read here for its checks and the places of errors).
    #[serde(skip_serializing)]
    pub defaults: Option<DefaultsSection>,
    pub desk: DeskPolicy,
    pub notifications: NotificationPolicy,
    /// The IM accounts this desk signs in to. Never passwords: those live in the OS keyring.
    pub accounts: Vec<AccountPolicy>,
    pub retention: RetentionPolicy,
    pub statistics: StatisticsPolicy,
    /// The library's ready answers; absent: Refdesk's own few, empty: none.
    pub canned_replies: Option<Vec<crate::canned::CannedReply>>,
    /// IM shorthand the window explains: the built-in terms' language and the library's own.
    pub glossary: crate::glossary::GlossaryPolicy,
    /// Starting at login.
    pub startup: StartupPolicy,
    /// What happens to passwords where no OS keyring is available.
    pub keyring: KeyringPolicy,
}

/// `[defaults]`: the sections of `layers::DEFAULT_SECTIONS`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct DefaultsSection {
    pub desk: DeskPolicy,
    pub notifications: NotificationPolicy,
}

/// Passwords live only in the OS keyring. Where there is none (a kiosk session, a locked-down
/// image), the library chooses: refuse to sign in (the default), or use a typed password for this
/// run only, kept in memory and never written anywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct KeyringPolicy {
    pub fallback: KeyringFallback,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyringFallback {
    /// No keyring, no sign-in: the window says how to get one.
    #[default]
    None,
    /// No keyring: the librarian types the password at every start.
    Session,
}

/// Starting Refdesk at login, and how.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct StartupPolicy {
    /// "user" (the librarian chooses; off until they do), "on" or "off" (the library decides).
    pub autostart: crate::autostart::AutostartChoice,
    /// Started at login, the desk opens hidden in the tray (signed in, its window one click away).
    pub hidden: bool,
}

/// More would not fit the tag picker.
const MAX_SUGGESTED_TAGS: usize = 200;

/// How questions are rated for reference statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct StatisticsPolicy {
    /// The READ level a chat or walk-up gets when the librarian closes it without choosing one
    /// (1–6); 0 leaves such questions unrated.
    pub default_read_level: u8,
    /// Topic tags offered when rating a question; librarians may type others.
    pub tags: Vec<String>,
}

impl Default for StatisticsPolicy {
    fn default() -> Self {
        // Most desk questions need a little searching in one or two resources: READ 2.
        StatisticsPolicy { default_read_level: 2, tags: Vec::new() }
    }
}

impl StatisticsPolicy {
    pub fn default_level(&self) -> Option<u8> {
        (self.default_read_level != 0).then_some(self.default_read_level)
    }

    fn check(&self) -> Result<(), (&'static str, String)> {
        if self.default_read_level > 6 {
            return Err((
                "defaultReadLevel",
                format!("{} is not on the READ scale; use 1 to 6, or 0 for none", self.default_read_level),
            ));
        }
        if self.tags.len() > MAX_SUGGESTED_TAGS {
            return Err(("tags", format!("{} tags; offer at most {MAX_SUGGESTED_TAGS}", self.tags.len())));
        }
        let mut seen: Vec<String> = Vec::new();
        for tag in &self.tags {
            let rating = crate::api::Rating { read_level: None, tags: vec![tag.clone()] };
            let (_, cleaned) = crate::stats::clean_rating(&rating).map_err(|e| ("tags", e.to_string()))?;
            match cleaned.as_slice() {
                [one] if !seen.contains(one) => seen.push(one.clone()),
                _ => return Err(("tags", format!("{tag:?} is blank, repeated, or holds a comma; list each tag once"))),
            }
        }
        Ok(())
    }
}

/// How long what patrons said is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct RetentionPolicy {
    /// Hours the live conversation (unredacted) stays after its transcript is written.
    pub live_hours: u32,
    /// Days redacted transcripts are kept (0: not kept at all once purged).
    pub transcript_days: u32,
    /// Days a question left in the website's chat box (with the patron's email address) waits
    /// for an answer; then only its redacted transcript stays (1 to 365).
    pub followup_days: u32,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        RetentionPolicy { live_hours: 24, transcript_days: 365, followup_days: 30 }
    }
}

impl RetentionPolicy {
    fn check(&self) -> Result<(), (&'static str, String)> {
        if !(1..=365).contains(&self.followup_days) {
            return Err(("followupDays", format!("{} days; use 1 to 365", self.followup_days)));
        }
        Ok(())
    }
}

/// One IM account as IT describes it (`[[accounts]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountPolicy {
    /// The account's address, e.g. `ask@library.example`.
    pub jid: String,
    /// Server host; the JID's domain (and DNS) when absent.
    #[serde(default)]
    pub host: Option<String>,
    #[serde(default)]
    pub port: Option<u16>,
    /// `starttls` (port 5222, the default) or `direct` (TLS from the first byte, port 5223).
    #[serde(default)]
    pub tls: Option<TlsChoice>,
    /// A CA to trust besides the system's, for a library's own certificates.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Allow SASL PLAIN inside TLS for servers without SCRAM (off unless IT turns it on).
    #[serde(default)]
    pub allow_plain: bool,
    /// SHA-256 fingerprints of certificates the server must present one of (certificate pinning).
    #[serde(default)]
    pub pins: Vec<String>,
    /// The roster group whose members are the library's librarians, listed with their presence
    /// in the window's colleague directory ("Librarians" when absent; "" for none).
    #[serde(default)]
    pub directory_group: Option<String>,
    /// Librarians listed for this account's colleague directory besides the roster group
    /// (`[[accounts.directory]]`: jid, name, subjects).
    #[serde(default)]
    pub directory: Vec<crate::handoff::directory::DirectoryMember>,
    /// Who may put the account on their buddy list and see when the desk is open: "everyone"
    /// (the default), "listed" (contacts on the account's roster only) or "ask" (the roster's at
    /// once, anyone else asked of the librarian).
    #[serde(default)]
    pub buddies: crate::xmpp::roster::Buddies,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum TlsChoice {
    Starttls,
    Direct,
}

impl AccountPolicy {
    /// Checks the entry; `Err((field, message))` names what to change.
    pub(crate) fn check(&self) -> Result<(), (&'static str, String)> {
        let jid = self.jid.trim();
        let valid = jid.split_once('@').is_some_and(|(user, domain)| {
            !user.is_empty() && !domain.is_empty() && !domain.contains('@') && !jid.contains(['/', ' '])
        });
        if !valid {
            return Err(("jid", format!("{:?} is not an account address like ask@library.example", self.jid)));
        }
        if self.port == Some(0) {
            return Err(("port", "0 is not a port; leave it out for the usual one".into()));
        }
        if self.host.as_deref().is_some_and(|h| h.trim().is_empty() || h.contains(['/', ' '])) {
            return Err(("host", format!("{:?} is not a host name", self.host.as_deref().unwrap_or(""))));
        }
        for pin in &self.pins {
            crate::xmpp::pin::parse_pin(pin).map_err(|e| ("pins", e))?;
        }
        if self.directory_group.as_deref().is_some_and(|g| g.chars().count() > 100) {
            return Err(("directoryGroup", "a roster group name is at most 100 characters".into()));
        }
        if self.directory.len() > 500 {
            return Err(("directory", format!("{} librarians listed; at most 500", self.directory.len())));
        }
        for m in &self.directory {
            let jid = m.jid.trim();
            if !jid.split_once('@').is_some_and(|(u, d)| !u.is_empty() && !d.is_empty()) || jid.contains(['/', ' ']) {
                return Err((
                    "directory",
                    format!("{:?} is not a librarian's address like maria@library.example", m.jid),
                ));
            }
            if m.name.as_deref().is_some_and(|n| n.chars().count() > 100) || m.subjects.chars().count() > 200 {
                return Err((
                    "directory",
                    format!("the entry for {jid}: a name is at most 100 characters, subjects 200"),
                ));
            }
        }
        Ok(())
    }

    /// How to connect, for the XMPP layer.
    pub fn connect_config(&self) -> crate::xmpp::AccountConfig {
        crate::xmpp::AccountConfig {
            host: self.host.clone(),
            port: self.port,
            tls: match self.tls {
                Some(TlsChoice::Direct) => crate::xmpp::TlsMode::Direct,
                _ => crate::xmpp::TlsMode::StartTls,
            },
            extra_ca: self.ca_file.clone(),
            pins: self.pins.clone(),
            allow_plain: self.allow_plain,
            directory_group: self
                .directory_group
                .clone()
                .unwrap_or_else(|| crate::xmpp::AccountConfig::new("").directory_group),
            directory: self
                .directory
                .iter()
                .map(|m| crate::handoff::directory::DirectoryMember { jid: m.jid.trim().to_lowercase(), ..m.clone() })
                .collect(),
            buddies: self.buddies,
            ..crate::xmpp::AccountConfig::new(self.jid.trim())
        }
    }
}

/// What desktop notifications may say. Message text stays out by default: the desk screen faces
/// the public, and a notification can outlive the chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct NotificationPolicy {
    /// Notify at all (new questions while the window is hidden or in the background, long waits).
    pub enabled: bool,
    /// Show the start of the patron's message in the notification.
    pub message_text: bool,
}

impl Default for NotificationPolicy {
    fn default() -> Self {
        NotificationPolicy { enabled: true, message_text: false }
    }
}

/// Why a policy file was refused: where (line and column, or field path) and what to change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyFileError {
    #[error("{path}: cannot read: {message}")]
    Read { path: String, message: String },
    #[error("{path}:{line}:{column}: {message}")]
    Syntax { path: String, line: usize, column: usize, message: String },
    #[error("{path}: {field}: {message}")]
    Invalid { path: String, field: String, message: String },
}

/// Where IT puts the managed policy on this platform.
pub fn system_policy_path() -> PathBuf {
    if cfg!(windows) {
        PathBuf::from(r"C:\ProgramData\Refdesk\policy.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/Refdesk/policy.toml")
    } else {
        PathBuf::from("/etc/refdesk/policy.toml")
    }
}

/// The policy file the app should read: `REFDESK_POLICY` if set, else the system one if present.
pub fn policy_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("REFDESK_POLICY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    Some(system_policy_path()).filter(|p| p.exists())
}

/// What the app runs with: the file's policy under what the computer's management sets (Group
/// Policy on Windows, a configuration profile on macOS), or the defaults and why they were not
/// used. A bad file or setting never stops the desk from opening.
pub fn load_for_app(path: Option<&Path>) -> (LoadedPolicy, Option<String>) {
    load_managed(path, managed::read_system())
}

/// As `load_for_app`, with what management sets given (read, or why it could not be).
fn load_managed(
    path: Option<&Path>,
    managed: Result<Option<(toml::Table, String)>, String>,
) -> (LoadedPolicy, Option<String>) {
    let loaded = match (path, managed) {
        (_, Err(e)) => return (LoadedPolicy::default(), Some(e)),
        (None, Ok(None)) => return (LoadedPolicy::default(), None),
        (Some(p), Ok(None)) => load(p),
        (path, Ok(Some((table, origin)))) => {
            let file_origin = path.map(|p| p.display().to_string()).unwrap_or_default();
            path.map(std::fs::read_to_string)
                .transpose()
                .map_err(|e| PolicyFileError::Read { path: file_origin.clone(), message: e.to_string() })
                .and_then(|text| managed::merge_over_file(&text.unwrap_or_default(), &file_origin, &table, &origin))
        }
    };
    match loaded {
        Ok(p) => (p, None),
        Err(e) => (LoadedPolicy::default(), Some(e.to_string())),
    }
}

/// A checked policy (the file's, with a desk's own changes where it has some) and the engine
/// policy compiled from it.
#[derive(Debug, Clone, Default)]
pub struct LoadedPolicy {
    pub file: PolicyFile,
    pub desk: Policy,
    /// What the file locks and what it only starts a desk with.
    pub layers: layers::Layers,
}

pub fn load(path: &Path) -> Result<LoadedPolicy, PolicyFileError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| PolicyFileError::Read { path: path.display().to_string(), message: e.to_string() })?;
    parse(&text, &path.display().to_string())
}

/// Parses and validates `text`; `origin` names the file in messages.
pub fn parse(text: &str, origin: &str) -> Result<LoadedPolicy, PolicyFileError> {
    let file: PolicyFile = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((1, 1));
        PolicyFileError::Syntax {
            path: origin.to_owned(),
            line,
            column,
            // toml repeats the source excerpt; the first line is the reason.
            message: e.message().lines().next().unwrap_or("invalid TOML").to_owned(),
        }
    })?;
    check_file(file, origin)?;
    // The library's starting values are checked with what the file locks, as a desk runs them.
    let layers = layers::Layers::from_text(text);
    layers.effective(&toml::Table::new(), origin)
}

/// Checks what a policy file says beyond its syntax, and compiles the desk rules.
fn check_file(file: PolicyFile, origin: &str) -> Result<LoadedPolicy, PolicyFileError> {
    let desk = file.desk.compile().map_err(|e| PolicyFileError::Invalid {
        path: origin.to_owned(),
        field: format!("desk.{}", e.field),
        message: e.message,
    })?;
    file.statistics.check().map_err(|(field, message)| PolicyFileError::Invalid {
        path: origin.to_owned(),
        field: format!("statistics.{field}"),
        message,
    })?;
    file.retention.check().map_err(|(field, message)| PolicyFileError::Invalid {
        path: origin.to_owned(),
        field: format!("retention.{field}"),
        message,
    })?;
    file.glossary.check().map_err(|(term, message)| PolicyFileError::Invalid {
        path: origin.to_owned(),
        field: format!("glossary.terms.{term:?}"),
        message,
    })?;
    if let Some(replies) = &file.canned_replies {
        crate::canned::check(replies).map_err(|(i, field, message)| PolicyFileError::Invalid {
            path: origin.to_owned(),
            field: format!("cannedReplies[{i}].{field}"),
            message,
        })?;
    }
    for (i, a) in file.accounts.iter().enumerate() {
        a.check().map_err(|(field, message)| PolicyFileError::Invalid {
            path: origin.to_owned(),
            field: format!("accounts[{i}].{field}"),
            message,
        })?;
        if file.accounts[..i].iter().any(|b| b.jid.trim() == a.jid.trim()) {
            return Err(PolicyFileError::Invalid {
                path: origin.to_owned(),
                field: format!("accounts[{i}].jid"),
                message: format!("{} is listed twice", a.jid.trim()),
            });
        }
    }
    Ok(LoadedPolicy { file, desk, layers: layers::Layers::default() })
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map(|l| l.chars().count()).unwrap_or(0) + 1;
    (line, column)
}

impl crate::api::AccountEntry {
    /// The entry for the window, from an account as a policy file (or this desk) describes it.
    pub fn of(a: &AccountPolicy, own: bool) -> crate::api::AccountEntry {
        crate::api::AccountEntry {
            jid: a.jid.trim().to_owned(),
            host: a.host.clone(),
            port: a.port,
            direct_tls: a.tls == Some(TlsChoice::Direct),
            ca_file: a.ca_file.as_ref().map(|p| p.display().to_string()),
            own,
        }
    }

    /// The account as a policy file would describe it (this desk's own are kept that way).
    pub fn to_policy(&self) -> AccountPolicy {
        AccountPolicy {
            jid: self.jid.trim().to_owned(),
            host: self.host.as_deref().map(str::trim).filter(|h| !h.is_empty()).map(str::to_owned),
            port: self.port,
            tls: Some(if self.direct_tls { TlsChoice::Direct } else { TlsChoice::Starttls }),
            ca_file: self.ca_file.as_deref().map(str::trim).filter(|f| !f.is_empty()).map(std::path::PathBuf::from),
            allow_plain: false,
            pins: Vec::new(),
            directory_group: None,
            directory: Vec::new(),
            buddies: Default::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn group_policy_alone_runs_the_desk_and_a_registry_that_cannot_be_read_is_said() {
        use super::managed::{table_from_registry, RegValue, REGISTRY_ORIGIN};
        let values =
            vec![(r"SOFTWARE\Policies\Refdesk\desk".to_owned(), "maxChatsPerLibrarian".to_owned(), RegValue::Dword(4))];
        let table = table_from_registry(&values).unwrap();
        let (p, warning) = super::load_managed(None, Ok(Some((table, REGISTRY_ORIGIN.to_owned()))));
        assert_eq!((p.desk.max_chats, warning), (4, None));
        let (p, warning) =
            super::load_managed(None, Err("HKLM\\SOFTWARE\\Policies\\Refdesk: cannot read: denied".into()));
        assert_eq!(p.desk.max_chats, super::DeskPolicy::default().max_chats_per_librarian);
        assert!(warning.unwrap().contains("cannot read"));
    }

    use super::*;
    use crate::desk::QueueOrder;

    const GOOD: &str = r#"
[desk]
libraryName = "Thomas Ford Memorial Library"
order = "inPersonFirst"
minStaffForIm = 2
maxChatsPerLibrarian = 3

[desk.schedule]
timezone = "America/Chicago"
hours = [
  { day = "mon", open = "09:00", close = "20:00" },
  { day = "sat", open = "10:00", close = "14:00" },
]
closedDates = ["2026-12-25"]

[desk.templates]
queued = "Hi! You're number {position} in line: {wait}."
"#;

    #[test]
    fn a_good_file_loads_with_defaults_for_what_it_leaves_out() {
        let p = parse(GOOD, "policy.toml").unwrap();
        assert_eq!(p.file.desk.order, QueueOrder::InPersonFirst);
        assert_eq!(p.desk.min_staff_for_im, 2);
        assert_eq!(p.desk.max_chats, 3);
        assert_eq!(p.file.desk.reminder_interval_secs, DeskPolicy::default().reminder_interval_secs);
        assert_eq!(p.file.desk.templates.reminder, crate::desk::policy::Templates::default().reminder);
        assert!(p.desk.schedule.is_some());
    }

    #[test]
    fn notifications_leave_message_text_out_unless_the_library_allows_it() {
        let p = parse("", "p.toml").unwrap();
        assert_eq!(p.file.notifications, NotificationPolicy { enabled: true, message_text: false });
        let p = parse("[notifications]\nmessageText = true\n", "p.toml").unwrap();
        assert!(p.file.notifications.message_text && p.file.notifications.enabled);
        let e = parse("[notifications]\nmessagetext = true\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml:2:"), "{e}");
    }

    #[test]
    fn accounts_are_read_and_checked_and_never_carry_a_password() {
        let text = "[[accounts]]\njid = \"ask@library.example\"\nhost = \"xmpp.library.example\"\nport = 5223\n\
                    tls = \"direct\"\ncaFile = \"/etc/refdesk/ca.pem\"\n\n[[accounts]]\njid = \"maria@library.example\"\n";
        let p = parse(text, "p.toml").unwrap();
        assert_eq!(p.file.accounts.len(), 2);
        let c = p.file.accounts[0].connect_config();
        assert_eq!(
            (c.jid.as_str(), c.host.as_deref(), c.port),
            ("ask@library.example", Some("xmpp.library.example"), Some(5223))
        );
        assert_eq!(c.tls, crate::xmpp::TlsMode::Direct);
        assert!(!c.allow_plain);
        assert_eq!(p.file.accounts[1].connect_config().tls, crate::xmpp::TlsMode::StartTls);

        let e = parse("[[accounts]]\njid = \"ask\"\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml: accounts[0].jid: \"ask\" is not an account address"), "{e}");
        let e = parse("[[accounts]]\njid = \"a@b\"\n[[accounts]]\njid = \"a@b\"\n", "p.toml").unwrap_err();
        assert_eq!(e.to_string(), "p.toml: accounts[1].jid: a@b is listed twice");
        let e = parse("[[accounts]]\njid = \"a@b\"\npassword = \"hunter2\"\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml:3:") && e.to_string().contains("password"), "{e}");
        let e = parse("[[accounts]]\njid = \"a@b\"\nport = 0\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("accounts[0].port"), "{e}");
    }

    #[test]
    fn pinned_fingerprints_are_checked_and_reach_the_connection() {
        let pin = vec!["AB"; 32].join(":");
        let text = format!("[[accounts]]\njid = \"ask@library.example\"\npins = [\"sha256 Fingerprint={pin}\"]\n");
        let p = parse(&text, "p.toml").unwrap();
        assert_eq!(p.file.accounts[0].connect_config().pins, [format!("sha256 Fingerprint={pin}")]);
        let e = parse("[[accounts]]\njid = \"a@b\"\npins = [\"AB:CD\"]\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml: accounts[0].pins: \"AB:CD\" is not a SHA-256 fingerprint"), "{e}");
    }

    #[test]
    fn an_accounts_directory_list_and_group_reach_the_connection_and_are_checked() {
        let text = "[[accounts]]\njid = \"ask@library.example\"\ndirectoryGroup = \"Staff\"\n\
                    [[accounts.directory]]\njid = \"Maria@Library.example\"\nname = \"Maria\"\nsubjects = \"business, patents\"\n";
        let cfg = parse(text, "p.toml").unwrap().file.accounts[0].connect_config();
        assert_eq!(cfg.directory_group, "Staff");
        assert_eq!(
            (cfg.directory[0].jid.as_str(), cfg.directory[0].subjects.as_str()),
            ("maria@library.example", "business, patents")
        );
        assert_eq!(
            parse("[[accounts]]\njid = \"a@b\"\n", "p.toml").unwrap().file.accounts[0].connect_config().directory_group,
            "Librarians"
        );
        let e = parse("[[accounts]]\njid = \"a@b\"\n[[accounts.directory]]\njid = \"maria\"\n", "p.toml").unwrap_err();
        assert!(
            e.to_string().starts_with("p.toml: accounts[0].directory: \"maria\" is not a librarian's address"),
            "{e}"
        );
    }

    #[test]
    fn statistics_take_a_default_read_level_and_suggested_tags() {
        let p = parse("", "p.toml").unwrap();
        assert_eq!(p.file.statistics.default_level(), Some(2));
        let p = parse("[statistics]\ndefaultReadLevel = 0\ntags = [\"catalogue\", \"genealogy\"]\n", "p.toml").unwrap();
        assert_eq!((p.file.statistics.default_level(), p.file.statistics.tags.len()), (None, 2));
        let e = parse("[statistics]\ndefaultReadLevel = 7\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml: statistics.defaultReadLevel: 7 is not on the READ scale"), "{e}");
        let e = parse("[statistics]\ntags = [\"maps\", \"Maps\"]\n", "p.toml").unwrap_err();
        assert!(e.to_string().contains("statistics.tags: \"Maps\" is blank, repeated"), "{e}");
        let many: Vec<String> = (0..30).map(|i| format!("\"topic {i}\"")).collect();
        assert!(
            parse(&format!("[statistics]\ntags = [{}]\n", many.join(",")), "p.toml").is_ok(),
            "more than one question's worth"
        );
        let e = parse(&format!("[statistics]\ntags = [\"{}\"]\n", "x".repeat(50)), "p.toml").unwrap_err();
        assert!(e.to_string().contains("longer than 40"), "{e}");
    }

    #[test]
    fn the_glossary_takes_a_language_and_the_librarys_terms_and_names_a_bad_one() {
        let p =
            parse("[glossary]\nlanguage = \"nl\"\nterms = { ILL = \"interbibliothecair leenverkeer\" }\n", "p.toml")
                .unwrap();
        let terms = p.file.glossary.terms();
        assert!(terms.iter().any(|t| t.term == "ill" && t.meaning == "interbibliothecair leenverkeer"));
        assert!(terms.iter().any(|t| t.term == "brb" && t.meaning == "ben zo terug"));
        let e = parse("[glossary]\nterms = { \"two words\" = \"x\" }\n", "p.toml").unwrap_err().to_string();
        assert!(e.starts_with("p.toml: glossary.terms.\"two words\": a term is one word"), "{e}");
        let e = parse("[glossary]\nlanguage = \"fr\"\n", "p.toml").unwrap_err().to_string();
        assert!(e.starts_with("p.toml:2:12:"), "{e}");
    }

    #[test]
    fn canned_replies_are_read_and_checked() {
        let text = "[[cannedReplies]]\ntitle = \"Hours\"\ntext = \"{library} opens {opens}.\"\n";
        let p = parse(text, "p.toml").unwrap();
        assert_eq!(p.file.canned_replies.unwrap()[0].title, "Hours");
        assert_eq!(parse("cannedReplies = []\n", "p.toml").unwrap().file.canned_replies, Some(vec![]));
        let e = parse("[[cannedReplies]]\ntitle = \"Line\"\ntext = \"You are {position}\"\n", "p.toml").unwrap_err();
        assert!(e.to_string().starts_with("p.toml: cannedReplies[0].text: unknown placeholder {position}"), "{e}");
    }

    #[test]
    fn an_empty_file_is_the_default_policy() {
        assert_eq!(parse("", "p.toml").unwrap().file, PolicyFile::default());
    }

    #[test]
    fn a_misspelt_key_is_reported_with_its_line() {
        let text = GOOD.replace("maxChatsPerLibrarian", "maxChatsPerLibrarien");
        let e = parse(&text, "policy.toml").unwrap_err();
        match &e {
            PolicyFileError::Syntax { line, message, .. } => {
                assert_eq!(*line, 6, "{e}");
                assert!(message.contains("maxChatsPerLibrarien"), "{e}");
            }
            other => panic!("expected a syntax error, got {other:?}"),
        }
        assert!(e.to_string().starts_with("policy.toml:6:"), "{e}");
    }

    #[test]
    fn a_wrong_type_is_reported_with_its_line() {
        let e = parse("[desk]\n\nminStaffForIm = \"two\"\n", "p.toml").unwrap_err();
        assert!(matches!(e, PolicyFileError::Syntax { line: 3, .. }), "{e}");
        let e = parse("[desk]\norder = \"whoever-shouts\"\n", "p.toml").unwrap_err();
        assert!(matches!(e, PolicyFileError::Syntax { line: 2, .. }), "{e}");
    }

    #[test]
    fn a_bad_value_names_its_field() {
        let text = GOOD.replace("close = \"14:00\"", "close = \"09:00\"");
        let e = parse(&text, "policy.toml").unwrap_err();
        assert_eq!(e.to_string(), "policy.toml: desk.schedule.hours[1].close: closes at 09:00 but opens at 10:00; an opening must end after it starts");
        let text = GOOD.replace("{wait}", "{wiat}");
        let e = parse(&text, "policy.toml").unwrap_err();
        assert!(e.to_string().starts_with("policy.toml: desk.templates.queued: unknown placeholder {wiat}"), "{e}");
    }

    #[test]
    fn without_a_keyring_the_library_chooses_refusal_or_a_password_per_session() {
        assert_eq!(parse("", "t.toml").unwrap().file.keyring.fallback, KeyringFallback::None);
        let p = parse("[keyring]\nfallback = \"session\"\n", "t.toml").unwrap();
        assert_eq!(p.file.keyring.fallback, KeyringFallback::Session);
        let err = parse("[keyring]\nfallback = \"file\"\n", "t.toml").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:2:") && err.contains("file"), "{err}");
    }

    #[test]
    fn starting_at_login_is_the_librarians_unless_the_library_says() {
        let p = parse("", "t.toml").unwrap();
        assert_eq!(p.file.startup, StartupPolicy::default());
        assert_eq!(p.file.startup.autostart, crate::autostart::AutostartChoice::User);
        let p = parse("[startup]\nautostart = \"on\"\nhidden = true\n", "t.toml").unwrap();
        assert_eq!((p.file.startup.autostart, p.file.startup.hidden), (crate::autostart::AutostartChoice::On, true));
        let err = parse("[startup]\nautostart = \"sometimes\"\n", "t.toml").unwrap_err().to_string();
        assert!(err.starts_with("t.toml:2:") && err.contains("sometimes"), "{err}");
    }

    #[test]
    fn the_app_runs_with_defaults_and_a_reason_when_the_file_is_bad() {
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.toml");
        std::fs::write(&good, "[desk]\nminStaffForIm = 2\n").unwrap();
        let (p, problem) = load_for_app(Some(&good));
        assert_eq!((p.desk.min_staff_for_im, problem), (2, None));

        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "[desk]\nminStaffForIm = \"two\"\n").unwrap();
        let (p, problem) = load_for_app(Some(&bad));
        assert_eq!(p.desk.min_staff_for_im, 1, "defaults");
        assert!(problem.unwrap().contains("bad.toml:2:"), "says where");

        let (_, problem) = load_for_app(Some(&dir.path().join("missing.toml")));
        assert!(problem.unwrap().contains("cannot read"));
        assert_eq!(load_for_app(None).1, None);
    }

    #[test]
    fn broken_toml_is_reported_not_panicked_on() {
        for junk in ["[desk", "desk = [", "\u{0}\u{1}", "[desk]\norder = ", "[[desk]]\n"] {
            assert!(parse(junk, "p.toml").is_err(), "{junk:?} must be refused");
        }
    }
}
