//! Patterns with one capture group between a prefix and a tail ("card number is <value>"), found
//! without the regex engine's capture machinery where the pattern's parts agree: extracting a
//! group runs a bounded backtracker over the whole pattern, the dearest step of the context
//! patterns on a line that holds their value.

use regex::Regex;

use regex_automata::{Anchored, Input};

use super::redact::{meta_re, re};

/// `{prefix}({value}){tail}`, and the three parts on their own.
pub(super) struct Valued {
    whole: Regex,
    /// Searched anchored where a match of `whole` starts: an unanchored search from there would
    /// look past it, and the engine's strategies for that cost several times more.
    prefix: regex_automata::meta::Regex,
    value: Regex,
    /// None where the pattern has no tail: nothing to check after the value.
    tail: Option<Regex>,
}

impl Valued {
    /// `flags` go before each part ("(?i)"). Neither `value` nor `tail` may start with a look-behind
    /// assertion (`\b`, `^`): each is matched on the text after what comes before it.
    pub(super) fn new(flags: &str, prefix: &str, value: &str, tail: &str) -> Valued {
        Valued {
            whole: re(&format!("{flags}{prefix}({value}){tail}")),
            prefix: meta_re(&format!("{flags}{prefix}")),
            value: re(&format!("{flags}^(?:{value})")),
            tail: (!tail.is_empty()).then(|| re(&format!("{flags}^(?:{tail})"))),
        }
    }

    /// Each match (as `find_iter` gives them) with its group (as `captures_iter` would).
    pub(super) fn matches<'t>(
        &'t self,
        text: &'t str,
    ) -> impl Iterator<Item = (regex::Match<'t>, (usize, usize))> + 't {
        self.whole.find_iter(text).filter_map(move |m| Some((m, self.group(text, m)?)))
    }

    /// The first match at or after `at`, with its group.
    pub(super) fn first_from<'t>(&self, text: &'t str, at: usize) -> Option<(regex::Match<'t>, (usize, usize))> {
        let m = self.whole.find_at(text, at)?;
        Some((m, self.group(text, m)?))
    }

    /// The group of the match `m`. The parts, each taken as the pattern's own order prefers (the
    /// prefix as it stands at the match's start, the longest value it prefers, then the tail),
    /// give the group the pattern captures whenever they fit together; where they do not, the
    /// capture is run after all.
    fn group(&self, text: &str, m: regex::Match<'_>) -> Option<(usize, usize)> {
        self.by_parts(text, m).or_else(|| {
            let g = self.whole.captures_at(text, m.start())?.get(1)?;
            Some((g.start(), g.end()))
        })
    }

    /// The group of the match `m` from the pattern's parts, if they fit together.
    fn by_parts(&self, text: &str, m: regex::Match<'_>) -> Option<(usize, usize)> {
        let head = self.prefix.find(Input::new(text).range(m.start()..).anchored(Anchored::Yes))?;
        let value = self.value.find(&text[head.end()..])?;
        let end = head.end() + value.end();
        let tail_fits = self.tail.as_ref().is_none_or(|t| t.is_match(&text[end..]));
        tail_fits.then_some((head.end(), end))
    }

    /// Whether every match in `text` has its group from the parts (no capture run after all).
    #[cfg(test)]
    pub(super) fn read_by_parts(&self, text: &str) -> bool {
        self.whole.find_iter(text).all(|m| self.by_parts(text, m).is_some())
    }

    /// The whole pattern.
    #[cfg(test)]
    pub(super) fn whole(&self) -> &Regex {
        &self.whole
    }

    /// The groups `captures_iter` gives, for the tests that hold the two ways to the same result.
    #[cfg(test)]
    pub(super) fn captured(&self, text: &str) -> Vec<(usize, usize)> {
        self.whole.captures_iter(text).filter_map(|c| c.get(1)).map(|g| (g.start(), g.end())).collect()
    }

    #[cfg(test)]
    pub(super) fn found(&self, text: &str) -> Vec<(usize, usize)> {
        self.matches(text).map(|(_, g)| g).collect()
    }
}
