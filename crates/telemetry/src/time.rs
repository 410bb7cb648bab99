//! Durations as people read and write them (`7d`, `3m20s`); RFC 3339 times come from
//! `ferry_types::time`.

use std::time::Duration;

pub use ferry_types::time::{format_rfc3339, parse_rfc3339};

/// A duration for people: `45s`, `3m20s`, `2h5m`, `3d4h`; sub-second as `0.42s`.
pub fn format_duration(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds == 0 {
        return format!("{:.2}s", duration.as_secs_f64());
    }
    let (days, hours, minutes, seconds) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    match (days, hours, minutes) {
        (0, 0, 0) => format!("{seconds}s"),
        (0, 0, _) if seconds == 0 => format!("{minutes}m"),
        (0, 0, _) => format!("{minutes}m{seconds}s"),
        (0, _, 0) => format!("{hours}h"),
        (0, _, _) => format!("{hours}h{minutes}m"),
        (_, 0, _) => format!("{days}d"),
        _ => format!("{days}d{hours}h"),
    }
}

/// Reads a duration such as `7d`, `24h`, `90m`, `1h30m`, `2w` (days and weeks added to Go's
/// units; `ferry_types::parse_window`).
pub fn parse_duration(text: &str) -> crate::Result<Duration> {
    ferry_types::parse_window(text).map_err(|_| crate::Error::InvalidDuration {
        text: text.to_string(),
        reason: "use a number and a unit: w, d, h, m, s, ms (7d, 1h30m)".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_with_days_and_weeks() {
        assert_eq!(
            parse_duration("7d").unwrap(),
            Duration::from_secs(7 * 86_400)
        );
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(
            parse_duration("2w").unwrap(),
            Duration::from_secs(14 * 86_400)
        );
        assert!(parse_duration("7").is_err());
        assert!(parse_duration("7y").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn durations_print_for_people() {
        assert_eq!(format_duration(Duration::from_millis(420)), "0.42s");
        assert_eq!(format_duration(Duration::from_secs(45)), "45s");
        assert_eq!(format_duration(Duration::from_secs(200)), "3m20s");
        assert_eq!(format_duration(Duration::from_secs(7500)), "2h5m");
        assert_eq!(
            format_duration(Duration::from_secs(3 * 86_400 + 4 * 3600)),
            "3d4h"
        );
    }
}
