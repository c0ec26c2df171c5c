//! XEP-0203, delayed delivery: when a message that arrives late (from the archive or offline
//! storage) was sent.

use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:delay";

/// The `<delay stamp=…/>` inside `el`, if any and well-formed.
pub fn stamp_of(el: &Element) -> Option<chrono::DateTime<chrono::Utc>> {
    let stamp = el.child("delay", NS)?.attr("stamp")?;
    chrono::DateTime::parse_from_rfc3339(stamp).ok().map(|t| t.with_timezone(&chrono::Utc))
}
