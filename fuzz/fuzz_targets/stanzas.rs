//! Fuzz target: arbitrary bytes into refdesk_core::fuzzing::stanzas (what it checks is documented there).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| refdesk_core::fuzzing::stanzas(data));
