//! The words of a chat line a name may be, found in one pass over its bytes: the capitalised
//! words ("O'Brien", "Ji-woo", "McKenna") and the lower-case ones ("soo-ah", "d'arcy").
//!
//! A word is a run of letters of any script, with apostrophes and hyphens inside it (one followed
//! by a letter). Characters are decoded only where a byte is not ASCII: most chat lines are ASCII
//! throughout, and this pass runs on every line with a capital.

/// A byte range of the line.
pub(super) type Span = (usize, usize);

/// The capitalised words of `text` (a capital first and a small letter in it, no digit right
/// before) and, if `lower` is asked for, its lower-case words that are not glued to a digit, an
/// `@` or an apostrophe on either side (a user name's or a contraction's piece is no name).
///
/// A line with no ASCII capital and no other script has no capitalised word: the caller skips
/// it by the line's byte set (`people::find`) unless it wants the lower-case words.
pub(super) fn words(text: &str, lower: bool) -> (Vec<Span>, Vec<Span>) {
    let bytes = text.as_bytes();
    // Room for the words of most lines at once: a list grown a word at a time asks for memory
    // three or four times on a line of a dozen words.
    let mut caps = Vec::with_capacity(8);
    let mut lows = if lower { Vec::with_capacity(bytes.len() / 4 + 1) } else { Vec::new() };
    // The character before the word being read (or the last one read), as a class.
    let mut before = Class::Other;
    let mut i = 0;
    while i < bytes.len() {
        let (c, len) = class_at(text, i);
        if !c.is_letter() {
            // A joiner before any letter starts no word ("-", "'a").
            before = c;
            i += len;
            continue;
        }
        let mut w = Word {
            start: i,
            capital: c == Class::Upper,
            small: c == Class::Lower,
            all_small: c == Class::Lower,
            glued_before: before.glues(),
            digit_before: before == Class::Digit,
        };
        i += len;
        // The rest of the word: letters, and joiners with a letter after them.
        let (after, after_len) = loop {
            let (c, len) = class_at(text, i);
            if c.is_letter() || (c.is_joiner() && class_at(text, i + len).0.is_letter()) {
                w.small |= c == Class::Lower;
                w.all_small &= c == Class::Lower || c.is_joiner();
                i += len;
            } else {
                break (c, len);
            }
        };
        // Past the end the class is `Other`, which glues nothing.
        w.finish(i, after.glues(), &mut caps, lower.then_some(&mut lows));
        before = after;
        i += after_len;
    }
    (caps, lows)
}

/// A word being read.
struct Word {
    start: usize,
    /// Its first letter is a capital.
    capital: bool,
    /// It holds a small letter.
    small: bool,
    /// Every character is a small letter or a joiner.
    all_small: bool,
    /// A letter or digit, an `@` or an apostrophe stands right before it.
    glued_before: bool,
    /// A digit (of any script) stands right before it.
    digit_before: bool,
}

impl Word {
    fn finish(self, end: usize, glued_after: bool, caps: &mut Vec<Span>, lows: Option<&mut Vec<Span>>) {
        if self.capital && self.small && !self.digit_before {
            caps.push((self.start, end));
        }
        if let Some(lows) = lows {
            if self.all_small && !self.glued_before && !glued_after {
                lows.push((self.start, end));
            }
        }
    }
}

/// What a character is, for telling words apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Upper,
    Lower,
    /// A letter neither capital nor small (most scripts without case).
    Caseless,
    /// An apostrophe: inside a word if a letter follows ("O'Brien"); glued to a word otherwise.
    Apostrophe,
    /// A hyphen: inside a word if a letter follows ("Ji-woo"); a word's edge otherwise.
    Hyphen,
    /// A digit or other numeric character: no letter, but it glues.
    Digit,
    /// `@`, glued to a user name.
    At,
    Other,
}

impl Class {
    fn is_joiner(self) -> bool {
        matches!(self, Class::Apostrophe | Class::Hyphen)
    }

    fn is_letter(self) -> bool {
        matches!(self, Class::Upper | Class::Lower | Class::Caseless)
    }

    /// Whether a lower-case word next to this character is glued to it: a letter or digit, an
    /// `@`, an apostrophe ("don't" is no name "t"). A hyphen does not glue.
    fn glues(self) -> bool {
        !matches!(self, Class::Other | Class::Hyphen)
    }
}

/// The class of the character at byte `i` of `text` and its length in bytes (`Other` past the end).
#[inline(always)]
fn class_at(text: &str, i: usize) -> (Class, usize) {
    match text.as_bytes().get(i) {
        None => (Class::Other, 1),
        Some(&b) if b < 0x80 => (ASCII[usize::from(b)], 1),
        Some(_) => class_beyond_ascii(text, i),
    }
}

/// The classes of the ASCII characters, looked up: the pass reads every byte of most lines.
static ASCII: [Class; 128] = {
    let mut table = [Class::Other; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'A'..=b'Z' => Class::Upper,
            b'a'..=b'z' => Class::Lower,
            b'0'..=b'9' => Class::Digit,
            b'\'' => Class::Apostrophe,
            b'-' => Class::Hyphen,
            b'@' => Class::At,
            _ => Class::Other,
        };
        b += 1;
    }
    table
};

/// The class of a character beyond ASCII, decoded.
#[inline(never)]
fn class_beyond_ascii(text: &str, i: usize) -> (Class, usize) {
    let c = text[i..].chars().next().unwrap_or(' ');
    let class = if c == '’' {
        Class::Apostrophe
    } else if c.is_alphabetic() {
        if c.is_uppercase() {
            Class::Upper
        } else if c.is_lowercase() {
            Class::Lower
        } else {
            Class::Caseless
        }
    } else if c.is_numeric() {
        Class::Digit
    } else {
        Class::Other
    };
    (class, c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    // The two scans this module's one pass replaced, kept as its reference: the pass must find
    // what they found, on the corpora and on any text.
    /// The capitalised words of `text` (a capital first and a small letter in it, with inner
    /// apostrophes and hyphens: "O'Brien", "Ji-woo", "McKenna"), as spans: a scan rather than a
    /// pattern, since word edges here are any script's.
    fn capitalised_words(text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut word: Option<(usize, bool)> = None; // start, has a small letter
        let mut end = 0;
        let joiner = |c: char| matches!(c, '\'' | '’' | '-');
        // A word ended: kept if it starts with a capital, holds a small letter and follows no digit.
        let finish = |word: Option<(usize, bool)>, end: usize, out: &mut Vec<(usize, usize)>| {
            if let Some((start, true)) = word {
                if text[start..].starts_with(char::is_uppercase) && !text[..start].ends_with(char::is_alphanumeric) {
                    out.push((start, end));
                }
            }
        };
        // No capital in ASCII and no other script: no capitalised word (most chat lines after their first).
        if !text.bytes().skip(1).any(|b| b.is_ascii_uppercase() || b >= 0x80) && !text.starts_with(char::is_uppercase) {
            return out;
        }
        // Characters decoded only where a byte is not ASCII.
        let char_at = |i: usize| match text.as_bytes().get(i) {
            Some(&b) if b < 0x80 => Some(b as char),
            Some(_) => text[i..].chars().next(),
            None => None,
        };
        let mut i = 0;
        while let Some(c) = char_at(i) {
            let next = i + c.len_utf8();
            let inner_joiner = joiner(c) && word.is_some() && char_at(next).is_some_and(char::is_alphabetic);
            if c.is_alphabetic() || inner_joiner {
                match &mut word {
                    Some((_, lower)) => *lower |= c.is_lowercase(),
                    None => word = Some((i, false)),
                }
                end = next;
                i = next;
                continue;
            }
            finish(word.take(), end, &mut out);
            i = next;
        }
        finish(word, end, &mut out);
        out
    }

    /// The lower-case words of `text` (letters only), as spans.
    fn lower_words(text: &str) -> Vec<Span> {
        let mut out = Vec::new();
        let mut start = None;
        let mut chars = text.char_indices().chain(std::iter::once((text.len(), ' '))).peekable();
        while let Some((i, c)) = chars.next() {
            // "soo-ah", "d'arcy": one word.
            let joiner = matches!(c, '-' | '\'' | '’')
                && start.is_some()
                && chars.peek().is_some_and(|&(_, n)| n.is_alphabetic());
            match (start, c.is_alphabetic() || joiner) {
                (None, true) => start = Some(i),
                (Some(s), false) => {
                    let w = &text[s..i];
                    let glued = text[..s].ends_with(|c: char| c.is_alphanumeric() || c == '@' || c == '\'' || c == '’')
                        || text[i..].starts_with(|c: char| c.is_alphanumeric() || c == '@' || c == '\'' || c == '’');
                    if !glued && w.chars().all(|c| c.is_lowercase() || matches!(c, '-' | '\'' | '’')) {
                        out.push((s, i));
                    }
                    start = None;
                }
                _ => {}
            }
        }
        out
    }

    fn agrees(text: &str) {
        let (caps, lows) = words(text, true);
        assert_eq!(caps, capitalised_words(text), "capitalised words of {text:?}");
        assert_eq!(lows, lower_words(text), "lower-case words of {text:?}");
        assert_eq!(words(text, false).0, caps, "{text:?}");
    }

    #[test]
    fn one_pass_finds_the_capitalised_and_the_lower_case_words() {
        assert_eq!(words("Ask O'Brien or Ji-woo, McKenna's 3Com", false).0, [(0, 3), (4, 11), (15, 21), (23, 32)]);
        assert_eq!(words("ask soo-ah, don't @bob x2y d'arcy -", true).1, [(0, 3), (4, 10), (12, 17), (27, 33)]);
        for line in super::super::corpus_lines() {
            agrees(&line);
            agrees(&line.to_lowercase());
        }
        for text in
            ["", "-", "'a", "a'", "A'b", "Ü-ber", "İstanbul", "ǅemal", "日本 Tokyo", "x’y", "Ⅻ Ab", "²Ab", "٣Ab"]
        {
            agrees(text);
        }
    }

    proptest! {
        #[test]
        fn one_pass_agrees_with_the_two_scans_on_any_text(s in "[a-zA-Z0-9 '’@.,-]{0,40}|\\PC{0,40}") {
            agrees(&s);
        }
    }
}
