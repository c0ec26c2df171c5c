//! The XML stream: a bounded, entity-safe pull reader that yields whole stanzas, and escaping for writing.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;
use tokio::io::{AsyncRead, BufReader};

/// The largest stanza we accept: an IM, not a file transfer. A server may send more; we refuse.
pub const MAX_STANZA_BYTES: u64 = 256 * 1024;
/// The largest answer to one of our requests (`<iq type='result'>`): a library's roster of a few
/// thousand contacts is bigger than a message may be, and only the server answers our requests
/// (a patron's stanzas are held to their own server's limit on the way).
pub const MAX_RESULT_BYTES: u64 = 2 * 1024 * 1024;
/// Deeper nesting than any real stanza needs; bounds the element stack.
pub const MAX_DEPTH: usize = 32;

pub const NS_STREAM: &str = "http://etherx.jabber.org/streams";

/// An XML element with its namespace; text and child elements in document order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    pub name: String,
    pub ns: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn is(&self, name: &str, ns: &str) -> bool {
        self.name == name && self.ns == ns
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    pub fn child(&self, name: &str, ns: &str) -> Option<&Element> {
        self.elements().find(|e| e.is(name, ns))
    }

    /// All text directly inside this element, joined.
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }
}

/// Building elements to write: each stanza is composed of typed parts (`xmpp::xep`) and written
/// by [`Element::to_xml`], which escapes every attribute and text, so no caller can forget to.
impl Element {
    /// A new element named `name` in namespace `ns` ("" for its parent's, as `<body/>` in a message).
    pub fn new(name: &str, ns: &str) -> Element {
        Element { name: name.to_owned(), ns: ns.to_owned(), ..Element::default() }
    }

    /// With attribute `name` set to `value`.
    pub fn with_attr(mut self, name: &str, value: impl Into<String>) -> Element {
        self.attrs.push((name.to_owned(), value.into()));
        self
    }

    /// With attribute `name` set to `value`, if there is one.
    pub fn with_attr_opt(self, name: &str, value: Option<impl Into<String>>) -> Element {
        match value {
            Some(v) => self.with_attr(name, v),
            None => self,
        }
    }

    /// With `child` after the children it has.
    pub fn with_child(mut self, child: Element) -> Element {
        self.children.push(Node::Element(child));
        self
    }

    /// With each of `children` after the children it has.
    pub fn with_children(mut self, children: impl IntoIterator<Item = Element>) -> Element {
        self.children.extend(children.into_iter().map(Node::Element));
        self
    }

    /// With `text` after the children it has (nothing for empty text).
    pub fn with_text(mut self, text: impl Into<String>) -> Element {
        let text = text.into();
        if !text.is_empty() {
            self.children.push(Node::Text(text));
        }
        self
    }

    /// The element as written in a client stream, whose default namespace is `jabber:client`:
    /// `xmlns` where an element's namespace differs from its parent's, values and text escaped.
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_xml(super::connect::NS_CLIENT, &mut out);
        out
    }

    fn write_xml(&self, parent_ns: &str, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        let ns = if self.ns.is_empty() { parent_ns } else { self.ns.as_str() };
        if ns != parent_ns {
            out.push_str(" xmlns='");
            out.push_str(&escape(ns));
            out.push('\'');
        }
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("='");
            out.push_str(&escape_attr(v));
            out.push('\'');
        }
        if self.children.is_empty() {
            out.push_str("/>");
            return;
        }
        out.push('>');
        for child in &self.children {
            match child {
                Node::Element(e) => e.write_xml(ns, out),
                Node::Text(t) => out.push_str(&escape(t)),
            }
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push('>');
    }
}

/// What the stream yields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamItem {
    /// `<stream:stream …>` opened; its attributes (id, from, version).
    Header(Vec<(String, String)>),
    Stanza(Element),
    /// `</stream:stream>`: the server closed the stream.
    End,
}

#[derive(Debug, thiserror::Error)]
pub enum XmlError {
    #[error("connection lost: {0}")]
    Io(#[from] std::io::Error),
    #[error("malformed XML from the server: {0}")]
    Malformed(String),
    #[error("the server sent a stanza over {MAX_STANZA_BYTES} bytes (an answer over {MAX_RESULT_BYTES})")]
    TooLarge,
    #[error("the server sent XML nested deeper than {MAX_DEPTH} levels")]
    TooDeep,
    #[error("the server sent a DTD, processing instruction or unknown entity, which XMPP forbids")]
    Forbidden,
    #[error("the connection closed in the middle of the stream")]
    Eof,
}

/// Reads one XMPP stream (until a restart after STARTTLS or SASL, which needs a new reader).
pub struct StreamReader<R> {
    reader: NsReader<BufReader<R>>,
    buf: Vec<u8>,
    stack: Vec<Element>,
    stanza_start: u64,
    opened: bool,
}

impl<R: AsyncRead + Unpin> StreamReader<R> {
    pub fn new(inner: R) -> StreamReader<R> {
        let mut reader = NsReader::from_reader(BufReader::new(inner));
        reader.config_mut().check_end_names = true;
        StreamReader { reader, buf: Vec::new(), stack: Vec::new(), stanza_start: 0, opened: false }
    }

    /// The transport back, for a TLS upgrade. Bytes the reader buffered are dropped: the server
    /// sends nothing between `<proceed/>` and the TLS handshake.
    pub fn into_inner(self) -> R {
        self.reader.into_inner().into_inner()
    }

    pub async fn next(&mut self) -> Result<StreamItem, XmlError> {
        loop {
            self.buf.clear();
            let pos_before = self.reader.buffer_position();
            let (ns, event) = self.reader.read_resolved_event_into_async(&mut self.buf).await.map_err(|e| match e {
                quick_xml::Error::Io(io) => XmlError::Io(std::io::Error::new(io.kind(), io.to_string())),
                other => XmlError::Malformed(other.to_string()),
            })?;
            let ns = namespace(&ns);
            if let Some(top) = self.stack.first() {
                let limit = if top.name == "iq" && top.attr("type") == Some("result") {
                    MAX_RESULT_BYTES
                } else {
                    MAX_STANZA_BYTES
                };
                if self.reader.buffer_position() - self.stanza_start > limit {
                    return Err(XmlError::TooLarge);
                }
            }
            match event {
                Event::Decl(_) | Event::Comment(_) => {}
                Event::DocType(_) | Event::PI(_) => return Err(XmlError::Forbidden),
                Event::Start(start) if !self.opened => {
                    let el = element(&start, ns)?;
                    if !el.is("stream", NS_STREAM) {
                        return Err(XmlError::Malformed(format!("expected a stream header, got <{}>", el.name)));
                    }
                    self.opened = true;
                    return Ok(StreamItem::Header(el.attrs));
                }
                Event::Start(start) => {
                    if self.stack.is_empty() {
                        self.stanza_start = pos_before;
                    }
                    if self.stack.len() >= MAX_DEPTH {
                        return Err(XmlError::TooDeep);
                    }
                    self.stack.push(element(&start, ns)?);
                }
                Event::Empty(start) => {
                    let el = element(&start, ns)?;
                    if let Some(done) = self.attach(el) {
                        return Ok(StreamItem::Stanza(done));
                    }
                }
                Event::End(_) => match self.stack.pop() {
                    Some(el) => {
                        if let Some(done) = self.attach(el) {
                            return Ok(StreamItem::Stanza(done));
                        }
                    }
                    None => return Ok(StreamItem::End),
                },
                Event::Text(t) => {
                    let text = t.xml10_content().into_owned();
                    self.push_text(&text);
                }
                Event::CData(c) => {
                    let text = c.xml10_content().into_owned();
                    self.push_text(&text);
                }
                Event::GeneralRef(r) => {
                    let text = match r.resolve_char_ref().map_err(|e| XmlError::Malformed(e.to_string()))? {
                        Some(c) => c.to_string(),
                        None => match r.into_inner().as_ref() {
                            "amp" => "&".into(),
                            "lt" => "<".into(),
                            "gt" => ">".into(),
                            "quot" => "\"".into(),
                            "apos" => "'".into(),
                            _ => return Err(XmlError::Forbidden),
                        },
                    };
                    self.push_text(&text);
                }
                Event::Eof => return Err(XmlError::Eof),
            }
        }
    }

    /// Adds a finished element to its parent; returns it when it is a whole stanza.
    fn attach(&mut self, el: Element) -> Option<Element> {
        match self.stack.last_mut() {
            Some(parent) => {
                parent.children.push(Node::Element(el));
                None
            }
            None => Some(el),
        }
    }

    fn push_text(&mut self, text: &str) {
        // Whitespace between stanzas is a keepalive; text outside a stanza means nothing.
        let Some(top) = self.stack.last_mut() else { return };
        match top.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(text),
            _ => top.children.push(Node::Text(text.to_owned())),
        }
    }
}

fn namespace(ns: &ResolveResult<'_>) -> String {
    match ns {
        ResolveResult::Bound(n) => AsRef::<str>::as_ref(n).to_owned(),
        _ => String::new(),
    }
}

fn element(start: &BytesStart<'_>, ns: String) -> Result<Element, XmlError> {
    let local = start.local_name();
    let name = AsRef::<str>::as_ref(&local).to_owned();
    let mut attrs = Vec::new();
    for a in start.attributes() {
        let a = a.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let key: &str = a.key.as_ref();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = a.normalized_value(XmlVersion::Explicit1_0).map_err(|e| XmlError::Malformed(e.to_string()))?;
        attrs.push((key.to_owned(), value.into_owned()));
    }
    Ok(Element { name, ns, attrs, children: Vec::new() })
}

/// Escapes text or an attribute value for writing; drops characters XML 1.0 cannot carry. A
/// carriage return is written as a reference, since a reader turns a raw one into a line feed.
pub fn escape(s: &str) -> String {
    escape_as(s, false)
}

/// Escapes an attribute value: tabs and line breaks too, which a reader would turn into spaces.
pub fn escape_attr(s: &str) -> String {
    escape_as(s, true)
}

fn escape_as(s: &str, attr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `xml` (one stanza) read as the stream reader reads it, for tests of what reads stanzas.
#[cfg(test)]
pub(crate) fn read_stanza(xml: &str) -> Element {
    let stream = format!("<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams'>{xml}");
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a test runtime");
    rt.block_on(async {
        let mut reader = StreamReader::new(stream.as_bytes());
        loop {
            match reader.next().await {
                Ok(StreamItem::Stanza(el)) => return el,
                Ok(StreamItem::End) | Err(_) => panic!("no stanza in {xml}"),
                Ok(_) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What XML 1.0 can carry of `s`: `escape` drops the rest.
    fn carried(s: &str) -> String {
        s.chars()
            .filter(|&c| !((c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') || c == '\u{FFFE}' || c == '\u{FFFF}'))
            .collect()
    }

    #[test]
    fn a_built_element_names_each_namespace_once_where_it_changes() {
        let el = Element::new("message", "jabber:client")
            .with_attr("to", "a@b")
            .with_child(Element::new("body", "").with_text("hi"))
            .with_child(Element::new("request", "urn:xmpp:receipts"))
            .with_child(Element::new("x", "jabber:x:data").with_child(Element::new("field", "jabber:x:data")));
        assert_eq!(
            el.to_xml(),
            "<message to='a@b'><body>hi</body><request xmlns='urn:xmpp:receipts'/>\
             <x xmlns='jabber:x:data'><field/></x></message>"
        );
    }

    proptest::proptest! {
        /// Whatever a patron or a server put in a value or a text, the stanza built with it reads
        /// back with the same value and text: nothing can break out of its place.
        #[test]
        fn any_value_and_text_read_back_as_given(value in "\\PC{0,40}", text in "\\PC{0,80}", raw in "[\\x00-\\x7f]{0,20}") {
            let text = format!("{text}{raw}");
            let el = Element::new("message", "jabber:client")
                .with_attr("to", value.as_str())
                .with_child(Element::new("body", "").with_text(text.as_str()))
                .with_child(Element::new("origin-id", "urn:xmpp:sid:0").with_attr("id", text.as_str()));
            let back = read_stanza(&el.to_xml());
            proptest::prop_assert_eq!(back.attr("to").map(str::to_owned), Some(carried(&value)));
            let body = back.child("body", "jabber:client").map(Element::text);
            proptest::prop_assert_eq!(body.unwrap_or_default(), carried(&text));
            let id = back.child("origin-id", "urn:xmpp:sid:0").and_then(|o| o.attr("id").map(str::to_owned));
            proptest::prop_assert_eq!(id, Some(carried(&text)));
            proptest::prop_assert_eq!(back.elements().count(), 2);
        }
    }

    async fn items(xml: &str) -> Vec<Result<StreamItem, String>> {
        let mut r = StreamReader::new(xml.as_bytes());
        let mut out = Vec::new();
        loop {
            match r.next().await {
                Ok(StreamItem::End) => {
                    out.push(Ok(StreamItem::End));
                    return out;
                }
                Ok(i) => out.push(Ok(i)),
                Err(e) => {
                    out.push(Err(e.to_string()));
                    return out;
                }
            }
        }
    }

    const HEAD: &str = "<?xml version='1.0'?><stream:stream xmlns='jabber:client' \
        xmlns:stream='http://etherx.jabber.org/streams' id='s1' from='library.test' version='1.0'>";

    #[tokio::test]
    async fn stanzas_come_whole_with_namespaces_text_and_entities() {
        let xml = format!(
            "{HEAD} <message from='p@x/r' type='chat'><body>a &lt;b&gt; &amp; &#233;&#x1F600;</body>\
             <active xmlns='http://jabber.org/protocol/chatstates'/></message></stream:stream>"
        );
        let got = items(&xml).await;
        assert!(matches!(&got[0], Ok(StreamItem::Header(a)) if a.iter().any(|(k, v)| k == "id" && v == "s1")));
        let Ok(StreamItem::Stanza(m)) = &got[1] else { panic!("{got:?}") };
        assert!(m.is("message", "jabber:client"));
        assert_eq!(m.attr("from"), Some("p@x/r"));
        assert_eq!(m.child("body", "jabber:client").unwrap().text(), "a <b> & é😀");
        assert!(m.child("active", "http://jabber.org/protocol/chatstates").is_some());
        assert_eq!(got[2], Ok(StreamItem::End));
    }

    #[tokio::test]
    async fn a_dtd_or_an_unknown_entity_is_refused() {
        let got = items("<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'aaaa'>]><x/>").await;
        assert!(matches!(got.last(), Some(Err(e)) if e.contains("forbids")), "{got:?}");
        let got = items(&format!("{HEAD}<message><body>&a;</body></message>")).await;
        assert!(matches!(got.last(), Some(Err(e)) if e.contains("forbids")), "{got:?}");
    }

    #[tokio::test]
    async fn an_oversized_or_deep_stanza_is_refused() {
        let big = format!("{HEAD}<message><body>{}</body></message>", "x".repeat(MAX_STANZA_BYTES as usize + 10));
        assert!(matches!(items(&big).await.last(), Some(Err(e)) if e.contains("over")));
        let set = format!("{HEAD}<iq type='set'><q>{}</q></iq>", "x".repeat(MAX_STANZA_BYTES as usize + 10));
        assert!(matches!(items(&set).await.last(), Some(Err(e)) if e.contains("over")), "only answers may be bigger");
        let roster = format!("{HEAD}<iq type='result'><q>{}</q></iq>", "<i/>".repeat(MAX_STANZA_BYTES as usize));
        let got = items(&roster).await;
        assert!(matches!(got.get(1), Some(Ok(StreamItem::Stanza(_)))), "an answer of 1 MB is taken: {:?}", got.get(1));
        let huge = format!("{HEAD}<iq type='result'><q>{}</q></iq>", "x".repeat(MAX_RESULT_BYTES as usize + 10));
        assert!(matches!(items(&huge).await.last(), Some(Err(e)) if e.contains("over")));
        let deep = format!("{HEAD}<message>{}</message>", "<a>".repeat(MAX_DEPTH + 1));
        assert!(matches!(items(&deep).await.last(), Some(Err(e)) if e.contains("deeper")));
    }

    #[tokio::test]
    async fn a_cut_stream_and_mismatched_tags_are_errors_not_panics() {
        assert!(items(&format!("{HEAD}<message><body>hel")).await.last().unwrap().is_err());
        assert!(items(&format!("{HEAD}<message></presence>")).await.last().unwrap().is_err());
        assert!(items("<html><body/></html>").await.last().unwrap().is_err());
    }

    #[test]
    fn escaping_covers_markup_and_drops_control_characters() {
        assert_eq!(escape("<a href=\"x\">&'\u{0}\u{1b}ok\n"), "&lt;a href=&quot;x&quot;&gt;&amp;&apos;ok\n");
    }
}
