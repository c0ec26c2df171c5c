//! XEP-0334, message processing hints: what servers should not archive or copy.

use crate::xmpp::xml::Element;

pub const NS: &str = "urn:xmpp:hints";

/// Not for the archive or offline storage (typing, places in line, desk signals).
pub fn no_store() -> Element {
    Element::new("no-store", NS)
}

/// Not to be copied to the account's other resources.
pub fn no_copy() -> Element {
    Element::new("no-copy", NS)
}
