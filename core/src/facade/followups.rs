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
        let librarian = handoff::facade::stored_card(&self.store)?.name;
        let found = self.store.atomically(|s| {
            let Some((f, stable_id)) = s.take_followup(id, now)? else { return Ok(None) };
            let redactor = privacy::redact::Redactor::with_names(&known.for_chat(&f.view.account, &f.peer));
            let line = (f.view.at, store::Speaker::Patron, redactor.redact(&f.view.question));
            s.write_transcript(&store::NewTranscript {
                account: &f.view.account,
                peer: &f.peer,
                patron: &privacy::pseudonym(&key, &f.peer),
                reason: "followUp",
                librarian: &librarian,
                lines: vec![line],
                upto: 0,
                closed_at: now,
            })?;
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
