//! Fuzz target: arbitrary bytes into refdesk_core::fuzzing::redact (what it checks is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| refdesk_core::fuzzing::redact(data));
