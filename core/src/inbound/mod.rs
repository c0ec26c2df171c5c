//! One path for everything an account brings in: each stanza classified into a typed input
//! ([`classify`]), taken by the desk ([`receive`]), and what follows collected as outputs in order
//! ([`pipeline`]). Pure: the IM service (`crate::service`) is the only I/O around it.

pub mod classify;
pub mod pipeline;
pub mod receive;

pub use classify::{classify, Input};
pub use pipeline::{Output, Pipeline, Shown};
