//! The patron's language: a checked language tag, and the words the automatic replies fill in
//! ({wait}, {opens}) in each language the chat box speaks.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone};

/// Longest tag we keep (RFC 5646 tags in use are far shorter; a patron's client may send anything).
const MAX_TAG: usize = 35;

/// A language tag as a patron's client sent it (`xml:lang`), lower-cased and checked: letters,
/// digits and hyphens, a 2–8 letter primary subtag. Anything else is no language.
pub fn tag(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_TAG {
        return None;
    }
    let tag = raw.replace('_', "-").to_ascii_lowercase();
    let mut parts = tag.split('-');
    let primary = parts.next()?;
    if !(2..=8).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    if !parts.all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric())) {
        return None;
    }
    Some(tag)
}

/// The primary subtag: "nl" of "nl-be".
pub fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// The words of one language. Patterns use `{n}`, `{day}`, `{date}`, `{time}`, `{weekday}`, `{month}`.
struct Words {
    minute: &'static str,
    minutes: &'static str,
    hours: &'static str,
    today: &'static str,
    tomorrow: &'static str,
    /// A day this week: "on Monday".
    weekday: &'static str,
    /// A day further off: "on Monday 7 December".
    date: &'static str,
    /// A day and a time: "tomorrow at 09:00".
    at: &'static str,
    weekdays: [&'static str; 7],
    months: [&'static str; 12],
}

const EN: Words = Words {
    minute: "about a minute",
    minutes: "about {n} minutes",
    hours: "about {n} hours",
    today: "today",
    tomorrow: "tomorrow",
    weekday: "on {weekday}",
    date: "on {weekday} {n} {month}",
    at: "{day} at {time}",
    weekdays: ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
};

const NL: Words = Words {
    minute: "ongeveer een minuut",
    minutes: "ongeveer {n} minuten",
    hours: "ongeveer {n} uur",
    today: "vandaag",
    tomorrow: "morgen",
    weekday: "op {weekday}",
    date: "op {weekday} {n} {month}",
    at: "{day} om {time}",
    weekdays: ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    months: [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
};

const ES: Words = Words {
    minute: "alrededor de un minuto",
    minutes: "unos {n} minutos",
    hours: "unas {n} horas",
    today: "hoy",
    tomorrow: "mañana",
    weekday: "el {weekday}",
    date: "el {weekday} {n} de {month}",
    at: "{day} a las {time}",
    weekdays: ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    months: [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ],
};

const FR: Words = Words {
    minute: "environ une minute",
    minutes: "environ {n} minutes",
    hours: "environ {n} heures",
    today: "aujourd’hui",
    tomorrow: "demain",
    weekday: "{weekday}",
    date: "le {weekday} {n} {month}",
    at: "{day} à {time}",
    weekdays: ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
};

const DE: Words = Words {
    minute: "etwa eine Minute",
    minutes: "etwa {n} Minuten",
    hours: "etwa {n} Stunden",
    today: "heute",
    tomorrow: "morgen",
    weekday: "am {weekday}",
    date: "am {weekday}, {n}. {month}",
    at: "{day} um {time}",
    weekdays: ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    months: [
        "Januar",
        "Februar",
        "März",
        "April",
        "Mai",
        "Juni",
        "Juli",
        "August",
        "September",
        "Oktober",
        "November",
        "Dezember",
    ],
};

/// The languages whose {wait} and {opens} words Refdesk knows; others get English ones.
pub const KNOWN: &[&str] = &["en", "nl", "es", "fr", "de"];

fn words(lang: Option<&str>) -> &'static Words {
    match lang.map(primary) {
        Some("nl") => &NL,
        Some("es") => &ES,
        Some("fr") => &FR,
        Some("de") => &DE,
        _ => &EN,
    }
}

/// "about 5 minutes" in `lang`; rounds up so a patron is not promised less than we expect.
pub fn wait_words(d: Duration, lang: Option<&str>) -> String {
    let w = words(lang);
    let mins = ((d.num_seconds().max(0) + 59) / 60).max(1);
    if mins == 1 {
        w.minute.to_owned()
    } else if mins < 90 {
        w.minutes.replace("{n}", &mins.to_string())
    } else {
        w.hours.replace("{n}", &((mins + 30) / 60).to_string())
    }
}

/// "tomorrow at 09:00", "on Monday at 09:00", "on Monday 14 December at 09:00": `at` seen from
/// `today`, both in the library's time zone, in `lang`.
pub fn opens_words<Tz: TimeZone>(at: &DateTime<Tz>, today: NaiveDate, lang: Option<&str>) -> String {
    let w = words(lang);
    let date = at.date_naive();
    let weekday = w.weekdays[date.weekday().num_days_from_monday() as usize];
    let day = match (date - today).num_days() {
        0 => w.today.to_owned(),
        1 => w.tomorrow.to_owned(),
        2..=6 => w.weekday.replace("{weekday}", weekday),
        _ => w
            .date
            .replace("{weekday}", weekday)
            .replace("{n}", &date.day().to_string())
            .replace("{month}", w.months[date.month0() as usize]),
    };
    w.at.replace("{day}", &day).replace("{time}", &at.naive_local().format("%H:%M").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn tags_are_checked_and_lower_cased() {
        assert_eq!(tag("nl-BE").as_deref(), Some("nl-be"));
        assert_eq!(tag(" de_DE ").as_deref(), Some("de-de"));
        assert_eq!(tag("zh-Hant-TW").as_deref(), Some("zh-hant-tw"));
        for bad in ["", "x", "n1", "nl--be", "<script>", "en-", "toolongprimary", &"a-".repeat(30), "nl be"] {
            assert_eq!(tag(bad), None, "{bad:?}");
        }
        assert_eq!(primary("nl-be"), "nl");
        assert_eq!(primary("fr"), "fr");
    }

    #[test]
    fn waits_are_told_in_the_patron_s_language_and_rounded_up() {
        assert_eq!(wait_words(Duration::seconds(0), None), "about a minute");
        assert_eq!(wait_words(Duration::seconds(61), Some("en-gb")), "about 2 minutes");
        assert_eq!(wait_words(Duration::minutes(150), None), "about 3 hours");
        assert_eq!(wait_words(Duration::seconds(61), Some("nl-be")), "ongeveer 2 minuten");
        assert_eq!(wait_words(Duration::minutes(150), Some("nl")), "ongeveer 3 uur");
        assert_eq!(wait_words(Duration::seconds(30), Some("es")), "alrededor de un minuto");
        assert_eq!(wait_words(Duration::minutes(12), Some("fr")), "environ 12 minutes");
        assert_eq!(wait_words(Duration::minutes(12), Some("de")), "etwa 12 Minuten");
        // A language we have no words for still gets a wait, in English.
        assert_eq!(wait_words(Duration::minutes(12), Some("sv")), "about 12 minutes");
    }

    #[test]
    fn openings_are_told_from_today_in_the_patron_s_language() {
        // Sunday 6 December 2026.
        let today = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let at = |d: u32, h: u32| Utc.with_ymd_and_hms(2026, 12, d, h, 0, 0).unwrap();
        assert_eq!(opens_words(&at(6, 17), today, None), "today at 17:00");
        assert_eq!(opens_words(&at(7, 9), today, Some("nl")), "morgen om 09:00");
        assert_eq!(opens_words(&at(9, 9), today, Some("es")), "el miércoles a las 09:00");
        assert_eq!(opens_words(&at(9, 9), today, Some("fr-ca")), "mercredi à 09:00");
        assert_eq!(opens_words(&at(14, 10), today, Some("de")), "am Montag, 14. Dezember um 10:00");
        assert_eq!(opens_words(&at(14, 10), today, Some("en")), "on Monday 14 December at 10:00");
        assert_eq!(opens_words(&at(14, 10), today, Some("nl")), "op maandag 14 december om 10:00");
    }
}
