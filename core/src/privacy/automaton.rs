//! The keyword automaton: one table-driven pass over a line says which groups of words it holds.
//!
//! An Aho–Corasick automaton turned into a full DFA, each state carrying the groups of every word
//! that ends there (its own and, through the failure links, those of its suffixes). The scan is
//! then one table lookup and one OR per byte: the iterator of every overlapping match that a
//! general multi-pattern searcher hands out costs several times more on a short chat line, and
//! only which groups occur is wanted.

use std::collections::VecDeque;

/// Which of up to 32 groups of words a byte string holds. Words are matched as bytes; ASCII
/// letters in either case.
#[derive(Debug)]
pub(super) struct GroupScan {
    /// Byte to column: the bytes no word holds share column 0; ASCII capitals share their small
    /// letter's column.
    class: [u8; 256],
    columns: usize,
    /// `next[state * columns + column]`: the state after reading a byte of that column.
    next: Vec<u16>,
    /// The groups of the words that end in each state.
    groups: Vec<u32>,
}

impl GroupScan {
    /// An automaton for `words`, each with its group's number (below 32). Panics on more states
    /// than a `u16` holds: the words are constants of the redactor, checked by its tests.
    pub(super) fn new<'w>(words: impl IntoIterator<Item = (u8, &'w str)>) -> GroupScan {
        let words: Vec<(u8, Vec<u8>)> =
            words.into_iter().map(|(g, w)| (g, w.as_bytes().to_ascii_lowercase())).collect();
        let mut class = [0u8; 256];
        let mut columns = 1usize;
        for (_, w) in &words {
            for &b in w {
                if class[usize::from(b)] == 0 {
                    class[usize::from(b)] =
                        u8::try_from(columns).expect("fewer than 256 distinct bytes in the keywords");
                    columns += 1;
                }
            }
        }
        for b in b'A'..=b'Z' {
            class[usize::from(b)] = class[usize::from(b.to_ascii_lowercase())];
        }
        // The trie: state 0 is the root; a missing edge is 0 until the failure links fill it in.
        let mut next = vec![0u16; columns];
        let mut groups = vec![0u32];
        for (g, w) in &words {
            assert!(*g < 32, "a keyword group's number is below 32");
            let mut s = 0usize;
            for &b in w {
                let at = s * columns + usize::from(class[usize::from(b)]);
                if next[at] == 0 {
                    let new = u16::try_from(groups.len()).expect("the keyword automaton fits u16 states");
                    next[at] = new;
                    next.extend(std::iter::repeat_n(0, columns));
                    groups.push(0);
                }
                s = usize::from(next[at]);
            }
            groups[s] |= 1 << g;
        }
        // Breadth first, so that a state's failure state is complete before the state: a missing
        // edge goes where the failure state's edge goes, and the failure state's groups are ours.
        let mut fail = vec![0usize; groups.len()];
        let mut queue: VecDeque<usize> = (0..columns).map(|c| usize::from(next[c])).filter(|&s| s != 0).collect();
        while let Some(s) = queue.pop_front() {
            groups[s] |= groups[fail[s]];
            for c in 0..columns {
                let child = usize::from(next[s * columns + c]);
                let through_fail = next[fail[s] * columns + c];
                if child == 0 {
                    next[s * columns + c] = through_fail;
                } else {
                    fail[child] = usize::from(through_fail);
                    queue.push_back(child);
                }
            }
        }
        GroupScan { class, columns, next, groups }
    }

    /// The groups whose words `bytes` holds, and which bytes it holds (bit `b` of the set for
    /// byte `b`): one pass for both, as every line needs both.
    pub(super) fn scan_with_bytes(&self, bytes: &[u8]) -> (u32, [u64; 4]) {
        let mut state = 0usize;
        let mut found = 0u32;
        let mut set = [0u64; 4];
        for &b in bytes {
            set[usize::from(b >> 6)] |= 1 << (b & 63);
            state = usize::from(self.next[state * self.columns + usize::from(self.class[usize::from(b)])]);
            found |= self.groups[state];
        }
        (found, set)
    }

    /// The groups (one bit each) whose words `bytes` holds.
    pub(super) fn scan(&self, bytes: &[u8]) -> u32 {
        let mut state = 0usize;
        let mut found = 0u32;
        for &b in bytes {
            state = usize::from(self.next[state * self.columns + usize::from(self.class[usize::from(b)])]);
            found |= self.groups[state];
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(words: &[(u8, &str)], text: &str) -> u32 {
        let text = text.to_ascii_lowercase();
        words.iter().filter(|(_, w)| text.contains(&w.to_ascii_lowercase())).fold(0, |acc, (g, _)| acc | 1 << g)
    }

    #[test]
    fn every_group_whose_word_occurs_anywhere_is_found() {
        let words = [(0, "he"), (1, "she"), (2, "his"), (3, "hers"), (4, "ushers"), (5, "é"), (6, "a b")];
        let scan = GroupScan::new(words.iter().copied());
        for text in [
            "", "ushers", "USHERS!", "she", "shis", "hhers", "h e", "café", "CAFÉ", "a b", "a  b", "xyz", "hishe",
            "usher",
        ] {
            assert_eq!(scan.scan(text.as_bytes()), naive(&words, text), "{text:?}");
            let (groups, set) = scan.scan_with_bytes(text.as_bytes());
            assert_eq!(groups, naive(&words, text), "{text:?}");
            assert!(
                (0..=255u8).all(|b| (set[usize::from(b >> 6)] >> (b & 63) & 1 == 1) == text.as_bytes().contains(&b))
            );
        }
    }
}
