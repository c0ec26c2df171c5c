//! The shapes and checksums the redactor tells apart by: a URL's end and whether it names a
//! person's page, ISBN and ISSN check digits (kept: they are catalogue numbers), and the Luhn sum
//! of a payment card (removed). Pure functions of the text.

use std::sync::LazyLock;

use regex::Regex;

use super::redact::re;

/// A URL ends before trailing punctuation that belongs to the sentence.
pub(super) fn trim_url_end(text: &str, start: usize, mut end: usize) -> usize {
    while end > start && text[..end].ends_with(['.', ',', ';', ':', '!', '?', ')', ']']) {
        end -= 1;
    }
    end
}

/// A URL that carries a login, a token, or personal query values.
pub(super) fn url_is_private(url: &str) -> bool {
    let lower = url.to_lowercase();
    let after_scheme = lower.split_once("://").map_or(lower.as_str(), |(_, r)| r);
    let host_part = after_scheme.split(['/', '?', '#']).next().unwrap_or("");
    if host_part.contains('@') {
        return true;
    }
    // Someone's own mailbox or shared file: the address alone opens it, or names them.
    const PRIVATE_PLACES: &[&str] = &[
        "mail.google.com/",
        "outlook.live.com/",
        "outlook.office.com/",
        "outlook.office365.com/",
        "drive.google.com/file/",
        "drive.google.com/drive/",
        "docs.google.com/",
        "1drv.ms/",
        "onedrive.live.com/",
        "dropbox.com/s/",
        "dropbox.com/scl/",
        "wetransfer.com/downloads/",
        "we.tl/",
    ];
    let path = after_scheme.strip_prefix("www.").unwrap_or(after_scheme);
    if PRIVATE_PLACES.iter().any(|p| path.starts_with(p)) {
        return true;
    }
    const PRIVATE_KEYS: &[&str] = &[
        "token",
        "access_token",
        "auth",
        "key",
        "apikey",
        "api_key",
        "session",
        "sessionid",
        "sid",
        "jsessionid",
        "password",
        "pass",
        "pwd",
        "pw",
        "email",
        "mail",
        "user",
        "username",
        "login",
        "patron",
        "barcode",
        "card",
        "pin",
        "ticket",
        "sig",
        "signature",
        "code",
        "secret",
        "phone",
        "name",
        "dob",
        "uid",
        "userid",
    ];
    if let Some((_, query)) = lower.split_once(['?', '#']) {
        for pair in query.split(['&', ';', '#']) {
            let key = pair.split('=').next().unwrap_or("");
            if PRIVATE_KEYS.contains(&key) || key.ends_with("token") || key.ends_with("_id") && key.starts_with("user")
            {
                return true;
            }
        }
    }
    // A long opaque path segment mixing letters and digits is usually a token.
    after_scheme.split(['/', '?', '#', '&', '=']).skip(1).any(|seg| {
        seg.len() >= 24
            && seg.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && seg.chars().any(|c| c.is_ascii_digit())
            && seg.chars().any(|c| c.is_ascii_alphabetic())
    })
}

/// Written the way ISBNs are: 13 digits from 978/979, or ten in four groups ending in the check digit.
/// (Ten bare digits pass an ISBN-10 check one time in eleven: without "ISBN" before them they are
/// more likely a phone number.)
pub(super) fn isbn_shaped(s: &str) -> bool {
    static GROUPED: LazyLock<Regex> = LazyLock::new(|| re(r"^\d{1,5}[- ]\d{1,7}[- ]\d{1,7}[- ][\dXx]$"));
    let digits = s.chars().filter(|c| c.is_ascii_alphanumeric()).count();
    (digits == 13 && (s.starts_with("978") || s.starts_with("979"))) || GROUPED.is_match(s)
}

/// ISBN-10 or ISBN-13 with a valid check digit.
pub(super) fn is_isbn(s: &str) -> bool {
    // At most 13 characters count: on the stack, since every number in every line comes here.
    let mut chars = ['\0'; 13];
    let mut len = 0;
    for c in s.chars().filter(|c| c.is_ascii_alphanumeric()) {
        if len == chars.len() {
            return false;
        }
        chars[len] = c;
        len += 1;
    }
    let chars = &chars[..len];
    match len {
        10 => {
            let mut sum = 0;
            for (i, c) in chars.iter().enumerate() {
                let v = match c {
                    'X' | 'x' if i == 9 => 10,
                    c => match c.to_digit(10) {
                        Some(d) => d,
                        None => return false,
                    },
                };
                sum += v * (10 - i as u32);
            }
            sum.is_multiple_of(11)
        }
        13 => {
            if !(s.starts_with("978") || s.starts_with("979")) {
                return false;
            }
            let mut sum = 0;
            for (i, c) in chars.iter().enumerate() {
                let Some(d) = c.to_digit(10) else { return false };
                sum += if i % 2 == 0 { d } else { 3 * d };
            }
            sum.is_multiple_of(10)
        }
        _ => false,
    }
}

pub(super) fn is_issn(s: &str) -> bool {
    let chars: Vec<char> = s.chars().filter(|c| *c != '-').collect();
    if chars.len() != 8 {
        return false;
    }
    let mut sum = 0;
    for (i, c) in chars.iter().enumerate() {
        let v = match c {
            'X' | 'x' if i == 7 => 10,
            c => match c.to_digit(10) {
                Some(d) => d,
                None => return false,
            },
        };
        sum += v * (8 - i as u32);
    }
    sum.is_multiple_of(11)
}

/// 13 to 19 digits passing the Luhn check, with a payment-card prefix.
pub(super) fn luhn_card(s: &str) -> bool {
    let mut digits = [0u32; 19];
    let mut len = 0;
    for d in s.chars().filter_map(|c| c.to_digit(10)) {
        if len == digits.len() {
            return false;
        }
        digits[len] = d;
        len += 1;
    }
    if len < 13 {
        return false;
    }
    let digits = &digits[..len];
    // Each network's prefixes and lengths: a library's 13- or 14-digit barcode starting with 2
    // or 5 is no Mastercard (16 digits), whatever its check digit does.
    let network = match digits[0] {
        4 => matches!(len, 13 | 16 | 19),
        5 => (1..=5).contains(&digits[1]) && len == 16,
        2 => (2..=7).contains(&digits[1]) && len == 16,
        3 => (digits[1] == 4 || digits[1] == 7) && len == 15,
        // Maestro and others start with 6 at any length from 13: every one counts.
        6 => true,
        _ => false,
    };
    if !network {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            if i % 2 == 1 {
                let dd = d * 2;
                if dd > 9 {
                    dd - 9
                } else {
                    dd
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}
