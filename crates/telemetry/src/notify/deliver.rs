//! Sending one payload to one target: POST with a timeout, retried with exponential backoff
//! on connection errors, 429 and 5xx, a bounded number of times. URLs are masked in every
//! message, since webhook URLs carry tokens.

use std::time::Duration;

use serde_json::Value;

use super::config::Target;
use crate::{Error, Result};

/// How deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, at least 1.
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each next one.
    pub base: Duration,
    /// The longest wait between attempts.
    pub max: Duration,
    /// Deadline of one request.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, waiting 1 s, 2 s, 4 s, 8 s; 10 s per request.
    fn default() -> Self {
        Self {
            attempts: 5,
            base: Duration::from_secs(1),
            max: Duration::from_secs(30),
            timeout: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt `attempt` (1-based).
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(16));
        self.base.saturating_mul(factor).min(self.max)
    }
}

/// `scheme://host[:port]/***`: the URL without user information, path or query, which is
/// where webhook tokens live.
pub fn mask_url(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(parsed) => {
            let host = parsed.host_str().unwrap_or_default();
            let port = parsed
                .port()
                .map(|port| format!(":{port}"))
                .unwrap_or_default();
            let hidden = if parsed.path() == "/" && parsed.query().is_none() {
                "/"
            } else {
                "/***"
            };
            format!("{}://{host}{port}{hidden}", parsed.scheme())
        }
        Err(_) => "***".to_string(),
    }
}

/// The HTTP client deliveries share (rustls with aws-lc-rs, as the rest of ferry).
pub fn client(policy: &RetryPolicy) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .timeout(policy.timeout)
        .user_agent(concat!("ferry/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|error| Error::Delivery {
            target: String::new(),
            reason: error.without_url().to_string(),
        })
}

/// Outcome of one attempt.
enum Attempt {
    Delivered,
    Retry(String),
    GiveUp(String),
}

async fn attempt(client: &reqwest::Client, target: &Target, body: &[u8]) -> Attempt {
    let response = client
        .post(&target.url)
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await;
    match response {
        Ok(response) => {
            let status = response.status();
            if status.is_success() {
                Attempt::Delivered
            } else if status.is_server_error() || status.as_u16() == 429 || status.as_u16() == 408 {
                Attempt::Retry(format!("answered {status}"))
            } else {
                Attempt::GiveUp(format!("answered {status}"))
            }
        }
        Err(error) => Attempt::Retry(error.without_url().to_string()),
    }
}

/// Delivers `payload` to `target`, retrying per `policy`; returns the attempts made.
pub async fn deliver(
    client: &reqwest::Client,
    target: &Target,
    payload: &Value,
    policy: &RetryPolicy,
) -> Result<u32> {
    let body = serde_json::to_vec(payload).unwrap_or_default();
    let attempts = policy.attempts.max(1);
    let masked = mask_url(&target.url);
    let mut last = String::new();
    for number in 1..=attempts {
        match attempt(client, target, &body).await {
            Attempt::Delivered => return Ok(number),
            Attempt::GiveUp(reason) => {
                return Err(Error::Delivery {
                    target: format!("{} ({masked})", target.name),
                    reason,
                });
            }
            Attempt::Retry(reason) => {
                if number < attempts {
                    let delay = policy.delay(number);
                    eprintln!(
                        "notification to {} ({masked}): attempt {number}/{attempts} failed \
                         ({reason}); retrying in {delay:?}",
                        target.name
                    );
                    tokio::time::sleep(delay).await;
                }
                last = reason;
            }
        }
    }
    Err(Error::Delivery {
        target: format!("{} ({masked})", target.name),
        reason: format!("{last} after {attempts} attempts"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_webhook_urls_are_masked() {
        assert_eq!(
            mask_url("https://hooks.slack.com/services/T000/B000/XXXXSECRET"),
            "https://hooks.slack.com/***"
        );
        assert_eq!(
            mask_url("https://user:pass@example.com:8443/hook?token=abc"),
            "https://example.com:8443/***"
        );
        assert_eq!(mask_url("http://127.0.0.1:9000/"), "http://127.0.0.1:9000/");
        assert_eq!(mask_url("not a url with secret"), "***");
    }

    #[test]
    fn backoff_doubles_up_to_its_maximum() {
        let policy = RetryPolicy::default();
        let delays: Vec<u64> = (1..=7)
            .map(|attempt| policy.delay(attempt).as_secs())
            .collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(policy.delay(1000), Duration::from_secs(30));
    }
}
