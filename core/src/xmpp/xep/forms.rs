//! XEP-0004, data forms: the submitted forms an archive query and a publication carry.

use crate::xmpp::xml::Element;

pub const NS: &str = "jabber:x:data";

/// One data form field with one value.
pub fn field(var: &str, kind: Option<&str>, value: &str) -> Element {
    let value = Element::new("value", NS).with_text(value);
    Element::new("field", NS).with_attr("var", var).with_attr_opt("type", kind).with_child(value)
}

/// A submitted data form of `form_type` with `fields`.
pub fn form(form_type: &str, fields: impl IntoIterator<Item = Element>) -> Element {
    Element::new("x", NS)
        .with_attr("type", "submit")
        .with_child(field("FORM_TYPE", Some("hidden"), form_type))
        .with_children(fields)
}
