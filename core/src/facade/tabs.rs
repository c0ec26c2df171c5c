//! The window's tabs and conversations: the list, order, closing and reopening, pages of messages, drafts.

use super::*;

impl Desk {
    pub fn conversations(&self) -> Result<Vec<ConversationView>> {
        Ok(self.store.conversations()?)
    }

    /// Closes a conversation's tab. A chat still under way keeps its tab: close the chat first.
    pub fn close_tab(&mut self, account: &str, peer: &str) -> Result<()> {
        let (queue, chats) = self.engine.as_ref().map(desk_view).unwrap_or_default();
        let waiting = queue.iter().any(|q| matches!(q, api::QueuedView::Chat { peer: p, .. } if p == peer));
        if waiting || chats.iter().any(|c| c.peer == peer && c.phase != api::ChatPhase::Elsewhere) {
            return Err(Error::InvalidInput(format!("the chat with {peer} is under way; close the chat first")));
        }
        if !self.store.close_tab(account, peer)? {
            return Err(Error::InvalidInput(format!("there is no conversation with {peer} on {account}")));
        }
        self.left.remove(peer);
        Ok(())
    }

    /// Tabs closed recently enough to reopen, the most recently active first.
    pub fn closed_tabs(&self, limit: u32) -> Result<Vec<ConversationView>> {
        Ok(self.store.closed_tabs(limit.clamp(1, MAX_PAGE))?)
    }

    pub fn reopen_tab(&mut self, account: &str, peer: &str) -> Result<()> {
        Ok(self.store.reopen_tab(account, peer)?)
    }

    /// Puts a tab at position `to` (0 is the first) and returns the tabs in their new order.
    pub fn move_tab(&mut self, account: &str, peer: &str, to: u32) -> Result<Vec<ConversationView>> {
        let to = usize::try_from(to).unwrap_or(usize::MAX);
        self.store
            .move_tab(account, peer, to)?
            .ok_or_else(|| Error::InvalidInput(format!("there is no open tab for {peer} on {account}")))
    }

    /// Up to `limit` messages of a conversation before message `before` (or the newest), oldest first.
    pub fn messages(&self, account: &str, peer: &str, before: Option<i64>, limit: u32) -> Result<Vec<MessageView>> {
        let limit = limit.clamp(1, MAX_PAGE);
        Ok(self.store.messages_page(account, peer, before, limit)?.into_iter().map(MessageView::from).collect())
    }

    pub fn mark_read(&mut self, account: &str, peer: &str, upto: i64) -> Result<()> {
        Ok(self.store.mark_read(account, peer, upto)?)
    }

    /// Keeps a half-typed reply; refuses (rather than cuts) one longer than a message may be.
    pub fn save_draft(&mut self, account: &str, peer: &str, draft: &str) -> Result<()> {
        let n = draft.chars().count();
        if n > store::MAX_DRAFT_CHARS {
            return Err(Error::InvalidInput(format!(
                "the draft is {n} characters long; a message may have at most {}",
                store::MAX_DRAFT_CHARS
            )));
        }
        Ok(self.store.save_draft(account, peer, draft)?)
    }
}
