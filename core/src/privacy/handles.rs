//! What names a patron online without being their name: email addresses written out to dodge
//! spam filters ("anna at gmail dot com", "arroba … punto"), @handles, profile addresses on social
//! sites, and the user names and passwords patrons type into a chat when a login fails.

use std::sync::LazyLock;

use regex::Regex;

use super::keywords::{Group, Mentions};
use super::redact::{re, Kind, Spans};

// "at" and "dot" as people disguise them, in the languages patrons write.
const AT: &str = r"(?:\s*[\[({<]\s*(?:at|@|arroba|chez|bij)\s*[\])}>]\s*|\s+(?:at|AT|arroba|chez)\s+|\(at\)|\[at\])";
const DOT: &str =
    r"(?:\s*[\[({<]\s*(?:dot|punt|punto|point|nokta|\.)\s*[\])}>]\s*|\s+(?:dot|DOT|punt|punto|point|nokta)\s+|\.)";

static EMAIL_WRITTEN_OUT: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b[a-z0-9][a-z0-9._%+-]*(?:{DOT}[a-z0-9_%+-]+)*{AT}[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:{DOT}[a-z0-9-]+)*{DOT}(?:com|net|org|edu|info|gov|[a-z]{{2}})\b"
    ))
});
// "@handle", not the "@" of an email address (those are taken first) nor a lone "@".
static HANDLE: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|[\s(\[:,;])(@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}[A-Za-z0-9_])"));

static PROFILE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:https?://)?(?:www\.)?(?:instagram\.com|twitter\.com|x\.com|facebook\.com|fb\.com|tiktok\.com|github\.com|gitlab\.com|linkedin\.com/in|threads\.net|youtube\.com|bsky\.app/profile|mastodon\.social|pinterest\.com|snapchat\.com/add|goodreads\.com/user/show)/@?[A-Za-z0-9_.-]{2,60}(?:/[^\s]*)?",
    )
});

// A user name or password given in words: the word that names it, then the value.
static LOGIN: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)\b(?:(?:user\s*name|username|user\s*id|userid|account\s*name|login(?:\s+name)?|log-in|netid|gebruikersnaam|inlognaam|gebruiker|usuario|nombre\s+de\s+usuario|identifiant|nom\s+d'utilisateur|benutzername|benutzerkennung|kennung|anv[äa]ndarnamn){SAYS}|kullan[ıi]c[ıi](?:\s+ad[ıi]m)?\s*:?\s*){VALUE}"
    ))
});
// "inlognaam jdoe7": the words that can only name a user name, with no "is" or colon.
static LOGIN_BARE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:user\s*name|username|user\s*id|userid|account\s*name|login\s+name|netid|gebruikersnaam|inlognaam|benutzername|nombre\s+de\s+usuario|identifiant|kullan[ıi]c[ıi]\s+ad[ıi]|(?:log|logged|sign|signed)\s*(?:in|on)\s+as)\s+([a-z0-9][a-z0-9._@-]{2,40})",
    )
});
// "Login cbernard", "user: jsmith": a bare login word, then one word of letters.
static LOGIN_INITIALS: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:login|inlog|log-in|user|usuario|utilisateur|benutzer|gebruiker)\s*:?\s+([a-z]{4,24})\b")
});

/// Whether `word` is an initial or two then a surname of the lexicon ("cbernard", "jsmith",
/// "amoreau"), the commonest shape of a login made from a person's name.
fn initials_and_surname(word: &str) -> bool {
    (1..=2).any(|n| {
        word.get(n..).is_some_and(|rest| {
            rest.len() >= 5
                && super::lexicon::capitalised_in(rest, &mut [0u8; 64]).is_some_and(super::lexicon::is_surname)
        })
    })
}

// A user name by how it is used, not by its word: "I go by reader_rach", "rach_89 on goodreads".
// The value must look made up (an underscore, or letters with digits), since "I go by Sam" is a
// name and "3 on instagram" a count.
pub(super) static GOES_BY: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:\b(?:go(?:es)?\s+by|known\s+as|handle(?:\s+is)?:?)\s+([a-z0-9][a-z0-9._]{2,30})|(?:^|\s)([a-z0-9][a-z0-9._]{2,30})\s+on\s+(?:goodreads|insta(?:gram)?|twitter|tiktok|discord|reddit|bluesky|bsky|mastodon|snap(?:chat)?|threads|steam|github|telegram|skype|teams|facebook|fb|linkedin)\b)",
    )
});
// "PW Geheim12", "Login jdoe7": a bare word, then a value with a digit or sign in it.
static BARE_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(password|passwort|kennwort|wachtwoord|contrase[ñn]a|mot\s+de\s+passe|pw|pwd|mdp|login|inlog)\s+(\S*[0-9!#$%&*?@_.]\S*)",
    )
});
// A password given before its word: "it keeps rejecting hunter2! as my password".
static PASSWORD_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r#"(?i)(?:^|\s)([^\s"'“‘]*[0-9!#$%&*?@_][^\s"'”’]*)\s+(?:as|is|was)\s+(?:my|the|our|a)\s+(?:new\s+)?(?:password|passwort|wachtwoord|contrase[ñn]a|mot\s+de\s+passe|pw)\b"#,
    )
});
// A password set in words: "I reset it to Katze#77" (letters with a digit or a sign, six or more).
static RESET_TO: LazyLock<Regex> = LazyLock::new(|| {
    re(r"(?i)\b(?:reset|changed|set|change)\s+(?:it|my\s+password|the\s+password|mine)\s+to\s+(\S{6,64})")
});
// A PIN: its word, then four to eight digits ("my pin 4821", "die PIN ist 9032", "code PIN : 1234").
static PIN: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:pin(?:\s*code|-code|\s+number|\s+nummer|\s+numarası|\s+kodu)?|code\s+pin)(?:\s+(?:is|was|es|est|ist|lautet|c'est|now|nu|ahora))*\s*[:=]?\s*(\d{4,8})\b",
    )
});
static PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"(?i)(?:^|[^\p{{L}}\p{{N}}])(?:(?:password|passwd|passcode|pass\s*word|pw|pwd|pin\s*code|pincode|wachtwoord|contrase[ñn]a|mot\s+de\s+passe|mdp|passwort|kennwort|l[öo]senord)(?:\s+(?:i|que|que\s+j'ai|das\s+ich)\s+(?:set|chose|picked|made|use|used|typed|puse|eleg[ií]|uso|mis|choisi|gew[äa]hlt))?{SAYS}|(?:[şs]ifre(?:m|si|niz)?|parola(?:m|s[ıi])?)\s*:?\s*){VALUE}"
    ))
});
// Between the word that names it and the value: a colon, or "is", "to", "es", "est", "ist"…
const SAYS: &str =
    r"(?:(?:\s+(?:is|was|es|est|ist|lautet|c'est|to|naar|a|en|zu|auf|now|nu|ahora)\b)+\s*[:=]?\s*|\s*[:=]\s*|['’]s\s+)";
const VALUE: &str = r#"[\"'“‘]?(\S{3,64})"#;
// Words that follow "login" or "password" without being one ("the password is wrong").
const NOT_VALUES: &[&str] = &[
    "is",
    "was",
    "the",
    "my",
    "it",
    "and",
    "but",
    "for",
    "not",
    "does",
    "doesn't",
    "isn't",
    "won't",
    "reset",
    "expired",
    "wrong",
    "invalid",
    "incorrect",
    "forgotten",
    "been",
    "guest",
    "admin",
    "student",
    "staff",
    "visitor",
    "card",
    "number",
    "member",
    "usual",
    "fine",
    "ok",
    "okay",
    "correct",
    "right",
    "normal",
    "myself",
    "forgot",
    "page",
    "screen",
    "field",
    "box",
    "again",
    "please",
    "help",
    "works",
    "doesnt",
    "werkt",
    "klopt",
    "vergeten",
    "niet",
    "het",
    "mijn",
    "es",
    "no",
    "mi",
    "la",
    "el",
    "est",
    "pas",
    "mon",
    "ne",
    "ist",
    "nicht",
    "mein",
    "falsch",
    "vergessen",
    "yanlış",
    "unuttum",
    "olmuyor",
    "for?",
    "and?",
    "change",
    "changed",
    "changing",
    "cambiar",
    "wijzigen",
    "ändern",
    "changer",
    "too",
    "also",
    "still",
    "or",
    "en",
    "of",
    "y",
    "o",
    "et",
    "ou",
    "und",
    "oder",
    "ve",
    "veya",
    "oublié",
    "olvidado",
    "veld",
    "campo",
    "champ",
    "feld",
    "alanı",
];

/// A link to a person's page on a social site.
pub(super) fn is_profile(url: &str) -> bool {
    PROFILE.find(url).is_some_and(|m| m.start() == 0 || url[..m.start()].ends_with("://"))
}

/// A typed value without the sentence's punctuation after it ("Geheim12." → "Geheim12"); a "!"
/// or "?" stays, as passwords hold them.
fn unpunctuated(value: &str) -> &str {
    value.trim_end_matches(['.', ',', ';', ')'])
}

/// Takes the written-out emails, handles, profile addresses, user names and passwords in `text`
/// (`has_digit`: whether it holds an ASCII digit, as the caller knows already).
pub(super) fn find(text: &str, said: Mentions, has_digit: bool, spans: &mut Spans<'_>) {
    if said.has(Group::At) {
        for m in EMAIL_WRITTEN_OUT.find_iter(text) {
            spans.take(m.start(), m.end(), Some(Kind::Email));
        }
    }
    if said.has(Group::Profile) {
        for m in PROFILE.find_iter(text) {
            let end = super::checks::trim_url_end(text, m.start(), m.end());
            spans.take(m.start(), end, Some(Kind::User));
        }
    }
    if said.bytes().has(b'@') {
        for c in HANDLE.captures_iter(text) {
            if let Some(g) = c.get(1) {
                spans.take(g.start(), g.end(), Some(Kind::User));
            }
        }
    }
    if said.has(Group::Handle) && (has_digit || said.bytes().has(b'_')) {
        for g in GOES_BY.captures_iter(text).filter_map(|c| c.get(1).or_else(|| c.get(2))) {
            let value = unpunctuated(g.as_str());
            let digits = value.bytes().any(|b| b.is_ascii_digit());
            let made_up = value.contains('_') || (digits && value.bytes().any(|b| b.is_ascii_alphabetic()));
            if made_up {
                spans.take(g.start(), g.start() + value.len(), Some(Kind::User));
            }
        }
    }
    // Each pattern runs where its words are.
    let (user, password, reset) = (said.has(Group::Login), said.has(Group::Password), said.has(Group::Reset));
    let log_sign = said.has(Group::LogSign);
    if !(user || password || reset || log_sign) {
        return;
    }
    // "Login cbernard": no digit or sign, but the shape of a login, an initial or two and a surname.
    if user {
        for g in LOGIN_INITIALS.captures_iter(text).filter_map(|c| c.get(1)) {
            if initials_and_surname(g.as_str()) {
                spans.take(g.start(), g.end(), Some(Kind::User));
            }
        }
    }
    if user || password {
        for c in BARE_VALUE.captures_iter(text) {
            let (Some(word), Some(g)) = (c.get(1), c.get(2)) else { continue };
            let kind = if word.as_str().to_lowercase().starts_with("log") || word.as_str().eq_ignore_ascii_case("inlog")
            {
                Kind::User
            } else {
                Kind::Password
            };
            if g.as_str().chars().count() >= 3 && !g.as_str().starts_with([':', '=']) {
                spans.take(g.start(), g.start() + unpunctuated(g.as_str()).len(), Some(kind));
            }
        }
    }
    if has_digit && password {
        for g in PIN.captures_iter(text).filter_map(|c| c.get(1)) {
            spans.take(g.start(), g.end(), Some(Kind::Password));
        }
    }
    if reset {
        for g in RESET_TO.captures_iter(text).filter_map(|c| c.get(1)) {
            let value = unpunctuated(whole_word(text, g.start(), g.end()));
            let signed = value.chars().any(|c| c.is_ascii_digit() || "!#$%&*?@_".contains(c));
            if signed && value.chars().any(char::is_alphabetic) && value.chars().count() >= 6 {
                spans.take(g.start(), g.start() + value.len(), Some(Kind::Password));
            }
        }
    }
    if password {
        for g in PASSWORD_BEFORE.captures_iter(text).filter_map(|c| c.get(1)) {
            let value = unpunctuated(g.as_str());
            if value.chars().count() >= 4 {
                spans.take(g.start(), g.start() + value.len(), Some(Kind::Password));
            }
        }
    }
    let patterns = [
        (&PASSWORD, Kind::Password, password),
        (&LOGIN, Kind::User, user),
        (&LOGIN_BARE, Kind::User, user || log_sign),
    ];
    for (pattern, kind, wanted) in patterns {
        if wanted {
            for c in pattern.captures_iter(text) {
                let Some(g) = c.get(1) else { continue };
                // A value longer than the pattern's bound is taken whole: what lies past the bound is
                // the same secret, and a second pass would take it with the placeholder.
                let value = whole_word(text, g.start(), g.end());
                let value = value.trim_end_matches(['.', ',', '!', '?', ';', ')', '"', '\'', '”', '’']);
                if value.chars().count() < 3 || NOT_VALUES.contains(&value.to_lowercase().as_str()) {
                    continue;
                }
                spans.take(g.start(), g.start() + value.len(), Some(kind));
            }
        }
    }
}

/// `text[start..end]` run on to the end of its word (the next whitespace).
fn whole_word(text: &str, start: usize, end: usize) -> &str {
    let rest = &text[end..];
    &text[start..end + rest.find(char::is_whitespace).unwrap_or(rest.len())]
}

#[cfg(test)]
mod tests {
    use super::super::keywords::{Group, Mentions};
    use super::super::redact::Redactor;
    use super::*;

    /// Each user-name and password pattern that matches a corpus line (as written, in lower and in
    /// upper case, and in the tests' forms) finds the words of its guard in the line's scan.
    #[test]
    fn each_login_pattern_is_guarded_by_its_words() {
        let guards: [(&Regex, &[Group]); 8] = [
            (&LOGIN_INITIALS, &[Group::Login]),
            (&BARE_VALUE, &[Group::Login, Group::Password]),
            (&PIN, &[Group::Password]),
            (&RESET_TO, &[Group::Reset]),
            (&PASSWORD_BEFORE, &[Group::Password]),
            (&PASSWORD, &[Group::Password]),
            (&LOGIN, &[Group::Login]),
            (&LOGIN_BARE, &[Group::Login, Group::LogSign]),
        ];
        let forms = [
            "logon as jdoe7",
            "signedin as x_y",
            "Mot de passe: Chat#42",
            "şifrem: Kedi1234",
            "LÖSENORD: Hund!42x",
            "nom d'utilisateur jdupont",
            "anvandarnamn: sven9",
            "I reset it to Katze#77",
        ];
        let mut matched = [0; 8];
        let lines = super::super::corpus_lines();
        for line in lines.iter().map(String::as_str).chain(forms) {
            for text in [line.to_string(), line.to_lowercase(), line.to_uppercase()] {
                let said = Mentions::in_text(&text);
                for (i, (pattern, groups)) in guards.iter().enumerate() {
                    if pattern.is_match(&text) {
                        matched[i] += 1;
                        assert!(groups.iter().any(|g| said.has(*g)), "{pattern:?} in {text:?}");
                    }
                }
            }
        }
        assert!(matched.iter().all(|&n| n > 0), "{matched:?}");
    }

    fn r(s: &str) -> String {
        Redactor::new().redact(s)
    }

    #[test]
    fn email_addresses_written_out_are_emails() {
        assert_eq!(r("mail me: jan.smit at gmail dot com thanks"), "mail me: [EMAIL] thanks");
        assert_eq!(r("it's anna [at] uva [dot] nl"), "it's [EMAIL]");
        assert_eq!(r("piet(at)xs4all.nl"), "[EMAIL]");
        assert_eq!(r("escribe a maria arroba gmail punto com"), "escribe a [EMAIL]");
        assert_eq!(r("we're open at noon"), "we're open at noon");
        assert_eq!(r("look at page 5. dot it"), "look at page 5. dot it");
    }

    #[test]
    fn handles_profiles_logins_and_passwords() {
        // A password past the pattern's 64 characters is still taken whole (and a second pass
        // changes nothing).
        let long = format!("PW:{}🂠 ok", "a1".repeat(40));
        assert_eq!(r(&long), "PW:[PASSWORD] ok");
        assert_eq!(r(&r(&long)), "PW:[PASSWORD] ok");
        assert_eq!(r("follow @jan_reads for news"), "follow [USER] for news");
        assert_eq!(r("see instagram.com/jan.smit"), "see [USER]");
        assert_eq!(r("my username is jsmit4"), "my username is [USER]");
        assert_eq!(r("login: jsmit4 password: Geheim!23"), "login: [USER] password: [PASSWORD]");
        assert_eq!(r("het wachtwoord is fiets12"), "het wachtwoord is [PASSWORD]");
        assert_eq!(r("the password is wrong again"), "the password is wrong again");
        assert_eq!(r("I typed my pin 4821 wrong"), "I typed my pin [PASSWORD] wrong");
        assert_eq!(r("it keeps rejecting hunter2! as my password"), "it keeps rejecting [PASSWORD] as my password");
        assert_eq!(r("my password's Tulpen2023 but"), "my password's [PASSWORD] but");
        assert_eq!(r("my password's been reset"), "my password's been reset");
        assert_eq!(r("I log in as mvdberg usually"), "I log in as [USER] usually");
        assert_eq!(r("can I log in as a guest? or log in as guest"), "can I log in as a guest? or log in as guest");
        assert_eq!(r("the account name is rkapoor_lib"), "the account name is [USER]");
        assert_eq!(r("Login cbernard"), "Login [USER]");
        assert_eq!(r("login problems again, user manual"), "login problems again, user manual");
        assert_eq!(r("login issues, login screen, user name is fine"), "login issues, login screen, user name is fine");
        assert_eq!(r("account name olderowe and it says disabled"), "account name [USER] and it says disabled");
        assert_eq!(r("I go by reader_rach on goodreads"), "I go by [USER] on goodreads");
        assert_eq!(r("find me, rach89 on instagram"), "find me, [USER] on instagram");
        assert_eq!(r("I go by Sam, 3 on instagram, my user id card"), "I go by Sam, 3 on instagram, my user id card");
        assert_eq!(r("I reset it to Sunflower99!"), "I reset it to [PASSWORD]");
        assert_eq!(
            r("I reset it to 10:30 and changed it to tomorrow"),
            "I reset it to 10:30 and changed it to tomorrow"
        );
        assert_eq!(r("room 2.14 is the room"), "room 2.14 is the room");
        assert_eq!(r("die PIN ist 9032"), "die PIN ist [PASSWORD]");
        assert_eq!(r("pin 12 on the map, spinning 4000 rpm"), "pin 12 on the map, spinning 4000 rpm");
        assert_eq!(r("I forgot my password"), "I forgot my password");
    }
}
