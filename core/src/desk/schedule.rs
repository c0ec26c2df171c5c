//! Scheduled IM hours: a weekly timetable in the library's time zone, with closed dates.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::policy::PolicyError;

/// One opening on a weekday, local times "HH:MM" (close may be "24:00").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Opening {
    /// "mon" … "sun".
    pub day: String,
    pub open: String,
    pub close: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ScheduleConfig {
    /// IANA zone name, e.g. "Europe/Amsterdam": opening hours follow the library's clock, DST included.
    pub timezone: String,
    pub hours: Vec<Opening>,
    /// Holidays and other whole days without IM ("YYYY-MM-DD").
    #[serde(default)]
    pub closed_dates: Vec<String>,
}

/// A validated schedule: seconds-from-midnight intervals per weekday (Monday = 0).
#[derive(Debug, Clone)]
pub struct Schedule {
    tz: Tz,
    week: [Vec<(u32, u32)>; 7],
    closed: BTreeSet<NaiveDate>,
}

/// An open stretch: when IM opens and when it closes again.
pub type Stretch = (DateTime<Utc>, DateTime<Utc>);

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn parse_hhmm(s: &str, field: &str) -> Result<u32, PolicyError> {
    let bad = || PolicyError::new(field, format!("{s:?} is not a time like \"09:30\" (00:00 to 24:00)"));
    let (h, m) = s.split_once(':').ok_or_else(bad)?;
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return Err(bad());
    }
    Ok(h * 3600 + m * 60)
}

impl ScheduleConfig {
    pub fn compile(&self, field: &str) -> Result<Schedule, PolicyError> {
        let tz: Tz = self.timezone.parse().map_err(|_| {
            PolicyError::new(
                format!("{field}.timezone"),
                format!("{:?} is not a time zone name like \"Europe/Amsterdam\"", self.timezone),
            )
        })?;
        let mut week: [Vec<(u32, u32)>; 7] = Default::default();
        for (i, o) in self.hours.iter().enumerate() {
            let f = format!("{field}.hours[{i}]");
            let day = DAYS.iter().position(|d| d.eq_ignore_ascii_case(o.day.trim())).ok_or_else(|| {
                PolicyError::new(format!("{f}.day"), format!("{:?} is not one of mon, tue, … sun", o.day))
            })?;
            let open = parse_hhmm(&o.open, &format!("{f}.open"))?;
            let close = parse_hhmm(&o.close, &format!("{f}.close"))?;
            if close <= open {
                return Err(PolicyError::new(
                    format!("{f}.close"),
                    format!("closes at {} but opens at {}; an opening must end after it starts", o.close, o.open),
                ));
            }
            week[day].push((open, close));
        }
        for day in &mut week {
            day.sort_unstable();
        }
        let mut closed = BTreeSet::new();
        for (i, d) in self.closed_dates.iter().enumerate() {
            let date = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").map_err(|_| {
                PolicyError::new(
                    format!("{field}.closedDates[{i}]"),
                    format!("{d:?} is not a date like \"2026-12-25\""),
                )
            })?;
            closed.insert(date);
        }
        Ok(Schedule { tz, week, closed })
    }
}

impl Schedule {
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let local = now.with_timezone(&self.tz);
        if self.closed.contains(&local.date_naive()) {
            return false;
        }
        let secs = local.num_seconds_from_midnight();
        let day = local.weekday().num_days_from_monday() as usize;
        self.week[day].iter().any(|&(o, c)| o <= secs && secs < c)
    }

    /// The next instant after `now` at which IM opens (not counting an opening already under way).
    pub fn next_opening(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.boundaries_after(now).find(|&(_, opens)| opens).map(|(t, _)| t)
    }

    /// The stretches IM is open between `from` and `until`, in order, as (opens, closes); one
    /// under way at `from` starts there. What the website's chat box shows as opening hours.
    pub fn openings(&self, from: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Stretch> {
        let mut out = Vec::new();
        let mut open_since = self.is_open(from).then_some(from);
        for (t, opens) in self.boundaries_after(from) {
            if t >= until && open_since.is_none() {
                break;
            }
            match (opens, open_since) {
                (true, None) => open_since = Some(t),
                (false, Some(o)) => {
                    out.push((o, t));
                    open_since = None;
                }
                _ => {}
            }
        }
        out
    }

    /// The next instant after `now` at which IM opens or closes.
    pub fn next_change(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.boundaries_after(now).next().map(|(t, _)| t)
    }

    /// Opening (true) and closing (false) instants after `now`, in order, looking up to ~a year ahead.
    fn boundaries_after(&self, now: DateTime<Utc>) -> impl Iterator<Item = (DateTime<Utc>, bool)> + '_ {
        let start = now.with_timezone(&self.tz).date_naive() - Duration::days(1);
        (0..400i64).flat_map(move |d| {
            let date = start + Duration::days(d);
            let mut out = Vec::new();
            if !self.closed.contains(&date) {
                let day = date.weekday().num_days_from_monday() as usize;
                for &(o, c) in &self.week[day] {
                    // Adjacent openings (12:00-13:00, 13:00-17:00) are one stretch: no boundary between.
                    let joined_before = self.week[day].iter().any(|&(_, c2)| c2 == o);
                    let joined_after = self.week[day].iter().any(|&(o2, _)| o2 == c);
                    if !joined_before {
                        out.push((self.instant(date, o), true));
                    }
                    if !joined_after {
                        out.push((self.instant(date, c), false));
                    }
                }
            }
            out.sort();
            out.into_iter().filter(move |&(t, _)| t > now)
        })
    }

    /// Local date + seconds → UTC. A time skipped by DST opens at the first valid instant after it.
    fn instant(&self, date: NaiveDate, secs: u32) -> DateTime<Utc> {
        let naive: NaiveDateTime = date.and_hms_opt(0, 0, 0).expect("midnight exists") + Duration::seconds(secs.into());
        let mut probe = naive;
        for _ in 0..8 {
            if let Some(t) = self.tz.from_local_datetime(&probe).earliest() {
                return t.with_timezone(&Utc);
            }
            probe += Duration::minutes(30);
        }
        Utc.from_utc_datetime(&naive)
    }

    pub fn timezone(&self) -> Tz {
        self.tz
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_openings_ahead_follow_the_timetable_the_clock_change_and_closed_days() {
        let cfg = ScheduleConfig {
            timezone: "Europe/Amsterdam".into(),
            hours: vec![
                Opening { day: "fri".into(), open: "09:00".into(), close: "12:00".into() },
                Opening { day: "fri".into(), open: "12:00".into(), close: "17:00".into() },
                Opening { day: "mon".into(), open: "09:00".into(), close: "17:00".into() },
            ],
            closed_dates: vec!["2026-10-26".into()],
        };
        let s = cfg.compile("schedule").unwrap();
        // Friday 23 October 2026, 10:00 in Amsterdam (summer time, UTC+2): open since 09:00.
        let from = Utc.with_ymd_and_hms(2026, 10, 23, 8, 0, 0).unwrap();
        let got = s.openings(from, from + Duration::days(11));
        let want = [
            // The rest of today, 12:00 joined to the morning; then Monday 26 is a closed day, and
            // on 2 November Amsterdam is on winter time (UTC+1).
            (from, Utc.with_ymd_and_hms(2026, 10, 23, 15, 0, 0).unwrap()),
            (
                Utc.with_ymd_and_hms(2026, 10, 30, 8, 0, 0).unwrap(),
                Utc.with_ymd_and_hms(2026, 10, 30, 16, 0, 0).unwrap(),
            ),
            (Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0).unwrap(), Utc.with_ymd_and_hms(2026, 11, 2, 16, 0, 0).unwrap()),
        ];
        assert_eq!(got, want);
        assert!(s.openings(from, from).len() == 1, "the one under way");
    }

    fn weekdays_9_to_17(tz: &str) -> Schedule {
        let hours = ["mon", "tue", "wed", "thu", "fri"]
            .iter()
            .map(|d| Opening { day: d.to_string(), open: "09:00".into(), close: "17:00".into() })
            .collect();
        ScheduleConfig { timezone: tz.into(), hours, closed_dates: vec!["2026-12-25".into()] }
            .compile("schedule")
            .unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn open_inside_hours_in_local_time() {
        let s = weekdays_9_to_17("Europe/Amsterdam");
        // Monday 2026-11-23, Amsterdam is UTC+1.
        assert!(!s.is_open(utc("2026-11-23T07:59:59Z")));
        assert!(s.is_open(utc("2026-11-23T08:00:00Z")));
        assert!(s.is_open(utc("2026-11-23T15:59:59Z")));
        assert!(!s.is_open(utc("2026-11-23T16:00:00Z")));
    }

    #[test]
    fn closed_on_holidays_and_weekends_and_next_opening_skips_them() {
        let s = weekdays_9_to_17("Europe/Amsterdam");
        // Friday 2026-12-25 is a holiday; the next opening is Monday 28th 09:00 local.
        assert!(!s.is_open(utc("2026-12-25T10:00:00Z")));
        assert_eq!(s.next_opening(utc("2026-12-24T17:00:00Z")), Some(utc("2026-12-28T08:00:00Z")));
    }

    #[test]
    fn next_opening_across_midnight() {
        let s = weekdays_9_to_17("America/Chicago");
        // Tuesday 23:59 local (CST, UTC-6) -> Wednesday 09:00 local.
        assert_eq!(s.next_opening(utc("2026-11-25T05:59:00Z")), Some(utc("2026-11-25T15:00:00Z")));
        assert_eq!(s.next_change(utc("2026-11-25T05:59:00Z")), Some(utc("2026-11-25T15:00:00Z")));
        assert_eq!(s.next_change(utc("2026-11-25T15:00:00Z")), Some(utc("2026-11-25T23:00:00Z")));
    }

    #[test]
    fn hours_follow_daylight_saving_time() {
        let s = weekdays_9_to_17("Europe/Amsterdam");
        // DST starts Sunday 2026-03-29: Friday 27th opens 08:00Z (UTC+1), Monday 30th opens 07:00Z (UTC+2).
        assert_eq!(s.next_opening(utc("2026-03-27T00:00:00Z")), Some(utc("2026-03-27T08:00:00Z")));
        assert_eq!(s.next_opening(utc("2026-03-27T12:00:00Z")), Some(utc("2026-03-30T07:00:00Z")));
        assert!(s.is_open(utc("2026-03-30T07:00:00Z")));
    }

    #[test]
    fn an_opening_in_the_skipped_hour_starts_when_the_clock_resumes() {
        let cfg = ScheduleConfig {
            timezone: "Europe/Amsterdam".into(),
            hours: vec![Opening { day: "sun".into(), open: "02:30".into(), close: "05:00".into() }],
            closed_dates: vec![],
        };
        let s = cfg.compile("schedule").unwrap();
        // 02:30 does not exist on 2026-03-29; 03:00 CEST = 01:00Z is the first valid instant after it.
        assert_eq!(s.next_opening(utc("2026-03-28T12:00:00Z")), Some(utc("2026-03-29T01:00:00Z")));
    }

    #[test]
    fn back_to_back_openings_have_no_boundary_between() {
        let cfg = ScheduleConfig {
            timezone: "UTC".into(),
            hours: vec![
                Opening { day: "mon".into(), open: "09:00".into(), close: "12:00".into() },
                Opening { day: "mon".into(), open: "12:00".into(), close: "24:00".into() },
            ],
            closed_dates: vec![],
        };
        let s = cfg.compile("schedule").unwrap();
        assert_eq!(s.next_change(utc("2026-11-23T10:00:00Z")), Some(utc("2026-11-24T00:00:00Z")));
        assert!(s.is_open(utc("2026-11-23T23:59:59Z")));
        assert!(!s.is_open(utc("2026-11-24T00:00:00Z")));
    }

    #[test]
    fn bad_schedules_name_the_field() {
        let mut cfg = ScheduleConfig {
            timezone: "Mars/Olympus".into(),
            hours: vec![Opening { day: "mon".into(), open: "09:00".into(), close: "17:00".into() }],
            closed_dates: vec![],
        };
        assert_eq!(cfg.compile("schedule").unwrap_err().field, "schedule.timezone");
        cfg.timezone = "UTC".into();
        cfg.hours[0].close = "08:00".into();
        assert_eq!(cfg.compile("schedule").unwrap_err().field, "schedule.hours[0].close");
        cfg.hours[0].close = "17:61".into();
        assert_eq!(cfg.compile("schedule").unwrap_err().field, "schedule.hours[0].close");
        cfg.hours[0].close = "17:00".into();
        cfg.hours[0].day = "someday".into();
        assert_eq!(cfg.compile("schedule").unwrap_err().field, "schedule.hours[0].day");
        cfg.hours[0].day = "Mon".into();
        cfg.closed_dates = vec!["25/12/2026".into()];
        assert_eq!(cfg.compile("schedule").unwrap_err().field, "schedule.closedDates[0]");
    }
}
