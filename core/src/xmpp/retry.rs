//! When an account tries again after losing its server: quick retries first (most outages are a
//! server restart or a Wi-Fi hiccup, and patrons are waiting), then a jittered, doubling wait up to
//! two minutes; never after an error that retrying cannot fix. Pure: the account's loop sleeps.

use std::time::Duration;

use crate::api::AccountState;

const MAX_BACKOFF: Duration = Duration::from_secs(120);

/// Retries at most a second apart for the first ones, which cover 20 to 40 seconds (a server's
/// restart): the desk is back within a second of the server, and a handful of desks retrying once
/// a second is nothing to it. (Ten covered only 5 to 10 seconds: after a 9-second outage a desk
/// came back up to 3.4 seconds after its server, found by the test below.)
const QUICK_RETRIES: u32 = 40;

/// What to do after a failed sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum After {
    /// Try again once this wait is over (or at once, if the network comes back before).
    RetryIn(Duration),
    /// The error will not fix itself (a wrong password: retrying would only lock the account).
    GiveUp,
}

/// The retries of one account since it was last online.
#[derive(Debug, Default)]
pub struct Retry {
    attempt: u32,
}

impl Retry {
    pub fn new() -> Retry {
        Retry::default()
    }

    /// What the desk shows while signing in: the first try, or trying again.
    pub fn state(&self) -> AccountState {
        if self.attempt == 0 {
            AccountState::Connecting
        } else {
            AccountState::Reconnecting
        }
    }

    /// Retries since the account was last online.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The account is online: a later loss starts with quick retries again.
    pub fn connected(&mut self) {
        self.attempt = 0;
    }

    /// A sign-in failed; `permanent` when retrying cannot fix it.
    pub fn failed(&mut self, permanent: bool) -> After {
        if permanent {
            return After::GiveUp;
        }
        let wait = backoff(self.attempt);
        self.attempt = self.attempt.saturating_add(1);
        After::RetryIn(wait)
    }
}

/// How long to wait before retry `attempt`: up to a second for the first `QUICK_RETRIES`, then
/// doubling up to two minutes; jittered (half to all of it), so desks that lost the server together
/// do not return together.
fn backoff(attempt: u32) -> Duration {
    let cap = backoff_cap(attempt);
    let r = super::random_upto(u32::MAX);
    cap.mul_f64(0.5 + f64::from(r) / f64::from(u32::MAX) / 2.0)
}

fn backoff_cap(attempt: u32) -> Duration {
    match attempt.checked_sub(QUICK_RETRIES) {
        None => Duration::from_secs(1),
        Some(n) => Duration::from_secs(2).saturating_mul(1u32 << n.min(8)).min(MAX_BACKOFF),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How long after the server came back the desk is online again, in virtual time: the server
    /// is down for `outage`, a refused connection takes 20 ms to fail.
    fn back_after(outage: Duration, retry: &mut Retry) -> Duration {
        let attempt_takes = Duration::from_millis(20);
        let mut now = Duration::ZERO;
        loop {
            if now >= outage {
                retry.connected();
                return now - outage;
            }
            now += attempt_takes;
            match retry.failed(false) {
                After::RetryIn(wait) => now += wait,
                After::GiveUp => panic!("a refused connection is worth retrying"),
            }
        }
    }

    #[test]
    fn after_an_outage_of_seconds_the_desk_is_back_within_a_second_of_the_server() {
        for secs in [0.0, 0.5, 2.0, 5.0, 9.0, 15.0, 20.0] {
            for _ in 0..200 {
                let late = back_after(Duration::from_secs_f64(secs), &mut Retry::new());
                assert!(late <= Duration::from_millis(1020), "{secs} s outage: back {late:?} after the server");
            }
        }
    }

    #[test]
    fn a_long_outage_backs_off_to_two_minutes_and_no_further() {
        let mut retry = Retry::new();
        let (mut now, mut waits) = (Duration::ZERO, Vec::new());
        while now < Duration::from_secs(3600) {
            let After::RetryIn(wait) = retry.failed(false) else { panic!("gave up") };
            waits.push(wait);
            now += wait;
        }
        assert!(waits.iter().all(|w| *w <= MAX_BACKOFF), "never more than two minutes apart");
        assert!(waits.windows(2).skip(QUICK_RETRIES as usize).any(|w| w[1] > w[0]), "the wait grows");
        assert!(waits[waits.len() - 5..].iter().all(|w| *w >= MAX_BACKOFF / 2), "it settles near the cap");
        // An hour down costs the server at most this many sign-ins from one desk.
        assert!(waits.len() < 110, "{} attempts in an hour", waits.len());
        assert_eq!(retry.state(), AccountState::Reconnecting);
        // Back online: the next loss starts with quick retries again.
        retry.connected();
        assert_eq!(retry.state(), AccountState::Connecting);
        assert!(matches!(retry.failed(false), After::RetryIn(w) if w <= Duration::from_secs(1)));
    }

    #[test]
    fn an_error_retrying_cannot_fix_stops_at_once() {
        let mut retry = Retry::new();
        assert_eq!(retry.failed(true), After::GiveUp);
        assert_eq!(retry.attempt(), 0);
    }

    #[test]
    fn desks_that_lost_the_server_together_do_not_return_together() {
        let waits: std::collections::BTreeSet<_> = (0..10).map(|_| backoff(5)).collect();
        assert!(waits.len() > 1, "jitter varies");
        for attempt in 0..30 {
            let (cap, b) = (backoff_cap(attempt), backoff(attempt));
            assert!(b >= cap / 2 && b <= cap, "attempt {attempt}: {b:?} outside [{:?}, {cap:?}]", cap / 2);
        }
    }
}
