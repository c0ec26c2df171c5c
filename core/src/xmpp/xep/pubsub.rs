//! XEP-0060, publish-subscribe: publishing one item to a node of our own account, with its options.

use super::forms::{field, form};
use super::im::{iq, IqType};
use crate::xmpp::xml::Element;

pub const NS: &str = "http://jabber.org/protocol/pubsub";
const PUBLISH_OPTIONS: &str = "http://jabber.org/protocol/pubsub#publish-options";

/// Publishes `payload` as item `item_id` of `node`, readable by anyone, one item kept.
pub fn publish_open(id: &str, node: &str, item_id: &str, payload: Element) -> Element {
    let item = Element::new("item", NS).with_attr("id", item_id).with_child(payload);
    let options = form(
        PUBLISH_OPTIONS,
        [
            field("pubsub#access_model", None, "open"),
            field("pubsub#persist_items", None, "true"),
            field("pubsub#max_items", None, "1"),
        ],
    );
    let pubsub = Element::new("pubsub", NS)
        .with_child(Element::new("publish", NS).with_attr("node", node).with_child(item))
        .with_child(Element::new("publish-options", NS).with_child(options));
    iq(IqType::Set, id, None).with_child(pubsub)
}
