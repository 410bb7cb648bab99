//! Go-style durations (`5s`, `1m30s`, `250ms`) as Argo CD writes them in retry backoff.

use std::time::Duration;

use crate::{Error, Result};

/// Parses a Go duration string such as `"5s"`, `"1m30s"` or `"250ms"`. A bare number is
/// read as seconds, as Argo CD does for `backoff.duration`.
pub fn parse_go_duration(text: &str) -> Result<Duration> {
    let bad = || Error::Duration(text.to_string());
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad());
    }
    if let Ok(seconds) = trimmed.parse::<u64>() {
        return Ok(Duration::from_secs(seconds));
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
        let scale = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(bad()),
        };
        total += number * scale;
        rest = &rest[unit_len..];
    }
    Ok(Duration::from_secs_f64(total))
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
    fn durations_without_a_known_unit_are_rejected() {
        for text in ["", "s", "5x", "m5", "1d"] {
            assert!(parse_go_duration(text).is_err(), "{text:?} should fail");
        }
    }
}
