//! The desk's side of a handoff: who the colleagues are, offering and answering from the window,
//! signals from other desks, and what each outcome does to the chat and the patron.

mod claims;
mod notes;
mod referral;

use chrono::{DateTime, Utc};

use crate::api::{ColleagueView, DeskSnapshot, MessageStatus};
use crate::desk::Event;
use crate::handoff::{DeskCard, Signal, Step};
use crate::{store, xmpp, Desk, Error, Result, STAFF_ID};

const CARD_KEY: &str = "desk_card";

/// This desk's card as kept in `store` (the default, nameless card if none was given).
pub fn stored_card(store: &store::Store) -> Result<DeskCard> {
    Ok(store.setting(CARD_KEY)?.and_then(|j| serde_json::from_str(&j).ok()).unwrap_or_default())
}

impl Desk {
    /// Who staffs this desk, as its colleagues see it (blank until the librarian says).
    pub fn desk_card(&self) -> Result<DeskCard> {
        stored_card(&self.store)
    }

    /// Keeps this desk's card; the IM service shows it to the other desks in its presence, and
    /// the name is the `{librarian}` of the auto-replies from now on.
    pub fn set_desk_card(&mut self, name: &str, subjects: &str, now: DateTime<Utc>) -> Result<DeskCard> {
        let card = DeskCard::new(name, subjects).map_err(Error::InvalidInput)?;
        let json = serde_json::to_string(&card).map_err(|e| Error::InvalidInput(format!("desk card: {e}")))?;
        self.store.set_setting(CARD_KEY, &json)?;
        self.card_revision = crate::next_revision();
        let on_duty = self.engine.as_ref().is_some_and(|e| e.is_on_duty(STAFF_ID));
        if on_duty {
            let event = self.on_duty()?;
            self.record(now, |_| Ok((vec![event], ())))?;
        }
        Ok(card)
    }

    /// The other desks signed in to `account` now (from their presence). Offers to a desk that
    /// left are over at once: the chat stays here. True if the list changed.
    pub fn set_colleagues(&mut self, account: &str, desks: Vec<ColleagueView>, now: DateTime<Utc>) -> Result<bool> {
        let on_duty_before = self.other_desks_on_duty();
        let before = self.colleagues.insert(account.to_owned(), desks.clone()).unwrap_or_default();
        if before == desks {
            return Ok(false);
        }
        // Open desks count towards the librarians the rules want for IM (double-staffing).
        let count = self.other_desks_on_duty();
        if count != on_duty_before {
            self.record(now, |_| Ok((vec![crate::desk::Event::OtherDesksOnDuty { count }], ())))?;
        }
        let present: Vec<String> = desks.iter().map(|d| d.resource.clone()).collect();
        let gone: Vec<String> =
            before.iter().filter(|b| !present.contains(&b.resource)).map(|b| b.resource.clone()).collect();
        let mut steps = Vec::new();
        for resource in &gone {
            steps.extend(self.handoffs.desk_left(account, resource));
        }
        self.apply_handoff_steps(steps, now)?;
        self.claims_follow_desks(&present, &gone, now);
        Ok(true)
    }

    /// The other desks on any of this desk's accounts whose librarian is on duty (a desk signed
    /// in to two accounts is one librarian).
    pub(crate) fn other_desks_on_duty(&self) -> u32 {
        let open: std::collections::BTreeSet<&str> =
            self.colleagues.values().flatten().filter(|c| c.on_duty).map(|c| c.resource.as_str()).collect();
        u32::try_from(open.len()).unwrap_or(u32::MAX)
    }

    /// Offers the chat with `peer` to the colleague's desk signed in as `to`, with a short note for
    /// them. The patron is told they are being passed on; the chat stays here until the colleague accepts.
    pub fn offer_chat(&mut self, peer: &str, to: &str, note: &str, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let account = self.chat_to_pass_on(peer, now)?;
        let colleague =
            self.colleagues.get(&account).and_then(|list| list.iter().find(|c| c.resource == to)).cloned().ok_or_else(
                || Error::InvalidInput("that desk is no longer signed in; choose another colleague".into()),
            )?;
        let from_name = self.desk_card()?.name;
        let id = xmpp::session::new_message_id();
        let step = self
            .handoffs
            .offer(&id, &account, peer, to, &colleague.name, &from_name, note, now)
            .map_err(Error::InvalidInput)?;
        let text = self.handoff_text(&self.templates_for_patron(peer).handoff, &colleague.name);
        self.reply(&account, peer, &text, now)?;
        self.apply_handoff_steps(vec![step], now)?;
        tracing::info!("chat offered to a colleague's desk");
        self.snapshot(now)
    }

    /// The account of the chat with `peer`, if it is under way or waiting at this desk: only
    /// then can it be passed on (offered to a desk, referred to a librarian).
    pub(crate) fn chat_to_pass_on(&mut self, peer: &str, now: DateTime<Utc>) -> Result<String> {
        let account = self
            .store
            .account_of(peer)?
            .ok_or_else(|| Error::InvalidInput("there is no conversation with that patron".into()))?;
        self.ensure_engine(now)?;
        let here = self.engine.as_ref().is_some_and(|e| e.chat_state(peer).is_some());
        if !here {
            return Err(Error::InvalidInput(
                "this chat is not at this desk, so it cannot be passed on from here".into(),
            ));
        }
        Ok(account)
    }

    /// This desk's librarian accepts (or declines) offer `id`.
    pub fn answer_offer(&mut self, id: &str, accept: bool, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let step = if accept { self.handoffs.accept(id, now) } else { self.handoffs.decline(id) };
        let step = step.map_err(Error::InvalidInput)?;
        self.apply_handoff_steps(vec![step], now)?;
        self.snapshot(now)
    }

    /// Takes back an offer this desk made before it is answered: the chat stays here.
    pub fn withdraw_offer(&mut self, id: &str, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        let steps = self.handoffs.withdraw(id).map_err(Error::InvalidInput)?;
        self.apply_handoff_steps(steps, now)?;
        self.snapshot(now)
    }

    /// A handoff signal that came on `account`. Believed only from another desk of the same account
    /// and only when addressed to this desk itself; true if it changed anything here.
    pub fn receive_handoff(&mut self, account: &str, m: &xmpp::ChatMessage, now: DateTime<Utc>) -> Result<bool> {
        let Some(signal) = m.handoff.as_deref().cloned() else { return Ok(false) };
        let ours = format!("{account}/{}", self.resource()?);
        let (bare, from) = m.from.split_once('/').unwrap_or((m.from.as_str(), ""));
        let direct = m.carbon.is_none() && !m.from_archive && m.to.as_deref() == Some(ours.as_str());
        if !direct || bare != account || from.is_empty() || m.from == ours {
            tracing::warn!(%account, "dropped a handoff signal that did not come from another desk of this account");
            return Ok(false);
        }
        if let Signal::Offer { patron, .. } = &signal {
            if xmpp::session::bare(patron) == account {
                return Ok(false);
            }
        }
        let before = self.handoffs.views();
        let steps = self.handoffs.receive(account, from, signal, now);
        self.apply_handoff_steps(steps, now)?;
        let changed = self.handoffs.views() != before || std::mem::take(&mut self.followups_changed);
        // (An offer that arrives changes nothing else: the window still has to see it.)
        self.handoffs_changed |= changed;
        Ok(changed)
    }

    /// Handoff signals waiting to go out on `account`, as (full JID of the desk, signal).
    pub fn take_handoff_signals(&mut self, account: &str) -> Vec<(String, Signal)> {
        let (mine, rest) = std::mem::take(&mut self.handoff_out).into_iter().partition(|(a, _, _)| a == account);
        self.handoff_out = rest;
        mine.into_iter().map(|(a, to, signal): (String, String, Signal)| (format!("{a}/{to}"), signal)).collect()
    }

    /// Offers under way changed since the last call (the window should be told).
    pub fn take_handoffs_changed(&mut self) -> bool {
        std::mem::take(&mut self.handoffs_changed)
    }

    /// Ends the offers whose time is up.
    pub(crate) fn expire_handoffs(&mut self, now: DateTime<Utc>) -> Result<()> {
        let steps = self.handoffs.expire(now);
        let changed = !steps.is_empty() || self.handoffs.next_deadline().is_some_and(|d| d <= now);
        self.apply_handoff_steps(steps, now)?;
        if changed {
            self.handoffs_changed = true;
        }
        Ok(())
    }

    fn apply_handoff_steps(&mut self, steps: Vec<Step>, now: DateTime<Utc>) -> Result<()> {
        for step in steps {
            self.handoffs_changed |= !matches!(step, Step::Note { .. } | Step::FollowUpAnswered { .. });
            match step {
                Step::Send { account, to, signal } => self.handoff_out.push((account, to, signal)),
                Step::HandedOver { patron, to, .. } => {
                    self.record(now, |_| Ok((vec![Event::HandedOver { chat: patron.clone() }], ())))?;
                    self.note_elsewhere(&patron, &to);
                    tracing::info!("a colleague's desk took over a chat");
                }
                Step::StaysHere { patron, to_name } => {
                    let Some(account) = self.store.account_of(&patron)? else { continue };
                    let text = self.handoff_text(&self.templates_for_patron(&patron).handoff_failed, &to_name);
                    let id = xmpp::session::new_message_id();
                    self.store.insert_message(store::NewMessage {
                        account: &account,
                        peer: &patron,
                        incoming: false,
                        stable_id: &id,
                        body: &text,
                        at: now,
                        auto_reply: true,
                        status: MessageStatus::Pending,
                        origin_id: Some(&id),
                    })?;
                    tracing::info!("a chat offered to a colleague stays at this desk");
                }
                Step::Note { account, patron, id, from_name, text } => {
                    self.keep_colleagues_note(&account, &patron, &id, &from_name, &text, now)?;
                }
                Step::FollowUpAnswered { account, followup } => {
                    if self.store.followup_answered_elsewhere(&account, &followup, now)? {
                        self.followups_changed = true;
                        tracing::info!(%account, "another desk answered a follow-up question");
                    }
                }
                Step::TakeOver { patron, .. } => {
                    self.claimed.insert(patron.clone());
                    self.elsewhere_by.remove(&patron);
                    self.orphaned.remove(&patron);
                    let staff = STAFF_ID.to_owned();
                    self.record(now, |_| Ok((vec![Event::HandedIn { chat: patron.clone(), staff }], ())))?;
                    tracing::info!("took over a chat a colleague's desk handed on");
                }
            }
        }
        Ok(())
    }

    /// A handoff template for the patron: the colleague by name, or "a colleague" for a desk with no name.
    /// The replies in the language `peer` writes in, where the policy has them.
    pub(crate) fn templates_for_patron(&self, peer: &str) -> &crate::desk::policy::Templates {
        self.policy.templates_for(self.engine.as_ref().and_then(|e| e.language(peer)))
    }

    fn handoff_text(&self, template: &str, colleague: &str) -> String {
        let colleague = if colleague.trim().is_empty() { "a colleague" } else { colleague };
        template.replace("{colleague}", colleague).replace("{library}", &self.policy.library_name)
    }
}
