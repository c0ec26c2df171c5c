//! The stanzas Refdesk writes, one module per specification that defines them (as xmpp-parsers
//! does): each names its namespace and builds its elements, so the stream only assembles parts
//! and never writes XML by hand. Reading stays in `stanza`, `roster` and `stream`.

pub mod carbons;
pub mod chatstates;
pub mod csi;
pub mod hints;
pub mod im;
pub mod mam;
pub mod ping;
pub mod pubsub;
pub mod receipts;
pub mod refdesk;
pub mod sid;
