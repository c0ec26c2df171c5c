//! refdesk-core: everything Refdesk does, behind the [`Desk`] facade that the app shell and refdeskctl call.

pub mod api;
pub mod desk;
pub mod error;
pub mod logging;
pub mod paths;
pub mod policy;
pub mod store;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Local, NaiveTime, TimeZone, Utc};

pub use error::{Error, Result, StoreError};

use api::{DeskSnapshot, Presence, WalkUp};
use store::Store;

/// The longest walk-up topic we keep: a few words for statistics, never a life story.
pub const MAX_TOPIC_CHARS: usize = 200;

const PRESENCE_KEY: &str = "presence";

/// One librarian's desk: the store and what the desk is doing now.
#[derive(Debug)]
pub struct Desk {
    store: Store,
}

impl Desk {
    /// Opens the desk whose database is `db_path`.
    pub fn open(db_path: &Path) -> Result<Desk> {
        Ok(Desk { store: Store::open(db_path)? })
    }

    /// Sets a damaged database aside and starts with an empty one; returns where the old file went.
    pub fn open_fresh(db_path: &Path, now: DateTime<Utc>) -> Result<(Desk, Option<PathBuf>)> {
        let (store, kept) = Store::open_fresh(db_path, now)?;
        if let Some(kept) = &kept {
            tracing::warn!(kept = %kept.display(), "damaged database set aside; started with an empty one");
        }
        Ok((Desk { store }, kept))
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn presence(&self) -> Result<Presence> {
        Ok(self.store.setting(PRESENCE_KEY)?.as_deref().and_then(Presence::parse).unwrap_or(Presence::Available))
    }

    pub fn snapshot(&self, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let presence = self.presence()?;
        let active_walkup = self.store.active_walkup()?;
        let walkups_today = self.store.count_walkups_since(local_midnight(now))?;
        Ok(DeskSnapshot {
            state: desk::desk_state(presence, active_walkup.is_some()),
            presence,
            active_walkup,
            walkups_today,
        })
    }

    /// A patron walks up. `topic` is optional and short; blank means none.
    pub fn start_walkup(&self, topic: Option<&str>, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let topic = clean_topic(topic)?;
        let w = self.store.start_walkup(topic.as_deref(), now)?;
        tracing::info!(walkup = w.id, "walk-up started");
        self.snapshot(now)
    }

    pub fn end_walkup(&self, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let w = self.store.end_walkup(now)?;
        tracing::info!(walkup = w.id, "walk-up ended");
        self.snapshot(now)
    }

    pub fn set_presence(&self, presence: Presence, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        self.store.set_setting(PRESENCE_KEY, presence.as_str())?;
        tracing::info!(presence = presence.as_str(), "presence changed");
        self.snapshot(now)
    }

    pub fn walkups_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<WalkUp>> {
        Ok(self.store.walkups_between(from, to)?)
    }
}

/// Trims, drops control characters, and refuses (rather than silently cuts) an over-long topic.
fn clean_topic(topic: Option<&str>) -> Result<Option<String>> {
    let Some(raw) = topic else { return Ok(None) };
    let cleaned: String = raw.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Ok(None);
    }
    let n = cleaned.chars().count();
    if n > MAX_TOPIC_CHARS {
        return Err(Error::InvalidInput(format!(
            "the walk-up topic is {n} characters long; keep it to {MAX_TOPIC_CHARS} (a few words for statistics)"
        )));
    }
    Ok(Some(cleaned.to_owned()))
}

/// Start of the local calendar day containing `now`, for "today" counts at the desk.
fn local_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let local_day = now.with_timezone(&Local).date_naive();
    // A DST change at midnight can make 00:00 missing or doubled: take the earliest valid instant.
    Local
        .from_local_datetime(&local_day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - chrono::Duration::hours(24))
}

#[cfg(test)]
mod tests {
    use super::*;
    use api::DeskState;
    use chrono::Duration;

    fn desk() -> (tempfile::TempDir, Desk) {
        let dir = tempfile::tempdir().unwrap();
        let desk = Desk::open(&dir.path().join("refdesk.db")).unwrap();
        (dir, desk)
    }

    #[test]
    fn a_walkup_shows_the_desk_busy_until_it_ends() {
        let (_d, desk) = desk();
        let t0 = Utc::now();
        assert_eq!(desk.snapshot(t0).unwrap().state, DeskState::Available);
        let s = desk.start_walkup(Some("  where are the atlases?  "), t0).unwrap();
        assert_eq!(s.state, DeskState::WithPatron);
        assert_eq!(s.active_walkup.as_ref().and_then(|w| w.topic.as_deref()), Some("where are the atlases?"));
        assert_eq!(s.walkups_today, 1);
        let s = desk.end_walkup(t0 + Duration::minutes(2)).unwrap();
        assert_eq!(s.state, DeskState::Available);
        assert_eq!(s.active_walkup, None);
        assert_eq!(s.walkups_today, 1);
    }

    #[test]
    fn presence_is_remembered_across_restarts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("refdesk.db");
        Desk::open(&path).unwrap().set_presence(Presence::Away, Utc::now()).unwrap();
        let desk = Desk::open(&path).unwrap();
        assert_eq!(desk.presence().unwrap(), Presence::Away);
        assert_eq!(desk.snapshot(Utc::now()).unwrap().state, DeskState::Away);
    }

    #[test]
    fn topics_are_cleaned_and_bounded() {
        assert_eq!(clean_topic(None).unwrap(), None);
        assert_eq!(clean_topic(Some("   \t ")).unwrap(), None);
        assert_eq!(clean_topic(Some("tax\u{0}forms\n")).unwrap().as_deref(), Some("tax forms"));
        let long = "é".repeat(MAX_TOPIC_CHARS);
        assert_eq!(clean_topic(Some(&long)).unwrap().as_deref(), Some(long.as_str()));
        let err = clean_topic(Some(&"a".repeat(MAX_TOPIC_CHARS + 1))).unwrap_err();
        assert!(matches!(err, Error::InvalidInput(_)));
        assert!(err.to_string().contains("201 characters"), "{err}");
    }

    #[test]
    fn an_over_long_topic_records_nothing() {
        let (_d, desk) = desk();
        let now = Utc::now();
        assert!(desk.start_walkup(Some(&"x".repeat(500)), now).is_err());
        assert_eq!(desk.snapshot(now).unwrap().active_walkup, None);
        assert_eq!(desk.snapshot(now).unwrap().walkups_today, 0);
    }

    #[test]
    fn local_midnight_is_at_or_before_now_and_within_a_day() {
        let now = Utc::now();
        let m = local_midnight(now);
        assert!(m <= now && now - m < Duration::hours(25));
    }
}
