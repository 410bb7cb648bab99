//! Cron schedules as a CronJob reads them: five fields (minute, hour, day of month, month, day of
//! week) with `*`, lists, ranges, steps and names, or a macro (`@hourly`, `@daily`, ...); times in
//! UTC, minute precision.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{Error, Result};

/// A parsed schedule: the allowed values of each field as bit sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schedule {
    minutes: u64,
    hours: u64,
    days: u64,
    months: u64,
    weekdays: u64,
    /// Both day fields were restricted: a day matches if either does (cron's rule).
    either_day: bool,
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

fn invalid(text: &str) -> Error {
    Error::InvalidSchedule(text.to_string())
}

fn value(text: &str, names: &[&str], offset: u32, whole: &str) -> Result<u32> {
    if let Some(index) = names
        .iter()
        .position(|name| name.eq_ignore_ascii_case(text))
    {
        return Ok(index as u32 + offset);
    }
    text.parse().map_err(|_| invalid(whole))
}

fn field(
    text: &str,
    low: u32,
    high: u32,
    names: &[&str],
    offset: u32,
    whole: &str,
) -> Result<(u64, bool)> {
    let mut bits = 0u64;
    let mut star = false;
    for part in text.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (range, step.parse::<u32>().map_err(|_| invalid(whole))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(invalid(whole));
        }
        let (start, end) = if range == "*" || range == "?" {
            star = step == 1;
            (low, high)
        } else if let Some((start, end)) = range.split_once('-') {
            (
                value(start, names, offset, whole)?,
                value(end, names, offset, whole)?,
            )
        } else {
            let start = value(range, names, offset, whole)?;
            (start, if part.contains('/') { high } else { start })
        };
        if start < low || end > high || start > end {
            return Err(invalid(whole));
        }
        let mut current = start;
        while current <= end {
            bits |= 1 << current;
            current += step;
        }
    }
    Ok((bits, star))
}

impl Schedule {
    /// Parses a schedule (a `CRON_TZ=`/`TZ=` prefix is refused: only UTC is simulated).
    pub fn parse(text: &str) -> Result<Schedule> {
        let trimmed = text.trim();
        let expanded = match trimmed {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            other => other,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        let [minute, hour, day, month, weekday] = fields.as_slice() else {
            return Err(invalid(text));
        };
        let (minutes, _) = field(minute, 0, 59, &[], 0, text)?;
        let (hours, _) = field(hour, 0, 23, &[], 0, text)?;
        let (days, any_day) = field(day, 1, 31, &[], 0, text)?;
        let (months, _) = field(month, 1, 12, MONTHS, 1, text)?;
        let (mut weekdays, any_weekday) = field(weekday, 0, 7, WEEKDAYS, 0, text)?;
        // 7 is Sunday too.
        if weekdays & (1 << 7) != 0 {
            weekdays = (weekdays & !(1 << 7)) | 1;
        }
        Ok(Schedule {
            minutes,
            hours,
            days,
            months,
            weekdays,
            either_day: !any_day && !any_weekday,
        })
    }

    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let by_day = self.days & (1 << day) != 0;
        let by_weekday = self.weekdays & (1 << weekday) != 0;
        if self.either_day {
            by_day || by_weekday
        } else {
            by_day && by_weekday
        }
    }

    fn matches(&self, minute_index: u64) -> bool {
        let civil = Civil::from_minutes(minute_index);
        self.months & (1 << civil.month) != 0
            && self.day_matches(civil.day, civil.weekday)
            && self.hours & (1 << civil.hour) != 0
            && self.minutes & (1 << civil.minute) != 0
    }

    /// The first scheduled instant strictly after `after` (within about five years).
    pub fn next_after(&self, after: SystemTime) -> Option<SystemTime> {
        let mut minute = minutes_of(after) + 1;
        let limit = minute + 5 * 366 * 24 * 60;
        while minute < limit {
            let civil = Civil::from_minutes(minute);
            if self.months & (1 << civil.month) == 0 {
                minute += u64::from(civil.minutes_left_in_day())
                    + u64::from(civil.days_left_in_month()) * 1440;
                continue;
            }
            if !self.day_matches(civil.day, civil.weekday) {
                minute += u64::from(civil.minutes_left_in_day());
                continue;
            }
            if self.hours & (1 << civil.hour) == 0 {
                minute += u64::from(60 - civil.minute);
                continue;
            }
            if self.matches(minute) {
                return Some(UNIX_EPOCH + Duration::from_secs(minute * 60));
            }
            minute += 1;
        }
        None
    }

    /// The latest scheduled instant in `(after, until]`.
    pub fn latest_between(&self, after: SystemTime, until: SystemTime) -> Option<SystemTime> {
        let mut latest = None;
        let mut cursor = after;
        for _ in 0..1000 {
            match self.next_after(cursor) {
                Some(next) if next <= until => {
                    latest = Some(next);
                    cursor = next;
                }
                _ => break,
            }
        }
        latest
    }
}

fn minutes_of(instant: SystemTime) -> u64 {
    instant
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 60)
        .unwrap_or(0)
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    weekday: u32,
}

impl Civil {
    fn from_minutes(minutes: u64) -> Civil {
        let days = (minutes / 1440) as i64;
        let rest = (minutes % 1440) as u32;
        // Howard Hinnant's civil-from-days.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Civil {
            year,
            month,
            day,
            hour: rest / 60,
            minute: rest % 60,
            weekday: (days + 4).rem_euclid(7) as u32,
        }
    }

    fn minutes_left_in_day(&self) -> u32 {
        1440 - self.hour * 60 - self.minute
    }

    fn days_left_in_month(&self) -> u32 {
        let leap = (self.year % 4 == 0 && self.year % 100 != 0) || self.year % 400 == 0;
        let length = match self.month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        length - self.day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> SystemTime {
        crate::object::parse_timestamp(text).expect("a timestamp")
    }

    fn next(schedule: &str, after: &str) -> String {
        let next = Schedule::parse(schedule)
            .unwrap()
            .next_after(at(after))
            .unwrap();
        crate::object::timestamp(next)
    }

    #[test]
    fn every_minute_and_steps_find_the_next_minute() {
        assert_eq!(
            next("* * * * *", "2026-11-26T10:38:28Z"),
            "2026-11-26T10:39:00Z"
        );
        assert_eq!(
            next("*/15 * * * *", "2026-11-26T10:38:28Z"),
            "2026-11-26T10:45:00Z"
        );
        assert_eq!(
            next("0 */6 * * *", "2026-11-26T10:38:28Z"),
            "2026-11-26T12:00:00Z"
        );
    }

    #[test]
    fn names_ranges_and_macros_are_understood() {
        // 2026-11-26 is a Thursday.
        assert_eq!(
            next("30 9 * * MON-FRI", "2026-11-27T10:00:00Z"),
            "2026-11-30T09:30:00Z"
        );
        assert_eq!(
            next("0 0 1 JAN *", "2026-11-26T00:00:00Z"),
            "2027-01-01T00:00:00Z"
        );
        assert_eq!(
            next("@daily", "2026-11-26T10:00:00Z"),
            "2026-11-27T00:00:00Z"
        );
        assert_eq!(
            next("0 12 29 2 *", "2026-03-01T00:00:00Z"),
            "2028-02-29T12:00:00Z"
        );
        assert_eq!(
            next("0 8 * * 5-7", "2026-11-26T10:00:00Z"),
            "2026-11-27T08:00:00Z"
        );
    }

    #[test]
    fn restricted_day_of_month_and_weekday_match_either() {
        // The 1st of the month or any Sunday: after Thursday 26 Nov comes Sunday 29 Nov.
        assert_eq!(
            next("0 0 1 * SUN", "2026-11-26T00:00:00Z"),
            "2026-11-29T00:00:00Z"
        );
    }

    #[test]
    fn malformed_schedules_are_refused() {
        for text in [
            "",
            "* * * *",
            "61 * * * *",
            "*/0 * * * *",
            "a b c d e",
            "CRON_TZ=UTC * * * * *",
        ] {
            assert!(Schedule::parse(text).is_err(), "{text}");
        }
    }

    #[test]
    fn the_latest_missed_time_is_found() {
        let schedule = Schedule::parse("*/10 * * * *").unwrap();
        let latest = schedule
            .latest_between(at("2026-11-26T10:00:00Z"), at("2026-11-26T10:35:00Z"))
            .unwrap();
        assert_eq!(crate::object::timestamp(latest), "2026-11-26T10:30:00Z");
    }
}
