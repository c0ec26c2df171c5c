//! Which other desk on a shared account has each chat this desk let go, so the window can say
//! "Maria's desk is answering", and so a chat whose desk left comes back here after a while.

use chrono::{DateTime, Utc};

use crate::desk::Event;
use crate::{Desk, Result};

impl Desk {
    /// The desk signed in as `resource` is answering `peer` (its claim, its answer, or a handoff).
    pub(crate) fn note_elsewhere(&mut self, peer: &str, resource: &str) {
        self.elsewhere_by.insert(peer.to_owned(), resource.to_owned());
        self.orphaned.remove(peer);
    }

    /// The other desks of `account` changed: chats held by a desk that left start their wait to
    /// come back here; those of a desk that is back stop waiting.
    pub(crate) fn claims_follow_desks(&mut self, present: &[String], gone: &[String], now: DateTime<Utc>) {
        for (peer, resource) in &self.elsewhere_by {
            if gone.contains(resource) {
                self.orphaned.entry(peer.clone()).or_insert(now);
            }
        }
        let elsewhere_by = &self.elsewhere_by;
        self.orphaned.retain(|peer, _| elsewhere_by.get(peer).is_none_or(|r| !present.contains(r)));
    }

    /// Chats whose desk has been gone for the library's `claimReleaseSecs` wait in line here again.
    pub(crate) fn release_orphans(&mut self, now: DateTime<Utc>) -> Result<()> {
        let after = self.policy.claim_release;
        let due: Vec<String> =
            self.orphaned.iter().filter(|(_, left)| **left + after <= now).map(|(p, _)| p.clone()).collect();
        for peer in due {
            self.orphaned.remove(&peer);
            self.elsewhere_by.remove(&peer);
            self.record(now, |_| Ok((vec![Event::ReleasedElsewhere { chat: peer.clone() }], ())))?;
            tracing::info!("the desk that had a chat left; the chat waits in this desk's line again");
        }
        Ok(())
    }

    pub(crate) fn orphans_deadline(&self) -> Option<DateTime<Utc>> {
        self.orphaned.values().min().map(|left| *left + self.policy.claim_release)
    }

    /// The name of the desk answering `peer`, when another desk has it and said who it is.
    pub(crate) fn elsewhere_desk(&self, peer: &str) -> Option<String> {
        let resource = self.elsewhere_by.get(peer)?;
        let c = self.colleagues.values().flatten().find(|c| &c.resource == resource)?;
        (!c.name.trim().is_empty()).then(|| c.name.clone())
    }
}
