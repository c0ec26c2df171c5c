//! Reference statistics: figures for the desk and its manager from closed questions (pure, no I/O).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};

use crate::api::{ByMedium, Rating, Spread, Statistics, TagCount};
use crate::{Error, Result};

/// At most this many tags on one question, each at most [`MAX_TAG_CHARS`].
pub const MAX_TAGS: usize = 10;
pub const MAX_TAG_CHARS: usize = 40;

pub use crate::api::Medium;

/// One question as the statistics see it: a transcript or a walk-up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub medium: Medium,
    pub started_at: DateTime<Utc>,
    /// None: a walk-up still at the desk.
    pub ended_at: Option<DateTime<Utc>>,
    /// Chats: the first librarian reply (None: never answered). Walk-ups: not tracked.
    pub answered_at: Option<DateTime<Utc>>,
    /// Chats: the patron's pseudonym.
    pub patron: Option<String>,
    pub read_level: Option<u8>,
    pub tags: Vec<String>,
    /// Chats from the website's chat box: the patron's own rating, 1 to 5.
    pub patron_rating: Option<u8>,
}

/// A librarian's rating made fit to store: the level in 1–6, tags trimmed, lower-cased, without
/// duplicates or commas (a comma typed in one box splits it into two tags).
pub fn clean_rating(rating: &Rating) -> Result<(Option<u8>, Vec<String>)> {
    if let Some(level) = rating.read_level.filter(|l| !(1..=6).contains(l)) {
        return Err(Error::InvalidInput(format!("READ level {level} is not on the scale; use 1 to 6")));
    }
    let mut tags: Vec<String> = Vec::new();
    for raw in rating.tags.iter().flat_map(|t| t.split(',')) {
        let tag = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        if tag.is_empty() || tags.contains(&tag) {
            continue;
        }
        if tag.chars().count() > MAX_TAG_CHARS {
            return Err(Error::InvalidInput(format!("the tag {tag:?} is longer than {MAX_TAG_CHARS} characters")));
        }
        if tag.chars().any(char::is_control) {
            return Err(Error::InvalidInput("a tag may not contain control characters".into()));
        }
        tags.push(tag);
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::InvalidInput(format!("{} tags; a question may have at most {MAX_TAGS}", tags.len())));
    }
    Ok((rating.read_level, tags))
}

/// Tags as stored in one column.
pub fn join_tags(tags: &[String]) -> String {
    tags.join(",")
}

pub fn split_tags(column: &str) -> Vec<String> {
    column.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// The figures for `questions` that started in `[from, to)`, with hours and weekdays in `tz`.
pub fn compute<Tz: TimeZone>(questions: &[Question], from: DateTime<Utc>, to: DateTime<Utc>, tz: &Tz) -> Statistics {
    let mut s = Statistics {
        from,
        to,
        questions: ByMedium::default(),
        by_hour: vec![ByMedium::default(); 24],
        by_weekday: vec![ByMedium::default(); 7],
        abandoned: 0,
        chat_wait: None,
        chat_handling: None,
        walkup_handling: None,
        patrons: 0,
        repeat_patrons: 0,
        read_levels: vec![ByMedium::default(); 6],
        unrated: ByMedium::default(),
        tags: Vec::new(),
        patron_ratings: vec![0; 5],
    };
    let (mut waits, mut chat_times, mut walkup_times) = (Vec::new(), Vec::new(), Vec::new());
    let mut visits: HashMap<&str, u32> = HashMap::new();
    let mut tags: BTreeMap<&str, ByMedium> = BTreeMap::new();
    for q in questions.iter().filter(|q| q.started_at >= from && q.started_at < to) {
        let bump = |c: &mut ByMedium| c.add(q.medium);
        bump(&mut s.questions);
        let local = q.started_at.with_timezone(tz);
        bump(&mut s.by_hour[local.hour() as usize]);
        bump(&mut s.by_weekday[local.weekday().num_days_from_monday() as usize]);
        match q.read_level.filter(|l| (1..=6).contains(l)) {
            Some(level) => bump(&mut s.read_levels[usize::from(level) - 1]),
            None => bump(&mut s.unrated),
        }
        for tag in &q.tags {
            bump(tags.entry(tag.as_str()).or_default());
        }
        if let Some(score) = q.patron_rating.filter(|s| (1..=5).contains(s)) {
            s.patron_ratings[usize::from(score) - 1] += 1;
        }
        let took = q.ended_at.map(|end| seconds(q.started_at, end));
        match q.medium {
            Medium::Chat | Medium::Web => {
                chat_times.extend(took);
                match q.answered_at {
                    Some(at) => waits.push(seconds(q.started_at, at)),
                    None => s.abandoned += 1,
                }
                if let Some(p) = &q.patron {
                    *visits.entry(p.as_str()).or_default() += 1;
                }
            }
            Medium::Walkup => walkup_times.extend(took),
        }
    }
    s.chat_wait = spread(waits);
    s.chat_handling = spread(chat_times);
    s.walkup_handling = spread(walkup_times);
    s.patrons = visits.len() as u32;
    s.repeat_patrons = visits.values().filter(|&&n| n > 1).count() as u32;
    s.tags = tags.into_iter().map(|(tag, count)| TagCount { tag: tag.to_owned(), count }).collect();
    // Most used first; the map's order (alphabetical) breaks ties.
    s.tags.sort_by_key(|t| std::cmp::Reverse(t.count.total()));
    s
}

/// Whole seconds from `a` to `b`; a clock that stepped back counts as zero.
fn seconds(a: DateTime<Utc>, b: DateTime<Utc>) -> u32 {
    u32::try_from((b - a).num_seconds().max(0)).unwrap_or(u32::MAX)
}

fn spread(mut v: Vec<u32>) -> Option<Spread> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    // Nearest rank: the smallest value with at least p% of the values at or below it.
    let rank = |p: usize| v[(v.len() * p).div_ceil(100).max(1) - 1];
    Some(Spread { count: v.len() as u32, p50: rank(50), p90: rank(90), max: v[v.len() - 1] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, FixedOffset};

    fn q(medium: Medium, start: DateTime<Utc>, minutes: i64) -> Question {
        Question {
            medium,
            started_at: start,
            ended_at: Some(start + Duration::minutes(minutes)),
            answered_at: medium.is_chat().then(|| start + Duration::seconds(90)),
            patron: medium.is_chat().then(|| "patron-aa".to_owned()),
            read_level: Some(2),
            tags: vec![],
            patron_rating: None,
        }
    }

    #[test]
    fn questions_are_counted_by_medium_local_hour_and_weekday() {
        // Monday 2026-11-23 17:30 UTC is 11:30 in Chicago (UTC-6).
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 17, 30, 0).unwrap();
        let chicago = FixedOffset::west_opt(6 * 3600).unwrap();
        let qs = vec![
            q(Medium::Chat, t, 10),
            q(Medium::Walkup, t + Duration::minutes(5), 4),
            q(Medium::Walkup, t + Duration::hours(7), 2), // 18:30 local, still Monday
            q(Medium::Chat, t - Duration::days(30), 1),   // before the period
        ];
        let s = compute(&qs, t - Duration::days(1), t + Duration::days(1), &chicago);
        assert_eq!(s.questions, ByMedium { chat: 1, web: 0, walkup: 2 });
        assert_eq!(s.by_hour[11], ByMedium { chat: 1, web: 0, walkup: 1 });
        assert_eq!(s.by_hour[18], ByMedium { chat: 0, web: 0, walkup: 1 });
        assert_eq!(s.by_hour.iter().map(|h| h.chat + h.walkup).sum::<u32>(), 3);
        assert_eq!(s.by_weekday[0], ByMedium { chat: 1, web: 0, walkup: 2 }, "Monday");
        assert_eq!(s.read_levels[1], ByMedium { chat: 1, web: 0, walkup: 2 });
        assert_eq!(s.walkup_handling, Some(Spread { count: 2, p50: 120, p90: 240, max: 240 }));
        assert_eq!(s.chat_wait, Some(Spread { count: 1, p50: 90, p90: 90, max: 90 }));
    }

    #[test]
    fn web_chats_are_counted_apart_and_wait_and_last_as_chats_do() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let mut web = q(Medium::Web, t + Duration::minutes(1), 6);
        web.patron_rating = Some(4);
        web.answered_at = Some(web.started_at + Duration::seconds(30));
        web.patron = Some("patron-bb".into());
        let qs = vec![q(Medium::Chat, t, 10), web, q(Medium::Walkup, t, 4)];
        let s = compute(&qs, t, t + Duration::hours(1), &Utc);
        assert_eq!(s.questions, ByMedium { chat: 1, web: 1, walkup: 1 });
        assert_eq!(s.by_hour[10], ByMedium { chat: 1, web: 1, walkup: 1 });
        assert_eq!(s.chat_wait, Some(Spread { count: 2, p50: 30, p90: 90, max: 90 }));
        assert_eq!(s.chat_handling.map(|h| h.count), Some(2));
        assert_eq!(s.patrons, 2);
        assert_eq!(s.questions.total(), 3);
        assert_eq!(s.patron_ratings, [0, 0, 0, 1, 0], "the web patron's own rating");
    }

    #[test]
    fn unanswered_chats_are_abandoned_and_returning_patrons_are_counted_once() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let mut qs: Vec<Question> = (0..10).map(|i| q(Medium::Chat, t + Duration::hours(i), 5)).collect();
        for (i, x) in qs.iter_mut().enumerate() {
            x.answered_at = Some(x.started_at + Duration::seconds(10 * (i as i64 + 1)));
            x.patron = Some(format!("patron-{}", i % 4)); // 0 and 1 come three times, 2 and 3 twice
        }
        qs[9].answered_at = None;
        qs[8].read_level = None;
        let s = compute(&qs, t, t + Duration::days(1), &Utc);
        assert_eq!(s.abandoned, 1);
        assert_eq!(s.chat_wait.unwrap(), Spread { count: 9, p50: 50, p90: 90, max: 90 });
        assert_eq!((s.patrons, s.repeat_patrons), (4, 4));
        assert_eq!((s.unrated.chat, s.read_levels[1].chat), (1, 9));
    }

    #[test]
    fn tags_are_counted_most_used_first() {
        let t = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let mut a = q(Medium::Chat, t, 5);
        a.tags = vec!["genealogy".into(), "census".into()];
        let mut b = q(Medium::Walkup, t, 5);
        b.tags = vec!["census".into()];
        let s = compute(&[a, b], t, t + Duration::hours(1), &Utc);
        let got: Vec<_> = s.tags.iter().map(|t| (t.tag.as_str(), t.count.chat, t.count.walkup)).collect();
        assert_eq!(got, [("census", 1, 1), ("genealogy", 1, 0)]);
    }

    #[test]
    fn an_empty_period_has_counts_of_zero_and_no_spreads() {
        let t = Utc::now();
        let s = compute(&[], t, t, &Utc);
        assert_eq!(
            (s.questions, s.abandoned, s.chat_wait, s.by_hour.len(), s.by_weekday.len()),
            (ByMedium::default(), 0, None, 24, 7)
        );
    }

    #[test]
    fn ratings_are_cleaned_and_bad_ones_refused_with_a_reason() {
        let r = Rating { read_level: Some(3), tags: vec![" Census ,genealogy".into(), "census".into(), "  ".into()] };
        assert_eq!(clean_rating(&r).unwrap(), (Some(3), vec!["census".to_owned(), "genealogy".to_owned()]));
        let e = clean_rating(&Rating { read_level: Some(7), tags: vec![] }).unwrap_err();
        assert_eq!(e.to_string(), "READ level 7 is not on the scale; use 1 to 6");
        assert!(clean_rating(&Rating { read_level: Some(0), tags: vec![] }).is_err());
        let long = Rating { read_level: None, tags: vec!["x".repeat(41)] };
        assert!(clean_rating(&long).unwrap_err().to_string().contains("longer than 40"));
        let many = Rating { read_level: None, tags: (0..11).map(|i| format!("t{i}")).collect() };
        assert!(clean_rating(&many).unwrap_err().to_string().contains("at most 10"));
        assert!(clean_rating(&Rating { read_level: None, tags: vec!["a\u{7}b".into()] }).is_err());
        assert_eq!(split_tags(&join_tags(&["a b".into(), "c".into()])), ["a b", "c"]);
        assert!(split_tags("").is_empty());
    }
}
