//! Timestamps in the Kubernetes wire form (`2026-11-26T10:38:28Z`, seconds, UTC).

use std::time::{Duration, UNIX_EPOCH};

/// The current time as RFC 3339 with second precision in UTC.
pub fn now() -> String {
    ferry_types::time::now_rfc3339()
}

/// Formats seconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn format_unix(seconds: u64) -> String {
    ferry_types::time::format_rfc3339(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` back to seconds since the epoch.
pub fn parse_unix(text: &str) -> Option<u64> {
    let bytes = text.as_bytes();
    if bytes.len() != 20 || bytes[10] != b'T' || bytes[19] != b'Z' {
        return None;
    }
    let instant = ferry_types::time::parse_rfc3339(text)?;
    Some(instant.duration_since(UNIX_EPOCH).ok()?.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses_a_known_instant() {
        assert_eq!(format_unix(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_unix(1_795_689_508), "2026-11-26T10:38:28Z");
        assert_eq!(parse_unix("2026-11-26T10:38:28Z"), Some(1_795_689_508));
        assert_eq!(parse_unix("not a time"), None);
    }
}
