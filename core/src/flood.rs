//! Flood control: how many messages a patron may send before the desk stops taking them (pure, no I/O).
//!
//! A person types, pastes a few lines, sends a photo link: a handful of messages in a burst and a
//! few a second at most. A script sends hundreds. Each contact has a bucket of `BURST` messages that
//! refills at `PER_SECOND`; a message that finds it empty is not stored or shown, and the contact is
//! flooding until it has been quiet for `QUIET`.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

pub const BURST: f64 = 30.0;
pub const PER_SECOND: f64 = 3.0;
/// Contacts remembered at most; the fullest buckets (long quiet) are forgotten first.
const MAX_TRACKED: usize = 10_000;

pub fn quiet() -> Duration {
    Duration::seconds(60)
}

/// What to do with one message from a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Take,
    /// Dropped; `first` is true for the first message dropped in this flood (say so once).
    Drop {
        first: bool,
    },
}

#[derive(Debug, Clone)]
struct Bucket {
    tokens: f64,
    at: DateTime<Utc>,
    /// Set while flooding: when the last message was dropped.
    flooding_since_drop: Option<DateTime<Utc>>,
    dropped: u32,
}

#[derive(Debug, Default)]
pub struct FloodGuard {
    buckets: HashMap<String, Bucket>,
}

impl FloodGuard {
    /// Judges a message from `peer` arriving `now`.
    pub fn check(&mut self, peer: &str, now: DateTime<Utc>) -> Verdict {
        if self.buckets.len() >= MAX_TRACKED && !self.buckets.contains_key(peer) {
            self.forget_quiet(now);
        }
        let b = self.buckets.entry(peer.to_owned()).or_insert(Bucket {
            tokens: BURST,
            at: now,
            flooding_since_drop: None,
            dropped: 0,
        });
        let elapsed = (now - b.at).num_milliseconds().max(0) as f64 / 1000.0;
        b.tokens = (b.tokens + elapsed * PER_SECOND).min(BURST);
        b.at = now.max(b.at);
        if let Some(last) = b.flooding_since_drop {
            // Still flooding until a quiet spell: a script that slows down a little is still a script.
            if now - last < quiet() {
                b.flooding_since_drop = Some(now);
                b.dropped = b.dropped.saturating_add(1);
                return Verdict::Drop { first: false };
            }
            b.flooding_since_drop = None;
            b.dropped = 0;
            b.tokens = BURST;
        }
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            Verdict::Take
        } else {
            b.flooding_since_drop = Some(now);
            b.dropped = 1;
            Verdict::Drop { first: true }
        }
    }

    /// How many messages of `peer`'s current flood were dropped (0: not flooding).
    pub fn dropped(&self, peer: &str) -> u32 {
        self.buckets.get(peer).map_or(0, |b| b.dropped)
    }

    fn forget_quiet(&mut self, now: DateTime<Utc>) {
        self.buckets.retain(|_, b| b.flooding_since_drop.is_some() || now - b.at < quiet());
        if self.buckets.len() >= MAX_TRACKED {
            // Everyone is active or flooding: forget the oldest half rather than grow without bound.
            let mut ats: Vec<DateTime<Utc>> = self.buckets.values().map(|b| b.at).collect();
            ats.sort_unstable();
            let cut = ats[ats.len() / 2];
            self.buckets.retain(|_, b| b.at > cut);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_typing_fast_is_never_stopped() {
        let mut g = FloodGuard::default();
        let t0 = Utc::now();
        // Ten lines pasted at once, then a message every half second for ten minutes.
        for _ in 0..10 {
            assert_eq!(g.check("p@x", t0), Verdict::Take);
        }
        for i in 1..1200 {
            assert_eq!(g.check("p@x", t0 + Duration::milliseconds(500 * i)), Verdict::Take, "message {i}");
        }
    }

    #[test]
    fn a_script_is_cut_off_once_said_and_let_back_after_a_quiet_minute() {
        let mut g = FloodGuard::default();
        let t0 = Utc::now();
        let verdicts: Vec<Verdict> = (0..1000).map(|i| g.check("bot@x", t0 + Duration::microseconds(i))).collect();
        let taken = verdicts.iter().filter(|v| **v == Verdict::Take).count();
        assert_eq!(taken, BURST as usize, "the burst, then nothing");
        assert_eq!(verdicts.iter().filter(|v| **v == Verdict::Drop { first: true }).count(), 1, "said once");
        assert_eq!(g.dropped("bot@x"), 1000 - BURST as u32);
        assert_eq!(g.check("other@x", t0), Verdict::Take, "others are not affected");
        // Slowing down a little is still flooding; a quiet minute ends it.
        assert!(matches!(g.check("bot@x", t0 + Duration::seconds(30)), Verdict::Drop { first: false }));
        assert_eq!(g.check("bot@x", t0 + Duration::seconds(95)), Verdict::Take);
        assert_eq!(g.dropped("bot@x"), 0);
    }

    #[test]
    fn memory_stays_bounded_with_endless_new_contacts() {
        let mut g = FloodGuard::default();
        let t0 = Utc::now();
        for i in 0..(MAX_TRACKED * 3) {
            g.check(&format!("bot{i}@x"), t0 + Duration::milliseconds(i as i64));
        }
        assert!(g.buckets.len() <= MAX_TRACKED, "{}", g.buckets.len());
    }
}
