//! Calendar days as the desk's staff mean them: a local date (`2026-09-01`) and the span of time
//! it covers, for the CLI's `--from/--to` and the history view's date filters.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

/// A date as typed (`2026-09-01`); `name` says which field it was, for the error.
pub fn parse_day(s: &str, name: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map_err(|_| format!("{name} wants a date like 2026-09-01, not {s:?}"))
}

/// When `day` starts in `tz`.
pub fn midnight<Tz: TimeZone>(day: NaiveDate, tz: &Tz) -> Result<DateTime<Utc>, String> {
    let midnight = day.and_hms_opt(0, 0, 0).ok_or("no midnight")?;
    // A day whose midnight a clock change skipped starts at the first time that exists.
    tz.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| tz.from_local_datetime(&(midnight + Duration::hours(1))).earliest())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| format!("{day} has no local midnight"))
}

/// A stretch of time, open at either end: from its start (included) to its end (excluded).
pub type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The time from the start of `first` to the end of `last` (either open), in `tz`.
pub fn span<Tz: TimeZone>(first: Option<NaiveDate>, last: Option<NaiveDate>, tz: &Tz) -> Result<Span, String> {
    if let (Some(f), Some(l)) = (first, last) {
        if l < f {
            return Err(format!("the last day {l} is before the first {f}"));
        }
    }
    let from = first.map(|d| midnight(d, tz)).transpose()?;
    let to = last.map(|d| midnight(d + chrono::Days::new(1), tz)).transpose()?;
    Ok((from, to))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::FixedOffset;

    #[test]
    fn a_day_covers_its_local_hours() {
        let tz = FixedOffset::east_opt(2 * 3600).unwrap();
        let d = parse_day(" 2026-09-01 ", "--from").unwrap();
        let (from, to) = span(Some(d), Some(d), &tz).unwrap();
        assert_eq!(from.unwrap().to_rfc3339(), "2026-08-31T22:00:00+00:00");
        assert_eq!(to.unwrap().to_rfc3339(), "2026-09-01T22:00:00+00:00");
        assert_eq!(span(None, Some(d), &tz).unwrap().0, None);
    }

    #[test]
    fn bad_dates_and_backwards_spans_say_what_is_wrong() {
        assert_eq!(parse_day("1/9/2026", "from").unwrap_err(), "from wants a date like 2026-09-01, not \"1/9/2026\"");
        let (a, b) = (parse_day("2026-09-02", "a").unwrap(), parse_day("2026-09-01", "b").unwrap());
        assert!(span(Some(a), Some(b), &Utc).unwrap_err().contains("before"));
    }
}
