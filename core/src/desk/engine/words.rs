//! What the engine says and shows: the place in line and the expected wait, the automatic
//! replies and status texts filled in, the account's presence, and the line as the window sees it.

use chrono::{DateTime, Duration, Utc};

use super::super::lang;

use super::*;

impl Engine {
    pub(super) fn position(&self, chat: &str) -> Option<usize> {
        self.order.values().position(|i| matches!(i, Item::Chat(c) if c == chat)).map(|i| i + 1)
    }

    /// Mean of recent handling times (or the policy's default) times the place in line, shared by the staff.
    pub(super) fn estimated_wait(&self, position: usize) -> Duration {
        let mean = if self.service.is_empty() {
            self.policy.default_service
        } else {
            self.service.iter().copied().sum::<Duration>() / self.service.len() as i32
        };
        let staff = self.staff.len().max(1) as i32;
        mean * position as i32 / staff
    }

    /// The language the patron of `chat` writes in, if their client said.
    pub fn language(&self, chat: &str) -> Option<&str> {
        self.chats.get(chat).and_then(|c| c.lang.as_deref())
    }

    /// One of the patron's replies (`pick`), in their language where the policy has it, filled in.
    pub(super) fn say_to(&self, chat: &str, pick: impl Fn(&Templates) -> &String, now: DateTime<Utc>) -> String {
        self.say(pick, Some(chat), self.language(chat), now)
    }

    pub(super) fn say(
        &self,
        pick: impl Fn(&Templates) -> &String,
        chat: Option<&str>,
        lang: Option<&str>,
        now: DateTime<Utc>,
    ) -> String {
        let (template, written_in) = self.policy.template(pick, lang);
        self.render(template, chat, written_in, now)
    }

    /// Fills `template` in with words of `lang`, the language it is written in.
    fn render(&self, template: &str, chat: Option<&str>, lang: &str, now: DateTime<Utc>) -> String {
        let position = chat.and_then(|c| self.position(c));
        let librarian = chat
            .and_then(|c| self.chats.get(c))
            .and_then(|c| c.staff.as_ref())
            .and_then(|s| self.staff.get(s))
            .map(|s| s.name.as_str());
        let fill = Fill {
            position,
            wait: position.map(|p| lang::wait_words(self.estimated_wait(p), Some(lang))),
            opens: self.opens_in(now, Some(lang)),
            librarian,
            library: Some(&self.policy.library_name),
        };
        render(template, &fill)
    }

    /// When the desk next opens, in words ("tomorrow at 09:00"), in the library's time zone; none
    /// without a schedule.
    pub fn opens_words(&self, now: DateTime<Utc>) -> Option<String> {
        self.opens_in(now, Some(&self.policy.language))
    }

    fn opens_in(&self, now: DateTime<Utc>, lang: Option<&str>) -> Option<String> {
        let s = self.policy.schedule.as_ref()?;
        let at = s.next_opening(now)?.with_timezone(&s.timezone());
        Some(lang::opens_words(&at, now.with_timezone(&s.timezone()).date_naive(), lang))
    }

    /// What the shared account should show now, and the status template that says why.
    pub(super) fn desired_presence(&self, now: DateTime<Utc>) -> (Show, &String) {
        let t = &self.policy.templates;
        if !self.im_hours_open(now) {
            (Show::Away, &t.status_closed)
        } else if !self.im_staffed() {
            (Show::Away, &t.status_unstaffed)
        } else if self.order.values().any(|i| matches!(i, Item::Chat(_))) || self.pick_staff_for_chat().is_none() {
            (Show::Busy, &t.status_busy)
        } else {
            (Show::Available, &t.status_available)
        }
    }

    pub(super) fn sync_presence(&mut self, now: DateTime<Utc>, out: &mut Vec<Action>) {
        let (show, template) = self.desired_presence(now);
        // Most events change nothing: skip rendering a status that has no placeholders.
        if let Some((s, text)) = &self.presence {
            if *s == show && !template.contains('{') && text == template {
                return;
            }
        }
        let want = (show, self.render(template, None, &self.policy.language, now));
        if self.presence.as_ref() != Some(&want) {
            out.push(Action::SetPresence { show: want.0, status: want.1.clone() });
            self.presence = Some(want);
        }
    }

    pub(super) fn sync_queue(&mut self, out: &mut Vec<Action>) {
        if !std::mem::take(&mut self.queue_dirty) {
            return;
        }
        // An item can join and leave within one event (a chat taken at once): compare before telling.
        let queue: Vec<QueueEntry> = self
            .order
            .iter()
            .map(|((_, arrived, _), item)| QueueEntry { item: item.clone(), arrived: *arrived })
            .collect();
        if queue != self.queue {
            self.queue = queue.clone();
            out.push(Action::QueueChanged { queue });
        }
    }
}
