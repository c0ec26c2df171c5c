//! Entry points for the fuzz targets in `fuzz/` (built with the `fuzzing` feature only): arbitrary
//! bytes into the XMPP stream reader and stanza parsers, the redactor and the policy parser. Each
//! checks what must hold whatever the input, beyond not crashing.

use std::future::Future;
use std::pin::pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll, Wake, Waker};

use crate::privacy::redact::Redactor;
use crate::xmpp::session::parse_for_fuzzing;
use crate::xmpp::xml::{StreamItem, StreamReader, MAX_STANZA_BYTES};

struct NoWake;

impl Wake for NoWake {
    fn wake(self: Arc<Self>) {}
}

/// Runs a future that never waits (reading from memory never does).
fn now<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let waker = Waker::from(Arc::new(NoWake));
    match f.as_mut().poll(&mut Context::from_waker(&waker)) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("reading from memory waited"),
    }
}

/// A server's stream, as bytes: read stanza by stanza, each through every parser a live one meets.
pub fn stanzas(data: &[u8]) {
    let mut reader = StreamReader::new(data);
    // Each step consumes input or ends, so the input's length bounds the loop; the cap is a guard.
    for _ in 0..=data.len() {
        match now(reader.next()) {
            Ok(StreamItem::Stanza(el)) => {
                let (message, inner, _presence) = parse_for_fuzzing(&el);
                for m in message.iter().chain(&inner) {
                    let body = m.body.as_deref().map_or(0, str::len);
                    assert!(body <= MAX_STANZA_BYTES as usize, "a body larger than the stanza bound was accepted");
                }
            }
            Ok(StreamItem::Header(_)) => {}
            Ok(StreamItem::End) | Err(_) => return,
        }
    }
}

/// One patron line through the redactor, as `refdeskctl redact` sees it.
pub fn redact(data: &[u8]) {
    let line = String::from_utf8_lossy(data).replace(['\n', '\r'], " ");
    // Built once: compiling the detectors costs far more than one input, and a live desk builds it once too.
    static REDACTOR: OnceLock<Redactor> = OnceLock::new();
    let redactor = REDACTOR.get_or_init(|| Redactor::with_names(&["Maria", "José"]));
    let findings = redactor.find(&line);
    let mut last = 0;
    for f in &findings {
        assert!(f.start >= last && f.start < f.end && f.end <= line.len(), "findings overlap or leave the text");
        assert!(line.is_char_boundary(f.start) && line.is_char_boundary(f.end), "a finding splits a character");
        last = f.end;
    }
    let out = redactor.redact(&line);
    assert!(!out.contains('\n'), "one line in, one line out");
    if findings.is_empty() {
        assert_eq!(out, line, "nothing found, yet the line changed");
    }
}

/// A policy file as IT might write it (or mistype it): parsed, and if it parses, summarised.
pub fn policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = crate::policy::parse(text, "fuzz.toml") {
        let set = crate::policy::summary::keys_set(text);
        let _ = crate::policy::summary::summary(&p.file, &set);
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Every committed seed passes its target's checks in a plain test run too (no nightly needed).
    #[test]
    fn the_committed_fuzz_seeds_pass_their_checks() {
        let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/seeds");
        type Target = fn(&[u8]);
        let targets: [(&str, Target); 3] =
            [("stanzas", super::stanzas), ("redact", super::redact), ("policy", super::policy)];
        for (name, target) in targets {
            let mut count = 0;
            for entry in std::fs::read_dir(seeds.join(name)).expect("seed directory") {
                let data = std::fs::read(entry.expect("seed entry").path()).expect("seed file");
                target(&data);
                count += 1;
            }
            assert!(count >= 2, "{name} has only {count} seeds");
        }
    }
}
