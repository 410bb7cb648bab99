//! Retries of a failed sync, as Argo CD defines them: `retry.limit` retries after the first
//! attempt (negative: no limit), waiting `duration * factor^n`, at most `maxDuration`.

use std::time::Duration;

use ferry_types::{RetryStrategy, parse_go_duration};

use crate::{Error, Result};

/// Argo CD's default first delay.
const DEFAULT_DURATION: Duration = Duration::from_secs(5);
/// Argo CD's default factor.
const DEFAULT_FACTOR: i64 = 2;
/// Argo CD's default longest delay.
const DEFAULT_MAX_DURATION: Duration = Duration::from_secs(180);

/// When to try a failed sync again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; `None` means no limit.
    pub limit: Option<u32>,
    /// The first delay.
    pub duration: Duration,
    /// Multiplier per retry.
    pub factor: u32,
    /// The longest delay.
    pub max_duration: Duration,
}

impl Default for RetryPolicy {
    /// No retries.
    fn default() -> Self {
        Self {
            limit: Some(0),
            duration: DEFAULT_DURATION,
            factor: DEFAULT_FACTOR as u32,
            max_duration: DEFAULT_MAX_DURATION,
        }
    }
}

impl RetryPolicy {
    /// Reads an Application's `syncPolicy.retry`; no strategy means no retries.
    pub fn from_strategy(strategy: Option<&RetryStrategy>) -> Result<Self> {
        let Some(strategy) = strategy else {
            return Ok(Self::default());
        };
        let backoff = strategy.backoff.clone().unwrap_or_default();
        let duration = |text: &Option<String>, default: Duration, field: &str| match text {
            Some(text) => parse_go_duration(text).map_err(|_| Error::Application {
                message: format!("syncPolicy.retry.backoff.{field}: {text:?} is not a duration"),
            }),
            None => Ok(default),
        };
        Ok(Self {
            limit: u32::try_from(strategy.limit).ok(),
            duration: duration(&backoff.duration, DEFAULT_DURATION, "duration")?,
            factor: u32::try_from(backoff.factor.unwrap_or(DEFAULT_FACTOR).max(1)).unwrap_or(1),
            max_duration: duration(&backoff.max_duration, DEFAULT_MAX_DURATION, "maxDuration")?,
        })
    }

    /// The delay before retry number `retry` (0 for the first retry), or `None` when the
    /// limit is reached.
    pub fn delay(&self, retry: u32) -> Option<Duration> {
        if self.limit.is_some_and(|limit| retry >= limit) {
            return None;
        }
        let scale = f64::from(self.factor).powi(retry.min(64) as i32);
        let delay = self.duration.as_secs_f64() * scale;
        Some(Duration::from_secs_f64(
            delay.min(self.max_duration.as_secs_f64()),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferry_types::Backoff;

    fn strategy(limit: i64, duration: &str, factor: i64, max: &str) -> RetryStrategy {
        RetryStrategy {
            limit,
            backoff: Some(Backoff {
                duration: Some(duration.into()),
                factor: Some(factor),
                max_duration: Some(max.into()),
            }),
        }
    }

    #[test]
    fn delays_grow_by_the_factor_up_to_the_maximum() {
        let policy = RetryPolicy::from_strategy(Some(&strategy(5, "5s", 2, "30s"))).unwrap();
        let delays: Vec<_> = (0..6).map(|retry| policy.delay(retry)).collect();
        let seconds = |s| Some(Duration::from_secs(s));
        assert_eq!(
            delays,
            [
                seconds(5),
                seconds(10),
                seconds(20),
                seconds(30),
                seconds(30),
                None
            ]
        );
    }

    #[test]
    fn a_negative_limit_retries_without_end_and_no_strategy_never_retries() {
        let policy = RetryPolicy::from_strategy(Some(&strategy(-1, "1s", 2, "3m"))).unwrap();
        assert_eq!(policy.delay(1000), Some(Duration::from_secs(180)));
        assert_eq!(RetryPolicy::from_strategy(None).unwrap().delay(0), None);
    }

    #[test]
    fn argo_cd_defaults_fill_a_strategy_without_backoff() {
        let policy = RetryPolicy::from_strategy(Some(&RetryStrategy {
            limit: 2,
            backoff: None,
        }))
        .unwrap();
        assert_eq!(policy.delay(0), Some(Duration::from_secs(5)));
        assert_eq!(policy.delay(1), Some(Duration::from_secs(10)));
        assert_eq!(policy.delay(2), None);
    }

    #[test]
    fn a_bad_duration_names_its_field() {
        let error = RetryPolicy::from_strategy(Some(&strategy(1, "soon", 2, "3m"))).unwrap_err();
        assert_eq!(
            error.to_string(),
            "application: syncPolicy.retry.backoff.duration: \"soon\" is not a duration"
        );
    }
}
