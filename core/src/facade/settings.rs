//! What a desk is set to: its policy, ready answers, resource and archive position, roster and directory, and the history it reads back.

use super::*;

impl Desk {
    /// Whether this desk sends the rules' automatic replies, or leaves them to another desk signed in
    /// to the same account (so the patron hears each once).
    pub fn set_sends_auto_replies(&mut self, sends: bool) {
        self.sends_auto_replies = sends;
    }

    /// The library's canned replies (checked by the policy loader); `None`: Refdesk's own.
    pub fn set_canned_replies(&mut self, replies: Option<Vec<canned::CannedReply>>) {
        self.canned = replies.unwrap_or_else(canned::defaults);
    }

    /// The canned replies as the composer offers them now, placeholders filled in.
    pub fn canned_replies(&self, now: DateTime<Utc>) -> Vec<api::CannedReplyView> {
        let opens = self.engine.as_ref().and_then(|e| e.opens_words(now));
        self.canned
            .iter()
            .map(|r| api::CannedReplyView {
                title: r.title.trim().to_owned(),
                text: canned::fill(r, &self.policy.library_name, opens.clone()),
            })
            .collect()
    }

    /// The READ level for questions closed without a choice (the library's policy); None: unrated.
    pub fn set_default_read_level(&mut self, level: Option<u8>) {
        self.default_read_level = level.filter(|l| (1..=6).contains(l));
    }

    /// Uses `policy` from now on (the engine is rebuilt from the store on the next event).
    pub fn set_policy(&mut self, policy: Policy) {
        self.handoffs.set_answer_within(policy.handoff_answer);
        self.policy = policy;
        self.engine = None;
    }

    /// This desk's XMPP resource, made once and kept: desks sharing one account each need their own
    /// (the same one twice makes the server sign the first desk out), and keeping it across restarts
    /// lets the server tell a returning desk from a new one.
    pub fn resource(&mut self) -> Result<String> {
        if let Some(r) = self.store.setting(RESOURCE_KEY)? {
            return Ok(r);
        }
        let mut bytes = [0u8; 4];
        ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut bytes)
            .map_err(|_| Error::InvalidInput("no random source for the desk's resource".into()))?;
        let r = format!("refdesk-{}", bytes.iter().map(|b| format!("{b:02x}")).collect::<String>());
        self.store.set_setting(RESOURCE_KEY, &r)?;
        Ok(r)
    }

    /// The archive id of the newest message this desk has from `account`'s archive, if any.
    pub fn archive_position(&self, account: &str) -> Result<Option<String>> {
        Ok(self.store.setting(&format!("{ARCHIVE_KEY}:{account}"))?)
    }

    pub fn set_archive_position(&mut self, account: &str, archive_id: &str) -> Result<()> {
        Ok(self.store.set_setting(&format!("{ARCHIVE_KEY}:{account}"), archive_id)?)
    }

    /// The desk's opening hours for the next four weeks, for the website's chat box to show while
    /// nobody is at the desk: the time zone and the open stretches (none without a timetable).
    pub fn opening_hours(&self, now: DateTime<Utc>) -> (String, Vec<crate::desk::schedule::Stretch>) {
        match &self.policy.schedule {
            Some(s) => (s.timezone().name().to_owned(), s.openings(now, now + chrono::Duration::days(28))),
            None => (String::new(), Vec::new()),
        }
    }

    /// Reference statistics for questions that started in `[from, to)`, hours and days in `tz`.
    pub fn statistics<Tz: chrono::TimeZone>(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        tz: &Tz,
    ) -> Result<api::Statistics> {
        history::statistics(&self.store, from, to, tz)
    }

    /// The account's colleague directory now; true if it changed (the window is to be told).
    pub fn set_directory(&mut self, account: &str, entries: Vec<api::DirectoryEntry>) -> bool {
        self.directory.insert(account.to_owned(), entries.clone()) != Some(entries)
    }

    /// The account's roster as the server gave it after signing in.
    pub fn set_roster(&mut self, account: &str, items: &[xmpp::RosterItem]) {
        self.names.set_roster(account, items);
    }

    /// One contact on the account's roster changed or was removed.
    pub fn roster_changed(&mut self, account: &str, item: &xmpp::RosterItem) {
        self.names.roster_changed(account, item);
    }

    /// One kept transcript, redacted, for the history view.
    pub fn transcript(&self, id: i64) -> Result<api::TranscriptView> {
        history::transcript(&self.store, id)
    }

    pub fn search_transcripts(&self, query: &str, limit: u32) -> Result<Vec<store::SearchHit>> {
        self.search_transcripts_in(query, &api::SearchFilter::default(), &chrono::Local, limit)
    }

    /// As `search_transcripts`, in the transcripts `filter` names, its days taken in `tz`.
    pub fn search_transcripts_in<Tz: chrono::TimeZone>(
        &self,
        query: &str,
        filter: &api::SearchFilter,
        tz: &Tz,
        limit: u32,
    ) -> Result<Vec<store::SearchHit>> {
        history::search(&self.store, query, filter, tz, limit)
    }
}
