//! refdesk-core: everything Refdesk does, behind the [`Desk`] facade that the app shell and refdeskctl call.

pub mod accounts;
pub mod api;
pub mod autostart;
pub mod canned;
pub mod days;
pub mod desk;
pub mod display;
pub mod error;
pub mod export;
mod facade;
pub mod flood;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod glossary;
pub mod handoff;
pub mod history;
pub mod inbound;
pub mod links;
pub mod logging;
pub mod names;
pub mod notify;
pub mod paths;
pub mod policy;
pub mod privacy;
pub mod service;
pub mod stats;
pub mod store;
pub mod wake;
pub mod xmpp;

pub use error::{Error, Result, StoreError};
pub(crate) use facade::{next_revision, ARCHIVE_KEY, STAFF_ID};
pub use facade::{Desk, HISTORY_AFTER_MINUTES, MAX_PAGE, MAX_TOPIC_CHARS};

/// What other modules' tests share: a desk on a fresh database, a patron's message.
#[cfg(test)]
pub(crate) mod tests {
    pub(crate) use crate::facade::tests::{chat, desk};
}
