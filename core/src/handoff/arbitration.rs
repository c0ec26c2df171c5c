//! Which of the desks signed in to one account keeps a chat, and which speaks for the rules: one
//! rule, written once, that every desk applies to what it sees and so decides the same.
//!
//! The rule: of two desks that both want something, the one whose resource name sorts first. A
//! librarian's answer outweighs another desk's typing; a desk open for questions outweighs one
//! that is not.

use std::collections::BTreeMap;

/// Of this desk (`ours`) and another (`other`), whether this one comes first.
pub fn comes_first(ours: &str, other: &str) -> bool {
    ours < other
}

/// Another desk (`other`) started typing to a patron. Whether the chat stays here: it is not
/// under way here, this desk's librarian already answered, or both librarians claimed it and this
/// desk comes first.
pub fn keeps_chat_on_claim(
    ours: &str,
    other: &str,
    under_way_here: bool,
    answered_here: bool,
    claimed_here: bool,
) -> bool {
    other == ours || !under_way_here || answered_here || (claimed_here && comes_first(ours, other))
}

/// Another desk's answer to a patron arrived (`sender`: the desk that sent it, when known).
/// Whether the chat stays here: it was an automatic reply (the rules speak, no librarian took
/// it), this desk's own message back from the archive, or two answers crossed and this desk
/// comes first.
pub fn keeps_chat_on_answer(ours: &str, sender: Option<&str>, auto_reply: bool, answered_here: bool) -> bool {
    let own = sender == Some(ours);
    let first = sender.is_some_and(|other| comes_first(ours, other));
    auto_reply || own || (answered_here && first)
}

/// Whether this desk (`own`) sends the automatic replies ("you're number 2 in line") for the
/// account, so a patron hears them once however many desks are signed in: the first open desk,
/// or, when none is open, the first of all. `others`: the other desks, and whether each is open.
pub fn speaks_for_the_rules(own: &str, open_here: bool, others: &BTreeMap<String, bool>) -> bool {
    let any_open = open_here || others.values().any(|open| *open);
    let eligible = |open: bool| open || !any_open;
    eligible(open_here) && others.iter().filter(|(_, open)| eligible(**open)).all(|(r, _)| comes_first(own, r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_desk_speaks_for_the_rules_the_first_open_one() {
        let others = |list: &[(&str, bool)]| list.iter().map(|(r, o)| (r.to_string(), *o)).collect();
        assert!(speaks_for_the_rules("refdesk-b", true, &others(&[])), "alone");
        assert!(!speaks_for_the_rules("refdesk-b", true, &others(&[("refdesk-a", true)])));
        assert!(speaks_for_the_rules("refdesk-a", true, &others(&[("refdesk-b", true)])));
        assert!(speaks_for_the_rules("refdesk-b", true, &others(&[("refdesk-a", false)])), "a is busy");
        assert!(!speaks_for_the_rules("refdesk-a", false, &others(&[("refdesk-b", true)])));
        assert!(speaks_for_the_rules("refdesk-a", false, &others(&[("refdesk-b", false)])), "all busy: the first");
        assert!(!speaks_for_the_rules("refdesk-b", false, &others(&[("refdesk-a", false)])));
    }

    #[test]
    fn of_two_desks_wanting_one_chat_exactly_one_keeps_it() {
        // Both desks typed (claimed), or both answered: each decides from its own side.
        for (claimed, answered) in [(true, false), (false, true)] {
            let a_keeps = keeps_chat_on_claim("desk-a", "desk-b", true, answered, claimed);
            let b_keeps = keeps_chat_on_claim("desk-b", "desk-a", true, answered, claimed);
            if answered {
                assert!(a_keeps && b_keeps, "an answer is not undone by typing");
                let a = keeps_chat_on_answer("desk-a", Some("desk-b"), false, true);
                let b = keeps_chat_on_answer("desk-b", Some("desk-a"), false, true);
                assert!(a != b, "crossing answers: one desk");
            } else {
                assert!(a_keeps != b_keeps, "crossing claims: one desk");
            }
        }
        assert!(!keeps_chat_on_claim("desk-b", "desk-a", true, false, false), "only the other desk typed");
        assert!(keeps_chat_on_claim("desk-b", "desk-a", false, false, false), "not under way here");
        assert!(!keeps_chat_on_answer("desk-a", Some("desk-b"), false, false), "the other desk answered");
        assert!(keeps_chat_on_answer("desk-a", Some("desk-b"), true, false), "its rules spoke");
        assert!(keeps_chat_on_answer("desk-a", Some("desk-a"), false, false), "our own, from the archive");
    }
}
