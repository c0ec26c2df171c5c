//! Questions left in the website's chat box while the desk was closed: the list the librarian
//! answers by email, and what stays once one is answered.

use super::*;

impl Desk {
    /// The follow-ups waiting for an answer, oldest first.
    pub fn followups(&self) -> Result<Vec<api::FollowUpView>> {
        Ok(self.store.followups()?)
    }

    /// The librarian answered follow-up `id` (by email, outside the desk): it leaves the list, and
    /// its question stays as a redacted transcript (a web question, closed as `followUp`), so it
    /// counts in the statistics and the history like any other. The address it carried goes.
    /// The desk as it is then (its count of follow-ups).
    pub fn answer_followup(&mut self, id: i64, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let key = self.pseudonym_key(now)?;
        let known = &self.names;
        let librarian = crate::facade::handoffs::stored_card(&self.store)?.name;
        let found = self.store.atomically(|s| {
            let Some((f, stable_id)) = s.take_followup(id, now)? else { return Ok(None) };
            transcribe_followup(s, &f, "followUp", &librarian, &key, known, now)?;
            Ok(Some((f.view.account, stable_id)))
        })?;
        let Some((account, stable_id)) = found else {
            return Err(Error::InvalidInput(format!("there is no follow-up {id}; another desk may have answered it")));
        };
        // The other desks signed in now take it off their lists (one signed out keeps it: see
        // docs/web-chat.md).
        for c in self.colleagues.get(&account).into_iter().flatten() {
            let signal =
                handoff::Signal::FollowUpAnswered { id: xmpp::session::new_message_id(), followup: stable_id.clone() };
            self.handoff_out.push((account.clone(), c.resource.clone(), signal));
        }
        self.snapshot(now)
    }
}

/// What stays of a follow-up once answered (`followUp`) or once its time is up
/// (`followUpUnanswered`): its question, redacted, as a web transcript, so it counts in the
/// statistics and the history like any other question.
pub(crate) fn transcribe_followup(
    s: &store::Store,
    f: &store::FollowUp,
    reason: &str,
    librarian: &str,
    key: &[u8],
    known: &privacy::names::KnownNames,
    now: DateTime<Utc>,
) -> std::result::Result<(), crate::error::StoreError> {
    let redactor = privacy::redact::Redactor::with_names(&known.for_chat(&f.view.account, &f.peer));
    let line = (f.view.at, store::Speaker::Patron, redactor.redact(&f.view.question));
    let id = s.write_transcript(&store::NewTranscript {
        account: &f.view.account,
        peer: &f.peer,
        patron: &privacy::pseudonym(key, &f.peer),
        reason,
        librarian,
        lines: vec![line],
        upto: 0,
        closed_at: now,
    })?;
    // Only the website's box leaves follow-ups, and its visit may be gone by the time one expires.
    if let Some(id) = id {
        s.set_transcript_medium(id, api::Medium::Web)?;
    }
    Ok(())
}
