//! The website chat box's visit marker (`<web xmlns='urn:x-refdesk:web:0'/>`, see
//! `docs/web-chat.md`): which browser-tab conversation a guest's message belongs to, and, when the
//! box signs in again after a reload, the last desk message it already shows; and the opening
//! hours the desk publishes for the box to show while nobody is at the desk.

use chrono::SecondsFormat;

use super::xml::Element;

/// The marker's namespace.
pub const NS: &str = "urn:x-refdesk:web:0";
/// The node of the account's PEP service where desks publish the opening hours the chat box shows
/// while the desk is closed (open to anyone: it is what a library prints on its door).
pub const HOURS_NODE: &str = "urn:x-refdesk:hours:0";

/// A visit token is random, made by the box: 16 to 64 of `[A-Za-z0-9_-]`.
const TOKEN: std::ops::RangeInclusive<usize> = 16..=64;
/// A desk message id the box echoes back: our own ids are far shorter.
const MAX_LAST: usize = 128;
/// A patron's comment with their rating, in characters (the box allows 500).
pub const MAX_COMMENT: usize = 1000;

/// What a guest's message says of its visit. Untrusted: a patron's own client can send it too,
/// which only makes their chat count as a web chat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visit {
    pub token: String,
    /// The box signed in again (a reload, another page) and asks for what it missed.
    pub resume: bool,
    /// The id of the newest desk message the box shows (what it missed comes after it).
    pub last: Option<String>,
    /// The patron rated the chat at its end (`<rating score='1…5'>comment</rating>`).
    pub rating: Option<Rating>,
    /// The desk was closed: the message is a question left for later (`<followup email='…'/>`),
    /// with the address to answer it at, if the patron gave one.
    pub followup: Option<FollowUp>,
}

/// A question left while the desk was closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    /// Checked for the shape of an address (no spaces, one `@`, a dot in the domain), at most
    /// 254 characters; anything else is taken as none given.
    pub email: Option<String>,
}

impl FollowUp {
    pub fn parse(email: Option<&str>) -> FollowUp {
        let email = email.map(str::trim).filter(|e| {
            let parts = e.split('@').collect::<Vec<_>>();
            e.len() <= 254
                && parts.len() == 2
                && !parts[0].is_empty()
                && parts[1].contains('.')
                && !parts[1].starts_with('.')
                && !parts[1].ends_with('.')
                && !e.chars().any(|c| c.is_whitespace() || c.is_control() || "<>\"(),;:[]\\".contains(c))
        });
        FollowUp { email: email.map(str::to_owned) }
    }
}

/// A patron's rating of their chat: 1 (poor) to 5 (excellent), and what they add, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rating {
    pub score: u8,
    pub comment: String,
}

/// The marker of a message `el`, with the rating it may carry.
pub fn read(el: &super::xml::Element) -> Option<Box<Visit>> {
    let mut visit = Visit::parse(|k| el.child("web", NS)?.attr(k))?;
    visit.rating = el.child("rating", NS).and_then(|r| Rating::parse(r.attr("score"), &r.text()));
    visit.followup = el.child("followup", NS).map(|f| FollowUp::parse(f.attr("email")));
    Some(Box::new(visit))
}

impl Rating {
    /// A score of 1 to 5 (anything else is no rating) and the comment cut to [`MAX_COMMENT`]
    /// characters, without control characters but for line breaks.
    pub fn parse(score: Option<&str>, comment: &str) -> Option<Rating> {
        let score = score?.trim().parse::<u8>().ok().filter(|s| (1..=5).contains(s))?;
        let comment: String = comment
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .take(MAX_COMMENT)
            .collect::<String>()
            .trim()
            .to_owned();
        Some(Rating { score, comment })
    }
}

impl Visit {
    /// Reads the marker's attributes; `None` when the token is missing or not a token.
    pub fn parse<'a>(attr: impl Fn(&str) -> Option<&'a str>) -> Option<Visit> {
        let token = attr("visit")?;
        let ok =
            TOKEN.contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return None;
        }
        let last = attr("last")
            .filter(|l| !l.is_empty() && l.len() <= MAX_LAST && !l.chars().any(char::is_control))
            .map(str::to_owned);
        Some(Visit {
            token: token.to_owned(),
            resume: matches!(attr("resume"), Some("1" | "true")),
            last,
            rating: None,
            followup: None,
        })
    }
}

/// The IQ that publishes the account's opening hours for the chat box (XEP-0163, open access,
/// one item kept): the stretches ahead as UTC instants (the desk's clock rules, DST and closed
/// days included, so the box needs no time zone data) and the library's zone, for the record.
/// No openings: the desk has no timetable, and the box shows none.
pub fn hours_iq(id: &str, timezone: &str, openings: &[crate::desk::schedule::Stretch]) -> Element {
    let stretches = openings.iter().map(|(from, to)| {
        Element::new("open", HOURS_NODE)
            .with_attr("from", from.to_rfc3339_opts(SecondsFormat::Secs, true))
            .with_attr("to", to.to_rfc3339_opts(SecondsFormat::Secs, true))
    });
    let hours = Element::new("hours", HOURS_NODE).with_attr("tz", timezone).with_children(stretches);
    super::xep::pubsub::publish_open(id, HOURS_NODE, "current", hours)
}

#[cfg(test)]
mod tests {
    use super::{hours_iq, FollowUp, Rating, Visit, MAX_COMMENT};
    use chrono::{TimeZone, Utc};

    fn parse(attrs: &[(&'static str, &'static str)]) -> Option<Visit> {
        Visit::parse(|k| attrs.iter().find(|(n, _)| *n == k).map(|(_, v)| *v))
    }

    #[test]
    fn a_visit_needs_a_token_of_the_boxs_shape_and_keeps_only_a_sane_last_id() {
        let token = "0123456789abcdef0123456789abcdef";
        let v = parse(&[("visit", token), ("resume", "1"), ("last", "out-42")]).unwrap();
        assert_eq!((v.token.as_str(), v.resume, v.last.as_deref()), (token, true, Some("out-42")));
        assert_eq!(parse(&[("visit", token)]).map(|v| (v.resume, v.last)), Some((false, None)));
        assert_eq!(parse(&[("visit", token), ("last", "a\nb")]).unwrap().last, None, "control characters");
        for bad in [
            "",
            "short",
            "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0",
            "0123456789abcdef<x>",
            "0123456789abcdéf",
        ] {
            assert_eq!(parse(&[("visit", bad)]), None, "{bad:?}");
        }
        assert_eq!(parse(&[("last", "x")]), None, "no token");
    }

    #[test]
    fn the_hours_are_published_open_to_anyone_as_utc_stretches_and_parse_back() {
        let from = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        let x = hours_iq("h1", "Europe/Amsterdam", &[(from, from + chrono::Duration::hours(8))]).to_xml();
        let el = crate::xmpp::xml::read_stanza(&x);
        let hours = el
            .child("pubsub", "http://jabber.org/protocol/pubsub")
            .and_then(|p| p.child("publish", "http://jabber.org/protocol/pubsub"))
            .and_then(|p| p.child("item", "http://jabber.org/protocol/pubsub"))
            .and_then(|i| i.child("hours", super::HOURS_NODE))
            .unwrap();
        let open = hours.child("open", super::HOURS_NODE).unwrap();
        assert_eq!((open.attr("from"), open.attr("to")), (Some("2026-12-07T08:00:00Z"), Some("2026-12-07T16:00:00Z")));
        assert!(x.contains("<field var='pubsub#access_model'><value>open</value></field>"));
        assert!(hours_iq("h'2", "A/B<", &[]).to_xml().contains("id='h&apos;2'"), "escaped");
    }

    #[test]
    fn a_follow_ups_email_is_kept_only_in_the_shape_of_an_address() {
        assert_eq!(FollowUp::parse(Some(" ann.lee@example.org ")).email.as_deref(), Some("ann.lee@example.org"));
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.org",
            "ann@example",
            "a b@example.org",
            "ann@x@y.org",
            "ann@example.org>",
            "ann@.org",
        ] {
            assert_eq!(FollowUp::parse(Some(bad)).email, None, "{bad:?}");
        }
        assert_eq!(FollowUp::parse(None).email, None);
        let long = format!("{}@example.org", "a".repeat(250));
        assert_eq!(FollowUp::parse(Some(&long)).email, None);
    }

    #[test]
    fn a_rating_is_one_to_five_with_a_bounded_comment() {
        assert_eq!(
            Rating::parse(Some("4"), " Very helpful\u{7} "),
            Some(Rating { score: 4, comment: "Very helpful".into() })
        );
        for bad in [None, Some("0"), Some("6"), Some("4.5"), Some("five"), Some("")] {
            assert_eq!(Rating::parse(bad, "x"), None, "{bad:?}");
        }
        let long = Rating::parse(Some("5"), &"é".repeat(5000)).unwrap();
        assert_eq!(long.comment.chars().count(), MAX_COMMENT);
    }
}
