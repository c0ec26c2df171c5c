//! Commands the window may call: one thin function each (parse, call core, map the error).

pub mod conversations;
pub mod desk;
pub mod handoff;
pub mod history;
pub mod im;
pub mod store;
