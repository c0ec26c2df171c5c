//! Canned replies: the library's ready answers (from its policy file, or a few of our own), checked
//! when the policy loads and filled in when offered.

use serde::{Deserialize, Serialize};

use crate::desk::policy::{check_template, render, Fill};

/// The placeholders a canned reply may use: the same for every patron, known before the chat.
pub const PLACEHOLDERS: &[&str] = &["library", "opens"];
pub const MAX_TITLE_CHARS: usize = 60;
pub const MAX_REPLIES: usize = 500;

/// One ready answer as the policy file writes it (`[[cannedReplies]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CannedReply {
    /// What the librarian searches for and sees in the list, e.g. "Opening hours".
    pub title: String,
    /// The text put in the composer. Placeholders: {library}, {opens}.
    pub text: String,
}

/// What a desk offers when its library has not written its own.
pub fn defaults() -> Vec<CannedReply> {
    let r = |title: &str, text: &str| CannedReply { title: title.into(), text: text.into() };
    vec![
        r("One moment", "One moment please, while I look that up."),
        r("Still looking", "Thanks for waiting: I'm still searching, and will be back with you shortly."),
        r("Anything else", "Is there anything else I can help you with?"),
        r("Goodbye", "Thanks for chatting with {library}! Message us again any time."),
    ]
}

/// Checks the library's list; `Err((index, field, message))` names the entry to change.
pub fn check(replies: &[CannedReply]) -> Result<(), (usize, &'static str, String)> {
    if replies.len() > MAX_REPLIES {
        return Err((MAX_REPLIES, "", format!("{} replies; a desk can offer at most {MAX_REPLIES}", replies.len())));
    }
    for (i, r) in replies.iter().enumerate() {
        let title = r.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err((i, "title", format!("must be 1 to {MAX_TITLE_CHARS} characters")));
        }
        if replies[..i].iter().any(|o| o.title.trim().eq_ignore_ascii_case(title)) {
            return Err((i, "title", format!("{title:?} is used twice; titles are how librarians find a reply")));
        }
        check_template(&r.text, PLACEHOLDERS).map_err(|m| (i, "text", m))?;
    }
    Ok(())
}

/// The reply's text with its placeholders filled in.
pub fn fill(r: &CannedReply, library: &str, opens: Option<String>) -> String {
    let library = Some(library).filter(|l| !l.trim().is_empty()).or(Some("the library"));
    render(&r.text, &Fill { library, opens, ..Fill::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_the_checks_a_library_list_must_pass() {
        assert_eq!(check(&defaults()), Ok(()));
    }

    #[test]
    fn bad_entries_name_themselves() {
        let r = |title: &str, text: &str| CannedReply { title: title.into(), text: text.into() };
        let e = check(&[r("Hours", "Open {opens}."), r("hours", "Again")]).unwrap_err();
        assert_eq!((e.0, e.1), (1, "title"));
        let e = check(&[r("Wait", "You are number {position}")]).unwrap_err();
        assert_eq!((e.0, e.1), (0, "text"));
        assert!(e.2.contains("unknown placeholder {position}; known: library, opens"), "{}", e.2);
        assert_eq!(check(&[r(" ", "x")]).unwrap_err().1, "title");
        assert_eq!(check(&[r("Blank", "  ")]).unwrap_err().1, "text");
    }

    #[test]
    fn placeholders_are_filled_and_a_missing_name_still_reads_well() {
        let bye = &defaults()[3];
        assert_eq!(
            fill(bye, "Ford Library", None),
            "Thanks for chatting with Ford Library! Message us again any time."
        );
        assert_eq!(fill(bye, "", None), "Thanks for chatting with the library! Message us again any time.");
        let hours = CannedReply { title: "Hours".into(), text: "We open again {opens}.".into() };
        assert_eq!(fill(&hours, "x", Some("tomorrow at 9:00".into())), "We open again tomorrow at 9:00.");
    }
}
