//! Requests to see the desk's presence that the policy leaves to the librarian (`buddies =
//! "ask"`): the ones waiting, and the answers on their way to the account.

use super::*;

/// The most requests kept waiting per desk; past this, new ones wait for the next sign-in (the
/// server keeps them and asks again).
const MAX_WAITING: usize = 1_000;

impl Desk {
    /// `from` asks to see the desk's presence on `account`; true if that is new for the window.
    pub fn buddy_request(&mut self, account: &str, from: &str) -> bool {
        if self.buddy_requests.len() >= MAX_WAITING {
            return false;
        }
        self.buddy_requests.insert((account.to_owned(), from.to_owned()))
    }

    /// The librarian's answer: `from` may (or may not) see when the desk is open. The answer goes
    /// to the account with its next turn; the desk as it is then.
    pub fn answer_buddy(&mut self, account: &str, from: &str, allow: bool, now: DateTime<Utc>) -> Result<DeskSnapshot> {
        if !self.buddy_requests.remove(&(account.to_owned(), from.to_owned())) {
            return Err(Error::InvalidInput(format!("{from} is not waiting for an answer on {account}")));
        }
        self.buddy_answers.push((account.to_owned(), from.to_owned(), allow));
        self.snapshot(now)
    }

    /// The answers for `account` not yet handed to it, in the order given.
    pub fn take_buddy_answers(&mut self, account: &str) -> Vec<(String, bool)> {
        let (mine, rest) = std::mem::take(&mut self.buddy_answers).into_iter().partition(|(a, _, _)| a == account);
        self.buddy_answers = rest;
        mine.into_iter().map(|(_, from, allow): (String, String, bool)| (from, allow)).collect()
    }
}
