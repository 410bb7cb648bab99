//! Durations as people write them: Go's (`5s`, `1m30s`, `250ms`), as Argo CD writes them in
//! retry backoff and ferry's flags take them, and report windows that add days and weeks
//! (`7d`, `2w`). The one parser of the workspace; it never panics on any input.

use std::time::Duration;

use crate::{Error, Result};

/// Go's units, in seconds.
const GO_UNITS: &[(&str, f64)] = &[
    ("ns", 1e-9),
    ("us", 1e-6),
    ("µs", 1e-6),
    ("ms", 1e-3),
    ("s", 1.0),
    ("m", 60.0),
    ("h", 3600.0),
];
/// What a window adds to Go's units.
const DAYS_AND_WEEKS: &[(&str, f64)] = &[("d", 86_400.0), ("w", 604_800.0)];

/// Parses a Go duration string such as `"5s"`, `"1m30s"` or `"250ms"`. A bare number is
/// read as seconds, as Argo CD does for `backoff.duration`.
pub fn parse_go_duration(text: &str) -> Result<Duration> {
    if let Ok(seconds) = text.trim().parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
    }
    parse_with(text, &[GO_UNITS])
}

/// Parses a window such as `"7d"`, `"2w"`, `"24h"` or `"1h30m"`: Go's units plus days and
/// weeks; every number needs a unit.
pub fn parse_window(text: &str) -> Result<Duration> {
    parse_with(text, &[GO_UNITS, DAYS_AND_WEEKS])
}

fn parse_with(text: &str, units: &[&[(&str, f64)]]) -> Result<Duration> {
    let bad = || Error::Duration(text.to_string());
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    let mut total = 0f64;
    let mut rest = trimmed;
    while !rest.is_empty() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        if number_len == 0 {
            return Err(bad());
        }
        let number: f64 = rest[..number_len].parse().map_err(|_| bad())?;
        rest = &rest[number_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = units
            .iter()
            .flat_map(|table| table.iter())
            .find(|(unit, _)| *unit == &rest[..unit_len])
            .map(|(_, scale)| *scale)
            .ok_or_else(bad)?;
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_with_several_units_add_up() {
        assert_eq!(parse_go_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(
            parse_go_duration("250ms").unwrap(),
            Duration::from_millis(250)
        );
        assert_eq!(parse_go_duration("3").unwrap(), Duration::from_secs(3));
        assert_eq!(
            parse_go_duration("1.5h").unwrap(),
            Duration::from_secs(5400)
        );
    }

    #[test]
    fn windows_add_days_and_weeks_and_need_units() {
        assert_eq!(parse_window("7d").unwrap(), Duration::from_secs(7 * 86_400));
        assert_eq!(
            parse_window("2w").unwrap(),
            Duration::from_secs(14 * 86_400)
        );
        assert_eq!(parse_window("1h30m").unwrap(), Duration::from_secs(5400));
        for text in ["7", "7y", ""] {
            assert!(parse_window(text).is_err(), "{text:?} should fail");
        }
    }

    #[test]
    fn a_duration_too_long_to_hold_is_an_error_not_a_panic() {
        assert!(parse_go_duration("99999999999999999999999h").is_err());
        assert!(parse_window("99999999999999999999w").is_err());
    }

    #[test]
    fn durations_without_a_known_unit_are_rejected() {
        for text in ["", "s", "5x", "m5", "1d"] {
            assert!(parse_go_duration(text).is_err(), "{text:?} should fail");
        }
    }
}
