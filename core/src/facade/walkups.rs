//! Walk-up patrons at the physical desk: starting, ending and rating them, their topics kept redacted.

use super::*;

impl Desk {
    /// A patron walks up. `topic` is optional and short; blank means none.
    pub fn start_walkup(&mut self, topic: Option<&str>, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        // Kept for statistics and found by the history search: redacted like a transcript, since
        // a librarian may well type the patron's name or card number.
        let topic = clean_topic(topic)?.map(|t| redact_topic(&privacy::redact::Redactor::new(), &t));
        let w = self.record(now, |store| {
            let librarian = crate::facade::handoffs::stored_card(store)?.name;
            let w = store.start_walkup(topic.as_deref(), &librarian, now)?;
            Ok((vec![Event::WalkupArrived { walkup: w.id }], w))
        })?;
        tracing::info!(walkup = w.id, "walk-up started");
        self.snapshot(now)
    }

    /// Rates a walk-up (usually the one just ended).
    pub fn rate_walkup(&mut self, id: i64, rating: &api::Rating) -> Result<()> {
        let (level, tags) = clean_rating(rating)?;
        if !self.store.rate_walkup(id, level, &tags)? {
            return Err(Error::InvalidInput(format!("there is no walk-up {id} to rate")));
        }
        Ok(())
    }

    pub fn end_walkup(&mut self, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let level = self.default_read_level;
        let w = self.record(now, |store| {
            let w = store.end_walkup(now)?;
            store.rate_walkup(w.id, level, &[])?;
            Ok((vec![Event::WalkupEnded { walkup: w.id }], w))
        })?;
        tracing::info!(walkup = w.id, "walk-up ended");
        self.snapshot(now)
    }

    pub fn walkups_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<WalkUp>> {
        Ok(self.store.walkups_between(from, to)?)
    }
}

/// Trims, drops control characters, and refuses (rather than silently cuts) an over-long topic.
pub(crate) fn clean_topic(topic: Option<&str>) -> Result<Option<String>> {
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

/// A walk-up topic as it is kept: redacted, and no longer than a topic may be (a placeholder can
/// be longer than what it replaced).
pub(crate) fn redact_topic(redactor: &privacy::redact::Redactor, topic: &str) -> String {
    redactor.redact(topic).chars().take(MAX_TOPIC_CHARS).collect()
}

/// Start of the local calendar day containing `now`, for "today" counts at the desk.
pub(crate) fn local_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    let local_day = now.with_timezone(&Local).date_naive();
    // A DST change at midnight can make 00:00 missing or doubled: take the earliest valid instant.
    Local
        .from_local_datetime(&local_day.and_time(NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - chrono::Duration::hours(24))
}
